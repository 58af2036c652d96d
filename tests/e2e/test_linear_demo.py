"""assignments/linear_demo.py (what linear_classify_demo.ipynb draws, with the student's own losses)
and the notebook's widgets.

The demo computes no loss itself: it runs the loss functions it is given through the bias trick.
Trusted comparisons: assignment1's reference svm_loss_vectorized and softmax_loss_vectorized (as
the student's written losses), the released stubs (as the unwritten ones), and centred numerical
gradients (assignments/gradient_check.py).
"""
import importlib.util
import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest

from assignments.gradient_check import eval_numerical_gradient, rel_error
from assignments.linear_demo import (compute_loss, decision_regions, gradient_step, initial_parameters, make_points,
                                     ready_losses, train)
from notebook_kernel import notebook_client

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "source" / "assignment1"
RELEASE = REPO / "release" / "assignment1"
NOTEBOOK = "linear_classify_demo.ipynb"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _function(folder, module, name):
    spec = importlib.util.spec_from_file_location(f"_demo_{folder.parent.name}_{module}", folder / "classifiers" / f"{module}.py")
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return getattr(loaded, name)


WRITTEN = {"SVM": _function(SOURCE, "linear_svm", "svm_loss_vectorized"),
           "Softmax": _function(SOURCE, "softmax", "softmax_loss_vectorized")}
STUBS = {"SVM": _function(RELEASE, "linear_svm", "svm_loss_vectorized"),
         "Softmax": _function(RELEASE, "softmax", "softmax_loss_vectorized")}


def _problem(seed, num_per_class=5):
    """Points, labels and parameters with every SVM margin at least 1e-3 away from the hinge's kink."""
    rng = np.random.default_rng(seed)
    for _ in range(100):
        X, y = make_points(num_per_class, seed=int(rng.integers(1 << 30)))
        W, b = rng.standard_normal((2, 3)), rng.standard_normal(3)
        scores = X @ W + b
        margins = scores - scores[np.arange(len(y)), y][:, None] + 1.0
        margins[np.arange(len(y)), y] = np.inf
        if np.min(np.abs(margins)) > 1e-3:
            return X, y, W, b
    raise RuntimeError("no problem away from the kinks")


@pytest.mark.parametrize("label", sorted(WRITTEN))
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_the_demo_is_the_given_loss_with_the_bias_trick(label, reg):
    X, y, W, b = _problem(1)
    loss = WRITTEN[label]
    result = compute_loss(loss, W, b, X, y, reg)
    X_ext = np.hstack([X, np.ones((len(X), 1))])  # (N, 3)
    W_ext = np.vstack([W, b[None, :]])  # (3, 3): b as the last row
    expected_loss, expected_dW = loss(W_ext, X_ext, y, reg)
    assert result.loss == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(result.dW, expected_dW[:2], rtol=1e-12, atol=0)
    np.testing.assert_allclose(result.db, expected_dW[2], rtol=1e-12, atol=0)
    # Each point's number is the loss of that point alone; their mean is the data loss.
    assert result.per_point.shape == (len(y),)
    assert result.per_point[3] == pytest.approx(loss(W_ext, X_ext[3:4], y[3:4], 0.0)[0], rel=1e-12)
    penalty = reg * (np.sum(W * W) + np.sum(b * b))
    assert result.per_point.mean() == pytest.approx(result.loss - penalty, rel=1e-12)


@pytest.mark.parametrize("label", sorted(WRITTEN))
def test_gradients_with_respect_to_W_and_b_match_numerical_gradients(label):
    X, y, W, b = _problem(2)
    loss, reg = WRITTEN[label], 0.1
    result = compute_loss(loss, W, b, X, y, reg)
    W_num = eval_numerical_gradient(lambda W_: compute_loss(loss, W_, b, X, y, reg).loss, W.copy(), verbose=False)
    b_num = eval_numerical_gradient(lambda b_: compute_loss(loss, W, b_, X, y, reg).loss, b.copy(), verbose=False)
    assert rel_error(result.dW, W_num) < 1e-7, (result.dW, W_num)
    assert rel_error(result.db, b_num) < 1e-7, (result.db, b_num)


def test_sanity_losses_at_zero_weights():
    X, y = make_points(6, seed=3)
    W, b = np.zeros((2, 3)), np.zeros(3)
    assert compute_loss(WRITTEN["SVM"], W, b, X, y).loss == pytest.approx(2.0)  # C - 1
    assert compute_loss(WRITTEN["Softmax"], W, b, X, y).loss == pytest.approx(np.log(3.0))  # log C


@pytest.mark.parametrize("label", sorted(WRITTEN))
def test_a_small_step_lowers_the_loss_and_training_separates_the_classes(label):
    X, y = make_points(8, seed=5)
    W, b = initial_parameters(seed=5)
    loss = WRITTEN[label]
    W1, b1, before = gradient_step(loss, W, b, X, y, 0.01, 0.05)
    assert compute_loss(loss, W1, b1, X, y, 0.01).loss < before.loss
    W2, b2, losses = train(loss, W, b, X, y, 0.001, 0.5, 300)
    assert losses.shape == (300,) and losses[-1] < losses[0]
    assert losses[0] == pytest.approx(compute_loss(loss, W, b, X, y, 0.001).loss, rel=1e-12)
    accuracy = np.mean(np.argmax(X @ W2 + b2, axis=1) == y)
    assert accuracy >= 0.9, f"{label}: training reached accuracy {accuracy:.2f} on separable blobs"


def test_ready_losses_leaves_out_an_unwritten_loss_with_one_line(capsys):
    ready = ready_losses({"SVM": WRITTEN["SVM"], "Softmax": STUBS["Softmax"]})
    assert list(ready) == ["SVM"] and ready["SVM"] is WRITTEN["SVM"]
    assert capsys.readouterr().out == ("softmax_loss_vectorized is not written yet: write it in classifiers/softmax.py, "
                                       "then run this cell again to see the Softmax loss too.\n")
    assert list(ready_losses(WRITTEN)) == ["SVM", "Softmax"]
    assert capsys.readouterr().out == ""


def test_ready_losses_with_nothing_written_raises_the_first_stub(capsys):
    with pytest.raises(NotImplementedError, match=r"^svm_loss_vectorized is not written yet: write it in "
                                                  r"classifiers/linear_svm\.py$"):
        ready_losses(STUBS)
    assert capsys.readouterr().out == ("softmax_loss_vectorized is not written yet either: write it in "
                                       "classifiers/softmax.py for the Softmax loss.\n")


def test_a_real_error_in_a_loss_is_not_hidden():
    def buggy(W, X, y, reg):
        return [1, 2][5], W

    def own_raise(W, X, y, reg):
        raise NotImplementedError("my own message")

    with pytest.raises(IndexError):
        ready_losses({"SVM": buggy})
    with pytest.raises(NotImplementedError, match="my own message"):
        ready_losses({"SVM": own_raise})


def test_a_gradient_of_the_wrong_shape_is_a_clear_error():
    def svm_loss_vectorized(W, X, y, reg):
        return 1.0, np.zeros((W.shape[1], W.shape[0] + 1))

    X, y = make_points(2)
    with pytest.raises(ValueError, match=r"^svm_loss_vectorized returned dW of shape \(3, 4\); expected \(3, 3\) like W$"):
        compute_loss(svm_loss_vectorized, np.zeros((2, 3)), np.zeros(3), X, y)


def test_decision_regions_label_the_grid_by_argmax():
    W = np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]])
    b = np.array([0.0, 0.0, -0.5])
    xx, yy, labels = decision_regions(W, b, (-2, 2), (-2, 2), resolution=5)
    assert xx.shape == yy.shape == labels.shape == (5, 5)
    assert labels[2, 4] == 0 and labels[2, 0] == 1 and labels[4, 2] == 2  # right, left, top


def test_make_points_is_seeded_and_balanced():
    X, y = make_points(4, seed=7)
    X2, y2 = make_points(4, seed=7)
    assert X.shape == (12, 2) and np.array_equal(X, X2) and np.array_equal(y, y2)
    assert np.bincount(y).tolist() == [4, 4, 4]
    assert not np.array_equal(X, make_points(4, seed=8)[0])


def _stream(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def test_notebook_widgets_step_run_and_randomize(tmp_path, monkeypatch):
    """Headless, with both losses written (the source notebook, next to the reference modules), the
    notebook shows static plots; its widget panel still works when driven by code."""
    pytest.importorskip("ipywidgets")

    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(SOURCE / NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "before = demo.total_loss()\n"
        "for _ in range(3):\n"
        "    demo.step_button.click()\n"
        "after_steps = demo.total_loss()\n"
        "demo.loss_choice.value = 'Softmax'\n"
        "demo.run_button.click()\n"
        "demo.w_sliders[0][0].value = 0.5\n"
        "assert demo.W[0, 0] == 0.5\n"
        "old_X = demo.X.copy()\n"
        "demo.randomize_button.click()\n"
        "print('RESULT', before, after_steps, bool((demo.X != old_X).any()))"))
    client = notebook_client(nb, SOURCE, tmp_path, timeout=120)
    client.execute()
    text = _stream(nb.cells[-1])
    _, before, after, moved = text.split()[-4:]
    assert float(after) < float(before), text
    assert moved == "True", text
    static = [o for cell in nb.cells for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert static, "the notebook drew no static plot"


def test_release_notebook_with_only_the_svm_written(tmp_path, monkeypatch):
    """The student wrote svm_loss_vectorized, not yet softmax_loss_vectorized: Run All goes to the end,
    one line says where to write the Softmax loss, and the plots and the panel show the SVM alone."""
    pytest.importorskip("ipywidgets")

    monkeypatch.setenv("MPLBACKEND", "Agg")
    work = tmp_path / "assignment1"
    shutil.copytree(RELEASE, work, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.copyfile(SOURCE / "classifiers" / "linear_svm.py", work / "classifiers" / "linear_svm.py")
    nb = nbformat.read(work / NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('OPTIONS', list(demo.loss_choice.options))"))
    notebook_client(nb, work, tmp_path, timeout=120, allow_errors=False).execute()
    printed = [_stream(cell) for cell in nb.cells if cell.cell_type == "code"]
    assert ("softmax_loss_vectorized is not written yet: write it in classifiers/softmax.py, then run this cell "
            "again to see the Softmax loss too.\nthe demo shows: SVM\n") in printed
    assert "OPTIONS ['SVM']" in printed[-1]
    errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
