"""gradcheck and trace: the numbers behind backpropagation, checked."""
import json

import numpy as np
import pytest

from backprop import Dense, Network, activations, datasets, save
from backprop.cli import main
from backprop.gradcheck import gradcheck
from backprop.trace import as_markdown, as_text, trace

from .conftest import seed_network

NETWORKS = {
    "seed (sigmoid, mse)": lambda: seed_network(seed=3),
    "tanh/softmax, cross-entropy": lambda: Network([Dense(2, 6, "tanh"), Dense(6, 3, "softmax")],
                                                   loss="cross_entropy", seed=1),
    "relu/sigmoid, binary cross-entropy": lambda: Network([Dense(2, 5, "relu"), Dense(5, 1, "sigmoid")],
                                                          loss="binary_cross_entropy", seed=2),
    "identity/sigmoid, mse, float32": lambda: Network([Dense(2, 4, "identity"), Dense(4, 2, "sigmoid")], seed=4,
                                                      dtype="float32"),
}


@pytest.fixture(scope="module")
def data():
    d = datasets.moons(n_samples=100)
    return d.X_train[:12], d.y_train[:12]


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_gradcheck_passes_for_correct_backpropagation(data, name):
    X, y = data
    result = gradcheck(NETWORKS[name](), X, y)
    assert result.passed and result.worst < 1e-6, result.table()
    assert len(result.checks) == 2 * len(NETWORKS[name]().layers)


def test_gradcheck_fails_for_a_wrong_derivative(data, monkeypatch):
    X, y = data
    wrong = activations.Activation("tanh", np.tanh, lambda a: 1.0 - a)  # should be 1 - a^2
    net = Network([Dense(2, 6, "tanh"), Dense(6, 2, "sigmoid")], seed=0)
    net.layers[0].activation = wrong
    result = gradcheck(net, X, y)
    assert not result.passed and "FAIL" in result.table()
    failed = {c.name for c in result.checks if not c.passed}
    assert failed == {"layer 0 weights", "layer 0 bias"}  # the layer below the wrong derivative


def test_gradcheck_command_exits_0_on_pass_and_1_on_fail(tmp_path, capsys, monkeypatch):
    assert main(["gradcheck", "--samples", "5"]) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1].startswith("PASS") and out.count(" ok") == 8
    sigmoid = activations.ACTIVATIONS["sigmoid"]
    wrong = activations.Activation("sigmoid", sigmoid.forward, lambda a: a)  # f' = a: wrong on purpose
    monkeypatch.setitem(activations.ACTIVATIONS, "sigmoid", wrong)
    assert main(["gradcheck", "--samples", "5"]) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("FAIL")


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_trace_matches_gradients_on_that_sample(data, name):
    X, y = data
    net = NETWORKS[name]()
    result = trace(net, X[5], int(y[5]), learning_rate=0.1)
    tolerance = 1e-5 if net.dtype == "float32" else 1e-12
    for layer, (dW, db), original in zip(result["layers"], net.gradients(X[5:6], y[5:6]), net.layers):
        np.testing.assert_allclose(layer["dW"], dW, rtol=0, atol=tolerance)
        np.testing.assert_allclose(layer["db"], db, rtol=0, atol=tolerance)
        np.testing.assert_allclose(layer["weights_after"], original.weights - 0.1 * dW, rtol=0, atol=tolerance)
        assert len(layer["z"]) == len(layer["a"]) == len(layer["delta"]) == original.n_out
    outputs, _ = net.forward_pass(net.as_inputs(X[5:6]))
    np.testing.assert_allclose(result["layers"][-1]["a"], outputs[-1][0], rtol=0, atol=tolerance)
    np.testing.assert_allclose(result["loss"], net.loss_value(X[5:6], y[5:6]), rtol=1e-6)


def test_trace_formats(tmp_path, capsys, data):
    X, y = data
    d = datasets.moons()
    net = seed_network()
    save(net, tmp_path / "m.safetensors", dataset=d.spec)
    assert main(["trace", str(tmp_path / "m.safetensors"), "--sample", "7", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    expected = trace(net, d.X_train[7], int(d.y_train[7]))
    assert result["layers"][2]["dW"] == expected["layers"][2]["dW"] and result["label"] == int(d.y_train[7])
    text = as_text(expected)
    assert "delta_L = (a_L - t) * f'(z_L)" in text and "dW_l = a_(l-1)^T delta_l" in text
    markdown = as_markdown(expected)
    assert markdown.startswith("# One sample through the network") and "| layer | equation | value |" in markdown
    assert main(["trace", str(tmp_path / "m.safetensors"), "--sample", "5000"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--sample must be in [0, 1399]. Received: 5000" in err
