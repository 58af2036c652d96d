"""The whole class as files: grades.json (the JSON contract) and grades.csv, late penalties applied."""
import csv
import io
import json

from ..engine.summary import format_points as _fmt, short_function
from .deadlines import penalised


def results_json(records):
    """The JSON contract: a list of {student, assignment, score, max_score, tests: [...]}, each
    with ``raw_total``, ``total`` (after the late penalty) and ``total_max`` as in grades.csv."""
    out = []
    for record in records:
        raw, total, total_max = totals(record)
        out.append(dict(record, raw_total=raw, total=total, total_max=total_max))
    return json.dumps(out, indent=2) + "\n"


CSV_COLUMNS = ["student", "assignment", "score", "max_score", "manual", "manual_max", "manual_pending",
               "raw_total", "late_penalty", "total", "total_max", "submitted", "hours_late"]


def totals(record):
    """(raw total, total after the late penalty, maximum): autograded plus the manual points
    given so far; the penalty is ``record["late"]``'s percentage (see ``deadlines.py``)."""
    manual = record.get("manual") or {}
    raw = record["score"] + manual.get("score", 0.0)
    return raw, penalised(raw, record.get("late")), record["max_score"] + manual.get("max_score", 0.0)


def class_row(record):
    """The whole-class columns of one student: autograded ``score``/``max_score``; the inline
    questions' ``manual`` points given so far, their ``manual_max`` and how many answers are
    ``manual_pending`` (blank without a gradebook); ``raw_total`` = score + manual points so far;
    ``late_penalty``: the percentage the late policy takes off (blank without a due date);
    ``total``: raw_total after that penalty, the grade of record; ``submitted``: the submission
    time (UTC) where one is known; ``hours_late``: after the student's due date (0 when on time)."""
    manual = record.get("manual")
    raw, total, total_max = totals(record)
    late = record.get("late")
    row = {"student": record["student"], "assignment": record["assignment"], "score": _fmt(record["score"]),
           "max_score": _fmt(record["max_score"]), "manual": "", "manual_max": "", "manual_pending": "",
           "raw_total": _fmt(raw), "late_penalty": "", "total": _fmt(total), "total_max": _fmt(total_max),
           "submitted": "", "hours_late": ""}
    if manual:
        row.update(manual=_fmt(manual["score"]), manual_max=_fmt(manual["max_score"]),
                   manual_pending=str(manual["pending"]))
    if late:
        row["late_penalty"] = _fmt(late["penalty"])
        if late.get("submitted"):
            row["submitted"] = late["submitted"]
            row["hours_late"] = _fmt(round(late["seconds_late"] / 3600, 2))
    elif (record.get("submitted") or {}).get("time"):
        row["submitted"] = record["submitted"]["time"]
    return row


def grades_csv(records):
    """One row per student: the ``class_row`` columns, then points per graded function, each
    headed ``<function> (max <points>)``: one header row, so every CSV reader keeps working."""
    functions, maxima = [], {}
    for record in records:
        mine = {}
        for t in record["tests"]:
            if t["function"] not in functions:
                functions.append(t["function"])
            mine[t["function"]] = mine.get(t["function"], 0.0) + t["max_points"]
        for f, m in mine.items():
            maxima[f] = max(maxima.get(f, 0.0), m)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + [f"{short_function(f)} (max {_fmt(maxima[f])})" for f in functions])
    for record in sorted(records, key=lambda r: r["student"]):
        per = {f: 0.0 for f in functions}
        for t in record["tests"]:
            per[t["function"]] += t["points"]
        row = class_row(record)
        writer.writerow([row[c] for c in CSV_COLUMNS] + [_fmt(per[f]) for f in functions])
    return out.getvalue()

