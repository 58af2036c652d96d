"""Submissions that attack the grader earn nothing for it, and everyone else is graded normally.

One grading run (module fixture) over an honest student and one attacker per attack; each test then
checks one attack. The attacks are the ones that fool graders running tests in the student's kernel.
"""
import json
import subprocess
import sys

import pytest

from autograder.classrun.grade import grade_class
from autograder.sandbox import Limits, Sandbox, StudentCallError
from class_builder import KNN, REFERENCE_KNN, REPO, add_student, points_for, replace_method
from sandbox_helpers import UnisolatedSandbox, require_isolation

GRADEBOOK_SECRET = b"SQLite format 3\x00 (not a real gradebook: the attack must not change it)"

# Right everywhere but the vectorized distances, which forget the square root: a score strictly
# between 0 and full, so that an attack that changes anything at all changes the score.
PARTIAL_KNN = REFERENCE_KNN.replace("dists = np.sqrt(np.maximum(sq_dists, 0.0))", "dists = np.maximum(sq_dists, 0.0)")
TRANSFORMER = ("try:\n    get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n"
               "except NameError:\n    import builtins\n    builtins.get_ipython = lambda: None\n")

ATTACKS = {
    # (a) make IPython rewrite every later cell to `pass` (in a kernel, the hidden test cells)
    "a_input_transformer": PARTIAL_KNN.replace("import numpy as np", "import numpy as np\n" + TRANSFORMER, 1),
    # (b) patch numpy's comparisons, then return zeros from compute_distances_no_loops
    "b_patch_numpy": replace_method(REFERENCE_KNN.replace(
        "import numpy as np",
        "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\nnp.isclose = lambda a, b, **k: np.ones_like(a, bool)\n", 1),
        "compute_distances_no_loops", "        return np.zeros((X.shape[0], self.X_train.shape[0]))\n"),
    # (c) a result whose == always says True
    "c_rigged_eq": replace_method(REFERENCE_KNN.replace(
        "import numpy as np",
        "import numpy as np\n\nclass Yes(list):\n    def __eq__(self, other):\n        return True\n"
        "    def __ne__(self, other):\n        return False\n", 1),
        "predict_labels", "        return Yes([0] * dists.shape[0])\n"),
    # (d) kill the grader, then leave
    "d_kill_parent": replace_method(REFERENCE_KNN, "predict_labels",
        "        import os, signal\n        for pid in (os.getppid(), 1, -1):\n            try:\n"
        "                os.kill(pid, signal.SIGKILL)\n            except OSError:\n                pass\n"
        "        os._exit(0)\n"),
    # (e) never return
    "e_infinite_loop": replace_method(REFERENCE_KNN, "compute_distances_one_loop",
        "        while True:\n            pass\n"),
    # (f) ask for 50 GB
    "f_allocate_50gb": replace_method(REFERENCE_KNN, "compute_distances_two_loops",
        "        hog = np.ones((50 * 2**30) // 8)\n        return hog[:X.shape[0] * self.X_train.shape[0]]"
        ".reshape(X.shape[0], -1)\n"),
}


def _steal_code(course, gradebook):
    # (g) the strongest reader: it knows the absolute paths of the course and the gradebook.
    return replace_method(REFERENCE_KNN, "predict", f"""        import importlib.util, os
        for path in ({str(gradebook)!r},):
            try:
                with open(path, "r+b") as f:
                    f.write(b"pwned")
            except OSError:
                pass
        for root in ("../../source", {str(course / "source")!r}):
            path = os.path.join(root, "assignment1", "classifiers", "k_nearest_neighbor.py")
            try:
                spec = importlib.util.spec_from_file_location("stolen", path)
                stolen = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(stolen)
            except Exception:
                continue
            knn = stolen.KNearestNeighbor()
            knn.train(self.X_train, self.y_train)
            return knn.predict(X, k=k, num_loops=num_loops)
        raise RuntimeError("could not read the reference")
""")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    require_isolation()
    root = tmp_path_factory.mktemp("adversarial")
    out = root / "course_out"
    out.mkdir()
    gradebook = out / "gradebook.db"
    submitted = root / "submitted"
    add_student(submitted, "honest", REFERENCE_KNN)
    add_student(submitted, "a_partial_without_transformer", PARTIAL_KNN)
    for name, code in ATTACKS.items():
        add_student(submitted, name, code)
    add_student(submitted, "g_read_source", _steal_code(REPO, gradebook))
    add_student(submitted, "g_read_git", replace_method(REFERENCE_KNN, "predict", f"""        for path in ({str(REPO / ".git" / "HEAD")!r}, {str(REPO / "tests" / "class_builder.py")!r}):
            try:
                open(path).read()
            except OSError:
                continue
            raise RuntimeError("LEAKED " + path)
        raise RuntimeError("course folder hidden")
"""))
    # A fake gradebook the attack will try to write; grading writes a real one only at the end.
    gradebook.write_bytes(GRADEBOOK_SECRET)
    grade_class(submitted, "assignment1", course_dir=REPO, out_dir=out, workers=2,
                json_path=out / "grades.json", gradebook=False, progress=False,
                limits=Limits(call_seconds=1.5))
    records = {r["student"]: r for r in json.loads((out / "grades.json").read_text())}
    return records, gradebook


def test_honest_student_in_the_same_run_gets_full_marks(graded):
    records, _ = graded
    assert records["honest"]["score"] == records["honest"]["max_score"]


def test_input_transformer_earns_nothing(graded):
    # The same partial work with and without the transformer: no test earns more with it. (Its
    # `import builtins` even costs the loop points: the loop check cannot vouch for such modules.)
    records, _ = graded
    attack, plain = records["a_input_transformer"], records["a_partial_without_transformer"]
    assert 0 < plain["score"] < plain["max_score"]
    assert [t["name"] for t in attack["tests"]] == [t["name"] for t in plain["tests"]]
    gained = [a["name"] for a, p in zip(attack["tests"], plain["tests"]) if a["points"] > p["points"]]
    assert gained == [], f"the transformer earned points in {gained}"


def test_control_the_input_transformer_silences_later_cells_in_a_kernel(tmp_path):
    # Where tests run in the student's kernel (stock nbgrader), the transformer turns a failing
    # test cell into `pass`: the attack pays there.
    import nbformat
    from notebook_kernel import notebook_client
    cells = [TRANSFORMER, "assert False, 'a hidden test fails'"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook_client(nb, tmp_path, tmp_path, timeout=60).execute()
    assert not any(o.get("output_type") == "error" for o in nb.cells[1].outputs)


def test_patched_numpy_comparisons_earn_nothing(graded):
    got, best = points_for(graded[0]["b_patch_numpy"], "compute_distances_no_loops")
    assert got == 0, f"zeros with patched numpy earned {got}/{best}"


def test_rigged_equality_earns_nothing(graded):
    got, best = points_for(graded[0]["c_rigged_eq"], "predict_labels")
    assert got == 0, f"rigged __eq__ earned {got}/{best}"


def test_control_the_in_process_attacks_pay_where_tests_share_the_students_process(tmp_path):
    # What a grader that imports the student's module into its own process (a notebook kernel)
    # would see: the patched numpy and the rigged equality both pass its checks.
    for name in ("b_patch_numpy", "c_rigged_eq"):
        (tmp_path / f"{name}.py").write_text(ATTACKS[name])
    script = """
import numpy as np
import b_patch_numpy, c_rigged_eq
rng = np.random.default_rng(0)
X_train, X = rng.standard_normal((20, 4)), rng.standard_normal((5, 4))
knn = b_patch_numpy.KNearestNeighbor()
knn.train(X_train, np.zeros(20, dtype=int))
truth = np.sqrt(((X[:, None] - X_train[None]) ** 2).sum(-1))
assert np.allclose(knn.compute_distances_no_loops(X), truth)  # zeros, yet 'close'
labels = c_rigged_eq.KNearestNeighbor().predict_labels(truth, k=1)
assert labels == [7, 7, 7, 7, 7]  # all zeros, yet 'equal'
print("both attacks passed")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert "both attacks passed" in done.stdout, done.stderr[-2000:]


def test_control_the_source_is_readable_without_isolation(tmp_path):
    # The same reader as g_read_source, without the sandbox: the reference is there for the taking.
    (tmp_path / "reader.py").write_text(
        f"def read():\n    return len(open({str(REPO / 'source' / 'assignment1' / 'classifiers' / 'k_nearest_neighbor.py')!r}).read())\n")
    with UnisolatedSandbox(tmp_path) as control:
        assert int(control.call("reader.read")) > 0
    with Sandbox(tmp_path) as sb:
        with pytest.raises(StudentCallError):
            sb.call("reader.read")


def test_killing_the_parent_earns_nothing_and_grading_goes_on(graded):
    record = graded[0]["d_kill_parent"]
    got, _ = points_for(record, "predict_labels")
    assert got == 0
    got, best = points_for(record, "compute_distances_no_loops")
    assert got == best, "functions the attack left alone must still earn their points"


def test_infinite_loop_times_out_and_costs_only_that_function(graded):
    record = graded[0]["e_infinite_loop"]
    statuses = {t["status"] for t in record["tests"] if t["function"].endswith("compute_distances_one_loop")}
    assert "timeout" in statuses
    assert points_for(record, "compute_distances_one_loop")[0] == 0
    got, best = points_for(record, "compute_distances_two_loops")
    assert got == best


def test_50_gigabyte_allocation_fails_inside_the_sandbox(graded):
    record = graded[0]["f_allocate_50gb"]
    assert points_for(record, "compute_distances_two_loops")[0] == 0
    messages = [t["message"] for t in record["tests"] if t["function"].endswith("compute_distances_two_loops")]
    assert any("memory" in m.lower() for m in messages), messages


def test_reading_the_source_or_writing_the_gradebook_fails(graded):
    records, gradebook = graded
    assert points_for(records["g_read_source"], "predict")[0] == 0
    assert gradebook.read_bytes() == GRADEBOOK_SECRET, "the gradebook was modified from inside the sandbox"


def test_the_course_history_and_project_files_are_hidden(graded):
    record = graded[0]["g_read_git"]
    # Only public tests show the student's exception text (hidden ones show its type).
    messages = [t["message"] for t in record["tests"] if t["function"] == KNN + "predict" and not t["hidden"]]
    assert messages and all("course folder hidden" in m for m in messages), messages
