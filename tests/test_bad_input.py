"""Bad input gets a clear ValueError that names what is wrong, never a traceback from deep in numpy,
and a diverging run is reported, not printed as a wall of RuntimeWarnings."""

import warnings

import numpy as np
import pytest

from course_lib import schedules
from course_lib.optim import ALL_OPTIMIZERS, SGD, AdaDelta, Adam, Momentum
from course_lib.problems import Quadratic, Rosenbrock
from course_lib.run import run, sweep

# (hyper-parameter, a value it must refuse); betas must be in [0, 1), the rest ≥ 0.
INVALID = {
    "lr": [-0.1, float("nan"), float("inf"), "fast", True],
    "beta": [1.0, -0.1, 1.5], "beta1": [1.0, -0.5], "beta2": [1.0, 2.0],
    "eps": [-1e-8], "weight_decay": [-0.01], "momentum_decay": [-1.0],
}
CASES = [(cls, name, bad) for cls in ALL_OPTIMIZERS for name in cls().hyper_parameters
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
