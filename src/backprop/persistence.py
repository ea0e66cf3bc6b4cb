"""Model files: safetensors weights plus a JSON description, written atomically; no pickle.

A file holds the tensors ``layers.{i}.weights`` (n_in, n_out) and ``layers.{i}.bias`` (n_out,),
and under the metadata key ``backprop`` a JSON document (the schema, version by version, is in
docs/model-format.md):

    {"format_version": 2,
     "architecture": {"layers": [{"n_in": 2, "n_out": 25, "activation": "sigmoid"}, ...],
                      "loss": "mse", "dtype": "float64", "task": "classification"},
     "classes": ["setosa", ...] or null, "feature_names": ["x1", ...] or null,
     "training": {...FitConfig...} or null, "dataset": {...Dataset.spec...} or null, "seed": 0}

and, for a network with a standardisation, the tensors ``inputs.mean`` and ``inputs.scale``
(n_in,). Version 1 files (no task, classes, names or standardisation) still load.

``load`` reads it with the safetensors parser, which only ever reads a JSON header and raw
numbers: nothing in the file can run code. Anything that is not such a file, a file of a newer
format version, or weights holding NaN or infinity raise ModelFileError.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from . import activations, encoding, losses
from .errors import ModelFileError
from .layers import Dense
from .network import DTYPES, Network
from .validation import first_non_finite

FORMAT_VERSION = 2
MODEL_FILE = "model.safetensors"  # a run folder's model
METADATA_KEY = "backprop"
LAYER_PREFIX = "layers."
INPUT_TENSORS = ("inputs.mean", "inputs.scale")  # the standardisation, when the network has one

__all__ = ["FORMAT_VERSION", "ModelFileError", "save", "load", "to_bytes", "read_description", "write_atomic"]


# ---------------------------------------------------------------------------------------- writing
def describe(net: Network, dataset: dict | None = None) -> dict:
    """The JSON description of ``net`` (format ``FORMAT_VERSION``) and the data set spec it learned."""
    if dataset is not None and not isinstance(dataset, dict):
        dataset = getattr(dataset, "spec", None)
    return {
        "format_version": FORMAT_VERSION,
        "architecture": {
            "layers": [{"n_in": l.n_in, "n_out": l.n_out, "activation": l.activation.name} for l in net.layers],
            "loss": net.loss.name,
            "dtype": net.dtype,
            "task": net.task,
        },
        "classes": None if net.classes is None else list(net.classes),
        "feature_names": None if net.feature_names is None else list(net.feature_names),
        "training": net.training_config,
        "dataset": dataset,
        "seed": net.seed,
    }


def network_tensors(net: Network) -> dict[str, np.ndarray]:
    """``layers.{i}.weights`` (n_in, n_out) and ``layers.{i}.bias`` (n_out,) for every layer.

    Raises ValueError if any holds NaN or infinity: such a network is never written."""
    tensors = {}
    for i, layer in enumerate(net.layers):
        for name in ("weights", "bias"):
            array = np.ascontiguousarray(layer.params[name])
            if first_non_finite(array) is not None:
                raise ValueError(f"layer {i}'s {name} hold NaN or infinity: refusing to save a diverged network")
            tensors[f"{LAYER_PREFIX}{i}.{name}"] = array
    if net.standardization is not None:
        tensors.update(zip(INPUT_TENSORS, (np.ascontiguousarray(net.standardization.mean, dtype=np.float64),
                                           np.ascontiguousarray(net.standardization.scale, dtype=np.float64))))
    return tensors


def save(net: Network, path: str | os.PathLike, dataset: dict | None = None) -> Path:
    """Write ``net`` to ``path`` (safetensors), atomically; returns the path.

    dataset: the ``Dataset.spec`` (or a Dataset) it was trained on, so that its test split can be
    rebuilt by ``backprop evaluate``. Raises ValueError for a network with non-finite weights.
    """
    path = Path(path)
    write_atomic(path, to_bytes(net, dataset))
    return path


def to_bytes(net: Network, dataset: dict | None = None) -> bytes:
    """The model file's bytes, as ``save`` writes them (for a caller that sends or stores them itself)."""
    from safetensors.numpy import save as safetensors_bytes

    net.check()
    return safetensors_bytes(network_tensors(net), metadata={METADATA_KEY: json.dumps(describe(net, dataset))})


def write_atomic(path: Path, payload: bytes) -> None:
    """Write ``payload`` to a temporary file beside ``path``, then rename it over ``path``.

    A crash at any point leaves either the old file or the new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes it private (0600); the files we write are ordinary ones
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------- reading
def read_safetensors(path: str | os.PathLike) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """The metadata and the tensors of a safetensors file; ModelFileError if it is not one.

    The safetensors parser checks that the header is at most 100 MB and that every tensor's shape
    and offsets lie within the file, so nothing here allocates more than the file holds.
    """
    from safetensors import SafetensorError, safe_open

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"no model file at path={str(path)!r}")
    try:
        with safe_open(str(path), framework="np") as f:
            metadata = f.metadata() or {}
            tensors = {name: f.get_tensor(name) for name in f.keys()}
    except (SafetensorError, OSError, ValueError, TypeError) as err:
        raise ModelFileError(f"{str(path)!r} is not a safetensors model file ({err})") from None
    return metadata, tensors


def parse_json(text: str, what: str, path: Path) -> dict:
    """``text`` as a JSON object; ModelFileError (never RecursionError) for anything else."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:  # a deeply nested document exhausts the parser
        raise ModelFileError(f"{str(path)!r}: its {what} is not valid JSON ({type(err).__name__})") from None
    if not isinstance(value, dict):
        raise ModelFileError(f"{str(path)!r}: its {what} must be a JSON object. Received: {type(value).__name__}")
    return value


def check_version(found: object, readable: int, what: str, path: Path) -> None:
    """Refuse a missing, malformed or newer format version, naming it and the one this build reads."""
    if isinstance(found, bool) or not isinstance(found, int) or found < 1:
        raise ModelFileError(f"{str(path)!r}: {what} must be a positive integer. Received: {found!r}")
    if found > readable:
        raise ModelFileError(f"{str(path)!r} has {what} {found}, written by a newer backprop; this build reads "
                             f"{what} {readable}: upgrade backprop to read it")


def read_description(path: str | os.PathLike) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON description and the tensors of a model file; ModelFileError if it is not one."""
    path = Path(path)
    metadata, tensors = read_safetensors(path)
    return description_from(metadata, path), tensors


def description_from(metadata: dict[str, str], path: Path) -> dict:
    """The checked ``backprop`` description in a file's metadata; ModelFileError if absent or newer."""
    if METADATA_KEY not in metadata:
        raise ModelFileError(f"{str(path)!r} is a safetensors file but not a backprop model "
                             f"(no {METADATA_KEY!r} metadata)")
    description = parse_json(metadata[METADATA_KEY], "description", path)
    check_version(description.get("format_version"), FORMAT_VERSION, "format_version", path)
    return description


def load(path: str | os.PathLike) -> Network:
    """Read a model written by ``save``, from its file or from the run folder that holds it
    (``MODEL_FILE`` inside). Raises ModelFileError for anything else."""
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_FILE
    description, tensors = read_description(path)
    extra = sorted(name for name in tensors if not name.startswith(LAYER_PREFIX) and name not in INPUT_TENSORS)
    if extra:
        raise ModelFileError(f"{str(path)!r} does not describe a valid network: unexpected tensors {extra[:5]}")
    return build_network(description, tensors, Path(path))


def build_network(description: dict, tensors: dict[str, np.ndarray], path: Path) -> Network:
    """The network a description and its ``layers.*`` tensors describe; ModelFileError otherwise.

    Tensors under other prefixes (a checkpoint's optimizer state) are the caller's to read."""
    layer_tensors = {k: v for k, v in tensors.items() if k.startswith(LAYER_PREFIX) or k in INPUT_TENSORS}
    try:
        return _build(description, layer_tensors)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        raise ModelFileError(f"{str(path)!r} does not describe a valid network: {type(err).__name__}: {err}") from None


def _expect(value: object, kind: type | tuple[type, ...], what: str) -> object:
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(f"{what} must be of type {getattr(kind, '__name__', kind)}. Received: {value!r:.80}")
    return value


def _build(description: dict, tensors: dict[str, np.ndarray]) -> Network:
    arch = _expect(description["architecture"], dict, "architecture")
    dtype = _expect(arch.get("dtype", "float64"), str, "architecture.dtype")
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)}. Received: dtype={dtype!r}")
    specs = _expect(arch["layers"], list, "architecture.layers")
    layers = [_build_layer(i, _expect(spec, dict, f"layer {i}"), tensors) for i, spec in enumerate(specs)]
    extra = set(tensors) - {f"{LAYER_PREFIX}{i}.{n}" for i in range(len(specs)) for n in ("weights", "bias")} \
        - set(INPUT_TENSORS)
    if extra:
        raise ValueError(f"unexpected tensors {sorted(extra)[:5]}")
    seed = description.get("seed")
    if seed is not None and (_expect(seed, int, "seed") < 0 or seed >= 2**128):
        raise ValueError(f"seed must be an integer in [0, 2**128). Received: seed={seed}")
    task = encoding.check_task(_expect(arch.get("task", "classification"), str, "task"))
    net = Network(layers, loss=losses.get(_expect(arch["loss"], str, "loss")).name, seed=seed, dtype=dtype, task=task)
    classes, names = description.get("classes"), description.get("feature_names")
    if task == "classification" and classes is not None:
        net.classes = encoding.check_classes(_expect(classes, list, "classes"), net.n_classes)
    if names is not None:
        names = tuple(_expect(name, str, "feature name") for name in _expect(names, list, "feature_names"))
        if len(names) != net.sizes[0]:
            raise ValueError(f"feature_names must name the {net.sizes[0]} inputs. Received: {len(names)} names")
        net.feature_names = names
    net.standardization = _build_standardization(tensors, net.sizes[0])
    net.check()
    training, dataset = description.get("training"), description.get("dataset")
    net.training_config = None if training is None else _expect(training, dict, "training")
    net.dataset = None if dataset is None else _expect(dataset, dict, "dataset")
    return net


def _build_standardization(tensors: dict[str, np.ndarray], n_in: int) -> encoding.Standardization | None:
    present = [name for name in INPUT_TENSORS if name in tensors]
    if not present:
        return None
    if len(present) != len(INPUT_TENSORS):
        raise ValueError(f"tensors {list(INPUT_TENSORS)} come together. Received: only {present}")
    mean, scale = (tensors[name] for name in INPUT_TENSORS)
    for name, array in zip(INPUT_TENSORS, (mean, scale)):
        if array.dtype != np.float64 or array.shape != (n_in,) or first_non_finite(array) is not None:
            raise ValueError(f"tensor {name!r} must hold {n_in} finite float64 values. "
                             f"Received: {array.dtype} {array.shape}")
    if not np.all(scale > 0):
        raise ValueError("tensor 'inputs.scale' must be positive everywhere")
    return encoding.Standardization(mean.copy(), scale.copy())


def _build_layer(i: int, spec: dict, tensors: dict[str, np.ndarray]) -> Dense:
    activations.get(_expect(spec["activation"], str, "activation"))  # ValueError names the valid ones
    names = (f"{LAYER_PREFIX}{i}.weights", f"{LAYER_PREFIX}{i}.bias")
    missing = [n for n in names if n not in tensors]
    if missing:
        raise ValueError(f"tensor {missing[0]!r} is missing")
    weights, bias = (tensors[n] for n in names)
    for name, array in zip(names, (weights, bias)):
        if array.dtype not in (np.float32, np.float64):
            raise ValueError(f"tensor {name!r} must hold float32 or float64. Received: {array.dtype}")
        where = first_non_finite(array)
        if where is not None:
            raise ValueError(f"tensor {name!r} holds {array[where]} at {where}: a model with NaN or infinity "
                             "is refused")
    return Dense(_expect(spec["n_in"], int, "n_in"), _expect(spec["n_out"], int, "n_out"), spec["activation"],
                 weights=weights, bias=bias)
