"""The maths behind ``linear_classify_demo.ipynb``: a linear classifier on 2-D points, three classes.

The conventions are those of assignment1's ``classifiers/linear_svm.py`` and ``softmax.py``, written
out with a separate bias instead of the bias trick:

- X: array of shape (N, 2), one point per row; y: int array of shape (N,), labels in {0, 1, 2}.
- W: array of shape (2, 3), one column of weights per class; b: array of shape (3,).
- scores = X @ W + b, shape (N, 3).
- The loss is the mean over the N points of the per-point loss, plus ``reg * np.sum(W * W)``: the
  multiclass SVM with margin 1, or the cross-entropy of the softmax (natural log). The bias is not
  regularized (with the bias trick, assignment1 regularizes it too; for reg = 0 they agree exactly).
- Gradients: dW of shape (2, 3), including ``2 * reg * W``; db of shape (3,).

Nothing graded lives here; plotting (matplotlib) is imported only by ``plot_state``.
"""
from dataclasses import dataclass

import numpy as np

__all__ = ["LOSSES", "LossResult", "make_points", "initial_parameters", "class_scores", "svm_loss",
           "softmax_loss", "compute_loss", "gradient_step", "train", "decision_regions", "plot_state"]

NUM_CLASSES = 3
COLORS = ("#d62728", "#2ca02c", "#1f77b4")  # class 0 red, class 1 green, class 2 blue


@dataclass(frozen=True)
class LossResult:
    """What a loss function returns.

    - loss: float, the mean per-point loss plus reg * sum(W * W).
    - per_point: array of shape (N,), each point's data loss (no regularization).
    - dW: array of shape (2, 3), the gradient of loss with respect to W.
    - db: array of shape (3,), the gradient of loss with respect to b.
    """
    loss: float
    per_point: np.ndarray
    dW: np.ndarray
    db: np.ndarray


def make_points(num_per_class=4, seed=0, spread=0.35):
    """Toy data: ``num_per_class`` points around each of three centres on a circle of radius 1.

    Returns:
    - X: float array of shape (3 * num_per_class, 2).
    - y: int array of shape (3 * num_per_class,), class c for the points around centre c.
    """
    rng = np.random.default_rng(seed)
    angles = np.pi / 2 + 2 * np.pi * np.arange(NUM_CLASSES) / NUM_CLASSES + rng.uniform(-0.3, 0.3)
    centres = np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (3, 2)
    y = np.repeat(np.arange(NUM_CLASSES), num_per_class)  # (N,)
    X = centres[y] + spread * rng.standard_normal((len(y), 2))  # (N, 2)
    return X, y


def initial_parameters(seed=0, scale=1.0):
    """Random W of shape (2, 3) (entries of size ``scale``) and b = 0 of shape (3,)."""
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((2, NUM_CLASSES)), np.zeros(NUM_CLASSES)


def class_scores(W, b, X):
    """scores = X @ W + b: array of shape (N, 3) for X (N, 2), W (2, 3), b (3,)."""
    return np.asarray(X, dtype=np.float64) @ W + b


def svm_loss(W, b, X, y, reg=0.0):
    """Multiclass SVM loss (margin 1) and its gradients; see the module docstring. Returns LossResult."""
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    rows = np.arange(n)
    scores = class_scores(W, b, X)  # (N, 3)
    margins = scores - scores[rows, y][:, None] + 1.0  # (N, 3)
    margins[rows, y] = 0.0
    active = (margins > 0).astype(np.float64)  # (N, 3): 1 where a wrong class violates the margin
    per_point = np.sum(np.maximum(margins, 0.0), axis=1)  # (N,)
    dscores = active.copy()
    dscores[rows, y] = -active.sum(axis=1)  # the correct class loses once per violation
    dscores /= n
    loss = per_point.mean() + reg * np.sum(W * W)
    return LossResult(float(loss), per_point, X.T @ dscores + 2.0 * reg * W, dscores.sum(axis=0))


def softmax_loss(W, b, X, y, reg=0.0):
    """Softmax cross-entropy loss (natural log) and its gradients, numerically stable. Returns LossResult."""
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    rows = np.arange(n)
    scores = class_scores(W, b, X)  # (N, 3)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))  # (N, 3)
    per_point = -log_probs[rows, y]  # (N,)
    dscores = np.exp(log_probs)  # the probabilities
    dscores[rows, y] -= 1.0
    dscores /= n
    loss = per_point.mean() + reg * np.sum(W * W)
    return LossResult(float(loss), per_point, X.T @ dscores + 2.0 * reg * W, dscores.sum(axis=0))


LOSSES = {"svm": svm_loss, "softmax": softmax_loss}


def compute_loss(kind, W, b, X, y, reg=0.0):
    """``svm_loss`` or ``softmax_loss`` by name ("svm" or "softmax")."""
    if kind not in LOSSES:
        raise ValueError(f"unknown loss {kind!r}; expected one of {sorted(LOSSES)}")
    return LOSSES[kind](W, b, X, y, reg)


def gradient_step(kind, W, b, X, y, reg, step_size):
    """One step of gradient descent on the whole data set.

    Returns (W_new (2, 3), b_new (3,), the LossResult at the old W and b).
    """
    result = compute_loss(kind, W, b, X, y, reg)
    return W - step_size * result.dW, b - step_size * result.db, result


def train(kind, W, b, X, y, reg, step_size, num_steps):
    """``num_steps`` gradient steps; returns (W, b, losses) with losses of shape (num_steps,), the loss
    before each step."""
    losses = np.zeros(num_steps)
    for i in range(num_steps):
        W, b, result = gradient_step(kind, W, b, X, y, reg, step_size)
        losses[i] = result.loss
    return W, b, losses


def decision_regions(W, b, xlim=(-2.5, 2.5), ylim=(-2.5, 2.5), resolution=200):
    """The predicted class on a grid, for drawing.

    Returns:
    - xx, yy: float arrays of shape (resolution, resolution), the grid's coordinates.
    - labels: int array of shape (resolution, resolution), argmax of the scores at each grid point.
    """
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    xx, yy = np.meshgrid(xs, ys)
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1)  # (resolution ** 2, 2)
    labels = np.argmax(class_scores(W, b, grid), axis=1).reshape(xx.shape)
    return xx, yy, labels


def plot_state(ax, W, b, X, y, kind="svm", reg=0.0, lim=2.5, title=None, show_losses=True):
    """Draw on ``ax``: the decision regions, each class's score-zero line w_c . x + b_c = 0 (with an
    arrow towards its positive side), the points (label: their loss), and the total loss as title."""
    from matplotlib.colors import ListedColormap

    result = compute_loss(kind, W, b, X, y, reg)
    xx, yy, labels = decision_regions(W, b, (-lim, lim), (-lim, lim), resolution=150)
    ax.contourf(xx, yy, labels, levels=[-0.5, 0.5, 1.5, 2.5], cmap=ListedColormap(COLORS), alpha=0.15)
    t = np.linspace(-3 * lim, 3 * lim, 2)
    for c in range(NUM_CLASSES):
        w, bias = W[:, c], b[c]
        norm = np.hypot(*w)
        if norm < 1e-12:
            continue
        foot = -bias * w / norm ** 2  # the point of the line closest to the origin
        direction = np.array([-w[1], w[0]]) / norm
        line = foot[None, :] + t[:, None] * direction[None, :]
        ax.plot(line[:, 0], line[:, 1], color=COLORS[c], lw=1.5)
        ax.annotate("", xy=foot + 0.4 * w / norm, xytext=foot,
                    arrowprops={"arrowstyle": "->", "color": COLORS[c], "lw": 1.5})
    ax.scatter(X[:, 0], X[:, 1], c=[COLORS[c] for c in y], edgecolors="black", s=45, zorder=3)
    if show_losses:
        for (px, py), value in zip(X, result.per_point):
            ax.annotate(f"{value:.2f}", (px, py), textcoords="offset points", xytext=(5, 4), fontsize=7)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    name = {"svm": "SVM", "softmax": "Softmax"}[kind]
    ax.set_title(title or f"{name} loss {result.loss:.3f}", fontsize=10)
    return result
