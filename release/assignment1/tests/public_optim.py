"""Public tests for the update rules (optim.py) and the learning-rate schedules (schedules.py):
`autograder check` runs these on your own machine.

Update rules: a few consecutive steps, each call given the config the previous one returned, on
gradients chosen so that the steps can be worked out by hand (see the comments in each test).
With a gradient g of the same magnitude in every entry the rules act entry by entry like
multiples of sign(g), e.g. the first Adam step is learning_rate * g / |g| whatever |g| is. The
tests compare each step next_w - w with the expected one to 1e-5 relative: with |g| >= 1 here,
epsilon = 1e-8 changes a step by less than 1e-6 wherever you add it (sqrt(v) + eps or
sqrt(v + eps); measured: below 5e-7). They also check the defaults
(config=None) and that the state lives in the config under the documented names (velocity,
cache, m, v, t). AdaGrad is graded in FullyConnectedNets.ipynb, the others in two_layer_net.ipynb.

Schedules: values at a few points, worked out from the lecture's formulas (cos(pi / 4) = sqrt(2) / 2
and so on), to 1e-12 relative; t = 0 included.

The grader also runs hidden tests: several steps with random gradients and hyperparameters against
the reference, float32 parameters, Adam resumed from a stored state, and the schedules at more
points.
"""
import math

import numpy as np

from autograder.testing import Diagnosis, TestFailure, as_array, check, diagnose, graded

NOTEBOOK = "two_layer_net.ipynb"
# An update rule may change w and its config in place (a training loop uses only what it returns).
INPUTS_MAY_CHANGE = True
MOMENTUM = "optim.sgd_momentum"
ADAGRAD = "optim.adagrad"
ADAGRAD_NOTEBOOK = "FullyConnectedNets.ipynb"  # AdaGrad is introduced with the deeper networks
RMSPROP = "optim.rmsprop"
ADAM = "optim.adam"
STEP_DECAY = "schedules.step_decay"
COSINE_DECAY = "schedules.cosine_decay"
LINEAR_DECAY = "schedules.linear_decay"
INVERSE_SQRT_DECAY = "schedules.inverse_sqrt_decay"

STEP_RTOL = 1e-5


def _name(target):
    return target.rsplit(".", 1)[-1]


def _update(student, target, w, dw, config):
    """One call of the update rule; returns (next_w as float64, the returned config)."""
    name = _name(target)
    answer = student.call(target, w, dw, config)
    check(isinstance(answer, (tuple, list)) and len(answer) == 2,
          f"{name} should return a tuple (next_w, config); got {type(answer).__name__}")
    next_w = as_array(answer[0], f"next_w returned by {name}")
    check(next_w.shape == w.shape, f"{name} returned next_w of shape {next_w.shape}; expected "
                                   f"{w.shape} like w")
    check(np.all(np.isfinite(next_w)), f"{name} returned next_w with nan or inf")
    check(isinstance(answer[1], dict), f"{name} should return its config dict (with the updated "
                                       f"state) as the second value; got {type(answer[1]).__name__}")
    return next_w.astype(np.float64), answer[1]


def _check_step(w, next_w, expected_step, what):
    step = next_w - w
    err = np.max(np.abs(step - expected_step) / np.maximum(np.abs(expected_step), 1e-12))
    if err > STEP_RTOL:
        raise TestFailure(f"{what}: the step next_w - w is wrong (relative error {err:.1e})",
                          f"got {step.ravel()[:4].tolist()}..., "
                          f"expected {expected_step.ravel()[:4].tolist()}...")


def _state(config, key, name, shape):
    check(key in config, f"{name} should keep its state in config['{key}']")
    return as_array(config[key], f"config['{key}'] returned by {name}", shape=shape).astype(np.float64)


def _gradient(rng, shape):
    """Entries of magnitude 1 to 2 with random signs: far from 0, so epsilon plays no role."""
    return rng.uniform(1.0, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


# -- update rules --------------------------------------------------------------------------------

@graded(MOMENTUM, points=1)
def sgd_momentum_steps_worked_out_by_hand(student, rng):
    w, g = rng.standard_normal((3, 4)), _gradient(rng, (3, 4))
    # Defaults (learning_rate 1e-2, momentum 0.9) from zero velocity:
    # step 1 with dw = g:  v = -0.01 g, so next_w = w - 0.01 g;
    # step 2 with dw = -g: v = 0.9 * (-0.01 g) + 0.01 g = 0.001 g.
    w1, config = _update(student, MOMENTUM, w, g, None)
    _check_step(w, w1, -0.01 * g, "sgd_momentum, first step with the default config")
    w2, config = _update(student, MOMENTUM, w1, -g, config)
    _check_step(w1, w2, 0.001 * g, "sgd_momentum, second step (gradient reversed), config carried over")
    # With a zero gradient the parameter coasts: v = momentum * v.
    velocity = rng.standard_normal((3, 4))
    w3, config = _update(student, MOMENTUM, w, np.zeros((3, 4)),
                         {"learning_rate": 0.5, "momentum": 0.75, "velocity": velocity})
    _check_step(w, w3, 0.75 * velocity, "sgd_momentum with dw = 0 and a given velocity (momentum 0.75)")
    new_velocity = _state(config, "velocity", "sgd_momentum", (3, 4))
    _check_step(np.zeros((3, 4)), new_velocity, 0.75 * velocity, "config['velocity'] after that step")


@graded(ADAGRAD, points=1, notebook=ADAGRAD_NOTEBOOK)
def adagrad_steps_worked_out_by_hand(student, rng):
    w, g = rng.standard_normal((3, 2)), _gradient(rng, (3, 2))
    sign = np.sign(g)
    # Defaults (learning_rate 1e-2) from a zero cache:
    # step 1 with dw = g:   cache = g^2,             step = -0.01 g / |g|
    # step 2 with dw = 2 g: cache = g^2 + 4 g^2,     step = -0.01 * 2 g / (sqrt(5) |g|)
    # (a cache that is replaced instead of summed would give -0.01 sign(g) again).
    w1, config = _update(student, ADAGRAD, w, g, None)
    _check_step(w, w1, -0.01 * sign, "adagrad, first step with the default config")
    w2, config = _update(student, ADAGRAD, w1, 2 * g, config)
    _check_step(w1, w2, -0.02 / math.sqrt(5.0) * sign, "adagrad, second step (gradient doubled), "
                "config carried over: the cache is the sum of every squared gradient so far")
    # A given cache of 3 g^2: cache = 4 g^2, step = -0.1 g / (2 |g|).
    w3, config = _update(student, ADAGRAD, w, g, {"learning_rate": 0.1, "cache": 3 * g * g})
    _check_step(w, w3, -0.05 * sign, "adagrad with a given cache and learning_rate 0.1")
    _check_step(np.zeros((3, 2)), _state(config, "cache", "adagrad", (3, 2)), 4 * g * g,
                "config['cache'] after that step")


@graded(RMSPROP, points=1)
def rmsprop_steps_worked_out_by_hand(student, rng):
    w, g = rng.standard_normal(6), _gradient(rng, 6)
    # Defaults (learning_rate 1e-2, decay_rate 0.99) from a zero cache:
    # step 1 with dw = g:   cache = 0.01 g^2,                 step = -0.01 g / (0.1 |g|)
    # step 2 with dw = 2 g: cache = 0.01 (0.99 + 4) g^2,      step = -0.01 * 2 g / (sqrt(0.0499) |g|)
    sign = np.sign(g)
    w1, config = _update(student, RMSPROP, w, g, None)
    _check_step(w, w1, -0.1 * sign, "rmsprop, first step with the default config")
    w2, config = _update(student, RMSPROP, w1, 2 * g, config)
    _check_step(w1, w2, -0.02 / math.sqrt(0.0499) * sign, "rmsprop, second step (gradient doubled), "
                "config carried over")
    # A given cache of 3 g^2 and decay_rate 0.5: cache = 1.5 g^2 + 0.5 g^2 = 2 g^2.
    w3, config = _update(student, RMSPROP, w, g,
                         {"learning_rate": 0.1, "decay_rate": 0.5, "cache": 3 * g * g})
    _check_step(w, w3, -0.1 / math.sqrt(2.0) * sign, "rmsprop with a given cache and decay_rate 0.5")
    _check_step(np.zeros(6), _state(config, "cache", "rmsprop", (6,)), 2 * g * g,
                "config['cache'] after that step")


@graded(ADAM, points=1)
def adam_steps_worked_out_by_hand(student, rng):
    w, g = rng.standard_normal((2, 5)), _gradient(rng, (2, 5))
    sign = np.sign(g)
    # Defaults (learning_rate 1e-3, beta1 0.9, beta2 0.999), dw = g, g, then -g. With the bias
    # correction, m_hat = g and v_hat = g^2 while the gradient stays g: both first steps are
    # -1e-3 * sign(g). Third step: m = 0.9 * (0.19 g) - 0.1 g = 0.071 g, m_hat = 0.071 g / 0.271,
    # v_hat = g^2 still.
    w1, config = _update(student, ADAM, w, g, None)
    _check_step(w, w1, -1e-3 * sign, "adam, first step with the default config (with bias correction "
                "it is learning_rate * sign(dw))")
    w2, config = _update(student, ADAM, w1, g, config)
    _check_step(w1, w2, -1e-3 * sign, "adam, second step with the same gradient, config carried over")
    w3, config = _update(student, ADAM, w2, -g, config)
    _check_step(w2, w3, -1e-3 * 0.071 / 0.271 * sign, "adam, third step (gradient reversed)")
    t = as_array(config.get("t"), "config['t'] returned by adam", shape=())
    check(t == 3, f"after three steps config['t'] should be 3; it is {t}")
    # Resumed from a stored state m = g, v = g^2, t = 1 with beta1 = 0.5, beta2 = 0.75: this step
    # is step t = 2, m = g, v = g^2, m_hat = g / 0.75, v_hat = g^2 / 0.4375.
    w4, config = _update(student, ADAM, w, g, {"learning_rate": 0.1, "beta1": 0.5, "beta2": 0.75,
                                                "m": g.copy(), "v": g * g, "t": 1})
    _check_step(w, w4, -0.1 / 0.75 * math.sqrt(0.4375) * sign,
                "adam resumed at t = 1 with given m and v (t must be incremented before the bias "
                "correction)")


# -- schedules -----------------------------------------------------------------------------------

def _check_schedule(student, target, args_list, expected, mistakes=()):
    """The student's schedule at each args against the known values; ``mistakes``: (diagnosis id,
    advice, the schedule that mistake computes) to name a wrong value."""
    name = _name(target)
    for args, value in zip(args_list, expected):
        got = student.call(target, *args)
        got = float(as_array(got, f"{name}{args} (a single number)", shape=()))
        if not abs(got - value) <= 1e-12 * abs(value) + 1e-15:
            found = diagnose(got, value, [Diagnosis(key, advice, wrong(*args)) for key, advice, wrong in mistakes])
            raise TestFailure(f"{name}{tuple(args)} is wrong" + (f": {found.advice}" if found else ""),
                              f"got {got!r}, expected {value!r}", found.name if found else "")


@graded(STEP_DECAY, points=0.5)
def step_decay_known_values(student):
    # 0.1 for t = 0, 1, 2; 0.01 for t = 3, 4, 5; 0.001 for t = 6...
    _check_schedule(student, STEP_DECAY, [(0.1, 0, 3), (0.1, 2, 3), (0.1, 3, 3), (0.1, 5, 3), (0.1, 6, 3),
                                          (0.1, 10, 3), (0.8, 3, 2, 0.5), (0.8, 4, 2, 0.5)],
                    [0.1, 0.1, 0.01, 0.01, 0.001, 0.0001, 0.4, 0.2],
                    [("step_decay_continuous", "the rate decays at every t: multiply by gamma once per "
                      "step_size epochs (t // step_size)",
                      lambda lr, t, step, gamma=0.1: lr * gamma ** (t / step))])


@graded(COSINE_DECAY, points=0.5)
def cosine_decay_known_values(student):
    # 1 at t = 0, (1 + sqrt(2) / 2) / 2 a quarter of the way, 1/2 half way, 0 at the end.
    _check_schedule(student, COSINE_DECAY, [(1.0, 0, 8), (1.0, 2, 8), (1.0, 4, 8), (1.0, 6, 8), (1.0, 8, 8),
                                            (0.3, 10, 30)],
                    [1.0, (2 + math.sqrt(2)) / 4, 0.5, (2 - math.sqrt(2)) / 4, 0.0, 0.3 * 0.75],
                    [("degrees_instead_of_radians", "the angle is in degrees: math.cos takes radians, "
                      "pi * t / total", lambda lr, t, total: 0.5 * lr * (1 + math.cos(180.0 * t / total)))])


@graded(LINEAR_DECAY, points=0.5)
def linear_decay_known_values(student):
    _check_schedule(student, LINEAR_DECAY, [(0.3, 0, 10), (0.3, 2.5, 10), (0.3, 5, 10), (0.3, 10, 10),
                                            (2.0, 3, 4)],
                    [0.3, 0.225, 0.15, 0.0, 0.5],
                    [("operator_precedence", "the product binds first: initial_lr * (1 - t / total) "
                      "needs the brackets", lambda lr, t, total: lr * 1.0 - t / total)])


@graded(INVERSE_SQRT_DECAY, points=0.5)
def inverse_sqrt_decay_known_values(student):
    # t = 0 is read as t = 1.
    _check_schedule(student, INVERSE_SQRT_DECAY, [(0.2, 0), (0.2, 1), (0.2, 4), (0.2, 9), (0.2, 100)],
                    [0.2, 0.2, 0.1, 0.2 / 3, 0.02])
