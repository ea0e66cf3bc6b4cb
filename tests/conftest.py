import numpy as np
import pytest

from backprop import Dense, Network, datasets


@pytest.fixture(scope="session")
def moons():
    return datasets.moons()


def seed_network(seed=0, **kw) -> Network:
    """The seed's 2-25-50-25-2 sigmoid network."""
    return Network([Dense(2, 25, "sigmoid"), Dense(25, 50, "sigmoid"), Dense(50, 25, "sigmoid"),
                    Dense(25, 2, "sigmoid")], loss="mse", seed=seed, **kw)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
