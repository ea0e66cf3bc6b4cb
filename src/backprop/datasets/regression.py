"""Synthetic 2-D regression sets, as TensorFlow Playground has: a plane and a sum of gaussians.

Points are uniform in [-1, 1]^2; the target is a smooth function of them plus Gaussian noise of
std ``noise``. Both split 70/30 like every set; ``Dataset.task`` is "regression".
"""
from __future__ import annotations

import numpy as np

from .split import Dataset, split
from .synthetic import check_size

# Centres and heights of the bumps in ``gaussians``: two up, two down, one wide, fixed so that the
# surface is the same for every seed (the seed draws only the points and the noise).
BUMPS = ((-0.5, 0.5, 1.0), (0.5, -0.5, 1.0), (0.5, 0.5, -1.0), (-0.5, -0.5, -1.0), (0.0, 0.0, 0.5))
BUMP_WIDTH = 0.3


def _points(n_samples: int, noise: float, seed: int) -> tuple[np.random.RandomState, np.ndarray]:
    check_size(n_samples, noise)
    rng = np.random.RandomState(seed)
    return rng, rng.uniform(-1.0, 1.0, (n_samples, 2))


def plane(n_samples: int = 2000, noise: float = 0.05, seed: int = 100, test_size: float = 0.3,
          split_seed: int = 42) -> Dataset:
    """y = (x1 + x2) / 2 + noise: the simplest surface a network can learn (a linear one does)."""
    rng, X = _points(n_samples, noise, seed)
    y = X.sum(axis=1) / 2 + rng.normal(scale=noise, size=n_samples)
    return split("plane", X, y, test_size, split_seed, task="regression", n_samples=n_samples, noise=noise,
                 seed=seed)


def gaussians(n_samples: int = 2000, noise: float = 0.05, seed: int = 100, test_size: float = 0.3,
              split_seed: int = 42) -> Dataset:
    """y = sum of gaussian bumps (``BUMPS``: centre, height; std ``BUMP_WIDTH``) + noise."""
    rng, X = _points(n_samples, noise, seed)
    y = np.zeros(n_samples)
    for cx, cy, height in BUMPS:
        y += height * np.exp(-((X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2) / (2 * BUMP_WIDTH**2))
    y += rng.normal(scale=noise, size=n_samples)
    return split("gaussians", X, y, test_size, split_seed, task="regression", n_samples=n_samples, noise=noise,
                 seed=seed)
