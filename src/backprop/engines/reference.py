"""The reference engine: mini-batch gradient descent written layer by layer, for any configuration.

This is the readable path every other engine is checked against: ``Network.backward`` fills
each layer's gradients, weight decay adds to them, and the optimizer steps.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..network import Network
    from ..optimizers import Optimizer

Array = np.ndarray


def train_step(net: Network, X: Array, Y: Array, optimizer: Optimizer, weight_decay: float = 0.0) -> None:
    """One update from the mini-batch X (b, n_in), Y (b, n_out): backpropagate, then step."""
    net.backward(*net.forward_pass(X), Y)
    if weight_decay:
        for layer in net.layers:
            layer.grads["weights"] += weight_decay * layer.params["weights"]
    optimizer.update(net.parameters(), net.gradient_arrays())


def run_epoch(net: Network, X: Array, Y: Array, optimizer: Optimizer, config) -> None:
    """One pass over X (n, n_in), Y (n, n_out), already in training order, in mini-batches."""
    for start in range(0, len(X), config.batch_size):
        stop = start + config.batch_size
        train_step(net, X[start:stop], Y[start:stop], optimizer, config.weight_decay)
