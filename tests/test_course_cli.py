"""course.py as a newcomer meets it: the set-up, its repair, and the three commands.

No test here installs anything from the network (CI's set-up does the real install). The set-up's
decisions are tested with fakes for pip; its checks of an environment run for real on throw-away
virtual environments without pip; Ctrl-C is sent for real to a course.py whose pip is a stand-in
that waits; JupyterLab is started for real, headless, and stopped.
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE_PY = ROOT / "course.py"
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="the stand-in Pythons are POSIX shell scripts")


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


course = load(COURSE_PY, "course")
WANTED_STAMP = course.hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def run_script(script: Path, *args, env_dir: Path, cwd: Path = ROOT, python: str = sys.executable, **env):
    """Run `python script args` in a subprocess with COURSE_VENV=env_dir (and the variables `env`)."""
    return subprocess.run([python, str(script), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, COURSE_VENV=str(env_dir), **env))


def course_py(*args, **kwargs):
    return run_script(COURSE_PY, *args, **kwargs)


# -- throw-away environments ----------------------------------------------------------------------

@pytest.fixture
def bare_python(tmp_path) -> Path:
    """A virtual environment with nothing in it, not even pip: the Python of a plain shell."""
    env_dir = tmp_path / "bare-venv"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env_dir)
    return course.environment_python(env_dir)


def site_packages(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def stand_in_environment(env_dir: Path, real_python: Path | str, stamp: str | None = WANTED_STAMP) -> Path:
    """A COURSE_VENV whose bin/python is a shell script: `-m pip` and `-m ensurepip` do what the
    variable FAKE_PIP says (wait: sleep until stopped; fail: print an error, exit 1; else succeed)
    and are logged in pip.log; everything else runs in `real_python`."""
    python = course.environment_python(env_dir)
    python.parent.mkdir(parents=True)
    (env_dir / "pyvenv.cfg").write_text("home = a stand-in\n")
    python.write_text(f"""#!/bin/sh
if [ "$1" = "-m" ] && {{ [ "$2" = "pip" ] || [ "$2" = "ensurepip" ]; }}; then
  echo "$*" >> "{env_dir}/pip.log"
  case "$FAKE_PIP:$3" in
    *:--version) exit 0 ;;
    wait:*) exec sleep 60 ;;
    fail:*) echo "ERROR: no network (a stand-in pip)"; exit 1 ;;
    *) exit 0 ;;
  esac
fi
exec "{real_python}" "$@"
""")
    python.chmod(0o755)
    if stamp is not None:
        (env_dir / course.STAMP).write_text(stamp + "\n")
    return python


@pytest.fixture
def course_env(tmp_path) -> Path:
    """A stand-in COURSE_VENV whose Python is this test's own, in which the course is installed."""
    env_dir = tmp_path / "course-venv"
    stand_in_environment(env_dir, sys.executable)
    return env_dir


# -- the command line -----------------------------------------------------------------------------

@pytest.mark.parametrize("word, hint", [("tets", "(did you mean 'test'?)"), ("lba", "(did you mean 'lab'?)"),
                                        ("install", "")])
def test_an_unknown_command_is_named_with_a_guess_then_the_usage_and_nothing_is_set_up(tmp_path, word, hint):
    done = course_py(word, env_dir=tmp_path / "venv")
    assert done.returncode == 2
    first, *rest = done.stderr.splitlines()
    assert first == f"unknown command '{word}' {hint}".strip()
    assert "python3 course.py lab" in "\n".join(rest) and "python3 course.py test" in "\n".join(rest)
    assert not (tmp_path / "venv").exists()


def test_help_shows_the_usage_and_succeeds(tmp_path):
    done = course_py("--help", env_dir=tmp_path / "venv")
    assert done.returncode == 0 and "python3 course.py setup" in done.stdout
    assert not (tmp_path / "venv").exists()


def test_the_set_up_checks_a_module_of_every_package_pyproject_installs():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    packages = [re.split(r"[<>=\[ ]", dep)[0] for dep in project["dependencies"] + project["optional-dependencies"]["test"]]
    assert sorted(course.NEEDED_MODULES) == sorted(packages)


# -- the set-up's decisions (pip replaced by fakes) -----------------------------------------------

class FakeSetUp:
    """course.py with its environment in tmp_path and its steps replaced: each call of run_step (pip,
    ensurepip) is recorded and answered from `steps`; environment_problems answers from `problems`
    (one list per call, the last one repeated)."""

    def __init__(self, monkeypatch, tmp_path, problems, steps=(), python_problem=None):
        self.env_dir = tmp_path / "venv"
        self.stamp = self.env_dir / course.STAMP
        self.env_dir.mkdir()
        self.commands, self.problems, self.steps = [], list(problems), list(steps)
        monkeypatch.setenv("COURSE_VENV", str(self.env_dir))
        monkeypatch.setattr(course, "python_problem", lambda python: python_problem)
        monkeypatch.setattr(course, "make_environment", lambda env_dir, why: self.commands.append(["make", why]))
        monkeypatch.setattr(course, "environment_problems", self.environment_problems)
        monkeypatch.setattr(course, "run_step", self.run_step)

    def environment_problems(self, python, do_import=False):
        self.commands.append(["check", "import" if do_import else "look"])
        return self.problems.pop(0) if len(self.problems) > 1 else self.problems[0]

    def run_step(self, command):
        self.commands.append(command[2:])
        outcome = self.steps.pop(0) if self.steps else 0
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def pip_installs(self):
        return [command for command in self.commands if command[:2] == ["pip", "install"]]


def test_a_first_install_is_marked_done_only_after_pip_and_the_import_check(monkeypatch, tmp_path, capsys):
    fake = FakeSetUp(monkeypatch, tmp_path, problems=[["pytest is missing"], []])
    assert course.ensure_environment() == str(course.environment_python(fake.env_dir))
    assert fake.pip_installs() == [["pip", "install", "--quiet", "--disable-pip-version-check", "--editable",
                                    f"{ROOT}[test]"]]
    assert fake.commands[-1] == ["check", "import"]  # the real imports come after pip
    assert fake.stamp.read_text() == WANTED_STAMP + "\n"
    assert "the first time takes a minute or two" in capsys.readouterr().out


@pytest.mark.parametrize("stop", [KeyboardInterrupt(), course.Interrupted()], ids=["in course.py", "in pip"])
def test_ctrl_c_during_the_install_marks_nothing_done_and_says_so_in_one_line(monkeypatch, tmp_path, capsys, stop):
    fake = FakeSetUp(monkeypatch, tmp_path, problems=[["jupyterlab is missing"]], steps=[stop])
    fake.stamp.write_text(WANTED_STAMP + "\n")  # a stamp over a broken environment
    with pytest.raises(SystemExit) as stopped:
        course.ensure_environment()
    assert stopped.value.code == 130
    assert not fake.stamp.exists()
    out = capsys.readouterr().out
    assert "(to repair it: jupyterlab is missing)" in out
    assert out.strip().splitlines()[-1].startswith("Stopped by Ctrl-C before the set-up was complete")


def test_a_failed_pip_marks_nothing_done(monkeypatch, tmp_path, capsys):
    fake = FakeSetUp(monkeypatch, tmp_path, problems=[["pytest is missing"]], steps=[1])
    monkeypatch.setattr(course, "pip_works", lambda python: True)
    with pytest.raises(SystemExit) as stopped:
        course.ensure_environment()
    assert stopped.value.code == 1 and not fake.stamp.exists()
    assert "Installing failed; see pip's message above" in capsys.readouterr().out


def test_a_module_that_does_not_import_after_pip_is_reinstalled_then_named_with_the_fix(monkeypatch, tmp_path, capsys):
    half_written = ["nbval does not import (SyntaxError: invalid syntax)"]
    fake = FakeSetUp(monkeypatch, tmp_path, problems=[["nbval is missing"], half_written])
    with pytest.raises(SystemExit) as stopped:
        course.ensure_environment()
    assert stopped.value.code == 1 and not fake.stamp.exists()
    assert [command[-1] for command in fake.pip_installs()] == [f"{ROOT}[test]", "--force-reinstall"]
    out = capsys.readouterr().out
    assert "is still broken (nbval does not import (SyntaxError: invalid syntax))" in out
    assert f"rm -rf '{fake.env_dir}'" in out or os.name == "nt"


def test_a_reinstall_that_repairs_the_imports_is_marked_done(monkeypatch, tmp_path):
    fake = FakeSetUp(monkeypatch, tmp_path, problems=[[], ["nbval does not import (ImportError: x)"], []])
    course.ensure_environment()
    assert fake.pip_installs()[-1][-1] == "--force-reinstall"
    assert fake.stamp.read_text() == WANTED_STAMP + "\n"


def test_a_whole_environment_with_its_stamp_is_used_as_it_is(monkeypatch, tmp_path):
    fake = FakeSetUp(monkeypatch, tmp_path, problems=[[]])
    fake.stamp.write_text(WANTED_STAMP + "\n")
    course.ensure_environment()
    assert fake.commands == [["check", "look"]]


@pytest.mark.parametrize("stamp, problems, why", [
    (WANTED_STAMP, ["pytest is missing", "jupyterlab is missing"], "to repair it: pytest is missing; jupyterlab is missing"),
    (WANTED_STAMP, [f"course_lib is installed from /elsewhere/course_lib, not from {ROOT}"], "course_lib is installed from /elsewhere"),
    ("0" * 64, [], "pyproject.toml has changed"),
])
def test_a_stamp_over_a_broken_or_outdated_environment_does_not_stop_the_install(monkeypatch, tmp_path, capsys,
                                                                                stamp, problems, why):
    fake = FakeSetUp(monkeypatch, tmp_path, problems=[problems, []])
    fake.stamp.write_text(stamp + "\n")
    course.ensure_environment()
    assert len(fake.pip_installs()) == 1 and fake.stamp.read_text() == WANTED_STAMP + "\n"
    assert why in capsys.readouterr().out


def test_an_environment_without_pip_gets_pip_first(monkeypatch, tmp_path):
    fake = FakeSetUp(monkeypatch, tmp_path, problems=[["pip is missing", "pytest is missing"], ["pytest is missing"], []])
    course.ensure_environment()
    assert fake.commands[1] == ["ensurepip", "--default-pip"] and fake.commands[3][:2] == ["pip", "install"]


def test_an_environment_whose_pip_cannot_be_installed_says_what_to_install(monkeypatch, tmp_path, capsys):
    fake = FakeSetUp(monkeypatch, tmp_path, problems=[["pip is missing"]], steps=[1])
    with pytest.raises(SystemExit):
        course.ensure_environment()
    assert "sudo apt install python3-venv" in capsys.readouterr().out and not fake.pip_installs()


def test_an_environment_whose_python_is_missing_or_broken_is_made_again(monkeypatch, tmp_path):
    fake = FakeSetUp(monkeypatch, tmp_path, problems=[[]], python_problem="its Python does not start")
    fake.stamp.write_text(WANTED_STAMP + "\n")
    course.ensure_environment()
    assert fake.commands[0] == ["make", "its Python does not start"]


# -- the checks of an environment, for real -------------------------------------------------------

def test_this_environment_has_everything_the_course_needs():
    assert course.environment_problems(Path(sys.executable)) == []


def test_an_empty_environment_lacks_pip_the_tools_and_the_course(bare_python):
    problems = course.environment_problems(bare_python)
    for name in ("pip", "numpy", "jupyterlab", "pytest", "nbval", "xdist", "course_lib"):
        assert f"{name} is missing" in problems
    assert course.python_problem(bare_python) is None


def test_a_course_lib_of_another_copy_of_the_course_is_named(tmp_path, bare_python):
    other = tmp_path / "other-copy"
    (other / "course_lib").mkdir(parents=True)
    (other / "course_lib" / "__init__.py").write_text("")
    (site_packages(bare_python) / "other-copy.pth").write_text(str(other) + "\n")
    problems = course.environment_problems(bare_python)
    assert f"course_lib is installed from {other / 'course_lib'}, not from {ROOT}" in problems


def test_a_half_written_package_is_found_by_the_import_check_only(tmp_path, bare_python):
    broken = tmp_path / "broken"
    (broken / "nbval").mkdir(parents=True)
    (broken / "nbval" / "__init__.py").write_text("raise ImportError('cannot import name plugin')\n")
    (site_packages(bare_python) / "broken.pth").write_text(str(broken) + "\n")
    looked, imported = (course.environment_problems(bare_python, do_import=flag) for flag in (False, True))
    assert "nbval is missing" not in looked  # found, so the quick check before every command is content
    assert "nbval does not import (ImportError: cannot import name plugin)" in imported


@POSIX_ONLY
def test_a_missing_or_broken_python_is_named(tmp_path):
    python = tmp_path / "venv" / "bin" / "python"
    assert course.python_problem(python) == "it does not exist yet"
    python.parent.mkdir(parents=True)
    assert course.python_problem(python) == f"there is no {python}"
    python.symlink_to(tmp_path / "a-python-uninstalled-since")  # as when pyenv removed the version it came from
    assert course.python_problem(python) == f"there is no {python}"
    python.unlink()
    python.write_text("#!/bin/sh\nexit 127\n")
    python.chmod(0o755)
    assert course.python_problem(python) == "its Python does not start"


def test_a_folder_that_is_no_environment_is_left_alone(monkeypatch, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit):
        course.make_environment(tmp_path, "it does not exist yet")
    assert (tmp_path / "notes.txt").read_text() == "mine" and not (tmp_path / "pyvenv.cfg").exists()
    assert "exists but is no virtual environment" in capsys.readouterr().out


def test_an_environment_left_without_its_python_is_made_again(tmp_path, capsys):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env_dir)
    python = course.environment_python(env_dir)
    python.unlink()  # as after a Ctrl-C while the environment was being created
    course.make_environment(env_dir, course.python_problem(python))
    assert course.python_problem(python) is None
    assert "Making the virtual environment again" in capsys.readouterr().out


class StepThatIgnoresCtrlC:
    """A stand-in for subprocess.Popen: a pip that goes on after Ctrl-C until it is killed."""

    def __init__(self, *args, **kwargs):
        self.calls = []

    def wait(self, timeout=None):
        self.calls.append(("wait", timeout))
        if len(self.calls) == 1:
            raise KeyboardInterrupt  # Ctrl-C while course.py waits for the step
        if timeout is not None:
            raise subprocess.TimeoutExpired("pip", timeout)
        return -9

    def kill(self):
        self.calls.append(("kill", None))


def test_a_step_of_the_set_up_that_ignores_ctrl_c_is_killed_after_a_grace_period(monkeypatch):
    steps = []
    monkeypatch.setattr(course.subprocess, "Popen", lambda *a, **k: steps.append(StepThatIgnoresCtrlC()) or steps[-1])
    with pytest.raises(course.Interrupted):
        course.run_step(["pip", "install"])
    assert steps[0].calls == [("wait", None), ("wait", course.STEP_GRACE), ("kill", None), ("wait", None)]


def test_ctrl_c_lets_a_command_stop_in_its_own_way(monkeypatch):
    """pytest and JupyterLab get the same Ctrl-C: course.py waits for them (JupyterLab may ask to confirm)."""
    class ConfirmingLab(StepThatIgnoresCtrlC):
        def wait(self, timeout=None):
            self.calls.append(("wait", timeout))
            if len(self.calls) < 3:
                raise KeyboardInterrupt
            return 0
    lab = ConfirmingLab()
    monkeypatch.setattr(course.subprocess, "Popen", lambda *a, **k: lab)
    assert course.run(["jupyter", "lab"]) == 0 and ("kill", None) not in lab.calls


# -- Ctrl-C and a failing pip, for real, in a subprocess ------------------------------------------

@POSIX_ONLY
def test_ctrl_c_in_the_terminal_during_pip_leaves_the_environment_unmarked(tmp_path, bare_python):
    """A stamp over an environment without pytest (the state the issue found): course.py repairs it,
    and Ctrl-C (SIGINT to the terminal's whole process group) during pip ends it in one line."""
    env_dir = tmp_path / "venv"
    stand_in_environment(env_dir, bare_python)
    (site_packages(bare_python) / "pip").mkdir()  # so that only the course and its tools are missing
    process = subprocess.Popen([sys.executable, str(COURSE_PY), "test"], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                               env=dict(os.environ, COURSE_VENV=str(env_dir), FAKE_PIP="wait"),
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = process.stdout.readline()
        assert first.startswith(f"Installing the course and its tools into {env_dir} (to repair it: ")
        assert "pytest is missing" in first
        deadline = time.monotonic() + 30
        while not (env_dir / "pip.log").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130
    assert rest.strip().splitlines() == ["Stopped by Ctrl-C before the set-up was complete: nothing is marked "
                                         "as installed. Run the same command again to finish it."]
    assert not (env_dir / course.STAMP).exists()


@POSIX_ONLY
def test_a_failing_pip_shows_its_message_and_marks_nothing(tmp_path, bare_python):
    env_dir = tmp_path / "venv"
    stand_in_environment(env_dir, bare_python, stamp=None)
    (site_packages(bare_python) / "pip").mkdir()
    done = course_py("setup", env_dir=env_dir, FAKE_PIP="fail")
    assert done.returncode == 1
    assert "ERROR: no network (a stand-in pip)\nInstalling failed; see pip's message above" in done.stdout
    assert not (env_dir / course.STAMP).exists()


# -- `test`: paths from where the user stands -----------------------------------------------------

def test_paths_are_taken_from_where_the_user_stands():
    tests = ROOT / "tests"
    words = ["test_schedules.py", "test_schedules.py::test_constant", "-k", "warmup", "--nbval-sanitize-with=nbval_sanitize.cfg",
             "--junitxml=report.xml", "tests/test_schedules.py", "-q"]
    assert course.paths_from_here(words, tests) == [
        str(tests / "test_schedules.py"), str(tests / "test_schedules.py") + "::test_constant", "-k", "warmup",
        f"--nbval-sanitize-with={tests / 'nbval_sanitize.cfg'}", "--junitxml=report.xml", "tests/test_schedules.py", "-q"]
    assert course.paths_from_here(["tests/test_schedules.py"], ROOT) == ["tests/test_schedules.py"]
    assert course.paths_from_here(["../course_lib"], tests) == [str(ROOT / "course_lib")]


@pytest.mark.parametrize("words, where, why", [
    (["test_nothing.py"], "tests", "No tests ran: there is no test_nothing.py in {here} nor in {root}"),
    (["tests/test_nothing.py::test_x"], "", "No tests ran: there is no tests/test_nothing.py::test_x in {root}"),
    (["-k", "no_such_test"], "tests", "No tests ran: no test matched your -k or -m selection."),
    (["course_lib/optim.py"], "", "No tests ran: course_lib/optim.py holds no test"),
])
def test_why_no_tests_ran_is_said_in_one_line(words, where, why):
    here = ROOT / where
    line = course.why_no_tests_ran(words, here)
    assert line.startswith(why.format(here=here, root=ROOT)) and "\n" not in line


@POSIX_ONLY
def test_a_test_file_named_from_the_tests_folder_runs(course_env):
    done = course_py("test", "test_schedules.py::test_constant_step_exponential_and_inverse_time", "-n", "0", "-q",
                     env_dir=course_env, cwd=ROOT / "tests")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^1 passed", done.stdout, re.M)


@POSIX_ONLY
def test_a_run_that_collects_nothing_ends_with_a_line_saying_why(course_env):
    done = course_py("test", "test_schedules.py", "-k", "no_such_test", "-n", "0", env_dir=course_env, cwd=ROOT / "tests")
    assert done.returncode == 5, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "No tests ran: no test matched your -k or -m selection."


# -- `lab` ----------------------------------------------------------------------------------------

def test_the_lab_command_opens_the_welcome_lesson_and_allows_root_only_as_root():
    as_user = course.lab_command("python", ["--no-browser"], as_root=False)
    assert "--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb" in as_user
    assert "--ServerApp.ip=127.0.0.1" in as_user and "--allow-root" not in as_user
    assert as_user[-1] == "--no-browser"
    assert course.lab_command("python", [], as_root=True).count("--allow-root") == 1
    assert course.lab_command("python", ["--allow-root"], as_root=True).count("--allow-root") == 1


@pytest.mark.parametrize("uid", [0, 1000])
def test_lab_as_root_passes_allow_root_and_says_why_in_one_line(monkeypatch, capsys, uid):
    ran = []
    monkeypatch.setattr(course.os, "geteuid", lambda: uid, raising=False)
    monkeypatch.setattr(course, "ensure_environment", lambda: "python")
    monkeypatch.setattr(course, "run", lambda command: ran.append(command) or 0)
    assert course.main(["lab"]) == 0
    out = capsys.readouterr().out
    assert ("--allow-root" in ran[0]) == (uid == 0)
    assert (out.count("\n"), "127.0.0.1" in out and "token" in out) == ((1, True) if uid == 0 else (0, False))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@POSIX_ONLY
def test_lab_headless_prints_the_welcome_lessons_address_and_stops_with_course_py(tmp_path, course_env):
    """`course.py lab --no-browser` for real: the address JupyterLab prints opens the welcome lesson
    (with its token), `/` leads there too, and stopping course.py (SIGTERM) stops JupyterLab."""
    port = free_port()
    jupyter_dirs = {f"JUPYTER_{name.upper()}_DIR": str(tmp_path / name) for name in ("config", "data", "runtime")}
    process = subprocess.Popen([sys.executable, str(COURSE_PY), "lab", "--no-browser", f"--ServerApp.port={port}",
                                "--ServerApp.port_retries=0", "--LabApp.news_url=None",
                                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
                               cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True,  # a group to clean up after
                               env=dict(os.environ, COURSE_VENV=str(course_env),
                                                                  IPYTHONDIR=str(tmp_path / "ipython"), **jupyter_dirs))
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    address = re.compile(rf"^\s+(http://127\.0\.0\.1:{port}/lab/tree/notebooks/00_welcome\.ipynb\?token=([0-9a-f]+))$")
    try:
        deadline = time.monotonic() + 120
        found = None
        while found is None and process.poll() is None and time.monotonic() < deadline:
            found = next((m for m in map(address.match, list(lines)) if m), None)
            time.sleep(0.2)
        assert found, "JupyterLab printed no address of the welcome lesson:\n" + "".join(lines[-30:])
        url, token = found.groups()
        with urllib.request.urlopen(url, timeout=30) as page:
            assert page.status == 200 and '"treePath": "notebooks/00_welcome.ipynb"' in page.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}", timeout=30) as page:
            assert page.url == url
        assert ("course.py adds --allow-root" in lines[0]) == (os.geteuid() == 0)
    finally:
        process.terminate()  # SIGTERM to course.py alone: it must pass it on to JupyterLab
        process.wait(timeout=60)
        reader.join(timeout=30)
        with socket.socket() as sock:  # nobody listens there any more
            left_running = sock.connect_ex(("127.0.0.1", port)) == 0
        if left_running:
            os.killpg(process.pid, signal.SIGKILL)  # not to leave a server behind when the test fails
    assert any("received signal 15, stopping" in line for line in lines), "".join(lines[-20:])
    assert not left_running, "JupyterLab went on after course.py was stopped"


# -- benchmarks/time_budget.py from a plain shell -------------------------------------------------

@POSIX_ONLY
def test_time_budget_runs_from_a_python_without_the_course(course_env, bare_python):
    done = run_script(ROOT / "benchmarks" / "time_budget.py", "tests/test_schedules.py", "-n", "0",
                     env_dir=course_env, python=str(bare_python))
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^\d+ passed", done.stdout, re.M)
    assert re.search(r"^tests/test_schedules\.py +\d+\.\d", done.stdout, re.M)


@POSIX_ONLY
def test_time_budget_shows_pytests_output_when_the_tests_fail(course_env, bare_python):
    done = run_script(ROOT / "benchmarks" / "time_budget.py", "tests/test_nothing.py", "-n", "0",
                     env_dir=course_env, python=str(bare_python))
    assert done.returncode == 1
    assert "file or directory not found: tests/test_nothing.py" in done.stdout
    assert "pytest printed nothing" not in done.stdout
