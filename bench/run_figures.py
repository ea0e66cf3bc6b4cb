"""A run's own figures (the curves and the gradient health, issue 24): written as SVG by hand
(``charts.svg``) against the same ``Chart`` drawn by matplotlib and saved as SVG, as a run drew
them before, in one warm process, interleaved; and a fresh process's first drawing of both
through ``run_files.own_figures`` (svg), with whether it imported matplotlib.

    python bench/run_figures.py [--preset fast] [--repeats 9]

The history is a real run of the preset, with its gradient health recorded as `backprop train`
records it. Medians [min-max] in milliseconds, and the ratio matplotlib / by hand.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

FIRST = """
import sys, time
from backprop import datasets, run_files
from backprop.config import from_preset
experiment = from_preset({preset!r})
data = datasets.DATASETS[experiment.dataset]()
net = experiment.network_for(data)
history = net.fit(data.X_train, data.labels(data.y_train), callback=run_files.health_recorder(net, data),
                  validation_data=(data.X_test, data.labels(data.y_test)), **experiment.fit.to_dict())
began = time.perf_counter()
run_files.own_figures(history, "svg", net.loss.name, net.sizes[-1])
print(time.perf_counter() - began, "matplotlib" in sys.modules)
"""


def trained(preset: str):
    """(history, loss name, outputs) of a run of ``preset``, health recorded."""
    from backprop import datasets, run_files
    from backprop.config import from_preset

    experiment = from_preset(preset)
    data = datasets.DATASETS[experiment.dataset]()
    net = experiment.network_for(data)
    history = net.fit(data.X_train, data.labels(data.y_train), callback=run_files.health_recorder(net, data),
                      validation_data=(data.X_test, data.labels(data.y_test)), **experiment.fit.to_dict())
    return history, net.loss.name, net.sizes[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="fast", choices=["fast", "seed"])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    from backprop import plots, run_files
    from backprop.charts import figure, svg
    from backprop.views import health

    history, loss, outputs = trained(args.preset)
    builders = {"curves": lambda: plots.curves_chart(history, loss, outputs),  # each chart built as a run does
                "health": lambda: health.chart(history.health, run_files.HEALTH_SAMPLES)}
    renderers = {"by hand": lambda chart: svg.render(chart).encode(),
                 "matplotlib": lambda chart: plots.to_bytes(figure.figure(chart), "svg")}
    times: dict[str, list[float]] = {}
    for repeat in range(args.repeats + 1):  # the first round warms matplotlib up, and is dropped
        for name, build in builders.items():
            for how, render in renderers.items():
                began = time.perf_counter()
                render(build())
                if repeat:
                    times.setdefault(f"{name}, {how}", []).append(time.perf_counter() - began)
    print(f"A {args.preset}-preset run's figures as SVG, {args.repeats} interleaved repeats, warm process (ms)")
    for label, values in times.items():
        low, high = 1000 * min(values), 1000 * max(values)
        print(f"{label:24s} {1000 * statistics.median(values):8.2f} [{low:.2f}-{high:.2f}]")
    for name in builders:
        ratio = [m / h for m, h in zip(times[f"{name}, matplotlib"], times[f"{name}, by hand"])]
        print(f"{name}: matplotlib / by hand {statistics.median(ratio):.0f}x [{min(ratio):.0f}-{max(ratio):.0f}]")
    first = subprocess.run([sys.executable, "-c", FIRST.format(preset=args.preset)], capture_output=True, text=True,
                           check=True).stdout.split()
    print(f"a fresh process's first own_figures(svg): {1000 * float(first[0]):.1f} ms, matplotlib imported: {first[1]}")


if __name__ == "__main__":
    main()
