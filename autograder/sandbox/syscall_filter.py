"""The seccomp filter of the sandboxed child: an allow-list of system calls.

After ``install()`` the child may make only the calls that an interpreter running numpy, the
child program and the course's code need: reading and writing the descriptors and files it has,
mapping memory, clocks, signals to itself, waiting, and asking about itself (``ALLOWED``: the calls
traced while the reference solutions of both assignments are graded, plus their older and newer
variants on both architectures; ``make demo`` passes under it).
Every other call fails with ENOSYS, as on a kernel without it. Among those are all the ways out of
the sandbox's limits that the namespaces and rlimits do not close by themselves:
- processes and threads (``fork``, ``vfork``, ``clone``, ``clone3``; these fail with EPERM, so
  ``os.fork()`` raises PermissionError and ``Thread.start()`` RuntimeError): no rlimit bounds
  them for a grader running as root, and a fork flood could fill the machine's PID table;
- io_uring, whose kernel worker threads are created without ``clone``;
- keyrings, System V IPC, POSIX message queues, ``memfd_create``, pipes and sockets;
- namespaces, mounts, ``ptrace``, ``process_vm_*``, ``perf_event_open``, ``bpf``, ``userfaultfd``,
  ``setsid``, ``prctl``, ``execve``, ``seccomp`` itself, and every call added to Linux later.
``ioctl`` is allowed only for the requests Python makes on its own descriptors (``isatty``'s
``TCGETS``, the terminal size, close-on-exec, bytes available); any other request gets ENOTTY.

The filter cannot be removed. Only x86_64 and aarch64 are known here; elsewhere ``install()``
returns False and the grader refuses to grade. ``NO_FORK`` is the filter this project used before
the allow-list (process creation only); tests install it in place of the allow-list to show that an
attack the allow-list stops works without it.
"""
import ctypes
import errno
import platform
import struct

from .syscall_numbers import AARCH64, X86_64

ALLOW_LIST = "allow_list"
NO_FORK = "no_fork"

PROCESS_CREATION = ("clone", "clone3", "fork", "vfork")
# The most frequent first (the protocol's select and readv, numpy's file and memory calls): the
# filter compares the number with each entry in turn.
ALLOWED = (
    "pselect6", "readv", "read", "write", "newfstatat", "fstat", "lseek", "mmap", "openat", "close",
    "munmap", "brk", "futex", "getpid", "getdents64", "mprotect", "getrandom", "getcwd",
    "rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "clock_gettime", "clock_nanosleep",
    # files and descriptors the child already has or may open (its root is read-only but /tmp)
    "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2", "open", "stat",
    "lstat", "statx", "statfs", "fstatfs", "access", "faccessat", "faccessat2", "readlink",
    "readlinkat", "getdents", "chdir", "fchdir", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat",
    "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "chmod", "fchmod",
    "fchmodat", "truncate", "ftruncate", "fsync", "fdatasync", "fallocate", "flock", "fcntl", "dup",
    "dup2", "dup3", "utime", "utimes", "utimensat", "umask", "sendfile", "copy_file_range",
    "fadvise64", "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
    "close_range",
    # memory
    "mremap", "madvise", "msync", "mincore", "mbind", "get_mempolicy",
    # time, signals to itself, waiting
    "clock_getres", "nanosleep", "gettimeofday", "time", "getitimer", "setitimer", "alarm",
    "rt_sigpending", "rt_sigsuspend", "rt_sigtimedwait", "sigaltstack", "kill", "tkill", "tgkill",
    "pause", "sched_yield", "poll", "ppoll", "select", "epoll_create", "epoll_create1", "epoll_ctl",
    "epoll_wait", "epoll_pwait",
    # questions about itself; limits it may only lower (the hard limits equal the soft ones)
    "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getresuid",
    "getresgid", "getpgrp", "getpgid", "getsid", "getrlimit", "setrlimit", "prlimit64", "getrusage",
    "times", "sysinfo", "uname", "sched_getaffinity", "getpriority", "getcpu",
    "exit", "exit_group", "restart_syscall",
)
# TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIONCLEX, FIOCLEX (the same numbers on both architectures)
IOCTL_REQUESTS = (0x5401, 0x5413, 0x541B, 0x5421, 0x5450, 0x5451)

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

# struct seccomp_data: nr, arch, instruction pointer, then six 64-bit arguments; the low half of
# ioctl's request (its second argument) on these little-endian machines.
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG1_LOW = 0, 4, 24

# (audit architecture, system-call numbers, first number of a foreign ABI)
ARCHES = {
    "x86_64": (0xC000003E, X86_64, 0x40000000),  # numbers from 0x40000000 are the x32 ABI
    "aarch64": (0xC00000B7, AARCH64, None),
}


def program(machine, policy=ALLOW_LIST):
    """The filter for ``machine`` as a list of (code, jt, jf, k); jump offsets count the
    instructions after the jump. Raises KeyError for an unknown machine or policy."""
    arch, numbers, foreign_from = ARCHES[machine]
    if policy not in (ALLOW_LIST, NO_FORK):
        raise KeyError(policy)
    refuse = RET_ERRNO | (errno.ENOSYS if policy == ALLOW_LIST else errno.EPERM)
    # A call made through another architecture's entry point (int 0x80 on x86_64) gets other
    # numbers: such a process is killed rather than filtered with the wrong table.
    code = [(LD_W_ABS, 0, 0, OFFSET_ARCH), (JEQ_K, 1, 0, arch), (RET_K, 0, 0, RET_KILL_PROCESS),
            (LD_W_ABS, 0, 0, OFFSET_NR)]
    if foreign_from is not None:
        code += [(JGE_K, 0, 1, foreign_from), (RET_K, 0, 0, refuse)]
    for name in PROCESS_CREATION:
        if name in numbers:
            code += [(JEQ_K, 0, 1, numbers[name]), (RET_K, 0, 0, RET_ERRNO | errno.EPERM)]
    if policy == NO_FORK:
        return code + [(RET_K, 0, 0, RET_ALLOW)]
    ioctl = [(LD_W_ABS, 0, 0, OFFSET_ARG1_LOW)]
    for request in IOCTL_REQUESTS:
        ioctl += [(JEQ_K, 0, 1, request), (RET_K, 0, 0, RET_ALLOW)]
    ioctl.append((RET_K, 0, 0, RET_ERRNO | errno.ENOTTY))
    code += [(JEQ_K, 0, len(ioctl), numbers["ioctl"])] + ioctl  # the block always returns
    for name in ALLOWED:
        if name in numbers:
            code += [(JEQ_K, 0, 1, numbers[name]), (RET_K, 0, 0, RET_ALLOW)]
    return code + [(RET_K, 0, 0, refuse)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(policy=ALLOW_LIST):
    """Install the filter on the calling process. Returns True when it is in place."""
    try:
        instructions = program(platform.machine(), policy)
    except KeyError:
        return False
    raw = b"".join(struct.pack("=HBBI", *instruction) for instruction in instructions)
    buffer = ctypes.create_string_buffer(raw, len(raw))
    fprog = _SockFprog(len(instructions), ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    # Needed to install a filter without privileges; the sandbox has set it already.
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        return False
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0
