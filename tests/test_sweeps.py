"""Sweeps: the grid, the files, resuming, failures, and the same results on every backend."""
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import backprop
from backprop.cli import main
from backprop.sweeps import ClusterUnreachable, grid, summary

FAST = {"epochs": 3}  # every run here: the fast preset cut to 3 epochs
GRID = {"hidden": [(8,), (8, 8)], "learning_rate": [0.01, 0.02]}  # in the order the command line sweeps them
RUN_FILES = {"model.safetensors", "metrics.csv", "curves.svg", "config.json", "health.csv", "health.svg", "report.html"}


def read_summary(folder: Path, drop=("train_seconds",)) -> list[dict]:
    with open(folder / "summary.csv", newline="") as f:
        return [{k: v for k, v in row.items() if k not in drop} for row in csv.DictReader(f)]


def model_bytes(folder: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted(folder.glob("*/model.safetensors"))}


# ------------------------------------------------------------------------------------------ the grid
def test_the_grid_is_the_cross_product_times_the_seeds():
    points = grid.make_points(GRID, [0, 5])
    assert len(points) == 2 * 2 * 2
    assert points[0].name == "hidden=8_learning_rate=0.01_seed=0"
    assert points[-1].name == "hidden=8-8_learning_rate=0.02_seed=5"
    assert len({p.name for p in points}) == len(points)


def test_random_search_draws_distinct_points_reproducibly():
    big = {"learning_rate": [0.001, 0.003, 0.01, 0.03, 0.1], "hidden": [(8,), (16,), (32,)]}
    a = grid.make_points(big, [0], search="random", trials=4)
    b = grid.make_points(big, [0], search="random", trials=4)
    assert [p.name for p in a] == [p.name for p in b] and len({p.params for p in a}) == 4
    assert [p.name for p in grid.make_points(big, [0], search="random", trials=4, search_seed=1)] != [p.name for p in a]


@pytest.mark.parametrize("kwargs,message", [
    ({"grid_values": {"learning_rate": []}}, r"needs at least one value. Received: learning_rate=\[\]"),
    ({"grid_values": GRID, "seeds": []}, r"seeds must hold at least one seed"),
    ({"grid_values": GRID, "search": "random", "trials": 5}, r"trials must be an integer in \[1, 4\]"),
    ({"grid_values": GRID, "trials": 2}, r"trials is for search='random'"),
    ({"grid_values": {"learning_rate": [-1.0, 0.1]}}, r"learning_rate must be a positive number. Received: "
                                                      r"learning_rate=-1.0"),
    ({"grid_values": {"widths": [1, 2]}}, r"options must be among .* Received: 'widths'"),
    ({"grid_values": GRID, "backend": "spark"}, r"backend must be one of \['local', 'dask', 'ray'\]"),
])
def test_bad_sweeps_are_refused_before_any_run(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        backprop.sweep(**kwargs, preset="fast", fixed=FAST, out=tmp_path, name="s")
    assert not (tmp_path / "s" / "summary.csv").exists()


# ------------------------------------------------------------------------------------------ a sweep
@pytest.fixture(scope="module")
def local_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweeps")
    rows = backprop.sweep(GRID, seeds=2, preset="fast", fixed=FAST, jobs=1, out=out, name="local")
    return out / "local", rows


def test_a_sweep_writes_a_run_folder_per_point_and_a_summary(local_sweep):
    folder, rows = local_sweep
    assert len(rows) == 8 and all(r["error"] is None for r in rows)
    for row in rows:
        assert {p.name for p in (folder / row["run"]).iterdir()} == RUN_FILES  # as backprop train writes
        assert backprop.load(folder / row["run"] / "model.safetensors").sizes[1:-1] == list(row["hidden"])
    table = read_summary(folder, drop=())
    assert list(table[0]) == ["hidden", "learning_rate", "seed", "metric", "test_score", "train_seconds", "run",
                              "error"]
    assert [r["run"] for r in table] == [r["run"] for r in rows]
    assert table[4]["hidden"] == "8-8" and float(table[0]["test_score"]) == rows[0]["test_score"]
    assert {r["metric"] for r in table} == {"accuracy"}
    assert (folder / "summary.svg").read_text().lstrip().startswith("<?xml")


def test_a_sweep_run_is_the_same_as_backprop_train(local_sweep, tmp_path, capsys):
    folder, rows = local_sweep
    row = rows[5]
    assert main(["train", "--preset", "fast", "--epochs", "3", "--lr", str(row["learning_rate"]), "--hidden",
                 ",".join(map(str, row["hidden"])), "--seed", str(row["seed"]), "--out", str(tmp_path), "--name",
                 "t", "--quiet"]) == 0
    capsys.readouterr()
    assert {p.name for p in (tmp_path / "t").iterdir()} == {p.name for p in (folder / row["run"]).iterdir()}
    for name in ("model.safetensors", "metrics.csv", "health.csv"):
        assert (tmp_path / "t" / name).read_bytes() == (folder / row["run"] / name).read_bytes()


def test_two_jobs_give_the_same_results_with_one_blas_thread_each(local_sweep, tmp_path):
    folder, _ = local_sweep
    backprop.sweep(GRID, seeds=2, preset="fast", fixed=FAST, jobs=2, out=tmp_path, name="two")
    assert read_summary(tmp_path / "two") == read_summary(folder)
    assert model_bytes(tmp_path / "two") == model_bytes(folder)

    import joblib

    from backprop.sweeps.worker import run_point

    point = grid.make_points(GRID, [0])[0]
    results = joblib.Parallel(n_jobs=2)(joblib.delayed(run_point)(point.name, point.experiment("fast", FAST))
                                        for _ in range(2))
    assert [r["blas_threads"] for r in results] == [1, 1]


def test_stop_local_workers_ends_the_worker_processes_at_once():
    import joblib

    from backprop.sweeps import backends

    with backends.connect("local", None, 2) as run:
        pids = set(run(joblib.delayed(os.getpid)() for _ in range(4)))
    assert pids and os.getpid() not in pids  # ran in worker processes
    for pid in pids:
        os.kill(pid, 0)  # kept for the next sweep: still alive
    backends.stop_local_workers()
    for pid in pids:
        with pytest.raises(ProcessLookupError):  # gone, and reaped
            os.kill(pid, 0)
    backends.stop_local_workers()  # no pool: nothing to do, no error


def test_the_command_stops_its_workers_before_it_exits(tmp_path, monkeypatch, capsys):
    from backprop.sweeps import backends

    calls = []
    monkeypatch.setattr(backends, "stop_local_workers", lambda: calls.append("stop"))
    assert main(["sweep", "--preset", "fast", "--epochs", "1", "--lr", "0.01", "0.02", "--hidden", "8", "--jobs",
                 "1", "--out", str(tmp_path), "--name", "s", "--quiet"]) == 0
    assert calls == ["stop"]


def test_rerunning_a_sweep_skips_the_points_already_done(local_sweep, tmp_path):
    folder, _ = local_sweep
    copy = tmp_path / "local"
    shutil.copytree(folder, copy)
    for name in ("hidden=8_learning_rate=0.02_seed=1", "hidden=8-8_learning_rate=0.01_seed=0"):
        shutil.rmtree(copy / name)  # as if these two were in flight when the sweep was killed
    (copy / "summary.csv").unlink()
    half = copy / ".hidden=8_learning_rate=0.02_seed=1.k1ll3d.tmp"  # write_folder's staging, cut short
    half.mkdir()
    (half / "model.safetensors").write_bytes(b"half")
    kept = (copy / "hidden=8_learning_rate=0.01_seed=0" / "model.safetensors").stat().st_mtime_ns
    seen = []
    backprop.sweep(GRID, seeds=2, preset="fast", fixed=FAST, jobs=1, out=tmp_path, name="local", callback=seen.append)
    assert sorted(p.row["run"] for p in seen if not p.skipped) == [
        "hidden=8-8_learning_rate=0.01_seed=0", "hidden=8_learning_rate=0.02_seed=1"]
    assert sum(p.skipped for p in seen) == 6
    assert (copy / "hidden=8_learning_rate=0.01_seed=0" / "model.safetensors").stat().st_mtime_ns == kept
    assert read_summary(copy) == read_summary(folder) and model_bytes(copy) == model_bytes(folder)
    assert not half.exists()


def test_a_different_sweep_into_the_same_folder_is_refused(local_sweep):
    folder, _ = local_sweep
    with pytest.raises(ValueError, match="holds a different sweep"):
        backprop.sweep(GRID, seeds=3, preset="fast", fixed=FAST, jobs=1, out=folder.parent, name=folder.name)


def test_a_failed_point_is_a_row_with_its_error(tmp_path):
    fixed = {"epochs": 10, "hidden": (8,), "activation": "relu", "output_activation": "identity", "loss": "mse",
             "batch_size": 1400, "optimizer": "momentum", "eval_every": 1}
    rows = backprop.sweep({"learning_rate": [0.1, 3.0]}, seeds=1, preset="seed", fixed=fixed, jobs=1, out=tmp_path,
                          name="f")
    assert rows[0]["error"] is None and rows[0]["test_score"] > 0.5
    assert "training diverged at epoch" in rows[1]["error"] and np.isnan(rows[1]["test_score"])
    failed = tmp_path / "f" / rows[1]["run"]
    assert {p.name for p in failed.iterdir()} == {"config.json"}  # no model with NaN
    assert "training diverged" in read_summary(tmp_path / "f")[1]["error"]
    assert summary.best(rows, ["learning_rate"])["params"] == {"learning_rate": 0.1}


def test_a_killed_sweep_loses_only_the_runs_in_flight(tmp_path, local_sweep):
    folder, _ = local_sweep
    argv = ["sweep", "--preset", "fast", "--epochs", "3", "--lr", "0.01", "0.02", "--hidden", "8", "8,8", "--seed",
            "1", "--jobs", "1", "--out", str(tmp_path), "--name", "local", "--quiet"]
    process = subprocess.Popen([sys.executable, "-m", "backprop", *argv], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120

    def finished():  # run folders; the hidden .<name>.*.tmp ones are still being written
        return [p for p in (tmp_path / "local").glob("[!.]*") if p.is_dir()]

    while len(finished()) < 2:
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    done = finished()
    assert 2 <= len(done) < 4 and not (tmp_path / "local" / "summary.csv").exists()
    assert all({p.name for p in run.iterdir()} == RUN_FILES for run in done)  # no half-written folder
    assert main(argv) == 0
    assert read_summary(tmp_path / "local") == [row for row in read_summary(folder) if row["seed"] == "1"]
    assert not list((tmp_path / "local").glob(".*"))  # a staging folder the kill left behind is gone


# ------------------------------------------------------------------------------------------ clusters
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dask_cluster():
    """A real Dask scheduler and two one-thread workers, as separate processes on loopback."""
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client

    address = f"tcp://127.0.0.1:{free_port()}"
    dask = [sys.executable, "-m", "dask"]  # not bin/dask beside python: a venv on the system's packages has none
    scheduler = subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port",
                                  address.rsplit(":", 1)[1], "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = subprocess.Popen([*dask, "worker", address, "--nworkers", "2", "--nthreads", "1",
                                "--no-dashboard", "--memory-limit", "2GiB"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in (workers, scheduler):
            process.terminate()
            process.wait(timeout=60)


def test_dask_gives_exactly_the_local_results(local_sweep, dask_cluster, tmp_path):
    folder, _ = local_sweep
    backprop.sweep(GRID, seeds=2, preset="fast", fixed=FAST, backend="dask", address=dask_cluster, out=tmp_path,
                   name="dask")
    assert read_summary(tmp_path / "dask") == read_summary(folder)
    assert model_bytes(tmp_path / "dask") == model_bytes(folder)


@pytest.mark.slow  # starting a Ray head node takes about 15 s
def test_ray_gives_exactly_the_local_results(local_sweep, tmp_path):
    pytest.importorskip("ray", reason="the ray extra is not installed: pip install 'backprop[ray]'")
    folder, _ = local_sweep
    port = free_port()
    ray = str(Path(sys.executable).parent / "ray")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    started = subprocess.run([ray, "start", "--head", "--port", str(port), "--num-cpus", "2", "--include-dashboard",
                              "false", "--disable-usage-stats"], capture_output=True, text=True, env=env, timeout=180)
    assert started.returncode == 0, started.stderr
    try:
        backprop.sweep(GRID, seeds=2, preset="fast", fixed=FAST, backend="ray", address=f"127.0.0.1:{port}",
                       out=tmp_path, name="ray")
    finally:
        subprocess.run([ray, "stop", "--force"], capture_output=True, env=env, timeout=120)
    assert read_summary(tmp_path / "ray") == read_summary(folder)
    assert model_bytes(tmp_path / "ray") == model_bytes(folder)


@pytest.mark.parametrize("backend,address", [("dask", "tcp://127.0.0.1:{port}"), ("ray", "127.0.0.1:{port}")])
def test_an_unreachable_cluster_is_named(tmp_path, backend, address):
    pytest.importorskip("dask.distributed" if backend == "dask" else "ray")
    address = address.format(port=free_port())  # nothing listens there
    began = time.monotonic()
    with pytest.raises(ClusterUnreachable, match=f"cannot reach the .* at address='{address}'"):
        backprop.sweep(GRID, seeds=1, preset="fast", fixed=FAST, backend=backend, address=address, out=tmp_path,
                       name="u")
    assert time.monotonic() - began < 30


# ------------------------------------------------------------------------------------------ command line
def test_the_command_prints_progress_lines_and_the_best_train_command(local_sweep, tmp_path, capsys):
    code = main(["sweep", "--preset", "fast", "--epochs", "3", "--lr", "0.01", "0.02", "--hidden", "8", "8,8",
                 "--seed", "1", "--jobs", "1", "--out", str(tmp_path), "--name", "cli"])
    out, err = capsys.readouterr()
    assert code == 0
    lines = err.strip().splitlines()
    assert len(lines) == 4 and lines[0].startswith("run   1/4  hidden=8_learning_rate=0.01_seed=1  test accuracy")
    table = read_summary(tmp_path / "cli")
    assert table == [row for row in read_summary(local_sweep[0]) if row["seed"] == "1"]
    top = max(float(row["test_score"]) for row in table)  # equal accuracies: the faster one is named
    assert out.strip().splitlines()[-1] in {f"backprop train --preset fast --epochs 3 --hidden "
                                            f"{row['hidden'].replace('-', ',')} --lr {row['learning_rate']}"
                                            for row in table if float(row["test_score"]) == top}
    assert main(["sweep", "--preset", "fast", "--epochs", "3", "--lr", "0.01", "0.02", "--jobs", "1", "--out",
                 str(tmp_path), "--name", "q", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_no_figures_sweeps_the_same_runs_without_their_figures(local_sweep, tmp_path, capsys):
    folder, _ = local_sweep
    assert main(["sweep", "--preset", "fast", "--epochs", "3", "--lr", "0.01", "0.02", "--hidden", "8", "8,8",
                 "--seeds", "2", "--jobs", "1", "--out", str(tmp_path), "--name", "bare", "--quiet",
                 "--no-figures"]) == 0
    capsys.readouterr()
    bare = tmp_path / "bare"
    for run in (p for p in bare.iterdir() if p.is_dir()):
        assert {p.name for p in run.iterdir()} == RUN_FILES - {"curves.svg", "health.svg", "report.html"}
    assert model_bytes(bare) == model_bytes(folder) and read_summary(bare) == read_summary(folder)
    assert (bare / "summary.svg").exists()  # the sweep's own figure is still drawn


def test_the_command_draws_a_progress_bar_on_a_terminal(tmp_path, monkeypatch, capsys):
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["sweep", "--preset", "fast", "--epochs", "1", "--lr", "0.01", "0.02", "--hidden", "8", "--jobs",
                 "1", "--out", str(tmp_path), "--name", "bar"]) == 0
    drawn = terminal.getvalue()
    assert "2/2" in drawn and ("run/s" in drawn or "s/run" in drawn)  # tqdm's bar, counting runs
    assert "run   1/2" not in drawn  # not the plain lines


@pytest.mark.parametrize("metrics,label,scale", [(["accuracy"], "test accuracy (%)", 100),
                                                 (["r2"], "test R\u00b2", 1),
                                                 (["r2", "accuracy"], "test score", 1)])
def test_the_summary_figure_names_what_the_score_column_holds(metrics, label, scale):
    rows = [{"learning_rate": lr, "seed": seed, "metric": metric, "test_score": score, "train_seconds": 0.1,
             "run": f"{lr}-{seed}", "error": None}
            for lr, score, metric in ((0.01, 0.5, metrics[0]), (0.02, 0.75, metrics[-1])) for seed in (0, 1)]
    panel = summary.chart(rows, ["learning_rate"]).panels[0]
    name = label.split(" (")[0]  # "test accuracy (%)" -> "Test accuracy by learning_rate"
    assert panel.ylabel == label and panel.title == f"{name[0].upper()}{name[1:]} by learning_rate"
    means = [p.y[0] for p in panel.points if p.size == 9]  # each mean: its marker, a bar and two caps
    assert means == [0.5 * scale, 0.75 * scale] and len(panel.series) == 2 * 3
    ax = summary.figure(rows, ["learning_rate"]).axes[0]  # matplotlib draws the same chart (png, pdf)
    assert ax.get_ylabel() == label and ax.get_title() == panel.title


def test_a_sweep_on_a_csv_table_sends_the_table_to_the_workers(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3)) * [1, 50, 0.1]
    rows = "".join(f"{a},{b},{c},{a + b / 50 - c * 10}\n" for a, b, c in X)
    table = tmp_path / "houses.csv"
    table.write_text("rooms,area,age,price\n" + rows)
    argv = ["sweep", "--data", str(table), "--target", "price", "--task", "regression", "--hidden", "8",
            "--activation", "tanh", "--optimizer", "adam", "--batch-size", "8", "--epochs", "20", "--lr", "0.01",
            "0.03", "--standardize", "true", "false", "--jobs", "2", "--out", str(tmp_path), "--name", "t"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "test R^2 0." in err  # the score of a regression table is R^2
    out = out.strip().splitlines()
    assert out[-2].startswith("best, by mean test R^2 over 1 seed(s)")
    assert out[-1].startswith(f"backprop train --data {table} --target price --task regression --hidden 8 ")
    assert "--standardize" in out[-1]  # standardised inputs win on these scales
    table_rows = read_summary(tmp_path / "t", drop=("train_seconds",))
    assert len(table_rows) == 4 and all(row["error"] == "" for row in table_rows)
    assert {row["metric"] for row in table_rows} == {"r2"}  # the column says what test_score holds
    best = max(float(row["test_score"]) for row in table_rows)
    assert best > 0.9
    run = tmp_path / "t" / table_rows[0]["run"]
    net = backprop.load(run)
    assert net.task == "regression" and net.feature_names == ("rooms", "area", "age")
    assert backprop.runs.read_json(run / "config.json")["dataset"]["target"] == "price"


@pytest.mark.parametrize("argv,message", [
    (["--lr", "0.01", "0.02", "--seeds", "0"], "--seeds must be a positive integer. Received: 0"),
    (["--lr", "0.01", "0.02", "--seed", "-1"], "--seed must be non-negative integers. Received: -1"),
    (["--lr", "0.01", "0.02", "--target", "y"], "--target and --task go with --data"),
    (["--lr", "0.01", "0.02", "--widths", "3"], "unrecognized arguments: --widths 3"),
    (["--lr", "0.01", "0.02", "--backend", "dask"], "--backend dask needs --address"),
    (["--lr", "0.01", "0.02", "--backend", "dask", "--address", "tcp://127.0.0.1:9"],
     "cannot reach the Dask scheduler at address='tcp://127.0.0.1:9'"),
    (["--lr", "0.01", "0.02", "--trials", "1"], "--trials goes with --search random"),
    (["--lr", "0.01", "0.02", "--search", "random"],
     "backprop sweep: error: --search random needs --trials N: how many of the grid's 2 points to draw"),
    (["--lr", "0.01", "--search", "random"], "how many of the grid's 1 point to draw"),
    (["--lr", "0.01", "0.02", "--search", "random", "--trials", "3"], "--trials: trials must be an integer in [1, 2]"),
    (["--lr", "0.01", "0.02", "--jobs", "0"], "jobs must be a positive integer"),
    (["--lr", "0.01", "-0.02"], "learning_rate must be a positive number"),
])
def test_bad_sweeps_are_one_line_and_exit_2(tmp_path, capsys, argv, message):
    if "dask" in argv:
        pytest.importorskip("dask.distributed")
    assert main(["sweep", "--preset", "fast", *argv, "--out", str(tmp_path), "--name", "bad"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not list(tmp_path.glob("bad/*/model.safetensors"))


def test_a_run_folder_has_the_permissions_of_a_plain_folder(tmp_path):
    """write_folder fills a staging folder and renames it: the run folder must not stay private
    (tempfile.mkdtemp makes 0700 folders whatever the umask), unlike one `backprop train` makes."""
    from backprop import runs

    made = runs.write_folder(tmp_path / "run", {"a.txt": b"x"})
    plain = tmp_path / "plain"
    plain.mkdir()
    assert made.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
    assert (made / "a.txt").read_bytes() == b"x" and not list(tmp_path.glob(".*"))


def test_a_sweep_folder_written_before_the_metric_column_still_resumes(tmp_path):
    """Old run folders name their score test_accuracy (R^2 for regression): read by their task."""
    import json

    grid, fixed = {"learning_rate": [0.01, 0.03]}, {"hidden": (4,), "activation": "tanh", "epochs": 2,
                                                      "batch_size": 32, "optimizer": "adam", "dataset": "plane"}
    rows = backprop.sweep(grid, seeds=1, preset="seed", fixed=fixed, jobs=1, out=tmp_path, name="old")
    for row in rows:  # rewrite each config.json as the sweeps before the metric column wrote it
        path = tmp_path / "old" / row["run"] / "config.json"
        config = json.loads(path.read_text())
        config["test_accuracy"] = config.pop("test_score")
        del config["metric"]
        path.write_text(json.dumps(config))
    again = backprop.sweep(grid, seeds=1, preset="seed", fixed=fixed, jobs=1, out=tmp_path, name="old")
    assert [(r["metric"], r["test_score"]) for r in again] == [("r2", r["test_score"]) for r in rows]
    assert [row["metric"] for row in read_summary(tmp_path / "old")] == ["r2", "r2"]


def test_the_summary_figure_marks_failed_runs_and_keeps_its_legend_off_the_panels():
    nan = float("nan")
    rows = [{"learning_rate": lr, "seed": seed, "metric": "r2", "test_score": nan if lr == 3.0 else 0.9 + seed / 100,
             "train_seconds": nan if lr == 3.0 else 0.2, "run": f"{lr}-{seed}", "error": "diverged" if lr == 3.0
             else None} for lr in (0.01, 3.0) for seed in (0, 1)]
    chart = summary.chart(rows, ["learning_rate"])
    score_panel, time_panel = chart.panels
    for panel in chart.panels:
        crosses = [p for p in panel.points if p.marker == "X"]
        assert len(crosses) == 1 and list(crosses[0].x) == [1]  # under learning_rate 3.0
        assert crosses[0].y[0] < min(y for p in panel.points if p.marker != "X" for y in p.y)  # at the foot
        assert panel.x_ticks == [(0, "0.01"), (1, "3.0 (2 failed)")]
    labels = [p.label for p in score_panel.points if p.label]
    assert labels == ["mean, min-max over seeds", "one run (seed)", "failed run(s)"]
    assert score_panel.legend and not time_panel.legend
    # the legend's band above the data: no mark in the top third of the score panel
    top = score_panel.ylim[0] + 0.7 * (score_panel.ylim[1] - score_panel.ylim[0])
    assert all(y < top for p in score_panel.points for y in p.y)
    assert max(v for v, _ in score_panel.y_ticks) < top  # and no tick in it (a 110% accuracy)
    assert chart.title == "Sweep of 4 runs (2 failed)"


@pytest.mark.parametrize("seconds,label,shown", [(0.000693, "training time (ms)", 0.693),
                                                 (2.5, "training time (s)", 2.5)])
def test_the_summary_figure_gives_short_training_times_in_milliseconds(seconds, label, shown):
    # in seconds, a fast run's tick labels ("0.000693") pushed the axis label off the figure
    rows = [{"learning_rate": lr, "seed": 0, "metric": "accuracy", "test_score": 0.9, "train_seconds": seconds,
             "run": str(lr), "error": None} for lr in (0.01, 0.02)]
    panel = summary.chart(rows, ["learning_rate"]).panels[1]
    assert panel.ylabel == label and not panel.series  # one seed: each run's dot, no mean bar
    dots = [y for p in panel.points for y in p.y]
    assert len(dots) == 2 and all(y == pytest.approx(shown) for y in dots)


def test_a_sweep_of_one_seed_draws_no_spread_over_seeds():
    rows = [{"learning_rate": lr, "seed": 0, "metric": "accuracy", "test_score": 0.9, "train_seconds": 0.2,
             "run": str(lr), "error": None} for lr in (0.01, 0.02)]
    legend = [p.label for p in summary.chart(rows, ["learning_rate"]).panels[0].points if p.label]
    assert legend == ["one run (seed)"]  # not "mean, min-max over seeds" of one seed


def test_an_svg_sweep_draws_its_summary_without_matplotlib(tmp_path):
    """Runs and summary alike are SVG written by hand: a one-job sweep (all in this process) never
    imports matplotlib, whose import cost a worker about 0.5 s of a core for the summary alone."""
    code = f"""
import sys
import backprop
rows = backprop.sweep({{"learning_rate": [0.01, 0.02]}}, seeds=2, preset="fast", fixed={{"epochs": 2}}, jobs=1,
                      out={str(tmp_path)!r}, name="s")
text = open({str(tmp_path / "s" / "summary.svg")!r}).read()
assert "Sweep of 4 runs" in text and "Test accuracy by learning_rate" in text, text[:300]
print("matplotlib" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
