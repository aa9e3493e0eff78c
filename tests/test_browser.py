"""The explorers in real JupyterLab, driven in Chromium: run a lesson, move its sliders by keyboard.

The other tests drive the widgets from Python; this one checks what a learner actually gets. It
starts `jupyter lab` on 127.0.0.1 with a random token (this environment's Python, and a temporary
Jupyter home so that nothing is written into the repository or your own Jupyter settings), opens a
lesson in Debian's Chromium through Playwright, clears the stored outputs and runs all cells from
the menu (Run > Run All Cells), and checks that:

* every cell ran and none shows an error, a traceback, stderr output or a broken widget;
* the explorer appears, and pressing arrow keys on its "lr (log scale)" (and β) slider changes the
  readout, the kernel redraws (the status table shows the new value) and the figure shown changes;
* end to end, how long a move takes: for 20 single key presses per slider, the time from the
  key press to the new figure ready to paint (its `img` has a new `src` and `decode()` resolved),
  and for a fast drag of the handle, how long after the mouse is released the figure shows the
  final value. These times are printed (run with -s to see them; the goal is a median < 80 ms and
  a figure that follows the hand within 0.3 s), not asserted: they depend on the machine's load.

Every wait is for a condition in the page, never a fixed sleep. The server is stopped by its
process id at the end. The test is skipped, with the reason, where the Python package `playwright`
or Chromium (`/usr/bin/chromium`) is missing: neither is needed to take the course. Never run
`playwright install` for it: Playwright drives the system's Chromium.

    python3 course.py test tests/test_browser.py -v                     # just this test
    UPDATE_SCREENSHOT=1 python3 course.py test tests/test_browser.py    # and rewrite docs/explorer.png

If it fails, the page as it was is saved as failure.png in the test's temporary folder (its
captured output gives the path, and the end of JupyterLab's log).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "explorer.png"

# (notebook, the descriptions of the explorer's sliders to move)
LESSONS = [
    pytest.param("notebooks/01_gradient_descent.ipynb", ("lr (log scale)",), id="01_gradient_descent"),
    pytest.param("notebooks/04_momentum.ipynb", ("lr (log scale)", "β"), id="04_momentum"),
]
SCREENSHOT_LESSON = "notebooks/04_momentum.ipynb"

# What the probe of this machine found Chromium needs here: no sandbox as root, no GPU, and no
# background connections (the network is closed). Playwright adds --headless and a fresh, empty
# --user-data-dir of its own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# JupyterLab settings for the test's own Jupyter home: no autosave (a run must never write the
# lesson), no "get Jupyter news?" prompt, and every cell attached to the page (no virtual scrolling).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

SERVER_START_TIMEOUT = 60  # s
RUN_ALL_TIMEOUT = 180_000  # ms, for all the cells of a lesson (nbval allows 120 s per cell)
WAIT = 30_000  # ms, for anything else in the page
SLIDER_WAIT = 15_000  # ms, for the redraw after a slider move (it takes well under a second)

pytestmark = pytest.mark.browser


def chromium_path() -> str | None:
    """Debian's Chromium: /usr/bin/chromium, else `chromium` on PATH."""
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")


# -- the JupyterLab server ----------------------------------------------------------------------

@dataclass
class LabServer:
    process: subprocess.Popen
    url: str  # http://127.0.0.1:<port>
    token: str
    root: Path
    log: Path

    def address(self, notebook: str) -> str:
        # a workspace of its own: the page opens the notebook alone, not beside the previous page's
        workspace = "test-" + "".join(c if c.isalnum() else "-" for c in notebook)
        return f"{self.url}/lab/workspaces/{workspace}/tree/{notebook}?token={self.token}"

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_lab(root: Path, home: Path) -> LabServer:
    """`python -m jupyterlab` serving `root` on 127.0.0.1, with its state in `home`; waits until it answers."""
    token = secrets.token_hex(24)
    dirs = {name: home / name for name in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    for plugin, settings in LAB_SETTINGS.items():
        file = dirs["settings"] / f"{plugin}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(settings))
    env = dict(os.environ,
               JUPYTER_TOKEN=token,  # in the environment, not on the command line where `ps` shows it
               JUPYTER_CONFIG_DIR=str(dirs["config"]), JUPYTER_DATA_DIR=str(dirs["data"]),
               JUPYTER_RUNTIME_DIR=str(dirs["runtime"]), JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
               JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]), IPYTHONDIR=str(dirs["ipython"]))
    port = free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--ServerApp.root_dir={root}", "--ServerApp.terminals_enabled=False",
               # nothing from the internet: no news, no update check, no extension search on PyPI
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly",
               # window.jupyterapp: to ask the notebook's session whether its kernel is connected
               "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        command.append("--allow-root")
    log = home / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, cwd=home, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    server = LabServer(process, f"http://127.0.0.1:{port}", token, root, log)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with code {process.returncode}:\n{server.log_tail()}")
        try:
            request = urllib.request.Request(f"{server.url}/api/status", headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            stop_lab(server)
            raise RuntimeError(f"jupyter lab did not answer within {SERVER_START_TIMEOUT} s:\n{server.log_tail()}")
        time.sleep(0.2)


def stop_lab(server: LabServer, grace: float = 15) -> None:
    """Stop the server by its process id: SIGTERM (it shuts its kernels down), SIGKILL if it hangs."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=grace)


# -- driving a lesson in the page ---------------------------------------------------------------

def wait_for(page, condition: str, arg=None, *, timeout: int = WAIT, failure: str, state: str | None = None):
    """Wait until the JavaScript `condition(arg)` is true in the page, else fail saying `failure`.

    `state`, a JavaScript function of `arg` too, describes what the page showed instead.
    """
    if not wait_quietly(page, condition, arg, timeout):
        seen = page.evaluate(state, arg) if state else None
        pytest.fail(f"{failure} (after {timeout / 1000:.0f} s)" + (f"; the page shows: {seen}" if seen else ""))


def wait_quietly(page, condition: str, arg, timeout: int) -> bool:
    """Wait until the JavaScript `condition(arg)` is true in the page: whether it came true in time."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        page.wait_for_function(condition, arg=arg, timeout=timeout)
        return True
    except PlaywrightTimeout:
        return False


# Whether the notebook `path` has its kernel connected and idle, asked of JupyterLab's session
# (window.jupyterapp, exposed by --LabApp.expose_app_in_browser). The toolbar's indicator is no
# substitute at the start: it reads "idle" before the notebook has a kernel at all, and Run All
# at that moment opens a "Select Kernel" dialog instead of running.
KERNEL_IDLE = """path => {
    const app = window.jupyterapp;
    const panel = app && [...app.shell.widgets('main')].find(w => w.context?.path === path);
    const kernel = panel?.sessionContext?.session?.kernel;
    return Boolean(panel?.sessionContext.isReady && kernel?.connectionStatus === 'connected' && kernel.status === 'idle');
}"""
KERNEL_STATE = """path => {
    const app = window.jupyterapp;
    const panel = app && [...app.shell.widgets('main')].find(w => w.context?.path === path);
    const kernel = panel?.sessionContext?.session?.kernel;
    return panel ? `kernel ${kernel?.name}: ${kernel?.connectionStatus}, ${kernel?.status}` : 'no notebook panel for ' + path;
}"""


def no_dialog(page) -> None:
    """Fail if JupyterLab shows a dialog (it would swallow the clicks that follow)."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        pytest.fail(f"JupyterLab shows a dialog: {dialog.first.inner_text()!r}")


def run_all_cells(page, notebook: Path, path: str) -> None:
    """Clear the stored outputs, Run > Run All Cells, wait until done; fail on any error shown."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    # which code cells show that they ran: all but the blank ones, which JupyterLab skips, and the
    # ones whose source is collapsed (metadata jupyter.source_hidden), which run but show no prompt
    must_run = [bool("".join(cell["source"]).strip()) and not cell["metadata"].get("jupyter", {}).get("source_hidden")
                for cell in cells if cell["cell_type"] == "code"]

    wait_for(page, "n => document.querySelectorAll('.jp-Notebook .jp-Cell').length === n", len(cells),
             failure=f"the notebook did not show its {len(cells)} cells",
             state="() => document.querySelectorAll('.jp-Notebook .jp-Cell').length + ' cells'")
    wait_for(page, KERNEL_IDLE, path, timeout=RUN_ALL_TIMEOUT,
             failure="the notebook's kernel did not start (connected and idle)", state=KERNEL_STATE)

    # Clear first, so that the execution counts and outputs seen below come from this run only.
    menu_command(page, "Edit", "editmenu:clear-all")
    wait_for(page, "() => !document.querySelector('.jp-Notebook .jp-OutputArea-output') && "
                   "![...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')].some(p => /\\d/.test(p.textContent))",
             failure="Edit > Clear Outputs of All Cells left outputs or execution counts")

    menu_command(page, "Run", "runmenu:run-all")
    wait_for(page, "() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
                   ".some(p => /[*\\d]/.test(p.textContent))",
             failure="Run > Run All Cells did not start any cell")
    # Done: no cell queued or running ([*]), and every non-blank code cell numbered, or an error
    # stopped the run (JupyterLab then leaves the cells after it unnumbered).
    wait_for(page, """must_run => {
                 const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
                 if (prompts.length !== must_run.length || prompts.some(p => p.textContent.includes('*'))) return false;
                 const errored = document.querySelector('.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]');
                 return errored || must_run.every((run, i) => !run || /\\[\\d+\\]/.test(prompts[i].textContent));
             }""", must_run, timeout=RUN_ALL_TIMEOUT, failure="Run All Cells did not finish",
             state="() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
                   ".map(p => p.textContent.trim()).join(' ')")
    wait_for(page, KERNEL_IDLE, path, failure="the kernel was still busy after the last cell", state=KERNEL_STATE)

    errors = page.evaluate("""() => {
        const found = [];
        for (const cell of document.querySelectorAll('.jp-Notebook .jp-CodeCell')) {
            const prompt = cell.querySelector('.jp-InputPrompt').textContent.trim();
            // tracebacks and stderr (warnings) render as this MIME type; a widget that fails to show
            // renders an error widget or the manager's "Error displaying widget" message
            for (const output of cell.querySelectorAll('.jp-OutputArea-output')) {
                const text = output.innerText.trim();
                if (output.dataset.mimeType === 'application/vnd.jupyter.stderr'
                        || output.querySelector('.jupyter-widgets-error-widget')
                        || text.startsWith('Error displaying widget'))
                    found.push(`cell ${prompt} ${text.slice(0, 1500)}`);
            }
        }
        return found;
    }""")
    assert not errors, "cells show errors in JupyterLab:\n\n" + "\n\n".join(errors)

    numbers = page.evaluate("() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
                            ".map(p => p.textContent.trim())")
    not_run = [f"code cell {i + 1}" for i, (run, prompt) in enumerate(zip(must_run, numbers))
               if run and not any(ch.isdigit() for ch in prompt)]
    assert not not_run, f"cells that did not run: {', '.join(not_run)} (prompts: {' '.join(numbers)})"


def menu_command(page, menu: str, command: str) -> None:
    """Click a menu of the menu bar, then its item for `command` (a JupyterLab command id)."""
    no_dialog(page)
    page.locator(".lm-MenuBar-item", has_text=menu).click()
    page.locator(f".lm-Menu-item[data-command='{command}']").click()


# An explorer's state as the page shows it: the figure (the <img> of an ipywidgets Image, a blob:
# URL that is new for every PNG the kernel sends), each slider's readout, the status table, and
# whether the table shows each slider's value as its readout does (in the column headed by the
# slider's name without "(log scale)": lr 0.0119 for a readout 0.0119; β 0.900 for 0.900 or 0.9):
# the kernel has redrawn for that value.
EXPLORER_STATE = r"""([box, names]) => {
    const slider = name => [...box.querySelectorAll('.widget-slider')]
        .find(s => s.querySelector('.widget-label')?.textContent.trim() === name);
    const image = box.querySelector(':scope > .widget-image');
    const table = box.querySelector('.widget-html-content table');
    const status = table?.innerText ?? '';
    const readouts = Object.fromEntries(names.map(n => [n, slider(n)?.querySelector('.widget-readout')?.textContent.trim() ?? null]));
    const rows = table ? [...table.querySelectorAll('tr')].map(tr => [...tr.children].map(c => c.textContent.trim())) : [];
    const names_value = n => {
        const column = rows.length ? rows[0].indexOf(n.replace(' (log scale)', '')) : -1;
        return column > 0 && rows.slice(1).some(row => row[column] !== undefined && row[column] !== ''
            && Math.abs(Number(row[column]) - Number(readouts[n])) <= 1e-9 * Math.abs(Number(readouts[n])));
    };
    return {
        src: image?.getAttribute('src') ?? null,
        loaded: Boolean(image && image.complete && image.naturalWidth > 0),
        readouts,
        status,
        named: Object.fromEntries(names.map(n => [n, readouts[n] !== null && names_value(n)])),
    };
}"""


def settled_state(page, arg) -> dict:
    """The explorer's state at a moment its figure is loaded (else as it is after SLIDER_WAIT)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        return page.wait_for_function(f"a => {{ const s = ({EXPLORER_STATE})(a); return s.loaded ? s : false; }}",
                                      arg=arg, timeout=SLIDER_WAIT).json_value()
    except PlaywrightTimeout:
        return page.evaluate(EXPLORER_STATE, arg)


def slider(page, explorer, name: str):
    """The slider of `explorer` whose description is exactly `name`."""
    label = page.locator(".widget-label").filter(has_text=re.compile(f"^\\s*{re.escape(name)}\\s*$"))
    return explorer.locator(".widget-slider").filter(has=label).first


def find_explorer(page, names: tuple):
    """The first explorer (a VBox holding an Image) with a slider for each of `names`."""
    boxes = page.locator(".jp-Notebook .widget-vbox:has(> .widget-image)")
    for name in names:
        label = page.locator(".widget-label").filter(has_text=re.compile(f"^\\s*{re.escape(name)}\\s*$"))
        boxes = boxes.filter(has=page.locator(".widget-slider").filter(has=label))
    explorer = boxes.first
    try:
        explorer.wait_for(state="visible", timeout=WAIT)
    except Exception:
        pytest.fail(f"no explorer with sliders {', '.join(names)} and a figure appeared after Run All Cells")
    return explorer


def move_slider(page, explorer, name: str, names: tuple, presses: int = 3) -> dict:
    """Press arrow keys on slider `name`; wait for the new readout, redraw and figure. The new state."""
    handle = slider(page, explorer, name).locator(".noUi-handle")
    arg = [explorer.element_handle(), list(names)]
    state = f"a => JSON.stringify(({EXPLORER_STATE})(a))"
    # Settled first: the figure loaded and the status showing every readout's value. (On display a
    # slider snaps its value to its step grid, which sends the kernel one more redraw.)
    wait_for(page, f"a => {{ const s = ({EXPLORER_STATE})(a); return s.loaded && Object.values(s.named).every(x => x); }}",
             arg, failure="the explorer did not settle (its figure shown, its status showing every readout's value)",
             state=state)
    before = page.evaluate(EXPLORER_STATE, arg)

    # Move towards the middle of the range, so that the keys always have room.
    now, low, high = (float(handle.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
    key = "ArrowRight" if now < (low + high) / 2 else "ArrowLeft"
    handle.focus()
    for _ in range(presses):
        page.keyboard.press(key)

    # The readout moves at once; the kernel then sends the status (showing the new value) and the
    # new figure, in that order. If that does not happen in time, the checks below say what is missing.
    wait_quietly(page, f"""([a, old]) => {{ const s = ({EXPLORER_STATE})(a), n = {json.dumps(name)};
                     return s.readouts[n] !== old.readouts[n] && s.named[n] && s.src !== old.src && s.loaded; }}""",
                 [arg, before], SLIDER_WAIT)
    # a redraw that was still on its way (the slider's snap) may have replaced the image since: the state
    # once an image is loaded, taken in the same evaluation (another may arrive between two of them)
    after = settled_state(page, arg)
    moved = f"after {presses} × {key} on the {name} slider"
    old_value, new_value = before["readouts"][name], after["readouts"][name]
    assert new_value != old_value, f"{moved}, its readout still shows {old_value}: the keys did not move it"
    assert after["named"][name] and after["status"] != before["status"], (
        f"{moved} (readout {old_value} → {new_value}), the status table does not show {name} {new_value}: "
        f"the kernel did not redraw for it. Status before: {before['status']!r}; after: {after['status']!r}")
    assert after["src"] != before["src"], (
        f"{moved} (readout {old_value} → {new_value}, status updated), the figure shown did not change")
    assert after["loaded"], f"{moved}, the new figure did not load in the page"
    return after


# Records, in the page, when each new figure of the explorer is ready to paint: a new `src` on its
# <img> (ipywidgets sets a new blob: URL per image) whose decode() has resolved; and when each key
# was pressed (capture phase, before the slider sees it).
RECORD_PAINTS = r"""box => {
    const image = box.querySelector(':scope > .widget-image');
    window.__explorerPaints = [];
    window.__keyPresses = [];
    new MutationObserver(() => {
        const src = image.getAttribute('src');
        image.decode().then(() => window.__explorerPaints.push({src, t: performance.now()}), () => {});
    }).observe(image, {attributes: true, attributeFilter: ['src']});
    document.addEventListener('keydown', () => window.__keyPresses.push(performance.now()), true);
}"""


def time_key_presses(page, explorer, name: str, names: tuple, moves: int = 20) -> list:
    """Milliseconds from each of `moves` single arrow-key presses on slider `name` to its figure decoded."""
    handle = slider(page, explorer, name).locator(".noUi-handle")
    arg = [explorer.element_handle(), list(names)]
    now, low, high = (float(handle.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
    key = "ArrowRight" if now < (low + high) / 2 else "ArrowLeft"  # towards the middle: room for every press
    handle.focus()
    latencies = []
    for _ in range(moves):
        before = page.evaluate(EXPLORER_STATE, arg)
        presses = page.evaluate("() => window.__keyPresses.length")
        page.keyboard.press(key)
        # done: the status shows the new readout, and a figure sent after the key press is decoded
        wait_for(page, f"""([a, old, presses]) => {{ const s = ({EXPLORER_STATE})(a), n = {json.dumps(name)};
                     const pressed = window.__keyPresses[presses];
                     return pressed !== undefined && s.readouts[n] !== old.readouts[n] && s.named[n]
                         && window.__explorerPaints.some(p => p.src === s.src && p.t > pressed); }}""",
                 [arg, before, presses], timeout=SLIDER_WAIT, failure=f"a key press on {name} did not redraw the figure")
        latencies.append(page.evaluate("""([a, presses]) => {
            const src = a.querySelector(':scope > .widget-image').getAttribute('src');
            const pressed = window.__keyPresses[presses];
            return Math.min(...window.__explorerPaints.filter(p => p.src === src && p.t > pressed).map(p => p.t)) - pressed;
        }""", [explorer.element_handle(), presses]))
    return latencies


def time_fast_drag(page, explorer, name: str, names: tuple, steps: int = 60) -> dict:
    """Drag the handle of slider `name` across most of its track in `steps` mouse moves, as fast as
    the page takes them; how many figures arrived, and ms from the release to the final figure."""
    track = slider(page, explorer, name).locator(".noUi-target").bounding_box()
    handle = slider(page, explorer, name).locator(".noUi-handle")
    box = handle.bounding_box()
    arg = [explorer.element_handle(), list(names)]
    x0, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    x1 = track["x"] + (0.9 * track["width"] if x0 < track["x"] + track["width"] / 2 else 0.1 * track["width"])
    paints = page.evaluate("() => window.__explorerPaints.length")
    page.mouse.move(x0, y)
    page.mouse.down()
    start = page.evaluate("() => performance.now()")
    for i in range(1, steps + 1):
        page.mouse.move(x0 + (x1 - x0) * i / steps, y)
    page.mouse.up()
    released = page.evaluate("() => performance.now()")
    wait_for(page, f"""a => {{ const s = ({EXPLORER_STATE})(a);
                 return s.named[{json.dumps(name)}] && window.__explorerPaints.some(p => p.src === s.src); }}""",
             arg, timeout=SLIDER_WAIT, failure=f"after a drag of {name}, the figure did not show the final value")
    final = page.evaluate("""a => { const src = a.querySelector(':scope > .widget-image').getAttribute('src');
                                   return Math.min(...window.__explorerPaints.filter(p => p.src === src).map(p => p.t)); }""",
                          explorer.element_handle())
    figures = page.evaluate("n => window.__explorerPaints.length - n", paints)
    return {"drag ms": released - start, "figures": figures, "lag after release ms": max(final - released, 0.0)}


def summary(milliseconds: list) -> str:
    values = sorted(milliseconds)
    median = values[len(values) // 2] if len(values) % 2 else (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2
    p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
    return f"median {median:.0f} ms, p90 {p90:.0f} ms, max {values[-1]:.0f} ms over {len(values)} moves"


def check_lesson(browser, server: LabServer, notebook: str, names: tuple, screenshot: Path | None = None,
                 failure_screenshot: Path | None = None) -> None:
    """Open `notebook` (relative to the server's root), run it, move each slider of `names`.

    screenshot: where to save a picture of the explorer after the last slider move;
    failure_screenshot: where to save one of the whole page if a check fails.
    """
    path = server.root / notebook
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
    page = context.new_page()
    page_errors = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        page.goto(server.address(notebook))
        run_all_cells(page, path, notebook)
        explorer = find_explorer(page, names)
        explorer.scroll_into_view_if_needed()
        for name in names:
            move_slider(page, explorer, name, names)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            bounds = explorer.bounding_box()
            margin = 8
            page.screenshot(path=str(screenshot), clip={
                "x": max(bounds["x"] - margin, 0), "y": max(bounds["y"] - margin, 0),
                "width": bounds["width"] + 2 * margin, "height": bounds["height"] + 2 * margin})
        # then the timing, after the picture: it leaves the sliders wherever the drags ended
        page.evaluate(RECORD_PAINTS, explorer.element_handle())
        for name in names:
            latencies = time_key_presses(page, explorer, name, names)
            print(f"{notebook}, slider {name}: key press → figure decoded: {summary(latencies)}")
            drag = time_fast_drag(page, explorer, name, names)
            print(f"{notebook}, slider {name}: fast drag of {drag['drag ms']:.0f} ms → {drag['figures']} figures; "
                  f"the final one {drag['lag after release ms']:.0f} ms after the release")
    except BaseException:
        if failure_screenshot is not None:
            page.screenshot(path=str(failure_screenshot))
            print(f"the page at the failure: {failure_screenshot}")
        if page_errors:
            print("JavaScript errors in the page:", *page_errors, sep="\n")
        print(f"jupyter lab's log:\n{server.log_tail()}")
        raise
    finally:
        context.close()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, (
        f"{notebook} changed on disk while the test ran it in JupyterLab (it must never be saved)")


# -- fixtures and the test ----------------------------------------------------------------------

def missing(reason: str):
    """Skip for a missing browser or driver; fail instead where CI says the test must run."""
    if os.environ.get("COURSE_BROWSER_TEST") == "required":
        pytest.fail(f"{reason}, but COURSE_BROWSER_TEST=required (set by .ci/run) says this test must run")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium through Playwright; skips the test where either is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the Python package playwright is not installed (pip install playwright; never "
                "`playwright install`: the test drives the system's Chromium)")
    executable = chromium_path()
    if executable is None:
        missing("Chromium is not installed (Debian/Ubuntu: apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory):
    """One JupyterLab server for all the lessons, serving the repository; stopped by its pid."""
    server = start_lab(ROOT, tmp_path_factory.mktemp("jupyter-home"))
    yield server
    stop_lab(server)


@pytest.mark.parametrize("notebook, sliders", LESSONS)
def test_explorer_follows_its_sliders_in_jupyterlab(notebook, sliders, request, tmp_path):
    if not (ROOT / notebook).exists():
        pytest.skip("lesson not written yet")
    browser, server = request.getfixturevalue("chromium"), request.getfixturevalue("lab")
    screenshot = None
    if notebook == SCREENSHOT_LESSON:
        screenshot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") else tmp_path / "explorer.png"
    check_lesson(browser, server, notebook, sliders, screenshot, failure_screenshot=tmp_path / "failure.png")
