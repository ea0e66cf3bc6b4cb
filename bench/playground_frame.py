"""What one playground frame costs the training thread, forward and backward, with the backward
view's gradients and deltas over the first 500 training samples against all of them.

    python bench/playground_frame.py            # the seed's network, and the limits' biggest

A frame is computed on the training thread between two steps (server.frame), so its cost is time
the run does not train. Each case builds the page's session for a state (not playing), then times
``server.frame`` ``--repeats`` times (median, milliseconds), and ``views.backward`` alone.
"""
from __future__ import annotations

import argparse
import statistics
import time
from types import SimpleNamespace

from backprop.playground import server, sessions, views

CASES = {
    "seed (2-25-50-25-2, 1400 training samples)": {},
    "limits' biggest (6 x 64 hidden, 4750 training samples)": {"hidden": [64] * 6, "n_samples": 5000,
                                                                "test_size": 0.05},
}


def median_ms(function, repeats: int) -> float:
    function()  # a first call warms caches
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return 1000 * statistics.median(times)


def frame_ms(play, backward: bool, samples: int | None, repeats: int) -> float:
    """server.frame's median time, the backward view over ``samples`` training samples (None: all)."""
    conn = SimpleNamespace(backward=backward, hover=None)
    sent = server.Sent(1, views.grid_for(play.data.X))
    server.BACKWARD_SAMPLES = samples

    def one():
        sent.last = None  # the same snapshot again: computed, not skipped
        server.frame(conn, play, sent)
    return median_ms(one, repeats)


def measure(name: str, state: dict, repeats: int) -> None:
    """Print one case's times: the page's session for ``state``, at its initial weights."""
    play = sessions.PlaygroundSession(sessions.check_state(state))
    saved = server.BACKWARD_SAMPLES
    try:
        X, y = play.data.X_train, play.data.labels(play.data.y_train)
        net = views.load(play.viewer, play.driver.latest().params)
        rows = [("frame, forward view", frame_ms(play, False, 500, repeats)),
                ("frame, backward, 500 samples", frame_ms(play, True, 500, repeats)),
                (f"frame, backward, all {len(X)}", frame_ms(play, True, None, repeats)),
                ("views.backward, 500 samples", median_ms(lambda: views.backward(net, X[:500], y[:500]), repeats)),
                (f"views.backward, all {len(X)}", median_ms(lambda: views.backward(net, X, y), repeats))]
        print(f"{name}:")
        for what, ms in rows:
            print(f"  {what:<32}{ms:7.1f} ms")
    finally:
        play.close()
        server.BACKWARD_SAMPLES = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    for name, state in CASES.items():
        measure(name, state, args.repeats)


if __name__ == "__main__":
    main()
