"""What recording gradient health costs the compiled per-sample engine (issue 8: at most 10%).

The seed's experiment (2-25-50-25-2 sigmoid, per-sample SGD) for --epochs epochs at the default
evaluation interval (10), with and without a HealthRecorder on 256 training samples (what
`backprop train` records), interleaved, --repeats times; medians [min-max] and the ratio.

    python bench/health_overhead.py [--epochs 200] [--repeats 5]
"""
from __future__ import annotations

import argparse
import statistics

from backprop import Dense, Network, datasets
from backprop.health import HealthRecorder

DATA = datasets.moons()


def run(epochs: int, record: bool) -> float:
    net = Network([Dense(2, 25, "sigmoid"), Dense(25, 50, "sigmoid"), Dense(50, 25, "sigmoid"),
                   Dense(25, 2, "sigmoid")], seed=0)
    callback = HealthRecorder(net, DATA.X_train[:256], DATA.y_train[:256]) if record else None
    history = net.fit(DATA.X_train, DATA.y_train, epochs=epochs, eval_every=10, shuffle=False, callback=callback,
                      validation_data=(DATA.X_test, DATA.y_test))
    return history.seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    run(2, True)  # compile or load the engine's cache
    plain, recorded = [], []
    for _ in range(options.repeats):
        plain.append(run(options.epochs, False))
        recorded.append(run(options.epochs, True))
    ratios = [r / p for r, p in zip(recorded, plain)]

    def fmt(values):
        return f"{statistics.median(values):.4g} [{min(values):.4g}-{max(values):.4g}]"

    print(f"seed experiment, {options.epochs} epochs, eval every 10, {options.repeats} repeats (seconds)")
    print(f"without health  {fmt(plain)}")
    print(f"with health     {fmt(recorded)}")
    print(f"ratio           {fmt(ratios)}")
    import time

    from backprop.health import measure

    net = Network([Dense(2, 25, "sigmoid"), Dense(25, 50, "sigmoid"), Dense(50, 25, "sigmoid"),
                   Dense(25, 2, "sigmoid")], seed=0)
    start = time.perf_counter()
    for _ in range(50):
        measure(net, DATA.X_train[:256], DATA.y_train[:256])
    each = (time.perf_counter() - start) / 50
    interval = statistics.median(plain) / options.epochs * 10
    print(f"one measurement {1e3 * each:.3g} ms against {1e3 * interval:.3g} ms of training between evaluations "
          f"({100 * each / interval:.2g}% overhead)")


if __name__ == "__main__":
    main()
