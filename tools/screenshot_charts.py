"""Screenshot of the history charts with a seeded synthetic week (including a crash): docs/img/charts.png.

Run under a virtual X server so the real xcb platform renders it, e.g.

    xvfb-run -a -s "-screen 0 1680x1050x24" .venv/bin/python tools/screenshot_charts.py

(`QT_QPA_PLATFORM=offscreen` works too; `QWidget.grab()` renders the same pixels.) The crosshair
is placed just after the crash so the readout shows values.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop_app.ui.charts.history_view import HistoryChartsWidget  # noqa: E402
from desktop_app.ui.charts.synthetic import synthetic_history  # noqa: E402
from desktop_app.ui.language import install_language  # noqa: E402

END_S = 1_790_000_000.0  # a fixed "now" (2026-09-21), so the picture does not change between runs


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "charts.png")
    parser.add_argument("--accounts", type=int, default=6)
    parser.add_argument("--range", default="7 d", choices=("1 h", "24 h", "7 d", "All"))
    parser.add_argument("--size", default="1280x900", help="window size, WxH")
    parser.add_argument("--lang", choices=("en", "th", "uk"), default="en", help="the language shown")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_language(args.lang)
    data = synthetic_history(accounts=args.accounts, days=7.0, step_s=5.0, end_s=END_S, seed=7)
    widget = HistoryChartsWidget(clock=lambda: END_S)
    width, height = (int(v) for v in args.size.split("x"))
    widget.resize(width, height)
    widget.setWindowTitle("RiskDesk — history")
    widget.set_series(data)
    widget.show()
    widget.set_range(args.range)
    wait(400)
    first_s, last_s = data.time_bounds_s() or (END_S, END_S)
    widget.crosshair_at(first_s + (last_s - first_s) * 0.815)  # just after the crash (at 80 %)
    wait(300)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(args.out)):
        print(f"could not write {args.out}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({width}x{height}, {args.accounts} accounts, range {args.range})")
    widget.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
