"""Fixtures for the CLI tests: a simulator on a free port and an accounts file for its demo accounts.

Each test gets its own client-side IP limiter (the process-wide one would carry requests over from
earlier tests) and short retry delays, so a failing account costs milliseconds, not seconds.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.bybit import http
from desktop_app.bybit.ratelimit import SlidingWindowLimiter
from desktop_app.exchange_sim import Simulator
from tests.sim_fixtures import SIM_SEED, SIM_START_MS


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS) as simulator:
        yield simulator


@pytest.fixture(autouse=True)
def _isolated_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = SlidingWindowLimiter(600, 5.25)
    monkeypatch.setattr(http, "process_ip_limiter", lambda: limiter)
    monkeypatch.setattr(http, "RetryPolicy", functools.partial(
        http.RetryPolicy, base_delay_s=0.01, max_delay_s=0.02, max_reset_wait_s=0.05))


def accounts_document(sim: Simulator) -> dict[str, object]:
    return {"accounts": [{"name": a.name, "base_url": sim.base_url, "api_key": a.api_key,
                          "api_secret": a.api_secret, "key_type": a.key_type} for a in sim.accounts]}


@pytest.fixture
def accounts_file(sim: Simulator, tmp_path: Path) -> Path:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(accounts_document(sim)), encoding="utf-8")
    return path
