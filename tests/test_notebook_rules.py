"""The rules every committed notebook follows, so that nbval can check it and a learner can open it.

nbval re-runs a notebook and compares its outputs with the stored ones; that only means something
when the stored outputs come from one clean top-to-bottom run, hold nothing that changes between
machines, and the cells whose output must not be compared are really marked.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/solutions/*.ipynb")])
MARKERS = {"NBVAL_IGNORE_OUTPUT", "NBVAL_CHECK_OUTPUT", "NBVAL_RAISES_EXCEPTION", "NBVAL_SKIP"}
MACHINE_SPECIFIC = re.compile(r"(/work/|/home/|/tmp/|/root/|[A-Z]:\\\\Users|at 0x[0-9a-f]{6,})")
MAX_BYTES = 2_000_000


def code_cells(path: Path) -> list:
    return [cell for cell in json.loads(path.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]


def source(cell) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_executed_once_top_to_bottom(path):
    counts = [cell["execution_count"] for cell in code_cells(path) if source(cell).strip()]
    assert None not in counts, "some cells were never run: execute the whole notebook before committing"
    assert counts == list(range(1, len(counts) + 1)), "cells were run out of order: restart and run all"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_nbval_markers_are_written_exactly(path):
    # nbval only sees a marker when the comment is exactly "# NBVAL_...": anything after it on the
    # same line (an explanation) silently turns the marker off.
    for cell in code_cells(path):
        for line in source(cell).splitlines():
            if "NBVAL_" in line and line.strip().startswith("#"):
                assert line.strip().lstrip("#").strip() in MARKERS, \
                    f"{line.strip()!r}: write the marker alone on its line, the explanation on the next"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_outputs_hold_no_errors_warnings_or_machine_specific_text(path):
    for cell in code_cells(path):
        expects_error = "NBVAL_RAISES_EXCEPTION" in source(cell)
        for output in cell["outputs"]:
            assert output["output_type"] != "error" or expects_error, f"stored error: {output.get('ename')}"
            assert output.get("name") != "stderr", f"stderr stored (a warning?): {''.join(output['text'])[:200]}"
            text = json.dumps({key: value for key, value in output.get("data", {}).items()
                               if not key.startswith("image/")}) + "".join(output.get("text", ""))
            found = MACHINE_SPECIFIC.search(text)
            assert not found, f"output holds machine-specific text {found.group(0)!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_small_enough_and_runs_on_the_course_kernel(path):
    assert path.stat().st_size < MAX_BYTES, f"{path.stat().st_size / 1e6:.1f} MB: fewer or smaller figures"
    assert json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_cell_has_its_own_id(path):
    # nbformat 4.5: JupyterLab, nbval's reports and the review tools address cells by id; a copied
    # or split cell must get a new one.
    notebook = json.loads(path.read_text(encoding="utf-8"))
    ids = [cell.get("id") for cell in notebook["cells"]]
    assert (notebook["nbformat"], notebook["nbformat_minor"]) >= (4, 5) and None not in ids, "cells without an id"
    assert len(set(ids)) == len(ids), f"cell ids used twice: {sorted({i for i in ids if ids.count(i) > 1})}"


def sanitized(text: str) -> str:
    "The text as nbval compares it: every rule of tests/nbval_sanitize.cfg applied in turn."
    import configparser
    rules = configparser.ConfigParser()
    rules.read(ROOT / "tests" / "nbval_sanitize.cfg", encoding="utf-8")
    for section in rules.sections():
        text = re.sub(rules[section]["regex"], rules[section]["replace"], text)
    return text


@pytest.mark.parametrize("printed", [
    "train loss 0.394, val accuracy 0.936", "best lr = 0.044:  f − f* = 0.027", "f − f* = 9.2e-06",
    "diverged at update 175 and 174", "‖g‖ grew to 1.64e+03", "Newton's gradient norms: 8.4e-01  2.2e-01",
    "L-BFGS 56, Newton 7", "1.3e-06", "-3.5e+00",
])
def test_sanitize_file_masks_no_real_number(printed):
    # The sanitize file may only hide round-off (numbers below 1e-7 in e-notation) and what changes
    # from run to run (addresses, figure sizes). Any larger number a lesson prints must reach nbval
    # unmasked, or a machine that prints another value would still pass.
    assert sanitized(printed) == printed


@pytest.mark.parametrize("round_off, masked", [("error 3.1e-12", "error <1e-7>"), ("gap 0.0e+00", "gap <1e-7>"),
                                               ("<function f at 0x7f3a2c>", "<function f at 0xADDRESS>")])
def test_sanitize_file_masks_round_off_and_addresses(round_off, masked):
    assert sanitized(round_off) == masked
