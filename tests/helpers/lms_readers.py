"""How each LMS reads a grades file, written from its documented rules, so that an export is
checked the way the receiving system reads it (and the written examples in tests/data/lms pass too).

- Canvas (gradebook import, ``lib/gradebook_importer.rb``): rows of only separators are skipped; the
  header needs "Student" then "ID"; "SIS User ID" counts only when "SIS Login ID" follows it; the
  last student column must be "Section"; a row whose first cell holds "Points Possible" gives the
  points; total columns are not assignments; a row is matched by ID, then SIS User ID, then SIS
  Login ID, then the name.
- Moodle (upload grading worksheet, ``feedback/offline/importgradeslib.php``): the header must hold
  "Identifier", "Grade" and "Last modified (grade)"; an identifier is "Participant <number>".
- Gradescope (``results.json``, autograder specification): the keys and values it defines.
"""
import csv
import io
import re
from datetime import datetime

CANVAS_TOTALS = re.compile(r"Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|"
                           r"Override Score|Override Grade|Override Status")


class Rejected(Exception):
    """The receiving system would refuse the file."""


def read_canvas(text):
    """{"assignments": {column: points possible}, "students": [{"match": (how, value), "scores": {...}}]}."""
    rows = [r for r in csv.reader(io.StringIO(text)) if r and not re.fullmatch(r"[;, ]*", ",".join(r))]
    header = rows[0]
    if len(header) <= 3 or "Student" not in header[0] or "ID" not in header[1]:
        raise Rejected("header must start with Student, ID")
    columns = {"ID": 1}
    index = 2
    if header[index] == "SIS User ID":
        if header[index + 1] != "SIS Login ID":
            raise Rejected("SIS User ID must be followed by SIS Login ID")
        columns.update({"SIS User ID": index, "SIS Login ID": index + 1})
        index += 2
        for optional in ("Integration ID", "Root Account"):
            if header[index] == optional:
                index += 1
    elif header[index] == "SIS Login ID":
        columns["SIS Login ID"] = index
        index += 1
    if "Section" not in header[index]:
        raise Rejected("Invalid header row: the last student column must be Section")
    assignment_columns = [i for i in range(index + 1, len(header)) if not CANVAS_TOTALS.search(header[i])]
    points, students = {}, []
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            for i in assignment_columns:
                if not re.search(r"read\s+only", row[i]):
                    points[header[i]] = float(row[i])
            continue
        for how in ("ID", "SIS User ID", "SIS Login ID"):
            if how in columns and row[columns[how]].strip():
                match = (how, row[columns[how]].strip())
                break
        else:
            match = ("name", row[0])
        scores = {}
        for i in assignment_columns:
            value = row[i].strip()
            scores[header[i]] = None if value in ("", "-") else float(value.replace(",", "."))
        students.append({"match": match, "scores": scores})
    return {"assignments": points, "students": students}


MOODLE_REQUIRED = ("Identifier", "Grade", "Last modified (grade)")


def read_moodle(text):
    """{participant number: {"grade": float or None, "modified": datetime or None, "feedback": str}}."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in MOODLE_REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise Rejected(f"invalid grade import: no {', '.join(missing)} column")
    out = {}
    for row in reader:
        identifier = row["Identifier"]
        if not identifier.startswith("Participant "):
            raise Rejected(f"not a participant identifier: {identifier!r}")
        number = int(identifier[len("Participant "):])
        grade = row["Grade"].strip()
        out[number] = {"grade": float(grade) if grade else None, "modified": _moodle_date(row["Last modified (grade)"]),
                       "feedback": row.get("Feedback comments", "")}
    return out


def _moodle_date(text):
    for form in ("%Y-%m-%d %H:%M:%S", "%A, %d %B %Y, %I:%M %p"):
        try:
            return datetime.strptime(text.strip(), form)
        except ValueError:
            pass
    return None  # "-": strtotime gives false


GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                  "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                   "tags", "visibility", "extra_data"}
GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def check_gradescope(data):
    """Raise Rejected where ``data`` breaks the results.json specification; returns the total shown."""
    unknown = set(data) - GRADESCOPE_TOP
    if unknown:
        raise Rejected(f"unknown keys {sorted(unknown)}")
    tests = data.get("tests", [])
    if "score" not in data and not all("score" in t for t in tests):
        raise Rejected("a score is needed at the top or on every test")
    for key in ("visibility", "stdout_visibility"):
        if key in data and data[key] not in GRADESCOPE_VISIBILITY:
            raise Rejected(f"{key} {data[key]!r}")
    for test in tests:
        if set(test) - GRADESCOPE_TEST:
            raise Rejected(f"unknown test keys {sorted(set(test) - GRADESCOPE_TEST)}")
        if test.get("visibility", "visible") not in GRADESCOPE_VISIBILITY:
            raise Rejected(f"test visibility {test['visibility']!r}")
        if test.get("status", "passed") not in ("passed", "failed"):
            raise Rejected(f"test status {test['status']!r}")
        for key in ("score", "max_score"):
            if key in test and not isinstance(test[key], (int, float)):
                raise Rejected(f"test {key} is not a number")
    return data["score"] if "score" in data else sum(t["score"] for t in tests)
