"""Reusable simulator fixtures. Import them into a conftest.py:

    from tests.sim_fixtures import sim, sim_realtime  # noqa: F401

`sim` runs with a frozen price clock at a fixed start time (advance it with `sim.step(seconds)`), so
prices and positions are identical on every run; `sim_realtime` lets prices move with the wall clock;
`crash_sim` is the crash scenario (Main and Hedge) on a frozen clock. All serve on a free loopback
port and stop after the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from desktop_app.bybit.environments import custom
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.exchange_sim import SimAccount, Simulator
from desktop_app.exchange_sim.accounts import make_demo_accounts

# 2026-01-01T00:00:00Z: a fixed origin for the price clock so paths are reproducible.
SIM_START_MS = 1_767_225_600_000
SIM_SEED = 7


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS) as simulator:
        yield simulator


@pytest.fixture
def crash_sim() -> Iterator[Simulator]:
    """The demo's Main and Hedge; BTC falls 15% over 600 s of price time from the start, every other
    coin by its beta (the clock is frozen: tests step it)."""
    accounts = tuple(a for a in make_demo_accounts(seed=SIM_SEED) if a.name in ("Main", "Hedge"))
    with Simulator(seed=SIM_SEED, scenario="crash", realtime=False, start_ms=SIM_START_MS, accounts=accounts,
                   crash_delay_s=0.0, crash_duration_s=600.0, crash_drop=0.15) as simulator:
        yield simulator


@pytest.fixture
def sim_realtime() -> Iterator[Simulator]:
    with Simulator(seed=SIM_SEED, realtime=True) as simulator:
        yield simulator


def spec_of(sim: Simulator, account: SimAccount, **changes: Any) -> AccountSpec:
    """The monitor's view of a simulator account (credentials held in memory only)."""
    credentials = Credentials(account.api_key, Secret(account.api_secret), KeyType(account.key_type))
    spec = AccountSpec(f"id-{account.uid}", account.name, custom(sim.base_url), credentials)
    return replace(spec, **changes)
