import hashlib
from pathlib import Path

import numpy as np
import pytest

import backprop.engines
from backprop import Dense, Network, datasets

ENGINES = Path(backprop.engines.__file__).parent
SOURCES_STAMP = "backprop-engines-sources.sha256"


def clear_stale_kernel_cache(engines: Path) -> bool:
    """Delete Numba's cached kernels (engines/__pycache__/*.nbi, *.nbc) if any engines/*.py changed
    since the last test run; True if some were deleted.

    Numba checks only the file that defines a compiled function, not the files of the functions
    it calls: after an edit to numba_math.py or numba_blas.py alone, the loops cached from
    numba_kernels.py and numba_per_sample.py would still run the old code (seen: results 1 ulp
    off), and the tests would pass or fail on code that is no longer there."""
    cache = engines / "__pycache__"
    digest = hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in sorted(engines.glob("*.py"))))
    stamp = cache / SOURCES_STAMP
    try:
        if stamp.is_file() and stamp.read_text() == digest.hexdigest():
            return False
        stale = [*cache.glob("*.nbi"), *cache.glob("*.nbc")]
        for path in stale:
            path.unlink()
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest.hexdigest())
    except OSError:  # a read-only install: Numba caches in the user's folder, which is not ours to clear
        return False
    return bool(stale)


def pytest_configure(config):
    clear_stale_kernel_cache(ENGINES)


@pytest.fixture(scope="session")
def moons():
    return datasets.moons()


def seed_network(seed=0, **kw) -> Network:
    """The seed's 2-25-50-25-2 sigmoid network."""
    return Network([Dense(2, 25, "sigmoid"), Dense(25, 50, "sigmoid"), Dense(50, 25, "sigmoid"),
                    Dense(25, 2, "sigmoid")], loss="mse", seed=seed, **kw)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
