"""A hostile notebook in the instructor's browser runs nothing (headless chromium through Selenium).

A small class (the kNN part of assignment1) is graded by ``grade_class`` as an instructor would:
``mallory`` hands in the reference kNN and the hostile knn.ipynb of ``hostile_notebook.py`` (a script, an ``<img onerror>``, a
``javascript:`` link, an iframe and a full-page overlay in her written answer; HTML, JavaScript,
SVG and widget outputs; a raw cell with a script; widget state). Every payload that runs sets a
mark on the page it runs in, which the test reads back.

* Her submission on the formgrader's manual-grading page, and the feedback page nbgrader's
  ``generate_feedback`` makes of it, carry no mark after the page has loaded and every link of her
  answer has been clicked; her answer, its math, her plot and printed text are there, with a note
  for each thing removed, and the grader can still score her answer.
* CONTROL: ``mallory_control`` hands in the same notebook, graded in the same run with the
  sanitizing switched off for her alone (``write_inert_copy`` copies her notebooks as they are, in
  this process only): in the same browser, on the same pages, her payloads run and her overlay
  covers the formgrader.
* nbgrader's log of the run says no read-only cell changed: sanitizing left every checksum intact.

Skips (one line) when chromium or chromedriver is missing; any other problem fails.
"""
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

import browser_session
import hostile_notebook
from browser_session import REPO, jupyter_lab, require_chromium, screenshot, wait_for, wait_until
from class_builder import REFERENCE_KNN
from mixed_class import RELEASE_FILES, knn_course
from autograder.classrun import gradebook
from autograder.classrun.feedback import SECTION_ID
from autograder.classrun.grade import grade_class
from autograder.intake.inert import MATH_OFF

browser = browser_session.browser  # the module's chromium (a fixture)

ASSIGNMENT = "assignment1"
DEFENDED, CONTROL = "mallory", "mallory_control"
LOADED = ("return document.readyState === 'complete' && "
          "Array.from(document.images).every(i => i.complete);")
FORMGRADER_READY = ("return document.readyState === 'complete' && !!(window.formgrader && formgrader.grades "
                    "&& formgrader.grades.loaded);")


def _submit(submitted, student):
    folder = submitted / student / ASSIGNMENT
    for relative in RELEASE_FILES:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / "release" / ASSIGNMENT / relative, folder / relative)
    (folder / "classifiers" / "k_nearest_neighbor.py").write_text(REFERENCE_KNN)
    hostile_notebook.write_hostile_knn(folder / "knn.ipynb")


_sanitize = gradebook.write_inert_copy


def _switched_off_for_the_control(path, target, instructor=None):
    """The test-only switch: the control's notebooks are staged as they are, everyone else's inert."""
    if CONTROL in Path(target).parts:
        shutil.copyfile(path, target)
        return []
    return _sanitize(path, target, instructor)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The graded class: (course root with gradebook.db, autograded/ and feedback/, nbgrader's log)."""
    require_chromium()  # before the grading, not after
    base = tmp_path_factory.mktemp("inert")
    course = knn_course(base / "course")
    submitted = base / "submitted"
    for student in (DEFENDED, CONTROL):
        _submit(submitted, student)
    root = base / "class"
    root.mkdir()
    shutil.copyfile(REPO / "nbgrader_config.py", root / "nbgrader_config.py")

    logs, run = [], gradebook._nbgrader

    def logged(args, cwd, on_line=None):
        done = run(args, cwd, on_line)
        logs.append(done.stdout)
        return done

    with mock.patch.object(gradebook, "_nbgrader", logged), \
            mock.patch.object(gradebook, "write_inert_copy", _switched_off_for_the_control):
        grade_class(submitted, ASSIGNMENT, course_dir=course, out_dir=root, progress=False, workers=2)
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", ASSIGNMENT, "--force"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"nbgrader generate_feedback failed:\n{done.stdout}\n{done.stderr}"
    for student in (DEFENDED, CONTROL):
        assert (root / "autograded" / student / ASSIGNMENT / "knn.ipynb").is_file(), student
        assert (root / "feedback" / student / ASSIGNMENT / "knn.html").is_file(), student
    return root, "\n".join(logs)


@pytest.fixture(scope="module")
def lab(graded):
    with jupyter_lab(graded[0]) as server:
        yield server


def submission_url(root, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return f"formgrader/submissions/{gb.find_submission_notebook('knn', ASSIGNMENT, student).id}"


def marks(driver):
    """The payloads that ran in the current page (see hostile_notebook.MARKS_SCRIPT)."""
    return set(driver.execute_script(hostile_notebook.MARKS_SCRIPT))


def click_answer_links(driver):
    """Click the answer's "click me" link, as a curious grader would (from script, so that the
    overlay on the control page cannot swallow the click); returns how many there were."""
    return driver.execute_script(
        "const links = Array.from(document.querySelectorAll('.text_cell_render a'))"
        "  .filter(a => a.textContent.includes('click me'));"
        "links.forEach(a => a.click()); return links.length;")


def covering_elements(driver):
    """Ids or tags of the notebook's elements that are fixed over the page."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('.text_cell_render *, .output_subarea *'))"
        "  .filter(e => ['fixed', 'absolute', 'sticky'].includes(getComputedStyle(e).position))"
        "  .map(e => e.id || e.tagName);")


def notes(driver):
    return driver.execute_script(
        "return (document.body.innerText.match(/\\[autograder\\] removed before display/g) || []).length;")


def test_nbgrader_sees_no_changed_read_only_cell(graded):
    import nbformat

    root, log = graded
    assert all(f"Creating/updating student with ID '{s}'" in log for s in (DEFENDED, CONTROL))
    assert "has changed" not in log, [line for line in log.splitlines() if "has changed" in line]
    # Her cells that held nothing hostile are the released ones, as nbgrader stored them.
    stored = nbformat.read(root / "autograded" / DEFENDED / ASSIGNMENT / "knn.ipynb", as_version=4)
    released = {c.source for c in nbformat.read(REPO / "release" / ASSIGNMENT / "knn.ipynb", as_version=4).cells}
    # The grader's own results cell (its section of the feedback page) is not hers.
    theirs = [c for c in stored.cells if f'id="{SECTION_ID}"' not in c.source]
    assert len(theirs) == len(stored.cells) - 1, "the grader's results cell is in the stored notebook once"
    changed = [c.source[:40] for c in theirs if c.source not in released]
    assert len(changed) == 2, changed  # her answer and her raw cell
    assert all(c.startswith(MATH_OFF) for c in changed)


def test_formgrader_shows_the_hostile_submission_and_runs_none_of_it(browser, lab, graded):
    root, _ = graded
    lab.open(browser, submission_url(root, DEFENDED))
    wait_until(browser, FORMGRADER_READY, what="the manual-grading page loaded its grades")
    wait_until(browser, LOADED, what="every image of the page loaded or failed")
    assert click_answer_links(browser) == 1
    wait_until(browser, LOADED, what="the page settled after the clicks")
    assert marks(browser) == set(), "the student's script ran in the formgrader"
    assert browser.execute_script("return location.pathname").startswith("/formgrader/submissions/")
    assert covering_elements(browser) == []
    assert notes(browser) >= 5, "each removal leaves a visible note"
    text = browser.find_element("css selector", "body").text
    assert hostile_notebook.ANSWER_TEXT in text and hostile_notebook.PRINTED_TEXT in text
    plot = browser.execute_script(
        "return Array.from(document.querySelectorAll('.output_png img')).map(i => i.naturalWidth);")
    assert plot and all(width > 0 for width in plot), "the student's plot is shown"
    # The grader can still score her written answer.
    assert wait_for(browser, "input.score#q1-answer").is_enabled()
    # For the README: her plot, the notes where her outputs were, her answer (docs/ keeps a copy).
    browser.set_window_size(1400, 1500)
    try:
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -120);",
                               browser.find_element("css selector", ".output_png"))
        wait_until(browser, LOADED, what="the page settled after scrolling")
        screenshot(browser, "formgrader-inert-submission.png")
    finally:
        browser.set_window_size(*browser_session.WINDOW)


def test_control_formgrader_runs_the_unsanitized_submissions_script(browser, lab, graded):
    root, _ = graded
    lab.open(browser, submission_url(root, CONTROL))
    wait_until(browser, "return document.readyState === 'complete';", what="the control page loaded")
    wait_until(browser, "return arguments[0].every(k => document.documentElement.dataset['pwned' + k]);",
               sorted(hostile_notebook.RUN_IN_FORMGRADER_UNSANITIZED),
               what="the control's payloads ran in the formgrader")
    click_answer_links(browser)
    wait_until(browser, "return !!document.documentElement.dataset.pwnedMdLink;", what="the javascript: link ran")
    assert hostile_notebook.RUN_IN_FORMGRADER_UNSANITIZED | {"MdLink"} <= marks(browser)
    assert hostile_notebook.OVERLAY_ID in covering_elements(browser)


def feedback_url(root, student):
    return (root / "feedback" / student / ASSIGNMENT / "knn.html").as_uri()


def test_feedback_page_of_the_hostile_submission_runs_none_of_it(browser, graded):
    root, _ = graded
    browser.get(feedback_url(root, DEFENDED))
    wait_until(browser, LOADED, what="the feedback page loaded")
    assert click_answer_links(browser) == 1
    wait_until(browser, LOADED, what="the page settled after the clicks")
    assert marks(browser) == set(), "the student's script ran in nbgrader's feedback page"
    assert covering_elements(browser) == []
    assert notes(browser) >= 5
    assert hostile_notebook.ANSWER_TEXT in browser.find_element("css selector", "body").text


def test_control_feedback_page_runs_the_unsanitized_submissions_script(browser, graded):
    root, _ = graded
    browser.get(feedback_url(root, CONTROL))
    wait_until(browser, "return arguments[0].every(k => document.documentElement.dataset['pwned' + k]);",
               sorted(hostile_notebook.RUN_IN_FEEDBACK_UNSANITIZED),
               what="the control's payloads ran in the feedback page")
    assert hostile_notebook.OVERLAY_ID in covering_elements(browser)
