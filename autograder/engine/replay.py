"""Calls into the student's code, recorded and made again alone (trusted side).

A hidden test may judge a function by what the reference computes on the student's other functions
(``Reference.using_student``: the reference net run on the student's layers). Functions that can
tell that context from their own tests, by what ran before them in the same child (a flag the
student's net sets, the forward pass seen just before), could answer nonsense there only and pass
both. So a test records the calls such a context makes (``StudentCode.recording``) and makes
suspicious ones again (``replay_alone``), each in a new child that runs nothing else: there a
function has only its inputs to answer from, as in its own tests. One call per child, because
calls replayed together would hand each other the context again (a later call's inputs carry
what an earlier call returned). A child costs a start (about 0.2 s), so a test replays a sample
(``sample``): one call of every function that deviated, and others at random up to a bound, with
a generator the submission cannot predict.
"""
import copy
import random
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
    """Make each of ``calls`` again in a new child that runs nothing else (one child per call);
    returns those whose answer (or failure) differs from the recorded one. The child is closed
    after each, so nothing of the replay reaches the test's later calls either."""
    differing = []
    for call in calls:
        sandbox.close()
        args, kwargs = copy.deepcopy(call.sent)
        try:
            answer, failed = sandbox.call(call.target, *args, **kwargs), ""
        except StudentCallError as exc:
            answer, failed = None, exc.status
        finally:
            sandbox.close()
        if failed != call.failed or (not failed and not same_answer(answer, call.received)):
            differing.append(call)
    return differing


def sample(calls, most):
    """At most ``most`` of ``calls`` (at least one per target, when there are more targets than
    that, one per target), chosen with the operating system's randomness: a submission cannot know
    which of its answers will be checked alone, so each one it shaded by context risks the test."""
    chooser = random.SystemRandom()
    by_target = {}
    for call in calls:
        by_target.setdefault(call.target, []).append(call)
    chosen = [chooser.choice(group) for group in by_target.values()]
    rest = [c for c in calls if not any(c is other for other in chosen)]
    chooser.shuffle(rest)
    return chosen + rest[:max(0, most - len(chosen))]


def identical_inputs(a, b):
    """Whether two recorded calls sent the same target the same inputs."""
    return a.target == b.target and same_answer(a.sent, b.sent)
