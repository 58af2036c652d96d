"""Warm-up answers: numpy fluency and the lecture's worked examples, as functions.

Every answer is a function. The notebook ``warmup.ipynb`` tells you what each one should compute,
calls it on the lecture's numbers and prints the result. The grader calls the same functions on
the lecture's numbers and on random inputs of its own, so compute with numpy from the inputs:
typing numbers from the slides into a function does not pass.

Conventions (the ones assignment1 uses, apart from the slide layout of ``linear_scores``):
- scores: array of shape (N, C); scores[i, j] is the score of class j for example i.
- y: int array of shape (N,); y[i] is the correct class of example i, 0 <= y[i] < C.
- Per-example losses come back as an array of shape (N,); the loss of a batch is their mean.
- log is the natural logarithm (np.log).
"""
import numpy as np

# -- the lecture's numbers (inputs only; the answers are yours to compute) -------------------------

CLASS_NAMES = ("cat", "car", "frog")
# One row per image (the cat, car and frog images), one column per class (cat, car, frog).
TOY_SCORES = np.array([[3.2, 5.1, -1.7],
                       [1.3, 4.9, 2.0],
                       [2.2, 2.5, -3.1]])  # (3, 3)
TOY_Y = np.array([0, 1, 2])  # (3,)

# The slide's linear classifier f(x) = W x + b: W is (C, D) with C = 3 classes and D = 4 pixels.
LECTURE_W = np.array([[0.2, -0.5, 0.1, 2.0],
                      [1.5, 1.3, 2.1, 0.0],
                      [0.0, 0.25, 0.2, -0.3]])  # (3, 4)
LECTURE_B = np.array([1.1, 3.2, -1.2])  # (3,)
LECTURE_X = np.array([56.0, 231.0, 24.0, 2.0])  # (4,)

# One example with three class scores whose correct class is 2.
EXAMPLE_SCORES = np.array([[-2.85, 0.86, 0.28]])  # (1, 3)
EXAMPLE_Y = np.array([2])  # (1,)

# Regularization: two weight vectors that give the same score w . x for this x.
REG_X = np.array([1.0, 1.0, 1.0, 1.0])  # (4,)
REG_W1 = np.array([1.0, 0.0, 0.0, 0.0])  # (4,)
REG_W2 = np.array([0.25, 0.25, 0.25, 0.25])  # (4,)

# Three examples whose correct class is 0, for comparing the two losses.
CASE_SCORES = np.array([[10.0, -2.0, 3.0],
                        [10.0, 9.0, 9.0],
                        [10.0, -100.0, -100.0]])  # (3, 3)
CASE_Y = np.array([0, 0, 0])  # (3,)

# The numerical-gradient walk-through: the loss before and after adding h to one weight.
GRAD_LOSS_BEFORE = 1.25347
GRAD_LOSS_AFTER = 1.25322
GRAD_H = 0.0001

# Learning-rate schedules: 90 epochs starting at 0.1; step decay divides by 10 every 30 epochs.
LR0 = 0.1
TOTAL_EPOCHS = 90
STEP_SIZE = 30
GAMMA = 0.1
EPOCHS = np.array([0, 1, 15, 30, 45, 60, 89, 90])  # (8,)

# The margin: one example whose correct class is the first, scored with a margin of 10.
MARGIN_SCORES = np.array([[13.0, -7.0, 11.0]])  # (1, 3)
MARGIN_Y = np.array([0])  # (1,)
MARGIN_DELTA = 10.0

# Softmax confidence and the scale of the scores: the same scores, then halved.
SCALE_SCORES = np.array([[1.0, -2.0, 0.0]])  # (1, 3)

# Priors on the weights: a Gaussian with standard deviation PRIOR_SIGMA, a Laplace with scale PRIOR_B.
PRIOR_SIGMA = 0.5
PRIOR_B = 0.25


# -- part 1: numpy fluency -----------------------------------------------------------------------

def correct_class_scores(scores, y):
    """The score of the correct class of every example, with one fancy-indexing expression.

    Inputs:
    - scores: array of shape (N, C).
    - y: int array of shape (N,), 0 <= y[i] < C.

    Returns:
    - correct: array of shape (N,); correct[i] = scores[i, y[i]].
    """
    # YOUR CODE HERE
    raise NotImplementedError("correct_class_scores is not written yet: write it in warmup.py")


def center_columns(X):
    """Subtract from every column its mean (over the rows), by broadcasting: no loops.

    Inputs:
    - X: array of shape (N, D), one example per row.

    Returns:
    - centered: float array of shape (N, D) whose columns all have mean 0.
    """
    # YOUR CODE HERE
    raise NotImplementedError("center_columns is not written yet: write it in warmup.py")


def pairwise_sq_distances_loops(A, B):
    """Squared Euclidean distance between every row of A and every row of B, with two loops.

    Provided (not graded): the reference for ``pairwise_sq_distances`` below.

    Inputs:
    - A: array of shape (M, D).
    - B: array of shape (N, D).

    Returns:
    - dists: float array of shape (M, N); dists[i, j] = sum over k of (A[i, k] - B[j, k]) ** 2.
    """
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    dists = np.zeros((A.shape[0], B.shape[0]))
    for i in range(A.shape[0]):
        for j in range(B.shape[0]):
            diff = A[i] - B[j]  # (D,)
            dists[i, j] = np.sum(diff * diff)
    return dists


def pairwise_sq_distances(A, B):
    """The same as ``pairwise_sq_distances_loops``, without any Python loop or comprehension.

    Inputs:
    - A: array of shape (M, D).
    - B: array of shape (N, D).

    Returns:
    - dists: float array of shape (M, N).
    """
    # YOUR CODE HERE
    raise NotImplementedError("pairwise_sq_distances is not written yet: write it in warmup.py")


def matmul_shape(shape_a, shape_b):
    """The shape of ``a @ b`` for arrays a of shape ``shape_a`` and b of shape ``shape_b``.

    Work it out from the rules; do not build arrays. Each shape has one or two entries:
    (n, k) @ (k, m) is (n, m); a 1-D array on the left acts as a row, on the right as a column,
    and that dimension disappears from the result: (k,) @ (k, m) is (m,), (n, k) @ (k,) is (n,),
    (k,) @ (k,) is () (a single number).

    Inputs:
    - shape_a, shape_b: tuples of one or two positive ints.

    Returns:
    - shape: tuple of ints, or None when the inner dimensions differ (numpy raises an error then).
    """
    # YOUR CODE HERE
    raise NotImplementedError("matmul_shape is not written yet: write it in warmup.py")


# -- part 2: the lecture's linear classifier -----------------------------------------------------

def linear_scores(W, b, x):
    """The class scores f(x) = W x + b of one example, in the slide's layout.

    Inputs:
    - W: array of shape (C, D), one row of weights per class (the slide's layout; assignment1
      stores the same numbers transposed, as a (D, C) matrix).
    - b: array of shape (C,), one bias per class.
    - x: array of shape (D,), the example.

    Returns:
    - scores: float array of shape (C,).
    """
    # YOUR CODE HERE
    raise NotImplementedError("linear_scores is not written yet: write it in warmup.py")


def bias_trick(W, b, x):
    """Fold the bias into the weights: the extended W_ext and x_ext with W_ext @ x_ext = W x + b.

    Append b as a last column of W and a constant 1 as a last entry of x (as assignment1 appends a
    column of ones to the data).

    Inputs:
    - W: array of shape (C, D); b: array of shape (C,); x: array of shape (D,).

    Returns a tuple of:
    - W_ext: float array of shape (C, D + 1).
    - x_ext: float array of shape (D + 1,).
    """
    # YOUR CODE HERE
    raise NotImplementedError("bias_trick is not written yet: write it in warmup.py")


# -- part 3: losses ------------------------------------------------------------------------------

def hinge_losses(scores, y):
    """Multiclass SVM (hinge) loss of every example, margin 1:
    L_i = sum over j != y_i of max(0, scores[i, j] - scores[i, y_i] + 1).

    Inputs:
    - scores: array of shape (N, C); y: int array of shape (N,).

    Returns:
    - losses: float array of shape (N,).
    """
    # YOUR CODE HERE
    raise NotImplementedError("hinge_losses is not written yet: write it in warmup.py")


def squared_hinge_losses(scores, y):
    """Squared hinge loss of every example: L_i = sum over j != y_i of max(0, s_j - s_{y_i} + 1) ** 2.

    Inputs:
    - scores: array of shape (N, C); y: int array of shape (N,).

    Returns:
    - losses: float array of shape (N,).
    """
    # YOUR CODE HERE
    raise NotImplementedError("squared_hinge_losses is not written yet: write it in warmup.py")


def softmax_probabilities(scores):
    """Softmax of every row: p[i, j] = exp(scores[i, j]) / sum over k of exp(scores[i, k]).

    Must stay finite for large scores (1000 and more): exp(1000) overflows.

    Inputs:
    - scores: array of shape (N, C).

    Returns:
    - probs: float array of shape (N, C); every row is positive and sums to 1.
    """
    # YOUR CODE HERE
    raise NotImplementedError("softmax_probabilities is not written yet: write it in warmup.py")


def cross_entropy_losses(scores, y):
    """Softmax (cross-entropy) loss of every example, with the natural logarithm:
    L_i = -log p[i, y_i], where p = softmax of the scores.

    Must stay finite for large scores, like ``softmax_probabilities``.

    Inputs:
    - scores: array of shape (N, C); y: int array of shape (N,).

    Returns:
    - losses: float array of shape (N,).
    """
    # YOUR CODE HERE
    raise NotImplementedError("cross_entropy_losses is not written yet: write it in warmup.py")


def toy_svm_answers():
    """The lecture's 3-image x 3-class toy (TOY_SCORES, TOY_Y), computed with your functions.

    Returns a dict of:
    - "losses": array of shape (3,), the hinge loss of each image.
    - "mean": float, the loss of the whole toy set (the mean over the images).
    - "mean_doubled_W": float, that loss when W (so every score, there is no bias) is doubled.
    - "mean_including_correct": float, that loss if the sum ran over all j, j = y_i included.
    - "mean_squared": float, that loss with the squared hinge.
    """
    # YOUR CODE HERE
    raise NotImplementedError("toy_svm_answers is not written yet: write it in warmup.py")


def loss_at_initialization(num_classes):
    """The loss of one example when W is so small that all C scores are (about) equal.

    Inputs:
    - num_classes: int C >= 2.

    Returns a dict of:
    - "svm": float, the multiclass SVM loss (margin 1).
    - "softmax": float, the cross-entropy loss (natural log).
    """
    # YOUR CODE HERE
    raise NotImplementedError("loss_at_initialization is not written yet: write it in warmup.py")


def loss_ranges():
    """The smallest and largest value each per-example loss can take (use np.inf for no bound).

    Give the infimum: a bound the loss gets arbitrarily close to counts, even if never reached.

    Returns a dict of:
    - "svm": tuple (low, high) for the multiclass SVM loss.
    - "softmax": tuple (low, high) for the cross-entropy loss.
    """
    # YOUR CODE HERE
    raise NotImplementedError("loss_ranges is not written yet: write it in warmup.py")


def regularization_penalties(w):
    """The L2 penalty (sum of squares) and the L1 penalty (sum of absolute values) of w.

    Inputs:
    - w: array of any shape, e.g. (D,) or (D, C).

    Returns a dict of:
    - "l2": float, sum of w ** 2 (no square root).
    - "l1": float, sum of |w|.
    """
    # YOUR CODE HERE
    raise NotImplementedError("regularization_penalties is not written yet: write it in warmup.py")


def preferred_weights():
    """Which of REG_W1 and REG_W2 (same score w . REG_X) each regularizer prefers.

    Returns a dict of:
    - "l2": 1 if L2 regularization prefers REG_W1, 2 if it prefers REG_W2, 0 if neither.
    - "l1": the same for L1 regularization.
    """
    # YOUR CODE HERE
    raise NotImplementedError("preferred_weights is not written yet: write it in warmup.py")


# -- part 4: optimization ------------------------------------------------------------------------

def numerical_derivative(loss_before, loss_after, h):
    """The one-sided numerical derivative of the loss along one weight.

    Inputs:
    - loss_before: float, the loss at W.
    - loss_after: float, the loss after adding h to one entry of W.
    - h: float > 0, the step.

    Returns:
    - slope: float, (loss_after - loss_before) / h.
    """
    # YOUR CODE HERE
    raise NotImplementedError("numerical_derivative is not written yet: write it in warmup.py")


def learning_rates(lr0, epochs, total_epochs, step_size, gamma=0.1):
    """Four learning-rate schedules, evaluated at every epoch in ``epochs`` (vectorized: no loops).

    - "step":         lr0 * gamma ** (t // step_size)
    - "cosine":       lr0 / 2 * (1 + cos(pi * t / total_epochs))
    - "linear":       lr0 * (1 - t / total_epochs)
    - "inverse_sqrt": lr0 / sqrt(t), with t = 0 read as t = 1

    Inputs:
    - lr0: float, the initial learning rate.
    - epochs: int array of shape (T,), 0 <= t <= total_epochs.
    - total_epochs: int > 0; step_size: int > 0; gamma: float.

    Returns a dict mapping each schedule's name to a float array of shape (T,).
    """
    # YOUR CODE HERE
    raise NotImplementedError("learning_rates is not written yet: write it in warmup.py")


# -- part 5: the margin and the probabilistic view -----------------------------------------------

def hinge_losses_with_margin(scores, y, delta):
    """Multiclass SVM loss of every example with margin ``delta`` instead of 1:
    L_i = sum over j != y_i of max(0, scores[i, j] - scores[i, y_i] + delta).

    Inputs:
    - scores: array of shape (N, C); y: int array of shape (N,); delta: float > 0.

    Returns:
    - losses: float array of shape (N,).
    """
    # YOUR CODE HERE
    raise NotImplementedError("hinge_losses_with_margin is not written yet: write it in warmup.py")


def hinge_mean_losses(scores, y):
    """The hinge loss (margin 1) with the mean over the C - 1 wrong classes in place of their sum:
    L_i = (1 / (C - 1)) * sum over j != y_i of max(0, scores[i, j] - scores[i, y_i] + 1).

    Inputs:
    - scores: array of shape (N, C) with C >= 2; y: int array of shape (N,).

    Returns:
    - losses: float array of shape (N,).
    """
    # YOUR CODE HERE
    raise NotImplementedError("hinge_mean_losses is not written yet: write it in warmup.py")


def kl_divergences(p, q):
    """KL divergence KL(p || q) = sum over j of p[i, j] * log(p[i, j] / q[i, j]) of every row.

    A term with p[i, j] = 0 counts 0 (the limit of p log p as p goes to 0), whatever q[i, j] is.

    Inputs:
    - p: array of shape (N, C), rows of probabilities (the target; may hold zeros).
    - q: array of shape (N, C), rows of positive probabilities (the model's).

    Returns:
    - divergences: float array of shape (N,), each >= 0.
    """
    # YOUR CODE HERE
    raise NotImplementedError("kl_divergences is not written yet: write it in warmup.py")


def negative_log_priors(w, sigma, b):
    """The negative log-density (natural log) of the weights ``w`` under two priors, every weight
    independent with mean 0:
    - "gaussian": a normal with standard deviation sigma, density exp(-w**2 / (2 sigma**2)) / (sigma sqrt(2 pi));
    - "laplace": a Laplace with scale b, density exp(-|w| / b) / (2 b).

    Inputs:
    - w: array of any shape; sigma: float > 0; b: float > 0.

    Returns a dict of:
    - "gaussian": float, the sum over the weights of -log of the normal density.
    - "laplace": float, the sum over the weights of -log of the Laplace density.
    """
    # YOUR CODE HERE
    raise NotImplementedError("negative_log_priors is not written yet: write it in warmup.py")
