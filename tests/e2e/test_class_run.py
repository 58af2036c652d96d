"""The instructor's class run: every upload shape grades like the plain folder, a malformed upload
costs its owner only what is broken and says so, and grades.csv always holds the whole class."""
import contextlib
import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from autograder.classrun.deadlines import parse_time
from autograder.classrun.grade import GradeError, grade_class
from autograder.intake.roster import RosterError, load_roster, split_name
from autograder.classrun.store import manual_points, results_path
from class_builder import PARTIAL_KNN, REFERENCE_KNN, REPO, add_student


def _zip_folder(folder, archive, prefix=""):
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(folder).as_posix())
    return archive


def _grade(submitted, out, **options):
    """grade_class with its console captured: (summary, the lines it wrote to standard error)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        summary = grade_class(submitted, "assignment1", course_dir=REPO, out_dir=out, workers=2, progress=False,
                              **options)
    return summary, err.getvalue().splitlines()


def _csv_rows(out):
    with open(out / "grades.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def _points(record):
    return {(t["function"], t["name"]): t["points"] for t in record["tests"]}


# -- every shape an instructor receives grades the same --------------------------------------------

@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    submitted, staging = root / "submitted", root / "staging"
    add_student(submitted, "plain", PARTIAL_KNN)
    work = add_student(staging, "work", PARTIAL_KNN)  # the same work in every other shape
    _zip_folder(work, submitted / "zipped.zip", "assignment1/")
    (submitted / "inner").mkdir()
    _zip_folder(work, submitted / "inner" / "assignment1.zip", "assignment1/")
    shutil.copytree(work, submitted / "deeper" / "my work" / "assignment1-final")
    # Canvas: one zip, and one upload of loose files (Canvas keeps no folders), marked late.
    _zip_folder(work, submitted / "lovelaceada_10001_9001_assignment1.zip")
    for number, path in enumerate(sorted(p for p in work.rglob("*") if p.is_file())):
        shutil.copyfile(path, submitted / f"turingalan_LATE_10002_{9100 + number}_{path.name}")
    # Moodle: a folder per student (4.1 and later), and a flat file with the older trailing "_".
    shutil.copytree(work, submitted / "Grace Hopper_48213_assignsubmission_file" / "assignment1")
    _zip_folder(work, submitted / "Edsger Dijkstra_48214_assignsubmission_file_assignment1.zip", "assignment1/")
    (submitted / "Grace Hopper_48213_assignsubmission_onlinetext_").mkdir()
    roster = root / "roster.csv"
    roster.write_text("student,name,lms_id\nada,\"Lovelace, Ada\",10001\nalan,Alan Turing,10002\n"
                      "grace,Grace Hopper,\n")
    summary, lines = _grade(submitted, root / "out", roster=load_roster(roster), gradebook=False)
    records = {r["student"]: r for r in json.loads((root / "out" / "grades.json").read_text())}
    return {"root": root, "submitted": submitted, "records": records, "lines": lines, "summary": summary,
            "roster": roster}


SHAPES = ["zipped", "inner", "deeper", "ada", "alan", "grace", "edsger_dijkstra"]


def test_each_upload_shape_is_found_under_its_student(shapes):
    assert sorted(shapes["records"]) == sorted(["plain"] + SHAPES)


@pytest.mark.parametrize("student", SHAPES)
def test_each_upload_shape_grades_like_the_plain_folder(shapes, student):
    plain = shapes["records"]["plain"]
    assert 0 < plain["score"] < plain["max_score"]
    assert _points(shapes["records"][student]) == _points(plain)


def test_lms_uploads_keep_where_they_came_from(shapes):
    records = shapes["records"]
    ada = dict(records["ada"]["lms"])
    assert parse_time(ada.pop("uploaded"))  # the upload's time, from the download's file times
    assert ada == {"lms": "canvas", "lms_id": "10001", "name": "lovelaceada", "late": False,
                   "entry": "lovelaceada_10001_9001_assignment1.zip"}
    assert records["alan"]["lms"]["late"] is True
    assert records["grace"]["lms"]["lms"] == "moodle" and records["grace"]["lms"]["lms_id"] == "48213"
    assert "plain" not in records or "lms" not in records["plain"]


def test_intake_says_what_it_mapped_and_what_needs_attention(shapes):
    lines = shapes["lines"]
    assert any("Edsger Dijkstra" in line and "not in the roster" in line and "edsger_dijkstra" in line
               for line in lines), lines
    # Canvas's loose files land where the assignment expects them, and the student is told.
    assert any(line.startswith("alan: k_nearest_neighbor.py was graded as classifiers/k_nearest_neighbor.py")
               for line in lines), lines
    assert "alan: marked LATE by Canvas" in shapes["summary"]


def test_a_bulk_download_zip_grades_like_its_folder(shapes, tmp_path):
    bulk = _zip_folder(shapes["submitted"], tmp_path / "class submissions.zip")
    _grade(bulk, tmp_path / "out", roster=load_roster(shapes["roster"]), gradebook=False)
    records = {r["student"]: r for r in json.loads((tmp_path / "out" / "grades.json").read_text())}
    assert sorted(records) == sorted(shapes["records"])
    assert all(_points(records[s]) == _points(shapes["records"][s]) for s in records)


def test_a_roster_without_a_student_column_is_one_line(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("name,id\nAda,1\n")
    with pytest.raises(RosterError, match="no 'student' column"):
        load_roster(bad)


# -- malformed uploads cost only what is broken ------------------------------------------------------

def _answer_first_question(notebook):
    data = json.loads(notebook.read_text())
    for cell in data["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "q1-answer":
            cell["source"] = "**Your answer:**\n\nThe bright rows are test images far from every training image."
    notebook.write_text(json.dumps(data))


@pytest.fixture(scope="module")
def malformed(tmp_path_factory):
    root = tmp_path_factory.mktemp("malformed")
    submitted = root / "submitted"
    ok = add_student(submitted, "ok", REFERENCE_KNN)  # the control: the same work, nothing broken
    _answer_first_question(ok / "knn.ipynb")
    (submitted / "bad_zip").mkdir()
    (submitted / "bad_zip" / "assignment1.zip").write_bytes(b"PK\x03\x04 this upload stopped here")
    truncated = add_student(submitted, "truncated", REFERENCE_KNN)
    text = (truncated / "knn.ipynb").read_text()
    (truncated / "knn.ipynb").write_text(text[:len(text) // 2])
    (add_student(submitted, "not_json", REFERENCE_KNN) / "knn.ipynb").write_text("my notebook, see attached")
    (add_student(submitted, "missing_module", REFERENCE_KNN) / "classifiers" / "linear_svm.py").unlink()
    (submitted / "empty").mkdir()
    odd = add_student(submitted, "odd_names", REFERENCE_KNN)
    (odd / "knn.ipynb").rename(odd / "knn (1).ipynb")
    (odd / "notes\x07.txt").write_text("a bell in the name")
    huge = add_student(submitted, "huge", REFERENCE_KNN)
    with open(huge / "weights.npy", "wb") as f:
        f.truncate(1 << 30)  # 1 GB, sparse: nothing is written to disk
    summary, lines = _grade(submitted, root / "out")
    records = {r["student"]: r for r in json.loads((root / "out" / "grades.json").read_text())}
    return {"out": root / "out", "records": records, "lines": lines, "summary": summary}


# student -> (file the line must name, words of the line, autograded points lost)
MALFORMED = {
    "bad_zip": ("assignment1.zip", "not a readable zip file", "all"),
    "truncated": ("knn.ipynb", "cut off", "none"),
    "not_json": ("knn.ipynb", "not a readable notebook", "none"),
    "missing_module": ("classifiers/linear_svm.py", "is missing", "some"),
    "empty": ("empty", "holds no files", "all"),
    "odd_names": ("notes\\x07.txt", "control characters", "none"),
    "huge": ("weights.npy", "larger than 50 MB", "none"),
}


@pytest.mark.parametrize("student", sorted(MALFORMED))
def test_a_malformed_upload_gets_one_line_naming_student_and_file(malformed, student):
    file, words, _ = MALFORMED[student]
    named = [line for line in malformed["lines"] if line.startswith(f"{student}: ") and file in line]
    assert len([line for line in named if words in line]) == 1, malformed["lines"]


@pytest.mark.parametrize("student", sorted(MALFORMED))
def test_a_malformed_upload_is_explained_in_that_students_feedback(malformed, student):
    page = (malformed["out"] / "autograded" / student / "assignment1" / "autograder.html").read_text()
    assert "About your upload" in page and MALFORMED[student][1] in page
    assert student in malformed["summary"].split("needs attention")[1]


@pytest.mark.parametrize("student", sorted(MALFORMED))
def test_a_malformed_upload_costs_only_what_is_broken(malformed, student):
    record, lost = malformed["records"][student], MALFORMED[student][2]
    if lost == "none":
        assert record["score"] == record["max_score"]
    elif lost == "all":
        assert record["score"] == 0
    else:  # the functions of the missing module and of the one module that imports it, nothing else
        lost_modules = {t["function"].split(".")[1] for t in record["tests"] if t["points"] < t["max_points"]}
        assert lost_modules == {"linear_svm", "linear_classifier"}, lost_modules


def test_the_control_and_its_notebooks_are_untouched_by_the_others(malformed):
    ok = malformed["records"]["ok"]
    assert ok["score"] == ok["max_score"] and "upload" not in ok
    page = (malformed["out"] / "autograded" / "ok" / "assignment1" / "autograder.html").read_text()
    assert "About your upload" not in page
    assert not any(line.startswith("ok: ") for line in malformed["lines"])
    # Its written answer waits for a grader; so does nobody else's unreadable notebook.
    manual = manual_points(malformed["out"] / "gradebook.db", "assignment1")
    assert manual["ok"]["pending"] == 1
    for student in ("truncated", "not_json", "bad_zip", "empty"):
        assert manual[student]["pending"] == 0, student


def test_a_broken_notebook_costs_only_that_notebook_in_nbgrader(malformed):
    from nbgrader.api import Gradebook
    autograded = malformed["out"] / "autograded" / "truncated" / "assignment1"
    assert (autograded / "svm.ipynb").is_file() and not (autograded / "knn.ipynb").exists()
    with Gradebook(f"sqlite:///{malformed['out'] / 'gradebook.db'}") as gb:
        knn = gb.find_submission_notebook("knn", "assignment1", "truncated")
        comments = [c.auto_comment or "" for c in knn.comments]
        assert comments and all("cut off" in c for c in comments)


# -- grades.csv is the whole class, run after run --------------------------------------------------

def test_two_runs_on_disjoint_groups_leave_everyone_in_the_csv(tmp_path):
    first, late, out = tmp_path / "first", tmp_path / "late", tmp_path / "out"
    add_student(first, "a1", REFERENCE_KNN)
    add_student(first, "a2", PARTIAL_KNN)
    add_student(late, "b1", PARTIAL_KNN)
    _grade(first, out)
    before = _csv_rows(out)
    _grade(late, out)
    after = _csv_rows(out)
    assert sorted(after) == ["a1", "a2", "b1"]
    assert {s: after[s] for s in before} == before, "the first group's rows changed"
    assert sorted(r["student"] for r in json.loads((out / "grades.json").read_text())) == ["a1", "a2", "b1"]
    assert all(after[s]["manual"] == "0" and after[s]["manual_pending"] == "0" for s in after)

    # One student again, after a fix: only that student's results change.
    (first / "a2" / "assignment1" / KNN_FILE).write_text(REFERENCE_KNN)
    kept = {s: results_path(out, s, "assignment1").read_bytes() for s in ("a1", "b1")}
    summary, _ = _grade(first, out, students=["a2"])
    assert "graded 1 student(s)" in summary
    assert {s: results_path(out, s, "assignment1").read_bytes() for s in kept} == kept
    rows = _csv_rows(out)
    assert sorted(rows) == ["a1", "a2", "b1"] and rows["a2"]["score"] == rows["a2"]["max_score"]
    with pytest.raises(GradeError, match="no submission for nobody"):
        _grade(first, out, students=["nobody"])

    # A later run with a roster names everyone it lists in the gradebook (the formgrader showed
    # "None, None"), those graded in earlier runs too; nothing is regraded for it.
    roster = tmp_path / "roster.csv"
    roster.write_text('student,name,email,lms_id\na1,"Lovelace, Ada",ada@example.edu,10001\n'
                      "b1,Alan Mathison Turing,,10002\n")
    summary, _ = _grade(late, out, roster=load_roster(roster))
    assert "1 unchanged and kept" in summary and _csv_rows(out) == rows
    assert _gradebook_people(out) == {
        "a1": ("Ada", "Lovelace", "ada@example.edu", "10001"),
        "a2": (None, None, None, None),
        "b1": ("Alan Mathison", "Turing", None, "10002")}


def _gradebook_people(out):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        return {s.id: (s.first_name, s.last_name, s.email, s.lms_user_id) for s in gb.students}


@pytest.mark.parametrize("name, first, last", [
    ("Lovelace, Ada", "Ada", "Lovelace"), ("Ada Lovelace", "Ada", "Lovelace"),
    ("  Ada   King  Lovelace ", "Ada King", "Lovelace"), ("Plato", "", "Plato"), ("", "", "")])
def test_roster_names_split_into_first_and_last(name, first, last):
    assert split_name(name) == (first, last)


KNN_FILE = Path("classifiers") / "k_nearest_neighbor.py"


def test_manual_points_given_in_the_gradebook_reach_the_csv_and_the_exports(malformed, tmp_path):
    from nbgrader.api import Gradebook
    from autograder.classrun.export import export
    out = malformed["out"]
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:  # what formgrader's API does when a TA grades
        grade = gb.find_grade("q1-answer", "knn", "assignment1", "ok")
        grade.manual_score, grade.needs_manual_grade = 1.5, False
        gb.db.commit()
    export(out, "assignment1", "csv", tmp_path / "class.csv")
    with open(tmp_path / "class.csv", newline="") as f:
        ok = next(row for row in csv.DictReader(f) if row["student"] == "ok")
    assert (ok["manual"], ok["manual_pending"]) == ("1.5", "0")
    assert float(ok["total"]) == float(ok["score"]) + 1.5
    assert float(ok["total_max"]) == float(ok["max_score"]) + float(ok["manual_max"])
    export(out, "assignment1", "gradescope", tmp_path / "gs")
    results = json.loads((tmp_path / "gs" / "ok" / "results.json").read_text())
    assert results["score"] == float(ok["total"])
    assert results["tests"][-1]["name"] == "Written answers (graded by hand)" and results["tests"][-1]["score"] == 1.5
