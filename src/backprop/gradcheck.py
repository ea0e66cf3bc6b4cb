"""Gradient check: backpropagation's gradients against central finite differences.

For every parameter p of every layer, the numerical gradient is (L(p + eps) - L(p - eps)) / 2 eps
of the mean loss over the samples given, one entry at a time; the check compares it with
``Network.gradients`` by the relative error ||analytic - numeric|| / (||analytic|| + ||numeric||),
per array. In float64 a correct backward pass gives about 1e-9; a wrong one, 1e-2 or worse.

Central differences cannot decide where the loss is so large that rounding alone moves the
difference quotient by more than the tolerance allows (a diverged network, loss ~1e15: each loss
carries an absolute rounding error of about 1e-16 |L|, so the quotient one of 1e-16 |L| / eps).
Such an array's verdict is "inconclusive", not FAIL, and so is one whose loss is not finite.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .layers import Dense
from .network import Network

Array = np.ndarray
NOISE_ULPS = 10  # rounding errors per loss evaluation that an inconclusive verdict allows for


@dataclass(frozen=True)
class Check:
    """One parameter array's check: ``name`` like "layer 1 weights", its shape, the relative error,
    and ``verdict``: "ok", "FAIL", or "inconclusive" where rounding could explain the disagreement."""

    name: str
    shape: tuple[int, ...]
    relative_error: float
    passed: bool
    verdict: str = "ok"


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
    def inconclusive(self) -> bool:
        """True when some array disagrees and finite differences cannot tell whether backprop is wrong
        (every disagreeing array is "inconclusive", none "FAIL")."""
        return not self.passed and all(check.verdict != "FAIL" for check in self.checks)

    @property
    def worst(self) -> float:
        """The largest relative error over the arrays."""
        return max(check.relative_error for check in self.checks)

    def table(self) -> str:
        """A plain-text table, one row per array, and the verdict."""
        lines = [f"{'parameter':<18} {'shape':<12} {'relative error':>15}  verdict"]
        for c in self.checks:
            lines.append(f"{c.name:<18} {str(c.shape):<12} {c.relative_error:>15.3e}  {c.verdict}")
        verdict = "PASS" if self.passed else "INCONCLUSIVE" if self.inconclusive else "FAIL"
        lines.append(f"{verdict}: worst relative error {self.worst:.3e} (tolerance {self.tolerance:g})")
        if self.inconclusive:
            lines.append("the loss is too large (or not finite) for finite differences to check these "
                         "gradients: check a network that has not diverged")
        return "\n".join(lines)


def float64_twin(net: Network) -> Network:
    """A float64 copy of ``net`` (finite differences in float32 are too coarse to check anything),
    with its task, class labels and input standardisation: it takes what ``net`` takes."""
    layers = [Dense(l.n_in, l.n_out, l.activation, weights=l.weights.astype(np.float64),
                    bias=l.bias.astype(np.float64)) for l in net.layers]
    twin = Network(layers, loss=net.loss.name, seed=0, dtype="float64", task=net.task)
    twin.classes, twin.standardization = net.classes, net.standardization
    return twin


def gradcheck(net: Network, X: Array, y: Array, epsilon: float = 1e-6, tolerance: float = 1e-6) -> GradCheck:
    """Check ``net``'s backpropagation on raw samples X (n, n_in) with targets y, as ``net.fit``
    takes them (labels, or real values for regression); see the module doc.

    The network itself is not changed (the check runs on a float64 copy).
    """
    if not (isinstance(epsilon, float) and 0 < epsilon < 1):
        raise ValueError(f"epsilon must be a float in (0, 1). Received: epsilon={epsilon!r}")
    if not (isinstance(tolerance, float) and tolerance > 0):
        raise ValueError(f"tolerance must be a positive float. Received: tolerance={tolerance!r}")
    twin = float64_twin(net)
    X = twin.as_inputs(X)
    twin.standardization = None  # X is standardised once, here: the loops below must not do it again
    analytic = twin.gradients(X, y)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = abs(twin.loss_value(X, y))
    checks = []
    for i, (layer, grads) in enumerate(zip(twin.layers, analytic)):
        for name, grad in zip(("weights", "bias"), grads):
            with np.errstate(over="ignore", invalid="ignore"):
                numeric = _numeric_gradient(twin, layer.params[name], X, y, epsilon)
            error = _relative_error(grad, numeric)
            passed = bool(error <= tolerance)
            verdict = "ok" if passed else "inconclusive" if _undecidable(grad, numeric, loss, epsilon) \
                else "FAIL"
            checks.append(Check(f"layer {i} {name}", grad.shape, error, passed, verdict))
    return GradCheck(checks, tolerance)


def _undecidable(analytic: Array, numeric: Array, loss: float, epsilon: float) -> bool:
    """True when rounding in the loss could alone explain the disagreement: the quotient's rounding
    error, about machine epsilon * |L| / epsilon per entry (NOISE_ULPS of them, for the sums inside
    the loss), as a norm over the array, against ||analytic - numeric||. A non-finite loss or
    gradient decides nothing."""
    if not (math.isfinite(loss) and np.all(np.isfinite(analytic)) and np.all(np.isfinite(numeric))):
        return True
    noise = NOISE_ULPS * np.finfo(np.float64).eps * loss / epsilon * math.sqrt(analytic.size)
    return bool(np.linalg.norm(analytic - numeric) <= noise)


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
