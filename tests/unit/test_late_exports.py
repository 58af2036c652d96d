"""The late policy in every file built from the grades: grades.csv keeps the raw total beside the
penalised one, and the Canvas, Moodle, Gradescope and CSV exports carry the penalised score (read
back the way each LMS reads it). The class: ada on time, ben 26 hours late, cy with no
submission time; the expected totals are worked out by hand from each policy."""
import csv
import io
import json

import pytest

from autograder.classrun.deadlines import resolve
from autograder.classrun.export import ExportError, export
from autograder.classrun.store import class_records
from autograder.classrun.tables import class_row, results_json
from autograder.intake.roster import load_roster
from lms_readers import check_gradescope, read_canvas, read_moodle
from results_files import result, store_results

DUE = "2025-03-14 23:59"
# ben: 6.5 of 10, submitted 26 h after the due date (nbgrader's timestamp.txt).
BEN_RAW = 6.5
EXPECTED_BEN = {"none": (0, 6.5), "10%/day, max 50%": (20, 5.2), "zero after 2h": (100, 0), "zero after 2 days": (0, 6.5)}


@pytest.fixture
def late_class(tmp_path):
    out = tmp_path / "course"
    store_results(out, "ada", [result("predict", "public_predict", 4, 4), result("predict", "hidden_predict", 6, 6)],
                  origin={"lms": "canvas", "lms_id": "10001", "name": "lovelaceada", "late": False},
                  submitted={"time": "2025-03-14T20:00:00+00:00", "source": "Canvas's upload time"})
    store_results(out, "ben", [result("predict", "public_predict", 4, 4), result("predict", "hidden_predict", 2.5, 6)],
                  submitted={"time": "2025-03-16T01:59:00+00:00", "source": "nbgrader's timestamp.txt"})
    store_results(out, "cy", [result("predict", "public_predict", 0, 4, status="not_implemented")])
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name,lms_id,sis_user_id,sis_login_id,section,email\n"
                      "ada,\"Lovelace, Ada\",10001,S1,ada@example.edu,A,ada@example.edu\n"
                      "ben,\"Babbage, Ben\",10002,S2,ben@example.edu,A,ben@example.edu\n"
                      "cy,\"Young, Cy\",10003,S3,cy@example.edu,A,cy@example.edu\n")
    return out, load_roster(roster)


def _csv_rows(path):
    return {row["student"]: row for row in csv.DictReader(io.StringIO(path.read_text()))}


@pytest.mark.parametrize("policy", list(EXPECTED_BEN))
def test_grades_csv_keeps_the_raw_total_beside_the_penalised_one(late_class, tmp_path, policy):
    out, _ = late_class
    export(out, "assignment1", "csv", tmp_path / "grades.csv", due=DUE, late_policy=policy)
    rows = _csv_rows(tmp_path / "grades.csv")
    penalty, total = EXPECTED_BEN[policy]
    assert (rows["ben"]["raw_total"], float(rows["ben"]["late_penalty"]), float(rows["ben"]["total"])) == \
        ("6.5", penalty, total)
    assert rows["ben"]["hours_late"] == "26" and rows["ben"]["submitted"] == "2025-03-16T01:59:00+00:00"
    assert (rows["ada"]["late_penalty"], rows["ada"]["total"], rows["ada"]["hours_late"]) == ("0", "10", "0")
    assert (rows["cy"]["late_penalty"], rows["cy"]["submitted"], rows["cy"]["total"]) == ("0", "", "0")


def test_without_a_due_date_the_late_columns_are_blank(late_class, tmp_path):
    out, _ = late_class
    export(out, "assignment1", "csv", tmp_path / "grades.csv", late_policy="zero after 0")
    ben = _csv_rows(tmp_path / "grades.csv")["ben"]
    assert (ben["late_penalty"], ben["hours_late"], ben["total"]) == ("", "", "6.5")
    assert ben["submitted"] == "2025-03-16T01:59:00+00:00"


@pytest.mark.parametrize("policy", list(EXPECTED_BEN))
def test_canvas_gets_the_penalised_score(late_class, tmp_path, policy):
    out, roster = late_class
    export(out, "assignment1", "canvas", tmp_path / "canvas.csv", roster=roster, due=DUE, late_policy=policy)
    scores = {s["match"]: s["scores"]["assignment1"] for s in read_canvas((tmp_path / "canvas.csv").read_text())["students"]}
    assert scores == {("ID", "10001"): 10.0, ("ID", "10002"): EXPECTED_BEN[policy][1], ("ID", "10003"): 0.0}


@pytest.mark.parametrize("policy", list(EXPECTED_BEN))
def test_moodle_gets_the_penalised_grade_and_the_raw_one_in_its_comment(late_class, tmp_path, policy):
    out, roster = late_class
    export(out, "assignment1", "moodle", tmp_path / "moodle.csv", roster=roster, due=DUE, late_policy=policy)
    ben = read_moodle((tmp_path / "moodle.csv").read_text())[10002]
    penalty, total = EXPECTED_BEN[policy]
    assert ben["grade"] == total
    if penalty:
        assert f"submitted 26 h late: -{penalty}%" in ben["feedback"] and "6.5 before the penalty" in ben["feedback"]
    else:
        assert "late" not in ben["feedback"]


@pytest.mark.parametrize("policy", list(EXPECTED_BEN))
def test_gradescope_gets_the_penalised_score_and_says_why(late_class, tmp_path, policy):
    out, _ = late_class
    export(out, "assignment1", "gradescope", tmp_path / "gs", due=DUE, late_policy=policy)
    data = json.loads((tmp_path / "gs" / "ben" / "results.json").read_text())
    check_gradescope(data)
    penalty, total = EXPECTED_BEN[policy]
    assert data["score"] == total and sum(t["score"] for t in data["tests"]) == BEN_RAW
    assert (f"-{penalty}%" in data["output"]) == bool(penalty)


def test_the_course_configuration_sets_the_policy_for_every_export(late_class, tmp_path):
    out, roster = late_class
    (out / "nbgrader_config.py").write_text('c = get_config()\nc.Autograder.late_policy = "10%/day, max 50%"\n')
    export(out, "assignment1", "csv", tmp_path / "grades.csv", due=DUE)
    export(out, "assignment1", "canvas", tmp_path / "canvas.csv", roster=roster, due=DUE)
    assert _csv_rows(tmp_path / "grades.csv")["ben"]["total"] == "5.2"
    canvas = read_canvas((tmp_path / "canvas.csv").read_text())["students"]
    assert {s["match"][1]: s["scores"]["assignment1"] for s in canvas}["10002"] == 5.2


def test_an_extension_in_the_roster_is_used_by_the_export(late_class, tmp_path):
    out, _ = late_class
    roster = tmp_path / "extended.csv"
    roster.write_text("student,extension\nben,1d\n")
    export(out, "assignment1", "csv", tmp_path / "grades.csv", roster=load_roster(roster), due=DUE,
           late_policy="10%/day, max 50%")
    ben = _csv_rows(tmp_path / "grades.csv")["ben"]
    assert (ben["hours_late"], ben["late_penalty"], ben["total"]) == ("2", "10", "5.85")


def test_a_bad_policy_is_one_line_and_writes_nothing(late_class, tmp_path):
    out, _ = late_class
    with pytest.raises(ExportError, match="not understood"):
        export(out, "assignment1", "csv", tmp_path / "grades.csv", due=DUE, late_policy="a bit")
    assert not (tmp_path / "grades.csv").exists()


def test_the_penalty_takes_its_share_of_the_written_answers_too():
    record = {"student": "ben", "assignment": "assignment1", "score": 6.5, "max_score": 10, "tests": [],
              "manual": {"score": 3.5, "max_score": 4.0, "pending": 0},
              "late": {"penalty": 20.0, "submitted": "2025-03-16T01:59:00+00:00", "seconds_late": 26 * 3600}}
    row = class_row(record)
    assert (row["raw_total"], row["total"], row["total_max"]) == ("10", "8", "14")


def test_grades_json_carries_the_raw_and_the_penalised_total(late_class):
    out, _ = late_class
    deadlines = resolve(None, "assignment1", [], due=DUE, policy="10%/day, max 50%")
    records = {r["student"]: r for r in json.loads(results_json(class_records(out, "assignment1", None, deadlines)))}
    ben = records["ben"]
    assert (ben["raw_total"], ben["total"], ben["total_max"], ben["late"]["penalty"]) == (6.5, 5.2, 10, 20)
    assert ben["late"]["submitted"] == "2025-03-16T01:59:00+00:00" and ben["late"]["seconds_late"] == 26 * 3600
    assert (records["ada"]["total"], records["ada"]["late"]["penalty"]) == (10, 0)
