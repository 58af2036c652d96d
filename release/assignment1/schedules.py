"""Learning-rate schedules: the learning rate to use at time t, given the initial one.

t counts epochs or steps from 0, whichever the caller prefers (the Solver counts epochs). Every
function takes and returns plain Python numbers:

- step_decay:         initial_lr * gamma ** (t // step_size)   (divide by 1 / gamma every step_size)
- cosine_decay:       initial_lr / 2 * (1 + cos(pi * t / total))  (from initial_lr at t = 0 to 0 at
                      t = total along half a cosine wave)
- linear_decay:       initial_lr * (1 - t / total)                 (straight down to 0 at t = total)
- inverse_sqrt_decay: initial_lr / sqrt(t), with t = 0 read as 1   (the rate of theory for SGD)

Angles are in radians, as math.cos and np.cos expect.
"""
import math


def step_decay(initial_lr, t, step_size, gamma=0.1):
    """Step decay: keep the rate for step_size epochs, then multiply it by gamma, and so on.

    Inputs:
    - initial_lr: float, the rate for 0 <= t < step_size.
    - t: int >= 0, the epoch (or step).
    - step_size: int > 0, how many epochs each level lasts.
    - gamma: float, the factor applied at every level change (0.1: divide by 10).

    Returns:
    - lr: float, initial_lr * gamma ** (t // step_size).
    """
    lr = None
    # TODO: compute lr.
    # YOUR CODE HERE
    raise NotImplementedError("step_decay is not written yet: write it in schedules.py")
    return float(lr)


def cosine_decay(initial_lr, t, total):
    """Cosine decay ("cosine annealing") from initial_lr at t = 0 to 0 at t = total.

    Inputs:
    - initial_lr: float.
    - t: number, 0 <= t <= total.
    - total: number > 0, the length of the schedule (e.g. the number of epochs).

    Returns:
    - lr: float, initial_lr / 2 * (1 + cos(pi * t / total)).
    """
    lr = None
    # TODO: compute lr.
    # YOUR CODE HERE
    raise NotImplementedError("cosine_decay is not written yet: write it in schedules.py")
    return float(lr)


def linear_decay(initial_lr, t, total):
    """Linear decay from initial_lr at t = 0 to 0 at t = total.

    Inputs:
    - initial_lr: float.
    - t: number, 0 <= t <= total.
    - total: number > 0.

    Returns:
    - lr: float, initial_lr * (1 - t / total).
    """
    lr = None
    # TODO: compute lr.
    # YOUR CODE HERE
    raise NotImplementedError("linear_decay is not written yet: write it in schedules.py")
    return float(lr)


def inverse_sqrt_decay(initial_lr, t):
    """Inverse square root decay: initial_lr / sqrt(t).

    Inputs:
    - initial_lr: float.
    - t: number >= 0. t = 0 is treated as t = 1 (there is no 1 / sqrt(0)), so the schedule starts
      at initial_lr for both t = 0 and t = 1.

    Returns:
    - lr: float.
    """
    lr = None
    # TODO: compute lr.
    # YOUR CODE HERE
    raise NotImplementedError("inverse_sqrt_decay is not written yet: write it in schedules.py")
    return float(lr)
