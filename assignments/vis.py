"""Plotting helpers for the notebooks: image grids, class samples, learned
weight templates and training curves.

matplotlib is imported lazily, inside the functions, so importing this module
is cheap and never chooses a backend.  When pyplot has not been imported yet,
no backend has been requested (``MPLBACKEND`` unset) and there is no display
to draw on, the non-interactive Agg backend is selected before importing it;
otherwise matplotlib's own choice (e.g. the notebook's inline backend) is
kept.
"""

from __future__ import annotations

import math
import os
import sys
from typing import Mapping, Sequence

import numpy as np

__all__ = [
    "visualize_grid",
    "show_examples_per_class",
    "show_weight_templates",
    "plot_history",
]


def _pyplot():
    """Import and return ``matplotlib.pyplot``, choosing Agg when headless."""
    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        headless = (sys.platform.startswith("linux")
                    and not os.environ.get("DISPLAY")
                    and not os.environ.get("WAYLAND_DISPLAY"))
        if headless:
            import matplotlib

            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _rescale(img: np.ndarray, ubound: float) -> np.ndarray:
    """Linearly map ``img`` onto ``[0, ubound]``; a constant image maps to 0."""
    img = np.asarray(img, dtype=np.float64)
    lo, hi = img.min(), img.max()
    if hi > lo:
        return ubound * (img - lo) / (hi - lo)
    return np.zeros_like(img)


def _as_displayable(img: np.ndarray) -> np.ndarray:
    """uint8 images pass through; anything else is taken to be on a 0..255
    scale and clipped to it."""
    img = np.asarray(img)
    if img.dtype == np.uint8:
        return img
    return np.clip(img, 0, 255).astype(np.uint8)


def visualize_grid(Xs: np.ndarray, ubound: float = 255.0, padding: int = 1) -> np.ndarray:
    """Tile a batch of images into one square grid image.

    Args:
        Xs: array of shape ``(N, H, W, C)``: N images, each H x W with C
            channels.
        ubound: each image is rescaled independently so that its minimum
            becomes 0 and its maximum ``ubound`` (a constant image becomes
            all 0).
        padding: number of zero-valued pixels between neighbouring cells.

    Returns:
        float64 array of shape ``(G*(H+padding)-padding, G*(W+padding)-padding, C)``
        with ``G = ceil(sqrt(N))``; images fill the cells row by row and the
        unused cells stay 0.
    """
    Xs = np.asarray(Xs)
    if Xs.ndim != 4:
        raise ValueError(f"Xs must have shape (N, H, W, C), got {Xs.shape}")
    if padding < 0:
        raise ValueError("padding must be non-negative")
    N, H, W, C = Xs.shape
    G = math.ceil(math.sqrt(N))
    grid = np.zeros((max(G * (H + padding) - padding, 0),
                     max(G * (W + padding) - padding, 0), C), dtype=np.float64)
    for n in range(N):
        r, c = divmod(n, G)
        y0, x0 = r * (H + padding), c * (W + padding)
        grid[y0:y0 + H, x0:x0 + W] = _rescale(Xs[n], ubound)
    return grid


def show_examples_per_class(X, y, class_names: Sequence[str], samples_per_class: int = 7,
                            seed: int | None = 0, fig=None):
    """Show random training images, one column per class.

    Args:
        X: images of shape ``(N, H, W, 3)`` (CIFAR-10: ``(N, 32, 32, 3)``),
            either uint8 or float on the 0..255 scale (floats are clipped to
            0..255 for display).
        y: integer labels of shape ``(N,)`` with values in
            ``0 .. len(class_names) - 1``.
        class_names: name of each class; column ``c`` shows class ``c`` and is
            titled ``class_names[c]``.
        samples_per_class: number of rows; each column shows that many
            images drawn without replacement (fewer if the class has fewer).
        seed: seed for ``np.random.default_rng`` choosing the images.
        fig: optional matplotlib ``Figure`` to draw into (its contents are
            cleared first); by default a new figure is created.

    Returns:
        The matplotlib ``Figure``.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 4 or y.shape != (X.shape[0],):
        raise ValueError(f"expected X of shape (N, H, W, C) and y of shape (N,), "
                         f"got {X.shape} and {y.shape}")
    num_classes = len(class_names)
    if num_classes == 0 or samples_per_class < 1:
        raise ValueError("need at least one class and samples_per_class >= 1")
    plt = _pyplot()
    rng = np.random.default_rng(seed)
    if fig is None:
        fig = plt.figure(figsize=(1.2 * num_classes, 1.2 * samples_per_class))
    else:
        fig.clear()
    axes = np.asarray(fig.subplots(samples_per_class, num_classes, squeeze=False))
    for c, name in enumerate(class_names):
        idxs = np.flatnonzero(y == c)
        chosen = rng.choice(idxs, size=min(samples_per_class, idxs.size), replace=False)
        for r in range(samples_per_class):
            ax = axes[r, c]
            ax.axis("off")
            if r < chosen.size:
                ax.imshow(_as_displayable(X[chosen[r]]))
        axes[0, c].set_title(str(name))
    return fig


def show_weight_templates(W, class_names: Sequence[str],
                          image_shape: tuple[int, ...] = (32, 32, 3)):
    """Show each column of a linear classifier's weights as an image.

    Args:
        W: weights of shape ``(D, C)``, one column per class, with
            ``D = prod(image_shape)`` or ``prod(image_shape) + 1``; in the
            latter case the last row is the bias (bias trick) and is dropped.
        class_names: ``C`` names used as titles.
        image_shape: shape one column is reshaped to, e.g. ``(32, 32, 3)``.

    Returns:
        The matplotlib ``Figure``, holding one image per class (each template
        rescaled to 0..255 independently), at most 10 per row.
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"W must have shape (D, C), got {W.shape}")
    D, C = W.shape
    pixels = int(np.prod(image_shape))
    if D == pixels + 1:
        W = W[:-1]
    elif D != pixels:
        raise ValueError(f"W has {D} rows; expected {pixels} (prod{tuple(image_shape)}) "
                         f"or {pixels + 1} (with a bias row)")
    if len(class_names) != C:
        raise ValueError(f"W has {C} columns but {len(class_names)} class names were given")
    plt = _pyplot()
    ncols = min(C, 10)
    nrows = math.ceil(C / ncols)
    fig = plt.figure(figsize=(1.5 * ncols, 1.7 * nrows))
    axes = np.asarray(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for c in range(C):
        template = _rescale(W[:, c].reshape(image_shape), 255.0)
        if template.ndim == 3 and template.shape[-1] == 1:
            template = template[..., 0]
        ax = axes[c]
        ax.imshow(template.astype(np.uint8), cmap="gray" if template.ndim == 2 else None)
        ax.set_title(str(class_names[c]))
        ax.axis("off")
    for ax in axes[C:]:
        ax.remove()
    return fig


def plot_history(histories: Mapping[str, Sequence[float]], xlabel: str, ylabel: str,
                 title: str | None = None):
    """Plot one or more curves (loss, accuracy, ...) against their index.

    Args:
        histories: maps a legend label to a sequence of values; value ``i`` is
            plotted at x = ``i`` (e.g. iteration or epoch number).
        xlabel: label of the x axis.
        ylabel: label of the y axis.
        title: optional title.

    Returns:
        The matplotlib ``Figure``.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for label, values in histories.items():
        values = np.asarray(values, dtype=np.float64)
        ax.plot(np.arange(values.size), values, label=str(label))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    if histories:
        ax.legend()
    ax.grid(True, alpha=0.3)
    return fig
