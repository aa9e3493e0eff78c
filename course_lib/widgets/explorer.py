r"""What every explorer shares: named controls, a figure that follows them, a status table.

How a move stays fast (blitting). Drawing the whole figure again costs most of a move: contour
sets, axes, ticks and labels that do not change. So the figure is drawn in two layers:

* the background: everything that does not change from one move to the next (contours, minima,
  axes, ticks, grids, axis labels), drawn once and kept as a bitmap;
* the changing artists: the explorer's lines and markers, and the texts, titles and legends that
  a move has changed once, drawn on a copy of that bitmap at every move (``Figure.draw_artist``).
  A text costs more than a line (each glyph is rasterized again), so a title or a legend that
  stays the same stays in the background; that is why the explorers' legends name the runs
  without their numbers (which are in the status table): a legend drawn at every move costs
  about a third of a move.

An axes whose limits (or scale, or axis labels) a move changes cannot keep its ticks in a fixed
bitmap: once it changes, it is left out of the background and drawn anew, ticks and all, when its
limits change, over the background of the rest; the results are kept for the last few limits
visited, so a slider moved back and forth reuses them. Drawing an axes costs as much as the rest
of a move, so the explorers keep their limits fixed where that reads as well: a loss axis from
round-off to 30 × the start's loss (`fixed_loss_range`), where a diverging run leaves at the top.

The pixels are then encoded as a PNG by `encode_png`: uncompressed rows, zlib level 1. That takes
a few milliseconds where matplotlib's `print_png` (level 6, with row filters) takes 3-4 times
longer, for a file 5-15 % larger. A JPEG (q90) is smaller and faster still, but lossy: it blurs
thin lines and text, and the image would no longer be the figure pixel for pixel.

``explorer.blit = False`` draws the whole figure at every move instead (for comparisons: the
images are the same, up to anti-aliasing where a changing artist crosses a static one).
"""

from __future__ import annotations

import struct
import zlib
from collections import OrderedDict

import ipywidgets as widgets
import numpy as np
from matplotlib.contour import ContourSet
from matplotlib.legend import Legend

from .. import plots
from .controls import CONTROL_MARGIN
from .status import Row, as_rows, table

# inches: the course's width scale for two panels (plots.figsize), a little taller for the contour
# panel's equal axis scales; at 100 dpi, the course's figures' dpi, a 900 × 380 pixel image whose
# text is as large on screen as theirs
FIGURE_SIZE = plots.figsize(2, height=3.8)
DPI = 100
CONTOUR_RESOLUTION = 300   # grid points per axis of the contours: smooth innermost levels (drawn once)
_KEPT_BACKGROUNDS = 24  # backgrounds kept for the rescaling axes, ~1.4 MB each


def encode_png(pixels: np.ndarray, level: int = 1) -> bytes:
    """An RGBA image of shape (height, width, 4), uint8, as PNG bytes: rows unfiltered, zlib `level`.

    Unfiltered rows compress about as well as filtered ones for a figure (large flat areas), at a
    fraction of the time; level 1 is ~3× faster than the usual 6 for a file ~5 % larger.
    """
    height, width, channels = pixels.shape
    rows = np.empty((height, width * channels + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type 0 (none) before every row
    rows[:, 1:] = pixels.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, no interlace

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.data, level))
            + chunk(b"IEND", b""))


def fixed_loss_range(problem, x0) -> tuple | None:
    """Limits for a log axis of f − f* that stay put whatever the controls: from below round-off
    (where the curves of `plots.LossArtists` bottom out) to 30 × the gap at the start `x0`, so a
    diverging run leaves at the top instead of squashing the others. None where f* is unknown."""
    if not np.isfinite(problem.min_value):
        return None
    gap = float(problem.value(np.asarray(x0, dtype=float)) - problem.min_value)
    if not (np.isfinite(gap) and gap > 0):
        return None
    round_off = np.finfo(float).eps * max(1.0, abs(problem.min_value))
    return round_off / 3, 30 * gap


def _layout_key(axes) -> tuple:
    """What the background of `axes` depends on besides its static artists: limits, scales, labels."""
    return (axes.get_visible(), axes.get_xlim(), axes.get_ylim(), axes.get_xscale(), axes.get_yscale(),
            axes.get_xlabel(), axes.get_ylabel())


def _texts(figure) -> list:
    """(slot, artist) for every title, text and legend of the figure; a slot names the place, as
    ``ax.legend(...)`` makes a new Legend at every move."""
    slots = []
    for i, axes in enumerate(figure.axes):
        slots.append(((i, "title"), axes.title))
        slots += [((i, "text", k), text) for k, text in enumerate(axes.texts)]
        if axes.get_legend() is not None:
            slots.append(((i, "legend"), axes.get_legend()))
    return slots


def _look(artist) -> tuple:
    """What a text or legend shows: if this stays the same, it can stay in the background. A hidden
    one shows nothing, whatever it holds."""
    if not artist.get_visible():
        return ("hidden",)
    if isinstance(artist, Legend):
        handles = tuple((type(h).__name__, str(getattr(h, "get_color", lambda: None)()),
                         str(getattr(h, "get_linestyle", lambda: None)()), str(getattr(h, "get_marker", lambda: None)()))
                        for h in artist.legend_handles)
        # loc 0 is "best": placed at every draw, where the data leave room, so it may move
        return ("legend", artist.get_visible(), artist._loc if artist._loc != 0 else object(),
                tuple(text.get_text() for text in artist.texts), handles)
    return ("text", artist.get_visible(), artist.get_text(), tuple(artist.get_position()), str(artist.get_color()),
            artist.get_fontsize())


def _drawn_each_move(axes, changing_texts: set) -> list:
    """The artists of `axes` drawn at every move, in the order a full draw draws them (zorder, then
    as added): lines, patches, collections other than contours, and the texts and legends among
    `changing_texts`. The rest (contours, images, axes patch, spines, axis ticks and labels, texts
    that have not changed) is in the background."""
    drawn = {id(artist) for group in (axes.lines, axes.patches) for artist in group}
    drawn |= {id(artist) for artist in axes.collections if not isinstance(artist, ContourSet)}
    drawn |= changing_texts
    return sorted((artist for artist in axes.get_children() if id(artist) in drawn),
                  key=lambda artist: artist.get_zorder())


class Explorer:
    """What every explorer shares: named controls, a figure drawn once, its image, a status table.

    A subclass draws its figure and then calls ``Explorer.__init__``; its ``redraw(**values)``
    updates the drawn artists for the current control values and returns its status: rows of the
    table, each with its line of text (see `status`).
    """

    blit = True  # False: draw the whole figure at every move (slower; for comparisons)

    def __init__(self, figure, controls: dict):
        self.figure = figure
        self.image = widgets.Image(format="png")
        self.status = widgets.HTML()
        self.status_lines = []             # what the status shows, as plain text (for printing)
        self.renders = 0
        self.controls = dict(controls)
        for name, control in self.controls.items():
            if not name.isidentifier() or hasattr(self, name):
                raise ValueError(f"a control cannot be called {name!r}: use a Python name the explorer "
                                 "does not already use (not figure, image, status, paths, ...)")
            setattr(self, name, control)
            control.observe(self._on_change, names="value")
            control.layout.margin = CONTROL_MARGIN  # each readout with its own slider, apart from the next
        self.widget = widgets.VBox([
            widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
            self.image, self.status])
        self._base = None                  # the background bitmap, without the axes that rescale
        self._base_keys = {}               # axes -> its limits etc. when the base was drawn
        self._base_looks = {}              # text or legend slot -> what it showed then
        self._rescaling = []               # the axes whose limits have changed: drawn over the base
        self._changing_slots = set()       # the texts and legends that have changed: drawn every move
        self._backgrounds = OrderedDict()  # the rescaling axes' keys -> the background with them drawn
        self.update()

    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self):
        """Redraw for the current control values and render; a control's change calls this."""
        try:
            rows = as_rows(self.redraw(**self.values()))
        except ValueError as error:  # e.g. a custom slider reaching β = 1: say why, keep the last figure
            rows = [Row(f"⚠ {error}")]
        self.status_lines = [row.text for row in rows]
        self.status.value = table(rows)
        self._render()

    @property
    def status_text(self) -> str:
        """The status as plain text, one line per row: what a lesson prints to show a setting's result."""
        return "\n".join(self.status_lines)

    def redraw(self, **values) -> list:
        """Update the drawn artists for these control values; return the status: a list of
        `status.Row` (a line of text and, for a run, its cells in the table) or plain strings (notes)."""
        raise NotImplementedError

    def _on_change(self, change):
        self.update()

    # -- rendering ------------------------------------------------------------------------------
    def _render(self):
        self.image.value = encode_png(self.pixels())
        self.renders += 1

    def pixels(self) -> np.ndarray:
        """The figure as it is now, an RGBA array (height, width, 4): blitted, or drawn whole."""
        canvas = self.figure.canvas
        if self.renders == 0:  # the first draw places the panels: keep them there, stable and fast
            canvas.draw()
            self.figure.set_layout_engine("none")
            self._base_keys = {axes: _layout_key(axes) for axes in self.figure.axes}
            self._base_looks = {slot: _look(artist) for slot, artist in _texts(self.figure)}
        texts = _texts(self.figure)
        changed = [slot for slot, artist in texts
                   if slot not in self._changing_slots and self._base_looks.get(slot) != _look(artist)]
        self._changing_slots.update(changed)
        changing_texts = {id(artist) for slot, artist in texts if slot in self._changing_slots}
        drawn = [artist for axes in self.figure.axes for artist in _drawn_each_move(axes, changing_texts)]
        for slot, artist in texts:  # an animated artist is left out of a draw of its axes
            artist.set_animated(False)
        for artist in drawn:
            artist.set_animated(self.blit)
        if not self.blit:
            canvas.draw()
            return np.asarray(canvas.buffer_rgba()).copy()
        canvas.restore_region(self._background(redraw_base=bool(changed)))
        for artist in drawn:
            self.figure.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba()).copy()

    def _background(self, redraw_base: bool):
        """The bitmap of all but the artists drawn at every move, for the current axes limits.

        The base is drawn again (once for each) when an axes first rescales or a text or legend
        first changes; afterwards that axes is drawn over the base when its limits change, and
        that text at every move.
        """
        keys = {axes: _layout_key(axes) for axes in self.figure.axes}
        moved = [axes for axes in self.figure.axes if axes not in self._rescaling and keys[axes] != self._base_keys[axes]]
        if self._base is None or moved or redraw_base:
            self._rescaling += moved
            self._base = self._draw_base()
            self._base_keys = keys
            self._base_looks = {slot: _look(artist) for slot, artist in _texts(self.figure)}
            self._backgrounds.clear()
        if not self._rescaling:
            return self._base
        key = tuple(keys[axes] for axes in self._rescaling)
        if key not in self._backgrounds:
            canvas = self.figure.canvas
            canvas.restore_region(self._base)
            for axes in self._rescaling:
                self.figure.draw_artist(axes)  # its ticks, grid, labels, unchanged texts; no animated artist
            self._backgrounds[key] = canvas.copy_from_bbox(self.figure.bbox)
            if len(self._backgrounds) > _KEPT_BACKGROUNDS:
                self._backgrounds.popitem(last=False)
        self._backgrounds.move_to_end(key)
        return self._backgrounds[key]

    def _draw_base(self):
        for axes in self._rescaling:
            axes.set_visible(False)
        try:
            self.figure.canvas.draw()
            return self.figure.canvas.copy_from_bbox(self.figure.bbox)
        finally:
            for axes in self._rescaling:
                axes.set_visible(True)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
