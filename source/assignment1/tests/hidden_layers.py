"""Hidden tests for layers.py: every function compared with the reference solution on random inputs.

Never released. Expected values come from the reference run in float64 on the same numbers the
student's code receives. A backward pass is fed the cache of the student's own forward pass (the
cache is the student's choice: x, out, a tuple...), and its result is compared with the reference
backward pass run on the reference cache.

Inputs: elementwise layers get arrays of shapes (6, 5), (4, 3, 2, 5), (1, 7) in float64 and
(5, 2, 3, 3) in float32, with standard deviation 3 (so the sigmoid and tanh saturate for some
entries and ELU's exponential is tested well into the negative side); leaky ReLU and ELU run with
their default alpha and with other values, the affine layer with (N, D), (N, d1, d2, d3) and N = 1
inputs. Random floats are never exactly 0, the kink of the ReLU family.

Tolerances (relative error as in autograder.engine.api.assert_close; entries smaller than `floor` times
the largest expected magnitude are compared against that scale, because sums of terms of both
signs cancel there). Measured over 20 seeds on the reference (which computes in float32 when given
float32) and on other correct formulas (1 / (1 + exp(-x)) caching x, 2 sigmoid(2x) - 1 and
1 / cosh(x)^2 for tanh, outputs as caches, dict caches, masks instead of np.where, np.dot, einsum
and np.add.at), then widened by a factor of 50 or more:
- float64 inputs: rtol 1e-6, floor 1e-3; correct code stays below 1e-12;
- float32 inputs (float32 arithmetic all the way is fine): rtol 1e-3, floor 1e-2; float32 code
  stays below 2e-5 (1 - tanh(x)^2 and s (1 - s) lose digits where the curves saturate);
- losses: the loss to rtol 1e-6 (float32: 1e-4; measured below 6e-8), dx as above. Hinge margins
  are kept at least 1e-4 away from 0, where the sign of a margin could depend on rounding.
maxout_forward and maxout_backward get (N, D), (N, d1, d2, d3), N = 1, one piece per unit and
float32 inputs; their best two pieces are kept 1e-3 of their scale apart, except in the backward
test with exact ties (two pieces with zero weights and one bias), where the docstring's rule (the
first winner takes the gradient) is checked against the reference's np.argmax.
Every bug these tests target (a missing bias, a wrong reshape, a slope on the wrong side, a
missing alpha, a derivative of the wrong function, a missing 1/N) moves some entry by 1e-2 or more
of the scale.
"""
import numpy as np

from autograder.testing import (Diagnosis, StudentCallError, TestFailure, as_array, assert_close, check,
                                close, graded, per_example)

NOTEBOOK = "two_layer_net.ipynb"
MODULE = "layers"

FLOAT64 = {"rtol": 1e-6, "floor": 1e-3, "loss_rtol": 1e-6}
FLOAT32 = {"rtol": 1e-3, "floor": 1e-2, "loss_rtol": 1e-4}

ELEMENTWISE_SHAPES = [((6, 5), np.float64), ((4, 3, 2, 5), np.float64), ((1, 7), np.float64),
                      ((5, 2, 3, 3), np.float32)]


def _tol(dtype):
    return FLOAT32 if np.dtype(dtype) == np.float32 else FLOAT64


def _describe(array):
    """An input in words (hidden messages name no size): its dtype and kind."""
    kind = ("single example" if array.shape[0] == 1 else "matrix" if array.ndim == 2
            else "image-shaped array" if array.ndim == 4 else "array")
    return f"{np.dtype(array.dtype).name} {kind}"


def _alpha(args):
    return " with another alpha" if args else ""


def _compare(actual, expected, what, tol, diagnoses=()):
    expected = np.asarray(expected, dtype=np.float64)
    scale = float(np.max(np.abs(expected), initial=0.0))
    assert_close(actual, expected, what, rtol=tol["rtol"], floor=max(tol["floor"] * scale, 1e-12),
                 diagnoses=diagnoses)


def _backward_mistakes(backward, x, dout, args):
    """Known mistakes of the elementwise backward passes, as the dx they give (x: the input)."""
    x, dout = x.astype(np.float64), dout.astype(np.float64)
    alpha = args[0] if args else 0.01  # leaky_relu_forward's default
    if backward == "relu_backward":
        return [Diagnosis("relu_gradient_at_zero", "the gradient passes where x >= 0; at x = 0 the "
                          "ReLU is flat, so pass it only where x > 0", dout * (x >= 0)),
                Diagnosis("relu_backward_without_dout", "dx is the ReLU's mask alone: multiply it by "
                          "the upstream gradient dout", (x > 0).astype(np.float64))]
    if backward == "sigmoid_backward":
        return [Diagnosis("sigmoid_derivative_of_x", "the derivative is sigmoid(x) * (1 - sigmoid(x)), "
                          "of the output, not x * (1 - x) of the input", dout * x * (1 - x))]
    if backward == "tanh_backward":
        out = np.tanh(x)
        return [Diagnosis("tanh_derivative_without_square", "the derivative of tanh is 1 - tanh(x) ** 2: "
                          "the square is missing", dout * (1 - out))]
    if backward == "leaky_relu_backward":
        return [Diagnosis("leaky_slope_on_wrong_side", "the slopes are swapped: 1 where x > 0, alpha "
                          "where x <= 0", dout * np.where(x > 0, alpha, 1.0))]
    if backward == "elu_backward":
        return [Diagnosis("elu_derivative_without_alpha", "for x <= 0 the derivative is "
                          "alpha * exp(x): alpha is missing", dout * np.where(x > 0, 1.0, np.exp(x)))]
    return []


def _forward(student, name, *args):
    answer = student.call(f"{MODULE}.{name}", *args)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2,
          f"{name} should return a tuple (out, cache)", f"got {type(answer).__name__}")
    return answer[0], answer[1]


def _elementwise_forward(student, reference, rng, name, args_list):
    """name(x, *args) against the reference for every shape and every args in args_list."""
    ref = getattr(reference.module(MODULE), name)
    for shape, dtype in ELEMENTWISE_SHAPES:
        for args in args_list:
            x = (3.0 * rng.standard_normal(shape)).astype(dtype)
            out, _ = _forward(student, name, x, *args)
            check(np.shape(out) == x.shape, f"{name} should return out of the shape of x",
                  f"got {np.shape(out)}, expected {x.shape}")
            expected, _ = ref(x.astype(np.float64), *args)
            _compare(out, expected, f"out of {name} on a {_describe(x)}{_alpha(args)}", _tol(dtype))


def _elementwise_backward(student, reference, rng, forward, backward, args_list, cache_of=None):
    """backward(dout, cache) against the reference backward pass. ``cache_of(x, *args)`` gives the
    cache where the docstring fixes it (ReLU keeps x), so a forward bug costs nothing here; other
    layers choose their own cache, which then comes from the student's forward pass."""
    ref = reference.module(MODULE)
    for shape, dtype in ELEMENTWISE_SHAPES:
        for args in args_list:
            x = (3.0 * rng.standard_normal(shape)).astype(dtype)
            dout = rng.standard_normal(shape).astype(dtype)
            cache = cache_of(x, *args) if cache_of else _forward(student, forward, x, *args)[1]
            dx = student.call(f"{MODULE}.{backward}", dout, cache)
            dx = as_array(dx, f"dx returned by {backward}")
            check(dx.shape == x.shape, f"{backward} should return dx of the shape of x",
                  f"got {dx.shape}, expected {x.shape}")
            _, ref_cache = getattr(ref, forward)(x.astype(np.float64), *args)
            expected = getattr(ref, backward)(dout.astype(np.float64), ref_cache)
            try:
                _compare(dx, expected, f"dx of {backward} on a {_describe(x)}{_alpha(args)}", _tol(dtype),
                         _backward_mistakes(backward, x, dout, args))
            except TestFailure:
                # With a cache of the student's own making, a wrong forward pass (alpha ignored)
                # can hand backward a cache it differentiates correctly: dx is then right for the
                # forward pass it belongs to, and the bug is charged to the forward pass alone. A
                # forward pass that is wrong even with its default arguments is no such bug (it
                # could be nonsense that the backward pass agrees with), so it excuses nothing.
                if (cache_of or not _forward_right_by_default(student, reference, forward, x)
                        or not _derivative_of_own_forward(student, forward, x, args, dout, dx)):
                    raise


def _forward_right_by_default(student, reference, forward, x):
    """Whether the student's forward pass, called with x alone (its default arguments), gives the
    reference's output: the independent check behind excusing a backward pass that differentiates
    the student's own forward pass."""
    try:
        out, _ = _forward(student, forward, x)
    except (StudentCallError, TestFailure):
        return False
    expected, _ = getattr(reference.module(MODULE), forward)(x.astype(np.float64))
    scale = float(np.max(np.abs(expected), initial=0.0))
    tol = _tol(x.dtype)
    return close(out, expected, rtol=tol["rtol"], floor=max(tol["floor"] * scale, 1e-12))


def _derivative_of_own_forward(student, forward, x, args, dout, dx, h=1e-6):
    """Whether dx = dout * f'(x) for the student's own elementwise forward f, f' taken as a centred
    difference (elementwise, so two calls give every entry)."""
    x64 = x.astype(np.float64)
    try:
        upper = as_array(_forward(student, forward, x64 + h, *args)[0], forward, shape=x.shape)
        lower = as_array(_forward(student, forward, x64 - h, *args)[0], forward, shape=x.shape)
    except (StudentCallError, TestFailure):
        return False
    numerical = dout.astype(np.float64) * (upper.astype(np.float64) - lower) / (2 * h)
    return close(dx, numerical, rtol=1e-4, floor=1e-3 * float(np.max(np.abs(numerical))) + 1e-12)


# -- affine --------------------------------------------------------------------------------------

# (N, shape of one input, M): flat inputs, images-like (d1, d2, d3) inputs, a single example, and
# a single output unit.
AFFINE_CASES = [(7, (5,), 3, np.float64), (4, (3, 2, 5), 6, np.float64), (10, (20,), 1, np.float64)]
AFFINE_EDGE_CASES = [(1, (3, 4, 4), 5, np.float64), (1, (9,), 4, np.float64),
                     (8, (3, 4, 4), 10, np.float32), (6, (30,), 7, np.float32)]


def _affine_inputs(rng, num, input_shape, num_out, dtype):
    dim = int(np.prod(input_shape))
    x = rng.standard_normal((num,) + input_shape).astype(dtype)
    w = (rng.standard_normal((dim, num_out)) / np.sqrt(dim)).astype(dtype)
    b = rng.standard_normal(num_out).astype(dtype)
    return x, w, b


def _check_affine_forward(student, reference, rng, cases):
    ref = reference.module(MODULE).affine_forward
    for num, input_shape, num_out, dtype in cases:
        x, w, b = _affine_inputs(rng, num, input_shape, num_out, dtype)
        out, cache = _forward(student, "affine_forward", x, w, b)
        # The cache is what affine_backward receives: x as the caller gave it, not reshaped.
        check(isinstance(cache, (tuple, list)) and len(cache) == 3,
              "affine_forward should return the cache (x, w, b) it was given")
        check(np.shape(cache[0]) == x.shape and np.array_equal(np.asarray(cache[0]), x),
              f"the cache of affine_forward should hold x as it was given, in its own shape: reshape "
              f"into a new variable, not into x, or affine_backward cannot give dx the shape of x", diagnosis="cache_holds_reshaped_x")
        check(np.shape(out) == (num, num_out), "affine_forward should return out with one row per "
                                               "example and one column per column of w",
              f"got {np.shape(out)}, expected {(num, num_out)}")
        expected, _ = ref(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64))
        _compare(out, expected, f"out of affine_forward for a {_describe(x)}",
                 _tol(dtype), [Diagnosis("bias_missing", "the bias b is missing: add it to every row",
                                         expected - b.astype(np.float64))])


def _check_affine_backward(student, reference, rng, cases):
    """affine_backward on the cache the docstring promises, (x, w, b), as the reference forward
    pass makes it: a bug in the student's forward pass costs points there, not here."""
    ref = reference.module(MODULE)
    for num, input_shape, num_out, dtype in cases:
        x, w, b = _affine_inputs(rng, num, input_shape, num_out, dtype)
        dout = rng.standard_normal((num, num_out)).astype(dtype)
        answer = student.call(f"{MODULE}.affine_backward", dout, (x, w, b))
        check(isinstance(answer, (tuple, list)) and len(answer) == 3,
              "affine_backward should return a tuple (dx, dw, db)")
        _, ref_cache = ref.affine_forward(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64))
        expected = ref.affine_backward(dout.astype(np.float64), ref_cache)
        where = f"for a {_describe(x)}"
        for got, want, name in zip(answer, expected, ("dx", "dw", "db")):
            _compare(got, want, f"{name} of affine_backward {where}", _tol(dtype))


@graded(f"{MODULE}.affine_forward", points=1)
def affine_forward_matches_reference(student, reference, rng):
    _check_affine_forward(student, reference, rng, AFFINE_CASES + AFFINE_EDGE_CASES)


@graded(f"{MODULE}.affine_backward", points=1)
def affine_backward_matches_reference(student, reference, rng):
    _check_affine_backward(student, reference, rng, AFFINE_CASES)


@graded(f"{MODULE}.affine_backward", points=1)
def affine_backward_single_example_and_float32(student, reference, rng):
    _check_affine_backward(student, reference, rng, AFFINE_EDGE_CASES)


# -- activations ---------------------------------------------------------------------------------

@graded(f"{MODULE}.relu_forward", points=0.5)
def relu_forward_matches_reference(student, reference, rng):
    _elementwise_forward(student, reference, rng, "relu_forward", [()])


@graded(f"{MODULE}.relu_backward", points=1)
def relu_backward_matches_reference(student, reference, rng):
    _elementwise_backward(student, reference, rng, "relu_forward", "relu_backward", [()], cache_of=lambda x: x)
    # Inputs exactly at 0, with the cache the docstring promises (x itself): the gradient passes
    # only where x > 0.
    x = rng.choice([-1.5, 0.0, 2.0], (6, 5))
    dout = rng.standard_normal((6, 5))
    expected = reference.module(MODULE).relu_backward(dout, x)
    _compare(student.call(f"{MODULE}.relu_backward", dout, x), expected,
             "dx of relu_backward where some inputs are exactly 0", FLOAT64,
             _backward_mistakes("relu_backward", x, dout, ()))


@graded(f"{MODULE}.sigmoid_forward", points=0.5)
def sigmoid_forward_matches_reference(student, reference, rng):
    _elementwise_forward(student, reference, rng, "sigmoid_forward", [()])


@graded(f"{MODULE}.sigmoid_backward", points=0.5)
def sigmoid_backward_matches_reference(student, reference, rng):
    _elementwise_backward(student, reference, rng, "sigmoid_forward", "sigmoid_backward", [()])


@graded(f"{MODULE}.tanh_forward", points=0.5)
def tanh_forward_matches_reference(student, reference, rng):
    _elementwise_forward(student, reference, rng, "tanh_forward", [()])


@graded(f"{MODULE}.tanh_backward", points=0.5)
def tanh_backward_matches_reference(student, reference, rng):
    _elementwise_backward(student, reference, rng, "tanh_forward", "tanh_backward", [()])


# () uses the default alpha (0.01 and 1.0); the other values are passed positionally.
LEAKY_ALPHAS = [(), (0.2,), (0.05,)]
ELU_ALPHAS = [(), (0.5,), (2.0,)]


@graded(f"{MODULE}.leaky_relu_forward", points=0.5)
def leaky_relu_forward_matches_reference(student, reference, rng):
    _elementwise_forward(student, reference, rng, "leaky_relu_forward", LEAKY_ALPHAS)


@graded(f"{MODULE}.leaky_relu_backward", points=0.5)
def leaky_relu_backward_matches_reference(student, reference, rng):
    _elementwise_backward(student, reference, rng, "leaky_relu_forward", "leaky_relu_backward",
                          LEAKY_ALPHAS)


@graded(f"{MODULE}.elu_forward", points=0.5)
def elu_forward_matches_reference(student, reference, rng):
    _elementwise_forward(student, reference, rng, "elu_forward", ELU_ALPHAS)


@graded(f"{MODULE}.elu_backward", points=0.5)
def elu_backward_matches_reference(student, reference, rng):
    _elementwise_backward(student, reference, rng, "elu_forward", "elu_backward", ELU_ALPHAS)


# -- maxout --------------------------------------------------------------------------------------

MAXOUT_NOTEBOOK = "FullyConnectedNets.ipynb"
# (N, shape of one input, M units, K pieces, dtype): flat and image-like inputs, one example, one
# piece per unit (an affine layer), and float32.
MAXOUT_CASES = [(6, (5,), 4, 3, np.float64), (4, (3, 2, 2), 5, 2, np.float64), (1, (7,), 3, 4, np.float64),
                (5, (6,), 3, 1, np.float64), (8, (3, 4, 4), 6, 3, np.float32)]


def _maxout_inputs(rng, num, input_shape, units, pieces, dtype, ties=False):
    """x, w, b for a maxout layer. With ``ties``, pieces 0 and 1 of every unit have zero weights
    and one common bias (an exact tie at every input) and piece 2 beats them on part of the inputs;
    otherwise the best two pieces are kept 1e-3 of their scale apart, so rounding picks no other."""
    dim = int(np.prod(input_shape))
    for _ in range(1000):
        x = rng.standard_normal((num,) + input_shape).astype(dtype)
        w = (rng.standard_normal((dim, units, pieces)) / np.sqrt(dim)).astype(dtype)
        b = rng.standard_normal((units, pieces)).astype(dtype)
        if ties:
            w[:, :, :2] = 0.0
            b[:, 1] = b[:, 0]
            b[:, 2] = b[:, 0]
            return x, w, b
        values = np.sort(np.einsum("nd,dmk->nmk", x.reshape(num, dim).astype(np.float64), w) + b, axis=2)
        if pieces == 1 or np.min(values[:, :, -1] - values[:, :, -2]) > 1e-3 * np.max(np.abs(values)):
            return x, w, b
    raise RuntimeError("could not draw maxout inputs without near ties")


def _maxout_forward_mistakes(x, w, b):
    """Known mistakes of maxout_forward, as the outputs they give."""
    num, (dim, units, pieces) = x.shape[0], w.shape
    rows = x.reshape(num, dim).astype(np.float64)
    products = rows @ w.reshape(dim, units * pieces).astype(np.float64)
    return [Diagnosis("bias_missing", "the biases are missing: every piece is x @ w[:, m, k] + b[m, k]",
                      np.max(products.reshape(num, units, pieces), axis=2)),
            Diagnosis("pieces_read_as_units", "the product of x with w reshaped to (D, M * K) holds the "
                      "pieces of a unit next to each other: reshape it to (N, M, K) and take the "
                      "maximum over the last axis",
                      np.max(products.reshape(num, pieces, units) + b.T, axis=1)),
            Diagnosis("maxout_clipped_at_zero", "the output is clipped at 0 as by a ReLU: a maxout unit "
                      "is the largest piece, negative or not",
                      np.maximum(np.max(products.reshape(num, units, pieces) + b, axis=2), 0.0))]


@graded(f"{MODULE}.maxout_forward", points=1, notebook=MAXOUT_NOTEBOOK)
def maxout_forward_matches_reference(student, reference, rng):
    ref = reference.module(MODULE).maxout_forward
    for num, input_shape, units, pieces, dtype in MAXOUT_CASES:
        x, w, b = _maxout_inputs(rng, num, input_shape, units, pieces, dtype)
        out, _ = _forward(student, "maxout_forward", x, w, b)
        check(np.shape(out) == (num, units), "maxout_forward should return out with one row per example "
                                             "and one column per unit", f"got {np.shape(out)}, expected {(num, units)}")
        expected, _ = ref(*(a.astype(np.float64) for a in (x, w, b)))
        _compare(out, expected, f"out of maxout_forward for a {_describe(x)}", _tol(dtype),
                 _maxout_forward_mistakes(x, w, b))


def _maxout_backward_mistakes(x, w, b, dout, ties):
    """Known mistakes of maxout_backward, as the db they give (the tie rules only with ``ties``)."""
    num, (dim, units, pieces) = x.shape[0], w.shape
    values = (x.reshape(num, dim).astype(np.float64) @ w.reshape(dim, -1).astype(np.float64)).reshape(
        num, units, pieces) + b
    winners = values == np.max(values, axis=2, keepdims=True)
    last = np.zeros_like(values)
    np.put_along_axis(last, (pieces - 1 - np.argmax(winners[:, :, ::-1], axis=2))[:, :, None],
                      dout.astype(np.float64)[:, :, None], axis=2)
    first = np.eye(pieces)[np.argmax(values, axis=2)]  # (N, M, K), one-hot
    without_dout = Diagnosis("maxout_backward_without_dout", "each winning piece receives 1 instead of "
                             "the upstream gradient: send dout[i, m] to the winner of out[i, m]",
                             np.sum(first, axis=0))
    if not ties:
        return [without_dout]
    return [Diagnosis("tie_sent_to_every_winner", "on a tie the whole gradient goes to the first "
                      "winning piece alone, not to every piece that shares the maximum",
                      np.sum(winners * dout[:, :, None], axis=0)),
            Diagnosis("tie_sent_to_last_winner", "on a tie the gradient goes to the first winning piece "
                      "(the lowest k, as np.argmax picks), not the last", np.sum(last, axis=0)), without_dout]


def _check_maxout_backward(student, reference, rng, ties):
    ref = reference.module(MODULE)
    for num, input_shape, units, pieces, dtype in MAXOUT_CASES:
        if ties and pieces < 3:
            continue
        x, w, b = _maxout_inputs(rng, num, input_shape, units, pieces, dtype, ties)
        dout = rng.standard_normal((num, units)).astype(dtype)
        # The cache the docstring fixes, (x, w, b): a bug in the forward pass costs nothing here.
        answer = student.call(f"{MODULE}.maxout_backward", dout, (x, w, b))
        check(isinstance(answer, (tuple, list)) and len(answer) == 3,
              "maxout_backward should return a tuple (dx, dw, db)")
        _, ref_cache = ref.maxout_forward(*(a.astype(np.float64) for a in (x, w, b)))
        expected = ref.maxout_backward(dout.astype(np.float64), ref_cache)
        where = f"for a {_describe(x)}" + (" with tied pieces" if ties else "")
        mistakes = _maxout_backward_mistakes(x, w, b, dout, ties)
        check(np.shape(answer[0]) != (num, int(np.prod(input_shape))) or len(input_shape) == 1,
              "dx of maxout_backward has one row per example: reshape it back to the shape of x",
              diagnosis="dx_not_reshaped")
        # db first: on ties it shows which piece received the gradient, which the diagnoses name.
        for index, name in ((2, "db"), (0, "dx"), (1, "dw")):
            _compare(answer[index], expected[index], f"{name} of maxout_backward {where}", _tol(dtype),
                     mistakes if name == "db" else ())


@graded(f"{MODULE}.maxout_backward", points=1, notebook=MAXOUT_NOTEBOOK)
def maxout_backward_matches_reference(student, reference, rng):
    _check_maxout_backward(student, reference, rng, ties=False)
    _check_maxout_backward(student, reference, rng, ties=True)


# -- losses --------------------------------------------------------------------------------------

def _scores(rng, num, num_classes, scale=1.0, dtype=np.float64, min_margin=None):
    """Scores (N, C) and labels (N,); with min_margin, every hinge margin is that far from 0."""
    for _ in range(200):
        x = (scale * rng.standard_normal((num, num_classes))).astype(dtype)
        y = rng.integers(0, num_classes, num)
        if min_margin is None:
            return x, y
        rows = np.arange(num)
        wide = x.astype(np.float64)
        margins = wide - wide[rows, y][:, None] + 1.0
        margins[rows, y] = np.inf
        if np.min(np.abs(margins)) > min_margin:
            return x, y
    raise RuntimeError("could not draw scores away from the hinge's kinks")


def _check_loss(student, reference, name, x, y, what):
    answer = student.call(f"{MODULE}.{name}", x, y)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2,
          f"{name} should return a tuple (loss, dx)", f"got {type(answer).__name__}")
    loss = as_array(answer[0], f"the loss returned by {name} (a single number)", shape=())
    expected_loss, expected_dx = getattr(reference.module(MODULE), name)(x.astype(np.float64), y)
    tol = _tol(x.dtype)
    loss_mistakes = per_example(expected_loss, x.shape[0], f"the loss of {name}")
    if name == "svm_loss":
        loss_mistakes.append(Diagnosis("hinge_counts_correct_class", "the loss is 1 too large: the sum "
                                       "over classes also counted the correct class (skip it)",
                                       expected_loss + 1.0))
    assert_close(loss, expected_loss, f"the loss of {name} {what}", rtol=tol["loss_rtol"],
                 diagnoses=loss_mistakes)
    num = x.shape[0]
    mistakes = per_example(expected_dx, num, f"dx of {name}")
    if name == "softmax_loss":
        mistakes.append(Diagnosis("gradient_without_minus_one", "dx is the probabilities minus 1 at the "
                                  "correct class, over N: the - 1 is missing",
                                  expected_dx + np.eye(x.shape[1])[y] / num))
    _compare(answer[1], expected_dx, f"dx of {name} {what}", tol, mistakes)


# (N, C, score scale, dtype): many classes, a single example, few classes with large margins,
# float32.
LOSS_CASES = [(50, 10, 1.0, np.float64), (1, 6, 1.0, np.float64), (30, 3, 4.0, np.float64),
              (40, 10, 2.0, np.float32)]


@graded(f"{MODULE}.svm_loss", points=1)
def svm_loss_matches_reference(student, reference, rng):
    for num, num_classes, scale, dtype in LOSS_CASES:
        x, y = _scores(rng, num, num_classes, scale, dtype, min_margin=1e-4)
        _check_loss(student, reference, "svm_loss", x, y, f"on random scores (a {_describe(x)})")


@graded(f"{MODULE}.softmax_loss", points=1)
def softmax_loss_matches_reference(student, reference, rng):
    for num, num_classes, scale, dtype in LOSS_CASES:
        x, y = _scores(rng, num, num_classes, scale, dtype)
        _check_loss(student, reference, "softmax_loss", x, y, f"on random scores (a {_describe(x)})")
    # Rows moved by +-1000 or more: only code that shifts each row by its own maximum stays finite
    # (shifting by the maximum of the whole matrix underflows the rows near -1000 to 0 / 0).
    x, y = _scores(rng, 20, 7, 3.0)
    x += rng.choice([-3000.0, -1000.0, 1000.0, 5000.0], 20)[:, None]
    _check_loss(student, reference, "softmax_loss", x, y, "for scores around +-1000 and more")
