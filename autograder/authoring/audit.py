"""The release audit: no shipped function holds a solution, whatever it is called.

Markers catch a solution region that was not stubbed; they cannot catch reference code that was
copied into a helper, renamed and reformatted. The audit looks at every function students get
(in released modules and public tests, in the helper packages and grader modules shipped with
them, and in notebooks' code cells, where a whole cell counts as one unit too) and compares it
with every solution region of every assignment in ``source/`` in two ways:

1. **By text.** Each region and each shipped unit is fingerprinted as the similarity report does
   (``autograder.similarity.fingerprints``: names, strings and formatting do not count,
   independent statements are put in a fixed order). A fingerprint found in
   :data:`COMMON_FILES` or more shipped files is an idiom of the course (``X.shape[0]``, a
   ``model.train(...)`` call, an accuracy) and no evidence; a unit that holds at least
   :data:`SHARE` of a region's other fingerprints, and at least :data:`MIN_SHARED` of them, holds
   that region's code. (So a region too short to have :data:`MIN_SHARED` telling fingerprints, a
   one-line answer, is never matched by text.)
2. **By behaviour.** A shipped module-level function whose parameters are those of a graded
   module-level function (the same names in the same order) is put in that function's place and
   run against its hidden tests, in the sandbox, as the grader runs a student's code. Passing one
   hidden test that judges values (a test marked ``fresh``, which judges loops only, does not
   count) means it computes what the graded function must.

A finding names the shipped file and line and what it matches; :func:`check` turns the first into
a :class:`~.stubs.ReleaseError`, so ``autograder release`` and ``autograder edition`` refuse.

A third check needs no solution: a function that hidden tests import from a shipped module, and
that nothing shipped uses, is a hidden-only helper; it belongs with the hidden tests.

Exceptions are the course's decision, not the audit's: ``release-audit.json`` in the course folder
lists ``{"file": ..., "function": ..., "findings": [...], "reason": ...}`` entries, where
``findings`` holds the keys of the findings excused (``"region classifiers/linear_svm.py:
svm_loss_naive"``, ``"hidden tests of <graded function>"``, ``"hidden-only helper"``, or ``"*"``)
and ``reason`` says why (it may not be empty). Every release prints what each exception excused,
so it stays in sight.
"""
from __future__ import annotations

import ast
import functools
import json
import shutil
import tempfile
import textwrap
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from ..similarity.fingerprints import normalized_tokens, winnow
from .shipping import code_cells
from .stubs import STUB_RAISE_RE, ReleaseError, definitions, solution_regions

__all__ = ["Finding", "Unit", "audit", "check", "load_exceptions", "shipped_units", "source_regions"]

#: Share of a region's fingerprints a shipped unit must hold to count as a copy of it.
SHARE = 0.5
#: Fewest shared fingerprints that count: a region of one short line is no evidence either way.
MIN_SHARED = 4
#: A fingerprint in this many shipped files or more is an idiom, not evidence.
COMMON_FILES = 4
#: Wall time for one candidate's hidden tests (seconds).
CANDIDATE_SECONDS = 60.0
EXCEPTIONS_FILE = "release-audit.json"
CANDIDATE_MODULE = "_audit_candidate"


@dataclass(frozen=True)
class RegionPrint:
    """One solution region of ``source/``: where it is, the function around it, its fingerprints."""
    shown: str        # source/assignment1/classifiers/linear_svm.py, or a notebook
    line: int         # its BEGIN line (notebooks: the line inside the cell)
    label: str        # "svm_loss_vectorized" or "cell random-search"
    hashes: frozenset
    assignment_path: str = ""  # the file inside its assignment folder (classifiers/linear_svm.py)

    def __str__(self):
        return f"{self.shown}:{self.line} ({self.label})"


@dataclass
class Unit:
    """A shipped function (or notebook cell): where it is, its text and, for module-level
    functions, its parameters and the module text it can run with."""
    shown: str
    line: int
    name: str
    text: str
    params: tuple = None
    context: str = ""
    hashes: frozenset = field(default=frozenset())

    @property
    def file(self):
        """The shipped file (a notebook's path without its cell)."""
        return self.shown.split(" cell ")[0]


@dataclass(frozen=True)
class Finding:
    """What the audit found in one shipped function: ``file`` and ``line`` as students see them,
    the function's ``name``, ``key`` (what it matches: ``region classifiers/linear_svm.py:
    svm_loss_naive``, ``hidden tests of <graded function>`` or ``hidden-only helper``) and the
    one-line ``detail``."""
    file: str
    line: int
    name: str
    key: str
    detail: str

    def __str__(self):
        return f"{self.file}:{self.line}: {self.name} {self.detail}"


# -- the solution regions ----------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _prints(text: str) -> frozenset:
    """The fingerprint hashes of ``text`` (the same texts come back in every assignment's audit)."""
    return frozenset(fp.hash for fp in winnow(normalized_tokens(text)))


def source_regions(course_dir) -> list:
    """The :class:`RegionPrint` s of every assignment in ``course_dir/source``: regions in modules
    (tests excluded) and nbgrader solution cells of notebooks (the region inside the cell, or the
    whole cell when it has no markers)."""
    course = Path(course_dir).resolve()
    found = []
    for assignment in sorted(p for p in (course / "source").iterdir() if p.is_dir()) if (course / "source").is_dir() else []:
        for path in sorted(assignment.rglob("*")):
            rel = path.relative_to(assignment)
            if not path.is_file() or "tests" in rel.parts[:-1] or "__pycache__" in rel.parts:
                continue
            shown = path.relative_to(course).as_posix()
            if path.suffix == ".py":
                text = path.read_text(encoding="utf-8", errors="replace")
                for region in solution_regions(text, shown):
                    found.append(RegionPrint(shown, region.begin, region.function or "module level",
                                             _prints(region.text), rel.as_posix()))
            elif path.suffix == ".ipynb":
                found += _notebook_regions(path, shown, rel.as_posix())
    return found


def _notebook_regions(path: Path, shown: str, rel: str) -> list:
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    found = []
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not meta.get("solution"):
            continue
        source = "".join(cell.get("source", ""))
        label = f"cell {meta.get('grade_id', index)}"
        regions = solution_regions(source, f"{shown} cell {index}")
        for region in regions or [None]:
            text = region.text if region else source
            found.append(RegionPrint(f"{shown} cell {index}", region.begin if region else 1, label,
                                     _prints(text), rel))
    return found


# -- the shipped units -------------------------------------------------------------------------

def _parse(text: str):
    try:
        return ast.parse(text.lstrip("\ufeff"))
    except (SyntaxError, ValueError):
        return None


def _runnable_context(tree) -> str:
    """The parts of a module a function of it may need to run on its own: imports, constants,
    functions and classes; every import and assignment guarded, so a package missing in the
    sandbox costs only what needs it."""
    lines = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            lines.insert(0, ast.unparse(node))
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
            lines.append(f"try:\n    {ast.unparse(node)}\nexcept Exception:\n    pass")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            body = ast.unparse(node).replace("\n", "\n    ")
            lines.append(f"try:\n    {body}\nexcept Exception:\n    pass")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            lines.append(ast.unparse(node))
    return "\n\n".join(lines) + "\n"


def _parameters(node) -> tuple:
    args = node.args
    return tuple(a.arg for a in args.posonlyargs + args.args + args.kwonlyargs)


def _units_of(text: str, shown: str, context: str = None) -> list:
    tree = _parse(text)
    if tree is None:
        return []
    units = []
    module_context = context if context is not None else _runnable_context(tree)
    lines = text.splitlines(keepends=True)
    for name, node in definitions(tree.body, into_functions=True):
        if isinstance(node, ast.ClassDef):
            continue
        segment = textwrap.dedent("".join(lines[node.lineno - 1:node.end_lineno]))
        top_level = "." not in name
        units.append(Unit(shown, node.lineno, name, segment,
                          params=_parameters(node) if top_level else None,
                          context=module_context if top_level else "", hashes=_prints(segment)))
    return units


def shipped_units(files) -> list:
    """The :class:`Unit` s of the shipped ``files`` (:class:`~.shipping.ShippedFile`): every
    function and method of ``.py`` files, every function in a notebook's code cells, and every
    code cell as a whole."""
    units = []
    for item in files:
        if item.path.suffix == ".py":
            units += _units_of(item.path.read_text(encoding="utf-8", errors="replace"), item.shown)
        elif item.path.suffix == ".ipynb":
            cells = code_cells(item.path)
            imports = []
            for _, source in cells:
                tree = _parse(source)
                imports += [n for n in getattr(tree, "body", []) if isinstance(n, (ast.Import, ast.ImportFrom))]
            context = _runnable_context(ast.Module(body=imports, type_ignores=[]))
            for index, source in cells:
                where = f"{item.shown} cell {index}"
                units.append(Unit(where, 1, f"cell {index}", source, hashes=_prints(source)))
                for unit in _units_of(source, where, context=context):
                    unit.context = context + "\n\n" + unit.text + "\n" if unit.params is not None else ""
                    units.append(unit)
    return units


# -- exceptions ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Excused:
    """A reviewed exception of ``release-audit.json``: the findings ``what`` (their
    :attr:`Finding.key` s, or ``"*"`` for all) of function ``function`` in shipped file ``file``."""
    file: str
    function: str
    what: tuple
    reason: str

    def covers(self, finding: "Finding") -> bool:
        return (finding.file, finding.name) == (self.file, self.function) and bool({"*", finding.key} & set(self.what))


def load_exceptions(course_dir) -> list:
    """The reviewed exceptions of ``release-audit.json`` (see the module docstring); [] without one."""
    path = Path(course_dir) / EXCEPTIONS_FILE
    if not path.is_file():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8")).get("exceptions", [])
        found = [Excused(str(e["file"]), str(e["function"]),
                         tuple(map(str, e["findings"])) if isinstance(e["findings"], list) else (str(e["findings"]),),
                         " ".join(str(e["reason"]).split()))
                 for e in entries]
    except (ValueError, AttributeError, KeyError, TypeError) as exc:
        raise ReleaseError(f"{EXCEPTIONS_FILE}: expected {{\"exceptions\": [{{\"file\", \"function\", \"findings\", "
                           f"\"reason\"}}, ...]}} ({type(exc).__name__}: {exc})") from None
    for entry in found:
        if not entry.reason:
            raise ReleaseError(f"{EXCEPTIONS_FILE}: the exception for {entry.file}: {entry.function} gives no reason")
    return found


# -- comparing ----------------------------------------------------------------------------------

def _telling(units, regions) -> list:
    """``regions`` with their idioms (fingerprints in COMMON_FILES or more shipped files) removed."""
    files = {}
    for unit in units:
        for h in unit.hashes:
            files.setdefault(h, set()).add(unit.file)
    common = {h for h, where in files.items() if len(where) >= COMMON_FILES}
    return [replace(r, hashes=r.hashes - common) for r in regions if r.hashes - common]


def _text_findings(units, regions) -> list:
    findings = []
    for unit in units:
        if not unit.hashes:
            continue
        for region in regions:
            shared = len(region.hashes & unit.hashes)
            if shared < MIN_SHARED or shared < SHARE * len(region.hashes):
                continue
            share = round(100 * shared / len(region.hashes))
            findings.append(Finding(unit.shown, unit.line, unit.name,
                                    f"region {region.assignment_path}:{region.label}",
                                    f"holds the solution region {region} ({share}% of its fingerprints)"))
    return findings


@dataclass(frozen=True)
class _Graded:
    dotted: str            # classifiers.linear_svm.svm_loss_vectorized
    module_path: str       # classifiers/linear_svm.py
    name: str              # svm_loss_vectorized
    params: tuple
    source_dir: Path
    tests: tuple           # its hidden GradedTests


def _hidden_tests(tests_dir: Path) -> list:
    """The hidden ``GradedTest`` s of ``tests_dir``, loaded the grader's way from a folder that
    holds links to the hidden files alone (a public file that does not import is not our concern)."""
    from ..engine.discovery import load_tests

    hidden = sorted(tests_dir.glob("hidden_*.py"))
    if not hidden:
        return []
    with tempfile.TemporaryDirectory(prefix="release-audit-tests-") as tmp:
        for path in hidden:
            (Path(tmp) / path.name).symlink_to(path.resolve())
        try:
            return [t for t in load_tests(tmp, include_hidden=True) if t.hidden]
        except Exception as exc:  # noqa: BLE001 - the author's file: say which, in one line
            raise ReleaseError(f"{tests_dir}: the hidden tests do not load ({type(exc).__name__}: {exc}); "
                               f"the grader could not run them either") from None


def _graded_functions(course: Path) -> list:
    found = []
    for source_dir in sorted(p for p in (course / "source").iterdir() if (p / "tests").is_dir()) \
            if (course / "source").is_dir() else []:
        tests = _hidden_tests(source_dir / "tests")
        for dotted in sorted({t.function for t in tests}):
            parts = dotted.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                path = source_dir.joinpath(*parts[:cut]).with_suffix(".py")
                if path.is_file():
                    break
            else:
                continue
            qualname = parts[cut:]
            if len(qualname) != 1:
                continue  # a method: judged by text only
            tree = _parse(path.read_text(encoding="utf-8"))
            node = next((n for n in getattr(tree, "body", []) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                         and n.name == qualname[0]), None)
            if node is None:
                continue
            found.append(_Graded(dotted, path.relative_to(source_dir).as_posix(), qualname[0], _parameters(node),
                                 source_dir, tuple(t for t in tests if t.function == dotted)))
    return found


class _Passed(Exception):
    """Raised from run_tests' progress callback at the first passing test: no need for the rest."""


def _candidate_passes(unit: Unit, graded: _Graded, limits, insecure: bool) -> bool:
    """Whether ``unit``, put in ``graded``'s place, passes one of its hidden tests that judge values."""
    from ..engine.running import run_tests

    tests = [t for t in graded.tests if not t.fresh]
    if not tests:
        return False

    def stop_at_first_pass(result):
        if result.status == "passed":
            raise _Passed()

    work = Path(tempfile.mkdtemp(prefix="release-audit-"))
    try:
        module = work / graded.module_path
        module.parent.mkdir(parents=True, exist_ok=True)
        for parent in PurePosixPath(graded.module_path).parents:
            if str(parent) != ".":
                (work / parent / "__init__.py").touch()
        module.write_text(f"from {CANDIDATE_MODULE} import {unit.name} as {graded.name}\n")
        (work / f"{CANDIDATE_MODULE}.py").write_text(unit.context, encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run_tests(tests, work, reference_dir=graded.source_dir, limits=limits, progress=stop_at_first_pass,
                      insecure=insecure)
    except _Passed:
        return True
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return False


def _calls(text: str) -> set:
    """Names of the functions ``text`` calls by their bare name (``affine_forward(x, w, b)``)."""
    tree = _parse(textwrap.dedent(text))
    return {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)} \
        if tree is not None else set()


def _behaviour_findings(units, graded) -> tuple:
    """(findings, number of candidates run). Released stubs, and provided functions that call one
    (``affine_relu_forward``), are not run: they give nothing before the student's work. A graded
    function without parameters returns a constant: nothing is run in its place (its region is
    judged by text)."""
    from ..sandbox import Limits, isolation_available

    by_params = {}
    for g in graded:
        if g.params:
            by_params.setdefault(g.params, []).append(g)
    limits = Limits(student_seconds=CANDIDATE_SECONDS)
    stubs = {unit.name for unit in units if unit.params is not None and STUB_RAISE_RE.search(unit.text)}
    insecure = None
    findings, runs = [], 0
    for unit in units:
        if unit.params not in by_params or STUB_RAISE_RE.search(unit.text) or _calls(unit.text) & stubs:
            continue  # a stub, or a function that needs a stub written first: it holds no answer
        if insecure is None:
            insecure = not isolation_available()  # the course's own files, isolated wherever possible
        for g in by_params[unit.params]:
            runs += 1
            if _candidate_passes(unit, g, limits, insecure):
                findings.append(Finding(unit.shown, unit.line, unit.name, f"hidden tests of {g.dotted}",
                                        f"passes hidden tests of {g.dotted} when put in its place"))
    return findings, runs


# -- helpers only hidden tests use -----------------------------------------------------------------

def _hidden_only(files, course: Path) -> list:
    """Functions that hidden tests import from a shipped module and that nothing shipped uses: they
    belong with the hidden tests, not in students' hands."""
    from .shipping import shown_module

    modules = {shown_module(f.shown): f for f in files if f.path.suffix == ".py"}
    names_used = set()
    trees = {}  # shown path of a shipped module -> its syntax tree
    for item in files:
        texts = [item.path.read_text(encoding="utf-8", errors="replace")] if item.path.suffix == ".py" else \
            [source for _, source in code_cells(item.path)] if item.path.suffix == ".ipynb" else []
        for text in texts:
            tree = _parse(text)
            if tree is None:
                continue
            if item.path.suffix == ".py":
                trees[item.shown] = tree
            for node in ast.walk(tree):
                if isinstance(node, ast.Name):
                    names_used.add(node.id)
                elif isinstance(node, ast.Attribute):
                    names_used.add(node.attr)
                elif isinstance(node, ast.alias):
                    names_used.add(node.name.rsplit(".", 1)[-1])
    findings = []
    hidden_files = sorted((course / "source").glob("*/tests/hidden_*.py")) if (course / "source").is_dir() else []
    for hidden in hidden_files:
        tree = _parse(hidden.read_text(encoding="utf-8", errors="replace"))
        for node in ast.walk(tree) if tree is not None else ():
            if not isinstance(node, ast.ImportFrom) or node.level or node.module not in modules:
                continue
            shipped = modules[node.module]
            defined = {n.name: n for n in trees.get(shipped.shown, ast.Module(body=[])).body
                       if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
            for alias in node.names:
                if alias.name in defined and alias.name not in names_used:
                    findings.append(Finding(shipped.shown, defined[alias.name].lineno, alias.name, "hidden-only helper",
                                            f"is used by hidden tests only ({hidden.relative_to(course).as_posix()}): "
                                            f"move it out of what students get"))
    unique = {(f.file, f.name): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.file, f.line))


# -- the whole audit ---------------------------------------------------------------------------------

@dataclass
class AuditReport:
    """The findings that stop a release, the ones the course excused (with the exception that
    covers each), and what was looked at."""
    findings: list
    excused: list
    units: int
    regions: int
    candidates_run: int

    def summary(self) -> str:
        line = (f"audit: {self.units} shipped functions and cells against {self.regions} solution regions, "
                f"{self.candidates_run} run against hidden tests: "
                f"{len(self.findings) or 'no'} finding{'' if len(self.findings) == 1 else 's'}")
        grouped = {}
        for finding, excuse in self.excused:
            grouped.setdefault(excuse, []).append(finding)
        for excuse, findings in grouped.items():
            first = findings[0]
            line += (f"\n  excused by {EXCEPTIONS_FILE}: {first.file}:{first.line} {first.name}: "
                     f"{'; '.join(f.key for f in findings)}")
        return line


def audit(course_dir, files, behaviour: bool = True) -> AuditReport:
    """Audit the shipped ``files`` (:class:`~.shipping.ShippedFile`) against every solution region,
    graded function and hidden test of ``course_dir/source``; see the module docstring."""
    course = Path(course_dir).resolve()
    units = shipped_units(files)
    regions = _telling(units, source_regions(course))
    findings = _text_findings(units, regions) + _hidden_only(files, course)
    runs = 0
    if behaviour:
        more, runs = _behaviour_findings(units, _graded_functions(course))
        findings += more
    exceptions = load_exceptions(course)
    kept, excused = [], []
    for finding in findings:
        excuse = next((e for e in exceptions if e.covers(finding)), None)
        if excuse is None:
            kept.append(finding)
        else:
            excused.append((finding, excuse))
    return AuditReport(kept, excused, len(units), len(regions), runs)


def check(course_dir, files, behaviour: bool = True) -> AuditReport:
    """:func:`audit`, raising :class:`ReleaseError` on the first finding (the count of the others
    in the same line)."""
    report = audit(course_dir, files, behaviour)
    if report.findings:
        first, more = report.findings[0], len(report.findings) - 1
        raise ReleaseError(f"release audit failed: {first}" + (f" (and {more} more finding{'s' * (more > 1)})" if more else ""))
    return report
