"""The self-check in a notebook's graded cell: one function's public tests, from inside the notebook.

Every ``autograded_<function>`` cell of a release notebook ends with ``self_check("<function>")``.
It runs the public tests of that function on the saved module files of the notebook's folder, in
the same sandbox as ``autograder check`` (offline, no gradebook needed), and shows a small table:
one row per test with its points, its status and a hint. When a test does not pass it raises
:class:`SelfCheckFailed`, so the cell ends in an error and nbgrader's Validate names the function.

The grader never runs these cells: it does not execute notebooks (``autograde --no-execute``); the
points come from its own sandboxed public and hidden tests.
"""
import html
import os
from pathlib import Path

from .check import CheckError, check
from ..engine.summary import format_points

__all__ = ["self_check", "SelfCheckFailed"]

_STATUS_TEXT = {"passed": "passed", "failed": "failed", "error": "error", "timeout": "timed out",
                "not_implemented": "not implemented"}
_STATUS_COLOUR = {"passed": "#1a7f37", "not_implemented": "#9a6700"}


class SelfCheckFailed(AssertionError):
    """A public test of the checked function did not pass (the table above says which and why)."""
    keep_going = True  # a report, not a crash: assignments.unfinished lets Run All carry on


def _rows(results):
    for r in results:
        status = _STATUS_TEXT.get(r["status"], r["status"])
        hint = r["message"].split("\n", 1)[0]
        if r["status"] == "not_implemented":
            hint = "write the function where it says YOUR CODE HERE, save the file, run this cell again"
        yield (r["name"].replace("_", " "), f"{format_points(r['points'])}/{format_points(r['max_points'])}",
               r["status"], status, hint)


def as_text(function, results):
    """The table as plain text (what a terminal, nbgrader's Validate or a log shows)."""
    rows = list(_rows(results))
    name_w = max(len("public test"), *(len(row[0]) for row in rows))
    lines = [_title(function, results), f"{'public test':<{name_w}}  points  {'status':<15}  hint"]
    lines += [f"{name:<{name_w}}  {points:>6}  {status:<15}  {hint}" for name, points, _, status, hint in rows]
    return "\n".join(lines)


def as_html(function, results):
    """The table as HTML for the notebook."""
    cells = []
    for name, points, code, status, hint in _rows(results):
        colour = _STATUS_COLOUR.get(code, "#cf222e")
        cells.append(f"<tr><td style='text-align:left'>{html.escape(name)}</td><td>{points}</td>"
                     f"<td style='color:{colour};font-weight:bold;text-align:left'>{status}</td>"
                     f"<td style='text-align:left'>{html.escape(hint)}</td></tr>")
    return (f"<div class='autograder-self-check'><b>{html.escape(_title(function, results))}</b>"
            f"<table><thead><tr><th style='text-align:left'>public test</th><th>points</th>"
            f"<th style='text-align:left'>status</th><th style='text-align:left'>hint</th></tr></thead>"
            f"<tbody>{''.join(cells)}</tbody></table>"
            f"<small>The grader adds hidden tests; this cell only checks your saved file.</small></div>")


def _points(results):
    """"3 of 5": the public points earned of those there are."""
    earned = sum(r["points"] for r in results)
    total = sum(r["max_points"] for r in results)
    return f"{format_points(earned)} of {format_points(total)}"


def _title(function, results):
    return f"Self-check of {function}: {_points(results)} public points"


def _show(function, results):
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display({"text/plain": as_text(function, results), "text/html": as_html(function, results)},
                raw=True)
    else:
        print(as_text(function, results))


def self_check(function, folder=None):
    """Run the public tests of ``function`` (e.g. ``"KNearestNeighbor.predict"``) on the modules in
    ``folder`` (default: the current folder, which is the notebook's own in Jupyter), show the
    table, and raise :class:`SelfCheckFailed` unless every test passed. Returns None, so the
    cell shows the table only."""
    folder = Path(folder or os.getcwd())
    try:
        _, results = check(folder, function=function, warn=False)
    except CheckError as exc:
        raise SelfCheckFailed(f"cannot check {function}: {exc}") from None
    _show(function, results)
    failing = [r for r in results if r["status"] != "passed"]
    if failing:
        why = ("not written yet" if all(r["status"] == "not_implemented" for r in failing)
               else f"{len(failing)} public test{'s' if len(failing) > 1 else ''} not passing")
        raise SelfCheckFailed(f"{function}: {why} ({_points(results)} public points, see the table above)")
