"""Lesson 07: a learning-rate schedule and what it does to SGD on a noisy quadratic."""

from __future__ import annotations

from dataclasses import replace

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import NullLocator

from .. import plots, schedules, theory
from ..problems import Quadratic
from ..run import Trajectory, diverged_at_steps
from .controls import SLIDER_STYLE, lr_slider, nice
from .explorer import DPI, FIGURE_SIZE, Explorer
from .status import SETTING_DIGITS, Row, line_looks, scientific, significant


class ScheduleExplorer(Explorer):
    """Lesson 07: a learning-rate schedule (left) and what it does to SGD on a noisy quadratic (right).

    Left: ηₜ of the chosen schedule, the constant lr η₀ for comparison, and gradient descent's
    stability limit 2/λmax. Right: f − f* per step, averaged over `runs` runs of SGD whose
    gradients carry Gaussian noise of std `noise`, with the schedule and with the constant η₀;
    and the noise floor at which the constant lr settles, Σ ησ²/(2(2 − ηλ)) over the eigenvalues λ.

    The noise is drawn once (from `seed`): a control's move reruns only the optimizer, and the
    two runs see the same noise, so their curves differ by the schedule alone.

    Controls: ``kind`` (the schedule), ``lr`` (η₀: where it starts, or one-cycle's peak),
    ``setting`` (the kind's own parameter: its name and range follow the kind), ``warmup`` and
    ``warmup_steps`` (a linear warmup first; the schedule then runs over the steps left).
    """

    # kind -> (what `setting` is, min, max, step, default, readout format); None: from `steps`
    SETTINGS = {
        "constant": ("(no parameter)", 0.0, 1.0, 0.1, 0.0, ".1f"),
        "step": ("γ, every {quarter} steps", 0.05, 1.0, 0.05, 0.3, ".2f"),
        "exponential": ("γ per step", 0.98, 1.0, 0.0005, 0.995, ".4f"),
        "1/t": ("k in η₀/(1 + kt)", 0.0, 0.2, 0.002, 0.02, ".3f"),
        "cosine": ("η_min / η₀", 0.0, 0.5, 0.01, 0.0, ".2f"),
        "warm restarts": ("period T₀ (steps)", 25.0, None, 25.0, None, ".0f"),
        "one-cycle": ("fraction rising", 0.05, 0.95, 0.05, 0.3, ".2f"),
    }

    def __init__(self, problem=None, *, steps: int = 500, noise: float = 1.0, runs: int = 20,
                 last: int | None = None, seed: int = 0):
        self.problem = Quadratic([1.0, 10.0]) if problem is None else problem
        if getattr(self.problem, "hessian", None) is None:
            raise ValueError(f"the schedule explorer needs a quadratic problem (one with a hessian), got {problem!r}")
        self.eigenvalues = np.linalg.eigvalsh(self.problem.hessian)
        if not self.eigenvalues.min() > 0:
            raise ValueError(f"the schedule explorer needs a convex quadratic (all eigenvalues > 0), so that f* and "
                             f"the noise floor exist; {self.problem.name} has eigenvalues {self.eigenvalues}")
        whole = all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in (steps, runs))
        if not whole or steps < 40 or runs < 1:
            raise ValueError(f"need whole numbers steps ≥ 40 and runs ≥ 1; got steps={steps!r}, runs={runs!r}")
        last = min(50, steps) if last is None else last  # the mean of the last 50 steps, or of all of them
        if isinstance(last, bool) or not isinstance(last, (int, np.integer)) or not 1 <= last <= steps:
            raise ValueError(f"need a whole number 1 ≤ last ≤ steps = {steps}; got last={last!r}")
        if not (np.isscalar(noise) and np.isfinite(noise) and noise >= 0):
            raise ValueError(f"noise must be a finite number ≥ 0 (the std of the gradient noise), got {noise!r}")
        self.steps, self.noise, self.runs, self.last = int(steps), float(noise), int(runs), int(last)
        self.limit = theory.gd_lr_limit(self.eigenvalues.max())
        rng = np.random.default_rng(seed)
        self._noise = self.noise * rng.standard_normal((self.steps, self.runs, self.problem.dim))
        self._starts = np.broadcast_to(self.problem.start, (2, self.runs, self.problem.dim)).copy()
        self.paths, self.curves, self.schedule = [], [], None
        self._configuring = False

        lowest_lr = self.limit / 200
        kind = widgets.Dropdown(options=list(self.SETTINGS), value="cosine", description="schedule",
                                style=SLIDER_STYLE)
        setting = widgets.FloatSlider(continuous_update=True, style=SLIDER_STYLE)
        self._configure_setting(setting, kind.value)
        controls = {"kind": kind,
                    "lr": lr_slider(nice(self.limit / 2), lowest_lr, 1.5 * self.limit),
                    "setting": setting,
                    "warmup": widgets.Checkbox(value=False, description="warmup"),
                    "warmup_steps": widgets.IntSlider(value=self.steps // 10, min=1, max=self.steps // 2,
                                                      description="warmup steps", disabled=True,
                                                      continuous_update=True, style=SLIDER_STYLE)}

        figure, (self.schedule_axes, self.loss_axes) = plots.new_figure(2, figsize=FIGURE_SIZE, dpi=DPI)
        ax, t = self.schedule_axes, np.arange(self.steps)
        # the colours of the runs on the right: the schedule black (SGD's colour), the constant lr grey
        self._schedule_line = ax.plot(t, np.zeros(self.steps), color=plots.color_of("SGD"), linewidth=1.8)[0]
        self._constant_line = ax.plot(t, np.zeros(self.steps), color="#9AA0AA", linestyle="--", linewidth=1.4)[0]
        self._limit_line = ax.axhline(self.limit, color="#A01010", linestyle=":", linewidth=1.4)
        self._limit_text = ax.text(0.98, self.limit, f"stability limit 2/λmax = {self.limit:.3g}", ha="right",
                                   va="bottom", color="#A01010", fontsize="small", transform=ax.get_yaxis_transform())
        ax.set(xlabel="step t", ylabel="learning rate ηₜ", xlim=(0, self.steps))
        # a fixed title (the schedule's name is on its dropdown and in the table): drawn once, in the background
        ax.set_title("ηₜ of the schedule (black) against the constant η₀ (grey)", fontsize="medium")
        ax.grid(True, alpha=0.3)
        self._drawn_losses = plots.LossArtists(self.loss_axes, 2, self.problem.min_value, log=True, xlabel="step", legend=False)
        self.loss_axes.yaxis.set_minor_locator(NullLocator())  # a third of the drawing time, for faint ticks
        self.loss_axes.set_title(f"SGD on {self.problem.name}, noise σ = {self.noise:g}: mean of {self.runs} runs",
                                 fontsize="medium")
        smallest_floor = theory.sgd_noise_floor(lowest_lr, self.eigenvalues, self.noise)
        self._loss_bottom = 10.0 ** np.floor(np.log10(smallest_floor / 10)) if smallest_floor > 0 else 1e-12
        self._floor_line = self.loss_axes.axhline(1.0, color="#A01010", linestyle=":", linewidth=1.4)
        super().__init__(figure, controls)

    # -- the schedule --------------------------------------------------------------------------
    def _configure_setting(self, setting, kind: str):
        """Give the `setting` slider the name, range and default value of `kind`'s parameter."""
        description, low, high, step, value, readout = self.SETTINGS[kind]
        high = float(self.steps) if high is None else high
        value = float(25 * max(1, round(self.steps / 100))) if value is None else value  # a quarter of the steps
        self._configuring = True
        try:
            with setting.hold_trait_notifications():  # min, max and value checked together, at the end
                setting.min, setting.max, setting.step, setting.value = low, high, step, value
                setting.readout_format = readout
                setting.description = description.format(quarter=self.steps // 4)
                setting.disabled = kind == "constant"
        finally:
            self._configuring = False

    def make_schedule(self, kind: str, lr: float, setting: float, warmup: bool = False, warmup_steps: int = 1):
        """The `course_lib.schedules` schedule the controls describe, and a description of it."""
        steps = self.steps - warmup_steps if warmup else self.steps
        if kind == "constant":
            schedule, text = schedules.constant(lr), f"constant ηₜ = {lr:.3g}"
        elif kind == "step":
            schedule = schedules.step_decay(lr, step_size=self.steps // 4, gamma=setting)
            text = f"step decay ηₜ = {lr:.3g} · {setting:.2g}^⌊t/{self.steps // 4}⌋"
        elif kind == "exponential":
            schedule, text = schedules.exponential(lr, gamma=setting), f"exponential ηₜ = {lr:.3g} · {setting:.4g}ᵗ"
        elif kind == "1/t":
            schedule = schedules.inverse_time(lr, decay_rate=setting)
            text = f"1/t decay ηₜ = {lr:.3g} / (1 + {setting:.3g} t)"
        elif kind == "cosine":
            schedule = schedules.cosine(lr, total_steps=steps, lr_min=setting * lr)
            text = f"cosine from {lr:.3g} to {setting * lr:.2g} over {steps} steps"
        elif kind == "warm restarts":
            period = max(1, round(setting))
            schedule = schedules.cosine_warm_restarts(lr, first_period=period)
            text = f"cosine from {lr:.3g} to 0, restarted every {period} steps"
        else:
            schedule = schedules.one_cycle(lr, total_steps=steps, warmup_fraction=setting)
            text = f"one-cycle up to {lr:.3g} in {setting:.0%} of {steps} steps, then down"
        if warmup:
            return schedules.warmup(schedule, warmup_steps), f"linear warmup over {warmup_steps} steps, then {text}"
        return schedule, text

    # -- the explorer --------------------------------------------------------------------------
    def _on_change(self, change):
        if self._configuring:  # the setting slider is being set up for a new kind; one redraw follows
            return
        if change["owner"] is self.kind:
            self._configure_setting(self.setting, change["new"])
        self.warmup_steps.disabled = not self.warmup.value
        self.update()

    def _sgd_runs(self, rates) -> Trajectory:
        """SGD, θ ← θ − ηₜ (∇f(θ) + noise), for the two rows (schedule, constant lr) of `runs` runs at
        once: `rates` (steps, 2, 1, 1) gives ηₜ of each row, and the noise drawn once is the same for both.

        The loop of `run` with `SGD(lr=schedule)`, without its checks at every step (a fifth of the
        time): the same numbers bit for bit, and the same divergence steps (`diverged_at_steps`);
        tests/test_widgets.py compares each run with `run`.
        """
        points = np.empty((self.steps + 1, *self._starts.shape))
        points[0] = x = self._starts
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows; found below
            for t in range(self.steps):
                x = x - rates[t] * (self.problem.grad(x) + self._noise[t])
                points[t + 1] = x
            losses = self.problem.value(points)
        diverged_at = diverged_at_steps(points, losses, self.problem.min_value)
        after = np.arange(self.steps + 1)[:, None, None] >= np.where(diverged_at >= 0, diverged_at, self.steps + 1)
        points[after], losses[after] = np.nan, np.nan
        return Trajectory(optimizer="SGD", problem=self.problem.name, points=points, losses=losses,
                          diverged_at=diverged_at, optimizer_name="SGD", min_value=self.problem.min_value)

    def redraw(self, kind, lr, setting, warmup, warmup_steps) -> list:
        self.schedule, text = self.make_schedule(kind, lr, setting, warmup, warmup_steps)
        schedule, t = self.schedule, np.arange(self.steps)
        rates = np.broadcast_to(schedule(t), t.shape)
        # one vectorized run: row 0 follows the schedule, row 1 the constant lr (both evaluated once, here)
        both_rates = np.stack([rates, np.full(self.steps, lr)], axis=1)[:, :, None, None]   # (steps, 2, 1, 1)
        path = self._sgd_runs(both_rates)
        self.paths = [replace(path, optimizer=f"SGD, {name}", problem=self.problem.name, points=path.points[:, k],
                              losses=path.losses[:, k], diverged_at=path.diverged_at[k],
                              hyper_parameters={"lr": lr_k}, min_value=self.problem.min_value)
                      for k, (name, lr_k) in enumerate([(text, schedule), (f"constant lr {lr:.3g}", lr)])]
        self.curves = [np.mean(p.losses - self.problem.min_value, axis=1) for p in self.paths]
        diverged = [self._first_divergence(p) for p in self.paths]
        floor = theory.sgd_noise_floor(lr, self.eigenvalues, self.noise)
        self._draw_schedule(rates, lr)
        self._draw_effect(lr, diverged, floor, f"SGD, {kind}" + (" with warmup" if warmup else ""))
        return self._status(text, rates, lr, diverged, floor)

    def _draw_schedule(self, rates, lr):
        self._schedule_line.set_ydata(rates)
        self._constant_line.set_ydata(np.full(self.steps, lr))
        # fixed: up to the lr slider's top, so the schedule grows and shrinks against the fixed stability limit
        top = 1.15 * max(rates.max(), self.lr.base ** self.lr.max)
        self.schedule_axes.set_ylim(0, top)
        self._limit_text.set_visible(self.limit <= top)

    def _draw_effect(self, lr, diverged, floor, label):
        # the mean over the runs, drawn as one run each (up to the first divergence of any of them)
        means = [replace(p, points=p.points.mean(axis=1), losses=curve + self.problem.min_value, diverged_at=step)
                 for p, curve, step in zip(self.paths, self.curves, diverged)]
        self._drawn_losses.update(means, [label, f"SGD, constant lr {lr:.3g}"])
        self._floor_line.set_ydata([floor, floor])
        self._floor_line.set_visible(bool(np.isfinite(floor) and floor > 0))  # none without noise
        # fixed labels: a legend that stays the same is drawn once, in the background (one with
        # the numbers in it costs a third of a move); the numbers are in the status table
        # the legend shows the floor whenever there is noise, also while the constant η₀ diverges and has none
        if self.loss_axes.get_legend() is None:
            handles = self._drawn_losses.lines + ([self._floor_line] if self.noise > 0 else [])
            labels = ["SGD with the schedule", "SGD with the constant η₀", "noise floor of the constant η₀"]
            self.loss_axes.legend(handles, labels[:len(handles)], loc="lower left", fontsize="small", framealpha=0.9)
        # a fixed top, so that a diverging run leaves the view instead of squashing the others
        finite = np.concatenate([curve[np.isfinite(curve)] for curve in self.curves] + [[floor] if np.isfinite(floor) else []])
        # and a fixed bottom, a decade under the noise floor of the smallest lr, unless a run goes lower
        lowest = max(finite.min(), 1e-12) / 5
        bottom = self._loss_bottom if lowest >= self._loss_bottom else 10.0 ** np.floor(np.log10(lowest))
        self.loss_axes.set_ylim(bottom, 30 * float(self.problem.gap(self.problem.start)))

    @staticmethod
    def _first_divergence(path):
        steps = path.diverged_at[path.diverged_at >= 0]
        return int(steps.min()) if steps.size else None

    def _status(self, text, rates, lr, diverged, floor) -> list:
        """The schedule, then a row per run: the lines lessons print and the table's cells."""
        lines = [f"{text}: ηₜ from {rates[0]:.3g} (step 0) to {rates[-1]:.2g} (last step), largest {rates.max():.3g}"]
        rows = [Row(lines[0], shown=f"{text}: ηₜ from {significant(rates[0], SETTING_DIGITS)} (step 0) to "
                                    f"{significant(rates[-1], SETTING_DIGITS)} (last step), "
                                    f"largest {significant(rates.max(), SETTING_DIGITS)}")]
        mean_heading = f"mean f − f*, last {self.last} steps"
        finals = []
        for name, shown, curve, step, lrs in (
                ("with the schedule", "with the schedule", self.curves[0], diverged[0], rates),
                (f"with the constant lr {lr:.3g}", f"constant lr {significant(lr, SETTING_DIGITS)}", self.curves[1],
                 diverged[1], np.full(self.steps, lr))):
            cells = {"SGD": shown}
            if step is None:
                finals.append(float(np.mean(curve[-self.last:])))
                lines.append(f"SGD {name}: mean f − f* over the last {self.last} steps = {finals[-1]:.2g}")
                cells[mean_heading] = scientific(finals[-1])
            else:
                largest = lrs[:step].max()
                above = f" — ηₜ reached {largest:.3g}, above the stability limit 2/λmax = {self.limit:.3g}"
                lines.append(f"SGD {name}: diverged at step {step}" + (above if largest > self.limit else ""))
                cells[mean_heading] = f"✕ diverged at step {step}"
                if largest > self.limit:
                    cells[""] = (f"ηₜ reached {significant(largest, SETTING_DIGITS)}, above the stability limit "
                                 f"2/λmax = {significant(self.limit, SETTING_DIGITS)}")
            rows.append(cells)
        if len(finals) == 2:
            lines[1] += f", {finals[0] / finals[1]:.2g} × that of the constant lr"
            rows[1]["× the constant lr's"] = significant(finals[0] / finals[1])
        if np.isfinite(floor):
            lines[2] += f" (its noise floor Σ ησ²/(2(2 − ηλ)) = {floor:.2g})"
            rows[2]["noise floor Σ ησ²/(2(2 − ηλ))"] = scientific(floor)
        looks = line_looks(self._drawn_losses.lines)
        return [rows[0]] + [Row(line, cells, **look) for line, cells, look in zip(lines[1:], rows[1:], looks)]
