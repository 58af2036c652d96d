"""A memory cgroup for each sandboxed child: one limit on everything the child holds.

The address-space limit (RLIMIT_AS) counts what one process maps. Memory a child keeps elsewhere
escapes it: memfd and tmpfs files, pipe buffers, kernel memory. A memory cgroup counts all of it,
for every process of the child together. The grader makes one cgroup per child under the cgroup
it runs in, sets its limit (and no swap beyond it), and the child joins it before anything else
runs in it; processes can never leave it (the child sees no cgroup file system). Removing the
cgroup after the child is killed is also the proof that nothing of the child survived: the kernel
refuses to remove a cgroup that still holds a process.

Both hierarchies work: cgroup v1 with the memory controller mounted (writable by root), and cgroup v2
when the grader's cgroup has the memory controller and the grader may enable it for its children
(in a cgroup it shares with other processes it cannot: cgroup v2 puts controllers only on cgroups
without processes of their own). Where neither is possible ``locate()`` raises
``CgroupUnavailable`` with the reason, and the grader refuses to grade (``--insecure`` aside).
"""
import errno
import itertools
import os
import time

PREFIX = "autograder-"
LEAF = "autograder-grader"  # cgroup v2: where the grader moves itself when it shares its cgroup
_names = itertools.count(1)
_swept = set()


class CgroupUnavailable(OSError):
    """No memory cgroup can be made here; the message says why in one line."""


def _read(path):
    with open(path) as f:
        return f.read()


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _cgroup_mounts(mountinfo):
    """[(file-system type, root inside the hierarchy, mount point, super options)] of cgroup mounts."""
    mounts = []
    for line in _read(mountinfo).splitlines():
        left, _, right = line.partition(" - ")
        fields, extra = left.split(), right.split()
        if len(fields) >= 5 and len(extra) >= 3 and extra[0] in ("cgroup", "cgroup2"):
            mounts.append((extra[0], fields[3], fields[4], extra[2].split(",")))
    return mounts


def _inside(point, root, path):
    """The folder of the cgroup ``path`` in a hierarchy whose ``root`` is mounted at ``point``."""
    if root != "/" and (path == root or path.startswith(root.rstrip("/") + "/")):
        path = path[len(root):]
    return os.path.join(point, path.lstrip("/"))


def locate(proc_cgroup="/proc/self/cgroup", mountinfo="/proc/self/mountinfo"):
    """(1 or 2, folder of this process's cgroup) in the hierarchy that has the memory controller,
    after making sure (cgroup v2) that the cgroups made in that folder get the controller."""
    memberships = [line.split(":", 2) for line in _read(proc_cgroup).splitlines() if line.count(":") >= 2]
    mounts = _cgroup_mounts(mountinfo)
    for _, controllers, path in memberships:
        if "memory" in controllers.split(","):
            for kind, root, point, options in mounts:
                if kind == "cgroup" and "memory" in options:
                    return 1, _inside(point, root, path)
            raise CgroupUnavailable("the cgroup v1 memory controller is not mounted")
    for hierarchy, controllers, path in memberships:
        if hierarchy == "0" and controllers == "":
            for kind, root, point, _ in mounts:
                if kind == "cgroup2":
                    folder = _inside(point, root, path)
                    if os.path.basename(folder) == LEAF:  # moved there by an earlier call
                        folder = os.path.dirname(folder)
                    if "memory" in _read(os.path.join(folder, "cgroup.controllers")).split():
                        _give_children_memory(folder)
                        return 2, folder
    raise CgroupUnavailable("no memory cgroup controller is available to this process")


def _give_children_memory(folder):
    """Enable the v2 memory controller for the cgroups made in ``folder``. The kernel allows it
    only in a cgroup that holds no process (the root aside): when the grader's own cgroup holds it,
    the grader first moves itself into a leaf of its own there, ``LEAF``."""
    subtree = os.path.join(folder, "cgroup.subtree_control")
    if "memory" in _read(subtree).split():
        return
    try:
        _write(subtree, "+memory")
        return
    except OSError as exc:
        if exc.errno != errno.EBUSY:
            raise CgroupUnavailable(f"cannot enable the memory controller in {folder} ({exc.strerror})") from None
    try:
        os.makedirs(os.path.join(folder, LEAF), exist_ok=True)
        _write(os.path.join(folder, LEAF, "cgroup.procs"), str(os.getpid()))
        _write(subtree, "+memory")
    except OSError as exc:
        raise CgroupUnavailable(f"cannot enable the memory controller in {folder} ({exc.strerror}: "
                                f"other processes share the grader's cgroup; start the grader in a "
                                f"cgroup of its own, e.g. with systemd-run --scope -p Delegate=yes)") from None


def _sweep(folder):
    """Remove empty cgroups left behind by grader processes that no longer exist."""
    for name in os.listdir(folder):
        owner = name[len(PREFIX):].split("-")[0]
        if name.startswith(PREFIX) and owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
            try:
                os.rmdir(os.path.join(folder, name))
            except OSError:
                pass


class MemoryCgroup:
    """A new cgroup limited to ``limit_bytes`` of memory (swap included), under this process's own.

    ``join()`` is called by the child between fork and exec; ``remove()`` after it was killed.
    ``located``: the result of ``locate()`` (found again when None).
    """

    def __init__(self, limit_bytes, located=None):
        self.version, folder = located or locate()
        if folder not in _swept:
            _sweep(folder)
            _swept.add(folder)
        self.path = os.path.join(folder, f"{PREFIX}{os.getpid()}-{next(_names)}")
        os.mkdir(self.path)
        try:
            if self.version == 1:
                _write(self._file("memory.limit_in_bytes"), str(int(limit_bytes)))
                if os.path.exists(self._file("memory.memsw.limit_in_bytes")):
                    _write(self._file("memory.memsw.limit_in_bytes"), str(int(limit_bytes)))
            else:
                _write(self._file("memory.max"), str(int(limit_bytes)))
                if os.path.exists(self._file("memory.swap.max")):
                    _write(self._file("memory.swap.max"), "0")
        except OSError:
            self.remove(wait=0)
            raise

    def _file(self, name):
        return os.path.join(self.path, name)

    def join(self):
        """Move the calling process into the cgroup (its children are born in it)."""
        _write(self._file("cgroup.procs"), str(os.getpid()))

    def processes(self):
        """Process ids in the cgroup (as this process sees them)."""
        try:
            return [int(p) for p in _read(self._file("cgroup.procs")).split()]
        except FileNotFoundError:
            return []

    def oom_kills(self):
        """How many processes the kernel killed here for going over the limit."""
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            for line in _read(self._file(name)).splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def remove(self, wait=5.0):
        """Remove the cgroup; True when it is gone. The kernel refuses while a process is still in
        it (or still exiting), so this retries for ``wait`` seconds."""
        give_up = time.monotonic() + wait
        while True:
            try:
                os.rmdir(self.path)
                return True
            except FileNotFoundError:
                return True
            except OSError as exc:
                if exc.errno != errno.EBUSY or time.monotonic() >= give_up:
                    return False
            time.sleep(0.01)
