"""The program that runs inside the sandbox: it imports the student's modules and answers calls.

Run as ``python -m autograder.sandbox.child``; the grader talks to it over stdin/stdout with the
messages of ``protocol``. Nothing here is trusted: the student's code shares this process and may
change anything in it. The grader therefore trusts only the numbers that come back and checks them.

Request:  {"op": "call", "target": "pkg.module.func", "args": [...], "kwargs": {...}}
          {"op": "call", "target": "pkg.module.Class", "init": [...], "steps": [[method, args, kwargs], ...]}
          either may carry "seed": an int for numpy's global generator and ``random``, set first;
          a function call may carry "echo_args": true, and then answers [value, args, kwargs] as
          they are after the call (for functions that update a dict they are given)
Answer:   {"status": "ok", "value": ..., "changed_inputs": [blob indices changed in place]},
          {"status": "not_implemented"} or
          {"status": "error", "message": "...", "type": "ValueError", "where": ["file.py", 12]}
          (``where``: the deepest frame in the student's files; the grader checks it before use)
"""
import importlib
import os
import random
import sys
import traceback

import numpy as np

from autograder.sandbox import protocol
from autograder.sandbox import syscall_filter

_SERVER_PID = None  # the process that answers; set by serve()


def _send(out_fd, header, blobs=()):
    """Answer the grader, unless this is a copy made by a fork in student code: such a copy would
    read and answer later requests in the server's place, so it leaves without a word."""
    if os.getpid() != _SERVER_PID:
        os._exit(0)
    protocol.write_message(out_fd, header, blobs)


def _resolve(target):
    """Import the longest module prefix of ``target`` that exists as a file, then walk attributes."""
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:cut])
        path = os.path.join(*parts[:cut]) + ".py"
        if os.path.isfile(path):
            obj = importlib.import_module(module_name)
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
            return obj
    raise ImportError(f"no module file for {target} (looked for {os.path.join(*parts[:-1])}.py)")


def _where(exc):
    """(relative file, line, function) of the deepest frame in the student's files, or None."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.startswith(os.getcwd()) or not os.path.isabs(f.filename)]
    if isinstance(exc, SyntaxError) and exc.filename:  # the error is in the file being compiled
        return os.path.relpath(exc.filename), exc.lineno or 0, "<module>"
    if not frames:
        return None
    f = frames[-1]
    return os.path.relpath(f.filename), f.lineno, f.name


def _call(header, arrays):
    decode = lambda v: protocol.decode(v, arrays)
    if isinstance(header.get("seed"), int):
        np.random.seed(header["seed"])
        random.seed(header["seed"])
    target = _resolve(header["target"])
    if "steps" in header:
        obj = target(*decode(header.get("init", {"list": []})))
        value = None
        for method, args, kwargs in header["steps"]:
            value = getattr(obj, method)(*decode(args), **decode(kwargs))
        return value
    args, kwargs = decode(header["args"]), decode(header.get("kwargs", {"dict": {}}))
    value = target(*args, **kwargs)
    return [value, args, kwargs] if header.get("echo_args") is True else value


def _changed(arrays, before):
    """Indices of the input arrays the call changed in place."""
    changed = []
    for i, (now, then) in enumerate(zip(arrays, before)):
        same = now.shape == then.shape and np.array_equal(now, then, equal_nan=now.dtype.kind in "fc")
        if not same:
            changed.append(i)
    return changed


def _answer(out_fd, header, arrays):
    # Copies of every input array, to report the ones the student's code changes in place (the
    # grader's own inputs are never affected: it sent bytes). Student code could suppress the
    # report, but that gains it nothing it could not earn by leaving its inputs alone.
    before = [a.copy() for a in arrays]
    try:
        value = _call(header, arrays)
    except NotImplementedError:
        return _send(out_fd, {"status": "not_implemented", "message": "not implemented yet"})
    except MemoryError:
        return _send(out_fd, {"status": "error", "message": "ran out of memory (MemoryError)",
                              "type": "MemoryError", "where": None})
    except BaseException as exc:  # SystemExit and KeyboardInterrupt from student code included
        where = _where(exc)
        message = f"{type(exc).__name__}: {exc}"[:400] + (f" ({where[0]}:{where[1]} in {where[2]})" if where else "")
        return _send(out_fd, {"status": "error", "message": message, "type": type(exc).__name__,
                              "where": [where[0], where[1]] if where else None})
    blobs = []
    try:
        encoded = protocol.encode(value, blobs)
    except TypeError as exc:
        return _send(out_fd, {"status": "error", "message": f"returned an unusable value: {exc}"})
    _send(out_fd, {"status": "ok", "value": encoded, "changed_inputs": _changed(arrays, before)}, blobs)


def install_filter(policy):
    """The system-call filter (``syscall_filter``); True when it is in place."""
    return syscall_filter.install(policy)


def serve():
    global _SERVER_PID
    _SERVER_PID = os.getpid()
    in_fd = sys.stdin.fileno()
    out_fd = os.dup(sys.stdout.fileno())
    # Student prints would corrupt the message stream: send fd 1 where stderr goes.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    # From here on only the system calls of the allow-list work: no process or thread can be
    # created (a fork flood cannot fill the machine's PID table, no copy of this process can
    # linger or answer in its place), and nothing outside the list is reachable.
    filtered = install_filter(os.environ.get("AUTOGRADER_SYSCALLS", syscall_filter.ALLOW_LIST))
    if not filtered and os.environ.get("AUTOGRADER_REQUIRE_FILTER") == "1":
        return  # no greeting: the grader reports that the sandbox did not start
    # Only now, with numpy and this program imported, may the student's folder come first: a
    # numpy.py or autograder/ of theirs can no longer replace what the driver runs on. (The
    # interpreter starts with -I, so neither the folder nor PYTHON* variables were on the path.)
    sys.path.insert(0, os.getcwd())
    _send(out_fd, {"status": "ready", "syscall_filter": filtered})
    while True:
        try:
            header, arrays = protocol.read_message(in_fd)
        except protocol.ProtocolError:
            return
        if header.get("op") != "call":
            return
        _answer(out_fd, header, arrays)


# The command the grader starts. The PID namespace was created for this process's children, so it
# forks before anything else can start a process there: the first child becomes PID 1 of the
# namespace, runs the student's code, and can name (or signal) no process of the grader; when it
# dies the kernel kills every process of the namespace. Threads cannot be created before that fork
# either, hence the early, import-free start. The launcher reports how its child ended (killed by a
# signal: by the same signal). The child leaves the launcher's process group (a signal that
# student code sends to its own group, kill(0, ...), must not reach the launcher), and dies with
# it: when the grader dies the kernel kills the launcher, then its child (student code cannot
# undo that: the filter refuses prctl).
BOOT = """
import os
if os.environ.get("AUTOGRADER_PID_NAMESPACE") == "1":
    pid = os.fork()
    if pid:
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code < 0:
            os.kill(os.getpid(), -code)
        os._exit(code & 0xFF)
    os.setsid()
    if os.environ.get("AUTOGRADER_DIE_WITH_PARENT") == "1":
        import ctypes
        ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
from autograder.sandbox.child import serve
serve()
"""
