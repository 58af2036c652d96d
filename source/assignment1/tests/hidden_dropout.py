"""Hidden tests for Dropout.ipynb: dropout_forward and dropout_backward (layers.py), and
FullyConnectedNet with normalization and dropout (classifiers/fc_net.py; the network's part of
BatchNormalization.ipynb is graded here too).

Never released.

Dropout's masks are random, and every correct way to draw them (random.rand(...) < p,
random.binomial(1, p, ...), random.random_sample...) gives other masks: the forward pass is judged
on what holds for all of them, not against the reference's masks.
- dropout_forward in training: inputs of shapes (80, 125), (20, 25, 20) and float32 (100, 100)
  with p = 0.1, 0.5, 0.7, 0.95 and 1: out has the shape of x, every output is 0 or its input
  divided by p (relative error 1e-6 in float64, 1e-5 in float32), the share of kept entries is
  within 6 standard errors of p (a correct draw misses with probability 2e-9; p taken as the
  probability of dropping misses by 16 or more), the rows do not all share one mask (nor the
  columns), and the cache's mask is the factor of every entry (out = x * mask). At test time out
  is x. Without a seed two calls draw two masks; with one, the same seed gives the same mask
  and another seed another.
- dropout_backward on caches built here, of the documented form (dropout_param, mask) with
  mask 0 or 1 / p: dx against the reference (dout * mask; at test time dout), so a bug in the
  forward pass costs the backward pass nothing.

FullyConnectedNet, with the tolerances of hidden_fc_net.py (float64: the loss 1e-6 relative, the
gradients and scores 1e-6 with a floor of 1e-3 of the largest entry; float32: 1e-4, 1e-3 and 1e-2;
the reference in float32 stays below 1e-7 for the loss and 3e-5 for gradients and scores over 20
seeds of the float32 case, with batch and with layer normalization):
- the parameters and state: gammai (ones) and betai (zeros) of every hidden layer's size and of
  the net's dtype, nothing more (and none without normalization or without hidden layers), one
  bn_param per hidden layer, dropout_param with the keep ratio.
- loss against the reference: batch and layer normalization at depths 2 and 4, with and without
  reg, float32, (N, d1, d2, d3) inputs, in training (loss and every gradient) and at test time (the
  scores with running averages given here). As in hidden_fc_net.py the candidates are the
  reference net, and the reference net run with the student's own layers (a bug in a layer is
  charged to the layer alone). Weights are drawn with standard deviation 1 / sqrt(fan-in), gamma
  around 1 and beta around 0, and every ReLU input of the nets without dropout stays at least
  1e-3 of its scale from 0.
- the running averages a training call leaves in bn_params (against the reference net's), and the
  ones a test-time call must leave alone.
- dropout: the same with dropout_param given a seed (every call draws the same masks), alone and
  after batch normalization; here the candidate with the student's own layers is the one whose
  masks are the student's. At test time the scores equal the reference's without dropout.
"""
import numpy as np

from autograder.testing import (Diagnosis, StudentCallError, TestFailure, array_kind, as_array, assert_close, check,
                                 graded)

NOTEBOOK = "Dropout.ipynb"
MODULE = "classifiers.fc_net"
DROPOUT_FORWARD = "layers.dropout_forward"
DROPOUT_BACKWARD = "layers.dropout_backward"
NET = MODULE + ".FullyConnectedNet"
NET_LOSS = NET + ".loss"
LAYERS = ("layers.affine_forward", "layers.affine_backward", "layers.relu_forward", "layers.relu_backward",
          "layers.softmax_loss", "layers.batchnorm_forward", "layers.batchnorm_backward",
          "layers.layernorm_forward", "layers.layernorm_backward", DROPOUT_FORWARD, DROPOUT_BACKWARD)
NET_USES = LAYERS + (NET_LOSS,)

FLOAT64 = {"rtol": 1e-6, "floor": 1e-3, "loss_rtol": 1e-6}
FLOAT32 = {"rtol": 1e-3, "floor": 1e-2, "loss_rtol": 1e-4}


def _tol(dtype):
    return FLOAT32 if np.dtype(dtype) == np.float32 else FLOAT64


# -- dropout_forward ------------------------------------------------------------------------------

def _dropout(student, x, param):
    answer = student.call(DROPOUT_FORWARD, x, param)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2,
          f"dropout_forward should return a tuple (out, cache); got {type(answer).__name__}")
    check(np.shape(answer[0]) == x.shape, "dropout_forward should return out of the same shape as x",
          f"got {np.shape(answer[0])}")
    return as_array(answer[0], "out returned by dropout_forward").astype(np.float64), answer[1]


def _distinct(rng, shape, dtype):
    """Non-zero inputs, at least 0.01 from 0."""
    x = rng.standard_normal(shape)
    x[np.abs(x) < 0.01] = 0.5
    return x.astype(dtype)


DROPOUT_CASES = [((80, 125), np.float64), ((20, 25, 20), np.float64), ((100, 100), np.float32)]


@graded(DROPOUT_FORWARD, points=1)
def dropout_forward_keeps_each_entry_with_probability_p_divided_by_p(student, rng):
    for shape, dtype in DROPOUT_CASES:
        for p in (0.1, 0.5, 0.7, 0.95, 1.0):
            x = _distinct(rng, shape, dtype)
            out, cache = _dropout(student, x, {"p": p, "mode": "train"})
            what = f"with a keep ratio p on x, {array_kind(shape)} ({np.dtype(dtype).name})"
            x64 = x.astype(np.float64)
            kept = out != 0
            rtol = 1e-5 if dtype == np.float32 else 1e-6
            if not np.allclose(out[kept], x64[kept] / p, rtol=rtol, atol=0):
                check(p == 1 or not np.allclose(out[kept], x64[kept], rtol=rtol), f"{what}: the kept entries are "
                      f"unchanged: inverted dropout divides them by p", diagnosis="dropout_not_inverted")
                check(p == 1 or not np.allclose(out[kept], x64[kept] / (1 - p), rtol=rtol), f"{what}: the kept "
                      f"entries are divided by 1 - p: p is the probability of keeping, divide by p",
                      diagnosis="divided_by_drop_probability")
                raise TestFailure(f"{what}: every output should be 0 or its input divided by p")
            if p < 1:  # a correct draw gives two equal rows (or columns) with probability below 1e-4
                rows = kept.reshape(shape[0], -1)
                check(not all(np.array_equal(rows[0], row) for row in rows[1:]), f"{what}: every example "
                      f"dropped the same entries: draw the mask for all of x, one draw per entry",
                      diagnosis="mask_shared_across_examples")
                columns = rows.T
                check(not all(np.array_equal(columns[0], c) for c in columns[1:]), f"{what}: each example kept "
                      f"all its entries or none: draw the mask for all of x, one draw per entry",
                      diagnosis="mask_shared_across_features")
            share, error = float(np.mean(kept)), np.sqrt(p * (1 - p) / x.size)
            if abs(share - p) > 6 * error + 1e-12:
                check(abs(share - (1 - p)) > 6 * error, f"{what}: a share 1 - p of the entries was kept: p is the "
                      f"probability of KEEPING each entry", diagnosis="p_taken_as_drop_probability")
                raise TestFailure(f"{what}: each entry should be kept with probability p",
                                  f"kept {share:.4f} of {x.size}")
            check(isinstance(cache, (tuple, list)) and len(cache) == 2,
                  "the cache of dropout_forward should be (dropout_param, mask)", diagnosis="cache_not_documented")
            mask = as_array(cache[1], "the cache's mask of dropout_forward")
            check(mask.shape == x.shape and np.allclose(mask * x64, out, rtol=rtol, atol=0),
                  f"{what}: the cache's mask should be the factor of every entry, out = x * mask (0 or 1 / p)",
                  diagnosis="cache_not_documented")


@graded(DROPOUT_FORWARD, points=0.5)
def dropout_forward_test_mode_is_the_identity(student, rng):
    for shape, dtype in DROPOUT_CASES:
        for p in (0.2, 0.6):
            x = _distinct(rng, shape, dtype)
            out, _ = _dropout(student, x, {"p": p, "mode": "test"})
            x64 = x.astype(np.float64)
            if not np.array_equal(out, x64):
                check(not np.allclose(out, p * x64), "at test time out is p * x: with inverted dropout "
                      "the test-time layer is the identity", diagnosis="test_mode_scaled")
                check(not np.allclose(out, x64 / p), "at test time out is x / p: the division by p "
                      "belongs to training", diagnosis="test_mode_scaled")
                check(np.all(out != 0), "at test time some entries were dropped: dropout is off at "
                      "test time", diagnosis="dropout_in_test_mode")
                raise TestFailure("at test time dropout_forward should return x unchanged")


@graded(DROPOUT_FORWARD, points=0.5)
def dropout_forward_fresh_masks_and_reproducible_seeds(student, rng):
    x = _distinct(rng, (40, 30), np.float64)
    for p in (0.3, 0.8):
        one, _ = _dropout(student, x, {"p": p, "mode": "train"})
        two, _ = _dropout(student, x, {"p": p, "mode": "train"})
        check(not np.array_equal(one, two), "two calls without a seed dropped the same entries: draw "
              "a new mask at every call", diagnosis="mask_reused")
        for seed in (0, 12345):
            first, _ = _dropout(student, x, {"p": p, "mode": "train", "seed": seed})
            again, _ = _dropout(student, x, {"p": p, "mode": "train", "seed": seed})
            check(np.array_equal(first, again), "two calls with the same seed gave two masks: with a "
                  "seed, draw from `random`, the generator made from it", diagnosis="seed_ignored")
        other, _ = _dropout(student, x, {"p": p, "mode": "train", "seed": 1})
        check(not np.array_equal(first, other), "two different seeds gave the same mask: the mask "
              "should depend on the seed", diagnosis="seed_ignored")


# -- dropout_backward -----------------------------------------------------------------------------

@graded(DROPOUT_BACKWARD, points=1)
def dropout_backward_matches_reference_on_given_masks(student, reference, rng):
    ref = reference.module("layers").dropout_backward
    for shape, dtype in DROPOUT_CASES:
        for p in (0.25, 0.8):
            mask = ((rng.random(shape) < p) / p).astype(dtype)
            dout = rng.standard_normal(shape).astype(dtype)
            cache = ({"p": p, "mode": "train"}, mask)
            expected = ref(dout.astype(np.float64), (cache[0], mask.astype(np.float64)))
            dx = student.call(DROPOUT_BACKWARD, dout, cache)
            d64 = dout.astype(np.float64)
            assert_close(dx, expected, f"dx of dropout_backward in training (dout: {array_kind(shape)}, "
                         f"{np.dtype(dtype).name})", rtol=_tol(dtype)["rtol"], floor=1e-6, diagnoses=[
                             Diagnosis("mask_missing_in_backward", "dx is dout: in training the gradient flows only "
                                       "through the kept entries, times their factor (the cache's mask)", d64),
                             Diagnosis("mask_divided_by_p_twice", "dx is divided by p once too often: the cache's "
                                       "mask already holds 1 / p for the kept entries", d64 * mask / p),
                             Diagnosis("backward_without_1_over_p", "dx misses the factor 1 / p of the kept entries: "
                                       "multiply dout by the mask itself", d64 * (mask != 0))])
        dout = rng.standard_normal(shape).astype(dtype)
        dx = student.call(DROPOUT_BACKWARD, dout, ({"p": 0.4, "mode": "test"}, None))
        assert_close(dx, dout.astype(np.float64), f"dx of dropout_backward at test time (dout: {array_kind(shape)})",
                     rtol=1e-6, floor=1e-6)


# -- FullyConnectedNet with normalization and dropout ----------------------------------------------

def _net(student, init, steps):
    try:
        return student.call_method(NET, steps, init=init)
    except StudentCallError as exc:
        if exc.status == "not_implemented":
            raise StudentCallError("not_implemented", "FullyConnectedNet with normalization or dropout is not "
                                   "written yet (its gamma and beta in __init__, or its loss)") from None
        raise


def _init(sizes, reg=0.0, normalization=None, keep=1.0, dtype="float64"):
    return (list(sizes[1:-1]), sizes[0], sizes[-1], reg, 1e-2, dtype, None, normalization, keep)


@graded(NET, points=1)
def net_with_normalization_and_dropout_has_its_parameters_and_state(student):
    cases = [([30, 20, 15, 10], "batchnorm", 1.0, "float64"), ([12, 9, 7], "layernorm", 0.5, "float32"),
             ([12, 7], "batchnorm", 0.8, "float64"), ([12, 7], None, 0.3, "float64"), ([12, 7], None, 1.0, "float32")]
    for sizes, normalization, keep, dtype in cases:
        what = (f"FullyConnectedNet with {'several hidden layers' if len(sizes) > 3 else 'one hidden layer'}, "
                f"normalization={normalization!r}, {'with' if keep < 1 else 'without'} dropout, dtype={dtype!r}")
        params, bn_params, dropout_param = (
            _net(student, _init(sizes, 0.0, normalization, keep, dtype), [("__getattribute__", (name,))])
            for name in ("params", "bn_params", "dropout_param"))
        hidden = sizes[1:-1]
        keys = [f"{k}{i}" for i in range(1, len(sizes)) for k in "Wb"]
        if normalization:
            keys += [f"{k}{i}" for i in range(1, len(hidden) + 1) for k in ("gamma", "beta")]
        check(isinstance(params, dict) and sorted(params) == sorted(keys), f"{what} should have exactly the "
              f"parameters {', '.join(sorted(keys))}", diagnosis="normalization_parameters_wrong")
        for i, size in enumerate(hidden if normalization else [], start=1):
            for key, value in ((f"gamma{i}", 1.0), (f"beta{i}", 0.0)):
                got = as_array(params[key], f"params['{key}']")
                check(got.shape == (size,), f"{what}: params['{key}'] should have one entry per unit of its layer", f"got {got.shape}")
                check(got.dtype == np.dtype(dtype), f"{what}: params['{key}'] should be {dtype}", diagnosis="dtype_ignored")
                check(np.all(got == value), f"{what}: params['{key}'] should start as {'ones' if value else 'zeros'}",
                      diagnosis="gamma_beta_initial_values")
        check(isinstance(bn_params, list) and len(bn_params) == (len(hidden) if normalization else 0),
              f"{what}: bn_params should hold one dict per hidden layer with normalization, none without")
        check(isinstance(dropout_param, dict) and (dropout_param.get("p") == keep if keep < 1 else not dropout_param),
              f"{what}: dropout_param should hold the keep ratio p (and be empty without dropout)")
    for normalization in ("batchnorm", "layernorm"):
        params = _net(student, _init([8, 5], normalization=normalization), [("__getattribute__", ("params",))])
        check(sorted(params) == ["W1", "b1"], f"FullyConnectedNet([], normalization={normalization!r}) has no hidden "
              f"layer and so no gamma or beta", diagnosis="normalization_parameters_wrong")


def _draw(rng, num, input_shape, sizes, normalization, dtype, check_kinks=True, margin=1e-3):
    """X, y, params and running averages (one dict per hidden layer, batchnorm's test-time state)."""
    dims = [int(np.prod(input_shape))] + list(sizes[1:])
    for _ in range(1000):
        X = rng.standard_normal((num,) + tuple(input_shape))
        params, running, hidden, ok = {}, [], X.reshape(num, -1), True
        for i in range(1, len(dims)):
            params[f"W{i}"] = rng.standard_normal((dims[i - 1], dims[i])) / np.sqrt(dims[i - 1])
            params[f"b{i}"] = 0.1 * rng.standard_normal(dims[i])
            if i == len(dims) - 1:
                break
            pre = hidden @ params[f"W{i}"] + params[f"b{i}"]
            if normalization:
                gamma, beta = 1.0 + 0.3 * rng.standard_normal(dims[i]), 0.3 * rng.standard_normal(dims[i])
                params[f"gamma{i}"], params[f"beta{i}"] = gamma, beta
                axis = 0 if normalization == "batchnorm" else 1
                pre = gamma * (pre - pre.mean(axis=axis, keepdims=True)) / np.sqrt(pre.var(axis=axis, keepdims=True)
                                                                                   + 1e-5) + beta
                running.append({"running_mean": 0.3 * rng.standard_normal(dims[i]),
                                "running_var": rng.uniform(0.5, 2.0, dims[i])})
            ok = ok and (not check_kinks or np.min(np.abs(pre)) > margin * np.max(np.abs(pre)))
            hidden = np.maximum(pre, 0)
        if ok:
            cast = {k: v.astype(dtype) for k, v in params.items()}
            return X.astype(dtype), rng.integers(0, dims[-1], num), cast, running
    raise RuntimeError("could not draw a net away from the ReLU's kinks")


def _reference_net(reference, sizes, reg, normalization, keep, params, bn_params=None, dropout_param=None):
    net = reference.module(MODULE).FullyConnectedNet(list(sizes[1:-1]), sizes[0], sizes[-1], reg=reg,
                                                     normalization=normalization, dropout_keep_ratio=keep)
    net.params = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    if bn_params is not None:
        net.bn_params = [{k: (np.array(v, dtype=np.float64) if isinstance(v, np.ndarray) else v)
                          for k, v in p.items()} for p in bn_params]
    if dropout_param:
        net.dropout_param = dict(dropout_param)
    return net


def _student_steps(params, bn_params, dropout_param, call):
    steps = [("__setattr__", ("params", params))]
    if bn_params is not None:
        steps.append(("__setattr__", ("bn_params", [dict(p) for p in bn_params])))
    if dropout_param:
        steps.append(("__setattr__", ("dropout_param", dict(dropout_param))))
    return steps + [call]


def _layered_scores(reference, params, X, normalization, order="norm_relu", running=None):
    """Scores from the reference layers, for known mistakes: ``order`` "relu_norm" puts the
    normalization after the ReLU; ``running`` None normalizes with the batch's statistics."""
    layers = reference.module("layers")
    num_layers = sum(k.startswith("W") for k in params)
    hidden = X.reshape(X.shape[0], -1).astype(np.float64)
    for i in range(1, num_layers):
        pre, _ = layers.affine_forward(hidden, params[f"W{i}"], params[f"b{i}"])
        if order == "relu_norm":
            pre, _ = layers.relu_forward(pre)
        if normalization == "batchnorm":
            param = {"mode": "train"} if running is None else dict(running[i - 1], mode="test")
            pre, _ = layers.batchnorm_forward(pre, params[f"gamma{i}"], params[f"beta{i}"], param)
        elif normalization == "layernorm":
            pre, _ = layers.layernorm_forward(pre, params[f"gamma{i}"], params[f"beta{i}"], {})
        hidden = pre if order == "relu_norm" else layers.relu_forward(pre)[0]
    return layers.affine_forward(hidden, params[f"W{num_layers}"], params[f"b{num_layers}"])[0]


def _disagreement(answer, expected, what, tol, loss_mistakes=()):
    """None when the (loss, grads) ``answer`` agrees with ``expected``, else the TestFailure."""
    try:
        check(isinstance(answer, (tuple, list)) and len(answer) == 2 and isinstance(answer[1], dict),
              "loss(X, y) should return a tuple (loss, grads) with grads a dict")
        expected_loss, expected_grads = expected
        assert_close(answer[0], expected_loss, f"the loss {what}", rtol=tol["loss_rtol"], diagnoses=loss_mistakes)
        missing = [k for k in expected_grads if k not in answer[1]]
        check(not missing, f"grads has no {', '.join(missing)} {what}", diagnosis="gradient_missing")
        scale = max(float(np.max(np.abs(g))) for g in expected_grads.values())
        for key in sorted(expected_grads):
            assert_close(answer[1][key], np.asarray(expected_grads[key], dtype=np.float64), f"grads['{key}'] {what}",
                         rtol=tol["rtol"], floor=max(tol["floor"] * scale, 1e-12))
    except TestFailure as failure:
        return failure
    return None


def _scores_disagreement(scores, expected, what, tol, mistakes=()):
    try:
        check(not isinstance(scores, (tuple, list)), "loss(X) without labels should return the scores")
        expected = np.asarray(expected, dtype=np.float64)
        assert_close(scores, expected, f"the scores of loss(X) {what}", rtol=tol["rtol"],
                     floor=max(tol["floor"] * float(np.max(np.abs(expected))), 1e-12), diagnoses=mistakes)
    except TestFailure as failure:
        return failure
    return None


# What a layer that answers in the wrong form makes a net that uses it raise.
LAYER_FAILURES = (StudentCallError, TestFailure, TypeError, ValueError, IndexError, KeyError)


def _judge(student, reference, run_student, run_reference, compare):
    """``compare(answer, expected)`` against the reference, then against the reference run with the
    student's own layers; raises the first disagreement when no candidate agrees."""
    answer = run_student()
    first = compare(answer, run_reference())
    if first is None:
        return
    try:
        with reference.using_student(student, LAYERS):
            expected = run_reference()
    except LAYER_FAILURES:
        raise first from None
    if compare(answer, expected, quiet=True) is not None:
        raise first


def _check_net(student, reference, sizes, input_shape, reg, normalization, keep, dtype, rng, num=10):
    X, y, params, running = _draw(rng, num, input_shape, sizes, normalization, dtype, check_kinks=keep == 1.0)
    dropout_param = {"mode": "train", "p": keep, "seed": int(rng.integers(1000))} if keep < 1 else None
    init = _init([int(np.prod(input_shape))] + list(sizes[1:]), reg, normalization, keep, np.dtype(dtype).name)
    ref_sizes = [int(np.prod(input_shape))] + list(sizes[1:])
    tol = _tol(dtype)
    # Names the kind of net only: a hidden test quotes none of its sizes or hyper-parameters.
    what = (f"(a net with {normalization or 'no normalization'}, {'with' if keep < 1 else 'without'} dropout, "
            f"{'with' if reg else 'without'} a penalty, {np.dtype(dtype).name} inputs)")
    params64 = {k: v.astype(np.float64) for k, v in params.items()}
    X64 = X.astype(np.float64)
    def penalty(first_letters):
        return 0.5 * reg * sum(float(np.sum(v ** 2)) for k, v in params64.items() if k[0] in first_letters)

    def train_compare(answer, expected, quiet=False):
        if quiet:
            return _disagreement(answer, expected, f"in training {what}", tol)
        advice = "the penalty counts gamma (or beta) too: regularize the weights W1, ..., WL only"
        mistakes = [Diagnosis("penalty_on_gamma_beta", advice, expected[0] + penalty("gb")),
                    Diagnosis("penalty_on_gamma_beta", advice, expected[0] + penalty("g"))]
        if normalization and keep == 1.0:
            softmax_loss = reference.module("layers").softmax_loss
            wrong_order = _layered_scores(reference, params64, X64, normalization, order="relu_norm")
            mistakes.append(Diagnosis("normalization_after_relu", "each hidden layer normalizes the affine "
                                      "layer's output BEFORE the ReLU: affine - norm - relu",
                                      softmax_loss(wrong_order, y)[0] + penalty("W")))
            if normalization == "layernorm":
                as_batch = _layered_scores(reference, params64, X64, "batchnorm")
                mistakes.append(Diagnosis("layernorm_computed_as_batchnorm", "with normalization='layernorm' the "
                                          "net ran batch normalization: call layernorm_forward (and "
                                          "layernorm_backward) there", softmax_loss(as_batch, y)[0] + penalty("W")))
        return _disagreement(answer, expected, f"in training {what}", tol, mistakes)

    _judge(student, reference,
           lambda: _net(student, init, _student_steps(params, None, dropout_param, ("loss", (X, y)))),
           lambda: _reference_net(reference, ref_sizes, reg, normalization, keep, params64, None,
                                  dropout_param).loss(X64, y),
           train_compare)

    bn_params = [dict(r, mode="test") for r in running] if normalization else None

    def test_compare(scores, expected, quiet=False):
        mistakes = []
        if not quiet and normalization == "batchnorm":
            mistakes.append(Diagnosis("net_test_mode_uses_batch_statistics", "loss(X) normalized with the batch's "
                                      "own statistics: without labels the net runs in test mode, with the running "
                                      "averages in bn_params", _layered_scores(reference, params64, X64, normalization)))
        return _scores_disagreement(scores, expected, f"at test time {what}", tol, mistakes)

    _judge(student, reference,
           lambda: _net(student, init, _student_steps(params, bn_params, dropout_param, ("loss", (X,)))),
           lambda: _reference_net(reference, ref_sizes, reg, normalization, keep, params64, bn_params,
                                  dropout_param).loss(X64),
           test_compare)


@graded(NET, points=1, uses=NET_USES)
def net_with_normalization_matches_reference_in_training_and_at_test_time(student, reference, rng):
    for sizes, input_shape, reg, normalization, dtype in [
            ([None, 7, 6], (5,), 0.0, "batchnorm", np.float64), ([None, 9, 8, 7, 6], (3, 2, 2), 0.3, "batchnorm", np.float64),
            ([None, 7, 6], (5,), 0.2, "layernorm", np.float64), ([None, 9, 8, 7, 6], (12,), 0.0, "layernorm", np.float64),
            ([None, 20, 15, 10], (3, 4, 4), 0.1, "batchnorm", np.float32)]:
        _check_net(student, reference, sizes, input_shape, reg, normalization, 1.0, dtype, rng)


@graded(NET, points=1, uses=NET_USES)
def net_with_dropout_matches_reference_with_your_masks(student, reference, rng):
    for sizes, input_shape, reg, normalization, keep in [
            ([None, 7, 6], (5,), 0.0, None, 0.5), ([None, 9, 8, 6], (3, 2, 2), 0.2, None, 0.75),
            ([None, 9, 8, 6], (12,), 0.1, "batchnorm", 0.6), ([None, 8, 5], (6,), 0.0, "layernorm", 0.9)]:
        _check_net(student, reference, sizes, input_shape, reg, normalization, keep, np.float64, rng)


@graded(NET, points=1, uses=NET_USES)
def net_running_averages_follow_training_and_not_testing(student, reference, rng):
    for sizes, keep in (([6, 9, 8, 5], 1.0), ([6, 9, 9, 5], 0.7)):
        X, y, params, running = _draw(rng, 12, (6,), sizes, "batchnorm", np.float64, check_kinks=False)
        dropout_param = {"mode": "train", "p": keep, "seed": 11} if keep < 1 else None
        init = _init(sizes, 0.05, "batchnorm", keep)
        given = [dict(r, mode="train") for r in running]
        after = _net(student, init, _student_steps(params, given, dropout_param, ("loss", (X, y)))
                     + [("__getattribute__", ("bn_params",))])
        check(isinstance(after, list) and len(after) == len(given) and all(isinstance(p, dict) for p in after),
              "bn_params should stay a list with one dict per hidden layer")
        ref = _reference_net(reference, sizes, 0.05, "batchnorm", keep, params, given, dropout_param)
        try:
            with reference.using_student(student, ("layers.dropout_forward", "layers.dropout_backward")):
                ref.loss(X, y)  # the student's masks, so that the second layer sees what theirs saw
        except LAYER_FAILURES:
            ref = _reference_net(reference, sizes, 0.05, "batchnorm", keep, params, given, dropout_param)
            ref.loss(X, y)
        what = f"after loss(X, y) ({'with' if keep < 1 else 'without'} dropout)"
        for i, (mine, theirs) in enumerate(zip(after, ref.bn_params)):
            for key in ("running_mean", "running_var"):
                check(key in mine and not np.array_equal(np.asarray(mine[key], dtype=np.float64), given[i][key]),
                      f"{what}, bn_params[{i}]['{key}'] did not change: pass self.bn_params[i - 1] itself to "
                      f"batchnorm_forward, which updates the running averages in it", diagnosis="bn_params_not_passed")
                assert_close(mine[key], theirs[key], f"bn_params[{i}]['{key}'] {what}", rtol=1e-6,
                             floor=1e-3 * float(np.max(np.abs(theirs[key]))))
        after = _net(student, init, _student_steps(params, given, dropout_param, ("loss", (X,)))
                     + [("__getattribute__", ("bn_params",))])
        for i, mine in enumerate(after):
            for key in ("running_mean", "running_var"):
                check(np.array_equal(np.asarray(mine.get(key), dtype=np.float64), given[i][key]),
                      f"loss(X) changed bn_params[{i}]['{key}']: at test time the running averages stay as they are",
                      diagnosis="running_stats_updated_in_test_mode")
