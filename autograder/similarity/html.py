"""The HTML page of ``autograder similarity --html``: the ranked pairs, then for each pair above the
threshold (and the next few below it) the matching code of each shared function side by side."""
import html

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1400px; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
tr.flagged td { background: #fff3e0; }
.note { background: #eef4fb; border-left: 4px solid #4a7ab8; padding: 0.6em 1em; }
.pair { margin-top: 2.5em; }
.side { display: flex; gap: 1em; }
.side > div { flex: 1; min-width: 0; }
pre { background: #f8f8f8; padding: 0.5em; overflow-x: auto; font-size: 12px; line-height: 1.35; }
pre span.match { background: #ffd54f; display: block; }
pre span.line { display: block; }
h3 { margin-bottom: 0.2em; }
"""

EXPLANATION = """
<div class="note">
<p><b>How to read this report.</b> Each score compares two students on the code they wrote in the
graded functions, the notebook cells they fill in and the helpers they added, after removing the
code the assignment gives out. Both texts are normalized first (names, comments, docstrings,
formatting, string contents and the order of independent statements do not count) and fingerprinted
with winnowing, the method behind MOSS. A score of 1 means that, weighted, every fingerprint of the
smaller of the two solutions also occurs in the other; fragments that many students of the class
share (the obvious one-liners) count little or nothing.</p>
<p><b>A score is evidence for a person to review, not a verdict.</b> Short functions have few ways to be
written; students who worked together as allowed, used the same tutorial or the lecture's code can
score high honestly. Read the highlighted code before talking to anyone.</p>
</div>
"""


def _code(text, first_line, regions):
    marked = set()
    for first, last in regions:
        marked.update(range(first, last + 1))
    lines = []
    for number, line in enumerate(text.splitlines(), start=first_line):
        css = "match" if number in marked else "line"
        lines.append(f'<span class="{css}">{number:4d}  {html.escape(line)}</span>')
    return "<pre>" + "".join(lines) + "</pre>"


def render(report, detailed=20):
    """The whole page as a string; ``detailed``: how many pairs below the threshold also get code."""
    rows = []
    for number, pair in enumerate(report.pairs, start=1):
        functions = ", ".join(f"{html.escape(f['name'])} ({f['score']:.2f})" for f in pair["functions"][:4])
        rows.append(f'<tr class="{"flagged" if pair["flagged"] else ""}"><td>{number}</td>'
                    f'<td><a href="#pair{number}">{html.escape(pair["a"])} - {html.escape(pair["b"])}</a></td>'
                    f'<td>{pair["score"]:.2f}</td><td>{pair["shared_fingerprints"]}</td><td>{functions}</td></tr>')
    flagged = sum(p["flagged"] for p in report.pairs)
    sections = []
    for number, pair in enumerate(report.pairs[:flagged + detailed], start=1):
        parts = [f'<div class="pair" id="pair{number}"><h2>{number}. {html.escape(pair["a"])} and '
                 f'{html.escape(pair["b"])}: {pair["score"]:.2f}</h2>']
        for function in pair["functions"]:
            _, text_a, first_a = report.fingerprints[pair["a"]][function["name"]]
            _, text_b, first_b = report.fingerprints[pair["b"]][function["name"]]
            parts.append(f'<h3>{html.escape(function["name"])}: {function["score"]:.2f}</h3><div class="side">'
                         f'<div><b>{html.escape(pair["a"])}</b>{_code(text_a, first_a, function["regions"]["a"])}</div>'
                         f'<div><b>{html.escape(pair["b"])}</b>{_code(text_b, first_b, function["regions"]["b"])}</div></div>')
        sections.append("".join(parts) + "</div>")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Similarity report</title>"
            f"<style>{STYLE}</style></head><body><h1>Similarity report</h1>{EXPLANATION}"
            f"<p>{report.num_students} students, {report.num_students * (report.num_students - 1) // 2} pairs. "
            f"The table lists the pairs that share code beyond the starter code with a score of at least 0.1 "
            f"(always the best 20); {flagged} at or above the threshold {report.threshold:g} (highlighted). "
            f"Matching lines are marked in yellow.</p>"
            + "".join(f"<p>{html.escape(line)}</p>" for line in report.problems)
            + f"<table><tr><th>#</th><th>pair</th><th>score</th><th>shared fingerprints</th><th>functions (score)</th></tr>"
            f"{''.join(rows)}</table>{''.join(sections)}</body></html>")
