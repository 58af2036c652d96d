"""`autograder export`: each LMS layout read back the way that LMS reads it (tests/helpers/lms_readers.py),
which also accepts the written example of the format in tests/data/lms and refuses a broken one."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.classrun.export import ExportError, export, gradescope_results
from autograder.intake.roster import load_roster
from class_builder import REPO
from lms_readers import Rejected, check_gradescope, read_canvas, read_moodle
from results_files import result, store_results

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "lms"


_test = result


def _store(out, student, tests, origin=None):
    store_results(out, student, tests, origin=origin)


@pytest.fixture
def course(tmp_path):
    """Three graded students (points 10, 6.5 and 0 of 10), two of them from LMS downloads."""
    out = tmp_path / "course"
    _store(out, "ada", [_test("predict", "public_predict", 4, 4), _test("predict", "hidden_predict", 6, 6, hidden=True)],
           origin={"lms": "canvas", "lms_id": "10001", "name": "lovelaceada", "late": False})
    _store(out, "alan", [_test("predict", "public_predict", 4, 4),
                         _test("predict", "hidden_predict", 2.5, 6, hidden=True, message="ties go to the larger label")],
           origin={"lms": "moodle", "lms_id": "48214", "name": "Alan Turing", "late": True})
    _store(out, "cy", [_test("predict", "public_predict", 0, 4, status="not_implemented"),
                       _test("predict", "hidden_predict", 0, 6, hidden=True, status="not_implemented")])
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name,lms_id,sis_user_id,sis_login_id,section,email\n"
                      "ada,\"Lovelace, Ada\",10001,S1001,ada@example.edu,Section A,ada@example.edu\n"
                      "alan,\"Turing, Alan\",,S1002,alan@example.edu,Section B,alan@example.edu\n"
                      "cy,\"Young, Cy\",10003,S1003,cy@example.edu,Section A,cy@example.edu\n"
                      "dora,\"Explorer, Dora\",10004,S1004,dora@example.edu,Section B,dora@example.edu\n")
    return out, load_roster(roster)


# -- the readers accept the real formats and refuse broken ones (controls) ---------------------------

def test_the_canvas_reader_reads_canvas_own_export():
    read = read_canvas((EXAMPLES / "canvas_gradebook_export.csv").read_text())
    assert read["assignments"] == {"Assignment 1 (12345)": 100.0}
    assert read["students"][0] == {"match": ("ID", "10001"), "scores": {"Assignment 1 (12345)": 95.0}}


def test_the_canvas_reader_refuses_sis_user_id_without_sis_login_id():
    text = (EXAMPLES / "canvas_gradebook_export.csv").read_text().replace("SIS User ID,SIS Login ID,", "SIS User ID,")
    with pytest.raises(Rejected, match="SIS Login ID"):
        read_canvas(text)


def test_the_moodle_reader_reads_moodle_own_worksheet_and_needs_its_columns():
    read = read_moodle((EXAMPLES / "moodle_grading_worksheet.csv").read_text())
    assert read[48213]["grade"] == 95.0 and read[48214]["grade"] is None and read[48214]["modified"] is None
    with pytest.raises(Rejected, match="Last modified"):
        read_moodle((EXAMPLES / "moodle_grading_worksheet.csv").read_text().replace('"Last modified (grade)"', "When"))


def test_the_gradescope_checker_accepts_the_specification_example_and_refuses_a_bad_visibility():
    example = json.loads((EXAMPLES / "gradescope_results.json").read_text())
    assert check_gradescope(example) == 44.0
    example["tests"][1]["visibility"] = "later"
    with pytest.raises(Rejected):
        check_gradescope(example)


# -- our exports, read back ----------------------------------------------------------------------------

def test_canvas_export_is_read_by_canvas_rules(course, tmp_path):
    out, roster = course
    written, warnings = export(out, "assignment1", "canvas", tmp_path / "canvas.csv", roster=roster,
                               column="Assignment 1 (12345)")
    text = (tmp_path / "canvas.csv").read_text()
    ours, example = text.splitlines()[0].split(","), (EXAMPLES / "canvas_gradebook_export.csv").read_text().splitlines()[0].split(",")
    assert ours[:5] == example[:5]
    read = read_canvas(text)
    assert read["assignments"] == {"Assignment 1 (12345)": 10.0}
    scores = {s["match"]: s["scores"]["Assignment 1 (12345)"] for s in read["students"]}
    # ada by her Canvas ID; alan has none in the roster (he came from Moodle), so by SIS User ID.
    assert scores == {("ID", "10001"): 10.0, ("SIS User ID", "S1002"): 6.5, ("ID", "10003"): 0.0}
    assert any("dora" in w and "no graded submission" in w for w in warnings)


def test_canvas_export_without_a_roster_warns_who_can_only_be_matched_by_name(course, tmp_path):
    out, _ = course
    _, warnings = export(out, "assignment1", "canvas", tmp_path / "canvas.csv")
    read = read_canvas((tmp_path / "canvas.csv").read_text())
    assert read["assignments"] == {"assignment1": 10.0}  # a new column, named after the assignment
    assert ("ID", "10001") in [s["match"] for s in read["students"]]  # from the Canvas download's name
    assert any("by name only" in w and "alan" in w and "cy" in w for w in warnings)


def test_moodle_export_is_read_by_moodle_rules(course, tmp_path):
    out, roster = course
    _, warnings = export(out, "assignment1", "moodle", tmp_path / "moodle.csv", roster=roster)
    text = (tmp_path / "moodle.csv").read_text()
    example = (EXAMPLES / "moodle_grading_worksheet.csv").read_text().splitlines()[0]
    assert set(text.splitlines()[0].replace('"', "").split(",")) <= set(example.replace('"', "").split(","))
    read = read_moodle(text)
    # alan's number comes from his Moodle download, ada's and cy's from the roster's lms_id.
    assert {n: r["grade"] for n, r in read.items()} == {10001: 10.0, 48214: 6.5, 10003: 0.0}
    assert all(r["modified"] is not None for r in read.values()), "Moodle would treat every row as stale"
    assert "Autograded 6.5/10" in read[48214]["feedback"]


def test_moodle_export_leaves_out_and_names_students_without_a_participant_number(course, tmp_path):
    out, _ = course
    _, warnings = export(out, "assignment1", "moodle", tmp_path / "moodle.csv")
    assert set(read_moodle((tmp_path / "moodle.csv").read_text())) == {48214}
    assert any("left out" in w and "ada" in w and "cy" in w for w in warnings)


@pytest.mark.parametrize("visibility", ["after_published", "hidden"])
def test_gradescope_export_follows_the_specification(course, tmp_path, visibility):
    out, _ = course
    export(out, "assignment1", "gradescope", tmp_path / "gs", hidden_visibility=visibility)
    for student, total in (("ada", 10.0), ("alan", 6.5), ("cy", 0.0)):
        data = json.loads((tmp_path / "gs" / student / "results.json").read_text())
        assert check_gradescope(data) == total
        assert sum(t["score"] for t in data["tests"]) == total
        hidden = [t for t in data["tests"] if "hidden_" in t["name"]]
        assert hidden and all(t["visibility"] == visibility for t in hidden)
        assert all(t["visibility"] == "visible" for t in data["tests"] if "public_" in t["name"])


def test_gradescope_export_adds_the_written_answers_once_graded():
    record = {"student": "ada", "assignment": "assignment1", "score": 10, "max_score": 10,
              "tests": [_test("predict", "public_predict", 10, 10)],
              "manual": {"score": 3.0, "max_score": 4.0, "pending": 0}}
    data = gradescope_results(record)
    assert check_gradescope(data) == 13.0 and data["tests"][-1]["max_score"] == 4.0


def test_export_of_nothing_graded_is_one_line(tmp_path):
    with pytest.raises(ExportError, match="run `autograder grade` first"):
        export(tmp_path, "assignment1", "csv", tmp_path / "x.csv")


def test_export_command_writes_the_file_and_prints_one_line(course, tmp_path):
    out, _ = course
    done = subprocess.run([sys.executable, "-m", "autograder", "export", "--format", "csv", "--to",
                           str(tmp_path / "grades.csv"), "--course", str(out)], capture_output=True, text=True,
                          cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote csv CSV of 3 student(s): {tmp_path / 'grades.csv'}"
    rows = (tmp_path / "grades.csv").read_text().splitlines()
    assert rows[0].startswith("student,assignment,score,max_score,manual") and len(rows) == 4


def test_moodle_export_with_no_participant_number_at_all_is_one_line(tmp_path):
    _store(tmp_path, "cy", [_test("predict", "public_predict", 4, 4)])
    with pytest.raises(ExportError, match="no student has a Moodle participant number"):
        export(tmp_path, "assignment1", "moodle", tmp_path / "moodle.csv")
    assert not (tmp_path / "moodle.csv").exists()
