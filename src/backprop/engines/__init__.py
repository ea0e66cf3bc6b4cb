"""Training engines: who runs one epoch.

- "numpy": the reference. Mini-batches go through ``reference.run_epoch`` (the readable
  layer-by-layer code); per-sample SGD goes through ``numpy_sgd``, the same arithmetic arranged
  to make as few NumPy calls per sample as possible, since at batch size 1 the cost is the calls.
- "numba": per-sample SGD compiled with Numba (``pip install "backprop[fast]"``).
- "auto": Numba where it is installed and supports the configuration, NumPy otherwise.

An engine's epoch function has the signature ``run_epoch(net, X, Y, optimizer, config)`` with X
(n, n_in) and Y (n, n_out) already in training order.
"""
from __future__ import annotations

import importlib.util
from collections.abc import Callable
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


def per_sample_sgd_problem(net: Network, config) -> str | None:
    """Why the per-sample SGD kernels cannot run this configuration, or None when they can."""
    if config.batch_size != 1:
        return f"batch_size={config.batch_size} (needs 1)"
    if config.optimizer != "sgd":
        return f"optimizer={config.optimizer!r} (needs 'sgd')"
    if config.weight_decay:
        return f"weight_decay={config.weight_decay} (needs 0)"
    if net.loss.name not in PER_SAMPLE_LOSSES:
        return f"loss={net.loss.name!r} (needs one of {list(PER_SAMPLE_LOSSES)})"
    for layer in net.layers:
        if layer.activation.name not in PER_SAMPLE_ACTIVATIONS:
            return f"activation={layer.activation.name!r} (needs one of {list(PER_SAMPLE_ACTIVATIONS)})"
    return None


def select(engine: str, net: Network, config) -> Callable:
    """The epoch function for ``engine`` on this network and configuration."""
    from . import reference

    check_name(engine)
    problem = per_sample_sgd_problem(net, config)
    if engine == "numba":
        if not numba_available():
            raise ValueError('engine=\'numba\' needs Numba: pip install "backprop[fast]"')
        if problem:
            raise ValueError(f"engine='numba' runs per-sample SGD only. Received: {problem}")
    if problem:
        return reference.run_epoch
    if engine == "numba" or (engine == "auto" and numba_available()):
        from . import numba_sgd

        numba_sgd.warm_up(net)
        return numba_sgd.run_epoch
    from . import numpy_sgd

    return numpy_sgd.run_epoch
