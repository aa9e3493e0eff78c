"""Record what PyTorch computes, as the reference that `test_torch_reference.py` replays.

How the files were made (rerun to remake them; the same torch gives byte-identical files):

    python tests/record_torch_reference.py      (from the repository's root, with torch installed)

The files in the repository were made with torch 2.13.0+cpu and numpy 2.4.6; float64 tensors,
foreach=False (torch's plain for-loop path),
and torch's default dtype set to float64 (see `float64_default`).

It writes two files in tests/reference/:

* torch_optim.json: for every course_lib optimizer with a torch twin, a few settings of its
  hyper-parameters; for each, the initial params (a dict of two small arrays), 12 gradients and
  the params torch gives after every step.
* torch_schedules.json: for every schedule, two settings, and the learning rate torch's scheduler
  gives to each update when it is stepped once per update.

The gradients come from a seeded numpy generator, never from torch's, so the inputs do not
depend on the torch version; only the recorded outputs do. Python writes a float64 as the
shortest text that reads back as the same number, so the JSON holds torch's values exactly.

The translation from course_lib's names to torch's (`torch_arguments`, `torch_scheduler`) is
also what `test_torch_live.py` uses, so each equivalence is written down once.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

REFERENCE = Path(__file__).parent / "reference"
STEPS = 12          # updates recorded per optimizer case
SCHEDULE_STEPS = 60  # learning rates recorded per schedule case (fewer, see recorded_steps)


@contextmanager
def float64_default():
    """Set torch's default dtype to float64 for the duration.

    Torch keeps an optimizer's scalar state (the step count, NAdam's product of the μ's) in its
    default dtype, float32 unless told otherwise, even when the params are float64. NAdam's step
    size then carries float32 round-off (relative errors ~1e-10 after one step), so float64
    throughout needs the default dtype as well as float64 tensors.
    """
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(default)


# course_lib class -> (torch class, course name -> torch name, fixed torch arguments)
TWINS = {
    "SGD": (torch.optim.SGD, {}, {}),
    "Momentum": (torch.optim.SGD, {"beta": "momentum"}, {}),
    "Nesterov": (torch.optim.SGD, {"beta": "momentum"}, {"nesterov": True}),
    "AdaGrad": (torch.optim.Adagrad, {}, {}),
    "RMSprop": (torch.optim.RMSprop, {"beta": "alpha"}, {}),
    "AdaDelta": (torch.optim.Adadelta, {"beta": "rho"}, {}),
    "Adam": (torch.optim.Adam, {}, {}),
    "AdamW": (torch.optim.AdamW, {}, {}),
    "AMSGrad": (torch.optim.Adam, {}, {"amsgrad": True}),
    "Nadam": (torch.optim.NAdam, {}, {}),
}


def torch_arguments(name: str, hyper_parameters: dict) -> tuple[type, dict]:
    """The torch class and keyword arguments equal to course_lib's `name(**hyper_parameters)`.

    Every hyper-parameter must be given: the two libraries' defaults differ (Momentum's β is 0.9,
    SGD's momentum 0). `lr` must be a number here; a schedule is torch's separate scheduler.
    """
    torch_class, renames, fixed = TWINS[name]
    arguments = {renames.get(key, key): value for key, value in hyper_parameters.items()}
    if "beta1" in arguments:
        arguments["betas"] = (arguments.pop("beta1"), arguments.pop("beta2"))
    return torch_class, {**arguments, **fixed}


def first_lr(schedule: dict) -> float:
    """The base rate of a schedule description: what torch's optimizer is built with."""
    if schedule["schedule"] == "warmup":
        return first_lr(schedule["then"])
    return schedule["max_lr"] if schedule["schedule"] == "one_cycle" else schedule["lr"]


def torch_scheduler(optimizer, schedule: dict):
    """Torch's scheduler for a schedule description, e.g. {"schedule": "cosine", "lr": 0.1, ...}.

    The optimizer must have been built with lr = first_lr(schedule).
    """
    lr_scheduler = torch.optim.lr_scheduler
    kind = schedule["schedule"]
    if kind == "constant":
        return lr_scheduler.LambdaLR(optimizer, lambda t: 1.0)
    if kind == "step_decay":
        return lr_scheduler.StepLR(optimizer, step_size=schedule["step_size"], gamma=schedule["gamma"])
    if kind == "exponential":
        return lr_scheduler.ExponentialLR(optimizer, gamma=schedule["gamma"])
    if kind == "inverse_time":
        k = schedule["decay_rate"]
        return lr_scheduler.LambdaLR(optimizer, lambda t: 1 / (1 + k * t))
    if kind == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=schedule["total_steps"], eta_min=schedule["lr_min"])
    if kind == "cosine_warm_restarts":
        return lr_scheduler.CosineAnnealingWarmRestarts(
            optimizer, T_0=schedule["first_period"], T_mult=schedule["period_factor"], eta_min=schedule["lr_min"])
    if kind == "warmup":
        ramp = lr_scheduler.LinearLR(optimizer, start_factor=schedule["start_factor"], end_factor=1.0,
                                     total_iters=schedule["warmup_steps"])
        return lr_scheduler.SequentialLR(optimizer, [ramp, torch_scheduler(optimizer, schedule["then"])],
                                         milestones=[schedule["warmup_steps"]])
    if kind == "one_cycle":
        return lr_scheduler.OneCycleLR(
            optimizer, max_lr=schedule["max_lr"], total_steps=schedule["total_steps"],
            pct_start=schedule["warmup_fraction"], anneal_strategy="cos", div_factor=schedule["div_factor"],
            final_div_factor=schedule["final_div_factor"], cycle_momentum=False, three_phase=False)
    if kind == "wsd":
        return wsd_scheduler(optimizer, schedule)
    raise ValueError(f"no torch scheduler for {kind!r}")


def wsd_scheduler(optimizer, schedule: dict):
    """Warmup–stable–decay from torch's own schedulers (a linear decay), or LambdaLR (1 − √s)."""
    lr_scheduler = torch.optim.lr_scheduler
    lr, lr_min, total, warmup_steps = schedule["lr"], schedule["lr_min"], schedule["total_steps"], schedule["warmup_steps"]
    decay_steps = max(1, round(schedule["decay_fraction"] * total))
    decay_start = total - decay_steps
    if schedule["decay"] == "sqrt":
        def factor(t):
            if t < warmup_steps:
                return schedule["start_factor"] + (1 - schedule["start_factor"]) * t / warmup_steps
            s = min(max(t - decay_start, 0), decay_steps) / decay_steps
            return (lr_min + (lr - lr_min) * (1 - s**0.5)) / lr
        return lr_scheduler.LambdaLR(optimizer, factor)
    phases = [lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=decay_start - warmup_steps),
              lr_scheduler.LinearLR(optimizer, start_factor=1.0, end_factor=lr_min / lr, total_iters=decay_steps)]
    milestones = [decay_start]
    if warmup_steps:
        phases.insert(0, lr_scheduler.LinearLR(optimizer, start_factor=schedule["start_factor"], end_factor=1.0,
                                               total_iters=warmup_steps))
        milestones.insert(0, warmup_steps)
    return lr_scheduler.SequentialLR(optimizer, phases, milestones=milestones)


def torch_twin(name: str, hyper_parameters: dict, tensors: list):
    """Torch's optimizer for course_lib's `name(**hyper_parameters)` on `tensors`, and its
    scheduler (None for a constant lr), to be stepped once after every update."""
    lr = hyper_parameters["lr"]
    scheduled = isinstance(lr, dict)
    torch_class, arguments = torch_arguments(name, {**hyper_parameters, "lr": first_lr(lr) if scheduled else lr})
    optimizer = torch_class(tensors, foreach=False, **arguments)
    return optimizer, torch_scheduler(optimizer, lr) if scheduled else None


# (case id, optimizer, hyper-parameters): every hyper-parameter written out (see torch_arguments)
OPTIMIZER_CASES = [
    ("SGD", "SGD", dict(lr=0.1, weight_decay=0.0)),
    ("SGD-wd", "SGD", dict(lr=0.05, weight_decay=0.1)),
    ("SGD-step", "SGD", dict(lr={"schedule": "step_decay", "lr": 0.1, "step_size": 4, "gamma": 0.5},
                             weight_decay=0.0)),
    ("Momentum", "Momentum", dict(lr=0.05, beta=0.9, weight_decay=0.0)),
    ("Momentum-wd", "Momentum", dict(lr=0.1, beta=0.5, weight_decay=0.2)),
    ("Momentum-exponential", "Momentum", dict(lr={"schedule": "exponential", "lr": 0.1, "gamma": 0.9},
                                              beta=0.99, weight_decay=0.0)),
    ("Nesterov", "Nesterov", dict(lr=0.05, beta=0.9, weight_decay=0.0)),
    ("Nesterov-wd", "Nesterov", dict(lr=0.1, beta=0.6, weight_decay=0.1)),
    ("Nesterov-cosine", "Nesterov", dict(lr={"schedule": "cosine", "lr": 0.1, "total_steps": 12, "lr_min": 0.001},
                                         beta=0.95, weight_decay=0.0)),
    ("AdaGrad", "AdaGrad", dict(lr=0.1, eps=1e-10, weight_decay=0.0)),
    ("AdaGrad-wd", "AdaGrad", dict(lr=0.5, eps=1e-3, weight_decay=0.1)),
    ("AdaGrad-inverse_time", "AdaGrad", dict(lr={"schedule": "inverse_time", "lr": 0.3, "decay_rate": 0.5},
                                             eps=1e-10, weight_decay=0.0)),
    ("RMSprop", "RMSprop", dict(lr=0.01, beta=0.99, eps=1e-8, weight_decay=0.0)),
    ("RMSprop-wd", "RMSprop", dict(lr=0.02, beta=0.9, eps=1e-4, weight_decay=0.05)),
    ("RMSprop-warmup", "RMSprop", dict(
        lr={"schedule": "warmup", "warmup_steps": 4, "start_factor": 0.1,
            "then": {"schedule": "cosine", "lr": 0.05, "total_steps": 8, "lr_min": 0.0}},
        beta=0.0, eps=1e-8, weight_decay=0.0)),
    ("AdaDelta", "AdaDelta", dict(lr=1.0, beta=0.9, eps=1e-6, weight_decay=0.0)),
    ("AdaDelta-wd", "AdaDelta", dict(lr=0.5, beta=0.95, eps=1e-4, weight_decay=0.1)),
    ("AdaDelta-warm_restarts", "AdaDelta", dict(
        lr={"schedule": "cosine_warm_restarts", "lr": 1.0, "first_period": 3, "period_factor": 2, "lr_min": 0.1},
        beta=0.9, eps=1e-6, weight_decay=0.0)),
    ("Adam", "Adam", dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)),
    ("Adam-wd", "Adam", dict(lr=0.05, beta1=0.5, beta2=0.99, eps=1e-4, weight_decay=0.1)),
    ("Adam-exponential", "Adam", dict(lr={"schedule": "exponential", "lr": 0.1, "gamma": 0.8},
                                      beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)),
    ("AdamW", "AdamW", dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01)),
    ("AdamW-wd", "AdamW", dict(lr=0.05, beta1=0.0, beta2=0.9, eps=1e-6, weight_decay=0.5)),
    ("AdamW-one_cycle", "AdamW", dict(
        lr={"schedule": "one_cycle", "max_lr": 0.1, "total_steps": 12, "warmup_fraction": 0.3,
            "div_factor": 25.0, "final_div_factor": 1e4},
        beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1)),
    ("AMSGrad", "AMSGrad", dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)),
    ("AMSGrad-wd", "AMSGrad", dict(lr=0.05, beta1=0.8, beta2=0.95, eps=1e-6, weight_decay=0.1)),
    ("AMSGrad-step", "AMSGrad", dict(lr={"schedule": "step_decay", "lr": 0.1, "step_size": 3, "gamma": 0.3},
                                     beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.0)),
    ("Nadam", "Nadam", dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, momentum_decay=0.004)),
    ("Nadam-wd", "Nadam", dict(lr=0.05, beta1=0.5, beta2=0.99, eps=1e-4, weight_decay=0.1, momentum_decay=0.01)),
    ("Nadam-warmup", "Nadam", dict(
        lr={"schedule": "warmup", "warmup_steps": 3, "start_factor": 0.2,
            "then": {"schedule": "exponential", "lr": 0.05, "gamma": 0.9}},
        beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, momentum_decay=0.004)),
]

# (case id, schedule description): two settings of every schedule
SCHEDULE_CASES = [
    ("constant", {"schedule": "constant", "lr": 0.1}),
    ("constant-small", {"schedule": "constant", "lr": 3e-4}),
    ("step_decay", {"schedule": "step_decay", "lr": 0.1, "step_size": 10, "gamma": 0.1}),
    ("step_decay-half", {"schedule": "step_decay", "lr": 0.3, "step_size": 7, "gamma": 0.5}),
    ("exponential", {"schedule": "exponential", "lr": 0.1, "gamma": 0.95}),
    ("exponential-fast", {"schedule": "exponential", "lr": 1.0, "gamma": 0.8}),
    ("inverse_time", {"schedule": "inverse_time", "lr": 0.1, "decay_rate": 0.1}),
    ("inverse_time-slow", {"schedule": "inverse_time", "lr": 0.5, "decay_rate": 0.01}),
    ("cosine", {"schedule": "cosine", "lr": 0.1, "total_steps": 59, "lr_min": 0.0}),
    ("cosine-lr_min", {"schedule": "cosine", "lr": 0.5, "total_steps": 40, "lr_min": 0.01}),
    ("cosine_warm_restarts", {"schedule": "cosine_warm_restarts", "lr": 0.1, "first_period": 10,
                              "period_factor": 1, "lr_min": 0.0}),
    ("cosine_warm_restarts-doubling", {"schedule": "cosine_warm_restarts", "lr": 0.1, "first_period": 5,
                                       "period_factor": 2, "lr_min": 0.001}),
    ("warmup-cosine", {"schedule": "warmup", "warmup_steps": 10, "start_factor": 0.01,
                       "then": {"schedule": "cosine", "lr": 0.1, "total_steps": 49, "lr_min": 0.0}}),
    ("warmup-step_decay", {"schedule": "warmup", "warmup_steps": 8, "start_factor": 0.25,
                           "then": {"schedule": "step_decay", "lr": 0.2, "step_size": 7, "gamma": 0.5}}),
    ("one_cycle", {"schedule": "one_cycle", "max_lr": 0.3, "total_steps": 60, "warmup_fraction": 0.3,
                   "div_factor": 25.0, "final_div_factor": 1e4}),
    ("wsd", {"schedule": "wsd", "lr": 0.1, "total_steps": 50, "warmup_steps": 5, "decay_fraction": 0.2,
             "decay": "linear", "lr_min": 0.0, "start_factor": 0.01}),
    ("wsd-no_warmup", {"schedule": "wsd", "lr": 0.3, "total_steps": 40, "warmup_steps": 0, "decay_fraction": 0.25,
                       "decay": "linear", "lr_min": 0.03, "start_factor": 0.01}),
    ("wsd-sqrt", {"schedule": "wsd", "lr": 0.1, "total_steps": 45, "warmup_steps": 8, "decay_fraction": 0.3,
                  "decay": "sqrt", "lr_min": 0.001, "start_factor": 0.1}),
    ("one_cycle-short_warmup", {"schedule": "one_cycle", "max_lr": 1.0, "total_steps": 50, "warmup_fraction": 0.1,
                                "div_factor": 10.0, "final_div_factor": 100.0}),
]


def recorded_steps(schedule: dict) -> int:
    """How many learning rates to record: only as far as the course promises torch's values.

    Past T, torch's cosine climbs back up while the course's stays at η_min; torch's one-cycle
    refuses to go past its last step, where the course's stays put.
    """
    if schedule["schedule"] == "cosine":
        return min(SCHEDULE_STEPS, schedule["total_steps"] + 1)
    if schedule["schedule"] == "one_cycle":
        return min(SCHEDULE_STEPS, schedule["total_steps"])
    if schedule["schedule"] == "warmup":
        return min(SCHEDULE_STEPS, schedule["warmup_steps"] + recorded_steps(schedule["then"]))
    return SCHEDULE_STEPS


def record_optimizer(rng, case_id: str, name: str, hyper_parameters: dict) -> dict:
    """Torch's params after each of STEPS updates, from random params and gradients."""
    params = {"vector": rng.normal(size=3), "matrix": rng.normal(size=(2, 2))}
    # magnitudes from 1e-3 to 10, so that ε matters in some coordinates and not in others
    grads = [{key: rng.normal(size=p.shape) * 10.0 ** rng.uniform(-3, 1, size=p.shape) for key, p in params.items()}
             for _ in range(STEPS)]
    tensors = {key: torch.tensor(p, dtype=torch.float64) for key, p in params.items()}
    optimizer, scheduler = torch_twin(name, hyper_parameters, list(tensors.values()))
    trajectory = []
    for g in grads:
        for key, tensor in tensors.items():
            tensor.grad = torch.tensor(g[key], dtype=torch.float64)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        trajectory.append({key: tensor.numpy().tolist() for key, tensor in tensors.items()})
    return {"id": case_id, "optimizer": name, "hyper_parameters": hyper_parameters,
            "params": {key: p.tolist() for key, p in params.items()},
            "grads": [{key: array.tolist() for key, array in g.items()} for g in grads],
            "trajectory": trajectory}


def record_schedule(case_id: str, schedule: dict) -> dict:
    """The learning rate of each update, with the scheduler stepped once per update."""
    # a scheduler needs an optimizer to drive; its one parameter never gets a gradient
    optimizer = torch.optim.SGD([torch.zeros(1, dtype=torch.float64)], lr=first_lr(schedule), foreach=False)
    scheduler = torch_scheduler(optimizer, schedule)
    lrs = []
    for _ in range(recorded_steps(schedule)):
        lrs.append(optimizer.param_groups[0]["lr"])  # the rate this update uses
        optimizer.step()  # a no-op without a gradient, but keeps torch's required order of calls
        scheduler.step()
    return {"id": case_id, "schedule": schedule, "lrs": lrs}


def write(path: Path, cases: list) -> None:
    """JSON with one case per line, so that a diff shows which cases changed."""
    header = {"made_by": "tests/record_torch_reference.py", "torch": torch.__version__, "dtype": "float64"}
    lines = [json.dumps(case) for case in cases]
    text = json.dumps(header)[:-1] + ', "cases": [\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text)
    print(f"wrote {path} ({len(text) / 1000:.0f} kB, {len(cases)} cases)")


def main() -> None:
    REFERENCE.mkdir(exist_ok=True)
    rng = np.random.default_rng(2024)
    with float64_default():
        write(REFERENCE / "torch_optim.json", [record_optimizer(rng, *case) for case in OPTIMIZER_CASES])
        write(REFERENCE / "torch_schedules.json", [record_schedule(*case) for case in SCHEDULE_CASES])


if __name__ == "__main__":
    main()
