"""Weight snapshots over training, for ``backprop replay``: one model file per snapshot epoch in a
folder (RUN/snapshots/epoch-000010.safetensors), the untrained network included."""
from __future__ import annotations

import os
import re
from pathlib import Path

from . import persistence
from .network import Network
from .training import Progress

FOLDER = "snapshots"
NAME = re.compile(r"epoch-(\d{6,})\.safetensors")


class Snapshots:
    """A ``fit`` callback that saves the network every ``every`` epochs (and at the last one) into
    ``folder``; ``initial``, the untrained network, is saved at once as epoch 0 (a resumed run,
    whose epoch 0 is saved already, passes None)."""

    def __init__(self, folder: str | os.PathLike, every: int, initial: Network | None, dataset: dict | None = None):
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer. Received: every={every!r}")
        self.folder, self.every, self.dataset = Path(folder), every, dataset
        if initial is not None:
            self._save(initial, 0)

    def _save(self, net: Network, epoch: int) -> None:
        persistence.save(net, self.folder / f"epoch-{epoch:06d}.safetensors", dataset=self.dataset)

    def __call__(self, progress: Progress) -> None:
        if progress.epoch % self.every == 0 or progress.epoch == progress.epochs:
            self._save(progress.network, progress.epoch)


def read(folder: str | os.PathLike) -> list[tuple[int, Network]]:
    """Every snapshot in ``folder`` as (epoch, network), in epoch order; [] if there is none."""
    folder = Path(folder)
    found = sorted((int(m.group(1)), path) for path in folder.glob("epoch-*.safetensors")
                   if (m := NAME.fullmatch(path.name)))
    return [(epoch, persistence.load(path)) for epoch, path in found]
