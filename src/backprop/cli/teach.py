"""The teaching commands: ``gradcheck`` and ``trace`` (backpropagation checked, and shown step by
step), ``replay`` (training as an animation) and ``compare`` (runs side by side)."""
from __future__ import annotations

import argparse
import json
import math
import sys

from .common import UsageError, check_figure_path, check_file_folder, notice_if_slow, writing
from .model_data import add_data_options

EXIT_GRADCHECK_FAILED = 1
EXIT_GRADCHECK_INCONCLUSIVE = 2  # not a disagreement: the model cannot be checked this way (as bad input)


def add_parsers(sub) -> None:
    """The teaching commands' parsers: gradcheck, trace, replay, compare."""
    check = sub.add_parser("gradcheck", help="check backpropagation against finite differences")
    check.add_argument("model", nargs="?", help="a model file or run folder (default: a fresh seed network)")
    check.add_argument("--samples", type=int, default=20, help="training samples in the loss (default 20)")
    check.add_argument("--epsilon", type=float, default=1e-6, help="finite-difference step (default 1e-6)")
    check.add_argument("--tolerance", type=float, default=1e-6, help="largest relative error that passes")
    add_data_options(check)
    check.set_defaults(handler=cmd_gradcheck)

    trace = sub.add_parser("trace", help="one sample's forward and backward pass, beside the equations")
    trace.add_argument("model", help="a model file or run folder")
    trace.add_argument("--sample", type=int, default=0, help="index into the training split (default 0)")
    trace.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    trace.add_argument("--lr", type=float, default=0.01, help="learning rate of the step shown (default 0.01)")
    add_data_options(trace)
    trace.set_defaults(handler=cmd_trace)

    replay = sub.add_parser("replay", help="animate a run's decision boundary over training (from its snapshots)")
    replay.add_argument("run", help="a run folder trained with --snapshot-every")
    replay.add_argument("--format", choices=["gif", "mp4"], default="gif", help="gif (Pillow) or mp4 (ffmpeg)")
    replay.set_defaults(handler=cmd_replay)

    compare = sub.add_parser("compare", help="several runs' curves overlaid and boundaries side by side")
    compare.add_argument("runs", nargs="+", help="run folders")
    compare.add_argument("--out", default="compare.svg", help="the figure's file (default compare.svg)")
    compare.set_defaults(handler=cmd_compare)


def _network_and_data(args: argparse.Namespace):
    """The model and its data set (see ``model_data``), or a fresh seed network and the moons without a model."""
    from .. import datasets
    from ..config import PRESETS
    from .model_data import load_with_data

    if args.model is None:
        if args.data is not None or args.dataset is not None:
            raise UsageError("--data and --dataset go with a model: name one first")
        return PRESETS["seed"].build_network(2, 2), datasets.moons()
    net, data, _ = load_with_data(args.model, args)
    return net, data


def cmd_gradcheck(args: argparse.Namespace) -> int:
    """backprop gradcheck: backpropagation's gradients against finite differences."""
    from ..gradcheck import gradcheck

    if args.samples < 1:
        raise ValueError(f"--samples must be a positive integer. Received: {args.samples}")
    if not 0 < args.epsilon < 1:
        raise ValueError(f"--epsilon must be a number in (0, 1). Received: {args.epsilon}")
    if not (args.tolerance > 0 and math.isfinite(args.tolerance)):
        raise ValueError(f"--tolerance must be a positive number. Received: {args.tolerance}")
    net, data = _network_and_data(args)
    n = min(args.samples, len(data.X_train))
    # the samples as the network takes them: original class labels, or real targets for regression
    result = gradcheck(net, data.X_train[:n], data.labels(data.y_train[:n]), epsilon=args.epsilon,
                       tolerance=args.tolerance)
    print(result.table())
    if result.inconclusive:
        print("backprop: gradcheck is inconclusive: the loss is too large (or not finite) for finite differences "
              "to decide; the network may have diverged", file=sys.stderr)
        return EXIT_GRADCHECK_INCONCLUSIVE
    return 0 if result.passed else EXIT_GRADCHECK_FAILED


def cmd_trace(args: argparse.Namespace) -> int:
    """backprop trace: every number of one sample's forward and backward pass."""
    from .. import trace

    if not (args.lr > 0 and math.isfinite(args.lr)):
        raise ValueError(f"--lr must be a positive number. Received: {args.lr}")
    net, data = _network_and_data(args)
    if not 0 <= args.sample < len(data.X_train):
        raise ValueError(f"--sample must be in [0, {len(data.X_train) - 1}]. Received: {args.sample}")
    # the label as the network names it ("sick", "setosa"), or the real target, never rounded
    label = data.labels(data.y_train[args.sample:args.sample + 1])[0]
    result = trace.trace(net, data.X_train[args.sample], label, args.lr)
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
    if not folder.is_dir():
        raise ValueError(f"no run folder at {str(folder)!r}: give a folder that backprop train made")
    frames = snapshots.read(folder / snapshots.FOLDER)
    if not frames:
        raise ValueError(f"{str(folder)!r} holds no weight snapshots: train it with --snapshot-every K")
    data = datasets.from_spec(frames[0][1].dataset)
    if data.X.shape[1] != 2:
        raise ValueError("replay draws decision boundaries: it needs a data set with 2 inputs")
    # 100 frames take tens of seconds, with nothing on screen until the file is written: say why
    with notice_if_slow(f"backprop replay: drawing {len(frames)} frames into replay.{args.format}", 2.0):
        path = replay.write(folder / f"replay.{args.format}", frames, data,
                            runs.read_metrics(folder / "metrics.csv"))
    if (folder / "report.html").exists():
        report.add_replay(folder, path)
    print(f"wrote {path} ({len(frames)} frames)")
    return 0


def _check_same_data(folders: list[str], nets: list) -> None:
    """ValueError naming the first run whose data set differs from the first run's, and how."""
    first = nets[0].dataset
    if first is None:
        raise ValueError(f"compare needs runs that name their data set: {folders[0]!r} names none")
    for folder, net in zip(folders[1:], nets[1:]):
        other = net.dataset or {}
        if other == first:
            continue
        if other.get("name") != first.get("name") or other.get("path") != first.get("path"):
            how = f"it was trained on {_data_name(other)}, {folders[0]!r} on {_data_name(first)}"
        else:
            keys = sorted(k for k in {*first, *other} if first.get(k) != other.get(k))
            how = "its " + ", ".join(f"{k} is {other.get(k)!r}, not {first.get(k)!r}" for k in keys)
        raise ValueError(f"compare needs runs trained on the same data set: {folder!r} differs from "
                         f"{folders[0]!r}: {how}")


def _data_name(spec: dict) -> str:
    """A data set as a person names it: "moons", or a table's file name."""
    from pathlib import Path

    return Path(spec["path"]).name if spec.get("path") else str(spec.get("name"))


def cmd_compare(args: argparse.Namespace) -> int:
    """backprop compare: runs trained on the same data set, side by side in one figure."""
    from pathlib import Path

    from .. import datasets, persistence, plots, runs
    from ..views import compare

    check_figure_path("--out", args.out)
    check_file_folder("--out", args.out)
    entries = []
    for run in args.runs:
        if not Path(run).is_dir():
            raise ValueError(f"compare takes run folders: no run folder at {run!r}")
        net = persistence.load(runs.model_path(run))
        entries.append((Path(run).name, net, runs.read_metrics(Path(run) / "metrics.csv")))
    _check_same_data(args.runs, [net for _, net, _ in entries])
    with writing("--out", args.out):
        path = plots.save(compare.figure(entries, datasets.from_spec(entries[0][1].dataset)), args.out)
    print(f"wrote {path}")
    return 0
