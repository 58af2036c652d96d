"""The course's pieces fit together: graded functions exist, and each has a gradebook cell worth
exactly the points of its tests."""
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

from autograder.classrun.gradebook import grade_cell_id
from autograder.engine.discovery import load_tests
from autograder.engine.running import Reference

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted({p.parent.parent for p in (REPO / "source").glob("*/tests/public_*.py")})


@pytest.mark.parametrize("source", ASSIGNMENTS, ids=lambda p: p.name)
def test_every_graded_function_exists_in_the_reference(source):
    reference = Reference(source)
    for test in load_tests(source / "tests", include_hidden=True):
        module_path, _, rest = test.function.partition(".")
        parts = test.function.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            if (source / Path(*parts[:cut])).with_suffix(".py").exists():
                obj = reference.module(".".join(parts[:cut]))
                for attr in parts[cut:]:
                    obj = getattr(obj, attr, None)
                assert callable(obj), f"{test.name} grades {test.function}, which the reference lacks"
                break
        else:
            pytest.fail(f"{test.name} grades {test.function}: no module file found")


@pytest.mark.parametrize("source", ASSIGNMENTS, ids=lambda p: p.name)
def test_grade_cells_are_worth_the_points_of_their_tests(source):
    points = defaultdict(float)
    notebooks = {}
    for test in load_tests(source / "tests", include_hidden=True):
        assert test.notebook, f"{test.name}: its test file sets no NOTEBOOK"
        points[test.function] += test.points
        notebooks[test.function] = test.notebook
    for function, total in points.items():
        nb = nbformat.read(source / notebooks[function], as_version=4)
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
        cell = cells.get(grade_cell_id(function))
        assert cell is not None, f"{notebooks[function]} has no grade cell {grade_cell_id(function)}"
        meta = cell.metadata["nbgrader"]
        assert meta["grade"] and meta["locked"] and not meta["solution"]
        assert meta["points"] == total, (f"{grade_cell_id(function)} is worth {meta['points']} points; "
                                         f"its tests add up to {total}")
