"""Linear classifiers trained with minibatch stochastic gradient descent (SGD).

A linear classifier scores example ``x`` (a row of D numbers) with ``x @ W``, one score per class,
and predicts the class with the highest score. ``LinearClassifier`` implements training and
prediction; its subclasses only choose the loss: ``LinearSVM`` the multiclass hinge loss of
linear_svm.py, ``Softmax`` the cross-entropy loss of softmax.py.
"""
import numpy as np

from .linear_svm import svm_loss_vectorized
from .softmax import softmax_loss_vectorized


class LinearClassifier:
    """Base class: minibatch SGD on the weights W of shape (D, C). Subclasses define ``loss``."""

    def __init__(self, reg_type="l2", l1_ratio=0.5):
        """reg_type: the penalty of the loss, "l2" (default), "l1" or "elastic"; l1_ratio: the share
        of L1 in the "elastic" penalty (see linear_svm.py)."""
        # Created by the first call to train(), as an array of shape (D, C).
        self.W = None
        self.reg_type, self.l1_ratio = reg_type, l1_ratio

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200,
              verbose=False):
        """Train the weights with minibatch stochastic gradient descent.

        Inputs:
        - X: array of shape (N, D); X[i] is training example i.
        - y: int array of shape (N,); y[i] is the label of X[i], 0 <= y[i] < C. The number of
          classes C is taken to be max(y) + 1.
        - learning_rate: float, the step size of each update.
        - reg: float, regularization strength, passed on to the loss.
        - num_iters: int, the number of SGD steps.
        - batch_size: int, the number of examples in each minibatch.
        - verbose: bool; if True, print the loss every 100 iterations.

        Returns:
        - loss_history: list of num_iters floats, the minibatch loss at each iteration (computed
          before that iteration's update).

        If self.W is None it is first initialised to small random numbers, 0.001 * randn(D, C);
        otherwise training continues from the current W.
        """
        num_train, dim = X.shape
        num_classes = int(np.max(y)) + 1  # labels are 0, ..., C - 1
        if self.W is None:
            self.W = 0.001 * np.random.randn(dim, num_classes)  # (D, C)

        loss_history = []
        for it in range(num_iters):
            X_batch = None
            y_batch = None

            # TODO: sample batch_size examples and their labels into X_batch, of shape
            # (batch_size, D), and y_batch, of shape (batch_size,). Sample with replacement
            # (np.random.choice), which is faster than sampling without replacement.
            # YOUR CODE HERE
            raise NotImplementedError("LinearClassifier.train is not written yet: write it in classifiers/linear_classifier.py")

            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)

            # TODO: update the weights with the gradient and the learning rate (one SGD step).
            # YOUR CODE HERE
            raise NotImplementedError("LinearClassifier.train is not written yet: write it in classifiers/linear_classifier.py")

            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss:f}")

        return loss_history

    def predict(self, X):
        """Predict labels with the trained weights.

        Inputs:
        - X: array of shape (N, D); X[i] is example i.

        Returns:
        - y_pred: int array of shape (N,); y_pred[i] is the class with the highest score for X[i].
        """
        y_pred = np.zeros(X.shape[0], dtype=np.int64)
        # TODO: compute the scores and store the index of the largest score of each row in y_pred.
        # YOUR CODE HERE
        raise NotImplementedError("LinearClassifier.predict is not written yet: write it in classifiers/linear_classifier.py")
        return y_pred

    def loss(self, X_batch, y_batch, reg):
        """The loss of the current weights on a minibatch, and its gradient. Subclasses override this.

        Inputs:
        - X_batch: array of shape (N, D), a minibatch of N examples.
        - y_batch: int array of shape (N,), their labels.
        - reg: float, regularization strength.

        Returns a tuple of:
        - loss: float.
        - dW: array of shape (D, C), the gradient of the loss with respect to self.W.
        """
        raise NotImplementedError("LinearClassifier is a base class: use LinearSVM or Softmax")


class LinearSVM(LinearClassifier):
    """A linear classifier that uses the multiclass SVM (hinge) loss."""

    def loss(self, X_batch, y_batch, reg):
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg, self.reg_type, self.l1_ratio)


class Softmax(LinearClassifier):
    """A linear classifier that uses the softmax (cross-entropy) loss."""

    def loss(self, X_batch, y_batch, reg):
        return softmax_loss_vectorized(self.W, X_batch, y_batch, reg, self.reg_type, self.l1_ratio)
