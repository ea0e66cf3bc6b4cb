"""Mini-batch training, weight decay, schedules, early stopping, dtypes, initialisers."""
import math

import numpy as np
import pytest

from backprop import Dense, Network, initializers

from .conftest import seed_network


def small_network(seed=0, **kw):
    return Network([Dense(2, 6, "tanh"), Dense(6, 2, "sigmoid")], seed=seed, **kw)


def test_full_batch_epoch_is_one_gradient_step(moons):
    X, y = moons.X_train[:64], moons.y_train[:64]
    net = small_network()
    before = [p.copy() for p in net.parameters()]
    grads = [g for pair in net.gradients(X, y) for g in pair]
    net.fit(X, y, epochs=1, learning_rate=0.3, batch_size=64, shuffle=False)
    for p0, g, p1 in zip(before, grads, net.parameters()):
        np.testing.assert_allclose(p1, p0 - 0.3 * g, rtol=0, atol=1e-14)


def test_weight_decay_adds_to_weights_not_biases(moons):
    X, y = moons.X_train[:64], moons.y_train[:64]
    net = small_network()
    before = [p.copy() for p in net.parameters()]
    grads = [g for pair in net.gradients(X, y) for g in pair]
    net.fit(X, y, epochs=1, learning_rate=0.3, batch_size=64, shuffle=False, weight_decay=0.1)
    for i, (p0, g, p1) in enumerate(zip(before, grads, net.parameters())):
        decay = 0.1 * p0 if i % 2 == 0 else 0.0  # parameters alternate weights, bias
        np.testing.assert_allclose(p1, p0 - 0.3 * (g + decay), rtol=0, atol=1e-14)


def test_cosine_schedule_steps(moons):
    X, y = moons.X_train[:50], moons.y_train[:50]
    manual = small_network()
    for rate in (0.2, 0.2 * 0.5 * (1 + math.cos(math.pi / 2))):
        grads = [g for pair in manual.gradients(X, y) for g in pair]
        for p, g in zip(manual.parameters(), grads):
            p -= rate * g
    net = small_network()
    net.fit(X, y, epochs=2, learning_rate=0.2, batch_size=50, shuffle=False, schedule="cosine")
    for a, b in zip(manual.parameters(), net.parameters()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)


def test_partial_last_batch_and_shuffling(moons):
    X, y = moons.X_train[:100], moons.y_train[:100]
    runs = {}
    for name, kw in {"a": {"shuffle": True}, "b": {"shuffle": True}, "fixed": {"shuffle": False}}.items():
        net = small_network()
        net.fit(X, y, epochs=3, learning_rate=0.1, batch_size=7, **kw)  # 100 = 14 * 7 + 2
        runs[name] = net.parameters()
    assert all(np.array_equal(p, q) for p, q in zip(runs["a"], runs["b"]))
    assert not np.allclose(runs["a"][0], runs["fixed"][0])


def test_early_stopping_restores_the_best_weights(moons):
    # 30 noisy points and a wide network with Adam: the validation loss soon turns upwards.
    X, y = moons.X_train[:30], moons.y_train[:30]
    net = Network([Dense(2, 64, "relu"), Dense(64, 64, "relu"), Dense(64, 2, "softmax")],
                  loss="cross_entropy", seed=0)
    history = net.fit(X, y, epochs=2000, learning_rate=0.01, batch_size=30, optimizer="adam", eval_every=1,
                      patience=20, validation_data=(moons.X_test, moons.y_test))
    assert history.stopped_early_at is not None and history.stopped_early_at < 2000
    best = int(np.argmin(history.val_loss[1:])) + 1
    assert history.stopped_early_at == history.epoch[best] + 20
    assert net.loss_value(moons.X_test, moons.y_test) == pytest.approx(history.val_loss[best], rel=1e-12)


def test_without_validation_data_patience_watches_the_training_loss_with_tol(moons):
    X, y = moons.X_train[:200], moons.y_train[:200]
    history = small_network().fit(X, y, epochs=500, learning_rate=0.5, batch_size=200, eval_every=1, patience=5,
                                  tol=1e-3)
    stop = history.stopped_early_at
    assert stop is not None and stop < 500
    loss = history.loss  # loss[e]: after epoch e (eval_every=1)
    last_progress = max(e for e in range(1, len(loss)) if loss[e] < min(loss[:e]) - 1e-3)
    assert stop == last_progress + 5 and stop == len(loss) - 1


@pytest.mark.parametrize("batch_size", [1, 32])
def test_float32_end_to_end(moons, batch_size):
    net = seed_network(dtype="float32")
    history = net.fit(moons.X_train, moons.y_train, epochs=2, batch_size=batch_size, optimizer="sgd",
                      engine="numpy", validation_data=(moons.X_test, moons.y_test))
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert net.predict_proba(moons.X_test).dtype == np.float32
    assert np.isfinite(history.loss[-1])


@pytest.mark.parametrize("name,std", [
    ("glorot_uniform", math.sqrt(2 / 500)), ("glorot_normal", math.sqrt(2 / 500)),
    ("he_normal", math.sqrt(2 / 200)), ("he_uniform", math.sqrt(2 / 200)), ("seed", math.sqrt(1 / 300)),
])
def test_initialisers_have_their_variance(name, std):
    W, b = initializers.INITIALIZERS[name](np.random.default_rng(0), 200, 300)
    assert W.shape == (200, 300) and b.shape == (300,)
    assert W.std() == pytest.approx(std, rel=0.02)


@pytest.mark.parametrize("loss,output,n_out", [("cross_entropy", "softmax", 2), ("binary_cross_entropy", "sigmoid", 1)])
def test_cross_entropies_learn_the_moons(moons, loss, output, n_out):
    net = Network([Dense(2, 32, "tanh"), Dense(32, 32, "tanh"), Dense(32, n_out, output)], loss=loss, seed=0)
    net.fit(moons.X_train, moons.y_train, epochs=40, learning_rate=0.01, batch_size=32, optimizer="adam")
    assert net.accuracy(moons.X_test, moons.y_test) >= 0.95


def test_cross_entropy_is_finite_for_confident_mistakes():
    net = Network([Dense(1, 2, "softmax", weights=[[1000.0, -1000.0]], bias=[0.0, 0.0])], loss="cross_entropy")
    loss = net.loss_value(np.array([[1.0]]), np.array([1]))  # softmax output is exactly [1, 0]
    assert loss == pytest.approx(2000.0)
    bce = Network([Dense(1, 1, "sigmoid", weights=[[1000.0]], bias=[0.0])], loss="binary_cross_entropy")
    assert bce.loss_value(np.array([[1.0]]), np.array([0])) == pytest.approx(1000.0)
