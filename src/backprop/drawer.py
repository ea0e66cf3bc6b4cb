"""A drawing process: a run's figures and report drawn beside training instead of after it.

Drawing a run's curves, health figure and report costs about as much as training the seed's
network, and most of that is fixed cost: importing matplotlib, loading fonts, the first drawing
of each kind of figure. ``Drawer`` forks a process when a run starts, which imports matplotlib and
primes it (fonts, backends, mathtext) once, then forks a second from itself, so that the two share
that cost instead of paying it twice on a 2-core machine that is also training (one draws the
figures of the history, the other the model's). They pay those costs on the other core while
the run starts up and trains, then wait. (With the svg format, the default, the history's
figures are SVG written by hand in about a millisecond, ``charts.svg``: matplotlib is primed for
the model's figure, the report's result, and for the png and pdf formats.) When training is
done the caller writes the model, asks for the figures, and gets their bytes back: the caller
writes every file (atomically), so the drawing processes write nothing.

Signals: the drawing processes ignore SIGINT (Ctrl-C reaches the whole process group; the caller
decides) and end on SIGTERM: ``close`` sends the first SIGTERM, and the first sends it on to the
second and waits for its end. A parent that dies (even by SIGKILL) closes their pipes, and they end.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .persistence import MODEL_FILE

if TYPE_CHECKING:
    from .datasets import Dataset
    from .network import Network
    from .training import History

ROLES = ("history", "model")  # the figures drawn from the history; the model's figure, read from its file


def available() -> bool:
    """True where a drawing process can be forked (POSIX with the fork start method)."""
    return "fork" in multiprocessing.get_all_start_methods()


class Drawer:
    """The drawing processes of one run, forked now from this process (which holds ``net``, not
    yet trained, and ``data``: the children keep their copies and draw with them).

    figure_format: "svg", "png" or "pdf", as ``run_files.own_figures`` takes it.
    """

    def __init__(self, net: Network, data: Dataset, figure_format: str = "svg"):
        context = multiprocessing.get_context("fork")
        pipes = {role: context.Pipe() for role in ROLES}
        mine = {role: pipe[0] for role, pipe in pipes.items()}
        children = {role: pipe[1] for role, pipe in pipes.items()}
        self._process = context.Process(target=_serve_both, args=(children, list(mine.values()), net, data,
                                                                  figure_format),
                                        name="backprop-drawer", daemon=True)
        self._process.start()
        for end in children.values():
            end.close()
        self._conns = mine
        self._asked = False

    def draw(self, folder: Path, history: History) -> None:
        """Start drawing the run's figures, once its model file is in ``folder``; returns at once."""
        self._conns["history"].send(history)
        self._conns["model"].send(str(Path(folder) / MODEL_FILE))
        self._asked = True

    def files(self, name: str, net: Network, data: Dataset, history: History, config: dict) -> dict[str, bytes]:
        """{file name: bytes} of the drawn files (the figures and report.html of the run ``name``,
        ``net`` trained), once drawn. Raises what the drawing raised, or RuntimeError if a process died."""
        from . import run_files

        if not self._asked:
            raise RuntimeError("Drawer.files before Drawer.draw")
        own, images = self._result("history")
        page = run_files.report_page(name, net, data, history, config, {**images, **self._result("model")})
        return {**own, "report.html": page}

    def _result(self, role: str):
        try:
            outcome, value = self._conns[role].recv()
        except EOFError:
            self._process.join(1)
            raise RuntimeError(f"the {role} drawing process ended without drawing (the drawing processes' exit "
                               f"code: {self._process.exitcode})") from None
        if outcome == "error":
            raise value
        return value

    def close(self) -> None:
        """End the processes (SIGTERM) if they are still running: the first ends the second."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(5)
        for conn in self._conns.values():
            conn.close()


def _serve_both(conns: dict, others: list, net: Network, data: Dataset, figure_format: str) -> None:
    """The first drawing process: import matplotlib and prime it once, then fork the second (which
    shares what was loaded: one import, one font load instead of two), and serve the history role
    while the second serves the model role.

    conns: {role: this side's end of its pipe}; others: the parent's ends, inherited by the fork:
    closed here, so that the parent's death (even by SIGKILL) reads as the end of the pipes, and
    both processes end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _leave)
    for end in others:
        end.close()
    # Nothing is printed here (errors go back through the pipe), and a caller that reads this
    # process's output until its end (a shell pipe, subprocess.communicate) must not wait for us
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1), os.dup2(quiet, 2)
    os.environ["MPLBACKEND"] = "Agg"
    # One BLAS thread: the decision boundary's grid of predictions is small matrix products, which
    # a second thread makes no faster here, beside training, only spinning (model_images measured
    # 108 ms of CPU with one thread against 183 ms with two, the same wall time)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    _prime(figure_format)
    # SIGTERM waits (blocked) across the fork until each process has its own handler in place: one
    # that arrived in between would end the first without the second, or reach the second while
    # it runs its after-fork callbacks, which swallow the SystemExit it raises
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    model = os.fork()
    if model == 0:  # the second process: it leaves through os._exit, never through the first's exit path
        code = 0
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
            conns["history"].close()
            _serve(conns["model"], "model", net, data, figure_format)
        except SystemExit as leaving:
            code = leaving.code if isinstance(leaving.code, int) else 1
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    conns["model"].close()
    # SIGTERM (Drawer.close) ends the second process too, and waits for it: none is left behind
    signal.signal(signal.SIGTERM, lambda signum, frame: (_end(model, signum), _leave(signum, frame)))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    try:
        _serve(conns["history"], "history", net, data, figure_format)
    finally:
        _end(model, None)


def _leave(signum, frame) -> None:
    sys.exit(128 + signum)


def _end(pid: int, signum: int | None) -> None:
    """Send process ``pid`` the signal ``signum`` (None: none) and wait for its end."""
    try:
        if signum is not None:
            os.kill(pid, signum)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):  # ended and waited for already
        pass


def _prime(figure_format: str) -> None:
    """Load what every drawing needs (matplotlib and its backends, the fonts, the mathtext parser
    that log-scale tick labels use, PIL) by drawing a tiny figure: about 0.3 s of a core that both
    processes would pay again, each on its first drawing, when the run is over. For the svg format
    matplotlib's SVG backend is not loaded: the curves and health figures are then written by hand
    (``charts.svg``), and the report's result figure is rendered raw (``plots.compact_png``)."""
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 2))
    ax = fig.subplots()
    ax.set(title="prime", xlabel="$x_1$", yscale="log", ylim=(0.01, 1))
    for format in ("raw",) if figure_format == "svg" else (figure_format, "raw"):
        fig.savefig(io.BytesIO(), format=format, dpi=20)
    from PIL import Image, PngImagePlugin  # noqa: F401  (compact_png's)


def _serve(conn, role: str, net: Network, data: Dataset, figure_format: str) -> None:
    """A drawing process's role: wait for the run, draw it, and send back what it drew (or the
    error it raised). No warm-up drawing: after ``_prime`` a first drawing costs what a second does
    (own figures through matplotlib 0.111 s of CPU against 0.107, the model's 0.148 against 0.144,
    measured before the svg format's were written by hand), so drawing a made-up run while
    training only took a core from training."""
    draw = _draw_history if role == "history" else _draw_model
    try:
        request = conn.recv()
    except EOFError:  # the run ended without asking (interrupted, diverged)
        return
    try:
        conn.send(("done", draw(request, net, data, figure_format)))
    except Exception as err:
        conn.send(("error", err))


def _draw_history(history: History, net: Network, data: Dataset, figure_format: str):
    from . import run_files

    return run_files.own_figures(history, figure_format, net.loss.name, net.sizes[-1])


def _draw_model(model: str, net: Network, data: Dataset, figure_format: str):
    """The model's figure, of the network in the file ``model``."""
    from . import persistence, run_files

    return run_files.model_images(persistence.load(model), data)
