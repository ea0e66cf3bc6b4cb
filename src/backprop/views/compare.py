"""Several runs in one figure: their curves overlaid (top), their decision boundaries side by side
(bottom), so that what one change did is seen at a glance. Test points wear their class's shape and
colour, and a yellow cross where the run predicts them wrong; each run's boundary line is drawn in
its curves' colour."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..charts import Chart, Panel, Series
from ..charts.chart import TAB10

RESOLUTION = 150  # points a side of each run's map


def chart(runs: list[tuple[str, object, list[dict]]], data) -> Chart:
    """The comparison as a ``charts.Chart``: runs: (name, network, metrics rows) per run; data: the
    data set whose test points are drawn."""
    from ..plots import decision_boundary_chart

    colors = [TAB10[i % len(TAB10)] for i in range(len(runs))]
    loss, accuracy = [], []
    for (name, _, rows), color in zip(runs, colors):
        epochs = [r["epoch"] for r in rows]
        loss.append(Series(epochs, [r["mse"] for r in rows], color, label=name))
        shown = [r["val_accuracy"] if np.isfinite(r["val_accuracy"]) else r["train_accuracy"] for r in rows]
        accuracy.append(Series(epochs, np.asarray(shown) * 100, color, label=name))
    panels = [Panel("MSE on the training set", "epoch", "MSE", loss, log_y=True, legend=True),
              Panel("Test accuracy", "epoch", "accuracy (%)", accuracy, legend=True)]
    for i, ((name, net, _), color) in enumerate(zip(runs, colors)):
        drawn = decision_boundary_chart(net, data.X_test, data.y_test, RESOLUTION, data.classes).panels[0]
        right = net.as_codes(net.predict(data.X_test), len(data.X_test)) == data.y_test
        # no colour bar (the same scale in every map), the legend once, the boundary in the run's colour
        panels.append(replace(drawn, title=f"{name}: {right.mean():.1%}", ylabel=drawn.ylabel if i == 0 else "",
                              legend=i == 0, image=replace(drawn.image, colorbar="", contour_color=color)))
    n = len(runs)
    return Chart(panels, size=(max(10, 4.2 * n), 8.4), rows=(2, n),
                 title="Runs compared: curves, then each run's decision boundary and its wrong test points (crossed)")


def figure(runs: list[tuple[str, object, list[dict]]], data):
    """``chart(runs, data)`` drawn as a matplotlib Figure."""
    from ..charts.figure import figure as drawn

    return drawn(chart(runs, data))
