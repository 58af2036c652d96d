"""k-fold cross-validation: split the training examples into folds, then pick the best
hyperparameter value from the scores the folds gave.

Each fold is held out once while the model trains on the others; the mean score over the folds
estimates how well each value generalizes, without touching the validation or test data. knn.ipynb
uses both functions to choose k.
"""
import numpy as np


def fold_indices(num_examples, num_folds):
    """The indices of each of ``num_folds`` folds of ``num_examples`` examples.

    Folds hold consecutive indices, in order, and together cover 0, 1, ..., num_examples - 1
    exactly once. Their sizes differ by at most one: when num_examples is not a multiple of
    num_folds, the first num_examples % num_folds folds hold one example more (the rule of
    np.array_split). No shuffling: the course's splits are already in random order.

    Inputs:
    - num_examples: int N, the number of training examples.
    - num_folds: int, 2 <= num_folds <= N.

    Returns:
    - folds: list of num_folds int arrays; folds[f] holds the indices of fold f.
    Raises ValueError when num_folds is below 2 or above N.
    """
    if not 2 <= num_folds <= num_examples:
        raise ValueError(f"need 2 <= num_folds <= num_examples, got num_folds={num_folds}, "
                         f"num_examples={num_examples}")
    folds = []
    # TODO: build the folds: num_folds arrays of consecutive indices whose sizes differ by at most
    # one, the longer ones first.
    # YOUR CODE HERE
    raise NotImplementedError("fold_indices is not written yet: write it in cross_validation.py")
    return folds


def best_value(values, fold_scores):
    """The hyperparameter value whose folds scored best on average.

    Inputs:
    - values: sequence of V numbers, the values tried (e.g. the k of kNN), in any order.
    - fold_scores: array of shape (V, F); fold_scores[v, f] is the score (an accuracy: higher is
      better) of values[v] on fold f.

    Returns:
    - the value with the highest mean score over its folds; on a tie, the smallest such value.
    """
    values = list(values)
    fold_scores = np.asarray(fold_scores, dtype=np.float64)
    best = None
    # TODO: return the entry of values with the highest mean score (the smallest on a tie).
    # YOUR CODE HERE
    raise NotImplementedError("best_value is not written yet: write it in cross_validation.py")
    return best
