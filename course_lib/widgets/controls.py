"""The controls of the explorers: a log-scale learning-rate slider and a β slider."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

SLIDER_STYLE = {"description_width": "initial"}
# a gap after each control, so that a readout does not sit against the next control's name
CONTROL_MARGIN = "2px 28px 2px 0"


def lr_slider(value: float, low: float, high: float, description: str = "lr") -> widgets.FloatLogSlider:
    """A learning-rate slider on a log scale from `low` to `high` (a step is ~1/100 of the range),
    described as "lr (log scale)": equal distances on it are equal factors."""
    if not (np.all(np.isfinite([low, value, high])) and 0 < low <= value <= high):
        raise ValueError(f"need finite numbers 0 < low ≤ value ≤ high for a log-scale slider, "
                         f"got {low!r}, {value!r}, {high!r}")
    exponents = np.log10([low, high])
    return widgets.FloatLogSlider(value=value, base=10, min=exponents[0], max=exponents[1],
                                  step=(exponents[1] - exponents[0]) / 100, description=f"{description} (log scale)",
                                  readout_format=".3g", continuous_update=True, style=SLIDER_STYLE)


def beta_slider(value: float = 0.9, description: str = "β", high: float = 0.999) -> widgets.FloatSlider:
    """A slider for an EMA's memory β, from 0 to `high` (< 1) in steps of 0.001."""
    if not 0 <= value <= high < 1:
        raise ValueError(f"need 0 ≤ value ≤ high < 1 for β, got value {value!r}, high {high!r}")
    return widgets.FloatSlider(value=value, min=0.0, max=high, step=0.001, description=description,
                               readout_format=".3f", continuous_update=True, style=SLIDER_STYLE)


def nice(number: float) -> float:
    """`number` to two significant digits, a friendlier start value for a slider."""
    return float(f"{number:.2g}")
