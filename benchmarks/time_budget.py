"""Is the course still fast enough? Times the whole test suite and each notebook in it.

    python3 benchmarks/time_budget.py                 (from any shell: see below)
    python3 benchmarks/time_budget.py notebooks/07_schedules.ipynb     (a part of the suite only)

Runs the suite once, as `python3 course.py test` does, with pytest's per-test durations, and adds
them up per file: a notebook's time is that of all its cells under nbval (its kernel's start
included). Each lesson is compared with the budget its issue set; the whole suite with 120 s on
the 2-core machine. Exits with status 1 when anything is over budget or a test fails (pytest's
report is then shown). This is a measurement, not a test: timings depend on the machine and on
what else it is doing.

The Python that runs this script needs nothing installed: when the course is not installed in it
(a plain shell's python3), the tests run in the course's own environment, which course.py makes
first if needed, exactly as `python3 course.py test` would.
"""

from __future__ import annotations

import importlib.util
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


def load_course_py():
    """course.py, the course's set-up script (standard library only), as a module."""
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def course_python(course) -> str:
    """This Python when the course is installed in it (e.g. an activated environment), else the
    Python of the course's environment, made by course.py if needed."""
    if not course.environment_problems(Path(sys.executable)):
        return sys.executable
    return course.ensure_environment()


def main(argv: list[str]) -> int:
    course = load_course_py()
    python = course_python(course)
    start = time.perf_counter()
    result = subprocess.run([python, "-m", "pytest", "-q", "--durations=0", "--durations-min=0",
                             *course.paths_from_here(argv, Path.cwd())],
                            cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    per_file = defaultdict(float)
    report = []  # pytest's output without the durations, shown when the suite fails
    for line in result.stdout.splitlines():
        match = DURATION.match(line)
        if match:
            per_file[match.group(3)] += float(match.group(1))
        else:
            report.append(line)
    if result.returncode != 0:
        print("\n".join(report + result.stderr.splitlines()).strip() or f"pytest exited with status {result.returncode}")
    else:
        print(report[-1] if report else "pytest printed nothing")

    over = []
    print(f"\n{'file':<48} {'seconds':>8} {'budget':>7}")
    for name, seconds in sorted(per_file.items(), key=lambda item: -item[1]):
        budget = LESSON_BUDGETS.get(Path(name).name[:2]) if name.startswith("notebooks/") else None
        flag = ""
        if budget is not None and seconds > budget:
            over.append(name)
            flag = "  OVER"
        print(f"{name:<48} {seconds:>8.1f} {budget if budget is not None else '':>7}{flag}")
    if argv:
        print(f"\nthese tests: {wall:.1f} s wall")
    else:
        print(f"\nwhole suite: {wall:.1f} s wall (budget {SUITE_BUDGET:.0f} s)")
        if wall > SUITE_BUDGET:
            over.append("the whole suite")
    if result.returncode != 0:
        print("the suite itself failed: see pytest's output above")
    if over:
        print("over budget: " + ", ".join(over))
    return 1 if over or result.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
