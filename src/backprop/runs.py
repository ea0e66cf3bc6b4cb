"""Run folders: where ``backprop train`` leaves a model, its metrics, its curves and its config."""
from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

from .persistence import write_atomic
from .training import History

MODEL_FILE = "model.safetensors"


def new_run_folder(root: str | Path, name: str | None = None) -> Path:
    """Create ``root/name`` (default: the current time, e.g. 20261128-141503), never reusing one."""
    root = Path(root)
    base = name or time.strftime("%Y%m%d-%H%M%S")
    if "/" in base or base in ("", ".", ".."):
        raise ValueError(f"name must be a plain folder name. Received: name={base!r}")
    folder, n = root / base, 1
    while folder.exists():
        n += 1
        folder = root / f"{base}-{n}"
    folder.mkdir(parents=True)
    return folder


def write_metrics(history: History, path: Path) -> None:
    """metrics.csv: one row per evaluated epoch, the columns of ``History.COLUMNS``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=History.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(history.rows())
    write_atomic(path, buffer.getvalue().encode())


def read_metrics(path: Path) -> list[dict]:
    """The rows of a metrics.csv, as floats (epoch as int)."""
    with open(path, newline="") as f:
        return [{k: int(v) if k == "epoch" else float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def write_json(data: dict, path: Path) -> None:
    write_atomic(path, (json.dumps(data, indent=2) + "\n").encode())


def model_path(path: str | Path) -> Path:
    """A model file's path from itself or from the run folder that holds it."""
    path = Path(path)
    return path / MODEL_FILE if path.is_dir() else path
