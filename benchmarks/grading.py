"""Grading speed: seconds per student for assignment1's public and hidden kNN tests, with 1 and 2
workers, measured in one run on the same class (reference solutions, so every test runs to the end).

Notebook execution is not part of grading (the grader calls the student's modules), and the
nbgrader gradebook bookkeeping is timed separately, once per class.

    .venv/bin/python benchmarks/grading.py [--students 8]
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from autograder.classrun.grade import grade_class  # noqa: E402
from autograder.sandbox import isolation_available  # noqa: E402
from class_builder import REFERENCE_KNN, add_student  # noqa: E402


def _time_class(submitted, out, workers, gradebook):
    if out.exists():
        shutil.rmtree(out)
    start = time.perf_counter()
    grade_class(submitted, "assignment1", course_dir=REPO, out_dir=out, workers=workers,
                progress=False, gradebook=gradebook, force=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="grading-bench-"))
    try:
        submitted = root / "submitted"
        for i in range(args.students):
            add_student(submitted, f"student{i:03d}", REFERENCE_KNN)
        print(f"{args.students} students, {os.cpu_count()} cores, namespace sandbox: {isolation_available()}")
        one = _time_class(submitted, root / "out1", 1, gradebook=False)
        two = _time_class(submitted, root / "out2", 2, gradebook=False)
        book = _time_class(submitted, root / "out3", 2, gradebook=True) - two
        print(f"1 worker : {one:6.2f} s  ({one / args.students:.2f} s per student)")
        print(f"2 workers: {two:6.2f} s  ({two / args.students:.2f} s per student)")
        print(f"speed-up with 2 workers: {one / two:.2f}x")
        print(f"nbgrader gradebook and autograded notebooks, once per class: about {book:.1f} s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
