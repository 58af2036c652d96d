"""The softmax (cross-entropy) loss of a linear classifier.

Example ``X[i]`` gets the scores ``s = X[i] @ W``. The softmax turns them into class probabilities
``p[j] = exp(s[j]) / sum_k exp(s[k])``, and the loss of the example is the negative log-probability
of its correct class:

    L_i = -log p[y[i]] = log(sum_k exp(s[k])) - s[y[i]]

The full loss is the mean of ``L_i`` over the N examples plus ``reg * sum(W * W)`` (gradient
``2 * reg * W``).

Numerical stability: ``exp`` overflows for scores above about 709 and underflows to 0 for scores
below about -745, which turns the loss into nan or inf. Subtracting the largest score of each row
from all its scores changes no probability (the common factor cancels) and keeps every exponent
<= 0, so the sum of exponentials lies between 1 and C.

Conventions as in linear_svm.py: W (D, C), X (N, D), y (N,) ints with 0 <= y[i] < C, reg a float.
"""
import numpy as np


def softmax_loss_naive(W, X, y, reg):
    """Softmax loss and gradient, with explicit loops over the examples (and classes).

    Inputs:
    - W: array of shape (D, C) of weights.
    - X: array of shape (N, D); X[i] is example i.
    - y: int array of shape (N,); y[i] is the correct class of X[i], 0 <= y[i] < C.
    - reg: float, regularization strength.

    Returns a tuple of:
    - loss: float, the mean cross-entropy over the N examples plus reg * np.sum(W * W).
    - dW: array of shape (D, C), the gradient of loss with respect to W.
    """
    loss = 0.0
    dW = np.zeros(W.shape)  # (D, C)

    # TODO: loop over the examples. For each one compute its scores, shift them by their maximum
    # (see the module docstring), add the example's loss, and add its contribution to every
    # column of dW: the derivative of L_i with respect to s[j] is p[j] - 1 when j == y[i], p[j]
    # otherwise. Then divide the loss and the gradient by the number of examples.
    ### BEGIN SOLUTION
    num_train = X.shape[0]
    num_classes = W.shape[1]
    for i in range(num_train):
        scores = X[i] @ W  # (C,)
        shifted = scores - np.max(scores)  # (C,), every entry <= 0
        log_sum = np.log(np.sum(np.exp(shifted)))
        loss += log_sum - shifted[y[i]]
        probs = np.exp(shifted - log_sum)  # (C,)
        for j in range(num_classes):
            weight = probs[j] - 1.0 if j == y[i] else probs[j]
            dW[:, j] += weight * X[i]
    loss /= num_train
    dW /= num_train
    ### END SOLUTION

    # TODO: add the regularization term reg * sum(W * W) to the loss and its gradient to dW.
    ### BEGIN SOLUTION
    loss += reg * np.sum(W * W)
    dW += 2.0 * reg * W
    ### END SOLUTION

    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    """Softmax loss and gradient without any Python loop.

    Inputs and outputs: the same as softmax_loss_naive.
    """
    loss = 0.0
    dW = np.zeros(W.shape)  # (D, C)

    # TODO: compute the loss and the gradient with array operations only (no for, while or
    # comprehension). Shift every row of scores by its maximum first. The gradient of the mean
    # loss with respect to the (N, C) scores is (probabilities - one-hot labels) / N; one matrix
    # product with X.T turns it into dW. Do not forget the regularization.
    ### BEGIN SOLUTION
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X @ W  # (N, C)
    shifted = scores - np.max(scores, axis=1, keepdims=True)  # (N, C), every entry <= 0
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))  # (N, C)
    loss = -np.sum(log_probs[rows, y]) / num_train + reg * np.sum(W * W)
    dscores = np.exp(log_probs)  # (N, C) probabilities
    dscores[rows, y] -= 1.0
    dW = X.T @ dscores / num_train + 2.0 * reg * W  # (D, C)
    ### END SOLUTION

    return loss, dW
