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
from dataclasses import replace

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import LogLocator, NullLocator

from . import plots, schedules, theory
from .averages import effective_window, ema
from .data import LinearRegression, batch_sizes, linear_data, noisy_signal
from .optim import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from .problems import Quadratic, Rosenbrock
from .run import run

__all__ = ["lr_slider", "beta_slider", "stability_limit", "Explorer", "TrajectoryExplorer",
           "BatchSizeExplorer", "EMAExplorer", "ScheduleExplorer", "gd_explorer", "momentum_explorer",
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


def early_jump(path) -> tuple:
    """(highest loss in the first 100 steps, longest of the first 50 steps): what bias correction
    changes in Adam (lesson 06), which the final loss alone hides."""
    longest = np.nanmax(np.linalg.norm(np.diff(path.points[:51], axis=0), axis=-1))
    return float(np.nanmax(path.losses[:101])), float(longest)


class AdamExplorer(TrajectoryExplorer):
    """The trajectory explorer, whose status also reports the early jump (see `early_jump`)."""

    def redraw(self, **values) -> list:
        lines = super().redraw(**values)
        peak, longest = early_jump(self.paths[0])
        return lines + [f"first steps: highest loss {peak / self.paths[0].losses[0]:.2g} × the start, "
                        f"longest step {longest / values['lr']:.2g}·lr"]


def adam_explorer(problem=None, steps: int = 300) -> TrajectoryExplorer:
    """Lesson 06: Adam with lr, β1, β2 and bias correction on or off (default: Rosenbrock).

    Its status reports the final loss and the early jump that bias correction prevents."""
    problem = Rosenbrock() if problem is None else problem
    return AdamExplorer(
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
        steps = "1 step" if per_epoch == 1 else f"{per_epoch} steps"
        return [f"{labels[0]}: {steps} per epoch{last}, {sizes.size} steps in all; "
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


class ScheduleExplorer(Explorer):
    """Lesson 07: a learning-rate schedule (left) and what it does to SGD on a noisy quadratic (right).

    Left: ηₜ of the chosen schedule, the constant lr η₀ for comparison, and gradient descent's
    stability limit 2/λmax. Right: f − f* per step, averaged over `runs` runs of SGD whose
    gradients carry Gaussian noise of std `noise`, with the schedule and with the constant η₀;
    and the noise floor at which the constant lr settles, Σ ησ²/(2(2 − ηλ)) over the eigenvalues λ.

    The noise is drawn once (from `seed`): a control's move reruns only the optimizer, and the
    two runs see the same noise, so their curves differ by the schedule alone.

    Controls: ``kind`` (the schedule), ``lr`` (η₀: where it starts, or one-cycle's peak),
    ``setting`` (the kind's own parameter: its name and range follow the kind), ``warmup`` and
    ``warmup_steps`` (a linear warmup first; the schedule then runs over the steps left).
    """

    # kind -> (what `setting` is, min, max, step, default, readout format); None: from `steps`
    SETTINGS = {
        "constant": ("(no parameter)", 0.0, 1.0, 0.1, 0.0, ".1f"),
        "step": ("γ, every {quarter} steps", 0.05, 1.0, 0.05, 0.3, ".2f"),
        "exponential": ("γ per step", 0.98, 1.0, 0.0005, 0.995, ".4f"),
        "1/t": ("k in η₀/(1 + kt)", 0.0, 0.2, 0.002, 0.02, ".3f"),
        "cosine": ("η_min / η₀", 0.0, 0.5, 0.01, 0.0, ".2f"),
        "warm restarts": ("period T₀ (steps)", 25.0, None, 25.0, None, ".0f"),
        "one-cycle": ("fraction rising", 0.05, 0.95, 0.05, 0.3, ".2f"),
    }

    def __init__(self, problem=None, *, steps: int = 500, noise: float = 1.0, runs: int = 20,
                 last: int = 50, seed: int = 0):
        self.problem = Quadratic([1.0, 10.0]) if problem is None else problem
        if getattr(self.problem, "hessian", None) is None:
            raise ValueError(f"the schedule explorer needs a quadratic problem (one with a hessian), got {problem!r}")
        self.steps, self.noise, self.runs, self.last = int(steps), float(noise), int(runs), int(last)
        if self.steps < 40 or not 1 <= self.last <= self.steps or self.runs < 1:
            raise ValueError(f"need steps ≥ 40, 1 ≤ last ≤ steps and runs ≥ 1; got {steps!r}, {last!r}, {runs!r}")
        self.eigenvalues = np.linalg.eigvalsh(self.problem.hessian)
        self.limit = theory.gd_lr_limit(self.eigenvalues.max())
        rng = np.random.default_rng(seed)
        self._noise = self.noise * rng.standard_normal((self.steps, self.runs, self.problem.dim))
        self._starts = np.broadcast_to(self.problem.start, (2, self.runs, self.problem.dim)).copy()
        self.paths, self.curves, self.schedule = [], [], None
        self._configuring = False

        kind = widgets.Dropdown(options=list(self.SETTINGS), value="cosine", description="schedule",
                                style=_SLIDER_STYLE)
        setting = widgets.FloatSlider(continuous_update=True, style=_SLIDER_STYLE)
        self._configure_setting(setting, kind.value)
        controls = {"kind": kind,
                    "lr": lr_slider(_nice(self.limit / 2), self.limit / 200, 1.5 * self.limit),
                    "setting": setting,
                    "warmup": widgets.Checkbox(value=False, description="warmup"),
                    "warmup_steps": widgets.IntSlider(value=self.steps // 10, min=1, max=self.steps // 2,
                                                      description="warmup steps", disabled=True,
                                                      continuous_update=True, style=_SLIDER_STYLE)}

        figure, (self.schedule_axes, self.loss_axes) = plots.new_figure(2, figsize=_FIGURE_SIZE, dpi=_DPI)
        ax, t = self.schedule_axes, np.arange(self.steps)
        # the colours of the runs on the right: the schedule black (SGD's colour), the constant lr grey
        self._schedule_line = ax.plot(t, np.zeros(self.steps), color=plots.color_of("SGD"), linewidth=1.8)[0]
        self._constant_line = ax.plot(t, np.zeros(self.steps), color="#9AA0AA", linestyle="--", linewidth=1.4)[0]
        self._limit_line = ax.axhline(self.limit, color="#A01010", linestyle=":", linewidth=1.4)
        self._limit_text = ax.text(0.98, self.limit, f"stability limit 2/λmax = {self.limit:.3g}", ha="right",
                                   va="bottom", color="#A01010", fontsize="small", transform=ax.get_yaxis_transform())
        ax.set(xlabel="step t", ylabel="learning rate ηₜ", xlim=(0, self.steps))
        ax.grid(True, alpha=0.3)
        self._drawn_losses = plots.LossArtists(self.loss_axes, 2, self.problem.min_value, log=True, xlabel="step")
        self.loss_axes.yaxis.set_minor_locator(NullLocator())  # a third of the drawing time, for faint ticks
        self.loss_axes.set_title(f"SGD on {self.problem.name}, noise σ = {self.noise:g}: mean of {self.runs} runs",
                                 fontsize="medium")
        self._floor_line = self.loss_axes.axhline(1.0, color="#A01010", linestyle=":", linewidth=1.4)
        super().__init__(figure, controls)

    # -- the schedule --------------------------------------------------------------------------
    def _configure_setting(self, setting, kind: str):
        """Give the `setting` slider the name, range and default value of `kind`'s parameter."""
        description, low, high, step, value, readout = self.SETTINGS[kind]
        high = float(self.steps) if high is None else high
        value = float(25 * max(1, round(self.steps / 100))) if value is None else value  # a quarter of the steps
        self._configuring = True
        try:
            with setting.hold_trait_notifications():  # min, max and value checked together, at the end
                setting.min, setting.max, setting.step, setting.value = low, high, step, value
                setting.readout_format = readout
                setting.description = description.format(quarter=self.steps // 4)
                setting.disabled = kind == "constant"
        finally:
            self._configuring = False

    def make_schedule(self, kind: str, lr: float, setting: float, warmup: bool = False, warmup_steps: int = 1):
        """The `course_lib.schedules` schedule the controls describe, and a description of it."""
        steps = self.steps - warmup_steps if warmup else self.steps
        if kind == "constant":
            schedule, text = schedules.constant(lr), f"constant ηₜ = {lr:.3g}"
        elif kind == "step":
            schedule = schedules.step_decay(lr, step_size=self.steps // 4, gamma=setting)
            text = f"step decay ηₜ = {lr:.3g} · {setting:.2g}^⌊t/{self.steps // 4}⌋"
        elif kind == "exponential":
            schedule, text = schedules.exponential(lr, gamma=setting), f"exponential ηₜ = {lr:.3g} · {setting:.4g}ᵗ"
        elif kind == "1/t":
            schedule = schedules.inverse_time(lr, decay_rate=setting)
            text = f"1/t decay ηₜ = {lr:.3g} / (1 + {setting:.3g} t)"
        elif kind == "cosine":
            schedule = schedules.cosine(lr, total_steps=steps, lr_min=setting * lr)
            text = f"cosine from {lr:.3g} to {setting * lr:.2g} over {steps} steps"
        elif kind == "warm restarts":
            period = max(1, round(setting))
            schedule = schedules.cosine_warm_restarts(lr, first_period=period)
            text = f"cosine from {lr:.3g} to 0, restarted every {period} steps"
        else:
            schedule = schedules.one_cycle(lr, total_steps=steps, warmup_fraction=setting)
            text = f"one-cycle up to {lr:.3g} in {setting:.0%} of {steps} steps, then down"
        if warmup:
            return schedules.warmup(schedule, warmup_steps), f"linear warmup over {warmup_steps} steps, then {text}"
        return schedule, text

    # -- the explorer --------------------------------------------------------------------------
    def _on_change(self, change):
        if self._configuring:  # the setting slider is being set up for a new kind; one redraw follows
            return
        if change["owner"] is self.kind:
            self._configure_setting(self.setting, change["new"])
        self.warmup_steps.disabled = not self.warmup.value
        self.update()

    def _noisy_gradient(self):
        """∇f plus the noise drawn once, step by step; the two runs (schedule, constant) get the same."""
        noise = iter(self._noise)
        return lambda x: self.problem.grad(x) + next(noise)

    def redraw(self, kind, lr, setting, warmup, warmup_steps) -> list:
        self.schedule, text = self.make_schedule(kind, lr, setting, warmup, warmup_steps)
        schedule, t = self.schedule, np.arange(self.steps)
        rates = np.broadcast_to(schedule(t), t.shape)
        # one vectorized run: row 0 follows the schedule, row 1 the constant lr (both evaluated once, here)
        both_rates = np.stack([rates, np.full(self.steps, lr)], axis=1)[:, :, None, None]   # (steps, 2, 1, 1)
        both = SGD(lr=lambda step: both_rates[step])
        path = run(both, self._noisy_gradient(), self._starts, self.steps, loss=self.problem.value)
        self.paths = [replace(path, optimizer=f"SGD, {name}", problem=self.problem.name, points=path.points[:, k],
                              losses=path.losses[:, k], diverged_at=path.diverged_at[k],
                              hyper_parameters={"lr": lr_k}, min_value=self.problem.min_value)
                      for k, (name, lr_k) in enumerate([(text, schedule), (f"constant lr {lr:.3g}", lr)])]
        self.curves = [np.mean(p.losses - self.problem.min_value, axis=1) for p in self.paths]
        diverged = [self._first_divergence(p) for p in self.paths]
        floor = theory.sgd_noise_floor(lr, self.eigenvalues, self.noise)
        self._draw_schedule(rates, lr, f"ηₜ: {kind}" + (" after a warmup" if warmup else "") + f" (grey: constant {lr:.3g})")
        self._draw_effect(lr, diverged, floor, f"SGD, {kind}" + (" with warmup" if warmup else ""))
        return self._status(text, rates, lr, diverged, floor)

    def _draw_schedule(self, rates, lr, title):
        self._schedule_line.set_ydata(rates)
        self._constant_line.set_ydata(np.full(self.steps, lr))
        top = 1.15 * max(rates.max(), lr)
        self.schedule_axes.set_ylim(0, top)
        self._limit_text.set_visible(self.limit <= top)
        self.schedule_axes.set_title(title, fontsize="medium")

    def _draw_effect(self, lr, diverged, floor, label):
        # the mean over the runs, drawn as one run each (up to the first divergence of any of them)
        means = [replace(p, points=p.points.mean(axis=1), losses=curve + self.problem.min_value, diverged_at=step)
                 for p, curve, step in zip(self.paths, self.curves, diverged)]
        self._drawn_losses.update(means, [label, f"SGD, constant lr {lr:.3g}"])
        self._floor_line.set_ydata([floor, floor])
        self._floor_line.set_visible(bool(np.isfinite(floor)))
        self._floor_line.set_label(f"noise floor of lr {lr:.3g}")
        handles = self._drawn_losses.lines + ([self._floor_line] if np.isfinite(floor) else [])
        self.loss_axes.legend(handles=handles, loc="lower left", fontsize="small", framealpha=0.9)
        # a fixed top, so that a diverging run leaves the view instead of squashing the others
        finite = np.concatenate([curve[np.isfinite(curve)] for curve in self.curves] + [[floor] if np.isfinite(floor) else []])
        self.loss_axes.set_ylim(max(finite.min(), 1e-12) / 5, 30 * float(self.problem.gap(self.problem.start)))

    @staticmethod
    def _first_divergence(path):
        steps = path.diverged_at[path.diverged_at >= 0]
        return int(steps.min()) if steps.size else None

    def _status(self, text, rates, lr, diverged, floor) -> list:
        lines = [f"{text}: ηₜ from {rates[0]:.3g} (step 0) to {rates[-1]:.2g} (last step), largest {rates.max():.3g}"]
        finals = []
        for name, curve, step, lrs in (("with the schedule", self.curves[0], diverged[0], rates),
                                       (f"with the constant lr {lr:.3g}", self.curves[1], diverged[1], np.full(self.steps, lr))):
            if step is None:
                finals.append(float(np.mean(curve[-self.last:])))
                lines.append(f"SGD {name}: mean f − f* over the last {self.last} steps = {finals[-1]:.2g}")
            else:
                largest = lrs[:step].max()
                above = f" — ηₜ reached {largest:.3g}, above the stability limit 2/λmax = {self.limit:.3g}"
                lines.append(f"SGD {name}: diverged at step {step}" + (above if largest > self.limit else ""))
        if len(finals) == 2:
            lines[1] += f", {finals[0] / finals[1]:.2g} × that of the constant lr"
        if np.isfinite(floor):
            lines[2] += f" (its noise floor Σ ησ²/(2(2 − ηλ)) = {floor:.2g})"
        return lines


# -- stored training runs (lesson 08) ------------------------------------------------------------

class CurvesExplorer(Explorer):
    """Stored training runs, one per (optimizer, lr): pick one, and its curves redraw at once.

    results: {(name, lr): history}, the histories `course_lib.nn.train` returns (per epoch
             "train_loss", "val_loss", "train_accuracy", "val_accuracy"; and "diverged_at"),
             e.g. from a learning-rate sweep. A move trains nothing: the explorer only draws what
             is stored, so it answers in milliseconds however long the runs took.
    marked:  {name: lr}, e.g. the lr chosen on the validation split: the run shown first for that
             optimizer, called "chosen" in the status line, and drawn dashed beside any other lr.

    Controls: ``optimizer`` (a dropdown), ``lr`` (a slider over that optimizer's stored learning
    rates) and ``split`` (the curves of the training or the validation split). Left, the loss per
    epoch of the selected run, bold in the optimizer's colour, over the optimizer's other runs in
    grey; right, the accuracy. The axes stay put while only the lr moves.
    """

    SPLITS = {"train": "train", "validation": "val"}  # the toggle's words -> the history's keys

    def __init__(self, results: dict, marked: dict | None = None):
        if not isinstance(results, dict) or not results:
            raise ValueError("results must be a non-empty dict {(optimizer name, lr): history from nn.train}")
        self.results = {}
        for key, history in results.items():
            if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str)):
                raise ValueError(f"each key of results must be a pair (optimizer name, lr), got {key!r}")
            missing = [name for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "diverged_at")
                       if name not in history]
            if missing or len(history["val_loss"]) == 0:
                raise ValueError(f"the history of {key} lacks {', '.join(missing) or 'validation curves'}: "
                                 "train with X_val and y_val, so that nn.train records them")
            self.results[key[0], float(key[1])] = history
        self.lrs = {}  # name -> its learning rates, ascending; the names in the order of `results`
        for name, lr in self.results:
            self.lrs.setdefault(name, []).append(lr)
        self.lrs = {name: sorted(lrs) for name, lrs in self.lrs.items()}
        self.marked = {name: float(lr) for name, lr in (marked or {}).items()}
        for name, lr in self.marked.items():
            if (name, lr) not in self.results:
                raise ValueError(f"the marked lr {lr:g} of {name} is not among its stored runs")
        self._switching = False  # True while the lr slider takes another optimizer's learning rates

        first = next(iter(self.lrs))
        controls = {
            "optimizer": widgets.Dropdown(options=list(self.lrs), value=first, description="optimizer",
                                          style=_SLIDER_STYLE),
            "lr": widgets.SelectionSlider(options=self._lr_options(first), value=self._start_lr(first),
                                          description="lr", continuous_update=True, style=_SLIDER_STYLE),
            "split": widgets.ToggleButtons(options=list(self.SPLITS), value="validation", description="curves of",
                                           style={**_SLIDER_STYLE, "button_width": "90px"}),
        }
        figure, (self.loss_axes, self.accuracy_axes) = plots.new_figure(2, figsize=_FIGURE_SIZE, dpi=_DPI)
        most = max(len(lrs) for lrs in self.lrs.values())
        self._lines = {}
        for axes, metric in ((self.loss_axes, "loss"), (self.accuracy_axes, "accuracy")):
            self._lines[axes] = {
                "others": [axes.plot([], [], color="#B8BCC4", linewidth=1.0)[0] for _ in range(most)],
                "marked": axes.plot([], [], linestyle="--", linewidth=1.4, zorder=2)[0],
                "selected": axes.plot([], [], linewidth=2.4, zorder=3)[0],
                "end": axes.plot([], [], "X", markersize=9, markeredgecolor="white", zorder=4)[0],
            }
            axes.set_xlabel("epoch")
            axes.set_ylabel(metric)
            axes.grid(True, alpha=0.3)
        self.loss_axes.set_yscale("log")
        self.loss_axes.minorticks_off()  # the decades are enough to read it, and each tick costs drawing time
        self.accuracy_axes.set_ylim(0, 1.02)
        super().__init__(figure, controls)

    def _lr_options(self, name: str) -> list:
        return [(f"{lr:.3g}", lr) for lr in self.lrs[name]]

    def _start_lr(self, name: str) -> float:
        """The marked lr of `name`, else the middle one of its runs."""
        lrs = self.lrs[name]
        return self.marked.get(name, lrs[len(lrs) // 2])

    def _on_change(self, change):
        if self._switching:
            return
        if change["owner"] is self.optimizer:  # the slider now offers this optimizer's learning rates
            self._switching = True
            try:
                self.lr.options = self._lr_options(change["new"])
                self.lr.value = self._start_lr(change["new"])
            finally:
                self._switching = False
        self.update()

    @staticmethod
    def _curve(history, key: str) -> np.ndarray:
        """A recorded curve, NaN where a diverging run left inf or an exploded loss (> 1e6)."""
        values = np.asarray(history[key], dtype=float)
        return np.where(np.isfinite(values) & (np.abs(values) < 1e6), values, np.nan)

    def redraw(self, optimizer, lr, split) -> list:
        name, key = optimizer, self.SPLITS[split]
        selected, marked = self.results[name, lr], self.marked.get(name)
        color = plots.color_of(name)
        for axes, metric in ((self.loss_axes, "loss"), (self.accuracy_axes, "accuracy")):
            lines = self._lines[axes]
            curves = {other: self._curve(self.results[name, other], f"{key}_{metric}") for other in self.lrs[name]}
            for line, (other, curve) in zip(lines["others"], curves.items()):
                line.set_data(np.arange(curve.size), curve)
                line.set_visible(other not in (lr, marked))
            for line in lines["others"][len(curves):]:
                line.set_visible(False)
            handles = [lines["selected"]]
            lines["selected"].set_data(np.arange(curves[lr].size), curves[lr])
            lines["selected"].set(color=color, label=f"lr={lr:.3g}" + (" (chosen)" if lr == marked else ""))
            lines["marked"].set_visible(marked is not None and marked != lr)
            if lines["marked"].get_visible():
                lines["marked"].set_data(np.arange(curves[marked].size), curves[marked])
                lines["marked"].set(color=color, label=f"lr={marked:.3g} (chosen)")
                handles.append(lines["marked"])
            greys = [line for line in lines["others"] if line.get_visible()]
            if greys:
                greys[0].set_label(f"its other {len(greys)} lrs")
                handles.append(greys[0])
            finite = np.flatnonzero(np.isfinite(curves[lr]))
            diverged = selected["diverged_at"] is not None and finite.size > 0
            lines["end"].set_data(finite[-1:] if diverged else [], curves[lr][finite[-1:]] if diverged else [])
            lines["end"].set_color(color)
            axes.set_title(f"{name}: {split} {metric}")
            axes.set_xlim(0, max(max(curve.size for curve in curves.values()) - 1, 1))
            if metric == "loss":
                self._fit_loss_axis(axes, list(curves.values()))
            axes.legend(handles=handles, loc="upper right" if metric == "loss" else "lower right",
                        fontsize="small", framealpha=0.9)
        chosen = " (chosen)" if lr == marked else ""
        return [f"{name} lr={lr:.3g}{chosen}: {self._outcome(selected, key, split)}",
                f"{split} accuracy at the end, for each lr of {name}: "
                + ", ".join(f"{other:.3g} → {self._final_accuracy(self.results[name, other], key)}"
                            for other in self.lrs[name])]

    @staticmethod
    def _fit_loss_axis(axes, curves: list):
        """From half the lowest loss to at most 10 × the first: an exploding run leaves at the top."""
        values = np.concatenate(curves)
        values = values[np.isfinite(values) & (values > 0)]
        if values.size:
            ceiling = 10 * np.nanmedian([curve[0] for curve in curves])
            axes.set_ylim(values.min() / 2, min(2 * values.max(), ceiling))

    @staticmethod
    def _final_accuracy(history, key: str) -> str:
        if history["diverged_at"] is not None:
            return "diverged"
        return f"{history[f'{key}_accuracy'][-1]:.3f}"

    @staticmethod
    def _outcome(history, key: str, split: str) -> str:
        if history["diverged_at"] is not None:
            return f"diverged at step {history['diverged_at']}"
        epochs = len(history[f"{key}_loss"]) - 1
        return (f"after {epochs} epochs, {split} loss {history[f'{key}_loss'][-1]:.3g}, "
                f"{split} accuracy {history[f'{key}_accuracy'][-1]:.3f}")


__all__ += ["CurvesExplorer"]  # appended here, beside the class (lesson 08)


# -- where ε goes (lesson 09) --------------------------------------------------------------------

class EpsilonExplorer(Explorer):
    r"""Adam's step under three placements of ε: against |g| at step t (left), against t at |g| (right).

    The step is in units of η, for a constant gradient of size |g| after t steps, from the closed
    forms of `theory.adam_step_over_lr`: ε outside √v̂ (PyTorch), ε̂ before the bias correction
    (Keras), ε inside the root. Controls: ``eps``, ``size`` (|g|), ``t`` and ``beta2``; a marker on
    each curve shows the current setting, and the status line gives the three steps and the ε that
    Keras's ε̂ and the ε inside the root amount to.
    """

    sizes = np.geomspace(1e-12, 1e2, 281)
    steps = np.unique(np.geomspace(1, 1e5, 241).round())

    def __init__(self, eps=1e-8, size=1e-6, t=1, beta2=0.999):
        controls = {"eps": lr_slider(eps, 1e-12, 1e-2, "ε (or ε̂)"),
                    "size": lr_slider(size, 1e-12, 1e2, "gradient size |g|"),
                    "t": widgets.FloatLogSlider(value=t, base=10, min=0, max=5, step=0.05, description="step t",
                                                readout_format=".0f", continuous_update=True),
                    "beta2": beta_slider(beta2, "β2", high=0.9999)}
        figure, (self.size_axes, self.step_axes) = plots.new_figure(2, figsize=_FIGURE_SIZE, dpi=_DPI)
        self.lines, self.markers = {}, {}
        for label, style in zip(theory.adam_step_over_lr(1.0, 1, 1e-8, 0.9), ("-", "--", ":")):
            for ax, key in ((self.size_axes, "size"), (self.step_axes, "t")):
                (self.lines[label, key],) = ax.plot([], [], style, color=plots.color_of("Adam"), linewidth=2, label=label)
                (self.markers[label, key],) = ax.plot([], [], "o", color=plots.color_of("Adam"), markersize=6)
        self.size_axes.set(xscale="log", yscale="log", xlim=(1e-12, 1e2), ylim=(1e-7, 2),
                           xlabel="gradient size |g|", ylabel="step / η")
        self.step_axes.set(xscale="log", yscale="log", xlim=(1, 1e5), ylim=(1e-7, 2), xlabel="step t")
        self.step_axes.legend(loc="lower right", fontsize=8)
        for ax in (self.size_axes, self.step_axes):
            ax.grid(True, alpha=0.3)
            for axis in (ax.xaxis, ax.yaxis):            # few ticks: a log axis full of them is slow to draw
                axis.set_major_locator(LogLocator(numticks=6))
                axis.set_minor_locator(NullLocator())
        super().__init__(figure, controls)

    def redraw(self, eps, size, t, beta2) -> list:
        t = int(round(t))
        against_size = theory.adam_step_over_lr(self.sizes, t, eps, beta2)
        against_t = theory.adam_step_over_lr(size, self.steps, eps, beta2)
        here = theory.adam_step_over_lr(size, t, eps, beta2)
        for label in here:
            self.lines[label, "size"].set_data(self.sizes, against_size[label])
            self.lines[label, "t"].set_data(self.steps, np.broadcast_to(against_t[label], self.steps.shape))
            self.markers[label, "size"].set_data([size], [here[label]])
            self.markers[label, "t"].set_data([t], [here[label]])
        self.size_axes.set_title(f"at step t = {t}")
        self.step_axes.set_title(f"at |g| = {size:.2g}")
        return [f"|g| = {size:.2g}, t = {t}, ε = {eps:.2g}, β2 = {beta2:.4g}: step / η = "
                + ", ".join(f"{label.split(':')[0]} {value:.3g}" for label, value in here.items()),
                f"in the Keras form ε̂ acts as ε = ε̂/√(1 − β2ᵗ) = {eps / np.sqrt(1 - beta2**t):.2g}; "
                f"inside the root ε acts as √ε = {np.sqrt(eps):.2g} outside"]


def epsilon_explorer(eps: float = 1e-8, size: float = 1e-6, t: int = 1, beta2: float = 0.999) -> EpsilonExplorer:
    """Lesson 09: Adam's step for ε outside √v̂, Keras's ε̂, and ε inside the root (start: PyTorch's ε, |g| = 1e-6)."""
    return EpsilonExplorer(eps=eps, size=size, t=t, beta2=beta2)


__all__ += ["EpsilonExplorer", "epsilon_explorer"]  # appended here, beside the class (lesson 09)
