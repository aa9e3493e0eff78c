"""The closed forms of course_lib.theory against what the optimizers measurably do."""

import numpy as np
import pytest

from course_lib.optim import SGD, Momentum, Nesterov
from course_lib.problems import Quadratic
from course_lib.run import run, sweep
from course_lib.theory import (gd_best, gd_lr_limit, gd_stable, heavy_ball_best, heavy_ball_lr_limit,
                               heavy_ball_stable, measured_rate, nesterov_best, nesterov_lr_limit)

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


def test_nesterov_meets_its_bound():
    best = nesterov_best(1.0, 50.0)
    path = run(Nesterov(lr=best.lr, beta=best.beta), RAVINE, [1.0, 1.0], 600)
    assert measured_rate(path.points, [0, 0], last=100) <= best.rate * 1.01


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
    from course_lib.theory import sgd_noise_floor

    ravine, lr, noise = Quadratic([1.0, 10.0]), 0.1, 0.5
    starts = np.zeros((400, 2))                       # start at the minimum: only the noise moves it
    path = run(SGD(lr=lr), ravine, starts, 400, noise=noise, seed=3)
    measured = np.mean(path.losses[200:])             # after the transient, averaged over runs and steps
    assert measured == pytest.approx(sgd_noise_floor(lr, ravine.eigenvalues, noise), rel=0.05)
    assert sgd_noise_floor(0.2, ravine.eigenvalues, noise) == np.inf   # ηλmax = 2: no floor, it diverges
