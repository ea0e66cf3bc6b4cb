"""Bad data is refused at the boundary with a ValueError that names the argument and the value."""
import numpy as np
import pytest

from backprop import Dense, Network, activations, datasets, losses

from .conftest import seed_network

GOOD_X, GOOD_Y = np.zeros((4, 2)), np.array([0, 1, 0, 1])


@pytest.mark.parametrize("X,y,message", [
    (np.full((4, 2), np.nan), GOOD_Y, r"X must hold finite numbers. Received: nan at row 0, column 0"),
    (np.array([[0, 0], [0, np.inf], [0, 0], [0, 0]]), GOOD_Y, r"X must hold finite .* inf at row 1, column 1"),
    (GOOD_X, np.array([0, 1, np.nan, 1]), r"y must hold finite labels. Received: nan at row 2"),
    (GOOD_X, np.array([0, 1, np.inf, 1]), r"y must hold finite labels. Received: inf at row 2"),
    (np.zeros(4), GOOD_Y, r"X must be a 2-D array \(n_samples, 2\). Received: X with shape \(4,\)"),
    (np.zeros((4, 2, 1)), GOOD_Y, r"X must be a 2-D array .* shape \(4, 2, 1\)"),
    (GOOD_X, np.zeros(3, int), r"y must hold one label per sample: shape \(4,\). Received: y with shape \(3,\)"),
    (GOOD_X, np.zeros((4, 1), int), r"y must hold one label per sample: shape \(4,\). .*shape \(4, 1\)"),
    (np.zeros((0, 2)), np.zeros(0, int), r"X must hold at least one sample. Received: X with shape \(0, 2\)"),
    (GOOD_X, np.array([0, 1, 2, 0]), r"y must hold labels 0..1 \(the output layer's classes\). Received: 2 at row 2"),
    (GOOD_X, np.array([0, -1, 1, 0]), r"y must hold labels 0..1 .* Received: -1 at row 1"),
    (GOOD_X, np.array([0.5, 1, 0, 0]), r"y must hold integer labels. Received: 0.5 at row 0"),
    (np.zeros((4, 3)), GOOD_Y, r"X must have 2 features \(columns\).* Received: X with 3 columns"),
    (np.array([["1", "2"]] * 4), GOOD_Y, r"X must hold real numbers. Received: X of dtype <U1"),
    (np.zeros((4, 2), dtype=object), GOOD_Y, r"X must hold real numbers. Received: X of dtype object"),
    (np.zeros((4, 2), dtype=complex), GOOD_Y, r"X must hold real numbers. Received: X of dtype complex128"),
    (GOOD_X, np.array(["a", "b", "a", "b"]), r"y must hold real numbers. Received: y of dtype <U1"),
    ([[0, 0], [1]], [0, 1], r"X must be a rectangular array of numbers"),
])
def test_fit_rejects_bad_data(X, y, message):
    with pytest.raises(ValueError, match=message):
        seed_network().fit(X, y, epochs=1)


def test_validation_data_is_checked_under_its_own_name():
    with pytest.raises(ValueError, match=r"X_val must hold finite numbers"):
        seed_network().fit(GOOD_X, GOOD_Y, epochs=1, validation_data=(np.full((2, 2), np.nan), [0, 1]))
    with pytest.raises(ValueError, match=r"y_val must hold labels 0..1 .* Received: 7 at row 1"):
        seed_network().fit(GOOD_X, GOOD_Y, epochs=1, validation_data=(np.zeros((2, 2)), [0, 7]))


def test_batch_size_larger_than_the_data_is_refused():
    with pytest.raises(ValueError, match=r"batch_size must be at most the number of training samples \(4\). "
                                         r"Received: batch_size=5"):
        seed_network().fit(GOOD_X, GOOD_Y, epochs=1, batch_size=5)


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_predict_rejects_a_different_feature_count_and_bad_values(method):
    net = seed_network()
    with pytest.raises(ValueError, match=r"X must have 2 features \(columns\), as the network's input layer. "
                                         r"Received: X with 3 columns"):
        getattr(net, method)(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"X must hold finite numbers. Received: inf at row 0, column 1"):
        getattr(net, method)(np.array([[0.0, np.inf]]))
    with pytest.raises(ValueError, match=r"X must hold real numbers. Received: X of dtype <U3"):
        getattr(net, method)(np.array([["0.5", "1.0"]]))


def test_gradients_check_their_inputs():
    with pytest.raises(ValueError, match=r"y must hold labels 0..1"):
        seed_network().gradients(GOOD_X, np.array([0, 1, 5, 1]))


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_activation_is_quiet_on_large_inputs(name, dtype):
    """No overflow, underflow or invalid-operation warning (raised as errors here) for z in [-1e3, 1e3]."""
    z = np.linspace(-1e3, 1e3, 2001, dtype=dtype).reshape(-1, 3 if name == "softmax" else 1)
    if name == "softmax":
        z = np.concatenate([z, -z[:, :1]], axis=1)  # rows spanning 2e3: exp of -2e3 underflows naively
    activation = activations.get(name)
    with np.errstate(all="raise"):
        a = activation.forward(z.copy())
        if activation.derivative is not None:
            d = activation.derivative(a)
            assert np.all(np.isfinite(d))
    assert np.all(np.isfinite(a))


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_loss_is_quiet_on_large_inputs(name, dtype):
    loss = losses.get(name)
    width = 1 if loss.output_width == 1 else 3
    activation = activations.get(loss.output_activation or "sigmoid")
    z = np.linspace(-1e3, 1e3, 300 * width, dtype=dtype).reshape(-1, width)
    y = np.zeros_like(z)
    y[::2, 0] = 1
    with np.errstate(all="raise"):
        a = activation.forward(z.copy())
        value = loss.value(z, a, y)
        delta = loss.delta(z, a, y, activation)
    assert np.isfinite(value) and np.all(np.isfinite(delta))


@pytest.mark.parametrize("spec,message", [
    ({"name": "moons", "n_samples": 10**12},
     r"n_samples must be at most 10,000,000. Received: n_samples=1,000,000,000,000"),
    ({"name": "moons", "n_samples": 2.5}, r"n_samples must be an integer >= 2. Received: n_samples=2.5"),
    ({"name": "moons", "noise": float("nan")}, r"noise must be a finite number >= 0. Received: noise=nan"),
    ({"name": "moons", "test_size": 2.0}, r"test_size must be a float in \(0, 1\)"),
    ({"name": "circles", "n_samples": 10**12}, r"n_samples must be at most 10,000,000"),
    ({"name": "nope"}, r"dataset must name one of"),
])
def test_data_set_specs_asking_for_absurd_work_are_refused(spec, message):
    with pytest.raises(ValueError, match=message):
        datasets.from_spec(spec)


def test_a_decision_boundary_grid_of_a_billion_points_is_refused():
    from backprop import plots

    net = Network([Dense(2, 2, "sigmoid")], seed=0)
    with pytest.raises(ValueError, match=r"resolution must be at most 2,000. Received: resolution=31,623"):
        plots.decision_boundary(net, GOOD_X, GOOD_Y, resolution=31_623)  # 31623^2 ~ 10^9 points
