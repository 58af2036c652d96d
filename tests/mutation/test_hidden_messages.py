"""Hidden tests quote nothing of their inputs (issue 27.4).

Every label, message and advice a hidden test builds while grading the reference solution (failing
or not: the spies of ``input_quotes.recording_labels`` see them all) is searched for the numbers
that test sent into the sandbox. The failure messages the planted bugs provoke are searched the
same way by every mutation suite (``mutation_helpers.grade_folder``). The control: the detector
finds the numbers in the messages the issue quoted.
"""
import shutil

import numpy as np
import pytest

from input_quotes import labels_quoting_inputs, numbers_in, quoted
from mutation_helpers import REPO, reference_imports_isolated


@pytest.mark.parametrize("assignment", ["assignment0", "assignment1"])
def test_no_hidden_label_of_the_reference_grading_quotes_its_inputs(tmp_path, assignment):
    source = REPO / "source" / assignment
    folder = tmp_path / assignment
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("tests", "*.ipynb"))
    with reference_imports_isolated():
        results, problems = labels_quoting_inputs(source / "tests", folder, source)
    assert all(r.status == "passed" for r in results), [(r.name, r.message) for r in results if r.status != "passed"]
    assert sum(r.hidden for r in results) > 20
    assert not problems, "hidden labels quote their inputs:\n  " + "\n  ".join(problems)


def test_control_the_detector_finds_the_inputs_the_old_messages_quoted():
    W, X = np.zeros((20, 10)), np.zeros((50, 20))
    sent = numbers_in([[W, X, np.zeros(50, dtype=np.int64), 1.4733412, "l2", 0.5], {}], set())
    assert quoted("the penalty of svm_loss_naive with reg_type='l2' on random data (loss at reg=1.47334 minus "
                  "loss at reg=0)", sent) == ["1.47334 (input 1.47334)"]
    assert len(quoted("the loss of svm_loss_naive on random data (N=50, D=20, C=10, reg=0)", sent)) == 3
    assert quoted("the step of adam at the first step (a matrix, float32)", sent) == []
