"""A generated class for load tests and benchmarks: correct, partial, broken and hostile kNN work.

``knn_course(folder)`` makes a course with only the kNN part of assignment1 (its reference module,
notebook and tests), so that hundreds of students grade in tens of seconds while every submission
still goes through the real sandbox and the real hidden tests. ``build_class(submitted, n)`` writes
``n`` submissions cycling through ``KINDS`` and returns {student: kind}.
"""
import shutil
import zipfile
from pathlib import Path

from class_builder import REFERENCE_KNN, SOURCE, STUB_KNN, replace_method

KNN_FILES = ["classifiers/__init__.py", "classifiers/k_nearest_neighbor.py", "knn.ipynb",
             "tests/public_knn.py", "tests/hidden_knn.py"]
RELEASE_FILES = ["classifiers/__init__.py", "knn.ipynb"]


def _method(name, body):
    return replace_method(REFERENCE_KNN, name, body)


ZEROS = "        return np.zeros((X.shape[0], self.X_train.shape[0]))\n"

# kind -> (what it earns, the kNN module it submits; None for a submission that is not even a zip)
KINDS = {
    "correct": ("full", REFERENCE_KNN),
    "correct_zip": ("full", REFERENCE_KNN),
    "partial_no_sqrt": ("partial", REFERENCE_KNN.replace("np.sqrt(", "(")),
    "partial_labels": ("partial", _method("predict_labels",
                                          "        return np.zeros(dists.shape[0], dtype=np.int64)\n")),
    "stub": ("zero", STUB_KNN),
    "syntax_error": ("zero", REFERENCE_KNN + "\ndef broken(:\n    pass\n"),
    "import_error": ("zero", "import a_module_that_does_not_exist\n" + REFERENCE_KNN),
    "not_a_zip": ("zero", None),
    "infinite_loop": ("partial", _method("compute_distances_one_loop", "        while True:\n            pass\n")),
    "memory_bomb": ("partial", _method("compute_distances_two_loops",
                                       "        big = np.ones(1 << 40)\n        return big\n")),
    "fork_flood": ("partial", _method("compute_distances_no_loops",
                                      "        import os\n        for _ in range(500):\n"
                                      "            try:\n                os.fork()\n"
                                      "            except OSError:\n                pass\n" + ZEROS)),
    "kill_everything": ("partial", _method("compute_distances_one_loop",
                                           "        import os, signal\n        for pid in (os.getppid(), 1, -1):\n"
                                           "            try:\n                os.kill(pid, signal.SIGKILL)\n"
                                           "            except OSError:\n                pass\n" + ZEROS)),
    "read_source": ("partial", _method("compute_distances_no_loops",
                                       f"        open({str(SOURCE / 'tests' / 'hidden_knn.py')!r}).read()\n" + ZEROS)),
    "print_flood": ("partial", _method("compute_distances_two_loops",
                                       "        import sys\n        for _ in range(50):\n"
                                       "            sys.stdout.write('x' * (1 << 20))\n" + ZEROS)),
}
# How often each kind appears in a class: mostly honest work, as in a real course.
WEIGHTS = {"correct": 6, "correct_zip": 2, "partial_no_sqrt": 2, "partial_labels": 2, "stub": 1,
           "syntax_error": 1, "import_error": 1, "not_a_zip": 1, "infinite_loop": 1, "memory_bomb": 1,
           "fork_flood": 1, "kill_everything": 1, "read_source": 1, "print_flood": 1}


def knn_course(folder):
    """A course folder whose ``source/assignment1`` holds only the kNN part."""
    source = Path(folder) / "source" / "assignment1"
    for relative in KNN_FILES:
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOURCE / relative, source / relative)
    return Path(folder)


def _write_submission(submitted, student, kind):
    code = KINDS[kind][1]
    if code is None:
        (submitted / f"{student}.zip").write_bytes(b"this is not a zip file\n" * 10)
        return
    folder = submitted / student / "assignment1"
    for relative in RELEASE_FILES:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOURCE.parent.parent / "release" / "assignment1" / relative, folder / relative)
    (folder / "classifiers" / "k_nearest_neighbor.py").write_text(code)
    if kind.endswith("_zip"):
        with zipfile.ZipFile(submitted / f"{student}.zip", "w") as zf:
            for path in sorted(folder.rglob("*")):
                zf.write(path, str(Path("assignment1") / path.relative_to(folder)))
        shutil.rmtree(submitted / student)


def build_class(submitted, n):
    """Write ``n`` submissions into ``submitted``; returns {student: kind} (kinds in a fixed cycle)."""
    submitted = Path(submitted)
    submitted.mkdir(parents=True, exist_ok=True)
    cycle = [kind for kind, weight in WEIGHTS.items() for _ in range(weight)]
    kinds = {}
    for i in range(n):
        student = f"s{i:04d}"
        kinds[student] = cycle[i % len(cycle)]
        _write_submission(submitted, student, kinds[student])
    return kinds
