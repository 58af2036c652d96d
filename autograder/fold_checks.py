"""Checks of the cross-validation helpers (cross_validation.py of assignment 1), shared by their
public and hidden tests: the fold rule of the docstring and the best value of a score table, each
naming the usual mistakes. The answers are fixed by the rules (np.array_split's sizes; the highest
mean, the smallest value on a tie), so no reference is needed to state them.
"""
import numpy as np

from .engine.api import TestFailure, as_array, check

FOLDS = "cross_validation.fold_indices"
BEST = "cross_validation.best_value"


def check_folds(student, num_examples, num_folds, what=None):
    """The student's folds against the rule of the docstring, naming the usual mistakes. ``what``
    names the call in messages (default: the call itself, with its sizes; hidden tests pass words,
    so that no size of theirs reaches the student)."""
    call = what or f"fold_indices({num_examples}, {num_folds})"
    answer = student.call(FOLDS, num_examples, num_folds)
    check(isinstance(answer, (list, tuple)), "fold_indices should return a list of arrays",
          f"got {type(answer).__name__}")
    check(len(answer) == num_folds, f"{call} returned the wrong number of folds: one per fold asked for",
          f"got {len(answer)}, expected {num_folds}", diagnosis="wrong_number_of_folds")
    folds = [as_array(f, f"a fold of {call}", integer=True).ravel() for f in answer]
    joined = np.concatenate(folds) if folds else np.array([], dtype=int)
    check(np.array_equal(np.sort(joined), np.arange(num_examples)),
          f"the folds of {call} do not hold every index exactly once: every example belongs to one fold "
          "(the remainder too)", diagnosis="folds_miss_examples")
    check(np.array_equal(joined, np.arange(num_examples)),
          f"the folds of {call} are not consecutive indices in order: no shuffling, fold 0 starts at index 0",
          diagnosis="folds_not_consecutive")
    sizes = [len(f) for f in folds]
    base, extra = divmod(num_examples, num_folds)
    expected = [base + 1] * extra + [base] * (num_folds - extra)
    if sizes != expected:
        if sorted(sizes) == sorted(expected):
            raise TestFailure(f"{call}: the longer folds come first (np.array_split's rule), not last",
                              f"sizes {sizes}", diagnosis="longer_folds_last")
        raise TestFailure(f"{call}: fold sizes must differ by at most one",
                          f"sizes {sizes}, expected {expected}", diagnosis="unbalanced_folds")


def check_best(student, values, fold_scores, expected, what):
    """The student's best_value against the known answer, naming the usual mistakes."""
    got = float(as_array(student.call(BEST, values, fold_scores), f"best_value for {what}", shape=()))
    means = np.mean(fold_scores, axis=1)
    best_fold = values[int(np.argmax(np.max(fold_scores, axis=1)))]
    if got == expected:
        return
    tied = [v for v, m in zip(values, means) if m == means.max()]
    if len(tied) > 1 and got == max(tied):
        raise TestFailure(f"best_value for {what}: on a tie the smallest value wins", diagnosis="tie_to_larger_value")
    if got == best_fold:
        raise TestFailure(f"best_value for {what}: that value has the best single fold; compare the mean over "
                          "the folds", diagnosis="best_single_fold")
    if np.any(np.isclose(got, means)) and got not in values:
        raise TestFailure(f"best_value for {what} returned a mean score; return the value (e.g. k) itself",
                          diagnosis="returned_the_score")
    raise TestFailure(f"best_value for {what} is not the value with the highest mean score", f"got {got:g}, "
                      f"expected {expected:g}")
