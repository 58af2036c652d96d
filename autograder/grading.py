"""Run an assignment's graded tests against one student's working copy (trusted side).

The tests are the instructor's: they run here, in the grader's process. The student's code runs
only inside the ``Sandbox``; what comes back is numbers, which the tests compare and score.
"""
import builtins
import contextlib
import importlib
import importlib.util
import os
import sys
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from .loops import Submission, analyze, closure_files
from .sandbox import Limits, Sandbox, SandboxError, StudentCallError
from .sandbox.runner import budget_spent
from .spec import TestFailure

# Exception names a hidden test may show: the language's and numpy's own. Any other name was
# chosen by the submission and could spell out a hidden input.
KNOWN_EXCEPTIONS = frozenset(
    [name for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, BaseException)]
    + ["LinAlgError", "AxisError", "ComplexWarning", "TooHardError", "DTypePromotionError"])
TIMEOUTS_PER_FUNCTION = 2  # after this many, a function's remaining tests are not run

STATUSES = ("passed", "failed", "error", "timeout", "not_implemented")
MAX_MESSAGE = 300  # characters of a result's message (its first line)
MAX_SOURCE_BYTES = 2 << 20


@dataclass
class TestResult:
    name: str
    function: str
    points: float
    max_points: float
    status: str
    message: str
    hidden: bool = False
    diagnosis: str = ""  # the id of the recognised mistake the message names, if any

    def as_json(self, include_hidden_flag=False):
        data = asdict(self)
        if not include_hidden_flag:
            data.pop("hidden")
        return data


def load_tests(tests_dir, include_hidden):
    """The ``GradedTest`` objects of ``tests_dir/public_*.py`` (and ``hidden_*.py`` when asked),
    in file then line order. Names must be unique across the files."""
    tests_dir = Path(tests_dir)
    patterns = ["public_*.py"] + (["hidden_*.py"] if include_hidden else [])
    found, names = [], set()
    for pattern in patterns:
        for path in sorted(tests_dir.glob(pattern)):
            module = _import_file(path)
            hidden = path.name.startswith("hidden_")
            notebook = getattr(module, "NOTEBOOK", "")
            inputs_may_change = bool(getattr(module, "INPUTS_MAY_CHANGE", False))
            tests = [obj.graded for obj in vars(module).values() if hasattr(obj, "graded")]
            tests.sort(key=lambda t: t.run.__code__.co_firstlineno)
            for test in tests:
                if test.name in names:
                    raise ValueError(f"two graded tests are named {test.name!r} ({path.name})")
                names.add(test.name)
                found.append(test.__class__(test.name, test.function, test.points, test.run, hidden,
                                            test.notebook or notebook,
                                            test.fresh, inputs_may_change, test.uses))
    return found


def _import_file(path):
    name = f"_autograder_tests_{path.stem}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class StudentCode:
    """What a test may do with the student's work: call into it (sandboxed) and read its text.

    ``fresh`` is true while a test marked ``@graded(..., fresh=True)`` runs: its calls go to a
    child process in which only modules the static checks read have run (the child is restarted
    first when an earlier test ran a module that could rebind names), so nothing that ran for an
    earlier test (a module imported then, an attribute rebound then) can hide from them.
    """

    def __init__(self, sandbox, workdir):
        self._sandbox = sandbox
        self._workdir = Path(workdir).resolve()
        self.fresh = False
        self.inputs_may_change = False
        self._submission = None

    def call(self, target, *args, **kwargs):
        """Call the student's function ``target`` (dotted path); returns plain numbers/arrays.
        Fails the test when the call changed one of its input arrays in place."""
        value = self._sandbox.call(target, *args, **kwargs)
        self._inputs_unchanged(target.rsplit(".", 1)[-1])
        return value

    def call_method(self, cls, steps, init=()):
        """Build the student's class ``cls`` and call ``steps`` [(method, args[, kwargs]), ...]."""
        value = self._sandbox.call_method(cls, steps, init=init)
        self._inputs_unchanged(cls.rsplit(".", 1)[-1])
        return value

    def _inputs_unchanged(self, name):
        changed = self._sandbox.changed_inputs
        if changed and not self.inputs_may_change:
            raise TestFailure(f"{name} changed {changed[0]} in place: the caller's arrays must stay as "
                              f"they were (compute into a new array, e.g. np.maximum(x, 0) rather than "
                              f"x[x < 0] = 0, or work on a copy)", diagnosis="changed_input_in_place")

    def source(self, relative_path):
        """Text of one of the student's files (read here, never executed)."""
        path = (self._workdir / relative_path).resolve()
        if self._workdir not in path.parents or not path.is_file() or path.is_symlink():
            raise TestFailure(f"{relative_path} is missing from the submission")
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise TestFailure(f"{relative_path} is too large to read")
        return path.read_text(encoding="utf-8", errors="replace")

    def loaded_modules(self):
        """Relative paths of the student's modules the current child was asked to call into."""
        return set(self._sandbox.loaded)

    def module_file(self, target):
        return self._sandbox.module_file(target)

    def python_files(self):
        """The submission's regular ``.py`` files as a ``loops.Submission`` ({relative posix path:
        text} in ``.files``), read once: the working copy does not change while it is graded, and
        the child sees it read-only. For static analysis across modules; never executed."""
        if self._submission is None:
            self._submission = Submission(self._read_python_files())
        return self._submission

    def _read_python_files(self):
        files = {}
        for folder, dirs, names in os.walk(self._workdir, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(folder, d)))
            for name in sorted(names):
                path = Path(folder) / name
                if name.endswith(".py") and path.is_file() and not path.is_symlink():
                    relative = path.relative_to(self._workdir).as_posix()
                    if path.stat().st_size <= MAX_SOURCE_BYTES:
                        files[relative] = path.read_text(encoding="utf-8", errors="replace")
        return files


class Reference:
    """The reference solution's modules, imported from ``source/<assignment>`` (trusted code)."""

    def __init__(self, source_dir):
        self.source_dir = Path(source_dir).resolve() if source_dir else None

    def module(self, dotted):
        if self.source_dir is None:
            raise RuntimeError("this test needs the reference solution; run it with `autograder grade`")
        if str(self.source_dir) not in sys.path:
            sys.path.insert(0, str(self.source_dir))
        return importlib.import_module(dotted)

    @contextlib.contextmanager
    def using_student(self, student, functions):
        """Inside the block, the reference's module-level ``functions`` (dotted names of graded
        functions, e.g. "layers.affine_forward") call the student's own versions in the sandbox,
        wherever a reference module has them bound. A test of F that calls the student's G judges
        F by this: the reference F computed with the student's G, so that a bug in G is charged to
        G alone. Only numbers cross into the sandbox; the reference code itself stays here. The
        patch is process-wide and undone on leaving the block: every grading process runs one
        student's tests at a time, in one thread (grade.py's spawn pool, cluster.py's job server)."""
        originals = {}
        for dotted in functions:
            module_name, name = dotted.rsplit(".", 1)
            originals[id(getattr(self.module(module_name), name))] = dotted
        root = str(self.source_dir)
        patched = []
        for module in list(sys.modules.values()):
            if not str(getattr(module, "__file__", None) or "").startswith(root):
                continue
            for key, value in list(vars(module).items()):
                if id(value) in originals and callable(value):
                    patched.append((module, key, value))
                    setattr(module, key, _student_proxy(student, originals[id(value)]))
        try:
            yield
        finally:
            for module, key, value in reversed(patched):
                setattr(module, key, value)


def _student_proxy(student, target):
    def call_student(*args, **kwargs):
        return student.call(target, *args, **kwargs)
    return call_student


def _run_one(test, student, reference):
    kwargs = {}
    for param in test.run.__code__.co_varnames[:test.run.__code__.co_argcount]:
        if param == "student":
            kwargs[param] = student
        elif param == "reference":
            kwargs[param] = reference
        elif param == "rng":
            kwargs[param] = np.random.default_rng(test.seed())
        else:
            raise TypeError(f"test {test.name} asks for unknown argument {param!r}")
    try:
        test.run(**kwargs)
    except TestFailure as exc:
        if exc.detail and not test.hidden:
            return "failed", f"{exc.message} ({exc.detail})", exc.diagnosis
        return "failed", exc.message, exc.diagnosis
    except StudentCallError as exc:
        return exc.status, _student_message(exc, test.hidden, student), ""
    except SandboxError:
        raise  # not the student's doing: never scored
    except Exception as exc:  # noqa: BLE001 - an answer the test could not even compare
        if test.hidden:  # the exception text could quote hidden inputs
            return "error", f"could not check the answer ({type(exc).__name__}); check shapes and types", ""
        last = traceback.extract_tb(exc.__traceback__)[-1]
        return "error", (f"could not check the answer ({type(exc).__name__}: {exc}; "
                         f"{Path(last.filename).name}:{last.lineno})"), ""
    return "passed", "", ""


def _student_message(exc, hidden, student):
    """What a test says about a call that gave no value. Public tests show the whole message. A
    hidden test shows the exception's type when it is a standard one and the place in the student's
    own files when that place exists, never the exception's message, which the submission writes
    and could fill with hidden inputs."""
    if exc.status == "not_implemented":
        return "not implemented yet: fill in the stub"
    if exc.status == "timeout":
        return f"timed out: {exc.message}"  # the grader's own words
    if not hidden:
        return exc.message
    if not exc.exc_type:
        return exc.hidden_message
    kind = exc.exc_type if exc.exc_type in KNOWN_EXCEPTIONS else "an exception of its own class"
    place = _checked_place(exc.where, student)
    return (f"your code raised {kind}{f' at {place}' if place else ''} (hidden tests do not show "
            f"exception messages: run the public tests or your notebook on similar inputs to see it)")


def _checked_place(where, student):
    """'file.py:12' when ``where`` names an existing line of a .py file of the submission."""
    if not where:
        return ""
    name, line = where
    relative = PurePosixPath(str(name))
    if (relative.is_absolute() or ".." in relative.parts or relative.suffix != ".py"
            or not isinstance(line, int) or isinstance(line, bool) or line < 1):
        return ""
    try:
        lines = student.source(str(relative)).count("\n") + 1
    except TestFailure:
        return ""
    return f"{relative}:{line}" if line <= lines else ""


def run_tests(tests, workdir, reference_dir=None, limits=Limits(), progress=None, insecure=False):
    """Run ``tests`` against the student's files in ``workdir``; returns a list of ``TestResult``.

    Every test gets a result: a crash, timeout or unexpected answer costs only that test. All tests
    together get ``limits.student_seconds`` of wall time: once it is spent, the remaining tests are
    reported as timeouts without running, and after two timeouts in one function the rest of that
    function's tests are too. When the sandbox itself cannot start (twice in a row),
    ``SandboxError`` propagates: that is no result. ``insecure``: see ``Sandbox``. Failed tests
    declared ``uses=`` are rescored at the end (``score_dependent_tests``); ``progress`` sees each
    result as it is made, before that.
    """
    reference = Reference(reference_dir)
    results = []
    timeouts = Counter()
    deadline = time.monotonic() + limits.student_seconds
    with Sandbox(workdir, limits=limits, insecure=insecure, deadline=deadline) as sandbox:
        student = StudentCode(sandbox, workdir)
        for test in tests:
            diagnosis = ""
            if time.monotonic() >= deadline:
                status, message = "timeout", f"not run: {budget_spent(limits)}"
            elif timeouts[test.function] >= TIMEOUTS_PER_FUNCTION:
                status, message = "timeout", (f"not run: {TIMEOUTS_PER_FUNCTION} earlier tests of this "
                                              f"function timed out")
            else:
                status, message, diagnosis = _run_guarded(test, student, reference, sandbox)
                timeouts[test.function] += status == "timeout"
            points = test.points if status == "passed" else 0.0
            results.append(TestResult(test.name, test.function, points, test.points, status,
                                      message.splitlines()[0][:MAX_MESSAGE] if message else "", test.hidden,
                                      diagnosis))
            if progress:
                progress(results[-1])
    return score_dependent_tests(tests, results)


def score_dependent_tests(tests, results):
    """A bug costs points once, in the function where it lives. A failed test of F declared with
    ``uses=(G, ...)`` ran through the student's G; when G lost points in this run, the failure may
    be G's, so the test instead scores the fraction that F's own tests (those without ``uses``,
    and not the loop checks, which judge loops only) earned. With no such tests (a self-check with
    the public tests alone) it keeps its 0 and says which function to fix first."""
    lost = {r.function for r in results if r.points < r.max_points}
    own = {}
    for test, result in zip(tests, results):
        if not test.uses and not test.fresh:
            earned, total = own.get(test.function, (0.0, 0.0))
            own[test.function] = (earned + result.points, total + result.max_points)
    for test, result in zip(tests, results):
        culprits = [g for g in test.uses if g in lost and g != test.function]
        if result.status not in ("failed", "error") or not culprits:
            continue
        culprit = culprits[0].rsplit(".", 1)[-1]
        earned, total = own.get(test.function, (0.0, 0.0))
        if total:
            result.points = round(result.max_points * earned / total, 6)
            note = (f" [not charged here: this test runs your {culprit}, which lost points; it scores "
                    f"what this function's own tests scored]")
        else:
            note = f" [this test runs your {culprit}, which lost points: fix {culprit} first]"
        result.message = result.message[:MAX_MESSAGE - len(note)] + note
    return results


def _needs_fresh_child(student, function):
    """Whether the child must be restarted before a loop test of ``function``: unless every module
    that already ran in it is one the loop analysis reads and finds nothing in that could rebind
    the graded name (a restart costs about 0.1 s, and most earlier modules are harmless)."""
    loaded = student.loaded_modules()
    if not loaded:
        return False
    module = student.module_file(function)
    if module is None:
        return True
    files = student.python_files()
    extra = loaded - closure_files(files, module)
    if not extra:
        return False
    qualname = function[len(module[:-len(".py")].replace("/", ".")) + 1:]
    return bool(analyze(files, module, qualname, also_loaded=extra).forged)


def _run_guarded(test, student, reference, sandbox):
    """One test, in a child of its own when the test asks for one; one retry when the sandbox
    itself failed to start."""
    for attempt in (1, 2):
        if test.fresh and _needs_fresh_child(student, test.function):
            sandbox.close()
        student.fresh = test.fresh
        student.inputs_may_change = test.inputs_may_change
        sandbox.seed_random(test.student_seed())
        try:
            return _run_one(test, student, reference)
        except SandboxError:
            sandbox.close()
            if attempt == 2:
                raise
        finally:
            student.fresh = False
