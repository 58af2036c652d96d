"""Shared pieces of the mutation tests (test_knn_tests, test_linear_tests, test_net_tests,
test_deep_net_tests, test_features_tests, test_warmup_tests): the planted-bug record, grading a
student folder exactly as the grader does, the checks on its results, descriptions when an assertion
fails, and the tally of every planted bug and correct variant for the summary `make test` prints
(conftest.py)."""
import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path

from input_quotes import graded_and_unquoted

REPO = Path(__file__).resolve().parents[2]
SOURCE_DIR = REPO / "source" / "assignment1"
TESTS_DIR = SOURCE_DIR / "tests"
# Top-level names under which the grader imports the reference solution into this process.
REFERENCE_MODULES = ("classifiers", "layers", "optim", "schedules", "solver")


def _reference_module_names():
    return [n for n in sys.modules if n.split(".")[0] in REFERENCE_MODULES]


@contextlib.contextmanager
def reference_imports_isolated():
    """The grader imports the reference solution in this process (``Reference.module``); keep it
    from leaking into, or being shadowed by, other test modules: sys.path and sys.modules are
    restored afterwards."""
    saved_path = list(sys.path)
    saved_modules = {name: sys.modules.pop(name) for name in _reference_module_names()}
    try:
        yield
    finally:
        for name in _reference_module_names():
            del sys.modules[name]
        sys.modules.update(saved_modules)
        sys.path[:] = saved_path


TALLY = {"bugs": [], "correct": []}


@dataclass(frozen=True)
class Bug:
    """A planted bug of a mutation suite."""
    source: object                  # () -> the student's module text(s)
    broken: str                     # the function with the bug
    must_fail: tuple = ()           # graded tests that must not pass
    must_pass: tuple = ()           # graded tests that must still pass
    statuses: tuple = ("failed", "error")  # acceptable statuses of the broken function's failures
    marks: tuple = ()               # pytest marks, e.g. xfail for a known graded-test gap


def record_bug(variant, broken, results, named=None):
    """Tally one planted bug: did its own function lose points, did others, and does a failing test
    of its own function name the mistake: a recognised diagnosis (``TestResult.diagnosis``), or,
    when the suite checked a hint of its own, ``named``."""
    got, full = points_by_function(results)
    failing = [r for r in results if r.function == broken and r.status != "passed"]
    diagnoses = [r.diagnosis for r in failing if r.diagnosis]
    TALLY["bugs"].append({
        "bug": variant, "lost_own": got.get(broken, 0.0) < full.get(broken, 0.0),
        "lost_elsewhere": sorted(f for f in got if f != broken and got[f] < full[f]),
        "diagnosis": diagnoses[0] if diagnoses else "",
        "message": failing[0].message if failing else "",
        "named": bool(diagnoses) or bool(named)})


def record_correct(variant, results):
    """Tally one correct alternative: did it keep full marks everywhere, with no diagnosis?"""
    TALLY["correct"].append({"variant": variant,
                             "full": all(r.points == r.max_points and not r.diagnosis for r in results)})


def tally_lines():
    """The lines conftest prints in the "measured" section (none when no mutation test ran)."""
    bugs, correct = TALLY["bugs"], TALLY["correct"]
    if not bugs and not correct:
        return []
    elsewhere = [b for b in bugs if b["lost_elsewhere"]]
    if not bugs:
        return [f"mutation suites: {sum(c['full'] for c in correct)} of {len(correct)} correct alternatives "
                f"kept full marks (no planted bug ran)"]
    return [f"mutation suites: {len(bugs)} planted bugs, {sum(b['lost_own'] for b in bugs)} lost points in their own "
            f"function, {len(elsewhere)} also elsewhere, "
            f"{sum(b['named'] for b in bugs)} ({sum(b['named'] for b in bugs) / len(bugs):.0%}) with a message that "
            f"names the mistake ({len({b['diagnosis'] for b in bugs} - {''})} distinct diagnoses); "
            f"{sum(c['full'] for c in correct)} of {len(correct)} correct alternatives kept full marks"]


def grade_folder(graded_tests, workdir, reference_dir=SOURCE_DIR):
    """Grade ``workdir`` as the real grader would (sandboxed, with hidden tests and reference), and
    fail when a hidden test's message quotes one of that test's inputs (``input_quotes``)."""
    return graded_and_unquoted(graded_tests, workdir, reference_dir)


def assert_full_marks(variant, results, total=None):
    """A correct variant: every test passed with full points (and the points add up to ``total``)."""
    record_correct(variant, results)
    lost = [r for r in results if r.status != "passed" or r.points != r.max_points]
    assert not lost, f"correct variant {variant!r} was marked down by the graded tests:\n" + describe(lost)
    if total is not None:
        assert sum(r.points for r in results) == total


def short(function):
    return function.rsplit(".", 1)[-1]


def describe(results, only=lambda r: True):
    lines = [f"  {r.name} [{short(r.function)}{', hidden' if r.hidden else ''}] {r.status} "
             f"{r.points:g}/{r.max_points:g}: {r.message}" for r in results if only(r)]
    return "\n".join(lines) or "  (none)"


def points_by_function(results):
    got, full = {}, {}
    for r in results:
        got[r.function] = got.get(r.function, 0.0) + r.points
        full[r.function] = full.get(r.function, 0.0) + r.max_points
    return got, full


def assert_bug_caught(variant, bug, results, diagnosis=""):
    """The graded tests catch ``bug`` (a Bug of the calling test module: broken, must_fail,
    must_pass, statuses) in its own function and cost every other function nothing; with
    ``diagnosis`` (the id of the mistake the bug plants), a failing test of its function names it."""
    record_bug(variant, bug.broken, results)
    got, full = points_by_function(results)
    everything = describe(results, lambda r: r.status != "passed")
    by_name = {r.name: r for r in results}
    assert set(bug.must_fail) | set(bug.must_pass) <= set(by_name), "unknown graded test name"

    assert got[bug.broken] < full[bug.broken], (
        f"bug {variant!r} in {short(bug.broken)} was not caught: it still scores "
        f"{got[bug.broken]:g}/{full[bug.broken]:g}. Tests that did fail:\n{everything}")
    hits = [r for r in results if r.function == bug.broken and r.status in bug.statuses]
    assert hits, (f"bug {variant!r}: no test of {short(bug.broken)} has status in {bug.statuses}; "
                  f"its results:\n" + describe(results, lambda r: r.function == bug.broken))
    for name in bug.must_fail:
        assert by_name[name].status != "passed", (
            f"bug {variant!r}: graded test {name} should fail but passed. Failing tests:\n{everything}")
    for name in bug.must_pass:
        assert by_name[name].status == "passed", (
            f"bug {variant!r}: graded test {name} should pass (its target is computed correctly): "
            f"{by_name[name].status}: {by_name[name].message}")
    for function in full:
        assert function == bug.broken or got[function] == full[function], (
            f"bug {variant!r} is in {short(bug.broken)}, yet {short(function)} lost points "
            f"({got[function]:g}/{full[function]:g}):\n"
            + describe(results, lambda r, f=function: r.function == f and r.status != "passed"))
    assert_names(variant, bug.broken, results, diagnosis)


def assert_names(variant, broken, results, expected):
    """A failing test of ``broken`` carries the diagnosis ``expected`` (nothing to check when empty)."""
    if expected:
        named = [r.diagnosis for r in results if r.function == broken and r.status != "passed"]
        assert expected in named, (f"bug {variant!r}: no failing test of {short(broken)} names the "
                                   f"diagnosis {expected!r} (got {named}):\n"
                                   + describe(results, lambda r: r.function == broken))


# -- suites of one module (cross_validation.py, visual_words.py) ------------------------------------

def edited_text(reference, filename, *changes):
    """``reference`` (a module's text) with each ``(old, new)`` applied; ``old`` must occur exactly
    once, so an edit to the reference breaks the variant loudly instead of making it vacuous."""
    text = reference
    for old, new in changes:
        assert text.count(old) == 1, f"reference {filename} changed: update the variant ({old!r})"
        text = text.replace(old, new)
    return text


def grade_module(graded_tests, folder, filename, source):
    """Grade a student folder holding only ``filename`` with ``source``."""
    (Path(folder) / filename).write_text(source)
    return grade_folder(graded_tests, folder)


def assert_stubs_earn_nothing(graded_tests, folder, filename, reference):
    """The released stub of ``reference`` scores 0, every test "not implemented"."""
    from autograder.authoring.release import strip_solutions
    results = grade_module(graded_tests, folder, filename, strip_solutions(reference, filename))
    assert sum(r.points for r in results) == 0 and {r.status for r in results} == {"not_implemented"}, \
        describe(results)
