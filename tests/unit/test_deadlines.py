"""Deadlines (``autograder/classrun/deadlines.py``): each late policy at its edges, times and
extensions as instructors write them, and each source of the submission time with the order in
which they win. The expected percentages follow from the policies' definitions (``10%/day``: 10 per
started day), written out by hand."""
import json
import os
import time
import zipfile
from datetime import datetime, timedelta, timezone

import pytest

from autograder.classrun.deadlines import (DeadlineError, Deadlines, configured_policy, format_duration, gradebook_due,
                                           late_sentence,
                                           parse_duration, parse_policy, parse_time, resolve, set_gradebook_due,
                                           submission_time)
from autograder.intake.roster import load_roster
from autograder.intake.submissions import find_submissions

UTC = timezone.utc
HOUR, DAY = 3600, 86400
DUE = datetime(2025, 3, 14, 23, 59, tzinfo=UTC)


# -- the policies --------------------------------------------------------------------------------

@pytest.mark.parametrize("seconds_late, expected", [
    (-5, 0), (0, 0), (1, 10), (DAY, 10), (DAY + 1, 20), (26 * HOUR, 20), (3 * DAY, 30), (5 * DAY, 50), (9 * DAY, 50)])
def test_percent_per_started_day_up_to_the_cap(seconds_late, expected):
    assert parse_policy("10%/day, max 50%").penalty(seconds_late) == expected


@pytest.mark.parametrize("seconds_late, expected", [(1, 2), (HOUR, 2), (HOUR + 1, 4), (20 * HOUR, 30)])
def test_percent_per_started_hour(seconds_late, expected):
    assert parse_policy("2% per hour, max 30%").penalty(seconds_late) == expected


def test_percent_without_a_cap_stops_at_everything():
    assert parse_policy("25%/day").penalty(10 * DAY) == 100


@pytest.mark.parametrize("seconds_late, expected", [(1, 0), (2 * HOUR, 0), (2 * HOUR + 1, 100), (30 * DAY, 100)])
def test_zero_after_a_grace_period(seconds_late, expected):
    assert parse_policy("zero after 2h").penalty(seconds_late) == expected


def test_zero_after_no_grace_takes_everything_from_the_first_second():
    assert parse_policy("zero after 0").penalty(1) == 100


@pytest.mark.parametrize("text", ["none", "", None, "off"])
def test_no_policy_takes_nothing(text):
    assert parse_policy(text).penalty(30 * DAY) == 0


@pytest.mark.parametrize("text", ["10%", "ten percent a day", "10%/week", "150%/day", "zero after lunch",
                                  "10%/day, max 0%"])
def test_a_policy_not_understood_is_one_line_naming_the_forms(text):
    with pytest.raises(DeadlineError) as error:
        parse_policy(text)
    message = str(error.value)
    assert "\n" not in message and repr(text) in message
    assert "10%/day" in message or "percentages" in message or "duration" in message


# -- times, durations, extensions ----------------------------------------------------------------

@pytest.mark.parametrize("text, utc", [
    ("2025-03-14 23:59", "2025-03-14 23:59"),  # no zone: UTC, as nbgrader reads it
    ("2025-03-14 23:59 Europe/Berlin", "2025-03-14 22:59"),
    ("2025-03-14T23:59-05:00", "2025-03-15 04:59"),
    ("2025-03-14 23:59 -0500", "2025-03-15 04:59"),
    ("2026-12-06 02:31:58.767474 UTC", "2026-12-06 02:31:58.767474"),  # nbgrader's timestamp.txt
])
def test_times_as_instructors_and_nbgrader_write_them(text, utc):
    assert parse_time(text) == datetime.fromisoformat(utc).replace(tzinfo=UTC)


@pytest.mark.parametrize("text, fragment", [("next friday", "not a date"), ("2025-03-14 23:59 Mars/Base", "unknown time zone"),
                                            ("2025-03-14T23:59+01:00 UTC", "two time zones")])
def test_a_bad_time_is_one_line(text, fragment):
    with pytest.raises(DeadlineError, match=fragment):
        parse_time(text, "the due date")


@pytest.mark.parametrize("text, seconds", [("2d", 2 * DAY), ("36h", 36 * HOUR), ("90min", 5400), ("1d 12h", 36 * HOUR),
                                           ("1.5 days", 36 * HOUR), ("0", 0)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("seconds, words", [(6.2, "7 s"), (61, "2 min"), (26 * HOUR, "26 h"), (25.5 * HOUR, "25.5 h"),
                                            (3 * DAY + 2 * HOUR, "3 days 2 h"), (4 * DAY, "4 days")])
def test_lateness_in_words(seconds, words):
    assert format_duration(seconds) == words


def test_an_extension_is_a_duration_or_a_new_due_date():
    deadlines = Deadlines(DUE, parse_policy("10%/day"), {"ada": "2d", "ben": "2025-03-20 12:00"})
    assert deadlines.due_for("ada") == (DUE + timedelta(days=2), "2d")
    assert deadlines.due_for("ben") == (datetime(2025, 3, 20, 12, tzinfo=UTC), "2025-03-20 12:00")
    assert deadlines.due_for("cy") == (DUE, "")


def test_a_bad_extension_in_the_roster_stops_resolve_naming_the_student(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student,extension\nada,2d\nben,a little longer\n")
    with pytest.raises(DeadlineError, match="extension for ben"):
        resolve(None, "assignment1", [], due="2025-03-14 23:59", policy="none", roster=load_roster(roster))


# -- judging one student -------------------------------------------------------------------------

def _at(when):
    return {"time": when.isoformat(), "source": "nbgrader's timestamp.txt"}


def test_late_with_an_extension_counts_from_the_extended_date():
    deadlines = Deadlines(DUE, parse_policy("10%/day, max 50%"), {"ada": "1d"})
    submitted = _at(DUE + timedelta(hours=26))
    ada, ben = deadlines.late("ada", submitted), deadlines.late("ben", submitted)
    assert (ada["seconds_late"], ada["penalty"]) == (2 * HOUR, 10)
    assert (ben["seconds_late"], ben["penalty"]) == (26 * HOUR, 20)
    assert late_sentence(ben).startswith("Submitted 26 h late: -20% (due 2025-03-14 23:59 UTC")
    assert "with an extension of 1d" in late_sentence(ada)


def test_on_time_is_no_sentence_and_no_penalty():
    late = Deadlines(DUE, parse_policy("zero after 0")).late("ada", _at(DUE - timedelta(minutes=1)))
    assert late["penalty"] == 0 and late["seconds_late"] == 0 and late_sentence(late) == ""


def test_without_a_due_date_nobody_is_judged():
    assert Deadlines(None, parse_policy("zero after 0")).late("ada", _at(DUE)) is None


def test_without_a_submission_time_nobody_is_judged_late():
    late = Deadlines(DUE, parse_policy("zero after 0")).late("ada", None)
    assert late["penalty"] == 0 and late["submitted"] is None and late_sentence(late) == ""


def test_canvas_late_mark_and_the_time_disagreeing_is_said():
    deadlines = Deadlines(DUE, parse_policy("10%/day"), {"ada": "3d"})
    canvas = {"time": (DUE + timedelta(days=1)).isoformat(), "source": "Canvas's upload time"}
    assert "marked LATE by Canvas" in deadlines.late("ada", canvas, lms_mark=True, lms="canvas")["note"]
    unmarked = deadlines.late("ben", canvas, lms_mark=False, lms="canvas")
    assert unmarked["penalty"] == 10 and "did not mark it late" in unmarked["note"]
    assert deadlines.late("ben", canvas, lms_mark=True, lms="canvas")["note"] == ""


# -- where the policy and the due date come from -------------------------------------------------

def test_the_course_configuration_sets_the_policy_and_the_option_replaces_it(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "x"\n'
                                                 'c.Autograder.late_policy = "zero after 2h"\n')
    assert configured_policy(tmp_path / "elsewhere", tmp_path) == "zero after 2h"
    from_config = resolve(None, "assignment1", [tmp_path], due="2025-03-14 23:59")
    assert str(from_config.policy) == "zero after 2 h" and from_config.policy_source == "nbgrader_config.py"
    assert str(resolve(None, "assignment1", [tmp_path], due="2025-03-14 23:59", policy="5%/day").policy) == "5%/day"


def test_a_course_configuration_without_a_policy_means_none(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "x"\n')
    assert configured_policy(tmp_path) is None
    assert resolve(None, "assignment1", [tmp_path]).policy.kind == "none"


def test_the_due_date_goes_into_and_comes_from_nbgraders_gradebook(tmp_path):
    import autograder.classrun.gradebook  # noqa: F401 - puts nbgrader's alembic on PATH
    db = tmp_path / "gradebook.db"
    assert gradebook_due(db, "assignment1") is None
    set_gradebook_due(db, "assignment1", parse_time("2025-03-14 23:59 Europe/Berlin"))
    assert gradebook_due(db, "assignment1") == datetime(2025, 3, 14, 22, 59, tzinfo=UTC)
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{db}") as gb:  # what nbgrader itself reads: naive UTC
        assert gb.find_assignment("assignment1").duedate == datetime(2025, 3, 14, 22, 59)
    assert resolve(db, "assignment1", []).due == datetime(2025, 3, 14, 22, 59, tzinfo=UTC)
    assert resolve(db, "assignment1", [], due="2025-04-01 12:00").due == datetime(2025, 4, 1, 12, tzinfo=UTC)



def test_a_damaged_gradebook_gives_no_due_date_and_a_warning_not_a_crash(tmp_path, capsys):
    import autograder.classrun.gradebook  # noqa: F401 - puts nbgrader's alembic on PATH
    db = tmp_path / "gradebook.db"
    db.write_bytes(b"SQLite format 3\x00 but not a database")
    assert gradebook_due(db, "assignment1") is None
    assert "cannot read the due date" in capsys.readouterr().err
    assert resolve(db, "assignment1", [], due="2025-04-01 12:00").due == datetime(2025, 4, 1, 12, tzinfo=UTC)

# -- each source of the submission time ----------------------------------------------------------

def test_nbgraders_timestamp_in_a_collected_folder(tmp_path):
    folder = tmp_path / "ada" / "assignment1"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2025-03-15 01:02:03.000004 UTC")
    found = submission_time(tmp_path / "ada", "assignment1")
    assert found == {"time": "2025-03-15T01:02:03.000004+00:00", "source": "nbgrader's timestamp.txt"}


def test_nbgraders_timestamp_in_a_zip(tmp_path):
    with zipfile.ZipFile(tmp_path / "ada.zip", "w") as zf:
        zf.writestr("assignment1/knn.ipynb", "{}")
        zf.writestr("assignment1/timestamp.txt", "2025-03-15 01:00:00 UTC")
    assert submission_time(tmp_path / "ada.zip", "assignment1")["time"] == "2025-03-15T01:00:00+00:00"


def test_no_timestamp_and_no_lms_is_no_time(tmp_path):
    (tmp_path / "ada").mkdir()
    (tmp_path / "ada" / "knn.ipynb").write_text("{}")
    assert submission_time(tmp_path / "ada", "assignment1") is None


def test_an_unreadable_timestamp_is_no_time_and_says_so(tmp_path):
    (tmp_path / "ada").mkdir()
    (tmp_path / "ada" / "timestamp.txt").write_text("whenever")
    found = submission_time(tmp_path / "ada", "assignment1")
    assert found["time"] is None and "unreadable timestamp.txt" in found["source"]


def _local_zip_time(when):
    """The zip entry fields (local time, as zip tools write them) for the aware time ``when``."""
    return time.localtime(when.timestamp())[:6]


def _canvas_bulk_zip(path, uploaded, student_wrote_timestamp=None):
    inner = "lategus_LATE_10007_88001_assignment1.zip"
    payload = path.parent / "payload.zip"
    with zipfile.ZipFile(payload, "w") as zf:
        zf.writestr("assignment1/knn.ipynb", "{}")
        if student_wrote_timestamp:
            zf.writestr("assignment1/timestamp.txt", student_wrote_timestamp)
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo(inner, date_time=_local_zip_time(uploaded))
        zf.writestr(info, payload.read_bytes())
    return path


def test_canvas_upload_time_from_the_bulk_zip_wins_over_a_timestamp_the_student_wrote(tmp_path):
    uploaded = datetime(2025, 3, 16, 1, 59, tzinfo=UTC)
    download = _canvas_bulk_zip(tmp_path / "download.zip", uploaded, student_wrote_timestamp="2025-03-01 00:00 UTC")
    intake = find_submissions(download, "assignment1", workdir=tmp_path / "work")
    (student,) = intake.found
    origin = intake.origin[student]
    assert origin["late"] and parse_time(origin["uploaded"]) == uploaded
    found = submission_time(intake.found[student], "assignment1", origin)
    assert found == {"time": uploaded.isoformat(), "source": "Canvas's upload time"}


def test_canvas_upload_time_from_an_unpacked_download_is_the_files_time(tmp_path):
    folder = tmp_path / "download"
    folder.mkdir()
    uploaded = datetime(2025, 3, 16, 1, 59, tzinfo=UTC).timestamp()
    for name in ("smithjohn_10001_5001_knn.ipynb", "smithjohn_10001_5002_k_nearest_neighbor.py"):
        (folder / name).write_text("{}")
        os.utime(folder / name, (uploaded - 60, uploaded - 60))
    os.utime(folder / "smithjohn_10001_5002_k_nearest_neighbor.py", (uploaded, uploaded))  # the newest counts
    intake = find_submissions(folder, "assignment1", workdir=tmp_path / "work")
    assert intake.origin["smithjohn"]["uploaded"] == datetime.fromtimestamp(uploaded, UTC).isoformat()
    assert not intake.origin["smithjohn"]["late"]


def test_moodle_upload_time_is_the_newest_file_of_the_folder(tmp_path):
    folder = tmp_path / "download" / "Ada Lovelace_48213_assignsubmission_file" / "assignment1"
    folder.mkdir(parents=True)
    (folder / "knn.ipynb").write_text("{}")
    stamp = datetime(2025, 3, 15, 8, 0, tzinfo=UTC).timestamp()
    os.utime(folder / "knn.ipynb", (stamp, stamp))
    intake = find_submissions(tmp_path / "download", "assignment1", workdir=tmp_path / "work")
    found = submission_time(intake.found["ada_lovelace"], "assignment1", intake.origin["ada_lovelace"])
    assert found == {"time": datetime.fromtimestamp(stamp, UTC).isoformat(), "source": "Moodle's upload time"}


def test_plain_folders_get_no_upload_time_from_their_files(tmp_path):
    (tmp_path / "download" / "ada" / "assignment1").mkdir(parents=True)
    (tmp_path / "download" / "ada" / "assignment1" / "knn.ipynb").write_text("{}")
    intake = find_submissions(tmp_path / "download", "assignment1")
    assert intake.origin == {} and submission_time(intake.found["ada"], "assignment1") is None


def test_the_late_record_is_plain_json():
    late = Deadlines(DUE, parse_policy("10%/day")).late("ada", _at(DUE + timedelta(hours=3)))
    assert json.loads(json.dumps(late)) == late


def test_a_timestamp_behind_a_link_in_an_upload_is_not_read(tmp_path):
    elsewhere = tmp_path / "instructor"
    elsewhere.mkdir()
    (elsewhere / "timestamp.txt").write_text("2025-03-01 00:00 UTC")
    student = tmp_path / "submitted" / "ada"
    student.mkdir(parents=True)
    (student / "assignment1").symlink_to(elsewhere, target_is_directory=True)
    assert submission_time(student, "assignment1") is None
    (student / "timestamp.txt").symlink_to(elsewhere / "timestamp.txt")
    assert submission_time(student, "assignment1") is None
    (student / "timestamp.txt").unlink()
    (student / "timestamp.txt").write_text("2025-03-02 00:00 UTC")  # control: its own file is read
    assert submission_time(student, "assignment1")["time"] == "2025-03-02T00:00:00+00:00"
