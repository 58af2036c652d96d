"""``jupyter nbconvert --execute`` from this venv runs its kernel over IPC sockets (the venv's
configuration, written by ``make venv``, names ``autograder.kernels.IPCKernelManager``): no
warning about unencrypted TCP, even when run from another folder than the notebook's (where
jupyter_client's own relative socket names would leave the kernel unreachable), and no socket
file left behind. The control runs the same command with jupyter_client's manager and sees the
warning. Three kernel starts, about 10 s on 2 cores."""
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

VENV_CONFIG = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_nbconvert_config.json"
WARNING = "without encryption"


@pytest.fixture
def notebook(tmp_path):
    folder = tmp_path / "course" / "assignment"
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nprint(6 * 7, os.getcwd())")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def _nbconvert(notebook, cwd, *options):
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(cwd / "runtime"))
    done = subprocess.run([str(Path(sys.executable).parent / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                           str(notebook.relative_to(cwd)), "--output", "done.ipynb", *options],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    outputs = nbformat.read(notebook.parent / "done.ipynb", as_version=4).cells[0].outputs
    return done.stderr, "".join(o.get("text", "") for o in outputs)


def test_the_venv_names_the_ipc_kernel_manager_for_nbconvert():
    assert VENV_CONFIG.is_file(), f"{VENV_CONFIG} is missing: run `make venv`"
    assert json.loads(VENV_CONFIG.read_text()) == {
        "ExecutePreprocessor": {"kernel_manager_class": "autograder.kernels.IPCKernelManager"}}


def test_nbconvert_execute_runs_over_ipc_without_the_tcp_warning(notebook, tmp_path):
    stderr, printed = _nbconvert(notebook, tmp_path)  # run from two folders above the notebook
    assert printed.startswith("42 ") and printed.split()[1] == str(notebook.parent)
    assert WARNING not in stderr
    runtime = tmp_path / "runtime"
    assert not [p for p in runtime.iterdir() if "-ipc-" in p.name], "socket files were left behind"
    assert not list(tmp_path.rglob("kernel-ipc*")), "relative socket names: the kernel could not have answered"


def test_control_jupyter_clients_own_manager_speaks_tcp_and_warns(notebook, tmp_path):
    stderr, printed = _nbconvert(notebook, tmp_path,
                                 "--ExecutePreprocessor.kernel_manager_class=jupyter_client.manager.AsyncKernelManager")
    assert printed.startswith("42 ")
    assert WARNING in stderr, "this ipykernel no longer warns about TCP: the test above proves nothing"
