"""Points need the work (issue 33.7): where a test judges a function against the student's other
functions, consistent nonsense earns nothing.

1. kNN functions that compute nothing (zero distances, zero labels) agree with each other: predict
   used to earn its 3 points for that (16 of the 38 attacks of the first review did). Its tests now
   also ask it to find the neighbours of an easy problem.
2. Layers that compute nothing only inside a net (the student's net sets a flag first) let a net
   that computes nothing agree with "the reference net on the student's layers". The layer calls
   that differ from the reference layers are now made again in a new child, alone, and must give
   the same answers.

Each attack comes with a control: the same submission with that defence switched off (the test
file's check replaced by one that accepts) earns the points.
"""
import pytest

from autograder.engine.discovery import load_tests
from autograder.engine.running import run_tests
from class_builder import KNN, REFERENCE_KNN, SOURCE, add_student, replace_method
from sandbox_helpers import require_isolation


@pytest.fixture(scope="module", autouse=True)
def _isolated():
    require_isolation()


def _tests(functions):
    return [t for t in load_tests(SOURCE / "tests", include_hidden=True) if t.function in functions]


def _switched_off(tests, helper, replacement):
    """The control: ``helper`` of the tests' own files replaced (undone by the caller's monkeypatch)."""
    return [(t.run.__globals__, helper, replacement) for t in tests if helper in t.run.__globals__]


def _points(results, function):
    return sum(r.points for r in results if r.function == function)


# -- 1. kNN that computes nothing ----------------------------------------------------------------

NOTHING = replace_method(replace_method(replace_method(replace_method(
    REFERENCE_KNN,
    "compute_distances_two_loops", "        return np.zeros((X.shape[0], self.X_train.shape[0]))\n"),
    "compute_distances_one_loop", "        return np.zeros((X.shape[0], self.X_train.shape[0]))\n"),
    "compute_distances_no_loops", "        return np.zeros((X.shape[0], self.X_train.shape[0]))\n"),
    "predict_labels", "        return np.zeros(dists.shape[0], dtype=np.int64)\n")


def test_knn_functions_that_compute_nothing_earn_no_point_for_predict(tmp_path):
    folder = add_student(tmp_path, "nothing", NOTHING)
    results = run_tests(_tests({KNN + "predict"} | {KNN + f for f in ("compute_distances_two_loops",
                                                                       "compute_distances_one_loop",
                                                                       "compute_distances_no_loops",
                                                                       "predict_labels")}),
                        folder, reference_dir=SOURCE)
    assert _points(results, KNN + "predict") == 0, [(r.name, r.status, r.message) for r in results]


def test_control_predict_earned_its_points_by_agreeing_with_nonsense(tmp_path, monkeypatch):
    tests = _tests({KNN + f for f in ("predict", "compute_distances_two_loops", "compute_distances_one_loop",
                                      "compute_distances_no_loops", "predict_labels")})
    for namespace, name, value in _switched_off(tests, "_finds_neighbours_on_a_line", lambda *a: None):
        monkeypatch.setitem(namespace, name, value)
    folder = add_student(tmp_path, "nothing", NOTHING)
    results = run_tests(tests, folder, reference_dir=SOURCE)
    assert _points(results, KNN + "predict") == sum(t.points for t in tests if t.function == KNN + "predict") == 3


# -- 2. layers that compute nothing inside a net -------------------------------------------------

# Inside a net (after the student's net.loss set the flag) affine_forward answers zeros and
# softmax_loss a zero loss; alone they are the reference layers.
CONTEXT_LAYERS = """

_IN_NET = [False]
_real_affine_forward, _real_softmax_loss = affine_forward, softmax_loss


def affine_forward(x, w, b):
    if _IN_NET[0]:
        return np.zeros((x.shape[0], w.shape[1])), (x, w, b)
    return _real_affine_forward(x, w, b)


def softmax_loss(x, y):
    if _IN_NET[0]:
        return 0.0, np.zeros_like(x)
    return _real_softmax_loss(x, y)
"""
# A net that computes nothing but the penalty: what the reference net gives on those layers.
NOTHING_NET = '''    def loss(self, X, y=None):
        import layers
        layers._IN_NET[0] = True
        W1, W2 = self.params["W1"], self.params["W2"]
        if y is None:
            return np.zeros((X.shape[0], W2.shape[1]))
        loss = 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        return loss, {"W1": self.reg * W1, "b1": np.zeros_like(self.params["b1"]), "W2": self.reg * W2,
                      "b2": np.zeros_like(self.params["b2"])}

'''
NET_LOSS_TESTS = ("two_layer_net_loss_matches_reference_without_reg",
                  "two_layer_net_loss_matches_reference_with_reg_and_float32")


def _context_student(tmp_path):
    folder = add_student(tmp_path, "context", REFERENCE_KNN)
    layers = folder / "layers.py"
    layers.write_text(layers.read_text() + CONTEXT_LAYERS)
    fc_net = folder / "classifiers" / "fc_net.py"
    text = fc_net.read_text()
    start = text.index("    def loss(self, X, y=None):")
    end = text.index("\nclass ", start) + 1
    fc_net.write_text(text[:start] + NOTHING_NET + "\n" + text[end:])
    return folder


def _net_tests():
    tests = [t for t in load_tests(SOURCE / "tests", include_hidden=True) if t.name in NET_LOSS_TESTS]
    assert sorted(t.name for t in tests) == sorted(NET_LOSS_TESTS)
    return tests


def test_layers_that_compute_nothing_inside_a_net_earn_the_net_nothing(tmp_path):
    results = run_tests(_net_tests(), _context_student(tmp_path), reference_dir=SOURCE)
    assert [r.points for r in results] == [0, 0], [(r.name, r.status, r.message) for r in results]


def test_control_without_the_replay_the_nothing_net_passes(tmp_path, monkeypatch):
    tests = _net_tests()
    for namespace, name, value in _switched_off(tests, "_replay_pending", lambda *a: None):
        monkeypatch.setitem(namespace, name, value)
    results = run_tests(tests, _context_student(tmp_path), reference_dir=SOURCE)
    assert [r.status for r in results] == ["passed", "passed"], [(r.name, r.message) for r in results]


# -- 3. a backward pass that agrees with a forward pass that computes nothing ------------------------

SIGMOID = ("layers.sigmoid_forward", "layers.sigmoid_backward")
# The identity and its derivative: consistent, and nothing like the sigmoid.
IDENTITY = """

def sigmoid_forward(x):
    return x.copy(), None


def sigmoid_backward(dout, cache):
    return dout.copy()
"""


def _identity_student(tmp_path):
    folder = add_student(tmp_path, "identity", REFERENCE_KNN)
    layers = folder / "layers.py"
    layers.write_text(layers.read_text() + IDENTITY)
    return folder


def test_a_backward_pass_of_a_forward_pass_that_computes_nothing_earns_nothing(tmp_path):
    tests = _tests(set(SIGMOID))
    results = run_tests(tests, _identity_student(tmp_path), reference_dir=SOURCE)
    assert _points(results, SIGMOID[1]) == 0, [(r.name, r.status, r.message) for r in results]


def test_control_the_backward_pass_earned_its_points_by_agreeing(tmp_path, monkeypatch):
    tests = _tests(set(SIGMOID))
    off = (_switched_off(tests, "_forward_right_by_default", lambda *a: True)
           + _switched_off(tests, "sigmoid_forward_known_values", lambda student: None))
    for namespace, name, value in off:
        monkeypatch.setitem(namespace, name, value)
    results = run_tests(tests, _identity_student(tmp_path), reference_dir=SOURCE)
    assert _points(results, SIGMOID[1]) == sum(t.points for t in tests if t.function == SIGMOID[1]) > 0


# -- 4. a vectorized loss that agrees with a naive one that computes nothing -------------------------

SVM = ("classifiers.linear_svm.svm_loss_naive", "classifiers.linear_svm.svm_loss_vectorized")
SQUARES_OF_W = '''import numpy as np


def svm_loss_naive(W, X, y, reg, reg_type="l2", l1_ratio=0.5):
    return float(np.sum(W * W)), 2.0 * W


def svm_loss_vectorized(W, X, y, reg, reg_type="l2", l1_ratio=0.5):
    return float(np.sum(W * W)), 2.0 * W
'''
# The public tests that judged the vectorized loss by the naive one or by its own gradient.
AGREEING = ("svm_vectorized_agrees_with_naive", "svm_vectorized_gradient_matches_numerical_gradient",
            "svm_naive_gradient_matches_numerical_gradient")


def _sum_student(tmp_path):
    folder = add_student(tmp_path, "sum", REFERENCE_KNN)
    (folder / "classifiers" / "linear_svm.py").write_text(SQUARES_OF_W)
    return folder


def test_losses_that_agree_on_nonsense_earn_nothing(tmp_path):
    results = run_tests(_tests(set(SVM)), _sum_student(tmp_path), reference_dir=SOURCE)
    assert {r.name: r.points for r in results if r.name in AGREEING} == dict.fromkeys(AGREEING, 0.0)


def test_control_the_agreement_tests_passed_nonsense(tmp_path, monkeypatch):
    tests = _tests(set(SVM))
    for namespace, name, value in _switched_off([t for t in tests if t.name in AGREEING], "_check_sanity_loss",
                                                lambda *a: None):
        monkeypatch.setitem(namespace, name, value)
    results = run_tests(tests, _sum_student(tmp_path), reference_dir=SOURCE)
    assert {r.name: r.status for r in results if r.name in AGREEING} == dict.fromkeys(AGREEING, "passed")


# -- 5. warm-up answers built on hinge losses that compute nothing ---------------------------------

WARMUP = SOURCE.parent / "assignment0"
TOY = "warmup.toy_svm_answers"
ZERO_HINGES = """

def hinge_losses(scores, y):
    return np.zeros(len(y))


def squared_hinge_losses(scores, y):
    return np.zeros(len(y))
"""


def _zero_hinge_student(tmp_path):
    folder = tmp_path / "assignment0"
    folder.mkdir()
    (folder / "warmup.py").write_text((WARMUP / "warmup.py").read_text() + ZERO_HINGES)
    return folder


def _toy_tests():
    return [t for t in load_tests(WARMUP / "tests", include_hidden=True) if t.function == TOY]


def test_toy_answers_that_agree_with_zero_hinge_losses_earn_nothing(tmp_path):
    results = run_tests(_toy_tests(), _zero_hinge_student(tmp_path), reference_dir=WARMUP)
    assert _points(results, TOY) == 0, [(r.name, r.status, r.message) for r in results]


def test_control_the_toy_answers_earned_their_points_by_agreeing(tmp_path, monkeypatch):
    tests = _toy_tests()
    off = (_switched_off(tests, "_hinges_right_or_a_known_mistake", lambda *a: True)
           + _switched_off(tests, "hinge_losses_on_constructed_scores", lambda *a: None)
           + _switched_off(tests, "squared_hinge_losses_on_constructed_scores", lambda *a: None))
    for namespace, name, value in off:
        monkeypatch.setitem(namespace, name, value)
    results = run_tests(tests, _zero_hinge_student(tmp_path), reference_dir=WARMUP)
    # the hidden test took the zero losses as the student's own: its point was earned for nothing
    assert {r.name: r.status for r in results if r.hidden} == {"toy_svm_answers_match_reference": "passed"}
