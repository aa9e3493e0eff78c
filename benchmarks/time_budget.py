"""Is the course still fast enough? Times the whole test suite and each notebook in it.

    python benchmarks/time_budget.py            (inside the course's environment)

Runs the suite once, as `python3 course.py test` does, with pytest's per-test durations, and adds
them up per file: a notebook's time is that of all its cells under nbval (its kernel's start
included). Each lesson is compared with the budget its issue set; the whole suite with 120 s on
the 2-core machine. Exits with status 1 when anything is over budget. This is a measurement, not a
test: timings depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITE_BUDGET = 120.0
# seconds per lesson, from the issues that asked for them
LESSON_BUDGETS = {"00": 10, "01": 10, "02": 10, "03": 10, "04": 15, "05": 15, "06": 15, "07": 30, "08": 30, "09": 30}
DURATION = re.compile(r"^\s*([\d.]+)s (setup|call|teardown)\s+(\S+?)(?:::\S.*)?$")


def main() -> int:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "--durations=0", "--durations-min=0"],
                            cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    per_file = defaultdict(float)
    for line in result.stdout.splitlines():
        match = DURATION.match(line)
        if match:
            per_file[match.group(3)] += float(match.group(1))
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "pytest printed nothing")

    over = []
    print(f"\n{'file':<48} {'seconds':>8} {'budget':>7}")
    for name, seconds in sorted(per_file.items(), key=lambda item: -item[1]):
        budget = LESSON_BUDGETS.get(Path(name).name[:2]) if name.startswith("notebooks/") else None
        flag = ""
        if budget is not None and seconds > budget:
            over.append(name)
            flag = "  OVER"
        print(f"{name:<48} {seconds:>8.1f} {budget if budget is not None else '':>7}{flag}")
    print(f"\nwhole suite: {wall:.1f} s wall (budget {SUITE_BUDGET:.0f} s)")
    if wall > SUITE_BUDGET:
        over.append("the whole suite")
    if result.returncode != 0:
        print("the suite itself failed: see pytest's output above")
    if over:
        print("over budget: " + ", ".join(over))
    return 1 if over or result.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
