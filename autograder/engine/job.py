"""One student's grading job: the same function whichever executor runs it (a local process pool
or a Dask worker), and the record it returns. It imports neither executor."""
import shutil
import time
from pathlib import Path

from ..intake.workspace import SubmissionError, expected_files, private_copy, upload_problems
from ..sandbox import IsolationUnavailable, SandboxError
from .discovery import load_tests
from .running import run_tests
from .scoring import TestResult


def unusable_record(student, assignment, tests, message, upload=None):
    """The record of a submission that cannot be graded at all: every test an error, zero points.
    ``upload``: what was wrong with the upload, for the student (default: ``message``)."""
    results = [TestResult(t.name, t.function, 0.0, t.points, "error", message, t.hidden) for t in tests]
    return {"student": student, "assignment": assignment, "score": 0.0,
            "max_score": sum(r.max_points for r in results), "tests": [r.as_json(include_hidden_flag=True) for r in results],
            "seconds": 0.0, "upload": [upload or message]}


def instructor_notes(results):
    """What the class report reads beside the tests, for the instructor only (grades.json and the
    feedback pages leave these keys out): ``mistakes``, {diagnosis id: the mistake in words}, and
    ``answers``, {test name: fingerprint of the wrong answer} for the failed hidden tests."""
    notes = {"mistakes": {r.diagnosis: r.diagnosis_title for r in results if r.diagnosis},
             "answers": {r.name: r.answer for r in results if r.answer}}
    return {key: value for key, value in notes.items() if value}


def grade_student(student, submission, assignment, source_dir, limits, scratch=None, insecure=False):
    """Grade one student; returns the JSON record. Never raises for problems with the submission.

    - submission: the student's folder or .zip; it is copied into a private folder under
      ``scratch`` (default: the system's temporary folder) and only that copy is graded.
    - source_dir: ``source/<assignment>`` with the reference solution and ``tests/``.
    - insecure: grade even where the sandbox cannot isolate (the record then says so).
    A record with ``not_graded`` means the grader, not the student, failed: no score is given.
    ``upload`` in the record lists what was wrong with the files (missing, unreadable, renamed,
    left out), one line each, for the student's feedback and the instructor's console.
    """
    tests = load_tests(Path(source_dir) / "tests", include_hidden=True)
    started = time.monotonic()
    notes, expected = [], expected_files(source_dir)
    try:
        temp, workdir = private_copy(submission, assignment, scratch=scratch, notes=notes, expected=expected)
    except SubmissionError as exc:
        return unusable_record(student, assignment, tests, f"submission unusable: {exc}", upload=str(exc))
    notes += upload_problems(workdir, expected)
    try:
        results = run_tests(tests, workdir, reference_dir=source_dir, limits=limits, insecure=insecure)
    except (SandboxError, IsolationUnavailable) as exc:
        return {"student": student, "assignment": assignment, "not_graded": str(exc)}
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    record = {"student": student, "assignment": assignment,
              "score": sum(r.points for r in results), "max_score": sum(r.max_points for r in results),
              "tests": [r.as_json(include_hidden_flag=True) for r in results],
              "seconds": round(time.monotonic() - started, 3)}
    record.update(instructor_notes(results))
    if notes:
        record["upload"] = notes
    if insecure:
        record["insecure"] = True
    return record
