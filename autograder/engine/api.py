"""How graded tests are written. Test files import this; it runs only in the trusted grader.

A test file (``source/<assignment>/tests/public_*.py`` or ``hidden_*.py``) declares tests with
``@graded``. The grader calls each with the arguments it names:

- ``student``: a ``StudentCode``; ``student.call(...)`` runs the student's function in the sandbox
  and returns plain numbers (``student.call_reading_args(...)`` also returns the arguments as the
  call left them, for a function that updates a dict it is given), ``student.call_method(...)``
  builds an object and calls its methods, ``student.source(path)`` returns a student file's text
  for static checks.
  A test that judges loops (``assert_max_loops``) is declared ``@graded(..., fresh=True)``: it then
  runs in a child process of its own, so the code it calls is exactly the code the analysis reads.
- ``reference``: the reference solution's modules (hidden tests only), e.g.
  ``reference.module("classifiers.k_nearest_neighbor")``.
- ``rng``: a ``numpy.random.Generator`` seeded from the test's own name, so inputs are reproducible.
  The student's code draws from numpy's global generator and ``random``, which the sandbox seeds
  (from another seed of the test's name) before the test's first call: a submission that samples
  (weights, minibatches) scores the same at every run.

A test passes by returning; it fails by raising ``TestFailure`` (the assertion helpers below do).
Every call also fails the test when the student's code changed one of its input arrays in place,
unless the test file sets ``INPUTS_MAY_CHANGE = True`` (optimizers, which may update in place).

A bug should cost points once, in its own function: a test that runs another graded function of
the student's declares it with ``@graded(..., uses=(...))``, and a hidden test of F that calls the
student's G compares with the reference run on the student's G (``reference.using_student``).
Comparisons accept ``diagnoses`` (``diagnosis.Diagnosis``: known mistakes, computed here on the
test's inputs); the one the answer matches leads the failure message.
"""
import zlib
from dataclasses import dataclass

import numpy as np

from . import answers
from .diagnosis import TRANSPOSED, close, diagnose, generic, note_offered
from ..analysis.loops import analyze


class TestFailure(AssertionError):
    """The student's answer is wrong; the message says what to look at.

    ``detail`` may quote expected values: the grader shows it for public tests only, so hidden
    tests never reveal their answers in feedback. ``diagnosis`` names the recognised mistake (the
    id of a ``diagnosis.Diagnosis``, or of a hand-written check that names one) when there is one;
    ``title`` says that mistake in words for the instructor's class report (default: ``message``).
    ``answer``: the wrong answer's fingerprint (``answers.py``), kept for the instructor only.
    """

    def __init__(self, message, detail="", diagnosis="", title="", answer=None):
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.diagnosis = diagnosis
        self.title = title or (message if diagnosis else "")
        self.answer = answer
        if diagnosis:
            note_offered(diagnosis)


@dataclass(frozen=True)
class GradedTest:
    name: str          # unique within the assignment, e.g. "no_loops_matches_reference"
    function: str      # dotted path of the graded function
    points: float
    run: object        # the test function
    hidden: bool = False
    notebook: str = ""  # the notebook whose section this function belongs to (NOTEBOOK in the file
    #                     unless @graded names another)
    fresh: bool = False  # run in a child process started for this test alone
    inputs_may_change: bool = False  # INPUTS_MAY_CHANGE in the file: in-place updates are allowed
    uses: tuple = ()   # other graded functions whose answers this test's verdict depends on

    def seed(self):
        return zlib.crc32(self.name.encode())

    def student_seed(self):
        """The seed of the student's numpy and ``random`` generators during this test: fixed per
        test, so grading is reproducible, and not ``seed()``, so it tells the submission nothing
        about the test's own inputs."""
        return zlib.crc32(b"student code\0" + self.name.encode())


def graded(function, points=1.0, name=None, fresh=False, uses=(), notebook=""):
    """Mark a test function as graded: ``function`` is the dotted path of what it grades.
    ``notebook``: the notebook whose section the function belongs to, when it is not the file's
    NOTEBOOK (an update rule of optim.py introduced in a later notebook).
    ``fresh``: run it in a child process of its own (required for tests that judge loops).
    ``uses``: the other graded functions the test runs through the student's code (a public test
    that checks a backward pass with the student's own forward pass). When one of them loses
    points in the same run, a failure of this test is not charged on its own: the test scores what
    ``function``'s tests without ``uses`` score (see ``scoring.score_dependent_tests``), so a bug
    costs points only where it lives."""
    def mark(fn):
        fn.graded = GradedTest(name or fn.__name__, function, float(points), fn, notebook=notebook,
                               fresh=bool(fresh), uses=tuple(uses))
        return fn
    return mark


# -- comparisons (trusted: they see only numbers that came back over the pipe) -------------------
# A failure's ``message`` holds only what the test itself knows (names, expected shapes, advice);
# numbers the student's code returned go into ``detail``, which hidden tests never show: a
# submission could otherwise return a hidden input as a shape or an error size and read it in
# its feedback.

def as_array(value, what, shape=None, integer=False):
    """``value`` as a float or int ndarray with ``shape``; a clear ``TestFailure`` otherwise."""
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - any conversion failure means the same thing
        array = None
    if array is None or array.dtype.kind not in "biuf":
        raise TestFailure(f"{what} should be a numeric array", f"got {type(value).__name__}",
                          answer=answers.wrong_type(what, value))
    if shape is not None and array.shape != tuple(shape):
        raise TestFailure(f"{what} does not have the expected shape",
                          f"got {array.shape}, expected {tuple(shape)}", answer=answers.shape(what, array.shape, shape))
    if integer and array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            raise TestFailure(f"{what} should hold whole numbers (class labels)")
        array = array.astype(np.int64)
    return array


def rel_error(actual, expected, floor=1e-8):
    """Largest |a - e| / max(|a| + |e|, floor) over entries."""
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(a - e) / np.maximum(np.abs(a) + np.abs(e), floor), initial=0.0))


def assert_close(actual, expected, what, rtol=1e-6, floor=1e-8, diagnoses=()):
    """Fail unless ``actual`` has the shape of ``expected`` and agrees to relative error ``rtol``.

    Both sides must be finite: ``expected`` may come from another of the student's functions (a
    public test comparing two versions), and nan compares as "no error" in any tolerance test.
    ``diagnoses``: ``diagnosis.Diagnosis`` hypotheses about known mistakes; the first one the
    answer matches leads the failure message.
    """
    expected = as_array(expected, f"the value {what} is compared with")
    actual = as_array(actual, what)
    if actual.shape != expected.shape:
        wrong_shape = answers.shape(what, actual.shape, expected.shape)
        if expected.ndim == 2 and actual.shape == expected.shape[::-1] and close(actual.T, expected, 10 * rtol, floor):
            raise TestFailure(f"{what}: {TRANSPOSED}", f"got shape {actual.shape}, expected {expected.shape}",
                              "transposed", TRANSPOSED, wrong_shape)
        raise TestFailure(f"{what} does not have the expected shape",
                          f"got {actual.shape}, expected {expected.shape}", answer=wrong_shape)
    if not np.all(np.isfinite(expected)):
        raise TestFailure(f"{what}: the value it is compared with contains nan or inf (when that is "
                          f"another of your functions, fix that one first)")
    if not np.all(np.isfinite(actual)):
        raise TestFailure(f"{what} contains nan or inf", answer=answers.nonfinite(what, actual))
    err = rel_error(actual, expected, floor)
    if not err <= rtol:
        answer = answers.value(actual, expected, what, rtol, floor)
        found = diagnose(actual, expected, list(diagnoses) + generic(expected, what), rtol, floor)
        if found:
            raise TestFailure(f"{what}: {found.advice}", f"relative error {err:.1e}", found.name, found.advice,
                              answer)
        raise TestFailure(f"{what} is off: relative error above {rtol:.0e}", f"measured {err:.1e}",
                          answer=answer)


def assert_equal_labels(actual, expected, what, diagnoses=()):
    """Fail unless ``actual`` holds exactly the labels ``expected``; ``diagnoses`` as for
    ``assert_close`` (labels a known mistake gives)."""
    expected = np.asarray(expected)
    actual = as_array(actual, what, shape=expected.shape, integer=True)
    wrong = int(np.sum(actual != expected))
    if wrong:
        first = int(np.argmax(actual != expected))
        answer = answers.value(actual, expected, what)
        found = diagnose(actual, expected, diagnoses, rtol=0.0, floor=1.0)
        if found:
            raise TestFailure(f"{what}: {found.advice}", f"{wrong} of {expected.size} differ", found.name,
                              found.advice, answer)
        raise TestFailure(f"{what}: labels differ from the expected ones",
                          f"{wrong} of {expected.size} differ, the first at index {first}: "
                          f"got {actual.flat[first]}, expected {expected.flat[first]}", answer=answer)


def assert_responds(first, second, what):
    """Fail when two answers to different inputs are the same: a stub (or a stub with its
    region deleted) returns constants. Loop tests use it instead of judging values."""
    same = np.array_equal(np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)) \
        if np.shape(first) == np.shape(second) else False
    if same:
        raise TestFailure(f"{what} gives the same answer for different inputs: is it still a stub? "
                          f"(the loop check needs a function that computes something)")


def check(condition, message, detail="", diagnosis=""):
    """Fail with ``message`` unless ``condition``; ``detail`` (public tests only) may quote the
    student's values; ``diagnosis``: the id of the mistake ``message`` names, when it names one."""
    if diagnosis:
        note_offered(diagnosis)
    if not condition:
        raise TestFailure(message, detail, diagnosis)


# -- static checks on the student's source text (parsed, never run) ------------------------------

def assert_max_loops(student, path, qualname, limit):
    """Fail when ``qualname`` ('func' or 'Class.method') in the student's file ``path`` uses more
    than ``limit`` loops, counting the submission's functions it refers to (see ``loops.py``), when
    its name could be bound to other code at run time, or when a module that runs with it cannot be
    read as Python reads it (``analysis/source.py``). Only in ``@graded(..., fresh=True)``
    tests: their calls run in a child where only modules the analysis reads have run."""
    if not getattr(student, "fresh", False):
        raise RuntimeError("a test that calls assert_max_loops must be declared @graded(..., fresh=True)")
    report = analyze(student.python_files(), path, qualname, also_loaded=student.loaded_modules())
    short = qualname.split(".")[-1]
    if report.unreadable:
        where, why = report.unreadable[0]
        raise TestFailure(f"the loop check cannot read {where}, which runs with {short}: it reads every module "
                          f"as Python does and refuses one it cannot read", why, diagnosis="loop_check_cannot_read")
    if report.loops is None:
        raise TestFailure(f"could not find a plain `def {short}` in {path}")
    if report.forged:
        raise TestFailure(f"the loop check cannot vouch for {short}: {report.forged[0]}. A graded "
                          f"function must be a plain `def` that nothing rebinds at run time")
    if report.loops > limit:
        allowed = "no loops" if limit == 0 else f"at most {limit} loop{'s' * (limit > 1)}"
        raise TestFailure(f"{qualname} uses too many loops, comprehensions, recursions or functions handed "
                          f"on to be called per element, counting the helpers it calls; {allowed} allowed",
                          f"found {report.loops}", diagnosis="too_many_loops")


# -- loss functions of the form f(W, ...) -> (loss, dW) ---------------------------------------------

def loss_and_gradient(student, target, W, *args, finite=True):
    """Call the student's ``target(W, *args)`` that should return ``(loss, dW)``.

    Checks the answer's form (a pair; a scalar loss; dW a float array shaped like W; with ``finite``,
    no nan or inf) and returns ``(loss as float, dW as returned)``.
    """
    name = target.rsplit(".", 1)[-1]
    answer = student.call(target, W, *args)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2,
          f"{name} should return a tuple (loss, dW)",
          f"got a {type(answer).__name__}" + (f" of length {len(answer)}" if isinstance(answer, (tuple, list))
                                               else ""))
    loss = as_array(answer[0], f"the loss returned by {name} (a single number)", shape=())
    dW = as_array(answer[1], f"dW returned by {name}")
    if dW.shape != np.shape(W):
        raise TestFailure(f"{name} returned dW with the wrong shape: it should have the shape of W",
                          f"got {dW.shape}, expected {np.shape(W)}",
                          answer=answers.shape(f"dW returned by {name}", dW.shape, np.shape(W)))
    check(dW.dtype.kind == "f", f"dW returned by {name} should be a float array", f"got dtype {dW.dtype}")
    if finite:
        check(np.isfinite(loss), f"the loss returned by {name} is nan or inf", f"got {float(loss)}")
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
        if not err <= tol:
            where = ", ".join(str(int(i)) for i in index)
            raise TestFailure(f"{name}: dW[{where}] does not match the numerical gradient of your loss",
                              f"dW[{where}] = {analytic:.6g}, numerical {numerical:.6g}, relative error "
                              f"{err:.1e}, allowed {tol:g}")
        moved = moved or numerical != 0.0
    check(moved, f"the loss of {name} does not change when W changes: is it still a stub?")
