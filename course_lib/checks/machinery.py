"""The machinery of the checks: `Case`, `Mistake`, `Batches`, `compare`, `fail`, `checker` and
`CHECKERS`, and the private helpers that every exercise's checks share (showing values,
comparing answers, calling the learner's function, diagnosing typical mistakes).

The checks themselves are in one module per exercise (ex01_gradient_descent.py ...); `course_lib.checks`
re-exports them all.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Case", "Mistake", "Batches", "compare", "fail", "checker", "CHECKERS", "RTOL", "ATOL", "SHOWN"]

RTOL, ATOL = 1e-6, 1e-10  # agreement up to round-off, whatever order the learner adds things in
SHOWN = 12                # arrays up to this size are shown whole in the messages, larger ones cut


# -- the machinery ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One call of the learner's function.

    label: a few words for the messages ("t = 1", "β = 0", "K = 3 runs at once").
    args:  the arguments by name, in the order of the function's parameters (it is called with
           them positionally, so the learner may rename the parameters). Every call gets fresh
           copies of the arrays, and `Batches` become a new one-shot iterator.
    hint:  what to say when this case fails and no typical mistake explains the answer.
    """

    label: str
    args: dict
    hint: str = ""


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: a function with the reference's parameters that returns what the
    mistaken code would return, and the hint that fixes that mistake."""

    hint: str
    answer: Callable


class Batches:
    """Mini-batches given to a function as a one-shot iterator, as `minibatches` gives them."""

    def __init__(self, batches):
        self.batches = [tuple(np.array(part) for part in batch) for batch in batches]

    def fresh(self):
        return (tuple(part.copy() for part in batch) for batch in self.batches)

    def __repr__(self) -> str:
        sizes = ", ".join(str(len(batch[0])) for batch in self.batches)
        return f"minibatches(...) (an iterator over {len(self.batches)} batches of sizes {sizes})"


def _fresh(args: dict) -> dict:
    """New copies of every array (a mistake must not spoil the next call), new iterators."""
    return {name: value.fresh() if isinstance(value, Batches) else
            value.copy() if isinstance(value, np.ndarray) else value for name, value in args.items()}


def _show(value) -> str:
    """A short, readable text for an argument or an answer."""
    if isinstance(value, Batches):
        return repr(value)
    if value is None or isinstance(value, (str, bool)):
        return repr(value)
    if callable(value):
        return getattr(value, "__name__", "a function")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {_show(item)}" for key, item in value.items()) + "}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(item) for item in value) + ")"
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return f"a {type(value).__name__}"
    if array.ndim == 0:
        return f"{float(array):.6g}"
    text = np.array2string(array, precision=4, separator=", ", threshold=SHOWN, edgeitems=2)
    text = " ".join(text.split())  # one line
    return text if array.size <= SHOWN else f"array of shape {array.shape}: {text}"


def _as_array(value):
    """`value` as a float array, or None when it is not numbers (None, a generator, ...)."""
    try:
        return None if value is None else np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def _same(got, expected, equal_nan: bool = False) -> bool:
    """Whether `got` equals `expected` up to round-off: arrays, numbers, tuples and dicts of them."""
    if isinstance(expected, dict):
        return (isinstance(got, dict) and got.keys() == expected.keys()
                and all(_same(got[key], expected[key], equal_nan) for key in expected))
    if isinstance(expected, tuple):
        return (isinstance(got, (tuple, list, np.ndarray)) and len(got) == len(expected)
                and all(_same(g, e, equal_nan) for g, e in zip(got, expected)))
    got_array, expected_array = _as_array(got), np.asarray(expected, dtype=float)
    if got_array is None or got_array.shape != expected_array.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.allclose(got_array, expected_array, rtol=RTOL, atol=ATOL, equal_nan=equal_nan))


def _differences(got, expected, what: str = "") -> list[str]:
    """Lines that say where `got` differs from `expected`, beyond the values themselves."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"expected a dict with the keys {sorted(expected)}, got {_show(got)}"]
        if got.keys() != expected.keys():
            return [f"expected the keys {sorted(expected)}, got {sorted(got)}"]
        return [line for key in expected for line in _differences(got[key], expected[key], f"[{key!r}]: ")]
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list, np.ndarray)) or len(got) != len(expected):
            return [f"expected {len(expected)} values, {_show(expected)}; got {_show(got)}"]
        return [line for index, (g, e) in enumerate(zip(got, expected))
                for line in _differences(g, e, f"value {index + 1} of {len(expected)}: ")]
    if got is None:
        return [f"{what}your function returned None: did you forget the `return`?"]
    got_array, expected_array = _as_array(got), np.asarray(expected, dtype=float)
    if got_array is None:
        return [f"{what}expected numbers (an array), got a {type(got).__name__}"]
    if got_array.shape != expected_array.shape:
        return [f"{what}expected shape {expected_array.shape}, got shape {got_array.shape}"]
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.isclose(got_array, expected_array, rtol=RTOL, atol=ATOL)
    if close.all() or (expected_array.ndim == 0 and not what):  # a single number: expected and got say it all
        return []
    if expected_array.ndim == 0:
        return [f"{what}expected {float(expected_array):.6g}, got {float(got_array):.6g}"]
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    return [f"{what}first difference at index {list(index)}: "
            f"expected {expected_array[index]:.6g}, got {got_array[index]:.6g}"]


def fail(name: str, where: str, lines: list[str], hint: str = "") -> None:
    """Raise the AssertionError of a check: what, where, the facts (expected, got), and a hint."""
    message = f"{name} is not right yet: {where}"
    message += "".join(f"\n  {line}" for line in lines)
    if hint:
        message += f"\nHint: {hint}"
    failure = AssertionError(message)
    failure.from_check = True  # `checker` shows it without the checker's insides
    raise failure


CHECKERS: dict[str, Callable] = {}  # name -> check function of an exercise (the tests read this list)


def checker(check):
    """Make `check` a check of the exercises (and list it in CHECKERS), with short tracebacks.

    A learner reads what a check raises in the notebook, under the traceback. A failed check is
    re-raised from here, so that traceback is two frames (their cell, this function) instead of
    the checker's insides. Errors from the learner's own code pass through unchanged, and the
    checker's frames on their way hide themselves: IPython (like pytest) skips every frame that
    sets ``__tracebackhide__ = True``, so each checker's first line does.
    """
    @functools.wraps(check)
    def run(*functions):
        __tracebackhide__ = True
        try:
            return check(*functions)
        except AssertionError as failure:
            if not getattr(failure, "from_check", False):  # an assert in the learner's code: theirs to see
                raise
            message = str(failure)
        raise AssertionError(message)

    CHECKERS[check.__name__] = run
    return run


def _add_note(error: BaseException, note: str) -> None:
    if hasattr(error, "add_note"):  # Python ≥ 3.11 prints notes under the error
        error.add_note(note)


def _call_text(name: str, args: dict) -> str:
    return f"{name}({', '.join(_show(value) for value in args.values())})"


def _call(name: str, function, args: dict, where: str):
    """Call the learner's function on fresh copies of `args`; refuse changed inputs."""
    __tracebackhide__ = True
    fresh = _fresh(args)
    before = {key: value.copy() for key, value in fresh.items() if isinstance(value, np.ndarray)}
    try:
        answer = function(*fresh.values())
    except NotImplementedError as error:
        _add_note(error, "Not written yet: replace `raise NotImplementedError()` by your code, "
                         "run that cell, then run this check again.")
        raise
    except Exception as error:
        _add_note(error, f"(This came from your code, while checking {name}: {where}; "
                         f"your call: {_call_text(name, args)})")
        raise
    for key, original in before.items():
        if not np.array_equal(fresh[key], original, equal_nan=True):
            fail(name, where, [f"your call: {_call_text(name, args)}",
                               f"it changed its argument `{key}` in place"],
                 f"`{key} -= ...` (or `{key}[...] = ...`) writes into the caller's array. "
                 f"Make a new array instead: `{key} = {key} - ...`, or work on a copy.")
    return answer


def _quietly(function, args: dict):
    """What `function` returns for `args`, without warnings; None if it raises."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return function(*_fresh(args).values())
        except Exception:
            return None


def _diagnose(function, cases, mistakes, failed: Case, got):
    """The typical mistake whose answer equals the learner's, preferring one that fits every case."""
    def fits(mistake, case, answer):
        wrong = _quietly(mistake.answer, case.args)
        return wrong is not None and _same(answer, wrong, equal_nan=True)

    candidates = [mistake for mistake in mistakes if fits(mistake, failed, got)]
    if len(candidates) > 1:
        answers = [(case, _quietly(function, case.args)) for case in cases]
        candidates.sort(key=lambda mistake: -sum(fits(mistake, case, answer) for case, answer in answers))
    return candidates[0] if candidates else None


def compare(name: str, function, reference, cases, mistakes=(), hint: str = "") -> None:
    """Check `function` against `reference` on every case; print ✓ or raise an AssertionError.

    name:      the function's name in the exercise, used in the messages.
    reference: the right answer, a function of the same arguments (usually from `course_lib`).
    mistakes:  typical `Mistake`s; the first one whose answer equals the learner's gives the hint.
    hint:      the hint when no mistake and no case hint explains the difference.
    """
    __tracebackhide__ = True
    cases = list(cases)
    for number, case in enumerate(cases, start=1):
        where = f"case {number} of {len(cases)}, {case.label}"
        got = _call(name, function, case.args, where)
        expected = reference(*_fresh(case.args).values())
        if _same(got, expected):
            continue
        mistake = _diagnose(function, cases, mistakes, case, got)
        lines = [f"your call: {_call_text(name, case.args)}",
                 f"expected:  {_show(expected)}", f"got:       {_show(got)}",
                 *_differences(got, expected)]
        fail(name, where, lines, mistake.hint if mistake else case.hint or hint)
    _success(name, cases)


def _success(name: str, cases) -> None:
    print(f"✓ {name}: right in all {len(cases)} cases ({'; '.join(case.label for case in cases)})")


def _named(function, name: str):
    """`function` under a name that the messages can show."""
    def named(*args):
        return function(*args)
    named.__name__ = name
    return named


# -- shared by exercises 04-06: one update of a course_lib optimizer ------------------------------

def _one_update(optimizer, theta, g, t=1, **state):
    """(θ, *its state arrays) after update number t of `optimizer`, from the state given by name."""
    new_theta, new_state = optimizer.update(theta, g, {"t": t - 1, **state})
    return (new_theta, *(new_state[slot] for slot in optimizer.slots))


def _k_runs(rng, shape=(3, 2), positive=False):
    """A random (K, d) array for the K-runs case; positive for a running average of g²."""
    values = rng.standard_normal(shape).round(3)
    return np.abs(values) + 0.1 if positive else values
