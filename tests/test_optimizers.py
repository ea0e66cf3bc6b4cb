"""Each optimizer's update against its closed-form formula, and the schedules."""
import math

import numpy as np
import pytest

from backprop import optimizers, schedules

P0 = np.array([1.0, -2.0, 0.5])
G1 = np.array([0.1, -0.3, 2.0])
G2 = np.array([-0.2, 0.4, 1.0])


def two_steps(opt):
    p = P0.copy()
    opt.update([p], [G1.copy()])
    opt.update([p], [G2.copy()])
    return p


def test_sgd():
    np.testing.assert_allclose(two_steps(optimizers.SGD(0.1)), P0 - 0.1 * G1 - 0.1 * G2, rtol=1e-15)


def test_momentum():
    v1 = -0.1 * G1
    v2 = 0.9 * v1 - 0.1 * G2
    np.testing.assert_allclose(two_steps(optimizers.Momentum(0.1, 0.9)), P0 + v1 + v2, rtol=1e-14)


def test_nesterov():
    v1 = -0.1 * G1
    p1 = P0 + 0.9 * v1 - 0.1 * G1
    v2 = 0.9 * v1 - 0.1 * G2
    p2 = p1 + 0.9 * v2 - 0.1 * G2
    np.testing.assert_allclose(two_steps(optimizers.get("nesterov", 0.1)), p2, rtol=1e-14)


def test_rmsprop():
    s1 = 0.1 * G1**2
    p1 = P0 - 0.01 * G1 / (np.sqrt(s1) + 1e-8)
    s2 = 0.9 * s1 + 0.1 * G2**2
    p2 = p1 - 0.01 * G2 / (np.sqrt(s2) + 1e-8)
    np.testing.assert_allclose(two_steps(optimizers.RMSProp(0.01)), p2, rtol=1e-14)


def test_adam():
    b1, b2, lr, eps = 0.9, 0.999, 0.01, 1e-8
    m1, v1 = (1 - b1) * G1, (1 - b2) * G1**2
    p1 = P0 - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps)
    m2, v2 = b1 * m1 + (1 - b1) * G2, b2 * v1 + (1 - b2) * G2**2
    p2 = p1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps)
    np.testing.assert_allclose(two_steps(optimizers.Adam(lr)), p2, rtol=1e-14)
    # the first Adam step moves every parameter by about lr, whatever the gradient's scale
    np.testing.assert_allclose(np.abs(p1 - P0), lr, rtol=1e-5)


@pytest.mark.parametrize("lr", [0, -1, "0.1", None])
def test_learning_rate_must_be_positive(lr):
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        optimizers.SGD(lr)


def test_unknown_optimizer():
    with pytest.raises(ValueError, match=r"optimizer must be one of \[.*'adam'.*\]. Received: optimizer='ftrl'"):
        optimizers.get("ftrl", 0.1)


def test_schedules():
    assert schedules.get("constant")(0.1, 50, 100) == 0.1
    steps = [schedules.get("step")(0.1, e, 100) for e in (0, 24, 25, 50, 99)]
    assert steps == pytest.approx([0.1, 0.1, 0.05, 0.025, 0.0125])
    cosine = schedules.get("cosine")
    assert cosine(0.1, 0, 100) == 0.1 and cosine(0.1, 50, 100) == pytest.approx(0.05)
    assert cosine(0.1, 99, 100) == pytest.approx(0.1 * 0.5 * (1 + math.cos(math.pi * 0.99)))
    with pytest.raises(ValueError, match="schedule must be one of"):
        schedules.get("linear")
