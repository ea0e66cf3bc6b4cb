"""The training loop: configuration, one mini-batch step, evaluation, history and progress."""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from . import optimizers, schedules
from .network import CHUNK_ROWS, Network, labels_from_outputs

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
    patience: early stopping: stop after this many epochs without a better validation loss and
        restore the best weights (None: never stop early).
    engine: "auto", "numpy" or "numba" (see ``backprop.engines``).
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
    engine: str = "auto"

    def __post_init__(self):
        _check_int("epochs", self.epochs, minimum=0)
        _check_int("batch_size", self.batch_size, minimum=1)
        _check_int("eval_every", self.eval_every, minimum=1)
        if self.patience is not None:
            _check_int("patience", self.patience, minimum=1)
        if isinstance(self.learning_rate, bool) or not isinstance(self.learning_rate, (int, float)) \
                or not (math.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise ValueError(f"learning_rate must be a positive number. Received: learning_rate={self.learning_rate!r}")
        if not (isinstance(self.weight_decay, (int, float)) and 0 <= self.weight_decay < math.inf):
            raise ValueError(f"weight_decay must be >= 0. Received: weight_decay={self.weight_decay!r}")
        if self.optimizer not in optimizers.OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(optimizers.OPTIMIZERS)}. "
                             f"Received: optimizer={self.optimizer!r}")
        schedules.get(self.schedule)
        from . import engines

        engines.check_name(self.engine)

    def to_dict(self) -> dict:
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
    """

    epoch: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    mse: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0
    stopped_early_at: int | None = None

    COLUMNS = ("epoch", "loss", "mse", "train_accuracy", "val_loss", "val_accuracy")

    def append(self, record: dict) -> None:
        for name in self.COLUMNS:
            getattr(self, name).append(record[name])

    def rows(self) -> list[dict]:
        """One dict per evaluated epoch, keyed by ``COLUMNS``."""
        return [dict(zip(self.COLUMNS, values)) for values in zip(*(getattr(self, c) for c in self.COLUMNS))]

    def __len__(self) -> int:
        return len(self.epoch)


@dataclass(frozen=True)
class Progress:
    """What a ``fit`` callback receives after every epoch; ``record`` is set on evaluated epochs."""

    epoch: int
    epochs: int
    record: dict | None


def scores(net: Network, X: Array, Y: Array, y: Array) -> tuple[float, float, float]:
    """(mean loss, the seed's MSE, accuracy) over X (n, n_in), targets Y (n, n_out), labels y (n,)."""
    loss = squared = correct = 0.0
    for start in range(0, len(X), CHUNK_ROWS):
        rows = slice(start, start + CHUNK_ROWS)
        outputs, z = net.forward_pass(X[rows])
        a = outputs[-1]
        loss += net.loss.value(z, a, Y[rows]) * len(a)  # each chunk's value is a mean
        squared += float(np.sum((a - Y[rows]) ** 2))
        correct += float(np.sum(labels_from_outputs(a) == y[rows]))
    n = max(len(X), 1)
    return loss / n, squared / (n * Y.shape[1]), correct / n


def evaluate(net: Network, X: Array, Y: Array, y: Array, validation=None) -> dict:
    """Loss, the seed's MSE and accuracy on the training set (and on ``validation``: (X, Y, y))."""
    loss, mse, accuracy = scores(net, X, Y, y)
    record = {"loss": loss, "mse": mse, "train_accuracy": accuracy, "val_loss": math.nan, "val_accuracy": math.nan}
    if validation is not None:
        record["val_loss"], _, record["val_accuracy"] = scores(net, *validation)
    return record


def train_step(net: Network, X: Array, Y: Array, optimizer: optimizers.Optimizer, weight_decay: float = 0.0) -> None:
    """One update from the mini-batch X (b, n_in), Y (b, n_out): backpropagate, then step."""
    net.backward(*net.forward_pass(X), Y)
    if weight_decay:
        for layer in net.layers:
            layer.grads["weights"] += weight_decay * layer.params["weights"]
    optimizer.update(net.parameters(), net.gradient_arrays())


def run_minibatch_epoch(net: Network, X: Array, Y: Array, optimizer: optimizers.Optimizer,
                        config: FitConfig) -> None:
    """One pass over X (n, n_in), Y (n, n_out), already in training order, in mini-batches."""
    for start in range(0, len(X), config.batch_size):
        stop = start + config.batch_size
        train_step(net, X[start:stop], Y[start:stop], optimizer, config.weight_decay)


def fit(net: Network, X: Array, y: Array, config: FitConfig, validation_data=None,
        callback: Callable[[Progress], None] | None = None) -> History:
    """Train ``net`` on X (n, n_in), labels y (n,) as ``config`` says; see ``Network.fit``.

    Raises ValueError for bad arguments and FloatingPointError if the loss stops being finite.
    """
    from . import engines

    net.check()
    X = net.as_inputs(X)
    Y = net.as_targets(y, len(X))
    y = np.asarray(y)
    validation = _validation_arrays(net, validation_data)
    if config.patience is not None and validation is None:
        raise ValueError("patience needs validation_data to watch. Received: validation_data=None")
    optimizer = optimizers.get(config.optimizer, config.learning_rate)
    run_epoch = engines.select(config.engine, net, config)
    schedule = schedules.get(config.schedule)
    history = History()
    history.append({"epoch": 0, **evaluate(net, X, Y, y, validation)})
    stopper = _EarlyStopping(config.patience) if config.patience else None
    start = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        optimizer.learning_rate = schedule(config.learning_rate, epoch - 1, config.epochs)
        order = net.rng.permutation(len(X)) if config.shuffle else slice(None)
        run_epoch(net, X[order], Y[order], optimizer, config)
        record = None
        if epoch % config.eval_every == 0 or epoch == config.epochs:
            record = {"epoch": epoch, **evaluate(net, X, Y, y, validation)}
            _check_finite(record, epoch)
            history.append(record)
        stop = False
        if stopper is not None:
            val_loss = record["val_loss"] if record else scores(net, *validation)[0]
            stop = stopper.should_stop(net, val_loss, epoch)
        if callback:
            callback(Progress(epoch, config.epochs, record))
        if stop:
            history.stopped_early_at = epoch
            break
    if stopper:
        stopper.restore(net)
    history.seconds = time.perf_counter() - start
    net.training_config = config.to_dict()
    return history


def _validation_arrays(net: Network, validation_data):
    if validation_data is None:
        return None
    if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
        raise ValueError("validation_data must be a pair (X_val, y_val). "
                         f"Received: validation_data of type {type(validation_data).__name__}")
    Xv = net.as_inputs(validation_data[0], "X_val")
    yv = np.asarray(validation_data[1])
    return Xv, net.as_targets(yv, len(Xv), "y_val"), yv


def _check_finite(record: dict, epoch: int) -> None:
    if not math.isfinite(record["loss"]):
        raise FloatingPointError(
            f"training diverged at epoch {epoch}: the loss is {record['loss']}. "
            "Lower learning_rate, or scale the inputs."
        )


class _EarlyStopping:
    """Watches the validation loss, epoch by epoch, and keeps a copy of the best weights."""

    def __init__(self, patience: int):
        self.patience, self.best, self.best_epoch, self.best_params = patience, math.inf, 0, None

    def should_stop(self, net: Network, loss: float, epoch: int) -> bool:
        if loss < self.best:
            self.best, self.best_epoch = loss, epoch
            self.best_params = [p.copy() for p in net.parameters()]
        return epoch - self.best_epoch >= self.patience

    def restore(self, net: Network) -> None:
        if self.best_params is not None:
            for p, best in zip(net.parameters(), self.best_params):
                p[...] = best
