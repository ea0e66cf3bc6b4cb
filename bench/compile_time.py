"""How long a fresh install compiles, and how long a later process loads the compiled code.

    python bench/compile_time.py               # 5 repeats (about 4 minutes on 2 cores)
    python bench/compile_time.py --repeats 3

Issue 9 asks that a fresh install compile once, in a few seconds, and not once per configuration.
Each figure here is a fresh Python process given an empty Numba cache folder of its own
(NUMBA_CACHE_DIR), so nothing compiled earlier on this machine counts: it builds the network of
a configuration and times ``engines.select``, which compiles what that configuration trains with
(or loads it from the disk cache) before any training starts. Then, on the same folder:

- "cached": the same configuration in a second process (what every later run pays);
- "then ...": another configuration in a third process, after the first: what a user trying a
  second configuration waits for (code the two share is not compiled again).

Configurations interleave within each repeat; medians [min-max] in seconds. Importing backprop
(and NumPy, SciPy, Numba) is timed apart and is in no figure.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

# A configuration: (label, preset, options laid over it as backprop.config.from_preset takes them)
CONFIGURATIONS = [
    ("seed (per-sample SGD, float64)", "seed", {}),
    ("seed, --optimizer adam (per-sample)", "seed", {"optimizer": "adam"}),
    ("fast (mini-batch Adam, float32)", "fast", {}),
    ("fast, --dtype float64", "fast", {"dtype": "float64"}),
]
# (first, then): the second configuration compiled into the first one's cache folder
SEQUENCES = [(0, 1), (0, 2), (2, 3)]

CHILD = """
import json, sys, time
started = time.perf_counter()
from backprop import engines
from backprop.config import from_preset
imported = time.perf_counter()
experiment = from_preset(sys.argv[1], **json.loads(sys.argv[2]))
net = experiment.build_network(2, 2)
begun = time.perf_counter()
engine = engines.select("auto", net, experiment.fit)
print(json.dumps({"engine": engine.name, "import": imported - started, "select": time.perf_counter() - begun}))
"""


def select_seconds(configuration: int, cache: str) -> dict:
    """{"engine", "import", "select"} from a fresh process compiling into (or loading from) ``cache``."""
    _, preset, options = CONFIGURATIONS[configuration]
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    done = subprocess.run([sys.executable, "-c", CHILD, preset, json.dumps(options)], env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout)


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows: dict[str, list[float]] = {}
    engines: dict[str, str] = {}
    imports: list[float] = []
    for _ in range(args.repeats):
        for index, (label, _, _) in enumerate(CONFIGURATIONS):
            with tempfile.TemporaryDirectory() as cache:
                first, again = select_seconds(index, cache), select_seconds(index, cache)
            engines[label] = first["engine"]
            rows.setdefault(f"{label}: empty cache", []).append(first["select"])
            rows.setdefault(f"{label}: cached", []).append(again["select"])
            imports.append(again["import"])
        for before, after in SEQUENCES:
            with tempfile.TemporaryDirectory() as cache:
                select_seconds(before, cache)
                then = select_seconds(after, cache)
            label = f"{CONFIGURATIONS[after][0]}, then after {CONFIGURATIONS[before][0].split(' (')[0]}"
            rows.setdefault(label, []).append(then["select"])
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{args.repeats} repeats; engines.select seconds, median [min-max]")
    for label, values in rows.items():
        print(f"  {label:78s} {fmt(values)}")
    print("  engines: " + "; ".join(f"{label.split(' (')[0]} -> {name}" for label, name in engines.items()))
    print(f"  import backprop (not in the figures above): {fmt(imports)}")


if __name__ == "__main__":
    main()
