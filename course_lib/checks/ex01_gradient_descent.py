"""The checks of exercise 01: gradient descent.

The checkers of gd_step, gradient_descent, lr_limit_and_best. Each is listed in `CHECKERS` by
`@checker`, and `course_lib.checks` re-exports it.
"""

from __future__ import annotations

import numpy as np

from .. import optim, theory
from ..data import LinearRegression, linear_data
from ..optim import SGD
from ..problems import Quadratic
from .machinery import Case, Mistake, _named, checker, compare

EXERCISE = "01"
TASKS = {"gd_step": 1, "gradient_descent": 2, "lr_limit_and_best": 3}  # the task of each checked function, for the messages


def _gd_step(theta, grad, lr):
    """The reference: one update of course_lib's SGD."""
    optimizer = SGD(lr=lr)
    return optimizer.update(theta, grad, optimizer.init(theta))[0]


@checker
def check_gd_step(gd_step) -> None:
    """gd_step(theta, grad, lr) = θ − η g, a new array, for any shape (also (K, d) with lr (K, 1))."""
    __tracebackhide__ = True
    rng = np.random.default_rng(1)
    cases = [
        Case("a 2-D step", {"theta": np.array([1.0, -2.0]), "grad": np.array([0.5, -3.0]), "lr": 0.1}),
        Case("zero gradient", {"theta": np.array([0.3, 0.7]), "grad": np.zeros(2), "lr": 0.5},
             hint="where the gradient is zero, gradient descent does not move: θ − η·0 = θ."),
        Case("1-D", {"theta": np.array([2.0]), "grad": np.array([4.0]), "lr": 0.25}),
        Case("K = 3 runs, shape (3, 2)",
             {"theta": rng.standard_normal((3, 2)), "grad": rng.standard_normal((3, 2)),
              "lr": np.array([[0.1], [0.01], [1.0]])},
             hint="row k is its own run with its own lr[k]; θ − η g broadcasts (3, 1) against (3, 2) by itself."),
        Case("integer θ and g", {"theta": np.array([3, -2]), "grad": np.array([1, 5]), "lr": 0.25},
             hint="θ − η g of integer arrays is a float array; an array made with np.empty_like(theta) or "
                  "np.zeros_like(theta) would be an integer one, and cut off the fractions."),
    ]
    mistakes = [
        Mistake("you stepped uphill: gradient descent goes against the gradient, θ − η g (not θ + η g).",
                lambda theta, grad, lr: theta + lr * grad),
        Mistake("the learning rate is missing: the step is η g, θ − η g.",
                lambda theta, grad, lr: theta - grad),
        Mistake("you returned the step η g; return the new parameters θ − η g.",
                lambda theta, grad, lr: lr * grad),
        Mistake("you returned the step −η g; return the new parameters θ − η g.",
                lambda theta, grad, lr: -lr * grad),
    ]
    compare("gd_step", gd_step, lambda theta, grad, lr: _gd_step(np.asarray(theta, dtype=float), grad, lr), cases,
            mistakes, hint="one step of gradient descent is θ − η g.", hidden=[(optim.SGD, "rule", "SGD")])


def _gradient_descent(grad_fn, theta0, lr, steps):
    """The reference: `steps` updates of course_lib's SGD; θ_0 … θ_steps stacked."""
    optimizer = SGD(lr=lr)
    theta = np.asarray(theta0, dtype=float)
    state = optimizer.init(theta)
    path = [theta]
    for _ in range(steps):
        theta, state = optimizer.update(theta, grad_fn(theta), state)
        path.append(theta)
    return np.array(path)


def _gradient_at_start_only(grad_fn, theta0, lr, steps):
    g0 = grad_fn(np.asarray(theta0, dtype=float))
    return np.array([theta0 - t * lr * g0 for t in range(steps + 1)])


@checker
def check_gradient_descent(gradient_descent) -> None:
    """gradient_descent(grad_fn, theta0, lr, steps) = [θ_0, θ_1, …, θ_steps], shape (steps + 1, *θ_0.shape)."""
    __tracebackhide__ = True
    ravine = Quadratic([1.0, 10.0])
    parabola = Quadratic([4.0])
    ravine_gradient = _named(ravine.grad, "gradient of f(θ) = ½(θ₁² + 10·θ₂²)")
    parabola_gradient = _named(parabola.grad, "gradient of f(x) = 2x²")
    cases = [
        Case("5 steps on a ravine", {"grad_fn": ravine_gradient, "theta0": np.array([-1.5, 1.0]), "lr": 0.1,
                                     "steps": 5}),
        Case("steps = 0", {"grad_fn": ravine_gradient, "theta0": np.array([-1.5, 1.0]), "lr": 0.1, "steps": 0},
             hint="with no steps the path is just the start: an array of shape (1, d) holding θ₀."),
        Case("steps = 1", {"grad_fn": ravine_gradient, "theta0": np.array([-1.5, 1.0]), "lr": 0.1, "steps": 1}),
        Case("1-D, oscillating", {"grad_fn": parabola_gradient, "theta0": np.array([1.0]), "lr": 0.45, "steps": 8}),
        Case("zero gradient (start at the minimum)",
             {"grad_fn": ravine_gradient, "theta0": np.zeros(2), "lr": 0.1, "steps": 3}),
        Case("K = 3 starts, shape (3, 2)",
             {"grad_fn": ravine_gradient, "theta0": np.array([[-1.5, 1.0], [1.0, 1.0], [0.5, -0.5]]),
              "lr": np.array([[0.05], [0.1], [0.19]]), "steps": 4},
             hint="the iterates then have shape (steps + 1, 3, 2); np.array(list_of_iterates) stacks them."),
        Case("an integer start, 40 steps", {"grad_fn": ravine_gradient, "theta0": np.array([3, -2]), "lr": 0.15,
                                            "steps": 40},
             hint="start from a float copy, np.array(theta0, dtype=float): an array made like an integer θ₀ "
                  "(np.zeros_like, np.empty_like) cuts every later point to a whole number."),
    ]
    mistakes = [
        Mistake("the path starts with θ₀: return θ₀, θ₁, …, θ_steps, that is steps + 1 points.",
                lambda grad_fn, theta0, lr, steps: _gradient_descent(grad_fn, theta0, lr, steps)[1:]),
        Mistake("every row is the same array: you appended θ and then changed it in place (θ -= …), which "
                "changes what you appended too. Make a new array each step: θ = θ − η g.",
                lambda grad_fn, theta0, lr, steps: np.array(
                    [_gradient_descent(grad_fn, theta0, lr, steps)[-1]] * (steps + 1))),
        Mistake("take the gradient at the current point θ_{t−1} in every step, not always at θ₀.",
                _gradient_at_start_only),
        Mistake("off by one: `steps` updates give steps + 1 points, θ₀ … θ_steps (range(steps), not range(steps + 1)).",
                lambda grad_fn, theta0, lr, steps: _gradient_descent(grad_fn, theta0, lr, steps + 1)),
        Mistake("return the whole path θ₀ … θ_steps, not only the last point.",
                lambda grad_fn, theta0, lr, steps: _gradient_descent(grad_fn, theta0, lr, steps)[-1]),
    ]
    compare("gradient_descent", gradient_descent, _gradient_descent, cases, mistakes,
            hint="θ_t = θ_{t−1} − η ∇f(θ_{t−1}) for t = 1 … steps; return all the points, θ₀ first.",
            hidden=[(optim.SGD, "rule", "SGD")])


def _limit_and_best(hessian):
    """(2/λmax, 2/(λmin + λmax)) from course_lib.theory."""
    eigenvalues = np.linalg.eigvalsh(hessian)
    return theory.gd_lr_limit(eigenvalues[-1]), theory.gd_best(eigenvalues[0], eigenvalues[-1]).lr


@checker
def check_lr_limit_and_best(lr_limit_and_best) -> None:
    """lr_limit_and_best(hessian) = (2/λmax, 2/(λmin + λmax)) for a symmetric positive definite Hessian."""
    __tracebackhide__ = True
    rotation, _ = np.linalg.qr(np.random.default_rng(3).standard_normal((3, 3)))
    x, y = linear_data(100, np.random.default_rng(0))
    cases = [
        Case("λ = 1 and 10", {"hessian": Quadratic([1.0, 10.0]).hessian}),
        Case("turned by 30°", {"hessian": Quadratic([1.0, 10.0], angle=30).hessian}),
        Case("3-D, turned", {"hessian": Quadratic([0.5, 2.0, 8.0], rotation=rotation).hessian}),
        Case("1-D", {"hessian": np.array([[4.0]])},
             hint="in 1-D, λmin = λmax = λ: the limit is 2/λ and the best step 1/λ (the minimum in one step)."),
        Case("λmin = λmax", {"hessian": 3.0 * np.eye(2)}),
        Case("a linear regression", {"hessian": LinearRegression(x, y).hessian}),
    ]

    def eigenvalues_of(function):
        def answer(hessian):
            eigenvalues = np.linalg.eigvalsh(hessian)
            return function(eigenvalues[0], eigenvalues[-1])
        return answer

    def diagonal_of(hessian):
        diagonal = np.diag(hessian)
        return 2 / diagonal.max(), 2 / (diagonal.min() + diagonal.max())

    mistakes = [
        Mistake("the stability limit is 2/λmax. The step 1/λmax (1/L in proofs) is safe, but only half the limit.",
                eigenvalues_of(lambda low, high: (1 / high, 2 / (low + high)))),
        Mistake("the limit comes from the largest eigenvalue. np.linalg.eigvalsh returns the eigenvalues in "
                "increasing order: λmin = eigenvalues[0], λmax = eigenvalues[-1].",
                eigenvalues_of(lambda low, high: (2 / low, 2 / (low + high)))),
        Mistake("use the eigenvalues of H (np.linalg.eigvalsh), not its diagonal: they differ as soon as the "
                "ravine is turned.", diagonal_of),
        Mistake("1/λmax solves the steepest direction in one step, but the gentle one crawls. The best constant "
                "step balances both ends: 2/(λmin + λmax).",
                eigenvalues_of(lambda low, high: (2 / high, 1 / high))),
        Mistake("the best step is 2/(λmin + λmax): did you forget the 2?",
                eigenvalues_of(lambda low, high: (2 / high, 1 / (low + high)))),
        Mistake("return the two in the order (limit, best).",
                eigenvalues_of(lambda low, high: (2 / (low + high), 2 / high))),
    ]
    compare("lr_limit_and_best", lr_limit_and_best, _limit_and_best, cases, mistakes,
            hidden=[(theory, "gd_lr_limit", "theory.gd_lr_limit"), (theory, "gd_best", "theory.gd_best")],
            hint="with λmin, λmax the smallest and largest eigenvalues of H: limit 2/λmax, best step 2/(λmin + λmax).")
