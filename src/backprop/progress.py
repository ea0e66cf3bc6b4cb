"""A progress bar for ``fit``, for people who ask for one: ``net.fit(..., callback=ProgressBar())``.

The library never prints on its own; this callback is the reporting path a caller turns on. It
uses ``tqdm.auto``, which draws a widget in a Jupyter notebook (where ipywidgets is installed;
tqdm warns and falls back to text where it is not) and a text bar on a terminal.
"""
from __future__ import annotations

import sys

from .training import Progress


class ProgressBar:
    """A ``fit`` callback drawing one bar over the epochs, with the last loss and test accuracy.

    file: where a text bar goes (standard error by default; a notebook widget ignores it).
    The bar closes itself after the last epoch, an interrupted one, or early stopping's.
    """

    def __init__(self, file=None):
        self.file = file
        self.bar = None

    def __call__(self, progress: Progress) -> None:
        if self.bar is None:
            from tqdm.auto import tqdm  # imported on first use: tqdm stays out of `import backprop`

            self.bar = tqdm(total=progress.epochs, initial=progress.epoch - 1, unit="epoch",
                            file=self.file if self.file is not None else sys.stderr, dynamic_ncols=True)
        self.bar.update(1)
        record = progress.record
        if record:
            shown = {"loss": f"{record['loss']:.4g}"}
            if record.get("val_accuracy") == record.get("val_accuracy"):  # not NaN: there is test data
                shown["test_acc"] = f"{record['val_accuracy']:.2%}"
            self.bar.set_postfix(shown, refresh=False)
        stopped_early = progress.state is not None and progress.state.history.stopped_early_at == progress.epoch
        if progress.epoch >= progress.epochs or progress.interrupted or stopped_early:
            self.close()

    def close(self) -> None:
        """End the bar (safe to call twice)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
