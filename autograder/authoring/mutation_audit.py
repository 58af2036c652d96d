"""``autograder audit ASSIGNMENT``: which realistic mistakes the assignment's own tests let through.

Every solution region of the assignment's modules is mutated (``mutants.py``: one small change
each, the standard operators of mutation testing), and each mutant, the reference solution with
that one change, is graded as the grader grades a student (``engine.running.run_tests``: the
sandbox, the public and hidden tests, the reference solution to compare with), on a pool of
processes. A mutant is *killed* when a test does not pass, and *survives* when every test passes:
a mistake a student could make and still get full marks. The mutation score (killed / graded) is
the published predictor of how many real faults a test suite catches.

Grading is kept cheap:

1. Once, the reference solution itself is graded by every test (the *baseline*); each test's calls
   into the student's code are recorded (what they returned, and which modules they reach), and so
   are the diagnoses it offers (``engine.diagnosis.recording_offered``: a ``Diagnosis`` made, a
   ``check(..., diagnosis=)``). A test that fails here says nothing about mutants and is left out
   (and reported).
2. A mutant of function F is graded by F's own tests (those ``@graded("...F")``), every one of
   them, so that the report can say which tests never fail and which diagnoses never fire. A
   function no test names is graded by every test whose calls reach its module.
3. A mutant that survives those is graded by every other test whose calls reach the mutated
   module (through the assignment's imports; the others cannot see the change), stopping at the
   first failure: it is then killed elsewhere (by another function's test), or it survives.

Each mutant's tests get ``SLOWER`` times the wall time they took on the reference, plus
``SPARE_SECONDS``: a mutant that loops forever times out, which kills it, as it would cost a
student the test.

A survivor whose answers are bit for bit the reference's on every call the tests made *looks
equivalent*: the tests never feed it an input where the change shows (a tie, a zero, an integer
array, an exact boundary), or it is equivalent. The course decides which are:
``tests/audit-equivalents.json`` next to the assignment's tests lists reviewed equivalent mutants,
each with its reason::

    {"equivalent": [{"file": "layers.py", "function": "relu_backward", "old": "...", "new": "...",
                     "reason": "..."}]}

``old`` and ``new`` are the mutant's one-line diff as the report prints it (the function is named
because one line can appear in two functions and be equivalent in one only); a listed mutant counts
as equivalent (out of the score), and an entry that no longer matches a survivor is reported.

The report (:func:`audit_assignment` returns it as a dict; ``--json`` writes it, README lists its
keys) has, per function with a solution region: mutants generated, skipped (do not compile, change
nothing, or the same byte code as the reference or another mutant), killed, killed elsewhere,
survived and equivalent, the score, each survivor's diff, the function's tests that never failed
on any mutant (tests that judge loops only, ``fresh=True``, are not listed), whether it has a
hidden test, and the diagnoses its tests offer that no mutant made them name (an id raised only
inside an ``if`` that sees the mistake is known only once some mutant makes it).
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .mutants import OPERATORS, module_mutants
from .stubs import ReleaseError, solution_regions

__all__ = ["AuditError", "EQUIVALENTS_FILE", "audit_assignment", "console_report", "report_json"]

EQUIVALENTS_FILE = "audit-equivalents.json"
#: Wall time of a mutant's tests: this many times what the same tests took on the reference ...
SLOWER = 4.0
#: ... plus this much (seconds), so that a mutant that loops forever costs a bounded time.
SPARE_SECONDS = 10.0


class AuditError(Exception):
    """The audit cannot run; the message names what is wrong, in one line."""


# -- the assignment ----------------------------------------------------------------------------------

def _modules(source_dir: Path) -> dict:
    """{relative path: text} of the assignment's modules (tests left out)."""
    found = {}
    for path in sorted(source_dir.rglob("*.py")):
        rel = path.relative_to(source_dir)
        if rel.parts[0] == "tests" or "__pycache__" in rel.parts or any(p.startswith(".") for p in rel.parts):
            continue
        found[rel.as_posix()] = path.read_text(encoding="utf-8")
    return found


def _dotted(path: str) -> str:
    """``classifiers/fc_net.py`` -> ``classifiers.fc_net`` (a package's ``__init__`` is the package)."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(modules: dict) -> dict:
    """{module: the assignment's modules it imports, directly or not}."""
    names = {_dotted(p): p for p in modules}
    direct = {}
    for path, text in modules.items():
        me = _dotted(path)
        package = me.split(".")[:-1] if not path.endswith("__init__.py") else me.split(".")
        found = set()
        try:
            tree = ast.parse(text)
        except SyntaxError:
            tree = ast.Module(body=[])
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package[:len(package) - node.level + 1] if node.level else []
                stem = ".".join(base + ([node.module] if node.module else []))
                targets = [stem] + [f"{stem}.{a.name}" if stem else a.name for a in node.names]
            for target in targets:
                parts = target.split(".")
                for cut in range(len(parts), 0, -1):  # the module itself and the packages it is in
                    if ".".join(parts[:cut]) in names:
                        found.add(".".join(parts[:cut]))
        direct[me] = found - {me}
    closed = {}
    for module in direct:
        seen, todo = {module}, [module]
        while todo:
            for other in direct.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        closed[module] = seen
    return closed


def _module_of(target: str, modules: set) -> str:
    """The module a dotted call target lives in (the longest prefix that is one), or ''."""
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        if ".".join(parts[:cut]) in modules:
            return ".".join(parts[:cut])
    return ""


# -- reviewed equivalents ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Equivalent:
    """A reviewed equivalent mutant: its file, the function it is in (``KNearestNeighbor.predict``),
    its one-line diff (``old`` -> ``new``) and why it cannot matter."""
    file: str
    function: str
    old: str
    new: str
    reason: str

    def __str__(self):
        return f"{self.file}: {self.function}: {self.old} -> {self.new}"

    def matches(self, mutant) -> bool:
        return (self.file, self.function, self.old, self.new) == (mutant.file, mutant.function, mutant.old, mutant.new)


def load_equivalents(tests_dir: Path) -> list:
    """The reviewed equivalent mutants of ``tests_dir/audit-equivalents.json`` ([] without one)."""
    path = tests_dir / EQUIVALENTS_FILE
    if not path.is_file():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["equivalent"]
        found = [Equivalent(str(e["file"]), str(e["function"]), " ".join(str(e["old"]).split()),
                            " ".join(str(e["new"]).split()), " ".join(str(e["reason"]).split())) for e in entries]
    except (ValueError, KeyError, TypeError) as exc:
        raise AuditError(f"{path}: expected {{\"equivalent\": [{{\"file\", \"function\", \"old\", \"new\", "
                         f"\"reason\"}}, ...]}} ({type(exc).__name__}: {exc})") from None
    for entry in found:
        if not entry.reason:
            raise AuditError(f"{path}: the entry for {entry} gives no reason")
    return found


# -- grading, in the pool's processes ---------------------------------------------------------------------

_WORKER = {}


def _start_worker(source_dir, scratch, insecure):
    """Each process: the tests, loaded once, and a private copy of the reference to mutate (in
    ``scratch``, which the parent removes at the end)."""
    from ..engine.discovery import load_tests

    warnings.simplefilter("ignore")
    source = Path(source_dir)
    work = Path(tempfile.mkdtemp(prefix="worker-", dir=scratch))
    for rel, text in _modules(source).items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text, encoding="utf-8")
    tests = load_tests(source / "tests", include_hidden=True)
    _WORKER.update(source=source, work=work, tests={t.name: t for t in tests}, insecure=insecure)


class _Stop(Exception):
    """Raised from run_tests' progress callback at the first failure: the mutant is killed."""


def _digest(h, value):
    """Feed ``value`` (what a call returned: numbers, arrays, lists, tuples, dicts) to ``h``, bit
    for bit."""
    import numpy as np

    if isinstance(value, np.ndarray):
        h.update(f"a{value.dtype.str}{value.shape}".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, float):
        h.update(b"f" + struct.pack("<d", value))
    elif isinstance(value, (list, tuple)):
        h.update(f"{type(value).__name__}{len(value)}".encode())
        for item in value:
            _digest(h, item)
    elif isinstance(value, dict):
        h.update(f"d{len(value)}".encode())
        for key in sorted(value):
            h.update(repr(key).encode())
            _digest(h, value[key])
    else:
        h.update(repr((type(value).__name__, value)).encode())


def _run(names, limits, stop_at_failure=False, record=False):
    """Run the named tests on the worker's copy; returns one dict per test that ran: name, status,
    diagnosis, digest (of every value its calls returned), and with ``record`` also the targets it
    called, the diagnoses it offered and its seconds."""
    from ..engine.diagnosis import recording_offered
    from ..engine.running import run_tests

    tests = [_WORKER["tests"][n] for n in names]
    done = []
    state = {"hash": hashlib.sha256(), "targets": set(), "started": time.monotonic()}

    def on_call(target, value):
        state["hash"].update(target.encode() + b"\0")
        _digest(state["hash"], value)
        state["targets"].add(target)

    def progress(result):
        now = time.monotonic()
        entry = {"name": result.name, "status": result.status, "diagnosis": result.diagnosis,
                 "digest": state["hash"].hexdigest()}
        if record:
            entry.update(message=result.message, targets=sorted(state["targets"]), offered=sorted(offered),
                         seconds=round(now - state["started"], 4))
            offered.clear()
        done.append(entry)
        state.update(hash=hashlib.sha256(), targets=set(), started=now)
        if stop_at_failure and result.status != "passed":
            raise _Stop()

    with recording_offered() as offered:
        try:
            run_tests(tests, _WORKER["work"], reference_dir=_WORKER["source"], limits=limits, progress=progress,
                      insecure=_WORKER["insecure"], on_call=on_call)
        except _Stop:
            pass
    return done


def _baseline(names):
    from ..sandbox import Limits
    return _run(names, Limits(), record=True)


def _grade(job):
    """Grade one mutant: its own tests, all of them; if it survives, the other tests that reach its
    module, up to the first failure. The reference text is put back afterwards."""
    from ..sandbox import Limits, SandboxError

    path = _WORKER["work"] / job["file"]
    reference = path.read_text(encoding="utf-8")
    started = time.monotonic()
    try:
        path.write_text(job["text"], encoding="utf-8")
        own = _run(job["own"], Limits(student_seconds=job["budget"][0], call_seconds=job["call_seconds"]))
        others = []
        if all(r["status"] == "passed" for r in own) and job["others"]:
            others = _run(job["others"], Limits(student_seconds=job["budget"][1], call_seconds=job["call_seconds"]),
                          stop_at_failure=True)
        return {"id": job["id"], "own": own, "others": others, "seconds": time.monotonic() - started}
    except SandboxError as exc:
        return {"id": job["id"], "error": f"the sandbox failed ({exc})", "seconds": time.monotonic() - started}
    finally:
        path.write_text(reference, encoding="utf-8")


# -- the audit, in the parent -------------------------------------------------------------------------

def _pool(workers, source_dir, scratch, insecure):
    import multiprocessing

    # spawn: workers start clean, with no threads inherited from this process (the sandbox forks).
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(str(source_dir), str(scratch), insecure))


def _matches(dotted, wanted):
    return dotted == wanted or dotted.endswith("." + wanted)


def audit_assignment(assignment, course_dir=".", function=None, workers=None, progress=True) -> dict:
    """Audit ``course_dir/source/<assignment>``'s tests with mutants of its solution regions; returns
    the report (see the module docstring and :func:`report_json`). ``function``: only the regions of
    the graded functions whose dotted name is, or ends with, this. ``workers``: processes (default:
    one per core). Raises :class:`AuditError` with a one-line message when it cannot run."""
    from ..classrun.local import single_threaded_blas
    from ..sandbox import SandboxError, isolation_available

    started = time.monotonic()
    course = Path(course_dir).resolve()
    source_dir = course / "source" / assignment
    tests_dir = source_dir / "tests"
    if not tests_dir.is_dir():
        raise AuditError(f"no tests for {assignment}: expected {tests_dir}")
    modules = _modules(source_dir)
    equivalents = load_equivalents(tests_dir)
    try:
        from ..engine.discovery import load_tests
        tests = load_tests(tests_dir, include_hidden=True)
    except Exception as exc:  # noqa: BLE001 - the author's test file: say which, in one line
        raise AuditError(f"cannot load the tests of {assignment}: {type(exc).__name__}: {exc}") from None
    if not tests:
        raise AuditError(f"{tests_dir} has no graded tests (public_*.py, hidden_*.py with @graded)")
    regions = {}
    for rel, text in modules.items():
        try:
            for region in solution_regions(text, rel):
                dotted = _dotted(rel) + (f".{region.function}" if region.function else "")
                regions.setdefault(dotted, (rel, region.function))
        except ReleaseError as exc:
            raise AuditError(str(exc)) from None
    if function:
        chosen = {d: v for d, v in regions.items() if _matches(d, function)}
        if not chosen:
            raise AuditError(f"no solution region in a function named {function!r} in {assignment} "
                             f"(there are {len(regions)}: {', '.join(sorted(regions)[:6])}"
                             f"{'...' if len(regions) > 6 else ''})")
        regions = chosen

    # The mutants, with those not worth grading marked skipped.
    mutants = []
    for rel, text in modules.items():
        if any(r == rel for r, _ in regions.values()):
            wanted = {q for r, q in regions.values() if r == rel}
            mutants += [m for m in module_mutants(text, rel) if m.function in wanted]
    to_grade = [m for m in mutants if not m.skipped]
    if not to_grade:
        raise AuditError(f"no mutant to grade: {source_dir} has no solution region (### BEGIN SOLUTION ... "
                         f"### END SOLUTION) with code in it")
    workers = max(1, workers or os.cpu_count() or 1)
    insecure = not isolation_available()
    names = [t.name for t in tests]

    scratch = tempfile.mkdtemp(prefix="mutation-audit-")
    pool = None
    # One BLAS thread per process, as in a class run (classrun/local.py): the pool's processes, and
    # the sandboxes they start, take the environment as it is when they start.
    try:
        with single_threaded_blas():
            if progress:
                print(f"audit: {len(to_grade)} mutants of {len(regions)} functions ({len(mutants) - len(to_grade)} "
                      f"skipped); grading the reference solution with the {len(tests)} tests first",
                      file=sys.stderr, flush=True)
            pool = _pool(min(workers, len(to_grade)), source_dir, scratch, insecure)
            baseline = {r["name"]: r for r in pool.submit(_baseline, names).result()}
            jobs = _jobs(to_grade, tests, baseline, _imports(modules))
            outcomes = {}
            bar = _progress_bar(len(jobs), progress)
            try:
                for future in as_completed([pool.submit(_grade, job) for job in jobs]):
                    outcome = future.result()
                    outcomes[outcome["id"]] = outcome
                    bar.update(1)
            finally:
                bar.close()
    except BrokenProcessPool:
        raise AuditError("a process of the audit died (out of memory?); nothing was reported") from None
    except SandboxError as exc:
        raise AuditError(f"the sandbox failed while grading the reference solution: {exc}") from None
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(scratch, ignore_errors=True)
    broken = [t.name for t in tests if baseline.get(t.name, {}).get("status") != "passed"]
    return _report(assignment, course, tests, baseline, broken, mutants, to_grade, outcomes, regions,
                   equivalents, workers, insecure,
                   time.monotonic() - started, whole=function is None)


def _jobs(to_grade, tests, baseline, reach):
    """What each mutant's process needs: its text, its own tests, the others that reach its module
    and the time they may take."""
    by_name = {t.name: t for t in tests}
    usable = [t.name for t in tests if baseline[t.name]["status"] == "passed"]
    module_names = set(reach)

    def reaches(name, module):
        targets = baseline[name]["targets"]
        if by_name[name].fresh or not targets:
            return True  # a test that reads source text, or calls nothing: it may see any change
        return any(module in reach.get(_module_of(t, module_names), ()) for t in targets)

    jobs = []
    for index, mutant in enumerate(to_grade):
        module = _dotted(mutant.file)
        dotted = module + (f".{mutant.function}" if mutant.function else "")
        own = [n for n in usable if by_name[n].function == dotted] or [n for n in usable if reaches(n, module)]
        others = [n for n in usable if n not in own and reaches(n, module)]
        seconds = [sum(baseline[n]["seconds"] for n in part) for part in (own, others)]
        slowest = max([baseline[n]["seconds"] for n in own + others] or [1.0])
        jobs.append({"id": index, "file": mutant.file, "text": mutant.text, "own": own, "others": others,
                     "budget": [SLOWER * s + SPARE_SECONDS for s in seconds],
                     "call_seconds": min(20.0, max(5.0, SLOWER * slowest))})
    return jobs


def _progress_bar(total, shown):
    from tqdm import tqdm
    return tqdm(total=total, desc="mutants", unit="mutant", disable=not shown, file=sys.stderr)


def _report(assignment, course, tests, baseline, broken, mutants, to_grade, outcomes, regions, equivalents,
            workers, insecure, seconds, whole):
    graded_index = {id(m): i for i, m in enumerate(to_grade)}
    failing_tests = set()   # tests that failed on at least one mutant
    fired = {}              # test name -> diagnosis ids it named on some mutant
    functions = {}
    for dotted, (rel, qualname) in sorted(regions.items()):
        functions[dotted] = {"function": dotted, "file": rel, "generated": 0, "skipped": 0, "graded": 0,
                             "killed": 0, "killed_elsewhere": 0, "survived": 0, "equivalent": 0,
                             "not_graded": 0, "survivors": [], "skips": {}}
    used_equivalents = set()
    stale = []
    for mutant in mutants:
        dotted = _dotted(mutant.file) + (f".{mutant.function}" if mutant.function else "")
        entry = functions[dotted]
        entry["generated"] += 1
        if mutant.skipped:
            entry["skipped"] += 1
            reason = mutant.skipped.split(" as ")[0] if mutant.skipped.startswith("same byte code") else mutant.skipped
            entry["skips"][reason] = entry["skips"].get(reason, 0) + 1
            continue
        outcome = outcomes[graded_index[id(mutant)]]
        if "error" in outcome:
            entry["not_graded"] += 1
            continue
        entry["graded"] += 1
        ran = outcome["own"] + outcome["others"]
        for result in ran:
            if result["status"] != "passed":
                failing_tests.add(result["name"])
                if result["diagnosis"]:
                    fired.setdefault(result["name"], set()).add(result["diagnosis"])
        listed = next((e for e in equivalents if e.matches(mutant)), None)
        if listed is not None:
            used_equivalents.add(listed)
        killer = next((r for r in ran if r["status"] != "passed"), None)
        if killer is not None:
            own = any(r["status"] != "passed" for r in outcome["own"])
            entry["killed" if own else "killed_elsewhere"] += 1
            if listed is not None:
                stale.append(f"{EQUIVALENTS_FILE} lists {mutant.diff} as equivalent, but {killer['name']} "
                             f"fails on it: remove the entry")
            continue
        same = all(r["digest"] == baseline[r["name"]]["digest"] for r in ran)
        survivor = {"diff": mutant.diff, "file": mutant.file, "line": mutant.line, "operator": mutant.operator,
                    "old": mutant.old, "new": mutant.new, "looks_equivalent": same,
                    "equivalent": listed.reason if listed is not None else ""}
        entry["equivalent" if listed is not None else "survived"] += 1
        entry["survivors"].append(survivor)
    for entry in equivalents if whole else ():  # (with --function, other functions' entries match nothing)
        if entry not in used_equivalents:
            stale.append(f"{EQUIVALENTS_FILE} lists {entry}, which is no mutant any more: remove or update the "
                         f"entry")

    for dotted, entry in functions.items():
        own = [t for t in tests if t.function == dotted]
        entry["tests"] = {"public": sum(not t.hidden for t in own), "hidden": sum(t.hidden for t in own)}
        entry["named_by_tests"] = bool(own)
        entry["no_hidden_test"] = bool(own) and not any(t.hidden for t in own)
        judged = entry["graded"] - entry["equivalent"]
        entry["score"] = round((entry["killed"] + entry["killed_elsewhere"]) / judged, 4) if judged else None
        entry["tests_never_failing"] = [t.name for t in own if t.name not in failing_tests and t.name not in broken
                                        and not t.fresh] if entry["graded"] else []
        offered = set()
        for test in own:
            offered |= set(baseline.get(test.name, {}).get("offered", ()))
        named = set().union(*(fired.get(t.name, set()) for t in own)) if own else set()
        entry["diagnoses_never_fired"] = sorted(offered - named) if entry["graded"] else []
        entry["survivors"].sort(key=lambda s: (s["line"], s["diff"]))

    listed = list(functions.values())
    totals = {key: sum(f[key] for f in listed) for key in ("generated", "skipped", "graded", "killed",
                                                          "killed_elsewhere", "survived", "equivalent", "not_graded")}
    judged = totals["graded"] - totals["equivalent"]
    totals["score"] = round((totals["killed"] + totals["killed_elsewhere"]) / judged, 4) if judged else None
    totals["looks_equivalent"] = sum(s["looks_equivalent"] and not s["equivalent"] for f in listed for s in f["survivors"])
    return {"assignment": assignment, "course": str(course), "seconds": round(seconds, 1), "workers": workers,
            "insecure": insecure, "operators": list(OPERATORS), "tests": len(tests),
            "tests_failing_on_reference": [{"test": n, "status": baseline.get(n, {}).get("status", "not run"),
                                            "message": baseline.get(n, {}).get("message", "")} for n in broken],
            "stale_equivalents": stale, "totals": totals, "functions": listed}


# -- output ------------------------------------------------------------------------------------------

def report_json(report: dict) -> str:
    return json.dumps(report, indent=2) + "\n"


def _percent(score):
    return "-" if score is None else f"{100 * score:.0f}%"


def console_report(report: dict) -> str:
    """The report as the terminal shows it: a table per function, then the survivors and the
    lists of weak spots."""
    t = report["totals"]
    lines = [f"autograder audit {report['assignment']}: {t['graded']} mutants of {len(report['functions'])} "
             f"functions graded by {report['tests']} tests on {report['workers']} "
             f"worker{'s' * (report['workers'] != 1)} in {report['seconds']:g} s"
             + (" (no isolation on this machine: resource limits only)" if report["insecure"] else "")]
    width = max([len("function")] + [len(f["function"]) for f in report["functions"]])
    header = f"{'function':<{width}}  {'mutants':>7}  {'killed':>6}  {'elsewhere':>9}  {'survived':>8}  {'equiv.':>6}  {'score':>5}"
    lines += ["", header, "-" * len(header)]
    for f in report["functions"]:
        lines.append(f"{f['function']:<{width}}  {f['graded']:>7}  {f['killed']:>6}  {f['killed_elsewhere']:>9}  "
                     f"{f['survived']:>8}  {f['equivalent']:>6}  {_percent(f['score']):>5}")
    lines.append("-" * len(header))
    lines.append(f"{'total':<{width}}  {t['graded']:>7}  {t['killed']:>6}  {t['killed_elsewhere']:>9}  "
                 f"{t['survived']:>8}  {t['equivalent']:>6}  {_percent(t['score']):>5}")
    lines.append(f"({t['generated']} generated, {t['skipped']} skipped: they do not compile, change nothing, or "
                 f"have the byte code of the reference or of another mutant"
                 + (f"; {t['not_graded']} not graded: the sandbox failed" if t["not_graded"] else "") + ")")
    survivors = [(f["function"], s) for f in report["functions"] for s in f["survivors"] if not s["equivalent"]]
    if survivors:
        lines += ["", f"survivors ({len(survivors)}; * = looks equivalent: the same answers, bit for bit, on every "
                      f"call the tests made):"]
        current = None
        for function, s in survivors:
            if function != current:
                lines.append(f"  {function}")
                current = function
            lines.append(f"    {'*' if s['looks_equivalent'] else ' '} {s['diff']}  [{s['operator']}]")
    equivalent = [s for f in report["functions"] for s in f["survivors"] if s["equivalent"]]
    if equivalent:
        lines += ["", f"reviewed equivalents ({len(equivalent)}, {EQUIVALENTS_FILE}): not counted"]
    never = [(f["function"], f["tests_never_failing"]) for f in report["functions"] if f["tests_never_failing"]]
    if never:
        lines += ["", "tests that failed on no mutant:"]
        lines += [f"  {function}: {', '.join(names)}" for function, names in never]
    no_hidden = [f["function"] for f in report["functions"] if f["no_hidden_test"]]
    if no_hidden:
        lines += ["", f"functions without a hidden test: {', '.join(no_hidden)}"]
    unnamed = [f["function"] for f in report["functions"] if not f["named_by_tests"]]
    if unnamed:
        lines += ["", f"functions no test grades by name (graded through the tests that reach them): "
                      f"{', '.join(unnamed)}"]
    silent = [(f["function"], f["diagnoses_never_fired"]) for f in report["functions"] if f["diagnoses_never_fired"]]
    if silent:
        lines += ["", "diagnoses no mutant made a test name:"]
        lines += [f"  {function}: {', '.join(ids)}" for function, ids in silent]
    if report["tests_failing_on_reference"]:
        lines += ["", "tests that fail on the reference solution (left out of the audit):"]
        lines += [f"  {b['test']}: {b['status']} {b['message']}" for b in report["tests_failing_on_reference"]]
    for line in report["stale_equivalents"]:
        lines += ["", f"note: {line}"]
    return "\n".join(lines)
