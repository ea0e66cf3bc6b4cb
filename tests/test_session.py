"""The stepped training session and its driver thread: stepping in pieces trains exactly what fit trains."""
import dataclasses
import threading

import numpy as np
import pytest

from backprop import Dense, DivergenceError, FitConfig, Network, training
from backprop.driver import Driver, DriverClosed
from backprop.session import Session

from .conftest import seed_network

CONFIGS = [  # (engine, batch_size, optimizer, shuffle): per-sample loops and mini-batch kernels, both engines
    ("numba", 1, "sgd", True),
    ("numba", 16, "adam", True),
    ("numpy", 1, "sgd", True),
    ("numpy", 8, "momentum", False),
]


def small_data(moons, n=300):
    return moons.X_train[:n], moons.y_train[:n], (moons.X_test[:100], moons.y_test[:100])


def params(net):
    return [p.copy() for p in net.parameters()]


def assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("engine, batch, optimizer, shuffle", CONFIGS)
@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_stepping_in_chunks_trains_what_fit_trains(moons, engine, batch, optimizer, shuffle, chunk):
    X, y, val = small_data(moons)
    config = FitConfig(epochs=3, learning_rate=0.05, batch_size=batch, optimizer=optimizer, shuffle=shuffle,
                       engine=engine, eval_every=1)
    whole = seed_network(seed=3)
    fitted = training.fit(whole, X, y, config, val)
    stepped = seed_network(seed=3)
    session = Session(stepped, X, y, config, val)
    completed = []
    while not session.done:
        progress = session.step(chunk)
        assert session.position % batch == 0 or session.position == 0
        if progress is not None:
            completed.append(progress.epoch)
    history = session.finish()
    assert completed == [1, 2, 3]
    assert_same(params(stepped), params(whole))
    assert history.loss == fitted.loss and history.val_accuracy == fitted.val_accuracy
    assert session.samples == 3 * len(X)


def test_a_change_mid_run_trains_what_a_continued_fit_trains(moons):
    X, y, val = small_data(moons)
    config = FitConfig(epochs=4, learning_rate=0.01, eval_every=1)
    session = Session(seed_network(seed=1), X, y, config, val)
    session.step_epoch(), session.step_epoch()
    session.change(learning_rate=0.5)
    session.run()
    # the other way to the same run: two epochs, then fit continued from its state at the new rate
    other = seed_network(seed=1)
    first = Session(other, X, y, dataclasses.replace(config, epochs=2), val)
    first.run()
    training.fit(other, X, y, dataclasses.replace(config, learning_rate=0.5), val, state=first.state)
    assert_same(params(session.net), params(other))
    unchanged = seed_network(seed=1)
    training.fit(unchanged, X, y, config, val)
    assert not np.array_equal(unchanged.parameters()[0], session.net.parameters()[0])


def test_a_change_mid_epoch_applies_to_the_rest_of_it(moons):
    X, y, val = small_data(moons)
    session = Session(seed_network(seed=1), X, y, FitConfig(epochs=2, learning_rate=0.01), val)
    session.step(100)
    session.change(learning_rate=0.2)
    assert session.state.optimizer.learning_rate == 0.2
    session.step_epoch()
    assert session.epoch == 1 and session.state.optimizer.learning_rate == 0.2


def test_a_new_optimizer_starts_fresh_and_a_new_batch_size_takes_another_engine(moons):
    X, y, val = small_data(moons)
    session = Session(seed_network(seed=2), X, y, FitConfig(epochs=3, engine="numpy"), val)
    session.step_epoch()
    session.change(optimizer="adam", batch_size=10, learning_rate=0.01)
    assert session.state.optimizer.__class__.__name__ == "Adam" and session.state.optimizer.t == 0
    assert session.engine.name == "numpy"
    session.step_epoch()
    assert session.state.optimizer.t == len(X) // 10
    assert session.net.training_config is None
    session.run()
    assert session.net.training_config["optimizer"] == "adam" and len(session.history) == 2


@pytest.mark.parametrize("fields, match", [
    ({"learning_rate": -1}, "learning_rate"),
    ({"optimizer": "sgdd"}, "optimizer"),
    ({"momentum": 0.9}, "momentum"),
    ({"standardize": True}, "standardize"),
    ({"batch_size": 10_000}, "batch_size"),
])
def test_a_bad_change_is_refused_and_changes_nothing(moons, fields, match):
    X, y, val = small_data(moons)
    session = Session(seed_network(), X, y, FitConfig(epochs=2), val)
    before = session.config
    with pytest.raises(ValueError, match=match):
        session.change(**fields)
    assert session.config is before


def test_a_change_whose_engine_cannot_be_selected_leaves_the_optimizer_as_it_was(moons, monkeypatch):
    # the optimizer was replaced before the engine was selected: a failed selection left adam's fresh
    # state training under config "sgd"
    from backprop import engines

    X, y, val = small_data(moons)
    session = Session(seed_network(), X, y, FitConfig(epochs=2), val)
    optimizer, engine = session.state.optimizer, session.engine

    def refuse(*args):
        raise ValueError("engine='numba' needs Numba")

    monkeypatch.setattr(engines, "select", refuse)
    with pytest.raises(ValueError, match="Numba"):
        session.change(optimizer="adam")
    assert session.state.optimizer is optimizer and session.engine is engine and session.config.optimizer == "sgd"



def _run_out(session):
    while not session.done:
        session.step_epoch()
    return session.epoch


def test_early_stopping_changed_mid_run_takes_effect(moons):
    # patience and tol were accepted by change but the watcher was built once, at the start: no effect
    X, y, val = small_data(moons)
    session = Session(seed_network(), X, y, FitConfig(epochs=20, eval_every=1), val)
    session.step_epoch(), session.step_epoch()
    session.change(patience=1, tol=1e9)  # no fall counts as progress: it stops one epoch after its first
    assert _run_out(session) == 4 and session.history.stopped_early_at == 4


def test_a_new_patience_keeps_the_watchers_record_and_none_turns_it_off(moons):
    X, y, val = small_data(moons)
    session = Session(seed_network(), X, y, FitConfig(epochs=6, eval_every=1, patience=3), val)
    session.step_epoch(), session.step_epoch()
    watcher = session.state.early_stopping
    session.change(patience=50)
    kept = session.state.early_stopping
    assert (kept.patience, kept.best, kept.best_epoch, kept.best_params) == \
        (50, watcher.best, watcher.best_epoch, watcher.best_params)
    session.change(patience=None)
    assert session.state.early_stopping is None
    stopping = Session(seed_network(), X, y, FitConfig(epochs=6, eval_every=1, patience=1, tol=1e9), val)
    stopping.step_epoch()
    stopping.change(patience=None)
    assert _run_out(stopping) == 6 and stopping.history.stopped_early_at is None


def test_a_run_stopped_early_goes_on_under_a_longer_patience(moons):
    X, y, val = small_data(moons)
    session = Session(seed_network(), X, y, FitConfig(epochs=6, eval_every=1, patience=1, tol=1e9), val)
    assert _run_out(session) == 2 and session.history.stopped_early_at == 2
    session.change(patience=3)
    assert not session.done and session.history.stopped_early_at is None
    assert _run_out(session) == 4 and session.history.stopped_early_at == 4


def test_a_change_to_the_engines_fields_as_they_are_selects_no_engine(moons, monkeypatch):
    # naming an engine field with its current value (the page sends what its form holds) compiled or
    # loaded the engine again
    from backprop import engines

    X, y, val = small_data(moons)
    session = Session(seed_network(), X, y, FitConfig(epochs=2, batch_size=4, optimizer="adam"), val)
    session.step_epoch()
    engine, optimizer, select = session.engine, session.state.optimizer, engines.select
    selected = []
    monkeypatch.setattr(engines, "select", lambda *args: selected.append(args) or select(*args))
    session.change(batch_size=4, optimizer="adam", weight_decay=0.0, engine="auto", learning_rate=0.02)
    assert selected == [] and session.engine is engine and session.state.optimizer is optimizer
    session.change(batch_size=8)
    assert len(selected) == 1 and session.config.batch_size == 8

@pytest.mark.parametrize("samples", [0, -1, 2.5, True, "3"])
def test_step_takes_a_positive_number_of_samples(moons, samples):
    X, y, val = small_data(moons)
    session = Session(seed_network(), X, y, FitConfig(epochs=1), val)
    with pytest.raises(ValueError, match="samples"):
        session.step(samples)


def test_a_done_session_does_not_step(moons):
    X, y, val = small_data(moons)
    session = Session(seed_network(), X, y, FitConfig(epochs=1), val)
    session.run()
    with pytest.raises(RuntimeError, match="done"):
        session.step_epoch()


def test_a_snapshot_is_a_copy(moons):
    X, y, val = small_data(moons)
    session = Session(seed_network(), X, y, FitConfig(epochs=2, eval_every=1), val)
    session.step(50)
    snap = session.snapshot()
    session.step_epoch()
    assert (snap.epoch, snap.position, snap.samples, len(snap.history)) == (0, 50, 50, 1)
    assert not np.array_equal(snap.params[0], session.net.parameters()[0])
    assert len(session.history) == 2


def test_callbacks_see_every_epoch(moons):
    X, y, val = small_data(moons)
    seen = []
    session = Session(seed_network(), X, y, FitConfig(epochs=3, eval_every=2), val,
                      callbacks=lambda p: seen.append((p.epoch, p.record is not None)))
    session.run()
    assert seen == [(1, False), (2, True), (3, True)]


def test_a_driver_played_to_the_end_trains_what_fit_trains(moons):
    X, y, val = small_data(moons)
    config = FitConfig(epochs=5, learning_rate=0.05, eval_every=1)
    fitted = seed_network(seed=4)
    training.fit(fitted, X, y, config, val)
    with Driver(Session(seed_network(seed=4), X, y, config, val), chunk=33) as driver:
        driver.play()
        final = _wait(lambda: driver.latest().done and driver.latest())
        assert not driver.playing and driver.error is None
    assert final.epoch == 5 and len(final.history) == 6
    assert_same(final.params, params(fitted))
    assert driver.samples_per_second > 0


def test_a_paused_driver_trains_nothing_until_told(moons):
    X, y, val = small_data(moons)
    with Driver(Session(seed_network(), X, y, FitConfig(epochs=10_000), val)) as driver:
        driver.play()
        _wait(lambda: driver.latest().epoch >= 2)
        driver.pause().result(timeout=10)
        epoch = driver.session.epoch
        assert driver.submit(lambda s: s.epoch).result(timeout=10) == epoch
        assert driver.step_epoch().result(timeout=10).epoch == epoch + 1
        assert driver.step_samples(5).result(timeout=10) is None
        assert driver.latest().position == 5 and driver.latest().epoch == epoch + 1


def test_commands_run_between_steps_on_the_training_thread(moons):
    X, y, val = small_data(moons)
    with Driver(Session(seed_network(), X, y, FitConfig(epochs=10_000), val), chunk=10) as driver:
        driver.play()
        where = driver.submit(lambda s: (threading.current_thread().name, s.position % 10)).result(timeout=10)
        assert where == ("backprop-driver", 0)
        driver.submit(lambda s: s.change(learning_rate=0.3)).result(timeout=10)
        assert driver.playing
        failed = driver.submit(lambda s: s.change(learning_rate=-1))
        with pytest.raises(ValueError, match="learning_rate"):
            failed.result(timeout=10)
        assert driver.session.config.learning_rate == 0.3


def test_a_diverging_run_stops_the_driver_with_its_error(moons):
    X, y, val = small_data(moons)
    net = Network([Dense(2, 8, "relu"), Dense(8, 2, "identity")], loss="mse", seed=0)
    with Driver(Session(net, X * 1e150, y, FitConfig(epochs=50, learning_rate=1.0), val)) as driver:
        driver.play()
        _wait(lambda: driver.error is not None)
        assert isinstance(driver.error, DivergenceError) and not driver.playing


def test_a_closed_driver_takes_no_commands(moons):
    X, y, val = small_data(moons)
    driver = Driver(Session(seed_network(), X, y, FitConfig(epochs=2), val))
    driver.close()
    with pytest.raises(RuntimeError, match="closed"):
        driver.submit(lambda s: None)



def test_a_command_submitted_as_the_driver_closes_is_resolved_not_lost(moons):
    # submit checked "closed" and then queued: a close() in between (a tab reset) ended the thread, and the
    # Future queued after its last drain was never resolved, so a download waiting on it hung for ever.
    # The interleaving is forced: the queue's put (after submit's check) closes the driver first.
    X, y, val = small_data(moons)
    driver = Driver(Session(seed_network(), X, y, FitConfig(epochs=2), val))
    commands = driver._commands

    class ClosingFirst:
        def put(self, item):
            if item is not None:  # submit's command, not close's wake-up
                driver.close()  # the thread drains the queue and ends before the command lands
                assert not driver._thread.is_alive()
            commands.put(item)

        def __getattr__(self, name):
            return getattr(commands, name)

    driver._commands = ClosingFirst()
    try:
        future = driver.submit(lambda s: "ran")
    except DriverClosed:
        return  # refused: nothing left waiting
    assert future.done(), "a Future nobody will resolve"
    assert future.cancelled() or future.result() == "ran"


def test_a_call_cut_off_by_close_raises_driver_closed(moons):
    # a command queued behind a busy step and cancelled by close(): the caller hears DriverClosed (the
    # server answers a download 409 with it), not a bare CancelledError
    X, y, val = small_data(moons)
    driver = Driver(Session(seed_network(), X, y, FitConfig(epochs=2), val))
    busy, release = threading.Event(), threading.Event()
    driver.submit(lambda s: (busy.set(), release.wait(10)))
    assert busy.wait(10)
    raised = []

    def download():
        try:
            driver.call(lambda s: "ran")
        except Exception as err:
            raised.append(err)

    caller = threading.Thread(target=download)
    caller.start()
    _wait(lambda: raised or not driver._commands.empty())  # its command is queued behind the busy one
    driver.close(timeout=0)
    release.set()
    caller.join(10)
    assert len(raised) == 1 and isinstance(raised[0], DriverClosed) and "closed" in str(raised[0])
    with pytest.raises(DriverClosed, match="closed"):
        driver.call(lambda s: None)

def _wait(condition, timeout=60.0):
    """Poll ``condition`` until it returns something truthy (and return it); fail after ``timeout``."""
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.005)
    raise AssertionError("timed out waiting")
