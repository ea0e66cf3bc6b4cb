"""The playground end to end: Debian's chromium (driven by Playwright, never a downloaded browser)
against a real uvicorn server on a loopback port."""
import json
import shutil
import socket
import threading
import time
from urllib.parse import quote

import numpy as np
import pytest

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

from backprop import persistence  # noqa: E402
from backprop.playground import server  # noqa: E402

pytestmark = pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs Debian's chromium")


@pytest.fixture
def url():
    """A real playground server on a free loopback port, stopped after the test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(server.create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    uv.should_exit = True
    thread.join(10)


@pytest.fixture
def page():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1320, "height": 960}, accept_downloads=True)
        errors = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        # a console error (a failed request: a missing favicon was one) is what a newcomer sees in devtools
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        yield page
        browser.close()
        assert not errors, errors


# the words of an element's text that the browser wrapped over two lines
WORDS_BROKEN_ACROSS_LINES = """id => {
  const walker = document.createTreeWalker(document.getElementById(id), NodeFilter.SHOW_TEXT), broken = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      if (range.getClientRects().length > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""
TEST_ACCURACY_ABOVE_90 = "window.__pg.rows.length && window.__pg.rows[window.__pg.rows.length - 1].val_accuracy > 0.9"
HEAT_SUM = "Array.from(window.__pg.arrays.heat.data.slice(0, 2000)).reduce((a, b) => a + b, 0)"


def test_play_backward_trace_and_download_in_a_real_browser(url, page, tmp_path):
    page.goto(url)
    page.wait_for_function("window.__pg.frames > 0", timeout=60_000)
    first = page.evaluate(HEAT_SUM)
    page.click("#play")
    page.wait_for_function(TEST_ACCURACY_ABOVE_90, timeout=60_000)
    assert page.evaluate(HEAT_SUM) != first  # the decision map moved
    assert "test accuracy" in page.text_content("#score")
    page.screenshot(path=tmp_path / "forward.png")

    page.click("#play")  # pause
    page.wait_for_function("window.__pg.header && !window.__pg.header.playing")
    page.check("#backward")
    page.wait_for_function("window.__pg.arrays.dW0 !== undefined && window.__pg.header.backward")
    box = page.locator("#net").bounding_box()
    page.mouse.move(box["x"] + 30 + (560 - 60) / 4, box["y"] + 210)  # a neuron of the first hidden layer
    page.wait_for_function("window.__pg.arrays.neuron !== undefined")

    # a link's value on hover: the weight from input 0 to the first hidden layer's neuron 0, in backward dL/dw
    (ax, ay, _), (bx, by, _) = page.evaluate("[layout()[0][0], layout()[1][0]]")
    page.mouse.move(box["x"] + (ax + bx) / 2, box["y"] + (ay + by) / 2)
    page.wait_for_selector("#tooltip:not([hidden])")
    dW = page.evaluate("window.__pg.arrays.dW0.data[0]")
    assert page.text_content("#tooltip") == f"dL/dw layer 0 [0→0] = {page.evaluate(f'({dW}).toPrecision(4)')}"
    page.click("#gradcheck")
    page.wait_for_function("window.__pg.gradcheck !== null")
    assert "PASS" in page.text_content("#gradcheck-result") and "layer 3: worst relative error" in page.text_content(
        "#gradcheck-result")

    # click the first training point: its trace opens beside the equations
    x, y = page.evaluate("toCanvas(window.__pg.run.points[0][0], window.__pg.run.points[0][1], $('plane'))")
    page.locator("#plane").click(position={"x": x, "y": y})
    page.wait_for_selector("#trace-box:not([hidden])")
    assert "delta =" in page.text_content("#trace") and "dW_l = a_(l-1)^T delta_l" in page.text_content("#trace")
    assert page.evaluate("window.__pg.trace.index") == 0
    page.screenshot(path=tmp_path / "backward.png", full_page=True)

    with page.expect_download() as download:
        page.click("#download-model")
    download.value.save_as(tmp_path / "model.safetensors")
    net = persistence.load(tmp_path / "model.safetensors")
    run = page.evaluate("window.__pg.run")
    heat = np.array(page.evaluate("Array.from(window.__pg.arrays.heat.data)"), dtype=np.float32)
    x0, x1, y0, y1 = run["extent"]
    n = run["resolution"]
    xs, ys = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n, y1 - (np.arange(n) + 0.5) * (y1 - y0) / n
    grid = np.column_stack([a.ravel() for a in np.meshgrid(xs, ys)])
    np.testing.assert_array_equal(net.predict_proba(grid).astype(np.float32).ravel(), heat)
    assert json.loads(page.evaluate("decodeURIComponent(location.hash.slice(1))"))["hidden"] == [25, 50, 25]
    assert page.evaluate(WORDS_BROKEN_ACROSS_LINES, "command") == []  # "--activ" / "ation" read as two options
    assert page.text_content("#command").startswith("backprop train --dataset moons --hidden 25,50,25 ")
    assert (tmp_path / "forward.png").stat().st_size > 10_000

    # a CSV uploaded through the file control becomes the run
    rows = "".join(f"{i % 7 / 7},{i % 5 / 5},{'yes' if i % 2 else 'no'}\n" for i in range(40))
    (tmp_path / "mine.csv").write_text("a,b,kind\n" + rows)
    page.set_input_files("#upload", tmp_path / "mine.csv")
    page.wait_for_function("window.__pg.run.state.dataset === 'upload' && window.__pg.header")
    assert len(page.evaluate("window.__pg.run.points")) == 40 and not page.is_hidden("#download-data")

    # a link taken after the upload reproduces that run in a new tab: its command line, its first curve point
    page.wait_for_function("window.__pg.rows.length > 0")
    assert "the link to this run carries it" in page.text_content("#status")
    link, command, first_row = page.evaluate("[location.href, $('command').textContent, window.__pg.rows[0]]")
    tab, tab_errors = page.context.browser.new_page(), []  # a tab of its own: nothing shared but the link
    tab.on("pageerror", lambda err: tab_errors.append(str(err)))
    tab.goto(link)
    tab.wait_for_function("window.__pg.run && window.__pg.run.state.dataset === 'upload' && window.__pg.rows.length",
                          timeout=60_000)
    assert tab.text_content("#command") == command and "--data playground-data.csv" in command
    assert tab.evaluate("window.__pg.rows[0]") == first_row
    assert tab.evaluate("window.__pg.run.points") == page.evaluate("window.__pg.run.points")
    tab.screenshot(path=tmp_path / "linked-upload.png")
    tab.close()
    assert not tab_errors, tab_errors

    # a limit is refused with its message in the page
    for _ in range(40):  # the first hidden layer to its 64-neuron limit (25 + 39), then one more
        page.click("#layers button[data-layer='0'][data-d='1']")
        page.wait_for_function("n => window.__pg.run && window.__pg.run.sizes[1] === n", arg=min(26 + _, 64))
    page.wait_for_function("$('status').textContent.includes('hidden layers hold 1 to 64 neurons each')")
    assert page.evaluate("window.__pg.run.sizes") == [2, 64, 50, 25, 2]

    # a link holds the whole state: opening one starts that run
    linked = {"dataset": "xor", "noise": 0.1, "hidden": [3], "seed": 2, "optimizer": "adam", "epochs": 7}
    page.goto(url + "#" + quote(json.dumps(linked)))
    page.wait_for_function("window.__pg.run.state.dataset === 'xor' && window.__pg.header")
    command = page.text_content("#command")
    assert page.evaluate("window.__pg.run.sizes") == [2, 3, 2] and "--dataset xor --noise 0.1" in command
    assert "--optimizer adam" in command and "--epochs 7" in command and "--seed 2" in command


def test_a_regression_run_shows_r2_as_evaluate_prints_it(url, page):
    """R² is no share (it goes below 0 for a poor fit): the page showed it as '98.4%'."""
    import re

    page.goto(url)
    page.wait_for_function("window.__pg.frames > 0", timeout=60_000)
    page.select_option("#dataset", "plane")
    page.wait_for_function("window.__pg.run && window.__pg.run.task === 'regression'")
    page.click("#step-epoch")
    page.wait_for_function("window.__pg.rows.length > 1")
    page.wait_for_function("$('score').textContent.includes('R²')")
    assert re.fullmatch(r"test R² -?\d+\.\d{4}  train -?\d+\.\d{4}  loss \d\.\d{5}",
                        page.text_content("#score")), page.text_content("#score")
