"""Private working copies of student submissions (folders or zip files), made safely.

Only regular files are copied: symlinks, devices and sockets are skipped, ``..`` and absolute paths
in zip files are refused, and sizes are capped, so nothing in a submission can make the grader read
or write outside it.
"""
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

MAX_FILES = 2000
MAX_FILE_BYTES = 50 << 20
MAX_TOTAL_BYTES = 300 << 20
SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", ".git"}


class SubmissionError(Exception):
    """A submission that cannot be graded as a whole (one line, names the problem)."""


def _budget():
    return {"files": 0, "bytes": 0}


def _charge(budget, size, name):
    budget["files"] += 1
    budget["bytes"] += size
    if budget["files"] > MAX_FILES:
        raise SubmissionError(f"more than {MAX_FILES} files")
    if size > MAX_FILE_BYTES:
        raise SubmissionError(f"{name} is larger than {MAX_FILE_BYTES >> 20} MB")
    if budget["bytes"] > MAX_TOTAL_BYTES:
        raise SubmissionError(f"submission is larger than {MAX_TOTAL_BYTES >> 20} MB")


def copy_tree(source, destination):
    """Copy the regular files of ``source`` into ``destination`` (created); symlinks are skipped."""
    source, destination = Path(source), Path(destination)
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
            _charge(budget, info.st_size, relative / name)
            shutil.copyfile(path, destination / relative / name, follow_symlinks=False)
    return destination


def extract_zip(archive, destination):
    """Extract the regular files of a zip into ``destination``, refusing unsafe names."""
    destination = Path(destination)
    budget = _budget()
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
                if any(part in SKIP_DIRS for part in name.parts):
                    continue
                _charge(budget, member.file_size, name)
                target = destination.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    except zipfile.BadZipFile:
        raise SubmissionError(f"{Path(archive).name} is not a valid zip file") from None
    return destination


def find_assignment_root(folder, assignment):
    """The folder that holds the assignment's files: ``folder/<assignment>`` when it exists (the
    nbgrader layout or a zip of the assignment folder), else ``folder`` itself."""
    folder = Path(folder)
    nested = folder / assignment
    if nested.is_dir() and not nested.is_symlink():
        return nested
    children = [c for c in folder.iterdir() if c.is_dir() and not c.is_symlink()]
    if len(children) == 1 and (children[0] / assignment).is_dir():
        return children[0] / assignment  # zip of "<student>/<assignment>/..."
    return folder


def private_copy(submission, assignment, scratch=None):
    """Copy one student's submission (folder or .zip) into a fresh private folder.

    Returns (temporary folder to delete afterwards, the assignment folder inside it).
    """
    submission = Path(submission)
    temp = Path(tempfile.mkdtemp(prefix="autograder-", dir=scratch))
    try:
        raw = temp / "raw"
        if submission.is_file() and submission.suffix == ".zip":
            extract_zip(submission, raw)
        elif submission.is_dir():
            copy_tree(submission, raw)
        else:
            raise SubmissionError(f"{submission.name} is neither a folder nor a .zip file")
        return temp, find_assignment_root(raw, assignment)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
