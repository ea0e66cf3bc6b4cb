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

from .grid import format_value

RESULT_COLUMNS = ("seed", "metric", "test_score", "train_seconds", "run", "error")
METRICS = {"classification": "accuracy", "regression": "r2"}  # a run's task -> what its test_score holds
LABELS = {"accuracy": "test accuracy", "r2": "test R^2"}


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


def figure(rows: list[dict], keys: list[str]):
    """The test score (top, named for what the rows' ``metric`` says it holds) and the training time
    (bottom) against each swept option: every seed's run as a dot, the mean over seeds as a marker
    with the min-max range, and a red cross under each option value that had a failed run."""
    from matplotlib.figure import Figure

    panels = keys or [None]
    score = metric_label(r["metric"] for r in rows).replace("^2", "\u00b2")  # the terminal's R^2 as R²
    scale, ylabel = (100, "test accuracy (%)") if score == "test accuracy" else (1, score)
    width = 4.2 * len(panels) + 1
    fig = Figure(figsize=(width, 7.6))
    fig.subplots_adjust(left=0.55 / width * 1.6, right=0.98, bottom=0.08, top=0.83, hspace=0.45,
                        wspace=0.28)  # a fixed layout renders twice as fast as the constrained one
    axes = np.asarray(fig.subplots(2, len(panels), squeeze=False))
    done = [r for r in rows if r["error"] is None]
    time_scale, time_unit = time_axis([r["train_seconds"] for r in done])
    for column, key in enumerate(panels):
        labels = sorted({format_value(r[key]) for r in rows}, key=_natural) if key else ["all runs"]
        groups = [[r for r in done if key is None or format_value(r[key]) == label] for label in labels]
        failed = [sum(r["error"] is not None for r in rows if key is None or format_value(r[key]) == label)
                  for label in labels]
        _panel(axes[0, column], labels, [[scale * r["test_score"] for r in g] for g in groups], failed,
               ylabel, f"{score[0].upper()}{score[1:]} by {key or 'seed'}", key or "")
        _panel(axes[1, column], labels, [[time_scale * r["train_seconds"] for r in g] for g in groups], failed,
               f"training time ({time_unit})", f"Training time by {key or 'seed'}", key or "")
    entries = {}  # legend label -> handle, once each, from every panel (the failed runs' cross may be in any)
    for ax in axes.flat:
        for handle, name in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(name, handle)
    fig.legend(list(entries.values()), list(entries), loc="upper center", bbox_to_anchor=(0.5, 0.945),
               ncol=len(entries) if width > 8 else 2, fontsize=8, frameon=False)  # above the panels: inside
    # one, it covered a whisker
    n_failed = len(rows) - len(done)
    fig.suptitle(f"Sweep of {len(rows)} runs" + (f" ({n_failed} failed)" if n_failed else ""))
    return fig


def time_axis(seconds: list[float]) -> tuple[float, str]:
    """(factor, unit) for training times ``seconds``: milliseconds when every one is under a second,
    whose tick labels in seconds ("0.000693") ran off the figure's left edge, over the axis label."""
    finite = [s for s in seconds if np.isfinite(s)]
    return (1000.0, "ms") if finite and max(finite) < 1 else (1.0, "s")


def _panel(ax, labels: list[str], values: list[list[float]], failed: list[int], ylabel: str, title: str,
           xlabel: str) -> None:
    """One option's panel: per value, the runs as dots and their mean with a min-max bar; a red
    cross at the foot of the axis, with the count, where runs of that value failed."""
    from matplotlib.transforms import blended_transform_factory

    for x, ys in enumerate(values):
        if not ys:
            continue
        if len(ys) > 1:  # one run has no spread: its dot says it all (a legend of "over seeds" misled)
            mean = float(np.mean(ys))
            ax.errorbar([x], [mean], yerr=[[mean - min(ys)], [max(ys) - mean]], fmt="o", color="tab:blue",
                        markersize=9, capsize=6, label="mean, min-max over seeds")
        jitter = np.linspace(-0.12, 0.12, len(ys)) if len(ys) > 1 else np.zeros(1)
        ax.scatter(x + jitter, ys, s=14, color="tab:orange", zorder=3, label="one run (seed)")
    foot = blended_transform_factory(ax.transData, ax.transAxes)  # x in data, y in axes fractions
    for x, count in enumerate(failed):
        if count:
            ax.scatter([x], [0.06], marker="X", s=90, color="tab:red", edgecolors="black", linewidths=0.6,
                       transform=foot, zorder=4, clip_on=False, label="failed run(s), count beside")
            ax.text(x + 0.09, 0.06, f"{count} failed", transform=foot, va="center", fontsize=8, color="tab:red")
    ax.set_xticks(range(len(labels)), labels)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title, xlim=(-0.5, len(labels) - 0.5))
    ax.grid(alpha=0.3)


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
