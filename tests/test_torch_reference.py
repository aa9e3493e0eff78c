"""course_lib's optimizers and schedules against values recorded from PyTorch, without PyTorch.

The course promises that its numpy optimizers give the same iterates as `torch.optim` (the plain
for-loop path, in float64), so that what a learner builds here carries over to the framework they
use next. `record_torch_reference.py` ran torch once and stored, for every optimizer, a few
settings with 12 gradients and torch's params after each step, and for every schedule the
learning rate of each update. These tests replay them with numpy only, so the promise is
checked on every machine, with or without torch; `test_torch_live.py` checks it against a live
torch where there is one.

Agreement is to round-off: the two libraries do the same arithmetic in different orders (torch
divides by √(1 − β2ᵗ) after the root, for instance), which changes the last bits only.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from course_lib import optim, schedules

REFERENCE = Path(__file__).parent / "reference"
OPTIMIZER_CASES = json.loads((REFERENCE / "torch_optim.json").read_text())["cases"]
SCHEDULE_CASES = json.loads((REFERENCE / "torch_schedules.json").read_text())["cases"]
TOLERANCE = 1e-12  # float64 round-off is ~1e-16 per operation; 12 steps of it stay far below this


def relative_error(actual, expected) -> float:
    """max |a − b| / max |b|: the error in units of the array's scale (tiny entries need no special care)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    return float(np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-300))


def course_schedule(description: dict):
    """The course_lib schedule a recorded description names, e.g. {"schedule": "cosine", "lr": 0.1, ...}."""
    settings = dict(description)
    make = getattr(schedules, settings.pop("schedule"))
    if "then" in settings:  # warmup wraps the schedule that follows it
        return make(course_schedule(settings.pop("then")), **settings)
    return make(**settings)


def as_arrays(tree: dict) -> dict:
    return {key: np.array(value) for key, value in tree.items()}


@pytest.mark.parametrize("case", OPTIMIZER_CASES, ids=[case["id"] for case in OPTIMIZER_CASES])
def test_optimizer_matches_torch(case):
    hyper_parameters = dict(case["hyper_parameters"])
    if isinstance(hyper_parameters["lr"], dict):
        hyper_parameters["lr"] = course_schedule(hyper_parameters["lr"])
    opt = getattr(optim, case["optimizer"])(**hyper_parameters)
    params = as_arrays(case["params"])
    state = opt.init(params)
    for step, (grads, expected) in enumerate(zip(case["grads"], case["trajectory"]), start=1):
        params, state = opt.update(params, as_arrays(grads), state)
        for key, value in expected.items():
            error = relative_error(params[key], value)
            assert error <= TOLERANCE, f"{opt} differs from torch at step {step} in {key!r}: relative error {error:.2e}"


@pytest.mark.parametrize("case", SCHEDULE_CASES, ids=[case["id"] for case in SCHEDULE_CASES])
def test_schedule_matches_torch(case):
    schedule = course_schedule(case["schedule"])
    expected = np.array(case["lrs"])
    np.testing.assert_allclose(schedule(np.arange(len(expected))), expected, rtol=TOLERANCE, atol=0,
                               err_msg=f"{schedule} differs from torch's scheduler")


def test_every_optimizer_has_a_recorded_case():
    """A new optimizer in course_lib must come with a torch reference (rerun the recording script)."""
    recorded = {case["optimizer"] for case in OPTIMIZER_CASES}
    missing = [cls.__name__ for cls in optim.ALL_OPTIMIZERS if cls.__name__ not in recorded]
    assert not missing, f"no torch reference for {missing}: add cases to tests/record_torch_reference.py"


def test_every_schedule_has_a_recorded_case():
    recorded = {case["schedule"]["schedule"] for case in SCHEDULE_CASES}
    missing = [make.__name__ for make in schedules.ALL_SCHEDULES if make.__name__ not in recorded]
    assert not missing, f"no torch reference for {missing}: add cases to tests/record_torch_reference.py"
