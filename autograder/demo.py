"""``autograder demo`` (what ``make demo`` runs): release assignment1, build a small demo class,
grade it in parallel, and show that the scores come out as they should.

The class: the reference solution, the untouched stubs, a partly correct submission (no square
root in the vectorized distances, vote ties broken towards the larger label: its feedback names
both), and a submission that attacks the grader in every graded function.
"""
import csv
import json
import shutil
import sys
import time
from pathlib import Path

from .grade import grade_class
from .gradebook import Gradebook
from .release import release_assignment
from .sandbox import NO_ISOLATION, Limits, isolation_available

ASSIGNMENT = "assignment1"
MODULE = Path("classifiers") / "k_nearest_neighbor.py"
KNN = "classifiers.k_nearest_neighbor.KNearestNeighbor."
PARTIAL_BUGS = {
    # the reference line -> the buggy line a student might write
    "dists = np.sqrt(np.maximum(sq_dists, 0.0))": "dists = np.maximum(sq_dists, 0.0)",
    "y_pred[i] = np.argmax(votes)": "y_pred[i] = len(votes) - 1 - np.argmax(votes[::-1])",
}


def _build_class(course, release_dir, submitted):
    if submitted.exists():
        shutil.rmtree(submitted)
    source = course / "source" / ASSIGNMENT
    reference_code = (source / MODULE).read_text()
    partial_code = reference_code
    for good, bad in PARTIAL_BUGS.items():
        if good not in partial_code:
            raise RuntimeError(f"demo: the reference no longer contains {good!r}; update PARTIAL_BUGS")
        partial_code = partial_code.replace(good, bad)
    cheater_code = (Path(__file__).parent / "demo_data" / "cheater_k_nearest_neighbor.py").read_text()
    students = {"ada_reference": reference_code, "ben_stubs": None, "cy_partial": partial_code,
                "dee_cheater": cheater_code}
    # Ada and Cy solved the rest of the assignment with the reference; Ben and Dee left it as stubs.
    solved_rest = {"ada_reference", "cy_partial"}
    for student, code in students.items():
        folder = submitted / student / ASSIGNMENT
        shutil.copytree(release_dir, folder)
        if student in solved_rest:
            for module in source.rglob("*.py"):
                relative = module.relative_to(source)
                if relative.parts[0] != "tests":
                    shutil.copyfile(module, folder / relative)
        if code is not None:
            (folder / MODULE).write_text(code)
    return list(students)


def _expectations(records):
    """(description, ok) pairs comparing the demo's scores with what each student deserves."""
    by = {r["student"]: r for r in records}
    missing = sorted({"ada_reference", "ben_stubs", "cy_partial", "dee_cheater"} - set(by))
    if missing:
        return [(f"every demo student was graded (NOT GRADED: {', '.join(missing)})", False)]

    def points(student, function):
        return sum(t["points"] for t in by[student]["tests"] if t["function"] == KNN + function)

    def max_points(function):
        return sum(t["max_points"] for t in by["ada_reference"]["tests"] if t["function"] == KNN + function)

    ref, stubs, cheat = by["ada_reference"], by["ben_stubs"], by["dee_cheater"]
    return [
        ("reference solution earns every point", ref["score"] == ref["max_score"]),
        ("untouched stubs earn 0, every function 'not implemented'",
         stubs["score"] == 0 and all(t["status"] == "not_implemented" for t in stubs["tests"])),
        ("partial earns full points on the distance loops it got right",
         all(points("cy_partial", f) == max_points(f)
             for f in ("compute_distances_two_loops", "compute_distances_one_loop"))),
        ("partial loses points on the two functions it broke",
         all(points("cy_partial", f) < max_points(f) for f in ("compute_distances_no_loops", "predict_labels"))),
        ("partial's feedback names both mistakes (diagnoses: square root missing, ties to the larger label)",
         {"sqrt_missing", "ties_to_larger_label"} <= {t.get("diagnosis") for t in by["cy_partial"]["tests"]}),
        ("cheater earns 0 on everything it attacked", cheat["score"] == 0),
    ]


def _agreement(out, records):
    """Do the gradebook, the JSON file and grades.csv hold the same totals?"""
    json_totals = {r["student"]: r["score"] for r in json.loads((out / "grades.json").read_text())}
    with open(out / "grades.csv", newline="") as f:
        csv_totals = {row["student"]: float(row["score"]) for row in csv.DictReader(f)}
    book = Gradebook(None, ASSIGNMENT, out / "gradebook.db", out / "autograded").totals()
    return json_totals == csv_totals == {s: float(v) for s, v in book.items()}


def run_demo(course_dir=".", workers=None):
    course = Path(course_dir).resolve()
    out = course / "demo_class"
    t0 = time.monotonic()
    print(f"[1/3] release: source/{ASSIGNMENT} -> release/{ASSIGNMENT}")
    release_dir = release_assignment(ASSIGNMENT, course_dir=course)
    print(f"[2/3] demo class in {out.relative_to(course)}/submitted: ", end="")
    for stale in ("autograded", "feedback", "gradebook.db", "grades.csv", "grades.json"):
        target = out / stale
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
    students = _build_class(course, release_dir, out / "submitted")
    print(", ".join(students))
    if not isolation_available():
        print(f"error: {NO_ISOLATION}, and the demo class includes a cheater: nothing is graded here. "
              "Run the demo on Linux with user namespaces.", file=sys.stderr)
        return 2
    print("[3/3] grading with public and hidden tests (sandbox: namespaces and an allow-listed root: "
          "no network, nothing of the course visible, a time budget per student)")
    summary = grade_class(out / "submitted", ASSIGNMENT, course_dir=course, workers=workers,
                          json_path=out / "grades.json", force=True, out_dir=out,
                          limits=Limits(call_seconds=3.0))
    print()
    print(summary)
    records = json.loads((out / "grades.json").read_text())
    checks = _expectations(records)
    if all(ok for _, ok in checks):
        checks.append(("gradebook, grades.json and grades.csv agree", _agreement(out, records)))
    print()
    for text, ok in checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    print(f"\ndemo finished in {time.monotonic() - t0:.0f} s. Open "
          f"{(out / 'feedback' / 'cy_partial' / ASSIGNMENT / 'autograder.html').relative_to(course)} "
          f"to see what a student gets back.")
    return 0 if all(ok for _, ok in checks) else 1
