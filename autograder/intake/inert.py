"""Notebooks made inert for the people who read them: what a submission shows in the formgrader,
in nbgrader's feedback pages or anywhere else a notebook becomes a web page runs no code there.

nbgrader turns the stored notebook into HTML with nbconvert: markdown and raw cells become HTML as
written (the formgrader's own template does not sanitize them, whatever ``sanitize_html`` says),
``text/html`` and ``application/javascript`` outputs go into the page, and output metadata, cell
attachments and notebook metadata reach attributes, iframes and the widget loader. So the copy that
nbgrader stores is made harmless first (``write_inert_copy``), and everything built from it is too.

What stays: markdown text and math, code, text outputs, tracebacks, PNG and JPEG images, plain
tables and basic formatting. What goes: scripts, event handlers, ``javascript:`` and other unsafe
links, images loaded from elsewhere, JavaScript, widget and SVG outputs, iframes, objects, forms,
styles and classes that could restyle or cover the page, MathJax commands that run code or restyle
(``\\href``, ``\\style``...), metadata that nbconvert turns into markup. A cell or output that lost
something says so in one visible line that starts with ``[autograder]``.

How it stays sound: every piece of HTML that will reach a page is checked by ``html_problems``, a
strict reader that accepts only a small, unambiguous form of HTML (allowed tags and attributes,
quoted or simple values, safe addresses, no comment or markup a browser could read another way)
and rejects everything else. A markdown cell is kept as the student wrote it when its rendering
passes; else replaced by that rendering cleaned with ``nh3`` (the Ammonia sanitizer), checked
again (with MathJax switched off for the cell when its formulas hold MathJax commands); else by its
text as written; else by the note alone. Rendering happens here, in the grader's process, within
a size and a time bound (see ``MAX_RENDERED_CHARS``). Cells identical to the instructor's are kept
as they are, so nbgrader's checksums of read-only cells still match, and so does every cell of an
honest notebook. Code cells keep their source (nbgrader hashes it; pygments escapes it in the
page); cell metadata keeps nbgrader's fields, editability and plain tags.
"""
import base64
import binascii
import contextlib
import copy
import html
import json
import re
import signal
import threading
import time
from pathlib import Path

import nh3

NOTE = "[autograder]"

# -- the policy: one list, used by the checker and by the cleaner -----------------------------------

_PYGMENTS = {"highlight", "hll", "bp", "c", "c1", "ch", "cm", "cp", "cpf", "cs", "dl", "err", "esc", "fm",
             "g", "gd", "ge", "ges", "gh", "gi", "go", "gp", "gr", "gs", "gt", "gu", "il", "k", "kc", "kd",
             "kn", "kp", "kr", "kt", "l", "ld", "m", "mb", "mf", "mh", "mi", "mo", "n", "na", "nb", "nc",
             "nd", "ne", "nf", "ni", "nl", "nn", "no", "nt", "nv", "nx", "o", "ow", "p", "pm", "py", "s",
             "s1", "s2", "sa", "sb", "sc", "sd", "se", "sh", "si", "sr", "ss", "sx", "vc", "vg", "vi",
             "vm", "w", "x"}
# Classes the page's own style sheets (Bootstrap, the formgrader's) could turn into a banner over the
# page are never allowed; these only format text.
CLASSES = {"span": _PYGMENTS, "div": {"highlight", "autograder-self-check", "tex2jax_ignore"}, "a": {"anchor-link"},
           "table": {"dataframe"}, "li": {"task-list-item"}, "input": {"task-list-item-checkbox"}}
TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup",
        "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
        "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
        "s", "samp", "small", "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody",
        "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var", "wbr"}
_EVERYWHERE = {"title", "lang", "dir", "style", "class"}
ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "width", "height", "align"},
              "td": {"colspan", "rowspan", "align", "valign"}, "th": {"colspan", "rowspan", "align", "valign", "scope"},
              "tr": {"align", "valign"}, "table": {"border", "align"}, "col": {"span", "align"},
              "colgroup": {"span", "align"}, "ol": {"start", "type"}, "details": {"open"},
              "input": {"type", "disabled", "checked"}, "q": {"cite"}, "blockquote": {"cite"},
              **{f"h{n}": {"id"} for n in range(1, 7)}}
# Properties that colour and align text; none can move or size an element over the page.
STYLE_PROPERTIES = {"color", "background-color", "font-weight", "font-style", "text-align", "vertical-align",
                    "text-decoration", "white-space"}
_STYLE_VALUE = re.compile(r"(?:[#\w\s.,%+-]|(?:rgba?|hsla?)\([\d\s.,%+-]*\))*", re.ASCII)
_NUMBER = re.compile(r"\d{1,5}%?")
_WORD_VALUES = {"align": {"left", "right", "center", "justify", "top", "middle", "bottom"},
                "valign": {"top", "middle", "bottom", "baseline"}, "scope": {"row", "col", "rowgroup", "colgroup"},
                "dir": {"ltr", "rtl", "auto"}, "type": {"checkbox", "1", "a", "i"}}
_NUMERIC = {"width", "height", "colspan", "rowspan", "start", "border", "span"}
_IMAGE_URL = re.compile(r"data:image/(?:png|jpeg|gif);base64,[A-Za-z0-9+/=]*")
# MathJax typesets the page's text after it loads; these commands make links, load extensions or set
# classes and styles, so a formula could run code or cover the page.
_MATHJAX = re.compile(r"\\(href|url|class|cssId|style|unicode|require|bbox|mmlToken|html\w*|data\w*)(?![A-Za-z])")

# -- the checker -------------------------------------------------------------------------------------

_WS = "[ \t\n\f\r]"
_ATTR = re.compile(rf"{_WS}+([A-Za-z_:][-A-Za-z0-9_:.]*)(?:{_WS}*={_WS}*(\"[^\"]*\"|'[^']*'|[^ \t\n\f\r\"'=<>`]+))?")
_START = re.compile(rf"<([A-Za-z][A-Za-z0-9]*)((?:{_ATTR.pattern})*){_WS}*/?>")
_END = re.compile(rf"</([A-Za-z][A-Za-z0-9]*){_WS}*>")
# A comment every browser reads the same way: no '<' or '>' inside, no '--', not ending in '-'.
_COMMENT = re.compile(r"<!--(?:[^<>\-]|-(?=[^<>\-]))*-->")
_TEXT = re.compile(r"[^<]+")


def _url_problem(tag, value):
    """Why a link or image address may not stay, or ''."""
    url = "".join(c for c in html.unescape(value) if ord(c) > 32 and ord(c) != 127)
    if tag == "img":
        return "" if _IMAGE_URL.fullmatch(url) else "an image loaded from elsewhere"
    scheme, colon, _ = url.partition(":")
    if not colon or any(c in scheme for c in "/?#"):
        return ""  # a relative address or an anchor: no scheme
    scheme = scheme.lower()
    if scheme in ("http", "https", "mailto"):
        return ""
    return f"a {scheme}: link" if re.fullmatch(r"[a-z][a-z0-9+.-]{0,19}", scheme) else "an unusual link"


def _attribute_problem(tag, name, value):
    """Why the attribute ``name="value"`` of ``<tag>`` may not stay (value already unquoted,
    character references not yet decoded), or ''."""
    if name.startswith("on"):
        return f"an event handler ({name[:20]})"
    if name not in _EVERYWHERE and name not in ATTRIBUTES.get(tag, ()):
        return f"the {name[:20]} attribute of <{tag}>"
    text = html.unescape(value or "")
    if name in ("href", "src", "cite"):
        return _url_problem(tag, value or "")
    if name == "style":
        for declaration in text.split(";"):
            prop, _, setting = declaration.partition(":")
            if not declaration.strip():
                continue
            if prop.strip().lower() not in STYLE_PROPERTIES or not _STYLE_VALUE.fullmatch(setting):
                return "a style that could move or cover things"
        return ""
    if name == "class":
        allowed = CLASSES.get(tag, set())
        if all(c in allowed or (tag == "code" and re.fullmatch(r"language-[\w+.#-]{1,40}", c))
               for c in text.split()):
            return ""
        return "a class that could restyle the page"
    if name == "id":  # nbconvert names every heading after its text
        return "" if len(text) <= 200 else "an unusual id"
    if name in _NUMERIC:
        return "" if _NUMBER.fullmatch(text.strip()) else f"an unusual {name}"
    if name in _WORD_VALUES:
        return "" if text.strip().lower() in _WORD_VALUES[name] else f"an unusual {name}"
    return ""


def html_problems(markup, mathjax=True):
    """Why the HTML fragment ``markup`` is not inert, as short phrases for a grader ([] when it is).

    Fail-closed: anything outside the small form this reads (see the module docstring) is a
    problem, including markup that is harmless but could be parsed differently by a browser.
    ``mathjax=False``: MathJax commands in the text are no problem (for a fragment that MathJax
    skips, inside ``MATH_OFF``)."""
    problems = []

    def add(problem):
        if problem and problem not in problems:
            problems.append(problem)

    if "\x00" in markup:
        add("a NUL character")
    at = 0
    while at < len(markup):
        text = _TEXT.match(markup, at)
        if text:
            if mathjax and _MATHJAX.search(html.unescape(text.group())):
                add("MathJax commands that could run code or restyle the page")
            at = text.end()
            continue
        for pattern in (_COMMENT, _END):
            found = pattern.match(markup, at)
            if found:
                if pattern is _END and found.group(1).lower() not in TAGS:
                    add(f"a <{found.group(1).lower()[:20]}> element")
                at = found.end()
                break
        else:
            start = _START.match(markup, at)
            if not start:
                add("markup a browser could read in more than one way")
                at += 1
                continue
            tag = start.group(1).lower()
            if tag not in TAGS:
                add(f"a <{tag[:20]}> element")
            attributes = {}
            for name, raw in _ATTR.findall(start.group(2)):
                value = raw[1:-1] if raw[:1] in "\"'" and raw else raw
                attributes.setdefault(name.lower(), html.unescape(value).strip().lower())
                add(_attribute_problem(tag, name.lower(), value if raw else None))
            if tag == "input" and not (attributes.get("type") == "checkbox" and "disabled" in attributes):
                add("a form field")  # only the ticks of a markdown task list
            at = start.end()
    return problems


# -- the cleaner ---------------------------------------------------------------------------------------

def _keep_attribute(tag, name, value):
    return None if _attribute_problem(tag, name, html.escape(value)) else value


_CLEANER = None


def clean_html(markup):
    """``markup`` with everything outside the policy removed (nh3, the Ammonia sanitizer): tags that
    are not allowed are dropped (their text is kept; scripts, styles and embedded documents go
    with their content), and so are attributes, classes, styles and addresses that are not; so are
    form fields (the policy keeps only a markdown task list's ticks, and only as written) and
    images left without an address."""
    global _CLEANER
    if _CLEANER is None:
        tags = TAGS - {"input"}
        _CLEANER = nh3.Cleaner(
            tags=tags, clean_content_tags={"script", "style", "template", "textarea", "title", "noscript", "iframe",
                                           "object", "embed", "svg", "math", "xmp", "noembed", "noframes",
                                           "select", "frameset"},
            attributes={tag: ATTRIBUTES.get(tag, set()) | (_EVERYWHERE - {"class"}) for tag in tags},
            allowed_classes=CLASSES, filter_style_properties=STYLE_PROPERTIES, attribute_filter=_keep_attribute,
            url_schemes={"http", "https", "mailto", "data"}, link_rel=None, strip_comments=True)
    # Ammonia writes every tag the same way (<img name="value" ...>, '"' inside values escaped).
    return _IMG.sub(lambda m: m.group() if re.search(r'(?:^| )src="', m.group(1)) else "", _CLEANER.clean(markup))


_IMG = re.compile(r'<img((?: [\w:.-]+(?:="[^"]*")?)*)>')


# -- markdown and HTML, as nbconvert renders them -----------------------------------------------------

def render_markdown(source, attachments=None):
    """The HTML nbconvert makes of a markdown cell in the formgrader and in feedback: its
    ``markdown2html`` (mistune, with math; HTML passes through as written) and ``strip_files_prefix``."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
    from nbconvert.filters.strings import strip_files_prefix

    renderer = IPythonRenderer(escape=False, attachments=dict(attachments or {}), embed_images=False, path="",
                               anchor_link_text="¶", exclude_anchor_links=False)
    return strip_files_prefix(MarkdownWithMath(renderer=renderer).render(source))


# nbconvert's markdown renderer takes time quadratic in some inputs (16,000 '[' take 5 s, 100,000
# take minutes), and it runs here in the grader's own process. So a cell longer than
# MAX_RENDERED_CHARS is never rendered, one rendering may take RENDER_SECONDS and one notebook's
# renderings NOTEBOOK_RENDER_SECONDS in all; a cell that would pass a bound is shown as its text.
# (The time bounds use SIGALRM, so they hold on the main thread, where `autograder grade` runs
# nbgrader's staging; elsewhere only the size bound does.)
MAX_RENDERED_CHARS = 100_000
RENDER_SECONDS = 2.0
NOTEBOOK_RENDER_SECONDS = 20.0
LITERAL_SECONDS = 10.0  # a cell's text as written (linear: 500 kB in 0.1 s)


class RenderTimeout(Exception):
    """A markdown cell took longer to render than it may."""


@contextlib.contextmanager
def _time_limit(seconds):
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum, frame):
        raise RenderTimeout()

    previous = signal.signal(signal.SIGALRM, expired)
    outer = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer[0] > 0:  # someone else's alarm was pending: put it back, less the time spent here
            signal.setitimer(signal.ITIMER_REAL, max(outer[0] - (time.monotonic() - started), 1e-3), outer[1])


class Budget:
    """The rendering time one notebook has left (``NOTEBOOK_RENDER_SECONDS`` to start with)."""

    def __init__(self, seconds=None):
        self.deadline = time.monotonic() + (NOTEBOOK_RENDER_SECONDS if seconds is None else seconds)

    def render(self, source, attachments=None):
        """``render_markdown`` within the bounds; raises ``RenderTimeout`` beyond them."""
        seconds = min(RENDER_SECONDS, self.deadline - time.monotonic())
        if len(source) > MAX_RENDERED_CHARS or seconds <= 0:
            raise RenderTimeout()
        with _time_limit(seconds):
            return render_markdown(source, attachments)


def _one_line(markup):
    """The fragment on one line (newlines as character references): markdown passes an HTML block
    through unchanged only up to the first blank line."""
    return markup.replace("\r", "&#13;").replace("\n", "&#10;")


def _literal(text):
    """``text`` as HTML text on one line, every character but letters, digits and spaces written as
    a character reference: a browser shows it as written, and markdown sees nothing to parse."""
    return re.sub(r"[^\w ]|_", lambda m: f"&#{ord(m.group())};", text)


def note_text(problems):
    """The visible line that says what was taken out (``problems``: short phrases)."""
    shown = ", ".join(problems[:4]) + (f" and {len(problems) - 4} more" if len(problems) > 4 else "")
    return f"{NOTE} removed before display: {shown}. None of it ran in this page."


def _note_html(problems):
    return f'<p><em>{html.escape(note_text(problems))}</em></p>'


# MathJax skips an element of this class and everything in it: formulas show as typed, and no
# MathJax command in them can act. (Students cannot re-enable it: the class "tex2jax_process" is
# not allowed.)
MATH_OFF = '<div class="tex2jax_ignore">'


def _shows_as_written(candidate, mathjax, budget):
    """Does markdown pass ``candidate`` through to an inert page? ``mathjax=False``: only for a
    candidate inside ``MATH_OFF`` that markdown passes through unchanged. ``budget``: the notebook's
    ``Budget``, or None for a literal text (``_literal``), which renders in linear time and gets
    LITERAL_SECONDS of its own."""
    try:
        if budget is None:
            with _time_limit(LITERAL_SECONDS):
                rendered = render_markdown(candidate).strip()
        else:
            rendered = budget.render(candidate).strip()
    except Exception:  # noqa: BLE001 - too slow, or nbconvert could not render it: not shown
        return False
    if mathjax:
        return not html_problems(rendered)
    return candidate.startswith(MATH_OFF) and rendered == candidate and not html_problems(rendered, mathjax=False)


def inert_markdown(source, attachments=None, budget=None):
    """``(source, problems)``: a markdown source whose rendering is inert, and what was wrong with
    the original (``[]``: it is returned unchanged). In order of preference: the original; its
    rendering cleaned; the same with MathJax off; its text as written (MathJax off); a note alone.
    ``budget``: the notebook's ``Budget`` (a fresh one by default)."""
    budget = budget or Budget()
    try:
        rendered = budget.render(source, attachments)
        problems = html_problems(rendered)
    except RenderTimeout:
        rendered, problems = None, ["markdown too long or too slow to render safely (shown as text)"]
    except Exception as exc:  # noqa: BLE001 - mistune on hostile text, a missing attachment
        rendered, problems = None, [f"markdown that could not be rendered ({type(exc).__name__})"]
    if not problems:
        return source, []
    note = _one_line(_note_html(problems))
    candidates = []
    if rendered is not None:
        cleaned = _one_line(clean_html(rendered))
        candidates += [("<div>" + note + cleaned + "</div>", True), (MATH_OFF + note + cleaned + "</div>", False)]
    for candidate, mathjax in candidates:
        if _shows_as_written(candidate, mathjax, budget):
            return candidate, problems
    literal = MATH_OFF + note + "<pre>" + _literal(source) + "</pre></div>"
    if _shows_as_written(literal, False, None):
        return literal, problems
    return html.escape(note_text(problems), quote=False), problems


def inert_html(markup):
    """``(markup or None, problems)``: ``markup`` when it is inert, else its cleaned form (with
    MathJax off when it holds MathJax commands), else ``None`` (drop it)."""
    problems = html_problems(markup)
    if not problems:
        return markup, []
    cleaned = _note_html(problems) + clean_html(markup)
    if not html_problems(cleaned):
        return cleaned, problems
    if not html_problems(cleaned, mathjax=False):
        return MATH_OFF + cleaned + "</div>", problems
    return None, problems


# -- outputs ------------------------------------------------------------------------------------------

_MAGIC = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",)}
_DROPPED = {"application/javascript": "a JavaScript output", "text/javascript": "a JavaScript output",
            "application/vnd.jupyter.widget-view+json": "an interactive widget (it needs JavaScript)",
            "image/svg+xml": "an SVG image (SVG can carry scripts)", "application/pdf": "a PDF",
            "text/html": "HTML that could not be made safe"}


def _text(value):
    """Notebook text (a string or a list of strings), or None when it is neither."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return None


def _image(mime, value):
    """The base64 text of a PNG or JPEG image when it is one, else None."""
    data = _text(value)
    if data is None or not re.fullmatch(r"[A-Za-z0-9+/=\s]*", data):
        return None
    try:
        raw = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if raw.startswith(_MAGIC[mime]) else None


def _image_metadata(metadata):
    """Only the sizes of images, as numbers: nbconvert writes output metadata into the page."""
    kept = {}
    for mime in _MAGIC:
        entry = metadata.get(mime) if isinstance(metadata, dict) else None
        if isinstance(entry, dict):
            sizes = {k: v for k, v in entry.items() if k in ("width", "height") and type(v) is int and 0 < v < 100000}
            if sizes:
                kept[mime] = sizes
    return kept


def _note_output(what):
    return {"output_type": "display_data", "metadata": {}, "data": {"text/plain": note_text(what)}}


def inert_output(output, budget=None):
    """``(outputs, problems)``: the output made inert (a list: the output itself, possibly without
    some of its representations, and a note when one was removed; HTML and markdown that were cleaned
    carry their own note) and what was removed or cleaned."""
    kind = output.get("output_type") if isinstance(output, dict) else None
    if kind == "stream":
        text = _text(output.get("text"))
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        if text is None:
            return [_note_output(["an unreadable output"])], ["an unreadable output"]
        return [{"output_type": "stream", "name": name, "text": text}], []
    if kind == "error":
        fields = [_text(output.get(k)) for k in ("ename", "evalue")]
        trace = output.get("traceback")
        if None in fields or not isinstance(trace, list) or not all(isinstance(t, str) for t in trace):
            return [_note_output(["an unreadable error"])], ["an unreadable error"]
        return [{"output_type": "error", "ename": fields[0], "evalue": fields[1], "traceback": list(trace)}], []
    if kind not in ("display_data", "execute_result") or not isinstance(output.get("data"), dict):
        return [_note_output(["an output of an unknown kind"])], ["an output of an unknown kind"]
    data, removed, cleaned = {}, [], []
    for mime, value in output["data"].items():
        if mime == "text/plain":
            text = _text(value)
            if text is None:
                removed.append("unreadable text")
            else:
                data[mime] = text
        elif mime in _MAGIC:
            image = _image(mime, value)
            if image is None:
                removed.append(f"an image that is not a {mime.split('/')[1].upper()}")
            else:
                data[mime] = image
        elif mime == "text/html" and _text(value) is not None:
            markup, problems = inert_html(_text(value))
            if markup is None:
                removed.append(_DROPPED["text/html"])
            else:
                data[mime] = markup
                cleaned.extend(problems)
        elif mime == "text/markdown" and _text(value) is not None:
            data[mime], problems = inert_markdown(_text(value), budget=budget)
            cleaned.extend(problems)
        elif mime == "text/latex" and _text(value) is not None:
            if _MATHJAX.search(_text(value)):
                removed.append("LaTeX with MathJax commands that could run code")
            else:
                data[mime] = _text(value)
        else:
            removed.append(_DROPPED.get(mime, "a " + re.sub(r"[^\w.+/-]", "?", mime[:60]) + " output"))
    kept = []
    if data:
        clean = {"output_type": kind, "metadata": _image_metadata(output.get("metadata")), "data": data}
        if kind == "execute_result":
            count = output.get("execution_count")
            clean["execution_count"] = count if type(count) is int else None
        kept.append(clean)
    if removed:
        kept.append(_note_output(removed))
    return kept, removed + cleaned


# -- cells and notebooks -----------------------------------------------------------------------------

_NBGRADER_KEYS = {"grade", "grade_id", "locked", "points", "solution", "task", "schema_version", "cell_type",
                  "checksum"}


def _cell_metadata(metadata):
    """nbgrader's fields (all of them but the ones nbgrader's schema does not know, which it would drop
    too: a forged ``comment`` would reach the feedback page), editability, and simple tags."""
    kept = {}
    if not isinstance(metadata, dict):
        return kept
    if isinstance(metadata.get("nbgrader"), dict):
        kept["nbgrader"] = {k: v for k, v in metadata["nbgrader"].items() if k in _NBGRADER_KEYS}
    for key in ("editable", "deletable"):
        if isinstance(metadata.get(key), bool):
            kept[key] = metadata[key]
    tags = metadata.get("tags")
    if isinstance(tags, list):
        kept["tags"] = [t for t in tags if isinstance(t, str) and re.fullmatch(r"[\w-]{1,60}", t)]
    return kept


def _attachments(attachments):
    """PNG and JPEG attachments only (nbconvert puts them into image addresses)."""
    kept = {}
    for name, bundle in (attachments or {}).items() if isinstance(attachments, dict) else ():
        if isinstance(bundle, dict):
            images = {m: _image(m, bundle.get(m)) for m in _MAGIC if m in bundle}
            images = {m: v for m, v in images.items() if v is not None}
            if images:
                kept[name] = images
    return kept


def _fingerprint(cell):
    return json.dumps([cell.get("cell_type"), cell.get("source"), cell.get("attachments") or {}], sort_keys=True)


def instructor_cells(notebook):
    """What ``make_inert`` keeps as it is: the markdown and raw cells of the instructor's notebook."""
    return {_fingerprint(c) for c in notebook.get("cells", []) if c.get("cell_type") in ("markdown", "raw")}


def _notebook_metadata(metadata):
    """What names the kernel and the language, as plain text; the rest goes (widget state above all,
    which makes a page load widget code from the internet)."""
    kept = {}
    for key, required in (("kernelspec", {"name", "display_name"}), ("language_info", {"name"})):
        entry = metadata.get(key) if isinstance(metadata, dict) else None
        fields = {f: v for f, v in (entry.items() if isinstance(entry, dict) else ())
                  if isinstance(v, str) and re.fullmatch(r"[^<>&\"'`\\]{0,100}", v)}
        if required <= set(fields):
            kept[key] = fields
    return kept


def make_inert(notebook, trusted=frozenset()):
    """A copy of ``notebook`` (nbformat 4, as read by nbformat) made inert, and the list of what was
    changed (``"cell 3: a <script> element"``...; empty for a notebook that had nothing to change).

    ``trusted``: ``instructor_cells`` of the instructor's notebook; those cells are kept as they are."""
    import nbformat

    nb = copy.deepcopy(notebook)
    nb["metadata"] = nbformat.from_dict(_notebook_metadata(nb.get("metadata")))
    changes, budget = [], Budget()
    for index, cell in enumerate(nb.get("cells", []), start=1):
        kind = cell.get("cell_type")
        trusted_cell = kind in ("markdown", "raw") and _fingerprint(cell) in trusted
        cell["metadata"] = nbformat.from_dict(_cell_metadata(cell.get("metadata")))
        problems = []
        if trusted_cell:
            pass
        elif kind == "markdown":
            if "attachments" in cell:
                cell["attachments"] = nbformat.from_dict(_attachments(cell["attachments"]))
            cell["source"], problems = inert_markdown(cell.get("source", ""), cell.get("attachments"), budget)
        elif kind == "raw":  # nbconvert puts a raw cell into the page as it is
            cell.pop("attachments", None)
            # nbconvert cleans raw cells with bleach, which shows most tags as text: the note and the
            # text as written, in tags bleach keeps.
            problems = html_problems(cell.get("source", ""))
            if problems:
                cell["source"] = (MATH_OFF + "<div><em>" + html.escape(note_text(problems)) + "</em></div><pre>"
                                  + _literal(cell.get("source", "")) + "</pre></div>")
        elif kind == "code":  # the source stays: nbgrader hashes it, and the page shows it escaped
            outputs = []
            for output in cell.get("outputs", []):
                shown, removed = inert_output(output, budget)
                outputs.extend(nbformat.from_dict(o) for o in shown)
                problems.extend(removed)
            cell["outputs"] = outputs
        changes.extend(f"cell {index}: {problem}" for problem in problems)
    return nb, changes


def write_inert_copy(path, target, instructor=None):
    """Read the notebook ``path``, make it inert (cells identical to those of the instructor's
    notebook ``instructor``, when given and readable, kept as they are) and write it to ``target``.
    Returns what was changed (see ``make_inert``)."""
    import nbformat

    trusted = set()
    if instructor is not None and Path(instructor).is_file():
        trusted = instructor_cells(nbformat.read(str(instructor), as_version=4))
    notebook = nbformat.read(str(path), as_version=4)
    inert, changes = make_inert(notebook, trusted)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    # errors="replace": a lone surrogate (valid in JSON, not in UTF-8) would stop the writing.
    Path(target).write_text(nbformat.writes(inert, version=4), encoding="utf-8", errors="replace")
    return changes
