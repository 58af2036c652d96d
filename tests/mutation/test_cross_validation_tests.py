"""Mutation tests for the graded tests of cross_validation.py (source/assignment1/tests/
{public,hidden}_cross_validation.py): correct styles keep every point, each planted mistake costs
points in its own function only and gets the message that names it, the released stubs earn nothing.
"""
import pytest

from autograder.engine.discovery import load_tests

from mutation_helpers import (Bug, SOURCE_DIR, TESTS_DIR, assert_bug_caught, assert_full_marks,
                              assert_stubs_earn_nothing, edited_text, grade_module)

FOLDS = "cross_validation.fold_indices"
BEST = "cross_validation.best_value"
REFERENCE = (SOURCE_DIR / "cross_validation.py").read_text()

FOLD_BODY = ("    base, extra = divmod(num_examples, num_folds)\n"
             "    start = 0\n"
             "    for fold in range(num_folds):\n"
             "        size = base + (1 if fold < extra else 0)\n"
             "        folds.append(np.arange(start, start + size))\n"
             "        start += size\n")
BEST_BODY = ("    means = fold_scores.mean(axis=1)  # (V,)\n"
             "    for v in sorted(range(len(values)), key=lambda v: values[v]):\n"
             "        if best is None or means[v] > means[best]:\n"
             "            best = v\n"
             "    best = values[best]\n")


def edited(*changes):
    return edited_text(REFERENCE, "cross_validation.py", *changes)


@pytest.fixture(scope="module")
def graded_tests():
    tests = [t for t in load_tests(TESTS_DIR, include_hidden=True) if t.function in (FOLDS, BEST)]
    assert {t.function for t in tests} == {FOLDS, BEST} and all(
        {t.hidden for t in tests if t.function == f} == {False, True} for f in (FOLDS, BEST))
    return tests


def grade(graded_tests, folder, source):
    return grade_module(graded_tests, folder, "cross_validation.py", source)


def test_released_stubs_earn_nothing(graded_tests, tmp_path):
    assert_stubs_earn_nothing(graded_tests, tmp_path, "cross_validation.py", REFERENCE)


CORRECT = {
    "reference": lambda: REFERENCE,
    "folds_with_array_split_as_lists": lambda: edited(
        (FOLD_BODY, "    folds = [list(f) for f in np.array_split(np.arange(num_examples), num_folds)]\n")),
    "folds_from_cumulative_sizes": lambda: edited(
        (FOLD_BODY, "    sizes = [num_examples // num_folds + (f < num_examples % num_folds) for f in range(num_folds)]\n"
                    "    edges = np.cumsum([0] + sizes)\n"
                    "    folds = [np.arange(a, b) for a, b in zip(edges[:-1], edges[1:])]\n")),
    "best_value_with_argmax_over_sorted_values": lambda: edited(
        (BEST_BODY, "    order = np.argsort(values, kind='stable')\n"
                    "    best = values[order[np.argmax(fold_scores.mean(axis=1)[order])]]\n")),
    "best_value_with_max_and_a_key": lambda: edited(
        (BEST_BODY, "    table = dict(zip(values, fold_scores.tolist()))\n"
                    "    best = max(sorted(table), key=lambda v: (np.mean(table[v]), -v))\n")),
}


@pytest.mark.parametrize("variant", list(CORRECT))
def test_correct_styles_get_full_points(graded_tests, tmp_path, variant):
    assert_full_marks(variant, grade(graded_tests, tmp_path, CORRECT[variant]()), 4)


BUGS = {
    "folds_drop_the_remainder": Bug(lambda: edited(
        (FOLD_BODY, "    size = num_examples // num_folds\n"
                    "    folds = [np.arange(f * size, (f + 1) * size) for f in range(num_folds)]\n")), broken=FOLDS),
    "folds_put_the_longer_ones_last": Bug(lambda: edited(
        ("        size = base + (1 if fold < extra else 0)\n",
         "        size = base + (1 if fold >= num_folds - extra else 0)\n")), broken=FOLDS),
    "folds_shuffled": Bug(lambda: edited(
        (FOLD_BODY, "    order = np.random.permutation(num_examples)\n"
                    "    folds = np.array_split(order, num_folds)\n")), broken=FOLDS),
    "folds_with_the_remainder_in_the_last_fold": Bug(lambda: edited(
        (FOLD_BODY, "    size = num_examples // num_folds\n"
                    "    folds = [np.arange(f * size, (f + 1) * size) for f in range(num_folds - 1)]\n"
                    "    folds.append(np.arange((num_folds - 1) * size, num_examples))\n")), broken=FOLDS),
    "best_value_by_the_best_single_fold": Bug(lambda: edited(
        ("    means = fold_scores.mean(axis=1)  # (V,)\n", "    means = fold_scores.max(axis=1)  # (V,)\n")),
        broken=BEST),
    "best_value_ties_to_the_larger_value": Bug(lambda: edited(
        ("means[v] > means[best]", "means[v] >= means[best]")), broken=BEST),
    "best_value_returns_the_mean_score": Bug(lambda: edited(
        ("    best = values[best]\n", "    best = means[best]\n")), broken=BEST),
}

DIAGNOSES = {
    "folds_drop_the_remainder": "folds_miss_examples",
    "folds_put_the_longer_ones_last": "longer_folds_last",
    "folds_shuffled": "folds_not_consecutive",
    "folds_with_the_remainder_in_the_last_fold": "unbalanced_folds",
    "best_value_by_the_best_single_fold": "best_single_fold",
    "best_value_ties_to_the_larger_value": "tie_to_larger_value",
    "best_value_returns_the_mean_score": "returned_the_score",
}


@pytest.mark.parametrize("variant", list(BUGS))
def test_planted_mistake_costs_its_own_function_and_is_named(graded_tests, tmp_path, variant):
    bug = BUGS[variant]
    assert_bug_caught(variant, bug, grade(graded_tests, tmp_path, bug.source()), DIAGNOSES[variant])
