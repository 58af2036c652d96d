"""Public tests for cross_validation.py: `autograder check` runs these on your own machine.

Answers known by construction: folds of sizes that np.array_split's rule fixes, and small score
tables whose best value is clear (and one with a tie). The grader also runs hidden tests that
compare both functions with the reference solution on random sizes and tables.
"""
import numpy as np

from autograder.fold_checks import BEST, FOLDS, check_best, check_folds
from autograder.testing import graded

NOTEBOOK = "knn.ipynb"


@graded(FOLDS, points=1)
def fold_indices_cover_every_example_once_in_order(student):
    for num_examples, num_folds in ((20, 4), (23, 5), (7, 3), (2, 2)):
        check_folds(student, num_examples, num_folds)


@graded(BEST, points=1)
def best_value_on_small_tables(student):
    # means 0.25, 0.3, 0.4: the last value wins although another one has the best single fold
    check_best(student, [1, 3, 5], np.array([[0.2, 0.3], [0.5, 0.1], [0.4, 0.4]]), 5.0, "a table of three values")
    # values out of order, a tie between 2 and 7
    check_best(student, [7, 2, 1], np.array([[0.5, 0.5], [0.6, 0.4], [0.1, 0.2]]), 2.0, "a table with a tie")
