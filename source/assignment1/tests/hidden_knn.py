"""Hidden tests for the kNN classifier: compared with the reference solution on random inputs.

Never released. Tolerances: float64 inputs must agree to 1e-6 relative error; float32 inputs to
1e-4 (a float32 dot product loses about 7 digits). Distances below 1e-3 of the typical distance are
compared absolutely, since the ||a||^2 + ||b||^2 - 2ab expansion cancels there by design.
"""
import numpy as np

from autograder.testing import (Diagnosis, StudentCallError, TestFailure, as_array, assert_close,
                                assert_equal_labels, assert_max_loops, assert_responds, check, graded)

NOTEBOOK = "knn.ipynb"
KNN = "classifiers.k_nearest_neighbor.KNearestNeighbor"
MODULE = "classifiers.k_nearest_neighbor"
MODULE_FILE = "classifiers/k_nearest_neighbor.py"


def _data(rng, num_train=60, num_test=15, dim=48, dtype=np.float64, pixels=False):
    if pixels:  # like CIFAR-10 rows: integers 0..255, mean not subtracted
        X_train = rng.integers(0, 256, (num_train, dim)).astype(dtype)
        X_test = rng.integers(0, 256, (num_test, dim)).astype(dtype)
    else:
        X_train = rng.standard_normal((num_train, dim)).astype(dtype)
        X_test = rng.standard_normal((num_test, dim)).astype(dtype)
    y_train = rng.integers(0, 10, num_train)
    return X_train, y_train, X_test


def _reference_dists(reference, X_train, y_train, X_test):
    knn = reference.module(MODULE).KNearestNeighbor()
    knn.train(X_train.astype(np.float64), y_train)
    return knn.compute_distances_two_loops(X_test.astype(np.float64))


def _compare_dists(student, reference, method, X_train, y_train, X_test, rtol):
    got = student.call_method(KNN, [("train", (X_train, y_train)), (method, (X_test,))])
    expected = _reference_dists(reference, X_train, y_train, X_test)
    assert_close(got, expected, f"{method} on random {X_test.dtype} data", rtol=rtol,
                 floor=1e-3 * float(np.median(expected)), diagnoses=_distance_mistakes(expected, X_train, X_test))


def _distance_mistakes(expected, X_train, X_test):
    """Known mistakes of the distance functions, as the distances they give."""
    diff = X_test.astype(np.float64)[:, None, :] - X_train.astype(np.float64)[None, :, :]
    return [Diagnosis("sqrt_missing", "these are squared distances: take the square root",
                      expected ** 2),
            Diagnosis("l1_distance", "these are L1 distances (sum of absolute differences): the L2 "
                      "distance is the square root of the sum of squared differences",
                      np.sum(np.abs(diff), axis=2)),
            Diagnosis("integer_distances", "the distances are rounded down to whole numbers: allocate "
                      "dists as a float array (integer images give integer arrays)", np.floor(expected))]


def _answers_with_right_shape(student, method, X_train, y_train, X_test):
    """What a loop test asks besides the loop count: an answer (a stub has no loops either), not a
    right one (the value tests judge that)."""
    answers = [as_array(student.call_method(KNN, [("train", (X_train, y_train)), (method, (X,))]), method,
                        shape=(len(X_test), len(X_train))) for X in (X_test, X_test + 1.0)]
    assert_responds(*answers, method)


@graded(KNN + ".compute_distances_two_loops", points=2)
def two_loops_matches_reference(student, reference, rng):
    _compare_dists(student, reference, "compute_distances_two_loops", *_data(rng), rtol=1e-6)


@graded(KNN + ".compute_distances_two_loops", points=1)
def two_loops_accepts_float32_pixels(student, reference, rng):
    _compare_dists(student, reference, "compute_distances_two_loops",
                   *_data(rng, dtype=np.float32, pixels=True), rtol=1e-4)
    # Integer pixels, as loaded from disk: distances are not whole numbers, so an array of
    # distances made with the input's dtype would truncate them.
    _compare_dists(student, reference, "compute_distances_two_loops",
                   *_data(rng, dtype=np.int64, pixels=True), rtol=1e-6)


@graded(KNN + ".compute_distances_two_loops", points=1, fresh=True)
def two_loops_uses_at_most_two_loops(student, reference, rng):
    _answers_with_right_shape(student, "compute_distances_two_loops", *_data(rng, num_train=10, num_test=3))
    assert_max_loops(student, MODULE_FILE, "KNearestNeighbor.compute_distances_two_loops", 2)


@graded(KNN + ".compute_distances_one_loop", points=2)
def one_loop_matches_reference(student, reference, rng):
    _compare_dists(student, reference, "compute_distances_one_loop", *_data(rng), rtol=1e-6)


@graded(KNN + ".compute_distances_one_loop", points=1)
def one_loop_accepts_float32_pixels(student, reference, rng):
    _compare_dists(student, reference, "compute_distances_one_loop",
                   *_data(rng, dtype=np.float32, pixels=True), rtol=1e-4)
    # Integer pixels, as loaded from disk: distances are not whole numbers, so an array of
    # distances made with the input's dtype would truncate them.
    _compare_dists(student, reference, "compute_distances_one_loop",
                   *_data(rng, dtype=np.int64, pixels=True), rtol=1e-6)


@graded(KNN + ".compute_distances_one_loop", points=1, fresh=True)
def one_loop_uses_at_most_one_loop(student, reference, rng):
    _answers_with_right_shape(student, "compute_distances_one_loop", *_data(rng, num_train=10, num_test=3))
    assert_max_loops(student, MODULE_FILE, "KNearestNeighbor.compute_distances_one_loop", 1)


@graded(KNN + ".compute_distances_no_loops", points=2)
def no_loops_matches_reference(student, reference, rng):
    _compare_dists(student, reference, "compute_distances_no_loops",
                   *_data(rng, num_train=200, num_test=40), rtol=1e-6)


@graded(KNN + ".compute_distances_no_loops", points=1)
def no_loops_accepts_float32_pixels(student, reference, rng):
    _compare_dists(student, reference, "compute_distances_no_loops",
                   *_data(rng, dtype=np.float32, pixels=True), rtol=1e-4)
    # Integer pixels, as loaded from disk: distances are not whole numbers, so an array of
    # distances made with the input's dtype would truncate them.
    _compare_dists(student, reference, "compute_distances_no_loops",
                   *_data(rng, dtype=np.int64, pixels=True), rtol=1e-6)


@graded(KNN + ".compute_distances_no_loops", points=1)
def no_loops_accepts_non_contiguous_input(student, reference, rng):
    X_train, y_train, X_test = _data(rng, dim=96)
    X_train, X_test = np.asfortranarray(X_train[:, ::2]), X_test[:, 1::2]  # (60, 48), (15, 48)
    _compare_dists(student, reference, "compute_distances_no_loops", X_train, y_train, X_test, rtol=1e-6)


@graded(KNN + ".compute_distances_no_loops", points=1)
def no_loops_keeps_duplicates_at_distance_zero(student, reference, rng):
    # Every training row is also a test row. With continuous values (integer pixels sum exactly in
    # float64), ||a||^2 + ||b||^2 - 2ab rounds to a tiny negative for some of the 30 duplicates, so a
    # missing clip before np.sqrt shows up as nan. At a duplicate the expansion keeps an absolute error
    # of about sqrt(eps) * ||a||, so those entries are checked against a small absolute bound.
    X_train = rng.uniform(0, 255, (30, 3072))
    y_train = np.zeros(30, dtype=np.int64)
    X_test = np.vstack([X_train, rng.uniform(0, 255, (3, 3072))])
    got = student.call_method(KNN, [("train", (X_train, y_train)), ("compute_distances_no_loops", (X_test,))])
    expected = _reference_dists(reference, X_train, y_train, X_test)
    what = "compute_distances_no_loops with duplicated points"
    got = as_array(got, what, shape=expected.shape)
    check(np.all(np.isfinite(got)), f"{what} contains nan or inf: clip squared distances at zero before np.sqrt", diagnosis="no_clip_before_sqrt")
    same = np.zeros(expected.shape, dtype=bool)
    same[np.arange(30), np.arange(30)] = True
    assert_close(got[~same], expected[~same], what, rtol=1e-6)
    check(np.max(np.abs(got[same])) <= 1e-5 * float(np.median(expected)),
          "the distance of a point to itself should be (almost) zero")


def _reference_labels(reference, dists, y_train, k):
    knn = reference.module(MODULE).KNearestNeighbor()
    knn.train(np.zeros((len(y_train), 1)), y_train)
    return knn.predict_labels(dists, k=k)


def _label_mistakes(reference, dists, y_train, k):
    """Known mistakes of predict_labels, as the labels they give."""
    nearest = np.argsort(dists, axis=1, kind="stable")[:, :k]  # (N, k) indices of the neighbours
    votes = [np.bincount(y_train[row], minlength=int(y_train.max()) + 1) for row in nearest]
    mistakes = [Diagnosis("ties_to_larger_label", "a tied vote goes to the larger label; the smaller "
                          "label should win (np.argmax of the counts returns the first maximum)",
                          np.array([len(v) - 1 - int(np.argmax(v[::-1])) for v in votes])),
                Diagnosis("ties_to_nearest_neighbour", "a tied vote goes to the label of the nearest "
                          "neighbour; the smaller label should win", np.array([
                              next(y_train[j] for j in row if v[y_train[j]] == v.max())
                              for row, v in zip(nearest, votes)])),
                Diagnosis("indices_instead_of_labels", "these are indices of training points: look "
                          "up their labels in self.y_train", nearest[:, 0])]
    if k + 1 <= dists.shape[1]:
        mistakes.append(Diagnosis("k_off_by_one", "this votes among k + 1 neighbours: take the k "
                                  "closest", _reference_labels(reference, dists, y_train, k + 1)))
    if k > 1:
        mistakes.append(Diagnosis("k_ignored", "this uses the single nearest neighbour whatever k is: "
                                  "vote among the k closest", _reference_labels(reference, dists, y_train, 1)))
    return mistakes


@graded(KNN + ".predict_labels", points=2)
def predict_labels_matches_reference_for_several_k(student, reference, rng):
    dists = rng.random((25, 40))  # continuous: no two neighbours at the same distance
    y_train = rng.integers(0, 10, 40)
    for k in (1, 3, 5, 8):
        got = student.call_method(KNN, [("train", (np.zeros((40, 1)), y_train)),
                                        ("predict_labels", (dists,), {"k": k})])
        assert_equal_labels(got, _reference_labels(reference, dists, y_train, k), f"predict_labels with {'k = 1' if k == 1 else 'a larger k'}",
                            _label_mistakes(reference, dists, y_train, k))


@graded(KNN + ".predict_labels", points=2)
def predict_labels_breaks_vote_ties_towards_smaller_label(student, reference, rng):
    # Few classes and even k make vote ties common; the smaller label must win every one.
    dists = rng.random((40, 12))
    y_train = rng.integers(0, 3, 12)
    for k in (2, 4, 6):
        got = student.call_method(KNN, [("train", (np.zeros((12, 1)), y_train)),
                                        ("predict_labels", (dists,), {"k": k})])
        assert_equal_labels(got, _reference_labels(reference, dists, y_train, k), "vote ties (an even k)",
                            _label_mistakes(reference, dists, y_train, k))


@graded(KNN + ".predict", points=2)
def predict_wires_each_distance_function_to_predict_labels(student, reference, rng):
    # predict's own job is the wiring: pick the distance function num_loops names and pass its
    # distances and k to predict_labels. It is compared with what the student's own two functions
    # give together, so a bug in those costs points there and not here. A num_loops whose distance
    # function gives nothing usable (an error, the wrong shape) cannot be judged that way and is
    # left out; only when none can be judged does the reference stand in. Agreeing with functions
    # that compute nothing proves nothing, so predict must also find the nearest neighbours of an
    # easy problem (``_finds_neighbours_on_a_line``).
    X_train, y_train, X_test = _data(rng, num_train=80, num_test=20, dtype=np.float32)
    cases = []
    for num_loops, method in ((0, "compute_distances_no_loops"), (1, "compute_distances_one_loop"),
                              (2, "compute_distances_two_loops")):
        expected = _own_labels(student, X_train, y_train, X_test, method, k=5)
        if expected is not None:
            cases.append((num_loops, expected, f"predict_labels({method.replace('compute_', '')}(X), k)"))
    if not cases:
        knn = reference.module(MODULE).KNearestNeighbor()
        knn.train(X_train.astype(np.float64), y_train)
        expected = knn.predict(X_test.astype(np.float64), k=5, num_loops=2)
        cases = [(num_loops, expected, "the right labels") for num_loops in (0, 1, 2)]
    for num_loops, expected, source in cases:
        got = student.call_method(KNN, [("train", (X_train, y_train)),
                                        ("predict", (X_test,), {"k": 5, "num_loops": num_loops})])
        assert_equal_labels(got, expected, f"predict(X, k, num_loops={num_loops}) (compared with {source})")
    _finds_neighbours_on_a_line(student, rng, [num_loops for num_loops, *_ in cases])


def _finds_neighbours_on_a_line(student, rng, modes):
    """The independent check of predict (against the truth, not the student's other functions):
    training points on a line, 10 apart, each labelled with its own index, and every test point 1
    from one of them (its second neighbour is the next point up the line). With k = 1 the labels are
    known, and every single bug of a distance function that keeps the order of distances (squared,
    L1, rounded down, float32) or of predict_labels (ties either way, k + 1 neighbours, indices
    for labels, k ignored) still gives them, while functions that compute nothing do not. Passing
    for one num_loops of ``modes`` is enough (a bug in one distance function costs that function)."""
    num_train, dim = 12, 16
    direction = rng.standard_normal(dim)
    direction /= np.linalg.norm(direction)
    offset = rng.standard_normal(dim)
    X_train = offset + (10.0 * np.arange(num_train))[:, None] * direction  # (num_train, dim)
    nearest = rng.permutation(num_train - 1)  # (num_test,) the training point each test point sits by
    X_test = offset + (10.0 * nearest + 1.0)[:, None] * direction  # (num_test, dim)
    y_train = np.arange(num_train)
    for num_loops in modes:
        try:
            got = student.call_method(KNN, [("train", (X_train, y_train)),
                                            ("predict", (X_test,), {"k": 1, "num_loops": num_loops})])
        except StudentCallError:
            continue
        if np.shape(got) == nearest.shape and np.array_equal(np.asarray(got), nearest):
            return
    # Before naming predict's mistake: does the student's own predict_labels find them, given the
    # true distances? If not, predict cannot, and the mistake to fix first is predict_labels's.
    dists = np.sqrt(((X_test[:, None, :] - X_train[None, :, :]) ** 2).sum(axis=2))  # (num_test, num_train)
    try:
        labels = student.call_method(KNN, [("train", (X_train, y_train)), ("predict_labels", (dists,), {"k": 1})])
    except StudentCallError:
        labels = None
    if labels is None or np.shape(labels) != nearest.shape or not np.array_equal(np.asarray(labels), nearest):
        raise TestFailure("predict(X, k=1) misses the nearest training point even when each test point sits "
                          "right next to one, and so does your predict_labels given the true distances: fix "
                          "predict_labels first")
    raise TestFailure("predict(X, k=1) misses the nearest training point even when each test point sits "
                      "right next to one: it should return predict_labels of the distances it computes",
                      diagnosis="predict_misses_obvious_neighbours")


def _own_labels(student, X_train, y_train, X_test, method, k):
    """predict_labels(method(X_test), k) with the student's own functions, or None when either
    gives no usable answer."""
    try:
        dists = as_array(student.call_method(KNN, [("train", (X_train, y_train)), (method, (X_test,))]),
                         method, shape=(len(X_test), len(X_train)))
        labels = student.call_method(KNN, [("train", (X_train, y_train)),
                                           ("predict_labels", (dists,), {"k": k})])
        return as_array(labels, "predict_labels", shape=(len(X_test),), integer=True)
    except (StudentCallError, TestFailure):
        return None
