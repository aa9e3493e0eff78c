"""Make the learner's version of each exercise from its solution notebook.

    python exercises/make_learner_versions.py            # write exercises/NN_name.ipynb from solutions/NN_name.ipynb
    python exercises/make_learner_versions.py --check    # only compare; exit 1 if any is out of date (the tests run this)
    python exercises/make_learner_versions.py --force    # also overwrite learner versions that were edited
    python exercises/make_learner_versions.py 03_moving_averages     # only this exercise (any mode)

Run it with the course's Python (.venv/bin/python, or `python` in the activated environment).

In a solution notebook, the code the learner writes sits between two marker lines:

    def ema(xs, beta):
        ### BEGIN SOLUTION
        ...
        ### END SOLUTION

In the learner's version each such region becomes, at the indentation of its BEGIN line,

        # YOUR CODE HERE
        raise NotImplementedError()

and every code cell starts fresh: no outputs, no execution counts (a stored "✓" under a check
cell would claim a check that the learner's code never passed). The solution's widget state is
dropped too. Everything else (text, code, cell ids) is copied unchanged.

A learner version records a hash of what was generated (metadata "exercise"). If its cells no
longer match that hash, someone edited it, maybe a learner working in their copy of the course,
and this script refuses to overwrite it unless given --force.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from pathlib import Path

import nbformat

EXERCISES = Path(__file__).resolve().parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
METADATA_KEY = "exercise"


def replace_solutions(source: str, where: str = "a cell") -> tuple[str, int]:
    """The source with each solution region replaced by the stub; and how many regions there were."""
    lines, regions, begin = [], 0, None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if begin is not None:
                raise ValueError(f"{where}, line {number}: {BEGIN} inside another solution region "
                                 f"(opened on line {begin})")
            begin, indent = number, line[: len(line) - len(line.lstrip())]
            lines += [f"{indent}{STUB[0]}\n", f"{indent}{STUB[1]}\n"]
        elif marker == END:
            if begin is None:
                raise ValueError(f"{where}, line {number}: {END} without a {BEGIN} before it")
            begin, regions = None, regions + 1
        elif BEGIN in line or END in line:
            raise ValueError(f"{where}, line {number}: a solution marker must stand alone on its line")
        elif begin is None:
            lines.append(line)
    if begin is not None:
        raise ValueError(f"{where}, line {begin}: {BEGIN} without an {END}")
    text = "".join(lines)
    return (text[:-1] if text.endswith("\n") and not source.endswith("\n") else text), regions


def cells_hash(cells) -> str:
    """A fingerprint of the cells: changes with any edit, run or saved output."""
    return hashlib.sha256(json.dumps(cells, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def learner_version(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The learner's notebook made from a solution notebook (which is left unchanged)."""
    notebook = copy.deepcopy(solution)
    regions = 0
    for index, cell in enumerate(notebook.cells):
        where = f"{name}, cell {index}"
        if cell.cell_type != "code":
            if BEGIN in cell.source or END in cell.source:
                raise ValueError(f"{where}: solution markers work only in code cells")
            continue
        cell.source, count = replace_solutions(cell.source, where)
        regions += count
        cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)  # timings some front ends record
    if regions == 0:
        raise ValueError(f"{name}: no {BEGIN} … {END} region, so there is nothing for the learner to write")
    notebook.metadata.pop("widgets", None)    # the solution run's widget state
    notebook.metadata[METADATA_KEY] = {
        "generated_from": f"solutions/{name}",
        "generated_by": "make_learner_versions.py; course authors edit the solution and run it again",
        "generated_cells_sha256": cells_hash(notebook.cells),
    }
    return notebook


def notebook_text(notebook: nbformat.NotebookNode) -> str:
    text = nbformat.writes(notebook)
    return text if text.endswith("\n") else text + "\n"


def record_problem(path: Path) -> str:
    """What is wrong with the generator's record in a learner version's metadata, or "" if nothing."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:
        return f"it is not a readable notebook ({type(error).__name__})"
    record = notebook.metadata.get(METADATA_KEY)
    if record is not None and not isinstance(record, dict):
        return (f'its metadata "{METADATA_KEY}" is a {type(record).__name__} ({str(record)[:40]!r}), not the record '
                "this script writes (a dict with generated_cells_sha256): it was edited by hand")
    return ""


def edited_since_generated(path: Path) -> bool:
    """Whether the cells of a learner version differ from what was generated (or it has no record)."""
    if record_problem(path):  # not a notebook, or a record that is not ours: certainly edited
        return True
    notebook = nbformat.read(path, as_version=4)  # as in memory: each source one string, not lines
    recorded = (notebook.metadata.get(METADATA_KEY) or {}).get("generated_cells_sha256")
    return recorded != cells_hash(notebook.cells)


def make(exercises: Path = EXERCISES, names=(), check: bool = False, force: bool = False, out=sys.stdout) -> int:
    """Generate (or with `check`, compare) the learner versions; 0 if all is well, 1 if not."""
    solutions = sorted((exercises / "solutions").glob("*.ipynb"))
    if names:
        wanted = {name.removesuffix(".ipynb") for name in names}
        unknown = wanted - {path.stem for path in solutions}
        if unknown:
            print(f"no solution notebook for: {', '.join(sorted(unknown))}", file=out)
            return 1
        solutions = [path for path in solutions if path.stem in wanted]
    problems = 0
    for solution in solutions:
        target = exercises / solution.name
        text = notebook_text(learner_version(nbformat.read(solution, as_version=4), solution.name))
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            print(f"{target.name}: up to date", file=out)
        elif check:
            problems += 1
            reason = ("missing" if current is None else record_problem(target) or
                      ("edited by hand" if edited_since_generated(target) else "older than its solution"))
            print(f"{target.name}: out of date ({reason}); run python exercises/make_learner_versions.py", file=out)
        elif current is not None and edited_since_generated(target) and not force:
            problems += 1
            why = record_problem(target) or "it was edited since it was generated (maybe by a learner)"
            print(f"{target.name}: NOT overwritten: {why}. Run with --force to replace it anyway.", file=out)
        else:
            target.write_text(text, encoding="utf-8")
            print(f"{target.name}: written from solutions/{solution.name}", file=out)
    if not names:
        for orphan in sorted(set(exercises.glob("*.ipynb")) - {exercises / s.name for s in solutions}):
            problems += 1
            print(f"{orphan.name}: has no solution notebook in solutions/", file=out)
    return 1 if problems else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="exercises to make, e.g. 03_moving_averages (default: all)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="change nothing; exit 1 if a learner version is out of date")
    mode.add_argument("--force", action="store_true", help="overwrite learner versions even if they were edited")
    options = parser.parse_args(argv)
    return make(EXERCISES, options.names, check=options.check, force=options.force)


if __name__ == "__main__":
    sys.exit(main())
