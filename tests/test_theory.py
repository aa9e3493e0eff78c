"""The closed forms of course_lib.theory against what the optimizers measurably do."""

import numpy as np
import pytest

from course_lib.optim import SGD, Momentum, Nesterov
from course_lib.problems import Quadratic
from course_lib.run import run, sweep
from course_lib.theory import (first_order_lower_bound, gd_best, gd_lr_limit, gd_stable, heavy_ball_best,
                               heavy_ball_lr_limit, heavy_ball_stable, measured_rate, nesterov_lr_limit,
                               nesterov_textbook, nesterov_tuned, sgd_noise_floor)

RAVINE = Quadratic([1.0, 50.0])


def test_gd_rate_is_measured_exactly_at_the_best_step():
    best = gd_best(1.0, 50.0)
    assert best.lr == pytest.approx(2 / 51) and best.rate == pytest.approx(49 / 51)
    path = run(SGD(lr=best.lr), RAVINE, [1.0, 1.0], 400)
    assert measured_rate(path.points, [0, 0]) == pytest.approx(best.rate, rel=1e-9)


def test_heavy_ball_is_about_sqrt_kappa_faster_and_its_rate_is_met():
    best = heavy_ball_best(1.0, 50.0)
    path = run(Momentum(lr=best.lr, beta=best.beta), RAVINE, [1.0, 1.0], 400)
    # At the optimum both roots coincide, so the error decays like k·rᵏ: a little slower over a window
    assert best.rate < measured_rate(path.points, [0, 0], last=100) < best.rate * 1.03
    # steps to a given accuracy scale as 1/|log rate|: about κ/2 for GD, √κ/2 for the heavy ball
    assert np.log(best.rate) / np.log(gd_best(1.0, 50.0).rate) == pytest.approx(np.sqrt(50), rel=0.1)


def _nesterov_worst_root(lr, beta, curvatures):
    """The largest |root| of z² − (1+β)(1−ηλ)z + β(1−ηλ) over the curvatures, for arrays of (η, β)."""
    h = np.asarray(lr)[..., None] * curvatures
    a, b = (1 + np.asarray(beta)[..., None]) * (1 - h), np.asarray(beta)[..., None] * (1 - h)
    root = np.sqrt((a**2 - 4 * b).astype(complex))
    return np.maximum(np.abs((a + root) / 2), np.abs((a - root) / 2)).max(axis=-1)


@pytest.mark.parametrize("settings", [nesterov_textbook, nesterov_tuned])
def test_nesterov_meets_its_rate(settings):
    best = settings(1.0, 50.0)
    assert _nesterov_worst_root(best.lr, best.beta, np.linspace(1.0, 50.0, 4001)) == pytest.approx(best.rate, rel=1e-6)
    path = run(Nesterov(lr=best.lr, beta=best.beta), RAVINE, [1.0, 1.0], 600)
    # a double root at λ = μ: the error decays like k·rᵏ, so a window measures a little above r
    assert best.rate < measured_rate(path.points, [0, 0], last=100) < best.rate * 1.02


def test_the_tuned_nesterov_setting_is_the_best_of_a_grid_and_beats_the_textbook_one():
    curvatures = np.linspace(1.0, 100.0, 2001)
    lrs, betas = np.meshgrid(np.linspace(0.005, 0.02, 151), np.linspace(0.5, 0.95, 151), indexing="ij")
    worst = _nesterov_worst_root(lrs, betas, curvatures)
    tuned, textbook = nesterov_tuned(1.0, 100.0), nesterov_textbook(1.0, 100.0)
    assert tuned.rate == pytest.approx(0.88472, abs=1e-5) and textbook.rate == pytest.approx(0.9)
    assert worst.min() == pytest.approx(tuned.rate, abs=2e-3)      # the grid's spacing
    assert worst.min() >= tuned.rate - 1e-9                        # nothing on the grid beats it
    i = np.unravel_index(worst.argmin(), worst.shape)
    assert lrs[i] == pytest.approx(tuned.lr, rel=0.02) and betas[i] == pytest.approx(tuned.beta, abs=0.01)


def test_no_method_here_beats_the_lower_bound_and_the_heavy_ball_reaches_it():
    for kappa in (10.0, 100.0, 1000.0):
        bound = first_order_lower_bound(1.0, kappa)
        assert heavy_ball_best(1.0, kappa).rate == pytest.approx(bound, rel=1e-12)
        for settings in (gd_best, nesterov_textbook, nesterov_tuned):
            assert settings(1.0, kappa).rate > bound
    # asymptotically Nesterov needs 2× (textbook) and √3× (tuned) the heavy ball's steps
    kappa = 1e6
    steps = {f: np.log(first_order_lower_bound(1.0, kappa)) / np.log(f(1.0, kappa).rate)
             for f in (nesterov_textbook, nesterov_tuned)}
    assert steps[nesterov_textbook] == pytest.approx(2.0, rel=1e-2)
    assert steps[nesterov_tuned] == pytest.approx(np.sqrt(3), rel=1e-2)


def test_the_stability_boundaries_are_where_runs_start_to_diverge():
    lrs, betas = np.linspace(0.005, 0.1, 39), np.array([0.0, 0.3, 0.6, 0.9])
    result = sweep(Momentum, RAVINE, [1.0, 1.0], 3000, lr=lrs, beta=betas)
    lr_grid, beta_grid = np.meshgrid(lrs, betas, indexing="ij")
    predicted = heavy_ball_stable(lr_grid, beta_grid, 50.0)
    converged = np.nan_to_num(result.final_loss, nan=np.inf) < 1e-6
    # away from the boundary itself (where convergence is too slow to show in 3000 steps)
    margin = np.abs(lr_grid * 50.0 - 2 * (1 + beta_grid)) > 0.05
    np.testing.assert_array_equal(converged[margin], predicted[margin])
    np.testing.assert_array_equal(gd_stable(lrs, 50.0), predicted[:, 0])


def test_bad_curvatures_are_refused():
    with pytest.raises(ValueError, match="λ_min"):
        gd_best(0.0, 1.0)
    with pytest.raises(ValueError, match="λ_min"):
        heavy_ball_best(2.0, 1.0)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_the_lr_limits_separate_stable_from_diverging_runs(beta):
    """Just below each limit a run converges (slowly); just above it, it diverges."""
    ravine = Quadratic([1.0, 20.0])
    for cls, limit in [(Momentum, heavy_ball_lr_limit(beta, 20.0)), (Nesterov, nesterov_lr_limit(beta, 20.0))]:
        lrs = np.array([[0.97 * limit], [1.03 * limit]])
        path = run(cls(lr=lrs, beta=beta), ravine, np.tile([1.0, 1.0], (2, 1)), 3000)
        assert path.diverged_at[0] == -1 and path.diverged_at[1] > 0, cls.__name__
    assert gd_lr_limit(20.0) == heavy_ball_lr_limit(0.0, 20.0) == nesterov_lr_limit(0.0, 20.0) == 0.1


def test_the_noise_floor_is_where_constant_lr_sgd_settles():
    ravine, lr, noise = Quadratic([1.0, 10.0]), 0.1, 0.5
    starts = np.zeros((400, 2))                       # start at the minimum: only the noise moves it
    path = run(SGD(lr=lr), ravine, starts, 400, noise=noise, seed=3)
    measured = np.mean(path.losses[200:])             # after the transient, averaged over runs and steps
    assert measured == pytest.approx(sgd_noise_floor(lr, ravine.eigenvalues, noise), rel=0.05)
    assert sgd_noise_floor(0.2, ravine.eigenvalues, noise) == np.inf   # ηλmax = 2: no floor, it diverges


def test_the_heavy_ball_settles_at_the_floor_of_sgd_with_lr_over_one_minus_beta():
    ravine, lr, beta, noise = Quadratic([1.0, 10.0]), 0.001, 0.9, 0.5
    path = run(Momentum(lr=lr, beta=beta), ravine, np.zeros((400, 2)), 600, noise=noise, seed=4)
    measured = np.mean(path.losses[300:])
    floor = sgd_noise_floor(lr, ravine.eigenvalues, noise, beta=beta)
    assert measured == pytest.approx(floor, rel=0.05)
    # the same floor, to first order in ηλ, as plain SGD with the step η/(1 − β)
    assert floor == pytest.approx(sgd_noise_floor(lr / (1 - beta), ravine.eigenvalues, noise), rel=0.1)
    assert floor > 5 * sgd_noise_floor(lr, ravine.eigenvalues, noise)     # not plain SGD's floor at η
    assert sgd_noise_floor(lr, ravine.eigenvalues, noise, beta=0.0) == sgd_noise_floor(lr, ravine.eigenvalues, noise)
    assert sgd_noise_floor(0.38, ravine.eigenvalues, noise, beta=beta) == np.inf   # ηλmax = 2(1 + β)
    with pytest.raises(ValueError, match="β"):
        sgd_noise_floor(lr, ravine.eigenvalues, noise, beta=1.0)
