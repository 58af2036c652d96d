"""How one student's test results read per graded function: the table ``autograder check`` prints,
and the rows the feedback page and the exports build on."""
import shutil
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

