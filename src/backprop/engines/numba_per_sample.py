"""Per-sample training compiled with Numba: the seed's algorithm at a few microseconds per sample.

The loop is the textbook one: forward, output delta, deltas backwards through the transposed
weights, then every update (about 1.3 us per sample for the seed's network with plain SGD,
against about 35 for the seed's code). Each weight's gradient a_l[j] * delta_l[k] (+ weight decay)
is used where it is made, by the optimizer's own update (plain SGD, momentum, Nesterov, RMSprop or
Adam, on the optimizer's own state arrays), never stored: the general kernels write every gradient
to an array and read it back, which doubled momentum's time at batch 1. Each optimizer has its
own loop, compiled on first use. The layers' own arrays are passed as tuples of same-typed arrays,
which one compiled function can index at run time, so one loop serves any depth and updates the
parameters in place. The scorer takes blocks of rows through BLAS, so that a per-sample run
compiles its loop and the scorer and nothing of the general engine. Activations and losses are
chosen by small integer codes, since compiled code cannot look up a registry. Compiled functions
are cached on disk (``cache=True``): a second process does not compile them again.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from .numba_engine import hyperparameters, kernel_data
from .numba_kernels import ACTIVATION_CODES, FLOAT32_FLOOR, FLOAT64_FLOOR, LOSS_CODES, SCORE_ROWS, label_of, sample_loss

# The elementwise functions, shared with the general kernels. (Numba's disk cache watches only
# this file: after changing them, clear __pycache__ or touch this file.)
from .numba_math import CALLED_FROM_PYTHON, exp, sigmoid, slope, tanh

if TYPE_CHECKING:
    from ..network import Network
    from ..optimizers import Optimizer

Array = np.ndarray
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")


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




# ---------------------------------------------------------------------------------- the updates
# One per optimizer, each for one layer: W (n_in, n_out), b and d (n_out,), a_in (n_in,), and the
# optimizer's state for this layer shaped as W and b. The gradient of W[j, k] is a_in[j] * d[k]
# (+ decay * W[j, k]), of b[k] is d[k]; each step is written as optimizers.py writes it. decay is
# None without weight decay: Numba then compiles the function without its branches for it (a
# separate compilation, cached as any), so that training without weight decay pays nothing for it.
@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _gradient(x, d_k, w, decay):  # pragma: no cover
    """The gradient of one weight w with input x and delta d_k."""
    if decay is None:
        return x * d_k
    return x * d_k + decay * w


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _sgd_update(W, b, d, a_in, lr, decay):  # pragma: no cover
    """W -= lr * (outer(a_in, d) + decay W); b -= lr * d. (Four rows at a time, as the deltas take
    them, was 4% slower here and compiled 0.6 s longer.)"""
    n_in, n_out = W.shape
    for k in range(n_out):
        b[k] -= lr * d[k]
    if decay is None:  # the seed's update, one multiply-add per weight (W[i, k], not a row view
        for i in range(n_in):  # W_i = W[i] as the other updates take: that made its step 8% slower)
            step = lr * a_in[i]
            for k in range(n_out):
                W[i, k] -= step * d[k]
    else:
        for i in range(n_in):
            for k in range(n_out):
                W[i, k] -= lr * _gradient(a_in[i], d[k], W[i, k], decay)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _momentum_update(W, b, d, a_in, lr, decay, V, v, mu, nesterov):  # pragma: no cover
    """Momentum (Nesterov) with velocities V (n_in, n_out) and v (n_out,): v <- mu v - lr g;
    p <- p + v (Nesterov: p + mu v - lr g)."""
    for k in range(W.shape[1]):
        _momentum_step(b, v, k, d[k], lr, mu, nesterov)
    for j in range(W.shape[0]):
        W_j, V_j, x = W[j], V[j], a_in[j]
        for k in range(W.shape[1]):
            _momentum_step(W_j, V_j, k, _gradient(x, d[k], W_j[k], decay), lr, mu, nesterov)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _momentum_step(p, v, k, g, lr, mu, nesterov):  # pragma: no cover
    """One parameter p[k] with velocity v[k] and gradient g."""
    vk = mu * v[k] - lr * g
    v[k] = vk
    p[k] += mu * vk - lr * g if nesterov else vk


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _rmsprop_update(W, b, d, a_in, lr, decay, S, s, rho, rho_c, eps):  # pragma: no cover
    """RMSprop with mean squares S (n_in, n_out) and s (n_out,): s <- rho s + (1 - rho) g^2;
    p <- p - lr g / (sqrt(s) + eps); rho_c = 1 - rho."""
    for k in range(W.shape[1]):
        _rmsprop_step(b, s, k, d[k], lr, rho, rho_c, eps)
    for j in range(W.shape[0]):
        W_j, S_j, x = W[j], S[j], a_in[j]
        for k in range(W.shape[1]):
            _rmsprop_step(W_j, S_j, k, _gradient(x, d[k], W_j[k], decay), lr, rho, rho_c, eps)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _rmsprop_step(p, s, k, g, lr, rho, rho_c, eps):  # pragma: no cover
    """One parameter p[k] with mean square s[k] and gradient g."""
    sk = rho * s[k] + rho_c * g * g
    s[k] = sk
    p[k] -= lr * g / (math.sqrt(sk) + eps)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _adam_update(W, b, d, a_in, decay, M, m, V, v, b1, b2, eps, b1_c, b2_c, step, inverse_c2):  # pragma: no cover
    """Adam with moments M, V (n_in, n_out) and m, v (n_out,): m <- b1 m + (1 - b1) g;
    v <- b2 v + (1 - b2) g^2; p <- p - lr m^ / (sqrt(v^) + eps), where m^ = m / (1 - b1^t) and
    v^ = v / (1 - b2^t) at step t: step = lr / (1 - b1^t), inverse_c2 = 1 / (1 - b2^t);
    b1_c = 1 - b1, b2_c = 1 - b2."""
    for k in range(W.shape[1]):
        _adam_step(b, m, v, k, d[k], b1, b2, eps, b1_c, b2_c, step, inverse_c2)
    for j in range(W.shape[0]):
        W_j, M_j, V_j, x = W[j], M[j], V[j], a_in[j]
        for k in range(W.shape[1]):
            _adam_step(W_j, M_j, V_j, k, _gradient(x, d[k], W_j[k], decay), b1, b2, eps, b1_c, b2_c, step,
                       inverse_c2)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _adam_step(p, m, v, k, g, b1, b2, eps, b1_c, b2_c, step, inverse_c2):  # pragma: no cover
    """One parameter p[k] with moments m[k], v[k] and gradient g."""
    mk = b1 * m[k] + b1_c * g
    vk = b2 * v[k] + b2_c * g * g
    m[k], v[k] = mk, vk
    p[k] -= step * mk / (math.sqrt(vk * inverse_c2) + eps)


# ----------------------------------------------------------------------------- the loops, the scores
# One loop per optimizer, each compiled on its first use (about 2 s with an empty cache, most of
# it in LLVM): the seed's experiment does not wait for the other optimizers' code, and each loop
# runs as fast as it would alone (one loop with a branch per optimizer ran momentum 15% slower).
# Each runs one update per row of X (n, n_in), Y (n, n_out), in order, with weight decay decay
# (None: none); Adam's returns its step count t.
@njit(cache=True, error_model="numpy", fastmath=FASTMATH, **CALLED_FROM_PYTHON)
def _sgd_epoch(weights, biases, acts, deltas, codes, loss_code, X, Y, floor, lr, decay):  # pragma: no cover
    """Plain SGD: p <- p - lr g."""
    for s in range(X.shape[0]):
        _forward(weights, biases, acts, codes, X, s, floor)
        _backward(weights, acts, deltas, codes, loss_code, Y, s)
        for l in range(len(weights)):
            _sgd_update(weights[l], biases[l], deltas[l], acts[l], lr, decay)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, **CALLED_FROM_PYTHON)
def _momentum_epoch(weights, biases, acts, deltas, codes, loss_code, X, Y, floor, lr, decay, mu, nesterov,
                    velocities_w, velocities_b):  # pragma: no cover
    """Momentum or Nesterov with the velocities of each layer's W and b."""
    for s in range(X.shape[0]):
        _forward(weights, biases, acts, codes, X, s, floor)
        _backward(weights, acts, deltas, codes, loss_code, Y, s)
        for l in range(len(weights)):
            _momentum_update(weights[l], biases[l], deltas[l], acts[l], lr, decay, velocities_w[l],
                             velocities_b[l], mu, nesterov)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, **CALLED_FROM_PYTHON)
def _rmsprop_epoch(weights, biases, acts, deltas, codes, loss_code, X, Y, floor, lr, decay, rho, rho_c, eps,
                   squares_w, squares_b):  # pragma: no cover
    """RMSprop with the mean squares of each layer's W and b."""
    for s in range(X.shape[0]):
        _forward(weights, biases, acts, codes, X, s, floor)
        _backward(weights, acts, deltas, codes, loss_code, Y, s)
        for l in range(len(weights)):
            _rmsprop_update(weights[l], biases[l], deltas[l], acts[l], lr, decay, squares_w[l], squares_b[l],
                            rho, rho_c, eps)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, **CALLED_FROM_PYTHON)
def _adam_epoch(weights, biases, acts, deltas, codes, loss_code, X, Y, floor, lr, decay, b1, b2, eps, b1_c, b2_c,
                beta_1, beta_2, t, ms_w, ms_b, vs_w, vs_b):  # pragma: no cover
    """Adam from step count t, with the moments m and v of each layer's W and b; returns t. b1, b2
    (and eps, the complements b1_c = 1 - b1 and b2_c = 1 - b2) in the parameters' dtype; beta_1,
    beta_2: the same in float64, for the bias corrections 1 - beta^t."""
    for s in range(X.shape[0]):
        _forward(weights, biases, acts, codes, X, s, floor)
        _backward(weights, acts, deltas, codes, loss_code, Y, s)
        t += 1
        # the bias corrections as one factor and one reciprocal, as numba_kernels.update_adam: one
        # division and one square root per parameter, the two slowest vector operations, are left;
        # both rounded to lr's dtype, else a float32 network's update would all run in float64 (2.6
        # us per sample against 4.3)
        step, inverse_c2 = type(lr)(lr / (1.0 - beta_1**t)), type(lr)(1.0 / (1.0 - beta_2**t))
        for l in range(len(weights)):
            _adam_update(weights[l], biases[l], deltas[l], acts[l], decay, ms_w[l], ms_b[l], vs_w[l], vs_b[l],
                         b1, b2, eps, b1_c, b2_c, step, inverse_c2)
    return t


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def _forward_rows(weights, biases, blocks, Z, codes, X, start, rows, floor):  # pragma: no cover
    """blocks[l + 1][:rows] = f(blocks[l][:rows] @ W_l + b_l) for every layer, from rows start to
    start + rows of X; Z[:rows] keeps the output layer's pre-activations, for the losses.

    Scoring has no sample-to-sample dependency, so it goes a block of rows at a time, its products
    through BLAS: on the seed's network 0.22 us per row, against 0.53 for _forward row by row (a
    chain of dependent exps and sums, which the processor cannot overlap), and it compiles sooner."""
    x = blocks[0]
    for r in range(rows):
        for j in range(x.shape[1]):
            x[r, j] = X[start + r, j]
    last = len(weights) - 1
    for l in range(last + 1):
        W, b, A = weights[l], biases[l], blocks[l + 1]
        np.dot(blocks[l][:rows], W, A[:rows])
        for r in range(rows):
            a = A[r]
            for k in range(a.shape[0]):
                a[k] += b[k]
            if l == last:
                for k in range(a.shape[0]):
                    Z[r, k] = a[k]
            if codes[l] == 4:
                _softmax(a, floor)
        outputs = A[:rows].reshape(-1)  # the block as one run of values: longer vectors
        if codes[l] == 1:
            for i in range(outputs.shape[0]):
                outputs[i] = sigmoid(outputs[i])
        elif codes[l] != 4:
            for i in range(outputs.shape[0]):
                outputs[i] = _activate(outputs[i], codes[l])


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, **CALLED_FROM_PYTHON)
def _scores(weights, biases, blocks, Z, codes, loss_code, X, Y, floor):  # pragma: no cover
    """(loss, squared error, correct labels) summed over the rows of X (n, n_in) and targets Y
    (n, n_out), labels being the arg-max (or > 0.5 for one unit), through blocks[l] (rows, width
    of layer l's input; the last, of the output) and Z (rows, n_out), rows at a time."""
    loss = squared = correct = 0.0
    A = blocks[len(blocks) - 1]
    block, n = A.shape
    for start in range(0, X.shape[0], block):
        rows = min(block, X.shape[0] - start)
        _forward_rows(weights, biases, blocks, Z, codes, X, start, rows, floor)
        for r in range(rows):
            a, z, y = A[r], Z[r], Y[start + r]
            for k in range(n):
                squared += (a[k] - y[k]) ** 2
            correct += 1.0 if label_of(a, 0, n) == label_of(y, 0, n) else 0.0
            loss += sample_loss(a, z, 0, y, 0, n, loss_code, floor)
    return loss, squared, correct


# ---------------------------------------------------------------------------------- Python's side
def _buffers(net: Network) -> tuple:
    """(weights, biases, activations, deltas, activation codes): the network's own parameter
    arrays and fresh scratch arrays, as the compiled functions take them."""
    dtype = net.layers[0].weights.dtype
    return (tuple(layer.params["weights"] for layer in net.layers),
            tuple(layer.params["bias"] for layer in net.layers),
            tuple(np.empty(width, dtype=dtype) for width in net.sizes),
            tuple(np.empty(layer.n_out, dtype=dtype) for layer in net.layers),
            np.array([ACTIVATION_CODES[layer.activation.name] for layer in net.layers], dtype=np.int64))


def _floor(dtype) -> float:
    return dtype.type(FLOAT32_FLOOR if dtype == np.float32 else FLOAT64_FLOOR)


def run_epoch(net: Network, X: Array, Y: Array, optimizer: Optimizer, config) -> None:
    """One epoch, one update per sample, over X (n, n_in), Y (n, n_out) in the order given, by
    ``optimizer`` (any of ``OPTIMIZERS``, its state arrays updated in place, Adam's step count too)."""
    dtype = net.layers[0].weights.dtype
    decay = dtype.type(config.weight_decay) if config.weight_decay else None
    common = (*_buffers(net), LOSS_CODES[net.loss.name], kernel_data(X, dtype), kernel_data(Y, dtype), _floor(dtype),
              dtype.type(optimizer.learning_rate), decay)
    # (momentum, rho or beta_1; beta_2; epsilon; 1 - rho or 1 - beta_1; 1 - beta_2) in the network's
    # dtype, as the reference's arithmetic rounds them; Adam's bias corrections take beta_1 and
    # beta_2 as given (float64), as the reference's do
    given = hyperparameters(optimizer)
    hyper, betas = [dtype.type(h) for h in given], given[:2]
    # the state arrays as tuples of each layer's W-shaped and b-shaped ones (Network.parameters()
    # orders them W0, b0, W1, b1, ...)
    state = [half for arrays in optimizer.state_arrays(net.parameters())
             for half in (tuple(arrays[0::2]), tuple(arrays[1::2]))]
    if config.optimizer == "sgd":
        _sgd_epoch(*common)
    elif config.optimizer in ("momentum", "nesterov"):
        _momentum_epoch(*common, hyper[0], config.optimizer == "nesterov", *state)
    elif config.optimizer == "rmsprop":
        _rmsprop_epoch(*common, hyper[0], hyper[3], hyper[2], *state)
    else:
        optimizer.t = int(_adam_epoch(*common, *hyper, *betas, int(optimizer.t), *state))


def scores(net: Network, X: Array, Y: Array, y: Array) -> tuple[float, float, float]:
    """(mean loss, the seed's MSE, accuracy) over X (n, n_in), targets Y (n, n_out), labels y (n,),
    compiled (the labels are read from Y, whose arg-max y is)."""
    dtype = net.layers[0].weights.dtype
    weights, biases, _, _, codes = _buffers(net)
    rows = max(min(len(X), SCORE_ROWS), 1)
    blocks = tuple(np.empty((rows, width), dtype) for width in net.sizes)  # scratch: written before read
    loss, squared, correct = _scores(weights, biases, blocks, np.empty((rows, net.sizes[-1]), dtype), codes,
                                     LOSS_CODES[net.loss.name], kernel_data(X, dtype), kernel_data(Y, dtype),
                                     _floor(dtype))
    n = max(len(X), 1)
    return loss / n, squared / (n * Y.shape[1]), correct / n


def warm_up(net: Network, config) -> None:
    """Compile (or load from the disk cache) the loop and the scorer for this network's depth and
    dtype, on no samples, so that a one-off compilation is not counted as training time."""
    from .. import optimizers

    dtype = net.layers[0].weights.dtype
    X, Y = np.empty((0, net.sizes[0]), dtype), np.empty((0, net.sizes[-1]), dtype)
    optimizer = optimizers.get(config.optimizer, config.learning_rate)
    run_epoch(net, X, Y, optimizer, config)  # no samples: the network and optimizer stay as they were
    scores(net, X, Y, np.empty(0, np.int64))
