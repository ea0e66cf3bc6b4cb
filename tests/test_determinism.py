"""The same seed gives bit-identical weights and curves: run to run, and between fit and the command line."""
from dataclasses import replace

import pytest

from backprop import datasets, engines, optimizers, runs, save
from backprop.cli import main
from backprop.config import PRESETS

# Every optimizer on the reference engine, and every per-sample engine with SGD.
CASES = [("numpy", name, 16) for name in sorted(optimizers.OPTIMIZERS)]
CASES += [(engine, "sgd", 1) for engine in ["numpy"] + (["numba"] if engines.numba_available() else [])]


@pytest.fixture(scope="module")
def data():
    return datasets.moons()


@pytest.mark.parametrize("engine,optimizer,batch_size", CASES)
def test_cli_twice_and_fit_give_identical_files(tmp_path, capsys, data, engine, optimizer, batch_size):
    argv = ["train", "--hidden", "6,5", "--epochs", "3", "--eval-every", "1", "--engine", engine,
            "--optimizer", optimizer, "--batch-size", str(batch_size), "--lr", "0.01", "--shuffle",
            "--seed", "7", "--quiet", "--out", str(tmp_path)]
    for name in ("a", "b"):
        assert main([*argv, "--name", name]) == 0
    capsys.readouterr()
    a, b = tmp_path / "a", tmp_path / "b"
    assert (a / "model.safetensors").read_bytes() == (b / "model.safetensors").read_bytes()
    assert (a / "metrics.csv").read_bytes() == (b / "metrics.csv").read_bytes()

    experiment = replace(PRESETS["seed"], hidden=(6, 5), seed=7,
                         fit=replace(PRESETS["seed"].fit, epochs=3, eval_every=1, engine=engine, optimizer=optimizer,
                                     batch_size=batch_size, learning_rate=0.01, shuffle=True))
    net = experiment.build_network(2, 2)
    history = net.fit(data.X_train, data.y_train, validation_data=(data.X_test, data.y_test),
                      **experiment.fit.to_dict())
    assert runs.read_metrics(a / "metrics.csv") == history.rows()  # the curves, to the last bit
    library = save(net, tmp_path / "library.safetensors", dataset=data.spec)
    assert library.read_bytes() == (a / "model.safetensors").read_bytes()
