"""Weight initialisers, looked up by name in one registry.

Each takes a seeded ``numpy.random.Generator`` and returns ``(weights (n_in, n_out), bias (n_out,))``.
The default, ``"auto"``, picks Glorot for sigmoid/tanh/identity/softmax and He for ReLU, the
choices that keep the variance of activations and gradients steady from layer to layer.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray
Initializer = Callable[[np.random.Generator, int, int], "tuple[Array, Array]"]


def glorot_uniform(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[Array, Array]:
    """U(-l, l) with l = sqrt(6 / (n_in + n_out)); zero bias."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out)), np.zeros(n_out)


def glorot_normal(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[Array, Array]:
    """N(0, 2 / (n_in + n_out)); zero bias."""
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), (n_in, n_out)), np.zeros(n_out)


def he_normal(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[Array, Array]:
    """N(0, 2 / n_in); zero bias."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out)), np.zeros(n_out)


def he_uniform(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[Array, Array]:
    """U(-l, l) with l = sqrt(6 / n_in); zero bias."""
    limit = np.sqrt(6.0 / n_in)
    return rng.uniform(-limit, limit, (n_in, n_out)), np.zeros(n_out)


def seed_scheme(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[Array, Array]:
    """The seed document's scheme: N(0, 1 / n_out) weights, U(0, 0.1) bias."""
    return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_out), rng.random(n_out) * 0.1


INITIALIZERS: dict[str, Initializer] = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "seed": seed_scheme,
}

_AUTO = {"relu": "he_normal"}  # every other activation: glorot_uniform


def resolve_name(init: str | None, activation_name: str) -> str:
    """The registry name that ``init`` ("auto" or None included) stands for on this activation."""
    if init is None or init == "auto":
        return _AUTO.get(activation_name, "glorot_uniform")
    if init in INITIALIZERS:
        return init
    raise ValueError(f"init must be 'auto' or one of {sorted(INITIALIZERS)}. Received: init={init!r}")


def get(init: str | None, activation_name: str) -> Initializer:
    """The initialiser function for ``init`` on a layer with this activation."""
    return INITIALIZERS[resolve_name(init, activation_name)]
