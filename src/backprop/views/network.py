"""The network as TensorFlow Playground draws it: a column of nodes per layer, edges coloured by the
weight's sign and as wide as its magnitude and, for 2-D inputs, each unit's activation over the
input plane drawn inside its node.

A large network drawn whole is a hairball (the seed's 2-25-50-25-2 has 2,550 weights), so a layer
wider than ``MAX_UNITS_DRAWN`` shows its strongest units (by the summed size of their weights in and
out), only the ``MAX_LINKS`` strongest weights between two columns are drawn, and the figure says
how many of each it shows.
"""
from __future__ import annotations

import numpy as np

POSITIVE, NEGATIVE = "tab:blue", "tab:orange"
MAX_UNITS_DRAWN = 12  # per layer: wider layers show their strongest units
MAX_LINKS = 40  # per pair of neighbouring layers: the strongest weights among the drawn units


def figure(net, X=None, resolution: int = 32):
    """net: a Network; X (n, 2): points that set the input plane's extent (default [-2, 3] x [-2, 2])."""
    from matplotlib.figure import Figure

    units = drawn_units(net)
    tallest, gap = max(len(u) for u in units), 3.0
    height = max(4.8, 0.5 * tallest + 3.0)  # inches; the width keeps the drawing's aspect
    fig = Figure(figsize=(max(7.0, height * (gap * (len(units) - 1) + 2.6) / (tallest + 4.4) + 0.6), height))
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.88)
    ax = fig.subplots()
    positions = [[(x * gap, (tallest - len(u)) / 2 + (len(u) - 1 - k)) for k in range(len(u))]
                 for x, u in enumerate(units)]  # the first drawn unit at the top, columns centred
    _draw_links(ax, net, units, positions)
    maps = _unit_maps(net, X, resolution, units) if net.sizes[0] == 2 else None
    half = 0.42
    names = _input_names(net)
    for l, column in enumerate(positions):
        for k, (x, y) in enumerate(column):
            if maps is not None and l > 0:
                ax.imshow(maps[l][k], extent=(x - half, x + half, y - half, y + half), origin="lower",
                          cmap="RdBu", vmin=maps[l][k].min(), vmax=maps[l][k].max(), zorder=2)
                ax.add_patch(_box(x, y, half, half))
            elif l == 0:  # inputs: a box as wide as its name, so that x10 or a column's name fits
                name = names[units[0][k]]
                ax.add_patch(_box(x, y, max(half, 0.09 * len(name) + 0.12), half, face="white"))
                ax.text(x, y, name, ha="center", va="center", fontsize=7, zorder=4)
            else:
                ax.add_patch(_box(x, y, half, half, face="white"))
    labels = [f"input ({net.sizes[0]})"] + [f"{layer.activation.name} ({layer.n_out})" for layer in net.layers]
    for l, (label, u) in enumerate(zip(labels, units)):
        shown = f"\n{len(u)} strongest drawn" if len(u) < net.sizes[l] else ""
        ax.text(l * gap, -0.9, label + shown, ha="center", va="top", fontsize=8)
    ax.set(xlim=(-1.3, gap * (len(units) - 1) + 1.3), ylim=(-3.4, tallest + 1.0), aspect="equal")
    ax.axis("off")
    _legend(ax)
    inside = "\nInside each unit: its output over the input plane (red low, blue high)." if maps is not None else ""
    ax.set_title(f"The network {'-'.join(map(str, net.sizes))}: edges by the sign and size of the weight{inside}",
                 fontsize=10)
    return fig


def drawn_units(net) -> list:
    """Per layer, inputs first: the indices of the units drawn, in order. Every unit of a layer up
    to ``MAX_UNITS_DRAWN`` wide; of a wider one, those whose weights in and out sum largest in size."""
    units = []
    for l, n in enumerate(net.sizes):
        if n <= MAX_UNITS_DRAWN:
            units.append(np.arange(n))
            continue
        strength = np.zeros(n)
        if l > 0:
            strength += np.abs(net.layers[l - 1].weights).sum(axis=0)  # weights: (n_in, n_out)
        if l < len(net.layers):
            strength += np.abs(net.layers[l].weights).sum(axis=1)
        units.append(np.sort(np.argsort(-strength, kind="stable")[:MAX_UNITS_DRAWN]))
    return units


def strongest_links(W, rows, cols) -> list[tuple[int, int]]:
    """(j, k) positions among the drawn ``rows`` (of W's inputs) and ``cols`` (its outputs) of at
    most ``MAX_LINKS`` weights, the largest in size first. W: (n_in, n_out)."""
    sub = np.abs(W[np.ix_(rows, cols)])
    order = np.argsort(-sub, axis=None, kind="stable")[:MAX_LINKS]
    return [tuple(int(i) for i in np.unravel_index(flat, sub.shape)) for flat in order]


def _draw_links(ax, net, units, positions) -> None:
    from matplotlib.collections import LineCollection

    biggest = max(float(np.abs(layer.weights).max()) for layer in net.layers) or 1.0
    segments, colors, widths = [], [], []
    for l, layer in enumerate(net.layers):
        links = strongest_links(layer.weights, units[l], units[l + 1])
        for j, k in links:
            w = layer.weights[units[l][j], units[l + 1][k]]
            segments.append([positions[l][j], positions[l + 1][k]])
            colors.append(POSITIVE if w > 0 else NEGATIVE)
            widths.append(0.3 + 2.7 * abs(w) / biggest)
        if len(links) < layer.weights.size:
            top = max(y for _, y in positions[l] + positions[l + 1])
            ax.text((l + 0.5) * 3.0, top + 0.7, f"strongest {len(links)} of\n{layer.weights.size:,} weights",
                    ha="center", va="bottom", fontsize=7, color="#555")
    ax.add_collection(LineCollection(segments, colors=colors, linewidths=widths, alpha=0.6, zorder=1))


def _legend(ax) -> None:
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], color=POSITIVE, lw=2, label="positive weight"),
                       Line2D([], [], color=NEGATIVE, lw=2, label="negative weight")],
              loc="lower center", ncol=2, fontsize=7, title="edge width: |weight|", title_fontsize=7, frameon=False)


def _input_names(net) -> list[str]:
    """Each input's label: the model's feature name (cut to 10 characters) or x1, x2, ..."""
    names = getattr(net, "feature_names", None)
    if names is None or len(names) != net.sizes[0]:
        return [f"x{i + 1}" for i in range(net.sizes[0])]
    return [str(name) if len(str(name)) <= 10 else str(name)[:9] + "\u2026" for name in names]


def _box(x, y, half_width, half_height, face="none"):
    from matplotlib.patches import Rectangle

    return Rectangle((x - half_width, y - half_height), 2 * half_width, 2 * half_height, facecolor=face,
                     edgecolor="black", lw=0.6, zorder=3)


def _unit_maps(net, X, resolution: int, units: list | None = None) -> list:
    """maps[l][i]: the i-th drawn unit of layer l (``units``, default ``drawn_units``) over a
    resolution x resolution grid of the input plane, one batch for all units; maps[0] is None."""
    from ..plots import plane_bounds

    units = drawn_units(net) if units is None else units
    low, high = (np.array([-2.0, -2.0]), np.array([3.0, 2.0])) if X is None else plane_bounds(X)
    xs, ys = np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    grid = np.column_stack([a.ravel() for a in np.meshgrid(xs, ys)])
    outputs, _ = net.forward_pass(net.as_inputs(grid))
    return [None] + [[a[:, k].reshape(resolution, resolution) for k in u] for a, u in zip(outputs[1:], units[1:])]
