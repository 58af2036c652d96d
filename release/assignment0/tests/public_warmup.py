"""Public tests for the warm-up: `autograder check` runs these on your own machine.

They hold none of the lecture's answers. Each test checks one of your functions in one of three ways:
- on small inputs whose answer is known by construction (e.g. scores built as log q for a
  probability vector q, whose softmax is q);
- by properties every correct answer has (columns with mean 0, rows summing to 1, no loops);
- by agreement with your own functions (the toy answers must be what your hinge_losses gives on the
  toy scores), so an answer is only as right as the functions behind it.

A failing test names the mistake it recognises (a base-10 logarithm, a sum that includes j = y_i, a
sum where a mean belongs...) without telling you the number to type. The grader then adds hidden
tests that compare every function with the reference solution on the lecture's numbers and on
random inputs.
"""
import numpy as np

from autograder.testing import (Diagnosis, TestFailure, as_array, assert_close, assert_max_loops, check,
                                close, diagnose, graded)

NOTEBOOK = "warmup.ipynb"
MODULE = "warmup"
MODULE_FILE = "warmup.py"

# The lecture's inputs (copies of the constants in warmup.py; the answers are not here).
TOY_SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
TOY_Y = np.array([0, 1, 2])
REG_W1 = np.array([1.0, 0.0, 0.0, 0.0])
REG_W2 = np.array([0.25, 0.25, 0.25, 0.25])


def _f(name):
    return f"{MODULE}.{name}"


def _matches(actual, expected, what, hints=(), rtol=1e-6, floor=1e-8):
    """assert_close, but first name a recognised mistake: ``hints`` is [(wrong value, message, diagnosis id)]."""
    expected = np.asarray(expected, dtype=np.float64)
    actual = as_array(actual, what, shape=expected.shape)
    if not close(actual, expected, rtol, floor):
        found = diagnose(actual, expected, [Diagnosis(name, message, wrong) for wrong, message, name in hints],
                         rtol, floor)
        if found:
            raise TestFailure(f"{found.advice} (in {what})", diagnosis=found.name)
    assert_close(actual, expected, what, rtol=rtol, floor=floor)


def _answers(student, name, keys, *args):
    """The dict returned by ``name``, with exactly ``keys``."""
    answer = student.call(_f(name), *args)
    check(isinstance(answer, dict), f"{name} should return a dict; got {type(answer).__name__}")
    missing = [k for k in keys if k not in answer]
    check(not missing, f"{name} returned no {', '.join(repr(k) for k in missing)}")
    return answer


def _number(value, what):
    return float(as_array(value, f"{what} (a single number)", shape=()))


# -- part 1: numpy fluency -----------------------------------------------------------------------

@graded(_f("correct_class_scores"), points=1)
def correct_class_scores_picks_marked_entries(student, rng):
    scores = rng.uniform(0.0, 1.0, (7, 5))
    y = rng.integers(0, 5, 7)
    scores[np.arange(7), y] = 100.0 + np.arange(7)  # the correct entries, marked 100, 101, ...
    got = as_array(student.call(_f("correct_class_scores"), scores, y), "correct_class_scores")
    check(got.shape != (7, 7), "correct_class_scores returned a (7, 7) array: scores[:, y] picks whole "
          "columns; pair every row index with that row's label instead")
    _matches(got, 100.0 + np.arange(7), "correct_class_scores on scores whose correct entries are marked")


@graded(_f("center_columns"), points=1)
def center_columns_gives_zero_column_means(student, rng):
    X = rng.standard_normal((6, 4)) * [1.0, 10.0, 0.1, 3.0] + [5.0, -20.0, 0.0, 100.0]
    got = as_array(student.call(_f("center_columns"), X), "center_columns", shape=X.shape)
    row_means = X - X.mean(axis=1, keepdims=True)
    check(not close(got, row_means), "center_columns centred the rows (axis=1); centre each column, "
          "over the rows (axis=0)")
    assert_close(got.mean(axis=0), np.zeros(4), "the column means after center_columns", floor=1e-6)
    shift = X - got  # a correct answer subtracts one number per column
    assert_close(shift, np.broadcast_to(shift[:1], shift.shape), "what center_columns subtracted "
                 "(it should be one number per column)", floor=1e-6)


@graded(_f("pairwise_sq_distances"), points=1, fresh=True)
def pairwise_sq_distances_agrees_with_the_loops_and_has_none(student, rng):
    A, B = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    loops = as_array(student.call(_f("pairwise_sq_distances_loops"), A, B), "pairwise_sq_distances_loops")
    got = student.call(_f("pairwise_sq_distances"), A, B)
    _matches(got, loops, "pairwise_sq_distances (compared with pairwise_sq_distances_loops)",
             [(np.sqrt(loops), "these are distances; the function returns squared distances", "distances_not_squared")])
    assert_max_loops(student, MODULE_FILE, "pairwise_sq_distances", 0)


@graded(_f("matmul_shape"), points=1)
def matmul_shape_follows_the_rules(student):
    cases = [((2, 3), (3, 5), (2, 5)), ((3,), (3, 4), (4,)), ((6, 2), (2,), (6,)), ((4,), (4,), ()),
             ((7, 1), (1, 7), (7, 7)), ((2, 3), (2, 3), None), ((5,), (4, 5), None)]
    for a, b, expected in cases:
        got = student.call(_f("matmul_shape"), a, b)
        if expected is None:
            check(got is None, f"matmul_shape{a, b} returned {got!r}; the inner dimensions differ, so "
                  "a @ b is an error: return None")
            continue
        check(isinstance(got, (tuple, list)), f"matmul_shape{a, b} should return a tuple; got "
              f"{type(got).__name__}")
        got = tuple(int(n) for n in got)
        check(got == expected, f"matmul_shape{a, b} returned {got}; expected {expected}")


# -- part 2: the linear classifier ---------------------------------------------------------------

@graded(_f("linear_scores"), points=1)
def linear_scores_on_unit_examples(student, rng):
    W, b = rng.standard_normal((3, 5)), rng.standard_normal(3)
    zero = student.call(_f("linear_scores"), W, b, np.zeros(5))
    _matches(zero, b, "linear_scores for x = 0 (only the bias is left)",
             [(np.zeros(3), "the bias b is missing", "bias_missing")])
    for k in (0, 3):
        x = np.zeros(5)
        x[k] = 1.0
        _matches(student.call(_f("linear_scores"), W, b, x), W[:, k] + b,
                 f"linear_scores for x = the unit vector e_{k} (column {k} of W plus b)",
                 [(W[:, k], "the bias b is missing", "bias_missing")])
    x = rng.standard_normal(5)
    both = as_array(student.call(_f("linear_scores"), W, b, 2.0 * x), "linear_scores")
    one = as_array(student.call(_f("linear_scores"), W, b, x), "linear_scores")
    _matches(both - b, 2.0 * (one - b), "linear_scores minus b (it should be linear in x)")


@graded(_f("bias_trick"), points=1, uses=(_f("linear_scores"),))
def bias_trick_reproduces_your_scores(student, rng):
    # Agreeing with linear_scores proves something only when linear_scores is right: its own test
    # first (when it fails, this test is not charged: uses=).
    linear_scores_on_unit_examples(student, rng)
    W, b, x = rng.standard_normal((3, 4)), rng.standard_normal(3), rng.standard_normal(4)
    answer = student.call(_f("bias_trick"), W, b, x)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2, "bias_trick should return a tuple "
          "(W_ext, x_ext)")
    W_ext = as_array(answer[0], "W_ext from bias_trick", shape=(3, 5))
    x_ext = as_array(answer[1], "x_ext from bias_trick", shape=(5,))
    _matches(W_ext[:, :4], W, "the first D columns of W_ext (they should be W)")
    _matches(x_ext[:4], x, "the first D entries of x_ext (they should be x)")
    check(x_ext[4] == 1.0, f"the last entry of x_ext is {x_ext[4]:g}; the constant feature is 1")
    scores = student.call(_f("linear_scores"), W, b, x)
    _matches(W_ext @ x_ext, scores, "W_ext @ x_ext (compared with your linear_scores(W, b, x))")


# -- part 3: losses ------------------------------------------------------------------------------

def _constructed_hinge_cases(rng, num_classes=5):
    """Scores whose hinge terms are known: (scores, y, margins) with margins[i] the terms
    s_j - s_{y_i} + 1 of the violating classes j (the others are below -1 by construction)."""
    n = 6
    y = rng.integers(0, num_classes, n)
    base = rng.uniform(-3.0, 3.0, n)  # any shift of a row changes nothing
    scores = np.repeat(base[:, None], num_classes, axis=1) - 20.0  # every wrong class far behind
    scores[np.arange(n), y] = base
    terms = []
    for i in range(n):
        wrong = [j for j in range(num_classes) if j != y[i]]
        chosen = rng.choice(wrong, size=i % 3, replace=False)  # 0, 1 or 2 violators
        gaps = rng.uniform(-0.8, 2.0, len(chosen))  # s_j - s_y, so every term gap + 1 is > 0.2
        scores[i, chosen] = base[i] + gaps
        terms.append(gaps + 1.0)
    return scores, y, terms


def _hinge_shape(student, name, scores, y):
    got = as_array(student.call(_f(name), scores, y), name)
    check(got.shape == (len(y),), f"{name} returned shape {got.shape}; it returns one loss per "
          f"example, shape ({len(y)},), not their mean or sum")
    return got


@graded(_f("hinge_losses"), points=1)
def hinge_losses_on_constructed_scores(student, rng):
    equal = np.repeat(rng.uniform(-2, 2, 4)[:, None], 5, axis=1)  # (4, 5): all scores of a row equal
    y = rng.integers(0, 5, 4)
    got = _hinge_shape(student, "hinge_losses", equal, y)
    hint = [(np.full(4, 5.0), "the sum counted j = y_i too; it runs over the wrong classes only", "hinge_counts_correct_class"),
            (np.zeros(4), "an equal score is not good enough: the correct score must win by the margin 1", "hinge_without_margin_at_ties")]
    _matches(got, np.full(4, 4.0), "hinge_losses when all 5 scores of an example are equal", hint)
    scores, y, terms = _constructed_hinge_cases(rng)
    got = _hinge_shape(student, "hinge_losses", scores, y)
    expected = np.array([t.sum() for t in terms])
    hints = [(np.array([t.max(initial=0.0) for t in terms]), "take the sum over the wrong classes, not "
              "the largest term", "hinge_max_instead_of_sum"),
             (np.array([(t - 1.0).clip(0).sum() for t in terms]), "the margin 1 seems to be missing", "hinge_without_margin")]
    _matches(got, expected, "hinge_losses on scores with 0, 1 or 2 classes inside the margin", hints)


@graded(_f("squared_hinge_losses"), points=1)
def squared_hinge_losses_on_constructed_scores(student, rng):
    scores, y, terms = _constructed_hinge_cases(rng)
    got = _hinge_shape(student, "squared_hinge_losses", scores, y)
    expected = np.array([np.sum(t ** 2) for t in terms])
    hints = [(np.array([t.sum() ** 2 for t in terms]), "that is the square of the sum; square every "
              "term, then sum", "squared_hinge_squares_the_sum"),
             (np.array([t.sum() for t in terms]), "the terms are not squared", "squared_hinge_not_squared")]
    _matches(got, expected, "squared_hinge_losses on scores with 0, 1 or 2 classes inside the margin", hints)


def _log_probabilities(rng, n, c):
    """Scores log q + shift for random probability rows q: their softmax is exactly q."""
    q = rng.uniform(0.05, 1.0, (n, c))
    q /= q.sum(axis=1, keepdims=True)
    return np.log(q) + rng.uniform(-5.0, 5.0, (n, 1)), q


@graded(_f("softmax_probabilities"), points=1)
def softmax_probabilities_on_log_probabilities(student, rng):
    scores, q = _log_probabilities(rng, 5, 4)
    got = as_array(student.call(_f("softmax_probabilities"), scores), "softmax_probabilities",
                   shape=scores.shape)
    if not close(got.sum(axis=1), np.ones(5)) and close(got.sum(), 1.0):
        raise TestFailure("the rows of softmax_probabilities do not sum to 1, the whole array does: "
                          "normalise every row (axis=1, keepdims=True)")
    assert_close(got.sum(axis=1), np.ones(5), "the row sums of softmax_probabilities")
    _matches(got, q, "softmax_probabilities of scores log q + a constant per row (their softmax is q)")
    big = 1000.0 * rng.standard_normal((3, 4))
    got = as_array(student.call(_f("softmax_probabilities"), big), "softmax_probabilities")
    check(np.all(np.isfinite(got)), "softmax_probabilities gives nan or inf for scores around 1000: "
          "exp overflows; subtracting each row's maximum first changes nothing and avoids it", diagnosis="no_max_shift")


@graded(_f("cross_entropy_losses"), points=1)
def cross_entropy_losses_on_log_probabilities(student, rng):
    scores, q = _log_probabilities(rng, 6, 4)
    y = rng.integers(0, 4, 6)
    got = as_array(student.call(_f("cross_entropy_losses"), scores, y), "cross_entropy_losses")
    check(got.shape == (6,), f"cross_entropy_losses returned shape {got.shape}; it returns one loss "
          "per example, shape (6,), not their mean or sum")
    p = q[np.arange(6), y]
    hints = [(-np.log10(p), "this is the base-10 logarithm (np.log10): the loss uses the natural "
              "logarithm, np.log", "log10_instead_of_ln"),
             (-np.log2(p), "this is the base-2 logarithm: the loss uses the natural logarithm, np.log", "log2_instead_of_ln"),
             (np.log(p), "the sign is flipped: the loss is minus the log-probability", "cross_entropy_sign_flipped"),
             (1.0 - p, "use the log of the correct class's probability", "cross_entropy_without_log")]
    _matches(got, -np.log(p), "cross_entropy_losses for scores log q + a constant (their softmax is q)",
             hints)
    # A correct class far behind: the loss is almost exactly the gap to the best score.
    big = np.array([[1000.0, 0.0, -1000.0]])
    got = as_array(student.call(_f("cross_entropy_losses"), big, np.array([1])), "cross_entropy_losses")
    check(np.all(np.isfinite(got)), "cross_entropy_losses gives nan or inf for scores around 1000: "
          "exp overflows; subtract each row's maximum first", diagnosis="no_max_shift")
    _matches(got, [1000.0], "cross_entropy_losses for scores (1000, 0, -1000) with y = 1", rtol=1e-9)


def _toy_with_correct_copied():
    """TOY_SCORES with a fourth class whose score equals the correct class's score: that class's
    hinge term is exactly the term j = y_i adds when the sum includes it."""
    return np.hstack([TOY_SCORES, TOY_SCORES[np.arange(3), TOY_Y][:, None]])


@graded(_f("toy_svm_answers"), points=1, uses=(_f("hinge_losses"), _f("squared_hinge_losses")))
def toy_svm_answers_agree_with_your_functions(student, rng):
    hinge_losses_on_constructed_scores(student, rng)  # as for bias_trick: the functions it agrees with first
    squared_hinge_losses_on_constructed_scores(student, rng)
    answer = _answers(student, "toy_svm_answers",
                      ["losses", "mean", "mean_doubled_W", "mean_including_correct", "mean_squared"])
    losses = as_array(student.call(_f("hinge_losses"), TOY_SCORES, TOY_Y), "hinge_losses", shape=(3,))
    _matches(answer["losses"], losses, "toy 'losses' (compared with your hinge_losses on TOY_SCORES)")
    mean = _number(answer["mean"], "toy 'mean'")
    _matches(mean, losses.mean(), "toy 'mean' (compared with your hinge_losses)",
             [(losses.sum(), "that is the sum; the loss of a data set is the mean over its examples", "sum_instead_of_mean")])
    doubled = as_array(student.call(_f("hinge_losses"), 2.0 * TOY_SCORES, TOY_Y), "hinge_losses")
    _matches(_number(answer["mean_doubled_W"], "toy 'mean_doubled_W'"), doubled.mean(),
             "toy 'mean_doubled_W' (compared with your hinge_losses on the doubled scores)",
             [(2.0 * mean, "doubling W doubles every score, but not the margin: the loss does not "
               "simply double", "doubled_W_doubles_the_loss"), (mean, "that is the loss of the original W", "doubled_W_not_applied")])
    copied = as_array(student.call(_f("hinge_losses"), _toy_with_correct_copied(), TOY_Y), "hinge_losses")
    _matches(_number(answer["mean_including_correct"], "toy 'mean_including_correct'"), copied.mean(),
             "toy 'mean_including_correct'",
             [(mean, "that is the loss without the term j = y_i: what does that term add?", "correct_class_term_left_out")])
    squared = as_array(student.call(_f("squared_hinge_losses"), TOY_SCORES, TOY_Y), "squared_hinge_losses")
    _matches(_number(answer["mean_squared"], "toy 'mean_squared'"), squared.mean(),
             "toy 'mean_squared' (compared with your squared_hinge_losses)",
             [(squared.sum(), "that is the sum; take the mean over the examples", "sum_instead_of_mean"),
              (mean ** 2, "that squares the mean loss; square every hinge term", "squares_the_mean")])


@graded(_f("loss_at_initialization"), points=1, uses=(_f("hinge_losses"), _f("cross_entropy_losses")))
def loss_at_initialization_agrees_with_your_losses(student, rng):
    hinge_losses_on_constructed_scores(student, rng)  # as for bias_trick: the functions it agrees with first
    cross_entropy_losses_on_log_probabilities(student, rng)
    for c in (3, 10):
        answer = _answers(student, "loss_at_initialization", ["svm", "softmax"], c)
        zeros, y = np.zeros((1, c)), np.array([0])
        svm = as_array(student.call(_f("hinge_losses"), zeros, y), "hinge_losses")[0]
        _matches(_number(answer["svm"], "'svm'"), svm,
                 f"loss_at_initialization({c})['svm'] (compared with your hinge_losses on equal scores)",
                 [(float(c), "the sum over the wrong classes skips j = y_i", "hinge_counts_correct_class")])
        softmax = as_array(student.call(_f("cross_entropy_losses"), zeros, y), "cross_entropy_losses")[0]
        _matches(_number(answer["softmax"], "'softmax'"), softmax,
                 f"loss_at_initialization({c})['softmax'] (compared with your cross_entropy_losses on "
                 "equal scores)", [(np.log10(c), "that uses the base-10 logarithm; the loss uses the "
                                    "natural one", "log10_instead_of_ln")])


@graded(_f("loss_ranges"), points=1, uses=(_f("hinge_losses"), _f("cross_entropy_losses")))
def loss_ranges_agree_with_your_losses(student, rng):
    hinge_losses_on_constructed_scores(student, rng)  # as for bias_trick: the functions it agrees with first
    cross_entropy_losses_on_log_probabilities(student, rng)
    answer = _answers(student, "loss_ranges", ["svm", "softmax"])
    for key, function in (("svm", "hinge_losses"), ("softmax", "cross_entropy_losses")):
        pair = as_array(answer[key], f"loss_ranges()['{key}'] (a pair (low, high))", shape=(2,))
        low, high = float(pair[0]), float(pair[1])
        check(low <= high, f"loss_ranges()['{key}'] = ({low:g}, {high:g}) has low > high")
        winning = as_array(student.call(_f(function), np.array([[50.0, 0.0, 0.0]]), np.array([0])), function)
        best = float(winning[0])
        check(low <= best, f"loss_ranges()['{key}']: your {function} gives {best:.3g} when the correct "
              f"class wins by 50, below your lower bound {low:g}")
        check(best - low < 1e-6, f"loss_ranges()['{key}']: the lower bound {low:g} is not the smallest "
              f"value; your {function} gives {best:.3g} when the correct class wins by 50")
        for gap in (1e3, 1e6, 1e9, 1e12):
            losing = as_array(student.call(_f(function), np.array([[0.0, gap, 0.0]]), np.array([0])), function)
            check(float(losing[0]) <= high, f"loss_ranges()['{key}']: your {function} gives "
                  f"{float(losing[0]):.3g} when a wrong class leads by {gap:g}, above your upper "
                  f"bound {high:g}")
        check(not np.isfinite(high) or high > 1e300, f"loss_ranges()['{key}']: is there really a "
              f"largest loss, {high:g}? Think of a wrong class that leads by more and more")


@graded(_f("regularization_penalties"), points=1)
def regularization_penalties_by_construction(student, rng):
    cases = [(np.ones((3, 4)), 12.0, 12.0), (np.array([0.0, -3.0, 0.0]), 9.0, 3.0),
             (np.array([[1.0, -2.0], [2.0, 0.0]]), 9.0, 5.0)]
    for w, l2, l1 in cases:
        answer = _answers(student, "regularization_penalties", ["l2", "l1"], w)
        _matches(_number(answer["l2"], "'l2'"), l2, f"the L2 penalty of {w.tolist()}",
                 [(np.sqrt(l2), "that is the Euclidean norm; the penalty is the sum of squares, "
                   "without the square root", "l2_norm_instead_of_squares")])
        _matches(_number(answer["l1"], "'l1'"), l1, f"the L1 penalty of {w.tolist()}",
                 [(float(np.sum(w)), "take absolute values before summing", "l1_without_absolute_values")])


@graded(_f("preferred_weights"), points=1, uses=(_f("regularization_penalties"),))
def preferred_weights_agree_with_your_penalties(student, rng):
    regularization_penalties_by_construction(student, rng)  # as for bias_trick: the function it agrees with first
    answer = _answers(student, "preferred_weights", ["l2", "l1"])
    first = _answers(student, "regularization_penalties", ["l2", "l1"], REG_W1)
    second = _answers(student, "regularization_penalties", ["l2", "l1"], REG_W2)
    for key in ("l2", "l1"):
        got = as_array(answer[key], f"preferred_weights()['{key}']", shape=(), integer=True)
        check(int(got) in (0, 1, 2), f"preferred_weights()['{key}'] is {int(got)}; answer 1, 2 or 0")
        p1, p2 = _number(first[key], key), _number(second[key], key)
        expected = 0 if np.isclose(p1, p2) else (1 if p1 < p2 else 2)
        check(int(got) == expected, f"preferred_weights()['{key}'] disagrees with your "
              f"regularization_penalties: the {key.upper()} penalties of w1 and w2 are {p1:g} and {p2:g} "
              "(both give the same score; the smaller penalty wins, 0 for a tie)")


# -- part 4: optimization ------------------------------------------------------------------------

@graded(_f("numerical_derivative"), points=1)
def numerical_derivative_of_a_parabola(student):
    x, h = 3.0, 1e-3
    before, after = x ** 2, (x + h) ** 2  # the slope of x**2 at 3 is 6; the estimate is 6 + h
    got = student.call(_f("numerical_derivative"), before, after, h)
    _matches(got, 6.0 + h, "numerical_derivative for f(x) = x ** 2 at x = 3 with h = 0.001",
             [(-(6.0 + h), "the sign is flipped: (after - before) / h", "derivative_sign_flipped"),
              ((6.0 + h) / 2, "divide by h: this one-sided difference spans h, not 2h", "derivative_divided_by_2h")], rtol=1e-9)


@graded(_f("learning_rates"), points=1)
def learning_rates_at_known_points(student):
    epochs = np.array([0, 1, 4, 10, 20, 40])
    got = _answers(student, "learning_rates", ["step", "cosine", "linear", "inverse_sqrt"],
                   0.5, epochs, 40, 10, 0.5)
    known = {"step": (slice(None), [0.5, 0.5, 0.5, 0.25, 0.125, 0.03125]),
             "cosine": ([0, 4, 5], [0.5, 0.25, 0.0]),  # starts at lr0, half way at t = total / 2, ends at 0
             "linear": ([0, 4, 5], [0.5, 0.25, 0.0]),
             "inverse_sqrt": ([0, 1, 2], [0.5, 0.5, 0.25])}  # t = 0 counts as t = 1; t = 4 halves it
    for name, (where, values) in known.items():
        value = as_array(got[name], f"learning_rates()['{name}']", shape=epochs.shape)
        _matches(value[where], values, f"learning_rates()['{name}'] with lr0 = 0.5, total 40, step_size "
                 f"10, gamma 0.5 at epochs {epochs[where].tolist()}", floor=1e-9)


# -- part 5: the margin and the probabilistic view -----------------------------------------------

@graded(_f("hinge_losses_with_margin"), points=1)
def hinge_losses_with_margin_on_scaled_scores(student, rng):
    # Scores scaled by delta move every term s_j - s_y + 1 to delta * (s_j - s_y) + delta: the
    # known terms times delta.
    scores, y, terms = _constructed_hinge_cases(rng)
    delta = float(rng.uniform(2.0, 12.0))
    got = as_array(student.call(_f("hinge_losses_with_margin"), delta * scores, y, delta), "hinge_losses_with_margin",
                   shape=(len(y),))
    expected = delta * np.array([t.sum() for t in terms])
    wrong_margin = np.array([np.maximum(0.0, delta * (t - 1.0) + 1.0).sum() for t in terms])
    _matches(got, expected, "hinge_losses_with_margin on constructed scores", [
        (wrong_margin, "the margin is still 1: use delta in max(0, s_j - s_y + delta)", "margin_delta_ignored"),
        (expected + delta, "the sum counted j = y_i too (it adds delta): it runs over the wrong classes only",
         "hinge_counts_correct_class")])


@graded(_f("hinge_mean_losses"), points=1)
def hinge_mean_losses_on_constructed_scores(student, rng):
    scores, y, terms = _constructed_hinge_cases(rng, num_classes=5)
    got = as_array(student.call(_f("hinge_mean_losses"), scores, y), "hinge_mean_losses", shape=(len(y),))
    sums = np.array([t.sum() for t in terms])
    _matches(got, sums / 4.0, "hinge_mean_losses on scores with 5 classes", [
        (sums / 5.0, "the mean runs over the C - 1 wrong classes, not over all C", "mean_over_all_classes"),
        (sums, "that is the sum over the wrong classes; divide by their number, C - 1", "sum_instead_of_mean"),
        ((sums + 1.0) / 5.0, "the correct class takes part in neither the sum nor the count", "hinge_counts_correct_class")])


@graded(_f("kl_divergences"), points=1)
def kl_divergences_of_one_hot_and_equal_rows(student, rng):
    logits, y = 3.0 * rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    q = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    one_hot = np.eye(4)[y]
    got = as_array(student.call(_f("kl_divergences"), one_hot, q), "kl_divergences", shape=(6,))
    check(np.all(np.isfinite(got)), "kl_divergences gave nan or inf for one-hot targets: a term with p = 0 "
          "counts 0 (0 * log 0 is nan in numpy: leave those terms out)", diagnosis="kl_zero_terms_nan")
    cross_entropy = -np.log(q[np.arange(6), y])
    reversed_kl = np.sum(q * (np.log(q) - np.log(np.clip(one_hot, 1e-300, None))), axis=1)
    _matches(got, cross_entropy, "kl_divergences(one-hot targets, q): the cross-entropy -log q[y]", [
        (-cross_entropy, "the sign is flipped: p * log(p / q), not p * log(q / p)", "kl_sign_flipped"),
        (reversed_kl, "that is KL(q || p): the target p comes first", "kl_reversed")])
    same = as_array(student.call(_f("kl_divergences"), q, q), "kl_divergences", shape=(6,))
    _matches(same, np.zeros(6), "kl_divergences(q, q), a distribution against itself")


@graded(_f("negative_log_priors"), points=1)
def negative_log_priors_match_the_densities(student, rng):
    from scipy import stats
    w = rng.standard_normal((5, 3))
    sigma, b = float(rng.uniform(0.3, 2.0)), float(rng.uniform(0.3, 2.0))
    answer = _answers(student, "negative_log_priors", ["gaussian", "laplace"], w, sigma, b)
    gaussian = -float(np.sum(stats.norm.logpdf(w, scale=sigma)))
    laplace = -float(np.sum(stats.laplace.logpdf(w, scale=b)))
    _matches(_number(answer["gaussian"], "negative_log_priors(...)['gaussian']"), gaussian,
             "negative_log_priors(...)['gaussian'] (scipy.stats.norm's density)", [
                 (float(np.sum(w * w)) / (2 * sigma ** 2), "the normalizing constant log(sigma sqrt(2 pi)) of every "
                  "weight is missing: the penalty matches it only up to that constant", "prior_constant_missing"),
                 (gaussian - float(np.sum(w * w)) / (2 * sigma ** 2) + float(np.sum(w * w)) / sigma ** 2,
                  "the exponent of the normal density is w**2 / (2 sigma**2): the 2 is missing", "gaussian_without_2")])
    _matches(_number(answer["laplace"], "negative_log_priors(...)['laplace']"), laplace,
             "negative_log_priors(...)['laplace'] (scipy.stats.laplace's density)", [
                 (float(np.sum(np.abs(w))) / b, "the normalizing constant log(2 b) of every weight is missing",
                  "prior_constant_missing")])
