"""Per-sample SGD compiled with Numba: the seed's algorithm at a few microseconds per sample.

The loop is the textbook one: forward, output delta, deltas backwards through the transposed
weights, then every update, written with scalar loops that Numba compiles and vectorises
(about 1.4 us per sample for the seed's network, against about 35 for the seed's code). The update
is plain SGD, or momentum / Nesterov with the optimizer's velocities: each weight's gradient
a_l[j] * delta_l[k] is used where it is made, never stored (the general kernels write every
gradient to an array and read it back, which doubled momentum's time at batch 1). The
layers' own arrays are passed as tuples of same-typed arrays, which one compiled function can
index at run time, so one function serves any depth and updates the parameters in place.
Activations and losses are chosen by small integer codes, since compiled code cannot look up a
registry. Compiled functions are cached on disk (``cache=True``): a second process does not
compile them again.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from .numba_kernels import FLOAT32_FLOOR, FLOAT64_FLOOR

# The elementwise functions, shared with the general kernels. (Numba's disk cache watches only
# this file: after changing them, clear __pycache__ or touch this file.)
from .numba_math import exp, sigmoid, slope, tanh

if TYPE_CHECKING:
    from ..network import Network

Array = np.ndarray
ACTIVATION_CODES = {"identity": 0, "sigmoid": 1, "tanh": 2, "relu": 3, "softmax": 4}
LOSS_CODES = {"mse": 0, "binary_cross_entropy": 1, "cross_entropy": 2}
PLAIN, MOMENTUM, NESTEROV = 0, 1, 2  # the update rules
OPTIMIZERS = ("sgd", "momentum", "nesterov")


@njit(cache=True, error_model="numpy", inline="always")
def _activate(z, code):
    """tanh, ReLU or identity of one value (the sigmoid has its own loop in _forward)."""
    if code == 2:
        return tanh(z)
    if code == 3:
        return z if z > 0 else 0.0
    return z


@njit(cache=True, error_model="numpy", inline="always")
def _softmax(a, floor):
    """a <- softmax(a) in place, shifted by its maximum and clipped at ``floor`` as the reference."""
    top = a[0]
    for k in range(1, a.shape[0]):
        top = max(top, a[k])
    total = 0.0
    for k in range(a.shape[0]):
        a[k] = exp(max(a[k] - top, floor))
        total += a[k]
    for k in range(a.shape[0]):
        a[k] /= total


# reassoc lets the compiler vectorise the sums (8 partial sums instead of one chain of dependent
# additions), contract lets it fuse multiply-adds; both change the last bits only. No nnan/ninf:
# NaN must survive, so that a diverged network is seen.
FASTMATH = {"reassoc", "nsz", "contract"}


# weights[l]: (n_in, n_out), biases[l] and deltas[l]: (n_out,) for layer l; acts[l] is layer l's
# input and acts[l + 1] its output (acts[0] holds the sample). Loops run along rows of W (k
# innermost) so that memory is read contiguously and the compiler can vectorise. The helpers below
# are inlined by Numba where they are used, numba_math's functions by LLVM (see its docstring), so
# that each epoch loop compiles to one function with no calls.
@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _affine(W, b, a_in, a):  # pragma: no cover
    """a = a_in @ W + b for one sample: W (n_in, n_out), b and a (n_out,), a_in (n_in,).

    Rows of W are taken eight at a time, so that each a[k] is loaded and stored once per eight
    products instead of once per product (15% of the seed's whole per-sample step). The weights
    after an epoch came out the same to the bit as with one row at a time (checked in float32 and
    float64): with reassoc the compiler orders the eight additions as it did the chain."""
    n_in, n_out = W.shape
    for k in range(n_out):
        a[k] = b[k]
    j = 0
    while j + 8 <= n_in:
        a0, a1, a2, a3 = a_in[j], a_in[j + 1], a_in[j + 2], a_in[j + 3]
        a4, a5, a6, a7 = a_in[j + 4], a_in[j + 5], a_in[j + 6], a_in[j + 7]
        for k in range(n_out):
            a[k] += (a0 * W[j, k] + a1 * W[j + 1, k] + a2 * W[j + 2, k] + a3 * W[j + 3, k]
                     + a4 * W[j + 4, k] + a5 * W[j + 5, k] + a6 * W[j + 6, k] + a7 * W[j + 7, k])
        j += 8
    for i in range(j, n_in):
        a_i = a_in[i]
        for k in range(n_out):
            a[k] += a_i * W[i, k]


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _forward(weights, biases, acts, codes, X, s, floor):  # pragma: no cover
    """acts[l + 1] = f(acts[l] @ W_l + b_l) for every layer, from sample s of X."""
    x = acts[0]
    for j in range(x.shape[0]):  # loops, not slice copies (x[:] = X[s]), which cost a call each
        x[j] = X[s, j]
    for l in range(len(weights)):
        W, a_in, a, b = weights[l], acts[l], acts[l + 1], biases[l]
        _affine(W, b, a_in, a)
        if codes[l] == 1:  # the sigmoid in its own loop, which vectorises (numba_math.exp, unlike math.exp)
            for k in range(W.shape[1]):
                a[k] = sigmoid(a[k])
        elif codes[l] == 4:
            _softmax(a, floor)
        else:
            for k in range(W.shape[1]):
                a[k] = _activate(a[k], codes[l])


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _backward(weights, acts, deltas, codes, loss_code, Y, s):  # pragma: no cover
    """deltas[l] = dL/dz_l for every layer, from the outputs in acts and target row s of Y."""
    last = len(weights) - 1
    a, d = acts[last + 1], deltas[last]
    for k in range(a.shape[0]):  # output delta: dL/dz = (a - y) [* f'(z) for mse; softmax + cross-entropy: a - y]
        d[k] = a[k] - Y[s, k]
        if loss_code == 0:
            d[k] *= slope(a[k], codes[last])
    for l in range(last, 0, -1):  # delta_{l-1} = (W_l @ delta_l) * f'(z_{l-1})
        _delta_below(weights[l], deltas[l], deltas[l - 1], acts[l], codes[l - 1])


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _delta_below(W, d, d_below, a_below, code):  # pragma: no cover
    """d_below = (W @ d) * f'(z) for one layer: W (n_in, n_out), d (n_out,), d_below and a_below
    (n_in,), f given by ``code`` and its outputs a_below.

    Each W[j] . d is a reduction, vectorised thanks to fastmath's reassoc. Four rows at a time
    share each load of d[k] and keep four sums going at once (6% of the whole per-sample step).
    The compiler splits these sums into vector lanes differently from one row at a time, so the
    last bits can differ from that (1e-13 relative after an epoch), as any vectorised sum's do."""
    n_in, n_out = W.shape
    zero = d.dtype.type(0.0)  # sums in the network's precision, as the reference's W @ d
    j = 0
    while j + 4 <= n_in:
        s0 = s1 = s2 = s3 = zero
        for k in range(n_out):
            d_k = d[k]
            s0 += W[j, k] * d_k
            s1 += W[j + 1, k] * d_k
            s2 += W[j + 2, k] * d_k
            s3 += W[j + 3, k] * d_k
        d_below[j] = s0 * slope(a_below[j], code)
        d_below[j + 1] = s1 * slope(a_below[j + 1], code)
        d_below[j + 2] = s2 * slope(a_below[j + 2], code)
        d_below[j + 3] = s3 * slope(a_below[j + 3], code)
        j += 4
    for i in range(j, n_in):
        acc = zero
        for k in range(n_out):
            acc += W[i, k] * d[k]
        d_below[i] = acc * slope(a_below[i], code)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _sgd_update(W, b, d, a_in, lr):  # pragma: no cover
    """W -= lr * outer(a_in, d); b -= lr * d, for one layer: W (n_in, n_out), b and d (n_out,),
    a_in (n_in,). (Four rows at a time, as the deltas take them, was 4% slower here and compiled
    0.6 s longer.)"""
    n_in, n_out = W.shape
    for k in range(n_out):
        b[k] -= lr * d[k]
    for i in range(n_in):
        step = lr * a_in[i]
        for k in range(n_out):
            W[i, k] -= step * d[k]


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _sgd_epoch(weights, biases, acts, deltas, codes, loss_code, X, Y, lr, floor):  # pragma: no cover
    """Per-sample SGD over the rows of X, Y: W_l -= lr * a_l^T delta_l; b_l -= lr * delta_l."""
    for s in range(X.shape[0]):
        _forward(weights, biases, acts, codes, X, s, floor)
        _backward(weights, acts, deltas, codes, loss_code, Y, s)
        for l in range(len(weights)):
            _sgd_update(weights[l], biases[l], deltas[l], acts[l], lr)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _momentum_epoch(weights, biases, acts, deltas, codes, loss_code, X, Y, lr, floor, mu, nesterov, w_velocities,
                    b_velocities):  # pragma: no cover
    """Per-sample momentum over the rows of X, Y, as optimizers.Momentum: v <- mu v - lr g;
    p <- p + v (Nesterov: p + mu v - lr g), with g = a_l[j] delta_l[k] for W_l[j, k] and delta_l
    for b_l, each used where it is made."""
    for s in range(X.shape[0]):
        _forward(weights, biases, acts, codes, X, s, floor)
        _backward(weights, acts, deltas, codes, loss_code, Y, s)
        for l in range(len(weights)):
            W, b, d, a_in, V, v = weights[l], biases[l], deltas[l], acts[l], w_velocities[l], b_velocities[l]
            for k in range(W.shape[1]):
                _momentum_step(b, v, k, d[k], lr, mu, nesterov)
            for j in range(W.shape[0]):
                W_j, V_j, x = W[j], V[j], a_in[j]
                for k in range(W.shape[1]):
                    _momentum_step(W_j, V_j, k, x * d[k], lr, mu, nesterov)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _momentum_step(p, v, k, g, lr, mu, nesterov):  # pragma: no cover
    """One parameter p[k] with velocity v[k] and gradient g."""
    vk = mu * v[k] - lr * g
    v[k] = vk
    p[k] += mu * vk - lr * g if nesterov else vk


def warm_up(net: Network, config) -> None:
    """Compile (or load from the cache) the loop ``config.optimizer`` needs, for this network's
    depth and dtype, on no samples, so that a one-off compilation is not counted as training time."""
    dtype = net.layers[0].weights.dtype
    X, Y = np.empty((0, net.sizes[0]), dtype), np.empty((0, net.sizes[-1]), dtype)
    if config.optimizer == "sgd":
        _train(net, X, Y, 0.0)
    else:
        _train(net, X, Y, 0.0, MOMENTUM, 0.0, [np.zeros_like(p) for p in net.parameters()])


def run_epoch(net: Network, X: Array, Y: Array, optimizer, config) -> None:
    """One epoch of per-sample SGD (plain, momentum or Nesterov, as ``optimizer``) over X (n, n_in),
    Y (n, n_out), in the order given; the optimizer's velocities are updated in place."""
    if config.optimizer == "sgd":
        _train(net, X, Y, optimizer.learning_rate)
        return
    params = net.parameters()
    if optimizer.velocities is None:  # zeros on first use, as the reference creates them
        optimizer.velocities = [np.zeros_like(p) for p in params]
    rule = NESTEROV if optimizer.nesterov else MOMENTUM
    _train(net, X, Y, optimizer.learning_rate, rule, optimizer.momentum, optimizer.velocities)


def _train(net: Network, X: Array, Y: Array, learning_rate: float, rule: int = PLAIN, mu: float = 0.0,
           velocities: list[Array] | None = None) -> None:
    dtype = net.layers[0].weights.dtype
    common = (
        tuple(layer.params["weights"] for layer in net.layers),
        tuple(layer.params["bias"] for layer in net.layers),
        tuple(np.empty(width, dtype=dtype) for width in net.sizes),
        tuple(np.empty(layer.n_out, dtype=dtype) for layer in net.layers),
        np.array([ACTIVATION_CODES[layer.activation.name] for layer in net.layers], dtype=np.int64),
        LOSS_CODES[net.loss.name],
        np.ascontiguousarray(X, dtype=dtype), np.ascontiguousarray(Y, dtype=dtype), dtype.type(learning_rate),
        dtype.type(FLOAT32_FLOOR if dtype == np.float32 else FLOAT64_FLOOR),
    )
    if rule == PLAIN:
        _sgd_epoch(*common)
    else:  # velocities as Network.parameters() orders them: W0, b0, W1, b1, ...
        _momentum_epoch(*common, dtype.type(mu), rule == NESTEROV, tuple(velocities[0::2]), tuple(velocities[1::2]))
