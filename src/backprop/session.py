"""A training run as an object that is stepped: the one loop that ``fit``, ``backprop train``, the
sweeps and the playground all drive.

``fit`` is ``Session(...).run()``. A caller that needs more than "train to the end" steps it:
one epoch at a time, a few samples at a time (the playground's "step one sample"), changing the
configuration between steps, and taking a ``Snapshot`` of what it has done so far. Stepping in
pieces trains exactly what one call to ``run`` trains: an epoch split into chunks of whole batches
runs the same updates in the same order, so the weights are bit-identical (tests/test_session.py).
"""
from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import engines, optimizers, schedules
from .errors import DivergenceError
from .training import (
    EarlyStopping,
    FitConfig,
    History,
    Progress,
    SignalCatcher,
    TrainingState,
    evaluate,
    prepare_data,
    start,
)

if TYPE_CHECKING:  # a session trains any network object; network.py imports training, not the reverse
    from .network import Network

Array = np.ndarray
# What a change of these fields needs: a new engine (another compiled loop), a fresh optimizer
ENGINE_FIELDS = frozenset({"batch_size", "optimizer", "weight_decay", "engine"})
UNCHANGEABLE = frozenset({"standardize"})  # the data were prepared with it


@dataclass(frozen=True)
class Snapshot:
    """A copy of a session's progress that another thread may read while training goes on.

    epoch: epochs completed.   position: samples done in the current epoch.   samples: samples
    trained since the session began.   params: copies of ``Network.parameters()`` ([W0 (n_in,
    n_out), b0 (n_out,), W1, b1, ...]).   history: a copy of the evaluations so far.
    seconds: training time so far.   done: the session has nothing left to train.
    """

    epoch: int
    position: int
    samples: int
    params: list[Array]
    history: History
    seconds: float
    done: bool


class Session:
    """Train ``net`` on X (n, n_in) and labels (or targets) y (n,) as ``config`` says, step by step.

    validation_data: (X_val, y_val) evaluated beside the training set, or None.
    state: continue from this ``TrainingState`` (a checkpoint's) instead of starting afresh.
    engine: an ``engines.Engine`` already selected for this network and configuration (else selected
        here: a compiled engine is compiled or loaded now, before the first step).
    callbacks: callables given a ``Progress`` after every epoch (``fit``'s ``callback``).

    Raises ValueError for bad arguments (as ``fit``), DivergenceError from a step whose epoch left a
    non-finite loss or weight.
    """

    def __init__(self, net: Network, X: Array, y: Array, config: FitConfig, validation_data=None, *,
                 state: TrainingState | None = None, engine: engines.Engine | None = None,
                 callbacks: Callable[[Progress], None] | Sequence[Callable[[Progress], None]] | None = None):
        self.net, self.config = net, config
        self.data = prepare_data(net, X, y, config, validation_data)
        self.engine = engine or engines.select(config.engine, net, config)
        self.state = state if state is not None else start(net, config, self.data, self.engine.scores)
        self.state.config = config
        self.callbacks = [] if callbacks is None else [callbacks] if callable(callbacks) else list(callbacks)
        self.position = 0  # samples done in the current epoch
        self.samples = 0  # samples trained by this session
        self.stopped = False  # early stopping or a signal ended the run
        self._order: tuple[Array, Array] | None = None  # this epoch's (X, Y) in training order
        self._epoch_seconds = 0.0
        self._signals: SignalCatcher | None = None

    # ------------------------------------------------------------------ what it has done
    @property
    def epoch(self) -> int:
        """Epochs completed."""
        return self.state.epoch

    @property
    def history(self) -> History:
        """The evaluations so far (epoch 0 is the untrained network)."""
        return self.state.history

    @property
    def done(self) -> bool:
        """True once ``config.epochs`` epochs are done, or early stopping or a signal ended the run."""
        return self.stopped or self.state.epoch >= self.config.epochs

    def snapshot(self) -> Snapshot:
        """Copies of the parameters and history as they are now (between steps)."""
        history = dataclasses.replace(self.history, **{name: list(getattr(self.history, name))
                                                       for name in (*History.COLUMNS, "health")})
        return Snapshot(self.state.epoch, self.position, self.samples, [p.copy() for p in self.net.parameters()],
                        history, self.state.seconds, self.done)

    # ------------------------------------------------------------------ stepping
    def step(self, samples: int | None = None) -> Progress | None:
        """Train the next ``samples`` samples of the current epoch (rounded up to whole batches;
        None: the rest of the epoch). Returns the epoch's ``Progress`` when this step completed an
        epoch (evaluated, callbacks called), else None. Raises RuntimeError when ``done``."""
        if self.done:
            raise RuntimeError(f"the session is done (epoch {self.state.epoch} of {self.config.epochs})")
        if samples is not None and (isinstance(samples, bool) or not isinstance(samples, (int, np.integer))
                                    or samples < 1):
            raise ValueError(f"samples must be a positive integer or None. Received: samples={samples!r}")
        if self.position == 0:
            self._begin_epoch()
        X, Y = self._order
        batch = self.config.batch_size
        end = len(X) if samples is None else min(len(X), self.position + -(-samples // batch) * batch)
        # Overflow and NaN are not warned about as they happen (in training, evaluation or a
        # callback's measurements): the weights are checked after every epoch, and one
        # DivergenceError names the epoch and says what to change.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            began = time.perf_counter()
            self.engine.run_epoch(self.net, X[self.position:end], Y[self.position:end], self.state.optimizer,
                                  self.config)
            self._epoch_seconds += time.perf_counter() - began
            self.samples += end - self.position
            self.position = end
            return self._end_epoch() if end == len(X) else None

    def step_epoch(self) -> Progress:
        """Train the rest of the current epoch (a whole one between epochs); its ``Progress``."""
        return self.step(None)

    def run(self, interrupt_signals: Sequence[str] = ()) -> History:
        """Step until ``done``, then ``finish``. ``interrupt_signals``: signal names ("SIGINT") that
        end training after the current epoch (main thread only); a second one acts at once."""
        with SignalCatcher(interrupt_signals) as self._signals:
            try:
                while not self.done:
                    self.step_epoch()
            finally:
                self._signals = None
        return self.finish()

    def finish(self) -> History:
        """Close the run: restore early stopping's best weights (unless a signal ended it), record
        the training time and the configuration on the network. Returns the history."""
        if self.state.early_stopping is not None and not self.history.interrupted_by:
            self.state.early_stopping.restore(self.net)
        self.history.seconds = self.state.seconds
        self.net.training_config = self.config.to_dict()
        return self.history

    def change(self, **fields) -> None:
        """Change ``FitConfig`` fields mid-run (e.g. ``learning_rate=0.1, optimizer="adam"``), from the
        next step on. A new optimizer starts with fresh state; a new optimizer, batch size, weight
        decay or engine selects the engine again (a field given its current value is no change). A
        new patience or tol keeps early stopping's record (best loss, its epoch and weights;
        patience None drops it), and a run it had stopped goes on if the new patience would not
        have stopped it. Raises ValueError for an unknown field or value."""
        unknown = set(fields) - {f.name for f in dataclasses.fields(FitConfig)}
        if unknown or UNCHANGEABLE & set(fields):
            name = sorted(unknown or UNCHANGEABLE & set(fields))[0]
            raise ValueError(f"change takes FitConfig fields other than {sorted(UNCHANGEABLE)}. Received: {name}=")
        config = dataclasses.replace(self.config, **fields)  # validates
        if config.batch_size > len(self.data.X):
            raise ValueError(f"batch_size must be at most the number of training samples ({len(self.data.X)}). "
                             f"Received: batch_size={config.batch_size}")
        # a field named with its current value changes nothing (a form sends all it holds): no new engine
        changed = {name for name in fields if getattr(config, name) != getattr(self.config, name)}
        # everything that can fail first, then all of it at once: a failed change leaves the run as it was
        engine = engines.select(config.engine, self.net, config) if ENGINE_FIELDS & changed else self.engine
        if config.optimizer != self.config.optimizer:
            self.state.optimizer = optimizers.get(config.optimizer, config.learning_rate)
        self.engine = engine
        if {"patience", "tol"} & changed:
            self._watch(config)
        self.config = self.state.config = config
        if self.position:  # mid-epoch: the rest of it runs at the new rate
            self.state.optimizer.learning_rate = self._learning_rate(self.state.epoch + 1)

    def _watch(self, config: FitConfig) -> None:
        """Early stopping under ``config``'s patience and tol, from now on: the watcher's record kept,
        a fresh one counting from this epoch, or none; a run it stopped goes on if it would not stop."""
        old, state, history = self.state.early_stopping, self.state, self.state.history
        if config.patience is None:
            state.early_stopping = None
        elif old is None:
            state.early_stopping = EarlyStopping(config.patience, best_epoch=state.epoch, tol=config.tol)
        else:
            state.early_stopping = EarlyStopping(config.patience, old.best, old.best_epoch, old.best_params,
                                                 tol=config.tol)
        watcher = state.early_stopping
        if history.stopped_early_at == state.epoch and not history.interrupted_by and (
                watcher is None or state.epoch - watcher.best_epoch < watcher.patience):
            self.stopped, history.stopped_early_at = False, None

    # ------------------------------------------------------------------ an epoch's two ends
    def _learning_rate(self, epoch: int) -> float:
        return schedules.get(self.config.schedule)(self.config.learning_rate, epoch - 1, self.config.epochs)

    def _begin_epoch(self) -> None:
        self.state.optimizer.learning_rate = self._learning_rate(self.state.epoch + 1)
        X, Y = self.data.X, self.data.Y
        if self.config.shuffle:  # take, not X[order]: 10x faster on narrow rows (1400 x 2: 18 -> 1.8 us)
            order = self.net.rng.permutation(len(X))
            X, Y = X.take(order, axis=0), Y.take(order, axis=0)
        self._order = (X, Y)
        self._epoch_seconds = 0.0

    def _end_epoch(self) -> Progress:
        """Check and evaluate the finished epoch, ask early stopping and the signals, call back."""
        began, epoch, state = time.perf_counter(), self.state.epoch + 1, self.state
        record, stop_early = self._after_epoch(epoch)
        state.epoch = epoch
        state.seconds += self._epoch_seconds + time.perf_counter() - began
        self.position, self._order = 0, None
        if stop_early:
            state.history.stopped_early_at = epoch
        interrupted = self._signals.received if self._signals else None  # a signal during the callbacks counts next
        if interrupted:
            state.history.interrupted_at, state.history.interrupted_by = epoch, interrupted
        self.stopped = bool(stop_early or interrupted)
        progress = Progress(epoch, self.config.epochs, record, self.net, state, interrupted=bool(interrupted))
        for call in self.callbacks:
            call(progress)
        return progress

    def _after_epoch(self, epoch: int) -> tuple[dict | None, bool]:
        """Check the weights, evaluate on evaluation epochs, and ask early stopping: (record, stop)."""
        config, scorer, data, state = self.config, self.engine.scores, self.data, self.state
        check_weights(self.net, epoch, config.learning_rate)
        record = None
        if epoch % config.eval_every == 0 or epoch == config.epochs:
            record = {"epoch": epoch, **evaluate(self.net, data, scorer)}
            if not math.isfinite(record["loss"]):
                raise DivergenceError(diverged(epoch, f"the loss is {record['loss']}", config.learning_rate), epoch)
            state.history.append(record)
        stop = False
        if state.early_stopping is not None:
            key, scored = ("val_loss", data.validation) if data.validation else ("loss", (data.X, data.Y, data.y))
            watched = record[key] if record else scorer(self.net, *scored)[0]
            stop = state.early_stopping.should_stop(self.net, watched, epoch)
        return record, stop


def check_weights(net: Network, epoch: int, learning_rate: float) -> None:
    """Raise DivergenceError if any parameter holds NaN or infinity after ``epoch``."""
    from .validation import first_non_finite

    for i, layer in enumerate(net.layers):
        for name, p in layer.params.items():
            if first_non_finite(p) is not None:
                raise DivergenceError(diverged(epoch, f"layer {i}'s {name} hold NaN or infinity", learning_rate),
                                      epoch)


def diverged(epoch: int, what: str, learning_rate: float) -> str:
    """The message of a DivergenceError at ``epoch``: what is not finite, and what to try."""
    return (f"training diverged at epoch {epoch}: {what}. Try a lower learning rate "
            f"(it was {learning_rate:g}), standardised inputs, or gradient-friendlier activations")
