"""Hidden tests for the update rules (optim.py) and the learning-rate schedules (schedules.py),
against the reference solution.

Never released.

Update rules: chains of 5 consecutive steps with random gradients, on parameters of shapes (3, 4),
(7,) and (2, 3, 4), from config=None (the defaults) and from configs with other hyperparameters.
The student's config is handed back to the student at every step and the reference's to the
reference, while both get the same w and dw (w follows the reference), so a wrong state shows up
at the step where it matters. Compared: the step next_w - w, which is what the rule computes
(comparing next_w itself would hide errors in small steps behind the size of w).
- Gradient entries have magnitudes between 1 and 2 (random signs), so epsilon = 1e-8 is
  negligible and every correct placement of it (sqrt(v) + eps, sqrt(v + eps), Kingma's
  eps * sqrt(1 - beta2^t) form of Adam) agrees: they differ by less than 5e-7 relative.
- float64: steps to 1e-5 relative (floor 1e-3 of the largest step); float32 parameters and
  gradients (float32 state and arithmetic allowed): 1e-3, with |w| about 0.01 so that rounding
  next_w (about 6e-8 of |w|) stays far below a step. Measured on the reference, in-place updates,
  epsilon inside the square root and Kingma's efficient Adam (20 seeds): below 2e-7 and 3e-5.
- Every targeted bug (momentum's sign, a velocity or cache that is not kept, the decay applied to
  dw instead of dw^2, Adam without bias correction, t incremented after its use, swapped betas,
  ignored hyperparameters or defaults) changes some step by 1e-2 of its size or more.
- AdaGrad (graded in FullyConnectedNets.ipynb) runs the same chains as RMSProp; its known mistakes
  (a cache replaced or decayed instead of summed, epsilon inside the root, no root) are named.
- Adam is also resumed from a stored state (m, v and t = 5 given), which is how a t incremented
  after use is seen even when the first step is special-cased.

Schedules: values at several points, including t = 0, t = total and fractional t, against the
reference to 1e-12 relative (1e-15 absolute near 0).
"""
import copy

import numpy as np

from autograder.testing import Diagnosis, as_array, assert_close, check, graded

NOTEBOOK = "two_layer_net.ipynb"
# An update rule may change w and its config in place (a training loop uses only what it returns).
INPUTS_MAY_CHANGE = True
SHAPES = [(3, 4), (7,), (2, 3, 4)]
FLOAT64 = {"rtol": 1e-5, "floor": 1e-3}
FLOAT32 = {"rtol": 1e-3, "floor": 1e-2}


def _gradient(rng, shape, dtype=np.float64):
    return (rng.uniform(1.0, 2.0, shape) * rng.choice([-1.0, 1.0], shape)).astype(dtype)


def _zero_and_tiny_gradient(rng, shape, dtype=np.float64):
    """Exact zeros (0 / 0 without epsilon) and gradients of 1e-9 (whose step depends on epsilon
    being added outside the square root) beside ordinary ones."""
    return rng.choice([0.0, 1e-9, -1e-9, 1.5, -1.5], shape).astype(dtype)


# Known mistakes, as the step they would take: f(dw, config after the reference's update) -> step.
MISTAKES = {
    "sgd_momentum": [("velocity_not_kept", "the step is plain SGD: keep the velocity in "
                      "config['velocity'] and add momentum * velocity to each step",
                      lambda dw, c: -c["learning_rate"] * dw)],
    "adagrad": [("cache_not_accumulated", "the cache holds only the latest dw ** 2: add each squared "
                 "gradient to it (cache = cache + dw ** 2), so that steps shrink over time",
                 lambda dw, c: -c["learning_rate"] * dw / (np.abs(dw) + c["epsilon"])),
                ("cache_decays", "the cache decays as RMSProp's does: AdaGrad adds every squared "
                 "gradient in full (cache = cache + dw ** 2)",
                 lambda dw, c: -c["learning_rate"] * dw / (np.sqrt(0.99 * (c["cache"] - dw * dw) + 0.01 * dw * dw)
                                                           + c["epsilon"])),
                ("epsilon_inside_square_root", "epsilon belongs outside the square root: "
                 "learning_rate * dw / (np.sqrt(cache) + epsilon)",
                 lambda dw, c: -c["learning_rate"] * dw / np.sqrt(c["cache"] + c["epsilon"])),
                ("no_square_root", "the step divides by the cache itself: divide by its square root",
                 lambda dw, c: -c["learning_rate"] * dw / (c["cache"] + c["epsilon"]))],
    "rmsprop": [("epsilon_inside_square_root", "epsilon belongs outside the square root: "
                 "learning_rate * dw / (np.sqrt(cache) + epsilon)",
                 lambda dw, c: -c["learning_rate"] * dw / np.sqrt(c["cache"] + c["epsilon"])),
                ("no_square_root", "the step divides by the cache itself: divide by its square root",
                 lambda dw, c: -c["learning_rate"] * dw / (c["cache"] + c["epsilon"]))],
    "adam": [("adam_without_bias_correction", "the step uses m and v without the bias correction: "
              "divide them by 1 - beta1 ** t and 1 - beta2 ** t",
              lambda dw, c: -c["learning_rate"] * c["m"] / (np.sqrt(c["v"]) + c["epsilon"]))],
}


def _shape_words(shape):
    """A parameter's shape in words: hidden tests name no size."""
    return {1: "a vector", 2: "a matrix"}.get(len(shape), "an array of more dimensions")


def _chain(student, reference, rng, name, config, what, num_steps=5, dtype=np.float64, shapes=SHAPES,
           gradient=_gradient):
    """num_steps updates of the student's and the reference's rule from the same config; a wrong
    step is compared with the steps of the known mistakes in MISTAKES. ``what`` says which config
    in words (hidden messages quote no input)."""
    rule = getattr(reference.module("optim"), name)
    tol = FLOAT32 if dtype == np.float32 else FLOAT64
    for shape in shapes:
        # float32 parameters stay small, so that rounding next_w (about 6e-8 of |w|) stays far below
        # the size of a step.
        w = (rng.standard_normal(shape) * (0.01 if dtype == np.float32 else 1.0)).astype(dtype)
        mine = copy.deepcopy(config)
        theirs = copy.deepcopy(config)
        for step in range(1, num_steps + 1):
            dw = gradient(rng, shape, dtype)
            answer = student.call(f"optim.{name}", w, dw, mine)
            check(isinstance(answer, (tuple, list)) and len(answer) == 2 and isinstance(answer[1], dict),
                  f"{name} should return a tuple (next_w, config)")
            next_w = as_array(answer[0], f"next_w returned by {name}", shape=shape)
            mine = answer[1]
            expected, theirs = rule(w.astype(np.float64), dw.astype(np.float64), theirs)
            expected_step = expected - w.astype(np.float64)
            step_taken = next_w.astype(np.float64) - w
            check(np.all(np.isfinite(step_taken)) or np.all(dw != 0),
                  f"the step of {name} is nan or inf where the gradient is 0: add epsilon to the "
                  f"denominator, after the square root", diagnosis="epsilon_missing")
            mistakes = [Diagnosis(key, advice, make(dw.astype(np.float64), theirs))
                        for key, advice, make in MISTAKES.get(name, [])]
            assert_close(step_taken, expected_step,
                         f"the step of {name} {'at the first step' if step == 1 else 'at a later step'} "
                         f"{what} ({_shape_words(shape)}, {np.dtype(dtype).name})", rtol=tol["rtol"],
                         floor=tol["floor"] * float(np.max(np.abs(expected_step))), diagnoses=mistakes)
            w = expected.astype(dtype)


@graded("optim.sgd_momentum", points=1)
def sgd_momentum_matches_reference_over_several_steps(student, reference, rng):
    _chain(student, reference, rng, "sgd_momentum", None, "from config=None")
    _chain(student, reference, rng, "sgd_momentum", {"learning_rate": 0.05, "momentum": 0.6},
           "with another learning_rate and momentum")
    _chain(student, reference, rng, "sgd_momentum",
           {"learning_rate": 0.02, "velocity": np.full((2, 3, 4), 0.3)}, "from a given velocity",
           shapes=[(2, 3, 4)])
    _chain(student, reference, rng, "sgd_momentum", {"learning_rate": 0.1}, "with another learning_rate",
           dtype=np.float32)


@graded("optim.adagrad", points=1, notebook="FullyConnectedNets.ipynb")
def adagrad_matches_reference_over_several_steps(student, reference, rng):
    _chain(student, reference, rng, "adagrad", None, "from config=None")
    _chain(student, reference, rng, "adagrad", {"learning_rate": 0.3}, "with another learning_rate")
    _chain(student, reference, rng, "adagrad", {"learning_rate": 1e-2, "cache": np.full((3, 4), 7.5)},
           "from a given cache", shapes=[(3, 4)])
    _chain(student, reference, rng, "adagrad", {"epsilon": 1e-6}, "with another epsilon", dtype=np.float32)
    _chain(student, reference, rng, "adagrad", None, "with zero and tiny gradients (epsilon keeps the "
           "division finite and is added after the square root)", gradient=_zero_and_tiny_gradient)


@graded("optim.rmsprop", points=1)
def rmsprop_matches_reference_over_several_steps(student, reference, rng):
    _chain(student, reference, rng, "rmsprop", None, "from config=None")
    _chain(student, reference, rng, "rmsprop", {"learning_rate": 3e-3, "decay_rate": 0.9},
           "with another learning_rate and decay_rate")
    _chain(student, reference, rng, "rmsprop", {"learning_rate": 1e-2, "cache": np.full((7,), 2.5)},
           "from a given cache", shapes=[(7,)])
    _chain(student, reference, rng, "rmsprop", {"decay_rate": 0.5}, "with another decay_rate",
           dtype=np.float32)
    _chain(student, reference, rng, "rmsprop", None, "with zero and tiny gradients (epsilon keeps the "
           "division finite and is added after the square root)", gradient=_zero_and_tiny_gradient)


@graded("optim.adam", points=1)
def adam_matches_reference_over_several_steps(student, reference, rng):
    _chain(student, reference, rng, "adam", None, "from config=None")
    _chain(student, reference, rng, "adam", {"learning_rate": 5e-3, "beta1": 0.7, "beta2": 0.95},
           "with another learning_rate, beta1 and beta2")
    _chain(student, reference, rng, "adam", {"learning_rate": 1e-2}, "with another learning_rate",
           dtype=np.float32)


@graded("optim.adam", points=1)
def adam_resumes_from_a_stored_state(student, reference, rng):
    for shape in SHAPES:
        config = {"learning_rate": 2e-3, "beta1": 0.8, "beta2": 0.99, "t": 5,
                  "m": 0.3 * rng.standard_normal(shape), "v": rng.uniform(0.2, 1.0, shape)}
        _chain(student, reference, rng, "adam", config, "resumed from a stored m, v and t", num_steps=3,
               shapes=[shape])


# -- schedules -----------------------------------------------------------------------------------

def _when(args):
    """Where a schedule is evaluated, in words: (initial value, t, total steps or period, ...)."""
    t = args[1]
    if t == 0:
        return "at the start (t = 0)"
    if len(args) > 2 and t == args[2]:
        return "at t equal to its third argument"
    if t != int(t):
        return "at a fractional t"
    return "at a t between the others"


def _check_schedule(student, reference, name, args_list, optional=()):
    """``optional``: how many arguments the schedule takes without its optional ones (more are
    named in the message as "with its optional argument")."""
    ref = getattr(reference.module("schedules"), name)
    for args in args_list:
        got = float(as_array(student.call(f"schedules.{name}", *args), f"{name} (a single number)",
                             shape=()))
        expected = ref(*args)
        extra = " with its optional argument" if optional and len(args) > optional else ""
        check(np.isfinite(got) and abs(got - expected) <= 1e-12 * abs(expected) + 1e-15,
              f"{name} is wrong {_when(args)}{extra}")


@graded("schedules.step_decay", points=0.5)
def step_decay_matches_reference(student, reference):
    _check_schedule(student, reference, "step_decay",
                    [(0.05, t, 4) for t in (0, 1, 3, 4, 7, 8, 13)]
                    + [(1e-3, t, 1, 0.5) for t in (0, 1, 2, 5)] + [(0.2, 9, 10, 0.3), (0.2, 10, 10, 0.3)],
                    optional=3)


@graded("schedules.cosine_decay", points=0.5)
def cosine_decay_matches_reference(student, reference):
    _check_schedule(student, reference, "cosine_decay",
                    [(0.01, t, 20) for t in (0, 1, 5, 7, 10, 13, 19, 20)] + [(3e-4, 2.5, 10), (1.0, 1, 3)])


@graded("schedules.linear_decay", points=0.5)
def linear_decay_matches_reference(student, reference):
    _check_schedule(student, reference, "linear_decay",
                    [(0.01, t, 20) for t in (0, 1, 5, 7, 10, 19, 20)] + [(3e-4, 2.5, 10), (1.0, 1, 3)])


@graded("schedules.inverse_sqrt_decay", points=0.5)
def inverse_sqrt_decay_matches_reference(student, reference):
    _check_schedule(student, reference, "inverse_sqrt_decay",
                    [(0.05, t) for t in (0, 1, 2, 3, 10, 50, 1000)] + [(1e-3, 6.25), (2.0, 1e6)])
