"""Properties every optimizer must have, whatever the numbers: the contract of course_lib.optim."""

import copy

import numpy as np
import pytest

from course_lib.optim import ALL_OPTIMIZERS, Adam, AdamW, AMSGrad, Momentum
from course_lib.schedules import cosine

# For each optimizer, a range to draw each of its hyper-parameters from in the sweep test.
RANGES = {"lr": (1e-3, 0.3), "beta": (0.0, 0.99), "beta1": (0.0, 0.99), "beta2": (0.5, 0.9999),
          "eps": (1e-8, 1e-3), "weight_decay": (0.0, 0.1), "momentum_decay": (0.0, 0.01)}


def numeric_hyper_parameters(cls):
    return [name for name, value in cls().hyper_parameters.items() if isinstance(value, float)]


def random_gradients(rng, shape, steps):
    return [rng.normal(size=shape) * rng.choice([0.01, 1.0, 100.0]) for _ in range(steps)]


def run_updates(opt, params, gradients):
    state = opt.init(params)
    for g in gradients:
        params, state = opt.update(params, g, state)
    return params, state


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS, ids=lambda c: c.__name__)
def test_a_sweep_equals_the_loop_over_its_settings_exactly(cls):
    """Params (K, d) with every hyper-parameter of shape (K, 1) are K independent optimizers."""
    rng = np.random.default_rng(0)
    K, d = 6, 3
    settings = {name: rng.uniform(*RANGES[name], size=(K, 1)) for name in numeric_hyper_parameters(cls)}
    params = rng.normal(size=(K, d))
    gradients = random_gradients(rng, (K, d), 25)

    swept, _ = run_updates(cls(**settings), params, gradients)
    for k in range(K):
        one = cls(**{name: float(values[k, 0]) for name, values in settings.items()})
        looped, _ = run_updates(one, params[k], [g[k] for g in gradients])
        np.testing.assert_array_equal(swept[k], looped, err_msg=f"row {k} of the sweep")


def test_a_swept_schedule_equals_the_loop_too():
    rng = np.random.default_rng(1)
    base = np.array([[0.1], [0.03]])
    params, gradients = rng.normal(size=(2, 4)), random_gradients(rng, (2, 4), 30)
    swept, _ = run_updates(Adam(lr=cosine(base, total_steps=30)), params, gradients)
    for k in range(2):
        looped, _ = run_updates(Adam(lr=cosine(float(base[k, 0]), total_steps=30)), params[k], [g[k] for g in gradients])
        np.testing.assert_array_equal(swept[k], looped)


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS, ids=lambda c: c.__name__)
def test_update_never_changes_its_inputs(cls):
    rng = np.random.default_rng(2)
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    opt = cls()
    state = opt.init(params)
    params, state = opt.update(params, {"W": np.ones((3, 2)), "b": np.ones(2)}, state)  # non-zero state
    grads = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    before = copy.deepcopy((params, grads, state))
    opt.update(params, grads, state)
    for original, after in zip(before, (params, grads, state)):
        assert original.keys() == after.keys()
        for key in original:
            if isinstance(original[key], dict):
                for name in original[key]:
                    np.testing.assert_array_equal(original[key][name], after[key][name])
            else:
                np.testing.assert_array_equal(original[key], after[key])


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS, ids=lambda c: c.__name__)
def test_dict_params_are_updated_key_by_key(cls):
    rng = np.random.default_rng(3)
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    gradients = [{"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)} for _ in range(5)]
    together, state = run_updates(cls(), params, gradients)
    assert set(state) == {"t", *cls.slots} and state["t"] == 5
    for key in params:
        alone, _ = run_updates(cls(), params[key], [g[key] for g in gradients])
        np.testing.assert_array_equal(together[key], alone)


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS, ids=lambda c: c.__name__)
def test_float32_stays_float32_and_integers_become_float64(cls):
    new, state = cls().update(np.ones(3, dtype=np.float32), np.ones(3, dtype=np.float32), cls().init(np.ones(3, dtype=np.float32)))
    assert new.dtype == np.float32
    assert all(state[slot].dtype == np.float32 for slot in cls.slots)
    new, _ = cls(lr=0.5).update(np.array([1, 2]), np.array([1, -1]), cls().init(np.array([1, 2])))
    assert new.dtype == np.float64 and np.all(new != [1, 2])


def test_adamw_without_weight_decay_is_adam():
    rng = np.random.default_rng(4)
    params, gradients = rng.normal(size=5), random_gradients(rng, 5, 40)
    adamw, _ = run_updates(AdamW(lr=0.01, weight_decay=0.0), params, gradients)
    adam, _ = run_updates(Adam(lr=0.01), params, gradients)
    np.testing.assert_array_equal(adamw, adam)


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
def test_adams_first_bias_corrected_step_is_lr_times_the_sign_of_g(scale):
    rng = np.random.default_rng(5)
    params, g = rng.normal(size=6), rng.normal(size=6) * scale
    new, _ = Adam(lr=0.01, eps=0.0).update(params, g, Adam().init(params))
    np.testing.assert_allclose(new - params, -0.01 * np.sign(g), rtol=1e-12)


def test_the_two_momentum_forms_agree_when_the_ema_form_has_lr_over_one_minus_beta():
    rng = np.random.default_rng(6)
    params, gradients = rng.normal(size=4), random_gradients(rng, 4, 100)
    beta, lr = 0.9, 0.01
    sum_form, _ = run_updates(Momentum(lr=lr, beta=beta), params, gradients)
    ema_form, _ = run_updates(Momentum(lr=lr / (1 - beta), beta=beta, ema=True), params, gradients)
    np.testing.assert_allclose(ema_form, sum_form, rtol=1e-10)


def test_amsgrads_v_max_never_decreases_and_bounds_v():
    rng = np.random.default_rng(7)
    opt, params = AMSGrad(lr=0.01, beta2=0.9), rng.normal(size=8)
    state, previous = opt.init(params), np.zeros(8)
    for step in range(200):
        g = rng.normal(size=8) * (10.0 if step % 50 == 0 else 0.1)  # rare large gradients, then small
        params, state = opt.update(params, g, state)
        assert np.all(state["v_max"] >= previous) and np.all(state["v_max"] >= state["v"])
        previous = state["v_max"]
    assert np.any(state["v_max"] > state["v"])  # the max really kept something v forgot


def test_state_counts_steps_from_one():
    opt, params = Adam(), np.zeros(2)
    state = opt.init(params)
    assert state["t"] == 0
    _, state = opt.update(params, np.ones(2), state)
    assert state["t"] == 1
