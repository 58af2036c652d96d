"""Static checks read the code Python runs (issue 33.7 and the loop analysis of 33.3).

Attacks on the loop check and on ``autograder similarity``, each with its control:

1. a coding line (UTF-7) turns what a UTF-8 reader takes for a comment into a line of code: a
   rebinding of the graded method (loop check) or a whole copied module (similarity);
2. a module padded past the reader's size limit was skipped, rebinding included; a padded file was
   compared as empty;
3. loops without loop syntax: a lambda handed to ``max(key=...)``, recursion through a list the
   module fills with the method itself, a nested function that calls itself;
4. the analysis's own cost: a large module is refused before it is parsed.

Each control shows the attack pays where the defence is off: what the old reader (UTF-8 with
replacement characters, files over 2 MiB left out) and the old counting (loop statements and a
fixed list of looping calls) vouched for, while the sandbox runs the hidden code.
"""
import ast
import base64
import textwrap
import tracemalloc

import numpy as np
import pytest

from autograder.analysis import loops, source
from autograder.analysis.source import Unreadable, decode_python
from autograder.engine.discovery import load_tests
from autograder.engine.running import StudentCode, run_tests
from autograder.sandbox import Sandbox
from autograder.similarity.compare import compare_class
from class_builder import KNN, KNN_FILE, REFERENCE_KNN, RELEASE, SOURCE, STUB_KNN, add_student, replace_method
from sandbox_helpers import require_isolation

NO_LOOPS = "compute_distances_no_loops"
QUALNAME = f"KNearestNeighbor.{NO_LOOPS}"
LOOP_TEST = "no_loops_uses_no_loops"
WRONG = replace_method(REFERENCE_KNN, NO_LOOPS, "        return np.zeros((X.shape[0], self.X_train.shape[0]))\n")
REBIND = f"KNearestNeighbor.{NO_LOOPS} = KNearestNeighbor.compute_distances_two_loops"
COOKIE = "# -*- coding: utf-7 -*-\n"


@pytest.fixture(scope="module", autouse=True)
def _isolated():
    require_isolation()


def _loop_test():
    [test] = [t for t in load_tests(SOURCE / "tests", include_hidden=False) if t.name == LOOP_TEST]
    return test


def _old_reading(folder):
    """{path: text} as the loop check read a submission before: UTF-8 with replacement characters,
    files over 2 MiB left out."""
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(folder.rglob("*.py")) if p.stat().st_size <= 2 << 20}


def _old_loop_count(text, method):
    """Loops as the old count saw them in one method: loop statements, comprehensions and the
    fixed list of looping calls."""
    start = text.index(f"    def {method}(")
    end = text.find("\n    def ", start + 1)
    tree = ast.parse(textwrap.dedent(text[start:end if end > 0 else len(text)]))
    return sum(isinstance(n, loops.LOOPS) or (isinstance(n, ast.Call) and getattr(n.func, "id", getattr(
        n.func, "attr", None)) in loops.LOOPING_CALLS) for n in ast.walk(tree))


def _distances_through_the_sandbox(folder, method=NO_LOOPS):
    X_train, X = np.random.default_rng(0).standard_normal((2, 7, 5))
    with Sandbox(folder) as sandbox:
        got = sandbox.call_method(KNN.rstrip("."), [("train", (X_train, np.zeros(7, dtype=np.int64))), (method, (X,))])
    return got, np.sqrt(((X[:, None, :] - X_train[None, :, :]) ** 2).sum(-1))


def _graded_loop_test(folder):
    [result] = run_tests([_loop_test()], folder, reference_dir=SOURCE)
    return result


# -- 1. a coding line hides a line from a UTF-8 reader -------------------------------------------

def _utf7_rebinding():
    """The wrong no-loops method, and after it a "comment" whose UTF-7 reading starts a new line
    that binds the two-loops method to the graded name."""
    return (COOKIE + WRONG).encode("utf-7") + f"# see the notebook +AAo-{REBIND}\n".encode("ascii")


def test_a_rebinding_hidden_by_a_utf7_coding_line_fails_the_loop_check(tmp_path):
    folder = add_student(tmp_path, "utf7", None)
    (folder / KNN_FILE).write_bytes(_utf7_rebinding())
    result = _graded_loop_test(folder)
    assert result.status == "failed" and "is assigned" in result.message, result


def test_control_the_utf8_reader_vouched_for_it_and_python_runs_the_hidden_line(tmp_path):
    folder = add_student(tmp_path, "utf7", None)
    (folder / KNN_FILE).write_bytes(_utf7_rebinding())
    report = loops.analyze(_old_reading(folder), KNN_FILE.as_posix(), QUALNAME)
    assert (report.loops, report.forged) == (0, []), report
    got, expected = _distances_through_the_sandbox(folder)
    np.testing.assert_allclose(got, expected, rtol=1e-9)  # the hidden rebinding runs


def test_files_with_a_byte_order_mark_or_a_latin1_coding_line_read_as_python_reads_them(tmp_path):
    for name, data in (("bom", b"\xef\xbb\xbf" + REFERENCE_KNN.encode()),
                       ("latin1", ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + REFERENCE_KNN).encode("latin-1"))):
        folder = add_student(tmp_path / name, name, None)
        (folder / KNN_FILE).write_bytes(data)
        assert _graded_loop_test(folder).status == "passed", name
    assert decode_python(b"\xef\xbb\xbfx = 1\r\ny = 2\r") == "x = 1\ny = 2\n"
    with pytest.raises(Unreadable, match="not valid utf-8"):
        decode_python(b"x = '\xff'\n")
    with pytest.raises(Unreadable, match="encoding declaration"):
        decode_python(b"# -*- coding: no-such-codec -*-\nx = 1\n")


# -- 2. padding past the reader's limit ------------------------------------------------------------

PADDED_HELPER = ("import classifiers.k_nearest_neighbor as knn\n"
                 f"knn.KNearestNeighbor.{NO_LOOPS} = knn.KNearestNeighbor.compute_distances_two_loops\n"
                 + "#" * (2 << 20) + "\n")


def _padded_student(tmp_path):
    folder = add_student(tmp_path, "padded", WRONG + "\nfrom classifiers import knn_notes  # noqa: E402\n")
    (folder / "classifiers" / "knn_notes.py").write_text(PADDED_HELPER)
    return folder


def test_a_module_padded_past_the_size_limit_fails_the_loop_check_unread(tmp_path):
    result = _graded_loop_test(_padded_student(tmp_path))
    assert result.status == "failed" and result.diagnosis == "loop_check_cannot_read", result
    assert "knn_notes.py" in result.message


def test_control_the_old_reader_left_the_padded_module_out(tmp_path):
    folder = _padded_student(tmp_path)
    report = loops.analyze(_old_reading(folder), KNN_FILE.as_posix(), QUALNAME)
    assert (report.loops, report.forged) == (0, []), report
    got, expected = _distances_through_the_sandbox(folder)
    np.testing.assert_allclose(got, expected, rtol=1e-9)


# -- 3. loops without loop syntax ------------------------------------------------------------------

ROW = "np.sqrt(np.sum((self.X_train - X[i]) ** 2, axis=1))"
LOOPS_IN_DISGUISE = {
    # a lambda run once per row by max(key=...)
    "lambda_handed_to_max": replace_method(REFERENCE_KNN, NO_LOOPS, f"""        rows = {{}}
        max(range(X.shape[0]), key=lambda i: rows.setdefault(i, {ROW}).size)
        return np.stack(list(rows.values()))
"""),
    # recursion through a list the module fills with the method itself
    "recursion_through_a_list": replace_method(REFERENCE_KNN, NO_LOOPS, """        if X.shape[0] == 0:
            return np.zeros((0, self.X_train.shape[0]))
        first = np.sqrt(np.sum((self.X_train - X[0]) ** 2, axis=1))
        return np.vstack([first[None, :], _AGAIN[0](self, X[1:])])
""") + f"\n\n_AGAIN = []\n_AGAIN.append(KNearestNeighbor.{NO_LOOPS})\n",
    # a nested function that calls itself
    "nested_recursion": replace_method(REFERENCE_KNN, NO_LOOPS, f"""        def rows(i):
            if i == X.shape[0]:
                return []
            return [{ROW}] + rows(i + 1)
        return np.array(rows(0))
"""),
}


@pytest.mark.parametrize("disguise", sorted(LOOPS_IN_DISGUISE))
def test_loops_in_disguise_fail_the_no_loops_check(tmp_path, disguise):
    folder = add_student(tmp_path, disguise, LOOPS_IN_DISGUISE[disguise])
    result = _graded_loop_test(folder)
    assert result.status == "failed" and result.diagnosis == "too_many_loops", result


@pytest.mark.parametrize("disguise", sorted(LOOPS_IN_DISGUISE))
def test_control_the_old_count_saw_no_loop_and_the_code_answers_right(tmp_path, disguise):
    code = LOOPS_IN_DISGUISE[disguise]
    assert _old_loop_count(code, NO_LOOPS) == 0
    folder = add_student(tmp_path, disguise, code)
    got, expected = _distances_through_the_sandbox(folder)
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_honest_helpers_called_by_name_still_count_no_loop():
    helpers = REFERENCE_KNN.replace("import numpy as np", "import numpy as np\n\n_sq = lambda A: np.sum(A * A, axis=1)\n", 1)
    code = replace_method(helpers, NO_LOOPS, """        def cross(A, B):
            return A @ B.T
        d = _sq(X)[:, None] + _sq(self.X_train)[None, :] - 2 * cross(X, self.X_train)
        return np.sqrt(np.maximum(d, 0))
""")
    report = loops.analyze({KNN_FILE.as_posix(): code}, KNN_FILE.as_posix(), QUALNAME)
    assert (report.loops, report.forged, report.unreadable) == (0, [], []), report


# -- 4. the analysis's own cost is bounded --------------------------------------------------------

def _calls(size):
    """``size`` bytes of the code that costs the parser most per byte (one call per line)."""
    return "".join("f(a,b,c)\n" for _ in range(size // 9))


def _peak_mb(files):
    tracemalloc.start()
    try:
        report = loops.analyze(files, KNN_FILE.as_posix(), QUALNAME)
        return report, tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()


def test_a_large_module_is_refused_before_it_is_parsed(tmp_path, monkeypatch, measured):
    # The bound scaled down (32 KiB a file) so that the control's parse stays quick.
    monkeypatch.setattr(source, "MAX_SOURCE_BYTES", 32 << 10)
    folder = tmp_path / "student"
    (folder / "classifiers").mkdir(parents=True)
    (folder / KNN_FILE).write_text(REFERENCE_KNN.replace("import numpy as np", "import numpy as np\nimport classifiers.big", 1))
    (folder / "classifiers" / "big.py").write_text(_calls(40 << 10))
    files = StudentCode(None, folder).python_files()
    report, peak = _peak_mb(files)
    assert [where for where, _ in report.unreadable] == ["classifiers/big.py"], report
    assert "larger than 32 KiB" in report.unreadable[0][1]
    # the control: read and parsed anyway, the same module costs the analysis many times more
    control, control_peak = _peak_mb(loops.Submission({KNN_FILE.as_posix(): files.files[KNN_FILE.as_posix()],
                                                       "classifiers/big.py": _calls(40 << 10)}))
    assert not control.unreadable and control_peak > 5 * peak, (control, control_peak, peak)
    measured(f"loop analysis of a module importing 40 KiB of calls: {peak:.1f} MB refused unread, "
             f"{control_peak:.0f} MB parsed")


def test_modules_past_the_parsing_budget_are_refused_not_skipped(monkeypatch):
    monkeypatch.setattr(loops, "MAX_PARSED_BYTES", 48 << 10)  # scaled down, as above
    imports = "".join(f"import classifiers.part{i}\n" for i in range(4))
    code = REFERENCE_KNN.replace("import numpy as np", "import numpy as np\n" + imports, 1)
    files = {KNN_FILE.as_posix(): code}
    files.update({f"classifiers/part{i}.py": _calls(12 << 10) for i in range(4)})
    report = loops.analyze(files, KNN_FILE.as_posix(), QUALNAME)
    assert report.unreadable and "too large together" in report.unreadable[0][1], report
    assert loops.analyze(loops.Submission(files, budget=1 << 20), KNN_FILE.as_posix(), QUALNAME).unreadable == []


# -- similarity: what Python would execute ---------------------------------------------------------

def _shifted(text):
    """``text`` as UTF-7 with every character base64-encoded: one line of letters to a UTF-8 reader."""
    return (COOKIE.encode("ascii") + b"+" + base64.b64encode(text.encode("utf-16-be")).rstrip(b"=") + b"-\n")


def _class(tmp_path):
    """ann wrote the reference kNN, bob copied it, cid left the stubs (so that ann and bob's code is
    theirs alone, not the class's common ground)."""
    root = tmp_path / "submitted"
    for student, code in (("ann", REFERENCE_KNN), ("bob", REFERENCE_KNN), ("cid", STUB_KNN)):
        add_student(root, student, code)
    return root


def _class_with_a_hidden_copy(tmp_path):
    root = _class(tmp_path)
    (root / "bob" / "assignment1" / KNN_FILE).write_bytes(_shifted(REFERENCE_KNN))
    return root


def test_similarity_compares_a_copy_hidden_by_a_coding_line(tmp_path):
    report = compare_class(_class_with_a_hidden_copy(tmp_path), RELEASE,
                           workers=1, progress=False)
    pair = next(p for p in report.pairs if {p["a"], p["b"]} == {"ann", "bob"})
    assert any(f["name"] == QUALNAME and f["score"] > 0.9 for f in pair["functions"]), pair


def test_control_the_utf8_reader_compared_the_hidden_copy_as_gibberish(tmp_path, monkeypatch):
    from autograder.similarity import compare
    monkeypatch.setattr(compare, "_read", lambda path: path.read_text(encoding="utf-8", errors="replace")
                        if path.is_file() else "")
    report = compare_class(_class_with_a_hidden_copy(tmp_path), RELEASE,
                           workers=1, progress=False)
    pairs = [p for p in report.pairs if {p["a"], p["b"]} == {"ann", "bob"}]
    assert not any(f["name"] == QUALNAME for p in pairs for f in p["functions"]), pairs


def test_similarity_lists_a_padded_file_as_not_compared(tmp_path, monkeypatch):
    root = _class(tmp_path)
    padded = root / "bob" / "assignment1" / KNN_FILE
    padded.write_text(REFERENCE_KNN + "#" * (3 << 20) + "\n")
    release = RELEASE
    report = compare_class(root, release, workers=1, progress=False)
    assert any(line.startswith("bob: not compared") and "k_nearest_neighbor.py" in line for line in report.problems), \
        report.problems
    # the control: the old reader gave the padded file as empty, and bob was silently not compared
    from autograder.similarity import compare
    monkeypatch.setattr(compare, "_read", lambda path: "" if not path.is_file() or path.stat().st_size > 2 << 20
                        else path.read_text(encoding="utf-8", errors="replace"))
    control = compare_class(root, release, workers=1, progress=False)
    assert not any(line.startswith("bob") for line in control.problems)
    assert not any("bob" in (p["a"], p["b"]) and p["score"] > 0 for p in control.pairs)
