"""Build demo-class submissions for grading tests: the released assignment with a module swapped."""
import shutil
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "source" / "assignment1"
RELEASE = REPO / "release" / "assignment1"
KNN_FILE = Path("classifiers") / "k_nearest_neighbor.py"
REFERENCE_KNN = (SOURCE / KNN_FILE).read_text()
STUB_KNN = (RELEASE / KNN_FILE).read_text()
KNN = "classifiers.k_nearest_neighbor.KNearestNeighbor."
# One realistic bug: the vectorized distances without their square root.
PARTIAL_KNN = REFERENCE_KNN.replace("dists = np.sqrt(np.maximum(sq_dists, 0.0))", "dists = np.maximum(sq_dists, 0.0)")


def add_student(submitted, student, knn_code=None, others="reference"):
    """``submitted/<student>/assignment1``: the release with ``knn_code`` as k_nearest_neighbor.py.

    The assignment's other modules are the reference solution (``others="reference"``), so that
    only the kNN code decides what a test student loses, or the untouched stubs (``"stub"``).
    """
    folder = Path(submitted) / student / "assignment1"
    shutil.copytree(RELEASE, folder)
    if others == "reference":
        for module in SOURCE.rglob("*.py"):
            relative = module.relative_to(SOURCE)
            if relative.parts[0] != "tests" and relative != KNN_FILE:
                (folder / relative).write_text(module.read_text())
    if knn_code is not None:
        (folder / KNN_FILE).write_text(knn_code)
    return folder


def zip_student(submitted, student, knn_code=None, extra_members=(), others="reference"):
    """``submitted/<student>.zip`` holding ``assignment1/...`` (plus raw extra members)."""
    staging = Path(submitted).parent / f"zip-staging-{student}"
    folder = add_student(staging, student, knn_code, others)
    archive = Path(submitted) / f"{student}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, str(Path("assignment1") / path.relative_to(folder)))
        for name, data in extra_members:
            zf.writestr(name, data)
    shutil.rmtree(staging)
    return archive


def replace_method(code, method, new_body):
    """Replace the body of ``KNearestNeighbor.<method>`` (up to the next ``def``) with ``new_body``
    (already indented by 8 spaces)."""
    start = code.index(f"    def {method}(")
    body = code.index(":\n", start) + 2
    following = code.find("\n    def ", body)
    end = len(code) if following < 0 else following + 1
    return code[:body] + new_body.rstrip("\n") + "\n\n" + code[end:]


def points_for(record, function):
    tests = [t for t in record["tests"] if t["function"] == KNN + function]
    return sum(t["points"] for t in tests), sum(t["max_points"] for t in tests)
