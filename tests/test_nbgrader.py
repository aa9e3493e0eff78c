"""The exercises as an nbgrader course, end to end: generate, hand out, submit, autograde, feed back.

In a temporary folder, with no network: `course.py teach`'s generator writes the course; nbgrader
(its Python API, the same code as the `nbgrader` commands, in this process: one start instead of
one per command) generates the students' version of every exercise; three fake students submit
each exercise, placed as `nbgrader collect` places them:

* `solutions`: the solution notebook (the teacher's source): every test scores;
* `untouched`: the students' version as released, not written at all: 0 points, and no crash;
* `mistake`: the solution with one function replaced by a typical wrong answer from
  tests/test_exercise_checks.py's WRONG_ANSWERS: that check scores 0, those before it score, and
  the feedback the student gets back contains the checker's hint for that mistake.

Then `autograde` and `generate_feedback`, and the scores are read from the gradebook. A hidden test
added to one source notebook (as docs/teaching.md tells teachers) is checked to vanish from the
students' version, to be back in the graded notebook, and to pass on the solution.

nbgrader is an optional extra (`pip install -e ".[teach]"`): without it this test is skipped, unless
COURSE_NBGRADER_TEST=required (set by .ci/run), which makes it fail instead.

    python3 course.py test tests/test_nbgrader.py -n 0 -v
"""

from __future__ import annotations

import ast
import builtins
import html
import importlib.util
import inspect
import io
import os
import shutil
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
STUDENTS = ("solutions", "untouched", "mistake")
HIDDEN_TEST = ("### BEGIN HIDDEN TESTS\n"
               "assert gd_step(np.array([1.0]), np.array([2.0]), 0.25).tolist() == [0.5]  # hidden case\n"
               "### END HIDDEN TESTS")

# nbgrader's own warnings (its gradebook's SQLAlchemy session), not the course's
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore:Object of type <Submitted")


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = load("make_nbgrader_course", EXERCISES / "make_nbgrader_course.py")


@pytest.fixture(scope="module")
def nbgrader_api():
    try:
        from nbgrader.apps import NbGraderAPI  # noqa: F401
    except ImportError:
        reason = 'nbgrader is not installed (pip install -e ".[teach]")'
        if os.environ.get("COURSE_NBGRADER_TEST") == "required":
            pytest.fail(f"{reason}, but COURSE_NBGRADER_TEST=required (set by .ci/run) says this test must run")
        pytest.skip(reason)
    return NbGraderAPI


# -- the fake submissions -----------------------------------------------------------------------

def notebook_names(notebook) -> set:
    """What the notebook's code defines or imports at the top level, plus the builtins."""
    names = set(dir(builtins))
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
            elif isinstance(node, ast.Assign):
                names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def global_names(function) -> set:
    """The global names a function's code uses (its nested functions' too)."""
    names, codes = set(), [function.__code__]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes.extend(const for const in code.co_consts if inspect.iscode(const))
    return names


def typical_mistake(source_notebook):
    """(test cell index, checker, wrong answer's source renamed, the learner's function name, hint).

    The last checker of the exercise that has, in the wrong-answer table, a wrong answer written as a
    `def` whose globals the notebook defines (so it runs there as it runs in the unit test).
    """
    wrong_answers = load("test_exercise_checks", ROOT / "tests" / "test_exercise_checks.py").WRONG_ANSWERS
    available = notebook_names(source_notebook)
    tests = [(index, cell) for index, cell in enumerate(source_notebook.cells)
             if cell.metadata.get("nbgrader", {}).get("grade")]
    for index, cell in reversed(tests):
        checker = cell.metadata["nbgrader"]["grade_id"]
        function = ast.parse(cell.source).body[0].value.args[0].id  # checks.check_x(the learner's function)
        for name, wrong, hint in wrong_answers:
            if name == checker and wrong.__name__ != "<lambda>" and global_names(wrong) <= available | {function}:
                source = textwrap.dedent(inspect.getsource(wrong)).replace(f"def {wrong.__name__}(", f"def {function}(", 1)
                return index, checker, source, function, hint
    raise AssertionError("no wrong answer of the table fits this exercise")


def with_mistake(source_notebook, function: str, wrong_source: str):
    """The solution with `function` redefined, at the end of its answer cell, as the wrong answer."""
    notebook = nbformat.from_dict(source_notebook)
    answer = next(cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("solution")
                  and f"def {function}(" in cell.source)
    answer.source += "\n\n\n" + wrong_source.rstrip() + "\n"
    return notebook


def submit(course: Path, student: str, assignment: str, notebook) -> None:
    """Put a submission where `nbgrader collect` puts it."""
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{assignment}.ipynb")


# -- the test -----------------------------------------------------------------------------------

@pytest.mark.nbgrader
def test_every_exercise_goes_through_nbgrader(nbgrader_api, tmp_path, monkeypatch):
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    # nbgrader runs `alembic` by name: this environment's bin first on PATH. A Jupyter home of the
    # test's own, so that no kernel spec of the machine's user replaces this environment's Python.
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    for variable, folder in [("JUPYTER_DATA_DIR", "data"), ("JUPYTER_CONFIG_DIR", "config"),
                             ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")]:
        (tmp_path / "home" / folder).mkdir(parents=True)
        monkeypatch.setenv(variable, str(tmp_path / "home" / folder))
    course = tmp_path / "course"
    assert generator.main([str(course)]) == 0
    assignments = sorted(path.name for path in (course / "source").iterdir())
    assert assignments == sorted(path.stem for path in (EXERCISES / "solutions").glob("*.ipynb"))

    # a teacher's hidden test, in the first test cell of exercise 01
    first = course / "source" / "01_gradient_descent" / "01_gradient_descent.ipynb"
    notebook = nbformat.read(first, as_version=4)
    test_cell = next(cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade"))
    assert test_cell.source.startswith("checks.check_gd_step(")
    test_cell.source += "\n" + HIDDEN_TEST
    nbformat.write(notebook, first)

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    api = nbgrader_api(CourseDirectory(config=config), config=config)
    expected = {}
    for assignment in assignments:
        result = api.generate_assignment(assignment)
        assert result["success"], result.get("error", "") + result.get("log", "")
        source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
        released = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        assert "### BEGIN SOLUTION" not in nbformat.writes(released)
        assert "HIDDEN" not in nbformat.writes(released) and "hidden case" not in nbformat.writes(released)
        # nbgrader cuts the solutions out exactly as make_learner_versions.py does for self-study
        learner = {cell.id: cell.source for cell in nbformat.read(EXERCISES / f"{assignment}.ipynb", as_version=4).cells}
        answers = [cell for cell in released.cells if cell.metadata.get("nbgrader", {}).get("solution")]
        assert answers and all(cell.source == learner[cell.id] for cell in answers), assignment
        index, checker, wrong_source, function, hint = typical_mistake(source)
        submit(course, "solutions", assignment, source)
        submit(course, "untouched", assignment, released)
        submit(course, "mistake", assignment, with_mistake(source, function, wrong_source))
        expected[assignment] = source, index, checker, hint

    for assignment in assignments:
        started = time.perf_counter()
        for student in STUDENTS:
            result = api.autograde(assignment, student)
            assert result["success"], f"{assignment}, {student}: " + result.get("error", "") + result.get("log", "")
            if student != "solutions":  # the feedback the test reads
                result = api.generate_feedback(assignment, student)
                assert result["success"], f"{assignment}, {student}: " + result.get("error", "") + result.get("log", "")
        print(f"{assignment}: 3 submissions autograded, 2 fed back, in {time.perf_counter() - started:.1f} s")

    graded = course / "autograded" / "solutions" / "01_gradient_descent" / "01_gradient_descent.ipynb"
    assert "hidden case" in graded.read_text(encoding="utf-8")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for assignment in assignments:
            source, mistake_index, mistaken_checker, hint = expected[assignment]
            tests = {index: cell.metadata["nbgrader"] for index, cell in enumerate(source.cells)
                     if cell.metadata.get("nbgrader", {}).get("grade")}
            most = sum(test["points"] for test in tests.values())
            assert gradebook.find_assignment(assignment).max_score == most > 0

            def score(student, test=None):
                if test is None:
                    return gradebook.find_submission(assignment, student).score
                return gradebook.find_grade(test["grade_id"], assignment, assignment, student).score

            assert score("solutions") == most, assignment
            assert score("untouched") == 0, assignment
            # the mistake: its check scores 0, the checks before it all score, and so the total is partial
            assert score("mistake", tests[mistake_index]) == 0, (assignment, mistaken_checker)
            assert all(score("mistake", test) == test["points"] for index, test in tests.items()
                       if index < mistake_index), assignment
            assert 0 < score("mistake") < most, assignment

            feedback = course / "feedback" / "mistake" / assignment / f"{assignment}.html"
            shown = html.unescape(feedback.read_text(encoding="utf-8"))
            assert hint in shown, f"{assignment}: the feedback lacks the hint {hint!r} of {mistaken_checker}"
            assert "is not right yet" in shown
            untouched = html.unescape((course / "feedback" / "untouched" / assignment / f"{assignment}.html").read_text(encoding="utf-8"))
            assert "NotImplementedError" in untouched


# -- the generator alone (no nbgrader needed) ---------------------------------------------------

def test_every_checker_call_is_a_test_cell_and_every_solution_an_answer(tmp_path):
    assert generator.main([str(tmp_path / "course")]) == 0
    for solution_path in sorted((EXERCISES / "solutions").glob("*.ipynb")):
        solution = nbformat.read(solution_path, as_version=4)
        source = nbformat.read(tmp_path / "course" / "source" / solution_path.stem / solution_path.name, as_version=4)
        roles = [cell.metadata.get("nbgrader", {}) for cell in source.cells]
        tests = [role for role in roles if role.get("grade")]
        calls = [call for cell in solution.cells if cell.cell_type == "code"
                 for call in generator.checker_calls(cell.source)[0]]
        assert sorted(test["grade_id"].rsplit("_", 1)[0] if test["grade_id"] not in calls else test["grade_id"]
                      for test in tests) == sorted(calls), solution_path.name
        assert all(test["points"] == 1 and test["locked"] and not test["solution"] for test in tests)
        answers = [cell for cell in source.cells if cell.metadata.get("nbgrader", {}).get("solution")]
        assert [cell.source for cell in answers] == [cell.source for cell in solution.cells
                                                     if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source]
        assert all(cell.metadata["nbgrader"]["locked"] for cell in source.cells if cell.cell_type == "markdown")
        grade_ids = [role["grade_id"] for role in roles if role]
        assert len(grade_ids) == len(set(grade_ids)), "grade_ids must be unique in a notebook"
        assert len({cell.id for cell in source.cells}) == len(source.cells)
        assert all(cell.outputs == [] for cell in source.cells if cell.cell_type == "code")
        assert "widgets" not in source.metadata
        assert "graded version of exercise" in source.cells[0].source


def test_a_check_cell_with_two_checks_becomes_two_tests_and_other_code_stays_with_its_checks():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from course_lib import checks"),
        nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"),
        nbformat.v4.new_code_cell("checks.check_f(f)\nchecks.check_g(f)"),
        nbformat.v4.new_code_cell("y = f(1)\nchecks.check_h(f)"),
    ])
    source = generator.nbgrader_source(notebook, "99_test.ipynb")
    roles = [(cell.source, cell.metadata.get("nbgrader", {}).get("grade_id"), cell.metadata.get("nbgrader", {}).get("points"))
             for cell in source.cells[1:]]
    assert roles == [("from course_lib import checks", "setup_00", None),
                     (notebook.cells[1].source, "answer_f", None),
                     ("checks.check_f(f)", "check_f", 1), ("checks.check_g(f)", "check_g", 1),
                     ("y = f(1)\nchecks.check_h(f)", "check_h", 1)]


@pytest.mark.parametrize("cells, message", [
    (["def f():\n    return 1", "checks.check_f(f)"], "no ### BEGIN SOLUTION region"),
    (["def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"], "no cell calls a checker"),
    (["def f():\n    ### BEGIN SOLUTION\n    return 1", "checks.check_f(f)"], "without an ### END SOLUTION"),
    (["def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\nchecks.check_f(f)"], "a cell of its own"),
])
def test_a_malformed_exercise_is_refused_with_a_reason(cells, message):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text) for text in cells])
    with pytest.raises(ValueError, match=message):
        generator.nbgrader_source(notebook, "99_test.ipynb")


def test_an_edited_course_is_not_overwritten_without_force(tmp_path):
    course, out = tmp_path / "course", io.StringIO()
    assert generator.main([str(course), "03_moving_averages"]) == 0
    notebook = course / "source" / "03_moving_averages" / "03_moving_averages.ipynb"
    assert generator.make(course, names=["03_moving_averages"], out=out) == 0 and "up to date" in out.getvalue()
    (course / "gradebook.db").write_text("nbgrader's, never touched")
    notebook.write_text(notebook.read_text().replace("graded version", "GRADED VERSION"))  # the teacher's edit
    edited = notebook.read_text()
    out = io.StringIO()
    assert generator.make(course, out=out) == 1
    assert "Nothing written" in out.getvalue() and "03_moving_averages.ipynb" in out.getvalue()
    assert notebook.read_text() == edited and not (course / "source" / "01_gradient_descent").exists()
    assert generator.make(course, force=True, out=io.StringIO()) == 0
    assert "GRADED VERSION" not in notebook.read_text() and (course / "source" / "01_gradient_descent").exists()
    assert (course / "gradebook.db").read_text() == "nbgrader's, never touched"
    # a folder that holds something else
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    out = io.StringIO()
    assert generator.make(other, out=out) == 1 and "not made by this command" in out.getvalue()
    assert sorted(path.name for path in other.iterdir()) == ["notes.txt"]
