"""Mutants of the reference solution: one small, realistic change to the code of one solution region.

A mutant is the reference module with exactly one edit inside a ``### BEGIN SOLUTION`` ...
``### END SOLUTION`` region (``stubs.solution_regions``); the rest of the file is left byte for
byte. Each edit is made on the syntax tree (``ast``) and written back into the text only where the
changed node was, so a mutant reads like the reference with one mistake in it. The operators are
the standard ones of mutation testing, with the numpy ones course code needs:

- ``arithmetic``: ``+`` and ``-``, ``*`` and ``/``, ``//`` to ``/``, ``%`` to ``//``, ``**`` to
  ``*``, ``@`` to ``*`` (in ``+=`` and the like too)
- ``comparison``: ``<`` to ``<=`` and to ``>=`` (the boundary and the negation), ``==`` and ``!=``,
  ``in`` and ``not in``, ``is`` and ``is not``
- ``sign``: a unary minus dropped; an assigned or returned value (not a constant) negated
- ``off_by_one``: a slice bound, or a ``range``/``np.arange`` bound, one more and one less
- ``axis``: ``axis=k`` to another axis, or dropped (a reduction over everything)
- ``keepdims``: ``keepdims=True`` dropped, or added to a reduction along an axis
- ``drop_term``: ``a + b`` to ``a`` and to ``b``, ``a - b`` to ``a``, ``a * b`` to either factor,
  ``a / b`` (``//``, ``**``) to ``a``
- ``swap_args``: two neighbouring positional arguments swapped (not the first two of a commutative
  function such as ``np.maximum`` or ``min``: that mutant would be equivalent by construction);
  the operands of ``-``, ``/``, ``//``, ``%``, ``**`` and ``@`` swapped
- ``constant``: a number to 0 and to itself plus one (an int also minus one); ``True`` and
  ``False`` (axis and bounds are the operators above; the ``-1`` a ``reshape`` infers becomes
  ``-0``, not ``-2``: numpy infers any negative size)
- ``augassign``: ``x += e`` (any augmented assignment) to ``x = e``
- ``inplace_input``: an argument of the function written in place: ``x = x - m`` to ``x -= m``,
  ``y = x * 2`` to ``x *= 2; y = x``, ``np.maximum(0, x)`` to ``np.maximum(0, x, out=x)``; a
  ``.copy()`` dropped
- ``transpose``: ``.T`` dropped; ``.T`` added to an operand of ``@``
- ``logical``: ``and`` and ``or``, ``not`` dropped, a condition negated, ``continue`` and ``break``
- ``numpy_swap``: ``sum`` and ``mean``, ``max`` and ``min``, ``argmax`` and ``argmin``, ``maximum``
  and ``minimum``, ``zeros`` and ``ones``, ``floor`` and ``ceil``, ``any`` and ``all``
- ``drop_call``: ``np.sqrt(e)`` (``abs``, ``exp``, ``log``, ``square``...) to ``e``;
  ``e.astype(t)`` to ``e``; ``np.asarray(e, ...)`` to ``e``
- ``drop_statement``: a statement that writes into an array or an attribute, an augmented
  assignment, a call on its own, or a re-assignment, made ``pass``

:func:`module_mutants` returns every mutant of a module, with those not worth grading marked
``skipped``: a text that does not compile, an edit that leaves the syntax tree as it was (swapping
``x * x``), and a module whose byte code is that of the reference or of an earlier mutant (the
compiler folds the difference away). Nothing here runs a mutant.
"""
from __future__ import annotations

import ast
import copy
import hashlib
import types
from dataclasses import dataclass

from .stubs import definitions, solution_regions

__all__ = ["OPERATORS", "Mutant", "module_mutants", "code_fingerprint", "one_line"]

OPERATORS = ("arithmetic", "comparison", "sign", "off_by_one", "axis", "keepdims", "drop_term", "swap_args",
             "constant", "augassign", "inplace_input", "transpose", "logical", "numpy_swap", "drop_call",
             "drop_statement")


@dataclass(frozen=True)
class Mutant:
    """One mutant of a module: ``file`` (its path in the assignment, e.g. ``layers.py``),
    ``function`` (the qualified name of the function around the edit, ``""`` at module level),
    ``line`` (the edit's first line), ``operator``, ``old`` and ``new`` (the edited lines before and
    after, on one line each, comments left out), ``text`` (the whole mutated module) and ``skipped``
    (why it is not graded, ``""`` when it is)."""
    file: str
    function: str
    line: int
    operator: str
    old: str
    new: str
    text: str
    skipped: str = ""

    @property
    def diff(self) -> str:
        """``layers.py:123: dx = dout * (x > 0) -> dx = dout * (x >= 0)``"""
        return f"{self.file}:{self.line}: {self.old} -> {self.new}"


# -- the operators ---------------------------------------------------------------------------------
# Each takes a _Site and yields replacements for its node: a new node, or a list of statements in
# place of a statement. New nodes reuse the original's children (the same objects), so the text of
# an unchanged child is copied from the reference as it was written.

_OPERATORS = {}


def _operator(name):
    def register(fn):
        _OPERATORS[name] = fn
        return fn
    return register


@dataclass
class _Site:
    node: ast.AST
    parent: ast.AST
    field: str
    index: int            # position in the parent's list field, or -1
    function: ast.AST     # the FunctionDef around the node (None at module level)
    params: frozenset     # its parameters' names, without self and cls
    assigned_before: frozenset  # names the function stores on lines before this node's
    grandparent: ast.AST = None


def _same_as(node, **changes):
    new = copy.copy(node)
    for key, value in changes.items():
        setattr(new, key, value)
    return new


def _load(name):
    return ast.Name(id=name, ctx=ast.Load())


def _int(value):
    return ast.Constant(value=value)


def _is_text(node):
    """A string or list operand: ``+`` is concatenation there, not arithmetic."""
    return (isinstance(node, (ast.JoinedStr, ast.List, ast.ListComp, ast.Tuple))
            or (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))))


_ARITHMETIC = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
               ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult, ast.MatMult: ast.Mult}


@_operator("arithmetic")
def _arithmetic(site):
    node = site.node
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC and not (_is_text(node.left) or _is_text(node.right)):
        yield _same_as(node, op=_ARITHMETIC[type(node.op)]())
    elif isinstance(node, ast.AugAssign) and type(node.op) in _ARITHMETIC and not _is_text(node.value):
        yield _same_as(node, op=_ARITHMETIC[type(node.op)]())


_COMPARISON = {ast.Lt: (ast.LtE, ast.GtE), ast.LtE: (ast.Lt, ast.Gt), ast.Gt: (ast.GtE, ast.LtE),
               ast.GtE: (ast.Gt, ast.Lt), ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,), ast.In: (ast.NotIn,),
               ast.NotIn: (ast.In,), ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,)}


@_operator("comparison")
def _comparison(site):
    node = site.node
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            for other in _COMPARISON.get(type(op), ()):
                yield _same_as(node, ops=node.ops[:i] + [other()] + node.ops[i + 1:])


def _numeric_value(node):
    """Could ``node`` be a number or an array (worth negating)?"""
    return not (_is_text(node) or isinstance(node, (ast.Dict, ast.Set, ast.Compare, ast.BoolOp, ast.Lambda,
                                                    ast.DictComp, ast.SetComp, ast.GeneratorExp))
                or (isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool))))


@_operator("sign")
def _sign(site):
    node = site.node
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield node.operand
    elif site.field == "value" and isinstance(site.parent, (ast.Assign, ast.Return)) and _numeric_value(node) \
            and not isinstance(node, ast.Constant) \
            and not (isinstance(site.parent, ast.Assign) and isinstance(site.parent.targets[0], ast.Tuple)):
        yield ast.UnaryOp(op=ast.USub(), operand=node)


def _plus(node, amount):
    """``node`` + ``amount`` (folded when ``node`` is an int)."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return _int(node.value + amount)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) is int:
        return _int(-node.operand.value + amount)
    return ast.BinOp(left=node, op=ast.Add() if amount > 0 else ast.Sub(), right=_int(abs(amount)))


def _call_name(node):
    """``range``, ``arange``, ``sum``...: the name a call's function is known by."""
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _is_bound(site):
    """Is the site's node a bound the off-by-one operator moves (a slice's lower or upper, or a
    range's start or stop)?"""
    parent = site.parent
    if isinstance(parent, ast.Slice):
        return site.field in ("lower", "upper")
    return (isinstance(parent, ast.Call) and site.field == "args" and _call_name(parent) in ("range", "arange")
            and not any(isinstance(a, ast.Starred) for a in parent.args)
            and (site.index == 0 if len(parent.args) == 1 else site.index < 2))


@_operator("off_by_one")
def _off_by_one(site):
    if _is_bound(site):
        yield _plus(site.node, 1)
        yield _plus(site.node, -1)


def _keyword(call, name):
    return next((k for k in call.keywords if k.arg == name), None)


_REDUCTIONS = {"sum", "mean", "max", "min", "prod", "std", "var", "amax", "amin", "nansum", "nanmean", "nanmax",
               "nanmin", "any", "all", "median", "average", "linalg.norm", "norm"}


@_operator("axis")
def _axis(site):
    node = site.node
    if not isinstance(node, ast.Call):
        return
    axis = _keyword(node, "axis")
    if axis is None:
        return
    value = axis.value
    number = None
    if isinstance(value, ast.Constant):
        number = value.value
    elif isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub) and isinstance(value.operand, ast.Constant):
        number = -value.operand.value if type(value.operand.value) is int else None
    if type(number) is int:
        other = 1 if number == 0 else 0 if number in (1, -1) else number - 1
        yield _same_as(node, keywords=[_same_as(k, value=_int(other)) if k is axis else k for k in node.keywords])
    yield _same_as(node, keywords=[k for k in node.keywords if k is not axis])


@_operator("keepdims")
def _keepdims(site):
    node = site.node
    if not isinstance(node, ast.Call):
        return
    keepdims = _keyword(node, "keepdims")
    if keepdims is not None:
        yield _same_as(node, keywords=[k for k in node.keywords if k is not keepdims])
    elif _keyword(node, "axis") is not None and _call_name(node) in _REDUCTIONS:
        yield _same_as(node, keywords=node.keywords + [ast.keyword(arg="keepdims", value=ast.Constant(value=True))])


@_operator("drop_term")
def _drop_term(site):
    node = site.node
    if not isinstance(node, ast.BinOp) or _is_text(node.left) or _is_text(node.right):
        return
    if isinstance(node.op, (ast.Add, ast.Mult)):
        yield node.left
        yield node.right
    elif isinstance(node.op, (ast.Sub, ast.Div, ast.FloorDiv, ast.Pow)):
        yield node.left


_COMMUTATIVE = {"maximum", "minimum", "fmax", "fmin", "add", "multiply", "logical_and", "logical_or", "hypot",
                "array_equal", "allclose", "isclose", "min", "max", "result_type", "promote_types"}


@_operator("swap_args")
def _swap_args(site):
    node = site.node
    if isinstance(node, ast.Call) and not any(isinstance(a, ast.Starred) for a in node.args):
        for i in range(len(node.args) - 1):
            if i == 0 and _call_name(node) in _COMMUTATIVE:
                continue  # np.maximum(a, b) is np.maximum(b, a): an equivalent mutant by construction
            args = list(node.args)
            args[i], args[i + 1] = args[i + 1], args[i]
            yield _same_as(node, args=args)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
                                                              ast.MatMult)) \
            and not (_is_text(node.left) or _is_text(node.right)):
        yield _same_as(node, left=node.right, right=node.left)


@_operator("constant")
def _constant(site):
    node = site.node
    if not isinstance(node, ast.Constant) or _is_bound(site) \
            or (isinstance(site.parent, ast.keyword) and site.parent.arg in ("axis", "keepdims")):
        return  # bounds are the off-by-one operator's, axis=1 the axis operator's
    value = node.value
    if value == 1 and _inferred_size(site):
        yield ast.Constant(value=0)  # not 2: numpy infers any negative size, so -2 is -1
        return
    if isinstance(value, bool):
        yield ast.Constant(value=not value)
    elif isinstance(value, int):
        for other in ([1] if value == 0 else [value + 1, value - 1]):
            yield ast.Constant(value=other)
    elif isinstance(value, float):
        for other in ([1.0] if value == 0.0 else [0.0, value + 1.0]):
            yield ast.Constant(value=other)


def _inferred_size(site):
    """Is the site's node the 1 of a ``-1`` passed to ``reshape`` (the size numpy infers)?"""
    return (isinstance(site.parent, ast.UnaryOp) and isinstance(site.parent.op, ast.USub)
            and isinstance(site.grandparent, ast.Call) and _call_name(site.grandparent) == "reshape"
            and any(a is site.parent for a in site.grandparent.args))


@_operator("augassign")
def _augassign(site):
    node = site.node
    if isinstance(node, ast.AugAssign):
        yield ast.Assign(targets=[node.target], value=node.value, lineno=node.lineno)


_UFUNCS = {"maximum", "minimum", "exp", "log", "sqrt", "abs", "absolute", "add", "subtract", "multiply", "divide",
           "true_divide", "negative", "square", "tanh", "clip", "sign", "floor", "ceil", "power", "expm1", "log1p"}


def _argument(node, site):
    return isinstance(node, ast.Name) and node.id in site.params


@_operator("inplace_input")
def _inplace_input(site):
    node = site.node
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
            and isinstance(node.value, ast.BinOp) and _argument(node.value.left, site) \
            and not isinstance(node.value.op, ast.MatMult):
        argument = node.value.left.id
        inplace = ast.AugAssign(target=ast.Name(id=argument, ctx=ast.Store()), op=node.value.op, value=node.value.right)
        if node.targets[0].id == argument:
            yield inplace
        else:
            yield [inplace, ast.Assign(targets=[node.targets[0]], value=_load(argument), lineno=node.lineno)]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _UFUNCS \
            and isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy") \
            and _keyword(node, "out") is None and not any(isinstance(a, ast.Starred) for a in node.args):
        written = next((a for a in node.args if _argument(a, site)), None)
        if written is not None:
            yield _same_as(node, keywords=node.keywords + [ast.keyword(arg="out", value=_load(written.id))])
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "copy" \
            and not node.args and not node.keywords:
        yield node.func.value


@_operator("transpose")
def _transpose(site):
    node = site.node
    if isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        yield node.value
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        for side in ("left", "right"):
            operand = getattr(node, side)
            if not (isinstance(operand, ast.Attribute) and operand.attr == "T"):
                yield _same_as(node, **{side: ast.Attribute(value=operand, attr="T", ctx=ast.Load())})


@_operator("logical")
def _logical(site):
    node = site.node
    if isinstance(node, ast.BoolOp):
        yield _same_as(node, op=ast.Or() if isinstance(node.op, ast.And) else ast.And())
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield node.operand
    elif site.field == "test" and isinstance(site.parent, (ast.If, ast.While, ast.IfExp)) \
            and not isinstance(node, (ast.Compare, ast.UnaryOp)):
        yield ast.UnaryOp(op=ast.Not(), operand=node)
    elif isinstance(node, ast.Continue):
        yield ast.Break()
    elif isinstance(node, ast.Break):
        yield ast.Continue()


_SWAPS = {"sum": "mean", "mean": "sum", "max": "min", "min": "max", "amax": "amin", "amin": "amax",
          "argmax": "argmin", "argmin": "argmax", "maximum": "minimum", "minimum": "maximum", "zeros": "ones",
          "ones": "zeros", "zeros_like": "ones_like", "ones_like": "zeros_like", "floor": "ceil", "ceil": "floor",
          "any": "all", "all": "any", "nanmax": "nanmin", "nanmin": "nanmax"}
_BUILTIN_SWAPS = {"max": "min", "min": "max", "any": "all", "all": "any"}


@_operator("numpy_swap")
def _numpy_swap(site):
    node = site.node
    if not isinstance(node, ast.Call):
        return
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _SWAPS:
        yield _same_as(node, func=_same_as(func, attr=_SWAPS[func.attr]))
    elif isinstance(func, ast.Name) and func.id in _BUILTIN_SWAPS:
        yield _same_as(node, func=ast.Name(id=_BUILTIN_SWAPS[func.id], ctx=ast.Load()))


_WRAPPERS = {"sqrt", "abs", "absolute", "exp", "log", "log1p", "expm1", "square", "tanh", "sign", "floor", "ceil",
             "round", "ravel"}


@_operator("drop_call")
def _drop_call(site):
    node = site.node
    if not isinstance(node, ast.Call) or not node.args or isinstance(node.args[0], ast.Starred):
        return
    func = node.func
    if not isinstance(func, ast.Attribute):
        return
    on_numpy = isinstance(func.value, ast.Name) and func.value.id in ("np", "numpy")
    if on_numpy and ((func.attr in _WRAPPERS and len(node.args) == 1 and not node.keywords)
                     or func.attr in ("asarray", "array", "ascontiguousarray")):
        yield node.args[0]
    elif func.attr == "astype":
        yield func.value


@_operator("drop_statement")
def _drop_statement(site):
    node = site.node
    if isinstance(site.parent, (ast.Module, ast.Interactive)):
        return  # a module-level statement: dropping it changes what the module defines
    writes_into = isinstance(node, ast.Assign) and all(isinstance(t, (ast.Subscript, ast.Attribute)) for t in node.targets)
    reassigns = isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
        and node.targets[0].id in site.assigned_before
    call = isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
    if writes_into or reassigns or call or isinstance(node, ast.AugAssign):
        yield ast.Pass(lineno=node.lineno)


# -- applying an edit --------------------------------------------------------------------------------

def _sites(tree, regions):
    """(site, function qualname) for every node inside a region, parents first."""
    spans = [(r.begin, r.end) for r in regions]
    functions = {id(node): name for name, node in definitions(tree.body, into_functions=True)
                 if not isinstance(node, ast.ClassDef)}

    def inside(node):
        return any(begin < node.lineno and node.end_lineno < end for begin, end in spans)

    def walk(node, function, qualname, params, stored, above=None):
        for field, value in ast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for index, child in enumerate(children):
                if not isinstance(child, ast.AST):
                    continue
                if isinstance(child, (ast.JoinedStr, ast.expr_context)) or field in ("decorator_list", "returns",
                                                                                       "annotation"):
                    continue  # f-strings' parts have no reliable positions; annotations are not code
                if id(child) in functions:
                    names = child.args.posonlyargs + child.args.args + child.args.kwonlyargs
                    inner = frozenset(a.arg for a in names if a.arg not in ("self", "cls"))
                    yield from walk(child, child, functions[id(child)], inner, _stores(child), node)
                    continue
                if hasattr(child, "lineno") and inside(child) and not _docstring(node, child):
                    before = frozenset(n for n, line in stored if line < child.lineno)
                    yield _Site(child, node, field, index if isinstance(value, list) else -1, function,
                                params, before, above), qualname
                yield from walk(child, function, qualname, params, stored, node)

    yield from walk(tree, None, "", frozenset(), [])


def _stores(function):
    return [(n.id, n.lineno) for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]


def _docstring(parent, child):
    return (isinstance(child, ast.Expr) and isinstance(child.value, ast.Constant) and isinstance(child.value.value, str)
            and getattr(parent, "body", [None])[0] is child)


_ATOMS = (ast.Name, ast.Constant, ast.Attribute, ast.Subscript, ast.Call, ast.keyword, ast.Slice, ast.Starred,
          ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp,
          ast.arg, ast.arguments)


class _Text:
    """The reference module's text, for splicing: byte offsets of lines (``ast`` columns count
    UTF-8 bytes)."""

    def __init__(self, text):
        self.data = text.encode("utf-8")
        self.starts = [0]
        for line in self.data.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.lines = text.splitlines()

    def span(self, node):
        return (self.starts[node.lineno - 1] + node.col_offset, self.starts[node.end_lineno - 1] + node.end_col_offset)

    def segment(self, node):
        if getattr(node, "end_col_offset", None) is None:
            return None
        start, end = self.span(node)
        return self.data[start:end].decode("utf-8")


def _renderings(replacement, originals, source):
    """Texts to try for ``replacement``, best first: its unchanged parts copied from the reference
    as they were written (bare, then each in parentheses), then ``ast.unparse`` of the whole; an
    expression also in parentheses. The first whose parse is the intended tree is used."""
    if isinstance(replacement, list):  # statements in place of one: on one line
        return ["; ".join(_renderings(statement, originals, source)[0] for statement in replacement)]
    if id(replacement) in originals:  # a part of the reference moved up (a + b -> a)
        texts = [source.segment(replacement)]
    else:
        holes = {}

        def build(node):
            if not isinstance(node, ast.AST):
                return node
            if id(node) in originals and not isinstance(node, ast.expr_context) and source.segment(node) is not None:
                key = f"_mutant_part_{len(holes)}_"
                holes[key] = node
                return ast.Name(id=key, ctx=ast.Load())
            new = copy.copy(node)
            for field, value in ast.iter_fields(node):
                setattr(new, field, [build(v) for v in value] if isinstance(value, list) else build(value))
            return new

        template = ast.unparse(build(replacement))
        bare, wrapped = template, template
        for key, node in holes.items():
            text = source.segment(node)
            bare = bare.replace(key, text)
            wrapped = wrapped.replace(key, text if isinstance(node, _ATOMS) else f"({text})")
        texts = [bare, wrapped, ast.unparse(replacement)]
    found = []
    for text in texts:
        for candidate in (text, f"({text})") if isinstance(replacement, ast.expr) else (text,):
            if candidate not in found:
                found.append(candidate)
    return found


def _normal(node):
    """The dump of ``node`` as the parser would give it back from its text (constructed nodes lack
    contexts, and a folded constant such as -1 parses as a minus and 1); None when its text does not
    parse on its own."""
    text = ast.unparse(node)
    try:
        if isinstance(node, ast.expr):
            return ast.dump(ast.parse(text, mode="eval").body)
        body = ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError):
        return None
    return ast.dump(body[0]) if len(body) == 1 else None


def _scope(tree, qualname):
    if not qualname:
        return tree
    return next((node for name, node in definitions(tree.body, into_functions=True) if name == qualname), None)


def code_fingerprint(code) -> str:
    """A digest of a module's byte code, constants and names, recursively, without line numbers:
    two modules with one fingerprint behave alike."""
    digest = hashlib.sha256()

    def visit(c):
        digest.update(c.co_code)
        digest.update(repr((c.co_name, c.co_names, c.co_varnames, c.co_freevars, c.co_cellvars, c.co_argcount,
                            c.co_posonlyargcount, c.co_kwonlyargcount, c.co_flags)).encode())
        digest.update(getattr(c, "co_exceptiontable", b""))
        for const in c.co_consts:
            if isinstance(const, types.CodeType):
                digest.update(b"<code>")
                visit(const)
            else:
                digest.update(repr((type(const).__name__, const)).encode())

    visit(code)
    return digest.hexdigest()


def one_line(lines) -> str:
    """Source lines as one line: comments left out, runs of white space made one space."""
    kept = []
    quote = None  # the open string's delimiter, carried across lines
    for line in lines:
        out, i = [], 0
        while i < len(line):
            if quote:
                if line.startswith(quote, i):
                    out.append(quote)
                    i += len(quote)
                    quote = None
                    continue
                if line[i] == "\\":
                    out.append(line[i:i + 2])
                    i += 2
                    continue
                out.append(line[i])
                i += 1
                continue
            char = line[i]
            if char == "#":
                break
            if char in "'\"":
                quote = char * 3 if line.startswith(char * 3, i) else char
                out.append(quote)
                i += len(quote)
                continue
            out.append(char)
            i += 1
        if quote and len(quote) == 1:
            quote = None  # an unclosed one-quote string ends with its line (a syntax error anyway)
        kept.append("".join(out))
    return " ".join(" ".join(kept).split())


class _Scope:
    """The function around a set of edits (or the whole module): its text on its own, so that a
    mutant is parsed and compiled one function at a time, and the reference's forms to compare."""

    def __init__(self, source, node, qualname):
        self.node, self.qualname = node, qualname
        if isinstance(node, ast.Module):
            self.start, self.end, self.indent = 0, len(source.data), b""
        else:
            self.start = source.starts[node.lineno - 1]
            self.end = source.starts[node.end_lineno] if node.end_lineno < len(source.starts) - 1 else len(source.data)
            self.indent = source.data[self.start:self.start + node.col_offset]
        # line 1 of the scope's own text is this line of the module
        self.first_line = (node.lineno if not isinstance(node, ast.Module) else 1) - (1 if self.indent else 0)
        self.fingerprint = self.compiled(source.data[self.start:self.end])

    def wrapped(self, data):
        """The scope's text as a module of its own: an indented method goes under ``if 1:``, so
        no line (nor a docstring) needs to change."""
        return b"if 1:\n" + data if self.indent else data

    def parse(self, data):
        try:
            tree = ast.parse(self.wrapped(data))
        except (SyntaxError, ValueError):
            return None
        if isinstance(self.node, ast.Module):
            return tree
        body = tree.body[0].body if self.indent else tree.body
        return body[0] if len(tree.body) == 1 and len(body) == 1 else None

    def compiled(self, data):
        """The fingerprint of the scope's byte code; raises SyntaxError when it does not compile."""
        return code_fingerprint(compile(self.wrapped(data), "<mutant>", "exec"))


def module_mutants(text: str, file: str, operators=OPERATORS) -> list:
    """Every mutant of the solution regions of the module ``text`` (its path ``file`` in the
    assignment, for messages), in the order of the edits in the file; see the module docstring.
    Unbalanced region markers raise ``stubs.ReleaseError``."""
    regions = solution_regions(text, file)
    if not regions:
        return []
    tree = ast.parse(text)
    source = _Text(text)
    originals = {id(node) for node in ast.walk(tree)}
    scopes = {}
    found = []
    for site, qualname in list(_sites(tree, regions)):
        if qualname not in scopes:
            scope = _Scope(source, _scope(tree, qualname), qualname)
            scopes[qualname] = (scope, {scope.fingerprint: ""})
        scope, seen = scopes[qualname]
        for name in operators:
            for replacement in _OPERATORS[name](site):
                mutant = _apply(site, replacement, scope, file, name, source, originals)
                if not mutant.skipped:
                    try:
                        key = scope.compiled(_scope_text(mutant, scope, source))
                    except (SyntaxError, ValueError) as exc:
                        mutant = _skip(mutant, f"does not compile ({type(exc).__name__})")
                    else:
                        if key in seen:
                            first = seen[key]
                            mutant = _skip(mutant, f"same byte code as {first or 'the reference'}")
                        else:
                            seen[key] = mutant.diff
                found.append(mutant)
    found.sort(key=lambda m: m.line)
    return found


def _scope_text(mutant, scope, source):
    """The mutated scope's bytes, cut from the mutant's text (the scope starts where it did)."""
    data = mutant.text.encode("utf-8")
    tail = len(source.data) - scope.end  # the bytes after the scope are the reference's
    return data[scope.start:len(data) - tail]


def _skip(mutant, why):
    return Mutant(mutant.file, mutant.function, mutant.line, mutant.operator, mutant.old, mutant.new, mutant.text, why)


def _apply(site, replacement, scope, file, operator, source, originals):
    """The mutant that puts ``replacement`` in ``site``'s place (skipped, with the reason, when
    that changes nothing or no text gives exactly that change)."""
    node = site.node
    statements = replacement if isinstance(replacement, list) else [replacement]
    intended = [_normal(s) for s in statements]
    start, end = source.span(node)
    first = node.lineno - 1
    before = source.data[source.starts[first]:start].decode("utf-8")
    line_end = source.starts[node.end_lineno] if node.end_lineno < len(source.starts) - 1 else len(source.data)
    after = source.data[end:line_end].decode("utf-8").rstrip("\r\n")
    old = one_line(source.lines[first:node.end_lineno])
    renderings = _renderings(replacement, originals, source)
    if intended == [ast.dump(node)] or (intended == [None] and ast.unparse(replacement) == ast.unparse(node)):
        return Mutant(file, scope.qualname, node.lineno, operator, old, old, source.data.decode("utf-8"),
                      "syntactically identical")
    if None not in intended:
        for rendering in renderings:
            encoded = rendering.encode("utf-8")
            parsed = scope.parse(source.data[scope.start:start] + encoded + source.data[end:scope.end])
            if parsed is None or not _holds(parsed, node.lineno - scope.first_line + 1, node.col_offset, encoded,
                                            intended):
                continue
            mutated = (source.data[:start] + encoded + source.data[end:]).decode("utf-8")
            return Mutant(file, scope.qualname, node.lineno, operator, old,
                          one_line((before + rendering + after).splitlines()), mutated)
    new = one_line((before + renderings[0] + after).splitlines())
    return Mutant(file, scope.qualname, node.lineno, operator, old, new, source.data.decode("utf-8"),
                  "cannot be written as text")


def _holds(tree, line, column, text, intended):
    """Whether ``tree`` has, from ``line``:``column`` on, nodes spanning exactly ``text`` whose
    dumps are ``intended`` (one expression, or statements one after the other): then the text put
    there parses as the intended change and nothing around it changed its meaning."""
    if len(intended) == 1:
        last_line = line + text.count(b"\n")
        last_column = len(text.rsplit(b"\n", 1)[-1]) + (column if b"\n" not in text else 0)
        # A node's span leaves out parentheses around it.
        spans = {(column, last_column)} | ({(column + 1, last_column - 1)} if text[:1] == b"(" else set())
        return any(getattr(n, "lineno", None) == line and n.end_lineno == last_line
                   and (n.col_offset, n.end_col_offset) in spans and ast.dump(n) == intended[0] for n in ast.walk(tree))
    here = sorted((n for n in ast.walk(tree) if isinstance(n, ast.stmt) and n.lineno == line and n.col_offset >= column),
                  key=lambda n: n.col_offset)
    return [ast.dump(n) for n in here[:len(intended)]] == intended and here[len(intended) - 1].end_col_offset == \
        column + len(text) if len(here) >= len(intended) else False
