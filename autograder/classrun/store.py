"""The grades of record for a whole class: every student's results file under ``autograded/``
(written by ``autograder grade``, one per student, kept across runs) plus the manual points of the
inline questions from nbgrader's gradebook, and each student's lateness (``deadlines.py``) judged
from the submission time kept in the results file. grades.csv, grades.json and every export are
built from here, so a run that grades two late students still writes the whole class.
"""
import json
import sys
from pathlib import Path

from ..files import write_atomic

RESULTS_FILE = "autograder_results.json"


def results_path(out, student, assignment):
    return Path(out) / "autograded" / student / assignment / RESULTS_FILE


def read_results(path):
    """The whole results file as a dict ({"key", "record"}, and where known "origin": the LMS
    upload, "submitted": the submission time, "published": what the feedback was last written
    from), or None when it is missing or unreadable."""
    try:
        data = json.loads(Path(path).read_text())
        return data if isinstance(data, dict) and "key" in data and isinstance(data.get("record"), dict) else None
    except (OSError, ValueError):
        return None


def read_saved(path):
    """(key, record, origin) from one results file, or None when it is missing or unreadable."""
    data = read_results(path)
    return None if data is None else (data["key"], data["record"], data.get("origin"))


def update_results(path, **fields):
    """Set ``fields`` in an existing results file (None removes one); its record stays as it is."""
    data = read_results(path)
    if data is None:
        return False
    for name, value in fields.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    write_atomic(path, json.dumps(data, indent=1))
    return True


def load_records(out, assignment):
    """Every graded student's record for ``assignment``, sorted by student, with ``lms`` (where the
    upload came from an LMS download) and ``submitted`` (the submission time, where one is known)
    kept from the results file."""
    records = []
    for path in sorted((Path(out) / "autograded").glob(f"*/{assignment}/{RESULTS_FILE}")):
        data = read_results(path)
        if data is None:
            continue
        record = data["record"]
        if data.get("origin"):
            record = dict(record, lms=data["origin"])
        if data.get("submitted"):
            record = dict(record, submitted=data["submitted"])
        records.append(record)
    return sorted(records, key=lambda r: r["student"])


def manual_points(db_path, assignment):
    """{student: {"score", "max_score", "pending"}} for the hand-graded cells (inline questions) in
    nbgrader's gradebook; ``pending`` counts answers nobody has graded yet. {} without a gradebook."""
    if not Path(db_path).is_file():
        return {}
    try:
        return _manual_points(db_path, assignment)
    except Exception as exc:  # noqa: BLE001 - a damaged gradebook must not cost the autograded grades
        print(f"warning: cannot read manual points from {db_path} ({type(exc).__name__}); "
              f"the manual columns stay empty", file=sys.stderr)
        return {}


def _manual_points(db_path, assignment):
    from nbgrader.api import Gradebook, MissingEntry
    out = {}
    with Gradebook(f"sqlite:///{Path(db_path).resolve()}") as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except MissingEntry:
            return {}
        for submission in submissions:
            grades = [g for nb in submission.notebooks for g in nb.grades
                      if not g.cell.name.startswith("autograded_")]
            out[submission.student.id] = {
                "score": sum((g.score or 0.0) + (g.extra_credit or 0.0) for g in grades),
                "max_score": sum(g.max_score or 0.0 for g in grades),
                "pending": sum(1 for g in grades if g.needs_manual_grade)}
    return out


def class_records(out, assignment, db_path=None, deadlines=None):
    """The whole class: ``load_records`` with ``manual`` added from the gradebook where it has them,
    and ``late`` (``deadlines.Deadlines.late``'s answer) when ``deadlines`` has a due date."""
    records = load_records(out, assignment)
    manual = manual_points(db_path, assignment) if db_path else {}
    for record in records:
        if record["student"] in manual:
            record["manual"] = manual[record["student"]]
        late = deadlines.late(record["student"], record.get("submitted"), **lms_mark(record)) if deadlines else None
        if late is not None:
            record["late"] = late
    return records


def lms_mark(record):
    """{"lms_mark", "lms"} for ``Deadlines.late``: whether the LMS download marked the upload late."""
    origin = record.get("lms") or {}
    return {"lms_mark": bool(origin.get("late")), "lms": origin.get("lms", "")}
