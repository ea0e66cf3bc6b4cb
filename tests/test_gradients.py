"""Backpropagation against central finite differences, for every activation and loss."""
import numpy as np
import pytest

from backprop import Dense, Network
from backprop.activations import ACTIVATIONS

HIDDEN = [name for name, a in ACTIVATIONS.items() if a.elementwise]
CASES = [(hidden, output, "mse") for hidden in HIDDEN for output in HIDDEN]
CASES += [(hidden, "softmax", "cross_entropy") for hidden in HIDDEN]
CASES += [(hidden, "sigmoid", "binary_cross_entropy") for hidden in HIDDEN]


def numerical_gradients(net, X, y, eps=1e-6):
    grads = []
    for p in net.parameters():
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = net.loss_value(X, y)
            p[i] = old - eps
            down = net.loss_value(X, y)
            p[i] = old
            g[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


@pytest.mark.parametrize("hidden,output,loss", CASES)
def test_gradients_match_finite_differences(hidden, output, loss):
    rng = np.random.default_rng(7)
    n_out = 1 if loss == "binary_cross_entropy" else 3
    net = Network([Dense(4, 5, hidden), Dense(5, 6, hidden), Dense(6, n_out, output)], loss=loss, seed=3)
    for layer in net.layers:  # non-zero biases so that the bias gradients are exercised
        layer.params["bias"][...] = rng.normal(0, 0.5, layer.n_out)
    X = rng.normal(size=(8, 4))
    y = rng.integers(0, max(n_out, 2), size=8)
    analytic = [g for pair in net.gradients(X, y) for g in pair]
    numeric = numerical_gradients(net, X, y)
    for a, n in zip(analytic, numeric):
        err = np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), 1e-12)
        assert err < 1e-6, (hidden, output, loss, err)


def test_gradients_are_of_the_mean_loss():
    """Duplicating every sample leaves the gradient of the mean unchanged."""
    rng = np.random.default_rng(0)
    net = Network([Dense(2, 3, "tanh"), Dense(3, 2, "sigmoid")], seed=0)
    X, y = rng.normal(size=(5, 2)), rng.integers(0, 2, 5)
    once = net.gradients(X, y)
    twice = net.gradients(np.vstack([X, X]), np.concatenate([y, y]))
    for (w1, b1), (w2, b2) in zip(once, twice):
        np.testing.assert_allclose(w1, w2, rtol=1e-12)
        np.testing.assert_allclose(b1, b2, rtol=1e-12)
