"""A student's feedback page."""
import html

from ..engine.summary import by_function, format_points as _fmt, short_function

_STATUS_COLOURS = {"passed": "#1a7f37", "failed": "#b35900", "error": "#cf222e", "timeout": "#cf222e",
                   "not_implemented": "#6e7781"}


def feedback_html(record):
    """A self-contained page for one student: every test's result and message, nothing hidden.

    Hidden tests appear by name and message only; their code, inputs and expected values never
    reach this page (the messages of hidden tests are written without them).
    """
    e = html.escape
    first = [(short_function(f), p, m, hint) for f, p, m, status, hint in by_function(record["tests"]) if p < m]
    summary = "".join(f"<li><code>{e(name)}</code> {_fmt(p)}/{_fmt(m)}: {e(hint)}</li>" for name, p, m, hint in first)
    summary = (f"<h2>What to look at first</h2><ul>{summary}</ul><p>One line per function that lost "
               f"points: the message that names a recognised mistake, else the first message of its "
               f"failing tests. Every test follows.</p>" if first else
               "<p>Every autograded test passed.</p>")
    rows = []
    for t in record["tests"]:
        colour = _STATUS_COLOURS.get(t["status"], "#000")
        rows.append(f"<tr><td><code>{e(short_function(t['function']))}</code></td><td>{e(t['name']).replace('_', '_<wbr>')}{' <small>(hidden)</small>' if t.get('hidden') else ''}</td>"
                    f"<td class=num>{_fmt(t['points'])}/{_fmt(t['max_points'])}</td>"
                    f"<td style='color:{colour}'>{e(t['status'].replace('_', ' '))}</td>"
                    f"<td>{e(t['message'])}</td></tr>")
    insecure = ("\n<p><b>Graded without isolation</b> (<code>--insecure</code>): the student's code ran "
                "with resource limits only.</p>" if record.get("insecure") else "")
    upload = "".join(f"<li>{e(line)}</li>" for line in record.get("upload", []))
    if upload:
        insecure += ("\n<h2>About your upload</h2><ul class=upload>" + upload + "</ul><p>Everything else was "
                     "graded as usual. If a file was cut off or left out by mistake, tell your instructor.</p>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(record['assignment'])}: feedback for {e(record['student'])}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}
table{{border-collapse:collapse;width:100%;table-layout:fixed}}td{{overflow-wrap:anywhere}}
col.f{{width:24%}}col.t{{width:26%}}col.p{{width:6em}}col.s{{width:7.5em}}td,th{{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}}
.num{{text-align:right;white-space:nowrap}}</style></head><body>
<h1>{e(record['assignment'])}: {_fmt(record['score'])} / {_fmt(record['max_score'])} autograded points</h1>
<p>Student: <b>{e(record['student'])}</b>. Written answers (inline questions) are graded by hand and
are not included here.</p>{insecure}
{summary}
<h2>All tests</h2>
<table><colgroup><col class=f><col class=t><col class=p><col class=s><col></colgroup>
<tr><th>function</th><th>test</th><th class=num>points</th><th>status</th><th>message</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
