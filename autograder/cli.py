"""The ``autograder`` command: release, edition, check, grade, report, export, similarity, audit, demo."""
import argparse
import json
import sys
from pathlib import Path

from .sandbox.runner import Limits


CHECK_STATUS = """exit status: 0 when every public test passed, 1 when any did not (failed,
error, timeout or not implemented yet), 2 when the check could not run (no tests/ folder, no
such notebook)."""


def _cmd_check(args):
    from .student.check import CheckError, check
    from .engine.summary import score_table
    try:
        assignment, results = check(args.path)
    except CheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    status = 0 if all(r["status"] == "passed" for r in results) else 1
    if args.json:
        print(json.dumps({"assignment": assignment, "score": sum(r["points"] for r in results),
                          "max_score": sum(r["max_points"] for r in results), "tests": results}, indent=2))
    else:
        print(score_table(results, title=f"{assignment}: public tests (the grader adds hidden tests)"))
        if args.verbose:
            print()
            for r in results:
                print(f"  {r['status']:<15} {r['name']}: {r['message']}")
    return status


def _cmd_release(args):
    from .authoring.release import ReleaseError, release_assignment
    try:
        release_assignment(args.assignment, course_dir=args.course)  # prints its own summary
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_edition(args):
    from .authoring.edition import write_edition
    from .authoring.release import ReleaseError
    try:
        write_edition(args.folder, course_dir=args.course, assignments=args.assignment, git=args.git)
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _roster(path):
    from .intake.roster import load_roster
    return load_roster(path) if path else None


def _cmd_grade(args):
    from .classrun.grade import GradeError, grade_class
    from .intake.roster import RosterError
    if args.budget <= 0:
        print("error: --budget must be a positive number of seconds", file=sys.stderr)
        return 2
    try:
        summary = grade_class(args.submissions, assignment=args.assignment, course_dir=args.course,
                              workers=args.workers, json_path=args.json, force=args.force,
                              scheduler=args.scheduler, insecure=args.insecure,
                              limits=Limits(student_seconds=args.budget), students=args.student,
                              roster=_roster(args.roster), due=args.due, late_policy=args.late_policy)
    except (GradeError, RosterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary)
    return 3 if summary.not_graded else 0


def _cmd_report(args):
    from .classrun.class_report import ReportError, class_report
    from .intake.roster import RosterError
    try:
        data, html_path, json_path, seconds = class_report(
            args.course, args.assignment, roster=_roster(args.roster), html_path=args.html, json_path=args.json,
            similarity_path=args.similarity)
    except (ReportError, RosterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from .classrun.dashboard import top_mistakes_lines
    print("\n".join(top_mistakes_lines(data)))
    groups = data["groups"]["groups"]
    print(f"{data['students']} student(s); {len(groups)} group(s) of unexplained failures; "
          f"{len(data['changes']['changed'])} score(s) changed since the run it compares with")
    print(f"wrote {html_path} and {json_path} in {seconds:.1f} s")
    return 0


def _cmd_export(args):
    from .classrun.export import ExportError, export
    from .intake.roster import RosterError
    try:
        written, warnings = export(args.course, args.assignment, args.format, args.to, roster=_roster(args.roster),
                                   column=args.column, hidden_visibility=args.hidden_tests, due=args.due,
                                   late_policy=args.late_policy)
    except (ExportError, RosterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in warnings:
        print(f"note: {line}", file=sys.stderr)
    print(f"wrote {written}")
    return 0


def _cmd_similarity(args):
    from .files import write_atomic
    from .similarity.compare import SimilarityError, compare_class, report_json, summary_lines
    from .similarity.html import render
    release = Path(args.course) / "release" / args.assignment
    try:
        report = compare_class(args.submissions, release, assignment=args.assignment, threshold=args.threshold,
                               workers=args.workers)
    except SimilarityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        write_atomic(Path(args.json), report_json(report))
    if args.html:
        write_atomic(Path(args.html), render(report))
    print("\n".join(summary_lines(report)))
    return 0


def _cmd_audit(args):
    from .authoring.mutation_audit import AuditError, audit_assignment, console_report, report_json
    from .authoring.mutation_html import render
    from .files import write_atomic
    if args.workers is not None and args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        report = audit_assignment(args.assignment, course_dir=args.course, function=args.function,
                                  workers=args.workers)
    except AuditError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: an audit keeps nothing until it ends; run it again (--function NAME audits one "
              "function)", file=sys.stderr)
        return 130
    if args.json:
        write_atomic(Path(args.json), report_json(report))
    if args.html:
        write_atomic(Path(args.html), render(report))
    print(console_report(report))
    return 0


def _cmd_demo(args):
    from .demo.run import run_demo
    return run_demo(course_dir=args.course, workers=args.workers)


def _deadline_options(parser, due_effect):
    parser.add_argument("--due", default=None, metavar="TIME",
                        help=f"the due date, e.g. '2025-03-14 23:59 Europe/Berlin' (no zone: UTC, as in nbgrader); "
                             f"default: the assignment's due date in nbgrader's gradebook; {due_effect}")
    parser.add_argument("--late-policy", default=None, metavar="POLICY",
                        help="'none', '10%%/day, max 50%%' (per started day or hour, up to a cap) or 'zero after "
                             "2h'; default: c.Autograder.late_policy in the course's nbgrader_config.py, else none")


def _parser():
    p = argparse.ArgumentParser(prog="autograder", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="self-assessment: run the public tests on your work", epilog=CHECK_STATUS)
    c.add_argument("path", nargs="?", default=".", help="assignment folder or one notebook (default: .)")
    c.add_argument("--json", action="store_true", help="print results as JSON")
    c.add_argument("-v", "--verbose", action="store_true", help="also list every test")
    c.set_defaults(run=_cmd_check)

    r = sub.add_parser("release", help="generate release/ASSIGNMENT from source/ASSIGNMENT")
    r.add_argument("assignment", nargs="?", default="assignment1")
    r.add_argument("--course", default=".", help="course folder holding source/ (default: .)")
    r.set_defaults(run=_cmd_release)

    ed = sub.add_parser("edition", help="write the student edition: the released assignments and what they need, "
                                         "no solution, no hidden test (a folder, a zip, optionally a git repository)")
    ed.add_argument("folder", help="the folder to write (FOLDER.zip is written next to it)")
    ed.add_argument("--course", default=".", help="course folder holding source/ (default: .)")
    ed.add_argument("--assignment", action="append", metavar="NAME",
                    help="include only this assignment (repeat for several; default: all of source/)")
    ed.add_argument("--git", action="store_true", help="also commit the edition in a git repository in FOLDER")
    ed.set_defaults(run=_cmd_edition)

    g = sub.add_parser("grade", help="grade a class with public and hidden tests, in parallel")
    g.add_argument("submissions", help="folder (or zip) of <student>/<assignment>/... folders, <student>.zip "
                                       "files or a Canvas/Moodle bulk download")
    g.add_argument("--assignment", default="assignment1")
    g.add_argument("--course", default=".", help="course folder holding source/ and gradebook.db (default: .)")
    g.add_argument("--workers", type=int, default=None, help="parallel students (default: one per core)")
    g.add_argument("--json", default=None, metavar="FILE", help="also write the results as JSON to FILE")
    g.add_argument("--force", action="store_true", help="regrade students whose results are up to date")
    g.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="grade on a Dask distributed cluster, e.g. tcp://10.0.0.5:8786 (replaces --workers)")
    g.add_argument("--budget", type=float, default=Limits.student_seconds, metavar="SECONDS",
                   help="wall time for all of one student's tests; tests left when it is spent count "
                        "as timeouts (default: %(default)g)")
    g.add_argument("--student", action="append", metavar="NAME",
                   help="grade only this student, again even if unchanged (repeat for several); the "
                        "others' results stay as they are")
    g.add_argument("--roster", default=None, metavar="CSV",
                   help="roster mapping LMS ids and names in bulk downloads to students "
                        "(columns: student, name, lms_id, sis_user_id, sis_login_id, section, email, "
                        "extension: '2d' or a new due date)")
    _deadline_options(g, "grade writes it there for later runs and exports")
    g.add_argument("--insecure", action="store_true",
                   help="grade even where student code cannot be isolated (no Linux user namespaces): "
                        "resource limits only; recorded in grades.json and the feedback")
    g.set_defaults(run=_cmd_grade)

    rp = sub.add_parser("report", help="the class report: scores, functions, mistakes, groups of unexplained "
                                       "failures, changes between runs (every grade run writes it too)")
    rp.add_argument("--course", default=".", help="folder holding autograded/ and gradebook.db (default: .)")
    rp.add_argument("--assignment", default="assignment1")
    rp.add_argument("--html", default=None, metavar="FILE",
                    help="where to write the page (default: COURSE/report/ASSIGNMENT.html)")
    rp.add_argument("--json", default=None, metavar="FILE",
                    help="where to write the numbers (default: COURSE/report/ASSIGNMENT.json)")
    rp.add_argument("--roster", default=None, metavar="CSV", help="list students on it without results as missing")
    rp.add_argument("--similarity", default=None, metavar="FILE",
                    help="a JSON of `autograder similarity` whose flagged pairs to list (default: "
                         "COURSE/similarity.json when it exists)")
    rp.set_defaults(run=_cmd_report)

    e = sub.add_parser("export", help="the whole class's grades for an LMS: canvas, moodle, gradescope or csv")
    e.add_argument("--format", required=True, choices=["canvas", "moodle", "gradescope", "csv"])
    e.add_argument("--to", required=True, metavar="FILE",
                   help="the file to write (for gradescope: a folder, one <student>/results.json each)")
    e.add_argument("--assignment", default="assignment1")
    e.add_argument("--course", default=".", help="folder holding autograded/ and gradebook.db (default: .)")
    e.add_argument("--roster", default=None, metavar="CSV", help="names, LMS and SIS ids and sections to export")
    e.add_argument("--column", default=None, metavar="NAME",
                   help="Canvas: the assignment column, e.g. 'Assignment 1 (12345)' to update an existing "
                        "one (default: the assignment's name, which creates a new column)")
    e.add_argument("--hidden-tests", default="after_published", choices=["after_published", "hidden"],
                   help="gradescope: when students see hidden tests' results (default: %(default)s)")
    _deadline_options(e, "given here, for this export only")
    e.set_defaults(run=_cmd_export)

    s = sub.add_parser("similarity", help="rank pairs of students by the code they share beyond the starter code")
    s.add_argument("submissions", help="folder of <student>/<assignment>/... folders or <student>.zip files")
    s.add_argument("--assignment", default="assignment1")
    s.add_argument("--course", default=".", help="course folder holding release/ (default: .)")
    s.add_argument("--threshold", type=float, default=0.6, metavar="T",
                   help="pairs scoring at least T are marked for review (default: %(default)g)")
    s.add_argument("--html", default=None, metavar="FILE", help="write the report with side-by-side code to FILE")
    s.add_argument("--json", default=None, metavar="FILE", help="write [{a, b, score, functions}] to FILE")
    s.add_argument("--workers", type=int, default=None, help="parallel processes (default: one per core)")
    s.set_defaults(run=_cmd_similarity)

    a = sub.add_parser("audit", help="mutation audit: grade small changes to the reference solution with the "
                                      "assignment's own tests and list the ones no test catches")
    a.add_argument("assignment", help="the assignment in source/ to audit, e.g. assignment1")
    a.add_argument("--course", default=".", help="course folder holding source/ (default: .)")
    a.add_argument("--function", default=None, metavar="NAME",
                   help="audit only this function (its dotted name, or its end: svm_loss_naive, "
                        "KNearestNeighbor.predict_labels)")
    a.add_argument("--json", default=None, metavar="FILE", help="also write the report as JSON to FILE")
    a.add_argument("--html", default=None, metavar="FILE", help="also write the report as an HTML page to FILE")
    a.add_argument("--workers", type=int, default=None, help="parallel processes (default: one per core)")
    a.set_defaults(run=_cmd_audit)

    d = sub.add_parser("demo", help="release, then grade a small demo class")
    d.add_argument("--course", default=".", help="course folder holding source/ (default: .)")
    d.add_argument("--workers", type=int, default=None)
    d.set_defaults(run=_cmd_demo)
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith(__package__ + "."):
            raise
        # A student edition holds the student's half of the grader only.
        print(f"error: `autograder {args.command}` is for instructors and is not part of this copy of the course; "
              f"`autograder check` is", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished results are kept; run the same command again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
