"""The checks of exercise 08: a network's backward pass, gradient check, clipping.

The checkers of softmax, softmax_cross_entropy, dense_backward, relu_backward, mlp_loss_and_grads,
numerical_derivative, clip_by_global_norm, train_step. Each is listed in `CHECKERS` by `@checker`,
and `course_lib.checks` re-exports it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import nn
from ..data import load_digits
from ..optim import SGD, Adam
from .machinery import (_DTYPE_HINT, SHOWN, Case, Mistake, _argument, _call, _diagnose, _differences,
                        _dtype_problem, _same, _show, _success, checker, compare, fail)

EXERCISE = "08"
TASKS = {"softmax": 1, "softmax_cross_entropy": 1, "dense_backward": 2, "relu_backward": 2, "mlp_loss_and_grads": 3, "numerical_derivative": 4, "clip_by_global_norm": 5, "train_step": 5}  # the task of each checked function, for the messages


def _copied(value):
    """A deep copy of arrays and dicts of them (an optimizer's state holds dicts in a dict)."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    return value.copy() if isinstance(value, np.ndarray) else value


def _changed_in(value, original) -> bool:
    """Whether a dict (of arrays, of dicts) differs from its copy taken before a call."""
    if isinstance(original, dict):
        return (not isinstance(value, dict) or value.keys() != original.keys()
                or any(_changed_in(value[key], original[key]) for key in original))
    if isinstance(original, np.ndarray):
        return (not isinstance(value, np.ndarray) or value.shape != original.shape
                or not np.allclose(value, original, rtol=0, atol=1e-12, equal_nan=True))
    return False


def _brief(value, depth: int = 0) -> str:
    """A short text for an argument: small arrays in full, larger ones by shape, a dict inside a dict (an
    optimizer's state) by its size."""
    if isinstance(value, dict):
        if depth:
            return f"{{{len(value)} arrays}}"
        return "{" + ", ".join(f"{key!r}: {_brief(item, depth + 1)}" for key, item in value.items()) + "}"
    if isinstance(value, np.ndarray) and value.size > SHOWN:
        return f"array of shape {value.shape}"
    if hasattr(value, "update") and hasattr(value, "init"):  # an optimizer of course_lib
        return repr(value)
    return _argument(value)


def _where_it_differs(got, expected, path: str) -> list[str]:
    """Lines naming each array of a nested answer that differs: "grads['W1']: first difference …"."""
    if isinstance(expected, dict):
        if not isinstance(got, dict) or got.keys() != expected.keys():
            return [f"{path}: expected a dict with the keys {list(expected)}, got "
                    f"{sorted(got) if isinstance(got, dict) else _brief(got)}"]
        return [line for key in expected for line in _where_it_differs(got[key], expected[key], f"{path}[{key!r}]")]
    return [] if _same(got, expected) else _differences(got, expected, f"{path}: ")


def _compare_with_dicts(name, function, reference, cases, mistakes=(), hint="", locate=None, parts=(),
                        hidden=()) -> None:
    """`compare` for functions that take dicts of arrays (params, grads, an optimizer's state).

    Each call gets deep copies, a change to a dict passed in fails with its own message, and an
    answer holding dicts is shown by its differences (which array, where) under the names `parts`
    of its values, not printed whole. `locate(got, expected)` may return a hint that says where a
    difference comes from when no mistake fits.
    """
    __tracebackhide__ = True
    cases = list(cases)
    for number, case in enumerate(cases, start=1):
        where = f"case {number} of {len(cases)}, {case.label}"
        call = f"your call: {name}({', '.join(_brief(value) for value in case.args.values())})"
        given = _copied(case.args)
        got = _call(name, function, given, where, case, mistakes, hidden)
        for key, original in case.args.items():
            if isinstance(original, dict) and _changed_in(given[key], original):
                fail(name, where, [call, f"it changed its argument `{key}` (a dict of arrays) in place"],
                     f"`{key}[name][index] = …` or `{key}[name] -= …` writes into the caller's arrays, and so does "
                     f"a shallow copy, dict({key}). Restore what you changed before returning, or work on a deep "
                     f"copy: {{k: v.copy() for k, v in {key}.items()}}.")
        expected = reference(*_copied(case.args).values())
        dtype_line = _dtype_problem(got, expected)
        if _same(got, expected) and not dtype_line:
            continue
        copies = [replace(other, args=_copied(other.args)) for other in cases]
        mistake = None if dtype_line else _diagnose(function, copies, mistakes, copies[number - 1], got)
        if parts and isinstance(got, (tuple, list)) and len(got) == len(parts):
            lines = [call, *[line for part, g, e in zip(parts, got, expected)
                             for line in _where_it_differs(g, e, part)]]
        else:
            lines = [call, f"expected:  {_brief(expected)}", f"got:       {_brief(got)}", *_differences(got, expected)]
        located = locate(got, expected) if locate and not mistake and not dtype_line else ""
        fail(name, where, [*lines, *([dtype_line] if dtype_line else [])],
             mistake.hint if mistake else _DTYPE_HINT if dtype_line else located or case.hint or hint)
    _success(name, cases)


def _logits_cases(rng) -> list:
    return [
        Case("3 rows, 3 classes", {"logits": np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 0.5, 2.0]])}),
        Case("one row, shape (1, 4)", {"logits": np.array([[0.5, -1.0, 2.0, 0.0]])}),
        Case("large logits, around 1000", {"logits": np.array([[1000.0, 999.0, 998.0], [0.0, 1.0, 2.0]])},
             hint="softmax(z) = softmax(z − c) for any c per row; with c the row's max every exponent is ≤ 0."),
        Case("very negative logits, around −1000", {"logits": np.array([[-1000.0, -1001.0, -1002.0]])}),
        Case("10 classes, a batch of 5", {"logits": rng.normal(0, 3, size=(5, 10)).round(3)}),
        Case("rows that span more than 1000", {"logits": np.array([[-800.0, 0.0, 700.0], [5.0, -1200.0, 4.0]])},
             hint="subtract each row's largest logit, the only shift that keeps every exponent ≤ 0 (so nothing "
                  "overflows) and one of them 0 (so the sum is ≥ 1)."),
        Case("integer logits", {"logits": np.array([[1, 2, 3], [0, 0, 1]])}),
    ]


def _softmax_variant(shift="row", axis=1, keepdims=True):
    def softmax(logits):
        with np.errstate(all="ignore"):
            z = logits - {"row": np.max(logits, axis=1, keepdims=True), "column": np.max(logits, axis=0),
                          "all": np.max(logits), "none": 0.0, "min": np.min(logits, axis=1, keepdims=True),
                          "mean": np.mean(logits, axis=1, keepdims=True)}[shift]
            e = np.exp(z)
            total = np.sum(e) if axis is None else np.sum(e, axis=axis, keepdims=keepdims)
            return e / total
    return softmax


@checker
def check_softmax(softmax) -> None:
    """softmax(logits): the probabilities exp(z_ik)/Σ_j exp(z_ij) of each row, computed without overflow."""
    __tracebackhide__ = True
    mistakes = [
        Mistake("e^1000 overflows to inf (and e^−1000 underflows to 0), which gives nan: subtract each row's "
                "largest logit first, exp(z − max), which changes nothing mathematically.",
                _softmax_variant(shift="none")),
        Mistake("subtract each row's own max, np.max(z, axis=1, keepdims=True): with the largest of all the "
                "logits, a row far below it becomes exp(−1000) = 0 everywhere, and 0/0.",
                _softmax_variant(shift="all")),
        Mistake("subtract each row's largest logit, not its smallest: z − min makes every exponent ≥ 0, and a row "
                "spanning more than 709 overflows to inf (inf/inf = nan).", _softmax_variant(shift="min")),
        Mistake("subtract each row's largest logit, not its mean: z − mean still overflows when a logit is more "
                "than 709 above the mean.", _softmax_variant(shift="mean")),
        Mistake("normalize each row (axis=1: one example per row, one column per class), not each column.",
                _softmax_variant(shift="column", axis=0)),
        Mistake("divide each row by its own sum: np.sum(…, axis=1, keepdims=True) keeps the shape (n, 1) that "
                "broadcasts along the row; without keepdims the sums are spread along the columns.",
                _softmax_variant(keepdims=False)),
        Mistake("each row sums to 1: divide by the row's sum (axis=1), not by the sum of the whole array.",
                _softmax_variant(axis=None)),
    ]
    compare("softmax", softmax, nn.softmax, _logits_cases(np.random.default_rng(10)), mistakes,
            hidden=[(nn, "softmax", "nn.softmax"), (nn, "_log_softmax", "nn.softmax")],
            hint="p = exp(z − max z) / Σ exp(z − max z), row by row: np.max and np.sum with axis=1, keepdims=True.")


def _one_hot(y, classes):
    return np.eye(classes)[np.asarray(y)]


def _softmax_cross_entropy(logits, y):
    """The reference: (mean cross-entropy, δ = (p − onehot(y))/n) from course_lib.nn."""
    n, classes = np.shape(logits)
    return nn.cross_entropy(logits, y), (nn.softmax(logits) - _one_hot(y, classes)) / n


def _cross_entropy_variant(delta=lambda p, Y, n: (p - Y) / n, loss="stable", narrow=False):
    def answer(logits, y):
        n, classes = logits.shape
        p, Y = nn.softmax(logits), _one_hot(y, np.max(y) + 1 if narrow else classes)
        with np.errstate(all="ignore"):
            value = {"stable": lambda: nn.cross_entropy(logits, y),
                     "sum": lambda: nn.cross_entropy(logits, y) * n,
                     "naive": lambda: -np.mean(np.log(p[np.arange(n), y])),
                     "columns": lambda: -np.mean(np.log(p[:, y]))}[loss]()
        return float(value), delta(p, Y, n)
    return answer


@checker
def check_softmax_cross_entropy(softmax_cross_entropy) -> None:
    """softmax_cross_entropy(logits, y) = (−(1/n) Σ log p_{i,y_i}, (p − onehot(y))/n), stable for large logits."""
    __tracebackhide__ = True
    rng = np.random.default_rng(11)
    cases = [
        Case("4 rows, 3 classes", {"logits": np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0], [2.0, -1.0, 0.3],
                                                       [0.1, 0.2, 0.3]]), "y": np.array([0, 2, 1, 2])}),
        Case("one row", {"logits": np.array([[0.5, -1.0, 2.0, 0.0]]), "y": np.array([3])},
             hint="with n = 1, δ = p − onehot(y): the mean over one row divides by 1."),
        Case("a confident right answer, logits around 1000", {"logits": np.array([[1000.0, 0.0, 0.0]]),
                                                              "y": np.array([0])},
             hint="p = (1, 0, 0) up to round-off: the loss is 0 and δ is 0."),
        Case("confident wrong answers, logits around 1000",
             {"logits": np.array([[1000.0, 0.0, 0.0], [0.0, 1000.0, 0.0]]), "y": np.array([1, 0])},
             hint="each row's loss is z_max − z_y = 1000; the probability e^−1000 rounds to 0, so compute "
                  "log p without taking the log of p."),
        Case("10 classes, a batch of 5", {"logits": rng.normal(0, 3, size=(5, 10)).round(3),
                                          "y": np.array([3, 0, 9, 3, 7])}),
        Case("5 classes, the largest label 2", {"logits": rng.normal(0, 2, size=(4, 5)).round(3),
                                                "y": np.array([2, 0, 1, 2])},
             hint="the number of classes is the number of columns of logits, logits.shape[1]: a batch need not "
                  "hold every class."),
    ]
    mistakes = [
        Mistake("δ is the gradient of the mean loss: divide p − onehot(y) by n, the number of rows.",
                _cross_entropy_variant(delta=lambda p, Y, n: p - Y)),
        Mistake("the sign of δ: ∂L/∂z = (p − onehot(y))/n, probabilities minus targets.",
                _cross_entropy_variant(delta=lambda p, Y, n: (Y - p) / n)),
        Mistake("subtract the one-hot targets: δ = (p − onehot(y))/n (np.eye(classes)[y] is onehot(y)).",
                _cross_entropy_variant(delta=lambda p, Y, n: p / n)),
        Mistake("np.eye(y.max() + 1) has as many columns as the largest label in this batch, not as many as there are "
                "classes: make the one-hot with np.eye(logits.shape[1])[y].", _cross_entropy_variant(narrow=True)),
        Mistake("the loss is the mean over the rows, −(1/n) Σ log p_{i,y_i}, not the sum.",
                _cross_entropy_variant(loss="sum")),
        Mistake("log p of a probability that rounds to 0 is −inf: compute log p directly, log p_ik = z_ik − m_i − "
                "log Σ_j exp(z_ij − m_i) with m_i the row's max (log-sum-exp), then pick log p_{i,y_i}.",
                _cross_entropy_variant(loss="naive")),
        Mistake("pick one entry per row, p[np.arange(n), y]: p[:, y] takes whole columns, n × n entries.",
                _cross_entropy_variant(loss="columns")),
    ]
    compare("softmax_cross_entropy", softmax_cross_entropy, _softmax_cross_entropy, cases, mistakes,
            hidden=[(nn, "cross_entropy", "nn.cross_entropy"), (nn, "loss_and_grads", "nn.loss_and_grads")],
            hint="loss = −mean over i of log p_{i,y_i} (log p by log-sum-exp); δ = (p − onehot(y))/n.")


def _dense_backward(a, W, delta):
    """The reference: (aᵀδ, Σ_i δ_i, δWᵀ), as in course_lib.nn.loss_and_grads."""
    return a.T @ delta, delta.sum(axis=0), delta @ W.T


@checker
def check_dense_backward(dense_backward) -> None:
    """dense_backward(a, W, delta) = (aᵀδ, Σ_i δ_i, δWᵀ): dL/dW, dL/db and dL/da of z = aW + b."""
    __tracebackhide__ = True
    rng = np.random.default_rng(12)

    def layer(n, inputs, outputs):
        return {"a": rng.normal(size=(n, inputs)).round(2), "W": rng.normal(size=(inputs, outputs)).round(2),
                "delta": rng.normal(0, 0.1, size=(n, outputs)).round(3)}

    cases = [
        Case("3 → 3 units, a batch of 4", layer(4, 3, 3)),
        Case("5 → 2 units, a batch of 3", layer(3, 5, 2),
             hint="the shapes: dW like W (inputs, outputs), db like b (outputs,), dL/da like a (n, inputs)."),
        Case("a batch of 1", layer(1, 4, 3)),
        Case("one output unit", layer(5, 3, 1)),
        Case("δ = 0", {**layer(2, 3, 2), "delta": np.zeros((2, 2))},
             hint="a zero δ gives zero gradients everywhere."),
    ]
    mistakes = [
        Mistake("dW = aᵀδ, of W's shape (inputs, outputs): you computed δᵀa, its transpose.",
                lambda a, W, delta: (delta.T @ a, delta.sum(axis=0), delta @ W.T)),
        Mistake("aᵀδ is a matrix product, a.T @ delta, summing over the rows of the batch; a * delta multiplies "
                "element by element.", lambda a, W, delta: (a * delta, delta.sum(axis=0), delta @ W.T)),
        Mistake("db sums δ over the batch, the rows: delta.sum(axis=0), one number per output unit.",
                lambda a, W, delta: (a.T @ delta, delta.sum(axis=1), delta @ W.T)),
        Mistake("δ already carries the 1/n of the mean loss (δᴸ = (p − onehot)/n): sum over the batch, don't "
                "average again.", lambda a, W, delta: (a.T @ delta, delta.mean(axis=0), delta @ W.T)),
        Mistake("δ already carries the 1/n of the mean loss: dW = aᵀδ, without another 1/n.",
                lambda a, W, delta: (a.T @ delta / len(a), delta.sum(axis=0), delta @ W.T)),
        Mistake("dL/da = δWᵀ (delta @ W.T): each input unit collects δ through its row of W. You used W without "
                "the transpose.", lambda a, W, delta: (a.T @ delta, delta.sum(axis=0), delta @ W)),
        Mistake("the ReLU's mask is relu_backward's job, with z of the layer below; dense_backward returns δWᵀ "
                "as it is.", lambda a, W, delta: (a.T @ delta, delta.sum(axis=0), (delta @ W.T) * (a > 0))),
        Mistake("return (dW, db, dL/da) in this order.",
                lambda a, W, delta: (delta @ W.T, delta.sum(axis=0), a.T @ delta)),
    ]
    compare("dense_backward", dense_backward, _dense_backward, cases, mistakes,
            hint="dW = a.T @ delta, db = delta.sum(axis=0), dL/da = delta @ W.T.")


@checker
def check_relu_backward(relu_backward) -> None:
    """relu_backward(grad_a, z) = grad_a ⊙ 1[z > 0]: the gradient through a = max(z, 0)."""
    __tracebackhide__ = True
    rng = np.random.default_rng(13)
    cases = [
        Case("mixed signs, 2 × 3", {"grad_a": np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]]),
                                    "z": np.array([[1.0, -2.0, 0.5], [-0.1, 3.0, 2.0]])}),
        Case("z = 0, at the kink", {"grad_a": np.array([[1.0, 2.0, -3.0]]), "z": np.array([[0.0, 1e-3, -1e-3]])},
             hint="at the kink z = 0 the gradient is taken as 0, as PyTorch does: the mask is z > 0, strictly."),
        Case("all off", {"grad_a": np.array([[1.0, -2.0]]), "z": np.array([[-1.0, -0.5]])},
             hint="where z ≤ 0 the ReLU output 0 whatever z was: no gradient passes."),
        Case("a batch of 4 × 5", {"grad_a": rng.normal(size=(4, 5)).round(2), "z": rng.normal(size=(4, 5)).round(2)}),
    ]
    mistakes = [
        Mistake("at the kink z = 0 take the gradient 0, as PyTorch does: the mask is z > 0, not z ≥ 0.",
                lambda grad_a, z: grad_a * (z >= 0)),
        Mistake("multiply by the ReLU's derivative 1[z > 0] (1 or 0), not by ReLU(z) itself.",
                lambda grad_a, z: grad_a * np.maximum(z, 0)),
        Mistake("the mask comes from z (where the ReLU was on), not from the sign of the gradient.",
                lambda grad_a, z: grad_a * (grad_a > 0)),
        Mistake("return the gradient with the mask applied, grad_a * (z > 0), not the mask alone.",
                lambda grad_a, z: (z > 0).astype(float)),
    ]
    compare("relu_backward", relu_backward, lambda grad_a, z: grad_a * nn.relu_gradient(z), cases, mistakes,
            hidden=[(nn, "relu_gradient", "nn.relu_gradient")],
            hint="grad_a * (z > 0): the gradient passes where the ReLU was on and stops where it output 0.")


def _mlp_variant(mask="below", relu_on_logits=False, input_from="below", bias=True, n_twice=""):
    """loss_and_grads of an MLP, with one of its steps switched to a typical mistake (n_twice: "all", "W"
    or "b", the gradients divided by n once more)."""
    def loss_and_grads(params, X, y):
        layers = len(params) // 2
        inputs, zs, a = [], [], X
        for layer in range(1, layers + 1):
            z = a @ params[f"W{layer}"] + (params[f"b{layer}"] if bias else 0.0)
            inputs.append(a)
            zs.append(z)
            a = nn.relu(z) if layer < layers or relu_on_logits else z
        loss, delta = _softmax_cross_entropy(a, y)
        if relu_on_logits:
            delta = delta * (zs[-1] > 0)
        grads = {}
        for layer in range(layers, 0, -1):
            below = inputs[layer - 1] if input_from == "below" else (
                nn.relu(zs[layer - 1]) if layer < layers else zs[layer - 1])
            grads[f"W{layer}"], grads[f"b{layer}"] = below.T @ delta, delta.sum(axis=0)
            n = len(X)
            if n_twice in ("all", "W"):
                grads[f"W{layer}"] = grads[f"W{layer}"] / n
            if n_twice in ("all", "b"):
                grads[f"b{layer}"] = grads[f"b{layer}"] / n
            if layer > 1:
                delta = delta @ params[f"W{layer}"].T
                if mask == "below":
                    delta = delta * (zs[layer - 2] > 0)
                elif mask == "at least 0":
                    delta = delta * (zs[layer - 2] >= 0)
                elif mask == "this layer":
                    delta = delta * (zs[layer - 1] > 0)
        return loss, {name: grads[name] for name in params}
    return loss_and_grads


def _mlp_case(label, sizes, n, seed, hint="", dead=False):
    """An MLP case; with `dead`, unit 0 of every hidden layer has zero weights and bias, so its z is exactly
    0 for every example (a dead unit, common in a trained network): the ReLU's mask there must be 0."""
    rng = np.random.default_rng(seed)
    params = nn.init_mlp(sizes, rng)
    for name in params:
        if name.startswith("b"):
            params[name] = rng.normal(0, 0.1, size=params[name].shape).round(3)
    if dead:
        for layer in range(1, len(sizes) - 1):
            params[f"W{layer}"][:, 0], params[f"b{layer}"][0] = 0.0, 0.0
    return Case(label, {"params": params, "X": rng.normal(size=(n, sizes[0])).round(2),
                        "y": rng.integers(0, sizes[-1], size=n)}, hint)


def _locate_layer(got, expected) -> str:
    """Which part of a wrong (loss, grads) is wrong, and where in the backward pass to look."""
    if not (isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[1], dict)
            and got[1].keys() == expected[1].keys()):
        return "return (loss, grads) with grads a dict of the keys and shapes of params: 'W1', 'b1', …"
    if not _same(got[0], expected[0]):
        return ("the loss is wrong, so the forward pass is: z = aW + b in every layer, a ReLU after every layer "
                "but the last, then softmax_cross_entropy of the last z.")
    layers = len(expected[1]) // 2
    wrong = [layer for layer in range(1, layers + 1)
             if not all(_same(got[1][f"{kind}{layer}"], expected[1][f"{kind}{layer}"]) for kind in "Wb")]
    top = max(wrong)
    W_right = _same(got[1][f"W{top}"], expected[1][f"W{top}"])
    b_right = _same(got[1][f"b{top}"], expected[1][f"b{top}"])
    if W_right != b_right:
        return (f"in layer {top}, " + (f"dW{top} is right and db{top} is not: db = δ summed over the batch, "
                                       f"delta.sum(axis=0)." if W_right else
                                       f"db{top} is right and dW{top} is not: dW = aᵀδ with a the layer's input, "
                                       f"{'X' if top == 1 else f'ReLU(z{top - 1})'}."))
    if top == layers:
        return (f"the gradients of the last layer (W{layers}, b{layers}) are wrong: δ = (p − onehot(y))/n from "
                f"softmax_cross_entropy, then dense_backward with that layer's input a (the ReLU of the layer below, "
                f"or X).")
    return (f"the gradients of layer {top + 1} are right and those of layer {top} are not: look at the step from "
            f"δ{top + 1} down to δ{top} = (δ{top + 1} W{top + 1}ᵀ) ⊙ 1[z{top} > 0], with the mask from z of layer "
            f"{top}, the layer below.")


@checker
def check_mlp_loss_and_grads(mlp_loss_and_grads) -> None:
    """mlp_loss_and_grads(params, X, y) = (mean cross-entropy, grads): forward and backward through any number of
    dense layers with ReLUs between them, as course_lib.nn.loss_and_grads."""
    __tracebackhide__ = True
    digits = load_digits(seed=0)
    cases = [
        _mlp_case("3 layers of 5 units, a batch of 6", [5, 5, 5, 5], 6, seed=14),
        _mlp_case("2 layers, 6 → 4 → 3, a batch of 8", [6, 4, 3], 8, seed=15),
        _mlp_case("a batch of 1", [4, 3, 2], 1, seed=16),
        _mlp_case("1 layer (no hidden layer, no ReLU)", [4, 3], 5, seed=17,
                  hint="with one layer the logits are XW¹ + b¹: no ReLU, and δ¹ = (p − onehot(y))/n is all you need."),
        _mlp_case("a dead unit: z = 0 exactly, 2 layers, 5 → 4 → 3", [5, 4, 3], 6, seed=22, dead=True,
                  hint="where z = 0 exactly the ReLU's gradient is 0 (mask z > 0), as in relu_backward."),
        Case("the digits network 64 → 32 → 10, 20 images",
             {"params": nn.init_mlp([64, 32, 10], np.random.default_rng(18)), "X": digits.X_train[:20],
              "y": digits.y_train[:20]}),
    ]
    mistakes = [
        Mistake("no ReLU after the last layer: the logits are z of the last layer as they are (a ReLU there would "
                "zero every negative score before the softmax).", _mlp_variant(relu_on_logits=True)),
        Mistake("the gradients of the layers below the ReLUs are wrong: the ReLU blocks the gradient where it "
                "output 0. Going down, δ of the layer below is relu_backward(δ Wᵀ, z of that layer).",
                _mlp_variant(mask="none")),
        Mistake("the ReLU mask comes from the layer below: δ^(l−1) = (δ^l W^lᵀ) ⊙ 1[z^(l−1) > 0], with z of layer "
                "l − 1, whose ReLU the gradient goes back through, not z of layer l.", _mlp_variant(mask="this layer")),
        Mistake("dW of a layer is (its input)ᵀδ: a of the layer below (or X), not the layer's own output.",
                _mlp_variant(input_from="this layer")),
        Mistake("the forward pass adds the bias: z = aW + b.", _mlp_variant(bias=False)),
        Mistake("at z = 0 exactly (a dead unit) the ReLU's gradient is 0: the mask is z > 0, not z ≥ 0.",
                _mlp_variant(mask="at least 0")),
        Mistake("1/n applied twice: δ = (p − onehot(y))/n already carries the mean's 1/n, so dW = aᵀδ and "
                "db = Σ δ without dividing by n again.", _mlp_variant(n_twice="all")),
        Mistake("1/n applied twice in dW: δ already carries the mean's 1/n, so dW = aᵀδ, not aᵀδ/n.",
                _mlp_variant(n_twice="W")),
        Mistake("1/n applied twice in db: δ already carries the mean's 1/n, so db = δ.sum(axis=0), not the mean.",
                _mlp_variant(n_twice="b")),
    ]
    _compare_with_dicts("mlp_loss_and_grads", mlp_loss_and_grads, nn.loss_and_grads, cases, mistakes,
                        parts=("loss", "grads"),
                        hidden=[(nn, "loss_and_grads", "nn.loss_and_grads"), (nn, "forward", "nn.forward"),
                                (nn, "gradient_check", "nn.gradient_check")],
                        hint="forward: z = aW + b, a = ReLU(z) except after the last layer; backward from "
                             "δ = (p − onehot(y))/n: dense_backward, then relu_backward with z of the layer below.",
                        locate=_locate_layer)


def _difference_quotient(plus, minus, divisor, whole=False):
    """(loss_fn(θ + plus·ε·e) − loss_fn(θ + minus·ε·e)) / (divisor·ε), e one entry (or the whole array)."""
    def derivative(loss_fn, params, name, index, eps):
        def at(shift):
            moved = _copied(params)
            if whole:
                moved[name] = moved[name] + shift * eps
            else:
                moved[name][index] += shift * eps
            return loss_fn(moved)
        return (at(plus) - at(minus)) / (divisor * eps)
    return derivative


@checker
def check_numerical_derivative(numerical_derivative) -> None:
    """numerical_derivative(loss_fn, params, name, index, eps) = (L(θ + εe) − L(θ − εe))/(2ε) for the entry
    params[name][index], params unchanged."""
    __tracebackhide__ = True
    rng = np.random.default_rng(19)
    digits = load_digits(seed=0)
    X, y = digits.X_train[:10], digits.y_train[:10]

    def cubic(params):
        return float(np.sum(params["w"] ** 3) + np.sum(np.sin(params["b"])))

    def network(params):
        return nn.loss_and_grads(params, X, y)[0]

    cubic.__name__ = "L(w, b) = Σ w³ + Σ sin b"
    network.__name__ = "the MLP's mean cross-entropy on 10 digits"
    small = {"w": np.array([[1.0, -0.5, 2.0], [0.3, 0.7, -1.2]]), "b": np.array([0.5, -1.0, 2.0])}
    mlp = nn.init_mlp([64, 8, 10], rng)
    mlp["b1"] = rng.normal(0, 0.1, size=8)
    cases = [
        Case("w[0, 2] of a cubic", {"loss_fn": cubic, "params": small, "name": "w", "index": (0, 2), "eps": 1e-5}),
        Case("b[1] of a cubic", {"loss_fn": cubic, "params": small, "name": "b", "index": (1,), "eps": 1e-5}),
        Case("ε = 0.01", {"loss_fn": cubic, "params": small, "name": "w", "index": (1, 2), "eps": 1e-2},
             hint="with a larger ε the difference quotient differs more from the derivative; it must still be "
                  "the central one, (L(θ + ε) − L(θ − ε))/(2ε)."),
        Case("the network, W1[3, 5]", {"loss_fn": network, "params": mlp, "name": "W1", "index": (3, 5), "eps": 1e-5}),
        Case("the network, b2[7]", {"loss_fn": network, "params": mlp, "name": "b2", "index": (7,), "eps": 1e-5}),
    ]
    mistakes = [
        Mistake("use the central difference (L(θ + ε) − L(θ − ε))/(2ε): the one-sided (L(θ + ε) − L(θ))/ε is off "
                "by about ε·L''/2, the central one by ε²·L'''/6.", _difference_quotient(1, 0, 1)),
        Mistake("use the central difference (L(θ + ε) − L(θ − ε))/(2ε), not the one-sided (L(θ) − L(θ − ε))/ε.",
                _difference_quotient(0, -1, 1)),
        Mistake("θ + ε and θ − ε are 2ε apart: divide by 2ε.", _difference_quotient(1, -1, 1)),
        Mistake("the sign: (L(θ + ε) − L(θ − ε))/(2ε), the value at θ + ε first.", _difference_quotient(-1, 1, 2)),
        Mistake("change one entry, params[name][index], not the whole array: moving every entry by ε measures the "
                "sum of their derivatives.", _difference_quotient(1, -1, 2, whole=True)),
    ]
    _compare_with_dicts("numerical_derivative", numerical_derivative, _difference_quotient(1, -1, 2), cases, mistakes,
                        hidden=[(nn, "gradient_check", "nn.gradient_check")],
                        hint="L(θ + ε·e) and L(θ − ε·e) with only params[name][index] moved, then their difference "
                             "divided by 2ε; put the entry back as it was.")


def _clip_variant(norm_of=lambda grads: nn.global_norm(grads), scale="min", per_array=False, norm_after=False,
                  by_value=False):
    def clip(grads, max_norm):
        if by_value:
            clipped = {key: np.clip(g, -max_norm, max_norm) for key, g in grads.items()}
            return clipped, float(nn.global_norm(grads))
        if per_array:
            clipped = {key: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for key, g in grads.items()}
        else:
            norm = norm_of(grads)
            factor = min(1.0, max_norm / (norm + 1e-6)) if scale == "min" else max_norm / (norm + 1e-6)
            clipped = {key: g * factor for key, g in grads.items()}
        return clipped, float(nn.global_norm(clipped) if norm_after else norm_of(grads))
    return clip


@checker
def check_clip_by_global_norm(clip_by_global_norm) -> None:
    """clip_by_global_norm(grads, max_norm) = ({k: g·min(1, c/(‖g‖ + 1e-6))}, ‖g‖), ‖g‖ over all arrays together."""
    __tracebackhide__ = True
    rng = np.random.default_rng(20)
    params = nn.init_mlp([6, 4, 3], rng)
    _, network_grads = nn.loss_and_grads(params, rng.normal(size=(8, 6)), rng.integers(0, 3, size=8))
    thirteen = {"W1": np.array([[3.0, 0.0], [0.0, 4.0]]), "b1": np.array([12.0, 0.0])}
    uneven = {"W1": np.full((3, 2), 0.1), "b1": np.array([0.1, -0.1]), "W2": np.array([[30.0], [-40.0]]),
              "b2": np.array([0.5])}
    cases = [
        Case("‖g‖ = 13 above c = 1", {"grads": thirteen, "max_norm": 1.0}),
        Case("‖g‖ = 13 below c = 20: unchanged", {"grads": thirteen, "max_norm": 20.0},
             hint="below the threshold the gradients stay as they are: the factor is min(1, c/‖g‖)."),
        Case("zero gradients", {"grads": {"W1": np.zeros((2, 2)), "b1": np.zeros(2)}, "max_norm": 1.0},
             hint="‖g‖ = 0 is below any threshold: nothing changes (the 1e-6 keeps c/(‖g‖ + 1e-6) finite)."),
        Case("one large array among small ones", {"grads": uneven, "max_norm": 5.0}),
        Case("a network's gradients", {"grads": network_grads, "max_norm": 0.1}),
    ]
    mistakes = [
        Mistake("clip by the global norm: one factor for all the arrays, from the norm of all their entries "
                "together. You clipped each array by its own norm, which changes the direction of the step.",
                _clip_variant(per_array=True)),
        Mistake("gradients whose norm is below the threshold stay as they are: the factor is min(1, c/(‖g‖ + 1e-6)); "
                "you scaled every gradient to the length c.", _clip_variant(scale="always")),
        Mistake("the norm is the square root of the sum of all the squares, √(Σ g²).",
                _clip_variant(norm_of=lambda grads: float(sum(np.sum(g**2) for g in grads.values())))),
        Mistake("‖g‖ is the norm of all the entries together, √(Σ over all arrays of Σ g²), not the sum of the "
                "arrays' norms.", _clip_variant(norm_of=lambda grads: float(sum(np.linalg.norm(g)
                                                                                for g in grads.values())))),
        Mistake("return the norm before clipping (what the gradient was), as PyTorch's clip_grad_norm_ does.",
                _clip_variant(norm_after=True)),
        Mistake("that is clipping by value, each entry to [−c, c] (np.clip): it changes the direction. Clipping "
                "by the global norm scales all entries by one factor.", _clip_variant(by_value=True)),
        Mistake("return two things: the clipped gradients (a dict) and the norm before clipping.",
                lambda grads, max_norm: nn.clip_by_global_norm(grads, max_norm)[0]),
    ]
    _compare_with_dicts("clip_by_global_norm", clip_by_global_norm, nn.clip_by_global_norm, cases, mistakes,
                        parts=("clipped", "norm"),
                        hidden=[(nn, "clip_by_global_norm", "nn.clip_by_global_norm"), (nn, "global_norm", "nn.global_norm")],
                        hint="‖g‖ = √(Σ over every array of Σ g²); every array times min(1, c/(‖g‖ + 1e-6)); "
                             "return (clipped, ‖g‖).")


def _train_step(params, state, X, y, optimizer, max_norm, *, clip=True, by_hand=False, loss_after=False):
    """The reference (and, with a keyword, a mistake): loss and grads, clipping, one update."""
    loss, grads = nn.loss_and_grads(params, X, y)
    if max_norm is not None and clip:
        grads, _ = nn.clip_by_global_norm(grads, max_norm)
    if by_hand:
        new_params = {key: params[key] - optimizer.lr * grads[key] for key in params}
        new_state = {**state, "t": state["t"] + 1}
    else:
        new_params, new_state = optimizer.update(params, grads, state)
    if loss_after:
        loss = nn.loss_and_grads(new_params, X, y)[0]
    return new_params, new_state, loss


@checker
def check_train_step(train_step) -> None:
    """train_step(params, state, X, y, optimizer, max_norm) = (params', state', loss): loss and gradients of the
    batch, clipped to max_norm (None: no clipping), then optimizer.update.

    Here the task is putting the parts together: calling the learner's own functions or course_lib.nn's
    (whose checks the learner's versions have passed) is allowed, and optimizer.update is asked for."""
    __tracebackhide__ = True
    rng = np.random.default_rng(21)
    params = nn.init_mlp([6, 5, 3], rng)
    X, y = rng.normal(size=(8, 6)).round(2), rng.integers(0, 3, size=8)
    sgd, adam = SGD(lr=0.5), Adam(lr=0.01)
    later = adam.init(params)
    later_params = params
    for _ in range(3):
        later_params, later = adam.update(later_params, nn.loss_and_grads(later_params, X, y)[1], later)

    def step(label, optimizer, max_norm, at=(params, None), rows=slice(None), hint=""):
        start, state = at
        return Case(label, {"params": start, "state": optimizer.init(start) if state is None else state,
                            "X": X[rows], "y": y[rows], "optimizer": optimizer, "max_norm": max_norm}, hint)

    cases = [
        step("SGD, no clipping", sgd, None,
             hint="with max_norm = None the gradients go to the optimizer as they are."),
        step("SGD, clipped at 0.1", sgd, 0.1),
        step("Adam, clipped at 0.1, its first step", adam, 0.1),
        step("Adam, a later step (t = 4)", adam, 0.1, at=(later_params, later)),
        step("SGD, a batch of 1", sgd, 0.1, rows=slice(0, 1)),
    ]
    mistakes = [
        Mistake("clip the gradients when max_norm is given: grads, _ = clip_by_global_norm(grads, max_norm), "
                "before the update.", lambda *args: _train_step(*args, clip=False)),
        Mistake("let the optimizer take the step: params, state = optimizer.update(params, grads, state). "
                "θ − η·g is SGD's step only; Adam's divides by √v̂ and keeps m and v in the state.",
                lambda *args: _train_step(*args, by_hand=True)),
        Mistake("return the loss of the batch before the update, the loss the gradients belong to (what "
                "nn.train records as batch_loss).", lambda *args: _train_step(*args, loss_after=True)),
        Mistake("return the new state that optimizer.update gives, not the old one: it holds the step count t "
                "and the optimizer's averages.",
                lambda params, state, *rest: (lambda p, s, loss: (p, state, loss))(*_train_step(params, state, *rest))),
        Mistake("return (params, state, loss) in this order.",
                lambda *args: (lambda p, s, loss: (p, loss, s))(*_train_step(*args))),
        Mistake("use the state you are given: made anew with optimizer.init(params) at every step, Adam forgets its "
                "averages and its step count (each step is a first step).",
                lambda params, state, *rest: _train_step(params, rest[2].init(params), *rest)),
    ]
    _compare_with_dicts("train_step", train_step, _train_step, cases, mistakes,
                        parts=("params", "state", "loss"),
                        hint="loss, grads = mlp_loss_and_grads(params, X, y); clip when max_norm is not None; "
                             "params, state = optimizer.update(params, grads, state); return (params, state, loss).")
