"""assignments/margin.py: the SVM loss with any margin, built on the student's own margin-1 loss.

Trusted comparisons: assignment1's reference svm_loss_vectorized (as the student's loss) and a
margin-delta hinge written out here with loops, straight from its definition.
"""
import importlib.util

import numpy as np
import pytest

from assignments.gradient_check import eval_numerical_gradient, rel_error
from assignments.margin import svm_loss_with_margin
from autograder.authoring.stubs import stub_raise
from class_builder import SOURCE


def _reference_svm_loss():
    spec = importlib.util.spec_from_file_location("_reference_linear_svm", SOURCE / "classifiers" / "linear_svm.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.svm_loss_vectorized


def _hinge_with_margin(W, X, y, reg, delta):
    """The margin-delta SVM loss by its definition: loops over examples and classes."""
    loss = 0.0
    for i in range(X.shape[0]):
        scores = X[i] @ W
        for j in range(W.shape[1]):
            if j != y[i]:
                loss += max(0.0, scores[j] - scores[y[i]] + delta)
    return loss / X.shape[0] + reg * np.sum(W * W)


def _problem(seed):
    rng = np.random.default_rng(seed)
    return 0.1 * rng.standard_normal((20, 6)), rng.standard_normal((30, 20)), rng.integers(0, 6, 30)


def test_margin_one_is_the_given_loss_itself():
    W, X, y = _problem(0)
    svm_loss = _reference_svm_loss()
    loss, dW = svm_loss_with_margin(svm_loss, W, X, y, 0.3, 1.0)
    expected_loss, expected_dW = svm_loss(W, X, y, 0.3)
    assert loss == pytest.approx(expected_loss, rel=1e-12) and np.allclose(dW, expected_dW, rtol=1e-12, atol=0)


@pytest.mark.parametrize("delta", [0.5, 3.0, 10.0])
def test_any_margin_is_the_hinge_with_that_margin(delta):
    W, X, y = _problem(1)
    loss, dW = svm_loss_with_margin(_reference_svm_loss(), W, X, y, 0.3, delta)
    assert loss == pytest.approx(_hinge_with_margin(W, X, y, 0.3, delta), rel=1e-12)
    numerical = eval_numerical_gradient(lambda W_: _hinge_with_margin(W_, X, y, 0.3, delta), W.copy(), verbose=False)
    assert rel_error(dW, numerical) < 1e-7


def test_margin_and_strength_trade_off():
    # L_delta(delta * W, reg / delta) = delta * L_1(W, reg), and the gradients with respect to the
    # scaled and the unscaled weights are equal: what makes the notebook's two SVMs one classifier.
    W, X, y = _problem(2)
    svm_loss = _reference_svm_loss()
    for delta in (0.5, 10.0):
        loss, dW = svm_loss_with_margin(svm_loss, delta * W, X, y, 0.3 / delta, delta)
        base_loss, base_dW = svm_loss_with_margin(svm_loss, W, X, y, 0.3, 1.0)
        assert loss == pytest.approx(delta * base_loss, rel=1e-12)
        assert np.allclose(dW, base_dW, rtol=1e-10, atol=1e-14)


def test_the_notebooks_example_by_hand():
    # optimization.ipynb's one example: scores (2, 0, 1), correct class 0.
    W, X, y = np.eye(3), np.array([[2.0, 0.0, 1.0]]), np.array([0])
    svm_loss = _reference_svm_loss()
    assert svm_loss_with_margin(svm_loss, W, X, y, 0.0, 1.0)[0] == 0.0
    assert svm_loss_with_margin(svm_loss, W, X, y, 0.0, 10.0)[0] == pytest.approx(17.0)


def test_an_unwritten_loss_says_so_unchanged():
    message = stub_raise("svm_loss_vectorized", "classifiers/linear_svm.py").split("(", 1)[1][1:-2]

    def stub(W, X, y, reg):
        raise NotImplementedError(message)

    with pytest.raises(NotImplementedError) as raised:
        svm_loss_with_margin(stub, *_problem(3), 0.1, 10.0)
    assert str(raised.value) == message


def test_a_margin_that_is_not_positive_is_a_clear_error():
    with pytest.raises(ValueError, match="margin delta must be positive, got 0"):
        svm_loss_with_margin(_reference_svm_loss(), *_problem(4), 0.1, 0.0)
