"""Fixtures for the GUI tests (pytest-qt, offscreen)."""

from __future__ import annotations

from tests.keyring_memory import memory_keyring

__all__ = ["memory_keyring"]
