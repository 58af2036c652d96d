"""load_cifar10 on tiny batch sets written in the official python-pickle format."""
import os

import numpy as np
import pytest

from cs_datasets import DatasetError, load_cifar10
from cs_datasets.cifar10 import CACHE_FILE, cifar10_class_names
from fake_cifar import NAMES, write_fake_cifar10


@pytest.mark.parametrize("bytes_keys", [False, True])
def test_loader_returns_images_in_hwc_order_with_labels(tmp_path, bytes_keys):
    expected = write_fake_cifar10(tmp_path, bytes_keys=bytes_keys)
    got = load_cifar10(tmp_path, use_cache=False)
    for g, e, what in zip(got, expected, ["X_train", "y_train", "X_test", "y_test"]):
        assert g.shape == e.shape, f"{what} shape"
        np.testing.assert_array_equal(g, e, err_msg=what)
    assert got[0].dtype == np.uint8 and got[0].shape[1:] == (32, 32, 3)


def test_loader_accepts_the_batches_folder_itself(tmp_path):
    expected = write_fake_cifar10(tmp_path)
    got = load_cifar10(tmp_path / "cifar-10-batches-py", use_cache=False)
    np.testing.assert_array_equal(got[2], expected[2])


def test_second_load_comes_from_the_cache_and_matches(tmp_path):
    expected = write_fake_cifar10(tmp_path)
    load_cifar10(tmp_path)
    cache = tmp_path / "cifar-10-batches-py" / CACHE_FILE
    assert cache.exists()
    os.remove(tmp_path / "cifar-10-batches-py" / "data_batch_3")  # only the cache can answer now
    os.utime(cache)
    for g, e in zip(load_cifar10(tmp_path), expected):
        np.testing.assert_array_equal(g, e)


def test_stale_cache_is_rebuilt_after_batches_change(tmp_path):
    write_fake_cifar10(tmp_path, seed=1)
    load_cifar10(tmp_path)
    cache = tmp_path / "cifar-10-batches-py" / CACHE_FILE
    os.utime(cache, (1, 1))  # older than the batches
    import shutil
    shutil.rmtree(tmp_path / "cifar-10-batches-py")
    expected = write_fake_cifar10(tmp_path, seed=2)
    np.testing.assert_array_equal(load_cifar10(tmp_path)[0], expected[0])


def test_missing_batch_names_the_file(tmp_path):
    write_fake_cifar10(tmp_path)
    os.remove(tmp_path / "cifar-10-batches-py" / "data_batch_4")
    with pytest.raises(DatasetError, match="data_batch_4"):
        load_cifar10(tmp_path, use_cache=False)


def test_corrupt_batch_names_the_file(tmp_path):
    write_fake_cifar10(tmp_path)
    (tmp_path / "cifar-10-batches-py" / "test_batch").write_bytes(b"not a pickle at all")
    with pytest.raises(DatasetError, match="test_batch.*corrupt|corrupt.*test_batch"):
        load_cifar10(tmp_path, use_cache=False)


def test_missing_folder_says_how_to_download(tmp_path):
    with pytest.raises(DatasetError, match="cs_datasets download cifar10"):
        load_cifar10(tmp_path / "nowhere")


def test_class_names_come_from_batches_meta(tmp_path):
    write_fake_cifar10(tmp_path)
    assert cifar10_class_names(tmp_path) == tuple(NAMES)


def test_cifar10_dir_environment_variable_is_used(tmp_path, monkeypatch):
    expected = write_fake_cifar10(tmp_path)
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path))
    np.testing.assert_array_equal(load_cifar10(use_cache=False)[1], expected[1])
