"""Variants of the reference modules of assignment1's network code (layers.py, optim.py,
schedules.py, classifiers/fc_net.py) for the mutation suites: the reference text with exact lines
replaced or whole functions swapped, written out as a student folder."""
import re
from dataclasses import dataclass
from pathlib import Path

from mutation_helpers import SOURCE_DIR

FILES = ("layers.py", "optim.py", "schedules.py", "classifiers/fc_net.py")


def reference_sources():
    return {name: (SOURCE_DIR / name).read_text() for name in FILES}


def _function_span(text, name, indent="", within=None):
    """(start, end) of the definition ``name`` at ``indent`` (inside ``class within`` when given):
    up to the next definition, comment banner or class at the same or a lower indentation."""
    offset = 0
    if within:
        found = re.search(rf"^class {within}\b", text, re.MULTILINE)
        assert found, f"reference has no `class {within}`; update this mutation"
        offset = found.end()
    match = re.compile(rf"^{indent}def {name}\(", re.MULTILINE).search(text, offset)
    assert match, f"reference has no `def {name}`; update this mutation"
    end = re.compile(rf"^(?:{indent}def |{indent}# --|class |def |# --)", re.MULTILINE).search(text, match.end())
    return match.start(), (end.start() if end else len(text))


@dataclass(frozen=True)
class Def:
    """A whole function to replace; ``method`` for a method (of ``cls`` when given, else of the
    first class that has one of that name)."""
    name: str
    method: bool = False
    cls: str = ""


def edited(*changes, base=None):
    """The reference modules (or the modules ``base``, {file: text}) with each change applied. A
    change is ``(file, old, new[, count])``: ``old`` must occur exactly ``count`` times (default 1);
    or ``(file, Def(...), new_code)``, which replaces a whole function or method."""
    sources = dict(base) if base is not None else reference_sources()
    for change in changes:
        name, old, new = change[:3]
        if isinstance(old, Def):
            text = sources[name]
            start, end = _function_span(text, old.name, "    " if old.method else "", old.cls or None)
            sources[name] = text[:start] + new.rstrip("\n") + "\n\n\n" + text[end:].lstrip("\n")
            continue
        count = change[3] if len(change) == 4 else 1
        found = sources[name].count(old)
        assert found == count, (f"reference {name} changed: expected {count} occurrence(s) of "
                                f"{old!r}, found {found}; update this mutation")
        sources[name] = sources[name].replace(old, new)
    return sources


def layers(old, new, count=1):
    return ("layers.py", old, new, count)


def optim(old, new, count=1):
    return ("optim.py", old, new, count)


def schedules(old, new, count=1):
    return ("schedules.py", old, new, count)


def fc_net(old, new, count=1):
    return ("classifiers/fc_net.py", old, new, count)


def write_student(folder, sources):
    folder = Path(folder)
    (folder / "classifiers").mkdir(parents=True)
    (folder / "classifiers" / "__init__.py").write_text('"""Student classifiers."""\n')
    for name, text in sources.items():
        (folder / name).write_text(text)
    return folder
