"""Where an account lives: the exchange environment's REST and WebSocket addresses.

The catalogue of Bybit's own environments (mainnet, testnet, demo trading, regional hosts) and the
rules for a custom address are the client's (`bybit.environments`); this is only the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EnvKind(StrEnum):
    MAINNET = "mainnet"
    TESTNET = "testnet"
    DEMO = "demo"
    REGIONAL = "regional"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class Environment:
    kind: EnvKind
    label: str
    rest_url: str
    public_ws_url: str  # without the category suffix, e.g. wss://stream.bybit.com/v5/public
    private_ws_url: str

    def public_stream(self, category: str) -> str:
        return f"{self.public_ws_url}/{category}"
