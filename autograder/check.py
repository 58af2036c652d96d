"""``autograder check``: a student's self-assessment with the public tests, offline."""
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from .grading import load_tests, run_tests
from .sandbox import NO_ISOLATION, isolation_available
from .workspace import SubmissionError, copy_tree


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


def check(path):
    """Run the public tests for ``path``; returns (assignment name, list of result dicts)."""
    folder, notebook = locate(path)
    tests_dir = folder / "tests"
    if not tests_dir.is_dir():
        raise CheckError(f"no tests/ folder in {folder}: point `autograder check` at your assignment "
                         f"folder (the one with the notebooks), e.g. `autograder check release/assignment1`")
    tests = load_tests(tests_dir, include_hidden=False)
    if notebook:
        tests = [t for t in tests if t.notebook == notebook]
    if not tests:
        raise CheckError(f"no public tests found for {notebook or folder.name}")
    scratch = Path(tempfile.mkdtemp(prefix="autograder-check-"))
    try:
        try:
            workdir = copy_tree(folder, scratch / folder.name)
        except SubmissionError as exc:
            raise CheckError(f"cannot copy {folder}: {exc}") from None
        # A student's own machine and own code: without namespaces the check still runs, with
        # resource limits only, since nothing here is hidden from the student.
        if not isolation_available():
            print(f"warning: {NO_ISOLATION}; your code runs with resource limits only (the grader "
                  f"itself always isolates it)", file=sys.stderr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            results = run_tests(tests, workdir, insecure=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return folder.name, [r.as_json() for r in results]
