"""The release audit (autograder/authoring/audit.py): nothing shipped holds a solution, whatever it is
called, and nothing hidden-only is shipped.

A small course (no notebooks, so no nbgrader run) with one graded function plants each kind of leak
in a helper package its public tests import, and sees ``autograder release`` refuse, naming the
file and line; the same course without the plant is the control, and releases. Then the real
course: today's release and packages hold nothing beyond the two reviewed exceptions, and the
reference ``svm_loss_vectorized`` planted under another name, and as a copy with renamed
variables, is found by text and by the hidden tests of linear_svm.
"""
import ast
import json
import textwrap
from pathlib import Path

import pytest

from autograder.authoring import audit
from autograder.authoring.release import ReleaseError, release_assignment, shipped_with
from autograder.authoring.shipping import ShippedFile, shipped_packages
from small_course import COPY, RENAMED, REWRITTEN, make_course as _course, write as _write

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _helpers_importable(monkeypatch, tmp_path):
    # A real course's helper package is installed; here the small course's folder is on the path.
    monkeypatch.syspath_prepend(str(tmp_path))


def _excuse_hidden_inputs(course):
    _write(course / "release-audit.json", json.dumps({"exceptions": [{
        "file": "coursetools/plots.py", "function": "hidden_inputs", "findings": ["hidden-only helper"],
        "reason": "test of the exceptions file"}]}))


def test_control_the_course_without_a_plant_releases(tmp_path, capsys):
    course = _course(tmp_path, hidden_only_used=True)
    folder = release_assignment("hw", course)
    assert (folder / "losses.py").is_file()
    out = capsys.readouterr().out
    assert "audit: " in out and ": no findings" in out and "excused" not in out


@pytest.mark.parametrize("plant, line, name, finding", [
    (COPY, 4, "fast_margins", "holds the solution region source/hw/losses.py:11 (hinge_losses)"),
    (RENAMED, 4, "per_row", "holds the solution region source/hw/losses.py:11 (hinge_losses)"),
    (REWRITTEN, 1, "hinge_losses", "passes hidden tests of losses.hinge_losses when put in its place"),
], ids=["copy-under-another-name", "renamed-variables", "rewritten-same-signature"])
def test_a_planted_helper_leak_refuses_the_release_naming_file_and_line(tmp_path, plant, line, name, finding):
    course = _course(tmp_path, plant=plant, hidden_only_used=True)
    with pytest.raises(ReleaseError) as refused:
        release_assignment("hw", course, quiet=True)
    message = str(refused.value)
    assert message.startswith(f"release audit failed: coursetools/tricks.py:{line}: {name} {finding}"), message
    assert "\n" not in message
    assert not (course / "release" / "hw").exists(), "a refused release leaves nothing behind"


def _line_of(text, name):
    return next(n.lineno for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == name)


def test_each_check_finds_its_plant_and_only_it(tmp_path):
    plant = COPY + "\n\n" + RENAMED.replace("import numpy as np\n", "")
    course = _course(tmp_path, plant=plant, hidden_only_used=True)
    public = course / "source" / "hw" / "tests" / "public_losses.py"
    files = shipped_packages(course, [course / "source" / "hw"]) + [ShippedFile(public, "hw/tests/public_losses.py")]
    report = audit.audit(course, files)
    found = sorted((f.file, f.line, f.name, f.key) for f in report.findings)
    copy, renamed = _line_of(plant, "fast_margins"), _line_of(plant, "per_row")
    assert found == [("coursetools/tricks.py", copy, "fast_margins", "hidden tests of losses.hinge_losses"),
                     ("coursetools/tricks.py", copy, "fast_margins", "region losses.py:hinge_losses"),
                     ("coursetools/tricks.py", renamed, "per_row", "region losses.py:hinge_losses")]


def test_a_helper_only_hidden_tests_use_is_refused_and_can_be_excused(tmp_path, capsys):
    course = _course(tmp_path)
    with pytest.raises(ReleaseError, match=r"^release audit failed: coursetools/plots\.py:9: hidden_inputs is used by "
                                           r"hidden tests only \(source/hw/tests/hidden_losses\.py\)"):
        release_assignment("hw", course, quiet=True)
    _excuse_hidden_inputs(course)
    release_assignment("hw", course)
    out = capsys.readouterr().out
    assert "no findings" in out
    assert "excused by release-audit.json: coursetools/plots.py:9 hidden_inputs: hidden-only helper" in out


def test_an_exception_without_a_reason_is_an_error(tmp_path):
    course = _course(tmp_path)
    _write(course / "release-audit.json", json.dumps({"exceptions": [{
        "file": "coursetools/plots.py", "function": "hidden_inputs", "findings": "*", "reason": " "}]}))
    with pytest.raises(ReleaseError, match="the exception for coursetools/plots.py: hidden_inputs gives no reason"):
        release_assignment("hw", course, quiet=True)


# ---------------------------------------------------------------------------------------------
# The real course
# ---------------------------------------------------------------------------------------------

def _reference_function(name, new_name, rename=()):
    """The source text of the reference ``name`` from linear_svm.py, renamed, with ``rename``
    [(old, new)] applied to its identifiers."""
    text = (REPO / "source" / "assignment1" / "classifiers" / "linear_svm.py").read_text()
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == name)
    tree = ast.parse(textwrap.dedent(ast.get_source_segment(text, node)))
    renames = dict(rename)
    for sub in ast.walk(tree):
        if isinstance(sub, ast.FunctionDef):
            sub.name = new_name
        elif isinstance(sub, ast.Name) and sub.id in renames:
            sub.id = renames[sub.id]
        elif isinstance(sub, ast.arg) and sub.arg in renames:
            sub.arg = renames[sub.arg]
    return ast.unparse(tree)


def test_todays_course_holds_nothing_but_the_reviewed_exceptions_and_a_planted_reference_is_found(tmp_path, measured):
    import time

    plant = tmp_path / "loss_tricks.py"
    copy = _reference_function("svm_loss_vectorized", "hinge_loss_fast")
    renamed = _reference_function("svm_loss_vectorized", "multiclass_margin_loss",
                                  [("W", "weights"), ("X", "data"), ("y", "labels"), ("reg", "strength"),
                                   ("num_train", "n"), ("rows", "idx"), ("scores", "s"), ("margins", "m"),
                                   ("coeff", "c"), ("dW", "grad"), ("loss", "total"), ("l1_share", "share")])
    assert "margins" not in renamed and "num_train" not in renamed
    plant.write_text("import numpy as np\n\nREG_TYPES = ('l2', 'l1', 'elastic')\n\n\n" + copy + "\n\n\n" + renamed + "\n")
    files = []
    for assignment in ("assignment0", "assignment1"):
        files += shipped_with(REPO, REPO / "release" / assignment, f"release/{assignment}")
    files = list({f.shown: f for f in files}.values())  # the packages once
    start = time.perf_counter()
    report = audit.audit(REPO, files + [ShippedFile(plant, "assignments/loss_tricks.py")])
    seconds = time.perf_counter() - start

    elsewhere = [str(f) for f in report.findings if f.file != "assignments/loss_tricks.py"]
    assert elsewhere == [], "today's course ships a solution:\n" + "\n".join(elsewhere)
    excused = sorted({(f.file, f.name) for f, _ in report.excused})
    assert excused == [("autograder/penalties.py", "check_penalties_against_reference"),
                       ("autograder/penalties.py", "penalty")], excused

    found = {(f.name, f.key) for f in report.findings}
    assert ("hinge_loss_fast", "region classifiers/linear_svm.py:svm_loss_vectorized") in found
    assert ("hinge_loss_fast", "hidden tests of classifiers.linear_svm.svm_loss_vectorized") in found
    assert ("multiclass_margin_loss", "region classifiers/linear_svm.py:svm_loss_vectorized") in found
    lines = {f.name: f.line for f in report.findings}
    assert lines["hinge_loss_fast"] == 6 and plant.read_text().splitlines()[5].startswith("def hinge_loss_fast(")
    measured(f"release audit of the whole course (2 assignments and their packages, one planted file): "
             f"{report.units} functions and cells, {report.regions} regions, {report.candidates_run} run "
             f"against hidden tests, {seconds:.1f} s")
