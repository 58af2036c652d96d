"""``autograder export``: the whole class's grades in the layout an LMS imports.

Built from the grades of record (``store.py``: every student's results plus the manual points in
nbgrader's gradebook), never from one run. Each student's exported score is the autograded points
plus the written-answer points given so far, after the late policy's penalty (``deadlines.py``:
the same due date, extensions and policy as ``autograder grade``); students with answers still to
grade are listed. grades.csv and Moodle's and Gradescope's comments keep the raw score beside it.

- ``csv``: grades.csv (per-function columns, manual points, totals);
- ``canvas``: a gradebook CSV for Canvas's "Import": ``Student, ID, SIS User ID, SIS Login ID,
  Section`` then one assignment column, and a ``Points Possible`` row. Canvas matches a row by
  ``ID`` (its user id), then ``SIS User ID``, then ``SIS Login ID``, then the name; it only reads
  ``SIS User ID`` when ``SIS Login ID`` follows it, so both are written. A column named
  ``Title (12345)`` updates that existing assignment; any other name creates one;
- ``moodle``: Moodle's offline grading worksheet (Assignment > "Upload grading worksheet"):
  ``Identifier`` is ``Participant <number>``, the per-assignment number in Moodle's download names;
  ``Grade`` and ``Last modified (grade)`` are the other columns Moodle requires;
- ``gradescope``: one ``<student>/results.json`` per student in Gradescope's autograder format,
  every test with its score, message and visibility (hidden tests "after_published" or "hidden").
"""
import csv
import io
import json
import time
from pathlib import Path

from . import store
from ..engine.summary import format_points, short_function
from ..files import write_atomic
from .deadlines import DeadlineError, format_duration, resolve
from .tables import grades_csv, totals

FORMATS = ("csv", "canvas", "moodle", "gradescope")
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                  "Grade can be changed", "Last modified (grade)", "Feedback comments"]
HIDDEN_VISIBILITY = ("after_published", "hidden")


class ExportError(Exception):
    """The export cannot be written (one line)."""


def _total(record):
    """(the exported score: autograded plus manual points, after any late penalty; its maximum)."""
    _, total, maximum = totals(record)
    return total, maximum


def _late_words(record):
    """'; submitted 26 h late: -20% (raw 151)' for a penalised student, else ''."""
    late = record.get("late") or {}
    if not late.get("penalty"):
        return ""
    raw, _, _ = totals(record)
    return (f"; submitted {format_duration(late['seconds_late'])} late: -{late['penalty']:g}% "
            f"(late policy {late['policy']}; {format_points(raw)} before the penalty)")


def _lms_id(record, roster, lms):
    """The LMS's id for a student: from the roster, else from the LMS download it came in."""
    origin = record.get("lms") or {}
    from_roster = roster.get(record["student"], "lms_id") if roster else ""
    if lms == "moodle" and origin.get("lms") == "moodle":
        return origin.get("lms_id", "")  # per assignment: the download's number is the one to use
    return from_roster or (origin.get("lms_id", "") if origin.get("lms") == lms else "")


def _csv(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def canvas_csv(records, roster, column):
    rows = [CANVAS_COLUMNS + [column]]
    maximum = max((_total(r)[1] for r in records), default=0.0)
    rows.append(["    Points Possible", "", "", "", "", format_points(maximum)])
    unmatched = []
    for record in records:
        student = record["student"]
        get = (lambda c: roster.get(student, c)) if roster else (lambda c: "")
        canvas_id = _lms_id(record, roster, "canvas")
        if not (canvas_id or get("sis_user_id") or get("sis_login_id")):
            unmatched.append(student)
        name = get("name") or (record.get("lms") or {}).get("name") or student
        rows.append([name, canvas_id, get("sis_user_id"), get("sis_login_id"), get("section"),
                     format_points(_total(record)[0])])
    warnings = [f"{len(unmatched)} student(s) have no Canvas ID or SIS id, so Canvas can match them by name "
                f"only: {', '.join(unmatched)} (give a roster with lms_id or sis_user_id)"] if unmatched else []
    return _csv(rows), warnings


def moodle_csv(records, roster, now=None):
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))  # strtotime reads this
    rows, missing = [MOODLE_COLUMNS], []
    for record in records:
        student = record["student"]
        number = _lms_id(record, roster, "moodle")
        if not number:
            missing.append(student)
            continue
        get = (lambda c: roster.get(student, c)) if roster else (lambda c: "")
        score, maximum = _total(record)
        manual = record.get("manual")
        feedback = f"Autograded {format_points(record['score'])}/{format_points(record['max_score'])}"
        if manual:
            feedback += f"; written answers {format_points(manual['score'])}/{format_points(manual['max_score'])}"
            if manual["pending"]:
                feedback += f" ({manual['pending']} still to grade)"
        feedback += _late_words(record)
        rows.append([f"Participant {number}", get("name") or (record.get("lms") or {}).get("name") or student,
                     get("email"), "Graded", format_points(score), format_points(maximum), "Yes", when, feedback])
    if len(rows) == 1:
        raise ExportError("no student has a Moodle participant number: grade a Moodle download, or give a "
                          "roster whose lms_id column holds the numbers of Moodle's grading worksheet")
    warnings = [f"{len(missing)} student(s) left out: no Moodle participant number (from a Moodle download "
                f"or the roster's lms_id): {', '.join(missing)}"] if missing else []
    return _csv(rows), warnings


def gradescope_results(record, hidden_visibility="after_published"):
    """One student's results.json (Gradescope's autograder format) as a dict."""
    tests = [{"name": f"{short_function(t['function'])}: {t['name']}", "score": t["points"],
              "max_score": t["max_points"], "status": "passed" if t["status"] == "passed" else "failed",
              "output": t["message"], "tags": [short_function(t["function"])],
              "visibility": hidden_visibility if t.get("hidden") else "visible"}
             for t in record["tests"]]
    manual = record.get("manual")
    if manual and manual["max_score"]:
        tests.append({"name": "Written answers (graded by hand)", "score": manual["score"],
                      "max_score": manual["max_score"], "visibility": "visible",
                      "output": (f"{manual['pending']} answer(s) still to be graded" if manual["pending"] else "")})
    score, _ = _total(record)
    late = _late_words(record)
    return {"score": score, "execution_time": round(record.get("seconds", 0.0), 3),
            "output": f"Autograded {format_points(record['score'])}/{format_points(record['max_score'])}"
                      + (f"{late}." if late else "."),
            "stdout_visibility": "hidden", "tests": tests}


def export(out_dir, assignment, fmt, to, roster=None, column=None, hidden_visibility="after_published",
           due=None, late_policy=None):
    """Write the export; returns (what was written, warnings). ``out_dir`` holds ``autograded/``
    and ``gradebook.db`` (the course folder by default). ``due``, ``late_policy``: text that
    replaces the gradebook's due date and ``nbgrader_config.py``'s policy for this export."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if hidden_visibility not in HIDDEN_VISIBILITY:
        raise ExportError(f"hidden tests can be {' or '.join(HIDDEN_VISIBILITY)}, not {hidden_visibility!r}")
    out = Path(out_dir)
    try:
        deadlines = resolve(out / "gradebook.db", assignment, [out], due=due, policy=late_policy, roster=roster)
    except DeadlineError as exc:
        raise ExportError(str(exc)) from None
    records = store.class_records(out, assignment, out / "gradebook.db", deadlines)
    if not records:
        raise ExportError(f"no graded students for {assignment} in {out / 'autograded'}: run `autograder grade` first")
    warnings = []
    pending = [r["student"] for r in records if (r.get("manual") or {}).get("pending")]
    if pending:
        warnings.append(f"{len(pending)} student(s) have written answers still to grade (their score holds "
                        f"the points given so far): {', '.join(pending)}")
    if roster:
        absent = sorted(set(roster.rows) - {r["student"] for r in records})
        if absent:
            warnings.append(f"{len(absent)} roster student(s) have no graded submission and are not in the "
                            f"export: {', '.join(absent)}")
    to = Path(to)
    if fmt == "gradescope":
        for record in records:
            write_atomic(to / record["student"] / "results.json",
                                json.dumps(gradescope_results(record, hidden_visibility), indent=1) + "\n")
        return f"{len(records)} results.json files under {to}/<student>/", warnings
    if fmt == "csv":
        text = grades_csv(records)
    elif fmt == "canvas":
        text, more = canvas_csv(records, roster, column or assignment)
        warnings += more
    else:
        text, more = moodle_csv(records, roster)
        warnings += more
    write_atomic(to, text)
    rows = len(text.splitlines()) - (2 if fmt == "canvas" else 1)  # the header, Canvas's Points Possible
    return f"{fmt} CSV of {rows} student(s): {to}", warnings
