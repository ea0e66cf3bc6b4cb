"""Optimizers: small classes that update parameters in place from their gradients.

An optimizer does not own the parameters: ``update(params, grads)`` receives the same list of
arrays every step (one per weight matrix and bias vector) and keeps its own state beside them.
``learning_rate`` is a plain attribute so that a schedule can change it between epochs.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray


def _positive(name: str, value: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"{name} must be a positive number. Received: {name}={value!r}")
    return float(value)


class Optimizer:
    """Base class: ``update`` applies one step to ``params`` (list of arrays) in place.

    ``ARRAY_STATE`` names the attributes holding per-parameter state (lists of arrays shaped like
    the parameters, None before the first step) and ``SCALAR_STATE`` the scalar ones: together,
    what a checkpoint must keep to continue exactly (``state_dict`` / ``load_state_dict``).
    """

    ARRAY_STATE: tuple[str, ...] = ()
    SCALAR_STATE: tuple[str, ...] = ()

    def __init__(self, learning_rate: float = 0.01):
        self.learning_rate = _positive("learning_rate", learning_rate)

    def update(self, params: list[Array], grads: list[Array]) -> None:
        """One step: change each parameter array in ``params`` in place from the gradient array of
        the same shape in ``grads``, updating this optimizer's state."""
        raise NotImplementedError

    def state_arrays(self, params: list[Array]) -> list[list[Array]]:
        """The arrays of each ``ARRAY_STATE`` attribute, in that order, created as zeros shaped like
        ``params`` where still None (as ``update`` creates them): for engines that update them in place."""
        for name in self.ARRAY_STATE:
            if getattr(self, name) is None:
                setattr(self, name, [np.zeros_like(p) for p in params])
        return [getattr(self, name) for name in self.ARRAY_STATE]

    def state_dict(self) -> dict:
        """{"arrays": {name: [arrays] or None}, "scalars": {name: number}}, the arrays not copied."""
        return {"arrays": {name: getattr(self, name) for name in self.ARRAY_STATE},
                "scalars": {name: getattr(self, name) for name in self.SCALAR_STATE}}

    def load_state_dict(self, state: dict, params: list[Array]) -> None:
        """Restore what ``state_dict`` gave; each array must match its parameter in ``params``.

        Raises ValueError for a missing name, a wrong count, shape or dtype.
        """
        for name in self.ARRAY_STATE:
            arrays = state["arrays"].get(name)
            if arrays is not None:
                if len(arrays) != len(params) or any(a.shape != p.shape or a.dtype != p.dtype
                                                     for a, p in zip(arrays, params)):
                    raise ValueError(f"optimizer state {name!r} does not match the parameters' shapes and dtype")
                arrays = [np.array(a) for a in arrays]
            setattr(self, name, arrays)
        for name in self.SCALAR_STATE:
            value = state["scalars"][name]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"optimizer state {name!r} must be a count >= 0. Received: {value!r}")
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


class SGD(Optimizer):
    """Plain gradient descent: p <- p - lr * g."""

    def update(self, params: list[Array], grads: list[Array]) -> None:
        """p <- p - lr * g for each parameter array, in place."""
        for p, g in zip(params, grads):
            p -= self.learning_rate * g


class Momentum(Optimizer):
    """Heavy-ball momentum: v <- mu v - lr g; p <- p + v.

    With ``nesterov=True`` the step looks ahead: p <- p + mu v - lr g (Sutskever et al., 2013,
    in the form PyTorch and scikit-learn use).
    """

    ARRAY_STATE = ("velocities",)

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9, nesterov: bool = False):
        super().__init__(learning_rate)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1). Received: momentum={momentum!r}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.velocities: list[Array] | None = None

    def update(self, params: list[Array], grads: list[Array]) -> None:
        """One momentum (or Nesterov) step on each parameter array, in place; velocities start at zero."""
        if self.velocities is None:
            self.velocities = [np.zeros_like(p) for p in params]
        mu, lr = self.momentum, self.learning_rate
        for p, g, v in zip(params, grads, self.velocities):
            v *= mu
            v -= lr * g
            p += mu * v - lr * g if self.nesterov else v


class RMSProp(Optimizer):
    """s <- rho s + (1 - rho) g^2; p <- p - lr g / (sqrt(s) + eps)."""

    ARRAY_STATE = ("squares",)

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-8):
        super().__init__(learning_rate)
        self.rho, self.epsilon = float(rho), float(epsilon)
        self.squares: list[Array] | None = None

    def update(self, params: list[Array], grads: list[Array]) -> None:
        """One RMSprop step on each parameter array, in place; the squares start at zero."""
        if self.squares is None:
            self.squares = [np.zeros_like(p) for p in params]
        for p, g, s in zip(params, grads, self.squares):
            s *= self.rho
            s += (1 - self.rho) * g * g
            p -= self.learning_rate * g / (np.sqrt(s) + self.epsilon)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction:
    m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
    p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
    """

    ARRAY_STATE = ("ms", "vs")
    SCALAR_STATE = ("t",)

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8):
        super().__init__(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.t = 0
        self.ms: list[Array] | None = None
        self.vs: list[Array] | None = None

    def update(self, params: list[Array], grads: list[Array]) -> None:
        """One bias-corrected Adam step on each parameter array, in place; t counts the steps."""
        if self.ms is None:
            self.ms = [np.zeros_like(p) for p in params]
            self.vs = [np.zeros_like(p) for p in params]
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        for p, g, m, v in zip(params, grads, self.ms, self.vs):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            m_hat = m / (1 - b1**self.t)
            v_hat = v / (1 - b2**self.t)
            p -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": lambda learning_rate=0.01, **kw: Momentum(learning_rate, nesterov=True, **kw),
    "rmsprop": RMSProp,
    "adam": Adam,
}


def get(identifier: str | Optimizer, learning_rate: float) -> Optimizer:
    """An optimizer from its name (built with ``learning_rate``) or an ``Optimizer`` instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier in OPTIMIZERS:
        return OPTIMIZERS[identifier](learning_rate)
    raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}. Received: optimizer={identifier!r}")
