r"""Run an optimizer on a problem, and sweep it over a grid of hyper-parameters.

    >>> from course_lib.optim import Momentum
    >>> from course_lib.problems import Rosenbrock
    >>> from course_lib.run import run
    >>> path = run(Momentum(lr=1e-3, beta=0.9), Rosenbrock(), x0=[-1.5, 2.0], steps=2000)
    >>> print(path.summary())
    Momentum(lr=0.001, beta=0.9, weight_decay=0, ema=False) on Rosenbrock: 2000 steps, loss 12 → 1.4e-08

A run that goes non-finite or explodes stops at that step and says so (``diverged_at``), without
printing numpy's overflow warnings. It has diverged at the first step where a coordinate of θ is
non-finite or larger than ``blowup`` (1e6) in size, or, where the loss is recorded, where f(θ) is
non-finite or has climbed more than ``blowup``² (1e12) times its starting gap above f*:
f(θ) − f* > blowup² · max(f(θ₀) − f*, 1), with f* the problem's minimum value when it is known and
f(θ₀) otherwise. The square matches the rule on θ for a quadratic, where f grows as θ²: a run whose
θ grows a thousandfold and comes back has not diverged. θ alone misses a run whose loss explodes
while θ stays moderate: Adam at lr = 1, β1 = 0.999, β2 = 0 on Rosenbrock sits at |θ| ≈ 1 300 with
f ≈ 2.4e13. When both rules apply, the θ rule's step is reported. Everything is vectorized over leading axes of ``x0``: a start
of shape (K, d) runs K optimizers at once, which is what `sweep` uses.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np

from .optimizer_base import Optimizer, as_float_array, check_fits_in_memory, hyper_parameter, whole_number
from .problems import Problem

__all__ = ["Trajectory", "run", "first_step", "step_sizes", "SweepResult", "sweep", "tuned", "run_online",
           "nesterov_lookahead"]


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

    def steps_to(self, tol: float, relative: bool = False):
        """The first step with f − f* ≤ tol (with `relative`: f − f* ≤ tol · (f(θ₀) − f*)), by
        `first_step`: an int, or None where never reached; with several runs a float array, NaN
        where never. A run that diverged never reaches it after its divergence (its losses are NaN)."""
        if self.losses is None:
            raise ValueError("steps_to needs the losses: run on a Problem, or give run(..., loss=f)")
        if self.min_value is None:
            raise ValueError(f"steps_to measures f − f*, and f* of {self.problem} is not known")
        gap = self.losses - self.min_value
        return first_step(gap <= (tol * gap[0] if relative else tol))       # NaN compares as False


def first_step(condition):
    """The first step (index along axis 0, the step axis) where `condition` holds, for each run.

    Never true: None for a single run (a 1-D condition), NaN in the float array returned for
    several runs (condition of shape (steps + 1, ...)), as in `SweepResult.steps_to_tol`.
    """
    condition = np.asarray(condition, dtype=bool)
    if condition.ndim == 0:
        raise ValueError("first_step takes one condition per step: an array with the steps along axis 0")
    hit = condition.any(axis=0)
    first = np.argmax(condition, axis=0)
    if condition.ndim == 1:
        return int(first) if hit else None
    return np.where(hit, first, np.nan)


def step_sizes(optimizer: Optimizer, gradients, steps: int | None = None) -> np.ndarray:
    """|Δθ| / η of each step `optimizer` takes from θ = 0 when step t's gradient is gradients[t − 1]
    (whatever θ is): how a unit of gradient turns into a step. `gradients` has shape (steps,) for one
    coordinate, or (steps, ...) for θ of shape (...); the result has the shape of `gradients`.
    With `steps`, `gradients` is one gradient (a number, or of θ's shape) given at every step:
    the result is (steps, ...). η is the optimizer's learning rate of that step (a schedule's
    value at t − 1)."""
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer must be one of course_lib.optim's optimizers, got {optimizer!r}")
    gradients = as_float_array(gradients, "gradients").astype(float)
    if steps is not None:
        steps = whole_number("steps", steps)
        gradients = np.broadcast_to(gradients, (steps, *gradients.shape))
    if gradients.ndim == 0 or len(gradients) == 0:
        raise ValueError("gradients must hold one gradient per step, an array of shape (steps,) or (steps, ...); "
                         "or give one gradient and the number of steps: step_sizes(optimizer, g, steps=100)")
    per_step = gradients[:, None] if gradients.ndim == 1 else gradients
    theta = np.zeros(per_step.shape[1:])
    state = optimizer.init(theta)
    sizes = np.empty(per_step.shape)
    for t, g in enumerate(per_step, start=1):
        lr = np.asarray(optimizer.learning_rate(t), dtype=float)
        if np.any(lr == 0):
            raise ValueError(f"the learning rate is 0 at step {t}: a step size relative to it is undefined")
        new_theta, state = optimizer.update(theta, g, state)
        sizes[t - 1] = np.abs(new_theta - theta) / lr
        theta = new_theta
    return sizes.reshape(gradients.shape)


def _one_number(name: str, value, meaning: str) -> float:
    value = hyper_parameter(name, value)
    if np.ndim(value):
        raise ValueError(f"{name} is {meaning}: one number ≥ 0, got an array of shape {np.shape(value)}")
    return value


def _start(x0) -> np.ndarray:
    """x0 as a float64 array of shape (d,) or (K, d), finite."""
    x = as_float_array(x0, "x0").astype(float)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(f"x0 must be a point: an array of shape (d,), or (K, d) for K runs at once; got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x0 must be finite")
    return x


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
             gradient), drawn from ``np.random.default_rng(seed)``, so a run is repeatable. With
             several runs (x0 of shape (K, d)) each run draws its own noise.
    blowup:  a run whose coordinates exceed this size (or whose loss climbs blowup² times its
             starting gap above f*, or that stops being finite) has diverged.
    """
    return _run(optimizer, problem, x0, steps, noise=noise, seed=seed, loss=loss, blowup=blowup,
                same_noise_for_every_run=False)


def _run(optimizer, problem, x0, steps, *, noise, seed, loss, blowup, same_noise_for_every_run: bool) -> Trajectory:
    """`run`; with `same_noise_for_every_run` every run of a batch draws the noise of a single run with
    that seed (what `sweep` needs: each of its rows equals the run of that setting alone)."""
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
    steps = whole_number("steps", steps)
    noise = _one_number("noise", noise, "the standard deviation of the gradient noise")
    blowup = hyper_parameter("blowup", blowup, positive=True)
    x = _start(x0)
    rng = np.random.default_rng(seed)
    batch_shape = x.shape[:-1]

    runs = x.size // x.shape[-1]
    check_fits_in_memory(f"recording {steps} steps of {runs} run(s) in {x.shape[-1]} dimensions",
                         (steps + 1) * runs * (x.shape[-1] + (loss_fn is not None)))
    points = np.full((steps + 1, *x.shape), np.nan)
    losses = None if loss_fn is None else np.full((steps + 1, *batch_shape), np.nan)
    diverged_at = np.full(batch_shape, -1)
    loss_diverged_at = np.full(batch_shape, -1)
    alive = np.ones(batch_shape, dtype=bool)
    points[0] = x
    state = optimizer.init(x)  # checks the hyper-parameters against x's shape: once, for every step
    update = _update_checked_once(optimizer)
    # Diverging runs overflow; we detect that ourselves below, so numpy need not warn about it.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        if losses is not None:
            losses[0] = loss_fn(x)
            reference = losses[0] if min_value is None else min_value      # f*, or f(θ₀) when f* is unknown
            loss_limit = reference + blowup**2 * np.maximum(losses[0] - reference, 1.0)
        for step in range(1, steps + 1):
            g = np.asarray(grad_fn(x), dtype=float)
            if noise:
                g = g + noise * rng.standard_normal(g.shape[-1:] if same_noise_for_every_run else g.shape)
            x, state = update(x, g, state)
            points[step] = x  # from the step a run diverged at, NaN'd below
            if losses is not None:
                losses[step] = loss_now = loss_fn(x)
            # the few operations per step matter (an explorer's move runs hundreds of steps): first, in
            # two or three, whether every run is fine (NaN propagates through max, and fails <=)
            if np.abs(x).max(initial=0.0) <= blowup and (losses is None or _all_below(loss_now, loss_limit)):
                continue
            fine = np.all(np.abs(x) <= blowup, axis=-1)
            if losses is not None:
                fine &= np.isfinite(loss_now)
                below = loss_now <= loss_limit
                if not below.all():
                    climbed = ~below & alive & (loss_diverged_at < 0)
                    loss_diverged_at[climbed] = step
            if not fine.all():
                diverged_at[~fine & alive] = step
                alive &= fine
                if not alive.any():
                    break
    # A run whose θ stayed bounded but whose loss climbed past the limit diverged at that step. (The
    # θ rule, checked first, gives the step when both apply, so that rule's steps stay as they were.)
    if losses is not None:
        late = (diverged_at < 0) & (loss_diverged_at >= 0)
        diverged_at[late] = loss_diverged_at[late]
    # every run is NaN from the step it diverged at
    after = np.arange(steps + 1).reshape(-1, *[1] * len(batch_shape)) >= np.where(diverged_at >= 0, diverged_at, steps + 1)
    points[after] = np.nan
    if losses is not None:
        losses[after] = np.nan
    return Trajectory(
        optimizer=repr(optimizer), problem=name, points=points, losses=losses,
        diverged_at=(None if diverged_at < 0 else int(diverged_at)) if diverged_at.ndim == 0 else diverged_at,
        optimizer_name=optimizer.name, hyper_parameters=dict(optimizer.hyper_parameters), min_value=min_value,
    )


def _all_below(loss, limit) -> bool:
    """Whether every loss is finite and at most its limit: NaN and +inf fail the comparison, −inf is
    excluded. A single run's loss is a number: compared in Python, without numpy's overhead."""
    if not isinstance(loss, np.ndarray) or loss.ndim == 0:
        return -np.inf < loss <= limit
    return bool(np.all((loss <= limit) & (loss > -np.inf)))


def _update_checked_once(optimizer: Optimizer):
    """`optimizer.update` for a loop whose params and state were checked once: x is `_start`'s float64
    array and the state `optimizer.init(x)`'s, and the next x what the last update returned. Only the
    gradient's shape is checked at every step (a gradient function is code of one's own); a wrong one
    goes to the checked `update`, which says what is wrong. An optimizer whose class writes its own
    `update` keeps it."""
    if type(optimizer).update is not Optimizer.update:
        return optimizer.update

    def update(x, g, state):
        if g.shape != x.shape:
            return optimizer.update(x, g, state)
        return optimizer._step({None: x}, {None: g}, state)
    return update


def diverged_at_steps(points: np.ndarray, losses: np.ndarray, reference, blowup: float = 1e6) -> np.ndarray:
    """The step each run diverged at by `run`'s rules (see the module's docstring), −1 where it did
    not: for runs recorded by a loop of one's own, points (steps + 1, ..., d) and losses (steps + 1, ...),
    with `reference` f* (or f(θ₀) where f* is unknown). A run stepped on after it diverged changes
    nothing: only the first such step counts. tests/test_widgets.py checks it against `run`."""
    with np.errstate(over="ignore", invalid="ignore"):
        bad = ~np.all(np.abs(points[1:]) <= blowup, axis=-1) | ~np.isfinite(losses[1:])  # the θ rule first
        climbed = ~(losses[1:] <= reference + blowup**2 * np.maximum(losses[0] - reference, 1.0))
    first_bad = np.where(bad.any(axis=0), bad.argmax(axis=0) + 1, -1)
    first_climb = np.where(climbed.any(axis=0), climbed.argmax(axis=0) + 1, -1)
    return np.where(first_bad >= 0, first_bad, first_climb)


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

    runs 1 200 heavy-ball optimizers at once and returns arrays of shape (40, 30). Each of them
    follows the path its optimizer takes when run alone with `run` (the same noise too, with `seed`).
    """
    if not (isinstance(optimizer_class, type) and issubclass(optimizer_class, Optimizer)):
        raise ValueError(f"sweep takes an optimizer class, e.g. sweep(SGD, ...), got {optimizer_class!r}")
    if not isinstance(problem, Problem):
        raise ValueError(f"sweep runs on a course_lib.problems Problem (it needs f*), got {problem!r}")
    known = inspect.signature(optimizer_class).parameters
    unknown = [name for name in hyper_parameters if name not in known]
    if unknown:
        raise ValueError(f"{optimizer_class.__name__} has no hyper-parameter {', '.join(unknown)}; "
                         f"it has {', '.join(known)}")
    start = _start(x0)
    if start.shape != (problem.dim,):
        raise ValueError(f"x0 must be one start point of shape ({problem.dim},) for {problem.name}, "
                         f"got shape {start.shape}")
    empty = [name for name, value in hyper_parameters.items() if np.ndim(value) == 1 and len(value) == 0]
    if empty:
        raise ValueError(f"{', '.join(empty)}: an empty list of values leaves nothing to sweep")
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
    path = _run(optimizer, problem, np.broadcast_to(start, (count, problem.dim)).copy(), steps, noise=noise,
                seed=seed, loss=None, blowup=1e6, same_noise_for_every_run=True)

    final_loss = path.losses[-1].reshape(grid_shape)
    if tol is None:
        steps_to_tol = np.full(grid_shape, np.nan)
    else:
        steps_to_tol = first_step(path.losses - problem.min_value <= tol).reshape(grid_shape)  # NaN: never
    return SweepResult(axes=axes, final_loss=final_loss, steps_to_tol=steps_to_tol,
                       diverged_at=path.diverged_at.reshape(grid_shape), trajectory=path)


def tuned(optimizer_class, problem: Problem, steps: int, lrs, **fixed) -> Optimizer:
    """`optimizer_class` with the learning rate of `lrs` that ends lowest after `steps` steps from
    `problem.start` (one vectorized `sweep`); `fixed` are its other hyper-parameters.

    A fair comparison gives every optimizer its best learning rate for the same budget (lesson 06).
    """
    best = sweep(optimizer_class, problem, problem.start, steps, lr=lrs, **fixed).best()
    return optimizer_class(lr=best["lr"], **fixed)


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
    if not all(callable(getattr(problem, name, None)) for name in ("grad", "project", "average_loss")):
        raise ValueError(f"run_online needs an online problem with grad(x, t), project(x) and average_loss(x), "
                         f"such as ReddiCounterexample; got {problem!r}")
    steps = whole_number("steps", steps)
    x = problem.project(_start(x0))
    check_fits_in_memory(f"recording {steps} steps", (steps + 1) * x.size)
    points = np.empty((steps + 1, *x.shape))
    points[0] = x
    state = optimizer.init(x)  # checks the hyper-parameters against x's shape: once, for every step
    update = _update_checked_once(optimizer)
    for t in range(1, steps + 1):
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
    if not callable(getattr(problem, "grad", None)):
        raise ValueError(f"problem must have a gradient grad(x), like course_lib.problems' problems; got {problem!r}")
    steps = whole_number("steps", steps)
    lr = _one_number("lr", lr, "the learning rate")
    beta = hyper_parameter("beta", beta, upper=1)
    if np.ndim(beta):
        raise ValueError(f"beta must be one number, got an array of shape {np.shape(beta)}")
    theta = _start(x0)
    check_fits_in_memory(f"recording {steps} steps", 2 * (steps + 1) * theta.size)
    v = np.zeros_like(theta)
    thetas, lookaheads = [theta], [theta + beta * v]
    for _ in range(steps):
        v = beta * v - lr * problem.grad(theta + beta * v)
        theta = theta + v
        thetas.append(theta)
        lookaheads.append(theta + beta * v)
    return np.array(thetas), np.array(lookaheads)
