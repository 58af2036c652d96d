"""Public tests for the kNN classifier: `autograder check` runs these on your own machine.

They use small inputs whose answers are known by construction. The grader also runs hidden tests
that compare your code with the reference solution on random data.
"""
import numpy as np

from autograder.testing import (Diagnosis, StudentCallError, TestFailure, as_array, assert_close,
                                assert_equal_labels, assert_max_loops, assert_responds, check, graded)

NOTEBOOK = "knn.ipynb"
KNN = "classifiers.k_nearest_neighbor.KNearestNeighbor"
MODULE_FILE = "classifiers/k_nearest_neighbor.py"

# Three training points on a line and two test points: every distance is a small Pythagorean triple.
X_TRAIN = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
Y_TRAIN = np.array([0, 1, 2])
X_TEST = np.array([[0.0, 0.0], [3.0, 0.0]])
KNOWN_DISTS = np.array([[0.0, 5.0, 10.0],
                        [3.0, 4.0, np.sqrt(9.0 + 64.0)]])


def _points_on_a_line(rng, num_train, num_test, dim):
    """Points that differ only along one random direction, so their L2 distances are |a_i - b_j|
    whatever the dimension: an answer known by construction, independent of your two-loop version."""
    direction = rng.standard_normal(dim)
    direction /= np.linalg.norm(direction)
    offset = rng.standard_normal(dim)
    a, b = rng.uniform(-5, 5, num_train), rng.uniform(-5, 5, num_test)
    X_train = offset + a[:, None] * direction  # (num_train, dim)
    X_test = offset + b[:, None] * direction  # (num_test, dim)
    return X_train, X_test, np.abs(b[:, None] - a[None, :])  # distances: (num_test, num_train)


def _distance_mistakes(X_train, X_test, expected):
    """Known mistakes, as the distances they give: no square root, or the L1 distance."""
    l1 = np.sum(np.abs(X_test[:, None, :] - X_train[None, :, :]), axis=2)
    return [Diagnosis("sqrt_missing", "these are squared distances: take the square root", expected ** 2),
            Diagnosis("l1_distance", "these are L1 distances (sum of absolute differences): the L2 "
                      "distance is the square root of the sum of squared differences", l1)]


def _distances(student, method, X_train, X_test):
    return student.call_method(KNN, [("train", (X_train, np.zeros(len(X_train), dtype=np.int64))),
                                     (method, (X_test,))])


@graded(KNN + ".compute_distances_two_loops", points=1)
def two_loops_known_distances(student):
    dists = _distances(student, "compute_distances_two_loops", X_TRAIN, X_TEST)
    assert_close(dists, KNOWN_DISTS, "compute_distances_two_loops on the 3-4-5 example", rtol=1e-6,
                 diagnoses=_distance_mistakes(X_TRAIN, X_TEST, KNOWN_DISTS))


@graded(KNN + ".compute_distances_one_loop", points=1)
def one_loop_points_on_a_line(student, rng):
    X_train, X_test, expected = _points_on_a_line(rng, 20, 6, 7)
    one = _distances(student, "compute_distances_one_loop", X_train, X_test)
    assert_close(one, expected, "compute_distances_one_loop for points on a line", rtol=1e-6, floor=1e-6,
                 diagnoses=_distance_mistakes(X_train, X_test, expected))


@graded(KNN + ".compute_distances_no_loops", points=1)
def no_loops_points_on_a_line(student, rng):
    X_train, X_test, expected = _points_on_a_line(rng, 30, 8, 9)
    none = _distances(student, "compute_distances_no_loops", X_train, X_test)
    # The ||a||^2 + ||b||^2 - 2ab expansion loses a little precision: hence the absolute floor.
    assert_close(none, expected, "compute_distances_no_loops for points on a line", rtol=1e-6, floor=1e-4,
                 diagnoses=_distance_mistakes(X_train, X_test, expected))


@graded(KNN + ".compute_distances_no_loops", points=1, fresh=True)
def no_loops_uses_no_loops(student):
    # Judges loops only (the values have their own tests), but an untouched stub has no loops
    # either: the function must at least answer with an array of the right shape.
    what = "compute_distances_no_loops on the 3-4-5 example"
    dists = as_array(_distances(student, "compute_distances_no_loops", X_TRAIN, X_TEST), what,
                     shape=KNOWN_DISTS.shape)
    moved = as_array(_distances(student, "compute_distances_no_loops", X_TRAIN, X_TEST + 1.0), what,
                     shape=KNOWN_DISTS.shape)
    assert_responds(dists, moved, "compute_distances_no_loops")
    assert_max_loops(student, MODULE_FILE, "KNearestNeighbor.compute_distances_no_loops", 0)


@graded(KNN + ".predict_labels", points=1)
def predict_labels_k1_picks_the_nearest(student):
    # Distances chosen so the nearest training example of each test row is obvious.
    dists = np.array([[0.5, 2.0, 3.0], [4.0, 0.1, 9.0], [7.0, 8.0, 1.0]])
    labels = student.call_method(KNN, [("train", (X_TRAIN, Y_TRAIN)), ("predict_labels", (dists,), {"k": 1})])
    assert_equal_labels(labels, [0, 1, 2], "predict_labels(dists, k=1)")


@graded(KNN + ".predict_labels", points=1)
def predict_labels_tie_goes_to_smaller_label(student):
    # k=2: the two nearest neighbours carry labels 2 and 1, one vote each, so label 1 must win.
    dists = np.array([[1.0, 2.0, 9.0, 9.0]])
    y_train = np.array([2, 1, 0, 0])
    labels = student.call_method(KNN, [("train", (np.zeros((4, 2)), y_train)),
                                       ("predict_labels", (dists,), {"k": 2})])
    assert_equal_labels(labels, [1], "predict_labels with a 1-1 tie (k=2)", [
        Diagnosis("tie_not_to_smaller_label", "a 1-1 tie between labels 2 and 1 goes to the smaller label, "
                  "1: count the votes with np.bincount and take np.argmax (it returns the first maximum)",
                  np.array([2]))])


@graded(KNN + ".predict", points=1,
        uses=(KNN + ".compute_distances_no_loops", KNN + ".predict_labels"))
def predict_returns_one_label_per_test_row(student):
    # Row 0 sits on training point 0; row 1, (3, 3), is 1 away from training point 1 at (3, 4): the
    # labels are 0 and 1. predict only wires compute_distances_no_loops to predict_labels, so where
    # those two answer, it must give exactly what they give together (their own tests judge them;
    # when they lose points, this test scores what predict's own hidden test scores).
    X = np.array([[0.0, 0.0], [3.0, 3.0]])
    expected = [0, 1]
    try:
        dists = _distances(student, "compute_distances_no_loops", X_TRAIN, X)
        expected = as_array(student.call_method(KNN, [("train", (X_TRAIN, Y_TRAIN)),
                                                      ("predict_labels", (dists,), {"k": 1})]),
                            "predict_labels", shape=(2,), integer=True)
    except (StudentCallError, TestFailure):
        pass  # they give nothing usable: judge predict by the known labels
    labels = student.call_method(KNN, [("train", (X_TRAIN, Y_TRAIN)), ("predict", (X,), {"k": 1})])
    assert_equal_labels(labels, expected, "predict(X, k=1)")
    check(np.asarray(labels).ndim == 1, "predict should return a 1-d array of labels", diagnosis="scores_instead_of_labels")
    _finds_neighbours_on_a_line(student)


def _finds_neighbours_on_a_line(student):
    """Agreeing with functions that compute nothing proves nothing: predict must also find the
    obvious neighbours of points on a line, each test point 1 from one training point and 9 from the
    next one up (any distance that keeps their order, and any vote with k = 1, finds them)."""
    X_line = np.array([[0.0, 0.0], [10.0, 0.0], [20.0, 0.0], [30.0, 0.0]])
    labels = student.call_method(KNN, [("train", (X_line, np.array([0, 1, 2, 3]))),
                                       ("predict", (X_line[[2, 0, 1]] + [1.0, 0.0],), {"k": 1})])
    assert_equal_labels(labels, [2, 0, 1], "predict(X, k=1) for test points each right next to one training "
                        "point on a line")
