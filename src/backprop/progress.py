"""A progress bar for people who ask for one: ``net.fit(..., callback=ProgressBar())`` or
``backprop.sweep(..., callback=ProgressBar())``.

The library never prints on its own; this callback is the reporting path a caller turns on. It
uses ``tqdm.auto``, which draws a widget in a Jupyter notebook (where ipywidgets is installed;
tqdm warns and falls back to text where it is not) and a text bar on a terminal.
"""
from __future__ import annotations

import sys

from .training import Progress


class ProgressBar:
    """A callback drawing one bar: over the epochs of a ``fit`` (with the last loss and test
    accuracy), or over the runs of a ``backprop.sweep`` (with the last run's score).

    file: where a text bar goes (standard error by default; a notebook widget ignores it).
    The bar closes itself after the last epoch or run, an interrupted epoch, or early stopping's.
    """

    def __init__(self, file=None):
        self.file = file
        self.bar = None

    def __call__(self, progress) -> None:
        """Advance by one epoch (a ``training.Progress``) or one run (a ``sweeps.SweepProgress``)."""
        if isinstance(progress, Progress):
            self._epoch(progress)
        else:
            self._run(progress)

    def _epoch(self, progress: Progress) -> None:
        self._open(progress.epochs, progress.epoch - 1, "epoch")
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

    def _run(self, progress) -> None:
        """progress: a SweepProgress (done, total, row); duck-typed so that this module does not
        import the sweeps, which sit above it."""
        self._open(progress.total, progress.done - 1, "run")
        self.bar.update(1)
        row = progress.row
        if row.get("error"):
            self.bar.set_postfix({"last": "failed"}, refresh=False)
        elif "test_score" in row:
            self.bar.set_postfix({row.get("metric", "score"): f"{row['test_score']:.4g}"}, refresh=False)
        if progress.done >= progress.total:
            self.close()

    def _open(self, total: int, initial: int, unit: str) -> None:
        if self.bar is None:
            from tqdm.auto import tqdm  # imported on first use: tqdm stays out of `import backprop`

            self.bar = tqdm(total=total, initial=initial, unit=unit, dynamic_ncols=True,
                            file=self.file if self.file is not None else sys.stderr)

    def close(self) -> None:
        """End the bar (safe to call twice)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
