"""Shared pytest set-up: the slow marker runs only when CIFAR10_DIR names a real CIFAR-10 copy."""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--run-accuracy", action="store_true",
                     help="also run the full-CIFAR-10 accuracy runs (minutes; `make accuracy`)")


def pytest_collection_modifyitems(config, items):
    cifar = os.environ.get("CIFAR10_DIR")
    for item in items:
        if "slow" in item.keywords and not cifar:
            item.add_marker(pytest.mark.skip(reason="set CIFAR10_DIR to a cifar-10-batches-py folder"))
        if "accuracy" in item.keywords and not config.getoption("--run-accuracy"):
            item.add_marker(pytest.mark.skip(reason="full CIFAR-10 accuracy run: `make accuracy`"))


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path_factory, monkeypatch):
    """Keep tests away from the user's real dataset cache."""
    monkeypatch.setenv("CS_DATASETS_HOME", str(tmp_path_factory.mktemp("cs_datasets_home")))
