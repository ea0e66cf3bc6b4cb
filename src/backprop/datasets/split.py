"""The Dataset record and the 70/30 split every data set shares."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Dataset:
    """A data set and its train/test split.

    X_train: (n_train, n_features), y_train: (n_train,) labels 0..k-1 (classification) or real
    values (regression), X_test: (n_test, n_features), y_test: (n_test,). spec: the name and
    arguments that make it again (``datasets.from_spec``). classes: the original label of each
    class (classes[i] is label i's), when they are not 0..k-1. feature_names: the columns' names,
    when known. task: "classification" or "regression".
    """

    X_train: Array
    X_test: Array
    y_train: Array
    y_test: Array
    spec: dict = field(default_factory=dict)
    classes: tuple | None = None
    feature_names: tuple | None = None
    task: str = "classification"

    @property
    def X(self) -> Array:
        """All points, training first: (n, 2)."""
        return np.concatenate([self.X_train, self.X_test])

    @property
    def y(self) -> Array:
        """All labels, training first: (n,)."""
        return np.concatenate([self.y_train, self.y_test])

    @property
    def n_outputs(self) -> int:
        """Output units a network needs: the number of classes, or 1 for a regression set."""
        return 1 if self.task == "regression" else int(self.y.max()) + 1

    def labels(self, y: Array) -> Array:
        """Class indices y (n,) -> the original labels (``classes``), which a network that knows
        them takes and returns; y itself for 0..k-1 labels or a regression set."""
        return y if self.classes is None or self.task == "regression" else np.asarray(self.classes)[y]

    def __repr__(self) -> str:
        return f"Dataset({self.spec}, train={len(self.X_train)}, test={len(self.X_test)})"


def split(name: str, X: Array, y: Array, test_size: float, split_seed: int, classes: tuple | None = None,
          feature_names: tuple | None = None, task: str = "classification", **params) -> Dataset:
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
    return Dataset(X[train], X[test], y[train], y[test], spec, classes, feature_names, task)


