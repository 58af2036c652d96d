"""Whose submission is where: the shapes instructors receive a class's work in.

- ``<student>/<assignment>/...`` (nbgrader's layout), ``<student>/...``, or a folder holding a zip
  (``<student>/<assignment>.zip``: the copy in ``workspace`` unpacks it);
- ``<student>.zip``;
- Canvas's "Download Submissions": files side by side, named
  ``<name>[_LATE]_<user id>_<file id>_<original name>`` (``doejohn_LATE_12345_67890_knn.ipynb``);
  one student's files are grouped;
- Moodle's "Download all submissions": ``<Full Name>_<participant number>_assignsubmission_file``
  folders (a trailing ``_`` before Moodle 4.1), or flat files with that prefix before the original
  name; the participant number is Moodle's per-assignment number ("Participant 12345"), not the
  user id; online-text parts are ignored;
- any of these inside one zip (the bulk download as it was saved).

Where an LMS names the upload, a roster (``roster.py``) maps its id or name to the student id used
everywhere else; without one the name becomes the id (``smithjohn``, ``ada_lovelace``). An LMS
upload's submission time is the newest modification time the download holds for its files
(``origin[student]["uploaded"]``): a bulk zip's entry times, or the files' times in an unpacked
download (``unzip`` keeps them). Nothing here reads a student's files beyond their names and
times; files of a grouped Canvas upload are copied into ``workdir`` under their original names.
"""
import os
import re
import shutil
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from .roster import Roster, slug
from .workspace import MAX_FILE_BYTES, SubmissionError, extract_zip

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")
CANVAS = re.compile(r"^(?P<name>[^_]+?)(?P<late>_LATE)?_(?P<id>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
# Moodle 4.1+ names folders "..._assignsubmission_file", earlier versions "..._assignsubmission_file_";
# flat downloads put the original name after that last underscore.
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)(?:_(?P<file>.*))?$")
# A whole class in one zip may be larger than one student's caps allow.
BULK_FILES, BULK_BYTES = 200_000, 20 << 30


class IntakeError(Exception):
    """The submissions cannot be read at all (one line)."""


@dataclass
class Intake:
    found: dict = field(default_factory=dict)    # student -> folder or zip to grade
    skipped: list = field(default_factory=list)  # one line per entry that is nobody's submission
    # student -> {"lms": "canvas"|"moodle", "lms_id", "name", "late", "entry", "uploaded"}; "uploaded":
    # the newest file time the download holds for the upload (ISO 8601, UTC), its submission time
    origin: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)    # one line per mapping worth telling the instructor


def _lms_entry(entry):
    """(lms, id, name, late, file name inside the upload or '', plugin) for an LMS-named entry, else None."""
    name = entry.name
    match = MOODLE.match(name)
    if match:
        return "moodle", match["id"], match["name"], False, match["file"] or "", match["plugin"]
    match = CANVAS.match(name)
    if match and entry.is_file():
        return "canvas", match["id"], match["name"], bool(match["late"]), match["file"], "file"
    return None


def _plain_entry(entry, intake):
    """The student id of a ``<student>/`` folder or ``<student>.zip``, or None (with a skipped line)."""
    is_zip = entry.is_file() and entry.suffix.lower() == ".zip"
    student = entry.name[:-4] if is_zip else entry.name
    if entry.is_symlink() or not (entry.is_dir() or is_zip):
        if not entry.name.startswith("."):
            intake.skipped.append(f"{entry.name}: not a folder or .zip")
        return None
    if not STUDENT_ID.match(student):
        intake.skipped.append(f"{entry.name}: not a usable student id (letters, digits and _.@+- only)")
        return None
    return student


def _bulk_folder(submissions, workdir):
    """The folder to read: ``submissions`` itself, or where its zip (a bulk download) is unpacked."""
    root = Path(submissions)
    if root.is_file() and root.suffix.lower() == ".zip":
        if workdir is None:
            raise IntakeError(f"{submissions} is a zip: unpack it, or grade it with `autograder grade`")
        target = Path(workdir) / "bulk"
        shutil.rmtree(target, ignore_errors=True)
        notes = []
        try:
            extract_zip(root, target, notes, max_files=BULK_FILES, max_bytes=BULK_BYTES)
        except SubmissionError as exc:
            raise IntakeError(f"cannot unpack {root.name}: {exc}") from None
        _keep_zip_times(root, target)
        root = target
        while True:  # the download's own top folder, if it has one
            children = [c for c in root.iterdir() if not c.name.startswith(("_", "."))]
            if len(children) == 1 and children[0].is_dir() and _looks_like_class(children[0]):
                root = children[0]
            else:
                break
    if not root.is_dir():
        raise IntakeError(f"{submissions} is not a folder of submissions (nor a zip of one)")
    return root


def _keep_zip_times(archive, target):
    """Give the unpacked files the modification times the zip records (as ``unzip`` does): for an
    LMS download they are the LMS's times for the uploads, the submission time of record."""
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            name = PurePosixPath(member.filename.replace("\\", "/"))
            if member.is_dir() or name.is_absolute() or ".." in name.parts or not name.parts:
                continue  # extract_zip refused or skipped it
            path = target.joinpath(*name.parts)
            if path.is_file() and not path.is_symlink():
                stamp = time.mktime(member.date_time + (0, 0, -1))  # local time, as unzip reads it
                os.utime(path, (stamp, stamp), follow_symlinks=False)


def _upload_time(entry, limit=10_000):
    """The newest modification time (seconds since the epoch) of the files of one LMS upload."""
    if entry.is_file():
        return entry.lstat().st_mtime
    newest, seen = 0.0, 0
    for folder, _, files in os.walk(entry, followlinks=False):
        for name in files:
            seen += 1
            if seen > limit:
                return newest
            newest = max(newest, os.lstat(os.path.join(folder, name)).st_mtime)
    return newest


def _looks_like_class(folder):
    """A folder of several students (not one student's work): more than one entry, no notebooks."""
    entries = list(folder.iterdir())
    return len(entries) > 1 and not any(e.suffix in (".ipynb", ".py") for e in entries)


def find_submissions(submissions, assignment, roster=None, workdir=None):
    """Every submission under ``submissions`` (a folder, or a zip of one); see the module docstring.

    ``roster``: a ``Roster`` or None. ``workdir``: where grouped uploads and an unpacked bulk zip
    go (cleared first); without it, a Canvas upload of several loose files cannot be grouped and
    is skipped with a line.
    """
    roster = roster or Roster()
    intake = Intake()
    if workdir is not None:
        shutil.rmtree(Path(workdir) / "grouped", ignore_errors=True)
    root = _bulk_folder(submissions, workdir)
    groups = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            continue
        lms = _lms_entry(entry) if not entry.is_symlink() else None
        if lms is None:
            student = _plain_entry(entry, intake)
            if student is None:
                continue
            if student in intake.found:
                intake.skipped.append(f"{entry.name}: {student} has both a folder and a zip; the folder is used")
                continue
            intake.found[student] = entry
            continue
        kind, lms_id, name, late, inner, plugin = lms
        if plugin != "file":
            continue  # Moodle's online text: nothing of the assignment's files
        group = groups.setdefault((kind, lms_id), {"name": name, "late": False, "entries": [], "uploaded": 0.0})
        group["late"] |= late
        group["entries"].append((entry, inner))
        group["uploaded"] = max(group["uploaded"], _upload_time(entry))
    for (kind, lms_id), group in sorted(groups.items()):
        student = _student_for(kind, lms_id, group["name"], roster, intake)
        if student is None:
            continue
        path = _group_path(student, group["entries"], workdir, intake)
        if path is None:
            continue
        intake.found[student] = path
        intake.origin[student] = {"lms": kind, "lms_id": lms_id, "name": group["name"], "late": group["late"],
                                  "entry": group["entries"][0][0].name}
        if group["uploaded"]:
            intake.origin[student]["uploaded"] = datetime.fromtimestamp(group["uploaded"], timezone.utc).isoformat()
    if not intake.found and not intake.skipped and not any(root.iterdir()):
        raise IntakeError(f"{submissions} is empty")
    return intake


def _student_for(kind, lms_id, name, roster, intake):
    label = f"{kind.capitalize()} upload of {name!r} (id {lms_id})"
    student = roster.student_for(lms_id, name)
    if student is None:
        student = slug(name) or f"{kind}_{lms_id}"
        if roster.rows:
            intake.notes.append(f"{label}: not in the roster; graded as {student}")
    if student in intake.found:
        other = f"{student}_{lms_id}"
        intake.notes.append(f"{label}: {student} is taken by another upload; graded as {other}")
        student = other
    if not STUDENT_ID.match(student):
        intake.skipped.append(f"{label}: {student!r} is not a usable student id; add it to the roster")
        return None
    return student


def _group_path(student, entries, workdir, intake):
    """What to grade for one LMS student: their folder or zip, or a folder of their loose files."""
    if len(entries) == 1:
        entry, inner = entries[0]
        if entry.is_dir() or (entry.suffix.lower() == ".zip" and entry.is_file()):
            return entry
    if workdir is None:
        intake.skipped.append(f"{entries[0][0].name}: {student}'s upload of {len(entries)} files needs a work folder")
        return None
    folder = Path(workdir) / "grouped" / student
    folder.mkdir(parents=True, exist_ok=True)
    for entry, inner in entries:
        target = folder / (inner or entry.name)
        if entry.is_symlink():
            continue
        if entry.is_dir():
            shutil.copytree(entry, target, symlinks=True, dirs_exist_ok=True)
        elif entry.is_file():
            if entry.stat().st_size > MAX_FILE_BYTES:
                intake.skipped.append(f"{entry.name}: {student}'s file is larger than {MAX_FILE_BYTES >> 20} MB "
                                      f"and was left out")
                continue
            shutil.copyfile(entry, target)
    return folder
