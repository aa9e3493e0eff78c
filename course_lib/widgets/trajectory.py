"""Lessons 01, 04, 05, 06: optimizers on a 2-D problem, their paths and their loss."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D

from .. import plots
from ..optim import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from ..problems import Quadratic, Rosenbrock
from ..run import run
from .controls import beta_slider, lr_slider, nice
from .explorer import CONTOUR_RESOLUTION, DPI, FIGURE_SIZE, Explorer, fixed_loss_range
from .stability import outcome, outcome_cell, stability_cell, stability_limit, stability_note
from .status import Row, line_looks, setting_cells, significant


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
        figure, (self.path_axes, self.loss_axes) = plots.new_figure(2, figsize=FIGURE_SIZE, dpi=DPI)
        plots.contour(problem, ax=self.path_axes, resolution=CONTOUR_RESOLUTION)
        count = len(self._optimizers({name: control.value for name, control in controls.items()}))
        min_value = problem.min_value if np.isfinite(problem.min_value) else None
        self._drawn_paths = plots.PathArtists(self.path_axes, count, legend=False)
        self._drawn_losses = plots.LossArtists(self.loss_axes, count, min_value, log=True, xlabel="step", legend=False)
        self.path_axes.set_title(f"paths on {problem.name} (○ start, ★ minimum)", fontsize="medium")
        self.loss_axes.set_title("how close to the minimum, step by step", fontsize="medium")
        self._legend_names = None  # the optimizers the legend names; it is made again only if they change
        self._loss_range = fixed_loss_range(problem, self.x0)  # the same for every move; None: fitted
        super().__init__(figure, controls)

    def _optimizers(self, values: dict) -> list:
        optimizers = self.make_optimizers(**values)
        return list(optimizers) if isinstance(optimizers, (list, tuple)) else [optimizers]

    def redraw(self, **values) -> list:
        optimizers = self._optimizers(values)
        self.paths = [run(optimizer, self.problem, self.x0, self.steps) for optimizer in optimizers]
        self._drawn_paths.update(self.paths)
        self._drawn_paths.note.set_visible(False)  # the table below says which run diverged, and when
        self._drawn_losses.update(self.paths)
        if self._loss_range is not None:
            self.loss_axes.set_ylim(self._loss_range)
        self._name_runs(optimizers)
        return self._status_rows(optimizers, values)

    def _status_rows(self, optimizers, values: dict) -> list:
        """A row per run: the line lessons print, and its cells in the table (the same numbers)."""
        shown = {"lr", "beta", "beta1", "beta2", *values}  # the β's always, as in the plain text
        settings = [setting_cells(optimizer, shown) for optimizer in optimizers]
        headings = list(dict.fromkeys(heading for cells in settings for heading in cells))
        rows = []
        for optimizer, path, cells, look in zip(optimizers, self.paths, settings, line_looks(self._drawn_losses.lines)):
            row = {"optimizer": _legend_name(optimizer), **{h: cells.get(h, "—") for h in headings},
                   **outcome_cell(path, self.problem.min_value), "": stability_cell(optimizer, self.problem)}
            rows.append(Row(f"{plots.short_label(path, exact_gradient=True)}: {outcome(path, self.problem.min_value)}"
                            f"{stability_note(optimizer, self.problem)}", row, **look))
        return rows

    def _name_runs(self, optimizers):
        """A legend of the optimizers' names alone, beside the paths: it stays the same from move to move,
        so it is drawn once, in the background (a legend with the numbers in it is drawn again at every
        move, a third of its time); the numbers are in the status table below. Outside the axes, no
        line is ever drawn over it (the layout, fixed at the first draw, makes room for it)."""
        names = [_legend_name(optimizer) for optimizer in optimizers]
        if names == self._legend_names:
            return
        self._legend_names = names
        diverged = Line2D([], [], marker="X", markersize=8, linestyle="none", color="#555555", markeredgecolor="white")
        # in the room the paths' equal axis scales leave beside them
        self.path_axes.legend(self._drawn_paths.lines + [diverged], names + ["diverged"],
                              loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, fontsize="small",
                              frameon=False)


def _legend_name(optimizer) -> str:
    """The optimizer's name; "GD" for SGD, as these runs use the exact gradient."""
    name = plots.optimizer_name(optimizer)
    return "GD" if name == "SGD" else name


def _lr_range(problem, fallback: tuple, above: float) -> tuple:
    """(value, low, high) for an lr slider: around GD's limit 2/λmax on a quadratic, else `fallback`.

    The slider reaches `above` times the limit, so the learner can see the divergence.
    """
    limit = stability_limit(SGD(), problem)
    if limit is None:
        return fallback
    return nice(limit / 4), limit / 100, above * limit


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
        rows = super().redraw(**values)
        peak, longest = early_jump(self.paths[0])
        peak, longest = peak / self.paths[0].losses[0], longest / values["lr"]
        return rows + [Row(f"first steps: highest loss {peak:.2g} × the start, longest step {longest:.2g}·lr",
                           shown=f"first steps: highest loss {significant(peak)} × the start, "
                                 f"longest step {significant(longest)}·lr")]


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
