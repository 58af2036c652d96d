"""Notebook clients for the tests that execute notebooks headless.

The kernels talk to the test over IPC sockets rather than localhost TCP: nothing listens on a
port while the suite runs, and ipykernel 7 no longer warns about unencrypted TCP in every kernel's
output. The client waits for replies in one-second slices (see ``_sliced``).
"""
import time
from functools import wraps
from pathlib import Path
from queue import Empty

from nbclient import NotebookClient
from traitlets.config import Config

POLL_SLICE = 1.0  # seconds


def _sliced(get_msg):
    """``get_msg`` that waits in slices of POLL_SLICE. pyzmq's asyncio poll can miss the wake-up
    for a reply that arrives during a burst of other messages (a widget cell's comm_opens) and
    then only sees it when its timeout ends: with the cell's timeout, Run All stalled for exactly
    that long and then carried on. A miss now costs at most one slice."""
    @wraps(get_msg)
    async def sliced(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_SLICE if deadline is None else min(POLL_SLICE, deadline - time.monotonic())
            try:
                return await get_msg(timeout=max(left, 0.0))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise
    return sliced


class _Client(NotebookClient):
    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        for channel in (kc.shell_channel, kc.iopub_channel):
            channel.get_msg = _sliced(channel.get_msg)
        return kc


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
    return _Client(nb, timeout=timeout, kernel_name="python3", config=config,
                   resources={"metadata": {"path": str(folder)}}, **options)
