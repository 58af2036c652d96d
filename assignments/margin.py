"""The multiclass SVM loss with a margin other than 1, for the experiment in optimization.ipynb.

Provided, not graded, and built on your own loss: the graded losses in classifiers/linear_svm.py
fix the margin at 1. With margin delta,

    L_delta(W, reg) = mean over i of sum over j != y[i] of max(0, s[j] - s[y[i]] + delta) + reg * sum(W * W),

with s = X[i] @ W. Scaling W by delta scales every score and every margin by delta and the penalty
by delta ** 2, so for any W

    L_delta(delta * W, reg / delta) = delta * L_1(W, reg),

and the gradient of the left side with respect to delta * W is the gradient of L_1 with respect
to W. Read with V = delta * W, that is how :func:`svm_loss_with_margin` computes L_delta from your
margin-1 loss: L_delta(V, reg) = delta * L_1(V / delta, reg * delta), same gradient.
"""


def svm_loss_with_margin(svm_loss, W, X, y, reg, delta=1.0):
    """Multiclass SVM loss and gradient with margin ``delta`` and an L2 penalty, from ``svm_loss``.

    - svm_loss: a margin-1 SVM loss with the signature of classifiers/linear_svm.py's
      (your ``svm_loss_vectorized``): ``svm_loss(W, X, y, reg)`` returns (loss, dW).
    - W: array of shape (D, C), one column of weights per class.
    - X: array of shape (N, D), one example per row.
    - y: int array of shape (N,), the correct class of each row, 0 <= y[i] < C.
    - reg: float, the strength of reg * sum(W * W).
    - delta: float > 0, the margin.
    Returns (loss as a float, dW of shape (D, C)).
    """
    if not delta > 0:
        raise ValueError(f"the margin delta must be positive, got {delta!r}")
    loss, dW = svm_loss(W / delta, X, y, reg * delta)
    return float(delta * loss), dW
