"""Run an assignment's graded tests against one student's working copy (trusted side).

The tests are the instructor's: they run here, in the grader's process. The student's code runs
only inside the ``Sandbox``; what comes back is numbers, which the tests compare and score.
"""
import contextlib
import importlib
import os
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

import numpy as np

from ..analysis.loops import Submission, analyze, closure_files
from ..sandbox import Limits, Sandbox, SandboxError, StudentCallError
from ..sandbox.runner import budget_spent
from .api import TestFailure
from .messages import student_message
from .scoring import MAX_MESSAGE, TestResult, score_dependent_tests

TIMEOUTS_PER_FUNCTION = 2  # after this many, a function's remaining tests are not run
MAX_SOURCE_BYTES = 2 << 20


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

    def call_reading_args(self, target, *args, **kwargs):
        """Call ``target`` like ``call`` and also read back its arguments as the call left them:
        returns ``(value, args, kwargs)``. For functions whose contract is to update a dict they
        are given (batch normalization's running averages in ``bn_param``). Arrays inside dicts
        may change; the call fails the test when it changed a top-level input array in place."""
        value, args_after, kwargs_after = self._sandbox.call_reading_args(target, *args, **kwargs)
        self._inputs_unchanged(target.rsplit(".", 1)[-1])
        return value, args_after, kwargs_after

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
        return exc.status, student_message(exc, test.hidden, student), ""
    except SandboxError:
        raise  # not the student's doing: never scored
    except Exception as exc:  # noqa: BLE001 - an answer the test could not even compare
        if test.hidden:  # the exception text could quote hidden inputs
            return "error", f"could not check the answer ({type(exc).__name__}); check shapes and types", ""
        last = traceback.extract_tb(exc.__traceback__)[-1]
        return "error", (f"could not check the answer ({type(exc).__name__}: {exc}; "
                         f"{Path(last.filename).name}:{last.lineno})"), ""
    return "passed", "", ""



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
