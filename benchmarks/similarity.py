"""Seconds for `autograder similarity` on a generated class (default 500 students: 124,750 pairs).

    .venv/bin/python benchmarks/similarity.py [--students 500] [--workers 2]

Every student starts from the released assignment1. Each graded function of layers.py is the
reference's or the course's correct alternative (tests/mutation/test_net_tests.py), chosen at random; each of
optim.py, schedules.py and classifiers/fc_net.py is the reference's, one of two sets of alternatives
(tests/mutation/test_deep_net_tests.py) or the stub; every solution region starts with a line of the
student's own. Five students copy another one with renamed variables. Prints the time of each phase, the number of pairs reported
and where the copiers ranked.
"""
import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from autograder.similarity.compare import compare_class  # noqa: E402
import test_similarity as classes  # noqa: E402


def build(root, num_students, seed=0):
    rng = random.Random(seed)
    styles = [classes.reference(), classes.honest_rest(), classes.honest_mixed(), classes.stubs()]
    layer_choices = [(name, code) for name, code in classes.net.LAYERS_ALTERNATIVES]
    students = {}
    for number in range(num_students - 5):
        modules = {name: rng.choice(styles)[name] for name in classes.MODULES}
        # layers.py function by function: the reference's version or the alternative
        modules["layers.py"] = classes.with_functions(
            {"layers.py": classes.reference()["layers.py"]},
            [("layers.py", classes.Def(name), code) for name, code in layer_choices if rng.random() < 0.5])["layers.py"]
        # a line of the student's own at the start of every solution region
        for name, text in modules.items():
            modules[name] = re.sub(r"^( *)### BEGIN SOLUTION\n", lambda m: f"{m.group(0)}{m.group(1)}"
                                   f"student_mark = {number}\n", text, flags=re.M)
        students[f"s{number:03d}"] = modules
    for number in range(5):
        original = f"s{number * 7:03d}"
        students[f"copier{number}"] = {k: classes.renamed(v) for k, v in students[original].items()}
    classes.write_class(root, students)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    temp = Path(tempfile.mkdtemp(prefix="similarity-bench-"))
    try:
        start = time.perf_counter()
        build(temp / "submitted", args.students)
        built = time.perf_counter() - start
        start = time.perf_counter()
        report = compare_class(temp / "submitted", REPO / "release" / "assignment1", workers=args.workers)
        elapsed = time.perf_counter() - start
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    pairs = args.students * (args.students - 1) // 2
    ranks = [i + 1 for i, p in enumerate(report.pairs) if p["a"].startswith("copier") or p["b"].startswith("copier")]
    print(f"class of {args.students} ({pairs} pairs) built in {built:.1f} s")
    print(f"autograder similarity with {args.workers} workers: {elapsed:.1f} s; {len(report.pairs)} pairs reported, "
          f"{len(report.flagged())} flagged; copier pairs ranked {ranks[:10]}")


if __name__ == "__main__":
    main()
