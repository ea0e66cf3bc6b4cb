"""What every command shares: the one-line usage error, the parser that raises it, figure options."""
from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..plots import FORMATS


class UsageError(Exception):
    """A bad command line: reported as one line, ``PROG: error: MESSAGE`` as argparse words its own
    usage errors, exit code 2. ``prog``: the command it is about ("backprop train"); None: the
    command being run. The message itself carries no prefix, so that every error reads alike."""

    def __init__(self, message: str, prog: str | None = None):
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors raise UsageError (one line, exit code 2) instead of exiting."""

    def error(self, message):
        """Raise UsageError with argparse's message: argparse would print the usage and exit."""
        raise UsageError(message, prog=self.prog)


@contextmanager
def notice_if_slow(message: str | None, after_s: float) -> Iterator[None]:
    """Print ``message`` on stderr if the block is still running ``after_s`` seconds in, so that a
    wait the user did not expect (the first compilation of an engine) is explained while it lasts.
    None: say nothing."""
    if message is None:
        yield
        return
    timer = threading.Timer(after_s, lambda: print(message, file=sys.stderr, flush=True))
    timer.daemon = True  # never keeps the process alive
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


@contextmanager
def writing(option: str, path: str | Path) -> Iterator[None]:
    """Turn an OSError raised while writing what ``option`` names into a ValueError that names the
    option and the path the user gave (not a staging file's name the user never chose)."""
    try:
        yield
    except OSError as err:
        if isinstance(err, (FileExistsError, NotADirectoryError)):  # mkdir or open through a file
            reason = "a file stands where a folder is needed"
        elif isinstance(err, IsADirectoryError):
            reason = "it is a folder: name a file"
        else:
            reason = err.strerror or type(err).__name__
        raise ValueError(f"{option} {str(path)!r}: cannot write there ({reason})") from None


def check_table(path: str) -> None:
    """ValueError naming --data and the path when there is no file there to read."""
    if not Path(path).is_file():
        raise ValueError(f"--data {path!r}: no such file")


def check_figure_path(option: str, path: str | Path) -> None:
    """ValueError naming ``option`` unless ``path`` ends in a figure format's suffix."""
    from ..plots import FORMATS

    if Path(path).suffix.lstrip(".") not in FORMATS:
        raise ValueError(f"{option} must end in {', '.join('.' + f for f in FORMATS)}. Received: {str(path)!r}")


def check_file_folder(option: str, path: str | Path) -> None:
    """ValueError naming ``option`` and the path when the folder of the file ``path`` does not exist.

    An option that names a file (compare's and plot-data's --out, predict --output, export --onnx)
    writes into a folder that is there: a missing one is most likely a typo, and creating it would
    leave the file where the user will not look. Options that name a folder (train's, sweep's and
    evaluate's --out) create it with its parents, as a place for results should be."""
    folder = Path(path).parent
    if not folder.exists():  # a file standing there is left to writing(), which says so
        raise ValueError(f"{option} {str(path)!r}: no folder {str(folder)!r} to write into (create it first)")


def choices(registry) -> list[str]:
    """The names a registry offers, sorted, as an option's choices."""
    return sorted(registry)


def add_figure_options(parser: argparse.ArgumentParser) -> None:
    """--format and --show, for the commands that draw figures."""
    parser.add_argument("--format", choices=list(FORMATS), default="svg", help="figure format (default svg)")
    parser.add_argument("--show", action="store_true", help="also open the figures in a window")


def add_run_figures_option(parser: argparse.ArgumentParser) -> None:
    """--figures/--no-figures, for the commands that write run folders (train, sweep)."""
    parser.add_argument("--figures", action=argparse.BooleanOptionalAction, default=True,
                        help="draw each run's figures and report.html (default); --no-figures leaves them "
                             "out: drawing takes most of a short run's time")


def write_figures(figures: dict, folder: Path, args: argparse.Namespace) -> list[Path]:
    """Save each figure as folder/NAME.FORMAT; with --show also open them. Returns the paths."""
    from .. import plots

    paths = [plots.save(fig, folder / f"{name}.{args.format}") for name, fig in figures.items()]
    if args.show:
        show(figures)
    return paths


NON_INTERACTIVE = ("agg", "pdf", "ps", "svg", "cairo", "template", "pgf")


def show(figures: dict) -> None:
    """Open the figures (name -> matplotlib Figure) in windows, until they are closed; where
    matplotlib found no display to open them on, say so on stderr instead of doing nothing."""
    import matplotlib.pyplot as plt

    if plt.get_backend().lower().removeprefix("module://") in NON_INTERACTIVE:
        print(f"backprop: note: --show: no display to open a window on (matplotlib's backend is "
              f"{plt.get_backend()}); the figures are in the files written", file=sys.stderr)
        return
    for fig in figures.values():
        plt.figure(fig)
    plt.show()
