"""Faults injected into real `backprop train` processes: Ctrl-C, SIGTERM, SIGKILL, divergence.

Each ends with nothing lost: a resumed run's model file is byte-identical to an uninterrupted run's.
"""
import csv
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from backprop import checkpoints, runs
from backprop.cli import main
from backprop.training import History

# About 2 s of training: long enough to interrupt, short enough to run three times.
TRAIN = ["train", "--hidden", "8", "--epochs", "300", "--batch-size", "32", "--optimizer", "adam",
         "--schedule", "cosine", "--eval-every", "5", "--checkpoint-every", "10", "--quiet"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    root = tmp_path_factory.mktemp("whole")
    assert main([*TRAIN, "--out", str(root), "--name", "whole"]) == 0
    return root / "whole"


def start_training(root, name):
    return subprocess.Popen([sys.executable, "-m", "backprop", *TRAIN, "--out", str(root), "--name", name],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(path, process, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, f"training ended before {path.name} appeared: {process.communicate()}"
        assert time.monotonic() < deadline, f"no {path} after {timeout} s"
        time.sleep(0.005)


def assert_valid_metrics(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(History.COLUMNS)
    assert all(len(row) == 6 for row in rows[1:]) and len(rows) >= 2
    epochs = [int(row[0]) for row in rows[1:]]
    assert epochs == list(range(0, 5 * len(epochs), 5))  # complete rows, in order, none torn
    np.asarray(rows[1:], dtype=float)  # every cell is a number


def assert_resumes_to(folder, uninterrupted, capsys):
    assert main(["train", "--resume", str(folder), "--quiet"]) == 0
    capsys.readouterr()
    assert (folder / "model.safetensors").read_bytes() == (uninterrupted / "model.safetensors").read_bytes()
    assert (folder / "metrics.csv").read_bytes() == (uninterrupted / "metrics.csv").read_bytes()


@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_checkpoints_exits_with_its_code_and_the_run_resumes_exactly(tmp_path, uninterrupted, capsys,
                                                                            signum, code):
    process = start_training(tmp_path, "run")
    wait_for(tmp_path / "run" / checkpoints.FILE, process)
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    assert process.returncode == code, err
    name = signal.Signals(signum).name
    assert err.count("\n") == 1 and err.startswith(f"backprop: {name} after epoch ")
    assert f"Resume with: backprop train --resume {tmp_path / 'run'}" in err and "Traceback" not in err
    epoch = int(err.split("after epoch ")[1].split()[0])
    _, state = checkpoints.load(tmp_path / "run" / checkpoints.FILE)
    assert state.epoch == epoch < 300  # the checkpoint is of the epoch it stopped after, not an older one
    assert not (tmp_path / "run" / "model.safetensors").exists()
    assert_valid_metrics(tmp_path / "run" / "metrics.csv")
    assert_resumes_to(tmp_path / "run", uninterrupted, capsys)


def test_sigkill_leaves_a_valid_csv_and_an_intact_checkpoint(tmp_path, uninterrupted, capsys):
    process = start_training(tmp_path, "run")
    wait_for(tmp_path / "run" / checkpoints.FILE, process)
    # Let it write more rows and checkpoints, then kill it wherever it is. Watched, not slept: the
    # compiled engine may run the remaining epochs in a fraction of a second.
    while process.poll() is None and (tmp_path / "run" / "metrics.csv").read_text().count("\n") < 6:
        time.sleep(0.001)
    process.kill()
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert_valid_metrics(tmp_path / "run" / "metrics.csv")
    _, state = checkpoints.load(tmp_path / "run" / checkpoints.FILE)  # intact: it loads, and is of an epoch
    assert state.epoch % 10 == 0 and state.epoch >= 10
    assert_resumes_to(tmp_path / "run", uninterrupted, capsys)


def test_divergence_exits_3_and_keeps_the_last_good_checkpoint(tmp_path, capsys):
    # Full-batch momentum at lr 2 on a ReLU network with a linear output: the loss overflows at epoch 9.
    code = main(["train", "--hidden", "8", "--activation", "relu", "--output-activation", "identity", "--lr", "2",
                 "--batch-size", "1400", "--optimizer", "momentum", "--epochs", "60", "--checkpoint-every", "3",
                 "--eval-every", "1", "--out", str(tmp_path), "--name", "d", "--quiet"])
    _, err = capsys.readouterr()
    assert code == 3
    assert err.count("\n") == 1 and "training diverged at epoch 9: the loss is inf" in err
    assert "lower learning rate" in err
    assert "the last good checkpoint (epoch 6) is kept" in err
    folder = tmp_path / "d"
    assert not (folder / "model.safetensors").exists()  # no model with NaN is ever saved
    net, state = checkpoints.load(folder / checkpoints.FILE)
    assert state.epoch == 6 and all(np.all(np.isfinite(p)) for p in net.parameters())
    rows = runs.read_metrics(folder / "metrics.csv")
    assert [r["epoch"] for r in rows] == list(range(9))  # every finite evaluation is on disk


def test_resume_refuses_what_it_cannot_continue(tmp_path, uninterrupted, capsys):
    for argv, message in [
        (["--resume", str(uninterrupted)], "is complete (it has model.safetensors): nothing to resume"),
        (["--resume", str(tmp_path)], "holds no checkpoint.safetensors: nothing to resume"),
        (["--resume", str(tmp_path / "nope")], f"--resume {str(tmp_path / 'nope')!r}: no run folder there"),
        (["--resume", str(uninterrupted), "--lr", "0.1"], "drop --lr"),
        (["--resume", str(uninterrupted), "--checkpoint-every", "0"], "is complete"),
    ]:
        assert main(["train", *argv]) == 2
        _, err = capsys.readouterr()
        assert err.count("\n") == 1 and message in err, err


def test_a_damaged_checkpoint_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "config.json").write_text("{}")
    (tmp_path / "run" / checkpoints.FILE).write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}")
    assert main(["train", "--resume", str(tmp_path / "run")]) == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1 and "is not a safetensors model file" in err
