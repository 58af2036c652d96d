"""Notebooks made inert before nbgrader stores them (``autograder/intake/inert.py``), without a browser.

The formgrader and nbgrader's feedback pages are nbconvert templates; here the formgrader's own
template renders the notebook in this process, and the page's HTML is searched for the places a
browser runs script: ``<script>`` elements, event-handler attributes, ``javascript:`` addresses,
iframe documents. The hostile notebook (``hostile_notebook.py``) puts a payload in each; made inert,
none is left, and a visible note says what was removed. The controls render the same notebook
without sanitizing, and with nbconvert's own sanitizing only, and find payloads there. Honest
notebooks (every notebook of the course, and one with the outputs a real run makes) come out
unchanged, and nbgrader's metadata and checksums survive. Rendering markdown in the grader's
process is bounded in size and time. Our own pages (the student's feedback, the similarity report)
escape everything a student chose, and a roster name cannot put markup into the formgrader; their
controls turn escaping off or use the name as the LMS gave it.
"""
import copy
import html
import json
from pathlib import Path
from unittest import mock

import bs4
import nbformat
import pytest

import hostile_notebook
from autograder.intake import inert
from autograder.intake.inert import html_problems, inert_markdown, make_inert, render_markdown

REPO = Path(__file__).resolve().parents[2]
COURSE_NOTEBOOKS = sorted(REPO.glob("source/*/*.ipynb")) + sorted(REPO.glob("release/*/*.ipynb"))


def formgrader_page(nb, person=None, **exporter_config):
    """The formgrader's manual-grading page of ``nb``, made by the formgrader's own exporter and
    template; ``person``: the student's names, as the gradebook holds them."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    for key, value in exporter_config.items():
        setattr(config.HTMLExporter, key, value)
    resources = {"assignment_id": "assignment1", "notebook_id": "knn", "submission_id": "1", "index": 0,
                 "total": 1, "base_url": "", "student": "mallory", "last_name": "M", "first_name": "M",
                 "notebook_path": "/knn.ipynb", **(person or {})}
    page, _ = HTMLExporter(config=config).from_notebook_node(nb, resources=resources)
    return page


def live_payloads(page):
    """Names of the hostile notebook's payloads that sit where a browser would run them."""
    soup = bs4.BeautifulSoup(page, "html.parser")
    places = [s.get_text() for s in soup.find_all("script")]
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            if name.startswith("on") or name == "srcdoc" or value.strip().lower().startswith(("javascript:", "data:text/html")):
                places.append(html.unescape(value))
    text = "\n".join(places)
    return {name for name in hostile_notebook.PAYLOADS if f"pwned{name}" in text}


def student_parts(page):
    """The parts of the page that show the student's notebook: rendered cells, inputs, outputs."""
    soup = bs4.BeautifulSoup(page, "html.parser")
    return soup.select(".text_cell_render, .input_area, .output_subarea")


def visible_text(page):
    return bs4.BeautifulSoup(page, "html.parser").get_text(" ")


# -- the hostile notebook in the formgrader's page --------------------------------------------------

def test_no_payload_of_the_hostile_notebook_is_live_in_the_formgrader_page():
    nb = hostile_notebook.hostile_knn()
    inert_nb, changes = make_inert(nb)
    page = formgrader_page(inert_nb)
    assert live_payloads(page) == set()
    shown = student_parts(page)
    assert not [t for part in shown for t in part.find_all(["iframe", "svg", "form", "object", "embed", "button"])]
    assert not [t for part in shown for t in part.find_all(style=True) if "position" in t["style"]]
    assert not bs4.BeautifulSoup(page, "html.parser").find(id=hostile_notebook.OVERLAY_ID)
    assert "student-widget-from-npm" not in page, "the widget state reached the page (it makes it load widget code)"
    # Every removal is said where it happened.
    shown = visible_text(page)
    for what in ("a <script> element", "an event handler (onerror)", "a JavaScript output", "an SVG image",
                 "an interactive widget"):
        assert what in shown, f"no visible note saying {what!r} was removed"
    assert any("javascript: link" in c for c in changes) and any("iframe" in c for c in changes)


def test_control_the_unsanitized_notebook_runs_its_payloads_in_the_same_page():
    page = formgrader_page(hostile_notebook.hostile_knn())
    live = live_payloads(page)
    assert hostile_notebook.RUN_IN_FORMGRADER_UNSANITIZED | {"MdLink"} <= live, live
    assert bs4.BeautifulSoup(page, "html.parser").find(id=hostile_notebook.OVERLAY_ID)


@pytest.mark.filterwarnings("ignore:Your element with mimetype")  # outputs SanitizeHTML emptied
def test_control_nbconvert_sanitizing_alone_leaves_script_in_the_formgrader():
    from nbconvert.preprocessors.sanitize import SanitizeHTML

    nb = hostile_notebook.hostile_knn()
    # nbconvert's sanitize_html: the formgrader's template renders markdown cells without it.
    assert {"MdImg", "MdScript", "MdIframe"} <= live_payloads(formgrader_page(nb, sanitize_html=True))
    # nbconvert's SanitizeHTML preprocessor cleans markdown source as if it were HTML, so a markdown
    # link to javascript: passes (nbconvert's renderer allows such links), and honest tables become text.
    cleaned, _ = SanitizeHTML().preprocess(nbformat.from_dict(json.loads(json.dumps(nb))), {})
    assert "MdLink" in live_payloads(formgrader_page(cleaned))
    # ... and it damages honest work: math with '<' reads "&lt;", a results table becomes its HTML source.
    answer = nbformat.v4.new_markdown_cell("The best $k<10$.")
    assert "k&lt;10" in visible_text(render_markdown(SanitizeHTML().preprocess_cell(answer, {}, 0)[0].source))
    table = "<table class='dataframe'><tr><th>k</th><th>accuracy</th></tr><tr><td>5</td><td>0.28</td></tr></table>"
    output = nbformat.v4.new_output("display_data", data={"text/html": table})
    assert "<table" not in SanitizeHTML().sanitize_code_outputs([output])[0]["data"]["text/html"]
    # Here both stay as they are.
    assert inert_markdown(answer.source) == (answer.source, [])
    assert inert.inert_html(table) == (table, [])


# -- each payload on its own ---------------------------------------------------------------------------

MARKDOWN_PAYLOADS = {
    "img onerror": '<img src="x" onerror="alert(1)">',
    "script": "<script>alert(1)</script>",
    "script in capitals": "<SCRIPT>alert(1)</SCRIPT>",
    "javascript link": "[x](javascript:alert(1))",
    "javascript link, encoded": '<a href="jav&#x09;ascript&colon;alert(1)">x</a>',
    "data link": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "vbscript link": "[x](vbscript:msgbox)",
    "iframe": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="x.swf">',
    "svg": "<svg><script>alert(1)</script></svg>",
    "svg onload": '<svg onload="alert(1)"></svg>',
    "math mglyph": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "form": '<form action="http://example.org"><input name="x"><button>go</button></form>',
    "overlay": '<div style="position:fixed;top:0;left:0;width:100%;height:100%">x</div>',
    "overlay with a bootstrap class": '<div class="navbar-fixed-top modal-backdrop">x</div>',
    "style element": "<style>body{display:none}</style>",
    "link stylesheet": '<link rel="stylesheet" href="http://example.org/x.css">',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base href": '<base href="http://example.org/">',
    "remote image": "![x](http://example.org/beacon.png)",
    "mermaid block (nbconvert passes it unescaped)": "```mermaid\n<img src=x onerror=alert(1)>\n```",
    "comment trick": "<!--><img src=x onerror=alert(1)>-->",
    "mathjax href": r"$\href{javascript:alert(1)}{x}$",
    "mathjax style": r"$\style{position:fixed}{x}$",
    "id that shadows the formgrader's": '<div id="q1-answer">x</div>',
}


@pytest.mark.parametrize("source", MARKDOWN_PAYLOADS.values(), ids=MARKDOWN_PAYLOADS.keys())
def test_each_markdown_payload_is_removed_and_said(source):
    original = render_markdown(source)
    assert html_problems(original), f"the checker let the payload through: {original!r}"
    made, problems = inert_markdown("Some answer text.\n\n" + source)
    rendered = render_markdown(made).strip()
    # Inert: HTML the strict checker accepts, with MathJax off when it holds MathJax commands.
    assert html_problems(rendered) == [] or (
        rendered.startswith(inert.MATH_OFF) and html_problems(rendered, mathjax=False) == []), rendered
    assert problems and inert.NOTE in visible_text(rendered)
    assert "Some answer text." in visible_text(rendered)


HTML_OUTPUTS = {
    "script": "<b>x</b><script>alert(1)</script>",
    "event handler": "<div onmouseover=alert(1)>x</div>",
    "iframe": '<iframe src="http://example.org"></iframe>',
    "svg": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "pandas style": "<style>.x{}</style><table class='dataframe'><tr><td>1</td></tr></table>",
}


@pytest.mark.parametrize("markup", HTML_OUTPUTS.values(), ids=HTML_OUTPUTS.keys())
def test_each_html_output_payload_is_cleaned_and_said(markup):
    output = nbformat.v4.new_output("display_data", data={"text/html": markup, "text/plain": "x"})
    kept, problems = inert.inert_output(output)
    assert problems
    assert all(html_problems(o["data"].get("text/html", "")) == [] for o in kept)
    assert inert.NOTE in visible_text(kept[0]["data"]["text/html"])


@pytest.mark.parametrize("mime, data", [
    ("application/javascript", "alert(1)"),
    ("image/svg+xml", "<svg><script>alert(1)</script></svg>"),
    ("application/vnd.jupyter.widget-view+json", {"model_id": "x"}),
    ("application/pdf", "JVBERi0="),
    ("text/latex", r"$\href{javascript:alert(1)}{x}$"),
    ("image/png", "PHNjcmlwdD4="),  # base64 of "<script>", not a PNG
    ("image/png", 'AAAA" onerror="alert(1)'),
])
def test_outputs_that_could_run_code_are_dropped_with_a_note(mime, data):
    output = nbformat.v4.new_output("display_data", data={mime: data, "text/plain": "fallback"})
    kept, removed = inert.inert_output(output)
    assert removed
    assert mime not in kept[0]["data"] and kept[0]["data"]["text/plain"] == "fallback"
    assert kept[-1]["data"]["text/plain"].startswith(inert.NOTE)


def test_output_metadata_cannot_reach_the_page():
    png = hostile_notebook.plot_png()
    output = nbformat.v4.new_output("display_data", data={"image/png": png},
                                    metadata={"image/png": {"width": 200, "height": "1 onerror=alert(1)"},
                                              "filenames": {"image/png": "http://example.org/x.png"},
                                              "text/html": {"isolated": True}})
    kept, removed = inert.inert_output(output)
    assert kept == [{"output_type": "display_data", "data": {"image/png": png},
                     "metadata": {"image/png": {"width": 200}}}] and removed == []


def test_cell_metadata_that_hides_or_forges_is_dropped_and_nbgraders_is_kept():
    nb = nbformat.read(hostile_notebook.RELEASED_KNN, as_version=4)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1-answer")
    expected = copy.deepcopy({k: answer.metadata[k] for k in ("nbgrader", "deletable", "editable") if k in answer.metadata})
    answer.metadata["nbgrader"]["comment"] = "<img src=x onerror=alert(1)>"  # the feedback page renders it
    answer.metadata["transient"] = {"remove_source": True}  # would hide the answer from the grader
    answer.metadata["tags"] = ['x" onclick="alert(1)', "fine-tag"]
    made, _ = make_inert(nb)
    kept = next(c for c in made.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1-answer")
    assert kept.metadata == {**expected, "tags": ["fine-tag"]}


def test_raw_cells_are_cleaned():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_raw_cell("<b>ok</b><script>alert(1)</script>")])
    made, changes = make_inert(nb)
    shown = made.cells[0].source
    assert changes and shown.startswith(inert.MATH_OFF) and html_problems(shown, mathjax=False) == []
    assert "<b>ok</b><script>alert(1)</script>" in visible_text(shown)  # as text


# -- honest work stays as it is ------------------------------------------------------------------------

@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=[str(p.relative_to(REPO)) for p in COURSE_NOTEBOOKS])
def test_the_course_notebooks_come_out_unchanged(path):
    nb = nbformat.read(path, as_version=4)
    made, changes = make_inert(nb)
    assert changes == []
    assert [(c.cell_type, c.source, c.get("outputs")) for c in made.cells] == \
           [(c.cell_type, c.source, c.get("outputs")) for c in nb.cells]


def honest_run_notebook():
    """A notebook with the outputs a real run of the course makes: printed text, a traceback, a
    matplotlib plot, the self-check table, and math and markdown from IPython's display objects
    (each bundle made by IPython's own formatter, as the kernel would)."""
    from IPython.core.formatters import DisplayFormatter
    from IPython.display import Markdown, Math

    from autograder.student.selfcheck import as_html, as_text

    results = [{"name": "two_loops_known_distances", "points": 1, "max_points": 1, "status": "passed", "message": ""},
               {"name": "tie_goes_to_smaller_label", "points": 0, "max_points": 1, "status": "failed",
                "message": "predict_labels returned 3 for a tie between labels 3 and 1; expected 1"}]
    formatter = DisplayFormatter()
    outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="Training data shape:  (5000, 3072)\n"),
        nbformat.v4.new_output("display_data", data={"image/png": hostile_notebook.plot_png(), "text/plain": "<Figure>"},
                               metadata={"image/png": {"width": 360, "height": 240}}),
        nbformat.v4.new_output("display_data", data={"text/html": as_html("KNearestNeighbor.predict_labels", results),
                                                     "text/plain": as_text("KNearestNeighbor.predict_labels", results)}),
        nbformat.v4.new_output("display_data", data=formatter.format(Math(r"\frac{1}{N}\sum_i |x_i - y_i|"))[0]),
        nbformat.v4.new_output("execute_result", data=formatter.format(Markdown("**k = 5**, $acc = 0.28$"))[0],
                               execution_count=4),
        nbformat.v4.new_output("error", ename="ValueError", evalue="shapes (2,3) and (4,) not aligned",
                               traceback=["\x1b[0;31m---------------------------------------------\x1b[0m",
                                          "\x1b[0;31mValueError\x1b[0m: shapes (2,3) and (4,) not aligned"]),
    ]
    answer = ("**Your answer:** the L1 distance $d_1(I_1, I_2) = \\sum_p |I_1^p - I_2^p|$ changes.\n\n"
              "| statement | true? |\n|:--|--:|\n| 1 | yes |\n\n- [x] checked\n\n```python\nx = a < b\n```\n"
              "<details><summary>why</summary>\n\nBecause *shifting* keeps differences.<br>\n\n</details>\n\n"
              "See [the notes](https://cs231n.github.io/classification/).")
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(answer),
                                           nbformat.v4.new_code_cell("run()", outputs=outputs, execution_count=3)])


def test_a_notebook_after_a_real_run_keeps_everything_a_grader_reads():
    nb = honest_run_notebook()
    made, changes = make_inert(nb)
    assert changes == []
    assert made.cells[0].source == nb.cells[0].source
    assert [o["data"] if "data" in o else o for o in made.cells[1].outputs] == \
           [o["data"] if "data" in o else o for o in nb.cells[1].outputs]
    assert made.cells[1].outputs[1]["metadata"] == {"image/png": {"width": 360, "height": 240}}
    page = formgrader_page(made)
    assert "<table" in page and "data:image/png;base64," in page and "Self-check of" in page


def test_nbgrader_checksums_still_match_after_sanitizing():
    """nbgrader hashes a locked cell's source (and type, id, points) to tell whether the student
    changed it; sanitizing must leave every locked cell's hash as nbgrader recorded it."""
    from nbgrader.utils import compute_checksum, is_locked

    for nb in (hostile_notebook.hostile_knn(), nbformat.read(hostile_notebook.RELEASED_KNN, as_version=4)):
        made, _ = make_inert(nb)
        locked = [c for c in made.cells if "nbgrader" in c.metadata and is_locked(c)]
        assert len(locked) >= 8
        for cell in locked:
            assert compute_checksum(cell) == cell.metadata.nbgrader["checksum"], cell.metadata.nbgrader["grade_id"]


def test_a_read_only_cell_outside_the_policy_keeps_its_checksum_because_it_is_the_instructors():
    from nbgrader.utils import compute_checksum

    instructor = nbformat.read(hostile_notebook.RELEASED_KNN, as_version=4)
    question = next(c for c in instructor.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1")
    question.source += '\n\n<span class="label label-info">2 points</span>'  # a class the policy refuses
    question.metadata.nbgrader["checksum"] = compute_checksum(question)
    student = copy.deepcopy(instructor)
    trusted, _ = make_inert(student, inert.instructor_cells(instructor))
    untrusted, _ = make_inert(student)
    find = lambda nb: next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1")  # noqa: E731
    assert compute_checksum(find(trusted)) == question.metadata.nbgrader["checksum"]
    # Control: not known as the instructor's, the cell is cleaned, and nbgrader would see it changed.
    assert compute_checksum(find(untrusted)) != question.metadata.nbgrader["checksum"]


def test_cells_identical_to_the_instructors_are_kept_as_written():
    special = '<span class="alert alert-info">Read this first.</span>'  # outside the policy, but the instructor's
    instructor = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(special)])
    student = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(special),
                                              nbformat.v4.new_markdown_cell(special + " (mine)")])
    made, changes = make_inert(student, inert.instructor_cells(instructor))
    assert made.cells[0].source == special
    assert made.cells[1].source != special + " (mine)" and changes == ["cell 2: a class that could restyle the page"]


def test_write_inert_copy_reads_and_writes_notebooks(tmp_path):
    source = hostile_notebook.write_hostile_knn(tmp_path / "knn.ipynb")
    changes = inert.write_inert_copy(source, tmp_path / "out" / "knn.ipynb", instructor=tmp_path / "missing.ipynb")
    written = nbformat.read(tmp_path / "out" / "knn.ipynb", as_version=4)
    nbformat.validate(written)
    assert changes and live_payloads(formgrader_page(written)) == set()


# -- our own pages escape what students chose ---------------------------------------------------------

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def page_runs_nothing(page):
    soup = bs4.BeautifulSoup(page, "html.parser")
    return not soup.find_all(["script", "img", "iframe"]) and not any(
        name.startswith("on") for tag in soup.find_all(True) for name in tag.attrs)


def hostile_record():
    test = {"function": "classifiers.k_nearest_neighbor.KNearestNeighbor.predict", "name": HOSTILE,
            "points": 0, "max_points": 1, "status": "failed", "message": HOSTILE}
    return {"student": HOSTILE, "assignment": HOSTILE, "score": 0, "max_score": 1, "tests": [test],
            "upload": [HOSTILE]}


def similarity_report():
    from autograder.similarity.compare import Report

    function = {"name": HOSTILE, "score": 0.9, "regions": {"a": [(1, 1)], "b": [(1, 1)]}}
    pair = {"a": HOSTILE, "b": "bob", "score": 0.9, "shared_fingerprints": 3, "flagged": True, "functions": [function]}
    code = "x = '</pre><script>alert(3)</script>'\n"
    return Report([pair], {HOSTILE: {HOSTILE: (None, code, 1)}, "bob": {HOSTILE: (None, code, 1)}}, 0.5, 2,
                  problems=[HOSTILE])


def test_the_students_feedback_page_escapes_everything_from_the_submission():
    from autograder.classrun.feedback import feedback_html

    page = feedback_html(hostile_record())
    assert page_runs_nothing(page)
    assert visible_text(page).count("alert(2)") >= 5  # shown as text, everywhere it came in


def test_the_similarity_report_escapes_names_and_code():
    from autograder.similarity.html import render

    page = render(similarity_report())
    assert page_runs_nothing(page)
    assert "alert(3)" in visible_text(page) and "alert(2)" in visible_text(page)


def test_control_without_escaping_both_pages_would_run_script():
    from autograder.classrun.feedback import feedback_html
    from autograder.similarity.html import render

    from autograder.classrun import feedback

    unescaped = lambda text, quote=True: text  # noqa: E731
    # feedback.py keeps its own name for html.escape, bound at import: switch both off.
    with mock.patch.object(html, "escape", unescaped), mock.patch.object(feedback, "e", unescaped):
        assert not page_runs_nothing(feedback_html(hostile_record()))
        assert not page_runs_nothing(render(similarity_report()))


# -- bounds on rendering markdown in the grader's process ----------------------------------------------

SLOW = "[" * 4000  # nbconvert's renderer is quadratic here: about 0.3 s, 100,000 take minutes


def test_markdown_too_slow_to_render_is_shown_as_text(monkeypatch):
    monkeypatch.setattr(inert, "RENDER_SECONDS", 0.02)
    made, problems = inert_markdown(SLOW)
    assert problems == ["markdown too long or too slow to render safely (shown as text)"]
    assert made.startswith(inert.MATH_OFF) and SLOW in visible_text(made)


def test_control_with_time_enough_the_same_cell_is_kept_as_written():
    assert inert_markdown(SLOW) == (SLOW, [])


def test_markdown_too_long_is_not_rendered(monkeypatch):
    monkeypatch.setattr(inert, "render_markdown", mock.Mock(wraps=inert.render_markdown))
    big = "a" * (inert.MAX_RENDERED_CHARS + 1)
    made, problems = inert_markdown(big)
    assert problems and made.startswith(inert.MATH_OFF) and big in visible_text(made)
    assert big not in [call.args[0] for call in inert.render_markdown.call_args_list]


def test_a_notebook_whose_rendering_budget_is_spent_shows_its_other_cells_as_text(monkeypatch):
    monkeypatch.setattr(inert, "NOTEBOOK_RENDER_SECONDS", 0.0)
    texts = ["# Notes", "My answer: $k = 5$.", "The instructor's words."]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(t) for t in texts])
    made, changes = make_inert(nb, inert.instructor_cells(nbformat.v4.new_notebook(cells=[nb.cells[2]])))
    assert [c.source.startswith(inert.MATH_OFF) for c in made.cells] == [True, True, False]
    assert texts[1] in visible_text(made.cells[1].source) and len(changes) == 2


def test_the_time_bound_leaves_the_alarm_as_it_found_it():
    import signal

    handler = signal.getsignal(signal.SIGALRM)
    inert_markdown("**bold**")
    assert signal.getsignal(signal.SIGALRM) is handler and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_roster_name_cannot_put_markup_into_the_formgrader_page(tmp_path):
    """The formgrader writes the student's name into its page unescaped; names come from the LMS."""
    from autograder.intake.roster import load_roster

    hostile = "<img src=x onerror=alert(1)>"
    (tmp_path / "roster.csv").write_text(f'student,name\nmallory,"{hostile}, Mal"\n')
    person = load_roster(tmp_path / "roster.csv").person("mallory")
    page = formgrader_page(nbformat.v4.new_notebook(), person=person)
    assert not bs4.BeautifulSoup(page, "html.parser").find("img") and "img src=x" in visible_text(page)
    # Control: the name as the LMS gave it becomes an element with an event handler.
    raw = formgrader_page(nbformat.v4.new_notebook(), person={"first_name": "Mal", "last_name": hostile})
    assert bs4.BeautifulSoup(raw, "html.parser").find("img", onerror=True)
