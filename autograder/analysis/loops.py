"""Static loop analysis of a student's graded function (trusted: it reads text, never runs it).

"Uses no loops" is judged on the source: loops and comprehensions in the function and in every
function of the submission it refers to (transitively, across the modules it imports), with
recursion counted as a loop. Reading the text of one ``def`` proves nothing, though, if the name
that the grader calls is bound to something else at run time: an assignment after the class, an
instance attribute set in ``train``, ``setattr``, ``globals()``, a decorator, a metaclass... So the
analysis also reads every module the graded function's module imports (the grader runs such tests
in a fresh child process, where nothing else has been imported) and refuses to vouch for a
function whose name is rebound, or whose modules use the dynamic features that could rebind it
unseen. Such a function gets a failed loop test with the reason; its other tests are unaffected.

The files are read as Python reads them (``source.py``: coding cookies, byte-order marks), and a
module the analysis cannot read (undecodable, too large, nested too deeply for the parser's
recursion, or past the submission's budget of parsed bytes) is a reason to refuse, never a file
to skip: the memory and time the analysis spends on one submission stay bounded.

Loops in all but syntax count too: a call that runs a Python function per element (``map``,
``np.vectorize``...), any function of the submission or lambda handed on as a value (to a
vectorizing API, a ``key=``, a list or dict or attribute it is later called from: recursion
through data), and a nested function that calls itself or its siblings.
"""
import ast
import posixpath
from dataclasses import dataclass, field

from .source import Unreadable

# Parsed source the analysis keeps for one submission, at most: with the parser's 0.5 KB per byte
# of the worst code (``source.py``), under 0.2 GB of a worker's memory for the loop checks.
MAX_PARSED_BYTES = 384 << 10

LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# Calls that run a Python function once per element: loops in all but syntax.
LOOPING_CALLS = {"map", "filter", "apply_along_axis", "apply_over_axes", "vectorize", "frompyfunc", "fromiter"}
# The same, but only from functools/itertools: numpy's ufunc .reduce and .accumulate are vectorized.
LOOPING_TOOLS = {"reduce", "accumulate", "starmap"}

# Names whose use lets code bind attributes or names the analysis cannot see.
DYNAMIC_NAMES = {"setattr", "delattr", "exec", "eval", "compile", "globals", "vars", "locals", "__import__",
                 "__builtins__", "__loader__", "__spec__", "breakpoint"}
DYNAMIC_ATTRIBUTES = {"__dict__", "__code__", "__class__", "__globals__", "__builtins__", "__setattr__",
                      "__delattr__", "__getattribute__", "__closure__", "__func__", "__wrapped__",
                      "__defaults__", "__kwdefaults__", "__bases__", "__mro__", "__subclasses__",
                      "__loader__", "__spec__", "f_globals", "f_locals", "f_back", "f_builtins", "gi_frame",
                      "tb_frame", "cr_frame", "modules", "_getframe", "exec_module", "load_module", "reload"}
DYNAMIC_MODULES = {"builtins", "importlib", "ctypes", "gc", "inspect", "pickle", "marshal", "copyreg", "dill",
                   "cloudpickle", "joblib", "shelve", "code", "codeop", "runpy"}
# Special methods that change what a lookup or a constructor returns.
DYNAMIC_METHODS = {"__getattribute__", "__new__", "__init_subclass__", "__set_name__", "__prepare__"}
PLAIN_DECORATORS = {"staticmethod", "classmethod"}


@dataclass
class LoopReport:
    """``loops``: loops, comprehensions, looping calls and recursions found, or None when the
    function has no plain ``def``; ``forged``: why the ``def`` read may not be what runs, each with
    its file and line (empty when nothing rebinds it); ``unreadable``: (file, reason) of the modules
    that would run with it but cannot be read as Python reads them (then nothing is vouched for)."""
    loops: int = None
    forged: list = field(default_factory=list)
    unreadable: list = field(default_factory=list)


def module_file(files, dotted):
    """The file of module ``dotted`` among ``files`` ({relative path: text}), or None."""
    base = dotted.replace(".", "/")
    for candidate in (f"{base}.py", f"{base}/__init__.py"):
        if candidate in files:
            return candidate
    return None


def _package_inits(files, path):
    """The ``__init__.py`` files Python runs before importing the module in ``path``."""
    parts = path.split("/")[:-1]
    found = []
    for depth in range(1, len(parts) + 1):
        init = "/".join(parts[:depth]) + "/__init__.py"
        if init in files and init != path:
            found.append(init)
    return found


def _imported_files(files, path, tree):
    """{alias: (file, name or None)} for the imports in ``tree`` that name submission modules, and
    the set of every submission file those imports load."""
    package = path.split("/")[:-1]  # a module's package; for an __init__.py, its own
    aliases, loaded = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                for depth in range(1, len(parts) + 1):
                    found = module_file(files, ".".join(parts[:depth]))
                    if found:
                        loaded.add(found)
                found = module_file(files, alias.name)
                if found:
                    aliases[alias.asname or parts[0]] = (found if alias.asname else
                                                         module_file(files, parts[0]) or found, None)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            base_file = module_file(files, base) if base else None
            if base_file:
                loaded.add(base_file)
            for alias in node.names:
                sub = module_file(files, f"{base}.{alias.name}" if base else alias.name)
                if sub:
                    loaded.add(sub)
                    aliases[alias.asname or alias.name] = (sub, None)
                elif base_file:
                    aliases[alias.asname or alias.name] = (base_file, alias.name)
    return aliases, loaded


class _Module:
    """One parsed file: its top-level functions, assignments and classes, and its imports."""

    def __init__(self, files, path):
        self.path = path
        self.tree = ast.parse(files[path])
        self.functions, self.classes = {}, {}
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                (self.classes if isinstance(node, ast.ClassDef) else self.functions)[node.name] = node
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                    if isinstance(target, ast.Name):
                        self.functions.setdefault(target.id, node.value)  # e.g. helper = lambda ...
        self.methods = {}
        for cls in self.classes.values():
            for item in cls.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.methods[f"{cls.name}.{item.name}"] = item
        self.aliases, self.loaded = _imported_files(files, path, self.tree)


class Submission:
    """The ``.py`` files of one submission ({relative posix path: text}), each parsed at most once
    however many analyses read it. ``unreadable`` ({path: reason}) lists files that are there but
    could not be read as Python reads them; they count as modules, so an import of one is seen."""

    def __init__(self, files, unreadable=None, budget=None):
        self.unreadable = dict(unreadable or {})
        self.files = dict(files)
        for path in self.unreadable:
            self.files.setdefault(path, "")
        self._parsed = {}
        self._budget = MAX_PARSED_BYTES if budget is None else budget

    def module(self, path):
        """The parsed file; None when Python could not compile it either (a syntax error: it never
        runs); an ``Unreadable`` when the analysis cannot read what Python would run."""
        if path not in self._parsed:
            self._parsed[path] = self._parse(path)
        return self._parsed[path]

    def _parse(self, path):
        if path in self.unreadable:
            return Unreadable(self.unreadable[path])
        size = len(self.files[path].encode("utf-8", "surrogatepass"))
        if size > self._budget:
            return Unreadable("the submission's modules are too large together to analyse")
        self._budget -= size
        try:
            return _Module(self.files, path)
        except (SyntaxError, ValueError):
            return None  # the interpreter's own parser refuses it too: it never runs
        except (RecursionError, MemoryError):
            return Unreadable("it is nested too deeply to analyse")


def _as_submission(files):
    return files if isinstance(files, Submission) else Submission(files)


def _closure(submission, start):
    """{path: parsed module} of every submission file that importing ``start`` runs: its
    packages' ``__init__`` files and, transitively, what they import."""
    files = submission.files
    todo, seen = [start] + _package_inits(files, start), {}
    while todo:
        path = todo.pop()
        if path in seen or path not in files:
            continue
        seen[path] = submission.module(path)
        if isinstance(seen[path], _Module):
            for loaded in seen[path].loaded:
                todo += [loaded] + _package_inits(files, loaded)
    return seen


def closure_files(files, start):
    """The set of submission files that importing ``start`` runs (see ``_closure``)."""
    return set(_closure(_as_submission(files), start))


def _bound_names(node):
    """Names a statement binds in the scope it belongs to."""
    names = []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.append(node.name)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        names += [(a.asname or a.name).split(".")[0] for a in node.names]
    elif isinstance(node, ast.Global):
        names += node.names
    targets = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
    elif isinstance(node, ast.Delete):
        targets = list(node.targets)
    while targets:
        target = targets.pop()
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            targets += target.elts
        elif isinstance(target, ast.Starred):
            targets.append(target.value)
    return names


def _scope_statements(body):
    """Statements of one scope, descending into if/try/with/for blocks but not into new scopes."""
    for node in body:
        yield node
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(node, name, None)
            if isinstance(inner, list) and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                  ast.ClassDef)):
                yield from _scope_statements(inner)
        for handler in getattr(node, "handlers", []):
            yield from _scope_statements(handler.body)


def _forgeries(modules, target_path, qualname):
    """(reason, file, line) for everything that could make the called object differ from the def."""
    found = []
    module = modules[target_path]
    owner, name = (qualname.split(".", 1) if "." in qualname else (None, qualname))
    graded_def = module.methods.get(qualname) if owner else module.functions.get(name)
    graded_class = module.classes.get(owner) if owner else None
    protected = {name} | ({owner} if owner else set())

    def add(reason, path, node):
        found.append((reason, path, getattr(node, "lineno", 0)))

    # The graded names are bound once, by their own statements, in the scopes the grader looks in.
    for node in _scope_statements(module.tree.body):
        for bound in _bound_names(node):
            if bound in protected and node is not graded_def and node is not graded_class:
                add(f"`{bound}` is bound again at module level", target_path, node)
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            add("`import *` may rebind any name", target_path, node)
    if graded_class is not None:
        for node in _scope_statements(graded_class.body):
            for bound in _bound_names(node):
                if bound == name and node is not graded_def:
                    add(f"`{name}` is bound again in class {owner}", target_path, node)
        if graded_class.decorator_list or graded_class.keywords:
            add(f"class {owner} has a decorator or a metaclass", target_path, graded_class)
    if graded_def is not None and any(not (isinstance(d, ast.Name) and d.id in PLAIN_DECORATORS)
                                      for d in getattr(graded_def, "decorator_list", [])):
        add(f"`{name}` has a decorator, which may replace it", target_path, graded_def)

    for path, parsed in modules.items():
        if not isinstance(parsed, _Module):
            continue
        for node in ast.walk(parsed.tree):
            if isinstance(node, ast.Attribute):
                if node.attr in protected and isinstance(node.ctx, (ast.Store, ast.Del)):
                    add(f"attribute `{node.attr}` is assigned", path, node)
                elif node.attr in DYNAMIC_ATTRIBUTES or node.attr in DYNAMIC_METHODS:
                    add(f"`.{node.attr}` reaches into objects at run time", path, node)
            elif isinstance(node, ast.Name) and node.id in DYNAMIC_NAMES:
                add(f"`{node.id}` can bind names at run time", path, node)
            elif isinstance(node, ast.Name) and node.id in DYNAMIC_METHODS and isinstance(node.ctx, ast.Store):
                add(f"`{node.id}` is assigned", path, node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in DYNAMIC_METHODS:
                add(f"`{node.name}` changes what lookups or constructors return", path, node)
            elif isinstance(node, ast.ClassDef) and node.keywords:
                add(f"class {node.name} has a metaclass", path, node)
            elif isinstance(node, ast.Call):
                callee = node.func
                called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
                if called == "getattr" and (len(node.args) < 2 or not isinstance(node.args[1], ast.Constant)
                                            or str(node.args[1].value).startswith("__")):
                    add("`getattr` with a computed or special name", path, node)
                if any(k.arg == "allow_pickle" for k in node.keywords):
                    add("`allow_pickle` loads objects that can run code", path, node)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for imported in names:
                    if imported.split(".")[0] in DYNAMIC_MODULES:
                        add(f"module `{imported}` can rebind names at run time", path, node)
    return found


def _references(node, module, all_methods):
    """(file, key) of every submission function the code under ``node`` refers to."""
    refs = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
            if sub.id in module.functions:
                refs.append((module.path, sub.id))
            elif sub.id in module.classes:
                refs += [(module.path, f"{sub.id}.__init__"), (module.path, f"{sub.id}.__call__")]
            elif sub.id in module.aliases:
                path, name = module.aliases[sub.id]
                if name is not None:
                    refs.append((path, name))
        elif isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Load):
            value = sub.value
            if isinstance(value, ast.Name) and value.id in module.aliases and module.aliases[value.id][1] is None:
                refs.append((module.aliases[value.id][0], sub.attr))
            refs += all_methods.get(sub.attr, [])
    return refs


def _count_loops(modules, start):
    """Loops in the body at ``start`` and in everything it refers to; a cycle counts as a loop, and
    so does each of those functions that is handed on as a value anywhere in the modules (stored in
    a list, a dict or an attribute, passed to another call: whatever holds it may call it back,
    once per element or recursively)."""
    all_methods = {}
    for path, parsed in modules.items():
        for key in (parsed.methods if isinstance(parsed, _Module) else {}):
            all_methods.setdefault(key.split(".", 1)[1], []).append((path, key))

    def body(ref):
        """The function (or assigned expression) a reference names; a class's methods are reached
        by their own names."""
        parsed = modules.get(ref[0])
        if not isinstance(parsed, _Module):
            return None
        return parsed.methods.get(ref[1]) or parsed.functions.get(ref[1])

    loops, done = 0, set()
    covered = _looping_call_arguments(modules)

    # Depth-first over references: each body is counted once; an edge back into the current trail
    # is a recursion (a loop by another name).
    def visit(ref, trail):
        nonlocal loops
        if ref in trail:
            loops += 1
            return
        if ref in done:
            return
        done.add(ref)
        node = body(ref)
        if node is None:
            return
        loops += _loops_in(node, covered)
        for nxt in _references(node, modules[ref[0]], all_methods):
            visit(nxt, trail | {ref})

    visit(start, frozenset())
    return loops + len(_handed_on(modules, done, all_methods, covered))


def _looping_call_arguments(modules):
    """ids of the arguments of looping calls (``map(f, X)``, ``np.vectorize(f)``) in ``modules``:
    the call is counted as the loop, the function it runs is its body, not a second loop."""
    covered = set()
    for parsed in modules.values():
        if not isinstance(parsed, _Module):
            continue
        for sub in ast.walk(parsed.tree):
            if isinstance(sub, ast.Call) and _is_looping_call(sub):
                covered.update(id(a) for a in sub.args + [k.value for k in sub.keywords])
    return covered


def _is_looping_call(call):
    callee = call.func
    called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
    from_tools = isinstance(callee, ast.Name) or (
        isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name)
        and callee.value.id in ("functools", "itertools"))
    return called in LOOPING_CALLS or (called in LOOPING_TOOLS and from_tools)


def _loops_in(node, covered):
    """Loops in one body, its nested functions included: loop statements and comprehensions,
    looping calls, lambdas and nested functions handed on as values (whatever receives one may call
    it per element), and nested functions that call themselves or each other in a cycle."""
    loops = 0
    callees = {id(sub.func) for sub in ast.walk(node) if isinstance(sub, ast.Call)}
    nested = _local_functions(node)
    for sub in ast.walk(node):
        if isinstance(sub, LOOPS):
            loops += 1
        elif isinstance(sub, ast.Call) and _is_looping_call(sub):
            loops += 1
        elif sub is node or id(sub) in covered or id(sub) in callees:
            continue
        elif isinstance(sub, ast.Lambda) and id(sub) not in nested["lambdas"]:
            loops += 1
        elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id in nested["bodies"]:
            loops += 1
    return loops + _cycles(nested["bodies"])


def _local_functions(node):
    """The functions defined inside ``node``: {"bodies": {name: node}, "lambdas": ids of lambdas
    bound to a plain local name (``f = lambda ...``), which are functions like a nested def}."""
    bodies, lambdas = {}, set()
    for sub in ast.walk(node):
        if sub is node:
            continue
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bodies[sub.name] = sub
        elif (isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Lambda) and len(sub.targets) == 1
              and isinstance(sub.targets[0], ast.Name)):
            bodies[sub.targets[0].id] = sub.value
            lambdas.add(id(sub.value))
    return {"bodies": bodies, "lambdas": lambdas}


def _cycles(bodies):
    """How many of the local functions ``bodies`` ({name: node}) can reach themselves through
    calls by name (a recursion inside the graded code)."""
    edges = {name: {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and n.id in bodies}
             for name, fn in bodies.items()}

    def reaches(start):
        todo, seen = list(edges[start]), set()
        while todo:
            name = todo.pop()
            if name == start:
                return True
            if name not in seen:
                seen.add(name)
                todo += edges[name]
        return False

    return sum(reaches(name) for name in bodies)


def _handed_on(modules, visited, all_methods, covered):
    """The functions among ``visited`` ((file, key) references) that some code of ``modules`` reads
    as a value rather than calling it: a Name or an attribute (``self.f``, ``Class.f``,
    ``module.f``) that is not the callee of a call, nor an argument of a looping call."""
    found = set()
    for path, parsed in modules.items():
        if not isinstance(parsed, _Module):
            continue
        callees = {id(sub.func) for sub in ast.walk(parsed.tree) if isinstance(sub, ast.Call)}
        for sub in ast.walk(parsed.tree):
            if (isinstance(sub, (ast.Name, ast.Attribute)) and isinstance(sub.ctx, ast.Load)
                    and id(sub) not in callees and id(sub) not in covered):
                found.update(ref for ref in _function_refs(sub, parsed, modules, all_methods) if ref in visited)
    return found


def _function_refs(node, module, modules, all_methods):
    """The (file, key) of the submission functions a Name or Attribute may name."""
    def defined(path, name):
        target = modules.get(path)
        value = target.functions.get(name) if isinstance(target, _Module) else None
        return [(path, name)] if isinstance(value, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else []

    if isinstance(node, ast.Name):
        if node.id in module.functions:
            return defined(module.path, node.id)
        path, name = module.aliases.get(node.id, (None, None))
        return defined(path, name) if name is not None else []
    value = node.value
    if isinstance(value, ast.Name) and value.id in module.aliases and module.aliases[value.id][1] is None:
        return defined(module.aliases[value.id][0], node.attr)
    return all_methods.get(node.attr, [])


def analyze(files, path, qualname, also_loaded=()):
    """``LoopReport`` for ``qualname`` ('func' or 'Class.method') defined in ``files[path]``.

    ``files``: {relative posix path: source text} of every .py file of the submission, or a
    ``Submission`` made from it (which keeps the parsed files for the next analysis).
    ``also_loaded``: other modules that ran in the same process; they and their imports are
    searched for rebindings too.
    """
    submission = _as_submission(files)
    path = posixpath.normpath(path)
    if path not in submission.files:
        return LoopReport()
    modules = _closure(submission, path)
    for other in also_loaded:
        for extra, parsed in _closure(submission, other).items():
            modules.setdefault(extra, parsed)
    unreadable = [(where, str(reason)) for where, reason in modules.items() if isinstance(reason, Unreadable)]
    if unreadable:
        return LoopReport(0, [], unreadable)
    module = modules.get(path)
    if module is None:
        return LoopReport()
    found = module.methods.get(qualname) if "." in qualname else module.functions.get(qualname)
    if not isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return LoopReport()
    forged = _forgeries(modules, path, qualname)
    return LoopReport(_count_loops(modules, (path, qualname)),
                      [f"{reason} ({where}:{line})" for reason, where, line in forged])
