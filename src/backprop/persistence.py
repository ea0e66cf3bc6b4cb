"""Model files: safetensors weights plus a JSON description, written atomically; no pickle.

A file holds the tensors ``layers.{i}.weights`` (n_in, n_out) and ``layers.{i}.bias`` (n_out,),
and under the metadata key ``backprop`` a JSON document:

    {"format_version": 1,
     "architecture": {"layers": [{"n_in": 2, "n_out": 25, "activation": "sigmoid"}, ...],
                      "loss": "mse", "dtype": "float64"},
     "training": {...FitConfig...} or null, "dataset": {...Dataset.spec...} or null, "seed": 0}

``load`` reads it with the safetensors parser, which only ever reads a JSON header and raw
numbers: nothing in the file can run code. Anything that is not such a file raises ModelFileError.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from . import activations, losses
from .layers import Dense
from .network import DTYPES, Network

FORMAT_VERSION = 1
METADATA_KEY = "backprop"


class ModelFileError(ValueError):
    """A model file could not be read: missing, not safetensors, truncated, or inconsistent."""


def save(net: Network, path: str | os.PathLike, dataset: dict | None = None) -> Path:
    """Write ``net`` to ``path`` (safetensors), atomically; returns the path.

    dataset: the ``Dataset.spec`` (or a Dataset) it was trained on, so that its test split can be
    rebuilt by ``backprop evaluate``.
    """
    from safetensors.numpy import save as to_bytes

    net.check()
    if dataset is not None and not isinstance(dataset, dict):
        dataset = getattr(dataset, "spec", None)
    description = {
        "format_version": FORMAT_VERSION,
        "architecture": {
            "layers": [{"n_in": l.n_in, "n_out": l.n_out, "activation": l.activation.name} for l in net.layers],
            "loss": net.loss.name,
            "dtype": net.dtype,
        },
        "training": net.training_config,
        "dataset": dataset,
        "seed": net.seed,
    }
    tensors = {}
    for i, layer in enumerate(net.layers):
        tensors[f"layers.{i}.weights"] = np.ascontiguousarray(layer.weights)
        tensors[f"layers.{i}.bias"] = np.ascontiguousarray(layer.bias)
    payload = to_bytes(tensors, metadata={METADATA_KEY: json.dumps(description)})
    path = Path(path)
    write_atomic(path, payload)
    return path


def write_atomic(path: Path, payload: bytes) -> None:
    """Write ``payload`` to a temporary file beside ``path``, then rename it over ``path``.

    A crash at any point leaves either the old file or the new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_description(path: str | os.PathLike) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON description and the tensors of a model file; ModelFileError if it is not one."""
    from safetensors import SafetensorError, safe_open

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"no model file at path={str(path)!r}")
    try:
        with safe_open(str(path), framework="np") as f:
            metadata = f.metadata() or {}
            tensors = {name: f.get_tensor(name) for name in f.keys()}
    except (SafetensorError, OSError, ValueError) as err:
        raise ModelFileError(f"{str(path)!r} is not a safetensors model file ({err})") from None
    if METADATA_KEY not in metadata:
        raise ModelFileError(f"{str(path)!r} is a safetensors file but not a backprop model "
                             f"(no {METADATA_KEY!r} metadata)")
    try:
        description = json.loads(metadata[METADATA_KEY])
    except json.JSONDecodeError as err:
        raise ModelFileError(f"{str(path)!r}: its description is not valid JSON ({err})") from None
    if not isinstance(description, dict) or description.get("format_version") != FORMAT_VERSION:
        version = description.get("format_version") if isinstance(description, dict) else None
        raise ModelFileError(f"{str(path)!r}: format_version must be {FORMAT_VERSION}. Received: {version!r}")
    return description, tensors


def load(path: str | os.PathLike) -> Network:
    """Read a model written by ``save``. Raises ModelFileError for anything else."""
    description, tensors = read_description(path)
    try:
        net = _build(description, tensors)
    except (KeyError, TypeError, ValueError) as err:
        raise ModelFileError(f"{str(path)!r} does not describe a valid network: {err}") from None
    return net


def _build(description: dict, tensors: dict[str, np.ndarray]) -> Network:
    arch = description["architecture"]
    if arch.get("dtype", "float64") not in DTYPES:
        raise ValueError(f"unknown dtype {arch.get('dtype')!r}")
    expected = set()
    layers = []
    for i, spec in enumerate(arch["layers"]):
        activations.get(spec["activation"])  # ValueError names the valid activations
        names = (f"layers.{i}.weights", f"layers.{i}.bias")
        expected.update(names)
        missing = [n for n in names if n not in tensors]
        if missing:
            raise ValueError(f"tensor {missing[0]!r} is missing")
        weights, bias = (tensors[n] for n in names)
        if not (np.issubdtype(weights.dtype, np.floating) and np.issubdtype(bias.dtype, np.floating)):
            raise ValueError(f"layer {i} holds non-float tensors ({weights.dtype}, {bias.dtype})")
        layers.append(Dense(spec["n_in"], spec["n_out"], spec["activation"], weights=weights, bias=bias))
    extra = set(tensors) - expected
    if extra:
        raise ValueError(f"unexpected tensors {sorted(extra)}")
    net = Network(layers, loss=losses.get(arch["loss"]).name, seed=description.get("seed"),
                  dtype=arch.get("dtype", "float64"))
    net.check()
    net.training_config = description.get("training")
    net.dataset = description.get("dataset")
    return net
