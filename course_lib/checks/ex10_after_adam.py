"""The checks of exercise 10: after Adam.

The checkers of lion_step, newton_schulz, schedule_free_step, wsd_lr. Each is listed in `CHECKERS`
by `@checker`, and `course_lib.checks` re-exports it.
"""

from __future__ import annotations

import numpy as np

from .. import optim, schedules
from ..optim import NEWTON_SCHULZ_COEFFICIENTS, Lion, ScheduleFreeAdamW, ScheduleFreeSGD
from ..optim import newton_schulz as _course_newton_schulz
from .machinery import Case, Mistake, _k_runs, _one_update, checker, compare

EXERCISE = "10"
TASKS = {"lion_step": 1, "newton_schulz": 2, "schedule_free_step": 3, "wsd_lr": 4}  # the task of each checked function, for the messages

# The course's own versions of what the tasks ask for: an answer that calls one fails (machinery._Hidden).
_HIDDEN_LION = [(Lion, "rule", "Lion")]
_HIDDEN_NEWTON_SCHULZ = [(optim, "newton_schulz", "optim.newton_schulz")]
_HIDDEN_SCHEDULE_FREE = [(ScheduleFreeSGD, "rule", "ScheduleFreeSGD"), (ScheduleFreeAdamW, "rule", "ScheduleFreeAdamW")]
_HIDDEN_WSD = [(schedules, "wsd", "schedules.wsd")]


# -- Lion -----------------------------------------------------------------------------------------

def _lion_step(theta, g, m, lr, beta1, beta2, weight_decay):
    """The reference: one update of course_lib's Lion from the momentum m."""
    return _one_update(Lion(lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay), theta, g, m=m)


def _lion_variant(*, m_first=False, swapped=False, no_sign=False, sign_of="mix", decay="inside",
                  ema=True, sign=-1.0, fixed_beta2=None):
    """What a Lion step with one mistake returns; the keywords name the mistake."""
    def step(theta, g, m, lr, beta1, beta2, weight_decay):
        theta, g, m = (np.asarray(value, dtype=float) for value in (theta, g, m))
        beta2 = beta2 if fixed_beta2 is None else fixed_beta2
        b1, b2 = (beta2, beta1) if swapped else (beta1, beta2)
        new_m = b2 * m + ((1 - b2) if ema else 1.0) * g
        source = new_m if m_first else m
        mix = {"mix": b1 * source + (1 - b1) * g, "m": source, "g": g}[sign_of]
        u = mix if no_sign else np.sign(mix)
        decayed = {"inside": lr * weight_decay * theta, "without lr": weight_decay * theta, "none": 0.0}[decay]
        return theta + sign * lr * u - decayed, new_m
    return step


@checker
def check_lion_step(lion_step) -> None:
    """lion_step(theta, g, m, lr, beta1, beta2, weight_decay) = (θ', m'): one update of Lion."""
    __tracebackhide__ = True
    rng = np.random.default_rng(20)

    def args(theta, g, m, **overrides):
        return {"theta": theta, "g": g, "m": m, "lr": 0.01, "beta1": 0.9, "beta2": 0.99,
                "weight_decay": 0.0, **overrides}

    cases = [
        Case("an ordinary step", args(np.array([1.0, -2.0, 0.5]), np.array([0.3, -4.0, -0.1]),
                                      np.array([-1.0, 1.0, 0.2]))),
        Case("m = 0: the first step is lr · sign(g)", args(np.array([1.0, -2.0]), np.array([2e-6, -300.0]), np.zeros(2)),
             hint="from m = 0, the interpolation is (1 − β1)·g, so every coordinate moves by exactly lr against "
                  "the sign of g, whatever its size."),
        Case("β1 = 0: the sign of g (signSGD)", args(np.array([0.3, 0.7]), np.array([-1.0, 2.0]), np.array([5.0, -5.0]),
                                                    beta1=0.0)),
        Case("an interpolation exactly 0", args(np.array([1.0, 1.0]), np.array([1.0, -2.0]), np.array([-1.0, 0.5]),
                                                beta1=0.5, lr=0.1),
             hint="sign(0) = 0: where β1·m + (1 − β1)·g is exactly 0 that coordinate does not move (np.sign)."),
        Case("weight decay ω = 0.5", args(np.array([2.0, -4.0]), np.array([1.0, 1.0]), np.array([0.5, -0.5]),
                                          weight_decay=0.5, lr=0.1),
             hint="the weight decay is part of the step: θ − lr·(u + ωθ), the ωθ of the old θ."),
        Case("β2 = 0.9, ω = 0.1: other memories", args(np.array([0.5, -1.5, 2.0]), np.array([-0.2, 0.6, 1.0]),
                                                         np.array([0.4, -0.8, -3.0]), lr=0.03, beta1=0.8, beta2=0.9,
                                                         weight_decay=0.1),
             hint="use the lr, beta1, beta2 and weight_decay you are given (here β2 = 0.9, not the default 0.99)."),
        Case("K = 3 runs, shape (3, 2)", args(_k_runs(rng), _k_runs(rng), _k_runs(rng),
                                              lr=np.array([[0.1], [0.01], [0.001]]),
                                              beta1=np.array([[0.9], [0.5], [0.0]]),
                                              beta2=np.array([[0.99], [0.9], [0.5]]),
                                              weight_decay=np.array([[0.0], [0.1], [1.0]])),
             hint="row k is its own run with its own hyper-parameters, each of shape (3, 1) (lr, beta1, beta2 and "
                  "weight_decay alike); numpy broadcasts (3, 1) against (3, 2), so write the update with numpy "
                  "arithmetic and no float() or if on them."),
        Case("integer θ, g and m", args(np.array([3, -2, 0]), np.array([1, 0, -4]), np.array([-2, 0, 1]),
                                        lr=0.25, weight_decay=0.5),
             hint="θ' has fractions even when θ, g and m are whole numbers: make the arrays you fill with dtype=float."),
    ]
    mistakes = [Mistake(hint, answer) for hint, answer in [
        ("the step uses the OLD m: u = sign(β1·m + (1 − β1)·g) first, and m ← β2·m + (1 − β2)·g after the step.",
         _lion_variant(m_first=True)),
        ("β1 and β2 are swapped: β1 (0.9) interpolates for the step, β2 (0.99) is the memory of m.",
         _lion_variant(swapped=True)),
        ("take the sign: u = sign(β1·m + (1 − β1)·g), so every coordinate moves by exactly lr (np.sign).",
         _lion_variant(no_sign=True)),
        ("the sign is of the interpolation β1·m + (1 − β1)·g, not of m alone.", _lion_variant(sign_of="m")),
        ("the sign is of the interpolation β1·m + (1 − β1)·g, not of g alone (that is Lion with β1 = 0).",
         _lion_variant(sign_of="g")),
        ("the weight decay is scaled by lr too: θ − lr·(u + ωθ), not θ − lr·u − ωθ.", _lion_variant(decay="without lr")),
        ("the weight decay is missing: θ − lr·(u + ωθ).", _lion_variant(decay="none")),
        ("did you forget (1 − β2)? m ← β2·m + (1 − β2)·g.", _lion_variant(ema=False)),
        ("you stepped uphill: θ − lr·(u + ωθ), not θ + lr·u.", _lion_variant(sign=1.0)),
        ("use the beta2 you are given: you used β2 = 0.99 whatever the argument says.", _lion_variant(fixed_beta2=0.99)),
    ]]
    compare("lion_step", lion_step, _lion_step, cases, mistakes, hidden=_HIDDEN_LION,
            hint="u = sign(β1·m + (1 − β1)·g), θ' = θ − lr·(u + ωθ), m' = β2·m + (1 − β2)·g; return (θ', m').")


# -- Newton–Schulz ----------------------------------------------------------------------------------

def _ns_variant(*, normalize="frobenius", steps_shift=0, quintic=True, squared=True, coefficients=None,
                fixed_steps=None):
    """What a Newton–Schulz iteration with one mistake returns."""
    def iterate(G, steps):
        a, b, c = coefficients or NEWTON_SCHULZ_COEFFICIENTS
        G = np.asarray(G, dtype=float)
        norm = np.linalg.norm(G)
        scale = {"frobenius": max(norm, 1e-7), "no eps": norm, "plus eps": norm + 1e-7,
                 "none": 1.0, "max": max(np.max(np.abs(G)), 1e-7),
                 "spectral": max(np.linalg.norm(G, 2), 1e-7)}[normalize]
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            X = G / scale
            for _ in range((steps if fixed_steps is None else fixed_steps) + steps_shift):
                A = X @ X.T
                X = a * X + (b * A + (c * (A @ A if squared else A) if quintic else 0)) @ X
        return X
    return iterate


@checker
def check_newton_schulz(newton_schulz) -> None:
    """newton_schulz(G, steps): X₀ = G/max(‖G‖_F, 1e-7), then steps × X ← aX + (bA + cA²)X with A = XXᵀ."""
    __tracebackhide__ = True
    rng = np.random.default_rng(21)
    cases = [
        Case("a 3 × 3 matrix, 5 steps", {"G": rng.standard_normal((3, 3)).round(3), "steps": 5}),
        Case("a wide 2 × 4 matrix, 5 steps", {"G": rng.standard_normal((2, 4)).round(3), "steps": 5}),
        Case("a tall 4 × 2 matrix, 5 steps", {"G": rng.standard_normal((4, 2)).round(3), "steps": 5},
             hint="a tall matrix works the same way: A = XXᵀ is then the larger Gram matrix, but the result is "
                  "the same (the reference transposes first only to save work)."),
        Case("one step", {"G": np.array([[3.0, 0.0], [0.0, 0.4]]), "steps": 1},
             hint="a diagonal matrix shows the polynomial: each σ/‖G‖_F goes to aσ + bσ³ + cσ⁵."),
        Case("0 steps: just the scaling", {"G": np.array([[3.0, 4.0]]), "steps": 0},
             hint="with 0 steps the answer is G/‖G‖_F, the Frobenius norm √(Σ G²)."),
        Case("G = 0", {"G": np.zeros((2, 3)), "steps": 5},
             hint="divide by max(‖G‖_F, 1e-7), so that G = 0 gives 0, not 0/0 = NaN."),
        Case("a wide 3 × 5 matrix, 7 steps", {"G": rng.standard_normal((3, 5)).round(3), "steps": 7}),
        Case("a tall 5 × 3 matrix, 3 steps", {"G": rng.standard_normal((5, 3)).round(3), "steps": 3},
             hint="a tall matrix works the same way: A = XXᵀ is then the larger Gram matrix, but the result is "
                  "the same (the reference transposes first only to save work)."),
        Case("a tiny G, ‖G‖_F below 1e-7", {"G": np.array([[3e-9, -1e-9], [2e-9, 4e-9]]), "steps": 2},
             hint="X₀ = G/max(‖G‖_F, 1e-7): a G whose norm is below 1e-7 is divided by 1e-7, not by its norm."),
        Case("an integer matrix, 4 steps", {"G": np.array([[2, -1, 0], [1, 3, -2]]), "steps": 4},
             hint="X has fractions even when G is whole numbers: make the arrays you fill with dtype=float."),
    ]
    a, b, c = NEWTON_SCHULZ_COEFFICIENTS
    mistakes = [Mistake(hint, answer) for hint, answer in [
        ("scale first: X₀ = G/‖G‖_F puts every singular value in (0, 1], where the iteration works; unscaled, "
         "large singular values blow up.", _ns_variant(normalize="none")),
        ("divide by max(‖G‖_F, 1e-7): G = 0 must give 0, not 0/0 = NaN, and a G whose norm is below 1e-7 is "
         "divided by 1e-7, not scaled up to norm 1.", _ns_variant(normalize="no eps")),
        ("divide by max(‖G‖_F, 1e-7), not by ‖G‖_F + 1e-7: the two differ when ‖G‖_F is small (below 1e-7 the "
         "max divides by 1e-7 alone).", _ns_variant(normalize="plus eps")),
        ("scale by the Frobenius norm ‖G‖_F = √(Σ G²) (np.linalg.norm(G)), not by the largest singular value "
         "(np.linalg.norm(G, 2)).", _ns_variant(normalize="spectral")),
        ("scale by the Frobenius norm ‖G‖_F = √(Σ G²) (np.linalg.norm(G)), not by the largest entry.",
         _ns_variant(normalize="max")),
        ("off by one: run exactly `steps` iterations.", _ns_variant(steps_shift=1)),
        ("off by one: run exactly `steps` iterations.", _ns_variant(steps_shift=-1)),
        ("the quintic term is missing: X ← aX + (bA + cA²)X with A = XXᵀ.", _ns_variant(quintic=False)),
        ("the last term uses A² = A·A: X ← aX + (bA + cA²)X.", _ns_variant(squared=False)),
        (f"the coefficients are (a, b, c) = ({a}, {b}, {c}), in this order.", _ns_variant(coefficients=(c, b, a))),
        ("run `steps` iterations, the number you are given, not always 5.", _ns_variant(fixed_steps=5)),
    ]]
    compare("newton_schulz", newton_schulz, _course_newton_schulz, cases, mistakes, hidden=_HIDDEN_NEWTON_SCHULZ,
            hint="X = G/max(‖G‖_F, 1e-7); then `steps` times: A = X @ X.T, X = a·X + (b·A + c·A @ A) @ X.")


# -- Schedule-Free SGD --------------------------------------------------------------------------------

def _schedule_free_step(y, g, z, x, t, lr, beta):
    """The reference: update number t of course_lib's ScheduleFreeSGD (no warmup, no weight decay)."""
    y, g, z, x = (np.asarray(value, dtype=float) for value in (y, g, z, x))  # integer inputs: the answer has fractions
    new_y, state = ScheduleFreeSGD(lr=lr, beta=beta).update(y, g, {"t": t - 1, "z": z, "x": x})
    return new_y, state["z"], state["x"]


def _sf_variant(*, c_shift=0, old_z=False, swapped=False, step_on="z", return_x=False):
    def step(y, g, z, x, t, lr, beta):
        y, g, z, x = (np.asarray(value, dtype=float) for value in (y, g, z, x))
        new_z = (x if step_on == "x" else z) - lr * g
        c = 1 / (t + c_shift) if t + c_shift > 0 else 1.0
        new_x = (1 - c) * x + c * (z if old_z else new_z)
        new_y = beta * new_z + (1 - beta) * new_x if swapped else (1 - beta) * new_z + beta * new_x
        return (new_x if return_x else new_y), new_z, new_x
    return step


@checker
def check_schedule_free_step(schedule_free_step) -> None:
    """schedule_free_step(y, g, z, x, t, lr, beta) = (y', z', x'): update t of Schedule-Free SGD, c_t = 1/t."""
    __tracebackhide__ = True
    rng = np.random.default_rng(22)

    def args(y, g, z, x, t, **overrides):
        return {"y": y, "g": g, "z": z, "x": x, "t": t, "lr": 0.1, "beta": 0.9, **overrides}

    start = np.array([1.0, -2.0])
    cases = [
        Case("step t = 4", args(np.array([0.5, -1.0]), np.array([1.0, 2.0]), np.array([0.2, -0.4]),
                                np.array([0.6, -1.2]), 4)),
        Case("t = 1, from z = x = y", args(start, np.array([3.0, -1.0]), start, start, 1),
             hint="at t = 1, c₁ = 1/1: x becomes the new z, and so does y."),
        Case("β = 0: the gradient is taken at z", args(np.array([0.5, 0.5]), np.array([-1.0, 1.0]),
                                                       np.array([0.5, 0.5]), np.array([0.0, 1.0]), 3, beta=0.0)),
        Case("a late step, t = 100", args(np.array([0.1, 0.2]), np.array([0.5, -0.5]), np.array([0.3, 0.1]),
                                          np.array([0.05, 0.25]), 100)),
        Case("K = 3 runs, shape (3, 2)", args(_k_runs(rng), _k_runs(rng), _k_runs(rng), _k_runs(rng), 7,
                                              lr=np.array([[0.1], [0.01], [1.0]]), beta=np.array([[0.9], [0.5], [0.0]])),
             hint="row k is its own run with its own lr and β, each of shape (3, 1); numpy broadcasts (3, 1) "
                  "against (3, 2), so write the update with numpy arithmetic and no float() or if on them."),
        Case("lr = 0.5, β = 0.75, t = 2", args(np.array([0.4, -0.6, 1.0]), np.array([2.0, -1.0, 0.5]),
                                               np.array([0.0, -1.0, 1.5]), np.array([0.8, -0.2, 0.5]), 2,
                                               lr=0.5, beta=0.75),
             hint="use the lr and beta you are given (here 0.5 and 0.75)."),
        Case("integer y, g, z and x, t = 3", args(np.array([2, -1]), np.array([1, 3]), np.array([2, 0]),
                                                  np.array([1, -2]), 3, lr=0.25),
             hint="z', x' and y' have fractions even when the inputs are whole numbers: make the arrays you fill "
                  "with dtype=float."),
    ]
    mistakes = [Mistake(hint, answer) for hint, answer in [
        ("off by one: c_t = 1/t with t the number of this update (1 on the first), so that x is the plain "
         "average of z₁ … z_t.", _sf_variant(c_shift=1)),
        ("average the NEW z: first z ← z − lr·g, then x ← (1 − c)·x + c·z.", _sf_variant(old_z=True)),
        ("y = (1 − β)·z + β·x: β is the weight of the average x, not of z.", _sf_variant(swapped=True)),
        ("the SGD step is taken on z, z ← z − lr·g (the gradient was taken at y); x only averages the z's.",
         _sf_variant(step_on="x")),
        ("return y, where the next gradient is taken, as the new params; x is returned third.",
         _sf_variant(return_x=True)),
    ]]
    compare("schedule_free_step", schedule_free_step, _schedule_free_step, cases, mistakes, hidden=_HIDDEN_SCHEDULE_FREE,
            hint="z' = z − lr·g, c = 1/t, x' = (1 − c)·x + c·z', y' = (1 − β)·z' + β·x'; return (y', z', x').")


# -- WSD ----------------------------------------------------------------------------------------------

def _wsd_lr(t, lr, total_steps, warmup_steps, decay_fraction):
    """The reference: course_lib's wsd with a linear decay to 0 and start_factor 0.01."""
    return schedules.wsd(lr, total_steps, warmup_steps=warmup_steps, decay_fraction=decay_fraction)(t)


def _wsd_variant(*, truncate=False, ramp_shift=0, clip=True, decay_to="zero", decay_from="end", ceil=False):
    def rate(t, lr, total_steps, warmup_steps, decay_fraction):
        t = np.asarray(t, dtype=float)
        exact = decay_fraction * total_steps
        D = max(1, int(exact) if truncate else int(np.ceil(exact)) if ceil else round(exact))
        start = total_steps - D if decay_from == "end" else round(decay_fraction * total_steps)
        ramp = lr * (0.01 + 0.99 * (t + ramp_shift) / max(warmup_steps, 1))
        s = (t - start) / D
        s = np.clip(s, 0, 1) if clip else np.maximum(s, 0)
        decayed = lr * (1 - s) if decay_to == "zero" else lr * s
        value = np.where(t < warmup_steps, ramp, np.where(t < start, lr, decayed))
        return float(value) if value.ndim == 0 else value
    return rate


@checker
def check_wsd_lr(wsd_lr) -> None:
    """wsd_lr(t, lr, total_steps, warmup_steps, decay_fraction): warmup from 0.01·lr, constant, linear decay to 0."""
    __tracebackhide__ = True

    def at(t, lr=0.1, total=45, warmup=5, fraction=0.3):
        return {"t": t, "lr": lr, "total_steps": total, "warmup_steps": warmup, "decay_fraction": fraction}

    cases = [
        Case("t = 0 … 49: T = 45, 5 warmup steps, the last 30% decaying", at(np.arange(50))),
        Case("t = 0, the first update", at(0), hint="the ramp starts at 0.01·lr: lr·(0.01 + 0.99·t/w)."),
        Case("t = w, the stable phase begins", at(5), hint="from t = w on the rate is lr until the decay starts."),
        Case("t = T − D, the decay starts", at(31),
             hint="D = round(decay_fraction·T) = round(13.5) = 14 steps decay, from t = T − D = 31, where s = 0."),
        Case("t = T: the rate has reached 0", at(45)),
        Case("after T the rate stays 0", at(60), hint="clip s to [0, 1]: after T the rate stays at 0, never negative."),
        Case("no warmup", at(np.arange(12), lr=1.0, total=10, warmup=0, fraction=0.5)),
        Case("a long run: t = 0 … 1099, T = 1000, w = 37, the last 12.34% decaying",
             at(np.arange(1100), lr=0.3, total=1000, warmup=37, fraction=0.1234),
             hint="use every argument you are given: here lr = 0.3, T = 1000, w = 37 and "
                  "D = round(0.1234·1000) = round(123.4) = 123 decay steps, from t = 877."),
    ]
    mistakes = [Mistake(hint, answer) for hint, answer in [
        ("D = round(decay_fraction·T) steps (round, not int(), which cuts 13.5 down to 13).", _wsd_variant(truncate=True)),
        ("D = round(decay_fraction·T) steps, rounded to the nearest whole number, not up (math.ceil): "
         "123.4 decay steps are 123.", _wsd_variant(ceil=True)),
        ("off by one: t = 0 is the first update, whose rate is 0.01·lr; use t/w, not (t + 1)/w.",
         _wsd_variant(ramp_shift=1)),
        ("after T the rate stays at 0: clip s = (t − (T − D))/D to [0, 1] (a rate below 0 climbs the loss).",
         _wsd_variant(clip=False)),
        ("the decay goes from lr down to 0: lr·(1 − s), not lr·s.", _wsd_variant(decay_to="up")),
        ("the decay is the LAST part of the run: it starts at T − D, not at D.", _wsd_variant(decay_from="start")),
    ]]
    compare("wsd_lr", wsd_lr, _wsd_lr, cases, mistakes, hidden=_HIDDEN_WSD,
            hint="t < w: lr·(0.01 + 0.99·t/w); then lr until T − D with D = round(decay_fraction·T); then "
                 "lr·(1 − s), s = (t − (T − D))/D clipped to [0, 1].")
