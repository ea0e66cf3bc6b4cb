"""Figures: training curves, the data, the seed's test-set comparison and the decision boundary.

Every function returns a ``matplotlib.figure.Figure`` built without pyplot, so nothing opens a
window or needs a display; ``save`` writes one to a file. (To show one interactively, hand it to
``matplotlib.pyplot.figure(fig)`` and call ``pyplot.show()``, as ``backprop ... --show`` does.)
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

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


def curves(history: History):
    """The seed's two curves over every evaluated epoch: the MSE and the test accuracy.

    Falls back to the training accuracy where the history has no validation data, and draws the
    test loss instead of accuracy for regression (where accuracy is NaN).
    """
    fig = _figure((12, 4.5), margins={"left": 0.065, "right": 0.985, "bottom": 0.12, "top": 0.92, "wspace": 0.2})
    ax_mse, ax_acc = fig.subplots(1, 2)
    ax_mse.plot(history.epoch, history.mse, color="tab:blue")
    ax_mse.set(title="MSE on the training set", xlabel="epoch", ylabel="MSE")
    if len(history) and np.all(np.isnan(history.train_accuracy)):  # regression: no accuracy to draw
        has_val = not np.all(np.isnan(history.val_loss))
        ax_acc.plot(history.epoch, history.val_loss if has_val else history.loss, color="tab:green")
        ax_acc.set(title="Test loss" if has_val else "Training loss", xlabel="epoch", ylabel="loss")
    else:
        has_val = not np.all(np.isnan(history.val_accuracy))
        accuracy = history.val_accuracy if has_val else history.train_accuracy
        ax_acc.plot(history.epoch, np.asarray(accuracy) * 100, color="tab:green")
        ax_acc.set(title="Test accuracy" if has_val else "Training accuracy", xlabel="epoch", ylabel="accuracy (%)")
    for ax in (ax_mse, ax_acc):
        ax.grid(alpha=0.3)
    return fig


def data(X: Array, y: Array, title: str = "Classification data set", dark: bool = False):
    """Scatter plot of points X (n, 2) coloured by label y (n,), as the seed's make_plot draws it."""
    import matplotlib.style

    style = "dark_background" if dark else "default"
    with matplotlib.style.context(style):
        fig = _figure((8, 6))
        ax = fig.subplots()
        ax.scatter(X[:, 0], X[:, 1], c=y, s=20, cmap="Spectral", edgecolors="none")
        ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    return fig


def comparison(X: Array, y: Array, predicted: Array):
    """The seed's test-set figure: points coloured by true label | by prediction, correct green, wrong red.

    X: (n, 2), y: (n,) true labels, predicted: (n,) labels.
    """
    fig = _figure((13, 5.5), margins={"left": 0.06, "right": 0.985, "bottom": 0.1, "top": 0.92, "wspace": 0.12})
    ax_true, ax_pred = fig.subplots(1, 2, sharex=True, sharey=True)
    ax_true.scatter(X[:, 0], X[:, 1], c=y, s=25, cmap="Spectral", edgecolors="#335566", linewidths=0.4)
    ax_true.set(title="Test points by true label", xlabel="$x_1$", ylabel="$x_2$")
    right = predicted == y
    ax_pred.scatter(X[right, 0], X[right, 1], s=25, c="green", edgecolors="#335566", linewidths=0.4,
                    label=f"correct ({right.sum()})")
    ax_pred.scatter(X[~right, 0], X[~right, 1], s=60, c="red", edgecolors="#778899", linewidths=0.4,
                    label=f"wrong ({(~right).sum()})")
    ax_pred.set(title=f"By prediction: accuracy {right.mean():.2%}", xlabel="$x_1$")
    ax_pred.legend(loc="lower left")
    return fig


def probability_grid(net, X: Array, resolution: int, pad: float = 0.5) -> tuple[Array, Array, Array]:
    """P(class 1) over a resolution x resolution grid covering X (n, 2) plus ``pad``, evaluated as one
    batch: (XX, YY, p1), each (resolution, resolution). With two outputs that need not sum to 1
    (sigmoid units), P(class 1) is o_1 / (o_0 + o_1): its 0.5 line is where the arg-max changes."""
    check_limit("resolution", resolution, MAX_RESOLUTION)
    low, high = X.min(axis=0) - pad, X.max(axis=0) + pad
    XX, YY = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    out = net.predict_proba(np.column_stack([XX.ravel(), YY.ravel()]))
    p1 = out[:, -1] if out.shape[1] == 1 else out[:, 1] / out.sum(axis=1)
    return XX, YY, p1.reshape(XX.shape)


def decision_boundary(net, X: Array, y: Array, resolution: int = 300):
    """Filled contour of the predicted probability of class 1 over the plane, its 0.5 line, and the points.

    net: a trained Network with 2 inputs; X: (n, 2), y: (n,). With two outputs that need not sum
    to 1 (sigmoid units), P(class 1) is taken as o_1 / (o_0 + o_1): its 0.5 line is exactly where
    the arg-max prediction changes.
    """
    XX, YY, p1 = probability_grid(net, X, resolution)
    fig = _figure((8, 6), margins={"left": 0.09, "right": 0.98, "bottom": 0.09, "top": 0.94})
    ax = fig.subplots()
    filled = ax.contourf(XX, YY, p1, levels=25, cmap="Spectral", vmin=0, vmax=1)
    ax.contour(XX, YY, p1, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(X[:, 0], X[:, 1], c=y, s=18, cmap="Spectral", edgecolors="k", linewidths=0.4)
    ax.set(title="Decision boundary (P(class 1) = 0.5)", xlabel="$x_1$", ylabel="$x_2$")
    fig.colorbar(filled, ax=ax, label="P(class 1)")
    return fig


def to_bytes(fig, format: str = "svg", dpi: int = 110) -> bytes:
    """``fig`` rendered as ``format`` (svg, png or pdf)."""
    import io

    if format not in FORMATS:
        raise ValueError(f"figure format must be one of {list(FORMATS)}. Received: format={format!r}")
    import matplotlib

    # The same figure gives the same bytes: no date in the file, and SVG's element ids drawn from
    # a fixed salt (matplotlib's default is a random one per process)
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(format)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "backprop"}):
        fig.savefig(buffer, format=format, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def predicted_vs_true(y: Array, predicted: Array):
    """A regressor's test predictions against the true values (n,) or (n, k), with the diagonal
    a perfect model would lie on."""
    fig = _figure((5, 5))
    ax = fig.subplots()
    y, predicted = np.reshape(y, (len(y), -1)), np.reshape(predicted, (len(predicted), -1))
    for j in range(y.shape[1]):
        ax.scatter(y[:, j], predicted[:, j], s=8, alpha=0.6, label=f"output {j}" if y.shape[1] > 1 else None)
    low, high = float(min(y.min(), predicted.min())), float(max(y.max(), predicted.max()))
    ax.plot([low, high], [low, high], color="black", linewidth=1, label="perfect")
    ax.set(xlabel="true value", ylabel="predicted value", title="Test set: predicted against true")
    ax.legend(loc="upper left")
    return fig


def confusion_matrix(y: Array, predicted: Array, classes: tuple | None = None):
    """Counts of true label (rows) against predicted label (columns), y and predicted: (n,) in 0..k-1."""
    k = int(max(y.max(), predicted.max())) + 1
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (y, predicted), 1)
    names = [str(c) for c in classes] if classes is not None and len(classes) == k else [str(i) for i in range(k)]
    fig = _figure((1.2 + 0.55 * k + 2, 1.2 + 0.55 * k + 1))
    ax = fig.subplots()
    image = ax.imshow(counts, cmap="Blues")
    for i in range(k):
        for j in range(k):
            ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=8,
                    color="white" if counts[i, j] > counts.max() / 2 else "black")
    ax.set_xticks(range(k), names, rotation=45 if k > 4 else 0, ha="right" if k > 4 else "center")
    ax.set_yticks(range(k), names)
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    ax.set(title=f"Confusion matrix, test set\naccuracy {accuracy:.2%}", xlabel="predicted", ylabel="true")
    fig.colorbar(image, ax=ax, label="test points")
    return fig


def model_figures(net, data, resolution: int = 300) -> dict:
    """The figures of a trained model on its data: right and wrong test points, the decision
    boundary (on a resolution x resolution grid) and the network view (the first two need 2-D inputs)."""
    from .views import network

    figures = {}
    predicted = net.predict(data.X_test)
    if net.task == "regression":
        figures["predicted_vs_true"] = predicted_vs_true(data.y_test, predicted)
    elif data.X_test.shape[1] == 2:
        figures["comparison"] = comparison(data.X_test, data.y_test, predicted)
        figures["decision_boundary"] = decision_boundary(net, data.X_test, data.y_test, resolution)
    else:
        figures["confusion_matrix"] = confusion_matrix(data.y_test, net.as_codes(predicted, len(predicted)),
                                                       data.classes)
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
