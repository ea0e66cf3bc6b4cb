"""Sweeps: many runs of ``backprop train`` at once, on this machine's cores or an existing Dask or
Ray cluster (all through joblib), answered by one table (summary.csv) and one figure.

- grid.py: the points (cross product or random sample, times seeds) and their folder names
- worker.py: one point trained, returned as its run folder's files
- backends.py: local processes, Dask or Ray, and reaching them
- summary.py: summary.csv, summary.svg, the best configuration
- sweep.py: ``sweep(...)``, which ties them together and resumes an interrupted sweep
"""
from .backends import BACKENDS, ClusterUnreachable
from .sweep import SweepProgress, sweep

__all__ = ["sweep", "SweepProgress", "BACKENDS", "ClusterUnreachable"]
