#!/usr/bin/env python3
"""Set up the course and open it, or test it: one command each, with nothing but Python ≥ 3.10.

    python3 course.py lab      # make .venv if needed, install the course, open it in JupyterLab
    python3 course.py test     # the same set-up, then run every test (extra words go to pytest)
    python3 course.py teach FOLDER [--force]   # write the exercises as an nbgrader course (docs/teaching.md)
    python3 course.py progress # your exercises: per task ✓, ✗ with the reason, or not yet

On Windows use `py course.py lab` / `py course.py test`. The environment lives in `.venv` next to
this file (or wherever the COURSE_VENV variable points). Installing again is skipped while
pyproject.toml is unchanged. Only the standard library is used here, so this runs before anything
is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MINIMUM_PYTHON = (3, 10)


def main(argv: list[str]) -> int:
    if len(argv) < 1 or argv[0] not in ("lab", "test", "setup", "teach", "progress"):
        print(__doc__.strip())
        return 2
    if sys.version_info < MINIMUM_PYTHON:
        print(f"The course needs Python {'.'.join(map(str, MINIMUM_PYTHON))} or newer; this is {sys.version.split()[0]}.")
        return 1
    command, rest = argv[0], argv[1:]
    python = ensure_environment()
    if command == "setup":
        return 0
    if command == "lab":
        # JupyterLab's defaults: only this computer (localhost) can connect, and it needs the token
        # in the address it opens for you.
        return run([python, "-m", "jupyterlab", "--ServerApp.ip=127.0.0.1",
                    f"--ServerApp.root_dir={ROOT}", "notebooks/00_welcome.ipynb", *rest])
    if command == "teach":  # paths as the teacher typed them, from where they typed them
        return subprocess.call([python, str(ROOT / "exercises" / "make_nbgrader_course.py"), *rest])
    if command == "progress":  # per exercise and task: ✓, ✗ and why, or not yet (course_lib/progress.py)
        return run([python, "-m", "course_lib.progress", *rest])
    return run([python, "-m", "pytest", *rest])


def ensure_environment() -> str:
    """The Python of the course's virtual environment, created and installed if needed."""
    env_dir = Path(os.environ.get("COURSE_VENV") or ROOT / ".venv")
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        print(f"Creating the virtual environment {env_dir} ...", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(env_dir)
        except Exception as error:  # Debian and Ubuntu ship venv's pip separately
            print(f"Could not create a virtual environment: {error}\n"
                  "On Debian or Ubuntu install it first: sudo apt install python3-venv")
            raise SystemExit(1)
    stamp = env_dir / "course-installed.txt"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        print("Installing the course and its tools (the first time takes a minute or two) ...", flush=True)
        code = run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--editable", f"{ROOT}[test]"])
        if code != 0:
            print("Installing failed; see pip's message above. The README's Troubleshooting section may help.")
            raise SystemExit(code)
        stamp.write_text(wanted + "\n")
    return str(python)


def run(command: list[str]) -> int:
    try:
        return subprocess.call(command, cwd=ROOT)
    except KeyboardInterrupt:  # Ctrl-C stops JupyterLab: not an error
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
