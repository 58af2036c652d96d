"""Generate the student release of an assignment from its instructor source.

``source/<assignment>/`` holds three kinds of files:

* notebooks, which use nbgrader's own markers and cell metadata. They are turned into the student
  version by ``nbgrader generate_assignment``, run on a staging course directory that contains
  nothing but the notebooks (so nbgrader never copies a solution module anywhere), without a
  database and without reading any user or system nbgrader/Jupyter configuration;
* student modules (``*.py`` outside ``tests/``) whose reference code sits between a
  ``### BEGIN SOLUTION`` line and a ``### END SOLUTION`` line; each region becomes the same stub
  nbgrader puts into code cells;
* tests: only ``tests/public_*`` files are released; hidden tests never are.

Everything else (data, images, markdown) is copied. The release is built into a sibling folder,
checked (no solution or hidden-test markers anywhere, no hidden files, no function or method lost
by stubbing, every module importable) and only then swapped in place of the old release, so a
failed release leaves the previous one untouched. The result is deterministic: releasing an
unchanged source twice gives byte-identical files, which is what :func:`release_is_current` (and
CI) relies on.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

__all__ = ["ReleaseError", "ReleaseSummary", "strip_solutions", "stub_raise", "release_assignment",
           "release_is_current"]

#: Text that must never appear in any released file.
LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")

#: The stub that replaces a solution region: nbgrader's default Python code stub, so that modules
#: and notebook cells look alike to students. The released raise names what is missing and where
#: to write it (see :func:`stub_raise`); nbgrader itself writes the bare form into notebook cells.
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
#: Any released stub's raise line, named or not (tests and the demo fill stubs in through it).
STUB_RAISE_RE = re.compile(r"raise NotImplementedError\((?:\"[^\"\n]* is not written yet: write it in [^\"\n]*\")?\)")
TEXT_STUB = "YOUR ANSWER HERE"

#: Directories never released, wherever they are.
SKIP_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache"})
#: Words that mark instructor-only files or folders (matched case-insensitively in any path part).
PRIVATE_WORDS = ("reference", "solution")

NBGRADER_TIMEOUT = 600  # seconds
IMPORT_TIMEOUT = 300  # seconds

_BEGIN_RE = re.compile(r"^([ \t]*)###[ \t]*BEGIN SOLUTION\b")
_END_RE = re.compile(r"^[ \t]*###[ \t]*END SOLUTION\b")
# One line with its own line ending ("\n", "\r\n" or "\r"), or a final line without one. The
# concatenation of all matches is exactly the input text.
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_EOL_RE = re.compile(r"(\r\n|\r|\n)\Z")
_CELL_ID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class ReleaseError(ValueError):
    """The release cannot be generated; the message names the file (and line) at fault."""


# --------------------------------------------------------------------------------------------
# Stubbing solution regions in modules
# --------------------------------------------------------------------------------------------

def stub_raise(what: str, where: str) -> str:
    """The raise a released stub holds, e.g. ``raise NotImplementedError("KNearestNeighbor.predict
    is not written yet: write it in classifiers/k_nearest_neighbor.py")``. The notebooks' helper
    (``assignments.unfinished``) reads ``what`` and ``where`` back from the message."""
    return f'raise NotImplementedError("{what} is not written yet: write it in {where}")'


def _enclosing_functions(text: str) -> list:
    """[(first line, last line, qualified name)] of every function in ``text``, innermost last;
    empty when the text does not parse (the release check reports that later)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    return [(node.lineno, node.end_lineno, name) for name, node in _definitions(tree.body, into_functions=True)
            if not isinstance(node, ast.ClassDef)]


def _stub_name(spans: list, lineno: int, module_path: str) -> str:
    inside = [name for first, last, name in spans if first <= lineno <= last]
    # A region outside any function is a module-level part of the file.
    return inside[-1] if inside else f"this part of {module_path.rsplit('/', 1)[-1]}"


def _strip(text: str, filename: str, module_path: str = "") -> tuple[str, int]:
    """Return ``(stubbed text, number of regions)``; see :func:`strip_solutions`."""
    module_path = module_path or filename
    spans = _enclosing_functions(text)
    out = []
    regions = 0
    begin = None  # (line number, indentation, line ending) of the open BEGIN line
    for lineno, line in enumerate(_LINE_RE.findall(text), start=1):
        eol_match = _EOL_RE.search(line)
        eol = eol_match.group(1) if eol_match else ""
        m = _BEGIN_RE.match(line)
        if m:
            if begin is not None:
                raise ReleaseError(
                    f"{filename}:{lineno}: '### BEGIN SOLUTION' inside the solution region opened "
                    f"at line {begin[0]}; regions cannot be nested (missing '### END SOLUTION'?)")
            begin = (lineno, m.group(1), eol)
            continue
        if _END_RE.match(line):
            if begin is None:
                raise ReleaseError(
                    f"{filename}:{lineno}: '### END SOLUTION' without a matching "
                    f"'### BEGIN SOLUTION' before it")
            _, indent, begin_eol = begin
            out.append(indent + CODE_STUB[0] + begin_eol)
            out.append(indent + stub_raise(_stub_name(spans, begin[0], module_path), module_path) + eol)
            regions += 1
            begin = None
            continue
        if begin is None:
            out.append(line)
    if begin is not None:
        raise ReleaseError(
            f"{filename}:{begin[0]}: '### BEGIN SOLUTION' has no matching '### END SOLUTION'")
    return "".join(out), regions


def strip_solutions(text: str, filename: str = "<module>", module_path: str = "") -> str:
    """Replace every solution region of a module's source text by a stub.

    A region runs from a ``### BEGIN SOLUTION`` line to the next ``### END SOLUTION`` line, both
    included. It becomes two lines at the BEGIN line's indentation, ``# YOUR CODE HERE`` and a
    :func:`stub_raise` naming the enclosing function and ``module_path`` (the file as the student
    sees it, relative to the assignment folder; ``filename`` when not given), with the file's own
    line endings. Text outside regions is returned unchanged. An END without a BEGIN, a BEGIN
    without an END, or a BEGIN inside an open region raises :class:`ReleaseError` naming
    ``filename`` and the line.
    """
    return _strip(text, filename, module_path)[0]


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

    def __str__(self) -> str:
        def n(count, word):
            return f"{count} {word}{'' if count == 1 else 's'}"
        return (f"released {self.assignment} to {self.folder}: {n(self.notebooks, 'notebook')}, "
                f"{n(self.modules_stubbed, 'module')} stubbed ({n(self.regions, 'region')}), "
                f"{n(self.files_copied, 'file')} copied")


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
# Notebooks: nbgrader generate_assignment on a staging course directory
# --------------------------------------------------------------------------------------------

def _deterministic_cell_ids(raw: bytes, display: str) -> bytes:
    """Give cells without a (valid, unique) id a deterministic one.

    nbformat >= 4.5 requires cell ids; when they are missing (or duplicated), nbformat invents
    random ones while nbgrader reads the notebook, so two releases of the same source would
    differ. Notebooks that are not valid JSON are returned unchanged for nbgrader to report.
    """
    try:
        nb = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return raw
    major, minor = nb.get("nbformat"), nb.get("nbformat_minor", 0)
    if not isinstance(major, int) or not isinstance(minor, int):
        return raw
    if major < 4:
        raise ReleaseError(f"{display}: nbformat {major} notebooks are not supported; open and "
                           f"save it in Jupyter to convert it to nbformat 4")
    if (major, minor) < (4, 5):
        return raw  # cell ids do not exist before 4.5
    cells = [c for c in nb["cells"] if isinstance(c, dict)]
    kept, used = set(), set()
    for i, cell in enumerate(cells):
        cid = cell.get("id")
        if isinstance(cid, str) and _CELL_ID_RE.match(cid) and cid not in used:
            used.add(cid)
            kept.add(i)
    if len(kept) == len(cells):
        return raw
    for i, cell in enumerate(cells):
        if i in kept:
            continue
        seed = f"{i}\0{cell.get('cell_type')}\0{json.dumps(cell.get('source'))}".encode()
        base = hashlib.sha1(seed).hexdigest()[:8]
        cid, n = base, 1
        while cid in used:
            cid, n = f"{base}-{n}", n + 1
        cell["id"] = cid
        used.add(cid)
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _name_cell_stubs(nb) -> None:
    """nbgrader's bare ``raise NotImplementedError()`` in a solution cell becomes one that names
    the cell (by its grade id), with nbgrader's checksum of the cell brought up to date."""
    from nbgrader.utils import compute_checksum

    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not meta.get("solution"):
            continue
        named = stub_raise(f"the {meta.get('grade_id', 'solution')} cell", "this cell")
        source = cell.source.replace(CODE_STUB[1], named)
        if source != cell.source:
            cell.source = source
            if "checksum" in meta:
                meta["checksum"] = compute_checksum(cell)


def _normalised_notebook(text: str, display: str) -> bytes:
    """nbgrader's output with named stubs (:func:`_name_cell_stubs`), re-serialised the one way
    nbformat writes notebooks (sorted keys)."""
    try:
        nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    except Exception as exc:  # pragma: no cover - nbgrader only writes valid notebooks
        raise ReleaseError(f"{display}: nbgrader wrote an unreadable notebook: {exc}") from exc
    _name_cell_stubs(nb)
    out = nbformat.writes(nb)
    if not out.endswith("\n"):
        out += "\n"
    return out.encode("utf-8")


_NBGRADER_CONFIG = f"""\
# Written by autograder.authoring.release for one staging run of `nbgrader generate_assignment`.
c = get_config()  # noqa: F821
c.GenerateAssignment.no_database = True
c.SaveCells.enabled = False
c.BaseConverter.force = True
c.ClearSolutions.code_stub = {{"python": {json.dumps(chr(10).join(CODE_STUB))}}}
c.ClearSolutions.text_stub = {json.dumps(TEXT_STUB)}
c.IncludeHeaderFooter.header = ""
c.IncludeHeaderFooter.footer = ""
"""

_EXC_LINE_RE = re.compile(
    r"^\s*((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt)\b)(?::\s*(.*))?$")
_CONVERTING_RE = re.compile(r"Converting notebook (.+?\.ipynb)\s*$")
_ERROR_LOG_RE = re.compile(r"\|\s*ERROR\]\s*(.*)$")


def _nbgrader_failure(output: str, staging: Path, names: dict) -> str:
    """One line saying which notebook nbgrader failed on, and why."""
    lines = output.splitlines()
    notebook = None
    first_error = next((i for i, line in enumerate(lines) if _ERROR_LOG_RE.search(line)),
                       len(lines))
    for line in lines[:first_error]:
        m = _CONVERTING_RE.search(line)
        if m:
            path = os.path.normpath(m.group(1))
            notebook = names.get(path, os.path.basename(path))
    exceptions = []
    for line in lines:
        m = _EXC_LINE_RE.match(line)
        if m:
            name = m.group(1).rsplit(".", 1)[-1]
            exceptions.append(f"{name}: {m.group(2)}" if m.group(2) else name)
    if exceptions:
        reason = exceptions[-1]
        if len(exceptions) > 1 and exceptions[0] != reason:
            reason += f" (caused by {exceptions[0]})"
    else:
        errors = [m.group(1) for m in map(_ERROR_LOG_RE.search, lines) if m and m.group(1)]
        tail = [line.strip() for line in lines if line.strip()]
        reason = errors[0] if errors else (tail[-1] if tail else "no output")
    reason = " ".join(reason.replace(str(staging), "<staging>").split())
    if len(reason) > 300:
        reason = reason[:297] + "..."
    where = f" on {notebook}" if notebook else ""
    return f"nbgrader generate_assignment failed{where}: {reason}"


def _generate_notebooks(src: Path, notebooks: list, build: Path, assignment: str,
                        display_root: str) -> None:
    """Run nbgrader once on all notebooks and write the student versions into ``build``."""
    if not notebooks:
        return
    # nbgrader only looks at notebooks directly inside an assignment folder, so every folder that
    # holds notebooks becomes its own staging assignment; one nbgrader run handles them all.
    folders = sorted({nb.parent for nb in notebooks})
    staging_name = {
        folder: assignment if folder == PurePosixPath(".") else f"{assignment}--{i}"
        for i, folder in enumerate(folders)
    }
    with tempfile.TemporaryDirectory(prefix="release-staging-") as tmp:
        staging = Path(tmp).resolve()
        (staging / "tmp").mkdir()
        (staging / "nbgrader_config.py").write_text(_NBGRADER_CONFIG)
        names = {}  # staging source path -> display name, for error messages
        for nb in notebooks:
            display = f"{display_root}/{nb}"
            target = staging / "source" / staging_name[nb.parent] / nb.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_deterministic_cell_ids((src / nb).read_bytes(), display))
            names[os.path.normpath(str(target))] = display

        env = dict(os.environ)
        env.update({
            "JUPYTER_NO_CONFIG": "1",  # ignore ~/.jupyter and system nbgrader configs
            "TMPDIR": str(staging / "tmp"),  # where JUPYTER_NO_CONFIG makes its empty config dir
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", "*",
               "--no-db", "--force",
               f"--CourseDirectory.root={staging}",
               "--CourseDirectory.db_url=sqlite://",  # in memory, should anything ask for it
               "--CourseDirectory.source_directory=source",
               "--CourseDirectory.release_directory=release"]
        try:
            proc = subprocess.run(cmd, cwd=staging, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=NBGRADER_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise ReleaseError(f"nbgrader generate_assignment did not finish within "
                               f"{NBGRADER_TIMEOUT} s on {display_root}") from exc
        if proc.returncode != 0:
            raise ReleaseError(_nbgrader_failure(proc.stdout, staging, names))

        for nb in notebooks:
            produced = staging / "release" / staging_name[nb.parent] / nb.name
            display = f"{display_root}/{nb}"
            if not produced.is_file():
                raise ReleaseError(f"nbgrader generate_assignment wrote no student version of "
                                   f"{display}")
            out = build / nb
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(_normalised_notebook(produced.read_text(encoding="utf-8"), display))


# --------------------------------------------------------------------------------------------
# Checks on the built release
# --------------------------------------------------------------------------------------------

def _definitions(body, prefix="", into_functions=False):
    """(qualified name, node) of every function and class defined in ``body``, a parent before
    what it holds: methods and nested classes, definitions under ``if``/``try``/``with`` at the
    same level (``if TYPE_CHECKING:`` ...), and functions inside functions when ``into_functions``."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield prefix + node.name, node
            if isinstance(node, ast.ClassDef) or into_functions:
                yield from _definitions(node.body, prefix + node.name + ".", into_functions)
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.AsyncWith)):
            for attr in ("body", "orelse", "finalbody"):
                yield from _definitions(getattr(node, attr, []), prefix, into_functions)
            for handler in getattr(node, "handlers", []):
                yield from _definitions(handler.body, prefix, into_functions)


def _api(tree: ast.Module) -> set:
    """Qualified names of top-level functions and classes and of methods (nested classes too)."""
    return {name for name, _ in _definitions(tree.body)}


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


def _release(assignment: str, course_dir, release_root=None) -> tuple[Path, ReleaseSummary]:
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
        _generate_notebooks(src, plan.notebooks, build, assignment, display_root)
        for rel in plan.modules:
            display = f"{display_root}/{rel}"
            try:
                text = (src / rel).read_bytes().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ReleaseError(f"{display}: not UTF-8 text ({exc.reason} at byte "
                                   f"{exc.start})") from exc
            stubbed, regions = _strip(text, display, rel.as_posix())
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
        _swap(build, target)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return target, summary


def release_assignment(assignment: str = "assignment1", course_dir=".", release_root=None, *,
                       quiet: bool = False) -> Path:
    """Build ``<release_root or course_dir/release>/<assignment>/`` from ``source/<assignment>/``.

    Returns the release folder and prints a one-line summary (unless ``quiet``). Raises
    :class:`ReleaseError` with a one-line message naming the file at fault when the source cannot
    be released or the result fails a check; the previous release is then left as it was.
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
    """
    course = Path(course_dir).resolve()
    committed = course / "release" / assignment
    shown = f"release/{assignment}"
    with tempfile.TemporaryDirectory(prefix="release-check-") as tmp:
        fresh, _ = _release(assignment, course, Path(tmp))
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
