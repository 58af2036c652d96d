"""Scores into nbgrader's gradebook, so that ``nbgrader export``, formgrader and manual grading of
the inline questions keep working.

Each notebook has one read-only grade cell per graded function, with id ``autograded_<function>``
(e.g. ``autograded_compute_distances_no_loops``) and the function's total points. nbgrader learns the
cells from ``generate_assignment`` and makes the students' autograded notebooks with
``autograde --no-execute`` (their own outputs kept for manual grading, nothing of theirs run). Both
run on a staging copy that holds notebooks only, so nbgrader never copies solution modules anywhere.
nbgrader's own score for those cells means nothing (it only looks for error outputs); the sandboxed
grader's points overwrite it.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections import defaultdict
from pathlib import Path

from ..intake.inert import write_inert_copy
from ..intake.workspace import SubmissionError, notebook_problem, private_copy


# nbgrader's Gradebook runs the `alembic` command it installs beside the interpreter.
_BIN = os.path.dirname(sys.executable)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")


def grade_cell_id(function):
    return "autograded_" + function.rsplit(".", 1)[-1]


def _nbgrader(args, cwd, on_line=None):
    """Run nbgrader; ``on_line(line)`` sees each line of its log as it comes. Returns an object with
    ``returncode`` and ``stdout`` (the whole log)."""
    process = subprocess.Popen([sys.executable, "-m", "nbgrader"] + args, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in process.stdout:
        lines.append(line)
        if on_line is not None:
            on_line(line)
    process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, "".join(lines), "")


_STUDENT_LINE = re.compile(r"Creating/updating student with ID '([^']+)'")


def _last_error(output):
    """The line of nbgrader's log that says what went wrong: the last exception, else the last
    error line that is not nbgrader's "see the above traceback"."""
    lines = [l.strip() for l in output.splitlines() if l.strip()]
    exceptions = [l for l in lines if re.match(r"^[\w.]*(Error|Exception)\b.*:", l)]
    errors = [l for l in lines if "error" in l.lower() and "above traceback" not in l]
    return (exceptions or errors or lines or ["(no output)"])[-1][:300]


class Gradebook:
    """The course's ``gradebook.db`` for one assignment."""

    def __init__(self, course, assignment, db_path, autograded_dir):
        self.course = Path(course) if course else None
        self.autograded_dir = Path(autograded_dir).resolve()
        self.assignment = assignment
        self.db_url = f"sqlite:///{Path(db_path).resolve()}"
        self.cells = {}  # function -> (notebook name without .ipynb, grade cell id)
        self.notebooks_seen = set()  # students whose notebooks nbgrader autograded in this run

    def _config(self, staging):
        return [f"--CourseDirectory.root={staging}", f"--CourseDirectory.db_url={self.db_url}",
                f"--CourseDirectory.autograded_directory={self.autograded_dir}"]

    def prepare(self, tests, submissions, progress=False):
        """Register the assignment's cells and make autograded notebooks for ``submissions``
        ({student: folder or zip}). Returns {student: [problems nbgrader had]}: reported, not fatal.
        ``progress``: a bar on standard error while nbgrader works through the students."""
        for test in tests:
            if test.notebook:
                self.cells[test.function] = (Path(test.notebook).stem, grade_cell_id(test.function))
        staging = Path(tempfile.mkdtemp(prefix="autograder-nbgrader-"))
        try:
            source = staging / "source" / self.assignment
            source.mkdir(parents=True)
            for nb in sorted((self.course / "source" / self.assignment).glob("*.ipynb")):
                shutil.copyfile(nb, source / nb.name)
            digest = hashlib.sha256(b"".join(nb.name.encode() + nb.read_bytes()
                                             for nb in sorted(source.glob("*.ipynb")))).hexdigest()
            stamp = self.autograded_dir / f".cells-{self.assignment}.sha256"
            # The cells only change with the source notebooks: a later run (a late student, one
            # regrade) skips nbgrader's generate_assignment, a third of this phase.
            if not (self._has_assignment() and stamp.is_file() and stamp.read_text() == digest):
                if progress:
                    print(f"nbgrader: reading the grade cells of {self.assignment}'s notebooks", file=sys.stderr)
                done = _nbgrader(["generate_assignment", self.assignment, "--force"] + self._config(staging), staging)
                if done.returncode != 0:
                    print(f"warning: nbgrader generate_assignment failed: {_last_error(done.stdout + done.stderr)}",
                          file=sys.stderr)
                    return {}
                stamp.parent.mkdir(parents=True, exist_ok=True)
                stamp.write_text(digest)
            self._check_cells(tests)
            return self._autograde_notebooks(staging, submissions, progress)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _has_assignment(self):
        from nbgrader.api import Gradebook as NbGradebook, MissingEntry
        try:
            with NbGradebook(self.db_url) as gb:
                gb.find_assignment(self.assignment)
            return True
        except MissingEntry:
            return False

    def _check_cells(self, tests):
        from nbgrader.api import Gradebook as NbGradebook, MissingEntry
        points = defaultdict(float)
        for test in tests:
            points[test.function] += test.points
        with NbGradebook(self.db_url) as gb:
            for function, (notebook, cell) in list(self.cells.items()):
                try:
                    found = gb.find_grade_cell(cell, notebook, self.assignment)
                except MissingEntry:
                    print(f"warning: {notebook}.ipynb has no grade cell {cell!r}; {function} is graded "
                          f"but not written to the gradebook", file=sys.stderr)
                    del self.cells[function]
                    continue
                if abs(found.max_score - points[function]) > 1e-9:
                    print(f"warning: grade cell {cell!r} is worth {found.max_score:g} points but its tests "
                          f"add up to {points[function]:g}", file=sys.stderr)

    def _autograde_notebooks(self, staging, submissions, progress):
        from nbgrader.api import Gradebook as NbGradebook
        from tqdm import tqdm
        submitted = staging / "submitted"
        students, unreadable, problems = [], {}, {}
        expected = {nb.name for nb in (self.course / "source" / self.assignment).glob("*.ipynb")}
        for student, path in submissions.items():
            try:
                # The grading job tells the student about renamed and missing files; here they
                # only decide which notebooks nbgrader sees.
                temp, folder = private_copy(path, self.assignment, expected=sorted(expected))
            except SubmissionError:
                continue  # the grading job gives the student the reason and a zero
            try:
                target = submitted / student / self.assignment
                target.mkdir(parents=True)
                for nb in sorted(Path(folder).glob("*.ipynb")):
                    problem = notebook_problem(nb)
                    if problem:
                        unreadable.setdefault(student, {})[nb.stem] = problem
                    else:
                        # What nbgrader stores is what the formgrader and feedback pages show: it
                        # must run nothing in a person's browser.
                        write_inert_copy(nb, target / nb.name, staging / "source" / self.assignment / nb.name)
                students.append(student)
            finally:
                shutil.rmtree(temp, ignore_errors=True)
        if not students:
            return problems
        with NbGradebook(self.db_url) as gb:
            for student in students:
                gb.update_or_create_student(student)
        base = ["autograde", self.assignment, "--no-execute", "--force"] + self._config(staging)
        with tqdm(total=len(students), desc="nbgrader", unit="student", disable=not progress,
                  file=sys.stderr) as bar:
            seen = set()

            def on_line(line):
                match = _STUDENT_LINE.search(line)
                if match and match.group(1) not in seen:
                    seen.add(match.group(1))
                    bar.update(1)

            done = _nbgrader(base, staging, on_line)
        if done.returncode != 0:
            # Something in one notebook broke the batch: retry one student at a time to name who.
            for student in students:
                one = _nbgrader(base + [f"--student={student}"], staging)
                if one.returncode != 0:
                    problems[student] = [f"nbgrader could not process the notebooks ({_last_error(one.stdout)})"]
                    print(f"{student}: nbgrader could not process the notebooks ({_last_error(one.stdout)}); "
                          f"autograded points are still recorded", file=sys.stderr)
        self._zero(students)
        self._mark_unreadable(unreadable)
        self.notebooks_seen = set(students) - set(problems)
        return problems

    def _mark_unreadable(self, unreadable):
        """Written answers of notebooks nbgrader never saw: 0, not waiting for a grader, and a comment
        on each saying why (formgrader shows it; a grader can still give points by hand)."""
        from nbgrader.api import Gradebook as NbGradebook, MissingEntry
        with NbGradebook(self.db_url) as gb:
            for student, notebooks in unreadable.items():
                for notebook, problem in notebooks.items():
                    try:
                        submitted = gb.find_submission_notebook(notebook, self.assignment, student)
                    except MissingEntry:
                        continue
                    for grade in submitted.grades:
                        if not grade.cell.name.startswith("autograded_"):
                            grade.auto_score, grade.needs_manual_grade = 0.0, False
                    for comment in submitted.comments:
                        comment.auto_comment = f"Not graded: {problem}. Nothing of this notebook could be shown."
            gb.db.commit()

    def _zero(self, students):
        """nbgrader gives our cells full marks when they show no error output; until the sandboxed
        grader has written a student's real points, they must read zero."""
        from nbgrader.api import Gradebook as NbGradebook, MissingEntry
        with NbGradebook(self.db_url) as gb:
            for student in students:
                for notebook, cell in self.cells.values():
                    try:
                        gb.find_grade(cell, notebook, self.assignment, student).auto_score = 0.0
                    except MissingEntry:
                        pass
            gb.db.commit()

    def record(self, record):
        """Write one student's autograded points (per graded function) into the gradebook."""
        from nbgrader.api import Gradebook as NbGradebook, MissingEntry
        per_function = defaultdict(float)
        for test in record["tests"]:
            per_function[test["function"]] += test["points"]
        student = record["student"]
        with NbGradebook(self.db_url) as gb:
            gb.update_or_create_student(student)
            try:
                gb.find_submission(self.assignment, student)
            except MissingEntry:  # nbgrader could not read this student's notebooks
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # SQLAlchemy's autoflush chatter inside nbgrader
                    gb.add_submission(self.assignment, student)
            if student not in self.notebooks_seen:
                # No notebook to show, so no written answer to grade: 0, not waiting for a grader.
                why = "; ".join(record.get("upload", [])) or "no notebook of this student could be read"
                for notebook in gb.find_submission(self.assignment, student).notebooks:
                    for grade in notebook.grades:
                        if not grade.cell.name.startswith("autograded_"):
                            grade.auto_score, grade.needs_manual_grade = 0.0, False
                    for comment in notebook.comments:
                        comment.auto_comment = f"Not graded: {why}. Nothing of this notebook could be shown."
            for function, (notebook, cell) in self.cells.items():
                grade = gb.find_grade(cell, notebook, self.assignment, student)
                grade.auto_score = per_function.get(function, 0.0)
            gb.db.commit()

    def write_names(self, roster):
        """Give every student of the gradebook whom ``roster`` lists their name, email and LMS id
        (``Roster.person``): the formgrader shows names instead of "None, None". Returns how many."""
        from nbgrader.api import Gradebook as NbGradebook
        named = 0
        with NbGradebook(self.db_url) as gb:
            for student in gb.students:
                fields = roster.person(student.id)
                for key, value in fields.items():
                    setattr(student, key, value)
                named += bool(fields)
            gb.db.commit()
        return named

    def totals(self):
        """{student: autograded score in the gradebook} for this assignment (for checks and tests)."""
        from nbgrader.api import Gradebook as NbGradebook
        with NbGradebook(self.db_url) as gb:
            out = {}
            for submission in gb.assignment_submissions(self.assignment):
                out[submission.student.id] = sum(
                    (g.auto_score or 0.0) for nb in submission.notebooks for g in nb.grades
                    if g.cell.name.startswith("autograded_"))
            return out
