"""Load a dataset by name and cut it into train / validation / test / dev splits as in CS231n."""
import os
import sys
from typing import NamedTuple, Tuple

import numpy as np

from .cifar10 import cifar10_available, cifar10_class_names, load_cifar10
from .errors import DatasetError
from .offline import CLASS_NAMES as DIGIT_NAMES, load_offline_digits

OFFLINE_ENV = "CS_DATASETS_OFFLINE"  # "1" forces the offline set (smoke runs, tests)


class Dataset(NamedTuple):
    """Whole training and test sets: images are uint8 arrays of shape (N, 32, 32, 3)."""
    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: Tuple[str, ...]


class Splits(NamedTuple):
    """Data ready for a classifier.

    X_* have shape (N, D) when flattened (D = 3072, or 3073 with the bias column) or (N, 32, 32, 3)
    otherwise; y_* are int64 arrays of shape (N,). ``mean_image`` is the training mean of shape
    (32, 32, 3) (zeros when the mean was not subtracted). ``dataset`` names the source.
    """
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    X_dev: np.ndarray
    y_dev: np.ndarray
    mean_image: np.ndarray
    class_names: Tuple[str, ...]
    dataset: str


_ANNOUNCED = set()  # messages already printed by this process


def _announce(message):
    # Once per process: a notebook loads the dataset in several cells, and the same line again
    # and again would only hide what changed.
    if message in _ANNOUNCED:
        return
    _ANNOUNCED.add(message)
    print(f"[cs_datasets] {message}", file=sys.stderr if os.environ.get("CS_DATASETS_QUIET") else sys.stdout)


def load_dataset(name="auto", root=None, verbose=True):
    """Load a whole dataset.

    Inputs:
    - name: "cifar10", "offline" (digits shipped with scikit-learn) or "auto": CIFAR-10 when it is on
      disk (see ``cs_datasets.locations``), the offline set otherwise. ``CS_DATASETS_OFFLINE=1``
      makes "auto" pick the offline set.
    - root: where CIFAR-10 lives (None: ``CIFAR10_DIR`` or the user cache).
    - verbose: print which dataset was used. "auto" always says so, loudly.

    Returns a ``Dataset``.
    """
    if name not in ("auto", "cifar10", "offline"):
        raise DatasetError(f"unknown dataset {name!r}; choose 'auto', 'cifar10' or 'offline'.")
    if name == "auto":
        forced = os.environ.get(OFFLINE_ENV) == "1"
        name = "cifar10" if (not forced and cifar10_available(root)) else "offline"
        verbose = True
        if name == "offline":
            why = f"{OFFLINE_ENV}=1" if forced else "CIFAR-10 was not found"
            _announce(f"USING THE OFFLINE DIGITS SET ({why}): 1,497 train / 300 test images, 32x32x3. "
                      "Get CIFAR-10 with `python -m cs_datasets download cifar10`.")
    if name == "cifar10":
        X_train, y_train, X_test, y_test = load_cifar10(root)
        data = Dataset("cifar10", X_train, y_train, X_test, y_test, cifar10_class_names(root))
    else:
        X_train, y_train, X_test, y_test = load_offline_digits()
        data = Dataset("offline-digits", X_train, y_train, X_test, y_test, DIGIT_NAMES)
    if verbose:
        _announce(f"loaded {data.name}: {len(data.X_train)} training and {len(data.X_test)} test images")
    return data


def _fit_sizes(available_train, available_test, num_training, num_validation, num_test, num_dev):
    """Shrink requested sizes when the dataset is smaller than asked (the offline set).

    Validation keeps up to a fifth of the available training images, so that a hyperparameter search
    on the small set still compares accuracies over a few hundred images rather than a handful.
    """
    if num_training + num_validation > available_train:
        num_validation = min(num_validation, available_train // 5)
        num_training = min(num_training, available_train - num_validation)
    num_test = min(num_test, available_test)
    num_dev = min(num_dev, num_training)
    return num_training, num_validation, num_test, num_dev


def get_cifar10_splits(num_training=49000, num_validation=1000, num_test=1000, num_dev=500,
                       subtract_mean=True, flatten=True, bias=False, dtype=np.float64,
                       dataset="auto", root=None, seed=0, verbose=True):
    """Cut a dataset into the splits the CS231n notebooks use.

    Training is the first ``num_training`` training images, validation the ``num_validation`` right
    after them, test the first ``num_test`` test images, and dev a random sample (without replacement,
    from ``seed``) of ``num_dev`` training images. The mean image is computed on the training split
    only and subtracted from every split when ``subtract_mean``. When the dataset is smaller than asked
    (the offline set), validation keeps at most a fifth of it, training the rest, and a message says so.

    Inputs:
    - flatten: reshape images to rows of length 3072 (32 * 32 * 3).
    - bias: append a column of ones (the bias trick); needs ``flatten``.
    - dtype: float dtype of the returned images.
    - dataset, root: passed to ``load_dataset``.

    Returns a ``Splits``.
    """
    if bias and not flatten:
        raise ValueError("bias=True needs flatten=True: the bias column is appended to flattened rows.")
    for label, n in (("num_training", num_training), ("num_validation", num_validation),
                     ("num_test", num_test), ("num_dev", num_dev)):
        if n < 0:
            raise ValueError(f"{label} must be >= 0, got {n}")
    data = load_dataset(dataset, root=root, verbose=verbose)
    sizes = _fit_sizes(len(data.X_train), len(data.X_test), num_training, num_validation, num_test, num_dev)
    if verbose and sizes != (num_training, num_validation, num_test, num_dev):
        _announce(f"{data.name} is smaller than requested: using {sizes[0]} train / {sizes[1]} validation / "
                  f"{sizes[2]} test / {sizes[3]} dev instead of "
                  f"{num_training} / {num_validation} / {num_test} / {num_dev}")
    num_training, num_validation, num_test, num_dev = sizes

    X_train = data.X_train[:num_training].astype(dtype)
    y_train = data.y_train[:num_training]
    X_val = data.X_train[num_training:num_training + num_validation].astype(dtype)
    y_val = data.y_train[num_training:num_training + num_validation]
    X_test = data.X_test[:num_test].astype(dtype)
    y_test = data.y_test[:num_test]
    dev_idx = np.random.default_rng(seed).choice(num_training, num_dev, replace=False)
    X_dev, y_dev = X_train[dev_idx], y_train[dev_idx]

    mean_image = np.zeros(data.X_train.shape[1:], dtype=dtype)
    if subtract_mean and num_training > 0:
        mean_image = X_train.mean(axis=0)  # training split only: validation/test stay unseen
        X_train, X_val, X_test, X_dev = (X - mean_image for X in (X_train, X_val, X_test, X_dev))

    if flatten:
        row = int(np.prod(data.X_train.shape[1:]))  # explicit, since -1 is ambiguous for empty splits
        X_train, X_val, X_test, X_dev = (X.reshape(len(X), row) for X in (X_train, X_val, X_test, X_dev))
    if bias:
        X_train, X_val, X_test, X_dev = (np.hstack([X, np.ones((len(X), 1), dtype=dtype)])
                                         for X in (X_train, X_val, X_test, X_dev))
    return Splits(X_train, y_train, X_val, y_val, X_test, y_test, X_dev, y_dev,
                  mean_image, tuple(data.class_names), data.name)
