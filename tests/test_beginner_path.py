"""The beginner path through the lessons (issue 16): a short version first, every section marked
core or going deeper, glossary links that land on an entry, and short-version figures that are
copies of a figure the lesson really draws (so they cannot go stale unnoticed)."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted(ROOT.glob("notebooks/*.ipynb"))
# The lessons whose headings follow the marking convention (lessons 00-05 so far).
MARKED = [path for path in LESSONS if path.name[:2] in {"00", "01", "02", "03", "04", "05"}]
UNMARKED_HEADINGS = {"The short version", "Summary", "References"}
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


@pytest.mark.parametrize("path", MARKED, ids=lambda p: p.name)
def test_short_version_right_after_the_title(path):
    markdown = [text(cell) for cell in cells(path) if cell["cell_type"] == "markdown"]
    assert markdown[0].startswith("# ") and markdown[0].count("\n#") == 0, "the first cell is the title alone"
    assert markdown[1].startswith("## The short version"), "the second markdown cell is the short version"


@pytest.mark.parametrize("path", MARKED, ids=lambda p: p.name)
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
