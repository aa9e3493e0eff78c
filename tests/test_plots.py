"""The figures (course_lib.plots): what they draw, their labels and colours, and no global state."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import colors as mcolors
from matplotlib.figure import Figure

from course_lib import plots
from course_lib.averages import ema
from course_lib.data import LinearRegression, linear_data
from course_lib.optim import ALL_OPTIMIZERS, SGD, Adam, Momentum
from course_lib.problems import Beale, Quadratic, Rosenbrock, Saddle
from course_lib.run import run
from course_lib.schedules import constant, cosine, step_decay

QUADRATIC = Quadratic([1.0, 10.0])


@pytest.fixture
def ax():
    """Axes of a figure pyplot does not know about, so it needs no closing."""
    return Figure().subplots()


@pytest.fixture(autouse=True)
def no_warnings_and_no_figures_left_open():
    before = plt.get_fignums()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    assert plt.get_fignums() == before, "a plot function left a pyplot figure open"


def gd(lr, steps=30):
    return run(SGD(lr=lr), QUADRATIC, QUADRATIC.start, steps)


# -- colours and labels -----------------------------------------------------------------------------

def test_every_optimizer_has_its_own_colour():
    colours = [plots.color_of(cls) for cls in ALL_OPTIMIZERS]
    assert len({mcolors.to_hex(c) for c in colours}) == len(ALL_OPTIMIZERS)


def test_the_colour_is_the_same_whatever_names_the_optimizer():
    adam = Adam(lr=0.1)
    path = run(adam, QUADRATIC, QUADRATIC.start, 3)
    assert plots.color_of(adam) == plots.color_of(Adam) == plots.color_of("Adam") == plots.color_of(path) \
        == plots.color_of(repr(adam)) == plots.PALETTE["Adam"]
    assert plots.color_of("MyOptimizer") == plots.color_of("MyOptimizer(lr=1)")  # stable for new ones too
    with pytest.raises(ValueError, match="expected an optimizer"):
        plots.color_of(3.0)


def test_labels_show_lr_the_betas_and_what_differs_from_the_defaults():
    assert plots.short_label(SGD(lr=0.05)) == "SGD lr=0.05"
    assert plots.short_label(SGD(lr=0.05), exact_gradient=True) == "GD lr=0.05"  # the exact gradient: GD
    assert plots.short_label(Momentum(lr=0.05), exact_gradient=True).startswith("Momentum ")
    assert plots.short_label(Momentum(lr=0.01, beta=0.5)) == "Momentum lr=0.01, β=0.5"
    assert plots.short_label(Adam(lr=0.1, bias_correction=False)) == \
        "Adam lr=0.1, β1=0.9, β2=0.999, bias_correction=False"
    assert plots.short_label(SGD(lr=np.array([[0.1], [0.2]]))) == "SGD"  # a sweep: label the runs yourself
    assert plots.short_label(SGD(lr=10 ** -1.3)) == "SGD lr=0.0501"  # as a log-scale slider shows it


# -- contour --------------------------------------------------------------------------------------

@pytest.mark.parametrize("problem", [QUADRATIC, Rosenbrock(), Beale(), Saddle(),
                                     LinearRegression(*linear_data(50, np.random.default_rng(0)))], ids=repr)
def test_contour_draws_log_levels_marks_the_minima_and_labels_the_axes(problem, ax):
    assert plots.contour(problem, ax=ax, levels=9) is ax
    assert ax.get_title() == problem.name and ax.get_xlabel() and ax.get_ylabel()
    filled, lines = ax.collections[:2]
    levels = np.asarray(filled.levels)
    assert levels.size == 9 and np.all(np.isfinite(levels)) and np.all(np.diff(levels) > 0)
    assert levels[-1] - levels[0] >= 1  # log10(f − f*): at least one decade between lowest and highest
    stars = [line for line in ax.lines if line.get_marker() == "*"]
    assert len(stars) == len(problem.minima)
    for star, minimum in zip(stars, problem.minima):
        np.testing.assert_array_equal(np.ravel(star.get_xydata()), minimum)
    assert ax.get_xlim() == problem.bounds[0] and ax.get_ylim() == problem.bounds[1]


def test_contour_keeps_the_view_when_paths_leave_it(ax):
    plots.contour(QUADRATIC, ax=ax)
    plots.trajectories(ax, gd(0.21, steps=40))  # unstable: flies far out of the bounds
    assert ax.get_xlim() == QUADRATIC.bounds[0] and ax.get_ylim() == QUADRATIC.bounds[1]


def test_contour_refuses_what_it_cannot_draw(ax):
    with pytest.raises(ValueError, match="2-D problems"):
        plots.contour(Quadratic([1.0, 2.0, 3.0]), ax=ax)
    with pytest.raises(ValueError, match="levels"):
        plots.contour(QUADRATIC, ax=ax, levels=1)


def test_without_an_ax_a_new_pyplot_figure_is_made_and_shown_by_the_notebook():
    before = set(plt.get_fignums())
    ax = plots.contour(QUADRATIC)
    assert set(plt.get_fignums()) - before == {ax.figure.number}
    plt.close(ax.figure)


# -- trajectories ---------------------------------------------------------------------------------

def test_each_run_is_a_line_through_its_points_with_start_and_end_marked(ax):
    paths = [gd(0.05), run(Momentum(lr=0.05), QUADRATIC, QUADRATIC.start, 30)]
    drawn = plots.trajectories(ax, paths)
    assert len(drawn.lines) == len(drawn.starts) == len(drawn.ends) == 2
    for line, start, end, path in zip(drawn.lines, drawn.starts, drawn.ends, paths):
        np.testing.assert_array_equal(line.get_xydata(), path.points)
        np.testing.assert_array_equal(start.get_xydata()[0], path.points[0])
        np.testing.assert_array_equal(end.get_xydata()[0], path.points[-1])
        assert line.get_color() == plots.color_of(path)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["SGD lr=0.05", "Momentum lr=0.05, β=0.9"]


def test_a_diverged_run_ends_at_its_last_finite_point_and_says_so(ax):
    path = gd(0.3, steps=60)
    assert path.diverged_at is not None
    drawn = plots.trajectories(ax, path)
    xy = drawn.lines[0].get_xydata()
    assert np.all(np.isfinite(xy)) and len(xy) == path.diverged_at
    assert drawn.ends[0].get_marker() == "X"
    assert ax.get_legend().get_texts()[0].get_text() == f"SGD lr=0.3 — diverged at step {path.diverged_at}"


def test_several_runs_of_one_optimizer_get_distinct_looks_the_same_in_every_panel():
    figure = Figure()
    path_ax, loss_ax = figure.subplots(1, 2)
    paths = [gd(0.02), gd(0.1), gd(0.19), run(Momentum(lr=0.05), QUADRATIC, QUADRATIC.start, 30)]
    drawn = plots.trajectories(path_ax, paths)
    losses = plots.loss_curves(loss_ax, paths)
    looks = [(mcolors.to_hex(line.get_color()), line.get_linestyle()) for line in drawn.lines]
    assert len(set(looks)) == 4 and len({look[1] for look in looks[:3]}) == 3  # styles AND colours differ
    assert len({look[0] for look in looks[:3]}) == 3 and looks[0][0] == mcolors.to_hex(plots.PALETTE["SGD"])
    assert looks[3] == (mcolors.to_hex(plots.PALETTE["Momentum"]), "-")  # a lone run keeps its palette colour, solid
    assert [(mcolors.to_hex(line.get_color()), line.get_linestyle()) for line in losses.lines] == looks
    assert all(plots.contrast_on_white(colour) >= 3 for colour, _ in looks)


@pytest.mark.parametrize("name", [*plots.PALETTE, None])
def test_setting_looks_are_distinct_high_contrast_and_stable(name):
    looks = plots.setting_looks(name, 6)
    assert len({(look["color"], str(look["linestyle"])) for look in looks}) == 6
    assert len({str(look["linestyle"]) for look in looks}) == 6  # every look its own line style...
    assert len({look["color"] for look in looks[:3]}) == 3       # ...and the first three their own colour
    for look in looks:
        assert plots.contrast_on_white(look["color"]) >= 3, f"{name}: {look['color']} is too pale on white"
    for count in range(1, 6):  # the k-th look is the same however many are asked for
        assert plots.setting_looks(name, count) == looks[:count]
    more = plots.setting_looks(name, 9)  # beyond the line styles, markers keep the looks apart
    assert len({(look["color"], str(look["linestyle"]), look.get("marker")) for look in more}) == 9
    if name is None:  # neutral looks, for what is not an optimizer
        assert not {mcolors.to_hex(look["color"]) for look in more} & {mcolors.to_hex(c) for c in plots.PALETTE.values()}
    else:
        assert mcolors.to_hex(looks[0]["color"]) == mcolors.to_hex(plots.color_of(name)) or plots.contrast_on_white(plots.color_of(name)) < 3.15
    with pytest.raises(ValueError, match="count"):
        plots.setting_looks(name, 0)


def test_neutral_colours_are_not_palette_colours_and_read_on_white():
    palette = {mcolors.to_hex(colour) for colour in plots.PALETTE.values()}
    assert not {mcolors.to_hex(colour) for colour in plots.NEUTRAL.values()} & palette
    for name in ("theory", "reference", "true", "data", "schedule", "ema", "corrected"):
        assert plots.contrast_on_white(plots.NEUTRAL[name]) >= 3, name
    for name, colour in plots.NEUTRAL.items():  # greys and dark neutrals: little saturation
        r, g, b = mcolors.to_rgb(colour)
        assert max(r, g, b) - min(r, g, b) < 0.15, f"{name} ({colour}) is not a neutral colour"


def test_the_helpers_draw_what_is_not_an_optimizer_in_neutral_colours(ax):
    palette = {mcolors.to_hex(colour) for colour in plots.PALETTE.values()}
    plots.ema_plot(ax, np.linspace(5, 10, 40), 0.9)
    plots.ema_weights_plot(Figure().subplots(), 0.8)
    lines = plots.schedule_plot(Figure().subplots(), [constant(0.1), step_decay(0.1, 10, 0.5), cosine(0.1, 50)], 50)
    drawn = ax.lines + lines
    assert not {mcolors.to_hex(line.get_color()) for line in drawn} & palette
    assert len({str(line.get_linestyle()) for line in lines}) == 3


def test_the_run_a_figure_is_about_is_on_top_and_thicker(ax):
    paths = [gd(0.02), gd(0.1), run(Momentum(lr=0.05), QUADRATIC, QUADRATIC.start, 30)]
    drawn = plots.trajectories(ax, paths, highlight=2)
    main, others = drawn.lines[2], drawn.lines[:2]
    assert all(main.get_zorder() > line.get_zorder() for line in others)
    assert all(main.get_linewidth() > 1.5 * line.get_linewidth() for line in others)
    assert all((line.get_alpha() or 1) < 1 for line in others) and (main.get_alpha() or 1) == 1
    assert all(line.get_color() == plots.NEUTRAL["comparison"] for line in others)  # context: light grey
    assert main.get_color() == plots.color_of("Momentum")
    losses = plots.loss_curves(Figure().subplots(), paths, highlight=-1)  # -1: the last run
    assert losses.lines[2].get_zorder() > losses.lines[0].get_zorder()
    with pytest.raises(ValueError, match="highlight"):
        plots.trajectories(Figure().subplots(), paths, highlight=3)


def test_a_long_path_has_markers_every_few_steps_not_a_blob_at_the_minimum(ax):
    plots.contour(QUADRATIC, ax=ax)
    path = run(Momentum(lr=0.02, beta=0.9), QUADRATIC, QUADRATIC.start, 300)
    line = plots.trajectories(ax, path).lines[0]
    marked = line.get_markevery()
    assert marked[0] == 0 and 5 < len(marked) < 100  # 301 iterates, most of them at the minimum
    spans = np.array([np.ptp(ax.get_xlim()), np.ptp(ax.get_ylim())])
    shown = path.points[marked] / spans
    neighbours = np.linalg.norm(shown[:, None] - shown[None], axis=-1) < 0.03
    assert neighbours.sum(axis=1).max() <= 9  # at most one dot per square of 3 % of the view: no pile-up
    big_steps = plots.trajectories(Figure().subplots(), gd(0.19, steps=10)).lines[0]  # long steps: a dot each
    assert len(big_steps.get_markevery()) == 11


def test_helpers_lines_thicken_in_talk_style():
    widths = {}
    for style in ("talk", "default"):
        plots.use_style(style)
        try:
            ax = Figure().subplots()
            widths[style] = (plots.trajectories(ax, gd(0.05)).lines[0].get_linewidth(),
                             plots.loss_curves(Figure().subplots(), gd(0.05)).lines[0].get_linewidth(),
                             plots.ema_plot(Figure().subplots(), np.ones(10), 0.9).plain.get_linewidth(),
                             plots.schedule_plot(Figure().subplots(), constant(0.1), 10)[0].get_linewidth())
        finally:
            plots.use_style("default")
    assert all(talk >= 1.5 * plain for talk, plain in zip(widths["talk"], widths["default"]))


def test_a_batched_trajectory_is_drawn_as_one_line_per_run(ax):
    lrs = np.array([[0.01], [0.05], [0.3]])
    batched = run(SGD(lr=lrs), QUADRATIC, np.tile(QUADRATIC.start, (3, 1)), 50)
    drawn = plots.trajectories(ax, batched, labels=["slow", "good", "too big"])
    assert len(drawn.lines) == 3
    np.testing.assert_array_equal(drawn.lines[1].get_xydata(), batched.points[:, 1])
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["slow", "good"] and texts[2].startswith("too big — diverged at step ")
    with pytest.raises(ValueError, match="3 runs"):
        plots.trajectories(ax, batched, labels=["one", "two"])


def test_update_moves_the_same_artists_to_new_runs(ax):
    drawn = plots.trajectories(ax, gd(0.05))
    line = drawn.lines[0]
    drawn.update(gd(0.15))
    assert drawn.lines[0] is line and ax.lines.count(line) == 1
    np.testing.assert_array_equal(line.get_xydata(), gd(0.15).points)
    drawn.update(gd(0.15), until=5)
    assert len(line.get_xydata()) == 6
    with pytest.raises(ValueError, match="draw 1 runs; got 2"):
        drawn.update([gd(0.1), gd(0.2)])


def test_drawing_on_a_given_ax_opens_no_figure(ax):
    before = plt.get_fignums()
    plots.contour(QUADRATIC, ax=ax)
    plots.trajectories(ax, gd(0.05))
    plots.loss_curves(Figure().subplots(), gd(0.05))
    assert plt.get_fignums() == before


# -- loss curves ----------------------------------------------------------------------------------

def test_loss_curves_show_the_distance_to_the_minimum_on_a_log_axis(ax):
    saddle = Saddle()
    path = run(SGD(lr=0.1), saddle, [-1.5, 0.5], 80)  # losses go below 0, towards −0.25
    assert path.losses.min() < 0
    drawn = plots.loss_curves(ax, path, min_value=saddle.min_value)
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "f(θ) − f*" and ax.get_xlabel() == "step"
    np.testing.assert_allclose(drawn.lines[0].get_ydata(), path.losses + 0.25)
    low, high = ax.get_ylim()
    assert 0 < low <= np.min(drawn.lines[0].get_ydata()) and high >= path.losses[0] + 0.25


def test_a_diverged_loss_curve_ends_with_a_marker_and_a_label(ax):
    good, bad = gd(0.1), gd(0.3, steps=60)
    drawn = plots.loss_curves(ax, [good, bad], min_value=0.0)
    assert len(drawn.ends[0].get_xdata()) == 0
    np.testing.assert_array_equal(drawn.ends[1].get_xdata(), [bad.diverged_at - 1])
    assert ax.get_legend().get_texts()[1].get_text().endswith(f"diverged at step {bad.diverged_at}")


def test_a_run_that_reaches_f_star_exactly_ends_with_a_marker_on_the_floor_not_a_flat_line(ax):
    exact = run(SGD(lr=1.0), Quadratic([1.0, 1.0]), [1.0, -0.5], 20)  # lr = 1/λ: at 0 after one step
    assert exact.losses[1] == 0.0
    drawn = plots.loss_curves(ax, [exact, gd(0.05, steps=20)], min_value=0.0)
    heights = drawn.lines[0].get_ydata()
    assert np.isfinite(heights[0]) and np.all(np.isnan(heights[1:]))  # no line at 1e-16 or below
    assert list(drawn.floors[0].get_xdata()) == [1] and list(drawn.floors[0].get_ydata()) == [0.03]
    ax.set_ylim(1e-30, 10)  # the ▼ stays on the floor whatever the limits
    assert ax.transAxes.inverted().transform(drawn.floors[0].get_transform().transform((1, 0.03)))[1] == pytest.approx(0.03)
    assert len(drawn.floors[1].get_xdata()) == 0
    assert ax.get_legend().get_texts()[0].get_text().endswith("reached f* exactly (step 1)")
    assert ax.get_ylim()[0] > 0 and np.all(np.isfinite(ax.get_ylim()))
    no_legend = Figure().subplots()
    plots.loss_curves(no_legend, exact, min_value=0.0, legend=False)
    assert [t.get_text() for t in no_legend.texts if t.get_visible()] == ["▼ SGD lr=1: reached f* exactly (step 1)"]


def test_mark_reached_minimum_and_mark_diverged_for_curves_drawn_by_hand(ax):
    ax.set_yscale("log")
    ax.plot([0, 1, 2], [1.0, 1e-3, 1e-8])
    ax.set_xlim(0, 10)
    floor, text = plots.mark_reached_minimum(ax, 3, step=3, color=plots.color_of("SGD"))
    assert floor.get_marker() == "v" and text.get_text() == "reached f* exactly (step 3)"
    assert plots.mark_reached_minimum(ax, 9, 9, exactly=False)[1].get_text() == "reached f* to round-off (step 9)"
    y = np.array([1.0, 2.0, 8.0, np.inf, np.nan])
    cross, note = plots.mark_diverged(ax, np.arange(5), y, color=plots.color_of("Adam"))
    assert cross.get_marker() == "X" and list(cross.get_xydata()[0]) == [2.0, 8.0]
    assert note.get_text() == "diverged at step 3" and cross.get_color() == plots.color_of("Adam")
    assert plots.mark_diverged(ax, [0, 1], [1.0, 5.0], step=12, note=False)[0].get_marker() == "X"
    assert plots.mark_diverged(ax, [0, 1], [1.0, 5.0])[1].get_text() == "diverged at step 2"
    with pytest.raises(ValueError, match="no finite point"):
        plots.mark_diverged(ax, [0, 1], [np.nan, np.nan])


def test_smoothed_band_draws_a_faint_band_under_the_moving_average(ax):
    rng = np.random.default_rng(0)
    x = np.arange(200)
    y = np.exp(-x / 50) * (1 + 0.5 * rng.random(200))
    ax.set_yscale("log")
    band, line = plots.smoothed_band(ax, x, y, color=plots.color_of("SGD"), window=21, label="SGD, smoothed")
    mean = line.get_ydata()
    assert line.get_label() == "SGD, smoothed" and band.get_alpha() < 0.5
    np.testing.assert_allclose(mean[100], 10 ** np.mean(np.log10(y[90:111])))  # geometric mean on a log axis
    edges = band.get_paths()[0].vertices
    spread = np.std(np.log10(y[90:111]))
    assert edges[np.isclose(edges[:, 0], 100), 1] == pytest.approx(mean[100] * 10.0 ** np.array([-spread, spread]))
    with pytest.raises(ValueError, match="≤ 0"):
        plots.smoothed_band(ax, x, y - 1)


def test_figure_widths_come_from_one_scale():
    wide = [plots.figsize(n) for n in (2, 3, 4)]
    assert {width for width, _ in wide} == {plots.FIGURE_WIDTH}
    assert 8 <= plots.FIGURE_WIDTH <= 9.2  # ~900 px at matplotlib's 100 dpi: never shrunk on screen
    single = plots.figsize(1)
    assert 0.5 * plots.FIGURE_WIDTH <= single[0] < plots.FIGURE_WIDTH and single[1] > 2
    assert plots.figsize(2, height=5) == (plots.FIGURE_WIDTH, 5.0)
    assert plots.figsize(4, nrows=2)[1] == pytest.approx(2 * plots.figsize(4)[1])
    assert tuple(plots.new_figure(2)[0].get_size_inches()) == plots.figsize(2)
    with pytest.raises(ValueError, match="ncols"):
        plots.figsize(0)


def test_loss_curves_can_use_another_x_such_as_examples_processed(ax):
    path = gd(0.1, steps=10)
    drawn = plots.loss_curves(ax, path, min_value=0.0, x=8 * np.arange(11), xlabel="examples processed")
    np.testing.assert_array_equal(drawn.lines[0].get_xdata(), 8 * np.arange(11))
    assert ax.get_xlabel() == "examples processed"
    with pytest.raises(ValueError, match="one position per recorded step"):
        plots.loss_curves(ax, path, x=np.arange(5))


# -- EMA, schedules, race -------------------------------------------------------------------------

def test_ema_plot_draws_the_values_the_ema_and_the_corrected_ema(ax):
    series = np.linspace(5, 10, 40)
    drawn = plots.ema_plot(ax, series, 0.9, bias_correction=False)
    np.testing.assert_allclose(drawn.plain.get_ydata(), ema(series, 0.9))
    assert not drawn.corrected.get_visible()
    drawn.update(0.5, bias_correction=True)
    np.testing.assert_allclose(drawn.corrected.get_ydata(), ema(series, 0.5, bias_correction=True))
    assert drawn.corrected.get_visible() and len(ax.get_legend().get_texts()) == 3


def test_ema_weights_plot_marks_the_window(ax):
    drawn = plots.ema_weights_plot(ax, 0.8, count=30)
    np.testing.assert_allclose(drawn.weights.get_ydata(), 0.8 ** np.arange(30))
    assert drawn.window.get_xdata()[0] == pytest.approx(5.0)


def test_schedule_plot_draws_each_schedule_with_its_name(ax):
    schedules = [constant(0.1), step_decay(0.1, 10, 0.5), cosine(0.1, 50)]
    lines = plots.schedule_plot(ax, schedules, 50)
    for line, schedule in zip(lines, schedules):
        np.testing.assert_allclose(line.get_ydata(), schedule(np.arange(50)))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["constant", "step decay", "cosine"]  # no snake_case
    two = plots.schedule_plot(Figure().subplots(), [cosine(0.1, 50), cosine(0.3, 50)], 50)
    assert [line.get_label() for line in two] == ["cosine (lr=0.1, total_steps=50, lr_min=0)",
                                                  "cosine (lr=0.3, total_steps=50, lr_min=0)"]
    lines = plots.schedule_plot(Figure().subplots(), {"fast": cosine(0.3, 50), "slow": cosine(0.1, 50)}, 50)
    assert [line.get_label() for line in lines] == ["fast", "slow"]


def test_animate_race_is_small_and_leaves_no_figure_open():
    problem = Rosenbrock()
    paths = [run(SGD(lr=1e-3), problem, problem.start, 200), run(Adam(lr=0.1), problem, problem.start, 200)]
    html = plots.animate_race(problem, paths, frames=20).data
    assert html.count("data:image/jpeg;base64") == 20
    assert len(html) < 500_000  # ~25 kB per frame: a lesson with an animation stays well under 2 MB
    # it plays offline: nothing to download (matplotlib's player loads an icon font from a CDN)
    assert "http" not in html.replace("http://www.w3.org", "") and "font-awesome" not in html
    assert "▶" in html and "⏸" in html
    assert "\\\n" not in html  # frames on one line each: no stored line starts with base64 like "/9j/"
    with pytest.raises(ValueError, match="from 2 to 60"):
        plots.animate_race(problem, paths, frames=200)
