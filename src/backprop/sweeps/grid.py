"""The points of a sweep: the cross product of the values given per option, times the seeds,
or a random sample of that grid. Each point is a whole ``Experiment`` and has a folder name."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .. import config
from ..config import Experiment

SEARCHES = ("grid", "random")


@dataclass(frozen=True)
class Point:
    """One run of a sweep: the swept options' values (by field name, in the grid's order) and a seed."""

    params: tuple[tuple[str, object], ...]
    seed: int

    @property
    def name(self) -> str:
        """The run folder's name, e.g. ``learning_rate=0.01_hidden=32-32_seed=0``."""
        parts = [f"{key}={format_value(value)}" for key, value in self.params]
        return "_".join([*parts, f"seed={self.seed}"])

    def experiment(self, preset: str, fixed: dict) -> Experiment:
        """The preset, with the sweep's fixed options and this point's values laid over it."""
        return config.from_preset(preset, **fixed, **dict(self.params), seed=self.seed)


def format_value(value) -> str:
    """A value as it appears in a folder name and in summary.csv: widths as 32-32, the rest as str."""
    if isinstance(value, (tuple, list)):
        return "-".join(map(str, value))
    return str(value)


def make_points(grid: dict[str, list], seeds: list[int], search: str = "grid", trials: int | None = None,
                search_seed: int = 0) -> list[Point]:
    """Every point of the grid (or ``trials`` of them drawn without replacement) times every seed.

    grid: field name -> the values to try, in order. Options with one value are not swept: pass
    them as fixed options instead. Raises ValueError for an empty axis, no seeds, or bad trials.
    """
    for key, values in grid.items():
        if len(values) == 0:
            raise ValueError(f"every swept option needs at least one value. Received: {key}=[]")
    if not seeds:
        raise ValueError("seeds must hold at least one seed. Received: seeds=[]")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct. Received: seeds={list(seeds)}")
    if search not in SEARCHES:
        raise ValueError(f"search must be one of {list(SEARCHES)}. Received: search={search!r}")
    combos = list(itertools.product(*grid.values()))
    if search == "random":
        if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= len(combos):
            raise ValueError(f"trials must be an integer in [1, {len(combos)}] (the grid's size) for a random "
                             f"search. Received: trials={trials!r}")
        chosen = np.random.default_rng(search_seed).choice(len(combos), size=trials, replace=False)
        combos = [combos[i] for i in sorted(chosen)]
    elif trials is not None:
        raise ValueError(f"trials is for search='random'. Received: trials={trials!r} with search='grid'")
    keys = list(grid)
    return [Point(tuple(zip(keys, combo)), seed) for combo in combos for seed in seeds]
