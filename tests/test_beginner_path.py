"""The beginner path through the lessons (issue 16): a short version first, every section marked
core or going deeper, glossary links that land on an entry, and short-version figures that are
copies of a figure the lesson really draws (so they cannot go stale unnoticed)."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted(ROOT.glob("notebooks/*.ipynb"))
# The lessons whose short version shows a figure (an image in its cell, a copy of an output)...
WITH_SHORT_VERSION_FIGURE = ["00", "01", "02", "03", "04", "05", "07", "08", "09"]
# ... and those that draw it right after their imports, one screen below (a copy would show it twice).
SHORT_VERSION_FIGURE_DRAWN_FIRST = ["06", "10"]
UNMARKED_HEADINGS = {"The short version", "Summary", "References"}
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")  # a markdown image: ![alt](target)
GLOSSARY = ROOT / "docs" / "glossary.md"


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def text(cell):
    return "".join(cell["source"])


def headings(path):
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            for line in text(cell).splitlines():
                if line.startswith("#"):
                    yield line.lstrip("#").strip(), len(line) - len(line.lstrip("#"))


def glossary_anchors():
    source = GLOSSARY.read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', source))
    for heading in re.findall(r"^#+ (.+)$", source, flags=re.M):
        anchors.add(re.sub(r"[^\w\- ]", "", heading).strip().lower().replace(" ", "-"))
    return anchors


def short_version(path):
    return text(cells(path)[1])


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_short_version_right_after_the_title(path):
    first, second = cells(path)[:2]
    assert first["cell_type"] == "markdown" and text(first).startswith("# ") and "\n" not in text(first).strip(), (
        "the first cell is the title alone (the lesson's intro goes below the short version)")
    assert second["cell_type"] == "markdown" and text(second).startswith("## The short version"), (
        "the second cell is the short version, before any code")


@pytest.mark.parametrize("path", [path for path in LESSONS if path.name[:2] in WITH_SHORT_VERSION_FIGURE],
                         ids=lambda p: p.name)
def test_short_version_shows_a_figure(path):
    targets = IMAGE.findall(short_version(path))
    assert targets, "the short version shows one figure of the lesson (attach a copy of its output PNG)"
    attachments = cells(path)[1].get("attachments", {})
    for target in targets:
        if target.startswith("attachment:"):
            assert target.removeprefix("attachment:") in attachments, f"{target} is not attached to the cell"
        else:
            assert (path.parent / target).is_file(), f"the short version's image {target} does not exist"


@pytest.mark.parametrize("path", [path for path in LESSONS if path.name[:2] in SHORT_VERSION_FIGURE_DRAWN_FIRST],
                         ids=lambda p: p.name)
def test_short_version_figure_drawn_right_after_the_imports(path):
    code = [index for index, cell in enumerate(cells(path)) if cell["cell_type"] == "code"]
    imports, figure = code[0], code[1]
    between = [text(cell) for cell in cells(path)[imports + 1:figure]]
    assert any("short version's figure" in words for words in between), (
        "say above the cell after the imports that it draws the short version's figure")
    outputs = cells(path)[figure]["outputs"]
    assert any("image/png" in output.get("data", {}) for output in outputs), "that cell draws no figure"


def test_every_lesson_shows_its_short_version_figure():
    numbers = [path.name[:2] for path in LESSONS]
    assert sorted(WITH_SHORT_VERSION_FIGURE + SHORT_VERSION_FIGURE_DRAWN_FIRST) == numbers


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_each_section_starts_its_own_cell(path):
    # A heading below a cell's first line hides text of one section in the cell of another: JupyterLab
    # folds (and a reader jumping from the table of contents lands) at the heading, not at the cell.
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            below = [line for line in text(cell).splitlines()[1:] if line.startswith("#")]
            assert not below, f"cell {cell.get('id')}: split it above the heading {below[0]!r}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_section_is_marked_core_or_going_deeper(path):
    for heading, level in headings(path):
        if level == 1 or heading in UNMARKED_HEADINGS:
            continue
        assert heading.endswith(("(core)", "(going deeper)")), f"unmarked heading: {heading!r}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_glossary_links_land_on_an_entry(path):
    anchors = glossary_anchors()
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            for anchor in re.findall(r"glossary\.md#([\w\-]+)", text(cell)):
                assert anchor in anchors, f"docs/glossary.md has no entry #{anchor}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_attached_figures_are_figures_the_lesson_draws(path):
    drawn = {output["data"]["image/png"].strip() for cell in cells(path) if cell["cell_type"] == "code"
             for output in cell["outputs"] if "image/png" in output.get("data", {})}
    for cell in cells(path):
        for name, attachment in cell.get("attachments", {}).items():
            assert attachment["image/png"].strip() in drawn, (
                f"attachment {name} is not an output of this notebook any more: copy the figure again "
                "from the cell that draws it (the short version repeats a figure of the lesson)")
