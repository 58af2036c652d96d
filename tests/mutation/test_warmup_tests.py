"""The warm-up's graded tests (source/assignment0/tests) do what issue 7 asks.

- the reference solution earns every point, the untouched release none;
- each plausible wrong answer (a base-10 cross-entropy, a hinge sum that counts j = y_i, a sum where
  the mean belongs, ...) earns zero for its function, with a hint that names the mistake, keeps full
  points on every other function, and no message of any test quotes a lecture answer;
- `autograder check` on the release gives the same hints from the public tests alone, and
  `autograder grade` grades a small class of assignment0 end to end.

Variants are the reference text with exact lines replaced (the replacement asserts the old text is
present, so an edit to the reference breaks these tests loudly instead of making them vacuous).
"""
import contextlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from autograder.engine.discovery import load_tests

from mutation_helpers import (TALLY, assert_names, describe, grade_folder, points_by_function, record_bug,
                              record_correct)

REPO = Path(__file__).resolve().parents[2]
SOURCE_DIR = REPO / "source" / "assignment0"
RELEASE_DIR = REPO / "release" / "assignment0"
TESTS_DIR = SOURCE_DIR / "tests"
REFERENCE_FILE = SOURCE_DIR / "warmup.py"
MODULE = "warmup"


def f(name):
    return f"{MODULE}.{name}"


ALL = ("correct_class_scores", "center_columns", "pairwise_sq_distances", "matmul_shape",
       "linear_scores", "bias_trick", "hinge_losses", "squared_hinge_losses",
       "softmax_probabilities", "cross_entropy_losses", "toy_svm_answers", "loss_at_initialization",
       "loss_ranges", "regularization_penalties", "preferred_weights", "numerical_derivative",
       "learning_rates", "hinge_losses_with_margin", "hinge_mean_losses", "kl_divergences", "negative_log_priors")
@contextlib.contextmanager
def reference_imports_isolated():
    """The grader imports the reference ``warmup`` into this process; undo that afterwards."""
    saved_path = list(sys.path)
    saved = sys.modules.pop(MODULE, None)
    try:
        yield
    finally:
        sys.modules.pop(MODULE, None)
        if saved is not None:
            sys.modules[MODULE] = saved
        sys.path[:] = saved_path


@pytest.fixture(scope="module")
def graded_tests():
    tests = load_tests(TESTS_DIR, include_hidden=True)
    assert {t.function for t in tests} == {f(name) for name in ALL}, "graded warm-up functions changed"
    for name in ALL:  # every function has a public test (for `check`) and a hidden one
        kinds = {t.hidden for t in tests if t.function == f(name)}
        assert kinds == {False, True}, f"{name} needs both a public and a hidden test"
    with reference_imports_isolated():
        yield tests


def grade(graded_tests, folder, source):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "warmup.py").write_text(source)
    return grade_folder(graded_tests, folder, SOURCE_DIR)


def edited(*changes):
    """The reference module with each ``(old, new)`` applied; ``old`` must occur exactly once."""
    text = REFERENCE_FILE.read_text()
    for old, new in changes:
        assert text.count(old) == 1, (f"reference warmup.py changed: expected one occurrence of "
                                      f"{old!r}; update this variant")
        text = text.replace(old, new)
    return text


def lecture_answers():
    """Every non-trivial number the notebook asks for, from the reference (computed here)."""
    spec = importlib.util.spec_from_file_location("_warmup_reference", REFERENCE_FILE)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    values = list(ref.toy_svm_answers()["losses"]) + [v for k, v in ref.toy_svm_answers().items()
                                                       if k != "losses"]
    values += list(ref.softmax_probabilities(ref.TOY_SCORES[:1])[0])
    values += list(ref.cross_entropy_losses(ref.TOY_SCORES[:1], ref.TOY_Y[:1]))
    values += list(ref.linear_scores(ref.LECTURE_W, ref.LECTURE_B, ref.LECTURE_X))
    values += list(ref.hinge_losses(ref.EXAMPLE_SCORES, ref.EXAMPLE_Y))
    values += list(ref.softmax_probabilities(ref.EXAMPLE_SCORES)[0])
    values += list(ref.cross_entropy_losses(ref.EXAMPLE_SCORES, ref.EXAMPLE_Y))
    values += list(ref.cross_entropy_losses(ref.CASE_SCORES, ref.CASE_Y))
    values += [ref.numerical_derivative(ref.GRAD_LOSS_BEFORE, ref.GRAD_LOSS_AFTER, ref.GRAD_H)]
    for schedule in ref.learning_rates(ref.LR0, ref.EPOCHS, ref.TOTAL_EPOCHS, ref.STEP_SIZE,
                                       ref.GAMMA).values():
        values += list(schedule)
    values += [ref.loss_at_initialization(10)["softmax"], -0.8908]  # ln 10, and the slide's log10 loss
    values += list(ref.hinge_losses_with_margin(ref.MARGIN_SCORES, ref.MARGIN_Y, ref.MARGIN_DELTA))
    values += list(ref.hinge_mean_losses(ref.TOY_SCORES, ref.TOY_Y))
    for scale in (1.0, 0.5):  # the confidence example's probabilities
        values += list(ref.softmax_probabilities(scale * ref.SCALE_SCORES)[0])
    # The inputs may appear anywhere (0.1 is both the initial learning rate and the step schedule's
    # first value); so may tiny values and numbers of one significant digit (0.05), which would
    # match anything.
    inputs = np.concatenate([np.ravel(a) for a in (ref.TOY_SCORES, ref.LECTURE_W, ref.LECTURE_B,
                                                   ref.LECTURE_X, ref.EXAMPLE_SCORES, ref.REG_W2,
                                                   ref.CASE_SCORES, [ref.LR0, ref.GAMMA, ref.GRAD_H])])
    return sorted({float(v) for v in values if abs(v) >= 0.05 and float(f"{v:.1g}") != float(v)
                   and not np.any(np.isclose(inputs, v, rtol=1e-12, atol=0))})


def quotes_an_answer(message, answers):
    for value in answers:
        for text in {f"{value:.2f}", f"{value:.3g}", f"{value:.4g}", f"{abs(value):.2f}"}:
            if float(text) == float(f"{float(text):.1g}"):
                continue  # rounded to one significant digit (0.1, 0.05): too common to mean anything
            if re.search(rf"(?<![\d.]){re.escape(text)}(?!\d)", message):
                return text
    return None


# -- the reference and the release ------------------------------------------------------------------

def test_reference_gets_full_points(graded_tests, tmp_path):
    results = grade(graded_tests, tmp_path, REFERENCE_FILE.read_text())
    record_correct("warm-up reference", results)
    lost = [r for r in results if r.status != "passed"]
    assert not lost, "the reference solution was marked down:\n" + describe(lost)
    assert sum(r.points for r in results) == sum(t.points for t in graded_tests) == 2 * len(ALL)


def test_untouched_release_gets_zero_and_not_implemented(graded_tests, tmp_path):
    results = grade(graded_tests, tmp_path, (RELEASE_DIR / "warmup.py").read_text())
    assert sum(r.points for r in results) == 0
    assert {r.status for r in results} == {"not_implemented"}, describe(results)


def test_release_holds_no_lecture_answer():
    answers = lecture_answers()
    for path in sorted(RELEASE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            text = path.read_text(encoding="utf-8")
            found = quotes_an_answer(text, answers)
            assert found is None, f"{path.relative_to(REPO)} contains the answer {found}"


def test_hard_coded_lecture_answers_fail_the_hidden_tests(graded_tests, tmp_path):
    """A function that returns the lecture's value whatever its input earns no hidden point."""
    ref_losses = "    return margins.sum(axis=1)\n    ### END SOLUTION\n\n\ndef squared_hinge_losses"
    source = edited((ref_losses, "    return np.array([2.9, 0.0, 12.9])\n    ### END SOLUTION\n\n\n"
                                 "def squared_hinge_losses"))
    results = grade(graded_tests, tmp_path, source)
    hinge = [r for r in results if r.function == f("hinge_losses")]
    assert all(r.status == "failed" for r in hinge), describe(hinge)


# -- plausible wrong answers --------------------------------------------------------------------------

@dataclass(frozen=True)
class Wrong:
    source: object      # () -> module text
    broken: str         # the function with the mistake: must score 0
    hint: str           # a phrase the feedback must contain (public and hidden)


WRONG = {
    "cross_entropy_with_log10": Wrong(lambda: edited(
        ("    return -log_probs[np.arange(scores.shape[0]), y]\n",
         "    return -log_probs[np.arange(scores.shape[0]), y] / np.log(10.0)\n")),
        "cross_entropy_losses", "base-10 logarithm"),
    "hinge_counts_the_correct_class": Wrong(lambda: edited(
        ("    margins[rows, y] = 0.0  # the sum skips j = y_i\n", "")),
        "hinge_losses", "j = y_i"),
    "toy_mean_is_a_sum": Wrong(lambda: edited(
        ('"mean": float(losses.mean()),', '"mean": float(losses.sum()),')),
        "toy_svm_answers", "mean over its examples"),
    "toy_doubled_W_doubles_the_loss": Wrong(lambda: edited(
        ('"mean_doubled_W": float(hinge_losses(2.0 * TOY_SCORES, TOY_Y).mean()),',
         '"mean_doubled_W": 2.0 * float(losses.mean()),')),
        "toy_svm_answers", "not the margin"),
    "toy_including_correct_unchanged": Wrong(lambda: edited(
        ('"mean_including_correct": float(all_margins.sum(axis=1).mean()),',
         '"mean_including_correct": float(losses.mean()),')),
        "toy_svm_answers", "what does that term add"),
    "squared_hinge_squares_the_sum": Wrong(lambda: edited(
        ("    return np.sum(margins ** 2, axis=1)\n", "    return np.sum(margins, axis=1) ** 2\n")),
        "squared_hinge_losses", "square of the sum"),
    "softmax_without_max_shift": Wrong(lambda: edited(
        ("    shifted = scores - scores.max(axis=1, keepdims=True)  # (N, C), largest entry 0\n",
         "    shifted = scores\n")),
        "softmax_probabilities", "nan or inf"),
    "init_softmax_loss_with_log10": Wrong(lambda: edited(
        ('"softmax": float(np.log(num_classes))', '"softmax": float(np.log10(num_classes))')),
        "loss_at_initialization", "base-10"),
    "init_svm_loss_counts_correct_class": Wrong(lambda: edited(
        ('{"svm": float(num_classes - 1),', '{"svm": float(num_classes),')),
        "loss_at_initialization", "skips j = y_i"),
    "softmax_range_capped_at_one": Wrong(lambda: edited(
        ('"softmax": (0.0, np.inf)}', '"softmax": (0.0, 1.0)}')),
        "loss_ranges", "upper"),
    "l2_penalty_with_square_root": Wrong(lambda: edited(
        ('"l2": float(np.sum(w * w))', '"l2": float(np.sqrt(np.sum(w * w)))')),
        "regularization_penalties", "sum of squares"),
    "l2_prefers_the_larger_penalty": Wrong(lambda: edited(
        ("(1 if p1 < p2 else 2)", "(1 if p1 > p2 else 2)")),
        "preferred_weights", "smaller"),
    "numerical_derivative_sign_flipped": Wrong(lambda: edited(
        ("    return (loss_after - loss_before) / h\n", "    return (loss_before - loss_after) / h\n")),
        "numerical_derivative", "sign is flipped"),
    "inverse_sqrt_shifted_by_one": Wrong(lambda: edited(
        ('"inverse_sqrt": lr0 / np.sqrt(np.maximum(t, 1))}', '"inverse_sqrt": lr0 / np.sqrt(t + 1.0)}')),
        "learning_rates", "inverse_sqrt"),
    "scores_without_bias": Wrong(lambda: edited(
        ("np.asarray(x, dtype=np.float64) + np.asarray(b)\n", "np.asarray(x, dtype=np.float64)\n")),
        "linear_scores", "bias b is missing"),
    "bias_one_prepended": Wrong(lambda: edited(
        ("    x_ext = np.append(np.asarray(x, dtype=np.float64), 1.0)\n",
         "    x_ext = np.insert(np.asarray(x, dtype=np.float64), 0, 1.0)\n")),
        "bias_trick", "x_ext"),
    "indexes_whole_columns": Wrong(lambda: edited(
        ("    return scores[np.arange(scores.shape[0]), np.asarray(y)]\n",
         "    return scores[:, np.asarray(y)]\n")),
        "correct_class_scores", "whole columns"),
    "centres_the_rows": Wrong(lambda: edited(
        ("X - X.mean(axis=0, keepdims=True)", "X - X.mean(axis=1, keepdims=True)")),
        "center_columns", "rows"),
    "distances_not_squared": Wrong(lambda: edited(
        ("    return np.sum(diff * diff, axis=2)\n", "    return np.sqrt(np.sum(diff * diff, axis=2))\n")),
        "pairwise_sq_distances", "squared distances"),
    "margin_still_one": Wrong(lambda: edited(
        ("    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + delta)  # (N, C)\n",
         "    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)  # (N, C)\n")),
        "hinge_losses_with_margin", "the margin is still 1"),
    "hinge_mean_over_all_classes": Wrong(lambda: edited(
        ("    return margins.sum(axis=1) / (scores.shape[1] - 1)  # C - 1 wrong classes\n",
         "    return margins.sum(axis=1) / scores.shape[1]\n")),
        "hinge_mean_losses", "not over all C"),
    "kl_with_nan_zero_terms": Wrong(lambda: edited(
        ("    terms = np.zeros_like(p)\n    present = p > 0\n"
         "    terms[present] = p[present] * (np.log(p[present]) - np.log(q[present]))\n",
         "    terms = p * np.log(p / q)\n")),
        "kl_divergences", "counts 0"),
    "kl_sign_flipped": Wrong(lambda: edited(
        ("(np.log(p[present]) - np.log(q[present]))", "(np.log(q[present]) - np.log(p[present]))")),
        "kl_divergences", "sign is flipped"),
    "gaussian_prior_without_its_constant": Wrong(lambda: edited(
        (" + w.size * np.log(sigma * np.sqrt(2.0 * np.pi))\n", "\n")),
        "negative_log_priors", "normalizing constant"),
    "gaussian_prior_without_the_2": Wrong(lambda: edited(
        ("np.sum(w * w) / (2.0 * sigma ** 2)", "np.sum(w * w) / sigma ** 2")),
        "negative_log_priors", "the 2 is missing"),
    "matmul_keeps_the_wrong_dimensions": Wrong(lambda: edited(
        ("    return shape_a[:-1] + shape_b[1:]\n", "    return shape_a[:1] + shape_b[-1:]\n")),
        "matmul_shape", "matmul_shape"),
}


# The mistake each planted bug should be named as (autograder/engine/diagnosis.py and the hidden tests):
# the proof that every diagnosis fires on the bug it describes.
DIAGNOSES = {
    "cross_entropy_with_log10": "log10_instead_of_ln",
    "hinge_counts_the_correct_class": "hinge_counts_correct_class",
    "toy_mean_is_a_sum": "sum_instead_of_mean",
    "toy_doubled_W_doubles_the_loss": "doubled_W_doubles_the_loss",
    "toy_including_correct_unchanged": "correct_class_term_left_out",
    "squared_hinge_squares_the_sum": "squared_hinge_squares_the_sum",
    "softmax_without_max_shift": "no_max_shift",
    "init_softmax_loss_with_log10": "log10_instead_of_ln",
    "init_svm_loss_counts_correct_class": "hinge_counts_correct_class",
    "l2_penalty_with_square_root": "l2_norm_instead_of_squares",
    "numerical_derivative_sign_flipped": "derivative_sign_flipped",
    "inverse_sqrt_shifted_by_one": "inverse_sqrt_shifted_epochs",
    "scores_without_bias": "bias_missing",
    "distances_not_squared": "distances_not_squared",
    "margin_still_one": "margin_delta_ignored",
    "hinge_mean_over_all_classes": "mean_over_all_classes",
    "kl_with_nan_zero_terms": "kl_zero_terms_nan",
    "kl_sign_flipped": "kl_sign_flipped",
    "gaussian_prior_without_its_constant": "prior_constant_missing",
    "gaussian_prior_without_the_2": "gaussian_without_2",
}


@pytest.mark.parametrize("variant", list(WRONG))
def test_plausible_wrong_answer_scores_zero_with_a_hint(graded_tests, tmp_path, variant):
    wrong = WRONG[variant]
    results = grade(graded_tests, tmp_path, wrong.source())
    got, full = points_by_function(results)
    broken = f(wrong.broken)
    mine = [r for r in results if r.function == broken]
    record_bug(variant, broken, results, named=any(wrong.hint in r.message for r in mine if not r.hidden))
    assert_names(variant, broken, results, DIAGNOSES.get(variant, ""))
    assert got[broken] == 0, (f"{variant}: {wrong.broken} still scores {got[broken]:g}/{full[broken]:g}:\n"
                              + describe(mine))
    public = [r for r in mine if not r.hidden]
    assert any(wrong.hint in r.message for r in public), (
        f"{variant}: `autograder check` (the public tests) does not say {wrong.hint!r}:\n" + describe(public))
    for name in set(ALL) - {wrong.broken}:  # public tests that use it are declared uses=(...)
        assert got[f(name)] == full[f(name)], (
            f"{variant} is in {wrong.broken}, yet {name} lost points:\n"
            + describe(results, lambda r, n=name: r.function == f(n) and r.status != "passed"))
    answers = lecture_answers()
    for r in results:
        found = quotes_an_answer(r.message, answers)
        assert found is None, f"{variant}: the message of {r.name} quotes the answer {found}: {r.message}"


@pytest.mark.parametrize("variant", ["cross_entropy_with_log10", "hinge_counts_the_correct_class",
                                     "toy_mean_is_a_sum", "numerical_derivative_sign_flipped"])
def test_hidden_tests_name_the_mistake_too(graded_tests, tmp_path, variant):
    """At grading time the hidden tests give the same kind of hint (without values)."""
    wrong = WRONG[variant]
    results = grade(graded_tests, tmp_path, wrong.source())
    hidden = [r for r in results if r.function == f(wrong.broken) and r.hidden]
    hint = {"hinge_counts_the_correct_class": "counted j = y_i"}.get(variant, wrong.hint)
    assert any(hint in r.message for r in hidden), describe(hidden)


# -- the commands students and instructors run ----------------------------------------------------

def _student_folder(root, source):
    folder = Path(root) / "assignment0"
    shutil.copytree(RELEASE_DIR, folder)
    if source is not None:
        (folder / "warmup.py").write_text(source)
    return folder


def test_check_gives_score_and_base10_hint(tmp_path):
    folder = _student_folder(tmp_path, WRONG["cross_entropy_with_log10"].source())
    result = subprocess.run([sys.executable, "-m", "autograder", "check", str(folder), "--json"],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 1, result.stderr  # a public test failed
    report = json.loads(result.stdout)
    by_function = {}
    for test in report["tests"]:
        by_function.setdefault(test["function"], []).append(test)
    ce = by_function[f("cross_entropy_losses")]
    assert [t["points"] for t in ce] == [0] and "base-10 logarithm" in ce[0]["message"], ce
    # the public tests of the functions built on cross_entropy_losses fail with it (loss_at_initialization,
    # loss_ranges): without hidden tests they cannot be rescored, and say to fix it first
    assert report["score"] == report["max_score"] - 3
    dependent = [t for t in report["tests"] if t["function"] in (f("loss_at_initialization"), f("loss_ranges"))]
    assert all("fix cross_entropy_losses first" in t["message"] for t in dependent), dependent
    assert not list(folder.rglob("hidden_*"))


def test_grade_a_small_class_of_assignment0(tmp_path):
    from autograder.classrun.grade import grade_class

    submitted, out = tmp_path / "submitted", tmp_path / "out"
    _student_folder(submitted / "ref", REFERENCE_FILE.read_text())
    _student_folder(submitted / "stubs", None)
    _student_folder(submitted / "log10", WRONG["cross_entropy_with_log10"].source())
    grade_class(submitted, "assignment0", course_dir=REPO, out_dir=out, workers=2,
                json_path=out / "grades.json", progress=False)
    records = {r["student"]: r for r in json.loads((out / "grades.json").read_text())}
    assert records["ref"]["score"] == records["ref"]["max_score"] == 2 * len(ALL)
    assert records["stubs"]["score"] == 0
    ce = [t for t in records["log10"]["tests"] if t["function"] == f("cross_entropy_losses")]
    assert sum(t["points"] for t in ce) == 0 and all("base-10" in t["message"] for t in ce), ce
    # Only cross_entropy_losses pays: loss_at_initialization, which the public test checks
    # against the student's own cross_entropy_losses, is scored by its own hidden test.
    assert records["log10"]["score"] == records["log10"]["max_score"] - 2


# -- the tally of all five mutation suites (this file runs last of them) --------------------------

ALL_SUITES_BUGS = 130  # at least this many planted bugs when every mutation suite ran in this session


def test_most_planted_bugs_get_a_message_that_names_the_mistake():
    """Over every mutation suite of the session: at least 80% of the planted bugs get a message
    that names the mistake, at least 30 distinct diagnoses are proved by a planted bug, no bug
    costs another function points, and no correct alternative gets a diagnosis or loses a point."""
    bugs, correct = TALLY["bugs"], TALLY["correct"]
    if len(bugs) < ALL_SUITES_BUGS:
        pytest.skip("run together with the other mutation suites (make test does)")
    named = sum(b["named"] for b in bugs)
    assert named >= 0.8 * len(bugs), f"only {named} of {len(bugs)} planted bugs are named"
    assert len({b["diagnosis"] for b in bugs} - {""}) >= 30
    assert not [b["bug"] for b in bugs if b["lost_elsewhere"]]
    assert all(c["full"] for c in correct), [c["variant"] for c in correct if not c["full"]]
