r"""Exponential moving averages (EMAs), the one idea inside every optimizer of the course (lesson 03).

.. math::  a_t = \beta\, a_{t-1} + (1-\beta)\, x_t, \qquad a_0 = 0, \qquad
           \hat a_t = \frac{a_t}{1-\beta^t} \text{ (bias-corrected)}

a_t weighs the value k steps back by (1 − β) βᵏ: it remembers about 1/(1 − β) values (β = 0.9: the
last 10). Started at 0 it is too small at first, by the factor 1 − βᵗ; dividing by it corrects that.

    >>> from course_lib.averages import ema
    >>> ema([10.0, 10.0, 10.0], beta=0.9).round(2)
    array([1.  , 1.9 , 2.71])
    >>> ema([10.0, 10.0, 10.0], beta=0.9, bias_correction=True).round(2)
    array([10., 10., 10.])
"""

from __future__ import annotations

import numpy as np

from .optimizer_base import _broadcasts_to, as_float_array, hyper_parameter, switch, whole_number

__all__ = ["ema", "ema_weights", "effective_window"]


def ema(values, beta, bias_correction: bool = False) -> np.ndarray:
    """The EMA a_1 … a_n of values x_1 … x_n (the first axis is time); the shape of `values`.

    `beta` is one number, or an array that broadcasts against one value ``values[0]``: values of
    shape (n, K) with beta of shape (K,) average K series, each with its own β, in one call.
    """
    beta = hyper_parameter("beta", beta, upper=1)
    bias_correction = switch("bias_correction", bias_correction)
    values = as_float_array(values, "values").astype(float)
    if values.ndim == 0:
        raise ValueError(f"values must be a series, an array whose first axis is time; got the single number {values}")
    if np.ndim(beta) and not _broadcasts_to(np.shape(beta), values.shape[1:]):
        raise ValueError(f"beta has shape {np.shape(beta)}, which does not broadcast against one value "
                         f"values[0] of shape {values.shape[1:]}")
    averages = np.empty_like(values)
    average = np.zeros(values.shape[1:])
    for t, value in enumerate(values, start=1):
        average = beta * average + (1 - beta) * value
        averages[t - 1] = average / (1 - beta**t) if bias_correction else average
    return averages


def ema_weights(beta, count: int) -> np.ndarray:
    """The weight (1 − β) βᵏ the EMA gives the value k = 0 … count − 1 steps back."""
    beta = hyper_parameter("beta", beta, upper=1)
    return (1 - beta) * beta ** np.arange(whole_number("count", count))


def effective_window(beta) -> float:
    """1 / (1 − β): about how many recent values the EMA averages (β = 0.9: 10, β = 0.99: 100)."""
    beta = hyper_parameter("beta", beta, upper=1)
    return 1 / (1 - beta)
