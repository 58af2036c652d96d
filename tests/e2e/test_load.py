"""Load: 200 generated kNN submissions (correct, partial, broken, hostile) graded in one run with
two workers, in bounded time and memory, each earning what its kind deserves.

The grading runs in a child interpreter so that its peak memory can be read on its own. The
throughput is printed (``pytest -s``) and recorded as a test property; benchmarks/class_scale.py
measures it properly, for 1 and 2 workers and a Dask cluster.
"""
import json
import subprocess
import sys

import pytest

from mixed_class import KINDS, build_class, knn_course
from sandbox_helpers import require_isolation

STUDENTS = 200


@pytest.fixture(scope="module")
def load_run(tmp_path_factory):
    require_isolation()
    root = tmp_path_factory.mktemp("load")
    course = knn_course(root / "course")
    kinds = build_class(root / "submitted", STUDENTS)
    out = root / "out"
    script = f"""
import json, resource, time
from autograder.classrun.grade import grade_class
from autograder.sandbox import Limits
def peak_mb():
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so it would report the peak of the
    # (large) pytest process this interpreter was started from.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
start = time.monotonic()
summary = grade_class({str(root / 'submitted')!r}, course_dir={str(course)!r}, out_dir={str(out)!r},
                      workers=2, progress=False, gradebook=False, json_path={str(out / 'grades.json')!r},
                      limits=Limits(call_seconds=2.0))
print(json.dumps({{"seconds": time.monotonic() - start, "not_graded": summary.not_graded,
                   "parent_mb": peak_mb(),
                   "largest_child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    records = {r["student"]: r for r in json.loads((out / "grades.json").read_text())}
    return kinds, records, stats


def test_every_submission_is_graded_once(load_run, record_property, measured):
    kinds, records, stats = load_run
    assert sorted(records) == sorted(kinds)
    assert stats["not_graded"] == {}
    per_minute = 60 * STUDENTS / stats["seconds"]
    record_property("submissions_per_minute", round(per_minute, 1))
    measured(f"load test: {STUDENTS} submissions in {stats['seconds']:.0f} s with 2 workers: {per_minute:.0f} per minute; "
          f"peak memory: grader {stats['parent_mb']:.0f} MB, largest worker or sandbox {stats['largest_child_mb']:.0f} MB")


def test_memory_stays_bounded(load_run):
    _, _, stats = load_run
    assert stats["parent_mb"] < 500, f"the grader's own process peaked at {stats['parent_mb']:.0f} MB"
    # the memory bomb's sandbox is capped at 2 GB of address space; resident memory stays far below
    assert stats["largest_child_mb"] < 2048, f"a worker or sandbox peaked at {stats['largest_child_mb']:.0f} MB"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_earns_what_it_deserves(load_run, kind):
    kinds, records, _ = load_run
    expected = KINDS[kind][0]
    students = [s for s, k in kinds.items() if k == kind]
    assert students, f"no {kind} submission in the class"
    for student in students:
        record = records[student]
        if expected == "full":
            assert record["score"] == record["max_score"] > 0, (student, kind)
        elif expected == "zero":
            assert record["score"] == 0, (student, kind, record["score"])
        else:
            assert 0 < record["score"] < record["max_score"], (student, kind, record["score"])
    scores = {records[s]["score"] for s in students}
    assert len(scores) == 1, f"identical {kind} submissions got different scores: {scores}"
