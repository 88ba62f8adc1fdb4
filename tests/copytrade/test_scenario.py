"""Reading a scenario from decoded JSON: defaults, and errors that name the field at fault."""

from __future__ import annotations

import copy
import json
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.copytrade import (
    PRESETS,
    CopyMode,
    ScenarioError,
    replay,
    scenario_from_dict,
    scenario_to_dict,
)


def valid() -> dict[str, Any]:
    return {
        "symbol": "BTCUSDT", "side": "long", "mode": "advanced", "taker_fee": 0.0006,
        "qty_step": "0.0001", "min_qty": 0.001,
        "master": {"available_balance": 100000, "leverage": 10},
        "follower": {"available_balance": 1000, "leverage": 10, "fixed_margin": 100,
                     "slippage_tolerance": 0.001, "max_position_margin": 300000, "copyguard": False},
        "orders": [{"time": "A", "action": "open", "qty": 1, "price": 10000, "follower_price": 10000},
                   {"time": "B", "action": "open", "qty": 3, "price": 20000}],
    }


def test_defaults() -> None:
    data = valid()
    del data["taker_fee"]
    for key in ("slippage_tolerance", "max_position_margin", "copyguard"):
        del data["follower"][key]
    s = scenario_from_dict(data)
    assert s.taker_fee == D("0.00055")
    assert s.follower.slippage_tolerance == D("0.001")
    assert s.follower.max_position_margin_usdt == D(300000)
    assert s.follower.copyguard is False
    assert s.orders[1].follower_price == D(20000)  # follower_price defaults to price


def test_smart_mode_needs_no_follower_leverage_or_fixed_margin() -> None:
    data = valid()
    data["mode"] = "smart"
    del data["follower"]["leverage"], data["follower"]["fixed_margin"]
    s = scenario_from_dict(data)
    assert s.mode is CopyMode.SMART and s.follower.leverage == D(10)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("follower", "slippage_tolerance"), 0.0009, "follower.slippage_tolerance"),
        (("follower", "slippage_tolerance"), 0.051, "follower.slippage_tolerance"),
        (("follower", "fixed_margin"), None, "follower.fixed_margin"),
        (("follower", "copyguard"), "yes", "follower.copyguard"),
        (("follower", "leverage"), 0, "follower.leverage"),
        (("master", "available_balance"), "lots", "master.available_balance"),
        (("symbol",), "BTCUSD", "symbol"),
        (("mode",), "mirror", "mode"),
        (("side",), "up", "side"),
        (("qty_step",), 0, "qty_step"),
        (("min_qty",), "0.00015", "min_qty"),
        (("taker_fee",), 0.5, "taker_fee"),
        (("orders",), {}, "orders"),
    ],
)
def test_invalid_fields_are_named(path: tuple[str, ...], value: object, field: str) -> None:
    data = valid()
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data)
    assert err.value.field == field


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [("price", "abc", "orders[1].price"), ("qty", -1, "orders[1].qty"),
     ("action", "flip", "orders[1].action"), ("follower_price", 0, "orders[1].follower_price"),
     ("time", 1.5, "orders[1].time")],
)
def test_invalid_order_fields_are_named(key: str, value: object, field: str) -> None:
    data = valid()
    data["orders"][1][key] = value
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data)
    assert err.value.field == field


def test_integer_times_must_not_go_backwards() -> None:
    data = valid()
    data["orders"][0]["time"], data["orders"][1]["time"] = 20, 10
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data)
    assert err.value.field == "orders[1].time"


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_round_trip_through_json(name: str) -> None:
    data = scenario_to_dict(PRESETS[name])
    text = json.dumps(data, default=str)
    assert scenario_from_dict(json.loads(text, parse_float=D)) == PRESETS[name]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_corruption_raises_only_scenario_error(data: st.DataObject) -> None:
    scenario = copy.deepcopy(valid())
    containers: list[dict[str, Any]] = [
        scenario, scenario["master"], scenario["follower"], *scenario["orders"]
    ]
    target = data.draw(st.sampled_from(containers))
    key = data.draw(st.sampled_from(sorted(target)))
    target[key] = data.draw(_json)
    try:
        replay(scenario_from_dict(scenario))
    except ScenarioError as exc:
        assert exc.field
