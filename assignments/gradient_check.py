"""Numerical gradient checking.

Backward passes written by hand are easy to get subtly wrong.  The helpers
here estimate gradients with centered finite differences,

    df/dx_i ~= (f(x + h e_i) - f(x - h e_i)) / (2 h),

so that an analytic gradient can be compared against them with
:func:`rel_error`.  Use float64 inputs: with float32 the round-off in
``f(x + h) - f(x - h)`` swamps the signal for the default step ``h``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = [
    "rel_error",
    "eval_numerical_gradient",
    "eval_numerical_gradient_array",
    "grad_check_sparse",
]


def rel_error(x, y, eps: float = 1e-8) -> float:
    """Largest element-wise relative error between ``x`` and ``y``.

    Computes ``max_i |x_i - y_i| / max(eps, |x_i| + |y_i|)``.

    Args:
        x: scalar or array.
        y: scalar or array broadcastable against ``x`` (usually the same
            shape).
        eps: floor for the denominator, so that two (near-)zero entries give
            an error near 0 instead of 0/0.

    Returns:
        The error as a Python float, between 0 (identical) and 1 (e.g. equal
        magnitude, opposite sign).  As a rule of thumb a correct float64
        gradient gives below about 1e-7.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    err = np.abs(x - y) / np.maximum(eps, np.abs(x) + np.abs(y))
    return float(np.max(err))


def _require_float_array(x, name: str = "x") -> None:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array (it is perturbed in place), "
                        f"got {type(x).__name__}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} must have a floating dtype, got {x.dtype}; "
                        f"an integer array cannot hold x + h")


def eval_numerical_gradient(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    h: float = 1e-5,
    verbose: bool = False,
) -> np.ndarray:
    """Centered-difference gradient of a scalar function at ``x``.

    Args:
        f: function taking one argument, the array ``x`` (any shape), and
            returning a scalar (Python or numpy number).  It is called
            ``2 * x.size`` times; ``f`` must read ``x`` afresh on every call
            (it is the same array object, modified in place).
        x: float array of any shape at which to evaluate the gradient.  Each
            entry is temporarily shifted by ``+h`` and ``-h``; afterwards
            every entry holds exactly its original value again, even if ``f``
            raises.
        h: finite-difference step.
        verbose: if True, print each index and its gradient estimate.

    Returns:
        float64 array with the same shape as ``x``; entry ``i`` is
        ``(f(x + h e_i) - f(x - h e_i)) / (2 h)``.
    """
    _require_float_array(x)
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readonly"]])
    for _ in it:
        ix = it.multi_index
        old = x[ix].copy()
        try:
            x[ix] = old + h
            f_plus = float(f(x))
            x[ix] = old - h
            f_minus = float(f(x))
        finally:
            x[ix] = old
        grad[ix] = (f_plus - f_minus) / (2.0 * h)
        if verbose:
            print(ix, grad[ix])
    return grad


def eval_numerical_gradient_array(
    f: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    df: np.ndarray,
    h: float = 1e-5,
) -> np.ndarray:
    """Numerical gradient through an array-valued function, given upstream grad.

    This is the finite-difference counterpart of a layer's backward pass: for
    ``out = f(x)`` and a loss ``L`` with ``dL/dout = df``, it estimates
    ``dL/dx`` entry by entry as
    ``sum((f(x + h e_i) - f(x - h e_i)) * df) / (2 h)``.

    Args:
        f: function taking the array ``x`` and returning an array (the layer
            output ``out``).  Called ``2 * x.size`` times with the same array
            object, modified in place.
        x: float array of any shape; restored exactly afterwards.
        df: upstream gradient, an array with the same shape as ``f(x)``.
        h: finite-difference step.

    Returns:
        float64 array with the same shape as ``x``.
    """
    _require_float_array(x)
    df = np.asarray(df, dtype=np.float64)
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readonly"]])
    for _ in it:
        ix = it.multi_index
        old = x[ix].copy()
        try:
            x[ix] = old + h
            # copy: f may return a view of (or a buffer it reuses for) its output
            pos = np.array(f(x), dtype=np.float64, copy=True)
            x[ix] = old - h
            neg = np.array(f(x), dtype=np.float64, copy=True)
        finally:
            x[ix] = old
        if pos.shape != df.shape:
            raise ValueError(f"df has shape {df.shape} but f(x) has shape {pos.shape}")
        grad[ix] = np.sum((pos - neg) * df) / (2.0 * h)
    return grad


def grad_check_sparse(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    analytic_grad: np.ndarray,
    num_checks: int = 10,
    h: float = 1e-5,
    seed: int | None = 0,
    verbose: bool = True,
) -> np.ndarray:
    """Compare an analytic gradient with finite differences at random entries.

    Checking every entry of a large weight matrix is slow; checking a handful
    of random ones catches almost all bugs.

    Args:
        f: scalar function of the array ``x`` (e.g. the loss as a function of
            the weights), as in :func:`eval_numerical_gradient`.
        x: float array at which the gradient was computed; entries are
            perturbed in place and restored exactly.
        analytic_grad: the gradient to check, same shape as ``x``.
        num_checks: how many random entries to check (drawn with
            replacement).
        h: finite-difference step.
        seed: seed for ``np.random.default_rng`` choosing the entries.
        verbose: if True, print one line per entry:
            ``numerical: <num> analytic: <ana>, relative error: <err>``.

    Returns:
        float64 array of shape ``(num_checks,)`` with the relative error
        (see :func:`rel_error`) of each checked entry.
    """
    _require_float_array(x)
    analytic_grad = np.asarray(analytic_grad)
    if analytic_grad.shape != x.shape:
        raise ValueError(f"analytic_grad has shape {analytic_grad.shape}, "
                         f"expected the shape of x, {x.shape}")
    if x.size == 0:
        raise ValueError("x is empty")
    rng = np.random.default_rng(seed)
    errors = np.empty(num_checks, dtype=np.float64)
    for k in range(num_checks):
        ix = tuple(int(rng.integers(n)) for n in x.shape)
        old = x[ix].copy()
        try:
            x[ix] = old + h
            f_plus = float(f(x))
            x[ix] = old - h
            f_minus = float(f(x))
        finally:
            x[ix] = old
        numerical = (f_plus - f_minus) / (2.0 * h)
        analytic = float(analytic_grad[ix])
        errors[k] = rel_error(numerical, analytic)
        if verbose:
            print(f"numerical: {numerical:f} analytic: {analytic:f}, "
                  f"relative error: {errors[k]:e}")
    return errors
