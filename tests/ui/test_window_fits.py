"""The window on a 1280×720 laptop screen, in the worst cases a trader meets: twenty accounts, long
errors, a failing account, the longest language; and no "all safe" headline without data."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from desktop_app.domain.snapshot import AccountState
from desktop_app.storage.paths import AppPaths
from desktop_app.ui import format as fmt
from desktop_app.ui.context import demo_context
from desktop_app.ui.language import install_language
from desktop_app.ui.tables.accounts_model import ACCOUNTS_STATUS_COLUMN
from desktop_app.ui.window.main_window import MainWindow
from desktop_app.ui.worker.host import WorkerHost
from desktop_app.ui.worker.worker import WorkerError
from tests.ui.factories import NOW, failed, hedge_state, main_state, make_update, stress_fn

LONG_ERROR = ("[10002] The request time exceeds the time window range; recv_window=5000, server time "
              "1750000000123, request time 1750000009999, check the computer's clock")


@pytest.fixture(params=["en", "uk"])
def language(request):  # type: ignore[no-untyped-def]
    install_language(request.param)
    yield request.param
    install_language("en")


def _window(qtbot, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    context = demo_context(AppPaths.portable(tmp_path), ())
    window = MainWindow(context, WorkerHost(service_factory=object), stress_fn,
                        qsettings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    return window


def _twenty_accounts() -> tuple[AccountState, ...]:
    states = []
    for i in range(20):
        state = main_state() if i % 2 else hedge_state(fetched_at=NOW - 100)
        state = replace(state, account_id=f"acc-{i}", name=f"Sub-account {i + 1}")
        states.append(failed(state, LONG_ERROR) if i % 3 == 0 else state)
    return tuple(states)


def test_the_window_fits_a_laptop_with_twenty_accounts_and_long_errors(qtbot, tmp_path: Path,
                                                                       language: str) -> None:
    window = _window(qtbot, tmp_path)
    window.on_update(make_update(_twenty_accounts()))
    window.render_tables()
    window.on_worker_error(WorkerError(LONG_ERROR, NOW))
    window.journal.on_failed(LONG_ERROR)  # the Journal's status line
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1280 and hint.height() <= 680, (window.tabs.tabText(tab), hint)
    # Elided, not lost: the whole error is in the tooltip.
    assert LONG_ERROR in window.journal.status_label.toolTip()
    assert LONG_ERROR in window.status.worker_label.toolTip()
    assert "Sub-account 20" in window.status.accounts_label.toolTip()


def test_the_status_column_keeps_its_width_through_a_failure(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    view = window.portfolio.accounts_table.view
    window.on_update(make_update())
    window.render_tables()
    healthy = view.columnWidth(ACCOUNTS_STATUS_COLUMN)
    window.on_update(make_update((main_state(), failed(hedge_state(fetched_at=NOW - 30), LONG_ERROR))))
    window.render_tables()
    # The reason is in the row (elided) and its tooltip; the column does not push Liq. move away.
    assert view.columnWidth(ACCOUNTS_STATUS_COLUMN) == healthy
    row = [window.portfolio.accounts_model.row_at(i).name for i in range(2)].index("Hedge")
    cell = window.portfolio.accounts_model.index(row, ACCOUNTS_STATUS_COLUMN)
    assert cell.data().startswith("Stale · ") and "[10002] The request time" in cell.data()
    assert LONG_ERROR in cell.data(Qt.ItemDataRole.ToolTipRole)
    window.on_update(make_update())
    window.render_tables()
    assert view.columnWidth(ACCOUNTS_STATUS_COLUMN) == healthy


def test_a_column_narrows_again_when_its_content_does(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    table = window.portfolio.positions_table
    window.on_update(make_update())
    window.render_tables()
    column = [table.model.headerData(c, Qt.Orientation.Horizontal)
              for c in range(table.model.columnCount())].index("Value")
    before = table.view.columnWidth(column)
    huge = replace(main_state(), data=replace(main_state().data, positions=tuple(
        replace(p, size=p.size * 100_000, position_value=p.position_value * 100_000)
        for p in main_state().data.positions)))
    window.on_update(make_update((huge, hedge_state())))
    window.render_tables()
    assert table.view.columnWidth(column) > before  # "$6,000,000,000" needs room
    window.on_update(make_update())
    window.render_tables()
    assert table.view.columnWidth(column) == before


def _no_data(name: str) -> AccountState:
    return AccountState(f"acc-{name}", name, None, "[-1] timed out", None, NOW)


def test_no_green_headline_without_data(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    window.on_update(make_update((_no_data("Main"), _no_data("Hedge"))))
    tile = window.header.first_liq.value
    assert window.header.equity.value.text() == "—"
    assert tile.text() == "Unknown: no account has answered"
    assert fmt.severity_colour(fmt.Severity.OK).name() not in tile.styleSheet()  # not "all safe"


def test_none_found_with_stale_accounts_says_so(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    flat = replace(main_state(), data=replace(main_state().data, positions=()))
    window.on_update(make_update((flat, _no_data("Hedge"))))
    tile = window.header.first_liq
    assert tile.value.text() == "No liquidation from −99% to +500% (stale data)"
    assert tile.value.styleSheet() == f"color: {fmt.severity_colour(fmt.Severity.WARN).name()};"
    assert "stale account" in tile.toolTip()
    window.on_update(make_update((flat,)))  # every account fresh: now it is good news
    assert tile.value.text() == "No liquidation from −99% to +500%"
    assert tile.value.styleSheet() == f"color: {fmt.severity_colour(fmt.Severity.OK).name()};"


def test_the_distance_to_liquidation_is_in_sight_at_1280(qtbot, tmp_path: Path, language: str) -> None:
    from desktop_app.ui.tables.positions_model import POSITIONS_DISTANCE_COLUMN

    window = _window(qtbot, tmp_path)
    window.on_update(make_update())
    window.render_tables()
    qtbot.waitUntil(lambda: window.portfolio.positions_table.view.viewport().width() > 0)
    view = window.portfolio.positions_table.view
    for column in (POSITIONS_DISTANCE_COLUMN, POSITIONS_DISTANCE_COLUMN + 1):  # To liq., Liq. price
        right = view.columnViewportPosition(column) + view.columnWidth(column)
        assert view.columnViewportPosition(column) >= 0 and right <= view.viewport().width(), (
            view.model().headerData(column, Qt.Orientation.Horizontal), right, view.viewport().width())
