"""What a student sees of a test: public tests show everything, hidden tests only what the
submission cannot steer with the hidden inputs.

A submission that receives a hidden input can compute anything from it and then choose how to
fail: which exception, raised on which line, a time-out or a crash, which argument it changes in
place, which type it returns. Each choice that reached the feedback would carry bits of the input
out (an exception type and a line number were about 30 bits per test, enough to read a float to
six digits). So a hidden test's result says only:

- ``passed`` or ``failed`` (an error, a time-out and a stub all read "failed", with one fixed
  message), and ``not_implemented`` only when every public test of the same function said so too,
  which the public inputs decide, not the hidden ones;
- the failure message the test's author wrote (``TestFailure.message``: names and advice; numbers
  the student's code returned, sizes and shapes stay in ``detail``, shown for public tests only);
- the id and advice of a recognised mistake (``diagnosis``), and the points.

What remains is documented in docs/threat-model.md ("Narrow side channels remain in hidden tests").
"""
NOT_IMPLEMENTED = "not implemented yet: fill in the stub"
# One text for every hidden call that gave no value, whatever the reason: the reason is the
# submission's choice.
NO_ANSWER = ("your code gave no answer here: it raised an exception, ran out of time or is not written "
             "yet (hidden tests do not say which, nor where: the public tests and your notebook do)")
UNCHECKABLE = "could not check the answer: check the type and shape of what your function returns"


def array_kind(shape):
    """How a hidden test names an input array in its messages: its kind, never its size (sizes are
    inputs too). ``shape``: a tuple such as ``x.shape``."""
    return {0: "a number", 1: "a vector", 2: "a matrix", 3: "a three-dimensional array"}.get(
        len(shape), "an array of four or more dimensions")


def student_message(exc, hidden):
    """What a test says about a call that gave no value (``StudentCallError``). Public tests show the
    whole message; hidden tests one fixed text (``NOT_IMPLEMENTED`` for a stub, settled at the end
    of the run by ``settle_hidden``)."""
    if exc.status == "not_implemented":
        return NOT_IMPLEMENTED
    if hidden:
        return NO_ANSWER
    if exc.status == "timeout":
        return f"timed out: {exc.message}"  # the grader's own words
    return exc.message


def hidden_status(status, message):
    """A hidden test's (status, message) as the student may see them: an error or a time-out is a
    failure with ``NO_ANSWER``; ``not_implemented`` stays until ``settle_hidden`` decides."""
    if status in ("error", "timeout"):
        return "failed", NO_ANSWER
    return status, message


def settle_hidden(tests, results):
    """A hidden test keeps ``not_implemented`` only when every public test of its function said
    ``not_implemented`` in this run (the public inputs decide that, not the hidden ones); otherwise
    it reads as a failure with ``NO_ANSWER``. ``results`` are ``TestResult`` objects in the order of
    ``tests``; changed in place and returned."""
    stubs = {}
    for test, result in zip(tests, results):
        if not test.hidden:
            stubs[test.function] = stubs.get(test.function, True) and result.status == "not_implemented"
    for test, result in zip(tests, results):
        if test.hidden and result.status == "not_implemented" and not stubs.get(test.function, False):
            result.status, result.message, result.diagnosis = "failed", NO_ANSWER, ""
    return results
