#!/usr/bin/env python3
"""Set up the course and open it, or test it: one command each, with nothing but Python ≥ 3.10.

    python3 course.py lab      # make .venv if needed, install the course, open it in JupyterLab
    python3 course.py test     # the same set-up, then run every test (extra words go to pytest)
    python3 course.py setup    # only the set-up
    python3 course.py progress # your exercises: per task ✓, ✗ with the reason, or not yet
    python3 course.py teach FOLDER [--force]   # write the exercises as an nbgrader course (docs/teaching.md)

On Windows use `py course.py lab` / `py course.py test`. The environment lives in `.venv` next to
this file (or wherever the COURSE_VENV variable points). Installing again is skipped while
pyproject.toml is unchanged and the environment is whole. Only the standard library is used here,
so this runs before anything is installed.
"""

# No `from __future__ import annotations` (Python 3.7+) and quoted annotations: an older Python
# must get as far as the version check in main() to say what it needs.
import difflib
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MINIMUM_PYTHON = (3, 10)
COMMANDS = ("lab", "test", "setup", "progress", "teach")
WELCOME = "notebooks/00_welcome.ipynb"
STEP_GRACE = 10  # seconds a step of the set-up (pip) has to stop after Ctrl-C, before it is killed
STAMP = "course-installed.txt"  # in the environment: the hash of the pyproject.toml it was installed from
# The modules the course and its commands import, by the distribution that installs them: pyproject's
# dependencies and its [test] extra (tests/test_course_cli.py checks that the two lists agree).
NEEDED_MODULES = {"numpy": "numpy", "matplotlib": "matplotlib", "ipywidgets": "ipywidgets",
                  "jupyterlab": "jupyterlab", "ipykernel": "ipykernel", "pytest": "pytest",
                  "nbval": "nbval", "pytest-xdist": "xdist"}

# Run by the environment's own Python: one line per problem, nothing when all is well. With
# --import it imports every module (seconds: only after an install); without it, it only looks
# them up (a fraction of a second: before every command). It also checks that course_lib is this
# folder's, not the one of another copy of the course.
CHECK = r"""
import importlib, importlib.util, os, sys
root, do_import, names = sys.argv[1], sys.argv[2] == "--import", sys.argv[3:]
for name in ["pip", *names, "course_lib"]:
    try:
        found = importlib.util.find_spec(name) is not None
        if found and do_import and name != "pip":
            importlib.import_module(name)
    except Exception as error:
        print(f"{name} does not import ({type(error).__name__}: {error})".splitlines()[0])
        continue
    if not found:
        print(f"{name} is missing")
spec = importlib.util.find_spec("course_lib")
if spec is not None and spec.origin:
    where = os.path.dirname(spec.origin)
    if os.path.normcase(os.path.realpath(where)) != os.path.normcase(os.path.realpath(os.path.join(root, "course_lib"))):
        print(f"course_lib is installed from {where}, not from {root}")
"""


class Interrupted(Exception):
    """Ctrl-C while a step of the set-up ran; the step has stopped."""


def main(argv: "list[str]") -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        guess = difflib.get_close_matches(command, COMMANDS, n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        print(f"unknown command '{command}'{hint}\n\n{__doc__.strip()}", file=sys.stderr)
        return 2
    if sys.version_info < MINIMUM_PYTHON:
        print(f"The course needs Python {'.'.join(map(str, MINIMUM_PYTHON))} or newer; this is {sys.version.split()[0]}.")
        return 1
    python = ensure_environment()
    if command == "setup":
        print(f"The course is installed in {environment_dir()}.")
        return 0
    if command == "lab":
        if running_as_root() and "--allow-root" not in rest:
            print("You are root (as in a container or a cloud notebook), so course.py adds --allow-root for "
                  "JupyterLab: safe enough here, as it listens only on this computer (127.0.0.1) and asks for its token.", flush=True)
        return run(lab_command(python, rest, as_root=running_as_root()))
    if command == "progress":  # per exercise and task: ✓, ✗ and why, or not yet (course_lib/progress.py)
        return run([python, "-m", "course_lib.progress", *rest])
    if command == "teach":  # the folder as the teacher typed it, from where they typed it
        return subprocess.call([python, str(ROOT / "exercises" / "make_nbgrader_course.py"), *rest])
    args = paths_from_here(rest, Path.cwd())
    code = run([python, "-m", "pytest", *args])
    if code == 5:  # pytest's "no tests were collected"
        print(why_no_tests_ran(args, Path.cwd()))
    return code


# -- the environment ------------------------------------------------------------------------------

def environment_dir() -> Path:
    return Path(os.environ.get("COURSE_VENV") or ROOT / ".venv")


def environment_python(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_environment() -> str:
    """The Python of the course's virtual environment, made, installed or repaired as needed.

    The stamp that marks the environment installed is written last, only once pip has succeeded
    and every needed module imports; it is removed before pip starts. So an install that failed or
    was interrupted (Ctrl-C) is done again by the next command, and a stamp over a broken
    environment (a module uninstalled since) does not stop the repair. Ctrl-C ends the program
    with one line of explanation, status 130.
    """
    try:
        return set_up()
    except (KeyboardInterrupt, Interrupted):
        print("\nStopped by Ctrl-C before the set-up was complete: nothing is marked as installed. "
              "Run the same command again to finish it.")
        raise SystemExit(130) from None


def set_up() -> str:
    env_dir = environment_dir()
    python = environment_python(env_dir)
    broken_python = python_problem(python)
    if broken_python:
        make_environment(env_dir, broken_python)
    problems = environment_problems(python)
    if "pip is missing" in problems:
        print(f"Installing pip into {env_dir} ...", flush=True)
        if run_step([str(python), "-m", "ensurepip", "--default-pip"]) != 0:
            fail(f"Could not install pip into {env_dir} (see the message above). On Debian or Ubuntu "
                 "install venv's support first: sudo apt install python3-venv. Then run the command again.")
        problems = environment_problems(python)
    stamp = env_dir / STAMP
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    installed = stamp.read_text().strip() if stamp.exists() else None
    if installed == wanted and not problems:
        return str(python)
    if installed is None:
        why = "the first time takes a minute or two"
    elif installed != wanted:
        why = "pyproject.toml has changed"
    else:
        why = "to repair it: " + "; ".join(problems)
    install(python, stamp, wanted, why)
    return str(python)


def install(python: Path, stamp: Path, wanted: str, why: str) -> None:
    """pip-install the course with its [test] extra, then check that every module imports."""
    stamp.unlink(missing_ok=True)
    print(f"Installing the course and its tools into {stamp.parent} ({why}) ...", flush=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--editable", f"{ROOT}[test]"]
    if run_step(pip) != 0:
        if not pip_works(python):
            fail(f"pip itself is broken in {stamp.parent} (an interrupted first set-up?). Remove that "
                 f"environment ({remove_command(stamp.parent)}) and run the command again.")
        fail("Installing failed; see pip's message above (no network? then run the command again when "
             "you are online). The README's Troubleshooting section may help.")
    broken = environment_problems(python, do_import=True)
    if broken:  # a package half-written by an earlier, interrupted pip: install everything afresh
        print("Installed, but " + "; ".join(broken) + ". Reinstalling everything ...", flush=True)
        code = run_step(pip + ["--force-reinstall"])
        broken = environment_problems(python, do_import=True) if code == 0 else ["pip failed"]
        if broken:
            fail(f"The environment {stamp.parent} is still broken ({'; '.join(broken)}). "
                 f"Remove it ({remove_command(stamp.parent)}) and run the command again.")
    stamp.write_text(wanted + "\n")


def pip_works(python: Path) -> bool:
    return subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True).returncode == 0


def make_environment(env_dir: Path, why: str) -> None:
    """Create the virtual environment, or make it again when its Python is missing or broken."""
    is_venv = (env_dir / "pyvenv.cfg").exists()
    if env_dir.exists() and any(env_dir.iterdir()) and not is_venv:
        fail(f"{env_dir} exists but is no virtual environment, so course.py leaves it alone: "
             "move it away, or set COURSE_VENV to a new folder.")
    print(f"{'Making the virtual environment again' if is_venv else 'Creating the virtual environment'} "
          f"{env_dir}{f' ({why})' if is_venv else ''} ...", flush=True)
    try:
        # A virtual environment whose Python is missing or does not start holds nothing to keep.
        # pip comes next, from ensure_environment, like the pip of an environment that lacks it.
        venv.EnvBuilder(clear=is_venv).create(env_dir)
    except Exception as error:
        fail(f"Could not create a virtual environment: {error}\n"
             "On Debian or Ubuntu install venv's support first: sudo apt install python3-venv")


def python_problem(python: Path) -> "str | None":
    """Why the environment's Python cannot be used, or None when it runs."""
    if not python.exists():
        return f"there is no {python}" if python.parent.parent.exists() else "it does not exist yet"
    try:
        done = subprocess.run([str(python), "-c", "pass"], capture_output=True, timeout=120)
    except OSError as error:
        return f"its Python does not start: {error}"
    except subprocess.TimeoutExpired:
        return "its Python does not answer"
    return None if done.returncode == 0 else "its Python does not start"


def environment_problems(python: Path, do_import: bool = False) -> "list[str]":
    """What the environment of `python` lacks for the course: one phrase per problem, [] if nothing."""
    mode = "--import" if do_import else "--look"
    # -I: neither the current folder nor PYTHON* variables may make a module look installed
    done = subprocess.run([str(python), "-I", "-c", CHECK, str(ROOT), mode, *NEEDED_MODULES.values()],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return [f"its Python failed to check its modules ({(done.stderr.strip().splitlines() or ['no message'])[-1]})"]
    return done.stdout.splitlines()


def remove_command(env_dir: Path) -> str:
    return f'rmdir /s /q "{env_dir}"' if os.name == "nt" else f"rm -rf '{env_dir}'"


def fail(message: str) -> None:
    print(message)
    raise SystemExit(1)


# -- running the commands -------------------------------------------------------------------------

def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lab_command(python: str, rest: "list[str]", as_root: bool) -> "list[str]":
    """JupyterLab on the welcome lesson, reachable from this computer only (127.0.0.1, with a token).

    default_url is the address JupyterLab prints ("copy and paste one of these URLs") and the one
    `/` leads to: the welcome lesson rather than an empty /lab. Jupyter refuses to start as root
    unless it is given --allow-root.
    """
    command = [python, "-m", "jupyterlab", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={ROOT}",
               f"--LabApp.default_url=/lab/tree/{WELCOME}", WELCOME]
    return command + (["--allow-root"] if as_root and "--allow-root" not in rest else []) + rest


def paths_from_here(args: "list[str]", here: Path) -> "list[str]":
    """The words for pytest, which runs in the course's folder: a path that exists relative to where
    the user stands (`here`) is made absolute, also in a node id (`file.py::test_name`) or an
    option's value (`--option=path`). Other words are left as they are."""
    if here.resolve() == ROOT:
        return list(args)
    result = []
    for arg in args:
        option, value = "", arg
        if arg.startswith("-"):
            if not (arg.startswith("--") and "=" in arg):
                result.append(arg)
                continue
            option, value = arg.split("=", 1)
            option += "="
        path, node = value.split("::", 1) if "::" in value else (value, None)
        if path and not os.path.isabs(path) and (here / path).exists():
            value = os.path.normpath(here / path) + ("" if node is None else "::" + node)
        result.append(option + value)
    return result


def why_no_tests_ran(args: "list[str]", here: Path) -> str:
    """One line on why pytest collected nothing (exit status 5). With pytest-xdist a path that does
    not exist ends that way too, with no word about the path."""
    words = [arg for arg in args if not arg.startswith("-")]
    path_like = [word for word in words if word.endswith((".py", ".ipynb")) or "::" in word or "/" in word or os.sep in word]
    missing = [word for word in path_like
               if not any((base / word.split("::")[0]).exists() for base in (here, ROOT))]
    if missing:
        return (f"No tests ran: there is no {missing[0]} in {here}"
                + (f" nor in {ROOT}" if here.resolve() != ROOT else "")
                + " (paths after 'test' count from the folder you are in).")
    if any(arg.startswith(("-k", "-m")) for arg in args):
        return "No tests ran: no test matched your -k or -m selection."
    return (f"No tests ran: {' '.join(path_like) or 'what you named'} holds no test "
            "(pytest collects tests/test_*.py and the notebooks).")


def run_step(command: "list[str]") -> int:
    """Run a step of the set-up (pip, ensurepip) and return its exit status. What it prints is
    shown only when it fails: a step stopped by Ctrl-C raises Interrupted instead, and the one line
    ensure_environment() prints then replaces the step's traceback."""
    with tempfile.TemporaryFile() as output:
        code = run(command, interruptible=True, output=output)
        if code != 0:
            output.seek(0)
            print(output.read().decode(errors="replace").rstrip())
    return code


def run(command: "list[str]", interruptible: bool = False, output=None) -> int:
    """Run `command` in the course's folder and return its exit status.

    Ctrl-C in the terminal reaches the command too, which stops in its own way (pytest prints its
    summary; JupyterLab asks to confirm, or stops at a second Ctrl-C), so this waits for it. A step
    of the set-up (`interruptible`) gets STEP_GRACE seconds to stop, is killed if it has not, and
    Interrupted is raised. When course.py itself is told to stop (SIGTERM), it passes that on
    instead of leaving the command running without it.
    """
    process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=None if output is None else subprocess.STDOUT)
    in_main_thread = threading.current_thread() is threading.main_thread()  # where signals can be caught
    previous = signal.signal(signal.SIGTERM, lambda *_: process.terminate()) if in_main_thread else None
    try:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                if interruptible:
                    try:
                        process.wait(timeout=STEP_GRACE)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
                    raise Interrupted from None
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
