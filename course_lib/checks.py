r"""The checks of the exercises: your function against the course's reference, case by case.

Each ``check_<name>(your_function)`` calls your function on a few cases, the ordinary one first,
then the edge cases where mistakes show (t = 1, β = 0, zero gradients, K runs at once as a (K, d)
array), and compares every answer with the reference in `course_lib`. When all agree it prints
one line that starts with ✓. At the first answer that differs it raises an AssertionError that
says which case, what was expected, what your function returned, and a hint. The hint comes from
comparing your answer with the answers of typical mistakes: an EMA that equals the EMA without
the factor (1 − β) gets the hint for exactly that.

    >>> import numpy as np
    >>> from course_lib import checks
    >>> def ema(xs, beta):
    ...     averages, a = [], 0.0
    ...     for x in xs:
    ...         a = beta * a + x                  # (1 − β) forgotten
    ...         averages.append(a)
    ...     return np.array(averages)
    >>> checks.check_ema(ema)
    Traceback (most recent call last):
    ...
    AssertionError: ema is not right yet: case 1 of 6, a constant series
      your call: ema([10., 10., 10., 10.], 0.9)
      expected:  [1. , 1.9 , 2.71 , 3.439]
      got:       [10. , 19. , 27.1 , 34.39]
      first difference at index [0]: expected 1, got 10
    Hint: did you forget (1 − β)? The new value enters with the weight 1 − β: a ← β·a + (1 − β)·x.

A function that still raises NotImplementedError (the stub of an exercise) is simply not written
yet: that error passes through unchanged, so "not done" and "wrong" never look alike.

A checker for a new exercise is a list of `Case`s, a reference, the typical `Mistake`s with their
hints, and one call of `compare` (exercises/README.md shows how).
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from . import nn, schedules, theory
from .averages import effective_window as _effective_window
from .averages import ema as _ema
from .averages import ema_weights
from .data import LinearRegression, linear_data, load_digits, mean_squared_error_gradient
from .data import minibatches as _minibatches
from .optim import SGD, AdaDelta, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSprop
from .problems import Quadratic, Rosenbrock
from .run import run as _run

__all__ = ["Case", "Mistake", "Batches", "compare", "fail", "checker", "CHECKERS",
           "check_gd_step", "check_gradient_descent", "check_lr_limit_and_best",
           "check_minibatches", "check_minibatch_gradient", "check_sgd_epoch",
           "check_ema", "check_effective_window", "check_weight_of_newest", "check_ema_bias_corrected",
           "check_smooth_losses",
           "check_momentum_step", "check_momentum_step_ema", "check_sum_form_lr", "check_nesterov_step",
           "check_momentum_lr_limit", "check_polyak_best",
           "check_adagrad_step", "check_rmsprop_step", "check_adadelta_step", "check_adagrad_step_sizes",
           "check_adadelta_first_step",
           "check_adam_step", "check_train_adam", "check_adamw_step", "check_adam_l2_step",
           "check_step_decay_lr", "check_cosine_lr", "check_warmup_lr", "check_run_lrs", "check_noise_floor",
           "check_annealed_schedule", "check_range_test_lr",
           "check_softmax", "check_softmax_cross_entropy", "check_dense_backward", "check_relu_backward",
           "check_mlp_loss_and_grads", "check_numerical_derivative", "check_clip_by_global_norm",
           "check_train_step"]

RTOL, ATOL = 1e-6, 1e-10  # agreement up to round-off, whatever order the learner adds things in
SHOWN = 12                # arrays up to this size are shown whole in the messages, larger ones cut


# -- the machinery ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One call of the learner's function.

    label: a few words for the messages ("t = 1", "β = 0", "K = 3 runs at once").
    args:  the arguments by name, in the order of the function's parameters (it is called with
           them positionally, so the learner may rename the parameters). Every call gets fresh
           copies of the arrays, and `Batches` become a new one-shot iterator.
    hint:  what to say when this case fails and no typical mistake explains the answer.
    """

    label: str
    args: dict
    hint: str = ""


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: a function with the reference's parameters that returns what the
    mistaken code would return, and the hint that fixes that mistake."""

    hint: str
    answer: Callable


class Batches:
    """Mini-batches given to a function as a one-shot iterator, as `minibatches` gives them."""

    def __init__(self, batches):
        self.batches = [tuple(np.array(part) for part in batch) for batch in batches]

    def fresh(self):
        return (tuple(part.copy() for part in batch) for batch in self.batches)

    def __repr__(self) -> str:
        sizes = ", ".join(str(len(batch[0])) for batch in self.batches)
        return f"minibatches(...) (an iterator over {len(self.batches)} batches of sizes {sizes})"


def _fresh(args: dict) -> dict:
    """New copies of every array (a mistake must not spoil the next call), new iterators."""
    return {name: value.fresh() if isinstance(value, Batches) else
            value.copy() if isinstance(value, np.ndarray) else value for name, value in args.items()}


def _show(value) -> str:
    """A short, readable text for an argument or an answer."""
    if isinstance(value, Batches):
        return repr(value)
    if value is None or isinstance(value, (str, bool)):
        return repr(value)
    if callable(value):
        return getattr(value, "__name__", "a function")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {_show(item)}" for key, item in value.items()) + "}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(item) for item in value) + ")"
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return f"a {type(value).__name__}"
    if array.ndim == 0:
        return f"{float(array):.6g}"
    text = np.array2string(array, precision=4, separator=", ", threshold=SHOWN, edgeitems=2)
    text = " ".join(text.split())  # one line
    return text if array.size <= SHOWN else f"array of shape {array.shape}: {text}"


def _as_array(value):
    """`value` as a float array, or None when it is not numbers (None, a generator, ...)."""
    try:
        return None if value is None else np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def _same(got, expected, equal_nan: bool = False) -> bool:
    """Whether `got` equals `expected` up to round-off: arrays, numbers, tuples and dicts of them."""
    if isinstance(expected, dict):
        return (isinstance(got, dict) and got.keys() == expected.keys()
                and all(_same(got[key], expected[key], equal_nan) for key in expected))
    if isinstance(expected, tuple):
        return (isinstance(got, (tuple, list, np.ndarray)) and len(got) == len(expected)
                and all(_same(g, e, equal_nan) for g, e in zip(got, expected)))
    got_array, expected_array = _as_array(got), np.asarray(expected, dtype=float)
    if got_array is None or got_array.shape != expected_array.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.allclose(got_array, expected_array, rtol=RTOL, atol=ATOL, equal_nan=equal_nan))


def _differences(got, expected, what: str = "") -> list[str]:
    """Lines that say where `got` differs from `expected`, beyond the values themselves."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"expected a dict with the keys {sorted(expected)}, got {_show(got)}"]
        if got.keys() != expected.keys():
            return [f"expected the keys {sorted(expected)}, got {sorted(got)}"]
        return [line for key in expected for line in _differences(got[key], expected[key], f"[{key!r}]: ")]
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list, np.ndarray)) or len(got) != len(expected):
            return [f"expected {len(expected)} values, {_show(expected)}; got {_show(got)}"]
        return [line for index, (g, e) in enumerate(zip(got, expected))
                for line in _differences(g, e, f"value {index + 1} of {len(expected)}: ")]
    if got is None:
        return [f"{what}your function returned None: did you forget the `return`?"]
    got_array, expected_array = _as_array(got), np.asarray(expected, dtype=float)
    if got_array is None:
        return [f"{what}expected numbers (an array), got a {type(got).__name__}"]
    if got_array.shape != expected_array.shape:
        return [f"{what}expected shape {expected_array.shape}, got shape {got_array.shape}"]
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.isclose(got_array, expected_array, rtol=RTOL, atol=ATOL)
    if close.all() or (expected_array.ndim == 0 and not what):  # a single number: expected and got say it all
        return []
    if expected_array.ndim == 0:
        return [f"{what}expected {float(expected_array):.6g}, got {float(got_array):.6g}"]
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    return [f"{what}first difference at index {list(index)}: "
            f"expected {expected_array[index]:.6g}, got {got_array[index]:.6g}"]


def fail(name: str, where: str, lines: list[str], hint: str = "") -> None:
    """Raise the AssertionError of a check: what, where, the facts (expected, got), and a hint."""
    message = f"{name} is not right yet: {where}"
    message += "".join(f"\n  {line}" for line in lines)
    if hint:
        message += f"\nHint: {hint}"
    failure = AssertionError(message)
    failure.from_check = True  # `checker` shows it without the checker's insides
    raise failure


CHECKERS: dict[str, Callable] = {}  # name -> check function of an exercise (the tests read this list)


def checker(check):
    """Make `check` a check of the exercises (and list it in CHECKERS), with short tracebacks.

    A learner reads what a check raises in the notebook, under the traceback. A failed check is
    re-raised from here, so that traceback is two frames (their cell, this function) instead of
    the checker's insides. Errors from the learner's own code pass through unchanged, and the
    checker's frames on their way hide themselves: IPython (like pytest) skips every frame that
    sets ``__tracebackhide__ = True``, so each checker's first line does.
    """
    @functools.wraps(check)
    def run(*functions):
        __tracebackhide__ = True
        try:
            return check(*functions)
        except AssertionError as failure:
            if not getattr(failure, "from_check", False):  # an assert in the learner's code: theirs to see
                raise
            message = str(failure)
        raise AssertionError(message)

    CHECKERS[check.__name__] = run
    return run


def _add_note(error: BaseException, note: str) -> None:
    if hasattr(error, "add_note"):  # Python ≥ 3.11 prints notes under the error
        error.add_note(note)


def _call_text(name: str, args: dict) -> str:
    return f"{name}({', '.join(_show(value) for value in args.values())})"


def _call(name: str, function, args: dict, where: str):
    """Call the learner's function on fresh copies of `args`; refuse changed inputs."""
    __tracebackhide__ = True
    fresh = _fresh(args)
    before = {key: value.copy() for key, value in fresh.items() if isinstance(value, np.ndarray)}
    try:
        answer = function(*fresh.values())
    except NotImplementedError as error:
        _add_note(error, "Not written yet: replace `raise NotImplementedError()` by your code, "
                         "run that cell, then run this check again.")
        raise
    except Exception as error:
        _add_note(error, f"(This came from your code, while checking {name}: {where}; "
                         f"your call: {_call_text(name, args)})")
        raise
    for key, original in before.items():
        if not np.array_equal(fresh[key], original, equal_nan=True):
            fail(name, where, [f"your call: {_call_text(name, args)}",
                               f"it changed its argument `{key}` in place"],
                 f"`{key} -= ...` (or `{key}[...] = ...`) writes into the caller's array. "
                 f"Make a new array instead: `{key} = {key} - ...`, or work on a copy.")
    return answer


def _quietly(function, args: dict):
    """What `function` returns for `args`, without warnings; None if it raises."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return function(*_fresh(args).values())
        except Exception:
            return None


def _diagnose(function, cases, mistakes, failed: Case, got):
    """The typical mistake whose answer equals the learner's, preferring one that fits every case."""
    def fits(mistake, case, answer):
        wrong = _quietly(mistake.answer, case.args)
        return wrong is not None and _same(answer, wrong, equal_nan=True)

    candidates = [mistake for mistake in mistakes if fits(mistake, failed, got)]
    if len(candidates) > 1:
        answers = [(case, _quietly(function, case.args)) for case in cases]
        candidates.sort(key=lambda mistake: -sum(fits(mistake, case, answer) for case, answer in answers))
    return candidates[0] if candidates else None


def compare(name: str, function, reference, cases, mistakes=(), hint: str = "") -> None:
    """Check `function` against `reference` on every case; print ✓ or raise an AssertionError.

    name:      the function's name in the exercise, used in the messages.
    reference: the right answer, a function of the same arguments (usually from `course_lib`).
    mistakes:  typical `Mistake`s; the first one whose answer equals the learner's gives the hint.
    hint:      the hint when no mistake and no case hint explains the difference.
    """
    __tracebackhide__ = True
    cases = list(cases)
    for number, case in enumerate(cases, start=1):
        where = f"case {number} of {len(cases)}, {case.label}"
        got = _call(name, function, case.args, where)
        expected = reference(*_fresh(case.args).values())
        if _same(got, expected):
            continue
        mistake = _diagnose(function, cases, mistakes, case, got)
        lines = [f"your call: {_call_text(name, case.args)}",
                 f"expected:  {_show(expected)}", f"got:       {_show(got)}",
                 *_differences(got, expected)]
        fail(name, where, lines, mistake.hint if mistake else case.hint or hint)
    _success(name, cases)


def _success(name: str, cases) -> None:
    print(f"✓ {name}: right in all {len(cases)} cases ({'; '.join(case.label for case in cases)})")


def _named(function, name: str):
    """`function` under a name that the messages can show."""
    def named(*args):
        return function(*args)
    named.__name__ = name
    return named


# -- exercise 01: gradient descent --------------------------------------------------------------

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
    compare("gd_step", gd_step, _gd_step, cases, mistakes, hint="one step of gradient descent is θ − η g.")


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
            hint="θ_t = θ_{t−1} − η ∇f(θ_{t−1}) for t = 1 … steps; return all the points, θ₀ first.")


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
            hint="with λmin, λmax the smallest and largest eigenvalues of H: limit 2/λmax, best step 2/(λmin + λmax).")


# -- exercise 02: mini-batches ------------------------------------------------------------------

def _labelled_examples(n: int, features: int | None):
    """X whose row i holds i (and −i), y = 1000 + i: every example can be recognized in a batch."""
    ids = np.arange(n, dtype=float)
    X = ids if features is None else np.column_stack([ids] + [-ids] * (features - 1))
    return X, 1000.0 + ids


def _global_random_state() -> tuple:
    """The state of numpy's global generator (np.random.*), to notice any draw from it."""
    state = np.random.get_state()
    return (state[1].tobytes(), *state[2:])


def _epoch(minibatches, X, y, batch_size, rng, where):
    """One epoch of the learner's iterator as a list of (X_batch, y_batch), with its inputs checked."""
    __tracebackhide__ = True
    name = "minibatches"
    X_given, y_given = X.copy(), y.copy()
    global_state = _global_random_state()
    call = f"your call: minibatches(X of shape {X.shape}, y of shape {y.shape}, batch_size={batch_size}, rng)"
    try:
        batches = list(minibatches(X_given, y_given, batch_size, rng))
    except NotImplementedError as error:
        _add_note(error, "Not written yet: replace `raise NotImplementedError()` by your code, "
                         "run that cell, then run this check again.")
        raise
    except Exception as error:
        _add_note(error, f"(This came from your code, while checking {name}: {where})")
        raise
    if _global_random_state() != global_state:
        fail(name, where, [call, "it drew random numbers from numpy's global generator (np.random....)"],
             "draw the order from the generator you are given, rng.permutation(n): with the global np.random "
             "the same rng gives a different order every time, and nobody can repeat your run.")
    for key, given, original in (("X", X_given, X), ("y", y_given, y)):
        if not np.array_equal(given, original):
            fail(name, where, [call, f"it changed its argument `{key}` in place"],
                 f"rng.shuffle({key}) shuffles the caller's array. Draw an order instead, "
                 "order = rng.permutation(n), and index with it: X[order], y[order].")
    if not all(isinstance(batch, (tuple, list)) and len(batch) == 2 for batch in batches):
        fail(name, where, [call, f"expected pairs (X_batch, y_batch), got {_show(batches[0] if batches else None)}"],
             "yield X_batch, y_batch (a pair) for each batch.")
    return call, [(np.asarray(Xb, dtype=float), np.asarray(yb, dtype=float)) for Xb, yb in batches]


def _check_one_epoch(minibatches, n, features, batch_size, seed, where) -> np.ndarray:
    """Run one epoch and check every property of it; return the order of the examples."""
    __tracebackhide__ = True
    X, y = _labelled_examples(n, features)
    call, batches = _epoch(minibatches, X, y, batch_size, np.random.default_rng(seed), where)
    name = "minibatches"
    for X_batch, y_batch in batches:
        size = len(y_batch) if y_batch.ndim == 1 else "B"
        if y_batch.ndim != 1 or X_batch.shape != (size, *X.shape[1:]):
            wanted = ", ".join(map(str, (size, *X.shape[1:]))) + ("," if X.ndim == 1 else "")
            fail(name, where, [call, f"a batch has X_batch of shape {X_batch.shape} and y_batch of shape "
                                     f"{y_batch.shape}; expected ({wanted}) and ({size},)"],
                 "index with an array of example numbers, X[batch] and y[batch], so that even a batch of "
                 "one example keeps its first axis.")
        x_ids = X_batch if features is None else X_batch[:, 0]
        if not np.array_equal(y_batch - 1000, x_ids):
            fail(name, where, [call, "in a batch, y_batch[i] is not the target of the example X_batch[i]"],
                 "X and y were shuffled differently. Draw one order and use it for both: "
                 "order = rng.permutation(n), then X[order] and y[order].")
    order = np.concatenate([batch[1] - 1000 for batch in batches]) if batches else np.array([])
    counts = np.bincount(order.astype(int), minlength=n) if order.size else np.zeros(n, dtype=int)
    twice, missing = np.flatnonzero(counts > 1), np.flatnonzero(counts == 0)
    expected_sizes = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    sizes = [len(batch[1]) for batch in batches]
    if twice.size:
        fail(name, where, [call, f"examples {twice.tolist()} came more than once in one epoch"],
             "an epoch uses every example exactly once: draw the order without replacement, "
             "rng.permutation(n), not rng.integers or rng.choice(n, n).")
    if missing.size:
        last = n % batch_size
        dropped = last and sizes == expected_sizes[:-1]
        fail(name, where, [call, f"expected batch sizes {expected_sizes}, got {sizes}",
                           f"examples never used: {missing.size} of {n}"],
             f"the last batch was dropped: when n = {n} is not a multiple of batch_size = {batch_size}, the "
             f"last batch is smaller ({last} examples); range(0, n, batch_size) reaches it." if dropped else
             "every example must be in some batch: cut the whole order, order[start:start + batch_size] "
             "for start in range(0, n, batch_size).")
    if sizes != expected_sizes:
        fail(name, where, [call, f"expected batch sizes {expected_sizes}, got {sizes}"],
             "all batches have batch_size examples except the last, which holds what is left, n mod batch_size.")
    return order


@checker
def check_minibatches(minibatches) -> None:
    """minibatches(X, y, batch_size, rng): one epoch of (X_batch, y_batch), reshuffled by rng each epoch."""
    __tracebackhide__ = True
    shapes = [  # (label, n, features per example or None for 1-D X, batch_size)
        ("n = 10 in batches of 4", 10, 2, 4),
        ("1-D X", 12, None, 3),
        ("batch_size = 1", 5, 3, 1),
        ("batch_size = n", 6, 2, 6),
    ]
    for number, (label, n, features, batch_size) in enumerate(shapes, start=1):
        _check_one_epoch(minibatches, n, features, batch_size, seed=number, where=f"case {number} of 6, {label}")

    where, n = "case 5 of 6, a new order each epoch (two epochs of n = 20)", 20
    X, y = _labelled_examples(n, 2)
    rng = np.random.default_rng(0)
    call, first = _epoch(minibatches, X, y, 5, rng, where)
    _, second = _epoch(minibatches, X, y, 5, rng, where)
    first_order, second_order = (np.concatenate([b[1] for b in batches]) - 1000 for batches in (first, second))
    if np.array_equal(first_order, np.arange(n)):
        fail("minibatches", where, [call, f"expected a shuffled order, got the examples in their order: "
                                          f"{first_order.astype(int).tolist()}"],
             "shuffle: draw a random order of the examples from rng, order = rng.permutation(n).")
    if np.array_equal(first_order, second_order):
        fail("minibatches", where, [call, "called twice with the same rng, it gave the same order twice"],
             "each epoch needs a new order: draw it from the rng you are given (rng.permutation(n)) every time, "
             "don't make a new generator with a fixed seed inside the function.")

    where = "case 6 of 6, repeatable with a seed (the same seed twice, then another)"
    again = np.concatenate([b[1] for b in _epoch(minibatches, X, y, 5, np.random.default_rng(0), where)[1]]) - 1000
    other = np.concatenate([b[1] for b in _epoch(minibatches, X, y, 5, np.random.default_rng(1), where)[1]]) - 1000
    if not np.array_equal(again, first_order):
        fail("minibatches", where, [call, "two generators made with the same seed gave different orders"],
             "use only the rng you are given for the randomness, so that a seed repeats a run exactly.")
    if np.array_equal(other, first_order):
        fail("minibatches", where, [call, "generators with different seeds gave the same order"],
             "draw the order from the rng you are given, not from a generator of your own.")
    _success("minibatches", [Case(label, {}) for label, *_ in shapes]
             + [Case("a new order each epoch", {}), Case("repeatable with a seed", {})])


@checker
def check_minibatch_gradient(minibatch_gradient) -> None:
    """minibatch_gradient(params, x_batch, y_batch) = ∇ of (1/B) Σ (w xᵢ + b − yᵢ)² at params = (w, b)."""
    __tracebackhide__ = True
    x, y = linear_data(100, np.random.default_rng(0))
    exact_x = np.array([0.0, 0.5, 1.0, 1.5])
    cases = [
        Case("a batch of 4", {"params": np.array([1.0, 2.0]), "x_batch": x[:4], "y_batch": y[:4]}),
        Case("one example", {"params": np.array([1.0, 2.0]), "x_batch": x[7:8], "y_batch": y[7:8]}),
        Case("100 examples", {"params": np.zeros(2), "x_batch": x, "y_batch": y}),
        Case("zero gradient", {"params": np.array([3.0, 4.0]), "x_batch": exact_x, "y_batch": 3.0 * exact_x + 4.0},
             hint="on points that lie exactly on the line w·x + b, every residual is 0, and so is the gradient."),
    ]

    def gradient(params, x_batch, y_batch):
        return mean_squared_error_gradient(params, x_batch, y_batch)

    def residuals(params, x_batch, y_batch):
        return params[0] * x_batch + params[1] - y_batch

    mistakes = [
        Mistake("the derivative of r² is 2r: did you forget the factor 2?",
                lambda params, x_batch, y_batch: gradient(params, x_batch, y_batch) / 2),
        Mistake("average over the batch (divide by its size B) instead of summing: otherwise a bigger batch "
                "gives a bigger gradient, and the right lr depends on the batch size.",
                lambda params, x_batch, y_batch: gradient(params, x_batch, y_batch) * len(x_batch)),
        Mistake("the gradient points the wrong way: the residual is rᵢ = w·xᵢ + b − yᵢ (prediction minus target).",
                lambda params, x_batch, y_batch: -gradient(params, x_batch, y_batch)),
        Mistake("return (∂L/∂w, ∂L/∂b) in this order, like params = (w, b).",
                lambda params, x_batch, y_batch: gradient(params, x_batch, y_batch)[::-1]),
        Mistake("∂L/∂w has the factor xᵢ in each term: (2/B) Σ rᵢ·xᵢ.",
                lambda params, x_batch, y_batch: np.full(2, 2 * np.mean(residuals(params, x_batch, y_batch)))),
    ]
    compare("minibatch_gradient", minibatch_gradient, gradient, cases, mistakes,
            hint="with rᵢ = w·xᵢ + b − yᵢ: ∂L/∂w = (2/B) Σ rᵢ·xᵢ and ∂L/∂b = (2/B) Σ rᵢ.")


def _sgd_epoch(params, batches, lr):
    """The reference: one SGD update per batch, in order, with course_lib's SGD and gradient."""
    optimizer = SGD(lr=lr)
    params = np.asarray(params, dtype=float)
    state = optimizer.init(params)
    for x_batch, y_batch in batches:
        params, state = optimizer.update(params, mean_squared_error_gradient(params, x_batch, y_batch), state)
    return params


def _sgd_epoch_uphill(params, batches, lr):
    for x_batch, y_batch in batches:
        params = params + lr * mean_squared_error_gradient(params, x_batch, y_batch)
    return params


@checker
def check_sgd_epoch(sgd_epoch) -> None:
    """sgd_epoch(params, batches, lr): params after one SGD step per batch, batches a one-shot iterator."""
    __tracebackhide__ = True
    x, y = linear_data(10, np.random.default_rng(1))

    def batches_of(size, seed, xs=x, ys=y):
        return Batches(_minibatches(xs, ys, size, np.random.default_rng(seed)))

    exact_x = np.array([0.0, 0.5, 1.0, 1.5, 2.0])
    cases = [
        Case("batch sizes 4, 4, 2", {"params": np.zeros(2), "batches": batches_of(4, 2), "lr": 0.05}),
        Case("one batch", {"params": np.zeros(2), "batches": batches_of(10, 3), "lr": 0.05},
             hint="one batch holding all the data: one step of full-batch gradient descent."),
        Case("batches of 1", {"params": np.array([1.0, 1.0]), "batches": batches_of(1, 4), "lr": 0.02}),
        Case("zero gradients", {"params": np.array([3.0, 4.0]),
                                "batches": batches_of(2, 5, exact_x, 3.0 * exact_x + 4.0), "lr": 0.1},
             hint="on data exactly on the line, every gradient is zero, so the parameters must not move."),
    ]

    def first_batch_only(params, batches, lr):
        return _sgd_epoch(params, [next(iter(batches))], lr)

    def one_step_per_epoch(params, batches, lr):
        gradients = [mean_squared_error_gradient(params, xb, yb) for xb, yb in batches]
        return params - lr * np.mean(gradients, axis=0)

    def every_step_from_the_start(params, batches, lr):
        *_, (x_last, y_last) = batches
        return params - lr * mean_squared_error_gradient(params, x_last, y_last)

    mistakes = [
        Mistake("you returned after the first batch: is the `return` indented inside the loop? "
                "Take one step per batch and return after the loop.", first_batch_only),
        Mistake("take one step per mini-batch, not one step with the average gradient of the epoch "
                "(that would be full-batch gradient descent, ⌈n/B⌉ times slower).", one_step_per_epoch),
        Mistake("each step must start from the parameters of the step before: update `params` itself in the "
                "loop (params = params − lr·g), not a new variable computed from the old params.",
                every_step_from_the_start),
        Mistake("you stepped uphill: params − lr·g, not params + lr·g.", _sgd_epoch_uphill),
        Mistake("the learning rate is missing: params − lr·g.",
                lambda params, batches, lr: _sgd_epoch(params, batches, 1.0)),
    ]
    compare("sgd_epoch", sgd_epoch, _sgd_epoch, cases, mistakes,
            hint="for each (x_batch, y_batch): params = params − lr · minibatch_gradient(params, x_batch, y_batch).")


# -- exercise 03: exponential moving averages ---------------------------------------------------

def _ema_variant(xs, beta, keep, add, start_at_first=False):
    """a ← keep·a + add·x from a₀ = 0 (or a₁ = x₁), the shape of xs."""
    xs = np.asarray(xs, dtype=float)
    averages = np.empty_like(xs)
    a = np.zeros_like(xs[0])
    for t, x in enumerate(xs):
        a = x if (start_at_first and t == 0) else keep * a + add * x
        averages[t] = a
    return averages


def _corrected_with(xs, beta, step):
    """a_t / (1 − β^{step(t, n)}), t = 1 … n: the bias correction with some choice of t."""
    averages = _ema(xs, beta)
    n = len(averages)
    t = np.array([step(t, n) for t in range(1, n + 1)], dtype=float).reshape((n,) + (1,) * (averages.ndim - 1))
    return averages / (1 - beta**t)


def _series_cases():
    rng = np.random.default_rng(4)
    return [
        Case("a constant series", {"xs": np.full(4, 10.0), "beta": 0.9}),
        Case("t = 1", {"xs": np.array([5.0]), "beta": 0.9}),
        Case("β = 0", {"xs": np.array([1.0, -2.0, 3.0]), "beta": 0.0},
             hint="with β = 0 the average keeps nothing of the past: each average is the newest value."),
        Case("zeros", {"xs": np.zeros(3), "beta": 0.5},
             hint="the average of zeros is zero."),
        Case("random values", {"xs": np.round(rng.normal(5, 2, size=8), 2), "beta": 0.7}),
        Case("vectors, shape (6, 3)", {"xs": np.round(rng.normal(0, 1, size=(6, 3)), 2), "beta": 0.8},
             hint="time runs along the first axis: each row xs[t] is one value (here a vector of 3); start with "
                  "a = np.zeros_like(xs[0]) and return an array of the shape of xs."),
    ]


@checker
def check_ema(ema) -> None:
    """ema(xs, beta) = a_1 … a_n with a_t = β a_{t−1} + (1 − β) x_t, a_0 = 0; the shape of xs."""
    __tracebackhide__ = True
    mistakes = [
        Mistake("did you forget (1 − β)? The new value enters with the weight 1 − β: a ← β·a + (1 − β)·x.",
                lambda xs, beta: _ema_variant(xs, beta, beta, 1.0)),
        Mistake("β and 1 − β are swapped: β is the share of the old average that is kept, a ← β·a + (1 − β)·x.",
                lambda xs, beta: _ema_variant(xs, beta, 1 - beta, beta)),
        Mistake("your average starts at the first value. Here it starts at a₀ = 0, so a₁ = (1 − β)·x₁, "
                "too small at first: that start-up bias is what task 3 corrects.",
                lambda xs, beta: _ema_variant(xs, beta, beta, 1 - beta, start_at_first=True)),
        Mistake("this is the bias-corrected average (task 3). Here return the plain one, a_t, started at a₀ = 0.",
                lambda xs, beta: _ema(xs, beta, bias_correction=True)),
        Mistake("return every average a₁ … a_n (an array of the shape of xs), not only the last one.",
                lambda xs, beta: _ema(xs, beta)[-1]),
    ]
    compare("ema", ema, lambda xs, beta: _ema(xs, beta), _series_cases(), mistakes,
            hint="a starts at 0; for each value x: a = β·a + (1 − β)·x, and keep every a.")


@checker
def check_effective_window(effective_window) -> None:
    """effective_window(beta) = 1/(1 − β): about how many recent values an EMA averages."""
    __tracebackhide__ = True
    cases = [
        Case("β = 0.9", {"beta": 0.9}),
        Case("β = 0.99", {"beta": 0.99}),
        Case("β = 0", {"beta": 0.0}),
        Case("β an array", {"beta": np.array([0.5, 0.9, 0.999])},
             hint="use numpy arithmetic (1 / (1 - beta)), which works for arrays too."),
    ]
    mistakes = [
        Mistake("the window is 1/(1 − β), not 1/β.", lambda beta: 1 / np.asarray(beta)),
        Mistake("β/(1 − β) is the average age of the values (how far back they are on average), "
                "not the window 1/(1 − β).", lambda beta: np.asarray(beta) / (1 - np.asarray(beta))),
        Mistake("(1 + β)/(1 − β) is the length of the plain mean with the same noise (pandas' span), "
                "not the window 1/(1 − β) asked here.",
                lambda beta: (1 + np.asarray(beta)) / (1 - np.asarray(beta))),
    ]
    compare("effective_window", effective_window, _effective_window, cases, mistakes,
            hint="the window is 1/(1 − β).")


def _weight_of_newest(beta, k):
    """The sum of the EMA's weights (1 − β)βʲ over the k newest values j = 0 … k − 1."""
    return np.array([ema_weights(b, k).sum() for b in np.ravel(beta)]).reshape(np.shape(beta))


@checker
def check_weight_of_newest(weight_of_newest) -> None:
    """weight_of_newest(beta, k) = (1 − β)(1 + β + … + β^{k−1}) = 1 − β^k."""
    __tracebackhide__ = True
    cases = [
        Case("β = 0.9, k = 10", {"beta": 0.9, "k": 10}),
        Case("k = 1", {"beta": 0.9, "k": 1},
             hint="the newest value alone has the weight 1 − β."),
        Case("k = 0", {"beta": 0.9, "k": 0}, hint="no values carry no weight: 0."),
        Case("β = 0", {"beta": 0.0, "k": 3}, hint="with β = 0 the newest value has all the weight, 1."),
        Case("β an array", {"beta": np.array([0.5, 0.9, 0.99]), "k": 100},
             hint="use numpy arithmetic (beta ** k), which works for arrays too."),
    ]
    mistakes = [
        Mistake("β^k is the weight left for the values older than the newest k; the newest k carry the rest, "
                "1 − β^k.", lambda beta, k: np.asarray(beta, dtype=float) ** k),
        Mistake("(1 − β)·β^k is the weight of one value, the one k steps back. Add the weights of all k "
                "newest values: (1 − β)(1 + β + … + β^{k−1}).",
                lambda beta, k: (1 - np.asarray(beta, dtype=float)) * np.asarray(beta, dtype=float) ** k),
        Mistake("off by one: the k newest values are j = 0 … k − 1 steps back, so the sum ends at β^{k−1} "
                "and adds up to 1 − β^k.", lambda beta, k: 1 - np.asarray(beta, dtype=float) ** (k + 1)),
    ]
    compare("weight_of_newest", weight_of_newest, _weight_of_newest, cases, mistakes,
            hint="the value j steps back weighs (1 − β)βʲ; add them for j = 0 … k − 1 (a geometric series).")


_WRONG_T_HINTS = {
    "t - 1": "off by one: t is 1 for the first value (the first average is divided by 1 − β¹ = 1 − β), "
             "so t = index + 1 when the index counts from 0.",
    "t + 1": "off by one: t is 1 for the first value, not 2 (the first corrected average must equal x₁).",
}


@checker
def check_ema_bias_corrected(ema_bias_corrected) -> None:
    """ema_bias_corrected(xs, beta) = a_t / (1 − β^t) for t = 1 … n; the shape of xs."""
    __tracebackhide__ = True
    mistakes = [
        Mistake(_WRONG_T_HINTS["t - 1"], lambda xs, beta: _corrected_with(xs, beta, lambda t, n: t - 1)),
        Mistake(_WRONG_T_HINTS["t + 1"], lambda xs, beta: _corrected_with(xs, beta, lambda t, n: t + 1)),
        Mistake("each average has its own t, the number of values it has seen: divide a_t by 1 − β^t, "
                "not every average by the same 1 − βⁿ.", lambda xs, beta: _corrected_with(xs, beta, lambda t, n: n)),
        Mistake("no correction yet: divide each a_t by 1 − β^t.", lambda xs, beta: _ema(xs, beta)),
        Mistake("β and 1 − β are swapped in the average (in your ema?): a ← β·a + (1 − β)·x.",
                lambda xs, beta: _ema_variant(xs, beta, 1 - beta, beta)
                / (1 - beta ** np.arange(1, len(xs) + 1).reshape((-1,) + (1,) * (np.ndim(xs) - 1)))),
        Mistake("starting the average at the first value (a₁ = x₁) also avoids the low start, but it is not the "
                "correction: x₁ keeps the weight β^(t−1), far more than its share. Start at a₀ = 0 and divide "
                "by 1 − β^t.", lambda xs, beta: _ema_variant(xs, beta, beta, 1 - beta, start_at_first=True)),
        Mistake("divide by 1 − β^t (the weights the average has received), not by 1 − (1 − β)^t.",
                lambda xs, beta: _ema(xs, beta) / (1 - (1 - beta) ** np.arange(1, len(xs) + 1).reshape(
                    (-1,) + (1,) * (np.ndim(xs) - 1)))),
        Mistake("divide by 1 − β^t, not multiply: the plain average is too small.",
                lambda xs, beta: _ema(xs, beta) * (1 - beta ** np.arange(1, len(xs) + 1).reshape(
                    (-1,) + (1,) * (np.ndim(xs) - 1)))),
    ]
    compare("ema_bias_corrected", ema_bias_corrected, lambda xs, beta: _ema(xs, beta, bias_correction=True),
            _series_cases(), mistakes, hint="â_t = a_t / (1 − β^t), with t = 1 for the first value.")


def _smoothed_with(losses, beta, step):
    """The corrected EMA of the losses in training order, divided by 1 − β^{step(epoch, batch, t)}."""
    losses = np.asarray(losses, dtype=float)
    smoothed = np.empty_like(losses)
    a, t = 0.0, 0
    for epoch in range(1, losses.shape[0] + 1):
        for batch in range(1, losses.shape[1] + 1):
            t += 1
            a = beta * a + (1 - beta) * losses[epoch - 1, batch - 1]
            smoothed[epoch - 1, batch - 1] = a / (1 - beta ** step(epoch, batch, t))
    return smoothed


def _smooth_losses(losses, beta):
    losses = np.asarray(losses, dtype=float)
    return _ema(losses.reshape(-1), beta, bias_correction=True).reshape(losses.shape)


@checker
def check_smooth_losses(smooth_losses) -> None:
    """smooth_losses(losses, beta): the bias-corrected EMA of a run's losses (epochs, batches), in training order."""
    __tracebackhide__ = True
    rng = np.random.default_rng(5)
    decaying = np.round(2.0 * np.exp(-0.1 * np.arange(15)) + rng.uniform(0, 0.3, 15), 3).reshape(3, 5)
    cases = [
        Case("3 epochs × 5 batches", {"losses": decaying, "beta": 0.9}),
        Case("constant losses", {"losses": np.full((3, 4), 2.5), "beta": 0.9},
             hint="the corrected average of a constant is that constant from the first step on."),
        Case("one epoch", {"losses": decaying[:1], "beta": 0.8}),
        Case("β = 0", {"losses": decaying, "beta": 0.0},
             hint="with β = 0 the smoothed loss is the loss itself."),
        Case("one batch per epoch", {"losses": decaying.reshape(15, 1), "beta": 0.9}),
    ]
    mistakes = [
        Mistake("bias correction must use the step t, the number of losses averaged so far, not the epoch: "
                "the average has received many values by the end of the first epoch.",
                lambda losses, beta: _smoothed_with(losses, beta, lambda epoch, batch, t: epoch)),
        Mistake("t restarts every epoch, but the average does not: t must count every step since the start "
                "of training (epoch · batches_per_epoch + batch + 1, counting epoch and batch from 0).",
                lambda losses, beta: _smoothed_with(losses, beta, lambda epoch, batch, t: batch)),
        Mistake("the average restarts every epoch: keep a (and t) running from one epoch to the next.",
                lambda losses, beta: _ema(np.asarray(losses).T, beta, bias_correction=True).T),
        Mistake(_WRONG_T_HINTS["t - 1"], lambda losses, beta: _smoothed_with(losses, beta, lambda e, b, t: t - 1)),
        Mistake(_WRONG_T_HINTS["t + 1"], lambda losses, beta: _smoothed_with(losses, beta, lambda e, b, t: t + 1)),
        Mistake("no correction yet: divide each average by 1 − β^t.",
                lambda losses, beta: _ema(np.asarray(losses).reshape(-1), beta).reshape(np.shape(losses))),
    ]
    compare("smooth_losses", smooth_losses, _smooth_losses, cases, mistakes,
            hint="walk through the losses in training order with one step counter t (1, 2, 3, … across epochs): "
                 "a = β·a + (1 − β)·loss, smoothed = a / (1 − β^t).")


# -- shared by exercises 04-06: one update of a course_lib optimizer ------------------------------

def _one_update(optimizer, theta, g, t=1, **state):
    """(θ, *its state arrays) after update number t of `optimizer`, from the state given by name."""
    new_theta, new_state = optimizer.update(theta, g, {"t": t - 1, **state})
    return (new_theta, *(new_state[slot] for slot in optimizer.slots))


def _k_runs(rng, shape=(3, 2), positive=False):
    """A random (K, d) array for the K-runs case; positive for a running average of g²."""
    values = rng.standard_normal(shape).round(3)
    return np.abs(values) + 0.1 if positive else values


# -- exercise 04: momentum ----------------------------------------------------------------------

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
            hint="m' = β·m + g, then θ' = θ − η·m'; return (θ', m').")


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
            hint="m' = β·m + (1 − β)·g, then θ' = θ − η·m'; return (θ', m').")


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
            hint="m' = β·m + g, then θ' = θ − η·(g + β·m'); return (θ', m').")


@checker
def check_momentum_lr_limit(momentum_lr_limit) -> None:
    """momentum_lr_limit(beta, lambda_max) = 2(1 + β)/λmax: the heavy ball's stability limit on a quadratic."""
    __tracebackhide__ = True
    cases = [
        Case("β = 0.5, λmax = 100", {"beta": 0.5, "lambda_max": 100.0}),
        Case("β = 0.9, λmax = 100", {"beta": 0.9, "lambda_max": 100.0}),
        Case("β = 0: plain GD", {"beta": 0.0, "lambda_max": 10.0},
             hint="with β = 0 the heavy ball is gradient descent, whose limit is 2/λmax."),
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
            hint="the roots of z² − (1 + β − ηλ)z + β stay inside the unit circle for η·λmax < 2(1 + β).")


@checker
def check_polyak_best(polyak_best) -> None:
    """polyak_best(lambda_min, lambda_max) = (4/(√L + √μ)², ((√κ − 1)/(√κ + 1))²), κ = L/μ: Polyak's heavy ball."""
    __tracebackhide__ = True
    cases = [
        Case("λmin = 1, λmax = 100", {"lambda_min": 1.0, "lambda_max": 100.0}),
        Case("λmin = 1, λmax = 400", {"lambda_min": 1.0, "lambda_max": 400.0}),
        Case("λmin = 0.5, λmax = 8", {"lambda_min": 0.5, "lambda_max": 8.0}),
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
            hint="with κ = λmax/λmin: η = 4/(√λmax + √λmin)² and β = ((√κ − 1)/(√κ + 1))².")


# -- exercise 05: AdaGrad, RMSprop, AdaDelta ----------------------------------------------------

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
    ]


@checker
def check_adagrad_step(adagrad_step) -> None:
    """adagrad_step(theta, g, s, lr, eps) = (θ − η g/(√s' + ε), s') with s' = s + g², element-wise."""
    __tracebackhide__ = True
    cases = _adaptive_cases("s", {
        "ordinary": {"eps": 1e-10}, "first": {"eps": 1e-10}, "tiny": {"eps": 1e-8}, "runs": {"eps": 1e-10},
        "first hint": "from s = 0: s = g², so the first step is η·g/(|g| + ε), η·sign(g) in every coordinate "
                      "whatever the size of g."})
    sums = lambda s, g: s + g**2
    averaged = ("AdaGrad sums, s ← s + g²: every past g² keeps its full weight, which is why its steps decay like "
                "η/√t. An average forgets (that is RMSprop, task 2).")
    mistakes = [
        Mistake(_EPS_INSIDE.format(a="s"), _adagrad_mistake(sums, "inside")),
        Mistake(_EPS_MISSING.format(a="s"), _adagrad_mistake(sums, "no eps")),
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
    compare("adagrad_step", adagrad_step, _adagrad_step, cases, mistakes,
            hint="s' = s + g² (element-wise), then θ' = θ − η·g/(√s' + ε); return (θ', s').")


@checker
def check_rmsprop_step(rmsprop_step) -> None:
    """rmsprop_step(theta, g, v, lr, beta, eps) = (θ − η g/(√v' + ε), v') with v' = β v + (1 − β) g²."""
    __tracebackhide__ = True
    cases = _adaptive_cases("v", {
        "ordinary": {"beta": 0.9, "eps": 1e-8}, "first": {"beta": 0.99, "eps": 1e-8},
        "tiny": {"beta": 0.9, "eps": 1e-8}, "runs": {"beta": np.array([[0.9], [0.99], [0.0]]), "eps": 1e-8},
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
    compare("rmsprop_step", rmsprop_step, _rmsprop_step, cases, mistakes,
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
    compare("adadelta_step", adadelta_step, _adadelta_step, cases, mistakes,
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
        Case("a tiny gradient, where ε matters", {"g": np.array([1e-9, 1.0]), "lr": 0.1, "steps": 4, "eps": 1e-10},
             hint="measure the steps your adagrad_step takes: with |g| near ε the step is η·|g|/(√t·|g| + ε), "
                  "less than η/√t."),
        Case("g of shape (2, 3)", {"g": rng.standard_normal((2, 3)).round(2), "lr": 0.2, "steps": 3, "eps": 1e-10},
             hint="return one size per coordinate and step: an array of shape (steps, *g.shape)."),
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
    compare("adagrad_step_sizes", adagrad_step_sizes, sizes, cases, mistakes,
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
            hint="one adadelta_step from θ = 0, v = u = 0 with the given g, β, ε; return |θ₁ − θ₀|.")


# -- exercise 06: Adam and AdamW ------------------------------------------------------------------

def _adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    """The reference: update number t of course_lib's Adam from the averages m, v."""
    return _one_update(Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps), theta, g, t, m=m, v=v)


def _adamw_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """The reference: update number t of course_lib's AdamW (decoupled weight decay)."""
    optimizer = AdamW(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
    return _one_update(optimizer, theta, g, t, m=m, v=v)


def _adam_l2_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """The reference: update number t of course_lib's Adam with weight_decay, the L2 penalty added to g."""
    optimizer = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
    return _one_update(optimizer, theta, g, t, m=m, v=v)


def _adam_variant(*, add1=None, add2=None, swapped=False, square=True, correct=(True, True), shift=0,
                  eps="outside", keras=False, return_hats=False, sign=-1.0):
    """What an Adam step with one mistake returns; the keywords name the mistake."""
    def step(theta, g, m, v, t, lr, beta1, beta2, eps_):
        b1, b2 = (beta2, beta1) if swapped else (beta1, beta2)
        m = b1 * m + ((1 - b1) if add1 is None else add1) * g
        v = b2 * v + ((1 - b2) if add2 is None else add2) * (g**2 if square else g)
        k = t + shift
        m_hat = m / (1 - b1**k) if correct[0] else m
        v_hat = v / (1 - b2**k) if correct[1] else v
        if keras:
            change = lr * np.sqrt(1 - b2**k) / (1 - b1**k) * m / (np.sqrt(v) + eps_)
        else:
            denominator = {"outside": np.sqrt(v_hat) + eps_, "inside": np.sqrt(v_hat + eps_),
                           "missing": np.sqrt(v_hat), "no root": v_hat + eps_}[eps]
            change = lr * m_hat / denominator
        return (theta + sign * change, *((m_hat, v_hat) if return_hats else (m, v)))
    return step


_WRONG_ADAM_T = {
    -1: "off by one: t is the number of this update, 1 on the first. With t − 1 the first correction divides by "
        "1 − β⁰ = 0 (NaN or inf).",
    1: "off by one: t is the number of this update, 1 on the first (the first step must be η·sign(g)), not t + 1.",
}


def _adam_cases(extra: dict | None = None, zero_hint: str = "") -> list:
    """The cases of an Adam step; `extra` adds arguments (weight decay) to every case, K runs get arrays."""
    rng = np.random.default_rng(10)
    extra = extra or {}
    defaults = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

    def args(theta, g, m, v, t, runs=False, **overrides):
        values = {"theta": theta, "g": g, "m": m, "v": v, "t": t, **defaults, **overrides}
        for name, value in extra.items():
            values[name] = value[runs] if isinstance(value, tuple) else value
        return values

    return [
        Case("step t = 3", args(np.array([1.0, -2.0]), np.array([0.5, -3.0]), np.array([0.1, -0.2]),
                                np.array([0.01, 0.5]), 3)),
        Case("t = 1, from m = v = 0", args(np.array([1.0, -2.0]), np.array([2.0, -300.0]), np.zeros(2), np.zeros(2), 1),
             hint="at t = 1, m̂ = g and v̂ = g², so the first step is η·g/(|g| + ε) ≈ η·sign(g) in every "
                  "coordinate, whatever the size of g."),
        Case("β1 = 0", args(np.array([0.3, 0.7]), np.array([-1.0, 2.0]), np.array([5.0, 5.0]), np.array([1.0, 2.0]), 4,
                            beta1=0.0),
             hint="with β1 = 0, m = g (nothing of the old m is kept): Adam is RMSprop with bias correction."),
        Case("zero gradients, m = v = 0", args(np.array([0.5, -0.5]), np.zeros(2), np.zeros(2), np.zeros(2), 1),
             hint=zero_hint or "a zero gradient from m = v = 0: m̂ = v̂ = 0 and the step is 0/(0 + ε) = 0."),
        Case("a tiny gradient, where ε matters", args(np.array([1.0, 1.0]), np.array([1e-7, -2e-7]), np.zeros(2),
                                                      np.zeros(2), 1, lr=0.001)),
        Case("a late step, t = 1000", args(np.array([1.0, -1.0]), np.array([0.2, 0.1]), np.array([0.1, 0.2]),
                                           np.array([0.04, 0.01]), 1000)),
        Case("K = 3 runs, shape (3, 2)", args(_k_runs(rng), _k_runs(rng), _k_runs(rng) / 10,
                                              _k_runs(rng, positive=True) / 10, 5, runs=True,
                                              lr=np.array([[0.1], [0.01], [0.001]]),
                                              beta2=np.array([[0.9], [0.99], [0.999]])),
             hint="row k is its own run with its own hyper-parameters; numpy's element-wise arithmetic "
                  "broadcasts (3, 1) against (3, 2) by itself."),
    ]


def _adam_mistakes(wrap=lambda step: step) -> list:
    """The typical mistakes in Adam's own lines; `wrap` turns an Adam step into the exercise's function."""
    return [Mistake(hint, wrap(answer)) for hint, answer in [
        ("no bias correction yet: divide m by 1 − β1ᵗ and v by 1 − β2ᵗ before the step.",
         _adam_variant(correct=(False, False))),
        ("you corrected only v: correct m too, m̂ = m/(1 − β1ᵗ).", _adam_variant(correct=(False, True))),
        ("you corrected only m: correct v too, v̂ = v/(1 − β2ᵗ).", _adam_variant(correct=(True, False))),
        (_WRONG_ADAM_T[-1], _adam_variant(shift=-1)),
        (_WRONG_ADAM_T[1], _adam_variant(shift=1)),
        ("ε goes outside the square root, m̂/(√v̂ + ε), as in the paper and PyTorch, not m̂/√(v̂ + ε).",
         _adam_variant(eps="inside")),
        ("this is the paper's \"efficient\" form that Keras uses, η·√(1 − β2ᵗ)/(1 − β1ᵗ)·m/(√v + ε̂): it "
         "equals the course's rule only with ε = ε̂/√(1 − β2ᵗ), much larger early on. Here correct first, "
         "then add ε: η·m̂/(√v̂ + ε).", _adam_variant(keras=True)),
        ("add ε to the denominator, m̂/(√v̂ + ε): with a zero gradient the step is otherwise 0/0 = NaN.",
         _adam_variant(eps="missing")),
        ("divide by the square root of v̂: m̂/(√v̂ + ε).", _adam_variant(eps="no root")),
        ("did you forget (1 − β1)? m ← β1·m + (1 − β1)·g.", _adam_variant(add1=1.0)),
        ("did you forget (1 − β2)? v ← β2·v + (1 − β2)·g².", _adam_variant(add2=1.0)),
        ("β1 and β2 are swapped: β1 (0.9) is the memory of m, the average of g; β2 (0.999) the memory of v, "
         "the average of g².", _adam_variant(swapped=True)),
        ("v averages the squares g², not g.", _adam_variant(square=False)),
        ("return the plain averages m and v as the new state: the corrected m̂ and v̂ are only for this step "
         "(stored, they would be corrected again at the next one).", _adam_variant(return_hats=True)),
        ("you stepped uphill: θ − η·m̂/(√v̂ + ε), not θ + ….", _adam_variant(sign=1.0)),
    ]]


@checker
def check_adam_step(adam_step) -> None:
    """adam_step(theta, g, m, v, t, lr, beta1, beta2, eps) = (θ', m', v'): update t of Adam, bias-corrected."""
    __tracebackhide__ = True
    mistakes = _adam_mistakes() + [
        Mistake("return (theta, m, v) in this order.",
                lambda *args: (lambda theta, m, v: (theta, v, m))(*_adam_step(*args))),
    ]
    compare("adam_step", adam_step, _adam_step, _adam_cases(), mistakes,
            hint="m' = β1·m + (1 − β1)·g, v' = β2·v + (1 − β2)·g², m̂ = m'/(1 − β1ᵗ), "
                 "v̂ = v'/(1 − β2ᵗ), θ' = θ − η·m̂/(√v̂ + ε); return (θ', m', v').")


def _train_adam(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    """The reference: epochs × batches_per_epoch updates of course_lib's Adam; θ at the end of each epoch."""
    optimizer = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    theta = np.asarray(theta0, dtype=float)
    state, ends = optimizer.init(theta), []
    for _ in range(epochs):
        for _ in range(batches_per_epoch):
            theta, state = optimizer.update(theta, grad_fn(theta), state)
        ends.append(theta)
    return np.array(ends).reshape((epochs, *theta.shape))


def _trained_with(step, reset=False):
    """Adam's training loop with the bias correction's t = step(epoch, batch, t) (all from 1), m, v maybe reset."""
    def train(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
        theta = np.asarray(theta0, dtype=float)
        m, v, t, ends = np.zeros_like(theta), np.zeros_like(theta), 0, []
        for epoch in range(1, epochs + 1):
            if reset:
                m, v = np.zeros_like(theta), np.zeros_like(theta)
            for batch in range(1, batches_per_epoch + 1):
                t += 1
                theta, m, v = _adam_variant()(theta, grad_fn(theta), m, v, step(epoch, batch, t), lr, beta1, beta2, eps)
            ends.append(theta)
        return np.array(ends)
    return train


@checker
def check_train_adam(train_adam) -> None:
    """train_adam(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps): θ after each epoch of Adam."""
    __tracebackhide__ = True
    ravine, rosenbrock = Quadratic([1.0, 10.0]), Rosenbrock()
    ravine_gradient = _named(ravine.grad, "gradient of f(θ) = ½(θ₁² + 10·θ₂²)")
    rosenbrock_gradient = _named(rosenbrock.grad, "gradient of Rosenbrock's function")
    defaults = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    cases = [
        Case("3 epochs × 4 batches", {"grad_fn": ravine_gradient, "theta0": ravine.start, "epochs": 3,
                                      "batches_per_epoch": 4, "lr": 0.1, **defaults}),
        Case("one epoch", {"grad_fn": ravine_gradient, "theta0": ravine.start, "epochs": 1,
                           "batches_per_epoch": 5, "lr": 0.1, **defaults}),
        Case("one batch per epoch", {"grad_fn": ravine_gradient, "theta0": ravine.start, "epochs": 6,
                                     "batches_per_epoch": 1, "lr": 0.1, **defaults}),
        Case("Rosenbrock, 2 epochs × 50 batches", {"grad_fn": rosenbrock_gradient, "theta0": rosenbrock.start,
                                                   "epochs": 2, "batches_per_epoch": 50, "lr": 0.01, **defaults}),
        Case("K = 2 starts, shape (2, 2)", {"grad_fn": ravine_gradient, "theta0": np.array([[-1.5, 1.0], [1.0, 0.5]]),
                                            "epochs": 2, "batches_per_epoch": 3, "lr": np.array([[0.1], [0.01]]),
                                            **defaults},
             hint="θ after each epoch then has shape (epochs, 2, 2); np.array(list_of_thetas) stacks them."),
    ]
    mistakes = [
        Mistake("bias correction must use the step t, the number of updates so far, not the epoch: the averages "
                "are updated once per batch (lesson 06, Common mistakes).",
                _trained_with(lambda epoch, batch, t: epoch)),
        Mistake("t restarts every epoch, but the averages m, v do not: t must count every update since the start "
                "of training (epoch · batches_per_epoch + batch + 1, counting epoch and batch from 0).",
                _trained_with(lambda epoch, batch, t: batch)),
        Mistake("t starts at 1 on the first update: with t = 0 the first correction divides by 1 − β⁰ = 0, and "
                "θ becomes NaN. Count t += 1 before the update.", _trained_with(lambda epoch, batch, t: t - 1)),
        Mistake("off by one: t is 1 on the first update, not 2.", _trained_with(lambda epoch, batch, t: t + 1)),
        Mistake("m and v restart every epoch: keep them (and t) running from one epoch to the next.",
                _trained_with(lambda epoch, batch, t: batch, reset=True)),
        Mistake("m and v restart every epoch: keep them running from one epoch to the next.",
                _trained_with(lambda epoch, batch, t: t, reset=True)),
        Mistake("return θ at the end of each epoch (epochs rows), not after every update.",
                lambda grad_fn, theta0, epochs, batches_per_epoch, *rest: _train_adam(
                    grad_fn, theta0, epochs * batches_per_epoch, 1, *rest)),
        Mistake("start with the first epoch's end: return θ after epoch 1, 2, …, not θ₀ too.",
                lambda grad_fn, theta0, epochs, *rest: np.concatenate(
                    [np.asarray(theta0, dtype=float)[None], _train_adam(grad_fn, theta0, epochs, *rest)])),
    ]
    compare("train_adam", train_adam, _train_adam, cases, mistakes,
            hint="one counter t for the whole run: for each epoch, for each batch: t += 1, then one adam_step with "
                 "this t; keep m, v and t from one epoch to the next; keep θ at the end of each epoch.")


def _decay_variant(where, lr_factor=True):
    """Adam with weight decay applied in some (maybe wrong) place; the keyword names it."""
    def step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        shrink = 1 - (lr if lr_factor else 1.0) * weight_decay
        if where == "before":
            return _adam_variant()(theta * shrink, g, m, v, t, lr, beta1, beta2, eps)
        if where == "after":
            new_theta, m, v = _adam_variant()(theta, g, m, v, t, lr, beta1, beta2, eps)
            return new_theta * shrink, m, v
        if where == "l2":
            return _adam_variant()(theta, g + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
        if where == "both":
            return _adam_variant()(theta * shrink, g + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
        if where == "none":
            return _adam_variant()(theta, g, m, v, t, lr, beta1, beta2, eps)
        if where == "l2 twice":
            return _adam_variant()(theta, g + 2 * weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
        if where == "l2 minus":
            return _adam_variant()(theta, g - weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
        if where == "l2 in m only":
            new_theta, new_m, _ = _adam_variant()(theta, g + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
            new_v = beta2 * v + (1 - beta2) * g**2
            m_hat, v_hat = new_m / (1 - beta1**t), new_v / (1 - beta2**t)
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v
        raise ValueError(where)
    return step


def _with_decay(adam_mistake):
    """An Adam mistake inside AdamW: decay first, then the mistaken Adam step."""
    def step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        return adam_mistake(theta * (1 - lr * weight_decay), g, m, v, t, lr, beta1, beta2, eps)
    return step


def _with_l2(adam_mistake):
    """An Adam mistake with L2: λθ added to g, then the mistaken Adam step."""
    def step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        return adam_mistake(theta, g + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
    return step


@checker
def check_adamw_step(adamw_step) -> None:
    """adamw_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay): θ(1 − ηλ), then Adam's step with g."""
    __tracebackhide__ = True
    cases = _adam_cases({"weight_decay": (0.5, np.array([[0.5], [0.1], [0.0]]))},
                        zero_hint="with g = 0 and m = v = 0 the Adam step is 0 and only the decay acts: θ(1 − ηλ).")
    cases = [replace(case, args={**case.args, "lr": 0.1 if np.ndim(case.args["lr"]) == 0 else case.args["lr"]})
             for case in cases]
    cases.insert(2, Case("λ = 0: plain Adam", {**cases[0].args, "weight_decay": 0.0},
                         hint="with λ = 0 AdamW is Adam."))
    mistakes = [
        Mistake("this is Adam with L2 (task 3's other function): λθ added to g is then divided by √v̂ like the "
                "rest of g. AdamW decouples the decay: first θ ← θ(1 − ηλ), then Adam's step with g unchanged.",
                _decay_variant("l2")),
        Mistake("the decay comes first, as in PyTorch's AdamW: θ ← θ(1 − ηλ), then the Adam step. You shrank θ "
                "after the step.", _decay_variant("after")),
        Mistake("the decay is multiplied by the learning rate: θ ← θ(1 − ηλ), not θ(1 − λ) (PyTorch's AdamW; the "
                "paper uses the schedule's multiplier instead).", _decay_variant("before", lr_factor=False)),
        Mistake("the decay is multiplied by the learning rate, θ(1 − ηλ), and it comes before the Adam step.",
                _decay_variant("after", lr_factor=False)),
        Mistake("decay once, decoupled: θ ← θ(1 − ηλ), and leave g as it is (you also added λθ to g).",
                _decay_variant("both")),
        Mistake("the weight decay is missing: first θ ← θ(1 − ηλ), then the Adam step.", _decay_variant("none")),
        *[Mistake(mistake.hint, _with_decay(mistake.answer)) for mistake in _adam_mistakes()[:8]],
    ]
    compare("adamw_step", adamw_step, _adamw_step, cases, mistakes,
            hint="θ ← θ·(1 − η·λ) first, then the Adam step (your adam_step) with g unchanged.")


@checker
def check_adam_l2_step(adam_l2_step) -> None:
    """adam_l2_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay): Adam with g + λθ (PyTorch's Adam)."""
    __tracebackhide__ = True
    cases = _adam_cases({"weight_decay": (0.5, np.array([[0.5], [0.1], [0.0]]))},
                        zero_hint="with g = 0 the gradient is λθ alone, so at t = 1 the step is η·sign(θ).")
    cases = [replace(case, args={**case.args, "lr": 0.1 if np.ndim(case.args["lr"]) == 0 else case.args["lr"]})
             for case in cases]
    cases.insert(2, Case("λ = 0: plain Adam", {**cases[0].args, "weight_decay": 0.0},
                         hint="with λ = 0 the L2 version is plain Adam."))
    mistakes = [
        Mistake("this is AdamW's decoupled decay, θ(1 − ηλ). With L2 the penalty's gradient λθ is added to g before "
                "both averages, g ← g + λθ, as PyTorch's Adam(weight_decay=λ) does.", _decay_variant("before")),
        Mistake("this is decoupled decay applied after the step; with L2, add λθ to g before both averages.",
                _decay_variant("after")),
        Mistake("add λθ to g once, before both averages, and use that g for m and for v.",
                _decay_variant("l2 in m only")),
        Mistake("the gradient of the penalty ½λ‖θ‖² is λθ, not 2λθ.", _decay_variant("l2 twice")),
        Mistake("the penalty pulls θ towards 0: g + λθ, not g − λθ.", _decay_variant("l2 minus")),
        Mistake("the weight decay is missing: add λθ to g first.", _decay_variant("none")),
        *[Mistake(mistake.hint, _with_l2(mistake.answer)) for mistake in _adam_mistakes()[:8]],
    ]
    compare("adam_l2_step", adam_l2_step, _adam_l2_step, cases, mistakes,
            hint="g ← g + λ·θ first (the gradient of ½λ‖θ‖²), then the Adam step (your adam_step) with that g.")


# -- exercise 07: learning-rate schedules -------------------------------------------------------

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
            cases, mistakes,
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


def _noise_floor(lr, eigenvalues, sigma):
    """Σ_i ησ²/(2(2 − ηλ_i)): E[f − f*] at which SGD with a constant lr settles (lesson 07, section 2)."""
    return float(np.sum(lr * sigma**2 / (2 * (2 - lr * np.asarray(eigenvalues, dtype=float)))))


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
    noisy ravine ends below a tenth of the noise floor of the constant rate 0.1."""
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


# -- exercise 08: a network's backward pass, gradient check, clipping ------------------------------

def _copied(value):
    """A deep copy of arrays and dicts of them (an optimizer's state holds dicts in a dict)."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    return value.copy() if isinstance(value, np.ndarray) else value


def _changed_in(value, original) -> bool:
    """Whether a dict (of arrays, of dicts) differs from its copy taken before a call."""
    if isinstance(original, dict):
        return (not isinstance(value, dict) or value.keys() != original.keys()
                or any(_changed_in(value[key], original[key]) for key in original))
    if isinstance(original, np.ndarray):
        return (not isinstance(value, np.ndarray) or value.shape != original.shape
                or not np.allclose(value, original, rtol=0, atol=1e-12, equal_nan=True))
    return False


def _brief(value, depth: int = 0) -> str:
    """A short text for an argument: small arrays in full, larger ones by shape, a dict inside a dict (an
    optimizer's state) by its size."""
    if isinstance(value, dict):
        if depth:
            return f"{{{len(value)} arrays}}"
        return "{" + ", ".join(f"{key!r}: {_brief(item, depth + 1)}" for key, item in value.items()) + "}"
    if isinstance(value, np.ndarray) and value.size > SHOWN:
        return f"array of shape {value.shape}"
    if hasattr(value, "update") and hasattr(value, "init"):  # an optimizer of course_lib
        return repr(value)
    return _show(value)


def _where_it_differs(got, expected, path: str) -> list[str]:
    """Lines naming each array of a nested answer that differs: "grads['W1']: first difference …"."""
    if isinstance(expected, dict):
        if not isinstance(got, dict) or got.keys() != expected.keys():
            return [f"{path}: expected a dict with the keys {list(expected)}, got "
                    f"{sorted(got) if isinstance(got, dict) else _brief(got)}"]
        return [line for key in expected for line in _where_it_differs(got[key], expected[key], f"{path}[{key!r}]")]
    return [] if _same(got, expected) else _differences(got, expected, f"{path}: ")


def _compare_with_dicts(name, function, reference, cases, mistakes=(), hint="", locate=None, parts=()) -> None:
    """`compare` for functions that take dicts of arrays (params, grads, an optimizer's state).

    Each call gets deep copies, a change to a dict passed in fails with its own message, and an
    answer holding dicts is shown by its differences (which array, where) under the names `parts`
    of its values, not printed whole. `locate(got, expected)` may return a hint that says where a
    difference comes from when no mistake fits.
    """
    __tracebackhide__ = True
    cases = list(cases)
    for number, case in enumerate(cases, start=1):
        where = f"case {number} of {len(cases)}, {case.label}"
        call = f"your call: {name}({', '.join(_brief(value) for value in case.args.values())})"
        given = _copied(case.args)
        got = _call(name, function, given, where)
        for key, original in case.args.items():
            if isinstance(original, dict) and _changed_in(given[key], original):
                fail(name, where, [call, f"it changed its argument `{key}` (a dict of arrays) in place"],
                     f"`{key}[name][index] = …` or `{key}[name] -= …` writes into the caller's arrays, and so does "
                     f"a shallow copy, dict({key}). Restore what you changed before returning, or work on a deep "
                     f"copy: {{k: v.copy() for k, v in {key}.items()}}.")
        expected = reference(*_copied(case.args).values())
        if _same(got, expected):
            continue
        copies = [replace(other, args=_copied(other.args)) for other in cases]
        mistake = _diagnose(function, copies, mistakes, copies[number - 1], got)
        if parts and isinstance(got, (tuple, list)) and len(got) == len(parts):
            lines = [call, *[line for part, g, e in zip(parts, got, expected)
                             for line in _where_it_differs(g, e, part)]]
        else:
            lines = [call, f"expected:  {_brief(expected)}", f"got:       {_brief(got)}", *_differences(got, expected)]
        located = locate(got, expected) if locate and not mistake else ""
        fail(name, where, lines, mistake.hint if mistake else located or case.hint or hint)
    _success(name, cases)


def _logits_cases(rng) -> list:
    return [
        Case("3 rows, 3 classes", {"logits": np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 0.5, 2.0]])}),
        Case("one row, shape (1, 4)", {"logits": np.array([[0.5, -1.0, 2.0, 0.0]])}),
        Case("large logits, around 1000", {"logits": np.array([[1000.0, 999.0, 998.0], [0.0, 1.0, 2.0]])},
             hint="softmax(z) = softmax(z − c) for any c per row; with c the row's max every exponent is ≤ 0."),
        Case("very negative logits, around −1000", {"logits": np.array([[-1000.0, -1001.0, -1002.0]])}),
        Case("10 classes, a batch of 5", {"logits": rng.normal(0, 3, size=(5, 10)).round(3)}),
    ]


def _softmax_variant(shift="row", axis=1, keepdims=True):
    def softmax(logits):
        with np.errstate(all="ignore"):
            z = logits - {"row": np.max(logits, axis=1, keepdims=True), "column": np.max(logits, axis=0),
                          "all": np.max(logits), "none": 0.0}[shift]
            e = np.exp(z)
            total = np.sum(e) if axis is None else np.sum(e, axis=axis, keepdims=keepdims)
            return e / total
    return softmax


@checker
def check_softmax(softmax) -> None:
    """softmax(logits): the probabilities exp(z_ik)/Σ_j exp(z_ij) of each row, computed without overflow."""
    __tracebackhide__ = True
    mistakes = [
        Mistake("e^1000 overflows to inf (and e^−1000 underflows to 0), which gives nan: subtract each row's "
                "largest logit first, exp(z − max), which changes nothing mathematically.",
                _softmax_variant(shift="none")),
        Mistake("subtract each row's own max, np.max(z, axis=1, keepdims=True): with the largest of all the "
                "logits, a row far below it becomes exp(−1000) = 0 everywhere, and 0/0.",
                _softmax_variant(shift="all")),
        Mistake("normalize each row (axis=1: one example per row, one column per class), not each column.",
                _softmax_variant(shift="column", axis=0)),
        Mistake("divide each row by its own sum: np.sum(…, axis=1, keepdims=True) keeps the shape (n, 1) that "
                "broadcasts along the row; without keepdims the sums are spread along the columns.",
                _softmax_variant(keepdims=False)),
        Mistake("each row sums to 1: divide by the row's sum (axis=1), not by the sum of the whole array.",
                _softmax_variant(axis=None)),
    ]
    compare("softmax", softmax, nn.softmax, _logits_cases(np.random.default_rng(10)), mistakes,
            hint="p = exp(z − max z) / Σ exp(z − max z), row by row: np.max and np.sum with axis=1, keepdims=True.")


def _one_hot(y, classes):
    return np.eye(classes)[np.asarray(y)]


def _softmax_cross_entropy(logits, y):
    """The reference: (mean cross-entropy, δ = (p − onehot(y))/n) from course_lib.nn."""
    n, classes = np.shape(logits)
    return nn.cross_entropy(logits, y), (nn.softmax(logits) - _one_hot(y, classes)) / n


def _cross_entropy_variant(delta=lambda p, Y, n: (p - Y) / n, loss="stable"):
    def answer(logits, y):
        n, classes = logits.shape
        p, Y = nn.softmax(logits), _one_hot(y, classes)
        with np.errstate(all="ignore"):
            value = {"stable": lambda: nn.cross_entropy(logits, y),
                     "sum": lambda: nn.cross_entropy(logits, y) * n,
                     "naive": lambda: -np.mean(np.log(p[np.arange(n), y])),
                     "columns": lambda: -np.mean(np.log(p[:, y]))}[loss]()
        return float(value), delta(p, Y, n)
    return answer


@checker
def check_softmax_cross_entropy(softmax_cross_entropy) -> None:
    """softmax_cross_entropy(logits, y) = (−(1/n) Σ log p_{i,y_i}, (p − onehot(y))/n), stable for large logits."""
    __tracebackhide__ = True
    rng = np.random.default_rng(11)
    cases = [
        Case("4 rows, 3 classes", {"logits": np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0], [2.0, -1.0, 0.3],
                                                       [0.1, 0.2, 0.3]]), "y": np.array([0, 2, 1, 2])}),
        Case("one row", {"logits": np.array([[0.5, -1.0, 2.0, 0.0]]), "y": np.array([3])},
             hint="with n = 1, δ = p − onehot(y): the mean over one row divides by 1."),
        Case("a confident right answer, logits around 1000", {"logits": np.array([[1000.0, 0.0, 0.0]]),
                                                              "y": np.array([0])},
             hint="p = (1, 0, 0) up to round-off: the loss is 0 and δ is 0."),
        Case("confident wrong answers, logits around 1000",
             {"logits": np.array([[1000.0, 0.0, 0.0], [0.0, 1000.0, 0.0]]), "y": np.array([1, 0])},
             hint="each row's loss is z_max − z_y = 1000; the probability e^−1000 rounds to 0, so compute "
                  "log p without taking the log of p."),
        Case("10 classes, a batch of 5", {"logits": rng.normal(0, 3, size=(5, 10)).round(3),
                                          "y": np.array([3, 0, 9, 3, 7])}),
    ]
    mistakes = [
        Mistake("δ is the gradient of the mean loss: divide p − onehot(y) by n, the number of rows.",
                _cross_entropy_variant(delta=lambda p, Y, n: p - Y)),
        Mistake("the sign of δ: ∂L/∂z = (p − onehot(y))/n, probabilities minus targets.",
                _cross_entropy_variant(delta=lambda p, Y, n: (Y - p) / n)),
        Mistake("subtract the one-hot targets: δ = (p − onehot(y))/n (np.eye(classes)[y] is onehot(y)).",
                _cross_entropy_variant(delta=lambda p, Y, n: p / n)),
        Mistake("the loss is the mean over the rows, −(1/n) Σ log p_{i,y_i}, not the sum.",
                _cross_entropy_variant(loss="sum")),
        Mistake("log p of a probability that rounds to 0 is −inf: compute log p directly, log p_ik = z_ik − m_i − "
                "log Σ_j exp(z_ij − m_i) with m_i the row's max (log-sum-exp), then pick log p_{i,y_i}.",
                _cross_entropy_variant(loss="naive")),
        Mistake("pick one entry per row, p[np.arange(n), y]: p[:, y] takes whole columns, n × n entries.",
                _cross_entropy_variant(loss="columns")),
    ]
    compare("softmax_cross_entropy", softmax_cross_entropy, _softmax_cross_entropy, cases, mistakes,
            hint="loss = −mean over i of log p_{i,y_i} (log p by log-sum-exp); δ = (p − onehot(y))/n.")


def _dense_backward(a, W, delta):
    """The reference: (aᵀδ, Σ_i δ_i, δWᵀ), as in course_lib.nn.loss_and_grads."""
    return a.T @ delta, delta.sum(axis=0), delta @ W.T


@checker
def check_dense_backward(dense_backward) -> None:
    """dense_backward(a, W, delta) = (aᵀδ, Σ_i δ_i, δWᵀ): dL/dW, dL/db and dL/da of z = aW + b."""
    __tracebackhide__ = True
    rng = np.random.default_rng(12)

    def layer(n, inputs, outputs):
        return {"a": rng.normal(size=(n, inputs)).round(2), "W": rng.normal(size=(inputs, outputs)).round(2),
                "delta": rng.normal(0, 0.1, size=(n, outputs)).round(3)}

    cases = [
        Case("3 → 3 units, a batch of 4", layer(4, 3, 3)),
        Case("5 → 2 units, a batch of 3", layer(3, 5, 2),
             hint="the shapes: dW like W (inputs, outputs), db like b (outputs,), dL/da like a (n, inputs)."),
        Case("a batch of 1", layer(1, 4, 3)),
        Case("one output unit", layer(5, 3, 1)),
        Case("δ = 0", {**layer(2, 3, 2), "delta": np.zeros((2, 2))},
             hint="a zero δ gives zero gradients everywhere."),
    ]
    mistakes = [
        Mistake("dW = aᵀδ, of W's shape (inputs, outputs): you computed δᵀa, its transpose.",
                lambda a, W, delta: (delta.T @ a, delta.sum(axis=0), delta @ W.T)),
        Mistake("aᵀδ is a matrix product, a.T @ delta, summing over the rows of the batch; a * delta multiplies "
                "element by element.", lambda a, W, delta: (a * delta, delta.sum(axis=0), delta @ W.T)),
        Mistake("db sums δ over the batch, the rows: delta.sum(axis=0), one number per output unit.",
                lambda a, W, delta: (a.T @ delta, delta.sum(axis=1), delta @ W.T)),
        Mistake("δ already carries the 1/n of the mean loss (δᴸ = (p − onehot)/n): sum over the batch, don't "
                "average again.", lambda a, W, delta: (a.T @ delta, delta.mean(axis=0), delta @ W.T)),
        Mistake("δ already carries the 1/n of the mean loss: dW = aᵀδ, without another 1/n.",
                lambda a, W, delta: (a.T @ delta / len(a), delta.sum(axis=0), delta @ W.T)),
        Mistake("dL/da = δWᵀ (delta @ W.T): each input unit collects δ through its row of W. You used W without "
                "the transpose.", lambda a, W, delta: (a.T @ delta, delta.sum(axis=0), delta @ W)),
        Mistake("the ReLU's mask is relu_backward's job, with z of the layer below; dense_backward returns δWᵀ "
                "as it is.", lambda a, W, delta: (a.T @ delta, delta.sum(axis=0), (delta @ W.T) * (a > 0))),
        Mistake("return (dW, db, dL/da) in this order.",
                lambda a, W, delta: (delta @ W.T, delta.sum(axis=0), a.T @ delta)),
    ]
    compare("dense_backward", dense_backward, _dense_backward, cases, mistakes,
            hint="dW = a.T @ delta, db = delta.sum(axis=0), dL/da = delta @ W.T.")


@checker
def check_relu_backward(relu_backward) -> None:
    """relu_backward(grad_a, z) = grad_a ⊙ 1[z > 0]: the gradient through a = max(z, 0)."""
    __tracebackhide__ = True
    rng = np.random.default_rng(13)
    cases = [
        Case("mixed signs, 2 × 3", {"grad_a": np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]]),
                                    "z": np.array([[1.0, -2.0, 0.5], [-0.1, 3.0, 2.0]])}),
        Case("z = 0, at the kink", {"grad_a": np.array([[1.0, 2.0, -3.0]]), "z": np.array([[0.0, 1e-3, -1e-3]])},
             hint="at the kink z = 0 the gradient is taken as 0, as PyTorch does: the mask is z > 0, strictly."),
        Case("all off", {"grad_a": np.array([[1.0, -2.0]]), "z": np.array([[-1.0, -0.5]])},
             hint="where z ≤ 0 the ReLU output 0 whatever z was: no gradient passes."),
        Case("a batch of 4 × 5", {"grad_a": rng.normal(size=(4, 5)).round(2), "z": rng.normal(size=(4, 5)).round(2)}),
    ]
    mistakes = [
        Mistake("at the kink z = 0 take the gradient 0, as PyTorch does: the mask is z > 0, not z ≥ 0.",
                lambda grad_a, z: grad_a * (z >= 0)),
        Mistake("multiply by the ReLU's derivative 1[z > 0] (1 or 0), not by ReLU(z) itself.",
                lambda grad_a, z: grad_a * np.maximum(z, 0)),
        Mistake("the mask comes from z (where the ReLU was on), not from the sign of the gradient.",
                lambda grad_a, z: grad_a * (grad_a > 0)),
        Mistake("return the gradient with the mask applied, grad_a * (z > 0), not the mask alone.",
                lambda grad_a, z: (z > 0).astype(float)),
    ]
    compare("relu_backward", relu_backward, lambda grad_a, z: grad_a * nn.relu_gradient(z), cases, mistakes,
            hint="grad_a * (z > 0): the gradient passes where the ReLU was on and stops where it output 0.")


def _mlp_variant(mask="below", relu_on_logits=False, input_from="below", bias=True):
    """loss_and_grads of an MLP, with one of its steps switched to a typical mistake."""
    def loss_and_grads(params, X, y):
        layers = len(params) // 2
        inputs, zs, a = [], [], X
        for layer in range(1, layers + 1):
            z = a @ params[f"W{layer}"] + (params[f"b{layer}"] if bias else 0.0)
            inputs.append(a)
            zs.append(z)
            a = nn.relu(z) if layer < layers or relu_on_logits else z
        loss, delta = _softmax_cross_entropy(a, y)
        if relu_on_logits:
            delta = delta * (zs[-1] > 0)
        grads = {}
        for layer in range(layers, 0, -1):
            below = inputs[layer - 1] if input_from == "below" else (
                nn.relu(zs[layer - 1]) if layer < layers else zs[layer - 1])
            grads[f"W{layer}"], grads[f"b{layer}"] = below.T @ delta, delta.sum(axis=0)
            if layer > 1:
                delta = delta @ params[f"W{layer}"].T
                if mask == "below":
                    delta = delta * (zs[layer - 2] > 0)
                elif mask == "this layer":
                    delta = delta * (zs[layer - 1] > 0)
        return loss, {name: grads[name] for name in params}
    return loss_and_grads


def _mlp_case(label, sizes, n, seed, hint=""):
    rng = np.random.default_rng(seed)
    params = nn.init_mlp(sizes, rng)
    for name in params:
        if name.startswith("b"):
            params[name] = rng.normal(0, 0.1, size=params[name].shape).round(3)
    return Case(label, {"params": params, "X": rng.normal(size=(n, sizes[0])).round(2),
                        "y": rng.integers(0, sizes[-1], size=n)}, hint)


def _locate_layer(got, expected) -> str:
    """Which part of a wrong (loss, grads) is wrong, and where in the backward pass to look."""
    if not (isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[1], dict)
            and got[1].keys() == expected[1].keys()):
        return "return (loss, grads) with grads a dict of the keys and shapes of params: 'W1', 'b1', …"
    if not _same(got[0], expected[0]):
        return ("the loss is wrong, so the forward pass is: z = aW + b in every layer, a ReLU after every layer "
                "but the last, then softmax_cross_entropy of the last z.")
    layers = len(expected[1]) // 2
    wrong = [layer for layer in range(1, layers + 1)
             if not all(_same(got[1][f"{kind}{layer}"], expected[1][f"{kind}{layer}"]) for kind in "Wb")]
    top = max(wrong)
    W_right = _same(got[1][f"W{top}"], expected[1][f"W{top}"])
    b_right = _same(got[1][f"b{top}"], expected[1][f"b{top}"])
    if W_right != b_right:
        return (f"in layer {top}, " + (f"dW{top} is right and db{top} is not: db = δ summed over the batch, "
                                       f"delta.sum(axis=0)." if W_right else
                                       f"db{top} is right and dW{top} is not: dW = aᵀδ with a the layer's input, "
                                       f"{'X' if top == 1 else f'ReLU(z{top - 1})'}."))
    if top == layers:
        return (f"the gradients of the last layer (W{layers}, b{layers}) are wrong: δ = (p − onehot(y))/n from "
                f"softmax_cross_entropy, then dense_backward with that layer's input a (the ReLU of the layer below, "
                f"or X).")
    return (f"the gradients of layer {top + 1} are right and those of layer {top} are not: look at the step from "
            f"δ{top + 1} down to δ{top} = (δ{top + 1} W{top + 1}ᵀ) ⊙ 1[z{top} > 0], with the mask from z of layer "
            f"{top}, the layer below.")


@checker
def check_mlp_loss_and_grads(mlp_loss_and_grads) -> None:
    """mlp_loss_and_grads(params, X, y) = (mean cross-entropy, grads): forward and backward through any number of
    dense layers with ReLUs between them, as course_lib.nn.loss_and_grads."""
    __tracebackhide__ = True
    digits = load_digits(seed=0)
    cases = [
        _mlp_case("3 layers of 5 units, a batch of 6", [5, 5, 5, 5], 6, seed=14),
        _mlp_case("2 layers, 6 → 4 → 3, a batch of 8", [6, 4, 3], 8, seed=15),
        _mlp_case("a batch of 1", [4, 3, 2], 1, seed=16),
        _mlp_case("1 layer (no hidden layer, no ReLU)", [4, 3], 5, seed=17,
                  hint="with one layer the logits are XW¹ + b¹: no ReLU, and δ¹ = (p − onehot(y))/n is all you need."),
        Case("the digits network 64 → 32 → 10, 20 images",
             {"params": nn.init_mlp([64, 32, 10], np.random.default_rng(18)), "X": digits.X_train[:20],
              "y": digits.y_train[:20]}),
    ]
    mistakes = [
        Mistake("no ReLU after the last layer: the logits are z of the last layer as they are (a ReLU there would "
                "zero every negative score before the softmax).", _mlp_variant(relu_on_logits=True)),
        Mistake("the gradients of the layers below the ReLUs are wrong: the ReLU blocks the gradient where it "
                "output 0. Going down, δ of the layer below is relu_backward(δ Wᵀ, z of that layer).",
                _mlp_variant(mask="none")),
        Mistake("the ReLU mask comes from the layer below: δ^(l−1) = (δ^l W^lᵀ) ⊙ 1[z^(l−1) > 0], with z of layer "
                "l − 1, whose ReLU the gradient goes back through, not z of layer l.", _mlp_variant(mask="this layer")),
        Mistake("dW of a layer is (its input)ᵀδ: a of the layer below (or X), not the layer's own output.",
                _mlp_variant(input_from="this layer")),
        Mistake("the forward pass adds the bias: z = aW + b.", _mlp_variant(bias=False)),
    ]
    _compare_with_dicts("mlp_loss_and_grads", mlp_loss_and_grads, nn.loss_and_grads, cases, mistakes,
                        parts=("loss", "grads"),
                        hint="forward: z = aW + b, a = ReLU(z) except after the last layer; backward from "
                             "δ = (p − onehot(y))/n: dense_backward, then relu_backward with z of the layer below.",
                        locate=_locate_layer)


def _difference_quotient(plus, minus, divisor, whole=False):
    """(loss_fn(θ + plus·ε·e) − loss_fn(θ + minus·ε·e)) / (divisor·ε), e one entry (or the whole array)."""
    def derivative(loss_fn, params, name, index, eps):
        def at(shift):
            moved = _copied(params)
            if whole:
                moved[name] = moved[name] + shift * eps
            else:
                moved[name][index] += shift * eps
            return loss_fn(moved)
        return (at(plus) - at(minus)) / (divisor * eps)
    return derivative


@checker
def check_numerical_derivative(numerical_derivative) -> None:
    """numerical_derivative(loss_fn, params, name, index, eps) = (L(θ + εe) − L(θ − εe))/(2ε) for the entry
    params[name][index], params unchanged."""
    __tracebackhide__ = True
    rng = np.random.default_rng(19)
    digits = load_digits(seed=0)
    X, y = digits.X_train[:10], digits.y_train[:10]

    def cubic(params):
        return float(np.sum(params["w"] ** 3) + np.sum(np.sin(params["b"])))

    def network(params):
        return nn.loss_and_grads(params, X, y)[0]

    cubic.__name__ = "L(w, b) = Σ w³ + Σ sin b"
    network.__name__ = "the MLP's mean cross-entropy on 10 digits"
    small = {"w": np.array([[1.0, -0.5, 2.0], [0.3, 0.7, -1.2]]), "b": np.array([0.5, -1.0, 2.0])}
    mlp = nn.init_mlp([64, 8, 10], rng)
    mlp["b1"] = rng.normal(0, 0.1, size=8)
    cases = [
        Case("w[0, 2] of a cubic", {"loss_fn": cubic, "params": small, "name": "w", "index": (0, 2), "eps": 1e-5}),
        Case("b[1] of a cubic", {"loss_fn": cubic, "params": small, "name": "b", "index": (1,), "eps": 1e-5}),
        Case("ε = 0.01", {"loss_fn": cubic, "params": small, "name": "w", "index": (1, 2), "eps": 1e-2},
             hint="with a larger ε the difference quotient differs more from the derivative; it must still be "
                  "the central one, (L(θ + ε) − L(θ − ε))/(2ε)."),
        Case("the network, W1[3, 5]", {"loss_fn": network, "params": mlp, "name": "W1", "index": (3, 5), "eps": 1e-5}),
        Case("the network, b2[7]", {"loss_fn": network, "params": mlp, "name": "b2", "index": (7,), "eps": 1e-5}),
    ]
    mistakes = [
        Mistake("use the central difference (L(θ + ε) − L(θ − ε))/(2ε): the one-sided (L(θ + ε) − L(θ))/ε is off "
                "by about ε·L''/2, the central one by ε²·L'''/6.", _difference_quotient(1, 0, 1)),
        Mistake("use the central difference (L(θ + ε) − L(θ − ε))/(2ε), not the one-sided (L(θ) − L(θ − ε))/ε.",
                _difference_quotient(0, -1, 1)),
        Mistake("θ + ε and θ − ε are 2ε apart: divide by 2ε.", _difference_quotient(1, -1, 1)),
        Mistake("the sign: (L(θ + ε) − L(θ − ε))/(2ε), the value at θ + ε first.", _difference_quotient(-1, 1, 2)),
        Mistake("change one entry, params[name][index], not the whole array: moving every entry by ε measures the "
                "sum of their derivatives.", _difference_quotient(1, -1, 2, whole=True)),
    ]
    _compare_with_dicts("numerical_derivative", numerical_derivative, _difference_quotient(1, -1, 2), cases, mistakes,
                        hint="L(θ + ε·e) and L(θ − ε·e) with only params[name][index] moved, then their difference "
                             "divided by 2ε; put the entry back as it was.")


def _clip_variant(norm_of=lambda grads: nn.global_norm(grads), scale="min", per_array=False, norm_after=False,
                  by_value=False):
    def clip(grads, max_norm):
        if by_value:
            clipped = {key: np.clip(g, -max_norm, max_norm) for key, g in grads.items()}
            return clipped, float(nn.global_norm(grads))
        if per_array:
            clipped = {key: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for key, g in grads.items()}
        else:
            norm = norm_of(grads)
            factor = min(1.0, max_norm / (norm + 1e-6)) if scale == "min" else max_norm / (norm + 1e-6)
            clipped = {key: g * factor for key, g in grads.items()}
        return clipped, float(nn.global_norm(clipped) if norm_after else norm_of(grads))
    return clip


@checker
def check_clip_by_global_norm(clip_by_global_norm) -> None:
    """clip_by_global_norm(grads, max_norm) = ({k: g·min(1, c/(‖g‖ + 1e-6))}, ‖g‖), ‖g‖ over all arrays together."""
    __tracebackhide__ = True
    rng = np.random.default_rng(20)
    params = nn.init_mlp([6, 4, 3], rng)
    _, network_grads = nn.loss_and_grads(params, rng.normal(size=(8, 6)), rng.integers(0, 3, size=8))
    thirteen = {"W1": np.array([[3.0, 0.0], [0.0, 4.0]]), "b1": np.array([12.0, 0.0])}
    uneven = {"W1": np.full((3, 2), 0.1), "b1": np.array([0.1, -0.1]), "W2": np.array([[30.0], [-40.0]]),
              "b2": np.array([0.5])}
    cases = [
        Case("‖g‖ = 13 above c = 1", {"grads": thirteen, "max_norm": 1.0}),
        Case("‖g‖ = 13 below c = 20: unchanged", {"grads": thirteen, "max_norm": 20.0},
             hint="below the threshold the gradients stay as they are: the factor is min(1, c/‖g‖)."),
        Case("zero gradients", {"grads": {"W1": np.zeros((2, 2)), "b1": np.zeros(2)}, "max_norm": 1.0},
             hint="‖g‖ = 0 is below any threshold: nothing changes (the 1e-6 keeps c/(‖g‖ + 1e-6) finite)."),
        Case("one large array among small ones", {"grads": uneven, "max_norm": 5.0}),
        Case("a network's gradients", {"grads": network_grads, "max_norm": 0.1}),
    ]
    mistakes = [
        Mistake("clip by the global norm: one factor for all the arrays, from the norm of all their entries "
                "together. You clipped each array by its own norm, which changes the direction of the step.",
                _clip_variant(per_array=True)),
        Mistake("gradients whose norm is below the threshold stay as they are: the factor is min(1, c/(‖g‖ + 1e-6)); "
                "you scaled every gradient to the length c.", _clip_variant(scale="always")),
        Mistake("the norm is the square root of the sum of all the squares, √(Σ g²).",
                _clip_variant(norm_of=lambda grads: float(sum(np.sum(g**2) for g in grads.values())))),
        Mistake("‖g‖ is the norm of all the entries together, √(Σ over all arrays of Σ g²), not the sum of the "
                "arrays' norms.", _clip_variant(norm_of=lambda grads: float(sum(np.linalg.norm(g)
                                                                                for g in grads.values())))),
        Mistake("return the norm before clipping (what the gradient was), as PyTorch's clip_grad_norm_ does.",
                _clip_variant(norm_after=True)),
        Mistake("that is clipping by value, each entry to [−c, c] (np.clip): it changes the direction. Clipping "
                "by the global norm scales all entries by one factor.", _clip_variant(by_value=True)),
        Mistake("return two things: the clipped gradients (a dict) and the norm before clipping.",
                lambda grads, max_norm: nn.clip_by_global_norm(grads, max_norm)[0]),
    ]
    _compare_with_dicts("clip_by_global_norm", clip_by_global_norm, nn.clip_by_global_norm, cases, mistakes,
                        parts=("clipped", "norm"),
                        hint="‖g‖ = √(Σ over every array of Σ g²); every array times min(1, c/(‖g‖ + 1e-6)); "
                             "return (clipped, ‖g‖).")


def _train_step(params, state, X, y, optimizer, max_norm, *, clip=True, by_hand=False, loss_after=False):
    """The reference (and, with a keyword, a mistake): loss and grads, clipping, one update."""
    loss, grads = nn.loss_and_grads(params, X, y)
    if max_norm is not None and clip:
        grads, _ = nn.clip_by_global_norm(grads, max_norm)
    if by_hand:
        new_params = {key: params[key] - optimizer.lr * grads[key] for key in params}
        new_state = {**state, "t": state["t"] + 1}
    else:
        new_params, new_state = optimizer.update(params, grads, state)
    if loss_after:
        loss = nn.loss_and_grads(new_params, X, y)[0]
    return new_params, new_state, loss


@checker
def check_train_step(train_step) -> None:
    """train_step(params, state, X, y, optimizer, max_norm) = (params', state', loss): loss and gradients of the
    batch, clipped to max_norm (None: no clipping), then optimizer.update."""
    __tracebackhide__ = True
    rng = np.random.default_rng(21)
    params = nn.init_mlp([6, 5, 3], rng)
    X, y = rng.normal(size=(8, 6)).round(2), rng.integers(0, 3, size=8)
    sgd, adam = SGD(lr=0.5), Adam(lr=0.01)
    later = adam.init(params)
    later_params = params
    for _ in range(3):
        later_params, later = adam.update(later_params, nn.loss_and_grads(later_params, X, y)[1], later)

    def step(label, optimizer, max_norm, at=(params, None), rows=slice(None), hint=""):
        start, state = at
        return Case(label, {"params": start, "state": optimizer.init(start) if state is None else state,
                            "X": X[rows], "y": y[rows], "optimizer": optimizer, "max_norm": max_norm}, hint)

    cases = [
        step("SGD, no clipping", sgd, None,
             hint="with max_norm = None the gradients go to the optimizer as they are."),
        step("SGD, clipped at 0.1", sgd, 0.1),
        step("Adam, clipped at 0.1, its first step", adam, 0.1),
        step("Adam, a later step (t = 4)", adam, 0.1, at=(later_params, later)),
        step("SGD, a batch of 1", sgd, 0.1, rows=slice(0, 1)),
    ]
    mistakes = [
        Mistake("clip the gradients when max_norm is given: grads, _ = clip_by_global_norm(grads, max_norm), "
                "before the update.", lambda *args: _train_step(*args, clip=False)),
        Mistake("let the optimizer take the step: params, state = optimizer.update(params, grads, state). "
                "θ − η·g is SGD's step only; Adam's divides by √v̂ and keeps m and v in the state.",
                lambda *args: _train_step(*args, by_hand=True)),
        Mistake("return the loss of the batch before the update, the loss the gradients belong to (what "
                "nn.train records as batch_loss).", lambda *args: _train_step(*args, loss_after=True)),
        Mistake("return the new state that optimizer.update gives, not the old one: it holds the step count t "
                "and the optimizer's averages.",
                lambda params, state, *rest: (lambda p, s, loss: (p, state, loss))(*_train_step(params, state, *rest))),
        Mistake("return (params, state, loss) in this order.",
                lambda *args: (lambda p, s, loss: (p, loss, s))(*_train_step(*args))),
    ]
    _compare_with_dicts("train_step", train_step, _train_step, cases, mistakes,
                        parts=("params", "state", "loss"),
                        hint="loss, grads = mlp_loss_and_grads(params, X, y); clip when max_norm is not None; "
                             "params, state = optimizer.update(params, grads, state); return (params, state, loss).")
