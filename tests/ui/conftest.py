"""Fixtures for the GUI tests (pytest-qt, offscreen): the in-memory keyring and the simulator."""

from __future__ import annotations

from tests.keyring_memory import memory_keyring
from tests.sim_fixtures import sim, sim_realtime

__all__ = ["memory_keyring", "sim", "sim_realtime"]
