"""Datasets for the image-classification course: CIFAR-10 (download, verify, load, split) and an
offline stand-in that works on a fresh machine with no network.

Typical use in a notebook::

    from cs_datasets import get_cifar10_splits
    data = get_cifar10_splits(num_training=49000, num_validation=1000, num_test=1000, num_dev=500)
    data.X_train.shape  # (49000, 3072)
"""
from .cifar10 import CLASS_NAMES, cifar10_available, load_batch, load_cifar10
from .download import CIFAR10_MD5, CIFAR10_URL, download_cifar10
from .errors import DatasetError
from .locations import cache_home, resolve_cifar10_dir
from .offline import load_offline_digits
from .splits import Dataset, Splits, get_cifar10_splits, load_dataset

__all__ = [
    "CIFAR10_MD5", "CIFAR10_URL", "CLASS_NAMES", "Dataset", "DatasetError", "Splits",
    "cache_home", "cifar10_available", "download_cifar10", "get_cifar10_splits", "load_batch",
    "load_cifar10", "load_dataset", "load_offline_digits", "resolve_cifar10_dir",
]
