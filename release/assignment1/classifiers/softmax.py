"""The softmax (cross-entropy) loss of a linear classifier.

Example ``X[i]`` gets the scores ``s = X[i] @ W``. The softmax turns them into class probabilities
``p[j] = exp(s[j]) / sum_k exp(s[k])``, and the loss of the example is the negative log-probability
of its correct class:

    L_i = -log p[y[i]] = log(sum_k exp(s[k])) - s[y[i]]

The full loss is the mean of ``L_i`` over the N examples plus the penalty chosen by ``reg_type``:
``"l2"`` (default) ``reg * sum(W * W)``, gradient ``2 * reg * W``; ``"l1"`` ``reg * sum(|W|)``,
subgradient ``reg * sign(W)`` with sign(0) = 0; ``"elastic"`` ``reg * (l1_ratio * sum(|W|) +
(1 - l1_ratio) * sum(W * W))``. Any other reg_type raises ValueError (details in linear_svm.py).

Numerical stability: ``exp`` overflows for scores above about 709 and underflows to 0 for scores
below about -745, which turns the loss into nan or inf. Subtracting the largest score of each row
from all its scores changes no probability (the common factor cancels) and keeps every exponent
<= 0, so the sum of exponentials lies between 1 and C.

Conventions as in linear_svm.py: W (D, C), X (N, D), y (N,) ints with 0 <= y[i] < C, reg a float,
reg_type "l2", "l1" or "elastic", l1_ratio a float in [0, 1].
"""
import numpy as np

REG_TYPES = ("l2", "l1", "elastic")


def softmax_loss_naive(W, X, y, reg, reg_type="l2", l1_ratio=0.5):
    """Softmax loss and gradient, with explicit loops over the examples (and classes).

    Inputs:
    - W: array of shape (D, C) of weights.
    - X: array of shape (N, D); X[i] is example i.
    - y: int array of shape (N,); y[i] is the correct class of X[i], 0 <= y[i] < C.
    - reg: float, regularization strength.
    - reg_type: "l2" (default), "l1" or "elastic": the penalty (see the module docstring).
    - l1_ratio: float in [0, 1], the share of L1 in the "elastic" penalty (ignored otherwise).

    Returns a tuple of:
    - loss: float, the mean cross-entropy over the N examples plus the penalty (for "l2",
      reg * np.sum(W * W)).
    - dW: array of shape (D, C), the gradient of loss with respect to W (for "l1" and the L1 part
      of "elastic", the subgradient with sign(0) = 0).
    Raises ValueError for any other reg_type.
    """
    loss = 0.0
    dW = np.zeros(W.shape)  # (D, C)

    # TODO: loop over the examples. For each one compute its scores, shift them by their maximum
    # (see the module docstring), add the example's loss, and add its contribution to every
    # column of dW: the derivative of L_i with respect to s[j] is p[j] - 1 when j == y[i], p[j]
    # otherwise. Then divide the loss and the gradient by the number of examples.
    # YOUR CODE HERE
    raise NotImplementedError("softmax_loss_naive is not written yet: write it in classifiers/softmax.py")

    # TODO: add the penalty chosen by reg_type to the loss and its (sub)gradient to dW (see the
    # module docstring); raise ValueError for an unknown reg_type.
    # YOUR CODE HERE
    raise NotImplementedError("softmax_loss_naive is not written yet: write it in classifiers/softmax.py")

    return loss, dW


def softmax_loss_vectorized(W, X, y, reg, reg_type="l2", l1_ratio=0.5):
    """Softmax loss and gradient without any Python loop.

    Inputs and outputs: the same as softmax_loss_naive.
    """
    loss = 0.0
    dW = np.zeros(W.shape)  # (D, C)

    # TODO: compute the loss and the gradient with array operations only (no for, while or
    # comprehension). Shift every row of scores by its maximum first. The gradient of the mean
    # loss with respect to the (N, C) scores is (probabilities - one-hot labels) / N; one matrix
    # product with X.T turns it into dW.
    # YOUR CODE HERE
    raise NotImplementedError("softmax_loss_vectorized is not written yet: write it in classifiers/softmax.py")

    # TODO: add the penalty chosen by reg_type and its (sub)gradient, as in softmax_loss_naive.
    # YOUR CODE HERE
    raise NotImplementedError("softmax_loss_vectorized is not written yet: write it in classifiers/softmax.py")

    return loss, dW
