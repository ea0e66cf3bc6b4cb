"""``backprop sweep``: every training option takes one or more values; their cross product times the
seeds runs in parallel (this machine's cores, or a Dask or Ray cluster) into one sweep folder."""
from __future__ import annotations

import argparse
import sys

from ..plots import FORMATS
from .common import UsageError
from .options import FLAGS, add_training_options, given_options


def add_parsers(sub) -> None:
    sweep = sub.add_parser("sweep", help="train a grid of configurations over several seeds, in parallel")
    add_training_options(sweep, many=True)
    seeds = sweep.add_mutually_exclusive_group()
    seeds.add_argument("--seeds", type=int, metavar="N", help="seeds 0..N-1 (default 1: seed 0)")
    seeds.add_argument("--seed", type=int, nargs="+", help="these seeds")
    sweep.add_argument("--search", choices=["grid", "random"], default="grid",
                       help="every point of the grid, or --trials points drawn at random")
    sweep.add_argument("--trials", type=int, help="points of the grid to draw with --search random")
    sweep.add_argument("--jobs", type=int, help="processes on this machine (default: one per core)")
    sweep.add_argument("--backend", choices=["local", "dask", "ray"], default="local")
    sweep.add_argument("--address", help="the cluster: tcp://HOST:PORT (dask) or HOST:PORT (ray)")
    sweep.add_argument("--out", default="runs", help="folder that holds the sweep folder (default runs)")
    sweep.add_argument("--name", help="sweep folder name (default: the current time); the same name resumes")
    sweep.add_argument("--format", choices=list(FORMATS), default="svg", help="figure format (default svg)")
    sweep.add_argument("--quiet", action="store_true", help="no progress output")
    sweep.set_defaults(handler=cmd_sweep)


class RunsReporter:
    """Progress over runs: a tqdm bar on a terminal, a line per run otherwise, nothing with --quiet."""

    def __init__(self, mode: str):
        self.mode, self.bar = mode, None

    def __call__(self, progress) -> None:
        if self.mode == "bar":
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=progress.total, unit="run", file=sys.stderr, dynamic_ncols=True)
            self.bar.update(1)
        elif self.mode == "lines":
            row = progress.row
            outcome = f"failed: {row['error']}" if row["error"] else f"test accuracy {row['test_accuracy']:.4f}"
            note = " (done earlier)" if progress.skipped else ""
            print(f"run {progress.done:>3}/{progress.total}  {row['run']}  {outcome}{note}", file=sys.stderr,
                  flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def cmd_sweep(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from ..sweeps import summary, sweep

    values = given_options(args)
    grid = {k: v for k, v in values.items() if len(v) > 1}
    fixed = {k: v[0] for k, v in values.items() if len(v) == 1}
    seeds = args.seed if args.seed is not None else (args.seeds if args.seeds is not None else 1)
    if not grid and (seeds == 1 or (isinstance(seeds, list) and len(seeds) == 1)):
        raise UsageError("backprop sweep: the grid is empty: give an option two or more values "
                         "(--lr 0.01 0.03) or several seeds (--seeds 5)")
    name = args.name or time.strftime("%Y%m%d-%H%M%S")
    reporter = RunsReporter("none" if args.quiet else ("bar" if sys.stderr.isatty() else "lines"))
    try:
        rows = sweep(grid, seeds=seeds, preset=args.preset or "seed", fixed=fixed, search=args.search,
                     trials=args.trials, jobs=args.jobs, backend=args.backend, address=args.address, out=args.out,
                     name=name, figure_format=args.format, callback=reporter)
    finally:
        reporter.close()
    failed = sum(row["error"] is not None for row in rows)
    print(f"{len(rows)} runs, {failed} failed: {Path(args.out) / name}/summary.csv")
    best = summary.best(rows, list(grid))
    if best is None:
        print("every run failed: see summary.csv")
        return 0
    print(f"best, by mean test accuracy over {best['runs']} seed(s) ({best['test_accuracy']:.4f}):")
    print(train_command(args.preset, {**fixed, **best["params"]}))
    return 0


def train_command(preset: str | None, options: dict) -> str:
    """The ``backprop train`` line for a preset and options (by field name)."""
    from ..sweeps.grid import format_value

    words = ["backprop", "train"] + (["--preset", preset] if preset else [])
    for key, value in options.items():
        if key == "shuffle":
            words.append("--shuffle" if value else "--no-shuffle")
        else:
            text = format_value(value).replace("-", ",") if key == "hidden" else format_value(value)
            words += [FLAGS[key], text]
    return " ".join(words)
