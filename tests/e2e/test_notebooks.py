"""Run the course notebooks end to end.

* Smoke runs: every source notebook (``source/*/*.ipynb``) is executed top to bottom with nbclient on
  the small offline digits set (``CS_DATASETS_OFFLINE=1``). They are part of ``make test``.
* Release notebooks (``release/*/*.ipynb``) must be valid nbformat and hold no solution text.
* Accuracy runs (``make accuracy``): knn, svm, softmax, two_layer_net, FullyConnectedNets,
  BatchNormalization, Dropout and features notebooks on the real CIFAR-10 must reach their targets;
  optimization's random search, SGD and margin experiment must come out as the lecture says, and the
  normalization and dropout experiments as their notebooks describe them.

The executed notebooks are kept in memory (and copied to pytest's tmp_path for inspection); nothing
is ever written back into source/.
"""
import os
import re
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from notebook_kernel import notebook_client

REPO = Path(__file__).resolve().parents[2]
SOURCE_NOTEBOOKS = sorted(REPO.glob("source/*/*.ipynb"))
RELEASE_NOTEBOOKS = sorted(REPO.glob("release/*/*.ipynb"))
KNN_NOTEBOOK = REPO / "source" / "assignment1" / "knn.ipynb"

CELL_TIMEOUT = 600  # seconds per cell
# The networks' hyperparameter searches on CIFAR-10 take about 4 minutes on two idle cores and twice
# that on a busy machine; their notebooks say so and get this limit in `make accuracy`.
SEARCH_CELL_TIMEOUT = 1200
IGNORED_DIRS = {"__pycache__", ".ipynb_checkpoints"}
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Markers that must never reach students.
LEAK_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def _rel(path):
    return str(path.relative_to(REPO))


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def _folder_files(folder):
    """Relative paths of every file under ``folder``, ignoring __pycache__ / .ipynb_checkpoints."""
    files = set()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in IGNORED_DIRS]
        for name in filenames:
            files.add(os.path.relpath(os.path.join(dirpath, name), folder))
    return files


def _cache_dirs(folder):
    """Every __pycache__ folder under ``folder``."""
    return {Path(dirpath) for dirpath, _, _ in os.walk(folder) if Path(dirpath).name == "__pycache__"}


def _first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:100]
    return ""


def _cell_error(nb, index):
    """(ename, evalue) of the first error output of cell ``index``, or None."""
    for output in nb.cells[index].get("outputs", []):
        if output.get("output_type") == "error":
            return output.get("ename", "?"), ANSI.sub("", str(output.get("evalue", "")))
    return None


def execute_notebook(path, tmp_path, timeout=CELL_TIMEOUT):
    """Execute ``path`` in its own folder and return the executed notebook (never saved in place).

    The kernel inherits os.environ, so set the environment (monkeypatch.setenv) before calling.
    Fails with a short message naming the notebook, the cell index and the error name/value, also
    for an error that did not stop the run (unfinished work, a failing self-check). Also fails when
    the run left new files in the notebook's folder; __pycache__ folders created by the run are
    removed.
    """
    folder = path.parent
    files_before = _folder_files(folder)
    caches_before = _cache_dirs(folder)

    nb = nbformat.read(path, as_version=4)
    current = {"index": None}

    def on_cell_start(cell, cell_index):
        current["index"] = cell_index

    client = notebook_client(nb, folder, tmp_path, timeout, allow_errors=False,
                             on_cell_start=on_cell_start)
    failure = None
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        failure = exc
    finally:
        for cache in _cache_dirs(folder) - caches_before:
            shutil.rmtree(cache, ignore_errors=True)
        executed = tmp_path / path.name
        nbformat.write(nb, executed)  # a copy for inspection; source/ stays untouched

    if failure is not None:
        index = current["index"]
        where = f"{_rel(path)}, cell index {index}" if index is not None else _rel(path)
        if index is not None:
            where += f" ({_first_line(nb.cells[index].source)!r})"
        if isinstance(failure, CellExecutionError):
            found = _cell_error(nb, index) if index is not None else None
            ename, evalue = found or (failure.ename, ANSI.sub("", str(failure.evalue)))
            message = f"{ename}: {evalue}"
        elif isinstance(failure, CellTimeoutError):
            message = f"cell timed out after {timeout} s"
        else:
            message = f"kernel died ({type(failure).__name__}: {failure})"
        pytest.fail(f"{where}: {message}\n(executed copy: {executed})", pytrace=False)

    # Unfinished work and failing self-checks do not stop a run (assignments.unfinished), so an
    # error shown in a cell must fail the smoke run here.
    for index, cell in enumerate(nb.cells):
        found = _cell_error(nb, index) if cell.cell_type == "code" else None
        if found is not None:
            pytest.fail(f"{_rel(path)}, cell index {index} ({_first_line(cell.source)!r}): "
                        f"{found[0]}: {found[1]}\n(executed copy: {executed})", pytrace=False)

    left_behind = sorted(_folder_files(folder) - files_before)
    assert not left_behind, f"{_rel(path)} left files behind in {_rel(folder)}/: {left_behind}"
    return nb


def stream_text(nb, names=("stdout",)):
    """All text the notebook's code cells printed to the given streams, in order."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") in names:
                parts.append(output.get("text", ""))
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# smoke runs on the offline digits (part of `make test`)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=[_rel(p) for p in SOURCE_NOTEBOOKS])
def test_source_notebook_runs_offline(path, tmp_path, monkeypatch, measured):
    monkeypatch.setenv("CS_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # The notebooks' matrices are small: one BLAS thread keeps run times steady on a shared machine.
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    start = time.perf_counter()
    nb = execute_notebook(path, tmp_path)
    elapsed = time.perf_counter() - start
    measured(f"{_rel(path)}: executed offline in {elapsed:.1f} s")
    uses_datasets = any("cs_datasets" in cell.source for cell in nb.cells if cell.cell_type == "code")
    if uses_datasets:  # load_dataset("auto") announces the offline set (stdout, or stderr when quiet)
        assert "USING THE OFFLINE DIGITS SET" in stream_text(nb, ("stdout", "stderr")), \
            f"{_rel(path)} did not announce the offline digits set although CS_DATASETS_OFFLINE=1"


def test_source_notebooks_are_discovered():
    assert KNN_NOTEBOOK in SOURCE_NOTEBOOKS


# ---------------------------------------------------------------------------------------------
# release notebooks
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", RELEASE_NOTEBOOKS, ids=[_rel(p) for p in RELEASE_NOTEBOOKS])
def test_release_notebook_is_valid_and_has_no_solutions(path):
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)  # raises ValidationError with the offending field
    for marker in LEAK_MARKERS:
        leaking = [i for i, cell in enumerate(nb.cells) if marker in cell.source]
        assert not leaking, f"{_rel(path)}: {marker!r} in cell(s) {leaking}"
        assert marker not in text, f"{_rel(path)}: {marker!r} appears in the file (outputs or metadata)"


# ---------------------------------------------------------------------------------------------
# accuracy on the real CIFAR-10 (`make accuracy`)
# ---------------------------------------------------------------------------------------------

K1_RE = re.compile(r"^k = 1: got (\d+) / (\d+) correct => accuracy: ([0-9.]+)$", re.M)
K5_RE = re.compile(r"^k = 5: got (\d+) / (\d+) correct => accuracy: ([0-9.]+)$", re.M)
BEST_RE = re.compile(r"^k = (\d+): got (\d+) / (\d+) correct => test accuracy: ([0-9.]+)$", re.M)
DATASET_RE = re.compile(r"^Dataset:\s+(\S+)\s*$", re.M)


def _one(regex, text, what):
    found = regex.findall(text)
    assert len(found) == 1, f"expected one {what} line in the knn.ipynb output, found {found}"
    return found[0]


@pytest.mark.accuracy
def test_knn_accuracy_on_cifar10(tmp_path, monkeypatch, measured):
    monkeypatch.delenv("CS_DATASETS_OFFLINE", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")

    start = time.perf_counter()
    nb = execute_notebook(KNN_NOTEBOOK, tmp_path)
    elapsed = time.perf_counter() - start
    text = stream_text(nb)

    datasets = set(DATASET_RE.findall(text))
    assert datasets == {"cifar10"}, f"knn.ipynb did not run on CIFAR-10: Dataset lines say {datasets}"
    _, n1, acc1 = _one(K1_RE, text, "'k = 1: ... accuracy'")
    _, n5, acc5 = _one(K5_RE, text, "'k = 5: ... accuracy'")
    best_k, _, nb_, acc_best = _one(BEST_RE, text, "'k = best_k: ... test accuracy'")
    acc1, acc5, acc_best = float(acc1), float(acc5), float(acc_best)
    assert n1 == n5 == nb_ == "500", f"expected 500 test images, got {n1}, {n5}, {nb_}"

    summary = (f"knn.ipynb on CIFAR-10 ({elapsed:.1f} s): k=1 accuracy {acc1:.4f}, k=5 accuracy {acc5:.4f}, "
               f"best k={best_k} test accuracy {acc_best:.4f}")
    measured(summary)
    # CS231n reports about 0.27 for k=1 on the official CIFAR-10; the JPEG-derived copy CI builds
    # gives 0.216 (k=1) and 0.266 (best k). The bars sit below both and far above chance (0.10).
    assert acc1 > 0.20, f"k=1 test accuracy {acc1:.4f}; expected > 0.20 ({summary})"
    assert acc_best > acc1 - 0.01 and acc_best > 0.24, \
        f"best k={best_k} test accuracy {acc_best:.4f}; expected > 0.24 and not below k=1 ({summary})"


FEATURE_TABLE_RE = re.compile(r"^(hue \+ HOG \+ BoW|hue \+ HOG|hue|HOG|BoW)\s+\d+\s+([0-9.]+)\s+([0-9.]+|-)$", re.M)
BEST_VAL_RE = re.compile(r"^best validation accuracy of the search \(one validation split, not cross-validation\): "
                         r"([0-9.]+)$", re.M)
PENALTY_RE = re.compile(r"^penalty (\w+): validation accuracy ([0-9.]+), near-zero weights ([0-9.]+)%", re.M)


@pytest.mark.accuracy
@pytest.mark.parametrize("name, target", [("svm.ipynb", 0.37), ("softmax.ipynb", 0.36)])
def test_linear_classifier_accuracy_on_cifar10(name, target, tmp_path, monkeypatch, measured):
    """The reference's hyperparameter search reaches the issue's validation target (the time is reported)."""
    monkeypatch.delenv("CS_DATASETS_OFFLINE", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")

    start = time.perf_counter()
    nb = execute_notebook(REPO / "source" / "assignment1" / name, tmp_path)
    elapsed = time.perf_counter() - start
    text = stream_text(nb)
    found = BEST_VAL_RE.findall(text)
    assert len(found) == 1, f"{name}: expected one 'best validation accuracy' line, found {found}"
    best_val = float(found[0])
    measured(f"{name} on CIFAR-10: best validation accuracy {best_val:.4f} in {elapsed:.0f} s")
    assert best_val >= target, f"{name}: best validation accuracy {best_val:.4f} < {target}"
    if name == "svm.ipynb":
        penalties = {kind: (float(acc), float(zero) / 100) for kind, acc, zero in PENALTY_RE.findall(text)}
        assert set(penalties) == {"l2", "l1", "elastic"}, f"svm.ipynb: penalty lines {penalties}"
        measured("svm.ipynb on CIFAR-10, penalties (validation accuracy, near-zero weights): " + ", ".join(
            f"{kind} {acc:.3f} {100 * zero:.1f}%" for kind, (acc, zero) in penalties.items()))
        assert penalties["l1"][1] > penalties["l2"][1] + 0.3, f"L1 is not measurably sparser than L2: {penalties}"
        assert penalties["l2"][1] <= penalties["elastic"][1] <= penalties["l1"][1], penalties


RANDOM_SEARCH_RE = re.compile(r"^random search: validation accuracy ([0-9.]+)$", re.M)
SGD_RE = re.compile(r"^SGD: validation accuracy ([0-9.]+)", re.M)
MARGIN_RE = re.compile(r"^margin 1 and margin 10 agree on ([0-9.]+)% of the validation images", re.M)


@pytest.mark.accuracy
def test_optimization_notebook_on_cifar10(tmp_path, monkeypatch, measured):
    """Random search lands near the lecture's 15%, far below SGD; margins 1 and 10 at rescaled
    strength and step give the same classifier."""
    monkeypatch.delenv("CS_DATASETS_OFFLINE", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    start = time.perf_counter()
    nb = execute_notebook(REPO / "source" / "assignment1" / "optimization.ipynb", tmp_path)
    elapsed = time.perf_counter() - start
    text = stream_text(nb)
    [random_acc], [sgd_acc], [same] = (list(map(float, r.findall(text))) for r in (RANDOM_SEARCH_RE, SGD_RE, MARGIN_RE))
    measured(f"optimization.ipynb on CIFAR-10: random search {random_acc:.3f}, SGD {sgd_acc:.3f}, "
             f"margins 1 and 10 agree on {same:.1f}% ({elapsed:.0f} s)")
    assert 0.11 <= random_acc <= 0.22, f"random search validation accuracy {random_acc:.3f}; the lecture reports 0.155"
    assert sgd_acc > random_acc + 0.1, (random_acc, sgd_acc)
    assert same >= 99.0, f"margins 1 and 10 agree on only {same}% of the validation images"


NET_BEST_VAL_RE = re.compile(r"^best validation accuracy achieved: ([0-9.]+)$", re.M)
NET_TEST_RE = re.compile(r"^test accuracy: ([0-9.]+)$", re.M)


@pytest.mark.accuracy
def test_two_layer_net_accuracy_on_cifar10(tmp_path, monkeypatch, measured):
    """The reference's tuned network: validation >= 0.50 and test >= 0.48 (the time is reported)."""
    monkeypatch.delenv("CS_DATASETS_OFFLINE", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")

    start = time.perf_counter()
    nb = execute_notebook(REPO / "source" / "assignment1" / "two_layer_net.ipynb", tmp_path, timeout=SEARCH_CELL_TIMEOUT)
    elapsed = time.perf_counter() - start
    text = stream_text(nb)
    best_val = [float(v) for v in NET_BEST_VAL_RE.findall(text)]
    test_acc = [float(v) for v in NET_TEST_RE.findall(text)]
    assert len(best_val) == 1 and len(test_acc) == 1, f"expected one line each, found {best_val}, {test_acc}"
    measured(f"two_layer_net.ipynb on CIFAR-10: best validation {best_val[0]:.4f}, test {test_acc[0]:.4f}, "
          f"{elapsed:.0f} s")
    assert best_val[0] >= 0.50, f"best validation accuracy {best_val[0]:.4f} < 0.50"
    assert test_acc[0] >= 0.48, f"test accuracy {test_acc[0]:.4f} < 0.48"


OVERFIT_RE = re.compile(r"^overfit 50 images, (\d) layers: training accuracy ([0-9.]+)", re.M)


@pytest.mark.accuracy
def test_fully_connected_nets_accuracy_on_cifar10(tmp_path, monkeypatch, measured):
    """The reference's deeper network: validation >= 0.52 and test >= 0.50 (Stanford's target is
    0.50), both overfitting checks at 100% training accuracy (the time is reported)."""
    monkeypatch.delenv("CS_DATASETS_OFFLINE", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")

    start = time.perf_counter()
    nb = execute_notebook(REPO / "source" / "assignment1" / "FullyConnectedNets.ipynb", tmp_path, timeout=SEARCH_CELL_TIMEOUT)
    elapsed = time.perf_counter() - start
    text = stream_text(nb)
    assert set(DATASET_RE.findall(text)) == {"cifar10"}, "FullyConnectedNets.ipynb did not run on CIFAR-10"
    best_val = [float(v) for v in NET_BEST_VAL_RE.findall(text)]
    test_acc = [float(v) for v in NET_TEST_RE.findall(text)]
    overfit = {int(depth): float(acc) for depth, acc in OVERFIT_RE.findall(text)}
    assert len(best_val) == 1 and len(test_acc) == 1, f"expected one line each, found {best_val}, {test_acc}"
    measured(f"FullyConnectedNets.ipynb on CIFAR-10: best validation {best_val[0]:.4f}, test {test_acc[0]:.4f}, "
             f"overfitting 50 images {overfit}, {elapsed:.0f} s")
    assert overfit == {3: 1.0, 5: 1.0}, f"the overfitting checks should reach 1.00 at both depths: {overfit}"
    assert best_val[0] >= 0.52, f"best validation accuracy {best_val[0]:.4f} < 0.52"
    assert test_acc[0] >= 0.50, f"test accuracy {test_acc[0]:.4f} < 0.50"


BN_SCALES_RE = re.compile(r"^(without normalization|with batch normalization): validation accuracy 0\.20 or more "
                          r"for (\d+) of (\d+) weight scales", re.M)
BN_BATCH_RE = re.compile(r"^(batch norm|layer norm|none)\s+batch size\s+(\d+): final training accuracy ([0-9.]+), "
                         r"best validation accuracy ([0-9.]+)$", re.M)
BN_FULL_RE = re.compile(r"^(without normalization|with batch normalization): best validation accuracy ([0-9.]+)$", re.M)
BN_TEST_RE = re.compile(r"^with batch normalization, test accuracy: ([0-9.]+)$", re.M)
BN_SPEED_RE = re.compile(r"^batchnorm_backward_alt: .*\(([0-9.]+) times as fast\)$", re.M)


@pytest.mark.accuracy
def test_batch_normalization_notebook_on_cifar10(tmp_path, monkeypatch, measured):
    """The reference: the six-layer net with batch normalization reaches validation >= 0.52 and beats
    its twin without; batch normalization learns at most of the 20 weight scales, the plain net in a
    band; small minibatches hurt batch normalization more than layer normalization (the notebook's
    answers quote these runs). The backward passes' speed ratio is reported, not asserted."""
    monkeypatch.delenv("CS_DATASETS_OFFLINE", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    start = time.perf_counter()
    nb = execute_notebook(REPO / "source" / "assignment1" / "BatchNormalization.ipynb", tmp_path,
                          timeout=SEARCH_CELL_TIMEOUT)
    elapsed = time.perf_counter() - start
    text = stream_text(nb)
    assert set(DATASET_RE.findall(text)) == {"cifar10"}, "BatchNormalization.ipynb did not run on CIFAR-10"
    scales = {kind: (int(n), int(total)) for kind, n, total in BN_SCALES_RE.findall(text)}
    batches = {(kind, int(size)): (float(train), float(val)) for kind, size, train, val in BN_BATCH_RE.findall(text)}
    full = {kind: float(acc) for kind, acc in BN_FULL_RE.findall(text)}
    test_acc = [float(v) for v in BN_TEST_RE.findall(text)]
    speed = BN_SPEED_RE.findall(text)
    assert len(scales) == 2 and len(batches) == 7 and len(full) == 2 and len(test_acc) == 1 and speed, \
        (scales, batches, full, test_acc, speed)
    plain, normalized = full["without normalization"], full["with batch normalization"]
    bn = [batches["batch norm", n][0] for n in (5, 10, 50)]
    ln = [batches["layer norm", n][0] for n in (5, 10, 50)]
    measured(f"BatchNormalization.ipynb on CIFAR-10: six-layer net, best validation {normalized:.4f} with batch "
             f"normalization (test {test_acc[0]:.4f}), {plain:.4f} without; learning at "
             f"{scales['with batch normalization'][0]} / {scales['without normalization'][0]} of 20 weight scales; "
             f"training accuracy at batch sizes 5 / 10 / 50: batch norm {' / '.join(f'{a:.3f}' for a in bn)}, "
             f"layer norm {' / '.join(f'{a:.3f}' for a in ln)}; simplified backward {speed[0]}x as fast; {elapsed:.0f} s")
    assert normalized >= 0.52, f"with batch normalization: best validation accuracy {normalized:.4f} < 0.52"
    assert normalized > plain, f"batch normalization ({normalized:.4f}) did not beat the plain net ({plain:.4f})"
    assert scales["with batch normalization"][0] >= 15 and scales["without normalization"][0] <= 10, scales
    assert bn[0] < bn[2] - 0.1, f"batch norm's training accuracy should fall with minibatches of 5: {bn}"
    assert max(ln) - min(ln) < max(bn) - min(bn), f"layer norm should depend less on the batch size: {ln} vs {bn}"


DROPOUT_RE = re.compile(r"^keep ([0-9.]+): final training accuracy ([0-9.]+), final validation accuracy ([0-9.]+), "
                        r"gap (-?[0-9.]+); best validation ([0-9.]+)$", re.M)


@pytest.mark.accuracy
def test_dropout_notebook_on_cifar10(tmp_path, monkeypatch, measured):
    """The reference: the net with batch normalization and dropout reaches validation >= 0.55 and test
    >= 0.50; on 500 images dropout narrows the gap between training and validation accuracy."""
    monkeypatch.delenv("CS_DATASETS_OFFLINE", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    start = time.perf_counter()
    nb = execute_notebook(REPO / "source" / "assignment1" / "Dropout.ipynb", tmp_path, timeout=SEARCH_CELL_TIMEOUT)
    elapsed = time.perf_counter() - start
    text = stream_text(nb)
    assert set(DATASET_RE.findall(text)) == {"cifar10"}, "Dropout.ipynb did not run on CIFAR-10"
    runs = {float(keep): (float(train), float(val), float(gap)) for keep, train, val, gap, _ in DROPOUT_RE.findall(text)}
    best_val = [float(v) for v in NET_BEST_VAL_RE.findall(text)]
    test_acc = [float(v) for v in NET_TEST_RE.findall(text)]
    assert sorted(runs) == [0.25, 0.5, 1.0] and len(best_val) == 1 and len(test_acc) == 1, (runs, best_val, test_acc)
    measured(f"Dropout.ipynb on CIFAR-10: batch norm and dropout, best validation {best_val[0]:.4f}, test "
             f"{test_acc[0]:.4f}; 500 images, train / validation / gap: "
             + ", ".join(f"keep {k:g} {t:.3f} / {v:.3f} / {g:.3f}" for k, (t, v, g) in sorted(runs.items(), reverse=True))
             + f"; {elapsed:.0f} s")
    assert best_val[0] >= 0.55, f"best validation accuracy {best_val[0]:.4f} < 0.55"
    assert test_acc[0] >= 0.50, f"test accuracy {test_acc[0]:.4f} < 0.50"
    # The notebook's answer: keep 0.25 narrows the gap by far (0.70 to 0.41 in the reference run) without
    # costing validation accuracy; keep 0.5 barely changes it.
    assert runs[0.25][2] < runs[1.0][2] - 0.15, f"a keep ratio of 0.25 should narrow the gap: {runs}"
    assert runs[0.5][2] <= runs[1.0][2] + 0.02, f"a keep ratio of 0.5 should not widen the gap: {runs}"
    best = {float(keep): float(b) for keep, *_, b in DROPOUT_RE.findall(text)}
    assert best[0.25] >= best[1.0] - 0.02, f"dropout should not cost validation accuracy: {best}"


FEATURES_RE = {
    "svm_val": re.compile(r"^SVM on features: best validation accuracy: ([0-9.]+)$", re.M),
    "svm_test": re.compile(r"^SVM on features: test accuracy: ([0-9.]+)$", re.M),
    "net_val": re.compile(r"^two-layer net on features: best validation accuracy: ([0-9.]+)$", re.M),
    "net_test": re.compile(r"^two-layer net on features: test accuracy: ([0-9.]+)$", re.M),
}


@pytest.mark.accuracy
def test_features_accuracy_on_cifar10(tmp_path, monkeypatch, measured):
    """The reference on HOG + hue features: SVM test >= 0.42, two-layer net test >= 0.55 (the issue's
    targets; measured 0.482 and 0.619 in 46 s on 2 cores; the time is reported, not asserted)."""
    monkeypatch.delenv("CS_DATASETS_OFFLINE", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")

    start = time.perf_counter()
    nb = execute_notebook(REPO / "source" / "assignment1" / "features.ipynb", tmp_path)
    elapsed = time.perf_counter() - start
    text = stream_text(nb)
    datasets = set(DATASET_RE.findall(text))
    assert datasets == {"cifar10"}, f"features.ipynb did not run on CIFAR-10: Dataset lines say {datasets}"
    found = {key: [float(v) for v in regex.findall(text)] for key, regex in FEATURES_RE.items()}
    assert all(len(values) == 1 for values in found.values()), f"expected one line each, found {found}"
    acc = {key: values[0] for key, values in found.items()}
    measured(f"features.ipynb on CIFAR-10: SVM validation {acc['svm_val']:.4f}, test {acc['svm_test']:.4f}; "
          f"two-layer net validation {acc['net_val']:.4f}, test {acc['net_test']:.4f}; {elapsed:.0f} s")
    assert acc["svm_test"] >= 0.42, f"SVM on features: test accuracy {acc['svm_test']:.4f} < 0.42"
    assert acc["net_test"] >= 0.55, f"two-layer net on features: test accuracy {acc['net_test']:.4f} < 0.55"
    table = {name: (float(svm), None if net == "-" else float(net)) for name, svm, net in FEATURE_TABLE_RE.findall(text)}
    assert len(table) == 5, f"features.ipynb: expected the five rows of the feature table, found {table}"
    measured("features.ipynb on CIFAR-10, validation (SVM / net): " + ", ".join(
        f"{name} {svm:.3f}" + (f" / {net:.3f}" if net is not None else "") for name, (svm, net) in table.items()))
    assert table["BoW"][0] >= 0.30, f"bag of visual words alone: SVM validation {table['BoW'][0]:.3f} < 0.30"
    for model in (0, 1):  # adding BoW to hue and HOG must not hurt (one validation image of slack)
        assert table["hue + HOG + BoW"][model] >= table["hue + HOG"][model] - 0.001, table
