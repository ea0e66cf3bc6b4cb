"""Checks on user data at the library's boundary (fit, predict, gradients, the data loaders).

Each check raises ValueError naming the argument and the value received, so that a bad table
fails at once with a message that says what to fix, never deep inside the arithmetic.
"""
from __future__ import annotations

import numpy as np

Array = np.ndarray
NUMERIC_KINDS = "biuf"  # bool, signed, unsigned, float: no object, complex, string or date arrays


def as_array(values, name: str) -> Array:
    """``values`` as a real-valued NumPy array (not yet converted); ValueError names ``name``."""
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as err:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers. Received: {name} that NumPy "
                         f"cannot make into an array ({err})") from None
    if array.dtype.kind not in NUMERIC_KINDS:
        raise ValueError(f"{name} must hold real numbers. Received: {name} of dtype {array.dtype}")
    return array


def first_non_finite(array: Array) -> tuple[int, ...] | None:
    """The index of the first NaN or infinity in ``array``, or None when every entry is finite."""
    bad = ~np.isfinite(array)
    if not bad.any():
        return None
    return tuple(int(i) for i in np.argwhere(bad)[0])


def check_features(X, n_features: int, dtype, name: str = "X") -> Array:
    """X as a (n, n_features) array of ``dtype`` with n >= 1 and finite entries."""
    X = as_array(X, name)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_samples, {n_features}). Received: {name} with shape {X.shape}")
    if X.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} features (columns), as the network's input layer. "
                         f"Received: {name} with {X.shape[1]} columns")
    if X.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample. Received: {name} with shape {X.shape}")
    X = X.astype(dtype, copy=False)
    where = first_non_finite(X)
    if where is not None:
        raise ValueError(f"{name} must hold finite numbers. Received: {X[where]} at row {where[0]}, column {where[1]}")
    return X


def check_labels(y, n_samples: int, n_classes: int, name: str = "y") -> Array:
    """Integer class labels y (n_samples,) in 0..n_classes-1, as int64."""
    y = as_array(y, name)
    if y.shape != (n_samples,):
        raise ValueError(f"{name} must hold one label per sample: shape ({n_samples},). "
                         f"Received: {name} with shape {y.shape}")
    if y.dtype.kind == "f":
        where = first_non_finite(y)
        if where is not None:
            raise ValueError(f"{name} must hold finite labels. Received: {y[where]} at row {where[0]}")
        fractional = np.flatnonzero(np.mod(y, 1) != 0)
        if fractional.size:
            raise ValueError(f"{name} must hold integer labels. Received: {y[fractional[0]]} at row {fractional[0]}")
    outside = np.flatnonzero((y < 0) | (y >= n_classes))
    if outside.size:
        raise ValueError(f"{name} must hold labels 0..{n_classes - 1} (the output layer's classes). "
                         f"Received: {y[outside[0]]} at row {outside[0]}")
    return y.astype(np.int64)


def check_limit(name: str, value: int, limit: int) -> None:
    """Refuse a size that asks for absurd work (before any memory is taken)."""
    if value > limit:
        raise ValueError(f"{name} must be at most {limit:,}. Received: {name}={value:,}")
