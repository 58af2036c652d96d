"""What nbgrader's feedback commands need from the grader, written beside the autograded notebooks.

``nbgrader generate_feedback`` turns ``autograded/<student>/<assignment>/`` into
``feedback/<student>/<assignment>/``: one HTML page per notebook, every other file copied as it
is, and a student whose feedback folder already exists is skipped. ``nbgrader release_feedback``
then reads ``timestamp.txt`` and ``submission_secret.txt`` there and publishes each page under a
hash of the secret and the page's name; ``nbgrader fetch_feedback`` gives a student the pages of
the notebooks they submitted, found by the same hash, and nothing else. So the grader writes into
the autograded folder, never into ``feedback/``:

- ``autograder.html``: its own page (``feedback.feedback_html``), which generate_feedback copies
  into ``feedback/``, where the instructor finds it beside the notebooks' pages;
- ``timestamp.txt``: the submission's own (nbgrader's exchange), else the submission time the
  intake knows (an LMS upload), else the time of grading; generate_feedback compares it with the
  feedback folder's to see that a regraded submission needs new pages;
- ``submission_secret.txt``: the submission's own, else a random one, so that release_feedback
  never stops on a student who handed in another way (such a student fetches nothing);
- in each autograded notebook, a first markdown cell with the grader's results
  (``feedback.notebook_section``): how the per-function messages and diagnoses reach a student
  through fetch_feedback. The formgrader shows the same cell to whoever grades the written answers.
"""
import hashlib
import json
import os
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path

from ..files import write_atomic
from .deadlines import NBGRADER_SOURCE, TIMESTAMP_FILE, late_sentence, parse_time, read_small_file, submission_time
from .feedback import SECTION_ID, feedback_html, notebook_section
from .store import RESULTS_FILE, lms_mark, read_results, update_results

PAGE = "autograder.html"
SECRET_FILE = "submission_secret.txt"
MAX_NOTEBOOK_BYTES = 64 << 20  # an autograded notebook larger than this gets no section
_SECRET = re.compile(r"^[A-Za-z0-9+/=_.-]{1,512}$")
_NBGRADER_TIME = "%Y-%m-%d %H:%M:%S.%f UTC"  # nbgrader's default Exchange.timestamp_format


def publish(folder, record, late=None, submission=None, submitted=None, notebooks_of=None):
    """Write everything above into ``folder`` (``autograded/<student>/<assignment>``) for one
    graded student; returns a list of one-line problems (a notebook that could not take the
    section), empty when all went well.

    ``late``: ``Deadlines.late``'s answer or None; ``submission``: the student's folder or zip
    (for nbgrader's timestamp and secret); ``submitted``: ``deadlines.submission_time``'s answer;
    ``notebooks_of``: {graded function: the name of its notebook without ``.ipynb``}.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / PAGE, feedback_html(record, late))
    write_atomic(folder / TIMESTAMP_FILE, _timestamp(submission, record["assignment"], submitted) + "\n")
    write_atomic(folder / SECRET_FILE, _secret(folder, submission, record["assignment"]))
    return add_sections(folder, record, late, notebooks_of or {})


def _timestamp(submission, assignment, submitted):
    if submitted and submitted.get("source") == NBGRADER_SOURCE and submission is not None:
        text = read_small_file(submission, assignment, TIMESTAMP_FILE)
        if text and "\n" not in text:
            return text  # nbgrader's own words, in whatever format the course configured
    if submitted and submitted.get("time"):
        return parse_time(submitted["time"]).strftime(_NBGRADER_TIME)
    return datetime.now(timezone.utc).strftime(_NBGRADER_TIME)


def _secret(folder, submission, assignment):
    for text in (read_small_file(submission, assignment, SECRET_FILE) if submission is not None else None,
                 _read(folder / SECRET_FILE)):
        if text and _SECRET.match(text):
            return text
    return secrets.token_hex(64)


def _read(path):
    try:
        return path.read_text().strip() if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def add_sections(folder, record, late, notebooks_of):
    """Put ``notebook_section`` first in every autograded notebook of ``folder`` (replacing the
    one an earlier run put there). Tests of functions whose notebook is not there are listed in
    full on every page. Returns one line per notebook that could not take it."""
    notebooks = sorted(Path(folder).glob("*.ipynb"))
    present = {nb.stem for nb in notebooks}
    problems = []
    for nb_path in notebooks:
        functions = {f for f, nb in notebooks_of.items() if nb == nb_path.stem or nb not in present}
        functions |= {t["function"] for t in record["tests"] if t["function"] not in notebooks_of}
        try:
            _add_section(nb_path, notebook_section(record, functions, late))
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            problems.append(f"{nb_path.name}: the grader's results could not be added to its feedback page "
                            f"({type(exc).__name__})")
    return problems


def _add_section(path, html):
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise ValueError("notebook too large")
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if not (c.get("metadata") or {}).get("autograder_results")]
    cell = {"cell_type": "markdown", "metadata": {"autograder_results": True, "deletable": False, "editable": False},
            "source": html}
    taken = {c.get("id") for c in cells}
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5):
        # Cell ids exist from nbformat 4.5 on (and must not before); a student's cell may hold ours.
        cell["id"] = next(i for i in (SECTION_ID, *(f"{SECTION_ID}-{n}" for n in range(1, len(taken) + 2)))
                          if i not in taken)
    nb["cells"] = [cell] + cells
    mode = path.stat().st_mode & 0o777
    write_atomic(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    os.chmod(path, mode)  # nbgrader made it read-only; keep it so


def publish_class(out, assignment, found, origins, deadlines, notebooks_of, regraded):
    """Keep every graded student's submission time and publish their feedback where it is due.

    For each student with a results file under ``out/autograded``: the submission time comes from
    their submission in ``found`` ({student: folder or zip}; ``origins``: the intake's LMS
    records), else from the results file; ``deadlines`` judges it. Their feedback is written again
    (``publish``) when they were graded in this run (``regraded``: nbgrader made their notebooks
    anew) or what it says has changed (a new due date, extension or policy). Returns
    ({student: late}, {student: [lines for the run's "needs attention"]}).
    """
    lates, attention = {}, {}
    for results in sorted(Path(out, "autograded").glob(f"*/{assignment}/{RESULTS_FILE}")):
        data = read_results(results)
        if data is None:
            continue
        record = data["record"]
        student = record["student"]
        origin = origins.get(student) if student in found else data.get("origin")
        submitted = (submission_time(found[student], assignment, origin) if student in found
                     else data.get("submitted"))
        late = deadlines.late(student, submitted, **lms_mark({"lms": origin}))
        stamp = hashlib.sha256(json.dumps([data["key"], submitted, late], sort_keys=True).encode()).hexdigest()
        lines = []
        if student in regraded or data.get("published") != stamp:
            lines += publish(results.parent, record, late, found.get(student), submitted, notebooks_of)
            update_results(results, submitted=submitted, published=stamp)
        if late is not None:
            lates[student] = late
            sentence = late_sentence(late)
            if sentence:
                lines.append(sentence[0].lower() + sentence[1:])
            if late.get("note"):
                lines.append(late["note"])
        if lines:
            attention[student] = lines
    return lates, attention
