"""A sweep's answer: summary.csv (one row per run), summary.svg (accuracy and time against each
swept option, with the spread over seeds) and the best configuration."""
from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from pathlib import Path

import numpy as np

from .grid import format_value

RESULT_COLUMNS = ("seed", "test_accuracy", "train_seconds", "run", "error")


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
    """What the test_accuracy column holds for runs of these tasks: "test accuracy" (classification),
    "test R^2" (regression), or "test score" for a sweep over both."""
    tasks = set(tasks)
    if tasks == {"classification"}:
        return "test accuracy"
    return "test R^2" if tasks == {"regression"} else "test score"


def best(rows: list[dict], keys: list[str]) -> dict | None:
    """The swept options' values with the highest mean test accuracy over seeds (ties: the faster),
    as {"params": {key: value}, "test_accuracy": mean, "runs": n}; None if every run failed."""
    groups = defaultdict(list)
    for row in rows:
        if row["error"] is None:
            groups[tuple(format_value(row[k]) for k in keys)].append(row)
    if not groups:
        return None
    scored = [(np.mean([r["test_accuracy"] for r in group]), -np.mean([r["train_seconds"] for r in group]), group)
              for group in groups.values()]
    accuracy, _, group = max(scored, key=lambda item: item[:2])
    return {"params": {k: group[0][k] for k in keys}, "test_accuracy": float(accuracy), "runs": len(group)}


def figure(rows: list[dict], keys: list[str], score: str = "test accuracy"):
    """The test score (top: ``score`` names what test_accuracy holds, see ``score_label``) and the
    training time (bottom) against each swept option: every seed's run as a dot, the mean over
    seeds as a marker with the min-max range."""
    from matplotlib.figure import Figure

    panels = keys or [None]
    score = score.replace("^2", "\u00b2")  # the terminal's R^2 as the figure's R²
    scale, ylabel = (100, "test accuracy (%)") if score == "test accuracy" else (1, score)
    fig = Figure(figsize=(4.2 * len(panels) + 1, 7))
    fig.subplots_adjust(left=0.55 / (4.2 * len(panels) + 1) * 1.6, right=0.98, bottom=0.08, top=0.9, hspace=0.45,
                        wspace=0.28)  # a fixed layout renders twice as fast as the constrained one
    axes = np.asarray(fig.subplots(2, len(panels), squeeze=False))
    done = [r for r in rows if r["error"] is None]
    for column, key in enumerate(panels):
        labels = sorted({format_value(r[key]) for r in rows}, key=_natural) if key else ["all runs"]
        groups = [[r for r in done if key is None or format_value(r[key]) == label] for label in labels]
        _panel(axes[0, column], groups, labels, [[scale * r["test_accuracy"] for r in g] for g in groups],
               ylabel, f"{score[0].upper()}{score[1:]} by {key or 'seed'}", key or "")
        _panel(axes[1, column], groups, labels, [[r["train_seconds"] for r in g] for g in groups],
               "training time (s)", f"Training time by {key or 'seed'}", key or "")
    axes[0, 0].legend(loc="best", fontsize=8)
    failed = len(rows) - len(done)
    fig.suptitle(f"Sweep of {len(rows)} runs" + (f" ({failed} failed)" if failed else ""))
    return fig


def _panel(ax, groups: list[list[dict]], labels: list[str], values: list[list[float]], ylabel: str, title: str,
           xlabel: str) -> None:
    """One option's panel: per value, the runs as dots and their mean with a min-max bar."""
    for x, ys in enumerate(values):
        if not ys:
            continue
        mean = float(np.mean(ys))
        ax.errorbar([x], [mean], yerr=[[mean - min(ys)], [max(ys) - mean]], fmt="o", color="tab:blue",
                    markersize=9, capsize=6, label="mean, min-max over seeds" if x == 0 else None)
        jitter = np.linspace(-0.12, 0.12, len(ys)) if len(ys) > 1 else np.zeros(1)
        ax.scatter(x + jitter, ys, s=14, color="tab:orange", zorder=3, label="one run (seed)" if x == 0 else None)
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
    """test_accuracy, train_seconds and error from a run folder a sweep wrote earlier."""
    from .. import runs

    config = runs.read_json(folder / "config.json")
    error = config.get("error")
    nan = float("nan")
    return {"test_accuracy": nan if error else float(config["test_accuracy"]),
            "train_seconds": nan if error else float(config["train_seconds"]), "error": error}
