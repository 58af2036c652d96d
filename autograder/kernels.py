"""Kernels that talk over IPC sockets, for the Jupyter programs of this venv that start kernels
without a server (``make venv`` names this class in ``jupyter_nbconvert_config.json``).

Over localhost TCP every kernel opens ports anyone on the machine can reach, and ipykernel 7
warns about it at each start. jupyter_client can use IPC sockets instead, but names them after the
connection file, and a manager that has none yet (nbconvert's ``--execute``) falls back to the
relative name ``kernel-ipc``, which the kernel (started in the notebook's folder) and nbconvert
(in the caller's) resolve to different places: the kernel never answers. Here each manager takes
an absolute, unique name in Jupyter's runtime folder.
"""
import os
import uuid

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.paths import jupyter_runtime_dir
from traitlets import default


class IPCKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` (what nbclient uses) over IPC sockets named
    ``<runtime dir>/kernel-<random>-ipc-<n>``; they are removed when the kernel shuts down."""

    @default("transport")
    def _transport_default(self):
        return "ipc"

    @default("ip")
    def _ip_default(self):
        if self.transport != "ipc":
            return super()._ip_default()
        runtime = jupyter_runtime_dir()
        os.makedirs(runtime, mode=0o700, exist_ok=True)
        return os.path.join(runtime, f"kernel-{uuid.uuid4().hex[:12]}-ipc")
