"""health.svg: per layer, the gradient's norm, the saturated units and the dead ReLUs over training."""
from __future__ import annotations

import math

import numpy as np


def figure(rows: list[dict], title: str = "Gradient health"):
    """rows: ``backprop.health`` rows (epoch, layer, grad_norm, saturated, dead), every evaluation."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 4.6))
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.13, top=0.84, wspace=0.28)
    ax_norm, ax_sat, ax_dead = fig.subplots(1, 3)
    layers = sorted({row["layer"] for row in rows})
    colors = [matplotlib_color(i, len(layers)) for i in range(len(layers))]
    for layer, color in zip(layers, colors):
        mine = [r for r in rows if r["layer"] == layer]
        epochs = [r["epoch"] for r in mine]
        ax_norm.plot(epochs, [max(r["grad_norm"], 1e-30) for r in mine], color=color, label=f"layer {layer}")
        for ax, key in ((ax_sat, "saturated"), (ax_dead, "dead")):
            values = [r[key] for r in mine]
            if not all(math.isnan(v) for v in values):
                ax.plot(epochs, np.asarray(values) * 100, color=color, label=f"layer {layer}")
    ax_norm.set(yscale="log", title="Gradient norm per layer", xlabel="epoch", ylabel="||dL/dW, dL/db||")
    ax_sat.set(title="Saturated sigmoid/tanh outputs", xlabel="epoch", ylabel="% within 0.01 of a bound",
               ylim=(-2, 102))
    ax_dead.set(title="Dead ReLU units", xlabel="epoch", ylabel="% never active", ylim=(-2, 102))
    nothing = "no gradient health recorded"  # a history trained without a HealthRecorder callback
    for ax, empty in ((ax_norm, nothing), (ax_sat, "no sigmoid or tanh layer" if rows else nothing),
                      (ax_dead, "no ReLU layer" if rows else nothing)):
        if ax.lines:
            ax.legend(fontsize=8, loc="best")
        else:
            ax.text(0.5, 0.5, empty, ha="center", va="center", transform=ax.transAxes, color="gray")
    for ax in (ax_norm, ax_sat, ax_dead):
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return fig


def matplotlib_color(i: int, n: int):
    """Layer i of n from input (light) to output (dark) along one colour map."""
    from matplotlib import colormaps

    return colormaps["viridis"](0.1 + 0.8 * i / max(n - 1, 1))
