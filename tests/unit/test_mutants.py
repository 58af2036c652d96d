"""The mutation operators (autograder/authoring/mutants.py): each makes exactly the change it
names, on the line it names, inside solution regions only, and the result compiles; mutants that
change nothing, or compile to the byte code of the reference or of another mutant, are skipped."""
import ast
import difflib

import pytest

from autograder.authoring.mutants import OPERATORS, code_fingerprint, module_mutants, one_line

MODULE = '''import numpy as np


def f(x, y, k):
    """One function with a solution region; the lines around it are never mutated."""
    z = x + 1.5
    ### BEGIN SOLUTION
{body}
    ### END SOLUTION
    return z
'''


def _module(*lines):
    return MODULE.format(body="\n".join("    " + line for line in lines))


def _changed_lines(reference, mutant):
    """[(line number in the reference, old line, new line)] of a one-line change."""
    old, new = reference.splitlines(), mutant.splitlines()
    changes = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            changes.append((i1 + 1, old[i1:i2], new[j1:j2]))
    return changes


# (operator, region lines, the one of them the operator works on, what that line becomes)
CASES = [
    ("arithmetic", ["z = x + y"], "z = x + y", "z = x - y"),
    ("arithmetic", ["z = x @ y"], "z = x @ y", "z = x * y"),
    ("arithmetic", ["z += y"], "z += y", "z -= y"),
    ("comparison", ["z = x < y"], "z = x < y", "z = x <= y"),
    ("comparison", ["z = x < y"], "z = x < y", "z = x >= y"),
    ("comparison", ["z = x == y"], "z = x == y", "z = x != y"),
    ("sign", ["z = -x"], "z = -x", "z = x"),
    ("sign", ["z = x * y"], "z = x * y", "z = -(x * y)"),
    ("off_by_one", ["z = x[1:k]"], "z = x[1:k]", "z = x[2:k]"),
    ("off_by_one", ["z = x[1:k]"], "z = x[1:k]", "z = x[1:k - 1]"),
    ("off_by_one", ["for i in range(k):", "    z += i"], "for i in range(k):", "for i in range(k + 1):"),
    ("off_by_one", ["z = np.arange(1, k)"], "z = np.arange(1, k)", "z = np.arange(0, k)"),
    ("axis", ["z = np.sum(x, axis=1)"], "z = np.sum(x, axis=1)", "z = np.sum(x, axis=0)"),
    ("axis", ["z = np.sum(x, axis=1)"], "z = np.sum(x, axis=1)", "z = np.sum(x)"),
    ("axis", ["z = x.max(axis=-1)"], "z = x.max(axis=-1)", "z = x.max(axis=0)"),
    ("keepdims", ["z = np.sum(x, axis=1, keepdims=True)"], "z = np.sum(x, axis=1, keepdims=True)",
     "z = np.sum(x, axis=1)"),
    ("keepdims", ["z = np.max(x, axis=0)"], "z = np.max(x, axis=0)", "z = np.max(x, axis=0, keepdims=True)"),
    ("drop_term", ["z = x + y * k"], "z = x + y * k", "z = x"),
    ("drop_term", ["z = x + y * k"], "z = x + y * k", "z = x + y"),
    ("drop_term", ["z = (x - y) / k"], "z = (x - y) / k", "z = x - y"),
    ("swap_args", ["z = np.dot(x, y)"], "z = np.dot(x, y)", "z = np.dot(y, x)"),
    ("swap_args", ["z = x - y"], "z = x - y", "z = y - x"),
    ("constant", ["z = x * 2.0"], "z = x * 2.0", "z = x * 0.0"),
    ("constant", ["z = x * 2.0"], "z = x * 2.0", "z = x * 3.0"),
    ("constant", ["z = x[3]"], "z = x[3]", "z = x[2]"),
    ("constant", ["z = np.sort(x, stable=True)"], "z = np.sort(x, stable=True)", "z = np.sort(x, stable=False)"),
    ("augassign", ["z += x * y"], "z += x * y", "z = x * y"),
    ("inplace_input", ["x = x - y"], "x = x - y", "x -= y"),
    ("inplace_input", ["z = x - y"], "z = x - y", "x -= y; z = x"),
    ("inplace_input", ["z = np.maximum(0, x)"], "z = np.maximum(0, x)", "z = np.maximum(0, x, out=x)"),
    ("inplace_input", ["z = y.copy()"], "z = y.copy()", "z = y"),
    ("transpose", ["z = x.T @ y"], "z = x.T @ y", "z = x @ y"),
    ("transpose", ["z = x @ y"], "z = x @ y", "z = x @ y.T"),
    ("logical", ["z = x and y"], "z = x and y", "z = x or y"),
    ("logical", ["z = not x"], "z = not x", "z = x"),
    ("logical", ["if k:", "    z = y"], "if k:", "if not k:"),
    ("logical", ["for i in range(k):", "    if i == 2:", "        continue", "    z += i"], "        continue", "break"),
    ("numpy_swap", ["z = np.argmax(x, axis=1)"], "z = np.argmax(x, axis=1)", "z = np.argmin(x, axis=1)"),
    ("numpy_swap", ["z = x.sum()"], "z = x.sum()", "z = x.mean()"),
    ("drop_call", ["z = np.sqrt(x)"], "z = np.sqrt(x)", "z = x"),
    ("drop_call", ["z = x.astype(np.float64)"], "z = x.astype(np.float64)", "z = x"),
    ("drop_call", ["z = np.asarray(x, dtype=np.float64)"], "z = np.asarray(x, dtype=np.float64)", "z = x"),
    ("drop_statement", ["z = x.copy()", "z[0] = 1.0"], "z[0] = 1.0", "pass"),
    ("drop_statement", ["z = x.copy()", "z = z * y"], "z = z * y", "pass"),
]


@pytest.mark.parametrize("operator, body, line, expected", CASES,
                         ids=[f"{c[0]}: {c[2]} -> {c[3]}" for c in CASES])
def test_an_operator_makes_exactly_its_change_and_the_mutant_compiles(operator, body, line, expected):
    reference = _module(*body)
    number = reference.splitlines().index("    " + line) + 1
    mutants = [m for m in module_mutants(reference, "f.py") if m.operator == operator and not m.skipped]
    found = [m for m in mutants if m.new == expected and m.line == number]
    assert found, f"{operator} did not turn {line!r} into {expected!r}; it made: {[m.diff for m in mutants]}"
    mutant = found[0]
    indent = " " * (4 + len(line) - len(line.lstrip()))
    assert _changed_lines(reference, mutant.text) == [(number, ["    " + line], [indent + expected])]
    assert (mutant.line, mutant.old, mutant.function) == (number, line.strip(), "f")
    assert mutant.diff == f"f.py:{number}: {line.strip()} -> {expected}"
    compile(mutant.text, "f.py", "exec")
    assert code_fingerprint(compile(mutant.text, "f.py", "exec")) != code_fingerprint(compile(reference, "f.py", "exec"))


def test_every_operator_has_a_case():
    assert {c[0] for c in CASES} == set(OPERATORS)


def test_nothing_outside_a_solution_region_is_mutated():
    reference = _module("z = z * y + x[1:k]")
    mutants = module_mutants(reference, "f.py")
    assert len(mutants) > 10
    lines = reference.splitlines()
    region = lines.index("    z = z * y + x[1:k]") + 1
    for mutant in mutants:
        assert [c[0] for c in _changed_lines(reference, mutant.text)] in ([region], []), mutant.diff
        assert mutant.line == region


def test_a_module_without_a_region_has_no_mutants():
    assert module_mutants("def f(x):\n    return x + 1\n", "f.py") == []


@pytest.mark.parametrize("line, swapped", [
    ("z = np.maximum(x, y)", "z = np.maximum(y, x)"),
    ("z = min(x, k)", "z = min(k, x)"),
    ("z = np.result_type(x, np.float32)", "z = np.result_type(np.float32, x)"),
])
def test_commutative_arguments_are_not_swapped(line, swapped):
    assert swapped not in {m.new for m in module_mutants(_module(line), "f.py")}
    # The control: a function that is not commutative has its arguments swapped.
    assert "z = np.dot(y, x)" in {m.new for m in module_mutants(_module("z = np.dot(x, y)"), "f.py")}


def test_a_swap_of_equal_arguments_is_skipped_as_syntactically_identical():
    mutants = module_mutants(_module("z = np.dot(x, x)"), "f.py")
    same = [m for m in mutants if m.operator == "swap_args"]
    assert same and all(m.skipped == "syntactically identical" for m in same)


def test_a_mutant_the_compiler_folds_into_the_reference_is_skipped():
    # ``2 * 1`` with its factor 1 dropped is ``2``: the compiler already folded the reference to it.
    reference = _module("z = x ** (2 * 1)")
    folded = [m for m in module_mutants(reference, "f.py") if m.new == "z = x ** (2)"]
    assert folded and folded[0].skipped == "same byte code as the reference"


def test_a_mutant_with_the_byte_code_of_an_earlier_one_is_skipped_naming_it():
    # -1 one less (off_by_one) and the 1 inside -1 one more (constant) both give x[:-2].
    mutants = [m for m in module_mutants(_module("z = x[:-1]"), "f.py") if m.new == "z = x[:-2]"]
    assert len(mutants) == 2
    kept, skipped = sorted(mutants, key=lambda m: bool(m.skipped))
    assert not kept.skipped and skipped.skipped == f"same byte code as {kept.diff}"
    fingerprints = {code_fingerprint(compile(m.text, "f.py", "exec")) for m in mutants}
    assert len(fingerprints) == 1


def test_methods_and_nested_blocks_keep_their_indentation():
    reference = '''class Model:
    def loss(self, x):
        """A method: its region sits two levels in."""
        out = 0.0
        for row in x:
            ### BEGIN SOLUTION
            out += np.sum(row, axis=0) / 2.0
            ### END SOLUTION
        return out
'''
    mutants = [m for m in module_mutants(reference, "m.py") if not m.skipped]
    assert {m.function for m in mutants} == {"Model.loss"}
    assert "out += np.sum(row, axis=1) / 2.0" in {m.new for m in mutants}
    for mutant in mutants:
        tree = ast.parse(mutant.text)  # every one parses, with the method still in its class
        assert [n.name for n in tree.body[0].body] == ["loss"]


def test_unchanged_parts_are_copied_as_written():
    # The literal 1e-8 and the comment stay as the author wrote them, not as ast.unparse would.
    reference = _module("z = x / (y + 1e-8)  # (N,)")
    mutant = next(m for m in module_mutants(reference, "f.py") if m.operator == "arithmetic" and "*" in m.new)
    assert "    z = x * (y + 1e-8)  # (N,)" in mutant.text.splitlines()
    assert mutant.new == "z = x * (y + 1e-8)"


def test_one_line_drops_comments_but_not_hashes_in_strings():
    assert one_line(['x = "#1"  # a comment', "    + y  # more"]) == 'x = "#1" + y'
    assert one_line(["s = '''a # b", "c'''  # end"]) == "s = '''a # b c'''"


def test_the_size_reshape_infers_is_not_made_another_negative_number():
    # numpy infers any negative size, so x.reshape(n, -2) is x.reshape(n, -1): an equivalent mutant.
    news = {m.new for m in module_mutants(_module("z = x.reshape(k, -1)"), "f.py") if not m.skipped}
    assert "z = x.reshape(k, -0)" in news and "z = x.reshape(k, -2)" not in news
    assert "z = y[-2]" in {m.new for m in module_mutants(_module("z = y[-1]"), "f.py")}  # elsewhere it is
