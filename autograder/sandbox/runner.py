"""Trusted side of the sandbox: start the child, send it calls, read back plain numbers.

One ``Sandbox`` serves one student. It starts a child process lazily and reuses it across calls;
when a call crashes the child, times out or the child misbehaves, the child is killed and the next
call starts a fresh one, so a failure costs only the call that hit it.

The sandbox fails closed: without Linux namespaces (or without the no-fork filter) it refuses to
start unless it was made with ``insecure=True``, which ``autograder check`` uses on a student's own
machine and ``autograder grade --insecure`` only on the instructor's explicit request.
"""
import os
import signal
import subprocess
import sys
import tempfile
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
    cpu_seconds: int = 120             # CPU time for one child process
    memory_bytes: int = 2 << 30        # address space
    max_file_bytes: int = 16 << 20
    student_seconds: float = 300.0     # wall time for all of one student's tests together


def budget_spent(limits):
    """The grader's words for a student whose time budget is spent (no value of theirs in it)."""
    return f"this submission used up its time budget ({limits.student_seconds:g} s for all tests)"


class SandboxError(RuntimeError):
    """The sandbox itself failed (the child did not start): an infrastructure problem, not the
    student's. Nothing of the student's runs before the child's greeting, so no submission can
    cause this on purpose."""


class IsolationUnavailable(RuntimeError):
    """This machine cannot build the sandbox (no user namespaces, no seccomp) and insecure
    grading was not asked for. The message is one line that says what to do."""


class StudentCallError(Exception):
    """A call into student code did not give a value. ``status`` is error, not_implemented or timeout.

    ``message`` is the full text (public tests show it). ``exc_type`` and ``where`` (file, line),
    when the child reported an exception, are what a hidden test may show after checking them;
    ``hidden_message`` is a text that holds nothing the student's code chose.
    """

    def __init__(self, status, message, hidden_message=None, exc_type=None, where=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.hidden_message = hidden_message if hidden_message is not None else message
        self.exc_type = exc_type
        self.where = where


def _needed_paths():
    """Folders the child needs besides the system's libraries: the interpreter's environment and
    the grader's package itself (never the course folder around it)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, package)})


# Started inside a freshly isolated child: succeeds only when the new root holds a working
# interpreter with numpy, the grader's child program imports, and the no-fork filter installs.
_PROBE = ("import numpy, autograder.sandbox.child\n"
          "from autograder.sandbox.no_fork import forbid_new_processes\n"
          "raise SystemExit(0 if forbid_new_processes() else 1)\n")


def isolation_available(python=sys.executable):
    """True when this machine can build the whole sandbox: namespaces, the allow-listed root and
    the no-fork filter (checked once per interpreter)."""
    if python not in _isolation_checked:
        empty = tempfile.mkdtemp(prefix="autograder-probe-")
        try:
            probe = subprocess.run([python, "-I", "-c", _PROBE],
                                   preexec_fn=lambda: isolation.isolate(empty, _needed_paths()),
                                   env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=60, cwd="/")
            _isolation_checked[python] = probe.returncode == 0
        except (subprocess.SubprocessError, OSError):
            _isolation_checked[python] = False
        finally:
            os.rmdir(empty)
    return _isolation_checked[python]


NO_ISOLATION = ("this machine cannot isolate student code (Linux user namespaces, pivot_root and "
                "seccomp are needed)")


class Sandbox:
    """Runs calls into the student's modules found in ``workdir``.

    Inputs:
    - workdir: a private copy of the student's files (the child sees it read-only as its cwd and
      sees nothing else of this machine but the interpreter, its libraries and the grader).
    - limits: ``Limits``.
    - insecure: without isolation, run anyway with resource limits only (and warn) instead of
      raising ``IsolationUnavailable``.
    - deadline: a ``time.monotonic()`` value after which no call may run (the student's budget);
      ``None`` for no budget.
    """

    def __init__(self, workdir, limits=Limits(), python=sys.executable, insecure=False, deadline=None):
        self.workdir = os.path.abspath(workdir)
        self.limits = limits
        self.python = python
        self.deadline = deadline
        self._keep = _needed_paths()
        self.isolated = isolation_available(python)
        if not self.isolated:
            if not insecure:
                raise IsolationUnavailable(NO_ISOLATION)
            warnings.warn(f"{NO_ISOLATION}: student code runs with resource limits only and can read "
                          "every file this user can read", RuntimeWarning, stacklevel=2)
        self._proc = None
        self.loaded = set()  # module files (relative paths) the current child was asked to call into
        self.changed_inputs = []  # what the last call changed in place (see ``input_places``)
        self._seed = None  # sent with the next call: see ``seed_random``

    def seed_random(self, seed):
        """Seed numpy's global generator and ``random`` in the child just before the next call, so
        student code that draws from them (``np.random.randn``, ``np.random.choice``) gets the same
        numbers at every grading run and scores the same."""
        self._seed = int(seed) % (1 << 32)

    # -- child lifecycle -------------------------------------------------------------------------
    def _preexec(self):
        if self.isolated:
            isolation.isolate(self.workdir, self._keep)
        else:
            os.chdir(self.workdir)
        isolation.limit_resources(self.limits.cpu_seconds, self.limits.memory_bytes,
                                  self.limits.max_file_bytes)

    def _start(self):
        self.loaded = set()
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
               "AUTOGRADER_PID_NAMESPACE": "1" if self.isolated else "0",
               "AUTOGRADER_REQUIRE_NO_FORK": "1" if self.isolated else "0"}
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
    def _seconds_for(self, seconds):
        """The wall time a call may take: its own limit, cut to what is left of the budget."""
        seconds = seconds or self.limits.call_seconds
        if self.deadline is None:
            return seconds, False
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise StudentCallError("timeout", f"not run: {budget_spent(self.limits)}")
        return (left, True) if left < seconds else (seconds, False)

    def module_file(self, target):
        """The file the child imports for ``target`` (its rule: the longest dotted prefix that is a
        ``.py`` file in the working copy), as a relative path, or None."""
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            relative = "/".join(parts[:cut]) + ".py"
            if os.path.isfile(os.path.join(self.workdir, relative)):
                return relative
        return None

    def _request(self, header, blobs, seconds):
        self.changed_inputs = []
        seconds, cut = self._seconds_for(seconds)
        if self._proc is None:
            self._start()
        module = self.module_file(header["target"])
        if module:
            self.loaded.add(module)
        if self._seed is not None:
            header = dict(header, seed=self._seed)
            self._seed = None
        try:
            protocol.write_message(self._proc.stdin.fileno(), header, blobs)
            reply, arrays = protocol.read_message(self._proc.stdout.fileno(), time.monotonic() + seconds)
        except protocol.Timeout:
            self.close()
            if cut:
                raise StudentCallError("timeout", f"stopped: {budget_spent(self.limits)}") from None
            raise StudentCallError("timeout", f"took longer than {seconds:g} s") from None
        except (protocol.ProtocolError, OSError) as exc:
            try:
                code = self._proc.wait(timeout=1.0)  # the exit code makes the better message
            except subprocess.TimeoutExpired:
                code = None
            self.close()
            raise StudentCallError("error", _crash_message(code, exc),
                                   "the process running your code stopped (it crashed, exited or "
                                   "broke the protocol)") from None
        status = reply.get("status")
        if status == "ok":
            places = input_places(header)
            changed = reply.get("changed_inputs")
            self.changed_inputs = sorted({places[i] for i in changed if isinstance(i, int) and i in places}
                                         if isinstance(changed, list) else set())
            try:
                return protocol.decode(reply.get("value"), arrays)
            except (protocol.ProtocolError, IndexError, KeyError, TypeError, ValueError,
                    RecursionError) as exc:
                self.close()
                raise StudentCallError("error", f"returned a malformed answer ({exc})",
                                       "returned a malformed answer") from None
        if status == "not_implemented":
            raise StudentCallError(status, "not implemented yet")
        if status == "error":
            where = reply.get("where")
            where = (str(where[0]), where[1]) if isinstance(where, list) and len(where) == 2 else None
            raise StudentCallError(status, str(reply.get("message", ""))[:500],
                                   "your code raised an exception", str(reply.get("type", ""))[:100], where)
        self.close()
        raise StudentCallError("error", "returned a malformed answer")

    def call(self, target, *args, seconds=None, **kwargs):
        """Call the function ``target`` (dotted path, e.g. ``classifiers.linear_svm.svm_loss_naive``)."""
        blobs = []
        header = {"op": "call", "target": target, "args": protocol.encode(list(args), blobs),
                  "kwargs": protocol.encode(kwargs, blobs)}
        return self._request(header, blobs, seconds)

    def call_reading_args(self, target, *args, seconds=None, **kwargs):
        """Call the function ``target`` like ``call``; returns ``(value, args, kwargs)``, the
        arguments as the call left them (a dict it updated in place comes back updated)."""
        blobs = []
        header = {"op": "call", "target": target, "args": protocol.encode(list(args), blobs),
                  "kwargs": protocol.encode(kwargs, blobs), "echo_args": True}
        answer = self._request(header, blobs, seconds)
        if not (isinstance(answer, list) and len(answer) == 3 and isinstance(answer[1], list)
                and isinstance(answer[2], dict)):
            raise StudentCallError("error", "returned a malformed answer")
        return answer[0], answer[1], answer[2]

    def call_method(self, cls, steps, init=(), seconds=None):
        """Build ``cls(*init)`` and call ``steps`` in order: a list of (method, args) or
        (method, args, kwargs). Returns the value of the last step."""
        blobs = []
        encoded = []
        for step in steps:
            method, args, kwargs = (tuple(step) + ({},))[:3]
            encoded.append([method, protocol.encode(list(args), blobs), protocol.encode(dict(kwargs), blobs)])
        header = {"op": "call", "target": cls, "init": protocol.encode(list(init), blobs), "steps": encoded}
        return self._request(header, blobs, seconds)


def _ordinal(n):
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def input_places(header):
    """{blob index: words for where that array sat in the call} for the arrays a request sent,
    e.g. 'its 1st argument', 'an array inside its 2nd argument', "train's 1st argument". Arrays
    inside dicts (an optimizer's config) and values a test sets as attributes (``__setattr__``
    steps) are left out: updating those is the code's job."""
    places = {}

    def visit(value, where, top):
        if isinstance(value, dict):
            if set(value) == {"blob"}:
                places[value["blob"]] = where if top else f"an array inside {where}"
            elif set(value) in ({"list"}, {"tuple"}):
                for item in value.get("list", value.get("tuple", [])):
                    visit(item, where, False)

    def arguments(encoded, owner):
        for position, item in enumerate(encoded.get("list", [])):
            visit(item, f"{owner} {_ordinal(position + 1)} argument", True)

    if "steps" in header:
        arguments(header.get("init", {}), "the constructor's")
        for method, args, _ in header["steps"]:
            if method != "__setattr__":  # state the test sets up is the object's to update
                arguments(args, f"{method}'s")
    else:
        arguments(header.get("args", {}), "its")
    return places


def _crash_message(code, exc):
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        if -code == signal.SIGXCPU:
            return "used up its CPU time (killed by SIGXCPU)"
        return f"the process was killed by {name}"
    if code is not None:
        return f"the process exited with code {code} (sys.exit or os._exit in student code?)"
    return f"the process stopped answering ({exc})"
