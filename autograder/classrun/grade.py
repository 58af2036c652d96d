"""``autograder grade``: grade a whole class with public and hidden tests, in parallel.

The parent process (trusted) finds submissions in whatever shape they came (``intake.py``), hands
one student at a time to a pool of worker processes, and writes every finished student's results at
once: a results file under ``autograded/``, the nbgrader gradebook, and feedback HTML. A student
whose results file matches the current submission and tests is skipped, so re-running is
idempotent and an interrupted run resumes where it stopped. grades.csv and grades.json are then
rebuilt from every results file (``store.py``): the whole class, not this run's students. Each
worker runs the student's code only through the sandbox.
"""
import hashlib
import json
import os
import sys
import time
from pathlib import Path

from . import deadlines, store
from ..engine.discovery import load_tests
from ..engine.job import unusable_record
from ..files import write_atomic
from ..intake.submissions import IntakeError, find_submissions
from ..intake.workspace import MAX_FILE_BYTES
from ..sandbox import NO_ISOLATION, Limits, isolation_available
from .cluster import ClusterError, run_on_cluster
from .feedback import feedback_html
from .publish import PAGE, publish_class
from .local import run_locally
from .store import RESULTS_FILE
from .tables import grades_csv, results_json


class GradeError(Exception):
    """A problem with the grading run as a whole (one line)."""


# -- finding things -----------------------------------------------------------------------------

def digest_path(path):
    """sha256 over relative names and contents of regular files (symlinks ignored)."""
    h = hashlib.sha256()
    path = Path(path)
    if path.is_file():
        _hash_file(h, path)
        return h.hexdigest()
    for folder, dirs, files in os.walk(path, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(folder, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            h.update(os.path.relpath(full, path).encode() + b"\0")
            _hash_file(h, full)
    return h.hexdigest()


def _hash_file(h, path):
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES and not str(path).lower().endswith(".zip"):
        # Never graded (the copy leaves it out): its name and size stand for it, so a 1 GB file
        # left in a folder costs no reading.
        h.update(f"large file of {size} bytes".encode())
        return
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)


# -- the parent ---------------------------------------------------------------------------------

def _tests_digest(source_dir):
    h = hashlib.sha256()
    for path in sorted((Path(source_dir) / "tests").glob("*.py")):
        h.update(path.name.encode() + path.read_bytes())
    for path in sorted(Path(source_dir).rglob("*.py")):
        if "tests" not in path.parts:
            h.update(path.read_bytes())  # the reference solution too
    return h.hexdigest()


def _load_previous(path, key):
    saved = store.read_saved(path)
    return saved[1] if saved is not None and saved[0] == key else None


class Phases:
    """Wall time per phase of a run, for the closing summary."""

    def __init__(self):
        self.seconds, self._started = {}, time.monotonic()
        self.total_started = self._started

    def done(self, name):
        now = time.monotonic()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._started
        self._started = now

    def total(self):
        return time.monotonic() - self.total_started


def grade_class(submissions, assignment="assignment1", course_dir=".", workers=None, json_path=None,
                force=False, limits=Limits(), progress=True, gradebook=True, out_dir=None, scheduler=None,
                insecure=False, students=None, roster=None, due=None, late_policy=None):
    """Grade every submission; returns a printable summary. See the module docstring.

    ``course_dir`` holds ``source/<assignment>`` (tests and reference); ``out_dir`` (default: the
    course folder) gets ``gradebook.db``, ``autograded/``, ``feedback/``, ``grades.csv`` and
    ``grades.json``, the last two always for the whole class (everyone with a results file, from
    this run or an earlier one). ``submissions``: a folder (or zip) in any shape ``intake`` reads;
    ``roster``: a ``roster.Roster`` mapping LMS ids and names to students.
    ``students``: grade only these (always regraded, as with ``force``); everyone else is untouched.
    ``scheduler``: the address of a Dask distributed scheduler (``tcp://host:8786``) whose workers
    grade the students instead of a local pool (``workers`` is then ignored); see ``cluster.py``.
    ``insecure``: grade even though this machine cannot isolate student code (refused otherwise);
    every record, grades.json and each feedback page then say so.
    ``due``, ``late_policy``: text replacing the gradebook's due date (which ``due`` then becomes)
    and ``nbgrader_config.py``'s late policy; see ``deadlines.py``.
    """
    phases = Phases()
    course = Path(course_dir).resolve()
    out = Path(out_dir).resolve() if out_dir else course
    source_dir = course / "source" / assignment
    if not (source_dir / "tests").is_dir():
        raise GradeError(f"no tests for {assignment}: expected {source_dir / 'tests'}")
    try:
        tests = load_tests(source_dir / "tests", include_hidden=True)
    except Exception as exc:  # noqa: BLE001 - an instructor's broken test file
        raise GradeError(f"cannot load the tests of {assignment}: {type(exc).__name__}: {exc}") from None
    try:  # a bad due date, extension or policy stops the run before anything is graded
        deadlines.resolve(None, assignment, [out, course], due=due, policy=late_policy, roster=roster)
    except deadlines.DeadlineError as exc:
        raise GradeError(str(exc)) from None
    if not insecure and not scheduler and not isolation_available():
        raise GradeError(f"{NO_ISOLATION}; refusing to grade. Grade on a Linux machine that allows user "
                         f"namespaces, or pass --insecure to grade with resource limits only (recorded "
                         f"in grades.json and every student's feedback)")
    try:
        intake = find_submissions(submissions, assignment, roster=roster, workdir=out / "intake" / assignment)
    except IntakeError as exc:
        raise GradeError(str(exc)) from None
    found = intake.found
    if students:
        unknown = sorted(set(students) - set(found))
        if unknown:
            raise GradeError(f"no submission for {', '.join(unknown)} in {submissions} "
                             f"(it has {len(found)}: {', '.join(sorted(found)[:8])}{'...' if len(found) > 8 else ''})")
        found = {s: found[s] for s in students}
        force = True
    if not found:
        raise GradeError(f"no submissions in {submissions} (expected <student>/{assignment}/ or <student>.zip)")
    for line in intake.skipped:
        print(f"skipped {line}", file=sys.stderr)
    for line in intake.notes:
        print(line, file=sys.stderr)

    out_root = out / "autograded"
    db_path = out / "gradebook.db"

    tests_key = _tests_digest(source_dir)
    records, todo = {}, {}
    for student, path in found.items():
        key = f"{tests_key}:{digest_path(path)}" + (":insecure" if insecure else "")
        previous = None if force else _load_previous(out_root / student / assignment / RESULTS_FILE, key)
        if previous is not None:
            records[student] = previous
        else:
            todo[student] = (path, key)
    phases.done("finding and hashing submissions")

    out.mkdir(parents=True, exist_ok=True)
    book, nbgrader_problems = None, {}
    if gradebook and todo:
        from .gradebook import Gradebook
        book = Gradebook(course, assignment, db_path, out_root)
        nbgrader_problems = book.prepare(tests, {s: p for s, (p, _) in todo.items()}, progress=progress)
        phases.done("nbgrader (notebooks for manual grading)")

    workers = max(1, workers or os.cpu_count() or 1)
    not_graded = {}
    if todo:
        if scheduler:
            finished = run_on_cluster(scheduler, todo, assignment, source_dir, limits, insecure,
                                      lambda student, message: unusable_record(student, assignment, tests, message))
        else:
            finished = run_locally(todo, assignment, source_dir, limits, workers, insecure)
        try:
            _collect(finished, len(todo), progress, out_root, book, records, not_graded,
                     intake.origin, nbgrader_problems)
        except ClusterError as exc:
            raise GradeError(str(exc)) from None
        phases.done("tests in the sandbox")
    if scheduler:
        workers = f"the Dask cluster at {scheduler}"

    if gradebook and roster is not None and Path(db_path).is_file():
        from .gradebook import Gradebook
        try:  # names are a courtesy: a damaged gradebook must not cost the run its grades
            Gradebook(course, assignment, db_path, out_root).write_names(roster)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy's errors, or nbgrader's
            print(f"warning: cannot write the roster's names into {db_path} ({type(exc).__name__}); "
                  f"the grades are not affected", file=sys.stderr)

    # Deadlines, nbgrader's feedback files and the grader's section in each notebook's page.
    if due and db_path.is_file():
        due_time = deadlines.parse_time(due)
        try:
            deadlines.set_gradebook_due(db_path, assignment, due_time)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy's errors: --due still applies to grades.csv
            print(f"warning: cannot write the due date into {db_path} ({type(exc).__name__}); "
                  f"the grades are not affected", file=sys.stderr)
    deadline = deadlines.resolve(db_path, assignment, [out, course], due=due, policy=late_policy, roster=roster)
    notebooks_of = {t.function: Path(t.notebook).stem for t in tests if t.notebook}
    lates, late_attention = publish_class(out, assignment, found, intake.origin, deadline, notebooks_of,
                                          set(todo) - set(not_graded))
    if db_path.is_file():
        times = {s: deadlines.parse_time(x["submitted"]) for s, x in lates.items() if x.get("submitted")}
        try:
            deadlines.record_submission_times(db_path, assignment, times)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy's errors: the grades do not depend on it
            print(f"warning: cannot write submission times into {db_path} ({type(exc).__name__})", file=sys.stderr)
    for student, late in lates.items():
        if student in records:
            records[student]["late"] = late
    phases.done("feedback and deadlines")

    whole_class = store.class_records(out, assignment, db_path, deadline)  # manual points even when not writing it
    write_atomic(out / "grades.csv", grades_csv(whole_class))
    class_json = results_json(_public_records(whole_class))
    write_atomic(out / "grades.json", class_json)
    if json_path and Path(json_path).resolve() != (out / "grades.json"):
        write_atomic(json_path, class_json)
    phases.done("writing grades")

    ordered = [records[s] for s in sorted(records)]
    attention = _needs_attention(ordered, not_graded, nbgrader_problems, intake)
    for student, lines in late_attention.items():
        attention.setdefault(student, []).extend(lines)
    summary = Summary(_summary(ordered, len(todo) - len(not_graded), len(found) - len(todo), phases,
                               workers, out, json_path, not_graded, len(whole_class), attention,
                               deadlines.describe(deadline, {r["student"]: r["late"] for r in whole_class
                                                             if "late" in r})))
    summary.not_graded = not_graded
    summary.attention = attention

    # The class report (report/<assignment>.html and .json); its last lines end the summary.
    from .class_report import class_report, summary_lines
    try:
        report = class_report(out, assignment, whole_class, db_path, roster, not_graded, limits.student_seconds,
                              record_run=True)
        summary = _ending(summary, summary_lines(report[0], report[1], report[3]))
    except Exception as exc:  # noqa: BLE001 - the grades are written; the report must not cost them
        summary = _ending(summary, [f"warning: cannot write the class report ({type(exc).__name__}: {exc})"])
    return summary


def _ending(summary, lines):
    """``summary`` with ``lines`` added at its end (and its attributes kept)."""
    ended = Summary("\n".join([summary] + lines))
    ended.not_graded, ended.attention = summary.not_graded, summary.attention
    return ended


def _public_records(records):
    keys = ("student", "assignment", "score", "max_score", "tests", "insecure", "upload", "manual", "lms", "late")
    return [{k: r[k] for k in keys if k in r} for r in records]


def _needs_attention(records, not_graded, nbgrader_problems, intake):
    """{student: [lines]}: what a person should look at after this run, per student."""
    attention = {}
    for record in records:
        for line in record.get("upload", []):
            attention.setdefault(record["student"], []).append(line)
    for student, lines in nbgrader_problems.items():
        attention.setdefault(student, []).extend(f"nbgrader: {line}" for line in lines)
    for student, reason in not_graded.items():
        attention.setdefault(student, []).append(f"NOT GRADED: {reason} (an infrastructure problem; run again to retry)")
    for student, origin in intake.origin.items():
        if origin.get("late"):
            attention.setdefault(student, []).append(f"marked LATE by {origin['lms'].capitalize()}")
    return attention


def _collect(finished, total, progress, out_root, book, records, not_graded, origins, nbgrader_problems):
    """Write each finished student's results as they arrive (local pool or cluster alike)."""
    from tqdm import tqdm

    with tqdm(total=total, desc="grading", unit="student", disable=not progress, file=sys.stderr) as bar:
        for student, key, record in finished:
            bar.update(1)
            if "not_graded" in record:
                # No score, no results file: the next run grades this student again.
                not_graded[student] = record["not_graded"]
                tqdm.write(f"{student}: NOT GRADED, {record['not_graded']}; run again to retry", file=sys.stderr)
                continue
            for line in record.get("upload", []):
                tqdm.write(f"{student}: {line}", file=sys.stderr)
            if nbgrader_problems.get(student):
                record["upload"] = record.get("upload", []) + [
                    f"your notebooks could not be prepared for grading your written answers "
                    f"({'; '.join(nbgrader_problems[student])}); your instructor has been told"]
            _save(record, key, out_root, book, origins.get(student))
            records[student] = record


def _save(record, key, out_root, book, origin=None):
    """Write one student's results everywhere, the results file last (it marks the student done).
    The page goes beside the autograded notebooks, where ``nbgrader generate_feedback`` finds it;
    ``publish_class`` completes it (deadline, nbgrader's files) at the end of the run."""
    student, assignment = record["student"], record["assignment"]
    write_atomic(out_root / student / assignment / PAGE, feedback_html(record))
    if book is not None:
        try:
            book.record(record)
        except Exception as exc:  # noqa: BLE001 - keep grading; no results file means a re-run retries
            print(f"{student}: could not write the gradebook ({type(exc).__name__}: {exc}); "
                  f"run again to retry", file=sys.stderr)
            return
    saved = {"key": key, "record": record}
    if origin:
        saved["origin"] = origin
    write_atomic(out_root / student / assignment / RESULTS_FILE, json.dumps(saved, indent=1))


class Summary(str):
    """The printable summary; ``not_graded`` maps students the infrastructure failed to the reason."""
    not_graded = {}


def _summary(records, graded, reused, phases, workers, course, json_path, not_graded, class_size, attention,
             deadline=""):
    lines = [f"{'student':<24} {'score':>10}  problems"]
    for r in records:
        problems = sorted({t["status"] for t in r["tests"] if t["status"] != "passed"})
        late = r.get("late") or {}
        if late.get("penalty"):
            problems.append(f"late {deadlines.format_duration(late['seconds_late'])}: -{late['penalty']:g}% "
                            f"-> {deadlines.penalised(r['score'], late):g} autograded")
        lines.append(f"{r['student']:<24} {r['score']:>4g} / {r['max_score']:<4g}  {', '.join(problems)}")
    workers = workers if isinstance(workers, str) else f"{workers} worker(s)"
    lines.append(f"graded {graded} student(s) with {workers}; {reused} unchanged and kept")
    split = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in phases.seconds.items())
    lines.append(f"wall time {phases.total():.1f} s: {split}")
    lines.append(f"grades:    {course / 'grades.csv'} and grades.json ({class_size} student(s): the whole class "
                 f"graded so far)")
    if json_path:
        lines.append(f"json:      {json_path}")
    lines.append(f"feedback:  {course / 'autograded'}/<student>/<assignment>/autograder.html (`nbgrader "
                 f"generate_feedback` adds the notebooks' pages, each headed by the same results, in feedback/)")
    lines.append(f"gradebook: {course / 'gradebook.db'}")
    if deadline:
        lines.append(deadline)
    if attention:
        lines.append(f"needs attention ({len(attention)} student(s)):")
        for student, items in sorted(attention.items()):
            for item in items:
                lines.append(f"  {student}: {item}")
    return "\n".join(lines)
