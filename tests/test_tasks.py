"""Targets beyond 0..k-1 labels: regression, original class labels, standardisation, and the model
file that remembers them (format version 2)."""
import numpy as np
import pytest

import backprop
from backprop import Dense, Network
from backprop.encoding import Standardization
from backprop.persistence import read_description


def regression_data(n=300, outputs=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    Y = np.column_stack([X[:, 0] + 0.5 * X[:, 1], X[:, 0] * X[:, 1]])[:, :outputs]
    return X, (Y[:, 0] if outputs == 1 else Y)


def regressor(outputs=1, seed=0):
    return Network([Dense(2, 16, "tanh"), Dense(16, outputs, "identity")], loss="mse", seed=seed, task="regression")


@pytest.mark.parametrize("outputs", [1, 2])
def test_an_identity_output_with_mse_learns_real_targets(outputs):
    X, Y = regression_data(outputs=outputs)
    net = regressor(outputs)
    history = net.fit(X, Y, epochs=200, learning_rate=0.01, batch_size=16, optimizer="adam", eval_every=50)
    assert history.loss[-1] < 0.01 * history.loss[0] and np.isnan(history.train_accuracy).all()
    assert net.predict(X).shape == np.shape(Y) and net.score(X, Y) > 0.97
    assert history.mse[-1] == pytest.approx(np.mean((net.predict(X) - Y) ** 2), rel=1e-9)


def test_the_task_is_an_argument_never_a_guess_from_the_values():
    X = np.random.default_rng(0).normal(size=(40, 2))
    labels_looking = np.arange(40) % 2  # 0/1 values learned as real numbers when task="regression"
    net = regressor()
    net.fit(X, labels_looking, epochs=1)
    assert net.predict(X).dtype.kind == "f"
    with pytest.raises(ValueError, match="integer labels"):  # and real values are refused as labels
        Network([Dense(2, 2, "sigmoid")], seed=0).fit(X, labels_looking + 0.5, epochs=1)
    with pytest.raises(ValueError, match="task must be one of"):
        Network([Dense(2, 1)], task="values")
    with pytest.raises(ValueError, match="loss='mse'"):
        Network([Dense(2, 2, "softmax")], loss="cross_entropy", task="regression").check()
    with pytest.raises(ValueError, match="no class labels"):
        regressor().accuracy(X, labels_looking)


@pytest.mark.parametrize("y, message", [
    (np.zeros((40, 2)), r"1 target value\(s\) per sample.*shape \(40,\) or \(40, 1\).*\(40, 2\)"),
    (np.zeros(39), r"shape \(40,\) or \(40, 1\). Received: y with shape \(39,\)"),
    (np.full(40, np.nan), "finite numbers"),
])
def test_targets_that_do_not_fit_the_output_layer_say_what_was_expected(y, message):
    with pytest.raises(ValueError, match=message):
        regressor().fit(np.zeros((40, 2)), y, epochs=1)


def test_original_labels_go_in_and_come_out():
    X, y = backprop.datasets.moons(n_samples=200).X_train, backprop.datasets.moons(n_samples=200).y_train
    names = np.array(["west", "east"])[y]
    net = Network([Dense(2, 8, "tanh"), Dense(8, 2, "softmax")], loss="cross_entropy", seed=0)
    net.classes = ("west", "east")
    twin = Network([Dense(2, 8, "tanh"), Dense(8, 2, "softmax")], loss="cross_entropy", seed=0)
    net.fit(X, names, epochs=20, batch_size=8)
    twin.fit(X, y, epochs=20, batch_size=8)
    np.testing.assert_array_equal(net.predict_proba(X), twin.predict_proba(X))  # same training, other names
    assert set(net.predict(X)) == {"west", "east"} and net.accuracy(X, names) == twin.accuracy(X, y)
    with pytest.raises(ValueError, match=r"labels the network knows, \['west', 'east'\]. Received: 'north'"):
        net.accuracy(X[:1], np.array(["north"]))


def test_standardisation_is_fitted_on_the_training_inputs_and_applied_to_raw_inputs(moons):
    X = moons.X_train * [1000.0, 0.001] + [5e4, -3.0]  # wildly scaled features
    plain = Network([Dense(2, 8, "tanh"), Dense(8, 2, "softmax")], loss="cross_entropy", seed=0)
    plain.fit((X - X.mean(axis=0)) / X.std(axis=0), moons.y_train, epochs=5, batch_size=8)
    net = Network([Dense(2, 8, "tanh"), Dense(8, 2, "softmax")], loss="cross_entropy", seed=0)
    net.fit(X, moons.y_train, epochs=5, batch_size=8, standardize=True,
            validation_data=(moons.X_test * [1000.0, 0.001] + [5e4, -3.0], moons.y_test))
    np.testing.assert_allclose(net.standardization.mean, X.mean(axis=0))
    np.testing.assert_allclose(net.standardization.scale, X.std(axis=0))
    X_new = moons.X_test * [1000.0, 0.001] + [5e4, -3.0]
    np.testing.assert_allclose(net.predict_proba(X_new), plain.predict_proba((X_new - X.mean(0)) / X.std(0)),
                               rtol=1e-9, atol=1e-12)
    assert net.accuracy(X_new, moons.y_test) > 0.85


def test_a_constant_feature_keeps_scale_one():
    X = np.column_stack([np.full(10, 7.0), np.arange(10.0)])
    s = Standardization.fit(X)
    assert s.scale[0] == 1.0 and np.all(s.apply(X)[:, 0] == 0)


def test_the_model_file_remembers_task_classes_names_and_standardisation(tmp_path, moons):
    net = Network([Dense(2, 8, "tanh"), Dense(8, 2, "softmax")], loss="cross_entropy", seed=0)
    net.classes, net.feature_names = (3, 7), ("height", "weight")
    net.fit(moons.X_train * 50 + 9, np.array([3, 7])[moons.y_train], epochs=3, batch_size=16, standardize=True)
    path = backprop.save(net, tmp_path / "m.safetensors")
    description, tensors = read_description(path)
    assert description["classes"] == [3, 7] and description["feature_names"] == ["height", "weight"]
    assert tensors["inputs.mean"].shape == (2,) and description["format_version"] == 2
    loaded = backprop.load(path)
    raw = moons.X_test * 50 + 9
    np.testing.assert_array_equal(loaded.predict(raw), net.predict(raw))
    assert set(loaded.predict(raw)) <= {3, 7} and loaded.feature_names == ("height", "weight")
    X, y = regression_data()
    reg = regressor()
    reg.fit(X, y, epochs=2, standardize=True)
    again = backprop.load(backprop.save(reg, tmp_path / "r.safetensors"))
    assert again.task == "regression" and again.classes is None
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))


def test_version_1_files_still_load(tmp_path, moons):
    import json

    from safetensors.numpy import save_file

    from backprop.persistence import describe, network_tensors

    net = Network([Dense(2, 4, "tanh"), Dense(4, 2, "sigmoid")], seed=0)
    old = describe(net)
    old["format_version"] = 1
    for key in ("classes", "feature_names"):
        del old[key]
    del old["architecture"]["task"]
    save_file(network_tensors(net), str(tmp_path / "v1.safetensors"), metadata={"backprop": json.dumps(old)})
    loaded = backprop.load(tmp_path / "v1.safetensors")
    assert loaded.task == "classification" and loaded.classes is None and loaded.standardization is None
    np.testing.assert_array_equal(loaded.predict_proba(moons.X_test), net.predict_proba(moons.X_test))


def test_the_curves_of_a_regressor_show_its_test_loss_not_an_accuracy():
    import matplotlib

    matplotlib.use("Agg")
    from backprop import plots

    X, y = regression_data()
    net = regressor()
    history = net.fit(X, y, epochs=4, eval_every=2, validation_data=(X[:50], y[:50]))
    titles = [ax.get_title() for ax in plots.curves(history).axes]
    assert titles == ["MSE on the training set", "MSE on the test set"]
    classifier = Network([Dense(2, 4, "tanh"), Dense(4, 2, "sigmoid")], seed=0)
    history = classifier.fit(X, (X[:, 0] > 0).astype(int), epochs=2)
    assert [ax.get_title() for ax in plots.curves(history).axes][1] == "Training accuracy"
