"""``sweep``: a grid of configurations times seeds, run in parallel, answered by one table and one figure."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import backends, grid, summary
from .worker import draw_summary, run_point


@dataclass(frozen=True)
class SweepProgress:
    """What a sweep's callback receives as each run ends: counts and the run's row."""

    done: int
    total: int
    row: dict
    skipped: bool = False  # done by an earlier sweep into the same folder


def sweep(grid_values: dict[str, Sequence], seeds: int | Sequence[int] = 1, preset: str = "seed",
          fixed: dict | None = None, search: str = "grid", trials: int | None = None, search_seed: int = 0,
          jobs: int | None = None, backend: str = "local", address: str | None = None,
          out: str | Path = "runs", name: str | None = None, figure_format: str = "svg",
          callback: Callable[[SweepProgress], None] | None = None, data=None, draw: bool = True) -> list[dict]:
    """Train every point of ``grid_values`` (field name -> values) for every seed; returns the table.

    seeds: N for seeds 0..N-1, or the seeds themselves.   preset, fixed: the starting configuration
    and the options every run shares.   search: "grid", or "random" with ``trials`` points drawn
    (from ``search_seed``).   jobs, backend, address: where the runs execute (see ``backends``).
    out/name: the sweep folder (default out/<time>): one run folder per point, named by its
    options and seed, plus summary.csv and summary.<figure_format>. Points whose folder exists
    are skipped, so running the same sweep again finishes an interrupted one.
    data: a ``datasets.Dataset`` to train on instead of the configuration's named set (e.g. from
    ``datasets.from_csv``); it travels to the workers with each run, so they need no shared disk.
    draw: False leaves each run's figures and report out (the summary figure is still drawn):
    drawing them takes most of a short run's time.

    Returns one row per point: each swept option, seed, metric ("accuracy", or "r2" for a
    regression set), test_score (that metric on the test split), train_seconds, run (the folder's
    name) and error (None, or why the run failed: a failed run does not stop the sweep).
    """
    seed_list = list(range(seeds)) if isinstance(seeds, int) and not isinstance(seeds, bool) else list(seeds)
    grid_values = {key: list(values) for key, values in grid_values.items()}
    points = grid.make_points(grid_values, seed_list, search, trials, search_seed)
    fixed = dict(fixed or {})
    if data is not None and data.task != "classification":
        fixed.setdefault("task", data.task)
    experiments = {p.name: p.experiment(preset, fixed) for p in points}  # every point checked before any run
    definition = {"preset": preset, "fixed": fixed, "grid": grid_values, "seeds": seed_list, "search": search,
                  "trials": trials, "search_seed": search_seed}
    if data is not None:
        definition["data"] = data.spec
    backends.check(backend, address, jobs)  # a refused sweep leaves no folder behind
    new = name is None or not (Path(out) / name / "sweep.json").exists()  # a resumed sweep's folder stays
    new_out = not Path(out).exists()
    folder = _sweep_folder(out, name, definition)
    from .. import runs

    runs.remove_staging(folder)  # what a killed sweep was writing: those points run again
    keys = list(grid_values)
    rows, todo = {}, []
    for point in points:
        if (folder / point.name / "config.json").exists():
            rows[point.name] = _row(point, summary.read_run(folder / point.name))
            if callback:
                callback(SweepProgress(len(rows), len(points), rows[point.name], skipped=True))
        else:
            todo.append(point)
    if todo:
        try:
            figure = _run(todo, experiments, folder, rows, points, keys, figure_format, callback, backend, address,
                          jobs, data, draw)
        except backends.ClusterUnreachable:
            if new and not rows:  # nothing ran: leave no folder holding only sweep.json
                import shutil

                shutil.rmtree(folder, ignore_errors=True)
                if new_out:
                    Path(out).rmdir()
            raise
    else:
        figure = draw_summary([rows[p.name] for p in points], keys, figure_format)
    table = [rows[p.name] for p in points]
    from .. import persistence

    persistence.write_atomic(folder / "summary.csv", summary.csv_text(table, keys).encode())
    persistence.write_atomic(folder / f"summary.{figure_format}", figure)
    return table


def _run(todo, experiments, folder, rows, points, keys, figure_format, callback, backend, address, jobs, data,
         draw) -> bytes:
    """Run ``todo`` on the backend, writing each run folder as its result arrives (into ``rows``);
    then draw the summary figure of all ``points``, and return its bytes.

    SVG is written here, by hand, in milliseconds. A png or pdf figure is drawn by a worker, which
    has matplotlib loaded already: importing it here costs about 0.5 s of a core that, on a small
    machine, the workers are using."""
    import joblib

    from .. import runs

    by_name = {p.name: p for p in todo}
    with backends.connect(backend, address, jobs) as run:
        tasks = (joblib.delayed(run_point)(p.name, experiments[p.name], figure_format, data, draw) for p in todo)
        for result in run(tasks):
            runs.write_folder(folder / result["name"], result["files"])
            rows[result["name"]] = _row(by_name[result["name"]], result)
            if callback:
                callback(SweepProgress(len(rows), len(points), rows[result["name"]]))
        table = [rows[p.name] for p in points]
        if figure_format == "svg":
            return draw_summary(table, keys, figure_format)
        return next(iter(run([joblib.delayed(draw_summary)(table, keys, figure_format)])))


def _row(point: grid.Point, result: dict) -> dict:
    return {**dict(point.params), "seed": point.seed, "metric": result["metric"], "test_score": result["test_score"],
            "train_seconds": result["train_seconds"], "run": point.name, "error": result["error"]}


def _sweep_folder(out, name: str | None, definition: dict) -> Path:
    """out/name, made if new; a folder holding a different sweep is refused (its runs would be mistaken)."""
    import json

    from .. import runs

    base = name or time.strftime("%Y%m%d-%H%M%S")
    if "/" in base or base in ("", ".", ".."):
        raise ValueError(f"name must be a plain folder name. Received: name={base!r}")
    folder = Path(out) / base
    record = folder / "sweep.json"
    text = json.loads(json.dumps(definition, default=list))  # tuples as lists, as the file holds them
    if record.exists():
        if runs.read_json(record) != text:
            raise ValueError(f"{str(folder)!r} holds a different sweep (see its sweep.json): choose another --name")
    else:
        folder.mkdir(parents=True, exist_ok=True)
        runs.write_json(text, record)
    return folder
