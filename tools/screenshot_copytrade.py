"""Save a screenshot of the copy-trading dialog with a preset loaded (for the README).

    python tools/screenshot_copytrade.py [--preset article-missed] [--out docs/img/copytrade.png]

Run it under `xvfb-run -a` for a real X server. Without a display the dialog renders offscreen
(QWidget.grab paints the widget tree itself: the picture is the one on screen minus the frame).
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

    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.copytrade.dialog import CopyTradeDialog
    from desktop_app.ui.language import install_language

    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_language(args.lang)
    dialog = CopyTradeDialog()
    dialog.load_preset(args.preset)
    dialog.resize(1400, 980)  # tall enough for every explanation of the article's four orders
    dialog.show()
    dialog.select_result(args.select_row)
    for _ in range(5):  # let layouts, the splitters and the chart settle
        app.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not dialog.grab().save(str(args.out)):
        print(f"could not write {args.out}", file=sys.stderr)
        return 1
    print(args.out)
    dialog.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
