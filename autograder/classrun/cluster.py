"""Grading on a Dask distributed cluster: ``autograder grade ... --scheduler ADDRESS``.

The coordinating process (``grade.grade_class``) stays in charge of everything that is written:
results files, the gradebook, feedback, grades.csv. Only the per-student job travels:

- the assignment's ``source/<assignment>`` folder (reference solution and tests), zipped once and
  broadcast to every worker, where it is unpacked into a private temporary folder;
- each submission, as zip bytes (a folder is first copied safely, regular files only);
- back comes the same JSON record as in local mode.

On a worker the job runs ``job.grade_student`` (the function local grading runs too) in a
single-threaded interpreter of its own (the Dask worker has threads; the sandbox forks), so each
student's code still runs in its own sandbox, whose root holds nothing of the unpacked course. Workers need this package at the
same version and nothing of the course. Dask is imported only here: local grading never needs it.
"""
import dataclasses
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

from .. import __version__
from ..intake.workspace import MAX_TOTAL_BYTES, SubmissionError, private_copy

CONNECT_SECONDS = 20
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed, so the same files always make the same bytes


class ClusterError(Exception):
    """The cluster cannot be used (one line)."""


# -- packing (coordinator) -----------------------------------------------------------------------

def pack_folder(folder):
    """Zip bytes of the regular files under ``folder`` in a fixed order; symlinks are skipped."""
    folder = Path(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for directory, dirs, files in os.walk(folder, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = Path(directory) / name
                if path.is_symlink() or not path.is_file():
                    continue
                info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), _ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    return buffer.getvalue()


def pack_submission(path, assignment, notes=None):
    """Zip bytes for one submission; raises SubmissionError as the local copy would. What the copy
    leaves out (files over the size cap, odd names) is appended to ``notes``."""
    path = Path(path)
    if path.is_file():
        if path.stat().st_size > MAX_TOTAL_BYTES:
            raise SubmissionError(f"{path.name} is larger than {MAX_TOTAL_BYTES >> 20} MB")
        return path.read_bytes()  # checked member by member where it is unpacked
    temp, folder = private_copy(path, assignment, notes=notes)
    try:
        return pack_folder(folder)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


# -- the job (worker) ----------------------------------------------------------------------------

def _unpack_once(bundle, digest):
    """The course bundle unpacked under this machine's temporary folder (once per digest)."""
    root = Path(tempfile.gettempdir()) / f"autograder-course-{digest[:16]}"
    if not root.is_dir():
        partial = Path(tempfile.mkdtemp(prefix=root.name + "-", dir=root.parent))
        with zipfile.ZipFile(io.BytesIO(bundle)) as zf:
            zf.extractall(partial)  # our own bundle, made by pack_folder: no unsafe names
        try:
            os.rename(partial, root)
        except OSError:  # another job on this machine got there first
            shutil.rmtree(partial, ignore_errors=True)
    return root


_servers = threading.local()  # one job server per worker thread


def _run_job(job):
    """Run ``job.grade_student`` in a single-threaded interpreter and return its record.

    Not in the worker's own process: it has threads, and the sandbox forks. Not through
    multiprocessing either: Dask's worker processes are daemonic and may not have children of it.
    Each worker thread keeps one such interpreter (``python -m autograder.classrun.cluster``) and sends it
    one JSON line per job, so numpy and the grader are imported once, not once per student.
    """
    for attempt in (1, 2):
        server = getattr(_servers, "process", None)
        if server is None or server.poll() is not None:
            env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
            server = subprocess.Popen([sys.executable, "-m", "autograder.classrun.cluster"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True, env=env)
            _servers.process = server
        try:
            server.stdin.write(json.dumps(job) + "\n")
            server.stdin.flush()
            line = server.stdout.readline()
            if line:
                return json.loads(line)
        except (OSError, ValueError):
            pass
        server.kill()
        server.wait()
        _servers.process = None
    return {"student": job["student"], "assignment": job["assignment"],
            "not_graded": "the grading process on the worker stopped"}


def _job_server():
    """``python -m autograder.classrun.cluster``: one job per JSON line on stdin, one record per line out."""
    from ..engine.job import grade_student
    from ..sandbox import Limits
    for line in sys.stdin:
        job = json.loads(line)
        record = grade_student(job["student"], job["submission"], job["assignment"], job["source_dir"],
                               Limits(**job["limits"]), None, job["insecure"])
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()


def grade_on_worker(version, student, payload, assignment, bundle, digest, limits, insecure):
    """Grade one student on a Dask worker; returns the record ``job.grade_student`` makes."""
    if version != __version__:
        return {"student": student, "assignment": assignment,
                "not_graded": f"the worker runs autograder {__version__}, the coordinator {version}"}
    course = _unpack_once(bundle, digest)
    temp = Path(tempfile.mkdtemp(prefix="autograder-job-"))
    try:
        submission = temp / f"{student}.zip"
        submission.write_bytes(payload)
        return _run_job({"student": student, "submission": str(submission), "assignment": assignment,
                         "source_dir": str(course), "insecure": bool(insecure),
                         "limits": dataclasses.asdict(limits)})
    finally:
        shutil.rmtree(temp, ignore_errors=True)


# -- the coordinator's loop ----------------------------------------------------------------------

def run_on_cluster(scheduler, todo, assignment, source_dir, limits, insecure, unusable):
    """Yield (student, key, record) as the cluster finishes them.

    ``todo`` is {student: (path, key)}; ``unusable(student, message)`` makes the record of a
    submission that cannot be packed. At most two jobs per worker thread are in flight, so the
    coordinator holds only a few submissions in memory however large the class.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ClusterError("--scheduler needs Dask: pip install distributed (see requirements.txt)") from None
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} ({type(exc).__name__})") from None
    try:
        threads = sum(client.nthreads().values())
        if threads == 0:
            raise ClusterError(f"the Dask scheduler at {scheduler} has no workers")
        bundle = pack_folder(source_dir)
        digest = hashlib.sha256(bundle).hexdigest()
        [shared] = client.scatter([bundle], broadcast=True)
        pending = iter(todo.items())
        running = as_completed()
        jobs, notes = {}, {}

        def fill():
            """Submit until the window is full; yield the records of unusable submissions."""
            while len(jobs) < 2 * threads:
                try:
                    student, (path, key) = next(pending)
                except StopIteration:
                    return
                notes[student] = []
                try:
                    payload = pack_submission(path, assignment, notes[student])
                except SubmissionError as exc:
                    yield student, key, unusable(student, f"submission unusable: {exc}")
                    continue
                future = client.submit(grade_on_worker, __version__, student, payload, assignment, shared,
                                       digest, limits, insecure, pure=False, retries=1,
                                       key=f"autograder-{student}-{key[-12:]}-{os.getpid()}")
                jobs[future] = (student, key)
                running.add(future)

        yield from fill()
        for future in running:
            student, key = jobs.pop(future)
            try:
                record = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker was lost: infrastructure, not the student
                record = {"student": student, "not_graded": f"the Dask job failed ({type(exc).__name__})"}
            future.release()
            if notes.get(student) and "not_graded" not in record:
                # Left out on this machine before packing: the worker never saw those files.
                record["upload"] = notes.pop(student) + record.get("upload", [])
            yield student, key, record
            yield from fill()
    finally:
        client.close()


if __name__ == "__main__":
    _job_server()
