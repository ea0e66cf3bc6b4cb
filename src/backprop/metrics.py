"""Scoring a network's outputs: labels from outputs, and loss / MSE / accuracy over a data set in chunks.

Shared by prediction (``Network.predict``) and by the training loop's evaluations, so that both
turn outputs into labels the same way and never hold more than ``CHUNK_ROWS`` rows of activations.
"""
from __future__ import annotations

import numpy as np

Array = np.ndarray
CHUNK_ROWS = 8192  # rows per forward pass when predicting or scoring: memory stays bounded for any n


def labels_from_outputs(outputs: Array) -> Array:
    """Network outputs (n, n_out) -> labels (n,): arg-max, or > 0.5 for a single unit."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] > 0.5).astype(np.int64)
    return np.argmax(outputs, axis=1)


def scores(net, X: Array, Y: Array, y: Array) -> tuple[float, float, float]:
    """(mean loss, the seed's MSE, accuracy) of ``net`` over X (n, n_in), targets Y (n, n_out), labels y (n,)."""
    loss = squared = correct = 0.0
    for start in range(0, len(X), CHUNK_ROWS):
        rows = slice(start, start + CHUNK_ROWS)
        outputs, z = net.forward_pass(X[rows])
        a = outputs[-1]
        loss += net.loss.value(z, a, Y[rows]) * len(a)  # each chunk's value is a mean
        squared += float(np.sum((a - Y[rows]) ** 2))
        correct += float(np.sum(labels_from_outputs(a) == y[rows]))
    n = max(len(X), 1)
    return loss / n, squared / (n * Y.shape[1]), correct / n
