"""The ``backprop`` command line: train, sweep, evaluate, predict, export, gradcheck, trace, plot-data,
playground.

Each command group has its module (train.py, sweep.py, models.py, export.py, teach.py, data.py,
playground.py) and
each handler is a thin call into the library. The library never prints; this package does all the
reporting, and
every error a user can cause ends as one line on stderr and a documented exit code:

    0    success
    1    gradcheck: backpropagation disagrees with finite differences
    2    bad usage or bad input: an option, a data value, a model or checkpoint file, an
         unreachable cluster
    3    training diverged (a non-finite loss or weight); the last good checkpoint is kept
    130  interrupted by Ctrl-C (SIGINT); 143: by SIGTERM. A checkpoint was written: resume with
         ``backprop train --resume RUN``
"""
from __future__ import annotations

import argparse
import os
import sys

from ..errors import DivergenceError
from . import data, export, models, playground, sweep, teach, train
from .common import Parser, UsageError

EXIT_OK, EXIT_USAGE, EXIT_DIVERGED, EXIT_INTERRUPTED = 0, 2, 3, 130

__all__ = ["main", "build_parser", "UsageError", "EXIT_OK", "EXIT_USAGE", "EXIT_DIVERGED", "EXIT_INTERRUPTED"]


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: one sub-parser per command, each module adding its own."""
    parser = Parser(prog="backprop", description="Backpropagation in NumPy: train, evaluate and plot.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for group in (train, sweep, models, export, teach, data, playground):
        group.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "show", False):
            _headless()
        return args.handler(args)
    except UsageError as err:
        print(err, file=sys.stderr)
    except DivergenceError as err:
        print(f"backprop: error: {err}", file=sys.stderr)
        return EXIT_DIVERGED
    except (ValueError, TypeError, FloatingPointError, OSError) as err:
        print(f"backprop: error: {err}", file=sys.stderr)
    except KeyboardInterrupt:
        print("backprop: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_USAGE


def _headless() -> None:
    """Never open a window unless --show: matplotlib's Agg backend, chosen through MPLBACKEND when
    matplotlib is not imported yet, so that commands that draw nothing (predict, export, a sweep
    whose workers draw) do not pay its import (about 0.15 s)."""
    if "matplotlib" in sys.modules:
        sys.modules["matplotlib"].use("Agg")
    else:
        os.environ["MPLBACKEND"] = "Agg"


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
