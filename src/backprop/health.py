"""Gradient health: per layer, how strong the gradient is and how many units are stuck.

- grad_norm: the norm of the layer's gradient (weights and bias) of the mean loss over a sample
  of the training data: the vanishing gradients of a deep sigmoid network show as norms that
  shrink layer by layer towards the input.
- saturated: for sigmoid and tanh layers, the fraction of (sample, unit) outputs within 0.01 of
  the activation's bounds, where its derivative is nearly 0. NaN for other activations.
- dead: for ReLU layers, the fraction of units whose output is 0 for every sample: they pass no
  gradient at all. NaN for other activations.

``HealthRecorder`` is a ``fit`` callback: it measures at epoch 0 and at every evaluated epoch,
into ``History.health``, so checkpoints keep it and ``views.health`` draws it. What a run folder's
health.csv and health.svg hold: one forward and backward pass over the first 256 training samples
(``run_files.HEALTH_SAMPLES``), at the weights after each evaluated epoch (epoch 0: the initial
weights), that updates nothing.
"""
from __future__ import annotations

import math

import numpy as np

from .network import Network
from .training import Progress

Array = np.ndarray
COLUMNS = ("epoch", "layer", "grad_norm", "saturated", "dead")
BOUNDS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}
MARGIN = 0.01


def measure(net: Network, X: Array, y: Array, epoch: int = 0) -> list[dict]:
    """One row per layer (``COLUMNS``) for samples X (n, n_in) with labels y (n,)."""
    X = net.as_inputs(X)
    outputs, z = net.forward_pass(X)
    net.backward(outputs, z, net.as_targets(y, len(X)))  # fills layer.grads, scratch space
    rows = []
    for i, layer in enumerate(net.layers):
        norm = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in layer.grads.values()))
        a, name = outputs[i + 1], layer.activation.name
        saturated = dead = math.nan
        if name in BOUNDS:
            low, high = BOUNDS[name]
            saturated = float(np.mean((a < low + MARGIN) | (a > high - MARGIN)))
        if name == "relu":
            dead = float(np.mean(np.all(a <= 0, axis=0)))
        rows.append({"epoch": epoch, "layer": i, "grad_norm": norm, "saturated": saturated, "dead": dead})
    return rows


class HealthRecorder:
    """A ``fit`` callback that appends ``measure`` rows to ``History.health`` at every evaluation.

    net, X (n, n_in), y (n,): the network about to be trained and the samples to measure on (a few
    hundred are plenty); the untrained network is measured at once, as epoch 0.
    """

    def __init__(self, net: Network, X: Array, y: Array):
        self.X, self.y = X, y
        self.initial = measure(net, X, y, 0)

    def __call__(self, progress: Progress) -> None:
        health = progress.state.history.health
        if not health:
            health.extend(self.initial)
        if progress.record is not None:
            health.extend(measure(progress.network, self.X, self.y, progress.epoch))
