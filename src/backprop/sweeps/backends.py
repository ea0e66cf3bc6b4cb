"""Where a sweep's runs execute, all through joblib: processes on this machine ("local", loky), an
existing Dask cluster ("dask", dask.distributed's joblib backend) or Ray cluster ("ray", Ray's).
No code here distributes anything: it only connects, and hands joblib the backend's name."""
from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

BACKENDS = ("local", "dask", "ray")
CONNECT_TIMEOUT_S = 5  # an unreachable cluster is reported after this, naming its address


class ClusterUnreachable(ValueError):
    """The cluster at the given address did not answer (the command line: one line, exit code 2)."""


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


EXTRAS = {"dask": ("dask.distributed", 'backend="dask" needs Dask: pip install "backprop[dask]"'),
          "ray": ("ray.util.joblib", 'backend="ray" needs Ray: pip install "backprop[ray]"')}


class MissingExtra(ImportError):
    """The backend's optional dependency is not installed; the message names the extra to install."""


def check(backend: str, address: str | None, jobs: int | None) -> None:
    """Everything about the backend that can be known without connecting: its name, the address
    and jobs it takes, and that its package is installed. ValueError, or MissingExtra."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {list(BACKENDS)}. Received: backend={backend!r}")
    if backend == "local":
        if address is not None:
            raise ValueError(f"address is for the dask and ray backends. Received: address={address!r}")
        if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
            raise ValueError(f"jobs must be a positive integer. Received: jobs={jobs!r}")
        return
    if not address:
        raise ValueError(f"backend={backend!r} needs the cluster's address. Received: address={address!r}")
    import importlib.util

    module, hint = EXTRAS[backend]
    try:
        found = importlib.util.find_spec(module) is not None
    except ImportError:  # the parent package ("dask", "ray") is missing
        found = False
    if not found:
        raise MissingExtra(hint)


@contextmanager
def connect(backend: str, address: str | None, jobs: int | None) -> Iterator[Callable[[Iterable], Iterator]]:
    """A context giving ``run(tasks)``: it runs joblib ``delayed`` tasks on ``backend`` and yields
    their results as they complete. Raises ValueError for a bad backend/address/jobs,
    ClusterUnreachable when the cluster does not answer, MissingExtra (naming the extra to install)."""
    import joblib

    check(backend, address, jobs)
    if backend == "local":
        yield _runner(joblib, "loky", jobs or default_jobs())
        return
    with (_dask(address) if backend == "dask" else _ray(address)) as batch:
        yield _runner(joblib, backend, -1, batch)  # every worker the cluster has


def stop_local_workers() -> None:
    """End this machine's worker processes now, killing them, for a process about to exit.

    joblib keeps its loky workers for the next parallel call (a notebook's second sweep starts
    warm); at interpreter exit, loky asks each to shut down and waits while it unloads Numba and
    matplotlib: about 0.4 s for two workers, 6% of a 16-run sweep on two cores. ``backprop sweep``
    calls this once its files are written. Workers still running a task are killed too."""
    from joblib.externals.loky import get_reusable_executor

    # reuse=True hands back the pool joblib made, whatever its arguments; with none, an empty pool
    # (loky starts workers only on the first submit)
    get_reusable_executor(reuse=True).shutdown(wait=True, kill_workers=True)


def _runner(joblib, backend: str, n_jobs: int, batch: int | None = None):
    """run(tasks): results as they complete, so that each run's files are written at once.

    Ray's joblib backend returns only whole lists: there, the tasks go in batches of ``batch`` (the
    cluster's CPUs), so a killed sweep still loses only the batch in flight."""

    def run(tasks: Iterable) -> Iterator:
        with joblib.parallel_config(backend=backend, n_jobs=n_jobs):
            if batch is None:
                yield from joblib.Parallel(return_as="generator_unordered")(tasks)
                return
            tasks = iter(tasks)
            while chunk := list(itertools.islice(tasks, batch)):
                yield from joblib.Parallel(return_as="list")(chunk)

    return run


@contextmanager
def _dask(address: str):
    try:
        from dask.distributed import Client
    except ImportError:
        raise MissingExtra(EXTRAS["dask"][1]) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as err:
        raise ClusterUnreachable(f"cannot reach the Dask scheduler at address={address!r} within "
                                 f"{CONNECT_TIMEOUT_S} s ({type(err).__name__})") from None
    try:
        yield None
    finally:
        client.close()


@contextmanager
def _ray(address: str):
    try:
        import ray
        from ray.util.joblib import register_ray
    except ImportError:
        raise MissingExtra(EXTRAS["ray"][1]) from None
    _check_reachable(address)
    _check_grpc(address)
    try:
        ray.init(address=address, log_to_driver=False, logging_level="ERROR")
    except (ConnectionError, OSError, RuntimeError, TimeoutError, ValueError) as err:
        raise ClusterUnreachable(f"cannot reach the Ray cluster at address={address!r} ({err})") from None
    register_ray()
    try:
        yield max(1, int(ray.cluster_resources().get("CPU", 1)))
    finally:
        ray.shutdown()


def _check_reachable(address: str) -> None:
    """Open a TCP connection to HOST:PORT first: ray.init on a dead address retries for minutes."""
    import socket

    host, _, port = address.rpartition(":")
    host = host.removeprefix("ray://") or "127.0.0.1"
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except (OSError, ValueError) as err:
        raise ClusterUnreachable(f"cannot reach the Ray cluster at address={address!r} within "
                                 f"{CONNECT_TIMEOUT_S} s ({type(err).__name__})") from None


def _check_grpc(address: str) -> None:
    """Ask HOST:PORT to speak HTTP/2, as Ray's GCS (gRPC) does, within CONNECT_TIMEOUT_S: send the
    HTTP/2 connection preface and an empty SETTINGS frame, and expect a SETTINGS frame back. Any
    other server (a web server, a database) answers otherwise or not at all, and ray.init on it
    would retry for minutes, printing warnings, and take tens of seconds to stop."""
    import socket

    host, _, port = address.rpartition(":")
    host = host.removeprefix("ray://") or "127.0.0.1"
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])  # + SETTINGS, empty
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S) as conn:
            conn.sendall(preface)
            header = b""
            while len(header) < 9:  # a frame header: length (3 bytes), type (1), flags (1), stream (4)
                more = conn.recv(9 - len(header))
                if not more:
                    break
                header += more
    except (OSError, ValueError) as err:
        raise ClusterUnreachable(f"cannot reach the Ray cluster at address={address!r} within "
                                 f"{CONNECT_TIMEOUT_S} s ({type(err).__name__})") from None
    if len(header) < 9 or header[3] != 4:  # 4: SETTINGS
        raise ClusterUnreachable(f"address={address!r} answers, but not as a Ray cluster (no gRPC): "
                                 f"is it the head node's GCS port (ray start --head prints it)?")
