"""ONNX export: the graph onnxruntime runs gives the network's own probabilities, labels and values."""
import numpy as np
import onnx
import onnxruntime
import pytest

import backprop
from backprop import Dense, Network, datasets
from backprop.cli import main
from backprop.export.onnx import OPSET, save_onnx, to_onnx

OUTPUTS = {"mse": "sigmoid", "cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}


def run_onnx(model, X):
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return dict(zip([o.name for o in session.get_outputs()], session.run(None, {"X": X.astype(np.float32)})))


@pytest.mark.parametrize("loss", sorted(OUTPUTS))
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "identity"])
def test_onnxruntime_matches_predict_proba_for_every_activation_and_loss(hidden, loss):
    data = datasets.moons(n_samples=300)
    n_out = 1 if loss == "binary_cross_entropy" else 2
    net = Network([Dense(2, 12, hidden), Dense(12, 6, hidden), Dense(6, n_out, OUTPUTS[loss])], loss=loss, seed=0)
    net.fit(data.X_train * 10 + 3, data.y_train, epochs=3, batch_size=8, standardize=True)
    out = run_onnx(to_onnx(net), data.X_test * 10 + 3)
    proba = net.predict_proba(data.X_test * 10 + 3)
    expected = np.column_stack([1 - proba[:, 0], proba[:, 0]]) if n_out == 1 else proba
    np.testing.assert_allclose(out["probabilities"], expected, atol=1e-5)
    agree = out["label"] == net.predict(data.X_test * 10 + 3)
    assert agree.mean() >= 0.99  # float32 may flip a point sitting on the boundary, no more


@pytest.mark.parametrize("classes", [("setosa", "versicolor", "virginica"), (3, 10, 42), (0.5, 1.5, 2.5)])
def test_labels_come_out_as_the_network_names_them(classes):
    data = datasets.iris()
    net = Network([Dense(4, 8, "tanh"), Dense(8, 3, "softmax")], loss="cross_entropy", seed=0)
    net.classes = classes
    net.fit(data.X_train, np.asarray(classes)[data.y_train], epochs=30, batch_size=8, standardize=True)
    out = run_onnx(to_onnx(net), data.X_test)
    np.testing.assert_array_equal(out["label"], net.predict(data.X_test))
    assert out["label"].dtype.kind == np.asarray(classes).dtype.kind or out["label"].dtype == object


def test_a_regressor_exports_its_values_and_a_float32_network_too():
    data = datasets.gaussians(n_samples=400)
    for dtype in ("float64", "float32"):
        net = Network([Dense(2, 16, "tanh"), Dense(16, 1, "identity")], loss="mse", seed=0, dtype=dtype,
                      task="regression")
        net.fit(data.X_train, data.y_train, epochs=5, batch_size=16, optimizer="adam")
        out = run_onnx(to_onnx(net), data.X_test)
        assert list(out) == ["values"]
        np.testing.assert_allclose(out["values"][:, 0], net.predict(data.X_test), atol=1e-5)


def test_the_graph_is_checked_gemm_based_and_on_a_supported_opset(tmp_path):
    net = Network([Dense(2, 4, "relu"), Dense(4, 2, "softmax")], loss="cross_entropy", seed=0)
    net.fit(np.eye(2), [0, 1], epochs=1, standardize=True)
    path = save_onnx(net, tmp_path / "m.onnx")
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    ops = [node.op_type for node in model.graph.node]
    assert ops[:2] == ["Sub", "Div"] and ops.count("Gemm") == 2  # the standardisation comes first
    assert model.opset_import[0].version == OPSET <= onnx.defs.onnx_opset_version()
    assert all(init.data_type == onnx.TensorProto.FLOAT for init in model.graph.initializer
               if init.name != "classes")


def test_the_export_command(tmp_path, capsys):
    assert main(["train", "--dataset", "wine", "--preset", "fast", "--standardize", "--out", str(tmp_path),
                 "--name", "w", "--quiet"]) == 0
    assert main(["export", str(tmp_path / "w"), "--onnx", str(tmp_path / "w.onnx")]) == 0
    net = backprop.load(tmp_path / "w" / "model.safetensors")
    data = datasets.wine()
    out = run_onnx(onnx.load(str(tmp_path / "w.onnx")), data.X_test)
    np.testing.assert_allclose(out["probabilities"], net.predict_proba(data.X_test), atol=1e-5)
    assert list(out["label"]) == list(net.predict(data.X_test)) and out["label"][0] in data.classes
    capsys.readouterr()
    assert main(["export", str(tmp_path / "w")]) == 2
    assert "name a format" in capsys.readouterr().err
