"""The grader fails closed: the seven findings of the security review, each with its attack, a
control showing that the attack pays when the defence is off, and the defence.

1. a "no loops" point earned by a loop bound to the graded name at run time;
2. a non-finite expected value (from the student's other function) that passes any tolerance;
3. hidden inputs carried out through exception messages, exit codes, shapes or class names (the
   other channels of a hidden test: test_hidden_channels.py);
4. grading without isolation, and a child without the no-fork filter;
5. a forged message size that makes the grader allocate a gigabyte;
6. a submission that sleeps just under the call limit in every call;
7. security tests that skip where the protection is missing (see the last tests here).
"""
import ast
import dataclasses
import json
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.analysis import loops
from autograder.classrun.grade import GradeError, grade_class
from autograder.engine.discovery import load_tests
from autograder.engine.messages import NO_ANSWER
from autograder.engine.running import run_tests
from autograder.sandbox import Limits, Sandbox, runner
from autograder import testing
from autograder.engine.api import assert_close, rel_error
from class_builder import KNN, KNN_FILE, REFERENCE_KNN, REPO, SOURCE, add_student, replace_method
from sandbox_helpers import require_isolation

NO_LOOPS = "compute_distances_no_loops"
QUALNAME = f"KNearestNeighbor.{NO_LOOPS}"
PUBLIC_LOOP_TEST = "no_loops_uses_no_loops"


@pytest.fixture(scope="module", autouse=True)
def _isolated():
    require_isolation()


def _method_source(code, method):
    start = code.index(f"    def {method}(")
    following = code.find("\n    def ", start + 1)
    return code[start:following if following > 0 else len(code)]


# -- 1. "no loops" cannot be forged -----------------------------------------------------------

# The graded def keeps no loop (a wrong answer); something else makes the name run a looping
# version that answers right.
WRONG_BODY = "        return np.zeros((X.shape[0], self.X_train.shape[0]))\n"
BROKEN = replace_method(REFERENCE_KNN, NO_LOOPS, WRONG_BODY)
LOOPING = "KNearestNeighbor.compute_distances_two_loops"
FORGERIES = {
    "assigned_after_the_class": BROKEN + f"\nKNearestNeighbor.{NO_LOOPS} = {LOOPING}\n",
    "setattr": BROKEN + f"\nsetattr(KNearestNeighbor, '{NO_LOOPS}', {LOOPING})\n",
    "setattr_by_computed_name": BROKEN + "\n__builtins__['set' + 'attr'](KNearestNeighbor, "
                                         f"'compute_distances_' + 'no_loops', {LOOPING})\n",
    "globals": BROKEN + "\nclass _Looping(KNearestNeighbor):\n"
                        f"    {NO_LOOPS} = KNearestNeighbor.compute_distances_two_loops\n"
                        "globals()['KNearestNeighbor'] = _Looping\n",
    "class_rebound": BROKEN + "\nclass _Looping(KNearestNeighbor):\n"
                              f"    {NO_LOOPS} = KNearestNeighbor.compute_distances_two_loops\n"
                              "KNearestNeighbor = _Looping\n",
    "instance_attribute_set_in_train": BROKEN.replace(
        "        self.y_train = y\n",
        f"        self.y_train = y\n        self.{NO_LOOPS} = self.compute_distances_two_loops\n", 1),
    "decorator": BROKEN.replace(
        f"    def {NO_LOOPS}(",
        "    @(lambda f: KNearestNeighbor_loop)\n" + f"    def {NO_LOOPS}(", 1).replace(
        "class KNearestNeighbor", "def KNearestNeighbor_loop(self, X):\n"
        "    return KNearestNeighbor.compute_distances_two_loops(self, X)\n\n\nclass KNearestNeighbor", 1),
    "through_a_name": replace_method(REFERENCE_KNN, NO_LOOPS,
                                     "        f = self.compute_distances_two_loops\n        return f(X)\n"),
    "recursion": replace_method(REFERENCE_KNN, NO_LOOPS, """        if len(X) == 0:
            return np.zeros((0, self.X_train.shape[0]))
        rest = self.compute_distances_no_loops(X[1:])
        row = np.sqrt(np.sum((self.X_train - X[0]) ** 2, axis=1))
        return np.vstack([row[None, :], rest])
"""),
    "helper_in_another_file": replace_method(
        REFERENCE_KNN.replace("import numpy as np", "import numpy as np\nfrom classifiers.knn_helpers import rows", 1),
        NO_LOOPS, "        return rows(X, self.X_train)\n"),
}
HELPER_FILE = ("classifiers/knn_helpers.py",
               "import numpy as np\n\n\ndef rows(X, T):\n"
               "    return np.array([np.sqrt(np.sum((T - x) ** 2, axis=1)) for x in X])\n")


def _submission_files(knn_code):
    files = {p.relative_to(SOURCE).as_posix(): p.read_text() for p in SOURCE.rglob("*.py")
             if "tests" not in p.relative_to(SOURCE).parts}
    files[KNN_FILE.as_posix()] = knn_code
    files[HELPER_FILE[0]] = HELPER_FILE[1]
    return files


def _forgery_student(tmp_path, name, code):
    folder = add_student(tmp_path, name, code)
    (folder / HELPER_FILE[0]).write_text(HELPER_FILE[1])
    return folder


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_a_looping_function_bound_at_run_time_is_not_counted_as_loop_free(forgery):
    report = loops.analyze(_submission_files(FORGERIES[forgery]), KNN_FILE.as_posix(), QUALNAME)
    assert report.loops is not None
    assert report.forged or report.loops > 0, f"{forgery}: the analysis vouched for a loop"


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_control_each_forgery_answers_right_through_a_def_without_loops(tmp_path, forgery):
    # What the old check read, the graded def's own text, has no loop; yet calling the graded name
    # gives the right distances: the attack would have earned the point.
    code = FORGERIES[forgery]
    tree = ast.parse(textwrap.dedent(_method_source(code, NO_LOOPS)))
    assert not [n for n in ast.walk(tree) if isinstance(n, loops.LOOPS)], forgery
    folder = _forgery_student(tmp_path, "forger", code)
    X_train, X = np.random.default_rng(0).standard_normal((2, 7, 5))
    with Sandbox(folder) as sb:
        got = sb.call_method(KNN.rstrip("."), [("train", (X_train, np.zeros(7, dtype=np.int64))),
                                               (NO_LOOPS, (X,))])
    expected = np.sqrt(((X[:, None, :] - X_train[None, :, :]) ** 2).sum(-1))
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_correct_styles_are_still_loop_free():
    styles = {
        "reference": REFERENCE_KNN,
        "helper_function": replace_method(
            REFERENCE_KNN.replace("import numpy as np", "import numpy as np\n\n\ndef _sq(A):\n"
                                  "    return np.sum(A * A, axis=1)\n", 1),
            NO_LOOPS, "        d = _sq(X)[:, None] + _sq(self.X_train)[None, :] - 2 * X @ self.X_train.T\n"
                      "        return np.sqrt(np.maximum(d, 0))\n"),
        "ufunc_reduce": replace_method(REFERENCE_KNN, NO_LOOPS,
            "        d = np.add.reduce((X[:, None, :] - self.X_train[None]) ** 2, axis=2)\n"
            "        return np.sqrt(d)\n"),
        "static_helper": replace_method(REFERENCE_KNN, NO_LOOPS,
            "        return self._dist(X, self.X_train)\n\n    @staticmethod\n    def _dist(A, B):\n"
            "        return np.sqrt(np.maximum((A**2).sum(1)[:, None] + (B**2).sum(1) - 2 * A @ B.T, 0))\n"),
    }
    for name, code in styles.items():
        report = loops.analyze(_submission_files(code), KNN_FILE.as_posix(), QUALNAME)
        assert (report.loops, report.forged) == (0, []), (name, report)


def test_forged_no_loops_earns_no_loop_point_and_costs_nothing_else(tmp_path):
    tests = [t for t in load_tests(SOURCE / "tests", include_hidden=False)
             if t.function.startswith(KNN) and "predict" not in t.function]
    for name in ("assigned_after_the_class", "through_a_name", "helper_in_another_file"):
        folder = _forgery_student(tmp_path / name, name, FORGERIES[name])
        results = {r.name: r for r in run_tests(tests, folder, reference_dir=SOURCE)}
        assert results[PUBLIC_LOOP_TEST].status == "failed", (name, results[PUBLIC_LOOP_TEST])
        others = [r for r in results.values() if r.function.endswith(("two_loops", "one_loop"))]
        assert all(r.status == "passed" for r in others), [(r.name, r.message) for r in others]


def test_a_rebinding_made_by_an_earlier_test_does_not_reach_a_loop_test(tmp_path):
    # features.py (graded before the kNN tests) quietly rebinds the kNN method when it is imported.
    # The def itself raises; the rebound method answers right.
    folder = add_student(tmp_path, "late_rebinder",
                         replace_method(REFERENCE_KNN, NO_LOOPS, "        raise ValueError('not this one')\n"))
    rebind = ("\nimport classifiers.k_nearest_neighbor as _knn\n"
              f"_knn.KNearestNeighbor.{NO_LOOPS} = _knn.KNearestNeighbor.compute_distances_two_loops\n")
    (folder / "features.py").write_text((folder / "features.py").read_text() + rebind)
    X_train, X = np.random.default_rng(1).standard_normal((2, 6, 4))
    steps = [("train", (X_train, np.zeros(6, dtype=np.int64))), (NO_LOOPS, (X,))]
    with Sandbox(folder) as shared:  # control: one child for all tests, as before
        shared.call("features.color_histogram_hsv", np.zeros((4, 4, 3)))
        assert shared.call_method(KNN.rstrip("."), steps).shape == (6, 6), "control: the rebinding took"
    tests = [t for t in load_tests(SOURCE / "tests", include_hidden=False)
             if t.function.startswith("features") or t.name == PUBLIC_LOOP_TEST]
    results = {r.name: r for r in run_tests(tests, folder, reference_dir=SOURCE)}
    assert results[PUBLIC_LOOP_TEST].status == "error", results[PUBLIC_LOOP_TEST]


def test_a_loop_test_must_be_declared_fresh():
    class Student:
        fresh = False
    from autograder.engine.api import assert_max_loops
    with pytest.raises(RuntimeError, match="fresh=True"):
        assert_max_loops(Student(), KNN_FILE.as_posix(), QUALNAME, 0)


# -- 2. non-finite values on either side fail ---------------------------------------------------

def test_a_nan_expected_value_fails_the_comparison():
    nan = np.full((2, 3), np.nan)
    assert not rel_error(np.zeros((2, 3)), nan) > 1e-6  # control: nan passes an "error > tol" test
    with pytest.raises(testing.TestFailure, match="compared with contains nan or inf"):
        assert_close(np.zeros((2, 3)), nan, "distances")
    with pytest.raises(testing.TestFailure, match="compared with contains nan or inf"):
        assert_close(np.zeros(2), [np.inf, 0.0], "distances")
    with pytest.raises(testing.TestFailure, match="contains nan or inf"):
        assert_close(nan, np.zeros((2, 3)), "distances")


def test_a_warm_up_answer_compared_with_a_nan_loop_version_earns_nothing(tmp_path):
    source = REPO / "source" / "assignment0"
    code = (source / "warmup.py").read_text()
    loops_body = ("    dists = np.zeros((A.shape[0], B.shape[0]))\n    for i in range(A.shape[0]):\n"
                  "        for j in range(B.shape[0]):\n            diff = A[i] - B[j]  # (D,)\n"
                  "            dists[i, j] = np.sum(diff * diff)\n    return dists\n")
    no_loops_body = "    diff = A[:, None, :] - B[None, :, :]  # (M, N, D)\n    return np.sum(diff * diff, axis=2)\n"
    assert loops_body in code and no_loops_body in code
    code = code.replace(loops_body, "    return np.full((A.shape[0], B.shape[0]), np.nan)\n")
    code = code.replace(no_loops_body, "    return np.zeros((A.shape[0], B.shape[0]))\n")
    folder = tmp_path / "assignment0"
    folder.mkdir()
    (folder / "warmup.py").write_text(code)
    tests = [t for t in load_tests(source / "tests", include_hidden=False)
             if t.name == "pairwise_sq_distances_agrees_with_the_loops_and_has_none"]
    [result] = run_tests(tests, folder)
    assert result.status == "failed" and "nan" in result.message, result


# -- 3. hidden tests carry nothing out ---------------------------------------------------------

LEAKS = {
    # each kNN method turns the first hidden input value into something the grader would print
    "compute_distances_two_loops": "        raise ValueError('LEAK%.6f' % float(X.flat[0]))\n",
    "compute_distances_one_loop":
        "        raise type('LEAK_%d' % int(abs(float(X.flat[0])) * 1e6), (Exception,), {})()\n",
    "compute_distances_no_loops":
        "        import os\n        os._exit(13 + int(abs(float(X.flat[0])) * 1e3) % 200)\n",
    "predict_labels":
        "        return np.zeros(1000 + int(abs(float(dists.flat[0])) * 1e6) % 997, dtype=np.int64)\n",
    "predict": "        exec(compile('raise KeyError()', 'LEAK_%d.py' % int(abs(float(X.flat[0])) * 1e6), 'exec'))\n",
}


@pytest.fixture(scope="module")
def leaker_graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("leaks")
    code = REFERENCE_KNN
    for method, body in LEAKS.items():
        code = replace_method(code, method, body)
    add_student(root / "submitted", "leaker", code)
    out = root / "out"
    grade_class(root / "submitted", "assignment1", course_dir=REPO, out_dir=out, workers=1, gradebook=False,
                json_path=out / "grades.json", progress=False, limits=Limits(call_seconds=5.0))
    [record] = json.loads((out / "grades.json").read_text())
    html = (out / "autograded" / "leaker" / "assignment1" / "autograder.html").read_text()
    return record, html


def test_hidden_feedback_shows_no_exception_text_exit_code_shape_or_class_name(leaker_graded):
    record, html = leaker_graded
    hidden = [t for t in record["tests"] if t["hidden"] and t["function"].startswith(KNN)]
    assert hidden and all(t["points"] == 0 for t in hidden)
    for t in hidden:
        message = re.sub(r"\.py:\d+", ".py:LINE", t["message"])
        assert "LEAK" not in message and "got (" not in message and "exited with code" not in message, t
        assert not re.search(r"\d{3,}", message), t
    raised = [t for t in hidden if t["function"].endswith("two_loops")]
    assert raised and all(t["status"] == "failed" and t["message"] == NO_ANSWER for t in raised), raised
    # the html holds public messages too: only the public ones may quote the student's text
    public_leaks = {m for t in record["tests"] if not t["hidden"] for m in re.findall(r"LEAK[\d._]+", t["message"])}
    assert set(re.findall(r"LEAK[\d._]+", html)) <= public_leaks


def test_control_public_tests_show_the_same_exception_text(leaker_graded):
    # The same leaking code in a public test: its message reaches the feedback, so the attack
    # would carry hidden inputs out if hidden tests showed messages too.
    record, html = leaker_graded
    public = [t for t in record["tests"] if not t["hidden"] and t["function"].endswith("two_loops")]
    assert public and all("LEAK" in t["message"] for t in public)
    assert "LEAK" in html


# -- 4. no isolation, no grading ----------------------------------------------------------------

def test_grading_refuses_to_run_without_isolation(tmp_path, monkeypatch, capsys):
    add_student(tmp_path / "submitted", "honest", REFERENCE_KNN)
    monkeypatch.setattr("autograder.classrun.grade.isolation_available", lambda *a: False)
    with pytest.raises(GradeError, match="refusing to grade.*--insecure"):
        grade_class(tmp_path / "submitted", course_dir=REPO, out_dir=tmp_path / "out", progress=False)
    assert not (tmp_path / "out" / "grades.csv").exists()
    from autograder.cli import main
    assert main(["grade", str(tmp_path / "submitted"), "--course", str(REPO)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "refusing to grade" in err


def test_insecure_grading_is_recorded_in_grades_json_and_feedback(tmp_path, monkeypatch):
    add_student(tmp_path / "submitted", "honest", REFERENCE_KNN)
    monkeypatch.setattr("autograder.classrun.grade.isolation_available", lambda *a: False)
    out = tmp_path / "out"
    tests = [t for t in load_tests(SOURCE / "tests", include_hidden=True)]
    grade_class(tmp_path / "submitted", course_dir=REPO, out_dir=out, progress=False, insecure=True,
                gradebook=False, json_path=out / "grades.json", workers=1)
    [record] = json.loads((out / "grades.json").read_text())
    assert record["insecure"] is True and len(record["tests"]) == len(tests)
    assert "Graded without isolation" in (out / "autograded" / "honest" / "assignment1" / "autograder.html").read_text()


def test_the_sandbox_refuses_to_start_without_isolation(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "isolation_available", lambda *a: False)
    with pytest.raises(runner.IsolationUnavailable):
        Sandbox(tmp_path)


def _greeting(require):
    # The child program with a system-call filter that fails to install.
    code = ("import autograder.sandbox.child as c\nc.install_filter = lambda policy: False\nc.serve()\n")
    done = subprocess.run([sys.executable, "-c", code], input=b"", capture_output=True, timeout=60,
                          env={"AUTOGRADER_REQUIRE_FILTER": require, "PATH": "/usr/bin:/bin",
                               "PYTHONPATH": str(REPO)})
    return done.stdout


def test_the_child_refuses_to_serve_without_its_system_call_filter():
    assert b'"ready"' in _greeting("0")  # control: without the requirement it would serve
    assert _greeting("1") == b""


# -- 5. forged message sizes ------------------------------------------------------------------

FORGER = '''
import os, struct, json

def forge():
    # Find the grader's pipe (the descriptor the child answers on) and announce a 1 GiB array,
    # then send it.
    header = json.dumps({"status": "ok", "value": {"blob": 0}, "blobs": [1 << 30]}).encode()
    chunk = bytes(1 << 20)
    for fd in range(3, 12):
        try:
            os.write(fd, struct.pack(">Q", len(header)) + header)
        except OSError:
            continue
        try:
            for _ in range(1024):
                os.write(fd, chunk)
        except OSError:
            pass
    return 0
'''


def _parent_peak_mb(folder, cap):
    script = f"""
import sys
from autograder.sandbox import Sandbox, StudentCallError, protocol
protocol.MAX_MESSAGE_BYTES = {cap}
try:
    with Sandbox({str(folder)!r}) as sb:
        sb.call("forger.forge")
except StudentCallError as exc:
    print(exc.message, file=sys.stderr)
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print(int(line.split()[1]) / 1024)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return float(done.stdout.split()[-1]), done.stderr


def test_a_forged_message_size_is_refused_before_allocation(tmp_path, measured):
    (tmp_path / "forger.py").write_text(FORGER)
    control_mb, _ = _parent_peak_mb(tmp_path, 2 << 30)
    peak_mb, message = _parent_peak_mb(tmp_path, 64 << 20)
    measured(f"forged 1 GiB reply: grader peak {peak_mb:.0f} MB with the 64 MiB cap, "
             f"{control_mb:.0f} MB with a 2 GiB cap (control)")
    assert control_mb > 1000, f"control: the grader should have read the whole gigabyte ({control_mb:.0f} MB)"
    assert peak_mb < 300, f"the grader peaked at {peak_mb:.0f} MB"
    assert "stopped answering" in message or "larger than" in message, message


# -- 6. a per-student time budget -------------------------------------------------------------

SLEEPER = REFERENCE_KNN.replace("import numpy as np", "import time\n\nimport numpy as np\ntime.sleep(0.4)", 1)
for _method in ("train", "compute_distances_two_loops", "compute_distances_one_loop", NO_LOOPS,
                "predict_labels", "predict"):
    _start = SLEEPER.index(f"    def {_method}(")
    _body = SLEEPER.index('"""', SLEEPER.index('"""', _start) + 3) + 4
    SLEEPER = SLEEPER[:_body] + "        time.sleep(0.4)\n" + SLEEPER[_body:]


def _knn_public_tests():
    return [t for t in load_tests(SOURCE / "tests", include_hidden=False) if t.function.startswith(KNN)]


def test_a_sleeper_is_stopped_by_the_student_budget(tmp_path):
    folder = add_student(tmp_path, "sleeper", SLEEPER)
    tests = _knn_public_tests()
    control = run_tests(tests, folder, reference_dir=SOURCE, limits=Limits(call_seconds=5))
    assert all(r.status == "passed" for r in control), "control: with time enough, every test passes"
    results = run_tests(tests, folder, reference_dir=SOURCE, limits=Limits(call_seconds=5, student_seconds=2.5))
    skipped = [r for r in results if r.message.startswith("not run: this submission used up its time budget")]
    ran = [r for r in results if r not in skipped]
    assert skipped and all(r.status == "timeout" and r.points == 0 for r in skipped)
    # each test makes at least two calls of 0.4 s (train, then the method) after a 0.4 s import
    assert len(ran) <= 2.5 / 0.8 + 1, [r.name for r in ran]


def test_two_timeouts_in_one_function_skip_the_rest_of_its_tests(tmp_path, monkeypatch):
    spinner = replace_method(REFERENCE_KNN, "compute_distances_one_loop", "        while True:\n            pass\n")
    folder = add_student(tmp_path, "spinner", spinner)
    # shown as public tests: a hidden test reads "failed" whatever the reason (test_hidden_channels.py)
    tests = [dataclasses.replace(t, hidden=False) for t in load_tests(SOURCE / "tests", include_hidden=True)
             if t.function == KNN + "compute_distances_one_loop"]
    assert len(tests) >= 3
    results = run_tests(tests, folder, reference_dir=SOURCE, limits=Limits(call_seconds=0.5))
    assert [r.status for r in results] == ["timeout"] * len(tests)
    assert [r.message.startswith("not run") for r in results] == [False, False] + [True] * (len(tests) - 2)
    monkeypatch.setattr("autograder.engine.running.TIMEOUTS_PER_FUNCTION", len(tests) + 1)
    control = run_tests(tests, folder, reference_dir=SOURCE, limits=Limits(call_seconds=0.5))
    assert not any(r.message.startswith("not run") for r in control)  # control: every test waited


def test_one_sleeper_costs_the_class_at_most_its_budget(tmp_path, measured):
    submitted, out = tmp_path / "submitted", tmp_path / "out"
    add_student(submitted, "honest", REFERENCE_KNN)
    add_student(submitted, "sleeper", SLEEPER)
    started = time.monotonic()
    grade_class(submitted, course_dir=REPO, out_dir=out, workers=1, gradebook=False, progress=False,
                json_path=out / "grades.json", limits=Limits(call_seconds=5, student_seconds=6))
    elapsed = time.monotonic() - started
    records = {r["student"]: r for r in json.loads((out / "grades.json").read_text())}
    assert records["honest"]["score"] == records["honest"]["max_score"]
    sleeper = records["sleeper"]
    assert any(t["message"].startswith("not run: this submission used up its time budget") for t in sleeper["tests"])
    ran = sum(not t["message"].startswith("not run") for t in sleeper["tests"])
    measured(f"class of an honest student and a sleeper (budget 6 s, one worker): {elapsed:.0f} s; "
             f"the sleeper ran {ran} of its {len(sleeper['tests'])} tests")


# -- 7. the security suites cannot pass where the protection is missing -------------------------

# Every file of tests/security/, and the end-to-end runs that grade hostile students.
TESTS = Path(__file__).resolve().parents[1]
# Suites that never run student code need no sandbox: they check text a person's browser will show.
WITHOUT_STUDENT_CODE = {"security/test_inert_notebooks.py"}
SECURITY_SUITES = sorted(p.relative_to(TESTS).as_posix() for p in (TESTS / "security").glob("test_*.py")
                         if p.relative_to(TESTS).as_posix() not in WITHOUT_STUDENT_CODE) + [
    "e2e/test_load.py", "e2e/test_dask.py"]


def test_suites_exempt_from_isolation_run_no_student_code():
    for name in WITHOUT_STUDENT_CODE:
        text = (TESTS / name).read_text()
        assert not re.search(r"\b(Sandbox|run_tests|grade_class|run_student|StudentCode)\b", text), (
            f"{name} runs student code, so it must insist on isolation")


def test_security_suites_fail_instead_of_skipping_without_isolation(monkeypatch):
    for name in SECURITY_SUITES:
        text = (TESTS / name).read_text()
        assert "require_isolation" in text, f"{name} does not insist on isolation"
        if Path(name).name == Path(__file__).name:
            continue  # the pattern below would find itself
        assert not re.search(r"skip[^\n]*(namespace|isolation)", text, re.I), f"{name} skips without isolation"
    monkeypatch.setattr("sandbox_helpers.isolation_available", lambda *a: False)
    with pytest.raises(pytest.fail.Exception, match="cannot isolate"):
        require_isolation()


def test_no_security_test_asserts_a_wall_clock_bound():
    for name in SECURITY_SUITES:
        text = (TESTS / name).read_text()
        assert not re.search(r"assert [^\n]*(elapsed|seconds\"\]) <", text), f"{name} asserts a wall-clock bound"
