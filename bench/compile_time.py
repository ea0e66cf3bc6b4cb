"""How long a fresh install compiles, and how long a later process loads the compiled code.

    python bench/compile_time.py               # 5 repeats (about 4 minutes on 2 cores)
    python bench/compile_time.py --repeats 3
    python bench/compile_time.py --where fast  # one cold compilation, function by function

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

--where PRESET compiles that preset once, cold, and says where the time went, by compiled function
(exclusive of the functions it compiled in turn): its wall time, and the part spent holding
Numba's LLVM lock (LLVM's optimisation passes and machine-code emission, with the Python that
drives them), through Numba's event API ("numba:compile", "numba:llvm_lock"). The rest is Numba's
own Python: typing, its inliner's copies of ``inline="always"`` helpers, lowering to LLVM IR.
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

from backprop.config import PRESETS

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


WHERE = """
import collections, json, sys, time
from numba.core import event
from backprop import engines
from backprop.config import from_preset
experiment = from_preset(sys.argv[1], **json.loads(sys.argv[2]))
net = experiment.build_network(2, 2)
stack = [["(outside any compilation)", 0.0, 0.0]]  # [function, start, seconds in nested compilations]
own, llvm = collections.Counter(), collections.Counter()


class Compilation(event.Listener):
    def on_start(self, ev):
        stack.append([ev.data["dispatcher"].py_func.__name__, time.perf_counter(), 0.0])

    def on_end(self, ev):
        name, start, nested = stack.pop()
        took = time.perf_counter() - start
        own[name] += took - nested
        stack[-1][2] += took


class LLVMLock(event.Listener):
    def on_start(self, ev):
        self.start, self.owner = time.perf_counter(), stack[-1][0]

    def on_end(self, ev):
        llvm[self.owner] += time.perf_counter() - self.start


start = time.perf_counter()
with event.install_listener("numba:compile", Compilation()), event.install_listener("numba:llvm_lock", LLVMLock()):
    engines.select("auto", net, experiment.fit)
print(json.dumps({"total": time.perf_counter() - start, "own": own, "llvm": llvm}))
"""


def where(preset: str) -> None:
    """One cold compilation of ``preset``, function by function (see the module's doc)."""
    with tempfile.TemporaryDirectory() as cache:
        found = child(WHERE, preset, {}, cache)
    own, llvm = found["own"], found["llvm"]
    print(f"{preset}: engines.select {found['total']:.2f} s with an empty cache; holding the LLVM lock "
          f"{sum(llvm.values()):.2f} s, the rest {found['total'] - sum(llvm.values()):.2f} s")
    print(f"  {'compiled function':28s} {'seconds':>8s} {'LLVM':>6s} {'rest':>6s}")
    for name, seconds in sorted(own.items(), key=lambda item: -item[1]):
        if seconds >= 0.05:
            print(f"  {name:28s} {seconds:8.2f} {llvm.get(name, 0.0):6.2f} {seconds - llvm.get(name, 0.0):6.2f}")


def child(code: str, preset: str, options: dict, cache: str) -> dict:
    """What ``code`` prints (JSON), run in a fresh Python on ``preset`` with ``options``, its Numba
    cache in the folder ``cache``."""
    done = subprocess.run([sys.executable, "-c", code, preset, json.dumps(options)], check=True,
                          env={**os.environ, "NUMBA_CACHE_DIR": cache}, capture_output=True, text=True)
    return json.loads(done.stdout)


def select_seconds(configuration: int, cache: str) -> dict:
    """{"engine", "import", "select"} from a fresh process compiling into (or loading from) ``cache``."""
    _, preset, options = CONFIGURATIONS[configuration]
    return child(CHILD, preset, options, cache)


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--where", metavar="PRESET", choices=sorted(PRESETS),
                        help="where one cold compilation of PRESET spends its time")
    args = parser.parse_args()
    if args.where:
        where(args.where)
        return
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
