"""The student edition: everything a student needs and nothing an instructor keeps.

``autograder edition DIR`` writes a self-contained course folder ``DIR`` and ``DIR.zip`` (and, with
``git=True``, a git repository in ``DIR``):

* every assignment of ``source/``, released fresh (``release.py``: stubs, nbgrader's student
  notebooks, public tests only), at the top: ``DIR/assignment0``, ``DIR/assignment1``;
* the packages those import (``shipping.py``): the course's helper packages whole, and of the
  grader only the student's half (``autograder check``, the self-check cells, what public tests
  import, the sandbox);
* ``requirements.txt`` with the course's own pins of what students need (:data:`STUDENT_PINS`),
  a ``pyproject.toml`` that installs the three packages with pip (``autograder`` is the command),
  a ``Makefile`` whose ``make setup`` and ``make check`` set the folder up and check the work, and
  whatever the course keeps in ``for-students/`` (its student README).

Then the whole tree is checked: no ``source/`` folder, no hidden test, no solution or hidden-test
marker, no instructor-only room of the grader, and the release audit (``audit.py``) on every
function in it. Only then does the new edition replace the old one (a folder this command did not
write is never replaced), so a refused edition leaves nothing half-written.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import string
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import audit
from .release import SKIP_DIRS, _release, _swap
from .shipping import INSTRUCTOR_ONLY, ShippedFile, shipped_packages
from .stubs import LEAK_MARKERS, ReleaseError

__all__ = ["EditionSummary", "STUDENT_PINS", "write_edition"]

#: Distributions of the course's requirements.txt that students get pinned: what the shipped code
#: imports (numpy, scipy, matplotlib, scikit-learn, tqdm, nbformat; scikit-image for the HOG
#: comparison in features.ipynb), Jupyter with widgets and nbgrader's Validate button, and
#: setuptools for the editable install. Not: pytest, selenium, Dask (the instructor's tools).
STUDENT_PINS = ("numpy", "scipy", "matplotlib", "scikit-learn", "scikit-image", "tqdm", "nbformat",
                "jupyterlab", "notebook", "ipykernel", "ipywidgets", "nbgrader", "setuptools")
#: Of those, what the shipped packages need to run (the pyproject's dependencies, with the
#: course's own ranges): the rest is Jupyter, which a JupyterHub already has.
RUNTIME = ("numpy", "scipy", "matplotlib", "scikit-learn", "tqdm")
#: The course folder whose files are copied to the top of the edition as they are.
FOR_STUDENTS = "for-students"
#: Written into every edition: only a folder holding it may be replaced by a new edition.
MARK = ".course-edition"

_FILES = Path(__file__).with_name("edition_files")
_PIN_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s#;]+)")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so that the same edition zips to the same bytes


@dataclass
class EditionSummary:
    """What an edition holds (``str()`` is what is printed)."""
    folder: Path
    archive: Path
    assignments: list
    files: int = 0
    grader_modules: int = 0
    audit: str = ""
    git: str = ""
    notes: list = field(default_factory=list)

    def __str__(self) -> str:
        return (f"wrote the student edition to {self.folder} and {self.archive}: {', '.join(self.assignments)}, "
                f"{self.files} files ({self.grader_modules} modules of the grader, the student's half)"
                + (f"\n{self.audit}" if self.audit else "") + (f"\n{self.git}" if self.git else ""))


def _requirements(course: Path) -> str:
    pins = {}
    path = course / "requirements.txt"
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        m = _PIN_RE.match(line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    missing = [name for name in STUDENT_PINS if name not in pins]
    if missing:
        raise ReleaseError(f"requirements.txt pins no version of {', '.join(missing)}, which students need")
    lines = ["# What the notebooks and the self-check need, pinned as the course tests them. `make setup` installs these."]
    return "\n".join(lines + [f"{name}=={pins[name]}" for name in STUDENT_PINS]) + "\n"


def _pyproject(course: Path) -> str:
    text = (course / "pyproject.toml").read_text(encoding="utf-8") if (course / "pyproject.toml").is_file() else ""
    version = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
    ranges = {}
    for spec in re.findall(r'"([A-Za-z0-9][A-Za-z0-9._-]*[<>=!~][^"]*)"', text):
        ranges[re.split(r"[<>=!~]", spec, 1)[0].lower()] = spec
    dependencies = ",\n".join(f'    "{ranges.get(name, name)}"' for name in RUNTIME)
    template = string.Template((_FILES / "pyproject.toml").read_text(encoding="utf-8"))
    return template.substitute(version=version.group(1) if version else "0.1.0", dependencies=dependencies)


def _assignments(course: Path, chosen) -> list:
    source = course / "source"
    found = sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith(".")) \
        if source.is_dir() else []
    if chosen:
        unknown = [a for a in chosen if a not in found]
        if unknown:
            raise ReleaseError(f"no assignment {unknown[0]!r} in {source} (there are: {', '.join(found) or 'none'})")
        return list(dict.fromkeys(chosen))
    if not found:
        raise ReleaseError(f"no assignments in {source}: nothing to give students")
    return found


def _copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    shutil.copymode(src, dest)


def _tree(folder: Path) -> list:
    """Every file under ``folder`` except a git repository's own, in a fixed order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and ".git" not in p.relative_to(folder).parts)


def check_tree(course: Path, folder: Path, behaviour: bool = True) -> audit.AuditReport:
    """Refuse (:class:`ReleaseError`) an edition tree that holds a ``source`` folder, a hidden test,
    a solution or hidden-test marker, or an instructor-only room of the grader, or that the release
    audit flags; returns the audit's report otherwise."""
    files = _tree(folder)
    for path in files:
        rel = path.relative_to(folder)
        shown = rel.as_posix()
        if rel.parts[0] == "source" or any(part.startswith("hidden_") for part in rel.parts):
            raise ReleaseError(f"edition check failed: {shown} is an instructor's file")
        module = ".".join(rel.with_suffix("").parts)
        if any(module == room or module.startswith(room + ".") for room in INSTRUCTOR_ONLY):
            raise ReleaseError(f"edition check failed: {shown} is part of the grader's instructor side")
        data = path.read_bytes()
        for marker in LEAK_MARKERS:
            pos = data.find(marker.encode())
            if pos >= 0:
                line = data.count(b"\n", 0, pos) + 1
                raise ReleaseError(f"edition check failed: {shown} (line {line}) contains '{marker}'")
    return audit.check(course, [ShippedFile(p, p.relative_to(folder).as_posix()) for p in files], behaviour)


def _zip(folder: Path, archive: Path) -> None:
    """``folder`` as ``archive`` (entries under the folder's name), the same bytes for the same tree."""
    temp = archive.with_name(f".{archive.name}.{os.getpid()}-{secrets.token_hex(4)}")
    try:
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in _tree(folder):
                if path.name == MARK:
                    continue
                info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", _ZIP_TIME)
                info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
        os.replace(temp, archive)
    finally:
        temp.unlink(missing_ok=True)


def _git(folder: Path, message: str) -> str:
    """Commit the edition in ``folder`` (a new repository, or the one of the previous edition)."""
    def run(*args):
        return subprocess.run(["git", "-C", str(folder), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, check=False)

    try:
        if not (folder / ".git").exists():
            result = run("init", "--quiet")
            if result.returncode:
                raise ReleaseError(f"git init failed in {folder}: {result.stderr.strip()}")
    except FileNotFoundError:
        raise ReleaseError("--git needs the git command, which is not installed") from None
    run("add", "--all")
    if run("diff", "--cached", "--quiet").returncode == 0 and run("rev-parse", "--verify", "--quiet", "HEAD").returncode == 0:
        return f"git: {folder} unchanged since its last commit"
    identity = []
    if not run("config", "user.email").stdout.strip():
        identity = ["-c", "user.name=Course staff", "-c", "user.email=staff@course.invalid"]
    result = subprocess.run(["git", "-C", str(folder), *identity, "commit", "--quiet", "-m", message],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    if result.returncode:
        raise ReleaseError(f"git commit failed in {folder}: {result.stderr.strip() or result.stdout.strip()}")
    head = run("rev-parse", "--short", "HEAD").stdout.strip()
    return f"git: committed {head} in {folder}"


def _replaceable(target: Path) -> None:
    if not (target.exists() or target.is_symlink()):
        return
    if target.is_dir() and not target.is_symlink() and ((target / MARK).is_file() or not any(target.iterdir())):
        return
    raise ReleaseError(f"{target} exists and is not a student edition written by `autograder edition`: "
                       f"choose a new folder (nothing was written)")


def write_edition(target, course_dir=".", assignments=None, *, git: bool = False, quiet: bool = False) -> EditionSummary:
    """Write the student edition of ``course_dir`` to ``target`` and ``target.zip`` (see the module
    docstring); with ``git``, commit it in a git repository in ``target`` (a later edition becomes
    the next commit; an earlier edition's repository is kept even without ``git``).
    ``assignments``: the assignments to include (default: all of ``source/``).
    Raises :class:`ReleaseError` with one line naming what is wrong; nothing is replaced then."""
    course = Path(course_dir).resolve()
    target = Path(target).resolve()
    if target == course or course in target.parents and target.relative_to(course).parts[0] in ("source", "release"):
        raise ReleaseError(f"{target} is inside the course's own folders: choose a folder outside source/ and release/")
    _replaceable(target)
    chosen = _assignments(course, assignments)
    target.parent.mkdir(parents=True, exist_ok=True)
    build = target.with_name(f".{target.name}.building-{os.getpid()}-{secrets.token_hex(4)}")
    build.mkdir()
    try:
        for assignment in chosen:
            _release(assignment, course, build, audit_it=False)
        packages = shipped_packages(course, [build / a for a in chosen])
        for item in packages:
            _copy(item.path, build / item.shown)
        extra = course / FOR_STUDENTS
        for path in sorted(extra.rglob("*")) if extra.is_dir() else []:
            if path.is_file() and not SKIP_DIRS & set(path.relative_to(extra).parts):
                _copy(path, build / path.relative_to(extra))
        (build / "requirements.txt").write_text(_requirements(course), encoding="utf-8")
        (build / "pyproject.toml").write_text(_pyproject(course), encoding="utf-8")
        shutil.copyfile(_FILES / "Makefile", build / "Makefile")
        shutil.copyfile(_FILES / "gitignore", build / ".gitignore")
        (build / MARK).write_text(json.dumps({"written by": "autograder edition", "assignments": chosen}) + "\n")
        report = check_tree(course, build)
        if (target / ".git").is_dir():
            shutil.move(str(target / ".git"), str(build / ".git"))  # the repository goes on with the new tree
        _swap(build, target)
    except BaseException:
        if (build / ".git").is_dir() and target.is_dir() and not (target / ".git").exists():
            shutil.move(str(build / ".git"), str(target / ".git"))
        shutil.rmtree(build, ignore_errors=True)
        raise
    archive = target.with_name(target.name + ".zip")
    _zip(target, archive)
    summary = EditionSummary(target, archive, chosen, files=len(_tree(target)),
                             grader_modules=sum(1 for item in packages if item.shown.startswith("autograder/")),
                             audit=report.summary())
    if git:
        summary.git = _git(target, f"Student edition: {', '.join(chosen)}")
    if not quiet:
        print(summary)
    return summary
