"""A ``Session`` trained on a thread of its own, so that a caller that must stay responsive (the
playground's server, a notebook) can play, pause, step, change it and read its newest state at
whatever rate it likes, independently of how fast training goes.

Everything that touches the session runs on the driver's thread, between steps: commands are
functions ``fn(session)`` queued by ``submit`` (so a change, a trace or a gradient check always
sees a network between two steps), and the newest ``Snapshot`` is published there too, at most
``publish_hz`` times a second while playing and after every command. Readers only ever see a
finished snapshot: ``latest`` never waits for training.
"""
from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import CancelledError, Future

from .session import Session, Snapshot

IDLE_WAIT_S = 0.05  # how often a paused driver looks for a closed flag when no command comes


class DriverClosed(RuntimeError):
    """The driver was closed (its tab reset or went away) before it could run a command."""


class Driver:
    """Runs ``session`` on a daemon thread: ``play`` trains epoch after epoch until ``pause``, the
    session is done, or a step raises (kept in ``error``: a DivergenceError, say).

    chunk: samples per step while playing (None: a whole epoch). Smaller chunks let a pause or a
        command in sooner; each is one call into the engine.
    publish_hz: the most snapshots a second taken while playing (a snapshot copies the parameters
        and history).
    """

    def __init__(self, session: Session, chunk: int | None = None, publish_hz: float = 60.0):
        if publish_hz <= 0:
            raise ValueError(f"publish_hz must be positive. Received: publish_hz={publish_hz!r}")
        self.session, self.chunk, self.period = session, chunk, 1.0 / publish_hz
        self.error: BaseException | None = None
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._playing = threading.Event()
        self._closed = threading.Event()
        self._latest = session.snapshot()
        self._published = time.perf_counter()
        self._rate: deque[tuple[float, int]] = deque(maxlen=64)  # (time, samples) after recent steps
        self._thread = threading.Thread(target=self._loop, name="backprop-driver", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ commands
    @property
    def playing(self) -> bool:
        """True while the driver trains on its own (between ``play`` and ``pause`` or the end)."""
        return self._playing.is_set()

    def play(self) -> None:
        """Train epoch after epoch (in ``chunk``s) until paused, done or failed."""
        self.error = None
        self._playing.set()
        self._commands.put(None)  # wake the thread

    def pause(self) -> Future:
        """Stop after the current step; the Future is done once the driver has stopped."""
        self._playing.clear()
        return self.submit(lambda session: None)

    def step_epoch(self) -> Future:
        """One epoch's rest (pausing first); the Future holds its ``Progress``."""
        self._playing.clear()
        return self.submit(lambda session: session.step_epoch())

    def step_samples(self, samples: int) -> Future:
        """The next ``samples`` samples (pausing first); the Future holds the ``Progress`` of an epoch
        this completed, or None."""
        self._playing.clear()
        return self.submit(lambda session: session.step(samples))

    def submit(self, fn: Callable[[Session], object], reads_only: bool = False) -> Future:
        """Run ``fn(session)`` on the training thread between two steps; a Future of its result (or
        of the exception it raised). A snapshot is published after it, unless ``reads_only``: a
        function that changes nothing (a view of the newest state) must not look like a change to
        readers that compare snapshots, or each view would call for the next one. Raises
        DriverClosed once the driver is closed; a Future queued as it closes is cancelled."""
        if self._closed.is_set():
            raise DriverClosed("the driver is closed")
        future: Future = Future()
        self._commands.put((fn, future, not reads_only))
        # close() may have come between the check and the put, and the thread may have drained the
        # queue and ended already: then nobody would resolve this Future. Draining here too makes
        # every queued command run or be cancelled (each is taken from the queue exactly once).
        if self._closed.is_set():
            self._cancel_queued()
            if future.cancelled():
                raise DriverClosed("the driver is closed")
        return future

    def call(self, fn: Callable[[Session], object], reads_only: bool = False) -> object:
        """``submit(fn, reads_only)`` and wait for its result (raising what ``fn`` raised). Raises
        DriverClosed when the driver is closed before it runs ``fn``."""
        try:
            return self.submit(fn, reads_only).result()
        except CancelledError:  # cancelled only by close(): its queue is dropped
            raise DriverClosed("the driver was closed before it ran the command") from None

    def latest(self) -> Snapshot:
        """The newest published snapshot (thread-safe: a reference to an immutable copy)."""
        return self._latest

    @property
    def samples_per_second(self) -> float:
        """Training throughput over the last steps taken while playing (0 before two of them)."""
        if len(self._rate) < 2:
            return 0.0
        (t0, n0), (t1, n1) = self._rate[0], self._rate[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0

    def close(self, timeout: float | None = 10.0) -> None:
        """Stop the thread after its current step; commands still queued are cancelled (``call``
        raises DriverClosed for them). Waits up to ``timeout`` seconds for the thread to end."""
        self._closed.set()
        self._playing.clear()
        self._commands.put(None)
        self._thread.join(timeout)

    def __enter__(self) -> Driver:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ the thread
    def _loop(self) -> None:
        try:
            while not self._closed.is_set():
                playing = self._playing.is_set() and not self.session.done
                try:
                    command = self._commands.get(block=not playing, timeout=None if playing else IDLE_WAIT_S)
                except queue.Empty:
                    command = None
                if command is not None:
                    self._run(*command)
                elif playing:
                    self._play_step()
        finally:  # a thread ended by surprise takes no more commands either: none would be run
            self._closed.set()
            self._cancel_queued()

    def _run(self, fn: Callable, future: Future, publish: bool = True) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            result = fn(self.session)
        except BaseException as err:  # the caller sees it through the Future
            if publish:
                self._publish()
            future.set_exception(err)
            return
        if publish:
            self._publish()  # before the result: a caller woken by it reads a snapshot that includes it
        future.set_result(result)

    def _play_step(self) -> None:
        try:
            self.session.step(self.chunk)
        except Exception as err:  # a diverged run stops playing; the caller reads error
            self.error = err
            self._playing.clear()
            self._publish()
            return
        self._rate.append((time.perf_counter(), self.session.samples))
        if self.session.done:
            self._playing.clear()
        if self.session.done or time.perf_counter() - self._published >= self.period:
            self._publish()

    def _publish(self) -> None:
        self._latest = self.session.snapshot()
        self._published = time.perf_counter()

    def _cancel_queued(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            if command is not None:
                command[1].cancel()
