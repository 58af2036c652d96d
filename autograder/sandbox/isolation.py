"""Linux isolation for the child that runs student code (called between fork and exec).

What the child gets, when the kernel allows it (user namespaces, as on most Linux machines and in CI):
- its own user, mount, network and PID namespaces: no network interface but a downed loopback,
  no view of the grader's processes, mounts that only it sees;
- the whole file system read-only, a private empty ``/tmp``, and empty folders (or ``/dev/null``)
  mounted over every path the grader names as secret: ``source/``, the gradebook, other submissions;
- no capabilities at all afterwards, so it cannot undo any of the above.
Everywhere: resource limits on CPU time, address space, file size and core dumps.

Only standard-library calls (ctypes into libc) are used, so this module has no dependencies.
"""
import ctypes
import os
import resource

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18

AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 0x1
SYS_MOUNT_SETATTR = 442  # same number on every architecture (added after the syscall table unification)

PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
SECBIT_ALL_LOCKED_NOROOT = 0x2F  # NOROOT, NO_SETUID_FIXUP, KEEP_CAPS off, each locked
LAST_CAP = 63

# The interpreter is linked against libc, so its own symbol table has every call we need (and,
# unlike ctypes.util.find_library, looking them up starts no subprocess).
_libc = ctypes.CDLL(None, use_errno=True)


class MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


class CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None):
    enc = lambda s: s.encode() if isinstance(s, str) else s
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _enter_namespaces():
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID), "unshare")
    # Map our own ids to themselves: files keep their owners, and nothing outside gains rights.
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def _make_root_read_only():
    attr = MountAttr(attr_set=MOUNT_ATTR_RDONLY)
    _check(_libc.syscall(SYS_MOUNT_SETATTR, -100, b"/", AT_RECURSIVE, ctypes.byref(attr),
                         ctypes.sizeof(attr)), "mount_setattr /")


def _hide(path):
    if os.path.isdir(path):
        _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=000")
    elif os.path.exists(path):
        _mount("/dev/null", path, None, MS_BIND)


def _drop_capabilities():
    _check(_libc.prctl(PR_SET_SECUREBITS, SECBIT_ALL_LOCKED_NOROOT, 0, 0, 0), "securebits")
    for cap in range(LAST_CAP + 1):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # caps beyond the kernel's last one fail: fine
    header = CapHeader(version=0x20080522, pid=0)  # _LINUX_CAPABILITY_VERSION_3
    data = (CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _bind_read_only(fd, target):
    _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_BIND | MS_RDONLY | MS_REMOUNT | MS_NOSUID | MS_NODEV)
    os.close(fd)


def isolate(workdir, hidden_paths, keep_paths=()):
    """Confine the calling process; afterwards its working directory is ``/tmp/work``, a read-only
    view of ``workdir``. ``keep_paths`` are folders the child needs (its interpreter's environment,
    the grader's package) that stay visible, read-only, even when they live under ``/tmp``.
    Raises OSError when the kernel refuses namespaces (the caller decides)."""
    _enter_namespaces()
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount leaks back to the host
    # Opened inside the new mount namespace (a bind source must belong to it) and before /tmp,
    # where the working copy lives, is covered.
    work_fd = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY)
    kept = [(path, os.open(path, os.O_RDONLY | os.O_DIRECTORY)) for path in keep_paths
            if path.startswith("/tmp/") and os.path.isdir(path)]
    _make_root_read_only()
    for path in hidden_paths:
        _hide(os.path.abspath(path))
    # A private /tmp also hides other students' working copies, which live under the host's /tmp.
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    for path, fd in kept:
        os.makedirs(path, exist_ok=True)
        _bind_read_only(fd, path)
    os.mkdir("/tmp/work")
    _bind_read_only(work_fd, "/tmp/work")
    os.chdir("/tmp/work")
    _drop_capabilities()


def limit_resources(cpu_seconds, memory_bytes, max_file_bytes=64 << 20):
    """Hard limits the student's code cannot raise: CPU seconds, address space, written file size.

    The process count is not limited here (RLIMIT_NPROC does not bind root): the child program
    forbids process creation with a seccomp filter instead (``no_fork.py``).
    """
    def both(which, value):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # e.g. RLIMIT_AS on macOS; the wall-time limit still applies
    both(resource.RLIMIT_CPU, int(cpu_seconds))
    both(resource.RLIMIT_AS, int(memory_bytes))
    both(resource.RLIMIT_FSIZE, int(max_file_bytes))
    both(resource.RLIMIT_CORE, 0)
