"""A drawing process: a run's figures and report drawn beside training instead of after it.

Drawing a run's curves, health figure and report costs about as much as training the seed's
network, and most of that is fixed cost: importing matplotlib, loading fonts, the first drawing
of each kind of figure. ``Drawer`` forks a process when a run starts; it pays those costs on the
other core while training runs (by drawing the untrained network's figures once, and throwing them
away), then waits. When training is done the caller writes the model and asks it for the figures:
the process reads the model back from the run folder, draws, writes each file atomically, and says
which it wrote.

Signals: the drawing process ignores SIGINT (Ctrl-C reaches the whole process group; the caller
decides) and leaves on SIGTERM through ``SystemExit``, so a file it was writing is removed, never
left half-written. ``close`` sends it SIGTERM.
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

WARM_UP_EPOCHS = 3  # evaluations in the warm-up's made-up history: enough for every artist to be drawn
# A warm-up (a made-up run drawn once, about 0.6 s of a core) pays only where training outlasts it:
# it starts once training has run this long, and a run done sooner is drawn straight away
WARM_UP_AFTER_S = 0.5


def available() -> bool:
    """True where a drawing process can be forked (POSIX with the fork start method)."""
    return "fork" in multiprocessing.get_all_start_methods()


class Drawer:
    """The drawing processes of one run, forked now from this process (which holds ``net``, not
    yet trained, and ``data``: the children keep their copies and warm up on them).

    figure_format: "svg", "png" or "pdf", as ``run_files.own_figures`` takes it.
    """

    def __init__(self, net: Network, data: Dataset, figure_format: str = "svg"):
        context = multiprocessing.get_context("fork")
        pipes = {role: context.Pipe() for role in ("history", "model")}
        ends = [end for pipe in pipes.values() for end in pipe]
        self._workers = {}
        for role, (mine, child) in pipes.items():
            others = [end for end in ends if end is not child]
            process = context.Process(target=_serve, args=(child, others, role, net, data, figure_format),
                                      name=f"backprop-drawer-{role}", daemon=True)
            process.start()
            child.close()
            self._workers[role] = (process, mine)
        self._asked = False

    def draw(self, folder: Path, history: History) -> None:
        """Start drawing the run's figures, once its model file is in ``folder``; returns at once."""
        self._workers["history"][1].send(history)
        self._workers["model"][1].send(str(Path(folder) / MODEL_FILE))
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
        process, conn = self._workers[role]
        try:
            outcome, value = conn.recv()
        except EOFError:
            raise RuntimeError(f"the drawing process ended without drawing (exit code {process.exitcode})") from None
        if outcome == "error":
            raise value
        return value

    def close(self) -> None:
        """End the processes (SIGTERM) if they are still running."""
        for process, conn in self._workers.values():
            if process.is_alive():
                process.terminate()
            process.join(5)
            conn.close()


def _serve(conn, others: list, role: str, net: Network, data: Dataset, figure_format: str) -> None:
    """A drawing process: warm up on the untrained network, then draw the one run asked for.

    others: every other end of the drawing pipes, inherited by the fork: closed here, so that the
    parent's death (even by SIGKILL) reads as the end of this process's pipe, and it ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    for end in others:
        end.close()
    # Nothing is printed here (errors go back through the pipe), and a caller that reads this
    # process's output until its end (a shell pipe, subprocess.communicate) must not wait for us
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1), os.dup2(quiet, 2)
    os.environ["MPLBACKEND"] = "Agg"
    draw = _draw_history if role == "history" else _draw_model
    import matplotlib  # noqa: F401  (the largest part of the warm-up, and needed in any case)

    if not conn.poll(WARM_UP_AFTER_S):  # a short run is done by then: draw it at once, with no warm-up first
        try:  # a warm-up is only a head start: the real drawing reports any error
            draw(_made_up_history(net, data) if role == "history" else net, net, data, figure_format)
        except Exception:
            pass
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


def _draw_model(model: Network | str, net: Network, data: Dataset, figure_format: str):
    """The model's figure, of the network in the file ``model`` (or of ``model`` itself)."""
    from . import persistence, run_files

    return run_files.model_images(persistence.load(model) if isinstance(model, str) else model, data)


def _made_up_history(net: Network, data: Dataset) -> History:
    """A few evaluations of made-up numbers, with the untrained network's real gradient health."""
    from . import health, run_files, training

    sample = data.X_train[:run_files.HEALTH_SAMPLES], data.labels(data.y_train[:run_files.HEALTH_SAMPLES])
    history = training.History()
    for epoch in range(WARM_UP_EPOCHS):
        history.append({"epoch": epoch, "loss": 0.25 - 0.01 * epoch, "mse": 0.25 - 0.01 * epoch,
                        "train_accuracy": 0.5 + 0.1 * epoch, "val_loss": 0.26 - 0.01 * epoch,
                        "val_accuracy": 0.5 + 0.1 * epoch})
        history.health.extend(health.measure(net, *sample, epoch))
    return history
