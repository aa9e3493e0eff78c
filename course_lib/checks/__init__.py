r"""The checks of the exercises: your function against the course's reference, case by case.

Each ``check_<name>(your_function)`` calls your function on a few cases, the ordinary one first,
then the edge cases where mistakes show (t = 1, β = 0, zero gradients, K runs at once as a (K, d)
array), and compares every answer with the reference in `course_lib`. When all agree it prints
one line that starts with ✓. At the first answer that differs it raises an AssertionError that
says which case, what was expected, what your function returned, and a hint. The hint comes from
comparing your answer with the answers of typical mistakes: an EMA that equals the EMA without
the factor (1 − β) gets the hint for exactly that.

    >>> import numpy as np
    >>> from course_lib import checks
    >>> def ema(xs, beta):
    ...     averages, a = [], 0.0
    ...     for x in xs:
    ...         a = beta * a + x                  # (1 − β) forgotten
    ...         averages.append(a)
    ...     return np.array(averages)
    >>> checks.check_ema(ema)
    Traceback (most recent call last):
    ...
    AssertionError: Exercise 03 · task 1 · ema is not right yet: case 1 of 9, a constant series
      your call: ema(np.array([10., 10., 10., 10.]), 0.9)
      expected:  [1. , 1.9 , 2.71 , 3.439]
      got:       [10. , 19. , 27.1 , 34.39]
      first difference at index [0]: expected 1, got 10
    Hint: did you forget (1 − β)? The new value enters with the weight 1 − β: a ← β·a + (1 − β)·x.

A function that still raises NotImplementedError (the stub of an exercise) is simply not written
yet: that error passes through unchanged, so "not done" and "wrong" never look alike.

Every failure starts with its exercise and task ("Exercise 03 · task 1 · …"), and "your call:"
can be pasted to repeat it. An answer that only calls the course's own version of what the task
asks for (nn.softmax for softmax, Adam for adam_step, …) fails: those are hidden while the
learner's function runs. So does an answer in float32, or in integers where the right one has
fractions.

A checker for a new exercise is a list of `Case`s, a reference, the typical `Mistake`s with their
hints, and one call of `compare` (exercises/README.md shows how).

The package holds `machinery.py` (Case, Mistake, Batches, compare, fail, checker, CHECKERS and the
helpers they share) and one module per exercise, `ex01_gradient_descent.py` ... `ex08_network.py` and `ex10_after_adam.py`,
with that exercise's checkers and their references and typical mistakes. This module re-exports
every checker, so `checks.check_<name>` works whichever module it lives in.
"""

from .machinery import ATOL, CHECKERS, RTOL, SHOWN, Batches, Case, Mistake, checker, compare, fail
from .ex01_gradient_descent import check_gd_step, check_gradient_descent, check_lr_limit_and_best
from .ex02_minibatches import check_minibatches, check_minibatch_gradient, check_sgd_epoch
from .ex03_moving_averages import (check_ema, check_effective_window, check_weight_of_newest,
                                   check_ema_bias_corrected, check_smooth_losses)
from .ex04_momentum import (check_momentum_step, check_momentum_step_ema, check_sum_form_lr,
                            check_nesterov_step, check_momentum_lr_limit, check_polyak_best)
from .ex05_adaptive import (check_adagrad_step, check_rmsprop_step, check_adadelta_step,
                            check_adagrad_step_sizes, check_adadelta_first_step)
from .ex06_adam import check_adam_step, check_train_adam, check_adamw_step, check_adam_l2_step
from .ex07_schedules import (check_step_decay_lr, check_cosine_lr, check_warmup_lr, check_run_lrs,
                             check_noise_floor, check_annealed_schedule, check_range_test_lr)
from .ex08_network import (check_softmax, check_softmax_cross_entropy, check_dense_backward,
                           check_relu_backward, check_mlp_loss_and_grads, check_numerical_derivative,
                           check_clip_by_global_norm, check_train_step)
from .ex10_after_adam import check_lion_step, check_newton_schulz, check_schedule_free_step, check_wsd_lr

__all__ = ["Case", "Mistake", "Batches", "compare", "fail", "checker", "CHECKERS",
           "check_gd_step", "check_gradient_descent", "check_lr_limit_and_best",
           "check_minibatches", "check_minibatch_gradient", "check_sgd_epoch",
           "check_ema", "check_effective_window", "check_weight_of_newest", "check_ema_bias_corrected",
           "check_smooth_losses",
           "check_momentum_step", "check_momentum_step_ema", "check_sum_form_lr", "check_nesterov_step",
           "check_momentum_lr_limit", "check_polyak_best",
           "check_adagrad_step", "check_rmsprop_step", "check_adadelta_step", "check_adagrad_step_sizes",
           "check_adadelta_first_step",
           "check_adam_step", "check_train_adam", "check_adamw_step", "check_adam_l2_step",
           "check_step_decay_lr", "check_cosine_lr", "check_warmup_lr", "check_run_lrs", "check_noise_floor",
           "check_annealed_schedule", "check_range_test_lr",
           "check_softmax", "check_softmax_cross_entropy", "check_dense_backward", "check_relu_backward",
           "check_mlp_loss_and_grads", "check_numerical_derivative", "check_clip_by_global_norm",
           "check_train_step",
           "check_lion_step", "check_newton_schulz", "check_schedule_free_step", "check_wsd_lr"]
