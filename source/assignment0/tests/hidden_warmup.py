"""Hidden tests for the warm-up: every function against the reference solution. Never released.

Each test runs the student's function on the lecture's numbers (the constants of the reference
warmup.py) and on random inputs drawn from the test's seed, and compares with the reference's answer
computed here, in the grader: no expected value ever reaches the student's process. Feedback names
recognised mistakes (a base-10 logarithm, a sum that counts j = y_i, a sum instead of a mean, ...)
but never quotes an expected value.

Tolerances: 1e-6 relative (float64 answers of a few operations; any vectorization agrees to 1e-12),
1e-4 for float32 inputs.
"""
import numpy as np

from autograder.testing import (Diagnosis, StudentCallError, TestFailure, as_array, assert_close,
                                assert_max_loops, check, close, diagnose, graded)

NOTEBOOK = "warmup.ipynb"
MODULE = "warmup"
MODULE_FILE = "warmup.py"


def _f(name):
    return f"{MODULE}.{name}"


def _ref(reference):
    return reference.module(MODULE)


def _matches(actual, expected, what, hints=(), rtol=1e-6, floor=1e-8):
    """assert_close, naming a recognised mistake first: ``hints`` is [(wrong value, message, diagnosis id)]. The
    messages never quote values: they reach the student as hidden-test feedback."""
    expected = np.asarray(expected, dtype=np.float64)
    actual = as_array(actual, what, shape=expected.shape)
    if not close(actual, expected, rtol, floor):
        found = diagnose(actual, expected, [Diagnosis(name, message, wrong) for wrong, message, name in hints],
                         rtol, floor)
        if found:
            raise TestFailure(f"{found.advice} (in {what})", diagnosis=found.name)
    assert_close(actual, expected, what, rtol=rtol, floor=floor)


def _answers(student, name, keys, *args):
    answer = student.call(_f(name), *args)
    check(isinstance(answer, dict), f"{name} should return a dict", f"got {type(answer).__name__}")
    missing = [k for k in keys if k not in answer]
    check(not missing, f"{name} returned no {', '.join(repr(k) for k in missing)}")
    return answer


def _number(value, what):
    return float(as_array(value, f"{what} (a single number)", shape=()))


def _random_scores(rng, n, c, scale=3.0, dtype=np.float64):
    return (scale * rng.standard_normal((n, c))).astype(dtype), rng.integers(0, c, n)


# -- part 1: numpy fluency -----------------------------------------------------------------------

@graded(_f("correct_class_scores"), points=1)
def correct_class_scores_matches_reference(student, reference, rng):
    for n, c, dtype, what in ((1, 4, np.float64, "a single example"), (30, 10, np.float64, "random scores"),
                              (12, 3, np.float32, "float32 scores")):
        scores, y = _random_scores(rng, n, c, dtype=dtype)
        _matches(student.call(_f("correct_class_scores"), scores, y),
                 _ref(reference).correct_class_scores(scores, y), f"correct_class_scores ({what})")


@graded(_f("center_columns"), points=1)
def center_columns_matches_reference(student, reference, rng):
    for n, d, what in ((1, 5, "a single row"), (40, 7, "more rows than columns"), (3, 100, "more columns than rows")):
        X = rng.standard_normal((n, d)) * 5.0 + rng.uniform(-50, 50, d)
        _matches(student.call(_f("center_columns"), X), _ref(reference).center_columns(X),
                 f"center_columns ({what})", floor=1e-6)
    X = (rng.standard_normal((20, 6)) + 10.0).astype(np.float32)
    _matches(student.call(_f("center_columns"), X), _ref(reference).center_columns(X),
             "center_columns on float32 data", rtol=1e-4, floor=1e-3)


@graded(_f("pairwise_sq_distances"), points=1, fresh=True)
def pairwise_sq_distances_matches_reference(student, reference, rng):
    for m, n, d, what in ((1, 1, 3, "a single point each"), (15, 9, 20, "random points"),
                          (6, 30, 1, "points on a line")):
        A, B = rng.standard_normal((m, d)), rng.standard_normal((n, d))
        expected = _ref(reference).pairwise_sq_distances(A, B)
        _matches(student.call(_f("pairwise_sq_distances"), A, B), expected,
                 f"pairwise_sq_distances ({what})",
                 [(np.sqrt(expected), "these are distances, not squared distances", "distances_not_squared")], rtol=1e-6, floor=1e-6)
    assert_max_loops(student, MODULE_FILE, "pairwise_sq_distances", 0)


@graded(_f("matmul_shape"), points=1)
def matmul_shape_matches_reference(student, reference, rng):
    for _ in range(25):
        a = tuple(int(n) for n in rng.integers(1, 9, rng.integers(1, 3)))
        inner = a[-1] if rng.random() < 0.8 else a[-1] + 1
        b = (inner,) + tuple(int(n) for n in rng.integers(1, 9, rng.integers(0, 2)))
        expected = _ref(reference).matmul_shape(a, b)
        got = student.call(_f("matmul_shape"), a, b)
        what = f"matmul_shape(a, b) with a {_kind(a)} and a {_kind(b)}"
        if expected is None:
            check(got is None, f"{what}: the inner dimensions differ; expected None")
            continue
        check(isinstance(got, (tuple, list)), f"{what} should return a tuple")
        check(tuple(int(n) for n in got) == tuple(expected), f"{what} is wrong")


def _kind(shape):
    """A shape in words: hidden messages name no size."""
    return "vector" if len(shape) == 1 else "matrix"


# -- part 2: the linear classifier ---------------------------------------------------------------

def _classifier_inputs(reference, rng):
    ref = _ref(reference)
    cases = [("the lecture's W, b and x", ref.LECTURE_W, ref.LECTURE_B, ref.LECTURE_X)]
    for c, d, what in ((1, 1, "a single class and feature"), (10, 30, "random W, b, x")):
        cases.append((what, rng.standard_normal((c, d)),
                      rng.standard_normal(c), rng.standard_normal(d)))
    return cases


@graded(_f("linear_scores"), points=1)
def linear_scores_matches_reference(student, reference, rng):
    for what, W, b, x in _classifier_inputs(reference, rng):
        expected = _ref(reference).linear_scores(W, b, x)
        _matches(student.call(_f("linear_scores"), W, b, x), expected, f"linear_scores for {what}",
                 [(expected - b, "the bias b is missing", "bias_missing")], floor=1e-6)


@graded(_f("bias_trick"), points=1)
def bias_trick_matches_reference(student, reference, rng):
    for what, W, b, x in _classifier_inputs(reference, rng):
        answer = student.call(_f("bias_trick"), W, b, x)
        check(isinstance(answer, (tuple, list)) and len(answer) == 2,
              "bias_trick should return a tuple (W_ext, x_ext)")
        W_ext, x_ext = _ref(reference).bias_trick(W, b, x)
        _matches(answer[0], W_ext, f"W_ext from bias_trick for {what}")
        _matches(answer[1], x_ext, f"x_ext from bias_trick for {what}")


# -- part 3: losses ------------------------------------------------------------------------------

def _loss_inputs(reference, rng, dtype=np.float64):
    ref = _ref(reference)
    cases = [("the lecture's toy scores", ref.TOY_SCORES, ref.TOY_Y),
             ("the scores (-2.85, 0.86, 0.28) with y = 2", ref.EXAMPLE_SCORES, ref.EXAMPLE_Y),
             ("the three cases with y = 0", ref.CASE_SCORES, ref.CASE_Y)]
    for n, c, what in ((1, 2, "a single example"), (40, 10, "random scores")):
        scores, y = _random_scores(rng, n, c)
        cases.append((what, scores, y))
    return cases


@graded(_f("hinge_losses"), points=1)
def hinge_losses_matches_reference(student, reference, rng):
    for what, scores, y in _loss_inputs(reference, rng):
        expected = _ref(reference).hinge_losses(scores, y)
        hints = [(expected + 1.0, "the sum also counted j = y_i", "hinge_counts_correct_class")]
        _matches(student.call(_f("hinge_losses"), scores, y), expected, f"hinge_losses for {what}", hints)


@graded(_f("squared_hinge_losses"), points=1)
def squared_hinge_losses_matches_reference(student, reference, rng):
    ref = _ref(reference)
    for what, scores, y in _loss_inputs(reference, rng):
        expected = ref.squared_hinge_losses(scores, y)
        hints = [(ref.hinge_losses(scores, y) ** 2, "that is the square of the sum; square every term", "squared_hinge_squares_the_sum"),
                 (expected + 1.0, "the sum also counted j = y_i", "hinge_counts_correct_class")]
        _matches(student.call(_f("squared_hinge_losses"), scores, y), expected,
                 f"squared_hinge_losses for {what}", hints)


@graded(_f("softmax_probabilities"), points=1)
def softmax_probabilities_matches_reference(student, reference, rng):
    cases = [(what, scores) for what, scores, _ in _loss_inputs(reference, rng)]
    cases.append(("random scores of size 1000", 1000.0 * rng.standard_normal((5, 6))))
    for what, scores in cases:
        got = as_array(student.call(_f("softmax_probabilities"), scores), "softmax_probabilities")
        check(np.all(np.isfinite(got)), f"softmax_probabilities gives nan or inf for {what}")
        _matches(got, _ref(reference).softmax_probabilities(scores), f"softmax_probabilities for {what}",
                 floor=1e-12)


@graded(_f("cross_entropy_losses"), points=1)
def cross_entropy_losses_matches_reference(student, reference, rng):
    ref = _ref(reference)
    cases = _loss_inputs(reference, rng)
    big, y_big = _random_scores(rng, 5, 4, scale=1000.0)
    cases.append(("random scores of size 1000", big, y_big))
    for what, scores, y in cases:
        expected = ref.cross_entropy_losses(scores, y)
        hints = [(expected / np.log(10.0), "this is the base-10 logarithm (np.log10): the loss uses the "
                  "natural logarithm, np.log", "log10_instead_of_ln"),
                 (expected / np.log(2.0), "this is the base-2 logarithm: the loss uses np.log", "log2_instead_of_ln"),
                 (-expected, "the sign is flipped: the loss is minus the log-probability", "cross_entropy_sign_flipped")]
        got = as_array(student.call(_f("cross_entropy_losses"), scores, y), "cross_entropy_losses")
        check(np.all(np.isfinite(got)), f"cross_entropy_losses gives nan or inf for {what}")
        _matches(got, expected, f"cross_entropy_losses for {what}", hints, floor=1e-12)


@graded(_f("toy_svm_answers"), points=1)
def toy_svm_answers_match_reference(student, reference):
    # The answers come from the student's own hinge functions: when those differ from the
    # reference's, the reference's answers computed with the student's hinge functions count too,
    # so that a bug in hinge_losses is charged to hinge_losses alone.
    answer = _answers(student, "toy_svm_answers", list(_ref(reference).toy_svm_answers()))
    try:
        with reference.using_student(student, [_f("hinge_losses"), _f("squared_hinge_losses")]):
            own = _ref(reference).toy_svm_answers()
    except (StudentCallError, TestFailure, TypeError, ValueError):
        own = None
    if own is not None and not _hinges_right_or_a_known_mistake(student, reference):
        own = None  # answers that agree with functions computing nothing prove nothing
    try:
        _check_toy_answers(answer, _ref(reference).toy_svm_answers())
    except TestFailure:
        if own is None:
            raise
        try:
            _check_toy_answers(answer, own)
        except TestFailure:
            pass
        else:
            return
        raise


def _hinges_right_or_a_known_mistake(student, reference):
    """The independent check behind judging toy_svm_answers by the student's own hinge functions:
    on the toy scores they give the reference's losses or those of a mistake their own tests name
    (the correct class counted, the square of the sum), not just anything."""
    ref = _ref(reference)
    hinge = ref.hinge_losses(ref.TOY_SCORES, ref.TOY_Y)
    candidates = {"hinge_losses": [hinge, hinge + 1.0],
                  "squared_hinge_losses": [ref.squared_hinge_losses(ref.TOY_SCORES, ref.TOY_Y), hinge ** 2]}
    for name, values in candidates.items():
        try:
            got = as_array(student.call(_f(name), ref.TOY_SCORES, ref.TOY_Y), name, shape=hinge.shape)
        except (StudentCallError, TestFailure):
            return False
        if not any(close(got, value, 1e-6, 1e-8) for value in values):
            return False
    return True


def _check_toy_answers(answer, expected):
    losses = np.asarray(expected["losses"], dtype=np.float64)
    _matches(answer["losses"], losses, "toy 'losses'",
             [(losses + 1.0, "each loss also counted j = y_i", "hinge_counts_correct_class")])
    mean = expected["mean"]
    _matches(_number(answer["mean"], "toy 'mean'"), mean, "toy 'mean'",
             [(losses.sum(), "that is the sum; the loss of a data set is the mean over its examples",
               "sum_instead_of_mean")])
    _matches(_number(answer["mean_doubled_W"], "toy 'mean_doubled_W'"), expected["mean_doubled_W"],
             "toy 'mean_doubled_W'",
             [(2.0 * mean, "doubling W doubles the scores, but not the margin", "doubled_W_doubles_the_loss"),
              (mean, "that is the loss of the original W", "doubled_W_not_applied")])
    _matches(_number(answer["mean_including_correct"], "toy 'mean_including_correct'"),
             expected["mean_including_correct"], "toy 'mean_including_correct'",
             [(mean, "that is the loss without the term j = y_i: what does that term add?",
               "correct_class_term_left_out")])
    _matches(_number(answer["mean_squared"], "toy 'mean_squared'"), expected["mean_squared"],
             "toy 'mean_squared'", [(mean ** 2, "that squares the mean loss; square every hinge term",
                                     "squares_the_mean")])


@graded(_f("loss_at_initialization"), points=1)
def loss_at_initialization_matches_reference(student, reference):
    for c in (2, 3, 10, 1000):
        expected = _ref(reference).loss_at_initialization(c)
        answer = _answers(student, "loss_at_initialization", ["svm", "softmax"], c)
        classes = "few classes" if c <= 3 else "many classes" if c > 100 else "some classes"
        _matches(_number(answer["svm"], "'svm'"), expected["svm"], f"loss_at_initialization(C)['svm'] ({classes})",
                 [(float(c), "the sum over the wrong classes skips j = y_i", "hinge_counts_correct_class")])
        _matches(_number(answer["softmax"], "'softmax'"), expected["softmax"],
                 f"loss_at_initialization(C)['softmax'] ({classes})",
                 [(np.log10(c), "that uses the base-10 logarithm; the loss uses the natural one", "log10_instead_of_ln")])


@graded(_f("loss_ranges"), points=1)
def loss_ranges_match_reference(student, reference):
    expected = _ref(reference).loss_ranges()
    answer = _answers(student, "loss_ranges", ["svm", "softmax"])
    for key in ("svm", "softmax"):
        pair = as_array(answer[key], f"loss_ranges()['{key}'] (a pair (low, high))", shape=(2,))
        low, high = expected[key]
        check(float(pair[0]) == low, f"the lower end of loss_ranges()['{key}'] is wrong")
        check(float(pair[1]) == high, f"the upper end of loss_ranges()['{key}'] is wrong")


@graded(_f("regularization_penalties"), points=1)
def regularization_penalties_match_reference(student, reference, rng):
    for shape in ((4,), (10, 3), (1,)):
        w = rng.standard_normal(shape)
        expected = _ref(reference).regularization_penalties(w)
        answer = _answers(student, "regularization_penalties", ["l2", "l1"], w)
        _matches(_number(answer["l2"], "'l2'"), expected["l2"], f"the L2 penalty of a random {_kind(shape)} w",
                 [(np.sqrt(expected["l2"]), "that is the norm; the penalty is the sum of squares", "l2_norm_instead_of_squares")])
        _matches(_number(answer["l1"], "'l1'"), expected["l1"], f"the L1 penalty of a random {_kind(shape)} w",
                 [(float(np.sum(w)), "take absolute values before summing", "l1_without_absolute_values")])


@graded(_f("preferred_weights"), points=1)
def preferred_weights_match_reference(student, reference):
    expected = _ref(reference).preferred_weights()
    answer = _answers(student, "preferred_weights", ["l2", "l1"])
    for key in ("l2", "l1"):
        got = as_array(answer[key], f"preferred_weights()['{key}']", shape=(), integer=True)
        check(int(got) == expected[key], f"preferred_weights()['{key}'] is wrong: compare the "
              f"{key.upper()} penalties of w1 and w2 (the smaller one wins; 0 for a tie)")


# -- part 4: optimization ------------------------------------------------------------------------

@graded(_f("numerical_derivative"), points=1)
def numerical_derivative_matches_reference(student, reference, rng):
    ref = _ref(reference)
    cases = [("the lecture's walk-through", ref.GRAD_LOSS_BEFORE, ref.GRAD_LOSS_AFTER, ref.GRAD_H)]
    cases += [("random losses", float(rng.uniform(0, 5)), float(rng.uniform(0, 5)), float(h))
              for h in (1e-5, 1e-2)]
    for what, before, after, h in cases:
        expected = ref.numerical_derivative(before, after, h)
        _matches(student.call(_f("numerical_derivative"), before, after, h), expected,
                 f"numerical_derivative for {what}",
                 [(-expected, "the sign is flipped: (after - before) / h", "derivative_sign_flipped"),
                  (expected / 2, "divide by h, not 2h", "derivative_divided_by_2h")], rtol=1e-9)


@graded(_f("learning_rates"), points=1)
def learning_rates_match_reference(student, reference, rng):
    ref = _ref(reference)
    cases = [("the lecture's schedules", ref.LR0, ref.EPOCHS, ref.TOTAL_EPOCHS, ref.STEP_SIZE, ref.GAMMA)]
    total = int(rng.integers(20, 200))
    cases.append(("random schedules", float(rng.uniform(1e-4, 1.0)), rng.integers(0, total + 1, 12),
                  total, int(rng.integers(1, 20)), float(rng.uniform(0.1, 0.9))))
    for what, lr0, epochs, total, step, gamma in cases:
        expected = ref.learning_rates(lr0, epochs, total, step, gamma)
        answer = _answers(student, "learning_rates", list(expected), lr0, epochs, total, step, gamma)
        for name, values in expected.items():
            hints = []
            if name == "inverse_sqrt":
                hints = [(lr0 / np.sqrt(epochs + 1.0), "t = 0 counts as t = 1; later epochs stay as they are", "inverse_sqrt_shifted_epochs")]
            _matches(answer[name], values, f"learning_rates()['{name}'] for {what}", hints, floor=1e-9)


# -- part 5: the margin and the probabilistic view -----------------------------------------------

def _hinge_terms(scores, y, delta):
    rows = np.arange(len(y))
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + delta)
    margins[rows, y] = 0.0
    return margins


@graded(_f("hinge_losses_with_margin"), points=1)
def hinge_losses_with_margin_match_reference(student, reference, rng):
    ref = _ref(reference)
    cases = [("the lecture's example", ref.MARGIN_SCORES, ref.MARGIN_Y, ref.MARGIN_DELTA)]
    for n, c, delta, what in ((20, 10, float(rng.uniform(2.0, 20.0)), "random scores with a large delta"),
                              (1, 3, 0.5, "a single example with a small delta")):
        scores, y = _random_scores(rng, n, c, scale=5.0)
        cases.append((what, scores, y, delta))
    for what, scores, y, delta in cases:
        expected = ref.hinge_losses_with_margin(scores, y, delta)
        got = as_array(student.call(_f("hinge_losses_with_margin"), scores, y, delta), "hinge_losses_with_margin",
                       shape=expected.shape)
        _matches(got, expected, f"hinge_losses_with_margin on {what}", [
            (_hinge_terms(scores, y, 1.0).sum(axis=1), "the margin is still 1: use delta in max(0, s_j - s_y + delta)",
             "margin_delta_ignored"),
            (expected + delta, "the sum counted j = y_i too: it runs over the wrong classes only",
             "hinge_counts_correct_class")])


@graded(_f("hinge_mean_losses"), points=1)
def hinge_mean_losses_match_reference(student, reference, rng):
    ref = _ref(reference)
    for n, c, what in ((15, 10, "random scores"), (4, 2, "scores of two classes"),
                       (3, 3, "as many examples as classes")):
        scores, y = _random_scores(rng, n, c)
        expected = ref.hinge_mean_losses(scores, y)
        sums = _hinge_terms(scores, y, 1.0).sum(axis=1)
        got = as_array(student.call(_f("hinge_mean_losses"), scores, y), "hinge_mean_losses", shape=expected.shape)
        _matches(got, expected, f"hinge_mean_losses on {what}", [
            (sums / c, "the mean runs over the C - 1 wrong classes, not over all C", "mean_over_all_classes"),
            (sums, "that is the sum over the wrong classes; divide by their number, C - 1", "sum_instead_of_mean"),
            ((sums + 1.0) / c, "the correct class takes part in neither the sum nor the count",
             "hinge_counts_correct_class")])


@graded(_f("kl_divergences"), points=1)
def kl_divergences_match_reference(student, reference, rng):
    ref = _ref(reference)
    logits, y = _random_scores(rng, 8, 5)
    q = ref.softmax_probabilities(logits)
    soft = ref.softmax_probabilities(_random_scores(rng, 8, 5)[0])
    soft[:, 0] = 0.0  # a target with zeros, renormalized
    soft /= soft.sum(axis=1, keepdims=True)
    for what, p in (("one-hot targets", np.eye(5)[y]), ("soft targets with zeros", soft)):
        expected = ref.kl_divergences(p, q)
        got = as_array(student.call(_f("kl_divergences"), p, q), "kl_divergences", shape=expected.shape)
        check(np.all(np.isfinite(got)), f"kl_divergences gave nan or inf for {what}: a term with p = 0 counts 0",
              diagnosis="kl_zero_terms_nan")
        reverse = np.sum(q * (np.log(q) - np.log(np.clip(p, 1e-300, None))), axis=1)
        _matches(got, expected, f"kl_divergences for {what}", [
            (-expected, "the sign is flipped: p * log(p / q), not p * log(q / p)", "kl_sign_flipped"),
            (reverse, "that is KL(q || p): the target p comes first", "kl_reversed")])


@graded(_f("negative_log_priors"), points=1)
def negative_log_priors_match_reference(student, reference, rng):
    ref = _ref(reference)
    for shape in ((7,), (4, 3)):
        w = rng.standard_normal(shape)
        sigma, b = float(rng.uniform(0.2, 3.0)), float(rng.uniform(0.2, 3.0))
        expected = ref.negative_log_priors(w, sigma, b)
        answer = _answers(student, "negative_log_priors", ["gaussian", "laplace"], w, sigma, b)
        _matches(_number(answer["gaussian"], "'gaussian'"), expected["gaussian"],
                 f"the Gaussian negative log-prior of a random {_kind(shape)} w", [
                     (float(np.sum(w * w)) / (2 * sigma ** 2), "the normalizing constant of every weight is missing",
                      "prior_constant_missing"),
                     (expected["gaussian"] + float(np.sum(w * w)) / (2 * sigma ** 2),
                      "the exponent of the normal density is w**2 / (2 sigma**2): the 2 is missing", "gaussian_without_2")])
        _matches(_number(answer["laplace"], "'laplace'"), expected["laplace"],
                 f"the Laplace negative log-prior of a random {_kind(shape)} w", [
                     (float(np.sum(np.abs(w))) / b, "the normalizing constant of every weight is missing",
                      "prior_constant_missing")])
