"""A compact fingerprint of a wrong answer, for the instructor's class report (trusted side).

When a hidden test fails, the grader keeps a few numbers about the answer it got: enough to tell
whether two students gave the same wrong answer, and how that answer differs from the expected
one, never the answer itself. The class report (``classrun/dashboard.py``) groups students by these
fingerprints; the groups nobody's ``Diagnosis`` explains are where the next diagnosis comes from.

A fingerprint is for the instructor only: ``job.py`` keeps the fingerprints in the record's
``answers`` (the results file under ``autograded/``, which the instructor owns); grades.json, the
feedback pages and every export leave them out, and ``autograder check`` never makes any (it runs
public tests only).

Kinds (every fingerprint has ``kind`` and ``what``, the test's own name for the compared value):

- ``value``: a numeric answer of the right shape that disagrees. ``sketch`` holds ``SKETCH``
  projections of (answer - expected) / scale onto fixed pseudo-random directions, the same for
  every student, so two answers that agree to a tolerance have sketches that agree to it too;
  ``scale`` is the root mean square of the expected value; ``diff_rms``, ``diff_max``,
  ``diff_mean`` and ``diff_std`` describe the difference in units of that scale; ``factor`` is the best c with
  answer = c * expected and ``factor_misfit`` how far the answer is from that line (same units);
  ``wrong`` counts the entries that disagree.
- ``shape``: a numeric answer of the wrong shape (``shape`` and ``expected_shape``).
- ``nonfinite``: an answer with nan or inf (``nan``, ``inf``: how many entries).
- ``type``: not a numeric array at all (``type``: the Python type's name).
- ``raised``: the student's code raised; ``exception`` (its type's name), ``file`` and ``line``
  where (the deepest frame in the submission's files) and ``code``, that line's text.
"""
import re
from pathlib import PurePosixPath

import numpy as np

SKETCH = 6           # projections kept per wrong value
MAX_ENTRIES = 200_000  # larger answers are sketched on a fixed subset of their entries
MAX_TEXT = 160       # characters of a code line or a name kept


def _num(x, digits=4):
    """A float rounded to ``digits`` significant digits (JSON-safe: nan and inf become None)."""
    x = float(x)
    if not np.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


def _directions(size):
    """``SKETCH`` fixed unit-length directions in R^size: the same in every process and run."""
    rng = np.random.default_rng(0x5EED + size)
    return rng.standard_normal((SKETCH, size)) / np.sqrt(size)


def value(actual, expected, what, rtol=0.0, floor=0.0):
    """The fingerprint of a finite numeric ``actual`` that disagrees with ``expected`` (same
    shape). ``rtol`` and ``floor``: the comparison's tolerance, to count the entries it rejects
    (|a - e| > rtol * max(|a| + |e|, floor); 0 counts every entry that differs)."""
    a = np.asarray(actual, dtype=np.float64).ravel()
    e = np.asarray(expected, dtype=np.float64).ravel()
    diff = a - e
    rms = float(np.sqrt(np.mean(e * e))) if e.size else 0.0
    scale = rms if rms > 0 else (float(np.sqrt(np.mean(a * a))) if a.size else 0.0) or 1.0
    d = diff / scale
    if d.size > MAX_ENTRIES:
        d = d[np.linspace(0, d.size - 1, MAX_ENTRIES).astype(np.int64)]
    sketch = _directions(d.size) @ d if d.size else np.zeros(SKETCH)
    ee = float(e @ e)
    factor = float(a @ e) / ee if ee > 0 else 0.0
    misfit = float(np.sqrt(np.mean((a - factor * e) ** 2))) / scale if a.size else 0.0
    wrong = np.abs(diff) > rtol * np.maximum(np.abs(a) + np.abs(e), floor)
    return {"kind": "value", "what": str(what)[:MAX_TEXT], "shape": list(np.shape(actual)),
            "sketch": [_num(s, 6) for s in sketch], "scale": _num(rms),
            "diff_rms": _num(np.sqrt(np.mean(d * d)) if d.size else 0.0),
            "diff_max": _num(np.max(np.abs(diff)) / scale if diff.size else 0.0),
            "diff_mean": _num(np.mean(diff) / scale if diff.size else 0.0),
            "diff_std": _num(np.std(diff) / scale if diff.size else 0.0),
            "factor": _num(factor), "factor_misfit": _num(misfit),
            "wrong": int(np.sum(wrong)), "size": int(a.size)}


def shape(what, got, expected):
    """The fingerprint of an answer of shape ``got`` where ``expected`` (a shape) was wanted."""
    return {"kind": "shape", "what": str(what)[:MAX_TEXT], "shape": [int(n) for n in got],
            "expected_shape": [int(n) for n in expected]}


def nonfinite(what, actual):
    """The fingerprint of a numeric answer holding nan or inf."""
    a = np.asarray(actual, dtype=np.float64)
    return {"kind": "nonfinite", "what": str(what)[:MAX_TEXT], "shape": list(a.shape),
            "nan": int(np.sum(np.isnan(a))), "inf": int(np.sum(np.isinf(a)))}


def wrong_type(what, value_):
    """The fingerprint of an answer that is not a numeric array."""
    return {"kind": "type", "what": str(what)[:MAX_TEXT], "type": type(value_).__name__[:MAX_TEXT]}


_NAME = re.compile(r"^[A-Za-z_][\w.]{0,99}$")


def raised(exception, where, read_source):
    """The fingerprint of a call that raised ``exception`` (its type's name, as the child reported
    it) at ``where`` ((relative file, line) in the submission, or None). ``read_source(path)``
    returns a submission file's text (``StudentCode.source``); the line's text is kept so that
    students whose code fails on the same statement group together even when their files differ
    above it. Everything here came from the submission: names are checked, text is cut short."""
    exception = str(exception or "")
    out = {"kind": "raised", "what": "",
           "exception": exception if _NAME.match(exception) else "an exception of its own class",
           "file": "", "line": 0, "code": ""}
    if not where:
        return out
    name, line = where
    path = PurePosixPath(str(name))
    if (path.is_absolute() or ".." in path.parts or path.suffix != ".py" or not isinstance(line, int)
            or isinstance(line, bool) or line < 1):
        return out
    try:
        lines = read_source(str(path)).splitlines()
    except Exception:  # noqa: BLE001 - a file the submission no longer has: no line to show
        return out
    if line <= len(lines):
        out.update(file=str(path)[:MAX_TEXT], line=line, code=" ".join(lines[line - 1].split())[:MAX_TEXT])
    return out
