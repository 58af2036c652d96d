"""Hidden tests for the multiclass SVM loss: compared with the reference solution on random inputs.

Never released. The expected loss and dW come from the reference svm_loss_vectorized run in float64
on the same numbers the student's code receives.

Tolerances, measured on the reference, a naive float32 version and an np.add.at vectorization over
20 seeds of these shapes, then widened by a factor of about 50:
- float64 inputs: loss to 1e-6 relative; dW to 1e-6 relative, entries smaller than 1e-3 of the
  largest |dW| compared against that scale (sums of terms of both signs cancel there). Rounding
  alone stays below 1e-12.
- float32 inputs (float32 arithmetic all the way is fine): loss to 1e-4 relative, dW to 1e-3 relative
  with a floor of 1e-2 of the largest |dW|. float32 code lands within 2e-5 of that measure; every bug
  the tests target (a counted correct class, a missing 1/N, reg * W for 2 * reg * W, a correct class
  column that is not decremented) moves the answer by 1e-2 or more.
- The hinge has kinks where a margin is 0; there the sign of a margin, and so dW, depends on
  rounding. Every problem is drawn with all margins at least 1e-4 away from 0 (float32 scores of
  these sizes are off by at most a few 1e-6).
"""
import numpy as np

from autograder.testing import (Diagnosis, assert_close, assert_max_loops, assert_responds, graded,
                                l2_loss_mistakes, loss_and_gradient, shifted)
from autograder.penalties import check_penalties_against_reference

NOTEBOOK = "svm.ipynb"
MODULE = "classifiers.linear_svm"
MODULE_FILE = "classifiers/linear_svm.py"
NAIVE = MODULE + ".svm_loss_naive"
VECTORIZED = MODULE + ".svm_loss_vectorized"

FLOAT64 = {"rtol": 1e-6, "loss_rtol": 1e-6, "floor": 1e-3}
FLOAT32 = {"rtol": 1e-3, "loss_rtol": 1e-4, "floor": 1e-2}

# (N, D, C, weight scale, data scale, reg): a small problem without regularization, a
# few-class one where most margins are inactive, and a CIFAR-10-like one (3073 features with the
# bias, pixel-sized values, reg large enough to dominate the loss).
CASES = [(50, 20, 10, 0.01, 1.0, 0.0),
         (30, 40, 3, 0.5, 1.0, 0.25),
         (20, 3073, 10, 1e-4, 60.0, 2.5e4)]


def _name(target):
    return target.rsplit(".", 1)[-1]


def _problem(rng, num_train, dim, num_classes, w_scale=0.01, x_scale=1.0, dtype=np.float64,
             labels=None, min_margin=1e-4):
    """Random W, X, y (labels drawn from ``labels``, default all classes) in ``dtype``, with every
    hinge margin at least ``min_margin`` away from zero."""
    labels = np.arange(num_classes) if labels is None else np.asarray(labels)
    for _ in range(200):
        W = (w_scale * rng.standard_normal((dim, num_classes))).astype(dtype)
        X = (x_scale * rng.standard_normal((num_train, dim))).astype(dtype)
        y = rng.choice(labels, num_train).astype(np.int64)
        rows = np.arange(num_train)
        scores = X.astype(np.float64) @ W.astype(np.float64)
        margins = scores - scores[rows, y][:, None] + 1.0
        margins[rows, y] = np.inf
        if np.min(np.abs(margins)) > min_margin:
            return W, X, y
    raise RuntimeError("could not draw a problem away from the hinge's kinks")


def _check(student, reference, target, W, X, y, reg, what, tol):
    loss, dW = loss_and_gradient(student, target, W, X, y, reg, finite=False)
    expected_loss, expected_dW = reference.module(MODULE).svm_loss_vectorized(
        W.astype(np.float64), X.astype(np.float64), y, reg)
    name = _name(target)
    loss_mistakes, dW_mistakes = l2_loss_mistakes(expected_loss, expected_dW, W, reg, len(y))
    X64, W64 = X.astype(np.float64), W.astype(np.float64)
    scores = X64 @ W64
    rows = np.arange(len(y))
    violations = (scores - scores[rows, y][:, None] + 1.0 > 0).astype(np.float64)  # (N, C)
    violations[rows, y] = 0.0
    loss_mistakes.append(shifted(expected_loss, 1.0, "hinge_counts_correct_class", "the loss is 1 too "
                                 "large: the sum over classes also counted j = y[i] (skip it)"))
    correct_column = np.zeros_like(scores)
    correct_column[rows, y] = violations.sum(axis=1)
    dW_mistakes.append(Diagnosis("correct_class_column_missing", "the column of the correct class is "
                                 "wrong: it loses X[i] once for every class that violates the margin",
                                 expected_dW + X64.T @ correct_column / len(y)))
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
    # Only classes 1 and 3 of 7 occur: the other columns still get the gradient of wrong classes.
    W, X, y = _problem(rng, 30, 12, 7, w_scale=0.1, labels=[1, 3])
    _check(student, reference, target, W, X, y, 0.05, "when some classes never occur in y", FLOAT64)


@graded(NAIVE, points=2)
def svm_naive_matches_reference(student, reference, rng):
    _matches_reference(student, reference, rng, NAIVE)


@graded(NAIVE, points=1)
def svm_naive_accepts_float32(student, reference, rng):
    _accepts_float32(student, reference, rng, NAIVE)


@graded(NAIVE, points=1)
def svm_naive_single_example_and_missing_classes(student, reference, rng):
    _edge_cases(student, reference, rng, NAIVE)


@graded(VECTORIZED, points=2)
def svm_vectorized_matches_reference(student, reference, rng):
    _matches_reference(student, reference, rng, VECTORIZED)


@graded(VECTORIZED, points=1)
def svm_vectorized_accepts_float32(student, reference, rng):
    _accepts_float32(student, reference, rng, VECTORIZED)


@graded(VECTORIZED, points=1)
def svm_vectorized_single_example_and_missing_classes(student, reference, rng):
    _edge_cases(student, reference, rng, VECTORIZED)


@graded(VECTORIZED, points=1, fresh=True)
def svm_vectorized_uses_no_loops(student, reference, rng):
    # Judges loops only (the values have their own tests), but an untouched stub has no loops
    # either: the function must answer with a loss and a dW of W's shape.
    W, X, y = _problem(rng, 25, 10, 4, w_scale=0.2)
    first = loss_and_gradient(student, VECTORIZED, W, X, y, 0.1, finite=False)
    second = loss_and_gradient(student, VECTORIZED, 2.0 * W, X, y, 0.1, finite=False)
    assert_responds(np.append(first[1], first[0]), np.append(second[1], second[0]), _name(VECTORIZED))
    assert_max_loops(student, MODULE_FILE, "svm_loss_vectorized", 0)


def _penalty_kinds(student, reference, rng, target):
    def draw(num, dim, classes, w_scale, x_scale, dtype):
        return _problem(rng, num, dim, classes, w_scale, x_scale, dtype)

    check_penalties_against_reference(student, target, draw, reference.module(MODULE).svm_loss_vectorized, rng)


@graded(NAIVE, points=1)
def svm_naive_penalties_match_reference(student, reference, rng):
    _penalty_kinds(student, reference, rng, NAIVE)


@graded(VECTORIZED, points=1)
def svm_vectorized_penalties_match_reference(student, reference, rng):
    _penalty_kinds(student, reference, rng, VECTORIZED)
