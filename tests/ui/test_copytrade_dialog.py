"""The copy-trading dialog driven with pytest-qt: presets, edits, errors, chart, models, translation."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import QApplication

from desktop_app.copytrade import PRESETS, replay
from desktop_app.ui.copytrade.dialog import CopyTradeDialog, open_copytrade_dialog
from desktop_app.ui.copytrade.models import OrdersModel
from desktop_app.ui.copytrade.results import ResultsModel

FOLLOWER_QTY, REASON, STATUS, FOLLOWER_AVG = 4, 3, 2, 6


@pytest.fixture
def dialog(qtbot) -> CopyTradeDialog:  # type: ignore[no-untyped-def]
    d = CopyTradeDialog()
    qtbot.addWidget(d)
    d.show()
    return d


def column(d: CopyTradeDialog, col: int) -> list[str]:
    m = d.results_model
    return [m.data(m.index(row, col)) for row in range(m.rowCount())]


def test_opens_with_the_article_advanced_table(dialog: CopyTradeDialog) -> None:
    # 100 × 10 / (10,000 × 1.0114) → 0.0988; at 20,000 → 0.0494
    assert column(dialog, FOLLOWER_QTY) == ["0.0988", "0.0494", "0.0988"]
    # (988 + 988) / 0.1482 = 13,333.33; 2,964 / 0.247 = 12,000
    assert column(dialog, FOLLOWER_AVG) == ["10,000", "13,333.33", "12,000"]
    assert dialog.error.isHidden()


def test_missed_preset_shows_reasons_and_the_chart(dialog: CopyTradeDialog) -> None:
    curve = dialog.chart.master_curve
    dialog.load_preset("article-missed")
    assert column(dialog, REASON) == ["", "Slippage", "Copyguard", ""]
    assert column(dialog, STATUS) == ["copied", "skipped", "skipped", "copied"]
    # the curves are the ones created with the chart, updated in place
    assert dialog.chart.master_curve is curve
    assert len(dialog.chart.getPlotItem().listDataItems()) == 3  # two lines + the missed-order markers
    x, master = dialog.chart.master_curve.getData()
    _, follower = dialog.chart.follower_curve.getData()
    assert list(x) == [1, 2, 3, 4]
    # 30,000; 90,000 / 4; 150,000 / 6; 160,000 / 7
    np.testing.assert_allclose(master, [30000, 22500, 25000, 160000 / 7], rtol=1e-9)
    # 30,000 until D, then 25,000 / 1.5
    np.testing.assert_allclose(follower, [30000, 30000, 30000, 25000 / 1.5], rtol=1e-9)
    sx, sy = dialog.chart.skipped.getData()
    assert list(sx) == [2, 3] and list(sy) == [22500, 25000]
    text = dialog.explanation.toPlainText()
    # (25,000 / 1.5 − 160,000 / 7) / (160,000 / 7) = −27.08%: a move, written as the window writes moves.
    assert "Entry gap: \u221227.1%" in text and "Slippage:" in text
    # The price axis groups thousands as the tables do ("30,000", not "30000").
    axis = dialog.chart.getPlotItem().getAxis("left")
    assert axis.tickStrings([20_000.0, 30_000.0], 1.0, 10_000.0) == ["20,000", "30,000"]


def test_editing_an_order_replays(dialog: CopyTradeDialog, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog.load_preset("article-missed")
    model = dialog.orders_model
    # B's follower price 20,100 → 20,000: within the slippage band, so B is now copied
    assert model.setData(model.index(1, 4), "20000")
    qtbot.waitUntil(lambda: column(dialog, STATUS)[1] == "copied")
    assert not model.setData(model.index(1, 3), "-5")  # prices must be positive
    assert not model.setData(model.index(1, 1), "flip")


def test_invalid_input_names_the_field(dialog: CopyTradeDialog, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog.settings.min_qty.setText("0.00015")  # not a multiple of the 0.0001 step
    dialog.settings.min_qty.editingFinished.emit()
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    # The form's name for the field, never the internal one.
    assert dialog.error.text() == (
        "Invalid input: Minimum quantity: must be a positive multiple of the quantity step")
    assert dialog.results_model.rowCount() == 0
    dialog.settings.min_qty.setText("0.001")
    dialog.settings.min_qty.editingFinished.emit()
    qtbot.waitUntil(lambda: dialog.error.isHidden())
    assert dialog.results_model.rowCount() == 3


def test_add_and_remove_orders(dialog: CopyTradeDialog, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog.add_order()
    assert dialog.orders_model.data(dialog.orders_model.index(3, 0)) == "D"
    qtbot.waitUntil(lambda: dialog.results_model.rowCount() == 4)
    dialog.remove_order()
    qtbot.waitUntil(lambda: dialog.results_model.rowCount() == 3)


def test_mode_switch_enables_the_fixed_margin(dialog: CopyTradeDialog) -> None:
    assert dialog.settings.fixed_margin.isEnabled()  # advanced preset
    dialog.settings.mode.setCurrentIndex(dialog.settings.mode.findData("smart"))
    assert not dialog.settings.fixed_margin.isEnabled()
    assert not dialog.settings.follower_leverage.isEnabled()


def test_selected_row_is_bold_in_the_explanation(dialog: CopyTradeDialog) -> None:
    dialog.load_preset("article-missed")
    dialog.select_result(2)
    html = dialog.explanation.toHtml()
    assert "font-weight" in html.split("C: Not copied")[0].rsplit("<li", 1)[-1]


def test_models_pass_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    orders = OrdersModel()
    orders.set_orders(PRESETS["article-missed"].orders)
    qtmodeltester.check(orders)
    orders.insertRows(1, 2)
    orders.removeRows(0, 1)
    qtmodeltester.check(orders)
    results = ResultsModel()
    results.set_results(replay(PRESETS["article-missed"]).results)
    qtmodeltester.check(results)
    results.set_results(replay(PRESETS["article-advanced"]).results)
    qtmodeltester.check(results)


class _Shouting(QTranslator):
    """Upper-cases copytrade sentences outside their {fields}; `broken` also upper-cases the fields."""

    def __init__(self, *, broken: bool = False) -> None:
        super().__init__()
        self.broken = broken

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        if context != "copytrade":
            return ""
        if self.broken:
            return source.upper()
        return re.sub(r"[^{}]+(?=\{|$)", lambda m: m.group(0).upper(), source)


@pytest.mark.parametrize("broken", [False, True])
def test_explanations_are_translated(dialog: CopyTradeDialog, broken: bool) -> None:
    translator = _Shouting(broken=broken)
    QCoreApplication.installTranslator(translator)
    try:
        tip = dialog.results_model.data(dialog.results_model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    finally:
        QCoreApplication.removeTranslator(translator)
    if broken:  # a translation that renamed a field falls back to English rather than crash
        assert tip.startswith("Copied: your fixed order margin of 100 USDT")
    else:
        assert tip.startswith("COPIED: YOUR FIXED ORDER MARGIN OF 100 USDT AT 10X")


def test_open_copytrade_dialog_shows_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    d = open_copytrade_dialog(None)
    qtbot.addWidget(d)
    assert d.isVisible() and d.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    assert QApplication.instance() is not None


def test_a_negative_master_quantity_is_refused_with_a_message(dialog: CopyTradeDialog) -> None:
    model = dialog.orders_model
    before = model.data(model.index(0, 2))
    assert not model.setData(model.index(0, 2), "-3")
    assert model.data(model.index(0, 2)) == before  # refused, and said so:
    assert dialog.error.isVisible()
    assert dialog.error.text() == "Master qty in row 1: must be positive, not -3; the previous value is kept."
    assert not model.setData(model.index(0, 3), "1e999999")
    assert dialog.error.text().startswith("Master price in row 1: is out of range")
    assert not model.setData(model.index(0, 2), "0." + "1" * 5000)
    assert "has more than 12 decimal places" in dialog.error.text()
    assert not model.setData(model.index(0, 2), "three")
    assert "three is not a number" in dialog.error.text()


@pytest.mark.parametrize(("box", "field"), [("master_balance", "Master's balance"),
                                             ("follower_balance", "Follower's balance")])
def test_a_negative_balance_is_refused_with_a_message_not_turned_into_zero(
    dialog: CopyTradeDialog, qtbot, box: str, field: str  # type: ignore[no-untyped-def]
) -> None:
    spin = getattr(dialog.settings, box)
    spin.setValue(-500)
    assert spin.value() == -500  # what was typed stays visible
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert dialog.error.text() == f"Invalid input: {field}: must not be negative"
    assert dialog.results_model.rowCount() == 0  # no replay of a scenario that cannot be


@pytest.mark.timeout(5)
def test_an_absurd_quantity_step_is_refused_at_once(dialog: CopyTradeDialog, qtbot) -> None:  # type: ignore[no-untyped-def]
    for text, problem in (("1e-1000000", "Quantity step: has more than 12 decimal places"),
                          ("1e999999", "Quantity step: is out of range"),
                          ("NaN", "Quantity step: must be a finite number")):
        dialog.settings.qty_step.setText(text)
        dialog.settings.qty_step.editingFinished.emit()
        qtbot.waitUntil(lambda problem=problem: problem in dialog.error.text())
        assert dialog.results_model.rowCount() == 0


@pytest.fixture(params=["en", "th", "uk"])
def lang(request):  # type: ignore[no-untyped-def]
    from desktop_app.ui.language import install_language

    install_language(request.param)  # for the whole test: headers are translated when painted
    yield request.param
    install_language("en")


def test_the_calculator_fits_a_1280_by_720_laptop(qtbot, lang: str) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QDialogButtonBox

    from desktop_app.ui.copytrade.dialog import PREFERRED_SIZE, dialog_size
    from desktop_app.ui.copytrade.results import FOLLOWER_COLUMNS, MASTER_AVG_COLUMN, REASON_COLUMN

    size = dialog_size(QSize(1280, 720))
    assert size.width() <= 1280 and size.height() <= 720 - 40  # room for the title bar
    d = CopyTradeDialog()
    qtbot.addWidget(d)
    available = d.screen().availableGeometry().size()  # it opens no larger than its screen
    assert d.width() <= available.width() and d.height() <= available.height()
    d.load_preset("article-missed")
    assert d.minimumSizeHint().width() <= size.width() and d.minimumSizeHint().height() <= size.height()
    d.resize(size)
    d.show()
    qtbot.waitExposed(d)
    inside = d.rect()
    close = d.findChild(QDialogButtonBox)
    assert inside.contains(close.geometry())  # Close is in sight
    chart = d.chart
    assert chart.isVisible() and chart.height() >= chart.minimumHeight()
    assert inside.contains(chart.mapTo(d, chart.rect().bottomRight()))
    # The legend is a line above the plot, whole (it wraps rather than being cut off), over no curve.
    assert chart.getPlotItem().legend is None
    legend = chart.legend_label
    assert legend.isVisible() and legend.height() >= legend.heightForWidth(legend.width())
    assert inside.contains(legend.mapTo(d, legend.rect().bottomRight()))
    assert "Not copied" in legend.text() or lang != "en"
    # What the follower gets, and the master's average entry to compare with, are in sight without
    # scrolling, in every language; in English every column is.
    view = d.results_view
    view.horizontalScrollBar().setValue(0)
    for column in (*FOLLOWER_COLUMNS, MASTER_AVG_COLUMN):
        right = view.columnViewportPosition(column) + view.columnWidth(column)
        assert right <= view.viewport().width(), (lang, d.results_model.headerData(column, Qt.Horizontal))
    # The reason an order was skipped is read whole ("Slippage", not "Sl…"), on a laptop and larger.
    assert view.columnWidth(REASON_COLUMN) >= view.sizeHintForColumn(REASON_COLUMN)
    laptop_width = view.viewport().width()
    d.resize(PREFERRED_SIZE)
    qtbot.waitUntil(lambda: view.viewport().width() > laptop_width)
    assert view.columnWidth(REASON_COLUMN) >= view.sizeHintForColumn(REASON_COLUMN)
    # ... and where the width is ample no column is stretched, pushing the figures apart.
    header = view.horizontalHeader()
    for column in range(d.results_model.columnCount()):
        fitted = max(view.sizeHintForColumn(column), header.sectionSizeHint(column))
        assert view.columnWidth(column) <= fitted + 2, (lang, column)
    if lang == "en":
        assert view.horizontalScrollBar().maximum() == 0
