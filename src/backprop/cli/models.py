"""``backprop evaluate`` and ``backprop predict``: using a trained model."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import UsageError, add_figure_options, check_file_folder, write_figures, writing
from .model_data import add_data_options, load_with_data


def add_parsers(sub) -> None:
    """The evaluate and predict commands' parsers."""
    evaluate = sub.add_parser("evaluate", help="score a model on its test split and draw it")
    evaluate.add_argument("path", help="a model file or a run folder")
    evaluate.add_argument("--out", help="folder for the figures (default: beside the model)")
    add_data_options(evaluate)
    add_figure_options(evaluate)
    evaluate.set_defaults(handler=cmd_evaluate)

    predict = sub.add_parser("predict", help="a model's predictions (labels and probabilities, or values)")
    predict.add_argument("path", help="a model file or a run folder")
    predict.add_argument("points", nargs="*", help="points as x1,x2")
    predict.add_argument("--input", metavar="FILE.csv",
                         help="raw rows to predict: a header naming the model's columns (others are ignored), or none")
    predict.add_argument("--output", metavar="FILE.csv", help="write the table here (default: standard output)")
    predict.set_defaults(handler=cmd_predict)


def two_d_note(net, data) -> str | None:
    """The one line that says which figures were skipped because the data is not 2-D, or None."""
    if data.X_test.shape[1] == 2:
        return None
    instead = "predicted against true" if net.task == "regression" else "a confusion matrix"
    return (f"note: no decision boundary or test-point maps: they need 2 inputs, this data set has "
            f"{data.X_test.shape[1]} ({instead} instead)")


def cmd_evaluate(args: argparse.Namespace) -> int:
    """backprop evaluate: score a model on its test split and draw its figures."""
    from .. import plots
    from .train import score_name

    net, data, model_file = load_with_data(args.path, args)
    score = net.score(data.X_test, data.labels(data.y_test))
    folder = Path(args.out) if args.out else model_file.parent
    with writing("--out" if args.out else "the model's folder", folder):
        paths = write_figures(plots.model_figures(net, data), folder, args)
    print(f"{score_name(net)}: {score:.4f}")
    if net.task == "regression":  # R^2 says how much is explained; RMSE how far off, in the target's units
        from ..metrics import r2_rmse

        print(f"test RMSE: {r2_rmse(data.y_test, net.predict(data.X_test))[1]:.4g}")
    note = two_d_note(net, data)
    if note:
        print(note, file=sys.stderr)
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
    """backprop predict: a model's predictions for points given or a CSV file, as a table."""
    import numpy as np

    from .. import persistence, predictions, runs
    from ..validation import check_features

    if args.output:
        check_file_folder("--output", args.output)
    net = persistence.load(runs.model_path(args.path))
    rows = _parse_points(args.points, "points")
    if len({len(p) for p in rows}) > 1:
        raise ValueError("points must all have the same number of coordinates")
    X = [np.array(rows, dtype=float)] if rows else []
    if args.input:
        X.append(predictions.read_inputs(args.input, net))
    if not X:
        names = net.feature_names or [f"x{i + 1}" for i in range(net.sizes[0])]
        raise UsageError(f"give points as {','.join(names)} (numbers) or --input FILE.csv")
    X = np.concatenate([check_features(x, net.sizes[0], np.float64, "points") for x in X])
    text = predictions.csv_text(*predictions.table(net, X))
    if args.output:
        with writing("--output", args.output):
            persistence.write_atomic(Path(args.output), text.encode())
        print(f"wrote {len(X)} predictions to {args.output}")
    else:
        print(text, end="")
    return 0
