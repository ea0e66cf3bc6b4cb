"""Every command on every kind of model the library makes: a built-in classification set (iris,
string class names), a CSV with string labels, a CSV regression, and models saved from the
scikit-learn estimators (which name no data set). Small networks, few epochs: the commands are
under test, not the training."""
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import backprop
from backprop import datasets, trace
from backprop.cli import main
from backprop.gradcheck import float64_twin, gradcheck

SMALL = ["--hidden", "6", "--epochs", "3", "--quiet", "--no-figures"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _tables(folder):
    """patients.csv (3 string labels, features on scales 1, 100 and 0.01) and houses.csv (a real target)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3)) * [1, 100, 0.01] + [0, 500, 0]
    score = X[:, 0] + (X[:, 1] - 500) / 100
    labels = np.where(score < -0.5, "healthy", np.where(score < 0.7, "unsure", "sick"))
    price = 2 * X[:, 0] - (X[:, 1] - 500) / 50 - 4.3 + rng.normal(size=90) * 0.1
    rows = [f"{a:.4f},{b:.3f},{c:.5f}" for a, b, c in X]
    (folder / "patients.csv").write_text("age,weight,marker,diagnosis\n"
                                         + "".join(f"{r},{lab}\n" for r, lab in zip(rows, labels)))
    (folder / "houses.csv").write_text("rooms,area,dist,price\n"
                                       + "".join(f"{r},{v:.4f}\n" for r, v in zip(rows, price)))
    return X, labels, price


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """kind -> (model path, the extra arguments that name its data, the data as the model sees it)."""
    from backprop.sklearn import BackpropClassifier, BackpropRegressor

    root = tmp_path_factory.mktemp("models")
    X, labels, price = _tables(root)
    patients, houses = root / "patients.csv", root / "houses.csv"
    out = ["--out", root / "runs"]
    assert main(["train", "--dataset", "iris", *SMALL, *map(str, out), "--name", "iris"]) == 0
    assert main(["train", "--data", str(patients), "--target", "diagnosis", "--standardize", *SMALL,
                 *map(str, out), "--name", "patients"]) == 0
    assert main(["train", "--data", str(houses), "--target", "price", "--task", "regression", "--standardize",
                 *SMALL, *map(str, out), "--name", "houses"]) == 0
    clf = BackpropClassifier(hidden_layer_sizes=(6,), epochs=5, standardize=True, random_state=0).fit(X, labels)
    reg = BackpropRegressor(hidden_layer_sizes=(6,), epochs=5, standardize=True, random_state=0).fit(X, price)
    backprop.save(clf.network_, root / "estimator_clf.safetensors")
    backprop.save(reg.network_, root / "estimator_reg.safetensors")
    return {
        "builtin": (root / "runs" / "iris", [], datasets.iris()),
        "csv_labels": (root / "runs" / "patients", [], datasets.from_csv(patients, "diagnosis")),
        "csv_regression": (root / "runs" / "houses", [], datasets.from_csv(houses, "price", task="regression")),
        "estimator_clf": (root / "estimator_clf.safetensors", ["--data", patients, "--target", "diagnosis"],
                          datasets.from_csv(patients, "diagnosis")),
        "estimator_reg": (root / "estimator_reg.safetensors", ["--data", houses, "--target", "price"],
                          datasets.from_csv(houses, "price", task="regression")),
    }


KINDS = ["builtin", "csv_labels", "csv_regression", "estimator_clf", "estimator_reg"]


@pytest.mark.parametrize("kind", KINDS)
def test_trace_takes_the_label_as_the_model_names_it_or_the_real_target(models, kind, capsys):
    path, extra, data = models[kind]
    code, out, err = run(capsys, "trace", path, "--sample", 3, "--format", "json", *extra)
    assert code == 0, err
    shown = json.loads(out)
    net = backprop.load(path)
    x, y = data.X_train[3], data.labels(data.y_train[3:4])[0]
    if net.task == "regression":
        assert shown["target"] == [pytest.approx(float(y), abs=0)] and not float(y).is_integer()  # never int(y)
    else:
        assert shown["label"] == y and isinstance(y, str)  # "setosa", "sick": the network's own labels
    # the trace's dW is the gradient of this one sample's loss, as the network computes it
    for layer, (dW, db) in zip(shown["layers"], net.gradients(x[None, :], np.asarray([y]))):
        np.testing.assert_allclose(layer["dW"], dW, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(layer["db"], db, rtol=1e-10, atol=1e-14)
    code, out, _ = run(capsys, "trace", path, "--sample", 3, *extra)
    assert code == 0 and ("label " in out.splitlines()[0]) == (net.task == "classification")


def test_the_library_trace_takes_original_labels_and_real_targets():
    net = backprop.Network([backprop.Dense(2, 3, "tanh"), backprop.Dense(3, 3, "softmax")], loss="cross_entropy",
                           seed=0)
    net.classes = ("class_0", "class_1", "class_2")
    assert trace.trace(net, [0.5, -1], "class_2")["target"] == [0, 0, 1]
    reg = backprop.Network([backprop.Dense(2, 3, "tanh"), backprop.Dense(3, 1, "identity")], loss="mse", seed=0,
                           task="regression")
    result = trace.trace(reg, [0.5, -1], -4.301)
    assert result["target"] == [-4.301] and result["label"] == -4.301
    x = np.array([[0.5, -1]])
    assert result["loss"] == reg.loss_value(x, [-4.301]) != reg.loss_value(x, [-4])  # the real target's, not -4's
    with pytest.raises(ValueError, match="learning_rate must be a positive number. Received: learning_rate=-1"):
        trace.trace(reg, [0.5, -1], 1.0, learning_rate=-1)


@pytest.mark.parametrize("kind", KINDS)
def test_gradcheck_passes_on_every_kind_of_model(models, kind, capsys):
    path, extra, _ = models[kind]
    code, out, err = run(capsys, "gradcheck", path, "--samples", 5, *extra)
    assert code == 0 and out.splitlines()[-1].startswith("PASS"), out + err


def test_gradcheck_checks_the_network_as_it_is_used_standardised_and_for_its_task(models):
    net = backprop.load(models["csv_regression"][0])
    data = models["csv_regression"][2]
    twin = float64_twin(net)
    assert twin.task == "regression" and twin.standardization is net.standardization
    np.testing.assert_array_equal(twin.predict_proba(data.X_test), net.predict_proba(data.X_test))
    clf = backprop.load(models["csv_labels"][0])
    assert float64_twin(clf).classes == ("healthy", "sick", "unsure")


def test_gradcheck_on_a_diverged_network_is_inconclusive_not_fail(tmp_path, capsys):
    net = backprop.Network([backprop.Dense(2, 8, "relu"), backprop.Dense(8, 1, "identity")], loss="mse", seed=0,
                           task="regression")
    for layer in net.layers:  # weights ~1e5: the loss is ~1e19, as after a divergence
        layer.set_params(layer.weights * 1e5, layer.bias + 1e5, np.float64)
    X, y = np.random.default_rng(0).normal(size=(10, 2)), np.zeros(10)
    result = gradcheck(net, X, y)
    assert net.loss_value(X, y) > 1e15 and not result.passed and result.inconclusive
    assert result.table().splitlines()[-2].startswith("INCONCLUSIVE")
    net.dataset = datasets.plane().spec  # the command line finds its data
    backprop.save(net, tmp_path / "diverged.safetensors")
    code, out, err = run(capsys, "gradcheck", tmp_path / "diverged.safetensors", "--dataset", "plane")
    assert code == 2 and "INCONCLUSIVE" in out and "FAIL" not in out and "inconclusive" in err


@pytest.mark.parametrize("kind", KINDS)
def test_evaluate_on_every_kind_of_model(models, kind, capsys, tmp_path):
    path, extra, data = models[kind]
    code, out, err = run(capsys, "evaluate", path, "--out", tmp_path, *extra)
    net = backprop.load(path)
    assert code == 0, err
    assert out.splitlines()[0] == f"{'test R^2' if net.task == 'regression' else 'test accuracy'}: " \
                                  f"{net.score(data.X_test, data.labels(data.y_test)):.4f}"
    assert err.startswith("note: no decision boundary")  # a note: stderr; stdout holds the results
    assert all(line.startswith(("test", "wrote")) for line in out.splitlines())


def test_a_model_that_names_no_data_says_how_to_give_it(models, capsys):
    path = models["estimator_clf"][0]
    for command in ("evaluate", "gradcheck", "trace"):
        code, _, err = run(capsys, command, path)
        assert code == 2 and err.count("\n") == 1 and "--data FILE.csv --target COLUMN or --dataset NAME" in err
    code, _, err = run(capsys, "evaluate", path, "--dataset", "iris")
    assert code == 2 and "--dataset iris has 4 feature columns, but the model takes 3" in err
    code, _, err = run(capsys, "trace", path, "--dataset", "plane")
    assert code == 2 and "--dataset plane holds regression targets, but the model is a classification model" in err


def test_explicit_data_is_matched_by_column_name(models, capsys, tmp_path):
    """A table whose columns are in another order, with an extra one, is read by name."""
    path, _, data = models["csv_labels"]
    original = (models["csv_labels"][2].spec["path"])
    lines = Path(original).read_text().splitlines()
    cells = [line.split(",") for line in lines]
    (tmp_path / "shuffled.csv").write_text("\n".join(",".join([c[3], c[2], "0", c[0], c[1]]) for c in cells[:1])
                                           .replace(",0,", ",note,") + "\n"
                                           + "".join(",".join([c[3], c[2], "0", c[0], c[1]]) + "\n"
                                                     for c in cells[1:]))
    code, out, err = run(capsys, "evaluate", path, "--data", tmp_path / "shuffled.csv", "--target", "diagnosis",
                         "--out", tmp_path)
    net = backprop.load(path)
    assert code == 0, err
    assert out.splitlines()[0] == f"test accuracy: {net.score(data.X_test, data.labels(data.y_test)):.4f}"


def test_predict_reads_the_model_columns_by_name_and_ignores_others(models, tmp_path, capsys):
    path = models["builtin"][0]
    (tmp_path / "seed.csv").write_text("x1,x2,label\n0.5,0.25,1\n-1,0.5,0\n")
    assert main(["train", "--epochs", "2", "--out", str(tmp_path), "--name", "moons", "--quiet", "--no-figures"]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "predict", tmp_path / "moons", "--input", tmp_path / "seed.csv")
    assert code == 0, err
    assert [row.split(",")[:2] for row in out.splitlines()[1:]] == [["0.5", "0.25"], ["-1", "0.5"]]
    code, out, err = run(capsys, "predict", path, "--input", tmp_path / "seed.csv")  # iris: 4 columns, named
    assert code == 2 and "iris" not in err and "missing" in err


def test_predict_takes_points_that_start_with_a_minus_sign(tmp_path, capsys):
    assert main(["train", "--epochs", "2", "--out", str(tmp_path), "--name", "moons", "--quiet", "--no-figures"]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "predict", tmp_path / "moons", "-1,0.5", "0,0", "--output", tmp_path / "p.csv",
                         "-2.5,-1")
    assert code == 0, err
    rows = (tmp_path / "p.csv").read_text().splitlines()[1:]
    assert [row.split(",")[:2] for row in rows] == [["-1", "0.5"], ["0", "0"], ["-2.5", "-1"]]
    code, _, err = run(capsys, "predict", tmp_path / "moons", "-1,0.5", "--bogus")
    assert code == 2 and err == "backprop predict: error: unrecognized arguments: --bogus\n"


def test_the_fast_preset_fills_the_loss_regression_needs(tmp_path, capsys):
    code, out, err = run(capsys, "train", "--preset", "fast", "--task", "regression", "--dataset", "plane",
                         "--epochs", 2, "--out", tmp_path, "--name", "p", "--quiet", "--no-figures")
    assert code == 0 and out.startswith("test R^2"), err
    net = backprop.load(tmp_path / "p")
    assert net.loss.name == "mse" and net.layers[-1].activation.name == "identity"
    code, _, err = run(capsys, "train", "--preset", "fast", "--output-activation", "sigmoid", "--epochs", 1,
                       "--out", tmp_path, "--quiet")
    assert code == 2 and "preset 'fast' sets loss='cross_entropy'" in err


def test_a_sweep_without_its_extra_names_it(tmp_path, capsys, monkeypatch):
    import importlib.util

    find = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name.split(".")[0] in ("dask", "ray") else find(name, *a))
    monkeypatch.chdir(tmp_path)
    for backend, address in (("dask", "tcp://127.0.0.1:9"), ("ray", "127.0.0.1:9")):
        code, out, err = run(capsys, "sweep", "--lr", 0.1, 0.2, "--backend", backend, "--address", address,
                             "--name", "s")
        assert code == 2 and err.count("\n") == 1 and f'pip install "backprop[{backend}]"' in err, err
        assert f"--backend {backend}" in err and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [["--jobs", "0"], ["--jobs", "-1"], ["--backend", "dask"]])
def test_a_refused_sweep_leaves_no_folder(tmp_path, capsys, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "sweep", "--lr", 0.1, 0.2, *argv, "--name", "s")
    assert code == 2 and err.count("\n") == 1 and list(tmp_path.iterdir()) == []


def test_a_one_point_sweep_runs_its_one_run(tmp_path, capsys):
    code, out, err = run(capsys, "sweep", "--lr", 0.1, "--epochs", 2, "--jobs", 1, "--out", tmp_path, "--name", "one",
                         "--no-figures", "--quiet")
    assert code == 0 and out.startswith("1 runs, 0 failed"), err
    assert out.splitlines()[-1] == "backprop train --epochs 2 --lr 0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_ray_address_that_is_not_ray_is_refused_at_once(tmp_path, capsys, monkeypatch):
    """A web server on the port: no Ray cluster is started or joined, one line, exit 2, in seconds."""
    pytest.importorskip("ray.util.joblib")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):  # until it listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        monkeypatch.chdir(tmp_path)
        began = time.monotonic()
        code, _, err = run(capsys, "sweep", "--lr", 0.1, 0.2, "--backend", "ray", "--address", f"127.0.0.1:{port}",
                           "--name", "s")
        assert time.monotonic() - began < 30  # not minutes of ray.init retrying
    finally:
        server.terminate()
        server.wait()
    assert code == 2 and err.count("\n") == 1 and "not as a Ray cluster" in err and f"127.0.0.1:{port}" in err
    assert list(tmp_path.iterdir()) == []


def test_os_errors_name_the_option_and_the_path_given(models, tmp_path, capsys):
    path = models["builtin"][0]
    (tmp_path / "a_folder").mkdir()
    (tmp_path / "a_file").write_text("")
    for argv, option, given in [
        (["predict", path, "1,2,3,4", "--output", tmp_path / "a_folder"], "--output", "a_folder"),
        (["export", path, "--onnx", tmp_path / "a_folder"], "--onnx", "a_folder"),
        (["evaluate", path, "--out", tmp_path / "a_file"], "--out", "a_file"),
    ]:
        code, _, err = run(capsys, *argv)
        assert code == 2 and err.count("\n") == 1 and option in err and str(tmp_path / given) in err, err
        assert ".tmp" not in err and "Errno" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "a_folder"]


def test_a_file_option_refuses_a_missing_folder_a_folder_option_creates_it(models, tmp_path, capsys):
    """A missing folder in a file's path is most likely a typo: refused, not created silently."""
    path = models["builtin"][0]
    for argv, option, given in [
        (["plot-data", "--out"], "--out", "typo/d.svg"),
        (["compare", path, path, "--out"], "--out", "typo/c.png"),
        (["predict", path, "1,2,3,4", "--output"], "--output", "typo/p.csv"),
        (["export", path, "--onnx"], "--onnx", "typo/m.onnx"),
    ]:
        code, out, err = run(capsys, *argv, tmp_path / given)
        assert code == 2 and out == "", (argv, err)
        assert err == f"backprop {argv[0]}: error: {option} {str(tmp_path / given)!r}: no folder " \
                      f"{str(tmp_path / 'typo')!r} to write into (create it first)\n"
    assert list(tmp_path.iterdir()) == []
    code, _, err = run(capsys, "evaluate", path, "--out", tmp_path / "figures" / "nested")  # a folder: made
    assert code == 0 and (tmp_path / "figures" / "nested").is_dir(), err


def test_smaller_command_line_errors(models, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "train", "--seed", "-1", "--epochs", 1)
    assert code == 2 and err == "backprop train: error: --seed must be a non-negative integer. Received: -1\n"
    code, _, err = run(capsys, "replay", "runs/nope")
    assert code == 2 and "no run folder at 'runs/nope'" in err
    code, _, err = run(capsys, "trace", models["builtin"][0], "--lr", "-1")
    assert code == 2 and "--lr must be a positive number. Received: -1.0" in err
    code, _, err = run(capsys, "compare", models["builtin"][0], models["csv_labels"][0])
    assert code == 2 and f"{str(models['csv_labels'][0])!r} differs from" in err and "trained on patients.csv" in err
    assert list(tmp_path.iterdir()) == []


def test_show_without_a_display_says_so(tmp_path, capsys, monkeypatch):
    import matplotlib

    monkeypatch.setattr(matplotlib, "get_backend", lambda: "agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "get_backend", lambda: "agg")
    monkeypatch.setattr(plt, "show", lambda: pytest.fail("plt.show() on a backend that cannot show"))
    code, out, err = run(capsys, "plot-data", "--out", tmp_path / "d.svg", "--show")
    assert code == 0 and out == f"wrote {tmp_path / 'd.svg'}\n"
    assert "--show: no display to open a window on" in err


def test_a_table_sweep_standardises_by_default_as_train_does(models, tmp_path, capsys):
    table = models["csv_regression"][2].spec["path"]
    code, out, err = run(capsys, "sweep", "--data", table, "--target", "price", "--task", "regression", "--lr", 0.01,
                         0.02, "--hidden", 4, "--epochs", 2, "--jobs", 1, "--out", tmp_path, "--name", "t", "--quiet",
                         "--no-figures")
    assert code == 0, err
    assert "--standardize" in out.splitlines()[-1]  # the train command it prints says so
    for run_folder in (p for p in (tmp_path / "t").iterdir() if p.is_dir()):
        assert backprop.load(run_folder).standardization is not None


# (argv, what the one line must name); {model} is a trained run folder, {file} an existing file,
# {folder} an existing folder, all outside the working folder, which must stay empty.
BAD_ARGUMENTS = [
    (["train", "--epochs", "-1"], "--epochs"),
    (["train", "--lr", "0"], "--lr"),
    (["train", "--seed", "-1"], "--seed"),
    (["train", "--epochs", "abc"], "--epochs"),
    (["train", "--data", "nope.csv", "--target", "y"], "--data 'nope.csv'"),
    (["train", "--preset", "fast", "--task", "regression", "--loss", "cross_entropy"], "--task"),
    (["train", "--resume", "runs/nope"], "runs/nope"),
    (["train", "--epochs", "1", "--out", "{file}"], "--out"),
    (["train", "--epochs", "1", "--init-from", "{file}"], "--init-from"),
    (["sweep", "--lr", "0.1", "0.2", "--epochs", "1", "--out", "{file}"], "--out"),
    (["sweep", "--lr", "0.1", "0.2", "--jobs", "0"], "--jobs"),
    (["sweep", "--lr", "0.1", "0.2", "--backend", "dask"], "--address"),
    (["sweep", "--lr", "0.1", "-0.2"], "--lr"),
    (["sweep", "--lr", "0.1", "0.2", "--seeds", "0"], "--seeds"),
    (["sweep", "--lr", "0.1", "0.2", "--data", "nope.csv", "--target", "y"], "--data 'nope.csv'"),
    (["evaluate", "{model}", "--out", "{file}"], "--out"),
    (["evaluate", "{model}", "--data", "nope.csv", "--target", "y"], "--data 'nope.csv'"),
    (["evaluate", "runs/nope"], "runs/nope"),
    (["predict", "{model}", "--input", "nope.csv"], "--input"),
    (["predict", "{model}", "1,2,3,4", "--output", "{folder}"], "--output"),
    (["predict", "{model}", "1,x"], "points"),
    (["export", "{model}", "--onnx", "{folder}"], "--onnx"),
    (["gradcheck", "--samples", "0"], "--samples"),
    (["gradcheck", "--epsilon", "2"], "--epsilon"),
    (["gradcheck", "--dataset", "iris"], "--dataset"),
    (["trace", "{model}", "--sample", "100000"], "--sample"),
    (["trace", "{model}", "--lr", "-1"], "--lr"),
    (["trace", "{model}", "--target", "y"], "--target"),
    (["replay", "runs/nope"], "runs/nope"),
    (["compare", "{model}", "runs/nope"], "runs/nope"),
    (["compare", "{model}", "{model}", "--out", "c.txt"], "--out"),
    (["plot-data", "--out", "d.txt"], "--out"),
    (["plot-data", "--dataset", "nope"], "--dataset"),
    (["playground", "--port", "0"], "--port"),
    (["playground", "--port", "http"], "--port"),
]


def test_every_subcommand_refuses_a_bad_argument_in_one_line_leaving_nothing(models, tmp_path, capsys,
                                                                             monkeypatch):
    from backprop.cli import EXIT_USAGE, build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    assert {argv[0] for argv, _ in BAD_ARGUMENTS} == set(commands)  # a new command gets its case here
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "file").write_text("")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    places = {"model": str(models["builtin"][0]), "file": str(outside / "file"), "folder": str(outside / "folder")}
    for argv, named in BAD_ARGUMENTS:
        argv = [word.format(**places) for word in argv]
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == EXIT_USAGE, (argv, code, err)
        assert err.count("\n") == 1 and err.endswith("\n") and named in err, (argv, err)
        assert out == "" and "Traceback" not in err and ".tmp" not in err, (argv, out, err)
        assert list(work.iterdir()) == [], (argv, list(work.iterdir()))
        assert sorted(p.name for p in outside.iterdir()) == ["file", "folder"] and not any(
            (outside / "folder").iterdir()), argv


def test_regression_progress_shows_the_test_loss_not_a_nan_accuracy(models, tmp_path, capsys):
    table = models["csv_regression"][2].spec["path"]
    code, _, err = run(capsys, "train", "--data", table, "--target", "price", "--task", "regression", "--hidden", 4,
                       "--epochs", 2, "--eval-every", 1, "--out", tmp_path, "--no-figures")
    lines = [line for line in err.splitlines() if line.startswith("epoch")]
    assert code == 0 and len(lines) == 2 and all("test loss " in line and "nan" not in line for line in lines), err


def test_trace_says_when_the_input_shown_is_standardised(models, capsys):
    code, out, _ = run(capsys, "trace", models["csv_labels"][0])
    assert code == 0 and out.startswith("input x (standardised) = ")
    code, out, _ = run(capsys, "trace", models["builtin"][0])
    assert code == 0 and out.startswith("input x = ")


def test_a_closed_pipe_ends_the_output_quietly(models, capsys, monkeypatch):
    """backprop trace RUN | head -1: the reader leaves early; no 'Broken pipe' error, exit 0."""
    import io
    import os

    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):
            return os.open(os.devnull, os.O_WRONLY)

    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", ClosedPipe())  # stderr stays captured
    code = main(["trace", str(models["builtin"][0])])
    monkeypatch.undo()
    assert code == 0 and capsys.readouterr().err == ""


def test_an_estimator_fitted_on_codes_meets_a_set_that_names_them(tmp_path, capsys):
    """load_iris's y is 0, 1, 2; --dataset iris names them setosa, versicolor, virginica, in that order."""
    from sklearn.datasets import load_iris

    from backprop.sklearn import BackpropClassifier

    X, y = load_iris(return_X_y=True)
    clf = BackpropClassifier(hidden_layer_sizes=(6,), epochs=20, standardize=True, random_state=0).fit(X, y)
    backprop.save(clf.network_, tmp_path / "iris.safetensors")
    data = datasets.iris()
    code, out, err = run(capsys, "evaluate", tmp_path / "iris.safetensors", "--dataset", "iris", "--out", tmp_path)
    assert code == 0 and out.startswith(f"test accuracy: {clf.score(data.X_test, data.y_test):.4f}\n"), err
    code, out, err = run(capsys, "trace", tmp_path / "iris.safetensors", "--dataset", "iris", "--format", "json")
    assert code == 0 and json.loads(out)["label"] == int(data.y_train[0]), err
    code, _, err = run(capsys, "evaluate", models_of_labels(tmp_path), "--dataset", "iris")
    assert code == 2 and "--dataset iris: its labels ['setosa', 'versicolor', 'virginica'] are not the model's" in err


def models_of_labels(folder):
    """A 4-input model that knows three other labels."""
    net = backprop.Network([backprop.Dense(4, 3, "softmax")], loss="cross_entropy", seed=0)
    net.classes = ("a", "b", "c")
    return backprop.save(net, folder / "abc.safetensors")
