"""The Solver (source/assignment1/solver.py, provided to students) with a model that keeps batch
normalization's running averages in ``bn_params``: they come back with the best parameters, and
checkpoints hold them."""
import numpy as np
import pytest

from mutation_helpers import SOURCE_DIR, reference_imports_isolated


class Counter:
    """A model whose one parameter w grows by 1 per training step (loss = -w, so SGD with learning
    rate 1 adds 1), whose training calls store w as a running average, and which classifies the
    validation set right only while w == 2: the best epoch is 2 of 4."""

    def __init__(self):
        self.params = {"w": np.zeros(1)}
        self.bn_params = [{"mode": "train"}]
        self.test_calls = 0

    def loss(self, X, y=None):
        if y is None:
            self.test_calls += 1
            right = float(self.params["w"][0]) == 2.0
            return np.tile([1.0, 0.0] if right else [0.0, 1.0], (X.shape[0], 1))
        if hasattr(self, "bn_params"):
            self.bn_params[0]["running_mean"] = self.params["w"].copy()
        return -float(self.params["w"][0]), {"w": -np.ones(1)}


@pytest.fixture
def solver_module():
    with reference_imports_isolated():
        import sys
        sys.path.insert(0, str(SOURCE_DIR))
        import solver
        yield solver


def _train(solver_module, **options):
    model = Counter()
    data = {"X_train": np.zeros((4, 1)), "y_train": np.zeros(4, dtype=int),
            "X_val": np.zeros((3, 1)), "y_val": np.zeros(3, dtype=int)}
    run = solver_module.Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 1.0}, batch_size=4,
                               num_epochs=4, verbose=False, seed=0, **options)
    run.train()
    return model, run


def test_the_best_parameters_come_back_with_their_running_averages(solver_module):
    model, run = _train(solver_module)
    assert run.best_epoch == 2 and run.val_acc_history == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert model.params["w"][0] == 2.0
    # The last training call left 3 (w before the fourth step); the averages of epoch 2 are 1.
    assert run.best_running_averages == [{"running_mean": np.array([1.0])}]
    assert model.bn_params[0]["running_mean"][0] == 1.0


def test_accuracies_run_the_model_in_test_mode(solver_module):
    model, _ = _train(solver_module)
    assert model.test_calls >= 5  # one per accuracy measurement, all through loss(X) without labels


def test_checkpoints_hold_the_running_averages(solver_module, tmp_path):
    _train(solver_module, checkpoint_name=str(tmp_path / "best"))
    params, info = solver_module.load_checkpoint(tmp_path / "best.npz")
    assert params["w"][0] == 2.0 and info["epoch"] == 2
    assert len(info["running_averages"]) == 1
    assert info["running_averages"][0]["running_mean"][0] == 1.0


def test_a_model_without_bn_params_is_trained_as_before(solver_module):
    model = Counter()
    del model.bn_params
    data = {"X_train": np.zeros((4, 1)), "y_train": np.zeros(4, dtype=int),
            "X_val": np.zeros((3, 1)), "y_val": np.zeros(3, dtype=int)}
    run = solver_module.Solver(model, data, optim_config={"learning_rate": 1.0}, batch_size=4, num_epochs=3,
                               verbose=False, seed=0)
    run.train()
    assert run.best_running_averages == [] and model.params["w"][0] == 2.0
