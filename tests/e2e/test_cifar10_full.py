"""Slow checks on a real CIFAR-10 copy (run when CIFAR10_DIR is set)."""
import os

import numpy as np
import pytest

from cs_datasets import get_cifar10_splits, load_cifar10

pytestmark = pytest.mark.slow


def test_full_load_shapes_and_dtypes():
    X_train, y_train, X_test, y_test = load_cifar10(os.environ["CIFAR10_DIR"])
    assert X_train.shape == (50000, 32, 32, 3) and y_train.shape == (50000,)
    assert X_test.shape == (10000, 32, 32, 3) and y_test.shape == (10000,)
    assert X_train.dtype == np.uint8


def test_classes_are_balanced():
    _, y_train, _, y_test = load_cifar10(os.environ["CIFAR10_DIR"])
    assert np.bincount(y_train).tolist() == [5000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10


def test_per_channel_mean_matches_the_published_statistics():
    X_train = load_cifar10(os.environ["CIFAR10_DIR"])[0]
    mean = X_train.reshape(-1, 3).mean(axis=0)
    np.testing.assert_allclose(mean, [125.3, 123.0, 113.9], atol=1.0)


def test_default_splits_have_cs231n_sizes():
    s = get_cifar10_splits(dataset="cifar10", root=os.environ["CIFAR10_DIR"], verbose=False)
    assert [len(a) for a in (s.X_train, s.X_val, s.X_test, s.X_dev)] == [49000, 1000, 1000, 500]
    assert s.X_train.shape[1] == 3072
