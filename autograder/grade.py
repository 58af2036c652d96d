"""``autograder grade``: grade a whole class with public and hidden tests, in parallel.

The parent process (trusted) finds submissions, hands one student at a time to a pool of worker
processes, and writes every finished student's results at once: a results file under
``autograded/``, the nbgrader gradebook, and feedback HTML. A student whose results file matches
the current submission and tests is skipped, so re-running is idempotent and an interrupted run
resumes where it stopped. Each worker runs the student's code only through the sandbox.
"""
import contextlib
import hashlib
import json
import multiprocessing
import os
import re
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from . import report
from .cluster import ClusterError, run_on_cluster
from .grading import load_tests
from .job import grade_student, unusable_record
from .sandbox import NO_ISOLATION, Limits, isolation_available

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")
RESULTS_FILE = "autograder_results.json"


class GradeError(Exception):
    """A problem with the grading run as a whole (one line)."""


# -- finding things -----------------------------------------------------------------------------

def find_submissions(submissions, assignment):
    """{student_id: path} for ``<student>/`` folders and ``<student>.zip`` files, plus skipped names."""
    root = Path(submissions)
    if not root.is_dir():
        raise GradeError(f"{submissions} is not a folder of submissions")
    found, skipped = {}, []
    for entry in sorted(root.iterdir()):
        student = entry.name[:-4] if entry.suffix == ".zip" else entry.name
        if entry.is_symlink() or not (entry.is_dir() or entry.suffix == ".zip"):
            if not entry.name.startswith("."):
                skipped.append(f"{entry.name}: not a folder or .zip")
            continue
        if not STUDENT_ID.match(student):
            skipped.append(f"{entry.name}: not a usable student id")
            continue
        if student in found:
            skipped.append(f"{entry.name}: {student} has both a folder and a zip; the folder is used")
            continue
        found[student] = entry
    return found, skipped


def digest_path(path):
    """sha256 over relative names and contents of regular files (symlinks ignored)."""
    h = hashlib.sha256()
    path = Path(path)
    if path.is_file():
        h.update(path.read_bytes())
        return h.hexdigest()
    for folder, dirs, files in os.walk(path, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(folder, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            h.update(os.path.relpath(full, path).encode() + b"\0")
            with open(full, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
    return h.hexdigest()


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
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return data.get("record") if data.get("key") == key else None


def grade_class(submissions, assignment="assignment1", course_dir=".", workers=None, json_path=None,
                force=False, limits=Limits(), progress=True, gradebook=True, out_dir=None, scheduler=None,
                insecure=False):
    """Grade every submission; returns a printable summary. See the module docstring.

    ``course_dir`` holds ``source/<assignment>`` (tests and reference); ``out_dir`` (default: the
    course folder) gets ``gradebook.db``, ``autograded/``, ``feedback/`` and ``grades.csv``.
    ``scheduler``: the address of a Dask distributed scheduler (``tcp://host:8786``) whose workers
    grade the students instead of a local pool (``workers`` is then ignored); see ``cluster.py``.
    ``insecure``: grade even though this machine cannot isolate student code (refused otherwise);
    every record, grades.json and each feedback page then say so.
    """
    course = Path(course_dir).resolve()
    out = Path(out_dir).resolve() if out_dir else course
    source_dir = course / "source" / assignment
    if not (source_dir / "tests").is_dir():
        raise GradeError(f"no tests for {assignment}: expected {source_dir / 'tests'}")
    try:
        tests = load_tests(source_dir / "tests", include_hidden=True)
    except Exception as exc:  # noqa: BLE001 - an instructor's broken test file
        raise GradeError(f"cannot load the tests of {assignment}: {type(exc).__name__}: {exc}") from None
    if not insecure and not scheduler and not isolation_available():
        raise GradeError(f"{NO_ISOLATION}; refusing to grade. Grade on a Linux machine that allows user "
                         f"namespaces, or pass --insecure to grade with resource limits only (recorded "
                         f"in grades.json and every student's feedback)")
    found, skipped = find_submissions(submissions, assignment)
    if not found:
        raise GradeError(f"no submissions in {submissions} (expected <student>/{assignment}/ or <student>.zip)")
    for line in skipped:
        print(f"skipped {line}", file=sys.stderr)

    out_root = out / "autograded"
    feedback_root = out / "feedback"
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

    out.mkdir(parents=True, exist_ok=True)
    book = None
    if gradebook and todo:
        from .gradebook import Gradebook
        book = Gradebook(course, assignment, db_path, out_root)
        book.prepare(tests, {s: p for s, (p, _) in todo.items()})

    workers = max(1, workers or os.cpu_count() or 1)
    started = time.monotonic()
    not_graded = {}
    if todo:
        if scheduler:
            finished = run_on_cluster(scheduler, todo, assignment, source_dir, limits, insecure,
                                      lambda student, message: unusable_record(student, assignment, tests, message))
        else:
            finished = _run_locally(todo, assignment, source_dir, limits, workers, insecure)
        try:
            _collect(finished, len(todo), progress, out_root, feedback_root, book, records, not_graded)
        except ClusterError as exc:
            raise GradeError(str(exc)) from None
    elapsed = time.monotonic() - started
    if scheduler:
        workers = f"the Dask cluster at {scheduler}"

    ordered = [records[s] for s in sorted(records)]
    report.write_atomic(out / "grades.csv", report.grades_csv(ordered))
    if json_path:
        report.write_atomic(json_path, report.results_json(_public_records(ordered)))
    summary = Summary(_summary(ordered, len(todo) - len(not_graded), len(found) - len(todo), elapsed,
                               workers, out, json_path, not_graded))
    summary.not_graded = not_graded
    return summary


def _public_records(records):
    keys = ("student", "assignment", "score", "max_score", "tests", "insecure")
    return [{k: r[k] for k in keys if k in r} for r in records]


def _run_locally(todo, assignment, source_dir, limits, workers, insecure):
    """Yield (student, key, record) as a local pool of ``workers`` processes finishes them."""
    # spawn: workers start clean, with no threads inherited from this process (the sandbox forks).
    context = multiprocessing.get_context("spawn")
    with _single_threaded_blas(), ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(grade_student, s, str(p), assignment, str(source_dir), limits, None,
                               insecure): (s, key)
                   for s, (p, key) in todo.items()}
        for future in as_completed(futures):
            student, key = futures[future]
            try:
                record = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker died: infrastructure, not the student
                record = {"student": student, "not_graded": f"the grading worker failed ({type(exc).__name__})"}
            yield student, key, record


def _collect(finished, total, progress, out_root, feedback_root, book, records, not_graded):
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
            _save(record, key, out_root, feedback_root, book)
            records[student] = record


@contextlib.contextmanager
def _single_threaded_blas():
    """Workers inherit this environment when they start. One BLAS thread each: with a thread per
    core in every worker, idle BLAS threads spin and two workers ran no faster than one."""
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    saved = {n: os.environ.get(n) for n in names}
    os.environ.update({n: "1" for n in names})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _save(record, key, out_root, feedback_root, book):
    """Write one student's results everywhere, the results file last (it marks the student done)."""
    student, assignment = record["student"], record["assignment"]
    report.write_atomic(feedback_root / student / assignment / "autograder.html", report.feedback_html(record))
    if book is not None:
        try:
            book.record(record)
        except Exception as exc:  # noqa: BLE001 - keep grading; no results file means a re-run retries
            print(f"{student}: could not write the gradebook ({type(exc).__name__}: {exc}); "
                  f"run again to retry", file=sys.stderr)
            return
    report.write_atomic(out_root / student / assignment / RESULTS_FILE,
                        json.dumps({"key": key, "record": record}, indent=1))


class Summary(str):
    """The printable summary; ``not_graded`` maps students the infrastructure failed to the reason."""
    not_graded = {}


def common_mistakes(records, limit=5):
    """'id (N students), ...': the diagnoses named in the most students' feedback (each student
    counted once per diagnosis), for an instructor deciding what to go over in class."""
    counts = Counter(d for r in records for d in {t.get("diagnosis") for t in r["tests"]} if d)
    return ", ".join(f"{d} ({n} student{'s' if n > 1 else ''})" for d, n in counts.most_common(limit))


def _summary(records, graded, reused, elapsed, workers, course, json_path, not_graded):
    lines = [f"{'student':<24} {'score':>10}  problems"]
    for r in records:
        problems = sorted({t["status"] for t in r["tests"] if t["status"] != "passed"})
        lines.append(f"{r['student']:<24} {r['score']:>4g} / {r['max_score']:<4g}  {', '.join(problems)}")
    mistakes = common_mistakes(records)
    if mistakes:
        lines.append(f"most common recognised mistakes: {mistakes}")
    per = f", {elapsed / graded:.2f} s per student" if graded else ""
    workers = workers if isinstance(workers, str) else f"{workers} worker(s)"
    lines.append(f"graded {graded} student(s) in {elapsed:.1f} s with {workers}{per}; "
                 f"{reused} unchanged and kept")
    lines.append(f"grades:    {course / 'grades.csv'}")
    if json_path:
        lines.append(f"json:      {json_path}")
    lines.append(f"feedback:  {course / 'feedback'}/<student>/<assignment>/autograder.html")
    lines.append(f"gradebook: {course / 'gradebook.db'}")
    for student, reason in sorted(not_graded.items()):
        lines.append(f"NOT GRADED {student}: {reason} (an infrastructure problem; run again to retry)")
    return "\n".join(lines)
