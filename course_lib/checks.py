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
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import theory
from .averages import effective_window as _effective_window
from .averages import ema as _ema
from .averages import ema_weights
from .data import LinearRegression, linear_data, mean_squared_error_gradient
from .data import minibatches as _minibatches
from .optim import SGD
from .problems import Quadratic

__all__ = ["Case", "Mistake", "Batches", "compare", "fail", "checker", "CHECKERS",
           "check_gd_step", "check_gradient_descent", "check_lr_limit_and_best",
           "check_minibatches", "check_minibatch_gradient", "check_sgd_epoch",
           "check_ema", "check_effective_window", "check_weight_of_newest", "check_ema_bias_corrected",
           "check_smooth_losses"]

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
