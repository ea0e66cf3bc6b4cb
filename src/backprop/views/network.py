"""The network as TensorFlow Playground draws it: a column of nodes per layer, edges coloured by the
weight's sign and as wide as its magnitude and, for 2-D inputs, each unit's activation over the
input plane drawn inside its node."""
from __future__ import annotations

import numpy as np

POSITIVE, NEGATIVE = "tab:blue", "tab:orange"
MAX_UNITS_DRAWN = 64  # wider layers are drawn as their first 64 units


def figure(net, X=None, resolution: int = 32):
    """net: a Network; X (n, 2): points that set the input plane's extent (default [-2, 3] x [-2, 2])."""
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    sizes = [min(s, MAX_UNITS_DRAWN) for s in net.sizes]
    tallest = max(sizes)
    fig = Figure(figsize=(max(8.0, 1.9 * len(sizes) + 1), max(4.5, 0.2 * tallest + 1.5)))
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.9)
    ax = fig.subplots()
    spacing, gap = 1.0, max(3.0, tallest / 5)  # wide layers get wider gaps, so edges stay readable
    positions = [[(x * gap, (tallest + n) * spacing / 2 - (k + 1) * spacing) for k in range(n)]
                 for x, n in enumerate(sizes)]  # unit 0 at the top
    biggest = max(float(np.abs(layer.weights).max()) for layer in net.layers) or 1.0
    segments, colors, widths = [], [], []
    for l, layer in enumerate(net.layers):
        W = layer.weights[:sizes[l], :sizes[l + 1]]
        for j, start in enumerate(positions[l]):
            for k, end in enumerate(positions[l + 1]):
                segments.append([start, end])
                colors.append(POSITIVE if W[j, k] > 0 else NEGATIVE)
                widths.append(0.2 + 2.8 * abs(W[j, k]) / biggest)
    ax.add_collection(LineCollection(segments, colors=colors, linewidths=widths, alpha=0.55, zorder=1))
    maps = _unit_maps(net, X, resolution) if net.sizes[0] == 2 else None
    half = 0.42 * spacing
    for l, column in enumerate(positions):
        for k, (x, y) in enumerate(column):
            if maps is not None and l > 0:
                ax.imshow(maps[l][k], extent=(x - half, x + half, y - half, y + half), origin="lower",
                          cmap="RdBu", vmin=maps[l][k].min(), vmax=maps[l][k].max(), zorder=2)
                ax.add_patch(_square(x, y, half))
            else:
                ax.add_patch(_square(x, y, half, face="white"))
                if l == 0:
                    ax.text(x, y, f"x{k + 1}", ha="center", va="center", fontsize=8, zorder=4)
    names = ["input"] + [f"{layer.activation.name} ({layer.n_out})" for layer in net.layers]
    for (x, _), name in zip((column[0] for column in positions), names):
        ax.text(x, -1.0 * spacing, name, ha="center", va="top", fontsize=9)
    ax.set(xlim=(-1, gap * (len(sizes) - 1) + 1), ylim=(-1.8 * spacing, tallest * spacing), aspect="equal")
    ax.axis("off")
    ax.legend(handles=[Line2D([], [], color=POSITIVE, lw=2, label="positive weight"),
                       Line2D([], [], color=NEGATIVE, lw=2, label="negative weight")],
              loc="upper right", fontsize=8, title="edge width: |weight|", title_fontsize=8)
    suffix = "; inside each unit, its output over the input plane (red low, blue high)" if maps is not None else ""
    ax.set_title(f"The network {'-'.join(map(str, net.sizes))}{suffix}", fontsize=10)
    return fig


def _square(x, y, half, face="none"):
    from matplotlib.patches import Rectangle

    return Rectangle((x - half, y - half), 2 * half, 2 * half, facecolor=face, edgecolor="black", lw=0.6, zorder=3)


def _unit_maps(net, X, resolution: int) -> list:
    """maps[l][k]: layer l-1's unit k over a resolution x resolution grid, one batch for all units."""
    if X is None:
        low, high = np.array([-2.0, -2.0]), np.array([3.0, 2.0])
    else:
        low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    xs, ys = np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    grid = np.column_stack([a.ravel() for a in np.meshgrid(xs, ys)])
    outputs, _ = net.forward_pass(net.as_inputs(grid))
    return [None] + [[a[:, k].reshape(resolution, resolution) for k in range(min(a.shape[1], MAX_UNITS_DRAWN))]
                     for a in outputs[1:]]
