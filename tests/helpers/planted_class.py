"""Classes whose numbers are known, for the class report's tests: students made of planted answers,
graded in this process by the engine's own test runner (``running._run_one``: the comparisons,
diagnoses, titles and answer fingerprints are the real ones; only the sandbox is left out, since
the "student code" here is a table of answers the test chose).

``PlantedStudent({function: answer})``: ``answer`` is a value, or a callable of the call's
arguments, or an exception to raise (``StudentCallError``). ``grade(student, tests)`` returns the
record ``job.grade_student`` would; ``save(out, record, key)`` writes it as ``autograder grade``
does (a results file under ``out/autograded``).
"""
import dataclasses
import json

from autograder.engine import running
from autograder.engine.job import instructor_notes
from autograder.engine.scoring import MAX_MESSAGE, TestResult
from autograder.classrun.store import results_path
from autograder.sandbox import StudentCallError


class PlantedStudent:
    """Stands in for ``running.StudentCode``: ``call`` answers from a table."""

    def __init__(self, answers, files=None):
        self.answers = answers
        self.files = files or {}
        self.fresh = False
        self.inputs_may_change = False

    def call(self, target, *args, **kwargs):
        answer = self.answers.get(target, StudentCallError("not_implemented", "not implemented yet"))
        if isinstance(answer, BaseException):
            raise answer
        return answer(*args, **kwargs) if callable(answer) else answer

    def source(self, path):
        from autograder.testing import TestFailure
        if path not in self.files:
            raise TestFailure(f"{path} is missing from the submission")
        return self.files[path]


def raises(exc_type, where, message="boom"):
    """A call that raised ``exc_type`` at ``where`` ((file, line)) in the student's code."""
    return StudentCallError("error", f"{exc_type}: {message}", "your code raised an exception", exc_type, where)


def hidden(fn):
    """The ``GradedTest`` of a ``@graded`` function, marked hidden (as a hidden_*.py file would)."""
    return dataclasses.replace(fn.graded, hidden=True)


def public(fn):
    return fn.graded


def grade(name, student, tests, assignment="assignment1", **extra):
    """The record ``job.grade_student`` returns for ``student`` (a ``PlantedStudent``) on ``tests``."""
    results = []
    for test in tests:
        found = {}
        status, message, diagnosis = running._run_one(test, student, None, found)
        points = test.points if status == "passed" else 0.0
        results.append(TestResult(test.name, test.function, points, test.points, status,
                                  message.splitlines()[0][:MAX_MESSAGE] if message else "", test.hidden, diagnosis,
                                  (found.get("title") or "")[:MAX_MESSAGE] if diagnosis else "",
                                  found.get("answer") if test.hidden else None))
    record = {"student": name, "assignment": assignment, "score": sum(r.points for r in results),
              "max_score": sum(r.max_points for r in results),
              "tests": [r.as_json(include_hidden_flag=True) for r in results], "seconds": 1.0}
    record.update(instructor_notes(results))
    record.update(extra)
    return record


def save(out, record, key="tests:upload", origin=None):
    """Write ``record`` where ``autograder grade`` keeps it."""
    path = results_path(out, record["student"], record["assignment"])
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = {"key": key, "record": record}
    if origin:
        saved["origin"] = origin
    path.write_text(json.dumps(saved))
    return path
