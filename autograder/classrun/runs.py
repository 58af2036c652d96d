"""Between grading runs: whose score changed, and why.

Every ``autograder grade`` run leaves a snapshot of the whole class in a small history file
(``report/<assignment>.runs.json`` in the output folder, the last ``KEEP`` runs): per student the
results file's key (the digest of the tests and reference, then of the upload), the autograded and
manual points; per run the time, the grader's own digest and the time budget. Comparing the class
now with a snapshot says, for each student whose points moved, what moved them:

- "their upload changed": the upload's digest differs;
- "the tests changed": the digest of the tests and reference solution differs;
- "the grader changed": graded again with the same files by a grader whose code differs;
- "graded again with the same files and grader" (a regrade that gave another score: worth a look);
- "manual points changed": the points given by hand in nbgrader's formgrader moved.
"""
import datetime
import hashlib
import json
import sys
from pathlib import Path

from ..files import write_atomic

KEEP = 20  # snapshots kept per assignment


def history_path(out, assignment):
    return Path(out) / "report" / f"{assignment}.runs.json"


def grader_digest():
    """sha256 of the grader's own code (every .py file of this package): a change to it may change
    scores even where tests and uploads did not."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def snapshot(records, keys, budget=None, grader=None, when=None):
    """The class as it stands: ``records`` (``store.class_records``) and ``keys`` ({student: the
    key of their results file})."""
    students = {}
    for r in records:
        manual = (r.get("manual") or {}).get("score")
        students[r["student"]] = {"key": keys.get(r["student"], ""), "score": r["score"], "manual": manual}
    return {"time": when or datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "grader": grader or grader_digest(), "budget": budget, "students": students}


def load_history(path):
    """The saved snapshots, oldest first; [] (with a warning) when the file is unreadable."""
    path = Path(path)
    if not path.is_file():
        return []
    try:
        runs = json.loads(path.read_text())
        if isinstance(runs, list) and all(isinstance(r, dict) and isinstance(r.get("students"), dict) for r in runs):
            return runs
    except (OSError, ValueError):
        pass
    print(f"warning: cannot read the run history {path}; the report starts a new one", file=sys.stderr)
    return []


def save_history(path, runs):
    write_atomic(path, json.dumps(runs[-KEEP:], indent=1) + "\n")


def _same_class(a, b):
    return a["students"] == b["students"]


def previous_for(history, current, recorded):
    """The snapshot to compare ``current`` with. A grading run (``recorded``: ``current`` is
    already the last of ``history``) compares with the run before it. A report on its own compares
    with the last run, or, when nothing changed since then, with the run before it: the report
    then shows what the last run changed."""
    runs = history[:-1] if recorded else list(history)
    if not recorded and runs and _same_class(runs[-1], current):
        runs = runs[:-1]
    return runs[-1] if runs else None


def _parts(key):
    """(tests digest, upload digest, insecure) of a results file's key."""
    parts = (key or "").split(":")
    return (parts[0] if parts else "", parts[1] if len(parts) > 1 else "", "insecure" in parts[2:])


def _total(entry):
    return entry["score"] + (entry.get("manual") or 0.0)


def compare(previous, current):
    """What changed from ``previous`` to ``current`` (snapshots; ``previous`` may be None)."""
    if previous is None:
        return {"previous": None, "changed": [], "new": [], "removed": [], "regraded_same_score": 0}
    before, now = previous["students"], current["students"]
    changed, same_score = [], 0
    for student in sorted(set(before) & set(now)):
        old, new = before[student], now[student]
        (old_tests, old_upload, old_insecure), (new_tests, new_upload, new_insecure) = _parts(old["key"]), _parts(new["key"])
        score_moved = old["score"] != new["score"]
        manual_moved = (old.get("manual") or 0.0) != (new.get("manual") or 0.0)
        if not (score_moved or manual_moved):
            same_score += old["key"] != new["key"]
            continue
        reasons = []
        if score_moved:
            if old_upload != new_upload:
                reasons.append("their upload changed")
            if old_tests != new_tests:
                reasons.append("the tests changed")
            if old_insecure != new_insecure:
                reasons.append("graded with isolation" if old_insecure else "graded without isolation (--insecure)")
            if previous.get("grader") != current.get("grader"):
                reasons.append("the grader changed")
            if not reasons:
                reasons.append("graded again with the same files and grader")
        if manual_moved:
            reasons.append("manual points changed")
        changed.append({"student": student, "reasons": reasons,
                        "old": {"score": old["score"], "manual": old.get("manual"), "total": _total(old)},
                        "new": {"score": new["score"], "manual": new.get("manual"), "total": _total(new)}})
    return {"previous": previous["time"], "changed": changed,
            "new": [{"student": s, "score": now[s]["score"], "manual": now[s].get("manual")}
                    for s in sorted(set(now) - set(before))],
            "removed": [{"student": s, "score": before[s]["score"]} for s in sorted(set(before) - set(now))],
            "regraded_same_score": same_score}
