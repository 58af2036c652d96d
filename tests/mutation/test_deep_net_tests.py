"""Mutation tests for the graded tests of FullyConnectedNets.ipynb: FullyConnectedNet
(classifiers/fc_net.py), maxout_forward and maxout_backward (layers.py) and adagrad (optim.py),
in source/assignment1/tests/{public,hidden}_{fc_net,layers,optim}.py.

As in test_net_tests.py, each case writes a student folder with variants of the reference modules
and grades it with the real grader (sandbox, public and hidden tests, reference available):

- correct variants (other valid ways to write the code) get full points on every test;
- buggy variants lose points on the function they break and keep full points everywhere else. The
  graded set includes the five layers a FullyConnectedNet runs through (affine forward and
  backward, ReLU forward and backward, softmax_loss), so that a bug planted in one of them is
  seen to cost that layer alone and not the network built on it;
- the released stubs earn nothing.
"""

import pytest

from autograder.engine.discovery import load_tests
from autograder.authoring.release import strip_solutions

from mutation_helpers import (Bug, assert_full_marks, TESTS_DIR, assert_bug_caught, describe, grade_folder,
                              reference_imports_isolated)
from net_variants import Def, edited, fc_net, layers, reference_sources, write_student

NOTEBOOK = "FullyConnectedNets.ipynb"
MAXOUT_F, MAXOUT_B = "layers.maxout_forward", "layers.maxout_backward"
ADAGRAD = "optim.adagrad"
INIT = "classifiers.fc_net.FullyConnectedNet.__init__"
LOSS = "classifiers.fc_net.FullyConnectedNet.loss"
NEW_FUNCTIONS = {MAXOUT_F: 2, MAXOUT_B: 3, ADAGRAD: 2, INIT: 2, LOSS: 6}
AFFINE_F, AFFINE_B = "layers.affine_forward", "layers.affine_backward"
RELU_F, RELU_B, SOFTMAX = "layers.relu_forward", "layers.relu_backward", "layers.softmax_loss"
NET_LAYERS = {AFFINE_F: 2, AFFINE_B: 3, RELU_F: 1, RELU_B: 2, SOFTMAX: 2}
POINTS = {**NEW_FUNCTIONS, **NET_LAYERS}


@pytest.fixture(scope="module")
def graded_tests():
    """The public and hidden tests of the five new functions and of the five layers the deep net
    uses, loaded once (the reference's modules imported in isolation, as in test_net_tests.py)."""
    tests = [t for t in load_tests(TESTS_DIR, include_hidden=True) if t.function in POINTS]
    totals = {f: sum(t.points for t in tests if t.function == f) for f in POINTS}
    assert totals == POINTS, "points per function changed (the notebooks' grade cells hold these)"
    for function in NEW_FUNCTIONS:
        mine = [t for t in tests if t.function == function]
        assert any(t.hidden for t in mine) and any(not t.hidden for t in mine), function
        assert {t.notebook for t in mine} == {NOTEBOOK}, function
    with reference_imports_isolated():
        yield tests


def grade(graded_tests, folder, sources):
    return grade_folder(graded_tests, write_student(folder, sources))


def test_released_stubs_earn_nothing_and_say_not_implemented(graded_tests, tmp_path):
    stubs = {name: strip_solutions(text, name) for name, text in reference_sources().items()}
    results = grade(graded_tests, tmp_path, stubs)
    assert sum(r.points for r in results) == 0, describe(results, lambda r: r.points)
    new = [r for r in results if r.function in NEW_FUNCTIONS]
    assert new and all(r.status == "not_implemented" for r in new), describe(new)


# -- correct variants: full points everywhere --------------------------------------------------------

# The pieces one at a time (a loop over K, which is small), the winner from a stacked array.
MAXOUT_PIECE_BY_PIECE = '''
def maxout_forward(x, w, b):
    rows = x.reshape(x.shape[0], -1)
    pieces = [rows.dot(w[:, :, k]) + b[:, k] for k in range(w.shape[2])]
    out = pieces[0]
    for piece in pieces[1:]:
        out = np.maximum(out, piece)
    return out, (x, w, b)
'''

# A one-hot mask of the winners (np.eye of argmax) and einsum for every gradient.
MAXOUT_BACKWARD_ONE_HOT = '''
def maxout_backward(dout, cache):
    x, w, b = cache
    rows = x.reshape(x.shape[0], -1)
    values = np.einsum("nd,dmk->nmk", rows, w) + b
    mask = np.eye(w.shape[2])[np.argmax(values, axis=2)]
    dvalues = mask * dout[:, :, np.newaxis]
    dx = np.einsum("nmk,dmk->nd", dvalues, w).reshape(x.shape)
    dw = np.einsum("nd,nmk->dmk", rows, dvalues)
    db = dvalues.sum(axis=0)
    return dx, dw, db
'''

# In place, as CS231n's own update rules are written.
ADAGRAD_IN_PLACE = '''
def adagrad(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    config["cache"] += dw ** 2
    w -= config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return w, config
'''

# A default_rng when seeded, the sizes zipped, the loss without the layers, with lists of
# activations instead of caches.
DEEP_INIT_WITH_ZIP = '''
    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, reg=0.0, weight_scale=1e-2,
                 dtype=np.float64, seed=None):
        self.reg = reg
        self.dtype = dtype
        self.num_layers = len(hidden_dims) + 1
        if seed is None:
            draw = lambda shape: np.random.randn(*shape)  # noqa: E731
        else:
            draw = np.random.default_rng(seed).standard_normal
        sizes = [input_dim] + list(hidden_dims) + [num_classes]
        self.params = {}
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            self.params["W%d" % i] = np.asarray(weight_scale * draw((fan_in, fan_out)), dtype=dtype)
            self.params["b%d" % i] = np.zeros((fan_out,), dtype=dtype)
'''

DEEP_LOSS_WITHOUT_LAYERS = '''
    def loss(self, X, y=None):
        L = self.num_layers
        activations = [X.reshape(X.shape[0], -1).astype(self.dtype)]
        for i in range(1, L):
            a = activations[-1].dot(self.params["W%d" % i]) + self.params["b%d" % i]
            activations.append(np.maximum(a, 0))
        scores = activations[-1].dot(self.params["W%d" % L]) + self.params["b%d" % L]
        if y is None:
            return scores
        N = X.shape[0]
        p = np.exp(scores - scores.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(N), y]))
        grads = {}
        d = p.copy()
        d[np.arange(N), y] -= 1
        d /= N
        for i in range(L, 0, -1):
            W = self.params["W%d" % i]
            loss += 0.5 * self.reg * np.sum(W * W)
            grads["W%d" % i] = activations[i - 1].T.dot(d) + self.reg * W
            grads["b%d" % i] = d.sum(axis=0)
            d = d.dot(W.T) * (activations[i - 1] > 0)
        return loss, grads
'''

# The winner's index kept in the cache-free way: recomputed, then a mask of the first maximum.
MAXOUT_FIRST_MAXIMUM_MASK = '''
def maxout_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    D, M, K = w.shape
    flat = x.reshape(N, D)
    values = np.tensordot(flat, w, axes=(1, 0)) + b
    is_max = values == values.max(axis=2, keepdims=True)
    first = is_max & (np.cumsum(is_max, axis=2) == 1)
    dvalues = np.where(first, dout[:, :, None], 0.0)
    dx = np.tensordot(dvalues, w, axes=([1, 2], [1, 2])).reshape(x.shape)
    dw = np.tensordot(flat, dvalues, axes=(0, 0))
    db = dvalues.sum(0)
    return dx, dw, db
'''

MAXOUT_TAKE_ALONG_AXIS = '''
def maxout_forward(x, w, b):
    N = x.shape[0]
    D, M, K = w.shape
    values = np.matmul(x.reshape(N, D), w.reshape(D, M * K)).reshape(N, M, K) + b[None, :, :]
    winner = values.argmax(axis=-1)
    out = np.take_along_axis(values, winner[..., None], axis=-1)[..., 0]
    return out, (x, w, b)
'''

ADAGRAD_WITH_NUMPY_FUNCTIONS = '''
def adagrad(w, dw, config=None):
    config = {} if config is None else config
    lr = config.setdefault("learning_rate", 1e-2)
    eps = config.setdefault("epsilon", 1e-8)
    config["cache"] = config.get("cache", np.zeros_like(w)) + np.square(dw)
    return np.subtract(w, lr * np.divide(dw, np.sqrt(config["cache"]) + eps)), config
'''

# np.random.normal, the forward pass with separate affine and ReLU layers and a dict of caches.
DEEP_INIT_WITH_NORMAL = '''
    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, reg=0.0, weight_scale=1e-2,
                 dtype=np.float64, seed=None):
        self.reg = reg
        self.dtype = dtype
        self.num_layers = len(hidden_dims) + 1
        source = np.random.RandomState(seed) if seed is not None else np.random
        self.params = {}
        previous = input_dim
        for i, size in enumerate(list(hidden_dims) + [num_classes]):
            self.params["W" + str(i + 1)] = source.normal(0.0, weight_scale, (previous, size)).astype(dtype)
            self.params["b" + str(i + 1)] = np.zeros(size).astype(dtype)
            previous = size
'''

DEEP_LOSS_WITH_SEPARATE_LAYERS = '''
    def loss(self, X, y=None):
        from layers import relu_forward, relu_backward
        caches = {}
        h = X
        for i in range(1, self.num_layers):
            a, caches["affine%d" % i] = affine_forward(h, self.params["W%d" % i], self.params["b%d" % i])
            h, caches["relu%d" % i] = relu_forward(a)
        L = self.num_layers
        scores, caches["affine%d" % L] = affine_forward(h, self.params["W%d" % L], self.params["b%d" % L])
        if y is None:
            return scores
        loss, d = softmax_loss(scores, y)
        grads = {}
        for i in range(L, 0, -1):
            if i < L:
                d = relu_backward(d, caches["relu%d" % i])
            d, dW, grads["b%d" % i] = affine_backward(d, caches["affine%d" % i])
            W = self.params["W%d" % i]
            grads["W%d" % i] = dW + self.reg * W
            loss += 0.5 * self.reg * np.sum(W ** 2)
        return loss, grads
'''

CORRECT = {
    "reference": lambda: edited(),
    "maxout_piece_by_piece_and_one_hot_backward": lambda: edited(
        ("layers.py", Def("maxout_forward"), MAXOUT_PIECE_BY_PIECE),
        ("layers.py", Def("maxout_backward"), MAXOUT_BACKWARD_ONE_HOT)),
    "adagrad_in_place": lambda: edited(("optim.py", Def("adagrad"), ADAGRAD_IN_PLACE)),
    "adagrad_with_numpy_functions": lambda: edited(("optim.py", Def("adagrad"), ADAGRAD_WITH_NUMPY_FUNCTIONS)),
    "maxout_take_along_axis_and_first_maximum_mask": lambda: edited(
        ("layers.py", Def("maxout_forward"), MAXOUT_TAKE_ALONG_AXIS),
        ("layers.py", Def("maxout_backward"), MAXOUT_FIRST_MAXIMUM_MASK)),
    "deep_net_with_separate_layers_and_normal_init": lambda: edited(
        ("classifiers/fc_net.py", Def("__init__", method=True, cls="FullyConnectedNet"), DEEP_INIT_WITH_NORMAL),
        ("classifiers/fc_net.py", Def("loss", method=True, cls="FullyConnectedNet"), DEEP_LOSS_WITH_SEPARATE_LAYERS)),
    "deep_net_without_the_layers_and_default_rng": lambda: edited(
        ("classifiers/fc_net.py", Def("__init__", method=True, cls="FullyConnectedNet"), DEEP_INIT_WITH_ZIP),
        ("classifiers/fc_net.py", Def("loss", method=True, cls="FullyConnectedNet"), DEEP_LOSS_WITHOUT_LAYERS)),
}


@pytest.mark.parametrize("variant", list(CORRECT))
def test_correct_implementation_gets_full_points(graded_tests, tmp_path, variant):
    results = grade(graded_tests, tmp_path, CORRECT[variant]())
    assert_full_marks(variant, results, sum(POINTS.values()))


# -- buggy variants: lose points where the bug is, and nowhere else ----------------------------------

MAXOUT_BIAS = "    values += b  # (N, M, K)\n"
MAXOUT_OUT = "    out = np.max(values, axis=2)  # (N, M)\n"
MAXOUT_VALUES = ("    values = (x.reshape(num_inputs, dim) @ w.reshape(dim, units * pieces))"
                 ".reshape(num_inputs, units, pieces)\n")
MAXOUT_WINNER = "    winner = np.argmax(values, axis=2)  # (N, M), the first piece on ties\n"
MAXOUT_ROUTE = "    np.put_along_axis(dvalues, winner[:, :, None], dout[:, :, None], axis=2)\n"
MAXOUT_DX = "    dx = (dvalues @ w.reshape(dim, units * pieces).T).reshape(x.shape)\n"
ADAGRAD_CACHE = "    cache = config[\"cache\"] + dw * dw\n"
INIT_W = ("            self.params[f\"W{i}\"] = (weight_scale * random.randn(sizes[i - 1], sizes[i]))"
          ".astype(dtype)\n")
INIT_B = "            self.params[f\"b{i}\"] = np.zeros(sizes[i], dtype=dtype)\n"
INIT_LOOP = "        for i in range(1, self.num_layers + 1):\n"
LOSS_PENALTY = "        loss = data_loss + 0.5 * self.reg * sum(float(np.vdot(W, W)) for W in weights)\n"
LOSS_WEIGHTS = "        weights = [self.params[f\"W{i}\"] for i in range(1, last + 1)]\n"
LOSS_SCORES = ("        scores, cache = affine_forward(hidden, self.params[f\"W{last}\"], "
               "self.params[f\"b{last}\"])  # (N, C)\n")
LOSS_BACKWARD = "            dout, grads[f\"W{i}\"], grads[f\"b{i}\"] = affine_backward(dout, affine_cache)\n"
LOSS_RELU_BACKWARD = "            dout = relu_backward(dout, relu_cache)\n"
LOSS_REG_GRAD = "            grads[f\"W{i}\"] += self.reg * self.params[f\"W{i}\"]\n"
AFFINE_OUT = "    out = rows @ w + b  # (N, M)\n"
AFFINE_DB = "    db = np.sum(dout, axis=0)  # (M,)\n"
RELU_DX = "    dx = dout * (x > 0)\n"
SOFTMAX_MINUS_ONE = "    dx[rows, y] -= 1.0\n"

INIT_TESTS = ("fully_connected_net_init_shapes_dtype_scale_and_seed",
              "fully_connected_net_init_defaults_depths_and_gaussian_weights")
LOSS_REFERENCE_TESTS = ("fully_connected_net_loss_matches_reference_at_several_depths",
                        "fully_connected_net_loss_matches_reference_with_reg_and_float32")
ADAGRAD_TESTS = ("adagrad_steps_worked_out_by_hand", "adagrad_matches_reference_over_several_steps")


def adagrad_with(step):
    """AdaGrad with a wrong line where the reference computes the step (``step`` uses cache)."""
    return ("optim.py", Def("adagrad"), f'''
def adagrad(w, dw, config=None):
    if config is None:
        config = {{}}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    cache = config["cache"] + dw * dw
    next_w = w - config["learning_rate"] * dw / {step}
    config["cache"] = cache
    return next_w, config
''')


BUGS = {
    # -- maxout
    "maxout_forward_without_the_biases": Bug(
        lambda: edited(layers(MAXOUT_BIAS, "")),
        broken=MAXOUT_F, must_fail=("maxout_forward_known_winners", "maxout_forward_matches_reference"),
        must_pass=("maxout_backward_matches_reference", "maxout_backward_sends_a_tie_to_the_first_winner")),
    "maxout_forward_reads_the_pieces_as_units": Bug(
        lambda: edited(layers(MAXOUT_VALUES, MAXOUT_VALUES.replace("units, pieces)\n", "pieces, units)\n")),
                       layers(MAXOUT_BIAS, "    values += b.T[None]\n"),
                       layers(MAXOUT_OUT, "    out = np.max(values, axis=1)\n")),
        broken=MAXOUT_F, must_fail=("maxout_forward_known_winners", "maxout_forward_matches_reference")),
    "maxout_forward_clips_at_zero_like_a_relu": Bug(
        lambda: edited(layers(MAXOUT_OUT, "    out = np.maximum(np.max(values, axis=2), 0)\n")),
        broken=MAXOUT_F, must_fail=("maxout_forward_matches_reference",)),
    "maxout_backward_sends_a_tie_to_every_winner": Bug(
        lambda: edited(layers(MAXOUT_ROUTE, "    dvalues = (values == np.max(values, axis=2, keepdims=True))"
                                            " * dout[:, :, None]\n")),
        broken=MAXOUT_B, must_fail=("maxout_backward_sends_a_tie_to_the_first_winner",
                                    "maxout_backward_matches_reference"),
        must_pass=("maxout_backward_matches_numerical_gradient",)),
    "maxout_backward_sends_a_tie_to_the_last_winner": Bug(
        lambda: edited(layers(MAXOUT_WINNER, "    winner = pieces - 1 - np.argmax(values[:, :, ::-1], axis=2)\n")),
        broken=MAXOUT_B, must_fail=("maxout_backward_sends_a_tie_to_the_first_winner",
                                    "maxout_backward_matches_reference"),
        must_pass=("maxout_backward_matches_numerical_gradient",)),
    "maxout_backward_forgets_dout": Bug(
        lambda: edited(layers(MAXOUT_ROUTE, "    np.put_along_axis(dvalues, winner[:, :, None], 1.0, axis=2)\n")),
        broken=MAXOUT_B, must_fail=("maxout_backward_matches_numerical_gradient",
                                    "maxout_backward_matches_reference")),
    "maxout_backward_dx_not_reshaped_back": Bug(
        lambda: edited(layers(MAXOUT_DX, "    dx = dvalues @ w.reshape(dim, units * pieces).T\n")),
        broken=MAXOUT_B, must_fail=("maxout_backward_matches_numerical_gradient",
                                    "maxout_backward_matches_reference")),
    # -- AdaGrad
    "adagrad_cache_not_accumulated": Bug(
        lambda: edited(optim_line(ADAGRAD_CACHE, "    cache = dw * dw\n")),
        broken=ADAGRAD, must_fail=ADAGRAD_TESTS),
    "adagrad_cache_decays_like_rmsprop": Bug(
        lambda: edited(optim_line(ADAGRAD_CACHE, "    cache = 0.99 * config[\"cache\"] + 0.01 * dw * dw\n")),
        broken=ADAGRAD, must_fail=ADAGRAD_TESTS),
    "adagrad_epsilon_inside_the_square_root": Bug(
        lambda: edited(adagrad_with("np.sqrt(cache + config[\"epsilon\"])")),
        broken=ADAGRAD, must_fail=("adagrad_matches_reference_over_several_steps",)),
    "adagrad_without_the_square_root": Bug(
        lambda: edited(adagrad_with("(cache + config[\"epsilon\"])")),
        broken=ADAGRAD, must_fail=ADAGRAD_TESTS),
    "adagrad_without_epsilon": Bug(
        lambda: edited(adagrad_with("np.sqrt(cache)")),
        broken=ADAGRAD, must_fail=("adagrad_matches_reference_over_several_steps",)),
    # -- FullyConnectedNet.__init__
    "deep_init_weight_scale_as_variance": Bug(
        lambda: edited(fc_net(INIT_W, INIT_W.replace("(weight_scale *", "(np.sqrt(weight_scale) *"))),
        broken=INIT, must_fail=INIT_TESTS),
    "deep_init_he_scaling_instead_of_weight_scale": Bug(
        lambda: edited(fc_net(INIT_W, INIT_W.replace("(weight_scale *", "(np.sqrt(2.0 / sizes[i - 1]) *"))),
        broken=INIT, must_fail=INIT_TESTS),
    "deep_init_ignores_dtype": Bug(
        lambda: edited(fc_net(INIT_W, INIT_W.replace(".astype(dtype)", "")),
                       fc_net(INIT_B, INIT_B.replace(", dtype=dtype", ""))),
        broken=INIT, must_fail=("fully_connected_net_init_shapes_dtype_scale_and_seed",)),
    "deep_init_forgets_the_last_layer": Bug(
        lambda: edited(fc_net(INIT_LOOP, "        for i in range(1, self.num_layers):\n")),
        broken=INIT, must_fail=INIT_TESTS),
    "deep_init_every_hidden_layer_as_wide_as_the_first": Bug(
        lambda: edited(fc_net("        sizes = [input_dim, *hidden_dims, num_classes]\n",
                              "        sizes = [input_dim] + [hidden_dims[0]] * len(hidden_dims) + [num_classes]"
                              " if hidden_dims else [input_dim, num_classes]\n")),
        broken=INIT, must_fail=INIT_TESTS),
    "deep_init_ignores_the_seed": Bug(
        lambda: edited(fc_net(INIT_W, INIT_W.replace("random.randn", "np.random.randn"))),
        broken=INIT, must_fail=("fully_connected_net_init_shapes_dtype_scale_and_seed",),
        must_pass=("fully_connected_net_init_defaults_depths_and_gaussian_weights",)),
    # -- FullyConnectedNet.loss
    "deep_loss_regularizes_the_biases": Bug(
        lambda: edited(fc_net(LOSS_WEIGHTS, "        weights = [self.params[k] for k in sorted(self.params)]\n")),
        broken=LOSS, must_fail=("fully_connected_net_loss_with_half_l2_on_every_layer",
                                "fully_connected_net_loss_matches_reference_with_reg_and_float32")),
    "deep_loss_penalty_without_the_half_consistently": Bug(
        lambda: edited(fc_net(LOSS_PENALTY, LOSS_PENALTY.replace("0.5 * self.reg", "self.reg")),
                       fc_net(LOSS_REG_GRAD, LOSS_REG_GRAD.replace("self.reg *", "2 * self.reg *"))),
        broken=LOSS, must_fail=("fully_connected_net_loss_with_half_l2_on_every_layer",
                                "fully_connected_net_loss_matches_reference_with_reg_and_float32"),
        must_pass=("fully_connected_net_gradients_match_numerical_gradient",
                   "fully_connected_net_loss_matches_reference_at_several_depths")),
    "deep_loss_penalty_leaves_out_the_last_layer": Bug(
        lambda: edited(fc_net(LOSS_WEIGHTS, LOSS_WEIGHTS.replace("range(1, last + 1)", "range(1, last)")),
                       fc_net("        for i in range(1, last + 1):\n", "        for i in range(1, last):\n")),
        broken=LOSS, must_fail=("fully_connected_net_loss_with_half_l2_on_every_layer",
                                "fully_connected_net_loss_matches_reference_with_reg_and_float32")),
    "deep_loss_forgets_the_penalty_gradient": Bug(
        lambda: edited(fc_net(LOSS_REG_GRAD, "            pass\n")),
        broken=LOSS, must_fail=("fully_connected_net_gradients_match_numerical_gradient",
                                "fully_connected_net_loss_matches_reference_with_reg_and_float32")),
    "deep_loss_relu_on_the_scores": Bug(
        lambda: edited(fc_net(LOSS_SCORES, LOSS_SCORES.replace("affine_forward(", "affine_relu_forward("))),
        broken=LOSS, must_fail=("fully_connected_net_scores_on_hand_set_weights",) + LOSS_REFERENCE_TESTS),
    "deep_loss_backward_without_the_relus": Bug(
        lambda: edited(fc_net(LOSS_RELU_BACKWARD, "")),
        broken=LOSS, must_fail=("fully_connected_net_gradients_match_numerical_gradient",) + LOSS_REFERENCE_TESTS),
    "deep_loss_gradients_of_the_wrong_block": Bug(
        # Each layer's gradients stored under the next layer's keys (an off-by-one in the loop).
        lambda: edited(fc_net(LOSS_BACKWARD, LOSS_BACKWARD.replace("{i}", "{i + 1}"))),
        broken=LOSS, must_fail=("fully_connected_net_gradients_match_numerical_gradient",) + LOSS_REFERENCE_TESTS),
    "deep_loss_only_the_first_hidden_layer": Bug(
        lambda: edited(fc_net("        for i in range(1, last):\n", "        for i in range(1, 2):\n")),
        broken=LOSS, must_fail=("fully_connected_net_scores_on_hand_set_weights",) + LOSS_REFERENCE_TESTS),
    # -- bugs in the layers the net runs through: the net keeps its points
    "affine_forward_without_the_bias": Bug(
        lambda: edited(layers(AFFINE_OUT, "    out = rows @ w  # (N, M)\n")),
        broken=AFFINE_F, must_fail=("affine_forward_matches_reference",)),
    "affine_backward_db_summed_over_the_wrong_axis": Bug(
        lambda: edited(layers(AFFINE_DB, "    db = np.sum(dout, axis=1)\n")),
        broken=AFFINE_B, must_fail=("affine_backward_matches_reference",)),
    "relu_backward_forgets_dout": Bug(
        lambda: edited(layers(RELU_DX, "    dx = (x > 0).astype(dout.dtype)\n")),
        broken=RELU_B, must_fail=("relu_backward_matches_reference",)),
    "softmax_loss_gradient_without_minus_one": Bug(
        lambda: edited(layers(SOFTMAX_MINUS_ONE, "")),
        broken=SOFTMAX, must_fail=("softmax_loss_matches_reference",)),
}


def optim_line(old, new):
    return ("optim.py", old, new, 1)


DIAGNOSES = {
    "maxout_forward_without_the_biases": "bias_missing",
    "maxout_forward_reads_the_pieces_as_units": "pieces_read_as_units",
    "maxout_backward_sends_a_tie_to_every_winner": "tie_sent_to_every_winner",
    "maxout_backward_sends_a_tie_to_the_last_winner": "tie_sent_to_last_winner",
    "adagrad_cache_not_accumulated": "cache_not_accumulated",
    "adagrad_cache_decays_like_rmsprop": "cache_decays",
    "adagrad_epsilon_inside_the_square_root": "epsilon_inside_square_root",
    "adagrad_without_the_square_root": "no_square_root",
    "adagrad_without_epsilon": "epsilon_missing",
    "deep_init_weight_scale_as_variance": "weight_scale_as_variance",
    "deep_init_ignores_dtype": "dtype_ignored",
    "deep_init_forgets_the_last_layer": "wrong_number_of_layers",
    "deep_init_every_hidden_layer_as_wide_as_the_first": "argument_ignored",
    "deep_init_ignores_the_seed": "seed_ignored",
    "deep_loss_regularizes_the_biases": "penalty_on_biases",
    "deep_loss_penalty_without_the_half_consistently": "penalty_without_half",
    "deep_loss_penalty_leaves_out_the_last_layer": "penalty_misses_a_layer",
    "deep_loss_relu_on_the_scores": "wrong_forward_formula",
    "deep_loss_forgets_the_penalty_gradient": "penalty_gradient_missing",
    "deep_loss_backward_without_the_relus": "relu_mask_missing_in_backward",
    "maxout_forward_clips_at_zero_like_a_relu": "maxout_clipped_at_zero",
    "deep_init_he_scaling_instead_of_weight_scale": "fan_in_scaling_instead_of_weight_scale",
    "maxout_backward_forgets_dout": "maxout_backward_without_dout",
    "maxout_backward_dx_not_reshaped_back": "dx_not_reshaped",
    "affine_forward_without_the_bias": "bias_missing",
    "affine_backward_db_summed_over_the_wrong_axis": "db_summed_over_wrong_axis",
    "relu_backward_forgets_dout": "relu_backward_without_dout",
    "softmax_loss_gradient_without_minus_one": "gradient_without_minus_one",
}


@pytest.mark.parametrize("variant", list(BUGS))
def test_buggy_implementation_loses_points_on_the_broken_function(graded_tests, tmp_path, variant):
    bug = BUGS[variant]
    results = grade(graded_tests, tmp_path, bug.source())
    assert_bug_caught(variant, bug, results, DIAGNOSES.get(variant, ""))
