"""Per-sample SGD in NumPy, arranged so that each sample costs as few NumPy calls as possible.

At batch size 1 the arrays are tiny (at most 50 numbers) and every NumPy call costs about half a
microsecond of overhead whatever it computes, so the arithmetic is laid out to minimise calls:

- each layer's bias is stored as an extra row of its weight matrix, and each layer's input as a
  vector with a trailing 1, so ``z = [x, 1] @ [[W], [b]]`` is one call;
- the update ``[[W], [b]] -= lr [x, 1]^T delta`` is one BLAS ``ger`` call, in place on the
  transposed (Fortran-ordered) view of the row-major parameters, with -lr as its scale factor;
- every buffer is allocated once per epoch and written with ``out=``, and constants are arrays:
  a Python float operand costs a conversion on every call.

The arithmetic is that of ``Network.backward`` with a batch of one; a test checks the two agree.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..network import Network

Array = np.ndarray


def _forward_kernels() -> dict:
    """activation name -> f(z, out): writes the activation of z into out."""
    from scipy.special import expit  # one call for the sigmoid, against four for the tanh form

    return {
        "identity": lambda z, out: np.copyto(out, z),
        "sigmoid": expit,
        "tanh": np.tanh,
        "relu": lambda z, out: np.maximum(z, 0.0, out=out),
    }


def _sigmoid_derivative(a: Array, out: Array, ones: Array) -> None:
    np.subtract(ones, a, out)
    np.multiply(out, a, out)


def _tanh_derivative(a: Array, out: Array, ones: Array) -> None:
    np.multiply(a, a, out)
    np.subtract(ones, out, out)


def _relu_derivative(a: Array, out: Array, ones: Array) -> None:
    np.greater(a, 0.0, out)


# activation name -> g(a, out, ones): writes f'(z), from the output a, into out; None: f' = 1.
DERIVATIVE_KERNELS = {
    "identity": None,
    "sigmoid": _sigmoid_derivative,
    "tanh": _tanh_derivative,
    "relu": _relu_derivative,
}


def _rank_one_update(dtype):
    """BLAS ger(alpha, x, y, a=A, overwrite_a=True): A += alpha x y^T in place on a Fortran-ordered A.

    (overwrite_x/y only let f2py skip copying contiguous inputs; BLAS never writes x or y.)"""
    from scipy.linalg.blas import dger, sger

    return sger if dtype == np.float32 else dger


def run_epoch(net: Network, X: Array, Y: Array, optimizer, config) -> None:
    """One epoch of per-sample SGD over X (n, n_in), Y (n, n_out), in the order given."""
    layers = net.layers
    dtype = layers[0].weights.dtype
    # Augmented parameters [[W], [b]]: (n_in + 1, n_out), row-major so that W @ delta reads rows.
    params = [np.vstack([layer.weights, layer.bias]) for layer in layers]
    weights = [p[:-1] for p in params]  # (n_in, n_out) views, updated with params
    # inputs[i]: layer i's input with a trailing 1, (n_in + 1,); outputs[i] is a view of inputs[i + 1].
    X1 = np.hstack([X, np.ones((len(X), 1), dtype=dtype)])  # (n, n_in + 1)
    inputs = [None] + [np.ones(layer.n_out + 1, dtype=dtype) for layer in layers]
    outputs = [buf[:-1] for buf in inputs[1:]]
    z = [np.empty(layer.n_out, dtype=dtype) for layer in layers]
    deltas = [np.empty(layer.n_out, dtype=dtype) for layer in layers]  # dL/dz of each layer
    slopes = [np.empty(layer.n_out, dtype=dtype) for layer in layers]
    ones = [np.ones(layer.n_out, dtype=dtype) for layer in layers]
    kernels = _forward_kernels()
    forward = [kernels[layer.activation.name] for layer in layers]
    derivative = [DERIVATIVE_KERNELS[layer.activation.name] for layer in layers]
    output_derivative = derivative[-1] if net.loss.name == "mse" else None  # cross-entropy: dL/dz = a - y
    # One tuple per layer, so that the per-sample loops index nothing.
    forward_plan = list(zip(range(len(layers)), params, z, forward, outputs))
    backward_plan = [(weights[i], deltas[i], deltas[i - 1], outputs[i - 1], slopes[i - 1], derivative[i - 1],
                      ones[i - 1]) for i in range(len(layers) - 1, 0, -1)]
    update_plan = [(i, deltas[i], params[i].T) for i in range(len(layers))]  # p.T: (n_out, n_in + 1), F-ordered
    ger, alpha = _rank_one_update(dtype), -optimizer.learning_rate
    dot, subtract, multiply = np.dot, np.subtract, np.multiply
    a_out, d_out, slope_out, ones_out = outputs[-1], deltas[-1], slopes[-1], ones[-1]

    for x, y in zip(X1, Y):
        inputs[0] = x
        for i, p, z_i, f, out in forward_plan:
            dot(inputs[i], p, z_i)  # (n_in + 1,) @ (n_in + 1, n_out) -> (n_out,)
            f(z_i, out)
        subtract(a_out, y, d_out)  # dL/da for mse, dL/dz for the cross-entropies
        if output_derivative is not None:
            output_derivative(a_out, slope_out, ones_out)
            multiply(d_out, slope_out, d_out)
        for w, d, d_below, a_below, slope, g, one in backward_plan:
            dot(w, d, d_below)  # (n_in, n_out) @ (n_out,) -> (n_in,)
            if g is not None:
                g(a_below, slope, one)
                multiply(d_below, slope, d_below)
        for i, d, p_t in update_plan:
            # [[W], [b]]^T -= lr delta [x, 1]; positional arguments (incx, incy, a, overwrite_x,
            # overwrite_y, overwrite_a) because f2py parses keywords slowly: 0.42 us against 0.76.
            ger(alpha, d, inputs[i], 1, 1, p_t, 1, 1, 1)

    for layer, p in zip(layers, params):
        layer.params["weights"][...] = p[:-1]
        layer.params["bias"][...] = p[-1]
