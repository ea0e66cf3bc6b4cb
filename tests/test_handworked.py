"""One SGD step on one sample, worked by hand.

Network: x (2) -> Dense(2, 1, identity) -> Dense(1, 1, sigmoid), loss mse, lr = 0.1.
    W1 = [[0.5], [-0.5]], b1 = [0]      W2 = [[2]], b2 = [-1]      x = [2, 1], label 1 (target 1.0)

Forward:
    z1 = 2 * 0.5 + 1 * (-0.5) + 0 = 0.5          a1 = z1 = 0.5          (identity)
    z2 = 0.5 * 2 - 1 = 0                          a2 = sigmoid(0) = 0.5
    L  = 1/2 * (0.5 - 1)^2 = 0.125
Backward:
    delta2 = (a2 - y) * a2 * (1 - a2) = (-0.5) * 0.25 = -0.125
    dW2 = a1 * delta2 = 0.5 * (-0.125) = -0.0625        db2 = -0.125
    delta1 = W2 * delta2 * 1 = 2 * (-0.125) = -0.25     (identity: f' = 1)
    dW1 = x^T delta1 = [[-0.5], [-0.25]]                db1 = -0.25
Step (p <- p - 0.1 * dp):
    W1 = [[0.55], [-0.475]]   b1 = [0.025]   W2 = [[2.00625]]   b2 = [-0.9875]
"""
import numpy as np
import pytest

from backprop import Dense, Network, engines
from backprop.engines.reference import train_step
from backprop.optimizers import SGD

X = np.array([[2.0, 1.0]])
y = np.array([1])
EXPECTED = {
    "W1": [[0.55], [-0.475]], "b1": [0.025], "W2": [[2.00625]], "b2": [-0.9875],
}


def network():
    return Network([
        Dense(2, 1, "identity", weights=[[0.5], [-0.5]], bias=[0.0]),
        Dense(1, 1, "sigmoid", weights=[[2.0]], bias=[-1.0]),
    ], loss="mse")


def assert_expected(net):
    (l1, l2) = net.layers
    np.testing.assert_allclose(l1.weights, EXPECTED["W1"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(l1.bias, EXPECTED["b1"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(l2.weights, EXPECTED["W2"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(l2.bias, EXPECTED["b2"], rtol=0, atol=1e-15)


def test_loss_and_gradients_by_hand():
    net = network()
    assert net.loss_value(X, y) == pytest.approx(0.125, abs=1e-15)
    (dW1, db1), (dW2, db2) = net.gradients(X, y)
    np.testing.assert_allclose(dW1, [[-0.5], [-0.25]], atol=1e-15)
    np.testing.assert_allclose(db1, [-0.25], atol=1e-15)
    np.testing.assert_allclose(dW2, [[-0.0625]], atol=1e-15)
    np.testing.assert_allclose(db2, [-0.125], atol=1e-15)


def test_reference_step_by_hand():
    net = network()
    train_step(net, X, net.as_targets(y, 1), SGD(0.1))
    assert_expected(net)


ENGINES = ["numpy"] + (["numba"] if engines.numba_available() else [])


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_one_epoch_by_hand(engine):
    """fit's per-sample engines take the same step, biases included (the seed never updates them)."""
    net = network()
    net.fit(X, y, epochs=1, learning_rate=0.1, batch_size=1, engine=engine, shuffle=False)
    assert_expected(net)
