"""The search behind the `fast` preset: which small configuration reaches the seed's 97% soonest.

    python bench/fast_preset.py            # 40 configurations x 5 seeds, then the best 5 with a cosine decay

Every configuration trains softmax + cross-entropy with Adam on the seed's data and is scored by
its test accuracy after its last epoch, over 5 seeds (median and minimum) and by the median fit
time. A configuration qualifies when every seed ends at 97% or more; the preset is the fastest of
those. (Found: 64 ReLU units, lr 0.02, batch 64, 25 epochs; the cosine decay steadied the last
epochs, so that every one of 10 seeds ended at 97.33%.)
"""
from __future__ import annotations

import statistics
import time

from backprop import Dense, Network, datasets

HIDDEN = [(32, 32), (25, 50, 25), (16, 16), (64,)]
ACTIVATIONS = ["tanh", "relu"]
SCHEDULES = [(0.01, 32, 20), (0.02, 32, 15), (0.01, 16, 15), (0.03, 64, 30), (0.02, 64, 25)]  # lr, batch, epochs


def run(data, hidden, activation, lr, batch, epochs, seed, schedule="constant") -> tuple[float, float]:
    widths = [2, *hidden]
    layers = [Dense(a, b, activation) for a, b in zip(widths[:-1], widths[1:])] + [Dense(widths[-1], 2, "softmax")]
    net = Network(layers, loss="cross_entropy", seed=seed)
    start = time.perf_counter()
    net.fit(data.X_train, data.y_train, epochs=epochs, learning_rate=lr, batch_size=batch, optimizer="adam",
            schedule=schedule, eval_every=epochs, engine="numpy")
    return time.perf_counter() - start, net.accuracy(data.X_test, data.y_test)


def score(data, config, seeds: int, schedule: str = "constant") -> dict:
    results = [run(data, *config, seed, schedule) for seed in range(seeds)]
    times, accuracies = zip(*results)
    return {"config": config, "schedule": schedule, "time": statistics.median(times),
            "median": statistics.median(accuracies), "min": min(accuracies)}


def show(row: dict) -> None:
    hidden, activation, lr, batch, epochs = row["config"]
    print(f"{str(hidden):12s} {activation:5s} lr={lr:<5} batch={batch:<3} epochs={epochs:<3} {row['schedule']:8s} "
          f"fit {row['time']:.3f} s   accuracy median {row['median']:.4f} min {row['min']:.4f}", flush=True)


def main() -> None:
    data = datasets.moons()
    rows = []
    for hidden in HIDDEN:
        for activation in ACTIVATIONS:
            for lr, batch, epochs in SCHEDULES:
                rows.append(score(data, (hidden, activation, lr, batch, epochs), 5))
                show(rows[-1])
    qualified = sorted((r for r in rows if r["min"] >= 0.97), key=lambda r: r["time"]) or \
        sorted(rows, key=lambda r: -r["min"])
    print("\nthe five fastest that qualify (else the five steadiest), with a cosine decay, over 10 seeds:")
    for row in qualified[:5]:
        for schedule in ("constant", "cosine"):
            show(score(data, row["config"], 10, schedule))


if __name__ == "__main__":
    main()
