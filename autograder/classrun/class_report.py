"""``autograder report`` (and the end of every ``autograder grade``): the class report.

Reads the results store (every student's results file under ``autograded/`` and the manual points
in nbgrader's gradebook), the similarity report when one lies beside them, and the run history;
writes ``report/<assignment>.html`` (one page, plots embedded, readable offline) and
``report/<assignment>.json`` (the same numbers) in the output folder. A grading run also adds the
class as it now stands to the run history (``runs.py``), so the next report can say whose scores
changed and why.
"""
import datetime
import json
import sys
import time
from pathlib import Path

from . import runs, store
from .dashboard import analyse, top_mistakes_lines
from .dashboard_html import render
from ..files import write_atomic

SIMILARITY_FILE = "similarity.json"  # where `autograder similarity --json` output is looked for


class ReportError(Exception):
    """The report cannot be made (one line)."""


def report_paths(out, assignment):
    """(html, json) of the class report in the output folder ``out``."""
    folder = Path(out) / "report"
    return folder / f"{assignment}.html", folder / f"{assignment}.json"


def _keys(out, assignment, records):
    keys = {}
    for r in records:
        saved = store.read_saved(store.results_path(out, r["student"], assignment))
        keys[r["student"]] = saved[0] if saved else ""
    return keys


def _gradebook_students(db_path):
    """The student ids in nbgrader's gradebook (everyone it knows, graded or not); () without one."""
    if not Path(db_path).is_file():
        return ()
    try:
        from nbgrader.api import Gradebook
        with Gradebook(f"sqlite:///{Path(db_path).resolve()}") as gb:
            return [s.id for s in gb.students]
    except Exception as exc:  # noqa: BLE001 - a damaged gradebook must not cost the report
        print(f"warning: cannot read the students of {db_path} ({type(exc).__name__}); the report's "
              f"'missing' list leaves them out", file=sys.stderr)
        return ()


def _similarity(path):
    """The pairs of a similarity JSON, or None when there is none (or it is not one)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        pairs = json.loads(path.read_text())
    except (OSError, ValueError):
        print(f"warning: cannot read {path}; the report leaves similarity out", file=sys.stderr)
        return None
    return pairs if isinstance(pairs, list) else None


def class_report(out, assignment, records=None, db_path=None, roster=None, not_graded=None, budget=None,
                 record_run=False, html_path=None, json_path=None, similarity_path=None):
    """Write the class report for ``assignment`` from the output folder ``out``; returns
    (data, html path, json path, seconds it took).

    ``records``: the whole class (``store.class_records``), read from ``out`` when not given;
    ``roster`` (``roster.Roster``): students expected besides the gradebook's; ``not_graded``:
    {student: reason} from this run; ``budget``: this run's seconds per student (default: the last
    run's); ``record_run``: add this state of the class to the run history (grading runs do).
    """
    started = time.perf_counter()
    out = Path(out).resolve()
    db_path = Path(db_path) if db_path else out / "gradebook.db"
    if records is None:
        records = store.class_records(out, assignment, db_path)
    if not records and not record_run:
        raise ReportError(f"no graded student for {assignment} in {out / 'autograded'}: run `autograder grade` first")
    default_html, default_json = report_paths(out, assignment)
    html_path = Path(html_path) if html_path else default_html
    json_path = Path(json_path) if json_path else default_json

    history_file = runs.history_path(out, assignment)
    history = runs.load_history(history_file)
    current = runs.snapshot(records, _keys(out, assignment, records), budget)
    if record_run:
        history.append(current)
    previous = runs.previous_for(history, current, recorded=record_run)
    if budget is None:
        budget = next((r.get("budget") for r in reversed(history) if r.get("budget")), None)

    expected = set(_gradebook_students(db_path)) | set(roster.rows if roster is not None else ())
    data = analyse(records, assignment, expected_students=expected, not_graded=not_graded,
                   similarity=_similarity(similarity_path or out / SIMILARITY_FILE), budget=budget)
    data["generated"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    data["json_name"] = json_path.name
    data["changes"] = runs.compare(previous, current)
    write_atomic(json_path, json.dumps(data, indent=1) + "\n")
    write_atomic(html_path, render(data, html_path, out))
    if record_run:
        runs.save_history(history_file, history)
    return data, html_path, json_path, time.perf_counter() - started


def summary_lines(data, html_path, seconds):
    """The lines that end ``autograder grade``'s summary: the most common mistakes in words and
    where the report is."""
    changes = data["changes"]
    since = (f"; since the previous run {len(changes['changed'])} score(s) changed, {len(changes['new'])} "
             f"student(s) new" if changes["previous"] else "")
    return top_mistakes_lines(data) + [f"class report: {html_path} (and .json; made in {seconds:.1f} s{since})"]
