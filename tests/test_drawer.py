"""Figures drawn off the training path: the drawing process draws what this process would (png,
pdf), svg runs need none, and a signal that arrives while figures are drawn leaves no half-written file."""
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from backprop import config, datasets, drawer, persistence, run_files
from backprop.cli import main
from backprop.session import Session

pytestmark = pytest.mark.skipif(not drawer.available(), reason="no fork start method here")


def trained_run(folder: Path):
    """The fast preset's run, trained, its model in ``folder``, and a png Drawer forked before training."""
    experiment = config.from_preset("fast", epochs=5)
    data = datasets.DATASETS[experiment.dataset]()
    net = experiment.network_for(data)
    process = drawer.Drawer("png")
    session = Session(net, data.X_train, data.labels(data.y_train), experiment.fit,
                      (data.X_test, data.labels(data.y_test)), callbacks=run_files.health_recorder(net, data))
    history = session.run()
    persistence.save(net, folder / persistence.MODEL_FILE, data.spec)
    return process, net, data, history, experiment.to_dict()


def test_the_drawing_process_draws_what_this_process_draws(tmp_path):
    process, net, data, history, settings = trained_run(tmp_path)
    try:
        process.draw(history, net.loss.name, net.sizes[-1])
        files = process.files("run", net, data, history, settings)
    finally:
        process.close()
    here = run_files.drawn_files("run", net, data, history, settings, "png")
    assert sorted(files) == sorted(here) == ["curves.png", "health.png", "report.html"]
    for name in here:
        assert files[name] == here[name], name


class Unpicklable(Exception):
    def __init__(self, a, b):  # pickled with its message only, it cannot be built again there
        super().__init__(f"{a} {b}")


@pytest.mark.parametrize("error,raised", [(ValueError("no good"), ValueError), (Unpicklable(1, 2), RuntimeError)])
def test_a_drawing_error_is_raised_here(tmp_path, monkeypatch, error, raised):
    def broken(*args):
        raise error

    monkeypatch.setattr(run_files, "own_figures", broken)  # before the fork: the drawing process's
    process, net, data, history, settings = trained_run(tmp_path)
    try:
        process.draw(history)
        with pytest.raises(raised, match=str(error)):
            process.files("run", net, data, history, settings)
    finally:
        process.close()
    assert not multiprocessing.active_children()


def test_train_draws_png_through_the_drawing_process_and_leaves_none_behind(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    asked = []
    original = drawer.Drawer.draw
    monkeypatch.setattr(drawer.Drawer, "draw", lambda self, *a: (asked.append(a), original(self, *a))[1])
    assert main(["train", "--preset", "fast", "--epochs", "3", "--name", "r", "--quiet", "--format", "png"]) == 0
    files = sorted(p.name for p in (tmp_path / "runs" / "r").iterdir())
    assert files == ["config.json", "curves.png", "health.csv", "health.png", "metrics.csv", "model.safetensors",
                     "report.html"]
    assert len(asked) == 1 and not multiprocessing.active_children()


def test_an_svg_run_forks_no_drawing_process_nor_imports_matplotlib(tmp_path):
    code = f"""
import sys
from backprop import drawer
from backprop.cli import main

def refuse(*args, **kwargs):
    raise AssertionError("a drawing process was forked")

drawer.Drawer.__init__ = refuse
assert main(["train", "--preset", "fast", "--epochs", "3", "--out", {str(tmp_path)!r}, "--name", "r", "--quiet"]) == 0
print("matplotlib" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "False"
    assert {"curves.svg", "health.svg", "report.html"} <= {p.name for p in (tmp_path / "r").iterdir()}


def interrupt_while_drawing(monkeypatch, slowed: str, after: str, cls=None) -> None:
    """Make ``run_files.<slowed>`` take 30 s, and send this process SIGINT 0.5 s after ``<after>``
    (a method of ``cls``, or a ``run_files`` function) starts."""
    slow = getattr(run_files, slowed)

    def sleepy(*args, **kwargs):
        time.sleep(30)
        return slow(*args, **kwargs)

    monkeypatch.setattr(run_files, slowed, sleepy)
    owner = cls if cls is not None else run_files
    original = getattr(owner, after)

    def then_interrupt(*args, **kwargs):
        threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, after, then_interrupt)


@pytest.mark.parametrize("figure_format", ["svg", "png"])
def test_ctrl_c_while_the_figures_are_drawn_leaves_no_half_written_file(tmp_path, monkeypatch, figure_format):
    """svg: drawn here (the report's result figure takes its time); png: the drawing process draws the
    curves (forked after the patch) while this process waits for them."""
    monkeypatch.chdir(tmp_path)
    if figure_format == "svg":
        interrupt_while_drawing(monkeypatch, "model_chart", "drawn_files")
    else:
        interrupt_while_drawing(monkeypatch, "own_figures", "draw", drawer.Drawer)
    assert main(["train", "--preset", "fast", "--epochs", "3", "--name", "r", "--quiet", "--format",
                 figure_format]) == 130  # not waiting
    run = tmp_path / "runs" / "r"
    left = sorted(p.name for p in run.iterdir())
    assert left == ["config.json", "health.csv", "metrics.csv", "model.safetensors"]  # no figure, report, .tmp
    persistence.load(run / persistence.MODEL_FILE)  # the model, whole
    assert not multiprocessing.active_children()


def test_close_ends_a_drawing_process_that_ignores_sigterm(monkeypatch):
    """Closed at once after the fork (the racy moment), and again, none is left; one that ignores
    SIGTERM (stuck) is killed ``CLOSE_WAIT_S`` later."""
    for _ in range(4):
        drawer.Drawer("png").close()
        assert not multiprocessing.active_children()

    ignoring = multiprocessing.get_context("fork").Event()

    def stuck(figure_format):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        ignoring.set()
        time.sleep(60)

    monkeypatch.setattr(drawer, "_prime", stuck)
    monkeypatch.setattr(drawer, "CLOSE_WAIT_S", 0.3)
    process = drawer.Drawer("png")
    assert ignoring.wait(30)
    process.close()
    assert not process._process.is_alive() and process._process.exitcode == -signal.SIGKILL
