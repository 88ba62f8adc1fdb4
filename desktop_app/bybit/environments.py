"""Where an account lives: Bybit's hosts for REST and WebSocket.

Keys are environment-specific: a mainnet key used on testnet answers 10003. Demo trading has its
own REST host and private stream but reads public data from the mainnet streams. Labels are English
(the CLI prints them); the window shows them through translate("environments", label).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from desktop_app.domain.environment import Environment, EnvKind
from desktop_app.i18n import QT_TRANSLATE_NOOP

MAINNET = Environment(
    EnvKind.MAINNET, QT_TRANSLATE_NOOP("environments", "Mainnet"), "https://api.bybit.com",
    "wss://stream.bybit.com/v5/public", "wss://stream.bybit.com/v5/private",
)
TESTNET = Environment(
    EnvKind.TESTNET, QT_TRANSLATE_NOOP("environments", "Testnet"), "https://api-testnet.bybit.com",
    "wss://stream-testnet.bybit.com/v5/public", "wss://stream-testnet.bybit.com/v5/private",
)
# Demo trading: public data comes from the mainnet streams; only the private stream is separate.
DEMO = Environment(
    EnvKind.DEMO, QT_TRANSLATE_NOOP("environments", "Demo trading"), "https://api-demo.bybit.com",
    "wss://stream.bybit.com/v5/public", "wss://stream-demo.bybit.com/v5/private",
)


def _regional(label: str, rest_host: str, stream_host: str) -> Environment:
    return Environment(
        EnvKind.REGIONAL, label, f"https://{rest_host}",
        f"wss://{stream_host}/v5/public", f"wss://{stream_host}/v5/private",
    )


# Regional mainnet hosts as Bybit's API guide lists them (REFERENCE.md §2).
REGIONAL: tuple[Environment, ...] = (
    _regional(QT_TRANSLATE_NOOP("environments", "Netherlands (bybit.nl)"), "api.bybit.nl", "stream.bybit.nl"),
    _regional(QT_TRANSLATE_NOOP("environments", "Turkey (bybit.tr)"), "api.bybit.tr", "stream.bybit.tr"),
    _regional(QT_TRANSLATE_NOOP("environments", "Kazakhstan (bybit.kz)"), "api.bybit.kz", "stream.bybit.kz"),
    _regional(QT_TRANSLATE_NOOP("environments", "Georgia (bybitgeorgia.ge)"), "api.bybitgeorgia.ge",
              "stream.bybitgeorgia.ge"),
    _regional(QT_TRANSLATE_NOOP("environments", "UAE (bybit.ae)"), "api.bybit.ae", "stream.bybit.ae"),
    _regional(QT_TRANSLATE_NOOP("environments", "EEA (bybit.eu)"), "api.bybit.eu", "stream.bybit.eu"),
    _regional(QT_TRANSLATE_NOOP("environments", "Indonesia (bybit.id)"), "api.bybit.id", "stream.bybit.id"),
    _regional(QT_TRANSLATE_NOOP("environments", "Japan (manepa.jp)"), "api.manepa.jp", "stream.manepa.jp"),
)

STANDARD: tuple[Environment, ...] = (MAINNET, TESTNET, DEMO, *REGIONAL)


def custom(rest_url: str) -> Environment:
    """Any other base URL (a proxy, the local simulator). Streams are derived from the same host.

    May raise: ValueError when the URL is not http(s)://host[:port].
    """
    parts = urlsplit(rest_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) base URL: {rest_url!r}")
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    ws_base = f"{ws_scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return Environment(EnvKind.CUSTOM, "Custom", base, f"{ws_base}/v5/public", f"{ws_base}/v5/private")


def from_rest_url(rest_url: str) -> Environment:
    """The known environment whose REST host is `rest_url`, or a custom one."""
    normalised = rest_url.strip().rstrip("/")
    for env in STANDARD:
        if env.rest_url == normalised:
            return env
    if normalised == "https://api.bytick.com":  # Bybit's documented mainnet alias
        return Environment(EnvKind.MAINNET, "Mainnet (bytick)", normalised,
                           MAINNET.public_ws_url, MAINNET.private_ws_url)
    return custom(normalised)
