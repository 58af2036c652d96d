"""Does a hidden test's message quote its own inputs? (issue 27.4)

``graded_and_unquoted`` grades a folder as the grader does while recording the numbers every test
sends into the sandbox (scalars, the dimensions and sizes of arrays, the lengths of lists), then looks
for each of them in the test's message, written as messages write numbers (``%d``, ``%g``, ``%.3g``,
``%.2f``, ``repr``...). The mutation suites grade every planted bug and correct variant through it,
so each hidden message any of them provokes is checked.

0, 1 and 2 are left out: the advice texts use them as constants ("2 * reg * W", "1 - l1_ratio",
"np.sign(0) is 0"), and a test input that small tells a student nothing about the hidden data.
"""
import contextlib
import re

import numpy as np

from autograder.engine.running import run_tests
from autograder.sandbox import runner

SMALL = {0, 1, 2}
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?!\w)")
FORMATS = ("{:d}", "{:g}", "{:.2g}", "{:.3g}", "{:.4g}", "{:.6g}", "{!r}", "{:.1f}", "{:.2f}", "{:.3f}",
           "{:.0e}", "{:.1e}", "{:.2e}")


def numbers_in(value, found):
    """Add to ``found`` the numbers a message could quote of ``value``: scalars, every dimension and
    the size of an array, the length of a list, tuple or dict, recursively."""
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, str):
        return found
    if isinstance(value, (int, float, np.integer, np.floating)):
        found.add(float(value))
    elif isinstance(value, np.ndarray):
        if value.ndim == 0:
            numbers_in(value.item(), found)
        else:
            found.update(float(d) for d in value.shape)
            found.add(float(value.size))
    elif isinstance(value, (list, tuple)):
        found.add(float(len(value)))
        for item in value:
            numbers_in(item, found)
    elif isinstance(value, dict):
        found.add(float(len(value)))
        for item in value.values():
            numbers_in(item, found)
    return found


def spellings(x):
    """How a message could write the number ``x``."""
    out = set()
    for fmt in FORMATS:
        if fmt == "{:d}" and x != int(x):
            continue
        out.add(fmt.format(int(x) if fmt == "{:d}" else x))
    return {s for s in out if abs(float(s)) not in SMALL}  # 0.047 as %.1f is "0.0"


def quoted(message, inputs):
    """The numbers of ``message`` that spell one of ``inputs`` (never 0, 1 or 2)."""
    words = {w.rstrip(".") for w in NUMBER.findall(message)}
    hits = []
    for x in sorted(inputs):
        if not np.isfinite(x) or x in SMALL:
            continue
        common = words & spellings(x)
        if common:
            hits.append(f"{sorted(common)[0]} (input {x:g})")
    return hits


@contextlib.contextmanager
def recording_inputs():
    """Inside the block, every call into the sandbox adds its numbers to the list this yields (the
    caller splits it per test)."""
    sent = []
    call, call_method = runner.Sandbox.call, runner.Sandbox.call_method

    def spy_call(self, target, *args, seconds=None, **kwargs):
        sent.append(numbers_in([list(args), kwargs], set()))
        return call(self, target, *args, seconds=seconds, **kwargs)

    def spy_call_method(self, cls, steps, init=(), seconds=None):
        sent.append(numbers_in([list(init), [list(step[1:]) for step in steps]], set()))
        return call_method(self, cls, steps, init=init, seconds=seconds)

    runner.Sandbox.call, runner.Sandbox.call_method = spy_call, spy_call_method
    try:
        yield sent
    finally:
        runner.Sandbox.call, runner.Sandbox.call_method = call, call_method


def graded_and_unquoted(tests, workdir, reference_dir, **kwargs):
    """``run_tests`` as the grader runs it; fails when a hidden test's message quotes a number that
    test sent into the sandbox."""
    per_test = []
    with recording_inputs() as sent:
        def close_test(result):
            per_test.append(set().union(*sent))
            sent.clear()
        results = run_tests(tests, workdir, reference_dir=reference_dir, progress=close_test, **kwargs)
    problems = [f"{r.name}: {', '.join(hits)} in {r.message!r}"
                for r, inputs in zip(results, per_test) if r.hidden
                for hits in [quoted(r.message, inputs)] if hits]
    assert not problems, "hidden messages quote their inputs:\n  " + "\n  ".join(problems)
    return results


# -- every label a hidden test builds, failing or not ------------------------------------------------

# The helpers whose text argument becomes a failure message (argument position, name).
LABELLED = {"assert_close": 2, "assert_equal_labels": 2, "as_array": 1, "assert_responds": 2, "check": 1,
            "Diagnosis": 1}


@contextlib.contextmanager
def recording_labels():
    """Inside the block, test files loaded by ``load_tests`` (and the shared course checks
    ``autograder.penalties`` and ``autograder.fold_checks``) build their messages through spies:
    every label, message and advice text a test passes to the helpers of ``autograder.testing`` is
    added to the list this yields, whether the check fails or not."""
    import autograder.fold_checks as fold_checks
    import autograder.penalties as penalties
    import autograder.testing as testing
    labels = []

    def spy(function, position):
        def recorded(*args, **kwargs):
            if len(args) > position and isinstance(args[position], str):
                labels.append(args[position])
            return function(*args, **kwargs)
        return recorded

    class RecordedFailure(testing.TestFailure):
        def __init__(self, message, detail="", diagnosis=""):
            labels.append(message)
            super().__init__(message, detail, diagnosis)

    saved = []
    for module in (testing, penalties, fold_checks):
        for name, position in LABELLED.items():
            if hasattr(module, name):
                saved.append((module, name, getattr(module, name)))
                setattr(module, name, spy(getattr(module, name), position))
        if hasattr(module, "TestFailure"):
            saved.append((module, "TestFailure", module.TestFailure))
            module.TestFailure = RecordedFailure
    try:
        yield labels
    finally:
        for module, name, value in reversed(saved):
            setattr(module, name, value)


def labels_quoting_inputs(tests_dir, workdir, reference_dir):
    """Grade ``workdir`` with the public and hidden tests of ``tests_dir`` and return (results,
    problems): one line per label a hidden test built that quotes one of that test's inputs."""
    from autograder.engine.discovery import load_tests
    per_test, marks = [], []
    with recording_inputs() as sent, recording_labels() as labels:
        tests = load_tests(tests_dir, include_hidden=True)  # their helpers are the spies

        def close_test(result):
            per_test.append(set().union(*sent))
            sent.clear()
            marks.append(len(labels))
        results = run_tests(tests, workdir, reference_dir=reference_dir, progress=close_test)
    problems, start = [], 0
    for result, inputs, end in zip(results, per_test, marks):
        if result.hidden:
            for label in dict.fromkeys(labels[start:end]):
                hits = quoted(label, inputs)
                if hits:
                    problems.append(f"{result.name}: {', '.join(hits)} in {label!r}")
        start = end
    return results, problems
