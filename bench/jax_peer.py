"""The JAX contender for bench/engines_speed.py, run with a Python that has JAX
(`pip install "jax[cpu]" optax`; never a dependency of backprop). It trains what backprop
trains, written as a JAX user would, and prints one JSON line of timings (compilation excluded):

    python bench/jax_peer.py per-sample EPOCHS SRC  # seed network, per-sample SGD, float64, lax.scan per epoch
    python bench/jax_peer.py fast REPEATS SRC       # fast preset: 2-64-2, Adam 0.02 cosine, batch 64, 25 epochs
    python bench/jax_peer.py serve 0 SRC            # one process answering such requests from stdin

SRC is backprop's src/ folder (for the data set, made exactly as backprop makes it). ``serve``
reads one request per line ("per-sample 10", "fast 5") and answers each with one JSON line, every
program compiled once, at its first request: a bench then times JAX right beside backprop, within
milliseconds, instead of a process start and a compilation apart (the machine's speed drifts).
"""
import json
import sys
import time

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else ".")
from backprop import datasets  # noqa: E402  (the same split, made without scikit-learn)

DATA = datasets.moons()


def per_sample_program():
    """The compiled per-sample SGD epoch and its training data: run(epochs) -> timings."""
    rng = np.random.default_rng(0)
    params = []
    for a, b in zip([2, 25, 50, 25], [25, 50, 25, 2]):
        limit = np.sqrt(6 / (a + b))
        params.append((jnp.asarray(rng.uniform(-limit, limit, (a, b))), jnp.zeros(b)))

    def loss(p, x, t):
        for W, b in p:
            x = jax.nn.sigmoid(x @ W + b)
        return 0.5 * jnp.sum((x - t) ** 2)

    grad = jax.grad(loss)

    @jax.jit
    def epoch(p, X, T):
        def step(p, xt):
            return jax.tree.map(lambda w, g: w - 0.01 * g, p, grad(p, *xt)), None
        return jax.lax.scan(step, p, (X, T))[0]

    X, T = jnp.asarray(DATA.X_train), jnp.asarray(np.eye(2)[DATA.y_train])
    jax.block_until_ready(epoch(params, X, T))  # compile

    def run(epochs: int) -> dict:
        p = params
        start = time.perf_counter()
        for _ in range(epochs):
            p = epoch(p, X, T)
        jax.block_until_ready(p)
        seconds = time.perf_counter() - start
        return {"us_per_sample": 1e6 * seconds / epochs / len(DATA.X_train)}
    return run


def fast_program():
    """The fast preset's whole training as one jitted program: run(repeats) -> timings, accuracies."""
    import optax

    X, y = jnp.asarray(DATA.X_train, jnp.float32), jnp.asarray(DATA.y_train)
    n, batch, epochs = len(DATA.X_train), 64, 25
    steps = -(-n // batch)
    schedule = optax.cosine_decay_schedule(0.02, epochs * steps)
    optimizer = optax.adam(schedule)

    def logits(p, x):
        return jax.nn.relu(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]

    def loss(p, xb, yb):
        return optax.softmax_cross_entropy_with_integer_labels(logits(p, xb), yb).mean()

    @jax.jit
    def train(key):
        k1, k2 = jax.random.split(key)
        p = {"W1": jax.random.normal(k1, (2, 64), jnp.float32), "b1": jnp.zeros(64, jnp.float32),
             "W2": jax.random.normal(k2, (64, 2), jnp.float32) * jnp.sqrt(2 / 64), "b2": jnp.zeros(2, jnp.float32)}
        state = optimizer.init(p)

        def one_epoch(carry, k):
            order = jax.random.permutation(k, n)
            order = jnp.concatenate([order, order[:steps * batch - n]]).reshape(steps, batch)

            def step(carry, rows):
                p, state = carry
                updates, state = optimizer.update(jax.grad(loss)(p, X[rows], y[rows]), state, p)
                return (optax.apply_updates(p, updates), state), None
            return jax.lax.scan(step, carry, order)[0], None

        return jax.lax.scan(one_epoch, (p, state), jax.random.split(key, epochs))[0][0]

    jax.block_until_ready(train(jax.random.PRNGKey(0)))  # compile

    def run(repeats: int) -> dict:
        times, accuracies = [], []
        for seed in range(repeats):
            start = time.perf_counter()
            p = jax.block_until_ready(train(jax.random.PRNGKey(seed)))
            times.append(time.perf_counter() - start)
            predicted = np.argmax(np.asarray(logits(p, jnp.asarray(DATA.X_test, jnp.float32))), axis=1)
            accuracies.append(float(np.mean(predicted == DATA.y_test)))
        return {"seconds": times, "test_accuracy": accuracies}
    return run


PROGRAMS = {"per-sample": per_sample_program, "fast": fast_program}


def serve() -> None:
    """Answer "WHAT COUNT" lines from stdin with one JSON line each, until stdin closes."""
    built = {}
    for line in sys.stdin:
        what, count = line.split()
        if what not in built:
            built[what] = PROGRAMS[what]()
        print(json.dumps(built[what](int(count))), flush=True)


if __name__ == "__main__":
    what, count = sys.argv[1], int(sys.argv[2])
    if what == "serve":
        serve()
    else:
        print(json.dumps(PROGRAMS[what]()(count)))
