"""Sweep speed (issue 10's targets): 16 fast-preset runs (2 learning rates x 2 widths x 4 seeds)
with --jobs 1, --jobs 2 and on a local two-worker Dask cluster (a scheduler and two one-thread
workers started here as separate processes, as a user's existing cluster would be).

Two ways, both reported: as whole `backprop sweep` processes (what a user typing the command
waits: every process starts its worker pool cold), and as `backprop.sweep(...)` calls in one
Python process (a notebook's second sweep onwards: the worker pool is warm). Contenders are
interleaved within each repeat; medians [min-max], and the ratios to --jobs 1 repeat by repeat.
The Dask cluster is frozen while the other contenders run (see ``freeze``).

    python bench/sweep_speed.py [--repeats 5] [--no-dask]
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SWEEP = ["sweep", "--preset", "fast", "--lr", "0.01", "0.02", "--hidden", "16", "32,32", "--seeds", "4", "--quiet"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dask():
    """A scheduler and 2 one-thread workers on loopback; returns (address, processes)."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    bin_dir = os.path.dirname(sys.executable)
    scheduler = subprocess.Popen([os.path.join(bin_dir, "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                                  str(port), "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = subprocess.Popen([os.path.join(bin_dir, "dask"), "worker", address, "--nworkers", "2", "--nthreads",
                                "1", "--no-dashboard", "--memory-limit", "4GiB"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from dask.distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=120)
    return address, [workers, scheduler]


def freeze(processes, frozen: bool) -> None:
    """Stop (SIGSTOP) or continue (SIGCONT) the Dask cluster's processes and their children.

    An idle cluster is not idle: its heartbeats took 1 s of CPU per 10 s here, about 5% of the
    machine, taken from whichever contender runs beside it. --jobs 2 keeps both cores busy and
    pays for it; --jobs 1 has a core to spare and does not. So the cluster is frozen while the
    other contenders run, and runs only for its own turn."""
    import psutil

    for p in processes:
        for process in [psutil.Process(p.pid), *psutil.Process(p.pid).children(recursive=True)]:
            process.send_signal(signal.SIGSTOP if frozen else signal.SIGCONT)


def run(argv: list[str], out: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "backprop", *SWEEP, *argv, "--out", out], capture_output=True,
                          text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"sweep failed: {done.stderr}")
    return seconds


def call(argv: list[str], out: str, name: str) -> float:
    """The same sweep through the Python API, in this process."""
    import backprop

    options = dict(zip(argv[::2], argv[1::2]))
    start = time.perf_counter()
    backprop.sweep({"hidden": [(16,), (32, 32)], "learning_rate": [0.01, 0.02]}, seeds=4, preset="fast",
                   jobs=int(options["--jobs"]) if "--jobs" in options else None,
                   backend=options.get("--backend", "local"), address=options.get("--address"), out=out, name=name)
    return time.perf_counter() - start


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.3g} [{min(values):.3g}-{max(values):.3g}]"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-dask", action="store_true")
    options = parser.parse_args()
    contenders = {"--jobs 1": ["--jobs", "1"], "--jobs 2": ["--jobs", "2"]}
    processes = []
    if not options.no_dask:
        address, processes = start_dask()
        contenders["dask, 2 workers"] = ["--backend", "dask", "--address", address]
    out = tempfile.mkdtemp()
    try:
        if processes:  # a cluster in use has imported our code once: warm it up, untimed
            run(contenders["dask, 2 workers"] + ["--name", "warm-up"], out)
        times = {(way, name): [] for way in ("process", "in-process") for name in contenders}
        for repeat in range(options.repeats):
            for name, argv in contenders.items():
                label = "".join(c for c in name if c.isalnum())
                if processes:
                    freeze(processes, frozen=not name.startswith("dask"))
                times["process", name].append(run(argv + ["--name", f"{label}-{repeat}"], out))
                times["in-process", name].append(call(argv, out, f"{label}-api-{repeat}"))
    finally:
        if processes:
            freeze(processes, frozen=False)
        for p in processes:
            p.terminate()
        shutil.rmtree(out, ignore_errors=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; python {platform.python_version()}")
    print(f"16 fast-preset runs, {options.repeats} repeats, seconds")
    print(f"{'how':<11} {'contender':<17} {'seconds':<22} {'x --jobs 1':<22}")
    for (way, name), values in times.items():
        ratios = [v / b for v, b in zip(values, times[way, "--jobs 1"])]
        print(f"{way:<11} {name:<17} {fmt(values):<22} {fmt(ratios):<22}")


if __name__ == "__main__":
    main()
