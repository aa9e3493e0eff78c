"""Lesson 02: mini-batch SGD against full-batch GD on a linear regression, for the same work."""

from __future__ import annotations

from dataclasses import replace

import ipywidgets as widgets
import numpy as np

from .. import plots
from ..data import LinearRegression, batch_sizes, linear_data
from ..optim import SGD
from ..run import diverged_at_steps, run
from .controls import SLIDER_STYLE, lr_slider
from .explorer import CONTOUR_RESOLUTION, DPI, FIGURE_SIZE, Explorer, fixed_loss_range
from .stability import outcome, outcome_cell, stability_cell, stability_note
from .status import SETTING_DIGITS, Row, line_looks, significant


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
                                            continuous_update=True, style=SLIDER_STYLE),
            "lr": lr_slider(0.05, 1e-3, 1.0),
            "epochs": widgets.IntSlider(value=5, min=1, max=10, description="epochs",
                                        continuous_update=True, style=SLIDER_STYLE),
        }
        figure, (self.path_axes, self.loss_axes) = plots.new_figure(2, figsize=FIGURE_SIZE, dpi=DPI)
        plots.contour(self.problem, ax=self.path_axes, resolution=CONTOUR_RESOLUTION)
        self.path_axes.set_title("paths on the line fit's loss (○ start, ★ best fit)", fontsize="medium")
        self._drawn_paths = plots.PathArtists(self.path_axes, 2, legend=False)
        self._drawn_losses = plots.LossArtists(self.loss_axes, 2, self.problem.min_value, log=True,
                                               xlabel="examples processed (single-example gradients)", legend=False)
        # Fixed axes: the loss from round-off to 30 × the start's, and the examples processed up to the
        # most epochs the slider allows, so that more epochs draw longer curves on the same cost scale.
        self.loss_axes.set_title("how far each gets for the same work", fontsize="medium")
        self._loss_range = fixed_loss_range(self.problem, self.problem.start)
        self._examples_range = (0, n * controls["epochs"].max)
        super().__init__(figure, controls)

    def redraw(self, batch_size, lr, epochs) -> list:
        n, start = self.problem.x.size, self.problem.start
        sizes = np.tile(batch_sizes(n, batch_size), epochs)  # the batches of every epoch, in order
        stochastic = self.problem.minibatch_gradient(batch_size, np.random.default_rng(self.seed))
        minibatch = self._sgd_with_losses_after(lr, stochastic, sizes.size)
        full_batch = run(SGD(lr=lr), self.problem, start, epochs)
        self.paths = [minibatch, full_batch]
        labels = [f"mini-batch SGD, b = {batch_size}", f"full-batch GD, b = {n}"]
        examples = [np.concatenate([[0], np.cumsum(sizes)]), n * np.arange(epochs + 1)]
        self._drawn_paths.update(self.paths, labels)
        self._drawn_paths.note.set_visible(False)  # the table below says which run diverged, and when
        self._drawn_losses.update(self.paths, labels, x=examples)
        if self.loss_axes.get_legend() is None:  # made once the lines have their colours
            # fixed labels, so that the legend is drawn once, in the background; the batch size is on its slider
            self.loss_axes.legend(self._drawn_losses.lines, ["mini-batch SGD", f"full-batch GD (b = {n})"],
                                  loc="lower left", fontsize="small", framealpha=0.9)
        self.loss_axes.set_xlim(self._examples_range)
        if self._loss_range is not None:
            self.loss_axes.set_ylim(self._loss_range)
        per_epoch = sizes.size // epochs
        last = f" (the last has {sizes[per_epoch - 1]})" if sizes[per_epoch - 1] != batch_size else ""
        steps = "1 step" if per_epoch == 1 else f"{per_epoch} steps"
        min_value, looks = self.problem.min_value, line_looks(self._drawn_losses.lines)
        epoch = self._epoch_of(minibatch, per_epoch)
        return [Row(f"{labels[0]}: {steps} per epoch{last}, {sizes.size} steps in all; "
                    f"{outcome(minibatch, min_value)}{epoch}",
                    {"run": "mini-batch SGD", "batch size": str(batch_size), "steps per epoch": str(per_epoch),
                     "steps in all": str(sizes.size), **outcome_cell(minibatch, min_value, True, epoch),
                     "": last.strip(" ()")}, **looks[0]),
                Row(f"{labels[1]}: 1 step per epoch, {epochs} in all; {outcome(full_batch, min_value)}"
                    f"{stability_note(SGD(lr=lr), self.problem)}",
                    {"run": "full-batch GD", "batch size": str(n), "steps per epoch": "1", "steps in all": str(epochs),
                     **outcome_cell(full_batch, min_value, True), "": stability_cell(SGD(lr=lr), self.problem)},
                    **looks[1]),
                Row(f"both processed {n * epochs} examples (lr = {lr:.3g})",
                    shown=f"both processed {n * epochs} examples (lr = {significant(lr, SETTING_DIGITS)})")]

    def _sgd_with_losses_after(self, lr, gradient, steps):
        """`run(SGD(lr=lr), gradient, start, steps, loss=self.problem.value)`, with the full-data loss
        computed after the run, for all steps at once, instead of at each step (a third of the time
        at batch size 1, up to 1000 steps): the same numbers and the same divergence step (by
        `diverged_at_steps`; tests/test_widgets.py compares the two)."""
        path = run(SGD(lr=lr), gradient, self.problem.start, steps)  # stops where θ diverges (NaN from there)
        losses = self.problem.value(path.points)
        diverged_at = int(diverged_at_steps(path.points, losses, self.problem.min_value))
        if diverged_at >= 0:  # by the loss rule, or as before by θ
            path.points[diverged_at:], losses[diverged_at:] = np.nan, np.nan
        return replace(path, losses=losses, diverged_at=None if diverged_at < 0 else diverged_at)

    @staticmethod
    def _epoch_of(path, steps_per_epoch: int) -> str:
        if path.diverged_at is None:
            return ""
        return f" (epoch {(path.diverged_at - 1) // steps_per_epoch + 1})"
