"""Notebook clients for the tests that execute notebooks headless.

The kernels talk to the test over IPC sockets rather than localhost TCP: nothing listens on a
port while the suite runs, and ipykernel 7 no longer warns about unencrypted TCP in every kernel's
output.
"""
from pathlib import Path

from nbclient import NotebookClient
from traitlets.config import Config


def notebook_client(nb, folder: Path, socket_dir: Path, timeout: int, **options) -> NotebookClient:
    """A NotebookClient that runs ``nb`` in ``folder`` on the python3 kernel over IPC.

    socket_dir: a folder for the kernel's sockets (a test's tmp_path). The path must be absolute:
    a relative one would be resolved once in the test's working directory and once in the
    kernel's (``folder``), and the two would never meet.
    ``options`` go to NotebookClient as they are (allow_errors, on_cell_start, ...).
    """
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(Path(socket_dir).resolve() / "kernel")
    return NotebookClient(nb, timeout=timeout, kernel_name="python3", config=config,
                          resources={"metadata": {"path": str(folder)}}, **options)
