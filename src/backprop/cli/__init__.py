"""The ``backprop`` command line: train, sweep, evaluate, predict, export, gradcheck, trace, plot-data,
playground.

Each command group has its module (train.py, sweep.py, models.py, export.py, teach.py, data.py,
playground.py) and
each handler is a thin call into the library. The library never prints; this package does all the
reporting, and
every error a user can cause ends as one line on stderr, ``backprop COMMAND: error: MESSAGE`` (the
form argparse gives its own usage errors; ``backprop: error: ...`` before a command is named), and a
documented exit code:

    0    success
    1    gradcheck: backpropagation disagrees with finite differences
    2    bad usage or bad input: an option, a data value, a model or checkpoint file, an
         unreachable cluster; gradcheck: inconclusive (a loss too large for finite differences)
    3    training diverged (a non-finite loss or weight); the last good checkpoint is kept
    130  interrupted by Ctrl-C (SIGINT); 143: by SIGTERM. A checkpoint was written: resume with
         ``backprop train --resume RUN``
"""
from __future__ import annotations

import argparse
import gc
import os
import sys

from ..errors import DivergenceError
from . import data, export, models, playground, sweep, teach, train
from .common import Parser, UsageError

EXIT_OK = 0  # one name per line, so that the API reference lists each (the docstring says what they mean)
EXIT_USAGE = 2
EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130

__all__ = ["main", "build_parser", "UsageError", "EXIT_OK", "EXIT_USAGE", "EXIT_DIVERGED", "EXIT_INTERRUPTED"]


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: one sub-parser per command, each module adding its own."""
    parser = Parser(prog="backprop", description="Backpropagation in NumPy: train, evaluate and plot.")
    parser.add_argument("--version", action=_VersionAction)
    # not required=True: argparse would say "the following arguments are required: command", naming none
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    for group in (train, sweep, models, export, teach, data, playground):
        group.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    prog = "backprop"  # whose error it is, once the command is known
    try:
        args = parse(build_parser(), argv)
        prog = f"backprop {args.command}"
        if not getattr(args, "show", False):
            _headless()
        return args.handler(args)
    except UsageError as err:
        _error(err.prog or prog, err)
    except BrokenPipeError:  # the reader went away (backprop trace ... | head): not the user's mistake
        _quiet_stdout()
        return EXIT_OK
    except DivergenceError as err:
        _error(prog, err)
        return EXIT_DIVERGED
    except (ValueError, TypeError, FloatingPointError, OSError) as err:
        _error(prog, err)
    except KeyboardInterrupt:
        print("backprop: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_USAGE


def run() -> int:
    """The ``backprop`` console script (and ``python -m backprop``): ``main()`` on the process's
    arguments, for a process that ends next. The garbage collector's last passes over every object
    left are skipped (``gc.freeze``): a process that loaded Numba's compiled code spent ~0.09 s in
    them after its last line (bench/train_process.py --split), a sixth of the seed's run around its
    training. Objects are still released as the interpreter ends; only cycles are left to the OS."""
    code = main()
    gc.freeze()
    return code


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The parsed command line. ``predict``'s points may start with a minus sign (-1,0.5), which
    argparse takes for an unknown option: what is left over is taken as points there, where every
    leftover reads as numbers, and refused everywhere else, as argparse would."""
    args, extra = parser.parse_known_args(argv)
    if args.command is None and extra:
        raise UsageError(f"unrecognized arguments: {' '.join(extra)}")
    if args.command is None:
        commands = parser._subparsers._group_actions[0].choices  # argparse keeps its sub-parsers there
        raise UsageError(f"name a command: {', '.join(commands)} (backprop --help says what each does)")
    if args.command == "predict":
        args.points = [*args.points, *(w for w in extra if _looks_like_point(w))]  # argv's order is kept:
        extra = [w for w in extra if not _looks_like_point(w)]  # positionals are taken first
    if extra:
        hint = ""
        if getattr(args, "hidden", None) is not None and all(w.isdigit() for w in extra) and args.command != "sweep":
            widths = ",".join(str(w) for w in [*args.hidden, *extra])  # --hidden 8 8 8, as sweep takes it
            hint = f" (--hidden takes one network's widths joined by commas: --hidden {widths})"
        raise UsageError(f"unrecognized arguments: {' '.join(extra)}{hint}", prog=f"backprop {args.command}")
    return args


def _error(prog: str, err: Exception) -> None:
    """One line on stderr, as argparse words a sub-command's usage error: ``backprop train: error: ...``."""
    print(f"{prog}: error: {err}", file=sys.stderr)


class _VersionAction(argparse.Action):
    """--version: print the installed version and exit. Looked up only when asked: the lookup
    (importlib.metadata) took ~15 ms of every command's start, --version or not."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, help="show program's version number and exit"):
        super().__init__(option_strings, dest, default=argparse.SUPPRESS, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        parser._print_message(f"backprop {_version()}\n", sys.stdout)  # stdout, as argparse's own action
        parser.exit()


def _version() -> str:
    """The installed package's version ("unknown" when run from a tree that was never installed)."""
    from importlib import metadata

    try:
        return metadata.version("backprop")
    except metadata.PackageNotFoundError:
        return "unknown"


def _looks_like_point(word: str) -> bool:
    """True for "-1,0.5" (numbers separated by commas); False for "--unknown-option"."""
    try:
        [float(v) for v in word.split(",")]
    except ValueError:
        return False
    return True


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail a second time."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


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
