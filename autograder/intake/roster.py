"""The class roster: who is in the course, under which ids the LMS knows them.

A CSV with a header row; only ``student`` is required:

    student,name,lms_id,sis_user_id,sis_login_id,section,email,extension
    ada,Ada Lovelace,10001,S1001,ada@example.edu,Section A,ada@example.edu,2d

- ``student``: the id used in the gradebook, the feedback folders and grades.csv;
- ``lms_id``: the LMS's number for the student (Canvas's user ID, Moodle's participant number, as
  they appear in bulk-download names), used to find whose upload is whose and in the exports;
- ``name``, ``sis_user_id``, ``sis_login_id``, ``section``, ``email``: copied into the exports that
  want them (Canvas, Moodle); ``name`` and ``email`` also go into nbgrader's gradebook, so the
  formgrader shows people's names ("Lovelace, Ada" and "Ada Lovelace" both give last name Lovelace);
- ``extension``: more time for this student, a duration added to the due date (``2d``, ``36h``)
  or a new due date (``2025-03-16 23:59 Europe/Berlin``); see ``classrun/deadlines.py``.
"""
import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

COLUMNS = ("student", "name", "lms_id", "sis_user_id", "sis_login_id", "section", "email", "extension")


class RosterError(Exception):
    """A roster that cannot be used (one line)."""


def slug(name):
    """An id made from a person's name: 'José García' -> 'jose_garcia'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")


@dataclass
class Roster:
    rows: dict = field(default_factory=dict)  # student -> {column: value}

    def student_for(self, lms_id="", name=""):
        """The roster's student for an LMS id or, failing that, a name; None when neither matches."""
        for student, row in self.rows.items():
            if lms_id and row.get("lms_id") == str(lms_id):
                return student
        wanted = slug(name)
        if wanted:
            matches = [s for s, row in self.rows.items() if slug(row.get("name", "")) == wanted
                       or slug(row.get("name", "")).replace("_", "") == wanted.replace("_", "")]
            if len(matches) == 1:
                return matches[0]
        return None

    def get(self, student, column):
        return self.rows.get(student, {}).get(column, "")

    def person(self, student):
        """nbgrader's fields for ``student`` (first_name, last_name, email, lms_user_id), only
        those the roster fills in; {} for a student it does not list."""
        first, last = split_name(self.get(student, "name"))
        fields = {"first_name": first, "last_name": last, "email": self.get(student, "email"),
                  "lms_user_id": self.get(student, "lms_id")}
        # The formgrader's manual-grading page writes the name into its HTML as it is, and a name
        # comes from whatever a student typed into the LMS: no name needs '<' or '>'.
        return {k: v.replace("<", "").replace(">", "") for k, v in fields.items() if v}


def split_name(name):
    """(first, last) of a roster name: 'Lovelace, Ada' and 'Ada Lovelace' give ('Ada', 'Lovelace');
    one word is a last name."""
    name = " ".join(name.split())
    if "," in name:
        last, first = (part.strip() for part in name.split(",", 1))
        return first, last
    first, _, last = name.rpartition(" ")
    return first, last


def load_roster(path):
    """Read a roster CSV (see the module docstring); raises RosterError with one line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheets save a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"cannot read the roster {path}: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "student" not in header:
        raise RosterError(f"the roster {path} has no 'student' column (its header: {', '.join(header) or 'empty'}); "
                          f"columns: {', '.join(COLUMNS)}")
    roster = Roster()
    for number, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        student = row.get("student", "")
        if not student:
            continue
        if student in roster.rows:
            raise RosterError(f"the roster {path} lists {student!r} twice (line {number})")
        roster.rows[student] = {c: row.get(c, "") for c in COLUMNS}
    return roster
