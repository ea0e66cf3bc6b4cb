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


def r2_rmse(Y: Array, predicted: Array) -> tuple[float, float]:
    """(R^2, RMSE) of real-valued predictions (n, k) against targets Y (n, k), or both (n,): R^2
    averaged over the k outputs as ``Network.score`` reports it (1 is perfect, 0 is the mean's
    worth), RMSE the root of the mean squared error over every value, in the target's units."""
    Y, predicted = np.reshape(Y, (len(Y), -1)), np.reshape(predicted, (len(predicted), -1))
    residual = ((Y - predicted) ** 2).sum(axis=0)
    total = ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
    r2 = float(np.mean(1 - residual / np.where(total == 0, 1, total)))
    return r2, float(np.sqrt(np.mean((Y - predicted) ** 2)))
