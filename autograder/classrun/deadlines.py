"""Deadlines and the late policy: when each student's work was due, when it was handed in, and
what the lateness costs.

- **The due date**: ``--due`` (``autograder grade`` also writes it into nbgrader's gradebook), else
  the assignment's due date in nbgrader's gradebook (``nbgrader db assignment add assignment1
  --duedate "..."`` or formgrader's "Manage Assignments"). Without one, nobody is late.
- **Extensions**: the roster's ``extension`` column, per student: a duration added to the due date
  (``2d``, ``36h``, ``90min``, ``1d 12h``) or a new due date (``2025-03-16 23:59 Europe/Berlin``).
- **The submission time**, the first of these that exists:
  1. for an upload from a Canvas or Moodle download, the time the download records for the
     uploaded files (the zip's entry times when the download is graded as it came, else the files'
     modification times, which ``unzip`` keeps); the LMS wrote these, the student did not;
  2. nbgrader's ``timestamp.txt`` in the submission, written by ``nbgrader submit`` and collected
     with the work (nbgrader's own lateness uses the same file);
  3. nothing: a folder or zip handed over another way is never judged late.
  Canvas's ``_LATE`` mark is compared with the time: where they disagree, the run says so.
- **The policy** (``--late-policy``, else ``c.Autograder.late_policy`` in the course's
  ``nbgrader_config.py``, else none): ``none``; a percentage per started day or hour up to a cap
  (``10%/day, max 50%``: 26 hours late is two started days, -20%); or nothing off within a grace
  period and zero after it (``zero after 2h``). The percentage comes off the total (autograded
  plus written-answer points); the raw total is kept beside it.

Times without a zone are UTC, as nbgrader reads them; give a zone name or an offset otherwise
(``2025-03-14 23:59 Europe/Berlin``, ``2025-03-14T23:59-05:00``).
"""
import math
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc
TIMESTAMP_FILE = "timestamp.txt"  # nbgrader's name, in the submission and in autograded/
NBGRADER_SOURCE = "nbgrader's timestamp.txt"
_DURATION_UNITS = {"d": 86400, "day": 86400, "days": 86400, "h": 3600, "hour": 3600, "hours": 3600,
                   "min": 60, "mins": 60, "minute": 60, "minutes": 60, "m": 60, "s": 1, "sec": 1, "seconds": 1}
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$")


class DeadlineError(Exception):
    """A due date, extension or policy that cannot be read (one line)."""


# -- reading times and durations ----------------------------------------------------------------

def parse_time(text, what="time"):
    """An aware UTC datetime from ``2025-03-14 23:59[:59[.ffffff]] [ZONE]`` or ISO 8601 with an
    offset. ZONE: ``UTC``, an IANA name (``Europe/Berlin``) or an offset (``-05:00``, ``+0100``);
    none means UTC. Raises DeadlineError naming ``what``."""
    raw = " ".join(str(text).split())
    body, zone = raw, None
    parts = raw.split(" ")
    if len(parts) >= 2 and (re.match(r"^[A-Za-z]", parts[-1]) or _OFFSET.match(parts[-1])):
        body, zone = " ".join(parts[:-1]), parts[-1]
    try:
        when = datetime.fromisoformat(body.replace("Z", "+00:00") if body.endswith("Z") else body)
    except ValueError:
        raise DeadlineError(f"{what} {text!r} is not a date and time like '2025-03-14 23:59' or "
                            f"'2025-03-14 23:59 Europe/Berlin'") from None
    if zone is not None:
        if when.tzinfo is not None:
            raise DeadlineError(f"{what} {text!r} gives two time zones")
        when = when.replace(tzinfo=_zone(zone, text, what))
    elif when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _zone(name, text, what):
    if name.upper() in ("UTC", "GMT", "Z"):
        return UTC
    offset = _OFFSET.match(name)
    if offset:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DeadlineError(f"{what} {text!r}: unknown time zone {name!r} (use a name like Europe/Berlin, "
                            f"or an offset like -05:00)") from None


def parse_duration(text, what="duration"):
    """Seconds in ``2d``, ``36h``, ``90min``, ``1d 12h``, ``1.5 days`` or ``0``."""
    raw = str(text).strip().lower()
    if raw in ("0", "0s"):
        return 0
    pieces = re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]+)", raw)
    if not pieces or re.sub(r"(\d+(?:\.\d+)?)\s*([a-z]+)|[\s,]", "", raw):
        raise DeadlineError(f"{what} {text!r} is not a duration like '2h', '90min', '2d' or '1d 12h'")
    seconds = 0.0
    for number, unit in pieces:
        if unit not in _DURATION_UNITS:
            raise DeadlineError(f"{what} {text!r}: unknown unit {unit!r} (use d, h, min or s)")
        seconds += float(number) * _DURATION_UNITS[unit]
    return seconds


def format_duration(seconds):
    """'7 s', '45 min', '26 h', '25.5 h', '3 days 2 h' (seconds and minutes rounded up)."""
    if seconds < 60:
        return f"{math.ceil(seconds)} s"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes / 60
    if hours < 48:
        shown = f"{hours:.1f}".rstrip("0").rstrip(".")
        return f"{shown} h"
    days, rest = divmod(minutes, 24 * 60)
    rest_hours = round(rest / 60)
    return f"{days} days" + (f" {rest_hours} h" if rest_hours else "")


def format_time(when):
    """A UTC time as people read it: '2025-03-14 23:59 UTC' (seconds only when not zero)."""
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%d %H:%M:%S UTC" if when.second else "%Y-%m-%d %H:%M UTC")


# -- the policy ---------------------------------------------------------------------------------

_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)\s*%\s*(?:/|per\s+)(day|hour)s?(?:\s*,?\s*(?:max|maximum|cap|up to)\s*"
                      r"(\d+(?:\.\d+)?)\s*%)?$")
_ZERO = re.compile(r"^(?:zero|0)\s+after\s+(.+)$")


@dataclass(frozen=True)
class LatePolicy:
    """What lateness costs, as a percentage of the total. ``kind``: "none", "percent" (``percent``
    per started ``unit`` of ``unit_seconds``, at most ``cap``) or "zero" (100% once later than
    ``grace`` seconds)."""
    kind: str = "none"
    percent: float = 0.0
    unit: str = "day"
    cap: float = 100.0
    grace: float = 0.0

    def penalty(self, seconds_late):
        """The percentage taken off for ``seconds_late`` (<= 0: on time)."""
        if seconds_late <= 0 or self.kind == "none":
            return 0.0
        if self.kind == "zero":
            return 100.0 if seconds_late > self.grace else 0.0
        started = math.ceil(seconds_late / (86400 if self.unit == "day" else 3600))
        return min(self.cap, self.percent * started)

    def __str__(self):
        if self.kind == "percent":
            return f"{self.percent:g}%/{self.unit}" + (f", max {self.cap:g}%" if self.cap < 100 else "")
        if self.kind == "zero":
            return f"zero after {format_duration(self.grace) if self.grace else '0'}"
        return "none"


def parse_policy(text):
    """A LatePolicy from ``none``, ``10%/day``, ``10%/day, max 50%``, ``2%/hour, max 30%`` or
    ``zero after 2h``; raises DeadlineError with the forms it accepts."""
    raw = " ".join(str(text or "").lower().split())
    if raw in ("", "none", "off", "no penalty"):
        return LatePolicy()
    match = _PERCENT.match(raw)
    if match:
        percent, unit, cap = float(match[1]), match[2], float(match[3]) if match[3] else 100.0
        if not 0 < percent <= 100 or not 0 < cap <= 100:
            raise DeadlineError(f"late policy {text!r}: percentages must be above 0 and at most 100")
        return LatePolicy("percent", percent=percent, unit=unit, cap=cap)
    match = _ZERO.match(raw)
    if match:
        return LatePolicy("zero", grace=parse_duration(match[1], f"the grace period of {text!r}"))
    raise DeadlineError(f"late policy {text!r} not understood: use 'none', '10%/day, max 50%' (per started "
                        f"day or hour, up to a cap) or 'zero after 2h'")


def configured_policy(*folders):
    """``c.Autograder.late_policy`` from the first ``nbgrader_config.py`` among ``folders`` that
    sets it (the file nbgrader reads there too), or None. The file is the instructor's own
    Python, run as nbgrader runs it."""
    for folder in folders:
        path = Path(folder) / "nbgrader_config.py"
        if not path.is_file():
            continue
        from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader
        try:
            config = PyFileConfigLoader(path.name, str(path.parent)).load_config()
        except ConfigFileNotFound:
            continue
        except Exception as exc:  # noqa: BLE001 - the instructor's file: say which and why
            raise DeadlineError(f"cannot read {path} ({type(exc).__name__}: {exc})") from None
        if "Autograder" in config and "late_policy" in config.Autograder:
            return str(config.Autograder.late_policy)
    return None


# -- nbgrader's gradebook -----------------------------------------------------------------------

def gradebook_due(db_path, assignment):
    """The assignment's due date in nbgrader's gradebook (aware UTC), or None."""
    if not db_path or not Path(db_path).is_file():
        return None
    from nbgrader.api import Gradebook, MissingEntry
    try:
        with Gradebook(f"sqlite:///{Path(db_path).resolve()}") as gb:
            try:
                due = gb.find_assignment(assignment).duedate
            except MissingEntry:
                return None
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy's errors: a damaged gradebook must not cost the grades
        print(f"warning: cannot read the due date from {db_path} ({type(exc).__name__}); "
              f"no due date from the gradebook", file=sys.stderr)
        return None
    return due.replace(tzinfo=UTC) if due is not None else None  # nbgrader stores naive UTC


def set_gradebook_due(db_path, assignment, due):
    """Write ``due`` (aware) as the assignment's due date in nbgrader's gradebook, creating the
    assignment when it is not there yet."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{Path(db_path).resolve()}") as gb:
        gb.update_or_create_assignment(assignment, duedate=due.astimezone(UTC).replace(tzinfo=None))


def record_submission_times(db_path, assignment, times):
    """Give nbgrader's gradebook each student's submission time ({student: aware datetime}), so the
    formgrader and ``nbgrader export`` show the same time and lateness as grades.csv."""
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(f"sqlite:///{Path(db_path).resolve()}") as gb:
        for student, when in times.items():
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            submission.timestamp = when.astimezone(UTC).replace(tzinfo=None)
        gb.db.commit()


# -- when each student handed in ----------------------------------------------------------------

def read_timestamp(path, assignment):
    """The text of nbgrader's timestamp.txt in a submission (a folder, or a zip), or None. Looked
    for beside the work and one folder down (``<student>/<assignment>/timestamp.txt``)."""
    return read_small_file(path, assignment, TIMESTAMP_FILE)


def read_small_file(path, assignment, name, limit=4096):
    """The text of the small file ``name`` at the top of a submission or one folder down, or None."""
    path = Path(path)
    try:
        if path.is_dir():
            inside = path.resolve()
            for candidate in (path / name, path / assignment / name, *sorted(path.glob(f"*/{name}"))):
                # Never through a link: the folder is the student's upload.
                if candidate.is_file() and candidate.resolve() == inside / candidate.relative_to(path) \
                        and candidate.stat().st_size <= limit:
                    return candidate.read_text(encoding="utf-8", errors="replace").strip()
            return None
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.infolist() if not m.is_dir() and m.filename.replace("\\", "/")
                           .rstrip("/").split("/")[-1] == name and m.filename.count("/") <= 1]
                members.sort(key=lambda m: m.filename.count("/"))
                if members and members[0].file_size <= limit:
                    return zf.read(members[0]).decode("utf-8", errors="replace").strip()
    except (OSError, ValueError, RuntimeError, EOFError, zipfile.BadZipFile):
        return None
    return None


def submission_time(path, assignment, origin=None):
    """{"time": ISO 8601 UTC, "source": words} for one submission, or None; see the module
    docstring for which source wins. ``origin``: the intake's record of an LMS upload."""
    origin = origin or {}
    if origin.get("uploaded"):
        return {"time": origin["uploaded"], "source": f"{origin.get('lms', 'LMS').capitalize()}'s upload time"}
    text = read_timestamp(path, assignment) if path is not None else None
    if text:
        try:
            when = parse_time(text, "timestamp.txt")
        except DeadlineError:
            try:  # a timestamp_format of the course's own: nbgrader reads it with dateutil
                from nbgrader.utils import parse_utc
                when = parse_utc(text).replace(tzinfo=UTC)
            except (ValueError, OverflowError, TypeError):
                return {"time": None, "source": f"unreadable timestamp.txt ({text[:40]!r})"}
        return {"time": when.isoformat(), "source": NBGRADER_SOURCE}
    return None


# -- lateness -----------------------------------------------------------------------------------

@dataclass
class Deadlines:
    """The due date, the extensions and the policy of one assignment; ``late(...)`` judges one
    student. ``extensions``: {student: the roster's text}."""
    due: datetime = None
    policy: LatePolicy = LatePolicy()
    extensions: dict = field(default_factory=dict)
    policy_source: str = ""

    def due_for(self, student):
        """(the student's due date, the extension's text or "")."""
        extension = self.extensions.get(student, "")
        if not extension or self.due is None:
            return self.due, ""
        try:
            return self.due + timedelta(seconds=parse_duration(extension)), extension
        except DeadlineError:
            pass
        try:
            return parse_time(extension), extension
        except DeadlineError:
            raise DeadlineError(f"the roster's extension for {student}, {extension!r}, is neither a duration "
                                f"('2d', '36h') nor a new due date ('2025-03-16 23:59 Europe/Berlin')") from None

    def late(self, student, submitted, lms_mark=False, lms=""):
        """What the deadline means for one student, or None without a due date:
        {"due", "extension", "submitted", "source", "seconds_late", "penalty", "policy", "note"}.
        ``submitted``: ``submission_time``'s answer (or None: not judged late); ``lms_mark``: the
        LMS marked it late. ``note``: what a person should check (the LMS's mark and the time
        disagree, an unreadable timestamp.txt), else ""."""
        if self.due is None:
            return None
        due, extension = self.due_for(student)
        out = {"due": due.isoformat(), "extension": extension, "submitted": None, "source": "",
               "seconds_late": 0, "penalty": 0.0, "policy": str(self.policy), "note": ""}
        when = (submitted or {}).get("time")
        if not when:
            out["source"] = (submitted or {}).get("source", "")
            if lms_mark:
                out["note"] = f"marked LATE by {lms.capitalize()}, but no submission time is known: no late penalty"
            elif out["source"]:
                out["note"] = f"{out['source']}: not judged late"
            return out
        seconds = (parse_time(when) - due).total_seconds()
        out.update(submitted=when, source=submitted["source"], seconds_late=max(0, math.ceil(seconds)),
                   penalty=self.policy.penalty(seconds))
        if lms_mark and seconds <= 0:
            out["note"] = (f"marked LATE by {lms.capitalize()}, but its {submitted['source']} is before the due "
                           f"date here{' with the extension' if extension else ''}: not judged late")
        elif lms == "canvas" and not lms_mark and seconds > 0:
            out["note"] = ("Canvas did not mark it late, but its upload time is after the due date here: check "
                           "that the download kept its file times")
        return out


def resolve(db_path, assignment, folders, due=None, policy=None, roster=None):
    """The Deadlines of one assignment: ``due`` (text) or the gradebook's; ``policy`` (text) or
    the first ``nbgrader_config.py`` among ``folders`` that sets one; extensions from ``roster``."""
    when = parse_time(due, "the due date") if due else gradebook_due(db_path, assignment)
    if policy is not None:
        chosen, source = parse_policy(policy), "--late-policy"
    else:
        configured = configured_policy(*folders)
        chosen, source = parse_policy(configured), ("nbgrader_config.py" if configured else "")
    extensions = {s: row.get("extension", "") for s, row in roster.rows.items() if row.get("extension")} \
        if roster is not None else {}
    deadlines = Deadlines(when, chosen, extensions, source)
    for student in extensions:
        deadlines.due_for(student)  # a bad extension stops the run here, with its one line
    return deadlines


def penalised(total, late):
    """``total`` after the late penalty in ``late`` (``Deadlines.late``'s answer, or None)."""
    if not late or not late.get("penalty"):
        return total
    return round(total * (1 - late["penalty"] / 100), 4)


def late_sentence(late):
    """One sentence for the student's page, the run's summary and the exports, or "" when the work
    was not late: 'Submitted 26 h late: -20% (due 2025-03-14 23:59 UTC, submitted 2025-03-16 01:59
    UTC by Canvas's upload time; late policy 10%/day, max 50%).'"""
    if not late or not late.get("submitted") or late["seconds_late"] <= 0:
        return ""
    extension = f" with an extension of {late['extension']}" if late.get("extension") else ""
    facts = (f"due {format_time(parse_time(late['due']))}{extension}, submitted "
             f"{format_time(parse_time(late['submitted']))} by {late['source']}; late policy {late['policy']}")
    head = f"Submitted {format_duration(late['seconds_late'])} late"
    if late["penalty"]:
        return f"{head}: -{late['penalty']:g}% ({facts})."
    return f"{head}, and the late policy takes nothing off ({facts})."


def describe(deadlines, lates):
    """The run's one line about deadlines ({student: late} of the class), or "" without a due date."""
    if deadlines.due is None:
        return ""
    late = sum(1 for x in lates.values() if x.get("submitted") and x["seconds_late"] > 0)
    untimed = sum(1 for x in lates.values() if not x.get("submitted"))
    policy = f"late policy {deadlines.policy}" + (f" ({deadlines.policy_source})" if deadlines.policy_source else "")
    extensions = f", {len(deadlines.extensions)} extension(s) in the roster" if deadlines.extensions else ""
    untimed = (f"; {untimed} without a submission time (no timestamp.txt, not from an LMS download): "
               f"not judged late" if untimed else "")
    return f"deadline:  due {format_time(deadlines.due)}, {policy}{extensions}; {late} late{untimed}"
