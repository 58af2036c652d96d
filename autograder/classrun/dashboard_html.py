"""The class report as one HTML page that works offline: ``render(data, html_path, out)``.

``data`` is what ``dashboard.analyse`` returns, with ``changes`` from ``runs.compare``. The plots
are drawn with matplotlib and embedded as PNG data, each beside a table with the same numbers (or
with alt text that says them), so nothing is picture-only. Links to the students' feedback pages
are relative to the page, so the output folder can be copied or zipped whole.
"""
import base64
import html
import io
import os
from pathlib import Path

from ..engine.summary import format_points as _fmt

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1300px; }
nav a { margin-right: 1em; }
h2 { margin-top: 2em; border-bottom: 2px solid #ddd; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .6em 0; }
td, th { border-bottom: 1px solid #ddd; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.num { text-align: right; white-space: nowrap; }
.side { display: flex; gap: 2em; align-items: flex-start; flex-wrap: wrap; }
.side img { max-width: 100%; }
tr.blind td { background: #fff3e0; }
.cards { display: flex; gap: 1em; flex-wrap: wrap; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: .6em 1em; min-width: 9em; }
.card b { display: block; font-size: 1.5em; }
.note { background: #eef4fb; border-left: 4px solid #4a7ab8; padding: .6em 1em; }
.group { border: 1px solid #ddd; border-radius: 6px; padding: .2em 1em .6em; margin: 1em 0; }
.group h3 { font-size: 1.05em; }
small, .muted { color: #666; }
code { background: #f6f6f6; padding: 0 .2em; }
ul.students { columns: 4 12em; padding-left: 1.2em; }
"""

HOW_TO_DIAGNOSE = """
<div class="note" id="how-to-diagnose">
<p><b>How to read the groups.</b> A group is a set of students whose wrong answers to one hidden
test agree (the same numbers up to a tolerance, or the same exception on the same statement), and
whom no recognised mistake explains. A large group is a mistake the class shares that the tests do
not name yet: its students read only "the answer is off". Singletons are counted, not listed: an
answer nobody else gave is usually a bug of one's own.</p>
<p><b>How to add a diagnosis for a group.</b> Open the representative's feedback and code (the
upload under your submissions folder) and find the mistake. Write what that mistake gives on the
test's own inputs as a <code>Diagnosis("an_id", "what the student should look at, no values",
value)</code> and add it to the <code>diagnoses=</code> of the comparison in the hidden test (the
file <code>source/&lt;assignment&gt;/tests/hidden_*.py</code> that defines the test named above); add
it to the public test of the function too when it can tell. Check it with the mutation suites
(a planted copy of the bug must be named, no correct variant may be), then grade again with
<code>--force</code>: the group moves to the recognised mistakes, and its students' feedback names
their mistake. Two ids that name one mistake are merged here when they always come together;
give them one id to make it so for good.</p>
</div>
"""


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _figure(width, height):
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height), layout="constrained")


def _num(x, digits=3):
    return "–" if x is None else f"{x:.{digits}g}"


def _pct(x):
    return "–" if x is None else f"{100 * x:.0f}%"


def histogram_png(distribution):
    """The score histograms side by side (autograded, manual when there are manual points, total)."""
    panels = [(name, distribution[name]) for name in ("autograded", "manual", "total")
              if distribution.get(name) and distribution[name]["count"]]
    fig = _figure(4.2 * len(panels), 2.8)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, d) in zip(axes, panels):
        edges, counts = d["edges"], d["counts"]
        widths = [b - a for a, b in zip(edges, edges[1:])]
        ax.bar(edges[:-1], counts, width=widths, align="edge", color="#4a7ab8", edgecolor="white")
        ax.axvline(d["mean"], color="#b35900", linestyle="-", label=f"mean {d['mean']:.3g}")
        ax.axvline(d["median"], color="#1a7f37", linestyle="--", label=f"median {d['median']:.3g}")
        ax.set_title(f"{name} (of {_fmt(d['max'])})")
        ax.set_xlabel("points")
        ax.set_ylabel("students")
        ax.legend(fontsize=8, loc="upper left")
        ax.yaxis.get_major_locator().set_params(integer=True)
    return _png(fig)


def functions_png(functions):
    """Public and hidden pass rates per function, hardest (lowest hidden rate) at the top."""
    rows = sorted(functions, key=_hardest_first)
    fig = _figure(8, 0.32 * len(rows) + 1.3)
    ax = fig.subplots()
    y = range(len(rows))
    public = [100 * (f["public"]["rate"] or 0) for f in rows]
    hidden = [100 * (f["hidden"]["rate"] or 0) for f in rows]
    ax.barh([i - 0.2 for i in y], public, height=0.4, color="#9dbbe0", label="public tests passed")
    ax.barh([i + 0.2 for i in y], hidden, height=0.4, color="#1f4e8c", label="hidden tests passed")
    ax.set_yticks(list(y), [f["name"] for f in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the class's test runs passed")
    ax.legend(fontsize=8, loc="lower right")
    return _png(fig)


def _hardest_first(f):
    hidden = f["hidden"]["rate"] if f["hidden"]["rate"] is not None else 2.0
    return (hidden, f["share_of_points"] if f["share_of_points"] is not None else 2.0, f["name"])


class _Page:
    def __init__(self, data, html_path, out):
        self.data, self.out = data, Path(out).resolve()
        self.here = Path(html_path).resolve().parent
        self.e = html.escape

    def student(self, name):
        """A student's name linked to their feedback page."""
        target = self.out / "autograded" / name / self.data["assignment"] / "autograder.html"
        href = os.path.relpath(target, self.here).replace(os.sep, "/")
        return f'<a class="student" href="{self.e(href)}">{self.e(name)}</a>'

    def students(self, names, limit=None):
        shown = names if limit is None else names[:limit]
        more = f" and {len(names) - len(shown)} more" if len(names) > len(shown) else ""
        return ", ".join(self.student(s) for s in shown) + more

    # -- sections ---------------------------------------------------------------------------------

    def header(self):
        d, e = self.data, self.e
        dist = d["distribution"]
        total, auto = dist["total"], dist["autograded"]
        changes = d.get("changes") or {}
        cards = [("students graded", str(d["students"])),
                 ("mean total", f"{_num(total['mean'])} / {_fmt(total['max'])}"),
                 ("median total", f"{_num(total['median'])}"),
                 ("autograded mean", f"{_num(auto['mean'])} / {_fmt(auto['max'])}"),
                 ("at zero", str(len(dist["zero"]))), ("missing", str(len(dist["missing"]))),
                 ("scores changed", str(len(changes.get("changed", []))))]
        cards = "".join(f'<div class="card"><b>{e(v)}</b>{e(k)}</div>' for k, v in cards)
        since = (f"compared with the run of {e(changes['previous'])}" if changes.get("previous")
                 else "no earlier run to compare with")
        return (f"<h1>{e(d['assignment'])}: the class report</h1>"
                f"<p class=muted>Made {e(d.get('generated', ''))} from the results of every graded student "
                f"and the manual points in nbgrader's gradebook; {since}. The same numbers are in "
                f"<code>{e(d.get('json_name', ''))}</code>.</p><div class=cards>{cards}</div>"
                "<nav><p><a href='#distribution'>Scores</a><a href='#functions'>Functions</a>"
                "<a href='#mistakes'>Recognised mistakes</a><a href='#groups'>Unexplained failures</a>"
                "<a href='#attention'>Needs attention</a><a href='#changes'>Between runs</a></p></nav>")

    def distribution(self):
        dist, e = self.data["distribution"], self.e
        panels = [(n, dist[n]) for n in ("autograded", "manual", "total") if dist.get(n) and dist[n]["count"]]
        if not panels:
            return "<h2 id=distribution>Scores</h2><p>Nobody has been graded yet.</p>"
        alt = "; ".join(f"{n} scores of {d['count']} students: mean {d['mean']:.3g}, median {d['median']:.3g}, "
                        f"per bin " + ", ".join(f"{_fmt(a)}–{_fmt(b)}: {c}" for a, b, c in
                                                zip(d["edges"], d["edges"][1:], d["counts"]))
                        for n, d in panels)
        head = "".join(f"<th class=num>{e(n)}</th>" for n, _ in panels)
        rows = []
        for i in range(len(panels[0][1]["counts"])):
            cells = "".join(f"<td class=num>{d['counts'][i]} <small>({_fmt(d['edges'][i])}–{_fmt(d['edges'][i + 1])})</small></td>"
                            for _, d in panels)
            rows.append(f"<tr><td class=num>{i + 1}</td>{cells}</tr>")
        stats = "".join(f"<tr><th>{e(n)}</th><td class=num>{_num(d['mean'])}</td><td class=num>{_num(d['median'])}</td>"
                        f"<td class=num>{_fmt(d['max'])}</td><td class=num>{d['count']}</td></tr>" for n, d in panels)
        zero = self.students(dist["zero"]) or "nobody"
        missing = self.e(", ".join(dist["missing"])) or "nobody"
        pending = self.students(dist["manual_pending"], 30) or "nobody"
        return (f"<h2 id=distribution>Scores</h2><div class=side>"
                f"<img id=histogram src='{histogram_png(dist)}' alt='{e(alt)}'>"
                f"<div><table id=score-stats><tr><th></th><th>mean</th><th>median</th><th>of</th><th>students</th></tr>"
                f"{stats}</table>"
                f"<table id=histogram-table><tr><th>bin</th>{head}</tr>{''.join(rows)}</table></div></div>"
                f"<p><b>At zero</b> ({len(dist['zero'])}): {zero}.</p>"
                f"<p><b>Missing</b> ({len(dist['missing'])}: on the roster or in the gradebook, or not graded "
                f"in this run, without results): {missing}.</p>"
                f"<p><b>Written answers still to grade by hand</b> ({len(dist['manual_pending'])}): {pending}.</p>")

    def functions(self):
        functions, e = self.data["functions"], self.e
        if not functions:
            return ""
        rows = []
        for f in sorted(functions, key=_hardest_first):
            mean = f["points"] / f["students"] if f["students"] else 0.0
            gap = (f["public"]["rate"] - f["hidden"]["rate"]) if f["blind_spot"] else None
            rows.append(f"<tr class='{'blind' if f['blind_spot'] else ''}' data-function='{e(f['function'])}'>"
                        f"<td><code>{e(f['name'])}</code></td>"
                        f"<td class=num>{_fmt(round(f['points'], 2))} / {_fmt(f['possible'])}</td>"
                        f"<td class=num>{mean:.2f} / {_fmt(f['max_points'])}</td>"
                        f"<td class=num>{f['full_marks']} ({_pct(f['full_marks_share'])})</td>"
                        f"<td class=num>{_pct(f['public']['rate'])} <small>of {f['public']['run']}</small></td>"
                        f"<td class=num>{_pct(f['hidden']['rate'])} <small>of {f['hidden']['run']}</small></td>"
                        f"<td class=num>{'' if gap is None else '−' + _pct(gap)}</td></tr>")
        blind = sum(f["blind_spot"] for f in functions)
        alt = ("Pass rates per function, hardest first: " +
               "; ".join(f"{f['name']} public {_pct(f['public']['rate'])}, hidden {_pct(f['hidden']['rate'])}"
                         for f in sorted(functions, key=_hardest_first)))
        return (f"<h2 id=functions>Functions</h2><p>Per graded function, hardest first (lowest hidden-test pass "
                f"rate). A pass rate counts test runs: one per student and test. <b>Hidden below public</b> "
                f"(highlighted, {blind} function{'s' if blind != 1 else ''}) is the class's blind spot: what the "
                f"students could not check for themselves.</p><div class=side>"
                f"<img id=functions-chart src='{functions_png(functions)}' alt='{e(alt)}'>"
                f"<table id=functions-table><tr><th>function</th><th class=num>points earned / possible</th>"
                f"<th class=num>mean per student</th><th class=num>full marks</th><th class=num>public passed</th>"
                f"<th class=num>hidden passed</th><th class=num>hidden gap</th></tr>{''.join(rows)}</table></div>")

    def mistakes(self):
        found, e = self.data["mistakes"], self.e
        if not found:
            return "<h2 id=mistakes>Recognised mistakes</h2><p>No test named a mistake.</p>"
        rows = []
        for m in found:
            named = ""
            if len(m["ids"]) > 1:
                named = ("<br><small>one mistake named by " + "; ".join(
                    f"<code>{e(i)}</code>: {e(t)}" for i, t in m["titles"].items()) + " (" +
                    e("; ".join(m["merged_because"])) + ")</small>")
            else:
                named = f"<br><small><code>{e(m['id'])}</code></small>"
            functions = ", ".join(f"<code>{e(f['name'])}</code> ({f['students']})" for f in m["functions"])
            rows.append(f"<tr data-mistake='{e(m['id'])}'><td>{e(m['title'])}{named}</td><td class=num>{m['count']}</td>"
                        f"<td>{functions}</td><td>{self.students(m['students'])}</td></tr>")
        return ("<h2 id=mistakes>Recognised mistakes</h2><p>What the tests recognised, in the words the "
                "students read, most students first; a student counts once per mistake.</p>"
                "<table id=mistakes-table><tr><th>mistake</th><th class=num>students</th><th>functions (students)</th>"
                f"<th>who</th></tr>{''.join(rows)}</table>")

    def groups(self):
        data, e = self.data["groups"], self.e
        parts = ["<h2 id=groups>Unexplained failures, grouped</h2>", HOW_TO_DIAGNOSE]
        if not data["groups"]:
            parts.append("<p>No two students failed a hidden test in the same unexplained way.</p>")
        for i, g in enumerate(data["groups"]):
            known = ", ".join(f"<code>{e(k)}</code> ({n})" for k, n in g["also_recognised"].items())
            known = (f"<p>Recognised elsewhere in <code>{e(g['name'])}</code> for some of them: {known}</p>"
                     if known else "")
            parts.append(
                f"<div class=group id='group-{i + 1}' data-test='{e(g['test'])}' data-size='{g['size']}'>"
                f"<h3>{e(g['sentence'])}</h3>"
                f"<p>Size <b>{g['size']}</b>; representative {self.student(g['representative'])}. "
                f"The students read: <i>{e(g['message'])}</i></p>"
                + (f"<p>Difference from the expected value: {e(g['difference'])}.</p>" if g["difference"] else "")
                + known + f"<p>Students: {self.students(g['students'])}</p></div>")
        if data["alone"]:
            parts.append("<p>Failures nobody else shares (no known mistake matches, no other student gave the "
                         f"same answer): {data['alone_total']} in all: " +
                         ", ".join(f"<code>{e(t)}</code> {n}" for t, n in data["alone"].items()) + ".</p>")
        return "".join(parts)

    def attention(self):
        a, e = self.data["attention"], self.e
        items = []
        for student, lines in a["uploads"].items():
            items.append(f"<li>{self.student(student)}: " + "; ".join(e(l) for l in lines) + "</li>")
        for student, reason in a["not_graded"].items():
            items.append(f"<li>{e(student)}: NOT GRADED: {e(reason)} (an infrastructure problem; run again)</li>")
        uploads = f"<ul id=uploads>{''.join(items)}</ul>" if items else "<p>No upload problems.</p>"
        if a["similarity"] is None:
            similarity = ("<p>No similarity report beside the results (<code>autograder similarity --json "
                          "similarity.json</code> in the output folder adds its flagged pairs here).</p>")
        elif not a["similarity"]:
            similarity = "<p>The similarity report flags no pair.</p>"
        else:
            similarity = "<ul id=similarity>" + "".join(
                f"<li>{self.student(p['a'])} and {self.student(p['b'])}: score {_num(p['score'], 2)}"
                + (f" <small>({e(', '.join(p['functions']))})</small>" if p["functions"] else "") + "</li>"
                for p in a["similarity"]) + "</ul>"
        budget = (f"<p><b>At or over the time budget</b> ({_fmt(a['budget'])} s for all of one student's tests): " +
                  (", ".join(f"{self.student(o['student'])} ({_num(o['seconds'])} s)" for o in a["over_budget"])
                   or "nobody") + ".</p>") if a["budget"] else ""
        timeouts = ", ".join(f"{self.student(s)} ({n})" for s, n in a["timeouts"].items()) or "nobody"
        late = ", ".join(f"{self.student(l['student'])} ({e(l['how'])})" for l in a["late"]) or "nobody"
        return (f"<h2 id=attention>Needs attention</h2><h3>Uploads</h3>{uploads}<h3>Similar code</h3>{similarity}"
                f"<h3>Time</h3>{budget}<p><b>Tests that timed out</b> (how many): {timeouts}.</p>"
                f"<h3>Late</h3><p id=late>{late}.</p>")

    def changes(self):
        c, e = self.data.get("changes") or {}, self.e
        if not c.get("previous"):
            return ("<h2 id=changes>Between runs</h2><p>This is the first run the report knows of: the next "
                    "grading run will say whose scores changed and why.</p>")
        rows = "".join(
            f"<tr data-student='{e(x['student'])}'><td>{self.student(x['student'])}</td>"
            f"<td class=num>{_fmt(x['old']['score'])}{self._manual(x['old'])}</td>"
            f"<td class=num>{_fmt(x['new']['score'])}{self._manual(x['new'])}</td>"
            f"<td class=num>{'+' if x['new']['total'] >= x['old']['total'] else ''}{_fmt(round(x['new']['total'] - x['old']['total'], 6))}</td>"
            f"<td>{e('; '.join(x['reasons']))}</td></tr>" for x in c["changed"])
        table = ("<table id=changes-table><tr><th>student</th><th class=num>before</th><th class=num>now</th>"
                 f"<th class=num>change</th><th>why</th></tr>{rows}</table>" if rows
                 else "<p>No score changed.</p>")
        new = ", ".join(f"{self.student(n['student'])} ({_fmt(n['score'])})" for n in c["new"]) or "nobody"
        removed = ", ".join(f"{e(r['student'])} ({_fmt(r['score'])})" for r in c["removed"]) or "nobody"
        return (f"<h2 id=changes>Between runs</h2><p>Compared with the run of {e(c['previous'])}: autograded "
                f"points (+ manual points where given). {c['regraded_same_score']} student(s) were graded again "
                f"with the same score.</p>{table}<p id=new-students><b>New since then</b>: {new}.</p>"
                f"<p><b>No longer in the results</b>: {removed}.</p>")

    @staticmethod
    def _manual(entry):
        return f" <small>+ {_fmt(entry['manual'])}</small>" if entry.get("manual") else ""


def render(data, html_path, out):
    """The page for ``data`` written at ``html_path``, with links into ``out`` (the output folder)."""
    page = _Page(data, html_path, out)
    body = "".join([page.header(), page.distribution(), page.functions(), page.mistakes(), page.groups(),
                    page.attention(), page.changes()])
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(data['assignment'])}: class report</title><style>{STYLE}</style></head>"
            f"<body>{body}</body></html>\n")
