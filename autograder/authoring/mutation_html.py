"""The HTML page of ``autograder audit --html``: one self-contained file (no script, no link), every
text from the report escaped, since diffs and test names are the course's own text."""
from html import escape

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1400px; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.weak td { background: #fff3e0; }
.note { background: #eef4fb; border-left: 4px solid #4a7ab8; padding: 0.6em 1em; }
code, pre { font-size: 12px; }
ul.survivors { list-style: none; padding-left: 0; }
ul.survivors li { margin: 0.25em 0; }
.old { background: #ffebee; }
.new { background: #e8f5e9; }
.tag { font-size: 11px; color: #555; border: 1px solid #bbb; border-radius: 3px; padding: 0 0.3em; }
.equiv { color: #2e7d32; }
"""

EXPLANATION = """
<div class="note">
<p><b>How to read this page.</b> Each mutant is the reference solution with one small change inside
a solution region (an operator swapped, a bound moved by one, an axis changed, a term dropped...),
graded by this assignment's own public and hidden tests exactly as a student's work is. A mutant is
<i>killed</i> when a test fails; <i>killed elsewhere</i> when only another function's test fails;
it <i>survives</i> when every test passes: a mistake a student could make and keep full marks.
The score is killed / graded, reviewed equivalents left out.</p>
<p>A survivor marked <b>looks equivalent</b> gave the same answers, bit for bit, as the reference on
every call the tests made: either it cannot be told apart from the reference, or no test uses an
input where the change shows (a tie, a zero, an integer array, an exact boundary). Write a test
with such an input, or, when the change truly cannot matter, list it with its reason in the
assignment's <code>tests/audit-equivalents.json</code>.</p>
</div>
"""


def _percent(score):
    return "-" if score is None else f"{100 * score:.0f}%"


def _survivor(s):
    tags = f' <span class="tag">{escape(s["operator"])}</span>'
    if s["equivalent"]:
        tags += f' <span class="equiv">reviewed equivalent: {escape(s["equivalent"])}</span>'
    elif s["looks_equivalent"]:
        tags += ' <span class="tag">looks equivalent</span>'
    return (f'<li><code>{escape(s["file"])}:{s["line"]}</code> <code class="old">{escape(s["old"])}</code> '
            f'&rarr; <code class="new">{escape(s["new"])}</code>{tags}</li>')


def _anchor(function):
    return "f-" + "".join(c if c.isalnum() else "-" for c in function)


def render(report: dict) -> str:
    """The whole page as a string."""
    t = report["totals"]
    rows = []
    for f in report["functions"]:
        weak = f["survived"] or f["no_hidden_test"] or f["tests_never_failing"]
        rows.append(f'<tr class="{"weak" if weak else ""}"><td><a href="#{_anchor(f["function"])}">'
                    f'{escape(f["function"])}</a></td><td class="n">{f["graded"]}</td><td class="n">{f["killed"]}</td>'
                    f'<td class="n">{f["killed_elsewhere"]}</td><td class="n">{f["survived"]}</td>'
                    f'<td class="n">{f["equivalent"]}</td><td class="n">{_percent(f["score"])}</td>'
                    f'<td class="n">{f["tests"]["public"]} / {f["tests"]["hidden"]}</td></tr>')
    rows.append(f'<tr><th>total</th><th class="n">{t["graded"]}</th><th class="n">{t["killed"]}</th>'
                f'<th class="n">{t["killed_elsewhere"]}</th><th class="n">{t["survived"]}</th>'
                f'<th class="n">{t["equivalent"]}</th><th class="n">{_percent(t["score"])}</th><th></th></tr>')
    sections = []
    for f in report["functions"]:
        parts = [f'<h3 id="{_anchor(f["function"])}">{escape(f["function"])} '
                 f'<small>({escape(f["file"])})</small></h3>',
                 f'<p>{f["generated"]} mutants generated, {f["skipped"]} skipped, {f["graded"]} graded: '
                 f'{f["killed"]} killed by its own tests, {f["killed_elsewhere"]} by other functions\' tests, '
                 f'{f["survived"]} survived, {f["equivalent"]} reviewed equivalent.</p>']
        if f["survivors"]:
            parts.append('<ul class="survivors">' + "".join(_survivor(s) for s in f["survivors"]) + "</ul>")
        if not f["named_by_tests"]:
            parts.append("<p>No test grades this function by name; its mutants were graded by every test "
                         "that reaches its module.</p>")
        elif f["no_hidden_test"]:
            parts.append("<p><b>No hidden test</b> grades this function: students see every test of it.</p>")
        if f["tests_never_failing"]:
            parts.append("<p>Tests that failed on no mutant: "
                         + ", ".join(f"<code>{escape(n)}</code>" for n in f["tests_never_failing"]) + "</p>")
        if f["diagnoses_never_fired"]:
            parts.append("<p>Diagnoses its tests offer that no mutant made them name: "
                         + ", ".join(f"<code>{escape(n)}</code>" for n in f["diagnoses_never_fired"]) + "</p>")
        sections.append("\n".join(parts))
    notes = []
    if report["tests_failing_on_reference"]:
        notes.append("<h2>Tests that fail on the reference solution</h2><p>They were left out of the audit.</p><ul>"
                     + "".join(f"<li><code>{escape(b['test'])}</code>: {escape(b['status'])} {escape(b['message'])}</li>"
                               for b in report["tests_failing_on_reference"]) + "</ul>")
    if report["stale_equivalents"]:
        notes.append("<h2>Reviewed equivalents to update</h2><ul>"
                     + "".join(f"<li>{escape(line)}</li>" for line in report["stale_equivalents"]) + "</ul>")
    title = f"Mutation audit of {escape(report['assignment'])}"
    isolation = " (no isolation on this machine: resource limits only)" if report["insecure"] else ""
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<style>{STYLE}</style></head><body>\n<h1>{title}</h1>\n"
            f"<p>{t['graded']} mutants of {len(report['functions'])} functions ({t['generated']} generated, "
            f"{t['skipped']} skipped), graded by {report['tests']} tests on {report['workers']} worker"
            f"{'s' * (report['workers'] != 1)} in {report['seconds']:g} s{isolation}; "
            f"{t['looks_equivalent']} survivors look equivalent.</p>\n{EXPLANATION}\n"
            f"<table><tr><th>function</th><th>mutants</th><th>killed</th><th>killed elsewhere</th><th>survived</th>"
            f"<th>reviewed equivalent</th><th>score</th><th>tests (public / hidden)</th></tr>\n"
            + "\n".join(rows) + "</table>\n" + "\n".join(notes) + "\n<h2>Functions</h2>\n"
            + "\n".join(sections) + "\n</body></html>\n")
