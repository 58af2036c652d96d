"""``engine.scoring.score_dependent_tests``: a test declared ``uses=(G,)`` that fails while G loses points
scores what its own function's independent tests score, and never more."""
from autograder.engine import scoring
from autograder.engine.scoring import score_dependent_tests
from autograder import testing


def _test(name, function, uses=(), fresh=False, hidden=False):
    return testing.GradedTest(name, function, 1.0, None, hidden=hidden, fresh=fresh, uses=uses)


def _result(test, status):
    return scoring.TestResult(test.name, test.function, 1.0 if status == "passed" else 0.0, 1.0, status, "msg",
                      test.hidden)


def _score(spec):
    tests = [t for t, _ in spec]
    results = [_result(t, status) for t, status in spec]
    return {r.name: r.points for r in score_dependent_tests(tests, results)}, results


def test_a_failure_through_a_broken_dependency_scores_what_the_function_scores_alone():
    forward = _test("forward_values", "forward")
    uses = _test("backward_vs_your_forward", "backward", uses=("forward",))
    alone = _test("backward_hidden", "backward", hidden=True)
    points, results = _score([(forward, "failed"), (uses, "failed"), (alone, "passed")])
    assert points == {"forward_values": 0.0, "backward_vs_your_forward": 1.0, "backward_hidden": 1.0}
    assert "forward" in results[1].message and "not charged" in results[1].message


def test_a_wrong_function_gains_nothing_from_breaking_its_dependency():
    # Control for the test above: the same failing dependency, but the function is wrong on its
    # own too, so the excused test scores 0 (breaking forward on purpose earns backward nothing).
    forward = _test("forward_values", "forward")
    uses = _test("backward_vs_your_forward", "backward", uses=("forward",))
    alone = _test("backward_hidden", "backward", hidden=True)
    points, _ = _score([(forward, "failed"), (uses, "failed"), (alone, "failed")])
    assert points["backward_vs_your_forward"] == 0.0


def test_without_a_failing_dependency_the_failure_is_charged():
    forward = _test("forward_values", "forward")
    uses = _test("backward_vs_your_forward", "backward", uses=("forward",))
    alone = _test("backward_hidden", "backward", hidden=True)
    points, _ = _score([(forward, "passed"), (uses, "failed"), (alone, "passed")])
    assert points["backward_vs_your_forward"] == 0.0


def test_loop_tests_and_stubs_are_not_excused_and_do_not_count_as_the_functions_own_score():
    forward = _test("forward_values", "forward")
    uses = _test("vectorized_vs_your_naive", "vectorized", uses=("forward",))
    loops = _test("vectorized_has_no_loops", "vectorized", fresh=True)
    alone = _test("vectorized_hidden", "vectorized", hidden=True)
    points, _ = _score([(forward, "failed"), (uses, "failed"), (loops, "failed"), (alone, "passed")])
    assert points["vectorized_vs_your_naive"] == 1.0 and points["vectorized_has_no_loops"] == 0.0
    points, _ = _score([(forward, "failed"), (uses, "not_implemented"), (alone, "passed")])
    assert points["vectorized_vs_your_naive"] == 0.0


def test_a_self_check_without_independent_tests_keeps_the_zero_and_names_what_to_fix():
    forward = _test("forward_values", "forward")
    uses = _test("backward_vs_your_forward", "backward", uses=("forward",))
    points, results = _score([(forward, "failed"), (uses, "failed")])
    assert points["backward_vs_your_forward"] == 0.0 and "fix forward first" in results[1].message


def test_an_excused_failure_names_no_mistake_of_its_own():
    # The mistake a test recognised while running a broken dependency may be the dependency's: the
    # dependency's own tests name it, so the excused test drops it (counted once in the class report).
    forward = _test("forward_values", "forward")
    uses = _test("backward_vs_your_forward", "backward", uses=("forward",))
    alone = _test("backward_hidden", "backward", hidden=True)
    spec = [(forward, "failed"), (uses, "failed"), (alone, "passed")]
    results = [_result(t, status) for t, status in spec]
    results[1].diagnosis, results[1].diagnosis_title = "backward_sign_flipped", "the sign of dx is flipped"
    score_dependent_tests([t for t, _ in spec], results)
    assert results[1].diagnosis == "" and results[1].diagnosis_title == ""
    # Control: with its dependency intact the same failure keeps its diagnosis.
    results = [_result(t, status) for t, status in [(forward, "passed"), (uses, "failed"), (alone, "passed")]]
    results[1].diagnosis = "backward_sign_flipped"
    score_dependent_tests([t for t, _ in spec], results)
    assert results[1].diagnosis == "backward_sign_flipped"
