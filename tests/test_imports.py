"""`import backprop` stays light: the heavy libraries load only where they are used."""
import subprocess
import sys

HEAVY = ["sklearn", "scipy", "matplotlib", "numba", "safetensors", "tqdm"]


def test_import_backprop_loads_no_heavy_library():
    code = f"import sys, backprop; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_training_the_seed_network_per_sample_needs_no_scikit_learn():
    code = ("import sys; from backprop import datasets, Dense, Network\n"
            "d = datasets.moons(); Network([Dense(2, 4, 'sigmoid'), Dense(4, 2, 'sigmoid')], seed=0)"
            ".fit(d.X_train, d.y_train, epochs=1, batch_size=32)\n"
            "print('sklearn' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False False"
