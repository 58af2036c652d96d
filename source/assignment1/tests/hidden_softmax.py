"""Hidden tests for the softmax loss: compared with the reference solution on random inputs.

Never released. The expected loss and dW come from the reference softmax_loss_vectorized (which
works with log-probabilities) run in float64 on the same numbers the student's code receives.

Tolerances, measured on the reference, a float32 naive version, a scipy.special.logsumexp version
and the exp / sum / -log(p) textbook version over 20 seeds, then widened by a factor of about 50:
- float64 inputs: loss to 1e-6 relative; dW to 1e-6 relative, entries smaller than 1e-3 of the
  largest |dW| compared against that scale. Rounding alone stays below 1e-12.
- float32 inputs: loss to 1e-4 relative; dW to 1e-3 relative with a floor of 1e-2 of the largest
  |dW| (float32 code lands within 2e-5 of that measure; the bugs the tests target, such as a
  missing 1/N, reg * W for 2 * reg * W or a correct class without its -1, move it by 1e-2 or more).
- Large scores: a last feature of +1 or -1 (half the examples each) with weights of about 1000,
  3000 or 10000 moves every score of an example by the same amount, up or down, which changes no
  probability. Within an example the scores differ by at most a few tens, so no probability
  underflows: the textbook shift-then-divide code is exact here, while code without the shift gets
  exp(1000) = inf or 0 / 0 and returns nan, and so does code that shifts every row by the largest
  score of the whole matrix (the rows around -1000 underflow to 0).
"""
import numpy as np

from autograder.testing import (Diagnosis, assert_close, assert_max_loops, assert_responds, check, graded,
                                l2_loss_mistakes, loss_and_gradient)
from autograder.penalties import check_penalties_against_reference

NOTEBOOK = "softmax.ipynb"
MODULE = "classifiers.softmax"
MODULE_FILE = "classifiers/softmax.py"
NAIVE = MODULE + ".softmax_loss_naive"
VECTORIZED = MODULE + ".softmax_loss_vectorized"

FLOAT64 = {"rtol": 1e-6, "loss_rtol": 1e-6, "floor": 1e-3}
FLOAT32 = {"rtol": 1e-3, "loss_rtol": 1e-4, "floor": 1e-2}

# (N, D, C, weight scale, data scale, reg), as for the SVM: small, few classes with confident
# (large) scores, and CIFAR-10-like.
CASES = [(50, 20, 10, 0.01, 1.0, 0.0),
         (30, 40, 3, 0.5, 1.0, 0.25),
         (20, 3073, 10, 1e-4, 60.0, 2.5e4)]


def _name(target):
    return target.rsplit(".", 1)[-1]


def _problem(rng, num_train, dim, num_classes, w_scale=0.01, x_scale=1.0, dtype=np.float64, labels=None):
    labels = np.arange(num_classes) if labels is None else np.asarray(labels)
    W = (w_scale * rng.standard_normal((dim, num_classes))).astype(dtype)
    X = (x_scale * rng.standard_normal((num_train, dim))).astype(dtype)
    y = rng.choice(labels, num_train).astype(np.int64)
    return W, X, y


def _check(student, reference, target, W, X, y, reg, what, tol):
    loss, dW = loss_and_gradient(student, target, W, X, y, reg, finite=False)
    expected_loss, expected_dW = reference.module(MODULE).softmax_loss_vectorized(
        W.astype(np.float64), X.astype(np.float64), y, reg)
    name = _name(target)
    loss_mistakes, dW_mistakes = l2_loss_mistakes(expected_loss, expected_dW, W, reg, len(y))
    one_hot = np.eye(W.shape[1])[y]  # (N, C)
    dW_mistakes.append(Diagnosis("gradient_without_minus_one", "the gradient of the scores is the "
                                 "probabilities minus 1 at the correct class: the - 1 is missing",
                                 expected_dW + X.astype(np.float64).T @ one_hot / len(y)))
    assert_close(loss, expected_loss, f"the loss of {name} {what}", rtol=tol["loss_rtol"],
                 diagnoses=loss_mistakes)
    assert_close(dW, expected_dW, f"dW of {name} {what}", rtol=tol["rtol"],
                 floor=tol["floor"] * float(np.max(np.abs(expected_dW))), diagnoses=dW_mistakes)


def _in_words(dim, num_classes, reg):
    """A case in words: hidden messages name no size and no strength."""
    size = "image-sized" if dim == 3073 else "few classes" if num_classes < 5 else "small"
    strength = "without reg" if reg == 0 else "with a strong reg" if reg > 100 else "with reg"
    return f"{size}, {strength}"


def _matches_reference(student, reference, rng, target):
    for num_train, dim, num_classes, w_scale, x_scale, reg in CASES:
        W, X, y = _problem(rng, num_train, dim, num_classes, w_scale, x_scale)
        _check(student, reference, target, W, X, y, reg, f"on random data ({_in_words(dim, num_classes, reg)})",
               FLOAT64)


def _accepts_float32(student, reference, rng, target):
    for num_train, dim, num_classes, w_scale, x_scale, reg in [(40, 30, 10, 0.05, 1.0, 0.1),
                                                               (10, 3073, 10, 1e-4, 60.0, 2.5e4)]:
        W, X, y = _problem(rng, num_train, dim, num_classes, w_scale, x_scale, dtype=np.float32)
        _check(student, reference, target, W, X, y, reg, f"on float32 data ({_in_words(dim, num_classes, reg)})",
               FLOAT32)


def _edge_cases(student, reference, rng, target):
    W, X, y = _problem(rng, 1, 15, 6, w_scale=0.3)
    _check(student, reference, target, W, X, y, 0.1, "for a single example", FLOAT64)
    # Only classes 1 and 3 of 7 occur: every column still gets the gradient of its probability.
    W, X, y = _problem(rng, 30, 12, 7, w_scale=0.1, labels=[1, 3])
    _check(student, reference, target, W, X, y, 0.05, "when some classes never occur in y", FLOAT64)


def _large_scores(student, reference, rng, target):
    num_train, dim, num_classes = 40, 12, 6
    for offset, reg in [(1e3, 0.0), (3e3, 1e-6), (1e4, 0.0)]:
        # The last feature is +1 or -1: the scores of an example all move by about +offset or
        # -offset, so the rows need different shifts.
        sign = rng.permutation(np.arange(num_train) % 2 * 2.0 - 1.0)  # (N,), half +1, half -1
        X = np.hstack([rng.standard_normal((num_train, dim - 1)), sign[:, None]])
        W = rng.standard_normal((dim, num_classes))
        W[-1] = offset + rng.standard_normal(num_classes)
        y = rng.integers(0, num_classes, num_train)
        loss, dW = loss_and_gradient(student, target, W, X, y, reg, finite=False)
        check(np.isfinite(loss) and np.all(np.isfinite(dW)),
              f"{_name(target)} returns nan or inf when the scores are around +-{offset:g}: "
              "subtract each example's (each row's) largest score from its scores before np.exp",
              diagnosis="no_max_shift")
        _check(student, reference, target, W, X, y, reg, f"for scores around +-{offset:g}", FLOAT64)


@graded(NAIVE, points=1)
def softmax_naive_matches_reference(student, reference, rng):
    _matches_reference(student, reference, rng, NAIVE)


@graded(NAIVE, points=1)
def softmax_naive_accepts_float32(student, reference, rng):
    _accepts_float32(student, reference, rng, NAIVE)


@graded(NAIVE, points=1)
def softmax_naive_single_example_and_missing_classes(student, reference, rng):
    _edge_cases(student, reference, rng, NAIVE)


@graded(NAIVE, points=1)
def softmax_naive_is_stable_for_large_scores(student, reference, rng):
    _large_scores(student, reference, rng, NAIVE)


@graded(VECTORIZED, points=1)
def softmax_vectorized_matches_reference(student, reference, rng):
    _matches_reference(student, reference, rng, VECTORIZED)


@graded(VECTORIZED, points=1)
def softmax_vectorized_accepts_float32(student, reference, rng):
    _accepts_float32(student, reference, rng, VECTORIZED)


@graded(VECTORIZED, points=1)
def softmax_vectorized_single_example_and_missing_classes(student, reference, rng):
    _edge_cases(student, reference, rng, VECTORIZED)


@graded(VECTORIZED, points=1)
def softmax_vectorized_is_stable_for_large_scores(student, reference, rng):
    _large_scores(student, reference, rng, VECTORIZED)


@graded(VECTORIZED, points=1, fresh=True)
def softmax_vectorized_uses_no_loops(student, reference, rng):
    # Judges loops only (the values have their own tests), but an untouched stub has no loops
    # either: the function must answer with a loss and a dW of W's shape.
    W, X, y = _problem(rng, 25, 10, 4, w_scale=0.2)
    first = loss_and_gradient(student, VECTORIZED, W, X, y, 0.1, finite=False)
    second = loss_and_gradient(student, VECTORIZED, 2.0 * W, X, y, 0.1, finite=False)
    assert_responds(np.append(first[1], first[0]), np.append(second[1], second[0]), _name(VECTORIZED))
    assert_max_loops(student, MODULE_FILE, "softmax_loss_vectorized", 0)


def _penalty_kinds(student, reference, rng, target):
    def draw(num, dim, classes, w_scale, x_scale, dtype):
        return _problem(rng, num, dim, classes, w_scale, x_scale, dtype)

    check_penalties_against_reference(student, target, draw, reference.module(MODULE).softmax_loss_vectorized, rng)


@graded(NAIVE, points=1)
def softmax_naive_penalties_match_reference(student, reference, rng):
    _penalty_kinds(student, reference, rng, NAIVE)


@graded(VECTORIZED, points=1)
def softmax_vectorized_penalties_match_reference(student, reference, rng):
    _penalty_kinds(student, reference, rng, VECTORIZED)
