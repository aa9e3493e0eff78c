"""The checks of the exercises (course_lib.checks) catch typical wrong answers, with the right hint.

Each wrong answer below is written the way a learner would write it: a loop with the mistake in
it, not a copy of the mistake models inside `checks`. The test calls the checker with it and
asserts an AssertionError whose message names the case, shows expected and got, and carries the
hint for that mistake. Right answers written differently from the reference must pass, and a
stub that raises NotImplementedError must get through unchanged.

Every checker a solution notebook calls must have at least one wrong answer here
(`test_every_checker_the_exercises_use_has_wrong_answers`): add them when you add an exercise.
"""

import doctest
import json
import re
import sys
import traceback
from pathlib import Path

import numpy as np
import pytest

from course_lib import checks
from course_lib.data import mean_squared_error_gradient

ROOT = Path(__file__).resolve().parent.parent
CHECK_CALL = re.compile(r"\bchecks\.(check_\w+)\(")


# -- exercise 01: gradient descent --------------------------------------------------------------

def gd_step_uphill(theta, grad, lr):
    return theta + lr * grad


def gd_step_in_place(theta, grad, lr):
    theta -= lr * grad
    return theta


def gd_step_without_lr(theta, grad, lr):
    return theta - grad


def gd_step_returns_the_step(theta, grad, lr):
    return lr * grad


def gradient_descent_appending_one_array(grad_fn, theta0, lr, steps):
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(steps):
        theta -= lr * grad_fn(theta)          # changes the array already in the path
        path.append(theta)
    return np.array(path)


def gradient_descent_without_start(grad_fn, theta0, lr, steps):
    theta, path = theta0, []
    for _ in range(steps):
        theta = theta - lr * grad_fn(theta)
        path.append(theta)
    return np.array(path)


def gradient_descent_gradient_at_start(grad_fn, theta0, lr, steps):
    theta, path, g = theta0, [theta0], grad_fn(theta0)
    for _ in range(steps):
        theta = theta - lr * g
        path.append(theta)
    return np.array(path)


def gradient_descent_one_step_too_many(grad_fn, theta0, lr, steps):
    theta, path = theta0, [theta0]
    for _ in range(steps + 1):
        theta = theta - lr * grad_fn(theta)
        path.append(theta)
    return np.array(path)


def gradient_descent_last_point(grad_fn, theta0, lr, steps):
    theta = theta0
    for _ in range(steps):
        theta = theta - lr * grad_fn(theta)
    return theta


def limits_with_one_over_lambda(hessian):
    eigenvalues = np.linalg.eigvalsh(hessian)
    return 1 / eigenvalues[-1], 2 / (eigenvalues[0] + eigenvalues[-1])


def limits_with_the_first_eigenvalue(hessian):
    eigenvalues = np.linalg.eigvalsh(hessian)
    lambda_max, lambda_min = eigenvalues[0], eigenvalues[-1]
    return 2 / lambda_max, 2 / (lambda_min + lambda_max)


def limits_from_the_diagonal(hessian):
    diagonal = np.diag(hessian)
    return 2 / diagonal.max(), 2 / (diagonal.min() + diagonal.max())


def best_step_one_over_lambda_max(hessian):
    eigenvalues = np.linalg.eigvalsh(hessian)
    return 2 / eigenvalues[-1], 1 / eigenvalues[-1]


def best_step_without_the_two(hessian):
    eigenvalues = np.linalg.eigvalsh(hessian)
    return 2 / eigenvalues[-1], 1 / (eigenvalues[0] + eigenvalues[-1])


# -- exercise 02: mini-batches ------------------------------------------------------------------

def minibatches_in_order(X, y, batch_size, rng):
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def minibatches_dropping_the_last(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X) - batch_size + 1, batch_size):
        batch = order[start:start + batch_size]
        yield X[batch], y[batch]


def minibatches_with_replacement(X, y, batch_size, rng):
    order = rng.integers(0, len(X), size=len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        yield X[batch], y[batch]


def minibatches_with_global_random(X, y, batch_size, rng):
    order = np.random.permutation(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        yield X[batch], y[batch]


def minibatches_shuffling_x_and_y_apart(X, y, batch_size, rng):
    X, y = rng.permutation(X), rng.permutation(y)
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def minibatches_shuffling_in_place(X, y, batch_size, rng):
    state = rng.bit_generator.state
    rng.shuffle(X)
    rng.bit_generator.state = state           # the same order for y: aligned, but both changed in place
    rng.shuffle(y)
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def minibatches_one_example_at_a_time(X, y, batch_size, rng):
    for i in rng.permutation(len(X)):
        yield X[i], y[i]


def minibatches_with_a_fixed_seed(X, y, batch_size, rng):
    order = np.random.default_rng(0).permutation(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        yield X[batch], y[batch]


def gradient_without_the_two(params, x_batch, y_batch):
    w, b = params
    r = w * x_batch + b - y_batch
    return np.array([np.mean(r * x_batch), np.mean(r)])


def gradient_summed(params, x_batch, y_batch):
    w, b = params
    r = w * x_batch + b - y_batch
    return np.array([2 * np.sum(r * x_batch), 2 * np.sum(r)])


def gradient_target_minus_prediction(params, x_batch, y_batch):
    w, b = params
    r = y_batch - (w * x_batch + b)
    return np.array([2 * np.mean(r * x_batch), 2 * np.mean(r)])


def gradient_b_first(params, x_batch, y_batch):
    w, b = params
    r = w * x_batch + b - y_batch
    return np.array([2 * np.mean(r), 2 * np.mean(r * x_batch)])


def gradient_without_x(params, x_batch, y_batch):
    w, b = params
    r = w * x_batch + b - y_batch
    return np.array([2 * np.mean(r), 2 * np.mean(r)])


def sgd_epoch_returning_in_the_loop(params, batches, lr):
    for x_batch, y_batch in batches:
        params = params - lr * mean_squared_error_gradient(params, x_batch, y_batch)
        return params


def sgd_epoch_one_step(params, batches, lr):
    gradients = [mean_squared_error_gradient(params, x_batch, y_batch) for x_batch, y_batch in batches]
    return params - lr * np.mean(gradients, axis=0)


def sgd_epoch_from_the_start_each_time(params, batches, lr):
    for x_batch, y_batch in batches:
        new_params = params - lr * mean_squared_error_gradient(params, x_batch, y_batch)
    return new_params


def sgd_epoch_in_place(params, batches, lr):
    for x_batch, y_batch in batches:
        params -= lr * mean_squared_error_gradient(params, x_batch, y_batch)
    return params


def sgd_epoch_without_lr(params, batches, lr):
    for x_batch, y_batch in batches:
        params = params - mean_squared_error_gradient(params, x_batch, y_batch)
    return params


# -- exercise 03: exponential moving averages ---------------------------------------------------

def ema_without_one_minus_beta(xs, beta):
    a, averages = 0.0, []
    for x in xs:
        a = beta * a + x
        averages.append(a)
    return np.array(averages)


def ema_started_at_the_first_value(xs, beta):
    a, averages = xs[0], []
    for x in xs:
        a = beta * a + (1 - beta) * x
        averages.append(a)
    return np.array(averages)


def ema_beta_swapped(xs, beta):
    a, averages = 0.0, []
    for x in xs:
        a = (1 - beta) * a + beta * x
        averages.append(a)
    return np.array(averages)


def ema_last_value_only(xs, beta):
    a = 0.0
    for x in xs:
        a = beta * a + (1 - beta) * x
    return a


def ema_for_one_dimension_only(xs, beta):
    averages, a = np.zeros(len(xs)), 0.0
    for t, x in enumerate(xs):
        a = beta * a + (1 - beta) * x
        averages[t] = a                      # fails for a series of vectors
    return averages


def corrected_from_t_zero(xs, beta):
    a, corrected = 0.0, []
    for t, x in enumerate(xs):
        a = beta * a + (1 - beta) * x
        corrected.append(a / (1 - beta**t))
    return np.array(corrected)


def corrected_from_t_two(xs, beta):
    a, corrected = 0.0, []
    for t, x in enumerate(xs, start=2):
        a = beta * a + (1 - beta) * x
        corrected.append(a / (1 - beta**t))
    return np.array(corrected)


def corrected_with_the_length(xs, beta):
    a, averages = 0.0, []
    for x in xs:
        a = beta * a + (1 - beta) * x
        averages.append(a)
    return np.array(averages) / (1 - beta ** len(xs))


def corrected_swapped_average(xs, beta):
    t = np.arange(1, len(xs) + 1).reshape((-1,) + (1,) * (np.ndim(xs) - 1))
    return ema_beta_swapped(xs, beta) / (1 - beta**t)


def corrected_by_multiplying(xs, beta):
    a, corrected = 0.0, []
    for t, x in enumerate(xs, start=1):
        a = beta * a + (1 - beta) * x
        corrected.append(a * (1 - beta**t))
    return np.array(corrected)


def smoothed_with_the_epoch(losses, beta):
    a, smoothed = 0.0, np.zeros_like(losses)
    for epoch in range(losses.shape[0]):
        for batch in range(losses.shape[1]):
            a = beta * a + (1 - beta) * losses[epoch, batch]
            smoothed[epoch, batch] = a / (1 - beta ** (epoch + 1))
    return smoothed


def smoothed_with_t_restarting(losses, beta):
    a, smoothed = 0.0, np.zeros_like(losses)
    for epoch in range(losses.shape[0]):
        for t in range(1, losses.shape[1] + 1):
            a = beta * a + (1 - beta) * losses[epoch, t - 1]
            smoothed[epoch, t - 1] = a / (1 - beta**t)
    return smoothed


def smoothed_per_epoch(losses, beta):
    smoothed = np.zeros_like(losses)
    for epoch in range(losses.shape[0]):
        a = 0.0
        for t in range(1, losses.shape[1] + 1):
            a = beta * a + (1 - beta) * losses[epoch, t - 1]
            smoothed[epoch, t - 1] = a / (1 - beta**t)
    return smoothed


def smoothed_without_correction(losses, beta):
    a, smoothed = 0.0, np.zeros_like(losses)
    for epoch in range(losses.shape[0]):
        for batch in range(losses.shape[1]):
            a = beta * a + (1 - beta) * losses[epoch, batch]
            smoothed[epoch, batch] = a
    return smoothed


WRONG_ANSWERS = [
    # (checker, a wrong answer, words of the hint the learner must get)
    ("check_gd_step", gd_step_uphill, "you stepped uphill"),
    ("check_gd_step", gd_step_in_place, "changed its argument `theta` in place"),
    ("check_gd_step", gd_step_without_lr, "the learning rate is missing"),
    ("check_gd_step", gd_step_returns_the_step, "you returned the step η g"),
    ("check_gradient_descent", gradient_descent_appending_one_array, "every row is the same array"),
    ("check_gradient_descent", gradient_descent_without_start, "the path starts with θ₀"),
    ("check_gradient_descent", gradient_descent_gradient_at_start, "not always at θ₀"),
    ("check_gradient_descent", gradient_descent_one_step_too_many, "off by one"),
    ("check_gradient_descent", gradient_descent_last_point, "not only the last point"),
    ("check_lr_limit_and_best", limits_with_one_over_lambda, "only half the limit"),
    ("check_lr_limit_and_best", limits_with_the_first_eigenvalue, "in increasing order"),
    ("check_lr_limit_and_best", limits_from_the_diagonal, "not its diagonal"),
    ("check_lr_limit_and_best", best_step_one_over_lambda_max, "balances both ends"),
    ("check_lr_limit_and_best", best_step_without_the_two, "did you forget the 2?"),
    ("check_minibatches", minibatches_in_order, "expected a shuffled order"),
    ("check_minibatches", minibatches_dropping_the_last, "the last batch was dropped"),
    ("check_minibatches", minibatches_with_replacement, "without replacement"),
    ("check_minibatches", minibatches_with_global_random, "numpy's global generator"),
    ("check_minibatches", minibatches_shuffling_x_and_y_apart, "X and y were shuffled differently"),
    ("check_minibatches", minibatches_shuffling_in_place, "changed its argument `X` in place"),
    ("check_minibatches", minibatches_with_a_fixed_seed, "gave the same order twice"),
    ("check_minibatches", minibatches_one_example_at_a_time, "keeps its first axis"),
    ("check_minibatch_gradient", gradient_without_the_two, "did you forget the factor 2?"),
    ("check_minibatch_gradient", gradient_summed, "instead of summing"),
    ("check_minibatch_gradient", gradient_target_minus_prediction, "prediction minus target"),
    ("check_minibatch_gradient", gradient_b_first, "in this order"),
    ("check_minibatch_gradient", gradient_without_x, "has the factor xᵢ"),
    ("check_sgd_epoch", sgd_epoch_returning_in_the_loop, "is the `return` indented inside the loop?"),
    ("check_sgd_epoch", sgd_epoch_one_step, "one step per mini-batch"),
    ("check_sgd_epoch", sgd_epoch_from_the_start_each_time, "parameters of the step before"),
    ("check_sgd_epoch", sgd_epoch_in_place, "changed its argument `params` in place"),
    ("check_sgd_epoch", sgd_epoch_without_lr, "the learning rate is missing"),
    ("check_ema", ema_without_one_minus_beta, "did you forget (1 − β)?"),
    ("check_ema", ema_started_at_the_first_value, "starts at the first value"),
    ("check_ema", ema_beta_swapped, "β and 1 − β are swapped"),
    ("check_ema", ema_last_value_only, "not only the last one"),
    ("check_effective_window", lambda beta: 1 / beta, "not 1/β"),
    ("check_effective_window", lambda beta: beta / (1 - beta), "average age"),
    ("check_weight_of_newest", lambda beta, k: beta**k, "older than the newest k"),
    ("check_weight_of_newest", lambda beta, k: (1 - beta) * beta**k, "the weight of one value"),
    ("check_weight_of_newest", lambda beta, k: 1 - beta ** (k + 1), "off by one"),
    ("check_ema_bias_corrected", corrected_from_t_zero, "t is 1 for the first value"),
    ("check_ema_bias_corrected", corrected_from_t_two, "t is 1 for the first value, not 2"),
    ("check_ema_bias_corrected", corrected_with_the_length, "not every average by the same"),
    ("check_ema_bias_corrected", ema_started_at_the_first_value, "it is not the correction"),
    ("check_ema_bias_corrected", corrected_swapped_average, "β and 1 − β are swapped"),
    ("check_ema_bias_corrected", corrected_by_multiplying, "not multiply"),
    ("check_smooth_losses", smoothed_with_the_epoch, "bias correction must use the step t"),
    ("check_smooth_losses", smoothed_with_t_restarting, "t restarts every epoch"),
    ("check_smooth_losses", smoothed_per_epoch, "the average restarts every epoch"),
    ("check_smooth_losses", smoothed_without_correction, "no correction yet"),
]


@pytest.mark.parametrize("checker, wrong, hint", [
    pytest.param(checker, wrong, hint, id=f"{checker}-{getattr(wrong, '__name__', '')}-{hint[:24]}")
    for checker, wrong, hint in WRONG_ANSWERS])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # e.g. 1 − β⁰ = 0 in a wrong bias correction
def test_a_typical_wrong_answer_is_caught_with_its_hint(checker, wrong, hint, capsys):
    with pytest.raises(AssertionError) as caught:
        getattr(checks, checker)(wrong)
    message = str(caught.value)
    assert hint in message, message
    assert re.search(r"is not right yet: case \d of \d", message), message
    assert "✓" not in capsys.readouterr().out


def test_a_wrong_value_shows_expected_got_and_where_it_differs():
    with pytest.raises(AssertionError) as caught:
        checks.check_ema(ema_beta_swapped)
    lines = str(caught.value).splitlines()
    assert lines[0] == "ema is not right yet: case 1 of 6, a constant series"
    assert [line.split(":")[0].strip() for line in lines[1:5]] == [
        "your call", "expected", "got", "first difference at index [0]"]
    assert lines[-1].startswith("Hint: β and 1 − β are swapped")


def notes(error) -> str:
    """The notes added to an exception (Python ≥ 3.11 shows them under the error)."""
    return "\n".join(getattr(error, "__notes__", []))


def test_an_error_in_the_learners_code_passes_through_with_the_case_it_came_from():
    with pytest.raises(ValueError) as caught:
        checks.check_ema(ema_for_one_dimension_only)
    if sys.version_info >= (3, 11):
        assert "while checking ema: case 6 of 6, vectors, shape (6, 3)" in notes(caught.value)


def test_a_failed_check_shows_the_learner_its_message_not_the_checkers_insides():
    with pytest.raises(AssertionError) as caught:
        checks.check_gd_step(gd_step_uphill)
    frames = [frame.name for frame in traceback.extract_tb(caught.value.__traceback__)]
    assert "compare" not in frames and "fail" not in frames and frames[-1] == "run", frames
    assert caught.value.__context__ is None or caught.value.__suppress_context__


def test_an_assert_in_the_learners_code_stays_the_learners():
    def ema_with_an_assert(xs, beta):
        assert beta > 0.5, "my own assert"
        return ema_from_its_weights(xs, beta)
    with pytest.raises(AssertionError, match="my own assert") as caught:
        checks.check_ema(ema_with_an_assert)
    assert "ema_with_an_assert" in [frame.name for frame in traceback.extract_tb(caught.value.__traceback__)]


def test_the_example_in_the_docstring_of_checks_runs_as_shown():
    results = doctest.testmod(checks, optionflags=doctest.ELLIPSIS)
    assert results.attempted > 0 and results.failed == 0


def test_a_missing_return_is_named():
    with pytest.raises(AssertionError, match="returned None: did you forget the `return`"):
        checks.check_gd_step(lambda theta, grad, lr: None)


# -- right answers, written differently from the reference, pass --------------------------------

def ema_from_its_weights(xs, beta):
    xs = np.asarray(xs, dtype=float)
    t = np.arange(1, len(xs) + 1)
    age = np.subtract.outer(t, t)                                  # t − s: how many steps back x_s is
    weights = np.where(age >= 0, (1 - beta) * beta ** np.maximum(age, 0), 0.0)
    return np.tensordot(weights, xs, axes=1)


def minibatches_with_shuffled_indices(X, y, batch_size, rng):
    order = np.arange(len(X))
    rng.shuffle(order)
    return [(X[order[start:start + batch_size]], y[order[start:start + batch_size]])
            for start in range(0, len(X), batch_size)]


def minibatches_with_choice(X, y, batch_size, rng):
    order = rng.choice(len(X), size=len(X), replace=False)
    for batch in np.array_split(order, range(batch_size, len(X), batch_size)):
        yield X[batch], y[batch]


def limit_and_best_as_an_array(hessian):
    lambda_min, lambda_max = np.linalg.eigvalsh(hessian)[[0, -1]]
    return np.array([2 / lambda_max, 2 / (lambda_min + lambda_max)])


def gradient_descent_as_a_list(grad_fn, theta0, lr, steps):
    path = [theta0]
    for _ in range(steps):
        path.append(path[-1] - lr * grad_fn(path[-1]))
    return path


@pytest.mark.parametrize("checker, right", [
    ("check_ema", ema_from_its_weights),
    ("check_minibatches", minibatches_with_shuffled_indices),
    ("check_minibatches", minibatches_with_choice),
    ("check_gradient_descent", gradient_descent_as_a_list),
    ("check_lr_limit_and_best", limit_and_best_as_an_array),
    ("check_effective_window", lambda beta: 1 / (1 - np.asarray(beta))),
    ("check_weight_of_newest", lambda beta, k: np.sum((1 - np.asarray(beta))[..., None]
                                                       * np.asarray(beta)[..., None] ** np.arange(k), axis=-1)),
])
def test_right_answers_written_another_way_pass(checker, right, capsys):
    getattr(checks, checker)(right)
    out = capsys.readouterr().out
    assert out.startswith(f"✓ {checker.removeprefix('check_')}: right in all ") and out.count("\n") == 1


# -- the stub of an exercise: NotImplementedError passes through --------------------------------

def checkers():
    return sorted(checks.CHECKERS)


@pytest.mark.parametrize("checker", checkers())
def test_a_stub_raises_not_implemented_error_not_an_assertion(checker):
    def stub(*args):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError) as caught:
        getattr(checks, checker)(stub)
    if sys.version_info >= (3, 11):
        assert "replace `raise NotImplementedError()` by your code" in notes(caught.value)


def test_every_checker_the_exercises_use_has_wrong_answers():
    used = set()
    for solution in sorted((ROOT / "exercises" / "solutions").glob("*.ipynb")):
        for cell in json.loads(solution.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                used.update(CHECK_CALL.findall("".join(cell["source"])))
    covered = {checker for checker, _, _ in WRONG_ANSWERS}
    assert used, "no solution notebook calls a checker"
    assert used <= set(checkers()), f"unknown checkers: {sorted(used - set(checkers()))}"
    assert set(checkers()) <= covered, f"checkers without a wrong answer here: {sorted(set(checkers()) - covered)}"
