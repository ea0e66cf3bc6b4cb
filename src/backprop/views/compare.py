"""Several runs in one figure: their curves overlaid (top), their decision boundaries side by side
(bottom), so that what one change did is seen at a glance. Test points wear their class's shape and
colour, and a yellow cross where the run predicts them wrong."""
from __future__ import annotations

import numpy as np


def figure(runs: list[tuple[str, object, list[dict]]], data):
    """runs: (name, network, metrics rows) per run; data: the data set whose test points are drawn."""
    from matplotlib.figure import Figure

    from ..plots import axis_names, draw_regions, mark_points

    n = len(runs)
    fig = Figure(figsize=(max(10, 4.2 * n), 8.4))
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.06, top=0.91, hspace=0.35, wspace=0.25)
    grid = fig.add_gridspec(2, max(n, 2))
    ax_loss = fig.add_subplot(grid[0, : max(n, 2) // 2])
    ax_acc = fig.add_subplot(grid[0, max(n, 2) // 2:])
    colors = [f"C{i}" for i in range(n)]
    for (name, _, rows), color in zip(runs, colors):
        epochs = [r["epoch"] for r in rows]
        ax_loss.plot(epochs, [r["mse"] for r in rows], color=color, label=name)
        accuracy = [r["val_accuracy"] if np.isfinite(r["val_accuracy"]) else r["train_accuracy"] for r in rows]
        ax_acc.plot(epochs, np.asarray(accuracy) * 100, color=color, label=name)
    ax_loss.set(title="MSE on the training set", xlabel="epoch", ylabel="MSE", yscale="log")
    ax_acc.set(title="Test accuracy", xlabel="epoch", ylabel="accuracy (%)")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    for i, ((name, net, _), color) in enumerate(zip(runs, colors)):
        ax = fig.add_subplot(grid[1, i])
        draw_regions(ax, net, data.X, 150, line_color=color)
        predicted = net.as_codes(net.predict(data.X_test), len(data.X_test))
        mark_points(ax, data.X_test, data.y_test, predicted, size=10)
        right = predicted == data.y_test
        xlabel, ylabel = axis_names(net.feature_names)
        ax.set(title=f"{name}: {right.mean():.1%}", xlabel=xlabel, ylabel=ylabel if i == 0 else None)
        if i == 0:
            ax.legend(loc="lower left", fontsize=7, framealpha=0.9)
    fig.suptitle("Runs compared: curves, then each run's decision boundary and its wrong test points (crossed)")
    return fig
