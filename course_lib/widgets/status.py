"""The status under an explorer's figure: a table for the eye, plain text for print.

An explorer's ``redraw`` returns its status as a list of `Row`: each row carries its plain-text line
(what ``explorer.status_text`` gives and the lessons print) and, for a run, the cells of the table
the learner sees, built from the same numbers: one row per run, with the colour of its lines as a
swatch, one column per setting or result, every number with the same significant digits
(`significant`). A row without cells (or a plain string) is a note, shown across the table.

    >>> table([Row("GD lr=0.1: f − f* = 3e-06", {"optimizer": "GD", "lr": significant(0.1, 3),
    ...                                            "f − f*": significant(3e-06)}, color="#000000")]).count("<tr")
    2
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import matplotlib.colors

from .. import plots

SETTING_DIGITS = 3  # a setting as its slider's readout shows it (0.0119, 0.900)
RESULT_DIGITS = 2   # a result: enough to compare runs, not so many that round-off shows


@dataclass
class Row:
    """One row of an explorer's status.

    text:  the plain-text line, exactly as lessons print it (``explorer.status_text``).
    cells: column heading -> what the table shows in that column for this run; columns are
           aligned across rows by heading, in the order the rows name them. Empty: a note, shown
           across the table as `text` (or `shown`).
    color, dashes: the swatch: the colour of the run's lines in the figure, and their style as CSS
           calls it (solid, dashed, dotted).
    shown: what a note shows in the table, where it differs from `text` (e.g. its numbers with the
           table's significant digits).
    """

    text: str
    cells: dict = field(default_factory=dict)
    color: str | None = None
    dashes: str = "solid"
    shown: str | None = None


def significant(value, digits: int = RESULT_DIGITS) -> str:
    """`value` with exactly `digits` significant digits, trailing zeros kept: 0.20, 0.0119, 12, 3.0e-06.

    Every setting of the table is written so, where the plain text writes ``f"{value:.3g}"``
    (0.9 beside 0.0119): numbers of one column then read alike. Results that span decades
    (f − f*) are written by `scientific`.
    """
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    text = f"{value:#.{digits}g}"
    mantissa, _, exponent = text.partition("e")
    mantissa = mantissa.rstrip(".")   # "12." → "12"
    return f"{mantissa}e{exponent}" if exponent else mantissa


def scientific(value, digits: int = RESULT_DIGITS) -> str:
    """`value` as d.de±xx with `digits` significant digits (1.5e-01, 5.6e-07): a column of such
    numbers lines up, and its exponents compare the runs at a glance."""
    value = float(value)
    return f"{value:.{digits - 1}e}" if math.isfinite(value) else str(value)


# how the table heads a hyper-parameter's column (as the sliders and the lessons write it)
_HEADINGS = {**plots.SYMBOLS, "weight_decay": "ω", "bias_correction": "bias correction"}


def setting_cells(optimizer, names) -> dict:
    """{heading: cell} for the hyper-parameters `names` of `optimizer` that it has, in its order:
    a number with the table's digits, a switch as on/off."""
    cells = {}
    for name, value in optimizer.hyper_parameters.items():
        if name not in names:
            continue
        if isinstance(value, bool):
            shown = "on" if value else "off"
        elif isinstance(value, float):
            shown = significant(value, SETTING_DIGITS)
        else:
            shown = getattr(value, "__name__", None) or str(value)  # a schedule: its name
        cells[_HEADINGS.get(name, name)] = shown
    return cells


_DASHES = {"-": "solid", "--": "dashed", ":": "dotted", "-.": "dashed"}


def line_looks(lines) -> list:
    """How each of `lines` is drawn, as the swatch of its run's row: ``Row(text, cells, **look)``."""
    return [{"color": matplotlib.colors.to_hex(line.get_color()), "dashes": _DASHES.get(line.get_linestyle(), "solid")}
            for line in lines]


def as_rows(status) -> list:
    """A redraw's status as rows: a plain string is a note."""
    return [row if isinstance(row, Row) else Row(str(row)) for row in status]


_TABLE = "border-collapse:collapse;font-size:13px;line-height:1.35;font-variant-numeric:tabular-nums"
_CELL = "padding:1px 10px 1px 0;white-space:nowrap"
_HEAD = _CELL + ";font-weight:600;color:#444;border-bottom:1px solid #ccc"


def table(rows: list) -> str:
    """The rows as an HTML table: a swatch, then one column per heading the runs name; notes span it."""
    columns = list(dict.fromkeys(heading for row in rows for heading in row.cells))
    out = [f'<table style="{_TABLE}">']
    if columns:
        out.append("<tr><th></th>" + "".join(f'<th style="{_HEAD};text-align:{_align(c, rows)}">{html.escape(c)}</th>'
                                              for c in columns) + "</tr>")
    for row in rows:
        if not row.cells:
            span = f' colspan="{len(columns) + 1}"' if columns else ""
            out.append(f'<tr><td{span} style="{_CELL};white-space:normal">{html.escape(row.shown or row.text)}</td></tr>')
            continue
        cells = "".join(f'<td style="{_CELL};text-align:{_align(c, rows)}">{html.escape(row.cells.get(c, ""))}</td>'
                        for c in columns)
        out.append(f"<tr><td style=\"{_CELL}\">{_swatch(row.color, row.dashes)}</td>{cells}</tr>")
    out.append("</table>")
    return "".join(out)


def _swatch(color: str | None, dashes: str) -> str:
    """A short stretch of the run's line: its colour, and its dashes where it is not solid."""
    if color is None:
        return ""
    return (f'<span style="display:inline-block;width:24px;height:0;vertical-align:middle;'
            f'border-top:3px {html.escape(dashes)} {html.escape(color)}"></span>')


def _align(column: str, rows: list) -> str:
    """Numbers to the right (their digits line up), words to the left."""
    values = [row.cells[column] for row in rows if column in row.cells and row.cells[column] not in ("", "—")]
    return "right" if values and all(_is_number(value) for value in values) else "left"


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
