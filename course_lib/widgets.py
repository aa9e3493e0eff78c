r"""Interactive explorers: sliders wired to `run` and `plots`, one figure that follows them.

In a notebook, an explorer as the last line of a cell shows its sliders, figure and status line:

    >>> from course_lib.widgets import gd_explorer
    >>> explorer = gd_explorer()                 # GD on the quadratic with eigenvalues 1 and 10
    >>> explorer.lr.value = 0.25                 # what moving the slider does, from code
    >>> print(explorer.status.value)
    SGD lr=0.25: diverged at step 35 — lr above the stability limit 2/λmax = 0.2

Every explorer exposes its controls as attributes (``explorer.lr``, ``explorer.beta``, ...), the
runs it drew (``explorer.paths``), its status line (``explorer.status.value``) and how many times
it rendered (``explorer.renders``); so its behaviour can be checked without a browser.

How it stays fast: the figure and its contour background are made once. A slider move reruns
only the optimizers, moves the existing lines (``set_data``) and renders the figure to a PNG shown
in an ``ipywidgets.Image``: plain widgets, nothing to install in JupyterLab. Sliders update while
dragged (``continuous_update``): a redraw takes tens of milliseconds, and ipywidgets sends the
kernel at most one change at a time, so a fast drag skips positions instead of queueing them.

Make your own with `TrajectoryExplorer`, in a few lines:

    TrajectoryExplorer(problem, lambda lr, beta: Momentum(lr=lr, beta=beta),
                       controls={"lr": lr_slider(0.01, 1e-4, 0.1), "beta": beta_slider(0.9)})
"""

from __future__ import annotations

import html
import io

import ipywidgets as widgets
import numpy as np

from . import plots, theory
from .averages import effective_window, ema
from .data import LinearRegression, batch_sizes, linear_data, noisy_signal
from .optim import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from .problems import Quadratic, Rosenbrock
from .run import run

__all__ = ["lr_slider", "beta_slider", "stability_limit", "Explorer", "TrajectoryExplorer",
           "BatchSizeExplorer", "EMAExplorer", "gd_explorer", "momentum_explorer",
           "rmsprop_explorer", "adam_explorer"]

_FIGURE_SIZE = (9.6, 3.9)  # inches; at 80 dpi a 768 × 312 pixel PNG, quick to draw and to send
_DPI = 80
_SLIDER_STYLE = {"description_width": "initial"}


# -- controls -----------------------------------------------------------------------------------

def lr_slider(value: float, low: float, high: float, description: str = "lr") -> widgets.FloatLogSlider:
    """A learning-rate slider on a log scale from `low` to `high` (a step is ~1/100 of the range)."""
    if not 0 < low <= value <= high:
        raise ValueError(f"need 0 < low ≤ value ≤ high for a log-scale slider, got {low!r}, {value!r}, {high!r}")
    exponents = np.log10([low, high])
    return widgets.FloatLogSlider(value=value, base=10, min=exponents[0], max=exponents[1],
                                  step=(exponents[1] - exponents[0]) / 100, description=description,
                                  readout_format=".3g", continuous_update=True, style=_SLIDER_STYLE)


def beta_slider(value: float = 0.9, description: str = "β", high: float = 0.999) -> widgets.FloatSlider:
    """A slider for an EMA's memory β, from 0 to `high` (< 1) in steps of 0.001."""
    if not 0 <= value <= high < 1:
        raise ValueError(f"need 0 ≤ value ≤ high < 1 for β, got value {value!r}, high {high!r}")
    return widgets.FloatSlider(value=value, min=0.0, max=high, step=0.001, description=description,
                               readout_format=".3f", continuous_update=True, style=_SLIDER_STYLE)


def _nice(number: float) -> float:
    """`number` to two significant digits, a friendlier start value for a slider."""
    return float(f"{number:.2g}")


# -- the stability limit of gradient descent and heavy-ball momentum on a quadratic --------------

_LIMIT_FORMULAS = {"SGD": "2/λmax", "Momentum": "2(1+β)/λmax", "Nesterov": "2(1+β)/((1+2β)λmax)"}


def stability_limit(optimizer, problem) -> float | None:
    """The largest stable lr of GD, Momentum or Nesterov on a quadratic problem, else None.

    On a quadratic with largest Hessian eigenvalue λmax (an L2 weight decay adds to it), the
    iterates stay bounded only if lr < 2/λmax (GD), lr < 2(1+β)/λmax (heavy ball; the EMA form
    has an extra factor 1/(1−β)), lr < 2(1+β)/((1+2β) λmax) (Nesterov). None for problems with
    no `hessian`, other optimizers, schedules and sweeps.
    """
    hessian = getattr(problem, "hessian", None)
    name = plots.optimizer_name(optimizer)
    settings = optimizer.hyper_parameters
    if hessian is None or name not in _LIMIT_FORMULAS or any(np.ndim(v) or callable(v) for v in settings.values()):
        return None
    lambda_max = np.linalg.eigvalsh(hessian).max() + optimizer.weight_decay
    if lambda_max <= 0:
        return None
    if name == "SGD":
        return theory.gd_lr_limit(lambda_max)
    if name == "Momentum":  # the EMA form's step is (1 − β) times smaller, so its limit that much larger
        return float(theory.heavy_ball_lr_limit(optimizer.beta, lambda_max)) / ((1 - optimizer.beta) if optimizer.ema else 1)
    return float(theory.nesterov_lr_limit(optimizer.beta, lambda_max))


def _stability_note(optimizer, problem) -> str:
    limit = stability_limit(optimizer, problem)
    if limit is None or optimizer.lr <= limit:
        return ""
    formula = _LIMIT_FORMULAS[plots.optimizer_name(optimizer)]
    if getattr(optimizer, "ema", False):
        formula = formula.replace("/λmax", "/((1−β)λmax)")
    return f" — lr above the stability limit {formula} = {limit:.3g}"


def _outcome(path, min_value) -> str:
    """'diverged at step k', or how far above the minimum the run ended."""
    if path.diverged_at is not None:
        return f"diverged at step {path.diverged_at}"
    if np.isfinite(min_value):
        return f"f − f* = {path.final_loss - min_value:.2g} after {path.steps} steps"
    return f"loss {path.final_loss:.3g} after {path.steps} steps"


# -- the explorers ------------------------------------------------------------------------------

class Explorer:
    """What every explorer shares: named controls, a figure drawn once, its PNG, a status line.

    A subclass draws its figure and then calls ``Explorer.__init__``; its ``redraw(**values)``
    updates the drawn artists for the current control values and returns the status lines.
    """

    def __init__(self, figure, controls: dict):
        self.figure = figure
        self.image = widgets.Image(format="png")
        self.status = widgets.HTML()
        self.renders = 0
        self.controls = dict(controls)
        for name, control in self.controls.items():
            if not name.isidentifier() or hasattr(self, name):
                raise ValueError(f"a control cannot be called {name!r}: use a Python name the explorer "
                                 "does not already use (not figure, image, status, paths, ...)")
            setattr(self, name, control)
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([
            widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
            self.image, self.status])
        self.update()

    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self):
        """Redraw for the current control values and render; a control's change calls this."""
        try:
            lines = self.redraw(**self.values())
        except ValueError as error:  # e.g. a custom slider reaching β = 1: say why, keep the last figure
            lines = [f"⚠ {error}"]
        self.status.value = "<br>".join(html.escape(line) for line in lines)
        self._render()

    def redraw(self, **values) -> list:
        raise NotImplementedError

    def _on_change(self, change):
        self.update()

    def _render(self):
        buffer = io.BytesIO()
        self.figure.canvas.print_png(buffer)  # draws once; savefig would lay out and draw twice
        self.image.value = buffer.getvalue()
        self.renders += 1
        if self.renders == 1:  # the first render placed the panels: keep them there, stable and fast
            self.figure.set_layout_engine("none")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class TrajectoryExplorer(Explorer):
    """Optimizers on a 2-D problem: paths on its contour (left) and f − f* per step (right).

    make_optimizers: a function of the control values (by the controls' names) that returns one
                     optimizer or a list of them, e.g. ``lambda lr, beta: Momentum(lr=lr, beta=beta)``.
    controls:        name -> widget (`lr_slider`, `beta_slider`, a Checkbox, ...); each is also an
                     attribute of the explorer, ``explorer.lr``.
    steps, x0:       how many steps each optimizer takes, from where (default: ``problem.start``).
    """

    def __init__(self, problem, make_optimizers, controls: dict, steps: int = 100, x0=None):
        self.problem = problem
        self.make_optimizers = make_optimizers
        self.steps = steps
        self.x0 = problem.start if x0 is None else np.asarray(x0, dtype=float)
        self.paths = []
        figure, (self.path_axes, self.loss_axes) = plots.new_figure(2, figsize=_FIGURE_SIZE, dpi=_DPI)
        plots.contour(problem, ax=self.path_axes)
        count = len(self._optimizers({name: control.value for name, control in controls.items()}))
        min_value = problem.min_value if np.isfinite(problem.min_value) else None
        self._drawn_paths = plots.PathArtists(self.path_axes, count, legend=False)
        self._drawn_losses = plots.LossArtists(self.loss_axes, count, min_value, log=True, xlabel="step")
        super().__init__(figure, controls)

    def _optimizers(self, values: dict) -> list:
        optimizers = self.make_optimizers(**values)
        return list(optimizers) if isinstance(optimizers, (list, tuple)) else [optimizers]

    def redraw(self, **values) -> list:
        optimizers = self._optimizers(values)
        self.paths = [run(optimizer, self.problem, self.x0, self.steps) for optimizer in optimizers]
        self._drawn_paths.update(self.paths)
        self._drawn_losses.update(self.paths)
        return [f"{plots.short_label(path)}: {_outcome(path, self.problem.min_value)}"
                f"{_stability_note(optimizer, self.problem)}"
                for optimizer, path in zip(optimizers, self.paths)]


def _lr_range(problem, fallback: tuple, above: float) -> tuple:
    """(value, low, high) for an lr slider: around GD's limit 2/λmax on a quadratic, else `fallback`.

    The slider reaches `above` times the limit, so the learner can see the divergence.
    """
    limit = stability_limit(SGD(), problem)
    if limit is None:
        return fallback
    return _nice(limit / 4), limit / 100, above * limit


def gd_explorer(problem=None, steps: int = 50) -> TrajectoryExplorer:
    """Lesson 01: gradient descent with a learning-rate slider (default: quadratic λ = 1, 10)."""
    problem = Quadratic([1.0, 10.0]) if problem is None else problem
    value, low, high = _lr_range(problem, fallback=(1e-3, 1e-5, 1e-1), above=1.5)
    return TrajectoryExplorer(problem, lambda lr: SGD(lr=lr), {"lr": lr_slider(value, low, high)}, steps=steps)


def momentum_explorer(problem=None, steps: int = 100) -> TrajectoryExplorer:
    """Lesson 04: GD, heavy-ball momentum and Nesterov with the same lr and β, on a ravine (κ = 50)."""
    problem = Quadratic([1.0, 50.0]) if problem is None else problem
    value, low, high = _lr_range(problem, fallback=(1e-3, 1e-5, 1e-1), above=2.0)
    return TrajectoryExplorer(
        problem, lambda lr, beta: [SGD(lr=lr), Momentum(lr=lr, beta=beta), Nesterov(lr=lr, beta=beta)],
        {"lr": lr_slider(value, low, high), "beta": beta_slider(0.9)}, steps=steps)


def rmsprop_explorer(problem=None, steps: int = 100) -> TrajectoryExplorer:
    """Lesson 05: AdaGrad and RMSprop with the same lr (RMSprop's β too), on a ravine (κ = 50)."""
    problem = Quadratic([1.0, 50.0]) if problem is None else problem
    return TrajectoryExplorer(
        problem, lambda lr, beta: [AdaGrad(lr=lr), RMSprop(lr=lr, beta=beta)],
        {"lr": lr_slider(0.05, 1e-3, 1.0), "beta": beta_slider(0.9)}, steps=steps)


def adam_explorer(problem=None, steps: int = 300) -> TrajectoryExplorer:
    """Lesson 06: Adam with lr, β1, β2 and bias correction on or off (default: Rosenbrock)."""
    problem = Rosenbrock() if problem is None else problem
    return TrajectoryExplorer(
        problem,
        lambda lr, beta1, beta2, bias_correction: Adam(lr=lr, beta1=beta1, beta2=beta2,
                                                       bias_correction=bias_correction),
        {"lr": lr_slider(0.1, 1e-3, 1.0), "beta1": beta_slider(0.9, "β1"), "beta2": beta_slider(0.999, "β2"),
         "bias_correction": widgets.Checkbox(value=True, description="bias correction")}, steps=steps)


class BatchSizeExplorer(Explorer):
    """Lesson 02: mini-batch SGD on a linear regression against full-batch GD, for the same work.

    Both get `epochs` passes over the n examples, so the same number of single-example gradients:
    full-batch GD takes one step per epoch, mini-batch SGD ⌈n/b⌉. The right panel plots the loss
    on all the data against examples processed, a cost that does not depend on the machine.
    """

    def __init__(self, x=None, y=None, *, seed: int = 0):
        if x is None:
            x, y = linear_data(100, np.random.default_rng(seed))
        self.problem = LinearRegression(x, y)
        self.seed = seed
        self.paths = []
        n = self.problem.x.size
        controls = {
            "batch_size": widgets.IntSlider(value=min(10, n), min=1, max=n, description="batch size",
                                            continuous_update=True, style=_SLIDER_STYLE),
            "lr": lr_slider(0.05, 1e-3, 1.0),
            "epochs": widgets.IntSlider(value=5, min=1, max=10, description="epochs",
                                        continuous_update=True, style=_SLIDER_STYLE),
        }
        figure, (self.path_axes, self.loss_axes) = plots.new_figure(2, figsize=_FIGURE_SIZE, dpi=_DPI)
        plots.contour(self.problem, ax=self.path_axes)
        self._drawn_paths = plots.PathArtists(self.path_axes, 2, legend=False)
        self._drawn_losses = plots.LossArtists(self.loss_axes, 2, self.problem.min_value, log=True,
                                               xlabel="examples processed (single-example gradients)")
        super().__init__(figure, controls)

    def redraw(self, batch_size, lr, epochs) -> list:
        n, start = self.problem.x.size, self.problem.start
        sizes = np.tile(batch_sizes(n, batch_size), epochs)  # the batches of every epoch, in order
        stochastic = self.problem.minibatch_gradient(batch_size, np.random.default_rng(self.seed))
        minibatch = run(SGD(lr=lr), stochastic, start, sizes.size, loss=self.problem.value)
        full_batch = run(SGD(lr=lr), self.problem, start, epochs)
        self.paths = [minibatch, full_batch]
        labels = [f"mini-batch SGD, b = {batch_size}", f"full-batch GD, b = {n}"]
        examples = [np.concatenate([[0], np.cumsum(sizes)]), n * np.arange(epochs + 1)]
        self._drawn_paths.update(self.paths, labels)
        self._drawn_losses.update(self.paths, labels, x=examples)
        per_epoch = sizes.size // epochs
        last = f" (the last has {sizes[per_epoch - 1]})" if sizes[per_epoch - 1] != batch_size else ""
        return [f"{labels[0]}: {per_epoch} steps per epoch{last}, {sizes.size} steps in all; "
                f"{_outcome(minibatch, self.problem.min_value)}{self._epoch_of(minibatch, per_epoch)}",
                f"{labels[1]}: 1 step per epoch, {epochs} in all; {_outcome(full_batch, self.problem.min_value)}"
                f"{_stability_note(SGD(lr=lr), self.problem)}",
                f"both processed {n * epochs} examples (lr = {lr:.3g})"]

    @staticmethod
    def _epoch_of(path, steps_per_epoch: int) -> str:
        if path.diverged_at is None:
            return ""
        return f" (epoch {(path.diverged_at - 1) // steps_per_epoch + 1})"


class EMAExplorer(Explorer):
    """Lesson 03: the EMA of a noisy series for a β slider, with bias correction on or off.

    Left: the values, their EMA started at 0, and the corrected EMA. Right: the weights
    (1 − β) βᵏ of the values k steps back, and the effective window 1/(1 − β).
    """

    def __init__(self, series=None, *, seed: int = 0):
        if series is None:
            series = noisy_signal(100, np.random.default_rng(seed))
        self.series = np.asarray(series, dtype=float)
        controls = {"beta": beta_slider(0.9),
                    "bias_correction": widgets.Checkbox(value=False, description="bias correction")}
        figure, (series_axes, weights_axes) = plots.new_figure(2, figsize=_FIGURE_SIZE, dpi=_DPI)
        self._drawn_averages = plots.EMAArtists(series_axes, self.series)
        self._drawn_weights = plots.EMAWeightsArtists(weights_axes, 60)
        super().__init__(figure, controls)

    def redraw(self, beta, bias_correction) -> list:
        self._drawn_averages.update(beta, bias_correction)
        self._drawn_weights.update(beta)
        first = self.series[:1]
        lines = [f"β = {beta:.3g}: the weights of past values fade to 1/e after about 1/(1 − β) = "
                 f"{effective_window(beta):.3g} steps",
                 f"first average a₁ = (1 − β)·x₁ = {ema(first, beta)[0]:.3g}, though x₁ = {first[0]:.3g}"]
        if bias_correction:
            lines.append(f"bias-corrected: a₁ / (1 − β¹) = {ema(first, beta, bias_correction=True)[0]:.3g}")
        return lines
