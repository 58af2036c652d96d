"""The multiclass SVM loss with a margin other than 1, for the experiment in optimization.ipynb.

Provided, not graded: the graded losses in classifiers/linear_svm.py fix the margin at 1. Here

    L(W) = mean over i of sum over j != y[i] of max(0, s[j] - s[y[i]] + delta) + reg * sum(W * W),

with s = X[i] @ W. Scaling W by delta turns margin 1 into margin delta: for any W,

    L_delta(delta * W, reg / delta) = delta * L_1(W, reg),

so the margin and the regularization strength trade off: only their product with the scale of W
matters, and delta = 1 loses nothing.
"""
import numpy as np


def svm_loss_with_margin(W, X, y, reg, delta=1.0):
    """Multiclass SVM loss and gradient with margin ``delta`` and an L2 penalty, without loops.

    - W: array of shape (D, C), one column of weights per class.
    - X: array of shape (N, D), one example per row.
    - y: int array of shape (N,), the correct class of each row, 0 <= y[i] < C.
    - reg: float, the strength of reg * sum(W * W).
    - delta: float > 0, the margin.
    Returns (loss as a float, dW of shape (D, C)).
    """
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X @ W  # (N, C)
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + delta)  # (N, C)
    margins[rows, y] = 0.0
    loss = float(np.sum(margins) / num_train + reg * np.sum(W * W))
    coeff = (margins > 0).astype(scores.dtype)  # (N, C)
    coeff[rows, y] = -np.sum(coeff, axis=1)
    return loss, X.T @ coeff / num_train + 2.0 * reg * W
