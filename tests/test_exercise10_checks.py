"""Exercise 10's checkers (course_lib.checks.ex10_after_adam) catch typical wrong answers with the
right hint, and let right answers written another way through.

Each wrong answer is written the way a learner would write it, not copied from the mistake models
in the checker. `WRONG_ANSWERS_10` is added to test_exercise_checks.WRONG_ANSWERS, whose tests run
them (the hint must be in the message) and require every checker to have wrong answers; the right
answers written another way are tested here.
"""

import math

import numpy as np
import pytest

from course_lib import checks

A, B, C = 3.4445, -4.775, 2.0315


# -- lion_step -------------------------------------------------------------------------------------

def lion_updating_m_first(theta, g, m, lr, beta1, beta2, weight_decay):
    m = beta2 * m + (1 - beta2) * g
    u = np.sign(beta1 * m + (1 - beta1) * g)
    return theta - lr * (u + weight_decay * theta), m


def lion_without_sign(theta, g, m, lr, beta1, beta2, weight_decay):
    u = beta1 * m + (1 - beta1) * g
    return theta - lr * (u + weight_decay * theta), beta2 * m + (1 - beta2) * g


def lion_betas_swapped(theta, g, m, lr, beta1, beta2, weight_decay):
    u = np.sign(beta2 * m + (1 - beta2) * g)
    return theta - lr * (u + weight_decay * theta), beta1 * m + (1 - beta1) * g


def lion_decay_without_lr(theta, g, m, lr, beta1, beta2, weight_decay):
    u = np.sign(beta1 * m + (1 - beta1) * g)
    return theta - lr * u - weight_decay * theta, beta2 * m + (1 - beta2) * g


def lion_sign_of_gradient(theta, g, m, lr, beta1, beta2, weight_decay):
    return theta - lr * (np.sign(g) + weight_decay * theta), beta2 * m + (1 - beta2) * g


def lion_in_place(theta, g, m, lr, beta1, beta2, weight_decay):  # right, written with copies and a loop
    theta, m = np.array(theta, dtype=float), np.array(m, dtype=float)
    new_theta = theta.copy()
    for index in np.ndindex(theta.shape):
        b1 = np.broadcast_to(beta1, theta.shape)[index]
        mix = b1 * m[index] + (1 - b1) * g[index]
        step = 1.0 if mix > 0 else -1.0 if mix < 0 else 0.0
        lr_k = np.broadcast_to(lr, theta.shape)[index]
        decay = np.broadcast_to(weight_decay, theta.shape)[index]
        new_theta[index] = theta[index] - lr_k * (step + decay * theta[index])
    return new_theta, beta2 * m + (1 - beta2) * g


def lion_with_where(theta, g, m, lr, beta1, beta2, weight_decay):  # right: the sign written with np.where
    mix = beta1 * m + (1 - beta1) * g
    u = np.where(mix > 0, 1.0, np.where(mix < 0, -1.0, 0.0))
    return theta * (1 - lr * weight_decay) - lr * u, m + (1 - beta2) * (g - m)


# -- newton_schulz ---------------------------------------------------------------------------------

def ns_unscaled(G, steps):
    X = np.array(G, dtype=float)
    for _ in range(steps):
        A_ = X @ X.T
        X = A * X + (B * A_ + C * A_ @ A_) @ X
    return X


def ns_without_eps(G, steps):
    with np.errstate(invalid="ignore"):
        X = G / np.linalg.norm(G)
    for _ in range(steps):
        A_ = X @ X.T
        X = A * X + (B * A_ + C * A_ @ A_) @ X
    return X


def ns_one_too_many(G, steps):
    X = G / max(np.linalg.norm(G), 1e-7)
    for _ in range(steps + 1):
        A_ = X @ X.T
        X = A * X + (B * A_ + C * A_ @ A_) @ X
    return X


def ns_cubic_only(G, steps):
    X = G / max(np.linalg.norm(G), 1e-7)
    for _ in range(steps):
        X = A * X + B * (X @ X.T) @ X
    return X


def ns_with_the_other_gram_matrix(G, steps):  # right: X(bXᵀX + c(XᵀX)²) = (bXXᵀ + c(XXᵀ)²)X
    X = G / max(np.sqrt(np.sum(G**2)), 1e-7)
    for _ in range(steps):
        gram = X.T @ X
        X = A * X + X @ (B * gram + C * gram @ gram)
    return X


def ns_transposing_tall_matrices(G, steps):  # right: the reference's way, the smaller Gram matrix
    tall = G.shape[0] > G.shape[1]
    X = np.array(G.T if tall else G, dtype=float)
    X = X / max(np.linalg.norm(X), 1e-7)
    for _ in range(steps):
        A_ = X @ X.T
        X = A * X + B * A_ @ X + C * A_ @ (A_ @ X)
    return X.T if tall else X


# -- schedule_free_step ------------------------------------------------------------------------------

def sf_average_one_too_many(y, g, z, x, t, lr, beta):
    z = z - lr * g
    x = x + (z - x) / (t + 1)
    return (1 - beta) * z + beta * x, z, x


def sf_average_before_the_step(y, g, z, x, t, lr, beta):
    x = (1 - 1 / t) * x + z / t
    z = z - lr * g
    return (1 - beta) * z + beta * x, z, x


def sf_beta_on_z(y, g, z, x, t, lr, beta):
    z = z - lr * g
    x = (1 - 1 / t) * x + z / t
    return beta * z + (1 - beta) * x, z, x


def sf_returns_x(y, g, z, x, t, lr, beta):
    z = z - lr * g
    x = (1 - 1 / t) * x + z / t
    return x, z, x


def sf_running_mean(y, g, z, x, t, lr, beta):  # right: x + (z − x)/t is the same average
    z = z - lr * g
    x = x + (z - x) / t
    return z + beta * (x - z), z, x


def sf_with_weights(y, g, z, x, t, lr, beta):  # right: the average of t points, written with weights
    z_new = z - lr * g
    x_new = ((t - 1) * x + z_new) / t
    return z_new + beta * (x_new - z_new), z_new, x_new


# -- wsd_lr -----------------------------------------------------------------------------------------

def wsd_with_int(t, lr, total_steps, warmup_steps, decay_fraction):
    t = np.asarray(t, dtype=float)
    D = int(decay_fraction * total_steps)
    ramp = lr * (0.01 + 0.99 * t / max(warmup_steps, 1))
    s = np.clip((t - (total_steps - D)) / D, 0, 1)
    return np.where(t < warmup_steps, ramp, np.where(t < total_steps - D, lr, lr * (1 - s)))


def wsd_not_clipped(t, lr, total_steps, warmup_steps, decay_fraction):
    t = np.asarray(t, dtype=float)
    D = round(decay_fraction * total_steps)
    ramp = lr * (0.01 + 0.99 * t / max(warmup_steps, 1))
    return np.where(t < warmup_steps, ramp, np.where(t < total_steps - D, lr, lr * (total_steps - t) / D))


def wsd_ramp_from_one(t, lr, total_steps, warmup_steps, decay_fraction):
    t = np.asarray(t, dtype=float)
    D = round(decay_fraction * total_steps)
    ramp = lr * (0.01 + 0.99 * (t + 1) / max(warmup_steps, 1))
    s = np.clip((t - (total_steps - D)) / D, 0, 1)
    return np.where(t < warmup_steps, ramp, np.where(t < total_steps - D, lr, lr * (1 - s)))


def wsd_piecewise_in_python(t, lr, total_steps, warmup_steps, decay_fraction):  # right, with a loop
    def one(step):
        D = round(decay_fraction * total_steps)
        if step < warmup_steps:
            return lr * (0.01 + 0.99 * step / warmup_steps)
        if step < total_steps - D:
            return lr
        return lr * max(0.0, 1 - (step - (total_steps - D)) / D)
    return np.array([one(s) for s in np.atleast_1d(t)]).reshape(np.shape(t))


# -- wrong answers that passed exercise 10's checks before issue 12's classes were applied to it ------

# class 1: an argument that never left its default
def lion_with_its_own_beta2(theta, g, m, lr, beta1, beta2, weight_decay):
    u = np.sign(beta1 * m + (1 - beta1) * g)
    return theta - lr * (u + weight_decay * theta), 0.99 * m + 0.01 * g


def lion_with_scalar_hyper_parameters(theta, g, m, lr, beta1, beta2, weight_decay):
    beta2, weight_decay = float(beta2), float(weight_decay)      # "they are numbers"
    u = np.sign(beta1 * m + (1 - beta1) * g)
    return theta - lr * (u + weight_decay * theta), beta2 * m + (1 - beta2) * g


# class 2: values too round
def wsd_rounding_up(t, lr, total_steps, warmup_steps, decay_fraction):
    t = np.asarray(t, dtype=float)
    D = math.ceil(decay_fraction * total_steps)                   # "a partial step still decays"
    ramp = lr * (0.01 + 0.99 * t / max(warmup_steps, 1))
    s = np.clip((t - (total_steps - D)) / D, 0, 1)
    return np.where(t < warmup_steps, ramp, np.where(t < total_steps - D, lr, lr * (1 - s)))


# class 4: benign numbers
def ns_with_eps_added(G, steps):
    X = G / (np.linalg.norm(G) + 1e-7)
    for _ in range(steps):
        A_ = X @ X.T
        X = A * X + (B * A_ + C * A_ @ A_) @ X
    return X


def ns_skipping_only_zero(G, steps):
    norm = np.linalg.norm(G)
    if norm == 0:
        return np.zeros_like(G, dtype=float)
    X = G / norm
    for _ in range(steps):
        A_ = X @ X.T
        X = A * X + (B * A_ + C * A_ @ A_) @ X
    return X


# class 6: shortcuts through the course's own code
def lion_by_the_library(theta, g, m, lr, beta1, beta2, weight_decay):
    from course_lib.optim import Lion
    new_theta, state = Lion(lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay).update(theta, g, {"t": 0, "m": m})
    return new_theta, state["m"]


def ns_by_the_library(G, steps):
    from course_lib.optim import newton_schulz as orthogonalize
    return orthogonalize(G, steps)


def sf_by_the_library(y, g, z, x, t, lr, beta):
    from course_lib.optim import ScheduleFreeSGD
    new_y, state = ScheduleFreeSGD(lr=lr, beta=beta).update(y, g, {"t": t - 1, "z": z, "x": x})
    return new_y, state["z"], state["x"]


def wsd_by_the_library(t, lr, total_steps, warmup_steps, decay_fraction):
    from course_lib import schedules
    return schedules.wsd(lr, total_steps, warmup_steps=warmup_steps, decay_fraction=decay_fraction)(t)


# class 7: dtypes
def lion_filling_an_array_like_theta(theta, g, m, lr, beta1, beta2, weight_decay):
    new_theta = np.zeros_like(theta)
    new_theta[...] = theta - lr * (np.sign(beta1 * m + (1 - beta1) * g) + weight_decay * theta)
    return new_theta, beta2 * m + (1 - beta2) * g


def ns_in_an_array_like_G(G, steps):
    X = np.empty_like(G)
    X[...] = G / max(np.linalg.norm(G), 1e-7)
    for _ in range(steps):
        A_ = X @ X.T
        X[...] = A * X + (B * A_ + C * A_ @ A_) @ X
    return X


def sf_filling_arrays_like_the_inputs(y, g, z, x, t, lr, beta):
    new_z, new_x, new_y = np.zeros_like(z), np.zeros_like(x), np.zeros_like(y)
    new_z[...] = z - lr * g
    new_x[...] = (1 - 1 / t) * x + new_z / t
    new_y[...] = (1 - beta) * new_z + beta * new_x
    return new_y, new_z, new_x


FALSE_PASSES_10 = [  # (class, checker, wrong answer, what the message must say now); run by test_exercise_checks
    (1, "check_lion_step", lion_with_its_own_beta2, "use the beta2 you are given"),
    (1, "check_lion_step", lion_with_scalar_hyper_parameters, "each of shape (3, 1)"),
    (2, "check_wsd_lr", wsd_rounding_up, "not up (math.ceil)"),
    (4, "check_newton_schulz", ns_with_eps_added, "not by ‖G‖_F + 1e-7"),
    (4, "check_newton_schulz", ns_skipping_only_zero, "is divided by 1e-7"),
    (6, "check_lion_step", lion_by_the_library, "calls the course's own Lion"),
    (6, "check_newton_schulz", ns_by_the_library, "calls the course's own optim.newton_schulz"),
    (6, "check_schedule_free_step", sf_by_the_library, "calls the course's own ScheduleFreeSGD"),
    (6, "check_wsd_lr", wsd_by_the_library, "calls the course's own schedules.wsd"),
    (7, "check_lion_step", lion_filling_an_array_like_theta, "the fractions were cut off"),
    (7, "check_newton_schulz", ns_in_an_array_like_G, "the fractions were cut off"),
    (7, "check_schedule_free_step", sf_filling_arrays_like_the_inputs, "the fractions were cut off"),
]


WRONG_ANSWERS_10 = [
    ("check_lion_step", lion_updating_m_first, "the step uses the OLD m"),
    ("check_lion_step", lion_without_sign, "take the sign"),
    ("check_lion_step", lion_betas_swapped, "β1 and β2 are swapped"),
    ("check_lion_step", lion_decay_without_lr, "the weight decay is scaled by lr too"),
    ("check_lion_step", lion_sign_of_gradient, "not of g alone"),
    ("check_newton_schulz", ns_unscaled, "scale first"),
    ("check_newton_schulz", ns_without_eps, "max(‖G‖_F, 1e-7)"),
    ("check_newton_schulz", ns_one_too_many, "off by one"),
    ("check_newton_schulz", ns_cubic_only, "the quintic term is missing"),
    ("check_schedule_free_step", sf_average_one_too_many, "c_t = 1/t"),
    ("check_schedule_free_step", sf_average_before_the_step, "average the NEW z"),
    ("check_schedule_free_step", sf_beta_on_z, "β is the weight of the average x"),
    ("check_schedule_free_step", sf_returns_x, "return y"),
    ("check_wsd_lr", wsd_with_int, "round, not int()"),
    ("check_wsd_lr", wsd_not_clipped, "after T the rate stays at 0"),
    ("check_wsd_lr", wsd_ramp_from_one, "off by one"),
    *[(checker, wrong, hint) for kind, checker, wrong, hint in FALSE_PASSES_10
      if wrong is not lion_with_scalar_hyper_parameters],  # that one raises TypeError, with the case's hint in a note
]

RIGHT_ANSWERS_10 = [
    ("check_lion_step", lion_in_place),
    ("check_newton_schulz", ns_with_the_other_gram_matrix),
    ("check_schedule_free_step", sf_running_mean),
    ("check_wsd_lr", wsd_piecewise_in_python),
    ("check_lion_step", lion_with_where),
    ("check_newton_schulz", ns_transposing_tall_matrices),
    ("check_schedule_free_step", sf_with_weights),
]


@pytest.mark.parametrize("checker, right", RIGHT_ANSWERS_10, ids=[r.__name__ for _, r in RIGHT_ANSWERS_10])
def test_right_answers_written_another_way_pass(checker, right, capsys):
    getattr(checks, checker)(right)
    assert capsys.readouterr().out.startswith(f"✓ {checker.removeprefix('check_')}: right in all ")
