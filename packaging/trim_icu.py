"""Shrink the ICU data library that the PySide6 wheel bundles (libicudata, 32 MB) to what Qt uses.

Qt Core links ICU, but on Linux it calls ICU only for case mapping (algorithmic, no data),
collation (QCollator), time-zone display names and canonical IDs (QTimeZone), and named text
codecs (QStringConverter). RiskDesk uses none of these beyond English and UTF-8, while the library
carries every locale's break-iterator dictionaries, unit, currency, language and region names,
transliterators and 200 legacy code pages. This script keeps the data Qt's calls can reach, for the
root locale and English, and drops the rest; a lookup for another locale falls back to root, which
is how ICU treats any locale it was built without (English names, CLDR root collation order).

How: the library is a single exported array `icudtNN_dat` in ICU's common-data format. The script
cuts that array out of the ELF file, removes items with ICU's own `icupkg` (Debian: icu-devtools),
and assembles a new shared library that exports the smaller array under the same symbol and soname,
so libicuuc loads it exactly as before.

    python packaging/trim_icu.py dist/RiskDesk/_internal/PySide6/Qt/lib/libicudata.so.73 [--out FILE]

Without --out the library is replaced in place. Needs readelf (binutils), gcc and icupkg.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Whole item families Qt never asks ICU for: line/word break rules and dictionaries (QTextBoundary
# Finder is Qt's own), measurement units, display names of currencies, languages and regions,
# transliterators and number spell-out rules.
DROPPED_TREES = ("brkitr/", "unit/", "curr/", "lang/", "region/", "translit/", "rbnf/")
# Converter tables (.cnv): Qt converts UTF-8/16/32 and Latin-1 itself, and nothing in RiskDesk asks
# QStringConverter for another codec by name. StringPrep profiles (.spp), the spoof checker's
# confusables and Unicode character names are used by no Qt API.
DROPPED_SUFFIXES = (".cnv", ".spp", ".cfu")
DROPPED_NAMES = ("unames.icu",)
# Locale bundles (top level, coll/ and zone/) that stay: the root every lookup falls back to, and
# English, the UI's language. `res_index` lists the locales and `pool` holds their shared strings.
KEPT_LOCALES = re.compile(r"^(root|en|en_[A-Za-z0-9_]+|res_index|pool)\.res$")
LOCALE_BUNDLE = re.compile(r"^(?:coll/|zone/)?[a-z]{2,3}(?:_[A-Za-z0-9]*)*\.res$")
LOCALE_DIRS = ("coll/", "zone/")


def is_dropped(item: str) -> bool:
    """Whether an item of the ICU data package (e.g. "coll/de.res") is left out."""
    if item.startswith(DROPPED_TREES) or item.endswith(DROPPED_SUFFIXES) or item in DROPPED_NAMES:
        return True
    base = item.rsplit("/", 1)[-1]
    in_locale_dir = item.startswith(LOCALE_DIRS)
    if "/" in item and not in_locale_dir:
        return False
    return bool(LOCALE_BUNDLE.match(item)) and not KEPT_LOCALES.match(base)


def _run(args: list[str]) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def data_symbol(library: Path) -> tuple[str, int, int]:
    """(symbol name, file offset, size in bytes) of the `icudtNN_dat` array in an ICU data library.

    May raise: ValueError when the file is not an ICU data library."""
    symbols = _run(["readelf", "--dyn-syms", "-W", str(library)])
    found = re.search(r"^\s*\d+:\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+\w+\s+(\d+)\s+"
                      r"(icudt\d+_dat)\s*$", symbols, re.MULTILINE)
    if found is None:
        raise ValueError(f"{library.name}: no exported icudtNN_dat array")
    address, size, section_index, name = (int(found[1], 16), int(found[2], 0), int(found[3]), found[4])
    sections = _run(["readelf", "-S", "-W", str(library)])
    row = re.search(rf"^\s*\[\s*{section_index}\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)", sections,
                    re.MULTILINE)
    if row is None:
        raise ValueError(f"{library.name}: section {section_index} of {name} not found")
    section_address, section_offset = int(row[1], 16), int(row[2], 16)
    return name, address - section_address + section_offset, size


def trim(library: Path, out: Path) -> tuple[int, int, int]:
    """Write a trimmed copy of `library` to `out`. Returns (items kept, items dropped, new data size).

    May raise: ValueError (not an ICU data library), subprocess.CalledProcessError (a tool failed)."""
    symbol, offset, size = data_symbol(library)
    soname = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", _run(["readelf", "-d", str(library)]))
    if soname is None:
        raise ValueError(f"{library.name}: no soname")
    with tempfile.TemporaryDirectory(prefix="riskdesk-icu-") as work_dir:
        work = Path(work_dir)
        # icupkg takes the package name ("icudt73l": version, then l for little-endian) from the file
        # name, and every item's name in the table of contents starts with it.
        package = f"{symbol.removesuffix('_dat')}{'l' if sys.byteorder == 'little' else 'b'}.dat"
        (work / "out").mkdir()
        full, small = work / package, work / "out" / package
        with library.open("rb") as handle:
            handle.seek(offset)
            full.write_bytes(handle.read(size))
        items = _run(["icupkg", "-l", str(full)]).split()
        dropped = [item for item in items if is_dropped(item)]
        (work / "dropped.txt").write_text("\n".join(dropped) + "\n", encoding="utf-8")
        # icupkg reads a removal list from a file whose name ends in .txt.
        subprocess.run(["icupkg", "-r", str(work / "dropped.txt"), str(full), str(small)], check=True,
                       capture_output=True, cwd=work)
        assembly = work / "icudata.S"
        assembly.write_text(
            "\t.section .rodata\n"
            f"\t.globl {symbol}\n\t.type {symbol}, @object\n"
            "\t.balign 16\n"  # ICU reads the header and tables in place, so align as ICU's own build does
            f"{symbol}:\n\t.incbin \"{small}\"\n\t.size {symbol}, . - {symbol}\n"
            '\t.section .note.GNU-stack,"",@progbits\n',  # no executable stack
            encoding="utf-8")
        built = work / soname[1]
        subprocess.run(["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{soname[1]}", "-Wl,-z,noexecstack",
                        "-o", str(built), str(assembly)], check=True, capture_output=True, cwd=work)
        shutil.copyfile(built, out)
        return len(items) - len(dropped), len(dropped), small.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path, help="libicudata.so.NN to trim")
    parser.add_argument("--out", type=Path, help="write here instead of replacing the library")
    args = parser.parse_args(argv)
    for tool in ("readelf", "gcc", "icupkg"):
        if shutil.which(tool) is None:
            print(f"trim_icu.py: '{tool}' is required (Debian: binutils, gcc, icu-devtools)", file=sys.stderr)
            return 2
    before = args.library.stat().st_size
    out = args.out or args.library
    kept, dropped, data_size = trim(args.library, out)
    print(f"ICU data: kept {kept} items, dropped {dropped}; {args.library.name} "
          f"{before / 1e6:.1f} MB -> {out.stat().st_size / 1e6:.1f} MB (data {data_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
