"""The real course's student edition: what a student gets holds no answer, and works on its own.

* The tree: the released assignments, the helper packages, the student's half of the grader and
  the set-up files; no source/, no hidden test, no solution region's line anywhere, no instructor
  room of the grader, nothing the release audit flags (beyond the course's reviewed exceptions).
* Without the instructor's rooms: in an interpreter that sees the edition's packages and none of
  this repository's, ``autograder check`` and a notebook's self-check run the public tests in the
  isolated sandbox, and an instructor's command says in one line that it is not there.
* ``install`` (``make test-install``, minutes): a new user's two commands, ``make setup`` (pip, a
  fresh .venv) and ``make check``, in a fresh copy from the zip.

The first two build the edition from the committed release (tests/unit/test_release.py proves it
is what a fresh release gives), not with two nbgrader runs.
"""
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograder.authoring import edition as edition_module
from autograder.authoring.edition import MARK, write_edition
from autograder.authoring.shipping import code_cells
from autograder.authoring.stubs import LEAK_MARKERS, solution_regions
from autograder.sandbox import isolation_available

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENTS = ("assignment0", "assignment1")


def _committed_release(assignment, course_dir, release_root, *, audit_it=True):
    target = Path(release_root) / assignment
    shutil.copytree(REPO / "release" / assignment, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target, None


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(edition_module, "_release", _committed_release)
        return write_edition(tmp_path_factory.mktemp("edition") / "student-edition", REPO, quiet=True)


def _files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def test_the_tree_holds_what_students_need_and_no_answer(edition):
    folder = edition.folder
    top = sorted(p.name for p in folder.iterdir())
    assert top == sorted([".gitignore", MARK, "Makefile", "README.md", "pyproject.toml", "requirements.txt",
                          *ASSIGNMENTS, "assignments", "autograder", "cs_datasets"]), top
    rel = [p.relative_to(folder) for p in _files(folder)]
    assert not [r for r in rel if r.parts[0] == "source" or any(part.startswith("hidden_") for part in r.parts)]
    grader = {r.parts[1] for r in rel if r.parts[0] == "autograder" and len(r.parts) > 2}
    assert grader == {"analysis", "engine", "intake", "sandbox", "student"}, grader
    assert not [r for r in rel if r.parts[:2] == ("autograder", "intake") and r.name not in ("__init__.py", "workspace.py")]
    for assignment in ASSIGNMENTS:
        released = sorted(p.relative_to(REPO / "release" / assignment) for p in _files(REPO / "release" / assignment))
        assert sorted(p.relative_to(folder / assignment) for p in _files(folder / assignment)) == released
    for path in _files(folder):
        data = path.read_bytes()
        assert not [m for m in LEAK_MARKERS if m.encode() in data], path


#: Lines of a solution region that shipped code may hold, and why.
SHARED_LINES = {
    "base, extra = divmod(num_examples, num_folds)":
        "autograder/fold_checks.py: the public fold check states the sizes rule of the docstring "
        "(np.array_split's) to compare the student's folds with",
}


def _code(text):
    """``text`` without its docstrings and comments (what runs)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            body[0] = ast.Pass()
    return ast.unparse(tree)


def _solution_lines():
    """Every line of code of a solution region in source/ long enough to be telling, as
    ``ast.unparse`` writes it."""
    lines = set()
    for path in (REPO / "source").rglob("*.py"):
        if "tests" in path.relative_to(REPO / "source").parts:
            continue
        for region in solution_regions(path.read_text(), str(path)):
            lines |= {line.strip() for line in _code(textwrap.dedent(region.text)).splitlines()
                      if len(line.strip()) >= 40}
    return lines


def test_no_line_of_a_solution_region_is_in_the_editions_code(edition):
    lines = _solution_lines()
    assert len(lines) > 50
    found = []
    for path in _files(edition.folder):
        if path.suffix == ".py":
            code = _code(path.read_text(encoding="utf-8"))
        elif path.suffix == ".ipynb":
            code = "\n".join(_code(source) for _, source in code_cells(path))
        else:
            continue
        found += [f"{path.relative_to(edition.folder)}: {line}" for line in lines
                  if line in code and line not in SHARED_LINES]
    assert not found, "\n".join(found)


def test_the_audit_of_the_edition_found_nothing_but_the_reviewed_exceptions(edition):
    assert ": no findings" in edition.audit, edition.audit
    excused = [line for line in edition.audit.splitlines() if line.strip().startswith("excused by")]
    # Named by file and function (line numbers move with every edit of the file).
    assert [re.sub(r":\d+ ", " ", line.split(": ", 2)[1]) for line in excused] == [
        "autograder/penalties.py penalty", "autograder/penalties.py check_penalties_against_reference"], excused


def test_the_zip_holds_the_folder(edition):
    with zipfile.ZipFile(edition.archive) as zf:
        names = sorted(zf.namelist())
    assert names == sorted(f"student-edition/{p.relative_to(edition.folder).as_posix()}"
                           for p in _files(edition.folder) if p.name != MARK)


# ---------------------------------------------------------------------------------------------
# The student's half, with none of the instructor's
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def student_python(edition, tmp_path_factory):
    """An interpreter that imports the edition's packages and nothing of this repository: a fresh
    virtual environment holding this environment's libraries as hard links (the sandbox shows its
    child that environment only, so a path file pointing elsewhere would not do), without this
    repository's editable install, and with a path file to the edition. (Where hard links cannot
    be made, a path file to the libraries instead: the check then runs with limits only.)"""
    venv = tmp_path_factory.mktemp("student-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    ours = Path(sysconfig.get_paths()["purelib"])
    linked = subprocess.run(["cp", "-al", f"{ours}/.", str(site)], capture_output=True).returncode == 0
    if linked:
        for path in site.iterdir():
            if path.name.startswith(("__editable__", "cs_image_course")):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    else:  # another file system: the libraries by a path file (the sandbox's child then cannot see them)
        (site / "zz-libraries.pth").write_text(f"{ours}\n")
    (site / "edition.pth").write_text(f"{edition.folder}\n")
    return SimpleNamespace(path=python, linked=linked)


def _run(python, *args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["CS_DATASETS_OFFLINE"] = "1"
    return subprocess.run([str(python.path), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_students_half_imports_from_the_edition_alone(student_python, edition):
    probe = ("import autograder, autograder.cli, autograder.student, autograder.testing, assignments, cs_datasets\n"
             "print(autograder.__file__, assignments.__file__, cs_datasets.__file__)\n"
             "import importlib.util\n"
             "print(*[importlib.util.find_spec('autograder.' + room) for room in "
             "('authoring', 'classrun', 'demo', 'similarity', 'intake.submissions')])")
    proc = _run(student_python, "-c", probe, cwd=edition.folder.parent)
    assert proc.returncode == 0, proc.stderr
    where, missing = proc.stdout.splitlines()
    assert all(Path(p).is_relative_to(edition.folder) for p in where.split()), where
    assert missing == "None None None None None"


def test_check_and_a_self_check_run_in_the_sandbox_without_the_instructors_rooms(student_python, edition, tmp_path):
    folder = edition.folder
    proc = _run(student_python, "-m", "autograder", "check", "assignment1", "--json", cwd=folder)
    report = json.loads(proc.stdout)
    statuses = {t["status"] for t in report["tests"]}
    assert statuses == {"not_implemented"}, statuses
    assert len(report["tests"]) >= 60
    if student_python.linked and isolation_available():  # the isolated child found numpy and the edition's sandbox
        assert "warning" not in proc.stderr, proc.stderr

    # The student writes the kNN classifier (here: the reference's) and runs the notebook's graded cell.
    work = tmp_path / "assignment1"
    shutil.copytree(folder / "assignment1", work)
    shutil.copyfile(REPO / "source" / "assignment1" / "classifiers" / "k_nearest_neighbor.py",
                    work / "classifiers" / "k_nearest_neighbor.py")
    cell = ("from autograder.student import self_check\n"
            "self_check('KNearestNeighbor.compute_distances_no_loops')\n"
            "print('SELF-CHECK PASSED')")
    proc = _run(student_python, "-c", cell, cwd=work)
    assert proc.returncode == 0 and "SELF-CHECK PASSED" in proc.stdout, proc.stdout + proc.stderr
    assert "Self-check of KNearestNeighbor.compute_distances_no_loops: 2 of 2 public points" in proc.stdout


def test_an_instructors_command_says_it_is_not_there(student_python, edition, tmp_path):
    proc = _run(student_python, "-m", "autograder", "grade", str(tmp_path), cwd=edition.folder)
    assert proc.returncode == 2
    assert proc.stderr == ("error: `autograder grade` is for instructors and is not part of this copy of the course; "
                           "`autograder check` is\n")


# ---------------------------------------------------------------------------------------------
# A new user's two commands, for real
# ---------------------------------------------------------------------------------------------

@pytest.mark.install
def test_a_new_user_sets_up_and_checks_a_fresh_folder(edition, tmp_path, measured):
    with zipfile.ZipFile(edition.archive) as zf:
        zf.extractall(tmp_path)
    folder = tmp_path / "student-edition"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(REPO)))
    base_python = Path(getattr(sys, "_base_executable", sys.executable))
    timings, output = {}, {}
    for command in ("setup", "check"):
        start = time.perf_counter()
        proc = subprocess.run(["make", command, f"PYTHON={base_python}"], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=1800)
        timings[command], output[command] = time.perf_counter() - start, proc.stdout + proc.stderr
        if command == "setup":
            assert proc.returncode == 0, output[command][-3000:]
    # `make check` on untouched stubs: every public test fails, whatever exit status check gives that.
    assert "assignment1: public tests (the grader adds hidden tests)" in output["check"], output["check"][-3000:]
    proc.stdout = output["check"]
    assert "not implemented" in proc.stdout and "passed" not in proc.stdout
    installed = subprocess.run([str(folder / ".venv" / "bin" / "python"), "-c",
                                "import autograder; print(autograder.__file__)"],
                               cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(installed).is_relative_to(folder), installed
    measured(f"student edition, a new user's two commands: make setup {timings['setup']:.0f} s, "
             f"make check {timings['check']:.0f} s")
