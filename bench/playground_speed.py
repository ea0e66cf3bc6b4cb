"""The playground's speed with the page open in Debian's chromium: updates a second reaching the
browser, and the page's training throughput against ``backprop train``'s for the same configuration.

    python bench/playground_speed.py                       # the seed's network, 3 repeats of 5 s
    python bench/playground_speed.py --screenshots docs    # also docs/playground-forward.png, -backward.png

Goal (issue 21): at least 15 updates/s, and at least half the command line's samples/s. Each repeat
plays the page for ``--seconds`` and counts the frames the page decoded and drew, and the samples
the server trained (from the frames' own counters); then the page's command line runs in this
process with ``--epochs`` epochs. The command line's samples/s is from its reported training time
(evaluation included, callbacks not); the page's from the wall clock (everything included).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import shlex
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import uvicorn
from playwright.sync_api import sync_playwright

from backprop.cli import main
from backprop.playground import server

STATE = {"epochs": 100_000}  # the seed's experiment, with epochs enough to play through the measurement


def start_server() -> tuple[str, uvicorn.Server]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(server.create_app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=uv.run, daemon=True).start()
    while not uv.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}/", uv


def measure_page(page, url: str, seconds: float) -> tuple[float, float, float, str]:
    """(updates/s received by the page, of them drawn, samples/s trained, its command line) over one play."""
    page.goto(url + "#" + quote(json.dumps(STATE)))
    page.reload()  # a fresh page and run each repeat (a goto that changes only the hash reloads nothing)
    page.wait_for_function("window.__pg.header && window.__pg.run", timeout=120_000)
    page.click("#play")
    page.wait_for_function("window.__pg.header && window.__pg.header.playing && window.__pg.header.samples > 0")
    counters = "[window.__pg.frames, window.__pg.drawn, window.__pg.header.samples, performance.now()]"
    frames0, drawn0, samples0, t0 = page.evaluate(counters)
    time.sleep(seconds)
    frames1, drawn1, samples1, t1 = page.evaluate(counters)
    page.click("#play")
    elapsed = (t1 - t0) / 1000
    return ((frames1 - frames0) / elapsed, (drawn1 - drawn0) / elapsed, (samples1 - samples0) / elapsed,
            page.text_content("#command"))


def measure_cli(command: str, epochs: int, folder: Path) -> float:
    """samples/s of ``backprop train`` running the page's command line for ``epochs`` epochs."""
    argv = shlex.split(command)[1:]
    argv[argv.index("--epochs") + 1] = str(epochs)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main([*argv, "--out", str(folder), "--quiet", "--no-figures"])
    seconds = float(next(line.split()[2] for line in out.getvalue().splitlines() if line.startswith("training time")))
    return 1400 * epochs / seconds


def screenshots(page, url: str, folder: Path) -> None:
    """The page forward (a neuron hovered) and backward (a point's trace open), for the README."""
    page.goto(url)
    page.reload()
    page.wait_for_function("window.__pg.header && window.__pg.run", timeout=120_000)
    page.click("#play")
    page.wait_for_function("window.__pg.rows.length > 300")
    page.click("#play")
    box = page.locator("#net").bounding_box()
    page.mouse.move(box["x"] + 30 + (560 - 60) / 4, box["y"] + 210)
    page.wait_for_function("window.__pg.arrays.neuron !== undefined")
    page.screenshot(path=folder / "playground-forward.png")
    page.check("#backward")
    page.wait_for_function("window.__pg.arrays.dW0 !== undefined")
    x, y = page.evaluate("toCanvas(window.__pg.run.points[3][0], window.__pg.run.points[3][1], $('plane'))")
    page.locator("#plane").click(position={"x": x, "y": y})
    page.wait_for_selector("#trace-box:not([hidden])")
    page.click("#gradcheck")
    page.wait_for_function("window.__pg.gradcheck !== null")
    page.screenshot(path=folder / "playground-backward.png", full_page=True)


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="play time per repeat (default 5)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=300, help="epochs the command line trains (default 300)")
    parser.add_argument("--screenshots", type=Path, help="write playground-forward.png / -backward.png here")
    args = parser.parse_args()
    url, uv = start_server()
    rates, drawn, page_sps, cli_sps = [], [], [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1320, "height": 960})
            for _ in range(args.repeats):
                rate, painted, sps, command = measure_page(page, url, args.seconds)
                rates.append(rate)
                drawn.append(painted)
                page_sps.append(sps)
                with tempfile.TemporaryDirectory() as folder:
                    cli_sps.append(measure_cli(command, args.epochs, Path(folder)))
                print(f"updates/s {rate:5.1f} received, {painted:5.1f} drawn   page {sps:10,.0f} samples/s   "
                      f"backprop train {cli_sps[-1]:10,.0f} samples/s", flush=True)
            if args.screenshots:
                screenshots(page, url, args.screenshots)
            browser.close()
    finally:
        uv.should_exit = True
    median = statistics.median
    print(f"median: {median(rates):.1f} updates/s received, {median(drawn):.1f} drawn (goal >= 15); "
          f"page {median(page_sps):,.0f} samples/s = "
          f"{median(page_sps) / median(cli_sps):.0%} of backprop train's {median(cli_sps):,.0f} (goal >= 50%)")
    print(f"command: {command}")


if __name__ == "__main__":
    main_bench()
