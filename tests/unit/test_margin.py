"""assignments/margin.py: the provided SVM loss with any margin, used by optimization.ipynb."""
import importlib.util

import numpy as np

from assignments.margin import svm_loss_with_margin
from class_builder import SOURCE


def _reference_svm_loss():
    spec = importlib.util.spec_from_file_location("_reference_linear_svm", SOURCE / "classifiers" / "linear_svm.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.svm_loss_vectorized


def _problem(seed):
    rng = np.random.default_rng(seed)
    return 0.1 * rng.standard_normal((20, 6)), rng.standard_normal((30, 20)), rng.integers(0, 6, 30)


def test_margin_one_is_the_course_svm_loss():
    W, X, y = _problem(0)
    loss, dW = svm_loss_with_margin(W, X, y, 0.3, 1.0)
    expected_loss, expected_dW = _reference_svm_loss()(W, X, y, 0.3)
    assert np.isclose(loss, expected_loss, rtol=1e-12) and np.allclose(dW, expected_dW, rtol=1e-12, atol=0)


def test_margin_and_strength_trade_off():
    # L_delta(delta * W, reg / delta) = delta * L_1(W, reg), and the gradients with respect to the
    # scaled and the unscaled weights are equal: what makes the notebook's two SVMs one classifier.
    W, X, y = _problem(1)
    for delta in (0.5, 10.0):
        loss, dW = svm_loss_with_margin(delta * W, X, y, 0.3 / delta, delta)
        base_loss, base_dW = svm_loss_with_margin(W, X, y, 0.3, 1.0)
        assert np.isclose(loss, delta * base_loss, rtol=1e-12)
        assert np.allclose(dW, base_dW, rtol=1e-10, atol=1e-14)


def test_a_larger_margin_at_the_same_weights_costs_more():
    W, X, y = _problem(2)
    assert svm_loss_with_margin(W, X, y, 0.0, 10.0)[0] > svm_loss_with_margin(W, X, y, 0.0, 1.0)[0]
