"""Wall-clock timing helpers, e.g. for comparing loop and vectorized code."""

from __future__ import annotations

import math
import time
from typing import Any, Callable

__all__ = ["time_function", "format_seconds"]


def time_function(f: Callable[..., Any], *args: Any, repeat: int = 3, **kwargs: Any) -> float:
    """Best wall time of ``f(*args, **kwargs)`` over ``repeat`` calls.

    Args:
        f: the callable to time; its return value is discarded.
        *args, **kwargs: passed to ``f`` on every call.
        repeat: number of calls (at least 1).  The minimum is reported, as it
            is the least disturbed by other activity on the machine.

    Returns:
        Seconds, as a float, measured with ``time.perf_counter``.
    """
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        f(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best


_UNITS = ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns"))


def format_seconds(s: float) -> str:
    """Human-readable duration with three significant digits.

    Examples: ``format_seconds(0.0123) == "12.3 ms"``,
    ``format_seconds(1.2) == "1.20 s"``, ``format_seconds(4.5e-6) == "4.50 µs"``.
    Durations of 1000 s and more are given in whole seconds; zero is ``"0 s"``.

    Args:
        s: a non-negative, finite number of seconds.

    Returns:
        The formatted string.
    """
    s = float(s)
    if not math.isfinite(s) or s < 0:
        raise ValueError(f"expected a non-negative finite duration, got {s!r}")
    if s == 0:
        return "0 s"
    if s >= 999.5:
        return f"{s:.0f} s"
    s = float(f"{s:.3g}")  # round first, so 0.9996 s becomes "1.00 s", not "1000 ms"
    for scale, unit in _UNITS:
        if s >= scale or unit == "ns":
            v = round(s / scale, 6)  # undo float noise such as 99.99999999999999
            if v >= 100:
                return f"{v:.0f} {unit}"
            if v >= 10:
                return f"{v:.1f} {unit}"
            return f"{v:.2f} {unit}"
    raise AssertionError("unreachable")
