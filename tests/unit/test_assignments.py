"""Tests for the notebook support package ``assignments``."""


import matplotlib

matplotlib.use("Agg")  # headless; must precede any pyplot import

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import assignments  # noqa: E402
from assignments import (  # noqa: E402
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    format_seconds,
    grad_check_sparse,
    plot_history,
    rel_error,
    show_examples_per_class,
    show_weight_templates,
    time_function,
    visualize_grid,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _away_from_zero(rng, shape, lo=0.5, hi=1.5):
    """Values with |v| in [lo, hi] and random sign (gradients stay far from 0)."""
    return rng.uniform(lo, hi, size=shape) * rng.choice([-1.0, 1.0], size=shape)


# --- rel_error -------------------------------------------------------------

def test_rel_error_of_identical_arrays_is_zero():
    x = np.random.default_rng(0).normal(size=(4, 5))
    assert rel_error(x, x.copy()) == 0.0


def test_rel_error_of_known_scalars():
    # |1 - 3| / (1 + 3) = 0.5
    assert rel_error(1.0, 3.0) == pytest.approx(0.5)


def test_rel_error_takes_max_over_entries():
    # entries: |1-1|/2 = 0, |2-6|/8 = 0.5, |1-(-1)|/2 = 1
    assert rel_error(np.array([1.0, 2.0, 1.0]), np.array([1.0, 6.0, -1.0])) == pytest.approx(1.0)


def test_rel_error_of_zeros_is_zero():
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0


def test_rel_error_denominator_is_floored_at_eps():
    # |1e-9 - 0| / max(1e-8, 1e-9) = 0.1
    assert rel_error(1e-9, 0.0) == pytest.approx(0.1)


def test_rel_error_returns_python_float():
    assert type(rel_error(np.ones(2), np.ones(2) * 2)) is float


# --- eval_numerical_gradient -------------------------------------------------

def test_numerical_gradient_of_sum_of_cubes_matches_analytic():
    x = _away_from_zero(np.random.default_rng(1), (3, 4))
    num = eval_numerical_gradient(lambda a: np.sum(a ** 3), x)
    assert num.shape == x.shape
    assert rel_error(num, 3 * x ** 2) < 1e-8


def test_numerical_gradient_of_x_sin_x_matches_analytic():
    x = _away_from_zero(np.random.default_rng(2), (5,), lo=0.2, hi=1.5)
    num = eval_numerical_gradient(lambda a: np.sum(np.sin(a) * a), x)
    assert rel_error(num, np.sin(x) + x * np.cos(x)) < 1e-8


def test_numerical_gradient_restores_x_exactly():
    x = np.random.default_rng(3).normal(size=(2, 3, 4))
    before = x.copy()
    eval_numerical_gradient(lambda a: np.sum(np.exp(a)), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.arange(6, dtype=np.float64).reshape(2, 3) + 0.1
    before = x.copy()

    def f(a):
        if a[0, 0] != before[0, 0]:
            raise RuntimeError("boom")
        return float(np.sum(a))

    with pytest.raises(RuntimeError):
        eval_numerical_gradient(f, x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_rejects_integer_array():
    with pytest.raises(TypeError):
        eval_numerical_gradient(lambda a: float(np.sum(a)), np.arange(3))


# --- eval_numerical_gradient_array -------------------------------------------

def test_numerical_gradient_array_matches_affine_backward():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 5))
    W = rng.normal(size=(5, 2))
    df = rng.normal(size=(3, 2))
    num = eval_numerical_gradient_array(lambda a: a @ W, x, df)
    assert rel_error(num, df @ W.T) < 1e-8


def test_numerical_gradient_array_restores_x_exactly():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 3))
    before = x.copy()
    eval_numerical_gradient_array(np.tanh, x, rng.normal(size=(2, 3)))
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_array_rejects_df_of_wrong_shape():
    x = np.ones((2, 3))
    with pytest.raises(ValueError):
        eval_numerical_gradient_array(lambda a: a * 2, x, np.ones((3, 2)))


# --- grad_check_sparse --------------------------------------------------------

def _quadratic_loss():
    rng = np.random.default_rng(6)
    A = rng.normal(size=(4, 6))
    x = _away_from_zero(rng, (6, 3))

    def f(w):
        return 0.5 * np.sum((A @ w) ** 2)

    grad = A.T @ (A @ x)
    return f, x, grad


def test_grad_check_sparse_small_errors_for_correct_gradient():
    f, x, grad = _quadratic_loss()
    errs = grad_check_sparse(f, x, grad, num_checks=8, verbose=False)
    assert errs.shape == (8,)
    assert np.all(errs < 1e-7)


def test_grad_check_sparse_large_errors_for_doubled_gradient():
    f, x, grad = _quadratic_loss()
    errs = grad_check_sparse(f, x, 2 * grad, num_checks=8, verbose=False)
    # |g - 2g| / (|g| + |2g|) = 1/3
    np.testing.assert_allclose(errs, 1 / 3, rtol=1e-5)


def test_grad_check_sparse_prints_one_line_per_check(capsys):
    f, x, grad = _quadratic_loss()
    grad_check_sparse(f, x, grad, num_checks=5)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5
    assert all(l.startswith("numerical:") and "analytic:" in l and "relative error:" in l
               for l in lines)


def test_grad_check_sparse_is_reproducible_for_a_seed_and_restores_x():
    f, x, grad = _quadratic_loss()
    before = x.copy()
    wrong = grad + np.arange(grad.size).reshape(grad.shape)
    a = grad_check_sparse(f, x, wrong, seed=3, verbose=False)
    b = grad_check_sparse(f, x, wrong, seed=3, verbose=False)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(x, before)


# --- visualize_grid -----------------------------------------------------------

def test_visualize_grid_shape_for_non_square_count():
    Xs = np.random.default_rng(7).normal(size=(5, 4, 6, 3))  # G = ceil(sqrt(5)) = 3
    grid = visualize_grid(Xs, padding=2)
    assert grid.shape == (3 * (4 + 2) - 2, 3 * (6 + 2) - 2, 3)


def test_visualize_grid_rescales_each_image_to_ubound():
    rng = np.random.default_rng(8)
    Xs = rng.normal(size=(4, 3, 3, 1)) * np.array([1.0, 10.0, 100.0, 1000.0])[:, None, None, None]
    grid = visualize_grid(Xs, ubound=1.0, padding=1)
    assert grid.min() == 0.0 and grid.max() == pytest.approx(1.0)
    for n in range(4):  # cells at rows/cols 0 and 4 (3 pixels + 1 padding)
        r, c = divmod(n, 2)
        cell = grid[4 * r:4 * r + 3, 4 * c:4 * c + 3]
        assert cell.min() == 0.0 and cell.max() == pytest.approx(1.0)


def test_visualize_grid_padding_is_zero():
    Xs = np.random.default_rng(9).uniform(1, 2, size=(4, 2, 2, 3))
    grid = visualize_grid(Xs, padding=1)
    assert np.all(grid[2, :, :] == 0) and np.all(grid[:, 2, :] == 0)


# --- figures ------------------------------------------------------------------

def _images_in(fig):
    return sum(len(ax.images) for ax in fig.axes)


def test_show_weight_templates_drops_bias_row_and_shows_one_image_per_class():
    C = 3
    W = np.random.default_rng(10).normal(size=(4 * 4 * 3 + 1, C))
    fig = show_weight_templates(W, ["a", "b", "c"], image_shape=(4, 4, 3))
    assert isinstance(fig, matplotlib.figure.Figure)
    assert _images_in(fig) == C
    shown = fig.axes[0].images[0].get_array()
    assert shown.shape == (4, 4, 3)
    assert shown.min() == 0 and shown.max() == 255


def test_show_weight_templates_rejects_wrong_row_count():
    with pytest.raises(ValueError):
        show_weight_templates(np.zeros((10, 2)), ["a", "b"], image_shape=(2, 2, 3))


def test_show_examples_per_class_draws_samples_in_class_columns():
    rng = np.random.default_rng(11)
    X = rng.integers(0, 256, size=(30, 8, 8, 3), dtype=np.uint8)
    y = np.repeat(np.arange(3), 10)
    fig = show_examples_per_class(X, y, ["cat", "dog", "ship"], samples_per_class=4)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(fig.axes) == 4 * 3
    assert _images_in(fig) == 4 * 3
    assert [ax.get_title() for ax in fig.axes[:3]] == ["cat", "dog", "ship"]


def test_plot_history_draws_one_line_per_series():
    fig = plot_history({"train": [3, 2, 1], "val": [3, 2.5, 2.2]}, "epoch", "loss", title="t")
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss" and ax.get_title() == "t"


# --- timing -------------------------------------------------------------------

def test_time_function_returns_positive_float():
    t = time_function(sum, range(1000))
    assert isinstance(t, float) and t > 0


def test_time_function_calls_f_repeat_times_with_arguments():
    calls = []
    time_function(lambda a, b=0: calls.append((a, b)), 1, b=2, repeat=4)
    assert calls == [(1, 2)] * 4


@pytest.mark.parametrize("seconds, text", [
    (0.0123, "12.3 ms"),
    (1.2, "1.20 s"),
    (4.5e-6, "4.50 µs"),
    (0.1, "100 ms"),
    (0.99996, "1.00 s"),
])
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


def test_format_seconds_rejects_negative():
    with pytest.raises(ValueError):
        format_seconds(-1.0)


def test_package_exports_public_names():
    for name in assignments.__all__:
        assert callable(getattr(assignments, name))
    assert assignments.__doc__
