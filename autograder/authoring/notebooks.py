"""The student version of an assignment's notebooks: ``nbgrader generate_assignment``, run on a
staging course directory that holds nothing but the notebooks (so nbgrader never copies a solution
module anywhere), without a database and without reading any user or system nbgrader/Jupyter
configuration; then every cell's stub names what to write, and the output is serialised one way, so
that releasing an unchanged notebook twice gives the same bytes."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath

import nbformat

from .stubs import CODE_STUB, TEXT_STUB, ReleaseError, stub_raise

__all__ = ["NBGRADER_TIMEOUT", "generate_notebooks"]

NBGRADER_TIMEOUT = 600  # seconds

_CELL_ID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


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
# Written by autograder.authoring.notebooks for one staging run of `nbgrader generate_assignment`.
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


def generate_notebooks(src: Path, notebooks: list, build: Path, assignment: str,
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
