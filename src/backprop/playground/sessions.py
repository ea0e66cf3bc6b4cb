"""One playground session per tab: the page's state made into a data set, a network and a running
``Session`` (on a ``Driver`` thread), within the limits; and what the page takes away from it (the
equivalent ``backprop train`` command line, the model file, the data as CSV).

The page's state is a flat dict (``DEFAULT_STATE`` names every key); an uploaded CSV travels in it
as ``{"task": ..., "csv": ...}``, the CSV's exact text deflated and base64url-encoded
(``encode_upload``), so that a link to the page's state reproduces an upload too. The network and its training
are built exactly as ``backprop train`` builds them from the command line ``command`` returns
(``config.from_preset`` then ``Experiment.network_for``), and trained by the same ``Session``, so
the command reproduces the page's run bit for bit (tests/test_playground.py).
"""
from __future__ import annotations

import base64
import binascii
import copy
import csv
import dataclasses
import inspect
import io
import math
import os
import shlex
import tempfile
import zlib

import numpy as np

from .. import activations, config, datasets, gradcheck, losses, optimizers, persistence, schedules, trace
from ..driver import Driver
from ..health import HealthRecorder
from ..run_files import HEALTH_SAMPLES
from ..session import Session

PLAY_SETS = ("moons", "circles", "xor", "spirals", "blobs", "plane", "gaussians")
UPLOAD = "upload"  # the data set name of a table the page uploaded
DATA_FILE = "playground-data.csv"  # what the command line calls the page's edited or uploaded points
LABEL = "label"
DATA_FLAGS = {"n_samples": "--n-samples", "noise": "--noise", "data_seed": "--data-seed",
              "test_size": "--test-size", "centers": "--centers"}
GRADCHECK_SAMPLES = 20  # as ``backprop gradcheck``'s default --samples


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one page may ask for: each refused with a message that says the limit."""

    hidden_layers: int = 6
    width: int = 64
    samples: int = 5000
    upload_bytes: int = 256_000
    sessions: int = 4
    epochs: int = 100_000
    message_bytes: int = 400_000  # one WebSocket message (an upload is the largest)


LIMITS = Limits()

# The seed's experiment (config.PRESETS["seed"]) on the seed's moons, evaluated every epoch for live curves
DEFAULT_STATE = {
    "dataset": "moons", "n_samples": 2000, "noise": 0.2, "data_seed": 100, "test_size": 0.3, "centers": 3,
    "hidden": [25, 50, 25], "activation": "sigmoid", "loss": "mse", "optimizer": "sgd", "learning_rate": 0.01,
    "schedule": "constant", "batch_size": 1, "weight_decay": 0.0, "seed": 0, "epochs": 1000, "shuffle": False,
    "added": [], "removed": [], "upload": None,
}
CHANGEABLE = ("learning_rate", "optimizer", "schedule", "batch_size", "weight_decay", "epochs")  # mid-run


def set_defaults(name: str) -> dict:
    """A playground data set's own defaults by state key: n_samples, noise, data_seed (and centers)."""
    params = inspect.signature(datasets.DATASETS[name]).parameters
    keys = {"seed": "data_seed"}
    return {keys.get(k, k): p.default for k, p in params.items() if keys.get(k, k) in DATA_FLAGS and k != "test_size"}


def _number(state: dict, key: str, kind: type, low: float, high: float) -> None:
    value = state[key]
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if kind is int:
        ok = ok and float(value).is_integer()
    if not ok or not low <= value <= high:
        raise ValueError(f"{key} must be {'an integer' if kind is int else 'a number'} in [{low:g}, {high:g}]. "
                         f"Received: {key}={value!r}")
    state[key] = kind(value)


def _choice(state: dict, key: str, names) -> None:
    if state[key] not in names:
        raise ValueError(f"{key} must be one of {sorted(names)}. Received: {key}={state[key]!r}")


def check_state(raw: object, limits: Limits = LIMITS) -> dict:
    """The page's state, every key checked (missing ones take ``DEFAULT_STATE``'s value).

    Raises ValueError naming the key and the value received, or the limit exceeded."""
    if not isinstance(raw, dict):
        raise ValueError(f"state must be an object. Received: {type(raw).__name__}")
    unknown = sorted(set(raw) - set(DEFAULT_STATE))
    if unknown:
        raise ValueError(f"state takes the keys {sorted(DEFAULT_STATE)}. Received: {unknown[0]!r}")
    state = {**copy.deepcopy(DEFAULT_STATE), **copy.deepcopy(raw)}
    _choice(state, "dataset", (*PLAY_SETS, UPLOAD))
    _number(state, "n_samples", int, 10, limits.samples)
    _number(state, "noise", float, 0, 10)
    _number(state, "data_seed", int, 0, 2**31 - 1)
    _number(state, "test_size", float, 0.05, 0.9)
    _number(state, "centers", int, 2, 5)
    hidden = state["hidden"]
    if not isinstance(hidden, list) or len(hidden) > limits.hidden_layers:
        raise ValueError(f"hidden must list at most {limits.hidden_layers} layer widths. Received: hidden={hidden!r}")
    if any(isinstance(w, bool) or not isinstance(w, int) or not 1 <= w <= limits.width for w in hidden):
        raise ValueError(f"hidden layers hold 1 to {limits.width} neurons each. Received: hidden={hidden!r}")
    _choice(state, "activation", activations.ACTIVATIONS)
    _choice(state, "loss", losses.LOSSES)
    _choice(state, "optimizer", optimizers.OPTIMIZERS)
    _choice(state, "schedule", schedules.SCHEDULES)
    _number(state, "learning_rate", float, 1e-6, 10)
    _number(state, "batch_size", int, 1, limits.samples)
    _number(state, "weight_decay", float, 0, 10)
    _number(state, "seed", int, 0, 2**31 - 1)
    _number(state, "epochs", int, 1, limits.epochs)
    if not isinstance(state["shuffle"], bool):
        raise ValueError(f"shuffle must be true or false. Received: shuffle={state['shuffle']!r}")
    _check_edits(state, limits)
    _check_upload(state, limits)
    return state


def _check_upload(state: dict, limits: Limits) -> None:
    """An upload belongs to dataset "upload" only (another set drops it, so a link stays short)."""
    upload = state["upload"]
    if state["dataset"] != UPLOAD:
        state["upload"] = None
        return
    if upload is None:
        raise ValueError("dataset 'upload' needs its CSV: upload it (a link made before this version did not "
                         "carry it)")
    if not (isinstance(upload, dict) and set(upload) == {"task", "csv"} and isinstance(upload["csv"], str)
            and len(upload["csv"]) <= limits.message_bytes):
        raise ValueError(f"upload must be null or {{\"task\": ..., \"csv\": its CSV deflated, in base64url}}. "
                         f"Received: {str(upload)[:80]!r}")
    check_task(upload["task"])


def check_task(task: object) -> str:
    """``task`` when it is "classification" or "regression"; ValueError otherwise."""
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression'. Received: task={task!r}")
    return task


def encode_upload(text: str) -> str:
    """A CSV's exact text made short and URL-safe for the state (and so a link): deflated, then
    base64url without padding (CSV digits deflate to about half; base64 adds a third back)."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).rstrip(b"=").decode()


def decode_upload(blob: str, limits: Limits = LIMITS) -> str:
    """``encode_upload``'s inverse; ValueError for what is not one, or that inflates past the upload
    limit (a small link must not make megabytes of CSV)."""
    try:
        packed = base64.b64decode(blob + "=" * (-len(blob) % 4), altchars=b"-_", validate=True)
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, limits.upload_bytes + 1)
        if len(raw) > limits.upload_bytes:
            raise ValueError(f"the upload is over {limits.upload_bytes:,} bytes: the playground takes at most "
                             f"{limits.upload_bytes:,}")
        if not inflater.eof:
            raise zlib.error("it ends early")
        return raw.decode()
    except (binascii.Error, zlib.error, UnicodeDecodeError) as err:
        raise ValueError(f"the state's upload is not a deflated, base64url CSV ({err})") from None


def _check_edits(state: dict, limits: Limits) -> None:
    added, removed = state["added"], state["removed"]
    if not isinstance(added, list) or len(added) > limits.samples:
        raise ValueError(f"added must list at most {limits.samples} points [x, y, label]. Received: {len(added)!r}")
    for point in added:
        if not (isinstance(point, list) and len(point) == 3 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in point)):
            raise ValueError(f"an added point is [x, y, label] in numbers. Received: {point!r}")
    if not isinstance(removed, list) or any(isinstance(i, bool) or not isinstance(i, int) or i < 0 for i in removed):
        raise ValueError(f"removed must list point indices (integers >= 0). Received: removed={removed!r}")


def upload_points(text: object, task: str, limits: Limits = LIMITS) -> tuple[np.ndarray, list]:
    """A CSV the page uploaded (a header row, two feature columns, then the label or value): its
    points X (n, 2) and labels, read by ``datasets.from_csv`` itself. ValueError says what is wrong."""
    if not isinstance(text, str):
        raise ValueError(f"csv must be text. Received: {type(text).__name__}")
    if len(text.encode()) > limits.upload_bytes:
        raise ValueError(f"the upload is {len(text.encode()):,} bytes: the playground takes at most "
                         f"{limits.upload_bytes:,}")
    header = next(iter(text.splitlines()), "").split(",")
    if len(header) != 3:
        raise ValueError(f"the CSV needs 3 columns (two features, then the label). Received a header of "
                         f"{len(header)}: {','.join(header)[:80]!r}")
    data = _read_csv(text, header[2].strip(), task, 0.3)
    if len(data.X) > limits.samples:
        raise ValueError(f"the upload has {len(data.X):,} rows: the playground takes at most {limits.samples:,}")
    return data.X, np.asarray(data.labels(data.y)).tolist()


def _read_csv(text: str, target: str, task: str, test_size: float) -> datasets.Dataset:
    """``datasets.from_csv`` on ``text`` (written to a temporary file that is removed after)."""
    handle, path = tempfile.mkstemp(suffix=".csv", prefix="backprop-playground-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        return datasets.from_csv(path, target, task=task, test_size=test_size)
    finally:
        os.unlink(path)


def task_of(state: dict) -> str:
    """The state's task: a named set knows its own; an upload says it."""
    if state["dataset"] == UPLOAD:
        return state["upload"]["task"]
    return "regression" if state["dataset"] in datasets.REGRESSION_SETS else "classification"


def read_upload(state: dict, limits: Limits = LIMITS) -> tuple[np.ndarray, list, str] | None:
    """The state's upload as (X (n, 2), labels, task), read from its CSV (None for a named set)."""
    if state["upload"] is None:
        return None
    task = state["upload"]["task"]
    return (*upload_points(decode_upload(state["upload"]["csv"], limits), task, limits), task)


def make_data(state: dict, upload: tuple | None = None, limits: Limits = LIMITS) -> tuple[datasets.Dataset, str | None]:
    """The data set the state describes (upload: ``read_upload``'s of it), and its CSV text when it is
    not a named set as made (points added or removed, or an upload): then it is read back with
    ``datasets.from_csv``, as ``backprop train --data`` reads it, so that both split it alike."""
    if state["dataset"] == UPLOAD:
        if upload is None:
            raise ValueError("dataset 'upload' needs a CSV uploaded first")
        X, labels, task = upload
    else:
        args = {k: state[k] for k in set_defaults(state["dataset"])}
        base = datasets.DATASETS[state["dataset"]](**{"seed" if k == "data_seed" else k: v for k, v in args.items()},
                                                   test_size=state["test_size"])
        if not state["added"] and not state["removed"]:
            return base, None
        X, labels, task = base.X, np.asarray(base.labels(base.y)).tolist(), base.task
    if any(i >= len(X) for i in state["removed"]):
        raise ValueError(f"removed holds point indices below {len(X)}. Received: {max(state['removed'])}")
    keep = np.setdiff1d(np.arange(len(X)), np.array(state["removed"], dtype=np.intp))
    points = [(float(X[i, 0]), float(X[i, 1]), labels[i]) for i in keep]
    points += [(float(x1), float(x2), label if task == "regression" else int(label))
               for x1, x2, label in state["added"]]
    if len(points) > limits.samples:
        raise ValueError(f"{len(points):,} points: the playground takes at most {limits.samples:,}")
    out = io.StringIO()  # csv quotes a label that holds a comma; str() of a float reads back exactly
    csv.writer(out, lineterminator="\n").writerows([("x1", "x2", LABEL), *points])
    text = out.getvalue()
    return _read_csv(text, LABEL, task, state["test_size"]), text


def check_loss_fits(state: dict, data: datasets.Dataset) -> None:
    """ValueError saying what to change on the page when binary cross-entropy (one sigmoid output)
    meets more than 2 classes: the library's "y must hold labels 0..1" names no control to change."""
    if state["loss"] != "binary_cross_entropy" or data.task != "classification" or data.n_outputs <= 2:
        return
    if state["dataset"] == UPLOAD:
        name, fix = "the uploaded table", "cross_entropy"
    else:
        # blobs' class count is a control on the page ("classes"); other sets' is fixed
        name, fix = state["dataset"], "cross_entropy" + (" or 2 classes" if "centers" in set_defaults(
            state["dataset"]) else "")
    raise ValueError(f"binary cross-entropy needs 2 classes; {name} has {data.n_outputs}: choose {fix}")


def experiment_for(state: dict, task: str) -> config.Experiment:
    """The ``Experiment`` that ``backprop train`` builds from ``command``'s options."""
    options = {k: state[k] for k in ("activation", "loss", "seed", "epochs", "learning_rate", "batch_size",
                                     "optimizer", "weight_decay", "schedule", "shuffle")}
    if state["dataset"] in datasets.DATASETS:
        options["dataset"] = state["dataset"]
    return config.from_preset("seed", hidden=tuple(state["hidden"]), task=task, eval_every=1, **options)


def command(state: dict, task: str) -> str:
    """The ``backprop train`` command line that trains what the page trains, seed included."""
    parts = ["backprop", "train"]
    if state["dataset"] in datasets.DATASETS and not state["added"] and not state["removed"]:
        parts += ["--dataset", state["dataset"]]
        defaults = {**set_defaults(state["dataset"]), "test_size": 0.3}
        parts += [arg for key, default in defaults.items() if state[key] != default
                  for arg in (DATA_FLAGS[key], repr(state[key]))]
    else:
        # the page trains on the points as drawn (the plane its maps show), where a table is
        # standardised by default
        parts += ["--data", DATA_FILE, "--target", LABEL, "--task", task, "--no-standardize"]
        if state["test_size"] != 0.3:
            parts += ["--test-size", repr(state["test_size"])]
    parts += ["--hidden", ",".join(map(str, state["hidden"])), "--activation", state["activation"],
              "--loss", state["loss"], "--optimizer", state["optimizer"], "--lr", repr(state["learning_rate"]),
              "--schedule", state["schedule"], "--batch-size", str(state["batch_size"]),
              "--weight-decay", repr(state["weight_decay"]), "--epochs", str(state["epochs"]), "--eval-every", "1",
              "--shuffle" if state["shuffle"] else "--no-shuffle", "--seed", str(state["seed"])]
    return shlex.join(parts)


class PlaygroundSession:
    """A tab's run: ``state`` (``check_state``'s) made into data, a network and a ``Driver``.

    upload: (X (n, 2), labels, task) of the state's uploaded CSV, or None. Building selects (and
    maybe compiles) the engine: seconds on a first run, so callers build off the event loop.
    """

    def __init__(self, state: dict, limits: Limits = LIMITS):
        self.state, self.upload = state, read_upload(state, limits)
        self.task = task_of(state)
        self.data, self.csv = make_data(state, self.upload, limits)
        check_loss_fits(state, self.data)
        self.experiment = experiment_for(state, self.task)
        net = self.experiment.network_for(self.data)
        if self.data.spec.get("name") == "csv":  # the model file names the file the command line reads
            self.data = dataclasses.replace(self.data, spec={**self.data.spec, "path": DATA_FILE})
        self.viewer = copy.deepcopy(net)  # the views' own copy: given each snapshot's parameters
        health = HealthRecorder(net, self.data.X_train[:HEALTH_SAMPLES],
                                self.data.labels(self.data.y_train[:HEALTH_SAMPLES]))
        self.session = Session(net, self.data.X_train, self.data.labels(self.data.y_train), self.experiment.fit,
                               (self.data.X_test, self.data.labels(self.data.y_test)), callbacks=[health])
        chunk = max(1000 // state["batch_size"], 1) * state["batch_size"]  # ~1000 samples: a few ms per step
        # a snapshot copies the history (it grows with every epoch): no more of them than frames sent
        self.driver = Driver(self.session, chunk=chunk, publish_hz=20)

    @property
    def command(self) -> str:
        """The equivalent ``backprop train`` command line (see ``command``)."""
        return command(self.state, self.task)

    def base_points(self) -> np.ndarray:
        """The points of the set as made or uploaded, before any edit (n, 2): what "removed" indexes."""
        if self.upload is not None:
            return np.asarray(self.upload[0])
        return make_data({**self.state, "added": [], "removed": []})[0].X

    def change(self, fields: dict) -> dict:
        """Change training fields mid-run (``CHANGEABLE``): checked as a state, applied between
        steps; returns the new state. ValueError for another field or a bad value."""
        if not isinstance(fields, dict) or not fields or set(fields) - set(CHANGEABLE):
            raise ValueError(f"change takes some of {list(CHANGEABLE)}. Received: {fields!r}")
        state = check_state({**self.state, **fields})
        self.driver.call(lambda s: s.change(**{k: state[k] for k in fields}))
        self.state = state
        return state

    def model_bytes(self) -> bytes:
        """The network as it is now, as ``backprop.save`` writes it (with its data set's spec).
        Raises DriverClosed when the run was closed (reset, tab gone) before it could be read."""
        return self.driver.call(lambda s: persistence.to_bytes(s.net, self.data.spec))

    def trace(self, index: int) -> dict:
        """``backprop.trace`` of point ``index`` (training points first, then test) at the current
        weights and learning rate. ValueError for an index out of range."""
        data = self.data
        n_train = len(data.X_train)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n_train + len(data.X_test):
            raise ValueError(f"index must be in [0, {n_train + len(data.X_test) - 1}]. Received: index={index!r}")
        X, y, i = (data.X_train, data.y_train, index) if index < n_train else \
            (data.X_test, data.y_test, index - n_train)
        x, label = X[i], data.labels(y[i:i + 1])[0]  # as backprop trace: the label as the network names it
        return self.driver.call(lambda s: trace.trace(s.net, x, label, s.config.learning_rate))

    def gradcheck(self) -> gradcheck.GradCheck:
        """``backprop gradcheck`` of the current network on the first training samples."""
        n = min(GRADCHECK_SAMPLES, len(self.data.X_train))
        X, y = self.data.X_train[:n], self.data.labels(self.data.y_train[:n])  # as backprop gradcheck
        return self.driver.call(lambda s: gradcheck.gradcheck(s.net, X, y))

    def close(self) -> None:
        """Stop training (the tab closed or rebuilt its run)."""
        self.driver.close()
