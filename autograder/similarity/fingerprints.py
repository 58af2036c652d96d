"""Fingerprints of a piece of Python code that survive the disguises a copier uses.

The method is winnowing (Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
fingerprinting", SIGMOD 2003; the algorithm behind MOSS), applied to a normalized token stream:

1. The code, decoded as the interpreter decodes it (``analysis/source.py``: a UTF-7 or Latin-1
   coding line, a byte-order mark; the caller reads the file), is read with Python's own
   tokenizer: comments, blank lines, line breaks inside brackets and indentation width disappear,
   so does formatting.
2. Docstrings and other bare string statements are dropped; every identifier that is not a keyword,
   an attribute name (``.reshape``), a module name such as ``np`` or a builtin becomes ``V``; every
   string literal becomes ``S``. Renaming variables, parameters or helper functions changes nothing.
3. Runs of consecutive simple statements that do not depend on each other (neither reads or writes
   a name another one writes) are put in a fixed order, so reordering them changes nothing.
4. Every k consecutive tokens (a k-gram) is hashed; in every window of w consecutive hashes the
   smallest is kept (the rightmost on ties). Two texts that share a run of at least w + k - 1
   tokens share at least one fingerprint, and the kept hashes do not depend on what surrounds
   the run, so inserted dead code or a split expression only costs the fingerprints near the edit.

Each fingerprint remembers the source lines its k-gram came from, for the side-by-side report.
Code that does not parse is tokenized as it is (steps 1, 2 and 4); code that does not even tokenize
is split into words.
"""
import ast
import builtins
import io
import keyword
import re
import textwrap
import tokenize
import zlib
from dataclasses import dataclass

K = 6   # tokens per k-gram
W = 4   # hashes per winnowing window
KEPT_NAMES = frozenset({"np", "numpy", "math", "self", "cls", "scipy", "plt"}) | frozenset(dir(builtins))
SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
           tokenize.ENDMARKER, tokenize.ENCODING}


@dataclass(frozen=True)
class Token:
    text: str   # the normalized token
    line: int   # 1-based line of the original text


def _raw_tokens(source):
    """(normalized text, line, (start, end) position) of the significant tokens of ``source``."""
    out, previous = [], ""
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in SKIPPED:
            continue
        text = tok.string
        if tok.type == tokenize.NAME and not keyword.iskeyword(text) and previous != "." \
                and text not in KEPT_NAMES:
            text = "V"
        elif tok.type == tokenize.STRING or tok.type in _FSTRING_TYPES:
            text = "S"
        out.append((text, tok.start[0], tok.start, tok.end))
        previous = tok.string
    return out


_FSTRING_TYPES = {getattr(tokenize, name) for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
                  if hasattr(tokenize, name)}


def _names(node, ctx):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def _is_string_statement(node):
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _child_blocks(node):
    return [getattr(node, field) for field in ("body", "orelse", "finalbody")
            if isinstance(getattr(node, field, None), list) and getattr(node, field)
            and isinstance(getattr(node, field)[0], ast.stmt)]


def _span(node):
    return (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)


def _inside(position, span):
    (start, end) = span
    return start <= position < end


class _Ordering:
    """Orders the tokens of a parsed text statement by statement (docstrings dropped, runs of
    independent simple statements sorted)."""

    def __init__(self, tokens):
        self.tokens = tokens

    def of(self, span, holes=()):
        return [t for t in self.tokens if _inside(t[2], span) and not any(_inside(t[2], h) for h in holes)]

    def block(self, statements):
        units = []
        for node in statements:
            if _is_string_statement(node):
                continue
            blocks = _child_blocks(node)
            if isinstance(node, ast.Try) or not blocks:
                units.append((self.of(_span(node)), _names(node, ast.Load), _names(node, ast.Store), not blocks))
                continue
            holes = [(_span(b[0])[0], _span(b[-1])[1]) for b in blocks]
            header = self.of(_span(node), holes)
            inner = [tok for b in blocks for tok in self.block(b)]
            units.append((header + inner, set(), set(), False))
        return [tok for unit in _sorted_runs(units) for tok in unit[0]]


def _sorted_runs(units):
    """``units`` with every run of mutually independent simple statements in a fixed order."""
    result, run = [], []

    def flush():
        run.sort(key=lambda unit: " ".join(t[0] for t in unit[0]))
        result.extend(run)
        run.clear()

    for unit in units:
        _, reads, writes, simple = unit
        if not simple:
            flush()
            result.append(unit)
            continue
        if any(writes & (r | w) or w & reads for _, r, w, _ in run):
            flush()
        run.append(unit)
    flush()
    return result


def normalized_tokens(source):
    """The normalized token stream of ``source`` (a function, a cell, a module) as ``Token``s."""
    source = textwrap.dedent(source)
    try:
        raw = _raw_tokens(source)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [Token(word, line) for line, text in enumerate(source.splitlines(), start=1)
                for word in re.findall(r"\w+|[^\w\s]", text)]
    try:
        tree = ast.parse(source)
    except SyntaxError:
        ordered = raw
    else:
        ordered = _Ordering(raw).block(tree.body)
    return [Token(text, line) for text, line, _, _ in ordered]


@dataclass(frozen=True)
class Fingerprint:
    hash: int
    lines: tuple  # the source lines its k tokens came from, in order


def winnow(tokens, k=K, w=W):
    """The winnowed fingerprints of a token list (fewer than k tokens: none)."""
    if len(tokens) < k:
        return []
    grams = []
    for i in range(len(tokens) - k + 1):
        text = "\x1f".join(t.text for t in tokens[i:i + k])
        grams.append((zlib.crc32(text.encode()), tuple(sorted({t.line for t in tokens[i:i + k]}))))
    if len(grams) <= w:
        low = min(range(len(grams)), key=lambda i: (grams[i][0], -i))
        return [Fingerprint(*grams[low])]
    chosen, last = [], -1
    for start in range(len(grams) - w + 1):
        window = range(start, start + w)
        low = min(window, key=lambda i: (grams[i][0], -i))
        if low != last:
            chosen.append(Fingerprint(*grams[low]))
            last = low
    return chosen
