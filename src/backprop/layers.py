"""Dense: a fully connected layer ``a = f(x @ W + b)`` that owns its parameters and gradients."""
from __future__ import annotations

import numpy as np

from . import activations, initializers

Array = np.ndarray


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer. Received: {name}={value!r}")
    return int(value)


class Dense:
    """A fully connected layer.

    Parameters
    ----------
    n_in, n_out: input and output widths.
    activation: a name from ``backprop.activations.ACTIVATIONS`` ("identity", "sigmoid", "tanh",
        "relu", "softmax") or None (identity).
    init: an initialiser name from ``backprop.initializers.INITIALIZERS`` or "auto".
    weights, bias: optional starting values, (n_in, n_out) and (n_out,); otherwise the network
        that receives the layer draws them from its seeded generator.

    ``params`` and ``grads`` hold ``{"weights": (n_in, n_out), "bias": (n_out,)}`` under the same
    names; ``grads`` is filled by ``backward``.
    """

    def __init__(self, n_in: int, n_out: int, activation: str | None = None, *, init: str = "auto",
                 weights: Array | None = None, bias: Array | None = None):
        self.n_in = _positive_int("n_in", n_in)
        self.n_out = _positive_int("n_out", n_out)
        self.activation = activations.get(activation)
        self.init = initializers.resolve_name(init, self.activation.name)
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}
        if weights is not None or bias is not None:
            self.set_params(
                weights if weights is not None else np.zeros((n_in, n_out)),
                bias if bias is not None else np.zeros(n_out),
            )

    @property
    def built(self) -> bool:
        """True once the layer has weights."""
        return bool(self.params)

    @property
    def weights(self) -> Array:
        """(n_in, n_out)"""
        return self.params["weights"]

    @property
    def bias(self) -> Array:
        """(n_out,)"""
        return self.params["bias"]

    def initialize(self, rng: np.random.Generator, dtype: np.dtype = np.float64) -> None:
        """Draw weights and bias with this layer's initialiser from ``rng``."""
        weights, bias = initializers.INITIALIZERS[self.init](rng, self.n_in, self.n_out)
        self.set_params(weights, bias, dtype)

    def set_params(self, weights: Array, bias: Array, dtype: np.dtype | None = None) -> None:
        """Replace the parameters (copied), checking their shapes: weights (n_in, n_out), bias (n_out,).

        dtype: float32 or float64; by default the weights' own float type, float64 otherwise.
        """
        if dtype is None:
            dtype = getattr(weights, "dtype", None)
            dtype = dtype if dtype in (np.float32, np.float64) else np.float64
        weights, bias = np.array(weights, dtype=dtype), np.array(bias, dtype=dtype)
        if weights.shape != (self.n_in, self.n_out):
            raise ValueError(f"weights must have shape {(self.n_in, self.n_out)}. Received: shape={weights.shape}")
        if bias.shape != (self.n_out,):
            raise ValueError(f"bias must have shape {(self.n_out,)}. Received: shape={bias.shape}")
        self.params = {"weights": weights, "bias": bias}
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def linear(self, x: Array) -> Array:
        """x: (n, n_in) -> z = x @ W + b: (n, n_out)"""
        z = x @ self.params["weights"]
        z += self.params["bias"]
        return z

    def forward(self, x: Array) -> Array:
        """x: (n, n_in) -> a = f(x @ W + b): (n, n_out)"""
        return self.activation.forward(self.linear(x))

    def backward(self, x: Array, delta: Array) -> Array:
        """Fill ``grads`` from this layer's input x (n, n_in) and delta = dL/dz (n, n_out).

        Returns dL/dx (n, n_in), the gradient that flows to the layer below.
        """
        np.matmul(x.T, delta, out=self.grads["weights"])  # (n_in, n) @ (n, n_out)
        np.sum(delta, axis=0, out=self.grads["bias"])
        return delta @ self.params["weights"].T  # (n, n_out) @ (n_out, n_in)

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, {self.activation.name!r})"
