"""Lesson 09: Adam's step under three placements of ε, against |g| and against t."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import LogLocator, NullLocator

from .. import plots, theory
from .controls import beta_slider, lr_slider
from .explorer import DPI, FIGURE_SIZE, Explorer


class EpsilonExplorer(Explorer):
    r"""Adam's step under three placements of ε: against |g| at step t (left), against t at |g| (right).

    The step is in units of η, for a constant gradient of size |g| after t steps, from the closed
    forms of `theory.adam_step_over_lr`: ε outside √v̂ (PyTorch), ε̂ before the bias correction
    (Keras), ε inside the root. Controls: ``eps``, ``size`` (|g|), ``t`` and ``beta2``; a marker on
    each curve shows the current setting, and the status gives the three steps and the ε that
    Keras's ε̂ and the ε inside the root amount to.
    """

    sizes = np.geomspace(1e-12, 1e2, 281)
    steps = np.unique(np.geomspace(1, 1e5, 241).round())

    def __init__(self, eps=1e-8, size=1e-6, t=1, beta2=0.999):
        controls = {"eps": lr_slider(eps, 1e-12, 1e-2, "ε (or ε̂)"),
                    "size": lr_slider(size, 1e-12, 1e2, "gradient size |g|"),
                    "t": widgets.FloatLogSlider(value=t, base=10, min=0, max=5, step=0.05, description="step t (log scale)",
                                                readout_format=".0f", continuous_update=True),
                    "beta2": beta_slider(beta2, "β2", high=0.9999)}
        figure, (self.size_axes, self.step_axes) = plots.new_figure(2, figsize=FIGURE_SIZE, dpi=DPI)
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
