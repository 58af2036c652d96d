"""Public tests for BatchNormalization.ipynb: `autograder check` runs these on your machine.

What they check, without any reference solution:
- weight_std: the two rules at fan-ins where they give round numbers (Kaiming: sqrt(2 / 8) = 0.5,
  Xavier: sqrt(1 / 4) = 0.5), and a number passed through as it is;
- batchnorm_forward in training: a minibatch whose statistics were worked out by hand (the comments
  say how), so that out = gamma * x_hat + beta is known; the cache's entries (x, x_hat, mean, var,
  gamma, eps); the running averages it writes back into bn_param (from zeros, and with a momentum
  of its own); at test time, the output with running averages chosen so that sqrt(var + eps) is a
  round number, and running averages that stay as they were;
- the two backward passes against a numerical gradient of YOUR OWN batchnorm_forward (centred
  differences with h = 1e-5 of sum(out * dout) for every entry of x, gamma and beta). Batch
  normalization is smooth, so correct code stays below 1e-8 in the measure
  |a - n| / max(|a| + |n|, 1e-3) (the reference and other ways to write it, 20 seeds); up to 1e-6
  passes. While your forward pass loses points, a failure here is not charged twice: these tests
  then score what the hidden tests of the backward pass (which feed it caches of the documented
  form, not yours) score;
- layernorm_forward on examples worked out by hand (each row normalized on its own, whatever the
  other rows and the mode), and layernorm_backward against the numerical gradient of your own
  layernorm_forward, as for batch normalization.

The grader also runs hidden tests that compare every function with the reference solution on
random inputs (float32 too, a single feature, two examples, eps and momentum of their own).
"""
import numpy as np

from autograder.testing import TestFailure, as_array, check, graded

NOTEBOOK = "BatchNormalization.ipynb"
WEIGHT_STD = "classifiers.fc_net.weight_std"
BN_FORWARD = "layers.batchnorm_forward"
BN_BACKWARD = "layers.batchnorm_backward"
BN_BACKWARD_ALT = "layers.batchnorm_backward_alt"
LN_FORWARD = "layers.layernorm_forward"
LN_BACKWARD = "layers.layernorm_backward"
CACHE_KEYS = ("x", "x_hat", "mean", "var", "gamma", "eps")

GRAD_TOL = 1e-6     # allowed |analytic - numerical| / max(|analytic| + |numerical|, GRAD_FLOOR)
GRAD_FLOOR = 1e-3
H = 1e-5            # step of the centred differences
EPS = 1e-5          # the default eps of both normalizations


# -- weight_std -----------------------------------------------------------------------------------

@graded(WEIGHT_STD, points=0.5)
def weight_std_of_kaiming_xavier_and_a_number(student):
    for rule, fan_in, expected in (("kaiming", 8, 0.5), ("kaiming", 200, 0.1), ("xavier", 4, 0.5),
                                   ("xavier", 100, 0.1), (0.03, 500, 0.03)):
        std = float(as_array(student.call(WEIGHT_STD, rule, fan_in), f"weight_std({rule!r}, {fan_in})", shape=()))
        if abs(std - expected) > 1e-12 * expected:
            advice = {"kaiming": "Kaiming's rule is sqrt(2 / fan_in)", "xavier": "Xavier's rule is "
                      "sqrt(1 / fan_in)"}.get(rule, "a number is the standard deviation itself")
            raise TestFailure(f"weight_std({rule!r}, fan_in={fan_in}) is wrong: {advice}",
                              f"got {std:.6g}, expected {expected:g}")


# -- batchnorm_forward ----------------------------------------------------------------------------

def _bn_call(student, x, gamma, beta, bn_param):
    """The student's (out, cache) and bn_param as the call left it."""
    answer, args, _ = student.call_reading_args(BN_FORWARD, x, gamma, beta, bn_param)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2,
          f"batchnorm_forward should return a tuple (out, cache); got {type(answer).__name__}")
    out = as_array(answer[0], "out returned by batchnorm_forward", shape=x.shape).astype(np.float64)
    after = args[3]
    check(isinstance(after, dict), "bn_param should stay a dict")
    return out, answer[1], after


def _hand_batch():
    """Four examples of three features, with the statistics of each column worked out by hand:
    column 0: 0, 2, 4, 6: mean 3, deviations -3, -1, 1, 3, variance (9 + 1 + 1 + 9) / 4 = 5;
    column 1: 10, 10, 10, 14: mean 11, deviations -1, -1, -1, 3, variance (1 + 1 + 1 + 9) / 4 = 3;
    column 2: 5 everywhere: mean 5, variance 0, so x_hat is 0 and out is beta.
    (np.var(ddof=1), the unbiased variance, would give 20 / 3 and 4.)"""
    x = np.array([[0.0, 10.0, 5.0], [2.0, 10.0, 5.0], [4.0, 10.0, 5.0], [6.0, 14.0, 5.0]])
    mean, var = np.array([3.0, 11.0, 5.0]), np.array([5.0, 3.0, 0.0])
    deviations = np.array([[-3.0, -1.0, 0.0], [-1.0, -1.0, 0.0], [1.0, -1.0, 0.0], [3.0, 3.0, 0.0]])
    return x, mean, var, deviations


@graded(BN_FORWARD, points=1)
def batchnorm_forward_normalizes_each_feature_with_the_batch_statistics(student):
    x, mean, var, deviations = _hand_batch()
    gamma, beta = np.array([2.0, 1.0, 3.0]), np.array([1.0, -1.0, 0.5])
    out, cache, _ = _bn_call(student, x, gamma, beta, {"mode": "train"})
    x_hat = deviations / np.sqrt(var + EPS)
    expected = gamma * x_hat + beta
    if not np.allclose(out, expected, rtol=1e-10, atol=1e-10):
        unbiased = gamma * deviations / np.sqrt(var * 4 / 3 + EPS) + beta
        check(not np.allclose(out, unbiased, rtol=1e-8, atol=1e-8), "batchnorm_forward divides the sum "
              "of squared deviations by N - 1: batch normalization uses the biased variance (divide by N, "
              "as np.var does by default)", diagnosis="unbiased_variance")
        check(not np.allclose(out, beta * x_hat + gamma, rtol=1e-8, atol=1e-8), "gamma and beta are "
              "swapped: gamma scales x_hat, beta shifts it", diagnosis="gamma_beta_swapped")
        raise TestFailure("batchnorm_forward in training: out should be gamma * x_hat + beta, with "
                          "x_hat = (x - mean) / sqrt(var + eps) and the mean and variance of each column",
                          f"got {np.round(out, 6).tolist()}, expected {np.round(expected, 6).tolist()}")
    check(isinstance(cache, dict) and all(k in cache for k in CACHE_KEYS),
          f"the cache of batchnorm_forward in training should be a dict with the keys {', '.join(CACHE_KEYS)}",
          f"got {sorted(cache) if isinstance(cache, dict) else type(cache).__name__}")
    for key, value in (("mean", mean), ("var", var), ("x_hat", x_hat), ("x", x), ("gamma", gamma)):
        got = as_array(cache[key], f"cache['{key}']").astype(np.float64)
        if key in ("mean", "var") and got.shape == (1, 3):
            got = got.reshape(3)  # kept as a row (keepdims=True): fine
        check(got.shape == np.shape(value), f"cache['{key}'] should have shape {np.shape(value)}",
              f"got {got.shape}")
        check(np.allclose(got, value, rtol=1e-10, atol=1e-10), f"cache['{key}'] of batchnorm_forward is "
              f"not the {key} the docstring describes", f"got {np.round(got, 6).tolist()}")
    check(abs(float(cache["eps"]) - EPS) < 1e-15, "cache['eps'] should be the eps used (1e-5 by default)")


@graded(BN_FORWARD, points=0.5)
def batchnorm_forward_writes_running_averages_into_bn_param(student):
    x, mean, var, _ = _hand_batch()
    gamma, beta = np.ones(3), np.zeros(3)
    # From zeros with the default momentum 0.9: 0.1 of this batch's statistics.
    _, _, after = _bn_call(student, x, gamma, beta, {"mode": "train"})
    for key, stat in (("running_mean", mean), ("running_var", var)):
        check(key in after, f"batchnorm_forward in training should write bn_param['{key}'] (it starts "
              f"as zeros when missing)", diagnosis="running_stats_not_updated")
        got = as_array(after[key], f"bn_param['{key}']", shape=(3,)).astype(np.float64)
        if not np.allclose(got, 0.1 * stat, rtol=1e-10, atol=1e-12):
            check(not np.allclose(got, 0.9 * stat, rtol=1e-8, atol=1e-12), f"bn_param['{key}'] took 0.9 of "
                  f"the batch's value: the momentum weighs the OLD running average (momentum * running + "
                  f"(1 - momentum) * batch)", diagnosis="momentum_reversed")
            check(not np.allclose(got, 0.0, atol=1e-12), f"bn_param['{key}'] stayed zero: update the "
                  f"running averages in training", diagnosis="running_stats_not_updated")
            raise TestFailure(f"bn_param['{key}'] after one training batch from zeros (momentum 0.9) should be "
                              f"0.1 times the batch's statistic", f"got {got.tolist()}, expected {(0.1 * stat).tolist()}")
    # From given averages with a momentum of 0.5: halfway between them and the batch's statistics.
    given = {"mode": "train", "momentum": 0.5, "running_mean": np.array([1.0, 1.0, 1.0]),
             "running_var": np.array([1.0, 1.0, 1.0])}
    _, _, after = _bn_call(student, x, gamma, beta, given)
    for key, stat in (("running_mean", mean), ("running_var", var)):
        got = as_array(after.get(key), f"bn_param['{key}']", shape=(3,)).astype(np.float64)
        check(np.allclose(got, 0.5 * (1.0 + stat), rtol=1e-10), f"with momentum 0.5, bn_param['{key}'] should "
              f"become halfway between its old value and the batch's statistic: read bn_param['momentum']",
              f"got {got.tolist()}, expected {(0.5 * (1.0 + stat)).tolist()}")


@graded(BN_FORWARD, points=0.5)
def batchnorm_forward_test_mode_uses_the_running_averages(student):
    x = np.array([[3.0, 0.0], [1.0, 2.0], [-1.0, 5.0]])
    # sqrt(running_var + eps) is exactly 2 and 0.5: out = gamma * (x - running_mean) / (2, 0.5) + beta.
    running_mean, running_var = np.array([1.0, 2.0]), np.array([4.0 - EPS, 0.25 - EPS])
    gamma, beta = np.array([1.0, 2.0]), np.array([0.0, 1.0])
    bn_param = {"mode": "test", "running_mean": running_mean.copy(), "running_var": running_var.copy()}
    out, _, after = _bn_call(student, x, gamma, beta, bn_param)
    expected = np.array([[1.0, -7.0], [0.0, 1.0], [-1.0, 13.0]])
    if not np.allclose(out, expected, rtol=1e-9, atol=1e-9):
        batch = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + EPS) * gamma + beta
        check(not np.allclose(out, batch, rtol=1e-6, atol=1e-6), "at test time batchnorm_forward normalized "
              "with the test batch's own mean and variance: use bn_param's running averages",
              diagnosis="test_mode_uses_batch_statistics")
        raise TestFailure("batchnorm_forward at test time should give gamma * (x - running_mean) / "
                          "sqrt(running_var + eps) + beta", f"got {out.tolist()}, expected {expected.tolist()}")
    for key, value in (("running_mean", running_mean), ("running_var", running_var)):
        got = as_array(after.get(key), f"bn_param['{key}'] after the test-time call", shape=(2,))
        check(np.array_equal(got.astype(np.float64), value), f"batchnorm_forward at test time changed "
              f"bn_param['{key}']: the running averages change only in training",
              diagnosis="running_stats_updated_in_test_mode")


# -- backward passes: against the numerical gradient of your own forward pass ----------------------

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


def _check_backward(student, forward, backward, rng, param):
    """``backward`` on the cache of the student's ``forward`` (training mode) against centred
    differences of that forward pass, for x, gamma and beta."""
    name = backward.rsplit(".", 1)[-1]
    num, dim = 8, 4
    x = 2.0 * rng.standard_normal((num, dim)) + rng.standard_normal(dim)
    gamma, beta = 1.0 + 0.5 * rng.standard_normal(dim), rng.standard_normal(dim)
    dout = rng.standard_normal((num, dim))

    def out(xx, gg, bb):
        answer = student.call(forward, xx, gg, bb, dict(param))
        check(isinstance(answer, (tuple, list)) and len(answer) == 2, f"{forward.rsplit('.', 1)[-1]} should "
              f"return a tuple (out, cache)")
        return as_array(answer[0], "out", shape=(num, dim)).astype(np.float64)

    _, cache = student.call(forward, x, gamma, beta, dict(param))
    answer = student.call(backward, dout, cache)
    check(isinstance(answer, (tuple, list)) and len(answer) == 3,
          f"{name} should return a tuple (dx, dgamma, dbeta); got {type(answer).__name__}")
    dgamma = as_array(answer[1], f"dgamma returned by {name}")
    check(dgamma.shape != (num,), f"dgamma returned by {name} has one entry per example: gamma is shared "
          f"by the examples, so sum over them (axis 0)", diagnosis="dgamma_summed_over_wrong_axis")
    _assert_gradient(answer[0], _numerical_gradient(lambda z: out(z, gamma, beta), x, dout), f"dx of {name}")
    _assert_gradient(dgamma, _numerical_gradient(lambda z: out(x, z, beta), gamma, dout), f"dgamma of {name}")
    _assert_gradient(answer[2], _numerical_gradient(lambda z: out(x, gamma, z), beta, dout), f"dbeta of {name}")


@graded(BN_BACKWARD, points=1, uses=(BN_FORWARD,))
def batchnorm_backward_matches_numerical_gradient(student, rng):
    _check_backward(student, BN_FORWARD, BN_BACKWARD, rng, {"mode": "train"})


@graded(BN_BACKWARD_ALT, points=1, uses=(BN_FORWARD,))
def batchnorm_backward_alt_matches_numerical_gradient(student, rng):
    _check_backward(student, BN_FORWARD, BN_BACKWARD_ALT, rng, {"mode": "train"})


# -- layer normalization --------------------------------------------------------------------------

@graded(LN_FORWARD, points=1)
def layernorm_forward_normalizes_each_example_over_its_features(student):
    # Row 0: 0, 2, 4, 6 (mean 3, variance 5); row 1: 10, 10, 10, 14 (mean 11, variance 3): the
    # columns of _hand_batch, now as rows. Row 2 is constant: x_hat is 0 and out is beta.
    x = np.array([[0.0, 2.0, 4.0, 6.0], [10.0, 10.0, 10.0, 14.0], [7.0, 7.0, 7.0, 7.0]])
    deviations = np.array([[-3.0, -1.0, 1.0, 3.0], [-1.0, -1.0, -1.0, 3.0], [0.0, 0.0, 0.0, 0.0]])
    var = np.array([[5.0], [3.0], [0.0]])
    gamma, beta = np.array([1.0, 2.0, 0.5, -1.0]), np.array([0.0, 1.0, -1.0, 2.0])
    expected = gamma * deviations / np.sqrt(var + EPS) + beta
    ln_param = {"mode": "train"}
    answer, args, _ = student.call_reading_args(LN_FORWARD, x, gamma, beta, ln_param)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2, "layernorm_forward should return a tuple "
          "(out, cache)")
    out = as_array(answer[0], "out returned by layernorm_forward", shape=x.shape).astype(np.float64)
    if not np.allclose(out, expected, rtol=1e-10, atol=1e-10):
        per_feature = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + EPS) + beta
        check(not np.allclose(out, per_feature, rtol=1e-8, atol=1e-8), "layernorm_forward normalized each "
              "feature over the batch (axis 0), as batch normalization does: layer normalization "
              "normalizes each example over its own features (axis 1)", diagnosis="normalized_over_wrong_axis")
        raise TestFailure("layernorm_forward: each row should be normalized with its own mean and biased "
                          "variance, then scaled by gamma and shifted by beta",
                          f"got {np.round(out, 6).tolist()}, expected {np.round(expected, 6).tolist()}")
    check(args[3] == ln_param, "layernorm_forward changed ln_param: it keeps no running averages",
          f"ln_param became {sorted(args[3])}")
    cache = answer[1]
    check(isinstance(cache, dict) and all(k in cache for k in CACHE_KEYS),
          f"the cache of layernorm_forward should be a dict with the keys {', '.join(CACHE_KEYS)}")
    for key, value in (("mean", x.mean(axis=1, keepdims=True)), ("var", var)):
        got = as_array(cache[key], f"cache['{key}'] of layernorm_forward")
        check(got.shape == (3, 1), f"cache['{key}'] of layernorm_forward should have shape (N, 1), one per "
              f"example as a column (keepdims=True)", f"got {got.shape}")
        check(np.allclose(got, value, rtol=1e-10), f"cache['{key}'] of layernorm_forward is not each "
              f"example's {key}")
    # Each row on its own, and the mode ignored: the other rows change nothing.
    alone = student.call(LN_FORWARD, x[1:2], gamma, beta, {"mode": "test"})
    check(isinstance(alone, (tuple, list)) and len(alone) == 2, "layernorm_forward should return (out, cache)")
    check(np.allclose(as_array(alone[0], "out", shape=(1, 4)), expected[1:2], rtol=1e-10, atol=1e-10),
          "layernorm_forward gave another output for an example on its own (or in test mode): each row "
          "depends on itself alone, in training and at test time alike")


@graded(LN_BACKWARD, points=1, uses=(LN_FORWARD,))
def layernorm_backward_matches_numerical_gradient(student, rng):
    _check_backward(student, LN_FORWARD, LN_BACKWARD, rng, {})
