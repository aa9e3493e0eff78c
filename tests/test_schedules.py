"""Learning-rate schedules: the shapes their formulas promise (exact values against PyTorch are in
test_torch_reference.py)."""

import numpy as np
import pytest

from course_lib import schedules
from course_lib.optim import SGD

T = np.arange(0, 200)


def test_constant_step_exponential_and_inverse_time():
    assert np.all(schedules.constant(0.1)(T) == 0.1)
    step = schedules.step_decay(0.1, step_size=30, gamma=0.5)(T)
    assert step[29] == 0.1 and step[30] == 0.05 and step[60] == 0.025
    np.testing.assert_allclose(schedules.exponential(0.1, gamma=0.99)(T), 0.1 * 0.99**T)
    inv = schedules.inverse_time(0.1, decay_rate=0.5)(T)
    assert inv[0] == 0.1 and inv[2] == pytest.approx(0.05) and inv[198] == pytest.approx(0.001)


def test_cosine_starts_at_lr_halves_at_midpoint_and_rests_at_lr_min():
    s = schedules.cosine(0.1, total_steps=100, lr_min=0.01)
    assert s(0) == 0.1
    assert s(50) == pytest.approx(0.055)
    assert s(100) == pytest.approx(0.01) and s(150) == pytest.approx(0.01)
    assert np.all(np.diff(s(T)) <= 1e-15)


@pytest.mark.parametrize("factor, restarts", [(1, [20, 40, 60, 80]), (2, [10, 30, 70, 150])])
def test_warm_restarts_jump_back_to_lr_exactly_at_each_restart(factor, restarts):
    s = schedules.cosine_warm_restarts(0.1, first_period=20 if factor == 1 else 10, period_factor=factor)
    values = s(T)
    jumps = np.flatnonzero(np.diff(values) > 0) + 1
    np.testing.assert_array_equal(jumps[:4], restarts)
    assert np.all(values[restarts] == 0.1)


def test_warmup_ramps_linearly_then_hands_over():
    s = schedules.warmup(schedules.cosine(0.1, total_steps=100), warmup_steps=10, start_factor=0.1)
    assert s(0) == pytest.approx(0.01)
    np.testing.assert_allclose(np.diff(s(np.arange(11))), 0.009)   # (0.1 − 0.01)/10 per step
    assert s(10) == 0.1 and s(60) == pytest.approx(0.05)             # the cosine, started at step 10


def test_one_cycle_rises_to_its_peak_then_falls_far_below_the_start():
    s = schedules.one_cycle(0.1, total_steps=100, warmup_fraction=0.3)
    values = s(np.arange(100))
    assert values[0] == pytest.approx(0.1 / 25)
    assert np.argmax(values) == 29 and values[29] == pytest.approx(0.1)
    assert values[-1] == pytest.approx(0.1 / 25 / 1e4)
    assert s(500) == values[-1]


@pytest.mark.parametrize("make", [
    lambda lr: schedules.constant(lr), lambda lr: schedules.step_decay(lr, 10, 0.5),
    lambda lr: schedules.exponential(lr, 0.95), lambda lr: schedules.inverse_time(lr, 0.1),
    lambda lr: schedules.cosine(lr, 50), lambda lr: schedules.cosine_warm_restarts(lr, 10, 2),
    lambda lr: schedules.warmup(schedules.cosine(lr, 50), 5), lambda lr: schedules.one_cycle(lr, 50),
])
def test_every_schedule_takes_an_array_of_base_rates_for_a_sweep(make):
    base = np.array([[0.1], [0.3]])
    swept = make(base)(7)
    assert swept.shape == (2, 1)
    assert swept[1, 0] == pytest.approx(make(0.3)(7)) and swept[0, 0] == pytest.approx(make(0.1)(7))


def test_an_optimizer_uses_the_schedule_step_by_step():
    s = schedules.step_decay(1.0, step_size=2, gamma=0.5)
    opt, x = SGD(lr=s), np.zeros(1)
    state = opt.init(x)
    moves = []
    for _ in range(5):
        new, state = opt.update(x, np.ones(1), state)
        moves.append(float(x[0] - new[0]))
        x = new
    assert moves == [1.0, 1.0, 0.5, 0.5, 0.25]
