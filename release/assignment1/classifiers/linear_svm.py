"""The multiclass support vector machine (SVM) loss, also called the hinge loss.

A linear classifier gives example ``X[i]`` the scores ``s = X[i] @ W``, one per class. The SVM loss
of that example adds up, over every wrong class ``j``, how far ``s[j]`` comes within the margin
``delta = 1`` of the correct class's score:

    L_i = sum over j != y[i] of max(0, s[j] - s[y[i]] + 1)

The full loss is the mean of ``L_i`` over the N examples plus a penalty on the weights. Both
functions below compute the same loss and its gradient with respect to W; the first one with
explicit loops, the second one with whole-array operations only.

The penalty (the same in softmax.py), chosen by ``reg_type``:
- ``"l2"`` (the default): ``reg * sum(W * W)``, gradient ``2 * reg * W``;
- ``"l1"``: ``reg * sum(|W|)``; |w| has no derivative at 0, so we use the subgradient
  ``reg * sign(W)``, with sign(0) = 0 (``np.sign``'s convention): a weight that is exactly 0 gets no push;
- ``"elastic"``: ``reg * (l1_ratio * sum(|W|) + (1 - l1_ratio) * sum(W * W))``, gradient
  ``reg * (l1_ratio * sign(W) + 2 * (1 - l1_ratio) * W)``; l1_ratio = 1 is "l1", 0 is "l2".
Any other reg_type raises ValueError. The bias row of W (the last one, with the bias trick) is
penalized like every other row.

Conventions (the same in softmax.py):
- W: array of shape (D, C), one column of weights per class.
- X: array of shape (N, D), one example per row (float64 or float32).
- y: int array of shape (N,); y[i] = c means that X[i] has label c, 0 <= c < C.
- reg: float, the regularization strength; reg_type: "l2", "l1" or "elastic"; l1_ratio: float in
  [0, 1], the share of the L1 term in the elastic net.
"""
import numpy as np


REG_TYPES = ("l2", "l1", "elastic")


def svm_loss_naive(W, X, y, reg, reg_type="l2", l1_ratio=0.5):
    """Multiclass SVM loss and gradient, with explicit loops over the examples and the classes.

    Inputs:
    - W: array of shape (D, C) of weights.
    - X: array of shape (N, D); X[i] is example i.
    - y: int array of shape (N,); y[i] is the correct class of X[i], 0 <= y[i] < C.
    - reg: float, regularization strength.
    - reg_type: "l2" (default), "l1" or "elastic": the penalty (see the module docstring).
    - l1_ratio: float in [0, 1], the share of L1 in the "elastic" penalty (ignored otherwise).

    Returns a tuple of:
    - loss: float, the mean hinge loss over the N examples plus the penalty (for "l2",
      reg * np.sum(W * W)).
    - dW: array of shape (D, C), the gradient of loss with respect to W (for "l1" and the L1 part
      of "elastic", the subgradient with sign(0) = 0).
    Raises ValueError for any other reg_type.
    """
    loss = 0.0
    dW = np.zeros(W.shape)  # (D, C)

    # TODO: loop over the examples i and, inside, over the classes j. For every wrong class whose
    # margin s[j] - s[y[i]] + 1 is positive, add the margin to the loss and update the gradient
    # right there: that margin grows with column j of W and shrinks with column y[i].
    # Then divide the loss and the gradient by the number of examples.
    # YOUR CODE HERE
    raise NotImplementedError("svm_loss_naive is not written yet: write it in classifiers/linear_svm.py")

    # TODO: add the penalty chosen by reg_type to the loss and its (sub)gradient to dW (see the
    # module docstring); raise ValueError for an unknown reg_type. For "l2" that is
    # reg * sum(W * W) and 2 * reg * W.
    # YOUR CODE HERE
    raise NotImplementedError("svm_loss_naive is not written yet: write it in classifiers/linear_svm.py")

    return loss, dW


def svm_loss_vectorized(W, X, y, reg, reg_type="l2", l1_ratio=0.5):
    """Multiclass SVM loss and gradient without any Python loop.

    Inputs and outputs: the same as svm_loss_naive.
    """
    loss = 0.0
    dW = np.zeros(W.shape)  # (D, C)

    # TODO: compute the loss with array operations only (no for, while or comprehension).
    # Hint: compute all scores with one matrix product, pick the correct-class score of every row
    # with integer-array indexing, and build the (N, C) matrix of margins; the correct class must
    # not count.
    # YOUR CODE HERE
    raise NotImplementedError("svm_loss_vectorized is not written yet: write it in classifiers/linear_svm.py")

    # TODO: compute the gradient, again without loops.
    # Hint: reuse the margins. Find how much each score moves the loss (an (N, C) matrix of
    # coefficients), then a single matrix product with X.T turns it into dW.
    # YOUR CODE HERE
    raise NotImplementedError("svm_loss_vectorized is not written yet: write it in classifiers/linear_svm.py")

    # TODO: add the penalty chosen by reg_type and its (sub)gradient, as in svm_loss_naive.
    # YOUR CODE HERE
    raise NotImplementedError("svm_loss_vectorized is not written yet: write it in classifiers/linear_svm.py")

    return loss, dW
