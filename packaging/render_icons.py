"""Render RiskDesk's icons from their SVG sources in desktop_app/assets/ (run after editing an SVG,
then commit the results):

    python packaging/render_icons.py            # writes the PNGs and riskdesk.ico next to the SVGs
    python packaging/render_icons.py --check    # exit 1 when a committed file is missing or differs

App icon: riskdesk-<N>.png for N in APP_SIZES (16-32 px from the bolder riskdesk-small.svg) and a
multi-size riskdesk.ico for Windows. The macOS .icns is made on a Mac from these PNGs by
packaging/build_macos.sh (iconutil). Tray icons: tray-<severity>-<N>.png for N in TRAY_SIZES.
Needs only PySide6-Essentials (QtSvg); runs headless.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent.parent / "desktop_app" / "assets"
APP_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SMALL_MAX_PX = 32  # at or below this size the simplified riskdesk-small.svg is used
ICO_SIZES = (16, 24, 32, 48, 64, 256)  # what Windows asks for: 100-200 % DPI, Explorer views
TRAY_SEVERITIES = ("ok", "info", "warning", "critical", "stale")
TRAY_SIZES = (16, 22, 24, 32, 48, 64)  # Windows 16/24/32 per DPI, Linux panels 22/24/48, HiDPI 64


def render_png(svg_path: Path, size_px: int) -> bytes:
    """The SVG rendered to a size_px square PNG with a transparent background.

    May raise: ValueError (SVG not loadable or PNG not written).
    """
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg_path))
    if not renderer.isValid():
        raise ValueError(f"cannot load {svg_path.name}")
    image = QImage(size_px, size_px, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ValueError(f"cannot encode {svg_path.name} at {size_px} px")
    buffer.close()
    return bytes(data.data())


def _bgra_rows(png: bytes) -> tuple[int, bytes]:
    """(size, bottom-up BGRA rows) of a square PNG, as a BMP-style ICO entry stores them."""
    from PySide6.QtGui import QImage

    image = QImage.fromData(png, "PNG").convertToFormat(QImage.Format.Format_ARGB32)
    size = image.width()
    stride = image.bytesPerLine()
    raw = bytes(image.constBits())  # ARGB32 is little-endian B,G,R,A in memory: BMP's order
    rows = [raw[y * stride: y * stride + size * 4] for y in range(size)]
    return size, b"".join(reversed(rows))


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding every given size. Sizes below 256 are stored as 32-bit DIBs (every
    Windows version and resource compiler reads those); 256 is stored as PNG, as Windows expects."""
    entries: list[tuple[int, bytes]] = []
    for size in sorted(pngs):
        if size >= 256:
            entries.append((size, pngs[size]))
            continue
        _, pixels = _bgra_rows(pngs[size])
        # BITMAPINFOHEADER: height is doubled (XOR image + AND mask). The AND mask is all zero:
        # transparency comes from the alpha channel; each mask row is padded to 32 bits.
        header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, len(pixels), 0, 0, 0, 0)
        mask = bytes(((size + 31) // 32) * 4 * size)
        entries.append((size, header + pixels + mask))
    out = struct.pack("<HHH", 0, 1, len(entries))  # ICONDIR: reserved, type 1 = icon, count
    offset = 6 + 16 * len(entries)
    for size, data in entries:
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(data for _, data in entries)


def expected_files(assets_dir: Path = ASSETS_DIR) -> dict[str, bytes]:
    """Every rendered file name mapped to its content, rendered from the SVGs in assets_dir."""
    files: dict[str, bytes] = {}
    app_pngs: dict[int, bytes] = {}
    for size in APP_SIZES:
        source = "riskdesk-small.svg" if size <= SMALL_MAX_PX else "riskdesk.svg"
        app_pngs[size] = render_png(assets_dir / source, size)
        files[f"riskdesk-{size}.png"] = app_pngs[size]
    files["riskdesk.ico"] = ico_bytes({size: app_pngs[size] for size in ICO_SIZES})
    for severity in TRAY_SEVERITIES:
        for size in TRAY_SIZES:
            files[f"tray-{severity}-{size}.png"] = render_png(assets_dir / f"tray-{severity}.svg", size)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed files")
    parser.add_argument("--assets-dir", type=Path, default=ASSETS_DIR)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # QImage text/fonts need one
    stale: list[str] = []
    for name, data in expected_files(args.assets_dir).items():
        path = args.assets_dir / name
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(name)
        if not args.check:
            path.write_bytes(data)
    del app
    if args.check:
        print("icons up to date" if not stale else f"out of date: {', '.join(stale)}")
        return 1 if stale else 0
    print(f"wrote {len(stale)} file(s) to {args.assets_dir.name}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
