"""Naming a student's mistake from the numbers alone (trusted side; runs in the grader's process).

When an answer disagrees with the expected one, a test can offer *hypotheses*: what the answer
would be if the student had made one known mistake (divided by N twice, forgotten the correct-class
column, used np.log10, ...), each computed here from the test's own inputs. The first hypothesis
the answer matches names the mistake in the failure message, in plain words and without numbers:
a hidden test's feedback must not quote an expected value, and a matching hypothesis tells the
student one bit more than "wrong", never a value.

A hypothesis whose value is itself (almost) the expected answer is skipped: with reg = 0 the
"regularization term doubled" hypothesis equals the correct answer and must never be offered to a
correct solution.
"""
import contextlib
from dataclasses import dataclass

import numpy as np

# Who is told of every diagnosis a test offers (``recording_offered``); empty while grading.
_WATCHERS = []


def note_offered(name):
    """A test offered the diagnosis ``name`` (made a ``Diagnosis``, or gave a check one)."""
    for watcher in _WATCHERS:
        watcher(name)


@contextlib.contextmanager
def recording_offered():
    """Inside the block, the id of every diagnosis tests offer goes into the set it yields:
    ``autograder audit`` lists the ones no mutant ever makes a test name."""
    offered = set()
    _WATCHERS.append(offered.add)
    try:
        yield offered
    finally:
        _WATCHERS.remove(offered.add)


@dataclass(frozen=True)
class Diagnosis:
    """One known mistake: ``name`` (a stable id, recorded with the result for instructors'
    statistics), ``advice`` (what the student reads: says what is wrong and where to look, never
    a value) and ``value`` (the answer that mistake gives on the test's inputs; an array or number
    shaped like the expected answer)."""
    name: str
    advice: str
    value: object

    def __post_init__(self):
        note_offered(self.name)


TRANSPOSED = "this is the transpose of the right answer: check which index is the row"


def close(a, b, rtol=1e-6, floor=1e-8):
    """Whether ``a`` and ``b`` have one shape and agree entrywise to ``rtol`` relative to
    max(|a| + |b|, floor)."""
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    return bool(np.all(np.abs(a - b) <= rtol * np.maximum(np.abs(a) + np.abs(b), floor)))


def diagnose(actual, expected, candidates, rtol=1e-6, floor=1e-8):
    """The first ``Diagnosis`` in ``candidates`` that ``actual`` matches (to a looser tolerance,
    since the mistaken formula is computed here in float64), or None. Candidates indistinguishable
    from ``expected`` are never offered."""
    loose = max(10 * rtol, 1e-6)
    for candidate in candidates:
        if candidate is None:
            continue
        if close(candidate.value, expected, loose, floor):
            continue  # this mistake changes nothing on these inputs
        if close(actual, candidate.value, loose, floor):
            return candidate
    return None


# -- hypotheses that fit many functions ---------------------------------------------------------

def scaled(expected, factor, name, advice):
    """The answer multiplied by ``factor`` (a missing or extra 1/N, a missing 2, a flipped sign)."""
    return Diagnosis(name, advice, np.asarray(expected, dtype=np.float64) * factor)


def shifted(expected, offset, name, advice):
    """The answer plus ``offset`` (a regularization term counted twice, half of it, or not at all)."""
    return Diagnosis(name, advice, np.asarray(expected, dtype=np.float64) + offset)


def generic(expected, what=""):
    """Mistakes that fit any array answer: a flipped sign, a transposed matrix, all zeros."""
    expected = np.asarray(expected, dtype=np.float64)
    found = [scaled(expected, -1.0, "sign_flipped", "the sign is wrong everywhere: check the direction of "
                                                     "a subtraction or a missing minus")]
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1]:
        found.append(Diagnosis("transposed", TRANSPOSED, expected.T))
    found.append(Diagnosis("all_zeros", "all zeros: is the computation filled in and stored in the "
                                        "variable that is returned?", np.zeros_like(expected)))
    return found


def per_example(expected, num, what):
    """A sum where a mean over the ``num`` examples was meant, or the reverse."""
    if num <= 1:
        return []
    return [scaled(expected, num, "not_divided_by_n", f"{what} is N times too large (N = the number of "
                                                     f"examples): divide the sum over examples by N"),
            scaled(expected, 1.0 / num, "divided_by_n_twice", f"{what} is N times too small (N = the "
                                                             f"number of examples): it is divided by N twice")]


def l2_loss_mistakes(expected_loss, expected_dW, W, reg, num):
    """For a loss of the form (mean data loss over ``num`` examples) + reg * sum(W ** 2), gradient
    (mean data gradient) + 2 * reg * W: the penalty and averaging mistakes, as (loss, dW)
    hypotheses: ([Diagnosis for the loss], [Diagnosis for dW])."""
    W = np.asarray(W, dtype=np.float64)
    penalty, penalty_grad = reg * float(np.sum(W * W)), 2.0 * reg * W
    data_loss, data_dW = expected_loss - penalty, np.asarray(expected_dW, dtype=np.float64) - penalty_grad
    loss = [shifted(expected_loss, -0.5 * penalty, "penalty_halved", "the regularization term is half "
                    "what it should be: this course's penalty is reg * np.sum(W * W), without a 1/2"),
            shifted(expected_loss, -penalty, "penalty_missing", "the regularization term reg * np.sum(W * W) "
                    "is missing from the loss"),
            Diagnosis("not_divided_by_n", "the data loss is N times too large (N = the number of "
                      "examples): divide the sum over examples by N", data_loss * num + penalty)]
    grad = [shifted(expected_dW, -0.5 * penalty_grad, "reg_gradient_without_2", "the gradient of "
                    "reg * np.sum(W * W) is 2 * reg * W: the factor 2 is missing"),
            shifted(expected_dW, -penalty_grad, "reg_gradient_missing", "the gradient of the "
                    "regularization term, 2 * reg * W, is missing"),
            Diagnosis("not_divided_by_n", "the data gradient is N times too large (N = the number of "
                      "examples): divide the sum over examples by N", data_dW * num + penalty_grad)]
    return loss, grad
