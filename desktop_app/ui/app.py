"""`riskdesk`: start the desktop application.

    riskdesk [--demo] [--config-dir DIR] [--self-test] [--copytrade] [--lang th|uk|en]
"""

from __future__ import annotations

import argparse
import linecache
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from desktop_app import __version__, i18n
from desktop_app.live.report_options import ReportOptions
from desktop_app.service import stress_update
from desktop_app.storage.paths import AppPaths
from desktop_app.storage.settings import load_settings
from desktop_app.storage.writer_lock import WATCHER, WINDOW, LockHolder, WriterLock, WriterLockHeld
from desktop_app.ui.context import AppContext, demo_context, load_context
from desktop_app.ui.demo import sim_account_specs, start_demo_simulator
from desktop_app.ui.language import install_language, system_language
from desktop_app.ui.self_test import SelfTest
from desktop_app.ui.single_instance import InstanceServer, activate_running, hold_installer_mutex, server_name
from desktop_app.ui.window.main_window import MainWindow
from desktop_app.ui.worker.host import WorkerHost, history_path_for

log = logging.getLogger(__name__)

WINDOW_SETTINGS_FILE = "window.ini"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="riskdesk",
                                     description="RiskDesk: read-only risk monitor for Bybit.")
    parser.add_argument("--version", action="version", version=f"riskdesk {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="run against the built-in simulator with demo accounts (nothing is saved)")
    parser.add_argument("--config-dir", metavar="DIR", type=Path,
                        help="keep settings, accounts and history in DIR instead of the platform's folders")
    parser.add_argument("--self-test", action="store_true",
                        help="open the window, wait for the first complete snapshot, print one line and exit")
    parser.add_argument("--copytrade", action="store_true",
                        help="open only the copy-trading calculator (no monitoring)")
    parser.add_argument("--lang", choices=i18n.LANGUAGES,
                        help="language of the window and the alerts (default: Settings, else the system's)")
    return parser.parse_args(list(argv))


def choose_language(requested: str | None, paths: AppPaths) -> str:
    """`--lang`, else the language saved in Settings, else the system's."""
    saved = load_settings(paths.settings_file).settings.language
    return i18n.resolve_language(requested, saved, system_language())


def claim_writer(config_dir: Path) -> tuple[WriterLock | None, LockHolder | None]:
    """Become the configuration's writer (history, Telegram), or learn which watcher is: then the
    window shows what the watcher records instead of recording it twice. A config dir that cannot
    hold a lock file (read-only) leaves the window the writer, as before there were watchers."""
    try:
        return WriterLock.acquire(config_dir, WINDOW), None
    except WriterLockHeld as exc:
        return None, exc.holder or LockHolder(WATCHER, 0, 0.0)
    except OSError as exc:
        log.warning("no writer lock in %s: %s", config_dir, exc.strerror or exc)
        return None, None


def run_copytrade(app: QApplication) -> int:
    """The calculator on its own: nothing is monitored, no tray, no second window."""
    from desktop_app.ui.copytrade.dialog import CopyTradeDialog

    dialog = CopyTradeDialog()
    dialog.finished.connect(app.quit)
    dialog.show()
    return int(app.exec())


def build_window(context: AppContext, *, start: bool = True) -> MainWindow:
    """The window and its worker for `context` (tests and tools use this too)."""
    specs, problems = context.specs()
    context.messages.extend(problems)
    watched = context.watched_by is not None  # a watcher records and sends: this window only shows
    host = WorkerHost(specs, interval_s=context.settings.refresh_interval_s,
                      alert_config=context.settings.alerts,
                      history_path=history_path_for(context.paths, demo=context.demo),
                      record_history=not watched, live_options={"send_alerts": not watched},
                      report_options=ReportOptions.from_settings(context.settings))
    host.worker.set_request_deadline(context.settings.request_deadline_s)  # queued until the loop runs
    qsettings = QSettings(str(context.paths.config_dir / WINDOW_SETTINGS_FILE), QSettings.Format.IniFormat)
    # Stressing the latest update is pure (no network): the GUI thread calls it directly.
    window = MainWindow(context, host, stress_update, qsettings=qsettings)
    # shiboken's import hook reads the source of every module imported after PySide6 (to see whether
    # it uses PySide6), and linecache keeps it: ~26 MiB of text nobody reads again. A traceback that
    # wants a line later reads its file anew.
    linecache.clearcache()
    if start:
        host.start()
    return window


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    paths = AppPaths.resolve(args.config_dir)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "riskdesk"])
    app.setApplicationName("RiskDesk")
    app.setOrganizationName("RiskDesk")
    app.setApplicationVersion(__version__)
    install_language(choose_language(args.lang, paths))
    if args.copytrade and not args.self_test:
        return run_copytrade(app)

    server: InstanceServer | None = None
    if not args.self_test:
        name = server_name(paths.config_dir, demo=args.demo)
        if activate_running(name):
            print("RiskDesk is already running; its window was brought to the front.")
            return 0
        server = InstanceServer(name)
        server.installer_mutexes = hold_installer_mutex()
        if not server.listen():
            log.warning("could not claim the single-instance name; continuing without it")

    sim = None
    context: AppContext | None = None
    try:
        if args.demo:
            sim = start_demo_simulator()
            context = demo_context(paths, sim_account_specs(sim))
        else:
            context = load_context(paths)
            context.writer, context.watched_by = claim_writer(paths.config_dir)
        window = build_window(context, start=False)
        # Hidden to the tray is not "the last window closed"; the window says when it really closed.
        app.setQuitOnLastWindowClosed(False)
        window.sig_closed.connect(app.quit)
        # Logging out must end the app, not hide it to the tray.
        app.commitDataRequest.connect(lambda _manager: window.allow_close())
        if server is not None:
            server.sig_activate.connect(window.bring_to_front)
        self_test = None
        if args.self_test:
            window.allow_close()  # the self-test's close ends the app, tray or not
            self_test = SelfTest(window, account_count=len(context.specs()[0]),
                                 no_accounts_reason=context.why_no_usable_accounts())
        window.show()
        window.host.start()
        code = app.exec()
        window.host.shutdown()
        if self_test is not None and self_test.exit_code is not None:
            code = self_test.exit_code
        return int(code)
    except Exception as exc:
        if args.self_test:
            print(f"self-test failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            return 1
        raise
    finally:
        if context is not None and context.writer is not None:
            context.writer.release()
        if sim is not None:
            sim.stop()
        if server is not None:
            server.close()


if __name__ == "__main__":
    sys.exit(main())
