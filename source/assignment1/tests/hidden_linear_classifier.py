"""Hidden tests for LinearClassifier.train and LinearClassifier.predict, against the reference.

Never released. train runs through LinearSVM when the student's svm_loss_vectorized matches the
reference on a small problem (1e-6 relative), otherwise through Softmax when softmax_loss_vectorized
does, so that a bug in a loss does not also cost the points of train.

- Accuracy: ten Gaussian blobs in 20 dimensions (centers at distance 4 from 0, noise 0.5 per
  dimension, plus a bias feature), 60 examples per class, stored sorted by class. 150 SGD steps of
  100 examples at learning rate 0.05 must classify at least 90% of them; the accuracy is computed
  here from the trained W, so it does not depend on predict. Over 100 seeds the reference reached
  at least 99.8% with either loss. A train that always uses the first batch_size examples sees only
  classes 0 and 1 and stays below 30%; gradient ascent ends near chance.
- Minibatches: with batch_size=1 and learning_rate=0 (W stays put), every loss in the history must
  be the loss (1e-6 relative) of one training example with its own label, and 30 iterations over 5
  examples must visit at least 3 of them. This catches a train that ignores batch_size (full-batch
  gradient descent would pass the accuracy test), pairs examples with the wrong labels, or never
  samples at random.
- SGD steps, exactly: when all N examples are copies of one example, every minibatch gives the
  same loss and gradient, whatever the sampling. Starting from a given W, three iterations must give
  the three losses and the final W of the reference update W -= learning_rate * dW (1e-6 relative).
  This pins down the learning rate, the regularization passed to the loss, the sign of the step,
  the order of "record the loss, then update", and that an existing W is kept.
- predict: labels identical to the reference for a fixed random W (float64 and float32); random
  continuous scores have no ties.
"""
import numpy as np

from autograder.testing import (StudentCallError, TestFailure, as_array, assert_close, assert_equal_labels,
                                check, graded)

NOTEBOOK = "svm.ipynb"
MODULE = "classifiers.linear_classifier"
TRAIN = MODULE + ".LinearClassifier.train"
PREDICT = MODULE + ".LinearClassifier.predict"

# (subclass, module of its loss, the vectorized loss function it calls)
CANDIDATES = [("LinearSVM", "classifiers.linear_svm", "svm_loss_vectorized"),
              ("Softmax", "classifiers.softmax", "softmax_loss_vectorized")]


def _loss_matches_reference(student, reference, module, function, rng):
    # Weights this small keep every SVM margin near 1, far from the hinge's kinks.
    W = 1e-2 * rng.standard_normal((12, 5))
    X = rng.standard_normal((30, 12))
    y = rng.integers(0, 5, 30)
    answer = student.call(f"{module}.{function}", W, X, y, 0.3)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2, "not a (loss, dW) tuple")
    expected_loss, expected_dW = getattr(reference.module(module), function)(W, X, y, 0.3)
    assert_close(answer[0], expected_loss, "loss", rtol=1e-6)
    assert_close(answer[1], expected_dW, "dW", rtol=1e-6, floor=1e-3 * float(np.max(np.abs(expected_dW))))


def _classifier(student, reference, rng):
    """(dotted path of the subclass, its reference loss function) for a subclass whose loss works."""
    not_implemented = None
    for cls, module, function in CANDIDATES:
        try:
            _loss_matches_reference(student, reference, module, function, rng)
            return f"{MODULE}.{cls}", getattr(reference.module(module), function)
        except TestFailure:
            continue
        except StudentCallError as exc:
            if exc.status == "not_implemented":
                not_implemented = exc
    if not_implemented is not None:
        raise not_implemented
    raise TestFailure("train is tested through LinearSVM or Softmax, but neither "
                      "svm_loss_vectorized nor softmax_loss_vectorized is correct yet")


def _history(value, num_iters):
    """The loss history returned by train (a list, tuple or 1-d array) as a float array."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = list(value)
    check(isinstance(value, (list, tuple)) and len(value) == num_iters,
          "train should return a list with one loss per iteration")
    return np.array([float(as_array(v, "each loss in the history", shape=())) for v in value])


def _blobs(rng, num_classes=10, per_class=60, dim=20, radius=4.0, noise=0.5):
    centers = rng.standard_normal((num_classes, dim))
    centers *= radius / np.linalg.norm(centers, axis=1, keepdims=True)
    y = np.repeat(np.arange(num_classes), per_class)  # sorted by class
    X = centers[y] + noise * rng.standard_normal((len(y), dim))
    return np.hstack([X, np.ones((len(y), 1))]), y  # (N, dim + 1), (N,)


@graded(TRAIN, points=1)
def train_reaches_accuracy_on_separable_blobs(student, reference, rng):
    cls, _ = _classifier(student, reference, rng)
    X, y = _blobs(rng)
    W = student.call_method(cls, [
        ("train", (X, y), {"learning_rate": 0.05, "reg": 1e-3, "num_iters": 150, "batch_size": 100}),
        ("__getattribute__", ("W",))])
    W = as_array(W, "W after train", shape=(X.shape[1], 10))
    check(np.all(np.isfinite(W)), "W contains nan or inf after train")
    accuracy = float(np.mean(np.argmax(X @ W, axis=1) == y))
    check(accuracy >= 0.9,
          "after training on ten well separated blobs the classifier is right on too few of them; "
          "a correct SGD reaches at least 90%. Are the minibatches random samples of the whole "
          "training set, and does the step go against the gradient?", f"{accuracy:.0%} right")


@graded(TRAIN, points=1)
def train_steps_match_reference_update(student, reference, rng):
    cls, loss_fn = _classifier(student, reference, rng)
    dim, num_classes, num_train = 7, 4, 16
    x = rng.standard_normal(dim)
    X = np.tile(x, (num_train, 1))  # (N, dim): every minibatch is the same
    y = np.full(num_train, 2)
    W0 = 0.05 * rng.standard_normal((dim, num_classes))
    learning_rate, reg, num_iters = 0.3, 0.2, 3
    options = {"learning_rate": learning_rate, "reg": reg, "num_iters": num_iters, "batch_size": 8}

    expected_W, expected_losses = W0.copy(), []
    for _ in range(num_iters):
        loss, grad = loss_fn(expected_W, X[:1], y[:1], reg)
        expected_losses.append(loss)
        expected_W = expected_W - learning_rate * grad

    losses = _history(student.call_method(cls, [("__setattr__", ("W", W0.copy())),
                                                ("train", (X, y), options)]), num_iters)
    check(np.isclose(losses[0], expected_losses[0], rtol=1e-6), "the first loss train records is not "
          "the loss of the W it was given: keep an existing self.W (create W only when it is None), "
          "and record each loss before its step", diagnosis="W_not_kept")
    check(np.allclose(losses, expected_losses, rtol=1e-6), "the first loss of train is right but the "
          "later ones are not: each step is W -= learning_rate * grad, with the learning_rate given",
          diagnosis="wrong_step")
    assert_close(losses, expected_losses, "the loss history of train, started from a given W,", rtol=1e-6)
    W = student.call_method(cls, [("__setattr__", ("W", W0.copy())), ("train", (X, y), options),
                                  ("__getattribute__", ("W",))])
    assert_close(W, expected_W, "W after a few SGD steps from a given W", rtol=1e-6,
                 floor=1e-3 * float(np.max(np.abs(expected_W))))


@graded(TRAIN, points=1)
def train_draws_minibatches_of_examples_with_their_labels(student, reference, rng):
    cls, loss_fn = _classifier(student, reference, rng)
    num_train, dim, num_classes, reg, num_iters = 5, 6, 4, 0.1, 30
    y = np.array([0, 1, 2, 3, 1])
    for _ in range(100):  # per-example losses clearly apart, so that each history entry names one
        X = rng.standard_normal((num_train, dim))
        W0 = 0.5 * rng.standard_normal((dim, num_classes))
        per_example = np.array([loss_fn(W0, X[i:i + 1], y[i:i + 1], reg)[0] for i in range(num_train)])
        if np.min(np.diff(np.sort(per_example))) > 1e-2:
            break
    losses = _history(student.call_method(cls, [("__setattr__", ("W", W0.copy())), ("train", (X, y), {
        "learning_rate": 0.0, "reg": reg, "num_iters": num_iters, "batch_size": 1})]), num_iters)
    nearest = np.argmin(np.abs(losses[:, None] - per_example[None, :]), axis=1)  # (num_iters,)
    err = np.abs(losses - per_example[nearest]) / np.abs(per_example[nearest])
    if not np.all(err <= 1e-6):
        # Which known mistake gives these losses: an example paired with another example's label,
        # or the whole training set in every iteration?
        pairs = np.array([[loss_fn(W0, X[i:i + 1], y[j:j + 1], reg)[0] for j in range(num_train)]
                          for i in range(num_train)])
        whole = loss_fn(W0, X, y, reg)[0]
        check(not np.allclose(losses, whole, rtol=1e-6),
              "with batch_size=1 every loss train records is the loss of the whole training set: "
              "draw batch_size examples for each step", diagnosis="batch_is_the_whole_set")
        mismatched = np.min(np.abs(losses[:, None] - pairs.reshape(1, -1)), axis=1) <= 1e-6 * np.abs(losses)
        check(not np.all(mismatched), "with batch_size=1 the losses train records pair examples with "
              "other examples' labels: index X and y with the same indices", diagnosis="labels_not_matched")
        raise TestFailure("with batch_size=1 and learning_rate=0, each loss train records should be the "
                          "loss of a single training example with its own label: check how the "
                          "minibatch is built, and that W does not move when learning_rate is 0")
    check(len(set(nearest.tolist())) >= 3,
          "with batch_size=1, many iterations over a handful of examples used only a few of them: "
          "draw the minibatch at random from all examples", f"{len(set(nearest.tolist()))} used")


@graded(PREDICT, points=1)
def predict_matches_reference(student, reference, rng):
    ref = reference.module(MODULE).LinearSVM()
    for dtype in (np.float64, np.float32):
        W = rng.standard_normal((25, 7)).astype(dtype)
        X = rng.standard_normal((40, 25)).astype(dtype)
        ref.W = W.astype(np.float64)
        expected = ref.predict(X.astype(np.float64))
        got = student.call_method(MODULE + ".LinearSVM", [("__setattr__", ("W", W)), ("predict", (X,))])
        assert_equal_labels(got, expected, f"predict on random {np.dtype(dtype).name} data")
