"""`backprop train` as a whole process (issue 24): where its time goes, and how it compares.

    python bench/train_process.py                       # the seed's experiment, 5 interleaved repeats
    python bench/train_process.py --preset fast
    python bench/train_process.py --with-seed           # also the seed's own script (about a minute a run)
    python bench/train_process.py --split               # one process split into its phases (cProfile)
    python bench/train_process.py --sweep               # a 16-run fast-preset sweep, with and without figures
    python bench/train_process.py --baseline OLD/src    # also an older source tree's (a git worktree's) process
    python bench/train_process.py --cold --preset fast  # a fresh install's first run: an empty kernel cache each

Whole processes: each repeat runs every contender once, interleaved (figures, --no-figures, and
with --with-seed the seed's script), so that a noisy neighbour slows them alike. Reports wall
time median [min-max], the CPU seconds of each process with its children (the drawing processes,
a sweep's workers: on a shared machine these vary far less than the wall time), the training
time each run printed, and the ratios repeat by repeat.

--split's child processes run under the profiler too (a fork inherits it): read its wait for the
drawing processes as an upper bound.

--split runs `backprop train` once under cProfile in a child process and reports the cumulative
time of each phase on the process's critical path: start-up (interpreter and imports), data,
engine ready (compile or cache load), training (evaluations and health inside it, reported apart),
the run's files (model, config, health.csv), the figures and report (drawn here, or the wait for
the drawing process), everything written, and, from a process run without the profiler, the
time from its last line of output to its end (the interpreter's teardown).
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKPROP = [sys.executable, "-m", "backprop"]
PHASES = [  # (phase, the functions whose cumulative time is that phase; the first found counts)
    ("data", ["load_data"]),
    ("engine ready", ["prepare_engine"]),
    ("training (all)", ["run"]),
    ("  evaluations", ["scores"]),
    ("  gradient health", ["__call__"]),
    ("kept files (model, config, health.csv)", ["kept_files"]),
    ("figures and report, in this process", ["drawn_files"]),
    ("waiting for the drawing processes", ["files"]),
    ("writing files (fsync included)", ["write_atomic"]),
]
PHASE_FILES = {"load_data": "cli/train.py", "prepare_engine": "cli/train.py", "run": "session.py",
               "scores": "numba_per_sample.py", "__call__": "health.py", "kept_files": "run_files.py",
               "drawn_files": "run_files.py", "files": "drawer.py", "write_atomic": "persistence.py"}


def whole(args: list[str], folder: str, source: str | None = None) -> tuple[float, float]:
    """(wall seconds, the training time the run printed) of one `backprop train` process (of the
    package in the ``source`` folder, when given). Its CPU seconds (user + system, its drawing
    processes included) are added to ``CPU``: on a shared machine they vary far less than the wall
    time, which waits for whatever else runs."""
    env = {**os.environ, **({"PYTHONPATH": source} if source else {}),
           **({"NUMBA_CACHE_DIR": tempfile.mkdtemp(prefix="bench-cold-")} if COLD else {})}
    used = cpu_of_children()
    began = time.perf_counter()
    done = subprocess.run([*BACKPROP, "train", *args, "--out", folder, "--quiet"], capture_output=True, text=True,
                          check=True, env=env)
    wall = time.perf_counter() - began
    CPU.append(cpu_of_children() - used)
    trained = re.search(r"training time: ([\d.]+) s", done.stdout)
    return wall, float(trained.group(1)) if trained else float("nan")


CPU: list[float] = []  # the CPU seconds of each process ``whole`` ran, in order
COLD = False  # --cold: each process compiles its kernels into an empty Numba cache folder (a fresh install)


def cpu_of_children() -> float:
    """User + system CPU seconds of this process's ended (and waited for) children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def seed_script(seed_dir: Path) -> float:
    """Wall seconds of the seed's own script as a process (its figures drawn to files, not shown)."""
    began = time.perf_counter()
    subprocess.run([sys.executable, str(seed_dir / "seed_backprop.py")], capture_output=True, check=True,
                   cwd=tempfile.mkdtemp(), env={**os.environ, "MPLBACKEND": "Agg"})
    return time.perf_counter() - began


def summary(values: list[float], unit: str = " s") -> str:
    return f"{statistics.median(values):.3f}{unit} [{min(values):.3f}-{max(values):.3f}]"


def compare(preset: str, repeats: int, seed_dir: Path | None, baseline: str | None = None) -> None:
    folder = tempfile.mkdtemp(prefix="bench-train-")
    contenders = {"backprop train": (["--preset", preset], None),
                  "--no-figures": (["--preset", preset, "--no-figures"], None)}
    if baseline:
        contenders.update({"baseline train": (["--preset", preset], baseline),
                           "baseline --no-figures": (["--preset", preset, "--no-figures"], baseline)})
    for args, source in contenders.values() if not COLD else ():
        whole(args, folder, source)  # load or compile the engine outside the timings
    walls = {name: [] for name in contenders}
    cpus = {name: [] for name in contenders}
    trained = []
    seeds = []
    for repeat in range(repeats):
        for name, (args, source) in contenders.items():
            wall, seconds = whole(args, folder, source)
            walls[name].append(wall)
            cpus[name].append(CPU[-1])
            if name == "backprop train":
                trained.append(seconds)
            print(f"  repeat {repeat}: {name:16s} {wall:6.3f} s (training {seconds:.3f} s, CPU {CPU[-1]:.3f} s)",
                  file=sys.stderr)
        if seed_dir is not None:
            seeds.append(seed_script(seed_dir))
            print(f"  repeat {repeat}: seed script      {seeds[-1]:6.2f} s", file=sys.stderr)
    shutil.rmtree(folder, ignore_errors=True)
    print(f"\n`backprop train --preset {preset}`, {repeats} interleaved repeats "
          f"({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()})")
    for name in contenders:
        print(f"{name:28s} {summary(walls[name])}")
    for name in contenders:
        print(f"{'CPU, ' + name:28s} {summary(cpus[name])}")
    print(f"{'training time (printed)':28s} {summary(trained)}")
    over = [w - t for w, t in zip(walls["backprop train"], trained)]
    print(f"{'whole process - training':28s} {summary(over)}")
    ratio = [a / b for a, b in zip(walls["backprop train"], walls["--no-figures"])]
    print(f"{'figures / --no-figures':28s} {summary(ratio, 'x')}")
    if baseline:
        ratio = [a / b for a, b in zip(walls["backprop train"], walls["baseline train"])]
        print(f"{'backprop train / baseline':28s} {summary(ratio, 'x')}")
        ratio = [a / b for a, b in zip(cpus["backprop train"], cpus["baseline train"])]
        print(f"{'CPU, train / baseline':28s} {summary(ratio, 'x')}")
    if seeds:
        speedup = [s / w for s, w in zip(seeds, walls["backprop train"])]
        print(f"{'seed script':28s} {summary(seeds)}")
        print(f"{'seed script / backprop train':28s} {summary(speedup, 'x')}")


def split(preset: str) -> None:
    """One `backprop train` under cProfile; each phase's cumulative seconds on the critical path."""
    folder = tempfile.mkdtemp(prefix="bench-split-")
    profile = Path(folder) / "train.prof"
    subprocess.run([*BACKPROP, "train", "--preset", preset, "--out", folder, "--quiet", "--no-figures"],
                   capture_output=True, check=True)  # engine compiled or cached before the measured run
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "backprop", "train", "--preset",
                    preset, "--out", folder, "--quiet"], capture_output=True, check=True)
    wall = time.perf_counter() - began
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import backprop.cli"], check=True)
    imports = time.perf_counter() - started
    import pstats

    stats = pstats.Stats(str(profile)).stats
    ending = after_last_line(["--preset", preset], folder)
    print(f"`backprop train --preset {preset}` split ({platform.machine()}, {os.cpu_count()} cores); "
          f"whole process {wall:.3f} s under cProfile")
    print(f"{'start-up: interpreter + import backprop.cli':44s} {imports:7.3f} s (a separate process)")
    for phase, names in PHASES:
        seconds = sum(entry[3] for (file, _, function), entry in stats.items()
                      if function in names and file.endswith(PHASE_FILES[function]))
        print(f"{phase:44s} {seconds:7.3f} s")
    print(f"{'exit: after the last line to the end':44s} {ending:7.3f} s (a separate process, no profiler)")
    shutil.rmtree(folder, ignore_errors=True)


def after_last_line(args: list[str], folder: str) -> float:
    """Seconds from a `backprop train` process's last line of output to its end: the interpreter's
    teardown (median of 3)."""
    endings = []
    for _ in range(3):
        process = subprocess.Popen([*BACKPROP, "train", *args, "--out", folder, "--quiet"], stdout=subprocess.PIPE,
                                   text=True, bufsize=1)
        last = time.perf_counter()
        for _line in process.stdout:
            last = time.perf_counter()
        process.wait()
        endings.append(time.perf_counter() - last)
    return statistics.median(endings)


def sweep(repeats: int, baseline: str | None = None) -> None:
    """A 16-run fast-preset sweep as whole processes, with and without figures (and with
    ``baseline``, the same of the package in that source folder), interleaved."""
    folder = tempfile.mkdtemp(prefix="bench-sweep-")
    grid = ["sweep", "--preset", "fast", "--lr", "0.01", "0.02", "--hidden", "16", "32,32", "--seeds", "4", "--quiet",
            "--out", folder]
    contenders = {"figures": ([], None), "--no-figures": (["--no-figures"], None)}
    if baseline:
        contenders.update({"baseline figures": ([], baseline), "baseline --no-figures": (["--no-figures"], baseline)})
    walls = {name: [] for name in contenders}
    cpus = {name: [] for name in contenders}
    for repeat in range(repeats):
        for name, (extra, source) in contenders.items():
            env = {**os.environ, "PYTHONPATH": source} if source else None
            used = cpu_of_children()
            began = time.perf_counter()
            subprocess.run([*BACKPROP, *grid, *extra], capture_output=True, check=True, env=env)
            walls[name].append(time.perf_counter() - began)
            cpus[name].append(cpu_of_children() - used)
            print(f"  repeat {repeat}: {name:22s} {walls[name][-1]:6.2f} s (CPU {cpus[name][-1]:.2f} s)",
                  file=sys.stderr)
    shutil.rmtree(folder, ignore_errors=True)
    print(f"\n16-run fast-preset sweep, {repeats} interleaved repeats ({os.cpu_count()} cores)")
    for name, values in walls.items():
        print(f"{name:28s} {summary(values)}")
    for name, values in cpus.items():
        print(f"{'CPU, ' + name:28s} {summary(values)}")
    for prefix in ("", "baseline ")[:2 if baseline else 1]:
        ratio = [a / b for a, b in zip(walls[prefix + "figures"], walls[prefix + "--no-figures"])]
        print(f"{prefix + 'figures / --no-figures':28s} {summary(ratio, 'x')}")
        ratio = [a / b for a, b in zip(cpus[prefix + "figures"], cpus[prefix + "--no-figures"])]
        print(f"{'CPU, ' + prefix + 'figures / --no-figures':28s} {summary(ratio, 'x')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="seed", choices=["seed", "fast"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--with-seed", action="store_true", help="also time the seed's own script")
    parser.add_argument("--seed-dir", default=str(ROOT.parent / "shared" / "seed"))
    parser.add_argument("--split", action="store_true", help="split one process into its phases")
    parser.add_argument("--sweep", action="store_true", help="a 16-run sweep with and without figures")
    parser.add_argument("--baseline", metavar="SRC", help="also time the package in this source folder")
    parser.add_argument("--cold", action="store_true", help="every process with an empty Numba cache (a fresh "
                        "install's first run)")
    args = parser.parse_args()
    global COLD
    COLD = args.cold
    if args.split:
        split(args.preset)
    elif args.sweep:
        sweep(args.repeats, args.baseline)
    else:
        compare(args.preset, args.repeats, Path(args.seed_dir) if args.with_seed else None, args.baseline)


if __name__ == "__main__":
    main()
