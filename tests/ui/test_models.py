"""The table models: qtmodeltester on empty, one-row and changed-key data; dataChanged vs reset;
numeric sorting and filtering through the proxy; stale rows greyed."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.ui.format import stale_colour
from desktop_app.ui.tables.accounts_model import AccountsModel
from desktop_app.ui.tables.exposure_model import ExposureModel
from desktop_app.ui.tables.positions_model import PositionsModel
from desktop_app.ui.tables.rows import ExposureRow, PositionRow, account_rows, exposure_rows, position_rows
from desktop_app.ui.tables.table_model import SORT_ROLE, TableFilterProxy
from tests.ui.factories import NOW, failed, hedge_state, main_state, make_update


def _row(symbol: str, value: float) -> PositionRow:
    return PositionRow("Main", "linear", symbol, "long", 1.0, "BTC", value, 1.0, 1.0, None, None, 10.0, 0.0,
                       1.0, False)


def test_models_pass_modeltester_empty_one_row_and_changed_keys(qtbot, qtmodeltester) -> None:
    update = make_update()
    one = make_update((main_state(),))
    for model, rows in ((AccountsModel(), lambda u: account_rows(u, NOW)),
                        (PositionsModel(), position_rows), (ExposureModel(), exposure_rows)):
        qtmodeltester.check(model)  # empty
        model.set_rows(rows(one)[:1])
        qtmodeltester.check(model)  # one row
        model.set_rows(rows(update))
        qtmodeltester.check(model)  # keys changed: reset
        model.set_rows(())
        qtmodeltester.check(model)


def test_same_keys_emit_data_changed_not_reset(qtbot) -> None:
    model = PositionsModel()
    model.set_rows([(("a",), _row("BTCUSDT", 100.0)), (("b",), _row("ETHUSDT", 50.0))])
    resets: list[bool] = []
    changes: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.dataChanged.connect(lambda tl, br, roles=(): changes.append((tl.row(), br.row())))
    model.set_rows([(("a",), _row("BTCUSDT", 100.0)), (("b",), _row("ETHUSDT", 60.0))])
    assert resets == []
    assert changes == [(1, 1)]  # only the row whose value changed
    model.set_rows([(("b",), _row("ETHUSDT", 60.0)), (("a",), _row("BTCUSDT", 100.0))])
    assert resets == [True]  # same keys, different order: a reset


def test_proxy_sorts_numerically_and_filters(qtbot) -> None:
    model = PositionsModel()
    # Text order would put "$1,200.00" before "$900.00"; the sort role must not.
    model.set_rows([(("a",), _row("AAAUSDT", 1200.0)), (("b",), _row("BBBUSDT", 900.0)),
                    (("c",), _row("CCCUSDT", 15000.0))])
    proxy = TableFilterProxy()
    proxy.setSourceModel(model)
    value_column = 8
    assert model.headerData(value_column, Qt.Orientation.Horizontal) == "Value"
    proxy.sort(value_column, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 1).data() for r in range(3)] == ["BBBUSDT", "AAAUSDT", "CCCUSDT"]
    assert proxy.index(0, value_column).data(SORT_ROLE) == 900.0
    proxy.setFilterFixedString("ccc")
    assert proxy.rowCount() == 1
    assert proxy.index(0, 1).data() == "CCCUSDT"


def test_accounts_model_shows_stale_account_greyed_with_error(qtbot) -> None:
    update = make_update((main_state(), failed(hedge_state(fetched_at=NOW - 125))))
    model = AccountsModel()
    model.set_rows(account_rows(update, NOW))
    hedge = model.index(1, 0)
    assert hedge.data() == "Hedge"
    # Last good figures are kept, not zeros: equity 5,000 from the hand-built wallet.
    assert model.index(1, 2).data() == "$5,000"
    # 125 s old, and why, in the row itself
    assert model.index(1, 1).data() == "Stale · 2 min: [10003] API key is invalid."
    assert "API key is invalid" in model.index(1, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, 2).data(Qt.ItemDataRole.ForegroundRole) == stale_colour()
    assert model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole) != stale_colour()


def test_exposure_marks_cross_account_hedge(qtbot) -> None:
    model = ExposureModel()
    model.set_rows(exposure_rows(make_update()))
    # BTC: Main long 1 x 62,000 = 62,000; Hedge short 0.5 x 62,000 = 31,000; hedged = min = 31,000.
    assert model.index(0, 0).data() == "BTC"
    assert model.index(0, 3).data() == "+$31,000"  # net 62,000 - 31,000
    assert model.index(0, 5).data() == ""  # no BTC held in a wallet: no collateral shown (not "$0")
    assert (model.index(0, 6).data(), model.index(0, 7).data()) == ("$31,000", "Main \u2194 Hedge")
    assert "Hedged $31,000 between Main \u2194 Hedge" in model.index(0, 7).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, 6).data() == ""  # ETH is only long


def test_position_row_equality_drives_updates(qtbot) -> None:
    base = _row("BTCUSDT", 1.0)
    assert base == replace(base)
    assert base != replace(base, mark_price=2.0)
    QApplication.processEvents()


def test_exposure_shows_coin_collateral_with_its_meaning(qtbot) -> None:
    model = ExposureModel()
    row = ExposureRow("BTC", long_usd=0.0, short_usd=10_000.0, net_usd=-10_000.0, gross_usd=10_000.0,
                      hedged_usd=0.0, hedge_text="", collateral_usd=20_000.0)
    model.set_rows((("BTC", row),))
    assert model.headerData(5, Qt.Orientation.Horizontal) == "Collateral"
    assert model.index(0, 5).data() == "$20,000"
    assert model.index(0, 3).data() == "\u2212$10,000"  # net stays the positions' net
    tooltip = model.index(0, 5).data(Qt.ItemDataRole.ToolTipRole)
    assert "not a position" in tooltip and "stress test and VaR include it" in tooltip


def test_accounts_rank_by_the_move_that_liquidates_each(qtbot) -> None:
    model = AccountsModel()
    model.set_rows(account_rows(make_update(), NOW))
    column = next(c for c in range(model.columnCount())
                  if model.headerData(c, Qt.Orientation.Horizontal) == "Liq. move")
    # Hedge (UTA cross) is liquidated when its MM rate reaches 100 %: BTC up r costs its short 0.5 BTC
    # 31,000 r and grows that position's MM (0.5 x 61,000 / 200 = 152.5) with it, so
    # 300 + 152.5 r = 5,000 - 31,000 r -> r = 4,700 / 31,152.5 = +15.1 %.
    assert model.index(1, column).data() == "BTC +15.1%"
    assert "BTC moves +15.1%" in model.index(1, column).data(Qt.ItemDataRole.ToolTipRole)
    main = model.index(0, column).data()
    assert main.startswith("BTC \u2212") and float(main[5:-1]) > 30  # Main is far: liq 42,000 and more
    proxy = TableFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(column, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 0).data() for r in range(2)] == ["Hedge", "Main"]


def test_position_size_says_its_unit(qtbot) -> None:
    model = PositionsModel()
    model.set_rows(position_rows(make_update()))
    sizes = {model.index(r, 1).data(): model.index(r, 3).data() for r in range(model.rowCount())}
    assert sizes["BTCUSDT"] in ("1 BTC", "0.5 BTC") and sizes["ETHUSDT"] == "10 ETH"
    inverse = replace(_row("BTCUSD", 30_000.0), category="inverse", size=30_000.0, size_unit="USD")
    model.set_rows(((("k",), inverse),))
    assert model.index(0, 3).data() == "30,000 USD"
    assert "USD" in model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)


def test_columns_widen_for_a_grown_figure_but_never_past_the_cap(qtbot) -> None:
    from desktop_app.ui.tables.table_view import MAX_FITTED_COLUMN_PX, FilterableTable

    model = PositionsModel()
    table = FilterableTable(model, placeholder="")
    qtbot.addWidget(table)
    table.resize(1200, 300)
    table.show()
    model.set_rows(((("a",), _row("AAAUSDT", 306.0)),))
    table.fit_columns()
    value = 8
    narrow = table.view.columnWidth(value)
    # A crash: the value becomes a long negative figure, which must not be cut ("−$29,8…").
    model.set_rows(((("a",), replace(_row("AAAUSDT", -29_871_000.0))),))
    table.fit_columns()
    wide = table.view.columnWidth(value)
    assert wide > narrow and wide >= table.view.sizeHintForColumn(value)
    # A column the user sized keeps the user's width.
    table.view.setColumnWidth(value, 50)
    model.set_rows(((("a",), replace(_row("AAAUSDT", -129_871_000.0))),))
    table.fit_columns()
    assert table.view.columnWidth(value) == 50
    # The symbol column grows for a long text only up to the cap.
    model.set_rows(((("a",), _row("X" * 200, 1.0)),))
    table.fit_columns()
    assert table.view.columnWidth(1) == MAX_FITTED_COLUMN_PX


def test_a_refit_asks_qt_only_for_columns_whose_longest_text_changed(qtbot, monkeypatch) -> None:
    from desktop_app.ui.tables.table_view import FilterableTable

    model = PositionsModel()
    table = FilterableTable(model, placeholder="")
    qtbot.addWidget(table)
    table.resize(1200, 300)
    table.show()
    value, symbol = 8, 1
    assert model.headerData(value, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "Value"
    model.set_rows(((("a",), _row("AAAUSDT", 306.0)),))
    table.fit_columns()
    narrow = table.view.columnWidth(value)
    asked: list[int] = []
    real = table.view.sizeHintForColumn
    monkeypatch.setattr(table.view, "sizeHintForColumn", lambda c: asked.append(c) or real(c))
    model.set_rows(((("a",), _row("AAAUSDT", 307.0)),))  # every text as long as before
    table.fit_columns()
    assert asked == []
    model.set_rows(((("a",), _row("AAAUSDT", -29_871_000.0)),))  # a crash: the value grows
    table.fit_columns()
    assert value in asked and symbol not in asked
    assert table.view.columnWidth(value) > narrow
    asked.clear()
    model.set_rows(((("a",), _row("AAAUSDT", 306.0)),))  # the crash is over: measured again, narrower
    table.fit_columns()
    assert asked == [value] and table.view.columnWidth(value) < narrow * 1.25
