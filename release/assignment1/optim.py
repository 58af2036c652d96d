"""First-order update rules for training neural networks.

Every rule has the same signature:

    next_w, config = update(w, dw, config=None)

Inputs:
- w: array of any shape, the current value of one parameter.
- dw: array of the shape of w, the gradient of the loss with respect to w.
- config: dict of hyperparameters (learning rate, momentum, ...) and of the state the rule keeps
  from one step to the next (velocity, running averages, step count). None means "the defaults,
  no state yet". A missing key takes its default value.

Returns a tuple of:
- next_w: array of the shape of w, the parameter after the update (w itself is left unchanged).
- config: the config dict, with its state updated, to pass to the next call for this parameter.

Each parameter gets its own config: a solver keeps one per parameter and hands it back every step.
State arrays start as zeros of w's shape. The defaults are CS231n's.
"""
import numpy as np


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: next_w = w - learning_rate * dw.

    config:
    - learning_rate: float (default 1e-2).
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)

    next_w = w - config["learning_rate"] * dw
    return next_w, config


def sgd_momentum(w, dw, config=None):
    """Stochastic gradient descent with momentum.

    The velocity v is a running sum of past steps that decays by the factor ``momentum`` at every
    step:

        v = momentum * v - learning_rate * dw
        next_w = w + v

    config:
    - learning_rate: float (default 1e-2).
    - momentum: float in [0, 1) (default 0.9); 0 gives plain SGD.
    - velocity: array of the shape of w (state; starts as zeros).
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    config.setdefault("velocity", np.zeros_like(w))

    next_w = None
    # TODO: update config["velocity"] and compute next_w.
    # YOUR CODE HERE
    raise NotImplementedError("sgd_momentum is not written yet: write it in optim.py")

    return next_w, config


def adagrad(w, dw, config=None):
    """AdaGrad: divide each step by the root of the sum of all squared gradients so far.

        cache = cache + dw ** 2
        next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    Entries that have had large gradients take small steps. The cache only grows, so every step
    is smaller than the one before for the same gradient: AdaGrad slows down by itself, which suits
    convex problems and stops deep networks early (RMSProp lets the cache forget).

    config:
    - learning_rate: float (default 1e-2).
    - epsilon: float (default 1e-8), keeps the division finite.
    - cache: array of the shape of w (state; starts as zeros), the sum of every dw ** 2 so far.
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))

    next_w = None
    # TODO: update config["cache"] and compute next_w.
    # YOUR CODE HERE
    raise NotImplementedError("adagrad is not written yet: write it in optim.py")

    return next_w, config


def rmsprop(w, dw, config=None):
    """RMSProp: divide each step by a running root mean square of recent gradients.

        cache = decay_rate * cache + (1 - decay_rate) * dw ** 2
        next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    Entries with consistently large gradients take smaller steps and entries with small gradients
    larger ones.

    config:
    - learning_rate: float (default 1e-2).
    - decay_rate: float in [0, 1) (default 0.99), how slowly the average forgets.
    - epsilon: float (default 1e-8), keeps the division finite.
    - cache: array of the shape of w (state; starts as zeros), the moving average of dw ** 2.
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))

    next_w = None
    # TODO: update config["cache"] and compute next_w.
    # YOUR CODE HERE
    raise NotImplementedError("rmsprop is not written yet: write it in optim.py")

    return next_w, config


def adam(w, dw, config=None):
    """Adam: momentum on the gradient (first moment m) and RMSProp-style scaling (second moment v),
    both corrected for starting at zero.

        t = t + 1                                  # count this step first: t is 1 at the first step
        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * dw ** 2
        m_hat = m / (1 - beta1 ** t)               # bias correction
        v_hat = v / (1 - beta2 ** t)
        next_w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    Without the bias correction the first steps would be far too large: m and v start at 0, and v
    is pulled towards 0 more strongly than m (1 - beta2 is smaller than 1 - beta1), so at t = 1 the
    uncorrected step m / sqrt(v) is about 3.2 times too large with the defaults
    (0.1 / sqrt(0.001)).

    config:
    - learning_rate: float (default 1e-3).
    - beta1: float (default 0.9), decay rate of the first moment.
    - beta2: float (default 0.999), decay rate of the second moment.
    - epsilon: float (default 1e-8).
    - m, v: arrays of the shape of w (state; start as zeros).
    - t: int (state; starts at 0), the number of steps taken so far.
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)

    next_w = None
    # TODO: implement the update above, storing the new m, v and t in config.
    # YOUR CODE HERE
    raise NotImplementedError("adam is not written yet: write it in optim.py")

    return next_w, config
