"""nbgrader's exchange round trip around ``autograder grade``, with nbgrader's own commands as an
instructor and two students run them: release_assignment, fetch_assignment, submit, collect,
``autograder grade``, generate_feedback, release_feedback, fetch_feedback. Each student has a
home of their own and an exchange student id; ada hands in the reference kNN, bob a kNN without
the square root in the vectorized distances, a few seconds after the due date (the course's
nbgrader_config.py sets the late policy). What each fetches must hold the grader's per-function
results, bob's naming his mistake and his late penalty. Last, bob fetches his feedback again the
way a student on a JupyterHub does: JupyterLab's Assignments panel (nbgrader's lab extension), in
chromium.

About a minute and a half on 2 cores: twelve nbgrader commands (about 3 s each, mostly starting
up), one grading run of two students and a JupyterLab session.
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

import browser_session
from autograder.classrun.deadlines import parse_time
from browser_session import jupyter_lab, run_command, screenshot, wait_for_lab, wait_until
from class_builder import KNN_FILE, PARTIAL_KNN, REFERENCE_KNN, REPO

browser = browser_session.browser  # the module's chromium (a fixture)

COURSE_ID = "image-classification-test"
ASSIGNMENT = "assignment1"
BIN = Path(sys.executable).parent
SQRT_ADVICE = "take the square root"  # the diagnosis sqrt_missing, in the course's kNN tests


def _run(command, cwd, home, *args):
    env = dict(os.environ, HOME=str(home), PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([str(BIN / command), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{command} {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def exchange(tmp_path_factory):
    root = tmp_path_factory.mktemp("exchange-course")
    course, exchange_root = root / "course", root / "exchange"
    for part in ("source", "release"):
        shutil.copytree(REPO / part / ASSIGNMENT, course / part / ASSIGNMENT)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange_root)!r}\n"
        'c.Autograder.late_policy = "10%/day, max 50%"\n')
    exchange_root.mkdir()
    homes = {s: root / "home" / s for s in ("ada", "bob")}
    student_args = [f"--course={COURSE_ID}", f"--Exchange.root={exchange_root}"]

    logs = {"release": _run("nbgrader", course, root, "release_assignment", ASSIGNMENT)}
    for student, home in homes.items():
        home.mkdir(parents=True)
        _run("nbgrader", home, home, "fetch_assignment", ASSIGNMENT, *student_args)
    (homes["ada"] / ASSIGNMENT / KNN_FILE).write_text(REFERENCE_KNN)
    (homes["bob"] / ASSIGNMENT / KNN_FILE).write_text(PARTIAL_KNN)
    _run("nbgrader", homes["ada"], homes["ada"], "submit", ASSIGNMENT, "--student=ada", *student_args)
    due = datetime.now(timezone.utc)  # after ada's submission, before bob's
    _run("nbgrader", homes["bob"], homes["bob"], "submit", ASSIGNMENT, "--student=bob", *student_args)

    logs["collect"] = _run("nbgrader", course, root, "collect", ASSIGNMENT)
    logs["grade"] = _run("autograder", course, root, "grade", "submitted", "--assignment", ASSIGNMENT,
                         "--due", due.isoformat(), "--workers", "2")
    logs["generate"] = _run("nbgrader", course, root, "generate_feedback", ASSIGNMENT)
    logs["release_feedback"] = _run("nbgrader", course, root, "release_feedback", ASSIGNMENT)
    fetched = {}
    for student, home in homes.items():
        logs[f"fetch_{student}"] = _run("nbgrader", home, home, "fetch_feedback", ASSIGNMENT,
                                        f"--student={student}", *student_args)
        (folder,) = (home / ASSIGNMENT / "feedback").iterdir()  # one folder per submission, named by its time
        fetched[student] = folder
    return {"course": course, "homes": homes, "fetched": fetched, "logs": logs, "due": due,
            "exchange_root": exchange_root}


def _grades(course):
    with open(course / "grades.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_generate_feedback_makes_every_page_beside_the_graders_own(exchange):
    assert "Skipping existing assignment" not in exchange["logs"]["generate"]
    for student in ("ada", "bob"):
        folder = exchange["course"] / "feedback" / student / ASSIGNMENT
        assert {"knn.html", "svm.html", "autograder.html", "timestamp.txt", "submission_secret.txt"} <= \
            {p.name for p in folder.iterdir()}
        # The exchange's own timestamp and secret, which fetch_feedback needs to find the pages.
        submitted = exchange["course"] / "submitted" / student / ASSIGNMENT
        for name in ("timestamp.txt", "submission_secret.txt"):
            assert (folder / name).read_text().strip() == (submitted / name).read_text().strip()


def test_each_student_fetches_the_per_function_results_in_their_notebooks_pages(exchange):
    fetched = exchange["fetched"]
    submitted = {p.stem for p in (exchange["course"] / "submitted" / "bob" / ASSIGNMENT).glob("*.ipynb")}
    assert {p.stem for p in fetched["bob"].glob("*.html")} == submitted
    bob_knn = (fetched["bob"] / "knn.html").read_text()
    assert 'id="autograder-results"' in bob_knn and "KNearestNeighbor.compute_distances_no_loops" in bob_knn
    assert SQRT_ADVICE in bob_knn, "bob's mistake is not named in the feedback he fetched"
    ada_knn = (fetched["ada"] / "knn.html").read_text()
    assert 'id="autograder-results"' in ada_knn and SQRT_ADVICE not in ada_knn
    grades = _grades(exchange["course"])
    for student in ("ada", "bob"):
        page = (fetched[student] / "svm.html").read_text()
        assert f"Autograder: {grades[student]['score']} / {grades[student]['max_score']} autograded points" in page


def test_the_late_submission_is_penalised_and_the_raw_score_kept(exchange):
    grades = _grades(exchange["course"])
    ada, bob = grades["ada"], grades["bob"]
    assert (ada["late_penalty"], ada["hours_late"], ada["total"]) == ("0", "0", ada["raw_total"])
    late = {r["student"]: r["late"] for r in json.loads((exchange["course"] / "grades.json").read_text())}
    assert late["bob"]["seconds_late"] > 0 and late["ada"]["seconds_late"] == 0
    assert bob["late_penalty"] == "10"  # seconds late: one started day
    assert float(bob["total"]) == pytest.approx(float(bob["raw_total"]) * 0.9)
    bob_time = (exchange["course"] / "submitted" / "bob" / ASSIGNMENT / "timestamp.txt").read_text()
    assert parse_time(bob["submitted"]) == parse_time(bob_time)
    assert re.search(r"Submitted \d+ (s|min) late: -10%", (exchange["fetched"]["bob"] / "knn.html").read_text())
    assert "late: -" not in (exchange["fetched"]["ada"] / "knn.html").read_text()
    assert re.search(r"bob: submitted \d+ (s|min) late: -10%", exchange["logs"]["grade"])


def test_generate_feedback_force_rebuilds_everything_from_the_autograded_folder(exchange):
    course = exchange["course"]
    log = _run("nbgrader", course, course.parent, "generate_feedback", ASSIGNMENT, "--force")
    assert "Removing existing assignment" in log
    folder = course / "feedback" / "bob" / ASSIGNMENT
    assert (folder / "autograder.html").is_file() and SQRT_ADVICE in (folder / "autograder.html").read_text()
    assert SQRT_ADVICE in (folder / "knn.html").read_text()


_BUTTON = """
const found = Array.from(document.querySelectorAll('#submitted_assignments_list button, #submitted_assignments_list a'))
    .find(b => b.innerText.trim() === arguments[0]);
if (found && arguments[1]) found.click();
return !!found;
"""

_VIEWER_TEXT = """
const frame = document.querySelector('.jp-HTMLViewer iframe');
const body = frame && frame.contentDocument && frame.contentDocument.body;
return body ? body.innerText : null;
"""


def test_a_student_fetches_the_feedback_in_jupyterlabs_assignments_panel(exchange, browser):
    home = exchange["homes"]["bob"]
    shutil.rmtree(home / ASSIGNMENT / "feedback")  # fetched above with the command; now through the panel
    cache = home / ".local" / "share" / "jupyter" / "nbgrader_cache"  # where `nbgrader submit` left it
    (home / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        'c.CourseDirectory.student_id = "bob"\n'
        f"c.Exchange.root = {str(exchange['exchange_root'])!r}\n"
        f"c.Exchange.cache = {str(cache)!r}\n")
    with jupyter_lab(home) as lab:
        lab.open(browser, "lab", reset="")
        wait_for_lab(browser)
        run_command(browser, "nbgrader:open-assignment-list")
        wait_until(browser, _BUTTON, "Fetch Feedback", True, timeout=60, what="bob's submission with 'Fetch Feedback'")
        wait_until(browser, _BUTTON, "(view feedback)", False, timeout=60, what="the '(view feedback)' link")
        screenshot(browser, "student-assignment-list-feedback")
        (folder,) = (home / ASSIGNMENT / "feedback").iterdir()
        assert SQRT_ADVICE in (folder / "knn.html").read_text()
        run_command(browser, "docmanager:open", {"path": f"{ASSIGNMENT}/feedback/{folder.name}/knn.html",
                                                 "factory": "HTML Viewer"})
        text = wait_until(browser, f"const t = (function() {{ {_VIEWER_TEXT} }})(); "
                                   f"return t && t.includes('What to look at first') ? t : null;",
                          timeout=60, what="knn.html open in JupyterLab's HTML viewer")
        screenshot(browser, "student-fetched-feedback")
    assert SQRT_ADVICE in text and re.search(r"Submitted \d+ (s|min) late: -10%", text)
