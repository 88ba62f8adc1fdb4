"""Bring the translation catalogues in line with the source, then compile them.

    .venv/bin/python tools/i18n_update.py          # lupdate + lrelease for every language
    .venv/bin/python tools/i18n_update.py --check  # exit 1 if the .ts or .qm files are out of date

`pyside6-lupdate` collects every `self.tr(...)`, `tr(...)`, `translate("Context", ...)` and
`QT_TRANSLATE_NOOP(...)` text of desktop_app/ into desktop_app/i18n/riskdesk_<lang>.ts (new texts
arrive marked unfinished; texts gone from the source are dropped), and `pyside6-lrelease` compiles
each .ts into the .qm the window loads. Translate the unfinished entries with Qt Linguist
(`pyside6-linguist`) or any editor, then run this again.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop_app import i18n  # noqa: E402

SOURCE_DIR = ROOT / "desktop_app"
TRANSLATED = tuple(lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE)


def tool(name: str) -> str:
    """The Qt tool beside this Python (the venv's), else on PATH."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else name


def lupdate(ts_files: list[Path]) -> None:
    # No source locations: line numbers would change the .ts on every edit of a source file.
    subprocess.run([tool("pyside6-lupdate"), "-silent", "-locations", "none", "-no-obsolete",
                    "-extensions", "py", str(SOURCE_DIR), "-ts", *map(str, ts_files)], check=True)


def lrelease(ts_file: Path, qm_file: Path) -> None:
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts_file), "-qm", str(qm_file)], check=True)


def update() -> None:
    ts_files = [i18n.catalog_path(lang, ".ts") for lang in TRANSLATED]
    lupdate(ts_files)
    for lang, ts_file in zip(TRANSLATED, ts_files, strict=True):
        lrelease(ts_file, i18n.catalog_path(lang, ".qm"))


def stale_files(*, qm: bool = True) -> list[str]:
    """The catalogues that `update` would change (checked in a scratch copy); `qm` False leaves the
    compiled files out (their bytes may differ between Qt versions; the tests compare their content)."""
    stale = []
    with tempfile.TemporaryDirectory() as scratch:
        for lang in TRANSLATED:
            ts_file, qm_file = i18n.catalog_path(lang, ".ts"), i18n.catalog_path(lang, ".qm")
            copy_ts, copy_qm = Path(scratch) / ts_file.name, Path(scratch) / qm_file.name
            shutil.copyfile(ts_file, copy_ts)
            lupdate([copy_ts])
            if not filecmp.cmp(ts_file, copy_ts, shallow=False):
                stale.append(ts_file.name)
            if not qm:
                continue
            lrelease(ts_file, copy_qm)
            if not qm_file.exists() or not filecmp.cmp(qm_file, copy_qm, shallow=False):
                stale.append(qm_file.name)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report catalogues that are out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for name in stale:
            print(f"out of date: {name} (run tools/i18n_update.py)")
        return 1 if stale else 0
    update()
    return 0


if __name__ == "__main__":
    sys.exit(main())
