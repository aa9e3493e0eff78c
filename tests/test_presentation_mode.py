"""Presentation mode, `plots.use_style("talk")`: larger text and lines, and the explorers still fast.

The redraw budget is benchmarks/redraw_latency.py's: a median under 100 ms from a slider move to
the new PNG, for every control of every explorer; the benchmark measures it, on a quiet machine,
in the default style. Here every explorer is made twice, in the default style and in talk style,
and the two are moved in turn through the same values: talk style must still blit (no full redraw
per move) and cost no more than twice the default plus 20 ms (a guard against a gross regression;
the benchmark measures the real figures). Time is the CPU time of this process (time.process_time), so that
other programs busy on the machine hit both styles alike and do not make the test fail.
"""

import importlib.util
import time
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from course_lib import plots, widgets

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("redraw_latency", ROOT / "benchmarks" / "redraw_latency.py")
benchmark = importlib.util.module_from_spec(spec)
spec.loader.exec_module(benchmark)
MOVES = 6  # per control and style (the benchmark makes 20): enough for a median, quick enough for the tests


@pytest.fixture
def talk():
    before = dict(matplotlib.rcParams)
    plots.use_style("talk")
    yield
    plots.use_style("default")
    assert dict(matplotlib.rcParams) == before, "use_style('default') must put back what was there"


def tick_labels(axis) -> int:
    return sum(1 for label in axis.get_ticklabels() if label.get_text())


def test_talk_style_makes_text_and_lines_larger_and_tick_labels_fewer(talk):
    explorer = widgets.gd_explorer()
    text = explorer.loss_axes.xaxis.label.get_fontsize()
    ticks = tick_labels(explorer.path_axes.yaxis)
    spine = explorer.loss_axes.spines["left"].get_linewidth()
    plots.use_style("default")
    plain = widgets.gd_explorer()
    assert text >= 1.3 * plain.loss_axes.xaxis.label.get_fontsize()
    assert spine >= 1.5 * plain.loss_axes.spines["left"].get_linewidth()
    assert ticks < tick_labels(plain.path_axes.yaxis)
    assert len(explorer.image.value) > 0 and explorer.figure.get_size_inches().tolist() == plain.figure.get_size_inches().tolist()


def test_styles_do_not_pile_up_and_an_unknown_one_is_named(talk):
    plots.use_style("talk")
    assert matplotlib.rcParams["font.size"] == plots.STYLES["talk"]["font.size"]
    with pytest.raises(ValueError, match="unknown style 'poster'.*'talk'"):
        plots.use_style("poster")


def cpu_seconds_per_move(explorers: dict, control_name: str) -> dict:
    """{style: the CPU seconds of each move}, the explorers of both styles moved in turn."""
    seconds = {style: [] for style in explorers}
    reference = explorers["default"].controls[control_name]
    for value in benchmark.values_across(reference)[:MOVES]:
        if value == reference.value:
            continue
        for style, explorer in explorers.items():
            plots.use_style(style)  # what a redraw makes (a legend, a title) takes the style of its explorer
            control, renders = explorer.controls[control_name], explorer.renders
            start = time.process_time()
            control.value = value
            seconds[style].append(time.process_time() - start)
            assert explorer.renders == renders + 1, "the move did not render"
    return seconds


def small_curves_explorer() -> widgets.CurvesExplorer:
    """Lesson 08's explorer over a sweep as long (10 epochs) as the benchmark's, with fewer runs."""
    from course_lib import nn
    from course_lib.data import load_digits
    from course_lib.optim import SGD, Adam

    digits = load_digits(seed=0)
    results = {}
    for optimizer, lrs in ((SGD, (0.03, 0.1)), (Adam, (0.001, 0.003))):
        for lr in lrs:
            rng = np.random.default_rng(0)
            _, results[optimizer.__name__, lr] = nn.train(
                nn.init_mlp([64, 16, 10], rng), optimizer(lr=lr), digits.X_train[:300], digits.y_train[:300],
                epochs=10, batch_size=50, rng=rng, X_val=digits.X_val, y_val=digits.y_val)
    return widgets.CurvesExplorer(results)


EXPLORERS = {**benchmark.EXPLORERS, "CurvesExplorer": small_curves_explorer}


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_every_explorer_redraws_as_fast_in_talk_style(name, talk):
    plots.use_style("default")
    explorers = {"default": EXPLORERS[name]()}
    plots.use_style("talk")
    explorers["talk"] = EXPLORERS[name]()
    for control_name in explorers["default"].controls:
        seconds = cpu_seconds_per_move(explorers, control_name)
        default, talk = (1000 * float(np.median(seconds[style])) for style in ("default", "talk"))
        # a gross-regression guard (talk style drawing the whole figure would cost 3-10×), wide enough
        # that the jitter of a loaded machine, which CPU time still feels through its caches, never trips it
        assert talk <= 2 * default + 20, (f"{name}.{control_name}: a redraw takes {talk:.0f} ms of CPU in talk "
                                          f"style, {default:.0f} ms in the default style")
    # and the reason it is as fast: in talk style too, a move draws over the cached background
    explorer, draws = explorers["talk"], []
    original = explorer.figure.canvas.draw
    explorer.figure.canvas.draw = lambda *args, **kwargs: (draws.append(1), original(*args, **kwargs))
    control = explorer.controls[next(iter(explorer.controls))]
    for value in benchmark.values_across(control)[:3]:
        plots.use_style("talk")
        control.value = value
    assert len(draws) <= 1, f"{name}: in talk style {len(draws)} of 3 moves redrew the whole figure"
