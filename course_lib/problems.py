r"""Test problems: small functions with a known answer, to watch optimizers on.

Each problem has ``value(x)`` and ``grad(x)``, vectorized over leading axes (x of shape (..., d)
gives values of shape (...) and gradients of shape (..., d)), its known ``minima`` and
``min_value``, and plotting ``bounds``. The 2-D ones also suggest a ``start`` point.

    >>> import numpy as np
    >>> from course_lib.problems import Rosenbrock
    >>> rosenbrock = Rosenbrock()
    >>> rosenbrock.value(np.array([[1.0, 1.0], [0.0, 0.0]]))
    array([0., 1.])
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .optimizer_base import as_float_array, whole_number

__all__ = ["Problem", "Quadratic", "Rosenbrock", "Beale", "Saddle", "Himmelblau", "Rescaled", "ReddiCounterexample"]


class Problem:
    """A differentiable function with known minima. Subclasses write `_value` and `_grad`."""

    name = "problem"
    dim = 2
    minima = np.zeros((1, 2))        # one known minimizer per row
    min_value = 0.0
    bounds = ((-2.0, 2.0), (-2.0, 2.0))  # ((x_min, x_max), (y_min, y_max)) for contour plots
    axis_labels = ("θ₁", "θ₂")           # what the plots write on the axes
    start = np.array([-1.5, 1.5])

    def value(self, x):
        """f(x) for x of shape (..., d)."""
        return self._value(self._check(x))

    def grad(self, x):
        """∇f(x) for x of shape (..., d); the result has the shape of x."""
        return self._grad(self._check(x))

    def gap(self, x):
        """f(x) − f(x*): how far above the minimum value x is."""
        return self.value(x) - self.min_value

    def _check(self, x):
        x = as_float_array(x, "x").astype(float, copy=False)
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(f"{self.name} takes points of {self.dim} coordinates: x must have shape "
                             f"(..., {self.dim}), got {x.shape}")
        return x

    def __repr__(self) -> str:
        return self.name


def _finite(name: str, value) -> float:
    """One finite real number (a setting of a problem, which may be negative)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be one finite number, got {value!r}")
    return float(value)


class Quadratic(Problem):
    r"""f(x) = ½ (x − c)ᵀ A (x − c), A with the given eigenvalues, optionally rotated.

    ``eigenvalues`` sets the dimension d. The axes of the ellipses are the coordinate axes, turned
    by ``angle`` degrees (2-D) or by an orthogonal ``rotation`` matrix (any d): A = R diag(λ) Rᵀ.
    Gradient descent is stable for η < 2/λ_max, fastest at η = 2/(λ_min + λ_max).
    """

    def __init__(self, eigenvalues=(1.0, 10.0), angle: float = 0.0, rotation=None, center=None):
        self.eigenvalues = as_float_array(eigenvalues, "eigenvalues").astype(float).reshape(-1)
        if (np.ndim(eigenvalues) > 1 or self.eigenvalues.size == 0
                or not np.all(np.isfinite(self.eigenvalues))):
            raise ValueError(f"eigenvalues must be a list of finite numbers, got {eigenvalues!r}")
        self.dim = self.eigenvalues.size
        angle = _finite("angle", angle)
        if rotation is None:
            if angle and self.dim != 2:
                raise ValueError("angle rotates a 2-D quadratic; in d dimensions give a rotation matrix")
            a = np.deg2rad(angle)
            rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) if self.dim == 2 else np.eye(self.dim)
        rotation = np.asarray(rotation, dtype=float)
        if rotation.shape != (self.dim, self.dim) or not np.allclose(rotation @ rotation.T, np.eye(self.dim)):
            raise ValueError(f"rotation must be an orthogonal {self.dim}×{self.dim} matrix")
        self.rotation = rotation
        self.hessian = rotation @ np.diag(self.eigenvalues) @ rotation.T
        self.center = np.zeros(self.dim) if center is None else as_float_array(center, "center").astype(float)
        if self.center.shape != (self.dim,) or not np.all(np.isfinite(self.center)):
            raise ValueError(f"center must be a finite point of shape ({self.dim},), got {center!r}")
        self.minima = self.center[None, :] if np.all(self.eigenvalues > 0) else np.empty((0, self.dim))
        self.min_value = 0.0 if np.all(self.eigenvalues >= 0) else -np.inf
        self.name = f"quadratic λ={', '.join(f'{v:g}' for v in self.eigenvalues)}" + (f", {angle:g}°" if angle else "")
        self.bounds = tuple((c - 2.0, c + 2.0) for c in self.center[:2])
        self.start = self.center + np.r_[-1.5, 1.0, np.zeros(max(self.dim - 2, 0))][: self.dim]

    @property
    def condition_number(self) -> float:
        """κ = λ_max / λ_min: how stretched the ellipses are (∞ when λ_min = 0)."""
        if np.any(self.eigenvalues < 0):
            raise ValueError(f"{self.name} is not convex (an eigenvalue is negative): it has no condition number")
        if self.eigenvalues.min() == 0:
            return np.inf
        return float(self.eigenvalues.max() / self.eigenvalues.min())

    def _value(self, x):
        # ½ (x − c)ᵀ A (x − c) as ½ Σ (x − c) ⊙ ∇f: one einsum over three operands takes another path
        # for a batch than for one point (d = 2), so a sweep's loss would differ from its run's
        return 0.5 * np.sum((x - self.center) * self._grad(x), axis=-1)

    def _grad(self, x):
        # A is symmetric, so (x − c) A = (A (x − c))ᵀ. Not `@`: for a batch of points it may take
        # another BLAS path than for one point, so a sweep's row would differ from the single run
        # in the last bit; einsum computes every row the same way.
        return np.einsum("...i,ij->...j", x - self.center, self.hessian)


class Rosenbrock(Problem):
    r"""f(x, y) = (a − x)² + b (y − x²)²: a curved, flat-bottomed valley; minimum (a, a²)."""

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a, self.b = _finite("a", a), _finite("b", b)
        self.name = "Rosenbrock" if (a, b) == (1.0, 100.0) else f"Rosenbrock a={a:g} b={b:g}"
        self.minima = np.array([[self.a, self.a**2]])
        self.bounds = ((-2.0, 2.0), (-1.0, 3.0))
        self.start = np.array([-1.5, 2.0])

    def _value(self, p):
        x, y = p[..., 0], p[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def _grad(self, p):
        x, y = p[..., 0], p[..., 1]
        valley = y - x**2
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * valley, 2 * self.b * valley], axis=-1)


class Beale(Problem):
    r"""f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; minimum (3, 0.5).

    Flat plateaus and steep walls: gradients differ by orders of magnitude across the plane.
    """

    name = "Beale"
    minima = np.array([[3.0, 0.5]])
    bounds = ((-4.5, 4.5), (-4.5, 4.5))
    start = np.array([1.0, 1.5])
    _constants = (1.5, 2.25, 2.625)

    def _terms(self, p):
        x, y = p[..., 0], p[..., 1]
        return x, y, [c - x + x * y**k for k, c in enumerate(self._constants, start=1)]

    def _value(self, p):
        _, _, terms = self._terms(p)
        return sum(term**2 for term in terms)

    def _grad(self, p):
        x, y, terms = self._terms(p)
        d_dx = sum(2 * term * (y**k - 1) for k, term in enumerate(terms, start=1))
        d_dy = sum(2 * term * k * x * y ** (k - 1) for k, term in enumerate(terms, start=1))
        return np.stack([d_dx, d_dy], axis=-1)


class Saddle(Problem):
    r"""f(x, y) = ½x² + ¼y⁴ − ½y²: a saddle point at the origin between two minima (0, ±1).

    Started exactly on the line y = 0, gradient descent walks into the saddle and stays there;
    any push off the line (noise, or a start slightly above it) lets it roll down to a minimum.
    """

    name = "saddle"
    minima = np.array([[0.0, 1.0], [0.0, -1.0]])
    min_value = -0.25
    saddle_points = np.array([[0.0, 0.0]])
    bounds = ((-2.0, 2.0), (-1.6, 1.6))
    start = np.array([-1.8, 1e-3])

    def _value(self, p):
        x, y = p[..., 0], p[..., 1]
        return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2

    def _grad(self, p):
        x, y = p[..., 0], p[..., 1]
        return np.stack([x, y**3 - y], axis=-1)


class Himmelblau(Problem):
    r"""f(x, y) = (x² + y − 11)² + (x + y² − 7)²: four minima of value 0; where you end depends on
    where you start (and on the optimizer)."""

    name = "Himmelblau"
    # (3, 2) exactly; the other three are roots of a quartic, here to 15 digits (gradient < 1e-12)
    minima = np.array([[3.0, 2.0],
                       [-2.805118086952745, 3.131312518250573],
                       [-3.779310253377747, -3.283185991286170],
                       [3.584428340330492, -1.848126526964404]])
    bounds = ((-5.0, 5.0), (-5.0, 5.0))
    start = np.array([0.0, -4.0])

    def _value(self, p):
        x, y = p[..., 0], p[..., 1]
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def _grad(self, p):
        x, y = p[..., 0], p[..., 1]
        first, second = x**2 + y - 11, x + y**2 - 7
        return np.stack([4 * x * first + 2 * second, 2 * first + 4 * y * second], axis=-1)


class Rescaled(Problem):
    r"""f(θ) = c · base(s ⊙ θ): `base` with its loss multiplied by c = `loss_scale` and each coordinate
    θᵢ measured in units sᵢ = `param_scales[i]` times smaller (so the minimum moves to x*/s).

    Lesson 06 uses it twice: a ravine whose second coordinate is 30 times steeper than its first
    (what RMSprop's per-coordinate scaling is for), and a loss times 1000 (which Adam ignores).

        >>> float(Rescaled(Rosenbrock(), loss_scale=1000).value(np.zeros(2)))
        1000.0
    """

    def __init__(self, base: Problem, loss_scale=1.0, param_scales=None, name: str | None = None):
        if not isinstance(base, Problem):
            raise ValueError(f"Rescaled takes a course_lib.problems Problem, got {base!r}")
        self.base, self.dim, self.axis_labels = base, base.dim, base.axis_labels
        self.loss_scale = _finite("loss_scale", loss_scale)
        if self.loss_scale <= 0:
            raise ValueError(f"loss_scale must be positive (a negative one turns minima into maxima), got {loss_scale!r}")
        scales = np.ones(base.dim) if param_scales is None else as_float_array(param_scales, "param_scales")
        if scales.shape != (base.dim,) or not np.all(np.isfinite(scales)) or np.any(scales <= 0):
            raise ValueError(f"param_scales must be {base.dim} positive finite numbers, got {param_scales!r}")
        self.param_scales = scales.astype(float)
        self.minima = base.minima / self.param_scales
        self.min_value = self.loss_scale * base.min_value
        self.bounds = tuple((low / s, high / s) for (low, high), s in zip(base.bounds, self.param_scales))
        self.start = base.start / self.param_scales
        self.name = name or f"{self.loss_scale:g} × {base.name}"

    def _value(self, theta):
        return self.loss_scale * self.base.value(self.param_scales * theta)

    def _grad(self, theta):  # the chain rule: coordinate i's gradient is multiplied by sᵢ
        return self.loss_scale * self.param_scales * self.base.grad(self.param_scales * theta)


class ReddiCounterexample:
    r"""The online problem on which Adam provably fails (Reddi, Kale & Kumar, 2018, Theorem 1).

    At step t the loss is f_t(x) = C·x when t mod 3 = 1, and −x otherwise, for x in [−1, 1]
    (C > 2). Over every three steps the losses add up to (C − 2)·x, so the best point is x = −1.
    Adam with β1 = 0 and β2 = 1/(1 + C²) sees the large gradient C once in three steps and the
    small −1 twice; its √v̂ grows with the C's and shrinks again before the next one, so the two
    −1 steps together move it further than the one C step: it drifts to x = +1, the worst point.
    AMSGrad keeps the largest v̂, so the C step keeps its size, and it converges to −1.

    Not a `Problem`: its gradient depends on the step, and every step is projected back into
    [−1, 1]; use `course_lib.run.run_online`.
    """

    def __init__(self, C: float = 3.0):
        if not (isinstance(C, numbers.Real) and C > 2 and math.isfinite(C)):
            raise ValueError(f"C must be larger than 2 and finite (else +1 is not the worst point), got {C!r}")
        self.C = float(C)
        self.name = f"Reddi et al. online problem, C = {self.C:g}"
        self.best = -1.0
        self.worst = 1.0

    def grad(self, x, t: int):
        """∇f_t(x): C on steps t = 1, 4, 7, ..., otherwise −1 (the same for every x)."""
        t = whole_number("t", t, minimum=1)
        return np.full_like(np.asarray(x, dtype=float), self.C if t % 3 == 1 else -1.0)

    def value(self, x, t: int):
        t = whole_number("t", t, minimum=1)
        return (self.C if t % 3 == 1 else -1.0) * np.asarray(x, dtype=float)

    def average_loss(self, x):
        """The loss per step averaged over a period of three steps, (C − 2)·x / 3."""
        return (self.C - 2) * np.asarray(x, dtype=float) / 3

    def project(self, x):
        """Back into the feasible interval [−1, 1]."""
        return np.clip(x, -1.0, 1.0)
