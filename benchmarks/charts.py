"""Frame time of the history charts while panning a week of 5-second samples for 20 accounts.

7 days at 5 s is 120,960 points per curve; with 20 accounts the widget holds 1 total equity curve,
20 equity curves, 20 MM-rate curves and 4 exposure curves (45 curves, 5.4 million points). Each
frame pans the X range by a step and lets the event loop repaint; the script prints the median and
p95 wall and CPU time per frame (target <= 33 ms, i.e. 30 frames per second) for a 24-hour window
sliding over the week and for the whole week in view, plus the time of one full `render_now`
(every curve's `setData`), which happens on each history reload.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/charts.py [--accounts 20] [--frames 100]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtWidgets import QApplication, QLabel

from desktop_app.ui.charts.data import ChartData, NamedSeries
from desktop_app.ui.charts.history_view import HistoryChartsWidget
from desktop_app.ui.charts.synthetic import synthetic_history

END_S = 1_790_000_000.0
WEEK_S = 7 * 86_400.0


def pin_none_if_leaking(app: QApplication) -> bool:
    """PySide6 6.12.0 on CPython 3.11 returns `None` from every void method without a reference, so
    after ~16,000 Qt calls CPython aborts with "deallocating None". Where the probe sees the defect,
    give None a huge reference count (what CPython 3.12 does by making it immortal)."""
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(10):
        label.setText("")
    if sys.getrefcount(None) >= before:
        return False
    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 48  # ob_refcnt is the first field
    return True


def _each_series(data: ChartData, change: Callable[[NamedSeries], NamedSeries]) -> ChartData:
    return ChartData(change(data.total_equity_usd), tuple(map(change, data.equity_usd)),
                     tuple(map(change, data.mm_rate)), tuple(map(change, data.net_exposure_usd)))


def appended(data: ChartData) -> ChartData:
    """Every series one 5-second sample longer, in new arrays: what a reload hands over."""
    def grow(series: NamedSeries) -> NamedSeries:
        return NamedSeries(series.name, np.append(series.times_s, series.times_s[-1] + 5.0),
                           np.append(series.values, series.values[-1]))
    return _each_series(data, grow)


def shifted(data: ChartData) -> ChartData:
    """The history one sample later at both ends: no curve can reuse its min/max pyramid."""
    return _each_series(data, lambda s: NamedSeries(s.name, s.times_s + 5.0, s.values.copy()))


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def pan(widget: HistoryChartsWidget, app: QApplication, start_s: float, span_s: float, step_s: float,
        frames: int) -> tuple[list[float], list[float]]:
    """Pan `frames` times by `step_s` (back and forth inside the week), as a mouse drag does: set the
    X range, then let the event loop run the range-change handlers and paint. Returns the wall and
    the CPU milliseconds per frame (CPU time is what the frame costs on an idle machine)."""
    plot = widget.exposure_plot.item
    wall_ms, cpu_ms = [], []
    position = start_s
    direction = 1.0
    for _ in range(frames):
        if not END_S - WEEK_S <= position + direction * step_s <= END_S - span_s + 1:
            direction = -direction
        position += direction * step_s
        wall, cpu = time.perf_counter(), time.process_time()
        plot.setXRange(position, position + span_s, padding=0.0)  # every plot redraws its visible part
        app.processEvents()  # the paint the range change scheduled
        wall_ms.append((time.perf_counter() - wall) * 1000)
        cpu_ms.append((time.process_time() - cpu) * 1000)
    return wall_ms, cpu_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--size", default="1280x900", help="widget size, WxH")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    if pin_none_if_leaking(app):
        print("note: this Qt binding leaks references to None; pinned None for the run")
    began = time.perf_counter()
    data = synthetic_history(accounts=args.accounts, days=7.0, step_s=5.0, end_s=END_S, seed=7)
    points = data.total_equity_usd.times_s.size
    curves = 1 + len(data.equity_usd) + len(data.mm_rate) + len(data.net_exposure_usd)
    print(f"synthetic history: {curves} curves x {points:,} points "
          f"({curves * points / 1e6:.1f} M points) in {time.perf_counter() - began:.2f} s")

    widget = HistoryChartsWidget(clock=lambda: END_S)
    width, height = (int(v) for v in args.size.split("x"))
    widget.resize(width, height)
    widget.show()
    widget.set_series(data)
    renders_ms = []
    for _ in range(5):
        began = time.perf_counter()
        widget.render_now()
        app.processEvents()
        renders_ms.append((time.perf_counter() - began) * 1000)
    print(f"full render (setData on {curves} curves + paint): median {statistics.median(renders_ms):.1f} ms, "
          f"max {max(renders_ms):.1f} ms over {len(renders_ms)}")
    # A reload that brought a new sample (every 5 s while the tab is shown): each curve extends its
    # min/max pyramid; and data that does not continue the old (another range read): all rebuilt.
    for label, change in (("a reload adding a sample (pyramids extended)", appended),
                          ("other data (pyramids rebuilt)", shifted)):
        reloads_ms, current = [], data
        for _ in range(5):
            current = change(current)
            widget.set_series(current)
            began = time.perf_counter()
            widget.render_now()
            app.processEvents()
            reloads_ms.append((time.perf_counter() - began) * 1000)
        print(f"render of {label}: median {statistics.median(reloads_ms):.1f} ms, "
              f"max {max(reloads_ms):.1f} ms over {len(reloads_ms)}")
    widget.set_series(data)  # the panning below is measured on the original week, as always
    widget.render_now()

    widget.set_range("24 h")
    pan(widget, app, END_S - 86_400, 86_400, 600, 5)  # warm-up
    day = pan(widget, app, END_S - WEEK_S, 86_400, 1800, args.frames)
    widget.set_range("7 d")
    week = pan(widget, app, END_S - WEEK_S, WEEK_S, 1800, args.frames)
    for label, (wall, cpu) in (("24 h window", day), ("7 d window", week)):
        p95 = percentile(wall, 0.95)
        verdict = "OK" if p95 <= 33.0 else "over the 33 ms target"
        print(f"pan {label}: wall median {statistics.median(wall):.1f} ms, p95 {p95:.1f} ms; "
              f"CPU median {statistics.median(cpu):.1f} ms, p95 {percentile(cpu, 0.95):.1f} ms "
              f"per frame over {len(wall)} frames ({verdict})")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average while measuring: {load:.2f} on {os.cpu_count()} CPUs "
          "(wall times grow with other work on the machine; CPU times do not)")
    widget.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
