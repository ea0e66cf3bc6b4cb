"""Checkpoints: the whole training state in one file, so that training continues bit for bit.

A checkpoint is a model file (the same ``layers.*`` tensors and ``backprop`` description, see
docs/model-format.md) with, beside them:

- tensors ``optimizer.{name}.{j}``: the optimizer's state arrays (momentum's velocities, Adam's
  ``ms`` and ``vs``), one per parameter j; ``early_stopping.best.{j}``: the best weights so far;
- metadata ``backprop_checkpoint``, a JSON object:
  ``{"checkpoint_version": 1, "epoch": epochs done, "seconds": training time so far,
  "config": the FitConfig, "rng": the network generator's ``bit_generator.state``,
  "optimizer": {"scalars": {"t": ...}}, "history": {column: [values]}, "early_stopping": {...} | null}``.

``save`` writes one atomically; ``load`` gives back the network and its ``TrainingState``;
``Checkpoint`` is a ``fit`` callback that writes one every N epochs and when a signal interrupts
training; ``resume`` continues training from a file.
"""
from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from . import optimizers, persistence, training
from .errors import ModelFileError
from .network import Network
from .training import EarlyStopping, FitConfig, History, Progress, TrainingState

CHECKPOINT_KEY = "backprop_checkpoint"
CHECKPOINT_VERSION = 1
FILE = "checkpoint.safetensors"  # its name in a run folder


def save(path: str | os.PathLike, net: Network, state: TrainingState, dataset: dict | None = None) -> Path:
    """Write ``net`` and ``state`` to ``path`` atomically: the old checkpoint or the new one, never half.

    Raises ValueError if a weight is NaN or infinite: a diverged state is never checkpointed.
    """
    from safetensors.numpy import save as to_bytes

    tensors = persistence.network_tensors(net)
    for name, arrays in state.optimizer.state_dict()["arrays"].items():
        for j, array in enumerate(arrays or []):
            tensors[f"optimizer.{name}.{j}"] = np.ascontiguousarray(array)
    stopper = state.early_stopping
    for j, array in enumerate(stopper.best_params or [] if stopper else []):
        tensors[f"early_stopping.best.{j}"] = np.ascontiguousarray(array)
    metadata = {persistence.METADATA_KEY: json.dumps(persistence.describe(net, dataset)),
                CHECKPOINT_KEY: json.dumps(_state_document(net, state))}
    path = Path(path)
    persistence.write_atomic(path, to_bytes(tensors, metadata=metadata))
    return path


def _state_document(net: Network, state: TrainingState) -> dict:
    history = state.history
    stopper = state.early_stopping
    return {
        "checkpoint_version": CHECKPOINT_VERSION,
        "epoch": state.epoch,
        "seconds": state.seconds,
        "config": state.config.to_dict(),
        "rng": net.rng.bit_generator.state,
        "optimizer": {"scalars": state.optimizer.state_dict()["scalars"]},
        "history": {**{c: getattr(history, c) for c in History.COLUMNS}, "stopped_early_at": history.stopped_early_at,
                    "health": history.health},
        "early_stopping": None if stopper is None else {"best": stopper.best, "best_epoch": stopper.best_epoch},
    }


def load(path: str | os.PathLike) -> tuple[Network, TrainingState]:
    """The network (parameters and generator as saved) and the ``TrainingState`` in a checkpoint.

    Raises ModelFileError for anything that is not a checkpoint this build can continue from.
    """
    path = Path(path)
    metadata, tensors = persistence.read_safetensors(path)
    net = persistence.build_network(persistence.description_from(metadata, path), tensors, path)
    if CHECKPOINT_KEY not in metadata:
        raise ModelFileError(f"{str(path)!r} is a model file, not a checkpoint (no {CHECKPOINT_KEY!r} metadata)")
    document = persistence.parse_json(metadata[CHECKPOINT_KEY], "checkpoint state", path)
    persistence.check_version(document.get("checkpoint_version"), CHECKPOINT_VERSION, "checkpoint_version", path)
    try:
        state = _restore(net, document, tensors)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as err:
        raise ModelFileError(f"{str(path)!r} is not a valid checkpoint: {type(err).__name__}: {err}") from None
    return net, state


def _restore(net: Network, document: dict, tensors: dict[str, np.ndarray]) -> TrainingState:
    """Put the generator state on ``net`` and rebuild the TrainingState; KeyError/TypeError/ValueError if bad."""
    config = FitConfig(**document["config"])
    epoch, seconds = document["epoch"], document["seconds"]
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= config.epochs:
        raise ValueError(f"epoch must be an integer in [0, {config.epochs}]. Received: {epoch!r}")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise ValueError(f"seconds must be a finite number. Received: {seconds!r}")
    rng = document["rng"]
    if not isinstance(rng, dict) or rng.get("bit_generator") != type(net.rng.bit_generator).__name__:
        raise ValueError(f"rng must be the state of a {type(net.rng.bit_generator).__name__} generator")
    net.rng.bit_generator.state = rng
    params = net.parameters()
    optimizer = optimizers.get(config.optimizer, config.learning_rate)
    arrays = {name: _tensor_list(tensors, f"optimizer.{name}.", len(params)) for name in optimizer.ARRAY_STATE}
    optimizer.load_state_dict({"arrays": arrays, "scalars": document["optimizer"]["scalars"]}, params)
    stopper = _restore_early_stopping(document["early_stopping"], config, tensors, params)
    known = {f"{p}{j}" for p in ("early_stopping.best.", *(f"optimizer.{n}." for n in optimizer.ARRAY_STATE))
             for j in range(len(params))} | set(persistence.INPUT_TENSORS)
    extra = sorted(n for n in tensors if not n.startswith(persistence.LAYER_PREFIX) and n not in known)
    if extra:
        raise ValueError(f"unexpected tensors {extra[:5]}")
    return TrainingState(config, optimizer, _restore_history(document["history"], epoch), epoch, float(seconds),
                         stopper)


def _tensor_list(tensors: dict[str, np.ndarray], prefix: str, count: int) -> list[np.ndarray] | None:
    """The tensors prefix0..prefix{count-1}, or None when there are none; ValueError when only some are."""
    found = [tensors.get(f"{prefix}{j}") for j in range(count)]
    if all(a is None for a in found):
        return None
    if any(a is None for a in found):
        raise ValueError(f"some of the tensors {prefix}0..{count - 1} are missing")
    return found


def _restore_history(document: dict, epoch: int) -> History:
    columns = {c: document[c] for c in History.COLUMNS}
    lengths = {len(_numbers(values, c)) for c, values in columns.items()}
    if len(lengths) != 1 or not columns["epoch"] or columns["epoch"][-1] > epoch:
        raise ValueError("history columns must have equal lengths, from epoch 0 up to the checkpoint's epoch")
    stopped = document.get("stopped_early_at")
    health = document.get("health", [])
    if not isinstance(health, list) or not all(isinstance(row, dict) for row in health):
        raise TypeError("history health must be a list of objects")
    return History(**columns, stopped_early_at=None if stopped is None else int(stopped), health=health)


def _numbers(values: object, name: str) -> list:
    if not isinstance(values, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                               for v in values):
        raise TypeError(f"history column {name!r} must be a list of numbers")
    return values


def _restore_early_stopping(document: dict | None, config: FitConfig, tensors: dict[str, np.ndarray],
                            params: list[np.ndarray]) -> EarlyStopping | None:
    if config.patience is None:
        if document is not None:
            raise ValueError("early_stopping state without patience in the config")
        return None
    best_params = _tensor_list(tensors, "early_stopping.best.", len(params))
    if best_params is not None and any(b.shape != p.shape or b.dtype != p.dtype for b, p in zip(best_params, params)):
        raise ValueError("early_stopping.best tensors do not match the parameters")
    best, best_epoch = float(document["best"]), int(document["best_epoch"])
    return EarlyStopping(config.patience, best, best_epoch, [np.array(b) for b in best_params or []] or None,
                         tol=config.tol)


class Checkpoint:
    """A ``fit`` callback that saves the training state to ``path`` every ``every`` epochs (None:
    never on a schedule) and always when a signal interrupts training.

    dataset: the data set's spec, recorded so that a resumed run can rebuild its data.
    last_epoch: the epoch of the last checkpoint written by this callback, or None.
    """

    def __init__(self, path: str | os.PathLike, every: int | None = None, dataset: dict | None = None):
        if every is not None and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
            raise ValueError(f"every must be a positive integer or None. Received: every={every!r}")
        self.path, self.every, self.dataset, self.last_epoch = Path(path), every, dataset, None

    def __call__(self, progress: Progress) -> None:
        if progress.interrupted or (self.every and progress.epoch % self.every == 0):
            save(self.path, progress.network, progress.state, self.dataset)
            self.last_epoch = progress.epoch

    def __repr__(self) -> str:
        return f"Checkpoint({str(self.path)!r}, every={self.every})"


def resume(path: str | os.PathLike, X: np.ndarray, y: np.ndarray, validation_data=None,
           callback: Callable[[Progress], None] | Sequence[Callable[[Progress], None]] | None = None,
           interrupt_signals: Sequence[str] = ("SIGINT",)) -> tuple[Network, History]:
    """Continue the training saved in the checkpoint at ``path`` on the same X (n, n_in) and labels y (n,).

    Returns the network and its whole History (the epochs before the checkpoint included); the result
    is bit for bit that of a run never interrupted.
    """
    net, state = load(path)
    history = training.fit(net, X, y, state.config, validation_data, callback, state=state,
                           interrupt_signals=interrupt_signals)
    return net, history
