"""Seconds for the class report of a class of 300 (``autograder report``, and the end of every grade run).

    .venv/bin/python benchmarks/class_report.py [--students 300] [--seed 0]

The class is made from real grading: five submissions of the whole assignment1 are graded once
each by the real grader (sandbox, public and hidden tests): the reference, the released stubs, and
three with planted bugs, named and unnamed by the course's diagnoses (kNN without the square root
and with vote ties to the larger label, an SVM gradient without the correct class's column, a
softmax gradient not divided by N; kNN voting among the farthest neighbours and an SVM margin of
0.5, which no diagnosis names; L1 distances). Each of the ``--students`` students then takes each
graded function's results from one of the five at random (the reference most often), so every
record holds real messages, diagnoses and answer fingerprints. Manual points are drawn at random.

Timed: the report of a first run (the store read, the analysis, the plots and page, the files),
then a second run in which a tenth of the class changed their upload, and each phase on its own.
"""
import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "helpers"))

from autograder.classrun import store  # noqa: E402
from autograder.classrun.class_report import class_report  # noqa: E402
from autograder.classrun.dashboard import analyse  # noqa: E402
from autograder.classrun.dashboard_html import render  # noqa: E402
from autograder.demo.run import cy_knn  # noqa: E402
from autograder.engine.job import grade_student  # noqa: E402
from autograder.sandbox import Limits, isolation_available  # noqa: E402
from class_builder import REFERENCE_KNN, RELEASE, SOURCE, add_student  # noqa: E402

KNN = Path("classifiers") / "k_nearest_neighbor.py"
SVM = Path("classifiers") / "linear_svm.py"
SOFTMAX = Path("classifiers") / "softmax.py"


def _edit(folder, relative, old, new):
    path = folder / relative
    text = path.read_text()
    if text.count(old) != 1:
        raise SystemExit(f"benchmark: the reference {relative} changed ({old!r} is no longer there once); update it")
    path.write_text(text.replace(old, new))


def variants(root):
    """{name: submission folder} for the five graded submissions."""
    folders = {name: add_student(root, name, REFERENCE_KNN) for name in ("reference", "bugs_named", "bugs_unnamed", "bugs_l1")}
    folders["stubs"] = add_student(root, "stubs", others="stub")
    named = folders["bugs_named"]
    (named / KNN).write_text(cy_knn((RELEASE / KNN).read_text()))
    _edit(named, SVM, "                dW[:, y[i]] -= X[i]\n", "")
    _edit(named, SOFTMAX, "    dW /= num_train\n", "")
    unnamed = folders["bugs_unnamed"]
    _edit(unnamed, KNN, 'np.argsort(dists[i], kind="stable")[:k]', 'np.argsort(-dists[i], kind="stable")[:k]')
    _edit(unnamed, SVM, "scores[rows, y][:, None] + 1.0)", "scores[rows, y][:, None] + 0.5)")
    _edit(folders["bugs_l1"], KNN, "dists[i, j] = np.sqrt(np.sum(diff * diff))", "dists[i, j] = np.sum(np.abs(diff))")
    return {name: folder.parent for name, folder in folders.items()}


WEIGHTS = {"reference": 6, "stubs": 1, "bugs_named": 1, "bugs_unnamed": 1, "bugs_l1": 1}


def compose(graded, student, rng):
    """A student whose every graded function's results come from one graded submission."""
    functions = []
    for t in graded["reference"]["tests"]:
        if t["function"] not in functions:
            functions.append(t["function"])
    names = [n for n, w in WEIGHTS.items() for _ in range(w)]
    source = {f: rng.choice(names) for f in functions}
    tests, answers, mistakes = [], {}, {}
    for name, record in graded.items():
        for t in record["tests"]:
            if source[t["function"]] == name:
                tests.append(t)
                if t["name"] in record.get("answers", {}):
                    answers[t["name"]] = record["answers"][t["name"]]
                if t.get("diagnosis"):
                    mistakes[t["diagnosis"]] = record["mistakes"][t["diagnosis"]]
    order = {t["name"]: i for i, t in enumerate(graded["reference"]["tests"])}
    tests.sort(key=lambda t: order[t["name"]])
    record = {"student": student, "assignment": "assignment1", "score": sum(t["points"] for t in tests),
              "max_score": sum(t["max_points"] for t in tests), "tests": tests,
              "seconds": round(rng.uniform(20, 90), 1), "answers": answers, "mistakes": mistakes}
    return record, "+".join(sorted(set(source.values())))


def save(out, record, key):
    path = store.results_path(out, record["student"], "assignment1")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"key": key, "record": record}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="print where the second report's time goes")
    args = parser.parse_args()
    if not isolation_available():
        raise SystemExit("benchmark: this machine cannot isolate student code (the variants are graded for real)")
    root = Path(tempfile.mkdtemp(prefix="class-report-bench-"))
    try:
        started = time.perf_counter()
        graded = {name: grade_student(name, str(folder), "assignment1", str(SOURCE), Limits(call_seconds=5.0))
                  for name, folder in variants(root / "submitted").items()}
        grading = time.perf_counter() - started
        rng = random.Random(args.seed)
        out = root / "out"
        for i in range(args.students):
            record, mix = compose(graded, f"s{i:04d}", rng)
            save(out, record, f"tests:{mix}")

        started = time.perf_counter()
        data, html_path, json_path, _ = class_report(out, "assignment1", record_run=True, budget=300.0)
        first = time.perf_counter() - started
        for i in range(0, args.students, 10):  # a tenth of the class hands in again
            record, mix = compose(graded, f"s{i:04d}", rng)
            save(out, record, f"tests:{mix}:again")
        started = time.perf_counter()
        if "--profile" in sys.argv:
            import cProfile
            import pstats
            profile = cProfile.Profile()
            again, _, _, _ = profile.runcall(class_report, out, "assignment1", record_run=True, budget=300.0)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        else:
            again, _, _, _ = class_report(out, "assignment1", record_run=True, budget=300.0)
        second = time.perf_counter() - started

        started = time.perf_counter()
        records = store.class_records(out, "assignment1")
        read = time.perf_counter() - started
        started = time.perf_counter()
        numbers = analyse(records, "assignment1", budget=300.0)
        analysis = time.perf_counter() - started
        numbers["changes"], numbers["generated"] = again["changes"], ""
        started = time.perf_counter()
        render(numbers, html_path, out)
        page = time.perf_counter() - started

        groups = data["groups"]["groups"]
        print(f"grading the 5 submissions the class is made of: {grading:.1f} s")
        print(f"class of {args.students}: {len(data['functions'])} graded functions, {len(data['mistakes'])} recognised "
              f"mistakes, {len(groups)} groups of unexplained failures (largest {groups[0]['size'] if groups else 0}), "
              f"{data['groups']['alone_total']} unshared; second run: {len(again['changes']['changed'])} score(s) changed")
        for group in groups[:3]:
            print(f"  group: {group['sentence']}")
        print(f"report, first run:  {first:.2f} s  (page {html_path.stat().st_size / 1e6:.2f} MB, "
              f"JSON {json_path.stat().st_size / 1e6:.2f} MB)")
        print(f"report, second run: {second:.2f} s")
        print(f"  of which: reading {len(records)} results files {read:.2f} s, analysis {analysis:.2f} s, "
              f"plots and page {page:.2f} s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
