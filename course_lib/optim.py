r"""The optimizers of the course, each written as the equations of its lesson.

Every one is gradient descent plus one or two exponential moving averages (EMAs):

* momentum averages the gradient:            m ← β m + g
* RMSprop averages its square:               v ← β v + (1 − β) g²
* Adam does both and corrects the start-up bias of the averages.

Use (the same for all of them):

    >>> import numpy as np
    >>> from course_lib.optim import Adam
    >>> opt = Adam(lr=0.1)
    >>> params = np.array([1.0, -2.0])
    >>> state = opt.init(params)
    >>> params, state = opt.update(params, np.array([0.5, -3.0]), state)
    >>> params.round(6)          # the first bias-corrected step is lr · sign(g)
    array([ 0.9, -1.9])

Notation: θ params, g gradient, η = ``lr``, β's the EMA memories, m first moment (the average of g),
v second moment (the average of g²), ε = ``eps``, t the step, 1 on the first update. Each rule
gives the same iterates as PyTorch's ``torch.optim`` (its plain for-loop path) to round-off; the
equivalent call is in each docstring. ``lr`` may be a schedule: a function of the step index
(0 for the first update), such as those in `course_lib.schedules`.

The shared machinery (checks, state, dict params, sweeps) is in `optimizer_base.py`.
"""

from __future__ import annotations

import numpy as np

from .optimizer_base import Optimizer, hyper_parameter, power, switch

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "AdaDelta",
           "Adam", "AdamW", "AMSGrad", "Nadam", "ALL_OPTIMIZERS"]


class SGD(Optimizer):
    r"""Plain (stochastic) gradient descent.

    .. math::  \theta \leftarrow \theta - \eta\, g

    PyTorch: ``torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)``.
    """

    def __init__(self, lr=0.01, weight_decay=0.0):
        super().__init__(lr=hyper_parameter("lr", lr, schedule_allowed=True),
                         weight_decay=hyper_parameter("weight_decay", weight_decay))

    def rule(self, theta, g, *, t, lr):
        g = self.l2_gradient(g, theta)
        theta = theta - lr * g
        return theta, {}


class Momentum(Optimizer):
    r"""Gradient descent with (heavy-ball) momentum, Polyak (1964).

    .. math::  m \leftarrow \beta m + g, \qquad \theta \leftarrow \theta - \eta\, m

    m starts at 0, so the first step is a plain gradient step. With ``ema=True`` the average is
    the EMA form many texts use, m ← β m + (1 − β) g: the same iterates as the form above with
    the learning rate η(1 − β), for a constant η.

    PyTorch: ``torch.optim.SGD(params, lr=lr, momentum=beta, weight_decay=weight_decay)``
    (the EMA form has no exact PyTorch equivalent: with ``dampening`` its first buffer is g itself).
    """

    slots = ("m",)

    def __init__(self, lr=0.01, beta=0.9, weight_decay=0.0, ema=False):
        super().__init__(lr=hyper_parameter("lr", lr, schedule_allowed=True),
                         beta=hyper_parameter("beta", beta, upper=1),
                         weight_decay=hyper_parameter("weight_decay", weight_decay),
                         ema=switch("ema", ema))

    def rule(self, theta, g, m, *, t, lr):
        g = self.l2_gradient(g, theta)
        if self.ema:
            m = self.beta * m + (1 - self.beta) * g
        else:
            m = self.beta * m + g
        theta = theta - lr * m
        return theta, {"m": m}


class Nesterov(Optimizer):
    r"""Nesterov's accelerated gradient, in the form the frameworks use (Sutskever et al., 2013).

    .. math::  m \leftarrow \beta m + g, \qquad \theta \leftarrow \theta - \eta\,(g + \beta m)

    The step uses the momentum one step ahead, g + β m, instead of m. This is the look-ahead
    method v ← β v − η ∇f(θ + β v), θ ← θ + v, written in the variable θ' = θ + β v (lesson 04).

    PyTorch: ``torch.optim.SGD(params, lr=lr, momentum=beta, nesterov=True, weight_decay=weight_decay)``.
    """

    slots = ("m",)

    def __init__(self, lr=0.01, beta=0.9, weight_decay=0.0):
        super().__init__(lr=hyper_parameter("lr", lr, schedule_allowed=True),
                         beta=hyper_parameter("beta", beta, upper=1),
                         weight_decay=hyper_parameter("weight_decay", weight_decay))

    def rule(self, theta, g, m, *, t, lr):
        g = self.l2_gradient(g, theta)
        m = self.beta * m + g
        theta = theta - lr * (g + self.beta * m)
        return theta, {"m": m}


class AdaGrad(Optimizer):
    r"""AdaGrad, Duchi, Hazan & Singer (2011): a step size per coordinate.

    .. math::  s \leftarrow s + g^2, \qquad \theta \leftarrow \theta - \eta\, \frac{g}{\sqrt{s} + \varepsilon}

    s only grows, so every coordinate's step shrinks towards zero, as 1/√t for a steady gradient.

    PyTorch: ``torch.optim.Adagrad(params, lr=lr, eps=eps, weight_decay=weight_decay)``
    (``lr_decay=0``, ``initial_accumulator_value=0``; Keras and optax start s at 0.1 instead).
    """

    slots = ("s",)

    def __init__(self, lr=0.01, eps=1e-10, weight_decay=0.0):
        super().__init__(lr=hyper_parameter("lr", lr, schedule_allowed=True),
                         eps=hyper_parameter("eps", eps),
                         weight_decay=hyper_parameter("weight_decay", weight_decay))

    def rule(self, theta, g, s, *, t, lr):
        g = self.l2_gradient(g, theta)
        s = s + g**2
        theta = theta - lr * g / (np.sqrt(s) + self.eps)
        return theta, {"s": s}


class RMSprop(Optimizer):
    r"""RMSprop, Hinton (2012, lecture 6e): AdaGrad with an EMA of g² instead of a sum.

    .. math::  v \leftarrow \beta v + (1-\beta)\, g^2, \qquad
               \theta \leftarrow \theta - \eta\, \frac{g}{\sqrt{v} + \varepsilon}

    PyTorch: ``torch.optim.RMSprop(params, lr=lr, alpha=beta, eps=eps, weight_decay=weight_decay)``
    (PyTorch calls β ``alpha`` and defaults it to 0.99; Keras and optax use 0.9 and put ε inside
    the root).
    """

    slots = ("v",)

    def __init__(self, lr=0.01, beta=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(lr=hyper_parameter("lr", lr, schedule_allowed=True),
                         beta=hyper_parameter("beta", beta, upper=1),
                         eps=hyper_parameter("eps", eps),
                         weight_decay=hyper_parameter("weight_decay", weight_decay))

    def rule(self, theta, g, v, *, t, lr):
        g = self.l2_gradient(g, theta)
        v = self.beta * v + (1 - self.beta) * g**2
        theta = theta - lr * g / (np.sqrt(v) + self.eps)
        return theta, {"v": v}


class AdaDelta(Optimizer):
    r"""AdaDelta, Zeiler (2012): RMSprop whose step is measured in the units of θ.

    .. math::
        v \leftarrow \beta v + (1-\beta)\, g^2, \qquad
        \Delta = \frac{\sqrt{u + \varepsilon}}{\sqrt{v + \varepsilon}}\, g, \qquad
        u \leftarrow \beta u + (1-\beta)\, \Delta^2, \qquad
        \theta \leftarrow \theta - \eta\, \Delta

    u is the EMA of the squared steps. The paper has no learning rate (η = 1); the first step is
    √ε / √((1−β) g² + ε) · g ≈ √(ε/(1−β)) · sign(g), whatever the gradient's scale.

    PyTorch: ``torch.optim.Adadelta(params, lr=lr, rho=beta, eps=eps, weight_decay=weight_decay)``.
    """

    slots = ("v", "u")

    def __init__(self, lr=1.0, beta=0.9, eps=1e-6, weight_decay=0.0):
        super().__init__(lr=hyper_parameter("lr", lr, schedule_allowed=True),
                         beta=hyper_parameter("beta", beta, upper=1),
                         eps=hyper_parameter("eps", eps, positive=True),
                         weight_decay=hyper_parameter("weight_decay", weight_decay))

    def rule(self, theta, g, v, u, *, t, lr):
        g = self.l2_gradient(g, theta)
        v = self.beta * v + (1 - self.beta) * g**2
        delta = np.sqrt(u + self.eps) / np.sqrt(v + self.eps) * g
        u = self.beta * u + (1 - self.beta) * delta**2
        theta = theta - lr * delta
        return theta, {"v": v, "u": u}


class Adam(Optimizer):
    r"""Adam, Kingma & Ba (2015): momentum's average of g and RMSprop's average of g², both
    corrected for starting at zero.

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1)\, g, \qquad
        v \leftarrow \beta_2 v + (1-\beta_2)\, g^2,

        \hat m = \frac{m}{1-\beta_1^t}, \qquad \hat v = \frac{v}{1-\beta_2^t}, \qquad
        \theta \leftarrow \theta - \eta\, \frac{\hat m}{\sqrt{\hat v} + \varepsilon}

    On the first step m̂ = g and v̂ = g², so the step is η · sign(g) (up to ε). With
    ``bias_correction=False`` m̂ = m and v̂ = v: the lesson on why the correction is needed.
    ``weight_decay`` is the L2 penalty, added to g; for decoupled weight decay use `AdamW`.

    PyTorch: ``torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)``.
    Keras uses the paper's "efficient" form, θ ← θ − η √(1−β2ᵗ)/(1−β1ᵗ) · m/(√v + ε̂): the same rule
    with ε = ε̂/√(1 − β2ᵗ), so Keras' ε̂ = 1e-7 acts like ε ≈ 3e-6 here at t = 1 (lesson 09).
    """

    slots = ("m", "v")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, bias_correction=True):
        super().__init__(lr=hyper_parameter("lr", lr, schedule_allowed=True),
                         beta1=hyper_parameter("beta1", beta1, upper=1),
                         beta2=hyper_parameter("beta2", beta2, upper=1),
                         eps=hyper_parameter("eps", eps),
                         weight_decay=hyper_parameter("weight_decay", weight_decay),
                         bias_correction=switch("bias_correction", bias_correction))

    def rule(self, theta, g, m, v, *, t, lr):
        g = self.l2_gradient(g, theta)
        m = self.beta1 * m + (1 - self.beta1) * g
        v = self.beta2 * v + (1 - self.beta2) * g**2
        m_hat, v_hat = self.bias_corrected(m, v, t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return theta, {"m": m, "v": v}

    def bias_corrected(self, m, v, t):
        """m / (1 − β1ᵗ) and v / (1 − β2ᵗ): an EMA started at 0 is too small by the factor 1 − βᵗ."""
        if not self.bias_correction:
            return m, v
        return m / (1 - power(self.beta1, t)), v / (1 - power(self.beta2, t))


class AdamW(Adam):
    r"""AdamW, Loshchilov & Hutter (2019): Adam with decoupled weight decay.

    .. math::  \theta \leftarrow \theta\,(1 - \eta\omega), \text{ then the Adam step with } g \text{ unchanged}

    ω is ``weight_decay`` (the course writes ω for weight decay; λ is always a curvature).
    With L2 in Adam (``Adam(weight_decay=ω)``), ωθ is added to g and then divided by √v̂ like the
    rest of g; here every weight shrinks by the same factor. For plain SGD the two are the same.
    The paper scales ω by the schedule multiplier; PyTorch (and this class) by the learning rate.

    PyTorch: ``torch.optim.AdamW(params, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)``.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
        del self.hyper_parameters["bias_correction"]  # always on in AdamW, so not shown

    def rule(self, theta, g, m, v, *, t, lr):
        theta = theta * (1 - lr * self.weight_decay)
        m = self.beta1 * m + (1 - self.beta1) * g
        v = self.beta2 * v + (1 - self.beta2) * g**2
        m_hat, v_hat = self.bias_corrected(m, v, t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return theta, {"m": m, "v": v}


class AMSGrad(Adam):
    r"""AMSGrad, Reddi, Kale & Kumar (2018): Adam whose denominator never shrinks.

    .. math::  v_{\max} \leftarrow \max(v_{\max}, v), \qquad \hat v = \frac{v_{\max}}{1-\beta_2^t}

    (m, v, m̂ and the step as in Adam.) On the paper's counterexample Adam converges to the worst
    point and AMSGrad to the best (lesson 06).

    PyTorch: ``torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay, amsgrad=True)``.
    """

    slots = ("m", "v", "v_max")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
        del self.hyper_parameters["bias_correction"]  # always on in AMSGrad, so not shown

    def rule(self, theta, g, m, v, v_max, *, t, lr):
        g = self.l2_gradient(g, theta)
        m = self.beta1 * m + (1 - self.beta1) * g
        v = self.beta2 * v + (1 - self.beta2) * g**2
        v_max = np.maximum(v_max, v)
        m_hat, v_hat = self.bias_corrected(m, v_max, t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return theta, {"m": m, "v": v, "v_max": v_max}


class Nadam(Optimizer):
    r"""Nadam, Dozat (2016): Adam with Nesterov's look-ahead on the first moment.

    .. math::
        \mu_t = \beta_1\bigl(1 - \tfrac12\, 0.96^{t\psi}\bigr), \qquad \Pi_t = \Pi_{t-1}\,\mu_t,

        m, v \text{ as in Adam}, \qquad \hat v = \frac{v}{1-\beta_2^t}, \qquad
        \theta \leftarrow \theta - \eta\,\frac{1-\mu_t}{1-\Pi_t}\,\frac{g}{\sqrt{\hat v}+\varepsilon}
                                 - \eta\,\frac{\mu_{t+1}}{1-\Pi_t\,\mu_{t+1}}\,\frac{m}{\sqrt{\hat v}+\varepsilon}

    μ_t is a momentum coefficient that warms up from β1/2 towards β1 (ψ = ``momentum_decay``);
    the step mixes the current gradient and the momentum of the next step, each bias-corrected.

    PyTorch: ``torch.optim.NAdam(params, lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay,
    momentum_decay=momentum_decay)``. PyTorch keeps Π_t in its default dtype, float32 unless
    ``torch.set_default_dtype(torch.float64)``, so even with float64 params its step sizes carry
    float32 round-off (relative differences ~1e-9 from this rule).
    """

    slots = ("m", "v", "mu_product")

    def __init__(self, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, momentum_decay=0.004):
        super().__init__(lr=hyper_parameter("lr", lr, schedule_allowed=True),
                         beta1=hyper_parameter("beta1", beta1, upper=1),
                         beta2=hyper_parameter("beta2", beta2, upper=1),
                         eps=hyper_parameter("eps", eps),
                         weight_decay=hyper_parameter("weight_decay", weight_decay),
                         momentum_decay=hyper_parameter("momentum_decay", momentum_decay))

    def initial_slot(self, slot, theta):
        if slot == "mu_product":  # Π_0 = 1, one number per setting of the hyper-parameters
            return np.ones(np.broadcast_shapes(np.shape(self.beta1), np.shape(self.momentum_decay)))
        return np.zeros_like(theta)

    def mu(self, t):
        """The momentum coefficient of step t."""
        return self.beta1 * (1 - 0.5 * power(0.96, t * self.momentum_decay))

    def rule(self, theta, g, m, v, mu_product, *, t, lr):
        g = self.l2_gradient(g, theta)
        mu_t, mu_next = self.mu(t), self.mu(t + 1)
        mu_product = mu_product * mu_t
        m = self.beta1 * m + (1 - self.beta1) * g
        v = self.beta2 * v + (1 - self.beta2) * g**2
        v_hat = v / (1 - power(self.beta2, t))
        denominator = np.sqrt(v_hat) + self.eps
        theta = (theta
                 - lr * (1 - mu_t) / (1 - mu_product) * g / denominator
                 - lr * mu_next / (1 - mu_product * mu_next) * m / denominator)
        return theta, {"m": m, "v": v, "mu_product": mu_product}


ALL_OPTIMIZERS = (SGD, Momentum, Nesterov, AdaGrad, RMSprop, AdaDelta, Adam, AdamW, AMSGrad, Nadam)


# ================================================================================================
# After Adam (lesson 10): what practice adopted from 2023 on. Same contract as the classes above.
# ================================================================================================

def _sweep_axes(optimizer: Optimizer, theta: np.ndarray) -> tuple:
    """The axes that belong to ONE optimizer: all of them, or all but the first in a sweep.

    Rules that look at a whole array (a norm, a matrix) must know which axes are one setting's
    params. In a sweep (some hyper-parameter, or the schedule's rate, is an array) the first axis
    indexes the K settings, so norms and matrices are taken row by row.
    """
    values = [value(0) if callable(value) else value for value in optimizer.hyper_parameters.values()]
    sweeping = any(isinstance(value, np.ndarray) for value in values)
    return tuple(range(1 if sweeping else 0, theta.ndim))


def _rms(array: np.ndarray, axes: tuple) -> np.ndarray:
    """Root mean square over `axes` (kept as length-1 axes, so that it broadcasts back): ‖a‖ / √n."""
    count = int(np.prod([array.shape[axis] for axis in axes]))
    return np.sqrt(np.sum(array * array, axis=axes, keepdims=True)) / np.sqrt(count)


class Lion(Optimizer):
    r"""Lion, Chen et al. (2023), "Symbolic Discovery of Optimization Algorithms": the sign of an
    interpolation between the momentum and the gradient.

    .. math::
        u = \mathrm{sign}\bigl(\beta_1 m + (1-\beta_1)\, g\bigr), \qquad
        \theta \leftarrow \theta - \eta\,(u + \omega\theta), \qquad
        m \leftarrow \beta_2 m + (1-\beta_2)\, g

    Every coordinate moves by exactly ±η (0 where the interpolation is exactly 0), so the step
    has norm η√d for d coordinates, whatever the gradient's scale: like Adam's first step, at
    every step. m is updated after the step, with another memory (β2 > β1): the step sees a
    shorter average than the one that is kept.

    Reference: ``lion_pytorch.Lion(params, lr=lr, betas=(beta1, beta2), weight_decay=weight_decay)``
    (PyPI ``lion-pytorch``; its weight decay θ ← θ(1 − ηω) is the ωθ above), and
    ``optax.lion(learning_rate=lr, b1=beta1, b2=beta2, weight_decay=weight_decay)``. The paper's
    learning rates are 3-10× smaller than AdamW's and its ω 3-10× larger, for the same ηω.
    """

    slots = ("m",)

    def __init__(self, lr=1e-4, beta1=0.9, beta2=0.99, weight_decay=0.0):
        super().__init__(lr=hyper_parameter("lr", lr, schedule_allowed=True),
                         beta1=hyper_parameter("beta1", beta1, upper=1),
                         beta2=hyper_parameter("beta2", beta2, upper=1),
                         weight_decay=hyper_parameter("weight_decay", weight_decay))

    def rule(self, theta, g, m, *, t, lr):
        u = np.sign(self.beta1 * m + (1 - self.beta1) * g)
        theta = theta - lr * (u + self.weight_decay * theta)
        m = self.beta2 * m + (1 - self.beta2) * g
        return theta, {"m": m}


NEWTON_SCHULZ_COEFFICIENTS = (3.4445, -4.775, 2.0315)  # Jordan et al. (2024), torch.optim.Muon's defaults


def newton_schulz(G, steps: int = 5, eps: float = 1e-7, coefficients=NEWTON_SCHULZ_COEFFICIENTS):
    r"""Orthogonalize a matrix (or each matrix of a stack, the last two axes): G = U S Vᵀ → ≈ U Vᵀ.

    .. math::
        X_0 = G / \max(\lVert G\rVert_F, \varepsilon), \qquad
        A = X X^\top, \qquad X \leftarrow a X + (b A + c A^2)\, X

    Each iteration maps every singular value σ of X to p(σ) = aσ + bσ³ + cσ⁵ and leaves U and V
    alone. Dividing by the Frobenius norm puts every σ in (0, 1]; the coefficients
    (3.4445, −4.775, 2.0315) make p steep at 0 (slope a = 3.4445), so small singular values grow
    fast, at the price of ending in a band around 1 (about 0.7 to 1.2) rather than at 1 exactly.
    A tall matrix is transposed first, so that A is the smaller of the two Gram matrices.

    torch.optim.Muon runs this in bfloat16 (8 bits of mantissa): the result is a direction whose
    singular values only need to be near 1, and bfloat16 matrix products are fast on GPUs. Here it
    runs in the dtype of G (float64 in the reference tests).
    """
    G = np.asarray(G)
    if G.ndim < 2:
        raise ValueError(f"Newton–Schulz orthogonalizes matrices; got an array of shape {G.shape}")
    if G.ndim > 2:  # a stack of matrices, one at a time: each gives exactly what it gives alone
        out = np.empty_like(G, dtype=np.result_type(G, 1.0))
        for index in np.ndindex(G.shape[:-2]):
            out[index] = newton_schulz(G[index], steps, eps, coefficients)
        return out
    a, b, c = coefficients
    tall = G.shape[0] > G.shape[1]
    X = G.T if tall else G
    X = X / max(float(np.linalg.norm(X)), eps)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if tall else X


class Muon(Optimizer):
    r"""Muon, Jordan et al. (2024), "Muon: an optimizer for hidden layers in neural networks":
    momentum, then the update matrix orthogonalized, for the weight matrices of a network.

    .. math::
        m \leftarrow \beta m + (1-\beta)\, g, \qquad
        u = (1-\beta)\, g + \beta m \ \text{(Nesterov; } u = m \text{ without)}, \qquad
        O = \mathrm{NS}_5(u) \approx U V^\top \ \text{for}\ u = U S V^\top,

        \theta \leftarrow \theta\,(1 - \eta\omega) - \eta\, s\, O

    O keeps the singular directions of the momentum and sets every singular value to ≈ 1: the
    step moves the matrix by the same amount in every direction, rare ones included (lesson 10).
    s scales the step for the shape (A, B) of the matrix (``adjust_lr``):
    None or "original": s = √max(1, A/B) (Jordan's code); "match_rms_adamw": s = 0.2 √max(A, B)
    (Moonshot, Liu et al. 2025: the update's RMS then matches AdamW's, so AdamW's lr and ω carry
    over). The weight decay uses η, not η s.

    Only for matrices: biases, gains and embeddings (vectors, or tables looked up row by row) are
    trained with AdamW, as in the papers. Params of shape (K, A, B) are a sweep of K matrices,
    with the hyper-parameters of shape (K, 1, 1).

    Reference: ``torch.optim.Muon(params, lr=lr, weight_decay=weight_decay, momentum=beta,
    nesterov=nesterov, ns_steps=ns_steps, adjust_lr_fn=adjust_lr)``. Differences: torch casts the
    matrix to bfloat16 for Newton–Schulz (`newton_schulz` keeps the params' dtype), so torch agrees
    with this rule only to bfloat16 precision, ~1e-2 relative; with that cast removed, to round-off.
    Torch's docstring writes m ← βm + g, its code (and this rule) the average m ← βm + (1−β)g; the
    normalization in NS makes the two the same up to ε.
    """

    slots = ("m",)
    ADJUST_LR = (None, "original", "match_rms_adamw")

    def __init__(self, lr=1e-3, beta=0.95, nesterov=True, weight_decay=0.1, ns_steps=5, adjust_lr=None):
        if adjust_lr not in self.ADJUST_LR:
            raise ValueError(f"adjust_lr must be one of {self.ADJUST_LR}, got {adjust_lr!r}")
        if isinstance(ns_steps, bool) or not isinstance(ns_steps, (int, np.integer)) or not 1 <= ns_steps < 100:
            raise ValueError(f"ns_steps must be a whole number from 1 to 99, got {ns_steps!r}: "
                             "5 Newton–Schulz steps already bring every singular value near 1")
        super().__init__(lr=hyper_parameter("lr", lr, schedule_allowed=True),
                         beta=hyper_parameter("beta", beta, upper=1),
                         nesterov=switch("nesterov", nesterov),
                         weight_decay=hyper_parameter("weight_decay", weight_decay),
                         ns_steps=int(ns_steps), adjust_lr=adjust_lr)

    def init(self, params):
        for key, theta in (params.items() if isinstance(params, dict) else [(None, params)]):
            self._check_matrix(np.asarray(theta), key)
        return super().init(params)

    def _check_matrix(self, theta, key) -> None:
        name = "params" if key is None else f"params[{key!r}]"
        if theta.ndim < 2:
            raise ValueError(f"Muon trains matrices only, but {name} has shape {theta.shape}: train biases, "
                             "gains and other vectors with AdamW (give Muon the weight matrices only)")
        if theta.ndim > 2 and len(_sweep_axes(self, theta)) != 2:
            raise ValueError(f"{name} has shape {theta.shape}: Muon takes one matrix (A, B), or a sweep of K "
                             "matrices (K, A, B) with hyper-parameters of shape (K, 1, 1); reshape a "
                             "convolution kernel to a matrix first")

    def lr_scale(self, shape) -> float:
        """s: the factor on η for a matrix of shape (A, B), as `adjust_lr` says."""
        A, B = shape[-2:]
        if self.adjust_lr == "match_rms_adamw":
            return 0.2 * np.sqrt(max(A, B))
        return np.sqrt(max(1.0, A / B))

    def rule(self, theta, g, m, *, t, lr):
        self._check_matrix(theta, None)
        m = self.beta * m + (1 - self.beta) * g
        u = (1 - self.beta) * g + self.beta * m if self.nesterov else m
        O = newton_schulz(u, self.ns_steps)
        theta = theta * (1 - lr * self.weight_decay) - lr * self.lr_scale(theta.shape) * O
        return theta, {"m": m}


class Adafactor(Optimizer):
    r"""Adafactor, Shazeer & Stern (2018), in PyTorch's variant: Adam's v for a matrix stored as
    its row and column averages, a step relative to the size of the params, and update clipping.

    For a matrix param (A × B), with β̂₂ₜ = 1 − t^c (c = ``beta2_decay``):

    .. math::
        r \leftarrow \hat\beta_{2t}\, r + (1-\hat\beta_{2t})\, \mathrm{mean}_{\text{row}}(g^2), \qquad
        c \leftarrow \hat\beta_{2t}\, c + (1-\hat\beta_{2t})\, \mathrm{mean}_{\text{col}}(g^2), \qquad
        \hat v = \frac{r\, c}{\max(\mathrm{mean}(r), \varepsilon_1)},

        U = \frac{g}{\sqrt{\max(\hat v, \varepsilon_1^2)}}, \qquad
        \alpha = \max(\varepsilon_2, \mathrm{RMS}(\theta)) \min(\eta, 1/\sqrt t), \qquad
        \theta \leftarrow \theta(1 - \eta\omega) - \frac{\alpha\, U}{\max(1, \mathrm{RMS}(U)/d)}

    r (A numbers) and c (B numbers) replace Adam's v (A·B numbers): v̂ = r c / mean(r) is the
    rank-one matrix with those row and column averages. A vector keeps a full v (in the state's
    ``"v_row"``; its ``"v_col"`` is an unused zero). An array with more axes is a stack of
    matrices (the last two axes), as in torch. The step α is relative: η times the RMS of θ
    (at least ε₂), so a layer of large weights takes larger steps. There is no first moment.

    Reference: ``torch.optim.Adafactor(params, lr=lr, beta2_decay=beta2_decay, eps=(eps1, eps2),
    d=d, weight_decay=weight_decay)``; ε₁ = None means the machine epsilon of the params' dtype.
    Differences from the paper: torch (and this class) take min(η, 1/√t) as the relative step
    instead of min(10⁻², 1/√t), use no first moment, and divide by max(mean(r), ε₁).
    """

    slots = ("v_row", "v_col")

    def __init__(self, lr=1e-2, beta2_decay=-0.8, eps1=None, eps2=1e-3, d=1.0, weight_decay=0.0):
        super().__init__(lr=hyper_parameter("lr", lr, schedule_allowed=True),
                         beta2_decay=self._at_most_zero("beta2_decay", beta2_decay),
                         eps1=None if eps1 is None else hyper_parameter("eps1", eps1),
                         eps2=hyper_parameter("eps2", eps2),
                         d=hyper_parameter("d", d, positive=True),
                         weight_decay=hyper_parameter("weight_decay", weight_decay))
        if np.any(np.asarray(self.d) < 1):
            raise ValueError(f"d must be ≥ 1, got {d!r}: an update is clipped to RMS d, and d < 1 would "
                             "clip every update")

    @staticmethod
    def _at_most_zero(name, value):
        """c in β̂₂ₜ = 1 − t^c: β̂₂ₜ grows towards 1 only for c ≤ 0 (c = 0: no memory, β̂₂ₜ = 0)."""
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating, np.ndarray)):
            raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}")
        array = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(array) & (array <= 0)):
            raise ValueError(f"{name} must be finite and ≤ 0, got {value!r}: 1 − t^{name} must grow "
                             "towards 1 (−0.8 is the paper's choice)")
        return float(array) if array.ndim == 0 else array

    def _factored(self, theta) -> bool:
        return len(_sweep_axes(self, theta)) >= 2

    def initial_slot(self, slot, theta):
        if not self._factored(theta):  # a vector: the full v, and an unused zero for v_col
            return np.zeros_like(theta) if slot == "v_row" else np.zeros((1,) * theta.ndim, theta.dtype)
        shape = list(theta.shape)
        shape[-1 if slot == "v_row" else -2] = 1
        return np.zeros(shape, theta.dtype)

    def memory(self, shape) -> int:
        """How many floats the state keeps for params of this shape (Adam keeps 2 × their size)."""
        if len(shape) < 2:
            return int(np.prod(shape))
        return int(np.prod(shape[:-2])) * (shape[-2] + shape[-1])

    def rule(self, theta, g, v_row, v_col, *, t, lr):
        axes = _sweep_axes(self, theta)
        eps1 = np.finfo(theta.dtype).eps if self.eps1 is None else self.eps1
        beta2_t = 1 - power(float(t), self.beta2_decay)   # β̂₂ₜ: 0 at t = 1, towards 1
        relative_step = np.minimum(lr, 1 / np.sqrt(t))
        alpha = np.maximum(self.eps2, _rms(theta, axes)) * relative_step
        theta = theta * (1 - lr * self.weight_decay)
        if len(axes) >= 2:
            v_row = beta2_t * v_row + (1 - beta2_t) * np.mean(g * g, axis=-1, keepdims=True)
            v_col = beta2_t * v_col + (1 - beta2_t) * np.mean(g * g, axis=-2, keepdims=True)
            v_hat = v_row * v_col / np.maximum(np.mean(v_row, axis=-2, keepdims=True), eps1)
        else:
            v_row = beta2_t * v_row + (1 - beta2_t) * g * g
            v_hat = v_row
        U = g / np.sqrt(np.maximum(v_hat, eps1 * eps1))
        theta = theta - alpha * U / np.maximum(1.0, _rms(U, axes) / self.d)
        return theta, {"v_row": v_row, "v_col": v_col}


def _check_no_schedule(lr, name: str):
    if callable(lr):
        raise ValueError(f"{name} replaces the learning-rate schedule: give lr as a number (and warmup_steps "
                         "for a warmup); its averaging does what a decay would")
    return hyper_parameter("lr", lr)


def _whole(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a whole number ≥ 0, got {value!r}")
    return int(value)


class _ScheduleFree(Optimizer):
    """What the two Schedule-Free rules share: the warmup and the averaging weight c_t."""

    def initial_slot(self, slot, theta):
        return theta.copy() if slot in ("z", "x") else np.zeros_like(theta)  # z₀ = x₀ = y₀ = θ₀

    def warmed_up_lr(self, t: int):
        """η_t = η · min(1, t / warmup_steps): the linear warmup, the only schedule there is."""
        if self.warmup_steps == 0:
            return self.lr
        return self.lr * min(1.0, t / self.warmup_steps)

    def averaging_weight(self, t: int) -> float:
        r"""c_t = η_t² / Σ_{i≤t} η_i²: x is the average of z₁ … z_t weighted by η_i² (1/t without warmup).

        The reference keeps the running sum; its closed form is used here (η cancels):
        with s_i = min(1, i/w), Σ_{i≤t} s_i² = t(t+1)(2t+1)/(6w²) while t ≤ w, then + (t − w).
        """
        w = self.warmup_steps
        if w == 0:
            return 1.0 / t
        ramp = min(t, w)
        total = ramp * (ramp + 1) * (2 * ramp + 1) / (6 * w * w) + max(0, t - w)
        return min(1.0, t / w) ** 2 / total


class ScheduleFreeSGD(_ScheduleFree):
    r"""Schedule-Free SGD, Defazio et al. (2024), "The Road Less Scheduled".

    .. math::
        z \leftarrow z - \eta_t\,(g + \omega y), \qquad
        x \leftarrow (1 - c_t)\, x + c_t\, z, \qquad
        y \leftarrow (1-\beta)\, z + \beta\, x

    g is the gradient at y, the point `update` returns (the params). z takes plain SGD steps;
    x is the running average of the z's (c_t = 1/t): the point to evaluate and to report, in
    ``state["x"]``; y interpolates between them and plays momentum's role. The average does
    what a decaying schedule would, so η stays constant (after an optional linear warmup, η_t).

    Reference: ``schedulefree.SGDScheduleFreeReference(params, lr=lr, momentum=beta,
    weight_decay=weight_decay, warmup_steps=warmup_steps, r=0, weight_lr_power=2)``; its params
    are y and ``optimizer.eval()`` swaps x in. The averaging weights are η_t², in closed form here.
    """

    slots = ("z", "x")

    def __init__(self, lr=1.0, beta=0.9, weight_decay=0.0, warmup_steps=0):
        super().__init__(lr=_check_no_schedule(lr, "Schedule-Free SGD"),
                         beta=hyper_parameter("beta", beta, upper=1),
                         weight_decay=hyper_parameter("weight_decay", weight_decay),
                         warmup_steps=_whole("warmup_steps", warmup_steps))

    def rule(self, theta, g, z, x, *, t, lr):
        y, lr, c = theta, self.warmed_up_lr(t), self.averaging_weight(t)
        z = z - lr * (g + self.weight_decay * y)
        x = (1 - c) * x + c * z
        y = (1 - self.beta) * z + self.beta * x
        return y, {"z": z, "x": x}


class ScheduleFreeAdamW(_ScheduleFree):
    r"""Schedule-Free AdamW, Defazio et al. (2024): Schedule-Free SGD whose z step is divided by
    Adam's √v̂; winner of AlgoPerf's self-tuning track (2024).

    .. math::
        v \leftarrow \beta_2 v + (1-\beta_2)\, g^2, \qquad
        z \leftarrow z - \eta_t \omega y - \eta_t\, \frac{g}{\sqrt{v / (1-\beta_2^t)} + \varepsilon},

        x \leftarrow (1 - c_t)\, x + c_t\, z, \qquad
        y \leftarrow (1-\beta_1)\, z + \beta_1\, x

    As in `ScheduleFreeSGD`: g is the gradient at y (the params `update` returns), x the average
    of the z's to evaluate (``state["x"]``). There is no first moment m: β1 sets the interpolation.

    Reference: ``schedulefree.AdamWScheduleFreeReference(params, lr=lr, betas=(beta1, beta2),
    eps=eps, weight_decay=weight_decay, warmup_steps=warmup_steps, r=0, weight_lr_power=2)``.
    """

    slots = ("z", "x", "v")

    def __init__(self, lr=0.0025, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, warmup_steps=0):
        super().__init__(lr=_check_no_schedule(lr, "Schedule-Free AdamW"),
                         beta1=hyper_parameter("beta1", beta1, upper=1),
                         beta2=hyper_parameter("beta2", beta2, upper=1),
                         eps=hyper_parameter("eps", eps),
                         weight_decay=hyper_parameter("weight_decay", weight_decay),
                         warmup_steps=_whole("warmup_steps", warmup_steps))

    def rule(self, theta, g, z, x, v, *, t, lr):
        y, lr, c = theta, self.warmed_up_lr(t), self.averaging_weight(t)
        v = self.beta2 * v + (1 - self.beta2) * g**2
        z = z - lr * self.weight_decay * y - lr * g / (np.sqrt(v / (1 - power(self.beta2, t))) + self.eps)
        x = (1 - c) * x + c * z
        y = (1 - self.beta1) * z + self.beta1 * x
        return y, {"z": z, "x": x, "v": v}


AFTER_ADAM = (Lion, Muon, Adafactor, ScheduleFreeSGD, ScheduleFreeAdamW)
__all__ += ["Lion", "Muon", "Adafactor", "ScheduleFreeSGD", "ScheduleFreeAdamW", "AFTER_ADAM",
            "newton_schulz", "NEWTON_SCHULZ_COEFFICIENTS"]
