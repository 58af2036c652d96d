"""The sandbox is complete: nothing a child does holds the grader, outlives its run or reaches
past its sandbox (issue 33, findings 1 and 4).

Each attack runs against the full sandbox, against each of its defences alone (the others that
would also stop it turned off with ``Sandbox(defences_off=...)``), and, as the control, with all
of them off, where it must work: so every defence is shown to stop the attack by itself, and no
test passes because its attack was broken.

- a child that stops reading its requests (a request over the pipe's buffer used to block the
  grader in ``write`` for ever); the budget kept while writing, starting and reading a trickle;
- a child that detaches (``setsid``) and sleeps through its sandbox's end, or through the
  grader's own death; one that kills its own process group, which held the launcher;
- a System V shared-memory segment left for the next student; a secret in the grader's session
  keyring; memory held in memfd files past the address-space limit; io_uring's kernel threads;
  system calls outside the allow-list;
- and the grader refuses to grade where no memory cgroup can be made.
"""
import ctypes
import errno
import os
import platform
import random
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox import Limits, Sandbox, SandboxError, StudentCallError, cgroup, runner, syscall_filter
from autograder.sandbox.syscall_numbers import AARCH64, X86_64
from sandbox_helpers import require_isolation

REPO = Path(__file__).resolve().parents[2]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
# add_key, keyctl (io_uring_setup is 425 on both)
KEY_CALLS = {"x86_64": (248, 250), "aarch64": (217, 219)}[platform.machine()]
SECRET = b"grader-session-secret-31337"

ATTACKS = '''
import ctypes, os, sys, time
import numpy as np

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.shmat.restype = ctypes.c_void_p


def ok(x):
    return x


def stop_reading(seconds):
    # Requests are no longer read: the server sleeps, then leaves (exit code 3).
    def never(*args, **kwargs):
        time.sleep(seconds)
        os._exit(3)
    sys.modules["autograder.sandbox.protocol"].read_message = never
    return 0


def trickle():
    # Announce a 10,000-byte array on every descriptor that takes it, then send a byte a second.
    import json, struct
    header = json.dumps({"status": "ok", "value": {"blob": 0}, "blobs": [10000]}).encode()
    pipes = []
    for fd in range(3, 64):
        try:
            os.write(fd, struct.pack(">Q", len(header)) + header)
            pipes.append(fd)
        except OSError:
            pass
    for _ in range(600):
        for fd in pipes:
            os.write(fd, b"\\0")
        time.sleep(1)
    return 0


def detach():
    # Leave the launcher's session and process group (for the next call to outlive its sandbox).
    try:
        os.setsid()
    except OSError as exc:
        return -exc.errno
    return 0


def kill_own_group():
    # Its process group, PID 1 (itself) and every process it may signal.
    import signal
    for pid in (0, 1, -1):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return 7


def sleep_for(seconds):
    time.sleep(seconds)
    return 0


def shm_plant(key, text):
    segment = libc.shmget(int(key), 4096, 0o1000 | 0o666)  # IPC_CREAT
    if segment < 0:
        return -ctypes.get_errno()
    data = bytes(np.asarray(text, dtype=np.uint8))
    ctypes.memmove(libc.shmat(segment, None, 0), data, len(data))
    return 1


def shm_read(key):
    segment = libc.shmget(int(key), 0, 0)
    if segment < 0:
        return np.zeros(0, dtype=np.uint8)
    return np.frombuffer(ctypes.string_at(libc.shmat(segment, None, 0), 64), dtype=np.uint8)


def keyring_secret(keyctl):
    # KEYCTL_SEARCH the session keyring for the grader's key, then KEYCTL_READ it.
    key = libc.syscall(int(keyctl), 10, ctypes.c_long(-3), b"user", b"autograder-test-secret", 0)
    if key < 0:
        return np.full(1, -ctypes.get_errno())
    buffer = ctypes.create_string_buffer(256)
    size = libc.syscall(int(keyctl), 11, ctypes.c_long(key), buffer, 256)
    return np.frombuffer(buffer.raw[:max(size, 0)], dtype=np.uint8)


def memfd_hold(mib):
    # Pages of memfd files: mapped by nobody, so the address-space limit never sees them (each
    # file stays under the file-size limit).
    chunk = b"\\1" * (1 << 20)
    held, files = 0, []
    while held < int(mib):
        fd = libc.memfd_create(b"hold", 0)
        if fd < 0:
            return -ctypes.get_errno() if not files else held
        files.append(fd)
        for _ in range(8):
            os.write(fd, chunk)
            held += 1
    globals()["kept"] = files
    return held


def uring_threads(rings):
    # io_uring rings polled by a kernel thread each (IORING_SETUP_SQPOLL): threads without clone.
    made = 0
    for _ in range(int(rings)):
        params = (ctypes.c_uint32 * 30)()
        params[2] = 2  # flags
        params[4] = 60000  # sq_thread_idle, ms
        fd = libc.syscall(425, 1, params)
        if fd >= 0:
            made += 1
            globals().setdefault("rings", []).append(fd)
    return made


def errnos(calls):
    # The errno of each (number, arguments): 0 when the call succeeded.
    found = []
    for call in calls:
        number, args = int(call[0]), [ctypes.c_long(int(a)) for a in call[1:]]
        found.append(0 if libc.syscall(number, *args) >= 0 else ctypes.get_errno())
    return np.array(found)
'''


@pytest.fixture(scope="module", autouse=True)
def _isolated():
    require_isolation()


@pytest.fixture(scope="module")
def students(tmp_path_factory):
    """Two students with the same attack module (one plants, the other looks)."""
    folders = []
    for name in ("a", "b"):
        folder = tmp_path_factory.mktemp(f"student_{name}")
        (folder / "attacks.py").write_text(ATTACKS)
        folders.append(folder)
    return folders


def layers(*defences):
    """(defences off, attack stopped) for the full sandbox, each defence alone and the control."""
    cases = [pytest.param((), True, id="all defences")]
    if len(defences) > 1:
        cases += [pytest.param(tuple(d for d in defences if d != alone), True, id=f"only {alone}")
                  for alone in defences]
    return cases + [pytest.param(defences, False, id="control: none of " + "+".join(defences))]


def _exited(pidfd, seconds):
    return bool(select.select([pidfd], [], [], seconds)[0])


def _kill(pidfd):
    """End a control's survivor (nothing when it is gone already)."""
    try:
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.close(pidfd)


# -- 1. a parent that cannot be held ----------------------------------------------------------------

BIG = np.zeros(1 << 19)  # 4 MiB: far over any pipe's buffer


def test_a_child_that_stops_reading_cannot_hold_the_grader(students):
    with Sandbox(students[0], limits=Limits(call_seconds=1)) as sb:
        sb.call("attacks.stop_reading", 5)
        with pytest.raises(StudentCallError) as info:
            sb.call("attacks.ok", BIG)
        assert info.value.status == "timeout", info.value.message
        np.testing.assert_array_equal(sb.call("attacks.ok", np.ones(2)), [1, 1])  # a fresh child


def test_control_without_a_write_deadline_the_grader_waits_for_the_child(students):
    # The grader is stuck in write until the child gives up by itself after 5 s; a child that
    # never does held a worker past its 300 s budget for good.
    with Sandbox(students[0], limits=Limits(call_seconds=1), defences_off=("write_deadline",)) as sb:
        sb.call("attacks.stop_reading", 5)
        with pytest.raises(StudentCallError) as info:
            sb.call("attacks.ok", BIG)
        assert info.value.status == "error" and "exited with code 3" in info.value.message, info.value.message


def _budget_timeout(sandbox, *call):
    with pytest.raises(StudentCallError) as info:
        sandbox.call(*call)
    return info.value.status, info.value.message


def test_the_budget_holds_while_the_grader_writes(students):
    limits = Limits(call_seconds=120, student_seconds=2)
    with Sandbox(students[0], limits=limits) as sb:
        sb.call("attacks.stop_reading", 120)
        sb.deadline = time.monotonic() + limits.student_seconds  # the budget starts now
        assert _budget_timeout(sb, "attacks.ok", BIG) == ("timeout", f"stopped: {runner.budget_spent(limits)}")


def test_the_budget_holds_while_the_grader_reads_a_trickle(students):
    limits = Limits(call_seconds=120, student_seconds=2)
    with Sandbox(students[0], limits=limits) as sb:
        sb.call("attacks.ok", 1)
        sb.deadline = time.monotonic() + limits.student_seconds
        assert _budget_timeout(sb, "attacks.trickle") == ("timeout", f"stopped: {runner.budget_spent(limits)}")


def test_the_budget_holds_while_a_child_starts(students, monkeypatch):
    # A start that never ends (a machine under load, a stuck file system): it is cut at the budget,
    # and counts as the student's timeout, not as a broken sandbox after 120 s.
    monkeypatch.setattr(runner, "BOOT", "import time\ntime.sleep(600)\n" + runner.BOOT)
    limits = Limits(start_seconds=120, student_seconds=1.5)
    with Sandbox(students[0], limits=limits, deadline=time.monotonic() + limits.student_seconds) as sb:
        assert _budget_timeout(sb, "attacks.ok", 1) == ("timeout", f"stopped: {runner.budget_spent(limits)}")


# -- 4. nothing survives ------------------------------------------------------------------------------

@pytest.mark.parametrize("off, stopped", layers("kill_namespace", "die_with_parent"))
def test_nothing_of_a_child_survives_its_sandbox(students, off, stopped):
    # The review's attack: setsid, out of the launcher's process group, which was all the grader
    # killed. The child's first process now has a session of its own anyway (so that its own
    # kill(0, ...) cannot reach the launcher); what ends it is the kill of the namespace's first
    # process, or its death with the launcher.
    sb = Sandbox(students[0], limits=Limits(call_seconds=1), defences_off=off)
    sb.call("attacks.detach")
    pidfd = os.pidfd_open(sb.namespace_init)
    group = sb.cgroup.path
    try:
        with pytest.raises(StudentCallError):
            sb.call("attacks.sleep_for", 120)  # times out: the sandbox kills the child
        sb.close()
        if stopped:
            assert _exited(pidfd, 10), f"the child's first process survived with {off} off"
            assert not os.path.exists(group), "the child's cgroup still holds a process"
        else:
            assert not _exited(pidfd, 2), "control: the detached child should have outlived its sandbox"
    finally:
        sb.close()
        _kill(pidfd)


def test_a_child_that_kills_its_own_process_group_reaches_nothing_of_the_grader(students):
    # Were the launcher in the child's process group, kill(0, SIGKILL) would kill it, and with it
    # (parent-death signal) the child, at a moment that decides which test pays for it.
    with Sandbox(students[0]) as sb:
        sb.call("attacks.ok", 1)
        first = sb.namespace_init
        assert int(sb.call("attacks.kill_own_group")) == 7  # PID 1 of its namespace ignores it
        assert int(sb.call("attacks.ok", 1)) == 1 and sb.namespace_init == first, "the child was replaced"


def _wait_until_asleep(pid):
    """Wait until ``pid`` sleeps in the student's call (not still reading the request)."""
    sleeping = str(_kernel_numbers()["clock_nanosleep"])
    for _ in range(600):
        if Path(f"/proc/{pid}/syscall").read_text().split()[0] == sleeping:
            return
        time.sleep(0.05)
    raise AssertionError("the child never reached its sleep")


GRADER = """
import sys
from autograder.sandbox import Limits, Sandbox
sb = Sandbox(sys.argv[1], limits=Limits(call_seconds=600), defences_off=tuple(sys.argv[2:]))
sb.call("attacks.detach")
print(sb.namespace_init, flush=True)
sb.call("attacks.sleep_for", 600)
"""


@pytest.mark.parametrize("off, stopped", layers("die_with_parent"))
def test_nothing_of_a_child_survives_the_grader(students, off, stopped):
    grader = subprocess.Popen([sys.executable, "-c", GRADER, str(students[0]), *off], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    init = int(grader.stdout.readline())
    pidfd = os.pidfd_open(init)
    try:
        _wait_until_asleep(init)
        grader.kill()  # a worker killed in the middle of a call
        grader.wait()
        if stopped:
            assert _exited(pidfd, 10), "the child outlived the grader"
        else:
            assert not _exited(pidfd, 2), "control: the child should have outlived the grader"
    finally:
        _kill(pidfd)
        time.sleep(0.5)  # its launcher then exits too
        cgroup._sweep(cgroup.locate()[1])  # the dead grader's empty cgroup


# -- 4. complete isolation ----------------------------------------------------------------------------

def _host_segment(key):
    """The shmid of the host's System V segment with ``key``, or None."""
    for line in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[0]) == key:
            return int(fields[1])
    return None


@pytest.mark.parametrize("off, stopped", layers("ipc_namespace", "syscall_allow_list"))
def test_shared_memory_neither_outlives_the_run_nor_reaches_another_student(students, off, stopped):
    key = random.randrange(1 << 24, 1 << 30)
    secret = np.frombuffer(b"hidden answers of student a", dtype=np.uint8)
    try:
        with Sandbox(students[0], defences_off=off) as attacker:
            attacker.call("attacks.shm_plant", key, secret)
        with Sandbox(students[1], defences_off=off) as other:
            seen = bytes(other.call("attacks.shm_read", key).astype(np.uint8))
        left = _host_segment(key)
        if stopped:
            assert (secret.tobytes() in seen, left) == (False, None)
        else:
            assert secret.tobytes() in seen and left is not None, "control: the segment should persist"
    finally:
        if _host_segment(key) is not None:
            libc.shmctl(_host_segment(key), 0, None)  # IPC_RMID


@pytest.fixture
def grader_secret():
    """A secret in the grader's session keyring (a fresh one, joined by this test process)."""
    add_key, keyctl = KEY_CALLS
    assert libc.syscall(keyctl, 1, None) > 0  # KEYCTL_JOIN_SESSION_KEYRING, anonymous
    key = libc.syscall(add_key, b"user", b"autograder-test-secret", SECRET, len(SECRET), ctypes.c_long(-3))
    assert key > 0, os.strerror(ctypes.get_errno())
    yield
    libc.syscall(keyctl, 3, ctypes.c_long(key))  # KEYCTL_REVOKE


@pytest.mark.parametrize("off, stopped", layers("session_keyring", "syscall_allow_list"))
def test_the_graders_session_keyring_is_out_of_reach(students, grader_secret, off, stopped):
    with Sandbox(students[0], defences_off=off) as sb:
        got = sb.call("attacks.keyring_secret", KEY_CALLS[1])
    assert (got.astype(np.uint8).tobytes() == SECRET) is not stopped


@pytest.mark.parametrize("off, stopped", layers("memory_cgroup", "syscall_allow_list"))
def test_memory_held_outside_the_address_space_counts(students, off, stopped):
    limits = Limits(memory_bytes=512 << 20)
    with Sandbox(students[0], limits=limits, defences_off=off) as sb:
        try:
            held, message = int(sb.call("attacks.memfd_hold", 1024)), None
        except StudentCallError as exc:
            held, message = None, exc.message
    if not stopped:
        assert held == 1024, "control: 1 GiB held past a 512 MiB address-space limit"
    elif "syscall_allow_list" not in off:
        assert held == -errno.ENOSYS  # the filter refused memfd_create
    else:
        assert held is None and message == "used more memory than the 512 MiB allowed (the process was killed)"


@pytest.mark.parametrize("off, stopped", layers("syscall_allow_list"))
def test_io_uring_starts_no_kernel_threads(students, off, stopped):
    with Sandbox(students[0], defences_off=off) as sb:
        rings = int(sb.call("attacks.uring_threads", 16))
        threads = len(os.listdir(f"/proc/{sb.namespace_init}/task"))
    if stopped:
        assert (rings, threads) == (0, 1)
    else:
        assert rings == 16 and threads > 16, "control: each ring should have its kernel thread"


def _kernel_numbers():
    header = {"x86_64": "/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
              "aarch64": "/usr/include/asm-generic/unistd.h"}[platform.machine()]
    return _header_numbers(header)


def _header_numbers(path):
    assert os.path.exists(path), f"{path} is missing: install the kernel headers (linux-libc-dev)"
    text = Path(path).read_text()
    numbers = {name: int(n) for name, n in re.findall(r"#define __NR(?:3264)?_(\w+)\s+(\d+)\b", text)}
    for name, alias in re.findall(r"#define __NR_(\w+)\s+__NR3264_(\w+)", text):
        if alias in numbers:
            numbers[name] = numbers[alias]
    return numbers


# Calls that reach past the sandbox, with arguments that make each fail harmlessly where the
# kernel runs it (a bad descriptor, flag or address): only the filter answers ENOSYS.
OUT_OF_REACH = {
    "io_uring_setup": (0, 0), "io_uring_enter": (-1, 0, 0, 0, 0, 0), "io_uring_register": (-1, 0, 0, 0),
    "keyctl": (-1, 0, 0, 0, 0), "add_key": (0, 0, 0, 0, 0), "request_key": (0, 0, 0, 0),
    "unshare": (-1,), "setns": (-1, 0), "perf_event_open": (0, 0, -1, -1, 0), "bpf": (-1, 0, 0),
    "userfaultfd": (-1,), "ptrace": (-1, 0, 0, 0), "process_vm_readv": (0, 0, 0, 0, 0, 1),
    "process_vm_writev": (0, 0, 0, 0, 0, 1), "memfd_create": (0, 0), "shmget": (0, 0, 0),
    "mq_open": (0, 0, 0, 0), "socket": (-1, 0, 0), "pipe2": (0, -1), "execve": (0, 0, 0),
    "mount": (0, 0, 0, 0, 0), "prctl": (-1, 0, 0, 0, 0), "seccomp": (-1, 0, 0), "pidfd_open": (-1, 0),
    "open_by_handle_at": (-1, 0, 0),
}


@pytest.mark.parametrize("off, stopped", layers("syscall_allow_list"))
def test_system_calls_outside_the_allow_list_do_not_reach_the_kernel(students, off, stopped):
    numbers = _kernel_numbers()
    calls = [[numbers[name], *args] for name, args in OUT_OF_REACH.items()]
    with Sandbox(students[0], defences_off=off) as sb:
        found = dict(zip(OUT_OF_REACH, sb.call("attacks.errnos", calls).tolist()))
    refused = sorted(name for name, err in found.items() if err == errno.ENOSYS)
    if stopped:
        assert refused == sorted(OUT_OF_REACH), found
    else:
        assert refused == [], f"control: these did not reach the kernel: {refused}"


def test_the_filters_system_call_numbers_are_the_kernels():
    for header, table in (("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", X86_64),
                          ("/usr/include/asm-generic/unistd.h", AARCH64)):
        numbers = _header_numbers(header)
        wrong = {name: (n, numbers.get(name)) for name, n in table.items() if numbers.get(name) != n}
        assert not wrong, f"{header}: {wrong}"
    named = set(syscall_filter.ALLOWED) | set(syscall_filter.PROCESS_CREATION) | {"ioctl"}
    assert set(X86_64) == named and set(AARCH64) <= named


# -- fail closed ---------------------------------------------------------------------------------------

def test_no_memory_cgroup_no_isolated_grading(students, monkeypatch):
    monkeypatch.setattr(runner, "_isolation_checked", {})
    assert runner.isolation_available(), "control: this machine can make memory cgroups"

    def nowhere(*args, **kwargs):
        raise cgroup.CgroupUnavailable("no memory cgroup controller is available to this process")
    monkeypatch.setattr(runner, "_isolation_checked", {})
    monkeypatch.setattr(cgroup, "locate", nowhere)
    assert "no memory cgroup" in runner.isolation_problem()
    with pytest.raises(runner.IsolationUnavailable):
        Sandbox(students[0])


def test_a_child_never_starts_outside_its_memory_cgroup(students, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    with Sandbox(students[0]) as sb:
        monkeypatch.setattr(cgroup, "MemoryCgroup", refuse)
        with pytest.raises(SandboxError, match="no memory cgroup"):
            sb.call("attacks.ok", 1)


def test_cgroup_v2_is_found_and_used(tmp_path):
    # A cgroup2 file system as the kernel lays it out, in a temporary folder.
    mounted = tmp_path / "unified"
    mine = mounted / "grader.slice"
    mine.mkdir(parents=True)
    (mine / "cgroup.controllers").write_text("cpu memory pids\n")
    (mine / "cgroup.subtree_control").write_text("\n")
    proc = tmp_path / "cgroup"
    proc.write_text("0::/grader.slice\n")
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(f"30 23 0:26 / {mounted} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n")
    located = cgroup.locate(str(proc), str(mountinfo))
    assert located == (2, str(mine)) and (mine / "cgroup.subtree_control").read_text() == "+memory"
    group = cgroup.MemoryCgroup(256 << 20, located)
    assert Path(group.path).parent == mine and (Path(group.path) / "memory.max").read_text() == str(256 << 20)
    group.join()
    assert group.processes() == [os.getpid()]
    # a grader that moved itself into a leaf of its cgroup still makes its children beside it
    proc.write_text(f"0::/grader.slice/{cgroup.LEAF}\n")
    assert cgroup.locate(str(proc), str(mountinfo)) == (2, str(mine))
    (Path(group.path) / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    assert group.oom_kills() == 1
    # and a cgroup v2 whose memory controller the grader cannot have: refused with the reason
    (mine / "cgroup.controllers").write_text("cpu pids\n")
    with pytest.raises(cgroup.CgroupUnavailable, match="no memory cgroup controller"):
        cgroup.locate(str(proc), str(mountinfo))


def test_only_tests_can_turn_a_defence_off():
    package = REPO / "autograder"
    users = sorted(str(p.relative_to(package)) for p in package.rglob("*.py") if "defences_off" in p.read_text())
    assert users == ["sandbox/isolation.py", "sandbox/runner.py"]
    with pytest.raises(ValueError, match="unknown defences"):
        Sandbox(REPO, defences_off=("namespaces",))
