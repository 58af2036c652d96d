"""`autograder similarity` on generated classes: a copy in any of the usual disguises ranks above
every honest pair, honest students who write the common code alike are not flagged, the starter
code scores 0, and the course's own independently written correct solutions stay below the
default threshold."""
import ast
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.demo.run import rename_names, reorder_functions, rewrite_comments
from autograder.authoring.release import strip_solutions
from autograder.similarity.compare import DEFAULT_THRESHOLD, compare_class

# The net suites' correct styles make a realistic class of independent solutions.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mutation"))
import test_deep_net_tests as deep  # noqa: E402
import test_net_tests as net  # noqa: E402

from net_variants import Def, edited

REPO = Path(__file__).resolve().parents[2]
RELEASE = REPO / "release" / "assignment1"
SOURCE = REPO / "source" / "assignment1"
MODULES = ("layers.py", "optim.py", "schedules.py", "classifiers/fc_net.py")


def stubs():
    return {name: strip_solutions((SOURCE / name).read_text(), name) for name in MODULES}


def reference():
    return {name: (SOURCE / name).read_text() for name in MODULES}


def with_functions(base, replacements):
    """``base`` modules with whole functions replaced: [(file, Def, code)]."""
    return edited(*replacements, base=base)


def write_class(root, students):
    """``root/<student>/assignment1``: the released folder with the student's modules."""
    for student, modules in students.items():
        folder = root / student / "assignment1"
        shutil.copytree(RELEASE, folder, ignore=shutil.ignore_patterns("*.ipynb"))
        for name, text in modules.items():
            (folder / name).write_text(text)
    return root


def compare(tmp_path, students):
    return compare_class(write_class(tmp_path / "submitted", students), RELEASE, workers=1, progress=False)


def score(report, a, b):
    found = [p["score"] for p in report.pairs if {p["a"], p["b"]} == {a, b}]
    return found[0] if found else 0.0


# -- honest students: the course's correct alternatives, each on top of the stubs -------------------

def honest_layers():
    return with_functions(stubs(), [("layers.py", Def(name), code) for name, code in net.LAYERS_ALTERNATIVES]
                          + [("layers.py", Def("maxout_forward"), deep.MAXOUT_PIECE_BY_PIECE),
                             ("layers.py", Def("maxout_backward"), deep.MAXOUT_BACKWARD_ONE_HOT)])


def honest_rest():
    return with_functions(stubs(), [
        ("optim.py", Def("sgd_momentum"), net.MOMENTUM_IN_PLACE),
        ("optim.py", Def("rmsprop"), net.RMSPROP_IN_PLACE),
        ("optim.py", Def("adam"), net.ADAM_EFFICIENT),
        ("optim.py", Def("adagrad"), deep.ADAGRAD_IN_PLACE),
        ("classifiers/fc_net.py", Def("loss", method=True, cls="TwoLayerNet"), net.NET_WITHOUT_LAYERS),
        ("classifiers/fc_net.py", Def("__init__", method=True, cls="TwoLayerNet"), net.NET_INIT_WITH_NORMAL),
        ("classifiers/fc_net.py", Def("__init__", method=True, cls="FullyConnectedNet"), deep.DEEP_INIT_WITH_ZIP),
        ("classifiers/fc_net.py", Def("loss", method=True, cls="FullyConnectedNet"), deep.DEEP_LOSS_WITHOUT_LAYERS),
    ] + [("schedules.py", Def(name), code) for name, code in net.SCHEDULES_WITH_NUMPY])


def honest_mixed():
    """A third style: the other alternatives of the deep-net suite."""
    return with_functions(stubs(), [
        ("layers.py", Def("maxout_forward"), deep.MAXOUT_TAKE_ALONG_AXIS),
        ("layers.py", Def("maxout_backward"), deep.MAXOUT_FIRST_MAXIMUM_MASK),
        ("optim.py", Def("adagrad"), deep.ADAGRAD_WITH_NUMPY_FUNCTIONS),
        ("classifiers/fc_net.py", Def("__init__", method=True, cls="FullyConnectedNet"), deep.DEEP_INIT_WITH_NORMAL),
        ("classifiers/fc_net.py", Def("loss", method=True, cls="FullyConnectedNet"), deep.DEEP_LOSS_WITH_SEPARATE_LAYERS),
    ])


# -- disguises of a copied solution ---------------------------------------------------------------

# Every name a copier might rename in the reference's layers, optim, schedules and fc_net (function
# and class names excepted: the grader calls those).
RENAMES = {"out": "result", "cache": "memo", "dx": "grad_in", "rows": "flat_rows", "x": "inputs",
           "dout": "upstream", "num_train": "n_examples", "values": "piece_vals", "winner": "best",
           "dw": "grad_w", "db": "grad_b", "config": "settings", "next_w": "w_new", "hidden": "act",
           "loss": "objective", "grads": "gradients", "scores": "logits", "caches": "stack"}


def renamed(text):
    return rename_names(text, RENAMES)


def reformatted(text):
    return ast.unparse(ast.parse(text)) + "\n"


def reordered(text):
    """Adjacent one-line assignments that do not depend on each other, swapped."""
    lines = text.splitlines()
    tree = ast.parse(text)
    swapped = 0
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for first, second in zip(body, body[1:]):
            if not all(isinstance(s, ast.Assign) and s.lineno == s.end_lineno for s in (first, second)):
                continue
            names = [({n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)},
                      {n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)})
                     for s in (first, second)]
            if names[0][1] & (names[1][0] | names[1][1]) or names[1][1] & names[0][0]:
                continue
            i, j = first.lineno - 1, second.lineno - 1
            lines[i], lines[j] = lines[j], lines[i]
            swapped += 1
    assert swapped >= 5, "the reordering disguise found too few independent statements"
    return "\n".join(lines) + "\n"


SPLITS = [("    out = rows @ w + b  # (N, M)\n", "    product = rows @ w\n    out = product + b\n"),
          ("    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))  # (N, C)\n",
           "    total = np.sum(np.exp(shifted), axis=1, keepdims=True)\n    log_probs = shifted - np.log(total)\n"),
          ("    dx = (dout @ w.T).reshape(x.shape)  # (N, D) -> (N, d_1, ..., d_k)\n",
           "    dx_rows = dout @ w.T\n    dx = dx_rows.reshape(x.shape)\n")]


def split_into_temporaries(text):
    for old, new in SPLITS:
        assert text.count(old) == 1, f"reference layers.py changed: {old!r}"
        text = text.replace(old, new)
    return text


def with_dead_code(text):
    return re.sub(r"^( *)### BEGIN SOLUTION\n", lambda m: f"{m.group(0)}{m.group(1)}unused_total = 0\n"
                  f"{m.group(1)}if unused_total > 1:\n{m.group(1)}    print('debug')\n", text, flags=re.M)


def with_a_syntax_error(text):
    """A copy that no longer parses: compared as tokens, function by function."""
    return text.replace("def softmax_loss(x, y):", "def softmax_loss(x, y) this does not parse:\n    (", 1)


DISGUISES = {"renamed variables": renamed, "does not parse any more": with_a_syntax_error, "comments and docstrings changed": rewrite_comments,
             "functions reordered": reorder_functions,
             "reformatted": reformatted, "independent statements reordered": reordered,
             "expressions split into temporaries": split_into_temporaries, "dead code added": with_dead_code}


@pytest.mark.parametrize("disguise", list(DISGUISES))
def test_a_disguised_copy_ranks_above_every_honest_pair(tmp_path, disguise):
    original = reference()
    copy = {name: DISGUISES[disguise](text) if name == "layers.py" else text for name, text in original.items()}
    if disguise != "does not parse any more":
        ast.parse(copy["layers.py"])  # the disguise keeps the module valid Python
    report = compare(tmp_path, {"ann": original, "bob": honest_layers(), "cat": honest_rest(),
                                "dan": honest_mixed(), "eve": copy})
    copied = score(report, "ann", "eve")
    honest = max(p["score"] for p in report.pairs if "eve" not in (p["a"], p["b"])) if report.pairs else 0.0
    assert report.pairs[0]["a"] == "ann" and report.pairs[0]["b"] == "eve", json.dumps(report.pairs[:3])
    assert copied >= DEFAULT_THRESHOLD > honest, f"copy {copied}, best honest pair {honest}"


def test_honest_students_who_write_the_common_code_alike_are_not_flagged(tmp_path):
    # Six students; each wrote the schedules the obvious way (the same four one-liners) and their own
    # version of one layer, different from everyone else's.
    common = with_functions(stubs(), [("schedules.py", Def(name), code) for name, code in net.SCHEDULES_WITH_NUMPY])
    students = {}
    for number, (name, code) in enumerate(net.LAYERS_ALTERNATIVES[:6]):
        students[f"student{number}"] = with_functions(common, [("layers.py", Def(name), code)])
    report = compare(tmp_path, students)
    assert not report.flagged(), json.dumps(report.pairs[:3])
    schedules = [f for p in report.pairs for f in p["functions"] if f["name"].endswith("decay")]
    assert not schedules, "fragments every student shares should weigh nothing"


def test_the_starter_code_alone_scores_zero(tmp_path):
    report = compare(tmp_path, {"ann": stubs(), "bob": stubs(), "cat": honest_layers()})
    assert score(report, "ann", "bob") == 0.0
    assert all("ann" not in (p["a"], p["b"]) and "bob" not in (p["a"], p["b"]) for p in report.pairs)


def test_the_courses_independent_correct_solutions_stay_below_the_threshold(tmp_path):
    report = compare(tmp_path, {"reference": reference(), "layers_alternatives": honest_layers(),
                                "other_alternatives": honest_rest(), "deep_alternatives": honest_mixed()})
    worst = report.pairs[0]["score"] if report.pairs else 0.0
    assert not report.flagged() and worst < DEFAULT_THRESHOLD, json.dumps(report.pairs[:2])


def test_command_writes_json_and_html_and_explains_itself(tmp_path, capsys):
    root = write_class(tmp_path / "submitted", {"ann": reference(), "bob": honest_layers(),
                                                "eve": {k: renamed(v) for k, v in reference().items()}})
    out_json, out_html = tmp_path / "report.json", tmp_path / "report.html"
    assert main(["similarity", str(root), "--course", str(REPO), "--json", str(out_json),
                 "--html", str(out_html), "--workers", "1"]) == 0
    pairs = json.loads(out_json.read_text())
    assert {pairs[0]["a"], pairs[0]["b"]} == {"ann", "eve"} and pairs[0]["flagged"]
    function = pairs[0]["functions"][0]
    assert set(function) == {"name", "score", "regions"} and function["regions"]["a"] and function["regions"]["b"]
    page = out_html.read_text()
    assert "not a verdict" in page and 'class="match"' in page and "ann" in page
    printed = capsys.readouterr().out
    assert "ann - eve" in printed and "not a verdict" in printed


def test_a_class_of_one_is_a_clear_error(tmp_path, capsys):
    root = write_class(tmp_path / "submitted", {"ann": reference()})
    assert main(["similarity", str(root), "--course", str(REPO)]) == 2
    assert "needs two" in capsys.readouterr().err


def test_zipped_unreadable_and_hostile_submissions(tmp_path, capsys):
    root = write_class(tmp_path / "submitted", {"ann": reference(), "bob": honest_layers(), "eve": reference()})
    shutil.make_archive(str(root / "eve"), "zip", root / "eve")  # eve.zip holds assignment1/...
    shutil.rmtree(root / "eve")
    (root / "zed.zip").write_bytes(b"not a zip file")
    # Hostile files beside them: nesting the parser refuses (the control: ast.parse fails on it) and
    # a module too large to read.
    nested = "def softmax_loss(x, y):\n    return " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    with pytest.raises((SyntaxError, RecursionError, MemoryError)):
        ast.parse(nested)
    write_class(root, {"deep": {"layers.py": nested}, "huge": {"layers.py": "x = 1\n" * 600_000}})
    assert main(["similarity", str(root), "--course", str(REPO), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "ann - eve" in printed.splitlines()[1]
    assert "zed: not compared" in printed


def test_notebook_solution_cells_are_compared(tmp_path):
    import nbformat
    source_nb = nbformat.read(SOURCE / "FullyConnectedNets.ipynb", as_version=4)
    solution = next(c.source for c in source_nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") == "fc-best-model")
    solution = solution.replace("### BEGIN SOLUTION\n", "").replace("### END SOLUTION\n", "")
    other = ("best_model = FullyConnectedNet([300], reg=0.05, dtype=np.float32)\n"
             "for epochs in (2, 4):\n    s = Solver(best_model, data, num_epochs=epochs)\n    s.train()\n"
             "    best_val, best_solver = max(best_val, s.best_val_acc), s\n")
    root = write_class(tmp_path / "submitted", {"ann": stubs(), "bob": stubs(), "eve": stubs()})
    for student, code in (("ann", solution), ("bob", other), ("eve", renamed(solution))):
        nb = nbformat.read(RELEASE / "FullyConnectedNets.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "fc-best-model":
                cell.source = code
        nbformat.write(nb, root / student / "assignment1" / "FullyConnectedNets.ipynb")
    report = compare_class(root, RELEASE, workers=1, progress=False)
    top = report.pairs[0]
    assert {top["a"], top["b"]} == {"ann", "eve"} and top["flagged"], json.dumps(report.pairs[:2])
    assert top["functions"][0]["name"] == "FullyConnectedNets.ipynb: fc-best-model"
    assert score(report, "ann", "bob") < DEFAULT_THRESHOLD
