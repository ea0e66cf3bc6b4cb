"""Data sets: the seed's two moons (and two circles), split into training and test sets.

The moons are made here with NumPy alone, drawing from the same legacy ``RandomState`` streams in
the same order as scikit-learn's ``make_moons`` and ``train_test_split``, so the arrays are
scikit-learn's bit for bit (a test compares them): importing ``sklearn.datasets`` costs about
0.9 s, half of a whole ``backprop train --preset fast``. The circles still come from scikit-learn.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .validation import check_limit

Array = np.ndarray


@dataclass(frozen=True)
class Dataset:
    """A labelled 2-D data set and its train/test split.

    X_train: (n_train, 2), y_train: (n_train,), X_test: (n_test, 2), y_test: (n_test,), labels 0/1.
    spec: the name and arguments that make it again: ``datasets.from_spec(data.spec)``.
    """

    X_train: Array
    X_test: Array
    y_train: Array
    y_test: Array
    spec: dict = field(default_factory=dict)

    @property
    def X(self) -> Array:
        """All points, training first: (n, 2)."""
        return np.concatenate([self.X_train, self.X_test])

    @property
    def y(self) -> Array:
        """All labels, training first: (n,)."""
        return np.concatenate([self.y_train, self.y_test])

    def __repr__(self) -> str:
        return f"Dataset({self.spec}, train={len(self.X_train)}, test={len(self.X_test)})"


def _split(name: str, X: Array, y: Array, test_size: float, split_seed: int, **params) -> Dataset:
    """train_test_split(X, y, test_size=test_size, random_state=split_seed), without scikit-learn:
    ShuffleSplit takes ceil(test_size * n) test points and floor((1 - test_size) * n) training
    points from one RandomState(split_seed).permutation(n)."""
    if not (isinstance(test_size, float) and 0 < test_size < 1):
        raise ValueError(f"test_size must be a float in (0, 1). Received: test_size={test_size!r}")
    n = len(X)
    n_test, n_train = math.ceil(test_size * n), math.floor((1.0 - test_size) * n)
    permutation = np.random.RandomState(split_seed).permutation(n)
    test, train = permutation[:n_test], permutation[n_test:n_test + n_train]
    spec = {"name": name, **params, "test_size": test_size, "split_seed": split_seed}
    return Dataset(X[train], X[test], y[train], y[test], spec)


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
    return _split("moons", X, y, test_size, split_seed, n_samples=n_samples, noise=noise, seed=seed)


def circles(n_samples: int = 2000, noise: float = 0.1, factor: float = 0.5, seed: int = 100,
            test_size: float = 0.3, split_seed: int = 42) -> Dataset:
    """Two concentric circles: make_circles(n_samples, noise, factor, random_state=seed), split as moons."""
    from sklearn.datasets import make_circles

    check_size(n_samples, noise)
    X, y = make_circles(n_samples=n_samples, noise=noise, factor=factor, random_state=seed)
    return _split("circles", X, y, test_size, split_seed, n_samples=n_samples, noise=noise, factor=factor,
                  seed=seed)


DATASETS = {"moons": moons, "circles": circles}


def from_spec(spec: dict) -> Dataset:
    """Make the data set a ``Dataset.spec`` describes; ValueError if it names none we know."""
    if not isinstance(spec, dict) or spec.get("name") not in DATASETS:
        raise ValueError(f"dataset must name one of {sorted(DATASETS)}. Received: dataset={spec!r}")
    params = {k: v for k, v in spec.items() if k != "name"}
    try:
        return DATASETS[spec["name"]](**params)
    except TypeError as err:
        raise ValueError(f"dataset {spec['name']!r} does not take these arguments: {params!r} ({err})") from None
