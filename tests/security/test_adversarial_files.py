"""File-level attacks: tampered notebooks, zip bombs, shadowing files, reading or writing what is
not the student's.

One grading run (module fixture, gradebook included) over an honest student, an untouched release
and one submission per attack. Attacks that would pay off if they worked are written so that they
do: the student's code returns the right answer only when the forbidden read or write succeeds.
Each test checks that the attack earns nothing, that no one else's grade moves, and that the run
leaves no file behind.
"""
import json
import struct
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

# Duplicated cells carry duplicated ids on purpose; nbformat warns while it reads them.
pytestmark = pytest.mark.filterwarnings("ignore::nbformat.warnings.DuplicateCellId")

from autograder.classrun.gradebook import Gradebook
from autograder.classrun.grade import digest_path, grade_class
from autograder.sandbox import Limits
from class_builder import REFERENCE_KNN, REPO, STUB_KNN, add_student, points_for, replace_method, zip_student
from sandbox_helpers import require_isolation

KNN_NOTEBOOK = Path("knn.ipynb")
NO_LOOPS = "compute_distances_no_loops"


def _edit_notebook(folder, edit):
    path = folder / KNN_NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    edit(nb)
    nbformat.write(nb, path)


def _grade_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def _raise_points(nb):
    for cell in _grade_cells(nb):
        cell.metadata["nbgrader"]["points"] = 1000


def _rename_ids(nb):
    for cell in _grade_cells(nb):
        cell.metadata["nbgrader"]["grade_id"] += "_mine"


def _delete_grade_cells(nb):
    nb.cells = [c for c in nb.cells if c not in _grade_cells(nb)]


def _duplicate_grade_cells(nb):
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell in _grade_cells(nb):
            cells.append(nbformat.from_dict(json.loads(json.dumps(cell))))
    nb.cells = cells


def _unknown_kernel(nb):
    nb.metadata["kernelspec"] = {"name": "evil-kernel", "display_name": "Evil", "language": "evil"}


def _forge_outputs(nb):
    for cell in _grade_cells(nb):
        cell["outputs"] = [nbformat.v4.new_output("stream", name="stdout",
                                                  text="passed 100/100\nall tests passed\n")]
        cell.metadata["nbgrader"]["solution"] = True  # and pretend it is the student's to edit


TAMPERING = {
    "tamper_points": _raise_points,
    "tamper_ids": _rename_ids,
    "tamper_deleted": _delete_grade_cells,
    "tamper_duplicated": _duplicate_grade_cells,
    "tamper_kernel": _unknown_kernel,
    "tamper_outputs": _forge_outputs,
}


def _guarded_no_loops(condition):
    """The reference compute_distances_no_loops, answering only when ``condition`` (code) is true."""
    start = REFERENCE_KNN.index(f"    def {NO_LOOPS}(")
    body_start = REFERENCE_KNN.index(":\n", start) + 2
    following = REFERENCE_KNN.find("\n    def ", body_start)
    body = REFERENCE_KNN[body_start:following + 1]
    guard = (f"        if not ({condition}):\n"
             f"            return np.zeros((X.shape[0], self.X_train.shape[0]))\n")
    return replace_method(REFERENCE_KNN, NO_LOOPS, guard + body)


def _can_read(path):
    return f"__import__('os').access({str(path)!r}, __import__('os').R_OK) and bool(open({str(path)!r}).read())"


def _can_write_grader():
    return ("(lambda f: (f.write('# changed by a student\\n'), f.close(), True)[-1])"
            "(open(__import__('autograder.engine.api', fromlist=['x']).__file__, 'a'))")


def _lying_zip(path, real_bytes=20 << 20, claimed=1000):
    """A zip whose one member claims ``claimed`` bytes but inflates to ``real_bytes``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("assignment1/classifiers/k_nearest_neighbor.py", b"#" * real_bytes)
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, claimed)
    struct.pack_into("<I", data, central + 24, claimed)
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    require_isolation()
    root = tmp_path_factory.mktemp("file_attacks")
    submitted, out = root / "submitted", root / "out"
    honest = add_student(submitted, "honest", REFERENCE_KNN)
    add_student(submitted, "untouched", STUB_KNN, others="stub")
    for name, edit in TAMPERING.items():
        _edit_notebook(add_student(submitted, name, STUB_KNN, others="stub"), edit)
    # Tampering must not cost an honest worker their points either.
    _edit_notebook(add_student(submitted, "tamper_deleted_but_right", REFERENCE_KNN), _delete_grade_cells)
    (add_student(submitted, "tamper_invalid_json", REFERENCE_KNN) / KNN_NOTEBOOK).write_text("{not json")

    other = honest / "classifiers" / "k_nearest_neighbor.py"
    add_student(submitted, "read_other_student", _guarded_no_loops(_can_read(other)))
    add_student(submitted, "write_the_grader", _guarded_no_loops(_can_write_grader()))
    add_student(submitted, "guard_control", _guarded_no_loops("True"))  # proves the guard pays off
    shadow = add_student(submitted, "shadow_files", REFERENCE_KNN)
    for name in ("numpy.py", "sitecustomize.py", "usercustomize.py", "conftest.py", "json.py", "protocol.py"):
        (shadow / name).write_text("raise SystemExit('a student file replaced part of the grader')\n")
    (shadow / "autograder").mkdir()
    (shadow / "autograder" / "__init__.py").write_text("raise SystemExit('a student autograder package')\n")
    (shadow / "tests").mkdir(exist_ok=True)
    (shadow / "tests" / "hidden_knn.py").write_text("raise SystemExit('student-supplied hidden tests')\n")

    zip_student(submitted, "zip_bomb", extra_members=[("assignment1/data.bin", b"\0" * (60 << 20))])
    _lying_zip(submitted / "zip_lying_sizes.zip")
    zip_student(submitted, "zip_many_files",
                extra_members=[(f"assignment1/junk/{i}.txt", b"x") for i in range(2100)])

    before = digest_path(submitted)
    spec_file = REPO / "autograder" / "engine" / "api.py"
    spec_before = spec_file.read_bytes()
    scratch = root / "scratch"
    scratch.mkdir()
    saved = tempfile.tempdir
    mp = pytest.MonkeyPatch()
    mp.setenv("TMPDIR", str(scratch))  # the spawned workers' temporary folders
    tempfile.tempdir = str(scratch)    # and this process's (nbgrader staging)
    try:
        start = time.monotonic()
        summary = grade_class(submitted, "assignment1", course_dir=REPO, out_dir=out, workers=2,
                              json_path=out / "grades.json", progress=False, limits=Limits(call_seconds=5.0))
        elapsed = time.monotonic() - start
    finally:
        tempfile.tempdir = saved
        mp.undo()
    records = {r["student"]: r for r in json.loads((out / "grades.json").read_text())}
    book = Gradebook(REPO, "assignment1", out / "gradebook.db", out / "autograded")
    return {"records": records, "totals": book.totals(), "elapsed": elapsed, "summary": summary,
            "scratch": scratch, "submitted_unchanged": digest_path(submitted) == before,
            "grader_unchanged": spec_file.read_bytes() == spec_before}


def test_everyone_is_graded(graded, measured):
    # Time is bounded by the per-student budget (tests/security/test_fail_closed.py), not asserted here.
    measured(f"file attacks: {len(graded['records'])} submissions graded in {graded['elapsed']:.0f} s with 2 workers")
    assert not graded["summary"].not_graded, graded["summary"].not_graded
    honest = graded["records"]["honest"]
    assert honest["score"] == honest["max_score"] > 0


@pytest.mark.parametrize("student", sorted(TAMPERING))
def test_tampered_notebooks_earn_nothing(graded, student):
    record, honest = graded["records"][student], graded["records"]["honest"]
    assert record["score"] == 0, f"{student} earned {record['score']}"
    assert record["max_score"] == honest["max_score"], "tampering changed what the assignment is worth"
    assert graded["totals"].get(student, 0.0) == 0.0, f"{student} has points in the gradebook"


@pytest.mark.parametrize("student", ["tamper_deleted_but_right", "tamper_invalid_json"])
def test_a_broken_notebook_loses_no_autograded_points(graded, student):
    record = graded["records"][student]
    assert record["score"] == record["max_score"]
    assert graded["totals"][student] == pytest.approx(record["score"]), "the gradebook lost points"


def test_gradebook_totals_equal_the_results_for_everyone(graded):
    for student, record in graded["records"].items():
        assert graded["totals"].get(student, 0.0) == pytest.approx(record["score"]), student


@pytest.mark.parametrize("student", ["read_other_student", "write_the_grader"])
def test_reading_others_or_writing_the_grader_earns_nothing(graded, student):
    control, best = points_for(graded["records"]["guard_control"], NO_LOOPS)
    assert control == best > 0, "the guarded attack code does not answer right even when allowed"
    got, best = points_for(graded["records"][student], NO_LOOPS)
    assert best > 0 and got == 0, f"{student}: the forbidden access succeeded ({got}/{best})"
    assert graded["grader_unchanged"], "the installed grader was modified"


def test_files_shadowing_the_grader_change_nothing(graded):
    record = graded["records"]["shadow_files"]
    assert record["score"] == record["max_score"], [t for t in record["tests"] if t["status"] != "passed"][:2]


@pytest.mark.parametrize("student, message", [("zip_lying_sizes", "not a readable zip"),
                                              ("zip_many_files", "more than 2000 files")])
def test_zip_bombs_are_refused_with_one_line(graded, student, message):
    record = graded["records"][student]
    assert record["score"] == 0
    first = record["tests"][0]["message"]
    assert message in first and "\n" not in first, first


def test_an_oversized_member_is_left_out_unread_and_the_rest_graded(graded):
    # Judged on its declared size, so it is never decompressed (a size that lies fails the CRC:
    # zip_lying_sizes above); the student's other files are graded as usual.
    record = graded["records"]["zip_bomb"]
    assert record["upload"] == ["assignment1/data.bin was left out: it is larger than 50 MB"]
    assert record["score"] > 0 and all(t["status"] == "not_implemented" for t in record["tests"]
                                       if t["points"] < t["max_points"])


def test_submissions_are_untouched_and_nothing_is_left_behind(graded):
    assert graded["submitted_unchanged"], "grading changed a submission"
    left = sorted(p.name for p in graded["scratch"].iterdir())
    assert left == [], f"temporary files left behind: {left}"
