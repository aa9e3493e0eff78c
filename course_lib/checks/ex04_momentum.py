"""The checks of exercise 04: momentum.

The checkers of momentum_step, momentum_step_ema, sum_form_lr, nesterov_step, momentum_lr_limit,
polyak_best. Each is listed in `CHECKERS` by `@checker`, and `course_lib.checks` re-exports it.
"""

from __future__ import annotations

import numpy as np

from .. import theory
from ..optim import Momentum, Nesterov
from ..problems import Quadratic
from .machinery import (ATOL, RTOL, Case, Mistake, _as_array, _call, _call_text, _diagnose, _differences,
                        _k_runs, _one_update, _same, _show, _success, checker, compare, fail)

EXERCISE = "04"
TASKS = {"momentum_step": 1, "momentum_step_ema": 2, "sum_form_lr": 2, "nesterov_step": 3, "momentum_lr_limit": 4, "polyak_best": 4}  # the task of each checked function, for the messages


def _momentum_cases(first_step_hint: str) -> list:
    rng = np.random.default_rng(6)
    return [
        Case("a 2-D step", {"theta": np.array([1.0, -2.0]), "g": np.array([0.5, -3.0]),
                            "m": np.array([0.2, 1.0]), "lr": 0.1, "beta": 0.9}),
        Case("the first step, m = 0", {"theta": np.array([1.0, -2.0]), "g": np.array([0.5, -3.0]),
                                        "m": np.zeros(2), "lr": 0.1, "beta": 0.9}, hint=first_step_hint),
        Case("β = 0", {"theta": np.array([0.3, 0.7]), "g": np.array([-1.0, 2.0]), "m": np.array([5.0, 5.0]),
                       "lr": 0.05, "beta": 0.0},
             hint="with β = 0 nothing of the old m is kept: m = g, and the step is plain gradient descent."),
        Case("a zero gradient", {"theta": np.array([0.3, 0.7]), "g": np.zeros(2), "m": np.array([1.0, -2.0]),
                                 "lr": 0.1, "beta": 0.8},
             hint="with g = 0 the ball keeps rolling: m shrinks to β·m and θ still moves by η·β·m."),
        Case("K = 3 runs, shape (3, 2)",
             {"theta": _k_runs(rng), "g": _k_runs(rng), "m": _k_runs(rng),
              "lr": np.array([[0.1], [0.01], [0.5]]), "beta": np.array([[0.9], [0.5], [0.0]])},
             hint="row k is its own run with its own lr[k] and beta[k]; written with numpy arithmetic, "
                  "the two lines broadcast (3, 1) against (3, 2) by themselves."),
        Case("integer θ and g", {"theta": np.array([2, -1, 0]), "g": np.array([3, 1, -2]), "m": np.array([1.0, 0.0, 4.0]),
                                 "lr": 0.3, "beta": 0.7},
             hint="with integers in, θ and m get fractions: compute new arrays (θ − η·m), don't fill arrays made "
                  "like the integer inputs (np.zeros_like(theta))."),
    ]


def _momentum_step(theta, g, m, lr, beta):
    """The reference: one update of course_lib's Momentum (the sum form)."""
    return _one_update(Momentum(lr=lr, beta=beta), theta, g, m=m)


def _momentum_step_ema(theta, g, m, lr, beta):
    """The reference: one update of course_lib's Momentum(ema=True)."""
    return _one_update(Momentum(lr=lr, beta=beta, ema=True), theta, g, m=m)


def _nesterov_step(theta, g, m, lr, beta):
    """The reference: one update of course_lib's Nesterov (the frameworks' form)."""
    return _one_update(Nesterov(lr=lr, beta=beta), theta, g, m=m)


def _momentum_variant(keep, add, step="new"):
    """A momentum step with m ← keep·m + add·g, and θ − η·(what `step` names)."""
    def answer(theta, g, m, lr, beta):
        new_m = keep(beta) * m + add(beta) * g
        direction = {"new": new_m, "old": m, "nesterov": g + beta * new_m, "nesterov without β": g + new_m,
                     "nesterov, ema": (1 - beta) * g + beta * new_m}[step]
        return theta - lr * direction, new_m
    return answer


_SUM, _EMA = (lambda beta: beta, lambda beta: 1.0), (lambda beta: beta, lambda beta: 1 - beta)
_EMA_SWAPPED = (lambda beta: 1 - beta, lambda beta: beta)


@checker
def check_momentum_step(momentum_step) -> None:
    """momentum_step(theta, g, m, lr, beta) = (θ − η m', m') with m' = β m + g (the sum form, PyTorch's)."""
    __tracebackhide__ = True
    cases = _momentum_cases("from m = 0 the first step is a plain gradient step: m = g, θ − η g.")
    mistakes = [
        Mistake("this is the EMA form, m ← βm + (1 − β)g (task 2). Here m is the plain sum, m ← βm + g, as in "
                "PyTorch's SGD(momentum=β): with the same lr the EMA form's steps are (1 − β) times shorter.",
                _momentum_variant(*_EMA)),
        Mistake("β and 1 − β are mixed up, and it is the sum form here: m ← βm + g keeps the fraction β of the "
                "old m and adds g whole.", _momentum_variant(*_EMA_SWAPPED)),
        Mistake("β and 1 − β are mixed up: m ← βm + g keeps the fraction β of the old m, not 1 − β.",
                _momentum_variant(lambda beta: 1 - beta, lambda beta: 1.0)),
        Mistake("you updated θ with the old m: the order of the two lines matters. First m ← βm + g, then "
                "θ ← θ − η·m with the new m (from m = 0 the first step must move θ by η·g).",
                _momentum_variant(*_SUM, step="old")),
        Mistake("this is Nesterov's step, θ − η(g + βm) (task 3). The heavy ball steps along m itself: θ − η·m.",
                _momentum_variant(*_SUM, step="nesterov")),
        Mistake("return the new m too, (θ − η·m', m') with m' = βm + g: the next step needs it.",
                lambda theta, g, m, lr, beta: (theta - lr * (beta * m + g), m)),
        Mistake("you stepped uphill: θ − η·m, not θ + η·m.",
                lambda theta, g, m, lr, beta: (theta + lr * (beta * m + g), beta * m + g)),
        Mistake("the learning rate is missing: θ − η·m.",
                lambda theta, g, m, lr, beta: (theta - (beta * m + g), beta * m + g)),
        Mistake("return (theta, m) in this order.",
                lambda theta, g, m, lr, beta: (beta * m + g, theta - lr * (beta * m + g))),
    ]
    compare("momentum_step", momentum_step, _momentum_step, cases, mistakes,
            hint="m' = β·m + g, then θ' = θ − η·m'; return (θ', m').", hidden=[(Momentum, "rule", "Momentum")])


@checker
def check_momentum_step_ema(momentum_step_ema) -> None:
    """momentum_step_ema(theta, g, m, lr, beta) = (θ − η m', m') with m' = β m + (1 − β) g (the EMA form)."""
    __tracebackhide__ = True
    cases = _momentum_cases("from m = 0 the first EMA is m = (1 − β)·g, so the first step is η(1 − β)·g: "
                            "short, the start-up bias of lesson 03.")
    mistakes = [
        Mistake("this is the sum form, m ← βm + g (task 1). The EMA form weighs the new gradient by 1 − β: "
                "m ← βm + (1 − β)g.", _momentum_variant(*_SUM)),
        Mistake("β and 1 − β are swapped: m ← βm + (1 − β)g keeps the fraction β of the old m.",
                _momentum_variant(*_EMA_SWAPPED)),
        Mistake("you updated θ with the old m: first m ← βm + (1 − β)g, then θ ← θ − η·m with the new m.",
                _momentum_variant(*_EMA, step="old")),
        Mistake("no correction here (this is momentum as the deeplearning.ai course writes it): the step is "
                "θ − η·m with m = βm + (1 − β)g, not along m/(1 − β).",
                lambda theta, g, m, lr, beta: (theta - lr * (beta * m + (1 - beta) * g) / (1 - beta),
                                               beta * m + (1 - beta) * g)),
        Mistake("you stepped uphill: θ − η·m, not θ + η·m.",
                lambda theta, g, m, lr, beta: (theta + lr * (beta * m + (1 - beta) * g), beta * m + (1 - beta) * g)),
        Mistake("return (theta, m) in this order.",
                lambda theta, g, m, lr, beta: (beta * m + (1 - beta) * g, theta - lr * (beta * m + (1 - beta) * g))),
    ]
    compare("momentum_step_ema", momentum_step_ema, _momentum_step_ema, cases, mistakes,
            hint="m' = β·m + (1 − β)·g, then θ' = θ − η·m'; return (θ', m').", hidden=[(Momentum, "rule", "Momentum")])


_FORMS_PROBLEM = Quadratic([1.0, 10.0])
_FORMS_STEPS = 30


def _forms_paths(ema_lr, beta, sum_lr):
    """θ₀ … θ₃₀ of the EMA form with ema_lr and of the sum form with sum_lr, on ½(θ₁² + 10·θ₂²)."""
    paths = []
    for optimizer in (Momentum(lr=ema_lr, beta=beta, ema=True), Momentum(lr=sum_lr, beta=beta)):
        theta, state = _FORMS_PROBLEM.start, optimizer.init(_FORMS_PROBLEM.start)
        path = [theta]
        with np.errstate(all="ignore"):
            for _ in range(_FORMS_STEPS):
                theta, state = optimizer.update(theta, _FORMS_PROBLEM.grad(theta), state)
                path.append(theta)
        paths.append(np.array(path))
    return paths


def _forms_line(ema_lr, beta, sum_lr) -> str:
    """What the learner's lr does on a run: where the two forms' paths part."""
    if np.ndim(beta) or _as_array(sum_lr) is None or np.ndim(sum_lr) or not 0 <= float(sum_lr) < 1e6:
        return ""
    ema_path, sum_path = _forms_paths(ema_lr, beta, float(sum_lr))
    apart = ~np.all(np.isclose(sum_path, ema_path, rtol=RTOL, atol=ATOL), axis=-1)
    if not apart.any():
        return ""
    step = int(np.argmax(apart))
    return (f"on a run ({_FORMS_STEPS} steps on f = ½(θ₁² + 10·θ₂²) from {_show(_FORMS_PROBLEM.start)}) the EMA "
            f"form with lr = {ema_lr:g} and the sum form with your lr part at step {step}: "
            f"{_show(ema_path[step])} vs {_show(sum_path[step])}; after {_FORMS_STEPS} steps "
            f"{_show(ema_path[-1])} vs {_show(sum_path[-1])}")


@checker
def check_sum_form_lr(sum_form_lr) -> None:
    """sum_form_lr(ema_lr, beta) = ema_lr·(1 − β): the sum form's lr that takes the EMA form's steps.

    Besides the value, each case with one β runs both forms for 30 steps (the EMA form with ema_lr, the
    sum form with the learner's lr) and asks for the same path; a failure says where the paths part.
    """
    __tracebackhide__ = True
    name = "sum_form_lr"
    cases = [
        Case("lr = 0.1, β = 0.9", {"ema_lr": 0.1, "beta": 0.9}),
        Case("β = 0.99", {"ema_lr": 0.5, "beta": 0.99}),
        Case("β = 0", {"ema_lr": 0.02, "beta": 0.0},
             hint="with β = 0 both forms are plain gradient descent, with the same lr."),
        Case("lr = 0.3, β = 0.8", {"ema_lr": 0.3, "beta": 0.8}),
        Case("β an array", {"ema_lr": 0.1, "beta": np.array([0.0, 0.5, 0.9, 0.99])},
             hint="use numpy arithmetic (lr * (1 - beta)), which works for arrays too."),
    ]
    mistakes = [
        Mistake("the other way round: the sum form's m is 1/(1 − β) times the EMA's, so its lr must be "
                "(1 − β) times smaller, lr·(1 − β), not lr/(1 − β).",
                lambda ema_lr, beta: ema_lr / (1 - np.asarray(beta))),
        Mistake("the factor is 1 − β, not β: the EMA's m is (1 − β) times the sum form's m.",
                lambda ema_lr, beta: ema_lr * np.asarray(beta)),
        Mistake("the same lr in both forms is not the same method: the sum form's steps are 1/(1 − β) times "
                "longer (ten times at β = 0.9), so its lr must be (1 − β) times smaller.",
                lambda ema_lr, beta: ema_lr + 0 * np.asarray(beta)),
    ]
    for number, case in enumerate(cases, start=1):
        where = f"case {number} of {len(cases)}, {case.label}"
        got = _call(name, sum_form_lr, case.args, where)
        expected = case.args["ema_lr"] * (1 - case.args["beta"])
        on_runs = _forms_line(case.args["ema_lr"], case.args["beta"], got) if _as_array(got) is not None else ""
        if _same(got, expected) and not on_runs:
            continue
        mistake = _diagnose(sum_form_lr, cases, mistakes, case, got)
        lines = [f"your call: {_call_text(name, case.args)}", f"expected:  {_show(expected)}",
                 f"got:       {_show(got)}", *_differences(got, expected), *([on_runs] if on_runs else [])]
        fail(name, where, lines, mistake.hint if mistake else case.hint or
             "the EMA form's m is (1 − β) times the sum form's m, so the sum form needs lr·(1 − β).")
    _success(name, cases)


@checker
def check_nesterov_step(nesterov_step) -> None:
    """nesterov_step(theta, g, m, lr, beta) = (θ − η(g + β m'), m') with m' = β m + g (PyTorch's form)."""
    __tracebackhide__ = True
    cases = _momentum_cases("from m = 0: m = g and the first step is η(g + β·g) = η(1 + β)·g, longer than "
                            "the heavy ball's η·g.")

    def velocity_form(theta, g, m, lr, beta):  # the look-ahead form's v ← βv − ηg, with m taken for v
        v = beta * m - lr * g
        return theta + v, v

    def velocity_form_shifted(theta, g, m, lr, beta):
        v = beta * m - lr * g
        return theta - lr * g + beta * v, v

    mistakes = [
        Mistake("the look-ahead is g + β·m, with β: you stepped along g + m.",
                _momentum_variant(*_SUM, step="nesterov without β")),
        Mistake("this is the heavy ball's step, θ − η·m (or θ − η(g + β·m) with the old m, which is the same): "
                "Nesterov without its look-ahead. The g you are given is already taken at the look-ahead point "
                "(the frameworks shift the variable, x = θ + βv), so the look-ahead enters the step itself: "
                "first m ← βm + g, then θ − η(g + β·m) with the new m.", _momentum_variant(*_SUM, step="new")),
        Mistake("your θ is right, but the m you return is the look-ahead form's velocity v ← βv − ηg. In the "
                "frameworks' form m is the plain sum of gradients, m ← βm + g (no η, no minus sign).",
                velocity_form_shifted),
        Mistake("this is the look-ahead form v ← βv − ηg, θ ← θ + v with the gradient taken at θ, not at the "
                "look-ahead point θ + βv: that is the heavy ball. In the frameworks' form the given g is at the "
                "look-ahead point already: m ← βm + g, θ ← θ − η(g + β·m).", velocity_form),
        Mistake("here m is the plain sum, m ← βm + g, as in PyTorch's SGD(nesterov=True), not the EMA "
                "m ← βm + (1 − β)g.", _momentum_variant(*_EMA, step="nesterov")),
        Mistake("here m is the plain sum, m ← βm + g, as in PyTorch's SGD(nesterov=True), not the EMA "
                "m ← βm + (1 − β)g.", _momentum_variant(*_EMA, step="nesterov, ema")),
        Mistake("you stepped uphill: θ − η(g + β·m), not θ + η(…).",
                lambda theta, g, m, lr, beta: (theta + lr * (g + beta * (beta * m + g)), beta * m + g)),
        Mistake("return (theta, m) in this order.",
                lambda theta, g, m, lr, beta: (beta * m + g, theta - lr * (g + beta * (beta * m + g)))),
    ]
    compare("nesterov_step", nesterov_step, _nesterov_step, cases, mistakes,
            hint="m' = β·m + g, then θ' = θ − η·(g + β·m'); return (θ', m').", hidden=[(Nesterov, "rule", "Nesterov")])


@checker
def check_momentum_lr_limit(momentum_lr_limit) -> None:
    """momentum_lr_limit(beta, lambda_max) = 2(1 + β)/λmax: the heavy ball's stability limit on a quadratic."""
    __tracebackhide__ = True
    cases = [
        Case("β = 0.5, λmax = 100", {"beta": 0.5, "lambda_max": 100.0}),
        Case("β = 0.9, λmax = 100", {"beta": 0.9, "lambda_max": 100.0}),
        Case("β = 0: plain GD", {"beta": 0.0, "lambda_max": 10.0},
             hint="with β = 0 the heavy ball is gradient descent, whose limit is 2/λmax."),
        Case("β = 0.37, λmax = 3.3", {"beta": 0.37, "lambda_max": 3.3}),
        Case("β an array", {"beta": np.array([0.0, 0.5, 0.9, 0.99]), "lambda_max": 4.0},
             hint="use numpy arithmetic (2 * (1 + beta) / lambda_max), which works for arrays too."),
    ]

    def limit(formula):
        return lambda beta, lambda_max: formula(np.asarray(beta, dtype=float), lambda_max)

    mistakes = [
        Mistake("did you forget the 1 + β? 2/λmax is plain gradient descent's limit (β = 0); momentum widens "
                "it: η·λmax < 2(1 + β).", limit(lambda beta, lam: 2 / lam + 0 * beta)),
        Mistake("it is 1 + β, not 1 − β: momentum widens the stable range, η·λmax < 2(1 + β).",
                limit(lambda beta, lam: 2 * (1 - beta) / lam)),
        Mistake("the limit is 2(1 + β)/λmax: did you forget the 2?", limit(lambda beta, lam: (1 + beta) / lam)),
        Mistake("that is the EMA form's limit, 2(1 + β)/((1 − β)λmax): its lr is in other units. Here the sum "
                "form's, 2(1 + β)/λmax.", limit(lambda beta, lam: 2 * (1 + beta) / ((1 - beta) * lam))),
        Mistake("that is Nesterov's limit, 2(1 + β)/((1 + 2β)λmax); the heavy ball's is 2(1 + β)/λmax.",
                limit(lambda beta, lam: 2 * (1 + beta) / ((1 + 2 * beta) * lam))),
        Mistake("(1 + β) goes in the numerator: η·λmax < 2(1 + β), so η < 2(1 + β)/λmax.",
                limit(lambda beta, lam: 2 / ((1 + beta) * lam))),
    ]
    compare("momentum_lr_limit", momentum_lr_limit,
            lambda beta, lambda_max: theory.heavy_ball_lr_limit(beta, lambda_max), cases, mistakes,
            hidden=[(theory, "heavy_ball_lr_limit", "theory.heavy_ball_lr_limit")],
            hint="the roots of z² − (1 + β − ηλ)z + β stay inside the unit circle for η·λmax < 2(1 + β).")


@checker
def check_polyak_best(polyak_best) -> None:
    """polyak_best(lambda_min, lambda_max) = (4/(√L + √μ)², ((√κ − 1)/(√κ + 1))²), κ = L/μ: Polyak's heavy ball."""
    __tracebackhide__ = True
    cases = [
        Case("λmin = 1, λmax = 100", {"lambda_min": 1.0, "lambda_max": 100.0}),
        Case("λmin = 1, λmax = 400", {"lambda_min": 1.0, "lambda_max": 400.0}),
        Case("λmin = 0.5, λmax = 8", {"lambda_min": 0.5, "lambda_max": 8.0}),
        Case("λmin = 0.3, λmax = 7.1", {"lambda_min": 0.3, "lambda_max": 7.1}),
        Case("λmin = λmax", {"lambda_min": 2.0, "lambda_max": 2.0},
             hint="with κ = 1 no momentum is needed, β = 0, and η = 4/(2√λ)² = 1/λ lands on the minimum in "
                  "one step."),
    ]

    def settings(lr, beta):
        def answer(lambda_min, lambda_max):
            kappa = lambda_max / lambda_min
            return lr(lambda_min, lambda_max), beta(kappa)
        return answer

    polyak_lr = lambda mu, L: 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    rate = lambda kappa: (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    mistakes = [
        Mistake("β is the square of the rate: √β = (√κ − 1)/(√κ + 1), so β = ((√κ − 1)/(√κ + 1))². "
                "You returned the rate r = √β itself.", settings(polyak_lr, rate)),
        Mistake("use √κ, not κ: β = ((√κ − 1)/(√κ + 1))², with κ = λmax/λmin.",
                settings(polyak_lr, lambda kappa: ((kappa - 1) / (kappa + 1)) ** 2)),
        Mistake("(κ − 1)/(κ + 1) is gradient descent's rate; Polyak's β = ((√κ − 1)/(√κ + 1))².",
                settings(polyak_lr, lambda kappa: (kappa - 1) / (kappa + 1))),
        Mistake("(√L + √μ)² is not L + μ (it has the cross term 2√(Lμ)): η = 4/(√L + √μ)².",
                settings(lambda mu, L: 4 / (L + mu), lambda kappa: rate(kappa) ** 2)),
        Mistake("2/(λmin + λmax) is gradient descent's best step; the heavy ball's is η = 4/(√L + √μ)².",
                settings(lambda mu, L: 2 / (L + mu), lambda kappa: rate(kappa) ** 2)),
        Mistake("η = 4/(√L + √μ)²: did you forget to square the denominator?",
                settings(lambda mu, L: 4 / (np.sqrt(L) + np.sqrt(mu)), lambda kappa: rate(kappa) ** 2)),
        Mistake("those are Nesterov's best settings, η = 1/L and β = (√κ − 1)/(√κ + 1); the heavy ball's are "
                "η = 4/(√L + √μ)², β = ((√κ − 1)/(√κ + 1))².", settings(lambda mu, L: 1 / L, rate)),
        Mistake("return the two in the order (lr, beta).",
                lambda lambda_min, lambda_max: settings(polyak_lr, lambda kappa: rate(kappa) ** 2)(
                    lambda_min, lambda_max)[::-1]),
    ]

    def best(lambda_min, lambda_max):
        settings_ = theory.heavy_ball_best(lambda_min, lambda_max)
        return settings_.lr, settings_.beta

    compare("polyak_best", polyak_best, best, cases, mistakes,
            hidden=[(theory, "heavy_ball_best", "theory.heavy_ball_best")],
            hint="with κ = λmax/λmin: η = 4/(√λmax + √λmin)² and β = ((√κ − 1)/(√κ + 1))².")
