"""The explorers (course_lib.widgets), driven from plain Python as a slider move would drive them.

Every test runs with warnings turned into errors: an extreme slider value must give a note in
the status line and the figure, never a traceback or a numpy RuntimeWarning.
"""

import warnings

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import theory
from course_lib.averages import ema
from course_lib.optim import SGD, Momentum, Nesterov
from course_lib.problems import Quadratic
from course_lib.run import run
from course_lib.widgets import (BatchSizeExplorer, EMAExplorer, TrajectoryExplorer, stability_limit,
                                adam_explorer, beta_slider, gd_explorer, lr_slider, momentum_explorer,
                                rmsprop_explorer)


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
    assert "lr=0.15" in explorer.paths[0].optimizer and explorer.status.value.startswith("SGD lr=0.15: f − f* = ")
    np.testing.assert_array_equal(line.get_xydata(), explorer.paths[0].points)
    assert background(explorer) == contour_before  # the same objects: the contour was not redrawn
    assert all(new is old for new, old in zip(background(explorer), contour_before))


def test_the_largest_lr_diverges_with_a_note_and_no_warning():
    explorer = gd_explorer()
    explorer.lr.value = explorer.lr.base ** explorer.lr.max  # 1.5 × the limit 2/λmax = 0.2
    path = explorer.paths[0]
    assert path.diverged_at is not None
    assert f"diverged at step {path.diverged_at}" in explorer.status.value
    assert "lr above the stability limit 2/λmax = 0.2" in explorer.status.value
    legend = explorer.loss_axes.get_legend().get_texts()[0].get_text()
    assert legend.endswith(f"diverged at step {path.diverged_at}")
    explorer.lr.value = 0.1
    assert "diverged" not in explorer.status.value and "stability" not in explorer.status.value


def test_the_momentum_explorer_moves_only_the_runs_that_use_beta():
    explorer = momentum_explorer()
    sgd, heavy_ball, nesterov = (path.points.copy() for path in explorer.paths)
    explorer.beta.value = 0.5
    np.testing.assert_array_equal(explorer.paths[0].points, sgd)
    assert not np.allclose(explorer.paths[1].points, heavy_ball) and not np.allclose(explorer.paths[2].points, nesterov)
    assert "Momentum lr=0.01, β=0.5" in explorer.status.value
    explorer.beta.value = explorer.beta.max
    explorer.lr.value = explorer.lr.base ** explorer.lr.max
    assert explorer.renders == 4 and "SGD lr=0.08: diverged at step" in explorer.status.value


def test_the_rmsprop_explorer_runs_adagrad_and_rmsprop_with_the_same_lr():
    explorer = rmsprop_explorer()
    explorer.lr.value = 0.2
    assert [p.optimizer.split("(")[0] for p in explorer.paths] == ["AdaGrad", "RMSprop"]
    assert all("lr=0.2," in p.optimizer for p in explorer.paths)
    explorer.beta.value = 0.999
    assert "RMSprop lr=0.2, β=0.999: f − f* = " in explorer.status.value


def test_the_adam_explorer_switches_bias_correction_off():
    explorer = adam_explorer()
    with_correction = explorer.paths[0].points.copy()
    explorer.bias_correction.value = False
    assert "bias_correction=False" in explorer.paths[0].optimizer and "bias_correction=False" in explorer.status.value
    assert not np.allclose(explorer.paths[0].points, with_correction)
    explorer.lr.value = explorer.lr.base ** explorer.lr.max
    explorer.beta1.value = explorer.beta1.max
    explorer.beta2.value = explorer.beta2.min
    assert explorer.renders == 5 and "Adam lr=1, β1=0.999, β2=0, bias_correction=False" in explorer.status.value


def test_the_batch_size_explorer_counts_steps_and_examples():
    explorer = BatchSizeExplorer()
    n = explorer.problem.x.size
    explorer.batch_size.value = 30                   # 100 examples: batches 30, 30, 30, 10
    explorer.epochs.value = 2
    minibatch, full_batch = explorer.paths
    assert minibatch.steps == 8 and full_batch.steps == 2
    assert "4 steps per epoch (the last has 10), 8 steps in all" in explorer.status.value
    examples = explorer._drawn_losses.lines[0].get_xdata()
    np.testing.assert_array_equal(examples, [0, 30, 60, 90, 100, 130, 160, 190, 200])
    np.testing.assert_array_equal(explorer._drawn_losses.lines[1].get_xdata(), [0, n, 2 * n])
    assert explorer.loss_axes.get_xlabel().startswith("examples processed")


def test_the_batch_size_explorer_shows_divergence_of_sgd_with_a_large_lr():
    explorer = BatchSizeExplorer()
    explorer.batch_size.value = 1
    explorer.lr.value = explorer.lr.base ** explorer.lr.max
    assert "mini-batch SGD, b = 1" in explorer.status.value and "diverged at step" in explorer.status.value
    assert "(epoch 1)" in explorer.status.value
    finite = explorer._drawn_paths.lines[0].get_xydata()
    assert np.all(np.isfinite(finite))


def test_the_ema_explorer_follows_beta_and_the_bias_correction_box():
    explorer = EMAExplorer()
    assert "fade to 1/e after about 1/(1 − β) = 10 steps" in explorer.status.value
    assert not explorer._drawn_averages.corrected.get_visible()
    explorer.beta.value = 0.99
    np.testing.assert_allclose(explorer._drawn_averages.plain.get_ydata(), ema(explorer.series, 0.99))
    assert "1/(1 − β) = 100 steps" in explorer.status.value
    explorer.bias_correction.value = True
    assert explorer._drawn_averages.corrected.get_visible() and "bias-corrected" in explorer.status.value
    explorer.beta.value = explorer.beta.max
    assert explorer.renders == 4 and "= 1e+03 steps" in explorer.status.value


def test_a_custom_explorer_reports_a_refused_setting_instead_of_raising():
    unsafe = ipywidgets.FloatSlider(value=0.9, min=0.0, max=1.0, step=0.1)  # reaches β = 1
    explorer = TrajectoryExplorer(Quadratic([1.0, 4.0]), lambda lr, beta: Momentum(lr=lr, beta=beta),
                                  controls={"lr": lr_slider(0.1, 0.01, 1.0), "beta": unsafe}, steps=20)
    explorer.beta.value = 1.0
    assert explorer.status.value.startswith("⚠ beta must be in [0, 1)") and explorer.renders == 2


def test_controls_need_names_the_explorer_does_not_use():
    with pytest.raises(ValueError, match="cannot be called 'status'"):
        TrajectoryExplorer(Quadratic([1.0, 4.0]), lambda status: SGD(lr=status),
                           controls={"status": lr_slider(0.1, 0.01, 1.0)})


def test_sliders_show_their_value_and_refuse_impossible_ranges():
    assert lr_slider(0.1, 0.001, 1.0).readout_format == ".3g" and beta_slider().readout_format == ".3f"
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
