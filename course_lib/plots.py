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

__all__ = ["PALETTE", "color_of", "optimizer_name", "short_label", "new_figure",
           "contour", "trajectories", "loss_curves", "ema_plot", "ema_weights_plot", "schedule_plot",
           "animate_race", "PathArtists", "LossArtists", "EMAArtists", "EMAWeightsArtists"]

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
    "Adam": "#D55E00",      # vermilion
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

# Light greys, white at the minimum: the coloured paths must stand out on every level.
_BACKGROUND_CMAP = mcolors.LinearSegmentedColormap.from_list("course_background", ["#FFFFFF", "#CDD1D9"])
_LEVEL_LINE_COLOR = "#9096A0"
_MINIMUM_STYLE = dict(marker="*", markersize=15, color="#FFD23F", markeredgecolor="black",
                      markeredgewidth=0.8, linestyle="none", zorder=2)
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


_SHOWN_AS = {"beta": "β", "beta1": "β1", "beta2": "β2", "eps": "ε"}
_ALWAYS_SHOWN = {"lr", "beta", "beta1", "beta2"}


def short_label(optimizer) -> str:
    """A legend label: the name, lr and the β's, and any other hyper-parameter not at its default.

    `optimizer` is an optimizer or a `Trajectory`. Hyper-parameters given as arrays (a sweep) are
    left out; label such runs yourself.

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
            shown.append(f"{_SHOWN_AS.get(key, key)}={_show(value)}")
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


def _shades(color: str, count: int) -> list:
    """`count` shades of one colour, darker to lighter, for several runs of one optimizer.

    A dark colour (black for SGD) can only get lighter, so its shades all mix in white.
    """
    rgb = np.array(mcolors.to_rgb(color))
    darkest = 0.0 if rgb @ [0.299, 0.587, 0.114] < 0.35 else -0.45
    shades = []
    for mix in np.linspace(darkest, 0.6, count):
        target = np.ones(3) if mix > 0 else np.zeros(3)
        shades.append(mcolors.to_hex(rgb + abs(mix) * (target - rgb)))
    return shades


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


def _run_colors(runs) -> list:
    """The palette colour of each run; shades of it when one optimizer has several runs."""
    names = [run.name for run in runs]
    shades = {name: iter(_shades(color_of(name), names.count(name))) for name in set(names) if names.count(name) > 1}
    return [next(shades[name]) if name in shades else color_of(name) for name in names]


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
    figure = Figure(figsize=figsize or (4.8 * ncols, 3.8), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.subplots(1, ncols)


def _axes_or_new(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # only here: a new figure for the notebook to show
    return plt.subplots(figsize=(5.5, 4.2), layout="constrained")[1]


def contour(problem, ax=None, levels: int = 12, resolution: int = 120, filled: bool = True):
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
    ax.contour(X, Y, log_gap, levels=log_levels, colors=_LEVEL_LINE_COLOR, linewidths=0.6,
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


_MAX_STEP_MARKERS = 60  # a longer path shows a dot every few steps instead of at every step


class PathArtists:
    """What `trajectories` drew: per run a line with small markers, a start and an end marker.

    ``update(paths, labels)`` puts new runs (as many as before) into the same artists: the widgets
    call it instead of drawing again. A run that diverged ends at its last finite point, marked ✕,
    and its legend label says "diverged at step k"; without a legend, a note in the corner says it
    (the ✕ is often far outside the view).
    """

    def __init__(self, ax, count: int, legend: bool = True):
        self.ax, self.legend = ax, legend
        self.lines = [ax.plot([], [], "-o", markersize=2.5, linewidth=1.4, zorder=3)[0] for _ in range(count)]
        self.starts = [ax.plot([], [], "o", markersize=6, markerfacecolor="white", markeredgewidth=1.5,
                               zorder=4, label="_nolegend_")[0] for _ in range(count)]
        self.ends = [ax.plot([], [], markersize=7, linestyle="none", markeredgecolor="white", markeredgewidth=0.8,
                             zorder=4, label="_nolegend_")[0] for _ in range(count)]
        self.note = ax.text(0.02, 0.02, "", transform=ax.transAxes, fontsize="small", zorder=5, color="#A01010",
                            bbox=dict(boxstyle="round", facecolor="white", edgecolor="none", alpha=0.85))
        self.note.set_visible(False)

    def update(self, paths, labels=None, until: int | None = None):
        """Draw `paths` (one Trajectory, or a list), each up to step `until` (all steps if None)."""
        runs = _as_runs(paths, labels)
        if len(runs) != len(self.lines):
            raise ValueError(f"these artists draw {len(self.lines)} runs; got {len(runs)}")
        diverged_runs = []
        for run, color, line, start, end in zip(runs, _run_colors(runs), self.lines, self.starts, self.ends):
            points = run.points[: None if until is None else until + 1, :2]
            last = _last_finite_index(points)
            shown = points[: 0 if last is None else last + 1]
            diverged = run.diverged_at is not None and (until is None or run.diverged_at <= until)
            line.set_data(shown[:, 0], shown[:, 1])
            line.set_markevery(max(1, len(shown) // _MAX_STEP_MARKERS))  # hundreds of dots only cost drawing time
            line.set_color(color)
            line.set_label(_legend_label(run) if diverged else run.label)
            start.set_data(points[:1, 0], points[:1, 1])
            start.set_markeredgecolor(color)
            end.set_data(shown[-1:, 0], shown[-1:, 1])
            end.set_marker("X" if diverged else "o")
            end.set_markerfacecolor(color)
            if diverged:
                diverged_runs.append(_legend_label(run))
        self.note.set_text("\n".join(f"✕ {text}" for text in diverged_runs))
        self.note.set_visible(bool(diverged_runs) and not self.legend)
        if self.legend:  # below the axes: inside, it would hide some path
            self.ax.legend(handles=self.lines, loc="upper center", bbox_to_anchor=(0.5, -0.13),
                           ncols=1 if len(self.lines) < 3 else 2, fontsize="small", frameon=False)
        return self


def trajectories(ax, paths, labels=None, legend: bool = True) -> PathArtists:
    """Draw optimizer runs on a contour: line with a marker per step, ○ at the start, ● at the end.

    `paths` is one `Trajectory`, a list of them, or a batched one (points of shape (steps+1, K, 2),
    drawn as K runs). Colours come from the palette; several runs of one optimizer get shades of
    its colour. Labels default to the optimizer and its main hyper-parameters; ``legend=False``
    leaves the legend to another panel (as the explorers do, beside their loss curves).
    """
    ax = _axes_or_new(ax)
    return PathArtists(ax, len(_as_runs(paths, labels)), legend).update(paths, labels)


class LossArtists:
    """What `loss_curves` drew; ``update(paths, labels, x)`` puts new runs into the same lines."""

    def __init__(self, ax, count: int, min_value, log: bool, xlabel: str, legend: bool = True):
        self.ax, self.min_value, self.log, self.legend = ax, min_value, log, legend
        self.lines = [ax.plot([], [], linewidth=1.6)[0] for _ in range(count)]
        self.ends = [ax.plot([], [], "X", markersize=8, markeredgecolor="white", markeredgewidth=0.8,
                             label="_nolegend_")[0] for _ in range(count)]
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
        shown_x, shown_y = [], []
        for run, color, xs_run, line, end in zip(runs, _run_colors(runs), xs, self.lines, self.ends):
            if run.losses is None:
                raise ValueError(f"the run of {run.label} recorded no losses; give run() a Problem or loss=")
            y = self._heights(run.losses)
            last = _last_finite_index(y)
            line.set_data(xs_run, y)
            line.set_color(color)
            line.set_label(_legend_label(run))
            diverged = run.diverged_at is not None and last is not None
            end.set_data(xs_run[last:last + 1] if diverged else [], y[last:last + 1] if diverged else [])
            end.set_color(color)
            shown_x.append(xs_run)
            shown_y.append(y)
        self._set_limits(np.concatenate(shown_x), np.concatenate(shown_y))
        if self.legend:
            self.ax.legend(handles=self.lines, loc="best", fontsize="small", framealpha=0.9)
        return self

    def _heights(self, losses: np.ndarray) -> np.ndarray:
        """f − f* (or the loss); on a log axis anything below round-off is drawn at round-off."""
        gap = losses if self.min_value is None else losses - self.min_value
        if not self.log:
            return gap
        round_off = np.finfo(float).eps * max(1.0, abs(self.min_value or 0.0))
        heights = np.array(gap, dtype=float)
        heights[heights < round_off] = round_off  # NaN (after a divergence) compares False: stays NaN
        return heights

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
                xlabel: str = "step", legend: bool = True) -> LossArtists:
    """Loss against step for each run; a run that diverged ends with ✕ and says so in the legend.

    min_value: f* to subtract, so the curves show f − f*, which a log axis can show all the way
               down (a loss alone can be negative, as on the saddle). By default the f* the runs
               recorded from their problem (`Trajectory.min_value`), when they share one.
    x:         positions other than the step number: one array of steps + 1 values (shared), or
               one per run; e.g. the number of examples processed. Name them with `xlabel`.
    """
    ax = _axes_or_new(ax)
    runs = _as_runs(paths, labels)
    if min_value is None:
        recorded = {path.min_value for path in ([paths] if isinstance(paths, Trajectory) else paths)}
        min_value = recorded.pop() if len(recorded) == 1 else None
    return LossArtists(ax, len(runs), min_value, log, xlabel, legend).update(paths, labels, x)


class EMAArtists:
    """What `ema_plot` drew; ``update(beta, bias_correction)`` recomputes the averages."""

    def __init__(self, ax, series):
        self.ax = ax
        self.series = np.asarray(series, dtype=float)
        if self.series.ndim != 1 or self.series.size == 0 or not np.all(np.isfinite(self.series)):
            raise ValueError("series must be a 1-D array of finite numbers")
        self.t = np.arange(1, self.series.size + 1)
        ax.plot(self.t, self.series, "o", markersize=3, color="#9AA0AA", label="values xₜ")
        self.plain = ax.plot(self.t, self.t * np.nan, "--", color="#0072B2", linewidth=1.8)[0]
        self.corrected = ax.plot(self.t, self.t * np.nan, "-", color="#D55E00", linewidth=2.0,
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
        self.weights = ax.plot(self.k, self.k * np.nan, "-o", markersize=3, color="#0072B2", label="βᵏ")[0]
        self.window = ax.axvline(0, color="#D55E00", linestyle="--", linewidth=1.5)
        one_over_e = ax.axhline(np.exp(-1), color="#9AA0AA", linestyle=":", linewidth=1.2, label="1/e ≈ 0.37")
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
    lines = [ax.plot(t, np.broadcast_to(schedule(t), t.shape), linewidth=1.8, label=label)[0]
             for label, schedule in schedules.items()]
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="step t", ylabel="learning rate ηₜ", title="learning-rate schedules")
    ax.grid(True, alpha=0.3)
    # beside the axes: the curves fill them from corner to corner
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small", frameon=False)
    return lines


def _schedule_labels(schedules: list) -> dict:
    """Label each schedule by its name, or by its full repr when two share a name."""
    names = [getattr(schedule, "__name__", repr(schedule)) for schedule in schedules]
    return {(name if names.count(name) == 1 else repr(schedule)): schedule
            for name, schedule in zip(names, schedules)}


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
