"""RiskDesk's own error codes (the negative ones) each mean one thing: an account waiting for a late
answer must never read as a refused stream login, nor the reverse."""

from __future__ import annotations

from desktop_app.bybit import errors, messages, ws_common
from desktop_app.domain import snapshot
from desktop_app.live import refresher


def test_every_pseudo_code_is_distinct() -> None:
    codes = {name: value  # by name: a module that imports another's code lists it again
             for module in (errors, messages, ws_common, snapshot, refresher)
             for name, value in vars(module).items()
             if name.isupper() and isinstance(value, int) and not isinstance(value, bool) and value < 0}
    assert {"PENDING", "INTERNAL_ERROR", "WS_AUTH_FAILED", "TIMEOUT", "BAD_CREDENTIALS"} <= set(codes)
    by_value: dict[int, list[str]] = {}
    for name, value in codes.items():
        by_value.setdefault(value, []).append(name)
    assert {v: names for v, names in by_value.items() if len(names) > 1} == {}
