"""A student's first Run All, and nbgrader's Validate, on the release notebooks.

* Run All on an untouched release notebook goes to the end (nothing unfinished stops it, as in
  JupyterLab, where an error reply would stop the queue) and shows exactly one clear message per
  unfinished function: the stub's own line the first time, "finish ... first" after that, and each
  graded cell's self-check table. No NameError, no traceback, each dataset line once.
* nbgrader's Validate fails on the untouched notebook, naming exactly the graded cells of the
  functions still to write (the browser test shows it passing once they are written).

The notebooks run on a copy of the release folder, never in release/ itself.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from notebook_kernel import notebook_client

REPO = Path(__file__).resolve().parents[2]
RELEASE_NOTEBOOKS = sorted(REPO.glob("release/*/*.ipynb"))
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
KIND_ERRORS = {"NotImplementedError", "FinishFirst", "SelfCheckFailed"}
FIRST_HIT = re.compile(r"^NotImplementedError: (?P<what>.+?) is not written yet: write it in (?P<where>.+?), "
                       r"then run this cell again\.$")
LATER_HIT = re.compile(r"^NotImplementedError: finish (?P<what>.+?) in (?P<where>\S+) first \(see above\)$")


def _rel(path):
    return str(path.relative_to(REPO))


def _copy_assignment(folder, tmp_path):
    work = tmp_path / folder.name
    shutil.copytree(folder, work, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    return work


def _errors(cell):
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def _is_graded(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("autograded_")


@pytest.mark.parametrize("path", RELEASE_NOTEBOOKS, ids=[_rel(p) for p in RELEASE_NOTEBOOKS])
def test_run_all_on_an_untouched_release_notebook(path, tmp_path, monkeypatch, measured):
    monkeypatch.setenv("CS_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    work = _copy_assignment(path.parent, tmp_path)
    nb = nbformat.read(work / path.name, as_version=4)
    # allow_errors=False: an error reply (which stops Run All in JupyterLab) fails the run here.
    notebook_client(nb, work, tmp_path, timeout=300, allow_errors=False).execute()

    first_messages = Counter()
    graded = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"{_rel(path)} cell {index}"
        for error in _errors(cell):
            assert error["ename"] in KIND_ERRORS, f"{where}: {error['ename']}: {error['evalue']}"
            lines = [ANSI.sub("", line) for line in error["traceback"]]
            assert len(lines) == 1, f"{where}: a traceback instead of one line: {lines}"
            line = lines[0]
            if error["ename"] == "NotImplementedError":
                hit = FIRST_HIT.match(line) or LATER_HIT.match(line)
                assert hit, f"{where}: unclear stub message {line!r}"
                assert hit["where"] == "this cell" or (work / hit["where"]).is_file(), \
                    f"{where}: the message names {hit['where']!r}, which is not a file of the assignment"
                if FIRST_HIT.match(line):
                    first_messages[hit["what"]] += 1
            elif error["ename"] == "FinishFirst":
                assert re.match(r"^FinishFirst: (finish|fix) .+ first: this cell needs `\w+`", line), line
        if _is_graded(cell):
            graded += 1
            table = "".join(o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", [])
                            if o.get("output_type") == "display_data")
            function = re.search(r'self_check\("([^"]+)"\)', cell.source)[1]
            assert f"Self-check of {function}:" in table, f"{where}: no self-check table"
            assert "not implemented" in table, f"{where}: the table does not say 'not implemented'"
            assert [e["ename"] for e in _errors(cell)] == ["SelfCheckFailed"], f"{where}: must fail"
    repeated = {what: n for what, n in first_messages.items() if n > 1}
    assert not repeated, f"{_rel(path)}: the full stub message came more than once for {repeated}"

    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                      for o in c.get("outputs", []) if o.get("output_type") == "stream")
    dataset_lines = Counter(line for line in printed.splitlines() if line.startswith("[cs_datasets]"))
    assert all(n == 1 for n in dataset_lines.values()), f"dataset lines repeated: {dataset_lines}"
    measured(f"{_rel(path)} untouched: {sum(first_messages.values())} unfinished functions named, "
             f"{graded} self-checks failing, 0 NameErrors")


_VALIDATE = """
import json, sys
from nbgrader.validator import Validator
print(json.dumps(Validator().validate(sys.argv[1])))
"""


def _validate(notebook, cwd):
    """nbgrader's Validate as the JupyterLab button runs it (the same Validator, in a fresh process):
    {"failed": [...], "passed": [...], ...} or {"changed": [...]}."""
    env = dict(os.environ, CS_DATASETS_OFFLINE="1", MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", _VALIDATE, notebook], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_validate_names_exactly_the_unfinished_functions(tmp_path):
    # Validate passing once the functions are written is proved in the browser, by the button
    # itself (tests/e2e/test_browser_student.py); a second knn run here would add 20 s to `make test`.
    work = _copy_assignment(REPO / "release" / "assignment1", tmp_path)
    nb = nbformat.read(work / "knn.ipynb", as_version=4)
    graded = {c.source.splitlines()[0] for c in nb.cells if _is_graded(c)}
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "markdown"]
    for cell in answers:  # the student answered the inline questions
        cell.source = cell.source.replace("YOUR ANSWER HERE", "My answer: the brighter rows are unusual images.")
    nbformat.write(nb, work / "knn.ipynb")

    untouched = _validate("knn.ipynb", work)
    failed = {cell["source"].splitlines()[0] for cell in untouched.get("failed", [])}
    assert failed == graded, f"Validate should fail exactly on the graded cells: {sorted(failed ^ graded)}"
    assert all("SelfCheckFailed" in cell["raw_error"] for cell in untouched["failed"])


# ---------------------------------------------------------------------------------------------
# what counts as unfinished: a synthetic notebook, so each rule is seen on its own
# ---------------------------------------------------------------------------------------------

_MODULE = '''
def stub():
    # YOUR CODE HERE
    raise NotImplementedError("stub is not written yet: write it in work.py")


def buggy():
    return [1, 2][5]


def student_raises():
    raise NotImplementedError("my own message")
'''


def _synthetic(tmp_path, sources, allow_errors):
    (tmp_path / "work.py").write_text(_MODULE)
    setup = "from assignments.unfinished import watch_unfinished_work\nwatch_unfinished_work()\nfrom work import *"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in [setup, *sources]])
    notebook_client(nb, tmp_path, tmp_path, timeout=60, allow_errors=allow_errors).execute()
    return [[(e["ename"], ANSI.sub("", "".join(e["traceback"]))) for e in _errors(c)] for c in nb.cells[1:]]


def test_unfinished_work_lets_run_all_go_on_and_guards_what_depends_on_it(tmp_path):
    out = _synthetic(tmp_path, ["a = stub()", "print(a)", "a = 1", "print(a + 1)",
                                "def twice():\n    return 2 * b", "b = stub()", "twice()", "stub()"],
                     allow_errors=False)
    assert out[0] == [("NotImplementedError", "NotImplementedError: stub is not written yet: write it in "
                                              "work.py, then run this cell again.")]
    assert out[1] == [("FinishFirst", "FinishFirst: finish stub in work.py first: this cell needs `a`, "
                                      "which a cell above could not make without it")]
    assert out[2] == [] and out[3] == [], "once a cell makes `a`, the cells that need it run again"
    assert out[6][0][0] == "NameError" and "finish stub in work.py first" in out[6][0][1], \
        "a name read through a function of an earlier cell still says what to finish"
    assert out[7] == [("NotImplementedError", "NotImplementedError: finish stub in work.py first (see above)")]


def test_a_real_error_still_stops_run_all_and_keeps_its_traceback(tmp_path):
    from nbclient.exceptions import CellExecutionError

    with pytest.raises(CellExecutionError) as stopped:  # control: the error reply stops the run
        _synthetic(tmp_path, ["c = buggy()", "print('never runs')"], allow_errors=False)
    assert "IndexError" in str(stopped.value)
    out = _synthetic(tmp_path, ["c = buggy()", "print(c)", "student_raises()"], allow_errors=True)
    assert out[0][0][0] == "IndexError" and "Traceback" in out[0][0][1] and "buggy" in out[0][0][1]
    assert out[1] == [("FinishFirst", "FinishFirst: fix the error above (IndexError) first: this cell needs "
                                      "`c`, which that cell did not make")]
    # A NotImplementedError that is not a released stub is a real error with its full traceback.
    assert out[2][0][0] == "NotImplementedError" and "Traceback" in out[2][0][1]


_SERVER_TRANSPORT = """
from jupyter_server.serverapp import ServerApp
app = ServerApp()
app.initialize(argv=["--no-browser", "--port=0", "--allow-root"])
manager = app.kernel_manager.kernel_manager_factory(parent=app.kernel_manager, log=app.log)
print(manager.transport)
"""


def test_jupyter_from_this_venv_starts_kernels_over_ipc(tmp_path):
    # `make venv` writes .venv/etc/jupyter/jupyter_server_config.json: the student's JupyterLab then
    # runs kernels over local sockets, and ipykernel does not warn about unencrypted TCP.
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "run"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.run([sys.executable, "-c", _SERVER_TRANSPORT], env=env, cwd=tmp_path,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "ipc", "run `make venv`: the venv's Jupyter config is missing"
