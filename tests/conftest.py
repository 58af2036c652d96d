"""Shared pytest set-up.

* ``slow`` tests run only when CIFAR-10 is on disk; ``accuracy`` tests only with ``--run-accuracy``
  (``make accuracy``), which finds the dataset where ``python -m cs_datasets download cifar10`` put
  it when CIFAR10_DIR is not set, and stops with a one-line error when there is none; ``install``
  tests only with ``--run-install`` (``make test-install``).
* Tests that measure something report it through the ``measured`` fixture; the lines are printed
  at the end of the run, so ``make accuracy`` shows its numbers without ``-s``. The mutation suites'
  tally (planted bugs caught, where they cost points; correct variants kept whole) is printed there
  too.
* ``make test`` runs the files on two pytest-xdist workers (``--dist loadfile``). Each file stays
  on one worker (its module fixtures are built once); the mutation suites share one worker, and
  so do the files that run notebooks in source/ (see ``pytest_xdist_make_scheduler``). Workers
  hand their measured lines and tally to the controller, which prints them.
"""
import json
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Shared helpers (fixtures builders, the mutation harness, the browser session) live in
# tests/helpers/ and are imported by name from the test files in unit/, security/, mutation/, e2e/.
sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))
_MEASURED = pytest.StashKey[list]()


def pytest_addoption(parser):
    parser.addoption("--run-accuracy", action="store_true",
                     help="also run the full-CIFAR-10 accuracy runs (minutes; `make accuracy`)")
    parser.addoption("--run-install", action="store_true",
                     help="also install the student edition with pip, as a new user would (minutes; `make test-install`)")


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
        if "install" in item.keywords and not config.getoption("--run-install"):
            item.add_marker(pytest.mark.skip(reason="a pip install of the student edition: `make test-install`"))


KERNELS_IN_SOURCE = ("test_notebooks.py", "test_linear_demo.py")


def _uses_mutation_helpers(path, _cache={}):
    if path not in _cache:
        _cache[path] = path.suffix == ".py" and "mutation_helpers" in path.read_text()
    return _cache[path]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` with two groups of files kept on one worker: the mutation suites (the
    last of them checks the tally of all of them) and the files that run notebooks in source/'s
    own folders (each checks that its runs leave nothing behind there). (xdist's ``loadgroup``
    would do, but it ignores its marks under pytest 9.2.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesAndGroups(LoadFileScheduling):
        def _split_scope(self, nodeid):
            scope = super()._split_scope(nodeid)
            if Path(scope).name in KERNELS_IN_SOURCE:
                return "kernels in source/"
            return "mutation suites" if _uses_mutation_helpers(config.rootpath / scope) else scope

    return FilesAndGroups(config, log)


@pytest.fixture
def measured(request):
    """``measured(line)`` keeps one line of results for the summary printed after the run."""
    return request.config.stash[_MEASURED].append


def pytest_sessionfinish(session):
    output = getattr(session.config, "workeroutput", None)
    if output is None:
        return  # not an xdist worker
    output["measured"] = json.dumps(session.config.stash.get(_MEASURED, []))
    tally = sys.modules.get("mutation_helpers")
    output["tally"] = json.dumps(tally.TALLY if tally else {})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """On the xdist controller: keep what a finished worker measured."""
    output = getattr(node, "workeroutput", {})
    node.config.stash[_MEASURED].extend(json.loads(output.get("measured", "[]")))
    tally = json.loads(output.get("tally", "{}"))
    if tally:
        import mutation_helpers
        for kind, rows in tally.items():
            mutation_helpers.TALLY[kind].extend(rows)


def pytest_terminal_summary(terminalreporter, config):
    lines = sorted(config.stash.get(_MEASURED, []))  # workers finish in any order
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
