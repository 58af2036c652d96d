"""Grading survives being killed, and gives the same answer every time."""
import json
import os
import signal
import subprocess
import sys
import time

from autograder.classrun.grade import RESULTS_FILE
from autograder.classrun.gradebook import Gradebook
from autograder.engine.discovery import load_tests
from autograder.engine.running import run_tests
from class_builder import PARTIAL_KNN, REFERENCE_KNN, REPO, SOURCE, add_student


def test_grading_the_same_submission_twenty_times_gives_identical_results(tmp_path):
    tests = load_tests(SOURCE / "tests", include_hidden=True)
    folder = add_student(tmp_path, "same", PARTIAL_KNN)
    first = [r.as_json() for r in run_tests(tests, folder, reference_dir=SOURCE)]
    for _ in range(19):
        again = [r.as_json() for r in run_tests(tests, folder, reference_dir=SOURCE)]
        assert again == first


def test_killing_the_grader_loses_and_duplicates_nothing(tmp_path):
    submitted, out = tmp_path / "submitted", tmp_path / "out"
    students = [f"s{i:02d}" for i in range(8)]
    for i, student in enumerate(students):
        add_student(submitted, student, REFERENCE_KNN if i % 2 == 0 else PARTIAL_KNN)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    # The CLI writes its outputs into the course folder; out_dir keeps this test's outputs in tmp.
    command = [sys.executable, "-c",
               "import sys; from autograder.classrun.grade import grade_class; "
               f"grade_class({str(submitted)!r}, 'assignment1', course_dir={str(REPO)!r}, out_dir={str(out)!r}, "
               f"workers=1, json_path={str(out / 'grades.json')!r}, progress=False)"]
    grader = subprocess.Popen(command, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    done = lambda: [s for s in students if (out / "autograded" / s / "assignment1" / RESULTS_FILE).exists()]
    while len(done()) < 3 and time.monotonic() < deadline and grader.poll() is None:
        time.sleep(0.05)
    os.killpg(grader.pid, signal.SIGKILL)  # the grader and its workers, mid-class
    grader.wait()
    finished_before = {s: json.loads((out / "autograded" / s / "assignment1" / RESULTS_FILE).read_text())
                       for s in done()}
    assert 3 <= len(finished_before) < len(students), "the kill should land in the middle of the class"

    subprocess.run(command, env=env, check=True, capture_output=True, timeout=600)

    records = {r["student"]: r for r in json.loads((out / "grades.json").read_text())}
    assert sorted(records) == students, "every student graded exactly once"
    for student, saved in finished_before.items():
        # Timing and the instructor's notes for the class report (answers, mistakes) are not in the JSON.
        kept = {k: v for k, v in saved["record"].items() if k not in ("seconds", "answers", "mistakes")}
        derived = {"manual", "raw_total", "total", "total_max"}  # from the gradebook and the tables, not the record
        assert {k: v for k, v in records[student].items() if k not in derived} == kept, \
            f"{student}'s finished grade changed on resume"

    # The same class graded without interruption writes the same whole-class CSV.
    uninterrupted = tmp_path / "uninterrupted"
    subprocess.run([part.replace(str(out), str(uninterrupted)) for part in command], env=env, check=True,
                   capture_output=True, timeout=600)
    assert (out / "grades.csv").read_text() == (uninterrupted / "grades.csv").read_text()
    book = Gradebook(None, "assignment1", out / "gradebook.db", out / "autograded").totals()
    assert book == {s: r["score"] for s, r in records.items()}, "gradebook and results disagree"
    for i, student in enumerate(students):
        record = records[student]
        if i % 2 == 0:
            assert record["score"] == record["max_score"], f"{student} (reference) lost points"
        else:
            assert 0 < record["score"] < record["max_score"], f"{student} (partial) scored {record['score']}"
