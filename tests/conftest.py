"""Shared pytest set-up.

* ``slow`` tests run only when CIFAR-10 is on disk; ``accuracy`` tests only with ``--run-accuracy``
  (``make accuracy``), which finds the dataset where ``python -m cs_datasets download cifar10`` put
  it when CIFAR10_DIR is not set, and stops with a one-line error when there is none.
* Tests that measure something report it through the ``measured`` fixture; the lines are printed
  at the end of the run, so ``make accuracy`` shows its numbers without ``-s``. The mutation suites'
  tally (planted bugs caught, where they cost points; correct variants kept whole) is printed there
  too.
"""
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_MEASURED = pytest.StashKey[list]()


def pytest_addoption(parser):
    parser.addoption("--run-accuracy", action="store_true",
                     help="also run the full-CIFAR-10 accuracy runs (minutes; `make accuracy`)")


def pytest_configure(config):
    config.stash[_MEASURED] = []
    if not config.getoption("--run-accuracy", default=False):
        return
    # Resolve before any test moves CS_DATASETS_HOME to a temporary folder (see _no_user_cache).
    from cs_datasets import cifar10_available
    from cs_datasets.locations import resolve_cifar10_dir

    folder = resolve_cifar10_dir()
    if not cifar10_available(folder):
        raise pytest.UsageError(
            f"the accuracy runs need CIFAR-10, and {folder} does not hold it: run "
            f"`.venv/bin/python -m cs_datasets download cifar10` or set CIFAR10_DIR")
    os.environ["CIFAR10_DIR"] = str(folder)


def pytest_collection_modifyitems(config, items):
    cifar = os.environ.get("CIFAR10_DIR")
    for item in items:
        if "slow" in item.keywords and not cifar:
            item.add_marker(pytest.mark.skip(reason="set CIFAR10_DIR to a cifar-10-batches-py folder"))
        if "accuracy" in item.keywords and not config.getoption("--run-accuracy"):
            item.add_marker(pytest.mark.skip(reason="full CIFAR-10 accuracy run: `make accuracy`"))


@pytest.fixture
def measured(request):
    """``measured(line)`` keeps one line of results for the summary printed after the run."""
    return request.config.stash[_MEASURED].append


def pytest_terminal_summary(terminalreporter, config):
    lines = list(config.stash.get(_MEASURED, []))
    tally = sys.modules.get("mutation_helpers")  # imported only when a mutation suite ran
    if tally is not None:
        lines += tally.tally_lines()
    if lines:
        terminalreporter.section("measured")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path_factory, monkeypatch):
    """Keep tests away from the user's real dataset cache."""
    monkeypatch.setenv("CS_DATASETS_HOME", str(tmp_path_factory.mktemp("cs_datasets_home")))
