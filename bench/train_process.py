"""`backprop train` as a whole process (issue 24): where its time goes, and how it compares.

    python bench/train_process.py                       # the seed's experiment, 5 interleaved repeats
    python bench/train_process.py --preset fast
    python bench/train_process.py --with-seed           # also the seed's own script (about a minute a run)
    python bench/train_process.py --split               # processes split into their phases
    python bench/train_process.py --sweep               # a 16-run fast-preset sweep, with and without figures
    python bench/train_process.py --baseline OLD/src    # also an older source tree's (a git worktree's) process
    python bench/train_process.py --cold --preset fast  # a fresh install's first run: an empty kernel cache each

Whole processes: each repeat runs every contender once, interleaved (figures, --no-figures, and
with --with-seed the seed's script), so that a noisy neighbour slows them alike. Reports wall
time median [min-max], the CPU seconds of each process with its children (the drawing processes,
a sweep's workers: on a shared machine these vary far less than the wall time), the training
time each run printed, and the ratios repeat by repeat.

--split runs `backprop train` once more in a child process whose phase functions are wrapped to note
the wall clock as they start and end (no profiler: the figures are the process's own), and reports
each phase on the critical path: interpreter, `import backprop.cli`, parsing and data, engine ready
(import Numba, load the compiled kernels), training (evaluations and gradient health inside it,
reported apart), the model and the run's kept files, the figures and report (drawn here, or the
wait for the drawing process), and exit (the interpreter's teardown), median of the repeats.

Run it with the interpreter of the README's first command (`.venv/bin/python bench/...`) to time
what a user gets: the header names the interpreter, and whether cffi is installed there (Numba
imports cffi and pycparser whenever they are, ~0.05 s of every process, used or not).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
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
# (phase, function wrapped: module, owner attribute path, cumulative?) for --split's child
TIMED = [("parsing and data", "backprop.cli.train", "load_data", False),
         ("engine ready", "backprop.cli.train", "prepare_engine", False),
         ("training", "backprop.session", "Session.run", False),
         ("  evaluations", "backprop.session", "evaluate", True),
         ("  gradient health", "backprop.health", "HealthRecorder.__call__", True),
         ("kept files (model, config, health.csv)", "backprop.run_files", "kept_files", False),
         ("figures and report, in this process", "backprop.run_files", "drawn_files", False),
         ("waiting for the drawing process", "backprop.drawer", "Drawer.files", False),
         ("writing files (fsync included)", "backprop.persistence", "write_atomic", True)]


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
    print(f"\n`backprop train --preset {preset}`, {repeats} interleaved repeats ({environment()})")
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


# --split's child: notes the wall clock (time.time(), which the parent shares) as the process
# starts, once backprop.cli is imported and as each TIMED function starts and ends, then runs the
# console script; prints the notes on stderr as it exits.
CHILD = r"""
import time
up = time.time()
import atexit, importlib, json, sys
import backprop.cli as cli
marks, spent = {"up": up}, {}
def wrap(label, module, path, cumulative):
    owner = importlib.import_module(module)
    *outer, name = path.split(".")
    for part in outer:
        owner = getattr(owner, part)
    inner = getattr(owner, name)
    def timed(*args, **kwargs):
        began = time.time()
        try:
            return inner(*args, **kwargs)
        finally:
            if cumulative:
                spent[label] = spent.get(label, 0.0) + time.time() - began
            else:
                marks.setdefault(label + " start", began)
                marks[label + " end"] = time.time()
    setattr(owner, name, timed)
for timed in json.loads(sys.argv[1]):
    wrap(*timed)
marks["imported"] = time.time()
atexit.register(lambda: print(json.dumps({"marks": marks, "spent": spent}), file=sys.stderr))
sys.argv = ["backprop", *sys.argv[2:]]
code = cli.run()
marks["main returned"] = time.time()
raise SystemExit(code)
"""


def timeline(args: list[str], folder: str) -> dict[str, float]:
    """Seconds of each phase of one `backprop train` process run as CHILD (see TIMED)."""
    began = time.time()
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(TIMED), "train", *args, "--out", folder, "--quiet"],
                          capture_output=True, text=True, check=True)
    ended = time.time()
    noted = json.loads(done.stderr.strip().splitlines()[-1])
    marks, spent = noted["marks"], noted["spent"]
    phases = {"interpreter start-up": marks["up"] - began,
              "import backprop.cli (and the timed modules)": marks["imported"] - marks["up"]}
    for label, _, _, cumulative in TIMED:
        if cumulative:
            phases[label] = spent.get(label, 0.0)
        elif label + " start" in marks:
            phases[label] = marks[label + " end"] - marks[label + " start"]
    phases["parsing and data"] = marks["parsing and data end"] - marks["imported"]
    phases["exit: main() returned to the process's end"] = ended - marks["main returned"]
    phases["whole process"] = ended - began
    phases["whole process - training"] = phases["whole process"] - phases["training"]
    return phases


def split(preset: str, repeats: int) -> None:
    """`backprop train` split into its phases (see the module's docstring), medians of ``repeats``."""
    folder = tempfile.mkdtemp(prefix="bench-split-")
    args = ["--preset", preset]
    whole(args, folder)  # engine compiled or cached before the measured runs
    runs = [timeline(args, folder) for _ in range(repeats)]
    print(f"`backprop train --preset {preset}` split, median [min-max] of {repeats} processes ({environment()})")
    for phase in runs[0]:
        print(f"{phase:44s} {summary([run.get(phase, 0.0) for run in runs])}")
    shutil.rmtree(folder, ignore_errors=True)


def environment() -> str:
    """The machine and the interpreter the processes run, and whether Numba will import cffi there."""
    cffi = "cffi installed" if importlib.util.find_spec("cffi") else "no cffi"
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()} in {sys.prefix}, {cffi}"


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
    print(f"\n16-run fast-preset sweep, {repeats} interleaved repeats ({environment()})")
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
    parser.add_argument("--split", action="store_true", help="split processes into their phases (--repeats of them)")
    parser.add_argument("--sweep", action="store_true", help="a 16-run sweep with and without figures")
    parser.add_argument("--baseline", metavar="SRC", help="also time the package in this source folder")
    parser.add_argument("--cold", action="store_true", help="every process with an empty Numba cache (a fresh "
                        "install's first run)")
    args = parser.parse_args()
    global COLD
    COLD = args.cold
    if args.split:
        split(args.preset, args.repeats)
    elif args.sweep:
        sweep(args.repeats, args.baseline)
    else:
        compare(args.preset, args.repeats, Path(args.seed_dir) if args.with_seed else None, args.baseline)


if __name__ == "__main__":
    main()
