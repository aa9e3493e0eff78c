"""Lesson 08: stored training runs, one per (optimizer, lr), redrawn for the one picked."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D

from .. import plots
from .controls import SLIDER_STYLE
from .explorer import DPI, FIGURE_SIZE, Explorer
from .status import SETTING_DIGITS, Row, significant


class CurvesExplorer(Explorer):
    """Stored training runs, one per (optimizer, lr): pick one, and its curves redraw at once.

    results: {(name, lr): history}, the histories `course_lib.nn.train` returns (per epoch
             "train_loss", "val_loss", "train_accuracy", "val_accuracy"; and "diverged_at"),
             e.g. from a learning-rate sweep. A move trains nothing: the explorer only draws what
             is stored, so it answers in milliseconds however long the runs took.
    marked:  {name: lr}, e.g. the lr chosen on the validation split: the run shown first for that
             optimizer, called "chosen" in the status, and drawn dashed beside any other lr.

    Controls: ``optimizer`` (a dropdown), ``lr`` (a slider over that optimizer's stored learning
    rates) and ``split`` (the curves of the training or the validation split). Left, the loss per
    epoch of the selected run, bold in the optimizer's colour, over the optimizer's other runs in
    grey; right, the accuracy. The axes stay put while only the lr moves.
    """

    SPLITS = {"train": "train", "validation": "val"}  # the toggle's words -> the history's keys

    def __init__(self, results: dict, marked: dict | None = None):
        if not isinstance(results, dict) or not results:
            raise ValueError("results must be a non-empty dict {(optimizer name, lr): history from nn.train}")
        self.results = {}
        for key, history in results.items():
            if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str)):
                raise ValueError(f"each key of results must be a pair (optimizer name, lr), got {key!r}")
            missing = [name for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "diverged_at")
                       if name not in history]
            if missing or len(history["val_loss"]) == 0:
                raise ValueError(f"the history of {key} lacks {', '.join(missing) or 'validation curves'}: "
                                 "train with X_val and y_val, so that nn.train records them")
            self.results[key[0], float(key[1])] = history
        self.lrs = {}  # name -> its learning rates, ascending; the names in the order of `results`
        for name, lr in self.results:
            self.lrs.setdefault(name, []).append(lr)
        self.lrs = {name: sorted(lrs) for name, lrs in self.lrs.items()}
        self.marked = {name: float(lr) for name, lr in (marked or {}).items()}
        for name, lr in self.marked.items():
            if (name, lr) not in self.results:
                raise ValueError(f"the marked lr {lr:g} of {name} is not among its stored runs")
        self._switching = False  # True while the lr slider takes another optimizer's learning rates

        first = next(iter(self.lrs))
        controls = {
            "optimizer": widgets.Dropdown(options=list(self.lrs), value=first, description="optimizer",
                                          style=SLIDER_STYLE),
            "lr": widgets.SelectionSlider(options=self._lr_options(first), value=self._start_lr(first),
                                          description="lr", continuous_update=True, style=SLIDER_STYLE),
            "split": widgets.ToggleButtons(options=list(self.SPLITS), value="validation", description="curves of",
                                           style={**SLIDER_STYLE, "button_width": "90px"}),
        }
        figure, (self.loss_axes, self.accuracy_axes) = plots.new_figure(2, figsize=FIGURE_SIZE, dpi=DPI)
        most = max(len(lrs) for lrs in self.lrs.values())
        self._lines = {}
        for axes, metric in ((self.loss_axes, "loss"), (self.accuracy_axes, "accuracy")):
            self._lines[axes] = {
                "others": [axes.plot([], [], color="#B8BCC4", linewidth=1.0)[0] for _ in range(most)],
                "marked": axes.plot([], [], linestyle="--", linewidth=1.4, zorder=2)[0],
                "selected": axes.plot([], [], linewidth=2.4, zorder=3)[0],
                "end": axes.plot([], [], "X", markersize=9, markeredgecolor="white", zorder=4)[0],
            }
            axes.set_xlabel("epoch")
            axes.set_ylabel(metric)
            axes.grid(True, alpha=0.3)
        self.loss_axes.set_yscale("log")
        self.loss_axes.minorticks_off()  # the decades are enough to read it, and each tick costs drawing time
        self.accuracy_axes.set_ylim(0, 1.02)
        # one legend in neutral greys (the titles name the optimizer): the same for every
        # move, so it is drawn once, in the background (a legend with the lr in it costs a third of a move)
        key = [Line2D([], [], color="#333333", linewidth=2.4),
               Line2D([], [], color="#333333", linestyle="--", linewidth=1.4),
               Line2D([], [], color="#B8BCC4", linewidth=1.0),
               Line2D([], [], marker="X", linestyle="none", markersize=8, color="#333333", markeredgecolor="white")]
        self.accuracy_axes.legend(key, ["the lr on the slider", "the chosen lr", "its other lrs", "diverged"],
                                  loc="lower right", fontsize="small", framealpha=0.9)
        super().__init__(figure, controls)
        self._draw_every_loss_axis()

    def _draw_every_loss_axis(self):
        """Draw now the loss axis of every optimizer and split (its limits fit that optimizer's runs), into
        the explorer's kept backgrounds: the first switch to another optimizer is then as fast as the next,
        instead of drawing the figure's base and that axis on the learner's time (~0.1 s)."""
        shown = self.values()
        for name in self.lrs:
            for split in self.SPLITS:
                self.redraw(name, self._start_lr(name), split)
                self.pixels()
        self.redraw(**shown)
        self.pixels()

    def _lr_options(self, name: str) -> list:
        return [(f"{lr:.3g}", lr) for lr in self.lrs[name]]

    def _start_lr(self, name: str) -> float:
        """The marked lr of `name`, else the middle one of its runs."""
        lrs = self.lrs[name]
        return self.marked.get(name, lrs[len(lrs) // 2])

    def _on_change(self, change):
        if self._switching:
            return
        if change["owner"] is self.optimizer:  # the slider now offers this optimizer's learning rates
            self._switching = True
            try:
                self.lr.options = self._lr_options(change["new"])
                self.lr.value = self._start_lr(change["new"])
            finally:
                self._switching = False
        self.update()

    @staticmethod
    def _curve(history, key: str) -> np.ndarray:
        """A recorded curve, NaN where a diverging run left inf or an exploded loss (> 1e6)."""
        values = np.asarray(history[key], dtype=float)
        return np.where(np.isfinite(values) & (np.abs(values) < 1e6), values, np.nan)

    def redraw(self, optimizer, lr, split) -> list:
        name, key = optimizer, self.SPLITS[split]
        selected, marked = self.results[name, lr], self.marked.get(name)
        color = plots.color_of(name)
        for axes, metric in ((self.loss_axes, "loss"), (self.accuracy_axes, "accuracy")):
            lines = self._lines[axes]
            curves = {other: self._curve(self.results[name, other], f"{key}_{metric}") for other in self.lrs[name]}
            for line, (other, curve) in zip(lines["others"], curves.items()):
                line.set_data(np.arange(curve.size), curve)
                line.set_visible(other not in (lr, marked))
            for line in lines["others"][len(curves):]:
                line.set_visible(False)
            lines["selected"].set_data(np.arange(curves[lr].size), curves[lr])
            lines["selected"].set(color=color, label=f"lr={lr:.3g}" + (" (chosen)" if lr == marked else ""))
            lines["marked"].set_visible(marked is not None and marked != lr)
            if lines["marked"].get_visible():
                lines["marked"].set_data(np.arange(curves[marked].size), curves[marked])
                lines["marked"].set(color=color, label=f"lr={marked:.3g} (chosen)")
            finite = np.flatnonzero(np.isfinite(curves[lr]))
            diverged = selected["diverged_at"] is not None and finite.size > 0
            lines["end"].set_data(finite[-1:] if diverged else [], curves[lr][finite[-1:]] if diverged else [])
            lines["end"].set_color(color)
            axes.set_title(f"{name}: {split} {metric}")
            axes.set_xlim(0, max(max(curve.size for curve in curves.values()) - 1, 1))
            if metric == "loss":
                self._fit_loss_axis(axes, list(curves.values()))
        chosen = " (chosen)" if lr == marked else ""
        if selected["diverged_at"] is not None:
            cells = {f"{split} loss at the end": f"✕ diverged at step {selected['diverged_at']}"}
        else:
            cells = {f"{split} loss at the end": significant(selected[f"{key}_loss"][-1], 3),
                     f"{split} accuracy": f"{selected[f'{key}_accuracy'][-1]:.3f}",
                     "epochs": str(len(selected[f"{key}_loss"]) - 1)}
        return [Row(f"{name} lr={lr:.3g}{chosen}: {self.outcome(selected, key, split)}",
                    {"optimizer": name, "lr": significant(lr, SETTING_DIGITS) + chosen, **cells}, color),
                f"{split} accuracy at the end, for each lr of {name}: "
                + ", ".join(f"{other:.3g} → {self._final_accuracy(self.results[name, other], key)}"
                            for other in self.lrs[name])]

    @staticmethod
    def _fit_loss_axis(axes, curves: list):
        """From half the lowest loss to at most 10 × the first: an exploding run leaves at the top."""
        values = np.concatenate(curves)
        values = values[np.isfinite(values) & (values > 0)]
        if values.size:
            ceiling = 10 * np.nanmedian([curve[0] for curve in curves])
            axes.set_ylim(values.min() / 2, min(2 * values.max(), ceiling))

    @staticmethod
    def _final_accuracy(history, key: str) -> str:
        if history["diverged_at"] is not None:
            return "diverged"
        return f"{history[f'{key}_accuracy'][-1]:.3f}"

    @staticmethod
    def outcome(history, key: str, split: str) -> str:
        if history["diverged_at"] is not None:
            return f"diverged at step {history['diverged_at']}"
        epochs = len(history[f"{key}_loss"]) - 1
        return (f"after {epochs} epochs, {split} loss {history[f'{key}_loss'][-1]:.3g}, "
                f"{split} accuracy {history[f'{key}_accuracy'][-1]:.3f}")
