"""What the demo window holds in memory, and what takes it.

Run: QT_QPA_PLATFORM=offscreen python benchmarks/memory.py [--seconds 20] [--tracemalloc]
Target: the demo window (`riskdesk --demo`: the window, its worker and the embedded simulator) holds
<= 150 MiB once it has run for a while.

Prints the process's resident memory (RSS) and its unique part (USS: what closing the app would give
back; shared libraries count in full in RSS), split by mapping from /proc/self/smaps: the Python heap
and other anonymous memory, each large shared library, and files. With --tracemalloc, the Python
allocations still alive at the end by the file that made them (tracemalloc's own bookkeeping is left
out; it slows the start, so its RSS is not the figure to compare). Linux only (/proc).
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# As `riskdesk` starts: desktop_app.ui imports the Qt-free core before anything imports PySide6.
import desktop_app.ui  # noqa: F401

MIB = 1024 * 1024
TARGET_MIB = 150.0


def smaps(pid: int | str = "self") -> dict[str, tuple[int, int]]:
    """(RSS, USS) in bytes per mapping name ("[anon]" for the heap and anonymous memory)."""
    totals: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    name = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if not parts:
            continue
        if not parts[0].endswith(":"):  # a mapping's header: address perms offset dev inode [path]
            name = parts[5] if len(parts) > 5 else "[anon]"
            if name.startswith("[") and name != "[stack]":  # [heap], [vvar], ...: anonymous memory
                name = "[anon]"
            continue
        if parts[0] == "Rss:":
            totals[name][0] += int(parts[1]) * 1024
        elif parts[0] in ("Private_Clean:", "Private_Dirty:"):
            totals[name][1] += int(parts[1]) * 1024
    return {k: (v[0], v[1]) for k, v in totals.items()}


def group(mappings: dict[str, tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Mappings by what they are: anonymous memory, each library bundle, other files."""
    groups: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for name, (rss, uss) in mappings.items():
        if name == "[anon]":
            key = "anonymous (Python heap, numpy arrays, Qt's own allocations, thread stacks)"
        elif "PySide6" in name or "shiboken6" in name or "/Qt" in name or "libQt" in name:
            key = "Qt / PySide6 libraries"
        elif "numpy" in name:
            key = "numpy libraries"
        elif "cryptography" in name or "libssl" in name or "libcrypto" in name:
            key = "OpenSSL / cryptography"
        elif ".so" in name:
            key = "other shared libraries"
        else:
            key = "other files (fonts, locale, .pyc, ...)"
        groups[key][0] += rss
        groups[key][1] += uss
    return [(k, v[0], v[1]) for k, v in groups.items()]


def print_split(title: str, mappings: dict[str, tuple[int, int]]) -> None:
    rss = sum(r for r, _ in mappings.values())
    uss = sum(u for _, u in mappings.values())
    print(f"{title}: RSS {rss / MIB:.1f} MiB, USS {uss / MIB:.1f} MiB")
    for key, key_rss, key_uss in sorted(group(mappings), key=lambda row: -row[1]):
        print(f"  {key_rss / MIB:7.1f} MiB RSS {key_uss / MIB:7.1f} MiB USS  {key}")
    libraries = sorted(((r, n) for n, (r, _) in mappings.items() if n != "[anon]"), reverse=True)[:6]
    for lib_rss, name in libraries:
        print(f"      {lib_rss / MIB:6.1f} MiB  {Path(name).name}")


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
        "keepcost")]


def print_heap() -> None:
    """glibc's view of the C heap: in use, free but kept, and what malloc_trim gives back (the heap
    of a long-running process with many threads keeps freed memory in per-thread arenas)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
    except (OSError, AttributeError):
        return
    info = libc.mallinfo2()
    print(f"C heap (glibc): {info.uordblks / MIB:.1f} MiB in use, {info.fordblks / MIB:.1f} MiB free but "
          f"kept, {info.hblkhd / MIB:.1f} MiB in mmapped blocks")
    before = sum(r for r, _ in smaps().values())
    libc.malloc_trim(0)
    after = sum(r for r, _ in smaps().values())
    print(f"malloc_trim(0) would give back {(before - after) / MIB:.1f} MiB of RSS")


def run_demo(seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.storage.paths import AppPaths
    from desktop_app.ui.app import build_window
    from desktop_app.ui.context import demo_context
    from desktop_app.ui.demo import sim_account_specs, start_demo_simulator

    app = QApplication.instance() or QApplication(["riskdesk-memory"])  # noqa: F841 - outlives the window
    sim = start_demo_simulator()
    try:
        with tempfile.TemporaryDirectory() as config_dir:
            context = demo_context(AppPaths.portable(config_dir), sim_account_specs(sim))
            window = build_window(context, start=True)
            window.resize(1600, 1000)
            window.show()
            loop = QEventLoop()
            QTimer.singleShot(int(seconds * 1000), loop.quit)
            loop.exec()
            print_split(f"demo window after {seconds:g} s", smaps())
            print_heap()
            window.close()
    finally:
        sim.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--tracemalloc", action="store_true", help="also list Python allocations by file")
    args = parser.parse_args()
    if args.tracemalloc:
        tracemalloc.start(1)
    began = time.perf_counter()
    run_demo(args.seconds)
    if args.tracemalloc:
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen *>")])
        stats = snapshot.statistics("filename")
        total = sum(s.size for s in stats)
        print(f"Python allocations alive (tracemalloc): {total / MIB:.1f} MiB; by file:")
        for stat in stats[:15]:
            where = stat.traceback[0].filename
            short = where.split("site-packages/")[-1].split("wt-20/")[-1]
            print(f"  {stat.size / MIB:6.2f} MiB  {short}")
    rss = sum(r for r, _ in smaps().values())
    print(f"RSS at the end: {rss / MIB:.1f} MiB (target <= {TARGET_MIB:g} MiB); "
          f"{time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
