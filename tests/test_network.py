"""The library's public behaviour: building, predicting, seeding, validation messages."""
import warnings

import numpy as np
import pytest

from backprop import Dense, Network, activations, initializers

from .conftest import seed_network


def test_add_builds_the_same_network_as_the_list():
    built = Network(seed=3).add(Dense(2, 25, "sigmoid")).add(Dense(25, 2, "sigmoid"))
    listed = Network([Dense(2, 25, "sigmoid"), Dense(25, 2, "sigmoid")], seed=3)
    assert [type(layer) for layer in built.layers] == [Dense, Dense]
    for a, b in zip(built.parameters(), listed.parameters()):
        np.testing.assert_array_equal(a, b)


def test_network_prints_as_its_layers():
    text = repr(seed_network())
    assert "Dense(2, 25, 'sigmoid')" in text and "Dense(25, 2, 'sigmoid')" in text and "mse" in text


def test_layer_shapes():
    net = seed_network()
    assert net.sizes == [2, 25, 50, 25, 2]
    assert net.layers[1].weights.shape == (25, 50) and net.layers[1].bias.shape == (50,)


def test_unknown_activation_lists_the_valid_names():
    message = r"activation must be one of \[.*'relu'.*'sigmoid'.*\].*Received: activation='swish'"
    with pytest.raises(ValueError, match=message):
        Dense(2, 3, "swish")


@pytest.mark.parametrize("n_out", [0, -1, 2.5, None, "64", True])
def test_dense_rejects_bad_widths(n_out):
    with pytest.raises(ValueError, match=f"n_out must be a positive integer. Received: n_out={n_out!r}"):
        Dense(2, n_out)


def test_widths_must_chain():
    with pytest.raises(ValueError, match="previous layer's n_out=25"):
        Network([Dense(2, 25), Dense(24, 2)])


def test_sigmoid_is_silent_and_exact_at_the_extremes():
    big = np.finfo(np.float64).max
    z = np.array([-big, -1000.0, -50.0, 0.0, 50.0, 1000.0, big])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = activations.get("sigmoid").forward(z)
    assert a[0] == 0.0 and a[-1] == 1.0 and a[3] == 0.5
    grid = np.linspace(-60, 60, 1201)
    exact = np.where(grid >= 0, 1 / (1 + np.exp(-np.abs(grid))), np.exp(-np.abs(grid)) / (1 + np.exp(-np.abs(grid))))
    # the tanh form is accurate in absolute terms (what backpropagation needs), to a few ulp of 1
    np.testing.assert_allclose(activations.get("sigmoid").forward(grid), exact, rtol=0, atol=3e-16)


@pytest.mark.parametrize("name", ["identity", "sigmoid", "tanh", "relu"])
def test_derivatives_from_outputs(name):
    act = activations.get(name)
    z = np.linspace(-3, 3, 13) + 0.01
    numeric = (act.forward(z + 1e-6) - act.forward(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(act.derivative(act.forward(z)), numeric, atol=1e-8)


def test_same_seed_same_bits_different_seed_different_weights(moons):
    runs = []
    for seed in (0, 0, 1):
        net = seed_network(seed)
        history = net.fit(moons.X_train[:200], moons.y_train[:200], epochs=3, eval_every=1, engine="numpy",
                          validation_data=(moons.X_test, moons.y_test))
        runs.append((net.parameters(), history.loss))
    for a, b in zip(runs[0][0], runs[1][0]):
        assert a.tobytes() == b.tobytes()
    assert runs[0][1] == runs[1][1]
    assert not np.array_equal(runs[0][0][0], runs[2][0][0])


def test_default_initialisation_is_glorot_and_seed_scheme_by_name():
    rng = np.random.default_rng(0)
    W, b = initializers.get("auto", "sigmoid")(rng, 25, 50)
    assert np.abs(W).max() <= np.sqrt(6 / 75) and not b.any()
    assert initializers.resolve_name("auto", "relu") == "he_normal"
    seed_layer = Dense(25, 50, "sigmoid", init="seed")
    Network([seed_layer], seed=0)
    assert 0 <= seed_layer.bias.min() and seed_layer.bias.max() <= 0.1


def test_predict_and_accuracy(moons):
    net = seed_network()
    proba = net.predict_proba(moons.X_test)
    assert proba.shape == (len(moons.X_test), 2)
    labels = net.predict(moons.X_test)
    np.testing.assert_array_equal(labels, proba.argmax(axis=1))
    assert net.accuracy(moons.X_test, moons.y_test) == pytest.approx(np.mean(labels == moons.y_test))


def test_history_records_every_evaluation(moons):
    net = seed_network()
    seen = []
    history = net.fit(moons.X_train, moons.y_train, epochs=25, eval_every=10, callback=seen.append,
                      validation_data=(moons.X_test, moons.y_test))
    assert history.epoch == [0, 10, 20, 25]
    assert len(seen) == 25 and [p.epoch for p in seen if p.record] == [10, 20, 25]
    assert history.val_accuracy[-1] == pytest.approx(net.accuracy(moons.X_test, moons.y_test))
    # the seed's MSE: mean over samples and outputs of (output - one-hot)^2
    out = net.predict_proba(moons.X_train)
    mse = np.mean((out - np.eye(2)[moons.y_train]) ** 2)
    assert history.mse[-1] == pytest.approx(mse)


@pytest.mark.parametrize("kwargs,message", [
    ({"epochs": -1}, "epochs must be an integer >= 0. Received: epochs=-1"),
    ({"epochs": 2.5}, "epochs must be an integer >= 0. Received: epochs=2.5"),
    ({"learning_rate": 0}, "learning_rate must be a positive number. Received: learning_rate=0"),
    ({"learning_rate": float("nan")}, "learning_rate must be a positive number"),
    ({"batch_size": 0}, "batch_size must be an integer >= 1. Received: batch_size=0"),
    ({"optimizer": "lbfgs"}, "optimizer must be one of .* Received: optimizer='lbfgs'"),
    ({"eval_every": 0}, "eval_every must be an integer >= 1"),
])
def test_fit_rejects_bad_arguments(moons, kwargs, message):
    with pytest.raises(ValueError, match=message):
        seed_network().fit(moons.X_train, moons.y_train, **kwargs)


def test_loss_must_fit_the_output_layer():
    net = Network([Dense(2, 3, "sigmoid")], loss="cross_entropy")
    with pytest.raises(ValueError, match="loss='cross_entropy' needs a 'softmax' output layer"):
        net.predict_proba(np.zeros((1, 2)))


def test_divergence_is_reported(moons):
    net = Network([Dense(2, 8, "relu"), Dense(8, 2, "identity")], seed=0)
    with pytest.raises(FloatingPointError, match="diverged"), np.errstate(all="ignore"):
        net.fit(moons.X_train * 1e6, moons.y_train, epochs=5, learning_rate=10.0, eval_every=1, engine="numpy")
