"""``autograder similarity``: which pairs of students share code beyond what the assignment gives.

What is compared, per student: the code of every graded function (the dotted paths of the
assignment's tests), the code cells students write in the notebooks (nbgrader solution cells), and
the helper functions a student added to a graded module. Each becomes one unit of comparison,
fingerprinted as ``fingerprints.py`` describes; the fingerprints of the released starter code of the
same unit (docstring, stub, provided lines) are removed first, so the starter alone scores 0.

The score of a pair: over the units both wrote, the weight of the fingerprints they share divided by
the weight of the smaller of their two sets (a copy with extra code still scores near 1). A
fingerprint's weight falls with the share of the class that has it: shared by two students it
counts 1, shared by ``COMMON_SHARE`` of the class or more (the obvious one-liners everyone writes)
it counts 0. A pair with fewer than ``MIN_EVIDENCE`` shared fingerprints is scaled down in
proportion, so that one short matching line is not a match.

Nothing here runs student code: files are parsed and tokenized, never imported. A Python file is
read as the interpreter decodes it (``analysis/source.py``), so code hidden from a UTF-8 reader by a
coding line is compared as it would run; a file that cannot be read so lists its student as "not
compared" instead of comparing nothing.
"""
import ast
import json
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
from scipy import sparse

from ..analysis.source import Unreadable, read_python
from .fingerprints import normalized_tokens, winnow

COMMON_SHARE = 0.2   # fingerprints shared by this share of the class (beyond a pair) weigh nothing
MIN_EVIDENCE = 10    # shared fingerprints below which a pair's score is scaled down
DEFAULT_THRESHOLD = 0.6
REPORT_FLOOR = 0.1   # pairs below this score are left out of the report...
MIN_PAIRS = 20       # ...except the best twenty, so that a clean class still shows its top
MAX_PAIRS = 2000
MAX_FILE_BYTES = 2 << 20
HELPERS = "helpers in "


class SimilarityError(Exception):
    """A problem with the run as a whole (one line)."""


# -- what to compare -------------------------------------------------------------------------------

@dataclass
class Plan:
    """The units of comparison of an assignment: {unit name: (relative file, locator)} where the
    locator is a qualified function name ("Class.method"), a notebook cell's grade_id, or None
    for the helper functions of a module; and the starter fingerprints of each unit."""
    units: dict
    starter: dict = field(default_factory=dict)         # {unit: starter fingerprint hashes}
    release_names: dict = field(default_factory=dict)   # {file: top-level names the release defines}


def _graded_functions(tests_dir):
    from ..engine.discovery import load_tests
    return sorted({t.function for t in load_tests(tests_dir, include_hidden=False)})


def _locate(dotted, root):
    """(relative .py path, qualified name) of a dotted graded function under ``root``."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        path = Path(*parts[:cut]).with_suffix(".py")
        if (root / path).is_file():
            return path.as_posix(), ".".join(parts[cut:])
    return None


def make_plan(release_dir):
    """The units of ``release_dir`` (a released assignment with its public tests)."""
    release_dir = Path(release_dir)
    if not (release_dir / "tests").is_dir():
        raise SimilarityError(f"{release_dir} has no tests/ folder: is it a released assignment?")
    units = {}
    for dotted in _graded_functions(release_dir / "tests"):
        found = _locate(dotted, release_dir)
        if found:
            units[found[1]] = found
    for file in sorted({f for f, _ in units.values()}):
        units[HELPERS + file] = (file, None)
    for notebook in sorted(release_dir.glob("*.ipynb")):
        for cell in _solution_cells(notebook.read_text(encoding="utf-8")):
            units[f"{notebook.name}: {cell[0]}"] = (notebook.name, cell[0])
    plan = Plan(units)
    starter = read_units(release_dir, plan, release_names=None)
    plan.starter = {name: {fp.hash for fp in winnow(normalized_tokens(text))}
                    for name, (text, _) in starter.items()}
    plan.release_names = _defined_names(release_dir, plan)
    return plan


def _solution_cells(text):
    """(grade_id, source) of the code cells students write in a notebook's text."""
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception:  # noqa: BLE001 - a broken notebook has no cells to compare
        return []
    cells = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and meta.get("grade_id"):
            cells.append((meta["grade_id"], cell.source))
    return cells


def _defined_names(release_dir, plan):
    """{file: names of the top-level functions and classes the release defines}."""
    names = {}
    for file, locator in plan.units.values():
        if locator is None:
            tree = _parse(_read(Path(release_dir) / file))
            names[file] = {n.name for n in getattr(tree, "body", []) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    return names


def _read(path):
    """The text of a file of the plan: a Python file as the interpreter decodes it (its coding
    line, a byte-order mark: ``analysis.source``), a notebook as UTF-8; "" when it is not there.
    A file that is there but cannot be read so (undecodable, over ``MAX_FILE_BYTES``) raises
    ``Unreadable`` naming it: its student is listed as not compared, never compared as empty."""
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        return ""
    try:
        if path.suffix == ".py":
            return read_python(path, limit=MAX_FILE_BYTES)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise Unreadable(f"it is larger than {MAX_FILE_BYTES // 1024} KiB")
        return path.read_bytes().decode("utf-8")
    except (Unreadable, UnicodeDecodeError) as exc:
        reason = exc if isinstance(exc, Unreadable) else "it is not valid UTF-8"
        raise Unreadable(f"{path.name} cannot be read: {reason}") from None


def _parse(text):
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _function_text(text, tree, qualname):
    """(source, first line) of ``qualname`` ("f" or "Class.f") in a module, or None."""
    nodes = getattr(tree, "body", [])
    *classes, name = qualname.split(".")
    for cls in classes:
        nodes = next((n.body for n in nodes if isinstance(n, ast.ClassDef) and n.name == cls), [])
    for node in nodes:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            lines = text.splitlines()[start - 1:node.end_lineno]
            return "\n".join(lines), start
    return None


def read_units(folder, plan, release_names):
    """{unit name: (source text, first line in its file)} of one assignment folder. Helper units
    hold the top-level functions (and classes) not defined in the release (``release_names``,
    {file: names}; None reads no helpers)."""
    folder = Path(folder)
    texts, trees, found = {}, {}, {}
    for name, (file, locator) in plan.units.items():
        if file not in texts:
            texts[file] = _read(folder / file)
            trees[file] = _parse(texts[file]) if file.endswith(".py") else None
        text, tree = texts[file], trees[file]
        if file.endswith(".ipynb"):
            cell = dict(_solution_cells(text)).get(locator) if text else None
            if cell:
                found[name] = (cell, 1)
        elif locator is None:
            if release_names is None or tree is None:
                continue
            known = release_names.get(file, set())
            helpers = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name not in known]
            if helpers:
                lines = text.splitlines()
                first = min(n.lineno for n in helpers)
                found[name] = ("\n".join(lines[first - 1:max(n.end_lineno for n in helpers)]), first)
        elif tree is not None:
            got = _function_text(text, tree, locator)
            if got:
                found[name] = got
        elif text:
            got = _function_text_by_indentation(text, locator.rsplit(".", 1)[-1])
            if got:
                found[name] = got  # a module that does not parse: the function's lines, as tokens
    return found


def _function_text_by_indentation(text, name):
    """(source, first line) of the first ``def name(`` in a text that does not parse: up to the
    next line indented no deeper that starts something else."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        match = re.match(rf"(\s*)def {re.escape(name)}\(", line)
        if match:
            indent = len(match.group(1))
            end = start + 1
            while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
                                        or lines[end].lstrip().startswith((")", "]", "}"))):
                end += 1
            return "\n".join(lines[start:end]), start + 1
    return None


# -- fingerprints of a class -----------------------------------------------------------------------

def _student_fingerprints(args):
    """{unit: (fingerprints without the starter's, source, first line)} of one submission."""
    student, path, assignment, plan = args
    from ..intake.workspace import SubmissionError, find_assignment_root, private_copy
    temp = None
    try:
        if Path(path).is_file() or any(p.suffix.lower() == ".zip" for p in Path(path).iterdir()):
            temp, root = private_copy(path, assignment)
        else:
            root = find_assignment_root(path, assignment)
        units = read_units(root, plan, plan.release_names)
        result = {}
        for name, (text, first) in units.items():
            starter = plan.starter.get(name, set())
            fps = [fp for fp in winnow(normalized_tokens(text)) if fp.hash not in starter]
            if fps:
                result[name] = (fps, text, first)
    except (SubmissionError, OSError, ValueError, RecursionError, MemoryError) as exc:
        return student, {"": f"{type(exc).__name__}: {exc}"[:200]}
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    return student, result


def fingerprint_class(submissions, plan, assignment, workers=None, progress=True):
    """{student: {unit: (fingerprints, text, first line)}} for every submission, in parallel."""
    from tqdm import tqdm
    jobs = [(student, path, assignment, plan) for student, path in submissions.items()]
    out = {}
    bar = tqdm(total=len(jobs), desc="fingerprinting", unit="student", disable=not progress, leave=False)
    if workers == 1 or len(jobs) < 8:
        for job in jobs:
            student, units = _student_fingerprints(job)
            out[student] = units
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for student, units in pool.map(_student_fingerprints, jobs, chunksize=8):
                out[student] = units
                bar.update()
    bar.close()
    return out


# -- scores ----------------------------------------------------------------------------------------

def weight_of(df, num_students):
    """Weight of a fingerprint that ``df`` students share (1 for a pair, 0 when common)."""
    return np.clip(1.0 - (df - 2) / max(COMMON_SHARE * num_students, 1.0), 0.0, 1.0)


@dataclass
class UnitScores:
    shared: np.ndarray    # (S, S) weight of the fingerprints each pair shares
    mass: np.ndarray      # (S,) weight of each student's fingerprints
    count: np.ndarray     # (S, S) number of shared fingerprints with a positive weight


def unit_scores(students, fingerprints, unit):
    """Pairwise shared weights of one unit, from a sparse student x fingerprint matrix."""
    index = {}
    rows, cols = [], []
    for row, student in enumerate(students):
        entry = fingerprints[student].get(unit)
        if not entry:
            continue
        for h in {fp.hash for fp in entry[0]}:
            rows.append(row)
            cols.append(index.setdefault(h, len(index)))
    size = len(students)
    if not index:
        zero = np.zeros((size, size))
        return UnitScores(zero, np.zeros(size), zero)
    present = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, len(index)))
    df = np.asarray(present.sum(axis=0)).ravel()
    weights = weight_of(df, size)
    keep = weights > 0
    present = present[:, keep]
    weights = weights[keep]
    weighted = present @ sparse.diags(weights)
    shared = (weighted @ present.T).toarray()
    count = (present @ present.T).toarray()
    return UnitScores(shared, np.asarray(weighted.sum(axis=1)).ravel(), count)


def score_pairs(fingerprints, units, threshold, floor=REPORT_FLOOR, most=MAX_PAIRS):
    """[pair dict] best first, see the module docstring: every pair scoring at least ``floor``
    (and at least the best ``MIN_PAIRS``), at most ``most``, each with its functions and regions."""
    students = sorted(fingerprints)
    size = len(students)
    total_shared, total_base, total_count = (np.zeros((size, size), dtype=np.float32) for _ in range(3))
    per_unit = {}
    for unit in units:
        scores = unit_scores(students, fingerprints, unit)
        if not scores.mass.any():
            continue
        base = np.minimum.outer(scores.mass, scores.mass).astype(np.float32)
        total_shared += scores.shared
        total_base += base
        total_count += scores.count
        per_unit[unit] = (scores.shared.astype(np.float32), base)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total_base > 0, np.minimum(total_shared / total_base, 1.0), 0.0)
    matrix = ratio * np.minimum(total_count / MIN_EVIDENCE, 1.0)
    a_index, b_index = np.triu_indices(size, k=1)
    values = matrix[a_index, b_index]
    order = np.argsort(-values, kind="stable")
    keep = [i for rank, i in enumerate(order[:most]) if values[i] > 0 and (values[i] >= floor or rank < MIN_PAIRS)]
    pairs = []
    for i in keep:
        a, b = int(a_index[i]), int(b_index[i])
        functions = []
        for unit, (shared, base) in per_unit.items():
            if shared[a, b] > 0 and base[a, b] > 0:
                functions.append({"name": unit, "score": round(float(min(1.0, shared[a, b] / base[a, b])), 4),
                                  "regions": _regions(fingerprints, students[a], students[b], unit)})
        functions.sort(key=lambda f: -f["score"])
        score = round(float(values[i]), 4)
        pairs.append({"a": students[a], "b": students[b], "score": score, "flagged": score >= threshold,
                      "shared_fingerprints": int(total_count[a, b]), "functions": functions})
    pairs.sort(key=lambda p: (-p["score"], p["a"], p["b"]))
    return pairs


def _merge(ranges):
    merged = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return merged


def _regions(fingerprints, a, b, unit):
    """Matching line ranges {"a": [[first, last], ...], "b": [...]} in each student's file."""
    fa, _, start_a = fingerprints[a][unit]
    fb, _, start_b = fingerprints[b][unit]
    common = {fp.hash for fp in fa} & {fp.hash for fp in fb}
    return {"a": _merge([(line + start_a - 1,) * 2 for fp in fa if fp.hash in common for line in fp.lines]),
            "b": _merge([(line + start_b - 1,) * 2 for fp in fb if fp.hash in common for line in fp.lines])}


# -- the command -----------------------------------------------------------------------------------

@dataclass
class Report:
    pairs: list
    fingerprints: dict
    threshold: float
    num_students: int
    problems: list = field(default_factory=list)  # one line per submission that could not be read

    def flagged(self):
        return [p for p in self.pairs if p["flagged"]]


def compare_class(submissions, release_dir, assignment="assignment1", threshold=DEFAULT_THRESHOLD, workers=None,
                  progress=True):
    import tempfile
    workdir = Path(tempfile.mkdtemp(prefix="autograder-similarity-"))
    try:
        return _compare(submissions, release_dir, assignment, threshold, workers, progress, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _compare(submissions, release_dir, assignment, threshold, workers, progress, workdir):
    from ..intake.submissions import IntakeError, find_submissions
    try:
        intake = find_submissions(submissions, assignment, workdir=workdir)
    except IntakeError as exc:
        raise SimilarityError(str(exc)) from None
    found, skipped = intake.found, intake.skipped
    if len(found) < 2:
        raise SimilarityError(f"{submissions} holds {len(found)} submission(s); a comparison needs two")
    plan = make_plan(release_dir)
    fingerprints = fingerprint_class(found, plan, assignment, workers=workers, progress=progress)
    problems = [f"{student}: not compared ({units.pop('')})" for student, units in sorted(fingerprints.items())
                if "" in units] + skipped
    pairs = score_pairs(fingerprints, plan.units, threshold)
    return Report(pairs, fingerprints, threshold, len(found), problems)


def report_json(report):
    return json.dumps(report.pairs, indent=1)


def summary_lines(report, top=10):
    flagged = report.flagged()
    lines = [f"{report.num_students} students, {report.num_students * (report.num_students - 1) // 2} pairs; "
             f"{len(flagged)} at or above the threshold {report.threshold:g}"]
    for pair in report.pairs[:top]:
        names = ", ".join(f["name"] for f in pair["functions"][:3])
        lines.append(f"  {pair['score']:.2f}  {pair['a']} - {pair['b']}{'  <-- review' if pair['flagged'] else ''}"
                     f"  ({names})")
    lines.extend(report.problems)
    lines.append("A score is evidence for a person to review (see the report), not a verdict.")
    return lines
