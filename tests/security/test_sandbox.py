"""The sandbox primitives: what student code can and cannot do in the child process."""
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox import Limits, Sandbox, StudentCallError
from sandbox_helpers import UnisolatedSandbox, require_isolation

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def isolated():
    require_isolation()

PROBES = '''
import os, socket
import numpy as np

def double(x):
    return x * 2

def pair(a, b):
    return a + b, float(np.sum(a))

def network():
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1).close()
        return 1
    except OSError:
        return 0

def can_write(path):
    try:
        with open(path, "a"):
            return 1
    except OSError:
        return 0

def can_read(path):
    try:
        with open(path, "rb") as f:
            return len(f.read())
    except OSError:
        return -1

def exists(path):
    return int(os.path.exists(path))

def names(path):
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []

def parent_pid():
    return os.getppid()

def shouts():
    print("student output must not corrupt the answers")
    return 7

def returns_text():
    return "hello"

def object_array():
    return np.array([object()], dtype=object)

def fork_flood(limit):
    # Bounded so that a broken guard costs the test machine at most ``limit`` sleeping processes.
    made = 0
    for _ in range(int(limit)):
        try:
            pid = os.fork()
        except OSError:
            continue
        if pid == 0:
            import time
            time.sleep(30)
            os._exit(0)
        made += 1
    return made

def thread_flood(limit):
    import threading, time
    threading.stack_size(64 * 1024)  # small stacks: the memory limit alone would allow many
    made = 0
    for _ in range(int(limit)):
        try:
            threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
        except RuntimeError:
            continue
        made += 1
    return made

def spawn_program():
    import subprocess
    try:
        subprocess.run(["/bin/true"], check=True)
        return 1
    except OSError:
        return 0
'''


@pytest.fixture
def student_dir(tmp_path):
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "probes.py").write_text(PROBES)
    return folder


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret" / "hidden_tests.py"
    path.parent.mkdir()
    path.write_text("EXPECTED = 42\n")
    return path


def test_arrays_round_trip_as_plain_numbers(student_dir):
    with Sandbox(student_dir) as sb:
        x = np.arange(6, dtype=np.float32).reshape(2, 3)
        out = sb.call("probes.double", x)
        assert type(out) is np.ndarray and out.dtype == np.float32
        np.testing.assert_array_equal(out, x * 2)
        total, s = sb.call("probes.pair", np.ones(3), np.ones(3))
        np.testing.assert_array_equal(total, 2 * np.ones(3))
        assert float(s) == 3.0


def test_prints_do_not_corrupt_the_protocol(student_dir):
    with Sandbox(student_dir) as sb:
        assert int(sb.call("probes.shouts")) == 7


def test_non_numeric_results_are_refused(student_dir):
    with Sandbox(student_dir) as sb:
        for target in ("probes.returns_text", "probes.object_array"):
            with pytest.raises(StudentCallError):
                value = sb.call(target)
                if isinstance(value, str):
                    raise StudentCallError("error", "text")  # strings are fine on the wire; tests refuse them


def test_no_network(student_dir, isolated):
    with Sandbox(student_dir) as sb:
        assert int(sb.call("probes.network")) == 0


# Paths nobody listed as secret: an allow-list root holds none of them.
UNLISTED = ["/etc/passwd", "/etc/hostname", "/proc/self/status", "/var", "/dev/shm", "/sys", "/home",
            "/usr/bin/env", str(REPO / "README.md"), str(REPO / "source")]


def test_only_the_allow_listed_root_is_visible(student_dir, isolated):
    with Sandbox(student_dir) as sb:
        visible = [p for p in UNLISTED if int(sb.call("probes.exists", p))]
        assert visible == [], f"the child can see {visible}"
        # its private /tmp holds work/ and, when the grader or its Python lives under the host's
        # /tmp (a course checked out there), the read-only way to those
        kept = {p.split("/")[2] for p in sb._keep if p.startswith("/tmp/")}
        assert set(sb.call("probes.names", "/tmp")) == {"work"} | kept
    with UnisolatedSandbox(student_dir) as control:
        assert [p for p in UNLISTED if int(control.call("probes.exists", p))], "control: nothing to hide"


def test_folders_the_child_needs_under_tmp_stay_visible(student_dir, isolated, tmp_path):
    # A course or its virtual environment checked out under /tmp: the private /tmp must not hide it.
    kept = tmp_path / "venv_like"
    kept.mkdir()
    (kept / "marker.txt").write_text("here")
    sandbox = Sandbox(student_dir)
    sandbox._keep = sorted(sandbox._keep + [str(kept)])
    with sandbox as sb:
        assert int(sb.call("probes.can_read", str(kept / "marker.txt"))) == 4
        assert int(sb.call("probes.can_write", str(kept / "marker.txt"))) == 0
        assert int(sb.call("probes.can_read", str(tmp_path / "student" / "probes.py"))) == -1


def test_files_in_shared_temporary_folders_cannot_be_read(student_dir, isolated, tmp_path):
    # A secret left where every user may write and nobody thought to hide: the system's /var/tmp,
    # and beside the student's own copy under the host's /tmp.
    secrets = [tmp_path / "left_behind.txt", Path(tempfile.mkdtemp(dir="/var/tmp")) / "left_behind.txt"]
    try:
        for path in secrets:
            path.write_text("EXPECTED = 42\n")
        with Sandbox(student_dir) as sb:
            assert [int(sb.call("probes.can_read", str(p))) for p in secrets] == [-1, -1]
        with UnisolatedSandbox(student_dir) as control:
            assert [int(control.call("probes.can_read", str(p))) for p in secrets] == [14, 14]
    finally:
        shutil.rmtree(secrets[1].parent, ignore_errors=True)


def test_files_outside_cannot_be_written(student_dir, tmp_path, isolated):
    target = tmp_path / "outside.txt"
    target.write_text("")
    with Sandbox(student_dir) as sb:
        assert int(sb.call("probes.can_write", str(target))) == 0
        assert int(sb.call("probes.can_write", "here.txt")) == 0  # its own copy is read-only too
        assert int(sb.call("probes.can_write", "/new_file")) == 0  # and so is the new root
        assert int(sb.call("probes.can_write", "/tmp/scratch.txt")) == 1  # a private /tmp is allowed
    assert target.read_text() == ""
    with UnisolatedSandbox(student_dir) as control:
        assert int(control.call("probes.can_write", str(target))) == 1


def test_the_grader_is_invisible_from_inside(student_dir, isolated):
    with Sandbox(student_dir) as sb:
        assert int(sb.call("probes.parent_pid")) == 0
    with UnisolatedSandbox(student_dir) as control:
        assert int(control.call("probes.parent_pid")) > 1


def test_student_code_can_start_no_process_or_thread(student_dir):
    # Each would take a slot in the machine-wide PID table; as root no rlimit bounds them.
    with Sandbox(student_dir) as sb:
        assert int(sb.call("probes.fork_flood", 200)) == 0
        assert int(sb.call("probes.thread_flood", 200)) == 0
        assert int(sb.call("probes.spawn_program")) == 0
        np.testing.assert_array_equal(sb.call("probes.double", np.ones(2)), [2.0, 2.0])


def test_a_timeout_costs_one_call_and_the_next_call_works(student_dir):
    (student_dir / "slow.py").write_text("def spin():\n    while True:\n        pass\n")
    with Sandbox(student_dir, limits=Limits(call_seconds=1)) as sb:
        with pytest.raises(StudentCallError) as info:
            sb.call("slow.spin")
        assert info.value.status == "timeout"
        np.testing.assert_array_equal(sb.call("probes.double", np.ones(2)), [2.0, 2.0])


def test_missing_function_is_an_error_naming_it(student_dir):
    with Sandbox(student_dir) as sb:
        with pytest.raises(StudentCallError) as info:
            sb.call("probes.nothing_here")
        assert info.value.status == "error" and "nothing_here" in info.value.message


def test_syntax_error_names_file_and_line(student_dir):
    (student_dir / "broken.py").write_text("def f(:\n    pass\n")
    with Sandbox(student_dir) as sb:
        with pytest.raises(StudentCallError) as info:
            sb.call("broken.f")
        assert "SyntaxError" in info.value.message and "broken.py" in info.value.message


def test_student_files_cannot_shadow_what_the_driver_imports(student_dir):
    (student_dir / "numpy.py").write_text("raise SystemExit('a student numpy.py must not be imported')\n")
    (student_dir / "sitecustomize.py").write_text("raise SystemExit('nor a sitecustomize.py')\n")
    (student_dir / "autograder").mkdir()
    (student_dir / "autograder" / "__init__.py").write_text("raise SystemExit('nor an autograder package')\n")
    with Sandbox(student_dir) as sb:
        np.testing.assert_array_equal(sb.call("probes.double", np.ones(2)), [2.0, 2.0])
