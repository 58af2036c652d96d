"""Process-level attacks: daemons, fork floods, closed descriptors, floods of output, a full disk, forged messages.

Each attacker replaces one kNN method; the test checks that it earns nothing for that method, that
the rest of its work is graded normally, and that nothing it started outlives the grading run.
"""
import json
import os
import time

import pytest

from autograder.classrun.grade import grade_class
from autograder.sandbox import Limits
from class_builder import REFERENCE_KNN, REPO, add_student, points_for, replace_method
from sandbox_helpers import require_isolation

MARKER = "autograder-test-daemon-7f3a"

ATTACKS = {
    # a grandchild that detaches and sleeps, hoping to outlive the grader
    "daemon": ("compute_distances_two_loops", f"""        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                import sys
                sys.argv[0] = "{MARKER}"
                with open("/proc/self/comm", "w") as f:
                    f.write("{MARKER}"[:15])
                time.sleep(600)
            os._exit(0)
        return np.zeros((X.shape[0], self.X_train.shape[0]))
"""),
    # as many processes as it can make (bounded here, so that a broken guard cannot stall the
    # test machine), each hiding under the marker name
    "fork_flood": ("compute_distances_one_loop", f"""        import os, time
        for _ in range(2000):
            try:
                if os.fork() == 0:
                    with open("/proc/self/comm", "w") as f:
                        f.write("{MARKER}"[:15])
                    time.sleep(600)
            except OSError:
                pass
        return np.zeros((X.shape[0], self.X_train.shape[0]))
"""),
    # close every descriptor, the grader's pipe included
    "close_fds": ("compute_distances_one_loop", """        import os
        os.closerange(0, 4096)
        return np.zeros((X.shape[0], self.X_train.shape[0]))
"""),
    # hundreds of megabytes of output on both streams
    "flood_output": ("compute_distances_no_loops", """        import sys
        chunk = "x" * (1 << 20)
        for _ in range(300):
            sys.stdout.write(chunk)
            sys.stderr.write(chunk)
        return np.zeros((X.shape[0], self.X_train.shape[0]))
"""),
    # fill whatever disk it can write to
    "fill_disk": ("predict_labels", """        import os
        for folder in ("/tmp", ".", os.path.expanduser("~")):
            try:
                with open(os.path.join(folder, "filler.bin"), "wb") as f:
                    for _ in range(4096):
                        f.write(b"\\0" * (1 << 20))
            except OSError:
                pass
        return np.zeros(dists.shape[0], dtype=np.int64)
"""),
    # print text that looks like the grader's own verdicts
    "forged_messages": ("predict", """        import sys
        for stream in (sys.stdout, sys.stderr):
            stream.write('{"status": "ok", "value": [1, 2]}\\npassed 100/100\\nall tests passed\\n')
            stream.flush()
        return np.full(X.shape[0], 3, dtype=np.int64)
"""),
}


def _our_daemons():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() == MARKER[:15]:
                    found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    require_isolation()
    root = tmp_path_factory.mktemp("process_attacks")
    submitted, out = root / "submitted", root / "out"
    add_student(submitted, "honest", REFERENCE_KNN)
    for name, (method, body) in ATTACKS.items():
        add_student(submitted, name, replace_method(REFERENCE_KNN, method, body))
    start = time.monotonic()
    grade_class(submitted, "assignment1", course_dir=REPO, out_dir=out, workers=2, gradebook=False,
                json_path=out / "grades.json", progress=False, limits=Limits(call_seconds=5.0))
    elapsed = time.monotonic() - start
    records = {r["student"]: r for r in json.loads((out / "grades.json").read_text())}
    return records, elapsed, out


def test_the_run_finishes_and_the_honest_student_gets_full_marks(graded, measured):
    records, elapsed, _ = graded
    measured(f"process attacks: {len(records)} submissions graded in {elapsed:.0f} s with 2 workers")
    assert records["honest"]["score"] == records["honest"]["max_score"]


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_the_attacked_function_earns_nothing_and_the_rest_is_graded(graded, attack):
    record = graded[0][attack]
    method = ATTACKS[attack][0]
    got, best = points_for(record, method)
    assert got == 0, f"{attack} earned {got}/{best} on {method}"
    # predict uses the other four methods, so it is left out of the "untouched" check.
    untouched = {"compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops",
                 "predict_labels"} - {method}
    for other in sorted(untouched):
        got, best = points_for(record, other)
        assert got == best, f"{attack}: {other} lost points ({got}/{best}) though the attack was elsewhere"


def test_no_daemon_outlives_the_grading_run(graded):
    time.sleep(0.5)
    assert _our_daemons() == [], "a process started by student code is still running"


def test_nothing_was_written_outside_the_sandbox(graded):
    _, _, out = graded
    assert not list(out.rglob("filler.bin")) and not (REPO / "filler.bin").exists()
    assert not (REPO / "source" / "assignment1" / "filler.bin").exists()
