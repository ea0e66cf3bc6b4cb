"""Training engines: who runs one epoch, and who scores the network between epochs.

- "numpy": the reference. Mini-batches go through ``reference.run_epoch`` (the readable
  layer-by-layer code); per-sample SGD goes through ``numpy_sgd``, the same arithmetic arranged
  to make as few NumPy calls per sample as possible, since at batch size 1 the cost is the calls.
- "numba": every configuration compiled with Numba (``pip install "backprop[fast]"``):
  ``numba_engine`` with the kernels of ``numba_kernels`` (any optimizer, loss, batch size, weight
  decay, dtype, and the evaluations), and at batch size 1 (the seed's experiment, with any
  optimizer, loss and weight decay) the hand-fused loop and scorer of ``numba_per_sample``.
- "auto": Numba where it is installed (for every configuration: measured against the NumPy
  reference, it is as fast or faster from per-sample SGD to batches of 1024 on 2-256-256-2), NumPy
  otherwise.

An engine's epoch function has the signature ``run_epoch(net, X, Y, optimizer, config)`` with X
(n, n_in) and Y (n, n_out) already in training order; its scorer, ``scores(net, X, Y, y)``.
"""
from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # engines work on any network object; importing network here would close a circle
    from ..network import Network

ENGINES = ("auto", "numpy", "numba")
PER_SAMPLE_ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu")
PER_SAMPLE_LOSSES = ("mse", "binary_cross_entropy")


def check_name(engine: str) -> None:
    """Raise ValueError unless ``engine`` is one of ``ENGINES``."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {list(ENGINES)}. Received: engine={engine!r}")


def numba_available() -> bool:
    """True when Numba can be imported (without importing it)."""
    return importlib.util.find_spec("numba") is not None


def per_sample_problem(net: Network, config, optimizers: tuple[str, ...] = ("sgd",),
                       losses: tuple[str, ...] = PER_SAMPLE_LOSSES,
                       activations: tuple[str, ...] = PER_SAMPLE_ACTIVATIONS, weight_decay: bool = False) -> str | None:
    """Why a per-sample loop cannot run this configuration, or None when it can. The defaults are
    ``numpy_sgd``'s; ``numba_per_sample`` runs every optimizer, softmax + cross-entropy and weight decay."""
    if config.batch_size != 1:
        return f"batch_size={config.batch_size} (needs 1)"
    if config.optimizer not in optimizers:
        return f"optimizer={config.optimizer!r} (needs one of {list(optimizers)})"
    if config.weight_decay and not weight_decay:
        return f"weight_decay={config.weight_decay} (needs 0)"
    if net.loss.name not in losses:
        return f"loss={net.loss.name!r} (needs one of {list(losses)})"
    for layer in net.layers:
        if layer.activation.name not in activations:
            return f"activation={layer.activation.name!r} (needs one of {list(activations)})"
    return None


@dataclass(frozen=True)
class Engine:
    """What ``fit`` runs: ``run_epoch(net, X, Y, optimizer, config)`` and ``scores(net, X, Y, y)``
    -> (mean loss, the seed's MSE, accuracy). ``name`` says which, e.g. "numba" or "numpy-per-sample"."""

    name: str
    run_epoch: Callable
    scores: Callable


def select(engine: str, net: Network, config) -> Engine:
    """The engine for ``engine`` ("auto", "numpy" or "numba") on this network and configuration.
    Compiled engines are compiled (or loaded from the disk cache) here, before training starts."""
    from ..metrics import scores as reference_scores

    check_name(engine)
    if engine == "numba" and not numba_available():
        raise ValueError('engine=\'numba\' needs Numba: pip install "backprop[fast]"')
    if engine == "numpy" or not numba_available():
        if per_sample_problem(net, config) is None:
            from . import numpy_sgd

            return Engine("numpy-per-sample", numpy_sgd.run_epoch, reference_scores)
        from . import reference

        return Engine("numpy", reference.run_epoch, reference_scores)
    from . import numba_engine
    from . import numba_per_sample as per_sample

    if per_sample_problem(net, config, per_sample.OPTIMIZERS, tuple(per_sample.LOSS_CODES),
                          tuple(per_sample.ACTIVATION_CODES), weight_decay=True) is None:
        # its own loop and scorer: on a fresh install the general engine's would be another 5-7 s
        # of compiling, for nothing
        per_sample.warm_up(net, config)
        return Engine("numba-per-sample", per_sample.run_epoch, per_sample.scores)
    numba_engine.warm_up(net, config)
    return Engine("numba", numba_engine.run_epoch, numba_engine.scores)
