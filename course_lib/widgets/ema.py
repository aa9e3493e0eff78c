"""Lesson 03: the EMA of a noisy series, its bias correction, the weights of past values."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D

from .. import plots
from ..averages import effective_window, ema
from ..data import noisy_signal
from .controls import beta_slider
from .explorer import DPI, FIGURE_SIZE, Explorer


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
        figure, (series_axes, weights_axes) = plots.new_figure(2, figsize=FIGURE_SIZE, dpi=DPI)
        self._drawn_averages = plots.EMAArtists(series_axes, self.series)
        self._drawn_weights = plots.EMAWeightsArtists(weights_axes, 60)
        series_axes.set_title("an EMA started at 0 begins too low", fontsize="medium")
        weights_axes.set_title("a value k steps back weighs βᵏ: gone after ~1/(1 − β)", fontsize="medium")
        super().__init__(figure, controls)

    def _fixed_legends(self):
        """Legends whose labels stay the same whatever β and the box (the numbers are in the status):
        drawn once, in the background, where one with β in it is drawn again at every move, costing
        most of the move. The bias-corrected line is listed also while the box is off (hidden)."""
        averages, weights = self._drawn_averages, self._drawn_weights
        corrected = Line2D([], [], color=averages.corrected.get_color(), linestyle=averages.corrected.get_linestyle(),
                           linewidth=averages.corrected.get_linewidth())  # shown in the key while the line is hidden
        averages.ax.legend([averages.ax.lines[0], averages.plain, corrected],
                           ["values xₜ", "EMA aₜ, started at 0", "bias-corrected aₜ / (1 − βᵗ), when ticked"],
                           loc="lower right", fontsize="small", framealpha=0.9)
        weights.ax.legend(weights._handles, ["βᵏ", "1/(1 − β) steps", "1/e ≈ 0.37"],
                          loc="upper right", fontsize="small", framealpha=0.9)

    def redraw(self, beta, bias_correction) -> list:
        self._drawn_averages.update(beta, bias_correction)
        self._drawn_weights.update(beta)
        self._fixed_legends()
        first = self.series[:1]
        lines = [f"β = {beta:.3g}: the weights of past values fade to 1/e after about 1/(1 − β) = "
                 f"{effective_window(beta):.3g} steps",
                 f"first average a₁ = (1 − β)·x₁ = {ema(first, beta)[0]:.3g}, though x₁ = {first[0]:.3g}"]
        if bias_correction:
            lines.append(f"bias-corrected: a₁ / (1 − β¹) = {ema(first, beta, bias_correction=True)[0]:.3g}")
        return lines
