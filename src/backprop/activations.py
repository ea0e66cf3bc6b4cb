"""Activation functions, looked up by name in one registry.

Each activation knows its forward map and its derivative *written in terms of its own output*
(``a = f(z)`` gives ``f'(z)`` as a function of ``a``), so a layer only has to keep its output for
backpropagation, as scikit-learn's ``DERIVATIVES`` do.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def _identity(z: Array) -> Array:
    return z


def _identity_derivative(a: Array) -> Array:
    return np.ones_like(a)


def _sigmoid(z: Array) -> Array:
    # 1 / (1 + exp(-z)) overflows in exp for z < -709 and warns; the tanh form is the same
    # function, never overflows, and costs less than exp + reciprocal on large arrays. Its error
    # is absolute (a few 1e-17): for z < -37 it gives 0 where the true value is below 1e-16.
    a = np.multiply(z, 0.5)  # one new array, then in place: large batches are bound by memory traffic
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _sigmoid_derivative(a: Array) -> Array:
    d = 1.0 - a
    d *= a
    return d


def _tanh_derivative(a: Array) -> Array:
    return 1.0 - a * a


def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _relu_derivative(a: Array) -> Array:
    # The subgradient at 0 is taken as 0, as in scikit-learn and PyTorch.
    return (a > 0).astype(a.dtype)


# exp(x) underflows below about -708 (float64) or -87 (float32) and, under np.errstate(all="raise"),
# raises. Clipping the shifted logits there changes a probability below 1e-38 into one of about
# 1e-38: nothing a prediction or a gradient can see.
EXP_FLOOR = {np.dtype(np.float64): -700.0, np.dtype(np.float32): -85.0}


def shifted_logits(z: Array) -> Array:
    """z (n, k) minus its row maximum, clipped below where exp would underflow: every entry in [floor, 0]."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return np.maximum(shifted, EXP_FLOOR.get(shifted.dtype, -700.0), out=shifted)


def _softmax(z: Array) -> Array:
    e = np.exp(shifted_logits(z))  # never overflows (entries <= 0) nor underflows (clipped)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Activation:
    """An activation function ``a = forward(z)`` applied to a layer's pre-activation.

    forward:    z (n, k) -> a (n, k)
    derivative: a (n, k) -> da/dz (n, k), elementwise, from the output a; ``None`` where the
                Jacobian is not diagonal (softmax), which only a loss that fuses it can use.
    """

    name: str
    forward: Callable[[Array], Array]
    derivative: Callable[[Array], Array] | None

    @property
    def elementwise(self) -> bool:
        """True where backpropagation can multiply by ``derivative(a)`` elementwise."""
        return self.derivative is not None

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", _identity, _identity_derivative),
        Activation("sigmoid", _sigmoid, _sigmoid_derivative),
        Activation("tanh", np.tanh, _tanh_derivative),
        Activation("relu", _relu, _relu_derivative),
        Activation("softmax", _softmax, None),
    )
}


def get(identifier: str | Activation | None) -> Activation:
    """Resolve an activation from its name, an ``Activation``, or ``None`` (identity).

    Raises ValueError for an unknown name, listing the valid ones.
    """
    if identifier is None:
        return ACTIVATIONS["identity"]
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, str) and identifier in ACTIVATIONS:
        return ACTIVATIONS[identifier]
    raise ValueError(
        f"activation must be one of {sorted(ACTIVATIONS)} or None. Received: activation={identifier!r}"
    )
