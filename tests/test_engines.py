"""The per-sample engines against the readable reference path."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backprop import Dense, Network, engines
from backprop.engines import numpy_sgd
from backprop.engines.reference import run_epoch as run_minibatch_epoch
from backprop.optimizers import SGD
from backprop.training import FitConfig

from .conftest import seed_network


def train_epochs(net, X, Y, epoch_fn, epochs, lr=0.05):
    for _ in range(epochs):
        epoch_fn(net, X, Y, SGD(lr), FitConfig(batch_size=1, learning_rate=lr))


@pytest.mark.parametrize("hidden,output,loss", [("sigmoid", "sigmoid", "mse"), ("tanh", "identity", "mse"),
                                                ("relu", "sigmoid", "binary_cross_entropy")])
def test_numpy_per_sample_loop_matches_reference(moons, hidden, output, loss):
    n_out = 1 if loss == "binary_cross_entropy" else 2

    def make():
        return Network([Dense(2, 8, hidden), Dense(8, 6, hidden), Dense(6, n_out, output)], loss=loss, seed=5)

    X = moons.X_train[:300]
    ref, fast = make(), make()
    Y = ref.as_targets(moons.y_train[:300], len(X))
    train_epochs(ref, X, Y, run_minibatch_epoch, 3)
    train_epochs(fast, X, Y, numpy_sgd.run_epoch, 3)
    for a, b in zip(ref.parameters(), fast.parameters()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert not np.allclose(ref.parameters()[1], make().parameters()[1])  # biases did move


@pytest.mark.parametrize("hidden,output,loss", [("sigmoid", "sigmoid", "mse"), ("tanh", "sigmoid", "mse"),
                                                ("relu", "identity", "mse"),
                                                ("tanh", "sigmoid", "binary_cross_entropy")])
def test_numba_matches_numpy_after_5_epochs(moons, hidden, output, loss):
    pytest.importorskip("numba")
    from backprop.engines import numba_per_sample

    n_out = 1 if loss == "binary_cross_entropy" else 2

    def make():
        return Network([Dense(2, 25, hidden), Dense(25, 50, hidden), Dense(50, 25, hidden),
                        Dense(25, n_out, output)], loss=loss, seed=0)

    ref, fast = make(), make()
    Y = ref.as_targets(moons.y_train, len(moons.X_train))
    train_epochs(ref, moons.X_train, Y, numpy_sgd.run_epoch, 5, lr=0.01)
    train_epochs(fast, moons.X_train, Y, numba_per_sample.run_epoch, 5, lr=0.01)
    for a, b in zip(ref.parameters(), fast.parameters()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)


def test_engines_give_the_same_fit(moons):
    pytest.importorskip("numba")
    histories = []
    for engine in ("numpy", "numba"):
        net = seed_network()
        histories.append(net.fit(moons.X_train, moons.y_train, epochs=3, eval_every=1, engine=engine,
                                 validation_data=(moons.X_test, moons.y_test)))
    np.testing.assert_allclose(histories[0].loss, histories[1].loss, rtol=1e-10)


def test_select_names_the_engine_for_each_configuration():
    from backprop.engines import reference

    net = seed_network()
    chosen = engines.select("numpy", net, FitConfig(batch_size=32))
    assert chosen.name == "numpy" and chosen.run_epoch is reference.run_epoch
    assert engines.select("numpy", net, FitConfig(batch_size=1)).run_epoch is numpy_sgd.run_epoch
    if engines.numba_available():
        from backprop.engines import numba_per_sample

        assert engines.select("auto", net, FitConfig(batch_size=1)).run_epoch is numba_per_sample.run_epoch
        assert engines.select("numba", net, FitConfig(batch_size=32)).name == "numba"


def test_unknown_engine():
    with pytest.raises(ValueError, match=r"engine must be one of .*Received: engine='gpu'"):
        FitConfig(engine="gpu")


def test_float32_per_sample_training(moons):
    for engine in ["numpy"] + (["numba"] if engines.numba_available() else []):
        net = seed_network(dtype="float32")
        net.fit(moons.X_train, moons.y_train, epochs=2, engine=engine)
        assert all(p.dtype == np.float32 for p in net.parameters())
        assert np.all(np.isfinite(net.predict_proba(moons.X_test)))


def test_numba_compilation_is_cached_on_disk():
    """A second process loads the compiled loop from the cache instead of compiling it again."""
    pytest.importorskip("numba")
    script = (
        "from backprop import datasets; from backprop.engines import numba_per_sample\n"
        "from tests.conftest import seed_network\n"
        "d = datasets.moons(); seed_network().fit(d.X_train[:50], d.y_train[:50], epochs=1, engine='numba')\n"
        "stats = numba_per_sample._sgd_epoch.stats; print(len(stats.cache_hits), len(stats.cache_misses))\n"
    )
    root = Path(__file__).resolve().parent.parent
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=root, timeout=300)
            for _ in range(2)]
    assert runs[1].returncode == 0, runs[1].stderr
    hits, misses = map(int, runs[1].stdout.split())
    assert hits == 1 and misses == 0
