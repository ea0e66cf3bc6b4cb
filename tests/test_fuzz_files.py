"""Fuzzing the file readers: whatever the bytes, load() and checkpoints.load() either return a
network or raise ModelFileError, within a deadline, allocating no more than the file's size.

Five strategies, each on a model file and on a checkpoint: random bytes, truncations, bit flips,
edits of the JSON description, and safetensors headers that claim huge shapes or offsets.
BACKPROP_FUZZ_EXAMPLES (default 60, so 5 x 2 x 60 = 600 cases in CI) sets the cases per strategy
and file kind: `BACKPROP_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz_files.py` runs 50,000.
"""
import json
import os
import struct
import tracemalloc

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from backprop import Dense, ModelFileError, Network, checkpoints, datasets, load, save  # noqa: E402

EXAMPLES = int(os.environ.get("BACKPROP_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=2000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MiB = 1 << 20
COUNT = {"cases": 0}  # how many cases ran, reported at the end


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A valid model file and a valid checkpoint (Adam state, early stopping), as bytes."""
    folder = tmp_path_factory.mktemp("fuzz")
    data = datasets.moons(n_samples=200)
    net = Network([Dense(2, 5, "tanh"), Dense(5, 2, "softmax")], loss="cross_entropy", seed=0)
    net.fit(data.X_train, data.y_train, epochs=2, batch_size=16, optimizer="adam", patience=3,
            validation_data=(data.X_test, data.y_test),
            callback=checkpoints.Checkpoint(folder / "c.safetensors", every=1, dataset=data.spec))
    save(net, folder / "m.safetensors", dataset=data.spec)
    return {"model": (folder / "m.safetensors").read_bytes(), "checkpoint": (folder / "c.safetensors").read_bytes(),
            "path": folder / "fuzzed.safetensors"}


READERS = {"model": load, "checkpoint": checkpoints.load}


def check_reader(files, kind, payload: bytes):
    """The reader of ``kind`` returns or raises ModelFileError, and allocates at most the file's size."""
    path = files["path"]
    path.write_bytes(payload)
    tracemalloc.start()
    try:
        result = READERS[kind](path)
    except ModelFileError:
        result = None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak <= 2 * len(payload) + MiB, f"{peak} bytes allocated reading a {len(payload)}-byte file"
    if result is not None:  # an edit that left a valid file: its weights are still finite numbers
        net = result[0] if kind == "checkpoint" else result
        assert all(np.all(np.isfinite(p)) for p in net.parameters())
    COUNT["cases"] += 1


def split(payload: bytes) -> tuple[dict, bytes]:
    """A safetensors file -> (its header as a dict, the data that follows)."""
    (n,) = struct.unpack("<Q", payload[:8])
    return json.loads(payload[8:8 + n]), payload[8 + n:]


def join(header: dict, rest: bytes) -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + rest


KINDS = pytest.mark.parametrize("kind", ["model", "checkpoint"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@KINDS
@FUZZ
@given(data=st.binary(max_size=2048), claimed=st.one_of(st.none(), st.integers(0, 2**64 - 1)))
def test_random_bytes(files, kind, data, claimed):
    check_reader(files, kind, data if claimed is None else struct.pack("<Q", claimed) + data)


@KINDS
@FUZZ
@given(cut=st.floats(0, 1, exclude_max=True))
def test_truncations(files, kind, cut):
    payload = files[kind]
    check_reader(files, kind, payload[:int(cut * len(payload))])


@KINDS
@FUZZ
@given(positions=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=8))
def test_bit_flips(files, kind, positions):
    payload = bytearray(files[kind])
    for position in positions:
        bit = int(position * len(payload) * 8)
        payload[bit // 8] ^= 1 << (bit % 8)
    check_reader(files, kind, bytes(payload))


def leaves(value, path=()):
    """Every path into a JSON value, containers included."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaves(item, (*path, i))


def edited(document, path, value, delete):
    if not path:
        return value
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document


@KINDS
@FUZZ
@given(data=st.data())
def test_json_edits(files, kind, data):
    header, rest = split(files[kind])
    metadata = header["__metadata__"]
    key = data.draw(st.sampled_from(sorted(metadata)))
    document = json.loads(metadata[key])
    paths = list(leaves(document))
    path = paths[data.draw(st.integers(0, len(paths) - 1))]
    value = data.draw(JSON_VALUES)
    document = edited(document, path, value, delete=data.draw(st.booleans()))
    metadata[key] = json.dumps(document)
    check_reader(files, kind, join(header, rest))


@KINDS
@FUZZ
@given(data=st.data())
def test_headers_claiming_huge_shapes_or_offsets(files, kind, data):
    header, rest = split(files[kind])
    name = data.draw(st.sampled_from(sorted(k for k in header if k != "__metadata__")))
    huge = st.integers(0, 2**64 - 1)
    field = data.draw(st.sampled_from(["shape", "data_offsets", "dtype", "both"]))
    if field in ("shape", "both"):
        header[name]["shape"] = data.draw(st.lists(huge, min_size=0, max_size=4))
    if field in ("data_offsets", "both"):
        header[name]["data_offsets"] = data.draw(st.lists(huge, min_size=2, max_size=2))
    if field == "dtype":
        header[name]["dtype"] = data.draw(st.sampled_from(["F16", "BF16", "I64", "U8", "BOOL", "F8_E4M3", "C64", "??"]))
    check_reader(files, kind, join(header, rest))


def test_deeply_nested_json_is_a_model_file_error(files):
    header, rest = split(files["model"])
    header["__metadata__"]["backprop"] = "[" * 100_000 + "]" * 100_000
    files["path"].write_bytes(join(header, rest))
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load(files["path"])


def test_the_fuzzer_ran_its_cases():
    """Runs last in this module: the strategies above really exercised the readers."""
    assert COUNT["cases"] >= 5 * 2 * EXAMPLES
