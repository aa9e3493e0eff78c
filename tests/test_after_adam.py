"""Lesson 10's optimizers (Lion, Muon, Adafactor, Schedule-Free SGD and AdamW) against their
reference implementations, and the contract every course_lib optimizer keeps.

* Recorded: `record_after_adam_reference.py` ran the references once (torch.optim.Muon and
  .Adafactor, lion-pytorch, the authors' schedulefree reference classes) for 200 steps; these tests
  replay the cases with numpy only, on every machine. The gradients are made here, by
  `dyadic_gradients`, bit-identical on every machine, so the file holds only the trajectories.
* Live (marked torch; skipped without torch, lion-pytorch or schedulefree): 200 steps with
  gradients that depend on where the params are, so both runs must agree on the whole path.
* Sweeps: K settings at once (hyper-parameters of shape (K, 1), or (K, 1, 1) for Muon's stack of
  matrices) give row by row exactly the K runs alone.
* The properties the lesson teaches (Lion's step norm η√d, Newton–Schulz acting on the singular
  values only, Adafactor's memory, Schedule-Free's x as the average of the z's) and the refusals.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from course_lib import optim
from course_lib.optim import (AFTER_ADAM, NEWTON_SCHULZ_COEFFICIENTS, Adafactor, Lion, Muon, ScheduleFreeAdamW,
                              ScheduleFreeSGD, newton_schulz)
from course_lib.schedules import cosine

REFERENCE = Path(__file__).parent / "reference" / "after_adam.json"
RECORDED = json.loads(REFERENCE.read_text())
TOLERANCE = 1e-10      # relative; the differences seen are round-off, ~1e-14 after 200 steps
BFLOAT16_TOLERANCE = 5e-2  # torch's Muon in bfloat16 (8-bit mantissa): seen 2e-2 of the distance moved


def dyadic_gradients(seed: int, shapes: dict, count: int) -> list:
    """`count` dicts of arrays, each entry m · 2^e with integers |m| ≤ 2²⁰ and e from −30 to −17
    (magnitudes about 1e-3 to 8): exact binary numbers from a 64-bit linear congruential generator
    in Python integers, so every machine and numpy version makes the same bits."""
    state = seed * 2654435761 + 12345

    def draw() -> int:
        nonlocal state
        state = (6364136223846793005 * state + 1442695040888963407) % 2**64
        return state >> 33

    trees = []
    for _ in range(count):
        tree = {}
        for key, shape in shapes.items():
            values = [(draw() % 2**21 - 2**20) * 2.0 ** (draw() % 14 - 30) for _ in range(int(np.prod(shape)))]
            tree[key] = np.array(values).reshape(shape)
        trees.append(tree)
    return trees


def relative_error(actual, expected) -> float:
    actual, expected = np.asarray(actual), np.asarray(expected)
    return float(np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-300))


def course_optimizer(name: str, hyper_parameters: dict):
    return getattr(optim, name)(**hyper_parameters)


@pytest.mark.parametrize("case", RECORDED["cases"], ids=[case["id"] for case in RECORDED["cases"]])
def test_matches_the_recorded_reference(case):
    shapes = {key: tuple(shape) for key, shape in case["shapes"].items()}
    params, *grads = dyadic_gradients(case["seed"], shapes, RECORDED["steps"] + 1)
    opt = course_optimizer(case["optimizer"], case["hyper_parameters"])
    tolerance = BFLOAT16_TOLERANCE if case["bfloat16"] else TOLERANCE
    start, state = params, opt.init(params)
    for step, g in enumerate(grads, start=1):
        params, state = opt.update(params, g, state)
        if step % RECORDED["every"]:
            continue
        for key, expected in case["trajectory"][step // RECORDED["every"] - 1].items():
            if case["bfloat16"]:  # how far the params moved, compared: bfloat16 errors are relative to the steps
                error = relative_error(params[key] - start[key], np.array(expected) - start[key])
            else:
                error = relative_error(params[key], expected)
            assert error <= tolerance, f"{opt} differs from its reference at step {step} in {key!r}: {error:.2e}"


def test_every_new_optimizer_has_recorded_cases():
    recorded = {case["optimizer"] for case in RECORDED["cases"]}
    missing = [cls.__name__ for cls in AFTER_ADAM if cls.__name__ not in recorded]
    assert not missing, f"no reference for {missing}: add cases to tests/record_after_adam_reference.py"


# -- live references ------------------------------------------------------------------------------

def double_well_gradient(params: dict, rng) -> dict:
    """∇ Σ(θ⁴/4 − θ²/2) plus noise: each gradient depends on where the optimizer has put the params."""
    return {key: theta**3 - theta + 0.1 * rng.normal(size=theta.shape) for key, theta in params.items()}


def live_errors(case, steps=200):
    torch = pytest.importorskip("torch")
    if case[1] == "Lion":
        pytest.importorskip("lion_pytorch")
    if case[1].startswith("ScheduleFree"):
        pytest.importorskip("schedulefree")
    from record_after_adam_reference import float64_default, muon_without_bfloat16, reference_optimizer
    case_id, name, hyper_parameters, bfloat16 = case
    rng = np.random.default_rng(len(case_id))
    shapes = {"W": (5, 3), "V": (2, 6)} if name == "Muon" else {"W": (5, 3), "b": (4,), "T": (2, 3, 2)}
    params = {key: rng.normal(size=shape) for key, shape in shapes.items()}
    start = params
    with float64_default():
        tensors = {key: torch.tensor(theta) for key, theta in params.items()}
        reference = reference_optimizer(name, hyper_parameters, list(tensors.values()))
        opt = course_optimizer(name, hyper_parameters)
        if name == "Muon" and "T" in params:
            del params["T"]
        state = opt.init(params)
        errors = []
        for _ in range(steps):
            grads = double_well_gradient(params, rng)
            for key, tensor in tensors.items():
                tensor.grad = torch.tensor(grads[key])
            params, state = opt.update(params, grads, state)
            if bfloat16 or name != "Muon":
                reference.step()
            else:
                with muon_without_bfloat16():
                    reference.step()
            if bfloat16:
                errors.append(max(relative_error(params[k] - start[k], t.numpy() - start[k]) for k, t in tensors.items()))
            else:
                errors.append(max(relative_error(params[k], t.numpy()) for k, t in tensors.items()))
    return np.array(errors)


def reference_cases():
    return [("Lion", "Lion", dict(lr=0.01, beta1=0.9, beta2=0.99, weight_decay=0.1), False),
            ("Lion-beta0", "Lion", dict(lr=0.003, beta1=0.0, beta2=0.9, weight_decay=0.0), False),
            ("Muon", "Muon", dict(lr=0.02, beta=0.95, nesterov=True, weight_decay=0.1, ns_steps=5,
                                  adjust_lr=None), False),
            ("Muon-adamw", "Muon", dict(lr=0.01, beta=0.8, nesterov=False, weight_decay=0.0, ns_steps=5,
                                        adjust_lr="match_rms_adamw"), False),
            ("Muon-bfloat16", "Muon", dict(lr=0.02, beta=0.95, nesterov=True, weight_decay=0.1, ns_steps=5,
                                           adjust_lr="original"), True),
            ("Adafactor", "Adafactor", dict(lr=0.01, beta2_decay=-0.8, eps1=None, eps2=1e-3, d=1.0,
                                            weight_decay=0.0), False),
            ("Adafactor-wd", "Adafactor", dict(lr=0.1, beta2_decay=-0.3, eps1=1e-8, eps2=1e-2, d=1.5,
                                               weight_decay=0.05), False),
            ("ScheduleFreeSGD", "ScheduleFreeSGD", dict(lr=0.05, beta=0.9, weight_decay=0.01, warmup_steps=0), False),
            ("ScheduleFreeSGD-warmup", "ScheduleFreeSGD", dict(lr=0.1, beta=0.3, weight_decay=0.0,
                                                               warmup_steps=50), False),
            ("ScheduleFreeAdamW", "ScheduleFreeAdamW", dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8,
                                                            weight_decay=0.0, warmup_steps=0), False),
            ("ScheduleFreeAdamW-warmup", "ScheduleFreeAdamW", dict(lr=0.02, beta1=0.5, beta2=0.99, eps=1e-6,
                                                                   weight_decay=0.1, warmup_steps=30), False)]


@pytest.mark.torch
@pytest.mark.parametrize("case", reference_cases(), ids=[case[0] for case in reference_cases()])
def test_follows_the_live_reference(case):
    errors = live_errors(case)
    tolerance = BFLOAT16_TOLERANCE if case[3] else TOLERANCE
    bad = np.flatnonzero(~(errors <= tolerance))
    assert bad.size == 0, f"{case[0]} differs from its reference from step {bad[0] + 1} on: {errors[bad[0]]:.2e}"


# -- sweeps ---------------------------------------------------------------------------------------

SWEEPS = {
    Lion: dict(lr=[1e-3, 3e-3, 1e-2], beta1=[0.9, 0.5, 0.0], beta2=[0.99, 0.9, 0.999], weight_decay=[0, 0.1, 1.0]),
    Muon: dict(lr=[0.02, 0.01, 0.05], beta=[0.95, 0.5, 0.0], weight_decay=[0.1, 0.0, 0.3]),
    Adafactor: dict(lr=[1e-2, 0.1, 1e-3], beta2_decay=[-0.8, -0.5, -1.0], eps2=[1e-3, 1e-2, 0.0],
                    d=[1.0, 2.0, 1.5], weight_decay=[0, 0.1, 0.01]),
    ScheduleFreeSGD: dict(lr=[0.1, 0.05, 0.5], beta=[0.9, 0.0, 0.5], weight_decay=[0, 0.1, 0.01]),
    ScheduleFreeAdamW: dict(lr=[0.01, 0.1, 0.003], beta1=[0.9, 0.5, 0.0], beta2=[0.999, 0.9, 0.99],
                            eps=[1e-8, 1e-3, 1e-6], weight_decay=[0, 0.1, 0.01]),
}


@pytest.mark.parametrize("cls", AFTER_ADAM, ids=lambda c: c.__name__)
@pytest.mark.parametrize("shape", [(4,), (3, 4)], ids=["vectors", "matrices"])
def test_a_sweep_equals_the_loop_over_its_settings_exactly(cls, shape):
    """K settings as arrays on params of shape (K, *shape): row k is exactly setting k run alone,
    norms and matrices included (Muon: a stack of K matrices, Adafactor: factored per row)."""
    if cls is Muon and len(shape) == 1:
        pytest.skip("Muon trains matrices only")
    settings = SWEEPS[cls]
    K = len(next(iter(settings.values())))
    extra = (1,) * len(shape)
    swept = cls(**{name: np.array(values, dtype=float).reshape(K, *extra) for name, values in settings.items()})
    rng = np.random.default_rng(3)
    params = rng.normal(size=(K, *shape))
    grads = [rng.normal(size=params.shape) * 10.0 ** rng.uniform(-2, 1) for _ in range(30)]
    state = swept.init(params)
    rows = [(cls(**{name: values[k] for name, values in settings.items()}), params[k]) for k in range(K)]
    row_states = [opt.init(p) for opt, p in rows]
    for g in grads:
        params, state = swept.update(params, g, state)
        for k, (opt, p) in enumerate(rows):
            p, row_states[k] = opt.update(p, g[k], row_states[k])
            rows[k] = (opt, p)
    for k, (opt, p) in enumerate(rows):
        np.testing.assert_array_equal(params[k], p, err_msg=f"row {k} of the sweep of {cls.__name__}")


def test_a_swept_schedule_is_a_sweep_too():
    """lr = cosine(array) makes Adafactor factor each row's matrix, as an array lr does."""
    rng = np.random.default_rng(4)
    params, grads = rng.normal(size=(2, 3, 4)), [rng.normal(size=(2, 3, 4)) for _ in range(10)]
    opt = Adafactor(lr=cosine(np.array([[[0.1]], [[0.01]]]), total_steps=10))
    assert opt.init(params)["v_row"].shape == (2, 3, 1)


# -- what the lesson teaches ----------------------------------------------------------------------

def test_lion_moves_every_coordinate_by_exactly_lr():
    rng = np.random.default_rng(5)
    opt, params = Lion(lr=0.01), rng.normal(size=100)
    state = opt.init(params)
    for _ in range(20):
        new, state = opt.update(params, rng.normal(size=100) * 10.0 ** rng.uniform(-3, 3), state)
        np.testing.assert_allclose(np.abs(new - params), 0.01, rtol=1e-12)
        np.testing.assert_allclose(np.linalg.norm(new - params), 0.01 * np.sqrt(100), rtol=1e-12)
        params = new


@pytest.mark.parametrize("shape", [(6, 6), (4, 9), (9, 4)])
def test_newton_schulz_changes_the_singular_values_only(shape):
    """NS(G) = U p⁽ᵏ⁾(S / ‖G‖_F) Vᵀ, with p(σ) = aσ + bσ³ + cσ⁵ applied k times."""
    rng = np.random.default_rng(6)
    G = rng.normal(size=shape)
    U, S, Vt = np.linalg.svd(G, full_matrices=False)
    a, b, c = NEWTON_SCHULZ_COEFFICIENTS
    sigma = S / np.linalg.norm(G)
    for _ in range(5):
        sigma = a * sigma + b * sigma**3 + c * sigma**5
    np.testing.assert_allclose(newton_schulz(G, 5), U @ np.diag(sigma) @ Vt, atol=1e-12)
    assert np.all((sigma > 0.65) & (sigma < 1.25)), "5 steps bring a random matrix's σ near 1"


def test_newton_schulz_of_a_stack_is_each_matrix_alone():
    G = np.random.default_rng(7).normal(size=(3, 4, 5))
    for k in range(3):
        np.testing.assert_array_equal(newton_schulz(G)[k], newton_schulz(G[k]))


def test_muon_scales_the_step_for_the_shape_as_torch_does():
    assert Muon().lr_scale((8, 2)) == pytest.approx(2.0)           # √max(1, A/B)
    assert Muon().lr_scale((2, 8)) == pytest.approx(1.0)
    assert Muon(adjust_lr="match_rms_adamw").lr_scale((4, 16)) == pytest.approx(0.2 * 4)


def test_adafactor_stores_rows_and_columns_instead_of_v():
    opt = Adafactor()
    state = opt.init({"W": np.zeros((300, 200)), "b": np.zeros(200)})
    assert state["v_row"]["W"].shape == (300, 1) and state["v_col"]["W"].shape == (1, 200)
    assert opt.memory((300, 200)) == 500 and opt.memory((200,)) == 200


def test_adafactor_is_exact_for_a_rank_one_second_moment():
    """When g² is an outer product (g = a bᵀ), r c / mean(r) is v itself: the first step is Adam's sign step."""
    a, b = np.array([1.0, 2.0, -3.0]), np.array([0.5, -1.0, 4.0, 2.0])
    opt = Adafactor(lr=0.1, eps2=0.0, d=10.0)
    theta = np.full((3, 4), 2.0)
    new, _ = opt.update(theta, np.outer(a, b), opt.init(theta))
    np.testing.assert_allclose(theta - new, 0.1 * 2.0 * np.sign(np.outer(a, b)), rtol=1e-12)


@pytest.mark.parametrize("cls", [ScheduleFreeSGD, ScheduleFreeAdamW])
def test_schedule_free_x_is_the_running_average_of_z(cls):
    rng = np.random.default_rng(8)
    opt, params = cls(), rng.normal(size=5)
    state, zs = opt.init(params), []
    for _ in range(40):
        params, state = opt.update(params, rng.normal(size=5), state)
        zs.append(state["z"])
        np.testing.assert_allclose(state["x"], np.mean(zs, axis=0), rtol=1e-12, atol=1e-12)
    beta = opt.beta if cls is ScheduleFreeSGD else opt.beta1
    np.testing.assert_allclose(params, (1 - beta) * state["z"] + beta * state["x"], rtol=1e-14)


def test_schedule_free_averaging_weight_is_the_running_sum_of_squared_rates():
    opt = ScheduleFreeSGD(lr=0.3, warmup_steps=7)
    total = 0.0
    for t in range(1, 30):
        total += opt.warmed_up_lr(t) ** 2
        assert opt.averaging_weight(t) == pytest.approx(opt.warmed_up_lr(t) ** 2 / total, rel=1e-13)


@pytest.mark.parametrize("cls", AFTER_ADAM, ids=lambda c: c.__name__)
def test_float32_stays_float32_and_inputs_are_not_changed(cls):
    params = np.ones((3, 4), dtype=np.float32)
    grads = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    opt = cls()
    state = opt.init(params)
    kept = {key: np.copy(value) for key, value in state.items()}
    new, new_state = opt.update(params, grads, state)
    assert new.dtype == np.float32 and all(new_state[s].dtype == np.float32 for s in cls.slots)
    assert np.all(params == 1) and all(np.array_equal(state[k], kept[k]) for k in kept)


# -- refusals -------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, words", [
    (lambda: Muon().init({"W": np.zeros((3, 4)), "b": np.zeros(4)}), "AdamW"),
    (lambda: Muon().init(np.zeros((2, 3, 4))), "(K, 1, 1)"),
    (lambda: Muon(ns_steps=0), "ns_steps"),
    (lambda: Muon(adjust_lr="rms"), "adjust_lr"),
    (lambda: Muon(beta=1.0), "beta must be in"),
    (lambda: Lion(beta1=1.0), "beta1 must be in"),
    (lambda: Lion(lr=-1e-4), "lr must be in"),
    (lambda: Adafactor(beta2_decay=0.5), "≤ 0"),
    (lambda: Adafactor(d=0.5), "d must be ≥ 1"),
    (lambda: Adafactor(eps1=-1.0), "eps1"),
    (lambda: ScheduleFreeSGD(lr=cosine(0.1, 100)), "replaces the learning-rate schedule"),
    (lambda: ScheduleFreeAdamW(warmup_steps=2.5), "warmup_steps"),
    (lambda: ScheduleFreeAdamW(beta2=1.0), "beta2 must be in"),
])
def test_bad_input_is_refused_with_a_reason(make, words):
    with pytest.raises(ValueError, match=None) as error:
        make()
    assert words in str(error.value), str(error.value)


# -- warmup–stable–decay ---------------------------------------------------------------------------

def test_wsd_has_its_three_phases():
    from course_lib.schedules import wsd
    s = wsd(0.1, total_steps=100, warmup_steps=10, decay_fraction=0.2, start_factor=0.01)
    assert s(0) == pytest.approx(0.001) and s(5) == pytest.approx(0.001 + 0.099 * 0.5)
    assert all(s(t) == 0.1 for t in range(10, 81))                      # stable: exactly η₀
    assert s(90) == pytest.approx(0.05) and s(100) == 0.0 and s(150) == 0.0
    root = wsd(0.1, total_steps=100, decay="sqrt", lr_min=0.01)
    assert root(80) == 0.1 and root(85) == pytest.approx(0.01 + 0.09 * (1 - 0.5))  # s = 1/4, √s = 1/2
    linear = wsd(0.1, total_steps=100, lr_min=0.01)
    assert all(root(t) < linear(t) for t in range(81, 100)), "1 − √s < 1 − s: more of the decay at small rates"


def test_wsd_takes_an_array_of_base_rates_for_a_sweep():
    from course_lib.schedules import wsd
    swept = wsd(np.array([[0.1], [0.3]]), 50, warmup_steps=5)
    for t in (2, 20, 45):
        assert swept(t)[1, 0] == pytest.approx(wsd(0.3, 50, warmup_steps=5)(t))


@pytest.mark.parametrize("arguments, words", [
    (dict(lr=0.1, total_steps=100, decay="cosine"), "decay must be"),
    (dict(lr=0.1, total_steps=100, decay_fraction=0.0), "decay_fraction"),
    (dict(lr=0.1, total_steps=100, warmup_steps=90, decay_fraction=0.2), "runs into the decay"),
    (dict(lr=-0.1, total_steps=100), "lr must be"),
])
def test_bad_wsd_settings_are_refused(arguments, words):
    from course_lib.schedules import wsd
    with pytest.raises(ValueError) as error:
        wsd(**arguments)
    assert words in str(error.value)


# -- lesson 10's explorer ----------------------------------------------------------------------------

def test_the_after_adam_explorer_redraws_each_optimizer_in_its_own_colour():
    from course_lib import plots
    from course_lib.widgets import after_adam_explorer
    explorer = after_adam_explorer(steps=50)
    renders = explorer.renders
    explorer.lr.value = 0.1
    assert explorer.renders == renders + 1
    assert [path.optimizer_name for path in explorer.paths] == ["Adam", "Lion", "ScheduleFreeAdamW"]
    lion = explorer.paths[1].points
    np.testing.assert_allclose(np.abs(np.diff(lion, axis=0)), 0.1, rtol=1e-9)   # every step ±lr per coordinate
    assert len({plots.color_of(path) for path in explorer.paths}) == 3
    assert len(explorer.status_lines) == 3
