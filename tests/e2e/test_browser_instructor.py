"""The instructor's day, proved in a real browser (headless chromium through Selenium).

``autograder demo`` builds and grades its demo class once, in a copy of the course under tmp (the
repository is never written to). The demo's nbgrader course root is ``<course>/demo_class``: it
holds ``gradebook.db``, ``autograded/`` and ``submitted/``; the course's ``nbgrader_config.py``
(course id, ``db_url = sqlite:///gradebook.db``; the demo adds its late policy) is left there by the demo and JupyterLab is started in it, as
an instructor would. Then, in the formgrader:

* every demo student is listed, with the score our sandboxed grader wrote to grades.csv;
* the instructor opens one student's kNN notebook on the manual-grading page, types points into an
  inline answer's score box and the formgrader saves them; ``nbgrader export`` run in the course
  root afterwards gives that student exactly those points more than before;
* the class report the demo wrote (``demo_class/report/assignment1.html``, a file, no server) shows
  the score histogram, the function table, the tie-breaking bug once under its two ids and the
  group of two students sharing an unexplained wrong answer; after cy_partial hands in a fixed kNN
  and is graded again (the last test: it changes the class), it says her score moved because her
  upload changed. Screenshots: ``class-report.png``, ``class-report-mistakes.png`` (copied into docs/
  for the README).

Skips (one line) when chromium or chromedriver is missing; any other problem fails.
"""
import csv
import json
import shutil
import subprocess
import sys

import pytest
from selenium.webdriver.common.keys import Keys

import browser_session
from browser_session import REPO, jupyter_lab, require_chromium, screenshot, wait_for, wait_until
from autograder.classrun.grade import grade_class
from autograder.demo.run import ASSIGNMENT, COPIERS, HONEST, LATE, run_demo
from autograder.intake.roster import load_roster

browser = browser_session.browser  # the module's chromium (a fixture)

STUDENTS = sorted(HONEST + COPIERS + (LATE,))
GRADED = "cy_partial"      # the student whose written answer the instructor grades by hand
ANSWER = "q1-answer"       # the inline question of knn.ipynb the points go to
POINTS = 1.5


@pytest.fixture(scope="module")
def course_root(tmp_path_factory):
    """The demo class, released and graded by ``run_demo`` in a copy of the course; returns its
    nbgrader course root (``<course>/demo_class``)."""
    require_chromium()  # before the 35 s of grading, not after
    course = tmp_path_factory.mktemp("instructor") / "course"
    course.mkdir()
    shutil.copytree(REPO / "source", course / "source",
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.copyfile(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copyfile(REPO / "release-audit.json", course / "release-audit.json")  # the course's reviewed exceptions
    assert run_demo(course) == 0, "autograder demo failed: see its checks in the captured output"
    root = course / "demo_class"
    assert (root / "gradebook.db").is_file()
    assert (root / "autograded" / GRADED / ASSIGNMENT / "knn.ipynb").is_file()
    # The demo leaves the course's nbgrader settings beside its gradebook, so `jupyter lab` started
    # in demo_class/ (as the demo's last line says) opens this formgrader; it adds its late policy.
    config = (root / "nbgrader_config.py").read_text()
    assert config.startswith((course / "nbgrader_config.py").read_text().rstrip("\n"))
    assert "c.Autograder.late_policy" in config
    return root


@pytest.fixture(scope="module")
def lab(course_root):
    with jupyter_lab(course_root) as server:
        yield server


def grades_csv(root):
    with open(root / "grades.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def nbgrader_export(root, name):
    """``nbgrader export`` at the course root, with the course's config; {student: row}."""
    target = root.parent / name
    done = subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--to={target}"], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"nbgrader export failed:\n{done.stdout}\n{done.stderr}"
    with open(target, newline="") as f:
        rows = [row for row in csv.DictReader(f) if row["assignment"] == ASSIGNMENT]
    return {row["student_id"]: row for row in rows}


def shown(value):
    """A score as the formgrader prints it: JavaScript's number, rounded to 2 decimals."""
    value = round(float(value), 2)
    return str(int(value)) if value == int(value) else repr(value)


def shown_name(course_root, student):
    """How the formgrader shows ``student``: "Last, First" from the roster of the demo's late run,
    which names everyone in the gradebook."""
    person = load_roster(course_root / "roster.csv").person(student)
    return f"{person['last_name']}, {person['first_name']}"


def table_rows(driver, cells):
    """{student id: {class: text}} from the formgrader's table, once its data has loaded.
    ``cells``: the classes of the cells to read; the row's student is in the ``id`` or ``name`` cell."""
    wait_until(driver, "return !!(window.models && window.models.loaded);", what="the formgrader's table loaded")
    rows = {}
    for row in driver.find_elements("css selector", "#main-table tr"):
        texts = {c: row.find_element("css selector", f"td.{c}").text.strip() for c in cells}
        rows[texts[cells[0]]] = texts
    return rows


def page_errors(driver):
    """Fail on any error in the page's console but MathJax's: nbgrader's manual-grading page loads
    MathJax from a CDN the test browser cannot reach (see browser_session.new_browser), and its
    set-up then stops at the first use of MathJax, after the grades are loaded and bound, before
    its keyboard shortcuts (Escape, Ctrl+.). Entering points and moving on still saves them."""
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    unexpected = [m for m in errors if "mathjax" not in m.lower()]
    assert not unexpected, "errors in the page: " + "; ".join(unexpected)


def test_formgrader_lists_every_student_with_the_graders_score(browser, lab, course_root):
    expected = grades_csv(course_root)
    assert sorted(expected) == STUDENTS
    assert all(float(row["manual"]) == 0 for row in expected.values()), "nobody is graded by hand yet"

    lab.open(browser, "formgrader/manage_students")
    wait_for(browser, "#main-table")
    rows = table_rows(browser, ["id", "score", "name"])
    screenshot(browser, "formgrader-students.png")

    assert sorted(rows) == STUDENTS
    for student, row in expected.items():
        # Overall score: the autograded points (no manual points yet) out of the whole assignment.
        assert rows[student]["score"] == f"{shown(row['score'])} / {shown(row['total_max'])}", student
        assert rows[student]["name"] == shown_name(course_root, student), student


def test_manual_points_are_saved_and_exported(browser, lab, course_root):
    before = nbgrader_export(course_root, "export-before.csv")
    assert float(before[GRADED]["score"]) == float(grades_csv(course_root)[GRADED]["total"])

    # Manual Grading > assignment1 > knn: the instructor follows the student's link.
    lab.open(browser, f"formgrader/gradebook/{ASSIGNMENT}/knn")
    wait_for(browser, "#main-table")
    wait_until(browser, "return !!(window.models && window.models.loaded);", what="knn's submissions loaded")
    links = {a.get_attribute("textContent").strip(): a.get_attribute("href")
             for a in browser.find_elements("css selector", "#main-table td.name a.name-shown")}
    shown_as = shown_name(course_root, GRADED)  # submissions are listed by the roster's names
    assert shown_as in links, f"{GRADED} ({shown_as}) is not among knn's submissions: {sorted(links)}"
    browser.get(links[shown_as])

    wait_until(browser, "return document.readyState === 'complete' && !!(window.formgrader && formgrader.grades "
                        "&& formgrader.grades.loaded);", what="the manual-grading page loaded its grades")
    page_errors(browser)
    box = wait_for(browser, f"input.score#{ANSWER}")
    assert box.get_attribute("value") == "", "the answer has no manual score yet"
    browser.execute_script("window.savedScores = 0; $(document).on('finished_saving', () => window.savedScores++);")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    box.click()
    box.send_keys(str(POINTS))
    box.send_keys(Keys.TAB)  # on to the extra-credit box: the score box changed, the formgrader saves it
    wait_until(browser, "return window.savedScores > 0;", what="the formgrader saved the score")
    saved = browser.execute_script(
        "const g = formgrader.grades.findWhere({name: arguments[0]}); return g && g.get('manual_score');", ANSWER)
    assert float(saved) == POINTS
    page_errors(browser)
    screenshot(browser, "formgrader-manual-grade.png")

    # What the server stored survives a reload of the page.
    browser.refresh()
    wait_until(browser, "return document.readyState === 'complete' && !!(window.formgrader && formgrader.grades "
                        "&& formgrader.grades.loaded);", what="the manual-grading page reloaded")
    assert float(wait_for(browser, f"input.score#{ANSWER}").get_attribute("value")) == POINTS

    after = nbgrader_export(course_root, "export-after.csv")
    assert float(after[GRADED]["score"]) == pytest.approx(float(before[GRADED]["score"]) + POINTS)
    assert float(after[GRADED]["max_score"]) == float(before[GRADED]["max_score"])
    others = sorted(set(before) - {GRADED})
    assert {s: after[s]["score"] for s in others} == {s: before[s]["score"] for s in others}


def _report(course_root):
    return course_root / "report" / f"{ASSIGNMENT}.html", json.loads(
        (course_root / "report" / f"{ASSIGNMENT}.json").read_text())


def _open_report(browser, page):
    browser.get(page.as_uri())
    wait_until(browser, "return document.readyState === 'complete' && [...document.images].every("
                        "i => i.complete && i.naturalWidth > 0);", what="the class report and its plots loaded")


def test_the_class_report_shows_the_class_its_mistakes_and_what_changed(browser, course_root):
    page, data = _report(course_root)
    _open_report(browser, page)
    # The histogram: a picture whose alt text and table say the same numbers as the JSON.
    histogram = wait_for(browser, "img#histogram")
    auto = data["distribution"]["autograded"]
    assert f"autograded scores of 7 students: mean {auto['mean']:.3g}" in histogram.get_attribute("alt")
    assert browser.execute_script("return arguments[0].naturalWidth;", histogram) > 300
    screenshot(browser, "class-report.png")

    # The function table: one row per graded function, hardest first, numbers as in the JSON.
    rows = browser.find_elements("css selector", "#functions-table tr[data-function]")
    assert len(rows) == len(data["functions"]) and len(rows) > 40
    labels = next(f for f in data["functions"] if f["name"] == "KNearestNeighbor.predict_labels")
    row = browser.find_element("css selector", f"#functions-table tr[data-function='{labels['function']}']")
    cells = [c.text for c in row.find_elements("css selector", "td")]
    assert cells[0] == "KNearestNeighbor.predict_labels"
    assert cells[3] == f"{labels['full_marks']} ({100 * labels['full_marks_share']:.0f}%)"

    # The tie-breaking bug, named by a public and a hidden test under two ids: one row, in words,
    # with both students linked to their feedback.
    ties = browser.find_element("css selector", "#mistakes-table tr[data-mistake='ties_to_larger_label']")
    assert ties.find_element("css selector", "td").text.startswith("a tied vote goes to the larger label")
    assert "tie_not_to_smaller_label" in ties.text
    links = {a.text: a.get_attribute("href") for a in ties.find_elements("css selector", "a.student")}
    assert sorted(links) == ["cy_partial", "fay_copies_cy"]
    # The group: cy and her copier return the same wrong distances where a diagnosis is missing.
    group = next(g for g in data["groups"]["groups"] if g["students"] == ["cy_partial", "fay_copies_cy"])
    shown = browser.find_element("css selector", f".group[data-test='{group['test']}']")
    assert shown.find_element("css selector", "h3").text == group["sentence"]
    browser.execute_script("document.getElementById('mistakes').scrollIntoView();")
    screenshot(browser, "class-report-mistakes.png")
    browser.get(links["cy_partial"])  # the link opens her feedback page
    wait_until(browser, "return document.readyState === 'complete';")
    assert browser.title == f"{ASSIGNMENT}: feedback for cy_partial"

    # cy_partial hands in her kNN with the square root back; only she is graded again.
    module = course_root / "submitted" / GRADED / ASSIGNMENT / "classifiers" / "k_nearest_neighbor.py"
    text = module.read_text()
    fixed = text.replace("dists = np.maximum(a + b - 2 * test.dot(train.T), 0)",
                         "dists = np.sqrt(np.maximum(a + b - 2 * test.dot(train.T), 0))")
    assert fixed != text
    module.write_text(fixed)
    old = float(grades_csv(course_root)[GRADED]["score"])
    summary = grade_class(course_root / "submitted", ASSIGNMENT, course_dir=course_root.parent, out_dir=course_root,
                          students=[GRADED], progress=False)
    new = float(grades_csv(course_root)[GRADED]["score"])
    assert new > old and "1 score(s) changed" in summary.splitlines()[-1]
    page, data = _report(course_root)
    _open_report(browser, page)
    change = browser.find_element("css selector", f"#changes-table tr[data-student='{GRADED}']")
    cells = [c.text for c in change.find_elements("css selector", "td")]
    assert cells[0] == GRADED and cells[1].split()[0] == f"{old:g}" and cells[2].split()[0] == f"{new:g}"
    assert "their upload changed" in cells[4]
