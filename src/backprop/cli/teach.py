"""The teaching commands: ``gradcheck`` and ``trace`` (backpropagation checked, and shown step by
step), ``replay`` (training as an animation) and ``compare`` (runs side by side)."""
from __future__ import annotations

import argparse
import json

EXIT_GRADCHECK_FAILED = 1


def add_parsers(sub) -> None:
    """The teaching commands' parsers: gradcheck, trace, replay, compare."""
    check = sub.add_parser("gradcheck", help="check backpropagation against finite differences")
    check.add_argument("model", nargs="?", help="a model file or run folder (default: a fresh seed network)")
    check.add_argument("--samples", type=int, default=20, help="training samples in the loss (default 20)")
    check.add_argument("--epsilon", type=float, default=1e-6, help="finite-difference step (default 1e-6)")
    check.add_argument("--tolerance", type=float, default=1e-6, help="largest relative error that passes")
    check.set_defaults(handler=cmd_gradcheck)

    trace = sub.add_parser("trace", help="one sample's forward and backward pass, beside the equations")
    trace.add_argument("model", help="a model file or run folder")
    trace.add_argument("--sample", type=int, default=0, help="index into the training split (default 0)")
    trace.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    trace.add_argument("--lr", type=float, default=0.01, help="learning rate of the step shown (default 0.01)")
    trace.set_defaults(handler=cmd_trace)

    replay = sub.add_parser("replay", help="animate a run's decision boundary over training (from its snapshots)")
    replay.add_argument("run", help="a run folder trained with --snapshot-every")
    replay.add_argument("--format", choices=["gif", "mp4"], default="gif", help="gif (Pillow) or mp4 (ffmpeg)")
    replay.set_defaults(handler=cmd_replay)

    compare = sub.add_parser("compare", help="several runs' curves overlaid and boundaries side by side")
    compare.add_argument("runs", nargs="+", help="run folders")
    compare.add_argument("--out", default="compare.svg", help="the figure's file (default compare.svg)")
    compare.set_defaults(handler=cmd_compare)


def _network_and_data(model: str | None):
    """The model and its data set, or a fresh seed network and the moons without a model."""
    from .. import datasets
    from ..config import PRESETS
    from .models import load_with_data

    if model is None:
        return PRESETS["seed"].build_network(2, 2), datasets.moons()
    net, data, _ = load_with_data(model)
    return net, data


def cmd_gradcheck(args: argparse.Namespace) -> int:
    """backprop gradcheck: backpropagation's gradients against finite differences."""
    from ..gradcheck import gradcheck

    if args.samples < 1:
        raise ValueError(f"--samples must be a positive integer. Received: {args.samples}")
    net, data = _network_and_data(args.model)
    n = min(args.samples, len(data.X_train))
    result = gradcheck(net, data.X_train[:n], data.y_train[:n], epsilon=args.epsilon, tolerance=args.tolerance)
    print(result.table())
    return 0 if result.passed else EXIT_GRADCHECK_FAILED


def cmd_trace(args: argparse.Namespace) -> int:
    """backprop trace: every number of one sample's forward and backward pass."""
    from .. import trace

    net, data = _network_and_data(args.model)
    if not 0 <= args.sample < len(data.X_train):
        raise ValueError(f"--sample must be in [0, {len(data.X_train) - 1}]. Received: {args.sample}")
    result = trace.trace(net, data.X_train[args.sample], int(data.y_train[args.sample]), args.lr)
    if args.format == "json":
        print(json.dumps(result))
    else:
        print(trace.as_markdown(result) if args.format == "markdown" else trace.as_text(result))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    """backprop replay: a run's snapshots as an animation (GIF or MP4)."""
    from pathlib import Path

    from .. import datasets, runs, snapshots
    from ..views import replay, report

    folder = Path(args.run)
    frames = snapshots.read(folder / snapshots.FOLDER)
    if not frames:
        raise ValueError(f"{str(folder)!r} holds no weight snapshots: train it with --snapshot-every K")
    data = datasets.from_spec(frames[0][1].dataset)
    if data.X.shape[1] != 2:
        raise ValueError("replay draws decision boundaries: it needs a data set with 2 inputs")
    path = replay.write(folder / f"replay.{args.format}", frames, data, runs.read_metrics(folder / "metrics.csv"))
    if (folder / "report.html").exists():
        report.add_replay(folder, path)
    print(f"wrote {path} ({len(frames)} frames)")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """backprop compare: runs trained on the same data set, side by side in one figure."""
    from pathlib import Path

    from .. import datasets, persistence, plots, runs
    from ..views import compare

    entries = []
    for run in args.runs:
        net = persistence.load(runs.model_path(run))
        entries.append((Path(run).name, net, runs.read_metrics(Path(run) / "metrics.csv")))
    specs = {json.dumps(net.dataset, sort_keys=True) for _, net, _ in entries}
    if len(specs) != 1 or entries[0][1].dataset is None:
        raise ValueError("compare needs runs trained on the same data set")
    path = plots.save(compare.figure(entries, datasets.from_spec(entries[0][1].dataset)), args.out)
    print(f"wrote {path}")
    return 0
