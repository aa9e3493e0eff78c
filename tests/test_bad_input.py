"""Bad input gets a clear ValueError that names what is wrong, never a traceback from deep in numpy,
and a diverging run is reported, not printed as a wall of RuntimeWarnings."""

import warnings

import numpy as np
import pytest

from course_lib import data, schedules, theory
from course_lib.averages import ema
from course_lib.averages import ema_weights
from course_lib.optim import AFTER_ADAM, ALL_OPTIMIZERS, SGD, AdaDelta, AdaGrad, Adam, Momentum, Muon, Nadam
from course_lib.problems import Quadratic, ReddiCounterexample, Rosenbrock
from course_lib.run import nesterov_lookahead, run, run_online, sweep

# (hyper-parameter, a value it must refuse); betas must be in [0, 1), the rest ≥ 0.
INVALID = {
    "lr": [-0.1, float("nan"), float("inf"), "fast", True],
    "beta": [1.0, -0.1, 1.5], "beta1": [1.0, -0.5], "beta2": [1.0, 2.0],
    "eps": [-1e-8], "weight_decay": [-0.01], "momentum_decay": [-1.0],
}
CASES = [(cls, name, bad) for cls in (*ALL_OPTIMIZERS, *AFTER_ADAM) for name in cls().hyper_parameters
         for bad in INVALID.get(name, [])]


@pytest.mark.parametrize("cls, name, bad", CASES, ids=lambda x: getattr(x, "__name__", str(x)))
def test_every_invalid_hyper_parameter_is_refused_by_name(cls, name, bad):
    with pytest.raises(ValueError, match=name):
        cls(**{name: bad})


def test_the_message_says_the_range_and_why():
    with pytest.raises(ValueError, match=r"beta1 must be in \[0, 1\), got 1: .*never forgets"):
        Adam(beta1=1.0)
    with pytest.raises(ValueError, match=r"lr must be in \[0, ∞\), got -0.1: a negative learning rate climbs"):
        SGD(lr=-0.1)


def test_adadelta_needs_a_positive_eps():
    # with ε = 0 its first step √(u + ε)/… · g is exactly 0, and every later one too
    with pytest.raises(ValueError, match="eps"):
        AdaDelta(eps=0.0)


def test_a_bad_value_inside_a_sweep_array_is_named():
    with pytest.raises(ValueError, match="beta must be in .* got 1"):
        Momentum(beta=np.array([[0.5], [0.9], [1.0]]))


def test_mismatched_shapes_name_the_key_and_both_shapes():
    opt = Adam()
    params = {"W": np.zeros((3, 2)), "b": np.zeros(2)}
    state = opt.init(params)
    with pytest.raises(ValueError, match=r"grads\['W'\] has shape \(2, 3\) but params\['W'\] has shape \(3, 2\)"):
        opt.update(params, {"W": np.zeros((2, 3)), "b": np.zeros(2)}, state)
    with pytest.raises(ValueError, match=r"grads has shape \(4,\) but params has shape \(3,\)"):
        opt.update(np.zeros(3), np.zeros(4), opt.init(np.zeros(3)))


def test_mismatched_keys_are_named():
    opt = SGD()
    params = {"W": np.zeros(2), "b": np.zeros(2)}
    with pytest.raises(ValueError, match=r"missing 'b'; unexpected 'c'"):
        opt.update(params, {"W": np.zeros(2), "c": np.zeros(2)}, opt.init(params))
    with pytest.raises(ValueError, match="params is a dict but grads is an array"):
        opt.update(params, np.zeros(2), opt.init(params))


def test_a_sweep_array_that_does_not_fit_the_params_says_how_to_fix_it():
    with pytest.raises(ValueError, match=r"lr has shape \(5, 1\).*params of shape \(3, 2\).*shape \(K, 1\)"):
        SGD(lr=np.full((5, 1), 0.1)).init(np.zeros((3, 2)))


def test_a_state_made_for_other_params_is_refused():
    opt = Adam()
    with pytest.raises(ValueError, match=r"state\['m'\] does not match params"):
        opt.update(np.zeros(3), np.zeros(3), opt.init(np.zeros(5)))
    with pytest.raises(ValueError, match="state must be the dict opt.init"):
        opt.update(np.zeros(3), np.zeros(3), {"t": 0})


def test_non_numeric_params_are_refused():
    with pytest.raises(ValueError, match="params must be an array of real numbers"):
        SGD().init(np.array(["a", "b"]))


def test_integer_params_and_grads_work():
    opt = SGD(lr=0.5)
    new, _ = opt.update(np.array([1, 2]), np.array([2, 2]), opt.init(np.array([1, 2])))
    np.testing.assert_array_equal(new, [0.0, 1.0])


def test_a_schedule_returning_a_negative_rate_is_caught_at_that_step():
    opt = SGD(lr=lambda t: 0.1 - 0.05 * t)
    params, state = np.zeros(1), opt.init(np.zeros(1))
    for _ in range(3):
        params, state = opt.update(params, np.ones(1), state)
    with pytest.raises(ValueError, match="schedule gave -0.05 at step 3"):
        opt.update(params, np.ones(1), state)


@pytest.mark.parametrize("make", [
    lambda: schedules.step_decay(0.1, step_size=0),
    lambda: schedules.exponential(0.1, gamma=1.5),
    lambda: schedules.cosine(-0.1, total_steps=10),
    lambda: schedules.cosine(0.1, total_steps=2.5),
    lambda: schedules.one_cycle(0.1, total_steps=100, warmup_fraction=1.2),
    lambda: schedules.warmup(lambda t: 0.1, warmup_steps=5),
])
def test_bad_schedule_settings_are_refused(make):
    with pytest.raises(ValueError):
        make()


def test_a_schedule_refuses_negative_or_fractional_steps():
    with pytest.raises(ValueError, match="cannot be negative"):
        schedules.constant(0.1)(-1)
    with pytest.raises(ValueError, match="whole step numbers"):
        schedules.constant(0.1)(0.5)


def test_a_nan_gradient_is_reported_as_divergence_without_warnings():
    def gradient_with_a_hole(x):
        return np.where(x < 0.5, np.nan, x)   # a NaN once the run crosses 0.5

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = run(Adam(lr=0.1), gradient_with_a_hole, x0=[1.0], steps=50)
    assert path.diverged_at is not None and 1 <= path.diverged_at < 50
    assert path.note() == f"diverged at step {path.diverged_at}"
    assert np.all(np.isnan(path.points[path.diverged_at:]))
    assert np.all(np.isfinite(path.points[:path.diverged_at]))


def test_an_exploding_run_stops_quietly_and_says_where():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = run(SGD(lr=10.0), Rosenbrock(), x0=[-1.5, 2.0], steps=1000)
        result = sweep(SGD, Rosenbrock(), [-1.5, 2.0], 300, lr=[1e-4, 1e-3, 1.0])
    assert path.diverged_at is not None and path.diverged_at < 10
    assert "diverged at step" in path.summary()
    assert result.diverged_at[-1] > 0 and np.all(result.diverged_at[:2] == -1)


def test_run_refuses_bad_arguments():
    with pytest.raises(ValueError, match="shape \\(..., 2\\)"):
        run(SGD(), Quadratic([1.0, 2.0]), x0=[1.0, 2.0, 3.0], steps=5)
    with pytest.raises(ValueError, match="steps must be a whole number"):
        run(SGD(), Quadratic([1.0, 2.0]), x0=[1.0, 2.0], steps=-1)
    with pytest.raises(ValueError, match="optimizer must be"):
        run(SGD, Quadratic([1.0, 2.0]), x0=[1.0, 2.0], steps=5)
    with pytest.raises(ValueError, match="x0 must be finite"):
        run(SGD(), Quadratic([1.0, 2.0]), x0=[np.nan, 2.0], steps=5)


# ---- issue 11: the inputs that still got through ---------------------------------------------

ADAPTIVE = [cls for cls in ALL_OPTIMIZERS if "eps" in cls().hyper_parameters]


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS, ids=lambda cls: cls.__name__)
def test_float16_params_are_updated_in_float32_and_stay_float16(cls):
    # in float16 the default ε rounds to 0 and g² underflows: the rule computed there returns NaN
    params, grads = np.array([1.0, -2.0, 0.5], np.float16), np.array([1e-5, 0.0, -3.0], np.float16)
    opt = cls(lr=0.01)
    state = opt.init(params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            params, state = opt.update(params, grads, state)
    assert params.dtype == np.float16 and np.all(np.isfinite(params))
    reference, reference_state = np.array([1.0, -2.0, 0.5], np.float32), opt.init(np.zeros(3, np.float32))
    for _ in range(3):
        reference, reference_state = opt.update(reference, grads.astype(np.float32), reference_state)
        reference = reference.astype(np.float16).astype(np.float32)   # what float16 storage keeps
    np.testing.assert_array_equal(params, reference.astype(np.float16))
    assert all(state[slot].dtype == np.float32 for slot in cls.slots)


@pytest.mark.parametrize("cls", [cls for cls in ADAPTIVE if cls is not AdaDelta], ids=lambda cls: cls.__name__)
def test_eps_zero_gives_a_zero_step_where_the_gradient_has_been_zero(cls):
    opt = cls(lr=0.1, eps=0.0, weight_decay=0.0)
    params, state = np.array([1.0, 2.0]), opt.init(np.zeros(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            params, state = opt.update(params, np.array([0.0, 1.0]), state)
    assert params[0] == 1.0                      # 0/0 := 0: no step, not NaN
    assert params[1] < 2.0                       # the other coordinate moves as usual
    # and with ε = 0 the moving coordinate is exactly the rule with ε = 1e-300 (no ε at all)
    tiny = cls(lr=0.1, eps=1e-300, weight_decay=0.0)
    expected, tiny_state = np.array([1.0, 2.0]), tiny.init(np.zeros(2))
    for _ in range(3):
        expected, tiny_state = tiny.update(expected, np.array([0.0, 1.0]), tiny_state)
    assert params[1] == expected[1]


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("returned", [np.full((3, 1), 0.1), np.full(3, 0.1)], ids=["(3,1)", "(3,)"])
def test_an_lr_schedule_of_the_wrong_shape_is_refused(cls, returned):
    opt = cls(lr=lambda t: returned)
    with pytest.raises(ValueError, match=r"schedule gave an array of shape .* at step 0.*params of shape \(2,\)"):
        opt.update(np.ones(2), np.ones(2), opt.init(np.ones(2)))
    swept = cls(lr=lambda t: np.full((4, 1), 0.1))     # a sweep's schedule of shape (K, 1) still works
    new, _ = swept.update(np.ones((4, 2)), np.ones((4, 2)), swept.init(np.ones((4, 2))))
    assert new.shape == (4, 2)


@pytest.mark.parametrize("returned", [[0.1, np.inf], np.array([np.nan, 0.1]), "fast", 1j, True])
def test_an_lr_schedule_returning_a_non_number_names_it(returned):
    opt = SGD(lr=lambda t: returned)
    with pytest.raises(ValueError, match="the lr schedule gave .* at step 0"):
        opt.update(np.ones(2), np.ones(2), opt.init(np.ones(2)))


@pytest.mark.parametrize("cls", [cls for cls in ALL_OPTIMIZERS if cls.slots], ids=lambda cls: cls.__name__)
def test_a_state_must_match_the_params_exactly(cls):
    opt = cls()
    p = np.ones(3)
    bad_states = {
        "made for shape (1,)": opt.init(np.ones(1)),               # broadcasts against (3,): was accepted
        "made for shape (1, 3)": opt.init(np.ones((1, 3))),
        "made for dict params": opt.init({"a": p}),                  # was a TypeError deep in the rule
        "an extra key": {**opt.init(p), "extra": 0},
        "a fractional step count": {**opt.init(p), "t": 1.5},
        "a negative step count": {**opt.init(p), "t": -1},
    }
    for why, state in bad_states.items():
        with pytest.raises(ValueError, match="state"):
            opt.update(p, p, state)
            pytest.fail(f"a state {why} was accepted")
    params = {"W": np.ones((2, 3)), "b": np.ones(3)}
    other = opt.init({"W": np.ones((2, 3)), "b": np.ones(3), "c": np.ones(1)})
    with pytest.raises(ValueError, match="was the state made by opt.init for other params"):
        opt.update(params, params, other)
    with pytest.raises(ValueError, match="was the state made by opt.init for other params"):
        opt.update(params, params, opt.init({"W": np.ones((1, 3)), "b": np.ones(3)}))


@pytest.mark.parametrize("make", [
    lambda value: Adam(bias_correction=value),
    lambda value: Momentum(ema=value),
    lambda value: ema([1.0, 2.0], 0.9, bias_correction=value),
    lambda value: Muon(nesterov=value),
], ids=["Adam.bias_correction", "Momentum.ema", "averages.ema", "Muon.nesterov"])
@pytest.mark.parametrize("value", ["False", "no", 0, 1, None, np.array([True])])
def test_a_switch_takes_only_true_or_false(make, value):
    with pytest.raises(ValueError, match="switch: give True or False"):
        make(value)


def test_a_switch_still_takes_numpy_booleans():
    assert Adam(bias_correction=np.bool_(False)).bias_correction is False


@pytest.mark.parametrize("params", [np.array([True, False]), np.array([1 + 2j, 0j]), np.array(["1.0"])])
def test_params_that_are_not_real_numbers_are_refused(params):
    with pytest.raises(ValueError, match="params must be an array of"):
        Adam().init(params)


@pytest.mark.parametrize("make, t", [
    (lambda: schedules.constant(0.1), np.inf),
    (lambda: schedules.cosine(0.1, 100), np.nan),
    (lambda: schedules.warmup(schedules.cosine(0.1, 100), 10), True),
    (lambda: schedules.step_decay(0.1, 10), 1j),
    (lambda: schedules.exponential(0.1, 0.9), "3"),
])
def test_a_schedule_is_evaluated_only_at_whole_finite_steps(make, t):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="whole step numbers"):
            make()(t)


@pytest.mark.parametrize("make", [
    lambda bad: schedules.one_cycle(0.1, 10, div_factor=bad),
    lambda bad: schedules.one_cycle(0.1, 10, final_div_factor=bad),
    lambda bad: schedules.one_cycle(0.1, 10, warmup_fraction=bad),
    lambda bad: schedules.cosine(0.1, total_steps=bad),
    lambda bad: schedules.cosine(0.1, 100, lr_min=bad),
    lambda bad: schedules.step_decay(0.1, step_size=bad),
    lambda bad: schedules.cosine_warm_restarts(0.1, first_period=bad),
    lambda bad: schedules.warmup(schedules.constant(0.1), warmup_steps=bad),
    lambda bad: schedules.inverse_time(0.1, decay_rate=bad),
])
@pytest.mark.parametrize("bad", [np.nan, np.inf, None, "2", True])
def test_every_schedule_setting_refuses_nan_inf_and_non_numbers(make, bad):
    with pytest.raises(ValueError):
        make(bad)


STEP_COUNTS = [-1, 2.7, True, np.inf, np.nan, "5", None]


@pytest.mark.parametrize("steps", STEP_COUNTS, ids=repr)
@pytest.mark.parametrize("call", [
    lambda steps: run(SGD(), Quadratic([1.0, 2.0]), [1.0, 2.0], steps),
    lambda steps: run_online(Adam(), ReddiCounterexample(), [0.0], steps),
    lambda steps: nesterov_lookahead(Quadratic([1.0, 2.0]), [1.0, 2.0], steps, lr=0.1, beta=0.9),
    lambda steps: sweep(SGD, Quadratic([1.0, 2.0]), [1.0, 2.0], steps, lr=[0.1, 0.2]),
    lambda count: ema_weights(0.9, count),
], ids=["run", "run_online", "nesterov_lookahead", "sweep", "ema_weights"])
def test_every_step_count_is_a_whole_number_at_least_zero(call, steps):
    with pytest.raises(ValueError, match="must be a whole number ≥ 0"):
        call(steps)


def test_a_huge_run_is_refused_before_allocating_with_the_memory_it_needs():
    with pytest.raises(ValueError, match=r"recording 1000000000 steps .* would need 24 GB"):
        run(SGD(), Quadratic([1.0, 2.0]), [1.0, 2.0], 10**9)
    with pytest.raises(ValueError, match="would need"):
        run_online(Adam(), ReddiCounterexample(), [0.0], 10**10)
    with pytest.raises(ValueError, match="would need"):
        nesterov_lookahead(Quadratic([1.0, 2.0]), [1.0, 2.0], 10**10, lr=0.1, beta=0.9)


@pytest.mark.parametrize("noise", [np.ones(3), [1.0], np.nan, -1.0, "1"], ids=repr)
def test_noise_is_one_number_at_least_zero(noise):
    with pytest.raises(ValueError, match="noise"):
        run(SGD(), Quadratic([1.0, 2.0]), [1.0, 2.0], 5, noise=noise)


@pytest.mark.parametrize("cls, settings", [
    (SGD, {"lr": [0.1, 0.1, 0.05]}),
    (Momentum, {"lr": [0.02, 0.05], "beta": [0.5, 0.9]}),
    (Adam, {"lr": [0.1, 0.1, 0.3], "beta1": 0.8}),
    (AdaGrad, {"lr": [0.2, 0.5]}),
    (Nadam, {"lr": [0.05, 0.1], "beta2": [0.9, 0.99]}),
], ids=lambda x: getattr(x, "__name__", ""))
def test_each_noisy_sweep_row_equals_its_run_bit_for_bit(cls, settings):
    problem = Quadratic([1.0, 10.0], angle=30)
    result = sweep(cls, problem, [1.0, 1.0], 50, noise=1.0, seed=7, **settings)
    axes = list(result.axes)
    for index in np.ndindex(result.shape):
        setting = {name: settings[name] for name in settings if name not in axes}
        setting |= {name: float(result.axes[name][i]) for name, i in zip(axes, index)}
        alone = run(cls(**setting), problem, [1.0, 1.0], 50, noise=1.0, seed=7)
        assert result.final_loss[index] == alone.final_loss
    row = np.ravel_multi_index((0,) * len(axes), result.shape)
    np.testing.assert_array_equal(result.trajectory.points[:, row], alone_points(cls, settings, axes, problem))


def alone_points(cls, settings, axes, problem):
    setting = {name: (value[0] if name in axes else value) for name, value in settings.items()}
    return run(cls(**setting), problem, [1.0, 1.0], 50, noise=1.0, seed=7).points


def test_a_batch_of_noisy_runs_still_draws_independent_noise():
    # several starts at once with noise are independent runs (exercise 07 averages over them)
    path = run(SGD(lr=0.1), Quadratic([1.0, 10.0]), np.ones((3, 2)), 20, noise=1.0, seed=0)
    assert len(set(path.final_loss.tolist())) == 3


def test_divergence_is_judged_on_the_loss_too():
    # Adam under a constant push g = −1 walks θ up by lr = 1 per step, far below the θ rule's 1e6,
    # while f = θ⁸ explodes: with f* unknown the gap is measured from f(θ₀) = 1, so the run has
    # diverged once θ⁸ − 1 > blowup² = 1e12, i.e. at θ = 32 (32⁸ = 1.1e12; 31⁸ = 8.5e11), step 31.
    # (The example, adam_explorer at lr = 1, β1 = 0.999, β2 = 0 on Rosenbrock, crosses the
    # limit by only ~2× and not on every numpy: a test must not sit on that edge.)
    push, eighth_power = (lambda theta: -np.ones_like(theta)), (lambda theta: np.sum(theta**8, axis=-1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = run(Adam(lr=1.0), push, np.array([1.0]), 100, loss=eighth_power)
    assert path.diverged_at == 31 and "diverged at step 31" in path.summary()
    assert np.all(np.isnan(path.points[31:])) and np.all(np.isnan(path.losses[31:]))
    assert path.losses[30] <= 1e12 and np.all(np.abs(path.points[:31]) <= 1e6)
    # and the θ rule's step is kept where it applies: |x_k| = 2^k first exceeds 1e6 at k = 20
    assert run(SGD(lr=0.3), Quadratic([10.0]), [1.0], 100).diverged_at == 20


@pytest.mark.parametrize("call, message", [
    (lambda: sweep(SGD, Quadratic([1.0, 2.0]), [1, 1, 1], 50, lr=[0.1]), r"x0 must be one start point of shape \(2,\)"),
    (lambda: sweep(SGD, Quadratic([1.0, 2.0]), [1, 1], 50, lr=[]), "empty list"),
    (lambda: sweep(SGD, Quadratic([1.0, 2.0]), [1, 1], 50, beta=[0.1, 0.5]), "SGD has no hyper-parameter beta"),
    (lambda: sweep(SGD(), Quadratic([1.0, 2.0]), [1, 1], 50, lr=[0.1]), "sweep takes an optimizer class"),
    (lambda: sweep(SGD, Quadratic([1.0, 2.0]).grad, [1, 1], 50, lr=[0.1]), "Problem"),
    (lambda: run_online(Adam(), Quadratic([1.0, 2.0]), [0.0], 5), "online problem"),
    (lambda: nesterov_lookahead(Quadratic([1.0, 2.0]), [1, 1], 5, lr=np.nan, beta=0.9), "lr must be finite"),
    (lambda: nesterov_lookahead(Quadratic([1.0, 2.0]), [1, 1], 5, lr=0.1, beta=1.0), "beta must be in"),
    (lambda: run(SGD(), Quadratic([1.0, 2.0]), np.zeros((3, 0)), 5), "x0 must be a point"),
    (lambda: run(SGD(), Quadratic([1.0, 2.0]), [1.0, 2.0], 5, blowup=0), "blowup"),
])
def test_sweep_and_the_other_runners_refuse_bad_arguments_in_one_sentence(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: Quadratic([1.0, 2.0], center=[1.0, 2.0, 3.0]), r"center must be a finite point of shape \(2,\)"),
    (lambda: Quadratic([1.0, 2.0], center=[np.nan, 2.0]), "center must be a finite point"),
    (lambda: Quadratic([1.0, 2.0], angle=np.nan), "angle must be one finite number"),
    (lambda: Quadratic([[1.0, 2.0], [3.0, 4.0]]), "eigenvalues must be a list"),
    (lambda: Quadratic([1j, 2.0]), "eigenvalues must be an array of real numbers"),
    (lambda: Quadratic([-1.0, 2.0]).condition_number, "not convex"),
    (lambda: Rosenbrock(a=np.nan), "a must be one finite number"),
    (lambda: Rosenbrock(b="100"), "b must be one finite number"),
    (lambda: ReddiCounterexample(C=np.inf), "C must be larger than 2 and finite"),
    (lambda: ReddiCounterexample().grad(np.zeros(1), 0), "t must be a whole number ≥ 1"),
    (lambda: Rosenbrock().value(np.array([1j, 1.0])), "x must be an array of real numbers"),
    (lambda: Rosenbrock().grad(np.array(["1", "1"])), "x must be an array of real numbers"),
    (lambda: ema(3.0, 0.9), "values must be a series"),
    (lambda: ema(np.ones((4, 3)), np.array([0.1, 0.2])), r"beta has shape \(2,\)"),
    (lambda: ema([1j, 2.0], 0.9), "values must be an array of real numbers"),
    (lambda: theory.gd_best(1.0, np.inf), "need 0 < λ_min ≤ λ_max"),
    (lambda: theory.gd_lr_limit(0.0), "lambda_max must be in"),
    (lambda: theory.heavy_ball_lr_limit(1.5, 10.0), "beta must be in"),
    (lambda: theory.nesterov_lr_limit(-0.5, 10.0), "beta must be in"),
    (lambda: theory.sgd_noise_floor(-1.0, [1.0], 1.0), "lr must be in"),
    (lambda: theory.sgd_noise_floor(0.1, [1.0], np.nan), "noise must be finite"),
    (lambda: theory.measured_rate(np.array([[1.0], [0.5], [0.25]]), [0.0], last=0), "last must be a whole number"),
    (lambda: theory.adam_step_over_lr(1.0, 0, 1e-8, 0.999), "t counts Adam's steps from 1"),
    (lambda: theory.adam_step_over_lr(1.0, 1, 1e-8, 1.0), "beta2 must be in"),
    (lambda: data.linear_data(5, np.random.default_rng(0), noise=np.inf), "noise is a standard deviation"),
    (lambda: data.two_moons(5, np.random.default_rng(0), noise=np.nan), "noise is a standard deviation"),
    (lambda: data.minibatches(np.ones(4), np.ones(4), 2, None, shuffle="no"), "shuffle is a switch"),
])
def test_problems_averages_and_theory_refuse_what_has_no_answer(call, message):
    # each of these was a silent NaN/inf/wrong shape, a numpy message, or a RuntimeWarning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=message):
            call()


def test_edge_cases_with_an_answer_still_get_it():
    assert Quadratic([0.0, 2.0]).condition_number == np.inf
    assert ema([], 0.9).shape == (0,)
    assert Rosenbrock().value(np.zeros((0, 2))).shape == (0,)
