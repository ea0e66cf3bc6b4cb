"""The seed's whole experiment: 1000 epochs of per-sample SGD on the two moons. Marked slow."""
import re

import pytest

from backprop import engines
from backprop.cli import main

ENGINES = ["numpy"] + (["numba"] if engines.numba_available() else [])


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_seed_experiment_reaches_97_percent(tmp_path, capsys, engine):
    assert main(["train", "--engine", engine, "--quiet", "--out", str(tmp_path), "--name", "seed"]) == 0
    out = capsys.readouterr().out
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", out).group(1))
    assert accuracy >= 0.97, out
