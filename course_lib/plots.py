r"""The figures of the course: contours with optimizer paths, loss curves, EMAs, schedules, races.

Every optimizer has one colour, the same in every figure (`PALETTE`, `color_of`). Each function
draws on the ``ax`` you give it, or on a new figure when ``ax`` is None, and returns what it drew;
none of them uses pyplot's current figure or calls ``plt.show()``.

    >>> from course_lib.optim import Momentum, SGD
    >>> from course_lib.problems import Quadratic
    >>> from course_lib.run import run
    >>> from course_lib import plots
    >>> ravine = Quadratic([1.0, 20.0])
    >>> paths = [run(opt, ravine, ravine.start, 60) for opt in (SGD(lr=0.09), Momentum(lr=0.03, beta=0.8))]
    >>> ax = plots.contour(ravine)
    >>> drawn = plots.trajectories(ax, paths)      # later: drawn.update(new_paths) moves the lines

Functions that draw runs return an artists object whose ``update(...)`` redraws them with new
data (what the explorers in `widgets` do on every slider move).

The rules every figure of the course follows, and the helpers that keep them:

* one width scale: ``plt.subplots(1, 2, figsize=plots.figsize(2), layout="constrained")``;
* palette colours mean optimizers; anything else (theory, true line, data, schedules, EMAs) takes
  a `NEUTRAL` colour, or ``setting_looks(None, n)`` for several of them;
* runs of one optimizer that differ in a setting: ``setting_looks(optimizer, n)`` (colour AND line
  style, ≥ 3:1 contrast on white), which `trajectories` and `loss_curves` use by themselves;
  ``highlight=k`` puts the run a figure is about on top;
* events marked: `mark_diverged` (✕ "diverged at step k"), `mark_reached_minimum` ("reached f*
  exactly" where a log axis would need 0); a noisy curve as `smoothed_band`;
* line widths scale with the style, so `use_style("talk")` thickens them.
"""

from __future__ import annotations

import inspect
import re
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.animation import HTMLWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import optim
from .averages import effective_window, ema, ema_weights
from .optimizer_base import Optimizer
from .run import Trajectory

__all__ = ["PALETTE", "NEUTRAL", "FIGURE_WIDTH", "figsize", "color_of", "setting_looks", "optimizer_name",
           "short_label", "new_figure", "contour", "trajectories", "loss_curves", "mark_diverged",
           "mark_reached_minimum", "smoothed_band", "ema_plot", "ema_weights_plot", "schedule_plot",
           "animate_race", "contrast_on_white", "schedule_label", "PathArtists", "LossArtists", "EMAArtists", "EMAWeightsArtists"]

# Okabe & Ito's colour-blind-safe set (without its yellow, too pale on white), completed with three
# of Paul Tol's dark colours. Every pair stays distinguishable under simulated protanopia,
# deuteranopia and tritanopia. Related methods get related hues: the momentum family blues, the
# adaptive family greens/oranges/browns, Adam's family reds and purples.
PALETTE = {
    "SGD": "#000000",       # black: plain gradient descent, the baseline
    "Momentum": "#0072B2",  # blue
    "Nesterov": "#56B4E9",  # sky blue
    "AdaGrad": "#009E73",   # bluish green
    "RMSprop": "#E69F00",   # orange
    "AdaDelta": "#661100",  # brown
    "Adam": "#C04A00",      # vermilion, darkened: Okabe & Ito's #D55E00 is too close to orange
                            # RMSprop under deuteranopia and protanopia
    "AdamW": "#CC79A7",     # reddish purple
    "AMSGrad": "#882255",   # wine
    "Nadam": "#332288",     # indigo
    # lesson 10, after Adam: Paul Tol's remaining colours
    "Lion": "#999933",               # olive
    "Muon": "#44AA99",               # teal
    "Adafactor": "#6699CC",          # greyish blue
    "ScheduleFreeSGD": "#AA4499",    # purple
    "ScheduleFreeAdamW": "#117733",  # dark green
}
# Colours for optimizers of your own, chosen by name so they too stay the same across figures.
_OTHER_COLORS = ("#117733", "#44AA99", "#999933", "#AA4499", "#6699CC")

# Colours for what is not an optimizer: palette colours mean optimizers only, in every figure.
# Dark neutrals, each ≥ 3:1 contrast on white except the band (a fill behind a line).
NEUTRAL = {
    "theory": "#404040",     # a formula's prediction, drawn over the measurement (usually dashed)
    "reference": "#6B6B6B",  # a limit, a threshold, f*: a reference line
    "true": "#2B2B2B",       # the true line / parameters behind the data
    "data": "#7D828C",       # data points, samples, raw values
    "schedule": "#3D3D3D",   # a learning-rate schedule
    "ema": "#5C4B3B",        # an exponential moving average (a dark taupe)
    "corrected": "#1A1A1A",  # the bias-corrected EMA, beside the plain one ("ema")
    "band": "#C9CDD4",       # a faint band behind a smoothed curve
    "comparison": "#B9BEC6", # the light grey of runs that are not the one a panel is about (context)
}

# One width scale for the course: a figure of 2+ panels spans the displayed width (~900 px at
# matplotlib's 100 dpi); a single panel is narrower, with the same font size as shown.
FIGURE_WIDTH = 9.0   # inches
_SINGLE_WIDTH = 5.6  # inches: one panel
_PANEL_HEIGHT = 3.6  # inches: one row of panels of a figure of 1 or 2 columns


def figsize(ncols: int = 1, height: float | None = None, nrows: int = 1) -> tuple:
    """(width, height) in inches for a figure of `ncols` panels side by side, from the course's one scale.

    ``plt.subplots(1, 2, figsize=plots.figsize(2), layout="constrained")``: 2 or more columns span
    the display (`FIGURE_WIDTH`), one column is narrower; never wider, so that no figure is shrunk
    on screen and its text stays ≥ 10 px. `height` (inches) overrides the default, which is
    `nrows` rows of panels a little lower when there are 3+ columns.

    >>> figsize(2)
    (9.0, 3.6)
    """
    for name, value in (("ncols", ncols), ("nrows", nrows)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name} must be a whole number ≥ 1, got {value!r}")
    width = _SINGLE_WIDTH if ncols == 1 else FIGURE_WIDTH
    if height is None:
        row = _PANEL_HEIGHT if ncols <= 2 else max(2.4, min(_PANEL_HEIGHT, 0.95 * FIGURE_WIDTH / ncols))
        height = round(row * nrows, 2)
    return (width, float(height))


_course_figsize = figsize  # for functions whose `figsize` argument hides it


# Light greys, white at the minimum: the coloured paths must stand out on every level.
_BACKGROUND_CMAP = mcolors.LinearSegmentedColormap.from_list("course_background", ["#FFFFFF", "#CDD1D9"])
_LEVEL_LINE_COLOR = "#9096A0"
_MINIMUM_STYLE = dict(marker="*", markersize=15, color="#FFD23F", markeredgecolor="black",
                      markeredgewidth=0.8, linestyle="none", zorder=3.5)  # over the paths, under their end markers
_SADDLE_STYLE = dict(marker="X", markersize=8, color="white", markeredgecolor="black",
                     markeredgewidth=0.8, linestyle="none", zorder=2)


# -- names, labels and colours ------------------------------------------------------------------

def optimizer_name(thing) -> str:
    """The class name of an optimizer, given the optimizer, its class, a `Trajectory` or its repr.

    >>> optimizer_name("Adam(lr=0.1, beta1=0.9)")
    'Adam'
    """
    if isinstance(thing, Optimizer):
        return thing.name
    if isinstance(thing, type):
        return thing.__name__
    if isinstance(thing, Trajectory):
        return thing.optimizer_name or thing.optimizer.split("(", 1)[0].strip()
    if isinstance(thing, str):
        return thing.split("(", 1)[0].strip()
    raise ValueError(f"expected an optimizer, its class, its name or a Trajectory, got {thing!r}")


def color_of(optimizer_or_name) -> str:
    """The colour of an optimizer in every figure of the course, e.g. ``color_of("Adam")``."""
    name = optimizer_name(optimizer_or_name)
    if name in PALETTE:
        return PALETTE[name]
    return _OTHER_COLORS[zlib.crc32(name.encode()) % len(_OTHER_COLORS)]


# how labels write a hyper-parameter (the widgets' status table too)
SYMBOLS = {"beta": "β", "beta1": "β1", "beta2": "β2", "eps": "ε"}
_ALWAYS_SHOWN = {"lr", "beta", "beta1", "beta2"}


def short_label(optimizer, exact_gradient: bool = False) -> str:
    """A legend label: the name, lr and the β's, and any other hyper-parameter not at its default.

    `optimizer` is an optimizer or a `Trajectory`. Hyper-parameters given as arrays (a sweep) are
    left out; label such runs yourself. ``exact_gradient=True`` names the SGD class "GD": with the
    exact gradient it is plain gradient descent (only the caller knows what gradient it gave).

    >>> from course_lib.optim import Adam
    >>> short_label(Adam(lr=0.1, bias_correction=False))
    'Adam lr=0.1, β1=0.9, β2=0.999, bias_correction=False'
    """
    if not isinstance(optimizer, (Optimizer, Trajectory)):
        raise ValueError(f"expected an optimizer or a Trajectory, got {optimizer!r}")
    name = optimizer_name(optimizer)
    defaults = _defaults(name)
    shown = []
    for key, value in optimizer.hyper_parameters.items():
        if isinstance(value, np.ndarray):
            continue
        if key in _ALWAYS_SHOWN or value != defaults.get(key):
            shown.append(f"{SYMBOLS.get(key, key)}={_show(value)}")
    if exact_gradient and name == "SGD":
        name = "GD"
    return f"{name} {', '.join(shown)}".strip()


def _show(value) -> str:
    """A hyper-parameter as a label shows it: 3 significant digits (a log slider gives 0.0501187)."""
    if callable(value):
        return getattr(value, "__name__", "schedule")
    return f"{value:.3g}" if isinstance(value, float) else repr(value)


def _defaults(name: str) -> dict:
    """The default hyper-parameters of a course optimizer, from its signature."""
    cls = getattr(optim, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Optimizer)):
        return {}
    return {key: p.default for key, p in inspect.signature(cls).parameters.items()}


# -- looks of several runs of one optimizer -------------------------------------------------------
# Runs that differ in a setting (lr, β, batch size...) differ in line style AND colour: colours of
# the optimizer's hue family, darker and lighter, none paler than 3:1 contrast on white. The k-th
# look is fixed (it does not depend on how many are asked for): the same run looks the same in
# every panel and figure that asks for its look by the same k.
_LINESTYLES = ("-", "--", ":", "-.", (0, (7, 2, 1, 2, 1, 2)), (0, (3, 1.5)))
_EXTRA_MARKERS = ("o", "s", "^", "D", "v", "P")   # from the 7th look on, with the line styles again
_MIN_CONTRAST = 3.0
# where in the family's lightness range (0: darkest, 1: palest allowed) the k-th look lies
_LIGHTNESS_STEPS = (1.0, 0.5, 0.0, 0.75, 0.25, 0.9, 0.1, 0.6, 0.4)
_NEUTRAL_LOOK_COLORS = ("#303030", "#7A7A7A", "#55504A", "#8A7E70", "#444444", "#666666")


def contrast_on_white(color) -> float:
    """The WCAG contrast ratio of a colour against white: 21 for black, 1 for white; ≥ 3 reads as a line."""
    rgb = np.array(mcolors.to_rgb(color))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return 1.05 / (float(linear @ [0.2126, 0.7152, 0.0722]) + 0.05)


def _mixed(rgb: np.ndarray, mix: float) -> np.ndarray:
    """`rgb` mixed with white (mix > 0, a tint) or black (mix < 0, a shade): −1 black, 0 itself, 1 white."""
    return rgb + abs(mix) * ((1.0 if mix > 0 else 0.0) - rgb)


def _family(color: str, count: int) -> list:
    """`count` colours of `color`'s family, in look order: tints and shades of it, from dark to the
    palest with ≥ 3:1 contrast on white, each clearly apart from the ones before."""
    rgb = np.array(mcolors.to_rgb(color))
    dark = contrast_on_white(rgb) > 12  # black, dark brown, indigo
    # a dark colour's palest tint stays darker (4.5:1), so that it is not mistaken for the light grey
    # of comparison runs (highlight=) or of the contours
    target = 4.5 if dark else _MIN_CONTRAST + 0.15  # a margin above 3
    low, high = -1.0, 1.0  # bisection: the palest mix that keeps the contrast
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (mid, high) if contrast_on_white(_mixed(rgb, mid)) >= target else (low, mid)
    palest = low
    if dark:  # only tints: shades would read as black
        darkest = 0.0
    else:  # not so dark that it reads as black
        darkest = max(-0.6, palest - 1.0) if palest > -0.6 else palest - 0.25
    base = min(0.0, palest)  # a pale palette colour (sky blue, orange) is darkened to the contrast
    mixes = [base]
    for step in _LIGHTNESS_STEPS:
        if len(mixes) == count:
            break
        candidate = darkest + step * (palest - darkest)
        if all(np.linalg.norm(_mixed(rgb, candidate) - _mixed(rgb, m)) > 0.11 for m in mixes):
            mixes.append(candidate)
    colours = [mcolors.to_hex(_mixed(rgb, m)) for m in mixes]
    distinct = len(colours)
    while len(colours) < count:  # more runs than distinct colours: the line styles tell them apart
        colours.append(colours[len(colours) % distinct])
    return colours


def setting_looks(optimizer_or_name, count: int) -> list:
    """`count` looks (dicts of line properties) for runs of ONE optimizer that differ in a setting.

    Each look has a ``color`` of the optimizer's hue family (≥ 3:1 contrast on white, no pale
    shades) and its own ``linestyle``; from the 7th on also a ``marker``. Look k is the same
    whatever `count`, so ask with the same k for the same run in every panel. Use it as
    ``ax.plot(x, y, **look, label=...)``, or let `trajectories` / `loss_curves` use it (they do
    whenever one optimizer has several runs). ``setting_looks(None, count)`` gives neutral looks
    (greys) for what is not an optimizer: several schedules, several EMAs.

    >>> [look["linestyle"] for look in setting_looks("Adam", 3)]
    ['-', '--', ':']
    """
    if isinstance(count, bool) or int(count) != count or count < 1:
        raise ValueError(f"count must be a whole number ≥ 1, got {count!r}")
    count = int(count)
    if optimizer_or_name is None:
        colours = [_NEUTRAL_LOOK_COLORS[k % len(_NEUTRAL_LOOK_COLORS)] for k in range(count)]
    else:
        colours = _family(color_of(optimizer_or_name), count)
    looks = []
    for k, colour in enumerate(colours):
        look = {"color": colour, "linestyle": _LINESTYLES[k % len(_LINESTYLES)]}
        if k >= len(_LINESTYLES):
            look["marker"] = _EXTRA_MARKERS[(k // len(_LINESTYLES) - 1) % len(_EXTRA_MARKERS)]
            look["markevery"] = 0.1
        looks.append(look)
    return looks


def _width(factor: float) -> float:
    """A line width that scales with the style (rcParams["lines.linewidth"], 1.5 by default).

    The helpers draw every line with ``_width(...)`` instead of a fixed width, so that presentation
    mode (`use_style("talk")`) thickens them too.
    """
    import matplotlib
    return factor * float(matplotlib.rcParams["lines.linewidth"]) / 1.5


def _size(factor: float) -> float:
    """A marker size that scales with the style (rcParams["lines.markersize"], 6 by default)."""
    import matplotlib
    return factor * float(matplotlib.rcParams["lines.markersize"]) / 6.0


# -- runs: a Trajectory may hold one run or many ------------------------------------------------

@dataclass
class _Run:
    name: str
    label: str
    points: np.ndarray        # (steps + 1, d)
    losses: np.ndarray | None  # (steps + 1,)
    diverged_at: int | None


def _as_runs(paths, labels=None) -> list:
    """One `_Run` per optimizer run, from a Trajectory, a batched one ((steps+1, K, d) points) or a list."""
    if isinstance(paths, Trajectory):
        paths = [paths]
    runs = []
    for path in paths:
        if not isinstance(path, Trajectory):
            raise ValueError(f"expected Trajectory objects (what course_lib.run.run returns), got {path!r}")
        points = path.points.reshape(path.points.shape[0], -1, path.points.shape[-1])
        count = points.shape[1]
        losses = None if path.losses is None else path.losses.reshape(path.losses.shape[0], count)
        diverged = np.broadcast_to(np.asarray(-1 if path.diverged_at is None else path.diverged_at), (count,))
        label = short_label(path)
        for k in range(count):
            runs.append(_Run(name=optimizer_name(path), label=label if count == 1 else f"{label} [run {k + 1}]",
                             points=points[:, k], losses=None if losses is None else losses[:, k],
                             diverged_at=int(diverged[k]) if diverged[k] >= 0 else None))
    if labels is not None:
        labels = [labels] if isinstance(labels, str) else list(labels)
        if len(labels) != len(runs):
            raise ValueError(f"got {len(labels)} labels for {len(runs)} runs; give one label per run")
        for run, label in zip(runs, labels):
            run.label = label
    return runs


def _run_looks(runs, highlight: int | None = None) -> list:
    """The look of each run: its palette colour, solid; `setting_looks` when one optimizer has several
    runs. With a `highlight`, the other runs are light grey (their line styles kept): context only."""
    names = [run.name for run in runs]
    looks = {name: iter(setting_looks(name, names.count(name))) for name in set(names) if names.count(name) > 1}
    looks = [next(looks[name]) if name in looks else {"color": color_of(name), "linestyle": "-"} for name in names]
    if highlight is not None:
        looks = [look if k == highlight else {**look, "color": NEUTRAL["comparison"]} for k, look in enumerate(looks)]
    return looks


def _emphasis(k: int, highlight: int | None) -> tuple:
    """(width factor, alpha, zorder offset) of run k when run `highlight` is the one the figure is about."""
    if highlight is None:
        return 1.0, 1.0, 0
    return (1.6, 1.0, 2) if k == highlight else (0.7, 0.7, 0)


def _check_highlight(highlight, count: int):
    if highlight is not None and (isinstance(highlight, bool) or int(highlight) != highlight
                                  or not -count <= highlight < count):
        raise ValueError(f"highlight must be the index of one of the {count} runs, got {highlight!r}")
    return None if highlight is None else int(highlight) % count


def _legend_label(run: _Run) -> str:
    return run.label if run.diverged_at is None else f"{run.label} — diverged at step {run.diverged_at}"


def _last_finite_index(values: np.ndarray) -> int | None:
    finite = np.all(np.isfinite(values.reshape(values.shape[0], -1)), axis=1)
    return int(np.flatnonzero(finite)[-1]) if finite.any() else None


# -- figures ------------------------------------------------------------------------------------

def new_figure(ncols: int = 1, figsize=None, dpi: float = 80):
    """A figure that pyplot does not manage: it is not shown by itself, and needs no plt.close.

    Returns (figure, axes) like ``plt.subplots(1, ncols)``; the explorers draw on these.
    """
    figure = Figure(figsize=figsize or _course_figsize(ncols), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.subplots(1, ncols)


def _axes_or_new(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # only here: a new figure for the notebook to show
    return plt.subplots(figsize=figsize(1, height=4.2), layout="constrained")[1]


def contour(problem, ax=None, levels: int = 12, resolution: int = 240, filled: bool = True):
    """The level sets of a 2-D problem, with its known minima as stars.

    The levels are log-spaced values of f − f*, so they show detail near the minimum of Rosenbrock
    or Beale (whose values span many decades) as well as of a quadratic. `levels` is how many;
    `resolution` how many grid points per axis; ``filled=False`` draws the lines alone, on white.
    The axes keep the problem's `bounds` whatever is drawn later, and have equal scales when the
    bounds are not too unequal.
    """
    if getattr(problem, "dim", None) != 2:
        raise ValueError(f"contour draws 2-D problems; {problem!r} has dimension {getattr(problem, 'dim', '?')}")
    if isinstance(levels, bool) or int(levels) != levels or levels < 2:
        raise ValueError(f"levels must be a whole number ≥ 2, got {levels!r}")
    if isinstance(resolution, bool) or int(resolution) != resolution or resolution < 10:
        raise ValueError(f"resolution must be a whole number ≥ 10, got {resolution!r}")
    ax = _axes_or_new(ax)
    (x_low, x_high), (y_low, y_high) = problem.bounds
    X, Y = np.meshgrid(np.linspace(x_low, x_high, int(resolution)), np.linspace(y_low, y_high, int(resolution)))
    values = problem.value(np.stack([X, Y], axis=-1))
    # f − f*; where f* is unknown (an unbounded quadratic), the lowest value on the grid.
    lowest = problem.min_value if np.isfinite(problem.min_value) else np.min(values)
    gap = values - lowest
    log_levels = _log_levels(gap, int(levels))
    log_gap = np.log10(np.clip(gap, 10 ** log_levels[0], 10 ** log_levels[-1]))
    if filled:
        ax.contourf(X, Y, log_gap, levels=log_levels, cmap=_BACKGROUND_CMAP, zorder=0)
    ax.contour(X, Y, log_gap, levels=log_levels, colors=_LEVEL_LINE_COLOR, linewidths=_width(0.6),
               linestyles="solid", zorder=1)
    for point in problem.minima:
        ax.plot(point[0], point[1], **_MINIMUM_STYLE)
    for point in getattr(problem, "saddle_points", ()):
        ax.plot(point[0], point[1], **_SADDLE_STYLE)
    ax.set(xlim=(x_low, x_high), ylim=(y_low, y_high), title=problem.name)
    x_label, y_label = getattr(problem, "axis_labels", ("θ₁", "θ₂"))
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    if 1 / 3 <= (y_high - y_low) / (x_high - x_low) <= 3:
        ax.set_aspect("equal", adjustable="box")
    ax.set_autoscale_on(False)
    return ax


def _log_levels(gap: np.ndarray, count: int) -> np.ndarray:
    """`count` log10-spaced levels from near the minimum (1st percentile of the grid) to the top."""
    positive = gap[np.isfinite(gap) & (gap > 0)]
    if positive.size == 0:
        raise ValueError("the problem is constant on its plotting bounds: there are no levels to draw")
    top = np.log10(positive.max())
    bottom = min(np.log10(np.percentile(positive, 1)), top - 1)
    return np.linspace(bottom, top, count)


_MARKER_SPACING = 0.03  # the side of the squares that get one path marker each (a fraction of the view)


def _marked_steps(points: np.ndarray, ax) -> list:
    """The steps of a path that get a marker: the first step to enter each square of a grid of side
    `_MARKER_SPACING` of the view. Long steps get a marker each; where steps are short (near a
    minimum, in a zig-zag) at most one dot per square, so that dots never pile up into a blob."""
    if len(points) == 0:
        return []
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    squares = np.floor(points / [_MARKER_SPACING * (abs(x_high - x_low) or 1.0),
                                 _MARKER_SPACING * (abs(y_high - y_low) or 1.0)])
    squares = np.clip(squares, -1e6, 1e6).astype(np.int64)   # a path far out of view: still whole numbers
    keys = squares[:, 0] * 4_000_001 + squares[:, 1]          # one number per square
    return np.sort(np.unique(keys, return_index=True)[1]).tolist()


class PathArtists:
    """What `trajectories` drew: per run a line with small markers, a start and an end marker.

    ``update(paths, labels)`` puts new runs (as many as before) into the same artists: the widgets
    call it instead of drawing again. A run that diverged ends at its last finite point, marked ✕,
    and its legend label says "diverged at step k"; without a legend, a note in the corner says it
    (the ✕ is often far outside the view). `highlight` (a run's index): that run on top and
    thicker, the others thinner and light grey (their line styles kept).
    """

    def __init__(self, ax, count: int, legend: bool = True, highlight: int | None = None):
        self.ax, self.legend = ax, legend
        self.highlight = _check_highlight(highlight, count)
        self.lines, self.starts, self.ends = [], [], []
        for k in range(count):
            width, alpha, lift = _emphasis(k, self.highlight)
            self.lines.append(ax.plot([], [], marker="o", markersize=_size(2.6 * width ** 0.5),
                                      linewidth=_width(1.4 * width), alpha=alpha, zorder=3 + lift)[0])
            self.starts.append(ax.plot([], [], "o", markersize=_size(6), markerfacecolor="white",
                                       markeredgewidth=_width(1.5), alpha=alpha, zorder=4 + lift, label="_nolegend_")[0])
            self.ends.append(ax.plot([], [], markersize=_size(7), linestyle="none", markeredgecolor="white",
                                     markeredgewidth=_width(0.8), alpha=alpha, zorder=4 + lift, label="_nolegend_")[0])
        self.note = ax.text(0.02, 0.02, "", transform=ax.transAxes, fontsize="small", zorder=5, color="#A01010",
                            bbox=dict(boxstyle="round", facecolor="white", edgecolor="none", alpha=0.85))
        self.note.set_visible(False)

    def update(self, paths, labels=None, until: int | None = None):
        """Draw `paths` (one Trajectory, or a list), each up to step `until` (all steps if None)."""
        runs = _as_runs(paths, labels)
        if len(runs) != len(self.lines):
            raise ValueError(f"these artists draw {len(self.lines)} runs; got {len(runs)}")
        diverged_runs = []
        for run, look, line, start, end in zip(runs, _run_looks(runs, self.highlight), self.lines, self.starts, self.ends):
            points = run.points[: None if until is None else until + 1, :2]
            last = _last_finite_index(points)
            shown = points[: 0 if last is None else last + 1]
            diverged = run.diverged_at is not None and (until is None or run.diverged_at <= until)
            line.set_data(shown[:, 0], shown[:, 1])
            line.set_markevery(_marked_steps(shown, self.ax))
            line.set_color(look["color"])
            line.set_linestyle(look["linestyle"])
            line.set_label(_legend_label(run) if diverged else run.label)
            start.set_data(points[:1, 0], points[:1, 1])
            start.set_markeredgecolor(look["color"])
            end.set_data(shown[-1:, 0], shown[-1:, 1])
            end.set_marker("X" if diverged else "o")
            end.set_markerfacecolor(look["color"])
            if diverged:
                diverged_runs.append(_legend_label(run))
        self.note.set_text("\n".join(f"✕ {text}" for text in diverged_runs))
        self.note.set_visible(bool(diverged_runs) and not self.legend)
        if self.legend:  # below the axes: inside, it would hide some path
            self.ax.legend(handles=self.lines, loc="upper center", bbox_to_anchor=(0.5, -0.13),
                           ncols=1 if len(self.lines) < 3 else 2, fontsize="medium", frameon=False,
                           handlelength=3)
        return self


def trajectories(ax, paths, labels=None, legend: bool = True, highlight: int | None = None) -> PathArtists:
    """Draw optimizer runs on a contour: a line with a marker per step (every few steps where the
    steps are short), ○ at the start, ● at the end, ✕ where a run diverged.

    `paths` is one `Trajectory`, a list of them, or a batched one (points of shape (steps+1, K, 2),
    drawn as K runs). Colours come from the palette; several runs of one optimizer get distinct
    `setting_looks` (colour and line style). Labels default to the optimizer and its main
    hyper-parameters; ``legend=False`` leaves the legend to another panel (as the explorers do,
    beside their loss curves). ``highlight=k``: run k, the one the figure is about, is drawn on top
    and thicker, the others thinner and in light grey (small multiples: one highlighted per panel).
    """
    ax = _axes_or_new(ax)
    return PathArtists(ax, len(_as_runs(paths, labels)), legend, highlight).update(paths, labels)


class LossArtists:
    """What `loss_curves` drew; ``update(paths, labels, x)`` puts new runs into the same lines.

    A run that diverged ends with ✕ at its last finite point; a run whose f − f* reaches 0 exactly
    (or round-off, when f* ≠ 0) ends there, with ▼ on the axis floor at that step: a log axis has
    no 0, and a flat line at 1e-16 would be a number nobody computed.
    """

    def __init__(self, ax, count: int, min_value, log: bool, xlabel: str, legend: bool = True,
                 highlight: int | None = None):
        from matplotlib.transforms import blended_transform_factory

        self.ax, self.min_value, self.log, self.legend = ax, min_value, log, legend
        self.highlight = _check_highlight(highlight, count)
        self.lines, self.ends, self.floors = [], [], []
        on_floor = blended_transform_factory(ax.transData, ax.transAxes)  # x: data; y: 0 is the bottom
        for k in range(count):
            width, alpha, lift = _emphasis(k, self.highlight)
            self.lines.append(ax.plot([], [], linewidth=_width(1.6 * width), alpha=alpha, zorder=2 + lift)[0])
            self.ends.append(ax.plot([], [], "X", markersize=_size(8), markeredgecolor="white",
                                     markeredgewidth=_width(0.8), alpha=alpha, zorder=3 + lift, label="_nolegend_")[0])
            self.floors.append(ax.plot([], [], "v", markersize=_size(8), markeredgecolor="white",
                                       markeredgewidth=_width(0.8), transform=on_floor, clip_on=False,
                                       alpha=alpha, zorder=3 + lift, label="_nolegend_")[0])
            self.floors[-1].set_in_layout(False)  # unclipped: an empty one would upset constrained layout
        self.note = ax.text(0.98, 0.97, "", transform=ax.transAxes, ha="right", va="top", fontsize="small",
                            zorder=5, bbox=dict(boxstyle="round", facecolor="white", edgecolor="none", alpha=0.85))
        self.note.set_visible(False)
        if log:
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("loss" if min_value is None else "f(θ) − f*")
        ax.set_title("loss")
        ax.grid(True, which="major", alpha=0.3)

    def update(self, paths, labels=None, x=None):
        runs = _as_runs(paths, labels)
        if len(runs) != len(self.lines):
            raise ValueError(f"these artists draw {len(self.lines)} runs; got {len(runs)}")
        xs = _x_positions(runs, x)
        shown_x, shown_y, notes = [], [], []
        for run, look, xs_run, line, end, floor in zip(runs, _run_looks(runs, self.highlight), xs, self.lines, self.ends, self.floors):
            if run.losses is None:
                raise ValueError(f"the run of {run.label} recorded no losses; give run() a Problem or loss=")
            y, reached, exactly = self._heights(run.losses)
            last = _last_finite_index(y)
            line.set_data(xs_run, y)
            line.set_color(look["color"])
            line.set_linestyle(look["linestyle"])
            label = _legend_label(run)
            if reached is not None:
                label = f"{label} — {_reached_text(reached, exactly)}"
                notes.append(f"▼ {run.label}: {_reached_text(reached, exactly)}")
            line.set_label(label)
            diverged = run.diverged_at is not None and last is not None
            end.set_data(xs_run[last:last + 1] if diverged else [], y[last:last + 1] if diverged else [])
            end.set_color(look["color"])
            floor.set_data(xs_run[reached:reached + 1] if reached is not None else [], [0.03] if reached is not None else [])
            floor.set_color(look["color"])
            shown_x.append(xs_run)
            shown_y.append(y)
        self._set_limits(np.concatenate(shown_x), np.concatenate(shown_y))
        self.note.set_text("\n".join(notes))
        self.note.set_visible(bool(notes) and not self.legend)
        if self.legend:
            self.ax.legend(handles=self.lines, loc="best", fontsize="small", framealpha=0.9, handlelength=3)
        return self

    def _heights(self, losses: np.ndarray) -> tuple:
        """(heights, the step f* was reached or None, whether exactly): f − f* (or the loss).

        On a log axis, the curve ends where f − f* reaches 0 (or, when f* ≠ 0, the round-off of f*,
        below which f − f* is noise): a log axis cannot show 0. A loss alone (f* unknown) below
        round-off is drawn at round-off."""
        gap = np.array(losses if self.min_value is None else losses - self.min_value, dtype=float)
        if not self.log:
            return gap, None, False
        if self.min_value is None:
            gap[gap < np.finfo(float).eps] = np.finfo(float).eps  # NaN compares False: stays NaN
            return gap, None, False
        floor = np.finfo(float).eps * abs(self.min_value)
        at_minimum = np.flatnonzero(gap <= floor)  # NaN compares False
        if at_minimum.size == 0:
            return gap, None, False
        reached = int(at_minimum[0])
        exactly = bool(gap[reached] == 0)
        gap[reached:] = np.nan
        return gap, reached, exactly

    def _set_limits(self, x: np.ndarray, y: np.ndarray):
        """Fit the axes to the finite data ourselves: autoscaling warns on empty or flat data."""
        x, y = x[np.isfinite(x)], y[np.isfinite(y)]
        if x.size:
            self.ax.set_xlim(0, max(x.max(), 1))
        if y.size:
            low, high = y.min(), y.max()
            if self.log:  # at least two decades, so that the axis has labelled powers of ten
                self.ax.set_ylim(min(low / 3, high / 100), high * 3)
            else:
                margin = 0.05 * (high - low) or 1.0
                self.ax.set_ylim(low - margin, high + margin)


def _reached_text(step: int, exactly: bool) -> str:
    return f"reached f* {'exactly' if exactly else 'to round-off'} (step {step})"


def _x_positions(runs, x) -> list:
    """The x of every recorded step of each run: the step number, or the positions given."""
    if x is None:
        return [np.arange(run.points.shape[0]) for run in runs]
    if isinstance(x, np.ndarray) and x.ndim == 1:
        x = [x] * len(runs)
    if len(x) != len(runs) or any(np.shape(xs) != (run.points.shape[0],) for xs, run in zip(x, runs)):
        raise ValueError("x must give one position per recorded step (steps + 1 values) for each run")
    return [np.asarray(xs, dtype=float) for xs in x]


def loss_curves(ax, paths, labels=None, *, min_value=None, log: bool = True, x=None,
                xlabel: str = "step", legend: bool = True, highlight: int | None = None) -> LossArtists:
    """Loss against step for each run; a run that diverged ends with ✕ and says so in the legend;
    a run that reaches f* exactly ends with ▼ on the axis floor and says "reached f* exactly (step k)".

    min_value: f* to subtract, so the curves show f − f*, which a log axis can show all the way
               down (a loss alone can be negative, as on the saddle). By default the f* the runs
               recorded from their problem (`Trajectory.min_value`), when they share one.
    x:         positions other than the step number: one array of steps + 1 values (shared), or
               one per run; e.g. the number of examples processed. Name them with `xlabel`.
    highlight: the index of the run the figure is about: drawn on top and thicker, the others
               thinner and in light grey. Several runs of one optimizer get distinct `setting_looks`.
    """
    ax = _axes_or_new(ax)
    runs = _as_runs(paths, labels)
    if min_value is None:
        recorded = {path.min_value for path in ([paths] if isinstance(paths, Trajectory) else paths)}
        min_value = recorded.pop() if len(recorded) == 1 else None
    return LossArtists(ax, len(runs), min_value, log, xlabel, legend, highlight).update(paths, labels, x)


# -- marking events on curves you draw yourself --------------------------------------------------

def mark_diverged(ax, x, y, step: int | None = None, color=None, note: bool = True) -> list:
    """✕ at the last finite point of a curve you drew, and "diverged at step k" beside it.

    `x`, `y`: the curve's points (NaN or inf after the divergence, or cut there). `step`: the step
    the note names; by default the index of the first non-finite y (right when y[i] is the value
    after step i), or len(y) when all are finite. The note goes on the side of the ✕ with room
    and is left out (``note=False``, or the ✕ outside the view) where it would not fit. Returns
    the artists drawn.

    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> drawn = mark_diverged(ax, [0, 1, 2, 3], [1.0, 3.0, 9.0, float("nan")])
    >>> drawn[1].get_text()
    'diverged at step 3'
    """
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape or x.size == 0:
        raise ValueError(f"x and y must be two arrays of the same length ≥ 1, got {x.size} and {y.size} values")
    finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if finite.size == 0:
        raise ValueError("the curve has no finite point to mark")
    last = int(finite[-1])
    if step is None:
        bad = np.flatnonzero(~np.isfinite(y))
        step = int(bad[0]) if bad.size else y.size
    color = NEUTRAL["true"] if color is None else color
    drawn = [ax.plot(x[last], y[last], "X", markersize=_size(9), color=color, markeredgecolor="white",
                     markeredgewidth=_width(0.8), zorder=5, label="_nolegend_")[0]]
    if note:
        x_low, x_high = sorted(ax.get_xlim())
        on_right = x[last] > x_low + 0.6 * (x_high - x_low)  # the note goes left of a ✕ near the right edge
        drawn.append(ax.annotate(f"diverged at step {step}", (x[last], y[last]), xytext=(-8 if on_right else 8, 6),
                                 textcoords="offset points", ha="right" if on_right else "left", va="bottom",
                                 fontsize="small", color=color, annotation_clip=True, zorder=5))
    return drawn


def mark_reached_minimum(ax, x, step: int, color=None, note: bool = True, exactly: bool = True) -> list:
    """▼ on the floor of a log axis at position `x`, where a curve of f − f* reached 0 (which a log
    axis cannot show), and "reached f* exactly (step k)" beside it.

    Draw the curve only up to the step before (a flat line at 1e-16 would show a number nobody
    computed). ``exactly=False`` says "to round-off" instead (f − f* below the round-off of f*).
    The ▼ stays on the floor whatever limits the axes get later. Returns the artists drawn.
    """
    from matplotlib.transforms import blended_transform_factory

    color = NEUTRAL["true"] if color is None else color
    on_floor = blended_transform_factory(ax.transData, ax.transAxes)
    drawn = [ax.plot([x], [0.03], "v", markersize=_size(9), color=color, markeredgecolor="white",
                     markeredgewidth=_width(0.8), transform=on_floor, clip_on=False, zorder=5,
                     label="_nolegend_")[0]]
    drawn[0].set_in_layout(False)
    if note:
        x_low, x_high = sorted(ax.get_xlim())
        on_right = x > x_low + 0.6 * (x_high - x_low)
        drawn.append(ax.text(x, 0.07, _reached_text(step, exactly), transform=on_floor, fontsize="small",
                             color=color, ha="right" if on_right else "left", va="bottom", zorder=5))
    return drawn


def smoothed_band(ax, x, y, color=None, window: int = 25, label=None, band_label=None) -> list:
    """A noisy curve as a faint band (its moving average ± one moving standard deviation, over
    `window` points) with the moving average on top, so the noise shows without hiding what lies
    under it (a ★, another curve).

    On a log y axis (set it before calling) the average is taken of log10(y), a geometric mean.
    Returns [band, average line]. `label` names the line, `band_label` the band (None: not in the
    legend).
    """
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"x and y must be two arrays of the same length ≥ 2, got {x.size} and {y.size} values")
    if isinstance(window, bool) or int(window) != window or window < 1:
        raise ValueError(f"window must be a whole number ≥ 1, got {window!r}")
    log = ax.get_yscale() == "log"
    if log and np.any(y[np.isfinite(y)] <= 0):
        raise ValueError("a log axis cannot show values ≤ 0: smooth f − f* > 0, or use a linear axis")
    values = np.log10(y) if log else y
    half = int(window) // 2
    mean, spread = np.empty_like(values), np.empty_like(values)
    for i in range(values.size):  # centred windows, shorter at the ends
        part = values[max(0, i - half): i + half + 1]
        part = part[np.isfinite(part)]
        mean[i], spread[i] = (part.mean(), part.std()) if part.size else (np.nan, np.nan)
    low, high = mean - spread, mean + spread
    if log:
        low, high, mean = 10 ** low, 10 ** high, 10 ** mean
    color = NEUTRAL["data"] if color is None else color
    band = ax.fill_between(x, low, high, color=color, alpha=0.18, linewidth=0,
                           label="_nolegend_" if band_label is None else band_label, zorder=1)
    line = ax.plot(x, mean, color=color, linewidth=_width(1.8), label=label or "_nolegend_", zorder=2)[0]
    return [band, line]


class EMAArtists:
    """What `ema_plot` drew; ``update(beta, bias_correction)`` recomputes the averages."""

    def __init__(self, ax, series):
        self.ax = ax
        self.series = np.asarray(series, dtype=float)
        if self.series.ndim != 1 or self.series.size == 0 or not np.all(np.isfinite(self.series)):
            raise ValueError("series must be a 1-D array of finite numbers")
        self.t = np.arange(1, self.series.size + 1)
        ax.plot(self.t, self.series, "o", markersize=_size(3), color=NEUTRAL["data"], alpha=0.6, label="values xₜ")
        self.plain = ax.plot(self.t, self.t * np.nan, "--", color=NEUTRAL["ema"], linewidth=_width(1.8))[0]
        self.corrected = ax.plot(self.t, self.t * np.nan, "-", color=NEUTRAL["corrected"], linewidth=_width(2.2),
                                 label="bias-corrected aₜ / (1 − βᵗ)")[0]
        ax.set(xlabel="t", ylabel="value", title="exponential moving average", xlim=(0, self.series.size + 1))
        low, high = min(self.series.min(), 0.0), self.series.max()
        margin = 0.05 * (high - low) or 1.0  # an all-zero series: a range around 0, not low = high
        ax.set_ylim(low - margin, high + margin)
        ax.grid(True, alpha=0.3)

    def update(self, beta, bias_correction: bool = True):
        self.plain.set_ydata(ema(self.series, beta))
        self.plain.set_label(f"EMA aₜ, β = {beta:.3g}")
        self.corrected.set_ydata(ema(self.series, beta, bias_correction=True))
        self.corrected.set_visible(bool(bias_correction))
        shown = [line for line in self.ax.lines if line.get_visible()]
        self.ax.legend(handles=shown, loc="lower right", fontsize="small", framealpha=0.9)
        return self


def ema_plot(ax, series, beta, bias_correction: bool = True) -> EMAArtists:
    """A noisy series as dots, its EMA started at 0, and (if `bias_correction`) the corrected EMA.

    The plain EMA starts far too low, by the factor 1 − βᵗ; the corrected one does not.
    """
    return EMAArtists(_axes_or_new(ax), series).update(beta, bias_correction)


class EMAWeightsArtists:
    """What `ema_weights_plot` drew; ``update(beta)`` redraws the weights for another β."""

    def __init__(self, ax, count: int):
        self.ax = ax
        self.k = np.arange(count)
        self.weights = ax.plot(self.k, self.k * np.nan, "-o", markersize=_size(3), linewidth=_width(1.5),
                               color=NEUTRAL["ema"], label="βᵏ")[0]
        self.window = ax.axvline(0, color=NEUTRAL["reference"], linestyle="--", linewidth=_width(1.5))
        one_over_e = ax.axhline(np.exp(-1), color=NEUTRAL["data"], linestyle=":", linewidth=_width(1.2),
                                label="1/e ≈ 0.37")
        ax.set(xlabel="k: how many steps back", ylabel="weight, relative to the newest value",
               title="weights of past values", xlim=(-0.5, count - 0.5), ylim=(0, 1.05))
        ax.grid(True, alpha=0.3)
        self._handles = [self.weights, self.window, one_over_e]

    def update(self, beta):
        window = effective_window(beta)
        self.weights.set_ydata(ema_weights(beta, self.k.size) / (1 - beta))  # βᵏ: the newest value has 1
        self.window.set_xdata([window, window])
        self.window.set_label(f"1/(1 − β) = {window:.3g} steps")
        self.ax.legend(handles=self._handles, loc="upper right", fontsize="small", framealpha=0.9)
        return self


def ema_weights_plot(ax, beta, count: int = 60) -> EMAWeightsArtists:
    """The weight βᵏ of the value k steps back, relative to the newest (the EMA multiplies all by
    1 − β), and the window 1/(1 − β), where βᵏ has fallen to about 1/e."""
    if isinstance(count, bool) or int(count) != count or count < 2:
        raise ValueError(f"count must be a whole number ≥ 2, got {count!r}")
    return EMAWeightsArtists(_axes_or_new(ax), int(count)).update(beta)


def schedule_plot(ax, schedules, steps: int, log: bool = False) -> list:
    """The learning rate of each schedule at steps 0 … steps − 1. Returns the lines.

    `schedules` is one schedule (any function of the step, e.g. from `course_lib.schedules`), a
    list of them, or a dict label -> schedule.
    """
    if isinstance(steps, bool) or int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be a whole number ≥ 1, got {steps!r}")
    ax = _axes_or_new(ax)
    if callable(schedules):
        schedules = [schedules]
    if not isinstance(schedules, dict):
        schedules = _schedule_labels(list(schedules))
    t = np.arange(int(steps))
    # schedules are not optimizers: neutral looks, told apart by line style (never the palette)
    looks = setting_looks(None, len(schedules))
    lines = [ax.plot(t, np.broadcast_to(schedule(t), t.shape), linewidth=_width(1.8), label=label, **look)[0]
             for (label, schedule), look in zip(schedules.items(), looks)]
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="step t", ylabel="learning rate ηₜ", title="learning-rate schedules")
    ax.grid(True, alpha=0.3)
    # beside the axes: the curves fill them from corner to corner
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small", frameon=False)
    return lines


_SCHEDULE_NAMES = {"step_decay": "step decay", "exponential": "exponential decay",
                   "inverse_time": "inverse-time decay", "cosine_warm_restarts": "cosine with warm restarts",
                   "one_cycle": "one-cycle", "wsd": "warmup-stable-decay"}


def schedule_label(schedule) -> str:
    """A schedule's name as a legend or title shows it: words, not the function's snake_case name.

    >>> from course_lib.schedules import step_decay, warmup, cosine
    >>> schedule_label(step_decay(0.1, 10)), schedule_label(warmup(cosine(0.1, 100), 10))
    ('step decay', 'warmup + cosine')
    """
    name = getattr(schedule, "__name__", None) or type(schedule).__name__
    return " + ".join(_SCHEDULE_NAMES.get(part, part.replace("_", " ")) for part in name.split("+"))


def _schedule_labels(schedules: list) -> dict:
    """Label each schedule by its readable name, with its settings when two share a name."""
    names = [schedule_label(schedule) for schedule in schedules]
    labels = {}
    for name, schedule in zip(names, schedules):
        settings = getattr(schedule, "settings", None)
        if names.count(name) > 1 and settings:
            name = f"{name} ({', '.join(f'{key}={_show(value)}' for key, value in settings.items() if key != 'schedule')})"
        elif names.count(name) > 1:
            name = repr(schedule)
        labels[name] = schedule
    return labels


def animate_race(problem, paths, labels=None, frames: int = 30, interval: int = 120, dpi: float = 72):
    """Optimizers racing on a contour, as an animation that plays in the notebook (HTML + JS).

    `frames` (at most 60) are spread evenly over the steps; `interval` is the time between them in
    milliseconds. The frames are JPEG images at a modest dpi, about 20 kB each, so the notebook stays
    small. Mark its cell ``# NBVAL_IGNORE_OUTPUT``: the HTML holds random ids.
    """
    from IPython.display import HTML  # IPython comes with ipywidgets, a dependency of the course

    if isinstance(frames, bool) or int(frames) != frames or not 2 <= frames <= 60:
        raise ValueError(f"frames must be a whole number from 2 to 60 (each adds ~20 kB to the notebook), "
                         f"got {frames!r}")
    figure, ax = new_figure(figsize=(5.2, 4.2), dpi=dpi)
    contour(problem, ax=ax)
    drawn = trajectories(ax, paths, labels)
    steps = max(run.points.shape[0] - 1 for run in _as_runs(paths))
    frame_steps = np.unique(np.linspace(0, steps, int(frames)).round().astype(int))

    figure.canvas.draw()
    figure.set_layout_engine("none")  # laid out once; every frame then keeps that layout
    # matplotlib's JavaScript player (what FuncAnimation.to_jshtml uses), fed frame by frame:
    # FuncAnimation would also redraw the figure once more per frame.
    writer = HTMLWriter(fps=1000 / interval, embed_frames=True, default_mode="once")
    writer.frame_format = "jpeg"  # a quarter of the size of PNG frames here, and looks the same
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "race.html"
        with writer.saving(figure, page, dpi):
            for step in frame_steps:
                drawn.update(paths, labels, until=step)
                ax.set_title(f"{problem.name}: step {step}")
                writer.grab_frame(pil_kwargs={"quality": 70})
        return HTML(_offline_player(page.read_text()))


# matplotlib's player draws its buttons with Font Awesome icons loaded from a CDN: offline (as the
# course runs) they would be blank, so each icon becomes a plain Unicode symbol.
_BUTTON_SYMBOLS = {"fa fa-minus": "−", "fa fa-fast-backward": "⏮", "fa fa-step-backward": "◁",
                   "fa fa-play fa-flip-horizontal": "◀", "fa fa-pause": "⏸", "fa fa-play": "▶",
                   "fa fa-step-forward": "▷", "fa fa-fast-forward": "⏭", "fa fa-plus": "+"}


def _offline_player(page: str) -> str:
    """The animation's HTML with no download: no icon font, and the frames' base64 on one line each."""
    page = re.sub(r"<link[^>]*font-awesome[^>]*>", "", page)
    for icon, symbol in _BUTTON_SYMBOLS.items():
        page = page.replace(f'<i class="{icon}"></i>', symbol)
    # the frames are long JavaScript strings continued with a backslash at each line end
    return page.replace("\\\n", "")


# -- presentation mode ---------------------------------------------------------------------------
# One line before the first figure of a lesson, `plots.use_style("talk")`, makes the figures and
# explorers readable from the back of a lecture hall: larger text, thicker axes and ticks, and
# thicker lines and bigger markers where a plot call sets no width of its own. Text sizes in this module are relative ("small"), so they grow with it; matplotlib's
# tick locators fit fewer ticks when their labels are larger, so fewer tick labels come by
# themselves. The pixel size of every figure stays the same, and with it the explorers' redraw time.

STYLES = {
    "default": {},  # what matplotlib (or the notebook's backend) had before a style was chosen
    "talk": {
        "font.size": 13.0,          # matplotlib's 10, × 1.3: more would not fit the explorers' titles
        "axes.titlesize": 12.0,     # the default size: the explorers' long titles must still fit
        "axes.labelsize": "medium",
        "legend.fontsize": "medium",
        "xtick.labelsize": "large", "ytick.labelsize": "large",  # 15.6: fewer ticks fit, and numbers read best
        "lines.linewidth": 2.6,     # 1.5
        "lines.markersize": 8.0,    # 6
        "axes.linewidth": 1.4,      # 0.8
        "grid.linewidth": 1.2,      # 0.8
        "xtick.major.width": 1.4, "ytick.major.width": 1.4,   # 0.8
        "xtick.major.size": 6.0, "ytick.major.size": 6.0,     # 3.5
        "xtick.minor.visible": False, "ytick.minor.visible": False,
    },
}
_saved_rc: dict = {}  # the values "talk" replaced, to put back with use_style("default")


def use_style(name: str = "talk") -> None:
    """Switch every figure and explorer made from now on to a style: "talk" (a projector) or "default".

    Figures already drawn keep their style: run it first, then the lesson's cells.

    >>> use_style("talk"); use_style("default")
    """
    import matplotlib

    if name not in STYLES:
        raise ValueError(f"unknown style {name!r}: choose one of {', '.join(map(repr, STYLES))}")
    if _saved_rc:  # undo the last style first, so that styles do not pile up
        matplotlib.rcParams.update(_saved_rc)
        _saved_rc.clear()
    _saved_rc.update({key: matplotlib.rcParams[key] for key in STYLES[name]})
    matplotlib.rcParams.update(STYLES[name])


__all__ += ["STYLES", "use_style"]  # appended here, beside the function (presentation mode)
