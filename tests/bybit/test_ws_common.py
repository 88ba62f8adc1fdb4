"""Heartbeat recognition, op answers, backoff and settings of the streams."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from desktop_app.bybit.ws_common import Backoff, StreamConfig, command_ack, is_pong, ping_message
from tests.bybit.parse_fixtures import EXAMPLES_DIR


def example(name: str) -> dict[str, Any]:
    return json.loads(Path(EXAMPLES_DIR, name).read_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", ["ws_pong_private.json", "ws_pong_public_linear.json",
                                  "ws_pong_public_option.json", "ws_pong_public_spot.json"])
def test_every_recorded_pong_shape_is_a_pong(name: str) -> None:
    assert is_pong(example(name))


@pytest.mark.parametrize("name", ["ws_auth_response.json", "ws_auth_failed.json",
                                  "ws_subscribe_response_linear.json", "ws_subscribe_response_private.json",
                                  "ws_tickers_snapshot.json", "ws_position.json"])
def test_other_messages_are_not_pongs(name: str) -> None:
    assert not is_pong(example(name))


def test_ping_message_is_bybits_text_ping() -> None:
    assert json.loads(ping_message("rd3")) == {"req_id": "rd3", "op": "ping"}


def test_command_answers() -> None:
    assert command_ack(example("ws_auth_failed.json")) == (None, False, "Params Error")
    assert command_ack(example("ws_auth_response.json")) == (None, True, "")
    assert command_ack({**example("ws_subscribe_response_linear.json"), "req_id": "rd7"}) == ("rd7", True, "")
    option_ok = {"success": True, "conn_id": "c", "data": {"failTopics": [], "successTopics": ["tickers.X"]},
                 "type": "COMMAND_RESP"}
    assert command_ack(option_ok) == (None, True, "")
    option_bad = {**option_ok, "data": {"failTopics": ["tickers.Y"], "successTopics": []}}
    assert command_ack(option_bad) is not None and command_ack(option_bad)[1] is False  # type: ignore[index]
    assert command_ack(example("ws_pong_public_linear.json")) is None
    assert command_ack(example("ws_tickers_delta.json")) is None


def test_backoff_doubles_to_the_cap_with_seeded_equal_jitter() -> None:
    backoff = Backoff(0.5, 3.0, random.Random(11))
    draws = random.Random(11)
    # Ceilings: 0.5, 1, 2, 3 (capped from 4), 3; each delay = ceiling/2 + u × ceiling/2, u in [0, 1).
    for ceiling in (0.5, 1.0, 2.0, 3.0, 3.0):
        u = draws.random()
        assert backoff.next_delay_s() == pytest.approx(ceiling / 2 + u * ceiling / 2)
    backoff.reset()
    assert 0.25 <= backoff.next_delay_s() <= 0.5


def test_config_refuses_unsafe_settings() -> None:
    with pytest.raises(ValueError):
        StreamConfig(ping_interval_s=20, dead_after_s=10)  # would declare every quiet stream dead
    with pytest.raises(ValueError):
        StreamConfig(auth_expires_ahead_ms=1000)  # pybit's 1 s: "Params Error" on skewed clocks
    assert StreamConfig().ping_interval_s == 20.0
