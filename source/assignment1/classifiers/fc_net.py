"""Fully connected neural networks with ReLUs, built from the layers of layers.py.

``TwoLayerNet`` computes class scores

    scores = relu(X @ W1 + b1) @ W2 + b2

so it is affine - relu - affine, followed by a softmax loss. Compared with a linear classifier
(scores = X @ W), the hidden layer of H units with its non-linearity lets the scores depend on the
input in ways no single matrix can express. ``FullyConnectedNet`` stacks any number of such hidden
layers: {affine - relu} x (L - 1) - affine - softmax, and optionally normalizes every hidden layer
before its ReLU (batch or layer normalization) and applies dropout after it
(BatchNormalization.ipynb, Dropout.ipynb).

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
                    batchnorm_backward, batchnorm_forward, dropout_backward, dropout_forward,
                    layernorm_backward, layernorm_forward, relu_backward, relu_forward, softmax_loss)

NORMALIZATIONS = (None, "batchnorm", "layernorm")
WEIGHT_RULES = ("kaiming", "xavier")


def weight_std(weight_scale, fan_in):
    """The standard deviation of a layer's initial weights.

    A layer with fan_in inputs, each of variance v, and weights of standard deviation s gives its
    units pre-activations of variance about fan_in * s**2 * v. Two rules pick s so that this stays
    v from layer to layer, whatever the width:
    - "xavier" (Glorot and Bengio, 2010, as the lectures write it): s = sqrt(1 / fan_in), which
      keeps the variance for a linear or tanh layer (their paper also averages fan-in and fan-out);
    - "kaiming" (He et al., 2015): s = sqrt(2 / fan_in), for ReLU layers, which set half of their
      inputs to zero and so halve the variance.

    Inputs:
    - weight_scale: a number (returned as it is: the standard deviation itself), "kaiming" or
      "xavier".
    - fan_in: int, the number of inputs of the layer (the number of rows of its W).

    Returns:
    - std: float.
    """
    if not isinstance(weight_scale, str):
        return float(weight_scale)
    if weight_scale not in WEIGHT_RULES:
        raise ValueError(f"weight_scale must be a number, 'kaiming' or 'xavier'; got {weight_scale!r}")
    std = None
    # TODO: the standard deviation the rule weight_scale gives for fan_in inputs.
    ### BEGIN SOLUTION
    std = float(np.sqrt((2.0 if weight_scale == "kaiming" else 1.0) / fan_in))
    ### END SOLUTION
    return std


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
        ### BEGIN SOLUTION
        self.params["W1"] = weight_scale * np.random.randn(input_dim, hidden_dim)  # (D, H)
        self.params["b1"] = np.zeros(hidden_dim)  # (H,)
        self.params["W2"] = weight_scale * np.random.randn(hidden_dim, num_classes)  # (H, C)
        self.params["b2"] = np.zeros(num_classes)  # (C,)
        ### END SOLUTION

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
        ### BEGIN SOLUTION
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        hidden, hidden_cache = affine_relu_forward(X, W1, b1)  # (N, H)
        scores, scores_cache = affine_forward(hidden, W2, b2)  # (N, C)
        ### END SOLUTION

        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: the backward pass: the softmax loss of the scores plus the regularization term
        # (with its 0.5), and the gradient of that total for each of W1, b1, W2 and b2, stored in
        # grads under the same keys as in self.params.
        ### BEGIN SOLUTION
        data_loss, dscores = softmax_loss(scores, y)  # dscores (N, C)
        # np.vdot(W, W) is the sum of the squared entries, without building the array W * W.
        loss = data_loss + 0.5 * self.reg * (np.vdot(W1, W1) + np.vdot(W2, W2))
        dhidden, grads["W2"], grads["b2"] = affine_backward(dscores, scores_cache)  # dhidden (N, H)
        _, relu_cache = hidden_cache
        dpre = relu_backward(dhidden, relu_cache)  # (N, H), the gradient before the ReLU
        # The first layer's dW1 and db1 directly: affine_relu_backward would also compute the
        # gradient with respect to X, which nothing uses and which costs as much as X @ W1.
        grads["W1"] = X.reshape(X.shape[0], -1).T @ dpre  # (D, H)
        grads["b1"] = np.sum(dpre, axis=0)  # (H,)
        grads["W2"] += self.reg * W2
        grads["W1"] += self.reg * W1
        ### END SOLUTION

        return loss, grads


class FullyConnectedNet:
    """{affine - [norm] - relu - [dropout]} x (L - 1) - affine - softmax: a network of L layers, with
    input dimension D, hidden layers of the sizes in ``hidden_dims`` and C classes. The norm (batch
    or layer normalization) and dropout layers are there only when the constructor asks for them.

    The learnable parameters live in the dictionary ``self.params``: for layer i = 1, ..., L,
    - 'Wi': array of shape (size of layer i - 1, size of layer i), its weights;
    - 'bi': array of shape (size of layer i,), its biases;
    where layer 0 is the input (D numbers) and layer L the class scores (C numbers). With
    hidden_dims = [100, 50], D = 3072 and C = 10: W1 (3072, 100), W2 (100, 50), W3 (50, 10).
    With normalization, every hidden layer i = 1, ..., L - 1 also has
    - 'gammai', 'betai': arrays of shape (size of layer i,), the scale and shift of its normalization.
    ``loss`` reads them from there, so anything that replaces ``self.params`` (a solver, a test)
    changes the network.

    The state of the layers that behave differently in training and at test time:
    - ``self.bn_params``: a list of L - 1 dicts, the bn_param (or ln_param) of each hidden layer's
      normalization (where batch normalization keeps its running averages); empty without
      normalization;
    - ``self.dropout_param``: the dropout_param every dropout layer receives ({} without dropout).
      Setting ``self.dropout_param["seed"]`` makes dropout draw the same masks at every call
      (gradient checks need that; training does not want it).
    ``loss`` sets their "mode": "train" when given labels, "test" when not.
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, reg=0.0, weight_scale=1e-2,
                 dtype=np.float64, seed=None, normalization=None, dropout_keep_ratio=1.0):
        """Create a network with small random weights.

        Inputs:
        - hidden_dims: list of ints, the size of each hidden layer (L - 1 of them; [] gives a
          softmax classifier, one affine layer).
        - input_dim: int, D, the size of one input.
        - num_classes: int, C.
        - reg: float, the L2 regularization strength (0.5 * reg * sum of every Wi ** 2, see the
          module docstring).
        - weight_scale: float, the standard deviation of the Gaussian every weight is drawn from;
          or "kaiming" or "xavier", a standard deviation for each layer from its fan-in (see
          weight_std).
        - dtype: numpy float type of every parameter, np.float32 or np.float64 (or its name,
          'float32'); float32 halves the memory and speeds up training, float64 is what gradient
          checks need.
        - seed: int or None. With an int, the weights are drawn from np.random.RandomState(seed),
          so two nets built with the same seed are identical; with None, from np.random (whose
          state np.random.seed fixes).
        - normalization: None, "batchnorm" or "layernorm": the normalization of every hidden
          layer, between its affine layer and its ReLU.
        - dropout_keep_ratio: float in (0, 1], the probability that dropout keeps a hidden unit;
          1 means no dropout layers at all.
        """
        if normalization not in NORMALIZATIONS:
            raise ValueError(f"normalization must be None, 'batchnorm' or 'layernorm'; got {normalization!r}")
        if not 0 < dropout_keep_ratio <= 1:
            raise ValueError(f"dropout_keep_ratio must be in (0, 1]; got {dropout_keep_ratio!r}")
        self.reg = reg
        self.dtype = dtype
        self.num_layers = len(hidden_dims) + 1
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.params = {}
        random = np.random if seed is None else np.random.RandomState(seed)
        # A named rule: the weights below are drawn with standard deviation 1, then each layer's
        # are scaled by the rule's standard deviation for its fan-in.
        rule = weight_scale if isinstance(weight_scale, str) else None
        if rule is not None:
            weight_std(rule, 1)  # an unknown name fails here, before anything is drawn
            weight_scale = 1.0

        # TODO: for i = 1, ..., L, store in self.params 'Wi' drawn as weight_scale * random.randn(...)
        # and 'bi' as zeros, with the shapes of the class docstring, every array of type dtype
        # (.astype(dtype)).
        ### BEGIN SOLUTION
        sizes = [input_dim, *hidden_dims, num_classes]
        for i in range(1, self.num_layers + 1):
            self.params[f"W{i}"] = (weight_scale * random.randn(sizes[i - 1], sizes[i])).astype(dtype)
            self.params[f"b{i}"] = np.zeros(sizes[i], dtype=dtype)
        ### END SOLUTION

        if rule is not None:
            for key in [f"W{i}" for i in range(1, self.num_layers + 1)]:
                W = self.params[key]
                self.params[key] = (W * weight_std(rule, W.shape[0])).astype(W.dtype)

        # The per-layer state of normalization and dropout (see the class docstring).
        self.bn_params = [{"mode": "train"} for _ in hidden_dims] if normalization is not None else []
        self.dropout_param = {"mode": "train", "p": dropout_keep_ratio} if self.use_dropout else {}

        if normalization is not None:
            # TODO (BatchNormalization.ipynb): for every hidden layer i = 1, ..., L - 1, store
            # 'gammai' as ones and 'betai' as zeros in self.params, of the layer's size and of type
            # dtype: the normalization starts as the identity scale and no shift.
            ### BEGIN SOLUTION
            for i, size in enumerate(hidden_dims, start=1):
                self.params[f"gamma{i}"] = np.ones(size, dtype=dtype)
                self.params[f"beta{i}"] = np.zeros(size, dtype=dtype)
            ### END SOLUTION

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
            0.5 * reg * (sum(W1 ** 2) + ... + sum(WL ** 2)) (gamma and beta are not penalized).
          - grads: dict with the keys of self.params; grads[k] is the gradient of loss with
            respect to self.params[k], an array of the same shape.
        """
        X = X.astype(self.dtype)
        # Batch normalization and dropout behave differently at test time: tell every such layer.
        mode = "test" if y is None else "train"
        for bn_param in self.bn_params:
            bn_param["mode"] = mode
        if self.use_dropout:
            self.dropout_param["mode"] = mode

        scores = None
        # TODO: the forward pass. L - 1 affine_relu_forward layers, then one affine_forward for
        # the scores (no ReLU on the scores). Keep every layer's cache for the backward pass.
        # Later (BatchNormalization.ipynb, Dropout.ipynb) each hidden layer becomes affine - norm -
        # relu - dropout: with self.normalization "batchnorm" or "layernorm", normalize the output
        # of layer i's affine layer with gammai, betai and self.bn_params[i - 1] before its ReLU;
        # with self.use_dropout, pass the ReLU's output through dropout_forward with
        # self.dropout_param. (affine_relu_forward has no room for a layer in between: call the
        # layers one by one then.)
        ### BEGIN SOLUTION
        last = self.num_layers
        caches = []  # caches[i - 1] is layer i's cache
        hidden = X
        for i in range(1, last):
            pre, affine_cache = affine_forward(hidden, self.params[f"W{i}"], self.params[f"b{i}"])  # (N, Hi)
            norm_cache = None
            if self.normalization == "batchnorm":
                pre, norm_cache = batchnorm_forward(pre, self.params[f"gamma{i}"], self.params[f"beta{i}"],
                                                    self.bn_params[i - 1])
            elif self.normalization == "layernorm":
                pre, norm_cache = layernorm_forward(pre, self.params[f"gamma{i}"], self.params[f"beta{i}"],
                                                    self.bn_params[i - 1])
            hidden, relu_cache = relu_forward(pre)
            dropout_cache = None
            if self.use_dropout:
                hidden, dropout_cache = dropout_forward(hidden, self.dropout_param)
            caches.append((affine_cache, norm_cache, relu_cache, dropout_cache))
        scores, cache = affine_forward(hidden, self.params[f"W{last}"], self.params[f"b{last}"])  # (N, C)
        caches.append(cache)
        ### END SOLUTION

        if y is None:
            return scores

        loss, grads = 0.0, {}
        # TODO: the backward pass: the softmax loss plus the penalty on every weight matrix (with
        # its 0.5), then the gradients from the last layer back to the first, each layer's own
        # backward function with its own cache. Store them in grads under the keys of self.params
        # (with normalization: also 'gammai' and 'betai').
        ### BEGIN SOLUTION
        data_loss, dout = softmax_loss(scores, y)  # dout (N, C)
        weights = [self.params[f"W{i}"] for i in range(1, last + 1)]
        loss = data_loss + 0.5 * self.reg * sum(float(np.vdot(W, W)) for W in weights)
        dout, grads[f"W{last}"], grads[f"b{last}"] = affine_backward(dout, caches[last - 1])
        for i in range(last - 1, 0, -1):
            affine_cache, norm_cache, relu_cache, dropout_cache = caches[i - 1]
            if self.use_dropout:
                dout = dropout_backward(dout, dropout_cache)
            dout = relu_backward(dout, relu_cache)
            if self.normalization == "batchnorm":
                dout, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward(dout, norm_cache)
            elif self.normalization == "layernorm":
                dout, grads[f"gamma{i}"], grads[f"beta{i}"] = layernorm_backward(dout, norm_cache)
            dout, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dout, affine_cache)
        for i in range(1, last + 1):
            grads[f"W{i}"] += self.reg * self.params[f"W{i}"]
        ### END SOLUTION

        return loss, grads
