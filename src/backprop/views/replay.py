"""replay.gif: the decision boundary evolving over training, frame by frame from weight snapshots,
with the test points marked right or wrong and a marker moving along the loss and accuracy curves."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..charts import Chart, Panel, Series
from ..charts.chart import BLUE, GREEN

FORMATS = ("gif", "mp4")
FRAME_DPI = 80
FRAME_SIZE = (13, 4.6)  # inches: a frame is 1040 x 368 pixels, its 10 pt labels 11 px


def chart(net, epoch: int, data, rows: list[dict], resolution: int = 120) -> Chart:
    """One frame as a ``charts.Chart``: net's boundary at ``epoch`` over data's test points (on a
    grid of ``resolution`` points a side), and the training loss and test accuracy (rows of
    metrics.csv) with the epoch marked by a black line."""
    from ..plots import LOSS_NAMES, decision_boundary_chart

    drawn = decision_boundary_chart(net, data.X_test, data.y_test, resolution, data.classes).panels[0]
    right = net.as_codes(net.predict(data.X_test), len(data.X_test)) == data.y_test
    board = replace(drawn, title="Decision boundary, test points (wrong: crossed)",
                    image=replace(drawn.image, colorbar=""))  # the same scale in every frame: no bar
    epochs = [r["epoch"] for r in rows]
    name = LOSS_NAMES.get(net.loss.name, net.loss.name)  # the curves' figure's loss, in the same numbers
    name = name if name.isupper() else name.lower()  # MSE, cross-entropy
    loss = [r["mse" if net.loss.name == "mse" else "loss"] for r in rows]
    accuracy = [100 * (r["val_accuracy"] if np.isfinite(r["val_accuracy"]) else r["train_accuracy"]) for r in rows]
    curves = [Panel(title, "epoch", label, [Series(epochs, values, color), _marker(epoch, values)])
              for title, label, values, color in ((f"Training {name}", name, loss, BLUE),
                                                  ("Test accuracy", "accuracy (%)", accuracy, GREEN))]
    return Chart([board, *curves], size=FRAME_SIZE, title=f"Epoch {epoch}: test accuracy {right.mean():.1%}")


def _marker(epoch: int, values: list[float]) -> Series:
    """A black vertical line at ``epoch`` across the span of ``values``: where the frame is."""
    finite = [v for v in values if np.isfinite(v)] or [0.0]
    return Series([epoch, epoch], [min(finite), max(finite)], "black")


def frame(net, epoch: int, data, rows: list[dict], resolution: int = 120):
    """``chart(net, epoch, data, rows, resolution)`` drawn as a matplotlib Figure, at 80 dpi (a GIF's frame)."""
    from ..charts.figure import figure

    fig = figure(chart(net, epoch, data, rows, resolution))
    fig.set_dpi(FRAME_DPI)
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
