"""Per-sample SGD compiled with Numba: the seed's algorithm at a few microseconds per sample.

The loop is the textbook one: forward, output delta, deltas backwards through the transposed
weights, then every update, written with scalar loops that Numba compiles and vectorises
(about 2 us per sample for the seed's network, against about 35 for the seed's code). The
layers' own arrays are passed as tuples of same-typed arrays, which one compiled function can
index at run time, so one function serves any depth and updates the parameters in place.
Activations and losses are chosen by small integer codes, since compiled code cannot look up a
registry. Compiled functions are cached on disk (``cache=True``): a second process does not
compile them again.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

# f'(z) from the output a = f(z), and exp, shared with the general kernels. (Numba's disk cache
# watches only this file: after changing them, clear __pycache__ or touch this file.)
from .numba_kernels import exp, slope

if TYPE_CHECKING:
    from ..network import Network

Array = np.ndarray
ACTIVATION_CODES = {"identity": 0, "sigmoid": 1, "tanh": 2, "relu": 3}
LOSS_CODES = {"mse": 0, "binary_cross_entropy": 1}


@njit(cache=True, error_model="numpy", inline="always")
def _activate(z, code):
    """tanh, ReLU or identity of one value (the sigmoid has its own loop in _sgd_epoch)."""
    if code == 2:
        return math.tanh(z)
    if code == 3:
        return z if z > 0 else 0.0
    return z


# reassoc lets the compiler vectorise the sums (8 partial sums instead of one chain of dependent
# additions), contract lets it fuse multiply-adds; both change the last bits only. No nnan/ninf:
# NaN must survive, so that a diverged network is seen.
FASTMATH = {"reassoc", "nsz", "contract"}


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _sgd_epoch(weights, biases, acts, deltas, codes, loss_code, X, Y, lr):  # pragma: no cover
    # weights[l]: (n_in, n_out), biases[l] and deltas[l]: (n_out,) for layer l; acts[l] is layer l's
    # input and acts[l + 1] its output (acts[0] holds the sample). Loops run along rows of W
    # (k innermost) so that memory is read contiguously and the compiler can vectorise.
    n_layers = len(weights)
    last = n_layers - 1
    for s in range(X.shape[0]):
        x = acts[0]
        for j in range(x.shape[0]):  # loops, not slice copies (x[:] = X[s]), which cost a call each
            x[j] = X[s, j]
        for l in range(n_layers):  # forward: a_{l+1} = f(a_l @ W_l + b_l)
            W, a_in, a, b = weights[l], acts[l], acts[l + 1], biases[l]
            for k in range(W.shape[1]):
                a[k] = b[k]
            for j in range(W.shape[0]):
                a_j = a_in[j]
                for k in range(W.shape[1]):
                    a[k] += a_j * W[j, k]
            if codes[l] == 1:  # the sigmoid in its own loop, which vectorises (numba_kernels.exp, unlike math.exp)
                for k in range(W.shape[1]):
                    a[k] = 1.0 / (1.0 + exp(-a[k]))
            else:
                for k in range(W.shape[1]):
                    a[k] = _activate(a[k], codes[l])
        a, d = acts[n_layers], deltas[last]
        for k in range(a.shape[0]):  # output delta: dL/dz = (a - y) [* f'(z) for mse]
            d[k] = a[k] - Y[s, k]
            if loss_code == 0:
                d[k] *= slope(a[k], codes[last])
        for l in range(last, 0, -1):  # delta_{l-1} = (W_l @ delta_l) * f'(z_{l-1})
            W, d, d_below, a_below = weights[l], deltas[l], deltas[l - 1], acts[l]
            for j in range(W.shape[0]):
                acc = 0.0
                for k in range(W.shape[1]):  # a reduction: vectorised thanks to fastmath's reassoc
                    acc += W[j, k] * d[k]
                d_below[j] = acc * slope(a_below[j], codes[l - 1])
        for l in range(n_layers):  # W_l -= lr * a_l^T delta_l;  b_l -= lr * delta_l
            W, b, d, a_in = weights[l], biases[l], deltas[l], acts[l]
            for k in range(W.shape[1]):
                b[k] -= lr * d[k]
            for j in range(W.shape[0]):
                step = lr * a_in[j]
                for k in range(W.shape[1]):
                    W[j, k] -= step * d[k]


def warm_up(net: Network) -> None:
    """Compile (or load from the cache) the loop for this network's depth and dtype, on no samples,
    so that a one-off compilation is not counted as training time."""
    dtype = net.layers[0].weights.dtype
    _train(net, np.empty((0, net.sizes[0]), dtype), np.empty((0, net.sizes[-1]), dtype), 0.0)


def run_epoch(net: Network, X: Array, Y: Array, optimizer, config) -> None:
    """One epoch of per-sample SGD over X (n, n_in), Y (n, n_out), in the order given."""
    _train(net, X, Y, optimizer.learning_rate)


def _train(net: Network, X: Array, Y: Array, learning_rate: float) -> None:
    dtype = net.layers[0].weights.dtype
    _sgd_epoch(
        tuple(layer.params["weights"] for layer in net.layers),
        tuple(layer.params["bias"] for layer in net.layers),
        tuple(np.empty(width, dtype=dtype) for width in net.sizes),
        tuple(np.empty(layer.n_out, dtype=dtype) for layer in net.layers),
        np.array([ACTIVATION_CODES[layer.activation.name] for layer in net.layers], dtype=np.int64),
        LOSS_CODES[net.loss.name],
        np.ascontiguousarray(X, dtype=dtype), np.ascontiguousarray(Y, dtype=dtype), dtype.type(learning_rate),
    )
