"""Unfinished work in a notebook: one short message per function still to write, and Run All goes on.

Each notebook's setup cell calls :func:`watch_unfinished_work`. From then on, in that kernel:

* a released stub's ``NotImplementedError("KNearestNeighbor.predict is not written yet: write it
  in classifiers/k_nearest_neighbor.py")`` shows as that one line (no traceback), the first time
  the function is reached; later it shows as "finish ... first";
* a cell that reads a variable which a cell stopped by unfinished work should have made is not run
  at all: it says which function to finish first, instead of a ``NameError`` or a confusing error
  about a half-made value;
* cells stopped this way, and self-checks that fail (``autograder.student.selfcheck``), do not stop Run
  All, so one run lists everything that is still to do. Any other error stops Run All, as usual;
  the cells that need what that cell should have made then say so instead of failing on their own.

The error stays in the cell's output, so nbgrader's Validate and anyone reading the notebook still
see it; only the kernel's "stop the queue" signal is withheld.
"""
import ast
import re

__all__ = ["watch_unfinished_work", "FinishFirst"]

#: The message of a released stub (``autograder.authoring.release.stub_raise``).
STUB_MESSAGE = re.compile(r"^(?P<what>.+?) is not written yet: write it in (?P<where>this cell|\S+)$")


class FinishFirst(RuntimeError):
    """A cell was not run: a variable it reads comes from a cell that could not finish.
    ``what``: what must be finished (or fixed) first."""

    def __init__(self, message, what=""):
        super().__init__(message)
        self.what = what


def stub_parts(error):
    """(what, where) of a released stub's NotImplementedError, else None."""
    if type(error) is not NotImplementedError or len(error.args) != 1:
        return None
    match = STUB_MESSAGE.match(str(error.args[0]))
    return (match["what"], match["where"]) if match else None


def _top_level_nodes(tree):
    """Every node that runs when the cell runs: function and lambda bodies run later, and
    comprehension variables are their own."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                yield child  # its name (and decorators, defaults) belong to the cell, not its body
                stack.extend(child.decorator_list if not isinstance(child, ast.Lambda) else [])
                continue
            stack.append(child)


def names_made(tree):
    """Names a cell binds in the notebook's namespace."""
    made = set()
    for node in _top_level_nodes(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            made.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            made.add(node.name)
        elif isinstance(node, ast.alias):
            made.add((node.asname or node.name).split(".")[0])
    return made


def names_read(tree):
    """Names a cell reads while it runs: at its top level, and inside the functions it defines and
    also calls (a function only defined here reads its globals later, when it is called)."""
    def loads(nodes):
        return {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}

    read = loads(_top_level_nodes(tree))
    defined = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for name in defined.keys() & read:
        function = defined[name]
        own = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
        own |= {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        read |= loads(ast.walk(function)) - own
    return read


def names_defined(tree):
    """Names the cell binds with a def, a class or an import: whole as soon as they exist."""
    found = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return found


def _missing_name(error):
    """The name of a NameError (``name 'dists' is not defined``), else None."""
    if type(error) is not NameError:
        return None
    name = getattr(error, "name", None)
    if name is None:
        match = re.search(r"name '(\w+)' is not defined", str(error))
        name = match[1] if match else None
    return name


class _Watcher(ast.NodeTransformer):
    """The kernel-side state. IPython calls :meth:`visit` on every cell's syntax tree before it
    runs (an AST transformer), and :meth:`after_cell` after it ran."""

    def __init__(self, shell):
        self.shell = shell
        self.waiting = {}      # variable -> what must be finished before it exists
        self.reported = set()  # functions whose stub message was shown in full
        self.made = set()      # names the running cell binds
        self.defined = set()   # those of them bound by a def, class or import

    # -- before a cell runs ---------------------------------------------------------------------
    def visit(self, tree):
        if not isinstance(tree, ast.Module):
            return tree
        self.made = names_made(tree)
        self.defined = names_defined(tree)
        # A name the cell makes itself (k_to_accuracies = {} ... k_to_accuracies[k] = ...) is
        # not a missing input.
        order = list(self.waiting)  # the earliest unfinished work is the one to name
        missing = sorted((n for n in names_read(tree) - self.made if n in self.waiting), key=order.index)
        if not missing:
            return tree
        what = self.waiting[missing[0]]
        needs = " and ".join(f"`{n}`" for n in missing[:2]) + (" (and more)" if len(missing) > 2 else "")
        if what.startswith("the error"):
            message = f"fix {what} first: this cell needs {needs}, which that cell did not make"
        else:
            message = f"finish {what} first: this cell needs {needs}, which a cell above could not make without it"
        skip = ast.parse(f"raise __import__({__name__!r}, fromlist=['FinishFirst'])"
                         f".FinishFirst({message!r}, {what!r})")
        return ast.copy_location(skip, tree)

    # -- after it ran ---------------------------------------------------------------------------
    def after_cell(self, result):
        error = result.error_in_exec
        made, self.made = self.made, set()
        if error is not None:
            # A function, class or import the cell got to before it stopped is whole.
            made -= {n for n in self.defined if n in self.shell.user_ns}
        if error is None:
            for name in made:
                self.waiting.pop(name, None)
            return
        parts = stub_parts(error)
        if parts is not None:
            what = parts[0] if parts[1] == "this cell" else f"{parts[0]} in {parts[1]}"
        elif isinstance(error, FinishFirst):
            what = error.what
        elif _missing_name(error) in self.waiting:
            # Read through a function defined in an earlier cell, so the check before the cell
            # could not see it.
            what = self.waiting[_missing_name(error)]
        else:
            what = f"the error above ({type(error).__name__})"
        if what.startswith("the error"):
            # A real error, or a cell that needed what it did not make: it stops Run All, as
            # usual, and what the cell should have made waits for the fix.
            for name in made:
                self.waiting.setdefault(name, what)
            return
        for name in made:
            self.waiting[name] = what
        result.error_in_exec = None  # unfinished work: the kernel lets Run All carry on

    # -- how the error looks --------------------------------------------------------------------
    def show(self, shell, etype, value, tb, tb_offset=None):
        parts = stub_parts(value)
        if parts is not None:
            what, where = parts
            if what in self.reported:
                line = f"finish {what} in {where} first (see above)"
            else:
                self.reported.add(what)
                place = "this cell" if where == "this cell" else where
                line = f"{what} is not written yet: write it in {place}, then run this cell again."
        elif isinstance(value, FinishFirst) or getattr(value, "keep_going", False):
            line = str(value)
        elif _missing_name(value) in self.waiting:
            what = self.waiting[_missing_name(value)]
            verb = "fix" if what.startswith("the error") else "finish"
            line = f"{verb} {what} first: this cell needs `{_missing_name(value)}`, which is not there yet"
        else:
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            return None
        stb = [f"\x1b[31m{etype.__name__}\x1b[0m: {line}"]
        shell._showtraceback(etype, value, stb)
        return None


def _keep_going_after_checks(result):
    # A failing self-check (autograder.student.selfcheck) is a report, not a crash: Run All carries on.
    if getattr(result.error_in_exec, "keep_going", False):
        result.error_in_exec = None


def watch_unfinished_work(shell=None):
    """Install the watcher in the running IPython kernel (once; calling again does nothing).
    Outside IPython it does nothing and returns None."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - the notebooks always run in IPython
            return None
        shell = get_ipython()
    if shell is None:
        return None
    for transformer in shell.ast_transformers:
        if isinstance(transformer, _Watcher):
            return transformer
    watcher = _Watcher(shell)
    shell.ast_transformers.append(watcher)
    shell.events.register("post_run_cell", watcher.after_cell)
    shell.events.register("post_run_cell", _keep_going_after_checks)
    shell.set_custom_exc((NotImplementedError, FinishFirst, AssertionError, NameError),
                         lambda sh, etype, value, tb, tb_offset=None:
                         watcher.show(sh, etype, value, tb, tb_offset))
    return watcher
