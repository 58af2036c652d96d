"""Mutation tests for the graded tests of BatchNormalization.ipynb and Dropout.ipynb: weight_std and
FullyConnectedNet with normalization and dropout (classifiers/fc_net.py), batch and layer
normalization and dropout (layers.py), in source/assignment1/tests/{public,hidden}_{normalization,
dropout}.py.

As in test_deep_net_tests.py, each case writes a student folder with variants of the reference
modules and grades it with the real grader (sandbox, public and hidden tests, reference available):

- correct variants (other valid ways to write the code) get full points on every new function;
- buggy variants lose points on the function they break, with a message that names the mistake,
  and keep full points on every function graded with them: the broken function and every function
  whose tests run it (a backward pass's public test runs the student's forward pass; the
  network's tests run every layer, and the base FullyConnectedNet.loss of FullyConnectedNets.ipynb
  runs the network's code). Bugs in the layers the network uses (including the older affine, ReLU
  and softmax layers and the base loss) are graded with the network's tests, to show that the
  network keeps its points;
- the released stubs earn nothing.
"""
import pytest

from autograder.authoring.release import strip_solutions
from autograder.engine.discovery import load_tests

from mutation_helpers import (Bug, TESTS_DIR, assert_bug_caught, assert_full_marks, describe, grade_folder,
                              reference_imports_isolated)
from net_variants import Def, edited, fc_net, layers, reference_sources, write_student

WEIGHT_STD = "classifiers.fc_net.weight_std"
BN_F, BN_B, BN_ALT = "layers.batchnorm_forward", "layers.batchnorm_backward", "layers.batchnorm_backward_alt"
LN_F, LN_B = "layers.layernorm_forward", "layers.layernorm_backward"
DROP_F, DROP_B = "layers.dropout_forward", "layers.dropout_backward"
NET = "classifiers.fc_net.FullyConnectedNet"
NEW_FUNCTIONS = {WEIGHT_STD: 1, BN_F: 5, BN_B: 3, BN_ALT: 2, LN_F: 2, LN_B: 2, DROP_F: 3.5, DROP_B: 2, NET: 7}
NOTEBOOKS = {WEIGHT_STD: "BatchNormalization.ipynb", BN_F: "BatchNormalization.ipynb",
             BN_B: "BatchNormalization.ipynb", BN_ALT: "BatchNormalization.ipynb", LN_F: "BatchNormalization.ipynb",
             LN_B: "BatchNormalization.ipynb", DROP_F: "Dropout.ipynb", DROP_B: "Dropout.ipynb", NET: "Dropout.ipynb"}
BASE_LOSS = "classifiers.fc_net.FullyConnectedNet.loss"
RELU_B, SOFTMAX = "layers.relu_backward", "layers.softmax_loss"
OLDER = {BASE_LOSS: 6, RELU_B: 2, SOFTMAX: 2}
# The functions whose graded tests run a function's code (besides its own tests).
RUN_BY = {WEIGHT_STD: (), BN_F: (BN_B, BN_ALT, NET), BN_B: (NET,), BN_ALT: (), LN_F: (LN_B, NET), LN_B: (NET,),
          DROP_F: (DROP_B, NET), DROP_B: (NET,), NET: (BASE_LOSS,), RELU_B: (BASE_LOSS, NET),
          SOFTMAX: (BASE_LOSS, NET), BASE_LOSS: (NET,)}


@pytest.fixture(scope="module")
def graded_tests():
    """The public and hidden tests of the new functions and of the older ones the network runs
    through, loaded once (the reference's modules imported in isolation, as in test_net_tests.py)."""
    points = {**NEW_FUNCTIONS, **OLDER}
    tests = [t for t in load_tests(TESTS_DIR, include_hidden=True) if t.function in points]
    totals = {f: sum(t.points for t in tests if t.function == f) for f in points}
    assert totals == points, "points per function changed (the notebooks' grade cells hold these)"
    for function, notebook in NOTEBOOKS.items():
        mine = [t for t in tests if t.function == function]
        assert any(t.hidden for t in mine) and any(not t.hidden for t in mine), function
        assert {t.notebook for t in mine} == {notebook}, function
    with reference_imports_isolated():
        yield tests


def grade(graded_tests, folder, sources, functions=tuple(NEW_FUNCTIONS)):
    chosen = [t for t in graded_tests if t.function in functions]
    return grade_folder(chosen, write_student(folder, sources))


def test_released_stubs_earn_nothing_and_say_not_implemented(graded_tests, tmp_path):
    stubs = {name: strip_solutions(text, name) for name, text in reference_sources().items()}
    results = grade(graded_tests, tmp_path, stubs)
    assert sum(r.points for r in results) == 0, describe(results, lambda r: r.points)
    assert all(r.status == "not_implemented" for r in results), describe(results)


# -- correct variants: full points on every new function ---------------------------------------------

# The forward pass step by step (a two-pass variance), the backward pass through the same steps
# in reverse, as CS231n's computational-graph derivation writes it; running averages updated in
# place in the arrays bn_param holds.
BN_FORWARD_STAGED = '''
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    num, dim = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(dim, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(dim, dtype=x.dtype))
    out, cache = None, None
    if mode == "train":
        mean = x.sum(axis=0) / num
        centred = x - mean
        var = (centred ** 2).sum(axis=0) / num
        std = np.sqrt(var + eps)
        x_hat = centred / std
        out = x_hat * gamma + beta
        running_mean *= momentum
        running_mean += (1 - momentum) * mean
        running_var *= momentum
        running_var += (1 - momentum) * var
        cache = {"x": x, "x_hat": x_hat, "mean": mean, "var": var, "gamma": gamma, "eps": eps}
    elif mode == "test":
        x_hat = (x - running_mean) / np.sqrt(running_var + eps)
        out = x_hat * gamma + beta
    else:
        raise ValueError(mode)
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache
'''

BN_BACKWARD_STAGED = '''
def batchnorm_backward(dout, cache):
    x, mean, var, gamma, eps = cache["x"], cache["mean"], cache["var"], cache["gamma"], cache["eps"]
    num = x.shape[0]
    centred = x - mean
    std = np.sqrt(var + eps)
    inv = 1.0 / std
    x_hat = centred * inv
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dinv = (dx_hat * centred).sum(axis=0)
    dcentred = dx_hat * inv
    dstd = -dinv / std ** 2
    dvar = 0.5 * dstd / std
    dsquares = np.ones_like(x) * dvar / num
    dcentred += 2 * centred * dsquares
    dmean = -dcentred.sum(axis=0)
    dx = dcentred + np.ones_like(x) * dmean / num
    return dx, dgamma, dbeta
'''

# The simplified formula written with means instead of sums, reading x_hat from the cache.
BN_BACKWARD_ALT_WITH_MEANS = '''
def batchnorm_backward_alt(dout, cache):
    x_hat, gamma = cache["x_hat"], cache["gamma"]
    inv_std = 1.0 / np.sqrt(cache["var"] + cache["eps"])
    dbeta = dout.sum(axis=0)
    dgamma = np.einsum("nd,nd->d", dout, x_hat)
    dx = gamma * inv_std * (dout - dout.mean(axis=0) - x_hat * (dout * x_hat).mean(axis=0))
    return dx, dgamma, dbeta
'''

# Layer normalization as batch normalization of the transposed minibatch (each example becomes a
# column); the statistics then come out as rows and are reshaped into the documented columns.
LN_FORWARD_TRANSPOSED = '''
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    columns = x.T
    mean = columns.mean(axis=0)
    var = ((columns - mean) ** 2).mean(axis=0)
    x_hat = ((columns - mean) / np.sqrt(var + eps)).T
    out = gamma * x_hat + beta
    cache = {"x": x, "x_hat": x_hat, "mean": mean.reshape(-1, 1), "var": var.reshape(-1, 1),
             "gamma": gamma, "eps": eps}
    return out, cache
'''

LN_BACKWARD_TRANSPOSED = '''
def layernorm_backward(dout, cache):
    x_hat, gamma = cache["x_hat"], cache["gamma"]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = (dout * gamma).T
    x_hat_t = x_hat.T
    inv_std = 1.0 / np.sqrt(cache["var"].ravel() + cache["eps"])
    dx = (inv_std * (dx_hat - dx_hat.mean(axis=0) - x_hat_t * (dx_hat * x_hat_t).mean(axis=0))).T
    return dx, dgamma, dbeta
'''

# Masks from binomial draws (float64), a copy at test time, np.multiply in the backward pass.
DROPOUT_BINOMIAL_FORWARD = '''
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    random = np.random.RandomState(dropout_param["seed"]) if "seed" in dropout_param else np.random
    mask, out = None, None
    if mode == "train":
        mask = random.binomial(1, p, size=x.shape) / p
        out = x * mask
    elif mode == "test":
        out = x.copy()
    else:
        raise ValueError(mode)
    return out, (dropout_param, mask)
'''

DROPOUT_BACKWARD_MULTIPLY = '''
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return np.multiply(dout, mask)
    return dout.copy()
'''

# A boolean mask from random_sample, np.where for the output, the factor array kept for backward.
DROPOUT_WHERE = '''
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    random = np.random.RandomState(dropout_param["seed"]) if "seed" in dropout_param else np.random
    mask, out = None, None
    if mode == "train":
        keep = random.random_sample(x.shape) < p
        out = np.where(keep, x / p, 0.0).astype(x.dtype)
        mask = keep.astype(x.dtype) / np.asarray(p, dtype=x.dtype)
    elif mode == "test":
        out = x
    else:
        raise ValueError(mode)
    return out, (dropout_param, mask)
'''

WEIGHT_STD_TABLE = '''
def weight_std(weight_scale, fan_in):
    if not isinstance(weight_scale, str):
        return float(weight_scale)
    if weight_scale not in WEIGHT_RULES:
        raise ValueError(weight_scale)
    gains = {"xavier": 1.0, "kaiming": 2.0}
    return math.sqrt(gains[weight_scale] / fan_in)
'''

# The network with a table of normalization layers, dict caches, gamma and beta from ones_like /
# zeros_like, dropout before the ReLU (the mask's factors are >= 0, so relu(x * m) = relu(x) * m).
NET_GAMMA_BETA = ("            for i, size in enumerate(hidden_dims, start=1):\n"
                  "                self.params[f\"gamma{i}\"] = np.ones(size, dtype=dtype)\n"
                  "                self.params[f\"beta{i}\"] = np.zeros(size, dtype=dtype)\n")
NET_GAMMA_BETA_LIKE = '''            for i in range(1, self.num_layers):
                bias = self.params["b%d" % i]
                self.params["gamma%d" % i] = np.ones_like(bias)
                self.params["beta%d" % i] = np.zeros_like(bias)
'''

NET_LOSS_TABLE = '''
    def loss(self, X, y=None):
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        for bn_param in self.bn_params:
            bn_param["mode"] = mode
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        layers_of = {"batchnorm": (batchnorm_forward, batchnorm_backward),
                     "layernorm": (layernorm_forward, layernorm_backward)}
        L = self.num_layers
        caches = {}
        h = X
        for i in range(1, L):
            h, caches["affine", i] = affine_forward(h, self.params["W%d" % i], self.params["b%d" % i])
            if self.normalization:
                forward = layers_of[self.normalization][0]
                h, caches["norm", i] = forward(h, self.params["gamma%d" % i], self.params["beta%d" % i],
                                               self.bn_params[i - 1])
            if self.use_dropout:
                h, caches["dropout", i] = dropout_forward(h, self.dropout_param)
            h, caches["relu", i] = relu_forward(h)
        scores, caches["affine", L] = affine_forward(h, self.params["W%d" % L], self.params["b%d" % L])
        if y is None:
            return scores
        loss, d = softmax_loss(scores, y)
        grads = {}
        for i in range(L, 0, -1):
            if i < L:
                d = relu_backward(d, caches["relu", i])
                if self.use_dropout:
                    d = dropout_backward(d, caches["dropout", i])
                if self.normalization:
                    backward = layers_of[self.normalization][1]
                    d, grads["gamma%d" % i], grads["beta%d" % i] = backward(d, caches["norm", i])
            W = self.params["W%d" % i]
            d, dW, grads["b%d" % i] = affine_backward(d, caches["affine", i])
            grads["W%d" % i] = dW + self.reg * W
            loss += 0.5 * self.reg * np.sum(W * W)
        return loss, grads
'''

# Each correct variant with the functions it rewrites: it is graded with those and every function
# whose tests run them (RUN_BY); the others run the reference's code.
CORRECT = {
    "batchnorm_staged_two_pass_forward_and_backward": ((BN_F, BN_B), lambda: edited(
        ("layers.py", Def("batchnorm_forward"), BN_FORWARD_STAGED),
        ("layers.py", Def("batchnorm_backward"), BN_BACKWARD_STAGED))),
    "batchnorm_alt_with_means_and_einsum_and_weight_std_from_a_table": ((BN_ALT, WEIGHT_STD), lambda: edited(
        ("layers.py", Def("batchnorm_backward_alt"), BN_BACKWARD_ALT_WITH_MEANS),
        ("classifiers/fc_net.py", Def("weight_std"), WEIGHT_STD_TABLE),
        fc_net("import numpy as np\n", "import math\n\nimport numpy as np\n"))),
    "layernorm_as_batchnorm_of_the_transpose": ((LN_F, LN_B), lambda: edited(
        ("layers.py", Def("layernorm_forward"), LN_FORWARD_TRANSPOSED),
        ("layers.py", Def("layernorm_backward"), LN_BACKWARD_TRANSPOSED))),
    "dropout_with_binomial_masks": ((DROP_F, DROP_B), lambda: edited(
        ("layers.py", Def("dropout_forward"), DROPOUT_BINOMIAL_FORWARD),
        ("layers.py", Def("dropout_backward"), DROPOUT_BACKWARD_MULTIPLY))),
    "dropout_with_a_boolean_mask_and_where": ((DROP_F,), lambda: edited(
        ("layers.py", Def("dropout_forward"), DROPOUT_WHERE))),
    "net_with_a_table_of_layers_dict_caches_and_dropout_before_the_relu": ((NET,), lambda: edited(
        fc_net(NET_GAMMA_BETA, NET_GAMMA_BETA_LIKE),
        ("classifiers/fc_net.py", Def("loss", method=True, cls="FullyConnectedNet"), NET_LOSS_TABLE))),
    "batchnorm_variance_as_a_mean_of_squares_and_running_averages_as_steps": ((BN_F,), lambda: edited(
        layers("        var = np.var(x, axis=0)  # (D,), divided by N\n",
               "        var = np.mean(np.square(x - mean), axis=0)\n"),
        layers("        running_mean = momentum * running_mean + (1 - momentum) * mean\n",
               "        running_mean = running_mean + (1 - momentum) * (mean - running_mean)\n"),
        layers("        running_var = momentum * running_var + (1 - momentum) * var\n",
               "        running_var = running_var + (1 - momentum) * (var - running_var)\n"))),
    "dropout_mask_kept_as_float64_and_test_time_via_a_mask_of_ones": ((DROP_F,), lambda: edited(
        layers("        mask = ((random.rand(*x.shape) < p) / p).astype(x.dtype)  # 0 where dropped, 1 / p where kept\n",
               "        mask = np.where(random.rand(*x.shape) < p, 1.0 / p, 0.0)\n"),
        layers("        out = x\n        ### END SOLUTION\n", "        out = x * np.ones_like(x)\n        ### END SOLUTION\n"))),
}


@pytest.mark.parametrize("variant", list(CORRECT))
def test_correct_implementation_gets_full_points(graded_tests, tmp_path, variant):
    rewritten, sources = CORRECT[variant]
    functions = set(rewritten).union(*(RUN_BY[f] for f in rewritten))
    results = grade(graded_tests, tmp_path, sources(), functions)
    assert {r.function for r in results} == functions
    assert_full_marks(variant, results, sum({**NEW_FUNCTIONS, **OLDER}[f] for f in functions))


# -- buggy variants: lose points where the bug is, and nowhere else ----------------------------------

BN_VAR = "        var = np.var(x, axis=0)  # (D,), divided by N\n"
BN_X_HAT = "        x_hat = (x - mean) / np.sqrt(var + eps)  # (N, D), every column of mean 0 and variance 1\n"
BN_OUT = "        out = gamma * x_hat + beta  # (N, D), column d of mean beta[d] and spread gamma[d]\n"
BN_MEAN = "        mean = np.mean(x, axis=0)  # (D,)\n"
BN_RUNNING_MEAN = "        running_mean = momentum * running_mean + (1 - momentum) * mean\n"
BN_RUNNING_VAR = "        running_var = momentum * running_var + (1 - momentum) * var\n"
BN_TEST = "        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta  # (N, D)\n"
ALT_DX = "    dx = gamma / (num * np.sqrt(var + eps)) * (num * dout - dbeta - x_hat * dgamma)  # (N, D)\n"
LN_MEAN = "    mean = np.mean(x, axis=1, keepdims=True)  # (N, 1)\n"
LN_VAR = "    var = np.var(x, axis=1, keepdims=True)  # (N, 1)\n"
LN_X_HAT = "    x_hat = (x - mean) / np.sqrt(var + eps)  # (N, D), every row of mean 0 and variance 1\n"
MASK = "        mask = ((random.rand(*x.shape) < p) / p).astype(x.dtype)  # 0 where dropped, 1 / p where kept\n"
TEST_OUT = "        out = x\n        ### END SOLUTION\n"
DROP_DX = "    dx = dout * mask if dropout_param[\"mode\"] == \"train\" else dout\n"
STD = "    std = float(np.sqrt((2.0 if weight_scale == \"kaiming\" else 1.0) / fan_in))\n"
NET_NORM = "            norm_cache = None\n"
NET_RELU = "            hidden, relu_cache = relu_forward(pre)\n"
NET_RELU_BACK = "            dout = relu_backward(dout, relu_cache)\n"
NET_AFFINE_BACK = "            dout, grads[f\"W{i}\"], grads[f\"b{i}\"] = affine_backward(dout, affine_cache)\n"
NET_BN_CALL = ("                pre, norm_cache = batchnorm_forward(pre, self.params[f\"gamma{i}\"], "
               "self.params[f\"beta{i}\"],\n                                                    self.bn_params[i - 1])\n")
NET_LN_CALL = "                pre, norm_cache = layernorm_forward(pre, "
NET_DROPOUT = "                hidden, dropout_cache = dropout_forward(hidden, self.dropout_param)\n"
NET_WEIGHTS = "        weights = [self.params[f\"W{i}\"] for i in range(1, last + 1)]\n"
NET_GAMMA = "                self.params[f\"gamma{i}\"] = np.ones(size, dtype=dtype)\n"
NET_GAMMA_LOOP = "            for i, size in enumerate(hidden_dims, start=1):\n"
BASE_PENALTY = "        loss = data_loss + 0.5 * self.reg * sum(float(np.vdot(W, W)) for W in weights)\n"
BASE_REG_GRAD = "            grads[f\"W{i}\"] += self.reg * self.params[f\"W{i}\"]\n"


def backward_with(name, dx=None, dgamma=None, dbeta=None, returns="dx, dgamma, dbeta"):
    """The reference batch or layer normalization backward pass with some lines replaced."""
    lines = {
        "batchnorm_backward": ['x, x_hat, mean, var, gamma, eps = (cache[k] for k in ("x", "x_hat", "mean", "var", '
                               '"gamma", "eps"))', "num = x.shape[0]", "inv_std = 1.0 / np.sqrt(var + eps)",
                               "dx_hat = dout * gamma", "centred = x - mean",
                               "dvar = -0.5 * np.sum(dx_hat * centred, axis=0) * inv_std ** 3",
                               "dmean = -np.sum(dx_hat, axis=0) * inv_std"],
        "layernorm_backward": ['x_hat, var, gamma, eps = cache["x_hat"], cache["var"], cache["gamma"], cache["eps"]',
                               "num_features = x_hat.shape[1]", "inv_std = 1.0 / np.sqrt(var + eps)",
                               "dx_hat = dout * gamma"]}[name]
    default_dx = {"batchnorm_backward": "dx_hat * inv_std + dvar * 2.0 * centred / num + dmean / num",
                  "layernorm_backward": "inv_std * (dx_hat - dx_hat.mean(axis=1, keepdims=True) - x_hat * "
                                        "(dx_hat * x_hat).mean(axis=1, keepdims=True))"}[name]
    body = lines + [f"dbeta = {dbeta or 'np.sum(dout, axis=0)'}", f"dgamma = {dgamma or 'np.sum(dout * x_hat, axis=0)'}",
                    f"dx = {dx or default_dx}", f"return {returns}"]
    return ("layers.py", Def(name), f"def {name}(dout, cache):\n" + "".join(f"    {line}\n" for line in body))


BUGS = {
    # -- weight_std
    "weight_std_kaiming_without_the_2": Bug(
        lambda: edited(fc_net(STD, STD.replace("(2.0 if weight_scale == \"kaiming\" else 1.0)", "1.0"))),
        broken=WEIGHT_STD, must_fail=("weight_std_matches_reference",)),
    "weight_std_the_rules_swapped": Bug(
        lambda: edited(fc_net(STD, STD.replace("== \"kaiming\"", "== \"xavier\""))),
        broken=WEIGHT_STD, must_fail=("weight_std_matches_reference",)),
    "weight_std_variance_instead_of_std": Bug(
        lambda: edited(fc_net(STD, "    std = float((2.0 if weight_scale == \"kaiming\" else 1.0) / fan_in)\n")),
        broken=WEIGHT_STD, must_fail=("weight_std_matches_reference",)),
    # -- batchnorm_forward
    "batchnorm_forward_unbiased_variance": Bug(
        lambda: edited(layers(BN_VAR, "        var = np.var(x, axis=0, ddof=1)\n")),
        broken=BN_F, must_fail=("batchnorm_forward_normalizes_each_feature_with_the_batch_statistics",
                                "batchnorm_forward_train_mode_matches_reference"),
        must_pass=("batchnorm_backward_matches_reference", "batchnorm_backward_alt_matches_reference")),
    "batchnorm_forward_eps_outside_the_square_root": Bug(
        lambda: edited(layers(BN_X_HAT, "        x_hat = (x - mean) / (np.sqrt(var) + eps)\n")),
        broken=BN_F, must_fail=("batchnorm_forward_train_mode_matches_reference",)),
    "batchnorm_forward_running_averages_not_updated": Bug(
        lambda: edited(layers(BN_RUNNING_MEAN, ""), layers(BN_RUNNING_VAR, "")),
        broken=BN_F, must_fail=("batchnorm_forward_writes_running_averages_into_bn_param",
                                "batchnorm_forward_updates_running_averages_in_bn_param")),
    "batchnorm_forward_momentum_the_wrong_way_round": Bug(
        lambda: edited(layers(BN_RUNNING_MEAN, "        running_mean = (1 - momentum) * running_mean + momentum * mean\n"),
                       layers(BN_RUNNING_VAR, "        running_var = (1 - momentum) * running_var + momentum * var\n")),
        broken=BN_F, must_fail=("batchnorm_forward_writes_running_averages_into_bn_param",
                                "batchnorm_forward_updates_running_averages_in_bn_param")),
    "batchnorm_forward_test_time_with_the_batch_statistics": Bug(
        lambda: edited(layers(BN_TEST, "        out = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta\n")),
        broken=BN_F, must_fail=("batchnorm_forward_test_mode_uses_the_running_averages",
                                "batchnorm_forward_test_mode_matches_reference_and_keeps_the_averages")),
    "batchnorm_forward_running_averages_updated_at_test_time": Bug(
        lambda: edited(layers(BN_TEST, BN_TEST + "        running_mean = momentum * running_mean + (1 - momentum) "
                                                 "* np.mean(x, axis=0)\n")),
        broken=BN_F, must_fail=("batchnorm_forward_test_mode_matches_reference_and_keeps_the_averages",)),
    "batchnorm_forward_gamma_and_beta_swapped": Bug(
        lambda: edited(layers(BN_OUT, "        out = beta * x_hat + gamma\n")),
        broken=BN_F, must_fail=("batchnorm_forward_train_mode_matches_reference",)),
    "batchnorm_forward_statistics_over_the_wrong_axis": Bug(
        lambda: edited(layers(BN_MEAN, "        mean = np.mean(x, axis=1, keepdims=True)\n"),
                       layers(BN_VAR, "        var = np.var(x, axis=1, keepdims=True)\n")),
        broken=BN_F, must_fail=("batchnorm_forward_train_mode_matches_reference",)),
    # -- batchnorm_backward
    "batchnorm_backward_dgamma_summed_over_the_wrong_axis": Bug(
        lambda: edited(backward_with("batchnorm_backward", dgamma="np.sum(dout * x_hat, axis=1)")),
        broken=BN_B, must_fail=("batchnorm_backward_matches_reference",)),
    "batchnorm_backward_dgamma_without_x_hat": Bug(
        lambda: edited(backward_with("batchnorm_backward", dgamma="np.sum(dout, axis=0)")),
        broken=BN_B, must_fail=("batchnorm_backward_matches_numerical_gradient", "batchnorm_backward_matches_reference")),
    "batchnorm_backward_dgamma_and_dbeta_swapped": Bug(
        lambda: edited(backward_with("batchnorm_backward", returns="dx, dbeta, dgamma")),
        broken=BN_B, must_fail=("batchnorm_backward_matches_reference",)),
    "batchnorm_backward_statistics_as_constants": Bug(
        lambda: edited(backward_with("batchnorm_backward", dx="dx_hat * inv_std")),
        broken=BN_B, must_fail=("batchnorm_backward_matches_numerical_gradient", "batchnorm_backward_matches_reference")),
    "batchnorm_backward_without_the_variance_path": Bug(
        lambda: edited(backward_with("batchnorm_backward", dx="dx_hat * inv_std + dmean / num")),
        broken=BN_B, must_fail=("batchnorm_backward_matches_reference",)),
    # -- batchnorm_backward_alt
    "batchnorm_backward_alt_without_the_mean_term": Bug(
        lambda: edited(layers(ALT_DX, ALT_DX.replace(" - dbeta", ""))),
        broken=BN_ALT, must_fail=("batchnorm_backward_alt_matches_numerical_gradient",
                                  "batchnorm_backward_alt_matches_reference")),
    "batchnorm_backward_alt_not_divided_by_n": Bug(
        lambda: edited(layers(ALT_DX, ALT_DX.replace("(num * np.sqrt(var + eps))", "np.sqrt(var + eps)"))),
        broken=BN_ALT, must_fail=("batchnorm_backward_alt_matches_reference",)),
    # -- layernorm
    "layernorm_forward_over_the_batch_axis": Bug(
        lambda: edited(layers(LN_MEAN, "    mean = np.mean(x, axis=0, keepdims=True)\n"),
                       layers(LN_VAR, "    var = np.var(x, axis=0, keepdims=True)\n")),
        broken=LN_F, must_fail=("layernorm_forward_normalizes_each_example_over_its_features",
                                "layernorm_forward_matches_reference_in_both_modes")),
    "layernorm_forward_unbiased_variance": Bug(
        lambda: edited(layers(LN_VAR, "    var = np.var(x, axis=1, ddof=1, keepdims=True)\n")),
        broken=LN_F, must_fail=("layernorm_forward_matches_reference_in_both_modes",)),
    "layernorm_forward_eps_outside_the_square_root": Bug(
        lambda: edited(layers(LN_X_HAT, "    x_hat = (x - mean) / (np.sqrt(var) + eps)\n")),
        broken=LN_F, must_fail=("layernorm_forward_matches_reference_in_both_modes",)),
    "layernorm_backward_dgamma_summed_over_the_wrong_axis": Bug(
        lambda: edited(backward_with("layernorm_backward", dgamma="np.sum(dout * x_hat, axis=1)")),
        broken=LN_B, must_fail=("layernorm_backward_matches_reference",)),
    "layernorm_backward_sums_over_the_batch_axis": Bug(
        lambda: edited(backward_with("layernorm_backward", dx="inv_std * (dx_hat - dx_hat.mean(axis=0) - x_hat * "
                                                              "(dx_hat * x_hat).mean(axis=0))")),
        broken=LN_B, must_fail=("layernorm_backward_matches_numerical_gradient", "layernorm_backward_matches_reference")),
    # -- dropout_forward
    "dropout_forward_p_taken_as_the_drop_probability": Bug(
        lambda: edited(layers(MASK, MASK.replace("< p)", ">= p)"))),
        broken=DROP_F, must_fail=("dropout_forward_keeps_a_share_p_and_divides_by_p",
                                  "dropout_forward_keeps_each_entry_with_probability_p_divided_by_p")),
    "dropout_forward_divides_by_the_drop_probability": Bug(
        lambda: edited(layers(MASK, MASK.replace("/ p)", "/ (1 - p))"))),
        broken=DROP_F, must_fail=("dropout_forward_keeps_a_share_p_and_divides_by_p",)),
    "dropout_forward_not_inverted": Bug(
        lambda: edited(layers(MASK, MASK.replace("/ p)", ")"))),
        broken=DROP_F, must_fail=("dropout_forward_keeps_a_share_p_and_divides_by_p",)),
    "dropout_forward_drops_at_test_time_too": Bug(
        lambda: edited(layers(TEST_OUT, "        out = x * ((random.rand(*x.shape) < p) / p)\n        ### END SOLUTION\n")),
        broken=DROP_F, must_fail=("dropout_forward_test_mode_is_the_identity",)),
    "dropout_forward_scales_by_p_at_test_time": Bug(
        lambda: edited(layers(TEST_OUT, "        out = x * p\n        ### END SOLUTION\n")),
        broken=DROP_F, must_fail=("dropout_forward_test_mode_is_the_identity",)),
    "dropout_forward_one_mask_for_every_example": Bug(
        lambda: edited(layers(MASK, MASK.replace("random.rand(*x.shape)", "random.rand(*x.shape[1:])"))),
        broken=DROP_F, must_fail=("dropout_forward_keeps_each_entry_with_probability_p_divided_by_p",)),
    "dropout_forward_ignores_the_seed": Bug(
        lambda: edited(layers(MASK, MASK.replace("random.rand(", "np.random.rand("))),
        broken=DROP_F, must_fail=("dropout_forward_repeats_a_seeded_mask_and_draws_fresh_ones_otherwise",
                                  "dropout_forward_fresh_masks_and_reproducible_seeds")),
    "dropout_forward_the_same_mask_at_every_call": Bug(
        lambda: edited(layers(MASK, MASK.replace("random.rand(", "np.random.RandomState(0).rand("))),
        broken=DROP_F, must_fail=("dropout_forward_fresh_masks_and_reproducible_seeds",)),
    # -- dropout_backward
    "dropout_backward_forgets_the_mask": Bug(
        lambda: edited(layers(DROP_DX, "    dx = dout\n")),
        broken=DROP_B, must_fail=("dropout_backward_sends_the_gradient_through_the_kept_entries",
                                  "dropout_backward_matches_reference_on_given_masks")),
    "dropout_backward_divides_by_p_again": Bug(
        lambda: edited(layers(DROP_DX, DROP_DX.replace("dout * mask", "dout * mask / dropout_param[\"p\"]"))),
        broken=DROP_B, must_fail=("dropout_backward_matches_reference_on_given_masks",)),
    # -- FullyConnectedNet with normalization and dropout
    "net_penalty_on_gamma_too": Bug(
        lambda: edited(fc_net(NET_WEIGHTS, "        weights = [v for k, v in self.params.items() if k[0] != \"b\"]\n")),
        broken=NET, must_fail=("net_with_normalization_matches_reference_in_training_and_at_test_time",)),
    "net_normalization_after_the_relu": Bug(
        lambda: edited(fc_net(NET_NORM, "            pre, relu_cache = relu_forward(pre)\n" + NET_NORM),
                       fc_net(NET_RELU, "            hidden = pre\n"),
                       fc_net(NET_RELU_BACK, ""),
                       fc_net(NET_AFFINE_BACK, NET_RELU_BACK + NET_AFFINE_BACK)),
        broken=NET, must_fail=("net_with_normalization_matches_reference_in_training_and_at_test_time",)),
    "net_running_averages_kept_in_a_throwaway_dict": Bug(
        lambda: edited(fc_net(NET_BN_CALL, NET_BN_CALL.replace("self.bn_params[i - 1])", "{\"mode\": mode})"))),
        broken=NET, must_fail=("net_test_mode_uses_running_averages_and_turns_dropout_off",
                               "net_running_averages_follow_training_and_not_testing")),
    "net_layernorm_runs_batchnorm": Bug(
        lambda: edited(fc_net(NET_LN_CALL, "                pre, norm_cache = batchnorm_forward(pre, ")),
        broken=NET, must_fail=("net_with_normalization_matches_reference_in_training_and_at_test_time",)),
    "net_gamma_starts_at_zero": Bug(
        lambda: edited(fc_net(NET_GAMMA, NET_GAMMA.replace("np.ones", "np.zeros"))),
        broken=NET, must_fail=("net_with_normalization_has_gamma_and_beta_for_each_hidden_layer",
                               "net_with_normalization_and_dropout_has_its_parameters_and_state")),
    "net_gamma_and_beta_for_the_scores_too": Bug(
        lambda: edited(fc_net(NET_GAMMA_LOOP, "            for i, size in enumerate([*hidden_dims, num_classes], "
                                              "start=1):\n")),
        broken=NET, must_fail=("net_with_normalization_has_gamma_and_beta_for_each_hidden_layer",)),
    "net_dropout_always_in_training_mode": Bug(
        lambda: edited(fc_net(NET_DROPOUT, NET_DROPOUT.replace("self.dropout_param)", "{\"mode\": \"train\", "
                                                               "\"p\": self.dropout_param[\"p\"]})"))),
        broken=NET, must_fail=("net_test_mode_uses_running_averages_and_turns_dropout_off",)),
    # -- bugs in what the network runs through: the network keeps its points
    "relu_backward_forgets_dout": Bug(
        lambda: edited(layers("    dx = dout * (x > 0)\n", "    dx = (x > 0).astype(dout.dtype)\n")),
        broken=RELU_B, must_fail=("relu_backward_matches_reference",)),
    "softmax_loss_gradient_without_minus_one": Bug(
        lambda: edited(layers("    dx[rows, y] -= 1.0\n", "")),
        broken=SOFTMAX, must_fail=("softmax_loss_matches_reference",)),
    "base_loss_penalty_without_the_half": Bug(
        lambda: edited(fc_net(BASE_PENALTY, BASE_PENALTY.replace("0.5 * self.reg", "self.reg")),
                       fc_net(BASE_REG_GRAD, BASE_REG_GRAD.replace("self.reg *", "2 * self.reg *"))),
        broken=BASE_LOSS, must_fail=("fully_connected_net_loss_matches_reference_with_reg_and_float32",)),
}

DIAGNOSES = {
    "weight_std_kaiming_without_the_2": "kaiming_without_2",
    "weight_std_the_rules_swapped": "kaiming_xavier_swapped",
    "weight_std_variance_instead_of_std": "variance_instead_of_std",
    "batchnorm_forward_unbiased_variance": "unbiased_variance",
    "batchnorm_forward_eps_outside_the_square_root": "eps_outside_sqrt",
    "batchnorm_forward_running_averages_not_updated": "running_stats_not_updated",
    "batchnorm_forward_momentum_the_wrong_way_round": "momentum_reversed",
    "batchnorm_forward_test_time_with_the_batch_statistics": "test_mode_uses_batch_statistics",
    "batchnorm_forward_running_averages_updated_at_test_time": "running_stats_updated_in_test_mode",
    "batchnorm_forward_gamma_and_beta_swapped": "gamma_beta_swapped",
    "batchnorm_forward_statistics_over_the_wrong_axis": "normalized_over_wrong_axis",
    "batchnorm_backward_dgamma_summed_over_the_wrong_axis": "dgamma_summed_over_wrong_axis",
    "batchnorm_backward_dgamma_without_x_hat": "dgamma_without_x_hat",
    "batchnorm_backward_dgamma_and_dbeta_swapped": "dgamma_dbeta_swapped",
    "batchnorm_backward_statistics_as_constants": "batch_statistics_treated_as_constants",
    "batchnorm_backward_without_the_variance_path": "variance_path_missing",
    "batchnorm_backward_alt_without_the_mean_term": "mean_path_missing",
    "batchnorm_backward_alt_not_divided_by_n": "dx_not_divided_by_n",
    "layernorm_forward_over_the_batch_axis": "normalized_over_wrong_axis",
    "layernorm_forward_unbiased_variance": "unbiased_variance",
    "layernorm_forward_eps_outside_the_square_root": "eps_outside_sqrt",
    "layernorm_backward_dgamma_summed_over_the_wrong_axis": "dgamma_summed_over_wrong_axis",
    "layernorm_backward_sums_over_the_batch_axis": "dx_sums_over_wrong_axis",
    "dropout_forward_p_taken_as_the_drop_probability": "p_taken_as_drop_probability",
    "dropout_forward_divides_by_the_drop_probability": "divided_by_drop_probability",
    "dropout_forward_not_inverted": "dropout_not_inverted",
    "dropout_forward_drops_at_test_time_too": "dropout_in_test_mode",
    "dropout_forward_scales_by_p_at_test_time": "test_mode_scaled",
    "dropout_forward_one_mask_for_every_example": "mask_shared_across_examples",
    "dropout_forward_ignores_the_seed": "seed_ignored",
    "dropout_forward_the_same_mask_at_every_call": "mask_reused",
    "dropout_backward_forgets_the_mask": "mask_missing_in_backward",
    "dropout_backward_divides_by_p_again": "mask_divided_by_p_twice",
    "net_penalty_on_gamma_too": "penalty_on_gamma_beta",
    "net_normalization_after_the_relu": "normalization_after_relu",
    "net_running_averages_kept_in_a_throwaway_dict": "bn_params_not_passed",
    "net_layernorm_runs_batchnorm": "layernorm_computed_as_batchnorm",
    "net_gamma_starts_at_zero": "gamma_beta_initial_values",
    "net_gamma_and_beta_for_the_scores_too": "normalization_parameters_wrong",
    "net_dropout_always_in_training_mode": "dropout_in_test_mode",
    "relu_backward_forgets_dout": "relu_backward_without_dout",
    "softmax_loss_gradient_without_minus_one": "gradient_without_minus_one",
    "base_loss_penalty_without_the_half": "penalty_without_half",
}


@pytest.mark.parametrize("variant", list(BUGS))
def test_buggy_implementation_loses_points_on_the_broken_function(graded_tests, tmp_path, variant):
    bug = BUGS[variant]
    results = grade(graded_tests, tmp_path, bug.source(), (bug.broken,) + RUN_BY[bug.broken])
    assert_bug_caught(variant, bug, results, DIAGNOSES[variant])
