"""What the grader leaves for nbgrader's feedback commands (``autograder/classrun/publish.py``):
its page, timestamp.txt and submission_secret.txt beside the autograded notebooks, and its results
as the first cell of each notebook, which nbconvert (what generate_feedback runs) renders as they
are. The whole exchange round trip with nbgrader's own commands is tests/e2e/test_exchange.py."""
import json
import re
import stat

import nbformat
import pytest

from autograder.classrun.deadlines import Deadlines, parse_policy, parse_time
from autograder.classrun.feedback import SECTION_ID
from autograder.classrun.publish import PAGE, SECRET_FILE, publish
from results_files import result

KNN = "classifiers.k_nearest_neighbor.KNearestNeighbor."
SVM = "classifiers.linear_svm.svm_loss_naive"
FEATURES = "features.hog_feature"
NOTEBOOKS_OF = {KNN + "predict_labels": "knn", KNN + "compute_distances_no_loops": "knn", SVM: "svm",
                FEATURES: "features"}
TIMESTAMP = "timestamp.txt"


def _record():
    tests = [result("predict_labels", "hidden_predict_ties", 0, 3, hidden=True,
                    message="ties go to the larger label: <script>alert(1)</script>\n\nbreak the tie towards the smaller one",
                    diagnosis="ties_to_larger_label"),
             result("compute_distances_no_loops", "public_no_loops", 2, 2)]
    tests += [dict(result("x", "public_svm", 1, 4, message="the factor 2 is missing"), function=SVM),
              dict(result("x", "hidden_hog", 0, 5, status="not_implemented", message="hog_feature is not written yet"),
                   function=FEATURES)]
    return {"student": "ada", "assignment": "assignment1", "score": 3, "max_score": 14, "tests": tests}


def _notebook(path, minor=5, cells=()):
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = minor
    nb.cells = [nbformat.v4.new_markdown_cell("# The student's notebook")] + list(cells)
    if minor < 5:
        for cell in nb.cells:
            cell.pop("id", None)
    path.write_text(json.dumps(nb, indent=1))
    path.chmod(0o444)  # as nbgrader's autograde leaves it
    return path


@pytest.fixture
def autograded(tmp_path):
    folder = tmp_path / "autograded" / "ada" / "assignment1"
    folder.mkdir(parents=True)
    _notebook(folder / "knn.ipynb")
    _notebook(folder / "svm.ipynb", minor=4)
    submission = tmp_path / "submitted" / "ada" / "assignment1"
    submission.mkdir(parents=True)
    (submission / "timestamp.txt").write_text("2025-03-16 01:59:00.000001 UTC\n")
    (submission / SECRET_FILE).write_text("a1b2c3" * 10)
    return folder, submission.parent


def _first_cell(path):
    return json.loads(path.read_text())["cells"][0]


def test_the_page_the_timestamp_and_the_secret_are_there_for_nbgrader(autograded):
    folder, submission = autograded
    submitted = {"time": "2025-03-16T01:59:00.000001+00:00", "source": "nbgrader's timestamp.txt"}
    assert publish(folder, _record(), None, submission, submitted, NOTEBOOKS_OF) == []
    assert (folder / TIMESTAMP).read_text().strip() == "2025-03-16 01:59:00.000001 UTC"  # nbgrader's own words
    assert (folder / SECRET_FILE).read_text() == "a1b2c3" * 10
    assert "ties go to the larger label" in (folder / PAGE).read_text()



def test_without_the_exchange_the_files_are_made_up_so_release_feedback_never_stops(tmp_path):
    folder = tmp_path / "autograded" / "gus" / "assignment1"
    folder.mkdir(parents=True)
    canvas = {"time": "2025-03-16T01:59:00+00:00", "source": "Canvas's upload time"}
    publish(folder, _record(), None, tmp_path / "gus.zip", canvas, NOTEBOOKS_OF)
    assert parse_time((folder / TIMESTAMP).read_text()) == parse_time(canvas["time"])
    secret = (folder / SECRET_FILE).read_text()
    assert re.fullmatch(r"[0-9a-f]{128}", secret)
    publish(folder, _record(), None, None, None, NOTEBOOKS_OF)
    assert (folder / SECRET_FILE).read_text() == secret, "the secret must not change between runs"
    assert parse_time((folder / TIMESTAMP).read_text())  # the time of grading, in nbgrader's format


def test_each_notebook_starts_with_the_results_of_its_own_functions(autograded):
    folder, submission = autograded
    publish(folder, _record(), None, submission, None, NOTEBOOKS_OF)
    knn, svm = _first_cell(folder / "knn.ipynb"), _first_cell(folder / "svm.ipynb")
    assert knn["id"] == SECTION_ID and "id" not in svm  # nbformat 4.4 has no cell ids
    assert "hidden_<wbr>predict_<wbr>ties" in knn["source"] and "public_<wbr>svm" not in knn["source"]
    assert "public_<wbr>svm" in svm["source"] and "hidden_<wbr>predict_<wbr>ties" not in svm["source"]
    # features.ipynb is not there: its function's tests are on every page, and the summary names
    # every function that lost points.
    for cell in (knn, svm):
        assert "hidden_<wbr>hog" in cell["source"]
        assert "KNearestNeighbor.predict_labels</code> 0/3" in cell["source"]
        assert "svm_loss_naive</code> 1/4" in cell["source"]
    assert "\n\n" not in knn["source"] and all(line.strip() for line in knn["source"].splitlines())
    for nb in ("knn.ipynb", "svm.ipynb"):
        nbformat.validate(nbformat.reads((folder / nb).read_text(), as_version=4))
        assert stat.S_IMODE((folder / nb).stat().st_mode) == 0o444


def test_a_second_run_replaces_the_section_and_a_students_cell_keeps_its_id(tmp_path):
    folder = tmp_path / "ada" / "assignment1"
    folder.mkdir(parents=True)
    squatter = nbformat.v4.new_markdown_cell("mine")
    squatter["id"] = SECTION_ID
    _notebook(folder / "knn.ipynb", cells=[squatter])
    publish(folder, _record(), None, None, None, NOTEBOOKS_OF)
    publish(folder, _record(), None, None, None, NOTEBOOKS_OF)
    cells = json.loads((folder / "knn.ipynb").read_text())["cells"]
    ours = [c for c in cells if c["metadata"].get("autograder_results")]
    assert len(ours) == 1 and cells[0]["metadata"].get("autograder_results")
    assert len({c["id"] for c in cells}) == len(cells) and {"mine"} <= {c["source"] for c in cells}


def test_nbconvert_renders_the_section_with_the_students_text_escaped(autograded):
    from nbconvert import HTMLExporter
    folder, submission = autograded
    late = Deadlines(parse_time("2025-03-14 23:59"), parse_policy("10%/day, max 50%")).late(
        "ada", {"time": "2025-03-16T01:59:00+00:00", "source": "nbgrader's timestamp.txt"})
    publish(folder, _record(), late, submission, None, NOTEBOOKS_OF)
    page, _ = HTMLExporter().from_filename(str(folder / "knn.ipynb"))
    assert "<table class=autograder-tests>" in page or '<table class="autograder-tests">' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "Submitted 26 h late: -20%" in page and "3 / 14 autograded points" in page
