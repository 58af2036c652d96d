"""Contracts the framework checks on every call, whatever the test: input arrays come back
unchanged (a ReLU that zeroes the caller's x is a bug even when its output is right)."""
import numpy as np
import pytest

from autograder import testing
from autograder.engine.running import run_tests
from autograder.engine.api import GradedTest
from autograder.sandbox import Sandbox
from autograder.sandbox.runner import input_places
from sandbox_helpers import require_isolation

MODULE = '''
import numpy as np

def relu_in_place(x):
    x[x < 0] = 0
    return x

def relu(x):
    return np.maximum(x, 0)

def zero_inside_cache(dout, cache):
    cache[0][:] = 0
    return dout

def step_in_place(w, dw, config):
    config["cache"] += 1.0
    w -= dw
    return w, config

def update_stats(x, stats):
    stats["mean"] = 0.9 * stats.get("mean", 0.0) + 0.1 * x.mean()
    return 2 * x

def update_stats_and_x(x, stats):
    stats["count"] = 1
    x += 1.0
    return x

class Model:
    def train(self, X):
        self.X = X
        return 0
    def centre(self):
        self.X -= self.X.mean(axis=0)
        return self.X
    def update(self):
        self.W -= 1.0
        return self.W
'''


@pytest.fixture
def folder(tmp_path):
    require_isolation()
    (tmp_path / "contract.py").write_text(MODULE)
    return tmp_path


def _run(folder, body, inputs_may_change=False, hidden=False):
    test = GradedTest("t", "contract.relu", 1.0, body, hidden=hidden, inputs_may_change=inputs_may_change)
    [result] = run_tests([test], folder)
    return result


def test_changing_an_input_in_place_fails_and_names_the_argument(folder):
    def body(student):
        out = student.call("contract.relu_in_place", np.array([-1.0, 2.0]))
        testing.assert_close(out, [0.0, 2.0], "out")  # the value is right
    result = _run(folder, body)
    assert result.status == "failed"
    assert "relu_in_place changed its 1st argument in place" in result.message


def test_the_same_value_without_the_change_passes(folder):
    def body(student):
        testing.assert_close(student.call("contract.relu", np.array([-1.0, 2.0])), [0.0, 2.0], "out")
    assert _run(folder, body).status == "passed"


def test_an_array_inside_a_tuple_argument_is_checked_too(folder):
    def body(student):
        student.call("contract.zero_inside_cache", np.ones(2), (np.ones(3), np.ones(2)))
    assert "changed an array inside its 2nd argument in place" in _run(folder, body).message
    # a hidden test says that it happened, not where: which argument is the submission's choice
    hidden = _run(folder, body, hidden=True)
    assert hidden.diagnosis == "changed_input_in_place" and "argument" not in hidden.message


def test_state_kept_by_a_method_and_changed_later_is_an_input_change(folder):
    def body(student):
        student.call_method("contract.Model", [("train", (np.arange(6.0).reshape(3, 2),)), ("centre", ())])
    assert "changed train's 1st argument in place" in _run(folder, body).message


def test_attributes_a_test_sets_and_config_dicts_may_change(folder):
    def body(student):
        student.call_method("contract.Model", [("__setattr__", ("W", np.ones(2))), ("update", ())])
        student.call("contract.step_in_place", np.ones(2), np.ones(2), {"cache": np.zeros(2)})
    result = _run(folder, body)
    assert "changed its 1st argument" in result.message  # w, not the config's cache
    assert _run(folder, body, inputs_may_change=True).status == "passed"


def test_the_places_reported_come_from_the_request_never_from_the_child():
    header = {"target": "m.f", "args": {"list": [{"blob": 0}, {"tuple": [{"blob": 1}]},
                                                 {"dict": {"cache": {"blob": 2}}}]}}
    assert input_places(header) == {0: "its 1st argument", 1: "an array inside its 2nd argument"}


def test_a_forged_report_names_no_value(folder):
    # Student code shares the child's process and can rewrite its report: only positions of arrays
    # the grader sent survive, as the grader's own words.
    (folder / "forger.py").write_text(
        "import autograder.sandbox.child as child\n"
        "child._changed = lambda arrays, before: ['LEAK 0.123', 7, 0, True]\n"
        "def f(x):\n    return 1\n")
    with Sandbox(folder) as sb:
        sb.call("forger.f", np.ones(2))
        assert sb.changed_inputs == ["its 1st argument"]


def test_a_call_can_read_back_the_dict_it_updated(folder):
    # batchnorm_forward's contract: the running averages are written into the bn_param it is
    # given. A plain call sends copies, so the update is invisible (the control); reading the
    # arguments back shows it, while the caller's own dict stays as it was.
    stats = {"mean": np.float64(1.0)}
    seen = {}

    def body(student):
        seen["plain"] = student.call("contract.update_stats", np.array([2.0, 4.0]), stats)
        seen["read"] = student.call_reading_args("contract.update_stats", np.array([2.0, 4.0]), stats)
    assert _run(folder, body).status == "passed"
    assert stats == {"mean": 1.0}
    value, args, kwargs = seen["read"]
    np.testing.assert_array_equal(value, seen["plain"])
    assert float(args[1]["mean"]) == pytest.approx(0.9 + 0.3) and kwargs == {}
    np.testing.assert_array_equal(args[0], [2.0, 4.0])


def test_reading_args_back_still_fails_a_change_to_an_input_array(folder):
    def body(student):
        student.call_reading_args("contract.update_stats_and_x", np.array([2.0, 4.0]), {})
    result = _run(folder, body)
    assert result.status == "failed" and "changed its 1st argument in place" in result.message
