"""Learning-rate schedules: ``schedule(base_rate, epoch, epochs) -> rate`` for a 0-based epoch."""
from __future__ import annotations

import math
from collections.abc import Callable

Schedule = Callable[[float, int, int], float]


def constant(base: float, epoch: int, epochs: int) -> float:
    """The same rate every epoch."""
    return base


def step(base: float, epoch: int, epochs: int, drop: float = 0.5, every_fraction: float = 0.25) -> float:
    """Halve the rate after every quarter of the run."""
    every = max(1, round(epochs * every_fraction))
    return base * drop ** (epoch // every)


def cosine(base: float, epoch: int, epochs: int) -> float:
    """Half a cosine from ``base`` at the first epoch down towards 0 at the last."""
    return base * 0.5 * (1 + math.cos(math.pi * epoch / max(epochs, 1)))


SCHEDULES: dict[str, Schedule] = {"constant": constant, "step": step, "cosine": cosine}


def get(name: str) -> Schedule:
    """The schedule called ``name``; ValueError lists the valid names."""
    if name in SCHEDULES:
        return SCHEDULES[name]
    raise ValueError(f"schedule must be one of {sorted(SCHEDULES)}. Received: schedule={name!r}")
