"""Gradient check: backpropagation's gradients against central finite differences.

For every parameter p of every layer, the numerical gradient is (L(p + eps) - L(p - eps)) / 2 eps
of the mean loss over the samples given, one entry at a time; the check compares it with
``Network.gradients`` by the relative error ||analytic - numeric|| / (||analytic|| + ||numeric||),
per array. In float64 a correct backward pass gives about 1e-9; a wrong one, 1e-2 or worse.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layers import Dense
from .network import Network

Array = np.ndarray


@dataclass(frozen=True)
class Check:
    """One parameter array's check: ``name`` like "layer 1 weights", its shape, the relative error."""

    name: str
    shape: tuple[int, ...]
    relative_error: float
    passed: bool


@dataclass(frozen=True)
class GradCheck:
    """Every array's ``Check``, the tolerance they were held to, and the verdict (``passed``)."""

    checks: list[Check]
    tolerance: float

    @property
    def passed(self) -> bool:
        """True when every array's relative error is within the tolerance."""
        return all(check.passed for check in self.checks)

    @property
    def worst(self) -> float:
        """The largest relative error over the arrays."""
        return max(check.relative_error for check in self.checks)

    def table(self) -> str:
        """A plain-text table, one row per array, and the verdict."""
        lines = [f"{'parameter':<18} {'shape':<12} {'relative error':>15}  verdict"]
        for c in self.checks:
            lines.append(f"{c.name:<18} {str(c.shape):<12} {c.relative_error:>15.3e}  {'ok' if c.passed else 'FAIL'}")
        verdict = "PASS" if self.passed else "FAIL"
        lines.append(f"{verdict}: worst relative error {self.worst:.3e} (tolerance {self.tolerance:g})")
        return "\n".join(lines)


def float64_twin(net: Network) -> Network:
    """A float64 copy of ``net`` (finite differences in float32 are too coarse to check anything)."""
    layers = [Dense(l.n_in, l.n_out, l.activation, weights=l.weights.astype(np.float64),
                    bias=l.bias.astype(np.float64)) for l in net.layers]
    return Network(layers, loss=net.loss.name, seed=0, dtype="float64")


def gradcheck(net: Network, X: Array, y: Array, epsilon: float = 1e-6, tolerance: float = 1e-6) -> GradCheck:
    """Check ``net``'s backpropagation on samples X (n, n_in) with labels y (n,); see the module doc.

    The network itself is not changed (the check runs on a float64 copy).
    """
    if not (isinstance(epsilon, float) and 0 < epsilon < 1):
        raise ValueError(f"epsilon must be a float in (0, 1). Received: epsilon={epsilon!r}")
    if not (isinstance(tolerance, float) and tolerance > 0):
        raise ValueError(f"tolerance must be a positive float. Received: tolerance={tolerance!r}")
    twin = float64_twin(net)
    X = twin.as_inputs(X)
    analytic = twin.gradients(X, y)
    checks = []
    for i, (layer, grads) in enumerate(zip(twin.layers, analytic)):
        for name, grad in zip(("weights", "bias"), grads):
            numeric = _numeric_gradient(twin, layer.params[name], X, y, epsilon)
            error = _relative_error(grad, numeric)
            checks.append(Check(f"layer {i} {name}", grad.shape, error, error <= tolerance))
    return GradCheck(checks, tolerance)


def _numeric_gradient(net: Network, p: Array, X: Array, y: Array, epsilon: float) -> Array:
    """(L(p + eps e_k) - L(p - eps e_k)) / 2 eps for every entry k of the array p (changed in place, restored)."""
    numeric = np.empty_like(p)
    flat, out = p.reshape(-1), numeric.reshape(-1)
    for k in range(flat.size):
        kept = flat[k]
        flat[k] = kept + epsilon
        above = net.loss_value(X, y)
        flat[k] = kept - epsilon
        below = net.loss_value(X, y)
        flat[k] = kept
        out[k] = (above - below) / (2 * epsilon)
    return numeric


def _relative_error(analytic: Array, numeric: Array) -> float:
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)
