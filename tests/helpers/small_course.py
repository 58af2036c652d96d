"""A small course for the release audit, the student edition and the mutation audit: one assignment
``hw`` with one graded function (``losses.hinge_losses``, a solution region, public and hidden
tests) and a helper package ``coursetools`` that both kinds of test import; no notebook, so no
nbgrader run. Plants (``COPY``, ``RENAMED``, ``REWRITTEN``) are leaks to put into the helper
package; ``HIDDEN_WITH_DIAGNOSES`` is a hidden test that names known mistakes (for the mutation
audit's list of diagnoses no mutant makes a test name)."""
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

LOSSES = '''"""Per-example hinge losses."""
import numpy as np


def hinge_losses(scores, y):
    """The multiclass hinge loss of every row.

    - scores: array of shape (N, C); y: int array of shape (N,).
    Returns an array of shape (N,).
    """
    ### BEGIN SOLUTION
    scores = np.asarray(scores, dtype=np.float64)
    rows = np.arange(scores.shape[0])
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)  # (N, C)
    margins[rows, y] = 0.0
    return margins.sum(axis=1)
    ### END SOLUTION
'''

PUBLIC = '''import numpy as np

from autograder.testing import assert_close, graded
from coursetools.plots import label_of


@graded("losses.hinge_losses", points=1)
def zero_when_the_correct_class_wins_by_more_than_one(student):
    assert_close(student.call("losses.hinge_losses", np.array([[3.0, 0.0, 1.0]]), np.array([0])), np.zeros(1),
                 label_of("a clear winner"))
'''

HIDDEN = '''import numpy as np

from autograder.testing import assert_close, graded
from coursetools.plots import hidden_inputs


@graded("losses.hinge_losses", points=2)
def matches_the_reference(student, reference, rng):
    scores, y = hidden_inputs(rng)
    expected = reference.module("losses").hinge_losses(scores, y)
    assert_close(student.call("losses.hinge_losses", scores, y), expected, "hinge losses of random scores")
'''

# The hidden test, offering diagnoses: a missing margin (which mutants of the region make), a
# squared loss (which none does) and a check that names answers of the wrong shape.
HIDDEN_WITH_DIAGNOSES = '''import numpy as np

from autograder.testing import Diagnosis, assert_close, check, graded
from coursetools.plots import hidden_inputs


@graded("losses.hinge_losses", points=2)
def matches_the_reference(student, reference, rng):
    scores, y = hidden_inputs(rng)
    expected = reference.module("losses").hinge_losses(scores, y)
    rows = np.arange(len(y))
    no_margin = np.maximum(0.0, scores - scores[rows, y][:, None])
    no_margin[rows, y] = 0.0
    got = student.call("losses.hinge_losses", scores, y)
    check(np.ndim(got) == 1, "hinge_losses should return one loss per row", diagnosis="not_one_per_row")
    assert_close(got, expected, "hinge losses of random scores",
                 diagnoses=[Diagnosis("margin_missing", "the margin of 1 is missing", no_margin.sum(axis=1)),
                            Diagnosis("squared", "the losses are squared", expected ** 2)])
'''

PLOTS = '''"""Helpers of the course (a helper package, shipped whole)."""
import numpy as np


def label_of(what):
    return f"hinge losses of {what}"


def hidden_inputs(rng):
    return rng.standard_normal((7, 4)), rng.integers(0, 4, 7)
'''

# The reference body under another name (found by text and by the hidden tests).
COPY = '''import numpy as np


def fast_margins(scores, y):
    scores = np.asarray(scores, dtype=np.float64)
    rows = np.arange(scores.shape[0])
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)
    margins[rows, y] = 0.0
    return margins.sum(axis=1)
'''

# The same code with every name changed: the text comparison sees through it.
RENAMED = '''import numpy as np


def per_row(s, labels):
    s = np.asarray(s, dtype=np.float64)
    idx = np.arange(s.shape[0])
    m = np.maximum(0.0, s - s[idx, labels][:, None] + 1.0)
    m[idx, labels] = 0.0
    return m.sum(axis=1)
'''

# Written another way (loops, nothing in common with the region's text), the graded function's
# signature: only running it against the hidden tests finds it.
REWRITTEN = '''def hinge_losses(scores, y):
    out = []
    for row, label in zip(scores, y):
        total = 0.0
        for j, value in enumerate(row):
            if j != label:
                total += max(0.0, value - row[label] + 1.0)
        out.append(total)
    return out
'''


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def make_course(root, plant=None, hidden_only_used=False):
    """The small course in ``root``. ``plant``: the text of an extra module coursetools/tricks.py;
    ``hidden_only_used``: the public test imports ``hidden_inputs`` too (else only the hidden test
    uses it, and the audit calls it a hidden-only helper)."""
    write(root / "source" / "hw" / "losses.py", LOSSES)
    public = PUBLIC.replace("import label_of", "import hidden_inputs, label_of") if hidden_only_used else PUBLIC
    write(root / "source" / "hw" / "tests" / "public_losses.py", public)
    write(root / "source" / "hw" / "tests" / "hidden_losses.py", HIDDEN)
    write(root / "coursetools" / "__init__.py", "")
    write(root / "coursetools" / "plots.py", PLOTS)
    if plant is not None:
        write(root / "coursetools" / "tricks.py", plant)
    # What the student edition needs of the course: its pins, its version, a student README.
    shutil.copyfile(REPO / "requirements.txt", root / "requirements.txt")
    shutil.copyfile(REPO / "pyproject.toml", root / "pyproject.toml")
    write(root / "for-students" / "README.md", "# hw\n\nRun `make setup`, then `make check ASSIGNMENT=hw`.\n")
    return root
