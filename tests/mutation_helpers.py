"""Shared pieces of the mutation tests (test_knn_tests, test_linear_tests, test_net_tests): grade a
student folder exactly as the grader does, and describe the results when an assertion fails."""
import contextlib
import sys
from pathlib import Path

from autograder.grading import run_tests

REPO = Path(__file__).resolve().parent.parent
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


def grade_folder(graded_tests, workdir):
    """Grade ``workdir`` as the real grader would (sandboxed, with hidden tests and reference)."""
    return run_tests(graded_tests, workdir, reference_dir=SOURCE_DIR)


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


def assert_bug_caught(variant, bug, results, intact):
    """The graded tests catch ``bug`` (a Bug of the calling test module: broken, must_fail,
    must_pass, statuses) and cost nothing to the functions in ``intact``."""
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
    for function in intact:
        assert got[function] == full[function], (
            f"bug {variant!r} is in {short(bug.broken)}, yet {short(function)} lost points "
            f"({got[function]:g}/{full[function]:g}):\n"
            + describe(results, lambda r, f=function: r.function == f and r.status != "passed"))
