"""packaging/trim_icu.py: which ICU data items the Linux build drops, and that Qt still collates,
maps case and names time zones with the trimmed library in place of the wheel's."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_trim_icu() -> ModuleType:
    spec = importlib.util.spec_from_file_location("trim_icu", ROOT / "packaging" / "trim_icu.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


trim_icu = _load_trim_icu()


@pytest.mark.parametrize("item", [
    "brkitr/cjdict.dict", "brkitr/root.res", "unit/de.res", "curr/en.res", "lang/fr.res",
    "region/en.res", "translit/root.res", "rbnf/en.res",  # families Qt never reads
    "ibm-1252_P100-2000.cnv", "gb18030.cnv", "rfc3491.spp", "confusables.cfu", "unames.icu",
    "de.res", "zh_Hant_TW.res", "coll/de.res", "coll/de__PHONEBOOK.res", "coll/es_.res",
    "zone/fr_CA.res", "ars.res",  # other locales fall back to root
])
def test_dropped_items(item: str) -> None:
    assert trim_icu.is_dropped(item)


@pytest.mark.parametrize("item", [
    "root.res", "en.res", "en_US.res", "en_US_POSIX.res", "en_001.res", "pool.res", "res_index.res",
    "coll/root.res", "coll/en.res", "coll/ucadata.icu", "coll/res_index.res",
    "zone/root.res", "zone/en.res", "zone/en_GB.res", "zone/pool.res", "zone/tzdbNames.res",
    "cnvalias.icu", "nfkc.nrm", "uts46.nrm", "supplementalData.res", "metaZones.res",
    "timezoneTypes.res", "zoneinfo64.res", "windowsZones.res", "likelySubtags.res", "icuver.res",
])
def test_kept_items(item: str) -> None:
    assert not trim_icu.is_dropped(item)


def _wheel_icu_data() -> Path:
    qt_lib = Path(__import__("PySide6").__file__).parent / "Qt" / "lib"
    found = sorted(qt_lib.glob("libicudata.so.*"))
    if not sys.platform.startswith("linux") or not found:
        pytest.skip("the PySide6 wheel bundles ICU on Linux only")
    return found[0]


PROBE = textwrap.dedent("""
    from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone
    english = QCollator(QLocale("en_US"))
    print(english.compare("apple", "Banana") < 0, english.compare("\u00e4b", "az") < 0)
    print(QLocale("tr_TR").toUpper("i") == "\u0130", QLocale("en_US").toUpper("i") == "I")
    berlin = QTimeZone(b"Europe/Berlin")
    for locale in ("en_US", "de_DE"):
        print(berlin.displayName(QTimeZone.StandardTime, QTimeZone.LongName, QLocale(locale)))
    print(QStringDecoder("UTF-8").isValid())
""")


def test_qt_works_with_the_trimmed_library(tmp_path: Path) -> None:
    missing = [tool for tool in ("readelf", "gcc", "icupkg") if shutil.which(tool) is None]
    if missing:  # a developer machine without the build tools; .ci/run installs them, so CI runs this
        pytest.skip(f"needs the Linux build tools (Debian: binutils gcc icu-devtools); missing {missing}")
    wheel_library = _wheel_icu_data()
    trimmed = tmp_path / wheel_library.name
    kept, dropped, data_size = trim_icu.trim(wheel_library, trimmed)
    assert dropped > kept > 100
    assert data_size < 5_000_000 < wheel_library.stat().st_size
    # The preloaded library carries the same soname, so the dynamic linker uses it for Qt's
    # libicudata dependency instead of the wheel's copy next to libQt6Core.
    env = {**os.environ, "LD_PRELOAD": str(trimmed), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                            timeout=60, check=True)
    lines = result.stdout.splitlines()
    # Root collation orders case-insensitively first and puts a-umlaut with a: apple < Banana, \u00e4b < az.
    assert lines[0] == "True True"
    # Turkish dotted capital I comes from ICU's case-mapping code, which needs no data items.
    assert lines[1] == "True True"
    assert lines[2] == "Central European Standard Time"  # zone/en.res + metaZones.res were kept
    # German zone names were dropped, so ICU falls back to root/English. This line also proves that
    # the probe ran on the trimmed library: the wheel's full data says "Mitteleurop\u00e4ische Normalzeit".
    assert lines[3] == "Central European Standard Time"
    assert lines[4] == "True"
