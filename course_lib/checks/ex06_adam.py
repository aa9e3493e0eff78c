"""The checks of exercise 06: Adam and AdamW.

The checkers of adam_step, train_adam, adamw_step, adam_l2_step. Each is listed in `CHECKERS` by
`@checker`, and `course_lib.checks` re-exports it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..optim import Adam, AdamW
from ..problems import Quadratic, Rosenbrock
from .machinery import Case, Mistake, _k_runs, _named, _one_update, checker, compare

_HIDDEN_ADAM = [(Adam, "rule", "Adam"), (AdamW, "rule", "AdamW")]

EXERCISE = "06"
TASKS = {"adam_step": 1, "train_adam": 2, "adamw_step": 3, "adam_l2_step": 3}  # the task of each checked function, for the messages


def _adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    """The reference: update number t of course_lib's Adam from the averages m, v."""
    return _one_update(Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps), theta, g, t, m=m, v=v)


def _adamw_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """The reference: update number t of course_lib's AdamW (decoupled weight decay)."""
    optimizer = AdamW(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
    return _one_update(optimizer, theta, g, t, m=m, v=v)


def _adam_l2_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """The reference: update number t of course_lib's Adam with weight_decay, the L2 penalty added to g."""
    optimizer = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
    return _one_update(optimizer, theta, g, t, m=m, v=v)


def _adam_variant(*, add1=None, add2=None, swapped=False, square=True, correct=(True, True), shift=0,
                  eps="outside", keras=False, return_hats=False, sign=-1.0, amsgrad=False, fixed_eps=None,
                  fixed_betas=None, correct_until=None):
    """What an Adam step with one mistake returns; the keywords name the mistake."""
    def step(theta, g, m, v, t, lr, beta1, beta2, eps_):
        if fixed_eps is not None:
            eps_ = fixed_eps
        if fixed_betas is not None:
            beta1, beta2 = fixed_betas
        b1, b2 = (beta2, beta1) if swapped else (beta1, beta2)
        old_v = v
        m = b1 * m + ((1 - b1) if add1 is None else add1) * g
        v = b2 * v + ((1 - b2) if add2 is None else add2) * (g**2 if square else g)
        if amsgrad:
            v = np.maximum(old_v, v)
        k = t + shift
        corrected = correct if correct_until is None or t <= correct_until else (False, False)
        m_hat = m / (1 - b1**k) if corrected[0] else m
        v_hat = v / (1 - b2**k) if corrected[1] else v
        if keras:
            change = lr * np.sqrt(1 - b2**k) / (1 - b1**k) * m / (np.sqrt(v) + eps_)
        else:
            denominator = {"outside": np.sqrt(v_hat) + eps_, "inside": np.sqrt(v_hat + eps_),
                           "missing": np.sqrt(v_hat), "no root": v_hat + eps_}[eps]
            change = lr * m_hat / denominator
        return (theta + sign * change, *((m_hat, v_hat) if return_hats else (m, v)))
    return step


_WRONG_ADAM_T = {
    -1: "off by one: t is the number of this update, 1 on the first. With t − 1 the first correction divides by "
        "1 − β⁰ = 0 (NaN or inf).",
    1: "off by one: t is the number of this update, 1 on the first (the first step must be η·sign(g)), not t + 1.",
}


def _adam_cases(extra: dict | None = None, zero_hint: str = "") -> list:
    """The cases of an Adam step; `extra` adds arguments (weight decay) to every case, K runs get arrays."""
    rng = np.random.default_rng(10)
    extra = extra or {}
    defaults = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

    def args(theta, g, m, v, t, runs=False, **overrides):
        values = {"theta": theta, "g": g, "m": m, "v": v, "t": t, **defaults, **overrides}
        for name, value in extra.items():
            values[name] = value[runs] if isinstance(value, tuple) else value
        return values

    return [
        Case("step t = 3", args(np.array([1.0, -2.0]), np.array([0.5, -3.0]), np.array([0.1, -0.2]),
                                np.array([0.01, 0.5]), 3)),
        Case("t = 1, from m = v = 0", args(np.array([1.0, -2.0]), np.array([2.0, -300.0]), np.zeros(2), np.zeros(2), 1),
             hint="at t = 1, m̂ = g and v̂ = g², so the first step is η·g/(|g| + ε) ≈ η·sign(g) in every "
                  "coordinate, whatever the size of g."),
        Case("β1 = 0", args(np.array([0.3, 0.7]), np.array([-1.0, 2.0]), np.array([5.0, 5.0]), np.array([1.0, 2.0]), 4,
                            beta1=0.0),
             hint="with β1 = 0, m = g (nothing of the old m is kept): Adam is RMSprop with bias correction."),
        Case("zero gradients, m = v = 0", args(np.array([0.5, -0.5]), np.zeros(2), np.zeros(2), np.zeros(2), 1),
             hint=zero_hint or "a zero gradient from m = v = 0: m̂ = v̂ = 0 and the step is 0/(0 + ε) = 0."),
        Case("a tiny gradient, where ε matters", args(np.array([1.0, 1.0]), np.array([1e-7, -2e-7]), np.zeros(2),
                                                      np.zeros(2), 1, lr=0.001)),
        Case("ε = 1e-4, β1 = 0.8, β2 = 0.99", args(np.array([0.2, -0.4]), np.array([3e-4, -1e-3]), np.array([1e-4, 0.0]),
                                                   np.array([2e-8, 1e-7]), 7, beta1=0.8, beta2=0.99, eps=1e-4),
             hint="use the eps, beta1 and beta2 you are given, not the defaults 1e-8, 0.9, 0.999."),
        Case("a late step, t = 1000", args(np.array([1.0, -1.0]), np.array([0.2, 0.1]), np.array([0.1, 0.2]),
                                           np.array([0.04, 0.01]), 1000)),
        Case("a very late step, t = 5000, β2 = 0.9999",
             args(np.array([0.7, -0.3]), np.array([0.05, -0.2]), np.array([0.04, -0.1]), np.array([0.002, 0.03]),
                  5000, beta2=0.9999),
             hint="correct at every step: with β2 = 0.9999, 1 − β2ᵗ is still only 0.39 at t = 5000."),
        Case("shrinking gradients, v larger than g²", args(np.array([0.5, -1.5]), np.array([0.01, -0.02]),
                                                           np.array([0.3, -0.5]), np.array([4.0, 9.0]), 20)),
        Case("K = 3 runs, shape (3, 2)", args(_k_runs(rng), _k_runs(rng), _k_runs(rng) / 10,
                                              _k_runs(rng, positive=True) / 10, 5, runs=True,
                                              lr=np.array([[0.1], [0.01], [0.001]]),
                                              beta1=np.array([[0.9], [0.5], [0.0]]),
                                              beta2=np.array([[0.9], [0.99], [0.999]]),
                                              eps=np.array([[1e-8], [1e-3], [0.1]])),
             hint="row k is its own run with its own hyper-parameters, each of shape (3, 1); numpy's element-wise "
                  "arithmetic broadcasts (3, 1) against (3, 2) by itself (no float(...), no math.sqrt)."),
        Case("integer θ, g, m and v", args(np.array([2, -1]), np.array([3, -1]), np.array([1, 0]), np.array([4, 1]), 2),
             hint="with integers in, θ, m and v get fractions: compute new arrays, don't fill arrays made like the "
                  "integer inputs (np.zeros_like(theta))."),
    ]


def _adam_mistakes(wrap=lambda step: step) -> list:
    """The typical mistakes in Adam's own lines; `wrap` turns an Adam step into the exercise's function."""
    return [Mistake(hint, wrap(answer)) for hint, answer in [
        ("no bias correction yet: divide m by 1 − β1ᵗ and v by 1 − β2ᵗ before the step.",
         _adam_variant(correct=(False, False))),
        ("you corrected only v: correct m too, m̂ = m/(1 − β1ᵗ).", _adam_variant(correct=(False, True))),
        ("you corrected only m: correct v too, v̂ = v/(1 − β2ᵗ).", _adam_variant(correct=(True, False))),
        (_WRONG_ADAM_T[-1], _adam_variant(shift=-1)),
        (_WRONG_ADAM_T[1], _adam_variant(shift=1)),
        ("ε goes outside the square root, m̂/(√v̂ + ε), as in the paper and PyTorch, not m̂/√(v̂ + ε).",
         _adam_variant(eps="inside")),
        ("this is the paper's \"efficient\" form that Keras uses, η·√(1 − β2ᵗ)/(1 − β1ᵗ)·m/(√v + ε̂): it "
         "equals the course's rule only with ε = ε̂/√(1 − β2ᵗ), much larger early on. Here correct first, "
         "then add ε: η·m̂/(√v̂ + ε).", _adam_variant(keras=True)),
        ("add ε to the denominator, m̂/(√v̂ + ε): with a zero gradient the step is otherwise 0/0 = NaN.",
         _adam_variant(eps="missing")),
        ("divide by the square root of v̂: m̂/(√v̂ + ε).", _adam_variant(eps="no root")),
        ("did you forget (1 − β1)? m ← β1·m + (1 − β1)·g.", _adam_variant(add1=1.0)),
        ("did you forget (1 − β2)? v ← β2·v + (1 − β2)·g².", _adam_variant(add2=1.0)),
        ("β1 and β2 are swapped: β1 (0.9) is the memory of m, the average of g; β2 (0.999) the memory of v, "
         "the average of g².", _adam_variant(swapped=True)),
        ("v averages the squares g², not g.", _adam_variant(square=False)),
        ("return the plain averages m and v as the new state: the corrected m̂ and v̂ are only for this step "
         "(stored, they would be corrected again at the next one).", _adam_variant(return_hats=True)),
        ("you stepped uphill: θ − η·m̂/(√v̂ + ε), not θ + ….", _adam_variant(sign=1.0)),
        ("v ← max(v, β2·v + (1 − β2)·g²) is AMSGrad (Reddi et al., 2018), not Adam: Adam's v is the plain moving "
         "average, which shrinks when the gradients do.", _adam_variant(amsgrad=True)),
        ("use the eps you are given: you used ε = 1e-8 whatever the argument says.", _adam_variant(fixed_eps=1e-8)),
        ("correct at every step: 1 − β2ᵗ stays far from 1 long after the first steps (0.39 at t = 5000 with "
         "β2 = 0.9999), so a correction switched off after some step is wrong from there on.",
         _adam_variant(correct_until=100)),
        ("use the beta1 and beta2 you are given, not the defaults 0.9 and 0.999.",
         _adam_variant(fixed_betas=(0.9, 0.999))),
    ]]


@checker
def check_adam_step(adam_step) -> None:
    """adam_step(theta, g, m, v, t, lr, beta1, beta2, eps) = (θ', m', v'): update t of Adam, bias-corrected."""
    __tracebackhide__ = True
    mistakes = _adam_mistakes() + [
        Mistake("return (theta, m, v) in this order.",
                lambda *args: (lambda theta, m, v: (theta, v, m))(*_adam_step(*args))),
    ]
    compare("adam_step", adam_step, _adam_step, _adam_cases(), mistakes, hidden=_HIDDEN_ADAM,
            hint="m' = β1·m + (1 − β1)·g, v' = β2·v + (1 − β2)·g², m̂ = m'/(1 − β1ᵗ), "
                 "v̂ = v'/(1 − β2ᵗ), θ' = θ − η·m̂/(√v̂ + ε); return (θ', m', v').")


def _train_adam(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
    """The reference: epochs × batches_per_epoch updates of course_lib's Adam; θ at the end of each epoch."""
    optimizer = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    theta = np.asarray(theta0, dtype=float)
    state, ends = optimizer.init(theta), []
    for _ in range(epochs):
        for _ in range(batches_per_epoch):
            theta, state = optimizer.update(theta, grad_fn(theta), state)
        ends.append(theta)
    return np.array(ends).reshape((epochs, *theta.shape))


def _trained_with(step, reset=False, *, reset_every_step=False, store_hats=False, one_gradient_per_epoch=False,
                  same_array=False, flat_lr=False, state_of_len=False):
    """Adam's training loop with the bias correction's t = step(epoch, batch, t) (all from 1) and, by keyword,
    one typical mistake: m, v restarted each epoch or each step, the corrected averages stored as the state,
    one gradient for a whole epoch, one array appended (and changed in place) every epoch, lr flattened."""
    def train(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps):
        theta = np.array(theta0, dtype=float)
        if flat_lr:
            lr = np.ravel(lr)
        m, v, t, ends = np.zeros_like(theta), np.zeros_like(theta), 0, []
        if state_of_len:
            m, v = np.zeros(len(theta)), np.zeros(len(theta))
        for epoch in range(1, epochs + 1):
            if reset:
                m, v = np.zeros_like(theta), np.zeros_like(theta)
            g = grad_fn(theta)
            for batch in range(1, batches_per_epoch + 1):
                t += 1
                if reset_every_step:
                    m, v = np.zeros_like(theta), np.zeros_like(theta)
                if not one_gradient_per_epoch:
                    g = grad_fn(theta)
                k = step(epoch, batch, t)
                new_theta, m, v = _adam_variant()(theta, g, m, v, k, lr, beta1, beta2, eps)
                if store_hats:
                    m, v = m / (1 - beta1**k), v / (1 - beta2**k)
                if same_array:
                    theta[...] = new_theta
                else:
                    theta = new_theta
            ends.append(theta)
        return np.array(ends)
    return train


def _plain_t(epoch, batch, t):
    return t


@checker
def check_train_adam(train_adam) -> None:
    """train_adam(grad_fn, theta0, epochs, batches_per_epoch, lr, beta1, beta2, eps): θ after each epoch of Adam."""
    __tracebackhide__ = True
    ravine, rosenbrock = Quadratic([1.0, 10.0]), Rosenbrock()
    ravine_gradient = _named(ravine.grad, "gradient of f(θ) = ½(θ₁² + 10·θ₂²)")
    rosenbrock_gradient = _named(rosenbrock.grad, "gradient of Rosenbrock's function")
    defaults = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    others = {"beta1": 0.5, "beta2": 0.95, "eps": 0.05}
    cases = [
        Case("3 epochs × 4 batches", {"grad_fn": ravine_gradient, "theta0": ravine.start, "epochs": 3,
                                      "batches_per_epoch": 4, "lr": 0.1, **defaults}),
        Case("one epoch", {"grad_fn": ravine_gradient, "theta0": ravine.start, "epochs": 1,
                           "batches_per_epoch": 5, "lr": 0.1, **defaults}),
        Case("one batch per epoch", {"grad_fn": ravine_gradient, "theta0": ravine.start, "epochs": 6,
                                     "batches_per_epoch": 1, "lr": 0.1, **defaults}),
        Case("Rosenbrock, 2 epochs × 50 batches", {"grad_fn": rosenbrock_gradient, "theta0": rosenbrock.start,
                                                   "epochs": 2, "batches_per_epoch": 50, "lr": 0.01, **defaults}),
        Case("K = 2 starts, shape (2, 2)", {"grad_fn": ravine_gradient, "theta0": np.array([[-1.5, 1.0], [1.0, 0.5]]),
                                            "epochs": 2, "batches_per_epoch": 3, "lr": np.array([[0.1], [0.01]]),
                                            **defaults},
             hint="θ after each epoch then has shape (epochs, 2, 2); np.array(list_of_thetas) stacks them."),
        Case("β1 = 0.5, β2 = 0.95, ε = 0.05", {"grad_fn": ravine_gradient, "theta0": ravine.start, "epochs": 3,
                                               "batches_per_epoch": 4, "lr": 0.1, **others},
             hint="pass beta1, beta2 and eps on to every step: you are given them, not the defaults."),
        Case("K = 3 starts, shape (3, 2)", {"grad_fn": ravine_gradient,
                                            "theta0": np.array([[-1.5, 1.0], [1.0, 0.5], [0.3, -2.0]]),
                                            "epochs": 2, "batches_per_epoch": 3,
                                            "lr": np.array([[0.1], [0.01], [0.3]]), "beta1": np.array([[0.9], [0.5], [0.0]]),
                                            "beta2": np.array([[0.999], [0.9], [0.99]]),
                                            "eps": np.array([[1e-8], [1e-3], [0.1]])},
             hint="make m and v like θ₀ (np.zeros_like(theta), shape (3, 2)), and keep lr of shape (3, 1): each "
                  "row is its own run. Flattened to (3,), lr would pair with the columns, not the rows."),
        Case("a long run, 6 epochs × 250 batches, β2 = 0.9999",
             {"grad_fn": rosenbrock_gradient, "theta0": rosenbrock.start, "epochs": 6, "batches_per_epoch": 250,
              "lr": 0.003, "beta1": 0.9, "beta2": 0.9999, "eps": 1e-8},
             hint="correct at every update, with t counting all of them: with β2 = 0.9999 the correction still "
                  "matters after 1500 updates (1 − β2ᵗ ≈ 0.14)."),
        Case("an integer start", {"grad_fn": ravine_gradient, "theta0": np.array([2, -1]), "epochs": 2,
                                  "batches_per_epoch": 3, "lr": 0.1, **defaults},
             hint="start from a float copy, np.array(theta0, dtype=float): θ, m and v made like an integer θ₀ "
                  "(np.zeros_like) keep only whole numbers."),
    ]
    mistakes = [
        Mistake("bias correction must use the step t, the number of updates so far, not the epoch: the averages "
                "are updated once per batch (lesson 06, Common mistakes).",
                _trained_with(lambda epoch, batch, t: epoch)),
        Mistake("t restarts every epoch, but the averages m, v do not: t must count every update since the start "
                "of training (epoch · batches_per_epoch + batch + 1, counting epoch and batch from 0).",
                _trained_with(lambda epoch, batch, t: batch)),
        Mistake("t starts at 1 on the first update: with t = 0 the first correction divides by 1 − β⁰ = 0, and "
                "θ becomes NaN. Count t += 1 before the update.", _trained_with(lambda epoch, batch, t: t - 1)),
        Mistake("off by one: t is 1 on the first update, not 2.", _trained_with(lambda epoch, batch, t: t + 1)),
        Mistake("m and v restart every epoch: keep them (and t) running from one epoch to the next.",
                _trained_with(lambda epoch, batch, t: batch, reset=True)),
        Mistake("m and v restart every epoch: keep them running from one epoch to the next.",
                _trained_with(lambda epoch, batch, t: t, reset=True)),
        Mistake("keep the plain averages m and v as the state: the corrected m̂, v̂ are for this update's step "
                "only; stored back, they are corrected again at the next update.", _trained_with(_plain_t, store_hats=True)),
        Mistake("take a new gradient at every update, grad_fn(θ) with the current θ: you reused one gradient for "
                "a whole epoch.", _trained_with(_plain_t, one_gradient_per_epoch=True)),
        Mistake("every row is θ at the end of the run: you appended the same array each epoch and then changed it in "
                "place (θ -= …, θ[...] = …), which changes what you appended too. Append a new array "
                "(θ = θ − …), or theta.copy().", _trained_with(_plain_t, same_array=True)),
        Mistake("make m and v zero once, before the first epoch: set to zero at every update, Adam forgets every "
                "earlier gradient (and each step is the first step, η·sign(g)).",
                _trained_with(_plain_t, reset_every_step=True)),
        Mistake("make m and v zero once, before the first epoch, and count t from there: set to zero at every "
                "update, each step is a first step, η·sign(g).",
                _trained_with(lambda epoch, batch, t: 1, reset_every_step=True)),
        Mistake("keep lr of shape (K, 1): flattened to (K,), it pairs with the columns of θ, not its rows, so "
                "each run gets the others' learning rates.", _trained_with(_plain_t, flat_lr=True)),
        Mistake("make m and v like θ₀, np.zeros_like(theta): np.zeros(len(theta)) has one entry per row, not the "
                "shape of θ.", _trained_with(_plain_t, state_of_len=True)),
        Mistake("return θ at the end of each epoch (epochs rows), not after every update.",
                lambda grad_fn, theta0, epochs, batches_per_epoch, *rest: _train_adam(
                    grad_fn, theta0, epochs * batches_per_epoch, 1, *rest)),
        Mistake("start with the first epoch's end: return θ after epoch 1, 2, …, not θ₀ too.",
                lambda grad_fn, theta0, epochs, *rest: np.concatenate(
                    [np.asarray(theta0, dtype=float)[None], _train_adam(grad_fn, theta0, epochs, *rest)])),
    ]
    compare("train_adam", train_adam, _train_adam, cases, mistakes, hidden=_HIDDEN_ADAM,
            hint="one counter t for the whole run: for each epoch, for each batch: t += 1, then one adam_step with "
                 "this t; keep m, v and t from one epoch to the next; keep θ at the end of each epoch.")




def _decay_variant(where, lr_factor=True):
    """Adam with weight decay applied in some (maybe wrong) place; the keyword names it."""
    def step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        shrink = 1 - (lr if lr_factor else 1.0) * weight_decay
        if where == "before":
            return _adam_variant()(theta * shrink, g, m, v, t, lr, beta1, beta2, eps)
        if where == "after":
            new_theta, m, v = _adam_variant()(theta, g, m, v, t, lr, beta1, beta2, eps)
            return new_theta * shrink, m, v
        if where == "l2":
            return _adam_variant()(theta, g + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
        if where == "both":
            return _adam_variant()(theta * shrink, g + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
        if where == "none":
            return _adam_variant()(theta, g, m, v, t, lr, beta1, beta2, eps)
        if where == "l2 twice":
            return _adam_variant()(theta, g + 2 * weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
        if where == "l2 minus":
            return _adam_variant()(theta, g - weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
        if where == "l2 in m only":
            new_theta, new_m, _ = _adam_variant()(theta, g + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
            new_v = beta2 * v + (1 - beta2) * g**2
            m_hat, v_hat = new_m / (1 - beta1**t), new_v / (1 - beta2**t)
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v
        raise ValueError(where)
    return step


def _with_lr_and_plain_eps_cases(cases) -> list:
    """The Adam cases for a step with weight decay: lr 0.1 where it is one number, and no decay in the two
    cases where ε matters (there ωθ would swamp the tiny gradient, and ε's mistakes would look alike)."""
    changed = []
    for case in cases:
        args = {**case.args, "lr": 0.1 if np.ndim(case.args["lr"]) == 0 else case.args["lr"]}
        if case.label.startswith(("a tiny gradient", "ε = 1e-4")):
            args.update(lr=case.args["lr"], weight_decay=0.0)
        changed.append(replace(case, args=args))
    return changed


def _with_decay(adam_mistake):
    """An Adam mistake inside AdamW: decay first, then the mistaken Adam step."""
    def step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        return adam_mistake(theta * (1 - lr * weight_decay), g, m, v, t, lr, beta1, beta2, eps)
    return step


def _with_l2(adam_mistake):
    """An Adam mistake with L2: ωθ added to g, then the mistaken Adam step."""
    def step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        return adam_mistake(theta, g + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
    return step


@checker
def check_adamw_step(adamw_step) -> None:
    """adamw_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay): θ(1 − ηω), then Adam's step with g."""
    __tracebackhide__ = True
    cases = _adam_cases({"weight_decay": (0.5, np.array([[0.5], [0.1], [0.0]]))},
                        zero_hint="with g = 0 and m = v = 0 the Adam step is 0 and only the decay acts: θ(1 − ηω).")
    cases = _with_lr_and_plain_eps_cases(cases)
    cases.insert(2, Case("ω = 0: plain Adam", {**cases[0].args, "weight_decay": 0.0},
                         hint="with ω = 0 AdamW is Adam."))
    mistakes = [
        Mistake("this is Adam with L2 (task 3's other function): ωθ added to g is then divided by √v̂ like the "
                "rest of g. AdamW decouples the decay: first θ ← θ(1 − ηω), then Adam's step with g unchanged.",
                _decay_variant("l2")),
        Mistake("the decay comes first, as in PyTorch's AdamW: θ ← θ(1 − ηω), then the Adam step. You shrank θ "
                "after the step.", _decay_variant("after")),
        Mistake("the decay is multiplied by the learning rate: θ ← θ(1 − ηω), not θ(1 − ω) (PyTorch's AdamW; the "
                "paper uses the schedule's multiplier instead).", _decay_variant("before", lr_factor=False)),
        Mistake("the decay is multiplied by the learning rate, θ(1 − ηω), and it comes before the Adam step.",
                _decay_variant("after", lr_factor=False)),
        Mistake("decay once, decoupled: θ ← θ(1 − ηω), and leave g as it is (you also added ωθ to g).",
                _decay_variant("both")),
        Mistake("the weight decay is missing: first θ ← θ(1 − ηω), then the Adam step.", _decay_variant("none")),
        *[Mistake(mistake.hint, _with_decay(mistake.answer)) for mistake in _adam_mistakes()],
    ]
    compare("adamw_step", adamw_step, _adamw_step, cases, mistakes, hidden=_HIDDEN_ADAM,
            hint="θ ← θ·(1 − η·ω) first, then the Adam step (your adam_step) with g unchanged.")


@checker
def check_adam_l2_step(adam_l2_step) -> None:
    """adam_l2_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay): Adam with g + ωθ (PyTorch's Adam)."""
    __tracebackhide__ = True
    cases = _adam_cases({"weight_decay": (0.5, np.array([[0.5], [0.1], [0.0]]))},
                        zero_hint="with g = 0 the gradient is ωθ alone, so at t = 1 the step is η·sign(θ).")
    cases = _with_lr_and_plain_eps_cases(cases)
    cases.insert(2, Case("ω = 0: plain Adam", {**cases[0].args, "weight_decay": 0.0},
                         hint="with ω = 0 the L2 version is plain Adam."))
    mistakes = [
        Mistake("this is AdamW's decoupled decay, θ(1 − ηω). With L2 the penalty's gradient ωθ is added to g before "
                "both averages, g ← g + ωθ, as PyTorch's Adam(weight_decay=ω) does.", _decay_variant("before")),
        Mistake("this is decoupled decay applied after the step; with L2, add ωθ to g before both averages.",
                _decay_variant("after")),
        Mistake("add ωθ to g once, before both averages, and use that g for m and for v.",
                _decay_variant("l2 in m only")),
        Mistake("the gradient of the penalty ½ω‖θ‖² is ωθ, not 2ωθ.", _decay_variant("l2 twice")),
        Mistake("the penalty pulls θ towards 0: g + ωθ, not g − ωθ.", _decay_variant("l2 minus")),
        Mistake("the weight decay is missing: add ωθ to g first.", _decay_variant("none")),
        *[Mistake(mistake.hint, _with_l2(mistake.answer)) for mistake in _adam_mistakes()],
    ]
    compare("adam_l2_step", adam_l2_step, _adam_l2_step, cases, mistakes, hidden=_HIDDEN_ADAM,
            hint="g ← g + ω·θ first (the gradient of ½ω‖θ‖²), then the Adam step (your adam_step) with that g.")
