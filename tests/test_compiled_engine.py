"""The compiled engine runs every configuration and agrees with the NumPy reference."""
import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backprop import Dense, Network, datasets, engines, optimizers
from backprop.training import FitConfig

pytest.importorskip("numba")

LOSSES = {  # loss -> output layer
    "mse": lambda: Dense(5, 2, "sigmoid"),
    "cross_entropy": lambda: Dense(5, 3, "softmax"),
    "binary_cross_entropy": lambda: Dense(5, 1, "sigmoid"),
}
GRID = list(itertools.product(sorted(optimizers.OPTIMIZERS), sorted(LOSSES), [1, 7, 200], [0.0, 1e-3]))


@pytest.fixture(scope="module")
def data():
    d = datasets.moons(n_samples=300)
    y = d.y_train.copy()
    y[::5] = 2  # a third class, for the softmax networks
    return d.X_train[:200], d.y_train[:200], y[:200]


def make(loss, dtype, hidden="tanh"):
    return Network([Dense(2, 6, hidden), Dense(6, 5, "relu"), LOSSES[loss]()], loss=loss, seed=1, dtype=dtype)


@pytest.mark.parametrize("optimizer,loss,batch_size,decay", GRID)
@pytest.mark.parametrize("dtype,tolerance", [("float64", 1e-10), ("float32", 1e-4)])
def test_compiled_engine_agrees_with_the_reference(data, optimizer, loss, batch_size, decay, dtype, tolerance):
    X, y2, y3 = data
    y = y3 if loss == "cross_entropy" else y2
    histories, nets = [], []
    for engine in ("numpy", "numba"):
        net = make(loss, dtype)
        histories.append(net.fit(X, y, epochs=4, eval_every=1, batch_size=batch_size, optimizer=optimizer,
                                 weight_decay=decay, learning_rate=0.02, schedule="cosine", engine=engine))
        nets.append(net)
    for a, b in zip(nets[0].parameters(), nets[1].parameters()):
        assert a.dtype == b.dtype == np.dtype(dtype)
        np.testing.assert_allclose(b, a, rtol=0, atol=tolerance)
    np.testing.assert_allclose(histories[1].loss, histories[0].loss, rtol=tolerance)
    np.testing.assert_array_equal(histories[1].train_accuracy, histories[0].train_accuracy)
    assert not np.allclose(nets[0].parameters()[0], make(loss, dtype).parameters()[0])  # it trained


@pytest.mark.parametrize("optimizer,batch_size,name", [
    ("adam", 1, "numba-per-sample"), ("momentum", 1, "numba-per-sample"), ("rmsprop", 1, "numba-per-sample"),
    ("sgd", 32, "numba"), ("rmsprop", 64, "numba")])
def test_auto_picks_the_compiled_engine(optimizer, batch_size, name):
    config = FitConfig(optimizer=optimizer, batch_size=batch_size)
    assert engines.select("auto", make("mse", "float64"), config).name == name
    assert engines.select("numpy", make("mse", "float64"), config).name in ("numpy", "numpy-per-sample")


@pytest.mark.parametrize("optimizer,decay", [("sgd", 0.0), ("sgd", 1e-3), ("adam", 0.0)])
def test_per_sample_training_compiles_nothing_of_the_general_engine(monkeypatch, optimizer, decay):
    """On a fresh install the general epoch loop and scorer are 5-7 s of compiling that a per-sample
    run never uses: it has its own loop and scorer."""
    from backprop.engines import numba_engine

    def compiled_the_general_engine(*args, **kwargs):
        raise AssertionError("the general engine was compiled for per-sample training")

    monkeypatch.setattr(numba_engine, "warm_up", compiled_the_general_engine)
    config = FitConfig(batch_size=1, optimizer=optimizer, weight_decay=decay)
    assert engines.select("auto", make("cross_entropy", "float64"), config).name == "numba-per-sample"
    with pytest.raises(AssertionError, match="general engine was compiled"):
        engines.select("auto", make("mse", "float64"), FitConfig(batch_size=2))


def test_auto_compiles_large_batches_too():
    net = Network([Dense(2, 256, "sigmoid"), Dense(256, 256, "sigmoid"), Dense(256, 2, "softmax")],
                  loss="cross_entropy", seed=0)
    assert engines.select("auto", net, FitConfig(batch_size=256)).name == "numba"
    assert engines.select("numpy", net, FitConfig(batch_size=256)).name == "numpy"


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("engine", ["numba_engine", "numba_per_sample"])
def test_compiled_scores_agree_with_the_reference(data, loss, engine):
    import importlib

    from backprop.metrics import scores

    X, y2, y3 = data
    y = y3 if loss == "cross_entropy" else y2
    net = make(loss, "float64")
    net.fit(X, y, epochs=2, learning_rate=0.5, engine="numpy")  # outputs away from the start's
    X, y = np.concatenate([X] * 3), np.concatenate([y] * 3)  # 600 rows: two whole blocks and a part
    Y = net.as_targets(y, len(X))
    compiled = importlib.import_module(f"backprop.engines.{engine}").scores(net, X, Y, y)
    reference = scores(net, X, Y, y)
    np.testing.assert_allclose(compiled, reference, rtol=1e-12)
    assert 0.3 < reference[2] < 1  # labels both right and wrong


READ_ONLY = """
import os, tempfile
# The install's file system refuses writes (root ignores permission bits, so say it here):
_makedirs, _temporary = os.makedirs, tempfile.TemporaryFile
def makedirs(path, *args, **kwargs):
    if str(path).startswith({install!r}):
        raise PermissionError(30, "Read-only file system", str(path))
    return _makedirs(path, *args, **kwargs)
def temporary(*args, dir=None, **kwargs):
    if dir is not None and str(dir).startswith({install!r}):
        raise PermissionError(30, "Read-only file system", str(dir))
    return _temporary(*args, dir=dir, **kwargs)
os.makedirs, tempfile.TemporaryFile = makedirs, temporary
"""


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop"])
@pytest.mark.parametrize("batch_size", [1, 2])
def test_float32_updates_compute_in_float32_as_the_reference(optimizer, batch_size):
    """A float32 network's compiled update computes in float32, as the reference does: a gradient
    whose square overflows float32 makes the mean square inf and leaves that weight where it was,
    in both (computed in float64 and rounded, as the kernels did, the weight moved by ~lr; with
    1 - beta written in the loop, the compiler turned it into inf - inf = NaN). The bias moves by
    the same step in both: the bias corrections 1 - beta^t come from float64 betas, as the
    reference's (from float32-rounded betas its first step was 7e-6 short)."""
    import copy

    net = Network([Dense(1, 1, "identity")], loss="mse", seed=0, dtype="float32")
    net.layers[0].set_params(np.array([[0.5]]), np.array([0.0]), np.float32)
    X, Y = np.full((batch_size, 1), 1e19, np.float32), np.zeros((batch_size, 1), np.float32)
    config = FitConfig(batch_size=batch_size, optimizer=optimizer, learning_rate=0.01)
    trained = {}
    for engine in ("numpy", "numba"):
        twin = copy.deepcopy(net)
        with np.errstate(over="ignore", invalid="ignore"):  # the reference squares 5e37 on purpose
            engines.select(engine, twin, config).run_epoch(twin, X, Y, optimizers.get(optimizer, 0.01), config)
        trained[engine] = twin.layers[0]
    assert trained["numpy"].weights[0, 0] == np.float32(0.5)  # g^2 = inf: the weight did not move
    assert trained["numba"].weights[0, 0] == np.float32(0.5)
    np.testing.assert_allclose(trained["numba"].bias, trained["numpy"].bias, rtol=1e-6)  # g^2 = 2.5e37: it did


def test_a_read_only_install_compiles_into_the_users_cache(tmp_path):
    """Installed where it cannot write (a system site-packages), the engine still runs: its compiled
    code goes to the user's cache folder (~/.cache/numba), where the next process finds it (and
    the BLAS it calls by name: batches of 64 on 64 units take numba_blas's products), to the bit."""
    import shutil

    install = tmp_path / "site"
    shutil.copytree(Path(__file__).resolve().parent.parent / "src" / "backprop", install / "backprop",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for path in [install, *install.rglob("*")]:
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
    home = tmp_path / "home"
    home.mkdir()
    code = (READ_ONLY.format(install=str(install)) +
            "from backprop import Network, Dense, datasets; d = datasets.moons(n_samples=100)\n"
            "net = Network([Dense(2, 64, 'tanh'), Dense(64, 2, 'softmax')], loss='cross_entropy', seed=0)\n"
            "net.fit(d.X_train, d.y_train, epochs=2, optimizer='adam', batch_size=64, engine='numba')\n"
            "from backprop.engines import numba_kernels as k\n"
            "print(len(k.train_epoch.stats.cache_hits), len(k.train_epoch.stats.cache_misses),"
            " repr(sum(float(abs(p).sum()) for p in net.parameters())))")
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "PYTHONPATH": str(install), "PYTHONDONTWRITEBYTECODE": "1"}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
            for _ in range(2)]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout.split()[:2] == ["0", "1"]  # compiled, once
    assert not list(install.rglob("*.nbi"))  # nothing was written into the install
    assert list((home / ".cache" / "numba").rglob("*.nbi"))  # but into the user's cache
    assert runs[1].returncode == 0 and runs[1].stdout.split()[:2] == ["1", "0"], runs[1].stdout + runs[1].stderr
    assert runs[1].stdout.split()[2] == runs[0].stdout.split()[2]  # the same weights from the cached code


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_matmul_gives_numbas_np_dot_bits_at_offsets_in_flat_arrays(dtype):
    """The kernels' direct BLAS call computes what np.dot on the same 2-D views did, bit for bit,
    for every transposition, and touches nothing outside its output block."""
    from numba import njit

    from backprop.engines.numba_blas import matmul

    @njit
    def ours(a, a_t, b, b_t, c, m, k, n):
        matmul(a, 3, a_t, b, 5, b_t, c, 7, m, k, n)

    @njit
    def numbas(a, a_t, b, b_t, c, m, k, n):  # one branch each, so that every view keeps its own layout
        A, A_t = a[3:3 + m * k].reshape((m, k)), a[3:3 + m * k].reshape((k, m)).T
        B, B_t = b[5:5 + k * n].reshape((k, n)), b[5:5 + k * n].reshape((n, k)).T
        C = c[7:7 + m * n].reshape((m, n))
        if a_t and b_t:
            np.dot(A_t, B_t, C)
        elif a_t:
            np.dot(A_t, B, C)
        elif b_t:
            np.dot(A, B_t, C)
        else:
            np.dot(A, B, C)

    rng = np.random.default_rng(0)
    m, k, n = 33, 17, 9
    a, b = rng.standard_normal(m * k + 10).astype(dtype), rng.standard_normal(k * n + 10).astype(dtype)
    for a_t, b_t in itertools.product([False, True], repeat=2):
        results = []
        for product in (ours, numbas):
            c = np.full(m * n + 20, 7.0, dtype)
            product(a, a_t, b, b_t, c, m, k, n)
            results.append(c)
        np.testing.assert_array_equal(results[0], results[1])
        A = a[3:3 + m * k].reshape((k, m)).T if a_t else a[3:3 + m * k].reshape((m, k))
        B = b[5:5 + k * n].reshape((n, k)).T if b_t else b[5:5 + k * n].reshape((k, n))
        np.testing.assert_allclose(results[0][7:7 + m * n].reshape(m, n), A.astype(float) @ B,
                                   rtol=1e-4 if dtype == "float32" else 1e-12)
        assert (results[0][:7] == 7).all() and (results[0][7 + m * n:] == 7).all()


def test_the_vectorisable_exp_matches_numpy():
    from numba import njit

    from backprop.engines.numba_math import EXP_BOTTOM, EXP_TOP, exp

    @njit
    def exps(x, out):
        for i in range(x.size):
            out[i] = exp(x[i])

    x = np.concatenate([np.linspace(EXP_BOTTOM, EXP_TOP, 100_001), np.linspace(-1, 1, 10_001)])
    out = np.empty_like(x)
    exps(x, out)
    np.testing.assert_allclose(out, np.exp(x), rtol=3e-14, atol=0)
    ends = np.array([-1e4, EXP_BOTTOM, EXP_TOP, 1e4, np.nan])
    out = np.empty_like(ends)
    exps(ends, out)
    np.testing.assert_allclose(out[:4], np.exp([EXP_BOTTOM, EXP_BOTTOM, EXP_TOP, EXP_TOP]), rtol=3e-14)
    assert np.isnan(out[4])  # NaN is not clamped away: a diverged network stays visible


def test_float32_exp_and_sigmoid_stay_float32_and_match_numpy():
    """float32 values get float32 arithmetic (16 to a vector), within a few float32 ulps of NumPy."""
    from numba import njit

    from backprop.engines.numba_math import EXP_BOTTOM_32, EXP_TOP_32, exp, sigmoid

    @njit
    def apply(x, exps, sigmoids):
        for i in range(x.size):
            exps[i] = exp(x[i])
            sigmoids[i] = sigmoid(x[i])
        return exp(x[0]) + sigmoid(x[0])  # a scalar, typed as the arithmetic ran

    x = np.concatenate([np.linspace(EXP_BOTTOM_32, EXP_TOP_32, 100_001), np.linspace(-1, 1, 10_001)]).astype(np.float32)
    exps, sigmoids = np.empty_like(x), np.empty_like(x)
    apply(x, exps, sigmoids)
    assert str(apply.nopython_signatures[0].return_type) == "float32"  # no widening to float64
    wide = x.astype(np.float64)
    np.testing.assert_allclose(exps, np.exp(wide), rtol=4e-7, atol=0)
    np.testing.assert_allclose(sigmoids, 1 / (1 + np.exp(-wide)), rtol=4e-7, atol=1e-37)
    ends = np.array([-1e4, 1e4, np.nan], np.float32)
    exps, sigmoids = np.empty_like(ends), np.empty_like(ends)
    apply(ends, exps, sigmoids)
    assert np.isfinite(exps[:2]).all() and sigmoids[0] < 1e-37 and sigmoids[1] == 1
    assert np.isnan(exps[2]) and np.isnan(sigmoids[2])


def test_the_vectorisable_tanh_matches_numpy():
    from numba import njit

    from backprop.engines.numba_math import tanh

    @njit
    def tanhs(x, out):
        for i in range(x.size):
            out[i] = tanh(x[i])

    tiny = np.geomspace(1e-300, 1, 20_001)  # where 1 - e^(-2x) would lose the relative precision
    x = np.concatenate([np.linspace(-30, 30, 100_001), tiny, -tiny, [-1e4, 1e4, np.inf, -np.inf]])
    out = np.empty_like(x)
    tanhs(x, out)
    np.testing.assert_allclose(out, np.tanh(x), rtol=2e-15, atol=0)
    ends = np.array([0.0, -0.0, np.nan])
    out = np.empty_like(ends)
    tanhs(ends, out)
    assert out[0] == 0 and out[1] == 0 and np.signbit(out[1]) and np.isnan(out[2])


def test_compiled_sigmoids_match_the_reference_at_the_extremes():
    from backprop.engines import numba_engine
    from backprop.metrics import scores

    z = np.array([[-1e3, -745.0, -40.0, -1e-9, 0.0, 1e-9, 40.0, 745.0, 1e3]])  # the identity layer passes z on
    net = Network([Dense(9, 9, "sigmoid", weights=np.eye(9), bias=np.zeros(9))], seed=0)
    Y, y = np.eye(9)[:1], np.array([0])
    np.testing.assert_allclose(numba_engine.scores(net, z, Y, y), scores(net, z, Y, y), rtol=1e-12)


def test_an_edit_to_any_engines_file_clears_the_cached_kernels(tmp_path):
    """conftest's guard against Numba's cache, which would keep kernels compiled against a callee
    file's old code: the cache goes when any engines/*.py changes, and only then."""
    from .conftest import clear_stale_kernel_cache

    engines, cache = tmp_path / "engines", tmp_path / "engines" / "__pycache__"
    cache.mkdir(parents=True)
    (engines / "numba_math.py").write_text("def exp(x): ...\n")
    (engines / "numba_kernels.py").write_text("from .numba_math import exp\n")

    def cached(*names):
        for name in names:
            (cache / name).write_bytes(b"kernel")
        return sorted(p.name for p in cache.iterdir() if p.suffix in (".nbi", ".nbc"))

    cached("numba_kernels.forward-174.py311.nbi", "numba_kernels.forward-174.py311.1.nbc")
    clear_stale_kernel_cache(engines)  # a first run: nothing says the cache matches the sources
    assert cached("numba_kernels.forward-174.py311.nbi") == ["numba_kernels.forward-174.py311.nbi"]
    assert clear_stale_kernel_cache(engines) is False and cached() == ["numba_kernels.forward-174.py311.nbi"]
    (engines / "numba_math.py").write_text("def exp(x): return 2.718 ** x\n")  # the callee's file alone
    assert clear_stale_kernel_cache(engines) is True and cached() == []


@pytest.mark.parametrize("batch_size,shuffle", [(1, False), (1, True), (16, False), (16, True)])
def test_read_only_data_compiles_nothing_again(data, batch_size, shuffle):
    """Data a caller made read-only (a memory map, pandas' copy-on-write arrays) trains and scores
    with the kernels already compiled for writable data: Numba types read-only arrays apart, so
    they would otherwise compile every kernel a second time (seconds, once per flag combination)."""
    from backprop.engines import numba_kernels, numba_per_sample

    X, y, _ = data
    kernels = [numba_kernels.train_epoch, numba_kernels.scores, numba_per_sample._sgd_epoch,
               numba_per_sample._scores]

    def fit(X, y, X_val, y_val):
        net = make("mse", "float64")
        net.fit(X, y, epochs=2, batch_size=batch_size, shuffle=shuffle, validation_data=(X_val, y_val))
        return net.parameters()

    writable = fit(X.copy(), y.copy(), X.copy(), y.copy())
    compiled = [len(kernel.signatures) for kernel in kernels]
    frozen = [a.copy() for a in (X, y)]
    for a in frozen:
        a.flags.writeable = False
    read_only = fit(*frozen, *frozen)
    assert [len(kernel.signatures) for kernel in kernels] == compiled
    for a, b in zip(writable, read_only):
        np.testing.assert_array_equal(a, b)


def test_one_compilation_serves_every_configuration(data):
    """The issue's "compiles once, not once per configuration": the mini-batch kernels take every
    optimizer, loss, activation, width, depth, batch size, weight decay and schedule with one
    signature per dtype; the per-sample loop, every loss, activation, width, learning rate and
    schedule with one per optimizer, depth and weight decay or not. A new signature is a new
    compilation of seconds (a Python float where a NumPy one was passed, a read-only array...)."""
    from backprop.engines import numba_kernels, numba_per_sample

    X, y2, y3 = data

    def fit(loss, activation, width, depth, **options):
        output = {"mse": Dense(width, 2, "sigmoid"), "cross_entropy": Dense(width, 3, "softmax"),
                  "binary_cross_entropy": Dense(width, 1, "sigmoid")}[loss]
        hidden = [Dense(2, width, activation)] + [Dense(width, width, activation) for _ in range(depth - 2)]
        y = y3 if loss == "cross_entropy" else y2
        Network([*hidden, output], loss=loss, seed=0).fit(X, y, epochs=2, validation_data=(X[:50], y[:50]),
                                                            **options)

    def float64_signatures(kernel):
        return [s for s in kernel.signatures if str(s[0]) == "array(float64, 1d, C)"]

    for loss, activation, width, depth, optimizer, batch_size, decay, schedule in [
            ("mse", "tanh", 6, 2, "sgd", 7, 0.0, "constant"),
            ("cross_entropy", "relu", 9, 3, "adam", 200, 1e-3, "cosine"),
            ("binary_cross_entropy", "sigmoid", 4, 4, "momentum", 16, 0.0, "step"),
            ("mse", "identity", 5, 3, "rmsprop", 33, 1e-2, "cosine"),
            ("cross_entropy", "tanh", 3, 2, "nesterov", 2, 0.0, "constant")]:
        fit(loss, activation, width, depth, optimizer=optimizer, batch_size=batch_size, weight_decay=decay,
            schedule=schedule)
    for kernel in (numba_kernels.train_epoch, numba_kernels.scores):
        assert len(float64_signatures(kernel)) == 1, kernel.signatures

    fit("mse", "tanh", 6, 3, batch_size=1, learning_rate=0.1)
    compiled = len(numba_per_sample._sgd_epoch.signatures), len(numba_per_sample._scores.signatures)
    fit("cross_entropy", "relu", 9, 3, batch_size=1, learning_rate=0.01, schedule="cosine")
    fit("binary_cross_entropy", "sigmoid", 4, 3, batch_size=1, learning_rate=0.5, schedule="step")
    assert (len(numba_per_sample._sgd_epoch.signatures), len(numba_per_sample._scores.signatures)) == compiled
