"""CSV export: parseable by the csv module, numbers exact and unformatted, unknowns empty."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.export_csv import REPORT_COLUMNS, cell, positions_csv, report_csv
from desktop_app.risk.results import (
    AccountRisk,
    CoinExposure,
    FirstLiquidation,
    Hedge,
    PositionRisk,
    RiskReport,
    Totals,
    VarResult,
)


def account(name: str, mm_rate: float | None, equity_usd: float | None) -> AccountRisk:
    known = equity_usd is not None
    return AccountRisk(account_id=f"id-{name}", name=name, ok=known, stale=not known,
                       error=None if known else "timeout", age_s=1.5, margin_mode="REGULAR_MARGIN",
                       classic=False, equity_usd=equity_usd, available_usd=None, im_usd=None, mm_usd=None,
                       im_rate=None, mm_rate=mm_rate, unrealised_pnl_usd=None, nearest_liq_distance=None,
                       risk_score=mm_rate)


def position(account_name: str, symbol: str, side: str, size: float, liq: float | None) -> PositionRisk:
    return PositionRisk(account=account_name, account_id=f"id-{account_name}", category="linear",
                        symbol=symbol, position_idx=0, coin=symbol.removesuffix("USDT"), side=side, size=size,
                        entry_price=60000.0, mark_price=62000.0, value_usd=size * 62000.0, leverage=10.0,
                        liq_price=liq, liq_distance=None if liq is None else abs(liq - 62000.0) / 62000.0,
                        unrealised_pnl_usd=size * 2000.0 * (1 if side == "long" else -1), im_usd=None,
                        mm_usd=None, exposure_usd=size * 62000.0 * (1 if side == "long" else -1), stale=False)


HEDGE = 'Hedge, "the" short'  # a comma and quotes, which the csv module must quote


def report() -> RiskReport:
    return RiskReport(
        taken_at=1_790_000_000.25, source="snapshot", repriced=False,
        accounts=(account("Main", 0.125, 20000.0), account("Hedge, \"the\" short", None, None)),
        positions=(position("Main", "BTCUSDT", "long", 0.5, 55000.0),
                   position("Hedge, \"the\" short", "BTCUSDT", "short", 0.25, None)),
        exposure=(CoinExposure("BTC", 31000.0, 15500.0, 15500.0, 46500.0, ("Main",), (HEDGE,)),),
        hedges=(Hedge("BTC", ("Main",), (HEDGE,), 15500.0),),
        totals=Totals(equity_usd=20000.0, unrealised_pnl_usd=500.0, gross_exposure_usd=46500.0,
                      net_exposure_usd=15500.0, accounts_ok=1, accounts_stale=1, accounts_missing=0),
        var=(VarResult(0.95, 1, 1234.5678, 1500.0, None, None, 250, ("XRP",)),),
        first_liquidation=FirstLiquidation("BTC", -0.084, "Main", "id-Main", "BTCUSDT", "long"),
        worst_account="Main",
    )


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_positions_csv_has_a_header_and_one_row_per_position() -> None:
    rows = parse(positions_csv(report()))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["account", "account_id", "category", "symbol"]
    assert len(body) == 2
    main = dict(zip(header, body[0], strict=True))
    assert main["size"] == "0.5"
    assert main["liq_price"] == "55000.0"
    # value 0.5 × 62,000 = 31,000; distance |55,000 − 62,000| / 62,000 = 7,000 / 62,000.
    assert main["value_usd"] == "31000.0"
    assert float(main["liq_distance"]) == 7000 / 62000
    assert main["stale"] == "false"
    hedge = dict(zip(header, body[1], strict=True))
    assert hedge["account"] == 'Hedge, "the" short'  # comma and quotes survive the round trip
    assert hedge["liq_price"] == ""  # unknown, not zero
    assert hedge["exposure_usd"] == "-15500.0"  # signed: 0.25 × 62,000 short


def test_report_csv_lists_every_figure_in_long_form() -> None:
    rows = parse(report_csv(report()))
    assert tuple(rows[0]) == REPORT_COLUMNS
    figures = {(r[0], r[1], r[2]): r[3] for r in rows[1:]}
    assert figures[("report", "", "taken_at")] == "1790000000.25"
    assert figures[("report", "", "repriced")] == "false"
    assert figures[("totals", "portfolio", "equity_usd")] == "20000.0"
    assert figures[("totals", "portfolio", "accounts_stale")] == "1"
    assert figures[("account", "Main", "mm_rate")] == "0.125"  # a fraction, not "12.5%"
    assert figures[("account", 'Hedge, "the" short', "equity_usd")] == ""
    assert figures[("account", 'Hedge, "the" short', "error")] == "timeout"
    assert figures[("exposure", "BTC", "short_accounts")] == 'Hedge, "the" short'
    assert figures[("hedge", "BTC", "hedged_usd")] == "15500.0"
    assert figures[("var", "0.95/1d", "var_usd")] == "1234.5678"
    assert figures[("var", "0.95/1d", "historical_var_usd")] == ""
    assert figures[("var", "0.95/1d", "coins_missing")] == "XRP"
    assert figures[("first_liquidation", "BTC", "shock")] == "-0.084"
    assert ("account", "Main", "name") not in figures  # the subject already says it
    assert all(len(r) == 4 for r in rows)


def test_report_without_first_liquidation_or_positions() -> None:
    empty = RiskReport(0.0, "snapshot", False, (), (), (), (),
                       Totals(None, None, 0.0, 0.0, 0, 0, 0), (), None, None)
    assert parse(positions_csv(empty)) == [parse(positions_csv(report()))[0]]
    sections = {r[0] for r in parse(report_csv(empty))[1:]}
    assert sections == {"report", "totals"}


def test_cell_texts() -> None:
    assert cell(None) == ""
    assert cell(True) == "true"
    assert cell(float("inf")) == "inf"
    assert cell(float("-inf")) == "-inf"
    assert cell(("a", "b")) == "a;b"
    assert cell(3) == "3"
    assert cell(1e-07) == "1e-07"


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_finite_floats_round_trip_exactly(value: float) -> None:
    assert float(cell(value)) == value


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00")))
def test_any_account_name_round_trips(name: str) -> None:
    one = report()
    renamed = RiskReport(one.taken_at, one.source, one.repriced, one.accounts,
                         (position(name, "ETHUSDT", "long", 1.0, None),), one.exposure, one.hedges,
                         one.totals, one.var, one.first_liquidation, one.worst_account)
    rows = parse(positions_csv(renamed))
    assert rows[1][0] == name
