"""How graded tests are written. Test files import this; it runs only in the trusted grader.

A test file (``source/<assignment>/tests/public_*.py`` or ``hidden_*.py``) declares tests with
``@graded``. The grader calls each with the arguments it names:

- ``student``: a ``StudentCode``; ``student.call(...)`` runs the student's function in the sandbox
  and returns plain numbers, ``student.source(path)`` returns a student file's text for static checks.
- ``reference``: the reference solution's modules (hidden tests only), e.g.
  ``reference.module("classifiers.k_nearest_neighbor")``.
- ``rng``: a ``numpy.random.Generator`` seeded from the test's own name, so inputs are reproducible.

A test passes by returning; it fails by raising ``TestFailure`` (the assertion helpers below do).
"""
import ast
import zlib
from dataclasses import dataclass

import numpy as np


class TestFailure(AssertionError):
    """The student's answer is wrong; the message says what to look at.

    ``detail`` may quote expected values: the grader shows it for public tests only, so hidden
    tests never reveal their answers in feedback.
    """

    def __init__(self, message, detail=""):
        super().__init__(message)
        self.message = message
        self.detail = detail


@dataclass(frozen=True)
class GradedTest:
    name: str          # unique within the assignment, e.g. "no_loops_matches_reference"
    function: str      # dotted path of the graded function
    points: float
    run: object        # the test function
    hidden: bool = False
    notebook: str = ""  # the notebook whose section this function belongs to (NOTEBOOK in the file)

    def seed(self):
        return zlib.crc32(self.name.encode())


def graded(function, points=1.0, name=None):
    """Mark a test function as graded: ``function`` is the dotted path of what it grades."""
    def mark(fn):
        fn.graded = GradedTest(name or fn.__name__, function, float(points), fn)
        return fn
    return mark


# -- comparisons (trusted: they see only numbers that came back over the pipe) -------------------

def as_array(value, what, shape=None, integer=False):
    """``value`` as a float or int ndarray with ``shape``; a clear ``TestFailure`` otherwise."""
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - any conversion failure means the same thing
        array = None
    if array is None or array.dtype.kind not in "biuf":
        raise TestFailure(f"{what} should be a numeric array; got {type(value).__name__}")
    if shape is not None and array.shape != tuple(shape):
        raise TestFailure(f"{what} has shape {array.shape}; expected {tuple(shape)}")
    if integer and array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            raise TestFailure(f"{what} should hold whole numbers (class labels)")
        array = array.astype(np.int64)
    return array


def rel_error(actual, expected, floor=1e-8):
    """Largest |a - e| / max(|a| + |e|, floor) over entries."""
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(a - e) / np.maximum(np.abs(a) + np.abs(e), floor), initial=0.0))


def assert_close(actual, expected, what, rtol=1e-6, floor=1e-8):
    """Fail unless ``actual`` has the shape of ``expected`` and agrees to relative error ``rtol``."""
    expected = np.asarray(expected, dtype=np.float64)
    actual = as_array(actual, what, shape=expected.shape)
    if not np.all(np.isfinite(actual)):
        raise TestFailure(f"{what} contains nan or inf")
    err = rel_error(actual, expected, floor)
    if err > rtol:
        raise TestFailure(f"{what} is off: relative error {err:.1e} (allowed {rtol:.0e})")


def assert_equal_labels(actual, expected, what):
    expected = np.asarray(expected)
    actual = as_array(actual, what, shape=expected.shape, integer=True)
    wrong = int(np.sum(actual != expected))
    if wrong:
        first = int(np.argmax(actual != expected))
        raise TestFailure(f"{what}: {wrong} of {expected.size} labels differ",
                          f"first at index {first}: got {actual.flat[first]}, expected {expected.flat[first]}")


def check(condition, message):
    if not condition:
        raise TestFailure(message)


# -- static checks on the student's source text (parsed, never run) ------------------------------

_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# Calls that run a Python function once per element: loops in all but syntax.
_LOOPING_CALLS = {"map", "filter", "apply_along_axis", "apply_over_axes", "vectorize", "frompyfunc",
                  "fromiter"}


def _definitions(tree):
    """{'name' or 'Class.name': FunctionDef} for module-level functions and methods."""
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[f"{node.name}.{item.name}"] = item
    return found


def count_loops(source_text, qualname):
    """Loops and comprehensions in ``qualname`` and in the module's own functions it calls.

    Returns None when ``qualname`` is not defined by a plain ``def`` in the file. Calls such as
    ``map`` or ``np.apply_along_axis`` count as loops. Calls are followed by name (``helper(...)``,
    ``self.method(...)``), transitively, so that moving a loop into a helper does not hide it.
    """
    try:
        tree = ast.parse(source_text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    defs = _definitions(tree)
    if qualname not in defs:
        return None
    owner = qualname.rsplit(".", 1)[0] if "." in qualname else None
    seen, todo, loops = set(), [qualname], 0
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for node in ast.walk(defs[name]):
            if isinstance(node, _LOOPS):
                loops += 1
            elif isinstance(node, ast.Call):
                callee = node.func
                called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
                if called in _LOOPING_CALLS:
                    loops += 1
                if isinstance(callee, ast.Name) and callee.id in defs:
                    todo.append(callee.id)
                elif (isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name)
                      and callee.value.id == "self" and owner and f"{owner}.{callee.attr}" in defs):
                    todo.append(f"{owner}.{callee.attr}")
    return loops


def assert_max_loops(student, path, qualname, limit):
    """Fail when ``qualname`` in the student's file ``path`` uses more than ``limit`` loops."""
    loops = count_loops(student.source(path), qualname)
    if loops is None:
        raise TestFailure(f"could not find `def {qualname.split('.')[-1]}` in {path}")
    if loops > limit:
        allowed = "no loops" if limit == 0 else f"at most {limit} loop{'s' * (limit > 1)}"
        raise TestFailure(f"{qualname} uses {loops} loop(s) or comprehension(s); {allowed} allowed")




# -- loss functions of the form f(W, ...) -> (loss, dW) ---------------------------------------------

def loss_and_gradient(student, target, W, *args, finite=True):
    """Call the student's ``target(W, *args)`` that should return ``(loss, dW)``.

    Checks the answer's form (a pair; a scalar loss; dW a float array shaped like W; with ``finite``,
    no nan or inf) and returns ``(loss as float, dW as returned)``.
    """
    name = target.rsplit(".", 1)[-1]
    answer = student.call(target, W, *args)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2,
          f"{name} should return a tuple (loss, dW); got {type(answer).__name__}"
          + (f" of length {len(answer)}" if isinstance(answer, (tuple, list)) else ""))
    loss = as_array(answer[0], f"the loss returned by {name} (a single number)", shape=())
    dW = as_array(answer[1], f"dW returned by {name}")
    check(dW.shape == np.shape(W), f"{name} returned dW of shape {dW.shape}; expected {np.shape(W)} like W")
    check(dW.dtype.kind == "f", f"dW returned by {name} has dtype {dW.dtype}; expected a float array")
    if finite:
        check(np.isfinite(loss), f"the loss returned by {name} is {float(loss)}")
        check(np.all(np.isfinite(dW)), f"dW returned by {name} contains nan or inf")
    return float(loss), dW


def assert_gradient_matches_numerical(student, target, W, args, rng, num_entries=8, h=1e-5, tol=1e-5,
                                      floor=1e-3):
    """Compare the student's dW with the centred difference (L(W + h) - L(W - h)) / 2h of their own
    loss at ``num_entries`` random entries of W. Also fails a loss that does not move with W (a stub
    returning constants would otherwise agree with itself)."""
    name = target.rsplit(".", 1)[-1]
    _, dW = loss_and_gradient(student, target, W, *args)
    moved = False
    for flat in rng.choice(W.size, num_entries, replace=False):
        index = np.unravel_index(flat, W.shape)
        step = np.zeros_like(W)
        step[index] = h
        numerical = (loss_and_gradient(student, target, W + step, *args)[0]
                     - loss_and_gradient(student, target, W - step, *args)[0]) / (2 * h)
        analytic = float(dW[index])
        err = abs(numerical - analytic) / max(abs(numerical) + abs(analytic), floor)
        if err > tol:
            where = ", ".join(str(int(i)) for i in index)
            raise TestFailure(f"{name}: dW[{where}] = {analytic:.6g}, but the numerical gradient is "
                              f"{numerical:.6g} (relative error {err:.1e}, allowed {tol:g})")
        moved = moved or numerical != 0.0
    check(moved, f"the loss of {name} does not change when W changes: is it still a stub?")
