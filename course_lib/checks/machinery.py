"""The machinery of the checks: `Case`, `Mistake`, `Batches`, `compare`, `fail`, `checker` and
`CHECKERS`, and the private helpers that every exercise's checks share (showing values,
comparing answers, calling the learner's function, diagnosing typical mistakes).

The checks themselves are in one module per exercise (ex01_gradient_descent.py ...); `course_lib.checks`
re-exports them all.
"""

from __future__ import annotations

import functools
import sys
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


def _argument(value) -> str:
    """An argument as Python text that can be pasted to repeat the call: ints stay ints, arrays are
    written np.array([...]) with their dtype when it is not float64 or int; arrays too large to show
    are named by their shape."""
    if isinstance(value, Batches) or value is None or isinstance(value, (str, bool)):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {_argument(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (tuple, list)):
        items = ", ".join(_argument(item) for item in value)
        return f"({items},)" if isinstance(value, tuple) and len(value) == 1 else (
            f"({items})" if isinstance(value, tuple) else f"[{items}]")
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    if isinstance(value, (float, np.floating)) and np.ndim(value) == 0:
        return repr(float(value))
    if callable(value):
        return getattr(value, "__name__", "a function")
    if not isinstance(value, np.ndarray):
        return _show(value)
    if value.size > SHOWN:
        return f"array of shape {value.shape} ({value.dtype})"
    text = " ".join(np.array2string(value, separator=", ", floatmode="unique", threshold=SHOWN).split())
    dtype = "" if value.dtype in (np.float64, np.int64) or value.dtype.kind == "b" else f", dtype=np.{value.dtype}"
    return f"np.array({text}{dtype})"


def _leaves(value):
    """The arrays and numbers inside an answer (tuples, lists and dicts of them), in order."""
    if isinstance(value, dict):
        for key in value:
            yield from _leaves(value[key])
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _dtype_problem(got, expected) -> str:
    """A line naming a dtype that loses digits: float32/float16 anywhere in the answer, or integers
    where the right answer has fractions (an output buffer that kept an integer input's dtype)."""
    got_leaves, expected_leaves = list(_leaves(got)), list(_leaves(expected))
    for index, leaf in enumerate(got_leaves):
        dtype = getattr(leaf, "dtype", None)
        if dtype is None:
            continue
        if dtype.kind == "f" and dtype.itemsize < 8:
            return (f"your answer is of dtype {dtype}, which keeps only about {7 if dtype.itemsize == 4 else 3} "
                    "digits; compute in float64, numpy's default (no .astype(np.float32), no dtype=np.float32)")
        if dtype.kind in "iub" and index < len(expected_leaves) and len(got_leaves) == len(expected_leaves):
            right = np.asarray(expected_leaves[index], dtype=float)
            if np.any(np.isfinite(right) & (right != np.round(right))):
                return (f"your answer is of dtype {dtype}: the fractions were cut off. An array made with "
                        "np.empty_like(x) or np.zeros_like(x) of an integer x is an integer array, and writing "
                        "floats into it truncates them; give it dtype=float (np.zeros_like(x, dtype=float))")
    return ""


_DTYPE_HINT = "work in float64: make every array you fill or return with dtype=float."


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


def task_of(check_name: str) -> str:
    """"Exercise 03 · task 1" for "check_ema": from the TASKS and EXERCISE of the checker's module."""
    check = CHECKERS.get(check_name)
    module = sys.modules.get(getattr(check, "__module__", ""), None)
    number = getattr(module, "TASKS", {}).get(check_name.removeprefix("check_"))
    return f"Exercise {module.EXERCISE} · task {number}" if number else ""


def checker(check):
    """Make `check` a check of the exercises (and list it in CHECKERS), with short tracebacks.

    A learner reads what a check raises in the notebook, under the traceback. A failed check is
    re-raised from here, so that traceback is two frames (their cell, this function) instead of
    the checker's insides. Errors from the learner's own code pass through unchanged, and the
    checker's frames on their way hide themselves: IPython (like pytest) skips every frame that
    sets ``__tracebackhide__ = True``, so each checker's first line does.

    Every message starts with the exercise and task ("Exercise 03 · task 1 · ema is not right
    yet: …"), so a failure found by a test run (which numbers cells, not tasks) says where to look.
    """
    @functools.wraps(check)
    def run(*functions):
        __tracebackhide__ = True
        task = task_of(check.__name__)
        try:
            return check(*functions)
        except AssertionError as failure:
            if not getattr(failure, "from_check", False):  # an assert in the learner's code: theirs to see
                _add_note(failure, f"({task}, {check.__name__})")
                raise
            message = str(failure)
        except Exception as error:
            _add_note(error, f"({task}, {check.__name__})")
            raise
        raise AssertionError(f"{task} · {message}" if task else message)

    CHECKERS[check.__name__] = run
    return run


def _add_note(error: BaseException, note: str) -> None:
    if hasattr(error, "add_note"):  # Python ≥ 3.11 prints notes under the error
        error.add_note(note)
    else:  # Python 3.10 has no add_note: the same list by hand (IPython's traceback shows it)
        error.__notes__ = [*getattr(error, "__notes__", []), note]


def _call_text(name: str, args: dict) -> str:
    return f"{name}({', '.join(_argument(value) for value in args.values())})"


class _Hidden:
    """While the learner's function runs, the course's own versions of what the task asks them to
    write are replaced by recorders that call through and note the call; afterwards the check fails
    if one was used. `references` are (owner, attribute, shown name): a module's function, or an
    optimizer class's `rule`. Names in the learner's globals bound to those objects are covered too
    (`from course_lib.nn import softmax`)."""

    def __init__(self, references, function=None):
        self.references, self.function, self.used, self.undo = list(references), function, [], []

    def _recorder(self, original, shown):
        def recorder(*args, **kwargs):
            if shown not in self.used:
                self.used.append(shown)
            return original(*args, **kwargs)
        recorder.__name__ = getattr(original, "__name__", shown)
        return recorder

    def __enter__(self):
        namespace = getattr(self.function, "__globals__", {})
        for owner, attribute, shown in self.references:
            original = getattr(owner, attribute)
            recorder = self._recorder(original, shown)
            had = attribute in vars(owner)
            setattr(owner, attribute, recorder)
            self.undo.append((owner, attribute, original if had else None))
            for key, value in list(namespace.items()):
                if value is original:
                    namespace[key] = recorder
                    self.undo.append((namespace, key, original))
        return self

    def __exit__(self, *exc):
        for owner, attribute, original in reversed(self.undo):
            if isinstance(owner, dict):
                owner[attribute] = original
            elif original is None:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, original)
        self.undo = []
        return False


def _hint_for_error(error: Exception, args: dict, mistakes) -> str:
    """The hint of the one typical mistake that raises the same error on these arguments (a broadcasting
    error from a mis-shaped array names the shapes, so the same message means the same mistake); ""
    when none does, or several (then the case's hint, which names them all, is better)."""
    hints = []
    for mistake in mistakes:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                mistake.answer(*_fresh(args).values())
            except Exception as other:
                if type(other) is type(error) and str(other) == str(error) and mistake.hint not in hints:
                    hints.append(mistake.hint)
    return hints[0] if len(hints) == 1 else ""


def _call(name: str, function, args: dict, where: str, case: Case | None = None, mistakes=(), hidden=()):
    """Call the learner's function on fresh copies of `args`; refuse changed inputs, and answers that
    only call the course's own version (`hidden`) of what the task asks for."""
    __tracebackhide__ = True
    fresh = _fresh(args)
    before = {key: value.copy() for key, value in fresh.items() if isinstance(value, np.ndarray)}
    try:
        with _Hidden(hidden, function) as recorded:
            answer = function(*fresh.values())
    except NotImplementedError as error:
        _add_note(error, "Not written yet: replace `raise NotImplementedError()` by your code, "
                         "run that cell, then run this check again.")
        raise
    except AssertionError as error:
        if getattr(error, "from_check", False):
            raise
        _add_note(error, f"(This came from your code, while checking {name}: {where}; "
                         f"your call: {_call_text(name, args)})")
        raise
    except Exception as error:
        hint = _hint_for_error(error, args, mistakes) or (case.hint if case else "")
        _add_note(error, f"(This came from your code, while checking {name}: {where}; "
                         f"your call: {_call_text(name, args)})" + (f"\nHint: {hint}" if hint else ""))
        raise
    if recorded.used:
        fail(name, where, [f"your call: {_call_text(name, args)}",
                           f"it calls the course's own {' and '.join(recorded.used)}, the very thing this task "
                           "asks you to write (and what the check compares with)"],
             f"write {name} yourself from the equations of the task, with numpy: an answer that calls "
             "the reference passes every check without showing that you can do it.")
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


def compare(name: str, function, reference, cases, mistakes=(), hint: str = "", hidden=()) -> None:
    """Check `function` against `reference` on every case; print ✓ or raise an AssertionError.

    name:      the function's name in the exercise, used in the messages.
    reference: the right answer, a function of the same arguments (usually from `course_lib`).
    mistakes:  typical `Mistake`s; the first one whose answer equals the learner's gives the hint.
    hint:      the hint when no mistake and no case hint explains the difference.
    hidden:    the course's own versions of what the task asks for, (owner, attribute, shown name):
               an answer that calls one fails (see `_Hidden`).

    An answer must also keep float64's digits: a float32 answer, or an integer one where the right
    answer has fractions, fails with a line about its dtype.
    """
    __tracebackhide__ = True
    cases = list(cases)
    for number, case in enumerate(cases, start=1):
        where = f"case {number} of {len(cases)}, {case.label}"
        got = _call(name, function, case.args, where, case, mistakes, hidden)
        expected = reference(*_fresh(case.args).values())
        dtype_line = _dtype_problem(got, expected)
        if _same(got, expected) and not dtype_line:
            continue
        mistake = None if dtype_line else _diagnose(function, cases, mistakes, case, got)
        lines = [f"your call: {_call_text(name, case.args)}",
                 f"expected:  {_show(expected)}", f"got:       {_show(got)}",
                 *_differences(got, expected), *([dtype_line] if dtype_line else [])]
        fail(name, where, lines, mistake.hint if mistake else _DTYPE_HINT if dtype_line else case.hint or hint)
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
    """(θ, *its state arrays) after update number t of `optimizer`, from the state given by name.
    Integer inputs are taken as floats (the optimizers keep θ's dtype; the answer has fractions)."""
    state = {slot: np.asarray(value, dtype=float) for slot, value in state.items()}
    new_theta, new_state = optimizer.update(np.asarray(theta, dtype=float), np.asarray(g, dtype=float),
                                            {"t": t - 1, **state})
    return (new_theta, *(new_state[slot] for slot in optimizer.slots))


def _k_runs(rng, shape=(3, 2), positive=False):
    """A random (K, d) array for the K-runs case; positive for a running average of g²."""
    values = rng.standard_normal(shape).round(3)
    return np.abs(values) + 0.1 if positive else values
