"""Mutation tests for the graded kNN tests (source/assignment1/tests/{public,hidden}_knn.py).

Each case writes a student folder holding a variant of the reference kNN module, grades it with the
real grader (sandbox included, public and hidden tests, reference solution available) and checks
the verdict:

- correct variants (other valid ways to write the code) must get full points on every test;
- buggy variants (realistic student mistakes) must lose points on the function they break, with at
  least one of its tests "failed" or "error", and keep full points on the functions that cannot be
  affected by the bug.

Variants are the reference text with exact reference lines replaced (the replacement asserts the old
text is present, so an edit to the reference breaks these tests loudly instead of making them vacuous).
"""
from pathlib import Path

import pytest

from autograder.engine.discovery import load_tests

from mutation_helpers import (Bug, assert_full_marks, SOURCE_DIR, TESTS_DIR, assert_bug_caught, grade_folder,
                              reference_imports_isolated)
REFERENCE_FILE = SOURCE_DIR / "classifiers" / "k_nearest_neighbor.py"

KNN = "classifiers.k_nearest_neighbor.KNearestNeighbor."
TWO_LOOPS = KNN + "compute_distances_two_loops"
ONE_LOOP = KNN + "compute_distances_one_loop"
NO_LOOPS = KNN + "compute_distances_no_loops"
PREDICT_LABELS = KNN + "predict_labels"
PREDICT = KNN + "predict"
ALL_FUNCTIONS = (TWO_LOOPS, ONE_LOOP, NO_LOOPS, PREDICT_LABELS, PREDICT)
DISTANCES = (TWO_LOOPS, ONE_LOOP, NO_LOOPS)

# -- exact lines of the reference solution that the variants replace --------------------------------

IMPORTS = "import numpy as np\n"
TWO_LOOPS_DIFF = "                diff = X[i].astype(np.float64) - self.X_train[j]  # (D,)\n"
TWO_LOOPS_STORE = "                dists[i, j] = np.sqrt(np.sum(diff * diff))\n"
ONE_LOOP_DIFF = "            diff = self.X_train - X[i].astype(np.float64)  # (num_train, D)\n"
ONE_LOOP_STORE = "            dists[i, :] = np.sqrt(np.sum(diff * diff, axis=1))\n"
ZEROS = "dists = np.zeros((num_test, num_train))\n"  # once in each distance method
TWO_LOOPS_ZEROS = ("        dists = np.zeros((num_test, num_train))\n"
                   "        for i in range(num_test):\n"
                   "            for j in range(num_train):\n")
NO_LOOPS_X_TEST = "        X_test = np.asarray(X, dtype=np.float64)  # (num_test, D)\n"
NO_LOOPS_X_TRAIN = "        X_train = np.asarray(self.X_train, dtype=np.float64)  # (num_train, D)\n"
NO_LOOPS_SQ = ("        sq_dists = test_sq[:, None] + train_sq[None, :] - 2.0 * cross"
               "  # (num_test, num_train)\n")
NO_LOOPS_SQRT = "        dists = np.sqrt(np.maximum(sq_dists, 0.0))\n"
NO_LOOPS_BODY = NO_LOOPS_X_TEST + "".join(
    line + "\n" for line in [
        NO_LOOPS_X_TRAIN.rstrip("\n"),
        "        test_sq = np.sum(X_test * X_test, axis=1)  # (num_test,)",
        "        train_sq = np.sum(X_train * X_train, axis=1)  # (num_train,)",
        "        cross = X_test @ X_train.T  # (num_test, num_train)",
        NO_LOOPS_SQ.rstrip("\n"),
        NO_LOOPS_SQRT.rstrip("\n"),
    ])
LABELS_NEAREST = ('            nearest = np.argsort(dists[i], kind="stable")[:k]'
                  "  # (k,) indices into X_train\n")
LABELS_BODY = LABELS_NEAREST + (
    "            closest_y = np.asarray(self.y_train)[nearest].astype(np.int64)  # (k,)\n"
    "            votes = np.bincount(closest_y)  # votes[c] = number of neighbors with label c\n"
    "            y_pred[i] = np.argmax(votes)  # argmax returns the first maximum: the smallest label\n")
LABELS_ARGMAX = ("            y_pred[i] = np.argmax(votes)"
                 "  # argmax returns the first maximum: the smallest label\n")
PREDICT_RETURN = "        return self.predict_labels(dists, k=k)\n"


def reference_source():
    return REFERENCE_FILE.read_text()


def edited(*changes):
    """The reference module with each ``(old, new[, count])`` applied; ``old`` must occur exactly
    ``count`` times (default 1), so a changed reference fails here instead of silently passing."""
    text = reference_source()
    for change in changes:
        old, new, count = (*change, 1) if len(change) == 2 else change
        found = text.count(old)
        assert found == count, (f"reference k_nearest_neighbor.py changed: expected {count} "
                                f"occurrence(s) of {old!r}, found {found}; update this mutation")
        text = text.replace(old, new)
    return text


def write_student(folder, knn_source):
    """A minimal student folder: classifiers/__init__.py and classifiers/k_nearest_neighbor.py."""
    package = Path(folder) / "classifiers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Student classifiers."""\n')
    (package / "k_nearest_neighbor.py").write_text(knn_source)
    return Path(folder)


# -- fixtures --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_tests():
    """The public and hidden kNN tests, loaded once.

    The grader imports the reference solution in this process as the top-level package
    ``classifiers`` (``Reference.module``); keep that from leaking into, or being shadowed by, other
    test modules by isolating sys.path and sys.modules for the duration of this module.
    """
    tests = [t for t in load_tests(TESTS_DIR, include_hidden=True) if t.function in ALL_FUNCTIONS]
    assert {t.function for t in tests} == set(ALL_FUNCTIONS), "graded kNN functions changed"
    assert any(t.hidden for t in tests) and any(not t.hidden for t in tests)
    with reference_imports_isolated():
        yield tests


def grade(graded_tests, folder, knn_source):
    return grade_folder(graded_tests, write_student(folder, knn_source))


# -- correct variants: full points everywhere --------------------------------------------------------

BROADCAST_NO_LOOPS = ("        dists = np.sqrt(((X[:, None, :] - self.X_train[None, :, :]) ** 2)"
                      ".sum(axis=2))\n")

COUNTER_LABELS = (
    "            nearest = np.argsort(dists[i])[:k]  # default kind: quicksort, not stable\n"
    "            counts = Counter(int(label) for label in np.asarray(self.y_train)[nearest])\n"
    "            most = max(counts.values())\n"
    "            y_pred[i] = min(label for label, n in counts.items() if n == most)\n")

CORRECT = {
    "reference": lambda: edited(),
    "no_loops_by_3d_broadcasting": lambda: edited((NO_LOOPS_BODY, BROADCAST_NO_LOOPS)),
    # float32 in, float32 arithmetic all the way: no astype/asarray to float64, float32 outputs.
    "float32_arithmetic_for_float32_input": lambda: edited(
        (TWO_LOOPS_DIFF, "                diff = X[i] - self.X_train[j]\n"),
        (ONE_LOOP_DIFF, "            diff = self.X_train - X[i]\n"),
        (NO_LOOPS_X_TEST, "        X_test = X\n"),
        (NO_LOOPS_X_TRAIN, "        X_train = self.X_train\n"),
        # float32 stays float32; integer pixels still get float distances
        (ZEROS, "dists = np.zeros((num_test, num_train), dtype=np.result_type(X.dtype, np.float32))\n", 3)),
    "predict_labels_unstable_argsort_and_counter": lambda: edited(
        (IMPORTS, "from collections import Counter\n\nimport numpy as np\n"),
        (LABELS_BODY, COUNTER_LABELS)),
    "no_loops_with_scipy_cdist": lambda: edited(
        (IMPORTS, "import numpy as np\nfrom scipy.spatial.distance import cdist\n"),
        (NO_LOOPS_BODY, "        dists = cdist(X, self.X_train)  # euclidean by default\n")),
    "predict_ignores_num_loops": lambda: edited(
        (PREDICT_RETURN, "        return self.predict_labels(self.compute_distances_two_loops(X), k=k)\n")),
}


@pytest.mark.parametrize("variant", list(CORRECT))
def test_correct_implementation_gets_full_points(graded_tests, tmp_path, variant):
    results = grade(graded_tests, tmp_path, CORRECT[variant]())
    assert_full_marks(variant, results, sum(t.points for t in graded_tests))


# -- buggy variants: lose points where the bug is, and nowhere else ----------------------------------

WRONG_AXES_T = "        sq_dists = test_sq[None, :] + train_sq[:, None] - 2.0 * cross.T\n"
WRONG_AXES = "        sq_dists = test_sq[None, :] + train_sq[:, None] - 2.0 * cross\n"
LOOPING_HELPER = '''

def _pairwise_distances(A, B):
    out = np.empty((A.shape[0], B.shape[0]))
    for i in range(A.shape[0]):
        out[i] = np.sqrt(np.sum((B - A[i]) ** 2, axis=1))
    return out
'''
NO_LOOPS_AST_TEST = "no_loops_uses_no_loops"
NO_LOOPS_VALUE_TESTS = ("no_loops_points_on_a_line", "no_loops_matches_reference",
                        "no_loops_accepts_float32_pixels", "no_loops_accepts_non_contiguous_input",
                        "no_loops_keeps_duplicates_at_distance_zero")

ROW_DISTANCE = "lambda x: np.sqrt(np.sum((self.X_train - x) ** 2, axis=1))"

BUGS = {
    # Integer pixels (as loaded from disk) give distances that are not whole numbers.
    "two_loops_allocates_dists_with_the_input_dtype": Bug(
        lambda: edited((TWO_LOOPS_ZEROS, TWO_LOOPS_ZEROS.replace("np.zeros((num_test, num_train))",
                                                                 "np.zeros((num_test, num_train), dtype=X.dtype)"))),
        broken=TWO_LOOPS,
        must_fail=("two_loops_accepts_float32_pixels",)),
    # Squared distances keep the neighbour order, so predict (num_loops=0) is unaffected.
    "no_loops_forgets_sqrt": Bug(
        lambda: edited((NO_LOOPS_SQRT, "        dists = np.maximum(sq_dists, 0.0)\n")),
        broken=NO_LOOPS,
        must_pass=(NO_LOOPS_AST_TEST,)),  # a wrong value is not a loop
    "one_loop_uses_l1_distance": Bug(
        lambda: edited((ONE_LOOP_STORE, "            dists[i, :] = np.sum(np.abs(diff), axis=1)\n")),
        broken=ONE_LOOP),
    # predict is judged against the student's own distances and predict_labels, so a wrong value
    # costs it nothing; a num_loops whose distance function crashes or returns the wrong shape is
    # left out of predict's hidden test, and the public one is declared uses=(those functions).
    "two_loops_returns_transposed_matrix": Bug(
        lambda: edited((TWO_LOOPS_ZEROS,
                        TWO_LOOPS_ZEROS.replace("(num_test, num_train)", "(num_train, num_test)")),
                       (TWO_LOOPS_STORE, "                dists[j, i] = np.sqrt(np.sum(diff * diff))\n")),
        broken=TWO_LOOPS,
        must_fail=("two_loops_known_distances", "two_loops_matches_reference")),
    "no_loops_swaps_norm_axes_and_transposes": Bug(
        lambda: edited((NO_LOOPS_SQ, WRONG_AXES_T)),
        broken=NO_LOOPS),
    "no_loops_swaps_norm_axes_shape_mismatch": Bug(
        lambda: edited((NO_LOOPS_SQ, WRONG_AXES)),
        broken=NO_LOOPS,
        must_fail=("no_loops_matches_reference",), statuses=("error",)),
    "no_loops_forgets_clip_before_sqrt": Bug(
        lambda: edited((NO_LOOPS_SQRT, "        dists = np.sqrt(sq_dists)\n")),
        broken=NO_LOOPS),
    "predict_labels_breaks_ties_towards_larger_label": Bug(
        lambda: edited((LABELS_ARGMAX,
                        "            y_pred[i] = len(votes) - 1 - np.argmax(votes[::-1])\n")),
        broken=PREDICT_LABELS),
    "predict_labels_breaks_ties_towards_nearest_via_most_common": Bug(
        lambda: edited((IMPORTS, "from collections import Counter\n\nimport numpy as np\n"),
                       (LABELS_ARGMAX,
                        "            y_pred[i] = Counter(closest_y.tolist()).most_common(1)[0][0]\n")),
        broken=PREDICT_LABELS,
        must_fail=("predict_labels_breaks_vote_ties_towards_smaller_label",)),
    "predict_labels_uses_k_plus_one_neighbours": Bug(
        lambda: edited((LABELS_NEAREST, LABELS_NEAREST.replace("[:k]", "[:k + 1]"))),
        broken=PREDICT_LABELS),
    "no_loops_hides_a_loop_in_a_list_comprehension": Bug(
        lambda: edited((NO_LOOPS_BODY,
                        "        dists = np.array([np.sqrt(np.sum((self.X_train - x) ** 2, axis=1))"
                        " for x in X])\n")),
        broken=NO_LOOPS,
        must_fail=(NO_LOOPS_AST_TEST,), must_pass=NO_LOOPS_VALUE_TESTS),
    "no_loops_calls_a_module_helper_that_loops": Bug(
        lambda: edited((IMPORTS, IMPORTS + LOOPING_HELPER),
                       (NO_LOOPS_BODY, "        dists = _pairwise_distances(X, self.X_train)\n")),
        broken=NO_LOOPS,
        must_fail=(NO_LOOPS_AST_TEST,), must_pass=NO_LOOPS_VALUE_TESTS),
    "no_loops_calls_the_one_loop_method": Bug(
        lambda: edited((NO_LOOPS_BODY, "        dists = self.compute_distances_one_loop(X)\n")),
        broken=NO_LOOPS,
        must_fail=(NO_LOOPS_AST_TEST,), must_pass=NO_LOOPS_VALUE_TESTS),
    "no_loops_hides_a_loop_in_map": Bug(
        lambda: edited((NO_LOOPS_BODY, f"        dists = np.array(list(map({ROW_DISTANCE}, X)))\n")),
        broken=NO_LOOPS,
        must_fail=(NO_LOOPS_AST_TEST,), must_pass=NO_LOOPS_VALUE_TESTS),
    "no_loops_hides_a_loop_in_apply_along_axis": Bug(
        lambda: edited((NO_LOOPS_BODY, f"        dists = np.apply_along_axis({ROW_DISTANCE}, 1, X)\n")),
        broken=NO_LOOPS,
        must_fail=(NO_LOOPS_AST_TEST,), must_pass=NO_LOOPS_VALUE_TESTS),
    "predict_ignores_k": Bug(
        lambda: edited((PREDICT_RETURN, "        return self.predict_labels(dists)\n")),
        broken=PREDICT),
}


# The mistake each planted bug should be named as (autograder/engine/diagnosis.py and the hidden tests):
# the proof that every diagnosis fires on the bug it describes.
DIAGNOSES = {
    "two_loops_allocates_dists_with_the_input_dtype": "integer_distances",
    "no_loops_forgets_sqrt": "sqrt_missing",
    "one_loop_uses_l1_distance": "l1_distance",
    "two_loops_returns_transposed_matrix": "transposed",
    "no_loops_swaps_norm_axes_and_transposes": "transposed",
    "no_loops_forgets_clip_before_sqrt": "no_clip_before_sqrt",
    "predict_labels_breaks_ties_towards_larger_label": "ties_to_larger_label",
    "predict_labels_breaks_ties_towards_nearest_via_most_common": "ties_to_nearest_neighbour",
    "predict_labels_uses_k_plus_one_neighbours": "k_off_by_one",
    "no_loops_hides_a_loop_in_a_list_comprehension": "too_many_loops",
    "no_loops_calls_a_module_helper_that_loops": "too_many_loops",
    "no_loops_calls_the_one_loop_method": "too_many_loops",
    "no_loops_hides_a_loop_in_map": "too_many_loops",
    "no_loops_hides_a_loop_in_apply_along_axis": "too_many_loops",
}


@pytest.mark.parametrize("variant", [pytest.param(name, marks=bug.marks) for name, bug in BUGS.items()])
def test_buggy_implementation_loses_points_on_the_broken_function(graded_tests, tmp_path, variant):
    bug = BUGS[variant]
    results = grade(graded_tests, tmp_path, bug.source())
    assert_bug_caught(variant, bug, results, DIAGNOSES.get(variant, ""))
