"""Read CIFAR-10 from the official python-pickle batches, with a fast uint8 .npy cache.

The official archive unpacks to ``cifar-10-batches-py/`` with ``data_batch_1`` .. ``data_batch_5``,
``test_batch`` and ``batches.meta``. Each batch is a Python-2 pickle of a dict whose ``data`` is a
uint8 array of shape (10000, 3072): 1024 red, then 1024 green, then 1024 blue values per image, each
plane in row-major order.
"""
import os
import pickle
import tempfile
from pathlib import Path

import numpy as np

from .errors import DatasetError
from .locations import resolve_cifar10_dir

TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
META_FILE = "batches.meta"
CACHE_FILE = "cs_datasets_cache.npz"
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck")


def _read_pickle(path):
    if not path.exists():
        raise DatasetError(f"CIFAR-10 file missing: {path}. Re-download with "
                           f"`python -m cs_datasets download cifar10 --dir {path.parent.parent}`.")
    try:
        with open(path, "rb") as f:
            # The batches were pickled by Python 2; latin1 maps its byte strings 1:1.
            content = pickle.load(f, encoding="latin1")
    except Exception as exc:  # any unpickling failure means the same thing to the user
        raise DatasetError(f"CIFAR-10 file is corrupt: {path} ({type(exc).__name__}: {exc}). "
                           f"Delete the folder and download again.") from None
    if not isinstance(content, dict):
        raise DatasetError(f"CIFAR-10 file is corrupt: {path} does not hold a batch dictionary.")
    # Python-2 pickles give str keys; files re-written by Python 3 tools may give bytes keys.
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in content.items()}


def load_batch(path):
    """Load one batch file.

    Returns a tuple of:
    - X: uint8 array of shape (N, 32, 32, 3), images in height-width-channel order.
    - y: int64 array of shape (N,), labels in 0..9.
    """
    path = Path(path)
    batch = _read_pickle(path)
    try:
        data = np.asarray(batch["data"], dtype=np.uint8)
        labels = np.asarray(batch["labels"], dtype=np.int64)
        X = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # (N, 3, 32, 32) -> (N, 32, 32, 3)
    except (KeyError, TypeError, ValueError) as exc:
        raise DatasetError(f"CIFAR-10 file is corrupt: {path} has no valid data/labels ({exc}).") from None
    if len(labels) != len(X):
        raise DatasetError(f"CIFAR-10 file is corrupt: {path} has {len(X)} images but {len(labels)} labels.")
    return np.ascontiguousarray(X), labels


def _read_batches(folder):
    parts = [load_batch(folder / name) for name in TRAIN_BATCHES]
    X_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    X_test, y_test = load_batch(folder / TEST_BATCH)
    return X_train, y_train, X_test, y_test


def _cache_is_fresh(folder, cache):
    if not cache.exists():
        return False
    newest_batch = max((folder / n).stat().st_mtime for n in TRAIN_BATCHES + (TEST_BATCH,)
                       if (folder / n).exists())
    return cache.stat().st_mtime >= newest_batch


def _write_cache(cache, arrays):
    """Write the cache atomically; a read-only dataset folder simply goes uncached."""
    try:
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".cache-", suffix=".npz")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # uncompressed: loading is a plain read, well under a second
        os.replace(tmp, cache)
    except OSError:
        if os.path.exists(tmp):
            os.remove(tmp)


def load_cifar10(root=None, use_cache=True):
    """Load the whole of CIFAR-10.

    Inputs:
    - root: the ``cifar-10-batches-py`` folder or its parent; None means ``CIFAR10_DIR`` or the user cache.
    - use_cache: read/write a uint8 .npz cache next to the batches so later loads take well under a second.

    Returns a tuple of:
    - X_train: uint8 array of shape (50000, 32, 32, 3).
    - y_train: int64 array of shape (50000,).
    - X_test: uint8 array of shape (10000, 32, 32, 3).
    - y_test: int64 array of shape (10000,).
    """
    folder = resolve_cifar10_dir(root)
    if not folder.is_dir():
        raise DatasetError(f"CIFAR-10 not found at {folder}. Run `python -m cs_datasets download cifar10` "
                           f"or set CIFAR10_DIR to a folder holding cifar-10-batches-py.")
    cache = folder / CACHE_FILE
    if use_cache and _cache_is_fresh(folder, cache):
        try:
            with np.load(cache, allow_pickle=False) as z:
                return z["X_train"], z["y_train"], z["X_test"], z["y_test"]
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is rebuilt from the batches below
    X_train, y_train, X_test, y_test = _read_batches(folder)
    if use_cache:
        _write_cache(cache, dict(X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test))
    return X_train, y_train, X_test, y_test


def cifar10_class_names(root=None):
    """The ten class names, read from ``batches.meta`` when present."""
    meta = resolve_cifar10_dir(root) / META_FILE
    if meta.exists():
        try:
            names = _read_pickle(meta)["label_names"]
            return tuple(n.decode() if isinstance(n, bytes) else str(n) for n in names)
        except (DatasetError, KeyError, TypeError):
            pass
    return CLASS_NAMES


def cifar10_available(root=None):
    """True when every CIFAR-10 batch file is present (nothing is read or downloaded)."""
    folder = resolve_cifar10_dir(root)
    return all((folder / n).exists() for n in TRAIN_BATCHES + (TEST_BATCH,))
