"""Linux isolation for the child that runs student code (called between fork and exec).

What the child gets (user namespaces are required; the grader refuses to run without them):
- a new, empty session keyring: nothing the grader's session holds (tokens, secrets) is reachable;
- its own user, mount, network, PID, IPC, UTS and cgroup namespaces: no network interface but a
  downed loopback, no view of the grader's processes, mounts that only it sees, System V IPC
  objects and message queues of its own that vanish with it, its own host name, and its own
  cgroup as the root of what it could see of cgroups;
- a new, empty root file system that holds only what it needs, each part read-only: the system's
  shared libraries, the interpreter's environment, the grader's package, ``/dev/null``, ``zero``,
  ``random`` and ``urandom``, and ``/tmp/work``, its private copy of the submission. ``/tmp`` is a
  small private tmpfs, the only writable place. Nothing else of the host exists in it: not the
  course, the gradebook, other submissions, shared temporary folders, ``/etc`` or ``/proc``. This
  is an allow-list: a path nobody thought of is absent, not merely hidden;
- no capabilities at all afterwards, so it cannot undo any of the above.
Everywhere: resource limits on CPU time, address space, file size and core dumps, and death with
the grader (``die_with_parent``). The memory cgroup (``cgroup.py``) and the system-call filter
(``syscall_filter.py``) complete the sandbox.

Only standard-library calls (ctypes into libc) are used, so this module has no dependencies.
"""
import ctypes
import errno
import os
import platform
import resource
import signal

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

AT_FDCWD = -100
AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 0x1
MOUNT_ATTR_NOSUID = 0x2
MOUNT_ATTR_NODEV = 0x4
SYS_MOUNT_SETATTR = 442  # same number on every architecture (added after the syscall table unification)
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}

SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}
KEYCTL_JOIN_SESSION_KEYRING = 1

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
SECBIT_ALL_LOCKED_NOROOT = 0x2F  # NOROOT, NO_SETUID_FIXUP, KEEP_CAPS off, each locked
LAST_CAP = 63

# What every child gets besides the interpreter's environment and the grader's package: the
# dynamic loader and the system libraries the interpreter and numpy link against (the ones that
# exist here; /lib is often a symlink to usr/lib, and is then recreated as one), the loader's cache,
# and the harmless device files.
SYSTEM_FOLDERS = ("/lib", "/lib64", "/lib32", "/usr/lib", "/usr/lib64", "/usr/lib32")
SYSTEM_FILES = ("/etc/ld.so.cache",)
DEVICES = ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom")
STAGING = "/tmp"  # where the new root is built, in the child's own mount namespace only
WORKDIR = "/tmp/work"

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


def _set_attributes(path, flags, recursive=True):
    attr = MountAttr(attr_set=flags)
    _check(_libc.syscall(SYS_MOUNT_SETATTR, AT_FDCWD, path.encode(), AT_RECURSIVE if recursive else 0,
                         ctypes.byref(attr), ctypes.sizeof(attr)), f"mount_setattr {path}")


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _join_fresh_session_keyring():
    number = SYS_KEYCTL.get(platform.machine())
    if number is None:
        raise OSError(0, f"keyctl: unknown system call number on {platform.machine()}")
    # A new anonymous keyring replaces the one inherited from the grader (a NULL name).
    if _libc.syscall(number, KEYCTL_JOIN_SESSION_KEYRING, None) < 0:
        err = ctypes.get_errno()
        if err != errno.ENOSYS:  # a kernel without keyrings has nothing to leak
            raise OSError(err, f"keyctl join session keyring: {os.strerror(err)}")


def _enter_namespaces(ipc=True):
    uid, gid = os.geteuid(), os.getegid()
    flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWCGROUP
    _check(_libc.unshare(flags | (CLONE_NEWIPC if ipc else 0)), "unshare")
    # Map our own ids to themselves: files keep their owners, and nothing outside gains rights.
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def _drop_capabilities():
    _check(_libc.prctl(PR_SET_SECUREBITS, SECBIT_ALL_LOCKED_NOROOT, 0, 0, 0), "securebits")
    for cap in range(LAST_CAP + 1):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # caps beyond the kernel's last one fail: fine
    header = CapHeader(version=0x20080522, pid=0)  # _LINUX_CAPABILITY_VERSION_3
    data = (CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _outermost(paths):
    """Absolute, existing folders of ``paths`` without those inside another one (already shown)."""
    kept = []
    for path in sorted({os.path.abspath(p) for p in paths if os.path.isdir(p)}):
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def allowed_paths(keep_paths):
    """What the new root will hold: (symlinks as {path: target}, folders, single files)."""
    links = {p: os.readlink(p) for p in SYSTEM_FOLDERS if os.path.islink(p)}
    folders = [os.path.realpath(p) for p in SYSTEM_FOLDERS if os.path.isdir(p) and p not in links]
    folders = _outermost(folders + [p for path in keep_paths for p in {path, os.path.realpath(path)}])
    files = [p for p in SYSTEM_FILES + DEVICES if os.path.exists(p)]
    return links, folders, files


def _bind(fd, target, read_only=True):
    _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
    if read_only:
        _set_attributes(target, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)
    os.close(fd)


def _pivot_into(root):
    number = SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise OSError(0, f"pivot_root: unknown system call number on {platform.machine()}")
    os.chdir(root)
    # The old root ends up stacked under the new one at "/"; detaching it removes every path of the
    # host from this mount namespace.
    _check(_libc.syscall(number, b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")


def isolate(workdir, keep_paths=(), defences_off=()):
    """Confine the calling process to a new root; afterwards its working directory is
    ``/tmp/work``, a read-only view of ``workdir``. ``keep_paths``: folders the child needs (its
    interpreter's environment, the grader's package), shown read-only at their own paths.
    ``defences_off``: for tests only, "session_keyring" or "ipc_namespace" leaves that one out.
    Raises OSError when the kernel refuses any step (the caller decides)."""
    links, folders, files = allowed_paths(keep_paths)
    if "session_keyring" not in defences_off:
        _join_fresh_session_keyring()
    _enter_namespaces(ipc="ipc_namespace" not in defences_off)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount leaks back to the host
    # Every source is opened before the staging tmpfs covers /tmp (where the working copy and maybe
    # the interpreter's environment live); a bind from /proc/self/fd/N then reaches it.
    work_fd = os.open(workdir, os.O_PATH | os.O_DIRECTORY)
    folder_fds = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in folders]
    file_fds = [(path, os.open(path, os.O_PATH)) for path in files]
    root = STAGING
    _mount("tmpfs", root, "tmpfs", MS_NOSUID, "size=1m,mode=0755")
    # The private /tmp comes first: a kept folder may live under the host's /tmp (a course or its
    # virtual environment there), and must be bound on top of it, not hidden by it.
    os.makedirs(root + "/tmp")
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    for path, target in links.items():
        os.makedirs(os.path.dirname(root + path), exist_ok=True)
        os.symlink(target, root + path)
    for path, fd in folder_fds:
        os.makedirs(root + path, exist_ok=True)
        _bind(fd, root + path)
    for path, fd in file_fds:
        os.makedirs(os.path.dirname(root + path), exist_ok=True)
        with open(root + path, "w"):
            pass
        _bind(fd, root + path, read_only=not path.startswith("/dev/"))  # devices keep their mount's flags
    os.makedirs(root + WORKDIR)
    _bind(work_fd, root + WORKDIR)
    _pivot_into(root)
    _set_attributes("/", MOUNT_ATTR_RDONLY, recursive=False)  # the skeleton itself: no new files
    os.chdir(WORKDIR)
    _drop_capabilities()


def die_with_parent(parent_pid):
    """Have the kernel kill the calling process when its parent (the process ``parent_pid``; more
    exactly the thread of it that started this one) ends, so that a grader killed mid-call leaves no
    child behind. Call it after the namespaces: entering a user namespace clears this setting."""
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "parent death signal")
    if os.getppid() != parent_pid:  # the parent ended before the setting took
        os._exit(1)


def limit_resources(cpu_seconds, memory_bytes, max_file_bytes=64 << 20):
    """Hard limits the student's code cannot raise: CPU seconds, address space, written file size.

    The process count is not limited here (RLIMIT_NPROC does not bind root): the child program
    forbids process creation with a seccomp filter instead (``syscall_filter.py``).
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
