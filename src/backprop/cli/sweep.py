"""``backprop sweep``: every training option takes one or more values; their cross product times the
seeds runs in parallel (this machine's cores, or a Dask or Ray cluster) into one sweep folder."""
from __future__ import annotations

import argparse
import math
import sys

from ..datasets import REGRESSION_SETS
from ..plots import FORMATS
from .common import UsageError, add_run_figures_option, check_table, writing
from .options import BOOLEANS, FLAGS, add_training_options, given_options, name_the_option

# the sweep's own options, for messages from the library that name the field
SWEEP_FLAGS = {"jobs": "--jobs", "backend": "--backend", "address": "--address", "trials": "--trials",
               "search": "--search", "name": "--name", "task": "--task"}


def add_parsers(sub) -> None:
    """The sweep command's parser: every training option, each taking one or more values."""
    sweep = sub.add_parser("sweep", help="train a grid of configurations over several seeds, in parallel")
    add_training_options(sweep, many=True)
    seeds = sweep.add_mutually_exclusive_group()
    seeds.add_argument("--seeds", type=int, metavar="N", help="seeds 0..N-1 (default 1: seed 0)")
    seeds.add_argument("--seed", type=int, nargs="+", help="these seeds")
    sweep.add_argument("--search", choices=["grid", "random"], default="grid",
                       help="every point of the grid, or --trials points drawn at random")
    sweep.add_argument("--trials", type=int, help="points of the grid to draw with --search random")
    sweep.add_argument("--jobs", type=int, help="processes on this machine (default: one per core)")
    sweep.add_argument("--backend", choices=["local", "dask", "ray"], default="local",
                       help="where the runs go: processes here (default), a Dask or a Ray cluster (--address)")
    sweep.add_argument("--address", help="the cluster: tcp://HOST:PORT (dask) or HOST:PORT (ray)")
    sweep.add_argument("--data", metavar="FILE.csv", help="sweep on a CSV table instead of a named data set")
    sweep.add_argument("--target", help="with --data: the column that holds the labels (or values)")
    sweep.add_argument("--task", choices=["classification", "regression"], help="with --data: what the target holds")
    sweep.add_argument("--out", default="runs", help="folder that holds the sweep folder (default runs)")
    sweep.add_argument("--name", help="sweep folder name (default: the current time); the same name resumes")
    sweep.add_argument("--format", choices=list(FORMATS), default="svg", help="figure format (default svg)")
    add_run_figures_option(sweep)
    sweep.add_argument("--quiet", action="store_true", help="no progress output")
    sweep.set_defaults(handler=cmd_sweep)


class RunsReporter:
    """Progress over runs: a tqdm bar on a terminal, a line per run otherwise, nothing with --quiet."""

    def __init__(self, mode: str, score: str = "test accuracy"):
        self.mode, self.bar, self.score = mode, None, score

    def __call__(self, progress) -> None:
        if self.mode == "bar":
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=progress.total, unit="run", file=sys.stderr, dynamic_ncols=True)
            self.bar.update(1)
        elif self.mode == "lines":
            row = progress.row
            outcome = f"failed: {row['error']}" if row["error"] else f"{self.score} {row['test_score']:.4f}"
            note = " (done earlier)" if progress.skipped else ""
            print(f"run {progress.done:>3}/{progress.total}  {row['run']}  {outcome}{note}", file=sys.stderr,
                  flush=True)

    def close(self) -> None:
        """End the progress bar, if one was drawn."""
        if self.bar is not None:
            self.bar.close()


def cmd_sweep(args: argparse.Namespace) -> int:
    """backprop sweep: run the grid, write the sweep folder, print the best configuration."""
    import time
    from pathlib import Path

    from ..sweeps import backends, summary, sweep

    values = given_options(args)
    if args.data is not None:
        values.setdefault("standardize", [True])  # as backprop train --data: a table is standardised by default
    grid = {k: v for k, v in values.items() if len(v) > 1}
    fixed = {k: v[0] for k, v in values.items() if len(v) == 1}
    _check_search(args.search, args.trials, math.prod(len(v) for v in grid.values()))
    seeds = args.seed if args.seed is not None else (args.seeds if args.seeds is not None else 1)
    if args.seeds is not None and args.seeds < 1:
        raise ValueError(f"--seeds must be a positive integer. Received: {args.seeds}")
    if args.seed is not None and min(args.seed) < 0:
        raise ValueError(f"--seed must be non-negative integers. Received: {min(args.seed)}")
    data = _table(args)
    named = args.dataset or [None]
    tasks = [data.task] if data is not None else ["regression" if n in REGRESSION_SETS else "classification"
                                                   for n in named]
    score = summary.score_label(tasks)  # what summary.csv's test_score column holds
    name = args.name or time.strftime("%Y%m%d-%H%M%S")
    reporter = RunsReporter("none" if args.quiet else ("bar" if sys.stderr.isatty() else "lines"), score)
    if args.backend != "local" and not args.address:
        example = "tcp://HOST:8786" if args.backend == "dask" else "HOST:6379"
        raise UsageError(f"--backend {args.backend} needs --address, the cluster's ({example})")
    try:
        backends.check(args.backend, args.address, args.jobs)
    except backends.MissingExtra as err:
        raise UsageError(f"--backend {args.backend}: {err}") from None
    except ValueError as err:
        raise name_the_option(err, SWEEP_FLAGS) from None
    try:
        with writing("--out", args.out):  # the sweep folder and every run folder go there
            rows = sweep(grid, seeds=seeds, preset=args.preset or "seed", fixed=fixed, search=args.search,
                         trials=args.trials, jobs=args.jobs, backend=args.backend, address=args.address,
                         out=args.out, name=name, figure_format=args.format, callback=reporter, data=data,
                         draw=args.figures)
    except backends.ClusterUnreachable as err:
        raise name_the_option(err, {"address": "--address"}) from None
    except ValueError as err:  # a configuration the library refused, before any run
        raise name_the_option(err, SWEEP_FLAGS) from None
    finally:
        reporter.close()
        if args.backend == "local":
            backends.stop_local_workers()  # the process ends next: do not wait for idle workers to unload
    failed = sum(row["error"] is not None for row in rows)
    print(f"{len(rows)} runs, {failed} failed: {Path(args.out) / name}/summary.csv")
    best = summary.best(rows, list(grid))
    if best is None:
        print("every run failed: see summary.csv")
        return 0
    print(f"best, by mean {score} over {best['runs']} seed(s) ({best['test_score']:.4f}):")
    table = [] if data is None else ["--data", str(args.data), "--target", args.target] + (
        ["--task", data.task] if data.task != "classification" else [])
    print(train_command(args.preset, {**fixed, **best["params"]}, table))
    return 0


def _check_search(search: str, trials: int | None, size: int) -> None:
    """UsageError when --search and --trials do not go together, in the options' words (the
    library's "trials=None" does not say which option is missing). ``size``: the grid's points."""
    if search == "random" and trials is None:
        points = "1 point" if size == 1 else f"{size} points"
        raise UsageError(f"--search random needs --trials N: how many of the grid's {points} to draw")
    if search == "grid" and trials is not None:
        raise UsageError(f"--trials goes with --search random (a grid search runs every point). "
                         f"Received: --trials {trials}")


def _table(args: argparse.Namespace):
    """The CSV table of --data/--target/--task, or None (the configuration's named data set)."""
    from .. import datasets

    if args.data is None:
        if args.target is not None or args.task is not None:
            raise UsageError("--target and --task go with --data FILE.csv")
        return None
    if args.target is None:
        raise UsageError("--data needs --target COLUMN")
    if args.dataset is not None:
        raise UsageError("give --data or --dataset, not both")
    check_table(args.data)
    return datasets.from_csv(args.data, args.target, task=args.task or "classification")


def train_command(preset: str | None, options: dict, table: list[str] = ()) -> str:
    """The ``backprop train`` line for a preset, options (by field name) and the --data words."""
    from ..sweeps.grid import format_value

    words = ["backprop", "train"] + (["--preset", preset] if preset else []) + list(table)
    for key, value in options.items():
        if key == "task":
            continue  # said by --task with --data, or known from the named data set
        if key in BOOLEANS:
            words.append(f"--{key}" if value else f"--no-{key}")
        else:
            text = format_value(value).replace("-", ",") if key == "hidden" else format_value(value)
            words += [FLAGS[key], text]
    return " ".join(words)
