"""``engine/answers.py``: the fingerprint a failed hidden test keeps of the wrong answer, for the
instructor's class report only. It tells equal answers from different ones, describes the
difference, trusts nothing the submission chose, and never reaches a student: not in a test's JSON,
not in the feedback page, not in grades.json."""
import json

import numpy as np

from autograder.classrun.dashboard import _agree, describe_difference
from autograder.classrun.feedback import feedback_html
from autograder.classrun.grade import _public_records
from autograder.classrun.tables import results_json
from autograder.engine import answers
from autograder import testing
from autograder.testing import Diagnosis, assert_close, assert_equal_labels, graded
from planted_class import PlantedStudent, grade, hidden, public, raises

EXPECTED = np.linspace(-2.0, 3.0, 24).reshape(4, 6)  # (4, 6)


def _failure(actual, expected=EXPECTED, **kwargs):
    try:
        assert_close(actual, expected, "the value", **kwargs)
    except testing.TestFailure as exc:
        return exc
    raise AssertionError("the comparison passed")


def test_answers_equal_to_a_tolerance_have_agreeing_fingerprints():
    wrong = EXPECTED + 0.25
    same = _failure(wrong).answer
    float32 = _failure(wrong.astype(np.float32)).answer  # the same wrong answer computed in float32
    other = _failure(EXPECTED + 0.3).answer
    assert same["kind"] == float32["kind"] == "value"
    assert _agree(same, float32)
    assert not _agree(same, other)  # control: another wrong answer


def test_the_fingerprint_describes_the_difference_not_the_answer():
    doubled = _failure(2 * EXPECTED).answer
    assert doubled["factor"] == 2 and doubled["factor_misfit"] == 0 and doubled["wrong"] == EXPECTED.size
    assert "the answer is 2 times the expected value" in describe_difference(doubled)
    shifted = _failure(EXPECTED - 0.5).answer
    assert "shifted by a constant -0.5" in describe_difference(shifted)
    assert "all zeros" in describe_difference(_failure(np.zeros_like(EXPECTED)).answer)
    # Nothing of the answer's own values: summaries and projections of (answer - expected).
    assert set(doubled) == {"kind", "what", "shape", "sketch", "scale", "diff_rms", "diff_max", "diff_mean",
                            "diff_std", "factor", "factor_misfit", "wrong", "size"}
    assert len(doubled["sketch"]) == answers.SKETCH


def test_shape_nan_and_type_failures_have_their_own_kinds():
    assert _failure(EXPECTED.T).answer == {"kind": "shape", "what": "the value", "shape": [6, 4],
                                           "expected_shape": [4, 6]}
    with_nan = EXPECTED.copy()
    with_nan[0, :2] = np.nan
    assert _failure(with_nan).answer == {"kind": "nonfinite", "what": "the value", "shape": [4, 6], "nan": 2, "inf": 0}
    assert _failure("a string").answer == {"kind": "type", "what": "the value", "type": "str"}
    try:
        assert_equal_labels(np.array([0, 2, 2]), np.array([0, 1, 2]), "labels")
    except testing.TestFailure as exc:
        assert exc.answer["kind"] == "value" and exc.answer["wrong"] == 1


def test_a_raised_exception_keeps_its_type_and_statement_and_trusts_no_name_or_path():
    source = {"mod.py": "import numpy as np\n\ndef f(x):\n    return   x[:, 9]\n"}.__getitem__
    assert answers.raised("IndexError", ("mod.py", 4), source) == {
        "kind": "raised", "what": "", "exception": "IndexError", "file": "mod.py", "line": 4, "code": "return x[:, 9]"}
    # A submission names its own exception class and reports its own "where": neither is trusted.
    forged = answers.raised("Evil<img src=x>", ("../../source/tests/hidden.py", 1), source)
    assert forged["exception"] == "an exception of its own class" and forged["file"] == "" and forged["code"] == ""
    assert answers.raised("ValueError", ("mod.py", 99), source)["code"] == ""  # no such line
    assert answers.raised("ValueError", ("gone.py", 1), source)["file"] == ""  # no such file


@graded("geo.f", points=1)
def f_public(student):
    assert_close(student.call("geo.f"), EXPECTED, "f", diagnoses=[Diagnosis("f_doubled", "f is doubled", 2 * EXPECTED)])


@graded("geo.f", points=2)
def f_hidden(student):
    assert_close(student.call("geo.f"), EXPECTED, "f")


@graded("geo.g", points=1)
def g_hidden(student):
    student.call("geo.g")


def _record():
    student = PlantedStudent({"geo.f": 2 * EXPECTED, "geo.g": raises("KeyError", ("geo.py", 1))},
                             files={"geo.py": "secret = {}['answer']\n"})
    return grade("ada", student, [public(f_public), hidden(f_hidden), hidden(g_hidden)])


def test_only_failed_hidden_tests_keep_a_fingerprint_and_titles_go_beside_the_tests():
    record = _record()
    assert set(record["answers"]) == {"f_hidden", "g_hidden"}  # not the public test
    assert record["answers"]["g_hidden"]["code"] == "secret = {}['answer']"
    assert record["mistakes"] == {"f_doubled": "f is doubled"}
    # Each test's JSON keeps its contract: no fingerprint, no title.
    assert all(set(t) == {"name", "function", "points", "max_points", "status", "message", "hidden", "diagnosis"}
               for t in record["tests"])


def test_no_fingerprint_reaches_the_feedback_page_or_grades_json():
    record = _record()
    code = record["answers"]["g_hidden"]["code"]
    sketch = str(record["answers"]["f_hidden"]["sketch"][0])
    # Control: the record the instructor owns holds both.
    assert code in json.dumps(record) and sketch in json.dumps(record)
    page = feedback_html(record)
    public_json = results_json(_public_records([record]))
    for text in (page, public_json):
        assert code not in text and sketch not in text and "sketch" not in text
    assert "answers" not in json.loads(public_json)[0] and "mistakes" not in json.loads(public_json)[0]
