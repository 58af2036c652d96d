"""Run an assignment's graded tests against one student's working copy (trusted side).

The tests are the instructor's: they run here, in the grader's process. The student's code runs
only inside the ``Sandbox``; what comes back is numbers, which the tests compare and score.
"""
import importlib
import importlib.util
import sys
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .sandbox import Limits, Sandbox, SandboxError, StudentCallError
from .spec import TestFailure

STATUSES = ("passed", "failed", "error", "timeout", "not_implemented")
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
            tests = [obj.graded for obj in vars(module).values() if hasattr(obj, "graded")]
            tests.sort(key=lambda t: t.run.__code__.co_firstlineno)
            for test in tests:
                if test.name in names:
                    raise ValueError(f"two graded tests are named {test.name!r} ({path.name})")
                names.add(test.name)
                found.append(test.__class__(test.name, test.function, test.points, test.run, hidden, notebook))
    return found


def _import_file(path):
    name = f"_autograder_tests_{path.stem}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class StudentCode:
    """What a test may do with the student's work: call into it (sandboxed) and read its text."""

    def __init__(self, sandbox, workdir):
        self._sandbox = sandbox
        self._workdir = Path(workdir).resolve()

    def call(self, target, *args, **kwargs):
        """Call the student's function ``target`` (dotted path); returns plain numbers/arrays."""
        return self._sandbox.call(target, *args, **kwargs)

    def call_method(self, cls, steps, init=()):
        """Build the student's class ``cls`` and call ``steps`` [(method, args[, kwargs]), ...]."""
        return self._sandbox.call_method(cls, steps, init=init)

    def source(self, relative_path):
        """Text of one of the student's files (read here, never executed)."""
        path = (self._workdir / relative_path).resolve()
        if self._workdir not in path.parents or not path.is_file() or path.is_symlink():
            raise TestFailure(f"{relative_path} is missing from the submission")
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise TestFailure(f"{relative_path} is too large to read")
        return path.read_text(encoding="utf-8", errors="replace")


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
            return "failed", f"{exc.message} ({exc.detail})"
        return "failed", exc.message
    except StudentCallError as exc:
        return exc.status, _student_message(exc)
    except SandboxError:
        raise  # not the student's doing: never scored
    except Exception as exc:  # noqa: BLE001 - an answer the test could not even compare
        if test.hidden:  # the exception text could quote hidden inputs
            return "error", f"could not check the answer ({type(exc).__name__}); check shapes and types"
        last = traceback.extract_tb(exc.__traceback__)[-1]
        return "error", (f"could not check the answer ({type(exc).__name__}: {exc}; "
                         f"{Path(last.filename).name}:{last.lineno})")
    return "passed", ""


def _student_message(exc):
    if exc.status == "not_implemented":
        return "not implemented yet: fill in the stub"
    if exc.status == "timeout":
        return f"timed out: {exc.message}"
    return exc.message


def run_tests(tests, workdir, reference_dir=None, hidden_paths=(), limits=Limits(), progress=None):
    """Run ``tests`` against the student's files in ``workdir``; returns a list of ``TestResult``.

    Every test gets a result: a crash, timeout or unexpected answer costs only that test. When the
    sandbox itself cannot start (twice in a row), ``SandboxError`` propagates: that is no result.
    """
    reference = Reference(reference_dir)
    results = []
    with Sandbox(workdir, hidden_paths=hidden_paths, limits=limits) as sandbox:
        student = StudentCode(sandbox, workdir)
        for test in tests:
            try:
                status, message = _run_one(test, student, reference)
            except SandboxError:
                sandbox.close()
                status, message = _run_one(test, student, reference)  # one retry, then give up
            points = test.points if status == "passed" else 0.0
            results.append(TestResult(test.name, test.function, points, test.points, status,
                                      message.splitlines()[0][:300] if message else "", test.hidden))
            if progress:
                progress(results[-1])
    return results
