"""Tests for autograder.authoring.release: stubbing, the nbgrader run, checks, determinism, sync with source/."""
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograder.authoring.release import (
    ReleaseError,
    release_assignment,
    release_is_current,
    strip_solutions,
)

REPO = Path(__file__).resolve().parents[2]

# Text that only appears inside solution regions / hidden tests of the synthetic course.
SECRETS = ("secret-module-solution", "secret-method-solution", "secret-cell-solution",
           "secret-answer", "secret-hidden-test", "secret-hidden-file")


# ---------------------------------------------------------------------------------------------
# strip_solutions
# ---------------------------------------------------------------------------------------------

def test_strip_keeps_indentation_and_surrounding_text():
    text = (
        "import numpy as np  # keep\n"
        "\n"
        "def f(x):\n"
        "    y = x + 1   \n"
        "    ### BEGIN SOLUTION\n"
        "    y = y * 2\n"
        "\n"
        "    ### END SOLUTION\n"
        "    return y\n"
        "# trailing comment, no newline")
    assert strip_solutions(text, "src/mod.py", "pkg/mod.py") == (
        "import numpy as np  # keep\n"
        "\n"
        "def f(x):\n"
        "    y = x + 1   \n"
        "    # YOUR CODE HERE\n"
        '    raise NotImplementedError("f is not written yet: write it in pkg/mod.py")\n'
        "    return y\n"
        "# trailing comment, no newline")


def test_strip_replaces_every_region_and_keeps_line_endings():
    text = ("class A:\r\n"
            "    def g(self):\r\n"
            "        ### BEGIN SOLUTION\r\n"
            "        return 1\r\n"
            "        ### END SOLUTION\r\n"
            "\r\n"
            "def h():\r\n"
            "\t### BEGIN SOLUTION\r\n"
            "\treturn 2\r\n"
            "\t### END SOLUTION\r\n")
    assert strip_solutions(text, "m.py") == ("class A:\r\n"
                                             "    def g(self):\r\n"
                                             "        # YOUR CODE HERE\r\n"
                                             '        raise NotImplementedError("A.g is not written yet: write it in m.py")\r\n'
                                             "\r\n"
                                             "def h():\r\n"
                                             "\t# YOUR CODE HERE\r\n"
                                             '\traise NotImplementedError("h is not written yet: write it in m.py")\r\n')


def test_strip_begin_without_end_names_file_and_line():
    text = "def f():\n    ### BEGIN SOLUTION\n    return 1\n"
    with pytest.raises(ReleaseError, match=r"^mod\.py:2: .*BEGIN SOLUTION.*no matching"):
        strip_solutions(text, "mod.py")


def test_strip_end_without_begin_names_file_and_line():
    text = "def f():\n    return 1\n    ### END SOLUTION\n"
    with pytest.raises(ReleaseError, match=r"^mod\.py:3: .*END SOLUTION.*without"):
        strip_solutions(text, "mod.py")


def test_strip_nested_begin_is_an_error():
    text = "### BEGIN SOLUTION\nx = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION\n"
    with pytest.raises(ReleaseError, match=r"^m\.py:3: .*nested") as info:
        strip_solutions(text, "m.py")
    assert isinstance(info.value, ValueError)


# ---------------------------------------------------------------------------------------------
# A tiny synthetic course
# ---------------------------------------------------------------------------------------------

MODULE = '''"""A tiny student module."""


def square(x):
    """Return x squared."""
    ### BEGIN SOLUTION
    return x * x  # secret-module-solution
    ### END SOLUTION


class Box:
    def volume(self, a, b, c):
        ### BEGIN SOLUTION
        return a * b * c  # secret-method-solution
        ### END SOLUTION
'''


def _nbgrader_meta(grade_id, *, solution, grade, locked, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _notebook():
    cells = [
        {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": "# Squares"},
        {"cell_type": "code", "id": "solution", "execution_count": 3, "outputs": [],
         "metadata": _nbgrader_meta("square-cell", solution=True, grade=False, locked=False),
         "source": "def cube(x):\n    ### BEGIN SOLUTION\n    return x ** 3  # secret-cell-solution\n"
                   "    ### END SOLUTION\n"},
        {"cell_type": "code", "id": "tests", "execution_count": None, "outputs": [],
         "metadata": _nbgrader_meta("cube-tests", solution=False, grade=True, locked=True, points=1),
         "source": "assert cube(2) == 8\n### BEGIN HIDDEN TESTS\n"
                   "assert cube(3) == 27  # secret-hidden-test\n### END HIDDEN TESTS\n"},
        # no id: nbformat would invent a random one, the release must not
        {"cell_type": "markdown", "metadata": _nbgrader_meta("answer", solution=True, grade=True,
                                                             locked=False, points=1),
         "source": "**Your answer:**\n\n### BEGIN SOLUTION\nsecret-answer\n### END SOLUTION"},
    ]
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                                        "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _make_course(root, with_notebook=True):
    src = root / "source" / "hw"
    if with_notebook:
        _write(src / "squares.ipynb", json.dumps(_notebook(), indent=1))
        # nbgrader itself only sees notebooks at the top of an assignment
        _write(src / "extra" / "squares.ipynb", json.dumps(_notebook()))
    _write(src / "geometry" / "__init__.py", "")
    _write(src / "geometry" / "shapes.py", MODULE)
    _write(src / "tests" / "public_x.py", "from geometry.shapes import square\n\n\n"
                                          "def test_square():\n    assert square(2) == 4\n")
    _write(src / "tests" / "hidden_x.py", "# secret-hidden-file\n")
    return root


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The synthetic course released twice in place (two nbgrader runs for the whole module)."""
    course = _make_course(tmp_path_factory.mktemp("course"))
    folder = release_assignment("hw", course, quiet=True)
    first = _snapshot(folder)
    again = release_assignment("hw", course, quiet=True)
    return SimpleNamespace(course=course, folder=folder, again=again, first=first,
                           second=_snapshot(again))


def test_release_stubs_the_module(released):
    shapes = (released.folder / "geometry" / "shapes.py").read_text()
    assert released.folder == released.course / "release" / "hw"
    assert shapes == strip_solutions(MODULE, "shapes.py", "geometry/shapes.py")
    # Each stub names its function and the file to write it in, as the student sees the folder.
    assert ('    # YOUR CODE HERE\n    raise NotImplementedError("square is not written yet: '
            'write it in geometry/shapes.py")\n') in shapes
    assert ('        # YOUR CODE HERE\n        raise NotImplementedError("Box.volume is not written yet: '
            'write it in geometry/shapes.py")\n') in shapes


def test_release_contains_no_solution_text(released):
    for rel, data in released.first.items():
        for secret in SECRETS + ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS"):
            assert secret.encode() not in data, f"{secret!r} leaked into {rel}"


def test_release_has_public_test_and_no_hidden_test(released):
    assert sorted(released.first) == ["extra/squares.ipynb", "geometry/__init__.py",
                                      "geometry/shapes.py", "squares.ipynb", "tests/public_x.py"]
    assert released.first["tests/public_x.py"] == (
        released.course / "source" / "hw" / "tests" / "public_x.py").read_bytes()


def test_notebook_solutions_replaced_by_nbgrader_stubs(released):
    nb = json.loads(released.first["squares.ipynb"])
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}
    code = "".join(cells["square-cell"]["source"])
    assert code == ('def cube(x):\n    # YOUR CODE HERE\n    raise NotImplementedError("the square-cell cell '
                    'is not written yet: write it in this cell")\n')
    assert cells["square-cell"]["execution_count"] is None
    assert "".join(cells["answer"]["source"]) == "**Your answer:**\n\nYOUR ANSWER HERE"
    assert "".join(cells["cube-tests"]["source"]) == "assert cube(2) == 8\n"
    # nbgrader's bookkeeping: checksums, locked test cell
    assert "checksum" in cells["cube-tests"]["metadata"]["nbgrader"]
    assert cells["cube-tests"]["metadata"]["editable"] is False
    assert all(c.get("id") for c in nb["cells"])
    # a notebook in a subfolder gets the same treatment
    assert released.first["extra/squares.ipynb"] == released.first["squares.ipynb"]


def test_second_release_is_byte_identical(released):
    assert released.again == released.folder
    assert released.second == released.first
    # nothing left next to the release: no build folders, no gradebook
    assert sorted(p.name for p in released.folder.parent.iterdir()) == ["hw"]
    assert not list(released.course.rglob("gradebook.db"))


def test_malformed_notebook_is_reported_and_keeps_previous_release(released, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(released.course, course)
    (course / "source" / "hw" / "broken.ipynb").write_text('{"cells": [ oops')
    before = _snapshot(course / "release" / "hw")
    with pytest.raises(ReleaseError, match=r"broken\.ipynb") as info:
        release_assignment("hw", course, quiet=True)
    message = str(info.value)
    assert "\n" not in message and "JSON" in message
    assert _snapshot(course / "release" / "hw") == before
    assert sorted(p.name for p in (course / "release").iterdir()) == ["hw"]


# ---------------------------------------------------------------------------------------------
# Checks that need no notebook (fast: no nbgrader run)
# ---------------------------------------------------------------------------------------------

def test_private_and_generated_files_are_not_released(tmp_path):
    course = _make_course(tmp_path, with_notebook=False)
    src = course / "source" / "hw"
    _write(src / "tests" / "conftest.py", "")
    _write(src / "tests" / "__init__.py", "")
    _write(src / "tests" / "data" / "public_inputs.json", "[1, 2]")
    _write(src / "reference_shapes.py", "def square(x):\n    return x * x\n")
    _write(src / "Solutions" / "notes.md", "all answers\n")
    _write(src / "geometry" / "__pycache__" / "shapes.cpython-311.pyc", "junk")
    _write(src / "geometry" / "old.pyc", "junk")
    _write(src / ".ipynb_checkpoints" / "squares-checkpoint.ipynb", "{}")
    _write(src / "README.md", "Read me.\n")
    (src / "images").mkdir()
    (src / "images" / "cat.png").write_bytes(bytes(range(256)))
    folder = release_assignment("hw", course, quiet=True)
    assert sorted(_snapshot(folder)) == [
        "README.md", "geometry/__init__.py", "geometry/shapes.py", "images/cat.png",
        "tests/data/public_inputs.json", "tests/public_x.py"]
    assert (folder / "images" / "cat.png").read_bytes() == bytes(range(256))


def test_summary_is_printed(tmp_path, capsys):
    course = _make_course(tmp_path, with_notebook=False)
    release_assignment("hw", course)
    out = capsys.readouterr().out
    assert "0 notebooks, 1 module stubbed (2 regions), 2 files copied" in out


def test_stub_that_drops_a_function_is_rejected(tmp_path):
    course = _make_course(tmp_path, with_notebook=False)
    _write(course / "source" / "hw" / "geometry" / "extra.py",
           "### BEGIN SOLUTION\ndef helper():\n    return 1\n### END SOLUTION\n")
    with pytest.raises(ReleaseError, match=r"geometry/extra\.py: stubbing dropped helper"):
        release_assignment("hw", course, quiet=True)
    assert not (course / "release" / "hw").exists()
    assert list((course / "release").iterdir()) == []


def test_module_that_does_not_import_is_rejected_and_old_release_kept(tmp_path):
    course = _make_course(tmp_path, with_notebook=False)
    folder = release_assignment("hw", course, quiet=True)
    before = _snapshot(folder)
    _write(course / "source" / "hw" / "geometry" / "shapes.py",
           MODULE + "\n### BEGIN SOLUTION\nSIDE = 2\n### END SOLUTION\n")
    with pytest.raises(ReleaseError, match=r"geometry/shapes\.py does not import "
                                           r"\(import geometry\.shapes\): NotImplementedError"):
        release_assignment("hw", course, quiet=True)
    assert _snapshot(folder) == before
    assert sorted(p.name for p in (course / "release").iterdir()) == ["hw"]


def test_leaked_marker_in_a_copied_file_is_rejected(tmp_path):
    course = _make_course(tmp_path, with_notebook=False)
    _write(course / "source" / "hw" / "notes.md", "intro\n\n### BEGIN HIDDEN TESTS\n")
    with pytest.raises(ReleaseError, match=r"notes\.md \(line 3.*'BEGIN HIDDEN TESTS'"):
        release_assignment("hw", course, quiet=True)


def test_release_is_current_reports_every_difference(tmp_path):
    course = _make_course(tmp_path, with_notebook=False)
    folder = release_assignment("hw", course, quiet=True)
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "x.pyc").write_bytes(b"ignored")
    assert release_is_current("hw", course) == (True, [])
    (folder / "geometry" / "shapes.py").write_text(MODULE)  # the solution, committed by mistake
    (folder / "tests" / "public_x.py").unlink()
    (folder / "stale.txt").write_text("old")
    current, differences = release_is_current("hw", course)
    assert not current
    assert differences == [
        "differs from a fresh release: release/hw/geometry/shapes.py",
        "not produced by the source (stale) in release/hw: stale.txt",
        "missing from release/hw: tests/public_x.py",
    ]


# ---------------------------------------------------------------------------------------------
# The real course
# ---------------------------------------------------------------------------------------------

def test_committed_release_of_assignment1_is_current():
    current, differences = release_is_current("assignment1", REPO)
    assert current, ("release/assignment1 is out of date with source/assignment1; regenerate it "
                     "with `autograder release assignment1`:\n" + "\n".join(differences))


def test_committed_release_of_assignment0_is_current():
    current, differences = release_is_current("assignment0", REPO)
    assert current, ("release/assignment0 is out of date with source/assignment0; regenerate it "
                     "with `autograder release assignment0`:\n" + "\n".join(differences))
