"""The regularization family of the linear losses, for their tests: the penalty each ``reg_type``
asks for, the tests that isolate it from the data loss, and the mistakes the grader recognises.

The penalty is judged on its own: a test subtracts the student's loss and gradient at ``reg = 0``
from those at ``reg > 0`` (same W, X, y), which leaves the penalty and its gradient whatever the data
part computes, so a bug in the data loss never costs the penalty's points and the other way round.
"""
import numpy as np

from .engine.diagnosis import Diagnosis
from .sandbox import StudentCallError
from .engine.api import TestFailure, assert_close, check, loss_and_gradient

REG_TYPES = ("l2", "l1", "elastic")


def penalty(W, reg, reg_type="l2", l1_ratio=0.5):
    """(penalty, gradient) of the course's convention: l2 reg * sum(W**2); l1 reg * sum|W| with the
    subgradient reg * sign(W), sign(0) = 0; elastic reg * (r * sum|W| + (1 - r) * sum(W**2))."""
    W = np.asarray(W, dtype=np.float64)
    share = {"l2": 0.0, "l1": 1.0, "elastic": l1_ratio}[reg_type]
    value = reg * (share * np.sum(np.abs(W)) + (1.0 - share) * np.sum(W * W))
    return float(value), reg * (share * np.sign(W) + 2.0 * (1.0 - share) * W)


def mistakes(W, reg, reg_type, l1_ratio):
    """([Diagnosis] for the penalty's value, [Diagnosis] for its gradient) for ``reg_type``."""
    W = np.asarray(W, dtype=np.float64)
    l1, l2, sign = float(np.sum(np.abs(W))), float(np.sum(W * W)), np.sign(W)
    r = l1_ratio
    value, grad = [], []
    if reg_type != "l2":
        value.append(Diagnosis("reg_type_ignored", f"the penalty is the L2 one whatever reg_type says: "
                               f"reg_type={reg_type!r} asks for {'reg * sum(|W|)' if reg_type == 'l1' else 'the elastic net'}",
                               reg * l2))
        grad.append(Diagnosis("reg_type_ignored", f"the penalty's gradient is the L2 one (2 * reg * W) whatever "
                              f"reg_type says (here {reg_type!r})", 2.0 * reg * W))
    if reg_type == "l1":
        grad += [Diagnosis("l1_gradient_is_w", "the (sub)gradient of reg * sum(|W|) is reg * sign(W), not reg * W",
                           reg * W),
                 Diagnosis("l1_sign_at_zero", "a weight that is exactly 0 must get no push: the course's "
                           "subgradient is reg * np.sign(W), and np.sign(0) is 0", reg * np.where(W >= 0, 1.0, -1.0)),
                 Diagnosis("l1_gradient_doubled", "the (sub)gradient of reg * sum(|W|) is reg * sign(W): the "
                           "factor 2 belongs to the L2 term only", 2.0 * reg * sign)]
    if reg_type == "elastic":
        value += [Diagnosis("elastic_ratio_swapped", "l1_ratio weighs the L1 term and 1 - l1_ratio the L2 term, "
                            "not the other way round", reg * ((1.0 - r) * l1 + r * l2)),
                  Diagnosis("elastic_unweighted", "the elastic net mixes its two terms: reg * (l1_ratio * "
                            "sum(|W|) + (1 - l1_ratio) * sum(W**2))", reg * (l1 + l2))]
        grad += [Diagnosis("elastic_ratio_swapped", "l1_ratio weighs the L1 term's gradient and 1 - l1_ratio "
                           "the L2 term's, not the other way round", reg * ((1.0 - r) * sign + 2.0 * r * W)),
                 Diagnosis("elastic_l2_gradient_without_2", "the gradient of the elastic net's L2 term, "
                           "(1 - l1_ratio) * sum(W**2), is 2 * (1 - l1_ratio) * W: the factor 2 is missing",
                           reg * (r * sign + (1.0 - r) * W)),
                 Diagnosis("elastic_unweighted", "the elastic net's gradient mixes its two terms: reg * "
                           "(l1_ratio * sign(W) + 2 * (1 - l1_ratio) * W)", reg * (sign + 2.0 * W))]
    if reg_type == "l2":
        grad.append(Diagnosis("reg_gradient_without_2", "the gradient of reg * np.sum(W * W) is 2 * reg * W: "
                              "the factor 2 is missing", reg * W))
    return value, grad


def isolated_penalty(student, target, W, X, y, reg, reg_type, l1_ratio):
    """The student's penalty and its gradient: (loss, dW) at ``reg`` minus (loss, dW) at reg = 0."""
    base_loss, base_dW = loss_and_gradient(student, target, W, X, y, 0.0, reg_type, l1_ratio)
    loss, dW = loss_and_gradient(student, target, W, X, y, reg, reg_type, l1_ratio)
    return loss - base_loss, np.asarray(dW, dtype=np.float64) - np.asarray(base_dW, dtype=np.float64)


def check_penalty(student, target, W, X, y, reg, reg_type, l1_ratio, what, rtol=1e-6, floor=1e-3,
                  reference_loss=None):
    """Compare the student's isolated penalty with the expected one, naming a recognised mistake.
    ``reference_loss``: the reference loss function (hidden tests), whose own difference at reg and
    at 0, in float64, is then the expected answer; without it, the convention in ``penalty``. The
    messages name ``reg_type`` and ``what`` but no number: a hidden test's strength and mix stay
    hidden (the public test's ``what`` states its own)."""
    name = target.rsplit(".", 1)[-1]
    value, grad = isolated_penalty(student, target, W, X, y, reg, reg_type, l1_ratio)
    if reference_loss is None:
        expected_value, expected_grad = penalty(W, reg, reg_type, l1_ratio)
    else:
        W64, X64 = np.asarray(W, dtype=np.float64), np.asarray(X, dtype=np.float64)
        at_reg = reference_loss(W64, X64, y, reg, reg_type, l1_ratio)
        at_zero = reference_loss(W64, X64, y, 0.0, reg_type, l1_ratio)
        expected_value, expected_grad = at_reg[0] - at_zero[0], at_reg[1] - at_zero[1]
    value_mistakes, grad_mistakes = mistakes(W, reg, reg_type, l1_ratio)
    label = f"reg_type={reg_type!r}"
    assert_close(value, expected_value, f"the penalty of {name} with {label} {what} (your loss with the "
                 f"penalty minus your loss without it)", rtol=rtol, diagnoses=value_mistakes)
    assert_close(grad, expected_grad, f"the penalty's gradient in dW of {name} with {label} {what}", rtol=rtol,
                 floor=floor * float(np.max(np.abs(expected_grad))), diagnoses=grad_mistakes)


def check_unknown_reg_type_raises(student, target, W, X, y):
    """An unknown reg_type must raise ValueError (a typo must not train with the wrong penalty)."""
    name = target.rsplit(".", 1)[-1]
    try:
        student.call(target, W, X, y, 0.1, "L-one", 0.5)
    except StudentCallError as exc:
        if exc.status != "error":
            raise
        check(exc.exc_type == "ValueError", f"{name} with reg_type='L-one' raised {exc.exc_type or 'an error'}; "
              "expected ValueError, naming the allowed kinds", diagnosis="unknown_reg_type_not_value_error")
        return
    raise TestFailure(f"{name} accepted reg_type='L-one' without complaint: raise ValueError for any reg_type "
                      "other than 'l2', 'l1' and 'elastic'", diagnosis="unknown_reg_type_accepted")


def check_penalty_kinds(student, target, W, X, y):
    """The public test: L1 and elastic (l1_ratio 0.3) at reg 0.7 against the convention, on ``W``
    after setting three of its weights to exactly 0 (their subgradient is 0), then an unknown kind."""
    W = np.array(W, dtype=np.float64)
    W[0, :2] = 0.0
    W[-1, -1] = 0.0
    for reg_type, l1_ratio, mix in (("l1", 0.5, ""), ("elastic", 0.3, ", l1_ratio=0.3")):
        check_penalty(student, target, W, X, y, 0.7, reg_type, l1_ratio, f"at reg=0.7{mix} on a small "
                      f"problem with some weights exactly 0")
    check_unknown_reg_type_raises(student, target, W, X, y)


def check_penalties_against_reference(student, target, draw, reference_loss, rng):
    """The hidden test: every kind at a random strength (and mix) against ``reference_loss`` on
    random data with a fifth of the weights exactly 0, then image-sized float32 weights with the
    bias row and a strength that dominates the loss. ``draw(N, D, C, w_scale, x_scale, dtype)``
    gives (W, X, y)."""
    for reg_type in ("l1", "elastic", "l2"):
        W, X, y = draw(30, 40, 7, 0.05, 1.0, np.float64)
        W[rng.random(W.shape) < 0.2] = 0.0
        check_penalty(student, target, W, X, y, float(rng.uniform(0.05, 2.0)), reg_type, float(rng.uniform(0.1, 0.9)),
                      "on random data with some weights exactly 0", reference_loss=reference_loss)
    W, X, y = draw(10, 3073, 10, 1e-4, 60.0, np.float32)
    check_penalty(student, target, W, X, y, 2.5e4, "elastic", 0.5, "on image-sized float32 data with a "
                  "strong reg", rtol=1e-4,
                  floor=1e-2, reference_loss=reference_loss)
