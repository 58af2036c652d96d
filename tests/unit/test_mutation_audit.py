"""``autograder audit`` (autograder/authoring/mutation_audit.py) on the small course: it generates,
grades and reports mutants of ``losses.hinge_losses``, its verdicts are the grader's own (a survivor
passes every test when graded as a student's work, a killed mutant does not), a hidden test made
weaker lets more mutants survive, reviewed equivalents are read, and its JSON, console table and
HTML page hold what the README documents.

Two audits run here (the course's own tests, then a copy with a loosened hidden test), each a few
dozen mutants on two processes."""
import contextlib
import html
import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from autograder import cli
from autograder.authoring.mutants import module_mutants
from autograder.authoring.mutation_audit import EQUIVALENTS_FILE, audit_assignment
from autograder.authoring.mutation_html import render
from autograder.engine.discovery import load_tests
from autograder.engine.running import run_tests
from small_course import HIDDEN_WITH_DIAGNOSES, LOSSES, make_course, write

# The keys README's course-author section documents for `autograder audit --json`.
TOP_KEYS = {"assignment", "course", "seconds", "workers", "insecure", "operators", "tests",
            "tests_failing_on_reference", "stale_equivalents", "totals", "functions"}
TOTAL_KEYS = {"generated", "skipped", "graded", "killed", "killed_elsewhere", "survived", "equivalent",
              "not_graded", "score", "looks_equivalent"}
FUNCTION_KEYS = {"function", "file", "generated", "skipped", "skips", "graded", "killed", "killed_elsewhere",
                 "survived", "equivalent", "not_graded", "score", "survivors", "tests", "named_by_tests",
                 "no_hidden_test", "tests_never_failing", "diagnoses_never_fired"}
SURVIVOR_KEYS = {"diff", "file", "line", "operator", "old", "new", "looks_equivalent", "equivalent"}

HIDDEN = Path("source/hw/tests/hidden_losses.py")


@contextlib.contextmanager
def course_importable(course):
    """The course's helper package (and the reference, when a test imports it) importable from
    ``course`` for the block, and forgotten afterwards."""
    sys.path.insert(0, str(course))
    try:
        yield
    finally:
        sys.path.remove(str(course))
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", "") or "").startswith(str(course)):
                del sys.modules[name]


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """The course, with a hidden test that offers diagnoses, audited through the command line."""
    course = make_course(tmp_path_factory.mktemp("course"))
    write(course / HIDDEN, HIDDEN_WITH_DIAGNOSES)
    out = tmp_path_factory.mktemp("out")
    with course_importable(course):
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            code = cli.main(["audit", "hw", "--course", str(course), "--workers", "2",
                             "--json", str(out / "audit.json"), "--html", str(out / "audit.html")])
        assert code == 0
        yield {"course": course, "console": stdout.getvalue(),
               "report": json.loads((out / "audit.json").read_text()), "html": (out / "audit.html").read_text()}


def _function(report):
    [entry] = report["functions"]
    return entry


def test_every_generated_mutant_is_graded_or_skipped_and_counted(audited):
    report = audited["report"]
    entry = _function(report)
    mutants = module_mutants(LOSSES, "losses.py")
    assert entry["function"] == "losses.hinge_losses" and entry["file"] == "losses.py"
    assert entry["generated"] == len(mutants) > 20
    assert entry["skipped"] == sum(bool(m.skipped) for m in mutants)
    assert entry["graded"] == entry["generated"] - entry["skipped"]
    assert entry["graded"] == entry["killed"] + entry["killed_elsewhere"] + entry["survived"] + entry["equivalent"]
    assert entry["killed"] > entry["survived"] and entry["killed_elsewhere"] == 0  # one function: nowhere else
    assert entry["score"] == pytest.approx(entry["killed"] / entry["graded"], abs=1e-4)
    graded_diffs = {m.diff: m for m in mutants if not m.skipped}
    assert all(s["diff"] in graded_diffs for s in entry["survivors"])
    assert report["totals"]["graded"] == entry["graded"] and report["tests_failing_on_reference"] == []


def test_the_verdicts_are_those_of_the_grader(audited, tmp_path):
    """A survivor, graded as a student's submission, passes every test; a mutant the audit counts
    as killed does not."""
    course, entry = audited["course"], _function(audited["report"])
    survivors = {s["diff"] for s in entry["survivors"]}
    graded = [m for m in module_mutants(LOSSES, "losses.py") if not m.skipped]
    survivor = next(m for m in graded if m.diff in survivors)
    killed = [m for m in graded if m.diff not in survivors][:3]
    source = course / "source" / "hw"
    with course_importable(course):
        tests = load_tests(source / "tests", include_hidden=True)
        for mutant, should_pass in [(survivor, True)] + [(m, False) for m in killed]:
            folder = tmp_path / str(mutant.line) / mutant.operator
            write(folder / "losses.py", mutant.text)
            results = run_tests(tests, folder, reference_dir=source)
            assert all(r.status == "passed" for r in results) == should_pass, (mutant.diff, results)


def test_it_lists_diagnoses_no_mutant_made_a_test_name(audited):
    entry = _function(audited["report"])
    # A margin of 0 (constant) and a dropped margin (drop_term) are named; no mutant squares.
    assert entry["diagnoses_never_fired"] == ["squared"]
    assert entry["tests"] == {"public": 1, "hidden": 1}
    assert entry["named_by_tests"] and not entry["no_hidden_test"]


def test_the_json_has_the_documented_keys(audited):
    report = audited["report"]
    assert set(report) == TOP_KEYS
    assert set(report["totals"]) == TOTAL_KEYS
    entry = _function(report)
    assert set(entry) == FUNCTION_KEYS
    assert entry["survivors"], "the small course's tests let some mutants through"
    for survivor in entry["survivors"]:
        assert set(survivor) == SURVIVOR_KEYS
        assert survivor["diff"] == f"{survivor['file']}:{survivor['line']}: {survivor['old']} -> {survivor['new']}"


def test_the_console_table_and_the_page_list_every_survivor(audited):
    entry = _function(audited["report"])
    console, page = audited["console"], audited["html"]
    assert "losses.hinge_losses" in console and f"{entry['graded']}" in console
    for survivor in entry["survivors"]:
        assert survivor["diff"] in console
        assert html.escape(survivor["old"]) in page and html.escape(survivor["new"]) in page
    assert "<script" not in page and "http" not in page  # self-contained: nothing loaded from elsewhere


def test_the_page_escapes_the_courses_text(audited):
    report = json.loads(json.dumps(audited["report"]))
    entry = _function(report)
    entry["survivors"].append({"diff": "x", "file": "a<b>.py", "line": 1, "operator": "constant",
                               "old": "<script>alert(1)</script>", "new": "x & y", "looks_equivalent": True,
                               "equivalent": "<i>reason</i>"})
    entry["tests_never_failing"] = ["<img src=x>"]
    page = render(report)
    assert "<script>" not in page and "<img" not in page and "<i>reason" not in page
    for text in ("&lt;script&gt;alert(1)&lt;/script&gt;", "x &amp; y", "a&lt;b&gt;.py", "&lt;img src=x&gt;"):
        assert text in page


def test_a_weaker_hidden_test_lets_more_mutants_survive(audited, tmp_path):
    """The control is the course as it is; the copy's hidden test accepts any answer within a
    relative error of 10 (every finite answer of the right shape). Its survivors rise. The copy
    also lists one survivor as a reviewed equivalent, a mutant a test kills, and one entry that
    matches no mutant: the last two are reported."""
    before = _function(audited["report"])
    course = tmp_path / "course"
    shutil.copytree(audited["course"], course)
    hidden = (course / HIDDEN).read_text()
    assert hidden.count('"hinge losses of random scores",') == 1
    (course / HIDDEN).write_text(hidden.replace('"hinge losses of random scores",',
                                                '"hinge losses of random scores", rtol=10.0,'))
    listed = before["survivors"][0]
    write(course / "source" / "hw" / "tests" / EQUIVALENTS_FILE, json.dumps({"equivalent": [
        {"file": listed["file"], "function": "hinge_losses", "old": listed["old"], "new": listed["new"],
         "reason": "a test of the list"},
        {"file": "losses.py", "function": "hinge_losses", "old": "return 1", "new": "return 2",
         "reason": "no longer in the code"},
        {"file": "losses.py", "function": "hinge_losses", "old": "return margins.sum(axis=1)",
         "new": "return margins.sum()", "reason": "wrong: one loss for the whole batch"}]}))
    with course_importable(course):
        report = audit_assignment("hw", course, workers=2, progress=False)
    after = _function(report)
    assert after["generated"] == before["generated"] and after["graded"] == before["graded"]
    assert after["survived"] + after["equivalent"] > before["survived"] + before["equivalent"]
    assert after["score"] < before["score"]
    assert after["equivalent"] == 1
    [reviewed] = [s for s in after["survivors"] if s["equivalent"]]
    assert (reviewed["diff"], reviewed["equivalent"]) == (listed["diff"], "a test of the list")
    line = LOSSES.splitlines().index("    return margins.sum(axis=1)") + 1
    assert report["stale_equivalents"] == [
        f"{EQUIVALENTS_FILE} lists losses.py:{line}: return margins.sum(axis=1) -> return margins.sum() as "
        f"equivalent, but zero_when_the_correct_class_wins_by_more_than_one fails on it: remove the entry",
        f"{EQUIVALENTS_FILE} lists losses.py: hinge_losses: return 1 -> return 2, which is no mutant any more: "
        f"remove or update the entry"]
    # With every answer accepted, the hidden test names no mistake at all.
    assert set(after["diagnoses_never_fired"]) >= {"margin_missing", "squared"}


def test_an_unknown_function_is_refused_in_one_line(audited, capsys):
    with course_importable(audited["course"]):
        code = cli.main(["audit", "hw", "--course", str(audited["course"]), "--function", "no_such_thing"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: no solution region in a function named 'no_such_thing' in hw (there are 1: "
                          "losses.hinge_losses)") and err.count("\n") == 1


def test_an_assignment_without_tests_is_refused_in_one_line(tmp_path, capsys):
    assert cli.main(["audit", "nothing", "--course", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: no tests for nothing: expected {tmp_path / 'source' / 'nothing' / 'tests'}\n"


def test_a_malformed_equivalents_file_is_refused_in_one_line(audited, tmp_path, capsys):
    course = tmp_path / "course"
    shutil.copytree(audited["course"], course)
    write(course / "source" / "hw" / "tests" / EQUIVALENTS_FILE,
          json.dumps({"equivalent": [{"file": "losses.py", "function": "hinge_losses", "old": "a", "new": "b",
                                      "reason": " "}]}))
    with course_importable(course):
        code = cli.main(["audit", "hw", "--course", str(course)])
    err = capsys.readouterr().err
    assert code == 2 and "gives no reason" in err and err.count("\n") == 1


def test_a_surviving_mutant_meets_every_test_whose_calls_reach_its_module():
    """Which tests grade a mutant: its function's own tests, then the tests whose calls reach its
    module through the assignment's imports (relative and absolute, packages included); a test
    that calls nothing, or reads source text (fresh), may see any change."""
    from autograder.authoring.mutants import Mutant
    from autograder.authoring.mutation_audit import _imports, _jobs
    from autograder.engine.api import GradedTest

    modules = {"layers.py": "import numpy as np\n", "nets/__init__.py": "", "nets/deep.py": "from .. import layers\n",
               "nets/wide.py": "from nets.deep import build\n", "solver.py": "import numpy\n"}
    reach = _imports(modules)
    assert reach["nets.wide"] == {"nets.wide", "nets", "nets.deep", "layers"}
    assert reach["layers"] == {"layers"} and reach["solver"] == {"solver"}

    def test(name, function, fresh=False):
        return GradedTest(name, function, 1.0, None, fresh=fresh)

    tests = [test("layer_own", "layers.relu"), test("layer_other", "layers.affine"),
             test("wide_net", "nets.wide.Net.loss"), test("solver_only", "solver.step"),
             test("loops", "solver.step", fresh=True), test("broken", "layers.relu")]
    targets = {"layer_own": ["layers.relu"], "layer_other": ["layers.affine"], "wide_net": ["nets.wide.Net"],
               "solver_only": ["solver.step"], "loops": ["solver.step"], "broken": ["layers.relu"]}
    baseline = {n: {"status": "failed" if n == "broken" else "passed", "targets": t, "seconds": 0.1}
                for n, t in targets.items()}
    relu = Mutant("layers.py", "relu", 3, "sign", "a", "b", "text")
    [job] = _jobs([relu], tests, baseline, reach)
    assert job["own"] == ["layer_own"]  # the test that fails on the reference is left out
    assert job["others"] == ["layer_other", "wide_net", "loops"]
    assert job["budget"][0] > 0.1 and job["call_seconds"] >= 5.0
