"""Synthetic 2-D data sets: the seed's two moons, circles, xor, spirals and gaussian blobs.

The moons are made here with NumPy alone, drawing from the same legacy ``RandomState`` streams in
the same order as scikit-learn's ``make_moons`` and ``train_test_split``, so the arrays are
scikit-learn's bit for bit (a test compares them): importing ``sklearn.datasets`` costs about
0.9 s, half of a whole ``backprop train --preset fast``. The circles still come from scikit-learn.
"""
from __future__ import annotations

import math

import numpy as np

from ..validation import check_limit
from .split import Dataset, split

Array = np.ndarray


MAX_SAMPLES = 10_000_000  # a spec read from a model file may ask for anything: refuse absurd work up front


def check_size(n_samples: int, noise: float) -> None:
    """ValueError unless 2 <= n_samples <= MAX_SAMPLES (an int) and noise is a finite number >= 0."""
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 2:
        raise ValueError(f"n_samples must be an integer >= 2. Received: n_samples={n_samples!r}")
    check_limit("n_samples", n_samples, MAX_SAMPLES)
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0. Received: noise={noise!r}")


def make_moons(n_samples: int, noise: float, seed: int) -> tuple[Array, Array]:
    """Two interleaving half circles, as sklearn.datasets.make_moons(n_samples, noise=noise,
    random_state=seed) makes them: X (n, 2), labels y (n,)."""
    check_size(n_samples, noise)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    # RandomState, not Generator: this reproduces scikit-learn's published data set, stream for stream.
    rng = np.random.RandomState(seed)
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(outer), 1 - np.cos(inner)),
                   np.append(np.sin(outer), 1 - np.sin(inner) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    order = np.arange(n_samples)
    rng.shuffle(order)
    X, y = X[order], y[order]
    X += rng.normal(scale=noise, size=X.shape)
    return X, y


def moons(n_samples: int = 2000, noise: float = 0.2, seed: int = 100, test_size: float = 0.3,
          split_seed: int = 42) -> Dataset:
    """The seed's data by default: make_moons(2000, noise=0.2, random_state=100), then
    train_test_split(test_size=0.3, random_state=42)."""
    X, y = make_moons(n_samples, noise, seed)
    return split("moons", X, y, test_size, split_seed, n_samples=n_samples, noise=noise, seed=seed)


def circles(n_samples: int = 2000, noise: float = 0.1, factor: float = 0.5, seed: int = 100,
            test_size: float = 0.3, split_seed: int = 42) -> Dataset:
    """Two concentric circles: make_circles(n_samples, noise, factor, random_state=seed), split as moons."""
    from sklearn.datasets import make_circles

    check_size(n_samples, noise)
    X, y = make_circles(n_samples=n_samples, noise=noise, factor=factor, random_state=seed)
    return split("circles", X, y, test_size, split_seed, n_samples=n_samples, noise=noise, factor=factor,
                  seed=seed)




def xor(n_samples: int = 2000, noise: float = 0.2, seed: int = 100, test_size: float = 0.3,
        split_seed: int = 42) -> Dataset:
    """Four squares in a checkerboard, as TensorFlow Playground's XOR: points uniform in [-1, 1]^2
    (kept 0.05 off the axes), class 1 where x1 x2 > 0, then Gaussian noise of std ``noise``."""
    check_size(n_samples, noise)
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1.0, 1.0, (n_samples, 2))
    X += np.sign(X) * 0.05
    y = (X[:, 0] * X[:, 1] > 0).astype(np.intp)
    X += rng.normal(scale=noise, size=X.shape)
    return split("xor", X, y, test_size, split_seed, n_samples=n_samples, noise=noise, seed=seed)


def spirals(n_samples: int = 2000, noise: float = 0.03, seed: int = 100, test_size: float = 0.3,
            split_seed: int = 42) -> Dataset:
    """Two interleaved spirals (TensorFlow Playground's): 1.75 turns each, radius 0 to 1, then
    Gaussian noise of std ``noise``. The arms are 0.29 apart, so noise itself puts points nearer
    the other arm: labelling each test point by its nearest true arm scores 99% at the default
    0.03, 96% at 0.05 and 80% at 0.1 (no learner can beat that ceiling)."""
    check_size(n_samples, noise)
    rng = np.random.RandomState(seed)
    half = n_samples // 2
    t = np.concatenate([np.linspace(0, 1, n_samples - half), np.linspace(0, 1, half)])
    y = np.concatenate([np.zeros(n_samples - half, np.intp), np.ones(half, np.intp)])
    angle = 1.75 * 2 * np.pi * t + np.pi * y
    X = np.column_stack([t * np.sin(angle), t * np.cos(angle)]) + rng.normal(scale=noise, size=(n_samples, 2))
    order = rng.permutation(n_samples)
    return split("spirals", X[order], y[order], test_size, split_seed, n_samples=n_samples, noise=noise, seed=seed)


def blobs(n_samples: int = 2000, noise: float = 1.0, centers: int = 3, seed: int = 100, test_size: float = 0.3,
          split_seed: int = 42) -> Dataset:
    """Gaussian blobs: sklearn.datasets.make_blobs(n_samples, centers=centers, cluster_std=noise,
    random_state=seed), one class per blob."""
    from sklearn.datasets import make_blobs

    check_size(n_samples, noise)
    if isinstance(centers, bool) or not isinstance(centers, int) or not 2 <= centers <= 20:
        raise ValueError(f"centers must be an integer in [2, 20]. Received: centers={centers!r}")
    X, y = make_blobs(n_samples=n_samples, centers=centers, cluster_std=noise, random_state=seed)
    return split("blobs", X, y, test_size, split_seed, n_samples=n_samples, noise=noise, centers=centers,
                 seed=seed)
