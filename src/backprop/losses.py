"""Loss functions, looked up by name in one registry.

Every loss is a mean over samples, and gives backpropagation its starting point: the gradient
of that mean with respect to the output layer's pre-activation ``z``. The output layer passes its
pre-activation ``z``, its output ``a = f(z)`` and its activation ``f``: the cross-entropies work
from ``z`` (log-sum-exp, no ``log(0)``), mean squared error from ``a``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import EXP_FLOOR, Activation, shifted_logits

Array = np.ndarray


def _mse_value(z: Array, a: Array, y: Array) -> float:
    # L = mean over samples of 1/2 * sum over outputs (a - y)^2
    return 0.5 * float(np.sum((a - y) ** 2)) / len(a)


def _mse_delta(z: Array, a: Array, y: Array, activation: Activation) -> Array:
    # dL/dz = (a - y) / n * f'(z); for one sample this is exactly the seed's update.
    return (a - y) * activation.derivative(a) / len(a)


def _cross_entropy_value(z: Array, a: Array, y: Array) -> float:
    # -sum y * log softmax(z) = logsumexp(z) - sum y * z, computed with the max shifted out.
    m = z.max(axis=1, keepdims=True)
    logsumexp = m[:, 0] + np.log(np.exp(shifted_logits(z)).sum(axis=1))
    return float(np.mean(logsumexp - np.sum(y * z, axis=1)))


def _softplus(z: Array) -> Array:
    """log(1 + e^z) = max(z, 0) + log(1 + e^-|z|), with e^-|z| clipped above where exp underflows
    (np.logaddexp underflows, and raises under np.errstate(all="raise"), for z < -745)."""
    tail = np.minimum(np.abs(z), -EXP_FLOOR.get(z.dtype, -700.0))
    return np.maximum(z, 0.0) + np.log1p(np.exp(-tail))


def _binary_cross_entropy_value(z: Array, a: Array, y: Array) -> float:
    # -[y log s(z) + (1 - y) log(1 - s(z))] = log(1 + e^z) - y z.
    return float(np.mean(np.sum(_softplus(z) - y * z, axis=1)))


def _probability_delta(z: Array, a: Array, y: Array, activation: Activation) -> Array:
    # softmax + cross-entropy and sigmoid + binary cross-entropy both give dL/dz = (a - y) / n.
    return (a - y) / len(a)


@dataclass(frozen=True)
class Loss:
    """A loss ``value(z, a, y)`` and its gradient ``delta(z, a, y, f)`` with respect to ``z``.

    z, a, y: (n_samples, n_out) -- pre-activation, output and target of the output layer.
    output_activation: the output activation this loss requires, or None for any elementwise one.
    output_width: the number of output units it requires, or None for one per class.
    """

    name: str
    value: Callable[[Array, Array, Array], float]
    delta: Callable[[Array, Array, Array, Activation], Array]
    output_activation: str | None = None
    output_width: int | None = None

    def check_output(self, activation: Activation, n_out: int) -> None:
        """Raise ValueError if this loss cannot sit on an output layer with ``activation``."""
        if self.output_activation is not None and activation.name != self.output_activation:
            raise ValueError(
                f"loss={self.name!r} needs a {self.output_activation!r} output layer. "
                f"Received: output activation={activation.name!r}"
            )
        if self.output_activation is None and not activation.elementwise:
            raise ValueError(
                f"loss={self.name!r} needs an elementwise output activation. "
                f"Received: output activation={activation.name!r} (use loss='cross_entropy')"
            )
        if self.output_width is not None and n_out != self.output_width:
            raise ValueError(f"loss={self.name!r} needs {self.output_width} output unit(s). Received: n_out={n_out}")

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("mse", _mse_value, _mse_delta),
        Loss("cross_entropy", _cross_entropy_value, _probability_delta, "softmax"),
        Loss("binary_cross_entropy", _binary_cross_entropy_value, _probability_delta, "sigmoid", output_width=1),
    )
}


def get(identifier: str | Loss) -> Loss:
    """Resolve a loss from its name or a ``Loss``; ValueError lists the valid names."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and identifier in LOSSES:
        return LOSSES[identifier]
    raise ValueError(f"loss must be one of {sorted(LOSSES)}. Received: loss={identifier!r}")
