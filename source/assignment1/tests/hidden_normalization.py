"""Hidden tests for BatchNormalization.ipynb: weight_std (classifiers/fc_net.py) and batch and layer
normalization (layers.py), against the reference solution on random inputs.

Never released. Expected values come from the reference run in float64 on the same numbers the
student's code receives.

- weight_std: both rules at fan-ins 1, 3, 50 and 3,072, and numbers passed through.
- batchnorm_forward: minibatches of (N, D) = (8, 5) with eps = 0.1, (16, 6), (2, 3), (5, 1) in
  float64 and (50, 10) in float32, each feature with a mean of its own (up to 5) and a spread
  from 0.05 to 3 (so that eps matters for the narrow ones; in float32 means up to 1 and spreads
  from 0.3, where float32 keeps enough digits of x - mean), random gamma and beta. In training:
  out against the reference, then the cache against the documented dict (x as given, x_hat,
  mean, var, gamma, eps). The running averages the call writes back into bn_param (read back
  from the sandbox) from missing ones (zeros), from given ones with the default momentum and
  with momentum 0.7, and in float32. At test time: out from given running averages, which must
  come back unchanged.
- the backward passes (batchnorm_backward, batchnorm_backward_alt, layernorm_backward) get caches
  made here by the reference forward pass, of exactly the documented form: a bug in the student's
  forward pass therefore costs the backward pass nothing, and a backward pass that read state
  left by the last forward call instead of its cache would fail. Cases: the forward cases above,
  float32 caches (their expected values from the float64 reference on the same inputs), N = 2
  and a single feature.
- layernorm_forward: (6, 8) with eps = 0.1, (10, 5), (3, 2) and float32 (20, 30), with modes
  "train" and "test" (the same output), ln_param read back unchanged, and the cache's mean and var
  as (N, 1) columns.

Tolerances (relative error as in autograder.engine.api.assert_close, with a floor of `floor` times
the largest expected magnitude): float64 rtol 1e-6, floor 1e-3; float32 rtol 1e-3, floor 1e-2.
Measured over 20 seeds of these inputs on the reference (which computes in float32 when given
float32) and on the correct variants of tests/mutation/test_norm_dropout_tests.py (a two-pass
variance, the staged backward pass, the simplified one written with means, layer normalization
through transposes): below 2e-11 in float64 and 2e-5 in float32. Every targeted mistake (an unbiased variance, eps outside
the square root or missing, gamma and beta swapped, the wrong axis, a reversed momentum, running
averages not updated or updated at test time, the batch statistics at test time, a backward pass
that treats the batch statistics as constants or forgets the path through the variance, dgamma
without x_hat or summed over the wrong axis) moves some entry by 1e-2 of the scale or more on
these inputs (eps = 0.1 in the first case makes eps's place visible; a narrow feature too).
"""
import numpy as np

from autograder.testing import Diagnosis, TestFailure, array_kind, as_array, assert_close, check, graded

NOTEBOOK = "BatchNormalization.ipynb"
MODULE = "layers"
WEIGHT_STD = "classifiers.fc_net.weight_std"
BN_FORWARD = "layers.batchnorm_forward"
BN_BACKWARD = "layers.batchnorm_backward"
BN_BACKWARD_ALT = "layers.batchnorm_backward_alt"
LN_FORWARD = "layers.layernorm_forward"
LN_BACKWARD = "layers.layernorm_backward"
CACHE_KEYS = ("x", "x_hat", "mean", "var", "gamma", "eps")

FLOAT64 = {"rtol": 1e-6, "floor": 1e-3}
FLOAT32 = {"rtol": 1e-3, "floor": 1e-2}

# (N, D, dtype, eps or None for the default): eps = 0.1 first, where its place in the formula
# shows; two examples; a single feature; float32.
BN_CASES = [(8, 5, np.float64, 0.1), (16, 6, np.float64, None), (2, 3, np.float64, None),
            (5, 1, np.float64, None), (50, 10, np.float32, None)]
LN_CASES = [(6, 8, np.float64, 0.1), (10, 5, np.float64, None), (3, 2, np.float64, None),
            (20, 30, np.float32, None)]


def _tol(dtype):
    return FLOAT32 if np.dtype(dtype) == np.float32 else FLOAT64


def _compare(actual, expected, what, tol, diagnoses=()):
    expected = np.asarray(expected, dtype=np.float64)
    scale = float(np.max(np.abs(expected), initial=0.0))
    assert_close(actual, expected, what, rtol=tol["rtol"], floor=max(tol["floor"] * scale, 1e-12),
                 diagnoses=diagnoses)


def _describe(x, eps):
    return f"x, {array_kind(x.shape)} ({np.dtype(x.dtype).name}" + (", a given eps)" if eps else ")")


def _inputs(rng, num, dim, dtype, axis=0):
    """x (N, D) whose features (axis 0) or examples (axis 1) have means up to 5 and spreads from
    0.05 to 3 (float32: means up to 1 and spreads from 0.3, where float32 keeps enough digits of
    x - mean); gamma and beta (D,)."""
    shape = (1, dim) if axis == 0 else (num, 1)
    narrow, far = (0.3, 1.0) if np.dtype(dtype) == np.float32 else (0.05, 5.0)
    spread = np.exp(rng.uniform(np.log(narrow), np.log(3.0), shape))
    x = rng.uniform(-far, far, shape) + spread * rng.standard_normal((num, dim))
    gamma, beta = 1.0 + 0.5 * rng.standard_normal(dim), rng.standard_normal(dim)
    return x.astype(dtype), gamma.astype(dtype), beta.astype(dtype)


def _param(eps, **more):
    param = dict(more)
    if eps is not None:
        param["eps"] = eps
    return param


def _forward(student, target, x, gamma, beta, param):
    """The student's (out, cache, param as the call left it)."""
    name = target.rsplit(".", 1)[-1]
    answer, args, _ = student.call_reading_args(target, x, gamma, beta, param)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2,
          f"{name} should return a tuple (out, cache); got {type(answer).__name__}")
    check(np.shape(answer[0]) == x.shape, f"{name} should return out of the same shape as x",
          f"got {np.shape(answer[0])}")
    check(isinstance(args[3], dict), f"{name} should leave its parameter dict a dict")
    return answer[0], answer[1], args[3]


def _copy(param):
    return {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in param.items()}


# -- weight_std -----------------------------------------------------------------------------------

@graded(WEIGHT_STD, points=0.5)
def weight_std_matches_reference(student, reference):
    ref = reference.module("classifiers.fc_net").weight_std
    for rule, gain, other in (("xavier", 1.0, 2.0), ("kaiming", 2.0, 1.0)):
        for fan_in in (3, 50, 3072, 1):
            expected = ref(rule, fan_in)
            got = student.call(WEIGHT_STD, rule, fan_in)
            assert_close(got, expected, f"weight_std({rule!r}, fan_in)", rtol=1e-9, diagnoses=[
                Diagnosis("kaiming_xavier_swapped" if rule == "xavier" else "kaiming_without_2",
                          "Kaiming's rule (for ReLUs) is sqrt(2 / fan_in), Xavier's sqrt(1 / fan_in)",
                          np.sqrt(other / fan_in)),
                Diagnosis("variance_instead_of_std", "this is the variance of the weights: the standard "
                          "deviation is its square root", gain / fan_in),
                Diagnosis("fan_in_not_inverted", "the standard deviation shrinks as the fan-in grows: "
                          "divide by fan_in under the square root", np.sqrt(gain * fan_in))])
    for number in (0.05, 1.0, 2e-3):
        assert_close(student.call(WEIGHT_STD, number, 100), number, "weight_std(a number, fan_in)", rtol=1e-12)


# -- batchnorm_forward ----------------------------------------------------------------------------

def _bn_forward_mistakes(x, gamma, beta, eps):
    """Known mistakes of batchnorm_forward in training, as the out they give."""
    x, gamma, beta = (a.astype(np.float64) for a in (x, gamma, beta))
    eps = 1e-5 if eps is None else eps
    num = x.shape[0]
    centred, var = x - x.mean(axis=0), x.var(axis=0)
    x_hat = centred / np.sqrt(var + eps)
    rows = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    found = [Diagnosis("eps_outside_sqrt", "eps belongs under the square root: sqrt(var + eps), not "
                       "sqrt(var) + eps", gamma * centred / (np.sqrt(var) + eps) + beta),
             Diagnosis("eps_missing", "eps is missing: divide by sqrt(var + eps)",
                       gamma * centred / np.sqrt(var) + beta),
             Diagnosis("no_square_root", "x - mean is divided by the variance: divide by the standard "
                       "deviation, sqrt(var + eps)", gamma * centred / (var + eps) + beta),
             Diagnosis("gamma_beta_swapped", "gamma and beta are swapped: gamma scales x_hat, beta shifts it",
                       beta * x_hat + gamma),
             Diagnosis("gamma_beta_missing", "out is x_hat: scale it by gamma and shift it by beta", x_hat),
             Diagnosis("normalized_over_wrong_axis", "each example was normalized over its features "
                       "(axis 1), as layer normalization does: batch normalization normalizes each "
                       "feature over the examples of the batch (axis 0)", gamma * rows + beta)]
    if num > 1:
        found.insert(0, Diagnosis("unbiased_variance", "the variance is divided by N - 1: batch normalization "
                                  "uses the biased variance (divide by N, as np.var does by default)",
                                  gamma * centred / np.sqrt(var * num / (num - 1) + eps) + beta))
    return found


def _check_cache(cache, ref_cache, name, x, tol, what):
    """The cache against the documented dict (the backward tests rely on its form)."""
    check(isinstance(cache, dict), f"the cache of {name} should be the dict "
          f"{{{', '.join(repr(k) for k in CACHE_KEYS)}}} of the docstring (the backward passes are "
          f"graded on caches of that form)", f"got {type(cache).__name__}", diagnosis="cache_not_documented")
    missing = [k for k in CACHE_KEYS if k not in cache]
    check(not missing, f"the cache of {name} has no {', '.join(missing)}: keep the dict of the docstring",
          diagnosis="cache_not_documented")
    got_x = as_array(cache["x"], f"cache['x'] of {name}")
    check(got_x.shape == x.shape and np.array_equal(got_x, x), f"cache['x'] of {name} should be x as it "
          f"was given", diagnosis="cache_not_documented")
    for key in ("x_hat", "mean", "var", "gamma"):
        expected = np.asarray(ref_cache[key], dtype=np.float64)
        got = as_array(cache[key], f"cache['{key}'] of {name}")
        if got.shape == (1,) + expected.shape:
            got = got.reshape(expected.shape)  # batch statistics kept as a row (keepdims=True): fine
        if got.shape != expected.shape:
            column = key in ("mean", "var") and expected.ndim == 2 and got.shape == expected.shape[:1]
            raise TestFailure(f"cache['{key}'] of {name} has the wrong shape"
                              + (": one per example, kept as a column (keepdims=True)" if column else ""),
                              f"got {got.shape}", "cache_not_documented")
        _compare(got, expected, f"cache['{key}'] of {name} {what}", tol)
    assert_close(cache["eps"], ref_cache["eps"], f"cache['eps'] of {name}", rtol=1e-9)


@graded(BN_FORWARD, points=1)
def batchnorm_forward_train_mode_matches_reference(student, reference, rng):
    ref = reference.module(MODULE).batchnorm_forward
    for num, dim, dtype, eps in BN_CASES:
        x, gamma, beta = _inputs(rng, num, dim, dtype)
        out, cache, _ = _forward(student, BN_FORWARD, x, gamma, beta, _param(eps, mode="train"))
        expected, ref_cache = ref(*(a.astype(np.float64) for a in (x, gamma, beta)), _param(eps, mode="train"))
        what = f"in training on {_describe(x, eps)}"
        _compare(out, expected, f"out of batchnorm_forward {what}", _tol(dtype), _bn_forward_mistakes(x, gamma, beta, eps))
        _check_cache(cache, ref_cache, "batchnorm_forward", x, _tol(dtype), what)


def _running_mistakes(given, mean, var, momentum, num, key):
    """Known mistakes in the running average ``key``, as the value they give."""
    old = given.get(key, np.zeros_like(mean))
    stat = mean if key == "running_mean" else var
    found = [Diagnosis("running_stats_not_updated", f"bn_param['{key}'] did not change in training: update "
                       f"the running averages and leave them in bn_param", old),
             Diagnosis("momentum_reversed", "the momentum weighs the OLD running average: momentum * running "
                       "+ (1 - momentum) * the batch's statistic", (1 - momentum) * old + momentum * stat),
             Diagnosis("running_average_replaced", f"bn_param['{key}'] holds the last batch's statistic: "
                       f"average it into the old value with the momentum", stat)]
    if key == "running_var" and num > 1:
        found.append(Diagnosis("unbiased_variance", "the running variance averages the unbiased variance "
                               "(divided by N - 1): use the batch's biased variance, as for out",
                               momentum * old + (1 - momentum) * var * num / (num - 1)))
        found.append(Diagnosis("running_std_instead_of_var", "the running average is taken of the standard "
                               "deviation: average the variance", momentum * old + (1 - momentum) * np.sqrt(var)))
    return found


@graded(BN_FORWARD, points=1)
def batchnorm_forward_updates_running_averages_in_bn_param(student, reference, rng):
    ref = reference.module(MODULE).batchnorm_forward
    for (num, dim, dtype, eps), momentum, start in [(BN_CASES[0], None, "missing"), (BN_CASES[1], None, "given"),
                                                     (BN_CASES[2], 0.7, "given"), (BN_CASES[4], 0.7, "given")]:
        x, gamma, beta = _inputs(rng, num, dim, dtype)
        given = _param(eps, mode="train")
        if momentum is not None:
            given["momentum"] = momentum
        if start == "given":
            given["running_mean"] = rng.standard_normal(dim).astype(dtype)
            given["running_var"] = rng.uniform(0.5, 2.0, dim).astype(dtype)
        _, _, after = _forward(student, BN_FORWARD, x, gamma, beta, _copy(given))
        expected = _copy({k: (v.astype(np.float64) if isinstance(v, np.ndarray) else v) for k, v in given.items()})
        ref(*(a.astype(np.float64) for a in (x, gamma, beta)), expected)
        what = (f"after a training call on {_describe(x, eps)}, running averages {start}"
                + (", a given momentum" if momentum is not None else ", default momentum"))
        x64 = x.astype(np.float64)
        for key in ("running_mean", "running_var"):
            check(key in after, f"batchnorm_forward in training should leave bn_param['{key}'] in bn_param "
                  f"({what})", diagnosis="running_stats_not_updated")
            _compare(after[key], expected[key], f"bn_param['{key}'] {what}", _tol(dtype),
                     _running_mistakes({k: np.asarray(v, dtype=np.float64) for k, v in given.items()
                                        if isinstance(v, np.ndarray)}, x64.mean(axis=0), x64.var(axis=0),
                                       0.9 if momentum is None else momentum, num, key))


@graded(BN_FORWARD, points=1)
def batchnorm_forward_test_mode_matches_reference_and_keeps_the_averages(student, reference, rng):
    ref = reference.module(MODULE).batchnorm_forward
    for num, dim, dtype, eps in BN_CASES:
        x, gamma, beta = _inputs(rng, num, dim, dtype)
        given = _param(eps, mode="test", running_mean=rng.uniform(-5.0, 5.0, dim).astype(dtype),
                       running_var=rng.uniform(0.01, 4.0, dim).astype(dtype))
        out, _, after = _forward(student, BN_FORWARD, x, gamma, beta, _copy(given))
        x64, gamma64, beta64 = (a.astype(np.float64) for a in (x, gamma, beta))
        expected, _ = ref(x64, gamma64, beta64, _copy({k: (v.astype(np.float64) if isinstance(v, np.ndarray) else v)
                                                     for k, v in given.items()}))
        eps_used = 1e-5 if eps is None else eps
        train_out = gamma64 * (x64 - x64.mean(axis=0)) / np.sqrt(x64.var(axis=0) + eps_used) + beta64
        what = f"at test time on {_describe(x, eps)}"
        _compare(out, expected, f"out of batchnorm_forward {what}", _tol(dtype), [
            Diagnosis("test_mode_uses_batch_statistics", "at test time batchnorm_forward must normalize with "
                      "bn_param's running averages, not the test batch's own mean and variance", train_out),
            Diagnosis("eps_missing", "eps is missing at test time: divide by sqrt(running_var + eps)",
                      gamma64 * (x64 - given["running_mean"]) / np.sqrt(given["running_var"].astype(np.float64))
                      + beta64)])
        for key in ("running_mean", "running_var"):
            got = as_array(after.get(key), f"bn_param['{key}'] after a test-time call")
            check(got.shape == given[key].shape and np.array_equal(got.astype(np.float64),
                                                                   given[key].astype(np.float64)),
                  f"batchnorm_forward at test time changed bn_param['{key}']: the running averages change "
                  f"in training only", diagnosis="running_stats_updated_in_test_mode")


# -- backward passes, on caches of the documented form --------------------------------------------

def _reference_cache(reference, forward, x, gamma, beta, eps):
    """The documented cache, as the reference forward pass makes it for these inputs."""
    _, cache = getattr(reference.module(MODULE), forward)(x, gamma, beta, _param(eps, mode="train"))
    return cache


def _backward_mistakes(cache, dout, axis):
    """Known mistakes of the backward passes, as {'dx' | 'dgamma': [Diagnosis]}; ``axis``: the axis
    the statistics run over (0 for batch, 1 for layer normalization)."""
    x_hat, var, gamma, eps = (np.asarray(cache[k], dtype=np.float64) for k in ("x_hat", "var", "gamma", "eps"))
    dout = dout.astype(np.float64)
    inv_std = 1.0 / np.sqrt(var + eps)
    dx_hat = dout * gamma

    def mean(a):
        return np.mean(a, axis=axis, keepdims=True)

    found = {"dx": [Diagnosis("batch_statistics_treated_as_constants", "dx treats the mean and the variance "
                              "as constants: they depend on x too, and the chain rule must go through them",
                              dx_hat * inv_std),
                    Diagnosis("variance_path_missing", "dx misses the path through the variance (the term "
                              "with x_hat * the mean of dout * gamma * x_hat)", inv_std * (dx_hat - mean(dx_hat))),
                    Diagnosis("mean_path_missing", "dx misses the path through the mean (the term with the "
                              "mean of dout * gamma)", inv_std * (dx_hat - x_hat * mean(dx_hat * x_hat))),
                    Diagnosis("dx_not_divided_by_n", "dx is N times too large (N: the number of values each "
                              "mean and variance is taken over): the sums in dx are means, divide them by N",
                              x_hat.shape[axis] * inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)))],
             "dgamma": [Diagnosis("dgamma_without_x_hat", "dgamma is the sum over the examples of dout * x_hat",
                                  np.sum(dout, axis=0))]}
    if axis == 1:
        alien = np.mean(dx_hat, axis=0), np.mean(dx_hat * x_hat, axis=0)
        found["dx"].append(Diagnosis("dx_sums_over_wrong_axis", "dx sums over the examples (axis 0), as batch "
                                     "normalization does: layer normalization's statistics, and so the sums of "
                                     "dx, run over the features of each example (axis 1)",
                                     inv_std * (dx_hat - alien[0] - x_hat * alien[1])))
    return found


def _check_backward_on_reference_caches(student, reference, rng, backward, forward, cases):
    name = backward.rsplit(".", 1)[-1]
    ref_forward = getattr(reference.module(MODULE), forward)
    ref_backward = getattr(reference.module(MODULE), name)
    for num, dim, dtype, eps in cases:
        x, gamma, beta = _inputs(rng, num, dim, dtype, axis=0 if forward == "batchnorm_forward" else 1)
        dout = rng.standard_normal((num, dim)).astype(dtype)
        cache = _reference_cache(reference, forward, x, gamma, beta, eps)  # in the inputs' dtype
        _, cache64 = ref_forward(*(a.astype(np.float64) for a in (x, gamma, beta)), _param(eps, mode="train"))
        expected = ref_backward(dout.astype(np.float64), cache64)
        answer = student.call(backward, dout, cache)
        check(isinstance(answer, (tuple, list)) and len(answer) == 3,
              f"{name} should return a tuple (dx, dgamma, dbeta); got {type(answer).__name__}")
        where = f"for {_describe(x, eps)}"
        for index, grad in ((1, "dgamma"), (2, "dbeta")):
            got = as_array(answer[index], f"{grad} returned by {name}")
            check(got.shape != (num,) or num == dim, f"{grad} of {name} has one entry per example: gamma and "
                  f"beta are shared by the examples, so their gradients sum over them (axis 0)",
                  diagnosis=f"{grad}_summed_over_wrong_axis")
        mistakes = _backward_mistakes(cache64, dout, 0 if forward == "batchnorm_forward" else 1)
        dgamma, dbeta = (np.asarray(answer[i], dtype=np.float64) for i in (1, 2))
        swapped = np.shape(dgamma) == (dim,) and np.shape(dbeta) == (dim,) and \
            np.allclose(dgamma, expected[2], rtol=1e-6) and np.allclose(dbeta, expected[1], rtol=1e-6) and \
            not np.allclose(expected[1], expected[2], rtol=1e-6)
        check(not swapped, f"{name} returned dbeta where dgamma belongs and dgamma where dbeta belongs: the "
              f"order is (dx, dgamma, dbeta)", diagnosis="dgamma_dbeta_swapped")
        _compare(answer[2], expected[2], f"dbeta of {name} {where}", _tol(dtype))
        _compare(answer[1], expected[1], f"dgamma of {name} {where}", _tol(dtype), mistakes["dgamma"])
        _compare(answer[0], expected[0], f"dx of {name} {where}", _tol(dtype), mistakes["dx"])


@graded(BN_BACKWARD, points=1)
def batchnorm_backward_matches_reference(student, reference, rng):
    _check_backward_on_reference_caches(student, reference, rng, BN_BACKWARD, "batchnorm_forward", BN_CASES[:2])


@graded(BN_BACKWARD, points=1)
def batchnorm_backward_two_examples_one_feature_and_float32(student, reference, rng):
    _check_backward_on_reference_caches(student, reference, rng, BN_BACKWARD, "batchnorm_forward", BN_CASES[2:])


@graded(BN_BACKWARD_ALT, points=1)
def batchnorm_backward_alt_matches_reference(student, reference, rng):
    _check_backward_on_reference_caches(student, reference, rng, BN_BACKWARD_ALT, "batchnorm_forward", BN_CASES)


# -- layer normalization --------------------------------------------------------------------------

def _ln_forward_mistakes(x, gamma, beta, eps):
    x, gamma, beta = (a.astype(np.float64) for a in (x, gamma, beta))
    eps = 1e-5 if eps is None else eps
    dim = x.shape[1]
    centred, var = x - x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    x_hat = centred / np.sqrt(var + eps)
    columns = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return [Diagnosis("normalized_over_wrong_axis", "each feature was normalized over the batch (axis 0), as "
                      "batch normalization does: layer normalization normalizes each example over its own "
                      "features (axis 1)", gamma * columns + beta),
            Diagnosis("unbiased_variance", "the variance is divided by D - 1: use the biased variance (np.var's "
                      "default)", gamma * centred / np.sqrt(var * dim / (dim - 1) + eps) + beta),
            Diagnosis("eps_outside_sqrt", "eps belongs under the square root: sqrt(var + eps)",
                      gamma * centred / (np.sqrt(var) + eps) + beta),
            Diagnosis("gamma_beta_swapped", "gamma and beta are swapped: gamma scales x_hat, beta shifts it",
                      beta * x_hat + gamma)]


@graded(LN_FORWARD, points=1)
def layernorm_forward_matches_reference_in_both_modes(student, reference, rng):
    ref = reference.module(MODULE).layernorm_forward
    for num, dim, dtype, eps in LN_CASES:
        x, gamma, beta = _inputs(rng, num, dim, dtype, axis=1)
        expected, ref_cache = ref(*(a.astype(np.float64) for a in (x, gamma, beta)), _param(eps))
        for mode in ("train", "test"):
            given = _param(eps, mode=mode)
            out, cache, after = _forward(student, LN_FORWARD, x, gamma, beta, dict(given))
            what = f"({mode} mode) on {_describe(x, eps)}"
            _compare(out, expected, f"out of layernorm_forward {what}", _tol(dtype), _ln_forward_mistakes(x, gamma, beta, eps))
            check(after == given, "layernorm_forward changed ln_param: layer normalization keeps no running "
                  "averages and needs nothing written back", diagnosis="ln_param_changed")
            _check_cache(cache, ref_cache, "layernorm_forward", x, _tol(dtype), what)


@graded(LN_BACKWARD, points=1)
def layernorm_backward_matches_reference(student, reference, rng):
    _check_backward_on_reference_caches(student, reference, rng, LN_BACKWARD, "layernorm_forward", LN_CASES)
