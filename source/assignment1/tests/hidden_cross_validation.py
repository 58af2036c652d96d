"""Hidden tests for cross_validation.py: random sizes against the fold rule, random tables against
the reference.

Never released. The same checks as the public tests (autograder/fold_checks.py), on sizes and tables drawn
from the test's seed, with ties planted in the tables.
"""
import numpy as np

from autograder.fold_checks import BEST, FOLDS, check_best, check_folds
from autograder.testing import graded

NOTEBOOK = "knn.ipynb"
MODULE = "cross_validation"


@graded(FOLDS, points=1)
def fold_indices_follow_the_rule_on_random_sizes(student, rng):
    for _ in range(4):
        num_folds = int(rng.integers(2, 11))
        check_folds(student, int(rng.integers(num_folds, 500)), num_folds, "fold_indices on random sizes")


@graded(BEST, points=1)
def best_value_matches_reference_on_random_tables(student, reference, rng):
    ref = reference.module(MODULE)
    for tie in (False, True):
        values = [float(v) for v in rng.choice(np.arange(1, 200), size=int(rng.integers(3, 12)), replace=False)]
        scores = np.round(rng.uniform(0.1, 0.6, (len(values), int(rng.integers(2, 8)))), 3)
        if tie:  # two values with the same fold scores, and the best mean
            top = scores.mean(axis=1).argmax()
            other = (top + 1) % len(values)
            scores[other] = scores[top]
        check_best(student, values, scores, ref.best_value(values, scores), "a random table" + (" with a tie" if tie else ""))
