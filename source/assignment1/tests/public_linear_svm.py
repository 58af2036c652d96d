"""Public tests for the multiclass SVM loss: `autograder check` runs these on your own machine.

What they check, without any reference solution:
- the sanity loss: with tiny random weights every score is about 0, so each of the C - 1 wrong classes
  violates the margin by about 1 and the mean loss is about C - 1 = 9 for 10 classes (within 0.02);
- your analytic gradient against a numerical one, (L(W + h) - L(W - h)) / 2h with h = 1e-5, at 8
  random entries of W on a small problem with reg = 0.5. The data are drawn so that no two scores of
  an example differ by within 1e-3 of the margin 1: the hinge has kinks there, where a numerical
  gradient means nothing. Away from the kinks the loss is piecewise quadratic, so a correct gradient
  agrees up to rounding: |difference| / max(|numerical| + |analytic|, 1e-3) stays below 1e-7 (the
  reference, 200 seeds x 30 entries); up to 1e-5 passes;
- that svm_loss_vectorized agrees with your svm_loss_naive (loss to 1e-7 relative, dW to 1e-7
  relative to its largest entry), and every output's type and shape.

- the L1 and elastic-net penalties (reg_type="l1", "elastic" with l1_ratio = 0.3) on weights some of
  which are exactly 0, judged on their own: your loss and dW at reg = 0.7 minus those at reg = 0
  (what your data loss computes cancels), against reg * sum(|W|) and reg * sign(W), and the elastic
  mix of the module docstring, to 1e-6 relative; and a ValueError for an unknown reg_type.

The grader also runs hidden tests that compare both functions with the reference solution on random
data (float32 included) and check that svm_loss_vectorized has no loops.
"""
import numpy as np

from autograder.penalties import check_penalty_kinds
from autograder.testing import (assert_close, assert_gradient_matches_numerical, check, graded,
                             loss_and_gradient)

NOTEBOOK = "svm.ipynb"
MODULE = "classifiers.linear_svm"
NAIVE = MODULE + ".svm_loss_naive"
VECTORIZED = MODULE + ".svm_loss_vectorized"


def _name(target):
    return target.rsplit(".", 1)[-1]


def _problem(rng, num_train, dim, num_classes, w_scale, min_gap=1e-3):
    """Random W (dim, C), X (N, dim), y (N,) away from the hinge's kinks: no two scores of an
    example differ by within min_gap of the margin 1, whichever class is the correct one."""
    for _ in range(100):
        W = w_scale * rng.standard_normal((dim, num_classes))
        X = rng.standard_normal((num_train, dim))
        y = rng.integers(0, num_classes, num_train)
        scores = X @ W  # (N, C)
        differences = np.abs(scores[:, :, None] - scores[:, None, :])  # (N, C, C)
        if np.min(np.abs(differences - 1.0)) > min_gap:
            return W, X, y
    raise RuntimeError("could not draw a problem away from the hinge's kinks")


def _check_sanity_loss(student, target, rng):
    W = 1e-4 * rng.standard_normal((40, 10))
    X = rng.standard_normal((50, 40))
    y = rng.integers(0, 10, 50)
    loss, _ = loss_and_gradient(student, target, W, X, y, 0.0)
    check(abs(loss - 10.0) >= 0.02,
          f"{_name(target)} with tiny random W, 10 classes and reg = 0 gave a loss of about 10; "
          "expected about 9 (= C - 1): the correct class was counted too (skip j = y[i])",
          diagnosis="hinge_counts_correct_class")
    check(abs(loss - 9.0 * len(y)) >= 0.02 * len(y),
          f"{_name(target)} with tiny random W, 10 classes and reg = 0 gave a loss of about 9 * N; "
          "expected about 9: the sum over the examples was not divided by N", diagnosis="not_divided_by_n")
    check(abs(loss - 9.0) < 0.02,
          f"{_name(target)} with tiny random W, 10 classes and reg = 0 gave a loss of {loss:.4g}; "
          "expected about 9 (= C - 1: every wrong class misses the margin by about 1). About 10 "
          "means the correct class was counted too; about 9 * N means the sum was not divided by N")


def _check_numerical_gradient(student, target, rng):
    # A gradient that agrees with its own loss proves something only when the loss is right: the
    # sanity value first (consistent nonsense, such as a constant loss with a zero gradient, fails).
    _check_sanity_loss(student, target, rng)
    W, X, y = _problem(rng, num_train=12, dim=6, num_classes=5, w_scale=0.1)
    assert_gradient_matches_numerical(student, target, W, (X, y, 0.5), rng)


@graded(NAIVE, points=1)
def svm_naive_sanity_loss_is_about_nine(student, rng):
    _check_sanity_loss(student, NAIVE, rng)


@graded(NAIVE, points=1)
def svm_naive_gradient_matches_numerical_gradient(student, rng):
    _check_numerical_gradient(student, NAIVE, rng)


@graded(VECTORIZED, points=1)
def svm_vectorized_sanity_loss_is_about_nine(student, rng):
    _check_sanity_loss(student, VECTORIZED, rng)


@graded(VECTORIZED, points=1, uses=(NAIVE,))
def svm_vectorized_agrees_with_naive(student, rng):
    _check_sanity_loss(student, VECTORIZED, rng)  # agreeing with nonsense proves nothing: its own value first
    W, X, y = _problem(rng, num_train=60, dim=30, num_classes=10, w_scale=0.01)
    reg = 0.3
    naive_loss, naive_dW = loss_and_gradient(student, NAIVE, W, X, y, reg)
    check(naive_loss > 0.0 and np.any(naive_dW != 0.0),
          f"{_name(NAIVE)} returns a zero loss or a zero gradient where neither is zero: "
          "is it still a stub?")
    loss, dW = loss_and_gradient(student, VECTORIZED, W, X, y, reg)
    assert_close(loss, naive_loss, "the loss of svm_loss_vectorized (compared with your svm_loss_naive)",
                 rtol=1e-7)
    assert_close(dW, naive_dW, "dW of svm_loss_vectorized (compared with your svm_loss_naive)",
                 rtol=1e-7, floor=max(float(np.max(np.abs(naive_dW))), 1e-12))


@graded(VECTORIZED, points=1)
def svm_vectorized_gradient_matches_numerical_gradient(student, rng):
    _check_numerical_gradient(student, VECTORIZED, rng)


def _check_penalty_kinds(student, target, rng):
    check_penalty_kinds(student, target, *_problem(rng, 12, 6, 5, 0.1))


@graded(NAIVE, points=1)
def svm_naive_l1_and_elastic_penalties(student, rng):
    _check_penalty_kinds(student, NAIVE, rng)


@graded(VECTORIZED, points=1)
def svm_vectorized_l1_and_elastic_penalties(student, rng):
    _check_penalty_kinds(student, VECTORIZED, rng)
