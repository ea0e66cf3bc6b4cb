"""The ``backprop`` command line: train, evaluate, predict, plot-data.

Every error a user can cause ends as one line on stderr and exit code 2. The library never
prints; this module does all the reporting.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from . import activations, engines, initializers, losses, optimizers, schedules
from .config import PRESETS, Experiment
from .datasets import DATASETS
from .persistence import ModelFileError
from .plots import FORMATS

EXIT_USAGE = 2


class UsageError(Exception):
    """A bad command line: reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints usage + message; we want one line
        raise UsageError(f"{self.prog}: {message}")


def _int_list(text: str) -> tuple[int, ...]:
    try:
        widths = tuple(int(part) for part in text.split(",") if part.strip() != "")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers like 25,50,25. Received: {text!r}") from None
    if any(w < 1 for w in widths):
        raise argparse.ArgumentTypeError(f"widths must be positive. Received: {text!r}")
    return widths


def _choices(registry) -> list[str]:
    return sorted(registry)


# ---------------------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="backprop", description="Backpropagation in NumPy: train, evaluate and plot.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = sub.add_parser("train", help="train a network (default: the seed's experiment)")
    defaults = Experiment()
    train.add_argument("--preset", choices=sorted(PRESETS), default="seed", help="starting configuration")
    widths = ",".join(map(str, defaults.hidden))
    train.add_argument("--hidden", type=_int_list, help=f"hidden widths (default {widths})")
    train.add_argument("--activation", choices=_choices(activations.ACTIVATIONS), help="hidden activation")
    train.add_argument("--output-activation", choices=_choices(activations.ACTIVATIONS))
    train.add_argument("--loss", choices=_choices(losses.LOSSES))
    train.add_argument("--init", choices=["auto", *_choices(initializers.INITIALIZERS)])
    train.add_argument("--epochs", type=int)
    train.add_argument("--lr", type=float, dest="learning_rate", help="learning rate")
    train.add_argument("--batch-size", type=int)
    train.add_argument("--optimizer", choices=_choices(optimizers.OPTIMIZERS))
    train.add_argument("--weight-decay", type=float)
    train.add_argument("--schedule", choices=_choices(schedules.SCHEDULES))
    train.add_argument("--patience", type=int, help="early stopping patience in epochs")
    train.add_argument("--shuffle", action=argparse.BooleanOptionalAction, default=None,
                       help="reshuffle the samples every epoch (the seed preset keeps the seed's fixed order)")
    train.add_argument("--engine", choices=list(engines.ENGINES))
    train.add_argument("--dtype", choices=["float64", "float32"])
    train.add_argument("--seed", type=int)
    train.add_argument("--eval-every", type=int)
    train.add_argument("--dataset", choices=_choices(DATASETS))
    train.add_argument("--out", default="runs", help="folder that holds the run folders (default runs)")
    train.add_argument("--name", help="run folder name (default: the current time)")
    _figure_options(train)
    train.add_argument("--quiet", action="store_true", help="no progress output")
    train.set_defaults(handler=cmd_train)

    evaluate = sub.add_parser("evaluate", help="score a model on its test split and draw it")
    evaluate.add_argument("path", help="a model file or a run folder")
    evaluate.add_argument("--out", help="folder for the figures (default: beside the model)")
    _figure_options(evaluate)
    evaluate.set_defaults(handler=cmd_evaluate)

    predict = sub.add_parser("predict", help="print a model's predictions for points")
    predict.add_argument("path", help="a model file or a run folder")
    predict.add_argument("points", nargs="*", help="points as x1,x2")
    predict.add_argument("--input", help="a CSV file of points, one per line")
    predict.set_defaults(handler=cmd_predict)

    plot_data = sub.add_parser("plot-data", help="draw the data set")
    plot_data.add_argument("--dataset", choices=_choices(DATASETS), default="moons")
    plot_data.add_argument("--dark", action="store_true", help="dark background")
    plot_data.add_argument("--out", help="output file (default data.FORMAT)")
    _figure_options(plot_data)
    plot_data.set_defaults(handler=cmd_plot_data)
    return parser


def _figure_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=list(FORMATS), default="svg", help="figure format (default svg)")
    parser.add_argument("--show", action="store_true", help="also open the figures in a window")


# ---------------------------------------------------------------------------------------- train
FIT_OPTIONS = ("epochs", "learning_rate", "batch_size", "optimizer", "weight_decay", "schedule", "patience",
               "engine", "eval_every", "shuffle")
NET_OPTIONS = ("hidden", "activation", "output_activation", "loss", "init", "dtype", "seed", "dataset")


def experiment_from_args(args: argparse.Namespace) -> Experiment:
    """The preset, with every option the user gave laid over it."""
    base = PRESETS[args.preset]
    fit_changes = {k: getattr(args, k) for k in FIT_OPTIONS if getattr(args, k) is not None}
    net_changes = {k: getattr(args, k) for k in NET_OPTIONS if getattr(args, k) is not None}
    return replace(base, **net_changes, fit=replace(base.fit, **fit_changes))


class ProgressReporter:
    """Turns ``fit``'s progress callbacks into a tqdm bar (terminal), plain lines, or nothing."""

    def __init__(self, epochs: int, mode: str):
        self.mode, self.bar = mode, None
        if mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=epochs, unit="epoch", file=sys.stderr, dynamic_ncols=True)

    def __call__(self, progress) -> None:
        record = progress.record
        if self.bar is not None:
            self.bar.update(1)
            if record:
                self.bar.set_postfix(loss=f"{record['loss']:.4f}", test_acc=f"{record['val_accuracy']:.2%}")
        elif self.mode == "lines" and record:
            print(f"epoch {record['epoch']:>5}/{progress.epochs}  loss {record['loss']:.5f}  "
                  f"mse {record['mse']:.5f}  test accuracy {record['val_accuracy']:.2%}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def cmd_train(args: argparse.Namespace) -> int:
    from . import datasets, persistence, plots, runs

    experiment = experiment_from_args(args)
    data = datasets.DATASETS[experiment.dataset]()
    net = experiment.build_network(data.X_train.shape[1], int(data.y.max()) + 1)
    mode = "none" if args.quiet else ("bar" if sys.stderr.isatty() else "lines")
    reporter = ProgressReporter(experiment.fit.epochs, mode)
    try:
        history = net.fit(data.X_train, data.y_train, validation_data=(data.X_test, data.y_test),
                          callback=reporter, **experiment.fit.to_dict())
    finally:
        reporter.close()
    folder = runs.new_run_folder(args.out, args.name)
    persistence.save(net, folder / runs.MODEL_FILE, dataset=data.spec)
    runs.write_metrics(history, folder / "metrics.csv")
    runs.write_json({**experiment.to_dict(), "dataset": data.spec, "train_seconds": history.seconds},
                    folder / "config.json")
    _write_figures({"curves": plots.curves(history)}, folder, args)
    accuracy = net.accuracy(data.X_test, data.y_test)
    print(f"test accuracy: {accuracy:.4f}")
    print(f"training time: {history.seconds:.2f} s")
    print(f"run folder:    {folder}")
    return 0


def _write_figures(figures: dict, folder: Path, args: argparse.Namespace) -> list[Path]:
    from . import plots

    paths = [plots.save(fig, folder / f"{name}.{args.format}") for name, fig in figures.items()]
    if args.show:
        import matplotlib.pyplot as plt

        for fig in figures.values():
            plt.figure(fig)
        plt.show()
    return paths


# ---------------------------------------------------------------------------------------- evaluate
def _load_with_data(path: str):
    from . import datasets, persistence, runs

    model_file = runs.model_path(path)
    net = persistence.load(model_file)
    if not net.dataset:
        raise ModelFileError(f"{str(model_file)!r} does not say which data set it was trained on")
    return net, datasets.from_spec(net.dataset), model_file


def cmd_evaluate(args: argparse.Namespace) -> int:
    from . import plots

    net, data, model_file = _load_with_data(args.path)
    predicted = net.predict(data.X_test)
    accuracy = float((predicted == data.y_test).mean())
    folder = Path(args.out) if args.out else model_file.parent
    figures = {"comparison": plots.comparison(data.X_test, data.y_test, predicted),
               "decision_boundary": plots.decision_boundary(net, data.X_test, data.y_test)}
    paths = _write_figures(figures, folder, args)
    print(f"test accuracy: {accuracy:.4f}")
    for path in paths:
        print(f"wrote {path}")
    return 0


# ---------------------------------------------------------------------------------------- predict
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

    from . import persistence, runs

    net = persistence.load(runs.model_path(args.path))
    points = _parse_points(args.points, "points")
    if args.input:
        lines = [line.strip() for line in Path(args.input).read_text().splitlines()]
        points += _parse_points([line for line in lines if line and not line[0].isalpha()], "--input")
    if not points:
        raise UsageError("backprop predict: give points as x1,x2 or --input FILE")
    X = np.array(points, dtype=float) if len({len(p) for p in points}) == 1 else None
    if X is None:
        raise ValueError("points must all have the same number of coordinates")
    proba = net.predict_proba(X)
    labels = net.predict(X)
    # A single output unit is the probability of class 1.
    classes = ["p1"] if proba.shape[1] == 1 else [f"p{k}" for k in range(proba.shape[1])]
    print(",".join([*(f"x{i + 1}" for i in range(X.shape[1])), *classes, "label"]))
    for x, p, label in zip(X, proba, labels):
        print(",".join([*(f"{v:g}" for v in x), *(f"{v:.4f}" for v in p), str(label)]))
    return 0


# ---------------------------------------------------------------------------------------- plot-data
def cmd_plot_data(args: argparse.Namespace) -> int:
    from . import datasets, plots

    data = datasets.DATASETS[args.dataset]()
    out = Path(args.out) if args.out else Path(f"data.{args.format}")
    fig = plots.data(data.X, data.y, title=f"{args.dataset}: {len(data.y)} points", dark=args.dark)
    plots.save(fig, out)
    if args.show:
        import matplotlib.pyplot as plt

        plt.figure(fig)
        plt.show()
    print(f"wrote {out}")
    return 0


# ---------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "show", False):
            import matplotlib

            matplotlib.use("Agg")  # headless: never open a window unless --show
        return args.handler(args)
    except UsageError as err:
        print(err, file=sys.stderr)
    except (ValueError, TypeError, FloatingPointError, OSError) as err:
        print(f"backprop: error: {err}", file=sys.stderr)
    except KeyboardInterrupt:
        print("backprop: interrupted", file=sys.stderr)
        return 130
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
