"""Paths of RiskDesk's bundled image files (app and tray icons). No Qt here: the GUI turns the
paths into QIcons, and packaging scripts use them as plain files.

The files sit in this package's folder, so the same lookup works from a source checkout, an
installed wheel (package data) and a PyInstaller bundle (the spec copies them to
`<bundle>/desktop_app/assets`, found through `sys._MEIPASS`).
"""

from __future__ import annotations

import sys
from pathlib import Path

APP_ICON_SIZES_PX = (16, 24, 32, 48, 64, 128, 256, 512)
TRAY_ICON_SIZES_PX = (16, 22, 24, 32, 48, 64)
# Tray states, from calm to alarming, plus "stale": data too old or monitoring paused.
TRAY_SEVERITIES = ("ok", "info", "warning", "critical", "stale")


def assets_dir() -> Path:
    """The folder that holds the image files, in a checkout, an installed package or a frozen app."""
    bundle_root = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle_root:
        frozen_dir = Path(bundle_root) / "desktop_app" / "assets"
        if frozen_dir.is_dir():
            return frozen_dir
    return Path(__file__).resolve().parent


def asset_path(name: str) -> Path:
    """The path of the bundled file `name` (a bare file name such as "riskdesk.svg").

    May raise: ValueError (a name with a folder part), FileNotFoundError (no such file).
    """
    if not name or Path(name).name != name or name in {".", ".."}:
        raise ValueError(f"not a bare asset file name: {name!r}")
    path = assets_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"RiskDesk asset {name!r} is missing from {path.parent}")
    return path


def app_icon_svg() -> Path:
    """The scalable app icon (for window icons at any size). May raise: FileNotFoundError."""
    return asset_path("riskdesk.svg")


def app_icon_pngs() -> tuple[Path, ...]:
    """The rendered app icon, one PNG per size in APP_ICON_SIZES_PX, smallest first; add them all
    to one QIcon so small sizes use the hand-simplified drawing. May raise: FileNotFoundError."""
    return tuple(asset_path(f"riskdesk-{size}.png") for size in APP_ICON_SIZES_PX)


def _check_severity(severity: str) -> str:
    if severity not in TRAY_SEVERITIES:
        raise ValueError(f"unknown tray severity {severity!r}; expected one of {', '.join(TRAY_SEVERITIES)}")
    return severity


def tray_icon_svg(severity: str) -> Path:
    """The scalable tray icon for a severity in TRAY_SEVERITIES.

    May raise: ValueError (unknown severity), FileNotFoundError.
    """
    return asset_path(f"tray-{_check_severity(severity)}.svg")


def tray_icon_pngs(severity: str) -> tuple[Path, ...]:
    """The rendered tray icon for a severity, one PNG per size in TRAY_ICON_SIZES_PX, smallest first.

    May raise: ValueError (unknown severity), FileNotFoundError.
    """
    _check_severity(severity)
    return tuple(asset_path(f"tray-{severity}-{size}.png") for size in TRAY_ICON_SIZES_PX)
