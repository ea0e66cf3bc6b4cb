"""The command line end to end, on short runs."""
import gc
import json
import pickle
import re
import subprocess
import sys

import pytest

from backprop import runs
from backprop.cli import main
from backprop.cli import run as console_script


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    assert main(["train", "--epochs", "20", "--out", str(root), "--name", "short", "--quiet"]) == 0
    return root / "short"


def test_train_writes_the_run_folder(run_folder):
    assert sorted(p.name for p in run_folder.iterdir()) == [
        "config.json", "curves.svg", "health.csv", "health.svg", "metrics.csv", "model.safetensors", "report.html"]
    rows = runs.read_metrics(run_folder / "metrics.csv")
    assert [r["epoch"] for r in rows] == [0, 10, 20]
    assert set(rows[0]) == {"epoch", "loss", "mse", "train_accuracy", "val_loss", "val_accuracy"}
    assert rows[-1]["val_accuracy"] > rows[0]["val_accuracy"]  # it learned something in 20 epochs
    config = json.loads((run_folder / "config.json").read_text())
    assert config["hidden"] == [25, 50, 25] and config["fit"]["learning_rate"] == 0.01
    assert config["fit"]["epochs"] == 20 and config["dataset"]["name"] == "moons"
    assert (run_folder / "curves.svg").read_text().lstrip().startswith("<?xml")


def test_show_opens_the_figures_it_wrote(tmp_path, capsys, monkeypatch):
    """--show opens the run's figures as written: drawn once, not once for the files and again."""
    from backprop import run_files
    from backprop.cli import train

    drawn, shown = [], []
    draw = run_files.figures
    monkeypatch.setattr(run_files, "figures", lambda *args: drawn.append(draw(*args)) or drawn[-1])
    monkeypatch.setattr(train, "show", shown.append)
    code, _, _ = run(capsys, "train", "--epochs", "2", "--out", str(tmp_path), "--name", "r", "--quiet", "--show")
    assert code == 0 and len(drawn) == 1 and shown == drawn
    assert (tmp_path / "r" / "curves.svg").exists()


def test_no_figures_writes_the_run_without_drawing_anything(tmp_path, capsys, monkeypatch):
    """--no-figures: the same model and metrics, no figures, no report, nothing drawn."""
    from backprop import run_files

    monkeypatch.setattr(run_files, "figures", lambda history: pytest.fail("drew the figures"))
    code, _, _ = run(capsys, "train", "--epochs", "2", "--out", str(tmp_path), "--name", "bare", "--quiet",
                     "--no-figures")
    assert code == 0
    assert {p.name for p in (tmp_path / "bare").iterdir()} == {"model.safetensors", "config.json", "metrics.csv",
                                                                "health.csv"}
    monkeypatch.undo()
    assert run(capsys, "train", "--epochs", "2", "--out", str(tmp_path), "--name", "full", "--quiet")[0] == 0
    for name in ("model.safetensors", "metrics.csv"):
        assert (tmp_path / "bare" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()
    code, _, err = run(capsys, "train", "--show", "--no-figures", "--out", str(tmp_path))
    assert code == 2 and err.strip() == "backprop train: error: --show needs the figures: drop --no-figures"


def test_evaluate_agrees_with_train(tmp_path, capsys):
    code, out, _ = run(capsys, "train", "--epochs", "12", "--eval-every", "4", "--out", str(tmp_path),
                       "--name", "r", "--quiet")
    assert code == 0
    trained = re.search(r"test accuracy: ([0-9.]+)", out).group(1)
    assert "training time:" in out and str(tmp_path / "r") in out
    code, out, _ = run(capsys, "evaluate", str(tmp_path / "r"), "--format", "png")
    assert code == 0
    assert re.search(r"test accuracy: ([0-9.]+)", out).group(1) == trained
    for name in ("comparison.png", "decision_boundary.png", "network.png"):
        assert (tmp_path / "r" / name).read_bytes()[:4] == b"\x89PNG"


def test_evaluate_a_model_file_into_another_folder(run_folder, tmp_path, capsys):
    code, out, _ = run(capsys, "evaluate", str(run_folder / "model.safetensors"), "--out", str(tmp_path),
                       "--format", "pdf")
    assert code == 0 and (tmp_path / "comparison.pdf").exists() and (tmp_path / "decision_boundary.pdf").exists()


def test_predict(run_folder, capsys):
    code, out, _ = run(capsys, "predict", str(run_folder), "0,0", "1.5,-0.5")
    lines = out.strip().splitlines()
    assert code == 0 and lines[0] == "x1,x2,p_0,p_1,label" and len(lines) == 3
    assert lines[1].startswith("0,0,")
    assert lines[1].split(",")[-1] in {"0", "1"}


def test_predict_from_a_csv_file(run_folder, tmp_path, capsys):
    points = tmp_path / "points.csv"
    points.write_text("x1,x2\n0.5,0.25\n1.5,-0.4\n\n")
    code, out, _ = run(capsys, "predict", str(run_folder), "--input", str(points))
    assert code == 0 and [line.split(",")[:2] for line in out.splitlines()[1:]] == [["0.5", "0.25"], ["1.5", "-0.4"]]
    points.write_text("0.5;0.25\n")  # one column that is not a number: a header of the wrong width
    code, _, err = run(capsys, "predict", str(run_folder), "--input", str(points))
    assert code == 2 and "the model takes 2 input columns: name them x1, x2" in err and "Received: 1 columns" in err


def test_plot_data(tmp_path, capsys):
    out_file = tmp_path / "d.svg"
    code, _, _ = run(capsys, "plot-data", "--dark", "--out", str(out_file))
    assert code == 0 and out_file.read_text().lstrip().startswith("<?xml")
    code, out, err = run(capsys, "plot-data", "--dataset", "digits", "--out", str(tmp_path / "digits.svg"))
    # a note, so on stderr: stdout holds results only
    assert code == 0 and out == ""
    assert err == "note: nothing drawn: a scatter of the points needs 2 inputs, digits has 64\n"
    assert not (tmp_path / "digits.svg").exists()


def test_progress_lines_when_not_a_terminal(tmp_path, capsys):
    code, _, err = run(capsys, "train", "--epochs", "4", "--eval-every", "2", "--out", str(tmp_path))
    assert code == 0
    epochs = [line.split()[1] for line in err.strip().splitlines() if not line.startswith("backprop: compiling")]
    assert epochs == ["2/4", "4/4"]  # (the notice comes first when this test compiles the engine itself)


@pytest.mark.parametrize("quiet", [False, True])
def test_a_slow_engine_start_is_explained_while_it_lasts(tmp_path, capsys, monkeypatch, quiet):
    """A first run waits seconds for its engine to compile: one line says why, before any epoch."""
    import time

    from backprop import engines
    from backprop.cli import train

    select = engines.select

    def slow_select(*args):
        time.sleep(0.5)  # a compilation, 50 times the notice's delay below
        return select(*args)

    monkeypatch.setattr(engines, "select", slow_select)
    monkeypatch.setattr(train, "NOTICE_AFTER_S", 0.01)
    code, _, err = run(capsys, "train", "--epochs", "2", "--out", str(tmp_path), *(["--quiet"] if quiet else []))
    assert code == 0
    lines = err.strip().splitlines()
    if quiet:
        assert lines == []
    else:
        assert lines[0] == train.COMPILE_NOTICE and len(lines) == 2 and lines[1].startswith("epoch     2/2")


def test_a_quick_start_says_nothing(capsys):
    import time

    from backprop.cli.common import notice_if_slow

    with notice_if_slow("compiling", 1.0):  # a second: room for a loaded machine to stall the block
        pass
    time.sleep(1.2)  # past the notice's delay: it was cancelled, not late
    assert capsys.readouterr().err == ""


BAD = [
    (["train", "--epochs", "-1"], "epochs"),
    (["train", "--lr", "0"], "learning_rate"),
    (["train", "--lr", "-0.5"], "learning_rate"),
    (["train", "--activation", "swish"], "activation"),
    (["train", "--hidden", "25,x"], "--hidden"),
    (["train", "--hidden", "25,,50"], "--hidden"),  # a typo, not the two layers 25,50
    (["train", "--hidden", "25,50,"], "--hidden"),
    (["train", "--batch-size", "0"], "batch_size"),
    (["train", "--snapshot-every", "0"], "--snapshot-every must be a positive integer"),
    (["train", "--checkpoint-every", "-2"], "--checkpoint-every must be a positive integer"),
    (["train", "--epochs", "ten"], "--epochs"),
    # a named data set's options: the maker's message gets the flag the user typed
    (["train", "--noise", "-1"], "--noise: noise must be"),
    (["train", "--test-size", "1.5"], "--test-size: test_size must be"),
    (["train", "--dataset", "blobs", "--centers", "1"], "--centers: centers must be"),
    (["train", "--data-seed", "-1"], "--data-seed must be"),
    (["evaluate", "no/such/model.safetensors"], "no model file"),
    (["predict", "no/such/model"], "no model file"),
    (["frobnicate"], "invalid choice"),
    # the command line's own checks (UsageError), besides the library's (ValueError) and argparse's
    (["train", "--data", "x.csv"], "--data needs --target COLUMN"),
    (["export", "no/such/model"], "name a format"),
    (["sweep", "--backend", "ray"], "--backend ray needs --address"),
    # which option to change, not the library's "y must hold labels 0..1"
    (["train", "--dataset", "blobs", "--centers", "4", "--loss", "binary_cross_entropy"],
     "--loss binary_cross_entropy needs 2 classes; --dataset blobs has 4: use --loss cross_entropy or --centers 2"),
    (["train", "--dataset", "iris", "--loss", "binary_cross_entropy"],
     "--dataset iris has 3: use --loss cross_entropy\n"),
    # the library's field names, from the session and the run folder, as the options the user typed
    (["train", "--name", "../escape"], "--name: name must be a plain folder name"),
    (["train", "--test-size", "0.999", "--batch-size", "64"], "--batch-size: batch_size must be at most"),
]


@pytest.mark.parametrize("argv,word", BAD)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, argv, word):
    code, out, err = run(capsys, *argv, *(["--out", str(tmp_path)] if argv[0] == "train" else []))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and word in err and "Traceback" not in err
    # one form for every error, argparse's for a sub-command: "backprop train: error: ..."
    prog = "backprop" if argv[0] == "frobnicate" else f"backprop {argv[0]}"
    assert err.startswith(f"{prog}: error: "), err
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_malformed_model_file(tmp_path, capsys):
    bad = tmp_path / "model.safetensors"
    bad.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    code, _, err = run(capsys, "evaluate", str(bad))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not a safetensors model file" in err


def test_python_dash_m_in_a_fresh_process(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "backprop", "train", "--epochs", "2", "--quiet", "--out", str(tmp_path),
                         "--name", "p"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "p" / "model.safetensors").exists()
    bad = subprocess.run([sys.executable, "-m", "backprop", "train", "--hidden", "25,x"], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_every_training_option_says_what_it_does_and_its_defaults_are_the_real_ones():
    import inspect

    from backprop import datasets
    from backprop.cli import build_parser
    from backprop.cli.train import DATA_HELP
    from backprop.config import PRESETS

    for command in ("train", "sweep"):
        parser = build_parser()._subparsers._group_actions[0].choices[command]
        silent = [a.option_strings[0] for a in parser._actions if a.option_strings and not a.help]
        assert not silent, f"{command}: options without help: {silent}"
    moons, blobs = (inspect.signature(f).parameters for f in (datasets.moons, datasets.blobs))
    assert f"default {moons['n_samples'].default})" in DATA_HELP["n_samples"]
    assert f"moons {moons['noise'].default})" in DATA_HELP["noise"]
    assert f"default {moons['seed'].default})" in DATA_HELP["data_seed"]
    assert f"default {moons['test_size'].default})" in DATA_HELP["test_size"]
    assert f"default {blobs['centers'].default})" in DATA_HELP["centers"]
    train = build_parser()._subparsers._group_actions[0].choices["train"].format_help().replace("\n", " ")
    fast = PRESETS["fast"].fit
    assert f"(default {PRESETS['seed'].fit.epochs}; --preset fast: {fast.epochs})" in " ".join(train.split())


def test_backprop_alone_names_the_commands_and_version_says_the_version(capsys):
    """'the following arguments are required: command' named no command a newcomer could type."""
    from importlib import metadata

    code, out, err = run(capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "name a command: train, sweep, evaluate" in err and "playground" in err
    code, _, err = run(capsys, "--frob")
    assert code == 2 and "unrecognized arguments: --frob" in err
    with pytest.raises(SystemExit) as done:  # as --help does: argparse prints and exits 0
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"backprop {metadata.version('backprop')}\n"


def test_the_console_script_returns_mains_code_and_skips_the_last_garbage_collection(monkeypatch, capsys):
    """``run`` ends a process: its objects frozen, the interpreter's teardown does not walk them
    (~0.09 s once Numba's code is loaded: bench/train_process.py --split)."""
    monkeypatch.setattr(sys, "argv", ["backprop", "bogus"])
    try:
        assert console_script() == 2
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert "invalid choice: 'bogus'" in capsys.readouterr().err


def test_the_version_is_looked_up_only_when_asked(monkeypatch, capsys):
    """Every command builds the whole parser: --version's lookup (importlib.metadata) is not part of it."""
    import backprop.cli as cli

    asked = []
    monkeypatch.setattr(cli, "_version", lambda: asked.append(True) or "9.9")
    assert main(["bogus"]) == 2 and asked == []
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and asked == [True] and capsys.readouterr().out == "backprop 9.9\n"


def test_hidden_widths_given_apart_are_answered_with_the_comma_form(capsys):
    """sweep takes --hidden 8 16 (a width per point); train takes one network's widths: 8,8,8."""
    assert main(["train", "--hidden", "8", "8", "8", "--epochs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("backprop train: error: unrecognized arguments: 8 8 (--hidden takes one network's widths "
                   "joined by commas: --hidden 8,8,8)")
