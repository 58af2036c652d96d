"""Hidden tests for TwoLayerNet and FullyConnectedNet (classifiers/fc_net.py), against the reference
solution. TwoLayerNet is graded in two_layer_net.ipynb, FullyConnectedNet in FullyConnectedNets.ipynb.

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

FullyConnectedNet, the same way:
- __init__: FullyConnectedNet([100]) with the defaults (3072 inputs, 10 classes, weight scale 1e-2,
  float64), FullyConnectedNet([]) (one affine layer), and a five-layer net with its arguments:
  exactly the keys W1, b1, ..., WL, bL, shapes, dtype, zero biases, the weights' spread (within
  6 standard errors of a Gaussian sample's standard deviation, at least 5%: 13% for the 1,000
  weights of the default W2) and a Gaussian's share of entries within one weight_scale of 0 (6
  standard errors, at least 0.03; uniform noise is 0.106 away).
- loss: against the reference at depths 1 (hidden_dims = []), 3 and 5, with and without reg, with
  (N, d1, d2, d3) inputs, N = 1 and float32, with the same candidates as TwoLayerNet (the reference
  net, and the reference and a net of layers alone on the student's own layers) and the same
  tolerances. Weights are drawn with standard deviation 1.5 / sqrt(fan-in), so that activations
  keep their size through five layers and every hidden unit is on for some example. A wrong
  gradient is compared with the known mistakes (for both nets): the penalty's gradient missing or
  doubled (2 * reg * W, the linear classifiers' convention), and the ReLUs skipped in the backward
  pass (computed with the reference layers).
- training: "three modes", six blobs (standard deviation 0.35) around a circle of radius 2 with
  the classes alternating, which a line separates at best about two thirds right. 60 full-batch
  Adam steps (learning rate 0.05, reg 1e-4) of a [16, 16] net, from He-scaled weights drawn here,
  with the student's gradients must classify 90% of 300 fresh points right. Over 200 seeds the
  reference reached at least 97.3%. (Two nested rings needed 300 steps for the same margin: one
  seed in 100 stopped at 78% after 150, and every sandbox call costs about a millisecond.)
"""
import numpy as np

from autograder.testing import (Diagnosis, StudentCallError, TestFailure, as_array, assert_close, check, close,
                                graded, identical_inputs, same_answer, sample_calls)

NOTEBOOK = "two_layer_net.ipynb"
MODULE = "classifiers.fc_net"
NET = MODULE + ".TwoLayerNet"
INIT = NET + ".__init__"
LOSS = NET + ".loss"
KEYS = ("W1", "b1", "W2", "b2")

FLOAT64 = {"rtol": 1e-6, "floor": 1e-3, "loss_rtol": 1e-6}
FLOAT32 = {"rtol": 1e-3, "floor": 1e-2, "loss_rtol": 1e-4}


# -- __init__ ------------------------------------------------------------------------------------

def _new_params(student, init, what):
    params = student.call_method(NET, [("__getattribute__", ("params",))], init=init)
    check(isinstance(params, dict) and all(k in params for k in KEYS),
          f"{what}: params should be a dict with the keys W1, b1, W2, b2")
    return {k: as_array(params[k], f"{what}: params['{k}']") for k in KEYS}


def _check_new_net(params, dim, hidden, classes, scale, std_tol, what):
    for key, shape in [("W1", (dim, hidden)), ("b1", (hidden,)), ("W2", (hidden, classes)),
                       ("b2", (classes,))]:
        check(params[key].shape == shape, f"{what}: params['{key}'] does not have the shape its arguments ask for",
              f"got {params[key].shape}, expected {shape}")
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
    defaults, given = "TwoLayerNet() with the default arguments", "TwoLayerNet with other sizes and weight_scale"
    _check_new_net(_new_params(student, (), defaults), 3072, 100, 10, 1e-3, {"W1": 0.05, "W2": 0.15}, defaults)
    _check_new_net(_new_params(student, (40, 300, 40, 0.05), given), 40, 300, 40, 0.05,
                   {"W1": 0.05, "W2": 0.05}, given)


# -- loss against the reference ------------------------------------------------------------------

def _build_and_call(student, cls, init, params, steps):
    """Build the student's ``cls(*init)``, give it ``params``, run ``steps``; when that is not
    implemented, say whether it is the constructor that is missing."""
    try:
        return student.call_method(cls, [("__setattr__", ("params", params))] + steps, init=init)
    except StudentCallError as exc:
        if exc.status == "not_implemented":
            try:
                student.call_method(cls, [], init=init)
            except StudentCallError as init_exc:
                if init_exc.status == "not_implemented":
                    raise StudentCallError("not_implemented", f"{cls.rsplit('.', 1)[-1]}.__init__ is not "
                                           f"implemented yet, and the loss tests build a net first") from None
        raise


def _net_call(student, params, reg, steps):
    dim, hidden = params["W1"].shape
    return _build_and_call(student, NET, (dim, hidden, params["W2"].shape[1], 1e-3, reg), params, steps)


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


def _reference_two_layer_net(reference, params, reg):
    return reference.module(MODULE).TwoLayerNet(params["W1"].shape[0], params["W1"].shape[1],
                                                params["W2"].shape[1], reg=reg)


def _expected_answers(student, reference, X, params, reg, make_net=None, layered_loss=None):
    """What a correct loss gives, as functions of the labels (None: the scores; else (loss,
    grads)): first the reference; then, so that a bug in one of the student's layers is charged to
    that layer alone, the reference net and a net of layers alone, each run with the student's own
    layers (only numbers cross into the sandbox). ``make_net`` (reference, params, reg) builds the
    reference net and ``layered_loss`` is its loss from layers alone (default: TwoLayerNet's)."""
    ref = (make_net or _reference_two_layer_net)(reference, params, reg)
    ref.params = {k: v.astype(np.float64) for k, v in params.items()}
    X64 = X.astype(np.float64)

    def reference_net(labels):
        return ref.loss(X64, labels)

    def reference_net_with_student_layers(labels):
        with reference.using_student(student, LAYERS):
            return ref.loss(X64, labels)

    def student_layers_alone(labels):
        return (layered_loss or _layered_loss)(lambda name, *args: student.call(f"layers.{name}", *args),
                                               ref.params, X64, labels, reg)

    return reference_net, reference_net_with_student_layers, student_layers_alone


# What a layer that answers in the wrong form makes a net that uses it raise.
LAYER_FAILURES = (StudentCallError, TestFailure, TypeError, ValueError, IndexError, KeyError)


def _check_scores(scores, expected_scores, what, tol):
    check(not isinstance(scores, (tuple, list)), "loss(X) without labels should return the scores")
    _compare(scores, expected_scores, f"the scores of loss(X) {what}", tol)


def _penalty_mistakes(key, expected_grad, params, reg):
    """Known mistakes in the penalty's gradient of a weight matrix, as the gradient they give."""
    if reg == 0 or not key.startswith("W"):
        return []
    W = params[key]
    return [Diagnosis("penalty_gradient_missing", f"the gradient of the penalty is missing: add reg * {key} "
                      f"to grads['{key}']", expected_grad - reg * W),
            Diagnosis("penalty_gradient_doubled", f"the penalty's gradient is 2 * reg * {key}, the linear "
                      f"classifiers' convention: this net's penalty is half of reg * sum({key} ** 2), so its "
                      f"gradient is reg * {key}",
                      expected_grad + reg * W)]


def _gradient_mistakes(reference, layered_loss, X, y, params, reg, expected_grads):
    """Known mistakes of a net's backward pass, as {key: [Diagnosis, ...]}: the penalty's gradient
    missing or doubled, and the ReLUs skipped (the gradient passed through every hidden unit,
    computed with the reference layers and an identity in place of relu_backward)."""
    layers = reference.module("layers")

    def without_relu_mask(name, *args):
        return args[0] if name == "relu_backward" else getattr(layers, name)(*args)

    params64 = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    _, unmasked = layered_loss(without_relu_mask, params64, X.astype(np.float64), y, reg)
    return {key: [Diagnosis("relu_mask_missing_in_backward", "the backward pass skips the ReLUs: the "
                            "gradient flows back only through hidden units that were on (relu_backward "
                            "with each layer's cache)", unmasked[key])]
            + _penalty_mistakes(key, np.asarray(grad, dtype=np.float64), params64, reg)
            for key, grad in expected_grads.items()}


def _check_answer(answer, expected, what, tol, mistakes=None):
    """(loss, grads) against ``expected``; ``mistakes``: {key: Diagnosis list} of known wrong
    gradients (``_gradient_mistakes``)."""
    check(isinstance(answer, (tuple, list)) and len(answer) == 2 and isinstance(answer[1], dict),
          "loss(X, y) should return a tuple (loss, grads) with grads a dict")
    expected_loss, expected_grads = expected
    assert_close(answer[0], expected_loss, f"the loss {what}", rtol=tol["loss_rtol"])
    # One scale for every gradient: a gradient that is (nearly) zero everywhere, e.g. a bias
    # gradient summed over the classes of a softmax, is judged against the others' size, not its
    # own rounding noise.
    scale = max(float(np.max(np.abs(expected_grads[key]), initial=0.0)) for key in expected_grads)
    for key in expected_grads:
        check(key in answer[1], f"grads has no '{key}'")
        expected_grad = np.asarray(expected_grads[key], dtype=np.float64)
        assert_close(answer[1][key], expected_grad, f"grads['{key}'] {what}", rtol=tol["rtol"],
                     floor=max(tol["floor"] * scale, 1e-12), diagnoses=(mistakes or {}).get(key, ()))


def _disagreement(scores, answer, expected_scores, expected, what, tol, mistakes=None):
    """The TestFailure saying how the student's scores (and (loss, grads), unless ``answer`` is
    None) differ from one candidate, or None when they agree."""
    try:
        _check_scores(scores, expected_scores, what, tol)
        if answer is not None:
            _check_answer(answer, expected, what, tol, mistakes)
    except TestFailure as failure:
        return failure
    return None


def _check_against_reference(student, reference, X, y, params, reg, what, pending, net_call=None,
                             expected_answers=None, layered_loss=None):
    """The student's scores and (loss, grads) against the candidates of ``expected_answers``
    (default ``_expected_answers``, for TwoLayerNet; ``net_call`` and ``layered_loss`` likewise):
    one that both agree with passes. When the student's loss(X, y) raises inside their code and no
    candidate built on their layers can answer either (a layer returned the wrong shape), no net
    could: the scores alone are judged, and the layer pays. A verdict that rests on the student's
    layers adds (their suspect calls, the failure to raise if they answer differently alone) to
    ``pending``, which the test settles at its end (``_replay_pending``)."""
    net_call, expected_answers = net_call or _net_call, expected_answers or _expected_answers
    layered_loss = layered_loss or _layered_loss
    tol = FLOAT32 if X.dtype == np.float32 else FLOAT64
    scores = net_call(student, params, reg, [("loss", (X,))])
    try:
        answer, crashed = net_call(student, params, reg, [("loss", (X, y))]), None
    except StudentCallError as exc:
        if exc.status != "error":
            raise
        answer, crashed = None, exc
    reference_net, *with_student_layers = expected_answers(student, reference, X, params, reg)
    if crashed is not None and _layers_answer(student, reference, with_student_layers, y, pending, crashed):
        raise crashed  # a net can answer with these layers: the failure is the net's own
    expected = reference_net(y)
    mistakes = _gradient_mistakes(reference, layered_loss, X, y, params, reg, expected[1])
    first = _disagreement(scores, answer, reference_net(None), expected, what, tol, mistakes)
    if first is None:
        return
    for candidate in with_student_layers:
        with student.recording() as calls:
            try:
                expected_scores, expected = candidate(None), (candidate(y) if answer is not None else None)
            except LAYER_FAILURES:
                continue  # the student's layers give nothing usable here
        if _disagreement(scores, answer, expected_scores, expected, what, tol) is None:
            suspects = _suspect_calls(reference, calls)
            if suspects is not None:
                pending.append((suspects, first))
                return
    raise first


def _layers_answer(student, reference, candidates, y, pending, crashed):
    """Whether a candidate built on the student's layers gives (loss, grads), or fails only because
    a layer answers differently inside the net (the same inputs twice, two answers); the layer calls
    that make the others fail go to ``pending``, with ``crashed`` to raise if they answer
    differently alone."""
    for candidate in candidates:
        with student.recording() as calls:
            try:
                candidate(y)
                return True
            except LAYER_FAILURES:
                pass
        suspects = _suspect_calls(reference, calls)
        if suspects is None:
            return True
        pending.append((suspects, crashed))
    return False


# A backward layer and the forward layer whose cache it takes.
FORWARD_OF = {"affine_backward": "affine_forward", "relu_backward": "relu_forward"}


# Layer calls a test makes again alone (each costs a child start, 0.2 s on an idle machine): one
# of every layer that deviated, always, and others at random up to this many.
REPLAYS_PER_TEST = 2


def _replay_pending(student, pending):
    """Settle a test's verdicts that rest on the student's layers (``pending``: (suspect calls,
    failure)): a sample of the suspect calls is made again, each alone in a new child
    (``StudentCode.replay_alone``); one that answers differently there raises its failure."""
    calls = list({id(c): c for suspects, _ in pending for c in suspects}.values())
    if not calls:
        return
    differing = student.replay_alone(sample_calls(calls, REPLAYS_PER_TEST))
    if differing:
        raise next(failure for suspects, failure in pending if any(c is differing[0] for c in suspects))


def _suspect_calls(reference, calls):
    """The layer calls of a candidate net (``calls``, recorded) that its verdict rests on, or None
    when they prove a context by themselves (the same inputs answered two ways).

    Layers could tell a net's calls from their own tests by what ran before them in the child (the
    student's net setting a flag, a forward pass seen just before), compute nothing there, and let
    a net that computes nothing agree with "the reference net on the student's layers". A call that
    agrees with the reference layer on the same inputs computed the truth, whatever the context;
    the suspects are the others: every call that differs or failed, and the forward call that made
    the cache of a differing backward call (its cache is the student's choice). ``_replay_pending``
    makes them again alone."""
    for index, call in enumerate(calls):
        for other in calls[:index]:
            if identical_inputs(call, other) and (call.failed != other.failed
                                                  or not same_answer(call.received, other.received)):
                return None
    layers = reference.module("layers")
    suspect = []
    for index, call in enumerate(calls):
        name, (args, _) = call.name(), call.sent
        if call.failed or not hasattr(layers, name):
            suspect.append(call)
            continue
        try:
            if name in FORWARD_OF:
                maker = next((c for c in calls[:index] if c.name() == FORWARD_OF[name] and not c.failed
                              and isinstance(c.answer, (tuple, list)) and len(c.answer) == 2
                              and c.answer[1] is call.args[1]), None)
                if maker is None:
                    suspect.append(call)
                    continue
                _, cache = getattr(layers, FORWARD_OF[name])(*maker.sent[0])
                expected, got = getattr(layers, name)(args[0], cache), call.received
                if not _same_numbers(got, expected):
                    suspect += [maker, call]
            else:
                expected, got = getattr(layers, name)(*args), call.received
                # a forward layer's cache is its own choice: its output is what must be right
                if name in FORWARD_OF.values():
                    expected, got = expected[0], got[0]
                if not _same_numbers(got, expected):
                    suspect.append(call)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):
            suspect.append(call)
    unique = []
    for call in suspect:  # one of each: a call made twice with the same inputs is replayed once
        if not any(call is other or identical_inputs(call, other) for other in unique):
            unique.append(call)
    return unique


def _same_numbers(got, expected):
    """Whether a layer's answer agrees with the reference layer's (a tuple of arrays or one array)."""
    if isinstance(expected, tuple):
        return (isinstance(got, (tuple, list)) and len(got) == len(expected)
                and all(_same_numbers(g, e) for g, e in zip(got, expected)))
    expected = np.asarray(expected, dtype=np.float64)
    return close(got, expected, rtol=1e-6, floor=1e-9 * max(float(np.max(np.abs(expected), initial=0.0)), 1.0))


@graded(LOSS, points=1)
def two_layer_net_loss_matches_reference_without_reg(student, reference, rng):
    pending = []  # verdicts that rest on the student's layers, settled at the end
    for num, input_shape, hidden, classes, what in [(20, (15,), 10, 5, "flat X"), (8, (3, 2, 2), 7, 4, "image-shaped X"),
                                                    (1, (6,), 5, 3, "a single example")]:
        X, y, params = _problem(rng, num, input_shape, hidden, classes)
        _check_against_reference(student, reference, X, y, params, 0.0, f"(reg = 0, {what})", pending)
    _replay_pending(student, pending)


@graded(LOSS, points=1)
def two_layer_net_loss_matches_reference_with_reg_and_float32(student, reference, rng):
    pending = []  # verdicts that rest on the student's layers, settled at the end
    for num, input_shape, hidden, classes, reg, dtype, what in [
            (20, (15,), 10, 5, 0.5, np.float64, "with reg, flat X"),
            (8, (3, 2, 2), 7, 4, 5.0, np.float64, "with a large reg, image-shaped X"),
            (30, (3, 4, 4), 20, 10, 0.1, np.float32, "with reg, float32")]:
        X, y, params = _problem(rng, num, input_shape, hidden, classes, dtype)
        _check_against_reference(student, reference, X, y, params, reg, f"({what})", pending)
    _replay_pending(student, pending)


# -- training ------------------------------------------------------------------------------------

def _xor(rng, num):
    """num points in [-1, 1]^2, at least 0.1 from both axes, labelled 1 when the signs differ."""
    X = rng.uniform(-1.0, 1.0, (3 * num, 2))
    X = X[np.all(np.abs(X) > 0.1, axis=1)][:num]
    return X, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(np.int64)


def _train_with_adam(student, net_call, params, X, y, reg, lr=0.05, steps=60):
    """Full-batch Adam done here, with only the gradients from the student's net; the trained
    params."""
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(w) for k, w in params.items()}
    for t in range(1, steps + 1):
        answer = net_call(student, params, reg, [("loss", (X, y))])
        check(isinstance(answer, (tuple, list)) and len(answer) == 2 and isinstance(answer[1], dict)
              and all(k in answer[1] for k in params), "loss(X, y) should return (loss, grads)")
        for k in params:
            g = as_array(answer[1][k], f"grads['{k}']", shape=params[k].shape).astype(np.float64)
            check(np.all(np.isfinite(g)), f"grads['{k}'] contains nan or inf during training")
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            params[k] = params[k] - lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
    return params


@graded(LOSS, points=1, uses=LAYERS)
def two_layer_net_learns_xor_with_its_gradients(student, reference, rng):
    X, y = _xor(rng, 200)
    X_test, y_test = _xor(rng, 200)
    dim, hidden, classes, reg = 2, 20, 2, 1e-3
    params = {"W1": rng.standard_normal((dim, hidden)), "b1": np.zeros(hidden),
              "W2": 0.1 * rng.standard_normal((hidden, classes)), "b2": np.zeros(classes)}
    params = _train_with_adam(student, _net_call, params, X, y, reg)
    ref = reference.module(MODULE).TwoLayerNet(dim, hidden, classes)
    ref.params = params
    accuracy = float(np.mean(np.argmax(ref.loss(X_test), axis=1) == y_test))
    check(accuracy >= 0.9,
          "a two-layer net trained with the gradients of your loss classifies too few XOR-labelled "
          "points right; correct gradients reach at least 90% (a linear classifier cannot: check "
          "the ReLU in the backward pass and the signs of the gradients)", f"{accuracy:.0%} right")


# -- FullyConnectedNet ---------------------------------------------------------------------------

DEEP_NOTEBOOK = "FullyConnectedNets.ipynb"
DEEP_NET = MODULE + ".FullyConnectedNet"


def _deep_keys(num_layers):
    return [f"{kind}{i}" for i in range(1, num_layers + 1) for kind in ("W", "b")]


def _deep_new_params(student, init, num_layers):
    params = student.call_method(DEEP_NET, [("__getattribute__", ("params",))], init=init)
    keys = _deep_keys(num_layers)
    check(isinstance(params, dict) and sorted(params) == sorted(keys),
          "FullyConnectedNet should have exactly the parameters W1, b1, ..., WL, bL of its layers (one "
          "affine layer per hidden size, then the output layer)", f"expected {', '.join(keys)}",
          diagnosis="wrong_number_of_layers")
    return {k: as_array(params[k], f"params['{k}']") for k in keys}


@graded(DEEP_NET + ".__init__", points=1, notebook=DEEP_NOTEBOOK)
def fully_connected_net_init_defaults_depths_and_gaussian_weights(student):
    # (constructor arguments, layer sizes, weight_scale, what).
    cases = [(([100],), [3072, 100, 10], 1e-2, "FullyConnectedNet with one hidden layer and the defaults"),
             (([],), [3072, 10], 1e-2, "FullyConnectedNet([]) (a single affine layer)"),
             (([60, 50, 40, 40], 70, 30, 0.0, 0.1), [70, 60, 50, 40, 40, 30], 0.1,
              "a deeper FullyConnectedNet with all its arguments given")]
    for init, sizes, scale, what in cases:
        params = _deep_new_params(student, init, len(sizes) - 1)
        for i in range(1, len(sizes)):
            for key, shape in ((f"W{i}", (sizes[i - 1], sizes[i])), (f"b{i}", (sizes[i],))):
                check(params[key].shape == shape, f"{what}: params['{key}'] does not have the shape its "
                      f"arguments ask for", f"got {params[key].shape}, expected {shape}")
                check(params[key].dtype == np.float64, f"{what}: params['{key}'] should have the default "
                      f"dtype", f"got {params[key].dtype}, expected float64", diagnosis="dtype_ignored")
            check(np.all(params[f"b{i}"] == 0), f"{what}: params['b{i}'] should start as zeros")
            w = params[f"W{i}"]
            # 6 standard errors of a Gaussian sample's standard deviation, and never below 5%.
            std_tol = max(0.05, 6.0 / np.sqrt(2.0 * w.size))
            check(abs(float(np.std(w)) / scale - 1.0) < std_tol,
                  f"{what}: the standard deviation of params['W{i}'] is off (expected weight_scale)")
            check(abs(float(np.mean(w))) < 6 * scale / np.sqrt(w.size),
                  f"{what}: the entries of params['W{i}'] should have mean 0")
        # A Gaussian puts 0.683 of its entries within one standard deviation of 0, uniform noise of
        # the same spread 0.577; the bound is 6 standard errors of that fraction (at least 0.03).
        inside = float(np.mean(np.abs(params["W1"]) < scale))
        check(abs(inside - 0.6827) < max(0.03, 6 * 0.4654 / np.sqrt(params["W1"].size)),
              f"{what}: the entries of params['W1'] do not look Gaussian (use randn)",
              diagnosis="weights_not_gaussian")


def _deep_sizes(params):
    """[D, hidden sizes..., C] of a FullyConnectedNet's params."""
    num_layers = len(params) // 2
    return [params["W1"].shape[0]] + [params[f"W{i}"].shape[1] for i in range(1, num_layers + 1)]


def _deep_net_call(student, params, reg, steps):
    sizes = _deep_sizes(params)
    init = (sizes[1:-1], sizes[0], sizes[-1], reg, 1e-2, str(params["W1"].dtype))
    return _build_and_call(student, DEEP_NET, init, params, steps)


def _deep_problem(rng, num, input_shape, hidden_dims, classes, dtype=np.float64, margin=1e-3):
    """X (num, *input_shape), y, params of a net with ``hidden_dims``; every hidden pre-activation
    at least margin * its layer's scale away from 0, and every hidden unit on for some example."""
    sizes = [int(np.prod(input_shape))] + list(hidden_dims) + [classes]
    for _ in range(1000):
        X = rng.standard_normal((num,) + input_shape)
        params, hidden, ok = {}, X.reshape(num, -1), True
        for i in range(1, len(sizes)):
            params[f"W{i}"] = rng.standard_normal((sizes[i - 1], sizes[i])) * 1.5 / np.sqrt(sizes[i - 1])
            params[f"b{i}"] = 0.1 * rng.standard_normal(sizes[i])
            if i < len(sizes) - 1:
                pre = hidden @ params[f"W{i}"] + params[f"b{i}"]
                ok = ok and np.min(np.abs(pre)) > margin * np.max(np.abs(pre)) and np.all(np.any(pre > 0, axis=0))
                hidden = np.maximum(pre, 0)
        if ok:
            X, params = X.astype(dtype), {k: v.astype(dtype) for k, v in params.items()}
            return X, rng.integers(0, classes, num), params
    raise RuntimeError("could not draw a net away from the ReLU's kinks")


def _deep_layered_loss(layer, params, X, y, reg):
    """The deep net's loss from layers alone, as ``_layered_loss`` for two layers."""
    num_layers = len(params) // 2
    hidden, caches = X, []
    for i in range(1, num_layers):
        pre, affine = layer("affine_forward", hidden, params[f"W{i}"], params[f"b{i}"])
        hidden, relu = layer("relu_forward", pre)
        caches.append((affine, relu))
    scores, last = layer("affine_forward", hidden, params[f"W{num_layers}"], params[f"b{num_layers}"])
    if y is None:
        return scores
    data_loss, dout = layer("softmax_loss", scores, y)
    grads = {}
    dout, grads[f"W{num_layers}"], grads[f"b{num_layers}"] = layer("affine_backward", dout, last)
    for i in range(num_layers - 1, 0, -1):
        affine, relu = caches[i - 1]
        dout, grads[f"W{i}"], grads[f"b{i}"] = layer("affine_backward", layer("relu_backward", dout, relu), affine)
    weights = [params[f"W{i}"] for i in range(1, num_layers + 1)]
    for i, W in enumerate(weights, start=1):
        grads[f"W{i}"] = grads[f"W{i}"] + reg * W
    return data_loss + 0.5 * reg * sum(float(np.sum(W * W)) for W in weights), grads


def _reference_deep_net(reference, params, reg):
    sizes = _deep_sizes(params)
    return reference.module(MODULE).FullyConnectedNet(sizes[1:-1], sizes[0], sizes[-1], reg=reg)


def _deep_expected_answers(student, reference, X, params, reg):
    return _expected_answers(student, reference, X, params, reg, _reference_deep_net, _deep_layered_loss)


def _deep_check(student, reference, X, y, params, reg, what, pending):
    _check_against_reference(student, reference, X, y, params, reg, what, pending, _deep_net_call, _deep_expected_answers,
                             _deep_layered_loss)


@graded(DEEP_NET + ".loss", points=1, notebook=DEEP_NOTEBOOK)
def fully_connected_net_loss_matches_reference_at_several_depths(student, reference, rng):
    pending = []  # verdicts that rest on the student's layers, settled at the end
    for num, input_shape, hidden_dims, classes, what in [
            (12, (9,), [], 4, "no hidden layer"), (20, (15,), [10, 8], 5, "a deeper net"),
            (8, (3, 2, 2), [7, 6, 5, 4], 4, "the deepest net, image-shaped X"),
            (1, (6,), [5, 5], 3, "a single example")]:
        X, y, params = _deep_problem(rng, num, input_shape, hidden_dims, classes)
        _deep_check(student, reference, X, y, params, 0.0, f"(reg = 0, {what})", pending)
    _replay_pending(student, pending)


@graded(DEEP_NET + ".loss", points=1, notebook=DEEP_NOTEBOOK)
def fully_connected_net_loss_matches_reference_with_reg_and_float32(student, reference, rng):
    pending = []  # verdicts that rest on the student's layers, settled at the end
    for num, input_shape, hidden_dims, classes, reg, dtype, what in [
            (20, (15,), [10, 8], 5, 0.5, np.float64, "with reg"),
            (8, (3, 2, 2), [7, 6, 5, 4], 4, 3.0, np.float64, "with a large reg, the deepest net"),
            (30, (3, 4, 4), [20, 15], 10, 0.1, np.float32, "with reg, float32, image-shaped X"),
            (16, (12,), [9, 8, 7, 6], 5, 0.05, np.float32, "with reg, float32, the deepest net")]:
        X, y, params = _deep_problem(rng, num, input_shape, hidden_dims, classes, dtype)
        _deep_check(student, reference, X, y, params, reg, f"({what})", pending)
    _replay_pending(student, pending)


def _three_modes(rng, num):
    """num points in the plane from six blobs around a circle of radius 2, the classes alternating
    (each class has three modes, which no line separates)."""
    mode = rng.integers(0, 6, num)
    centres = 2.0 * np.stack([np.cos(mode * np.pi / 3), np.sin(mode * np.pi / 3)], axis=1)
    return centres + 0.35 * rng.standard_normal((num, 2)), (mode % 2).astype(np.int64)


@graded(DEEP_NET + ".loss", points=1, uses=LAYERS, notebook=DEEP_NOTEBOOK)
def fully_connected_net_learns_three_modes_with_its_gradients(student, reference, rng):
    X, y = _three_modes(rng, 300)
    X_test, y_test = _three_modes(rng, 300)
    sizes = [2, 16, 16, 2]
    params = {}
    for i in range(1, len(sizes)):
        params[f"W{i}"] = rng.standard_normal((sizes[i - 1], sizes[i])) * np.sqrt(2.0 / sizes[i - 1])
        params[f"b{i}"] = np.zeros(sizes[i])
    params = _train_with_adam(student, _deep_net_call, params, X, y, 1e-4, steps=60)
    ref = reference.module(MODULE).FullyConnectedNet(sizes[1:-1], 2, 2)
    ref.params = params
    accuracy = float(np.mean(np.argmax(ref.loss(X_test), axis=1) == y_test))
    check(accuracy >= 0.9,
          "a three-layer net trained with the gradients of your loss classifies too few points of "
          "six alternating blobs right; correct gradients reach at least 90% (no line separates the "
          "classes: check the ReLUs in the backward pass and the order of the layers)", f"{accuracy:.0%} right")
