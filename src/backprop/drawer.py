"""A drawing process: a run's matplotlib figures (png and pdf) drawn beside training, not after it.

With the svg format, the default, a run's every figure is SVG written by hand (``charts.svg``): a
few milliseconds, drawn by the caller after training. The png and pdf formats draw the curves
and health figures through matplotlib, whose import, fonts and first figure cost about 0.4 s of
a core, more than a short run's training. ``Drawer`` forks a process when a run starts, which
imports matplotlib and primes it on the other core while the run starts up and trains, then
waits for the history. When training is done the caller asks for the figures, draws the report's
result figure itself (hand-written SVG, in any format) while they are drawn, and gets their
bytes back: the caller writes every file (atomically), so the drawing process writes nothing.

Signals: the drawing process ignores SIGINT (Ctrl-C reaches the whole process group; the caller
decides) and ends on SIGTERM, which ``close`` sends (then SIGKILL, if it is still there
``CLOSE_WAIT_S`` later). A parent that dies (even by SIGKILL) closes the pipe, and it ends.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .datasets import Dataset
    from .network import Network
    from .training import History

CLOSE_WAIT_S = 5.0  # how long ``close`` waits after SIGTERM before it kills the drawing process


def available() -> bool:
    """True where a drawing process can be forked (POSIX with the fork start method)."""
    return "fork" in multiprocessing.get_all_start_methods()


class Drawer:
    """The drawing process of one run, forked now from this process.

    figure_format: "png" or "pdf" (for "svg" nothing needs a process), as ``run_files.own_figures``
    takes it.
    """

    def __init__(self, figure_format: str = "png"):
        context = multiprocessing.get_context("fork")
        mine, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, mine, figure_format), name="backprop-drawer",
                                        daemon=True)
        self._process.start()
        child.close()
        self._conn = mine
        self._asked = False

    def draw(self, history: History, loss: str = "mse", outputs: int = 1) -> None:
        """Start drawing the figures of ``history`` (of a network trained on the loss ``loss`` with
        ``outputs`` output units); returns at once."""
        self._conn.send((history, loss, outputs))
        self._asked = True

    def files(self, name: str, net: Network, data: Dataset, history: History, config: dict) -> dict[str, bytes]:
        """{file name: bytes} of the drawn files (the figures and report.html of the run ``name``,
        ``net`` trained), once drawn. Raises what the drawing raised, or RuntimeError if the process died."""
        from . import run_files

        if not self._asked:
            raise RuntimeError("Drawer.files before Drawer.draw")
        model = run_files.model_chart(net, data)  # here, while the drawing process draws the history's
        try:
            outcome, value = self._conn.recv()
        except EOFError:
            self._process.join(1)
            raise RuntimeError(f"the drawing process ended without drawing (exit code {self._process.exitcode})") \
                from None
        if outcome == "error":
            raise RuntimeError(f"drawing the figures failed: {value}") if isinstance(value, str) else value
        return run_files.with_report(name, net, data, history, config, value, model)

    def close(self) -> None:
        """End the process if it is still running: SIGTERM, then SIGKILL ``CLOSE_WAIT_S`` later."""
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(CLOSE_WAIT_S)
            if self._process.is_alive():  # stuck in C code, or its handler never ran
                self._process.kill()
        self._process.join()
        self._conn.close()


def _serve(conn, parents_end, figure_format: str) -> None:
    """The drawing process: import matplotlib and prime it, wait for the history, draw its figures
    and send back their bytes (or the error that drawing raised).

    parents_end: the parent's end of the pipe, inherited by the fork: closed here, so that the
    parent's death (even by SIGKILL) reads as the end of the pipe, and this process ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _leave)
    parents_end.close()
    # Nothing is printed here (errors go back through the pipe), and a caller that reads this
    # process's output until its end (a shell pipe, subprocess.communicate) must not wait for us
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1), os.dup2(quiet, 2)
    os.environ["MPLBACKEND"] = "Agg"
    _prime(figure_format)
    try:
        history, loss, outputs = conn.recv()
    except EOFError:  # the run ended without asking (interrupted, diverged)
        return
    from . import run_files

    try:
        conn.send(("done", run_files.own_figures(history, figure_format, loss, outputs)))
    except Exception as err:
        conn.send(("error", err if _travels(err) else f"{type(err).__name__}: {err}"))


def _travels(err: Exception) -> bool:
    """Whether ``err`` survives the pipe (pickled here, unpickled there): else only its words go."""
    import pickle

    try:
        pickle.loads(pickle.dumps(err))
    except Exception:
        return False
    return True


def _leave(signum, frame) -> None:
    sys.exit(128 + signum)


def _prime(figure_format: str) -> None:
    """Load what drawing needs (matplotlib and its backend, the fonts, the mathtext parser that
    log-scale tick labels use) by drawing a tiny figure: about 0.3 s of a core that the first
    drawing would pay when the run is over. No warm-up drawing beyond it: after this a first
    drawing costs what a second does (0.111 s of CPU against 0.107, measured)."""
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 2))
    ax = fig.subplots()
    ax.set(title="prime", xlabel="$x_1$", yscale="log", ylim=(0.01, 1))
    fig.savefig(io.BytesIO(), format=figure_format, dpi=20)
