"""Record what the reference implementations of lesson 10's optimizers compute, for
`test_after_adam.py` to replay with numpy only.

    python tests/record_after_adam_reference.py     (from the repository's root)

Needs torch (for torch.optim.Muon and torch.optim.Adafactor) and, installed with ``--no-deps``
next to it, ``lion-pytorch`` (Lion) and ``schedulefree`` (the authors' Schedule-Free reference
classes). The file in the repository was made with torch 2.13.0+cpu, lion-pytorch 0.2.5 and
schedulefree 1.4.1, float64 tensors and torch's default dtype float64 (Adafactor keeps its step
count in the default dtype).

It writes tests/reference/after_adam.json: for each case, the initial params (a dict of a 3×4
matrix and, except for Muon, a vector of 4), STEPS = 200 gradients and the reference's params
after every 10th step. The params start as dyadic numbers and the gradients are made, not stored:
`dyadic_gradients` (in test_after_adam.py) draws them from a seeded integer generator as exact
multiples of powers of two, so every machine makes bit-identical gradients and the file stays small.

Muon: torch casts the matrix to bfloat16 before Newton–Schulz. `muon_without_bfloat16` rebuilds
torch's own function with only that cast removed (checked by string replacement on its source),
so the float64 trajectory tests the algorithm to round-off; the "-bfloat16" cases record the
unmodified torch.optim.Muon, which the course's float64 rule can only match to bfloat16 precision.
"""

from __future__ import annotations

import inspect
import json
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

from record_torch_reference import float64_default
from test_after_adam import dyadic_gradients

REFERENCE = Path(__file__).parent / "reference"
STEPS = 200
EVERY = 10  # params recorded after steps 10, 20, ..., 200


def reference_optimizer(name: str, hp: dict, tensors: list):
    """The reference implementation of course_lib's `name(**hp)` on `tensors` (every
    hyper-parameter given: the defaults of the two sides are not always the same)."""
    if name == "Lion":
        from lion_pytorch import Lion
        return Lion(tensors, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), weight_decay=hp["weight_decay"])
    if name == "Muon":
        return torch.optim.Muon(tensors, lr=hp["lr"], weight_decay=hp["weight_decay"], momentum=hp["beta"],
                                nesterov=hp["nesterov"], ns_steps=hp["ns_steps"], adjust_lr_fn=hp["adjust_lr"])
    if name == "Adafactor":
        return torch.optim.Adafactor(tensors, lr=hp["lr"], beta2_decay=hp["beta2_decay"],
                                     eps=(hp["eps1"], hp["eps2"]), d=hp["d"], weight_decay=hp["weight_decay"],
                                     foreach=False)
    if name == "ScheduleFreeSGD":
        from schedulefree import SGDScheduleFreeReference
        optimizer = SGDScheduleFreeReference(tensors, lr=hp["lr"], momentum=hp["beta"],
                                             weight_decay=hp["weight_decay"], warmup_steps=hp["warmup_steps"],
                                             r=0, weight_lr_power=2)
    elif name == "ScheduleFreeAdamW":
        from schedulefree import AdamWScheduleFreeReference
        optimizer = AdamWScheduleFreeReference(tensors, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]),
                                               eps=hp["eps"], weight_decay=hp["weight_decay"],
                                               warmup_steps=hp["warmup_steps"], r=0, weight_lr_power=2)
    else:
        raise ValueError(f"no reference for {name!r}")
    _quietly(optimizer.train)  # the params are y while training; it prints "Switching to train mode"
    return optimizer


def _quietly(function):
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        function()


@contextmanager
def muon_without_bfloat16():
    """torch.optim.Muon with its Newton–Schulz run in the params' dtype instead of bfloat16."""
    module = torch.optim._muon
    original = module._zeropower_via_newtonschulz
    source = inspect.getsource(original)
    cast = "ortho_grad = grad.bfloat16()"
    assert source.count(cast) == 1, "torch's Newton–Schulz changed: update muon_without_bfloat16"
    namespace = dict(vars(module))
    exec(source.replace(cast, "ortho_grad = grad.clone()"), namespace)
    module._zeropower_via_newtonschulz = namespace["_zeropower_via_newtonschulz"]
    try:
        yield
    finally:
        module._zeropower_via_newtonschulz = original


# (case id, optimizer, hyper-parameters, Muon's Newton–Schulz in bfloat16 as torch ships it)
CASES = [
    ("Lion", "Lion", dict(lr=1e-3, beta1=0.9, beta2=0.99, weight_decay=0.0), False),
    ("Lion-wd", "Lion", dict(lr=3e-3, beta1=0.5, beta2=0.999, weight_decay=0.3), False),
    ("Muon", "Muon", dict(lr=0.02, beta=0.95, nesterov=True, weight_decay=0.1, ns_steps=5, adjust_lr=None), False),
    ("Muon-plain", "Muon", dict(lr=0.01, beta=0.9, nesterov=False, weight_decay=0.0, ns_steps=3,
                                adjust_lr="original"), False),
    ("Muon-match_rms_adamw", "Muon", dict(lr=0.005, beta=0.5, nesterov=True, weight_decay=0.05, ns_steps=5,
                                          adjust_lr="match_rms_adamw"), False),
    ("Muon-bfloat16", "Muon", dict(lr=0.02, beta=0.95, nesterov=True, weight_decay=0.1, ns_steps=5,
                                   adjust_lr=None), True),
    ("Adafactor", "Adafactor", dict(lr=1e-2, beta2_decay=-0.8, eps1=None, eps2=1e-3, d=1.0, weight_decay=0.0), False),
    ("Adafactor-wd", "Adafactor", dict(lr=0.05, beta2_decay=-0.5, eps1=1e-6, eps2=1e-2, d=2.0, weight_decay=0.1),
     False),
    ("ScheduleFreeSGD", "ScheduleFreeSGD", dict(lr=0.05, beta=0.9, weight_decay=0.0, warmup_steps=0), False),
    ("ScheduleFreeSGD-warmup", "ScheduleFreeSGD", dict(lr=0.1, beta=0.5, weight_decay=0.01, warmup_steps=20), False),
    ("ScheduleFreeAdamW", "ScheduleFreeAdamW", dict(lr=0.0025, beta1=0.9, beta2=0.999, eps=1e-8,
                                                    weight_decay=0.0, warmup_steps=0), False),
    ("ScheduleFreeAdamW-warmup", "ScheduleFreeAdamW", dict(lr=0.01, beta1=0.95, beta2=0.99, eps=1e-6,
                                                           weight_decay=0.1, warmup_steps=15), False),
]


def record(seed: int, case_id: str, name: str, hp: dict, bfloat16: bool) -> dict:
    shapes = {"matrix": (3, 4)} if name == "Muon" else {"matrix": (3, 4), "vector": (4,)}
    params, *grads = dyadic_gradients(seed, shapes, STEPS + 1)
    tensors = {key: torch.tensor(p, dtype=torch.float64) for key, p in params.items()}
    optimizer = reference_optimizer(name, hp, list(tensors.values()))
    trajectory = []
    for step, g in enumerate(grads, start=1):
        for key, tensor in tensors.items():
            tensor.grad = torch.tensor(g[key], dtype=torch.float64)
        if bfloat16 or name != "Muon":
            optimizer.step()
        else:
            with muon_without_bfloat16():
                optimizer.step()
        if step % EVERY == 0:
            trajectory.append({key: tensor.numpy().tolist() for key, tensor in tensors.items()})
    return {"id": case_id, "optimizer": name, "hyper_parameters": hp, "bfloat16": bfloat16,
            "seed": seed, "shapes": shapes, "trajectory": trajectory}


def main() -> None:
    import lion_pytorch  # noqa: F401  (fail early, with the package's name, when one is missing)
    import schedulefree  # noqa: F401
    from importlib.metadata import version
    with float64_default():
        cases = [record(seed, *case) for seed, case in enumerate(CASES)]
    header = {"made_by": "tests/record_after_adam_reference.py", "torch": torch.__version__,
              "lion-pytorch": version("lion-pytorch"), "schedulefree": version("schedulefree"),
              "dtype": "float64", "steps": STEPS, "every": EVERY}
    text = json.dumps(header)[:-1] + ', "cases": [\n' + ",\n".join(json.dumps(case) for case in cases) + "\n]}\n"
    path = REFERENCE / "after_adam.json"
    path.write_text(text)
    print(f"wrote {path} ({len(text) / 1000:.0f} kB, {len(cases)} cases)")


if __name__ == "__main__":
    main()
