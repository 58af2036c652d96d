"""Public tests for LinearClassifier.train and LinearClassifier.predict: `autograder check` runs
these on your own machine.

train is tested through the subclasses: LinearSVM when your svm_loss_vectorized passes a quick check
(sanity loss within 0.05 of C - 1, and the gradient at 4 entries within 1e-5 of a numerical one),
otherwise Softmax when softmax_loss_vectorized passes the same check (sanity loss about log C), so a
bug in one loss does not cost you the points of train. The data are four well separated Gaussian
blobs plus a bias feature of ones. The tests check that train returns one finite loss per
iteration, the first one within 10% of the sanity loss (W starts as 0.001 * randn(D, C), so all
scores are about 0; the reference stays within 1%), that it leaves W with shape (D, C) where
C = max(y) + 1, and that 100 iterations at least halve the loss (the reference gets to a quarter or
less).

predict is checked on weights whose highest score is known by construction.

The grader also runs hidden tests: training must reach a fixed accuracy on a harder synthetic data
set, minibatches must pair examples with their own labels, a few SGD steps from a given W must
match the reference exactly, and predict must match the reference.
"""
import numpy as np

from autograder.testing import StudentCallError, TestFailure, as_array, assert_equal_labels, check, graded

NOTEBOOK = "svm.ipynb"
MODULE = "classifiers.linear_classifier"
TRAIN = MODULE + ".LinearClassifier.train"
PREDICT = MODULE + ".LinearClassifier.predict"

# (subclass, the loss it calls, the sanity loss at tiny W as a function of C)
CANDIDATES = [("LinearSVM", "classifiers.linear_svm.svm_loss_vectorized", lambda c: c - 1.0),
              ("Softmax", "classifiers.softmax.softmax_loss_vectorized", np.log)]


def _blobs(rng, num_classes=4, per_class=50, dim=8, radius=4.0, noise=0.5):
    """Gaussian blobs around centers at distance ``radius`` from 0, sorted by class, with a bias
    column of ones appended: X (N, dim + 1), y (N,)."""
    centers = rng.standard_normal((num_classes, dim))
    centers *= radius / np.linalg.norm(centers, axis=1, keepdims=True)
    y = np.repeat(np.arange(num_classes), per_class)
    X = centers[y] + noise * rng.standard_normal((len(y), dim))
    return np.hstack([X, np.ones((len(y), 1))]), y


def _loss_value(student, target, W, X, y, reg):
    answer = student.call(target, W, X, y, reg)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2, "not a (loss, dW) tuple")
    loss = float(as_array(answer[0], "loss", shape=()))
    dW = as_array(answer[1], "dW", shape=W.shape).astype(np.float64)
    check(np.isfinite(loss) and np.all(np.isfinite(dW)), "nan or inf")
    return loss, dW


def _loss_passes_quick_check(student, target, sanity, rng, h=1e-5):
    num_classes = 10
    X = rng.standard_normal((30, 12))
    y = rng.integers(0, num_classes, 30)
    loss, _ = _loss_value(student, target, 1e-4 * rng.standard_normal((12, num_classes)), X, y, 0.0)
    check(abs(loss - sanity(num_classes)) < 0.05, "sanity loss is off")
    # Weights this small keep every SVM margin near 1, far from the hinge's kinks.
    W = 1e-2 * rng.standard_normal((12, num_classes))
    _, dW = _loss_value(student, target, W, X, y, 5.0)
    for flat in rng.choice(W.size, 4, replace=False):
        step = np.zeros_like(W)
        step.flat[flat] = h
        numerical = (_loss_value(student, target, W + step, X, y, 5.0)[0]
                     - _loss_value(student, target, W - step, X, y, 5.0)[0]) / (2 * h)
        check(abs(numerical - dW.flat[flat]) <= 1e-5 * max(abs(numerical) + abs(dW.flat[flat]), 1e-3),
              "gradient is off")


def _classifier(student, rng):
    """(dotted path, sanity loss as a function of C) of LinearSVM or Softmax, whichever has a loss
    that passes the quick check."""
    not_implemented = None
    for cls, target, sanity in CANDIDATES:
        try:
            _loss_passes_quick_check(student, target, sanity, rng)
            return f"{MODULE}.{cls}", sanity
        except TestFailure:
            continue
        except StudentCallError as exc:
            if exc.status == "not_implemented":
                not_implemented = exc
    if not_implemented is not None:
        raise not_implemented  # your losses are still stubs: "not implemented yet"
    raise TestFailure("train is tested through LinearSVM or Softmax, whose loss() calls "
                      "svm_loss_vectorized / softmax_loss_vectorized, but neither passes a quick "
                      "sanity and gradient check yet: fix one of them first")


def _history(value, num_iters):
    """The loss history returned by train (a list, tuple or 1-d array) as a float array."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = list(value)
    check(isinstance(value, (list, tuple)),
          f"train should return the list of losses, one per iteration; got {type(value).__name__}")
    check(len(value) == num_iters,
          f"train(num_iters={num_iters}) returned {len(value)} losses; expected one per iteration")
    losses = np.array([float(as_array(v, "each loss in the history (a single number)", shape=()))
                       for v in value])
    check(np.all(np.isfinite(losses)), "the loss history returned by train contains nan or inf")
    return losses


@graded(TRAIN, points=1)
def train_returns_one_loss_per_iteration_and_creates_W(student, rng):
    cls, sanity = _classifier(student, rng)
    X, y = _blobs(rng)
    num_classes = int(np.max(y)) + 1
    options = {"learning_rate": 0.05, "reg": 1e-3, "num_iters": 30, "batch_size": 40}
    losses = _history(student.call_method(cls, [("train", (X, y), options)]), 30)
    # W starts as 0.001 * randn(D, C): all scores are about 0, so the first loss is the sanity loss.
    check(abs(losses[0] - sanity(num_classes)) < 0.1 * sanity(num_classes),
          f"the first loss {cls.rsplit('.', 1)[-1]}.train returned is {losses[0]:.4g}; with W "
          f"starting as 0.001 * randn(D, C) and {num_classes} classes it should be about "
          f"{sanity(num_classes):.4g}", diagnosis="initial_weights_too_large")
    W = student.call_method(cls, [("train", (X, y), options), ("__getattribute__", ("W",))])
    as_array(W, f"W after train (D = {X.shape[1]} features, C = max(y) + 1 = {num_classes} classes)",
             shape=(X.shape[1], num_classes))
    # With learning_rate 0 no step moves W, so W after train is the W train started from. Its class
    # scores should sit well inside the margin of 1; the loss check above can be lucky, this cannot.
    W0 = student.call_method(cls, [("train", (X, y), dict(options, learning_rate=0.0, num_iters=1)),
                                   ("__getattribute__", ("W",))])
    scores = X @ as_array(W0, "W", shape=(X.shape[1], num_classes)).astype(np.float64)
    spread = float(np.median(np.abs(scores - scores.mean(axis=1, keepdims=True))))
    check(spread < 0.5,
          f"before its first step, train's W gives class scores that differ by about {spread:.3g} "
          "from each example's mean score; a W that starts as 0.001 * randn(D, C) gives scores near 0",
          diagnosis="initial_weights_too_large")


@graded(TRAIN, points=1)
def train_lowers_the_loss(student, rng):
    cls, _ = _classifier(student, rng)
    X, y = _blobs(rng)
    losses = _history(student.call_method(cls, [("train", (X, y), {
        "learning_rate": 0.05, "reg": 1e-3, "num_iters": 100, "batch_size": 40})]), 100)
    first, last = np.mean(losses[:10]), np.mean(losses[-10:])
    check(last < 2.0 * first, f"the loss grows during training (from {first:.3g} to {last:.3g} over 100 "
          "iterations): the step must go against the gradient, W -= learning_rate * grad",
          diagnosis="gradient_ascent")
    check(last < 0.5 * first,
          f"training on four well separated blobs should at least halve the loss in 100 iterations; "
          f"the mean loss went from {first:.3g} (first 10 iterations) to {last:.3g} (last 10). Does "
          "the update step go against the gradient, with the learning rate?")


@graded(PREDICT, points=1)
def predict_picks_the_class_with_the_highest_score(student):
    # W is a permutation matrix: example k (a scaled unit vector e_k) scores highest for class perm[k].
    perm = np.array([2, 0, 3, 1])
    W = np.zeros((4, 4))
    W[np.arange(4), perm] = 1.0
    X = np.array([[3.0, 0.1, 0.0, 0.2], [0.0, 2.0, 0.5, 0.0], [0.1, 0.0, 1.0, 0.0],
                  [0.0, 0.3, 0.0, 5.0], [0.2, 4.0, 0.1, 0.0]])
    labels = student.call_method(MODULE + ".LinearSVM", [("__setattr__", ("W", W)), ("predict", (X,))])
    check(np.asarray(labels).ndim == 1,
          f"predict should return a 1-d array of labels, one per row of X; got shape {np.shape(labels)}", diagnosis="scores_instead_of_labels")
    assert_equal_labels(labels, [2, 0, 3, 1, 0], "predict with a permutation matrix as W")
