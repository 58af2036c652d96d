"""The class report from real grading runs: the kNN part of assignment1 (tests/helpers/mixed_class.py),
graded in the sandbox with its real public and hidden tests, twice; the second run after one
student hands in a fixed upload. About 10 s."""
import json
import subprocess
import sys

import pytest

from autograder.classrun.grade import grade_class
from autograder.classrun.store import RESULTS_FILE
from autograder.sandbox import Limits
from class_builder import REPO
from mixed_class import REFERENCE_KNN, _write_submission, knn_course

CLASS = {"ada": "correct", "bea": "correct", "cal": "partial_no_sqrt", "dan": "partial_no_sqrt",
         "eli": "partial_labels", "fay": "partial_labels", "gil": "stub"}
LABELS = "classifiers.k_nearest_neighbor.KNearestNeighbor.predict_labels"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(output folder, first summary, second summary, grades.json and the report's JSON of the first run)."""
    root = tmp_path_factory.mktemp("report")
    course = knn_course(root / "course")
    submitted = root / "submitted"
    for student, kind in CLASS.items():
        _write_submission(submitted, student, kind)
    out = root / "out"
    run = dict(course_dir=course, out_dir=out, progress=False, gradebook=False, workers=2,
               limits=Limits(call_seconds=3.0))
    first = grade_class(submitted, "assignment1", **run)
    before = json.loads((out / "grades.json").read_text())
    first_report = _report(out)
    (submitted / "fay" / "assignment1" / "classifiers" / "k_nearest_neighbor.py").write_text(REFERENCE_KNN)
    second = grade_class(submitted, "assignment1", **run)
    return out, first, second, before, first_report


def _report(out):
    return json.loads((out / "report" / "assignment1.json").read_text())


def test_every_grade_run_ends_with_the_mistakes_in_words_and_the_report(graded):
    out, first, second, _, _ = graded
    assert not first.not_graded and not second.not_graded
    assert first.splitlines()[-3:] == [
        "most common mistakes (1 recognised in all):",
        "  2 students: these are squared distances: take the square root",
        first.splitlines()[-1]]
    assert first.splitlines()[-1].startswith(f"class report: {out / 'report' / 'assignment1.html'} (and .json; made in ")
    assert "since the previous run 1 score(s) changed, 0 student(s) new" in second.splitlines()[-1]


def test_the_report_counts_the_real_grading(graded):
    out, _, _, before, _ = graded
    data = _report(out)
    assert data["students"] == 7 and data["distribution"]["zero"] == ["gil"]
    [sqrt] = data["mistakes"]
    assert sqrt["id"] == "sqrt_missing" and sqrt["students"] == ["cal", "dan"] and len(sqrt["functions"]) == 3
    labels = next(f for f in data["functions"] if f["function"] == LABELS)
    # After fay's fix: ada, bea, cal, dan and fay pass predict_labels; eli returns zeros, gil a stub.
    assert labels["full_marks"] == 5 and labels["hidden"]["passed"] == 5 * 2 and labels["hidden"]["run"] == 7 * 2
    assert labels["public"]["passed"] == 5 * 2  # eli's zeros fail the public tests too: no blind spot here
    assert before and {r["student"] for r in before} == set(CLASS)


def test_students_who_return_the_same_wrong_answer_form_a_group(graded):
    out, _, _, _, first = graded
    # First run: eli and fay return the same all-zero labels on both hidden tests of predict_labels.
    groups = {g["test"]: g for g in first["groups"]["groups"] if g["function"] == LABELS}
    assert set(groups) == {"predict_labels_matches_reference_for_several_k",
                           "predict_labels_breaks_vote_ties_towards_smaller_label"}
    for group in groups.values():
        assert group["students"] == ["eli", "fay"] and group["representative"] == "eli" and group["size"] == 2
        assert group["answer"]["kind"] == "value" and "the answer is all zeros" in group["difference"]
    # After fay's fix, eli's zeros are hers alone.
    latest = _report(out)["groups"]
    assert all("fay" not in g["students"] for g in latest["groups"])
    assert latest["alone"]["predict_labels_breaks_vote_ties_towards_smaller_label"] == 1


def test_the_change_between_runs_says_whose_score_moved_and_why(graded):
    out, _, _, before, _ = graded
    after = {r["student"]: r["score"] for r in json.loads((out / "grades.json").read_text())}
    old = {r["student"]: r["score"] for r in before}
    changes = _report(out)["changes"]
    assert changes["changed"] == [{"student": "fay", "reasons": ["their upload changed"],
                                   "old": {"score": old["fay"], "manual": None, "total": old["fay"]},
                                   "new": {"score": after["fay"], "manual": None, "total": after["fay"]}}]
    assert old["fay"] < after["fay"] == max(after.values())


def test_grades_json_and_feedback_hold_no_fingerprint_the_results_file_does(graded):
    out, _, _, _, _ = graded
    saved = json.loads((out / "autograded" / "eli" / "assignment1" / RESULTS_FILE).read_text())["record"]
    assert saved["answers"] and all(a["kind"] for a in saved["answers"].values())  # control: kept for the instructor
    public = json.loads((out / "grades.json").read_text())
    assert not any("answers" in r or "mistakes" in r for r in public)
    page = (out / "autograded" / "eli" / "assignment1" / "autograder.html").read_text()
    assert "sketch" not in page and "factor_misfit" not in page


def test_the_report_command_rewrites_the_report_from_the_store(graded, tmp_path):
    out, _, _, _, _ = graded
    page, numbers = tmp_path / "page.html", tmp_path / "numbers.json"
    done = subprocess.run([sys.executable, "-m", "autograder", "report", "--course", str(out), "--html", str(page),
                           "--json", str(numbers)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith(f"wrote {page} and {numbers} in ")
    assert json.loads(numbers.read_text())["changes"]["changed"][0]["student"] == "fay"
    assert "autograded/fay/assignment1/autograder.html" in page.read_text()
    missing = subprocess.run([sys.executable, "-m", "autograder", "report", "--course", str(tmp_path / "none")],
                             capture_output=True, text=True, cwd=REPO, timeout=120)
    assert missing.returncode == 2 and missing.stderr.startswith("error: no graded student for assignment1")
