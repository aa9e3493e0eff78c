"""Status-line notes: the stability limit of GD and heavy-ball momentum, a run's outcome."""

from __future__ import annotations

import numpy as np

from .. import plots, theory
from .status import SETTING_DIGITS, scientific, significant


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


def stability_note(optimizer, problem) -> str:
    """' — lr above the stability limit 2/λmax = 0.2' for a run above its limit, else ''."""
    above = _above_limit(optimizer, problem)
    return "" if above is None else f" — lr above the stability limit {above[0]} = {above[1]:.3g}"


def stability_cell(optimizer, problem) -> str:
    """`stability_note` for the status table: the limit with the table's significant digits."""
    above = _above_limit(optimizer, problem)
    return "" if above is None else f"lr above the stability limit {above[0]} = {significant(above[1], SETTING_DIGITS)}"


def _above_limit(optimizer, problem) -> tuple | None:
    """(the formula of the limit, its value) where the optimizer's lr is above its stability limit."""
    limit = stability_limit(optimizer, problem)
    if limit is None or optimizer.lr <= limit:
        return None
    formula = _LIMIT_FORMULAS[plots.optimizer_name(optimizer)]
    if getattr(optimizer, "ema", False):
        formula = formula.replace("/λmax", "/((1−β)λmax)")
    return formula, limit


def outcome(path, min_value) -> str:
    """'diverged at step k', or how far above the minimum the run ended."""
    if path.diverged_at is not None:
        return f"diverged at step {path.diverged_at}"
    if np.isfinite(min_value):
        return f"f − f* = {path.final_loss - min_value:.2g} after {path.steps} steps"
    return f"loss {path.final_loss:.3g} after {path.steps} steps"


def outcome_cell(path, min_value, at_the_end: bool = False, suffix: str = "") -> dict:
    """`outcome` for the status table: {heading: cell}, the heading saying what the number is: after
    how many steps, or `at_the_end` (runs of different lengths in one column). `suffix` follows a
    divergence's step."""
    known = np.isfinite(min_value)
    heading = f"{'f − f*' if known else 'loss'} " + ("at the end" if at_the_end else f"after {path.steps} steps")
    if path.diverged_at is not None:
        return {heading: f"✕ diverged at step {path.diverged_at}{suffix}"}
    return {heading: scientific(path.final_loss - min_value if known else path.final_loss)}
