r"""Learning-rate schedules: η_t as a pure function of the step index t (0 for the first update).

Each function here returns a schedule: a callable ``schedule(t)`` that works on an int or on an
array of steps, and that any optimizer takes as its ``lr``:

    >>> from course_lib.schedules import cosine, warmup
    >>> from course_lib.optim import SGD
    >>> schedule = warmup(cosine(0.1, total_steps=100), warmup_steps=10)
    >>> opt = SGD(lr=schedule)
    >>> print(f"{schedule(0):.4f} {schedule(10):.4f} {schedule(60):.4f}")
    0.0010 0.1000 0.0500

The formulas are the closed forms of PyTorch's schedulers stepped once per update (named in each
docstring). The base rate may be an array, for a sweep: ``cosine(np.array([[0.1], [0.3]]), 100)``.
"""

from __future__ import annotations

import numpy as np

from .optimizer_base import hyper_parameter, whole_number

__all__ = ["constant", "step_decay", "exponential", "inverse_time", "cosine",
           "cosine_warm_restarts", "warmup", "one_cycle", "ALL_SCHEDULES"]


class Schedule:
    """A named function of the step: ``schedule(t)`` is the learning rate of update t (t ≥ 0)."""

    def __init__(self, name: str, formula, **settings):
        self.__name__ = name
        self.formula = formula
        self.settings = settings

    def __call__(self, t):
        t = np.asarray(t)
        if t.dtype.kind not in "iuf" or (t.dtype.kind == "f" and not np.all(np.isfinite(t) & (t == np.floor(t)))):
            raise ValueError(f"a schedule is evaluated at whole step numbers, got {t.item() if t.ndim == 0 else t!r}")
        if np.any(t < 0):
            raise ValueError("the step index t counts from 0 for the first update; it cannot be negative")
        lr = self.formula(t.astype(float))
        return float(lr) if np.ndim(lr) == 0 else lr

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.settings.items())
        return f"{self.__name__}({shown})"


def _one_number(name: str, value, **limits) -> float:
    """A setting that shapes the schedule itself: one finite number (a sweep varies the rate, not this)."""
    value = hyper_parameter(name, value, **limits)
    if np.ndim(value):
        raise ValueError(f"{name} must be one number, got an array of shape {np.shape(value)}")
    return value


def _factor(name: str, value, *, allow_one: bool = True):
    """A multiplicative factor in (0, 1]."""
    value = hyper_parameter(name, value, positive=True)
    if np.any(np.asarray(value) > 1) or (not allow_one and np.any(np.asarray(value) == 1)):
        raise ValueError(f"{name} must be in (0, 1], got {value!r}: it multiplies the learning rate")
    return value


def constant(lr) -> Schedule:
    """η_t = η₀."""
    lr = hyper_parameter("lr", lr)
    return Schedule("constant", lambda t: lr + 0 * t, lr=lr)


def step_decay(lr, step_size: int, gamma=0.1) -> Schedule:
    r"""η_t = η₀ · γ^⌊t / s⌋: multiply by γ every s steps. PyTorch: ``StepLR(step_size=s, gamma=γ)``."""
    lr, gamma = hyper_parameter("lr", lr), _factor("gamma", gamma)
    step_size = whole_number("step_size", step_size, minimum=1)
    return Schedule("step_decay", lambda t: lr * gamma ** np.floor(t / step_size),
                    lr=lr, step_size=step_size, gamma=gamma)


def exponential(lr, gamma) -> Schedule:
    r"""η_t = η₀ · γ^t. PyTorch: ``ExponentialLR(gamma=γ)``."""
    lr, gamma = hyper_parameter("lr", lr), _factor("gamma", gamma)
    return Schedule("exponential", lambda t: lr * gamma**t, lr=lr, gamma=gamma)


def inverse_time(lr, decay_rate) -> Schedule:
    r"""η_t = η₀ / (1 + k t): the 1/t decay of stochastic approximation (Robbins & Monro, 1951).

    PyTorch: ``LambdaLR(lambda t: 1 / (1 + k * t))``."""
    lr, decay_rate = hyper_parameter("lr", lr), hyper_parameter("decay_rate", decay_rate)
    return Schedule("inverse_time", lambda t: lr / (1 + decay_rate * t), lr=lr, decay_rate=decay_rate)


def _cosine_between(start, end, fraction):
    """From `start` at fraction 0 to `end` at fraction 1 along half a cosine."""
    return end + 0.5 * (start - end) * (1 + np.cos(np.pi * fraction))


def cosine(lr, total_steps: int, lr_min=0.0) -> Schedule:
    r"""η_t = η_min + ½(η₀ − η_min)(1 + cos(π t / T)) for t ≤ T, then η_min.

    PyTorch: ``CosineAnnealingLR(T_max=T, eta_min=η_min)`` (which, past T, climbs back up the
    cosine; here the rate stays at η_min).
    """
    lr, lr_min = hyper_parameter("lr", lr), hyper_parameter("lr_min", lr_min)
    total_steps = whole_number("total_steps", total_steps, minimum=1)
    return Schedule("cosine", lambda t: _cosine_between(lr, lr_min, np.minimum(t, total_steps) / total_steps),
                    lr=lr, total_steps=total_steps, lr_min=lr_min)


def cosine_warm_restarts(lr, first_period: int, period_factor: int = 1, lr_min=0.0) -> Schedule:
    r"""Cosine annealing restarted from η₀ at the end of each period (SGDR, Loshchilov & Hutter 2017).

    The first period has T₀ steps, each next one ``period_factor`` times longer; within a period,
    η = η_min + ½(η₀ − η_min)(1 + cos(π t_cur / T_i)), t_cur the steps since the last restart.
    PyTorch: ``CosineAnnealingWarmRestarts(T_0=T₀, T_mult=period_factor, eta_min=η_min)``.
    """
    lr, lr_min = hyper_parameter("lr", lr), hyper_parameter("lr_min", lr_min)
    first_period = whole_number("first_period", first_period, minimum=1)
    period_factor = whole_number("period_factor", period_factor, minimum=1)

    def formula(t):
        if period_factor == 1:
            cycle = np.floor(t / first_period)
        else:  # restarts at T₀(f^n − 1)/(f − 1); the log finds n, the two corrections undo its round-off
            cycle = np.floor(np.log(t / first_period * (period_factor - 1) + 1) / np.log(period_factor))
            cycle = cycle + (t >= restart(cycle + 1)) - (t < restart(cycle))
        period = first_period * float(period_factor) ** cycle
        return _cosine_between(lr, lr_min, (t - restart(cycle)) / period)

    def restart(cycle):
        """The step at which cycle number `cycle` (0, 1, ...) starts."""
        if period_factor == 1:
            return first_period * cycle
        return first_period * (float(period_factor) ** cycle - 1) / (period_factor - 1)

    return Schedule("cosine_warm_restarts", formula, lr=lr, first_period=first_period,
                    period_factor=period_factor, lr_min=lr_min)


def warmup(schedule: Schedule, warmup_steps: int, start_factor=0.01) -> Schedule:
    r"""Linear warmup over w steps to the rate the schedule starts with, then the schedule.

    η_t = η₀ · (f + (1 − f) t / w) for t < w, and schedule(t − w) after, with η₀ = schedule(0)
    and f = ``start_factor``. PyTorch: ``SequentialLR([LinearLR(start_factor=f, total_iters=w),
    scheduler], milestones=[w])``.
    """
    if not isinstance(schedule, Schedule):
        raise ValueError("warmup wraps another schedule of this module, e.g. warmup(cosine(0.1, 100), 10)")
    warmup_steps = whole_number("warmup_steps", warmup_steps, minimum=1)
    start_factor = _factor("start_factor", start_factor)
    lr_start = schedule(0)

    def formula(t):
        ramp = lr_start * (start_factor + (1 - start_factor) * np.minimum(t, warmup_steps) / warmup_steps)
        after = schedule.formula(np.maximum(t - warmup_steps, 0))
        return np.where(t < warmup_steps, ramp, after)

    return Schedule(f"warmup+{schedule.__name__}", formula, schedule=schedule,
                    warmup_steps=warmup_steps, start_factor=start_factor)


def one_cycle(max_lr, total_steps: int, warmup_fraction=0.3, div_factor=25.0, final_div_factor=1e4) -> Schedule:
    r"""One-cycle (Smith & Topin, 2019): up from η_max/25 to η_max, then down far below the start.

    Cosine from η_max/div_factor to η_max over the first ``warmup_fraction`` of the steps, then
    cosine down to η_max/(div_factor · final_div_factor) at the last step. PyTorch:
    ``OneCycleLR(max_lr, total_steps, pct_start=warmup_fraction, div_factor, final_div_factor,
    cycle_momentum=False)``; past the last step the rate stays at its final value.
    """
    max_lr = hyper_parameter("max_lr", max_lr)
    total_steps = whole_number("total_steps", total_steps, minimum=2)
    warmup_fraction = _one_number("warmup_fraction", warmup_fraction, positive=True, upper=1)
    div_factor = _one_number("div_factor", div_factor)
    final_div_factor = _one_number("final_div_factor", final_div_factor)
    if div_factor < 1 or final_div_factor < 1:
        raise ValueError(f"div_factor and final_div_factor must be ≥ 1: they divide the peak rate; got "
                         f"{div_factor:g} and {final_div_factor:g}")
    lr_start = max_lr / div_factor
    lr_end = lr_start / final_div_factor
    peak = float(warmup_fraction * total_steps) - 1  # as PyTorch counts: the step at which η = η_max
    if peak <= 0:
        raise ValueError(f"warmup_fraction × total_steps must exceed 1 step, got {warmup_fraction * total_steps:g}")
    last = total_steps - 1

    def formula(t):
        t = np.minimum(t, last)
        rising = _cosine_between(lr_start, max_lr, t / peak)
        falling = _cosine_between(max_lr, lr_end, (t - peak) / (last - peak))
        return np.where(t <= peak, rising, falling)

    return Schedule("one_cycle", formula, max_lr=max_lr, total_steps=total_steps,
                    warmup_fraction=warmup_fraction, div_factor=div_factor, final_div_factor=final_div_factor)


ALL_SCHEDULES = (constant, step_decay, exponential, inverse_time, cosine, cosine_warm_restarts, warmup, one_cycle)


def wsd(lr, total_steps: int, warmup_steps: int = 0, decay_fraction=0.2, decay: str = "linear",
        lr_min=0.0, start_factor=0.01) -> Schedule:
    r"""Warmup–stable–decay: a linear warmup over w steps, the constant η₀, then a decay to η_min
    over the last D = round(decay_fraction · T) of the T steps (Hu et al. 2024, MiniCPM; Hägele
    et al. 2024).

    .. math::
        \eta_t = \begin{cases}
            \eta_0\,\bigl(f + (1-f)\, t/w\bigr) & t < w \\
            \eta_0 & w \le t < T - D \\
            \eta_{\min} + (\eta_0 - \eta_{\min})\, \bigl(1 - s\bigr) \ \text{or}\
            \bigl(1 - \sqrt{s}\bigr), \quad s = \frac{t - (T - D)}{D} & T - D \le t \le T
        \end{cases}

    and η_min after T. ``decay="linear"`` or ``"sqrt"`` (the 1 − √s "cooldown" of Hägele et al.:
    below the linear one all the way, it drops fastest at first and spends longer at small rates). Like `cosine`, η reaches η_min at t = T. A run can be
    stopped, or continued, from any step of the stable phase: only the last D steps need knowing
    T, which is why language-model training uses it.

    PyTorch, linear decay: ``SequentialLR([LinearLR(start_factor=f, total_iters=w),
    ConstantLR(factor=1.0, total_iters=T − D − w), LinearLR(start_factor=1.0,
    end_factor=η_min/η₀, total_iters=D)], milestones=[w, T − D])`` (without the first scheduler
    when w = 0); the 1 − √s decay has no torch scheduler, only ``LambdaLR`` with this formula.
    """
    lr, lr_min = hyper_parameter("lr", lr), hyper_parameter("lr_min", lr_min)
    total_steps = whole_number("total_steps", total_steps, minimum=2)
    warmup_steps = whole_number("warmup_steps", warmup_steps, minimum=0)
    start_factor = _factor("start_factor", start_factor)
    if decay not in ("linear", "sqrt"):
        raise ValueError(f'decay must be "linear" or "sqrt" (1 − √s), got {decay!r}')
    if not 0 < decay_fraction <= 1:
        raise ValueError(f"decay_fraction must be in (0, 1], got {decay_fraction!r}: the share of the steps spent decaying")
    decay_steps = max(1, round(decay_fraction * total_steps))
    decay_start = total_steps - decay_steps
    if warmup_steps > decay_start:
        raise ValueError(f"the warmup ({warmup_steps} steps) runs into the decay, which starts at step {decay_start} "
                         f"of {total_steps}: shorten one of them")
    shape = (lambda s: 1 - s) if decay == "linear" else (lambda s: 1 - np.sqrt(s))

    def formula(t):
        ramp = lr * (start_factor + (1 - start_factor) * t / max(warmup_steps, 1))
        s = np.clip((t - decay_start) / decay_steps, 0.0, 1.0)
        decayed = lr_min + (lr - lr_min) * shape(s)
        return np.where(t < warmup_steps, ramp, np.where(t < decay_start, lr + 0 * t, decayed))

    return Schedule("wsd", formula, lr=lr, total_steps=total_steps, warmup_steps=warmup_steps,
                    decay_fraction=decay_fraction, decay=decay, lr_min=lr_min, start_factor=start_factor)


ALL_SCHEDULES = (*ALL_SCHEDULES, wsd)
__all__.append("wsd")
