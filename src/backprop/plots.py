"""Figures: training curves, the data, the seed's test-set comparison and the decision boundary.

Every function returns a ``matplotlib.figure.Figure`` built without pyplot, so nothing opens a
window or needs a display; ``save`` writes one to a file. (To show one interactively, hand it to
``matplotlib.pyplot.figure(fig)`` and call ``pyplot.show()``, as ``backprop ... --show`` does.)
The training curves are also described as data (``curves_chart``), which ``charts.svg`` writes as
SVG without matplotlib: a run's curves.svg.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .charts import Chart, Image, Panel, Points, Series, colormap, ticks
from .charts.chart import BLUE, BLUES, GREEN, RDBU, text_width
from .training import History
from .validation import check_limit

Array = np.ndarray
FORMATS = ("svg", "png", "pdf")
MAX_RESOLUTION = 2000  # grid points per side: 4 million predictions at most


def _figure(figsize=(12, 5), margins: dict | None = None):
    """A pyplot-free figure. With ``margins`` (subplots_adjust's keywords) the layout is fixed, which
    renders about twice as fast as the constrained layout: worth it for figures drawn once per run."""
    from matplotlib.figure import Figure

    if margins is None:
        return Figure(figsize=figsize, layout="constrained")
    fig = Figure(figsize=figsize)
    fig.subplots_adjust(**margins)
    return fig


LOSS_NAMES = {"mse": "MSE", "cross_entropy": "Cross-entropy", "binary_cross_entropy": "Binary cross-entropy"}
LOG_SPAN = 20  # a loss panel turns logarithmic where its values span 20x or more (the seed's spans 10x)
FEW_POINTS = 20  # curves with fewer evaluations get a marker on each, so that a single one shows


def curves_chart(history: History, loss: str = "mse", outputs: int = 1) -> Chart:
    """The seed's two curves over every evaluated epoch, as a ``charts.Chart`` (drawn by
    ``charts.svg.render`` or ``charts.figure.figure``): the loss that was trained (``loss``, a name
    from ``backprop.losses.LOSSES``; the seed's MSE) on the training set, and the test accuracy.

    Falls back to the training accuracy where the history has no validation data, and draws the
    test MSE instead of accuracy for regression (where accuracy is NaN): the mse loss's value is
    half the squared error summed over the ``outputs``, so the MSE is 2 * loss / outputs. A loss
    that spans 20x or more is drawn on a log scale, where its late epochs would otherwise look flat.
    """
    style = {"marker": "o", "marker_size": 7 if len(history) == 1 else 4} if len(history) < FEW_POINTS else {}
    name = LOSS_NAMES.get(loss, loss)
    values = history.mse if loss == "mse" else history.loss  # the seed's MSE column, or the loss trained
    left = Panel(f"{name} on the training set", "epoch", name, [Series(history.epoch, values, BLUE, **style)],
                 log_y=_spans_decades(values))
    if len(history) and np.all(np.isnan(history.train_accuracy)):  # regression: no accuracy to draw
        has_val = not np.all(np.isnan(history.val_loss))
        values = np.asarray(history.val_loss if has_val else history.loss)
        values = 2 * values / outputs if loss == "mse" else values
        right = Panel(f"{name} on the {'test' if has_val else 'training'} set", "epoch", name,
                      [Series(history.epoch, values, GREEN, **style)], log_y=_spans_decades(values))
    else:
        has_val = not np.all(np.isnan(history.val_accuracy))
        accuracy = history.val_accuracy if has_val else history.train_accuracy
        right = Panel("Test accuracy" if has_val else "Training accuracy", "epoch", "accuracy (%)",
                      [Series(history.epoch, np.asarray(accuracy, dtype=float) * 100, GREEN, **style)])
    return Chart([left, right], size=(12, 4.5))


def curves(history: History, loss: str = "mse", outputs: int = 1):
    """``curves_chart(history, loss, outputs)`` drawn as a matplotlib Figure (see there)."""
    from .charts.figure import figure

    return figure(curves_chart(history, loss, outputs))


def _spans_decades(values) -> bool:
    """True for ``values`` that are all positive and span ``LOG_SPAN`` or more: a log y-axis."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    return bool(len(values) and values.min() > 0 and values.max() >= LOG_SPAN * values.min())


def data(X: Array, y: Array, title: str = "Classification data set", dark: bool = False,
         task: str = "classification"):
    """Scatter plot of points X (n, 2) coloured by label y (n,), as the seed's make_plot draws it;
    for task="regression", coloured by the real value y with a colour bar that gives the values,
    along a scale with no end that vanishes into the background (viridis on white, cool on black)."""
    import matplotlib.style

    style = "dark_background" if dark else "default"
    with matplotlib.style.context(style):
        fig = _figure((8, 6))
        ax = fig.subplots()
        if task == "regression":
            points = ax.scatter(X[:, 0], X[:, 1], c=y, s=20, cmap="cool" if dark else "viridis", edgecolors="none")
            fig.colorbar(points, ax=ax, label="target y")
        else:
            ax.scatter(X[:, 0], X[:, 1], c=y, s=20, cmap="Spectral", edgecolors="none")
        ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    return fig


# Test points must stand out on every region of a map and wrong ones must be unmistakable: the
# regions are pale, each class has its own shape and a saturated colour edged in black, and a
# wrong prediction is a large yellow cross edged in black (no region or class is yellow).
CLASS_COLORS = ("#c0392b", "#1f5fa8", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")
CLASS_MARKERS = ("o", "^", "s", "D", "v", "P", "p", "h")
WRONG_COLOR = "#ffd400"
REGION_STRENGTH = 0.4  # of a region's colour, blended with white


def comparison_chart(X: Array, y: Array, predicted: Array, names: tuple | None = None,
                     features: tuple | None = None) -> Chart:
    """The seed's test-set figure as a ``charts.Chart``: the test points by true label | the same
    points with the wrong predictions crossed out. X: (n, 2), y: (n,) true labels and predicted:
    (n,) labels in 0..k-1; names: the classes' names; features: the two inputs' names."""
    xlabel, ylabel = chart_axis_names(features)
    low, high = plane_bounds(X, 0.05)
    right = predicted == y
    shared = {"xlim": (low[0], high[0]), "ylim": (low[1], high[1]), "integer_x": False, "legend": True}
    return Chart([Panel("Test points by true label", xlabel, ylabel, points=class_points(X, y, names=names), **shared),
                  Panel(f"Predicted: accuracy {right.mean():.2%}, {(~right).sum()} wrong (crossed)", xlabel, "",
                        points=class_points(X, y, predicted, names=names), **shared)], size=(13, 5.5))


def comparison(X: Array, y: Array, predicted: Array, names: tuple | None = None, features: tuple | None = None):
    """``comparison_chart(X, y, predicted, names, features)`` drawn as a matplotlib Figure (see there)."""
    from .charts.figure import figure

    return figure(comparison_chart(X, y, predicted, names, features))


def plane_bounds(X: Array, pad: float = 0.15) -> tuple[Array, Array]:
    """(low, high), each (2,): the box a map of the input plane covers, the points X (n, 2) plus
    ``pad`` of each axis's span on either side (0.5 where the points share a value)."""
    # a share of the span, not a fixed 0.5: an unstandardised table's column (an income in the tens
    # of thousands) had its outermost points on the frame, cut in half, and a column of thousandths
    # sat in a speck of the map
    low, high = X.min(axis=0), X.max(axis=0)
    margin = np.where(high > low, pad * (high - low), 0.5)
    return low - margin, high + margin


def probability_grid(net, X: Array, resolution: int, pad: float = 0.15) -> tuple[Array, Array, Array]:
    """P(class 1) over a resolution x resolution grid covering X (n, 2) plus ``pad`` of each axis's
    span on either side (0.5 where the points share a value), evaluated as one batch: (XX, YY, p1),
    each (resolution, resolution). With two outputs that need not sum to 1 (sigmoid units),
    P(class 1) is o_1 / (o_0 + o_1): its 0.5 line is where the arg-max changes."""
    check_limit("resolution", resolution, MAX_RESOLUTION)
    low, high = plane_bounds(X, pad)
    XX, YY = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    out = net.predict_proba(np.column_stack([XX.ravel(), YY.ravel()]))
    p1 = out[:, -1] if out.shape[1] == 1 else out[:, 1] / out.sum(axis=1)
    return XX, YY, p1.reshape(XX.shape)


def decision_boundary_chart(net, X: Array, y: Array, resolution: int = 300, names: tuple | None = None) -> Chart:
    """What the network predicts over the plane (pale), its boundary, and the points X (n, 2) by
    class y (n,) in 0..k-1, those it predicts wrong crossed out, as a ``charts.Chart``.

    net: a trained Network with 2 inputs. With two outputs that need not sum to 1 (sigmoid units),
    P(class 1) is taken as o_1 / (o_0 + o_1): its 0.5 line is exactly where the arg-max changes.
    """
    XX, YY, p1 = probability_grid(net, X, resolution)
    extent = (XX[0, 0], XX[0, -1], YY[0, 0], YY[-1, 0])
    if net.n_classes > 2:
        grid = np.column_stack([XX.ravel(), YY.ravel()])
        codes = np.argmax(net.predict_proba(grid), axis=1).reshape(XX.shape)
        colors = colormap([CLASS_COLORS[k % len(CLASS_COLORS)] for k in range(net.n_classes)], REGION_STRENGTH,
                          net.n_classes)
        image = Image(codes, extent, colors, -0.5, net.n_classes - 0.5, smooth=False)
    else:
        # bilinear: P(class 1) is smooth, and a coarse grid (the report's 100 points a side) drawn so
        # is as smooth as a fine one
        second = names[1] if names is not None and len(names) > 1 else 1
        image = Image(p1, extent, colormap(RDBU, REGION_STRENGTH), 0.0, 1.0, contour=0.5,
                      colorbar=f"P(class {second})", colorbar_ticks=tuple(np.linspace(0, 1, 6)))
    predicted = net.as_codes(net.predict(X), len(X))
    right = predicted == y
    xlabel, ylabel = chart_axis_names(net.feature_names)
    panel = Panel(f"Decision boundary and test points: accuracy {right.mean():.2%}, {(~right).sum()} wrong",
                  xlabel, ylabel, points=class_points(X, y, predicted, names=names), image=image,
                  xlim=extent[:2], ylim=extent[2:], integer_x=False, grid=False, legend=True)
    return Chart([panel], size=(8, 6))


def decision_boundary(net, X: Array, y: Array, resolution: int = 300, names: tuple | None = None):
    """``decision_boundary_chart(net, X, y, resolution, names)`` drawn as a matplotlib Figure (see there)."""
    from .charts.figure import figure

    return figure(decision_boundary_chart(net, X, y, resolution, names))


def class_points(X: Array, y: Array, predicted: Array | None = None, size: float = 4.7,
                 names: tuple | None = None) -> list[Points]:
    """X (n, 2) by class y (n,) in 0..k-1 as ``charts.Points`` (each class its colour and shape,
    edged in black, ``size`` points across); with ``predicted`` (n,), a yellow cross over every
    point predicted wrong."""
    out = []
    for k in np.flatnonzero(np.bincount(y)):  # the classes present (np.unique imports numpy.ma: ~6 ms, once)
        name = names[k] if names is not None and k < len(names) else k
        out.append(Points(X[y == k, 0], X[y == k, 1], CLASS_COLORS[k % len(CLASS_COLORS)],
                          CLASS_MARKERS[k % len(CLASS_MARKERS)], size, "black", 0.5,
                          label=f"class {name} ({np.sum(y == k)})"))
    if predicted is not None:
        wrong = predicted != y
        out.append(Points(X[wrong, 0], X[wrong, 1], WRONG_COLOR, "X", size * 2.1, "black", 1.0,
                          label=f"wrong ({wrong.sum()})"))
    return out


def chart_axis_names(features) -> tuple[str, str]:
    """The two inputs' names for a map's axes: a table's column names, else x₁ and x₂."""
    return tuple(features) if features is not None and len(features) == 2 else ("x₁", "x₂")


# The same figure gives the same bytes: SVG ids from a fixed salt rather than a random one, no
# creation date in SVG or PDF. SVG text stays text (not glyph outlines): a third of the size, and
# a figure's titles can be searched and read by tests.
SVG_RC = {"svg.hashsalt": "backprop", "svg.fonttype": "none"}
NO_DATES = {"svg": {"Date": None}, "pdf": {"CreationDate": None}, "png": {}}


def to_bytes(fig, format: str = "svg", dpi: int = 110) -> bytes:
    """``fig`` rendered as ``format`` (svg, png or pdf): the same figure gives the same bytes."""
    import io

    import matplotlib

    if format not in FORMATS:
        raise ValueError(f"figure format must be one of {list(FORMATS)}. Received: format={format!r}")
    buffer = io.BytesIO()
    with matplotlib.rc_context(SVG_RC):
        fig.savefig(buffer, format=format, dpi=dpi, metadata=NO_DATES[format])
    return buffer.getvalue()


def predicted_vs_true_chart(y: Array, predicted: Array) -> Chart:
    """A regressor's test predictions against the true values (n,) or (n, k), with the diagonal
    a perfect model would lie on, and its R^2 and RMSE under the title, as a ``charts.Chart``."""
    from .metrics import r2_rmse

    y, predicted = np.reshape(y, (len(y), -1)), np.reshape(predicted, (len(predicted), -1))
    colors = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
    points = [Points(y[:, j], predicted[:, j], colors[j % len(colors)], size=3.2, alpha=0.6,
                     label=f"output {j}" if y.shape[1] > 1 else f"test points ({len(y)})") for j in range(y.shape[1])]
    low, high = float(min(y.min(), predicted.min())), float(max(y.max(), predicted.max()))
    limits = ticks.data_range(np.array([low, high]))
    r2, rmse = r2_rmse(y, predicted)
    panel = Panel("", "true value", "predicted value", [Series([low, high], [low, high], "black", "perfect")],
                  points=points, xlim=limits, ylim=limits, integer_x=False, legend=True)
    return Chart([panel], size=(5.5, 5.5), title="Test set: predicted against true",
                 subtitle=f"R\u00b2 {r2:.4f}, RMSE {rmse:.4g}")


def predicted_vs_true(y: Array, predicted: Array):
    """``predicted_vs_true_chart(y, predicted)`` drawn as a matplotlib Figure (see there)."""
    from .charts.figure import figure

    return figure(predicted_vs_true_chart(y, predicted))


CELL = 0.55  # inches a confusion matrix's cell is wide at least (digits' ten classes: 5.5 in of cells)
LONGEST_NAME = 20  # characters of a class's name under its column; a longer one is cut, ending in "…"


def confusion_matrix_chart(y: Array, predicted: Array, classes: tuple | None = None, cell: float = CELL,
                           longest: int | None = None) -> Chart:
    """Counts of true label (rows, the first on top) against predicted label (columns), y and
    predicted: (n,) in 0..k-1, as a ``charts.Chart``: a cell's shade and its count written in it.
    classes: the k classes' names, which set the figure's width: each column as wide as its name
    (cut at ``LONGEST_NAME`` characters) and at least ``cell`` inches, the rows' names left of the
    cells in full. longest: cut the rows' names too, and the columns', at that many characters
    (the subtitle then gives them in full), for a chart that must stay narrow (the report's)."""
    k = int(max(y.max(), predicted.max())) + 1
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (y, predicted), 1)
    names = [str(c) for c in classes] if classes is not None and len(classes) == k else [str(i) for i in range(k)]
    full = names
    if longest is not None:
        names = [_cut(name, longest) for name in names]
    across = [_cut(name, min(LONGEST_NAME, longest or LONGEST_NAME)) for name in names]
    top = max(int(counts.max()), 1)
    # the image's row 0 is drawn at the bottom: true class i is row k-1-i, so that class 0 is on top
    texts = [(j, k - 1 - i, str(counts[i, j]), "white" if counts[i, j] > top / 2 else "black")
             for i in range(k) for j in range(k)]
    counted = tuple(v for v, _ in ticks.linear(0, top, most=6, integer=True))  # whole points
    image = Image(counts[::-1], (-0.5, k - 0.5, -0.5, k - 0.5), colormap(BLUES), 0, top, smooth=False,
                  colorbar="test points", colorbar_ticks=counted, texts=texts)
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    panel = Panel("", "predicted", "true", image=image, xlim=(-0.5, k - 0.5), ylim=(-0.5, k - 0.5), grid=False,
                  x_ticks=list(enumerate(across)), y_ticks=[(k - 1 - i, name) for i, name in enumerate(names)])
    side = 1.2 + cell * k
    # a column as wide as its name on the x axis, the names on the y axis beside the cells: the
    # 1.25 and 2 inches leave matplotlib's colour bar its fifth of the axes and the SVG its margins
    cell = max(cell, max(text_width(name) for name in across) + 0.15)
    width = max(side + 2.6, 1.25 * k * cell + max(text_width(name) for name in names) + 2.0)
    subtitle = f"accuracy {accuracy:.2%}"
    if names != full:
        subtitle += "\nclasses, top to bottom: " + "; ".join(full)
    return Chart([panel], size=(round(width, 2), side + 1.6), title="Confusion matrix, test set", subtitle=subtitle)


def _cut(name: str, longest: int) -> str:
    """name, or its first ``longest`` - 1 characters and "…" where it is longer."""
    return name if len(name) <= longest else name[:longest - 1] + "\u2026"


def confusion_matrix(y: Array, predicted: Array, classes: tuple | None = None):
    """``confusion_matrix_chart(y, predicted, classes)`` drawn as a matplotlib Figure (see there)."""
    from .charts.figure import figure

    return figure(confusion_matrix_chart(y, predicted, classes))


def result_chart(net, data, resolution: int = 300, cell: float = CELL) -> tuple[str, Chart]:
    """(name, Chart): the one figure that shows a trained model's result on its test split: the
    decision boundary with the test points (2-D classification, on a grid of ``resolution`` points
    a side), predicted against true (regression), or the confusion matrix (cells ``cell`` inches
    wide at least)."""
    predicted = net.predict(data.X_test)
    if net.task == "regression":
        return "predicted_vs_true", predicted_vs_true_chart(data.y_test, predicted)
    codes = net.as_codes(predicted, len(predicted))
    if data.X_test.shape[1] == 2:
        return "decision_boundary", decision_boundary_chart(net, data.X_test, data.y_test, resolution, data.classes)
    return "confusion_matrix", confusion_matrix_chart(data.y_test, codes, data.classes, cell)


def result_figure(net, data, resolution: int = 300) -> tuple[str, object]:
    """(name, Figure): ``result_chart(net, data, resolution)`` drawn as a matplotlib Figure."""
    from .charts.figure import figure

    name, chart = result_chart(net, data, resolution)
    return name, figure(chart)


def model_figures(net, data, resolution: int = 300) -> dict:
    """The figures of a trained model on its data (name -> Figure): ``result_figure``'s, the test
    points by true label beside the same points with wrong predictions crossed (2-D
    classification), and the network view."""
    from .views import network

    name, fig = result_figure(net, data, resolution)
    figures = {name: fig}
    if net.task == "classification" and data.X_test.shape[1] == 2:
        predicted = net.as_codes(net.predict(data.X_test), len(data.X_test))
        figures["comparison"] = comparison(data.X_test, data.y_test, predicted, data.classes, data.feature_names)
    figures["network"] = network.figure(net, data.X if data.X.shape[1] == 2 else None, resolution // 10)
    return figures


def save(fig, path: str | os.PathLike) -> Path:
    """Write ``fig`` to ``path``, atomically; the format is the path's suffix (svg, png or pdf)."""
    from .persistence import write_atomic

    path = Path(path)
    if path.suffix.lstrip(".") not in FORMATS:
        raise ValueError(f"figure format must be one of {list(FORMATS)}. Received: path={str(path)!r}")
    write_atomic(path, to_bytes(fig, path.suffix.lstrip(".")))
    return path
