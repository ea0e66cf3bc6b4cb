"""Every speed figure in one run: backprop against the seed, scikit-learn and PyTorch.

    python bench/compare.py             # everything (about 20 minutes on 2 cores)
    python bench/compare.py --quick     # smaller sizes, to check that it runs (about 1 minute)
    python bench/compare.py --items 5   # only the items given (here the throughput: about 3 minutes)

1. The seed's experiment with each engine against the seed's own code (bench/seed_speed.py).
2. The fast preset: time to reach 97% test accuracy, and the final accuracy, over 5 seeds.
3. scikit-learn's MLPClassifier with the same hidden layers (sgd and adam): fit time, accuracy.
4. PyTorch on the CPU (skipped when not installed): the seed's network at batch 1 and 32.
   PyTorch is never a dependency: run this script from a virtual environment that has both
   (python -m venv V; V/bin/pip install torch -e ".[fast]"; V/bin/python bench/compare.py).
5. Throughput: one epoch over 200,000 samples of a 2-256-256-2 network at batch 256, float32
   and float64, for backprop (the engine fit picks, and the NumPy reference) and PyTorch, against
   the matrix-multiply peak measured here.
6. Peak memory of item 5 (tracemalloc) and the memory left after each epoch (it must not grow).
7. JAX (where installed here, or in the Python given by --jax-python; skipped with a note otherwise):
   per-sample SGD on the seed's network as a jitted lax.scan, and the fast preset's fit as one
   jitted program, beside the compiled engine (bench/engines_speed.py and bench/jax_peer.py).

Medians over repeats with [min-max]; contenders interleave within each repeat.
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engines_speed  # noqa: E402  (the sibling script: item 7)
import seed_speed  # noqa: E402  (the sibling script: item 1)
from backprop import Dense, Network, datasets, engines  # noqa: E402
from backprop.config import PRESETS  # noqa: E402
from backprop.optimizers import SGD  # noqa: E402
from backprop.training import FitConfig  # noqa: E402

SETTLE_S = 0.5  # see settled()


def med(values) -> str:
    return f"{statistics.median(values):.4g} [{min(values):.4g}-{max(values):.4g}]"


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(os.cpu_count() or 1)
    return torch


# ------------------------------------------------------------------------------------ start-up
def startup(repeats: int) -> list[list[str]]:
    """Seconds that `import backprop` adds to `import numpy`, and a whole `backprop train --preset fast`."""
    import subprocess
    import tempfile

    code = ("import time; t = time.perf_counter(); import numpy; t1 = time.perf_counter(); import backprop; "
            "print(time.perf_counter() - t1)")
    extra = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
             for _ in range(repeats)]
    whole = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "backprop", "train", "--preset", "fast", "--quiet", "--out", out],
                           check=True, capture_output=True)
            whole.append(time.perf_counter() - start)
    return [["import backprop (after numpy)", med(extra)],
            ["backprop train --preset fast (whole process, figures included)", med(whole)]]


# ------------------------------------------------------------------------------------ item 2
def fast_preset(data, seeds: int) -> list[list[str]]:
    experiment = PRESETS["fast"]
    to_97, totals, finals = [], [], []
    for seed in range(seeds):
        net = dataclasses.replace(experiment, seed=seed).build_network(2, 2)
        start, reached = time.perf_counter(), []

        def note(progress, start=start, reached=reached):
            if progress.record and progress.record["val_accuracy"] >= 0.97 and not reached:
                reached.append(time.perf_counter() - start)

        history = net.fit(data.X_train, data.y_train, validation_data=(data.X_test, data.y_test), callback=note,
                          **experiment.fit.to_dict())
        to_97.append(reached[0] if reached else float("nan"))
        totals.append(history.seconds)
        finals.append(history.val_accuracy[-1])
    return [["fast preset", f"{seeds} seeds", med(to_97), med(totals), med(finals),
             f"{sum(a >= 0.97 for a in finals)}/{seeds} >= 97%"]]


# ------------------------------------------------------------------------------------ item 3
def sklearn_mlp(data, seeds: int) -> list[list[str]]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    rows = []
    for solver in ("sgd", "adam"):
        times, accs = [], []
        for seed in range(seeds):
            clf = MLPClassifier(hidden_layer_sizes=(25, 50, 25), solver=solver, random_state=seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                clf.fit(data.X_train, data.y_train)
                times.append(time.perf_counter() - start)
            accs.append(clf.score(data.X_test, data.y_test))
        rows.append([f"MLPClassifier {solver}", f"{seeds} seeds, {clf.n_iter_} iter", "", med(times), med(accs), ""])
    return rows


# ------------------------------------------------------------------------------------ item 4
def seed_network_epochs(data, torch, epochs: int, repeats: int) -> list[list[str]]:
    """Seconds per epoch of the seed's network (sigmoid, mse, SGD lr 0.01) at batch 1 and 32."""
    results = {}

    def ours(engine, batch):
        net = seed_speed_network(0)
        start = time.perf_counter()
        net.fit(data.X_train, data.y_train, epochs=epochs, batch_size=batch, eval_every=epochs, engine=engine)
        return (time.perf_counter() - start) / epochs

    def theirs(batch):
        torch.manual_seed(0)
        layers = []
        for n_in, n_out in [(2, 25), (25, 50), (50, 25), (25, 2)]:
            layers += [torch.nn.Linear(n_in, n_out, dtype=torch.float64), torch.nn.Sigmoid()]
        model = torch.nn.Sequential(*layers)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        X = torch.tensor(data.X_train)
        Y = torch.nn.functional.one_hot(torch.tensor(data.y_train), 2).double()
        start = time.perf_counter()
        for _ in range(epochs):
            for i in torch.randperm(len(X)).split(batch):
                opt.zero_grad()
                loss = 0.5 * ((model(X[i]) - Y[i]) ** 2).sum(dim=1).mean()
                loss.backward()
                opt.step()
        return (time.perf_counter() - start) / epochs

    contenders = {("backprop numpy", 1): lambda: ours("numpy", 1), ("backprop numpy", 32): lambda: ours("numpy", 32)}
    if engines.numba_available():
        ours("numba", 1)  # compile outside the timings
        contenders[("backprop numba", 1)] = lambda: ours("numba", 1)
    if torch is not None:
        contenders[("pytorch", 1)] = lambda: theirs(1)
        contenders[("pytorch", 32)] = lambda: theirs(32)
    for _ in range(repeats):
        for key, run in contenders.items():
            results.setdefault(key, []).append(run() * 1000)
    return [[name, str(batch), med(ms)] for (name, batch), ms in results.items()]


def seed_speed_network(seed: int) -> Network:
    return Network([Dense(2, 25, "sigmoid"), Dense(25, 50, "sigmoid"), Dense(50, 25, "sigmoid"),
                    Dense(25, 2, "sigmoid")], loss="mse", seed=seed)


# ------------------------------------------------------------------------------------ items 5 and 6
def matmul_peak(dtype, size: int = 2048, repeats: int = 3) -> float:
    """FLOP/s of one large numpy.matmul, the best of a few."""
    A = np.random.default_rng(0).standard_normal((size, size)).astype(dtype)
    A @ A
    best = min(_timed(lambda: A @ A) for _ in range(repeats))
    return 2 * size**3 / best


def settled(fn, *args, **kwargs):
    """fn(*args, **kwargs), after a pause for the previous contender's BLAS threads to stop.

    Each library has its own BLAS thread pool (NumPy's OpenBLAS, SciPy's, which Numba's np.dot
    calls, PyTorch's), and OpenBLAS threads spin for a while after a call returns, which on 2
    cores slows whoever runs next. One A/B on item 5, a minute apart: the compiled float64 epoch
    at 42% of the peak without the pause, 67% with it (weak evidence on a machine with slow
    phases of its own; the pause costs nothing)."""
    time.sleep(SETTLE_S)
    return fn(*args, **kwargs)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def flops_per_sample(sizes: list[int]) -> int:
    """Multiply-adds x 2 of forward (x @ W), weight gradients (x^T delta) and input gradients
    (delta W^T, not needed for the first layer)."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    return 2 * (2 * sum(a * b for a, b in pairs) + sum(a * b for a, b in pairs[1:]))


def throughput(torch, n: int, repeats: int) -> tuple[list[list[str]], list[list[str]]]:
    sizes, batch = [2, 256, 256, 2], 256
    X, y = datasets.make_moons(n, 0.2, 0)
    flops = flops_per_sample(sizes)
    rows, memory_rows = [], []
    for dtype in ("float32", "float64"):
        # The machine is shared: each repeat measures the peak right before its two epochs and
        # is scored against it, and backprop is compared with PyTorch repeat by repeat.
        speeds, peaks = {"backprop": [], "backprop numpy": [], "pytorch": []}, []
        for repeat in range(repeats):
            peaks.append(settled(matmul_peak, np.dtype(dtype)))
            speeds["backprop"].append(n / settled(_ours_epoch, X, y, dtype, batch, repeat)[0])
            speeds["backprop numpy"].append(n / settled(_ours_epoch, X, y, dtype, batch, repeat, engine="numpy")[0])
            if torch is not None:
                speeds["pytorch"].append(n / settled(_torch_epoch, torch, X, y, dtype, batch))
        for name, values in speeds.items():
            if values:
                fractions = [v * flops / p for v, p in zip(values, peaks)]
                versus = [v / t for v, t in zip(values, speeds["pytorch"])] if speeds["pytorch"] else [math.nan]
                rows.append([name, dtype, med([v / 1e3 for v in values]), med([v * flops / 1e9 for v in values]),
                             med([p / 1e9 for p in peaks]), med([100 * f for f in fractions]), med(versus)])
        memory_rows.append(_memory(X, y, dtype, batch))
    return rows, memory_rows


def _network_256(dtype: str, seed: int) -> Network:
    return Network([Dense(2, 256, "sigmoid"), Dense(256, 256, "sigmoid"), Dense(256, 2, "softmax")],
                   loss="cross_entropy", seed=seed, dtype=dtype)


def _ours_epoch(X, y, dtype, batch, seed, net=None, engine="auto"):
    """One training epoch as fit runs it (shuffle, then mini-batch steps) with the engine ``engine``
    selects (auto: the compiled one where Numba is installed); returns (seconds, net)."""
    net = net or _network_256(dtype, seed)
    config = FitConfig(batch_size=batch)
    run_epoch = engines.select(engine, net, config).run_epoch  # compiled or loaded off the clock
    Xd, Y = net.as_inputs(X), net.as_targets(y, len(X))
    start = time.perf_counter()
    order = net.rng.permutation(len(Xd))
    run_epoch(net, Xd[order], Y[order], SGD(0.1), config)
    return time.perf_counter() - start, net


def _torch_epoch(torch, X, y, dtype, batch) -> float:
    torch.manual_seed(0)
    tdtype = getattr(torch, dtype)
    model = torch.nn.Sequential(torch.nn.Linear(2, 256), torch.nn.Sigmoid(), torch.nn.Linear(256, 256),
                                torch.nn.Sigmoid(), torch.nn.Linear(256, 2)).to(tdtype)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.tensor(X, dtype=tdtype), torch.tensor(y)
    start = time.perf_counter()
    order = torch.randperm(len(Xt))
    Xs, ys = Xt[order], yt[order]
    for i in range(0, len(Xs), batch):
        opt.zero_grad()
        loss_fn(model(Xs[i:i + batch]), ys[i:i + batch]).backward()
        opt.step()
    return time.perf_counter() - start


def _memory(X, y, dtype, batch) -> list[str]:
    """Peak traced memory over 3 epochs, and the memory held after each: it must not grow."""
    tracemalloc.start()
    Xd = np.array(X, dtype=dtype)  # the data's own size is counted in the peak, as a user holds it
    data_mb = (Xd.nbytes + y.nbytes) / 2**20
    net, after = None, []
    for _ in range(3):
        _, net = _ours_epoch(Xd, y, dtype, batch, 0, net)
        after.append(tracemalloc.get_traced_memory()[0] / 2**20)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    limit = 2 * data_mb + 200
    return [dtype, f"{data_mb:.0f}", f"{peak:.0f}", f"{limit:.0f}", " / ".join(f"{a:.1f}" for a in after)]


# ------------------------------------------------------------------------------------ JAX
def jax_python(given: str | None) -> str | None:
    """A Python with jax and optax: the one given, else this one if it has them, else None."""
    if given:
        return given
    try:
        import jax  # noqa: F401
        import optax  # noqa: F401
    except ImportError:
        return None
    return sys.executable


def against_jax(python: str, repeats: int) -> list[list[str]]:
    """The compiled engine and JAX, interleaved: per-sample SGD (us/sample) and the fast fit (s).
    JAX serves from one process (engines_speed.JaxPeer), so each pair is timed back to back."""
    jax = engines_speed.JaxPeer(python)
    contenders = {
        ("per-sample SGD, seed's network", "backprop compiled", "us/sample"):
            lambda: engines_speed.per_sample("sgd", "auto"),
        ("per-sample SGD, seed's network", "JAX lax.scan", "us/sample"):
            lambda: jax("per-sample", 10)["us_per_sample"],
        ("fast preset fit, evaluations included", "backprop compiled", "s"): lambda: engines_speed.fast_fit("numba"),
        ("fast preset fit, evaluations included", "JAX, one jitted program", "s"):
            lambda: float(np.median(jax("fast", 5)["seconds"])),
    }
    times: dict = {key: [] for key in contenders}
    for f in contenders.values():
        f()  # compile, load caches, start JAX once
    for _ in range(repeats):
        for key, f in contenders.items():
            times[key].append(f())
    jax.close()
    rows = []
    for (what, who, unit), values in times.items():
        ratio = ""
        if who == "backprop compiled":  # JAX's time over ours, repeat by repeat
            jax = next(v for (w, name, _), v in times.items() if w == what and name != who)
            ratio = med([t / v for v, t in zip(values, jax)])
        rows.append([what, who, unit, med(values), ratio])
    return rows


# ------------------------------------------------------------------------------------ main
def parse_items(text: str) -> set[int]:
    """"0-7", "5" or "1,5-7" -> the item numbers (argparse's type: a bad value is one usage line)."""
    items = set()
    for part in text.split(","):
        first, dash, last = part.partition("-")
        if not (first.isdigit() and (last.isdigit() or not dash)):
            raise argparse.ArgumentTypeError(f"items are numbers 0-7 or ranges like 1-3, got {text!r}")
        items.update(range(int(first), int(last or first) + 1))
    if not items <= set(range(8)):
        raise argparse.ArgumentTypeError(f"items are numbers 0-7, got {text!r}")
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: checks that everything runs")
    parser.add_argument("--seed-dir", help="folder holding seed_backprop.py (default ../shared/seed)")
    parser.add_argument("--jax-python", help="a Python with jax and optax, for item 7 (default: this one, "
                                              "if it has them)")
    parser.add_argument("--items", type=parse_items, default="0-7",
                        help="which items to run, e.g. 5 or 1,7 (default: all, 0-7)")
    args = parser.parse_args()
    q = args.quick
    items = args.items
    torch = torch_or_none()
    data = datasets.moons()
    from threadpoolctl import threadpool_info

    blas = [f"{i['internal_api']} {i.get('architecture', '')} ({i['num_threads']} threads)" for i in threadpool_info()]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; python {platform.python_version()}, "
          f"numpy {np.__version__}, BLAS {', '.join(blas)}; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
          f"torch {torch.__version__ if torch else 'not installed'}")

    if 0 in items:
        table("0. Start-up, seconds", ["what", "seconds"], startup(3 if q else 5))

    if 1 in items:
        seed_module = seed_speed.load_seed_module(seed_speed.find_seed(args.seed_dir))
        epochs, repeats = (20, 2) if q else (1000, 3)
        rows = seed_speed.compare(seed_module, data, epochs, repeats)
        table(f"1. The seed's experiment ({epochs} epochs, {repeats} repeats)",
              ["contender", "seconds", "speed-up", "test accuracy"], rows)

    if items & {2, 3}:
        rows = fast_preset(data, 5) + sklearn_mlp(data, 2 if q else 3)
        table("2-3. Reaching the seed's accuracy", ["contender", "runs", "s to 97%", "fit s", "test accuracy", ""],
              rows)

    if 4 in items:
        rows = seed_network_epochs(data, torch, 2 if q else 5, 2 if q else 3)
        table("4. The seed's network, milliseconds per epoch", ["contender", "batch", "ms/epoch"], rows)

    if items & {5, 6}:
        # Short epochs, many repeats: the shared machine has slow phases of a minute or so, and an
        # epoch of 1,000,000 samples (5-10 s each, 5 repeats) let one phase decide a whole dtype's
        # median (compiled float64 38% of the peak in one run, 65% in the next)
        rows, memory = throughput(torch, 50_000 if q else 200_000, 2 if q else 9)
        table("5. Throughput, 2-256-256-2 sigmoid/softmax, batch 256, one epoch",
              ["contender", "dtype", "k samples/s", "GFLOP/s", "matmul peak GFLOP/s", "% of peak", "x PyTorch"], rows)
        table("6. Memory of item 5 (tracemalloc, MiB)",
              ["dtype", "data", "peak", "limit 2x+200", "held after epochs 1/2/3"], memory)

    if 7 not in items:
        return
    python = jax_python(args.jax_python)
    if python is None:
        print("\n7. JAX: skipped, not installed (pip install 'jax[cpu]' optax, or --jax-python PYTHON)")
    else:
        table("7. Against JAX (timed warm, compilation excluded)",
              ["what", "contender", "unit", "time", "JAX / backprop"], against_jax(python, 2 if q else 5))


if __name__ == "__main__":
    main()
