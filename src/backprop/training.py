"""Training: its configuration, its state, evaluation, history and progress.

The loop itself is ``backprop.session.Session``; ``fit`` runs one to the end. Its whole state lives
in one ``TrainingState`` (epochs done, optimizer and its state arrays, history, training time,
early stopping), beside what lives on the network itself (its
parameters and its generator, which draws every epoch's sample order). Engines, callbacks and
checkpoints all see that one object, so a checkpoint of it continues bit for bit.
"""
from __future__ import annotations

import math
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from . import engines, optimizers, schedules
from .metrics import scores

if TYPE_CHECKING:  # the loop trains any network object; network.py imports this module, not the reverse
    from .network import Network

Array = np.ndarray


@dataclass
class FitConfig:
    """Every training hyperparameter, its type and its default (the seed's experiment).

    epochs: passes over the training set.    learning_rate: step size (> 0).
    batch_size: samples per update (1 = per-sample SGD).    eval_every: epochs between evaluations.
    optimizer: a name from ``backprop.optimizers.OPTIMIZERS``.
    shuffle: reshuffle the training order each epoch from the network's generator.
    weight_decay: L2 penalty ``weight_decay / 2 * sum(W ** 2)`` on weights (not biases).
    schedule: learning-rate schedule from ``backprop.schedules.SCHEDULES``.
    patience: early stopping: stop after this many epochs in which the watched loss (the
        validation loss, or the training loss without validation data) did not fall by more than
        ``tol``, and restore the weights of its lowest value (None: never stop early).
    tol: the least fall of the watched loss that counts as progress (scikit-learn's ``tol``).
    engine: "auto", "numpy" or "numba" (see ``backprop.engines``).
    standardize: fit a per-feature standardisation on the training inputs (kept by the network
        and applied to every input it sees after); False keeps the network's own, if any.
    """

    epochs: int = 1000
    learning_rate: float = 0.01
    batch_size: int = 1
    eval_every: int = 10
    optimizer: str = "sgd"
    shuffle: bool = True
    weight_decay: float = 0.0
    schedule: str = "constant"
    patience: int | None = None
    tol: float = 0.0
    engine: str = "auto"
    standardize: bool = False

    def __post_init__(self):
        _check_int("epochs", self.epochs, minimum=0)
        _check_int("batch_size", self.batch_size, minimum=1)
        _check_int("eval_every", self.eval_every, minimum=1)
        if self.patience is not None:
            _check_int("patience", self.patience, minimum=1)
        if isinstance(self.learning_rate, bool) or not isinstance(self.learning_rate, (int, float)) \
                or not (math.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise ValueError(f"learning_rate must be a positive number. Received: learning_rate={self.learning_rate!r}")
        if isinstance(self.tol, bool) or not (isinstance(self.tol, (int, float)) and 0 <= self.tol < math.inf):
            raise ValueError(f"tol must be a number >= 0. Received: tol={self.tol!r}")
        if not isinstance(self.standardize, bool):
            raise ValueError(f"standardize must be True or False. Received: standardize={self.standardize!r}")
        if not (isinstance(self.weight_decay, (int, float)) and 0 <= self.weight_decay < math.inf):
            raise ValueError(f"weight_decay must be >= 0. Received: weight_decay={self.weight_decay!r}")
        if self.optimizer not in optimizers.OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(optimizers.OPTIMIZERS)}. "
                             f"Received: optimizer={self.optimizer!r}")
        schedules.get(self.schedule)
        engines.check_name(self.engine)

    def to_dict(self) -> dict:
        """Every field by name: what a model file and a checkpoint record."""
        return asdict(self)


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}. Received: {name}={value!r}")


@dataclass
class History:
    """Metrics per evaluated epoch (epoch 0 is the initial network), plus the training time.

    loss: the network's loss on the training set.   mse: the seed's figure, the mean of
    (output - target)^2 over samples and outputs.   *_accuracy: fraction correct.
    val_loss / val_accuracy: NaN without validation data.
    stopped_early_at: the epoch early stopping ended training, if it did.
    health: per-layer gradient health rows, when a ``backprop.health.HealthRecorder`` records them.
    interrupted_at / interrupted_by: the last epoch completed and the signal's name ("SIGINT"),
    when a signal ended training before ``epochs``.
    """

    epoch: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    mse: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0
    stopped_early_at: int | None = None
    health: list[dict] = field(default_factory=list)  # rows of backprop.health.measure, when recorded
    interrupted_at: int | None = None
    interrupted_by: str | None = None

    COLUMNS = ("epoch", "loss", "mse", "train_accuracy", "val_loss", "val_accuracy")

    def append(self, record: dict) -> None:
        """Add one evaluation: ``record`` holds a value for each of ``COLUMNS``."""
        for name in self.COLUMNS:
            getattr(self, name).append(record[name])

    def rows(self) -> list[dict]:
        """One dict per evaluated epoch, keyed by ``COLUMNS``."""
        return [dict(zip(self.COLUMNS, values)) for values in zip(*(getattr(self, c) for c in self.COLUMNS))]

    def __len__(self) -> int:
        return len(self.epoch)

    def _repr_html_(self) -> str:
        """A notebook's view: the loss and accuracy curves, and the last evaluation's numbers."""
        from .display import history_html

        return history_html(self)


class EarlyStopping:
    """Watches a loss, epoch by epoch, and keeps a copy of the weights at its lowest value.

    best: the lowest loss seen, whose weights are ``best_params``.   best_epoch: the last epoch the
    loss fell by more than ``tol``: training stops ``patience`` epochs after it.
    """

    def __init__(self, patience: int, best: float = math.inf, best_epoch: int = 0,
                 best_params: list[Array] | None = None, tol: float = 0.0):
        self.patience, self.best, self.best_epoch, self.best_params = patience, best, best_epoch, best_params
        self.tol = tol

    def should_stop(self, net: Network, loss: float, epoch: int) -> bool:
        """Record this epoch's loss (copying the weights at a new lowest); True once ``patience``
        epochs have passed without an improvement of more than ``tol``."""
        if loss < self.best - self.tol:
            self.best_epoch = epoch
        if loss < self.best:
            self.best = loss
            self.best_params = [p.copy() for p in net.parameters()]
        return epoch - self.best_epoch >= self.patience

    def restore(self, net: Network) -> None:
        """Put the weights kept at the lowest loss back into ``net`` (nothing if none were kept)."""
        if self.best_params is not None:
            for p, best in zip(net.parameters(), self.best_params):
                p[...] = best


@dataclass
class TrainingState:
    """Everything the loop carries from one epoch to the next, beside the network's own parameters
    and generator: enough to continue exactly where it left off.

    config: the run's ``FitConfig``.   optimizer: with its state arrays (momentum, Adam's moments).
    history: the evaluations so far.   epoch: epochs completed.   seconds: training time so far.
    early_stopping: the watcher (best loss, its epoch and weights), when ``config.patience`` is set.
    """

    config: FitConfig
    optimizer: optimizers.Optimizer
    history: History
    epoch: int = 0
    seconds: float = 0.0
    early_stopping: EarlyStopping | None = None


@dataclass(frozen=True)
class Progress:
    """What a ``fit`` callback receives after every epoch.

    record: the evaluation's metrics on evaluated epochs, else None.   interrupted: a signal asked
    training to stop and this is the last epoch it will run.   network, state: the live objects
    (read them; a checkpoint writes them).
    """

    epoch: int
    epochs: int
    record: dict | None
    network: Network | None = None
    state: TrainingState | None = None
    interrupted: bool = False


@dataclass(frozen=True)
class TrainingData:
    """The checked arrays one fit works on: X (n, n_in), targets Y (n, n_out), labels y (n,),
    and ``validation`` = (X_val, Y_val, y_val) or None."""

    X: Array
    Y: Array
    y: Array
    validation: tuple[Array, Array, Array] | None


def prepare_data(net: Network, X: Array, y: Array, config: FitConfig, validation_data=None) -> TrainingData:
    """Check and convert fit's inputs once; ValueError names the argument at fault.

    With ``config.standardize`` the network's standardisation is fitted here, on X alone."""
    net.check()
    if config.standardize:
        from .encoding import Standardization
        from .validation import check_features

        net.standardization = None
        net.standardization = Standardization.fit(check_features(X, net.sizes[0], np.float64))
    X = net.as_inputs(X)
    Y = net.as_targets(y, len(X))
    if config.batch_size > len(X):
        raise ValueError(f"batch_size must be at most the number of training samples ({len(X)}). "
                         f"Received: batch_size={config.batch_size}")
    validation = None
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise ValueError("validation_data must be a pair (X_val, y_val). "
                             f"Received: validation_data of type {type(validation_data).__name__}")
        Xv = net.as_inputs(validation_data[0], "X_val")
        Yv = net.as_targets(validation_data[1], len(Xv), "y_val")
        validation = (Xv, Yv, _codes(net, Yv))
    return TrainingData(X, Y, _codes(net, Y), validation)


def _codes(net: Network, Y: Array) -> Array:
    """The class index of each row of targets Y (n, n_out); -1 (never predicted) for regression."""
    if net.task == "regression":
        return np.full(len(Y), -1, dtype=np.int64)
    return Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(np.int64)


def evaluate(net: Network, data: TrainingData, scorer: Callable = scores) -> dict:
    """Loss, the seed's MSE and accuracy on the training set (and on the validation set, or NaN),
    each from ``scorer(net, X, Y, y)`` (the reference's ``metrics.scores``, or an engine's).
    Accuracy is NaN for regression."""
    loss, mse, accuracy = scorer(net, data.X, data.Y, data.y)
    record = {"loss": loss, "mse": mse, "train_accuracy": accuracy, "val_loss": math.nan, "val_accuracy": math.nan}
    if data.validation is not None:
        record["val_loss"], _, record["val_accuracy"] = scorer(net, *data.validation)
    if net.task == "regression":
        record["train_accuracy"] = record["val_accuracy"] = math.nan
    return record


def start(net: Network, config: FitConfig, data: TrainingData, scorer: Callable | None = None) -> TrainingState:
    """The state before the first epoch: a fresh optimizer and the untrained network's evaluation,
    by ``scorer`` (as ``evaluate`` takes it; default: the configured engine's, as every later epoch)."""
    scorer = scorer or engines.select(config.engine, net, config).scores
    history = History()
    history.append({"epoch": 0, **evaluate(net, data, scorer)})
    stopper = EarlyStopping(config.patience, tol=config.tol) if config.patience else None
    return TrainingState(config, optimizers.get(config.optimizer, config.learning_rate), history,
                         early_stopping=stopper)


def fit(net: Network, X: Array, y: Array, config: FitConfig, validation_data=None,
        callback: Callable[[Progress], None] | Sequence[Callable[[Progress], None]] | None = None,
        state: TrainingState | None = None, interrupt_signals: Sequence[str] = ("SIGINT",)) -> History:
    """Train ``net`` on X (n, n_in), labels y (n,) as ``config`` says; see ``Network.fit``.

    state: continue from this state (from ``backprop.checkpoints.load``) instead of starting afresh;
        the network must hold the parameters and generator saved with it.
    interrupt_signals: signal names that end training after the current epoch (main thread only).
    Raises ValueError for bad arguments, DivergenceError if the loss or a weight stops being finite.
    The loop itself is ``backprop.session.Session``, which a caller can also step.
    """
    from .session import Session  # session.py builds on this module's pieces

    session = Session(net, X, y, config, validation_data, state=state, callbacks=callback)
    return session.run(interrupt_signals)


class SignalCatcher:
    """A context in which the named signals (e.g. "SIGINT", "SIGTERM") are noted, not acted on, so
    that the loop can finish its epoch and stop cleanly; a second signal acts at once
    (KeyboardInterrupt). Off the main thread, where Python cannot install handlers, it does nothing.

    received: the first signal's name, or None.
    """

    def __init__(self, names: Sequence[str]):
        for name in names:
            if not isinstance(name, str) or not isinstance(getattr(signal, name, None), signal.Signals):
                raise ValueError(f"interrupt_signals must name signals like 'SIGINT'. Received: {name!r}")
        self.names, self.received, self.previous = tuple(names), None, {}

    def _handle(self, signum, frame):
        if self.received:
            raise KeyboardInterrupt(f"second {signal.Signals(signum).name}")
        self.received = signal.Signals(signum).name

    def __enter__(self) -> SignalCatcher:
        if threading.current_thread() is threading.main_thread():
            for name in self.names:
                self.previous[name] = signal.signal(getattr(signal, name), self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for name, handler in self.previous.items():
            signal.signal(getattr(signal, name), handler)
