"""Per-sample SGD in NumPy, arranged so that each sample costs as few NumPy calls as possible.

At batch size 1 the arrays are tiny (at most 50 numbers) and every NumPy call costs about a
microsecond of overhead whatever it computes, so the arithmetic is laid out to minimise calls:

- each layer's bias is stored as an extra row of its weight matrix, and each layer's input as a
  vector with a trailing 1, so ``z = [x, 1] @ [[W], [b]]`` is one call and so is the update;
- every buffer is allocated once per epoch and written with ``out=``;
- the learning rate is folded into the output delta, so the deltas that flow back are already
  ``lr * dL/dz`` and each update is an outer product and a subtraction.

The arithmetic is that of ``Network.backward`` with a batch of one; a test checks the two agree.
"""
from __future__ import annotations

import numpy as np

from ..network import Network

Array = np.ndarray


def _forward_kernels() -> dict:
    """activation name -> f(z, out): writes the activation of z into out."""
    from scipy.special import expit  # one call for the sigmoid, against four for the tanh form

    return {
        "identity": lambda z, out: np.copyto(out, z),
        "sigmoid": expit,
        "tanh": np.tanh,
        "relu": lambda z, out: np.maximum(z, 0.0, out),
    }


def _sigmoid_derivative(a: Array, out: Array) -> None:
    np.subtract(1.0, a, out)
    np.multiply(out, a, out)


def _tanh_derivative(a: Array, out: Array) -> None:
    np.multiply(a, a, out)
    np.subtract(1.0, out, out)


# activation name -> g(a, out): writes f'(z), from the output a, into out; None: f' = 1.
DERIVATIVE_KERNELS = {
    "identity": None,
    "sigmoid": _sigmoid_derivative,
    "tanh": _tanh_derivative,
    "relu": lambda a, out: np.greater(a, 0.0, out),
}


def run_epoch(net: Network, X: Array, Y: Array, optimizer, config) -> None:
    """One epoch of per-sample SGD over X (n, n_in), Y (n, n_out), in the order given."""
    layers = net.layers
    n_layers = len(layers)
    lr = optimizer.learning_rate
    # Augmented parameters [[W], [b]]: (n_in + 1, n_out), and their views for backpropagation.
    params = [np.vstack([layer.weights, layer.bias]) for layer in layers]
    weights = [p[:-1] for p in params]  # (n_in, n_out) views, updated with params
    # inputs[i]: layer i's input with a trailing 1, (n_in + 1,); outputs[i] is a view of inputs[i + 1].
    inputs = [np.ones(layer.n_in + 1, dtype=p.dtype) for layer, p in zip(layers, params)]
    inputs.append(np.ones(layers[-1].n_out + 1, dtype=params[0].dtype))
    outputs = [buf[:-1] for buf in inputs[1:]]
    columns = [buf.reshape(-1, 1) for buf in inputs[:-1]]  # (n_in + 1, 1) views for the outer product
    z = [np.empty(layer.n_out, dtype=p.dtype) for layer, p in zip(layers, params)]
    deltas = [np.empty((1, layer.n_out), dtype=p.dtype) for layer, p in zip(layers, params)]  # lr * dL/dz
    slope = [np.empty(layer.n_out, dtype=p.dtype) for layer, p in zip(layers, params)]
    outer = [np.empty_like(p) for p in params]
    forward = [_forward_kernels()[layer.activation.name] for layer in layers]
    derivative = [DERIVATIVE_KERNELS[layer.activation.name] for layer in layers]
    output_derivative = derivative[-1] if net.loss.name == "mse" else None  # cross-entropy: dL/dz = a - y
    x_in = inputs[0][:-1]
    dot, subtract, multiply = np.dot, np.subtract, np.multiply
    last = n_layers - 1

    for x, y in zip(X, Y):
        x_in[...] = x
        for i in range(n_layers):
            dot(inputs[i], params[i], z[i])
            forward[i](z[i], outputs[i])
        d = deltas[last][0]
        subtract(outputs[last], y, d)  # a - y
        multiply(d, lr, d)
        if output_derivative is not None:
            output_derivative(outputs[last], slope[last])
            multiply(d, slope[last], d)
        for i in range(last, 0, -1):
            d_below = deltas[i - 1][0]
            dot(weights[i], deltas[i][0], d_below)  # (n_in, n_out) @ (n_out,) -> (n_in,)
            if derivative[i - 1] is not None:
                derivative[i - 1](outputs[i - 1], slope[i - 1])
                multiply(d_below, slope[i - 1], d_below)
        for i in range(n_layers):
            dot(columns[i], deltas[i], outer[i])  # (n_in + 1, 1) @ (1, n_out): lr * [x, 1]^T delta
            subtract(params[i], outer[i], params[i])

    for layer, p in zip(layers, params):
        layer.params["weights"][...] = p[:-1]
        layer.params["bias"][...] = p[-1]
