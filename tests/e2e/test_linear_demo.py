"""assignments/linear_demo.py (the maths of linear_classify_demo.ipynb) and the notebook's widgets.

Trusted comparisons: assignment1's reference svm_loss_vectorized and softmax_loss_vectorized applied
with the bias trick, and centred numerical gradients (assignments/gradient_check.py).
"""
import importlib.util
from pathlib import Path

import nbformat
import numpy as np
import pytest

from assignments.gradient_check import eval_numerical_gradient, rel_error
from assignments.linear_demo import (LOSSES, compute_loss, decision_regions, gradient_step,
                                     initial_parameters, make_points, train)
from notebook_kernel import notebook_client

REPO = Path(__file__).resolve().parents[2]
CLASSIFIERS = REPO / "source" / "assignment1" / "classifiers"
NOTEBOOK = REPO / "source" / "assignment1" / "linear_classify_demo.ipynb"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"_demo_reference_{name}", CLASSIFIERS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCE = {"svm": lambda: _load("linear_svm").svm_loss_vectorized,
             "softmax": lambda: _load("softmax").softmax_loss_vectorized}


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


@pytest.mark.parametrize("kind", sorted(LOSSES))
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_loss_and_gradients_match_assignment1_reference_with_bias_trick(kind, reg):
    X, y, W, b = _problem(1)
    result = compute_loss(kind, W, b, X, y, reg)
    X_ext = np.hstack([X, np.ones((len(X), 1))])  # (N, 3): the bias trick
    W_ext = np.vstack([W, b[None, :]])  # (3, 3): b as the last row
    ref_loss, ref_dW = REFERENCE[kind]()(W_ext, X_ext, y, reg)
    # The reference regularizes the bias row too; the demo does not.
    assert result.loss == pytest.approx(ref_loss - reg * np.sum(b * b), rel=1e-12)
    # Sums of terms of both signs can cancel to about 1e-17: compare with an absolute floor.
    np.testing.assert_allclose(result.dW, ref_dW[:2], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(result.db, ref_dW[2] - 2 * reg * b, rtol=1e-10, atol=1e-12)
    assert result.per_point.shape == (len(y),)
    assert result.per_point.mean() == pytest.approx(result.loss - reg * np.sum(W * W), rel=1e-12)


@pytest.mark.parametrize("kind", sorted(LOSSES))
def test_gradients_match_numerical_gradients(kind):
    X, y, W, b = _problem(2)
    reg = 0.1
    result = compute_loss(kind, W, b, X, y, reg)
    W_num = eval_numerical_gradient(lambda W_: compute_loss(kind, W_, b, X, y, reg).loss, W.copy())
    b_num = eval_numerical_gradient(lambda b_: compute_loss(kind, W, b_, X, y, reg).loss, b.copy())
    assert rel_error(result.dW, W_num) < 1e-7, (result.dW, W_num)
    assert rel_error(result.db, b_num) < 1e-7, (result.db, b_num)


def test_sanity_losses_at_zero_weights():
    X, y = make_points(6, seed=3)
    W, b = np.zeros((2, 3)), np.zeros(3)
    assert compute_loss("svm", W, b, X, y).loss == pytest.approx(2.0)  # C - 1
    assert compute_loss("softmax", W, b, X, y).loss == pytest.approx(np.log(3.0))  # log C


def test_softmax_is_stable_for_huge_weights():
    X, y, W, b = _problem(4)
    result = compute_loss("softmax", 1e4 * W, b, X, y)
    assert np.isfinite(result.loss) and np.all(np.isfinite(result.dW))


@pytest.mark.parametrize("kind", sorted(LOSSES))
def test_a_small_step_lowers_the_loss_and_training_separates_the_classes(kind):
    X, y = make_points(8, seed=5)
    W, b = initial_parameters(seed=5)
    W1, b1, before = gradient_step(kind, W, b, X, y, 0.01, 0.05)
    assert compute_loss(kind, W1, b1, X, y, 0.01).loss < before.loss
    W2, b2, losses = train(kind, W, b, X, y, 0.001, 0.5, 300)
    assert losses.shape == (300,) and losses[-1] < losses[0]
    accuracy = np.mean(np.argmax(X @ W2 + b2, axis=1) == y)
    assert accuracy >= 0.9, f"{kind}: training reached accuracy {accuracy:.2f} on separable blobs"


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


def test_unknown_loss_is_a_clear_error():
    X, y = make_points(2)
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        compute_loss("hinge", np.zeros((2, 3)), np.zeros(3), X, y)


def test_notebook_widgets_step_run_and_randomize(tmp_path, monkeypatch):
    """Headless, the notebook shows static plots; its widget panel still works when driven by code."""
    pytest.importorskip("ipywidgets")

    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "before = demo.total_loss()\n"
        "for _ in range(3):\n"
        "    demo.step_button.click()\n"
        "after_steps = demo.total_loss()\n"
        "demo.loss_choice.value = 'softmax'\n"
        "demo.run_button.click()\n"
        "demo.w_sliders[0][0].value = 0.5\n"
        "assert demo.W[0, 0] == 0.5\n"
        "old_X = demo.X.copy()\n"
        "demo.randomize_button.click()\n"
        "print('RESULT', before, after_steps, bool((demo.X != old_X).any()))"))
    client = notebook_client(nb, NOTEBOOK.parent, tmp_path, timeout=120)
    client.execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    _, before, after, moved = text.split()[-4:]
    assert float(after) < float(before), text
    assert moved == "True", text
    static = [o for cell in nb.cells for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert static, "the notebook drew no static plot"
