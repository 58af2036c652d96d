"""Calls into the student's code, recorded and made again alone (trusted side).

A hidden test may judge a function by what the reference computes on the student's other functions
(``Reference.using_student``: the reference net run on the student's layers). Functions that can
tell that context from their own tests, by what ran before them in the same child, could answer
nonsense there only and pass both. So a test records the calls such a context makes
(``StudentCode.recording``) and makes the suspicious ones again (``replay_alone``) in a new child
that runs nothing else, newest first: no call then follows the calls that produced its inputs, and
the first one replayed has nothing before it at all. A function that answers the same there
answers from its inputs alone, as in its own tests.
"""
import copy
from dataclasses import dataclass, field

import numpy as np

from ..sandbox import StudentCallError


@dataclass
class Call:
    """One call into the student's code: ``target`` (dotted path), the arguments as sent, the
    answer as received (``None`` when it gave none: then ``failed`` holds the status), and copies
    of both made at the time (the caller may change the originals later; the originals are kept
    for identity: which call's answer another call received)."""
    target: str
    args: tuple
    kwargs: dict
    answer: object = None
    failed: str = ""
    sent: tuple = field(default=None, repr=False)      # deep copy of (args, kwargs)
    received: object = field(default=None, repr=False)  # deep copy of answer

    def name(self):
        return self.target.rsplit(".", 1)[-1]


def record(calls, target, args, kwargs, make):
    """``make()`` (a call into the sandbox), appended to ``calls`` as a ``Call``; returns its value
    or raises its ``StudentCallError``."""
    call = Call(target, args, kwargs, sent=copy.deepcopy((args, kwargs)))
    calls.append(call)
    try:
        call.answer = make()
    except StudentCallError as exc:
        call.failed = exc.status
        raise
    call.received = copy.deepcopy(call.answer)
    return call.answer


def same_answer(a, b):
    """Whether two decoded answers are identical: the same structure, dtypes and values (nan equal
    to nan). A function that computes from its inputs alone gives identical answers."""
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(same_answer(x, y) for x, y in zip(a, b)))
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(same_answer(a[k], b[k]) for k in a))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return (a.shape == b.shape and a.dtype == b.dtype
                and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    return type(a) is type(b) and (a == b or (a != a and b != b))


def replay_alone(sandbox, calls):
    """Make ``calls`` again in a new child that runs nothing else, newest first; returns those whose
    answer (or failure) differs from the recorded one. The child is closed before and after, so
    nothing of the replay reaches the test's later calls either."""
    if not calls:
        return []
    differing = []
    sandbox.close()
    try:
        for call in reversed(calls):
            args, kwargs = copy.deepcopy(call.sent)
            try:
                answer, failed = sandbox.call(call.target, *args, **kwargs), ""
            except StudentCallError as exc:
                answer, failed = None, exc.status
            if failed != call.failed or (not failed and not same_answer(answer, call.received)):
                differing.append(call)
    finally:
        sandbox.close()
    return differing
