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
"""
import ast
import posixpath
from dataclasses import dataclass, field

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
    its file and line (empty when nothing rebinds it)."""
    loops: int = None
    forged: list = field(default_factory=list)


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
    however many analyses read it."""

    def __init__(self, files):
        self.files = files
        self._parsed = {}

    def module(self, path):
        """The parsed file, or None when it does not parse."""
        if path not in self._parsed:
            try:
                self._parsed[path] = _Module(self.files, path)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._parsed[path] = None
        return self._parsed[path]


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
        if seen[path] is not None:
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
        if parsed is None:
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
    """Loops in the body at ``start`` and in everything it refers to; a cycle counts as a loop."""
    all_methods = {}
    for path, parsed in modules.items():
        for key in (parsed.methods if parsed else {}):
            all_methods.setdefault(key.split(".", 1)[1], []).append((path, key))

    def body(ref):
        """The function (or assigned expression) a reference names; a class's methods are reached
        by their own names."""
        parsed = modules.get(ref[0])
        if parsed is None:
            return None
        return parsed.methods.get(ref[1]) or parsed.functions.get(ref[1])

    loops, done = 0, set()

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
        for sub in ast.walk(node):
            if isinstance(sub, LOOPS):
                loops += 1
            elif isinstance(sub, ast.Call):
                callee = sub.func
                called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
                from_tools = isinstance(callee, ast.Name) or (
                    isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name)
                    and callee.value.id in ("functools", "itertools"))
                if called in LOOPING_CALLS or (called in LOOPING_TOOLS and from_tools):
                    loops += 1
        for nxt in _references(node, modules[ref[0]], all_methods):
            visit(nxt, trail | {ref})

    visit(start, frozenset())
    return loops


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
    module = modules.get(path)
    if module is None:
        return LoopReport()
    found = module.methods.get(qualname) if "." in qualname else module.functions.get(qualname)
    if not isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return LoopReport()
    forged = _forgeries(modules, path, qualname)
    return LoopReport(_count_loops(modules, (path, qualname)),
                      [f"{reason} ({where}:{line})" for reason, where, line in forged])
