"""course_lib's optimizers against a live PyTorch: long runs, schedules and sweeps.

`test_torch_reference.py` replays 12 recorded steps; this file runs torch itself (it is skipped
where torch is not installed) and asks more of the equivalence:

* 200 steps, for four settings of every optimizer (β = 0 and β close to 1, several ε, weight
  decay), on a dict of arrays of assorted shapes;
* gradients that depend on the current params (a double well plus noise), so the two runs must
  agree on the whole trajectory, not only on one step;
* a learning-rate schedule per optimizer, against torch's scheduler stepped once per update;
* a sweep: the four settings as (K, 1) hyper-parameter arrays on params of shape (K, d), one
  vectorized course_lib optimizer against one torch optimizer with K parameter groups.

Both sides work in float64 (torch's default dtype too, for its scalar state) and get the same
numpy gradients; after every step the params must agree to a relative error of 1e-10. The
differences seen are round-off, about 1e-15: far below it.
"""

import numpy as np
import pytest

from course_lib import optim
from test_torch_reference import course_schedule, relative_error

torch = pytest.importorskip("torch")

# the translation from course_lib's names to torch's, shared with the recording script
from record_torch_reference import float64_default, torch_arguments, torch_twin  # noqa: E402

STEPS = 200
TOLERANCE = 1e-10

# Four settings per optimizer. Every hyper-parameter is written out: the defaults of the two
# libraries differ (Momentum's β is 0.9, torch SGD's momentum 0).
SETTINGS = {
    "SGD": [dict(lr=0.05, weight_decay=0.0), dict(lr=0.02, weight_decay=0.1),
            dict(lr=0.1, weight_decay=0.01), dict(lr=0.01, weight_decay=1.0)],
    "Momentum": [dict(lr=0.02, beta=0.0, weight_decay=0.0), dict(lr=0.01, beta=0.9, weight_decay=0.05),
                 dict(lr=0.002, beta=0.99, weight_decay=0.0), dict(lr=0.05, beta=0.5, weight_decay=0.2)],
    # torch refuses Nesterov without momentum, so β > 0 here
    "Nesterov": [dict(lr=0.02, beta=0.5, weight_decay=0.0), dict(lr=0.01, beta=0.9, weight_decay=0.05),
                 dict(lr=0.002, beta=0.99, weight_decay=0.0), dict(lr=0.05, beta=0.3, weight_decay=0.2)],
    "AdaGrad": [dict(lr=0.1, eps=1e-10, weight_decay=0.0), dict(lr=0.5, eps=1e-3, weight_decay=0.1),
                dict(lr=0.05, eps=0.0, weight_decay=0.0), dict(lr=1.0, eps=1e-6, weight_decay=0.01)],
    "RMSprop": [dict(lr=0.01, beta=0.0, eps=1e-8, weight_decay=0.0),
                dict(lr=0.01, beta=0.9, eps=1e-3, weight_decay=0.05),
                dict(lr=0.001, beta=0.99, eps=1e-8, weight_decay=0.0),
                dict(lr=0.02, beta=0.999, eps=1e-6, weight_decay=0.1)],
    "AdaDelta": [dict(lr=1.0, beta=0.9, eps=1e-6, weight_decay=0.0),
                 dict(lr=1.0, beta=0.0, eps=1e-3, weight_decay=0.0),
                 dict(lr=0.5, beta=0.99, eps=1e-8, weight_decay=0.1),
                 dict(lr=2.0, beta=0.95, eps=1e-4, weight_decay=0.01)],
    "Adam": [dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0),
             dict(lr=0.01, beta1=0.0, beta2=0.9999, eps=1e-6, weight_decay=0.1),
             dict(lr=0.005, beta1=0.99, beta2=0.9, eps=1e-3, weight_decay=0.0),
             dict(lr=0.05, beta1=0.5, beta2=0.99, eps=1e-8, weight_decay=0.01)],
    "AdamW": [dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01),
              dict(lr=0.01, beta1=0.0, beta2=0.99, eps=1e-6, weight_decay=0.5),
              dict(lr=0.005, beta1=0.99, beta2=0.9999, eps=1e-4, weight_decay=0.1),
              dict(lr=0.05, beta1=0.5, beta2=0.9, eps=1e-8, weight_decay=0.0)],
    "AMSGrad": [dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0),
                dict(lr=0.01, beta1=0.0, beta2=0.9999, eps=1e-6, weight_decay=0.1),
                dict(lr=0.005, beta1=0.99, beta2=0.9, eps=1e-3, weight_decay=0.0),
                dict(lr=0.05, beta1=0.5, beta2=0.99, eps=1e-8, weight_decay=0.01)],
    "Nadam": [dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, momentum_decay=0.004),
              dict(lr=0.01, beta1=0.0, beta2=0.9999, eps=1e-6, weight_decay=0.1, momentum_decay=0.01),
              dict(lr=0.005, beta1=0.99, beta2=0.9, eps=1e-3, weight_decay=0.0, momentum_decay=0.0),
              dict(lr=0.05, beta1=0.5, beta2=0.99, eps=1e-8, weight_decay=0.01, momentum_decay=0.1)],
}

# One scheduled run per optimizer, each with another schedule; t reaches 199, inside every
# schedule's range (cosine's T, one-cycle's total steps).
SCHEDULED = {
    "SGD": dict(lr={"schedule": "step_decay", "lr": 0.05, "step_size": 50, "gamma": 0.5}, weight_decay=0.01),
    "Momentum": dict(lr={"schedule": "cosine", "lr": 0.02, "total_steps": 200, "lr_min": 1e-4},
                     beta=0.9, weight_decay=0.0),
    "Nesterov": dict(lr={"schedule": "warmup", "warmup_steps": 20, "start_factor": 0.1,
                         "then": {"schedule": "cosine", "lr": 0.02, "total_steps": 180, "lr_min": 0.0}},
                     beta=0.9, weight_decay=0.01),
    "AdaGrad": dict(lr={"schedule": "exponential", "lr": 0.5, "gamma": 0.99}, eps=1e-10, weight_decay=0.0),
    "RMSprop": dict(lr={"schedule": "inverse_time", "lr": 0.01, "decay_rate": 0.05},
                    beta=0.99, eps=1e-8, weight_decay=0.0),
    "AdaDelta": dict(lr={"schedule": "cosine_warm_restarts", "lr": 1.0, "first_period": 10,
                         "period_factor": 2, "lr_min": 0.1},
                     beta=0.9, eps=1e-6, weight_decay=0.0),
    "Adam": dict(lr={"schedule": "one_cycle", "max_lr": 0.05, "total_steps": 200, "warmup_fraction": 0.3,
                     "div_factor": 25.0, "final_div_factor": 1e4},
                 beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0),
    "AdamW": dict(lr={"schedule": "warmup", "warmup_steps": 10, "start_factor": 0.01,
                      "then": {"schedule": "exponential", "lr": 0.02, "gamma": 0.99}},
                  beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1),
    "AMSGrad": dict(lr={"schedule": "step_decay", "lr": 0.02, "step_size": 30, "gamma": 0.7},
                    beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.0),
    "Nadam": dict(lr={"schedule": "cosine_warm_restarts", "lr": 0.02, "first_period": 50,
                      "period_factor": 1, "lr_min": 1e-3},
                  beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, momentum_decay=0.004),
}

CASES = [(name, setting) for name, settings in SETTINGS.items() for setting in settings]
CASE_IDS = [f"{name}-" + ",".join(f"{key}={value:g}" for key, value in setting.items()) for name, setting in CASES]


@pytest.fixture(autouse=True)
def float64_torch():
    """Torch's scalar state (step counts, NAdam's μ product) in float64 too: see `float64_default`."""
    with float64_default():
        yield


def gradient(params, rng):
    """∇ Σ(θ⁴/4 − θ²/2) plus noise: a double well per coordinate, so the runs settle near ±1 and
    keep moving, and each gradient depends on where the optimizer has taken the params."""
    if isinstance(params, dict):
        return {key: gradient(theta, rng) for key, theta in params.items()}
    return params**3 - params + 0.1 * rng.normal(size=params.shape)


def random_params(rng) -> dict:
    """Two or three arrays of one to three axes, each of 2 to 5 entries."""
    return {f"p{i}": rng.normal(size=tuple(rng.integers(2, 6, size=rng.integers(1, 4))))
            for i in range(rng.integers(2, 4))}


def errors_against_torch(opt, params, torch_optimizer, places, scheduler=None, seed=0) -> np.ndarray:
    """Run course_lib's `opt` and torch's optimizer side by side on the same gradients for STEPS
    updates; return the worst relative error of each step.

    `places` pairs each tensor torch updates with where its values are in `params`: a key of
    the dict, or row k of a sweep's (K, d) array.
    """
    rng = np.random.default_rng(seed)
    state = opt.init(params)
    errors = []
    for _ in range(STEPS):
        grads = gradient(params, rng)
        for tensor, place in places:
            tensor.grad = torch.tensor(grads[place], dtype=torch.float64)
        params, state = opt.update(params, grads, state)
        torch_optimizer.step()
        if scheduler is not None:
            scheduler.step()  # after the update, so that update t used the scheduler's t-th rate
        errors.append(max(relative_error(params[place], tensor.numpy()) for tensor, place in places))
    return np.array(errors)


def assert_all_small(errors, what):
    bad = np.flatnonzero(~(errors <= TOLERANCE))  # written so that a NaN counts as bad
    assert bad.size == 0, f"{what} differs from torch from step {bad[0] + 1} on: relative error {errors[bad[0]]:.2e}"


def run_against_torch(name, hyper_parameters, seed):
    """The errors of course_lib's `name(**hyper_parameters)` against its torch twin on random dict params."""
    rng = np.random.default_rng(seed)
    params = random_params(rng)
    tensors = {key: torch.tensor(theta, dtype=torch.float64) for key, theta in params.items()}
    torch_optimizer, scheduler = torch_twin(name, hyper_parameters, list(tensors.values()))
    lr = hyper_parameters["lr"]
    opt = getattr(optim, name)(**{**hyper_parameters, "lr": course_schedule(lr) if isinstance(lr, dict) else lr})
    places = [(tensor, key) for key, tensor in tensors.items()]
    return errors_against_torch(opt, params, torch_optimizer, places, scheduler, seed)


@pytest.mark.parametrize("seed, case", list(enumerate(CASES)), ids=CASE_IDS)
def test_follows_torch(seed, case):
    name, setting = case
    assert_all_small(run_against_torch(name, setting, seed), f"{name}({setting})")


@pytest.mark.parametrize("name", SCHEDULED)
def test_scheduled_lr_follows_torch(name):
    hyper_parameters = SCHEDULED[name]
    assert_all_small(run_against_torch(name, hyper_parameters, seed=1), f"{name} with lr={hyper_parameters['lr']}")


@pytest.mark.parametrize("name", SETTINGS)
def test_sweep_follows_torch(name):
    """Row k of one vectorized optimizer == parameter group k of one torch optimizer."""
    settings = SETTINGS[name]
    sweep = {key: np.array([[setting[key]] for setting in settings]) for key in settings[0]}  # (K, 1) each
    params = np.random.default_rng(2).normal(size=(len(settings), 5))
    rows = [torch.tensor(row, dtype=torch.float64) for row in params]
    twins = [torch_arguments(name, setting) for setting in settings]  # (torch class, arguments) per row
    torch_class = twins[0][0]
    torch_optimizer = torch_class([{"params": [row], **arguments} for row, (_, arguments) in zip(rows, twins)],
                                  foreach=False)
    places = [(row, k) for k, row in enumerate(rows)]
    errors = errors_against_torch(getattr(optim, name)(**sweep), params, torch_optimizer, places, seed=2)
    assert_all_small(errors, f"the sweep of {name}")
