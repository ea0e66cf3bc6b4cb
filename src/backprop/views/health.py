"""health.svg: per layer, the gradient's norm, the saturated units and the dead ReLUs over training.

What is measured (``backprop.health.measure``): at the weights after each evaluated epoch (epoch 0:
the initial weights), one forward and backward pass over a fixed sample of training points (a run
folder's: its first 256), without updating anything. A panel that cannot apply to the network (no
sigmoid or tanh layer to saturate, no ReLU to die) is left out rather than drawn empty.
"""
from __future__ import annotations

import math

import numpy as np

from ..charts import Chart, Panel, Series
from ..charts.chart import viridis

PANELS = (  # (row key, title, y label, why it can be missing): the panels after the gradient norm's
    ("saturated", "Saturated sigmoid/tanh outputs", "% within 0.01 of a bound", "no sigmoid or tanh layer"),
    ("dead", "Dead ReLU units", "% never active", "no ReLU layer"),
)


def chart(rows: list[dict], samples: int | None = None, title: str = "Gradient health") -> Chart:
    """The health figure as a ``charts.Chart``. rows: ``backprop.health`` rows (epoch, layer,
    grad_norm, saturated, dead), every evaluation; samples: how many training points they were
    measured on, said under the title."""
    layers = sorted({row["layer"] for row in rows})
    by_layer = {layer: [r for r in rows if r["layer"] == layer] for layer in layers}
    panels = [panel for panel in PANELS if any(not math.isnan(r[panel[0]]) for r in rows)]
    norms = Panel("Gradient norm per layer", "epoch", "||dL/dW, dL/db||", log_y=bool(rows), legend=True,
                  note="" if rows else "no gradient health recorded")  # a history without a HealthRecorder
    drawn = [norms] + [Panel(heading, "epoch", ylabel, ylim=(-2, 102), legend=True)
                       for _, heading, ylabel, _ in panels]
    for i, layer in enumerate(layers):
        color, epochs = viridis(i, len(layers)), [r["epoch"] for r in by_layer[layer]]
        # a zero norm (a dead layer) stays on the log axis, at its floor, rather than dropping out
        norms.series.append(Series(epochs, [max(r["grad_norm"], 1e-30) for r in by_layer[layer]], color,
                                   f"layer {layer}"))
        for panel, (key, *_) in zip(drawn[1:], panels):
            values = np.array([r[key] for r in by_layer[layer]], dtype=float)
            if not np.all(np.isnan(values)):
                panel.series.append(Series(epochs, values * 100, color, f"layer {layer}"))
    # with nothing recorded there is nothing measured to describe, and no panel left out
    return Chart(drawn, size=(5 * len(drawn), 4.8), title=title, subtitle=_measured(samples, panels) if rows else "")


def figure(rows: list[dict], samples: int | None = None, title: str = "Gradient health"):
    """``chart(rows, samples, title)`` drawn as a matplotlib Figure (see there)."""
    from ..charts.figure import figure as draw

    return draw(chart(rows, samples, title))


def _measured(samples: int | None, panels: list) -> str:
    """The line under the title that says what was measured, and which panel was left out and why."""
    on = f"the first {samples} training samples" if samples else "a fixed sample of training points"
    text = f"Measured on {on}, at the weights after each evaluated epoch\n(epoch 0: the initial weights)"
    missing = [f"{panel[1][0].lower()}{panel[1][1:]} ({panel[3]})" for panel in PANELS if panel not in panels]
    if missing:
        text += "\nNot drawn: " + ", ".join(missing)
    return text
