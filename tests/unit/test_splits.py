"""get_cifar10_splits and load_dataset: shapes, disjointness, mean from training only, offline set."""
import numpy as np
import pytest

from cs_datasets import get_cifar10_splits, load_dataset, splits as splits_module
from fake_cifar import write_fake_cifar10


@pytest.fixture(autouse=True)
def _fresh_announcements(monkeypatch):
    # Each test starts as a new process would: nothing announced yet.
    monkeypatch.setattr(splits_module, "_ANNOUNCED", set())


@pytest.fixture
def fake_root(tmp_path):
    write_fake_cifar10(tmp_path, per_batch=40)  # 200 training and 40 test images
    return tmp_path


def _splits(root, **kw):
    args = dict(num_training=120, num_validation=30, num_test=25, num_dev=10, dataset="cifar10",
                root=root, verbose=False)
    args.update(kw)
    return get_cifar10_splits(**args)


def test_split_shapes_flattened_with_bias(fake_root):
    s = _splits(fake_root, bias=True)
    assert s.X_train.shape == (120, 3073) and s.y_train.shape == (120,)
    assert s.X_val.shape == (30, 3073) and s.X_test.shape == (25, 3073) and s.X_dev.shape == (10, 3073)
    assert np.all(s.X_train[:, -1] == 1.0), "bias column must be ones"


def test_split_shapes_as_images_when_not_flattened(fake_root):
    s = _splits(fake_root, flatten=False, subtract_mean=False)
    assert s.X_train.shape == (120, 32, 32, 3) and s.mean_image.shape == (32, 32, 3)


def test_validation_follows_training_and_test_comes_from_the_test_set(fake_root):
    X_train, y_train, X_test, _ = load_dataset("cifar10", root=fake_root, verbose=False)[1:5]
    s = _splits(fake_root, subtract_mean=False, flatten=False, dtype=np.uint8)
    np.testing.assert_array_equal(s.X_train, X_train[:120])
    np.testing.assert_array_equal(s.X_val, X_train[120:150])
    np.testing.assert_array_equal(s.X_test, X_test[:25])


def test_dev_is_sampled_from_training_without_repeats(fake_root):
    s = _splits(fake_root, subtract_mean=False)
    train_rows = {row.tobytes() for row in s.X_train}
    dev_rows = [row.tobytes() for row in s.X_dev]
    assert all(r in train_rows for r in dev_rows)
    assert len(set(dev_rows)) == len(dev_rows)


def test_training_and_validation_are_disjoint(fake_root):
    s = _splits(fake_root, subtract_mean=False)
    assert not ({r.tobytes() for r in s.X_train} & {r.tobytes() for r in s.X_val})


def test_mean_image_comes_from_training_only(fake_root):
    raw = _splits(fake_root, subtract_mean=False, flatten=False)
    s = _splits(fake_root, subtract_mean=True, flatten=False)
    np.testing.assert_allclose(s.mean_image, raw.X_train.mean(axis=0))
    np.testing.assert_allclose(s.X_val, raw.X_val - raw.X_train.mean(axis=0))
    assert not np.allclose(s.mean_image, np.concatenate([raw.X_train, raw.X_val]).mean(axis=0))


def test_dtype_option_is_respected(fake_root):
    assert _splits(fake_root, dtype=np.float32).X_train.dtype == np.float32


def test_bias_without_flatten_is_refused(fake_root):
    with pytest.raises(ValueError, match="flatten"):
        _splits(fake_root, bias=True, flatten=False)


def test_auto_uses_cifar10_when_present(fake_root, monkeypatch):
    monkeypatch.delenv("CS_DATASETS_OFFLINE", raising=False)
    assert load_dataset("auto", root=fake_root).name == "cifar10"


def test_auto_falls_back_to_offline_set_and_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CIFAR10_DIR", raising=False)
    data = load_dataset("auto", root=tmp_path / "absent")
    assert data.name == "offline-digits"
    assert "OFFLINE" in capsys.readouterr().out


def test_a_notebook_loading_twice_sees_each_dataset_line_once(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CIFAR10_DIR", raising=False)
    load_dataset("auto", root=tmp_path / "absent")
    get_cifar10_splits(num_training=100, num_validation=0, num_test=50, num_dev=0, root=tmp_path / "absent")
    out = capsys.readouterr().out
    assert out.count("USING THE OFFLINE DIGITS SET") == 1, out
    assert out.count("loaded offline-digits") == 1, out


def test_offline_set_has_the_cifar_image_convention():
    data = load_dataset("offline", verbose=False)
    assert data.X_train.dtype == np.uint8 and data.X_train.shape[1:] == (32, 32, 3)
    assert data.X_test.shape[1:] == (32, 32, 3)
    assert set(np.unique(data.y_train)) == set(range(10)) and len(data.class_names) == 10
    assert data.X_train.max() > 200, "digits must be scaled to the 0..255 range"


def test_default_sizes_shrink_on_the_offline_set_and_stay_disjoint(capsys):
    s = get_cifar10_splits(dataset="offline")
    total = len(load_dataset("offline", verbose=False).X_train)
    assert len(s.X_train) + len(s.X_val) == total
    assert len(s.X_val) >= 100, "a hyperparameter search needs a usable validation split"
    assert "smaller than requested" in capsys.readouterr().out


def test_empty_validation_and_dev_splits_are_allowed(fake_root):
    s = _splits(fake_root, num_validation=0, num_dev=0)
    assert s.X_val.shape == (0, 3072) and s.X_dev.shape == (0, 3072)
