"""Checkpoints: training continues bit for bit, whatever stopped it (a crash, a signal)."""
import os
import signal

import numpy as np
import pytest

from backprop import Dense, ModelFileError, Network, checkpoints, engines, optimizers, save, schedules
from backprop.training import Progress

ENGINES = ["numpy"] + (["numba"] if engines.numba_available() else [])


def make_net(loss="mse", dtype="float64"):
    out = Dense(6, 2, "softmax") if loss == "cross_entropy" else Dense(6, 2, "sigmoid")
    return Network([Dense(2, 8, "tanh"), Dense(8, 6, "relu"), out], loss=loss, seed=3, dtype=dtype)


@pytest.fixture(scope="module")
def data(moons_small):
    return moons_small


@pytest.fixture(scope="module")
def moons_small():
    from backprop import datasets

    d = datasets.moons(n_samples=300)
    return d.X_train, d.y_train, (d.X_test, d.y_test)


class CrashAt:
    """A callback that fails like a crashed process after ``epoch``."""

    def __init__(self, epoch):
        self.epoch = epoch

    def __call__(self, progress: Progress):
        if progress.epoch == self.epoch:
            raise RuntimeError("simulated crash")


def model_bytes(net, tmp_path, name):
    return save(net, tmp_path / f"{name}.safetensors").read_bytes()


def train_crash_resume(tmp_path, data, epochs=7, every=2, crash=5, make=make_net, **options):
    """(uninterrupted net and history, resumed net and history): crash after ``crash`` epochs, resume."""
    X, y, validation = data
    whole = make()
    whole_history = whole.fit(X, y, epochs=epochs, eval_every=2, validation_data=validation, **options)
    path = tmp_path / "ckpt.safetensors"
    crashed = make()
    with pytest.raises(RuntimeError, match="simulated crash"):
        crashed.fit(X, y, epochs=epochs, eval_every=2, validation_data=validation,
                    callback=[checkpoints.Checkpoint(path, every=every), CrashAt(crash)], **options)
    resumed, history = checkpoints.resume(path, X, y, validation_data=validation)
    return whole, whole_history, resumed, history


def assert_same_run(tmp_path, whole, whole_history, resumed, history):
    assert model_bytes(whole, tmp_path, "whole") == model_bytes(resumed, tmp_path, "resumed")
    assert history.rows() == whole_history.rows()
    assert not np.array_equal(whole.parameters()[0], make_net().parameters()[0])  # it did train


@pytest.mark.parametrize("optimizer", sorted(optimizers.OPTIMIZERS))
def test_resume_is_exact_for_every_optimizer(tmp_path, data, optimizer):
    assert_same_run(tmp_path, *train_crash_resume(tmp_path, data, optimizer=optimizer, batch_size=16,
                                                  learning_rate=0.01))


@pytest.mark.parametrize("schedule", sorted(schedules.SCHEDULES))
def test_resume_is_exact_for_every_schedule(tmp_path, data, schedule):
    assert_same_run(tmp_path, *train_crash_resume(tmp_path, data, schedule=schedule, batch_size=8,
                                                  learning_rate=0.1, optimizer="momentum"))


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("engine", ENGINES)
def test_resume_is_exact_for_every_engine_and_shuffling(tmp_path, data, engine, shuffle):
    assert_same_run(tmp_path, *train_crash_resume(tmp_path, data, engine=engine, shuffle=shuffle, batch_size=1,
                                                  learning_rate=0.05))


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov", "rmsprop", "adam"])
def test_resume_is_exact_for_per_sample_optimizers(tmp_path, data, optimizer):
    """The fused per-sample loop updates the optimizer's own state arrays (and Adam's step count),
    which the checkpoint keeps."""
    from backprop.training import FitConfig

    if engines.numba_available():
        assert engines.select("auto", make_net(), FitConfig(optimizer=optimizer, batch_size=1)).name == \
            "numba-per-sample"
    assert_same_run(tmp_path, *train_crash_resume(tmp_path, data, optimizer=optimizer, batch_size=1,
                                                  learning_rate=0.05))


def test_resume_is_exact_with_adam_cross_entropy_weight_decay_and_float32(tmp_path, data):
    def make():
        return make_net("cross_entropy", "float32")

    whole, whole_history, resumed, history = train_crash_resume(
        tmp_path, data, make=make, optimizer="adam", weight_decay=1e-3, batch_size=32, schedule="cosine")
    assert model_bytes(whole, tmp_path, "whole") == model_bytes(resumed, tmp_path, "resumed")
    assert history.rows() == whole_history.rows()


def test_resume_is_exact_with_early_stopping(tmp_path, data):
    whole, whole_history, resumed, history = train_crash_resume(
        tmp_path, data, epochs=60, every=3, crash=10, patience=5, batch_size=4, learning_rate=0.1,
        optimizer="adam")
    assert whole_history.stopped_early_at == 16 == history.stopped_early_at  # after the crash at 10
    assert_same_run(tmp_path, whole, whole_history, resumed, history)


def test_a_signal_stops_fit_after_the_epoch_and_keeps_the_weights(tmp_path, data):
    X, y, validation = data

    def interrupt_at_3(progress):
        if progress.epoch == 3:
            os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C would, in the middle of training

    path = tmp_path / "ckpt.safetensors"
    net = make_net()
    history = net.fit(X, y, epochs=9, batch_size=8, optimizer="adam", eval_every=2, validation_data=validation,
                      callback=[interrupt_at_3, checkpoints.Checkpoint(path)])
    assert (history.interrupted_at, history.interrupted_by) == (4, "SIGINT")  # the handler ran during epoch 4
    assert history.epoch == [0, 2, 4]
    saved, state = checkpoints.load(path)  # written on the interruption although every=None
    assert state.epoch == 4
    for a, b in zip(saved.parameters(), net.parameters()):
        np.testing.assert_array_equal(a, b)
    resumed, resumed_history = checkpoints.resume(path, X, y, validation_data=validation)
    whole = make_net()
    whole_history = whole.fit(X, y, epochs=9, batch_size=8, optimizer="adam", eval_every=2,
                              validation_data=validation)
    assert model_bytes(whole, tmp_path, "a") == model_bytes(resumed, tmp_path, "b")
    assert resumed_history.rows() == whole_history.rows() and resumed_history.interrupted_at is None


def test_a_second_signal_interrupts_at_once(data):
    X, y, _ = data

    def double_interrupt(progress):
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        make_net().fit(X, y, epochs=5, batch_size=8, callback=double_interrupt)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # fit put the handler back


def test_checkpoint_state_round_trips(tmp_path, data):
    X, y, _ = data
    path = tmp_path / "c.safetensors"
    live = {}
    net = make_net()
    net.fit(X, y, epochs=2, batch_size=16, optimizer="adam",
            callback=[checkpoints.Checkpoint(path, every=2), lambda p: live.update(state=p.state)])
    loaded, state = checkpoints.load(path)
    assert state.epoch == 2 and state.optimizer.t == live["state"].optimizer.t == 2 * -(-len(X) // 16)
    for name in ("ms", "vs"):
        assert len(getattr(state.optimizer, name)) == 6
        for saved, original in zip(getattr(state.optimizer, name), getattr(live["state"].optimizer, name)):
            np.testing.assert_array_equal(saved, original)
    np.testing.assert_equal(state.history.rows(), live["state"].history.rows())  # NaN == NaN here
    assert loaded.rng.bit_generator.state == net.rng.bit_generator.state


def test_a_model_file_is_not_a_checkpoint(tmp_path):
    path = save(make_net(), tmp_path / "m.safetensors")
    with pytest.raises(ModelFileError, match="is a model file, not a checkpoint"):
        checkpoints.load(path)


def test_a_checkpoint_from_a_newer_version_is_refused(tmp_path, data):
    import json

    from safetensors.numpy import save_file

    from backprop import persistence

    X, y, _ = data
    path = tmp_path / "c.safetensors"
    make_net().fit(X, y, epochs=1, batch_size=16, callback=checkpoints.Checkpoint(path, every=1))
    metadata, tensors = persistence.read_safetensors(path)
    document = json.loads(metadata[checkpoints.CHECKPOINT_KEY])
    document["checkpoint_version"] = 2
    save_file(tensors, str(path), metadata={**metadata, checkpoints.CHECKPOINT_KEY: json.dumps(document)})
    with pytest.raises(ModelFileError, match="checkpoint_version 2, written by a newer backprop; this build reads "
                                             "checkpoint_version 1"):
        checkpoints.load(path)


def test_resume_is_exact_with_standardisation_original_labels_and_training_loss_stopping(tmp_path, data):
    X, y, (X_val, y_val) = data
    names = np.array(["west", "east"])

    def make():
        net = make_net("cross_entropy")
        net.classes = ("west", "east")
        return net

    labelled = (X * 40 + 7, names[y], (X_val * 40 + 7, names[y_val]))
    whole, whole_history, resumed, history = train_crash_resume(
        tmp_path, labelled, epochs=9, make=make, standardize=True, batch_size=16, optimizer="adam", patience=50,
        tol=1e-4)
    assert_same_run(tmp_path, whole, whole_history, resumed, history)
    assert resumed.classes == ("west", "east") and resumed.standardization is not None
