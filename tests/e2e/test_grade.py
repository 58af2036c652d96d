"""`autograder check` and `autograder grade` end to end on small classes built from the release."""
import csv
import json
import re
import subprocess
import sys

import pytest

from autograder.classrun.grade import RESULTS_FILE, grade_class
from autograder.engine.discovery import load_tests
from autograder.classrun.gradebook import Gradebook
from class_builder import KNN, PARTIAL_KNN, REFERENCE_KNN, RELEASE, REPO, STUB_KNN, add_student, points_for, zip_student

STATUSES = {"passed", "failed", "error", "timeout", "not_implemented"}


def _autograder(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


# -- check (students) ---------------------------------------------------------------------------

def test_check_on_untouched_stubs_gives_zero_and_not_implemented():
    result = _autograder("check", str(RELEASE), "--json")
    assert result.returncode == 1, "a check whose public tests do not pass must exit with status 1"
    assert "Traceback" not in result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["score"] == 0 and report["max_score"] > 0
    assert {t["status"] for t in report["tests"]} == {"not_implemented"}


def test_check_on_the_reference_gives_full_points(tmp_path):
    folder = add_student(tmp_path, "me", REFERENCE_KNN)
    result = _autograder("check", str(folder))
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1].split()
    assert last[0] == "total" and last[1].split("/")[0] == last[1].split("/")[1], result.stdout


def test_check_exits_1_when_one_public_test_fails_and_says_so_in_help(tmp_path):
    folder = add_student(tmp_path, "me", PARTIAL_KNN)  # everything right but the no-loops distances
    result = _autograder("check", str(folder / "knn.ipynb"), "--json")
    failing = [t for t in json.loads(result.stdout)["tests"] if t["status"] != "passed"]
    assert failing and all("no_loops" in t["function"] for t in failing), failing
    assert result.returncode == 1
    assert "exit status: 0 when every public test passed, 1 when any did not" in " ".join(
        _autograder("check", "--help").stdout.split())


def test_check_on_one_notebook_runs_that_notebooks_tests(tmp_path):
    folder = add_student(tmp_path, "me", REFERENCE_KNN)
    report = json.loads(_autograder("check", str(folder / "knn.ipynb"), "--json").stdout)
    assert report["tests"] and report["score"] == report["max_score"]


def test_check_on_a_folder_without_tests_is_one_clear_line(tmp_path):
    result = _autograder("check", str(tmp_path))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "tests/" in result.stderr


def test_check_never_needs_hidden_tests_in_the_release():
    assert not list(RELEASE.rglob("hidden_*")), "hidden tests leaked into release/"


# -- grade (instructors) ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    submitted, out = root / "submitted", root / "out"
    add_student(submitted, "ref", REFERENCE_KNN)
    zip_student(submitted, "zipped_ref", REFERENCE_KNN)
    add_student(submitted, "stubs", None, others="stub")
    add_student(submitted, "partial", PARTIAL_KNN)
    add_student(submitted, "syntax_error", REFERENCE_KNN.replace("def train(self, X, y):", "def train(self, X, y)"))
    zip_student(submitted, "zip_slip", REFERENCE_KNN, extra_members=[("../../evil.py", "print('out')")])
    symlinker = add_student(submitted, "symlinker", STUB_KNN, others="stub")
    # A symlink to the instructor's reference must not be followed when the submission is copied.
    target = symlinker / "classifiers" / "k_nearest_neighbor.py"
    target.unlink()
    target.symlink_to(REPO / "source" / "assignment1" / "classifiers" / "k_nearest_neighbor.py")
    broken_nb = add_student(submitted, "broken_notebook", REFERENCE_KNN)
    (broken_nb / "knn.ipynb").write_text("{ this is not a notebook")
    (submitted / "notes.txt").write_text("not a student")
    summary = grade_class(submitted, "assignment1", course_dir=REPO, out_dir=out, workers=2,
                          json_path=out / "grades.json", progress=False)
    records = {r["student"]: r for r in json.loads((out / "grades.json").read_text())}
    return root, submitted, out, records, summary


def test_json_follows_the_contract(graded_class):
    records = graded_class[3]
    for record in records.values():
        required = {"student", "assignment", "score", "max_score", "tests", "raw_total", "total", "total_max"}
        assert required <= set(record) <= required | {"upload", "manual", "lms", "insecure", "late"}
        manual = record.get("manual") or {"score": 0.0, "max_score": 0.0}
        assert record["raw_total"] == pytest.approx(record["score"] + manual["score"])
        assert record["total_max"] == pytest.approx(record["max_score"] + manual["max_score"])
        assert record["total"] == record["raw_total"]  # no due date here: nobody is late
        assert all(isinstance(line, str) and line for line in record.get("upload", []))
        if "manual" in record:
            assert set(record["manual"]) == {"score", "max_score", "pending"}
        for test in record["tests"]:
            assert set(test) == {"name", "function", "points", "max_points", "status", "message", "hidden",
                                 "diagnosis"}
            assert test["status"] in STATUSES and isinstance(test["hidden"], bool)
            assert isinstance(test["diagnosis"], str) and (not test["diagnosis"] or test["status"] != "passed")
            module, _, name = test["function"].rpartition(".")
            assert module and name.isidentifier(), f"not a dotted path: {test['function']}"
        assert record["score"] == pytest.approx(sum(t["points"] for t in record["tests"]))


def test_folder_and_zip_submissions_grade_the_same(graded_class):
    records = graded_class[3]
    assert records["ref"]["score"] == records["ref"]["max_score"]
    assert records["zipped_ref"]["score"] == records["ref"]["score"]


def test_partial_credit_is_per_test(graded_class):
    record = graded_class[3]["partial"]
    assert points_for(record, "compute_distances_two_loops")[0] == points_for(record, "compute_distances_two_loops")[1]
    assert 0 < record["score"] < record["max_score"]


def test_a_malformed_notebook_costs_nothing_autograded(graded_class):
    records = graded_class[3]
    assert records["broken_notebook"]["score"] == records["broken_notebook"]["max_score"]


def test_syntax_error_gives_a_clear_line_and_zero_for_that_module(graded_class):
    record = graded_class[3]["syntax_error"]
    knn_tests = [t for t in record["tests"] if t["function"].startswith(KNN)]
    assert sum(t["points"] for t in knn_tests) == 0
    # the public tests name the error and its line; a hidden test says only that no answer came
    # (which exception, and where, would be the submission's choice: test_hidden_channels.py)
    assert all("SyntaxError" in t["message"] for t in knn_tests if not t["hidden"]), knn_tests[0]
    assert all(t["status"] == "failed" and "SyntaxError" not in t["message"] for t in knn_tests if t["hidden"])
    others = [t for t in record["tests"] if not t["function"].startswith(KNN)]
    assert others and all(t["status"] == "passed" for t in others), "other modules must be graded normally"


def test_unsafe_zip_is_refused_with_one_line(graded_class):
    record = graded_class[3]["zip_slip"]
    assert record["score"] == 0 and "unsafe path" in record["tests"][0]["message"]
    assert not (graded_class[0] / "evil.py").exists()


def test_symlinks_in_submissions_are_not_followed(graded_class):
    assert graded_class[3]["symlinker"]["score"] == 0


def test_stray_files_are_skipped(graded_class):
    assert "notes" not in graded_class[3] and "notes.txt" not in graded_class[3]


def test_gradebook_json_and_csv_agree(graded_class):
    _, _, out, records, _ = graded_class
    with open(out / "grades.csv", newline="") as f:
        csv_totals = {row["student"]: float(row["score"]) for row in csv.DictReader(f)}
    book = Gradebook(None, "assignment1", out / "gradebook.db", out / "autograded").totals()
    json_totals = {s: r["score"] for s, r in records.items()}
    assert csv_totals == json_totals
    assert book == json_totals


def test_nbgrader_made_autograded_notebooks_without_solution_modules(graded_class):
    out = graded_class[2]
    assert (out / "autograded" / "ref" / "assignment1" / "knn.ipynb").exists()
    assert not list((out / "autograded").rglob("k_nearest_neighbor.py"))


def test_feedback_never_shows_hidden_expected_values(graded_class):
    _, _, out, records, _ = graded_class
    hidden = {t.name for t in load_tests(REPO / "source" / "assignment1" / "tests", include_hidden=True) if t.hidden}
    failed_hidden = [t for t in records["partial"]["tests"] if t["name"] in hidden and t["status"] == "failed"]
    assert failed_hidden, "the partial submission should fail some hidden tests"
    assert not any(re.search(r"expected -?\d", t["message"]) for t in failed_hidden), failed_hidden
    page = (out / "autograded" / "partial" / "assignment1" / "autograder.html").read_text()
    assert "_reference_dists" not in page and "rng.integers" not in page


def test_feedback_opens_with_one_line_per_function_that_lost_points(graded_class):
    records, out = graded_class[3], graded_class[2]
    page = (out / "autograded" / "partial" / "assignment1" / "autograder.html").read_text()
    first = page[page.index("What to look at first"):page.index("All tests")]
    lost = {}
    for t in records["partial"]["tests"]:
        lost.setdefault(t["function"], False)
        lost[t["function"]] |= t["points"] < t["max_points"]
    listed = re.findall(r"<li><code>([^<]+)</code>", first)
    assert listed and len(listed) == sum(lost.values()) == len(set(listed))
    assert "(hidden)" in page  # hidden tests are marked in the full table


def test_rerun_is_idempotent_and_regrades_only_what_changed(graded_class):
    root, submitted, out, records, _ = graded_class
    before = (out / "grades.json").read_text()
    summary = grade_class(submitted, "assignment1", course_dir=REPO, out_dir=out, workers=2,
                          json_path=out / "grades.json", progress=False)
    assert "graded 0 student(s)" in summary
    assert (out / "grades.json").read_text() == before
    # An interrupted run leaves some students without a results file: only those are redone.
    (out / "autograded" / "stubs" / "assignment1" / RESULTS_FILE).unlink()
    summary = grade_class(submitted, "assignment1", course_dir=REPO, out_dir=out, workers=1,
                          json_path=out / "grades.json", progress=False, gradebook=False)
    assert "graded 1 student(s)" in summary
    assert (out / "grades.json").read_text() == before


def test_grade_with_no_submissions_is_one_clear_line(tmp_path):
    (tmp_path / "empty").mkdir()
    result = _autograder("grade", str(tmp_path / "empty"), "--course", str(REPO))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_infrastructure_failure_is_reported_and_retried_never_scored(tmp_path):
    submitted, out = tmp_path / "submitted", tmp_path / "out"
    add_student(submitted, "unlucky", REFERENCE_KNN)
    from autograder.sandbox import Limits
    summary = grade_class(submitted, "assignment1", course_dir=REPO, out_dir=out, workers=1, progress=False,
                          gradebook=False, json_path=out / "grades.json", limits=Limits(start_seconds=1e-6))
    assert "unlucky" in summary.not_graded and "unlucky: NOT GRADED" in summary
    assert json.loads((out / "grades.json").read_text()) == [], "an infrastructure failure must not be scored"
    assert not (out / "autograded" / "unlucky" / "assignment1" / RESULTS_FILE).exists()
    summary = grade_class(submitted, "assignment1", course_dir=REPO, out_dir=out, workers=1, progress=False,
                          gradebook=False, json_path=out / "grades.json")
    assert not summary.not_graded
    record = json.loads((out / "grades.json").read_text())[0]
    assert record["student"] == "unlucky" and record["score"] == record["max_score"]
