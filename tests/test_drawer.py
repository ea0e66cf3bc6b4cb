"""Figures drawn off the training path: the drawing processes draw what this process would, and a
signal that arrives while they draw leaves no half-written file."""
import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from backprop import config, datasets, drawer, persistence, run_files
from backprop.cli import main
from backprop.session import Session

pytestmark = pytest.mark.skipif(not drawer.available(), reason="no fork start method here")


def trained_run(folder: Path):
    """The fast preset's run, trained, its model in ``folder``, and a Drawer forked before training."""
    experiment = config.from_preset("fast", epochs=5)
    data = datasets.DATASETS[experiment.dataset]()
    net = experiment.network_for(data)
    process = drawer.Drawer(net, data, "svg")
    session = Session(net, data.X_train, data.labels(data.y_train), experiment.fit,
                      (data.X_test, data.labels(data.y_test)), callbacks=run_files.health_recorder(net, data))
    history = session.run()
    persistence.save(net, folder / persistence.MODEL_FILE, data.spec)
    return process, net, data, history, experiment.to_dict()


def test_the_drawing_processes_draw_what_this_process_draws(tmp_path):
    process, net, data, history, settings = trained_run(tmp_path)
    try:
        process.draw(tmp_path, history)
        files = process.files("run", net, data, history, settings)
    finally:
        process.close()
    here = run_files.drawn_files("run", net, data, history, settings, "svg")
    assert sorted(files) == sorted(here) == ["curves.svg", "health.svg", "report.html"]
    for name in here:
        assert files[name] == here[name], name


def test_a_drawing_error_is_raised_here(tmp_path):
    process, net, data, history, settings = trained_run(tmp_path)
    (tmp_path / persistence.MODEL_FILE).write_bytes(b"not a model")
    try:
        process.draw(tmp_path, history)
        with pytest.raises(persistence.ModelFileError):
            process.files("run", net, data, history, settings)
    finally:
        process.close()
    assert not multiprocessing.active_children()


def test_train_draws_through_the_drawing_processes_and_leaves_none_behind(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    asked = []
    original = drawer.Drawer.draw
    monkeypatch.setattr(drawer.Drawer, "draw", lambda self, *a: (asked.append(a), original(self, *a))[1])
    assert main(["train", "--preset", "fast", "--epochs", "3", "--name", "r", "--quiet"]) == 0
    files = sorted(p.name for p in (tmp_path / "runs" / "r").iterdir())
    assert files == ["config.json", "curves.svg", "health.csv", "health.svg", "metrics.csv", "model.safetensors",
                     "report.html"]
    assert len(asked) == 1 and not multiprocessing.active_children()


def test_ctrl_c_while_the_figures_are_drawn_leaves_no_half_written_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    slow = run_files.model_images

    def model_images(net, data):  # the drawing process (forked after this patch) takes its time
        time.sleep(30)
        return slow(net, data)

    monkeypatch.setattr(run_files, "model_images", model_images)
    original = drawer.Drawer.draw

    def draw_then_interrupt(self, *args):
        original(self, *args)
        threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()

    monkeypatch.setattr(drawer.Drawer, "draw", draw_then_interrupt)
    assert main(["train", "--preset", "fast", "--epochs", "3", "--name", "r", "--quiet"]) == 130  # not waiting
    run = tmp_path / "runs" / "r"
    left = sorted(p.name for p in run.iterdir())
    assert left == ["config.json", "health.csv", "metrics.csv", "model.safetensors"]  # no figure, no report, no .tmp
    persistence.load(run / persistence.MODEL_FILE)
    assert not multiprocessing.active_children()


def children(pid: int) -> list[int]:
    """The process ids of ``pid``'s children (Linux's /proc)."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(),
                    reason="no /proc/PID/task/PID/children here")
def test_close_ends_the_second_drawing_process_that_the_first_forked():
    """Closed at once after the fork (the racy moment: a SIGTERM there once left the first waiting
    on a second that never ended, 5 times in 20), and again, each time none is left."""
    experiment = config.from_preset("fast", epochs=5)
    data = datasets.DATASETS[experiment.dataset]()
    net = experiment.network_for(data)
    for _ in range(8):
        process = drawer.Drawer(net, data, "svg")
        first = process._process.pid
        deadline = time.monotonic() + 30
        while not children(first) and time.monotonic() < deadline:  # the first forks it once matplotlib is loaded
            time.sleep(0.001)
        [second] = children(first)
        process.close()
        assert not process._process.is_alive()
        with pytest.raises(ProcessLookupError):  # ended and waited for by the first
            os.kill(second, 0)
