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



CORE = ["activations", "losses", "initializers", "optimizers", "schedules", "layers", "network", "training",
        "metrics", "validation", "errors", "encoding", "engines/__init__", "engines/reference", "engines/numpy_sgd",
        "engines/numba_per_sample", "engines/numba_engine", "engines/numba_kernels", "engines/numba_blas",
        "engines/numba_math"]
ABOVE_THE_CORE = {"persistence", "checkpoints", "plots", "runs", "cli", "config", "datasets", "sweeps", "gradcheck",
                  "trace", "views", "health", "snapshots", "sklearn", "export", "predictions", "playground",
                  "charts"}


def run_time_imports(name: str) -> set[str]:
    """The backprop modules that src/backprop/NAME.py imports when it runs (TYPE_CHECKING blocks aside)."""
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).resolve().parent.parent / "src" / "backprop" / f"{name}.py").read_text())
    for node in ast.walk(tree):  # drop `if TYPE_CHECKING:` bodies: they never run
        for field in ("body", "orelse"):
            block = getattr(node, field, None)
            if isinstance(block, list):
                block[:] = [n for n in block if not (isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test))]
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            module = (node.module or "").split(".")[0]
            imported |= {module} if module else {alias.name for alias in node.names}
    return imported


def test_the_core_never_imports_what_sits_above_it():
    for name in CORE:
        assert not run_time_imports(name) & ABOVE_THE_CORE, f"{name}.py imports {run_time_imports(name)}"


def test_the_loop_and_the_engines_do_not_import_the_network():
    """The arrows point down: network -> training -> engines, never back up."""
    assert "training" in run_time_imports("network")
    for name in ("training", "metrics", "engines/__init__", "engines/reference", "engines/numpy_sgd",
                 "engines/numba_per_sample"):
        assert not run_time_imports(name) & {"network", "training"}, f"{name}.py imports {run_time_imports(name)}"
