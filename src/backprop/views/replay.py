"""replay.gif: the decision boundary evolving over training, frame by frame from weight snapshots,
with the test points marked right or wrong and a marker moving along the loss and accuracy curves."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

FORMATS = ("gif", "mp4")


def frame(net, epoch: int, data, rows: list[dict], resolution: int = 120):
    """One frame as a matplotlib Figure: net's boundary at ``epoch`` over data's test points, and the
    curves (rows of metrics.csv) with the epoch marked. The grid is evaluated as one batch."""
    from matplotlib.figure import Figure

    from ..plots import LOSS_NAMES, axis_names, draw_regions, mark_points

    X, y = data.X_test, data.y_test
    fig = Figure(figsize=(11, 4.6), dpi=80)
    fig.subplots_adjust(left=0.06, right=0.93, bottom=0.12, top=0.86, wspace=0.3)
    ax_map, ax_curve = fig.subplots(1, 2)
    draw_regions(ax_map, net, data.X, resolution)
    predicted = net.as_codes(net.predict(X), len(X))
    mark_points(ax_map, X, y, predicted, size=12)
    right = predicted == y
    xlabel, ylabel = axis_names(net.feature_names)
    ax_map.set(title="Decision boundary, test points (wrong: crossed)", xlabel=xlabel, ylabel=ylabel)
    ax_map.legend(loc="lower left", fontsize=7, framealpha=0.9)
    epochs = [r["epoch"] for r in rows]
    name = LOSS_NAMES.get(net.loss.name, net.loss.name)  # the curves' figure's loss, in the same numbers
    name = name if name.isupper() else name.lower()  # MSE, cross-entropy
    ax_curve.plot(epochs, [r["mse" if net.loss.name == "mse" else "loss"] for r in rows], color="tab:blue",
                  label=f"training {name}")
    ax_curve.set(title=f"Training {name} and test accuracy", xlabel="epoch", ylabel=name)
    ax_acc = ax_curve.twinx()
    accuracy = [r["val_accuracy"] if np.isfinite(r["val_accuracy"]) else r["train_accuracy"] for r in rows]
    ax_acc.plot(epochs, np.asarray(accuracy) * 100, color="tab:green", label="test accuracy")
    ax_acc.set_ylabel("accuracy (%)")
    ax_curve.axvline(epoch, color="black", linestyle="--", linewidth=1)
    lines = ax_curve.get_lines()[:1] + ax_acc.get_lines()
    ax_curve.legend(lines, [line.get_label() for line in lines], loc="center right", fontsize=8)
    fig.suptitle(f"Epoch {epoch}: test accuracy {right.mean():.1%}")
    return fig


def write(path: str | os.PathLike, snapshots: list, data, rows: list[dict], seconds_per_frame: float = 0.25) -> Path:
    """Draw one frame per (epoch, network) snapshot and write them to ``path`` (.gif with Pillow,
    .mp4 with ffmpeg where it is installed). Returns the path."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    path = Path(path)
    kind = path.suffix.lstrip(".")
    if kind not in FORMATS:
        raise ValueError(f"replay format must be one of {list(FORMATS)}. Received: path={str(path)!r}")
    if kind == "mp4" and shutil.which("ffmpeg") is None:
        raise ValueError("format='mp4' needs ffmpeg on the PATH; use gif")
    if not snapshots:
        raise ValueError("no weight snapshots to replay: train with --snapshot-every K")
    images = []
    for epoch, net in snapshots:
        canvas = FigureCanvasAgg(frame(net, epoch, data, rows))
        canvas.draw()
        images.append(Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB"))
    from .. import persistence

    with tempfile.TemporaryDirectory() as tmp:
        if kind == "gif":
            target = Path(tmp) / "replay.gif"
            images[0].save(target, save_all=True, append_images=images[1:], loop=0,
                           duration=int(seconds_per_frame * 1000))
        else:
            for i, image in enumerate(images):
                image.save(Path(tmp) / f"frame-{i:05d}.png")
            target = Path(tmp) / "replay.mp4"
            subprocess.run(["ffmpeg", "-loglevel", "error", "-framerate", str(1 / seconds_per_frame), "-i",
                            str(Path(tmp) / "frame-%05d.png"), "-pix_fmt", "yuv420p", "-vf",
                            "pad=ceil(iw/2)*2:ceil(ih/2)*2", str(target)], check=True)
        persistence.write_atomic(path, target.read_bytes())
    return path
