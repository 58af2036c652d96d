"""A test's result and the class-wide rule that a bug costs points once, where it lives."""
from dataclasses import asdict, dataclass

STATUSES = ("passed", "failed", "error", "timeout", "not_implemented")
MAX_MESSAGE = 300  # characters of a result's message (its first line)


@dataclass
class TestResult:
    name: str
    function: str
    points: float
    max_points: float
    status: str
    message: str
    hidden: bool = False
    diagnosis: str = ""  # the id of the recognised mistake the message names, if any
    # For the instructor's class report, never in a test's JSON (``job.py`` files them apart):
    diagnosis_title: str = ""  # that mistake in words
    answer: dict = None  # a failed hidden test's fingerprint of the wrong answer (engine/answers.py)

    def as_json(self, include_hidden_flag=False):
        data = asdict(self)
        del data["diagnosis_title"], data["answer"]
        if not include_hidden_flag:
            data.pop("hidden")
        return data


def score_dependent_tests(tests, results):
    """A bug costs points once, in the function where it lives. A failed test of F declared with
    ``uses=(G, ...)`` ran through the student's G; when G lost points in this run, the failure may
    be G's, so the test instead scores the fraction that F's own tests (those without ``uses``,
    and not the loop checks, which judge loops only) earned. With no such tests (a self-check with
    the public tests alone) it keeps its 0 and says which function to fix first."""
    lost = {r.function for r in results if r.points < r.max_points}
    own = {}
    for test, result in zip(tests, results):
        if not test.uses and not test.fresh:
            earned, total = own.get(test.function, (0.0, 0.0))
            own[test.function] = (earned + result.points, total + result.max_points)
    for test, result in zip(tests, results):
        culprits = [g for g in test.uses if g in lost and g != test.function]
        if result.status not in ("failed", "error") or not culprits:
            continue
        culprit = culprits[0].rsplit(".", 1)[-1]
        # The failure may be the culprit's, so a mistake this test recognised is not this
        # function's to name: the culprit's own tests name theirs (and the class report counts it once).
        result.diagnosis, result.diagnosis_title = "", ""
        earned, total = own.get(test.function, (0.0, 0.0))
        if total:
            result.points = round(result.max_points * earned / total, 6)
            note = (f" [not charged here: this test runs your {culprit}, which lost points; it scores "
                    f"what this function's own tests scored]")
        else:
            note = f" [this test runs your {culprit}, which lost points: fix {culprit} first]"
        result.message = result.message[:MAX_MESSAGE - len(note)] + note
    return results

