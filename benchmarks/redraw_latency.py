"""How long an explorer takes from a slider move to the new PNG (the kernel's part of a move).

For every control of every explorer of the course: 20 moves spread over the control's range
(a checkbox: 20 toggles; a dropdown: its options in turn), each timed from setting
``control.value`` to the finished PNG in the explorer's image widget; that is what a learner waits
for, less the trip to the browser and its drawing of the image (tests/test_browser.py times the
whole way, from the key press to the new image painted).

Targets, per control: median < 40 ms, 90th percentile < 60 ms; and, with --full-redraw, at least
3× faster than drawing the whole figure at every move (the explorers' ``blit = False``), measured
on the same moves in the same run.

    python benchmarks/redraw_latency.py                  # blitted redraws only
    python benchmarks/redraw_latency.py --full-redraw    # and the full redraws, and the ratio
    python benchmarks/redraw_latency.py --encodings      # PNG and JPEG encodings of each figure
    python benchmarks/redraw_latency.py --cpu-time       # by CPU time, where others load the machine

The machine's load average is printed first: other programs on a 2-core machine slow every draw.
Exits with status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from course_lib import widgets  # noqa: E402

MEDIAN_TARGET_MS = 40.0
P90_TARGET_MS = 60.0
RATIO_TARGET = 3.0
MOVES = 20


def curves_explorer() -> widgets.CurvesExplorer:
    """Lesson 08's explorer over a stored sweep: 3 optimizers × 5 learning rates, 10 epochs on the digits."""
    from course_lib import nn
    from course_lib.data import load_digits
    from course_lib.optim import SGD, Adam, Momentum

    digits = load_digits(seed=0)
    results = {}
    for optimizer, middle in ((SGD, 0.1), (Momentum, 0.01), (Adam, 0.001)):
        for lr in middle * 10.0 ** (np.arange(-2, 3) / 2):
            rng = np.random.default_rng(0)
            _, results[optimizer.__name__, lr] = nn.train(
                nn.init_mlp([64, 32, 10], rng), optimizer(lr=lr), digits.X_train, digits.y_train, epochs=10,
                batch_size=32, rng=rng, X_val=digits.X_val, y_val=digits.y_val)
    return widgets.CurvesExplorer(results)


EXPLORERS = {
    "gd_explorer": widgets.gd_explorer,
    "momentum_explorer": widgets.momentum_explorer,
    "rmsprop_explorer": widgets.rmsprop_explorer,
    "adam_explorer": widgets.adam_explorer,
    "BatchSizeExplorer": widgets.BatchSizeExplorer,
    "EMAExplorer": widgets.EMAExplorer,
    "ScheduleExplorer": widgets.ScheduleExplorer,
    "CurvesExplorer": curves_explorer,
    "epsilon_explorer": widgets.epsilon_explorer,
}


def values_across(control) -> list:
    """MOVES values spread over the control's range, visited low to high (no two alike in a row)."""
    if hasattr(control, "options"):  # a dropdown: its options in turn, from the one after the current
        options = [option[1] if isinstance(option, tuple) else option for option in control.options]  # (label, value)
        start = options.index(control.value) + 1
        return [options[(start + i) % len(options)] for i in range(MOVES)]
    if not hasattr(control, "min"):  # a checkbox
        return [bool(i % 2) != control.value for i in range(MOVES)]
    if hasattr(control, "base"):  # a log-scale slider: min and max are exponents
        return list(control.base ** np.linspace(control.min, control.max, MOVES))
    values = np.linspace(control.min, control.max, MOVES)
    return [int(v) for v in np.round(values)] if isinstance(control.value, int) else list(values)


def time_moves(explorer, control, values: list, clock=time.perf_counter) -> list:
    """Seconds from each move to the PNG it produced, by `clock`."""
    seconds = []
    for value in values:
        if value == control.value:
            continue  # no change, no redraw: nothing to time
        renders = explorer.renders
        start = clock()
        control.value = value
        seconds.append(clock() - start)
        assert explorer.renders == renders + 1, "the move did not render"
    return seconds


def encodings(explorer, clock=time.perf_counter) -> str:
    """The explorer's current figure encoded each way: milliseconds (median of 10) and kB."""
    from PIL import Image

    pixels = explorer.pixels()
    rgb = Image.fromarray(pixels[..., :3])

    def pil(**options):
        buffer = io.BytesIO()
        rgb.save(buffer, **options)
        return buffer.getvalue()

    ways = {"PNG zlib 1 (used)": lambda: widgets.encode_png(pixels),
            "PNG zlib 6 (matplotlib)": lambda: pil(format="png", compress_level=6),
            "JPEG q90 4:4:4": lambda: pil(format="jpeg", quality=90, subsampling=0),
            "JPEG q90 4:2:0": lambda: pil(format="jpeg", quality=90)}
    results = []
    for name, encode in ways.items():
        times = []
        for _ in range(10):
            start = clock()
            data = encode()
            times.append(clock() - start)
        results.append(f"{name} {1000 * np.median(times):.1f} ms {len(data) / 1000:.0f} kB")
    return "; ".join(results)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full-redraw", action="store_true",
                        help="also time drawing the whole figure at every move, and print the ratio")
    parser.add_argument("--encodings", action="store_true", help="time PNG and JPEG encodings of each figure")
    parser.add_argument("--only", nargs="*", help="only these explorers (names as printed)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time by the CPU time of this process, not the wall clock: on a machine loaded by "
                             "other programs, close to what the wall clock shows on a quiet one")
    args = parser.parse_args(argv)
    clock = time.process_time if args.cpu_time else time.perf_counter
    print(f"Redraw latency, slider move → PNG ({'CPU time' if args.cpu_time else 'wall clock'}), "
          f"{MOVES} moves per control; {os.cpu_count()} CPU cores, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    header = f"{'explorer':<19} {'control':<16} {'median ms':>9} {'p90 ms':>7} {'max ms':>7} {'PNG kB':>7}"
    if args.full_redraw:
        header += f" {'full median':>11} {'full p90':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    worst_median = worst_p90 = 0.0
    worst_ratio = np.inf
    for name, make in EXPLORERS.items():
        if args.only and name not in args.only:
            continue
        explorer = make()
        for control_name, control in explorer.controls.items():
            values = values_across(control)
            milliseconds = 1000 * np.array(time_moves(explorer, control, values, clock))
            median, p90 = float(np.median(milliseconds)), float(np.percentile(milliseconds, 90))
            worst_median, worst_p90 = max(worst_median, median), max(worst_p90, p90)
            line = (f"{name:<19} {control_name:<16} {median:>9.1f} {p90:>7.1f} {milliseconds.max():>7.1f} "
                    f"{len(explorer.image.value) / 1000:>7.1f}")
            if args.full_redraw:  # the same moves again, back from where the blitted ones ended
                explorer.blit = False
                full = 1000 * np.array(time_moves(explorer, control, values[::-1], clock))
                explorer.blit = True
                ratio = float(np.median(full)) / median
                worst_ratio = min(worst_ratio, ratio)
                line += f" {np.median(full):>11.1f} {np.percentile(full, 90):>8.1f} {ratio:>6.1f}"
            print(line)
        if args.encodings:
            print(f"{'':<19} encoded: {encodings(explorer, clock)}")
    misses = []
    if worst_median >= MEDIAN_TARGET_MS:
        misses.append(f"a median of {worst_median:.1f} ms (target < {MEDIAN_TARGET_MS:.0f})")
    if worst_p90 >= P90_TARGET_MS:
        misses.append(f"a p90 of {worst_p90:.1f} ms (target < {P90_TARGET_MS:.0f})")
    if args.full_redraw and worst_ratio < RATIO_TARGET:
        misses.append(f"a speed-up of only {worst_ratio:.1f}× over the full redraw (target ≥ {RATIO_TARGET:.0f}×)")
    ratio = f", blitting at least {worst_ratio:.1f}× faster than full redraws" if args.full_redraw else ""
    print(f"\nslowest median {worst_median:.1f} ms, slowest p90 {worst_p90:.1f} ms{ratio}: "
          + ("MISSES the targets with " + "; ".join(misses) if misses else "meets the targets"))
    print(f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
