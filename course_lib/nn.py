r"""A tiny neural network in numpy for lesson 08: a multi-layer perceptron (MLP) for classification.

The network. An input row x (one image, 64 pixels) goes through L dense layers; every layer but
the last is followed by a ReLU, and the last one gives one score (logit) per class:

.. math::
    a^0 = X, \qquad z^l = a^{l-1} W^l + b^l, \qquad a^l = \mathrm{ReLU}(z^l) = \max(z^l, 0)
    \quad (l < L), \qquad \text{logits} = z^L

The loss. Softmax turns the logits into probabilities, and the loss is the mean cross-entropy,
−log of the probability given to the right class y_i, over the n rows of the batch:

.. math::
    p_{ik} = \frac{e^{z^L_{ik}}}{\sum_j e^{z^L_{ij}}}, \qquad
    \mathcal L = -\frac1n \sum_i \log p_{i, y_i}

The gradients (backpropagation: the chain rule, from the loss back to the first layer). δˡ is
the gradient of the loss with respect to zˡ:

.. math::
    \delta^L = \frac{p - \mathrm{onehot}(y)}{n}, \qquad
    \frac{\partial\mathcal L}{\partial W^l} = (a^{l-1})^\top \delta^l, \qquad
    \frac{\partial\mathcal L}{\partial b^l} = \sum_i \delta^l_i, \qquad
    \delta^{l-1} = (\delta^l\, (W^l)^\top) \odot \mathbf 1[z^{l-1} > 0]

The parameters are a dict ``{"W1": (64, h), "b1": (h,), "W2": (h, 10), "b2": (10,)}`` (one W and
one b per layer), so every optimizer of `course_lib.optim` trains the network unchanged:

    >>> import numpy as np
    >>> from course_lib.nn import init_mlp, loss_and_grads, gradient_check, train, accuracy
    >>> from course_lib.optim import Adam
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((500, 64))
    >>> y = np.argmax(X[:, :10], axis=1)                 # 10 classes a network can learn
    >>> params = init_mlp([64, 32, 10], rng)
    >>> loss, grads = loss_and_grads(params, X, y)
    >>> print(f"{loss:.3f} vs log 10 = {np.log(10):.3f}")  # the first guesses are nearly uniform
    2.298 vs log 10 = 2.303
    >>> errors = gradient_check(params, X[:50], y[:50])    # backward against finite differences
    >>> print(max(errors.values()) < 1e-6)
    True
    >>> params, history = train(params, Adam(lr=0.01), X, y, epochs=20, batch_size=32, rng=rng)
    >>> print(f"accuracy {accuracy(params, X, y):.2f}")
    accuracy 1.00

The optimizers own weight decay (``SGD(weight_decay=...)``, `AdamW`), so the loss here has no L2
term unless you ask for one with ``loss_and_grads(..., weight_decay=ω)``.
"""

from __future__ import annotations

import numbers

import numpy as np

from .optimizer_base import Optimizer

__all__ = ["init_mlp", "forward", "relu", "relu_gradient", "softmax", "cross_entropy", "loss_and_grads",
           "predict", "accuracy", "gradient_check", "global_norm", "clip_by_global_norm", "train"]


# -- the network ---------------------------------------------------------------------------------

def init_mlp(sizes, rng: np.random.Generator) -> dict:
    """Random parameters for an MLP with layer widths `sizes`, e.g. [64, 32, 10].

    Returns {"W1": (64, 32), "b1": (32,), "W2": (32, 10), "b2": (10,)}: float64, biases 0.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy random generator, e.g. np.random.default_rng(0), got {rng!r}")
    if (not isinstance(sizes, (list, tuple)) or len(sizes) < 2
            or not all(isinstance(size, numbers.Integral) and not isinstance(size, bool) and size >= 1
                       for size in sizes)):
        raise ValueError(f"sizes must be a list of at least two whole numbers ≥ 1 (input width, ..., "
                         f"number of classes), got {sizes!r}")
    layers = len(sizes) - 1
    params = {}
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        # He initialization (He et al., 2015): weights of standard deviation √(2 / fan_in). A sum of
        # fan_in terms has variance fan_in · Var(W) · E[a²], and a ReLU zeroes about half of its
        # inputs (E[ReLU(z)²] = Var(z) / 2); the factor 2 makes up for that half, so the signal
        # keeps its size from layer to layer instead of shrinking or growing geometrically.
        std = np.sqrt(2.0 / fan_in)
        if layer == layers:
            # No ReLU follows the output layer. Starting it 10× smaller makes the first logits
            # nearly equal, so the first guesses are nearly uniform and the loss starts at
            # ≈ log(classes): the first sanity check of any classifier.
            std *= 0.1
        params[f"W{layer}"] = std * rng.standard_normal((fan_in, fan_out))
        params[f"b{layer}"] = np.zeros(fan_out)
    return params


def relu(z: np.ndarray) -> np.ndarray:
    """max(z, 0), element by element."""
    return np.maximum(z, 0.0)


def relu_gradient(z: np.ndarray) -> np.ndarray:
    """The derivative of ReLU: 1 where z > 0, else 0 (at the kink z = 0 we take 0, as PyTorch does)."""
    return (z > 0).astype(z.dtype)


def forward(params: dict, X) -> tuple[np.ndarray, list]:
    """The logits (n, classes) of the rows of X, and the cache the backward pass needs.

    The cache holds, for each layer l = 1..L, the pair (a^{l-1}, z^l): the layer's input and its
    pre-activation.
    """
    X = _check_inputs(params, X)
    layers = len(params) // 2
    cache = []
    a = X
    for layer in range(1, layers + 1):
        z = a @ params[f"W{layer}"] + params[f"b{layer}"]
        cache.append((a, z))
        a = relu(z) if layer < layers else z
    logits = a
    return logits, cache


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    """log p, computed as z − max z − log Σ exp(z − max z) (the log-sum-exp trick).

    Subtracting the row's largest logit changes nothing mathematically (the factor e^{−max}
    cancels between numerator and denominator) but keeps every exponent ≤ 0: exp never overflows
    (e^{1000} = inf in float64), and the largest term is e⁰ = 1, so the sum is ≥ 1 and its log
    is finite.
    """
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def softmax(logits) -> np.ndarray:
    """The probabilities p_ik = exp(z_ik) / Σ_j exp(z_ij) of each row of logits (n, classes)."""
    return np.exp(_log_softmax(np.asarray(logits, dtype=float)))


def cross_entropy(logits, y) -> float:
    """The mean over the rows of −log p_{i, y_i}: the loss of a classifier with these logits."""
    logits = np.asarray(logits, dtype=float)
    if logits.ndim != 2:
        raise ValueError(f"logits must be a 2-D array (examples, classes), got shape {logits.shape}")
    y = _check_labels(y, len(logits), logits.shape[1])
    log_probabilities = _log_softmax(logits)
    return float(-np.mean(log_probabilities[np.arange(len(y)), y]))


def loss_and_grads(params: dict, X, y, weight_decay: float = 0.0) -> tuple[float, dict]:
    """The mean cross-entropy on (X, y), and its gradient: a dict with the keys and shapes of params.

    weight_decay: ω of an L2 penalty ½ ω Σ ‖θ‖² over every array, biases included, as the
    optimizers' ``weight_decay`` (and PyTorch's) apply it; with SGD the two give the same steps.
    Leave it at 0 when the optimizer does the decay.
    """
    weight_decay = _check_non_negative("weight_decay", weight_decay)
    logits, cache = forward(params, X)
    n, classes = logits.shape
    y = _check_labels(y, n, classes)
    loss = cross_entropy(logits, y)

    # Backward, from the loss to the first layer. Softmax and cross-entropy together have the
    # simple gradient δᴸ = dL/dlogits = (p − onehot(y)) / n: the 1/n because L is a mean.
    probabilities = softmax(logits)
    one_hot = np.eye(classes)[y]                      # row i: 1 in column y_i, 0 elsewhere
    delta = (probabilities - one_hot) / n
    grads = {}
    for layer in range(len(cache), 0, -1):
        a, _ = cache[layer - 1]
        grads[f"W{layer}"] = a.T @ delta              # dL/dWˡ = aˡ⁻¹ᵀ δˡ
        grads[f"b{layer}"] = delta.sum(axis=0)        # dL/dbˡ = Σᵢ δˡᵢ (b is added to every row)
        if layer > 1:
            _, z_below = cache[layer - 2]
            # δˡ⁻¹ = (δˡ Wˡᵀ) ⊙ 1[zˡ⁻¹ > 0]: back through the weights, then through the ReLU,
            # which passes the gradient where it was on and blocks it where it output 0
            delta = (delta @ params[f"W{layer}"].T) * relu_gradient(z_below)
    grads = {name: grads[name] for name in params}   # the same key order as params

    if weight_decay:
        # L = cross-entropy + ½ ω Σ ‖θ‖², so every gradient gains ω θ
        loss += weight_decay * _half_squared_norm(params)
        grads = {name: grads[name] + weight_decay * params[name] for name in params}
    return loss, grads


def _half_squared_norm(params: dict) -> float:
    """½ Σ ‖θ‖² over every array of params."""
    return 0.5 * sum(float(np.sum(np.square(theta))) for theta in params.values())


def predict(params: dict, X) -> np.ndarray:
    """The predicted class of each row of X: the one with the largest logit."""
    logits, _ = forward(params, X)
    return np.argmax(logits, axis=1)


def accuracy(params: dict, X, y) -> float:
    """The fraction of rows of X whose predicted class is y."""
    logits, _ = forward(params, X)
    y = _check_labels(y, len(logits), logits.shape[1])
    return float(np.mean(np.argmax(logits, axis=1) == y))


# -- checking the backward pass ------------------------------------------------------------------

def gradient_check(params: dict, X, y, epsilon: float = 1e-5, coordinates: int = 10, seed: int = 0,
                   weight_decay: float = 0.0) -> dict:
    """Compare `loss_and_grads` with central finite differences; returns {name: max relative error}.

    For `coordinates` randomly chosen entries θ of each array (all of them if the array is
    smaller; chosen by ``np.random.default_rng(seed)``), the numerical derivative is

        (L(θ + ε) − L(θ − ε)) / (2ε)

    and the relative error is the standard

        |analytic − numerical| / max(|analytic| + |numerical|, 1e-300).

    How small to expect it. The difference quotient has two errors: truncation, about
    ε² · |third derivative| / 6, which wants ε small; and round-off, about 1e-16 · L / ε (L is
    known to 16 digits only, and subtracting two nearby values keeps its error but not its
    digits), which wants ε large. ε = 1e-5, near the cube root of float64's precision, balances
    the two at ~1e-11. A correct backward pass then gives relative errors of 1e-9 to 1e-7 (the
    check runs in float64); a bug gives 1e-2 to 1, and the name of the array points at the layer.
    Two cases to know:

    * a derivative that is itself tiny (say 1e-6) can show 1e-5 although it is right: the ~1e-11
      of round-off is no longer small beside it. Look at its size before hunting for a bug.
    * both derivatives are exactly 0 where a weight has no effect (its ReLU is off for every
      row): the error is then 0.

    ReLU kinks. At z = 0 the ReLU has a corner. If a pre-activation z crosses 0 between θ − ε and
    θ + ε, the difference quotient mixes the slopes of the two sides and disagrees with the
    one-sided derivative the backward pass uses, although both are right. Such coordinates are
    skipped: the check compares the on/off pattern 1[z > 0] of every hidden layer at θ ± ε with
    the one at θ, and uses only coordinates where it is the same (another random entry is taken
    instead). An array none of whose entries can be checked gets NaN, not a pass. That happens
    when a pre-activation sits exactly at 0: a row whose inputs to a layer are all 0 gives
    z = b, which is 0 for the biases of `init_mlp`; move the biases off 0 to check them there.
    """
    epsilon = _check_positive("epsilon", epsilon)
    coordinates = _check_count("coordinates", coordinates, minimum=1)
    params = {name: np.array(theta, dtype=np.float64) for name, theta in _check_params(params).items()}
    _, analytic = loss_and_grads(params, X, y, weight_decay=weight_decay)
    _, relu_pattern = _loss_and_relu_pattern(params, X, y, weight_decay)
    rng = np.random.default_rng(seed)

    errors = {}
    for name, theta in params.items():
        worst, checked = 0.0, 0
        for flat_index in rng.permutation(theta.size):
            if checked == coordinates:
                break
            index = np.unravel_index(flat_index, theta.shape)
            original = theta[index]
            theta[index] = original + epsilon
            loss_plus, pattern_plus = _loss_and_relu_pattern(params, X, y, weight_decay)
            theta[index] = original - epsilon
            loss_minus, pattern_minus = _loss_and_relu_pattern(params, X, y, weight_decay)
            theta[index] = original
            if not (_same_pattern(pattern_plus, relu_pattern) and _same_pattern(pattern_minus, relu_pattern)):
                continue  # a ReLU kink lies within ±ε of this coordinate
            numerical = (loss_plus - loss_minus) / (2 * epsilon)
            exact = analytic[name][index]
            worst = max(worst, abs(exact - numerical) / max(abs(exact) + abs(numerical), 1e-300))
            checked += 1
        errors[name] = float(worst) if checked else float("nan")
    return errors


def _loss_and_relu_pattern(params: dict, X, y, weight_decay: float) -> tuple[float, list]:
    """The loss, and which ReLUs are on, 1[z > 0], in each hidden layer (the last has no ReLU)."""
    logits, cache = forward(params, X)
    loss = cross_entropy(logits, y) + weight_decay * _half_squared_norm(params)
    return loss, [z > 0 for _, z in cache[:-1]]


def _same_pattern(pattern: list, other: list) -> bool:
    return all(np.array_equal(mask, other_mask) for mask, other_mask in zip(pattern, other))


# -- gradient clipping ---------------------------------------------------------------------------

def global_norm(grads) -> float:
    """‖g‖: the Euclidean norm of all the gradient arrays together, as if they were one vector."""
    arrays = grads.values() if isinstance(grads, dict) else [grads]
    return float(np.sqrt(sum(np.sum(np.square(g)) for g in arrays)))


def clip_by_global_norm(grads, max_norm: float) -> tuple:
    """Scale all gradients by one factor so that their global norm is at most `max_norm`.

    Returns (clipped grads, the global norm before clipping). The factor is the one of PyTorch's
    ``torch.nn.utils.clip_grad_norm_`` (torch/nn/utils/clip_grad.py, ``_clip_grads_with_norm_``):

        g ← g · min(max_norm / (‖g‖ + 1e-6), 1)

    The 1e-6 keeps the division finite when ‖g‖ = 0; because of it a clipped norm comes out a
    hair below max_norm. Every array is scaled by the same factor, so the direction of the step
    is kept and only its length is limited. Nothing passed in is changed.
    """
    max_norm = _check_positive("max_norm", max_norm)
    norm = global_norm(grads)
    factor = min(max_norm / (norm + 1e-6), 1.0)
    if isinstance(grads, dict):
        return {name: g * factor for name, g in grads.items()}, norm
    return np.asarray(grads) * factor, norm


# -- training ------------------------------------------------------------------------------------

def train(params: dict, optimizer: Optimizer, X, y, epochs: int, batch_size: int, rng: np.random.Generator,
          X_val=None, y_val=None, clip: float | None = None, blowup: float = 1e6) -> tuple[dict, dict]:
    """Train with mini-batches; returns (params, history).

    Each epoch shuffles the rows with `rng` and takes one optimizer step per mini-batch of
    `batch_size` rows (the last one may be smaller). With `clip`, the gradients are clipped to
    that global norm before each step (`clip_by_global_norm`).

    A run has diverged when a mini-batch's loss or gradient stops being finite, or the loss
    exceeds `blowup` (a uniform guess costs log(classes) ≈ 2.3; a loss of 1e6 means weights
    that have exploded). Training stops there and says so in the history, without numpy's
    overflow warnings.

    history (numpy arrays, except "diverged_at"):
      "train_loss", "train_accuracy":  on all of (X, y), at the start and after each epoch
      "val_loss", "val_accuracy":      the same on (X_val, y_val); empty without them
      "batch_loss", "grad_norm":       per step: the mini-batch's loss, and its gradient norm
                                       before clipping
      "diverged_at":                   None, or the number of updates made when the run
                                       diverged; the params returned are those of that moment
    """
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer must be one of course_lib.optim's optimizers, got {optimizer!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy random generator, e.g. np.random.default_rng(0), got {rng!r}")
    epochs = _check_count("epochs", epochs, minimum=0)
    batch_size = _check_count("batch_size", batch_size, minimum=1)
    if clip is not None:
        clip = _check_positive("clip", clip)
    blowup = _check_positive("blowup", blowup)
    X = _check_inputs(params, X)
    y = _check_labels(y, len(X), _classes(params))
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    splits = {"train": (X, y)}
    if X_val is not None:
        X_val = _check_inputs(params, X_val, "X_val")
        splits["val"] = (X_val, _check_labels(y_val, len(X_val), _classes(params), "y_val"))

    history = {"train_loss": [], "train_accuracy": [], "val_loss": [], "val_accuracy": [],
               "batch_loss": [], "grad_norm": []}

    def record_epoch(params) -> bool:
        """Append the losses and accuracies of params; False if the training loss has diverged."""
        for split, (inputs, labels) in splits.items():
            logits, _ = forward(params, inputs)
            history[f"{split}_loss"].append(cross_entropy(logits, labels))
            history[f"{split}_accuracy"].append(float(np.mean(np.argmax(logits, axis=1) == labels)))
        return not _diverged(history["train_loss"][-1], blowup)

    state = optimizer.init(params)
    updates = 0
    # A diverging run overflows; we detect that ourselves, so numpy need not warn about it.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        healthy = record_epoch(params)
        for _ in range(epochs):
            if not healthy:
                break
            order = rng.permutation(len(X))  # a new shuffle every epoch
            for start in range(0, len(X), batch_size):
                batch = order[start:start + batch_size]
                loss, grads = loss_and_grads(params, X[batch], y[batch])
                norm = global_norm(grads)
                if _diverged(loss, blowup) or not np.isfinite(norm):
                    healthy = False
                    break
                history["batch_loss"].append(loss)
                history["grad_norm"].append(norm)
                if clip is not None:
                    grads, _ = clip_by_global_norm(grads, clip)
                params, state = optimizer.update(params, grads, state)
                updates += 1
            if healthy:
                healthy = record_epoch(params)
    return params, {**{key: np.array(values) for key, values in history.items()},
                    "diverged_at": None if healthy else updates}


def _diverged(loss: float, blowup: float) -> bool:
    return not np.isfinite(loss) or loss > blowup


# -- checks of the inputs ------------------------------------------------------------------------

def _check_params(params) -> dict:
    """params must be {"W1", "b1", ..., "WL", "bL"} with the shapes of a chain of dense layers."""
    if not isinstance(params, dict) or len(params) < 2 or len(params) % 2:
        raise ValueError("params must be a dict {'W1': ..., 'b1': ..., 'W2': ..., ...}, as init_mlp returns")
    layers = len(params) // 2
    expected = {f"{kind}{layer}" for layer in range(1, layers + 1) for kind in "Wb"}
    if set(params) != expected:
        raise ValueError(f"params must have the keys {sorted(expected)} (one W and one b per layer), "
                         f"got {sorted(map(str, params))}")
    for layer in range(1, layers + 1):
        W, b = np.shape(params[f"W{layer}"]), np.shape(params[f"b{layer}"])
        if len(W) != 2 or b != W[1:]:
            raise ValueError(f"W{layer} must be a matrix (inputs, outputs) and b{layer} a vector of its "
                             f"outputs, got shapes {W} and {b}")
        if layer > 1 and W[0] != np.shape(params[f"W{layer - 1}"])[1]:
            raise ValueError(f"W{layer} has {W[0]} inputs but layer {layer - 1} has "
                             f"{np.shape(params[f'W{layer - 1}'])[1]} outputs")
    return params


def _check_inputs(params, X, what: str = "X") -> np.ndarray:
    _check_params(params)
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} must be an array of numbers ({error})") from None
    width = np.shape(params["W1"])[0]
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"{what} must be a 2-D array (examples, features) with at least one row, "
                         f"got shape {X.shape}")
    if X.shape[1] != width:
        raise ValueError(f"{what} has {X.shape[1]} features per row but W1 expects {width}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{what} must be finite; it contains NaN or inf")
    return X


def _check_labels(y, n: int, classes: int, what: str = "y") -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"{what} must be a 1-D array of integer class labels, got dtype {y.dtype} "
                         f"and shape {y.shape}")
    if len(y) != n:
        raise ValueError(f"{what} has {len(y)} labels but there are {n} rows of inputs")
    if n and (y.min() < 0 or y.max() >= classes):
        bad = y[(y < 0) | (y >= classes)][0]
        raise ValueError(f"{what} contains the label {bad}; labels must be in 0..{classes - 1} "
                         f"for a network with {classes} outputs")
    return y


def _classes(params: dict) -> int:
    """The number of outputs of the last layer."""
    return np.shape(params[f"W{len(params) // 2}"])[1]


def _check_non_negative(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")
    return float(value)


def _check_positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _check_count(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return int(value)
