"""Alert thresholds: defaults, the settings-file round trip, and validation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.alerts import AlertConfig, AlertConfigError, AlertRule, load_alert_config


def test_defaults_are_the_documented_ones() -> None:
    config = AlertConfig()
    assert (config.mm_rate.warning, config.mm_rate.critical, config.mm_rate.clear_margin) == (0.5, 0.8, 0.05)
    assert (config.liq_distance.warning, config.liq_distance.critical) == (0.10, 0.05)
    assert (config.first_liquidation.warning, config.first_liquidation.critical) == (0.15, 0.08)
    assert (config.drawdown.warning, config.drawdown.critical) == (0.05, 0.10)
    assert (config.concentration.warning, config.concentration.critical) == (0.60, None)
    assert config.stale.warning == 3.0 and config.api_key_expiry.warning == 7.0
    assert config.cooldown_s == 300.0


def test_round_trip_through_json() -> None:
    config = AlertConfig().with_rule("mm_rate", AlertRule(True, 0.4, 0.7, 0.03))
    config = config.with_rule("hedge", AlertRule(enabled=False))
    text = json.dumps(config.to_dict(), allow_nan=False)
    assert AlertConfig.from_dict(json.loads(text)) == config


@given(warning=st.floats(0.01, 0.9), gap=st.floats(0.01, 0.5), margin=st.floats(0, 0.2))
def test_any_ordered_above_rule_round_trips(warning: float, gap: float, margin: float) -> None:
    config = AlertConfig().with_rule("drawdown", AlertRule(True, warning, warning + gap, margin))
    assert AlertConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(("data", "field"), [
    ({"mm_rate": {"warning": 0.9, "critical": 0.8}}, "mm_rate.critical"),  # critical must be worse
    ({"liq_distance": {"warning": 0.05, "critical": 0.10}}, "liq_distance.critical"),  # lower is worse
    ({"drawdown": {"warning": "5%"}}, "drawdown.warning"),
    ({"stale": {"clear_margin": -1}}, "stale.clear_margin"),
    ({"hedge": {"enabled": "yes"}}, "hedge.enabled"),
    ({"concentration": [0.6]}, "concentration"),
    ({"cooldown_s": float("nan")}, "cooldown_s"),
    ({"cooldown_s": True}, "cooldown_s"),
])
def test_invalid_values_name_their_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(AlertConfigError) as info:
        AlertConfig.from_dict(data)
    assert info.value.field == field


def test_lenient_load_keeps_good_rules_and_reports_bad_ones() -> None:
    config, messages = load_alert_config({"mm_rate": {"warning": 0.6}, "drawdown": {"critical": -1},
                                          "future_rule": {"warning": 1}, "cooldown_s": 60})
    assert config.mm_rate == AlertRule(True, 0.6, 0.8, 0.05)  # missing keys keep their defaults
    assert config.drawdown == AlertConfig().drawdown
    assert config.cooldown_s == 60.0
    assert len(messages) == 1 and "drawdown.critical" in messages[0]
    assert load_alert_config(None) == (AlertConfig(), ())
    assert load_alert_config([1])[0] == AlertConfig()
