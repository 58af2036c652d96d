"""A student's day in JupyterLab 4, in a real browser (Debian's chromium through Selenium).

On a fresh copy of ``release/assignment1``: open knn.ipynb, Run All; the notebook runs to its end,
the first graded cell shows its self-check table with "not implemented" and nothing shows a
NameError; nbgrader's Validate button fails. Then the reference modules are dropped in, the graded
cell is run again and shows full public points, and Validate succeeds. Last, the widget demo on the
student's written losses: its sliders render and moving one redraws the plot.

Screenshots land in build/browser-screenshots/ (a few are copied into docs/ for the README).
"""
import shutil
from pathlib import Path

import nbformat
import pytest

import browser_session
from browser_session import jupyter_lab, open_notebook, run_command, screenshot, wait_for, wait_until

browser = browser_session.browser  # the module's chromium (a fixture)

REPO = Path(__file__).resolve().parents[2]
RELEASE = REPO / "release" / "assignment1"
REFERENCE = REPO / "source" / "assignment1"
RUN_ALL_TIMEOUT = 120  # seconds: knn on the offline digits runs in about 5 s when nothing is written

# The notebook's cells as the model holds them: source, execution count and the outputs' JSON.
_CELLS = """
const panel = window.jupyterapp.shell.currentWidget;
if (!panel || !panel.content || !panel.content.model) return null;
const cells = [];
for (const cell of panel.content.model.cells) {
  cells.push({type: cell.type, source: cell.sharedModel.getSource(),
              count: cell.type === 'code' ? cell.executionCount : null,
              outputs: cell.type === 'code' ? cell.outputs.toJSON() : []});
}
return cells;
"""

_IDLE_AND_DONE = """
const panel = window.jupyterapp.shell.currentWidget;
const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
if (!kernel || kernel.status !== 'idle') return false;
const code = Array.from(panel.content.model.cells).filter(c => c.type === 'code');
return code.length > 0 && code.every(c => c.executionCount !== null);
"""

_SHOW_CELL = """
const panel = window.jupyterapp.shell.currentWidget;
panel.content.activeCellIndex = arguments[0];
panel.content.scrollToItem(arguments[0], 'start');
return true;
"""


def _text(outputs):
    parts = []
    for output in outputs:
        if output.get("output_type") == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
        parts.append(output.get("text", "") if isinstance(output.get("text"), str) else "".join(output.get("text", [])))
        data = output.get("data", {}).get("text/plain", "")
        parts.append(data if isinstance(data, str) else "".join(data))
    return "\n".join(parts)


def _first_graded(cells):
    return next(i for i, c in enumerate(cells) if c["type"] == "code" and "self_check(" in c["source"])


def _validate(driver, expected, says, shot):
    """Press nbgrader's Validate button, check the dialog's outcome ("success" or "failed") and that
    it ``says`` something, take the screenshot ``shot`` and close the dialog."""
    button = wait_for(driver, ".validate-button", visible=False)
    # The toolbar item's own button (a jp-button web component) takes the click.
    driver.execute_script("(arguments[0].querySelector('jp-button, button') || arguments[0]).click();", button)
    dialog = wait_for(driver, ".validation-success, .validation-failed", timeout=180)
    outcome = "success" if "validation-success" in dialog.get_attribute("class") else "failed"
    assert outcome == expected and says in dialog.text, dialog.text
    screenshot(driver, shot)
    wait_for(driver, ".jp-Dialog .jp-mod-accept").click()
    wait_until(driver, "return document.querySelector('.jp-Dialog') === null;", what="dialog closed")


@pytest.fixture(scope="module")
def student_copy(tmp_path_factory):
    """A fresh copy of the release, as a student gets it, with the inline answers written (nbgrader's
    Validate also asks for those) and nothing else changed."""
    work = tmp_path_factory.mktemp("student") / "assignment1"
    shutil.copytree(RELEASE, work, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    nb = nbformat.read(work / "knn.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = cell.source.replace("YOUR ANSWER HERE", "My answer: an unusual image is far from all the others.")
    nbformat.write(nb, work / "knn.ipynb")
    return work


@pytest.fixture(scope="module")
def lab(student_copy):
    env = {"CS_DATASETS_OFFLINE": "1", "OPENBLAS_NUM_THREADS": "1"}
    with jupyter_lab(student_copy, env=env) as server:
        yield server


def test_student_runs_knn_checks_a_function_and_validates(browser, lab, student_copy, measured):
    open_notebook(browser, lab, "knn.ipynb")
    run_command(browser, "notebook:run-all-cells", timeout=RUN_ALL_TIMEOUT)
    wait_until(browser, _IDLE_AND_DONE, timeout=RUN_ALL_TIMEOUT, what="Run All reached the last cell")
    cells = browser.execute_script(_CELLS)
    # The notebook's kernel talks over IPC: no warning about unencrypted TCP. (nbgrader's Validate
    # starts kernels of its own, from nbgrader's settings; those still use TCP.)
    assert "without encryption" not in lab.log_text()
    everything = "\n".join(_text(c["outputs"]) for c in cells)
    assert "NameError" not in everything
    assert "Traceback" not in everything
    graded = _first_graded(cells)
    table = _text(cells[graded]["outputs"])
    assert "Self-check of KNearestNeighbor.compute_distances_two_loops: 0 of" in table, table
    assert "not implemented" in table
    stub = _text(cells[graded - 1]["outputs"])
    assert "KNearestNeighbor.compute_distances_two_loops is not written yet" in stub, stub

    browser.execute_script(_SHOW_CELL, graded - 1)
    wait_for(browser, ".autograder-self-check")
    screenshot(browser, "student-knn-not-implemented")

    _validate(browser, "failed", "KNearestNeighbor.compute_distances_two_loops", "student-validate-failed")

    # The student writes the functions (here: the reference modules are dropped in) and saves them.
    for module in REFERENCE.rglob("*.py"):
        if "tests" not in module.relative_to(REFERENCE).parts:
            shutil.copyfile(module, student_copy / module.relative_to(REFERENCE))
    browser.execute_script(_SHOW_CELL, graded)
    run_command(browser, "notebook:run-cell")
    wait_until(browser, """
        const cell = window.jupyterapp.shell.currentWidget.content.model.cells.get(arguments[0]);
        return JSON.stringify(cell.outputs.toJSON()).includes('1 of 1 public points');""", graded,
               timeout=60, what="the self-check shows full public points")
    table = _text(browser.execute_script(_CELLS)[graded]["outputs"])
    assert "passed" in table and "not implemented" not in table and "SelfCheckFailed" not in table, table
    browser.execute_script(_SHOW_CELL, graded)
    screenshot(browser, "student-self-check-passed")

    _validate(browser, "success", "Success! Your notebook passes all the tests.", "student-validate-success")
    measured(f"browser, student: Run All on untouched knn.ipynb, {len(cells)} cells, "
             f"Validate failed then passed with the reference modules")


_SLIDER_PLOT = """
const panel = window.jupyterapp.shell.currentWidget;
const images = panel.node.querySelectorAll('.jupyter-widgets img, .widget-output img, .jp-OutputArea-output img');
return images.length ? images[images.length - 1].src : null;
"""


def test_widget_demo_slider_redraws_the_plot(browser, lab, student_copy):
    # The demo draws the student's own losses: here they have written them (the reference's).
    for module in ("classifiers/linear_svm.py", "classifiers/softmax.py"):
        shutil.copyfile(REFERENCE / module, student_copy / module)
    open_notebook(browser, lab, "linear_classify_demo.ipynb")
    run_command(browser, "notebook:run-all-cells", timeout=RUN_ALL_TIMEOUT)
    wait_until(browser, _IDLE_AND_DONE, timeout=RUN_ALL_TIMEOUT, what="the demo ran")
    slider = wait_for(browser, ".widget-slider .noUi-handle, .widget-slider .slider-container .ui-slider-handle, "
                               ".widget-slider input[type=range], .jupyter-widgets.widget-slider")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'});", slider)
    before = wait_until(browser, _SLIDER_PLOT, what="the demo's plot")
    screenshot(browser, "student-widget-demo")
    from selenium.webdriver.common.keys import Keys
    handle = browser.find_element("css selector", ".widget-slider .noUi-handle")
    handle.click()
    for _ in range(5):
        handle.send_keys(Keys.ARROW_RIGHT)
    wait_until(browser, f"const now = (function() {{ {_SLIDER_PLOT} }})(); return now && now !== arguments[0];",
               before, timeout=30, what="the plot redrawn after the slider moved")
    screenshot(browser, "student-widget-demo-moved")
