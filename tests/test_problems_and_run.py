"""The test problems (gradients, minima) and `run` / `sweep`, checked against the theory of
gradient descent on a quadratic, which is known in closed form."""

import numpy as np
import pytest

from course_lib.optim import AFTER_ADAM, ALL_OPTIMIZERS, SGD, Momentum
from course_lib.problems import Beale, Himmelblau, Quadratic, Rescaled, Rosenbrock, Saddle
from course_lib.run import diverged_at_steps, first_step, run, step_sizes, sweep

PROBLEMS = [Quadratic([1.0, 10.0]), Quadratic([0.5, 4.0], angle=30.0, center=[1.0, -1.0]),
            Quadratic([1.0, 2.0, 3.0]), Rosenbrock(), Beale(), Saddle(), Himmelblau(),
            Rescaled(Quadratic([1.0, 20.0], angle=30), loss_scale=3.0, param_scales=(1.0, 30.0))]


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
def test_gradient_matches_central_differences(problem):
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(5, problem.dim))
    h = 1e-6
    numeric = np.stack([(problem.value(x + h * e) - problem.value(x - h * e)) / (2 * h)
                        for e in np.eye(problem.dim)], axis=-1)
    np.testing.assert_allclose(problem.grad(x), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
def test_known_minima_are_stationary_with_the_known_value(problem):
    np.testing.assert_allclose(problem.grad(problem.minima), 0.0, atol=1e-9)
    np.testing.assert_allclose(problem.value(problem.minima), problem.min_value, atol=1e-12)


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
def test_problems_are_vectorized_over_leading_axes(problem):
    x = np.random.default_rng(1).normal(size=(4, 3, problem.dim))
    assert problem.value(x).shape == (4, 3) and problem.grad(x).shape == (4, 3, problem.dim)
    np.testing.assert_array_equal(problem.value(x)[2, 1], problem.value(x[2, 1]))


def test_the_saddle_point_is_stationary_but_not_a_minimum():
    saddle = Saddle()
    np.testing.assert_array_equal(saddle.grad(saddle.saddle_points), 0.0)
    assert saddle.value(saddle.saddle_points)[0] > saddle.min_value


def test_a_rotated_quadratic_keeps_its_eigenvalues():
    q = Quadratic([1.0, 25.0], angle=45.0)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.hessian), [1.0, 25.0])
    assert q.condition_number == 25.0
    assert abs(q.hessian[0, 1]) > 1  # really rotated: the axes are mixed


def test_gd_on_a_quadratic_contracts_by_the_predicted_factor_each_step():
    # along eigenvector i the error is multiplied by (1 − ηλ_i) at every step
    q, lr = Quadratic([1.0, 10.0]), 0.05
    path = run(SGD(lr=lr), q, x0=[1.0, 1.0], steps=30)
    expected = np.array([(1 - lr * 1.0) ** k for k in range(31)])[:, None] * [1.0, 0.0] \
        + np.array([(1 - lr * 10.0) ** k for k in range(31)])[:, None] * [0.0, 1.0]
    np.testing.assert_allclose(path.points, expected, rtol=1e-12)


def test_gd_diverges_at_the_step_the_theory_predicts():
    # η = 0.3, λ = 10: the error is multiplied by 1 − 3 = −2, so |x_k| = 2^k first exceeds 1e6 at k = 20
    path = run(SGD(lr=0.3), Quadratic([10.0], center=[0.0]), x0=[1.0], steps=100)
    assert path.diverged_at == 20
    assert path.note() == "diverged at step 20"
    assert path.final_point[0] == pytest.approx((-2.0) ** 19)


def test_a_batch_of_starts_runs_each_start_independently():
    q = Quadratic([1.0, 10.0])
    starts = np.array([[1.0, 1.0], [-2.0, 0.5], [0.3, -1.0]])
    together = run(Momentum(lr=0.05, beta=0.8), q, starts, steps=40)
    for k, x0 in enumerate(starts):
        alone = run(Momentum(lr=0.05, beta=0.8), q, x0, steps=40)
        np.testing.assert_array_equal(together.points[:, k], alone.points)
        np.testing.assert_array_equal(together.losses[:, k], alone.losses)


def test_a_batch_with_diverging_runs_is_nan_from_each_runs_own_divergence_on():
    # λ = 10: lr 0.3 multiplies the error by −2 (θ passes 1e6 at step 20), 0.25 by −1.5, 0.1 converges
    q = Quadratic([10.0], center=[0.0])
    together = run(SGD(lr=np.array([[0.3], [0.25], [0.1]])), q, np.ones((3, 1)), steps=60)
    assert together.diverged_at.tolist() == [20, 35, -1]
    for k, lr in enumerate([0.3, 0.25, 0.1]):
        alone = run(SGD(lr=lr), q, [1.0], steps=60)
        np.testing.assert_array_equal(together.points[:, k], alone.points)
        np.testing.assert_array_equal(together.losses[:, k], alone.losses)
        if alone.diverged_at is not None:
            assert np.isnan(alone.points[alone.diverged_at:]).all() and np.isfinite(alone.points[:alone.diverged_at]).all()


def _climbing(x):
    return -np.ones_like(x)  # the gradient of −Σθ: each step of SGD(lr=0.1) adds 0.1 to θ


@pytest.mark.parametrize("optimizer, problem, x0, loss, expected", [
    (SGD(lr=0.3), Quadratic([10.0], center=[0.0]), [1.0], None, 20),       # θ passes 1e6 at step 20
    (SGD(lr=0.1), _climbing, [0.0], lambda x: np.exp(10 * x[..., 0]), 28),  # f = eᵗ passes 1e12 · f(θ₀), θ = 2.8
    (Momentum(lr=0.01, beta=0.9), Quadratic([1.0, 10.0]), [1.0, 1.0], None, None),  # converges
])
def test_diverged_at_steps_finds_runs_divergence_in_a_recorded_path(optimizer, problem, x0, loss, expected):
    path = run(optimizer, problem, x0, steps=300, loss=loss)
    assert path.diverged_at == expected
    raw = run(optimizer, problem, x0, steps=300, loss=loss, blowup=1e150)  # recorded on, past the usual limits
    reference = problem.min_value if loss is None else raw.losses[0]
    assert diverged_at_steps(raw.points, raw.losses, reference) == (-1 if expected is None else expected)


def test_noise_is_repeatable_for_a_seed_and_differs_between_seeds():
    q = Quadratic([1.0, 10.0])
    a = run(SGD(lr=0.05), q, [1.0, 1.0], 20, noise=0.5, seed=3)
    b = run(SGD(lr=0.05), q, [1.0, 1.0], 20, noise=0.5, seed=3)
    c = run(SGD(lr=0.05), q, [1.0, 1.0], 20, noise=0.5, seed=4)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.array_equal(a.points, c.points)


def test_sweep_grid_rows_equal_single_runs_and_steps_to_tolerance_is_the_first_hit():
    q = Quadratic([1.0, 10.0])
    lrs, betas = np.array([0.01, 0.05, 0.15, 0.3]), np.array([0.0, 0.5, 0.9])
    result = sweep(Momentum, q, [1.0, 1.0], 200, tol=1e-6, lr=lrs, beta=betas)
    assert result.shape == (4, 3) and list(result.axes) == ["lr", "beta"]
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            alone = run(Momentum(lr=lr, beta=beta), q, [1.0, 1.0], 200)
            assert result.diverged_at[i, j] == (-1 if alone.diverged_at is None else alone.diverged_at)
            hits = np.flatnonzero(alone.losses <= 1e-6)
            if hits.size:
                assert result.steps_to_tol[i, j] == hits[0]
                assert result.final_loss[i, j] == alone.losses[-1]
            else:
                assert np.isnan(result.steps_to_tol[i, j])
    # GD (β = 0) is stable only for η < 2/λ_max = 0.2; momentum stretches that to 2(1 + β)/λ_max
    assert result.diverged_at[3, 0] > 0 and result.diverged_at[2, 0] == -1
    assert result.diverged_at[3, 2] == -1


def test_steps_to_is_the_first_step_within_tol_as_gradient_descent_predicts():
    # GD on f = ½λθ²: f_t = f_0 (1 − ηλ)^(2t), so f_t ≤ tol first at t = ⌈ln(tol/f_0) / (2 ln|1 − ηλ|)⌉
    q = Quadratic([2.0])
    lrs = np.array([0.05, 0.1, 0.3, 0.9, 1.2])                    # 1.2: ηλ = 2.4 > 2, diverges
    path = run(SGD(lr=lrs[:, None]), q, np.full((5, 1), 3.0), 400)
    f0 = q.value(np.array([3.0]))
    for tol, relative in ((1e-6, False), (1e-7, True)):
        target = tol * f0 if relative else tol
        predicted = np.ceil(np.log(target / f0) / (2 * np.log(np.abs(1 - lrs[:4] * 2.0))))
        measured = path.steps_to(tol, relative=relative)
        np.testing.assert_array_equal(measured[:4], predicted)
        assert np.isnan(measured[4])                                 # never: NaN for a batch of runs
        for k in range(4):                                           # one run: an int
            alone = run(SGD(lr=lrs[k]), q, [3.0], 400)
            assert alone.steps_to(tol, relative=relative) == int(predicted[k])
    assert run(SGD(lr=0.01), q, [3.0], 10).steps_to(1e-6) is None    # never: None for one run
    assert run(SGD(lr=1.2), q, [3.0], 400).steps_to(1e-6) is None    # diverged


def test_first_step_takes_the_step_axis_first_and_says_never_plainly():
    condition = np.array([[False, False, True], [False, True, True], [False, True, False]])
    np.testing.assert_array_equal(first_step(condition), [np.nan, 1, 0])
    assert first_step(condition[:, 2]) == 0 and first_step(condition[:, 0]) is None
    assert first_step(np.zeros((4, 2, 3), dtype=bool)).shape == (2, 3)
    with pytest.raises(ValueError, match="one condition per step"):
        first_step(True)
    with pytest.raises(ValueError, match="needs the losses"):
        run(SGD(lr=0.1), lambda x: x, [1.0], 3).steps_to(1e-6)


def test_step_sizes_follow_momentums_geometric_sums():
    beta, t = 0.9, np.arange(1, 41)
    constant = step_sizes(Momentum(lr=0.3, beta=beta), np.ones(40))
    alternating = step_sizes(Momentum(lr=0.3, beta=beta), (-1.0) ** (t + 1))
    assert constant.shape == (40,)
    np.testing.assert_allclose(constant, (1 - beta**t) / (1 - beta), rtol=1e-12)
    np.testing.assert_allclose(alternating, (1 - (-beta) ** t) / (1 + beta), rtol=1e-12)
    # d-D: each coordinate is its own run; a schedule's lr of each step is divided out
    from course_lib.optim import Adam
    gradients = np.array([[1e-3, 5.0], [2e-3, -5.0], [1e-3, 5.0]])
    both = step_sizes(Adam(lr=lambda k: 0.1 / (k + 1)), gradients)
    assert both.shape == (3, 2)
    for i in range(2):
        np.testing.assert_array_equal(both[:, i], step_sizes(Adam(lr=lambda k: 0.1 / (k + 1)), gradients[:, i]))
    np.testing.assert_allclose(both[0], 1.0, rtol=1e-4)                # Adam's first step: η·sign(g)
    np.testing.assert_array_equal(step_sizes(SGD(lr=0.5), gradients), np.abs(gradients))
    np.testing.assert_array_equal(step_sizes(Momentum(lr=0.3, beta=beta), 1.0, steps=40), constant)
    np.testing.assert_array_equal(step_sizes(Adam(lr=0.1), [1e-3, 5.0], steps=3),
                                  step_sizes(Adam(lr=0.1), [[1e-3, 5.0]] * 3))
    with pytest.raises(ValueError, match="one gradient per step"):
        step_sizes(SGD(lr=0.1), 1.0)
    with pytest.raises(ValueError, match="learning rate is 0"):
        step_sizes(SGD(lr=0.0), gradients)


def test_sweep_best_finds_the_fastest_setting():
    q = Quadratic([1.0, 10.0])
    lrs = np.linspace(0.02, 0.19, 18)
    result = sweep(SGD, q, [1.0, 1.0], 300, tol=1e-8, lr=lrs)
    # the fastest constant step for GD is 2/(λmin + λmax) = 2/11 ≈ 0.182
    assert result.best("steps_to_tol")["lr"] == pytest.approx(0.18, abs=0.011)


def test_nesterov_in_the_frameworks_form_follows_the_lookahead_points():
    from course_lib.optim import Nesterov
    from course_lib.run import nesterov_lookahead

    problem = Rosenbrock()
    thetas, lookaheads = nesterov_lookahead(problem, [-1.5, 2.0], 300, lr=1e-3, beta=0.9)
    framework = run(Nesterov(lr=1e-3, beta=0.9), problem, [-1.5, 2.0], 300)
    np.testing.assert_allclose(framework.points, lookaheads, rtol=1e-10, atol=1e-12)
    assert np.max(np.abs(thetas - lookaheads)) > 1e-3  # θ itself is a different sequence


def test_adam_ends_at_the_worst_point_of_reddis_problem_and_amsgrad_at_the_best():
    from course_lib.optim import Adam, AMSGrad
    from course_lib.problems import ReddiCounterexample
    from course_lib.run import run_online

    problem = ReddiCounterexample(C=3.0)
    settings = dict(lr=lambda t: 0.5 / np.sqrt(t + 1), beta1=0.0, beta2=1 / (1 + 3.0**2))
    adam = run_online(Adam(**settings), problem, [0.0], 3000)
    amsgrad = run_online(AMSGrad(**settings), problem, [0.0], 3000)
    assert np.mean(adam.points[-300:]) > 0.99 and np.mean(amsgrad.points[-300:]) < -0.99
    assert adam.losses[-1] > 0 > amsgrad.losses[-1]
    with pytest.raises(ValueError, match="C must be larger than 2"):
        ReddiCounterexample(C=2.0)


def test_a_batched_run_on_a_rotated_quadratic_equals_the_single_runs_bit_for_bit():
    from course_lib.optim import Adam

    q = Quadratic([1.0, 30.0], angle=35.0)
    starts = np.random.default_rng(7).uniform(-2, 2, size=(60, 2))
    together = run(Adam(lr=0.05, beta1=0.0), q, starts, 200)
    for k in (0, 17, 59):
        np.testing.assert_array_equal(together.points[:, k], run(Adam(lr=0.05, beta1=0.0), q, starts[k], 200).points)


def test_rescaled_is_the_chain_rule_of_its_base_and_moves_the_minimum():
    base = Quadratic([1.0, 20.0], angle=30)
    problem = Rescaled(base, loss_scale=7.0, param_scales=(1.0, 30.0))
    theta = np.array([0.3, -0.02])
    h = 1e-6
    numeric = [(problem.value(theta + h * e) - problem.value(theta - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(problem.grad(theta), numeric, rtol=1e-6)
    assert problem.value(theta) == pytest.approx(7.0 * base.value(theta * [1.0, 30.0]))
    np.testing.assert_allclose(problem.minima, base.minima / [1.0, 30.0])
    assert problem.gap(problem.minima[0]) == pytest.approx(0.0, abs=1e-15)
    assert Rescaled(Rosenbrock(), loss_scale=1000).min_value == 0.0


@pytest.mark.parametrize("kwargs, message", [({"loss_scale": 0.0}, "loss_scale must be positive"),
                                             ({"loss_scale": float("nan")}, "loss_scale must be one finite"),
                                             ({"param_scales": (1.0,)}, "param_scales must be 2 positive"),
                                             ({"param_scales": (1.0, -2.0)}, "param_scales must be 2 positive")])
def test_rescaled_refuses_scales_that_are_not_positive(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Rescaled(Rosenbrock(), **kwargs)


def test_tuned_returns_the_learning_rate_whose_run_ends_lowest():
    from course_lib.run import tuned
    problem, lrs = Rosenbrock(), np.array([1e-4, 1e-3, 2e-3, 1e-2])
    finals = [run(Momentum(lr=lr, beta=0.5), problem, problem.start, 100).final_loss for lr in lrs]
    best = tuned(Momentum, problem, 100, lrs, beta=0.5)
    assert isinstance(best, Momentum) and best.beta == 0.5
    assert best.lr == lrs[np.nanargmin(finals)]


# -- run checks once per run, then steps unchecked (optimizer_base.Optimizer._step) ------------------

@pytest.mark.parametrize("cls", [*ALL_OPTIMIZERS, *AFTER_ADAM[2:]], ids=lambda cls: cls.__name__)
def test_run_steps_exactly_as_the_checked_update_does(cls):
    """run's unchecked steps are the steps of `update` (its checks at every step), bit for bit."""
    optimizer, problem = cls(lr=5e-4), Rosenbrock()
    x, state = problem.start, optimizer.init(problem.start)
    expected = [x]
    for _ in range(30):
        x, state = optimizer.update(x, problem.grad(x), state)
        expected.append(x)
    np.testing.assert_array_equal(run(optimizer, problem, problem.start, 30).points, expected)


def test_run_still_refuses_a_gradient_of_the_wrong_shape_and_a_bad_schedule_at_its_step():
    with pytest.raises(ValueError, match=r"grads has shape \(3,\) but params has shape \(2,\)"):
        run(SGD(lr=0.1), lambda x: np.ones(3), [1.0, 2.0], 5)
    with pytest.raises(ValueError, match="schedule gave -0.05 at step 3"):
        run(SGD(lr=lambda t: 0.1 - 0.05 * t), Quadratic([1.0, 2.0]), [1.0, 2.0], 5)
    with pytest.raises(ValueError, match=r"schedule gave an array of shape \(3, 1\) at step 0"):
        run(Momentum(lr=lambda t: np.full((3, 1), 0.1)), Quadratic([1.0, 2.0]), [1.0, 2.0], 5)
    with pytest.raises(ValueError, match=r"lr has shape \(3, 1\), which does not broadcast"):
        run(SGD(lr=np.full((3, 1), 0.1)), Quadratic([1.0, 2.0]), np.ones((2, 2)), 5)


def test_run_uses_the_update_of_an_optimizer_that_writes_its_own():
    class Counted(SGD):
        calls = 0

        def update(self, params, grads, state):
            Counted.calls += 1
            return super().update(params, grads, state)

    run(Counted(lr=0.1), Quadratic([1.0, 2.0]), [1.0, 2.0], 7)
    assert Counted.calls == 7


def test_run_steps_an_optimizer_whose_rate_is_not_called_lr():
    """Like lesson 09's PaperAdamW: a class of one's own with `learning_rate` of its own, no `lr`."""
    from course_lib.optimizer_base import Optimizer, hyper_parameter

    class Scaled(Optimizer):
        def __init__(self, alpha=0.1, multiplier=1.0):
            super().__init__(alpha=hyper_parameter("alpha", alpha),
                             multiplier=hyper_parameter("multiplier", multiplier, schedule_allowed=True))

        def learning_rate(self, t):
            return self.multiplier(t - 1) if callable(self.multiplier) else self.multiplier

        def rule(self, theta, g, *, t, lr):
            return theta - lr * self.alpha * g, {}

    problem = Quadratic([1.0, 2.0])
    optimizer = Scaled(multiplier=lambda t: 1.0 / (1 + t))
    x, state, expected = problem.start, optimizer.init(problem.start), [problem.start]
    for _ in range(10):
        x, state = optimizer.update(x, problem.grad(x), state)
        expected.append(x)
    np.testing.assert_array_equal(run(optimizer, problem, problem.start, 10).points, expected)
    with pytest.raises(ValueError, match=r"schedule gave an array of shape \(3, 1\) at step 0"):
        run(Scaled(multiplier=lambda t: np.full((3, 1), 1.0)), problem, problem.start, 5)
