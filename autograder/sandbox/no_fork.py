"""A seccomp filter that stops the calling process from creating processes or threads.

Student code has no reason to start processes, and every process or thread it starts takes a slot
in the machine-wide PID table (32,768 slots by default). Namespaces and rlimits do not bound that
number for a grader that runs as root (RLIMIT_NPROC does not apply to root), so a fork flood could
stall the whole machine before the wall-time limit kills it. After ``forbid_new_processes()``,
``fork``, ``vfork``, ``clone`` and ``clone3`` fail with EPERM: ``os.fork()`` raises
PermissionError and ``threading.Thread.start()`` raises RuntimeError.

The filter is inherited by nothing (no process can be made) and cannot be removed. Only x86_64 and
aarch64 are known here; elsewhere the call returns False and the grader relies on its other limits.
"""
import ctypes
import errno
import platform
import struct

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

# Classic BPF opcodes (linux/filter.h) and seccomp return values (linux/seccomp.h).
LD_W_ABS = 0x20
JEQ_K = 0x15
JGE_K = 0x35
RET_K = 0x06
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
RET_KILL_PROCESS = 0x80000000

OFFSET_NR, OFFSET_ARCH = 0, 4  # struct seccomp_data

# (audit architecture, system calls that make a process or thread, first number of a foreign ABI)
ARCHES = {
    # x86_64: clone 56, fork 57, vfork 58, clone3 435; numbers from 0x40000000 are the x32 ABI.
    "x86_64": (0xC000003E, (56, 57, 58, 435), 0x40000000),
    # aarch64 has no fork or vfork: clone 220, clone3 435.
    "aarch64": (0xC00000B7, (220, 435), None),
}


def _program(arch, calls, foreign_from):
    """The filter as a list of (code, jt, jf, k). Jump offsets count instructions after the jump."""
    deny = RET_ERRNO | errno.EPERM
    body = [(LD_W_ABS, 0, 0, OFFSET_NR)]
    if foreign_from is not None:
        body.append((JGE_K, 0, 1, foreign_from))  # a foreign-ABI number: refuse it
        body.append((RET_K, 0, 0, deny))
    for number in calls:
        body.append((JEQ_K, 0, 1, number))
        body.append((RET_K, 0, 0, deny))
    body.append((RET_K, 0, 0, RET_ALLOW))
    # A call made through another architecture's entry point (int 0x80 on x86_64) gets other
    # numbers: such a process is killed rather than filtered with the wrong table.
    head = [(LD_W_ABS, 0, 0, OFFSET_ARCH), (JEQ_K, 1, 0, arch), (RET_K, 0, 0, RET_KILL_PROCESS)]
    return head + body


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def forbid_new_processes():
    """Install the filter on the calling process. Returns True when it is in place."""
    known = ARCHES.get(platform.machine())
    if known is None:
        return False
    program = _program(*known)
    raw = b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(raw, len(raw))
    fprog = _SockFprog(len(program), ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    # Needed to install a filter without privileges; the sandbox has set it already.
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        return False
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0
