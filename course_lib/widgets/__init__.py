r"""Interactive explorers: sliders wired to `run` and `plots`, one figure that follows them.

In a notebook, an explorer as the last line of a cell shows its sliders (each with its readout;
"lr (log scale)"), its figure, and its status: a table with a row per run, in the colour of its
lines. From code, the same status is plain text, one line per row:

    >>> from course_lib.widgets import gd_explorer
    >>> explorer = gd_explorer()                 # GD on the quadratic with eigenvalues 1 and 10
    >>> explorer.lr.value = 0.25                 # what moving the slider does, from code
    >>> print(explorer.status_text)
    GD lr=0.25: diverged at step 35 — lr above the stability limit 2/λmax = 0.2

Every explorer exposes its controls as attributes (``explorer.lr``, ``explorer.beta``, ...), the
runs it drew (``explorer.paths``), its status (``explorer.status_text``, or ``status_lines``; the
widget ``explorer.status`` holds the table's HTML) and how many times it rendered
(``explorer.renders``); so its behaviour can be checked without a browser.

How it stays fast: the figure is made once. A slider move reruns only the optimizers, moves the
existing lines (``set_data``), draws them over a cached bitmap of everything that does not change
(contours, axes, ticks: see `explorer`), and sends the result as a PNG to an ``ipywidgets.Image``:
plain widgets, nothing to install in JupyterLab. Sliders update while dragged
(``continuous_update``): a redraw takes a few tens of milliseconds, and ipywidgets sends the
kernel at most one change at a time, so a fast drag skips positions instead of queueing them.

One module per explorer: `explorer` (the machinery they share), `controls`, `status` (the table and
its text), `stability` (the notes of the status), then `trajectory` (lessons 01, 04-06), `batch_size` (02), `ema` (03),
`schedule` (07), `curves` (08), `epsilon` (09), `after_adam` (10).

Make your own with `TrajectoryExplorer`, in a few lines:

    TrajectoryExplorer(problem, lambda lr, beta: Momentum(lr=lr, beta=beta),
                       controls={"lr": lr_slider(0.01, 1e-4, 0.1), "beta": beta_slider(0.9)})
"""

from .after_adam import after_adam_explorer
from .batch_size import BatchSizeExplorer
from .controls import beta_slider, lr_slider
from .curves import CurvesExplorer
from .ema import EMAExplorer
from .epsilon import EpsilonExplorer, epsilon_explorer
from .explorer import Explorer, encode_png
from .schedule import ScheduleExplorer
from .stability import stability_limit
from .trajectory import AdamExplorer, TrajectoryExplorer, adam_explorer, early_jump, gd_explorer, momentum_explorer, rmsprop_explorer

__all__ = ["lr_slider", "beta_slider", "stability_limit", "Explorer", "encode_png", "TrajectoryExplorer",
           "BatchSizeExplorer", "EMAExplorer", "ScheduleExplorer", "CurvesExplorer", "EpsilonExplorer",
           "AdamExplorer", "early_jump", "gd_explorer", "momentum_explorer", "rmsprop_explorer", "adam_explorer", "epsilon_explorer",
           "after_adam_explorer"]
