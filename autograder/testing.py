"""Everything a test author needs, from one import: ``from autograder.testing import graded, ...``.

A test file (``source/<assignment>/tests/public_*.py`` or ``hidden_*.py``) declares tests with
``@graded("<dotted path of the graded function>", points=N)``; each test asks for any of
``student`` (calls into the submission, in the sandbox), ``reference`` (the reference solution,
hidden tests only) and ``rng`` (a generator seeded from the test's name). A test passes by
returning and fails by raising ``TestFailure``, which the helpers below do with messages that
name the mistake. See ``autograder/engine/api.py`` for the details of each.

- declaring: ``graded``, ``GradedTest``
- failing: ``TestFailure``, ``check``
- comparing: ``as_array``, ``rel_error``, ``assert_close``, ``assert_equal_labels``,
  ``assert_responds``, ``loss_and_gradient``, ``assert_gradient_matches_numerical``
- static checks: ``assert_max_loops`` (in ``@graded(..., fresh=True)`` tests)
- naming an input in a hidden test's message without its size: ``array_kind``
- naming known mistakes: ``Diagnosis`` and its builders ``scaled``, ``shifted``, ``per_example``,
  ``generic``; ``close`` and ``diagnose`` to match an answer against them by hand
- a call into student code that gave no value: ``StudentCallError`` (``status`` is error,
  not_implemented or timeout)
- judging a function on the student's other functions: ``student.recording()`` records the calls
  a context makes, ``sample_calls`` picks some, ``student.replay_alone(calls)`` makes each again in
  a new child (``engine/replay.py``), ``identical_inputs`` compares two recorded calls
"""
from .engine.api import (GradedTest, TestFailure, as_array, assert_close, assert_equal_labels,
                         assert_gradient_matches_numerical, assert_max_loops, assert_responds, check, graded,
                         loss_and_gradient, rel_error)
from .engine.diagnosis import Diagnosis, close, diagnose, generic, l2_loss_mistakes, per_example, scaled, shifted
from .engine.messages import array_kind
from .engine.replay import identical_inputs, same_answer
from .engine.replay import sample as sample_calls
from .sandbox import StudentCallError

__all__ = ["GradedTest", "TestFailure", "as_array", "assert_close", "assert_equal_labels",
           "assert_gradient_matches_numerical", "assert_max_loops", "assert_responds", "check", "graded",
           "loss_and_gradient", "rel_error", "Diagnosis", "close", "diagnose", "generic", "l2_loss_mistakes",
           "per_example", "scaled", "shifted", "StudentCallError", "identical_inputs", "same_answer", "sample_calls",
           "array_kind"]
