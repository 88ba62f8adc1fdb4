"""Saving a CSV export: ask where (in the documents folder, under a name with the data's time), write
it as UTF-8, and say plainly when it cannot be written. The window's exports and the journal's share it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop_app.i18n import tr


def save_csv(parent: QWidget, title: str, stem: str, stamp_s: float,
             render: Callable[[], str]) -> Path | None:
    """Ask for a file (suggested: riskdesk-`stem`-YYYYmmdd-HHMMSS.csv, the local time of `stamp_s`) and
    write `render()` to it; the path written, or None when the user cancelled or writing failed."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(stamp_s))
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    suggested = str(Path(folder) / f"riskdesk-{stem}-{stamp}.csv")
    chosen, _ = QFileDialog.getSaveFileName(parent, title, suggested, tr("CSV files (*.csv)"))
    if not chosen:
        return None
    path = Path(chosen)
    try:
        # newline="": the CSV text already has RFC 4180 line ends; no translation on Windows.
        path.write_text(render(), encoding="utf-8", newline="")
    except OSError as exc:
        QMessageBox.warning(parent, title, tr("Could not write {path}: {reason}").format(
            path=path, reason=exc.strerror or type(exc).__name__))
        return None
    return path
