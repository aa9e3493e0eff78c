r"""Data for the lessons: a noisy line, two moons, mini-batches, and least squares as a `Problem`.

Randomness always comes from a generator you pass in, ``rng = np.random.default_rng(seed)``, never
from the global ``np.random``: the same seed gives the same data, on every machine.

    >>> import numpy as np
    >>> from course_lib.data import LinearRegression, linear_data
    >>> x, y = linear_data(100, np.random.default_rng(0))     # y = 3x + 4 + noise
    >>> fit = LinearRegression(x, y)
    >>> w, b = fit.minima[0]                                   # the least-squares line
    >>> print(f"w = {w:.2f}, b = {b:.2f}")
    w = 2.93, b = 3.99

`LinearRegression` is a `course_lib.problems.Problem` over the parameters (w, b), so `run`,
`contour` and the explorers work on it as on any test function; its `minibatch_gradient` gives
the stochastic gradients of lesson 02.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .optimizer_base import switch
from .problems import Problem

__all__ = ["linear_data", "two_moons", "noisy_signal", "minibatches", "batch_sizes",
           "mean_squared_error", "mean_squared_error_gradient", "LinearRegression", "Digits", "load_digits"]


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy random generator, e.g. np.random.default_rng(0), got {rng!r}")
    return rng


def _check_count(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return int(value)


def linear_data(n: int, rng, slope: float = 3.0, intercept: float = 4.0, noise: float = 1.0):
    """n points of the line y = slope·x + intercept plus Gaussian noise, x uniform in [0, 2).

    Returns (x, y), two arrays of shape (n,). The defaults give y = 3x + 4 + noise, the example of
    deeplearning.ai's course and of many first tutorials on gradient descent.
    """
    n, rng = _check_count("n", n), _check_rng(rng)
    if not 0 <= noise < np.inf:
        raise ValueError(f"noise is a standard deviation; it must be finite and ≥ 0, got {noise!r}")
    x = 2 * rng.random(n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    return x, y


def two_moons(n: int, rng, noise: float = 0.1):
    """Two interleaving half circles, a small classification problem no straight line separates.

    Returns X of shape (n, 2) and labels y of shape (n,) in {0, 1}, in random order: the upper
    moon (label 0) is the half circle of radius 1 around (0, 0), the lower one (label 1) the same
    turned upside down around (1, 0.5). Each point is moved by Gaussian noise of std `noise`.
    The same shapes as scikit-learn's ``make_moons``, without needing scikit-learn.
    """
    n, rng = _check_count("n", n, minimum=2), _check_rng(rng)
    if not 0 <= noise < np.inf:
        raise ValueError(f"noise is a standard deviation; it must be finite and ≥ 0, got {noise!r}")
    y = rng.permutation(np.arange(n) % 2)
    angle = np.pi * rng.random(n)
    upper = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = np.column_stack([1 - np.cos(angle), 0.5 - np.sin(angle)])
    X = np.where(y[:, None] == 0, upper, lower) + noise * rng.standard_normal((n, 2))
    return X, y


def noisy_signal(n: int, rng, noise: float = 2.0) -> np.ndarray:
    """A slow wave around 10 plus Gaussian noise, n values: the series lesson 03 averages.

    value_t = 10 + 4 sin(2π t / 100) + noise · N(0, 1), t = 0 … n − 1 (think of daily temperatures).
    Its level is far from 0, so an EMA started at 0 is visibly too small at first.
    """
    n, rng = _check_count("n", n), _check_rng(rng)
    if not 0 <= noise < np.inf:
        raise ValueError(f"noise is a standard deviation; it must be finite and ≥ 0, got {noise!r}")
    t = np.arange(n)
    return 10 + 4 * np.sin(2 * np.pi * t / 100) + noise * rng.standard_normal(n)


def _check_batch_size(batch_size, n: int) -> int:
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, numbers.Integral):
        raise ValueError(f"batch_size must be a whole number of examples, got {batch_size!r}")
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be between 1 and the number of examples ({n}), got {batch_size}: "
                         f"1 is stochastic gradient descent, {n} is full-batch gradient descent")
    return int(batch_size)


def batch_sizes(n: int, batch_size: int) -> np.ndarray:
    """The sizes of the mini-batches of one epoch: ⌈n / b⌉ batches, all of size b but the last.

    >>> batch_sizes(10, 4)
    array([4, 4, 2])
    """
    n = _check_count("n", n)
    batch_size = _check_batch_size(batch_size, n)
    sizes = np.full(-(-n // batch_size), batch_size)
    sizes[-1] = n - batch_size * (sizes.size - 1)
    return sizes


def minibatches(X, y, batch_size: int, rng, shuffle: bool = True):
    """One epoch of mini-batches: yields (X_batch, y_batch) pairs that use every example once.

    The examples are put in a new random order (drawn from `rng` when you call this function) and
    cut into batches of `batch_size`. When n is not a multiple of `batch_size`, the last batch is
    smaller (n mod batch_size examples) rather than dropped or padded; `batch_sizes` lists them.
    Call it again for the next epoch: each call draws a new order. With ``shuffle=False`` the
    examples keep their order and `rng` may be None.

    X has shape (n, ...) and y shape (n, ...): the first axis counts the examples.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of examples along their first axis, "
                         f"got shapes {X.shape} and {y.shape}")
    n = X.shape[0]
    batch_size = _check_batch_size(batch_size, n)
    order = _check_rng(rng).permutation(n) if switch("shuffle", shuffle) else np.arange(n)
    # The order is drawn now, not when iteration starts, so the random stream stays predictable.
    return ((X[batch], y[batch]) for batch in np.array_split(order, range(batch_size, n, batch_size)))


def _residuals(params, x, y):
    """w·x + b − y for params (w, b) of shape (..., 2): shape (..., n)."""
    params = np.asarray(params, dtype=float)
    w, b = params[..., 0:1], params[..., 1:2]
    return w * x + b - y


def mean_squared_error(params, x, y):
    r"""L(w, b) = (1/n) Σ (w xᵢ + b − yᵢ)², for params (w, b) of shape (..., 2)."""
    return np.mean(_residuals(params, x, y) ** 2, axis=-1)


def mean_squared_error_gradient(params, x, y):
    r"""∇L = ((2/n) Σ rᵢ xᵢ, (2/n) Σ rᵢ) with rᵢ = w xᵢ + b − yᵢ; the shape of params (..., 2)."""
    residuals = _residuals(params, x, y)
    return np.stack([2 * np.mean(residuals * x, axis=-1), 2 * np.mean(residuals, axis=-1)], axis=-1)


class LinearRegression(Problem):
    r"""Fitting the line y ≈ w x + b by least squares, as a problem over the parameters (w, b).

    f(w, b) is the mean squared error over all n examples. It is a quadratic with Hessian
    H = (2/n) Σ (xᵢ, 1)ᵀ(xᵢ, 1), so gradient descent on it is stable for lr < 2/λ_max(H), like on
    any quadratic (lesson 01). The minimum is the least-squares solution.
    """

    axis_labels = ("w (slope)", "b (intercept)")  # what `plots.contour` writes on its axes

    def __init__(self, x, y, name: str = "linear regression"):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.ndim != 1 or x.shape != y.shape or x.size < 2:
            raise ValueError(f"x and y must be 1-D arrays of the same length ≥ 2, got shapes {x.shape} and {y.shape}")
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise ValueError("x and y must be finite")
        self.x, self.y, self.name = x, y, name
        design = np.column_stack([x, np.ones_like(x)])  # one row (xᵢ, 1) per example
        self.minima = np.linalg.lstsq(design, y, rcond=None)[0][None, :]
        self.min_value = float(self.value(self.minima[0]))
        self.hessian = 2 / x.size * design.T @ design
        self.start = np.zeros(2)
        self.bounds = self._bounds_around(self.start, self.minima[0])

    @staticmethod
    def _bounds_around(start, minimum, margin: float = 0.3):
        """A square view that holds the start and the minimum, with a margin around both."""
        center = (start + minimum) / 2
        half = (1 + margin) * np.max(np.abs(minimum - start)) / 2 + 1.0
        return tuple((float(c - half), float(c + half)) for c in center)

    def _value(self, params):
        return mean_squared_error(params, self.x, self.y)

    def _grad(self, params):
        return mean_squared_error_gradient(params, self.x, self.y)

    def minibatch_gradient(self, batch_size: int, rng):
        """A gradient function for `run`: each call returns the gradient on the next mini-batch.

        The batches come from `minibatches`, epoch after epoch, reshuffled by `rng` at the start
        of each epoch. ``run(opt, fit.minibatch_gradient(8, rng), x0, steps, loss=fit.value)`` is
        mini-batch SGD, recording the full-data loss at every step.
        """
        batch_size = _check_batch_size(batch_size, self.x.size)
        rng = _check_rng(rng)

        def epochs():
            while True:
                yield from minibatches(self.x, self.y, batch_size, rng)

        batches = epochs()

        def gradient(params):
            x_batch, y_batch = next(batches)
            return mean_squared_error_gradient(params, x_batch, y_batch)

        gradient.__name__ = f"{self.name} (mini-batches of {batch_size})"
        return gradient


# -- a real data set: handwritten digits ---------------------------------------------------------

DIGITS_FILE = Path(__file__).parent / "datasets" / "digits.npz"  # source and licence: datasets/README.md


@dataclass
class Digits:
    """The 8×8 digits split three ways. X_* are (n, 64) floats, y_* the digits 0–9.

    Train on the training part, choose hyper-parameters on the validation part, and report the
    test part once at the end: a choice made by looking at the test accuracy is no longer tested.
    `mean` and `std` are the per-pixel statistics of the training part used to standardize all three.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def load_digits(seed: int = 0, validation_fraction: float = 0.2, test_fraction: float = 0.2,
                standardize: bool = True) -> Digits:
    """The 1 797 handwritten digits shipped with the course, split with a seed (no download).

    The split is stratified: each digit is divided in the same proportions, so every part has
    about as many 3s as 7s. With `standardize`, each pixel is shifted and scaled to mean 0 and
    standard deviation 1 on the training part (pixels that are always 0 there are left at 0);
    the same shift and scale are applied to the other parts, which must not inform them.
    """
    for name, value in (("validation_fraction", validation_fraction), ("test_fraction", test_fraction)):
        if not 0 <= value < 1:
            raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    if validation_fraction + test_fraction >= 1:
        raise ValueError("validation_fraction + test_fraction must leave some examples to train on")
    with np.load(DIGITS_FILE) as archive:
        X = archive["images"].reshape(-1, 64).astype(float)
        y = archive["labels"].astype(int)
    rng = np.random.default_rng(seed)
    parts = {"train": [], "val": [], "test": []}
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(y == digit))
        n_test, n_val = round(test_fraction * rows.size), round(validation_fraction * rows.size)
        parts["test"].append(rows[:n_test])
        parts["val"].append(rows[n_test:n_test + n_val])
        parts["train"].append(rows[n_test + n_val:])
    rows = {name: rng.permutation(np.concatenate(chunks)) for name, chunks in parts.items()}
    standardize = switch("standardize", standardize)
    mean = X[rows["train"]].mean(axis=0) if standardize else np.zeros(64)
    std = X[rows["train"]].std(axis=0) if standardize else np.ones(64)
    std = np.where(std > 0, std, 1.0)
    scaled = (X - mean) / std
    return Digits(X_train=scaled[rows["train"]], y_train=y[rows["train"]],
                  X_val=scaled[rows["val"]], y_val=y[rows["val"]],
                  X_test=scaled[rows["test"]], y_test=y[rows["test"]], mean=mean, std=std)
