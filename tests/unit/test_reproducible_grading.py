"""Student code that draws random numbers scores the same at every grading run: the sandbox seeds
numpy's global generator and ``random`` before each test, from the test's name (not from the seed
of the test's own inputs), whatever ran before it."""
import numpy as np

from autograder.engine.running import run_tests
from autograder.sandbox import Sandbox
from autograder.engine.api import GradedTest
from sandbox_helpers import require_isolation

MODULE = '''
import random
import numpy as np

def draws():
    return np.concatenate([np.random.randn(3), [random.random()]])
'''


def _grade(folder, names):
    """Grade one test per name, each calling draws() twice; returns {name: (first, second)}."""
    seen = {}

    def make(name):
        def body(student):
            seen[name] = (student.call("lottery.draws"), student.call("lottery.draws"))
        return GradedTest(name, "lottery.draws", 1.0, body)

    results = run_tests([make(name) for name in names], folder)
    assert [r.status for r in results] == ["passed"] * len(names)
    return seen


def _folder(tmp_path):
    require_isolation()
    (tmp_path / "lottery.py").write_text(MODULE)
    return tmp_path


def test_random_draws_are_the_same_at_every_run_and_in_any_order(tmp_path):
    folder = _folder(tmp_path)
    first = _grade(folder, ["a", "b"])
    again = _grade(folder, ["b", "a"])  # another run, another order: b now starts the child
    for name in ("a", "b"):
        for one, other in zip(first[name], again[name]):
            np.testing.assert_array_equal(one, other)
    # The stream goes on within a test, and each test has a seed of its own.
    assert not np.array_equal(first["a"][0], first["a"][1])
    assert not np.array_equal(first["a"][0], first["b"][0])


def test_the_student_seed_is_not_the_seed_of_the_tests_inputs(tmp_path):
    folder = _folder(tmp_path)
    draws = _grade(folder, ["a"])["a"][0]
    test = GradedTest("a", "lottery.draws", 1.0, None)
    assert test.student_seed() != test.seed()
    assert not np.allclose(draws[:3], np.random.RandomState(test.seed()).randn(3))
    np.testing.assert_array_equal(draws[:3], np.random.RandomState(test.student_seed()).randn(3))


def test_control_without_the_seed_two_runs_differ(tmp_path, monkeypatch):
    folder = _folder(tmp_path)
    monkeypatch.setattr(Sandbox, "seed_random", lambda self, seed: None)
    first, again = _grade(folder, ["a"]), _grade(folder, ["a"])
    assert not np.array_equal(first["a"][0], again["a"][0])
