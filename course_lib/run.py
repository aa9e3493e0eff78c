r"""Run an optimizer on a problem, and sweep it over a grid of hyper-parameters.

    >>> from course_lib.optim import Momentum
    >>> from course_lib.problems import Rosenbrock
    >>> from course_lib.run import run
    >>> path = run(Momentum(lr=1e-3, beta=0.9), Rosenbrock(), x0=[-1.5, 2.0], steps=2000)
    >>> print(path.summary())
    Momentum(lr=0.001, beta=0.9, weight_decay=0, ema=False) on Rosenbrock: 2000 steps, loss 12 → 1.4e-08

A run that goes non-finite or explodes stops at that step and says so (``diverged_at``), without
printing numpy's overflow warnings. Everything is vectorized over leading axes of ``x0``: a start
of shape (K, d) runs K optimizers at once, which is what `sweep` uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .optimizer_base import Optimizer, as_float_array
from .problems import Problem

__all__ = ["Trajectory", "run", "SweepResult", "sweep", "run_online", "nesterov_lookahead"]


@dataclass
class Trajectory:
    """What `run` returns. Steps are numbered 0 (the start) to `steps`.

    optimizer:   the optimizer's repr, e.g. "Adam(lr=0.1, ...)"; also `optimizer_name` ("Adam") and
                 its `hyper_parameters` (a dict, as the optimizer holds them).
    points:      (steps + 1, ..., d) the iterates; NaN from the step a run diverged at.
    losses:      (steps + 1, ...) f at each point, when the loss is known (else None).
    min_value:   f* of the problem when known (so plots can show f − f*), else None.
    diverged_at: the update that made a run non-finite or explode (int), or None. With several
                 runs (x0 of shape (K, d)) an int array with -1 for the runs that did not diverge.
    """

    optimizer: str
    problem: str
    points: np.ndarray
    losses: np.ndarray | None
    diverged_at: int | np.ndarray | None
    optimizer_name: str = ""
    hyper_parameters: dict = field(default_factory=dict)
    min_value: float | None = None

    @property
    def steps(self) -> int:
        return self.points.shape[0] - 1

    @property
    def final_point(self) -> np.ndarray:
        """The last finite point of each run."""
        return _last_finite(self.points)

    @property
    def final_loss(self):
        return None if self.losses is None else _last_finite(self.losses[..., None])[..., 0]

    def note(self) -> str:
        """'diverged at step k', or '' (a single run)."""
        if isinstance(self.diverged_at, np.ndarray):
            count = int(np.sum(self.diverged_at >= 0))
            return f"{count} of {self.diverged_at.size} runs diverged" if count else ""
        return "" if self.diverged_at is None else f"diverged at step {self.diverged_at}"

    def summary(self) -> str:
        text = f"{self.optimizer} on {self.problem}: "
        if self.diverged_at is not None and not isinstance(self.diverged_at, np.ndarray):
            return text + self.note()
        text += f"{self.steps} steps"
        if self.losses is not None and self.losses.ndim == 1:
            text += f", loss {self.losses[0]:.2g} → {self.final_loss:.2g}"
        note = self.note()
        return text + (f" ({note})" if note else "")


def _last_finite(points: np.ndarray) -> np.ndarray:
    finite = np.all(np.isfinite(points), axis=-1)                     # (steps + 1, ...)
    last = points.shape[0] - 1 - np.argmax(finite[::-1], axis=0)       # the last finite step of each run
    return np.take_along_axis(points, last[None, ..., None], axis=0)[0]


def run(optimizer: Optimizer, problem, x0, steps: int, *, noise: float = 0.0, seed: int = 0,
        loss=None, blowup: float = 1e6) -> Trajectory:
    """Run `optimizer` for `steps` updates from `x0` and record the path.

    problem: a `course_lib.problems.Problem`, or a gradient function ``grad(x)`` (then give
             ``loss=f`` to record losses).
    noise:   standard deviation of Gaussian noise added to every gradient (a stochastic
             gradient), drawn from ``np.random.default_rng(seed)``, so a run is repeatable.
    blowup:  a run whose coordinates exceed this size (or stop being finite) has diverged.
    """
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer must be one of course_lib.optim's optimizers, got {optimizer!r}")
    min_value = None
    if isinstance(problem, Problem):
        grad_fn, loss_fn, name = problem.grad, problem.value, problem.name
        min_value = problem.min_value if np.isfinite(problem.min_value) else None
    elif callable(problem):
        grad_fn, loss_fn, name = problem, loss, getattr(problem, "__name__", "a gradient function")
    else:
        raise ValueError(f"problem must be a Problem or a gradient function, got {problem!r}")
    if isinstance(steps, bool) or int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number ≥ 0, got {steps!r}")
    steps = int(steps)
    x = as_float_array(x0, "x0").astype(float)
    if x.ndim == 0:
        raise ValueError("x0 must be a point: an array of shape (d,), or (K, d) for K runs at once")
    if not np.all(np.isfinite(x)):
        raise ValueError("x0 must be finite")
    rng = np.random.default_rng(seed)
    batch_shape = x.shape[:-1]

    points = np.full((steps + 1, *x.shape), np.nan)
    losses = None if loss_fn is None else np.full((steps + 1, *batch_shape), np.nan)
    diverged_at = np.full(batch_shape, -1)
    alive = np.ones(batch_shape, dtype=bool)
    points[0] = x
    state = optimizer.init(x)
    # Diverging runs overflow; we detect that ourselves below, so numpy need not warn about it.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        if losses is not None:
            losses[0] = loss_fn(x)
        for step in range(1, steps + 1):
            g = np.asarray(grad_fn(x), dtype=float)
            if noise:
                g = g + noise * rng.standard_normal(g.shape)
            x, state = optimizer.update(x, g, state)
            loss_now = None if losses is None else loss_fn(x)
            bad = ~np.all(np.isfinite(x) & (np.abs(x) <= blowup), axis=-1)
            if loss_now is not None:
                bad |= ~np.isfinite(loss_now)
            newly = bad & alive
            diverged_at[newly] = step
            alive &= ~bad
            points[step] = np.where(alive[..., None], x, np.nan)
            if losses is not None:
                losses[step] = np.where(alive, loss_now, np.nan)
            if not alive.any():
                break
    return Trajectory(
        optimizer=repr(optimizer), problem=name, points=points, losses=losses,
        diverged_at=(None if diverged_at < 0 else int(diverged_at)) if diverged_at.ndim == 0 else diverged_at,
        optimizer_name=optimizer.name, hyper_parameters=dict(optimizer.hyper_parameters), min_value=min_value,
    )


@dataclass
class SweepResult:
    """What `sweep` returns: one entry per point of the hyper-parameter grid.

    axes:          name -> the 1-D values swept, in the order given (the grid's axes).
    final_loss:    (n1, n2, ...) f at the last step (NaN where the run diverged).
    steps_to_tol:  (n1, n2, ...) first step with f − f* ≤ tol (NaN where never, or no tol).
    diverged_at:   (n1, n2, ...) the step each run diverged at, −1 where it did not.
    trajectory:    the underlying batched `Trajectory` (its runs flattened in grid order).
    """

    axes: dict
    final_loss: np.ndarray
    steps_to_tol: np.ndarray
    diverged_at: np.ndarray
    trajectory: Trajectory

    @property
    def shape(self) -> tuple:
        return self.final_loss.shape

    def best(self, by: str = "final_loss") -> dict:
        """The grid point with the smallest `by` ('final_loss' or 'steps_to_tol')."""
        values = getattr(self, by)
        if np.all(np.isnan(values)):
            raise ValueError(f"no run of the sweep has a finite {by}")
        index = np.unravel_index(np.nanargmin(values), values.shape)
        return {name: float(axis[i]) for (name, axis), i in zip(self.axes.items(), index)} | {by: float(values[index])}


def sweep(optimizer_class, problem: Problem, x0, steps: int, *, tol: float | None = None,
          noise: float = 0.0, seed: int = 0, **hyper_parameters) -> SweepResult:
    """Run `optimizer_class` at every point of a grid of hyper-parameters, in one vectorized run.

    Each keyword is a hyper-parameter: a 1-D sequence is swept, a number is fixed. The grid has
    one axis per swept name, in the order given, e.g.

        sweep(Momentum, ravine, x0, 200, lr=np.geomspace(1e-3, 1, 40), beta=np.linspace(0, 0.99, 30))

    runs 1 200 heavy-ball optimizers at once and returns arrays of shape (40, 30).
    """
    axes = {name: np.asarray(value, dtype=float) for name, value in hyper_parameters.items() if np.ndim(value) == 1}
    fixed = {name: value for name, value in hyper_parameters.items() if np.ndim(value) == 0}
    bad = [name for name, value in hyper_parameters.items() if np.ndim(value) > 1]
    if bad:
        raise ValueError(f"sweep takes 1-D value lists or single numbers; {', '.join(bad)} has more dimensions")
    grid_shape = tuple(len(values) for values in axes.values())
    count = int(np.prod(grid_shape, dtype=int))
    columns = {name: values.reshape(-1, 1)
               for name, values in zip(axes, _grid_columns(list(axes.values())))}
    optimizer = optimizer_class(**fixed, **columns)
    start = np.broadcast_to(as_float_array(x0, "x0"), (count, problem.dim)).copy()
    path = run(optimizer, problem, start, steps, noise=noise, seed=seed)

    final_loss = path.losses[-1].reshape(grid_shape)
    if tol is None:
        steps_to_tol = np.full(grid_shape, np.nan)
    else:
        reached = (path.losses - problem.min_value) <= tol              # NaN compares as False
        first = np.argmax(reached, axis=0).astype(float)
        first[~reached.any(axis=0)] = np.nan
        steps_to_tol = first.reshape(grid_shape)
    return SweepResult(axes=axes, final_loss=final_loss, steps_to_tol=steps_to_tol,
                       diverged_at=path.diverged_at.reshape(grid_shape), trajectory=path)


def _grid_columns(axes: list) -> list:
    """The coordinates of every grid point, one flat array per axis, in C (row-major) order."""
    if not axes:
        return []
    return [column.ravel() for column in np.meshgrid(*axes, indexing="ij")]



def run_online(optimizer: Optimizer, problem, x0, steps: int) -> Trajectory:
    """Online optimization: at step t the gradient of that step's loss, then a projection.

    `problem` provides ``grad(x, t)`` (t = 1, 2, ...), ``project(x)`` and ``average_loss(x)``,
    like `course_lib.problems.ReddiCounterexample`. Vectorized over leading axes of x0 as `run`.
    """
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer must be one of course_lib.optim's optimizers, got {optimizer!r}")
    x = problem.project(as_float_array(x0, "x0").astype(float))
    points = np.empty((int(steps) + 1, *x.shape))
    points[0] = x
    state = optimizer.init(x)
    for t in range(1, int(steps) + 1):
        x, state = optimizer.update(x, problem.grad(x, t), state)
        x = problem.project(x)
        points[t] = x
    return Trajectory(optimizer=repr(optimizer), problem=problem.name, points=points,
                      losses=problem.average_loss(points[..., 0]) if x.shape[-1:] == (1,) else None,
                      diverged_at=None,
                      optimizer_name=optimizer.name, hyper_parameters=dict(optimizer.hyper_parameters))


def nesterov_lookahead(problem, x0, steps: int, lr: float, beta: float):
    r"""Nesterov's method in its look-ahead form (Sutskever et al., 2013), written out:

    .. math::  v \leftarrow \beta v - \eta \nabla f(\theta + \beta v), \qquad \theta \leftarrow \theta + v

    The gradient is taken at the look-ahead point θ + βv, where momentum is about to carry θ.
    Returns (thetas, lookahead_points), each (steps + 1, d). The look-ahead points are exactly
    the iterates of `course_lib.optim.Nesterov` (the frameworks' form, which needs the gradient
    only at its own iterate): with x = θ + βv and m = −v/η its update is m ← βm + g,
    x ← x − η(g + βm).
    """
    theta = as_float_array(x0, "x0").astype(float)
    v = np.zeros_like(theta)
    thetas, lookaheads = [theta], [theta + beta * v]
    for _ in range(int(steps)):
        v = beta * v - lr * problem.grad(theta + beta * v)
        theta = theta + v
        thetas.append(theta)
        lookaheads.append(theta + beta * v)
    return np.array(thetas), np.array(lookaheads)
