"""Trusted side of the sandbox: start the child, send it calls, read back plain numbers.

One ``Sandbox`` serves one student. It starts a child process lazily and reuses it across calls;
when a call crashes the child, times out or the child misbehaves, the child is killed and the next
call starts a fresh one, so a failure costs only the call that hit it.
"""
import os
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass

from . import isolation, protocol
from .child import BOOT

_isolation_checked = {}


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 20.0         # wall time for one call
    start_seconds: float = 30.0        # wall time for the child to start and import numpy
    cpu_seconds: int = 120             # CPU time for the whole child
    memory_bytes: int = 2 << 30        # address space
    max_file_bytes: int = 16 << 20


class SandboxError(RuntimeError):
    """The sandbox itself failed (the child did not start): an infrastructure problem, not the
    student's. Nothing of the student's runs before the child's greeting, so no submission can
    cause this on purpose."""


class StudentCallError(Exception):
    """A call into student code did not give a value. ``status`` is error, not_implemented or timeout."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _needed_paths():
    """Folders the child must still see when they sit under /tmp (hidden there otherwise): the
    interpreter's environment and the grader's package itself (never the course folder around it)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, package)})


def isolation_available(python=sys.executable):
    """True when this kernel lets us build the namespace sandbox (checked once per interpreter)."""
    if python not in _isolation_checked:
        try:
            probe = subprocess.run([python, "-c", "pass"], preexec_fn=lambda: isolation.isolate("/", [], _needed_paths()),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=30)
            _isolation_checked[python] = probe.returncode == 0
        except (subprocess.SubprocessError, OSError):
            _isolation_checked[python] = False
    return _isolation_checked[python]


class Sandbox:
    """Runs calls into the student's modules found in ``workdir``.

    Inputs:
    - workdir: a private copy of the student's files (the child sees it read-only as its cwd).
    - hidden_paths: files and folders the child must not see (course source, gradebook, submissions).
    - limits: ``Limits``.
    - require_isolation: raise instead of warning when namespaces are unavailable.
    """

    def __init__(self, workdir, hidden_paths=(), limits=Limits(), python=sys.executable,
                 require_isolation=False):
        self.workdir = os.path.abspath(workdir)
        self.hidden_paths = [os.path.abspath(p) for p in hidden_paths]
        self.limits = limits
        self.python = python
        self._keep = _needed_paths()
        self.isolated = isolation_available(python)
        if not self.isolated:
            message = ("Linux namespaces are unavailable here: student code runs in a child process "
                       "with resource limits only, and can read files this user can read.")
            if require_isolation:
                raise RuntimeError(message)
            warnings.warn(message, RuntimeWarning, stacklevel=2)
        self._proc = None

    # -- child lifecycle -------------------------------------------------------------------------
    def _preexec(self):
        if self.isolated:
            isolation.isolate(self.workdir, self.hidden_paths, self._keep)
        else:
            os.chdir(self.workdir)
        isolation.limit_resources(self.limits.cpu_seconds, self.limits.memory_bytes,
                                  self.limits.max_file_bytes)

    def _start(self):
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
               "AUTOGRADER_PID_NAMESPACE": "1" if self.isolated else "0"}
        self._proc = subprocess.Popen(
            [self.python, "-I", "-c", BOOT], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("AUTOGRADER_DEBUG") else subprocess.DEVNULL, env=env, cwd="/",
            preexec_fn=self._preexec, start_new_session=True, close_fds=True)
        try:
            header, _ = protocol.read_message(self._proc.stdout.fileno(),
                                              time.monotonic() + self.limits.start_seconds)
        except protocol.ProtocolError as exc:
            self.close()
            raise SandboxError(f"the sandbox did not start ({exc})") from None
        if header.get("status") != "ready":
            self.close()
            raise SandboxError("the sandbox did not start (bad greeting)")

    def close(self):
        if self._proc is None:
            return
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)  # the whole group: forks of student code too
        except (ProcessLookupError, PermissionError):
            pass
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._proc.wait()
        self._proc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- calls -----------------------------------------------------------------------------------
    def _request(self, header, blobs, seconds):
        if self._proc is None:
            self._start()
        try:
            protocol.write_message(self._proc.stdin.fileno(), header, blobs)
            reply, arrays = protocol.read_message(self._proc.stdout.fileno(), time.monotonic() + seconds)
        except protocol.Timeout:
            self.close()
            raise StudentCallError("timeout", f"took longer than {seconds:g} s") from None
        except (protocol.ProtocolError, OSError) as exc:
            try:
                code = self._proc.wait(timeout=1.0)  # the exit code makes the better message
            except subprocess.TimeoutExpired:
                code = None
            self.close()
            raise StudentCallError("error", _crash_message(code, exc)) from None
        status = reply.get("status")
        if status == "ok":
            try:
                return protocol.decode(reply.get("value"), arrays)
            except (protocol.ProtocolError, IndexError, KeyError, TypeError, ValueError) as exc:
                self.close()
                raise StudentCallError("error", f"returned a malformed answer ({exc})") from None
        if status in ("error", "not_implemented"):
            raise StudentCallError(status, str(reply.get("message", ""))[:500])
        self.close()
        raise StudentCallError("error", "returned a malformed answer")

    def call(self, target, *args, seconds=None, **kwargs):
        """Call the function ``target`` (dotted path, e.g. ``classifiers.linear_svm.svm_loss_naive``)."""
        blobs = []
        header = {"op": "call", "target": target, "args": protocol.encode(list(args), blobs),
                  "kwargs": protocol.encode(kwargs, blobs)}
        return self._request(header, blobs, seconds or self.limits.call_seconds)

    def call_method(self, cls, steps, init=(), seconds=None):
        """Build ``cls(*init)`` and call ``steps`` in order: a list of (method, args) or
        (method, args, kwargs). Returns the value of the last step."""
        blobs = []
        encoded = []
        for step in steps:
            method, args, kwargs = (tuple(step) + ({},))[:3]
            encoded.append([method, protocol.encode(list(args), blobs), protocol.encode(dict(kwargs), blobs)])
        header = {"op": "call", "target": cls, "init": protocol.encode(list(init), blobs), "steps": encoded}
        return self._request(header, blobs, seconds or self.limits.call_seconds)


def _crash_message(code, exc):
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        if -code == signal.SIGXCPU:
            return "used up its CPU time (killed by SIGXCPU)"
        return f"the process was killed by {name}"
    if code is not None:
        return f"the process exited with code {code} (sys.exit or os._exit in student code?)"
    return f"the process stopped answering ({exc})"
