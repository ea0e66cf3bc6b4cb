"""A trained network as an ONNX graph, for onnxruntime and every other ONNX runtime.

The graph takes ``X`` (n, n_in) float32 raw inputs and computes, in order: the standardisation
(Sub, Div) when the network has one, then per layer a Gemm and its activation (Sigmoid, Tanh,
Relu, Softmax; nothing for identity). Outputs: for classification ``probabilities`` (n, k) and
``label`` (n,), the original labels (ArgMax, then Gather from the class labels); for regression
``values`` (n, n_out). Weights are stored as float32 initializers; opset ``OPSET``.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..network import Network

OPSET = 17  # onnxruntime has run opset 17 since 1.14
IR_VERSION = 8  # the IR version of opset 17: a newer one would refuse older runtimes for nothing
ACTIVATION_OPS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "softmax": "Softmax", "identity": None}


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError('ONNX export needs the onnx package: pip install "backprop[onnx]"') from None
    return onnx


def to_onnx(net: Network):
    """``net`` as a checked ``onnx.ModelProto`` (see the module's docstring for its inputs and outputs)."""
    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    net.check()
    nodes, initializers = [], []

    def constant(name: str, array: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(array, name))
        return name

    current = "X"
    if net.standardization is not None:
        mean = constant("inputs.mean", net.standardization.mean.astype(np.float32))
        scale = constant("inputs.scale", net.standardization.scale.astype(np.float32))
        nodes += [helper.make_node("Sub", ["X", mean], ["centred"]),
                  helper.make_node("Div", ["centred", scale], ["z_in"])]
        current = "z_in"
    for i, layer in enumerate(net.layers):
        weights = constant(f"layers.{i}.weights", layer.weights.astype(np.float32))
        bias = constant(f"layers.{i}.bias", layer.bias.astype(np.float32))
        nodes.append(helper.make_node("Gemm", [current, weights, bias], [f"z{i}"], name=f"dense{i}"))
        op = ACTIVATION_OPS[layer.activation.name]
        current = f"z{i}"
        if op is not None:
            attributes = {"axis": -1} if op == "Softmax" else {}
            nodes.append(helper.make_node(op, [current], [f"a{i}"], name=f"{layer.activation.name}{i}", **attributes))
            current = f"a{i}"
    outputs = _outputs(net, current, nodes, constant)
    graph = helper.make_graph(nodes, "backprop", [helper.make_tensor_value_info("X", TensorProto.FLOAT,
                                                                                ["n", net.sizes[0]])],
                              outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="backprop",
                              ir_version=IR_VERSION)
    onnx.checker.check_model(model, full_check=True)
    return model


def _outputs(net: Network, current: str, nodes: list, constant) -> list:
    """The output nodes after the last activation ``current``; returns the graph's output infos."""
    from onnx import TensorProto, helper

    n_out = net.layers[-1].n_out
    if net.task == "regression":
        nodes.append(helper.make_node("Identity", [current], ["values"]))
        return [helper.make_tensor_value_info("values", TensorProto.FLOAT, ["n", n_out])]
    if n_out == 1:  # one sigmoid unit is P(class 1): the probabilities are [1 - p, p]
        one = constant("one", np.ones((1, 1), np.float32))
        nodes += [helper.make_node("Sub", [one, current], ["p0"]),
                  helper.make_node("Concat", ["p0", current], ["probabilities"], axis=1)]
    else:
        nodes.append(helper.make_node("Identity", [current], ["probabilities"]))
    classes = list(net.classes) if net.classes is not None else list(range(net.n_classes))
    labels, label_type = _label_tensor(classes)
    nodes += [helper.make_node("ArgMax", ["probabilities"], ["index"], axis=1, keepdims=0),
              helper.make_node("Gather", [constant("classes", labels), "index"], ["label"], axis=0)]
    return [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["n", net.n_classes]),
            helper.make_tensor_value_info("label", label_type, ["n"])]


def _label_tensor(classes: list) -> tuple[np.ndarray, int]:
    """The class labels as a constant tensor: int64, float64 or strings, as they are."""
    from onnx import TensorProto

    if all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in classes):
        return np.array(classes, dtype=np.int64), TensorProto.INT64
    if all(isinstance(c, (int, float, np.number)) and not isinstance(c, bool) for c in classes):
        return np.array(classes, dtype=np.float64), TensorProto.DOUBLE
    return np.array([str(c) for c in classes], dtype=object), TensorProto.STRING


def save_onnx(net: Network, path: str | os.PathLike) -> Path:
    """Write ``net`` as an ONNX file at ``path``, atomically; returns the path."""
    from ..persistence import write_atomic

    path = Path(path)
    write_atomic(path, to_onnx(net).SerializeToString())
    return path
