"""``autograder grade --scheduler``: the same class graded on a Dask LocalCluster and locally must
give the same results, written by the coordinating process in the same places."""
import csv
import json
import subprocess
import sys
import time

import pytest

from autograder.classrun.gradebook import Gradebook
from autograder.classrun.grade import GradeError, grade_class
from autograder.sandbox import Limits
from class_builder import REFERENCE_KNN, REPO, STUB_KNN, add_student, replace_method, zip_student
from sandbox_helpers import require_isolation

distributed = pytest.importorskip("distributed")  # in requirements.txt; only --scheduler needs it

LIMITS = Limits(call_seconds=3.0)


def _class(submitted):
    add_student(submitted, "ada", REFERENCE_KNN)
    add_student(submitted, "ben", STUB_KNN, others="stub")
    add_student(submitted, "cy", replace_method(REFERENCE_KNN, "predict_labels",
                                                "        return np.zeros(dists.shape[0], dtype=np.int64)\n"))
    add_student(submitted, "dee", replace_method(REFERENCE_KNN, "compute_distances_one_loop",
                                                 "        import os, signal\n"
                                                 "        for pid in (os.getppid(), os.getpgid(0), 1):\n"
                                                 "            try:\n                os.kill(pid, signal.SIGKILL)\n"
                                                 "            except OSError:\n                pass\n"
                                                 "        return np.zeros((X.shape[0], 1))\n"))
    zip_student(submitted, "eve", REFERENCE_KNN)
    zip_student(submitted, "fay", REFERENCE_KNN, extra_members=[("../escape.py", b"x = 1\n")])


def _results(out):
    return {r["student"]: {t["name"]: (t["points"], t["status"]) for t in r["tests"]}
            for r in json.loads((out / "grades.json").read_text())}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    require_isolation()
    root = tmp_path_factory.mktemp("dask")
    submitted = root / "submitted"
    _class(submitted)
    local = root / "local"
    grade_class(submitted, "assignment1", course_dir=REPO, out_dir=local, workers=2, progress=False,
                json_path=local / "grades.json", limits=LIMITS, gradebook=False)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    try:
        remote = root / "remote"
        start = time.monotonic()
        summary = grade_class(submitted, "assignment1", course_dir=REPO, out_dir=remote, progress=False,
                              json_path=remote / "grades.json", limits=LIMITS,
                              scheduler=cluster.scheduler_address)
        elapsed = time.monotonic() - start
        alive = len(cluster.scheduler_info["workers"])
    finally:
        cluster.close()
    return {"local": local, "remote": remote, "summary": summary, "elapsed": elapsed, "alive": alive}


def test_cluster_and_local_results_are_identical(both):
    local, remote = _results(both["local"]), _results(both["remote"])
    assert sorted(remote) == sorted(local) == ["ada", "ben", "cy", "dee", "eve", "fay"]
    for student in local:
        assert remote[student] == local[student], student


def test_cluster_results_are_right(both):
    records = {r["student"]: r for r in json.loads((both["remote"] / "grades.json").read_text())}
    assert records["ada"]["score"] == records["ada"]["max_score"] == records["eve"]["score"]
    assert records["ben"]["score"] == 0
    assert 0 < records["cy"]["score"] < records["ada"]["score"]
    assert 0 < records["dee"]["score"] < records["ada"]["score"]
    assert records["fay"]["score"] == 0 and "unsafe path" in records["fay"]["tests"][0]["message"]
    assert not both["summary"].not_graded
    assert "Dask cluster" in both["summary"]


def test_student_code_cannot_harm_the_workers(both):
    assert both["alive"] == 2, "a Dask worker died while grading"


def _autograded_columns(path):
    manual = {"manual", "manual_max", "manual_pending", "total", "total_max"}
    with open(path, newline="") as f:
        return [{k: v for k, v in row.items() if k not in manual} for row in csv.DictReader(f)]


def test_the_coordinator_writes_everything_as_in_local_mode(both):
    remote = both["remote"]
    for student in ("ada", "ben", "cy", "dee", "eve", "fay"):
        assert (remote / "autograded" / student / "assignment1" / "autograder_results.json").is_file()
        assert (remote / "autograded" / student / "assignment1" / "autograder.html").is_file()
    # The local run wrote no gradebook, so it has no manual points: compare everything else.
    assert _autograded_columns(remote / "grades.csv") == _autograded_columns(both["local"] / "grades.csv")
    book = Gradebook(REPO, "assignment1", remote / "gradebook.db", remote / "autograded").totals()
    scores = {r["student"]: r["score"] for r in json.loads((remote / "grades.json").read_text())}
    assert book == pytest.approx(scores)


def test_an_unreachable_scheduler_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setattr("autograder.classrun.cluster.CONNECT_SECONDS", 2)
    submitted = tmp_path / "submitted"
    add_student(submitted, "ada", REFERENCE_KNN)
    with pytest.raises(GradeError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        grade_class(submitted, "assignment1", course_dir=REPO, out_dir=tmp_path / "out", progress=False,
                    gradebook=False, scheduler="tcp://127.0.0.1:9")
    assert not (tmp_path / "out" / "autograded").exists()


def test_local_grading_never_imports_dask(tmp_path):
    submitted = tmp_path / "submitted"
    add_student(submitted, "ada", REFERENCE_KNN)
    code = ("import sys\n"
            "from autograder.classrun.grade import grade_class\n"
            f"grade_class({str(submitted)!r}, course_dir={str(REPO)!r}, out_dir={str(tmp_path / 'out')!r}, "
            "workers=1, progress=False, gradebook=False)\n"
            "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "LOADED []" in done.stdout, done.stdout

