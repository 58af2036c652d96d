"""What a student sees of a call that gave no value: public tests show everything, hidden tests only
what the submission cannot choose (so it cannot read hidden inputs back out of its feedback)."""
import builtins
from pathlib import PurePosixPath

from .api import TestFailure

# Exception names a hidden test may show: the language's and numpy's own. Any other name was
# chosen by the submission and could spell out a hidden input.
KNOWN_EXCEPTIONS = frozenset(
    [name for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, BaseException)]
    + ["LinAlgError", "AxisError", "ComplexWarning", "TooHardError", "DTypePromotionError"])


def student_message(exc, hidden, student):
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

