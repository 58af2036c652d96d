"""Solution regions in a module's source text, and the stubs that replace them in the release.

A region runs from a ``### BEGIN SOLUTION`` line to the next ``### END SOLUTION`` line, both
included, at any indentation. :func:`solution_regions` finds them (the release audit fingerprints
their contents); :func:`strip_solutions` replaces each by the same two-line stub nbgrader puts into
notebook cells, with a raise that names the function to write and the file it is in.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

__all__ = ["ReleaseError", "Region", "CODE_STUB", "STUB_RAISE_RE", "TEXT_STUB", "LEAK_MARKERS",
           "definitions", "solution_regions", "strip_solutions", "stub_raise"]

#: Text that must never appear in any released file.
LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")

#: The stub that replaces a solution region: nbgrader's default Python code stub, so that modules
#: and notebook cells look alike to students. The released raise names what is missing and where
#: to write it (see :func:`stub_raise`); nbgrader itself writes the bare form into notebook cells.
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
#: Any released stub's raise line, named or not (tests and the demo fill stubs in through it).
STUB_RAISE_RE = re.compile(r"raise NotImplementedError\((?:\"[^\"\n]* is not written yet: write it in [^\"\n]*\")?\)")
TEXT_STUB = "YOUR ANSWER HERE"

_BEGIN_RE = re.compile(r"^([ \t]*)###[ \t]*BEGIN SOLUTION\b")
_END_RE = re.compile(r"^[ \t]*###[ \t]*END SOLUTION\b")
# One line with its own line ending ("\n", "\r\n" or "\r"), or a final line without one. The
# concatenation of all matches is exactly the input text.
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_EOL_RE = re.compile(r"(\r\n|\r|\n)\Z")


class ReleaseError(ValueError):
    """The release cannot be generated; the message names the file (and line) at fault."""


@dataclass(frozen=True)
class Region:
    """One solution region: its BEGIN and END lines (1-based), the name of the function around it
    (``""`` outside any function) and the text between the two marker lines."""
    begin: int
    end: int
    function: str
    text: str


def stub_raise(what: str, where: str) -> str:
    """The raise a released stub holds, e.g. ``raise NotImplementedError("KNearestNeighbor.predict
    is not written yet: write it in classifiers/k_nearest_neighbor.py")``. The notebooks' helper
    (``assignments.unfinished``) reads ``what`` and ``where`` back from the message."""
    return f'raise NotImplementedError("{what} is not written yet: write it in {where}")'


def definitions(body, prefix="", into_functions=False):
    """(qualified name, node) of every function and class defined in ``body``, a parent before
    what it holds: methods and nested classes, definitions under ``if``/``try``/``with`` at the
    same level (``if TYPE_CHECKING:`` ...), and functions inside functions when ``into_functions``."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield prefix + node.name, node
            if isinstance(node, ast.ClassDef) or into_functions:
                yield from definitions(node.body, prefix + node.name + ".", into_functions)
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.AsyncWith)):
            for attr in ("body", "orelse", "finalbody"):
                yield from definitions(getattr(node, attr, []), prefix, into_functions)
            for handler in getattr(node, "handlers", []):
                yield from definitions(handler.body, prefix, into_functions)


def _enclosing_functions(text: str) -> list:
    """[(first line, last line, qualified name)] of every function in ``text``, innermost last;
    empty when the text does not parse (the release check reports that later)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    return [(node.lineno, node.end_lineno, name) for name, node in definitions(tree.body, into_functions=True)
            if not isinstance(node, ast.ClassDef)]


def _function_at(spans: list, lineno: int) -> str:
    inside = [name for first, last, name in spans if first <= lineno <= last]
    return inside[-1] if inside else ""


def _scan(text: str, filename: str):
    """Yield ("line", line) for every line outside a region and ("region", begin line number, its
    indentation, its line ending, the region's lines, the END line's ending) for every region;
    raise :class:`ReleaseError` on unbalanced markers."""
    begin = None  # (line number, indentation, line ending, [lines inside]) of the open region
    for lineno, line in enumerate(_LINE_RE.findall(text), start=1):
        eol_match = _EOL_RE.search(line)
        eol = eol_match.group(1) if eol_match else ""
        m = _BEGIN_RE.match(line)
        if m:
            if begin is not None:
                raise ReleaseError(
                    f"{filename}:{lineno}: '### BEGIN SOLUTION' inside the solution region opened "
                    f"at line {begin[0]}; regions cannot be nested (missing '### END SOLUTION'?)")
            begin = (lineno, m.group(1), eol, [])
            continue
        if _END_RE.match(line):
            if begin is None:
                raise ReleaseError(
                    f"{filename}:{lineno}: '### END SOLUTION' without a matching "
                    f"'### BEGIN SOLUTION' before it")
            yield ("region", *begin, lineno, eol)
            begin = None
            continue
        if begin is None:
            yield ("line", line)
        else:
            begin[3].append(line)
    if begin is not None:
        raise ReleaseError(
            f"{filename}:{begin[0]}: '### BEGIN SOLUTION' has no matching '### END SOLUTION'")


def solution_regions(text: str, filename: str = "<module>") -> list:
    """The :class:`Region` s of a module's (or a notebook cell's) source text, in order; unbalanced
    markers raise :class:`ReleaseError` naming ``filename`` and the line."""
    spans = _enclosing_functions(text)
    return [Region(item[1], item[5], _function_at(spans, item[1]), "".join(item[4]))
            for item in _scan(text, filename) if item[0] == "region"]


def strip(text: str, filename: str, module_path: str = "") -> tuple[str, int]:
    """Return ``(stubbed text, number of regions)``; see :func:`strip_solutions`."""
    module_path = module_path or filename
    spans = _enclosing_functions(text)
    out, regions = [], 0
    for item in _scan(text, filename):
        if item[0] == "line":
            out.append(item[1])
            continue
        _, begin, indent, begin_eol, _, _, end_eol = item
        # A region outside any function is a module-level part of the file.
        what = _function_at(spans, begin) or f"this part of {module_path.rsplit('/', 1)[-1]}"
        out.append(indent + CODE_STUB[0] + begin_eol)
        out.append(indent + stub_raise(what, module_path) + end_eol)
        regions += 1
    return "".join(out), regions


def strip_solutions(text: str, filename: str = "<module>", module_path: str = "") -> str:
    """Replace every solution region of a module's source text by a stub.

    A region runs from a ``### BEGIN SOLUTION`` line to the next ``### END SOLUTION`` line, both
    included. It becomes two lines at the BEGIN line's indentation, ``# YOUR CODE HERE`` and a
    :func:`stub_raise` naming the enclosing function and ``module_path`` (the file as the student
    sees it, relative to the assignment folder; ``filename`` when not given), with the file's own
    line endings. Text outside regions is returned unchanged. An END without a BEGIN, a BEGIN
    without an END, or a BEGIN inside an open region raises :class:`ReleaseError` naming
    ``filename`` and the line.
    """
    return strip(text, filename, module_path)[0]
