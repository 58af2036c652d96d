"""Hidden tests for TwoLayerNet (classifiers/fc_net.py), against the reference solution.

Never released. The student's net is built with the test's sizes and reg, then its params are
replaced by arrays drawn here (a ("__setattr__", ("params", ...)) step), so the loss tests do not
depend on __init__'s random draw, only on __init__ running.

- __init__: TwoLayerNet() has the default sizes (3072, 100, 10) and weight scale 1e-3, and
  TwoLayerNet(40, 300, 40, 0.05) uses its arguments. Weights: standard deviation within 5% of
  weight_scale (15% for the 1,000 weights of the default W2), mean within 6 standard errors of 0,
  and for W1 the fraction of entries within one weight_scale of 0 within 0.03 of a Gaussian's
  0.683 (uniform noise of the same spread gives 0.577). Every bound is at least 6 standard errors
  of a correct random draw wide, so a correct __init__ fails with probability below 1e-8, while
  the realistic bugs (weight_scale squared or square-rooted, np.random.rand, swapped shapes,
  non-zero biases, ignored arguments) miss by a factor of 1.7 or more.
- loss: scores (y=None), loss and the four gradients against the reference on random nets (or,
  so that a bug in a layer costs the layer alone, against the reference net and a net of layers
  alone run on the student's own layers; when the student's loss(X, y) raises and no net could
  answer with their layers, the scores alone), with
  (N, D) and (N, d1, d2, d3) inputs, N = 1, reg = 0 and reg > 0 (including a large reg where the
  penalty dominates), and float32 inputs and parameters. Hidden pre-activations are kept at least
  1e-3 (relative to their scale) away from the ReLU's kink, where rounding could flip a unit.
  Tolerances as for the linear classifiers, measured on the reference, a float32 version and a
  version written with np.maximum / masks instead of the layers, then widened by about 50:
  float64: loss 1e-6 relative, gradients and scores 1e-6 with a floor of 1e-3 of the largest
  entry (for gradients, of any parameter's gradient; correct code: below 1e-12); float32: loss 1e-4, the rest 1e-3 with a floor of 1e-2
  (correct code: below 2e-5). Every targeted bug (no 0.5 in the penalty, a missing or wrong
  gradient of any parameter, no ReLU in the backward pass, a penalty on the biases, a missing 1/N)
  moves something by 1e-2 of its scale or more.
- training: 200 two-dimensional points labelled by the XOR of the signs of their coordinates
  (at least 0.1 from each axis), which no linear classifier learns (logistic regression scored
  0.43 to 0.66 on three such draws). 60 full-batch Adam steps (learning rate 0.05, reg 1e-3)
  done here with the gradients of the student's loss, from weights drawn here, must classify at
  least 90% of 200 fresh points right; the accuracy is computed here from the trained weights.
  Over 100 seeds the reference reached at least 99.5%. This is a does-it-learn check, not a
  gradient check: Adam is forgiving, and a backward pass that ignores the ReLU's mask still
  learns XOR here (the two reference tests above catch it).
"""
import numpy as np

from autograder.sandbox import StudentCallError
from autograder.spec import TestFailure, as_array, assert_close, check, graded

NOTEBOOK = "two_layer_net.ipynb"
MODULE = "classifiers.fc_net"
NET = MODULE + ".TwoLayerNet"
INIT = NET + ".__init__"
LOSS = NET + ".loss"
KEYS = ("W1", "b1", "W2", "b2")

FLOAT64 = {"rtol": 1e-6, "floor": 1e-3, "loss_rtol": 1e-6}
FLOAT32 = {"rtol": 1e-3, "floor": 1e-2, "loss_rtol": 1e-4}


# -- __init__ ------------------------------------------------------------------------------------

def _new_params(student, init):
    params = student.call_method(NET, [("__getattribute__", ("params",))], init=init)
    check(isinstance(params, dict) and all(k in params for k in KEYS),
          f"TwoLayerNet{init}.params should be a dict with the keys W1, b1, W2, b2")
    return {k: as_array(params[k], f"params['{k}'] of TwoLayerNet{init}") for k in KEYS}


def _check_new_net(params, dim, hidden, classes, scale, std_tol, what):
    for key, shape in [("W1", (dim, hidden)), ("b1", (hidden,)), ("W2", (hidden, classes)),
                       ("b2", (classes,))]:
        check(params[key].shape == shape, f"{what}: params['{key}'] should have shape {shape}",
              f"got {params[key].shape}")
    for key in ("b1", "b2"):
        check(np.all(params[key] == 0), f"{what}: params['{key}'] should start as zeros")
    for key in ("W1", "W2"):
        w = params[key].astype(np.float64)
        std = float(np.std(w))
        check(abs(std / scale - 1.0) < std_tol[key],
              f"{what}: the standard deviation of params['{key}'] is off (expected weight_scale)")
        check(abs(float(np.mean(w))) < 6 * scale / np.sqrt(w.size),
              f"{what}: the entries of params['{key}'] should have mean 0")
    inside = float(np.mean(np.abs(params["W1"]) < scale))
    check(abs(inside - 0.6827) < 0.03,
          f"{what}: the entries of params['W1'] do not look Gaussian (use np.random.randn)", diagnosis="weights_not_gaussian")


@graded(INIT, points=1)
def two_layer_net_init_defaults_arguments_and_gaussian_weights(student):
    _check_new_net(_new_params(student, ()), 3072, 100, 10, 1e-3, {"W1": 0.05, "W2": 0.15},
                   "TwoLayerNet() with the default arguments")
    _check_new_net(_new_params(student, (40, 300, 40, 0.05)), 40, 300, 40, 0.05,
                   {"W1": 0.05, "W2": 0.05}, "TwoLayerNet(40, 300, 40, weight_scale=0.05)")


# -- loss against the reference ------------------------------------------------------------------

def _net_call(student, params, reg, steps):
    dim, hidden = params["W1"].shape
    init = (dim, hidden, params["W2"].shape[1], 1e-3, reg)
    try:
        return student.call_method(NET, [("__setattr__", ("params", params))] + steps, init=init)
    except StudentCallError as exc:
        if exc.status == "not_implemented":
            try:
                student.call_method(NET, [], init=init)
            except StudentCallError as init_exc:
                if init_exc.status == "not_implemented":
                    raise StudentCallError("not_implemented", "TwoLayerNet.__init__ is not "
                                           "implemented yet, and the loss tests build a net first") from None
        raise


def _problem(rng, num, input_shape, hidden, classes, dtype=np.float64, w_scale=0.3, margin=1e-3):
    """X (num, *input_shape), y, params; every hidden pre-activation at least margin * its scale
    away from 0."""
    dim = int(np.prod(input_shape))
    for _ in range(1000):
        X = rng.standard_normal((num,) + input_shape)
        params = {"W1": w_scale * rng.standard_normal((dim, hidden)), "b1": 0.1 * rng.standard_normal(hidden),
                  "W2": w_scale * rng.standard_normal((hidden, classes)),
                  "b2": 0.1 * rng.standard_normal(classes)}
        X, params = X.astype(dtype), {k: v.astype(dtype) for k, v in params.items()}
        pre = X.reshape(num, -1).astype(np.float64) @ params["W1"].astype(np.float64) + params["b1"]
        if np.min(np.abs(pre)) > margin * np.max(np.abs(pre)):
            return X, rng.integers(0, classes, num), params
    raise RuntimeError("could not draw a net away from the ReLU's kinks")


def _compare(actual, expected, what, tol):
    expected = np.asarray(expected, dtype=np.float64)
    assert_close(actual, expected, what, rtol=tol["rtol"],
                 floor=max(tol["floor"] * float(np.max(np.abs(expected))), 1e-12))


LAYERS = ("layers.affine_forward", "layers.affine_backward", "layers.relu_forward",
          "layers.relu_backward", "layers.softmax_loss")


def _layered_loss(layer, params, X, y, reg):
    """The net's loss built from layers alone, each gradient from a layer's backward pass:
    ``layer(name, *args)`` runs one layer."""
    W1, b1, W2, b2 = (params[k] for k in KEYS)
    pre, affine1 = layer("affine_forward", X, W1, b1)
    hidden, relu = layer("relu_forward", pre)
    scores, affine2 = layer("affine_forward", hidden, W2, b2)
    if y is None:
        return scores
    data_loss, dscores = layer("softmax_loss", scores, y)
    dhidden, dW2, db2 = layer("affine_backward", dscores, affine2)
    dpre = layer("relu_backward", dhidden, relu)
    _, dW1, db1 = layer("affine_backward", dpre, affine1)
    loss = data_loss + 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    return loss, {"W1": dW1 + reg * W1, "b1": db1, "W2": dW2 + reg * W2, "b2": db2}


def _expected_answers(student, reference, X, params, reg):
    """What a correct loss gives, as functions of the labels (None: the scores; else (loss,
    grads)): first the reference; then, so that a bug in one of the student's layers is charged to
    that layer alone, the reference net and a net of layers alone, each run with the student's own
    layers (only numbers cross into the sandbox)."""
    ref = reference.module(MODULE).TwoLayerNet(params["W1"].shape[0], params["W1"].shape[1],
                                               params["W2"].shape[1], reg=reg)
    ref.params = {k: v.astype(np.float64) for k, v in params.items()}
    X64 = X.astype(np.float64)

    def reference_net(labels):
        return ref.loss(X64, labels)

    def reference_net_with_student_layers(labels):
        with reference.using_student(student, LAYERS):
            return ref.loss(X64, labels)

    def student_layers_alone(labels):
        return _layered_loss(lambda name, *args: student.call(f"layers.{name}", *args), ref.params, X64,
                             labels, reg)

    return reference_net, reference_net_with_student_layers, student_layers_alone


# What a layer that answers in the wrong form makes a net that uses it raise.
LAYER_FAILURES = (StudentCallError, TestFailure, TypeError, ValueError, IndexError, KeyError)


def _check_scores(scores, expected_scores, what, tol):
    check(not isinstance(scores, (tuple, list)), "loss(X) without labels should return the scores")
    _compare(scores, expected_scores, f"the scores of loss(X) {what}", tol)


def _check_answer(answer, expected, what, tol):
    check(isinstance(answer, (tuple, list)) and len(answer) == 2 and isinstance(answer[1], dict),
          "loss(X, y) should return a tuple (loss, grads) with grads a dict")
    expected_loss, expected_grads = expected
    assert_close(answer[0], expected_loss, f"the loss {what}", rtol=tol["loss_rtol"])
    # One scale for every gradient: a gradient that is (nearly) zero everywhere, e.g. a bias
    # gradient summed over the classes of a softmax, is judged against the others' size, not its
    # own rounding noise.
    scale = max(float(np.max(np.abs(expected_grads[key]), initial=0.0)) for key in KEYS)
    for key in KEYS:
        check(key in answer[1], f"grads has no '{key}'")
        assert_close(answer[1][key], np.asarray(expected_grads[key], dtype=np.float64),
                     f"grads['{key}'] {what}", rtol=tol["rtol"], floor=max(tol["floor"] * scale, 1e-12))


def _disagreement(scores, answer, expected_scores, expected, what, tol):
    """The TestFailure saying how the student's scores (and (loss, grads), unless ``answer`` is
    None) differ from one candidate, or None when they agree."""
    try:
        _check_scores(scores, expected_scores, what, tol)
        if answer is not None:
            _check_answer(answer, expected, what, tol)
    except TestFailure as failure:
        return failure
    return None


def _check_against_reference(student, reference, X, y, params, reg, what):
    """The student's scores and (loss, grads) against the candidates of ``_expected_answers``: one
    that both agree with passes. When the student's loss(X, y) raises inside their code and no
    candidate built on their layers can answer either (a layer returned the wrong shape), no net
    could: the scores alone are judged, and the layer pays."""
    tol = FLOAT32 if X.dtype == np.float32 else FLOAT64
    scores = _net_call(student, params, reg, [("loss", (X,))])
    try:
        answer, crashed = _net_call(student, params, reg, [("loss", (X, y))]), None
    except StudentCallError as exc:
        if exc.status != "error":
            raise
        answer, crashed = None, exc
    reference_net, *with_student_layers = _expected_answers(student, reference, X, params, reg)
    if crashed is not None and _layers_answer(with_student_layers, y):
        raise crashed  # a net can answer with these layers: the failure is the net's own
    first = _disagreement(scores, answer, reference_net(None), reference_net(y), what, tol)
    if first is None:
        return
    for candidate in with_student_layers:
        try:
            expected_scores, expected = candidate(None), (candidate(y) if answer is not None else None)
        except LAYER_FAILURES:
            continue  # the student's layers give nothing usable here
        if _disagreement(scores, answer, expected_scores, expected, what, tol) is None:
            return
    raise first


def _layers_answer(candidates, y):
    """Whether a candidate built on the student's layers gives (loss, grads)."""
    for candidate in candidates:
        try:
            candidate(y)
            return True
        except LAYER_FAILURES:
            pass
    return False


@graded(LOSS, points=1)
def two_layer_net_loss_matches_reference_without_reg(student, reference, rng):
    for num, input_shape, hidden, classes in [(20, (15,), 10, 5), (8, (3, 2, 2), 7, 4), (1, (6,), 5, 3)]:
        X, y, params = _problem(rng, num, input_shape, hidden, classes)
        _check_against_reference(student, reference, X, y, params, 0.0,
                                 f"(reg = 0, X of shape {X.shape}, H = {hidden}, C = {classes})")


@graded(LOSS, points=1)
def two_layer_net_loss_matches_reference_with_reg_and_float32(student, reference, rng):
    for num, input_shape, hidden, classes, reg, dtype in [(20, (15,), 10, 5, 0.5, np.float64),
                                                          (8, (3, 2, 2), 7, 4, 5.0, np.float64),
                                                          (30, (3, 4, 4), 20, 10, 0.1, np.float32)]:
        X, y, params = _problem(rng, num, input_shape, hidden, classes, dtype)
        _check_against_reference(student, reference, X, y, params, reg,
                                 f"(reg = {reg:g}, X of shape {X.shape}, {np.dtype(dtype).name})")


# -- training ------------------------------------------------------------------------------------

def _xor(rng, num):
    """num points in [-1, 1]^2, at least 0.1 from both axes, labelled 1 when the signs differ."""
    X = rng.uniform(-1.0, 1.0, (3 * num, 2))
    X = X[np.all(np.abs(X) > 0.1, axis=1)][:num]
    return X, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(np.int64)


@graded(LOSS, points=1, uses=LAYERS)
def two_layer_net_learns_xor_with_its_gradients(student, reference, rng):
    X, y = _xor(rng, 200)
    X_test, y_test = _xor(rng, 200)
    dim, hidden, classes, reg, lr = 2, 20, 2, 1e-3, 0.05
    params = {"W1": rng.standard_normal((dim, hidden)), "b1": np.zeros(hidden),
              "W2": 0.1 * rng.standard_normal((hidden, classes)), "b2": np.zeros(classes)}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(w) for k, w in params.items()}
    for t in range(1, 61):  # Adam, done here: only the gradients come from the student's net
        answer = _net_call(student, params, reg, [("loss", (X, y))])
        check(isinstance(answer, (tuple, list)) and len(answer) == 2 and isinstance(answer[1], dict)
              and all(k in answer[1] for k in KEYS), "loss(X, y) should return (loss, grads)")
        for k in KEYS:
            g = as_array(answer[1][k], f"grads['{k}']", shape=params[k].shape).astype(np.float64)
            check(np.all(np.isfinite(g)), f"grads['{k}'] contains nan or inf during training")
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            params[k] = params[k] - lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
    ref = reference.module(MODULE).TwoLayerNet(dim, hidden, classes)
    ref.params = params
    accuracy = float(np.mean(np.argmax(ref.loss(X_test), axis=1) == y_test))
    check(accuracy >= 0.9,
          "a two-layer net trained with the gradients of your loss classifies too few XOR-labelled "
          "points right; correct gradients reach at least 90% (a linear classifier cannot: check "
          "the ReLU in the backward pass and the signs of the gradients)", f"{accuracy:.0%} right")
