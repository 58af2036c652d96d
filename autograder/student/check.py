"""``autograder check``: a student's self-assessment with the public tests, offline."""
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from ..engine.discovery import load_tests
from ..engine.running import run_tests
from ..intake.workspace import SubmissionError, copy_tree
from ..sandbox import NO_ISOLATION, isolation_available


class CheckError(Exception):
    """A problem with what the student pointed us at (one line)."""


def locate(path):
    """(assignment folder, notebook name or None) for a folder or a notebook inside one."""
    path = Path(path).resolve()
    if path.is_file() and path.suffix == ".ipynb":
        return path.parent, path.name
    if path.is_dir():
        return path, None
    raise CheckError(f"{path} is neither an assignment folder nor a notebook")


def matching_tests(tests, function):
    """The tests of one graded function, named fully (``classifiers.k_nearest_neighbor.
    KNearestNeighbor.predict``) or by its last parts (``KNearestNeighbor.predict``)."""
    found = [t for t in tests if t.function == function or t.function.endswith("." + function)]
    if len({t.function for t in found}) > 1:
        raise CheckError(f"{function!r} is ambiguous: it could be any of "
                         f"{', '.join(sorted({t.function for t in found}))}")
    return found


def check(path, function=None, warn=True):
    """Run the public tests for ``path`` (all of them, or those of ``function``, see
    :func:`matching_tests`); returns (assignment name, list of result dicts). ``warn``: say on
    standard error when the sandbox runs without isolation."""
    folder, notebook = locate(path)
    tests_dir = folder / "tests"
    if not tests_dir.is_dir():
        raise CheckError(f"no tests/ folder in {folder}: point `autograder check` at your assignment "
                         f"folder (the one with the notebooks), e.g. `autograder check release/assignment1`")
    tests = load_tests(tests_dir, include_hidden=False)
    if notebook:
        tests = [t for t in tests if t.notebook == notebook]
    if function:
        tests = matching_tests(tests, function)
    if not tests:
        raise CheckError(f"no public tests found for {function or notebook or folder.name}")
    scratch = Path(tempfile.mkdtemp(prefix="autograder-check-"))
    try:
        try:
            workdir = copy_tree(folder, scratch / folder.name)
        except SubmissionError as exc:
            raise CheckError(f"cannot copy {folder}: {exc}") from None
        # A student's own machine and own code: without namespaces the check still runs, with
        # resource limits only, since nothing here is hidden from the student.
        if warn and not isolation_available():
            print(f"warning: {NO_ISOLATION}; your code runs with resource limits only (the grader "
                  f"itself always isolates it)", file=sys.stderr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            results = run_tests(tests, workdir, insecure=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return folder.name, [r.as_json() for r in results]
