"""The checks of the exercises (course_lib.checks) catch typical wrong answers, with the right hint.

Each wrong answer below is written the way a learner would write it: a loop with the mistake in
it, not a copy of the mistake models inside `checks`. The test calls the checker with it and
asserts an AssertionError whose message names the case, shows expected and got, and carries the
hint for that mistake. Right answers written differently from the reference must pass, and a
stub that raises NotImplementedError must get through unchanged.

Every checker a solution notebook calls must have at least one wrong answer here
(`test_every_checker_the_exercises_use_has_wrong_answers`): add them when you add an exercise.
"""

import copy
import doctest
import json
import math
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


# -- exercise 04: momentum ----------------------------------------------------------------------

def momentum_step_ema_form(theta, g, m, lr, beta):
    m = beta * m + (1 - beta) * g                # the EMA form, with the sum form's lr
    return theta - lr * m, m


def momentum_step_with_the_old_m(theta, g, m, lr, beta):
    theta = theta - lr * m                       # the two lines in the wrong order
    m = beta * m + g
    return theta, m


def momentum_step_in_place(theta, g, m, lr, beta):
    m *= beta                                    # changes the caller's m
    m += g
    return theta - lr * m, m


def momentum_step_nesterov(theta, g, m, lr, beta):
    m = beta * m + g
    return theta - lr * (g + beta * m), m


def momentum_step_swapped_result(theta, g, m, lr, beta):
    m = beta * m + g
    return m, theta - lr * m


def momentum_step_ema_sum_form(theta, g, m, lr, beta):
    m = beta * m + g
    return theta - lr * m, m


def momentum_step_ema_with_the_old_m(theta, g, m, lr, beta):
    new_theta = theta - lr * m
    m = beta * m + (1 - beta) * g
    return new_theta, m


def momentum_step_ema_swapped(theta, g, m, lr, beta):
    m = (1 - beta) * m + beta * g
    return theta - lr * m, m


def nesterov_step_without_beta(theta, g, m, lr, beta):
    m = beta * m + g
    return theta - lr * (g + m), m


def nesterov_step_without_look_ahead(theta, g, m, lr, beta):
    m = beta * m + g                             # the gradient taken at θ, no shift: the heavy ball
    return theta - lr * m, m


def nesterov_step_with_the_old_m(theta, g, m, lr, beta):
    look_ahead = g + beta * m                    # the old m
    m = beta * m + g
    return theta - lr * look_ahead, m


def nesterov_step_as_velocity(theta, g, m, lr, beta):
    v = beta * m - lr * g                        # the papers' velocity, used as the state
    return theta + beta * v - lr * g, v


def polyak_best_with_the_rate(lambda_min, lambda_max):
    root_kappa = np.sqrt(lambda_max / lambda_min)
    return 4 / (np.sqrt(lambda_max) + np.sqrt(lambda_min)) ** 2, (root_kappa - 1) / (root_kappa + 1)


def polyak_best_with_kappa(lambda_min, lambda_max):
    kappa = lambda_max / lambda_min
    return 4 / (np.sqrt(lambda_max) + np.sqrt(lambda_min)) ** 2, ((kappa - 1) / (kappa + 1)) ** 2


def polyak_best_without_the_cross_term(lambda_min, lambda_max):
    root_kappa = np.sqrt(lambda_max / lambda_min)
    return 4 / (lambda_max + lambda_min), ((root_kappa - 1) / (root_kappa + 1)) ** 2


# -- exercise 05: adaptive learning rates ---------------------------------------------------------

def adagrad_step_eps_inside(theta, g, s, lr, eps):
    s = s + g**2
    return theta - lr * g / np.sqrt(s + eps), s


def adagrad_step_averaged(theta, g, s, lr, eps):
    s = (s + g**2) / 2
    return theta - lr * g / (np.sqrt(s) + eps), s


def adagrad_step_with_g(theta, g, s, lr, eps):
    s = s + np.abs(g)
    return theta - lr * g / (np.sqrt(s) + eps), s


def adagrad_step_without_root(theta, g, s, lr, eps):
    s = s + g**2
    return theta - lr * g / (s + eps), s


def adagrad_step_global_norm(theta, g, s, lr, eps):
    s = s + np.sum(g**2)                         # one number for the whole gradient
    return theta - lr * g / (np.sqrt(s) + eps), s


def adagrad_step_with_the_old_s(theta, g, s, lr, eps):
    new_theta = theta - lr * g / (np.sqrt(s) + eps)
    return new_theta, s + g**2


def adagrad_step_in_place(theta, g, s, lr, eps):
    s += g**2
    return theta - lr * g / (np.sqrt(s) + eps), s


def rmsprop_step_without_one_minus_beta(theta, g, v, lr, beta, eps):
    v = beta * v + g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


def rmsprop_step_eps_inside(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return theta - lr * g / np.sqrt(v + eps), v


def rmsprop_step_with_g(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g                # an average of g, like momentum
    return theta - lr * g / (np.sqrt(v) + eps), v


def rmsprop_step_summed(theta, g, v, lr, beta, eps):
    v = v + g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


def rmsprop_step_without_root(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return theta - lr * g / (v + eps), v


def rmsprop_step_global_norm(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return theta - lr * g / (np.linalg.norm(np.sqrt(v)) + eps), v


def adadelta_step_eps_outside(theta, g, v, u, beta, eps):
    v = beta * v + (1 - beta) * g**2
    delta = (np.sqrt(u) + eps) / (np.sqrt(v) + eps) * g
    u = beta * u + (1 - beta) * delta**2
    return theta - delta, v, u


def adadelta_step_with_the_old_v(theta, g, v, u, beta, eps):
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    v = beta * v + (1 - beta) * g**2
    u = beta * u + (1 - beta) * delta**2
    return theta - delta, v, u


def adadelta_step_u_of_gradients(theta, g, v, u, beta, eps):
    v = beta * v + (1 - beta) * g**2
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = beta * u + (1 - beta) * g**2
    return theta - delta, v, u


def adadelta_step_upside_down(theta, g, v, u, beta, eps):
    v = beta * v + (1 - beta) * g**2
    delta = np.sqrt(v + eps) / np.sqrt(u + eps) * g
    u = beta * u + (1 - beta) * delta**2
    return theta - delta, v, u


def adagrad_sizes_signed(g, lr, steps, eps):
    theta, s, steps_taken = np.zeros_like(g), np.zeros_like(g), []
    for _ in range(steps):
        s = s + g**2
        new_theta = theta - lr * g / (np.sqrt(s) + eps)
        steps_taken.append(new_theta - theta)
        theta = new_theta
    return np.array(steps_taken)


def adagrad_sizes_from_the_formula(g, lr, steps, eps):
    t = np.arange(1, steps + 1).reshape((-1,) + (1,) * np.ndim(g))
    return lr / np.sqrt(t) * np.ones_like(g)


def adagrad_sizes_with_a_fresh_s(g, lr, steps, eps):
    theta, sizes = np.zeros_like(g), []
    for _ in range(steps):
        s = np.zeros_like(g) + g**2              # s started again at every step
        new_theta = theta - lr * g / (np.sqrt(s) + eps)
        sizes.append(np.abs(new_theta - theta))
        theta = new_theta
    return np.array(sizes)


def adagrad_sizes_points(g, lr, steps, eps):
    theta, s, points = np.zeros_like(g), np.zeros_like(g), []
    for _ in range(steps):
        s = s + g**2
        theta = theta - lr * g / (np.sqrt(s) + eps)
        points.append(theta)
    return np.array(points)


def adadelta_first_step_approximated(g, beta, eps):
    return np.sqrt(eps / (1 - beta)) * np.ones_like(g)


def adadelta_first_step_signed(g, beta, eps):
    v = (1 - beta) * g**2
    return -np.sqrt(eps) / np.sqrt(v + eps) * g


# -- exercise 06: Adam ----------------------------------------------------------------------------

def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    """A right adam_step, as a learner writes it: the wrong loops and decays below use it."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_step_without_correction(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def adam_step_correcting_only_m(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v


def adam_step_correcting_only_v(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * m / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_step_t_from_zero(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1 ** (t - 1)), v / (1 - beta2 ** (t - 1))
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_step_eps_inside(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v


def adam_step_keras_form(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)   # the paper's efficient form, with ε as given
    return theta - lr_t * m / (np.sqrt(v) + eps), m, v


def adam_step_storing_the_corrected(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = (beta1 * m + (1 - beta1) * g) / (1 - beta1**t)
    v = (beta2 * v + (1 - beta2) * g**2) / (1 - beta2**t)
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def adam_step_without_one_minus_beta1(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_with_the_epoch(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    theta = np.array(theta0, dtype=float)
    m, v, ends = np.zeros_like(theta), np.zeros_like(theta), []
    for epoch in range(1, epochs + 1):
        for batch in range(batches_per_epoch):
            theta, m, v = adam_step(theta, grad_fn(theta), m, v, epoch, lr, beta1, beta2, eps)
        ends.append(theta)
    return np.array(ends)


def adam_with_t_restarting(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    theta = np.array(theta0, dtype=float)
    m, v, ends = np.zeros_like(theta), np.zeros_like(theta), []
    for epoch in range(epochs):
        for t in range(1, batches_per_epoch + 1):
            theta, m, v = adam_step(theta, grad_fn(theta), m, v, t, lr, beta1, beta2, eps)
        ends.append(theta)
    return np.array(ends)


def adam_with_t_from_zero(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    theta = np.array(theta0, dtype=float)
    m, v, t, ends = np.zeros_like(theta), np.zeros_like(theta), 0, []
    for epoch in range(epochs):
        for batch in range(batches_per_epoch):
            theta, m, v = adam_step(theta, grad_fn(theta), m, v, t, lr, beta1, beta2, eps)
            t += 1                               # counted after the update
        ends.append(theta)
    return np.array(ends)


def adam_with_averages_restarting(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    theta, t, ends = np.array(theta0, dtype=float), 0, []
    for epoch in range(epochs):
        m, v = np.zeros_like(theta), np.zeros_like(theta)
        for batch in range(batches_per_epoch):
            t += 1
            theta, m, v = adam_step(theta, grad_fn(theta), m, v, t, lr, beta1, beta2, eps)
        ends.append(theta)
    return np.array(ends)


def adamw_step_decay_after(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    theta, m, v = adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
    return theta * (1 - lr * weight_decay), m, v


def adamw_step_as_l2(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(theta, g + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)


def adamw_step_decay_without_lr(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(theta - weight_decay * theta, g, m, v, t, lr, beta1, beta2, eps)


def adamw_step_decaying_twice(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(theta * (1 - lr * weight_decay), g + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)


def adam_l2_step_decoupled(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(theta * (1 - lr * weight_decay), g, m, v, t, lr, beta1, beta2, eps)


def adam_l2_step_in_m_only(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    m = beta1 * m + (1 - beta1) * (g + weight_decay * theta)
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_l2_step_twice_the_decay(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(theta, g + 2 * weight_decay * theta, m, v, t, lr, beta1, beta2, eps)


# -- exercise 07: learning-rate schedules ---------------------------------------------------------

def cosine_lr(t, lr, total_steps, lr_min):
    t = np.minimum(t, total_steps)
    return lr_min + 0.5 * (lr - lr_min) * (1 + np.cos(np.pi * t / total_steps))


def step_decay_lr_from_one(t, lr, step_size, gamma):
    return lr * gamma ** np.floor((np.asarray(t) - 1) / step_size)   # as if t = 1 were the first update


def step_decay_lr_rounded(t, lr, step_size, gamma):
    return lr * gamma ** np.round(np.asarray(t) / step_size)


def step_decay_lr_smooth(t, lr, step_size, gamma):
    return lr * gamma ** (np.asarray(t) / step_size)


def step_decay_lr_precedence(t, lr, step_size, gamma):
    return lr * gamma ** np.asarray(t) // step_size


def cosine_lr_pytorch_closed_form(t, lr, total_steps, lr_min):
    return lr_min + 0.5 * (lr - lr_min) * (1 + np.cos(np.pi * np.asarray(t) / total_steps))


def cosine_lr_restarting(t, lr, total_steps, lr_min):
    t = np.asarray(t) % total_steps
    return lr_min + 0.5 * (lr - lr_min) * (1 + np.cos(np.pi * t / total_steps))


def cosine_lr_without_pi(t, lr, total_steps, lr_min):
    t = np.minimum(t, total_steps)
    return lr_min + 0.5 * (lr - lr_min) * (1 + np.cos(t / total_steps))


def cosine_lr_without_half(t, lr, total_steps, lr_min):
    t = np.minimum(t, total_steps)
    return lr_min + (lr - lr_min) * (1 + np.cos(np.pi * t / total_steps))


def cosine_lr_from_one(t, lr, total_steps, lr_min):
    t = np.minimum(np.asarray(t) - 1, total_steps)
    return lr_min + 0.5 * (lr - lr_min) * (1 + np.cos(np.pi * t / total_steps))


def cosine_lr_without_lr_min(t, lr, total_steps, lr_min):
    t = np.minimum(t, total_steps)
    return 0.5 * lr * (1 + np.cos(np.pi * t / total_steps))


def warmup_lr_unshifted(t, schedule, warmup_steps, start_factor):
    t = np.asarray(t)
    ramp = schedule(0) * (start_factor + (1 - start_factor) * t / warmup_steps)
    return np.where(t < warmup_steps, ramp, schedule(t))


def warmup_lr_from_zero(t, schedule, warmup_steps, start_factor):
    t = np.asarray(t)
    ramp = schedule(0) * t / warmup_steps
    return np.where(t < warmup_steps, ramp, schedule(np.maximum(t - warmup_steps, 0)))


def warmup_lr_overshooting(t, schedule, warmup_steps, start_factor):
    t = np.asarray(t)
    ramp = schedule(0) * (start_factor + t / warmup_steps)
    return np.where(t < warmup_steps, ramp, schedule(np.maximum(t - warmup_steps, 0)))


def warmup_lr_scaling_the_schedule(t, schedule, warmup_steps, start_factor):
    t = np.asarray(t)
    ramp = schedule(t) * (start_factor + (1 - start_factor) * t / warmup_steps)
    return np.where(t < warmup_steps, ramp, schedule(np.maximum(t - warmup_steps, 0)))


def run_lrs_per_epoch(schedule, epochs, batches_per_epoch):
    lrs = np.zeros((epochs, batches_per_epoch))
    for epoch in range(epochs):
        lr = schedule(epoch)                     # the scheduler stepped once per epoch
        for batch in range(batches_per_epoch):
            lrs[epoch, batch] = lr
    return lrs


def run_lrs_restarting(schedule, epochs, batches_per_epoch):
    lrs = np.zeros((epochs, batches_per_epoch))
    for epoch in range(epochs):
        for batch in range(batches_per_epoch):
            lrs[epoch, batch] = schedule(batch)  # the counter of this epoch
    return lrs


def run_lrs_from_one(schedule, epochs, batches_per_epoch):
    lrs, t = np.zeros((epochs, batches_per_epoch)), 0
    for epoch in range(epochs):
        for batch in range(batches_per_epoch):
            t += 1
            lrs[epoch, batch] = schedule(t)
    return lrs


def run_lrs_flat(schedule, epochs, batches_per_epoch):
    return np.array([schedule(t) for t in range(epochs * batches_per_epoch)])


def noise_floor_small_lr_rule(lr, eigenvalues, sigma):
    return len(eigenvalues) * lr * sigma**2 / 4


def noise_floor_variance(lr, eigenvalues, sigma):
    return np.sum(lr * sigma**2 / (eigenvalues * (2 - lr * eigenvalues)))


def noise_floor_without_half(lr, eigenvalues, sigma):
    return np.sum(lr * sigma**2 / (2 - lr * eigenvalues))


def noise_floor_sigma_not_squared(lr, eigenvalues, sigma):
    return np.sum(lr * sigma / (2 * (2 - lr * eigenvalues)))


def annealed_constant(t):
    return 0.1 + 0 * np.asarray(t, dtype=float)


def annealed_too_long(t):
    return cosine_lr(t, 0.1, 10_000, 0.0)


def annealed_in_epochs(t):
    return cosine_lr(t, 0.1, 30, 0.0)            # T = 30 "epochs", but the optimizer counts updates


def annealed_small_constant(t):
    return 0.01 + 0 * np.asarray(t, dtype=float)


def range_test_lr_linear(t, lr_low, lr_high, steps):
    return np.linspace(lr_low, lr_high, steps)[t]


def range_test_lr_short(t, lr_low, lr_high, steps):
    return lr_low * (lr_high / lr_low) ** (np.asarray(t) / steps)


def range_test_lr_divided_growth(t, lr_low, lr_high, steps):
    growth = (lr_high / lr_low) / (steps - 1)
    return lr_low * growth ** np.asarray(t)


# -- exercise 08: a network's backward pass --------------------------------------------------------

def softmax(logits):
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(logits, y):
    n, classes = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -log_p[np.arange(n), y].mean(), (np.exp(log_p) - np.eye(classes)[y]) / n


def dense_backward(a, W, delta):
    return a.T @ delta, delta.sum(axis=0), delta @ W.T


def relu_backward(grad_a, z):
    return grad_a * (z > 0)


def forward_pass(params, X, relu_on_logits=False):
    """The forward pass as a learner writes it: the logits and each layer's (input, z)."""
    layers = len(params) // 2
    a, cache = X, []
    for layer in range(1, layers + 1):
        z = a @ params[f"W{layer}"] + params[f"b{layer}"]
        cache.append((a, z))
        a = np.maximum(z, 0) if layer < layers or relu_on_logits else z
    return a, cache


def mlp_loss_and_grads(params, X, y):
    logits, cache = forward_pass(params, X)
    loss, delta = softmax_cross_entropy(logits, y)
    grads = {}
    for layer in range(len(cache), 0, -1):
        grads[f"W{layer}"], grads[f"b{layer}"], grad_a = dense_backward(cache[layer - 1][0], params[f"W{layer}"], delta)
        if layer > 1:
            delta = relu_backward(grad_a, cache[layer - 2][1])
    return loss, grads


def clip_by_global_norm(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    factor = min(1.0, max_norm / (norm + 1e-6))
    return {name: g * factor for name, g in grads.items()}, norm


def softmax_without_max(logits):
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def softmax_with_the_global_max(logits):
    e = np.exp(logits - logits.max())
    return e / e.sum(axis=1, keepdims=True)


def softmax_over_columns(logits):
    e = np.exp(logits - logits.max(axis=0))
    return e / e.sum(axis=0)


def softmax_without_keepdims(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1)


def cross_entropy_without_one_over_n(logits, y):
    loss, delta = softmax_cross_entropy(logits, y)
    return loss, delta * len(y)


def cross_entropy_with_log_of_p(logits, y):
    n, classes = logits.shape
    p = softmax(logits)
    return -np.mean(np.log(p[np.arange(n), y])), (p - np.eye(classes)[y]) / n


def cross_entropy_summed(logits, y):
    n, classes = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -log_p[np.arange(n), y].sum(), (np.exp(log_p) - np.eye(classes)[y]) / n


def cross_entropy_targets_minus_p(logits, y):
    n, classes = logits.shape
    loss, _ = softmax_cross_entropy(logits, y)
    return loss, (np.eye(classes)[y] - softmax(logits)) / n


def dense_backward_transposed(a, W, delta):
    return delta.T @ a, delta.sum(axis=0), delta @ W.T


def dense_backward_db_wrong_axis(a, W, delta):
    return a.T @ delta, delta.sum(axis=1), delta @ W.T


def dense_backward_averaged(a, W, delta):
    return a.T @ delta, delta.mean(axis=0), delta @ W.T


def dense_backward_w_not_transposed(a, W, delta):
    return a.T @ delta, delta.sum(axis=0), delta @ W


def relu_backward_at_the_kink(grad_a, z):
    return grad_a * (z >= 0)


def relu_backward_times_z(grad_a, z):
    return grad_a * np.maximum(z, 0)


def mlp_without_relu_mask(params, X, y):
    logits, cache = forward_pass(params, X)
    loss, delta = softmax_cross_entropy(logits, y)
    grads = {}
    for layer in range(len(cache), 0, -1):
        grads[f"W{layer}"], grads[f"b{layer}"], delta = dense_backward(cache[layer - 1][0], params[f"W{layer}"], delta)
    return loss, grads


def mlp_mask_of_this_layer(params, X, y):
    logits, cache = forward_pass(params, X)
    loss, delta = softmax_cross_entropy(logits, y)
    grads = {}
    for layer in range(len(cache), 0, -1):
        a_in, z = cache[layer - 1]
        grads[f"W{layer}"], grads[f"b{layer}"], grad_a = dense_backward(a_in, params[f"W{layer}"], delta)
        delta = relu_backward(grad_a, z)          # z of this layer, not of the one below
    return loss, grads


def mlp_relu_on_the_logits(params, X, y):
    logits, cache = forward_pass(params, X, relu_on_logits=True)
    loss, delta = softmax_cross_entropy(logits, y)
    delta = relu_backward(delta, cache[-1][1])
    grads = {}
    for layer in range(len(cache), 0, -1):
        grads[f"W{layer}"], grads[f"b{layer}"], grad_a = dense_backward(cache[layer - 1][0], params[f"W{layer}"], delta)
        if layer > 1:
            delta = relu_backward(grad_a, cache[layer - 2][1])
    return loss, grads


def mlp_with_the_layers_output(params, X, y):
    layers = len(params) // 2
    a, zs, outputs = X, [], []
    for layer in range(1, layers + 1):
        z = a @ params[f"W{layer}"] + params[f"b{layer}"]
        a = np.maximum(z, 0) if layer < layers else z
        zs.append(z)
        outputs.append(a)                         # the layer's output, not its input
    loss, delta = softmax_cross_entropy(a, y)
    grads = {}
    for layer in range(layers, 0, -1):
        grads[f"W{layer}"], grads[f"b{layer}"], grad_a = dense_backward(outputs[layer - 1], params[f"W{layer}"], delta)
        if layer > 1:
            delta = relu_backward(grad_a, zs[layer - 2])
    return loss, grads


def mlp_averaging_the_first_bias(params, X, y):
    loss, grads = mlp_loss_and_grads(params, X, y)
    grads["b1"] = grads["b1"] / len(X)
    return loss, grads


def numerical_derivative_one_sided(loss_fn, params, name, index, eps):
    moved = copy.deepcopy(params)
    moved[name][index] += eps
    return (loss_fn(moved) - loss_fn(params)) / eps


def numerical_derivative_over_eps(loss_fn, params, name, index, eps):
    plus, minus = copy.deepcopy(params), copy.deepcopy(params)
    plus[name][index] += eps
    minus[name][index] -= eps
    return (loss_fn(plus) - loss_fn(minus)) / eps


def numerical_derivative_not_restored(loss_fn, params, name, index, eps):
    params[name][index] += eps
    plus = loss_fn(params)
    params[name][index] -= 2 * eps
    minus = loss_fn(params)
    return (plus - minus) / (2 * eps)


def numerical_derivative_shallow_copy(loss_fn, params, name, index, eps):
    moved = dict(params)                          # a new dict, but the caller's arrays
    moved[name][index] += eps
    plus = loss_fn(moved)
    moved[name][index] -= 2 * eps
    minus = loss_fn(moved)
    return (plus - minus) / (2 * eps)


def numerical_derivative_whole_array(loss_fn, params, name, index, eps):
    plus, minus = dict(params), dict(params)
    plus[name] = params[name] + eps
    minus[name] = params[name] - eps
    return (loss_fn(plus) - loss_fn(minus)) / (2 * eps)


def clip_each_array(grads, max_norm):
    clipped = {name: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for name, g in grads.items()}
    return clipped, np.sqrt(sum(np.sum(g**2) for g in grads.values()))


def clip_always(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    return {name: g * max_norm / (norm + 1e-6) for name, g in grads.items()}, norm


def clip_without_sqrt(grads, max_norm):
    norm = sum(np.sum(g**2) for g in grads.values())
    return {name: g * min(1.0, max_norm / (norm + 1e-6)) for name, g in grads.items()}, norm


def clip_by_value(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}, norm


def clip_in_place(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    for g in grads.values():
        g *= min(1.0, max_norm / (norm + 1e-6))
    return grads, norm


def train_step_without_clipping(params, state, X, y, optimizer, max_norm):
    loss, grads = mlp_loss_and_grads(params, X, y)
    params, state = optimizer.update(params, grads, state)
    return params, state, loss


def train_step_by_hand(params, state, X, y, optimizer, max_norm):
    loss, grads = mlp_loss_and_grads(params, X, y)
    if max_norm is not None:
        grads, _ = clip_by_global_norm(grads, max_norm)
    params = {name: params[name] - optimizer.lr * grads[name] for name in params}
    return params, {**state, "t": state["t"] + 1}, loss


def train_step_loss_after(params, state, X, y, optimizer, max_norm):
    _, grads = mlp_loss_and_grads(params, X, y)
    if max_norm is not None:
        grads, _ = clip_by_global_norm(grads, max_norm)
    params, state = optimizer.update(params, grads, state)
    loss, _ = mlp_loss_and_grads(params, X, y)
    return params, state, loss


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
    ("check_momentum_step", momentum_step_ema_form, "this is the EMA form"),
    ("check_momentum_step", momentum_step_with_the_old_m, "you updated θ with the old m"),
    ("check_momentum_step", momentum_step_in_place, "changed its argument `m` in place"),
    ("check_momentum_step", momentum_step_nesterov, "this is Nesterov's step"),
    ("check_momentum_step", momentum_step_swapped_result, "return (theta, m) in this order"),
    ("check_momentum_step_ema", momentum_step_ema_sum_form, "this is the sum form"),
    ("check_momentum_step_ema", momentum_step_ema_with_the_old_m, "you updated θ with the old m"),
    ("check_momentum_step_ema", momentum_step_ema_swapped, "β and 1 − β are swapped"),
    ("check_sum_form_lr", lambda ema_lr, beta: ema_lr / (1 - beta), "the other way round"),
    ("check_sum_form_lr", lambda ema_lr, beta: ema_lr * beta, "the factor is 1 − β, not β"),
    ("check_sum_form_lr", lambda ema_lr, beta: ema_lr, "the same lr in both forms is not the same method"),
    ("check_nesterov_step", nesterov_step_without_beta, "the look-ahead is g + β·m, with β"),
    ("check_nesterov_step", nesterov_step_without_look_ahead, "this is the heavy ball's step"),
    ("check_nesterov_step", nesterov_step_with_the_old_m, "with the old m, which is the same"),
    ("check_nesterov_step", nesterov_step_as_velocity, "the look-ahead form's velocity"),
    ("check_momentum_lr_limit", lambda beta, lambda_max: 2 / lambda_max, "did you forget the 1 + β?"),
    ("check_momentum_lr_limit", lambda beta, lambda_max: 2 * (1 + beta) / ((1 + 2 * beta) * lambda_max),
     "that is Nesterov's limit"),
    ("check_momentum_lr_limit", lambda beta, lambda_max: 2 * (1 + beta) / ((1 - beta) * lambda_max),
     "that is the EMA form's limit"),
    ("check_polyak_best", polyak_best_with_the_rate, "β is the square of the rate"),
    ("check_polyak_best", polyak_best_with_kappa, "use √κ, not κ"),
    ("check_polyak_best", polyak_best_without_the_cross_term, "(√L + √μ)² is not L + μ"),
    ("check_adagrad_step", adagrad_step_eps_inside, "ε goes outside the square root here"),
    ("check_adagrad_step", adagrad_step_averaged, "AdaGrad sums"),
    ("check_adagrad_step", adagrad_step_with_g, "the accumulator adds squares"),
    ("check_adagrad_step", adagrad_step_without_root, "divide by the square root of s"),
    ("check_adagrad_step", adagrad_step_global_norm, "AdaGrad works coordinate by coordinate"),
    ("check_adagrad_step", adagrad_step_with_the_old_s, "use the new s in the step"),
    ("check_adagrad_step", adagrad_step_in_place, "changed its argument `s` in place"),
    ("check_rmsprop_step", rmsprop_step_without_one_minus_beta, "did you forget (1 − β)?"),
    ("check_rmsprop_step", rmsprop_step_eps_inside, "ε goes outside the square root here"),
    ("check_rmsprop_step", rmsprop_step_with_g, "it is not momentum"),
    ("check_rmsprop_step", rmsprop_step_summed, "this is AdaGrad's sum"),
    ("check_rmsprop_step", rmsprop_step_without_root, "divide by the square root of v"),
    ("check_rmsprop_step", rmsprop_step_global_norm, "RMSprop works coordinate by coordinate"),
    ("check_adadelta_step", adadelta_step_eps_outside, "ε goes inside both roots here"),
    ("check_adadelta_step", adadelta_step_with_the_old_v, "use the new v in Δ"),
    ("check_adadelta_step", adadelta_step_u_of_gradients, "the moving average of the squared steps"),
    ("check_adadelta_step", adadelta_step_upside_down, "the ratio is upside down"),
    ("check_adagrad_step_sizes", adagrad_sizes_signed, "return the sizes |Δθ|"),
    ("check_adagrad_step_sizes", adagrad_sizes_from_the_formula, "measure the steps your adagrad_step takes"),
    ("check_adagrad_step_sizes", adagrad_sizes_with_a_fresh_s, "keep s from one step to the next"),
    ("check_adagrad_step_sizes", adagrad_sizes_points, "not the points θ_t"),
    ("check_adadelta_first_step", adadelta_first_step_approximated, "is the approximation"),
    ("check_adadelta_first_step", adadelta_first_step_signed, "return the size |Δ₁|"),
    ("check_adam_step", adam_step_without_correction, "no bias correction yet"),
    ("check_adam_step", adam_step_correcting_only_m, "you corrected only m"),
    ("check_adam_step", adam_step_correcting_only_v, "you corrected only v"),
    ("check_adam_step", adam_step_t_from_zero, "1 − β⁰ = 0"),
    ("check_adam_step", adam_step_eps_inside, "ε goes outside the square root"),
    ("check_adam_step", adam_step_keras_form, "\"efficient\" form that Keras uses"),
    ("check_adam_step", adam_step_storing_the_corrected, "return the plain averages m and v"),
    ("check_adam_step", adam_step_without_one_minus_beta1, "did you forget (1 − β1)?"),
    ("check_train_adam", adam_with_the_epoch, "not the epoch"),
    ("check_train_adam", adam_with_t_restarting, "t restarts every epoch"),
    ("check_train_adam", adam_with_t_from_zero, "t starts at 1 on the first update"),
    ("check_train_adam", adam_with_averages_restarting, "m and v restart every epoch"),
    ("check_adamw_step", adamw_step_decay_after, "You shrank θ after the step"),
    ("check_adamw_step", adamw_step_as_l2, "this is Adam with L2"),
    ("check_adamw_step", adamw_step_decay_without_lr, "the decay is multiplied by the learning rate"),
    ("check_adamw_step", adamw_step_decaying_twice, "decay once, decoupled"),
    ("check_adam_l2_step", adam_l2_step_decoupled, "this is AdamW's decoupled decay"),
    ("check_adam_l2_step", adam_l2_step_in_m_only, "use that g for m and for v"),
    ("check_adam_l2_step", adam_l2_step_twice_the_decay, "not 2ωθ"),
    ("check_step_decay_lr", step_decay_lr_from_one, "t counts from 0 here"),
    ("check_step_decay_lr", step_decay_lr_rounded, "not rounding"),
    ("check_step_decay_lr", step_decay_lr_smooth, "that is the exponential decay"),
    ("check_step_decay_lr", step_decay_lr_precedence, "precedence"),
    ("check_cosine_lr", cosine_lr_pytorch_closed_form, "past T the rate climbs back up"),
    ("check_cosine_lr", cosine_lr_restarting, "that is warm restarts"),
    ("check_cosine_lr", cosine_lr_without_pi, "without π"),
    ("check_cosine_lr", cosine_lr_without_half, "did you forget the ½?"),
    ("check_cosine_lr", cosine_lr_from_one, "t counts from 0 here"),
    ("check_cosine_lr", cosine_lr_without_lr_min, "η_min is missing"),
    ("check_warmup_lr", warmup_lr_unshifted, "schedule(t − w), not schedule(t)"),
    ("check_warmup_lr", warmup_lr_from_zero, "the ramp starts at f·η₀"),
    ("check_warmup_lr", warmup_lr_overshooting, "the ramp must end at η₀"),
    ("check_warmup_lr", warmup_lr_scaling_the_schedule, "η₀ is the number schedule(0)"),
    ("check_run_lrs", run_lrs_per_epoch, "you stepped the schedule once per epoch"),
    ("check_run_lrs", run_lrs_restarting, "t restarts at every epoch"),
    ("check_run_lrs", run_lrs_from_one, "the first update of the run has t = 0"),
    ("check_run_lrs", run_lrs_flat, "one row per epoch"),
    ("check_noise_floor", noise_floor_small_lr_rule, "small-η rule"),
    ("check_noise_floor", noise_floor_variance, "that is the variance V"),
    ("check_noise_floor", noise_floor_without_half, "did you forget the ½?"),
    ("check_noise_floor", noise_floor_sigma_not_squared, "σ is squared"),
    ("check_annealed_schedule", annealed_constant, "a constant rate settles at its noise floor"),
    ("check_annealed_schedule", annealed_too_long, "has not decayed by the end"),
    ("check_annealed_schedule", annealed_in_epochs, "Was the schedule set up in epochs?"),
    ("check_annealed_schedule", annealed_small_constant, "start from η₀ = 0.1"),
    ("check_range_test_lr", range_test_lr_linear, "not linearly"),
    ("check_range_test_lr", range_test_lr_short, "the exponent is t/(steps − 1)"),
    ("check_range_test_lr", range_test_lr_divided_growth, "(steps − 1)-th root"),
    ("check_softmax", softmax_without_max, "subtract each row's largest logit"),
    ("check_softmax", softmax_with_the_global_max, "subtract each row's own max"),
    ("check_softmax", softmax_over_columns, "not each column"),
    ("check_softmax", softmax_without_keepdims, "keepdims"),
    ("check_softmax_cross_entropy", cross_entropy_without_one_over_n, "divide p − onehot(y) by n"),
    ("check_softmax_cross_entropy", cross_entropy_with_log_of_p, "log-sum-exp"),
    ("check_softmax_cross_entropy", cross_entropy_summed, "not the sum"),
    ("check_softmax_cross_entropy", cross_entropy_targets_minus_p, "probabilities minus targets"),
    ("check_dense_backward", dense_backward_transposed, "its transpose"),
    ("check_dense_backward", dense_backward_db_wrong_axis, "delta.sum(axis=0)"),
    ("check_dense_backward", dense_backward_averaged, "don't average again"),
    ("check_dense_backward", dense_backward_w_not_transposed, "without the transpose"),
    ("check_relu_backward", relu_backward_at_the_kink, "not z ≥ 0"),
    ("check_relu_backward", relu_backward_times_z, "not by ReLU(z) itself"),
    ("check_mlp_loss_and_grads", mlp_without_relu_mask, "the ReLU blocks the gradient"),
    ("check_mlp_loss_and_grads", mlp_mask_of_this_layer, "the ReLU mask comes from the layer below"),
    ("check_mlp_loss_and_grads", mlp_relu_on_the_logits, "no ReLU after the last layer"),
    ("check_mlp_loss_and_grads", mlp_with_the_layers_output, "(its input)ᵀδ"),
    ("check_mlp_loss_and_grads", mlp_averaging_the_first_bias, "dW1 is right and db1 is not"),
    ("check_numerical_derivative", numerical_derivative_one_sided, "use the central difference"),
    ("check_numerical_derivative", numerical_derivative_over_eps, "divide by 2ε"),
    ("check_numerical_derivative", numerical_derivative_not_restored, "changed its argument `params`"),
    ("check_numerical_derivative", numerical_derivative_shallow_copy, "dict(params)"),
    ("check_numerical_derivative", numerical_derivative_whole_array, "change one entry"),
    ("check_clip_by_global_norm", clip_each_array, "You clipped each array by its own norm"),
    ("check_clip_by_global_norm", clip_always, "stay as they are"),
    ("check_clip_by_global_norm", clip_without_sqrt, "square root"),
    ("check_clip_by_global_norm", clip_by_value, "clipping by value"),
    ("check_clip_by_global_norm", clip_in_place, "changed its argument `grads`"),
    ("check_train_step", train_step_without_clipping, "clip the gradients when max_norm is given"),
    ("check_train_step", train_step_by_hand, "let the optimizer take the step"),
    ("check_train_step", train_step_loss_after, "the loss of the batch before the update"),
]

from test_exercise10_checks import WRONG_ANSWERS_10  # noqa: E402  (exercise 10's wrong answers, in their own file)
WRONG_ANSWERS += WRONG_ANSWERS_10


@pytest.mark.parametrize("checker, wrong, hint", [
    pytest.param(checker, wrong, hint, id=f"{checker}-{getattr(wrong, '__name__', '')}-{hint[:24]}")
    for checker, wrong, hint in WRONG_ANSWERS])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # e.g. 1 − β⁰ = 0 in a wrong bias correction
def test_a_typical_wrong_answer_is_caught_with_its_hint(checker, wrong, hint, capsys):
    with pytest.raises(AssertionError) as caught:
        getattr(checks, checker)(wrong)
    message = str(caught.value)
    assert hint in message, message
    assert re.search(r"^Exercise \d\d · task \d · \w+ is not right yet: case \d+ of \d+", message), message
    assert "✓" not in capsys.readouterr().out


def test_a_wrong_value_shows_expected_got_and_where_it_differs():
    with pytest.raises(AssertionError) as caught:
        checks.check_ema(ema_beta_swapped)
    lines = str(caught.value).splitlines()
    assert lines[0] == "Exercise 03 · task 1 · ema is not right yet: case 1 of 9, a constant series"
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
        assert "while checking ema: case 6 of 9, vectors, shape (6, 3)" in notes(caught.value)


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


# -- wrong answers that passed the checks before issue 12, by class of false pass ----------------
# Each is a bug a learner wrote; the class says why the old cases let it through. FALSE_PASSES
# below lists them with the hint each must get now (tests/test_exercise_checks.py replays them
# against the checks; the count before/after is in the note).

# class 1: an argument that never left its default
def adam_step_with_its_own_eps(theta, g, m, v, t, lr, beta1, beta2, eps):
    return adam_step(theta, g, m, v, t, lr, beta1, beta2, 1e-8)


def adam_step_with_default_betas(theta, g, m, v, t, lr, beta1, beta2, eps):
    return adam_step(theta, g, m, v, t, lr, 0.9, 0.999, eps)


def adam_step_with_scalar_hyper_parameters(theta, g, m, v, t, lr, beta1, beta2, eps):
    beta1, eps = float(beta1), float(eps)         # "they are numbers"
    return adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)


def rmsprop_step_with_its_own_eps(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return theta - lr * g / (np.sqrt(v) + 1e-8), v


def adamw_step_with_its_own_eps(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step_with_its_own_eps(theta * (1 - lr * weight_decay), g, m, v, t, lr, beta1, beta2, eps)


def adam_l2_step_with_its_own_eps(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step_with_its_own_eps(theta, g + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)


def train_adam_with_default_betas(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    return train_adam_in_one_loop(grad_fn, theta0, epochs, batches_per_epoch, lr, 0.9, 0.999, 1e-8)


def adagrad_step_with_its_own_eps(theta, g, s, lr, eps):
    s = s + g * g
    return theta - lr * g / (np.sqrt(s) + 1e-10), s


# class 2: runs too short, steps too early, values too round
def adam_step_correcting_early_steps_only(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    if t <= 1000:                                 # "later the correction is negligible"
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    else:
        m_hat, v_hat = m, v
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def corrected_for_the_first_steps_only(xs, beta):
    a, out = 0.0, []
    for t, x in enumerate(np.asarray(xs, dtype=float), start=1):
        a = beta * a + (1 - beta) * x
        out.append(a / (1 - beta**t) if t <= 20 else a)
    return np.array(out)


def effective_window_floored(beta):
    return np.floor(1 / (1 - np.asarray(beta)))   # "a window is a whole number of values"


def smoothed_correcting_the_first_epoch_only(losses, beta):
    losses = np.asarray(losses, dtype=float)
    out, a, t = np.empty_like(losses), 0.0, 0
    for e in range(losses.shape[0]):
        for b in range(losses.shape[1]):
            t += 1
            a = beta * a + (1 - beta) * losses[e, b]
            out[e, b] = a / (1 - beta**t) if t <= 20 else a   # "after 20 steps it is negligible"
    return out


def weight_of_newest_summed_to_a_hundred(beta, k):
    beta = np.asarray(beta, dtype=float)
    return np.sum((1 - beta)[..., None] * beta[..., None] ** np.arange(min(k, 100)), axis=-1)


# class 3: monotone data
def adam_step_keeping_the_largest_v(theta, g, m, v, t, lr, beta1, beta2, eps):
    m_new = beta1 * m + (1 - beta1) * g
    v_new = np.maximum(v, beta2 * v + (1 - beta2) * g**2)   # AMSGrad's max, mixed in
    m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


def rmsprop_step_keeping_the_largest_v(theta, g, v, lr, beta, eps):
    v = np.maximum(v, beta * v + (1 - beta) * g**2)
    return theta - lr * g / (np.sqrt(v) + eps), v


# class 4: benign numbers
def softmax_shifted_by_the_minimum(logits):
    e = np.exp(logits - logits.min(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_shifted_by_the_mean(logits):
    e = np.exp(logits - logits.mean(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def mlp_with_mask_at_least_zero(params, X, y):
    layers = len(params) // 2
    a, inputs, zs = X, [], []
    for k in range(1, layers + 1):
        inputs.append(a)
        z = a @ params[f"W{k}"] + params[f"b{k}"]
        zs.append(z)
        a = np.maximum(z, 0) if k < layers else z
    loss, delta = softmax_cross_entropy(a, y)
    grads = {}
    for k in range(layers, 0, -1):
        grads[f"W{k}"], grads[f"b{k}"] = inputs[k - 1].T @ delta, delta.sum(axis=0)
        if k > 1:
            delta = (delta @ params[f"W{k}"].T) * (zs[k - 2] >= 0)
    return loss, grads


# class 5: square shapes
def train_adam_with_state_of_len(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    theta = np.array(theta0, dtype=float)
    m, v, t, ends = np.zeros(len(theta)), np.zeros(len(theta)), 0, []
    for _ in range(epochs):
        for _ in range(batches_per_epoch):
            t += 1
            theta, m, v = adam_step(theta, grad_fn(theta), m, v, t, lr, beta1, beta2, eps)
        ends.append(theta)
    return np.array(ends)


def train_adam_with_lr_flattened(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    return train_adam_in_one_loop(grad_fn, theta0, epochs, batches_per_epoch, np.ravel(lr), beta1, beta2, eps)


# class 6: shortcuts through the course's own code
def mlp_by_the_library(params, X, y):
    from course_lib import nn
    return nn.loss_and_grads(params, X, y)


def clip_by_the_library(grads, max_norm):
    from course_lib import nn
    return nn.clip_by_global_norm(grads, max_norm)


def softmax_by_the_library(logits):
    from course_lib import nn
    return nn.softmax(logits)


def cross_entropy_by_the_library(logits, y):
    from course_lib import nn
    n, classes = logits.shape
    return nn.cross_entropy(logits, y), (softmax(logits) - np.eye(classes)[y]) / n


def relu_backward_by_the_library(grad_a, z):
    from course_lib import nn
    return grad_a * nn.relu_gradient(z)


def adam_step_by_the_library(theta, g, m, v, t, lr, beta1, beta2, eps):
    from course_lib.optim import Adam
    new_theta, state = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps).update(theta, g, {"t": t - 1, "m": m, "v": v})
    return new_theta, state["m"], state["v"]


def ema_by_the_library(xs, beta):
    from course_lib.averages import ema as library_ema      # imported under another name
    return library_ema(xs, beta)


def gd_step_by_the_library(theta, grad, lr):
    from course_lib.optim import SGD
    return SGD(lr=lr).update(theta, grad, {"t": 0})[0]


def noise_floor_by_the_library(lr, eigenvalues, sigma):
    from course_lib import theory
    return theory.sgd_noise_floor(lr, eigenvalues, sigma)


def cosine_lr_by_the_library(t, lr, total_steps, lr_min):
    from course_lib import schedules
    return schedules.cosine(lr, total_steps, lr_min)(t)


def minibatches_by_the_library(X, y, batch_size, rng):
    from course_lib import data
    yield from data.minibatches(X, y, batch_size, rng)


# class 7: dtypes
def ema_keeping_the_input_dtype(xs, beta):
    averages, a = np.empty_like(xs), 0.0     # an integer xs makes an integer buffer
    for t, x in enumerate(xs):
        a = beta * a + (1 - beta) * x
        averages[t] = a
    return averages


def adam_step_in_float32(theta, g, m, v, t, lr, beta1, beta2, eps):
    theta, g, m, v = (np.asarray(x, dtype=np.float32) for x in (theta, g, m, v))
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return (theta - lr * m_hat / (np.sqrt(v_hat) + eps)).astype(np.float32), m.astype(np.float32), v.astype(np.float32)


def adagrad_sizes_from_theta_like_g(g, lr, steps, eps):
    thetas = np.zeros((steps + 1, *np.shape(g)), dtype=np.asarray(g).dtype)   # "θ like g"
    s = 0.0
    for t in range(steps):
        s = s + g**2
        thetas[t + 1] = thetas[t] - lr * g / (np.sqrt(s) + eps)
    return np.abs(np.diff(thetas, axis=0))


def gradient_descent_filling_a_copy_of_the_start(grad_fn, theta0, lr, steps):
    path = np.array([theta0] * (steps + 1))   # the dtype of theta0
    for t in range(steps):
        path[t + 1] = path[t] - lr * grad_fn(path[t])
    return path


def ema_in_a_float32_buffer(xs, beta):
    out, a = np.zeros(np.shape(xs), dtype=np.float32), 0.0     # "float32 is enough for an average"
    for t, x in enumerate(xs):
        a = beta * a + (1 - beta) * x
        out[t] = a
    return out


def momentum_step_in_float32(theta, g, m, lr, beta):
    m = (beta * m + g).astype(np.float32)
    return theta - lr * m, m


def clip_in_float32(grads, max_norm):
    norm = np.float32(math.sqrt(sum(float(np.sum(g**2)) for g in grads.values())))
    factor = min(1.0, max_norm / (norm + 1e-6))
    return {name: (g * factor).astype(np.float32) for name, g in grads.items()}, norm


def gradient_descent_in_float32(grad_fn, theta0, lr, steps):
    theta = np.asarray(theta0, dtype=np.float32)
    path = [theta]
    for _ in range(steps):
        theta = (theta - lr * grad_fn(theta)).astype(np.float32)
        path.append(theta)
    return np.array(path)


def gradient_in_a_buffer_like_params(params, x_batch, y_batch):
    grad, r = np.zeros_like(params), params[0] * x_batch + params[1] - y_batch
    grad[0], grad[1] = 2 * np.mean(r * x_batch), 2 * np.mean(r)
    return grad


def effective_window_to_two_decimals(beta):
    return np.round(1 / (1 - np.asarray(beta)), 2)


def train_adam_with_t_capped(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    theta = np.array(theta0, dtype=float)
    m, v, t, ends = np.zeros_like(theta), np.zeros_like(theta), 0, []
    for _ in range(epochs):
        for _ in range(batches_per_epoch):
            t += 1
            theta, m, v = adam_step(theta, grad_fn(theta), m, v, min(t, 1000), lr, beta1, beta2, eps)
        ends.append(theta)
    return np.array(ends)


# the mistakes the issue says got only the generic hint, or the wrong one
def effective_window_int(beta):
    if np.ndim(beta):
        return np.array([int(1 / (1 - b)) for b in beta])
    return int(1 / (1 - beta))


def cross_entropy_one_hot_of_the_largest_label(logits, y):
    n = len(y)
    p = softmax(logits)
    return -np.mean(np.log(p[np.arange(n), y])), (p - np.eye(y.max() + 1)[y]) / n


def mlp_dividing_by_n_twice(params, X, y):
    loss, grads = mlp_loss_and_grads(params, X, y)
    return loss, {name: g / len(X) for name, g in grads.items()}


def train_adam_storing_the_corrected_averages(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    theta = np.array(theta0, dtype=float)
    m, v, t, ends = np.zeros_like(theta), np.zeros_like(theta), 0, []
    for _ in range(epochs):
        for _ in range(batches_per_epoch):
            t += 1
            g = grad_fn(theta)
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g**2
            m, v = m / (1 - beta1**t), v / (1 - beta2**t)     # stored back
            theta = theta - lr * m / (np.sqrt(v) + eps)
        ends.append(theta)
    return np.array(ends)


def train_adam_one_gradient_per_epoch(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    theta = np.array(theta0, dtype=float)
    m, v, t, ends = np.zeros_like(theta), np.zeros_like(theta), 0, []
    for _ in range(epochs):
        g = grad_fn(theta)
        for _ in range(batches_per_epoch):
            t += 1
            theta, m, v = adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
        ends.append(theta)
    return np.array(ends)


def train_adam_appending_one_array(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    theta = np.array(theta0, dtype=float)
    m, v, t, ends = np.zeros_like(theta), np.zeros_like(theta), 0, []
    for _ in range(epochs):
        for _ in range(batches_per_epoch):
            t += 1
            new_theta, m, v = adam_step(theta, grad_fn(theta), m, v, t, lr, beta1, beta2, eps)
            theta[...] = new_theta
        ends.append(theta)
    return np.array(ends)


def train_adam_new_state_every_step(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    theta, t, ends = np.array(theta0, dtype=float), 0, []
    for _ in range(epochs):
        for _ in range(batches_per_epoch):
            t += 1
            m, v = np.zeros_like(theta), np.zeros_like(theta)
            theta, m, v = adam_step(theta, grad_fn(theta), m, v, t, lr, beta1, beta2, eps)
        ends.append(theta)
    return np.array(ends)


def train_step_new_state_every_step(params, state, X, y, optimizer, max_norm):
    return train_step_with_the_library_clip(params, optimizer.init(params), X, y, optimizer, max_norm)


FALSE_PASSES = [  # (class, checker, wrong answer, what the message must say now)
    (1, "check_adam_step", adam_step_with_its_own_eps, "use the eps you are given"),
    (1, "check_adam_step", adam_step_with_scalar_hyper_parameters, "each of shape (3, 1)"),
    (1, "check_rmsprop_step", rmsprop_step_with_its_own_eps, "use the eps you are given"),
    (1, "check_adagrad_step", adagrad_step_with_its_own_eps, "use the eps you are given"),
    (1, "check_adamw_step", adamw_step_with_its_own_eps, "use the eps you are given"),
    (1, "check_adam_l2_step", adam_l2_step_with_its_own_eps, "use the eps you are given"),
    (1, "check_train_adam", train_adam_with_default_betas, "pass beta1, beta2 and eps on"),
    (2, "check_effective_window", effective_window_to_two_decimals, "not a whole window"),
    (2, "check_train_adam", train_adam_with_t_capped, "correct at every update"),
    (2, "check_adam_step", adam_step_correcting_early_steps_only, "a correction switched off after some step"),
    (2, "check_ema_bias_corrected", corrected_for_the_first_steps_only, "is not right yet: case 9 of 9, a long series"),
    (2, "check_smooth_losses", smoothed_correcting_the_first_epoch_only, "case 6 of 7, a long run"),
    (2, "check_weight_of_newest", weight_of_newest_summed_to_a_hundred, "case 6 of 7, β = 0.999, k = 2500"),
    (3, "check_adam_step", adam_step_keeping_the_largest_v, "is AMSGrad"),
    (4, "check_softmax", softmax_shifted_by_the_minimum, "not its smallest"),
    (4, "check_softmax", softmax_shifted_by_the_mean, "not its mean"),
    (4, "check_mlp_loss_and_grads", mlp_with_mask_at_least_zero, "not z ≥ 0"),
    (5, "check_train_adam", train_adam_with_state_of_len, "make m and v like θ₀"),
    (6, "check_mlp_loss_and_grads", mlp_by_the_library, "calls the course's own nn.loss_and_grads"),
    (6, "check_clip_by_global_norm", clip_by_the_library, "calls the course's own nn.clip_by_global_norm"),
    (6, "check_softmax", softmax_by_the_library, "calls the course's own nn.softmax"),
    (6, "check_softmax_cross_entropy", cross_entropy_by_the_library, "calls the course's own nn.cross_entropy"),
    (6, "check_relu_backward", relu_backward_by_the_library, "calls the course's own nn.relu_gradient"),
    (6, "check_adam_step", adam_step_by_the_library, "calls the course's own Adam"),
    (6, "check_ema", ema_by_the_library, "calls the course's own averages.ema"),
    (6, "check_gd_step", gd_step_by_the_library, "calls the course's own SGD"),
    (6, "check_noise_floor", noise_floor_by_the_library, "calls the course's own theory.sgd_noise_floor"),
    (6, "check_cosine_lr", cosine_lr_by_the_library, "calls the course's own schedules.cosine"),
    (6, "check_minibatches", minibatches_by_the_library, "calls the course's own data.minibatches"),
    (7, "check_ema", ema_keeping_the_input_dtype, "the fractions were cut off"),
    (7, "check_ema", ema_in_a_float32_buffer, "of dtype float32"),
    (7, "check_momentum_step", momentum_step_in_float32, "of dtype float32"),
    (7, "check_clip_by_global_norm", clip_in_float32, "of dtype float32"),
    (7, "check_gradient_descent", gradient_descent_in_float32, "of dtype float32"),
    (7, "check_minibatch_gradient", gradient_in_a_buffer_like_params, "the fractions were cut off"),
    (7, "check_adam_step", adam_step_in_float32, "of dtype float32"),
    (7, "check_adagrad_step_sizes", adagrad_sizes_from_theta_like_g, "the fractions were cut off"),
    (7, "check_gradient_descent", gradient_descent_filling_a_copy_of_the_start, "the fractions were cut off"),
]
from test_exercise10_checks import FALSE_PASSES_10  # noqa: E402  (exercise 10's, in their own file)
FALSE_PASSES += FALSE_PASSES_10

WRONG_HINTS = [  # wrong answers that were caught with a hint for another bug
    ("check_rmsprop_step", rmsprop_step_keeping_the_largest_v, "AMSGrad's idea"),
    ("check_adam_step", adam_step_with_default_betas, "use the beta1 and beta2 you are given"),
    ("check_effective_window", effective_window_floored, "int() cuts off the fractions"),
    ("check_effective_window", effective_window_int, "int() cuts off the fractions"),
    ("check_adam_step", adam_step_in_float32, "of dtype float32"),
    ("check_train_adam", train_adam_with_lr_flattened, "keep lr of shape (K, 1)"),
    ("check_softmax_cross_entropy", cross_entropy_one_hot_of_the_largest_label, "np.eye(y.max() + 1)"),
    ("check_mlp_loss_and_grads", mlp_dividing_by_n_twice, "1/n applied twice"),
    ("check_train_adam", train_adam_storing_the_corrected_averages, "keep the plain averages m and v"),
    ("check_train_adam", train_adam_one_gradient_per_epoch, "you reused one gradient"),
    ("check_train_adam", train_adam_appending_one_array, "you appended the same array each epoch"),
    ("check_train_adam", train_adam_new_state_every_step, "make m and v zero once"),
    ("check_train_step", train_step_new_state_every_step, "made anew with optimizer.init(params)"),
]


def message_of(error) -> str:
    """What the learner reads: the message and, for an error from their own code, its notes."""
    return f"{error}\n{notes(error)}"


@pytest.mark.parametrize("kind, checker, wrong, hint", [
    pytest.param(kind, checker, wrong, hint, id=f"class{kind}-{checker}-{wrong.__name__}")
    for kind, checker, wrong, hint in FALSE_PASSES])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_wrong_answer_that_used_to_pass_is_caught_with_its_hint(kind, checker, wrong, hint, capsys):
    with pytest.raises(Exception) as caught:
        getattr(checks, checker)(wrong)
    assert not isinstance(caught.value, NotImplementedError)
    assert hint in message_of(caught.value), message_of(caught.value)
    assert "✓" not in capsys.readouterr().out


@pytest.mark.parametrize("checker, wrong, hint", [
    pytest.param(checker, wrong, hint, id=f"{checker}-{wrong.__name__}") for checker, wrong, hint in WRONG_HINTS])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_mistake_gets_the_hint_that_names_it(checker, wrong, hint, capsys):
    with pytest.raises(Exception) as caught:
        getattr(checks, checker)(wrong)
    assert hint in message_of(caught.value), message_of(caught.value)
    assert "✓" not in capsys.readouterr().out


def test_every_class_of_false_pass_has_wrong_answers():
    assert {kind for kind, *_ in FALSE_PASSES} == set(range(1, 8))


def test_your_call_can_be_pasted_to_repeat_the_failure():
    with pytest.raises(AssertionError) as caught:
        checks.check_softmax_cross_entropy(cross_entropy_without_one_over_n)
    call = next(line for line in str(caught.value).splitlines() if "your call:" in line)
    assert "np.array([0, 2, 1, 2])" in call, call
    text = call.split("your call: ", 1)[1]
    again = eval(text, {"np": np, "softmax_cross_entropy": cross_entropy_without_one_over_n})
    assert again[1].shape == (4, 3)


def test_a_failure_names_its_exercise_and_task():
    with pytest.raises(AssertionError) as caught:
        checks.check_adam_step(adam_step_without_correction)
    assert str(caught.value).startswith("Exercise 06 · task 1 · adam_step is not right yet: case 1 of ")
    with pytest.raises(NotImplementedError) as caught:
        checks.check_clip_by_global_norm(lambda *args: (_ for _ in ()).throw(NotImplementedError()))
    assert "Exercise 08 · task 5, check_clip_by_global_norm" in notes(caught.value)


def test_hiding_the_reference_restores_it_and_leaves_the_learners_names_alone():
    from course_lib import averages, nn
    from course_lib.optim import Adam
    before = (nn.softmax, averages.ema, Adam.rule, "rule" in vars(Adam))
    for checker, wrong in [("check_softmax", softmax_by_the_library), ("check_ema", ema_by_the_library),
                           ("check_adam_step", adam_step_by_the_library)]:
        with pytest.raises(AssertionError):
            getattr(checks, checker)(wrong)
    assert (nn.softmax, averages.ema, Adam.rule, "rule" in vars(Adam)) == before
    checks.check_softmax(softmax)      # the learner's own function of the same name passes


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


def momentum_step_on_a_copy(theta, g, m, lr, beta):
    m = m.copy()                                 # in place, but on a copy of the caller's m
    m *= beta
    m += g
    return theta - lr * m, m


def momentum_step_ema_interpolated(theta, g, m, lr, beta):
    m = m + (1 - beta) * (g - m)                 # the EMA as a move towards g
    return theta - lr * m, m


def nesterov_step_expanded(theta, g, m, lr, beta):
    return theta - lr * ((1 + beta) * g + beta**2 * m), beta * m + g


def polyak_best_from_the_rate(lambda_min, lambda_max):
    rate = (np.sqrt(lambda_max) - np.sqrt(lambda_min)) / (np.sqrt(lambda_max) + np.sqrt(lambda_min))
    return np.array([4 / (np.sqrt(lambda_max) + np.sqrt(lambda_min)) ** 2, rate**2])


def adagrad_step_on_a_copy(theta, g, s, lr, eps):
    s = s.copy()
    s += g * g
    return theta - lr * g / (np.sqrt(s) + eps), s


def rmsprop_step_interpolated(theta, g, v, lr, beta, eps):
    v = v + (1 - beta) * (g**2 - v)
    return theta - lr * g / (np.sqrt(v) + eps), v


def adadelta_step_one_root(theta, g, v, u, beta, eps):
    v = beta * v + (1 - beta) * g**2
    delta = g * np.sqrt((u + eps) / (v + eps))
    return theta - delta, v, beta * u + (1 - beta) * delta**2


def adagrad_sizes_vectorized(g, lr, steps, eps):
    t = np.arange(1, steps + 1).reshape((-1,) + (1,) * np.ndim(g))
    return lr * np.abs(g) / (np.sqrt(t) * np.abs(g) + eps)      # s_t = t·g² exactly


def adadelta_first_step_closed_form(g, beta, eps):
    return np.sqrt(eps) / np.sqrt((1 - beta) * g**2 + eps) * np.abs(g)


def adam_step_efficient_form(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)        # Keras' form, with ε̂ = ε·√(1 − β2ᵗ)
    return theta - lr_t * m / (np.sqrt(v) + eps * np.sqrt(1 - beta2**t)), m, v


def train_adam_in_one_loop(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    theta = np.array(theta0, dtype=float)
    m, v, ends = np.zeros_like(theta), np.zeros_like(theta), []
    for t in range(1, epochs * batches_per_epoch + 1):
        theta, m, v = adam_step(theta, grad_fn(theta), m, v, t, lr, beta1, beta2, eps)
        if t % batches_per_epoch == 0:
            ends.append(theta)
    return ends


def adamw_step_in_one_line(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta), m, v


def adam_l2_step_written_out(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    g = g + weight_decay * theta
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def step_decay_lr_by_integer_division(t, lr, step_size, gamma):
    return lr * gamma ** (np.asarray(t) // step_size)


def cosine_lr_squared(t, lr, total_steps, lr_min):
    t = np.asarray(t, dtype=float)
    inside = lr_min + (lr - lr_min) * np.cos(np.pi * t / total_steps / 2) ** 2     # ½(1 + cos 2x) = cos² x
    return np.where(t < total_steps, inside, lr_min)


def warmup_lr_with_a_mask(t, schedule, warmup_steps, start_factor):
    t = np.asarray(t)
    warm = t < warmup_steps
    fraction = np.minimum(t / warmup_steps, 1.0)
    after = schedule(np.where(warm, 0, t - warmup_steps))
    return warm * schedule(0) * (start_factor + (1 - start_factor) * fraction) + ~warm * after


def run_lrs_at_once(schedule, epochs, batches_per_epoch):
    t = np.arange(epochs * batches_per_epoch).reshape(epochs, batches_per_epoch)
    return np.broadcast_to(schedule(t), t.shape)


def noise_floor_in_a_loop(lr, eigenvalues, sigma):
    total = 0.0
    for curvature in eigenvalues:
        total += lr * sigma**2 / (4 - 2 * lr * curvature)
    return total


def annealed_with_warmup_and_steps(t):
    t = np.asarray(t)
    return np.where(t < 50, 0.1 * (t + 1) / 50, 0.1 * 0.1 ** ((t - 50) // 250))


def range_test_lr_in_decades(t, lr_low, lr_high, steps):
    exponent = np.log10(lr_low) + (np.log10(lr_high) - np.log10(lr_low)) * np.asarray(t) / (steps - 1)
    return 10.0**exponent


def softmax_by_logsumexp(logits):
    m = np.max(logits, axis=1)[:, None]
    return np.exp(logits - m - np.log(np.sum(np.exp(logits - m), axis=1))[:, None])


def cross_entropy_with_logaddexp(logits, y):
    n = len(y)
    log_p = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    one_hot = np.zeros_like(logits)
    one_hot[np.arange(n), y] = 1.0
    return float(-np.sum(log_p * one_hot) / n), (np.exp(log_p) - one_hot) / n


def dense_backward_with_einsum(a, W, delta):
    return np.einsum("ni,nj->ij", a, delta), np.ones(len(delta)) @ delta, np.einsum("nj,ij->ni", delta, W)


def relu_backward_with_where(grad_a, z):
    return np.where(z > 0, grad_a, 0.0)


def mlp_with_stored_masks(params, X, y):
    names = sorted({name[1:] for name in params}, key=int)
    inputs, masks, a = [], [], X
    for number in names:
        inputs.append(a)
        z = a @ params["W" + number] + params["b" + number]
        masks.append(z > 0)
        a = z * masks[-1] if number != names[-1] else z
    loss, delta = softmax_cross_entropy(a, y)
    grads = {}
    for k in reversed(range(len(names))):
        grads["W" + names[k]] = inputs[k].T @ delta
        grads["b" + names[k]] = delta.sum(axis=0)
        if k:
            delta = (delta @ params["W" + names[k]].T) * masks[k - 1]
    return loss, grads


def numerical_derivative_on_copies(loss_fn, params, name, index, eps):
    plus, minus = copy.deepcopy(params), copy.deepcopy(params)
    plus[name][index] += eps
    minus[name][index] -= eps
    return (loss_fn(plus) - loss_fn(minus)) / (2 * eps)


def clip_only_when_needed(grads, max_norm):
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
    if norm <= max_norm:
        return dict(grads), norm
    return {name: g * (max_norm / (norm + 1e-6)) for name, g in grads.items()}, norm


def train_step_with_the_library_clip(params, state, X, y, optimizer, max_norm):
    loss, grads = mlp_loss_and_grads(params, X, y)
    if max_norm:
        grads = clip_only_when_needed(grads, max_norm)[0]
    new_params, new_state = optimizer.update(params, grads, state)
    return new_params, new_state, loss


# more right answers in other styles: loops over coordinates, closed forms, recursion, integer-safe copies
def adam_step_coordinate_by_coordinate(theta, g, m, v, t, lr, beta1, beta2, eps):
    theta, g, m, v = (np.array(x, dtype=float) for x in (theta, g, m, v))
    shape = np.broadcast(theta, lr, beta1, beta2, eps).shape
    new = [np.zeros(shape) for _ in range(3)]
    lr, beta1, beta2, eps = (np.broadcast_to(x, shape) for x in (lr, beta1, beta2, eps))
    for i in np.ndindex(shape):
        mi = beta1[i] * m[i] + (1 - beta1[i]) * g[i]
        vi = beta2[i] * v[i] + (1 - beta2[i]) * g[i] ** 2
        step = lr[i] * (mi / (1 - beta1[i] ** t)) / (math.sqrt(vi / (1 - beta2[i] ** t)) + eps[i])
        new[0][i], new[1][i], new[2][i] = theta[i] - step, mi, vi
    return tuple(new)


def ema_closed_form(xs, beta):
    xs = np.asarray(xs, dtype=float)
    n = len(xs)
    t, j = np.arange(1, n + 1)[:, None], np.arange(1, n + 1)[None, :]
    weights = np.where(j <= t, (1 - beta) * beta ** np.maximum(t - j, 0), 0.0)
    return np.tensordot(weights, xs, axes=1)


def mlp_recursive(params, X, y, layer=1):
    """The forward pass going down the layers by recursion, the backward pass on the way back."""
    last = len(params) // 2
    z = X @ params[f"W{layer}"] + params[f"b{layer}"]
    if layer == last:
        loss, delta = softmax_cross_entropy(z, y)
        grads = {}
    else:
        loss, grads, delta_above = mlp_recursive(params, np.maximum(z, 0), y, layer + 1)
        delta = (delta_above @ params[f"W{layer + 1}"].T) * (z > 0)
    grads[f"W{layer}"], grads[f"b{layer}"] = X.T @ delta, delta.sum(axis=0)
    if layer == 1:
        return loss, {name: grads[name] for name in params}
    return loss, grads, delta


def train_adam_with_integer_safe_copies(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    theta = np.array(theta0, dtype=float)
    m, v, t, ends = np.zeros_like(theta), np.zeros_like(theta), 0, []
    for _ in range(epochs):
        for _ in range(batches_per_epoch):
            t += 1
            new_theta, m, v = adam_step_efficient_form(theta, grad_fn(theta), m, v, t, lr, beta1, beta2, eps)
            theta[...] = new_theta                  # in place, but a copy goes into the list
        ends.append(theta.copy())
    return np.array(ends)


def softmax_cross_entropy_with_a_loop(logits, y):
    logits = np.asarray(logits, dtype=float)
    n, classes = logits.shape
    loss, delta = 0.0, np.zeros((n, classes))
    for i in range(n):
        row = logits[i] - logits[i].max()
        log_p = row - math.log(sum(math.exp(value) for value in row))
        loss -= log_p[y[i]] / n
        delta[i] = np.exp(log_p) / n
        delta[i, y[i]] -= 1 / n
    return loss, delta


@pytest.mark.parametrize("checker, right", [
    ("check_ema", ema_from_its_weights),
    ("check_minibatches", minibatches_with_shuffled_indices),
    ("check_minibatches", minibatches_with_choice),
    ("check_gradient_descent", gradient_descent_as_a_list),
    ("check_lr_limit_and_best", limit_and_best_as_an_array),
    ("check_effective_window", lambda beta: 1 / (1 - np.asarray(beta))),
    ("check_weight_of_newest", lambda beta, k: np.sum((1 - np.asarray(beta))[..., None]
                                                       * np.asarray(beta)[..., None] ** np.arange(k), axis=-1)),
    ("check_momentum_step", momentum_step_on_a_copy),
    ("check_momentum_step_ema", momentum_step_ema_interpolated),
    ("check_sum_form_lr", lambda ema_lr, beta: ema_lr - ema_lr * beta),
    ("check_nesterov_step", nesterov_step_expanded),
    ("check_momentum_lr_limit", lambda beta, lambda_max: (2 + 2 * beta) / lambda_max),
    ("check_polyak_best", polyak_best_from_the_rate),
    ("check_adagrad_step", adagrad_step_on_a_copy),
    ("check_rmsprop_step", rmsprop_step_interpolated),
    ("check_adadelta_step", adadelta_step_one_root),
    ("check_adagrad_step_sizes", adagrad_sizes_vectorized),
    ("check_adadelta_first_step", adadelta_first_step_closed_form),
    ("check_adam_step", adam_step_efficient_form),
    ("check_train_adam", train_adam_in_one_loop),
    ("check_adamw_step", adamw_step_in_one_line),
    ("check_adam_l2_step", adam_l2_step_written_out),
    ("check_step_decay_lr", step_decay_lr_by_integer_division),
    ("check_cosine_lr", cosine_lr),
    ("check_cosine_lr", cosine_lr_squared),
    ("check_warmup_lr", warmup_lr_with_a_mask),
    ("check_run_lrs", run_lrs_at_once),
    ("check_noise_floor", noise_floor_in_a_loop),
    ("check_annealed_schedule", lambda t: cosine_lr(t, 0.1, 1000, 0.0)),
    ("check_annealed_schedule", annealed_with_warmup_and_steps),
    ("check_range_test_lr", range_test_lr_in_decades),
    ("check_softmax", softmax),
    ("check_softmax", softmax_by_logsumexp),
    ("check_softmax_cross_entropy", softmax_cross_entropy),
    ("check_softmax_cross_entropy", cross_entropy_with_logaddexp),
    ("check_dense_backward", dense_backward_with_einsum),
    ("check_relu_backward", relu_backward_with_where),
    ("check_mlp_loss_and_grads", mlp_loss_and_grads),
    ("check_mlp_loss_and_grads", mlp_with_stored_masks),
    ("check_numerical_derivative", numerical_derivative_on_copies),
    ("check_clip_by_global_norm", clip_by_global_norm),
    ("check_clip_by_global_norm", clip_only_when_needed),
    ("check_train_step", train_step_with_the_library_clip),
    ("check_adam_step", adam_step_coordinate_by_coordinate),
    ("check_ema", ema_closed_form),
    ("check_ema_bias_corrected", lambda xs, beta: ema_closed_form(xs, beta)
     / (1 - beta ** np.arange(1, len(xs) + 1)).reshape((-1,) + (1,) * (np.ndim(xs) - 1))),
    ("check_mlp_loss_and_grads", mlp_recursive),
    ("check_train_adam", train_adam_with_integer_safe_copies),
    ("check_softmax_cross_entropy", softmax_cross_entropy_with_a_loop),
    ("check_range_test_lr", lambda t, lr_low, lr_high, steps: np.geomspace(lr_low, lr_high, steps)[np.asarray(t)]),
    ("check_step_decay_lr", lambda t, lr, step_size, gamma: lr * gamma ** (np.asarray(t) // int(step_size))),
    ("check_adagrad_step_sizes", lambda g, lr, steps, eps: lr * np.abs(g) / (
        np.sqrt(np.arange(1, steps + 1)).reshape((-1,) + (1,) * np.ndim(g)) * np.abs(g) + eps)),
    ("check_adamw_step", lambda theta, g, m, v, t, lr, b1, b2, eps, wd: adam_step_efficient_form(
        theta * (1 - lr * wd), g, m, v, t, lr, b1, b2, eps)),
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
