"""Mutation tests for the graded two-layer-network tests (source/assignment1/tests/
{public,hidden}_{layers,fc_net,optim}.py).

Each case writes a student folder holding variants of the reference modules layers.py, optim.py,
schedules.py and classifiers/fc_net.py, grades it with the real grader (sandbox included, public
and hidden tests, reference solution available) and checks the verdict:

- correct variants (other valid ways to write the code) get full points on every test;
- buggy variants (realistic student mistakes) lose points on the function they break, with at least
  one of its tests "failed" or "error", and keep full points on every other function;
- the released stubs, and stubs whose regions were just deleted, earn nothing.

Bugs are the reference text with exact reference lines replaced; a replacement asserts that the old
text is present, so an edit to the reference breaks these tests loudly instead of making them
vacuous. Correct variants replace whole functions (the function must exist).

No coupling: a bug costs points in its own function only (checked for every bug).
- A public backward test checks the backward pass against the numerical gradient of the student's
  own forward pass (as the notebook does); it is declared ``uses=(forward,)``, so when the forward
  pass loses points it scores what the backward pass's own (hidden) tests score. Those use the
  cache the docstring fixes, or for layers whose cache the student chooses, accept a dx that is
  right for the student's own forward pass.
- TwoLayerNet.loss: the hidden tests accept the reference's answer, or the reference net's and a
  net of layers' answers computed with the student's own layers (only numbers cross into the
  sandbox); the public tests and the XOR training test are declared ``uses=`` the layers.
"""

import pytest

from autograder.engine.discovery import load_tests
from autograder.authoring.release import STUB_RAISE_RE, strip_solutions

from mutation_helpers import (Bug, assert_full_marks, TESTS_DIR, assert_bug_caught, describe, grade_folder,
                              reference_imports_isolated)
from net_variants import Def, edited, fc_net, layers, optim, reference_sources, schedules, write_student

# Top-level modules the grader imports from the reference solution in this process.
REFERENCE_MODULES = ("layers", "optim", "schedules", "classifiers")

L = "layers."
AFFINE_F, AFFINE_B = L + "affine_forward", L + "affine_backward"
RELU_F, RELU_B = L + "relu_forward", L + "relu_backward"
SIGMOID_F, SIGMOID_B = L + "sigmoid_forward", L + "sigmoid_backward"
TANH_F, TANH_B = L + "tanh_forward", L + "tanh_backward"
LEAKY_F, LEAKY_B = L + "leaky_relu_forward", L + "leaky_relu_backward"
ELU_F, ELU_B = L + "elu_forward", L + "elu_backward"
SVM, SOFTMAX = L + "svm_loss", L + "softmax_loss"
INIT = "classifiers.fc_net.TwoLayerNet.__init__"
LOSS = "classifiers.fc_net.TwoLayerNet.loss"
MOMENTUM, RMSPROP, ADAM = "optim.sgd_momentum", "optim.rmsprop", "optim.adam"
STEP, COSINE, LINEAR, INV_SQRT = ("schedules.step_decay", "schedules.cosine_decay",
                                  "schedules.linear_decay", "schedules.inverse_sqrt_decay")
POINTS = {AFFINE_F: 2, AFFINE_B: 3, RELU_F: 1, RELU_B: 2, SIGMOID_F: 1, SIGMOID_B: 1, TANH_F: 1,
          TANH_B: 1, LEAKY_F: 1, LEAKY_B: 1, ELU_F: 1, ELU_B: 1, SVM: 2, SOFTMAX: 2, INIT: 2, LOSS: 6,
          MOMENTUM: 2, RMSPROP: 2, ADAM: 3, STEP: 1, COSINE: 1, LINEAR: 1, INV_SQRT: 1}
ALL_FUNCTIONS = tuple(POINTS)


# -- fixtures --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_tests():
    """The public and hidden tests of the 23 functions, loaded once.

    The grader imports the reference solution in this process as the top-level modules layers,
    optim, schedules and the package classifiers; sys.path and sys.modules are restored
    afterwards so that other test modules neither see them nor are shadowed by them.
    """
    tests = [t for t in load_tests(TESTS_DIR, include_hidden=True) if t.function in ALL_FUNCTIONS]
    totals = {f: sum(t.points for t in tests if t.function == f) for f in ALL_FUNCTIONS}
    assert totals == POINTS, "points per function changed (the notebook's grade cells hold these)"
    for function in ALL_FUNCTIONS:
        mine = [t for t in tests if t.function == function]
        assert any(t.hidden for t in mine) and any(not t.hidden for t in mine), function
        assert {t.notebook for t in mine} == {"two_layer_net.ipynb"}, function
    with reference_imports_isolated():
        yield tests


def grade(graded_tests, folder, sources):
    return grade_folder(graded_tests, write_student(folder, sources))


# -- the reference and its stubs ---------------------------------------------------------------------

def test_released_stubs_earn_nothing_and_say_not_implemented(graded_tests, tmp_path):
    stubs = {name: strip_solutions(text, name) for name, text in reference_sources().items()}
    results = grade(graded_tests, tmp_path, stubs)
    assert sum(r.points for r in results) == 0, describe(results, lambda r: r.points)
    assert all(r.status == "not_implemented" for r in results), describe(results)


def test_stubs_with_deleted_regions_earn_nothing(graded_tests, tmp_path):
    # A student who deletes `raise NotImplementedError()`: forward passes return None, backward
    # passes None, the net has no params, the update rules return None, the schedules fail.
    stubs = {name: STUB_RAISE_RE.sub("pass", strip_solutions(text, name))
             for name, text in reference_sources().items()}
    results = grade(graded_tests, tmp_path, stubs)
    assert sum(r.points for r in results) == 0, describe(results, lambda r: r.points)


# -- correct variants: full points everywhere --------------------------------------------------------

LAYERS_ALTERNATIVES = [
    # np.dot, an explicit D, einsum for dw, and the sum written as a product with ones.
    ("affine_forward", '''
def affine_forward(x, w, b):
    N = x.shape[0]
    D = int(np.prod(x.shape[1:]))
    out = np.dot(x.reshape(N, D), w) + b.reshape(1, -1)
    cache = (x, w, b)
    return out, cache
'''),
    ("affine_backward", '''
def affine_backward(dout, cache):
    x, w, b = cache
    dx = np.dot(dout, w.T).reshape(*x.shape)
    dw = np.einsum("nd,nm->dm", x.reshape(len(x), -1), dout)
    db = np.ones(dout.shape[0]) @ dout
    return dx, dw, db
'''),
    # ReLU caching its output: out > 0 exactly where x > 0.
    ("relu_forward", '''
def relu_forward(x):
    out = x * (x > 0)
    return out, out
'''),
    ("relu_backward", '''
def relu_backward(dout, cache):
    return np.where(cache > 0, dout, 0.0)
'''),
    # The textbook sigmoid caching x, its derivative recomputed in the backward pass.
    ("sigmoid_forward", '''
def sigmoid_forward(x):
    return 1 / (1 + np.exp(-x)), x
'''),
    ("sigmoid_backward", '''
def sigmoid_backward(dout, cache):
    s = 1 / (1 + np.exp(-cache))
    return dout * s * (1 - s)
'''),
    # tanh from the sigmoid, caching x.
    ("tanh_forward", '''
def tanh_forward(x):
    return 2.0 / (1.0 + np.exp(-2.0 * x)) - 1.0, x
'''),
    ("tanh_backward", '''
def tanh_backward(dout, cache):
    return dout / np.cosh(cache) ** 2
'''),
    # max(alpha x, x) (right for 0 < alpha < 1), a dict as cache, a masked copy for dx.
    ("leaky_relu_forward", '''
def leaky_relu_forward(x, alpha=0.01):
    return np.maximum(alpha * x, x), {"x": x, "alpha": alpha}
'''),
    ("leaky_relu_backward", '''
def leaky_relu_backward(dout, cache):
    dx = dout.copy()
    dx[cache["x"] <= 0] *= cache["alpha"]
    return dx
'''),
    # exp(x) - 1 directly, and the derivative from the output: alpha exp(x) = out + alpha.
    ("elu_forward", '''
def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))
    return out, (x, out, alpha)
'''),
    ("elu_backward", '''
def elu_backward(dout, cache):
    x, out, alpha = cache
    return dout * np.where(x > 0, 1.0, out + alpha)
'''),
    # Margins for every class with the correct class removed at the end, np.add.at for dx.
    ("svm_loss", '''
def svm_loss(x, y):
    N = x.shape[0]
    correct = x[np.arange(N), y].reshape(-1, 1)
    margins = np.maximum(0, x - correct + 1)
    loss = (margins.sum() - N) / N
    margins[np.arange(N), y] = 0
    dx = (margins > 0).astype(float)
    np.add.at(dx, (np.arange(N), y), -dx.sum(axis=1))
    return loss, dx / N
'''),
    # exp / sum / -log(p), shifted by each row's maximum.
    ("softmax_loss", '''
def softmax_loss(x, y):
    N = x.shape[0]
    probs = np.exp(x - x.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y]))
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    return loss, dx / N
'''),
]

NET_WITHOUT_LAYERS = '''
    def loss(self, X, y=None):
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        X2 = X.reshape(X.shape[0], -1)
        h = np.maximum(0, X2.dot(W1) + b1)
        scores = h.dot(W2) + b2
        if y is None:
            return scores
        N = X.shape[0]
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(N), y]).sum() / N + 0.5 * self.reg * ((W1 ** 2).sum() + (W2 ** 2).sum())
        d = p
        d[np.arange(N), y] -= 1
        d /= N
        grads = {"W2": h.T.dot(d) + self.reg * W2, "b2": d.sum(axis=0)}
        dh = d.dot(W2.T) * (h > 0)
        grads["W1"] = X2.T.dot(dh) + self.reg * W1
        grads["b1"] = dh.sum(axis=0)
        return loss, grads
'''

NET_INIT_WITH_NORMAL = '''
    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3,
                 reg=0.0):
        self.reg = reg
        self.params = {
            "W1": np.random.normal(0.0, weight_scale, size=(input_dim, hidden_dim)),
            "W2": np.random.normal(0.0, weight_scale, size=(hidden_dim, num_classes)),
            "b1": np.zeros((hidden_dim,)),
            "b2": np.zeros((num_classes,)),
        }
'''

# epsilon inside the square root, in-place updates of the state and of w (as CS231n's own sgd).
RMSPROP_IN_PLACE = '''
def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    config["cache"] *= config["decay_rate"]
    config["cache"] += (1 - config["decay_rate"]) * dw ** 2
    w -= config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return w, config
'''

# Kingma and Ba's "efficient" form: the bias corrections folded into the step size.
ADAM_EFFICIENT = '''
def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    config["t"] += 1
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * (dw ** 2)
    t = config["t"]
    step_size = config["learning_rate"] * np.sqrt(1 - config["beta2"] ** t) / (1 - config["beta1"] ** t)
    next_w = w - step_size * config["m"] / (np.sqrt(config["v"]) + config["epsilon"])
    return next_w, config
'''

MOMENTUM_IN_PLACE = '''
def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    w += v
    config["velocity"] = v
    return w, config
'''

SCHEDULES_WITH_NUMPY = [
    ("step_decay", '''
def step_decay(initial_lr, t, step_size, gamma=0.1):
    return initial_lr * np.power(gamma, np.floor(t / step_size))
'''),
    ("cosine_decay", '''
def cosine_decay(initial_lr, t, total):
    return 0.5 * initial_lr * (1 + np.cos(np.pi * t / total))
'''),
    ("linear_decay", '''
def linear_decay(initial_lr, t, total):
    return initial_lr - initial_lr * t / total
'''),
    ("inverse_sqrt_decay", '''
def inverse_sqrt_decay(initial_lr, t):
    if t == 0:
        t = 1
    return initial_lr * t ** -0.5
'''),
]

CORRECT = {
    "reference": lambda: edited(),
    "layers_written_other_ways": lambda: edited(
        *[("layers.py", Def(name), code) for name, code in LAYERS_ALTERNATIVES]),
    "two_layer_net_without_the_layers_and_init_with_np_random_normal": lambda: edited(
        ("classifiers/fc_net.py", Def("loss", method=True), NET_WITHOUT_LAYERS),
        ("classifiers/fc_net.py", Def("__init__", method=True), NET_INIT_WITH_NORMAL)),
    "update_rules_in_place_and_efficient_adam": lambda: edited(
        ("optim.py", Def("sgd_momentum"), MOMENTUM_IN_PLACE),
        ("optim.py", Def("rmsprop"), RMSPROP_IN_PLACE),
        ("optim.py", Def("adam"), ADAM_EFFICIENT)),
    "schedules_with_numpy": lambda: edited(
        schedules("import math\n", "import math\n\nimport numpy as np\n"),
        *[("schedules.py", Def(name), code) for name, code in SCHEDULES_WITH_NUMPY]),
}


@pytest.mark.parametrize("variant", list(CORRECT))
def test_correct_implementation_gets_full_points(graded_tests, tmp_path, variant):
    results = grade(graded_tests, tmp_path, CORRECT[variant]())
    assert_full_marks(variant, results, sum(POINTS.values()))


# -- buggy variants: lose points where the bug is, and nowhere else ----------------------------------

AFFINE_OUT = "    out = rows @ w + b  # (N, M)\n"
AFFINE_DX = "    dx = (dout @ w.T).reshape(x.shape)  # (N, D) -> (N, d_1, ..., d_k)\n"
AFFINE_DW = "    dw = rows.T @ dout  # (D, M)\n"
AFFINE_DB = "    db = np.sum(dout, axis=0)  # (M,)\n"
RELU_DX = "    dx = dout * (x > 0)\n"
SIGMOID_CACHE = ("    out = np.where(x >= 0, 1.0 / (1.0 + small), small / (1.0 + small))\n"
                 "    cache = out\n")
TANH_DX = "    dx = dout * (1.0 - out * out)\n"
LEAKY_OUT = "    out = np.where(x > 0, x, alpha * x)\n"
LEAKY_DX = "    dx = dout * np.where(x > 0, 1.0, alpha)\n"
ELU_NEGATIVE = "    negative_part = alpha * np.expm1(np.minimum(x, 0))  # alpha * (exp(x) - 1) for x <= 0\n"
ELU_DX = "    dx = dout * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))\n"
SVM_ZERO_CORRECT = "    margins[rows, y] = 0.0\n"
SVM_DIVIDE = "    dx /= num_train\n"  # in both losses
SOFTMAX_SHIFT = "    shifted = x - np.max(x, axis=1, keepdims=True)  # (N, C), every entry <= 0\n"
SOFTMAX_MINUS_ONE = "    dx[rows, y] -= 1.0\n"
NET_LOSS_REG = "        loss = data_loss + 0.5 * self.reg * (np.vdot(W1, W1) + np.vdot(W2, W2))\n"
NET_GRAD_REG = ("        grads[\"W2\"] += self.reg * W2\n"
                "        grads[\"W1\"] += self.reg * W1\n")
NET_B1_GRAD = "        grads[\"b1\"] = np.sum(dpre, axis=0)  # (H,)\n"
NET_RELU_BACKWARD = ("        dpre = relu_backward(dhidden, relu_cache)"
                     "  # (N, H), the gradient before the ReLU\n")
NET_W1_INIT = ("        self.params[\"W1\"] = weight_scale * np.random.randn(input_dim, hidden_dim)"
               "  # (D, H)\n")
NET_W2_INIT = ("        self.params[\"W2\"] = weight_scale * np.random.randn(hidden_dim, num_classes)"
               "  # (H, C)\n")
NET_SCORES = "        scores, scores_cache = affine_forward(hidden, W2, b2)  # (N, C)\n"
NET_HIDDEN = "        hidden, hidden_cache = affine_relu_forward(X, W1, b1)  # (N, H)\n"
RMSPROP_STEP = ("    next_w = w - config[\"learning_rate\"] * dw"
                " / (np.sqrt(cache) + config[\"epsilon\"])\n")

# Tests named by several bugs.
AFFINE_F_TESTS = ("affine_forward_flattens_each_input_and_adds_the_bias", "affine_forward_matches_reference")
LEAKY_B_TESTS = ("leaky_relu_backward_matches_numerical_gradient", "leaky_relu_backward_matches_reference")
SOFTMAX_TESTS = ("softmax_loss_known_values_stability_and_numerical_gradient",
                 "softmax_loss_matches_reference")
NET_SCORES_TESTS = ("two_layer_net_scores_on_hand_set_weights",
                    "two_layer_net_loss_matches_reference_without_reg")
MOMENTUM_TESTS = ("sgd_momentum_steps_worked_out_by_hand",
                  "sgd_momentum_matches_reference_over_several_steps")
INV_SQRT_TESTS = ("inverse_sqrt_decay_known_values", "inverse_sqrt_decay_matches_reference")
NET_B1_INIT = "        self.params[\"b1\"] = np.zeros(hidden_dim)  # (H,)\n"
MOMENTUM_V = "    v = config[\"momentum\"] * config[\"velocity\"] - config[\"learning_rate\"] * dw\n"
MOMENTUM_STORE = "    config[\"velocity\"] = v\n"
RMSPROP_CACHE = "    cache = decay * config[\"cache\"] + (1.0 - decay) * dw * dw\n"
ADAM_T = "    t = config[\"t\"] + 1\n"
ADAM_MOMENTS = ("    m = beta1 * config[\"m\"] + (1.0 - beta1) * dw\n"
                "    v = beta2 * config[\"v\"] + (1.0 - beta2) * dw * dw\n")
ADAM_HATS = ("    m_hat = m / (1.0 - beta1 ** t)\n"
             "    v_hat = v / (1.0 - beta2 ** t)\n")
STEP_LR = "    lr = initial_lr * gamma ** (t // step_size)\n"
COSINE_LR = "    lr = 0.5 * initial_lr * (1.0 + math.cos(math.pi * t / total))\n"
LINEAR_LR = "    lr = initial_lr * (1.0 - t / total)\n"
INV_SQRT_LR = "    lr = initial_lr / math.sqrt(max(t, 1))\n"

BUGS = {
    # -- affine
    "affine_forward_without_the_bias": Bug(
        lambda: edited(layers(AFFINE_OUT, "    out = rows @ w\n")),
        broken=AFFINE_F,
        must_fail=AFFINE_F_TESTS,
        must_pass=("affine_backward_matches_reference", "affine_backward_single_example_and_float32")),
    "affine_backward_dx_not_reshaped_back": Bug(
        lambda: edited(layers(AFFINE_DX, "    dx = dout @ w.T\n")),
        broken=AFFINE_B,
        must_fail=("affine_backward_matches_numerical_gradient", "affine_backward_matches_reference",
                   "affine_backward_single_example_and_float32")),
    "affine_backward_db_summed_over_the_wrong_axis": Bug(
        lambda: edited(layers(AFFINE_DB, "    db = np.sum(dout, axis=1)\n")),
        broken=AFFINE_B,
        must_fail=("affine_backward_matches_numerical_gradient", "affine_backward_matches_reference")),
    "affine_backward_dw_transposed": Bug(
        lambda: edited(layers(AFFINE_DW, "    dw = dout.T @ rows\n")),
        broken=AFFINE_B,
        must_fail=("affine_backward_matches_numerical_gradient", "affine_backward_matches_reference")),
    # -- affine, realistic slips the value tests alone did not see
    "affine_forward_caches_the_reshaped_x": Bug(
        lambda: edited(layers("    rows = x.reshape(x.shape[0], -1)  # (N, D)\n" + AFFINE_OUT,
                              "    x = x.reshape(x.shape[0], -1)  # (N, D)\n    out = x @ w + b\n")),
        broken=AFFINE_F, must_fail=("affine_forward_matches_reference",),
        must_pass=("affine_backward_matches_reference", "affine_backward_single_example_and_float32")),
    # -- ReLU
    "relu_forward_zeroes_the_callers_x": Bug(
        lambda: edited(layers("    out = np.maximum(0, x)\n", "    x[x < 0] = 0\n    out = x\n")),
        broken=RELU_F, must_fail=("relu_forward_matches_reference",),
        must_pass=("relu_backward_matches_reference",)),
    "relu_backward_zeroes_the_callers_dout": Bug(
        lambda: edited(layers(RELU_DX, "    dout[x <= 0] = 0\n    dx = dout\n")),
        broken=RELU_B, must_fail=("relu_backward_matches_reference",)),
    "relu_backward_passes_the_gradient_at_zero": Bug(
        lambda: edited(layers(RELU_DX, "    dx = dout * (x >= 0)\n")),
        broken=RELU_B, must_fail=("relu_backward_matches_reference",)),
    "relu_backward_forgets_dout": Bug(
        lambda: edited(layers(RELU_DX, "    dx = (x > 0).astype(float)\n")),
        broken=RELU_B,
        must_fail=("relu_backward_matches_numerical_gradient", "relu_backward_matches_reference")),
    "relu_forward_is_the_absolute_value": Bug(
        lambda: edited(layers("    out = np.maximum(0, x)\n", "    out = np.abs(x)\n")),
        broken=RELU_F,
        must_fail=("relu_forward_zeroes_negative_inputs", "relu_forward_matches_reference"),
        must_pass=("relu_backward_matches_reference",)),
    # -- sigmoid and tanh
    "sigmoid_backward_uses_x_instead_of_sigmoid_x": Bug(
        # The forward pass caches x; the backward pass treats the cache as sigmoid(x).
        lambda: edited(layers(SIGMOID_CACHE, SIGMOID_CACHE.replace("cache = out", "cache = x"))),
        broken=SIGMOID_B,
        must_fail=("sigmoid_backward_matches_numerical_gradient", "sigmoid_backward_matches_reference"),
        must_pass=("sigmoid_forward_known_values", "sigmoid_forward_matches_reference")),
    "tanh_backward_without_the_square": Bug(
        lambda: edited(layers(TANH_DX, "    dx = dout * (1.0 - out)\n")),
        broken=TANH_B,
        must_fail=("tanh_backward_matches_numerical_gradient", "tanh_backward_matches_reference")),
    # -- leaky ReLU and ELU
    "leaky_relu_backward_slope_on_the_wrong_side": Bug(
        lambda: edited(layers(LEAKY_DX, "    dx = dout * np.where(x > 0, alpha, 1.0)\n")),
        broken=LEAKY_B,
        must_fail=LEAKY_B_TESTS),
    "leaky_relu_forward_ignores_alpha": Bug(
        lambda: edited(layers(LEAKY_OUT, "    out = np.where(x > 0, x, 0.01 * x)\n")),
        broken=LEAKY_F,
        must_fail=("leaky_relu_forward_scales_negative_inputs", "leaky_relu_forward_matches_reference"),
        must_pass=("leaky_relu_backward_matches_reference",)),
    "elu_backward_missing_alpha": Bug(
        lambda: edited(layers(ELU_DX, "    dx = dout * np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))\n")),
        broken=ELU_B,
        must_fail=("elu_backward_matches_numerical_gradient", "elu_backward_matches_reference")),
    "elu_forward_missing_alpha": Bug(
        lambda: edited(layers(ELU_NEGATIVE, "    negative_part = np.expm1(np.minimum(x, 0))\n")),
        broken=ELU_F,
        must_fail=("elu_forward_known_values", "elu_forward_matches_reference"),
        must_pass=("elu_backward_matches_reference",)),
    # -- losses
    "svm_loss_counts_the_correct_class": Bug(
        lambda: edited(layers(SVM_ZERO_CORRECT, "")),
        broken=SVM,
        must_fail=("svm_loss_known_value_and_numerical_gradient", "svm_loss_matches_reference")),
    "svm_loss_gradient_not_divided_by_N": Bug(
        lambda: edited(layers(SVM_DIVIDE + "    ### END SOLUTION\n    return loss, dx\n\n\ndef softmax_loss",
                              "    ### END SOLUTION\n    return loss, dx\n\n\ndef softmax_loss")),
        broken=SVM,
        must_fail=("svm_loss_known_value_and_numerical_gradient", "svm_loss_matches_reference")),
    "softmax_loss_without_max_shift": Bug(
        lambda: edited(layers(SOFTMAX_SHIFT, "    shifted = x\n")),
        broken=SOFTMAX,
        must_fail=SOFTMAX_TESTS),
    "softmax_loss_shifts_by_the_global_max": Bug(
        lambda: edited(layers(SOFTMAX_SHIFT, "    shifted = x - np.max(x)\n")),
        broken=SOFTMAX,
        must_fail=SOFTMAX_TESTS),
    "softmax_loss_gradient_without_minus_one": Bug(
        lambda: edited(layers(SOFTMAX_MINUS_ONE, "")),
        broken=SOFTMAX,
        must_fail=SOFTMAX_TESTS),
    # -- the network
    "two_layer_net_penalty_without_the_half_consistently": Bug(
        lambda: edited(fc_net(NET_LOSS_REG, NET_LOSS_REG.replace("0.5 * self.reg", "self.reg")),
                       fc_net(NET_GRAD_REG, NET_GRAD_REG.replace("self.reg *", "2 * self.reg *"))),
        broken=LOSS,
        must_fail=("two_layer_net_loss_on_hand_set_weights_with_half_l2",
                   "two_layer_net_loss_matches_reference_with_reg_and_float32"),
        must_pass=("two_layer_net_gradients_match_numerical_gradient",
                   "two_layer_net_loss_matches_reference_without_reg")),
    "two_layer_net_penalty_without_the_half_in_the_loss_only": Bug(
        lambda: edited(fc_net(NET_LOSS_REG, NET_LOSS_REG.replace("0.5 * self.reg", "self.reg"))),
        broken=LOSS,
        must_fail=("two_layer_net_loss_on_hand_set_weights_with_half_l2",
                   "two_layer_net_gradients_match_numerical_gradient",
                   "two_layer_net_loss_matches_reference_with_reg_and_float32")),
    "two_layer_net_penalty_gradient_of_the_linear_classifiers": Bug(
        lambda: edited(fc_net(NET_GRAD_REG, NET_GRAD_REG.replace("self.reg *", "2 * self.reg *"))),
        broken=LOSS,
        must_fail=("two_layer_net_gradients_match_numerical_gradient",
                   "two_layer_net_loss_matches_reference_with_reg_and_float32"),
        must_pass=("two_layer_net_loss_on_hand_set_weights_with_half_l2",)),
    "two_layer_net_forgets_the_gradient_of_b1": Bug(
        lambda: edited(fc_net(NET_B1_GRAD, "        grads[\"b1\"] = np.zeros_like(b1)\n")),
        broken=LOSS,
        must_fail=("two_layer_net_gradients_match_numerical_gradient",
                   "two_layer_net_loss_matches_reference_without_reg")),
    "two_layer_net_backward_skips_the_relu": Bug(
        lambda: edited(fc_net(NET_RELU_BACKWARD, "        dpre = dhidden\n")),
        broken=LOSS,
        must_fail=("two_layer_net_gradients_match_numerical_gradient",
                   "two_layer_net_loss_matches_reference_without_reg")),
    "two_layer_net_regularizes_the_biases": Bug(
        lambda: edited(fc_net(NET_LOSS_REG, NET_LOSS_REG.replace(
            "np.vdot(W2, W2))", "np.vdot(W2, W2) + np.sum(b1 * b1) + np.sum(b2 * b2))"))),
        broken=LOSS,
        must_fail=("two_layer_net_loss_on_hand_set_weights_with_half_l2",
                   "two_layer_net_loss_matches_reference_with_reg_and_float32")),
    "two_layer_net_relu_on_the_scores": Bug(
        lambda: edited(fc_net(NET_SCORES, NET_SCORES.replace("affine_forward", "affine_relu_forward"))),
        broken=LOSS,
        must_fail=NET_SCORES_TESTS),
    "two_layer_net_forward_without_b1": Bug(
        lambda: edited(fc_net(NET_HIDDEN, NET_HIDDEN.replace("W1, b1)", "W1, 0 * b1)"))),
        broken=LOSS,
        must_fail=NET_SCORES_TESTS),
    "two_layer_net_init_weight_scale_as_variance": Bug(
        lambda: edited(fc_net(NET_W1_INIT, NET_W1_INIT.replace("weight_scale *", "np.sqrt(weight_scale) *")),
                       fc_net(NET_W2_INIT, NET_W2_INIT.replace("weight_scale *", "np.sqrt(weight_scale) *"))),
        broken=INIT,
        must_fail=("two_layer_net_init_shapes_zero_biases_and_weight_scale",
                   "two_layer_net_init_defaults_arguments_and_gaussian_weights")),
    "two_layer_net_init_uniform_weights": Bug(
        lambda: edited(fc_net(NET_W1_INIT, NET_W1_INIT.replace("randn", "rand")),
                       fc_net(NET_W2_INIT, NET_W2_INIT.replace("randn", "rand"))),
        broken=INIT,
        must_fail=("two_layer_net_init_shapes_zero_biases_and_weight_scale",
                   "two_layer_net_init_defaults_arguments_and_gaussian_weights")),
    "two_layer_net_init_uniform_weights_of_the_right_spread": Bug(
        lambda: edited(fc_net(NET_W1_INIT, "        self.params[\"W1\"] = weight_scale * np.sqrt(3) * "
                                           "np.random.uniform(-1, 1, (input_dim, hidden_dim))\n")),
        broken=INIT, must_fail=("two_layer_net_init_defaults_arguments_and_gaussian_weights",)),
    "two_layer_net_init_ignores_hidden_dim": Bug(
        lambda: edited(fc_net(NET_W1_INIT, NET_W1_INIT.replace("hidden_dim)", "100)")),
                       fc_net(NET_B1_INIT, NET_B1_INIT.replace("hidden_dim)", "100)")),
                       fc_net(NET_W2_INIT, NET_W2_INIT.replace("(hidden_dim,", "(100,"))),
        broken=INIT,
        must_fail=("two_layer_net_init_shapes_zero_biases_and_weight_scale",
                   "two_layer_net_init_defaults_arguments_and_gaussian_weights")),
    # -- update rules
    "sgd_momentum_sign_error": Bug(
        lambda: edited(optim(MOMENTUM_V, MOMENTUM_V.replace("- config", "+ config"))),
        broken=MOMENTUM,
        must_fail=MOMENTUM_TESTS),
    "sgd_momentum_forgets_the_velocity": Bug(
        lambda: edited(optim(MOMENTUM_STORE, "")),
        broken=MOMENTUM,
        must_fail=MOMENTUM_TESTS),
    "rmsprop_decays_dw_instead_of_its_square": Bug(
        lambda: edited(optim(RMSPROP_CACHE, RMSPROP_CACHE.replace("dw * dw", "dw"))),
        broken=RMSPROP,
        must_fail=("rmsprop_steps_worked_out_by_hand", "rmsprop_matches_reference_over_several_steps")),
    # The docstring's rule is dw / (sqrt(cache) + epsilon): inside the root, epsilon swamps small
    # gradients; without it, an entry whose gradients were all zero divides 0 by 0.
    "rmsprop_epsilon_inside_the_square_root": Bug(
        lambda: edited(optim(RMSPROP_STEP, RMSPROP_STEP.replace("(np.sqrt(cache) + config[\"epsilon\"])",
                                                                "np.sqrt(cache + config[\"epsilon\"])"))),
        broken=RMSPROP, must_fail=("rmsprop_matches_reference_over_several_steps",)),
    "rmsprop_without_epsilon": Bug(
        lambda: edited(optim(RMSPROP_STEP, RMSPROP_STEP.replace(" + config[\"epsilon\"]", ""))),
        broken=RMSPROP, must_fail=("rmsprop_matches_reference_over_several_steps",)),
    "rmsprop_without_the_square_root": Bug(
        lambda: edited(optim(RMSPROP_STEP, RMSPROP_STEP.replace("np.sqrt(cache)", "cache"))),
        broken=RMSPROP,
        must_fail=("rmsprop_steps_worked_out_by_hand", "rmsprop_matches_reference_over_several_steps")),
    "adam_without_bias_correction": Bug(
        lambda: edited(optim(ADAM_HATS, "    m_hat, v_hat = m, v\n")),
        broken=ADAM,
        must_fail=("adam_steps_worked_out_by_hand", "adam_matches_reference_over_several_steps",
                   "adam_resumes_from_a_stored_state")),
    "adam_increments_t_after_using_it": Bug(
        lambda: edited(optim(ADAM_T, "    t = config[\"t\"]\n"),
                       optim("    config[\"m\"], config[\"v\"], config[\"t\"] = m, v, t\n",
                             "    config[\"m\"], config[\"v\"], config[\"t\"] = m, v, t + 1\n")),
        broken=ADAM,
        must_fail=("adam_steps_worked_out_by_hand", "adam_matches_reference_over_several_steps",
                   "adam_resumes_from_a_stored_state")),
    "adam_increments_t_after_use_but_avoids_dividing_by_zero": Bug(
        lambda: edited(optim(ADAM_T, "    t = max(config[\"t\"], 1)\n"),
                       optim("    config[\"m\"], config[\"v\"], config[\"t\"] = m, v, t\n",
                             "    config[\"m\"], config[\"v\"], config[\"t\"] = m, v, config[\"t\"] + 1\n")),
        broken=ADAM,
        must_fail=("adam_resumes_from_a_stored_state",)),
    "adam_swaps_the_betas": Bug(
        lambda: edited(optim(ADAM_MOMENTS, ADAM_MOMENTS.replace("beta1", "BETA").replace("beta2", "beta1")
                             .replace("BETA", "beta2"))),
        broken=ADAM,
        must_fail=("adam_steps_worked_out_by_hand", "adam_matches_reference_over_several_steps")),
    # -- schedules
    "step_decay_decays_continuously": Bug(
        lambda: edited(schedules(STEP_LR, STEP_LR.replace("t // step_size", "t / step_size"))),
        broken=STEP, must_fail=("step_decay_known_values", "step_decay_matches_reference")),
    "cosine_decay_in_degrees": Bug(
        lambda: edited(schedules(COSINE_LR, COSINE_LR.replace("math.pi * t", "180.0 * t"))),
        broken=COSINE, must_fail=("cosine_decay_known_values", "cosine_decay_matches_reference")),
    "linear_decay_operator_precedence": Bug(
        lambda: edited(schedules(LINEAR_LR, "    lr = initial_lr * 1.0 - t / total\n")),
        broken=LINEAR, must_fail=("linear_decay_known_values", "linear_decay_matches_reference")),
    "inverse_sqrt_decay_crashes_at_t_0": Bug(
        lambda: edited(schedules(INV_SQRT_LR, "    lr = initial_lr / math.sqrt(t)\n")),
        broken=INV_SQRT, must_fail=INV_SQRT_TESTS),
}


# The mistake each planted bug should be named as (autograder/engine/diagnosis.py and the hidden tests):
# the proof that every diagnosis fires on the bug it describes.
DIAGNOSES = {
    "affine_forward_without_the_bias": "bias_missing",
    "affine_backward_dx_not_reshaped_back": "dx_not_reshaped",
    "affine_backward_db_summed_over_the_wrong_axis": "db_summed_over_wrong_axis",
    "affine_backward_dw_transposed": "transposed",
    "affine_forward_caches_the_reshaped_x": "cache_holds_reshaped_x",
    "relu_forward_zeroes_the_callers_x": "changed_input_in_place",
    "relu_backward_zeroes_the_callers_dout": "changed_input_in_place",
    "relu_backward_passes_the_gradient_at_zero": "relu_gradient_at_zero",
    "relu_backward_forgets_dout": "relu_backward_without_dout",
    "relu_forward_is_the_absolute_value": "absolute_value",
    "sigmoid_backward_uses_x_instead_of_sigmoid_x": "sigmoid_derivative_of_x",
    "tanh_backward_without_the_square": "tanh_derivative_without_square",
    "leaky_relu_backward_slope_on_the_wrong_side": "leaky_slope_on_wrong_side",
    "leaky_relu_forward_ignores_alpha": "alpha_ignored",
    "elu_backward_missing_alpha": "elu_derivative_without_alpha",
    "elu_forward_missing_alpha": "alpha_ignored",
    "svm_loss_counts_the_correct_class": "hinge_counts_correct_class",
    "svm_loss_gradient_not_divided_by_N": "not_divided_by_n",
    "softmax_loss_without_max_shift": "no_max_shift",
    "softmax_loss_shifts_by_the_global_max": "no_max_shift",
    "softmax_loss_gradient_without_minus_one": "gradient_without_minus_one",
    "two_layer_net_penalty_without_the_half_consistently": "penalty_without_half",
    "two_layer_net_penalty_without_the_half_in_the_loss_only": "penalty_without_half",
    "two_layer_net_forgets_the_gradient_of_b1": "all_zeros",
    "two_layer_net_regularizes_the_biases": "penalty_on_biases",
    "two_layer_net_backward_skips_the_relu": "relu_mask_missing_in_backward",
    "two_layer_net_penalty_gradient_of_the_linear_classifiers": "penalty_gradient_doubled",
    "two_layer_net_relu_on_the_scores": "wrong_forward_formula",
    "two_layer_net_forward_without_b1": "wrong_forward_formula",
    "two_layer_net_init_weight_scale_as_variance": "weight_scale_as_variance",
    "two_layer_net_init_uniform_weights": "uniform_weights",
    "two_layer_net_init_uniform_weights_of_the_right_spread": "weights_not_gaussian",
    "two_layer_net_init_ignores_hidden_dim": "argument_ignored",
    "sgd_momentum_sign_error": "sign_flipped",
    "sgd_momentum_forgets_the_velocity": "velocity_not_kept",
    "rmsprop_epsilon_inside_the_square_root": "epsilon_inside_square_root",
    "rmsprop_without_epsilon": "epsilon_missing",
    "rmsprop_without_the_square_root": "no_square_root",
    "adam_without_bias_correction": "adam_without_bias_correction",
    "step_decay_decays_continuously": "step_decay_continuous",
    "cosine_decay_in_degrees": "degrees_instead_of_radians",
    "linear_decay_operator_precedence": "operator_precedence",
}


@pytest.mark.parametrize("variant", list(BUGS))
def test_buggy_implementation_loses_points_on_the_broken_function(graded_tests, tmp_path, variant):
    bug = BUGS[variant]
    results = grade(graded_tests, tmp_path, bug.source())
    assert_bug_caught(variant, bug, results, DIAGNOSES.get(variant, ""))
