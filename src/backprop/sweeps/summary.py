"""A sweep's answer: summary.csv (one row per run), summary.svg (the test score and time against
each swept option, with the spread over seeds) and the best configuration.

The test score is the accuracy of a classifier and R^2 of a regressor: each row says which in its
``metric`` column ("accuracy" or "r2") beside ``test_score``. Sweep folders written before these
columns (a ``test_accuracy`` that held R^2 for regression) are still read, and so resumed."""
from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from pathlib import Path

import numpy as np

from ..charts import Chart, Panel, Points, Series, ticks
from ..charts.chart import BLUE
from .grid import format_value

RESULT_COLUMNS = ("seed", "metric", "test_score", "train_seconds", "run", "error")
METRICS = {"classification": "accuracy", "regression": "r2"}  # a run's task -> what its test_score holds
LABELS = {"accuracy": "test accuracy", "r2": "test R^2"}
ORANGE, RED = "#ff7f0e", "#d62728"  # matplotlib's tab:orange and tab:red: a run's dot, a failed run's cross
CAP = 0.08  # half a min-max bar's cap, in x units (one option value apart)
LEGEND_ROOM = 0.45  # of the data's span, added above it in the panels that hold the legend
FOOT_ROOM = 0.15  # of the data's span, added below it where failed runs are marked


def columns(keys: list[str]) -> list[str]:
    """summary.csv's columns: each swept option, then ``RESULT_COLUMNS``."""
    return [*keys, *RESULT_COLUMNS]


def csv_text(rows: list[dict], keys: list[str]) -> str:
    """summary.csv's text: option values as in folder names (widths as 32-32), an empty error when none."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(keys), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: format_value(row[k]) if k in keys else ("" if row[k] is None else row[k])
                         for k in columns(keys)})
    return buffer.getvalue()


def score_label(tasks) -> str:
    """What test_score holds for runs of these tasks: "test accuracy" (classification), "test R^2"
    (regression), or "test score" for a sweep over both."""
    return metric_label(METRICS[task] for task in tasks)


def metric_label(metrics) -> str:
    """The words for test_score in rows of these ``metric`` values (see ``score_label``)."""
    metrics = set(metrics)
    return LABELS[metrics.pop()] if len(metrics) == 1 else "test score"


def best(rows: list[dict], keys: list[str]) -> dict | None:
    """The swept options' values with the highest mean test score over seeds (ties: the faster),
    as {"params": {key: value}, "test_score": mean, "metric": its metric, "runs": n}; None if
    every run failed."""
    groups = defaultdict(list)
    for row in rows:
        if row["error"] is None:
            groups[tuple(format_value(row[k]) for k in keys)].append(row)
    if not groups:
        return None
    scored = [(np.mean([r["test_score"] for r in group]), -np.mean([r["train_seconds"] for r in group]), group)
              for group in groups.values()]
    score, _, group = max(scored, key=lambda item: item[:2])
    return {"params": {k: group[0][k] for k in keys}, "test_score": float(score), "metric": group[0]["metric"],
            "runs": len(group)}


def chart(rows: list[dict], keys: list[str]) -> Chart:
    """The test score (top row, named for what the rows' ``metric`` says it holds) and the training
    time (bottom row) against each swept option, as a ``charts.Chart``: every seed's run as a dot,
    the mean over seeds as a marker with the min-max range, and a red cross at the foot of each
    option value that had a failed run (its tick label says how many). The legend is the first
    panel's: a failed run is in every option's panels, so its cross is in the first too."""
    panels = keys or [None]
    score = metric_label(r["metric"] for r in rows).replace("^2", "\u00b2")  # the terminal's R^2 as R²
    scale, ylabel = (100, "test accuracy (%)") if score == "test accuracy" else (1, score)
    done = [r for r in rows if r["error"] is None]
    time_scale, time_unit = time_axis([r["train_seconds"] for r in done])
    top, bottom = [], []
    for column, key in enumerate(panels):
        labels = sorted({format_value(r[key]) for r in rows}, key=_natural) if key else ["all runs"]
        groups = [[r for r in done if key is None or format_value(r[key]) == label] for label in labels]
        failed = [sum(r["error"] is not None for r in rows if key is None or format_value(r[key]) == label)
                  for label in labels]
        ticked = [(x, f"{label} ({count} failed)" if count else label)
                  for x, (label, count) in enumerate(zip(labels, failed))]
        top.append(_panel(ticked, [[scale * r["test_score"] for r in g] for g in groups], failed, ylabel,
                          f"{score[0].upper()}{score[1:]} by {key or 'seed'}", key or "", legend=column == 0))
        bottom.append(_panel(ticked, [[time_scale * r["train_seconds"] for r in g] for g in groups], failed,
                             f"training time ({time_unit})", f"Training time by {key or 'seed'}", key or ""))
    n_failed = len(rows) - len(done)
    return Chart([*top, *bottom], size=(4.2 * len(panels) + 1, 7.6), rows=(len(panels), len(panels)),
                 title=f"Sweep of {len(rows)} runs" + (f" ({n_failed} failed)" if n_failed else ""))


def figure(rows: list[dict], keys: list[str]):
    """``chart(rows, keys)`` drawn as a matplotlib Figure (png and pdf sweeps)."""
    from ..charts.figure import figure as drawn

    return drawn(chart(rows, keys))


def time_axis(seconds: list[float]) -> tuple[float, str]:
    """(factor, unit) for training times ``seconds``: milliseconds when every one is under a second,
    whose tick labels in seconds ("0.000693") ran off the figure's left edge, over the axis label."""
    finite = [s for s in seconds if np.isfinite(s)]
    return (1000.0, "ms") if finite and max(finite) < 1 else (1.0, "s")


def _panel(ticked: list[tuple[int, str]], values: list[list[float]], failed: list[int], ylabel: str, title: str,
           xlabel: str, legend: bool = False) -> Panel:
    """One option's panel: per value (x at 0, 1, ..., ticked with its label), the runs as dots and
    their mean with a min-max bar; a red cross at the foot of the axis where runs of that value failed."""
    series, points = [], []
    for x, ys in enumerate(values):
        if len(ys) > 1:  # one run has no spread: its dot says it all (a legend of "over seeds" misled)
            low, mean, high = min(ys), float(np.mean(ys)), max(ys)
            series += [Series([x, x], [low, high], BLUE), Series([x - CAP, x + CAP], [low, low], BLUE),
                       Series([x - CAP, x + CAP], [high, high], BLUE)]
            points.append(Points([x], [mean], BLUE, size=9, label="mean, min-max over seeds"))
        if ys:
            jitter = np.linspace(-0.12, 0.12, len(ys)) if len(ys) > 1 else np.zeros(1)
            points.append(Points(x + jitter, ys, ORANGE, size=3.7, label="one run (seed)"))
    finite = [y for ys in values for y in ys if np.isfinite(y)]
    low, high = ticks.data_range(np.asarray(finite or [0.0, 1.0]))
    span = high - low
    crosses = [x for x, count in enumerate(failed) if count]
    if crosses:  # in a band below the data: a failed run has no value to stand at
        low -= FOOT_ROOM * span
        points.append(Points(crosses, [low + FOOT_ROOM * span / 2] * len(crosses), RED, "X", 9.5, "black", 0.6,
                             label="failed run(s)"))
    ticked_y = None
    if legend:  # a band above the data for the legend, which inside the panel covered a whisker; no ticks
        ticked_y = [(v, text) for v, (text, _) in ticks.linear(low, high, most=6)]  # in it (no 110%)
        high += LEGEND_ROOM * span
    return Panel(title, xlabel, ylabel, series, ylim=(low, high), legend=legend, points=_once(points),
                 xlim=(-0.5, len(ticked) - 0.5), x_ticks=ticked, y_ticks=ticked_y)


def _once(points: list[Points]) -> list[Points]:
    """``points`` with each legend label on its first entry only: a legend names a kind of mark once."""
    seen = set()
    for entry in points:
        if entry.label in seen:
            entry.label = ""
        seen.add(entry.label)
    return points


def _natural(text: str):
    """Numbers in numeric order, then the rest alphabetically."""
    try:
        return (0, float(text.split("-")[0]), text)
    except ValueError:
        return (1, math.inf, text)


def read_run(folder: Path) -> dict:
    """metric, test_score, train_seconds and error from a run folder a sweep wrote earlier (one
    written before the metric column names its score test_accuracy, and its task says which)."""
    from .. import runs

    config = runs.read_json(folder / "config.json")
    error = config.get("error")
    nan = float("nan")
    metric = config.get("metric") or METRICS.get(config.get("task", "classification"), "accuracy")
    score = config["test_score"] if "test_score" in config else config.get("test_accuracy")
    return {"metric": metric, "test_score": nan if error else float(score),
            "train_seconds": nan if error else float(config["train_seconds"]), "error": error}
