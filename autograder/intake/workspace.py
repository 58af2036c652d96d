"""Private working copies of student submissions (folders or zip files), made safely.

Only regular files are copied: symlinks, devices and sockets are skipped, ``..`` and absolute paths
in zip files are refused, and sizes are capped, so nothing in a submission can make the grader read
or write outside it.

Uploads come in the shapes people make: a folder, a zip, a folder holding one zip, everything one
or two folders deeper than expected, macOS's ``__MACOSX`` copies, a file renamed by the LMS
(``knn (1).ipynb``, ``knn-1.ipynb``). The copy takes what it can; every file it skips, renames or
cannot use becomes one line in ``notes``, which the student's feedback shows.
"""
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

MAX_FILES = 2000
MAX_FILE_BYTES = 50 << 20
MAX_TOTAL_BYTES = 300 << 20
SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", ".git", "__MACOSX"}
# What an LMS or a browser makes of a file uploaded twice: "knn (1).ipynb", "knn-1.ipynb", "knn_2.ipynb".
COPY_SUFFIX = re.compile(r"^(?P<stem>.+?)(?: \(\d+\)|-\d+|_\d+| copy)(?P<ext>\.[A-Za-z]+)$")


class SubmissionError(Exception):
    """A submission that cannot be graded as a whole (one line, names the problem)."""


def _budget(max_files=MAX_FILES, max_bytes=MAX_TOTAL_BYTES):
    return {"files": 0, "bytes": 0, "max_files": max_files, "max_bytes": max_bytes}


def _charge(budget, size, name, notes):
    """Count one file against the caps; False when it is to be skipped (too large, named in notes)."""
    if size > MAX_FILE_BYTES:
        # Never one of ours (the largest released file is well under 1 MB): a dataset or a model
        # dump uploaded by mistake. Skipping it keeps the rest of the work gradable.
        notes.append(f"{name} was left out: it is larger than {MAX_FILE_BYTES >> 20} MB")
        return False
    budget["files"] += 1
    budget["bytes"] += size
    if budget["files"] > budget["max_files"]:
        raise SubmissionError(f"more than {budget['max_files']} files")
    if budget["bytes"] > budget["max_bytes"]:
        raise SubmissionError(f"submission is larger than {budget['max_bytes'] >> 20} MB")
    return True


def _odd_name(name):
    """Why a file name cannot be used as it is (control characters, bytes that are not UTF-8), or ''."""
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "its name holds control characters"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not valid UTF-8"
    return ""


def copy_tree(source, destination, notes=None):
    """Copy the regular files of ``source`` into ``destination`` (created); symlinks are skipped."""
    source, destination = Path(source), Path(destination)
    notes = [] if notes is None else notes
    budget = _budget()
    destination.mkdir(parents=True, exist_ok=True)
    for folder, dirs, files in os.walk(source, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not os.path.islink(os.path.join(folder, d)))
        relative = Path(folder).relative_to(source)
        (destination / relative).mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode):
                continue  # symlinks, fifos, devices: never followed
            odd = _odd_name(name)
            if odd:
                notes.append(f"{(relative / name).as_posix()!r} was left out: {odd}")
                continue
            if not _charge(budget, info.st_size, (relative / name).as_posix(), notes):
                continue
            shutil.copyfile(path, destination / relative / name, follow_symlinks=False)
    return destination


def extract_zip(archive, destination, notes=None, max_files=MAX_FILES, max_bytes=MAX_TOTAL_BYTES):
    """Extract the regular files of a zip into ``destination``, refusing unsafe names."""
    destination = Path(destination)
    notes = [] if notes is None else notes
    budget = _budget(max_files, max_bytes)
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.infolist():
                name = PurePosixPath(member.filename.replace("\\", "/"))
                if member.is_dir():
                    continue
                if name.is_absolute() or ".." in name.parts or not name.parts:
                    raise SubmissionError(f"unsafe path in zip: {member.filename!r}")
                if stat.S_ISLNK(member.external_attr >> 16):
                    continue
                if any(part in SKIP_DIRS for part in name.parts) or name.name == ".DS_Store":
                    continue
                odd = _odd_name(name.name)
                if odd:
                    notes.append(f"{member.filename!r} was left out: {odd}")
                    continue
                if not _charge(budget, member.file_size, name.as_posix(), notes):
                    continue
                target = destination.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise SubmissionError(f"{Path(archive).name} is not a readable zip file ({_zip_problem(exc)})") from None
    return destination


def _zip_problem(exc):
    text = str(exc).lower()
    if "not a zip file" in text:
        return "it may have been cut off while uploading, or be another kind of archive"
    if "compression" in text or isinstance(exc, NotImplementedError):
        return "it uses a compression method Python cannot read; zip it again with a standard tool"
    return f"{type(exc).__name__}: {exc}"[:120]


def _holds_work(folder):
    return any(p.suffix in (".py", ".ipynb") for p in folder.iterdir() if p.is_file())


def find_assignment_root(folder, assignment):
    """The folder that holds the assignment's files: ``folder/<assignment>`` when it exists (the
    nbgrader layout or a zip of the assignment folder), a folder a level or two down when the
    upload wraps the work in folders of its own (``<student>/<assignment>/``, ``assignment1-final/``),
    else ``folder`` itself."""
    folder = Path(folder)
    for _ in range(4):
        nested = folder / assignment
        if nested.is_dir() and not nested.is_symlink():
            return nested
        if _holds_work(folder):
            return folder
        children = [c for c in folder.iterdir() if c.is_dir() and not c.is_symlink() and c.name not in SKIP_DIRS]
        if len(children) != 1:
            return folder
        folder = children[0]
    return folder


def _inner_zip(root, notes):
    """The zip to open when an upload holds nothing but zips (``<student>/assignment1.zip``)."""
    files = [p for p in root.rglob("*") if p.is_file()]
    if any(p.suffix in (".py", ".ipynb") for p in files):
        return None
    zips = sorted(p for p in files if p.suffix.lower() == ".zip")
    if len(zips) > 1:
        # Several uploads of the same work: the last one in name order (LMSs number re-uploads).
        notes.append(f"several zip files ({', '.join(p.name for p in zips)}); graded {zips[-1].name}")
    return zips[-1] if zips else None


def rename_copies(root, expected, notes):
    """Give files the names the assignment expects when only an LMS-renamed or misplaced copy is
    present: ``knn (1).ipynb`` or ``KNN.ipynb`` for ``knn.ipynb``, a top-level ``k_nearest_neighbor.py``
    for ``classifiers/k_nearest_neighbor.py``. ``expected``: relative paths."""
    for relative in expected:
        target = root / relative
        if target.exists():
            continue
        wanted = target.name.lower()
        candidates = []
        # Its own folder first; then the top level, where uploads of loose files (Canvas keeps
        # no folders) put classifiers/k_nearest_neighbor.py.
        for folder in dict.fromkeys([target.parent, root]):
            if candidates or not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                match = COPY_SUFFIX.match(path.name)
                base = (match.group("stem") + match.group("ext")) if match else path.name
                if path.is_file() and wanted in (base.lower(), path.name.lower()):
                    candidates.append(path)
        if candidates:
            chosen = candidates[-1]
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(chosen, target)
            notes.append(f"{chosen.relative_to(root).as_posix()} was graded as {Path(relative).as_posix()}")


def expected_files(assignment_dir):
    """The notebooks and modules a submission should hold, as relative paths, from the assignment's
    source or release folder (tests and data left out)."""
    assignment_dir = Path(assignment_dir)
    found = []
    for path in sorted(assignment_dir.rglob("*")):
        relative = path.relative_to(assignment_dir)
        if path.suffix in (".py", ".ipynb") and relative.parts[0] not in ("tests",) \
                and not any(part in SKIP_DIRS or part.startswith(".") for part in relative.parts):
            found.append(relative)
    return found


def notebook_problem(path):
    """Why the notebook at ``path`` cannot be read, in words for its author, or '' when it can."""
    import nbformat
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return f"{Path(path).name} is not a notebook: it is not a text file"
    if not text.strip():
        return f"{Path(path).name} is empty"
    try:
        data = json.loads(text)
    except ValueError as exc:
        where = f"line {exc.lineno}" if hasattr(exc, "lineno") else "somewhere"
        # Text that stops inside a string or before the closing brackets was cut off.
        cut = getattr(exc, "msg", "").startswith("Unterminated string") or getattr(exc, "pos", 0) >= len(text.rstrip())
        hint = ": the file ends too early, as if it was cut off while uploading" if cut else ""
        return f"{Path(path).name} is not a readable notebook (broken JSON at {where}{hint})"
    if not isinstance(data, dict) or "cells" not in data:
        return f"{Path(path).name} is not a notebook (JSON without cells)"
    try:
        nbformat.validate(nbformat.reads(text, as_version=4))
    except Exception as exc:  # noqa: BLE001 - any nbformat complaint means the same to the student
        return f"{Path(path).name} is not a valid notebook (Jupyter cannot read its structure: {type(exc).__name__})"
    return ""


def upload_problems(root, expected):
    """Lines for the student about files that are missing or unreadable in the graded folder."""
    problems = []
    if expected and not any((root / relative).is_file() for relative in expected):
        seen = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        shown = ", ".join(seen[:4]) + (f" and {len(seen) - 4} more" if len(seen) > 4 else "")
        return [f"none of the assignment's files is in the upload (expected {Path(expected[0]).as_posix()} "
                f"and the others at its top level; found {shown or 'nothing'})"]
    for relative in expected:
        path = root / relative
        if not path.is_file():
            kind = "" if path.suffix == ".ipynb" else ": the tests that need it score 0"
            problems.append(f"{Path(relative).as_posix()} is missing{kind}")
        elif path.suffix == ".ipynb":
            problem = notebook_problem(path)
            if problem:
                problems.append(problem + "; its written answers cannot be graded (the other notebooks can)")
    return problems


def private_copy(submission, assignment, scratch=None, notes=None, expected=()):
    """Copy one student's submission (folder or .zip) into a fresh private folder.

    Returns (temporary folder to delete afterwards, the assignment folder inside it). A folder or
    zip that holds only a zip is unpacked one level further. ``expected`` (relative paths, see
    ``expected_files``) lets LMS-renamed copies take the expected names. What was skipped or
    renamed is appended to ``notes``.
    """
    submission = Path(submission)
    notes = [] if notes is None else notes
    temp = Path(tempfile.mkdtemp(prefix="autograder-", dir=scratch))
    try:
        raw = temp / "raw"
        if submission.is_file() and submission.suffix.lower() == ".zip":
            extract_zip(submission, raw, notes)
        elif submission.is_dir():
            copy_tree(submission, raw, notes)
        else:
            raise SubmissionError(f"{submission.name} is neither a folder nor a .zip file")
        raw.mkdir(exist_ok=True)
        inner = _inner_zip(raw, notes)
        if inner is not None:
            unpacked = temp / "unpacked"
            extract_zip(inner, unpacked, notes)
            raw = unpacked
        if not any(p.is_file() for p in raw.rglob("*")):
            what = "zip" if submission.is_file() else "folder"
            raise SubmissionError(f"the {what} {submission.name} holds no files")
        root = find_assignment_root(raw, assignment)
        rename_copies(root, expected, notes)
        return temp, root
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
