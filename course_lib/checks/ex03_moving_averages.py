"""The checks of exercise 03: exponential moving averages.

The checkers of ema, effective_window, weight_of_newest, ema_bias_corrected, smooth_losses. Each is
listed in `CHECKERS` by `@checker`, and `course_lib.checks` re-exports it.
"""

from __future__ import annotations

import numpy as np

from .. import averages
from ..averages import effective_window as _effective_window
from ..averages import ema as _ema
from ..averages import ema_weights
from .machinery import Case, Mistake, checker, compare

EXERCISE = "03"
TASKS = {"ema": 1, "effective_window": 2, "weight_of_newest": 2, "ema_bias_corrected": 3, "smooth_losses": 4}  # the task of each checked function, for the messages


def _ema_variant(xs, beta, keep, add, start_at_first=False):
    """a ← keep·a + add·x from a₀ = 0 (or a₁ = x₁), the shape of xs."""
    xs = np.asarray(xs, dtype=float)
    averages = np.empty_like(xs)
    a = np.zeros_like(xs[0])
    for t, x in enumerate(xs):
        a = x if (start_at_first and t == 0) else keep * a + add * x
        averages[t] = a
    return averages


def _corrected_with(xs, beta, step):
    """a_t / (1 − β^{step(t, n)}), t = 1 … n: the bias correction with some choice of t."""
    averages = _ema(xs, beta)
    n = len(averages)
    t = np.array([step(t, n) for t in range(1, n + 1)], dtype=float).reshape((n,) + (1,) * (averages.ndim - 1))
    return averages / (1 - beta**t)


_FLOAT_HINT = ("the averages have fractions whatever the values: fill them into an array of dtype=float "
               "(np.zeros(np.shape(xs)) or np.zeros_like(xs, dtype=float)), not one made like the input "
               "(np.empty_like(xs) keeps an integer or float32 input's dtype).")


def _series_cases():
    rng = np.random.default_rng(4)
    return [
        Case("a constant series", {"xs": np.full(4, 10.0), "beta": 0.9}),
        Case("t = 1", {"xs": np.array([5.0]), "beta": 0.9}),
        Case("β = 0", {"xs": np.array([1.0, -2.0, 3.0]), "beta": 0.0},
             hint="with β = 0 the average keeps nothing of the past: each average is the newest value."),
        Case("zeros", {"xs": np.zeros(3), "beta": 0.5},
             hint="the average of zeros is zero."),
        Case("random values", {"xs": np.round(rng.normal(5, 2, size=8), 2), "beta": 0.7}),
        Case("vectors, shape (6, 3)", {"xs": np.round(rng.normal(0, 1, size=(6, 3)), 2), "beta": 0.8},
             hint="time runs along the first axis: each row xs[t] is one value (here a vector of 3); start with "
                  "a = np.zeros_like(xs[0]) and return an array of the shape of xs."),
        Case("integer values", {"xs": np.array([3, 8, 1, 6, 2]), "beta": 0.6}, hint=_FLOAT_HINT),
        Case("float32 values", {"xs": np.array([0.1, 2.7, -1.3], dtype=np.float32), "beta": 0.9}, hint=_FLOAT_HINT),
        Case("a long series, 400 values, β = 0.99",
             {"xs": np.round(np.cos(np.arange(400) / 7.0) + 0.002 * np.arange(400), 3), "beta": 0.99}),
    ]


@checker
def check_ema(ema) -> None:
    """ema(xs, beta) = a_1 … a_n with a_t = β a_{t−1} + (1 − β) x_t, a_0 = 0; the shape of xs."""
    __tracebackhide__ = True
    mistakes = [
        Mistake("did you forget (1 − β)? The new value enters with the weight 1 − β: a ← β·a + (1 − β)·x.",
                lambda xs, beta: _ema_variant(xs, beta, beta, 1.0)),
        Mistake("β and 1 − β are swapped: β is the share of the old average that is kept, a ← β·a + (1 − β)·x.",
                lambda xs, beta: _ema_variant(xs, beta, 1 - beta, beta)),
        Mistake("your average starts at the first value. Here it starts at a₀ = 0, so a₁ = (1 − β)·x₁, "
                "too small at first: that start-up bias is what task 3 corrects.",
                lambda xs, beta: _ema_variant(xs, beta, beta, 1 - beta, start_at_first=True)),
        Mistake("this is the bias-corrected average (task 3). Here return the plain one, a_t, started at a₀ = 0.",
                lambda xs, beta: _ema(xs, beta, bias_correction=True)),
        Mistake("return every average a₁ … a_n (an array of the shape of xs), not only the last one.",
                lambda xs, beta: _ema(xs, beta)[-1]),
    ]
    compare("ema", ema, lambda xs, beta: _ema(xs, beta), _series_cases(), mistakes,
            hint="a starts at 0; for each value x: a = β·a + (1 − β)·x, and keep every a.",
            hidden=[(averages, "ema", "averages.ema")])


@checker
def check_effective_window(effective_window) -> None:
    """effective_window(beta) = 1/(1 − β): about how many recent values an EMA averages."""
    __tracebackhide__ = True
    cases = [
        Case("β = 0.9", {"beta": 0.9}),
        Case("β = 0.99", {"beta": 0.99}),
        Case("β = 0", {"beta": 0.0}),
        Case("β = 0.95, in floating point 19.999…", {"beta": 0.95},
             hint="return the number 1/(1 − β) as it is, not rounded or cut to a whole number."),
        Case("β = 0.3: not a whole window", {"beta": 0.3},
             hint="the window need not be a whole number: 1/(1 − 0.3) = 1.43."),
        Case("β an array", {"beta": np.array([0.5, 0.9, 0.999, 0.93])},
             hint="use numpy arithmetic (1 / (1 - beta)), which works for arrays too."),
    ]
    mistakes = [
        Mistake("the window is 1/(1 − β), not 1/β.", lambda beta: 1 / np.asarray(beta)),
        Mistake("β/(1 − β) is the average age of the values (how far back they are on average), "
                "not the window 1/(1 − β).", lambda beta: np.asarray(beta) / (1 - np.asarray(beta))),
        Mistake("int() cuts off the fractions, and in floating point 1/(1 − 0.95) is 19.999999999999996, so "
                "int() gives 19: return the number 1/(1 − β) itself (round only when you print it).",
                lambda beta: np.trunc(1 / (1 - np.asarray(beta, dtype=float)))),
        Mistake("return the number 1/(1 − β) itself, not rounded to a whole number (round only when you print).",
                lambda beta: np.round(1 / (1 - np.asarray(beta, dtype=float)))),
        Mistake("(1 + β)/(1 − β) is the length of the plain mean with the same noise (pandas' span), "
                "not the window 1/(1 − β) asked here.",
                lambda beta: (1 + np.asarray(beta)) / (1 - np.asarray(beta))),
    ]
    compare("effective_window", effective_window, _effective_window, cases, mistakes,
            hint="the window is 1/(1 − β).", hidden=[(averages, "effective_window", "averages.effective_window")])


def _weight_of_newest(beta, k):
    """The sum of the EMA's weights (1 − β)βʲ over the k newest values j = 0 … k − 1."""
    return np.array([ema_weights(b, k).sum() for b in np.ravel(beta)]).reshape(np.shape(beta))


@checker
def check_weight_of_newest(weight_of_newest) -> None:
    """weight_of_newest(beta, k) = (1 − β)(1 + β + … + β^{k−1}) = 1 − β^k."""
    __tracebackhide__ = True
    cases = [
        Case("β = 0.9, k = 10", {"beta": 0.9, "k": 10}),
        Case("k = 1", {"beta": 0.9, "k": 1},
             hint="the newest value alone has the weight 1 − β."),
        Case("k = 0", {"beta": 0.9, "k": 0}, hint="no values carry no weight: 0."),
        Case("β = 0", {"beta": 0.0, "k": 3}, hint="with β = 0 the newest value has all the weight, 1."),
        Case("β an array", {"beta": np.array([0.5, 0.9, 0.99]), "k": 100},
             hint="use numpy arithmetic (beta ** k), which works for arrays too."),
        Case("β = 0.999, k = 2500", {"beta": 0.999, "k": 2500}),
        Case("β = 0.37, k = 3", {"beta": 0.37, "k": 3}),
    ]
    mistakes = [
        Mistake("β^k is the weight left for the values older than the newest k; the newest k carry the rest, "
                "1 − β^k.", lambda beta, k: np.asarray(beta, dtype=float) ** k),
        Mistake("(1 − β)·β^k is the weight of one value, the one k steps back. Add the weights of all k "
                "newest values: (1 − β)(1 + β + … + β^{k−1}).",
                lambda beta, k: (1 - np.asarray(beta, dtype=float)) * np.asarray(beta, dtype=float) ** k),
        Mistake("off by one: the k newest values are j = 0 … k − 1 steps back, so the sum ends at β^{k−1} "
                "and adds up to 1 − β^k.", lambda beta, k: 1 - np.asarray(beta, dtype=float) ** (k + 1)),
    ]
    compare("weight_of_newest", weight_of_newest, _weight_of_newest, cases, mistakes,
            hidden=[(averages, "ema_weights", "averages.ema_weights")],
            hint="the value j steps back weighs (1 − β)βʲ; add them for j = 0 … k − 1 (a geometric series).")


_WRONG_T_HINTS = {
    "t - 1": "off by one: t is 1 for the first value (the first average is divided by 1 − β¹ = 1 − β), "
             "so t = index + 1 when the index counts from 0.",
    "t + 1": "off by one: t is 1 for the first value, not 2 (the first corrected average must equal x₁).",
}


@checker
def check_ema_bias_corrected(ema_bias_corrected) -> None:
    """ema_bias_corrected(xs, beta) = a_t / (1 − β^t) for t = 1 … n; the shape of xs."""
    __tracebackhide__ = True
    mistakes = [
        Mistake(_WRONG_T_HINTS["t - 1"], lambda xs, beta: _corrected_with(xs, beta, lambda t, n: t - 1)),
        Mistake(_WRONG_T_HINTS["t + 1"], lambda xs, beta: _corrected_with(xs, beta, lambda t, n: t + 1)),
        Mistake("each average has its own t, the number of values it has seen: divide a_t by 1 − β^t, "
                "not every average by the same 1 − βⁿ.", lambda xs, beta: _corrected_with(xs, beta, lambda t, n: n)),
        Mistake("no correction yet: divide each a_t by 1 − β^t.", lambda xs, beta: _ema(xs, beta)),
        Mistake("β and 1 − β are swapped in the average (in your ema?): a ← β·a + (1 − β)·x.",
                lambda xs, beta: _ema_variant(xs, beta, 1 - beta, beta)
                / (1 - beta ** np.arange(1, len(xs) + 1).reshape((-1,) + (1,) * (np.ndim(xs) - 1)))),
        Mistake("starting the average at the first value (a₁ = x₁) also avoids the low start, but it is not the "
                "correction: x₁ keeps the weight β^(t−1), far more than its share. Start at a₀ = 0 and divide "
                "by 1 − β^t.", lambda xs, beta: _ema_variant(xs, beta, beta, 1 - beta, start_at_first=True)),
        Mistake("divide by 1 − β^t (the weights the average has received), not by 1 − (1 − β)^t.",
                lambda xs, beta: _ema(xs, beta) / (1 - (1 - beta) ** np.arange(1, len(xs) + 1).reshape(
                    (-1,) + (1,) * (np.ndim(xs) - 1)))),
        Mistake("divide by 1 − β^t, not multiply: the plain average is too small.",
                lambda xs, beta: _ema(xs, beta) * (1 - beta ** np.arange(1, len(xs) + 1).reshape(
                    (-1,) + (1,) * (np.ndim(xs) - 1)))),
    ]
    compare("ema_bias_corrected", ema_bias_corrected, lambda xs, beta: _ema(xs, beta, bias_correction=True),
            _series_cases(), mistakes, hint="â_t = a_t / (1 − β^t), with t = 1 for the first value.",
            hidden=[(averages, "ema", "averages.ema")])


def _smoothed_with(losses, beta, step):
    """The corrected EMA of the losses in training order, divided by 1 − β^{step(epoch, batch, t)}."""
    losses = np.asarray(losses, dtype=float)
    smoothed = np.empty_like(losses)
    a, t = 0.0, 0
    for epoch in range(1, losses.shape[0] + 1):
        for batch in range(1, losses.shape[1] + 1):
            t += 1
            a = beta * a + (1 - beta) * losses[epoch - 1, batch - 1]
            smoothed[epoch - 1, batch - 1] = a / (1 - beta ** step(epoch, batch, t))
    return smoothed


def _smooth_losses(losses, beta):
    losses = np.asarray(losses, dtype=float)
    return _ema(losses.reshape(-1), beta, bias_correction=True).reshape(losses.shape)


@checker
def check_smooth_losses(smooth_losses) -> None:
    """smooth_losses(losses, beta): the bias-corrected EMA of a run's losses (epochs, batches), in training order."""
    __tracebackhide__ = True
    rng = np.random.default_rng(5)
    decaying = np.round(2.0 * np.exp(-0.1 * np.arange(15)) + rng.uniform(0, 0.3, 15), 3).reshape(3, 5)
    cases = [
        Case("3 epochs × 5 batches", {"losses": decaying, "beta": 0.9}),
        Case("constant losses", {"losses": np.full((3, 4), 2.5), "beta": 0.9},
             hint="the corrected average of a constant is that constant from the first step on."),
        Case("one epoch", {"losses": decaying[:1], "beta": 0.8}),
        Case("β = 0", {"losses": decaying, "beta": 0.0},
             hint="with β = 0 the smoothed loss is the loss itself."),
        Case("one batch per epoch", {"losses": decaying.reshape(15, 1), "beta": 0.9}),
        Case("a long run, 40 epochs × 25 batches, β = 0.98",
             {"losses": np.round(2.0 / np.sqrt(1 + np.arange(1000)) + 0.3 * np.sin(np.arange(1000)), 3).reshape(40, 25),
              "beta": 0.98}),
        Case("integer losses", {"losses": np.array([[9, 4, 7], [3, 5, 2]]), "beta": 0.5}, hint=_FLOAT_HINT),
    ]
    mistakes = [
        Mistake("bias correction must use the step t, the number of losses averaged so far, not the epoch: "
                "the average has received many values by the end of the first epoch.",
                lambda losses, beta: _smoothed_with(losses, beta, lambda epoch, batch, t: epoch)),
        Mistake("t restarts every epoch, but the average does not: t must count every step since the start "
                "of training (epoch · batches_per_epoch + batch + 1, counting epoch and batch from 0).",
                lambda losses, beta: _smoothed_with(losses, beta, lambda epoch, batch, t: batch)),
        Mistake("the average restarts every epoch: keep a (and t) running from one epoch to the next.",
                lambda losses, beta: _ema(np.asarray(losses).T, beta, bias_correction=True).T),
        Mistake(_WRONG_T_HINTS["t - 1"], lambda losses, beta: _smoothed_with(losses, beta, lambda e, b, t: t - 1)),
        Mistake(_WRONG_T_HINTS["t + 1"], lambda losses, beta: _smoothed_with(losses, beta, lambda e, b, t: t + 1)),
        Mistake("no correction yet: divide each average by 1 − β^t.",
                lambda losses, beta: _ema(np.asarray(losses).reshape(-1), beta).reshape(np.shape(losses))),
    ]
    compare("smooth_losses", smooth_losses, _smooth_losses, cases, mistakes, hidden=[(averages, "ema", "averages.ema")],
            hint="walk through the losses in training order with one step counter t (1, 2, 3, … across epochs): "
                 "a = β·a + (1 − β)·loss, smoothed = a / (1 − β^t).")
