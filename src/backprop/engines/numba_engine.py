"""The compiled engine's Python side: lays a network, its optimizer state and buffers out flat, as
the kernels in ``numba_kernels`` take them, and puts the results back. Every configuration the
library trains runs here (``engines.select`` runs batch size 1 in the hand-fused loop of
``numba_per_sample``, which is faster still and compiles in less time).

Copying the parameters (and the optimizer's state) into one flat array and back costs one pass
over them per epoch, against thousands of passes inside the epoch.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

from . import numba_kernels as k

if TYPE_CHECKING:
    from ..network import Network
    from ..optimizers import Optimizer

Array = np.ndarray


def _floor(dtype) -> float:
    return k.FLOAT32_FLOOR if dtype == np.float32 else k.FLOAT64_FLOOR


def layout(net: Network) -> tuple[Array, Array, Array]:
    """(layout (L, 4): n_in, n_out, weights offset, bias offset in theta; activation codes (L,);
    offsets (L,): where each layer's block starts in a flat activation buffer, in rows)."""
    rows, start = [], 0
    for layer in net.layers:
        rows.append((layer.n_in, layer.n_out, start, start + layer.n_in * layer.n_out))
        start += (layer.n_in + 1) * layer.n_out
    widths = np.array([layer.n_out for layer in net.layers], dtype=np.int64)
    codes = np.array([k.ACTIVATION_CODES[layer.activation.name] for layer in net.layers], dtype=np.int64)
    return np.array(rows, dtype=np.int64), codes, np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)


# Layouts and scratch buffers, kept between calls: building them took longer than scoring the fast
# preset's 1400 training rows (fresh megabyte buffers are page-faulted in on every use). One cache
# per thread, since a Dask or Ray worker may train two networks at once in one process.
_SCRATCH = threading.local()
SCRATCH_ENTRIES = 8


def workspace(net: Network, rows: int) -> tuple:
    """(layout, codes, offsets, and three flat buffers for ``rows`` rows of every layer) for ``net``,
    reused while the layer structure, dtype and rows stay the same. The buffers are scratch space."""
    dtype = net.layers[0].weights.dtype
    key = (tuple((layer.n_in, layer.n_out, layer.activation.name) for layer in net.layers), dtype.str, rows)
    cache = getattr(_SCRATCH, "cache", None)
    if cache is None or len(cache) > SCRATCH_ENTRIES:
        cache = _SCRATCH.cache = {}
    if key not in cache:
        shape, codes, offsets = layout(net)
        buffers = tuple(np.empty(rows * int(shape[:, 1].sum()), dtype) for _ in range(3))
        cache[key] = (shape, codes, offsets, *buffers)
    return cache[key]


def kernel_data(a: Array, dtype) -> Array:
    """Data (X or Y) as the kernels take it: C-contiguous, of ``dtype``, writable; copied only where
    ``a`` is not already so. Numba compiles a function once per argument type, and a read-only
    array is a type of its own: data a caller made read-only (a memory map, pandas' copy-on-write
    arrays) compiled every kernel a second time, seconds each. (Read-only views of everything
    instead made the fast preset's fit 1.6% slower.)"""
    a = np.ascontiguousarray(a, dtype)
    return a if a.flags.writeable else a.copy()


def flatten(arrays: list[Array]) -> Array:
    """Parameter-shaped arrays (weights, bias, layer by layer) -> one flat array in theta's layout."""
    return np.concatenate([a.reshape(-1) for a in arrays])


def unflatten(flat: Array, arrays: list[Array]) -> None:
    """Copy a flat array back into the parameter-shaped ``arrays``, in place."""
    start = 0
    for a in arrays:
        a[...] = flat[start:start + a.size].reshape(a.shape)
        start += a.size


def hyperparameters(optimizer: Optimizer) -> tuple[float, float, float, float, float]:
    """(momentum, rho or beta_1; beta_2; epsilon; 1 - rho or 1 - beta_1; 1 - beta_2) as the kernels'
    updates take them. The complements come computed, as the reference's Python floats: written
    1 - rho in a kernel, the compiler may reassociate rho s + (1 - rho) g^2 into
    rho (s - g^2) + g^2, which cancels (digits lost where g^2 dominates, inf - inf = NaN where it
    overflows), and a float32 kernel computed 1 - rho in float64 (an int minus a float32)."""
    first = float(getattr(optimizer, "momentum", getattr(optimizer, "rho", getattr(optimizer, "beta_1", 0.0))))
    second = float(getattr(optimizer, "beta_2", 0.0))
    return first, second, float(getattr(optimizer, "epsilon", 0.0)), 1 - first, 1 - second


def _state_in(optimizer: Optimizer, params: list[Array]) -> list[Array]:
    """The optimizer's state arrays, flat (zeros on first use, as the reference creates them)."""
    return [flatten(arrays) for arrays in optimizer.state_arrays(params)]


def run_epoch(net: Network, X: Array, Y: Array, optimizer: Optimizer, config) -> None:
    """One epoch over X (n, n_in), Y (n, n_out), in the order given, as ``config`` says."""
    dtype = net.layers[0].weights.dtype
    params = net.parameters()
    theta, grads = flatten(params), np.zeros(sum(p.size for p in params), dtype)
    state = _state_in(optimizer, params)
    first, second = (state + [grads, grads])[:2]  # unused slots get any array of the right type
    size = min(config.batch_size, len(X))
    shape, codes, offsets, *buffers = workspace(net, size)
    X, Y = kernel_data(X, dtype).reshape(-1), kernel_data(Y, dtype).reshape(-1)
    t = k.train_epoch(theta, grads, shape, codes, k.LOSS_CODES[net.loss.name], X, Y, len(X) // net.sizes[0],
                      size, *buffers, offsets, k.OPTIMIZER_CODES[config.optimizer],
                      dtype.type(optimizer.learning_rate), dtype.type(config.weight_decay),
                      hyperparameters(optimizer), first, second,
                      int(getattr(optimizer, "t", 0)), _floor(dtype))
    unflatten(theta, params)
    for name, flat in zip(optimizer.ARRAY_STATE, state):
        unflatten(flat, getattr(optimizer, name))
    if "t" in optimizer.SCALAR_STATE:
        optimizer.t = int(t)


def scores(net: Network, X: Array, Y: Array, y: Array) -> tuple[float, float, float]:
    """(mean loss, the seed's MSE, accuracy) over X (n, n_in), targets Y (n, n_out), labels y (n,),
    compiled (the labels are read from Y, whose arg-max y is)."""
    dtype = net.layers[0].weights.dtype
    block = min(len(X), k.SCORE_ROWS)
    shape, codes, offsets, acts, zs, spare = workspace(net, block)
    X, Y = kernel_data(X, dtype), kernel_data(Y, dtype)
    loss, squared, correct = k.scores(flatten(net.parameters()), shape, codes, k.LOSS_CODES[net.loss.name],
                                      X.reshape(-1), Y.reshape(-1), len(X), max(block, 1), acts, zs, offsets,
                                      _floor(dtype), spare)
    n = max(len(X), 1)
    return loss / n, squared / (n * Y.shape[1]), correct / n


def warm_up(net: Network, config) -> None:
    """Compile (or load from the disk cache) the kernels for this network's dtype before training
    starts its clock: one epoch and one score of a copy, on two zero samples."""
    import copy

    from .. import optimizers

    twin = copy.deepcopy(net)
    dtype = net.layers[0].weights.dtype
    X, Y = np.zeros((2, net.sizes[0]), dtype), np.zeros((2, net.sizes[-1]), dtype)
    run_epoch(twin, X, Y, optimizers.get(config.optimizer, config.learning_rate), config)
    scores(twin, X, Y, np.zeros(2, np.int64))
