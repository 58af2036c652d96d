"""A k-nearest-neighbor classifier with the Euclidean (L2) distance.

Training only memorizes the data; all the work happens at prediction time, when every test
example is compared with every training example. The three ``compute_distances_*`` methods
compute the same (num_test, num_train) matrix with two, one and zero Python loops, so that the
notebook can compare their speed.
"""
import numpy as np


class KNearestNeighbor:
    """kNN classifier with the L2 distance and a majority vote among the k nearest neighbors."""

    def __init__(self):
        # Filled in by train(); nothing else is stored.
        self.X_train = None
        self.y_train = None

    def train(self, X, y):
        """Memorize the training data.

        Inputs:
        - X: array of shape (num_train, D); row i is training example i, flattened to D values.
        - y: int array of shape (num_train,); y[i] is the label of X[i], 0 <= y[i] < C.
        """
        self.X_train = X
        self.y_train = y

    def predict(self, X, k=1, num_loops=0):
        """Predict a label for every row of X.

        Inputs:
        - X: array of shape (num_test, D); row i is test example i.
        - k: number of nearest neighbors that vote for the label.
        - num_loops: which distance implementation to use: 0, 1 or 2 Python loops.

        Returns:
        - y_pred: int array of shape (num_test,); y_pred[i] is the predicted label of X[i].
        """
        if num_loops == 0:
            dists = self.compute_distances_no_loops(X)
        elif num_loops == 1:
            dists = self.compute_distances_one_loop(X)
        elif num_loops == 2:
            dists = self.compute_distances_two_loops(X)
        else:
            raise ValueError(
                "KNearestNeighbor.predict: num_loops must be 0, 1 or 2; got %r" % (num_loops,)
            )
        return self.predict_labels(dists, k=k)

    def compute_distances_two_loops(self, X):
        """Compute the L2 distance between every test example and every training example,
        with a Python loop over the test examples nested in a loop over the training examples.

        Inputs:
        - X: array of shape (num_test, D); row i is test example i.

        Returns:
        - dists: float array of shape (num_test, num_train); dists[i, j] is the Euclidean
          distance between the i-th test example X[i] and the j-th training example
          self.X_train[j].
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            for j in range(num_train):
                # TODO: compute the L2 distance between X[i] and self.X_train[j] and store it
                # in dists[i, j]. Use numpy on the two (D,) vectors; do not loop over the
                # dimension D and do not call np.linalg.norm.
                # YOUR CODE HERE
                raise NotImplementedError("KNearestNeighbor.compute_distances_two_loops is not written yet: write it in classifiers/k_nearest_neighbor.py")
        return dists

    def compute_distances_one_loop(self, X):
        """Compute the L2 distance between every test example and every training example,
        with a single Python loop over the test examples.

        Inputs / Returns: the same as compute_distances_two_loops.
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            # TODO: compute the distances from X[i] to all training examples at once and store
            # them in the row dists[i, :]. Broadcasting a (D,) vector against the
            # (num_train, D) matrix is the key; np.linalg.norm is not allowed.
            # YOUR CODE HERE
            raise NotImplementedError("KNearestNeighbor.compute_distances_one_loop is not written yet: write it in classifiers/k_nearest_neighbor.py")
        return dists

    def compute_distances_no_loops(self, X):
        """Compute the L2 distance between every test example and every training example,
        without any explicit Python loop (no for, while or comprehension).

        Inputs / Returns: the same as compute_distances_two_loops.
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        # TODO: compute all distances with matrix operations and broadcasting only, and store
        # them in dists. No loops and no np.linalg.norm.
        # Hint: expand the square ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b; the cross terms of
        # all pairs form one matrix product. Rounding can make a tiny squared distance
        # negative, so clip at zero before taking the square root.
        # YOUR CODE HERE
        raise NotImplementedError("KNearestNeighbor.compute_distances_no_loops is not written yet: write it in classifiers/k_nearest_neighbor.py")
        return dists

    def predict_labels(self, dists, k=1):
        """Predict a label for every test example from its distances to the training examples.

        Inputs:
        - dists: array of shape (num_test, num_train); dists[i, j] is the distance between
          test example i and training example j.
        - k: number of nearest neighbors that vote.

        Returns:
        - y_pred: int array of shape (num_test,); y_pred[i] is the label that occurs most often
          among the labels of the k training examples nearest to test example i. A tie between
          labels goes to the smallest label.
        """
        num_test = dists.shape[0]
        y_pred = np.zeros(num_test, dtype=np.int64)
        for i in range(num_test):
            # TODO: find the labels of the k training examples nearest to test example i
            # (np.argsort helps), then store the most common of those labels in y_pred[i].
            # Break ties by choosing the smaller label.
            # YOUR CODE HERE
            raise NotImplementedError("KNearestNeighbor.predict_labels is not written yet: write it in classifiers/k_nearest_neighbor.py")
        return y_pred
