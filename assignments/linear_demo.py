"""What ``linear_classify_demo.ipynb`` draws: your linear losses on 2-D points, three classes.

Nothing here computes a loss: the demo runs the losses you write in assignment 1
(``svm_loss_vectorized`` in classifiers/linear_svm.py, ``softmax_loss_vectorized`` in
classifiers/softmax.py) on a toy problem, with a separate bias written out:

- X: array of shape (N, 2), one point per row; y: int array of shape (N,), labels in {0, 1, 2}.
- W: array of shape (2, 3), one column of weights per class; b: array of shape (3,).
- scores = X @ W + b, shape (N, 3).

The bias trick turns that into your losses' convention: X_ext = [X, 1] of shape (N, 3) and
W_ext = [W; b] of shape (3, 3) give the same scores X_ext @ W_ext, so ``loss(W_ext, X_ext, y,
reg)`` is the demo's loss and the rows of its dW_ext are dW (the first two) and db (the last).
As in assignment 1, the penalty reg * sum(W_ext * W_ext) covers the bias too. The number next to
each point in the plots is your loss on that point alone, at reg = 0.

Plotting (matplotlib) is imported only by ``plot_state``.
"""
from dataclasses import dataclass

import numpy as np

from .unfinished import stub_parts

__all__ = ["LossResult", "make_points", "initial_parameters", "class_scores", "ready_losses", "compute_loss",
           "gradient_step", "train", "decision_regions", "plot_state"]

NUM_CLASSES = 3
COLORS = ("#d62728", "#2ca02c", "#1f77b4")  # class 0 red, class 1 green, class 2 blue


@dataclass(frozen=True)
class LossResult:
    """What :func:`compute_loss` returns.

    - loss: float, your loss: the mean per-point loss plus reg * (sum(W * W) + sum(b * b)).
    - per_point: array of shape (N,), each point's data loss (your loss on it alone, reg = 0).
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


def ready_losses(losses):
    """The losses of ``losses`` ({label: loss function}, e.g. {"SVM": svm_loss_vectorized}) that
    you have written, in the same order; a released stub is left out with one printed line
    saying where to write it. When none is written yet, the first stub's own error is raised (the
    notebook shows it in one line, and the cells that need the losses say to finish it first).
    Any other error of a loss is raised as it is: it is a bug to fix."""
    ready, missing = {}, []
    W, X, y = np.zeros((3, NUM_CLASSES)), np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([0, 1])
    for label, loss in losses.items():
        try:
            loss(W, X, y, 0.0)
        except NotImplementedError as exc:
            if stub_parts(exc) is None:
                raise
            missing.append((label, stub_parts(exc), exc))
            continue
        ready[label] = loss
    if not ready:
        for label, (what, where), _ in missing[1:]:
            print(f"{what} is not written yet either: write it in {where} for the {label} loss.")
        raise missing[0][2]
    for label, (what, where), _ in missing:
        print(f"{what} is not written yet: write it in {where}, then run this cell again to see the "
              f"{label} loss too.")
    return ready


def _extended(W, b, X):
    """The bias trick: (W_ext (3, 3), X_ext (N, 3))."""
    X = np.asarray(X, dtype=np.float64)
    return np.vstack([W, np.asarray(b, dtype=np.float64)[None, :]]), np.hstack([X, np.ones((X.shape[0], 1))])


def _call(loss, W_ext, X_ext, y, reg):
    value, dW_ext = loss(W_ext, X_ext, y, reg)
    dW_ext = np.asarray(dW_ext, dtype=np.float64)
    name = getattr(loss, "__name__", "the loss")
    if dW_ext.shape != W_ext.shape:
        raise ValueError(f"{name} returned dW of shape {dW_ext.shape}; expected {W_ext.shape} like W")
    return float(value), dW_ext


def compute_loss(loss, W, b, X, y, reg=0.0):
    """Your ``loss`` (an assignment-1 loss function: ``loss(W, X, y, reg)`` returns (loss, dW)) on
    the 2-D problem, through the bias trick (see the module docstring). Returns a LossResult."""
    W_ext, X_ext = _extended(W, b, X)
    value, dW_ext = _call(loss, W_ext, X_ext, y, reg)
    per_point = np.array([_call(loss, W_ext, X_ext[i:i + 1], y[i:i + 1], 0.0)[0] for i in range(len(y))])
    return LossResult(value, per_point, dW_ext[:-1], dW_ext[-1])


def gradient_step(loss, W, b, X, y, reg, step_size):
    """One step of gradient descent on the whole data set with your ``loss``.

    Returns (W_new (2, 3), b_new (3,), the LossResult at the old W and b).
    """
    result = compute_loss(loss, W, b, X, y, reg)
    return W - step_size * result.dW, b - step_size * result.db, result


def train(loss, W, b, X, y, reg, step_size, num_steps):
    """``num_steps`` gradient steps with your ``loss``; returns (W, b, losses) with losses of shape
    (num_steps,), the loss before each step."""
    losses = np.zeros(num_steps)
    W_ext, X_ext = _extended(W, b, X)
    for i in range(num_steps):  # no per-point losses here: only the total is needed
        losses[i], dW_ext = _call(loss, W_ext, X_ext, y, reg)
        W_ext = W_ext - step_size * dW_ext
    return W_ext[:-1], W_ext[-1], losses


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


def plot_state(ax, W, b, X, y, loss, reg=0.0, label="", lim=2.5, title=None, show_losses=True):
    """Draw on ``ax``: the decision regions, each class's score-zero line w_c . x + b_c = 0 (with an
    arrow towards its positive side), the points (label: their loss under your ``loss``), and the
    total loss as title (``label`` names the loss there). Returns the LossResult."""
    from matplotlib.colors import ListedColormap

    result = compute_loss(loss, W, b, X, y, reg)
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
    ax.set_title(title or f"{label} loss {result.loss:.3f}".strip(), fontsize=10)
    return result
