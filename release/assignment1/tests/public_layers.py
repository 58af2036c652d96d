"""Public tests for layers.py: `autograder check` runs these on your own machine.

What they check, without any reference solution:
- forward passes on inputs whose outputs are known by construction: an affine layer whose weight
  columns pick or add up entries of the (flattened) input, ReLU and leaky ReLU of numbers with known
  signs, the sigmoid, tanh and ELU at points such as log 3, where their values are simple
  fractions (sigmoid(log 3) = 3/4, tanh(log 2) = 3/5, elu(log 1/2) = -alpha/2);
- backward passes against a numerical gradient of YOUR OWN forward pass: for an upstream gradient
  dout drawn here, the centred difference (sum(f(x + h) * dout) - sum(f(x - h) * dout)) / 2h with
  h = 1e-5 for every entry of x (and of w and b for the affine layer). Inputs stay at least 0.05
  away from the kinks of ReLU, leaky ReLU and ELU, so a correct backward pass agrees up to the
  rounding of the differences: correct code (the reference and other ways to write it, 20 seeds)
  stays below 2e-8 in the measure |a - n| / max(|a| + |n|, 1e-3); up to 1e-6 passes. A backward
  test therefore also fails when the forward pass it is checked against is wrong: make the
  forward test pass first. At grading time such a failure is not charged twice: while the
  forward pass loses points, this test scores what the hidden tests of the backward pass (which
  do not use your forward pass) score;
- maxout: a layer whose pieces pick entries of the input, so the winners are known by hand; the
  backward pass against the numerical gradient of your own forward pass (inputs drawn so that
  the two best pieces of every unit are at least 0.05 apart: no tie within a step h), and on exact
  ties (pieces with equal weights and biases) the rule of the docstring: the first winner takes
  the whole gradient;
- the two losses: values known by construction (hinge margins worked out by hand, a softmax of
  log-probabilities), sanity values (log C for equal scores), gradients against numerical ones,
  and for softmax_loss that adding 1000 to every score changes nothing (no overflow).

The grader also runs hidden tests that compare every function with the reference solution on random
inputs of several shapes, including (N, d1, d2, d3) inputs, N = 1 and float32 (maxout also with one
piece per unit and with ties).
"""
import numpy as np

from autograder.testing import TestFailure, as_array, assert_close, check, graded

NOTEBOOK = "two_layer_net.ipynb"
AFFINE_FORWARD = "layers.affine_forward"
AFFINE_BACKWARD = "layers.affine_backward"
RELU_FORWARD = "layers.relu_forward"
RELU_BACKWARD = "layers.relu_backward"
SIGMOID_FORWARD = "layers.sigmoid_forward"
SIGMOID_BACKWARD = "layers.sigmoid_backward"
TANH_FORWARD = "layers.tanh_forward"
TANH_BACKWARD = "layers.tanh_backward"
LEAKY_FORWARD = "layers.leaky_relu_forward"
LEAKY_BACKWARD = "layers.leaky_relu_backward"
ELU_FORWARD = "layers.elu_forward"
ELU_BACKWARD = "layers.elu_backward"
MAXOUT_FORWARD = "layers.maxout_forward"
MAXOUT_BACKWARD = "layers.maxout_backward"
MAXOUT_NOTEBOOK = "FullyConnectedNets.ipynb"  # maxout belongs to the deeper networks' notebook
SVM_LOSS = "layers.svm_loss"
SOFTMAX_LOSS = "layers.softmax_loss"

GRAD_TOL = 1e-6     # allowed |analytic - numerical| / max(|analytic| + |numerical|, GRAD_FLOOR)
GRAD_FLOOR = 1e-3
H = 1e-5            # step of the centred differences


def _name(target):
    return target.rsplit(".", 1)[-1]


def _forward(student, target, x, *args):
    """The student's (out, cache) for target(x, *args); out checked to be a float array."""
    name = _name(target)
    answer = student.call(target, x, *args)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2,
          f"{name} should return a tuple (out, cache); got {type(answer).__name__}")
    out = as_array(answer[0], f"out returned by {name}")
    check(out.dtype.kind == "f", f"out returned by {name} has dtype {out.dtype}; expected floats")
    return out, answer[1]


def _output(student, target, x, *args, shape):
    out, _ = _forward(student, target, x, *args)
    check(out.shape == tuple(shape), f"{_name(target)} returned out of shape {out.shape}; expected "
                                     f"{tuple(shape)}")
    return out.astype(np.float64)


def _numerical_gradient(f, x, dout, h=H):
    """Centred differences of sum(f(x) * dout) with respect to every entry of the float64 array x."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        old = x[index]
        x[index] = old + h
        plus = f(x)
        x[index] = old - h
        minus = f(x)
        x[index] = old
        grad[index] = np.sum((plus - minus) * dout) / (2 * h)
    return grad


def _assert_gradient(analytic, numerical, what):
    """Fail with the worst entry when analytic and numerical gradients disagree beyond GRAD_TOL."""
    analytic = as_array(analytic, what, shape=numerical.shape).astype(np.float64)
    check(np.all(np.isfinite(analytic)), f"{what} contains nan or inf")
    err = np.abs(analytic - numerical) / np.maximum(np.abs(analytic) + np.abs(numerical), GRAD_FLOOR)
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    if err[worst] > GRAD_TOL:
        raise TestFailure(f"{what} does not match the numerical gradient of your forward pass: "
                          f"relative error {err[worst]:.1e} (allowed {GRAD_TOL:g})",
                          f"at index {tuple(int(i) for i in worst)}: yours {analytic[worst]:.6g}, "
                          f"numerical {numerical[worst]:.6g}")


def _away_from(rng, shape, kink=0.0, margin=0.05, scale=1.0):
    """Normal numbers with standard deviation ``scale``, each at least ``margin`` from ``kink``."""
    x = scale * rng.standard_normal(shape)
    too_close = np.abs(x - kink) < margin
    x[too_close] = kink + np.where(x[too_close] >= kink, margin, -margin) * 2.0
    return x


def _check_elementwise_backward(student, forward, backward, rng, shape, args=(), kink=0.0):
    """Backward pass of an elementwise layer against the numerical gradient of the forward pass."""
    x = _away_from(rng, shape, kink)
    dout = rng.standard_normal(shape)
    out, cache = _forward(student, forward, x, *args)
    check(out.shape == x.shape, f"{_name(forward)} returned out of shape {out.shape}; expected "
                                f"{x.shape} like x")
    dx = student.call(backward, dout, cache)
    dx = as_array(dx, f"dx returned by {_name(backward)}")
    check(dx.shape == x.shape, f"{_name(backward)} returned dx of shape {dx.shape}; expected {x.shape} "
                               "like x")
    numerical = _numerical_gradient(lambda z: _output(student, forward, z, *args, shape=shape), x, dout)
    check(np.any(numerical != 0), f"the output of {_name(forward)} does not change with x")
    _assert_gradient(dx, numerical, f"dx of {_name(backward)}"
                     + (f" (forward called with {', '.join(f'{a:g}' for a in args)})" if args else ""))


# -- affine --------------------------------------------------------------------------------------

@graded(AFFINE_FORWARD, points=1)
def affine_forward_flattens_each_input_and_adds_the_bias(student):
    # Two inputs of shape (2, 3); flattened in C order, x[0] is the row 0, 1, 2, 3, 4, 5 and x[1]
    # is six ones. Column 0 of w adds entries 0 and 5, column 1 adds all six, column 2 takes twice
    # entry 3 (x[0, 1, 0]). So out[0] = (0 + 5, 15, 2 * 3) + b and out[1] = (2, 6, 2) + b.
    x = np.stack([np.arange(6.0).reshape(2, 3), np.ones((2, 3))])  # (2, 2, 3)
    w = np.zeros((6, 3))
    w[[0, 5], 0] = 1.0
    w[:, 1] = 1.0
    w[3, 2] = 2.0
    b = np.array([1.0, -1.0, 0.5])
    out = _output(student, AFFINE_FORWARD, x, w, b, shape=(2, 3))
    expected = np.array([[6.0, 14.0, 6.5], [3.0, 5.0, 2.5]])
    if not np.allclose(out, expected, rtol=1e-12, atol=1e-12):
        raise TestFailure("affine_forward on inputs of shape (2, 2, 3) is wrong: flatten each "
                          "input with x.reshape(N, -1), multiply by w and add b",
                          f"got {out.tolist()}, expected {expected.tolist()}")


@graded(AFFINE_BACKWARD, points=1, uses=(AFFINE_FORWARD,))
def affine_backward_matches_numerical_gradient(student, rng):
    # A backward pass that agrees with a forward pass proves something only when the forward pass
    # is right: a forward bug then fails this test too, which is not charged here (uses=).
    affine_forward_flattens_each_input_and_adds_the_bias(student)
    x = rng.standard_normal((3, 2, 2, 2))  # N = 3 inputs of shape (2, 2, 2): D = 8
    w = rng.standard_normal((8, 4))
    b = rng.standard_normal(4)
    dout = rng.standard_normal((3, 4))
    _, cache = _forward(student, AFFINE_FORWARD, x, w, b)
    answer = student.call(AFFINE_BACKWARD, dout, cache)
    check(isinstance(answer, (tuple, list)) and len(answer) == 3,
          f"affine_backward should return a tuple (dx, dw, db); got {type(answer).__name__}")
    dx, dw, db = (as_array(g, f"{n} returned by affine_backward") for g, n in zip(answer, ("dx", "dw", "db")))
    # The shape each known mistake gives, and what to say about it.
    mistakes = {"dx": ((3, 8), "reshape it back to the shape of x", "dx_not_reshaped"),
                "dw": (w.shape[::-1], "it is transposed: x_rows.T @ dout has the shape of w", "transposed"),
                "db": ((3,), "sum dout over the examples, axis 0", "db_summed_over_wrong_axis")}
    for grad, like, name in [(dx, x, "dx"), (dw, w, "dw"), (db, b, "db")]:
        wrong_shape, hint, diagnosis = mistakes[name]
        known = grad.shape == wrong_shape
        check(grad.shape == like.shape,
              f"affine_backward returned {name} of shape {grad.shape}; expected {like.shape} like "
              f"{name[1:]}" + (f": {hint}" if known else ""), diagnosis=diagnosis if known else "")

    def out(xx, ww, bb):
        return _output(student, AFFINE_FORWARD, xx, ww, bb, shape=(3, 4))

    _assert_gradient(dx, _numerical_gradient(lambda z: out(z, w, b), x, dout), "dx of affine_backward")
    _assert_gradient(dw, _numerical_gradient(lambda z: out(x, z, b), w, dout), "dw of affine_backward")
    _assert_gradient(db, _numerical_gradient(lambda z: out(x, w, z), b, dout), "db of affine_backward")


# -- ReLU ----------------------------------------------------------------------------------------

@graded(RELU_FORWARD, points=0.5)
def relu_forward_zeroes_negative_inputs(student):
    x = np.array([[-2.0, -0.5, 0.0], [0.25, 3.0, -1e-3]])
    out = _output(student, RELU_FORWARD, x, shape=x.shape)
    expected = np.array([[0.0, 0.0, 0.0], [0.25, 3.0, 0.0]])
    check(not np.array_equal(out, np.abs(x)), "relu_forward returned |x|: negative entries become 0, "
          "they do not change sign", diagnosis="absolute_value")
    if not np.array_equal(out, expected):
        raise TestFailure("relu_forward should keep positive entries and set the others to 0",
                          f"relu of {x.tolist()} gave {out.tolist()}")


@graded(RELU_BACKWARD, points=1, uses=(RELU_FORWARD,))
def relu_backward_matches_numerical_gradient(student, rng):
    relu_forward_zeroes_negative_inputs(student)  # as for affine_backward: a right forward pass first
    _check_elementwise_backward(student, RELU_FORWARD, RELU_BACKWARD, rng, (2, 3, 2))


# -- sigmoid and tanh ----------------------------------------------------------------------------

def _check_known_values(student, target, x, expected, args=(), rtol=1e-9):
    out = _output(student, target, x, *args, shape=x.shape)
    if not np.all(np.isfinite(out)):
        raise TestFailure(f"{_name(target)} returned nan or inf for inputs in [{x.min():g}, {x.max():g}]")
    err = np.abs(out - expected) / np.maximum(np.abs(expected), 1e-12)
    if np.max(err) > rtol:
        i = np.unravel_index(int(np.argmax(err)), err.shape)
        raise TestFailure(f"{_name(target)}"
                          + (f" (called with {', '.join(f'{a:g}' for a in args)})" if args else "")
                          + f" is wrong at x = {x[i]:.6g}",
                          f"got {out[i]:.10g}, expected {expected[i]:.10g}")


@graded(SIGMOID_FORWARD, points=0.5)
def sigmoid_forward_known_values(student):
    # sigmoid(log a) = a / (1 + a): 1/2 at 0, 3/4 at log 3, 1/4 at -log 3, 9/10 at log 9.
    a = np.array([[1.0, 3.0, 1.0 / 3.0], [9.0, 1.0 / 9.0, 99.0]])
    _check_known_values(student, SIGMOID_FORWARD, np.log(a), a / (1.0 + a))
    # Far from 0 the sigmoid is 0 or 1 (to within 1e-26), and must not come out as nan.
    x = np.array([-60.0, -60.0, 60.0, 60.0])
    _check_known_values(student, SIGMOID_FORWARD, x, np.array([0.0, 0.0, 1.0, 1.0]))


@graded(SIGMOID_BACKWARD, points=0.5, uses=(SIGMOID_FORWARD,))
def sigmoid_backward_matches_numerical_gradient(student, rng):
    sigmoid_forward_known_values(student)  # as for relu_backward: a right forward pass first
    _check_elementwise_backward(student, SIGMOID_FORWARD, SIGMOID_BACKWARD, rng, (3, 5))


@graded(TANH_FORWARD, points=0.5)
def tanh_forward_known_values(student):
    # tanh(log a) = (a - 1/a) / (a + 1/a) = (a^2 - 1) / (a^2 + 1): 3/5 at log 2, -4/5 at -log 3.
    a = np.array([[2.0, 1.0 / 3.0, 1.0], [5.0, 0.5, 10.0]])
    _check_known_values(student, TANH_FORWARD, np.log(a), (a * a - 1.0) / (a * a + 1.0))


@graded(TANH_BACKWARD, points=0.5, uses=(TANH_FORWARD,))
def tanh_backward_matches_numerical_gradient(student, rng):
    tanh_forward_known_values(student)  # as for relu_backward: a right forward pass first
    _check_elementwise_backward(student, TANH_FORWARD, TANH_BACKWARD, rng, (3, 5))


# -- leaky ReLU and ELU --------------------------------------------------------------------------

@graded(LEAKY_FORWARD, points=0.5)
def leaky_relu_forward_scales_negative_inputs(student):
    x = np.array([[-2.0, -0.5, 0.5], [4.0, -100.0, 1e-3]])
    slope = np.where(x > 0, 1.0, 0.01)
    _check_known_values(student, LEAKY_FORWARD, x, slope * x)  # the default alpha = 0.01
    slope = np.where(x > 0, 1.0, 0.2)
    out = _output(student, LEAKY_FORWARD, x, 0.2, shape=x.shape)
    check(not np.allclose(out, np.where(x > 0, 1.0, 0.01) * x), "leaky_relu_forward(x, 0.2) gives "
          "the default slope 0.01: use the alpha argument", diagnosis="alpha_ignored")
    _check_known_values(student, LEAKY_FORWARD, x, slope * x, args=(0.2,))


@graded(LEAKY_BACKWARD, points=0.5, uses=(LEAKY_FORWARD,))
def leaky_relu_backward_matches_numerical_gradient(student, rng):
    leaky_relu_forward_scales_negative_inputs(student)  # as for relu_backward: a right forward pass first
    _check_elementwise_backward(student, LEAKY_FORWARD, LEAKY_BACKWARD, rng, (4, 3), args=(0.1,))


@graded(ELU_FORWARD, points=0.5)
def elu_forward_known_values(student):
    # For x = log p with 0 < p < 1, elu(x) = alpha * (p - 1); positive inputs pass unchanged.
    p = np.array([0.5, 0.25, 0.1, 1e-6])
    x = np.concatenate([np.log(p), [0.7, 3.0]]).reshape(2, 3)
    expected = np.concatenate([p - 1.0, [0.7, 3.0]]).reshape(2, 3)
    _check_known_values(student, ELU_FORWARD, x, expected)  # the default alpha = 1
    expected = np.concatenate([2.5 * (p - 1.0), [0.7, 3.0]]).reshape(2, 3)
    out = _output(student, ELU_FORWARD, x, 2.5, shape=x.shape)
    check(not np.allclose(out, np.concatenate([p - 1.0, [0.7, 3.0]]).reshape(2, 3)), "elu_forward(x, 2.5) "
          "gives the values of alpha = 1: use the alpha argument", diagnosis="alpha_ignored")
    _check_known_values(student, ELU_FORWARD, x, expected, args=(2.5,))


@graded(ELU_BACKWARD, points=0.5, uses=(ELU_FORWARD,))
def elu_backward_matches_numerical_gradient(student, rng):
    elu_forward_known_values(student)  # as for relu_backward: a right forward pass first
    _check_elementwise_backward(student, ELU_FORWARD, ELU_BACKWARD, rng, (4, 3), args=(1.7,))


# -- maxout --------------------------------------------------------------------------------------

def _hand_set_maxout():
    """D = 3 inputs, M = 2 units of K = 3 pieces, N = 2 examples.

    Unit 0: its pieces are the three inputs, plus the biases (0.5, 0, -1).
      x = (1, 2, -1): pieces (1.5, 2, -2)  -> 2, piece 1 wins
      x = (0, -1, 3): pieces (0.5, -1, 2)  -> 2, piece 2 wins
    Unit 1: x0 + x1, -x0, and a constant 0.5 (zero weights, bias 0.5).
      x = (1, 2, -1): pieces (3, -1, 0.5)  -> 3, piece 0 wins
      x = (0, -1, 3): pieces (-1, 0, 0.5)  -> 0.5, piece 2 wins
    """
    x = np.array([[1.0, 2.0, -1.0], [0.0, -1.0, 3.0]])
    w = np.zeros((3, 2, 3))
    w[[0, 1, 2], 0, [0, 1, 2]] = 1.0
    w[[0, 1], 1, 0] = 1.0
    w[0, 1, 1] = -1.0
    b = np.array([[0.5, 0.0, -1.0], [0.0, 0.0, 0.5]])
    out = np.array([[2.0, 3.0], [2.0, 0.5]])
    return x, w, b, out


@graded(MAXOUT_FORWARD, points=1, notebook=MAXOUT_NOTEBOOK)
def maxout_forward_known_winners(student):
    x, w, b, expected = _hand_set_maxout()
    out = _output(student, MAXOUT_FORWARD, x, w, b, shape=(2, 2))
    if not np.allclose(out, expected, rtol=1e-12, atol=1e-12):
        without_bias = np.max(np.einsum("nd,dmk->nmk", x, w), axis=2)
        check(not np.allclose(out, without_bias), "maxout_forward leaves out the biases: every "
              "piece is x @ w[:, m, k] + b[m, k]", diagnosis="bias_missing")
        raise TestFailure("maxout_forward on a layer whose pieces pick entries of x gave the wrong "
                          "outputs: out[i, m] is the largest of the K pieces x[i] @ w[:, m, k] + b[m, k]",
                          f"got {out.tolist()}, expected {expected.tolist()}")
    reshaped = _output(student, MAXOUT_FORWARD, x.reshape(2, 1, 3), w, b, shape=(2, 2))
    check(np.allclose(reshaped, expected, rtol=1e-12, atol=1e-12), "maxout_forward should accept "
          "inputs of shape (N, d_1, ..., d_k): x of shape (2, 1, 3) must give the same outputs as (2, 3)")


def _maxout_inputs(rng, num, input_shape, units, pieces, gap=0.05):
    """x, w, b with the best two pieces of every (example, unit) at least ``gap`` apart."""
    dim = int(np.prod(input_shape))
    for _ in range(1000):
        x = rng.standard_normal((num,) + input_shape)
        w = rng.standard_normal((dim, units, pieces)) / np.sqrt(dim)
        b = 0.5 * rng.standard_normal((units, pieces))
        values = np.sort(np.einsum("nd,dmk->nmk", x.reshape(num, dim), w) + b, axis=2)
        if np.min(values[:, :, -1] - values[:, :, -2]) > gap:
            return x, w, b
    raise RuntimeError("could not draw maxout inputs without near ties")


def _maxout_backward(student, dout, cache, shapes):
    answer = student.call(MAXOUT_BACKWARD, dout, cache)
    check(isinstance(answer, (tuple, list)) and len(answer) == 3,
          f"maxout_backward should return a tuple (dx, dw, db); got {type(answer).__name__}")
    grads = []
    for value, name, shape in zip(answer, ("dx", "dw", "db"), shapes):
        grad = as_array(value, f"{name} returned by maxout_backward")
        flat = name == "dx" and grad.shape == (shape[0], int(np.prod(shape[1:]))) != shape
        check(grad.shape == shape, f"maxout_backward returned {name} of shape {grad.shape}; expected "
                                   f"{shape}" + (": reshape it back to the shape of x" if flat else ""),
              diagnosis="dx_not_reshaped" if flat else "")
        grads.append(grad.astype(np.float64))
    return grads


@graded(MAXOUT_BACKWARD, points=1, uses=(MAXOUT_FORWARD,), notebook=MAXOUT_NOTEBOOK)
def maxout_backward_matches_numerical_gradient(student, rng):
    maxout_forward_known_winners(student)  # as for affine_backward: a right forward pass first
    x, w, b = _maxout_inputs(rng, 3, (2, 2), 4, 3)
    dout = rng.standard_normal((3, 4))
    _, cache = _forward(student, MAXOUT_FORWARD, x, w, b)
    dx, dw, db = _maxout_backward(student, dout, cache, (x.shape, w.shape, b.shape))
    out = lambda x_, w_, b_: _output(student, MAXOUT_FORWARD, x_, w_, b_, shape=(3, 4))  # noqa: E731
    _assert_gradient(dx, _numerical_gradient(lambda z: out(z, w, b), x, dout), "dx of maxout_backward")
    _assert_gradient(dw, _numerical_gradient(lambda z: out(x, z, b), w, dout), "dw of maxout_backward")
    _assert_gradient(db, _numerical_gradient(lambda z: out(x, w, z), b, dout), "db of maxout_backward")


@graded(MAXOUT_BACKWARD, points=1, notebook=MAXOUT_NOTEBOOK)
def maxout_backward_sends_a_tie_to_the_first_winner(student):
    # Unit 0: pieces 0 and 1 have zero weights and the same bias 1, so they tie at 1 for every
    # input; piece 2 (weights (1, 1), bias 1) beats them where x0 + x1 > 0, that is for x[1] only.
    # Unit 1: a single winner, piece 1 (bias 5). The cache is (x, w, b), as the docstring fixes it.
    x = np.array([[-1.0, 0.5], [2.0, 1.0]])
    w = np.zeros((2, 2, 3))
    w[:, 0, 2] = 1.0
    w[:, 1, 0] = -1.0
    b = np.array([[1.0, 1.0, 1.0], [0.0, 5.0, -3.0]])
    dout = np.array([[2.0, -1.0], [3.0, 0.5]])
    dx, dw, db = _maxout_backward(student, dout, (x, w, b), (x.shape, w.shape, b.shape))
    # Unit 0 sends dout[0, 0] = 2 to piece 0 (the first of the tie) and dout[1, 0] = 3 to piece 2;
    # unit 1 sends all of its gradient to piece 1.
    expected_db = np.array([[2.0, 0.0, 3.0], [0.0, -0.5, 0.0]])
    if not np.allclose(db, expected_db, rtol=1e-12, atol=1e-12):
        check(not np.allclose(db, [[2.0, 2.0, 3.0], [0.0, -0.5, 0.0]]), "on a tie the whole gradient "
              "goes to the first winning piece alone: here it was given to every piece that shares "
              "the maximum (the docstring's rule is np.argmax's)", diagnosis="tie_sent_to_every_winner")
        check(not np.allclose(db, [[0.0, 2.0, 3.0], [0.0, -0.5, 0.0]]), "on a tie the gradient goes to "
              "the first winning piece (the lowest k, as np.argmax picks), not the last",
              diagnosis="tie_sent_to_last_winner")
        raise TestFailure("db of maxout_backward is wrong: each output's gradient goes to its winning "
                          "piece alone, on a tie to the first of them", f"got {db.tolist()}, expected "
                          f"{expected_db.tolist()}")
    expected_dw = np.zeros((2, 2, 3))
    expected_dw[:, 0, 0] = 2.0 * x[0]
    expected_dw[:, 0, 2] = 3.0 * x[1]
    expected_dw[:, 1, 1] = dout[:, 1] @ x
    assert_close(dw, expected_dw, "dw of maxout_backward on the layer worked out by hand", rtol=1e-9)
    expected_dx = np.array([[0.0, 0.0], [3.0, 3.0]])  # only piece 2 of unit 0 has weights that win
    assert_close(dx, expected_dx, "dx of maxout_backward on the layer worked out by hand", rtol=1e-9)


# -- losses --------------------------------------------------------------------------------------

def _loss(student, target, x, y, finite=True):
    """The student's (loss as float, dx as float64 array) for scores x and labels y."""
    name = _name(target)
    answer = student.call(target, x, y)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2,
          f"{name} should return a tuple (loss, dx); got {type(answer).__name__}")
    loss = float(as_array(answer[0], f"the loss returned by {name} (a single number)", shape=()))
    dx = as_array(answer[1], f"dx returned by {name}")
    check(dx.shape == x.shape, f"{name} returned dx of shape {dx.shape}; expected {x.shape} like x")
    if finite:
        check(np.isfinite(loss) and np.all(np.isfinite(dx)), f"{name} returned nan or inf")
    return loss, dx.astype(np.float64)


def _check_loss_gradient(student, target, x, y):
    _, dx = _loss(student, target, x, y)
    numerical = _numerical_gradient(lambda z: np.array(_loss(student, target, z, y)[0]), x, 1.0)
    check(np.any(numerical != 0), f"the loss of {_name(target)} does not change with the scores")
    _assert_gradient(dx, numerical, f"dx of {_name(target)}")


@graded(SVM_LOSS, points=1)
def svm_loss_known_value_and_numerical_gradient(student, rng):
    # Example 0 (correct class 0, scores 1, 2, 3): margins 2 - 1 + 1 = 2 and 3 - 1 + 1 = 3.
    # Example 1 (correct class 0, scores 3, 0, 0.5): both margins negative, no loss.
    # Example 2 (correct class 2, scores 0.2, -0.5, 0): margins 1.2 and 0.5.
    # Mean: (5 + 0 + 1.7) / 3.
    x = np.array([[1.0, 2.0, 3.0], [3.0, 0.0, 0.5], [0.2, -0.5, 0.0]])
    y = np.array([0, 0, 2])
    loss, _ = _loss(student, SVM_LOSS, x, y)
    if abs(loss - 6.7 / 3) > 1e-12:
        raise TestFailure("svm_loss on a small example worked out by hand is wrong (margin 1, the "
                          "correct class not counted, mean over the examples)",
                          f"got {loss:.10g}, expected {6.7 / 3:.10g}")
    # Random scores with every margin at least 1e-2 away from the hinge's kink at 0.
    for _ in range(100):
        x = rng.standard_normal((5, 4))
        y = rng.integers(0, 4, 5)
        margins = x - x[np.arange(5), y][:, None] + 1.0
        margins[np.arange(5), y] = 1.0
        if np.min(np.abs(margins)) > 1e-2:
            break
    _check_loss_gradient(student, SVM_LOSS, x, y)


@graded(SOFTMAX_LOSS, points=1)
def softmax_loss_known_values_stability_and_numerical_gradient(student, rng):
    # Equal scores: every class has probability 1/C, so the loss is log C. Scores log(0.1),
    # log(0.2), log(0.7) are already log-probabilities: the loss of class 2 is -log(0.7).
    x = np.vstack([np.zeros((3, 3)), np.log([[0.1, 0.2, 0.7], [0.1, 0.2, 0.7]])])
    y = np.array([0, 1, 2, 2, 0])
    expected = (3 * np.log(3.0) - np.log(0.7) - np.log(0.1)) / 5
    loss, dx = _loss(student, SOFTMAX_LOSS, x, y)
    if abs(loss - expected) > 1e-12 * expected:
        raise TestFailure("softmax_loss on scores whose probabilities are known is wrong (mean "
                          "over the examples of -log of the correct class's probability)",
                          f"got {loss:.10g}, expected {expected:.10g}")
    # Adding the same number to every score of an example changes no probability.
    offsets = np.array([[1000.0], [-1000.0], [800.0], [1000.0], [-800.0]])  # one per example
    big_loss, big_dx = _loss(student, SOFTMAX_LOSS, x + offsets, y, finite=False)
    check(np.isfinite(big_loss) and np.all(np.isfinite(big_dx)),
          "softmax_loss returns nan or inf for scores around +-1000: subtract each row's largest "
          "score before np.exp", diagnosis="no_max_shift")
    assert_close(big_loss, loss, "the loss of softmax_loss after adding +-1000 to the scores of each "
                 "example (it should not change)", rtol=1e-9)
    assert_close(big_dx, dx, "dx of softmax_loss after adding +-1000 to the scores of each example "
                 "(it should not change)", rtol=1e-6, floor=1e-6)
    _check_loss_gradient(student, SOFTMAX_LOSS, rng.standard_normal((5, 4)), rng.integers(0, 4, 5))
