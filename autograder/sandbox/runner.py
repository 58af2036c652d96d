"""Trusted side of the sandbox: start the child, send it calls, read back plain numbers.

One ``Sandbox`` serves one student. It starts a child process lazily and reuses it across calls;
when a call crashes the child, times out or the child misbehaves, the child is killed and the next
call starts a fresh one, so a failure costs only the call that hit it.

Nothing the child does can hold the grader: every read and write on its pipes has a deadline, the
start of a child included, and every deadline is cut to the student's budget, so the budget is kept
by the grader's clock. Killing a child kills its PID namespace's first process, which takes every
other process of the namespace with it; its memory cgroup is then removed, which the kernel allows
only when no process of the child is left.

The sandbox fails closed: without Linux namespaces, a memory cgroup or the system-call filter it
refuses to start unless it was made with ``insecure=True``, which ``autograder check`` uses on a
student's own machine and ``autograder grade --insecure`` only on the instructor's explicit request.
"""
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass

from . import cgroup, isolation, protocol, syscall_filter
from .child import BOOT

_isolation_checked = {}

# Each defence a test may turn off (``Sandbox(defences_off=...)``) to show that the attack it stops
# works without it. Nothing but tests passes that argument: the grading code and the command line
# never do, and student code runs in the child, which cannot reach the grader's objects.
DEFENCES = (
    "write_deadline",      # writes to the child give up at the call's deadline
    "kill_namespace",      # closing kills the namespace's first process, hence all of its processes
    "die_with_parent",     # the child dies when the grader's process dies
    "ipc_namespace",       # System V IPC and message queues of its own
    "session_keyring",     # a new, empty session keyring
    "memory_cgroup",       # one memory limit for everything the child holds
    "syscall_allow_list",  # the allow-list filter (off: the old filter that refuses process creation only)
)
KILL_WAIT = 10.0  # seconds to wait for a killed child to be gone before giving up on it


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


def _children(pid):
    """Process ids of the children of the single-threaded process ``pid``."""
    me = os.getpid()
    if os.path.exists(f"/proc/{me}/task/{me}/children"):
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                return [int(p) for p in f.read().split()]
        except FileNotFoundError:
            return []
    found = []  # a kernel without that file: read every process's parent
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
            found.append(int(entry))
    return found


def _exited(pidfd, seconds):
    """True once the process behind ``pidfd`` has ended (waiting at most ``seconds``)."""
    return bool(select.select([pidfd], [], [], seconds)[0])


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


# Started inside a freshly isolated child in its own memory cgroup: succeeds only when the new
# root holds a working interpreter with numpy, the grader's child program imports, and the
# system-call filter installs.
_PROBE = ("import numpy, autograder.sandbox.child\n"
          "from autograder.sandbox import syscall_filter\n"
          "raise SystemExit(0 if syscall_filter.install() else 1)\n")
PROBE_MEMORY = 1 << 30


def _probe(python):
    """None when the whole sandbox can be built with ``python``, else what failed."""
    empty = tempfile.mkdtemp(prefix="autograder-probe-")
    group = None
    try:
        group = cgroup.MemoryCgroup(PROBE_MEMORY)

        def preexec():
            group.join()
            isolation.isolate(empty, _needed_paths())

        probe = subprocess.run([python, "-I", "-c", _PROBE], preexec_fn=preexec,
                               env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=60, cwd="/")
        if probe.returncode != 0:
            return "the isolated test child failed"
        if not group.remove():
            return "a memory cgroup could not be removed after its child ended"
        group = None
        return None
    except cgroup.CgroupUnavailable as exc:
        return f"no memory cgroup: {exc}"
    except (subprocess.SubprocessError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        if group is not None:
            group.remove(wait=0)
        os.rmdir(empty)


def isolation_problem(python=sys.executable):
    """None when this machine can build the whole sandbox (namespaces, the allow-listed root, a
    memory cgroup, the system-call filter), else one line on what is missing. Checked once per
    interpreter."""
    if python not in _isolation_checked:
        _isolation_checked[python] = _probe(python)
    return _isolation_checked[python]


def isolation_available(python=sys.executable):
    """True when this machine can build the whole sandbox (see ``isolation_problem``)."""
    return isolation_problem(python) is None


NO_ISOLATION = ("this machine cannot isolate student code (Linux user namespaces, pivot_root, "
                "seccomp and a memory cgroup the grader can create are needed)")


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
    - defences_off: for tests only, names from ``DEFENCES`` to leave out, each to show that the
      attack it stops then works. The grader never passes it.

    The child is started by the calling thread and dies with it (``die_with_parent``): use a
    sandbox from the thread that made its first call.
    ``namespace_init`` (host process id of the child's first process in its PID namespace) and
    ``cgroup`` (its ``MemoryCgroup``) describe the running child, for tests; both None without one.
    """

    def __init__(self, workdir, limits=Limits(), python=sys.executable, insecure=False, deadline=None,
                 defences_off=()):
        unknown = set(defences_off) - set(DEFENCES)
        if unknown:
            raise ValueError(f"unknown defences: {sorted(unknown)}")
        self.workdir = os.path.abspath(workdir)
        self.limits = limits
        self.python = python
        self.deadline = deadline
        self.defences_off = frozenset(defences_off)
        self._keep = _needed_paths()
        self.isolated = isolation_available(python)
        if not self.isolated:
            if not insecure:
                raise IsolationUnavailable(NO_ISOLATION)
            warnings.warn(f"{NO_ISOLATION}: student code runs with resource limits only and can read "
                          "every file this user can read", RuntimeWarning, stacklevel=2)
        self._proc = None
        self._init_fd = None  # a pidfd of the namespace's first process
        self.namespace_init = None
        self.cgroup = None
        self.loaded = set()  # module files (relative paths) the current child was asked to call into
        self.changed_inputs = []  # what the last call changed in place (see ``input_places``)
        self._seed = None  # sent with the next call: see ``seed_random``

    def seed_random(self, seed):
        """Seed numpy's global generator and ``random`` in the child just before the next call, so
        student code that draws from them (``np.random.randn``, ``np.random.choice``) gets the same
        numbers at every grading run and scores the same."""
        self._seed = int(seed) % (1 << 32)

    # -- child lifecycle -------------------------------------------------------------------------
    def _on(self, defence):
        return defence not in self.defences_off

    def _deadline(self, seconds):
        """(when something that may take ``seconds`` must end, whether the budget cut it)."""
        end = time.monotonic() + seconds
        if self.deadline is not None and self.deadline < end:
            return self.deadline, True
        return end, False

    def _preexec(self, group, parent):
        if group is not None:
            group.join()  # first: joining needs the grader's view of the cgroup file system
        if self.isolated:
            isolation.isolate(self.workdir, self._keep, self.defences_off)
        else:
            os.chdir(self.workdir)
        isolation.limit_resources(self.limits.cpu_seconds, self.limits.memory_bytes,
                                  self.limits.max_file_bytes)
        if self._on("die_with_parent"):
            isolation.die_with_parent(parent)

    def _start(self):
        """Start a child and wait for its greeting (until the start limit or the budget)."""
        self.loaded = set()
        group = None
        if self.isolated and self._on("memory_cgroup"):
            try:
                group = cgroup.MemoryCgroup(self.limits.memory_bytes)
            except OSError as exc:
                raise SandboxError(f"the sandbox did not start (no memory cgroup: {exc})") from None
        policy = syscall_filter.ALLOW_LIST if self._on("syscall_allow_list") else syscall_filter.NO_FORK
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
               "AUTOGRADER_PID_NAMESPACE": "1" if self.isolated else "0",
               "AUTOGRADER_DIE_WITH_PARENT": "1" if self._on("die_with_parent") else "0",
               "AUTOGRADER_SYSCALLS": policy,
               "AUTOGRADER_REQUIRE_FILTER": "1" if self.isolated else "0"}
        parent = os.getpid()
        try:
            self._proc = subprocess.Popen(
                [self.python, "-I", "-c", BOOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=None if os.environ.get("AUTOGRADER_DEBUG") else subprocess.DEVNULL, env=env, cwd="/",
                preexec_fn=lambda: self._preexec(group, parent), start_new_session=True, close_fds=True)
        except (OSError, subprocess.SubprocessError) as exc:
            if group is not None:
                group.remove(wait=0)
            raise SandboxError(f"the sandbox did not start ({exc})") from None
        self.cgroup = group
        ready_by, cut = self._deadline(self.limits.start_seconds)
        try:
            header, _ = protocol.read_message(self._proc.stdout.fileno(), ready_by)
        except protocol.Timeout:
            self.close()
            if cut:
                raise StudentCallError("timeout", f"stopped: {budget_spent(self.limits)}") from None
            raise SandboxError("the sandbox did not start (no greeting in time)") from None
        except protocol.ProtocolError as exc:
            self.close()
            raise SandboxError(f"the sandbox did not start ({exc})") from None
        if header.get("status") != "ready":
            self.close()
            raise SandboxError("the sandbox did not start (bad greeting)")
        if self.isolated:
            self._init_fd = self._open_namespace_init()
            if self._init_fd is None:
                self.close()
                raise SandboxError("the sandbox did not start (its first process is gone)")

    def _open_namespace_init(self):
        """A pidfd of the launcher's only child, PID 1 of the namespace, or None. The launcher keeps
        its process id until we reap it, forks once, and a child it has not reaped keeps its
        process id: a process id that is no longer its child after the pidfd was opened was
        reused, and is not the one we meant."""
        launcher = self._proc.pid
        if self._proc.poll() is not None:
            return None
        found = _children(launcher)
        if len(found) != 1:
            return None
        try:
            fd = os.pidfd_open(found[0])
        except ProcessLookupError:
            return None
        if _children(launcher) != found:
            os.close(fd)
            return None
        self.namespace_init = found[0]
        return fd

    def _kill(self):
        """Kill the child: its namespace's first process, whose death ends every process of the
        namespace whatever session or group it is in, and the launcher."""
        if self.isolated and self._init_fd is None and self._on("kill_namespace"):
            self._init_fd = self._open_namespace_init()  # a child that did not greet yet
        if self._init_fd is not None and self._on("kill_namespace"):
            try:
                signal.pidfd_send_signal(self._init_fd, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self._init_fd is not None:
            if self._on("kill_namespace"):
                _exited(self._init_fd, KILL_WAIT)
            os.close(self._init_fd)
            self._init_fd = None

    def close(self):
        if self._proc is None:
            return
        self._kill()
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self._proc.wait(timeout=KILL_WAIT)
        except subprocess.TimeoutExpired:
            pass  # killed but stuck in the kernel; subprocess reaps it when it ends
        self._proc = None
        self.namespace_init = None
        if self.cgroup is not None:
            if not self.cgroup.remove(wait=1.0):
                _leftover_cgroups.append(self.cgroup)
            self.cgroup = None
        _remove_leftover_cgroups()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- calls -----------------------------------------------------------------------------------
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
        seconds = seconds or self.limits.call_seconds
        if self.deadline is not None and self.deadline <= time.monotonic():
            raise StudentCallError("timeout", f"not run: {budget_spent(self.limits)}")
        if self._proc is None:
            self._start()
        # The call's own limit counts from here (a start is not the student's doing); the budget
        # is a point in time and cuts both.
        deadline, cut = self._deadline(seconds)
        module = self.module_file(header["target"])
        if module:
            self.loaded.add(module)
        if self._seed is not None:
            header = dict(header, seed=self._seed)
            self._seed = None
        try:
            protocol.write_message(self._proc.stdin.fileno(), header, blobs,
                                   deadline if self._on("write_deadline") else None)
            reply, arrays = protocol.read_message(self._proc.stdout.fileno(), deadline)
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
            out_of_memory = self.cgroup is not None and self.cgroup.oom_kills() > 0
            self.close()
            raise StudentCallError("error", _crash_message(code, exc, out_of_memory and self.limits.memory_bytes),
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


def _crash_message(code, exc, memory_limit=None):
    if memory_limit:
        size = f"{memory_limit >> 30} GiB" if memory_limit % (1 << 30) == 0 else f"{memory_limit >> 20} MiB"
        return f"used more memory than the {size} allowed (the process was killed)"
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        if -code == signal.SIGXCPU:
            return "used up its CPU time (killed by SIGXCPU)"
        return f"the process was killed by {name}"
    if code is not None:
        return f"the process exited with code {code} (sys.exit or os._exit in student code?)"
    return f"the process stopped answering ({exc})"


# Cgroups whose removal failed (a killed process still exiting): retried after each later close.
_leftover_cgroups = []


def _remove_leftover_cgroups():
    for group in list(_leftover_cgroups):
        if group.remove(wait=0):
            _leftover_cgroups.remove(group)
