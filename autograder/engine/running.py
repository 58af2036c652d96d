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
from ..analysis.source import Unreadable, read_python
from ..sandbox import Limits, Sandbox, SandboxError, StudentCallError
from ..sandbox.runner import budget_spent
from . import answers
from .api import TestFailure
from .messages import UNCHECKABLE, hidden_status, settle_hidden, student_message
from .replay import record, replay_alone
from .scoring import MAX_MESSAGE, TestResult, score_dependent_tests

TIMEOUTS_PER_FUNCTION = 2  # after this many, a function's remaining tests are not run
MAX_PYTHON_BYTES = 4 << 20  # the submission's .py files read for static checks, together


class StudentCode:
    """What a test may do with the student's work: call into it (sandboxed) and read its text.

    ``fresh`` is true while a test marked ``@graded(..., fresh=True)`` runs: its calls go to a
    child process in which only modules the static checks read have run (the child is restarted
    first when an earlier test ran a module that could rebind names), so nothing that ran for an
    earlier test (a module imported then, an attribute rebound then) can hide from them.
    """

    def __init__(self, sandbox, workdir, on_call=None):
        self._sandbox = sandbox
        self._workdir = Path(workdir).resolve()
        self._on_call = on_call
        self.fresh = False
        self.hidden = False  # true while a hidden test runs: its messages name no argument
        self.inputs_may_change = False
        self._submission = None
        self._recording = None

    def call(self, target, *args, **kwargs):
        """Call the student's function ``target`` (dotted path); returns plain numbers/arrays.
        Fails the test when the call changed one of its input arrays in place."""
        if self._recording is None:
            value = self._sandbox.call(target, *args, **kwargs)
        else:
            value = record(self._recording, target, args, kwargs,
                           lambda: self._sandbox.call(target, *args, **kwargs))
        self._inputs_unchanged(target.rsplit(".", 1)[-1])
        if self._on_call:
            self._on_call(target, value)
        return value

    @contextlib.contextmanager
    def recording(self):
        """Inside the block, every ``call`` is recorded (``replay.Call``) in the list this yields."""
        outer, self._recording = self._recording, []
        try:
            yield self._recording
        finally:
            self._recording = outer

    def replay_alone(self, calls):
        """Make recorded ``calls`` again in a new child that runs nothing else, newest first; the
        calls whose answer differs (``replay.replay_alone``). Costs one child start when there are
        calls to make."""
        return replay_alone(self._sandbox, calls)
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
        if self._on_call:
            self._on_call(cls, value)
        return value

    def _inputs_unchanged(self, name):
        changed = self._sandbox.changed_inputs
        if changed and not self.inputs_may_change:
            # Which argument it was is the submission's choice: hidden tests do not say.
            what = "one of its input arrays" if self.hidden else changed[0]
            raise TestFailure(f"{name} changed {what} in place: the caller's arrays must stay as "
                              f"they were (compute into a new array, e.g. np.maximum(x, 0) rather than "
                              f"x[x < 0] = 0, or work on a copy)", diagnosis="changed_input_in_place")

    def source(self, relative_path):
        """Text of one of the student's Python files as the interpreter reads it (read here, never
        executed; ``analysis.source``): a clear ``TestFailure`` when it is missing or unreadable."""
        path = (self._workdir / relative_path).resolve()
        if self._workdir not in path.parents or not path.is_file() or path.is_symlink():
            raise TestFailure(f"{relative_path} is missing from the submission")
        try:
            return read_python(path)
        except Unreadable as exc:
            raise TestFailure(f"{relative_path} cannot be read as Python reads it", str(exc)) from None

    def loaded_modules(self):
        """Relative paths of the student's modules the current child was asked to call into."""
        return set(self._sandbox.loaded)

    def module_file(self, target):
        return self._sandbox.module_file(target)

    def python_files(self):
        """The submission's regular ``.py`` files as a ``loops.Submission`` ({relative posix path:
        text} in ``.files``, and the files it cannot read as Python does in ``.unreadable``), read
        once: the working copy does not change while it is graded, and the child sees it
        read-only. For static analysis across modules; never executed."""
        if self._submission is None:
            self._submission = Submission(*self._read_python_files())
        return self._submission

    def _read_python_files(self):
        files, unreadable, budget = {}, {}, MAX_PYTHON_BYTES
        for folder, dirs, names in os.walk(self._workdir, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(folder, d)))
            for name in sorted(names):
                path = Path(folder) / name
                if name.endswith(".py") and path.is_file() and not path.is_symlink():
                    relative = path.relative_to(self._workdir).as_posix()
                    try:
                        if path.stat().st_size > budget:
                            raise Unreadable("the submission's Python files are too large together to read")
                        files[relative] = read_python(path)
                        budget -= path.stat().st_size
                    except (Unreadable, OSError) as exc:
                        unreadable[relative] = str(exc)
        return files, unreadable


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


def _run_one(test, student, reference, found):
    """Run one test; returns (status, message, diagnosis). ``found`` (a dict) receives what the
    instructor's class report keeps of a failure: the mistake's ``title`` and the ``answer``'s
    fingerprint."""
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
        found.update(title=exc.title, answer=exc.answer)
        if exc.detail and not test.hidden:
            return "failed", f"{exc.message} ({exc.detail})", exc.diagnosis
        return "failed", exc.message, exc.diagnosis
    except StudentCallError as exc:
        if exc.status == "error" and exc.exc_type:
            found.update(answer=answers.raised(exc.exc_type, exc.where, student.source))
        return exc.status, student_message(exc, test.hidden), ""
    except SandboxError:
        raise  # not the student's doing: never scored
    except Exception as exc:  # noqa: BLE001 - an answer the test could not even compare
        if test.hidden:  # which exception the answer provoked is the submission's choice
            return "error", UNCHECKABLE, ""
        last = traceback.extract_tb(exc.__traceback__)[-1]
        return "error", (f"could not check the answer ({type(exc).__name__}: {exc}; "
                         f"{Path(last.filename).name}:{last.lineno})"), ""
    return "passed", "", ""



def run_tests(tests, workdir, reference_dir=None, limits=Limits(), progress=None, insecure=False, on_call=None):
    """Run ``tests`` against the student's files in ``workdir``; returns a list of ``TestResult``.

    Every test gets a result: a crash, timeout or unexpected answer costs only that test. All tests
    together get ``limits.student_seconds`` of wall time: once it is spent, the remaining tests are
    reported as timeouts without running, and after two timeouts in one function the rest of that
    function's tests are too. When the sandbox itself cannot start (twice in a row),
    ``SandboxError`` propagates: that is no result. ``insecure``: see ``Sandbox``. A hidden test's
    result says only what ``messages`` allows (an error or a time-out reads as a failure). At the
    end, a hidden test's "not implemented" is settled (``messages.settle_hidden``) and failed tests
    declared ``uses=`` are rescored (``score_dependent_tests``); ``progress`` sees each result as it
    is made, before that. ``on_call`` sees ``(target, value)`` for every call a test makes into the
    student's code that returns a value (``autograder audit`` compares a mutant's answers with the
    reference's).
    """
    reference = Reference(reference_dir)
    results = []
    timeouts = Counter()
    deadline = time.monotonic() + limits.student_seconds
    with Sandbox(workdir, limits=limits, insecure=insecure, deadline=deadline) as sandbox:
        student = StudentCode(sandbox, workdir, on_call)
        for test in tests:
            diagnosis, found = "", {}
            if time.monotonic() >= deadline:
                status, message = "timeout", f"not run: {budget_spent(limits)}"
            elif timeouts[test.function] >= TIMEOUTS_PER_FUNCTION:
                status, message = "timeout", (f"not run: {TIMEOUTS_PER_FUNCTION} earlier tests of this "
                                              f"function timed out")
            else:
                status, message, diagnosis = _run_guarded(test, student, reference, sandbox, found)
                timeouts[test.function] += status == "timeout"
            if test.hidden:
                status, message = hidden_status(status, message)
            points = test.points if status == "passed" else 0.0
            results.append(TestResult(test.name, test.function, points, test.points, status,
                                      message.splitlines()[0][:MAX_MESSAGE] if message else "", test.hidden,
                                      diagnosis, (found.get("title") or "")[:MAX_MESSAGE] if diagnosis else "",
                                      found.get("answer") if test.hidden else None))
            if progress:
                progress(results[-1])
    return score_dependent_tests(tests, settle_hidden(tests, results))



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
    report = analyze(files, module, qualname, also_loaded=extra)
    return bool(report.forged or report.unreadable)


def _run_guarded(test, student, reference, sandbox, found):
    """One test, in a child of its own when the test asks for one; one retry when the sandbox
    itself failed to start."""
    for attempt in (1, 2):
        if test.fresh and _needs_fresh_child(student, test.function):
            sandbox.close()
        student.fresh = test.fresh
        student.hidden = test.hidden
        student.inputs_may_change = test.inputs_may_change
        sandbox.seed_random(test.student_seed())
        try:
            return _run_one(test, student, reference, found)
        except SandboxError:
            sandbox.close()
            if attempt == 2:
                raise
        finally:
            student.fresh = False
