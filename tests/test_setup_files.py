"""The set-up files agree with each other, so every install route gets the same course."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def conda_dependencies(path: Path):
    """The conda packages and the pip lines of an environment file (a tiny reader for its two lists)."""
    conda, pip, in_pip = [], [], False
    for line in path.read_text().splitlines():
        item = re.match(r"^(\s*)- (.+)$", line)
        if not item:
            in_pip = in_pip and not re.match(r"^\S", line)
            continue
        indent, text = len(item.group(1)), item.group(2).strip()
        if text == "pip:":
            in_pip = True
        elif in_pip and indent > 2:
            pip.append(text)
        elif indent == 2 and not line.strip().startswith("- conda-forge"):
            conda.append(text)
    return conda, pip


def test_environment_yml_installs_the_project_with_its_test_extra_and_nothing_else():
    conda, pip = conda_dependencies(ROOT / "environment.yml")
    assert pip == ["--editable .[test]"], "the pip section must install this project from pyproject.toml"
    # Only python and pip come from conda, so no dependency can drift from pyproject.toml.
    assert [re.split(r"[<>=]", name)[0] for name in conda] == ["python", "pip"]


def test_python_versions_agree():
    conda, _ = conda_dependencies(ROOT / "environment.yml")
    assert PYPROJECT["project"]["requires-python"] == ">=3.10"
    assert "python>=3.10" in conda
    assert 'MINIMUM_PYTHON = (3, 10)' in (ROOT / "course.py").read_text()


def test_binder_installs_the_same_extra_from_pyproject():
    assert 'pip install --no-cache-dir --editable ".[test]"' in (ROOT / "binder" / "postBuild").read_text()
    conda, pip = conda_dependencies(ROOT / "binder" / "environment.yml")
    assert pip == [] and [re.split(r"[<>=]", name)[0] for name in conda] == ["python", "pip"]


def test_runtime_dependencies_are_only_the_three_the_course_allows():
    names = [re.split(r"[<>=\[ ]", dep)[0] for dep in PYPROJECT["project"]["dependencies"]]
    assert names == ["numpy", "matplotlib", "ipywidgets"]


def test_the_readme_quick_start_names_the_commands_course_py_accepts():
    readme = (ROOT / "README.md").read_text()
    assert "python3 course.py lab" in readme and "python3 course.py test" in readme
    usage = subprocess.run([sys.executable, str(ROOT / "course.py")], capture_output=True, text=True)
    assert usage.returncode == 2 and "course.py lab" in usage.stdout and "course.py test" in usage.stdout


@pytest.mark.parametrize("background_job", [False, True], ids=["no job left", "an install still running"])
@pytest.mark.parametrize("status", [0, 1], ids=["passed", "failed"])
def test_the_ci_scripts_exit_trap_keeps_its_exit_status(tmp_path, status, background_job):
    # .ci/run runs under `set -euo pipefail`; a command of its EXIT trap that fails (a bare `kill` with
    # no job left) would become the exit status: a CI that passed everything reported exit 2.
    trap = next(line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.startswith("trap "))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    script = "\n".join(["set -euo pipefail", f"scratch={scratch}", trap,
                        "sleep 60 &" if background_job else ":", f"exit {status}"])
    finished = subprocess.run(["bash", "-c", script], timeout=30)
    assert finished.returncode == status
    assert not scratch.exists(), "the trap removes the scratch folder"
