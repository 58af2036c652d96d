"""A hidden test tells a submission nothing it could steer with the hidden inputs (issue 33.6).

The attack: each kNN method reads the first value of its hidden input and spells it out through a
channel of its own choosing, then fails: the exception's type and the line it is raised on (about
17 bits here), the status (a time-out, a stub or an error), which argument it changes in place, and
the type it returns instead of an array. A decoder reads the value back from the results.

The control grades the same tests as public ones, whose messages are complete: the decoder reads
the value to four decimals there, and every other channel differs between two encodings. As hidden
tests, the results are the same whatever value is encoded, and the decoder finds nothing.
"""
import dataclasses
import re

import numpy as np
import pytest

from autograder.engine.discovery import load_tests
from autograder.engine.running import run_tests
from autograder.sandbox import Limits, runner
from class_builder import KNN, REFERENCE_KNN, SOURCE, add_student, replace_method
from sandbox_helpers import require_isolation

BITS = 17
KINDS = ["ValueError", "TypeError", "KeyError", "IndexError", "ZeroDivisionError", "OverflowError",
         "LookupError", "ArithmeticError"]  # 3 bits
PADDING = "#\n" * ((1 << (BITS - 3)) + 10)  # lines enough for 14 bits of line number

# v: the first input value to four decimals, 17 bits of it, plus SHIFT (which tells two encodings apart).
VALUE = "        v = (int(round(abs(float(np.asarray({arg}).flat[0])) * 1e4)) + SHIFT) % (1 << 17)\n"
ENCODERS = {
    # the exception's type (3 bits) and the line it is raised on (14 bits), in this file
    "compute_distances_two_loops": VALUE.format(arg="X") + (
        f"        kind = [{', '.join(KINDS)}][v & 7]\n"
        "        exec(compile('\\n' * (v >> 3) + 'raise kind()', __file__, 'exec'), {'kind': kind})\n"),
    # the status: a stub, a time-out or an error
    "compute_distances_one_loop": VALUE.format(arg="X") + (
        "        if v % 3 == 0:\n            raise NotImplementedError\n"
        "        if v % 3 == 1:\n            import time\n            time.sleep(30)\n"
        "        raise ValueError\n"),
    # the type it answers with
    "compute_distances_no_loops": VALUE.format(arg="X") + "        return [None, 'text', {}][v % 3]\n",
    # which argument it changes in place
    "predict_labels": VALUE.format(arg="dists") + (
        "        if v % 2:\n            dists[0, 0] = -1.0\n        else:\n            self.y_train[0] += 1\n"
        "        return np.zeros(dists.shape[0], dtype=np.int64)\n"),
}
TESTS = ("two_loops_matches_reference", "one_loop_matches_reference", "no_loops_matches_reference",
         "predict_labels_matches_reference_for_several_k")


def attacker(shift):
    code = REFERENCE_KNN.replace("import numpy as np", f"import numpy as np\n\nSHIFT = {shift}", 1)
    for method, body in ENCODERS.items():
        code = replace_method(code, method, body)
    return code + PADDING


def decode(results):
    """The value the two-loops test's feedback spells out (its absolute value modulo 2**17 / 1e4), or
    None when the feedback names no exception type and line."""
    [message] = [r.message for r in results if r.name == "two_loops_matches_reference"]
    kind = re.search(r"\b(" + "|".join(KINDS) + r")\b", message)
    line = re.search(r"k_nearest_neighbor\.py:(\d+)", message)
    if not (kind and line):
        return None
    return ((int(line.group(1)) - 1) << 3 | KINDS.index(kind.group(1))) / 1e4


def visible(results):
    """What the student's feedback shows of each test."""
    return [(r.name, r.status, r.points, r.message, r.diagnosis) for r in results]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """{(shift, hidden): (results, first value each method received)} for two encodings, graded as
    the hidden tests they are and as public ones (the control)."""
    require_isolation()
    tests = [t for t in load_tests(SOURCE / "tests", include_hidden=True) if t.name in TESTS]
    assert sorted(t.name for t in tests) == sorted(TESTS) and all(t.hidden for t in tests)
    received = {}
    original = runner.Sandbox.call_method

    def spy(self, cls, steps, init=(), seconds=None):
        method, args = steps[-1][0], steps[-1][1]
        received.setdefault(method, float(np.asarray(args[0]).flat[0]))
        return original(self, cls, steps, init=init, seconds=seconds)

    out = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner.Sandbox, "call_method", spy)
        for shift in (0, 12347):
            folder = add_student(tmp_path_factory.mktemp(f"shift{shift}"), "leaker", attacker(shift))
            for hidden in (True, False):
                received.clear()
                run = [dataclasses.replace(t, hidden=hidden) for t in tests]
                results = run_tests(run, folder, reference_dir=SOURCE, limits=Limits(call_seconds=2.0))
                out[shift, hidden] = results, dict(received)
    return out


def test_control_public_feedback_spells_out_the_hidden_input(graded):
    results, received = graded[0, False]
    first = abs(received["compute_distances_two_loops"])
    assert decode(results) == pytest.approx(first % ((1 << BITS) / 1e4), abs=1e-4), visible(results)
    # and every other channel carries the value too: the two encodings read differently
    other, _ = graded[12347, False]
    for mine, theirs in zip(visible(results), visible(other)):
        assert mine != theirs, mine


def test_hidden_feedback_is_the_same_whatever_value_is_encoded(graded):
    first, second = graded[0, True][0], graded[12347, True][0]
    assert decode(first) is None and decode(second) is None, visible(first)
    assert visible(first) == visible(second)
    assert {r.status for r in first} == {"failed"} and not any(r.points for r in first)
    for r in first:  # no exception name, no line, no argument, no type the submission chose
        assert not re.search(r"Error|\.py|argument|NoneType|\bstr\b|dict", r.message), r.message


def test_a_hidden_stub_says_not_implemented_only_when_its_public_tests_do(tmp_path):
    # The untouched stub: public and hidden tests alike say "not implemented".
    require_isolation()
    tests = [t for t in load_tests(SOURCE / "tests", include_hidden=True)
             if t.function == KNN + "compute_distances_one_loop" and not t.fresh]
    folder = add_student(tmp_path / "stub", "stub",
                         replace_method(REFERENCE_KNN, "compute_distances_one_loop",
                                        "        raise NotImplementedError\n"))
    assert {r.status for r in run_tests(tests, folder, reference_dir=SOURCE)} == {"not_implemented"}
    # A stub only for hidden inputs (the public ones are answered): it reads as a failure.
    picky = replace_method(REFERENCE_KNN, "compute_distances_one_loop",
                           "        if X.shape[0] != 6:\n            raise NotImplementedError\n"
                           "        return np.sqrt(((X[:, None] - self.X_train[None]) ** 2).sum(-1))\n")
    folder = add_student(tmp_path / "picky", "picky", picky)
    results = run_tests(tests, folder, reference_dir=SOURCE)
    assert {r.status for r in results if not r.hidden} == {"passed"}
    assert {r.status for r in results if r.hidden} == {"failed"}, [(r.name, r.status) for r in results]
