"""The data sets: the seed's moons exactly as scikit-learn makes and splits them."""
import numpy as np
import pytest

from backprop import datasets


@pytest.mark.parametrize("n,noise,seed,test_size,split_seed", [(2000, 0.2, 100, 0.3, 42), (501, 0.05, 7, 0.25, 3)])
def test_moons_are_scikit_learns_bit_for_bit(n, noise, seed, test_size, split_seed):
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split

    X, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    expected = train_test_split(X, y, test_size=test_size, random_state=split_seed)
    data = datasets.moons(n, noise, seed, test_size, split_seed)
    for ours, theirs in zip((data.X_train, data.X_test, data.y_train, data.y_test), expected):
        assert ours.dtype == theirs.dtype and ours.tobytes() == theirs.tobytes()


def test_seed_split_sizes_and_spec():
    data = datasets.moons()
    assert data.X_train.shape == (1400, 2) and data.X_test.shape == (600, 2)
    assert set(np.unique(data.y)) == {0, 1}
    again = datasets.from_spec(data.spec)
    assert again.X_test.tobytes() == data.X_test.tobytes()


def test_circles_and_bad_specs():
    assert datasets.circles().X_train.shape == (1400, 2)
    with pytest.raises(ValueError, match="dataset must name one of"):
        datasets.from_spec({"name": "spirals"})
    with pytest.raises(ValueError, match="test_size must be a float in"):
        datasets.moons(test_size=1.5)
