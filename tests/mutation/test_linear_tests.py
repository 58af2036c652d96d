"""Mutation tests for the graded linear-classifier tests (source/assignment1/tests/
{public,hidden}_{linear_svm,softmax,linear_classifier}.py).

Each case writes a student folder holding variants of the reference modules linear_svm.py,
softmax.py and linear_classifier.py, grades it with the real grader (sandbox included, public and
hidden tests, reference solution available) and checks the verdict:

- correct variants (other valid ways to write the code) get full points on every test;
- buggy variants (realistic student mistakes) lose points on the function they break, with at least
  one of its tests "failed" or "error", and keep full points on every other function;
- the released stubs, and stubs whose regions were just deleted, earn nothing.

Variants are the reference text with exact reference lines replaced; a replacement asserts that the
old text is present, so an edit to the reference breaks these tests loudly instead of making them
vacuous.

No coupling: a bug costs points in its own function only (checked for every bug). The public
test svm_vectorized_agrees_with_naive (and its softmax twin) compares the vectorized function with
the student's own naive one; it is declared ``uses=(naive,)``, so when the naive version loses
points that test scores what the vectorized function's own tests score. train is graded through
whichever subclass has a working loss.
"""
from pathlib import Path

import pytest

from autograder.engine.discovery import load_tests
from autograder.authoring.release import STUB_RAISE_RE, strip_solutions

from mutation_helpers import (Bug, assert_full_marks, SOURCE_DIR, TESTS_DIR, assert_bug_caught, describe,
                              grade_folder, reference_imports_isolated)
FILES = ("linear_svm.py", "softmax.py", "linear_classifier.py")

SVM_NAIVE = "classifiers.linear_svm.svm_loss_naive"
SVM_VEC = "classifiers.linear_svm.svm_loss_vectorized"
SOFTMAX_NAIVE = "classifiers.softmax.softmax_loss_naive"
SOFTMAX_VEC = "classifiers.softmax.softmax_loss_vectorized"
TRAIN = "classifiers.linear_classifier.LinearClassifier.train"
PREDICT = "classifiers.linear_classifier.LinearClassifier.predict"
ALL_FUNCTIONS = (SVM_NAIVE, SVM_VEC, SOFTMAX_NAIVE, SOFTMAX_VEC, TRAIN, PREDICT)
POINTS = {SVM_NAIVE: 8, SVM_VEC: 10, SOFTMAX_NAIVE: 8, SOFTMAX_VEC: 10, TRAIN: 5, PREDICT: 2}
LOSSES = (SVM_NAIVE, SVM_VEC, SOFTMAX_NAIVE, SOFTMAX_VEC)

# -- exact lines of the reference solution that the variants replace --------------------------------

IMPORTS = "import numpy as np\n"
ZEROS = "    dW = np.zeros(W.shape)  # (D, C)\n"  # twice in each loss module

SVM_SKIP_CORRECT = ("            if j == y[i]:\n"
                    "                continue\n")
SVM_NAIVE_DECREMENT = "                dW[:, y[i]] -= X[i]\n"
SVM_NAIVE_AVERAGE = ("    loss /= num_train\n"
                     "    dW /= num_train\n")
SVM_NAIVE_NUM_CLASSES = "    num_classes = W.shape[1]\n"
# The penalty block, the same in all four losses; each anchor is the comment line before it.
PENALTY = ("    if reg_type not in REG_TYPES:\n"
           "        raise ValueError(f\"reg_type must be one of {REG_TYPES}, got {reg_type!r}\")\n"
           "    l1_share = {\"l2\": 0.0, \"l1\": 1.0, \"elastic\": l1_ratio}[reg_type]\n"
           "    loss += reg * (l1_share * np.sum(np.abs(W)) + (1.0 - l1_share) * np.sum(W * W))\n"
           "    dW += reg * (l1_share * np.sign(W) + 2.0 * (1.0 - l1_share) * W)\n")
SVM_NAIVE_PENALTY = "    # reg * sum(W * W) and 2 * reg * W.\n    ### BEGIN SOLUTION\n" + PENALTY
SVM_VEC_PENALTY = "(sub)gradient, as in svm_loss_naive.\n    ### BEGIN SOLUTION\n" + PENALTY
SOFTMAX_NAIVE_PENALTY = "an unknown reg_type.\n    ### BEGIN SOLUTION\n" + PENALTY
SOFTMAX_VEC_PENALTY = "(sub)gradient, as in softmax_loss_naive.\n    ### BEGIN SOLUTION\n" + PENALTY
L2_GRAD = "2.0 * (1.0 - l1_share) * W"
SVM_NAIVE_BODY = (
    "    for i in range(num_train):\n"
    "        scores = X[i] @ W  # (C,)\n"
    "        target = scores[y[i]]\n"
    "        for j in range(num_classes):\n"
    + SVM_SKIP_CORRECT +
    "            margin = scores[j] - target + 1.0\n"
    "            if margin > 0:\n"
    "                loss += margin\n"
    "                dW[:, j] += X[i]\n"
    + SVM_NAIVE_DECREMENT)
SVM_VEC_MARGINS = "    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)  # (N, C)\n"
SVM_VEC_ZERO_CORRECT = "    margins[rows, y] = 0.0\n"
SVM_VEC_LOSS = "    loss = np.sum(margins) / num_train\n"
SVM_VEC_DECREMENT = ("    coeff[rows, y] = -np.sum(coeff, axis=1)"
                     "  # the correct class loses once per violation\n")
SVM_VEC_GRAD = "    dW = X.T @ coeff / num_train  # (D, C)\n"
SVM_VEC_BODY = SVM_VEC_MARGINS + SVM_VEC_ZERO_CORRECT + SVM_VEC_LOSS
SVM_VEC_GRAD_BODY = ("    coeff = (margins > 0).astype(scores.dtype)"
                     "  # (N, C): 1 where a wrong class violates the margin\n"
                     + SVM_VEC_DECREMENT + SVM_VEC_GRAD)

SOFTMAX_NAIVE_SHIFT = "        shifted = scores - np.max(scores)  # (C,), every entry <= 0\n"
SOFTMAX_NAIVE_WEIGHT = "            weight = probs[j] - 1.0 if j == y[i] else probs[j]\n"
SOFTMAX_NAIVE_BODY = (
    "    for i in range(num_train):\n"
    "        scores = X[i] @ W  # (C,)\n"
    + SOFTMAX_NAIVE_SHIFT +
    "        log_sum = np.log(np.sum(np.exp(shifted)))\n"
    "        loss += log_sum - shifted[y[i]]\n"
    "        probs = np.exp(shifted - log_sum)  # (C,)\n"
    "        for j in range(num_classes):\n"
    + SOFTMAX_NAIVE_WEIGHT +
    "            dW[:, j] += weight * X[i]\n")
SOFTMAX_VEC_SHIFT = ("    shifted = scores - np.max(scores, axis=1, keepdims=True)"
                     "  # (N, C), every entry <= 0\n")
SOFTMAX_VEC_MINUS_ONE = "    dscores[rows, y] -= 1.0\n"
SOFTMAX_VEC_BODY = (
    "    num_train = X.shape[0]\n"
    "    rows = np.arange(num_train)\n"
    "    scores = X @ W  # (N, C)\n"
    + SOFTMAX_VEC_SHIFT +
    "    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))  # (N, C)\n"
    "    loss = -np.sum(log_probs[rows, y]) / num_train\n"
    "    dscores = np.exp(log_probs)  # (N, C) probabilities\n"
    + SOFTMAX_VEC_MINUS_ONE +
    "    dW = X.T @ dscores / num_train  # (D, C)\n")

TRAIN_SAMPLE = ("            batch = np.random.choice(num_train, batch_size, replace=True)"
                "  # (batch_size,) indices\n")
TRAIN_Y_BATCH = "            y_batch = y[batch]  # (batch_size,)\n"
TRAIN_STEP = "            self.W -= learning_rate * grad\n"
TRAIN_INIT = "        if self.W is None:\n"
TRAIN_W0 = "            self.W = 0.001 * np.random.randn(dim, num_classes)  # (D, C)\n"
PREDICT_BODY = "        y_pred = np.argmax(X @ self.W, axis=1)  # (N,)\n"


def reference_sources():
    return {name: (SOURCE_DIR / "classifiers" / name).read_text() for name in FILES}


def edited(*changes):
    """The reference modules with each ``(file, old, new[, count])`` applied; ``old`` must occur
    exactly ``count`` times (default 1) in ``file``."""
    sources = reference_sources()
    for change in changes:
        name, old, new, count = (*change, 1) if len(change) == 3 else change
        found = sources[name].count(old)
        assert found == count, (f"reference {name} changed: expected {count} occurrence(s) of "
                                f"{old!r}, found {found}; update this mutation")
        sources[name] = sources[name].replace(old, new)
    return sources


def svm(old, new, count=1):
    return ("linear_svm.py", old, new, count)


def softmax(old, new, count=1):
    return ("softmax.py", old, new, count)


def classifier(old, new, count=1):
    return ("linear_classifier.py", old, new, count)


def write_student(folder, sources):
    package = Path(folder) / "classifiers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Student classifiers."""\n')
    for name, text in sources.items():
        (package / name).write_text(text)
    return Path(folder)


# -- fixtures --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_tests():
    """The public and hidden tests of the six linear-classifier functions, loaded once.

    The grader imports the reference solution in this process as the top-level package
    ``classifiers``; sys.path and sys.modules are restored afterwards so that other test modules
    neither see it nor shadow it.
    """
    tests = [t for t in load_tests(TESTS_DIR, include_hidden=True) if t.function in ALL_FUNCTIONS]
    totals = {f: sum(t.points for t in tests if t.function == f) for f in ALL_FUNCTIONS}
    assert totals == POINTS, "points per function changed (the notebooks' grade cells hold these)"
    for function in ALL_FUNCTIONS:
        mine = [t for t in tests if t.function == function]
        assert any(t.hidden for t in mine) and any(not t.hidden for t in mine), function
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
    # A student who deletes `raise NotImplementedError()`: the losses return (0.0, zeros), predict
    # returns zeros and train passes None batches to the loss.
    stubs = {name: STUB_RAISE_RE.sub("pass", strip_solutions(text, name))
             for name, text in reference_sources().items()}
    results = grade(graded_tests, tmp_path, stubs)
    assert sum(r.points for r in results) == 0, describe(results, lambda r: r.points)


# -- correct variants: full points everywhere --------------------------------------------------------

SVM_NAIVE_COUNTING = (
    "    for i in range(num_train):\n"
    "        scores = X[i].dot(W)\n"
    "        violations = 0\n"
    "        for j in range(num_classes):\n"
    "            if j != y[i] and scores[j] - scores[y[i]] + 1 > 0:\n"
    "                loss += scores[j] - scores[y[i]] + 1\n"
    "                dW[:, j] += X[i]\n"
    "                violations += 1\n"
    "        dW[:, y[i]] -= violations * X[i]\n")

# Margins computed for every class (the correct one contributes exactly 1 each, removed at the end),
# gradient through np.add.at instead of a mask assignment.
SVM_VEC_ADD_AT_LOSS = (
    "    margins = np.maximum(0, scores - scores[rows, y].reshape(-1, 1) + 1)\n"
    "    loss = (margins.sum() - num_train) / num_train\n"
    "    margins[rows, y] = 0\n")
SVM_VEC_ADD_AT_GRAD = (
    "    coeff = np.zeros_like(scores)\n"
    "    coeff[margins > 0] = 1\n"
    "    np.add.at(coeff, (rows, y), -coeff.sum(axis=1))\n"
    "    dW = X.T.dot(coeff) / num_train\n")

PENALTY_ANCHORS = [("linear_svm.py", SVM_NAIVE_PENALTY[:-len(PENALTY)]),
                   ("linear_svm.py", SVM_VEC_PENALTY[:-len(PENALTY)]),
                   ("softmax.py", SOFTMAX_NAIVE_PENALTY[:-len(PENALTY)]),
                   ("softmax.py", SOFTMAX_VEC_PENALTY[:-len(PENALTY)])]
PENALTY_BRANCHES = (
    "    if reg_type == 'l2':\n"
    "        loss += reg * np.sum(W ** 2)\n"
    "        dW += 2 * reg * W\n"
    "    elif reg_type == 'l1':\n"
    "        loss += reg * np.abs(W).sum()\n"
    "        dW += reg * np.where(W > 0, 1.0, np.where(W < 0, -1.0, 0.0))\n"
    "    elif reg_type == 'elastic':\n"
    "        loss += l1_ratio * reg * np.abs(W).sum() + (1 - l1_ratio) * reg * np.sum(W ** 2)\n"
    "        dW += l1_ratio * reg * np.sign(W) + (1 - l1_ratio) * 2 * reg * W\n"
    "    else:\n"
    "        raise ValueError('unknown reg_type ' + str(reg_type))\n")
PENALTY_HELPER = (
    "\n\ndef _penalty(W, reg, reg_type, l1_ratio):\n"
    "    mix = {'l2': 0.0, 'l1': 1.0, 'elastic': l1_ratio}.get(reg_type)\n"
    "    if mix is None:\n"
    "        raise ValueError(reg_type)\n"
    "    flat = W.ravel()\n"
    "    value = reg * (mix * np.linalg.norm(flat, 1) + (1 - mix) * np.linalg.norm(flat) ** 2)\n"
    "    return value, reg * (mix * np.sign(W) + 2 * (1 - mix) * W)\n")
PENALTY_BY_HELPER = ("    value, grad = _penalty(W, reg, reg_type, l1_ratio)\n"
                     "    loss += value\n"
                     "    dW += grad\n")

SOFTMAX_NAIVE_TEXTBOOK = (
    "    for i in range(num_train):\n"
    "        f = X[i].dot(W)\n"
    "        f -= f.max()\n"
    "        p = np.exp(f) / np.sum(np.exp(f))\n"
    "        loss += -np.log(p[y[i]])\n"
    "        for j in range(num_classes):\n"
    "            dW[:, j] += (p[j] - (j == y[i])) * X[i]\n")

SOFTMAX_VEC_LOGSUMEXP = (
    "    num_train = X.shape[0]\n"
    "    scores = X.dot(W)\n"
    "    lse = logsumexp(scores, axis=1, keepdims=True)  # (N, 1)\n"
    "    one_hot = np.eye(W.shape[1])[y]  # (N, C)\n"
    "    loss = np.sum(lse - np.sum(scores * one_hot, axis=1, keepdims=True)) / num_train\n"
    "    dW = X.T.dot(np.exp(scores - lse) - one_hot) / num_train\n")

SOFTMAX_VEC_TEXTBOOK = (
    "    num_train = X.shape[0]\n"
    "    scores = X @ W\n"
    "    scores -= scores.max(axis=1, keepdims=True)\n"
    "    probs = np.exp(scores)\n"
    "    probs /= probs.sum(axis=1, keepdims=True)\n"
    "    loss = -np.log(probs[np.arange(num_train), y]).mean()\n"
    "    probs[np.arange(num_train), y] -= 1\n"
    "    dW = X.T @ probs / num_train\n")

CORRECT = {
    "reference": lambda: edited(),
    "svm_naive_counts_violations_then_decrements_once": lambda: edited(
        svm(SVM_NAIVE_BODY, SVM_NAIVE_COUNTING)),
    "svm_vectorized_with_np_add_at": lambda: edited(
        svm(SVM_VEC_BODY, SVM_VEC_ADD_AT_LOSS), svm(SVM_VEC_GRAD_BODY, SVM_VEC_ADD_AT_GRAD)),
    "softmax_textbook_divide_then_log": lambda: edited(
        softmax(SOFTMAX_NAIVE_BODY, SOFTMAX_NAIVE_TEXTBOOK), softmax(SOFTMAX_VEC_BODY, SOFTMAX_VEC_TEXTBOOK)),
    "softmax_vectorized_with_scipy_logsumexp_and_one_hot": lambda: edited(
        softmax(IMPORTS, IMPORTS + "from scipy.special import logsumexp\n"),
        softmax(SOFTMAX_VEC_BODY, SOFTMAX_VEC_LOGSUMEXP)),
    # float32 in, float32 out: the gradient accumulates in W's dtype in all four losses.
    "float32_arithmetic_for_float32_input": lambda: edited(
        svm(ZEROS, "    dW = np.zeros_like(W)  # (D, C)\n", 2),
        softmax(ZEROS, "    dW = np.zeros_like(W)  # (D, C)\n", 2),
        svm(SVM_VEC_GRAD, "    dW = (X.T @ coeff / num_train).astype(W.dtype)\n")),
    # The penalty written branch by branch, with np.abs(W).sum() and a sign built by np.where; an
    # elastic net written as the sum of its two weighted terms.
    "penalties_written_branch_by_branch": lambda: edited(
        *[(name, anchor + PENALTY, anchor + PENALTY_BRANCHES) for name, anchor in PENALTY_ANCHORS]),
    "penalty_kinds_through_a_helper_with_norms": lambda: edited(
        svm(IMPORTS, IMPORTS + PENALTY_HELPER), softmax(IMPORTS, IMPORTS + PENALTY_HELPER),
        *[(name, anchor + PENALTY, anchor + PENALTY_BY_HELPER) for name, anchor in PENALTY_ANCHORS]),
    "train_samples_without_replacement": lambda: edited(
        classifier(TRAIN_SAMPLE, TRAIN_SAMPLE.replace("replace=True", "replace=False"))),
    "train_shuffles_with_a_permutation": lambda: edited(
        classifier(TRAIN_SAMPLE, "            batch = np.random.permutation(num_train)[:batch_size]\n")),
    # Any small start is right: zeros (a linear classifier needs no symmetry breaking), another
    # generator, a scale of 0.01.
    "train_starts_from_zeros": lambda: edited(
        classifier(TRAIN_W0, "            self.W = np.zeros((dim, num_classes))\n")),
    "train_starts_from_a_default_rng_draw": lambda: edited(classifier(
        TRAIN_W0, "            self.W = 0.01 * np.random.default_rng(0).standard_normal((dim, num_classes))\n")),
    "train_returns_the_history_as_an_array": lambda: edited(
        classifier("        return loss_history\n", "        return np.array(loss_history)\n")),
    "predict_with_dot_and_method_argmax": lambda: edited(
        classifier(PREDICT_BODY, "        y_pred = X.dot(self.W).argmax(axis=1)\n")),
}


@pytest.mark.parametrize("variant", list(CORRECT))
def test_correct_implementation_gets_full_points(graded_tests, tmp_path, variant):
    results = grade(graded_tests, tmp_path, CORRECT[variant]())
    assert_full_marks(variant, results, sum(POINTS.values()))


# -- buggy variants: lose points where the bug is, and nowhere else ----------------------------------

SVM_VEC_VALUE_TESTS = ("svm_vectorized_sanity_loss_is_about_nine", "svm_vectorized_agrees_with_naive",
                       "svm_vectorized_gradient_matches_numerical_gradient",
                       "svm_vectorized_matches_reference", "svm_vectorized_accepts_float32",
                       "svm_vectorized_single_example_and_missing_classes")
SOFTMAX_VEC_VALUE_TESTS = tuple(name.replace("svm", "softmax").replace("about_nine", "about_log_ten")
                                for name in SVM_VEC_VALUE_TESTS) + (
    "softmax_vectorized_is_stable_for_large_scores",)

BUGS = {
    # -- multiclass SVM, naive
    "svm_naive_counts_the_correct_class": Bug(
        lambda: edited(svm(SVM_SKIP_CORRECT, "")),
        broken=SVM_NAIVE, must_fail=("svm_naive_sanity_loss_is_about_nine",)),
    "svm_naive_forgets_to_divide_by_N": Bug(
        lambda: edited(svm(SVM_NAIVE_AVERAGE, "")),
        broken=SVM_NAIVE, must_fail=("svm_naive_sanity_loss_is_about_nine",)),
    "svm_naive_reg_gradient_without_factor_two": Bug(
        lambda: edited(svm(SVM_NAIVE_PENALTY, SVM_NAIVE_PENALTY.replace(L2_GRAD, "(1.0 - l1_share) * W"))),
        broken=SVM_NAIVE,
        must_fail=("svm_naive_gradient_matches_numerical_gradient", "svm_naive_matches_reference")),
    "svm_naive_forgets_the_correct_class_column": Bug(
        lambda: edited(svm(SVM_NAIVE_DECREMENT, "")),
        broken=SVM_NAIVE,
        must_fail=("svm_naive_gradient_matches_numerical_gradient", "svm_naive_matches_reference")),
    "svm_naive_takes_the_number_of_classes_from_y": Bug(
        lambda: edited(svm(SVM_NAIVE_NUM_CLASSES, "    num_classes = np.max(y) + 1\n")),
        broken=SVM_NAIVE,
        must_fail=("svm_naive_single_example_and_missing_classes",)),
    # -- multiclass SVM, vectorized
    "svm_vectorized_counts_the_correct_class": Bug(
        lambda: edited(svm(SVM_VEC_ZERO_CORRECT, "")),
        broken=SVM_VEC, must_fail=("svm_vectorized_sanity_loss_is_about_nine",)),
    "svm_vectorized_forgets_to_divide_by_N": Bug(
        lambda: edited(svm(SVM_VEC_LOSS, SVM_VEC_LOSS.replace(" / num_train", "")),
                       svm(SVM_VEC_GRAD, SVM_VEC_GRAD.replace(" / num_train", ""))),
        broken=SVM_VEC, must_fail=("svm_vectorized_sanity_loss_is_about_nine",)),
    "svm_vectorized_reg_gradient_without_factor_two": Bug(
        lambda: edited(svm(SVM_VEC_PENALTY, SVM_VEC_PENALTY.replace(L2_GRAD, "(1.0 - l1_share) * W"))),
        broken=SVM_VEC,
        must_fail=("svm_vectorized_gradient_matches_numerical_gradient", "svm_vectorized_matches_reference")),
    "svm_vectorized_forgets_the_correct_class_column": Bug(
        lambda: edited(svm(SVM_VEC_DECREMENT, "")),
        broken=SVM_VEC,
        must_fail=("svm_vectorized_gradient_matches_numerical_gradient", "svm_vectorized_matches_reference"),
        must_pass=("svm_vectorized_uses_no_loops",)),  # a wrong value is not a loop
    "svm_vectorized_hides_a_loop_in_a_comprehension": Bug(
        lambda: edited(svm(SVM_VEC_MARGINS,
                           "    correct = np.array([scores[i, y[i]] for i in range(num_train)])\n"
                           "    margins = np.maximum(0.0, scores - correct[:, None] + 1.0)\n")),
        broken=SVM_VEC,
        must_fail=("svm_vectorized_uses_no_loops",), must_pass=SVM_VEC_VALUE_TESTS),
    "svm_vectorized_calls_the_naive_version": Bug(
        lambda: edited(svm('    Inputs and outputs: the same as svm_loss_naive.\n    """\n',
                           '    Inputs and outputs: the same as svm_loss_naive.\n    """\n'
                           "    return svm_loss_naive(W, X, y, reg, reg_type, l1_ratio)\n")),
        broken=SVM_VEC,
        must_fail=("svm_vectorized_uses_no_loops",), must_pass=SVM_VEC_VALUE_TESTS),
    # -- softmax, naive
    "softmax_naive_without_max_shift": Bug(
        lambda: edited(softmax(SOFTMAX_NAIVE_SHIFT, "        shifted = scores\n")),
        broken=SOFTMAX_NAIVE,
        must_fail=("softmax_naive_is_stable_for_large_scores",),
        must_pass=("softmax_naive_matches_reference", "softmax_naive_gradient_matches_numerical_gradient")),
    "softmax_naive_gradient_without_minus_one": Bug(
        lambda: edited(softmax(SOFTMAX_NAIVE_WEIGHT, "            weight = probs[j]\n")),
        broken=SOFTMAX_NAIVE,
        must_fail=("softmax_naive_gradient_matches_numerical_gradient", "softmax_naive_matches_reference")),
    "softmax_naive_forgets_to_divide_by_N": Bug(
        lambda: edited(softmax(SVM_NAIVE_AVERAGE, "")),
        broken=SOFTMAX_NAIVE,
        must_fail=("softmax_naive_sanity_loss_is_about_log_ten",)),
    "softmax_naive_reg_gradient_without_factor_two": Bug(
        lambda: edited(softmax(SOFTMAX_NAIVE_PENALTY, SOFTMAX_NAIVE_PENALTY.replace(L2_GRAD, "(1.0 - l1_share) * W"))),
        broken=SOFTMAX_NAIVE,
        must_fail=("softmax_naive_gradient_matches_numerical_gradient",)),
    "softmax_naive_half_regularization_in_the_loss": Bug(
        lambda: edited(softmax(SOFTMAX_NAIVE_PENALTY, SOFTMAX_NAIVE_PENALTY.replace(
            "    loss += reg * (", "    loss += 0.5 * reg * ("))),
        broken=SOFTMAX_NAIVE,
        must_fail=("softmax_naive_gradient_matches_numerical_gradient", "softmax_naive_matches_reference")),
    # -- softmax, vectorized
    "softmax_vectorized_without_max_shift": Bug(
        lambda: edited(softmax(SOFTMAX_VEC_SHIFT, "    shifted = scores\n")),
        broken=SOFTMAX_VEC,
        must_fail=("softmax_vectorized_is_stable_for_large_scores",),
        must_pass=("softmax_vectorized_matches_reference", "softmax_vectorized_agrees_with_naive")),
    "softmax_vectorized_shifts_by_the_global_max": Bug(
        lambda: edited(softmax(SOFTMAX_VEC_SHIFT, "    shifted = scores - np.max(scores)\n")),
        broken=SOFTMAX_VEC,
        must_fail=("softmax_vectorized_is_stable_for_large_scores",),
        must_pass=("softmax_vectorized_matches_reference", "softmax_vectorized_agrees_with_naive")),
    "softmax_vectorized_gradient_without_minus_one": Bug(
        lambda: edited(softmax(SOFTMAX_VEC_MINUS_ONE, "")),
        broken=SOFTMAX_VEC,
        must_fail=("softmax_vectorized_gradient_matches_numerical_gradient",
                   "softmax_vectorized_matches_reference"),
        must_pass=("softmax_vectorized_uses_no_loops",)),  # a wrong value is not a loop
    "softmax_vectorized_forgets_to_divide_by_N": Bug(
        lambda: edited(softmax("    loss = -np.sum(log_probs[rows, y]) / num_train\n",
                               "    loss = -np.sum(log_probs[rows, y])\n"),
                       softmax("    dW = X.T @ dscores / num_train  # (D, C)\n",
                               "    dW = X.T @ dscores  # (D, C)\n")),
        broken=SOFTMAX_VEC,
        must_fail=("softmax_vectorized_sanity_loss_is_about_log_ten",)),
    "softmax_vectorized_calls_the_naive_version": Bug(
        lambda: edited(softmax('    Inputs and outputs: the same as softmax_loss_naive.\n    """\n',
                               '    Inputs and outputs: the same as softmax_loss_naive.\n    """\n'
                               "    return softmax_loss_naive(W, X, y, reg, reg_type, l1_ratio)\n")),
        broken=SOFTMAX_VEC,
        must_fail=("softmax_vectorized_uses_no_loops",), must_pass=SOFTMAX_VEC_VALUE_TESTS),
    # -- the penalty kinds (one realistic mistake per function, and the fallback on an unknown kind)
    "svm_naive_ignores_reg_type": Bug(
        lambda: edited(svm(SVM_NAIVE_PENALTY, SVM_NAIVE_PENALTY.replace(
            '{"l2": 0.0, "l1": 1.0, "elastic": l1_ratio}[reg_type]', "0.0"))),
        broken=SVM_NAIVE, must_fail=("svm_naive_l1_and_elastic_penalties", "svm_naive_penalties_match_reference"),
        must_pass=("svm_naive_matches_reference",)),
    "svm_vectorized_l1_gradient_is_W": Bug(
        lambda: edited(svm(SVM_VEC_PENALTY, SVM_VEC_PENALTY.replace("l1_share * np.sign(W)", "l1_share * W"))),
        broken=SVM_VEC, must_fail=("svm_vectorized_l1_and_elastic_penalties",),
        must_pass=SVM_VEC_VALUE_TESTS),
    "svm_vectorized_falls_back_to_l2_on_an_unknown_kind": Bug(
        lambda: edited(svm(SVM_VEC_PENALTY, SVM_VEC_PENALTY.replace(
            "    if reg_type not in REG_TYPES:\n        raise ValueError(f\"reg_type must be one of {REG_TYPES}, "
            "got {reg_type!r}\")\n", "").replace("l1_ratio}[reg_type]", "l1_ratio}.get(reg_type, 0.0)"))),
        broken=SVM_VEC, must_fail=("svm_vectorized_l1_and_elastic_penalties",),
        must_pass=("svm_vectorized_penalties_match_reference",) + SVM_VEC_VALUE_TESTS),
    "softmax_naive_elastic_ratio_swapped": Bug(
        lambda: edited(softmax(SOFTMAX_NAIVE_PENALTY, SOFTMAX_NAIVE_PENALTY.replace(
            '"elastic": l1_ratio}', '"elastic": 1.0 - l1_ratio}'))),
        broken=SOFTMAX_NAIVE,
        must_fail=("softmax_naive_l1_and_elastic_penalties", "softmax_naive_penalties_match_reference"),
        must_pass=("softmax_naive_matches_reference",)),
    "softmax_vectorized_l1_sign_of_zero_is_one": Bug(
        lambda: edited(softmax(SOFTMAX_VEC_PENALTY, SOFTMAX_VEC_PENALTY.replace(
            "np.sign(W)", "np.where(W >= 0, 1.0, -1.0)"))),
        broken=SOFTMAX_VEC,
        must_fail=("softmax_vectorized_l1_and_elastic_penalties", "softmax_vectorized_penalties_match_reference"),
        must_pass=SOFTMAX_VEC_VALUE_TESTS),
    "softmax_vectorized_elastic_without_the_mix": Bug(
        lambda: edited(softmax(SOFTMAX_VEC_PENALTY, SOFTMAX_VEC_PENALTY.replace(
            '"elastic": l1_ratio}[reg_type]', '"elastic": l1_ratio}[reg_type]\n'
            '    if reg_type == "elastic":\n'
            '        loss += reg * (np.sum(np.abs(W)) + np.sum(W * W))\n'
            '        dW += reg * (np.sign(W) + 2.0 * W)\n'
            '        return loss, dW'))),
        broken=SOFTMAX_VEC,
        must_fail=("softmax_vectorized_l1_and_elastic_penalties", "softmax_vectorized_penalties_match_reference"),
        must_pass=SOFTMAX_VEC_VALUE_TESTS),
    # -- train
    "train_always_uses_the_first_batch_size_examples": Bug(
        lambda: edited(classifier(TRAIN_SAMPLE, "            batch = np.arange(batch_size)\n")),
        broken=TRAIN,
        must_fail=("train_reaches_accuracy_on_separable_blobs",
                   "train_draws_minibatches_of_examples_with_their_labels"),
        must_pass=("train_lowers_the_loss", "train_steps_match_reference_update")),
    "train_samples_labels_independently_of_examples": Bug(
        lambda: edited(classifier(TRAIN_Y_BATCH,
                                  "            y_batch = y[np.random.choice(num_train, batch_size)]\n")),
        broken=TRAIN,
        must_fail=("train_reaches_accuracy_on_separable_blobs",
                   "train_draws_minibatches_of_examples_with_their_labels")),
    "train_uses_the_whole_training_set_every_iteration": Bug(
        lambda: edited(classifier(TRAIN_SAMPLE, "            batch = np.arange(num_train)\n")),
        broken=TRAIN,
        must_fail=("train_draws_minibatches_of_examples_with_their_labels",),
        must_pass=("train_reaches_accuracy_on_separable_blobs", "train_steps_match_reference_update")),
    "train_gradient_ascent": Bug(
        lambda: edited(classifier(TRAIN_STEP, "            self.W += learning_rate * grad\n")),
        broken=TRAIN,
        must_fail=("train_lowers_the_loss", "train_reaches_accuracy_on_separable_blobs",
                   "train_steps_match_reference_update")),
    "train_ignores_the_learning_rate": Bug(
        lambda: edited(classifier(TRAIN_STEP, "            self.W -= 1e-3 * grad\n")),
        broken=TRAIN, must_fail=("train_steps_match_reference_update",)),
    "train_initialises_W_without_the_small_scale": Bug(
        lambda: edited(classifier(TRAIN_W0, "            self.W = np.random.randn(dim, num_classes)\n")),
        broken=TRAIN, must_fail=("train_returns_one_loss_per_iteration_and_creates_W",)),
    "train_initialises_W_uniform_in_zero_one": Bug(
        lambda: edited(classifier(TRAIN_W0, "            self.W = np.random.rand(dim, num_classes)\n")),
        broken=TRAIN, must_fail=("train_returns_one_loss_per_iteration_and_creates_W",)),
    "train_reinitialises_an_existing_W": Bug(
        lambda: edited(classifier(TRAIN_INIT, "        if True:\n")),
        broken=TRAIN, must_fail=("train_steps_match_reference_update",)),
    # -- predict
    "predict_returns_scores_instead_of_labels": Bug(
        lambda: edited(classifier(PREDICT_BODY, "        y_pred = X @ self.W\n")),
        broken=PREDICT),
    "predict_takes_the_argmax_over_examples": Bug(
        lambda: edited(classifier(PREDICT_BODY, "        y_pred = np.argmax(X @ self.W, axis=0)\n")),
        broken=PREDICT),
}


# The mistake each planted bug should be named as (autograder/engine/diagnosis.py and the hidden tests):
# the proof that every diagnosis fires on the bug it describes.
DIAGNOSES = {
    "svm_naive_counts_the_correct_class": "hinge_counts_correct_class",
    "svm_naive_forgets_to_divide_by_N": "not_divided_by_n",
    "svm_naive_reg_gradient_without_factor_two": "reg_gradient_without_2",
    "svm_naive_forgets_the_correct_class_column": "correct_class_column_missing",
    "svm_vectorized_counts_the_correct_class": "hinge_counts_correct_class",
    "svm_vectorized_forgets_to_divide_by_N": "not_divided_by_n",
    "svm_vectorized_reg_gradient_without_factor_two": "reg_gradient_without_2",
    "svm_vectorized_forgets_the_correct_class_column": "correct_class_column_missing",
    "svm_vectorized_hides_a_loop_in_a_comprehension": "too_many_loops",
    "svm_vectorized_calls_the_naive_version": "too_many_loops",
    "softmax_naive_without_max_shift": "no_max_shift",
    "softmax_naive_gradient_without_minus_one": "gradient_without_minus_one",
    "softmax_naive_forgets_to_divide_by_N": "not_divided_by_n",
    "softmax_naive_reg_gradient_without_factor_two": "reg_gradient_without_2",
    "softmax_naive_half_regularization_in_the_loss": "penalty_halved",
    "softmax_vectorized_without_max_shift": "no_max_shift",
    "softmax_vectorized_shifts_by_the_global_max": "no_max_shift",
    "softmax_vectorized_gradient_without_minus_one": "gradient_without_minus_one",
    "softmax_vectorized_forgets_to_divide_by_N": "not_divided_by_n",
    "softmax_vectorized_calls_the_naive_version": "too_many_loops",
    "svm_naive_ignores_reg_type": "reg_type_ignored",
    "svm_vectorized_l1_gradient_is_W": "l1_gradient_is_w",
    "svm_vectorized_falls_back_to_l2_on_an_unknown_kind": "unknown_reg_type_accepted",
    "softmax_naive_elastic_ratio_swapped": "elastic_ratio_swapped",
    "softmax_vectorized_l1_sign_of_zero_is_one": "l1_sign_at_zero",
    "softmax_vectorized_elastic_without_the_mix": "elastic_unweighted",
    "train_samples_labels_independently_of_examples": "labels_not_matched",
    "train_uses_the_whole_training_set_every_iteration": "batch_is_the_whole_set",
    "train_gradient_ascent": "gradient_ascent",
    "train_ignores_the_learning_rate": "wrong_step",
    "train_initialises_W_without_the_small_scale": "initial_weights_too_large",
    "train_initialises_W_uniform_in_zero_one": "initial_weights_too_large",
    "train_reinitialises_an_existing_W": "W_not_kept",
    "predict_returns_scores_instead_of_labels": "scores_instead_of_labels",
}


@pytest.mark.parametrize("variant", list(BUGS))
def test_buggy_implementation_loses_points_on_the_broken_function(graded_tests, tmp_path, variant):
    bug = BUGS[variant]
    results = grade(graded_tests, tmp_path, bug.source())
    assert_bug_caught(variant, bug, results, DIAGNOSES.get(variant, ""))
