"""A student's feedback: the grader's own page (``autograder.html``), and the section of it that
goes at the top of each notebook's page from nbgrader's ``generate_feedback`` (``publish.py``)."""
import html

from ..engine.summary import by_function, format_points as _fmt, short_function
from .deadlines import late_sentence, penalised

_STATUS_COLOURS = {"passed": "#1a7f37", "failed": "#b35900", "error": "#cf222e", "timeout": "#cf222e",
                   "not_implemented": "#6e7781"}
e = html.escape


def _first(record):
    """'What to look at first': one line per function that lost points."""
    first = [(short_function(f), p, m, hint) for f, p, m, status, hint in by_function(record["tests"]) if p < m]
    items = "".join(f"<li><code>{e(name)}</code> {_fmt(p)}/{_fmt(m)}: {_text(hint)}</li>" for name, p, m, hint in first)
    return (f"<h2>What to look at first</h2><ul>{items}</ul><p>One line per function that lost points: the "
            f"message that names a recognised mistake, else the first message of its failing tests.</p>"
            if first else "<p>Every autograded test passed.</p>")


def _rows(tests):
    rows = []
    for t in tests:
        colour = _STATUS_COLOURS.get(t["status"], "#000")
        rows.append(f"<tr><td><code>{e(short_function(t['function']))}</code></td><td>{e(t['name']).replace('_', '_<wbr>')}{' <small>(hidden)</small>' if t.get('hidden') else ''}</td>"
                    f"<td class=num>{_fmt(t['points'])}/{_fmt(t['max_points'])}</td>"
                    f"<td style='color:{colour}'>{e(t['status'].replace('_', ' '))}</td>"
                    f"<td>{_text(t['message'])}</td></tr>")
    return ("<table class=autograder-tests><colgroup><col class=f><col class=t><col class=p><col class=s><col></colgroup>"
            "<tr><th>function</th><th>test</th><th class=num>points</th><th>status</th><th>message</th></tr>"
            + "".join(rows) + "</table>")


def _text(message):
    """A message as HTML: escaped, its line breaks kept without leaving a blank line (a blank
    line would end the HTML block of a notebook's markdown cell)."""
    return e(message).replace("\r", "").replace("\n", "<br>")


def _notes(record, late):
    """The paragraphs about how this grade came about: isolation, the upload, the deadline."""
    out = ""
    if record.get("insecure"):
        out += ("<p><b>Graded without isolation</b> (<code>--insecure</code>): the student's code ran "
                "with resource limits only.</p>")
    upload = "".join(f"<li>{_text(line)}</li>" for line in record.get("upload", []))
    if upload:
        out += ("<h2>About your upload</h2><ul class=upload>" + upload + "</ul><p>Everything else was "
                "graded as usual. If a file was cut off or left out by mistake, tell your instructor.</p>")
    sentence = late_sentence(late)
    if sentence:
        after = penalised(record["score"], late)
        points = (f" Your autograded points after the penalty: {_fmt(after)} / {_fmt(record['max_score'])}; "
                  f"the same percentage comes off the points of your written answers." if late["penalty"] else "")
        out += f"<h2>Deadline</h2><p class=late>{e(sentence)}{e(points)}</p>"
    return out


def feedback_html(record, late=None):
    """A self-contained page for one student: every test's result and message, nothing hidden.
    ``late``: ``deadlines.Deadlines.late``'s answer, stated on the page when the work was late.

    Hidden tests appear by name and message only; their code, inputs and expected values never
    reach this page (the messages of hidden tests are written without them).
    """
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(record['assignment'])}: feedback for {e(record['student'])}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}
table{{border-collapse:collapse;width:100%;table-layout:fixed}}td{{overflow-wrap:anywhere}}
col.f{{width:24%}}col.t{{width:26%}}col.p{{width:6em}}col.s{{width:7.5em}}td,th{{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}}
.num{{text-align:right;white-space:nowrap}}</style></head><body>
<h1>{e(record['assignment'])}: {_fmt(record['score'])} / {_fmt(record['max_score'])} autograded points</h1>
<p>Student: <b>{e(record['student'])}</b>. Written answers (inline questions) are graded by hand and
are not included here.</p>{_notes(record, late)}
{_first(record)}
<h2>All tests</h2>
{_rows(record['tests'])}
</body></html>
"""


SECTION_ID = "autograder-results"  # the id of the notebook cell that holds notebook_section


def notebook_section(record, functions, late=None):
    """The grader's results at the top of one notebook's feedback page, as one HTML block without
    blank lines (a markdown cell renders it as it is). ``functions``: the graded functions whose tests are listed in full here (this notebook's, and
    those of notebooks that have no page). The summary covers the whole assignment."""
    tests = [t for t in record["tests"] if t["function"] in functions]
    own = (f"<h3>The tests of this notebook's functions</h3>{_rows(tests)}" if tests else
           "<p>This notebook has no autograded functions of its own.</p>")
    style = ("<style>.autograder table{border-collapse:collapse;width:100%;table-layout:fixed}"
             ".autograder td,.autograder th{border-bottom:1px solid #ddd;padding:.3em;text-align:left;"
             "vertical-align:top;overflow-wrap:anywhere}.autograder col.f{width:24%}.autograder col.t{width:26%}"
             ".autograder col.p{width:6em}.autograder col.s{width:7.5em}.autograder .num{text-align:right}</style>")
    block = (f"<div class=\"autograder tex2jax_ignore\" id=\"{SECTION_ID}\">{style}"
             f"<h2>Autograder: {_fmt(record['score'])} / {_fmt(record['max_score'])} autograded points "
             f"for {e(record['assignment'])}</h2>"
             f"<p>The grader's public and hidden tests of your code, for the whole assignment; the scores "
             f"of the graded cells below are the same points, notebook by notebook.</p>"
             f"{_notes(record, late)}{_first(record)}{own}</div>")
    return "\n".join(line for line in block.splitlines() if line.strip())
