"""What reaches students besides the released assignments: the packages their files import.

A released assignment's modules, public tests and notebook code cells import packages of the
course: the notebook helpers (``assignments``), the datasets (``cs_datasets``) and the grader
(``autograder``: ``autograder.testing`` in public tests, ``autograder.student`` in the self-check
cells). Those are shipped with the assignments, and so are audited with them:

* a helper package of the course folder is shipped whole (a student may import any of it);
* of the grader, only the modules that what students run reaches by its imports: what the released
  files import, ``autograder check`` (the command line and ``autograder.student``) and the program
  that runs inside the sandbox. Imports inside functions count too (they run when the function
  does), except in the command line, whose commands import their room when they run, and which
  says that an instructor's command is missing from a student's copy instead of failing.

The rooms an instructor alone uses (:data:`INSTRUCTOR_ONLY`) must never be reached: when a student
module imports one, :func:`shipped_packages` refuses, naming the chain of imports.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .stubs import ReleaseError

__all__ = ["ShippedFile", "GRADER", "INSTRUCTOR_ONLY", "code_cells", "grader_root", "imported_modules",
           "shipped_packages"]

GRADER = "autograder"
#: What students run of the grader beyond what their files import: the command line (``autograder
#: check``, ``python -m autograder``), the self-check cells' package, the sandbox's child program.
STUDENT_ENTRY_POINTS = ("autograder.__main__", "autograder.cli", "autograder.student", "autograder.sandbox.child")
#: Modules whose imports inside functions are not followed: each command imports its room when it runs.
ON_DEMAND = frozenset({"autograder.cli"})
#: Rooms of the grader for instructors only: never shipped to students.
INSTRUCTOR_ONLY = ("autograder.authoring", "autograder.classrun", "autograder.demo", "autograder.similarity")

# IPython's line magics and shell escapes in a notebook cell (``%matplotlib inline``, ``!ls``).
_MAGIC_RE = re.compile(r"^(\s*)[%!].*$", re.MULTILINE)


@dataclass(frozen=True)
class ShippedFile:
    """A file students get: where it is now, and its path as students see it (``shown``)."""
    path: Path
    shown: str


def grader_root() -> Path:
    """The folder holding the running grader package (``autograder/``'s parent)."""
    return Path(__file__).resolve().parents[2]


def code_cells(path: Path) -> list:
    """(index, source) of a notebook's code cells, magics and shell escapes turned into ``pass``
    (same lines, so line numbers still point into the cell); [] when the file is no notebook."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    found = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        found.append((index, _MAGIC_RE.sub(lambda m: m.group(1) + "pass", source)))
    return found


def _parse(text: str):
    try:
        return ast.parse(text.lstrip("\ufeff"))
    except (SyntaxError, ValueError):
        return None


def imported_modules(tree, module: str = "", is_package: bool = False, in_functions: bool = True) -> list:
    """[(absolute dotted name, line)] of what ``tree`` imports: ``import a.b`` gives ``a.b``,
    ``from a import b`` gives ``a`` and ``a.b`` (b may be a submodule); relative imports are
    resolved against ``module`` (a package's ``__init__`` when ``is_package``). With
    ``in_functions`` false, imports inside function bodies are left out."""
    found = []
    package = module if is_package else module.rpartition(".")[0]

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and not in_functions:
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    parts = package.split(".") if package else []
                    if child.level - 1 > len(parts):
                        continue
                    base = ".".join(parts[:len(parts) - (child.level - 1)] + ([child.module] if child.module else []))
                else:
                    base = child.module or ""
                if base:
                    found.append((base, child.lineno))
                    found.extend((f"{base}.{alias.name}", child.lineno) for alias in child.names if alias.name != "*")
            visit(child)

    if tree is not None:
        visit(tree)
    return found


def _module_file(root: Path, dotted: str):
    """(path, is_package) of module ``dotted`` under ``root``, or None."""
    base = root.joinpath(*dotted.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py", True
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py"), False
    return None


def _released_imports(folder: Path) -> list:
    """[(dotted, where)] imported by a released assignment's modules, tests and notebook cells."""
    found = []
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        shown = path.relative_to(folder.parent).as_posix()
        if path.suffix == ".py":
            tree = _parse(path.read_text(encoding="utf-8", errors="replace"))
            found += [(name, f"{shown}:{line}") for name, line in imported_modules(tree)]
        elif path.suffix == ".ipynb":
            for index, source in code_cells(path):
                found += [(name, f"{shown} cell {index}") for name, line in imported_modules(_parse(source))]
    return found


def _package_files(package_dir: Path, shown_root: str) -> list:
    files = []
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            files.append(ShippedFile(path, f"{shown_root}/{path.relative_to(package_dir).as_posix()}"))
    return files


def _grader_closure(roots: list) -> dict:
    """{module: (path, the import that brought it in)} of the grader modules reached from ``roots``
    [(dotted, why)]; parents of a module are reached with it (their ``__init__`` runs first)."""
    root = grader_root()
    reached, queue = {}, list(roots)
    while queue:
        dotted, why = queue.pop(0)
        parts = dotted.split(".")
        for cut in range(1, len(parts) + 1):
            name = ".".join(parts[:cut])
            if name in reached:
                continue
            found = _module_file(root, name)
            if found is None:
                break  # an attribute (``from autograder.testing import graded``), not a module
            if any(name == room or name.startswith(room + ".") for room in INSTRUCTOR_ONLY):
                raise ReleaseError(f"students would need {name}, which is for instructors only "
                                   f"(imported by {why}); the student's side must not import it")
            path, is_package = found
            reached[name] = (path, why)
            tree = _parse(path.read_text(encoding="utf-8"))
            shown = path.relative_to(root).as_posix()
            for imported, line in imported_modules(tree, name, is_package, in_functions=name not in ON_DEMAND):
                if imported == GRADER or imported.startswith(GRADER + "."):
                    queue.append((imported, f"{shown}:{line}"))
    return reached


def shipped_packages(course_dir, released_folders) -> list:
    """The :class:`ShippedFile` s of the packages shipped with ``released_folders`` (released
    assignment folders): the course's helper packages they import (whole, and what those import),
    and the grader's modules students reach (see the module docstring), in a fixed order. Shown
    paths are relative to the course (``assignments/margin.py``, ``autograder/testing.py``)."""
    course = Path(course_dir).resolve()
    imports = [item for folder in released_folders for item in _released_imports(Path(folder))]
    local = {Path(folder).name for folder in released_folders}
    for folder in released_folders:
        local |= {p.stem for p in Path(folder).iterdir()}
    helpers = sorted({name.split(".")[0] for name, _ in imports
                      if name.split(".")[0] != GRADER and name.split(".")[0] not in local
                      and (course / name.split(".")[0] / "__init__.py").is_file()})
    files = []
    for helper in helpers:
        package_files = _package_files(course / helper, helper)
        files += package_files
        for item in package_files:
            if item.path.suffix == ".py":
                tree = _parse(item.path.read_text(encoding="utf-8", errors="replace"))
                imports += [(name, f"{item.shown}:{line}") for name, line in imported_modules(tree, helper)]
    roots = [(name, where) for name, where in imports if name == GRADER or name.startswith(GRADER + ".")]
    roots += [(name, "what students run") for name in STUDENT_ENTRY_POINTS]
    reached = _grader_closure(roots)
    grader = grader_root()
    files += [ShippedFile(path, path.relative_to(grader).as_posix())
              for path, _ in sorted(reached.values(), key=lambda item: str(item[0]))]
    return files


def shown_module(shown: str) -> str:
    """The dotted module name of a shipped ``.py`` path (``assignments/margin.py`` ->
    ``assignments.margin``)."""
    parts = list(PurePosixPath(shown).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)
