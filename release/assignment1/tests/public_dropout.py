"""Public tests for Dropout.ipynb: `autograder check` runs these on your machine.

What they check, without any reference solution:
- dropout_forward in training on 10,000 distinct numbers: every output is either 0 or its input
  divided by p (inverted dropout), and the share of kept entries is p within 6 standard errors
  (p = 0.25 and 0.8: taking p as the probability of dropping lands 50 standard errors away); at
  test time the output is the input. With a seed the same mask comes back at every call and
  another seed gives another; without a seed, two calls give two masks;
- dropout_backward on the cache of YOUR OWN dropout_forward: dropout multiplies every entry by a
  fixed factor (0 or 1 / p), so dx must be dout * out / x exactly (and dout at test time). While
  your forward pass loses points this test is not charged twice (it then scores what the hidden
  test of dropout_backward, which builds its own caches, scores);
- FullyConnectedNet with normalization and dropout (the network's part of BatchNormalization.ipynb
  and of this notebook, graded here): gammai (ones) and betai (zeros) for every hidden layer and
  none for the scores; the running averages a training call leaves in bn_params and the scores at
  test time for a net with hand-set weights and running averages (worked out in the comments);
  loss(X) of a net with dropout equal to the same net's without; and the gradient of every
  parameter along a random direction against a centred difference of your own loss (h = 1e-5)
  for nets with batch normalization, layer normalization, dropout (with a seed in dropout_param, so
  that every call draws the same masks) and both, with every ReLU input at least 0.05 from 0.
  Correct code stays below 1e-7 in the measure |a - n| / max(|a| + |n|, 1e-3) (20 seeds); up to
  5e-6 passes.
  These tests run your layers and the rest of your loss: while one of those loses points, they
  score at grading time what the hidden tests of the network score.

The grader also runs hidden tests: the dropout layers on more shapes, keep probabilities and
float32, backward passes on caches it builds, and the network against the reference solution
(losses, gradients, test-time scores and running averages) with your own layers.
"""
import numpy as np

from autograder.testing import StudentCallError, TestFailure, as_array, check, graded

NOTEBOOK = "Dropout.ipynb"
DROPOUT_FORWARD = "layers.dropout_forward"
DROPOUT_BACKWARD = "layers.dropout_backward"
NET = "classifiers.fc_net.FullyConnectedNet"
NET_LOSS = NET + ".loss"
# What the network runs through: while one of these loses points, a failing network test here is
# not charged to the network (see the module docstring).
NET_USES = ("layers.affine_forward", "layers.affine_backward", "layers.relu_forward", "layers.relu_backward",
            "layers.softmax_loss", "layers.batchnorm_forward", "layers.batchnorm_backward",
            "layers.layernorm_forward", "layers.layernorm_backward", DROPOUT_FORWARD, DROPOUT_BACKWARD,
            NET_LOSS)

GRAD_TOL = 5e-6  # a slope through batch normalization loses a few more digits than one layer's
GRAD_FLOOR = 1e-3
H = 1e-5
EPS = 1e-5


# -- dropout_forward ------------------------------------------------------------------------------

def _dropout(student, x, param):
    answer = student.call(DROPOUT_FORWARD, x, param)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2,
          f"dropout_forward should return a tuple (out, cache); got {type(answer).__name__}")
    out = as_array(answer[0], "out returned by dropout_forward", shape=x.shape).astype(np.float64)
    return out, answer[1]


@graded(DROPOUT_FORWARD, points=1)
def dropout_forward_keeps_a_share_p_and_divides_by_p(student):
    x = np.arange(1.0, 10001.0).reshape(100, 100) / 1000.0  # 10,000 distinct, non-zero numbers
    for p in (0.25, 0.8):
        out, _ = _dropout(student, x, {"p": p, "mode": "train"})
        kept = out != 0
        if not np.allclose(out[kept], x[kept] / p, rtol=1e-9):
            check(not np.allclose(out[kept], x[kept], rtol=1e-9), f"with p = {p} the kept entries are "
                  f"unchanged: inverted dropout divides them by p, so that the expected output equals the "
                  f"input", diagnosis="dropout_not_inverted")
            check(not np.allclose(out[kept], x[kept] / (1 - p), rtol=1e-9), f"with p = {p} the kept entries "
                  f"are divided by 1 - p: p is the probability of KEEPING an entry, divide by p",
                  diagnosis="divided_by_drop_probability")
            raise TestFailure(f"with p = {p} every output should be 0 or its input divided by p")
        share, error = float(np.mean(kept)), np.sqrt(p * (1 - p) / x.size)
        if abs(share - p) > 6 * error:
            check(abs(share - (1 - p)) > 6 * error, f"with p = {p} dropout_forward kept a share 1 - p of the "
                  f"entries: p is the probability of KEEPING each entry", diagnosis="p_taken_as_drop_probability")
            raise TestFailure(f"with p = {p} dropout_forward should keep each entry with probability p",
                              f"it kept {share:.3f} of 10,000 entries")
    out, _ = _dropout(student, x, {"p": 0.25, "mode": "test"})
    if not np.array_equal(out, x):
        check(not np.allclose(out, 0.25 * x), "at test time out is x * p: with inverted dropout the scaling "
              "happened in training, and the test-time layer is the identity", diagnosis="test_mode_scaled")
        raise TestFailure("at test time dropout_forward should return x unchanged (the identity)",
                          diagnosis="dropout_in_test_mode")


@graded(DROPOUT_FORWARD, points=0.5)
def dropout_forward_repeats_a_seeded_mask_and_draws_fresh_ones_otherwise(student):
    x = np.ones((50, 40))
    first, _ = _dropout(student, x, {"p": 0.5, "mode": "train", "seed": 7})
    again, _ = _dropout(student, x, {"p": 0.5, "mode": "train", "seed": 7})
    check(np.array_equal(first, again), "two calls with the seed 7 gave two masks: with a seed, draw the "
          "mask from `random` (a generator made from the seed)", diagnosis="seed_ignored")
    other, _ = _dropout(student, x, {"p": 0.5, "mode": "train", "seed": 8})
    check(not np.array_equal(first, other), "the seeds 7 and 8 gave the same mask: the mask should come from "
          "the seed")
    one, _ = _dropout(student, x, {"p": 0.5, "mode": "train"})
    two, _ = _dropout(student, x, {"p": 0.5, "mode": "train"})
    check(not np.array_equal(one, two), "two calls without a seed gave the same mask: draw a new mask at "
          "every call", diagnosis="mask_reused")


# -- dropout_backward -----------------------------------------------------------------------------

@graded(DROPOUT_BACKWARD, points=1, uses=(DROPOUT_FORWARD,))
def dropout_backward_sends_the_gradient_through_the_kept_entries(student, rng):
    x = rng.standard_normal((30, 20))
    x[np.abs(x) < 0.01] = 0.5  # no entry is 0, so out / x is each entry's factor
    dout = rng.standard_normal(x.shape)
    for p in (0.3, 0.9):
        out, cache = _dropout(student, x, {"p": p, "mode": "train"})
        dx = as_array(student.call(DROPOUT_BACKWARD, dout, cache), "dx returned by dropout_backward",
                      shape=x.shape).astype(np.float64)
        expected = dout * out / x
        if not np.allclose(dx, expected, rtol=1e-9, atol=1e-12):
            check(not np.allclose(dx, dout), f"with p = {p} dx is dout: in training the gradient flows only "
                  f"through the kept entries, times the factor they were multiplied by",
                  diagnosis="mask_missing_in_backward")
            check(not np.allclose(dx, dout * (out != 0)), f"with p = {p} dx is dout where the entries were "
                  f"kept: they were also divided by p in the forward pass, so dx must be too",
                  diagnosis="backward_without_1_over_p")
            raise TestFailure(f"with p = {p} dx should be dout times the factor (0 or 1 / p) each entry of x "
                              f"was multiplied by in your forward pass")
    _, cache = _dropout(student, x, {"p": 0.3, "mode": "test"})
    dx = as_array(student.call(DROPOUT_BACKWARD, dout, cache), "dx returned by dropout_backward at test time",
                  shape=x.shape)
    check(np.allclose(dx, dout, rtol=1e-12), "at test time dropout is the identity, so dx should be dout",
          diagnosis="dropout_in_test_mode")


# -- FullyConnectedNet with normalization and dropout ----------------------------------------------

def _net(student, init, steps, params=None):
    """Build the student's FullyConnectedNet(*init), give it ``params`` (if any), run ``steps``."""
    first = [("__setattr__", ("params", params))] if params is not None else []
    try:
        return student.call_method(NET, first + steps, init=init)
    except StudentCallError as exc:
        if exc.status == "not_implemented":
            raise StudentCallError("not_implemented", "FullyConnectedNet with normalization or dropout is not "
                                   "written yet (its gamma and beta in __init__, or its loss)") from None
        raise


def _init(sizes, reg=0.0, normalization=None, keep=1.0, dtype="float64"):
    return (sizes[1:-1], sizes[0], sizes[-1], reg, 1e-2, dtype, 0, normalization, keep)


@graded(NET, points=1)
def net_with_normalization_has_gamma_and_beta_for_each_hidden_layer(student):
    for normalization in ("batchnorm", "layernorm"):
        what = f"FullyConnectedNet([6, 5], input_dim=4, num_classes=3, dtype='float32', normalization={normalization!r})"
        params = _net(student, _init([4, 6, 5, 3], normalization=normalization, dtype="float32"),
                      [("__getattribute__", ("params",))])
        check(isinstance(params, dict), f"{what}.params should be a dict")
        keys = sorted([f"{k}{i}" for i in (1, 2, 3) for k in "Wb"] + [f"{k}{i}" for i in (1, 2) for k in ("gamma", "beta")])
        check(sorted(params) == keys, f"{what} should have exactly the parameters {', '.join(keys)}: gammai and "
              f"betai for every hidden layer, none for the scores", f"got {', '.join(sorted(params))}",
              diagnosis="normalization_parameters_wrong")
        for i, size in ((1, 6), (2, 5)):
            for key, value in ((f"gamma{i}", 1.0), (f"beta{i}", 0.0)):
                got = as_array(params[key], f"params['{key}']")
                check(got.shape == (size,), f"{what}: params['{key}'] should have shape ({size},), the size of "
                      f"hidden layer {i}", f"got {got.shape}")
                check(got.dtype == np.float32, f"{what}: params['{key}'] should be float32 (dtype)",
                      diagnosis="dtype_ignored")
                check(np.all(got == value), f"{what}: params['{key}'] should start as "
                      f"{'ones' if value else 'zeros'}: the normalization starts with scale 1 and shift 0",
                      diagnosis="gamma_beta_initial_values")
    plain = _net(student, _init([4, 6, 3]), [("__getattribute__", ("params",))])
    check(sorted(plain) == ["W1", "W2", "b1", "b2"], "without normalization the net should have no gamma or beta",
          f"got {', '.join(sorted(plain))}")


def _bn_rows(a, gamma, beta, axis):
    """Batch (axis 0) or layer (axis 1) normalization of a, for the checks' own arithmetic: the
    standard scores of a along axis, scaled by gamma and shifted by beta. Without the eps of the
    layers, so compare with it loosely."""
    standard = np.apply_along_axis(lambda v: (v - v.mean()) / v.std(), axis, a)
    return standard * gamma + beta


def _hand_set_batchnorm_net():
    """D = 2, one hidden layer of 3 units with batch normalization, C = 2, N = 4.

    Pre-activations a = X @ W1 + b1, one row per example: (1, 3, -1), (1, 0, 2), (2, 2, 2), (0, 1, -1).
    Their columns have the means (1, 1.5, 0.5) and biased variances (0.5, 1.25, 2.25).
    At test time with running_mean (0, 1, 1) and running_var (4, 1, 0.25) - eps (standard deviations
    2, 1, 0.5), gamma (1, 1, 2) and beta (0, -0.5, 0.5), the normalized rows are
    (0.5, 1.5, -7.5), (0.5, -1.5, 4.5), (1, 0.5, 4.5), (0, -0.5, -7.5); after the ReLU
    (0.5, 1.5, 0), (0.5, 0, 4.5), (1, 0.5, 4.5), (0, 0, 0). Scores with W2 rows (1, 0), (0, 1),
    (1, -1) and b2 (0, 0.5): (0.5, 2), (5, -4), (5.5, -3.5), (0, 0.5).
    """
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    params = {"W1": np.array([[1.0, 2.0, 0.0], [1.0, -1.0, 3.0]]), "b1": np.array([0.0, 1.0, -1.0]),
              "gamma1": np.array([1.0, 1.0, 2.0]), "beta1": np.array([0.0, -0.5, 0.5]),
              "W2": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]), "b2": np.array([0.0, 0.5])}
    running = {"mode": "test", "running_mean": np.array([0.0, 1.0, 1.0]),
               "running_var": np.array([4.0, 1.0, 0.25]) - EPS}
    scores = np.array([[0.5, 2.0], [5.0, -4.0], [5.5, -3.5], [0.0, 0.5]])
    return X, params, running, scores


@graded(NET, points=1, uses=NET_USES)
def net_test_mode_uses_running_averages_and_turns_dropout_off(student):
    X, params, running, expected = _hand_set_batchnorm_net()
    y = np.array([0, 1, 1, 0])
    init = _init([2, 3, 2], normalization="batchnorm")
    # One training call from no running averages: 0.1 of the batch's statistics (momentum 0.9).
    bn_params = _net(student, init, [("loss", (X, y)), ("__getattribute__", ("bn_params",))], params)
    check(isinstance(bn_params, list) and len(bn_params) == 1 and isinstance(bn_params[0], dict),
          "bn_params should stay a list with one dict per hidden layer")
    for key, stat in (("running_mean", [1.0, 1.5, 0.5]), ("running_var", [0.5, 1.25, 2.25])):
        got = bn_params[0].get(key)
        check(got is not None, f"after loss(X, y) bn_params[0] has no '{key}': pass self.bn_params[i - 1] to "
              f"batchnorm_forward, which keeps its running averages there", diagnosis="bn_params_not_passed")
        check(np.allclose(as_array(got, f"bn_params[0]['{key}']", shape=(3,)), 0.1 * np.array(stat), rtol=1e-9),
              f"after one call of loss(X, y), bn_params[0]['{key}'] should be 0.1 times the batch's statistic "
              f"of the first hidden layer's pre-activations", f"got {np.asarray(got).tolist()}")
    # Test time: the running averages, not the batch's statistics; and they stay as they were.
    after = _net(student, init, [("__setattr__", ("bn_params", [running])), ("loss", (X,)),
                                 ("__getattribute__", ("bn_params",))], params)
    scores = _net(student, init, [("__setattr__", ("bn_params", [running])), ("loss", (X,))], params)
    check(not isinstance(scores, (tuple, list)), "loss(X) without labels should return the scores")
    scores = as_array(scores, "the scores of loss(X)", shape=(4, 2)).astype(np.float64)
    if not np.allclose(scores, expected, rtol=1e-9, atol=1e-9):
        hidden = np.maximum(_bn_rows(X @ params["W1"] + params["b1"], params["gamma1"], params["beta1"], 0), 0)
        check(not np.allclose(scores, hidden @ params["W2"] + params["b2"], rtol=1e-4), "loss(X) normalized with "
              "the batch's own statistics: without labels the net runs in test mode, with the running averages",
              diagnosis="net_test_mode_uses_batch_statistics")
        raise TestFailure("loss(X) of a batch-normalized net with hand-set weights and running averages gave the "
                          "wrong scores", f"got {scores.tolist()}, expected {expected.tolist()}")
    for key in ("running_mean", "running_var"):
        check(np.array_equal(np.asarray(after[0].get(key), dtype=np.float64), running[key]),
              f"loss(X) changed bn_params[0]['{key}']: at test time the running averages stay as they are",
              diagnosis="running_stats_updated_in_test_mode")
    # Dropout is off at test time: the same scores as the net without it.
    plain = {k: v for k, v in params.items() if k[0] in "Wb"}
    scores = [as_array(_net(student, _init([2, 3, 2], keep=keep), [("loss", (X,))], plain), "the scores of "
                       "loss(X)", shape=(4, 2)) for keep in (1.0, 0.5)]
    check(np.allclose(scores[0], scores[1], rtol=1e-12), "loss(X) of a net with dropout_keep_ratio = 0.5 differs "
          "from the same net's without dropout: dropout is the identity at test time", diagnosis="dropout_in_test_mode")


def _draw_net(rng, sizes, normalization, keep, margin=0.05):
    """X, y and params of a net whose ReLU inputs are all at least ``margin`` from 0 (worked out here
    for nets without dropout after the first layer; with dropout the net has one hidden layer)."""
    num = 8
    for _ in range(1000):
        X = rng.standard_normal((num, sizes[0]))
        params, hidden, ok = {}, X, True
        for i in range(1, len(sizes)):
            params[f"W{i}"] = rng.standard_normal((sizes[i - 1], sizes[i])) / np.sqrt(sizes[i - 1])
            params[f"b{i}"] = 0.1 * rng.standard_normal(sizes[i])
            if i == len(sizes) - 1:
                break
            pre = hidden @ params[f"W{i}"] + params[f"b{i}"]
            if normalization:
                params[f"gamma{i}"] = 1.0 + 0.3 * rng.standard_normal(sizes[i])
                params[f"beta{i}"] = 0.3 * rng.standard_normal(sizes[i])
                pre = _bn_rows(pre, params[f"gamma{i}"], params[f"beta{i}"], 0 if normalization == "batchnorm" else 1)
            ok = ok and np.min(np.abs(pre)) > margin
            hidden = np.maximum(pre, 0)
        if ok:
            return X, rng.integers(0, sizes[-1], num), params
    raise RuntimeError("could not draw a net away from the ReLU's kinks")


def _loss_and_grads(student, init, params, X, y, dropout_param):
    steps = ([("__setattr__", ("dropout_param", dict(dropout_param)))] if dropout_param else []) + [("loss", (X, y))]
    answer = _net(student, init, steps, params)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2 and isinstance(answer[1], dict),
          "loss(X, y) should return a tuple (loss, grads) with grads a dict")
    missing = [k for k in params if k not in answer[1]]
    check(not missing, f"grads has no {', '.join(missing)}: every parameter needs its gradient",
          diagnosis="gradient_missing")
    loss = float(as_array(answer[0], "the loss returned by loss(X, y)", shape=()))
    grads = {k: as_array(answer[1][k], f"grads['{k}']", shape=params[k].shape).astype(np.float64) for k in params}
    return loss, grads


@graded(NET, points=1, uses=NET_USES)
def net_gradients_with_normalization_and_dropout_match_numerical_gradient(student, rng):
    cases = [([5, 7, 6, 4], 0.2, "batchnorm", 1.0), ([5, 7, 6, 4], 0.0, "layernorm", 1.0),
             ([5, 7, 4], 0.1, None, 0.6), ([5, 7, 4], 0.0, "batchnorm", 0.7)]
    for sizes, reg, normalization, keep in cases:
        X, y, params = _draw_net(rng, sizes, normalization, keep)
        init = _init(sizes, reg, normalization, keep)
        seeded = {"mode": "train", "p": keep, "seed": 3} if keep < 1 else None
        _, grads = _loss_and_grads(student, init, params, X, y, seeded)
        what = (f"hidden_dims = {sizes[1:-1]}, normalization = {normalization}, dropout_keep_ratio = {keep}, "
                f"reg = {reg}")
        for key in sorted(params):
            # The slope of the loss along a random direction v of this parameter: sum(grads * v) for
            # the analytic gradient, a centred difference of your loss for the numerical one. Every
            # entry of v is non-zero, so a wrong entry of the gradient shows.
            v = rng.standard_normal(params[key].shape)
            losses = []
            for step in (H, -H):
                moved = {k: v_.copy() for k, v_ in params.items()}
                moved[key] = moved[key] + step * v
                losses.append(_loss_and_grads(student, init, moved, X, y, seeded)[0])
            numerical = (losses[0] - losses[1]) / (2 * H)
            analytic = float(np.sum(grads[key] * v))
            err = abs(analytic - numerical) / max(abs(analytic) + abs(numerical), GRAD_FLOOR)
            if err > GRAD_TOL:
                raise TestFailure(f"grads['{key}'] does not match the numerical gradient of your loss along a "
                                  f"random direction ({what}): relative error {err:.1e} (allowed {GRAD_TOL:g})",
                                  f"yours {analytic:.6g}, numerical {numerical:.6g}")
