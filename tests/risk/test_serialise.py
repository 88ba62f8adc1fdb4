"""The JSON shape the CLI prints: every key it relies on, None for unknowns, no infinities."""

from __future__ import annotations

import json

from desktop_app.domain.account import MarginMode
from desktop_app.domain.market import Side
from desktop_app.risk import book_from_snapshot, build_report, report_to_dict, stress, stress_to_dict
from tests.risk.factories import account, missing, position, snapshot, wallet

ACCOUNT_KEYS = {
    "name",
    "ok",
    "error",
    "margin_mode",
    "equity_usd",
    "available_usd",
    "im_usd",
    "mm_usd",
    "im_rate",
    "mm_rate",
    "unrealised_pnl_usd",
}
POSITION_KEYS = {
    "account",
    "category",
    "symbol",
    "side",
    "size",
    "entry_price",
    "mark_price",
    "value_usd",
    "leverage",
    "liq_price",
    "liq_distance",
    "unrealised_pnl_usd",
    "im_usd",
    "mm_usd",
}


def _book():
    iso = account(
        "Iso", (position("BTCUSDT", Side.LONG, 1, liq=19_700, im=400, mm=100),), mode=MarginMode.ISOLATED
    )
    cross = account(
        "Cross", (position("BTCUSDT", Side.SHORT, 1, im=2_000, mm=100),), wallet_=wallet(2_000, mm=100)
    )
    return book_from_snapshot(snapshot(iso, cross, missing("Gone")))


def test_report_keys() -> None:
    out = json.loads(json.dumps(report_to_dict(build_report(_book()))))
    assert set(out["accounts"][0]) >= ACCOUNT_KEYS and set(out["positions"][0]) >= POSITION_KEYS
    assert {"coin", "long_usd", "short_usd", "net_usd", "gross_usd"} <= set(out["exposure"][0])
    assert {"coin", "long_accounts", "short_accounts", "hedged_usd"} <= set(out["hedges"][0])
    assert {"equity_usd", "unrealised_pnl_usd", "gross_exposure_usd", "net_exposure_usd"} <= set(
        out["totals"]
    )
    assert {"confidence", "horizon_days", "var_usd", "es_usd", "historical_var_usd"} <= set(out["var"][0])
    assert {"coin", "shock", "account"} <= set(out["first_liquidation"])
    assert out["accounts"][2]["equity_usd"] is None and out["accounts"][2]["ok"] is False
    assert out["positions"][0]["side"] == "long" and out["repriced"] is False


def test_stress_keys_and_infinite_mm_rate_becomes_null() -> None:
    # -15 % on a 1 BTC short: PnL -3,000 wipes out the cross account's 2,000 denominator -> rate inf -> null
    out = json.loads(json.dumps(stress_to_dict(stress(_book(), {"BTC": 0.15}, beta=False)), allow_nan=False))
    assert {"shocks", "accounts", "total_pnl_usd", "liquidated_accounts", "first_liquidation"} <= set(out)
    cross = out["accounts"][1]
    assert {
        "name",
        "equity_before_usd",
        "equity_after_usd",
        "pnl_usd",
        "mm_rate_after",
        "liquidated",
        "liquidated_positions",
    } <= set(cross)
    assert (cross["mm_rate_after"], cross["liquidated"]) == (None, True)
    assert out["liquidated_accounts"] == ["Cross"]
