"""The playground's server: one page, its WebSocket, the model and data downloads (Starlette), run
by uvicorn.

Each WebSocket connection (a tab) owns one ``PlaygroundSession``; its training runs on the
session's ``Driver`` thread, never on the event loop. A sender task per connection sends the newest
snapshot ``fps`` times a second (each frame computed in a worker thread), so the frame rate does
not depend on training speed, and it sends nothing while nothing changed. Closing the tab closes
the session and stops its training.

Protection: the page's host must be one of ``allowed_hosts`` (loopback names by default: a DNS
rebinding page cannot pass), the WebSocket's Origin must be that same page, and ``Limits`` bound
layers, neurons, samples, uploads, message sizes and concurrent sessions.
"""
from __future__ import annotations

import asyncio
import dataclasses
import math
import secrets
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import anyio.to_thread
import numpy as np
from starlette import websockets
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from .. import activations, losses, optimizers, schedules
from ..driver import DriverClosed
from ..errors import DivergenceError
from ..metrics import labels_from_outputs
from . import protocol, views
from .sessions import (
    CHANGEABLE,
    DEFAULT_STATE,
    LIMITS,
    PLAY_SETS,
    UPLOAD,
    Limits,
    PlaygroundSession,
    check_state,
    check_task,
    encode_upload,
    set_defaults,
    upload_points,
)

STATIC = Path(__file__).parent / "static"
# What a send to a closed tab raises: Starlette >= 0.50 names it, older ones raise a RuntimeError
CLOSED = (WebSocketDisconnect, getattr(websockets, "WebSocketDisconnected", RuntimeError))
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
ANY_INTERFACE = ("0.0.0.0", "::", "[::]")
FPS = 20
FRAME_SHARE = 2  # a frame every FRAME_SHARE times its computing time at most
CHOICES = {"activation": sorted(activations.ACTIVATIONS), "loss": sorted(losses.LOSSES),
           "optimizer": sorted(optimizers.OPTIMIZERS), "schedule": sorted(schedules.SCHEDULES)}
# the training samples the backward view's gradients and deltas average over: all of them (None),
# the samples of an epoch. bench/playground_frame.py (4 runs, quiet machine): a backward frame over
# the seed's 1400 costs 2.4-3.2 ms (1.8-2.5 over 500); the limits' biggest network over 4750 samples
# 26-39 ms (6-9 over 500), so FRAME_SHARE lets it have some 13-19 frames a second, not 20
BACKWARD_SAMPLES = None


def finite(value):
    """A float for JSON: NaN and infinity become None (JSON has no NaN; the page reads null)."""
    return value if isinstance(value, float) and math.isfinite(value) else None if isinstance(value, float) else value


@dataclasses.dataclass
class Sent:
    """What one run's frames have sent so far: a new one with each run, so that a late frame of a
    replaced run (computed on that run's thread) writes here and not over the new run's counts.

    run: which run of the connection (frames carry it; the page drops another's).   grid: its plane.
    last: the snapshot and view last sent.   rows, health: history and health rows sent.
    frames: frames sent.   seconds: how long the last frame took to compute."""

    run: int
    grid: views.Grid
    last: tuple | None = None
    rows: int = 0
    health: int = 0
    frames: int = 0
    seconds: float = 0.0


class Connection:
    """One tab: its WebSocket, its session (None before "start"), what it views, what it was sent."""

    def __init__(self, websocket: WebSocket):
        self.websocket, self.token = websocket, secrets.token_urlsafe(16)
        self.play: PlaygroundSession | None = None
        self.sent: Sent | None = None
        self.backward, self.hover = False, None
        self.runs = 0
        self.lock = asyncio.Lock()

    async def send_json(self, message: dict) -> None:
        async with self.lock:
            await self.websocket.send_json(message)

    async def send_bytes(self, payload: bytes) -> None:
        async with self.lock:
            await self.websocket.send_bytes(payload)

    async def replace(self, play: PlaygroundSession | None) -> None:
        """Take ``play`` (its views start afresh: a neuron hovered in the old network may not exist in
        the new one, and the page forgets it too), then close the old session (if any)."""
        old = self.play
        self.runs += 1
        self.hover = None
        self.play, self.sent = play, Sent(self.runs, views.grid_for(play.data.X)) if play is not None else None
        if old is not None:
            # close waits (up to 10 s) for the old run's step to end: on a worker thread, or every
            # tab would freeze meanwhile; shielded, so that a cancelled connection still stops it
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(old.close)


# ---------------------------------------------------------------------------------------- frames
def frame(conn: Connection, play: PlaygroundSession, sent: Sent) -> bytes | None:
    """The next frame for ``conn`` from ``play``'s newest snapshot, or None if nothing changed
    since the last one sent (``sent``: that run's). Runs on the training thread, between steps."""
    driver, data = play.driver, play.data
    # read once: the event loop may change the view while this thread computes the frame, and one
    # frame's key, arrays and header must all show the same view
    snapshot, backward, hover = driver.latest(), conn.backward, conn.hover
    key = (id(snapshot), backward, tuple(hover or ()), driver.playing and not snapshot.done, driver.error is None)
    if key == sent.last:
        return None
    began = time.perf_counter()
    net = views.load(play.viewer, snapshot.params)
    arrays = {"heat": views.decision_map(net, sent.grid)}
    if hover is not None:
        arrays["neuron"] = views.neuron_map(net, sent.grid, *hover)
    for i, layer in enumerate(net.layers):
        arrays[f"W{i}"], arrays[f"b{i}"] = layer.weights, layer.bias
    if backward:
        grads, deltas = views.backward(net, data.X_train[:BACKWARD_SAMPLES],
                                       data.labels(data.y_train[:BACKWARD_SAMPLES]))  # labels as the net names them
        for i, ((dW, db), delta) in enumerate(zip(grads, deltas)):
            arrays[f"dW{i}"], arrays[f"db{i}"], arrays[f"delta{i}"] = dW, db, delta
    header = {"frame": sent.frames, "run": sent.run, "epoch": snapshot.epoch, "position": snapshot.position,
              "samples": snapshot.samples,
              "seconds": snapshot.seconds, "done": snapshot.done, "playing": driver.playing and not snapshot.done,
              "sps": driver.samples_per_second if driver.playing and not snapshot.done else 0.0,
              "error": None if driver.error is None else str(driver.error),
              "rows": history_rows(play, snapshot.history, sent.rows),
              "health": [{k: finite(v) for k, v in row.items()} for row in snapshot.history.health[sent.health:]],
              "wrong": wrong_test_points(net, play), "backward": backward, "hover": hover}
    sent.frames, sent.last, sent.seconds = sent.frames + 1, key, time.perf_counter() - began
    sent.rows, sent.health = len(snapshot.history), len(snapshot.history.health)
    return protocol.encode_frame(header, arrays)


def history_rows(play: PlaygroundSession, history, since: int) -> list[dict]:
    """The history rows after the first ``since``, JSON-ready; for regression with R^2 derived from
    the rows' MSE (train) and loss (test: mse's loss is half the squared error)."""
    columns = [[finite(float(v)) for v in getattr(history, name)[since:]] for name in history.COLUMNS]
    rows = [dict(zip(history.COLUMNS, values)) for values in zip(*columns)]  # the new rows only, not all
    if play.task == "regression":
        var_train, var_test = float(np.var(play.data.y_train)), float(np.var(play.data.y_test))
        for row in rows:
            row["train_accuracy"] = 1 - row["mse"] / var_train if row["mse"] is not None else None
            row["val_accuracy"] = 1 - 2 * row["val_loss"] / var_test if row["val_loss"] is not None else None
    return rows


def wrong_test_points(net, play: PlaygroundSession) -> list[int]:
    """Indices into the test split of the points the network classifies wrongly ([] for regression)."""
    if play.task == "regression":
        return []
    predicted = labels_from_outputs(net.predict_proba(play.data.X_test))
    return np.flatnonzero(predicted != play.data.y_test).tolist()


async def sender(conn: Connection, fps: float) -> None:
    """Send ``conn``'s newest frame ``fps`` times a second while the connection lasts.

    The frame is computed on the session's training thread, between two steps (``Driver.submit``),
    not on a thread of its own: the compiled engine holds the GIL through each step, so a third
    thread would wait for it at each of the frame's hundreds of NumPy calls (measured: 6-8 frames a
    second that way, against the 20 asked)."""
    loop = asyncio.get_running_loop()
    while True:
        began = loop.time()
        play, sent = conn.play, conn.sent
        payload = await next_frame(conn, play, sent) if play is not None else None
        if payload is not None and play is conn.play:
            try:
                await conn.send_bytes(payload)
            except CLOSED:  # the tab closed
                return
        # frames take the training thread's time: at most half of it (a big network's frame costs
        # tens of ms), so a slower page rather than a starved run
        period = max(1.0 / fps, FRAME_SHARE * sent.seconds if sent else 0.0)
        await asyncio.sleep(max(0.0, period - (loop.time() - began)))


async def next_frame(conn: Connection, play: PlaygroundSession, sent: Sent) -> bytes | None:
    """``frame(conn, play, sent)`` run between two training steps; None when ``play`` was closed meanwhile
    (its driver cancels what it had queued). A failed frame is reported to the page, and the
    sender goes on."""
    try:
        future = play.driver.submit(lambda session: frame(conn, play, sent), reads_only=True)
    except DriverClosed:  # closed already
        return None
    try:
        return await asyncio.wrap_future(future)
    except asyncio.CancelledError:
        if future.cancelled():  # the driver's doing, not this task's: the session was replaced
            return None
        raise
    except Exception as err:  # a frame that cannot be drawn must not end the connection's frames
        await conn.send_json({"type": "error", "message": f"the view could not be computed: {err}"})
        return None


# ---------------------------------------------------------------------------------------- messages
def started(conn: Connection) -> dict:
    """The reply to start (and reset, add or remove a point, upload): what the page draws its run from."""
    play = conn.play
    data = play.data
    return {"type": "started", "run": conn.sent.run, "token": conn.token, "state": play.state, "command": play.command,
            "task": play.task, "sizes": play.session.net.sizes, "classes": play.session.net.layers[-1].n_out,
            "points": np.concatenate([data.X_train, data.X_test]).tolist(),
            "labels": [finite(float(v)) for v in np.concatenate([data.y_train, data.y_test])],
            "n_train": len(data.X_train), "extent": conn.sent.grid.extent, "resolution": conn.sent.grid.resolution,
            "edited": play.csv is not None,
            "output_activation": play.session.net.layers[-1].activation.name}


async def build(conn: Connection, state: dict) -> None:
    """Make ``state`` the connection's session (engine selection can take seconds: off the loop)."""
    play = await anyio.to_thread.run_sync(PlaygroundSession, state, conn.websocket.app.state.limits)
    await conn.replace(play)
    await conn.send_json(started(conn))


async def handle(conn: Connection, message: dict) -> None:
    """Do what one checked message asks; what it raises the caller says to the page (the tab goes on)."""
    kind, play = message["type"], conn.play
    limits: Limits = conn.websocket.app.state.limits
    if kind == "start":
        await build(conn, check_state(message["state"], limits))
        return
    if kind == "upload":
        # checked here for its own messages; the state carries the CSV itself, so a link does too
        await anyio.to_thread.run_sync(upload_points, message["csv"], check_task(message["task"]), limits)
        state = {**(play.state if play else DEFAULT_STATE), "dataset": UPLOAD, "added": [], "removed": [],
                 "upload": {"task": message["task"], "csv": encode_upload(message["csv"])}}
        if message["task"] == "regression":  # real values are learnt with mse, whatever the last loss was
            state["loss"] = "mse"
        await build(conn, check_state(state, limits))
        return
    if play is None:
        raise ValueError(f"send 'start' before {kind!r}")
    if kind == "reset":
        await build(conn, play.state)
    elif kind == "play":
        if play.session.done:  # checked here: the driver would wait, "playing", for epochs that never come
            raise ValueError(f"the run is done ({play.state['epochs']} epochs): raise epochs to train on, or reset")
        play.driver.play()
    elif kind == "pause":
        await asyncio.wrap_future(play.driver.pause())
    elif kind == "step_epoch":
        await _training_step(play.driver.step_epoch())
    elif kind == "step_sample":
        await _training_step(play.driver.step_samples(play.state["batch_size"]))
    elif kind == "change":
        state = await anyio.to_thread.run_sync(play.change, message["fields"])
        await conn.send_json({"type": "changed", "state": state, "command": play.command})
    elif kind in ("add_point", "remove_point"):
        await build(conn, check_state(_edited(play, message), limits))
    elif kind == "view":
        conn.backward, conn.hover = _view(play, message)
    elif kind == "trace":
        result = await anyio.to_thread.run_sync(play.trace, message["index"])
        await conn.send_json({"type": "trace", "index": message["index"], "trace": result})
    elif kind == "gradcheck":
        result = await anyio.to_thread.run_sync(play.gradcheck)
        await conn.send_json({"type": "gradcheck", "table": result.table(), "passed": result.passed,
                              "checks": [{"name": c.name, "error": c.relative_error} for c in result.checks]})


async def _training_step(future) -> None:
    try:
        await asyncio.wrap_future(future)
    except RuntimeError as err:  # the session is done
        raise ValueError(str(err)) from None
    except DivergenceError as err:  # a step at too high a rate: said on the page, as playing says it
        raise ValueError(str(err)) from None


def _edited(play: PlaygroundSession, message: dict) -> dict:
    """The state with a point added ([x, y, label]) or removed (its index in the page's list)."""
    state = dict(play.state)
    if message["type"] == "add_point":
        label = message["label"]
        if play.task == "classification" and not (isinstance(label, int) and 0 <= label < max(play.data.n_outputs, 2)):
            raise ValueError(f"label must be a class of this data set (0 to {max(play.data.n_outputs, 2) - 1}). "
                             f"Received: label={label!r}")
        state["added"] = [*state["added"], [message["x"], message["y"], label]]
        return state
    index, n_base = message["index"], len(play.data.X) - len(state["added"]) + len(state["removed"])
    # the page numbers its points training first, then test; state["removed"] indexes the set as made
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(play.data.X):
        raise ValueError(f"index must be in [0, {len(play.data.X) - 1}]. Received: index={index!r}")
    point = np.concatenate([play.data.X_train, play.data.X_test])[index]
    return _without(state, play, point, n_base)


def _without(state: dict, play: PlaygroundSession, point, n_base: int) -> dict:
    """``state`` without ``point``: an added point is dropped from "added", one of the set as made
    is listed in "removed" (found by its coordinates, which the CSV keeps exactly)."""
    for i, (x1, x2, _) in enumerate(state["added"]):
        if float(x1) == point[0] and float(x2) == point[1]:
            return {**state, "added": state["added"][:i] + state["added"][i + 1:]}
    base = play.base_points()
    matches = np.flatnonzero((base[:, 0] == point[0]) & (base[:, 1] == point[1]))
    fresh = [int(i) for i in matches if int(i) not in state["removed"]]
    if not fresh:
        raise ValueError(f"no point at {point.tolist()} to remove")
    return {**state, "removed": sorted([*state["removed"], fresh[0]])}


def _view(play: PlaygroundSession, message: dict) -> tuple[bool, list | None]:
    backward, hover = message["backward"], message["hover"]
    if not isinstance(backward, bool):
        raise ValueError(f"backward must be true or false. Received: backward={backward!r}")
    if hover is not None:
        net = play.viewer
        if not (isinstance(hover, list) and len(hover) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                                  for v in hover)
                and -1 <= hover[0] < len(net.layers) and 0 <= hover[1] < net.sizes[hover[0] + 1]):
            raise ValueError(f"hover must be null or a neuron [layer, unit] of this network. Received: hover={hover!r}")
    return backward, hover


# ---------------------------------------------------------------------------------------- endpoints
def origin_allowed(websocket: WebSocket, allowed_hosts: tuple[str, ...]) -> bool:
    """True when the connection comes from this server's own page: its Host is allowed and its
    Origin (a browser always sends one) is that same host. Without an Origin (not a browser), the
    Host alone decides; "*" allows any Host (a server bound to every interface)."""
    host = websocket.headers.get("host", "")
    names = {h.strip("[]") for h in allowed_hosts}
    if "*" not in names and (urlsplit(f"//{host}").hostname or "") not in names:
        return False
    origin = websocket.headers.get("origin")
    return origin is None or (urlsplit(origin).scheme in ("http", "https") and urlsplit(origin).netloc == host)


async def websocket_endpoint(websocket: WebSocket) -> None:
    """A tab's connection: the messages it sends, the frames it is sent, its session closed at the end."""
    app_state = websocket.app.state
    if not origin_allowed(websocket, app_state.allowed_hosts):
        await websocket.close(code=1008)  # before accept: the handshake is refused with HTTP 403
        return
    await websocket.accept()
    if len(app_state.connections) >= app_state.limits.sessions:
        await websocket.send_json({"type": "error", "message": f"the playground runs at most "
                                   f"{app_state.limits.sessions} sessions at once: close another tab and reload"})
        await websocket.close(code=1013)
        return
    conn = Connection(websocket)
    app_state.connections[conn.token] = conn
    task = asyncio.create_task(sender(conn, app_state.fps))
    try:
        await conn.send_json({"type": "hello", "defaults": DEFAULT_STATE, "sets": {n: set_defaults(n)
                              for n in PLAY_SETS}, "limits": vars(app_state.limits), "changeable": CHANGEABLE,
                              "choices": CHOICES})
        while True:
            received = await websocket.receive()
            if received["type"] == "websocket.disconnect":
                break
            try:
                message = protocol.parse(received.get("text"), app_state.limits.message_bytes)
                await handle(conn, message)
            except (ValueError, TypeError) as err:  # a bad message or value: the page says why
                await conn.send_json({"type": "error", "message": str(err)})
            except Exception as err:  # a handler's own failure ends that message, not the tab's connection
                await conn.send_json({"type": "error", "message": f"{type(err).__name__}: {err}"})
    except CLOSED:  # the tab closed, maybe mid-reply
        pass
    finally:
        task.cancel()
        try:
            await conn.replace(None)  # closing the tab stops its training
        finally:  # after: a download meanwhile finds no session (404), not a closing one
            app_state.connections.pop(conn.token, None)


def _session_of(request: Request) -> PlaygroundSession:
    conn = request.app.state.connections.get(request.path_params["token"])
    if conn is None or conn.play is None:
        raise LookupError
    return conn.play


async def model_file(request: Request) -> Response:
    """GET /sessions/TOKEN/model.safetensors: the tab's network now, as ``backprop.save`` writes it
    (404 for an unknown session, 409 for a run closed by a reset meanwhile)."""
    try:
        play = _session_of(request)
    except LookupError:
        return JSONResponse({"error": "no such session"}, status_code=404)
    try:
        payload = await anyio.to_thread.run_sync(play.model_bytes)
    except DriverClosed:  # the tab reset or closed its run meanwhile: that network is gone
        return JSONResponse({"error": "the session's run was reset or closed while downloading: download again"},
                            status_code=409)
    return Response(payload, media_type="application/octet-stream",
                    headers={"Content-Disposition": 'attachment; filename="model.safetensors"'})


async def data_file(request: Request) -> Response:
    """GET /sessions/TOKEN/playground-data.csv: the tab's edited or uploaded points (404 for a named set)."""
    try:
        play = _session_of(request)
    except LookupError:
        return JSONResponse({"error": "no such session"}, status_code=404)
    if play.csv is None:
        return JSONResponse({"error": "this session trains on a named data set: its command names it"},
                            status_code=404)
    return Response(play.csv, media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="playground-data.csv"'})


async def index(request: Request) -> Response:
    """The page."""
    return FileResponse(STATIC / "index.html")


def create_app(limits: Limits = LIMITS, allowed_hosts: tuple[str, ...] = LOOPBACK, fps: float = FPS) -> Starlette:
    """The playground's app. allowed_hosts: the host names its page may be served under (add the
    host given to ``serve`` when it is not a loopback one). fps: frames a second per tab."""
    routes = [Route("/", index), Route("/sessions/{token}/model.safetensors", model_file),
              Route("/sessions/{token}/playground-data.csv", data_file),
              WebSocketRoute("/ws", websocket_endpoint), Mount("/static", StaticFiles(directory=STATIC))]
    hosts = [h.strip("[]") for h in allowed_hosts]
    app = Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)])
    app.state.limits, app.state.allowed_hosts, app.state.fps, app.state.connections = limits, allowed_hosts, fps, {}
    return app


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, ready for ``serve``. A port in use or a host that does not resolve
    raises ValueError naming both (uvicorn would log its own error and exit with status 3, after the
    command line had printed an address that answers nothing)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a restart reuses the port
        sock.bind((host, port))
    except OSError as err:  # socket.gaierror (an unknown host) is one too
        sock.close()
        raise ValueError(f"--host {host} --port {port}: cannot listen there ({err.strerror or err})") from None
    return sock


def serve(host: str = "127.0.0.1", port: int = 8000, sock: socket.socket | None = None) -> None:
    """Run the playground with uvicorn until interrupted; ``sock``: one ``listen`` bound already."""
    import uvicorn

    # bound to every interface, the page is reached under names we cannot know: any Host, the Origin
    # still the page's own (the command warns that the network can reach it)
    hosts = LOOPBACK if host in LOOPBACK else ("*",) if host in ANY_INTERFACE else (*LOOPBACK, host)
    config = uvicorn.Config(create_app(allowed_hosts=hosts), host=host, port=port, log_level="warning",
                            ws_max_size=LIMITS.message_bytes * 2)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock if sock is not None else listen(host, port)])
    except KeyboardInterrupt:  # Ctrl-C is how a server is stopped: uvicorn.run also ends quietly
        pass
    if not server.started:
        raise OSError(f"the playground server on {host}:{port} did not start")
