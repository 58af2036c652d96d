"""``autograder demo`` (what ``make demo`` runs): release assignment1, build a small demo class,
grade it in parallel, and show that the scores come out as they should.

The class: the reference solution, the untouched stubs, a partly correct kNN written independently
(no square root in the vectorized distances, vote ties broken towards the larger label: its
feedback names both), a submission that attacks the grader in every graded function, and two
copiers: Eve hands in Ada's work with renamed variables and reordered functions, Fay hands in Cy's
with rewritten comments. Then Gus hands in late, through Canvas: his work arrives as a Canvas
"Download Submissions" zip, graded in a second run with a roster, and his knn.ipynb was cut off
during the upload (his code is complete), and Canvas's download records his upload 26 hours after
the due date. The demo class's ``nbgrader_config.py`` sets the late policy (10% per started day, at
most 50%) and the first run writes the due date into the gradebook: Gus loses 20% of his total,
and grades.csv keeps his raw score beside it. After grading, grades.csv must hold all seven,
``autograder similarity`` must put the two copied pairs at the top of its report, above every
honest pair, and the Canvas export must list the whole class.
"""
import ast
import csv
import io
import json
import re
import shutil
import sys
import time
import tokenize
import zipfile
from datetime import timedelta
from pathlib import Path

from ..authoring.release import STUB_RAISE_RE, release_assignment
from ..classrun.class_report import class_report
from ..classrun.deadlines import parse_time
from ..classrun.export import export
from ..classrun.grade import grade_class
from ..classrun.gradebook import Gradebook
from ..files import write_atomic
from ..intake.roster import load_roster
from ..sandbox import NO_ISOLATION, Limits, isolation_available
from ..similarity.compare import compare_class, report_json, summary_lines
from ..similarity.html import render

ASSIGNMENT = "assignment1"
MODULE = Path("classifiers") / "k_nearest_neighbor.py"
KNN = "classifiers.k_nearest_neighbor.KNearestNeighbor."
HONEST = ("ada_reference", "ben_stubs", "cy_partial", "dee_cheater")
COPIERS = ("eve_copies_ada", "fay_copies_cy")
LATE = "gus_late"
# Canvas's names: <name>[_LATE]_<user id>_<file id>_<original name>; the roster maps user ids.
CANVAS_FILE = "lategus_LATE_10007_88001_assignment1.zip"
ROSTER = ("student,name,lms_id,sis_user_id,sis_login_id,section,email\n"
          + "".join(f"{s},\"{s.split('_')[0].capitalize()}, Demo\",{10001 + i},S{10001 + i},{s}@example.edu,Demo,"
                    f"{s}@example.edu\n"
                    for i, s in enumerate(HONEST + COPIERS + (LATE,))))
# The demo's deadline, and Gus's upload 26 hours after it (two started days: -20%).
DUE = "2025-03-14 23:59 UTC"
LATE_POLICY = "10%/day, max 50%"
GUS_UPLOADED = parse_time(DUE) + timedelta(hours=26)
# What eve renames in ada's code (every occurrence of the name, attribute names excepted).
EVE_NAMES = {"out": "result", "cache": "stash", "dx": "grad_input", "dw": "grad_weights", "db": "grad_bias",
             "dout": "upstream", "x": "inputs", "rows": "flat", "dists": "distances", "loss": "objective",
             "grads": "gradients", "scores": "class_scores", "config": "settings", "hog": "histogram"}


# Cy's own kNN, written independently of the reference, with two bugs: no square root in the
# vectorized distances, vote ties broken towards the larger label. One entry per stub of the
# released module, in order (two loops, one loop, no loops, predict_labels).
CY_KNN = [
    "delta = X[i].astype(float) - self.X_train[j]\n"
    "dists[i, j] = np.sqrt(np.dot(delta, delta))\n",
    "gaps = self.X_train - X[i].astype(float)\n"
    "dists[i] = np.sqrt((gaps ** 2).sum(axis=1))\n",
    "test = X.astype(float)\n"
    "train = self.X_train.astype(float)\n"
    "a = (test ** 2).sum(axis=1).reshape(-1, 1)\n"
    "b = (train ** 2).sum(axis=1).reshape(1, -1)\n"
    "dists = np.maximum(a + b - 2 * test.dot(train.T), 0)\n",
    "order = np.argsort(dists[i], kind=\"stable\")[:k]\n"
    "counts = np.bincount(np.asarray(self.y_train)[order].astype(int))\n"
    "y_pred[i] = len(counts) - 1 - np.argmax(counts[::-1])\n",
]
STUB = re.compile(r"^( *)# YOUR CODE HERE\n *" + STUB_RAISE_RE.pattern + r"\n", re.MULTILINE)


def cy_knn(released):
    """The released kNN module with Cy's code in place of its stubs."""
    if len(STUB.findall(released)) != len(CY_KNN):
        raise RuntimeError("demo: the released kNN module no longer has one stub per entry of CY_KNN")
    bodies = iter(CY_KNN)
    return STUB.sub(lambda m: "".join(m.group(1) + line + "\n" for line in next(bodies).splitlines()), released)


def rename_names(text, names):
    """``text`` with every identifier in ``names`` renamed, except attributes (``.x``) and the
    names of functions and classes (the grader calls those)."""
    tokens, previous, out = list(tokenize.generate_tokens(io.StringIO(text).readline)), "", []
    for tok in tokens:
        if tok.type == tokenize.NAME and previous not in (".", "def", "class") and tok.string in names:
            tok = tok._replace(string=names[tok.string])
        out.append(tok)
        if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
            previous = tok.string
    return tokenize.untokenize(out)


def rewrite_comments(text):
    """``text`` with every comment and docstring replaced by words of the copier's own."""
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.COMMENT:
            tok = tok._replace(string="# my own comment")
        elif tok.type == tokenize.STRING and tok.string.startswith('"""'):
            tok = tok._replace(string='"""Written by me."""')
        out.append(tok)
    return tokenize.untokenize(out)


def reorder_functions(text):
    """``text`` with its top-level functions in the opposite order; other statements after the
    first function (constants, which may name functions) move after all of them, and comment
    banners between functions are dropped."""
    tree = ast.parse(text)
    lines = text.splitlines()
    first = next((i for i, node in enumerate(tree.body) if isinstance(node, ast.FunctionDef)), None)
    if first is None:
        return text

    def source(node):
        start = node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno
        return "\n".join(lines[start - 1:node.end_lineno])

    rest = tree.body[first:]
    functions = [source(n) for n in rest if isinstance(n, ast.FunctionDef)]
    others = [source(n) for n in rest if not isinstance(n, ast.FunctionDef)]
    head = lines[:tree.body[first].lineno - 1]
    return "\n".join(head + ["\n\n".join(reversed(functions))] + [""] + others) + "\n"


def _build_class(course, release_dir, submitted):
    if submitted.exists():
        shutil.rmtree(submitted)
    source = course / "source" / ASSIGNMENT
    demo_data = Path(__file__).parent / "data"
    knn = {"ada_reference": (source / MODULE).read_text(),
           "cy_partial": cy_knn((release_dir / MODULE).read_text()),
           "dee_cheater": (demo_data / "cheater_k_nearest_neighbor.py").read_text()}
    # Ada solved everything with the reference; Cy wrote her own kNN and left the rest as stubs;
    # Ben changed nothing; Dee attacks the grader in every kNN function.
    for student in HONEST:
        folder = submitted / student / ASSIGNMENT
        shutil.copytree(release_dir, folder)
        if student == "ada_reference":
            for module in source.rglob("*.py"):
                relative = module.relative_to(source)
                if relative.parts[0] != "tests":
                    shutil.copyfile(module, folder / relative)
        if student in knn:
            (folder / MODULE).write_text(knn[student])
    # Eve hands in Ada's work with variables renamed and the functions of layers.py and features.py
    # reordered; Fay hands in Cy's with the comments and docstrings rewritten.
    for copier, original, disguise in (("eve_copies_ada", "ada_reference", "rename"),
                                       ("fay_copies_cy", "cy_partial", "comments")):
        folder = submitted / copier / ASSIGNMENT
        shutil.copytree(submitted / original / ASSIGNMENT, folder)
        for path in folder.rglob("*.py"):
            if "tests" in path.relative_to(folder).parts:
                continue
            text = path.read_text()
            if disguise == "rename":
                changed = rename_names(text, EVE_NAMES)
                if path.name in ("layers.py", "features.py"):
                    changed = reorder_functions(changed)
            else:
                changed = rewrite_comments(text)
            path.write_text(changed)
    return list(HONEST + COPIERS)


def _build_late_download(course, release_dir, out):
    """The Canvas bulk download holding Gus's late upload (a zip of his assignment folder), and
    the roster that says who user 10007 is."""
    source = course / "source" / ASSIGNMENT
    staging = out / "late_staging"
    shutil.rmtree(staging, ignore_errors=True)
    folder = staging / ASSIGNMENT
    shutil.copytree(release_dir, folder)
    for module in source.rglob("*.py"):
        relative = module.relative_to(source)
        if relative.parts[0] != "tests":
            shutil.copyfile(module, folder / relative)
    notebook = (folder / "knn.ipynb").read_text()
    (folder / "knn.ipynb").write_text(notebook[:len(notebook) // 3])  # the upload was cut off
    inner = staging / CANVAS_FILE
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, (Path(ASSIGNMENT) / path.relative_to(folder)).as_posix())
    download = out / "canvas_download.zip"
    with zipfile.ZipFile(download, "w") as zf:
        # Canvas's entry time is the upload's; zip times are local, as zip tools write and read them.
        when = zipfile.ZipInfo(CANVAS_FILE, date_time=time.localtime(GUS_UPLOADED.timestamp())[:6])
        zf.writestr(when, inner.read_bytes())
    shutil.rmtree(staging)
    (out / "roster.csv").write_text(ROSTER)
    return download, out / "roster.csv"


def _late_checks(out, before, after, summary):
    """The late student joined without changing anyone else; the cut-off notebook cost only itself;
    the late policy took its 20% off his total and kept the raw score."""
    late = after.get(LATE)
    unchanged = {s: after.get(s) for s in before} == before
    page = (out / "autograded" / LATE / ASSIGNMENT / "autograder.html").read_text() if late else ""
    on_time = [s for s in before if before[s]["late_penalty"] != "0"]
    return [
        ("the late Canvas upload (second run) joins grades.csv as gus_late; the first six rows are unchanged",
         late is not None and set(after) == set(before) | {LATE} and unchanged),
        ("gus_late's cut-off knn.ipynb costs no autograded point, is in his feedback and in 'needs attention'",
         late is not None and late["score"] == late["max_score"] and "cut off" in page
         and f"{LATE}: knn.ipynb" in summary.split("needs attention")[-1]),
        (f"gus_late uploaded 26 h late (Canvas's time; due {DUE}, {LATE_POLICY}): total -20%, raw score kept, "
         f"said in his feedback",
         late is not None and late["late_penalty"] == "20" and float(late["raw_total"]) == float(late["score"])
         and abs(float(late["total"]) - 0.8 * float(late["raw_total"])) < 1e-9
         and "Submitted 26 h late: -20%" in page and not on_time),
    ]


def _csv_rows(out):
    with open(out / "grades.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def _expectations(records):
    """(description, ok) pairs comparing the demo's scores with what each student deserves."""
    by = {r["student"]: r for r in records}
    missing = sorted(set(HONEST + COPIERS) - set(by))
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


def _similarity_check(report):
    """The two copied pairs come first, at or above the threshold, and no honest pair is flagged."""
    copied = [{"ada_reference", "eve_copies_ada"}, {"cy_partial", "fay_copies_cy"}]
    top = [{p["a"], p["b"]} for p in report.pairs[:2]]
    honest_flagged = [p for p in report.flagged() if {p["a"], p["b"]} not in copied]
    ok = sorted(map(sorted, top)) == sorted(map(sorted, copied)) and all(p["flagged"] for p in report.pairs[:2]) \
        and not honest_flagged
    return "the two copied pairs head the similarity report, no honest pair is flagged", ok


def _class_report_check(data):
    """The class report names cy's tie-breaking bug once, though a public and a hidden test name it
    under two ids; it lists both copied pairs and gus_late as new since the first run."""
    ties = [m for m in data["mistakes"] if "ties_to_larger_label" in m["ids"]]
    pairs = {frozenset((p["a"], p["b"])) for p in data["attention"]["similarity"] or []}
    ok = (len(ties) == 1 and len(ties[0]["ids"]) == 2 and ties[0]["students"] == ["cy_partial", "fay_copies_cy"]
          and {frozenset(("ada_reference", "eve_copies_ada")), frozenset(("cy_partial", "fay_copies_cy"))} <= pairs
          and [n["student"] for n in data["changes"]["new"]] == [LATE])
    return ("the class report names the tie-breaking bug once (two ids merged), lists the copied pairs and "
            "gus_late as new since the first run", ok)


def _agreement(out, records):
    """Do the gradebook, the JSON file and grades.csv hold the same totals?"""
    json_totals = {r["student"]: r["score"] for r in json.loads((out / "grades.json").read_text())}
    with open(out / "grades.csv", newline="") as f:
        csv_totals = {row["student"]: float(row["score"]) for row in csv.DictReader(f)}
    book = Gradebook(None, ASSIGNMENT, out / "gradebook.db", out / "autograded").totals()
    return json_totals == csv_totals == {s: float(v) for s, v in book.items()}


def _class_config(course, out):
    """The demo class is an nbgrader course of its own (gradebook.db, autograded/ in demo_class/):
    the course's settings, so `jupyter lab` started there opens its formgrader, plus the demo's
    late policy, which every run and export in demo_class/ then uses."""
    base = (course / "nbgrader_config.py").read_text() if (course / "nbgrader_config.py").is_file() \
        else "c = get_config()  # noqa: F821\n"
    write_atomic(out / "nbgrader_config.py", base.rstrip("\n") + "\n\n# The demo's late policy (autograder grade and "
                 f"export read it).\nc.Autograder.late_policy = {LATE_POLICY!r}\n")


def run_demo(course_dir=".", workers=None):
    course = Path(course_dir).resolve()
    out = course / "demo_class"
    t0 = time.monotonic()
    print(f"[1/5] release: source/{ASSIGNMENT} -> release/{ASSIGNMENT}")
    release_dir = release_assignment(ASSIGNMENT, course_dir=course)
    print(f"[2/5] demo class in {out.relative_to(course)}/submitted: ", end="")
    for stale in ("autograded", "feedback", "intake", "gradebook.db", "grades.csv", "grades.json", "similarity.html",
                  "similarity.json", "canvas_download.zip", "roster.csv", "canvas_grades.csv", "report"):
        target = out / stale
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
    students = _build_class(course, release_dir, out / "submitted")
    _class_config(course, out)
    print(", ".join(students))
    if not isolation_available():
        print(f"error: {NO_ISOLATION}, and the demo class includes a cheater: nothing is graded here. "
              "Run the demo on Linux with user namespaces.", file=sys.stderr)
        return 2
    print("[3/5] grading with public and hidden tests (sandbox: namespaces and an allow-listed root: "
          "no network, nothing of the course visible, a time budget per student)")
    limits = Limits(call_seconds=3.0)
    summary = grade_class(out / "submitted", ASSIGNMENT, course_dir=course, workers=workers,
                          json_path=out / "grades.json", force=True, out_dir=out, limits=limits, due=DUE)
    print()
    print(summary)
    records = json.loads((out / "grades.json").read_text())
    checks = _expectations(records)
    before = _csv_rows(out)

    download, roster = _build_late_download(course, release_dir, out)
    print(f"\n[4/5] a late upload arrives as a Canvas download: grading {download.relative_to(course)} "
          f"with {roster.relative_to(course)}")
    late_summary = grade_class(download, ASSIGNMENT, course_dir=course, workers=workers, out_dir=out,
                               limits=limits, roster=load_roster(roster))
    print()
    print(late_summary)
    checks += _late_checks(out, before, _csv_rows(out), late_summary)
    records = json.loads((out / "grades.json").read_text())
    if all(ok for _, ok in checks):
        checks.append(("gradebook, grades.json and grades.csv agree on all seven students",
                       _agreement(out, records) and len(records) == 7))
    written, _ = export(out, ASSIGNMENT, "canvas", out / "canvas_grades.csv", roster=load_roster(roster))
    with open(out / "canvas_grades.csv", newline="") as f:
        canvas = list(csv.reader(f))
    print(f"export: wrote {written}")
    checks.append(("the Canvas export has the Points Possible row and all seven students with their Canvas IDs, "
                   "gus_late's score after the late penalty",
                   "Points Possible" in canvas[1][0] and sorted(r[1] for r in canvas[2:]) ==
                   [str(10001 + i) for i in range(7)]
                   and [r[-1] for r in canvas[2:] if r[1] == "10007"] == [_csv_rows(out)[LATE]["total"]]))

    print(f"\n[5/5] similarity report: {(out / 'similarity.html').relative_to(course)}")
    report = compare_class(out / "submitted", release_dir, assignment=ASSIGNMENT, workers=workers, progress=False)
    write_atomic(out / "similarity.html", render(report))
    write_atomic(out / "similarity.json", report_json(report))
    print("\n".join(summary_lines(report, top=4)))
    checks.append(_similarity_check(report))
    # The class report again, now with the similarity report beside it (every grade run wrote one).
    class_data, class_html, _, _ = class_report(out, ASSIGNMENT, roster=load_roster(roster))
    print(f"\nclass report: {class_html.relative_to(course)}")
    checks.append(_class_report_check(class_data))
    print()
    for text, ok in checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    print(f"\ndemo finished in {time.monotonic() - t0:.0f} s. Open "
          f"{(out / 'autograded' / 'cy_partial' / ASSIGNMENT / 'autograder.html').relative_to(course)} "
          f"to see what a student gets back, {(out / 'similarity.html').relative_to(course)} for the "
          f"similarity report, {(out / 'report' / (ASSIGNMENT + '.html')).relative_to(course)} for the class "
          f"report, {(out / 'grades.csv').relative_to(course)} for the grades. For nbgrader's "
          f"formgrader (scores, manual grading of the inline answers): "
          f"`cd {out.relative_to(course)} && ../.venv/bin/jupyter lab`, then Nbgrader > Formgrader.")
    return 0 if all(ok for _, ok in checks) else 1
