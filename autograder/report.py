"""What people read: the score table in the terminal, the JSON contract, grades.csv, feedback HTML."""
import csv
import html
import io
import json
import os
import shutil
import tempfile
import textwrap
from collections import OrderedDict

# Worst first: the status a function shows when its tests disagree.
_SEVERITY = ["not_implemented", "timeout", "error", "failed", "passed"]


def short_function(dotted):
    """'classifiers.k_nearest_neighbor.KNearestNeighbor.predict' -> 'KNearestNeighbor.predict'."""
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if part[:1].isupper():
            return ".".join(parts[i:])
    return parts[-1]


def by_function(results):
    """One row per graded function: (function, points, max_points, status, hint). The hint is the
    first failing message that names a diagnosed mistake, or else the first failing message."""
    rows = OrderedDict()
    for r in results:
        row = rows.setdefault(r["function"], {"points": 0.0, "max": 0.0, "statuses": [], "hint": "",
                                              "named": False})
        row["points"] += r["points"]
        row["max"] += r["max_points"]
        row["statuses"].append(r["status"])
        # The hint to act on: the first message that names a recognised mistake, else the first.
        named = bool(r.get("diagnosis"))
        if r["status"] != "passed" and (not row["hint"] or (named and not row["named"])):
            row["hint"], row["named"] = r["message"], named
    table = []
    for function, row in rows.items():
        status = min(row["statuses"], key=_SEVERITY.index)
        if status == "failed" and "passed" in row["statuses"]:
            status = "partial"
        table.append((function, row["points"], row["max"], status, row["hint"]))
    return table


def format_points(x):
    """Points as people write them: 7, 2.5, 0.25."""
    return f"{x:g}"


_fmt = format_points


def score_table(results, title=None, width=None):
    """The per-function table printed by ``autograder check`` and ``autograder grade``."""
    width = width or max(80, shutil.get_terminal_size((120, 24)).columns)
    rows = by_function(results)
    names = [short_function(f) for f, *_ in rows]
    name_w = max([len("function")] + [len(n) for n in names])
    lines = []
    if title:
        lines.append(title)
    header = f"{'function':<{name_w}}  {'points':>9}  {'status':<15}  hint"
    lines += [header, "-" * min(width, max(len(header), 60))]
    indent = " " * (name_w + 30)
    for name, (_, points, max_points, status, hint) in zip(names, rows):
        score = f"{_fmt(points)}/{_fmt(max_points)}"
        # The first hint is the one to act on: never cut, wrapped under its own column.
        room = max(30, width - name_w - 30)
        wrapped = textwrap.wrap(hint, room) or [""]
        lines.append(f"{name:<{name_w}}  {score:>9}  {status.replace('_', ' '):<15}  {wrapped[0]}")
        lines += [indent + more for more in wrapped[1:]]
    total = sum(r["points"] for r in results)
    total_max = sum(r["max_points"] for r in results)
    lines.append("-" * min(width, max(len(header), 60)))
    lines.append(f"{'total':<{name_w}}  {_fmt(total) + '/' + _fmt(total_max):>9}")
    return "\n".join(lines)


def write_atomic(path, text):
    """Write ``text`` to ``path`` via a temporary file, so a crash never leaves half a file."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


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
    """One row per student: the ``class_row`` columns, then points per graded function."""
    functions = []
    for record in records:
        for t in record["tests"]:
            if t["function"] not in functions:
                functions.append(t["function"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + [short_function(f) for f in functions])
    for record in sorted(records, key=lambda r: r["student"]):
        per = {f: 0.0 for f in functions}
        for t in record["tests"]:
            per[t["function"]] += t["points"]
        row = class_row(record)
        writer.writerow([row[c] for c in CSV_COLUMNS] + [_fmt(per[f]) for f in functions])
    return out.getvalue()


_STATUS_COLOURS = {"passed": "#1a7f37", "failed": "#b35900", "error": "#cf222e", "timeout": "#cf222e",
                   "not_implemented": "#6e7781"}


def feedback_html(record):
    """A self-contained page for one student: every test's result and message, nothing hidden.

    Hidden tests appear by name and message only; their code, inputs and expected values never
    reach this page (the messages of hidden tests are written without them).
    """
    e = html.escape
    first = [(short_function(f), p, m, hint) for f, p, m, status, hint in by_function(record["tests"]) if p < m]
    summary = "".join(f"<li><code>{e(name)}</code> {_fmt(p)}/{_fmt(m)}: {e(hint)}</li>" for name, p, m, hint in first)
    summary = (f"<h2>What to look at first</h2><ul>{summary}</ul><p>One line per function that lost "
               f"points: the message that names a recognised mistake, else the first message of its "
               f"failing tests. Every test follows.</p>" if first else
               "<p>Every autograded test passed.</p>")
    rows = []
    for t in record["tests"]:
        colour = _STATUS_COLOURS.get(t["status"], "#000")
        rows.append(f"<tr><td><code>{e(short_function(t['function']))}</code></td><td>{e(t['name']).replace('_', '_<wbr>')}{' <small>(hidden)</small>' if t.get('hidden') else ''}</td>"
                    f"<td class=num>{_fmt(t['points'])}/{_fmt(t['max_points'])}</td>"
                    f"<td style='color:{colour}'>{e(t['status'].replace('_', ' '))}</td>"
                    f"<td>{e(t['message'])}</td></tr>")
    insecure = ("\n<p><b>Graded without isolation</b> (<code>--insecure</code>): the student's code ran "
                "with resource limits only.</p>" if record.get("insecure") else "")
    upload = "".join(f"<li>{e(line)}</li>" for line in record.get("upload", []))
    if upload:
        insecure += ("\n<h2>About your upload</h2><ul class=upload>" + upload + "</ul><p>Everything else was "
                     "graded as usual. If a file was cut off or left out by mistake, tell your instructor.</p>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(record['assignment'])}: feedback for {e(record['student'])}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}
table{{border-collapse:collapse;width:100%;table-layout:fixed}}td{{overflow-wrap:anywhere}}
col.f{{width:24%}}col.t{{width:26%}}col.p{{width:6em}}col.s{{width:7.5em}}td,th{{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}}
.num{{text-align:right;white-space:nowrap}}</style></head><body>
<h1>{e(record['assignment'])}: {_fmt(record['score'])} / {_fmt(record['max_score'])} autograded points</h1>
<p>Student: <b>{e(record['student'])}</b>. Written answers (inline questions) are graded by hand and
are not included here.</p>{insecure}
{summary}
<h2>All tests</h2>
<table><colgroup><col class=f><col class=t><col class=p><col class=s><col></colgroup>
<tr><th>function</th><th>test</th><th class=num>points</th><th>status</th><th>message</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
