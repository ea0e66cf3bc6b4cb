"""health.svg: per layer, the gradient's norm, the saturated units and the dead ReLUs over training.

What is measured (``backprop.health.measure``): at the weights after each evaluated epoch (epoch 0:
the initial weights), one forward and backward pass over a fixed sample of training points (a run
folder's: its first 256), without updating anything. A panel that cannot apply to the network (no
sigmoid or tanh layer to saturate, no ReLU to die) is left out rather than drawn empty.
"""
from __future__ import annotations

import math

import numpy as np

PANELS = (  # (row key, title, y label, why it can be missing): the panels after the gradient norm's
    ("saturated", "Saturated sigmoid/tanh outputs", "% within 0.01 of a bound", "no sigmoid or tanh layer"),
    ("dead", "Dead ReLU units", "% never active", "no ReLU layer"),
)


def figure(rows: list[dict], samples: int | None = None, title: str = "Gradient health"):
    """rows: ``backprop.health`` rows (epoch, layer, grad_norm, saturated, dead), every evaluation;
    samples: how many training points they were measured on, said under the title."""
    from matplotlib.figure import Figure

    layers = sorted({row["layer"] for row in rows})
    by_layer = {layer: [r for r in rows if r["layer"] == layer] for layer in layers}
    panels = [panel for panel in PANELS if any(not math.isnan(r[panel[0]]) for r in rows)]
    fig = Figure(figsize=(5 * (1 + len(panels)), 4.8))
    fig.subplots_adjust(left=0.35 / (1 + len(panels)), right=0.99, bottom=0.12, top=0.78, wspace=0.28)
    axes = np.atleast_1d(fig.subplots(1, 1 + len(panels)))
    colors = [matplotlib_color(i, len(layers)) for i in range(len(layers))]
    for layer, color in zip(layers, colors):
        epochs = [r["epoch"] for r in by_layer[layer]]
        axes[0].plot(epochs, [max(r["grad_norm"], 1e-30) for r in by_layer[layer]], color=color,
                     label=f"layer {layer}")
        for ax, (key, *_) in zip(axes[1:], panels):
            values = [r[key] for r in by_layer[layer]]
            if not all(math.isnan(v) for v in values):
                ax.plot(epochs, np.asarray(values) * 100, color=color, label=f"layer {layer}")
    axes[0].set(yscale="log" if rows else "linear", title="Gradient norm per layer", xlabel="epoch",
                ylabel="||dL/dW, dL/db||")
    for ax, (_, heading, ylabel, _) in zip(axes[1:], panels):
        ax.set(title=heading, xlabel="epoch", ylabel=ylabel, ylim=(-2, 102))
    for ax in axes:
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8, loc="best")
    if not rows:  # a history trained without a HealthRecorder callback
        axes[0].text(0.5, 0.5, "no gradient health recorded", ha="center", va="center",
                     transform=axes[0].transAxes, color="gray")
    fig.suptitle(title, y=0.98)
    if rows:  # with nothing recorded there is nothing measured to describe, and no panel left out
        fig.text(0.5, 0.875, _measured(samples, panels), ha="center", va="center", fontsize=9, color="#444")
    return fig


def _measured(samples: int | None, panels: list) -> str:
    """The line under the title that says what was measured, and which panel was left out and why."""
    on = f"the first {samples} training samples" if samples else "a fixed sample of training points"
    text = f"Measured on {on}, at the weights after each evaluated epoch\n(epoch 0: the initial weights)"
    missing = [f"{panel[1][0].lower()}{panel[1][1:]} ({panel[3]})" for panel in PANELS if panel not in panels]
    if missing:
        text += "\nNot drawn: " + ", ".join(missing)
    return text


def matplotlib_color(i: int, n: int):
    """Layer i of n from input (light) to output (dark) along one colour map."""
    from matplotlib import colormaps

    return colormaps["viridis"](0.1 + 0.8 * i / max(n - 1, 1))
