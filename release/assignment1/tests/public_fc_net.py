"""Public tests for TwoLayerNet and FullyConnectedNet (classifiers/fc_net.py): `autograder check` runs
these on your machine. TwoLayerNet is graded in two_layer_net.ipynb, FullyConnectedNet in
FullyConnectedNets.ipynb.

What they check, without any reference solution:
- __init__: the four parameters have the documented shapes, the biases are zero, and the weights
  look like weight_scale * randn: mean about 0 and standard deviation within 10% of weight_scale
  (W2 has 4,800 weights: a correct draw is within 5% with near certainty);
- loss(X) on a net with hand-set weights: the hidden units and scores below were worked out by hand
  (see the comments), including units that the ReLU switches off; inputs of shape (N, D) and
  (N, D, 1) give the same scores;
- loss(X, y) on that net: the softmax loss of two classes is log(1 + exp(other score - correct
  score)), and with reg = 0.1 the loss grows by exactly 0.5 * 0.1 * (sum W1^2 + sum W2^2) = 0.9
  (the 0.5 is this network's convention, see the module docstring);
- the gradients: every entry of every parameter against a centred difference of your own loss
  (h = 1e-5) on a small random net with reg = 0.3, inputs drawn so that no hidden unit is within
  1e-3 of the ReLU's kink. Correct code (the reference and a version without the layers, 20
  seeds) stays below 3e-8 in the measure |a - n| / max(|a| + |n|, 1e-3); up to 1e-6 passes.

The loss tests build a TwoLayerNet first and then replace its params, so they need an __init__
that runs. They use your layers (affine, ReLU, softmax_loss) if your net does; while one of those
loses points, these tests score at grading time what the hidden loss tests (which judge your net
on its own) score.

FullyConnectedNet, the same checks for a net of any depth:
- __init__: FullyConnectedNet([80, 60], input_dim=100, num_classes=50, weight_scale=0.05,
  dtype='float32') has exactly W1, b1, W2, b2, W3, b3 of the documented shapes and dtype, zero
  biases and weights of standard deviation within 10% of weight_scale (6 standard errors of a
  correct draw); the same seed gives the same weights, another seed others;
- loss on a three-layer net with hand-set weights (worked out in the comments: a unit of the
  second hidden layer is switched off, one score is negative), its loss with and without the
  0.5 * reg penalty on all three weight matrices;
- the gradients against centred differences of your own loss, for a three-layer net with
  reg = 0.3 and a five-layer net without, as for TwoLayerNet, at up to four random entries of each
  parameter (with the ReLUs' inputs at least 1e-3 from 0).

The grader also runs hidden tests: the loss and gradients against the reference on random nets
(for FullyConnectedNet at depths 1, 3 and 5) with and without regularization, float32 and
(N, d1, d2, d3) inputs, and training small nets on a data set a linear classifier cannot learn.
"""
import numpy as np

from autograder.testing import StudentCallError, TestFailure, as_array, check, graded

NOTEBOOK = "two_layer_net.ipynb"
NET = "classifiers.fc_net.TwoLayerNet"
INIT = NET + ".__init__"
LOSS = NET + ".loss"
KEYS = ("W1", "b1", "W2", "b2")
# The layers a net's loss may run through: a bug in one of them is charged to that layer alone.
LAYERS = ("layers.affine_forward", "layers.affine_backward", "layers.relu_forward",
          "layers.relu_backward", "layers.softmax_loss")

GRAD_TOL = 1e-6
GRAD_FLOOR = 1e-3
H = 1e-5


def _params_of_new_net(student, init):
    params = student.call_method(NET, [("__getattribute__", ("params",))], init=init)
    check(isinstance(params, dict), f"TwoLayerNet{init}.params should be a dict; got "
                                    f"{type(params).__name__}")
    missing = [k for k in KEYS if k not in params]
    check(not missing, f"TwoLayerNet{init}.params has no {', '.join(missing)}")
    return {k: as_array(params[k], f"params['{k}']") for k in KEYS}


def _build_and_call(student, cls, init, params, steps):
    """Build the student's ``cls(*init)``, give it ``params``, run ``steps``; when that is not
    implemented, say whether it is the constructor that is missing."""
    try:
        return student.call_method(cls, [("__setattr__", ("params", params))] + steps, init=init)
    except StudentCallError as exc:
        if exc.status != "not_implemented":
            raise
        try:  # is it the constructor that is missing?
            student.call_method(cls, [], init=init)
        except StudentCallError as init_exc:
            if init_exc.status == "not_implemented":
                raise StudentCallError("not_implemented", f"{cls.rsplit('.', 1)[-1]}.__init__ is not "
                                       f"implemented yet, and the loss tests build a net first") from None
        raise


def _net_call(student, params, steps, reg=0.0):
    """Build a TwoLayerNet shaped like ``params`` with ``reg``, give it ``params``, run ``steps``."""
    dim, hidden = params["W1"].shape
    return _build_and_call(student, NET, (dim, hidden, params["W2"].shape[1], 1e-3, reg), params, steps)


def _scores(student, params, X):
    scores = _net_call(student, params, [("loss", (X,))])
    check(not isinstance(scores, (tuple, list)),
          "loss(X) without labels should return the scores array, not a tuple")
    return as_array(scores, "the scores returned by loss(X)",
                    shape=(X.shape[0], params["W2"].shape[1])).astype(np.float64)


def _loss_and_grads(student, params, X, y, reg, net_call=None):
    """(loss, grads) of the student's net (``net_call``, default TwoLayerNet's) with ``params``."""
    answer = (net_call or _net_call)(student, params, [("loss", (X, y))], reg)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2,
          f"loss(X, y) should return a tuple (loss, grads); got {type(answer).__name__}")
    loss = float(as_array(answer[0], "the loss returned by loss(X, y) (a single number)", shape=()))
    grads = answer[1]
    check(isinstance(grads, dict), f"grads should be a dict; got {type(grads).__name__}")
    missing = [k for k in params if k not in grads]
    check(not missing, f"grads has no {', '.join(missing)}: every parameter needs its gradient")
    grads = {k: as_array(grads[k], f"grads['{k}']") for k in params}
    for k in params:
        check(grads[k].shape == params[k].shape,
              f"grads['{k}'] has shape {grads[k].shape}; expected {params[k].shape} like params['{k}']")
    check(np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values()),
          "loss(X, y) returned nan or inf")
    return loss, {k: g.astype(np.float64) for k, g in grads.items()}


# -- __init__ ------------------------------------------------------------------------------------

@graded(INIT, points=1)
def two_layer_net_init_shapes_zero_biases_and_weight_scale(student):
    dim, hidden, classes, scale = 300, 80, 60, 0.02
    params = _params_of_new_net(student, (dim, hidden, classes, scale, 0.0))
    for key, shape in [("W1", (dim, hidden)), ("b1", (hidden,)), ("W2", (hidden, classes)),
                       ("b2", (classes,))]:
        check(params[key].shape == shape, f"TwoLayerNet(input_dim={dim}, hidden_dim={hidden}, "
                                          f"num_classes={classes}): params['{key}'] has shape "
                                          f"{params[key].shape}; expected {shape}: use the arguments, "
                                          f"not the defaults", diagnosis="argument_ignored")
        check(params[key].dtype.kind == "f", f"params['{key}'] should hold floats; it has dtype "
                                             f"{params[key].dtype}")
    for key in ("b1", "b2"):
        check(np.all(params[key] == 0), f"params['{key}'] should start as zeros")
    for key in ("W1", "W2"):
        w = params[key]
        std, mean = float(np.std(w)), float(np.mean(w))
        check(abs(std / np.sqrt(scale) - 1.0) >= 0.1, f"the entries of params['{key}'] have standard "
              f"deviation sqrt(weight_scale): weight_scale is the standard deviation, not the variance",
              diagnosis="weight_scale_as_variance")
        check(abs(std * np.sqrt(12.0) / scale - 1.0) >= 0.1, f"the entries of params['{key}'] look "
              f"uniform on [0, weight_scale): draw them with weight_scale * np.random.randn",
              diagnosis="uniform_weights")
        check(abs(std / scale - 1.0) < 0.1,
              f"with weight_scale={scale} the entries of params['{key}'] have standard deviation "
              f"{std:.3g}; expected about {scale} (weight_scale * np.random.randn)")
        check(abs(mean) < 6 * scale / np.sqrt(w.size),
              f"the entries of params['{key}'] have mean {mean:.3g}; expected about 0")


# -- loss: a net with hand-set weights -----------------------------------------------------------

def _hand_set_net():
    """D = 3 inputs, H = 4 hidden units, C = 2 classes, N = 2 examples.

    Hidden units before the ReLU: h0 = x0 + x1, h1 = -x0 + 0.5, h2 = x2 - 1, h3 = x1 - x2.
      x = (1, 2, -1): h = (3, -0.5, -2, 3)  -> after the ReLU (3, 0, 0, 3)
      x = (0, -1, 3): h = (-1, 0.5, 2, -4)  -> after the ReLU (0, 0.5, 2, 0)
    Scores: row k of W2 is what hidden unit k adds to the two classes, then b2 = (-0.5, -0.2):
      (3 * (1, 0) + 3 * (-1, 2)) + b2 = (0, 6) + b2 = (-0.5, 5.8)
      (0.5 * (2, -1) + 2 * (0, 1)) + b2 = (1, 1.5) + b2 = (0.5, 1.3)
    (A negative score: nothing may clip the scores at 0.)
    Squared weights: sum W1^2 = 6, sum W2^2 = 12.
    """
    X = np.array([[1.0, 2.0, -1.0], [0.0, -1.0, 3.0]])
    params = {
        "W1": np.array([[1.0, -1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, -1.0]]),
        "b1": np.array([0.0, 0.5, -1.0, 0.0]),
        "W2": np.array([[1.0, 0.0], [2.0, -1.0], [0.0, 1.0], [-1.0, 2.0]]),
        "b2": np.array([-0.5, -0.2]),
    }
    scores = np.array([[-0.5, 5.8], [0.5, 1.3]])
    return X, params, scores


@graded(LOSS, points=1, uses=LAYERS)
def two_layer_net_scores_on_hand_set_weights(student):
    X, params, expected = _hand_set_net()
    scores = _scores(student, params, X)
    if not np.allclose(scores, expected, rtol=1e-12, atol=1e-12):
        raise TestFailure("loss(X) on a net with hand-set weights gave the wrong scores: they "
                          "should be relu(X @ W1 + b1) @ W2 + b2",
                          f"got {scores.tolist()}, expected {expected.tolist()}", diagnosis="wrong_forward_formula")
    reshaped = _scores(student, params, X.reshape(2, 3, 1))
    if not np.allclose(reshaped, expected, rtol=1e-12, atol=1e-12):
        raise TestFailure("loss(X) should accept inputs of shape (N, d_1, ..., d_k): X of shape "
                          "(2, 3, 1) must give the same scores as (2, 3)")


def _hand_set_data_loss(student, make_net, loss_and_grads, what):
    """The mean softmax loss at reg = 0 on a hand-set net (``make_net()`` -> X, params, scores) with
    the labels (1, 0); returns (X, params, y, that loss)."""
    X, params, scores = make_net()
    y = np.array([1, 0])
    # With two classes, -log p(correct) = log(1 + exp(other score - correct score)).
    data_loss = (np.log1p(np.exp(scores[0, 0] - scores[0, 1]))
                 + np.log1p(np.exp(scores[1, 1] - scores[1, 0]))) / 2
    loss, _ = loss_and_grads(student, params, X, y, reg=0.0)
    if abs(loss - data_loss) > 1e-9 * data_loss:
        raise TestFailure(f"loss(X, y) with reg = 0 on the hand-set {what} is not the mean softmax loss "
                          "of its scores", f"got {loss:.10g}, expected {data_loss:.10g}")
    return X, params, y, data_loss


@graded(LOSS, points=1, uses=LAYERS)
def two_layer_net_loss_on_hand_set_weights_with_half_l2(student):
    X, params, y, data_loss = _hand_set_data_loss(student, _hand_set_net, _loss_and_grads, "net")
    loss, _ = _loss_and_grads(student, params, X, y, reg=0.1)
    expected = data_loss + 0.5 * 0.1 * (6.0 + 12.0)
    if abs(loss - expected) > 1e-9 * expected:
        extra = loss - data_loss
        check(abs(extra - 1.8) > 1e-6, "with reg = 0.1 the loss grew twice as much as 0.5 * reg * "
              "(sum W1^2 + sum W2^2): the 0.5 is missing", diagnosis="penalty_without_half")
        biases = 0.5 * 0.1 * sum(float(np.sum(params[k] ** 2)) for k in ("b1", "b2"))
        check(biases == 0 or abs(extra - 0.9 - biases) > 1e-6, "with reg = 0.1 the penalty also counts "
              "the biases: regularize W1 and W2 only", diagnosis="penalty_on_biases")
        raise TestFailure(f"with reg = 0.1 the loss should grow by 0.5 * reg * (sum W1^2 + sum W2^2) "
                          f"= 0.9; it grew by {extra:.6g}")


# -- loss: gradients -----------------------------------------------------------------------------

def _random_net(rng, num=6, dim=5, hidden=6, classes=3, margin=1e-3):
    """A small random net and data with every hidden pre-activation at least ``margin`` from 0."""
    for _ in range(1000):
        X = rng.standard_normal((num, dim))
        params = {"W1": 0.5 * rng.standard_normal((dim, hidden)),
                  "b1": 0.1 * rng.standard_normal(hidden),
                  "W2": 0.5 * rng.standard_normal((hidden, classes)),
                  "b2": 0.1 * rng.standard_normal(classes)}
        if np.min(np.abs(X @ params["W1"] + params["b1"])) > margin:
            return X, rng.integers(0, classes, num), params
    raise RuntimeError("could not draw a net away from the ReLU's kinks")


@graded(LOSS, points=1, uses=LAYERS)
def two_layer_net_gradients_match_numerical_gradient(student, rng):
    # Gradients that agree with their own loss prove something only when the loss is right: the
    # scores and the loss of the hand-set net first (a penalty bug is judged by its own test).
    two_layer_net_scores_on_hand_set_weights(student)
    _hand_set_data_loss(student, _hand_set_net, _loss_and_grads, "net")
    X, y, params = _random_net(rng)
    reg = 0.3
    _, grads = _loss_and_grads(student, params, X, y, reg)
    for key in KEYS:
        numerical = np.zeros_like(params[key])
        for index in np.ndindex(*params[key].shape):
            losses = []
            for step in (H, -H):
                moved = {k: v.copy() for k, v in params.items()}
                moved[key][index] += step
                losses.append(_loss_and_grads(student, moved, X, y, reg)[0])
            numerical[index] = (losses[0] - losses[1]) / (2 * H)
        check(np.any(numerical != 0), f"the loss does not change with params['{key}']")
        _assert_gradient(grads[key], numerical, f"grads['{key}'] (reg = {reg})")


def _assert_gradient(analytic, numerical, what):
    err = np.abs(analytic - numerical) / np.maximum(np.abs(analytic) + np.abs(numerical), GRAD_FLOOR)
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    if err[worst] > GRAD_TOL:
        raise TestFailure(f"{what} does not match the numerical gradient of your loss: relative "
                          f"error {err[worst]:.1e} (allowed {GRAD_TOL:g})",
                          f"at index {tuple(int(i) for i in worst)}: yours {analytic[worst]:.6g}, "
                          f"numerical {numerical[worst]:.6g}")


# -- FullyConnectedNet ---------------------------------------------------------------------------

DEEP_NOTEBOOK = "FullyConnectedNets.ipynb"
DEEP_NET = "classifiers.fc_net.FullyConnectedNet"
DEEP_INIT = DEEP_NET + ".__init__"
DEEP_LOSS = DEEP_NET + ".loss"
SPARSE = 4  # entries of each parameter checked against centred differences


def _deep_keys(num_layers):
    return [f"{kind}{i}" for i in range(1, num_layers + 1) for kind in ("W", "b")]


def _deep_params_of_new_net(student, init):
    params = student.call_method(DEEP_NET, [("__getattribute__", ("params",))], init=init)
    check(isinstance(params, dict), f"FullyConnectedNet.params should be a dict; got {type(params).__name__}")
    return {k: as_array(v, f"params['{k}']") for k, v in params.items()}


@graded(DEEP_INIT, points=1, notebook=DEEP_NOTEBOOK)
def fully_connected_net_init_shapes_dtype_scale_and_seed(student):
    dims, scale = [100, 80, 60, 50], 0.05
    init = ([80, 60], 100, 50, 0.0, scale, "float32")
    params = _deep_params_of_new_net(student, init)
    keys = _deep_keys(3)
    check(sorted(params) == sorted(keys), f"FullyConnectedNet(hidden_dims=[80, 60], ...) should have "
          f"exactly the parameters {', '.join(keys)} (one W and one b per layer, hidden layers and the "
          f"scores)", f"got {', '.join(sorted(params))}", diagnosis="wrong_number_of_layers")
    for i in range(1, 4):
        for key, shape in ((f"W{i}", (dims[i - 1], dims[i])), (f"b{i}", (dims[i],))):
            check(params[key].shape == shape, f"FullyConnectedNet([80, 60], input_dim=100, num_classes=50): "
                  f"params['{key}'] has shape {params[key].shape}; expected {shape}",
                  diagnosis="argument_ignored")
            check(params[key].dtype == np.float32, f"with dtype='float32' params['{key}'] should be float32; "
                  f"it is {params[key].dtype} (.astype(dtype))", diagnosis="dtype_ignored")
        check(np.all(params[f"b{i}"] == 0), f"params['b{i}'] should start as zeros")
        w = params[f"W{i}"].astype(np.float64)
        std = float(np.std(w))
        check(abs(std / np.sqrt(scale) - 1.0) >= 0.1, f"the entries of params['W{i}'] have standard "
              f"deviation sqrt(weight_scale): weight_scale is the standard deviation, not the variance",
              diagnosis="weight_scale_as_variance")
        fan_in = dims[i - 1]
        check(min(abs(std * np.sqrt(fan_in / k) - 1.0) for k in (1.0, 2.0)) >= 0.1 or abs(std / scale - 1.0) < 0.1,
              f"the entries of params['W{i}'] are scaled by the layer's fan-in (as in Xavier or He "
              f"initialization): this net draws every weight as weight_scale * randn",
              diagnosis="fan_in_scaling_instead_of_weight_scale")
        check(abs(std / scale - 1.0) < 0.1, f"with weight_scale={scale} the entries of params['W{i}'] have "
              f"standard deviation {std:.3g}; expected about {scale} (weight_scale * randn)")
        check(abs(float(np.mean(w))) < 6 * scale / np.sqrt(w.size),
              f"the entries of params['W{i}'] have mean {float(np.mean(w)):.3g}; expected about 0")
    small = ([5], 4, 3, 0.0, 1.0, "float64")
    first = _deep_params_of_new_net(student, small + (7,))
    again = _deep_params_of_new_net(student, small + (7,))
    other = _deep_params_of_new_net(student, small + (8,))
    check(all(np.array_equal(first[k], again[k]) for k in first),
          "two nets built with seed=7 should have the same weights (np.random.RandomState(seed))",
          diagnosis="seed_ignored")
    check(not np.array_equal(first["W1"], other["W1"]), "nets built with seed=7 and seed=8 have the same "
          "weights: draw them from np.random.RandomState(seed)", diagnosis="seed_ignored")


def _deep_net_call(student, params, steps, reg=0.0):
    """Build a FullyConnectedNet shaped like ``params`` with ``reg``, give it ``params``, run
    ``steps``."""
    num_layers = len(params) // 2
    sizes = [params["W1"].shape[0]] + [params[f"W{i}"].shape[1] for i in range(1, num_layers + 1)]
    init = (sizes[1:-1], sizes[0], sizes[-1], reg, 1e-2, str(params["W1"].dtype))
    return _build_and_call(student, DEEP_NET, init, params, steps)


def _deep_loss_and_grads(student, params, X, y, reg):
    return _loss_and_grads(student, params, X, y, reg, _deep_net_call)


def _hand_set_deep_net():
    """The hand-set two-layer net above with one more hidden layer: D = 3, hidden [4, 2], C = 2.

    Layer 1 as before: after the ReLU (3, 0, 0, 3) and (0, 0.5, 2, 0).
    Layer 2 (the old W2 and b2): before the ReLU (-0.5, 5.8) and (0.5, 1.3), after it (0, 5.8)
      and (0.5, 1.3): the first unit is switched off for the first example.
    Scores, with W3 rows (2, -1) and (0.5, 1) and b3 = (0.1, -1):
      0 * (2, -1) + 5.8 * (0.5, 1) + b3 = (2.9, 5.8) + b3 = (3.0, 4.8)
      0.5 * (2, -1) + 1.3 * (0.5, 1) + b3 = (1.65, 0.8) + b3 = (1.75, -0.2)
    Squared weights: sum W1^2 = 6, sum W2^2 = 12, sum W3^2 = 6.25.
    """
    X, params, _ = _hand_set_net()
    params = {"W1": params["W1"], "b1": params["b1"], "W2": params["W2"], "b2": params["b2"],
              "W3": np.array([[2.0, -1.0], [0.5, 1.0]]), "b3": np.array([0.1, -1.0])}
    scores = np.array([[3.0, 4.8], [1.75, -0.2]])
    return X, params, scores


@graded(DEEP_LOSS, points=1, uses=LAYERS, notebook=DEEP_NOTEBOOK)
def fully_connected_net_scores_on_hand_set_weights(student):
    X, params, expected = _hand_set_deep_net()
    for inputs in (X, X.reshape(2, 3, 1)):
        scores = _deep_net_call(student, params, [("loss", (inputs,))])
        check(not isinstance(scores, (tuple, list)),
              "loss(X) without labels should return the scores array, not a tuple")
        scores = as_array(scores, "the scores returned by loss(X)", shape=(2, 2)).astype(np.float64)
        if not np.allclose(scores, expected, rtol=1e-12, atol=1e-12):
            raise TestFailure(f"loss(X) on a three-layer net with hand-set weights (X of shape "
                              f"{inputs.shape}) gave the wrong scores: they should be "
                              f"relu(relu(X @ W1 + b1) @ W2 + b2) @ W3 + b3, with no ReLU on the scores",
                              f"got {scores.tolist()}, expected {expected.tolist()}",
                              diagnosis="wrong_forward_formula")


@graded(DEEP_LOSS, points=1, uses=LAYERS, notebook=DEEP_NOTEBOOK)
def fully_connected_net_loss_with_half_l2_on_every_layer(student):
    X, params, y, data_loss = _hand_set_data_loss(student, _hand_set_deep_net, _deep_loss_and_grads,
                                                  "three-layer net")
    loss, _ = _deep_loss_and_grads(student, params, X, y, reg=0.1)
    squares = [6.0, 12.0, 6.25]
    expected = data_loss + 0.5 * 0.1 * sum(squares)
    if abs(loss - expected) > 1e-9 * expected:
        extra = loss - data_loss
        check(abs(extra - 0.1 * sum(squares)) > 1e-6, "with reg = 0.1 the loss grew twice as much as "
              "0.5 * reg * (sum W1^2 + sum W2^2 + sum W3^2): the 0.5 is missing",
              diagnosis="penalty_without_half")
        biases = 0.5 * 0.1 * sum(float(np.sum(params[f"b{i}"] ** 2)) for i in (1, 2, 3))
        check(abs(extra - 0.05 * sum(squares) - biases) > 1e-6, "with reg = 0.1 the penalty also counts "
              "the biases: regularize the weight matrices only", diagnosis="penalty_on_biases")
        partial = [0.05 * sum(squares[:k]) for k in (1, 2)] + [0.05 * squares[-1]]
        check(all(abs(extra - p) > 1e-6 for p in partial), "with reg = 0.1 the penalty leaves out some "
              "of the weight matrices: every Wi, from W1 to the last, is regularized",
              diagnosis="penalty_misses_a_layer")
        raise TestFailure(f"with reg = 0.1 the loss should grow by 0.5 * reg * (sum W1^2 + sum W2^2 + "
                          f"sum W3^2) = 1.2125; it grew by {extra:.6g}")


def _random_deep_net(rng, num, dims, margin=1e-3):
    """A small random net (layer sizes ``dims``) and data with every hidden pre-activation at
    least ``margin`` from 0."""
    for _ in range(1000):
        X = rng.standard_normal((num, dims[0]))
        params, hidden, ok = {}, X, True
        for i in range(1, len(dims)):
            params[f"W{i}"] = rng.standard_normal((dims[i - 1], dims[i])) / np.sqrt(dims[i - 1])
            params[f"b{i}"] = 0.1 * rng.standard_normal(dims[i])
            pre = hidden @ params[f"W{i}"] + params[f"b{i}"]
            if i < len(dims) - 1:
                ok = ok and np.min(np.abs(pre)) > margin and np.all(np.any(pre > 0, axis=0))
                hidden = np.maximum(pre, 0)
        if ok:
            return X, rng.integers(0, dims[-1], num), params
    raise RuntimeError("could not draw a net away from the ReLU's kinks")


@graded(DEEP_LOSS, points=1, uses=LAYERS, notebook=DEEP_NOTEBOOK)
def fully_connected_net_gradients_match_numerical_gradient(student, rng):
    # Up to SPARSE entries of each parameter, drawn at random: every entry costs two calls of your
    # loss, and the hidden tests compare every entry with the reference. As for the two-layer net,
    # the scores and the loss of the hand-set net first.
    fully_connected_net_scores_on_hand_set_weights(student)
    _hand_set_data_loss(student, _hand_set_deep_net, _deep_loss_and_grads, "three-layer net")
    for dims, reg in (([4, 5, 4, 3], 0.3), ([3, 4, 3, 4, 3, 3], 0.0)):
        X, y, params = _random_deep_net(rng, 5, dims)
        _, grads = _deep_loss_and_grads(student, params, X, y, reg)
        for key in params:
            # Entries not chosen take your own value, so that only the chosen ones can differ.
            numerical = grads[key].copy()
            indices = list(np.ndindex(*params[key].shape))
            chosen = [indices[i] for i in rng.permutation(len(indices))[:SPARSE]]
            for index in chosen:
                losses = []
                for step in (H, -H):
                    moved = {k: v.copy() for k, v in params.items()}
                    moved[key][index] += step
                    losses.append(_deep_loss_and_grads(student, moved, X, y, reg)[0])
                numerical[index] = (losses[0] - losses[1]) / (2 * H)
            check(any(numerical[index] != 0 for index in chosen), f"the loss does not change with "
                                                                    f"params['{key}']")
            _assert_gradient(grads[key], numerical, f"grads['{key}'] of a net of {len(dims) - 1} layers "
                             f"(reg = {reg})")
