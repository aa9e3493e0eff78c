"""What every optimizer in `optim.py` shares: checking its inputs, making its state, and applying
its one-array update rule to every array of the parameters.

You do not need this file to understand an optimizer: each rule in `optim.py` is complete on its
own. Read it to see how the contract of the course holds:

    state = opt.init(params)
    params, state = opt.update(params, grads, state)    # pure: inputs are never changed

* `params` and `grads` are one array, or a dict name -> array with the same keys and shapes.
* The state is a plain dict: the step counter ``"t"`` plus one entry per state array of the rule
  (``"m"``, ``"v"``, ...), each shaped like the params (a dict when the params are a dict).
* Every hyper-parameter may be an array that broadcasts against the params: params of shape
  (K, d) with ``lr`` of shape (K, 1) are K independent optimizers, run by one vectorized update.
* float16 params are updated in float32 and returned as float16, with their state kept in float32
  (as mixed-precision training keeps its optimizer state): in float16 the default ε = 1e-8 rounds
  to 0 and g² underflows below g ≈ 2e-4, so the rule itself would return 0/0 = NaN.
* With ε = 0 a coordinate whose gradient has been 0 so far takes the step 0 (the limit of 0/(0 + ε)
  as ε → 0), not 0/0 = NaN: the rules divide by 1.4e-45 instead of 0 (`_eps_for_division`); the
  optimizer still shows and reports ``eps=0``.
"""

from __future__ import annotations

import math
import numbers
import os

import numpy as np

# Why a hyper-parameter outside its range is refused, in the words a learner needs.
_REASONS = {
    "lr": "a negative learning rate climbs the loss instead of descending it",
    "beta": "β is an EMA's memory: β = 1 never forgets the start and stops learning",
    "beta1": "β1 is the memory of the gradient's EMA: β1 = 1 never forgets the start (and 1 − β1ᵗ = 0)",
    "beta2": "β2 is the memory of the EMA of g²: β2 = 1 never forgets the start (and 1 − β2ᵗ = 0)",
    "eps": "ε only keeps the division away from zero; it cannot be negative",
    "weight_decay": "a negative weight decay pushes the weights away from zero",
    "momentum_decay": "ψ sets how fast Nadam's momentum warms up; it cannot be negative",
}


def hyper_parameter(name: str, value, *, upper: float | None = None, positive: bool = False,
                    schedule_allowed: bool = False):
    """Check one hyper-parameter and return it as a float (or a float array for a sweep).

    The range is ``[0, upper)`` (``(0, upper)`` when `positive`); `upper=None` means no upper end.
    A scalar comes back as a Python float so that float32 params stay float32.
    """
    if schedule_allowed and callable(value):
        return value
    if isinstance(value, (bool, np.bool_)) or not _is_numeric(value):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}")
    array = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    low_ok = array > 0 if positive else array >= 0
    high_ok = array < upper if upper is not None else np.ones_like(array, dtype=bool)
    if not np.all(low_ok & high_ok):
        bad = array[~(low_ok & high_ok)].flat[0] if array.ndim else float(array)
        low_end = "(0" if positive else "[0"
        interval = f"{low_end}, {upper:g})" if upper is not None else f"{low_end}, ∞)"
        reason = _REASONS.get(name, "")
        raise ValueError(f"{name} must be in {interval}, got {bad:g}" + (f": {reason}" if reason else ""))
    return float(array) if array.ndim == 0 else array


def switch(name: str, value) -> bool:
    """An on/off option: only True or False, since bool("False") and bool("no") are True."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} is a switch: give True or False, got {value!r}")
    return bool(value)


def whole_number(name: str, value, minimum: int = 0) -> int:
    """A count such as a number of steps: an int (or a float with no fraction) ≥ `minimum`."""
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or int(value) != value or value < minimum):
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return int(value)


def check_fits_in_memory(what: str, floats: int) -> None:
    """Refuse, before allocating, arrays of `floats` float64 numbers that would take more than half
    of this machine's memory (numpy would otherwise start, and may bring the machine to a halt)."""
    needed = floats * 8
    available = _physical_memory()
    if available is not None and needed > available / 2:
        raise ValueError(f"{what} would need {needed / 1e9:.3g} GB, more than half of this machine's "
                         f"{available / 1e9:.3g} GB; use fewer steps or fewer runs")


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not on every system (Windows has no sysconf)
        return None


# What ε = 0 divides with: the smallest positive float32 number (also a float64, and not rounded
# to 0 in the float32 arithmetic of float16/float32 params). See `_eps_for_division`.
_SMALLEST_EPS = float(np.finfo(np.float32).smallest_subnormal)   # 1.4e-45


def _eps_for_division(eps):
    """ε as the rules divide by it, √v + ε: ε = 0 is replaced by 1.4e-45.

    With ε = 0 a coordinate whose gradient has been exactly 0 so far would take the step
    0/0 = NaN; with 1.4e-45 it takes 0/1.4e-45 = 0, the limit of 0/(0 + ε) as ε → 0. Every other
    step is bit for bit the step without ε, since adding 1.4e-45 does not change √v ≥ 1e-29 (float64)
    or √v ≥ 1e-37 (float32). A nonzero m over √v = 0 stays an enormous step, which `run` reports.
    """
    if isinstance(eps, np.ndarray):
        return np.where(eps == 0, _SMALLEST_EPS, eps)
    return _SMALLEST_EPS if eps == 0 else eps


def power(base, exponent):
    """base ** exponent, computed by numpy whether base is one number or a sweep's array.

    Python's ``**`` and numpy's vectorized power can differ in the last bit; always using numpy
    keeps every row of a sweep identical to the same optimizer run alone. A scalar stays a Python
    float, so that it does not turn float32 params into float64.
    """
    result = np.power(base, exponent)
    return float(result) if np.ndim(result) == 0 else result


def _is_numeric(value) -> bool:
    if isinstance(value, numbers.Real):
        return True
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except Exception:  # ragged lists and other objects numpy cannot make an array of
        return False


def as_float_array(value, what: str) -> np.ndarray:
    """An ndarray of floats; integers are promoted to float64, floats keep their precision."""
    try:
        array = np.asarray(value)
    except Exception as error:
        raise ValueError(f"{what} must be an array of numbers ({error})") from None
    if array.dtype.kind == "b":
        raise ValueError(f"{what} must be an array of numbers, got booleans (True/False)")
    if array.dtype.kind in "iu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise ValueError(f"{what} must be an array of real numbers, got dtype {array.dtype}")
    return array


def _as_tree(value, what: str) -> dict:
    """Params or grads as a dict of float arrays; a single array is stored under the key None."""
    if isinstance(value, dict):
        return {key: as_float_array(array, f"{what}[{key!r}]") for key, array in value.items()}
    return {None: as_float_array(value, what)}


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    if shape == target:  # the common case, without numpy's general machinery
        return True
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _computed_in(dtype) -> np.dtype:
    """The precision an update is computed (and its state kept) in: float32 for float16 params."""
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _label(what: str, key) -> str:
    return what if key is None else f"{what}[{key!r}]"


def check_params_and_grads(params, grads) -> tuple[dict, dict]:
    """Both as dicts of float arrays, with the same keys and the same shape under each key."""
    if isinstance(params, dict) != isinstance(grads, dict):
        kinds = ["a dict" if isinstance(x, dict) else "an array" for x in (params, grads)]
        raise ValueError(f"params is {kinds[0]} but grads is {kinds[1]}; give both in the same form")
    params, grads = _as_tree(params, "params"), _as_tree(grads, "grads")
    if params.keys() != grads.keys():
        missing = sorted(map(repr, params.keys() - grads.keys()))
        unexpected = sorted(map(repr, grads.keys() - params.keys()))
        raise ValueError("grads must have the same keys as params: "
                         f"missing {', '.join(missing) or 'none'}; unexpected {', '.join(unexpected) or 'none'}")
    for key in params:
        if params[key].shape != grads[key].shape:
            raise ValueError(f"{_label('grads', key)} has shape {grads[key].shape} but "
                             f"{_label('params', key)} has shape {params[key].shape}")
    return params, grads


class Optimizer:
    """Base class. A subclass sets `slots` and writes `rule` for one array."""

    slots: tuple[str, ...] = ()  # names of the per-parameter state arrays; all start at zero

    def __init__(self, **hyper_parameters):
        self.hyper_parameters = hyper_parameters
        for name, value in hyper_parameters.items():
            setattr(self, name, value)
        if "eps" in hyper_parameters:
            self.eps = _eps_for_division(hyper_parameters["eps"])

    def __repr__(self) -> str:
        def show(value):
            if callable(value):
                return getattr(value, "__name__", None) or repr(value)
            if isinstance(value, np.ndarray):
                return f"array{value.shape}"
            return f"{value:g}" if isinstance(value, float) else repr(value)
        arguments = ", ".join(f"{name}={show(value)}" for name, value in self.hyper_parameters.items())
        return f"{type(self).__name__}({arguments})"

    @property
    def name(self) -> str:
        """The optimizer's name, as the plots use it to pick its colour."""
        return type(self).__name__

    # -- the contract ---------------------------------------------------------------------------
    def init(self, params) -> dict:
        """The state before the first update: step t = 0 and every state array at its start value."""
        tree = _as_tree(params, "params")
        self._check_broadcast(tree)
        state = {"t": 0}
        for slot in self.slots:
            state[slot] = self._unwrap({key: self.initial_slot(slot, theta.astype(_computed_in(theta.dtype)))
                                        for key, theta in tree.items()})
        return state

    def update(self, params, grads, state: dict):
        """One step: returns (new_params, new_state). Nothing passed in is changed.

        Everything is checked first (params and grads, the state, the hyper-parameters' shapes), so a
        learner's own loop gets a clear message at the step where something is wrong. `run` checks
        once per run instead and steps with `_step`, the same update without the checks.
        """
        params, grads = check_params_and_grads(params, grads)
        self._check_broadcast(params)
        self._check_state(state, params)
        return self._step(params, grads, state)

    def _step(self, params: dict, grads: dict, state: dict):
        """`update` for params and grads already checked (dicts of float arrays of the same shapes,
        as `check_params_and_grads` returns them) and a state made by `init` for such params.

        Only what a schedule gives is checked here, at every step: a schedule is code of one's own.
        """
        t = state["t"] + 1  # t counts updates and starts at 1 on the first one
        lr = self.learning_rate(t)
        new_params, new_slots = {}, {slot: {} for slot in self.slots}
        for key, theta in params.items():
            if np.ndim(lr) and not _broadcasts_to(np.shape(lr), theta.shape):
                raise ValueError(f"the lr schedule gave an array of shape {np.shape(lr)} at step {t - 1}, which does "
                                 f"not broadcast against {_label('params', key)} of shape {theta.shape}")
            dtype = _computed_in(theta.dtype)
            old = {slot: np.asarray(state[slot] if key is None else state[slot][key]).astype(dtype, copy=False)
                   for slot in self.slots}
            new_theta, new = self.rule(theta.astype(dtype, copy=False), grads[key].astype(dtype, copy=False),
                                       t=t, lr=lr, **old)
            # a float64 sweep array must not silently turn float32 params into float64
            new_params[key] = np.asarray(new_theta).astype(theta.dtype, copy=False)
            for slot in self.slots:
                new_slots[slot][key] = np.asarray(new[slot]).astype(dtype, copy=False)
        new_state = {"t": t, **{slot: self._unwrap(arrays) for slot, arrays in new_slots.items()}}
        return self._unwrap(new_params), new_state

    # -- what a subclass provides ---------------------------------------------------------------
    def rule(self, theta, g, *, t, lr, **slots):
        """The update of one array: returns (new_theta, {slot: new_value})."""
        raise NotImplementedError

    def initial_slot(self, slot: str, theta: np.ndarray) -> np.ndarray:
        return np.zeros_like(theta)

    # -- helpers the rules use ------------------------------------------------------------------
    def learning_rate(self, t: int):
        """η for update t: the constant lr, or the schedule evaluated at step index t − 1."""
        if not callable(self.lr):
            return self.lr
        lr = self.lr(t - 1)
        if isinstance(lr, float) and 0 <= lr < math.inf:  # the common case, checked in one comparison
            return lr
        if isinstance(lr, (bool, np.bool_)) or not _is_numeric(lr):
            raise ValueError(f"the lr schedule gave {lr!r} at step {t - 1}; a learning rate must be a number")
        array = np.asarray(lr, dtype=float)
        bad = ~(np.isfinite(array) & (array >= 0))
        if np.any(bad):
            shown = f"{float(array):g}" if array.ndim == 0 else f"an array with {array[bad].flat[0]:g}"
            raise ValueError(f"the lr schedule gave {shown} at step {t - 1}; a learning rate must be finite and ≥ 0")
        return lr

    def l2_gradient(self, g, theta):
        """g + ωθ: the gradient of the L2 penalty ½ω‖θ‖² added to the loss (nothing when ω = 0)."""
        no_decay = self.weight_decay == 0 if isinstance(self.weight_decay, float) else not np.any(self.weight_decay)
        if no_decay:
            return g
        return g + self.weight_decay * theta

    # -- checks ---------------------------------------------------------------------------------
    def _unwrap(self, tree: dict):
        return tree[None] if list(tree) == [None] else tree

    def _check_broadcast(self, params: dict) -> None:
        for name, value in self.hyper_parameters.items():
            if not isinstance(value, np.ndarray):
                continue
            for key, theta in params.items():
                if not _broadcasts_to(value.shape, theta.shape):
                    raise ValueError(
                        f"{name} has shape {value.shape}, which does not broadcast against "
                        f"{_label('params', key)} of shape {theta.shape}; for a sweep of K settings give "
                        f"{name} shape (K, 1) and the params shape (K, d)")

    def _check_state(self, state, params: dict) -> None:
        """The state must be what opt.init(params) made: the same keys, and each array exactly the
        shape init gives it (broadcasting would silently change the shapes of the params)."""
        expected = ["t", *self.slots]
        if not isinstance(state, dict) or set(state) != set(expected):
            found = sorted(map(str, state)) if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"state must be the dict opt.init(params) returns, with keys {expected}; got {found}")
        t = state["t"]
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, numbers.Integral) or t < 0:
            raise ValueError(f"state['t'] counts the updates so far: a whole number ≥ 0, got {t!r}")
        for slot in self.slots:
            container = state[slot]
            for key, theta in params.items():
                if key is None:
                    value = None if isinstance(container, dict) else container
                else:
                    same_keys = isinstance(container, dict) and container.keys() == params.keys()
                    value = container[key] if same_keys else None
                shape = np.shape(self.initial_slot(slot, theta))
                if value is None or np.shape(value) != shape:
                    raise ValueError(f"state[{slot!r}] does not match {_label('params', key)} of shape "
                                     f"{theta.shape}: was the state made by opt.init for other params?")
