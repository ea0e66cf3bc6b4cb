"""The compiled engine against the reference and against JAX (issue 9's figures), side by side.

    python bench/engines_speed.py [--repeats 3] [--jax-python /path/to/python-with-jax]

1. Per sample, the seed's 2-25-50-25-2 network at batch 1: plain SGD (the hand-fused loop), and
   Adam, RMSprop, momentum and softmax + cross-entropy (fused loops of their own), as ratios to
   plain SGD; the NumPy reference for Adam; JAX's jitted lax.scan of per-sample SGD
   (bench/jax_peer.py); and plain SGD and Adam on a float32 network, Adam's ratio to float32 SGD.
2. The fast preset's whole fit, evaluations included: compiled, NumPy, and JAX as one jitted
   program (warm). Contenders are interleaved within each repeat; medians [min-max].
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

from backprop import Dense, Network, datasets
from backprop.config import PRESETS

ROOT = Path(__file__).resolve().parent.parent
DATA = datasets.moons()


def per_sample(optimizer: str, engine: str, loss: str = "mse", epochs: int = 10, dtype: str = "float64") -> float:
    """Microseconds per sample of ``epochs`` epochs at batch 1 on the seed's network."""
    out = Dense(25, 2, "softmax") if loss == "cross_entropy" else Dense(25, 2, "sigmoid")
    net = Network([Dense(2, 25, "sigmoid"), Dense(25, 50, "sigmoid"), Dense(50, 25, "sigmoid"), out], loss=loss,
                  seed=0, dtype=dtype)
    history = net.fit(DATA.X_train, DATA.y_train, epochs=epochs, batch_size=1, optimizer=optimizer,
                      learning_rate=0.01, eval_every=epochs, engine=engine)
    return 1e6 * history.seconds / epochs / len(DATA.X_train)


def fast_fit(engine: str, count: int = 5) -> float:
    """The median of ``count`` whole fits of the fast preset (seeds 0..count-1), as JAX's is of 5."""
    experiment = PRESETS["fast"]
    options = {**experiment.fit.to_dict(), "engine": engine}
    seconds = []
    for seed in range(count):
        net = dataclasses.replace(experiment, seed=seed).build_network(2, 2)
        seconds.append(net.fit(DATA.X_train, DATA.y_train, validation_data=(DATA.X_test, DATA.y_test),
                               **options).seconds)
    return statistics.median(seconds)


class JaxPeer:
    """bench/jax_peer.py serving in one long-lived process of ``python`` (which has jax and optax):
    ``peer(what, count)`` -> its JSON answer. Each program compiles once, at its first request, so
    that JAX is timed right beside backprop, not a process start and a compilation later."""

    def __init__(self, python: str):
        self.process = subprocess.Popen([python, str(ROOT / "bench" / "jax_peer.py"), "serve", "0", str(ROOT / "src")],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def __call__(self, what: str, count: int) -> dict:
        self.process.stdin.write(f"{what} {count}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            sys.exit(f"jax_peer.py stopped (exit code {self.process.wait()})")
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.4g} [{min(values):.4g}-{max(values):.4g}]"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jax-python", help="a Python with jax and optax (default: this one, if it has them)")
    options = parser.parse_args()
    python = options.jax_python
    if python is None:
        try:
            import jax  # noqa: F401
            import optax  # noqa: F401

            python = sys.executable
        except ImportError:
            print("JAX not installed: its rows are skipped (pip install 'jax[cpu]' optax, or --jax-python)")
    rows: dict[str, list[float]] = {}
    jax = JaxPeer(python) if python else None
    contenders = {"plain SGD, compiled (per-sample loop)": lambda: per_sample("sgd", "auto")}
    if jax:  # right after plain SGD, so that the two see the machine at the same speed
        contenders["plain SGD, JAX lax.scan (float64)"] = lambda: jax("per-sample", 10)["us_per_sample"]
    contenders |= {
        "Adam, compiled": lambda: per_sample("adam", "numba"),
        "RMSprop, compiled": lambda: per_sample("rmsprop", "numba"),
        "momentum, compiled": lambda: per_sample("momentum", "numba"),
        "softmax + cross-entropy SGD, compiled": lambda: per_sample("sgd", "numba", "cross_entropy"),
        "Adam, NumPy reference": lambda: per_sample("adam", "numpy", epochs=1),
        "plain SGD, NumPy per-sample": lambda: per_sample("sgd", "numpy", epochs=1),
        "plain SGD, compiled, float32": lambda: per_sample("sgd", "numba", dtype="float32"),
        "Adam, compiled, float32": lambda: per_sample("adam", "numba", dtype="float32"),
    }
    fits = {"compiled": lambda: fast_fit("numba")}
    if jax:
        fits["JAX, one jitted program"] = lambda: float(np.median(jax("fast", 5)["seconds"]))
    fits["NumPy"] = lambda: fast_fit("numpy")
    for f in list(contenders.values()) + list(fits.values()):
        f()  # compile, load caches, start JAX once
    for _ in range(options.repeats):
        for name, f in {**contenders, **{f"fit: {k}": v for k, v in fits.items()}}.items():
            rows.setdefault(name, []).append(f())
    base = rows["plain SGD, compiled (per-sample loop)"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; python {platform.python_version()}; "
          f"{options.repeats} repeats, interleaved")
    print("1. The seed's network at batch 1, microseconds per sample (x plain SGD compiled)")
    for name in contenders:
        ratios = [v / b for v, b in zip(rows[name], base)]
        print(f"   {name:<40} {fmt(rows[name]):<26} x{fmt(ratios)}")
    ratios = [a / b for a, b in zip(rows["Adam, compiled, float32"], rows["plain SGD, compiled, float32"])]
    print(f"   float32: Adam x{fmt(ratios)} of plain SGD")
    print("2. The fast preset's whole fit, evaluations included, seconds (each a median of 5 fits; x compiled)")
    for name in fits:
        ratios = [v / b for v, b in zip(rows["fit: " + name], rows["fit: compiled"])]
        print(f"   {name:<40} {fmt(rows['fit: ' + name]):<26} x{fmt(ratios)}")
    if jax:
        jax.close()


if __name__ == "__main__":
    main()
