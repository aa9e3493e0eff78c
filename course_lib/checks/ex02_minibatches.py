"""The checks of exercise 02: mini-batches.

The checkers of minibatches, minibatch_gradient, sgd_epoch. Each is listed in `CHECKERS` by
`@checker`, and `course_lib.checks` re-exports it.
"""

from __future__ import annotations

import numpy as np

from .. import data, optim
from ..data import linear_data, mean_squared_error_gradient
from ..data import minibatches as _minibatches
from ..optim import SGD
from .machinery import Batches, Case, Mistake, _add_note, _Hidden, _show, _success, checker, compare, fail

EXERCISE = "02"
TASKS = {"minibatches": 1, "minibatch_gradient": 2, "sgd_epoch": 3}  # the task of each checked function, for the messages


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
        with _Hidden([(data, "minibatches", "data.minibatches")], minibatches) as recorded:
            batches = list(minibatches(X_given, y_given, batch_size, rng))
    except NotImplementedError as error:
        _add_note(error, "Not written yet: replace `raise NotImplementedError()` by your code, "
                         "run that cell, then run this check again.")
        raise
    except Exception as error:
        _add_note(error, f"(This came from your code, while checking {name}: {where})")
        raise
    if recorded.used:
        fail(name, where, [call, "it calls the course's own data.minibatches, the very thing this task asks you "
                                 "to write (and what the check compares with)"],
             "write minibatches yourself: order = rng.permutation(n), then yield X[batch], y[batch] for each "
             "slice of the order.")
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
        Case("integer params and data", {"params": np.array([1, 2]), "x_batch": np.array([1, 2, 4]),
                                         "y_batch": np.array([4, 3, 9])},
             hint="with integers in, the gradient has fractions: fill it into an array of dtype=float, not one "
                  "made like the integer params (np.zeros_like(params))."),
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
            hidden=[(data, "mean_squared_error_gradient", "data.mean_squared_error_gradient"),
                    (data.LinearRegression, "grad", "LinearRegression.grad")],
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
        Case("integer params, 5 batches of 2", {"params": np.array([1, 0]), "batches": batches_of(2, 6), "lr": 0.01},
             hint="start from a float copy, np.array(params, dtype=float): `params -= …` cannot write fractions "
                  "into an integer array."),
    ]

    def first_batch_only(params, batches, lr):
        return _sgd_epoch(params, [next(iter(batches))], lr)

    def one_step_per_epoch(params, batches, lr):
        gradients = [mean_squared_error_gradient(params, xb, yb) for xb, yb in batches]
        return params - lr * np.mean(gradients, axis=0)

    def every_step_from_the_start(params, batches, lr):
        *_, (x_last, y_last) = batches
        return params - lr * mean_squared_error_gradient(params, x_last, y_last)

    def gradients_at_the_start(params, batches, lr):
        gradients = [mean_squared_error_gradient(params, xb, yb) for xb, yb in batches]
        return params - lr * np.sum(gradients, axis=0)

    mistakes = [
        Mistake("each batch's gradient must be taken at the current params, after the steps before it: you "
                "computed every gradient at the params the epoch started from.", gradients_at_the_start),
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
    compare("sgd_epoch", sgd_epoch, _sgd_epoch, cases, mistakes, hidden=[(optim.SGD, "rule", "SGD")],
            hint="for each (x_batch, y_batch): params = params − lr · minibatch_gradient(params, x_batch, y_batch).")
