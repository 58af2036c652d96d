"""A Solver trains a classification model with minibatch gradient descent (provided; not graded).

It works with any model that has

- ``model.params``: a dict from parameter names to numpy arrays;
- ``model.loss(X, y)``: returns ``(loss, grads)``, where ``grads`` has the keys of ``params``;
- ``model.loss(X)``: returns class scores of shape (N, C).

Example::

    solver = Solver(model, {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val},
                    update_rule="sgd_momentum", optim_config={"learning_rate": 1e-3},
                    lr_schedule="cosine", num_epochs=10, batch_size=200, seed=0)
    solver.train()
    solver.best_val_acc, solver.loss_history, solver.val_acc_history, solver.lr_history

After ``train()`` the model holds the parameters that had the best validation accuracy.

Training and test mode: the Solver computes losses and gradients with ``model.loss(X, y)`` and
accuracies with ``model.loss(X)``, so a model whose layers behave differently at test time (batch
normalization, dropout) runs in training mode for the updates and in test mode for every accuracy.
Batch normalization's running averages (in ``model.bn_params``, when the model has them) are not
parameters, yet they belong with the parameters they were learned with: the Solver keeps and
restores them together with the best parameters, and writes them into its checkpoints.
"""
import copy
import os

import numpy as np

import optim
import schedules

UPDATE_RULES = ("sgd", "sgd_momentum", "adagrad", "rmsprop", "adam")
LR_SCHEDULES = (None, "step", "cosine", "linear", "inverse_sqrt")


class Solver:
    """Minibatch training of ``model`` on ``data``, with validation after every epoch.

    Required arguments:
    - model: an object with ``params`` and ``loss`` as described in the module docstring.
    - data: dict with 'X_train' (N_train, ...), 'y_train' (N_train,), 'X_val' (N_val, ...) and
      'y_val' (N_val,).

    Optional keyword arguments:
    - update_rule: 'sgd' (default), 'sgd_momentum', 'adagrad', 'rmsprop' or 'adam' (the functions
      of optim.py), or any function with their signature.
    - optim_config: dict of hyperparameters for the update rule, e.g. {'learning_rate': 1e-3}. Every
      parameter gets its own copy (with its own optimizer state). A missing learning rate takes the
      update rule's default.
    - lr_schedule: how the learning rate changes from epoch to epoch (schedules.py), with
      t = the epoch index (0 for the first epoch) and total = num_epochs:
        None           initial_lr * lr_decay ** epoch (CS231n's solver; lr_decay defaults to 1.0,
                       a constant rate)
        'step'         step_decay(initial_lr, epoch, step_size, gamma=lr_decay); lr_decay defaults
                       to 0.1 and step_size to max(1, num_epochs // 3)
        'cosine'       cosine_decay(initial_lr, epoch, num_epochs)
        'linear'       linear_decay(initial_lr, epoch, num_epochs)
        'inverse_sqrt' inverse_sqrt_decay(initial_lr, epoch) (epochs 0 and 1 both use initial_lr)
    - lr_decay, step_size: see lr_schedule.
    - batch_size: int, examples per minibatch (default 100).
    - num_epochs: int, passes over the training data (default 10).
    - num_train_samples: int or None, how many training examples the training accuracy is measured
      on after each epoch (default 1000; None: all of them).
    - num_val_samples: int or None, the same for validation (default None: all of them).
    - print_every: int, print the loss every print_every iterations when verbose (default 10).
    - verbose: bool (default True).
    - checkpoint_name: str or None. If given, the best parameters are written to
      ``<checkpoint_name>.npz`` (numpy arrays only; read it back with ``load_checkpoint``) every time
      the validation accuracy improves.
    - seed: int or None. None draws minibatches and accuracy subsamples from np.random (seed it with
      np.random.seed); an int uses its own np.random.default_rng(seed), so runs repeat exactly.

    Attributes after train():
    - loss_history: list of floats, the minibatch loss of every iteration.
    - train_acc_history, val_acc_history: lists of num_epochs + 1 floats; entry e is the accuracy
      after e epochs (entry 0: before training).
    - lr_history: list of num_epochs floats; entry e is the learning rate used during epoch e.
    - best_val_acc, best_epoch, best_params: the best validation accuracy, after how many epochs it
      was reached, and a copy of the parameters at that point (now also in model.params).
    - best_running_averages: a copy of the model's running averages at that point (a list with
      one dict per entry of model.bn_params, now also back in them; empty for other models).
    """

    def __init__(self, model, data, **kwargs):
        self.model = model
        missing = [k for k in ("X_train", "y_train", "X_val", "y_val") if k not in data]
        if missing:
            raise ValueError(f"Solver: data has no {', '.join(missing)}; it needs X_train, y_train, "
                             "X_val and y_val")
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]

        update_rule = kwargs.pop("update_rule", "sgd")
        self.optim_config = dict(kwargs.pop("optim_config", None) or {})
        self.lr_schedule = kwargs.pop("lr_schedule", None)
        self.lr_decay = kwargs.pop("lr_decay", None)
        self.step_size = kwargs.pop("step_size", None)
        self.batch_size = int(kwargs.pop("batch_size", 100))
        self.num_epochs = int(kwargs.pop("num_epochs", 10))
        self.num_train_samples = kwargs.pop("num_train_samples", 1000)
        self.num_val_samples = kwargs.pop("num_val_samples", None)
        self.print_every = max(1, int(kwargs.pop("print_every", 10)))
        self.verbose = bool(kwargs.pop("verbose", True))
        self.checkpoint_name = kwargs.pop("checkpoint_name", None)
        seed = kwargs.pop("seed", None)
        if kwargs:
            raise ValueError(f"Solver got unknown arguments: {', '.join(sorted(kwargs))}")

        if callable(update_rule):
            self.update_rule = update_rule
        elif update_rule in UPDATE_RULES:
            self.update_rule = getattr(optim, update_rule)
        else:
            raise ValueError(f"Solver: unknown update_rule {update_rule!r}; use one of "
                             f"{', '.join(UPDATE_RULES)} or a function")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"Solver: unknown lr_schedule {self.lr_schedule!r}; use one of "
                             f"{', '.join(repr(s) for s in LR_SCHEDULES)}")
        if self.lr_decay is None:
            self.lr_decay = 0.1 if self.lr_schedule == "step" else 1.0
        if self.step_size is None:
            self.step_size = max(1, self.num_epochs // 3)
        if self.batch_size < 1 or self.num_epochs < 0:
            raise ValueError("Solver: batch_size must be >= 1 and num_epochs >= 0")

        self._rng = np.random.default_rng(seed) if seed is not None else None
        self.initial_lr = self._initial_learning_rate()
        self._reset()

    # -- bookkeeping ---------------------------------------------------------------------------

    def _initial_learning_rate(self):
        """The learning rate of optim_config, else the update rule's own default (which the rule
        writes into a config it is given empty)."""
        if "learning_rate" in self.optim_config:
            return float(self.optim_config["learning_rate"])
        _, defaults = self.update_rule(np.zeros(1), np.zeros(1), {})
        return float(defaults["learning_rate"])

    def _reset(self):
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_epoch = 0
        self.best_params = {}
        self.best_running_averages = []
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self.lr_history = []
        self.optim_configs = {name: copy.deepcopy(self.optim_config) for name in self.model.params}

    def _choice(self, n, size):
        """``size`` indices in [0, n), drawn with replacement."""
        if self._rng is not None:
            return self._rng.integers(0, n, size)
        return np.random.choice(n, size)

    def scheduled_learning_rate(self, epoch):
        """The learning rate for epoch ``epoch`` (0-based) under this solver's lr_schedule."""
        lr = self.initial_lr
        if self.lr_schedule is None:
            return lr * self.lr_decay ** epoch
        if self.lr_schedule == "step":
            return schedules.step_decay(lr, epoch, self.step_size, self.lr_decay)
        if self.lr_schedule == "cosine":
            return schedules.cosine_decay(lr, epoch, self.num_epochs)
        if self.lr_schedule == "linear":
            return schedules.linear_decay(lr, epoch, self.num_epochs)
        return schedules.inverse_sqrt_decay(lr, epoch)

    # -- training ------------------------------------------------------------------------------

    def _step(self):
        """One minibatch: loss, gradients and an update of every parameter."""
        batch = self._choice(self.X_train.shape[0], self.batch_size)
        loss, grads = self.model.loss(self.X_train[batch], self.y_train[batch])
        self.loss_history.append(float(loss))
        for name, w in self.model.params.items():
            next_w, config = self.update_rule(w, grads[name], self.optim_configs[name])
            self.model.params[name] = next_w
            self.optim_configs[name] = config

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of the examples the model classifies correctly.

        Inputs:
        - X: array of shape (N, ...) of examples; y: int array of shape (N,) of labels.
        - num_samples: if given and smaller than N, measure on that many examples drawn at random.
        - batch_size: examples per call to model.loss (bounds the memory used).

        Returns:
        - acc: float in [0, 1].
        """
        num_examples = X.shape[0]
        if num_samples is not None and num_examples > num_samples:
            keep = self._choice(num_examples, num_samples)
            X, y = X[keep], y[keep]
            num_examples = num_samples
        predictions = []
        for start in range(0, num_examples, batch_size):
            scores = self.model.loss(X[start:start + batch_size])
            predictions.append(np.argmax(scores, axis=1))
        if not predictions:
            return 0.0
        return float(np.mean(np.concatenate(predictions) == y))

    def _record_accuracies(self, lr=None):
        train_acc = self.check_accuracy(self.X_train, self.y_train, self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        if val_acc > self.best_val_acc or not self.best_params:
            self.best_val_acc = val_acc
            self.best_epoch = self.epoch
            self.best_params = {name: np.array(w, copy=True) for name, w in self.model.params.items()}
            self.best_running_averages = running_averages(self.model)
            self._save_checkpoint()
        if self.verbose:
            print(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:.3f}; "
                  f"val acc: {val_acc:.3f}" + ("" if lr is None else f"; learning rate was {lr:.3g}"))

    def _save_checkpoint(self):
        if not self.checkpoint_name:
            return
        path = str(self.checkpoint_name)
        if not path.endswith(".npz"):
            path += ".npz"
        arrays = {f"param_{name}": w for name, w in self.best_params.items()}
        for i, averages in enumerate(self.best_running_averages):
            arrays.update({f"bn{i}_{key}": value for key, value in averages.items()})
        arrays["epoch"] = np.array(self.best_epoch)
        arrays["val_acc"] = np.array(self.best_val_acc)
        partial = path + ".partial"
        with open(partial, "wb") as f:  # a file object: np.savez adds no second suffix
            np.savez(f, **arrays)
        os.replace(partial, path)  # never leave a half-written checkpoint behind
        if self.verbose:
            print(f"saved the best parameters so far (epoch {self.best_epoch}) to {path}")

    def train(self):
        """Train for num_epochs epochs, then put the best parameters (by validation accuracy) into
        the model. Calling train() again starts new histories and optimizer state from the
        model's current parameters."""
        self._reset()
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch

        self._record_accuracies()
        for epoch in range(self.num_epochs):
            lr = float(self.scheduled_learning_rate(epoch))
            self.lr_history.append(lr)
            for config in self.optim_configs.values():
                config["learning_rate"] = lr
            for i in range(iterations_per_epoch):
                self._step()
                t = epoch * iterations_per_epoch + i
                if self.verbose and t % self.print_every == 0:
                    print(f"(Iteration {t + 1} / {num_iterations}) loss: {self.loss_history[-1]:f}")
            self.epoch = epoch + 1
            self._record_accuracies(lr)

        self.model.params = {name: np.array(w, copy=True) for name, w in self.best_params.items()}
        for bn_param, averages in zip(getattr(self.model, "bn_params", []), self.best_running_averages):
            bn_param.update({key: np.array(value, copy=True) for key, value in averages.items()})
        return self


RUNNING_AVERAGES = ("running_mean", "running_var")


def running_averages(model):
    """Copies of the running averages in ``model.bn_params`` (one dict per entry, holding the
    arrays under RUNNING_AVERAGES it has so far); [] for a model without bn_params."""
    return [{key: np.array(bn_param[key], copy=True) for key in RUNNING_AVERAGES if key in bn_param}
            for bn_param in getattr(model, "bn_params", [])]


def load_checkpoint(filename):
    """Read a checkpoint written by a Solver.

    Returns a tuple of:
    - params: dict from parameter names to arrays (assign it to model.params).
    - info: dict with 'epoch' (int) and 'val_acc' (float) of the saved parameters, and
      'running_averages': a list with one dict of running averages per entry of the model's
      bn_params (empty for a model without them): update each bn_param with its dict.
    """
    with np.load(filename, allow_pickle=False) as data:
        params = {key[len("param_"):]: data[key] for key in data.files if key.startswith("param_")}
        info = {"epoch": int(data["epoch"]), "val_acc": float(data["val_acc"]), "running_averages": []}
        for key in sorted(k for k in data.files if k.startswith("bn")):
            index, name = key[2:].split("_", 1)
            while len(info["running_averages"]) <= int(index):
                info["running_averages"].append({})
            info["running_averages"][int(index)][name] = data[key]
    return params, info
