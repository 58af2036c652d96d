"""Generate the student release of an assignment from its instructor source.

``source/<assignment>/`` holds three kinds of files:

* notebooks, which use nbgrader's own markers and cell metadata; ``notebooks.py`` turns them into
  the student version with ``nbgrader generate_assignment``;
* student modules (``*.py`` outside ``tests/``) whose reference code sits between a
  ``### BEGIN SOLUTION`` line and a ``### END SOLUTION`` line; ``stubs.py`` replaces each region
  by the same stub nbgrader puts into code cells;
* tests: only ``tests/public_*`` files are released; hidden tests never are.

Everything else (data, images, markdown) is copied. The release is built into a sibling folder,
checked (no solution or hidden-test markers anywhere, no hidden files, no function or method lost
by stubbing, every module importable), audited with the packages it imports (``audit.py``: no
shipped function holds a solution region's code or passes a graded function's hidden tests) and
only then swapped in place of the old release, so a failed release leaves the previous one
untouched. The result is deterministic: releasing an unchanged source twice gives byte-identical
files, which is what :func:`release_is_current` (and CI) relies on.
"""
from __future__ import annotations

import ast
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import audit
from .notebooks import generate_notebooks
from .shipping import ShippedFile, shipped_packages
from .stubs import (CODE_STUB, LEAK_MARKERS, STUB_RAISE_RE, TEXT_STUB, ReleaseError, definitions, strip,
                    strip_solutions, stub_raise)

__all__ = ["ReleaseError", "ReleaseSummary", "strip_solutions", "stub_raise", "release_assignment",
           "release_is_current", "CODE_STUB", "STUB_RAISE_RE", "TEXT_STUB"]

#: Directories never released, wherever they are.
SKIP_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache"})
#: Words that mark instructor-only files or folders (matched case-insensitively in any path part).
PRIVATE_WORDS = ("reference", "solution")

IMPORT_TIMEOUT = 300  # seconds


# --------------------------------------------------------------------------------------------
# Deciding what to release
# --------------------------------------------------------------------------------------------

@dataclass
class _Plan:
    notebooks: list = field(default_factory=list)  # PurePosixPath relative to the source folder
    modules: list = field(default_factory=list)    # .py files to stub
    copies: list = field(default_factory=list)     # files copied as they are


@dataclass
class ReleaseSummary:
    """What a release produced (``str()`` gives the one-line summary that is printed)."""
    assignment: str
    folder: Path
    notebooks: int = 0
    modules_stubbed: int = 0
    regions: int = 0
    files_copied: int = 0
    audit: str = ""  # the audit's summary (``AuditReport.summary``), when it ran

    def __str__(self) -> str:
        def n(count, word):
            return f"{count} {word}{'' if count == 1 else 's'}"
        return (f"released {self.assignment} to {self.folder}: {n(self.notebooks, 'notebook')}, "
                f"{n(self.modules_stubbed, 'module')} stubbed ({n(self.regions, 'region')}), "
                f"{n(self.files_copied, 'file')} copied" + (f"\n{self.audit}" if self.audit else ""))


def _is_released(rel: PurePosixPath) -> bool:
    parts = rel.parts
    for part in parts:
        lower = part.lower()
        if part in SKIP_DIRS or part.startswith("hidden_"):
            return False
        if any(word in lower for word in PRIVATE_WORDS):
            return False
    if rel.suffix in (".pyc", ".pyo"):
        return False
    if "tests" in parts[:-1] and not rel.name.startswith("public_"):
        return False  # under tests/ only public_* files are released
    return True


def _plan_release(src: Path) -> _Plan:
    plan = _Plan()
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            rel = PurePosixPath(Path(dirpath, name).relative_to(src).as_posix())
            if not _is_released(rel):
                continue
            if rel.suffix == ".ipynb":
                plan.notebooks.append(rel)
            elif rel.suffix == ".py" and "tests" not in rel.parts[:-1]:
                plan.modules.append(rel)
            else:
                plan.copies.append(rel)
    return plan


# --------------------------------------------------------------------------------------------
# Checks on the built release
# --------------------------------------------------------------------------------------------

def _api(tree: ast.Module) -> set:
    """Qualified names of top-level functions and classes and of methods (nested classes too)."""
    return {name for name, _ in definitions(tree.body)}


def _parse(text: str, display: str, what: str) -> ast.Module:
    try:
        return ast.parse(text.lstrip("\ufeff"), filename=display)
    except SyntaxError as exc:
        raise ReleaseError(f"{display}:{exc.lineno}: {what} is not valid Python: {exc.msg}") from exc


_IMPORT_SCRIPT = r"""
import importlib, json, os, sys
root = os.path.realpath(os.getcwd())
sys.path.insert(0, root)
failures = []
for name in json.loads(sys.argv[1]):
    try:
        module = importlib.import_module(name)
        where = getattr(module, "__file__", None)
        if where and not os.path.realpath(where).startswith(root + os.sep):
            failures.append([name, "was imported from %s, not from the release" % where])
    except BaseException as exc:
        failures.append([name, "%s: %s" % (type(exc).__name__, exc)])
sys.stdout.write("\n@@RESULT@@" + json.dumps(failures) + "\n")
"""


def _check_imports(build: Path, modules: list, display_root: str) -> None:
    names = {}
    for rel in modules:
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts and all(p.isidentifier() for p in parts):
            names[".".join(parts)] = rel
    if not names:
        return
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONSAFEPATH", None)
    try:
        proc = subprocess.run([sys.executable, "-B", "-c", _IMPORT_SCRIPT, json.dumps(sorted(names))],
                              cwd=build, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=IMPORT_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise ReleaseError(f"importing the released modules of {display_root} took longer than "
                           f"{IMPORT_TIMEOUT} s") from exc
    marker = proc.stdout.rfind("@@RESULT@@")
    if proc.returncode != 0 or marker < 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ReleaseError(f"could not import the released modules of {display_root}: {last}")
    failures = json.loads(proc.stdout[marker + len("@@RESULT@@"):])
    if failures:
        name, reason = failures[0]
        raise ReleaseError(f"released {display_root}/{names[name]} does not import "
                           f"(import {name}): {' '.join(reason.split())}")


def _verify(src: Path, build: Path, plan: _Plan, display_root: str) -> None:
    for path in sorted(p for p in build.rglob("*") if p.is_file()):
        rel = path.relative_to(build).as_posix()
        if any(part.startswith("hidden_") for part in PurePosixPath(rel).parts):
            raise ReleaseError(f"release check failed: hidden file {display_root}/{rel} would be "
                               f"released")
        data = path.read_bytes()
        for marker in LEAK_MARKERS:
            pos = data.find(marker.encode())
            if pos >= 0:
                line = data.count(b"\n", 0, pos) + 1
                raise ReleaseError(f"release check failed: {display_root}/{rel} (line {line} of "
                                   f"the released file) contains '{marker}'")
    for rel in plan.modules:
        display = f"{display_root}/{rel}"
        before = _api(_parse((src / rel).read_text(encoding="utf-8"), display, "the source"))
        after = _api(_parse((build / rel).read_text(encoding="utf-8"), display,
                            "the stubbed module"))
        if before != after:
            lost, gained = sorted(before - after), sorted(after - before)
            detail = (f"stubbing dropped {', '.join(lost)}" if lost
                      else f"stubbing added {', '.join(gained)}")
            raise ReleaseError(f"release check failed: {display}: {detail} (a solution region "
                               f"must lie inside a function body, not around a definition)")
    _check_imports(build, plan.modules, display_root)


# --------------------------------------------------------------------------------------------
# Building and swapping
# --------------------------------------------------------------------------------------------

def _swap(build: Path, target: Path) -> None:
    """Put ``build`` in place of ``target``: move the old release aside, rename, delete old."""
    old = None
    if target.exists() or target.is_symlink():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
        os.replace(target, old)
    try:
        os.replace(build, target)
    except OSError:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        if old.is_symlink() or not old.is_dir():
            old.unlink()
        else:
            shutil.rmtree(old)


def shipped_with(course: Path, folder: Path, shown_root: str) -> list:
    """The :class:`ShippedFile` s of a built release ``folder`` (shown as ``shown_root/...``) and
    of the packages shipped with it (``shipping.shipped_packages``)."""
    files = [ShippedFile(path, f"{shown_root}/{path.relative_to(folder).as_posix()}")
             for path in sorted(folder.rglob("*")) if path.is_file() and "__pycache__" not in path.parts]
    return files + shipped_packages(course, [folder])


def _release(assignment: str, course_dir, release_root=None, *, audit_it: bool = True) -> tuple[Path, ReleaseSummary]:
    course = Path(course_dir).resolve()
    src = course / "source" / assignment
    display_root = f"source/{assignment}"
    if not assignment or Path(assignment).name != assignment:
        raise ReleaseError(f"invalid assignment name {assignment!r}")
    if not src.is_dir():
        raise ReleaseError(f"no source folder {src} for assignment {assignment!r}")
    root = Path(release_root).resolve() if release_root is not None else course / "release"
    target = root / assignment
    plan = _plan_release(src)

    root.mkdir(parents=True, exist_ok=True)
    build = root / f".{assignment}.building-{os.getpid()}-{secrets.token_hex(4)}"
    build.mkdir()
    summary = ReleaseSummary(assignment, target, notebooks=len(plan.notebooks))
    try:
        generate_notebooks(src, plan.notebooks, build, assignment, display_root)
        for rel in plan.modules:
            display = f"{display_root}/{rel}"
            try:
                text = (src / rel).read_bytes().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ReleaseError(f"{display}: not UTF-8 text ({exc.reason} at byte "
                                   f"{exc.start})") from exc
            stubbed, regions = strip(text, display, rel.as_posix())
            out = build / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(stubbed.encode("utf-8"))
            shutil.copymode(src / rel, out)
            if regions:
                summary.modules_stubbed += 1
                summary.regions += regions
            else:
                summary.files_copied += 1
        for rel in plan.copies:
            out = build / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src / rel, out)
            summary.files_copied += 1
        _verify(src, build, plan, display_root)
        if audit_it:
            shown = f"release/{assignment}" if root == course / "release" else str(target)
            summary.audit = audit.check(course, shipped_with(course, build, shown)).summary()
        _swap(build, target)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return target, summary


def release_assignment(assignment: str = "assignment1", course_dir=".", release_root=None, *,
                       quiet: bool = False) -> Path:
    """Build ``<release_root or course_dir/release>/<assignment>/`` from ``source/<assignment>/``.

    Returns the release folder and prints a summary (unless ``quiet``): what was released, and
    the audit's line with the reviewed exceptions it applied. Raises :class:`ReleaseError` with a
    one-line message naming the file (and line) at fault when the source cannot be released, the
    result fails a check or the audit finds a solution in anything shipped; the previous release
    is then left as it was.
    """
    folder, summary = _release(assignment, course_dir, release_root)
    if not quiet:
        print(summary)
    return folder


# --------------------------------------------------------------------------------------------
# Is the committed release in sync with the source?
# --------------------------------------------------------------------------------------------

def _files(folder: Path) -> dict:
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in filenames:
            path = Path(dirpath, name)
            found[path.relative_to(folder).as_posix()] = path
    return found


def release_is_current(assignment: str = "assignment1", course_dir=".") -> tuple[bool, list]:
    """Release into a temporary folder and compare it, byte for byte, with ``release/<assignment>``.

    Returns ``(True, [])`` when every file matches (paths and contents; only ``__pycache__``
    folders are ignored), else ``(False, differences)`` with one readable line per difference.
    The audit does not run here (it does not change a byte); ``release_assignment`` runs it.
    """
    course = Path(course_dir).resolve()
    committed = course / "release" / assignment
    shown = f"release/{assignment}"
    with tempfile.TemporaryDirectory(prefix="release-check-") as tmp:
        fresh, _ = _release(assignment, course, Path(tmp), audit_it=False)
        if not committed.is_dir():
            return False, [f"{shown} does not exist; run `autograder release {assignment}`"]
        new, old = _files(fresh), _files(committed)
        differences = []
        for rel in sorted(set(new) | set(old)):
            if rel not in old:
                differences.append(f"missing from {shown}: {rel}")
            elif rel not in new:
                differences.append(f"not produced by the source (stale) in {shown}: {rel}")
            elif new[rel].read_bytes() != old[rel].read_bytes():
                differences.append(f"differs from a fresh release: {shown}/{rel}")
    return not differences, differences
