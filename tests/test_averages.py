"""Exponential moving averages (course_lib.averages) against their defining sums."""

import numpy as np
import pytest

from course_lib.averages import effective_window, ema, ema_weights


def test_the_ema_is_the_weighted_sum_of_past_values():
    values = np.random.default_rng(0).normal(size=30)
    beta = 0.8
    averages = ema(values, beta)
    for t in (1, 7, 30):
        weights = ema_weights(beta, t)[::-1]  # (1 − β) β^(t − i) for the values x_1 … x_t
        assert averages[t - 1] == pytest.approx(np.sum(weights * values[:t]))


def test_bias_correction_removes_the_start_up_bias_of_a_constant():
    constant = np.full(5, 10.0)
    np.testing.assert_allclose(ema(constant, 0.9), 10 * (1 - 0.9 ** np.arange(1, 6)))
    np.testing.assert_allclose(ema(constant, 0.9, bias_correction=True), 10.0)


def test_beta_zero_keeps_the_values_and_arrays_are_averaged_elementwise():
    values = np.array([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_array_equal(ema(values, 0.0), values)
    np.testing.assert_allclose(ema(values, 0.5), [[0.5, 1.0], [1.75, 3.0]])


def test_the_window_and_the_weights():
    assert effective_window(0.9) == pytest.approx(10) and effective_window(0.99) == pytest.approx(100)
    assert ema_weights(0.9, 1000).sum() == pytest.approx(1.0)
    assert ema_weights(0.9, 10).sum() == pytest.approx(1 - 0.9**10)


@pytest.mark.parametrize("beta", [1.0, -0.1, 1.5])
def test_beta_outside_zero_one_is_refused_with_the_reason(beta):
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\)"):
        ema([1.0, 2.0], beta)


def test_an_array_of_betas_averages_each_column_with_its_own_beta():
    values = np.random.default_rng(5).normal(size=(40, 3))
    betas = np.array([0.0, 0.5, 0.95])
    together = ema(values, betas, bias_correction=True)
    for k, beta in enumerate(betas):
        np.testing.assert_allclose(together[:, k], ema(values[:, k], float(beta), bias_correction=True), rtol=1e-14)
