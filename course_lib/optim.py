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

    .. math::  \theta \leftarrow \theta\,(1 - \eta\lambda), \text{ then the Adam step with } g \text{ unchanged}

    With L2 in Adam (``Adam(weight_decay=λ)``), λθ is added to g and then divided by √v̂ like the
    rest of g; here every weight shrinks by the same factor. For plain SGD the two are the same.
    The paper scales λ by the schedule multiplier; PyTorch (and this class) by the learning rate.

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
