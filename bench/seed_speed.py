"""The seed's experiment, timed side by side: the seed's own code against backprop's engines.

    python bench/seed_speed.py                      # 1000 epochs, 3 repeats (about 5 minutes)
    python bench/seed_speed.py --epochs 100         # the same ratios, 10x sooner

Each repeat runs every contender once, interleaved, from the same repeat seed, so that a noisy
neighbour slows all of them alike. Reports the median, min and max wall time of training
(evaluation every 10 epochs included, as the seed does) and the final test accuracy.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from backprop import Dense, Network, datasets, engines

ROOT = Path(__file__).resolve().parent.parent


def find_seed(path: str | None) -> Path:
    candidates = [Path(path)] if path else [ROOT.parent / "shared" / "seed", ROOT / "shared" / "seed"]
    for folder in candidates:
        if (folder / "seed_backprop.py").exists():
            return folder / "seed_backprop.py"
    sys.exit(f"seed_backprop.py not found in {[str(c) for c in candidates]}: pass --seed-dir")


def load_seed_module(path: Path):
    spec = importlib.util.spec_from_file_location("seed_backprop", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_seed(seed_module, data, epochs: int, repeat: int) -> tuple[float, float]:
    np.random.seed(repeat)  # the seed's code draws from NumPy's global generator
    nn = seed_module.NeuralNetwork()
    for n_in, n_out in [(2, 25), (25, 50), (50, 25), (25, 2)]:
        nn.add_layer(seed_module.Layer(n_in, n_out, "sigmoid"))
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # it prints every 10 epochs
        _, accuracies = nn.train(data.X_train, data.X_test, data.y_train, data.y_test, 0.01, epochs - 1)
    return time.perf_counter() - start, accuracies[-1]


def run_backprop(engine: str, data, epochs: int, repeat: int) -> tuple[float, float]:
    net = Network([Dense(2, 25, "sigmoid"), Dense(25, 50, "sigmoid"), Dense(50, 25, "sigmoid"),
                   Dense(25, 2, "sigmoid")], loss="mse", seed=repeat)
    start = time.perf_counter()
    net.fit(data.X_train, data.y_train, epochs=epochs, learning_rate=0.01, batch_size=1, eval_every=10,
            validation_data=(data.X_test, data.y_test), engine=engine, shuffle=False)
    return time.perf_counter() - start, net.accuracy(data.X_test, data.y_test)


def compare(seed_module, data, epochs: int, repeats: int) -> list[list[str]]:
    """Rows of (contender, time, speed-up against the seed, accuracy), each run interleaved."""
    contenders = {"seed (its own code)": lambda r: run_seed(seed_module, data, epochs, r),
                  "backprop numpy": lambda r: run_backprop("numpy", data, epochs, r)}
    if engines.numba_available():
        run_backprop("numba", data, 1, 0)  # compile (or load the cache) outside the timings
        contenders["backprop numba"] = lambda r: run_backprop("numba", data, epochs, r)
    times = {name: [] for name in contenders}
    accuracies = {name: [] for name in contenders}
    for repeat in range(repeats):
        for name, run in contenders.items():
            seconds, accuracy = run(repeat)
            times[name].append(seconds)
            accuracies[name].append(accuracy)
            print(f"  repeat {repeat}: {name:20s} {seconds:7.2f} s  accuracy {accuracy:.4f}", file=sys.stderr)
    reference = statistics.median(times["seed (its own code)"])
    return [[name, summary(times[name]), f"{reference / statistics.median(times[name]):.1f}x",
             summary(accuracies[name], "")] for name in contenders]


def summary(values: list[float], unit: str = " s") -> str:
    return f"{statistics.median(values):.4g}{unit} [{min(values):.4g}-{max(values):.4g}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed-dir", help="folder holding seed_backprop.py (default ../shared/seed)")
    args = parser.parse_args()
    rows = compare(load_seed_module(find_seed(args.seed_dir)), datasets.moons(), args.epochs, args.repeats)
    print(f"\nThe seed's experiment, {args.epochs} epochs, {args.repeats} repeats "
          f"({platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__})")
    print(f"{'contender':22s} {'time: median [min-max]':>28s}  {'speed-up':>8s}  accuracy: median [min-max]")
    for name, seconds, speedup, accuracy in rows:
        print(f"{name:22s} {seconds:>28s}  {speedup:>8s}  {accuracy}")


if __name__ == "__main__":
    main()
