r"""What theory predicts on a quadratic, to compare with what the optimizers measurably do.

On f(x) = ½ xᵀA x with the eigenvalues of A between μ = λ_min and L = λ_max (κ = L/μ):

=====================  ==========================  ==================================
method                 best constant settings      error shrinks per step by (rate)
=====================  ==========================  ==================================
gradient descent       η = 2/(μ + L)               (κ − 1)/(κ + 1)
heavy ball (Polyak)    η = 4/(√L + √μ)²,           (√κ − 1)/(√κ + 1)
                       β = ((√κ − 1)/(√κ + 1))²
Nesterov, textbook     η = 1/L,                    1 − 1/√κ
                       β = (√κ − 1)/(√κ + 1)
Nesterov, tuned        η = 4/(3L + μ),             1 − 2/√(3κ + 1)
                       β = (√(3κ+1) − 2)/(√(3κ+1) + 2)
=====================  ==========================  ==================================

The textbook Nesterov setting is the one whose guarantee holds for every L-smooth, μ-strongly
convex function (Nesterov 2004, §2.2); on a quadratic it is not the fastest. The tuned setting
minimizes the largest root of Nesterov's recursion over curvatures in [μ, L] (Lessard, Recht &
Packard 2016): about √3 times the heavy ball's steps instead of the textbook's 2 times.
No first-order method can beat the heavy ball's rate on all quadratics with curvatures in [μ, L]:
(√κ − 1)/(√κ + 1) is Nesterov's (2004, Theorem 2.1.13) lower bound (`first_order_lower_bound`).

Stability: along every eigenvalue λ, gradient descent needs η λ < 2, heavy ball η λ < 2(1 + β),
Nesterov (the frameworks' form) η λ < 2(1 + β)/(1 + 2β). The largest stable η is then that bound
divided by λ_max (`gd_lr_limit`, `heavy_ball_lr_limit`, `nesterov_lr_limit`).
References: Polyak (1964); Nesterov, *Introductory Lectures on Convex Optimization* (2004), §2.2;
Lessard, Recht & Packard, *Analysis and design of optimization algorithms via integral quadratic
constraints*, SIAM J. Optim. 26(1) (2016); Goh, *Why Momentum Really Works*, Distill (2017).

One closed form is not about a quadratic: Adam's step for a constant gradient under the three
placements of ε that libraries use (`adam_step_over_lr`, lesson 09).
"""

from __future__ import annotations

from dataclasses import dataclass

import math

import numpy as np

from .optimizer_base import hyper_parameter, whole_number

__all__ = ["Settings", "gd_best", "heavy_ball_best", "nesterov_textbook", "nesterov_tuned",
           "first_order_lower_bound", "gd_stable", "heavy_ball_stable", "gd_lr_limit", "heavy_ball_lr_limit",
           "nesterov_lr_limit", "measured_rate", "adam_step_over_lr", "sgd_noise_floor"]


@dataclass(frozen=True)
class Settings:
    """Best hyper-parameters and the convergence rate they give (error × rate per step)."""

    lr: float
    beta: float
    rate: float


def _check_curvatures(mu: float, L: float) -> float:
    if not 0 < mu <= L < math.inf:
        raise ValueError(f"need 0 < λ_min ≤ λ_max, got λ_min = {mu:g}, λ_max = {L:g}")
    return L / mu


def gd_best(mu: float, L: float) -> Settings:
    """Gradient descent's fastest constant step, 2/(μ + L), and its rate (κ − 1)/(κ + 1)."""
    kappa = _check_curvatures(mu, L)
    return Settings(lr=2 / (mu + L), beta=0.0, rate=(kappa - 1) / (kappa + 1))


def heavy_ball_best(mu: float, L: float) -> Settings:
    """Polyak's optimal heavy ball: η = 4/(√L + √μ)², β = ((√κ − 1)/(√κ + 1))², rate (√κ − 1)/(√κ + 1)."""
    kappa = _check_curvatures(mu, L)
    rate = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    return Settings(lr=4 / (math.sqrt(L) + math.sqrt(mu)) ** 2, beta=rate**2, rate=rate)


def nesterov_textbook(mu: float, L: float) -> Settings:
    """Nesterov's setting for strongly convex functions: η = 1/L, β = (√κ − 1)/(√κ + 1), rate 1 − 1/√κ.

    The rate is what Nesterov (2004, §2.2) guarantees for every L-smooth, μ-strongly convex
    function. On a quadratic it is also the exact worst rate over [μ, L] (a double root at λ = μ),
    but not the best one Nesterov's method can reach there: see `nesterov_tuned`.
    """
    kappa = _check_curvatures(mu, L)
    return Settings(lr=1 / L, beta=(math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), rate=1 - 1 / math.sqrt(kappa))


def nesterov_tuned(mu: float, L: float) -> Settings:
    """Nesterov's fastest constant setting on quadratics with curvatures in [μ, L].

    η = 4/(3L + μ), β = (√(3κ+1) − 2)/(√(3κ+1) + 2), rate 1 − 2/√(3κ + 1) (Lessard, Recht &
    Packard 2016): the (η, β) that minimize the largest root of
    z² − (1+β)(1−ηλ) z + β(1−ηλ) over λ in [μ, L] (a double root at λ = μ, and |z| of the same
    size at λ = L).
    """
    kappa = _check_curvatures(mu, L)
    root = math.sqrt(3 * kappa + 1)
    return Settings(lr=4 / (3 * L + mu), beta=(root - 2) / (root + 2), rate=1 - 2 / root)


def first_order_lower_bound(mu: float, L: float) -> float:
    """(√κ − 1)/(√κ + 1): no first-order method's error shrinks faster per step on every quadratic.

    Nesterov (2004, Theorem 2.1.13): for any method whose iterates stay in the span of the past
    gradients there is a quadratic with curvatures in [μ, L] (in high enough dimension) on which
    ‖x_k − x*‖ ≥ r^k ‖x_0 − x*‖ with this r. The heavy ball at Polyak's settings reaches it.
    """
    kappa = _check_curvatures(mu, L)
    return (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)


def gd_stable(lr, curvature):
    """Whether gradient descent with step η converges along a direction of curvature λ: ηλ < 2."""
    return np.asarray(lr) * curvature < 2


def heavy_ball_stable(lr, beta, curvature):
    """Whether the heavy ball converges along curvature λ: 0 ≤ β < 1 and ηλ < 2(1 + β)."""
    return (np.asarray(lr) * curvature < 2 * (1 + np.asarray(beta))) & (np.asarray(beta) < 1)


def gd_lr_limit(lambda_max: float) -> float:
    """The largest stable step of gradient descent: 2/λ_max (at it, the error flips sign forever)."""
    _check_lr_limit_inputs(lambda_max)
    return 2 / lambda_max


def _check_lr_limit_inputs(lambda_max, beta=0.0) -> None:
    """Refuse, by name, what has no stability limit (the values themselves are used as given)."""
    hyper_parameter("lambda_max", lambda_max, positive=True)
    hyper_parameter("beta", beta, upper=1)


def heavy_ball_lr_limit(beta, lambda_max: float):
    """The largest stable step of the heavy ball, 2(1 + β)/λ_max: momentum widens the stable range."""
    _check_lr_limit_inputs(lambda_max, beta)
    return 2 * (1 + np.asarray(beta)) / lambda_max


def nesterov_lr_limit(beta, lambda_max: float):
    """The largest stable step of Nesterov (m ← βm + g, θ ← θ − η(g + βm)): 2(1 + β)/((1 + 2β) λ_max).

    Its iteration on curvature λ has characteristic polynomial z² − (1+β)(1−ηλ) z + β(1−ηλ); the
    Jury conditions give ηλ < 2(1 + β)/(1 + 2β): between 4/3 (β → 1) and 2 (β = 0).
    """
    _check_lr_limit_inputs(lambda_max, beta)
    beta = np.asarray(beta)
    return 2 * (1 + beta) / ((1 + 2 * beta) * lambda_max)


def sgd_noise_floor(lr: float, eigenvalues, noise: float, beta: float = 0.0) -> float:
    """E[f − f*] at which SGD with a constant lr (and momentum β) settles on a quadratic with noise σ.

    Along an eigenvector of curvature λ, plain SGD's error follows x ← (1 − ηλ) x − ησξ (ξ standard
    normal); its stationary variance is ησ²/(λ(2 − ηλ)), so E[½λx²] = ησ²/(2(2 − ηλ)) (lesson 07).
    With heavy-ball momentum β (m ← βm + g, x ← x − ηm) the error is the AR(2) process
    x ← (1 + β − ηλ) x − β x_prev − ησξ, whose stationary variance gives
    E[½λx²] = ησ²(1 + β) / (2(1 − β)(2(1 + β) − ηλ)): for small ηλ that is ησ²/(4(1 − β)), plain
    SGD's floor with the step η/(1 − β) (lesson 04). Summed over the eigenvalues; infinite when
    ηλ ≥ 2(1 + β) for some λ (the run diverges).
    """
    hyper_parameter("lr", lr), hyper_parameter("noise", noise)
    eigenvalues = np.asarray(eigenvalues, dtype=float)
    if not 0 <= beta < 1:
        raise ValueError(f"need 0 ≤ β < 1, got β = {beta:g}")
    if np.any(lr * eigenvalues >= 2 * (1 + beta)):
        return np.inf
    return float(np.sum(lr * noise**2 * (1 + beta) / (2 * (1 - beta) * (2 * (1 + beta) - lr * eigenvalues))))


def measured_rate(points, minimum, last: int = 50) -> float:
    """The average factor by which the distance to `minimum` shrank per step over the last steps.

    The geometric mean of ‖x_{k+1} − x*‖ / ‖x_k − x*‖ over the `last` steps before the distance
    reaches round-off (1e-12), which is what the rates in this module predict.
    """
    last = whole_number("last", last, minimum=1)
    distance = np.linalg.norm(np.asarray(points) - np.asarray(minimum), axis=-1)
    usable = np.flatnonzero(distance > 1e-12)
    if usable.size < 2:
        raise ValueError("the run reached the minimum at once; there is no rate to measure")
    end = usable[-1]
    start = max(0, end - last)
    return float((distance[end] / distance[start]) ** (1 / (end - start)))


def adam_step_over_lr(size, t, eps, beta2) -> dict:
    r"""Adam's step / η after t steps of a constant gradient of size |g|, for three placements of ε.

    For a constant gradient the bias-corrected averages are exact, m̂ = g and v̂ = g², so the step
    has a closed form for each convention (broadcasting over arrays of `size` or `t`):

    - PyTorch (and the paper's Algorithm 1), ε outside √v̂:    |g| / (|g| + ε)
    - Keras, ε̂ added to √v before the bias correction:       |g| / (|g| + ε/√(1 − β2ᵗ))
    - ε inside the root (optax's ``eps_root``), √(v̂ + ε):     |g| / √(g² + ε)

    Returns {label: step / η}, keyed "PyTorch: ε outside √v̂", "Keras: ε̂ before the correction",
    "ε inside the root: √(v̂ + ε)" (lesson 09 checks each against an optimizer to round-off).
    """
    hyper_parameter("eps", eps), hyper_parameter("beta2", beta2, upper=1)
    if np.any(np.asarray(t) < 1):
        raise ValueError(f"t counts Adam's steps from 1, got {t!r}")
    return {"PyTorch: ε outside √v̂": size / (size + eps),
            "Keras: ε̂ before the correction": size / (size + eps / np.sqrt(1 - beta2**t)),
            "ε inside the root: √(v̂ + ε)": size / np.sqrt(size**2 + eps)}
