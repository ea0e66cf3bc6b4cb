"""Model files: round trip, refusal of anything else (pickles above all), atomic saving."""
import json
import os
import pickle
import struct

import numpy as np
import pytest

from backprop import Dense, ModelFileError, Network, load, save
from backprop.persistence import read_description

from .conftest import seed_network


@pytest.fixture
def trained(moons):
    net = seed_network()
    net.fit(moons.X_train[:300], moons.y_train[:300], epochs=2)
    return net


def test_round_trip_gives_identical_predictions(tmp_path, trained, moons):
    path = save(trained, tmp_path / "model.safetensors", dataset=moons.spec)
    loaded = load(path)
    assert loaded.sizes == trained.sizes and loaded.loss.name == "mse"
    np.testing.assert_array_equal(loaded.predict_proba(moons.X_test), trained.predict_proba(moons.X_test))
    assert loaded.dataset == moons.spec and loaded.training_config["epochs"] == 2


def test_file_describes_the_architecture(tmp_path, trained):
    description, tensors = read_description(save(trained, tmp_path / "m.safetensors"))
    assert description["format_version"] == 2 and description["architecture"]["task"] == "classification"
    assert description["classes"] is None and description["feature_names"] is None
    assert [layer["activation"] for layer in description["architecture"]["layers"]] == ["sigmoid"] * 4
    assert tensors["layers.1.weights"].shape == (25, 50)


class _Marker:
    """Unpickling this creates a file: proof that code from the file ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_pickle_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    bad = tmp_path / "model.safetensors"
    bad.write_bytes(pickle.dumps(_Marker(str(marker))))
    with pytest.raises(ModelFileError, match="not a safetensors model file"):
        load(bad)
    assert not marker.exists()
    # the payload is live: unpickling it really would have created the file
    pickle.loads(bad.read_bytes()).close()
    assert marker.exists()


def test_empty_file(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(ModelFileError):
        load(tmp_path / "empty")


def test_truncated_file(tmp_path, trained):
    path = save(trained, tmp_path / "m.safetensors")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError):
        load(path)


def test_garbage_and_missing_files(tmp_path):
    (tmp_path / "g").write_bytes(os.urandom(1000))
    with pytest.raises(ModelFileError):
        load(tmp_path / "g")
    with pytest.raises(ModelFileError, match="no model file"):
        load(tmp_path / "absent.safetensors")


def _rewrite(path, description=None, tensors=None):
    """Write a valid safetensors file with a changed description or tensors."""
    from safetensors.numpy import save_file

    old_description, old_tensors = read_description(path)
    save_file(tensors or old_tensors, str(path), metadata={"backprop": json.dumps(description or old_description)})


def test_shape_mismatch(tmp_path, trained):
    path = save(trained, tmp_path / "m.safetensors")
    _, tensors = read_description(path)
    tensors["layers.1.weights"] = np.zeros((25, 49))
    _rewrite(path, tensors=tensors)
    with pytest.raises(ModelFileError, match=r"weights must have shape \(25, 50\)"):
        load(path)


def test_unknown_activation_in_description(tmp_path, trained):
    path = save(trained, tmp_path / "m.safetensors")
    description, _ = read_description(path)
    description["architecture"]["layers"][0]["activation"] = "os.system"
    _rewrite(path, description=description)
    with pytest.raises(ModelFileError, match="activation must be one of"):
        load(path)


def test_safetensors_without_our_metadata(tmp_path):
    from safetensors.numpy import save_file

    save_file({"x": np.zeros(3)}, str(tmp_path / "other.safetensors"))
    with pytest.raises(ModelFileError, match="not a backprop model"):
        load(tmp_path / "other.safetensors")


def test_huge_header_claim(tmp_path):
    (tmp_path / "h").write_bytes(struct.pack("<Q", 2**60) + b"{}")
    with pytest.raises(ModelFileError):
        load(tmp_path / "h")


def test_model_file_error_is_a_value_error():
    assert issubclass(ModelFileError, ValueError)


def test_save_is_atomic(tmp_path, trained, monkeypatch):
    path = save(trained, tmp_path / "m.safetensors")
    before = path.read_bytes()
    other = Network([Dense(2, 3, "tanh"), Dense(3, 2, "sigmoid")], seed=1)

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        save(other, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]  # no temporary file left behind


def test_a_network_with_nan_or_inf_is_never_saved(tmp_path, trained):
    trained.layers[2].params["bias"][3] = np.inf
    with pytest.raises(ValueError, match="layer 2's bias hold NaN or infinity: refusing to save a diverged network"):
        save(trained, tmp_path / "m.safetensors")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_weights_with_nan_or_inf_are_refused_at_load(tmp_path, trained, bad):
    path = save(trained, tmp_path / "m.safetensors")
    _, tensors = read_description(path)
    tensors["layers.1.weights"][4, 7] = bad
    _rewrite(path, tensors=tensors)
    with pytest.raises(ModelFileError, match=r"tensor 'layers.1.weights' holds .* at \(4, 7\): a model with NaN"):
        load(path)


def test_a_newer_format_version_is_refused_by_name(tmp_path, trained):
    path = save(trained, tmp_path / "m.safetensors")
    description, _ = read_description(path)
    description["format_version"] = 7
    _rewrite(path, description=description)
    with pytest.raises(ModelFileError, match="has format_version 7, written by a newer backprop; this build reads "
                                             "format_version 2: upgrade backprop"):
        load(path)


def test_a_model_asking_for_a_data_set_of_10_12_samples_is_refused_by_evaluate(tmp_path, trained, capsys):
    from backprop.cli import main

    spec = {"name": "moons", "n_samples": 10**12, "noise": 0.2, "seed": 100, "test_size": 0.3, "split_seed": 42}
    path = save(trained, tmp_path / "m.safetensors", dataset=spec)
    assert main(["evaluate", str(path)]) == 2  # at once: nothing is allocated for 10^12 points
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "n_samples must be at most 10,000,000" in err


def test_predict_refuses_non_finite_points_in_one_line(tmp_path, trained, capsys):
    from backprop.cli import main

    path = save(trained, tmp_path / "m.safetensors")
    assert main(["predict", str(path), "0.5,nan"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "points must hold finite numbers. Received: nan at row 0, column 1" in err
