"""How long an explorer takes from a slider move to the new PNG on screen (the kernel's part).

For every control of every explorer of the course: 20 moves spread over the control's range
(a checkbox: 20 toggles; a dropdown: its options in turn), each timed from setting
``control.value`` to the finished PNG in the explorer's image widget; that is what a learner waits
for, less the browser's few milliseconds to show an image. The target is a median under 100 ms.

    python benchmarks/redraw_latency.py

Exits with status 1 if a median misses the target.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from course_lib import widgets  # noqa: E402

TARGET_MS = 100.0
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


def time_moves(explorer, control) -> list:
    """Seconds from each move to the PNG it produced."""
    seconds = []
    for value in values_across(control):
        if value == control.value:
            continue  # no change, no redraw: nothing to time
        renders = explorer.renders
        start = time.perf_counter()
        control.value = value
        seconds.append(time.perf_counter() - start)
        assert explorer.renders == renders + 1, "the move did not render"
    return seconds


def main() -> int:
    print(f"Redraw latency, slider move → PNG, {MOVES} moves per control; {os.cpu_count()} CPU cores\n")
    header = f"{'explorer':<19} {'control':<16} {'median ms':>9} {'p90 ms':>7} {'max ms':>7} {'PNG kB':>7}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for name, make in EXPLORERS.items():
        explorer = make()
        for control_name, control in explorer.controls.items():
            milliseconds = 1000 * np.array(time_moves(explorer, control))
            median = float(np.median(milliseconds))
            worst = max(worst, median)
            print(f"{name:<19} {control_name:<16} {median:>9.1f} {np.percentile(milliseconds, 90):>7.1f} "
                  f"{milliseconds.max():>7.1f} {len(explorer.image.value) / 1000:>7.1f}")
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    print(f"\nslowest median {worst:.1f} ms: {verdict} the target of {TARGET_MS:.0f} ms")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
