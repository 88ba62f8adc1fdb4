"""The stress panel recomputes instantly from the latest update, with liquidation marked."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.ui.format import Severity, severity_colour
from desktop_app.ui.stress.panel import StressPanel
from tests.ui.factories import make_update, stress_fn


def test_shock_changes_equity_after_and_marks_liquidation(qtbot) -> None:
    calls: list[tuple[dict[str, float], bool]] = []

    def counting(update, shocks, *, beta):
        calls.append((dict(shocks), beta))
        return stress_fn(update, shocks, beta=beta)

    panel = StressPanel(counting)
    qtbot.addWidget(panel)
    panel.set_update(make_update())
    assert [panel.coin_box.itemText(i) for i in range(panel.coin_box.count())] == ["BTC", "ETH"]
    panel.spin.setValue(-30.0)
    assert panel.slider.value() == -300
    assert calls[-1] == ({"BTC": -0.3}, True)
    model = panel.model
    # Main: 1 BTC long, mark 62,000 -> 43,400: loss 18,600; equity 20,000 - 18,600 = 1,400.
    assert model.index(0, 0).data() == "Main"
    assert model.index(0, 1).data() == "$1,400"
    assert model.index(0, 2).data() == "\u2212$18,600"
    # Hedge: 0.5 BTC short gains 0.5 x 18,600 = 9,300; equity 5,000 + 9,300 = 14,300.
    assert model.index(1, 1).data() == "$14,300"
    assert model.index(1, 4).data() == "survives"
    assert "No account is liquidated." in panel.summary.text()

    # −40%: Main loses 24,800 > its 20,000 equity, so it is liquidated.
    panel.slider.setValue(-400)
    assert panel.spin.value() == -40.0
    assert model.index(0, 4).data() == "LIQUIDATED"
    assert model.index(0, 4).data(Qt.ItemDataRole.ForegroundRole) == severity_colour(Severity.DANGER)
    assert "Liquidated: Main." in panel.summary.text()

    panel.beta_box.setChecked(False)
    assert calls[-1] == ({"BTC": -0.4}, False)
    panel.coin_box.setCurrentText("ETH")
    assert calls[-1] == ({"ETH": -0.4}, False)


def test_panel_without_data_waits(qtbot) -> None:
    panel = StressPanel(stress_fn)
    qtbot.addWidget(panel)
    panel.recompute()
    assert panel.summary.text() == "Waiting for data…"
    assert panel.model.rowCount() == 0


def test_chart_draws_a_pair_of_bars_per_account_and_marks_liquidation(qtbot) -> None:
    panel = StressPanel(stress_fn)
    qtbot.addWidget(panel)
    panel.set_update(make_update())
    panel.spin.setValue(-40.0)
    after = panel.chart._after.opts
    # Main (index 0) ends at 20,000 - 0.4 x 62,000 = -4,800 and is liquidated; Hedge at
    # 5,000 + 0.5 x 24,800 = 17,400.
    assert list(after["height"]) == [-4800.0, 17400.0]
    assert list(after["x"]) == [0.19, 1.19]
    assert after["brushes"][0].color() == severity_colour(Severity.DANGER)
    assert after["brushes"][1].color() == severity_colour(Severity.OK)
    assert list(panel.chart._before.opts["height"]) == [20000.0, 5000.0]


def test_several_coins_shocked_at_once(qtbot) -> None:
    calls: list[dict[str, float]] = []

    def counting(update, shocks, *, beta):
        calls.append(dict(shocks))
        return stress_fn(update, shocks, beta=beta)

    panel = StressPanel(counting)
    qtbot.addWidget(panel)
    panel.set_update(make_update())
    panel.beta_box.setChecked(False)
    panel.spin.setValue(-10.0)
    row = panel.add_shock()
    # The second row takes the largest exposure not shocked yet, at the first row's move.
    assert row.coin_box.currentText() == "ETH" and calls[-1] == {"BTC": -0.1, "ETH": -0.1}
    assert not panel.add_button.isEnabled()  # both coins of the book are shocked
    row.spin.setValue(-20.0)
    assert calls[-1] == {"BTC": -0.1, "ETH": -0.2}
    # Hedge: short 0.5 BTC gains 0.5 x 6,200 = 3,100, long 10 ETH loses 10 x 620 = 6,200:
    # PnL -3,100, equity 5,000 - 3,100 = 1,900.
    assert panel.model.index(1, 0).data() == "Hedge"
    assert panel.model.index(1, 2).data() == "\u2212$3,100"
    assert panel.model.index(1, 1).data() == "$1,900"
    assert panel.summary.text().startswith("BTC \u221210.0%, ETH \u221220.0%: total PnL")
    row.remove_button.click()
    assert calls[-1] == {"BTC": -0.1} and panel.add_button.isEnabled()
    assert row.slider.minimumWidth() >= 100


def test_stress_chart_legend_is_outside_the_plot_and_the_axis_reads_dollars(qtbot) -> None:
    panel = StressPanel(stress_fn)
    qtbot.addWidget(panel)
    panel.recompute()  # no data: the axis must not read "mUSD"
    axis = panel.chart.getPlotItem().getAxis("left")
    assert "USD" not in axis.labelString() and panel.chart.getPlotItem().legend is None
    assert all(label.startswith("$") or label.startswith("\u2212$")
               for label in axis.tickStrings([0.0, 0.5, 1.0], 1.0, 0.5))
    for colour in (severity_colour(Severity.OK), severity_colour(Severity.DANGER)):
        assert colour.name() in panel.chart_legend.text()


def test_an_account_that_never_answered_is_not_said_to_survive(qtbot) -> None:
    from dataclasses import replace

    from desktop_app.domain.snapshot import PENDING
    from tests.ui.factories import hedge_state, main_state

    waiting = replace(hedge_state(), data=None, error="waiting for the first answer", error_code=PENDING)
    panel = StressPanel(stress_fn)
    qtbot.addWidget(panel)
    panel.set_update(make_update((main_state(), waiting)))
    panel.spin.setValue(-10.0)
    outcome = 4  # Account, Equity after, PnL, MM rate after, Outcome
    assert panel.model.index(0, outcome).data() == "survives"  # Main: 1 BTC long loses 6,200 of 20,000
    assert panel.model.index(1, 0).data() == "Hedge"
    assert panel.model.index(1, outcome).data() == "—"


def test_a_stale_accounts_outcome_is_greyed_and_says_so(qtbot) -> None:
    from desktop_app.ui.format import stale_colour
    from tests.ui.factories import failed, hedge_state, main_state

    panel = StressPanel(stress_fn)
    qtbot.addWidget(panel)
    panel.set_update(make_update((main_state(), failed(hedge_state()))))
    panel.spin.setValue(-10.0)
    outcome = 4
    # Hedge survives a 10% fall, but that is computed from its last good data.
    hedge = panel.model.index(1, outcome)
    assert hedge.data() == "survives (stale data)"
    assert hedge.data(Qt.ItemDataRole.ForegroundRole) == stale_colour()
    assert "last good data" in hedge.data(Qt.ItemDataRole.ToolTipRole)
    assert panel.model.index(1, 1).data(Qt.ItemDataRole.ForegroundRole) == stale_colour()
    main = panel.model.index(0, outcome)  # fresh: as before
    assert main.data() == "survives" and main.data(Qt.ItemDataRole.ForegroundRole) != stale_colour()


def test_an_empty_stress_chart_shows_no_made_up_ticks(qtbot) -> None:
    panel = StressPanel(stress_fn)
    qtbot.addWidget(panel)
    panel.recompute()  # no data
    plot = panel.chart.getPlotItem()
    assert not plot.getAxis("left").style["showValues"]  # not "$0.05 / −$0.05"
    assert plot.getAxis("bottom")._tickLevels == [[]]  # not 0.1 … 0.9
    panel.set_update(make_update())
    assert plot.getAxis("left").style["showValues"]
    assert [name for _, name in plot.getAxis("bottom")._tickLevels[0]] == ["Main", "Hedge"]
