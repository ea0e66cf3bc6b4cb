"""What a frame shows, computed from a snapshot on the views' own copy of the network.

- ``Grid``: the plane under the points, ``resolution`` x ``resolution`` cells (row 0 at the top)
- ``decision_map``: the network's outputs over the grid, as ``predict_proba`` gives them (the
  page colours the arg-max class by its confidence, or the value for regression)
- ``neuron_map``: one neuron's activation over the grid (the page's hover)
- ``backward``: the gradient of the mean loss over the given samples (the server gives every
  training sample) at the snapshot's weights, dL/dW and dL/db per layer, and each neuron's mean
  |delta| (dL/dz of one sample) over the same samples
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network import Network

Array = np.ndarray
RESOLUTION = 48  # cells per side: 2304 forward passes a frame, ~6 ms for the seed's net on a loaded 2-core machine
MARGIN = 0.1  # of the points' span, around them


@dataclass(frozen=True)
class Grid:
    """The cell centres of the plane's grid: points (resolution**2, 2), row by row from the top;
    extent (x_min, x_max, y_min, y_max)."""

    points: Array
    extent: tuple[float, float, float, float]
    resolution: int


def grid_for(X: Array, resolution: int = RESOLUTION) -> Grid:
    """The grid around points X (n, 2), ``MARGIN`` of their span on each side."""
    low, high = X.min(axis=0), X.max(axis=0)
    pad = np.maximum(high - low, 1e-9) * MARGIN
    (x0, y0), (x1, y1) = low - pad, high + pad
    xs = x0 + (np.arange(resolution) + 0.5) * (x1 - x0) / resolution
    ys = y1 - (np.arange(resolution) + 0.5) * (y1 - y0) / resolution  # row 0 is the top
    gx, gy = np.meshgrid(xs, ys)
    return Grid(np.column_stack([gx.ravel(), gy.ravel()]), (float(x0), float(x1), float(y0), float(y1)), resolution)


def load(net: Network, params: list[Array]) -> Network:
    """Give ``net`` the parameters [W0, b0, W1, b1, ...] (a snapshot's), copied in place."""
    for mine, theirs in zip(net.parameters(), params):
        mine[...] = theirs
    return net


def decision_map(net: Network, grid: Grid) -> Array:
    """The network's outputs over the grid: (resolution, resolution, n_out), predict_proba's values."""
    return net.predict_proba(grid.points).reshape(grid.resolution, grid.resolution, -1)


def neuron_map(net: Network, grid: Grid, layer: int, unit: int) -> Array:
    """Layer ``layer``'s output ``unit`` over the grid (resolution, resolution); layer -1: the inputs.
    ValueError when there is no such neuron."""
    sizes = net.sizes  # [n_in, widths..., n_out]
    if not (-1 <= layer < len(net.layers) and 0 <= unit < sizes[layer + 1]):
        raise ValueError(f"hover must name a neuron [layer in -1..{len(net.layers) - 1}, unit]. "
                         f"Received: hover={[layer, unit]!r}")
    outputs, _ = net.forward_pass(net.as_inputs(grid.points))
    return outputs[layer + 1][:, unit].reshape(grid.resolution, grid.resolution)


def backward(net: Network, X: Array, y: Array) -> tuple[list[tuple[Array, Array]], list[Array]]:
    """At the current weights, over samples X (n, n_in) with labels y (n,): the gradient of the
    mean loss [(dW (n_in, n_out), db (n_out,)) per layer] and each layer's mean |delta| (n_out,),
    delta being one sample's dL/dz (the loss's delta is of the mean, so n times it)."""
    X = net.as_inputs(X)
    Y = net.as_targets(y, len(X))
    outputs, z = net.forward_pass(X)
    delta = net.loss.delta(z, outputs[-1], Y, net.layers[-1].activation)  # (n, n_out) of the mean loss
    grads, deltas = [], []
    for i in range(len(net.layers) - 1, -1, -1):
        layer = net.layers[i]
        deltas.append(np.abs(delta).sum(axis=0))  # mean |n delta| = sum |delta|
        grads.append((outputs[i].T @ delta, delta.sum(axis=0)))  # dW (n_in, n_out), db (n_out,)
        if i > 0:
            delta = (delta @ layer.weights.T) * net.layers[i - 1].activation.derivative(outputs[i])
    return grads[::-1], deltas[::-1]
