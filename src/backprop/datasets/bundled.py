"""The small tabular data sets that scikit-learn ships (no download): digits, iris, wine and
breast cancer, with the same 70/30 split as every other set."""
from __future__ import annotations

from .split import Dataset, split

BUNDLED = {"digits": "load_digits", "iris": "load_iris", "wine": "load_wine", "breast_cancer": "load_breast_cancer"}


def bundled(name: str, test_size: float = 0.3, split_seed: int = 42) -> Dataset:
    """scikit-learn's bundled set called ``name`` (a key of ``BUNDLED``), with its feature names."""
    import sklearn.datasets

    if name not in BUNDLED:
        raise ValueError(f"name must be one of {sorted(BUNDLED)}. Received: name={name!r}")
    loaded = getattr(sklearn.datasets, BUNDLED[name])()
    names = tuple(str(f) for f in loaded.feature_names) if hasattr(loaded, "feature_names") else None
    classes = tuple(str(c) for c in loaded.target_names) if hasattr(loaded, "target_names") else None
    return split(name, loaded.data.astype(float), loaded.target, test_size, split_seed, classes=classes,
                 feature_names=names)


def digits(test_size: float = 0.3, split_seed: int = 42) -> Dataset:
    """8x8 images of handwritten digits: 1797 samples, 64 features (0-16), 10 classes."""
    return bundled("digits", test_size, split_seed)


def iris(test_size: float = 0.3, split_seed: int = 42) -> Dataset:
    """Iris flowers: 150 samples, 4 features, 3 classes."""
    return bundled("iris", test_size, split_seed)


def wine(test_size: float = 0.3, split_seed: int = 42) -> Dataset:
    """Wines from three cultivars: 178 samples, 13 features, 3 classes."""
    return bundled("wine", test_size, split_seed)


def breast_cancer(test_size: float = 0.3, split_seed: int = 42) -> Dataset:
    """Breast cancer diagnosis: 569 samples, 30 features, 2 classes."""
    return bundled("breast_cancer", test_size, split_seed)
