"""Your progress in the exercises: per exercise and task, ✓, ✗ (with the check's reason) or not yet.

    python3 course.py progress                      # every exercise in exercises/
    python3 course.py progress 03 06                # only these (a number or a name)
    python3 course.py progress --timeout 300        # seconds per cell (default 120)

and, at the end of each exercise, a cell `progress.show("03_moving_averages")`.

It runs each of your *saved* exercise notebooks from the top, headless, in a fresh kernel of the
course's environment, and reads what each check cell printed: a ✓ line, an AssertionError of a
check (its first line, the case, and its Hint), NotImplementedError (not yet), or another error.
The run works on a copy in memory: your notebook file is only read, never written. The progress
cells themselves are skipped in that run (one would start the run again).

It lives in course_lib (not in exercises/) so that the exercise notebooks can import it like the
checks, and course.py can call `main` with the environment's Python.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"
CHECK_CALL = re.compile(r"\bchecks\.check_(\w+)\(")
TASK_HEADER = re.compile(r"^##\s*(Task\s+\d+\s*·[^\n]*)", re.MULTILINE)
PROGRESS_CELL = re.compile(r"\bprogress\.(show|main)\(")
DONE, WRONG, NOT_YET = "✓", "✗", "·"


@dataclass
class Check:
    """The state of one checked function of a task."""
    name: str
    mark: str = NOT_YET
    reason: str = "not yet"


def kernel_manager(folder, asynchronous: bool = False):
    """A kernel of this environment's Python, whatever `python3` means on the machine, quiet.

    Its sockets are files in `folder` (a folder of the caller's own) rather than TCP ports, where
    the system has such sockets. A new kernel's TCP ports are chosen free and bound a moment later;
    when many kernels start at once (the tests start about twenty), another one can take a port in
    between, and the client then waits on a kernel that ignores it until the cell times out. Socket
    files in a private folder cannot collide. Windows has none: TCP there.
    """
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager, KernelManager

    class ThisPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                              display_name="course", language="python")

    class Quiet(AsyncKernelManager if asynchronous else KernelManager):
        """The kernel's own log lines (to its stderr) are not the learner's business."""
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    sockets = {"transport": "ipc", "ip": str(Path(folder) / "kernel")} if os.name == "posix" else {}
    return Quiet(kernel_name="course", kernel_spec_manager=ThisPython(), **sockets)


def _reason(error: dict) -> tuple[str, str]:
    """(mark, one line) from a cell's error output."""
    if error["ename"] == "NotImplementedError":
        return NOT_YET, "not yet"
    if error["ename"] == "AssertionError" and "is not right yet" in error["evalue"]:
        lines = error["evalue"].splitlines()
        where = lines[0].split(" is not right yet: ", 1)[-1]
        hint = next((line.removeprefix("Hint: ") for line in lines if line.startswith("Hint: ")), "")
        return WRONG, where + (f" · {hint}" if hint else "")
    text = error["evalue"].splitlines()[0] if error["evalue"] else ""
    return WRONG, f"{error['ename']}: {text}"[:300]


def _stream_text(cell) -> str:
    return "".join(output.get("text", "") for output in cell.get("outputs", []) if output.get("output_type") == "stream")


def tasks_of(notebook) -> list[tuple[str, list[Check]]]:
    """The tasks of an executed notebook, in order, each with the state of its checked functions."""
    tasks: list[tuple[str, list[Check]]] = []
    title = "Before the first task"
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            header = TASK_HEADER.search(cell.source)
            if header:
                title = header.group(1).strip()
            continue
        names = CHECK_CALL.findall(cell.source)
        if cell.cell_type != "code" or not names or PROGRESS_CELL.search(cell.source):
            continue
        if not tasks or tasks[-1][0] != title:
            tasks.append((title, []))
        printed = _stream_text(cell)
        errors = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
        stopped = False  # a cell stops at its first error: the checks after it did not run
        for name in names:
            check = Check(name)
            if f"✓ {name}:" in printed:
                check.mark, check.reason = DONE, "right"
            elif errors and not stopped:
                check.mark, check.reason = _reason(errors[0])
                stopped = True
            elif stopped:
                check.reason = "not checked yet (the cell stopped at the check above it)"
            elif cell.get("execution_count") is None:
                check.reason = "not run (an earlier cell stopped the run, or it ran out of time)"
            tasks[-1][1].append(check)
    return tasks


def run_copy(path: Path, timeout: int = 120):
    """The notebook at `path`, executed top to bottom in memory (errors recorded); the file is not touched."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if PROGRESS_CELL.search(cell.source):
                cell.source = "pass  # (the progress cell: skipped in the progress run)"
    with tempfile.TemporaryDirectory(prefix="course-kernel-") as folder:
        client = NotebookClient(notebook, km=kernel_manager(folder), allow_errors=True, timeout=timeout,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute(cleanup_kc=True)  # shut the kernel down and close its sockets (not done for a km given to it)
        except Exception as error:  # a cell over its time, or the kernel died: report what ran
            print(f"  (the run stopped early: {type(error).__name__}: {str(error).splitlines()[0][:200]})")
    return notebook


def report(path: Path, timeout: int = 120, out=None) -> dict:
    """Run one exercise and print its progress; returns {task title: [Check, ...]}."""
    out = out or sys.stdout
    notebook = run_copy(path, timeout)
    title = next((cell.source.splitlines()[0].lstrip("# ").strip() for cell in notebook.cells
                  if cell.cell_type == "markdown"), path.stem)
    tasks = tasks_of(notebook)
    checks = [check for _, task_checks in tasks for check in task_checks]
    done = sum(check.mark == DONE for check in checks)
    print(f"{title}  ({path.name}): {done} of {len(checks)} checks right", file=out)
    for task, task_checks in tasks:
        print(f"  {task}", file=out)
        for check in task_checks:
            line = f"    {check.mark} {check.name}"
            print(line if check.mark == DONE else f"{line}: {check.reason}", file=out)
    return dict(tasks)


def _paths(names) -> list[Path]:
    learner = sorted(path for path in EXERCISES.glob("*.ipynb"))
    if not names:
        return learner
    chosen = []
    for name in names:
        found = [path for path in learner if path.stem == name or path.stem.startswith(f"{name}_")
                 or path.stem.split("_", 1)[0] == name.zfill(2)]
        if not found:
            raise SystemExit(f"no exercise {name!r} in {EXERCISES}; there are: "
                             f"{', '.join(path.stem for path in learner)}")
        chosen += found
    return chosen


def show(*names, timeout: int = 120) -> None:
    """The progress cell of an exercise: run the saved notebook(s) and print the progress."""
    print("From the saved notebook: save first (Ctrl+S) to include your latest changes.")
    for path in _paths(names):
        report(path, timeout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="course.py progress", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="exercises, e.g. 03 or 03_moving_averages (default: all)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds a cell may run (default 120)")
    options = parser.parse_args(argv)
    for path in _paths(options.names):
        report(path, options.timeout)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
