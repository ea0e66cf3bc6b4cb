"""Why Adam at batch 1 stays above 2x plain SGD's time per sample: its update, timed alone.

    python bench/adam_update.py [--repeats 7] [--calls 20000]

Each update runs on the seed network's 2,702 parameters, weights and biases (one flat array, as
the compiled kernels take them), ``--calls`` times inside one compiled loop, so no Python call is timed; contenders are
interleaved within each repeat; medians [min-max], microseconds per update. Besides the engine's
own kernels (``numba_kernels.update_sgd``, ``update_momentum``, ``update_adam``; they are inlined
into their caller and take its fastmath flags, so each loop here has the engine's UPDATE_MATH), two variants
that exist only here:
- Adam without its square root and division (p -= step * m * (v + eps)): not an update, the cost
  of everything else Adam does (its moments, its extra memory traffic);
- Adam with the square root and the reciprocal taken in float32 and refined by one Newton step
  each in float64 (about 1e-14 relative error, no longer rounded as the reference): the usual
  way around a slow double-precision divider.
For scale, the same run times a whole per-sample SGD step inside ``fit`` (forward, backward and
update) and a per-sample Adam step: Adam's sample can be no shorter than SGD's sample less SGD's
update plus Adam's update.
"""
from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np
from numba import njit

from backprop import Dense, Network, datasets
from backprop.engines import numba_kernels as k

SIZES = [2, 25, 50, 25, 2]
PARAMETERS = sum((n_in + 1) * n_out for n_in, n_out in zip(SIZES[:-1], SIZES[1:]))  # 2,702
B1, B2, EPS, LR = 0.9, 0.999, 1e-8, 1e-3


@njit(cache=True, error_model="numpy", fastmath=k.UPDATE_MATH)
def sgd(p, g, m, v, calls):
    for _ in range(calls):
        k.update_sgd(p, g, LR)


@njit(cache=True, error_model="numpy", fastmath=k.UPDATE_MATH)
def momentum(p, g, m, v, calls):
    for _ in range(calls):
        k.update_momentum(p, g, m, LR, B1, False)


@njit(cache=True, error_model="numpy", fastmath=k.UPDATE_MATH)
def adam(p, g, m, v, calls):
    for t in range(1, calls + 1):
        k.update_adam(p, g, m, v, B1, B2, EPS, 1 - B1, 1 - B2, LR / (1.0 - B1**t), 1.0 / (1.0 - B2**t))


@njit(error_model="numpy", fastmath=k.UPDATE_MATH, inline="always")
def moments(g, m, v, i):
    """Adam's moments of parameter i, updated in place and returned: (m_i, v_i)."""
    mi = B1 * m[i] + (1 - B1) * g[i]
    vi = B2 * v[i] + (1 - B2) * g[i] * g[i]
    m[i], v[i] = mi, vi
    return mi, vi


@njit(cache=True, error_model="numpy", fastmath=k.UPDATE_MATH)
def adam_without_sqrt_and_division(p, g, m, v, calls):
    for t in range(1, calls + 1):
        step, inverse_c2 = LR / (1.0 - B1**t), 1.0 / (1.0 - B2**t)
        for i in range(p.size):
            mi, vi = moments(g, m, v, i)
            p[i] -= step * mi * (vi * inverse_c2 + EPS)


@njit(cache=True, error_model="numpy", fastmath=k.UPDATE_MATH)
def adam_float32_newton(p, g, m, v, calls):
    for t in range(1, calls + 1):
        step, inverse_c2 = LR / (1.0 - B1**t), 1.0 / (1.0 - B2**t)
        for i in range(p.size):
            mi, vi = moments(g, m, v, i)
            w = vi * inverse_c2
            r = np.float64(np.float32(1.0) / math.sqrt(np.float32(w)))  # ~1/sqrt(w), float32's 24 bits
            r = r * (1.5 - 0.5 * w * r * r)  # one Newton step: ~46 bits
            d = w * r + EPS  # sqrt(w) + eps
            c = np.float64(np.float32(1.0) / np.float32(d))  # ~1/d
            c = c * (2.0 - d * c)
            p[i] -= step * mi * c


UPDATES = {"SGD (engine)": sgd, "momentum (engine)": momentum, "Adam (engine)": adam,
           "Adam without sqrt and division": adam_without_sqrt_and_division,
           "Adam, float32 estimates + Newton": adam_float32_newton}


def time_update(update, calls: int) -> float:
    """Microseconds per call of ``update`` on fresh state (the moments start at zero, as in training)."""
    rng = np.random.default_rng(0)
    p, g = rng.standard_normal(PARAMETERS), 1e-2 * rng.standard_normal(PARAMETERS)
    m, v = np.zeros(PARAMETERS), np.zeros(PARAMETERS)
    start = time.perf_counter()
    update(p, g, m, v, calls)
    return 1e6 * (time.perf_counter() - start) / calls


def per_sample_step(optimizer: str, epochs: int = 5) -> float:
    """Microseconds per sample of ``fit`` at batch 1 on the seed's network (training only)."""
    data = datasets.moons()
    net = Network([Dense(n_in, n_out, "sigmoid") for n_in, n_out in zip(SIZES[:-1], SIZES[1:])], loss="mse", seed=0)
    history = net.fit(data.X_train, data.y_train, epochs=epochs, batch_size=1, optimizer=optimizer,
                      learning_rate=0.001, eval_every=epochs)
    return 1e6 * history.seconds / epochs / len(data.X_train)


def agreement() -> float:
    """Largest relative difference of the Newton variant's parameters from the engine's Adam after 1,000 steps."""
    rng = np.random.default_rng(1)
    start, g = rng.standard_normal(PARAMETERS), 1e-2 * rng.standard_normal(PARAMETERS)
    results = []
    for update in (adam, adam_float32_newton):
        p, m, v = start.copy(), np.zeros(PARAMETERS), np.zeros(PARAMETERS)
        update(p, g, m, v, 1000)
        results.append(p)
    return float(np.max(np.abs(results[1] - results[0]) / np.abs(results[0])))


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.4g} [{min(values):.4g}-{max(values):.4g}]"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    contenders = {name: (lambda u=update: time_update(u, args.calls)) for name, update in UPDATES.items()}
    contenders["per-sample SGD step in fit"] = lambda: per_sample_step("sgd")
    contenders["per-sample Adam step in fit"] = lambda: per_sample_step("adam")
    for run in contenders.values():  # compile (or load) everything off the clock
        run()
    times = {name: [] for name in contenders}
    for _ in range(args.repeats):
        for name, run in contenders.items():
            times[name].append(run())
    print(f"microseconds; the updates on {PARAMETERS:,} parameters, {args.calls:,} calls per repeat; "
          f"{args.repeats} repeats, interleaved; medians [min-max]")
    sgd_step = times["per-sample SGD step in fit"]
    for name, values in times.items():
        ratio = [v / s for v, s in zip(values, sgd_step)]
        print(f"  {name:36s} {fmt(values):28s} x per-sample SGD step {fmt(ratio)}")
    floor = [(s - u + a) / s for s, u, a in zip(sgd_step, times["SGD (engine)"], times["Adam (engine)"])]
    print(f"Adam's per-sample step can be no shorter than SGD's step - SGD's update + Adam's update: "
          f"x {fmt(floor)} of SGD's step")
    print(f"Newton variant against the engine's Adam after 1,000 steps: largest relative difference {agreement():.2g}")


if __name__ == "__main__":
    main()
