"""How a network meets raw data: its task, the standardisation of its inputs, and its class labels.

A network trained on a table remembers, in its model file, what it needs to answer raw rows:
the task ("classification": labels in, labels out; "regression": real values in and out), the
per-feature mean and scale fitted on the training part, and the original class labels (strings,
or numbers that are not 0..k-1). These helpers turn raw inputs and labels into what the
arithmetic sees, and back.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validation

Array = np.ndarray
TASKS = ("classification", "regression")


def check_task(task: object) -> str:
    """``task`` if it is one of TASKS; ValueError otherwise."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {list(TASKS)}. Received: task={task!r}")
    return task


@dataclass(frozen=True)
class Standardization:
    """Per-feature ``(X - mean) / scale``: mean (n_features,), scale (n_features,), scale > 0."""

    mean: Array
    scale: Array

    @classmethod
    def fit(cls, X: Array) -> Standardization:
        """The mean and standard deviation of X (n, n_features); a constant feature keeps scale 1,
        as scikit-learn's StandardScaler does, so that it maps to 0 instead of dividing by 0."""
        X = np.asarray(X, dtype=np.float64)
        scale = X.std(axis=0)
        scale[scale < 10 * np.finfo(np.float64).eps * np.maximum(np.abs(X.mean(axis=0)), 1.0)] = 1.0
        return cls(X.mean(axis=0), scale)

    def apply(self, X: Array) -> Array:
        """X (n, n_features) -> standardised X, in X's dtype."""
        return ((X - self.mean) / self.scale).astype(X.dtype, copy=False)


def check_classes(classes: object, n_classes: int) -> tuple:
    """``classes`` as a tuple of n_classes distinct labels (str, int, float or bool)."""
    values = tuple(c.item() if isinstance(c, np.generic) else c for c in classes)
    if len(values) != n_classes:
        raise ValueError(f"classes must name each of the output layer's {n_classes} classes. "
                         f"Received: {len(values)} classes {list(values)[:10]}")
    for value in values:
        if not isinstance(value, (str, int, float, bool)):
            raise ValueError(f"classes must be strings or numbers. Received: {value!r} of type {type(value).__name__}")
    if len(set(values)) != len(values):
        raise ValueError(f"classes must be distinct. Received: classes={list(values)}")
    return values


def encode_labels(y, classes: tuple, name: str = "y") -> Array:
    """Labels y (n,) drawn from ``classes`` -> their indices 0..k-1 (n,), int64.

    ValueError names the first label that is not one of ``classes``."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must hold one label per sample (a 1-D array). Received: {name} with shape {y.shape}")
    index = {c: i for i, c in enumerate(classes)}
    distinct, inverse = np.unique(y, return_inverse=True)
    codes = []
    for value in distinct:
        key = value.item() if isinstance(value, np.generic) else value
        if key not in index:
            raise ValueError(f"{name} must hold labels the network knows, {list(classes)[:10]}. Received: {key!r}")
        codes.append(index[key])
    return np.asarray(codes, dtype=np.int64)[inverse.reshape(-1)]


def decode_labels(codes: Array, classes: tuple | None) -> Array:
    """Indices 0..k-1 (n,) -> the original labels (n,), or the indices when ``classes`` is None."""
    return codes if classes is None else np.asarray(classes)[codes]


def check_targets(y, n_samples: int, n_outputs: int, dtype, name: str = "y") -> Array:
    """Real-valued targets y, (n,) for one output or (n, n_outputs), as (n, n_outputs) of ``dtype``."""
    y = validation.as_array(y, name)
    received = y.shape
    if y.ndim == 1 and n_outputs == 1:
        y = y[:, None]
    if y.shape != (n_samples, n_outputs):
        one = f"({n_samples},) or " if n_outputs == 1 else ""
        raise ValueError(f"{name} must hold {n_outputs} target value(s) per sample, as the output layer: shape "
                         f"{one}({n_samples}, {n_outputs}). Received: {name} with shape {received}")
    y = y.astype(dtype, copy=False)
    where = validation.first_non_finite(y)
    if where is not None:
        raise ValueError(f"{name} must hold finite numbers. Received: {y[where]} at row {where[0]}")
    return y
