"""Layers of a neural network, each as a forward and a backward function.

A network is a chain of simple functions ("layers"). Every layer comes as a pair:

- ``out, cache = layer_forward(x, ...)`` computes the layer's output and keeps in ``cache`` what
  the backward pass will need (its inputs, or its output);
- ``dx = layer_backward(dout, cache)`` receives the upstream gradient ``dout``, the gradient of the
  final loss with respect to ``out`` (same shape as ``out``), and returns the gradient with respect
  to the layer's input (and its parameters, if it has any), by the chain rule.

The loss layers at the end of the chain (``svm_loss``, ``softmax_loss``) take class scores and
labels and return the loss together with its gradient with respect to the scores.

The grader sends each ``cache`` back to your backward function through a pipe, so keep caches to
numpy arrays, numbers, and tuples, lists or dicts of them (no other objects).

At a kink (ReLU and leaky ReLU at exactly 0) we use the derivative of the right-hand piece only for
x > 0: relu'(0) = 0, as everyone does.
"""
import numpy as np


def affine_forward(x, w, b):
    """Forward pass of an affine (fully connected) layer: out = x @ w + b.

    Each input x[i] may have any shape (d_1, ..., d_k); it is read as a row of
    D = d_1 * ... * d_k numbers (``x.reshape(N, D)``, C order).

    Inputs:
    - x: array of shape (N, d_1, ..., d_k), a minibatch of N inputs.
    - w: array of shape (D, M) of weights.
    - b: array of shape (M,) of biases.

    Returns a tuple of:
    - out: array of shape (N, M).
    - cache: (x, w, b).
    """
    out = None
    # TODO: compute out. Flatten every input into a row first.
    ### BEGIN SOLUTION
    rows = x.reshape(x.shape[0], -1)  # (N, D)
    out = rows @ w + b  # (N, M)
    ### END SOLUTION
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    """Backward pass of an affine layer.

    Inputs:
    - dout: array of shape (N, M), upstream gradient.
    - cache: (x, w, b) as returned by affine_forward: x (N, d_1, ..., d_k), w (D, M), b (M,).

    Returns a tuple of:
    - dx: array of shape (N, d_1, ..., d_k), like x: the gradient with respect to x.
    - dw: array of shape (D, M): the gradient with respect to w.
    - db: array of shape (M,): the gradient with respect to b.
    """
    x, w, b = cache
    dx, dw, db = None, None, None
    # TODO: compute dx, dw and db. Each must have the shape of what it is the gradient of.
    ### BEGIN SOLUTION
    rows = x.reshape(x.shape[0], -1)  # (N, D)
    dx = (dout @ w.T).reshape(x.shape)  # (N, D) -> (N, d_1, ..., d_k)
    dw = rows.T @ dout  # (D, M)
    db = np.sum(dout, axis=0)  # (M,)
    ### END SOLUTION
    return dx, dw, db


def relu_forward(x):
    """Forward pass of a rectified linear unit: out = max(0, x), elementwise.

    Input:
    - x: array of any shape.

    Returns a tuple of:
    - out: array of the same shape as x.
    - cache: x.
    """
    out = None
    # TODO: compute out.
    ### BEGIN SOLUTION
    out = np.maximum(0, x)
    ### END SOLUTION
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """Backward pass of a ReLU.

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: x, the input of relu_forward.

    Returns:
    - dx: array of the shape of x, the gradient with respect to x (0 where x <= 0).
    """
    x = cache
    dx = None
    # TODO: compute dx.
    ### BEGIN SOLUTION
    dx = dout * (x > 0)
    ### END SOLUTION
    return dx


def sigmoid_forward(x):
    """Forward pass of the logistic sigmoid: out = 1 / (1 + exp(-x)), elementwise.

    For very negative x, exp(-x) overflows (np.exp(800.0) is inf, with a warning); the result is
    still right (1 / inf = 0), but you may prefer exp(x) / (1 + exp(x)) for x < 0.

    Input:
    - x: array of any shape.

    Returns a tuple of:
    - out: array of the same shape as x, every entry in [0, 1].
    - cache: whatever sigmoid_backward needs (x, or out: the derivative is out * (1 - out)).
    """
    out, cache = None, None
    # TODO: compute out and choose the cache.
    ### BEGIN SOLUTION
    small = np.exp(-np.abs(x))  # exp of a non-positive number: never overflows
    out = np.where(x >= 0, 1.0 / (1.0 + small), small / (1.0 + small))
    cache = out
    ### END SOLUTION
    return out, cache


def sigmoid_backward(dout, cache):
    """Backward pass of the sigmoid.

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: what your sigmoid_forward returned as cache.

    Returns:
    - dx: array of the shape of x.
    """
    dx = None
    # TODO: compute dx. d sigmoid(x) / dx = sigmoid(x) * (1 - sigmoid(x)).
    ### BEGIN SOLUTION
    out = cache
    dx = dout * out * (1.0 - out)
    ### END SOLUTION
    return dx


def tanh_forward(x):
    """Forward pass of the hyperbolic tangent, elementwise (np.tanh is fine).

    Input:
    - x: array of any shape.

    Returns a tuple of:
    - out: array of the same shape as x, every entry in [-1, 1].
    - cache: whatever tanh_backward needs.
    """
    out, cache = None, None
    # TODO: compute out and choose the cache.
    ### BEGIN SOLUTION
    out = np.tanh(x)
    cache = out
    ### END SOLUTION
    return out, cache


def tanh_backward(dout, cache):
    """Backward pass of tanh: d tanh(x) / dx = 1 - tanh(x)**2.

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: what your tanh_forward returned as cache.

    Returns:
    - dx: array of the shape of x.
    """
    dx = None
    # TODO: compute dx.
    ### BEGIN SOLUTION
    out = cache
    dx = dout * (1.0 - out * out)
    ### END SOLUTION
    return dx


def leaky_relu_forward(x, alpha=0.01):
    """Forward pass of a leaky ReLU: out = x where x > 0, alpha * x elsewhere.

    Inputs:
    - x: array of any shape.
    - alpha: float, the slope for negative inputs (small and positive).

    Returns a tuple of:
    - out: array of the same shape as x.
    - cache: whatever leaky_relu_backward needs; it gets no alpha of its own, so keep it here.
    """
    out, cache = None, None
    # TODO: compute out and choose the cache.
    ### BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * x)
    cache = (x, alpha)
    ### END SOLUTION
    return out, cache


def leaky_relu_backward(dout, cache):
    """Backward pass of a leaky ReLU: the local slope is 1 where x > 0 and alpha elsewhere.

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: what your leaky_relu_forward returned as cache.

    Returns:
    - dx: array of the shape of x.
    """
    dx = None
    # TODO: compute dx.
    ### BEGIN SOLUTION
    x, alpha = cache
    dx = dout * np.where(x > 0, 1.0, alpha)
    ### END SOLUTION
    return dx


def elu_forward(x, alpha=1.0):
    """Forward pass of an exponential linear unit (ELU):
    out = x where x > 0, alpha * (exp(x) - 1) elsewhere.

    Inputs:
    - x: array of any shape.
    - alpha: float > 0; the output tends to -alpha for very negative x.

    Returns a tuple of:
    - out: array of the same shape as x.
    - cache: whatever elu_backward needs; it gets no alpha of its own, so keep it here.
    """
    out, cache = None, None
    # TODO: compute out and choose the cache. (np.exp of a large positive x overflows to inf with
    # a warning, even where np.where then picks x; np.minimum(x, 0) inside the exp avoids it.)
    ### BEGIN SOLUTION
    negative_part = alpha * np.expm1(np.minimum(x, 0))  # alpha * (exp(x) - 1) for x <= 0
    out = np.where(x > 0, x, negative_part)
    cache = (x, alpha)
    ### END SOLUTION
    return out, cache


def elu_backward(dout, cache):
    """Backward pass of an ELU: the local slope is 1 where x > 0 and alpha * exp(x) elsewhere.

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: what your elu_forward returned as cache.

    Returns:
    - dx: array of the shape of x.
    """
    dx = None
    # TODO: compute dx.
    ### BEGIN SOLUTION
    x, alpha = cache
    dx = dout * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))
    ### END SOLUTION
    return dx


def maxout_forward(x, w, b):
    """Forward pass of a maxout layer: each of the M output units is the largest of K affine
    functions of the input ("pieces"),

        out[i, m] = max over k of (x[i] @ w[:, m, k] + b[m, k]).

    A ReLU is the special case K = 2 with one piece fixed at zero: max(x @ w + b, 0). Maxout learns
    both pieces, so it never saturates and no unit is switched off for every input.

    Inputs:
    - x: array of shape (N, d_1, ..., d_k), a minibatch of N inputs, each read as a row of
      D = d_1 * ... * d_k numbers as in affine_forward.
    - w: array of shape (D, M, K); w[:, m, k] holds the weights of piece k of unit m.
    - b: array of shape (M, K) of biases, one per piece.

    Returns a tuple of:
    - out: array of shape (N, M).
    - cache: (x, w, b). maxout_backward works out from these which piece won.
    """
    out = None
    # TODO: compute out without loops. One matrix product can compute every piece of every unit
    # at once (reshape w to (D, M * K)); then take the maximum over the pieces.
    ### BEGIN SOLUTION
    num_inputs = x.shape[0]
    dim, units, pieces = w.shape
    values = (x.reshape(num_inputs, dim) @ w.reshape(dim, units * pieces)).reshape(num_inputs, units, pieces)
    values += b  # (N, M, K)
    out = np.max(values, axis=2)  # (N, M)
    ### END SOLUTION
    cache = (x, w, b)
    return out, cache


def maxout_backward(dout, cache):
    """Backward pass of a maxout layer.

    Each output is the value of its winning piece, so the whole upstream gradient of out[i, m] goes
    to that one piece, and none to the others. Ties: when several pieces share the largest value,
    the gradient goes to the first of them (the lowest k, the piece np.argmax picks) and only to it.

    Inputs:
    - dout: array of shape (N, M), upstream gradient.
    - cache: (x, w, b) as maxout_forward returns it.

    Returns a tuple of:
    - dx: array of the shape of x, (N, d_1, ..., d_k).
    - dw: array of shape (D, M, K).
    - db: array of shape (M, K).
    """
    dx, dw, db = None, None, None
    # TODO: find each output's winning piece again, send dout to it, then backpropagate through the
    # affine pieces as affine_backward does. No loops over examples or units.
    ### BEGIN SOLUTION
    x, w, b = cache
    num_inputs = x.shape[0]
    dim, units, pieces = w.shape
    rows = x.reshape(num_inputs, dim)  # (N, D)
    values = (rows @ w.reshape(dim, units * pieces)).reshape(num_inputs, units, pieces) + b
    winner = np.argmax(values, axis=2)  # (N, M), the first piece on ties
    dvalues = np.zeros_like(values)  # (N, M, K)
    np.put_along_axis(dvalues, winner[:, :, None], dout[:, :, None], axis=2)
    dvalues = dvalues.reshape(num_inputs, units * pieces)
    dx = (dvalues @ w.reshape(dim, units * pieces).T).reshape(x.shape)
    dw = (rows.T @ dvalues).reshape(dim, units, pieces)
    db = np.sum(dvalues, axis=0).reshape(units, pieces)
    ### END SOLUTION
    return dx, dw, db


def svm_loss(x, y):
    """Multiclass SVM (hinge) loss with margin 1, averaged over the batch, and its gradient.

    Inputs:
    - x: array of shape (N, C); x[i, j] is the score of class j for example i.
    - y: int array of shape (N,); y[i] is the correct class of example i, 0 <= y[i] < C.

    Returns a tuple of:
    - loss: float, mean over i of sum over j != y[i] of max(0, x[i, j] - x[i, y[i]] + 1).
    - dx: array of shape (N, C), the gradient of loss with respect to x.

    No regularization here: the model adds its own.
    """
    loss, dx = None, None
    # TODO: compute loss and dx without loops (as in svm_loss_vectorized, but on scores).
    ### BEGIN SOLUTION
    num_train = x.shape[0]
    rows = np.arange(num_train)
    margins = np.maximum(0.0, x - x[rows, y][:, None] + 1.0)  # (N, C)
    margins[rows, y] = 0.0
    loss = float(np.sum(margins)) / num_train
    dx = (margins > 0).astype(np.result_type(x, np.float32))  # (N, C)
    dx[rows, y] = -np.sum(dx, axis=1)
    dx /= num_train
    ### END SOLUTION
    return loss, dx


def softmax_loss(x, y):
    """Softmax (cross-entropy) loss, averaged over the batch, and its gradient.

    Inputs:
    - x: array of shape (N, C); x[i, j] is the score of class j for example i.
    - y: int array of shape (N,); y[i] is the correct class of example i, 0 <= y[i] < C.

    Returns a tuple of:
    - loss: float, mean over i of -log(softmax(x[i])[y[i]]).
    - dx: array of shape (N, C), the gradient of loss with respect to x.

    Must stay finite for large scores (subtract each row's maximum first, as in softmax.py). No
    regularization here: the model adds its own.
    """
    loss, dx = None, None
    # TODO: compute loss and dx without loops.
    ### BEGIN SOLUTION
    num_train = x.shape[0]
    rows = np.arange(num_train)
    shifted = x - np.max(x, axis=1, keepdims=True)  # (N, C), every entry <= 0
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))  # (N, C)
    loss = -float(np.sum(log_probs[rows, y])) / num_train
    dx = np.exp(log_probs)  # (N, C) probabilities
    dx[rows, y] -= 1.0
    dx /= num_train
    ### END SOLUTION
    return loss, dx


# -- normalization and dropout (BatchNormalization.ipynb, Dropout.ipynb) --------------------------
# These layers behave differently in training and at test time; a dict argument (bn_param,
# ln_param, dropout_param) says which, in its "mode" key: "train" or "test".

def batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of batch normalization, for a minibatch of N examples with D features.

    In training (mode "train"), every feature d is normalized with the mean and variance of the
    minibatch, then scaled and shifted by learned parameters:

        x_hat[:, d] = (x[:, d] - mean[d]) / sqrt(var[d] + eps),    out = gamma * x_hat + beta,

    where mean[d] and var[d] are the mean and the *biased* variance (divided by N, as np.var does)
    of column d. Training also keeps running averages of the two statistics,

        running_mean = momentum * running_mean + (1 - momentum) * mean    (the same for var),

    and at test time (mode "test") these replace the minibatch's statistics, so that a test
    example's output does not depend on the other examples it happens to be evaluated with.

    Inputs:
    - x: array of shape (N, D), the minibatch.
    - gamma: array of shape (D,), the scale of each feature.
    - beta: array of shape (D,), the shift of each feature.
    - bn_param: dict with the keys
      - mode: "train" or "test" (required);
      - eps: the constant added to the variance for numerical stability (default 1e-5);
      - momentum: the weight of the old value in the running averages (default 0.9);
      - running_mean, running_var: arrays of shape (D,), the running averages (zeros when missing).
      In training, this function writes the updated running averages back into bn_param (under
      "running_mean" and "running_var"): that is how they survive from one minibatch to the next.
      At test time it reads them and changes nothing.

    Returns a tuple of:
    - out: array of shape (N, D).
    - cache: in training, the dict {"x", "x_hat", "mean", "var", "gamma", "eps"} built below, with
      x_hat (N, D), mean and var (D,). The grader calls your batchnorm_backward with caches of
      exactly this form, so the backward passes must read nothing else from it. At test time the
      cache is None (no backward pass runs at test time).
    """
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    num_features = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(num_features, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(num_features, dtype=x.dtype))

    out, cache = None, None
    if mode == "train":
        # TODO: compute the minibatch's mean and (biased) variance of every feature, x_hat and out,
        # and update running_mean and running_var with the momentum. Use the variable names of the
        # cache below. No loops.
        ### BEGIN SOLUTION
        mean = np.mean(x, axis=0)  # (D,)
        var = np.var(x, axis=0)  # (D,), divided by N
        x_hat = (x - mean) / np.sqrt(var + eps)  # (N, D), every column of mean 0 and variance 1
        out = gamma * x_hat + beta  # (N, D), column d of mean beta[d] and spread gamma[d]
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
        ### END SOLUTION
        cache = {"x": x, "x_hat": x_hat, "mean": mean, "var": var, "gamma": gamma, "eps": eps}
    elif mode == "test":
        # TODO: normalize with the running averages instead of the minibatch's statistics, then
        # scale and shift. The running averages must not change here.
        ### BEGIN SOLUTION
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta  # (N, D)
        ### END SOLUTION
    else:
        raise ValueError(f"batchnorm_forward: unknown mode {mode!r}; use 'train' or 'test'")

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalization (training mode), step by step.

    Work backwards through the forward pass as a graph of simple steps (x - mean, its square, the
    variance, the square root, the division, the scale and the shift): each step's local gradient
    times the gradient arriving from the step after it. The mean and the variance depend on every
    example of the minibatch, so the gradient of x[i] collects contributions through them from all
    the outputs, not only from out[i].

    Inputs:
    - dout: array of shape (N, D), upstream gradient.
    - cache: the dict batchnorm_forward returns in training: x (N, D), x_hat (N, D), mean (D,),
      var (D,), gamma (D,), eps (a float).

    Returns a tuple of:
    - dx: array of shape (N, D), the gradient with respect to x.
    - dgamma: array of shape (D,), the gradient with respect to gamma.
    - dbeta: array of shape (D,), the gradient with respect to beta.
    """
    dx, dgamma, dbeta = None, None, None
    # TODO: compute dx, dgamma and dbeta, following the steps of the forward pass backwards.
    ### BEGIN SOLUTION
    x, x_hat, mean, var, gamma, eps = (cache[k] for k in ("x", "x_hat", "mean", "var", "gamma", "eps"))
    num = x.shape[0]
    dbeta = np.sum(dout, axis=0)  # (D,)
    dgamma = np.sum(dout * x_hat, axis=0)  # (D,)
    dx_hat = dout * gamma  # (N, D)
    centred = x - mean  # (N, D)
    inv_std = 1.0 / np.sqrt(var + eps)  # (D,)
    dvar = -0.5 * np.sum(dx_hat * centred, axis=0) * inv_std ** 3  # (D,)
    # The mean reaches the output directly and through the variance; the variance's share,
    # dvar * mean(-2 * centred), is zero because the centred values sum to zero.
    dmean = -np.sum(dx_hat, axis=0) * inv_std  # (D,)
    dx = dx_hat * inv_std + dvar * 2.0 * centred / num + dmean / num  # (N, D)
    ### END SOLUTION
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """Backward pass of batch normalization (training mode) as one simplified expression.

    Work the chain rule out on paper first: written with x_hat, the three terms of
    batchnorm_backward collapse into a single line for dx, with no intermediate arrays of the
    graph. The result must equal batchnorm_backward's (and it is usually faster).

    Inputs and returns: as batchnorm_backward.
    """
    dx, dgamma, dbeta = None, None, None
    # TODO: compute dx, dgamma and dbeta with a simplified formula for dx (one statement).
    ### BEGIN SOLUTION
    x_hat, var, gamma, eps = cache["x_hat"], cache["var"], cache["gamma"], cache["eps"]
    num = x_hat.shape[0]
    dbeta = np.sum(dout, axis=0)  # (D,)
    dgamma = np.sum(dout * x_hat, axis=0)  # (D,)
    dx = gamma / (num * np.sqrt(var + eps)) * (num * dout - dbeta - x_hat * dgamma)  # (N, D)
    ### END SOLUTION
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    """Forward pass of layer normalization: every example is normalized over its own D features,

        x_hat[i, :] = (x[i, :] - mean[i]) / sqrt(var[i] + eps),    out = gamma * x_hat + beta,

    with mean[i] and var[i] the mean and biased variance of row i. Nothing depends on the other
    examples of the minibatch, so training and test time are the same and there are no running
    averages (a "mode" key in ln_param is ignored).

    Inputs:
    - x: array of shape (N, D).
    - gamma: array of shape (D,), the scale of each feature.
    - beta: array of shape (D,), the shift of each feature.
    - ln_param: dict; its "eps" (default 1e-5) is the constant added to the variance. It is left
      unchanged.

    Returns a tuple of:
    - out: array of shape (N, D).
    - cache: the dict {"x", "x_hat", "mean", "var", "gamma", "eps"} built below, with mean and var
      of shape (N, 1): one per example, kept as a column so that they broadcast against x. The
      grader calls your layernorm_backward with caches of exactly this form.
    """
    eps = ln_param.get("eps", 1e-5)
    out = None
    # TODO: compute each example's mean and (biased) variance, x_hat and out. No loops.
    ### BEGIN SOLUTION
    mean = np.mean(x, axis=1, keepdims=True)  # (N, 1)
    var = np.var(x, axis=1, keepdims=True)  # (N, 1)
    x_hat = (x - mean) / np.sqrt(var + eps)  # (N, D), every row of mean 0 and variance 1
    out = gamma * x_hat + beta  # (N, D)
    ### END SOLUTION
    cache = {"x": x, "x_hat": x_hat, "mean": mean, "var": var, "gamma": gamma, "eps": eps}
    return out, cache


def layernorm_backward(dout, cache):
    """Backward pass of layer normalization.

    The same calculus as batch normalization with the roles of the axes swapped: the statistics
    now run over the features of one example (axis 1), while gamma and beta are still shared by
    the examples, so their gradients are still sums over the examples (axis 0).

    Inputs:
    - dout: array of shape (N, D), upstream gradient.
    - cache: the dict layernorm_forward returns: x (N, D), x_hat (N, D), mean (N, 1), var (N, 1),
      gamma (D,), eps (a float).

    Returns a tuple of:
    - dx: array of shape (N, D).
    - dgamma: array of shape (D,).
    - dbeta: array of shape (D,).
    """
    dx, dgamma, dbeta = None, None, None
    # TODO: compute dx, dgamma and dbeta.
    ### BEGIN SOLUTION
    x_hat, var, gamma, eps = cache["x_hat"], cache["var"], cache["gamma"], cache["eps"]
    num_features = x_hat.shape[1]
    dbeta = np.sum(dout, axis=0)  # (D,)
    dgamma = np.sum(dout * x_hat, axis=0)  # (D,)
    dx_hat = dout * gamma  # (N, D)
    dx = (num_features * dx_hat - np.sum(dx_hat, axis=1, keepdims=True)
          - x_hat * np.sum(dx_hat * x_hat, axis=1, keepdims=True)) / (num_features * np.sqrt(var + eps))
    ### END SOLUTION
    return dx, dgamma, dbeta


def dropout_forward(x, dropout_param):
    """Forward pass of (inverted) dropout.

    In training, every entry of x is kept with probability p and set to 0 otherwise, each entry
    independently (of the other entries, the other examples and the earlier calls), and the kept
    entries are divided by p: then the expected value of every output equals its input, and at
    test time the layer is simply the identity (no rescaling needed there).

    Inputs:
    - x: array of any shape.
    - dropout_param: dict with the keys
      - p: the probability of KEEPING each entry (0 < p <= 1); p = 1 keeps everything;
      - mode: "train" or "test";
      - seed (optional): when given, the mask depends only on the seed and x's shape, so the same
        seed gives the same mask at every call (for gradient checks). Draw from ``random`` below,
        which is a generator made from the seed then, and numpy's global one otherwise.

    Returns a tuple of:
    - out: array of the shape of x.
    - cache: (dropout_param, mask). In training, mask is an array of the shape of x with
      out = x * mask: 0 where an entry was dropped, 1 / p where it was kept. At test time it is
      None. (The grader also calls your dropout_backward with caches of this form.)
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    # A generator of its own for a seeded mask: reseeding numpy's global generator here would also
    # replay everything else that draws from it (a Solver's minibatches, for one).
    random = np.random.RandomState(dropout_param["seed"]) if "seed" in dropout_param else np.random

    mask, out = None, None
    if mode == "train":
        # TODO: draw the mask (random.rand or random.binomial) and compute out. No loops.
        ### BEGIN SOLUTION
        mask = ((random.rand(*x.shape) < p) / p).astype(x.dtype)  # 0 where dropped, 1 / p where kept
        out = x * mask
        ### END SOLUTION
    elif mode == "test":
        # TODO: compute out at test time.
        ### BEGIN SOLUTION
        out = x
        ### END SOLUTION
    else:
        raise ValueError(f"dropout_forward: unknown mode {mode!r}; use 'train' or 'test'")
    cache = (dropout_param, mask)
    return out, cache


def dropout_backward(dout, cache):
    """Backward pass of (inverted) dropout.

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: (dropout_param, mask) as dropout_forward returns it (mode in dropout_param["mode"]).

    Returns:
    - dx: array of the shape of x: in training, the gradient flows only through the kept entries,
      scaled as they were; at test time the layer is the identity.
    """
    dropout_param, mask = cache
    dx = None
    # TODO: compute dx for both modes.
    ### BEGIN SOLUTION
    dx = dout * mask if dropout_param["mode"] == "train" else dout
    ### END SOLUTION
    return dx


# -- sandwich layers: affine followed by ReLU (provided; they only chain the layers above) --------

def affine_relu_forward(x, w, b):
    """An affine layer followed by a ReLU.

    Inputs: x (N, d_1, ..., d_k), w (D, M), b (M,) as for affine_forward.

    Returns a tuple of:
    - out: array of shape (N, M), relu(x @ w + b).
    - cache: (affine cache, relu cache), for affine_relu_backward.
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """Backward pass of affine_relu_forward: returns (dx, dw, db) as affine_backward does."""
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return affine_backward(da, fc_cache)
