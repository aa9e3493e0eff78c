"""Synthetic data, the mini-batch iterator and least squares as a Problem (course_lib.data)."""

import numpy as np
import pytest

from course_lib.data import (LinearRegression, batch_sizes, linear_data, mean_squared_error,
                             mean_squared_error_gradient, minibatches, noisy_signal, two_moons)
from course_lib.optim import SGD
from course_lib.run import run


def rng(seed=0):
    return np.random.default_rng(seed)


# -- generators -----------------------------------------------------------------------------------

def test_linear_data_is_the_line_3x_plus_4_with_noise():
    x, y = linear_data(20_000, rng(), noise=0.5)
    assert x.shape == y.shape == (20_000,)
    assert x.min() >= 0 and x.max() < 2
    slope, intercept = np.polyfit(x, y, 1)
    assert slope == pytest.approx(3, abs=0.03) and intercept == pytest.approx(4, abs=0.03)
    assert np.std(y - (3 * x + 4)) == pytest.approx(0.5, rel=0.03)


@pytest.mark.parametrize("make", [lambda g: linear_data(50, g), lambda g: two_moons(50, g),
                                  lambda g: (noisy_signal(50, g),)], ids=["line", "moons", "signal"])
def test_same_seed_same_data_and_another_seed_other_data(make):
    first, again, other = make(rng(1)), make(rng(1)), make(rng(2))
    for a, b, c in zip(first, again, other):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


def test_two_moons_without_noise_lie_on_their_half_circles():
    X, y = two_moons(201, rng(), noise=0.0)
    assert X.shape == (201, 2) and y.shape == (201,)
    assert set(np.unique(y)) == {0, 1} and abs(np.sum(y == 0) - np.sum(y == 1)) <= 1
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(1 - lower[:, 0], 0.5 - lower[:, 1]), 1.0)
    assert np.all(upper[:, 1] >= 0) and np.all(lower[:, 1] <= 0.5)
    assert 0 < np.sum(y[:100] == 0) < 100  # the classes are mixed, not sorted


@pytest.mark.parametrize("call, message", [
    (lambda: linear_data(0, rng()), "n must be a whole number ≥ 1"),
    (lambda: linear_data(10, np.random), "np.random.default_rng"),
    (lambda: linear_data(10, rng(), noise=-1), "standard deviation"),
    (lambda: two_moons(10.5, rng()), "whole number"),
    (lambda: noisy_signal(10, 0), "numpy random generator"),
])
def test_bad_arguments_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- mini-batches -----------------------------------------------------------------------------------

def test_each_epoch_uses_every_example_once_and_keeps_x_with_its_y():
    X = np.arange(23.0)[:, None] * [1.0, -1.0]
    y = np.arange(23)
    batches = list(minibatches(X, y, 5, rng()))
    np.testing.assert_array_equal(np.sort(np.concatenate([b for _, b in batches])), y)
    for X_batch, y_batch in batches:
        np.testing.assert_array_equal(X_batch[:, 0], y_batch)


def test_the_last_batch_is_smaller_when_n_is_not_a_multiple():
    sizes = [len(y) for _, y in minibatches(np.zeros(23), np.arange(23), 5, rng())]
    assert sizes == [5, 5, 5, 5, 3] == list(batch_sizes(23, 5))
    assert list(batch_sizes(20, 5)) == [5, 5, 5, 5] and list(batch_sizes(7, 7)) == [7]


def test_each_call_draws_a_new_order_from_the_generator_and_seeds_repeat():
    y = np.arange(40)
    generator = rng(3)
    first = np.concatenate([b for _, b in minibatches(y, y, 8, generator)])
    second = np.concatenate([b for _, b in minibatches(y, y, 8, generator)])
    assert not np.array_equal(first, second)
    again = rng(3)
    np.testing.assert_array_equal(np.concatenate([b for _, b in minibatches(y, y, 8, again)]), first)
    assert not np.array_equal(first, y)


def test_without_shuffling_the_order_is_kept():
    y = np.arange(10)
    batches = [b for _, b in minibatches(y, y, 4, None, shuffle=False)]
    np.testing.assert_array_equal(np.concatenate(batches), y)


@pytest.mark.parametrize("batch_size, message", [
    (0, "between 1 and the number of examples \\(10\\), got 0"),
    (11, "got 11: 1 is stochastic gradient descent, 10 is full-batch"),
    (2.5, "whole number of examples"),
    (True, "whole number of examples"),
    ("4", "whole number of examples"),
])
def test_bad_batch_sizes_raise_at_once_with_a_helpful_message(batch_size, message):
    with pytest.raises(ValueError, match=message):
        minibatches(np.zeros(10), np.zeros(10), batch_size, rng())  # not only when iterated


def test_minibatches_needs_as_many_labels_as_examples_and_a_generator():
    with pytest.raises(ValueError, match="same number of examples"):
        minibatches(np.zeros(10), np.zeros(9), 2, rng())
    with pytest.raises(ValueError, match="random generator"):
        minibatches(np.zeros(10), np.zeros(10), 2, 42)


# -- least squares as a Problem -------------------------------------------------------------------

@pytest.fixture
def fit():
    return LinearRegression(*linear_data(60, rng(5)))


def test_the_minimum_is_the_least_squares_line(fit):
    slope, intercept = np.polyfit(fit.x, fit.y, 1)
    np.testing.assert_allclose(fit.minima[0], [slope, intercept], rtol=1e-10)
    np.testing.assert_allclose(fit.grad(fit.minima[0]), 0.0, atol=1e-10)
    assert fit.min_value == pytest.approx(np.mean((slope * fit.x + intercept - fit.y) ** 2))
    nearby = fit.minima[0] + rng().normal(scale=0.1, size=(50, 2))
    assert np.all(fit.value(nearby) > fit.min_value)


def test_value_and_gradient_match_a_loop_and_finite_differences(fit):
    params = rng(1).normal(size=(4, 3, 2))
    values, grads = fit.value(params), fit.grad(params)
    assert values.shape == (4, 3) and grads.shape == (4, 3, 2)
    w, b = params[2, 1]
    assert values[2, 1] == pytest.approx(sum((w * xi + b - yi) ** 2 for xi, yi in zip(fit.x, fit.y)) / fit.x.size)
    h = 1e-6
    numeric = np.stack([(fit.value(params + h * e) - fit.value(params - h * e)) / (2 * h) for e in np.eye(2)], axis=-1)
    np.testing.assert_allclose(grads, numeric, rtol=1e-6, atol=1e-6)


def test_the_hessian_is_the_curvature_of_the_loss(fit):
    h = 1e-5
    numeric = np.stack([(fit.grad(fit.start + h * e) - fit.grad(fit.start - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(fit.hessian, numeric, rtol=1e-6)


def test_gradient_descent_below_the_stability_limit_finds_the_least_squares_line(fit):
    limit = 2 / np.linalg.eigvalsh(fit.hessian).max()
    path = run(SGD(lr=0.9 * limit), fit, fit.start, 2000)
    np.testing.assert_allclose(path.final_point, fit.minima[0], atol=1e-6)
    assert run(SGD(lr=1.1 * limit), fit, fit.start, 2000).diverged_at is not None


def test_the_bounds_show_the_start_and_the_minimum(fit):
    for coordinate, (low, high) in enumerate(fit.bounds):
        for point in (fit.start, fit.minima[0]):
            assert low < point[coordinate] < high


def test_minibatch_gradients_average_to_the_full_gradient_over_an_epoch(fit):
    params = np.array([1.0, -2.0])
    gradient = fit.minibatch_gradient(7, rng())
    sizes = batch_sizes(fit.x.size, 7)
    weighted = sum(size * gradient(params) for size in sizes) / fit.x.size
    np.testing.assert_allclose(weighted, fit.grad(params), rtol=1e-12)
    one_batch = fit.minibatch_gradient(fit.x.size, rng())
    np.testing.assert_allclose(one_batch(params), fit.grad(params), rtol=1e-12)
    assert not np.allclose(gradient(params), fit.grad(params))  # a single batch is noisy


def test_minibatch_sgd_runs_through_run_and_is_repeatable(fit):
    def sgd(seed):
        return run(SGD(lr=0.05), fit.minibatch_gradient(6, rng(seed)), fit.start, 50, loss=fit.value)
    first, again, other = sgd(0), sgd(0), sgd(1)
    np.testing.assert_array_equal(first.points, again.points)
    assert not np.array_equal(first.points, other.points)
    assert first.losses[-1] < first.losses[0] / 10
    with pytest.raises(ValueError, match="batch_size"):
        fit.minibatch_gradient(0, rng())


def test_the_helpers_work_on_any_data_and_the_problem_checks_its_data():
    params = np.array([2.0, 1.0])
    x, y = np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 6.0])  # residuals 0, 0, −1
    assert mean_squared_error(params, x, y) == pytest.approx(1 / 3)
    np.testing.assert_allclose(mean_squared_error_gradient(params, x, y), [-4 / 3, -2 / 3])
    with pytest.raises(ValueError, match="same length"):
        LinearRegression(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="finite"):
        LinearRegression(np.array([0.0, np.nan]), np.zeros(2))


def test_the_digits_load_split_stratified_and_standardized_on_the_training_part():
    from course_lib.data import load_digits

    digits = load_digits(seed=0)
    sizes = [len(digits.y_train), len(digits.y_val), len(digits.y_test)]
    assert sum(sizes) == 1797 and sizes[1] == sizes[2] and abs(sizes[0] / 1797 - 0.6) < 0.01
    for part in (digits.y_train, digits.y_val, digits.y_test):   # every digit in the same proportion
        counts = np.bincount(part, minlength=10)
        assert counts.max() - counts.min() <= 0.06 * len(part)
    assert digits.X_train.shape[1] == 64
    used = digits.std != 1.0
    np.testing.assert_allclose(digits.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(digits.X_train.std(axis=0)[used], 1)
    assert abs(digits.X_test.mean()) > 1e-6                      # test statistics were not used
    again, other = load_digits(seed=0), load_digits(seed=1)
    np.testing.assert_array_equal(again.X_val, digits.X_val)
    assert not np.array_equal(other.y_train, digits.y_train)
    raw = load_digits(standardize=False)
    assert raw.X_train.min() == 0 and raw.X_train.max() == 16


def test_bad_digit_split_fractions_are_refused():
    from course_lib.data import load_digits

    with pytest.raises(ValueError, match="validation_fraction"):
        load_digits(validation_fraction=1.2)
    with pytest.raises(ValueError, match="leave some examples"):
        load_digits(validation_fraction=0.5, test_fraction=0.5)
