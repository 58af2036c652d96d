"""An offline stand-in for CIFAR-10, built from the handwritten-digit images that scikit-learn ships.

scikit-learn installs 1,797 grey 8x8 digit images (values 0..16) inside its package, so this set
needs no network and nothing committed here. They are scaled to 0..255, resized to 32x32 and copied
into three channels, so every notebook sees the CIFAR-10 convention: uint8 images of shape
(N, 32, 32, 3) and labels 0..9. It is small (1,497 training / 300 test images) and much easier than
CIFAR-10, so accuracies on it say nothing about CIFAR-10 targets.
"""
import numpy as np

NUM_TEST = 300
SHUFFLE_SEED = 231
CLASS_NAMES = tuple(str(d) for d in range(10))


def _to_cifar_like(images):
    """Turn (N, 8, 8) values in 0..16 into uint8 (N, 32, 32, 3) images."""
    from scipy.ndimage import zoom

    scaled = images.astype(np.float64) * (255.0 / 16.0)
    big = zoom(scaled, (1, 4, 4), order=1, mode="nearest")  # (N, 32, 32), bilinear
    big = np.clip(np.rint(big), 0, 255).astype(np.uint8)
    return np.repeat(big[:, :, :, None], 3, axis=3)  # (N, 32, 32, 3)


def load_offline_digits():
    """Load the offline set.

    Returns a tuple of:
    - X_train: uint8 array of shape (1497, 32, 32, 3).
    - y_train: int64 array of shape (1497,).
    - X_test: uint8 array of shape (300, 32, 32, 3).
    - y_test: int64 array of shape (300,).
    """
    from sklearn.datasets import load_digits  # reads files inside the installed package; no network

    digits = load_digits()
    order = np.random.default_rng(SHUFFLE_SEED).permutation(len(digits.target))
    X = _to_cifar_like(digits.images[order])
    y = digits.target[order].astype(np.int64)
    return X[NUM_TEST:], y[NUM_TEST:], X[:NUM_TEST], y[:NUM_TEST]
