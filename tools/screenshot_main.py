"""Screenshots of the main window in demo mode: docs/img/main.png (light) and main-dark.png.

Run under a virtual X server so the real xcb platform renders it, e.g.

    xvfb-run -a -s "-screen 0 1680x1050x24" .venv/bin/python tools/screenshot_main.py

It starts the embedded simulator, opens the window, waits until the tables show the first update,
lets a few refreshes pass, then grabs the window. `--dark` switches to Fusion with a dark palette
(what a dark OS theme gives), to check that nothing is hardcoded for light backgrounds;
`--fail-account Hedge --out docs/img/main-stale.png` shows a failing account kept stale;
`--tab history --out docs/img/history.png` shows the history charts of the demo run (all of it);
`--tab journal --size 1280x720 --out docs/img/journal.png` the trade journal once it has synced;
`--watched` the banner of a window opened while `riskdesk-cli watch` writes the configuration.

The picture is always what the screen shows (a window larger than the screen is cut off there, as a
person would see it), and the tool exits 2 when the window does not fit the screen or came out larger
than `--size` asked (its minimum size is larger): a layout that is too wide must not pass unseen.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop_app.storage.paths import AppPaths  # noqa: E402
from desktop_app.storage.writer_lock import WATCHER, LockHolder  # noqa: E402
from desktop_app.ui.app import build_window  # noqa: E402
from desktop_app.ui.context import demo_context  # noqa: E402
from desktop_app.ui.demo import sim_account_specs, start_demo_simulator  # noqa: E402
from desktop_app.ui.language import install_language  # noqa: E402
from desktop_app.ui.tables.positions_model import POSITIONS_DISTANCE_COLUMN  # noqa: E402

TOO_LARGE = 2  # exit code: the window does not fit the screen, or is larger than asked


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#3d6fb4",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#353535",
        QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.PlaceholderText: "#8a8a8a",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def fit_problem(window: QWidget, size: str) -> str:
    """Why the window does not fit: larger than the screen, or than the size asked; "" when it fits."""
    screen = window.screen().geometry()
    frame = window.frameGeometry()
    if not screen.contains(frame):
        return (f"the window ({frame.width()}x{frame.height()} at {frame.x()},{frame.y()}) does not fit the "
                f"screen ({screen.width()}x{screen.height()})")
    if size:
        width, height = (int(v) for v in size.split("x"))
        if window.width() > width or window.height() > height:
            return (f"the window is {window.width()}x{window.height()}, larger than the {size} asked "
                    f"(minimum {window.minimumSizeHint().width()}x{window.minimumSizeHint().height()})")
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "main.png")
    parser.add_argument("--dark", action="store_true", help="dark palette (Fusion), as a dark OS theme")
    parser.add_argument("--settle-ms", type=int, default=6000,
                        help="time for a few refreshes after the first")
    parser.add_argument("--shock", type=float, default=-15.0, help="stress panel shock in percent")
    parser.add_argument("--fail-account", metavar="NAME",
                        help="after the first update, fail this demo account's requests (shown stale)")
    parser.add_argument("--tab", choices=("portfolio", "alerts", "history", "journal"), default="portfolio",
                        help="the tab shown in the screenshot")
    parser.add_argument("--size", default="", help="window size WxH (default: maximised on the screen)")
    parser.add_argument("--lang", choices=("en", "th", "uk"), default="en", help="the window's language")
    parser.add_argument("--watched", action="store_true",
                        help="as opened while a watcher writes the configuration (its banner)")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(["riskdesk-screenshot"])
    if args.dark:
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(dark_palette())
    install_language(args.lang)
    sim = start_demo_simulator()
    try:
        with tempfile.TemporaryDirectory() as config_dir:
            context = demo_context(AppPaths.portable(config_dir), sim_account_specs(sim))
            if args.watched:  # the banner only: a demo window never takes the writer lock
                context.watched_by = LockHolder(WATCHER, 4242, time.time() - 3 * 3600)
            window = build_window(context, start=False)
            if args.size:
                width, height = (int(v) for v in args.size.split("x"))
                window.resize(width, height)
                window.show()
            else:
                window.showMaximized()
            window.host.start()
            rendered: list[object] = []
            window.sig_update_rendered.connect(rendered.append)
            for _ in range(300):  # up to 30 s for the first update
                if rendered:
                    break
                wait(100)
            if not rendered:
                print("screenshot: no update within 30 s", file=sys.stderr)
                return 1
            window.stress_panel.spin.setValue(args.shock)
            if args.fail_account:
                sim.faults.fail_uids.add(sim.account(args.fail_account).uid)
                window.host.worker.refresh_now()
            wait(args.settle_ms)
            # Nearest liquidation first: the column a trader sorts by.
            window.portfolio.positions_table.view.sortByColumn(POSITIONS_DISTANCE_COLUMN,
                                                               Qt.SortOrder.AscendingOrder)
            tab = {"portfolio": 0, "alerts": 1, "history": 2, "journal": 3}[args.tab]
            window.tabs.setCurrentIndex(tab)
            if args.tab == "journal":
                for _ in range(600):  # up to 60 s for the first sync of the demo's history
                    report = window.journal.report
                    if report is not None and all(a.ok for a in report.accounts):
                        break
                    wait(100)
            if args.tab == "history":
                wait(300)  # the charts read the database when they are first shown
                window.charts.set_range("All")  # a demo run lasts seconds: show all of it
            wait(600)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            problem = fit_problem(window, args.size)
            # The screen as a person sees it, where the window is (a window larger than the screen is
            # cut off there), never the window's own rendering of parts no one can see.
            frame = window.frameGeometry().intersected(window.screen().geometry())
            picture = window.screen().grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
            if not picture.save(str(args.out)):
                print(f"screenshot: could not write {args.out}", file=sys.stderr)
                return 1
            print(f"wrote {args.out}")
            window.close()
            if problem:
                print(f"screenshot: {problem}", file=sys.stderr)
                return TOO_LARGE
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
