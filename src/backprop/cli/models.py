"""``backprop evaluate`` and ``backprop predict``: using a trained model."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ModelFileError
from .common import UsageError, add_figure_options, write_figures


def add_parsers(sub) -> None:
    evaluate = sub.add_parser("evaluate", help="score a model on its test split and draw it")
    evaluate.add_argument("path", help="a model file or a run folder")
    evaluate.add_argument("--out", help="folder for the figures (default: beside the model)")
    add_figure_options(evaluate)
    evaluate.set_defaults(handler=cmd_evaluate)

    predict = sub.add_parser("predict", help="print a model's predictions for points")
    predict.add_argument("path", help="a model file or a run folder")
    predict.add_argument("points", nargs="*", help="points as x1,x2")
    predict.add_argument("--input", help="a CSV file of points, one per line")
    predict.set_defaults(handler=cmd_predict)


def load_with_data(path: str):
    """(network, its data set, the model file) from a model file or a run folder."""
    from .. import datasets, persistence, runs

    model_file = runs.model_path(path)
    net = persistence.load(model_file)
    if not net.dataset:
        raise ModelFileError(f"{str(model_file)!r} does not say which data set it was trained on")
    return net, datasets.from_spec(net.dataset), model_file


def model_figures(net, data, resolution: int = 300) -> dict:
    """The figures of a trained model on its data: right and wrong test points, the decision
    boundary (on a resolution x resolution grid) and the network view (the first two need 2-D inputs)."""
    from .. import plots
    from ..views import network

    figures = {}
    predicted = net.predict(data.X_test)
    if data.X_test.shape[1] == 2:
        figures["comparison"] = plots.comparison(data.X_test, data.y_test, predicted)
        figures["decision_boundary"] = plots.decision_boundary(net, data.X_test, data.y_test, resolution)
    else:
        figures["confusion_matrix"] = plots.confusion_matrix(data.y_test, predicted, data.classes)
    figures["network"] = network.figure(net, data.X if data.X.shape[1] == 2 else None, resolution // 10)
    return figures


def cmd_evaluate(args: argparse.Namespace) -> int:
    net, data, model_file = load_with_data(args.path)
    accuracy = float((net.predict(data.X_test) == data.y_test).mean())
    folder = Path(args.out) if args.out else model_file.parent
    paths = write_figures(model_figures(net, data), folder, args)
    print(f"test accuracy: {accuracy:.4f}")
    if data.X_test.shape[1] != 2:
        print(f"note: no decision boundary or test-point maps: they need 2 inputs, this data set has "
              f"{data.X_test.shape[1]} (a confusion matrix instead)")
    for path in paths:
        print(f"wrote {path}")
    return 0


def _parse_points(texts: list[str], source: str) -> list[list[float]]:
    points = []
    for text in texts:
        try:
            points.append([float(v) for v in text.split(",")])
        except ValueError:
            raise ValueError(f"{source} must hold numbers like 0.5,-0.25. Received: {text!r}") from None
    return points


def cmd_predict(args: argparse.Namespace) -> int:
    import numpy as np

    from .. import persistence, runs

    net = persistence.load(runs.model_path(args.path))
    points = _parse_points(args.points, "points")
    if args.input:
        lines = [line.strip() for line in Path(args.input).read_text().splitlines()]
        points += _parse_points([line for line in lines if line and not line[0].isalpha()], "--input")
    if not points:
        raise UsageError("backprop predict: give points as x1,x2 or --input FILE")
    if len({len(p) for p in points}) != 1:
        raise ValueError("points must all have the same number of coordinates")
    X = net.as_inputs(np.array(points, dtype=float), "points")
    proba = net.predict_proba(X)
    labels = net.predict(X)
    # A single output unit is the probability of class 1.
    classes = ["p1"] if proba.shape[1] == 1 else [f"p{k}" for k in range(proba.shape[1])]
    print(",".join([*(f"x{i + 1}" for i in range(X.shape[1])), *classes, "label"]))
    for x, p, label in zip(X, proba, labels):
        print(",".join([*(f"{v:g}" for v in x), *(f"{v:.4f}" for v in p), str(label)]))
    return 0
