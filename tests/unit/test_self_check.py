"""The self-check that each graded notebook cell runs (autograder.student.selfcheck), outside a notebook.

It runs one function's public tests on the saved modules of the notebook's folder, prints the table
(a notebook gets the same table as HTML) and raises SelfCheckFailed unless every test passed.
"""
import re
import shutil
from pathlib import Path

import pytest

from autograder.authoring.release import STUB_RAISE_RE
from autograder.student.selfcheck import SelfCheckFailed, self_check

REPO = Path(__file__).resolve().parents[2]
KNN = Path("classifiers") / "k_nearest_neighbor.py"


@pytest.fixture
def student(tmp_path):
    work = tmp_path / "assignment1"
    shutil.copytree(REPO / "release" / "assignment1", work, ignore=shutil.ignore_patterns("__pycache__"))
    return work


def test_an_untouched_stub_fails_its_check_with_not_implemented(student, capsys):
    with pytest.raises(SelfCheckFailed, match=r"compute_distances_two_loops: not written yet \(0 of 1"):
        self_check("KNearestNeighbor.compute_distances_two_loops", student)
    table = capsys.readouterr().out
    assert "Self-check of KNearestNeighbor.compute_distances_two_loops: 0 of 1 public points" in table
    assert "not implemented" in table


def test_the_reference_passes_and_a_loop_in_the_vectorized_version_does_not(student, capsys):
    shutil.copyfile(REPO / "source" / "assignment1" / KNN, student / KNN)
    assert self_check("KNearestNeighbor.compute_distances_no_loops", student) is None
    assert "passed" in capsys.readouterr().out

    source = (student / KNN).read_text()
    looped = re.sub(r"(def compute_distances_no_loops\(self, X\):.*?\n)(\s+)(\"\"\".*?\"\"\"\n)",
                    lambda m: m[1] + m[2] + m[3] + m[2] + "return self.compute_distances_one_loop(X)\n",
                    source, count=1, flags=re.S)
    assert looped != source
    (student / KNN).write_text(looped)
    with pytest.raises(SelfCheckFailed, match="not passing"):
        self_check("KNearestNeighbor.compute_distances_no_loops", student)
    assert "loop" in capsys.readouterr().out  # the hint names the loop it found


def test_a_name_that_is_not_one_graded_function_is_a_clear_error(student):
    with pytest.raises(SelfCheckFailed, match="no public tests found for KNearestNeighbor.fly"):
        self_check("KNearestNeighbor.fly", student)
    with pytest.raises(SelfCheckFailed, match="ambiguous"):
        self_check("predict", student)


def test_every_stub_in_the_release_names_its_function_and_file():
    for module in (REPO / "release").rglob("*.py"):
        if "tests" in module.parts:
            continue
        text = module.read_text()
        stubs = re.findall(r"# YOUR CODE HERE\n\s*(raise NotImplementedError\(.*\))", text)
        assert len(stubs) == text.count("# YOUR CODE HERE"), module
        for line in stubs:
            assert STUB_RAISE_RE.fullmatch(line) and "is not written yet: write it in" in line, (module, line)
            where = re.search(r"write it in (\S+)\"", line)[1]
            assert (module.parents[0] / where).is_file() or any(
                (parent / where).is_file() for parent in module.parents[:3]), (module, where)
