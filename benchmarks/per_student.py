"""Seconds to grade one whole assignment1 submission (every public and hidden test, one process):
the reference solution and two submissions with one planted bug each.

    .venv/bin/python benchmarks/per_student.py [--repeats 3]

To compare two versions of the grader, run it on each (e.g. `git checkout <commit>`), one after
the other on an idle machine; the ratio of the two runs is the number to read.
"""
import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.engine.discovery import load_tests  # noqa: E402
from autograder.engine.running import run_tests  # noqa: E402

SOURCE = REPO / "source" / "assignment1"
# name -> (file, reference text, buggy text), or None for the reference itself
SUBMISSIONS = {
    "reference": None,
    "affine_backward sums db over the wrong axis": (
        "layers.py", "    db = np.sum(dout, axis=0)", "    db = np.sum(dout, axis=1)"),
    "no square root in the vectorized kNN distances": (
        "classifiers/k_nearest_neighbor.py", "dists = np.sqrt(np.maximum(sq_dists, 0.0))",
        "dists = np.maximum(sq_dists, 0.0)"),
}


def _submission(bug):
    work = Path(tempfile.mkdtemp()) / "assignment1"
    shutil.copytree(SOURCE, work, ignore=shutil.ignore_patterns("tests", "*.ipynb", "__pycache__"))
    if bug:
        path = work / bug[0]
        text = path.read_text()
        if bug[1] not in text:
            raise SystemExit(f"the reference no longer contains {bug[1]!r}: update SUBMISSIONS")
        path.write_text(text.replace(bug[1], bug[2]))
    return work


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tests = load_tests(SOURCE / "tests", include_hidden=True)
    for name, bug in SUBMISSIONS.items():
        times = []
        for _ in range(args.repeats):
            work = _submission(bug)
            start = time.perf_counter()
            results = run_tests(tests, work, reference_dir=SOURCE)
            times.append(time.perf_counter() - start)
            shutil.rmtree(work.parent)
        score, full = sum(r.points for r in results), sum(r.max_points for r in results)
        print(f"{name}: {min(times):.2f} s best of {len(times)} "
              f"({', '.join(f'{t:.2f}' for t in times)}), {score:g}/{full:g} points")


if __name__ == "__main__":
    main()
