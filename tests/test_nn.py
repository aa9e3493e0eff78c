"""The numpy MLP of lesson 08: its backward pass against finite differences (and against PyTorch's
autograd when torch is installed), a stable softmax cross-entropy, gradient clipping as PyTorch
does it, and a training loop that every optimizer of course_lib can drive and that reports
divergence instead of warning about it."""

import warnings

import numpy as np
import pytest

from course_lib import nn
from course_lib.optim import ALL_OPTIMIZERS, SGD, Adam

ARCHITECTURES = [[64, 32, 10], [5, 8, 6, 3]]


def random_problem(sizes, n=32, seed=0):
    """An MLP and n random rows with random labels.

    The biases are moved off their initial 0: with b = 0, a row whose inputs to a layer are all 0
    (every ReLU below it off) puts that layer's pre-activations exactly on the ReLU kink.
    """
    rng = np.random.default_rng(seed)
    params = nn.init_mlp(sizes, rng)
    for name in params:
        if name.startswith("b"):
            params[name] = 0.1 * rng.standard_normal(params[name].shape)
    X = rng.standard_normal((n, sizes[0]))
    y = rng.integers(0, sizes[-1], n)
    return params, X, y


def separable_problem(n=300, seed=0):
    """Two classes split by a line through the origin: an MLP should learn it almost perfectly."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 8))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, y


# -- the network ---------------------------------------------------------------------------------

def test_init_mlp_has_one_weight_matrix_and_zero_bias_per_layer_with_he_scale():
    params = nn.init_mlp([400, 300, 200, 10], np.random.default_rng(0))
    assert {name: theta.shape for name, theta in params.items()} == {
        "W1": (400, 300), "b1": (300,), "W2": (300, 200), "b2": (200,), "W3": (200, 10), "b3": (10,)}
    for layer in (1, 2, 3):
        np.testing.assert_array_equal(params[f"b{layer}"], 0.0)
    np.testing.assert_allclose(params["W1"].std(), np.sqrt(2 / 400), rtol=0.01)
    np.testing.assert_allclose(params["W2"].std(), np.sqrt(2 / 300), rtol=0.01)
    np.testing.assert_allclose(params["W3"].std(), 0.1 * np.sqrt(2 / 200), rtol=0.05)


def test_randomness_comes_only_from_the_generator_passed_in():
    global_state = np.random.get_state()[1].copy()
    first = nn.init_mlp([6, 5, 3], np.random.default_rng(7))
    X, y = separable_problem(40)
    params = nn.init_mlp([8, 5, 2], np.random.default_rng(1))
    trained = [nn.train(params, SGD(lr=0.1), X, y, epochs=2, batch_size=8, rng=np.random.default_rng(3))[0]
               for _ in range(2)]
    np.testing.assert_array_equal(np.random.get_state()[1], global_state)
    for name, theta in nn.init_mlp([6, 5, 3], np.random.default_rng(7)).items():
        np.testing.assert_array_equal(theta, first[name])
    for name in params:
        np.testing.assert_array_equal(trained[0][name], trained[1][name])


def test_loss_at_initialization_is_about_log_of_the_number_of_classes():
    rng = np.random.default_rng(0)
    params = nn.init_mlp([64, 32, 10], rng)
    X, y = rng.standard_normal((500, 64)), rng.integers(0, 10, 500)
    loss, _ = nn.loss_and_grads(params, X, y)
    assert abs(loss - np.log(10)) < 0.05


def test_grads_have_the_keys_and_shapes_of_the_params_and_nothing_is_mutated():
    params, X, y = random_problem([5, 8, 6, 3])
    copies = {name: theta.copy() for name, theta in params.items()}
    X_copy = X.copy()
    _, grads = nn.loss_and_grads(params, X, y, weight_decay=0.1)
    assert list(grads) == list(params)
    assert all(grads[name].shape == params[name].shape for name in params)
    for name in params:
        np.testing.assert_array_equal(params[name], copies[name])
    np.testing.assert_array_equal(X, X_copy)


def test_relu_and_its_gradient_take_0_at_the_kink_as_torch_does():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(nn.relu(z), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(nn.relu_gradient(z), [0.0, 0.0, 1.0])


def test_predict_and_accuracy_follow_the_largest_logit():
    params, X, y = random_problem([5, 8, 6, 3], n=50)
    logits, cache = nn.forward(params, X)
    assert logits.shape == (50, 3) and len(cache) == 3
    np.testing.assert_array_equal(nn.predict(params, X), np.argmax(logits, axis=1))
    assert nn.accuracy(params, X, y) == np.mean(np.argmax(logits, axis=1) == y)


# -- softmax cross-entropy -----------------------------------------------------------------------

def test_cross_entropy_equals_the_naive_formula_on_moderate_logits():
    rng = np.random.default_rng(0)
    logits = 3 * rng.standard_normal((20, 7))
    y = rng.integers(0, 7, 20)
    naive_probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(nn.softmax(logits), naive_probabilities, rtol=1e-13)
    np.testing.assert_allclose(nn.cross_entropy(logits, y),
                               -np.mean(np.log(naive_probabilities[np.arange(20), y])), rtol=1e-13)


def test_cross_entropy_stays_finite_and_right_for_huge_logits():
    logits = np.array([[1000.0, 0.0, -1000.0], [1000.0, 999.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the naive formula would overflow: exp(1000) = inf
        probabilities = nn.softmax(logits)
        right = nn.cross_entropy(logits, [0, 0])
        wrong = nn.cross_entropy(logits, [2, 2])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    # row 1: p = 1; row 2: p = 1 / (1 + e^-1), so -log p = log(1 + e^-1)
    np.testing.assert_allclose(right, np.log1p(np.exp(-1.0)) / 2, rtol=1e-12)
    np.testing.assert_allclose(wrong, (2000.0 + 1000.0 + np.log1p(np.exp(-1.0))) / 2, rtol=1e-12)


# -- the gradient check --------------------------------------------------------------------------

@pytest.mark.parametrize("sizes", ARCHITECTURES, ids=str)
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_gradient_check_passes_for_the_backward_pass(sizes, weight_decay):
    # A right derivative that is itself tiny (~1e-6) can show a relative error ~1e-6 from
    # round-off alone (gradient_check's docstring); about one such draw in ten has one among its
    # 80 coordinates. These data have none, so any error above 1e-7 or so would be a real one.
    params, X, y = random_problem(sizes, n=32, seed=3)
    errors = nn.gradient_check(params, X, y, coordinates=20, weight_decay=weight_decay)
    assert list(errors) == list(params)
    assert all(error < 1e-6 for error in errors.values()), errors   # NaN fails too


def test_gradient_check_catches_a_backward_pass_without_the_relu_mask(monkeypatch):
    params, X, y = random_problem([5, 8, 6, 3])
    monkeypatch.setattr(nn, "relu_gradient", lambda z: np.ones_like(z))
    errors = nn.gradient_check(params, X, y)
    # the last layer's gradient needs no ReLU derivative and stays right; the layers below do not
    assert errors["W3"] < 1e-6 and errors["b3"] < 1e-6
    assert min(errors["W1"], errors["b1"], errors["W2"], errors["b2"]) > 1e-2, errors


def test_gradient_check_catches_a_sum_instead_of_a_mean(monkeypatch):
    params, X, y = random_problem([5, 8, 6, 3])
    right = nn.loss_and_grads

    def forgets_the_one_over_n(params, X, y, weight_decay=0.0):
        loss, grads = right(params, X, y, weight_decay)
        return loss, {name: len(X) * g for name, g in grads.items()}

    monkeypatch.setattr(nn, "loss_and_grads", forgets_the_one_over_n)
    errors = nn.gradient_check(params, X, y)
    assert min(errors.values()) > 0.9  # (n − 1) / (n + 1) for n = 32


def test_gradient_check_skips_coordinates_where_a_relu_kink_is_within_epsilon():
    params, X, y = random_problem([5, 8, 6, 3])
    # put row 0's pre-activation of hidden unit j exactly on the kink z = 0 of its ReLU
    j = 2
    params["b1"][j] = -(X @ params["W1"])[0, j]
    _, cache = nn.forward(params, X)
    assert cache[0][1][0, j] == 0.0

    # the plain central difference in b1[j] averages the two slopes of the corner ...
    epsilon = 1e-5
    _, grads = nn.loss_and_grads(params, X, y)
    plus, minus = params.copy(), params.copy()
    plus["b1"], minus["b1"] = params["b1"].copy(), params["b1"].copy()
    plus["b1"][j] += epsilon
    minus["b1"][j] -= epsilon
    numerical = (nn.loss_and_grads(plus, X, y)[0] - nn.loss_and_grads(minus, X, y)[0]) / (2 * epsilon)
    assert abs(numerical - grads["b1"][j]) / (abs(numerical) + abs(grads["b1"][j])) > 1e-3

    # ... so the check leaves it out, and every other coordinate of b1 agrees
    errors = nn.gradient_check(params, X, y, epsilon=epsilon, coordinates=8)
    assert errors["b1"] < 1e-6


def test_gradient_check_reports_nan_when_no_coordinate_can_be_checked():
    params = nn.init_mlp([5, 8, 6, 3], np.random.default_rng(0))   # biases 0
    X = np.random.default_rng(1).standard_normal((10, 5))
    X[0] = 0.0   # row 0: z¹ = b¹ = 0, every first-layer ReLU exactly at its kink
    errors = nn.gradient_check(params, X, np.arange(10) % 3)
    # b¹ is on the kink, and so is b² behind it (z² = ReLU(0) W² + b² = 0); the weights are not,
    # since their inputs in row 0 are 0 and moving them does not move z
    assert np.isnan(errors["b1"]) and np.isnan(errors["b2"])
    assert all(errors[name] < 1e-6 for name in ["W1", "W2", "W3", "b3"]), errors


# -- gradient clipping ---------------------------------------------------------------------------

def some_grads(scale):
    rng = np.random.default_rng(5)
    return {"W1": scale * rng.standard_normal((4, 3)), "b1": scale * rng.standard_normal(3),
            "W2": scale * rng.standard_normal((3, 2)), "b2": scale * rng.standard_normal(2)}


def test_clipping_leaves_a_gradient_below_the_maximum_unchanged():
    grads = some_grads(0.1)
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    clipped, reported = nn.clip_by_global_norm(grads, max_norm=1.0)
    assert reported == pytest.approx(norm, rel=1e-14) and norm < 1.0
    for name in grads:
        np.testing.assert_array_equal(clipped[name], grads[name])


def test_clipping_scales_a_large_gradient_to_the_maximum_keeping_its_direction():
    grads = some_grads(10.0)
    originals = {name: g.copy() for name, g in grads.items()}
    clipped, norm = nn.clip_by_global_norm(grads, max_norm=1.0)
    assert norm > 10
    assert nn.global_norm(clipped) == pytest.approx(norm / (norm + 1e-6), rel=1e-14)   # torch's factor
    assert nn.global_norm(clipped) == pytest.approx(1.0, abs=1e-6)
    factor = clipped["W1"][0, 0] / grads["W1"][0, 0]
    for name in grads:
        np.testing.assert_allclose(clipped[name], factor * grads[name], rtol=1e-14)   # same direction
        np.testing.assert_array_equal(grads[name], originals[name])                   # input not mutated
        assert clipped[name] is not grads[name]


def test_clipping_works_on_a_single_array_too():
    clipped, norm = nn.clip_by_global_norm(np.array([3.0, 4.0]), max_norm=1.0)
    assert norm == 5.0
    np.testing.assert_allclose(clipped, np.array([0.6, 0.8]) * 5 / (5 + 1e-6), rtol=1e-15)


# -- against PyTorch -----------------------------------------------------------------------------

@pytest.mark.torch
@pytest.mark.parametrize("sizes", ARCHITECTURES, ids=str)
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_loss_and_grads_equal_torch_autograd(sizes, weight_decay):
    torch = pytest.importorskip("torch")
    params, X, y = random_problem(sizes, n=40, seed=3)
    params = {name: theta + 0.1 for name, theta in params.items()}  # non-zero biases
    loss, grads = nn.loss_and_grads(params, X, y, weight_decay=weight_decay)

    tensors = {name: torch.tensor(theta, requires_grad=True) for name, theta in params.items()}
    layers = len(sizes) - 1
    a = torch.tensor(X)
    for layer in range(1, layers + 1):
        z = a @ tensors[f"W{layer}"] + tensors[f"b{layer}"]
        a = torch.relu(z) if layer < layers else z
    torch_loss = torch.nn.functional.cross_entropy(a, torch.tensor(y))
    torch_loss = torch_loss + 0.5 * weight_decay * sum((t**2).sum() for t in tensors.values())
    torch_loss.backward()

    assert loss == pytest.approx(torch_loss.item(), rel=1e-13)
    for name in params:
        np.testing.assert_allclose(grads[name], tensors[name].grad.numpy(), rtol=1e-11, atol=1e-15)


@pytest.mark.torch
@pytest.mark.parametrize("scale", [0.1, 10.0, 1e4])
@pytest.mark.parametrize("max_norm", [0.5, 1.0])
def test_clipping_equals_torch_clip_grad_norm(scale, max_norm):
    torch = pytest.importorskip("torch")
    grads = some_grads(scale)
    clipped, norm = nn.clip_by_global_norm(grads, max_norm)
    tensors = []
    for g in grads.values():
        tensor = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        tensor.grad = torch.tensor(g)
        tensors.append(tensor)
    torch_norm = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    assert norm == pytest.approx(torch_norm.item(), rel=1e-14)
    for name, tensor in zip(grads, tensors):
        np.testing.assert_allclose(clipped[name], tensor.grad.numpy(), rtol=1e-14)


@pytest.mark.torch
def test_clipping_a_norm_just_below_the_maximum_scales_it_as_torch_does():
    torch = pytest.importorskip("torch")
    g = np.array([1.0 - 5e-7])  # norm + 1e-6 > max_norm: torch's factor is just below 1
    clipped, _ = nn.clip_by_global_norm({"g": g}, 1.0)
    tensor = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    tensor.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_norm_([tensor], 1.0)
    assert clipped["g"][0] < g[0]
    assert clipped["g"][0] == pytest.approx(tensor.grad.item(), rel=1e-15)


# -- training ------------------------------------------------------------------------------------

def test_l2_in_the_loss_with_sgd_is_sgd_with_weight_decay():
    params, X, y = random_problem([5, 8, 6, 3])
    _, grads_with_l2 = nn.loss_and_grads(params, X, y, weight_decay=0.1)
    _, grads = nn.loss_and_grads(params, X, y)
    through_the_loss, _ = SGD(lr=0.5).update(params, grads_with_l2, SGD(lr=0.5).init(params))
    through_the_optimizer, _ = SGD(lr=0.5, weight_decay=0.1).update(params, grads, SGD().init(params))
    for name in params:
        np.testing.assert_allclose(through_the_loss[name], through_the_optimizer[name], rtol=1e-15)


def test_each_epoch_visits_every_row_once_in_a_new_order(monkeypatch):
    X, y = separable_problem(50)
    params = nn.init_mlp([8, 4, 2], np.random.default_rng(0))
    batches, right = [], nn.loss_and_grads

    def recording(params, X_batch, y_batch, weight_decay=0.0):
        batches.append(X_batch[:, 0].copy())   # the rows, recognised by their first feature
        return right(params, X_batch, y_batch, weight_decay)

    monkeypatch.setattr(nn, "loss_and_grads", recording)
    nn.train(params, SGD(lr=0.1), X, y, epochs=3, batch_size=16, rng=np.random.default_rng(1))
    assert [len(batch) for batch in batches] == [16, 16, 16, 2] * 3
    epochs = [np.concatenate(batches[4 * k:4 * k + 4]) for k in range(3)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.sort(X[:, 0]))
    assert not np.array_equal(epochs[0], epochs[1]) and not np.array_equal(epochs[1], epochs[2])


def test_full_batch_training_is_plain_gradient_descent():
    X, y = separable_problem(60)
    params = nn.init_mlp([8, 4, 2], np.random.default_rng(0))
    trained, history = nn.train(params, SGD(lr=0.5), X, y, epochs=3, batch_size=60, rng=np.random.default_rng(1))
    by_hand = params
    for _ in range(3):
        _, grads = nn.loss_and_grads(by_hand, X, y)
        by_hand = {name: by_hand[name] - 0.5 * grads[name] for name in by_hand}
    for name in params:
        np.testing.assert_allclose(trained[name], by_hand[name], rtol=1e-14)
    np.testing.assert_allclose(history["batch_loss"], history["train_loss"][:-1], rtol=1e-14)


@pytest.mark.parametrize("optimizer", [SGD(lr=0.1), Adam(lr=0.01)], ids=repr)
def test_training_learns_a_separable_problem(optimizer):
    X, y = separable_problem(300)
    X_val, y_val = separable_problem(200, seed=1)
    params = nn.init_mlp([8, 16, 2], np.random.default_rng(0))
    params, history = nn.train(params, optimizer, X, y, epochs=20, batch_size=32,
                               rng=np.random.default_rng(1), X_val=X_val, y_val=y_val)
    assert history["diverged_at"] is None
    assert history["train_loss"][-1] < 0.2 * history["train_loss"][0]
    assert history["val_accuracy"][-1] > 0.9
    assert history["train_loss"].shape == history["val_loss"].shape == (21,)
    assert history["grad_norm"].shape == history["batch_loss"].shape == (20 * 10,)   # ⌈300 / 32⌉ = 10
    assert history["train_loss"][-1] == pytest.approx(nn.loss_and_grads(params, X, y)[0], rel=1e-12)


def test_a_huge_learning_rate_is_reported_as_diverged_without_warnings():
    X, y = separable_problem(300)
    params = nn.init_mlp([8, 16, 2], np.random.default_rng(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, history = nn.train(params, SGD(lr=1e3), X, y, epochs=20, batch_size=32, rng=np.random.default_rng(1))
    # it stops at the step the loss blew up, within the first epoch of 10 steps, and records
    # nothing past it
    assert history["diverged_at"] is not None and history["diverged_at"] < 10
    assert len(history["batch_loss"]) == len(history["grad_norm"]) == history["diverged_at"]
    assert np.all(history["batch_loss"] <= 1e6) and len(history["train_loss"]) == 1


def test_clipping_tames_an_exploding_run():
    X, y = separable_problem(300)
    runs = {}
    for clip in (None, 1.0):
        params = nn.init_mlp([8, 16, 2], np.random.default_rng(0))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            runs[clip] = nn.train(params, SGD(lr=10.0), X, y, epochs=20, batch_size=32,
                                  rng=np.random.default_rng(1), clip=clip)[1]
    assert runs[None]["diverged_at"] is not None
    assert runs[1.0]["diverged_at"] is None
    assert runs[1.0]["train_loss"][-1] < runs[1.0]["train_loss"][0]
    assert runs[1.0]["grad_norm"].max() > 1.0  # clipping did have something to clip


@pytest.mark.parametrize("optimizer_class", ALL_OPTIMIZERS, ids=lambda cls: cls.__name__)
def test_every_optimizer_trains_the_mlp_with_its_dict_of_params(optimizer_class):
    X, y = separable_problem(100)
    params = nn.init_mlp([8, 6, 2], np.random.default_rng(0))
    trained, history = nn.train(params, optimizer_class(), X, y, epochs=3, batch_size=20,
                                rng=np.random.default_rng(1))
    assert history["diverged_at"] is None and len(history["grad_norm"]) == 15
    assert list(trained) == list(params)
    for name in params:
        assert trained[name].shape == params[name].shape and trained[name].dtype == np.float64
        assert np.all(np.isfinite(trained[name])) and not np.array_equal(trained[name], params[name])
    assert history["train_loss"][-1] < history["train_loss"][0]


# -- bad input -----------------------------------------------------------------------------------

def bad_calls():
    params, X, y = random_problem([5, 8, 6, 3], n=10)
    optimizer, rng = SGD(), np.random.default_rng(0)
    X_nan = X.copy()
    X_nan[3, 2] = np.nan
    return [
        ("has 9 labels but there are 10 rows", lambda: nn.loss_and_grads(params, X, y[:9])),
        ("contains the label 3; labels must be in 0..2", lambda: nn.loss_and_grads(params, X, np.full(10, 3))),
        ("contains the label -1", lambda: nn.accuracy(params, X, np.full(10, -1))),
        ("integer class labels", lambda: nn.loss_and_grads(params, X, y.astype(float))),
        ("has 4 features per row but W1 expects 5", lambda: nn.forward(params, X[:, :4])),
        ("must be finite", lambda: nn.predict(params, X_nan)),
        ("2-D array", lambda: nn.forward(params, X[0])),
        ("keys", lambda: nn.forward({"W1": params["W1"], "bias": params["b1"]}, X)),
        ("W2 has 8 inputs but layer 1 has 4 outputs",
         lambda: nn.forward({**params, "W1": params["W1"][:, :4], "b1": params["b1"][:4]}, X)),
        ("sizes must be a list", lambda: nn.init_mlp([64], rng)),
        ("sizes must be a list", lambda: nn.init_mlp([64, 0, 10], rng)),
        ("rng must be a numpy random generator", lambda: nn.init_mlp([4, 2], 0)),
        ("max_norm must be a finite number > 0", lambda: nn.clip_by_global_norm({"g": X}, 0.0)),
        ("weight_decay must be a finite number ≥ 0", lambda: nn.loss_and_grads(params, X, y, weight_decay=-1)),
        ("epsilon must be a finite number > 0", lambda: nn.gradient_check(params, X, y, epsilon=0)),
        ("optimizer must be one of", lambda: nn.train(params, "adam", X, y, 1, 4, rng)),
        ("batch_size must be a whole number ≥ 1", lambda: nn.train(params, optimizer, X, y, 1, 0, rng)),
        ("rng must be a numpy random generator", lambda: nn.train(params, optimizer, X, y, 1, 4, 0)),
        ("clip must be a finite number > 0", lambda: nn.train(params, optimizer, X, y, 1, 4, rng, clip=-1.0)),
        ("give both X_val and y_val", lambda: nn.train(params, optimizer, X, y, 1, 4, rng, X_val=X)),
        ("y_val has 9 labels", lambda: nn.train(params, optimizer, X, y, 1, 4, rng, X_val=X, y_val=y[:9])),
        ("X_val must be finite", lambda: nn.train(params, optimizer, X, y, 1, 4, rng, X_val=X_nan, y_val=y)),
    ]


@pytest.mark.parametrize("message, call", bad_calls(), ids=[message for message, _ in bad_calls()])
def test_bad_input_raises_a_clear_value_error(message, call):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        call()
