"""Save a screenshot of the copy-trading dialog with a preset loaded (for the README).

    python tools/screenshot_copytrade.py [--preset article-missed] [--out docs/img/copytrade.png]

Run it under `xvfb-run -a` for a real X server: the dialog opens at the size it takes on that screen
(`-s "-screen 0 1280x720x24"` shows a laptop's), and the picture is what the screen shows of it. Without
a display the dialog renders offscreen (QWidget.grab paints the widget tree itself).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="article-missed")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "copytrade.png")
    parser.add_argument("--select-row", type=int, default=2, help="result row to highlight (0-based)")
    parser.add_argument("--lang", choices=("en", "th", "uk"), default="en", help="the language shown")
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.copytrade.dialog import CopyTradeDialog
    from desktop_app.ui.language import install_language

    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 - kept alive until the end
    install_language(args.lang)
    dialog = CopyTradeDialog()
    dialog.load_preset(args.preset)
    dialog.show()
    dialog.select_result(args.select_row)
    settled = QEventLoop()  # let layouts, the splitters and the chart settle, and the screen show them
    QTimer.singleShot(500, settled.quit)
    settled.exec()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    screen, frame = dialog.screen(), dialog.frameGeometry()
    if screen.geometry().contains(frame) and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        picture = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    else:
        print(f"the dialog ({dialog.width()}x{dialog.height()}) does not fit the screen, or there is none: "
              "its own rendering is saved", file=sys.stderr)
        picture = dialog.grab()
    if not picture.save(str(args.out)):
        print(f"could not write {args.out}", file=sys.stderr)
        return 1
    print(args.out)
    dialog.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
