"""The whole class as files: grades.json (the JSON contract) and grades.csv."""
import csv
import io
import json

from ..engine.summary import format_points as _fmt, short_function


def results_json(records):
    """The JSON contract: a list of {student, assignment, score, max_score, tests: [...]}."""
    return json.dumps(records, indent=2) + "\n"


CSV_COLUMNS = ["student", "assignment", "score", "max_score", "manual", "manual_max", "manual_pending",
               "total", "total_max"]


def class_row(record):
    """The whole-class columns of one student: autograded ``score``/``max_score``; the inline
    questions' ``manual`` points given so far, their ``manual_max`` and how many answers are
    ``manual_pending`` (blank without a gradebook); ``total`` = score + manual points so far."""
    manual = record.get("manual")
    row = {"student": record["student"], "assignment": record["assignment"], "score": _fmt(record["score"]),
           "max_score": _fmt(record["max_score"]), "manual": "", "manual_max": "", "manual_pending": "",
           "total": _fmt(record["score"]), "total_max": _fmt(record["max_score"])}
    if manual:
        row.update(manual=_fmt(manual["score"]), manual_max=_fmt(manual["max_score"]),
                   manual_pending=str(manual["pending"]), total=_fmt(record["score"] + manual["score"]),
                   total_max=_fmt(record["max_score"] + manual["max_score"]))
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

