"""Trace: one forward and one backward pass of a single sample, layer by layer, beside the equations.

``trace(net, x, label)`` returns plain data (lists of floats) for programs; ``as_text`` and
``as_markdown`` lay it out for people. The deltas are computed here from the equations, and the
tests check the resulting dW and db against ``Network.gradients`` on that one sample.
"""
from __future__ import annotations

import math

import numpy as np

from .network import Network

Array = np.ndarray

EQUATIONS = {
    "z": "z_l = a_(l-1) W_l + b_l",
    "a": "a_l = f_l(z_l)",
    "delta_output_mse": "delta_L = (a_L - t) * f'(z_L)",
    "delta_output_fused": "delta_L = a_L - t   (softmax or sigmoid with cross-entropy)",
    "delta_hidden": "delta_l = (delta_(l+1) W_(l+1)^T) * f'(z_l)",
    "dW": "dW_l = a_(l-1)^T delta_l",
    "db": "db_l = delta_l",
    "step": "W_l <- W_l - lr dW_l,  b_l <- b_l - lr db_l",
}


def trace(net: Network, x: Array, label, learning_rate: float = 0.01) -> dict:
    """One sample x (n_in,) with its label: every layer's z, a, delta, dW, db and the weights after one
    SGD step of ``learning_rate``, with the loss and the equations. The network is not changed.

    label: what the network's ``fit`` takes for one sample: for classification a label as the
    network names it (one of ``net.classes`` when set, e.g. "sick", else 0..k-1); for regression
    the real target, a number or (n_out,) values. x is raw: the network's standardisation applies.
    """
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) \
            or not (math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number. Received: learning_rate={learning_rate!r}")
    X = net.as_inputs(np.asarray(x, dtype=float).reshape(1, -1), "x")
    if net.task == "regression":  # (1, n_out): a real target is never rounded to a class
        T = net.as_targets(np.asarray(label, dtype=float).reshape(1, -1), 1, "label")
    else:
        T = net.as_targets(np.array([label]), 1, "label")
    outputs, z_last = net.forward_pass(X)
    zs = [layer.linear(a) for layer, a in zip(net.layers[:-1], outputs[:-2])] + [z_last]
    deltas = [None] * len(net.layers)
    deltas[-1] = net.loss.delta(z_last, outputs[-1], T, net.layers[-1].activation)  # (1, n_out); n = 1
    for l in range(len(net.layers) - 1, 0, -1):
        below = deltas[l] @ net.layers[l].weights.T
        deltas[l - 1] = below * net.layers[l - 1].activation.derivative(outputs[l])
    fused = net.loss.name != "mse"
    layers = []
    for l, layer in enumerate(net.layers):
        dW = outputs[l].T @ deltas[l]  # (n_in, 1) @ (1, n_out)
        db = deltas[l][0]
        layers.append({
            "layer": l, "activation": layer.activation.name, "shape": [layer.n_in, layer.n_out],
            "z": zs[l][0].tolist(), "a": outputs[l + 1][0].tolist(), "delta": deltas[l][0].tolist(),
            "dW": dW.tolist(), "db": db.tolist(),
            "weights_after": (layer.weights - learning_rate * dW).tolist(),
            "bias_after": (layer.bias - learning_rate * db).tolist(),
        })
    return {"input": X[0].tolist(), "standardized": net.standardization is not None, "task": net.task,
            "label": _plain(label), "target": T[0].tolist(),
            "loss_name": net.loss.name, "loss": float(net.loss.value(z_last, outputs[-1], T)),
            "learning_rate": learning_rate,
            "output_delta": EQUATIONS["delta_output_fused" if fused else "delta_output_mse"],
            "equations": EQUATIONS, "layers": layers}


def _plain(label):
    """A label as JSON holds it: numpy scalars and arrays as Python numbers, strings and lists."""
    return label.tolist() if isinstance(label, (np.ndarray, np.generic)) else label


def _label_text(result: dict) -> str:
    """"label sick   " for a class, nothing for regression (the target t says it all)."""
    return "" if result.get("task") == "regression" else f"label {result['label']}   "


def _vector(values: list, limit: int = 8) -> str:
    shown = ", ".join(f"{v:+.4f}" for v in values[:limit])
    return f"[{shown}{', ...' if len(values) > limit else ''}]  ({len(values)})"


def _matrix(rows: list) -> str:
    array = np.asarray(rows)
    return f"{array.shape[0]}x{array.shape[1]}, norm {np.linalg.norm(array):.4e}, first row {_vector(rows[0], 6)}"


def as_text(result: dict) -> str:
    """The trace for a terminal: per layer, each quantity beside its equation."""
    eq = result["equations"]
    scaled = " (standardised)" if result.get("standardized") else ""
    lines = [f"input x{scaled} = {_vector(result['input'])}   {_label_text(result)}target t = "
             f"{_vector(result['target'])}",
             f"loss ({result['loss_name']}) = {result['loss']:.6f}", ""]
    for layer in result["layers"]:
        l = layer["layer"]
        lines += [f"layer {l}: {layer['shape'][0]} -> {layer['shape'][1]}, {layer['activation']}",
                  f"  {eq['z']:<44} z     = {_vector(layer['z'])}",
                  f"  {eq['a']:<44} a     = {_vector(layer['a'])}"]
    lines.append("")
    for layer in reversed(result["layers"]):
        l = layer["layer"]
        delta_eq = result["output_delta"] if l == len(result["layers"]) - 1 else eq["delta_hidden"]
        lines += [f"layer {l} backward:",
                  f"  {delta_eq:<44} delta = {_vector(layer['delta'])}",
                  f"  {eq['dW']:<44} dW    = {_matrix(layer['dW'])}",
                  f"  {eq['db']:<44} db    = {_vector(layer['db'])}"]
    lines += ["", f"one SGD step, lr = {result['learning_rate']}: {eq['step']}"]
    for layer in result["layers"]:
        lines.append(f"  layer {layer['layer']}: W = {_matrix(layer['weights_after'])}")
    return "\n".join(lines)


def as_markdown(result: dict) -> str:
    """The trace as a Markdown document: a table per pass, equations in code spans."""
    eq = result["equations"]
    label = _label_text(result).strip()
    out = ["# One sample through the network\n",
           f"Input{' (standardised)' if result.get('standardized') else ''} `x = {_vector(result['input'])}`, "
           f"{label + ', ' if label else ''}"
           f"target `t = {_vector(result['target'])}`; loss ({result['loss_name']}) = {result['loss']:.6f}.\n",
           "## Forward\n", "| layer | equation | value |", "|---|---|---|"]
    for layer in result["layers"]:
        out.append(f"| {layer['layer']} | `{eq['z']}` | z = {_vector(layer['z'])} |")
        out.append(f"| {layer['layer']} | `{eq['a']}` ({layer['activation']}) | a = {_vector(layer['a'])} |")
    out += ["\n## Backward\n", "| layer | equation | value |", "|---|---|---|"]
    for layer in reversed(result["layers"]):
        delta_eq = result["output_delta"] if layer["layer"] == len(result["layers"]) - 1 else eq["delta_hidden"]
        out.append(f"| {layer['layer']} | `{delta_eq}` | delta = {_vector(layer['delta'])} |")
        out.append(f"| {layer['layer']} | `{eq['dW']}` | dW: {_matrix(layer['dW'])} |")
        out.append(f"| {layer['layer']} | `{eq['db']}` | db = {_vector(layer['db'])} |")
    out += [f"\n## One SGD step (lr = {result['learning_rate']})\n", f"`{eq['step']}`\n"]
    out += [f"- layer {layer['layer']}: W = {_matrix(layer['weights_after'])}" for layer in result["layers"]]
    return "\n".join(out) + "\n"
