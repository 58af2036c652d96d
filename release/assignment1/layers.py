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
    # YOUR CODE HERE
    raise NotImplementedError("affine_forward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("affine_backward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("relu_forward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("relu_backward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("sigmoid_forward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("sigmoid_backward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("tanh_forward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("tanh_backward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("leaky_relu_forward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("leaky_relu_backward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("elu_forward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("elu_backward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("maxout_forward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("maxout_backward is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("svm_loss is not written yet: write it in layers.py")
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
    # YOUR CODE HERE
    raise NotImplementedError("softmax_loss is not written yet: write it in layers.py")
    return loss, dx


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
