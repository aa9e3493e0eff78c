"""The checks of exercise 05: AdaGrad, RMSprop, AdaDelta.

The checkers of adagrad_step, rmsprop_step, adadelta_step, adagrad_step_sizes, adadelta_first_step.
Each is listed in `CHECKERS` by `@checker`, and `course_lib.checks` re-exports it.
"""

from __future__ import annotations

import numpy as np

from ..optim import AdaDelta, AdaGrad, RMSprop
from .machinery import Case, Mistake, _k_runs, _one_update, checker, compare

EXERCISE = "05"
TASKS = {"adagrad_step": 1, "rmsprop_step": 2, "adadelta_step": 3, "adagrad_step_sizes": 4, "adadelta_first_step": 4}  # the task of each checked function, for the messages


def _adagrad_step(theta, g, s, lr, eps):
    """The reference: one update of course_lib's AdaGrad."""
    return _one_update(AdaGrad(lr=lr, eps=eps), theta, g, s=s)


def _rmsprop_step(theta, g, v, lr, beta, eps):
    """The reference: one update of course_lib's RMSprop."""
    return _one_update(RMSprop(lr=lr, beta=beta, eps=eps), theta, g, v=v)


def _adadelta_step(theta, g, v, u, beta, eps):
    """The reference: one update of course_lib's AdaDelta, with η = 1 (the paper's, PyTorch's default)."""
    return _one_update(AdaDelta(lr=1.0, beta=beta, eps=eps), theta, g, v=v, u=u)


def _divided(accumulate, denominator="outside", old=False):
    """An AdaGrad/RMSprop-like step: a ← accumulate(a, g, β), θ − η g / denominator(a)."""
    denominators = {
        "outside": lambda a, eps: np.sqrt(a) + eps,
        "inside": lambda a, eps: np.sqrt(a + eps),
        "no eps": lambda a, eps: np.sqrt(a),
        "no root": lambda a, eps: a + eps,
        "global": lambda a, eps: np.sqrt(np.sum(a)) + eps,
    }

    def step(theta, g, a, lr, beta, eps):
        new_a = accumulate(a, g, beta)
        return theta - lr * g / denominators[denominator](a if old else new_a, eps), new_a
    return step


def _adagrad_mistake(accumulate, denominator="outside", old=False):
    step = _divided(lambda s, g, beta: accumulate(s, g), denominator, old)
    return lambda theta, g, s, lr, eps: step(theta, g, s, lr, None, eps)


_EPS_INSIDE = ("ε goes outside the square root here, as in PyTorch: g/(√{a} + ε), not g/√({a} + ε). (Keras and "
               "optax put it inside; the same ε then acts like √ε outside, lesson 05.)")
_EPS_MISSING = ("add ε to the denominator, g/(√{a} + ε): where g = 0 from {a} = 0 the step is otherwise 0/0 = NaN.")
_NO_ROOT = "divide by the square root of {a}: g/(√{a} + ε). Without the root the step depends on the size of g."
_GLOBAL = ("{name} works coordinate by coordinate: {a} holds one number per coordinate ({a} is updated with g**2, "
           "element-wise) and each coordinate is divided by its own √{a}. You divided by the norm of the whole "
           "gradient (np.sum, np.linalg.norm), which gives every coordinate the same step size.")
_SQUARES = ("the accumulator adds squares, g**2 element by element, not g: {a} measures the size of the "
            "gradients, whatever their sign.")


def _adaptive_cases(state: str, extra: dict) -> list:
    """The cases of AdaGrad's and RMSprop's steps; `extra` holds the other hyper-parameters by case."""
    rng = np.random.default_rng(7)
    return [
        Case("a 2-D step", {"theta": np.array([1.0, -2.0]), "g": np.array([0.5, -3.0]), state: np.array([1.0, 4.0]),
                            "lr": 0.1, **extra["ordinary"]}),
        Case(f"the first step, {state} = 0", {"theta": np.array([1.5, -2.0]), "g": np.array([2.0, -300.0]),
                                             state: np.zeros(2), "lr": 0.1, **extra["first"]},
             hint=extra["first hint"]),
        Case(f"a zero gradient from {state} = 0", {"theta": np.array([0.5, 0.5]), "g": np.array([0.0, 2.0]),
                                                  state: np.zeros(2), "lr": 0.1, **extra["ordinary"]},
             hint=f"where g = 0 and {state} = 0 the step is 0/(0 + ε) = 0: that coordinate must not move "
                  "(ε is what keeps this from 0/0)."),
        Case("a tiny gradient, where ε matters", {"theta": np.array([1.0, 1.0]), "g": np.array([1e-4, -3e-4]),
                                                  state: np.array([1e-8, 0.0]), "lr": 0.01, **extra["tiny"]}),
        Case("K = 3 runs, shape (3, 2)", {"theta": _k_runs(rng), "g": _k_runs(rng), state: _k_runs(rng, positive=True),
                                          "lr": np.array([[0.1], [0.01], [1.0]]), **extra["runs"]},
             hint="row k is its own run with its own hyper-parameters; numpy's element-wise arithmetic "
                  "broadcasts (3, 1) against (3, 2) by itself."),
        Case(f"shrinking gradients, a large {state}", {"theta": np.array([0.5, -1.5]), "g": np.array([0.01, -0.02]),
                                                     state: np.array([4.0, 9.0]), "lr": 0.1, **extra["ordinary"]}),
        Case("integer θ and g", {"theta": np.array([2, -1]), "g": np.array([3, 1]), state: np.array([1, 2]),
                                 "lr": 0.5, **extra["ordinary"]},
             hint="with integers in, θ and the state get fractions: compute new arrays, don't fill arrays made "
                  "like the integer inputs (np.zeros_like(theta))."),
    ]


@checker
def check_adagrad_step(adagrad_step) -> None:
    """adagrad_step(theta, g, s, lr, eps) = (θ − η g/(√s' + ε), s') with s' = s + g², element-wise."""
    __tracebackhide__ = True
    cases = _adaptive_cases("s", {
        "ordinary": {"eps": 1e-10}, "first": {"eps": 1e-10}, "tiny": {"eps": 1e-4}, "runs": {"eps": 1e-10},
        "first hint": "from s = 0: s = g², so the first step is η·g/(|g| + ε), η·sign(g) in every coordinate "
                      "whatever the size of g."})
    sums = lambda s, g: s + g**2
    averaged = ("AdaGrad sums, s ← s + g²: every past g² keeps its full weight, which is why its steps decay like "
                "η/√t. An average forgets (that is RMSprop, task 2).")
    mistakes = [
        Mistake(_EPS_INSIDE.format(a="s"), _adagrad_mistake(sums, "inside")),
        Mistake(_EPS_MISSING.format(a="s"), _adagrad_mistake(sums, "no eps")),
        Mistake("use the eps you are given: you used ε = 1e-10 whatever the argument says.",
                lambda theta, g, s, lr, eps: _adagrad_step(theta, g, s, lr, 1e-10)),
        Mistake(_NO_ROOT.format(a="s"), _adagrad_mistake(sums, "no root")),
        Mistake(_SQUARES.format(a="s"), _adagrad_mistake(lambda s, g: s + g)),
        Mistake(_SQUARES.format(a="s"), _adagrad_mistake(lambda s, g: s + np.abs(g))),
        Mistake(averaged, _adagrad_mistake(lambda s, g: (s + g**2) / 2)),
        Mistake(averaged, _adagrad_mistake(lambda s, g: 0.9 * s + 0.1 * g**2)),
        Mistake(averaged, _adagrad_mistake(lambda s, g: 0.99 * s + 0.01 * g**2)),
        Mistake(_GLOBAL.format(name="AdaGrad", a="s"), _adagrad_mistake(lambda s, g: s + np.sum(g**2))),
        Mistake(_GLOBAL.format(name="AdaGrad", a="s"), _adagrad_mistake(sums, "global")),
        Mistake("update s first and use the new s in the step: from s = 0 the old s would divide g by ε alone.",
                _adagrad_mistake(sums, old=True)),
        Mistake("you stepped uphill: θ − η·g/(√s + ε), not θ + ….",
                lambda theta, g, s, lr, eps: (theta + lr * g / (np.sqrt(s + g**2) + eps), s + g**2)),
        Mistake("return the new s too, (θ', s') with s' = s + g²: the next step needs it.",
                lambda theta, g, s, lr, eps: (theta - lr * g / (np.sqrt(s + g**2) + eps), s)),
        Mistake("return (theta, s) in this order.",
                lambda theta, g, s, lr, eps: (s + g**2, theta - lr * g / (np.sqrt(s + g**2) + eps))),
    ]
    compare("adagrad_step", adagrad_step, _adagrad_step, cases, mistakes, hidden=[(AdaGrad, "rule", "AdaGrad")],
            hint="s' = s + g² (element-wise), then θ' = θ − η·g/(√s' + ε); return (θ', s').")


@checker
def check_rmsprop_step(rmsprop_step) -> None:
    """rmsprop_step(theta, g, v, lr, beta, eps) = (θ − η g/(√v' + ε), v') with v' = β v + (1 − β) g²."""
    __tracebackhide__ = True
    cases = _adaptive_cases("v", {
        "ordinary": {"beta": 0.9, "eps": 1e-8}, "first": {"beta": 0.99, "eps": 1e-8},
        "tiny": {"beta": 0.9, "eps": 1e-5}, "runs": {"beta": np.array([[0.9], [0.99], [0.0]]), "eps": 1e-8},
        "first hint": "RMSprop has no bias correction: from v = 0, v = (1 − β)g², so the first step is "
                      "η/√(1 − β) per coordinate (10η for β = 0.99)."})
    ema = lambda v, g, beta: beta * v + (1 - beta) * g**2
    mistakes = [
        Mistake("did you forget (1 − β)? The new g² enters with the weight 1 − β: v ← βv + (1 − β)g².",
                _divided(lambda v, g, beta: beta * v + g**2)),
        Mistake("β and 1 − β are swapped: v ← βv + (1 − β)g² keeps the fraction β of the old v.",
                _divided(lambda v, g, beta: (1 - beta) * v + beta * g**2)),
        Mistake(_EPS_INSIDE.format(a="v"), _divided(ema, "inside")),
        Mistake(_EPS_MISSING.format(a="v"), _divided(ema, "no eps")),
        Mistake(_NO_ROOT.format(a="v"), _divided(ema, "no root")),
        Mistake(_SQUARES.format(a="v") + " RMSprop averages g², not g: it is not momentum.",
                _divided(lambda v, g, beta: beta * v + (1 - beta) * g)),
        Mistake(_SQUARES.format(a="v"), _divided(lambda v, g, beta: beta * v + (1 - beta) * np.abs(g))),
        Mistake("use the eps you are given: you used ε = 1e-8 whatever the argument says.",
                lambda theta, g, v, lr, beta, eps: _rmsprop_step(theta, g, v, lr, beta, 1e-8)),
        Mistake("v ← max(v, βv + (1 − β)g²) keeps the largest average (AMSGrad's idea); RMSprop's v is the plain "
                "moving average, which shrinks when the gradients do.",
                _divided(lambda v, g, beta: np.maximum(v, beta * v + (1 - beta) * g**2))),
        Mistake("this is AdaGrad's sum, v ← v + g². RMSprop takes the moving average v ← βv + (1 − β)g², which "
                "forgets old gradients.", _divided(lambda v, g, beta: v + g**2)),
        Mistake(_GLOBAL.format(name="RMSprop", a="v"),
                _divided(lambda v, g, beta: beta * v + (1 - beta) * np.sum(g**2))),
        Mistake(_GLOBAL.format(name="RMSprop", a="v"), _divided(ema, "global")),
        Mistake("update v first and use the new v in the step: from v = 0 the old v would divide g by ε alone.",
                _divided(ema, old=True)),
        Mistake("you stepped uphill: θ − η·g/(√v + ε), not θ + ….",
                lambda theta, g, v, lr, beta, eps: (2 * theta - _rmsprop_step(theta, g, v, lr, beta, eps)[0],
                                                    ema(v, g, beta))),
        Mistake("return the new v too, (θ', v') with v' = βv + (1 − β)g²: the next step needs it.",
                lambda theta, g, v, lr, beta, eps: (_rmsprop_step(theta, g, v, lr, beta, eps)[0], v)),
        Mistake("return (theta, v) in this order.",
                lambda theta, g, v, lr, beta, eps: _rmsprop_step(theta, g, v, lr, beta, eps)[::-1]),
    ]
    compare("rmsprop_step", rmsprop_step, _rmsprop_step, cases, mistakes, hidden=[(RMSprop, "rule", "RMSprop")],
            hint="v' = β·v + (1 − β)·g² (element-wise), then θ' = θ − η·g/(√v' + ε); return (θ', v').")


def _adadelta_variant(*, keep_v=lambda beta: beta, add_v=lambda beta: 1 - beta, add_u=lambda beta: 1 - beta,
                      eps_outside=False, old_v=False, u_of_g=False, inverted=False, sign=-1.0):
    def step(theta, g, v, u, beta, eps):
        new_v = keep_v(beta) * v + add_v(beta) * g**2
        used_v = v if old_v else new_v
        if eps_outside:
            delta = (np.sqrt(u) + eps) / (np.sqrt(used_v) + eps) * g
        elif inverted:
            delta = np.sqrt(used_v + eps) / np.sqrt(u + eps) * g
        else:
            delta = np.sqrt(u + eps) / np.sqrt(used_v + eps) * g
        new_u = beta * u + add_u(beta) * (g**2 if u_of_g else delta**2)
        return theta + sign * delta, new_v, new_u
    return step


@checker
def check_adadelta_step(adadelta_step) -> None:
    """adadelta_step(theta, g, v, u, beta, eps) = (θ − Δ, v', u'): v' = βv + (1−β)g², Δ = √(u+ε)/√(v'+ε)·g,
    u' = βu + (1−β)Δ²."""
    __tracebackhide__ = True
    rng = np.random.default_rng(8)
    cases = [
        Case("a 2-D step", {"theta": np.array([1.0, -2.0]), "g": np.array([0.5, -3.0]), "v": np.array([0.2, 4.0]),
                            "u": np.array([1e-4, 4e-4]), "beta": 0.9, "eps": 1e-6}),
        Case("the first step, v = u = 0", {"theta": np.zeros(4), "g": np.array([0.01, 1.0, 100.0, -1e4]),
                                           "v": np.zeros(4), "u": np.zeros(4), "beta": 0.9, "eps": 1e-6},
             hint="from v = u = 0 the first step is Δ = √ε/√((1 − β)g² + ε)·g, about √(ε/(1 − β)) per "
                  "coordinate whatever the size of g."),
        Case("a zero gradient", {"theta": np.array([0.5, 0.5]), "g": np.array([0.0, 2.0]), "v": np.array([1.0, 1.0]),
                                 "u": np.array([0.01, 0.01]), "beta": 0.9, "eps": 1e-6},
             hint="where g = 0, Δ = 0: θ does not move there, and v and u fade by the factor β."),
        Case("β = 0.95, ε = 1e-4", {"theta": np.array([1.0, 1.0]), "g": np.array([0.3, -0.02]),
                                    "v": np.array([0.1, 0.001]), "u": np.array([0.002, 0.0]),
                                    "beta": 0.95, "eps": 1e-4}),
        Case("K = 3 runs, shape (3, 2)", {"theta": _k_runs(rng), "g": _k_runs(rng), "v": _k_runs(rng, positive=True),
                                          "u": _k_runs(rng, positive=True) / 100,
                                          "beta": np.array([[0.9], [0.99], [0.5]]), "eps": 1e-6},
             hint="row k is its own run with its own β; numpy's element-wise arithmetic broadcasts (3, 1) "
                  "against (3, 2) by itself."),
    ]
    mistakes = [
        Mistake("ε goes inside both roots here, Δ = √(u + ε)/√(v + ε)·g, as in Zeiler's paper and PyTorch: with "
                "u = 0 at the start, √(u + ε) is what makes the first step nonzero.",
                _adadelta_variant(eps_outside=True)),
        Mistake("update v first and use the new v in Δ: from v = u = 0 the old v makes the first step g itself, "
                "whatever its size.", _adadelta_variant(old_v=True)),
        Mistake("u is the moving average of the squared steps Δ², not of g²: u ← βu + (1 − β)Δ², after Δ.",
                _adadelta_variant(u_of_g=True)),
        Mistake("the ratio is upside down: Δ = √(u + ε)/√(v + ε)·g, the root of the average squared step over "
                "the root of the average squared gradient.", _adadelta_variant(inverted=True)),
        Mistake("did you forget (1 − β) in v? v ← βv + (1 − β)g².", _adadelta_variant(add_v=lambda beta: 1.0)),
        Mistake("did you forget (1 − β) in u? u ← βu + (1 − β)Δ².", _adadelta_variant(add_u=lambda beta: 1.0)),
        Mistake("β and 1 − β are swapped in v: v ← βv + (1 − β)g².",
                _adadelta_variant(keep_v=lambda beta: 1 - beta, add_v=lambda beta: beta)),
        Mistake("you stepped uphill: θ − Δ, not θ + Δ.", _adadelta_variant(sign=1.0)),
        Mistake("return (theta, v, u) in this order.",
                lambda *args: (lambda theta, v, u: (theta, u, v))(*_adadelta_step(*args))),
    ]
    compare("adadelta_step", adadelta_step, _adadelta_step, cases, mistakes, hidden=[(AdaDelta, "rule", "AdaDelta")],
            hint="v' = β·v + (1 − β)·g², Δ = √(u + ε)/√(v' + ε)·g, u' = β·u + (1 − β)·Δ², "
                 "θ' = θ − Δ; return (θ', v', u').")


def _constant_gradient_steps(optimizer, g, steps):
    """|Δθ| of each of `steps` updates of `optimizer` fed the gradient g every time, from θ = 0."""
    g = np.asarray(g, dtype=float)
    theta = np.zeros_like(g)
    state, sizes = optimizer.init(theta), []
    for _ in range(steps):
        new_theta, state = optimizer.update(theta, g, state)
        sizes.append(np.abs(new_theta - theta))
        theta = new_theta
    return np.array(sizes).reshape((steps, *g.shape))


@checker
def check_adagrad_step_sizes(adagrad_step_sizes) -> None:
    """adagrad_step_sizes(g, lr, steps, eps): |Δθ_t|, t = 1 … steps, of AdaGrad fed the same g; (steps, *g.shape)."""
    __tracebackhide__ = True
    rng = np.random.default_rng(9)
    cases = [
        Case("g = (0.01, 100), 10 steps", {"g": np.array([0.01, 100.0]), "lr": 0.3, "steps": 10, "eps": 1e-10}),
        Case("one step", {"g": np.array([-2.0, 5.0]), "lr": 0.1, "steps": 1, "eps": 1e-10},
             hint="the first step is η·|g|/(|g| + ε) ≈ η in every coordinate."),
        Case("a zero coordinate", {"g": np.array([0.0, 1.5]), "lr": 0.5, "steps": 5, "eps": 1e-10},
             hint="where g = 0 AdaGrad does not move: measure the steps your adagrad_step takes; η/√t is what "
                  "they come close to, not what they are."),
        Case("a tiny gradient, where ε matters", {"g": np.array([3e-9, 1.0]), "lr": 0.1, "steps": 4, "eps": 1e-9},
             hint="measure the steps your adagrad_step takes: with |g| near ε the step is η·|g|/(√t·|g| + ε), "
                  "less than η/√t."),
        Case("g of shape (2, 3)", {"g": rng.standard_normal((2, 3)).round(2), "lr": 0.2, "steps": 3, "eps": 1e-10},
             hint="return one size per coordinate and step: an array of shape (steps, *g.shape)."),
        Case("integer g, 200 steps", {"g": np.array([2, -3]), "lr": 0.5, "steps": 200, "eps": 1e-10},
             hint="start from θ = np.zeros(g.shape) (floats): θ made like an integer g (np.zeros_like(g)) keeps "
                  "only whole numbers, and the measured steps come out wrong."),
    ]

    def sizes(g, lr, steps, eps):
        return _constant_gradient_steps(AdaGrad(lr=lr, eps=eps), g, steps)

    def per_step(values, g):
        return values.reshape((-1,) + (1,) * np.ndim(g))

    mistakes = [
        Mistake("return the sizes |Δθ| (np.abs): the steps go against g, so θ_t − θ_{t−1} is negative where g > 0.",
                lambda g, lr, steps, eps: -np.sign(g) * sizes(g, lr, steps, eps)),
        Mistake("measure the steps your adagrad_step takes (run it and take |θ_t − θ_{t−1}|): η/√t is what they "
                "come close to, but a zero gradient (no step) and a gradient near ε make the difference.",
                lambda g, lr, steps, eps: lr / per_step(np.sqrt(np.arange(1, steps + 1)), g) * np.ones(np.shape(g))),
        Mistake("keep s from one step to the next: started from s = 0 every time, each step is the first one, η.",
                lambda g, lr, steps, eps: np.array([sizes(g, lr, 1, eps)[0]] * steps)),
        Mistake("return the step sizes |θ_t − θ_{t−1}|, not the points θ_t.",
                lambda g, lr, steps, eps: -np.sign(g) * np.cumsum(sizes(g, lr, steps, eps), axis=0)),
        Mistake("return the step sizes |θ_t − θ_{t−1}|, not the distance travelled so far.",
                lambda g, lr, steps, eps: np.cumsum(sizes(g, lr, steps, eps), axis=0)),
        Mistake("off by one: `steps` updates, steps t = 1 … steps, give `steps` sizes (range(steps)).",
                lambda g, lr, steps, eps: sizes(g, lr, steps + 1, eps)),
    ]
    compare("adagrad_step_sizes", adagrad_step_sizes, sizes, cases, mistakes, hidden=[(AdaGrad, "rule", "AdaGrad")],
            hint="from θ = 0 and s = 0, call adagrad_step `steps` times with the same g and keep |θ_new − θ| "
                 "each time.")


@checker
def check_adadelta_first_step(adadelta_first_step) -> None:
    """adadelta_first_step(g, beta, eps) = |Δ₁| = √ε/√((1 − β)g² + ε)·|g|, per coordinate."""
    __tracebackhide__ = True
    cases = [
        Case("scales 10⁻² … 10⁴", {"g": np.array([1e-2, 1.0, 1e2, 1e4]), "beta": 0.9, "eps": 1e-6}),
        Case("negative gradients", {"g": np.array([-0.01, -3.0]), "beta": 0.9, "eps": 1e-6},
             hint="a size is never negative: |Δ₁|."),
        Case("a zero gradient", {"g": np.array([0.0, 2.0]), "beta": 0.9, "eps": 1e-6},
             hint="where g = 0 there is no step: Δ₁ = 0."),
        Case("β = 0.99, ε = 1e-4", {"g": np.array([0.5, 50.0]), "beta": 0.99, "eps": 1e-4}),
        Case("integer g, ε = 0.5", {"g": np.array([1, -2, 0]), "beta": 0.8, "eps": 0.5},
             hint="start from θ = np.zeros(g.shape) (floats): θ made like an integer g (np.zeros_like(g)) keeps "
                  "only whole numbers."),
    ]

    def first(g, beta, eps):
        return _constant_gradient_steps(AdaDelta(lr=1.0, beta=beta, eps=eps), g, 1)[0]

    mistakes = [
        Mistake("√(ε/(1 − β)) is the approximation for (1 − β)g² ≫ ε; measure the step itself, one "
                "adadelta_step from v = u = 0 (it is smaller for small g, and 0 where g = 0).",
                lambda g, beta, eps: np.sqrt(eps / (1 - beta)) * np.ones(np.shape(g))),
        Mistake("return the size |Δ₁| (np.abs): the step goes against g.",
                lambda g, beta, eps: -np.sign(g) * first(g, beta, eps)),
        Mistake("a step of |g|: your adadelta_step divides by the old v (0), √(u + ε)/√(0 + ε) = 1. Update v first.",
                lambda g, beta, eps: np.abs(np.asarray(g, dtype=float))),
        Mistake("ε goes inside both roots, Δ = √(u + ε)/√(v + ε)·g; with ε outside, the first step from u = 0 "
                "is almost nothing.",
                lambda g, beta, eps: np.abs(eps / (np.sqrt((1 - beta) * np.asarray(g) ** 2) + eps) * np.asarray(g))),
    ]
    compare("adadelta_first_step", adadelta_first_step, first, cases, mistakes,
            hidden=[(AdaDelta, "rule", "AdaDelta")],
            hint="one adadelta_step from θ = 0, v = u = 0 with the given g, β, ε; return |θ₁ − θ₀|.")
