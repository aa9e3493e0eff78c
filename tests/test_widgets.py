"""The explorers (course_lib.widgets), driven from plain Python as a slider move would drive them.

Every test runs with warnings turned into errors: an extreme slider value must give a note in
the status line and the figure, never a traceback or a numpy RuntimeWarning.
"""

import warnings

import ipywidgets
import matplotlib.colors
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import schedules, theory
from course_lib.averages import ema
from course_lib.optim import SGD, Momentum, Nesterov
from course_lib.problems import Quadratic
from course_lib.run import run
from course_lib.widgets import (BatchSizeExplorer, EMAExplorer, ScheduleExplorer, TrajectoryExplorer,
                                stability_limit, adam_explorer, beta_slider, gd_explorer, lr_slider,
                                momentum_explorer, rmsprop_explorer)


@pytest.fixture(autouse=True)
def strict():
    before = plt.get_fignums()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    assert plt.get_fignums() == before, "an explorer left a pyplot figure open"


def background(explorer):
    """The contour panel's artists that a slider move must not replace."""
    return list(explorer.path_axes.collections)


def test_the_gd_explorer_redraws_the_path_for_a_new_lr():
    explorer = gd_explorer()
    contour_before, image_before, line = background(explorer), explorer.image.value, explorer._drawn_paths.lines[0]
    assert explorer.renders == 1 and bytes(image_before).startswith(b"\x89PNG")
    explorer.lr.value = 0.15
    assert explorer.renders == 2 and explorer.image.value != image_before
    assert "lr=0.15" in explorer.paths[0].optimizer and explorer.status_text.startswith("GD lr=0.15: f − f* = ")
    np.testing.assert_array_equal(line.get_xydata(), explorer.paths[0].points)
    assert explorer.status_text.startswith("GD lr=0.15: f − f* = ") and "<" not in explorer.status_text
    assert background(explorer) == contour_before  # the same objects: the contour was not redrawn
    assert all(new is old for new, old in zip(background(explorer), contour_before))


def test_the_largest_lr_diverges_with_a_note_and_no_warning():
    explorer = gd_explorer()
    explorer.lr.value = explorer.lr.base ** explorer.lr.max  # 1.5 × the limit 2/λmax = 0.2
    path = explorer.paths[0]
    assert path.diverged_at is not None
    assert f"diverged at step {path.diverged_at}" in explorer.status_text
    assert "lr above the stability limit 2/λmax = 0.2" in explorer.status_text
    # the legend names the optimizers only (it stays in the background); the run ends with ✕
    legend = explorer.path_axes.get_legend()
    assert [text.get_text() for text in legend.get_texts()] == ["GD", "diverged"]
    end = explorer._drawn_losses.ends[0]
    assert end.get_xdata()[0] == path.diverged_at - 1 and end.get_marker() == "X"
    explorer.lr.value = 0.1
    assert explorer.path_axes.get_legend() is legend  # made once, not again at every move
    assert "diverged" not in explorer.status_text and "stability" not in explorer.status_text


def test_the_momentum_explorer_moves_only_the_runs_that_use_beta():
    explorer = momentum_explorer()
    sgd, heavy_ball, nesterov = (path.points.copy() for path in explorer.paths)
    explorer.beta.value = 0.5
    np.testing.assert_array_equal(explorer.paths[0].points, sgd)
    assert not np.allclose(explorer.paths[1].points, heavy_ball) and not np.allclose(explorer.paths[2].points, nesterov)
    assert "Momentum lr=0.01, β=0.5" in explorer.status_text
    explorer.beta.value = explorer.beta.max
    explorer.lr.value = explorer.lr.base ** explorer.lr.max
    assert explorer.renders == 4 and "GD lr=0.08: diverged at step" in explorer.status_text


def test_the_rmsprop_explorer_runs_adagrad_and_rmsprop_with_the_same_lr():
    explorer = rmsprop_explorer()
    explorer.lr.value = 0.2
    assert [p.optimizer.split("(")[0] for p in explorer.paths] == ["AdaGrad", "RMSprop"]
    assert all("lr=0.2," in p.optimizer for p in explorer.paths)
    explorer.beta.value = 0.999
    assert "RMSprop lr=0.2, β=0.999: f − f* = " in explorer.status_text


def test_the_adam_explorer_switches_bias_correction_off():
    explorer = adam_explorer()
    with_correction = explorer.paths[0].points.copy()
    explorer.bias_correction.value = False
    assert "bias_correction=False" in explorer.paths[0].optimizer and "bias_correction=False" in explorer.status_text
    assert not np.allclose(explorer.paths[0].points, with_correction)
    explorer.lr.value = explorer.lr.base ** explorer.lr.max
    explorer.beta1.value = explorer.beta1.max
    explorer.beta2.value = explorer.beta2.min
    assert explorer.renders == 5 and "Adam lr=1, β1=0.999, β2=0, bias_correction=False" in explorer.status_text


def test_the_batch_size_explorer_counts_steps_and_examples():
    explorer = BatchSizeExplorer()
    n = explorer.problem.x.size
    explorer.batch_size.value = 30                   # 100 examples: batches 30, 30, 30, 10
    explorer.epochs.value = 2
    minibatch, full_batch = explorer.paths
    assert minibatch.steps == 8 and full_batch.steps == 2
    assert "4 steps per epoch (the last has 10), 8 steps in all" in explorer.status_text
    examples = explorer._drawn_losses.lines[0].get_xdata()
    np.testing.assert_array_equal(examples, [0, 30, 60, 90, 100, 130, 160, 190, 200])
    np.testing.assert_array_equal(explorer._drawn_losses.lines[1].get_xdata(), [0, n, 2 * n])
    assert explorer.loss_axes.get_xlabel().startswith("examples processed")


def test_the_batch_size_explorer_shows_divergence_of_sgd_with_a_large_lr():
    explorer = BatchSizeExplorer()
    explorer.batch_size.value = 1
    explorer.lr.value = explorer.lr.base ** explorer.lr.max
    assert "mini-batch SGD, b = 1" in explorer.status_text and "diverged at step" in explorer.status_text
    assert "(epoch 1)" in explorer.status_text
    finite = explorer._drawn_paths.lines[0].get_xydata()
    assert np.all(np.isfinite(finite))


def test_the_ema_explorer_follows_beta_and_the_bias_correction_box():
    explorer = EMAExplorer()
    assert "fade to 1/e after about 1/(1 − β) = 10 steps" in explorer.status_text
    assert not explorer._drawn_averages.corrected.get_visible()
    explorer.beta.value = 0.99
    np.testing.assert_allclose(explorer._drawn_averages.plain.get_ydata(), ema(explorer.series, 0.99))
    assert "1/(1 − β) = 100 steps" in explorer.status_text
    explorer.bias_correction.value = True
    assert explorer._drawn_averages.corrected.get_visible() and "bias-corrected" in explorer.status_text
    explorer.beta.value = explorer.beta.max
    assert explorer.renders == 4 and "= 1e+03 steps" in explorer.status_text


def test_a_custom_explorer_reports_a_refused_setting_instead_of_raising():
    unsafe = ipywidgets.FloatSlider(value=0.9, min=0.0, max=1.0, step=0.1)  # reaches β = 1
    explorer = TrajectoryExplorer(Quadratic([1.0, 4.0]), lambda lr, beta: Momentum(lr=lr, beta=beta),
                                  controls={"lr": lr_slider(0.1, 0.01, 1.0), "beta": unsafe}, steps=20)
    explorer.beta.value = 1.0
    assert explorer.status_text.startswith("⚠ beta must be in [0, 1)") and explorer.renders == 2


def test_controls_need_names_the_explorer_does_not_use():
    with pytest.raises(ValueError, match="cannot be called 'status'"):
        TrajectoryExplorer(Quadratic([1.0, 4.0]), lambda status: SGD(lr=status),
                           controls={"status": lr_slider(0.1, 0.01, 1.0)})


def test_sliders_show_their_value_and_refuse_impossible_ranges():
    assert lr_slider(0.1, 0.001, 1.0).readout_format == ".3g" and beta_slider().readout_format == ".3f"
    assert lr_slider(0.1, 0.001, 1.0).description == "lr (log scale)"   # equal distances are equal factors
    with pytest.raises(ValueError, match="low ≤ value ≤ high"):
        lr_slider(2.0, 0.001, 1.0)
    with pytest.raises(ValueError, match="high < 1"):
        beta_slider(0.9, high=1.0)


def test_an_explorer_displays_as_its_widget():
    explorer = gd_explorer(steps=5)
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_thestability_limits_in_the_status_agree_with_theory_and_with_runs(beta):
    problem = Quadratic([1.0, 10.0])
    makers = {"SGD": lambda lr: SGD(lr=lr), "Momentum": lambda lr: Momentum(lr=lr, beta=beta),
              "Nesterov": lambda lr: Nesterov(lr=lr, beta=beta)}
    limits = {name: stability_limit(make(0.1), problem) for name, make in makers.items()}
    for name, make in makers.items():
        assert run(make(0.9 * limits[name]), problem, problem.start, 2000).diverged_at is None, name
        assert run(make(1.1 * limits[name]), problem, problem.start, 2000).diverged_at is not None, name
    assert theory.gd_stable(0.999 * limits["SGD"], 10.0) and not theory.gd_stable(1.001 * limits["SGD"], 10.0)
    assert theory.heavy_ball_stable(0.999 * limits["Momentum"], beta, 10.0)
    assert not theory.heavy_ball_stable(1.001 * limits["Momentum"], beta, 10.0)
    assert stability_limit(SGD(lr=0.1), Quadratic([1.0, 10.0], angle=30)) == pytest.approx(0.2)


@pytest.mark.parametrize("batch_size, lr, epochs", [(1, 0.05, 10), (1, 1.0, 3), (7, 0.3, 5), (100, 1.0, 10)])
def test_the_batch_size_explorers_minibatch_run_is_run_with_the_loss_bit_for_bit(batch_size, lr, epochs):
    # the explorer computes the full-data loss after the run (faster); it must be `run`'s, step by step
    explorer = BatchSizeExplorer()
    explorer.batch_size.value, explorer.lr.value, explorer.epochs.value = batch_size, lr, epochs
    problem, shown = explorer.problem, explorer.paths[0]
    stochastic = problem.minibatch_gradient(batch_size, np.random.default_rng(explorer.seed))
    expected = run(SGD(lr=lr), stochastic, problem.start, shown.steps, loss=problem.value)
    np.testing.assert_array_equal(shown.points, expected.points)
    np.testing.assert_array_equal(shown.losses, expected.losses)
    assert shown.diverged_at == expected.diverged_at and shown.min_value == expected.min_value


def test_the_schedule_explorer_redraws_the_schedule_and_its_effect():
    explorer = ScheduleExplorer()
    assert explorer.kind.value == "cosine" and explorer.lr.value == 0.1 and explorer.renders == 1
    lines = explorer._schedule_line, explorer._limit_line, explorer._limit_text, *explorer._drawn_losses.lines
    schedule_before, (cosine_curve, constant_curve) = explorer._schedule_line.get_ydata().copy(), explorer.curves
    explorer.kind.value = "step"
    assert explorer.renders == 2 and explorer.setting.description == "γ, every 125 steps"
    t = np.arange(explorer.steps)
    expected = schedules.step_decay(0.1, step_size=125, gamma=0.3)(t)
    np.testing.assert_array_equal(explorer._schedule_line.get_ydata(), expected)
    assert not np.array_equal(expected, schedule_before)
    assert not np.allclose(explorer.curves[0], cosine_curve)
    np.testing.assert_array_equal(explorer.curves[1], constant_curve)  # the same noise, the same constant lr
    np.testing.assert_array_equal(explorer._drawn_losses.lines[0].get_ydata(), explorer.curves[0])
    assert explorer.status_text.startswith("step decay ηₜ = 0.1 · 0.3^⌊t/125⌋: ηₜ from 0.1 (step 0) to 0.0027")
    assert (explorer._schedule_line, explorer._limit_line, explorer._limit_text, *explorer._drawn_losses.lines) == lines
    assert [path.losses.shape for path in explorer.paths] == [(501, 20), (501, 20)]


@pytest.mark.parametrize("kind, lr", [("step", 0.1), ("one-cycle", 0.25), ("constant", 0.3)])  # the last two diverge
def test_the_schedule_explorers_runs_are_sgd_with_the_schedule_bit_for_bit(kind, lr):
    # the explorer runs its 2 × 20 runs in a loop of its own (faster); each must be `run` with
    # SGD(lr=schedule) and that run's noise alone, diverging at the same step
    explorer = ScheduleExplorer()
    explorer.kind.value, explorer.lr.value = kind, lr
    for path, schedule in zip(explorer.paths, [explorer.schedule, lr]):
        for k in (0, 7, 19):
            noise = iter(explorer._noise[:, k])
            alone = run(SGD(lr=schedule), lambda x: explorer.problem.grad(x) + next(noise), explorer.problem.start,
                        explorer.steps, loss=explorer.problem.value)
            np.testing.assert_array_equal(path.points[:, k], alone.points)
            np.testing.assert_array_equal(path.losses[:, k], alone.losses)
            assert path.diverged_at[k] == (-1 if alone.diverged_at is None else alone.diverged_at)
    assert kind == "step" or (explorer.paths[1].diverged_at >= 0).any()


def test_the_setting_slider_takes_the_name_and_range_of_each_kind_with_one_redraw_per_move():
    explorer = ScheduleExplorer()                              # starts with "cosine", not the first kind
    for kind, (description, low, high, _, value, _) in ScheduleExplorer.SETTINGS.items():
        renders = explorer.renders
        explorer.kind.value = kind                             # and resets the setting to the kind's default
        assert explorer.renders == renders + 1
        assert explorer.setting.min == low and explorer.setting.max == (high or explorer.steps)
        assert explorer.setting.disabled == (kind == "constant")
        assert explorer.setting.value == (value if value is not None else 125)
    explorer.kind.value = "warm restarts"
    explorer.setting.value = 100                               # a restart every 100 steps
    rates = explorer._schedule_line.get_ydata()
    np.testing.assert_array_equal(np.flatnonzero(np.diff(rates) > 0) + 1, [100, 200, 300, 400])


def test_a_decaying_schedule_gets_below_the_noise_floor_where_the_constant_lr_stalls():
    explorer = ScheduleExplorer()
    cosine_final, constant_final = (float(np.mean(curve[-explorer.last:])) for curve in explorer.curves)
    floor = float(explorer._floor_line.get_ydata()[0])
    assert floor == pytest.approx(sum(0.1 / (2 * (2 - 0.1 * lam)) for lam in (1.0, 10.0)))
    assert constant_final == pytest.approx(floor, rel=0.3) and cosine_final < floor / 5
    assert f"its noise floor Σ ησ²/(2(2 − ηλ)) = {floor:.2g}" in explorer.status_text
    explorer.kind.value = "constant"
    np.testing.assert_array_equal(explorer.curves[0], explorer.curves[1])
    assert "= 0.076, 1 × that of the constant lr" in explorer.status_text


def test_the_schedule_explorer_shows_a_divergence_without_warnings():
    explorer = ScheduleExplorer()
    explorer.kind.value = "constant"
    explorer.lr.value = explorer.lr.base ** explorer.lr.max          # 1.5 × the limit 2/λmax = 0.2
    assert "SGD with the constant lr 0.3: diverged at step" in explorer.status_text
    assert "reached 0.3, above the stability limit 2/λmax = 0.2" in explorer.status_text
    legend = [text.get_text() for text in explorer.loss_axes.get_legend().get_texts()]
    assert legend == ["SGD with the schedule", "SGD with the constant η₀", "noise floor of the constant η₀"]
    assert explorer._drawn_losses.ends[1].get_marker() == "X" and len(explorer._drawn_losses.ends[1].get_xdata()) == 1
    assert not explorer._floor_line.get_visible()
    explorer.kind.value = "exponential"
    explorer.setting.value = 0.98                                  # falls below the limit before it blows up
    assert "SGD with the schedule: mean f − f* over the last 50 steps" in explorer.status_text
    explorer.lr.value = explorer.lr.base ** explorer.lr.min
    assert "diverged" not in explorer.status_text
    # the ηₜ axis stays put (up to the slider's top), so the schedule shrinks under the fixed limit
    assert explorer.schedule_axes.get_ylim() == pytest.approx((0, 1.15 * 0.3)) and explorer._limit_text.get_visible()


def test_the_warmup_ramps_up_first_and_the_schedule_fills_the_steps_left():
    explorer = ScheduleExplorer()
    assert explorer.warmup_steps.disabled
    explorer.warmup.value = True
    explorer.warmup_steps.value = 100
    assert not explorer.warmup_steps.disabled and explorer.renders == 3
    rates = explorer._schedule_line.get_ydata()
    assert rates[0] == pytest.approx(0.001) and rates[100] == 0.1 and rates[-1] < 1e-5
    expected = schedules.warmup(schedules.cosine(0.1, total_steps=400), warmup_steps=100)(np.arange(500))
    np.testing.assert_array_equal(rates, expected)
    assert explorer.status_text.startswith("linear warmup over 100 steps, then cosine from 0.1 to 0 over 400 steps")
    assert explorer._changing_slots == set()   # the title stays the same: drawn once, in the background


# -- CurvesExplorer (lesson 08) ------------------------------------------------------------------

from course_lib import nn  # noqa: E402  (appended with the lesson 08 explorer)
from course_lib.widgets import CurvesExplorer  # noqa: E402


def stored_run(final_accuracy, epochs=4, diverged_at=None):
    """A history shaped like nn.train's: losses falling from log 10, accuracies rising to `final_accuracy`."""
    t = np.arange(epochs + 1)
    history = {"train_loss": np.log(10) * (1.2 - final_accuracy)**t, "val_loss": np.log(10) * (1.3 - final_accuracy)**t,
               "train_accuracy": np.linspace(0.1, min(1.0, final_accuracy + 0.02), epochs + 1),
               "val_accuracy": np.linspace(0.1, final_accuracy, epochs + 1),
               "batch_loss": np.ones(3 * epochs), "grad_norm": np.ones(3 * epochs), "diverged_at": diverged_at}
    if diverged_at is not None:  # as nn.train leaves it: the last epoch recorded an overflowed loss
        history["train_loss"][-1] = history["val_loss"][-1] = np.inf
    return history


def stored_sweep():
    return {("SGD", 0.01): stored_run(0.80), ("SGD", 0.1): stored_run(0.95), ("SGD", 1.0): stored_run(0.90),
            ("SGD", 3.0): stored_run(0.20, diverged_at=9),
            ("Adam", 0.001): stored_run(0.93), ("Adam", 0.01): stored_run(0.96)}


def test_the_curves_explorer_starts_at_the_marked_lr_and_redraws_a_stored_run():
    results = stored_sweep()
    explorer = CurvesExplorer(results, marked={"SGD": 0.1, "Adam": 0.01})
    assert explorer.renders == 1 and explorer.lr.value == 0.1
    assert explorer.status_text.startswith("SGD lr=0.1 (chosen): after 4 epochs, validation loss ")
    assert "0.01 → 0.800, 0.1 → 0.950, 1 → 0.900, 3 → diverged" in explorer.status_text
    explorer.lr.value = 1.0
    assert explorer.renders == 2 and explorer.status_text.startswith("SGD lr=1: after 4 epochs")
    lines = explorer._lines[explorer.accuracy_axes]
    np.testing.assert_array_equal(lines["selected"].get_ydata(), results["SGD", 1.0]["val_accuracy"])
    assert lines["marked"].get_visible() and lines["marked"].get_label() == "lr=0.1 (chosen)"
    assert sum(line.get_visible() for line in lines["others"]) == 2     # 0.01 and 3 in grey
    legend = explorer.accuracy_axes.get_legend()  # one fixed key, drawn once in the background
    assert [text.get_text() for text in legend.get_texts()] == ["the lr on the slider", "the chosen lr", "its other lrs",
                                                                "diverged"]
    explorer.lr.value = 3.0
    assert explorer.accuracy_axes.get_legend() is legend and explorer.loss_axes.get_legend() is None
    assert lines["end"].get_xdata().size == 1  # the ✕ where the run of lr 3 diverged


def test_another_optimizer_brings_its_own_learning_rates_and_one_redraw():
    explorer = CurvesExplorer(stored_sweep(), marked={"Adam": 0.01})
    assert explorer.lr.value == 1.0                       # SGD is not marked: the middle of its 4 lrs (index 2)
    explorer.optimizer.value = "Adam"
    assert explorer.renders == 2, "switching the optimizer must redraw once, not once per slider change"
    assert [label for label, _ in explorer.lr.options] == ["0.001", "0.01"] and explorer.lr.value == 0.01
    assert explorer.status_text.startswith("Adam lr=0.01 (chosen)")
    assert explorer.loss_axes.get_title() == "Adam: validation loss"
    explorer.lr.value = 0.001
    explorer.optimizer.value = "SGD"
    assert explorer.renders == 4 and explorer.lr.value == 1.0 and explorer.status_text.startswith("SGD lr=1:")


def test_a_diverged_run_is_reported_and_drawn_up_to_its_last_finite_point_without_warnings():
    explorer = CurvesExplorer(stored_sweep())
    explorer.lr.value = 3.0
    assert explorer.status_text.startswith("SGD lr=3: diverged at step 9")
    loss = explorer._lines[explorer.loss_axes]
    assert np.isnan(loss["selected"].get_ydata()[-1])
    assert list(loss["end"].get_xdata()) == [3]                           # ✕ at epoch 3, the last finite loss
    low, high = explorer.loss_axes.get_ylim()
    assert np.isfinite(high) and high <= 10 * np.log(10)


def test_the_split_toggle_switches_to_the_training_curves():
    results = stored_sweep()
    explorer = CurvesExplorer(results, marked={"SGD": 0.1})
    explorer.split.value = "train"
    assert "train loss" in explorer.status_text and explorer.accuracy_axes.get_title() == "SGD: train accuracy"
    np.testing.assert_array_equal(explorer._lines[explorer.loss_axes]["selected"].get_ydata(),
                                  results["SGD", 0.1]["train_loss"])


def test_the_curves_explorer_draws_real_training_histories():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 5)), rng.integers(0, 3, 60)
    results = {}
    for lr in (0.01, 0.1):
        run_rng = np.random.default_rng(1)
        _, results["SGD", lr] = nn.train(nn.init_mlp([5, 4, 3], run_rng), SGD(lr=lr), X, y, epochs=2, batch_size=20,
                                         rng=run_rng, X_val=X[:10], y_val=y[:10])
    explorer = CurvesExplorer(results, marked={"SGD": 0.1})
    assert explorer.status_text.startswith("SGD lr=0.1 (chosen): after 2 epochs, validation loss")


def test_the_curves_explorer_refuses_runs_it_cannot_draw():
    history = stored_run(0.9)
    with pytest.raises(ValueError, match="lacks validation curves"):
        CurvesExplorer({("SGD", 0.1): {**history, "val_loss": np.array([])}})
    with pytest.raises(ValueError, match="pair"):
        CurvesExplorer({"SGD": history})
    with pytest.raises(ValueError, match="marked lr 0.5 of SGD is not among its stored runs"):
        CurvesExplorer({("SGD", 0.1): history}, marked={"SGD": 0.5})


# -- EpsilonExplorer (lesson 09) -----------------------------------------------------------------

from course_lib.optim import Adam  # noqa: E402  (appended with the lesson 09 explorer)
from course_lib.widgets import EpsilonExplorer, epsilon_explorer  # noqa: E402

OUTSIDE, KERAS, INSIDE = "PyTorch: ε outside √v̂", "Keras: ε̂ before the correction", "ε inside the root: √(v̂ + ε)"


def test_the_epsilon_explorer_starts_at_pytorchs_eps_and_prints_the_three_steps():
    explorer = epsilon_explorer()
    assert isinstance(explorer, EpsilonExplorer) and explorer.renders == 1
    assert (explorer.eps.value, explorer.size.value, explorer.t.value, explorer.beta2.value) == (1e-8, 1e-6, 1, 0.999)
    assert explorer.status_text == (
        "|g| = 1e-06, t = 1, ε = 1e-08, β2 = 0.999: step / η = PyTorch 0.99, Keras 0.76, ε inside the root 0.01\n"
        "in the Keras form ε̂ acts as ε = ε̂/√(1 − β2ᵗ) = 3.2e-07; inside the root ε acts as √ε = 0.0001 outside")
    np.testing.assert_array_equal(explorer.lines[OUTSIDE, "size"].get_ydata(),
                                  explorer.sizes / (explorer.sizes + 1e-8))
    np.testing.assert_array_equal(explorer.markers[INSIDE, "t"].get_xydata(), [[1, 1e-6 / np.sqrt(1e-12 + 1e-8)]])


def test_moving_t_slides_only_the_keras_curve_and_keeps_the_axes_and_artists():
    explorer = epsilon_explorer()
    artists = [*explorer.size_axes.lines, *explorer.step_axes.lines]
    legend, image = explorer.step_axes.get_legend(), explorer.image.value
    before = {label: explorer.lines[label, "size"].get_ydata().copy() for label in (OUTSIDE, KERAS, INSIDE)}
    explorer.t.value = 3000
    assert explorer.renders == 2 and explorer.image.value != image
    assert not np.allclose(explorer.lines[KERAS, "size"].get_ydata(), before[KERAS])
    for label in (OUTSIDE, INSIDE):
        np.testing.assert_array_equal(explorer.lines[label, "size"].get_ydata(), before[label])
    assert explorer.markers[KERAS, "t"].get_xdata()[0] == 3000
    assert explorer.size_axes.get_title() == "at step t = 3000"
    assert "PyTorch 0.99, Keras 0.99, ε inside the root 0.01" in explorer.status_text
    assert "ε̂/√(1 − β2ᵗ) = 1e-08" in explorer.status_text
    assert [*explorer.size_axes.lines, *explorer.step_axes.lines] == artists      # moved, not re-made
    assert all(new is old for new, old in zip([*explorer.size_axes.lines, *explorer.step_axes.lines], artists))
    assert explorer.step_axes.get_legend() is legend
    assert explorer.size_axes.get_xlim() == (1e-12, 1e2) and explorer.step_axes.get_ylim() == (1e-7, 2)


def test_moving_eps_and_size_moves_the_curves_and_markers():
    explorer = epsilon_explorer()
    against_t = explorer.lines[OUTSIDE, "t"].get_ydata().copy()
    explorer.eps.value, explorer.t.value = 1e-7, 1
    assert "ε = 1e-07, β2 = 0.999: step / η = PyTorch 0.909, Keras 0.24, ε inside the root 0.00316" in explorer.status_text
    explorer.size.value = 1e-3
    assert explorer.renders == 3 and explorer.step_axes.get_title() == "at |g| = 0.001"
    assert not np.allclose(explorer.lines[OUTSIDE, "t"].get_ydata(), against_t)
    np.testing.assert_allclose(explorer.markers[OUTSIDE, "size"].get_xydata(), [[1e-3, 1e-3 / (1e-3 + 1e-7)]])


def test_the_closed_form_is_adams_step_for_a_constant_gradient():
    sizes, t, eps = np.geomspace(1e-10, 1.0, 11), 50, 1e-7
    opt, theta = Adam(lr=1.0, eps=eps), np.zeros_like(sizes)
    state = opt.init(theta)
    for _ in range(t):
        before = theta
        theta, state = opt.update(theta, sizes, state)
    step_over_lr = before - theta                     # the t-th step, with lr = 1
    np.testing.assert_allclose(step_over_lr, theory.adam_step_over_lr(sizes, t, eps, 0.999)[OUTSIDE], rtol=1e-12)


def test_the_epsilon_explorer_takes_every_extreme_without_warnings():
    explorer = epsilon_explorer()
    moves = 0
    for control in explorer.controls.values():
        for value in (control.min, control.max):
            value = control.base ** value if hasattr(control, "base") else value
            moves += value != control.value           # t starts at its minimum 1: no change, no redraw
            control.value = value
            lines = [line.get_ydata() for line in explorer.lines.values()]
            assert all(np.all(np.isfinite(y) & (y >= 0) & (y <= 1)) for y in lines)
            assert "⚠" not in explorer.status_text and "nan" not in explorer.status_text
    assert moves == 7 and explorer.renders == 1 + moves
    explorer.size.value, explorer.eps.value, explorer.beta2.value, explorer.t.value = 1e-10, 1e-2, 0.9999, 1
    assert "|g| = 1e-10, t = 1, ε = 0.01, β2 = 0.9999: step / η = PyTorch 1e-08, Keras 1e-10" in explorer.status_text


# -- blitting: the image drawn over the cached background is the full redraw ----------------------

import io  # noqa: E402  (appended with the blitted rendering)

from PIL import Image  # noqa: E402  (Pillow comes with matplotlib)

from course_lib.widgets import encode_png, epsilon_explorer as _epsilon_explorer  # noqa: E402


def moves(explorer) -> list:
    """One move of each control to another value: a slider to 30 % of its range, a box toggled."""
    chosen = []
    for name, control in explorer.controls.items():
        if hasattr(control, "options"):
            values = [option[1] if isinstance(option, tuple) else option for option in control.options]
            value = values[(values.index(control.value) + 2) % len(values)]
        elif not hasattr(control, "min"):
            value = not control.value
        else:
            low, high = control.min, control.max
            value = low + 0.3 * (high - low)
            value = control.base ** value if hasattr(control, "base") else value
            value = round(value) if isinstance(control.value, int) else value
        chosen.append((name, value))
    return chosen


def grown(mask: np.ndarray, pixels: int) -> np.ndarray:
    """`mask` with every True pixel spread to its neighbours `pixels` away (a square dilation)."""
    out = mask.copy()
    for _ in range(pixels):
        spread = out.copy()
        spread[1:] |= out[:-1]
        spread[:-1] |= out[1:]
        spread[:, 1:] |= out[:, :-1]
        spread[:, :-1] |= out[:, 1:]
        out = spread
    return out


EXPLORER_MAKERS = {"gd": gd_explorer, "momentum": momentum_explorer, "rmsprop": rmsprop_explorer,
                   "adam": adam_explorer, "batch size": BatchSizeExplorer, "EMA": EMAExplorer,
                   "schedule": ScheduleExplorer, "curves": lambda: CurvesExplorer(stored_sweep(), marked={"SGD": 0.1}),
                   "epsilon": _epsilon_explorer}


@pytest.mark.parametrize("make", EXPLORER_MAKERS.values(), ids=EXPLORER_MAKERS.keys())
def test_a_blitted_image_equals_the_full_redraw_but_where_moved_artists_cross_static_ones(make):
    explorer = make()
    for name, value in moves(explorer):
        getattr(explorer, name).value = value
        blitted = explorer.pixels()
        explorer.figure.canvas.restore_region(explorer._background(redraw_base=False))
        background = np.asarray(explorer.figure.canvas.buffer_rgba()).copy()
        explorer.blit = False
        full = explorer.pixels()
        explorer.blit = True
        assert blitted.shape == full.shape and blitted.dtype == np.uint8
        differs = np.any(blitted != full, axis=2)
        drawn_over = grown(np.any(blitted != background, axis=2), 2)  # where this move drew its artists
        where = f"after {name} = {value!r}"
        assert drawn_over.any(), f"{where}, the move drew nothing over the background"
        # the background is exact; at most a few pixels differ where a moved artist crosses a static one
        assert not np.any(differs & ~drawn_over), f"{where}, the blitted image differs outside the moved artists"
        # (e.g. a line across a legend kept in the background, or along an axis spine: ~0.2 % at most)
        assert differs.mean() < 0.003, f"{where}, {differs.mean():.3%} of the pixels differ from the full redraw"


def test_a_move_draws_no_full_figure_and_rescales_only_what_changed():
    explorer = BatchSizeExplorer()
    explorer.lr.value = 0.1                          # the first move finds which legends and texts change
    draws = []
    original = explorer.figure.canvas.draw
    explorer.figure.canvas.draw = lambda *args, **kwargs: (draws.append(1), original(*args, **kwargs))
    for lr in (0.02, 0.2, 0.05):
        explorer.lr.value = lr
    explorer.batch_size.value, explorer.epochs.value = 25, 2
    assert draws == [], "a move redrew the whole figure instead of blitting"
    assert explorer._rescaling == [] and explorer.loss_axes.get_ylim() == explorer._loss_range
    assert explorer.loss_axes.get_xlim() == (0, 1000)              # up to 10 epochs of 100 examples

    explorer = CurvesExplorer(stored_sweep())    # the loss axis fits each optimizer's runs: all drawn at creation
    draws.clear()
    original = explorer.figure.canvas.draw
    explorer.figure.canvas.draw = lambda *args, **kwargs: (draws.append(1), original(*args, **kwargs))
    kept, sgd_limits = dict(explorer._backgrounds), explorer.loss_axes.get_ylim()
    assert explorer._rescaling == [explorer.loss_axes] and len(kept) >= 2
    explorer.optimizer.value = "Adam"
    assert explorer.loss_axes.get_ylim() != sgd_limits
    explorer.optimizer.value, explorer.split.value, explorer.optimizer.value = "SGD", "train", "Adam"
    assert draws == [] and explorer._backgrounds.keys() == kept.keys()    # every switch reused a kept one
    assert all(explorer._backgrounds[key] is kept[key] for key in kept)


def test_the_png_is_the_figure_pixel_for_pixel():
    explorer = gd_explorer(steps=5)
    pixels = explorer.pixels()
    decoded = np.asarray(Image.open(io.BytesIO(bytes(explorer.image.value))))
    np.testing.assert_array_equal(decoded, pixels)
    checkered = (np.indices((7, 5)).sum(axis=0) % 2 * 255).astype(np.uint8)
    rgba = np.stack([checkered, 255 - checkered, checkered, np.full((7, 5), 128, np.uint8)], axis=-1)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(encode_png(rgba)))), rgba)


def test_a_loss_axis_stays_put_from_round_off_to_30_times_the_start():
    explorer = gd_explorer()
    limits = explorer.loss_axes.get_ylim()
    gap = float(explorer.problem.value(explorer.problem.start) - explorer.problem.min_value)
    assert limits == pytest.approx((np.finfo(float).eps / 3, 30 * gap))
    explorer.lr.value = explorer.lr.base ** explorer.lr.max    # diverges: leaves at the top, the axis stays
    assert "diverged" in explorer.status_text and explorer.loss_axes.get_ylim() == limits


# -- bad input to the explorers (issue 11) --------------------------------------------------------

def test_an_ema_of_a_constant_series_draws_without_a_warning():
    explorer = EMAExplorer(series=np.zeros(50))
    low, high = explorer._drawn_averages.ax.get_ylim()
    assert low < 0 < high and "x₁ = 0" in explorer.status_text


@pytest.mark.parametrize("kwargs, message", [
    ({"problem": Quadratic([-1.0, 2.0])}, "needs a convex quadratic"),
    ({"noise": np.nan}, "noise must be a finite number ≥ 0"),
    ({"noise": -1.0}, "noise must be a finite number ≥ 0"),
    ({"steps": 39}, "steps ≥ 40"),
    ({"steps": 45.5}, "whole numbers steps ≥ 40"),
    ({"steps": 100, "last": 101}, "1 ≤ last ≤ steps = 100"),
])
def test_the_schedule_explorer_refuses_what_it_cannot_show(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ScheduleExplorer(**kwargs)


def test_the_schedule_explorer_takes_every_step_count_its_message_allows():
    explorer = ScheduleExplorer(steps=45, runs=2)             # its mean is over all 45 steps
    assert explorer.last == 45 and "mean f − f* over the last 45 steps" in explorer.status_text
    quiet = ScheduleExplorer(noise=0.0, runs=1)               # no noise: no floor to draw, no warning
    assert not quiet._floor_line.get_visible()


@pytest.mark.parametrize("low, value, high", [(1e-3, 0.1, np.inf), (np.nan, 0.1, 1.0), (1e-3, np.nan, 1.0)])
def test_an_lr_slider_needs_finite_bounds(low, value, high):
    with pytest.raises(ValueError, match="finite numbers 0 < low ≤ value ≤ high"):
        lr_slider(value, low, high)


def test_the_adam_explorer_reports_the_early_jump_that_bias_correction_prevents():
    explorer = adam_explorer()
    corrected = explorer.status_text
    explorer.bias_correction.value = False
    uncorrected = explorer.status_text
    # lesson 06 prints the same numbers: peak loss 1 vs 7.1 × the start, longest step 1.4 vs 4.5·lr
    assert "first steps: highest loss 1 × the start, longest step 1.4·lr" in corrected
    assert "first steps: highest loss 7.1 × the start, longest step 4.5·lr" in uncorrected


# -- the status: a table for the eye, the same numbers as plain text for print ------------------------

def table_rows(explorer) -> list:
    """The status table as lists of cell texts, the swatch's colour first ('' for none)."""
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        rows: list = []

        def handle_starttag(self, tag, attrs):
            style = dict(attrs).get("style", "")
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.rows[-1].append("")
            elif tag == "span" and "border-top:" in style:     # "3px dashed #9aa0aa": the colour
                self.rows[-1][-1] = style.split("border-top:")[1].split(";")[0].split()[-1]

        def handle_data(self, data):
            self.rows[-1][-1] += data

    parser = Cells()
    parser.rows = []
    parser.feed(explorer.status.value)
    return parser.rows


def test_the_status_table_has_a_row_per_run_in_its_colour_aligned_by_column():
    explorer = momentum_explorer()
    explorer.lr.value, explorer.beta.value = 0.05, 0.8
    header, *rows = table_rows(explorer)
    assert header == ["", "optimizer", "lr", "β", "f − f* after 100 steps", ""]
    colors = [matplotlib.colors.to_hex(line.get_color()) for line in explorer._drawn_losses.lines]
    assert [row[:2] for row in rows] == [[colors[0], "GD"], [colors[1], "Momentum"], [colors[2], "Nesterov"]]
    assert [row[2:4] for row in rows] == [["0.0500", "—"], ["0.0500", "0.800"], ["0.0500", "0.800"]]
    # the same numbers as the plain text, with the table's digits: a run's outcome, or its divergence
    for row, path, line in zip(rows, explorer.paths, explorer.status_lines):
        if path.diverged_at is None:
            assert row[4] == f"{path.final_loss:.1e}" and f"f − f* = {path.final_loss:.2g} after 100 steps" in line
        else:
            assert row[4] == f"✕ diverged at step {path.diverged_at}" and f"diverged at step {path.diverged_at}" in line
    assert rows[0][5] == "lr above the stability limit 2/λmax = 0.0400"          # 0.04 in the plain text
    assert "lr above the stability limit 2/λmax = 0.04" in explorer.status_lines[0]
    assert len(explorer.status_lines) == 3 and "<" not in explorer.status_text


def test_a_swatch_has_the_dashes_of_its_runs_line():
    explorer = ScheduleExplorer(steps=100, runs=2)
    swatches = [row for row in explorer.status.value.split("<tr>") if "border-top:" in row]
    styles = [explorer._drawn_losses.lines[k].get_linestyle() for k in range(2)]
    assert [("dashed" in row, "solid" in row) for row in swatches] == [(style == "--", style == "-") for style in styles]


def test_every_explorers_status_text_is_its_tables_rows_as_lines():
    for make in EXPLORER_MAKERS.values():
        explorer = make()
        rows = table_rows(explorer)
        runs = [row for row in rows[1:] if len(row) > 1] if len(rows[0]) > 1 else []
        notes = [row[0] for row in rows if len(row) == 1]
        assert len(runs) + len(notes) == len(explorer.status_lines) and explorer.status_lines
        assert all(row[0].startswith("#") for row in runs), "every run's row starts with its colour swatch"


@pytest.mark.parametrize("value, digits, expected", [(0.2, 2, "0.20"), (3e-06, 2, "3.0e-06"), (12.0, 2, "12"),
                                                     (0.0119, 3, "0.0119"), (0.9, 3, "0.900"), (1.0, 3, "1.00"),
                                                     (1234.5, 2, "1.2e+03"), (float("nan"), 2, "nan")])
def test_the_tables_numbers_keep_their_significant_digits(value, digits, expected):
    from course_lib.widgets.status import scientific, significant
    assert significant(value, digits) == expected
    assert scientific(0.15) == "1.5e-01" and scientific(5.6e-07) == "5.6e-07"


def test_a_hidden_text_that_changes_is_not_drawn_and_keeps_the_background():
    explorer = momentum_explorer()
    draws = []
    original = explorer.figure.canvas.draw
    explorer.figure.canvas.draw = lambda *args, **kwargs: (draws.append(1), original(*args, **kwargs))
    explorer.lr.value = explorer.lr.base ** explorer.lr.max          # all three diverge: the paths' note changes
    assert not explorer._drawn_paths.note.get_visible() and "✕" in explorer._drawn_paths.note.get_text()
    assert draws == [] and explorer._changing_slots == set()       # hidden: no base redrawn, nothing drawn per move


@pytest.mark.parametrize("name", ["course_lib.widgets.status", "course_lib.widgets.after_adam"])
def test_the_widget_modules_docstring_examples_run(name):
    """tests/test_docstring_examples.py runs the package's docstring; these modules have their own."""
    import doctest
    import importlib
    results = doctest.testmod(importlib.import_module(name))
    assert results.attempted > 0 and results.failed == 0
