"""The playground's protocol (Starlette's test client), and that its numbers are the library's: the
command line it shows trains the same curve, its model file predicts what it showed, its trace and
gradcheck are the commands'."""
import base64
import copy
import json
import shlex
import time
import warnings
import zlib

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")
with warnings.catch_warnings():  # Starlette >= 0.48 would rather have httpx2 behind its test client
    warnings.simplefilter("ignore")  # (a StarletteDeprecationWarning, not a DeprecationWarning)
    from starlette.testclient import TestClient

from backprop import persistence, runs, trace  # noqa: E402
from backprop.cli import main  # noqa: E402
from backprop.playground import protocol, server, sessions  # noqa: E402

SMALL = {"hidden": [6], "epochs": 4}  # a small run: the protocol, not the accuracy, is under test


@pytest.fixture
def client():
    app = server.create_app(allowed_hosts=("testserver",), fps=50)
    with TestClient(app) as test_client:
        yield test_client


def receive(ws, kind):
    """The next JSON message of type ``kind`` (frames and other replies skipped); fails on an error."""
    while True:
        message = ws.receive()
        if message.get("text"):
            reply = json.loads(message["text"])
            if reply["type"] == kind:
                return reply
            assert reply["type"] != "error" or kind == "error", reply["message"]


def frame_where(ws, condition):
    """The next frame (header, arrays) whose header satisfies ``condition``."""
    while True:
        message = ws.receive()
        if message.get("bytes"):
            header, arrays = protocol.decode_frame(message["bytes"])
            if condition(header):
                return header, arrays
        else:
            assert json.loads(message["text"])["type"] != "error", message["text"]


def start(ws, **state):
    receive(ws, "hello")
    ws.send_json({"type": "start", "state": {**SMALL, **state}})
    return receive(ws, "started")


def run_to_end(ws):
    """Play to the last epoch; that frame's header and arrays, and every history row sent."""
    ws.send_json({"type": "play"})
    rows = []
    while True:
        header, arrays = frame_where(ws, lambda h: True)
        rows += header["rows"]
        if header["done"] and not header["playing"]:
            return header, arrays, rows


# ------------------------------------------------------------------------------------------ protocol
def test_start_step_and_play_send_frames_of_the_run(client):
    with client.websocket_connect("/ws") as ws:
        run = start(ws)
        assert run["sizes"] == [2, 6, 2] and run["n_train"] == 1400 and len(run["points"]) == 2000
        ws.send_json({"type": "step_epoch"})
        header, arrays = frame_where(ws, lambda h: h["epoch"] == 1)
        assert arrays["heat"].shape == (48, 48, 2) and arrays["W0"].shape == (2, 6)
        ws.send_json({"type": "step_sample"})  # one batch of one sample
        assert frame_where(ws, lambda h: h["position"] == 1)[0]["epoch"] == 1
        header, _, _ = run_to_end(ws)
        assert header["epoch"] == 4 and header["error"] is None
        ws.send_json({"type": "play"})  # a finished run says so, rather than "playing" for ever
        assert "the run is done (4 epochs)" in receive(ws, "error")["message"]


def test_a_change_mid_run_takes_effect_and_shows_in_the_command(client):
    with client.websocket_connect("/ws") as ws:
        start(ws)
        ws.send_json({"type": "step_epoch"})
        ws.send_json({"type": "change", "fields": {"learning_rate": 0.5, "optimizer": "adam", "epochs": 6}})
        changed = receive(ws, "changed")
        assert changed["state"]["learning_rate"] == 0.5 and "--optimizer adam --lr 0.5" in changed["command"]
        assert run_to_end(ws)[0]["epoch"] == 6
        ws.send_json({"type": "change", "fields": {"hidden": [3]}})  # the network is rebuilt, not changed
        assert "change takes some of" in receive(ws, "error")["message"]


def test_points_added_and_removed_make_a_csv_that_the_command_reads(client):
    with client.websocket_connect("/ws") as ws:
        run = start(ws)
        ws.send_json({"type": "add_point", "x": 0.25, "y": -0.5, "label": 1})
        added = receive(ws, "started")
        assert len(added["points"]) == 2001 and added["edited"] and "--data playground-data.csv" in added["command"]
        assert [0.25, -0.5] in added["points"]
        ws.send_json({"type": "remove_point", "index": 0})
        removed = receive(ws, "started")
        assert len(removed["points"]) == 2000 and added["points"][0] not in removed["points"]
        assert removed["state"]["added"] == [[0.25, -0.5, 1]] and len(removed["state"]["removed"]) == 1
        csv = client.get(f"/sessions/{run['token']}/playground-data.csv")
        assert csv.status_code == 200 and csv.text.startswith("x1,x2,label\n") and len(csv.text.splitlines()) == 2001
        ws.send_json({"type": "add_point", "x": 0.0, "y": 0.0, "label": 7})
        assert "label must be a class" in receive(ws, "error")["message"]


def test_an_uploaded_csv_is_trained_and_a_bad_one_refused_with_its_reason(client):
    points = np.random.default_rng(0).normal(size=(60, 2))
    rows = "\n".join(f"{x:.3f},{y:.3f},{'a' if x * y > 0 else 'b'}" for x, y in points)
    with client.websocket_connect("/ws") as ws:
        start(ws, loss="cross_entropy")
        ws.send_json({"type": "upload", "csv": "u,v,kind\n" + rows, "task": "classification"})
        run = receive(ws, "started")
        assert run["state"]["dataset"] == "upload" and len(run["points"]) == 60 and run["classes"] == 2
        # labels named "a" and "b": the backward view, trace and gradcheck give the network its own labels
        ws.send_json({"type": "view", "backward": True, "hover": None})
        assert frame_where(ws, lambda h: h["backward"])[1]["dW0"].shape == (2, 6)
        ws.send_json({"type": "trace", "index": 0})
        assert receive(ws, "trace")["trace"]["label"] in ("a", "b")
        ws.send_json({"type": "gradcheck"})
        assert receive(ws, "gradcheck")["passed"]
        values = "\n".join(f"{x:.3f},{y:.3f},{x - y:.4f}" for x, y in points)
        ws.send_json({"type": "upload", "csv": "u,v,height\n" + values, "task": "regression"})
        run = receive(ws, "started")
        assert run["task"] == "regression" and run["sizes"][-1] == 1 and "--task regression" in run["command"]
        ws.send_json({"type": "upload", "csv": "u,v,kind\n1,x,a\n", "task": "classification"})
        assert "'x' is not a number" in receive(ws, "error")["message"]
        ws.send_json({"type": "upload", "csv": "u,kind\n1,a\n", "task": "classification"})
        assert "needs 3 columns" in receive(ws, "error")["message"]


def test_a_state_with_an_upload_round_trips_into_the_same_data_and_run(client):
    """A link is the state as JSON: opened in another tab it must train on the uploaded points."""
    points = np.random.default_rng(1).normal(size=(50, 2))
    rows = "".join(f"{float(x)!r},{y:.2f},{'in' if x * x + y * y < 1 else 'out'}\n" for x, y in points)
    with client.websocket_connect("/ws") as ws:
        start(ws)
        ws.send_json({"type": "upload", "csv": "u,v,kind\n" + rows, "task": "classification"})
        first = receive(ws, "started")
        ws.send_json({"type": "step_epoch"})
        row = frame_where(ws, lambda h: h["epoch"] == 1)[0]["rows"][-1]
    upload = first["state"]["upload"]
    assert upload["task"] == "classification" and sessions.decode_upload(upload["csv"]) == "u,v,kind\n" + rows
    link = json.loads(json.dumps(first["state"]))  # what the page puts in its address
    with client.websocket_connect("/ws") as ws:
        again = start(ws, **link)
        ws.send_json({"type": "step_epoch"})
        assert frame_where(ws, lambda h: h["epoch"] == 1)[0]["rows"][-1] == row
        data = client.get(f"/sessions/{again['token']}/playground-data.csv")  # what its command line reads
        assert data.status_code == 200 and len(data.text.splitlines()) == 51
    for key in ("points", "labels", "n_train", "command", "sizes", "extent", "state"):
        assert again[key] == first[key], key


@pytest.mark.parametrize("upload, text", [
    (None, "needs its CSV"), ({"task": "classification"}, "upload must be null or"),
    ({"task": "kmeans", "csv": ""}, "task must be"), ({"task": "regression", "csv": "@@"}, "not a deflated"),
    ({"task": "regression", "csv": base64.urlsafe_b64encode(zlib.compress(b"a,b,c\n1,2,3\n")[:-4]).decode()},
     "it ends early"),
    # a link must not inflate into more than an upload may hold
    ({"task": "regression", "csv": sessions.encode_upload("x,y,z\n" + "1,2,3\n" * 100_000)}, "at most 256,000"),
])
def test_a_states_bad_upload_is_refused_with_its_reason(client, upload, text):
    with client.websocket_connect("/ws") as ws:
        receive(ws, "hello")
        ws.send_json({"type": "start", "state": {"dataset": "upload", "upload": upload}})
        assert text in receive(ws, "error")["message"]


def test_another_data_set_drops_the_upload_from_the_state():
    upload = {"task": "classification", "csv": sessions.encode_upload("a,b,c\n1,2,x\n")}
    assert sessions.check_state({"dataset": "xor", "upload": upload})["upload"] is None


def test_limits_are_refused_with_a_message_that_names_them():
    limits = sessions.Limits(sessions=1, upload_bytes=100)
    app = server.create_app(limits=limits, allowed_hosts=("testserver",))
    with TestClient(app) as client, client.websocket_connect("/ws") as ws:
        receive(ws, "hello")
        for state, text in [({"hidden": [65]}, "1 to 64 neurons"), ({"hidden": [4] * 7}, "at most 6 layer"),
                            ({"n_samples": 50_000}, "n_samples must be an integer in [10, 5000]")]:
            ws.send_json({"type": "start", "state": state})
            assert text in receive(ws, "error")["message"]
        ws.send_json({"type": "upload", "csv": "a,b,c\n" + "1,2,3\n" * 40, "task": "classification"})
        assert "at most 100" in receive(ws, "error")["message"]
        with client.websocket_connect("/ws") as second:
            assert "at most 1 sessions at once" in receive(second, "error")["message"]


@pytest.mark.parametrize("text, message", [
    ("nonsense", "not JSON"), ("[1, 2]", "type must be one of"), ('{"type": "fly"}', "type must be one of"),
    ('{"type": "play", "now": 1}', "takes the keys []"), ('{"type": "start", "state": 3}', "state must be an object"),
    ('{"type": "start", "state": {"lr": 1}}', "state takes the keys"),
    ('{"type": "start", "state": {"learning_rate": -1}}', "learning_rate must be a number"),
    ('{"type": "trace", "index": 99999}', "index must be in"), ('{"type": "view", "backward": 1, "hover": null}',
                                                                 "backward must be true or false"),
    ('{"type": "view", "backward": false, "hover": [9, 0]}', "hover must be null or a neuron"),
])
def test_a_bad_message_gets_an_error_reply_and_the_session_goes_on(client, text, message):
    with client.websocket_connect("/ws") as ws:
        start(ws)
        ws.send_text(text)
        assert message in receive(ws, "error")["message"]
        ws.send_json({"type": "step_epoch"})
        assert frame_where(ws, lambda h: h["epoch"] == 1)


def test_binary_cross_entropy_on_more_than_two_classes_says_what_to_change(client):
    """Not the library's "y must hold labels 0..1", which names no control on the page."""
    bce = {**SMALL, "loss": "binary_cross_entropy"}
    with client.websocket_connect("/ws") as ws:
        receive(ws, "hello")
        ws.send_json({"type": "start", "state": {**bce, "dataset": "blobs", "centers": 4}})
        assert receive(ws, "error")["message"] == ("binary cross-entropy needs 2 classes; blobs has 4: "
                                                   "choose cross_entropy or 2 classes")
        ws.send_json({"type": "start", "state": {**bce, "dataset": "blobs", "centers": 2}})  # as it says
        assert receive(ws, "started")["state"]["centers"] == 2
        rows = "\n".join(f"{i},{i % 5},{'abc'[i % 3]}" for i in range(30))
        ws.send_json({"type": "upload", "csv": "u,v,kind\n" + rows, "task": "classification"})
        assert receive(ws, "error")["message"] == ("binary cross-entropy needs 2 classes; the uploaded table has 3: "
                                                   "choose cross_entropy")


def test_a_message_before_start_and_binary_messages_are_refused(client):
    with client.websocket_connect("/ws") as ws:
        receive(ws, "hello")
        ws.send_json({"type": "play"})
        assert "send 'start' before 'play'" in receive(ws, "error")["message"]
        ws.send_bytes(b"\x00\x01")
        assert "JSON text, not binary" in receive(ws, "error")["message"]


def test_a_server_on_every_interface_takes_any_host_but_still_only_its_own_pages_origin():
    from starlette.websockets import WebSocketDisconnect

    with TestClient(server.create_app(allowed_hosts=("*",))) as client:
        assert client.get("/", headers={"host": "192.168.1.5:8000"}).status_code == 200
        with client.websocket_connect("/ws", headers={"host": "192.168.1.5:8000",
                                                      "origin": "http://192.168.1.5:8000"}) as ws:
            assert receive(ws, "hello")
        with pytest.raises(WebSocketDisconnect), client.websocket_connect(
                "/ws", headers={"host": "192.168.1.5:8000", "origin": "http://evil.example"}) as ws:
            ws.receive_json()


def test_another_origin_or_host_is_refused_and_unknown_downloads_are_404(client):
    from starlette.websockets import WebSocketDisconnect

    for headers in ({"origin": "http://evil.example"}, {"origin": "http://testserver.evil.example"},
                    {"host": "evil.example", "origin": "http://evil.example"}):
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws", headers=headers) as ws:
            ws.receive_json()
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        assert receive(ws, "hello")["defaults"] == sessions.DEFAULT_STATE
    assert client.get("/sessions/nope/model.safetensors").status_code == 404
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400  # DNS rebinding
    page = client.get("/")
    assert page.status_code == 200 and "/static/playground.js" in page.text
    assert "new WebSocket" in client.get("/static/playground.js").text


def test_reset_keeps_the_initial_weights_unless_the_seed_changes(client):
    with client.websocket_connect("/ws") as ws:
        start(ws)
        initial = frame_where(ws, lambda h: h["epoch"] == 0)[1]["W0"].copy()
        ws.send_json({"type": "step_epoch"})
        assert not np.array_equal(frame_where(ws, lambda h: h["epoch"] == 1)[1]["W0"], initial)
        ws.send_json({"type": "reset"})
        receive(ws, "started")
        np.testing.assert_array_equal(frame_where(ws, lambda h: h["epoch"] == 0)[1]["W0"], initial)
        ws.send_json({"type": "start", "state": {**SMALL, "seed": 1}})
        receive(ws, "started")
        assert not np.array_equal(frame_where(ws, lambda h: h["epoch"] == 0)[1]["W0"], initial)


def test_frames_go_on_after_runs_are_rebuilt_while_playing(client):
    with client.websocket_connect("/ws") as ws:
        start(ws, epochs=100_000)
        for seed in range(3):  # each rebuild closes a playing driver, cancelling the frame it had queued
            ws.send_json({"type": "play"})
            frame_where(ws, lambda h: h["playing"])
            ws.send_json({"type": "start", "state": {**SMALL, "epochs": 100_000, "seed": seed}})
            run = receive(ws, "started")
        ws.send_json({"type": "step_epoch"})
        header = frame_where(ws, lambda h: h["epoch"] == 1)[0]
        assert header["run"] == run["run"] == 4 and header["rows"][-1]["epoch"] == 1


def test_a_frame_cancelled_by_a_closing_session_is_skipped_not_fatal():
    import asyncio
    import threading

    play = sessions.PlaygroundSession(sessions.check_state(SMALL))
    conn = server.Connection.__new__(server.Connection)  # what frame needs of a connection, without a socket
    conn.backward, conn.hover = False, None
    sent = server.Sent(1, server.views.grid_for(play.data.X))
    release = threading.Event()
    play.driver.submit(lambda session: release.wait(10))  # the training thread is busy: the frame queues

    async def scenario():
        pending = asyncio.ensure_future(server.next_frame(conn, play, sent))
        await asyncio.sleep(0.05)
        play.driver.close(timeout=0)  # closing cancels the queued frame once the thread is free
        release.set()
        return await pending

    assert asyncio.run(scenario()) is None


def test_an_idle_tab_gets_no_frame_after_the_first():
    """The sender asks for a frame 20 times a second; while nothing changes it gets None and sends
    nothing. Computing a frame used to publish a new snapshot, so each frame called for the next:
    an idle or paused tab drew ~20 frames a second on the training thread."""
    import asyncio

    play = sessions.PlaygroundSession(sessions.check_state(SMALL))
    conn = server.Connection.__new__(server.Connection)  # what frame needs of a connection, without a socket
    conn.backward, conn.hover = False, None
    sent = server.Sent(1, server.views.grid_for(play.data.X))
    try:
        frames = [asyncio.run(server.next_frame(conn, play, sent)) for _ in range(3)]
        assert frames[0] is not None and frames[1:] == [None, None]
        play.driver.step_samples(1).result()  # a change: the next frame shows it
        assert asyncio.run(server.next_frame(conn, play, sent)) is not None
    finally:
        play.driver.close()


def test_closing_the_tab_stops_its_training(client):
    with client.websocket_connect("/ws") as ws:
        start(ws, epochs=100_000)
        ws.send_json({"type": "play"})
        frame_where(ws, lambda h: h["playing"])
        (conn,) = client.app.state.connections.values()
        play = conn.play
    deadline = time.monotonic() + 10
    while client.app.state.connections and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not client.app.state.connections and not play.driver.playing
    with pytest.raises(RuntimeError, match="closed"):
        play.driver.submit(lambda session: None)


def test_a_regression_set_trains_with_r2_curves(client):
    with client.websocket_connect("/ws") as ws:
        run = start(ws, dataset="plane", noise=0.05)
        assert run["task"] == "regression" and run["sizes"][-1] == 1
        header, arrays, rows = run_to_end(ws)
    assert arrays["heat"].shape == (48, 48, 1) and header["wrong"] == []
    assert all(-10 < row["val_accuracy"] <= 1 for row in rows) and rows[-1]["val_accuracy"] > rows[0]["val_accuracy"]


# ------------------------------------------------------------------------------------------ the library's numbers
def test_the_command_line_trains_the_pages_loss_curve_bit_for_bit(client, tmp_path, monkeypatch):
    with client.websocket_connect("/ws") as ws:
        run = start(ws, dataset="blobs", centers=3, noise=1.5, n_samples=400, optimizer="adam",
                    learning_rate=0.02, batch_size=8, schedule="cosine", shuffle=True, seed=5, epochs=5)
        _, _, rows = run_to_end(ws)
    argv = shlex.split(run["command"])
    assert argv[:2] == ["backprop", "train"] and "--seed" in argv and "--noise" in argv
    monkeypatch.chdir(tmp_path)
    assert main([*argv[1:], "--out", "runs", "--name", "cli", "--quiet", "--no-figures"]) == 0
    cli = runs.read_metrics(tmp_path / "runs" / "cli" / "metrics.csv")
    page = [{k: float("nan") if v is None else v for k, v in row.items()} for row in rows]
    assert len(cli) == len(page) == 6
    for mine, theirs in zip(page, cli):
        for key in ("loss", "mse", "train_accuracy", "val_loss", "val_accuracy"):
            assert mine[key] == theirs[key], (key, mine, theirs)


def test_an_edited_data_set_trains_the_same_from_its_downloaded_csv(client, tmp_path, monkeypatch):
    with client.websocket_connect("/ws") as ws:
        start(ws, n_samples=200)
        ws.send_json({"type": "add_point", "x": 0.5, "y": 0.5, "label": 0})
        run = receive(ws, "started")
        _, _, rows = run_to_end(ws)
        csv = client.get(f"/sessions/{run['token']}/playground-data.csv").text
    (tmp_path / "playground-data.csv").write_text(csv)
    monkeypatch.chdir(tmp_path)
    assert main([*shlex.split(run["command"])[1:], "--out", "runs", "--name", "cli", "--quiet", "--no-figures"]) == 0
    cli = runs.read_metrics(tmp_path / "runs" / "cli" / "metrics.csv")
    assert [row["loss"] for row in cli] == [row["loss"] for row in rows]


def test_the_downloaded_model_predicts_what_the_page_showed(client, tmp_path):
    with client.websocket_connect("/ws") as ws:
        run = start(ws, hidden=[8, 8])
        header, arrays, _ = run_to_end(ws)
        model = client.get(f"/sessions/{run['token']}/model.safetensors")
    assert model.status_code == 200
    (tmp_path / "model.safetensors").write_bytes(model.content)
    net = persistence.load(tmp_path / "model.safetensors")
    x0, x1, y0, y1 = run["extent"]
    n = run["resolution"]
    xs, ys = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n, y1 - (np.arange(n) + 0.5) * (y1 - y0) / n
    grid = np.column_stack([a.ravel() for a in np.meshgrid(xs, ys)])
    shown = arrays["heat"].reshape(n * n, -1)
    np.testing.assert_array_equal(net.predict_proba(grid).astype(np.float32), shown)
    X_test, y_test = np.array(run["points"][run["n_train"]:]), np.array(run["labels"][run["n_train"]:])
    assert np.flatnonzero(net.predict(X_test) != y_test).tolist() == header["wrong"]


def test_backprop_evaluate_scores_a_downloaded_model_on_the_pages_test_points(client, tmp_path, monkeypatch, capsys):
    with client.websocket_connect("/ws") as ws:
        start(ws, n_samples=300, noise=0.3)
        ws.send_json({"type": "add_point", "x": 0.1, "y": 0.2, "label": 1})  # edited: the model names the CSV
        run = receive(ws, "started")
        header, _, rows = run_to_end(ws)
        model = client.get(f"/sessions/{run['token']}/model.safetensors").content
        csv = client.get(f"/sessions/{run['token']}/playground-data.csv").text
    (tmp_path / "model.safetensors").write_bytes(model)
    (tmp_path / "playground-data.csv").write_text(csv)
    monkeypatch.chdir(tmp_path)  # where the command line's --data playground-data.csv is
    capsys.readouterr()
    assert main(["evaluate", "model.safetensors", "--out", "figures"]) == 0
    n_test = len(run["points"]) - run["n_train"]
    assert f"test accuracy: {1 - len(header['wrong']) / n_test:.4f}" in capsys.readouterr().out
    assert round(rows[-1]["val_accuracy"] * n_test) == n_test - len(header["wrong"])  # the points marked wrong


def test_the_backward_view_is_over_every_training_sample_at_the_weights_shown(client):
    """dL/dw of the mean loss over all the training samples (560 here, past the 500 it once took), and
    in each neuron the mean |delta| of ``backprop trace``'s per-sample deltas over the same samples."""
    with client.websocket_connect("/ws") as ws:
        run = start(ws, n_samples=800)
        ws.send_json({"type": "step_epoch"})
        ws.send_json({"type": "view", "backward": True, "hover": None})
        _, arrays = frame_where(ws, lambda h: h["backward"] and h["epoch"] == 1 and not h["playing"])
        play = client.app.state.connections[run["token"]].play
        net, data = copy.deepcopy(play.session.net), play.data
    X, y = data.X_train, data.labels(data.y_train)
    assert run["n_train"] == len(X) == 560
    traces = [trace.trace(net, x, label) for x, label in zip(X, y)]
    for i, (layer, (dW, db)) in enumerate(zip(net.layers, net.gradients(X, y))):
        np.testing.assert_array_equal(arrays[f"W{i}"], layer.weights.astype(np.float32))  # the weights shown
        np.testing.assert_allclose(arrays[f"dW{i}"], dW, rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(arrays[f"db{i}"], db, rtol=1e-5, atol=1e-9)
        mean_delta = np.mean([np.abs(t["layers"][i]["delta"]) for t in traces], axis=0)
        np.testing.assert_allclose(arrays[f"delta{i}"], mean_delta, rtol=1e-5, atol=1e-9)


def test_the_pages_trace_and_gradcheck_are_the_commands(client, tmp_path, capsys):
    with client.websocket_connect("/ws") as ws:
        run = start(ws, hidden=[5, 4], epochs=2)
        run_to_end(ws)
        ws.send_json({"type": "trace", "index": 7})
        page_trace = receive(ws, "trace")["trace"]
        ws.send_json({"type": "gradcheck"})
        page_check = receive(ws, "gradcheck")
        (tmp_path / "model.safetensors").write_bytes(client.get(f"/sessions/{run['token']}/model.safetensors").content)
    capsys.readouterr()
    assert main(["trace", str(tmp_path / "model.safetensors"), "--sample", "7", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == page_trace
    assert main(["gradcheck", str(tmp_path / "model.safetensors")]) == 0
    assert capsys.readouterr().out.strip() == page_check["table"]


def test_the_seed_state_is_the_seed_experiment():
    state = sessions.check_state({})
    experiment = sessions.experiment_for(state, "classification")
    assert experiment.hidden == (25, 50, 25) and experiment.activation == "sigmoid" and experiment.loss == "mse"
    assert (experiment.fit.learning_rate, experiment.fit.batch_size, experiment.fit.optimizer) == (0.01, 1, "sgd")
    assert sessions.command(state, "classification").startswith("backprop train --dataset moons --hidden 25,50,25")


def test_train_refuses_a_data_set_option_its_set_does_not_take(capsys):
    assert main(["train", "--dataset", "moons", "--centers", "3", "--epochs", "1"]) == 2
    assert "--centers does not apply to --dataset moons" in capsys.readouterr().err


def test_the_command_prints_its_url_and_warns_off_loopback(monkeypatch, capsys):
    served = []
    monkeypatch.setattr(server, "serve", lambda host, port, sock: (sock.close(), served.append((host, port))))
    assert main(["playground", "--port", "8123"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "backprop playground: http://127.0.0.1:8123/" and err == ""
    assert main(["playground", "--host", "0.0.0.0"]) == 0
    out, err = capsys.readouterr()
    assert "http://0.0.0.0:8000/" in out and err.startswith("warning: listening on 0.0.0.0") and err.count("\n") == 1
    assert served == [("127.0.0.1", 8123), ("0.0.0.0", 8000)]
    assert main(["playground", "--port", "70000"]) == 2
    assert "--port must be in 1..65535. Received: 70000" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["127.0.0.1", ""])
def test_a_port_in_use_or_an_empty_host_is_one_line_before_any_address(capsys, host):
    """uvicorn logged '[Errno 98] ... address already in use' and exited 3, after the command had printed
    an address that answered nothing; an empty --host listened on every interface."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code = main(["playground", "--host", host, "--port", str(port)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "--host" in err
    if host:
        assert f"--port {port}: cannot listen there" in err


def test_a_step_that_diverges_is_said_and_the_connection_goes_on(client):
    # a step's DivergenceError is no ValueError: it once escaped the message loop and closed the tab
    with client.websocket_connect("/ws") as ws:
        start(ws, dataset="plane", learning_rate=10, activation="relu", hidden=[32, 32])
        ws.send_json({"type": "step_epoch"})
        assert "diverged" in receive(ws, "error")["message"]
        ws.send_json({"type": "start", "state": SMALL})
        receive(ws, "started")
        ws.send_json({"type": "step_epoch"})
        assert frame_where(ws, lambda h: h["epoch"] == 1)


def test_a_neuron_hovered_in_the_old_network_is_forgotten_by_the_new_one(client):
    # the page forgets its hover on "started" without saying so: a kept [0, 5] failed every frame of a
    # 3-unit network
    with client.websocket_connect("/ws") as ws:
        start(ws)
        ws.send_json({"type": "view", "backward": False, "hover": [0, 5]})
        ws.send_json({"type": "start", "state": {**SMALL, "hidden": [3]}})
        receive(ws, "started")
        ws.send_json({"type": "step_epoch"})
        assert frame_where(ws, lambda h: h["epoch"] == 1)


def test_a_download_from_a_run_closed_by_a_reset_is_a_409_not_a_500(client):
    # a download racing a reset reached the closed driver: its command was refused (a 500) or, queued as
    # the driver closed, waited for ever on a worker thread
    with client.websocket_connect("/ws") as ws:
        run = start(ws)
        client.app.state.connections[run["token"]].play.driver.close()  # as a reset does, before the new run
        reply = client.get(f"/sessions/{run['token']}/model.safetensors")
    assert reply.status_code == 409 and "download again" in reply.json()["error"]


def test_a_handler_that_fails_unexpectedly_is_said_and_the_connection_goes_on(client, monkeypatch):
    # only ValueError and TypeError were answered: any other exception from a handler closed the tab's connection
    def fail(self, index):
        raise RuntimeError("the trace broke")

    monkeypatch.setattr(sessions.PlaygroundSession, "trace", fail)
    with client.websocket_connect("/ws") as ws:
        start(ws)
        ws.send_json({"type": "trace", "index": 0})
        assert receive(ws, "error")["message"] == "RuntimeError: the trace broke"
        ws.send_json({"type": "step_epoch"})
        assert frame_where(ws, lambda h: h["epoch"] == 1)


def test_a_frame_reads_the_view_once_while_the_page_changes_it():
    # frame runs on the training thread while the event loop may set the connection's hover: it read
    # hover three times, so a hover cleared between the reads failed the frame (neuron_map(*None))
    # or sent arrays of one view under the header of another
    class Moving:
        backward = False

        def __init__(self):
            self.reads = iter([[0, 0]])  # hovered at the first read, cleared by the page after it

        @property
        def hover(self):
            return next(self.reads, None)

    play = sessions.PlaygroundSession(sessions.check_state(SMALL))
    try:
        sent = server.Sent(1, server.views.grid_for(play.data.X))
        header, arrays = protocol.decode_frame(server.frame(Moving(), play, sent))
        assert header["hover"] == [0, 0] and "neuron" in arrays and sent.last[2] == (0, 0)
    finally:
        play.close()


def test_a_tab_closing_its_old_run_does_not_freeze_the_other_tabs(client):
    # replacing a run joined the old driver's thread (up to 10 s, while a big step ends) on the event
    # loop itself: every tab's messages and frames waited for it
    import threading

    closing, release, closed = threading.Event(), threading.Event(), threading.Event()
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        run_a = start(a)
        start(b)
        play_a = client.app.state.connections[run_a["token"]].play
        close = play_a.close

        def slow_close():  # an old run whose step takes long to end
            closing.set()
            release.wait(10)
            close()
            closed.set()

        play_a.close = slow_close
        a.send_json({"type": "reset"})
        assert closing.wait(10)
        b.send_json({"type": "step_epoch"})
        frame_where(b, lambda h: h["epoch"] == 1)
        assert not closed.is_set(), "tab b was answered only after tab a's old run had closed"
        release.set()
        receive(a, "started")
