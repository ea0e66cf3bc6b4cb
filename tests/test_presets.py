"""The presets do what their comments claim, on the seed's data."""
import dataclasses
import statistics

import pytest

from backprop import datasets
from backprop.config import PRESETS


@pytest.fixture(scope="module")
def data():
    return datasets.moons()


def test_fast_preset_reaches_the_seeds_accuracy_for_every_seed(data):
    accuracies = []
    for seed in range(5):
        experiment = dataclasses.replace(PRESETS["fast"], seed=seed)
        net = experiment.build_network(2, 2)
        net.fit(data.X_train, data.y_train, **experiment.fit.to_dict())
        accuracies.append(net.accuracy(data.X_test, data.y_test))
    assert statistics.median(accuracies) >= 0.97 and min(accuracies) >= 0.965, accuracies


def test_seed_preset_is_the_seed_experiment():
    seed = PRESETS["seed"]
    assert seed.hidden == (25, 50, 25) and seed.activation == "sigmoid" and seed.output == "sigmoid"
    assert seed.loss == "mse" and seed.dataset == "moons"
    fit = seed.fit
    assert (fit.epochs, fit.learning_rate, fit.batch_size, fit.eval_every, fit.optimizer) == (1000, 0.01, 1, 10, "sgd")
    assert fit.shuffle is False  # the seed's fixed sample order
