"""The checks of exercise 07: learning-rate schedules.

The checkers of step_decay_lr, cosine_lr, warmup_lr, run_lrs, noise_floor, annealed_schedule,
range_test_lr. Each is listed in `CHECKERS` by `@checker`, and `course_lib.checks` re-exports it.
"""

from __future__ import annotations

import numpy as np

from .. import schedules, theory
from ..theory import sgd_noise_floor as _noise_floor
from ..optim import SGD
from ..problems import Quadratic
from ..run import run as _run
from .machinery import RTOL, Case, Mistake, _add_note, _as_array, _call, _show, checker, compare, fail

EXERCISE = "07"
TASKS = {"step_decay_lr": 1, "cosine_lr": 1, "warmup_lr": 2, "run_lrs": 3, "noise_floor": 4, "annealed_schedule": 4, "range_test_lr": 5}  # the task of each checked function, for the messages


def _shown_schedule(schedule, name: str):
    """A course_lib schedule as a plain function of t, named for the messages. It accepts any t
    (a negative t counts as 0), so that np.where(t < w, ramp, schedule(t − w)) works on arrays."""
    def shown(t):
        return schedule(np.maximum(t, 0))
    shown.__name__ = name
    shown.course_lib = schedule  # the reference uses the library's own warmup around it
    return shown


def _at_steps(formula):
    """A schedule written as formula(t, ...) evaluated on t as a float array (keeps scalars scalar)."""
    def schedule(t, *args):
        value = formula(np.asarray(t, dtype=float), *args)
        return float(value) if np.ndim(value) == 0 else value
    return schedule


@checker
def check_step_decay_lr(step_decay_lr) -> None:
    """step_decay_lr(t, lr, step_size, gamma) = η₀·γ^⌊t/s⌋, t = 0 for the first update; t may be an array."""
    __tracebackhide__ = True
    cases = [
        Case("t = 0 … 11, ×0.5 every 4 steps", {"t": np.arange(12), "lr": 0.1, "step_size": 4, "gamma": 0.5}),
        Case("t = 0, the first update", {"t": 0, "lr": 0.1, "step_size": 4, "gamma": 0.5},
             hint="the first update has t = 0 and the rate η₀: γ⁰ = 1."),
        Case("t = step_size, the first drop", {"t": 4, "lr": 0.1, "step_size": 4, "gamma": 0.5},
             hint="updates t = 0 … s − 1 use η₀; the rate drops at t = s, 2s, …"),
        Case("γ = 1: a constant rate", {"t": np.arange(6), "lr": 0.3, "step_size": 2, "gamma": 1.0}),
        Case("a late step, t = 1000", {"t": 1000, "lr": 0.1, "step_size": 300, "gamma": 0.1}),
        Case("η₀ = 0.37, ×0.83 every 7 steps, t = 0 … 49", {"t": np.arange(50), "lr": 0.37, "step_size": 7,
                                                          "gamma": 0.83}),
    ]
    mistakes = [Mistake(hint, _at_steps(formula)) for hint, formula in [
        ("off by one: t = 0 is the first update (as in PyTorch's schedulers), so the rate drops at t = s, 2s, …: "
         "η₀·γ^⌊t/s⌋, not ⌊(t + 1)/s⌋.", lambda t, lr, s, gamma: lr * gamma ** np.floor((t + 1) / s)),
        ("off by one: t counts from 0 here (t = 0 is the first update and has η₀), not from 1: η₀·γ^⌊t/s⌋, "
         "not ⌊(t − 1)/s⌋.", lambda t, lr, s, gamma: lr * gamma ** np.floor((t - 1) / s)),
        ("use the floor ⌊t/s⌋ (np.floor(t / s), or t // s), not rounding: the rate drops at t = s, not halfway "
         "there.", lambda t, lr, s, gamma: lr * gamma ** np.round(t / s)),
        ("use the floor ⌊t/s⌋, not the ceiling: the first s updates, t = 0 … s − 1, use η₀.",
         lambda t, lr, s, gamma: lr * gamma ** np.ceil(t / s)),
        ("that is the exponential decay γ^(t/s), smooth. Step decay holds the rate for s steps, then drops it: "
         "η₀·γ^⌊t/s⌋ (np.floor).", lambda t, lr, s, gamma: lr * gamma ** (t / s)),
        ("γ is raised to the power ⌊t/s⌋, not multiplied by it: η₀·γ^⌊t/s⌋.",
         lambda t, lr, s, gamma: lr * gamma * np.floor(t / s)),
        ("precedence: gamma ** t // s is (γᵗ) // s. Write gamma ** (t // step_size).",
         lambda t, lr, s, gamma: lr * (gamma**t // s)),
        ("the exponent counts the drops so far, ⌊t/s⌋, which only grows: t mod s makes a sawtooth.",
         lambda t, lr, s, gamma: lr * gamma ** (t % s)),
    ]]
    compare("step_decay_lr", step_decay_lr,
            lambda t, lr, step_size, gamma: schedules.step_decay(lr, step_size, gamma)(t), cases, mistakes,
            hidden=[(schedules, "step_decay", "schedules.step_decay")],
            hint="η_t = η₀ · γ^⌊t/s⌋ with t = 0 for the first update; numpy (np.floor, **) makes it work on arrays.")


def _cosine(t, lr, total, lr_min, *, half=0.5, pi=np.pi, hold=True, shift=0, keep_min=True, subtract_min=True,
            sign=1.0, restart=False):
    """The cosine annealing formula, with each of its parts switchable to a typical mistake."""
    t = t + shift
    if restart:
        t = t % total
    elif hold:
        t = np.minimum(t, total)
    span = (lr - lr_min) if subtract_min else lr
    return (lr_min if keep_min else 0.0) + half * span * (1 + sign * np.cos(pi * t / total))


@checker
def check_cosine_lr(cosine_lr) -> None:
    """cosine_lr(t, lr, total_steps, lr_min) = η_min + ½(η₀ − η_min)(1 + cos(π·min(t, T)/T)); t may be an array."""
    __tracebackhide__ = True
    cases = [
        Case("t = 0 … 14, T = 10, η_min = 0.01", {"t": np.arange(15), "lr": 0.1, "total_steps": 10, "lr_min": 0.01}),
        Case("t = 0, the first update", {"t": 0, "lr": 0.1, "total_steps": 100, "lr_min": 0.0},
             hint="the first update has t = 0 and the rate η₀: cos 0 = 1."),
        Case("t = T: the end of the cosine", {"t": 100, "lr": 0.1, "total_steps": 100, "lr_min": 0.001},
             hint="at t = T, cos π = −1 and the rate is η_min."),
        Case("t > T: held at η_min", {"t": 250, "lr": 0.1, "total_steps": 100, "lr_min": 0.001},
             hint="past T the rate stays at η_min: use min(t, T) in the cosine (np.minimum for arrays)."),
        Case("η_min = 0, T = 1000, every 100th step", {"t": np.arange(0, 1001, 100), "lr": 0.3, "total_steps": 1000,
                                                       "lr_min": 0.0}),
    ]
    mistakes = [Mistake(hint, _at_steps(formula)) for hint, formula in [
        ("past T the rate climbs back up: that is PyTorch's closed form of CosineAnnealingLR, which follows the "
         "cosine beyond T_max. Annealing holds η_min after T: cos(π·min(t, T)/T) (np.minimum for arrays).",
         lambda t, lr, T, low: _cosine(t, lr, T, low, hold=False)),
        ("past T the rate jumps back to η₀: that is warm restarts (t mod T). Annealing anneals once and holds "
         "η_min after T: cos(π·min(t, T)/T).", lambda t, lr, T, low: _cosine(t, lr, T, low, restart=True)),
        ("the angle is π·t/T (in radians: from 0 to π over the T steps); without π, cos(t/T) only goes from "
         "cos 0 to cos 1.", lambda t, lr, T, low: _cosine(t, lr, T, low, pi=1.0)),
        ("the angle is π·t/T (in radians: from 0 to π over the T steps); without π, cos(t/T) only goes from "
         "cos 0 to cos 1.", lambda t, lr, T, low: _cosine(t, lr, T, low, pi=1.0, hold=False)),
        ("did you forget the ½? 1 + cos goes from 2 to 0, so η_min + ½(η₀ − η_min)(1 + cos(πt/T)) starts at η₀.",
         lambda t, lr, T, low: _cosine(t, lr, T, low, half=1.0)),
        ("off by one: t = 0 is the first update, with the rate η₀ (as in PyTorch's schedulers); use t as it is, "
         "not t + 1.", lambda t, lr, T, low: _cosine(t, lr, T, low, shift=1)),
        ("off by one: t counts from 0 here (t = 0 is the first update and has η₀), not from 1; use t as it is, "
         "not t − 1.", lambda t, lr, T, low: _cosine(t, lr, T, low, shift=-1)),
        ("η_min is missing: the cosine runs from η₀ down to η_min, η_min + ½(η₀ − η_min)(1 + cos(πt/T)).",
         lambda t, lr, T, low: _cosine(t, lr, T, low, keep_min=False, subtract_min=False)),
        ("η_min is missing: the cosine runs from η₀ down to η_min, η_min + ½(η₀ − η_min)(1 + cos(πt/T)).",
         lambda t, lr, T, low: _cosine(t, lr, T, low, keep_min=False)),
        ("the cosine spans η₀ − η_min, not η₀: η_min + ½(η₀ − η_min)(1 + cos(πt/T)) starts at η₀ exactly.",
         lambda t, lr, T, low: _cosine(t, lr, T, low, subtract_min=False)),
        ("your rate rises: 1 + cos(πt/T), not 1 − cos, makes it fall from η₀ to η_min.",
         lambda t, lr, T, low: _cosine(t, lr, T, low, sign=-1.0)),
    ]]
    compare("cosine_lr", cosine_lr,
            lambda t, lr, total_steps, lr_min: schedules.cosine(lr, total_steps, lr_min)(t), cases, mistakes,
            hidden=[(schedules, "cosine", "schedules.cosine"), (schedules, "_cosine_between", "schedules.cosine")],
            hint="η_t = η_min + ½(η₀ − η_min)(1 + cos(π·min(t, T)/T)), t = 0 for the first update; np.cos and "
                 "np.minimum work on arrays.")


def _warmup_variant(*, shifted=True, ramp_from_zero=False, no_one_minus=False, shift=0, scale_schedule=False):
    """warmup_lr with one of its parts switched to a typical mistake."""
    def warmup(t, schedule, w, f):
        t = np.asarray(t)
        start = schedule(0) * (schedule(t) / schedule(0) if scale_schedule else 1.0)
        s = np.minimum(t + shift, w)
        ramp = start * (s / w if ramp_from_zero else (f + s / w if no_one_minus else f + (1 - f) * s / w))
        after = schedule(np.maximum(t - w, 0)) if shifted else schedule(t)
        value = np.where(t < w, ramp, after)
        return float(value) if value.ndim == 0 else value
    return warmup


@checker
def check_warmup_lr(warmup_lr) -> None:
    """warmup_lr(t, schedule, warmup_steps, start_factor): η₀(f + (1 − f)t/w) for t < w, then schedule(t − w)."""
    __tracebackhide__ = True
    cosine = _shown_schedule(schedules.cosine(0.1, 20), "schedules.cosine(0.1, total_steps=20)")
    step = _shown_schedule(schedules.step_decay(0.1, 4, 0.5), "schedules.step_decay(0.1, step_size=4, gamma=0.5)")
    flat = _shown_schedule(schedules.constant(0.05), "schedules.constant(0.05)")

    def around(schedule, t, w=5, f=0.01):
        return {"t": t, "schedule": schedule, "warmup_steps": w, "start_factor": f}

    cases = [
        Case("t = 0 … 29, a cosine over 20 steps after 5 of warmup", around(cosine, np.arange(30))),
        Case("t = 0, the first update", around(cosine, 0), hint="the ramp starts at f·η₀, with η₀ = schedule(0)."),
        Case("t = w − 1, the last step of the ramp", around(cosine, 4),
             hint="at t = w − 1 the ramp is at η₀(f + (1 − f)(w − 1)/w), just below η₀."),
        Case("t = w, the schedule's first step", around(cosine, 5),
             hint="after the ramp the schedule starts from its beginning: at t = w the rate is schedule(0) = η₀."),
        Case("a step decay, w = 3, f = 0.1", around(step, np.arange(14), w=3, f=0.1)),
        Case("a constant, w = 1", around(flat, np.arange(4), w=1, f=0.5)),
        Case("f = 1: no ramp", around(cosine, np.arange(8), w=3, f=1.0),
             hint="with f = 1 the warmup holds η₀ for w steps, then the schedule starts."),
    ]
    mistakes = [
        Mistake("after the warmup the wrapped schedule starts from its own beginning: schedule(t − w), not "
                "schedule(t), which has already used up w of its steps (a cosine then never starts at η₀).",
                _warmup_variant(shifted=False)),
        Mistake("the ramp starts at f·η₀ (f = start_factor), not at 0: η₀·(f + (1 − f)·t/w).",
                _warmup_variant(ramp_from_zero=True)),
        Mistake("the ramp must end at η₀: η₀·(f + (1 − f)·t/w); f + t/w overshoots by f·t/w.",
                _warmup_variant(no_one_minus=True)),
        Mistake("off by one: t = 0 is the first update, whose rate is f·η₀; use t/w, not (t + 1)/w.",
                _warmup_variant(shift=1)),
        Mistake("η₀ is the number schedule(0), the rate the schedule starts with; multiply the ramp by it, not by "
                "schedule(t).", _warmup_variant(scale_schedule=True)),
    ]
    compare("warmup_lr", warmup_lr,
            lambda t, schedule, warmup_steps, start_factor: schedules.warmup(schedule.course_lib, warmup_steps,
                                                                             start_factor)(t),
            cases, mistakes, hidden=[(schedules, "warmup", "schedules.warmup")],
            hint="η₀ = schedule(0); for t < w the rate is η₀·(f + (1 − f)·t/w), from t = w on schedule(t − w); "
                 "np.where(t < w, ramp, after) picks between them on arrays.")


def _lrs_with(step):
    """The rates of a run read from schedule(step(epoch, batch, B)), shape (epochs, B)."""
    def lrs(schedule, epochs, batches_per_epoch):
        return np.array([[schedule(step(epoch, batch, batches_per_epoch)) for batch in range(batches_per_epoch)]
                         for epoch in range(epochs)], dtype=float)
    return lrs


@checker
def check_run_lrs(run_lrs) -> None:
    """run_lrs(schedule, epochs, batches_per_epoch): the rate of every update, schedule(e·B + b), shape (epochs, B)."""
    __tracebackhide__ = True
    warm = _shown_schedule(schedules.warmup(schedules.cosine(0.1, 8), 4),
                           "schedules.warmup(schedules.cosine(0.1, total_steps=8), warmup_steps=4)")
    step = _shown_schedule(schedules.step_decay(0.1, 5, 0.5), "schedules.step_decay(0.1, step_size=5, gamma=0.5)")
    cases = [
        Case("3 epochs × 4 batches, warmup then cosine",
             {"schedule": warm, "epochs": 3, "batches_per_epoch": 4}),
        Case("4 epochs × 3 batches, step decay every 5 updates",
             {"schedule": step, "epochs": 4, "batches_per_epoch": 3}),
        Case("one epoch", {"schedule": warm, "epochs": 1, "batches_per_epoch": 6}),
        Case("one batch per epoch", {"schedule": step, "epochs": 7, "batches_per_epoch": 1},
             hint="with one batch per epoch, update e is the only one of epoch e: t = e."),
    ]
    mistakes = [
        Mistake("you stepped the schedule once per epoch (t = epoch), but its numbers count updates: stepped per "
                "epoch it runs B times too slow. The update count is t = e·B + b (lesson 07, Common mistakes).",
                _lrs_with(lambda epoch, batch, B: epoch)),
        Mistake("t restarts at every epoch (a counter or a schedule made anew inside the epoch loop): the warmup "
                "then restarts every epoch, a sawtooth. Count every update since the start: t = e·B + b.",
                _lrs_with(lambda epoch, batch, B: batch)),
        Mistake("off by one: the first update of the run has t = 0, so t = e·B + b with e and b counted from 0.",
                _lrs_with(lambda epoch, batch, B: epoch * B + batch + 1)),
        Mistake("the rate changes at every update, not once per epoch: update b of epoch e uses schedule(e·B + b), "
                "not schedule(e·B) for the whole epoch.", _lrs_with(lambda epoch, batch, B: epoch * B)),
        Mistake("return one row per epoch, shape (epochs, batches_per_epoch): .reshape(epochs, batches_per_epoch).",
                lambda schedule, epochs, B: _lrs_with(lambda epoch, batch, B: epoch * B + batch)(
                    schedule, epochs, B).reshape(-1)),
    ]
    compare("run_lrs", run_lrs, _lrs_with(lambda epoch, batch, B: epoch * B + batch), cases, mistakes,
            hint="one counter for the whole run: update b of epoch e (both from 0) is t = e·B + b; "
                 "return the rates in an array of shape (epochs, batches_per_epoch).")


@checker
def check_noise_floor(noise_floor) -> None:
    """noise_floor(lr, eigenvalues, sigma) = Σ_i ησ²/(2(2 − ηλ_i)), the floor of a constant lr."""
    __tracebackhide__ = True
    cases = [
        Case("η = 0.1, λ = 1 and 10, σ = 1", {"lr": 0.1, "eigenvalues": np.array([1.0, 10.0]), "sigma": 1.0}),
        Case("a small η = 0.01", {"lr": 0.01, "eigenvalues": np.array([1.0, 10.0]), "sigma": 1.0}),
        Case("near the limit, η = 0.19", {"lr": 0.19, "eigenvalues": np.array([1.0, 10.0]), "sigma": 1.0},
             hint="near ηλ = 2 the floor grows without bound: the denominator 2 − ηλ is small."),
        Case("σ = 2", {"lr": 0.1, "eigenvalues": np.array([1.0, 10.0]), "sigma": 2.0},
             hint="the floor grows with the noise's variance σ²: twice the σ, four times the floor."),
        Case("one direction, λ = 4", {"lr": 0.3, "eigenvalues": np.array([4.0]), "sigma": 1.0}),
        Case("three directions", {"lr": 0.2, "eigenvalues": np.array([0.5, 2.0, 8.0]), "sigma": 0.5}),
    ]

    def floor(per_direction, total=np.sum):
        return lambda lr, eigenvalues, sigma: float(total(per_direction(lr, np.asarray(eigenvalues, dtype=float),
                                                                        sigma)))

    mistakes = [
        Mistake("that is lesson 02's small-η rule, ησ²/4 per direction. The exact floor is ησ²/(2(2 − ηλ)) per "
                "direction, far higher near the stability limit.",
                floor(lambda lr, lam, sigma: lr * sigma**2 / 4 + 0 * lam)),
        Mistake("σ is squared: the noise adds the variance η²σ² per step, and the floor is ησ²/(2(2 − ηλ)).",
                floor(lambda lr, lam, sigma: lr * sigma / (2 * (2 - lr * lam)))),
        Mistake("the loss is ½λx², so the floor per direction is ½λ·V = ησ²/(2(2 − ηλ)): did you forget the ½?",
                floor(lambda lr, lam, sigma: lr * sigma**2 / (2 - lr * lam))),
        Mistake("that is the variance V = ησ²/(λ(2 − ηλ)) of the iterate; the loss is E[½λx²] = ½λV = "
                "ησ²/(2(2 − ηλ)).", floor(lambda lr, lam, sigma: lr * sigma**2 / (lam * (2 - lr * lam)))),
        Mistake("add the floors of the directions (np.sum), don't average them.",
                floor(lambda lr, lam, sigma: lr * sigma**2 / (2 * (2 - lr * lam)), total=np.mean)),
        Mistake("it is 2 − ηλ: the floor grows as η nears the stability limit 2/λ.",
                floor(lambda lr, lam, sigma: lr * sigma**2 / (2 * (2 + lr * lam)))),
    ]
    compare("noise_floor", noise_floor, _noise_floor, cases, mistakes,
            hidden=[(theory, "sgd_noise_floor", "theory.sgd_noise_floor")],
            hint="per direction of curvature λ: ησ²/(2(2 − ηλ)); add them up over the eigenvalues.")


_ANNEAL = {"lr": 0.1, "steps": 1000, "runs": 200, "last": 100, "sigma": 1.0, "seed": 0}


def _annealed_loss(schedule) -> tuple:
    """SGD(lr=schedule) on the noisy ravine of lesson 07: (mean f − f* over the last steps, diverged?)."""
    problem = Quadratic([1.0, 10.0])
    starts = np.broadcast_to(problem.start, (_ANNEAL["runs"], 2))
    path = _run(SGD(lr=schedule), problem, starts, _ANNEAL["steps"], noise=_ANNEAL["sigma"], seed=_ANNEAL["seed"])
    gaps = path.losses.mean(axis=1) - problem.min_value
    return float(np.mean(gaps[-_ANNEAL["last"]:])), bool(np.any(path.diverged_at >= 0))


@checker
def check_annealed_schedule(annealed_schedule) -> None:
    """annealed_schedule(t): a schedule of 1000 updates whose largest rate is 0.1 and with which SGD on lesson 07's
    noisy ravine ends below a tenth of the noise floor of the constant rate 0.1.

    Here the task is the choice of a schedule, not its formula: building it from the learner's own
    schedules or from course_lib.schedules is allowed, and the checks test what it does in a run."""
    __tracebackhide__ = True
    name, lr, steps, last = "annealed_schedule", _ANNEAL["lr"], _ANNEAL["steps"], _ANNEAL["last"]
    labels = [f"{steps} rates, finite and ≥ 0", f"its largest rate is η₀ = {lr:g}",
              f"SGD with it ends below a tenth of the noise floor of the constant rate {lr:g}"]
    where = [f"case {number} of 3, {label}" for number, label in enumerate(labels, start=1)]
    t = np.arange(steps)
    got = _call(name, annealed_schedule, {"t": t}, where[0])
    rates = _as_array(got)
    call = f"your call: {name}(np.arange({steps}))"
    if rates is None or rates.shape not in ((), (steps,)):
        fail(name, where[0], [call, f"expected {steps} rates, one per step t = 0 … {steps - 1}; got "
                                    f"{_show(got) if rates is None else f'shape {rates.shape}'}"],
             "return η_t for every t given; with numpy arithmetic (or your cosine_lr) an array of t gives an "
             "array of rates.")
    rates = np.broadcast_to(rates, (steps,))
    if not np.all(np.isfinite(rates)) or np.any(rates < 0):
        bad = int(np.flatnonzero(~(np.isfinite(rates) & (rates >= 0)))[0])
        fail(name, where[0], [call, f"the rate at t = {bad} is {rates[bad]:g}"],
             "a learning rate must be a finite number ≥ 0 at every step.")
    if not np.isclose(rates.max(), lr, rtol=RTOL, atol=0):
        fail(name, where[1], [call, f"the largest rate is {rates.max():.4g}, at t = {int(np.argmax(rates))}"],
             f"start from η₀ = {lr:g} (or warm up to it): the point is to take the large steps of {lr:g} early and "
             "still end below its floor. A smaller constant rate gets below that floor too, but slowly.")
    floor = _noise_floor(lr, [1.0, 10.0], _ANNEAL["sigma"])
    try:
        final, diverged = _annealed_loss(annealed_schedule)
    except NotImplementedError:
        raise
    except Exception as error:
        _add_note(error, f"(This came from your code, while checking {name}: {where[2]}; the optimizer calls "
                         f"{name}(t) with one whole number t at each update)")
        raise
    shown = ", ".join(f"{rates[k]:.3g} at t = {k}" for k in (0, steps // 4, steps // 2, 3 * steps // 4, steps - 1))
    lines = [f"SGD(lr={name}), {_ANNEAL['runs']} runs of {steps} updates on f = ½(θ₁² + 10·θ₂²) with gradient noise "
             f"σ = {_ANNEAL['sigma']:g}: mean f − f* over the last {last} updates = {final:.3g}",
             f"noise floor of the constant rate {lr:g}: {floor:.3g}; wanted: below a tenth of it, {floor / 10:.3g}",
             f"your rates: {shown}"]
    if diverged or final >= floor / 10:
        dead = np.flatnonzero(rates >= lr / 1000)
        dies = int(dead[-1]) + 1 if dead.size else 0
        if diverged:
            hint = "the runs diverged: keep every rate below the stability limit 2/λmax = 0.2."
        elif np.allclose(rates, rates[0], rtol=RTOL, atol=0):
            hint = ("a constant rate settles at its noise floor, whatever its size: let the rate decay, e.g. your "
                    f"cosine_lr from {lr:g} to 0 over the {steps} updates.")
        elif dies < steps // 2:
            hint = (f"your rate is (nearly) 0 from update {dies} on, so the runs stop moving long before the end. Was "
                    f"the schedule set up in epochs? Here t counts the updates: spread the decay over all {steps}.")
        elif rates[-1] > lr / 10:
            hint = (f"your rate is still {rates[-1]:.3g} at the last update: the schedule has not decayed by the end "
                    f"of the run. Its length (a cosine's T, a step decay's s) counts updates: fit it to the "
                    f"{steps} of the run.")
        else:
            hint = f"decay the rate to (nearly) 0 by the last of the {steps} updates: a cosine over them does."
        fail(name, where[2], lines, hint)
    print(f"✓ {name}: right in all 3 cases ({labels[0]}; {labels[1]}; SGD with it ends at f − f* = {final:.2g}, "
          f"{final / floor:.2g} × the noise floor {floor:.2g} of the constant rate {lr:g})")


def _range_test_lr(t, lr_low, lr_high, steps):
    """η_t = η_low·(η_high/η_low)^(t/(steps − 1)): Smith's LR range test, geometric from η_low (t = 0) to η_high."""
    t = np.asarray(t, dtype=float)
    value = lr_low * (lr_high / lr_low) ** (t / (steps - 1))
    return float(value) if value.ndim == 0 else value


@checker
def check_range_test_lr(range_test_lr) -> None:
    """range_test_lr(t, lr_low, lr_high, steps) = η_low·(η_high/η_low)^(t/(steps − 1)), t = 0 … steps − 1."""
    __tracebackhide__ = True
    cases = [
        Case("5 steps from 0.001 to 10", {"t": np.arange(5), "lr_low": 1e-3, "lr_high": 10.0, "steps": 5}),
        Case("t = 0: the lowest rate", {"t": 0, "lr_low": 1e-4, "lr_high": 10.0, "steps": 300},
             hint="the test starts at η_low."),
        Case("t = steps − 1: the highest rate", {"t": 299, "lr_low": 1e-4, "lr_high": 10.0, "steps": 300},
             hint="the last step, t = steps − 1, reaches η_high."),
        Case("300 steps from 1e-4 to 10", {"t": np.arange(300), "lr_low": 1e-4, "lr_high": 10.0, "steps": 300}),
        Case("two decades in 101 steps", {"t": np.arange(101), "lr_low": 0.01, "lr_high": 1.0, "steps": 101}),
    ]
    mistakes = [Mistake(hint, _at_steps(formula)) for hint, formula in [
        ("the rates grow geometrically, by the same factor every step (np.geomspace), not linearly (np.linspace): "
         "a linear sequence spends almost all its steps in the top decade.",
         lambda t, low, high, n: low + (high - low) * t / (n - 1)),
        ("the last step, t = steps − 1, must reach η_high: the exponent is t/(steps − 1), not t/steps.",
         lambda t, low, high, n: low * (high / low) ** (t / n)),
        ("off by one: t = 0 is the first step and has η_low; the exponent is t/(steps − 1).",
         lambda t, low, high, n: low * (high / low) ** ((t + 1) / n)),
        ("the growth per step is the (steps − 1)-th root of η_high/η_low, (η_high/η_low)^(1/(steps − 1)), not "
         "η_high/η_low divided by steps − 1.", lambda t, low, high, n: low * ((high / low) / (n - 1)) ** t),
        ("the rate grows during the test: from η_low at t = 0 up to η_high at the last step.",
         lambda t, low, high, n: high * (low / high) ** (t / (n - 1))),
    ]]
    compare("range_test_lr", range_test_lr, _range_test_lr, cases, mistakes,
            hint="η_t = η_low · (η_high/η_low)^(t/(steps − 1)): η_low at t = 0, η_high at t = steps − 1, the same "
                 "factor every step.")
