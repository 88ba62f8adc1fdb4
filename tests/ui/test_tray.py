"""Tray controller (menu signals, severity icon, close to tray), the in-window alert banner and the
alert log.

Offscreen there is no system tray, so the controller is built with `available` given explicitly and
the OS side (`showMessage`) is covered through the notifier's sink in test_notifier.py.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from desktop_app import assets
from desktop_app.alerts import ActiveAlert, AlertEvent, EventKind, Severity
from desktop_app.ui.alerts import tray as tray_module
from desktop_app.ui.alerts.banner import SEVERITY_COLOURS, AlertBanner
from desktop_app.ui.alerts.log_view import AlertLogView
from desktop_app.ui.alerts.notifier import Notifier
from desktop_app.ui.alerts.tray import STATE_COLOURS, TrayController, drawn_icon, state_icon, tray_state
from desktop_app.ui.format import Severity as FmtSeverity
from desktop_app.ui.format import severity_colour


def centre_colour(icon, size: int = 32) -> str:
    image = icon.pixmap(size, size).toImage()
    return QColor(image.pixel(image.width() // 2, image.height() // 2)).name()


def event(subject: str, severity: Severity, kind: EventKind = EventKind.RAISED, time_s: float = 0.0,
          message: str | None = None) -> AlertEvent:
    return AlertEvent(("mm_rate", subject), severity, kind, 0.9, 0.8, message or f"{subject}: margin", time_s)


def test_tray_state_names() -> None:
    assert tray_state(None) == "ok"
    assert tray_state(Severity.WARNING) == "warning"
    assert tray_state("stale") == "stale"
    with pytest.raises(ValueError):
        tray_state("purple")


def test_severity_changes_the_icon(qtbot) -> None:
    controller = TrayController(available=False)
    assert controller.state == "ok"
    ok_key = controller.tray.icon().cacheKey()
    controller.set_severity(Severity.CRITICAL, active_count=2)
    assert controller.state == "critical"
    assert controller.tray.icon().cacheKey() != ok_key
    assert "2 active alert(s), worst: critical" in controller.tray.toolTip()
    # Back to calm: the cached "ok" icon is reused, not rebuilt.
    controller.set_severity(None)
    assert controller.tray.icon().cacheKey() == ok_key
    assert controller.tray.toolTip() == "RiskDesk — no active alerts"


def test_bundled_icons_are_used_when_present(qtbot) -> None:
    # The asset PNGs exist in the checkout: the icon offers every bundled size.
    icon = state_icon("warning")
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert {(px, px) for px in assets.TRAY_ICON_SIZES_PX} <= sizes


def test_missing_icon_files_fall_back_to_a_drawn_circle(qtbot, monkeypatch) -> None:
    def missing(severity: str):
        raise FileNotFoundError(severity)

    monkeypatch.setattr(tray_module.assets, "tray_icon_pngs", missing)
    for state in ("ok", "warning", "critical"):
        assert centre_colour(state_icon(state)) == STATE_COLOURS[state]
    controller = TrayController(available=False)
    controller.set_severity(Severity.CRITICAL)
    assert centre_colour(controller.icon()) == "#e0464b"


def test_drawn_icon_is_a_circle_with_transparent_corners(qtbot) -> None:
    image = drawn_icon("#2f9e5b", (32,)).pixmap(32, 32).toImage()
    assert QColor(image.pixel(16, 16)).name() == "#2f9e5b"
    assert QColor.fromRgba(image.pixel(0, 0)).alpha() == 0  # outside the circle


def test_menu_actions_emit_signals(qtbot) -> None:
    controller = TrayController(available=False)
    assert [a.text() for a in controller.menu.actions() if not a.isSeparator()] == [
        "Show window", "Refresh now", "Pause alerts for 1 hour", "Quit RiskDesk"]
    with qtbot.waitSignal(controller.sig_refresh_now):
        controller.action_refresh.trigger()
    with qtbot.waitSignal(controller.sig_show_hide):
        controller.action_show_hide.trigger()
    with qtbot.waitSignal(controller.sig_pause_alerts) as paused:
        controller.action_pause.trigger()
    assert paused.args == [True]
    with qtbot.waitSignal(controller.sig_pause_alerts) as resumed:
        controller.action_pause.trigger()
    assert resumed.args == [False]
    with qtbot.waitSignal(controller.sig_quit):
        controller.action_quit.trigger()


def test_set_paused_reflects_state_without_emitting(qtbot) -> None:
    controller = TrayController(available=False)
    with qtbot.assertNotEmitted(controller.sig_pause_alerts):
        controller.set_paused(True)
    assert controller.action_pause.isChecked()


def test_clicking_the_icon_toggles_the_window(qtbot) -> None:
    controller = TrayController(available=False)
    with qtbot.waitSignal(controller.sig_show_hide):
        controller.tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    with qtbot.assertNotEmitted(controller.sig_show_hide):
        controller.tray.activated.emit(QSystemTrayIcon.ActivationReason.Context)


def test_close_hides_to_the_tray_when_one_exists(qtbot) -> None:
    controller = TrayController(available=True)
    window = QWidget()
    qtbot.addWidget(window)
    controller.hide_on_close(window)
    window.show()
    assert window.close() is False  # the close was refused...
    assert window.isHidden()  # ...and the window went to the tray
    assert controller.action_show_hide.text() == "Show window"
    window.show()
    controller.action_quit.trigger()  # Quit lets the window really close
    assert window.close() is True


def test_close_quits_when_there_is_no_tray(qtbot) -> None:
    controller = TrayController(available=False)
    assert controller.sink() is None
    window = QWidget()
    qtbot.addWidget(window)
    controller.hide_on_close(window)
    window.show()
    assert window.close() is True


def test_no_tray_alerts_still_reach_the_banner(qtbot) -> None:
    controller = TrayController(available=False)
    notifier = Notifier(controller.sink())  # None: nowhere to pop up
    banner = AlertBanner()
    qtbot.addWidget(banner)
    events = [event("Main", Severity.WARNING, time_s=1.0),
              event("Hedge", Severity.CRITICAL, time_s=2.0, message="Hedge: margin rate 82%")]
    notifier.on_events(events)
    banner.on_events(events)
    controller.set_severity(Severity.CRITICAL, banner.active_count())
    assert notifier.flush() is True  # drained, though nothing is shown
    assert not banner.isHidden()
    assert "Hedge: margin rate 82%" in banner.label.text()
    assert "(+1 more in the alert log)" in banner.label.text()
    assert SEVERITY_COLOURS[Severity.CRITICAL] in banner.label.styleSheet()
    assert controller.state == "critical"


def test_banner_dismiss_until_something_new_or_worse(qtbot) -> None:
    banner = AlertBanner()
    qtbot.addWidget(banner)
    assert banner.isHidden()
    banner.on_event(event("Main", Severity.WARNING, time_s=1.0))
    assert not banner.isHidden()
    assert banner.shown_key == ("mm_rate", "Main")
    with qtbot.waitSignal(banner.sig_dismissed):
        banner.dismiss_button.click()
    assert banner.isHidden()
    # The same alert at the same level stays dismissed.
    banner.on_event(event("Main", Severity.WARNING, EventKind.RAISED, time_s=2.0))
    assert banner.isHidden()
    # The same alert getting worse comes back, in the critical colour.
    banner.on_event(event("Main", Severity.CRITICAL, EventKind.ESCALATED, time_s=3.0))
    assert not banner.isHidden()
    assert SEVERITY_COLOURS[Severity.CRITICAL] in banner.label.styleSheet()
    banner.dismiss()
    # A different alert becoming the worst comes back too (same severity, more recent).
    banner.on_event(event("Hedge", Severity.CRITICAL, time_s=4.0))
    assert not banner.isHidden()
    assert banner.shown_key == ("mm_rate", "Hedge")
    # Everything cleared: hidden.
    banner.on_events([event("Hedge", Severity.CRITICAL, EventKind.CLEARED),
                      event("Main", Severity.CRITICAL, EventKind.CLEARED)])
    assert banner.isHidden()
    assert banner.active_count() == 0


def test_banner_set_active_replaces_the_table(qtbot) -> None:
    banner = AlertBanner()
    qtbot.addWidget(banner)
    banner.on_event(event("Old", Severity.CRITICAL))
    banner.set_active([ActiveAlert(("liq_distance", "Main/BTCUSDT/long"), Severity.WARNING, 0.08, 0.1,
                                   "Main BTCUSDT long: 8% to liquidation", 10.0, 20.0)])
    assert banner.active_count() == 1
    assert banner.shown_key == ("liq_distance", "Main/BTCUSDT/long")
    assert banner.label.text().endswith("Main BTCUSDT long: 8% to liquidation")
    assert SEVERITY_COLOURS[Severity.WARNING] in banner.label.styleSheet()


def test_alert_log_lists_history_then_live_events_newest_first(qtbot, qtmodeltester) -> None:
    log = AlertLogView(limit=3)
    qtbot.addWidget(log)
    log.set_events([event("Newest in db", Severity.WARNING, time_s=20.0),
                    event("Oldest in db", Severity.INFO, time_s=10.0)])
    assert [e.subject for e in log.events()] == ["Newest in db", "Oldest in db"]
    log.on_events([event("Live 1", Severity.CRITICAL, time_s=30.0),
                   event("Live 2", Severity.WARNING, EventKind.CLEARED, time_s=31.0)])
    # Newest first, capped at 3 rows: Live 2, Live 1, Newest in db (Oldest in db drops out).
    assert [e.subject for e in log.events()] == ["Live 2", "Live 1", "Newest in db"]
    model = log.model
    assert model.rowCount() == 3
    assert model.index(1, 1).data() == "critical"
    assert model.index(1, 1).data(Qt.ItemDataRole.ForegroundRole) == severity_colour(FmtSeverity.DANGER)
    # A cleared alert is good news: green, not the alarm colour.
    assert model.index(0, 2).data() == "cleared"
    assert model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole) == severity_colour(FmtSeverity.OK)
    log.filter_edit.setText("live 1")
    assert log.proxy.rowCount() == 1
    qtmodeltester.check(model)
