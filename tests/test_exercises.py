"""The exercises: one source per exercise, two versions, and check cells that really check.

For every exercise in exercises/solutions/ (nbval itself re-runs the solution notebooks: they are
in pytest's testpaths), this proves that

- the learner's version in exercises/ is exactly what make_learner_versions.py makes from the
  solution now (so nobody edited one and forgot the other);
- run from the top, the learner's version fails in every check cell, and nowhere with anything
  but NotImplementedError: no check can pass without the learner's code, and no cell breaks for
  another reason before the learner has written anything;
- the notebook is shaped as the course promises: the first cell tells the learner how to check
  their work, every task is followed by its check cell, and the solution's checks printed ✓;
- the generator replaces each solution region by the stub at its indentation, clears outputs,
  and never overwrites a learner's edited notebook unless told to (--force).

Typical wrong answers, one checker at a time, are in test_exercise_checks.py.
"""

import asyncio
import gc
import importlib.util
import io
import json
import re
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course_lib import progress

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
SOLUTIONS = sorted((EXERCISES / "solutions").glob("*.ipynb"))
CHECK_CALL = re.compile(r"\bchecks\.check_\w+\(")

spec = importlib.util.spec_from_file_location("make_learner_versions", EXERCISES / "make_learner_versions.py")
generator = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generator)


def names(paths):
    return [path.stem for path in paths]


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def is_check_cell(cell) -> bool:
    return cell.cell_type == "code" and bool(CHECK_CALL.search(cell.source))


def has_solution(cell) -> bool:
    return cell.cell_type == "code" and generator.BEGIN in cell.source


def test_there_are_exercises():
    assert len(SOLUTIONS) >= 3


# -- the learner's versions, run -----------------------------------------------------------------

async def run_learner_version(path: Path):
    """The learner's notebook executed top to bottom, errors recorded, in this environment's kernel."""
    notebook = nbformat.read(path, as_version=4)
    # This environment's Python, with its sockets in a folder of its own: nine kernels (and the
    # ones their progress cells start) starting at once must not race for the same TCP ports.
    with tempfile.TemporaryDirectory(prefix="course-kernel-") as folder:
        client = NotebookClient(notebook, km=progress.kernel_manager(folder, asynchronous=True),
                                allow_errors=True, timeout=120, resources={"metadata": {"path": str(path.parent)}})
        await client.async_execute(cleanup_kc=True)  # shut the kernel down (nbclient does not, for a km given to it)
    return notebook


@pytest.fixture(scope="module")
def learner_runs():
    """Every learner version, run at the same time in kernels of their own (a few seconds in all)."""
    async def run_all():
        return await asyncio.gather(*(run_learner_version(EXERCISES / path.name) for path in SOLUTIONS))
    return dict(zip(names(SOLUTIONS), asyncio.run(run_all())))


@pytest.mark.parametrize("name", names(SOLUTIONS))
def test_the_learner_version_fails_in_every_check_and_only_with_not_implemented_error(name, learner_runs):
    notebook = learner_runs[name]
    checks = 0
    for index, cell in enumerate(code_cells(notebook)):
        errors = [output for output in cell.outputs if output.output_type == "error"]
        printed = "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")
        assert "✓" not in printed, f"code cell {index} passed a check without the learner's code: {printed}"
        assert all(error.ename == "NotImplementedError" for error in errors), (
            f"code cell {index} failed with {errors[0].ename}: {errors[0].evalue}\n{cell.source}")
        if is_check_cell(cell):
            checks += 1
            assert errors, f"check cell {index} passed without the learner's code:\n{cell.source}"
    assert checks >= 3


# -- the shape of an exercise --------------------------------------------------------------------

@pytest.mark.parametrize("path", SOLUTIONS, ids=names(SOLUTIONS))
def test_the_first_cell_says_how_to_check_and_what_success_and_failure_look_like(path):
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# Exercise {path.stem[:2]} · ")
    for words in (f"python3 course.py test --nbval-lax exercises/{path.name}",
                  f"pytest --nbval-lax exercises/{path.name}", f"exercises/solutions/{path.name}",
                  "✓", "AssertionError", "NotImplementedError", "Hint:", "python3 course.py progress"):
        assert words in first.source, f"the first cell should mention {words!r}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=names(SOLUTIONS))
def test_every_task_is_followed_by_its_check_and_the_solution_passed_it(path):
    cells = [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    tasks = [index for index, cell in enumerate(cells) if has_solution(cell)]
    assert 3 <= len(tasks) <= 6, "an exercise has 3 to 6 tasks"
    for task, next_task in zip(tasks, tasks[1:] + [len(cells)]):
        checks = [cell for cell in cells[task + 1:next_task] if is_check_cell(cell)]
        assert checks, f"the task in code cell {task} has no check cell after it:\n{cells[task].source}"
    for index, cell in enumerate(cells):
        if is_check_cell(cell):
            assert any(has_solution(earlier) for earlier in cells[:index]), f"check cell {index} checks no task"
            lines = "".join(output.get("text", "") for output in cell.outputs).splitlines()
            assert len(lines) == len(CHECK_CALL.findall(cell.source)) and all(line.startswith("✓ ") for line in lines), (
                f"check cell {index} of the solution should print one ✓ line per check, printed {lines}")


@pytest.mark.parametrize("path", SOLUTIONS, ids=names(SOLUTIONS))
def test_a_predict_then_run_question_drives_its_widget_from_code(path):
    cells = nbformat.read(path, as_version=4).cells
    shown = [index for index, cell in enumerate(cells)
             if cell.cell_type == "code" and "course_lib.widgets import" in cell.source]
    assert shown, "each exercise has a predict-then-run question with an explorer of course_lib.widgets"
    for index in shown:
        assert cells[index].source.startswith("# NBVAL_IGNORE_OUTPUT\n")
        assert "Predict" in "".join(cell.source for cell in cells[:index] if cell.cell_type == "markdown")
        follow = cells[index + 1]
        assert follow.cell_type == "code" and "explorer." in follow.source and follow.outputs, (
            "the widget cell is followed by a cell that moves its controls from code and prints its status")


# -- one source, two versions ---------------------------------------------------------------------

def test_every_learner_version_is_in_sync_with_its_solution():
    out = io.StringIO()
    assert generator.make(EXERCISES, check=True, out=out) == 0, out.getvalue()
    assert all(line.endswith(": up to date") for line in out.getvalue().splitlines())


def test_the_documented_command_line_checks_the_repository(capsys):
    assert generator.main(["--check"]) == 0, capsys.readouterr().out
    assert generator.main(["--check", "03_moving_averages"]) == 0, capsys.readouterr().out


SOLUTION_CELLS = [
    ("markdown", "# Exercise 99 · a test\n\nRun the cells."),
    ("code", "import numpy as np"),
    ("code", "def f(x):\n    \"\"\"Doubles.\"\"\"\n    ### BEGIN SOLUTION\n    y = 2 * x\n    return y\n    ### END SOLUTION"),
    ("code", "class A:\n    def g(self):\n        ### BEGIN SOLUTION\n        return 1\n        ### END SOLUTION\n\n"
             "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\nprint('after')"),
    ("code", "checks.check_something(f)"),
]


def write_solution(exercises: Path, name: str = "99_test", cells=SOLUTION_CELLS) -> Path:
    notebook = nbformat.v4.new_notebook()
    for kind, text in cells:
        cell = nbformat.v4.new_markdown_cell(text) if kind == "markdown" else nbformat.v4.new_code_cell(text)
        if kind == "code":
            cell.execution_count = len([c for c in notebook.cells if c.cell_type == "code"]) + 1
            cell.outputs = [nbformat.v4.new_output("stream", text="✓ something\n")]
        notebook.cells.append(cell)
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    path = exercises / "solutions" / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def make(exercises: Path, **options):
    out = io.StringIO()
    return generator.make(exercises, out=out, **options), out.getvalue()


def test_the_learner_version_has_stubs_at_the_same_indentation_and_no_outputs(tmp_path):
    write_solution(tmp_path)
    assert make(tmp_path) == (0, "99_test.ipynb: written from solutions/99_test.ipynb\n")
    learner = nbformat.read(tmp_path / "99_test.ipynb", as_version=4)
    sources = [cell.source for cell in learner.cells]
    assert sources[2] == ('def f(x):\n    """Doubles."""\n    # YOUR CODE HERE\n    raise NotImplementedError()')
    assert sources[3] == ("class A:\n    def g(self):\n        # YOUR CODE HERE\n        raise NotImplementedError()\n\n"
                          "# YOUR CODE HERE\nraise NotImplementedError()\nprint('after')")
    assert sources[0] == SOLUTION_CELLS[0][1] and sources[4] == SOLUTION_CELLS[4][1]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code_cells(learner))
    assert "widgets" not in learner.metadata and "SOLUTION" not in json.dumps(learner)
    assert learner.metadata["exercise"]["generated_from"] == "solutions/99_test.ipynb"


def test_regenerating_changes_nothing_and_a_changed_solution_is_noticed(tmp_path):
    solution = write_solution(tmp_path)
    make(tmp_path)
    written = (tmp_path / "99_test.ipynb").read_bytes()
    assert make(tmp_path) == (0, "99_test.ipynb: up to date\n")
    assert make(tmp_path, check=True) == (0, "99_test.ipynb: up to date\n")
    assert (tmp_path / "99_test.ipynb").read_bytes() == written

    notebook = nbformat.read(solution, as_version=4)
    notebook.cells[1].source += "\nimport math"
    nbformat.write(notebook, solution)
    code, said = make(tmp_path, check=True)
    assert code == 1 and "out of date (older than its solution)" in said
    assert (tmp_path / "99_test.ipynb").read_bytes() == written, "--check must not write"
    assert make(tmp_path)[0] == 0 and "import math" in (tmp_path / "99_test.ipynb").read_text()


def learner_edits(path: Path):
    """What a learner does: writes code in place of a stub, runs it, saves."""
    notebook = nbformat.read(path, as_version=4)
    cell = notebook.cells[2]
    cell.source = cell.source.replace("    # YOUR CODE HERE\n    raise NotImplementedError()", "    return 2 * x")
    cell.execution_count = 1
    nbformat.write(notebook, path)
    return path.read_bytes()


def test_an_edited_learner_version_is_never_overwritten_without_force(tmp_path):
    solution = write_solution(tmp_path)
    make(tmp_path)
    learner = tmp_path / "99_test.ipynb"
    edited = learner_edits(learner)

    notebook = nbformat.read(solution, as_version=4)     # the course changes under the learner's feet
    notebook.cells[0].source += " Then check."
    nbformat.write(notebook, solution)
    code, said = make(tmp_path)
    assert code == 1 and "NOT overwritten: it was edited since it was generated" in said and "--force" in said
    assert learner.read_bytes() == edited
    code, said = make(tmp_path, check=True)
    assert code == 1 and "out of date (edited by hand)" in said and learner.read_bytes() == edited

    assert make(tmp_path, force=True) == (0, "99_test.ipynb: written from solutions/99_test.ipynb\n")
    assert "Then check." in learner.read_text() and "return 2 * x" not in learner.read_text()


@pytest.mark.parametrize("record", ["edited", ["a", "list"], 42])
def test_a_learner_version_whose_record_is_not_a_dict_gets_a_clear_message(tmp_path, record):
    write_solution(tmp_path)
    make(tmp_path)
    learner = tmp_path / "99_test.ipynb"
    notebook = nbformat.read(learner, as_version=4)
    notebook.metadata["exercise"] = record
    nbformat.write(notebook, learner)
    kind = type(record).__name__
    code, said = make(tmp_path, check=True)
    assert code == 1 and f'its metadata "exercise" is a {kind}' in said and "edited by hand" in said, said
    before = learner.read_bytes()
    code, said = make(tmp_path)
    assert code == 1 and f'NOT overwritten: its metadata "exercise" is a {kind}' in said and "--force" in said, said
    assert learner.read_bytes() == before
    assert make(tmp_path, force=True)[0] == 0
    assert isinstance(nbformat.read(learner, as_version=4).metadata["exercise"], dict)


def test_check_reports_missing_and_orphaned_learner_versions(tmp_path):
    write_solution(tmp_path)
    code, said = make(tmp_path, check=True)
    assert code == 1 and "99_test.ipynb: out of date (missing)" in said
    make(tmp_path)
    (tmp_path / "98_old.ipynb").write_text((tmp_path / "99_test.ipynb").read_text())
    code, said = make(tmp_path, check=True)
    assert code == 1 and "98_old.ipynb: has no solution notebook" in said
    assert make(tmp_path, names=["99_test"], check=True)[0] == 0
    assert make(tmp_path, names=["97_none"])[0] == 1


@pytest.mark.parametrize("cells, problem", [
    ([("code", "def f():\n    ### BEGIN SOLUTION\n    return 1")], "BEGIN SOLUTION without an ### END SOLUTION"),
    ([("code", "x = 1\n### END SOLUTION")], "END SOLUTION without a ### BEGIN SOLUTION"),
    ([("code", "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION")], "inside another solution region"),
    ([("code", "x = 1  ### BEGIN SOLUTION\n### END SOLUTION")], "must stand alone on its line"),
    ([("markdown", "### BEGIN SOLUTION\nthe answer\n### END SOLUTION")], "only in code cells"),
    ([("code", "x = 1")], "nothing for the learner to write"),
])
def test_a_malformed_solution_is_refused_with_the_place_to_fix(tmp_path, cells, problem):
    write_solution(tmp_path, cells=cells)
    with pytest.raises(ValueError, match=re.escape(problem)):
        make(tmp_path)
    assert not (tmp_path / "99_test.ipynb").exists()


# -- the learner's command ------------------------------------------------------------------------

def test_nbval_lax_given_by_the_learner_wins_over_the_nbval_of_addopts(tmp_path):
    """`course.py test --nbval-lax x.ipynb` runs pytest with pyproject's addopts (--nbval) and the
    learner's --nbval-lax: the notebook must then only run without errors, whatever its stored
    outputs (the learner's own runs) say. Without --nbval-lax the same notebook fails."""
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(6 * 7)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", text="an output of an earlier run\n")]
    notebook.cells = [cell]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "learner.ipynb"
    nbformat.write(notebook, path)
    command = [sys.executable, "-m", "pytest", "-q", f"--rootdir={ROOT}", "-c", str(ROOT / "pyproject.toml"),
               "--nbval-current-env", str(path)]
    runs = [subprocess.Popen(command + extra, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for extra in (["--nbval-lax"], [])]
    (lax, _), (strict, _) = (run.communicate(timeout=120) for run in runs)
    assert runs[0].returncode == 0 and "1 passed" in lax, lax
    assert runs[1].returncode != 0 and "1 failed" in strict, strict


# -- what the first cell promises ------------------------------------------------------------------

QUOTED_FAILURE = re.compile(r"  ```\n(  AssertionError: .*?\n)  ```", re.S)


@pytest.mark.parametrize("path", SOLUTIONS, ids=names(SOLUTIONS))
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the wrong answers' own overflows
def test_the_example_failure_in_the_first_cell_is_what_the_check_says(path, capsys):
    """The first cell quotes a failed check: it must be, line for line, the message the checker gives
    today for one of the typical wrong answers of tests/test_exercise_checks.py."""
    spec = importlib.util.spec_from_file_location("wrong_answers", ROOT / "tests" / "test_exercise_checks.py")
    wrong_answers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(wrong_answers)
    from course_lib import checks
    first = nbformat.read(path, as_version=4).cells[0].source
    quoted = [line[2:] for line in QUOTED_FAILURE.search(first).group(1).splitlines()]
    name = re.search(r"· (\w+) is not right yet", quoted[0]).group(1)
    messages = []
    for checker, wrong, _ in wrong_answers.WRONG_ANSWERS:
        if checker == f"check_{name}":
            with pytest.raises(AssertionError) as caught:
                getattr(checks, checker)(wrong)
            messages.append(f"AssertionError: {caught.value}".splitlines())
    capsys.readouterr()
    assert quoted in messages, f"quoted:\n{quoted}\nthe checker says, for its wrong answers:\n{messages}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=names(SOLUTIONS))
def test_each_check_names_the_task_it_follows(path):
    """A failure starts with "Exercise NN · task k": k must be the task whose header is above the check cell."""
    from course_lib import checks
    task = None
    for cell in nbformat.read(path, as_version=4).cells:
        header = re.search(r"^## Task (\d+) ·", cell.source, re.M) if cell.cell_type == "markdown" else None
        task = int(header.group(1)) if header else task
        if is_check_cell(cell):
            for name in re.findall(r"\bchecks\.(check_\w+)\(", cell.source):
                assert checks.machinery.task_of(name) == f"Exercise {path.stem[:2]} · task {task}", name


@pytest.mark.parametrize("path", SOLUTIONS, ids=names(SOLUTIONS))
def test_the_last_cell_shows_the_progress_of_this_exercise(path):
    last = nbformat.read(path, as_version=4).cells[-1]
    assert last.cell_type == "code" and last.source.startswith("# NBVAL_IGNORE_OUTPUT\n")
    assert f'progress.show("{path.stem}")' in last.source


# -- progress --------------------------------------------------------------------------------------

def test_progress_shows_right_wrong_and_not_yet_per_task_and_never_changes_the_notebook(tmp_path):
    notebook = nbformat.read(EXERCISES / "03_moving_averages.ipynb", as_version=4)
    stub = "    # YOUR CODE HERE\n    raise NotImplementedError()"
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith("def ema("):
            cell.source = cell.source.replace(stub, "    a, out = 0.0, []\n    for x in np.asarray(xs, dtype=float):\n"
                                                    "        a = beta * a + (1 - beta) * x\n        out.append(a)\n"
                                                    "    return np.array(out)")
        elif cell.cell_type == "code" and cell.source.startswith("def effective_window("):
            cell.source = cell.source.replace(stub, "    return 1 / beta", 1)
    path = tmp_path / "03_moving_averages.ipynb"
    nbformat.write(notebook, path)
    saved = path.read_bytes()
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tasks = progress.report(path, timeout=120, out=out)
        gc.collect()
    text = out.getvalue()
    assert path.read_bytes() == saved, "the progress run must not change the learner's notebook"
    # its kernel shut down and its sockets closed: a progress run left a kernel running, and sockets
    # that warned when collected (in a later test that turns warnings into errors)
    assert not [str(warning.message) for warning in caught if "Unclosed" in str(warning.message)]
    states = {check.name: (check.mark, check.reason) for checks in tasks.values() for check in checks}
    assert states["ema"] == (progress.DONE, "right")
    assert states["effective_window"][0] == progress.WRONG and "not 1/β" in states["effective_window"][1]
    assert states["ema_bias_corrected"] == (progress.NOT_YET, "not yet")
    assert "1 of 5 checks right" in text and "✓ ema" in text and "✗ effective_window: case 1 of 6" in text, text
    assert list(tasks)[0].startswith("Task 1 · ") and len(tasks) == 4
