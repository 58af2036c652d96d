"""Fully connected neural networks with ReLUs, built from the layers of layers.py.

``TwoLayerNet`` computes class scores

    scores = relu(X @ W1 + b1) @ W2 + b2

so it is affine - relu - affine, followed by a softmax loss. Compared with a linear classifier
(scores = X @ W), the hidden layer of H units with its non-linearity lets the scores depend on the
input in ways no single matrix can express. ``FullyConnectedNet`` stacks any number of such hidden
layers: {affine - relu} x (L - 1) - affine - softmax.

Regularization (both networks): the loss adds ``0.5 * reg * (sum(W1 ** 2) + ... + sum(WL ** 2))``,
whose gradient is ``reg * Wi`` for each weight matrix. The factor 0.5 is there so that the gradient
comes out without a 2. This differs on purpose from the linear classifiers of this assignment, which
add ``reg * sum(W * W)`` (gradient ``2 * reg * W``): both conventions are common, and CS231n uses this
one for its networks. A given ``reg`` therefore regularizes a network half as strongly as it would a
linear classifier. The biases are not regularized.

layers.py sits in the assignment folder (not in this package); it is imported by its own name,
which works whenever the assignment folder is the current directory (notebooks, the grader).
"""
import numpy as np

from layers import (affine_backward, affine_forward, affine_relu_backward, affine_relu_forward,
                    relu_backward, softmax_loss)


class TwoLayerNet:
    """affine - relu - affine - softmax, with input dimension D, H hidden units and C classes.

    The learnable parameters live in the dictionary ``self.params``, under these keys:
    - 'W1': array of shape (D, H), first layer weights;   'b1': array of shape (H,), its biases;
    - 'W2': array of shape (H, C), second layer weights;  'b2': array of shape (C,), its biases.
    ``loss`` reads them from there, so anything that replaces ``self.params`` (a solver, a test)
    changes the network.
    """

    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3,
                 reg=0.0):
        """Create a network with small random weights.

        Inputs:
        - input_dim: int, D, the size of one input (a 32x32 RGB image has 3072 numbers).
        - hidden_dim: int, H, the number of hidden units.
        - num_classes: int, C.
        - weight_scale: float, the standard deviation of the Gaussian the weights are drawn from.
        - reg: float, the L2 regularization strength (see the module docstring for the 0.5).
        """
        self.params = {}
        self.reg = reg

        # TODO: initialise W1 and W2 from a Gaussian with mean 0 and standard deviation
        # weight_scale (np.random.randn), and b1 and b2 to zeros. Store them in self.params under
        # the keys 'W1', 'b1', 'W2', 'b2', with the shapes listed in the class docstring.
        # YOUR CODE HERE
        raise NotImplementedError("TwoLayerNet.__init__ is not written yet: write it in classifiers/fc_net.py")

    def loss(self, X, y=None):
        """Class scores of a minibatch, or its loss and the gradients of every parameter.

        Inputs:
        - X: array of shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D, a minibatch of inputs.
        - y: int array of shape (N,) of labels, 0 <= y[i] < C, or None.

        Returns:
        - if y is None (test time): scores, an array of shape (N, C); scores[i, c] is the score of
          class c for X[i].
        - otherwise (training time), a tuple of:
          - loss: float, the mean softmax loss over the minibatch plus
            0.5 * reg * (sum(W1 ** 2) + sum(W2 ** 2)).
          - grads: dict with the keys of self.params; grads[k] is the gradient of loss with
            respect to self.params[k], an array of the same shape.
        """
        scores = None
        # TODO: the forward pass: compute the class scores of X. The layers of layers.py (and
        # their sandwich affine_relu_forward) do most of the work; keep their caches.
        # YOUR CODE HERE
        raise NotImplementedError("TwoLayerNet.loss is not written yet: write it in classifiers/fc_net.py")

        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: the backward pass: the softmax loss of the scores plus the regularization term
        # (with its 0.5), and the gradient of that total for each of W1, b1, W2 and b2, stored in
        # grads under the same keys as in self.params.
        # YOUR CODE HERE
        raise NotImplementedError("TwoLayerNet.loss is not written yet: write it in classifiers/fc_net.py")

        return loss, grads


class FullyConnectedNet:
    """{affine - relu} x (L - 1) - affine - softmax: a network of L layers, with input dimension D,
    hidden layers of the sizes in ``hidden_dims`` and C classes.

    The learnable parameters live in the dictionary ``self.params``: for layer i = 1, ..., L,
    - 'Wi': array of shape (size of layer i - 1, size of layer i), its weights;
    - 'bi': array of shape (size of layer i,), its biases;
    where layer 0 is the input (D numbers) and layer L the class scores (C numbers). With
    hidden_dims = [100, 50], D = 3072 and C = 10: W1 (3072, 100), W2 (100, 50), W3 (50, 10).
    ``loss`` reads them from there, so anything that replaces ``self.params`` (a solver, a test)
    changes the network.
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, reg=0.0, weight_scale=1e-2,
                 dtype=np.float64, seed=None):
        """Create a network with small random weights.

        Inputs:
        - hidden_dims: list of ints, the size of each hidden layer (L - 1 of them; [] gives a
          softmax classifier, one affine layer).
        - input_dim: int, D, the size of one input.
        - num_classes: int, C.
        - reg: float, the L2 regularization strength (0.5 * reg * sum of every Wi ** 2, see the
          module docstring).
        - weight_scale: float, the standard deviation of the Gaussian every weight is drawn from.
        - dtype: numpy float type of every parameter, np.float32 or np.float64 (or its name,
          'float32'); float32 halves the memory and speeds up training, float64 is what gradient
          checks need.
        - seed: int or None. With an int, the weights are drawn from np.random.RandomState(seed),
          so two nets built with the same seed are identical; with None, from np.random (whose
          state np.random.seed fixes).
        """
        self.reg = reg
        self.dtype = dtype
        self.num_layers = len(hidden_dims) + 1
        self.params = {}
        random = np.random if seed is None else np.random.RandomState(seed)

        # TODO: for i = 1, ..., L, store in self.params 'Wi' drawn as weight_scale * random.randn(...)
        # and 'bi' as zeros, with the shapes of the class docstring, every array of type dtype
        # (.astype(dtype)).
        # YOUR CODE HERE
        raise NotImplementedError("FullyConnectedNet.__init__ is not written yet: write it in classifiers/fc_net.py")

    def loss(self, X, y=None):
        """Class scores of a minibatch, or its loss and the gradients of every parameter.

        Inputs:
        - X: array of shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D, a minibatch of inputs. It is
          converted to the net's dtype first.
        - y: int array of shape (N,) of labels, 0 <= y[i] < C, or None.

        Returns:
        - if y is None (test time): scores, an array of shape (N, C).
        - otherwise (training time), a tuple of:
          - loss: float, the mean softmax loss over the minibatch plus
            0.5 * reg * (sum(W1 ** 2) + ... + sum(WL ** 2)).
          - grads: dict with the keys of self.params; grads[k] is the gradient of loss with
            respect to self.params[k], an array of the same shape.
        """
        X = X.astype(self.dtype)
        scores = None
        # TODO: the forward pass. L - 1 affine_relu_forward layers, then one affine_forward for
        # the scores (no ReLU on the scores). Keep every layer's cache for the backward pass.
        # YOUR CODE HERE
        raise NotImplementedError("FullyConnectedNet.loss is not written yet: write it in classifiers/fc_net.py")

        if y is None:
            return scores

        loss, grads = 0.0, {}
        # TODO: the backward pass: the softmax loss plus the penalty on every weight matrix (with
        # its 0.5), then the gradients from the last layer back to the first, each layer's own
        # backward function with its own cache. Store them in grads under the keys of self.params.
        # YOUR CODE HERE
        raise NotImplementedError("FullyConnectedNet.loss is not written yet: write it in classifiers/fc_net.py")

        return loss, grads
