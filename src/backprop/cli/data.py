"""``backprop plot-data``: draw a data set."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..datasets import DATASETS
from .common import add_figure_options, check_figure_path, check_file_folder, choices, show, writing


def add_parsers(sub) -> None:
    """The plot-data command's parser."""
    plot_data = sub.add_parser("plot-data", help="draw the data set")
    plot_data.add_argument("--dataset", choices=choices(DATASETS), default="moons")
    plot_data.add_argument("--dark", action="store_true", help="dark background")
    plot_data.add_argument("--out", help="output file (default data.FORMAT)")
    add_figure_options(plot_data)
    plot_data.set_defaults(handler=cmd_plot_data)


def cmd_plot_data(args: argparse.Namespace) -> int:
    """backprop plot-data: draw a data set."""
    from .. import datasets, plots

    if args.out:
        check_figure_path("--out", args.out)
        check_file_folder("--out", args.out)
    data = datasets.DATASETS[args.dataset]()
    if data.X.shape[1] != 2:
        print(f"note: nothing drawn: a scatter of the points needs 2 inputs, {args.dataset} has {data.X.shape[1]}",
              file=sys.stderr)
        return 0
    out = Path(args.out) if args.out else Path(f"data.{args.format}")
    fig = plots.data(data.X, data.y, title=f"{args.dataset}: {len(data.y)} points", dark=args.dark, task=data.task)
    with writing("--out" if args.out else "the figure", out):
        plots.save(fig, out)
    if args.show:
        show({"data": fig})
    print(f"wrote {out}")
    return 0
