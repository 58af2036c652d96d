"""What the instructor learns from a class: the numbers behind the class report.

``analyse`` reads the whole class's records (``store.class_records``: every student's results with
the manual points from nbgrader's gradebook) and returns plain JSON-able data; ``dashboard_html``
draws it and ``class_report`` writes both. Nothing here runs student code or reads a submission:
the records hold everything, including what ``job.py`` keeps for the instructor only (``mistakes``,
the recognised mistakes in words, and ``answers``, the fingerprints of wrong answers to hidden
tests, see ``engine/answers.py``).

- ``distribution``: autograded, manual and total scores (mean, median, a histogram), the students
  at zero and those missing (on the roster or in the gradebook, without results);
- ``functions``: per graded function, the points earned of those possible, the share of students
  with full marks, and the pass rates of its public and hidden tests: a hidden rate below the
  public one is the class's blind spot, what the students could not see for themselves;
- ``mistakes``: the recognised mistakes in words, with the students and functions each hit. Two
  ids seen in one function for exactly the same students (at least ``MERGE_MIN_STUDENTS``) are one
  mistake named by two tests (a public test's id and a hidden test's), and are counted once;
- ``groups``: failed hidden tests that no diagnosis explains, grouped by the answer's fingerprint:
  students whose wrong answers agree (to ``SKETCH_TOL``) or whose code raised the same exception
  on the same statement. A group is a mistake the class shares and the tests do not name yet;
- ``attention``: upload problems, students not graded, flagged similarity pairs, time budgets
  spent, late work.
"""
import statistics
from collections import Counter, defaultdict

from ..engine.summary import format_points, short_function

MERGE_MIN_STUDENTS = 2  # one student with two mistakes in a function is no evidence they are one
SKETCH_TOL = 1e-3       # answers agreeing to this (in units of the expected value's size) are one
HISTOGRAM_BINS = 10
TOP_MISTAKES = 3        # how many the console summary names


def feedback_path(student, assignment):
    """A student's feedback page, relative to the output folder."""
    return f"autograded/{student}/{assignment}/autograder.html"


def analyse(records, assignment, expected_students=(), not_graded=None, similarity=None, budget=None):
    """The class report's data (see the module docstring) for ``records`` (one per student).

    ``expected_students``: everyone who should have results (the roster, the gradebook's
    students); ``not_graded``: {student: reason} the grading run could not grade; ``similarity``:
    the pairs of ``autograder similarity``'s JSON, or None; ``budget``: the seconds each student's
    tests were allowed (students at or over it are listed)."""
    records = sorted(records, key=lambda r: r["student"])
    return {"assignment": assignment, "students": len(records),
            "scores": [_score_row(r, assignment) for r in records],
            "distribution": distribution(records, expected_students, not_graded or {}),
            "functions": function_stats(records),
            "mistakes": mistakes(records),
            "groups": unexplained_groups(records),
            "attention": attention(records, not_graded or {}, similarity, budget)}


# -- scores -------------------------------------------------------------------------------------

def _manual(record):
    manual = record.get("manual") or {}
    return manual.get("score"), manual.get("max_score", 0.0), manual.get("pending", 0)


def _score_row(record, assignment):
    manual, manual_max, pending = _manual(record)
    return {"student": record["student"], "score": record["score"], "max_score": record["max_score"],
            "manual": manual, "manual_max": manual_max, "manual_pending": pending,
            "total": record["score"] + (manual or 0.0), "feedback": feedback_path(record["student"], assignment)}


def _summary_of(values, maximum):
    """Mean, median and a histogram of ``HISTOGRAM_BINS`` equal bins over [0, maximum] (the last
    bin holds the maximum; a score outside [0, maximum], extra credit, lands in an end bin)."""
    if not values:
        return {"count": 0, "max": maximum, "mean": None, "median": None, "edges": [], "counts": []}
    top = maximum if maximum > 0 else max(max(values), 1.0)
    edges = [top * i / HISTOGRAM_BINS for i in range(HISTOGRAM_BINS + 1)]
    counts = [0] * HISTOGRAM_BINS
    for v in values:
        counts[min(HISTOGRAM_BINS - 1, max(0, int(v / top * HISTOGRAM_BINS)))] += 1
    return {"count": len(values), "max": maximum, "mean": round(statistics.fmean(values), 4),
            "median": round(statistics.median(values), 4), "edges": [round(e, 4) for e in edges],
            "counts": counts}


def distribution(records, expected_students, not_graded):
    """Autograded, manual (students with manual points only) and total scores; who is at zero,
    who is missing and who still waits for manual grading."""
    autograded = [r["score"] for r in records]
    autograded_max = max((r["max_score"] for r in records), default=0.0)
    manual_max = max((_manual(r)[1] for r in records), default=0.0)
    manual = [_manual(r)[0] for r in records if _manual(r)[0] is not None]
    totals = [r["score"] + (_manual(r)[0] or 0.0) for r in records]
    graded = {r["student"] for r in records}
    return {"autograded": _summary_of(autograded, autograded_max),
            "manual": _summary_of(manual, manual_max) if manual_max > 0 else None,
            "total": _summary_of(totals, autograded_max + manual_max),
            "zero": [r["student"] for r, total in zip(records, totals) if total == 0],
            "missing": sorted((set(expected_students) | set(not_graded)) - graded),
            "manual_pending": [r["student"] for r in records if _manual(r)[2]]}


# -- per function ---------------------------------------------------------------------------------

def _rate(passed, run):
    return {"passed": passed, "run": run, "rate": round(passed / run, 4) if run else None}


def function_stats(records):
    """One entry per graded function, in the course's order (see the module docstring)."""
    order, per = [], {}
    for record in records:
        mine = defaultdict(lambda: [0.0, 0.0])
        for t in record["tests"]:
            f = t["function"]
            if f not in per:
                order.append(f)
                per[f] = {"points": 0.0, "possible": 0.0, "max_points": 0.0, "full": 0, "students": 0,
                          "public": [0, 0], "hidden": [0, 0]}
            mine[f][0] += t["points"]
            mine[f][1] += t["max_points"]
            side = per[f]["hidden" if t.get("hidden") else "public"]
            side[0] += t["status"] == "passed"
            side[1] += 1
        for f, (points, possible) in mine.items():
            entry = per[f]
            entry["points"] += points
            entry["possible"] += possible
            entry["max_points"] = max(entry["max_points"], possible)
            entry["students"] += 1
            entry["full"] += points >= possible - 1e-9
    out = []
    for f in order:
        e = per[f]
        public, hidden = _rate(*e["public"]), _rate(*e["hidden"])
        out.append({"function": f, "name": short_function(f), "max_points": e["max_points"],
                    "students": e["students"], "points": round(e["points"], 6), "possible": e["possible"],
                    "share_of_points": round(e["points"] / e["possible"], 4) if e["possible"] else None,
                    "full_marks": e["full"], "full_marks_share": round(e["full"] / e["students"], 4),
                    "public": public, "hidden": hidden,
                    "blind_spot": public["rate"] is not None and hidden["rate"] is not None
                    and hidden["rate"] < public["rate"]})
    return out


# -- recognised mistakes ----------------------------------------------------------------------------

def _words(mistake_id):
    """A mistake's id as words, when no record says it in words (records graded before titles)."""
    return mistake_id.replace("_", " ")


def mistakes(records):
    """The recognised mistakes, most students first, ids that name one mistake merged."""
    students, by_function, tests, titles = defaultdict(set), defaultdict(lambda: defaultdict(set)), \
        Counter(), defaultdict(Counter)
    for record in records:
        said = record.get("mistakes") or {}
        for t in record["tests"]:
            d = t.get("diagnosis")
            if not d:
                continue
            students[d].add(record["student"])
            by_function[d][t["function"]].add(record["student"])
            tests[d] += 1
            titles[d][said.get(d) or _words(d)] += 1
    components, reasons = _one_mistake(sorted(students), by_function)
    out = []
    for members in components:
        members.sort(key=lambda d: (-tests[d], d))
        who = set().union(*(students[d] for d in members))
        functions = defaultdict(set)
        for d in members:
            for f, s in by_function[d].items():
                functions[f] |= s
        out.append({"id": members[0], "ids": members, "title": titles[members[0]].most_common(1)[0][0],
                    "titles": {d: titles[d].most_common(1)[0][0] for d in members},
                    "count": len(who), "students": sorted(who), "tests_failed": sum(tests[d] for d in members),
                    "functions": [{"function": f, "name": short_function(f), "students": len(s)}
                                  for f, s in sorted(functions.items(), key=lambda kv: (-len(kv[1]), kv[0]))],
                    "merged_because": sorted({why for d, why in reasons if d in members})})
    out.sort(key=lambda m: (-m["count"], m["title"]))
    return out


def _one_mistake(ids, by_function):
    """Ids that name one mistake, as lists (components of "seen in one function for exactly the
    same students, at least ``MERGE_MIN_STUDENTS``"), and [(id, why it was merged)]."""
    parent = {d: d for d in ids}

    def root(d):
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    seen = defaultdict(list)  # (function, frozenset of students) -> ids
    for d in ids:
        for f, who in by_function[d].items():
            if len(who) >= MERGE_MIN_STUDENTS:
                seen[(f, frozenset(who))].append(d)
    reasons = []
    for (f, who), same in seen.items():
        for other in same[1:]:
            a, b = root(same[0]), root(other)
            if a != b:
                parent[b] = a
        if len(same) > 1:
            reasons.append((same[0], f"{' and '.join(same)}: named in {short_function(f)} for the same "
                                     f"{len(who)} students"))
    components = defaultdict(list)
    for d in ids:
        components[root(d)].append(d)
    return list(components.values()), reasons


def top_mistakes_lines(data, limit=TOP_MISTAKES):
    """The console's lines for the ``limit`` most common mistakes, in words."""
    found = data["mistakes"][:limit]
    if not found:
        return []
    lines = [f"most common mistakes ({len(data['mistakes'])} recognised in all):"]
    for m in found:
        lines.append(f"  {m['count']} student{'s' if m['count'] != 1 else ''}: {m['title']}")
    return lines


# -- unexplained failures, grouped --------------------------------------------------------------

def _coarse_key(test, fingerprint):
    """What two failures of one hidden test must share to be compared at all."""
    if not fingerprint:
        return ("message", test["status"], test.get("message", ""))
    kind = fingerprint.get("kind")
    if kind == "value":
        return ("value", fingerprint.get("what"), tuple(fingerprint.get("shape") or ()))
    if kind == "shape":
        return ("shape", fingerprint.get("what"), tuple(fingerprint.get("shape") or ()),
                tuple(fingerprint.get("expected_shape") or ()))
    if kind == "raised":
        place = fingerprint.get("code") or fingerprint.get("line")
        return ("raised", fingerprint.get("exception"), fingerprint.get("file"), place)
    if kind == "type":
        return ("type", fingerprint.get("what"), fingerprint.get("type"))
    return (str(kind), fingerprint.get("what"))


def _agree(a, b):
    """Two value fingerprints whose answers agree to ``SKETCH_TOL`` of the expected value's size."""
    sa, sb = a.get("sketch") or [], b.get("sketch") or []
    if len(sa) != len(sb) or any(x is None for x in sa + sb):
        return False
    return all(abs(x - y) <= SKETCH_TOL * (1.0 + max(abs(x), abs(y))) for x, y in zip(sa, sb))


def unexplained_groups(records):
    """Failed or erroring hidden tests without a diagnosis, grouped by the answer's fingerprint:
    groups of two or more, largest first; each failure nobody shares is counted in ``alone``."""
    clusters = defaultdict(list)  # (test, coarse key) -> [[(student, fingerprint, test result)], ...]
    tests_by_name = {}
    diagnosed_elsewhere = defaultdict(lambda: defaultdict(set))  # student -> function -> ids
    for record in records:
        answers = record.get("answers") or {}
        for t in record["tests"]:
            if t.get("diagnosis"):
                diagnosed_elsewhere[record["student"]][t["function"]].add(t["diagnosis"])
        for t in record["tests"]:
            if not t.get("hidden") or t["status"] not in ("failed", "error") or t.get("diagnosis"):
                continue
            tests_by_name[t["name"]] = t
            fingerprint = answers.get(t["name"])
            key = (t["name"], _coarse_key(t, fingerprint))
            for cluster in clusters[key]:
                if key[1][0] != "value" or _agree(cluster[0][1], fingerprint):
                    cluster.append((record["student"], fingerprint, t))
                    break
            else:
                clusters[key].append([(record["student"], fingerprint, t)])
    groups, alone = [], Counter()
    for (name, _), found in clusters.items():
        for cluster in found:
            if len(cluster) < 2:
                alone[name] += 1
                continue
            test = tests_by_name[name]
            students = sorted(s for s, _, _ in cluster)
            representative = students[0]
            fingerprint = next(fp for s, fp, _ in cluster if s == representative) or {}
            known = Counter(d for s in students for d in diagnosed_elsewhere[s].get(test["function"], ()))
            groups.append({"test": name, "function": test["function"], "name": short_function(test["function"]),
                           "size": len(students), "students": students, "representative": representative,
                           "status": test["status"], "message": test.get("message", ""),
                           "answer": fingerprint, "sentence": _sentence(len(students), test, fingerprint),
                           "difference": describe_difference(fingerprint),
                           "also_recognised": dict(known.most_common())})
    groups.sort(key=lambda g: (-g["size"], g["function"], g["test"]))
    return {"groups": groups, "alone": dict(sorted(alone.items())), "alone_total": sum(alone.values())}


def _sentence(n, test, fp):
    where = f"on {short_function(test['function'])} hidden test {test['name']}"
    kind = (fp or {}).get("kind")
    if kind == "value":
        return f"{n} students give the same wrong answer for “{fp.get('what') or 'the value'}” {where}, no known mistake matches"
    if kind == "shape":
        return (f"{n} students give an answer of shape {tuple(fp.get('shape') or ())} instead of "
                f"{tuple(fp.get('expected_shape') or ())} for “{fp.get('what') or 'the value'}” {where}")
    if kind == "nonfinite":
        return f"{n} students give nan or inf for “{fp.get('what') or 'the value'}” {where}"
    if kind == "type":
        return f"{n} students give a {fp.get('type')} instead of a numeric array for “{fp.get('what') or 'the value'}” {where}"
    if kind == "raised":
        place = f" at `{fp['code']}` ({fp['file']})" if fp.get("code") else ""
        return f"{n} students' code raises {fp.get('exception')}{place} {where}"
    return f"{n} students fail {where} with the same message: {test.get('message', '')}"


def describe_difference(fp):
    """The difference between a group's answer and the expected value, in words: its shape and
    scale (for the instructor only: it describes a hidden test's answer)."""
    if not fp:
        return ""
    kind = fp.get("kind")
    if kind == "shape":
        return f"shape {tuple(fp.get('shape') or ())}, expected {tuple(fp.get('expected_shape') or ())}"
    if kind == "nonfinite":
        return f"{fp.get('nan', 0)} nan and {fp.get('inf', 0)} inf entries in shape {tuple(fp.get('shape') or ())}"
    if kind == "raised":
        return (f"{fp.get('exception')} raised in {fp.get('file')} line {fp.get('line')}" if fp.get("file")
                else f"{fp.get('exception')} raised")
    if kind != "value":
        return ""
    g = lambda key: fp.get(key) if fp.get(key) is not None else float("nan")  # noqa: E731
    shape = tuple(fp.get("shape") or ())
    parts = [f"shape {shape} as expected; the expected values have size (root mean square) {g('scale'):.3g}"]
    parts.append(f"answer - expected: root mean square {g('diff_rms'):.3g}, largest {g('diff_max'):.3g}, "
                 f"mean {g('diff_mean'):+.3g} (in units of that size); {fp.get('wrong', 0)} of "
                 f"{fp.get('size', 0)} entries wrong")
    if fp.get("factor") == 0 and fp.get("factor_misfit") == 0:
        parts.append("the answer is all zeros")
    elif fp.get("factor_misfit") is not None and fp["factor_misfit"] < 1e-3 and fp.get("factor") not in (None, 1.0):
        parts.append(f"the answer is {fp['factor']:.4g} times the expected value")
    elif fp.get("diff_std") is not None and fp.get("diff_mean") and fp["diff_std"] < 1e-3 * abs(fp["diff_mean"]):
        parts.append(f"the answer is the expected value shifted by a constant {fp['diff_mean'] * g('scale'):+.4g}")
    return "; ".join(parts)


# -- needs attention ------------------------------------------------------------------------------

def attention(records, not_graded, similarity, budget):
    """Students a person should look at: uploads with problems, not graded, flagged similarity
    pairs, budgets spent or tests timed out, late work."""
    uploads = {r["student"]: list(r["upload"]) for r in records if r.get("upload")}
    over = [{"student": r["student"], "seconds": r.get("seconds")} for r in records
            if budget and (r.get("seconds") or 0) >= budget]
    timeouts = {r["student"]: n for r in records
                if (n := sum(t["status"] == "timeout" for t in r["tests"]))}
    late = []
    for r in records:
        origin = r.get("lms") or {}
        if origin.get("late"):
            late.append({"student": r["student"], "how": f"marked late by {str(origin.get('lms', 'the LMS')).capitalize()}"})
        elif r.get("late"):
            late.append({"student": r["student"], "how": _late_words(r["late"])})
    pairs = None
    if similarity is not None:
        pairs = [{"a": p.get("a"), "b": p.get("b"), "score": p.get("score"),
                  "functions": [f.get("name") for f in (p.get("functions") or [])[:3] if isinstance(f, dict)]}
                 for p in similarity if isinstance(p, dict) and p.get("flagged")]
    return {"uploads": uploads, "not_graded": dict(sorted(not_graded.items())), "similarity": pairs,
            "budget": budget, "over_budget": over, "timeouts": timeouts, "late": late}


def _late_words(late):
    """A record's own ``late`` entry (a late policy's) in words: its text, or its fields."""
    if isinstance(late, dict):
        return ", ".join(f"{k.replace('_', ' ')} {format_points(v) if isinstance(v, (int, float)) else v}"
                         for k, v in late.items())
    return "late" if late is True else str(late)
