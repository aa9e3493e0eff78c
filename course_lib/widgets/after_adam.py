"""Lesson 10's explorer: Adam, Lion and Schedule-Free AdamW with the same lr, β1 and β2.

    >>> from course_lib.widgets import after_adam_explorer
    >>> explorer = after_adam_explorer()
    >>> explorer.lr.value = 0.1
    >>> print(explorer.status_lines[1])
    Lion lr=0.1, β1=0.9, β2=0.99: f − f* = 0.005 after 200 steps
"""

from __future__ import annotations

from ..optim import Adam, Lion, ScheduleFreeAdamW
from ..problems import Quadratic
from .controls import beta_slider, lr_slider
from .trajectory import TrajectoryExplorer

__all__ = ["after_adam_explorer"]


def after_adam_explorer(problem=None, steps: int = 200) -> TrajectoryExplorer:
    """Adam, Lion and Schedule-Free AdamW on a ravine (curvatures 1 and 50 by default).

    The three share lr, β1 and β2 (for Schedule-Free, β1 is the interpolation between z and x).
    Lion moves every coordinate by exactly lr, so it zig-zags around the minimum at a constant
    rate; Schedule-Free's path is y, the points where it takes its gradients.
    """
    problem = Quadratic([1.0, 50.0]) if problem is None else problem
    return TrajectoryExplorer(
        problem,
        lambda lr, beta1, beta2: [Adam(lr=lr, beta1=beta1, beta2=beta2),
                                  Lion(lr=lr, beta1=beta1, beta2=beta2),
                                  ScheduleFreeAdamW(lr=lr, beta1=beta1, beta2=beta2)],
        {"lr": lr_slider(0.03, 1e-3, 0.5), "beta1": beta_slider(0.9, "β1"), "beta2": beta_slider(0.99, "β2")},
        steps=steps)
