"""Finding an assignment's graded tests: the ``@graded`` functions of ``tests/public_*.py`` (and
``hidden_*.py``), in file then line order."""
import importlib.util
from pathlib import Path


def load_tests(tests_dir, include_hidden):
    """The ``GradedTest`` objects of ``tests_dir/public_*.py`` (and ``hidden_*.py`` when asked),
    in file then line order. Names must be unique across the files."""
    tests_dir = Path(tests_dir)
    patterns = ["public_*.py"] + (["hidden_*.py"] if include_hidden else [])
    found, names = [], set()
    for pattern in patterns:
        for path in sorted(tests_dir.glob(pattern)):
            module = _import_file(path)
            hidden = path.name.startswith("hidden_")
            notebook = getattr(module, "NOTEBOOK", "")
            inputs_may_change = bool(getattr(module, "INPUTS_MAY_CHANGE", False))
            tests = [obj.graded for obj in vars(module).values() if hasattr(obj, "graded")]
            tests.sort(key=lambda t: t.run.__code__.co_firstlineno)
            for test in tests:
                if test.name in names:
                    raise ValueError(f"two graded tests are named {test.name!r} ({path.name})")
                names.add(test.name)
                found.append(test.__class__(test.name, test.function, test.points, test.run, hidden,
                                            test.notebook or notebook,
                                            test.fresh, inputs_may_change, test.uses))
    return found


def _import_file(path):
    name = f"_autograder_tests_{path.stem}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

