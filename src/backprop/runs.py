"""Run folders: where ``backprop train`` leaves a model, its metrics, its curves and its config."""
from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

from .persistence import MODEL_FILE, write_atomic
from .training import History


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


def rows_text(rows: list[dict], columns: tuple[str, ...]) -> str:
    """A CSV file's text: a header of ``columns``, then one line per row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def metrics_text(rows: list[dict]) -> str:
    """metrics.csv's text: a header, then one row per evaluated epoch, the columns of ``History.COLUMNS``."""
    return rows_text(rows, History.COLUMNS)


def write_rows(rows: list[dict], columns: tuple[str, ...], path: Path) -> None:
    """A CSV file of ``rows`` with a header of ``columns``, atomically."""
    write_atomic(path, rows_text(rows, columns).encode())


def write_metrics(rows: list[dict], path: Path) -> None:
    """metrics.csv, atomically (see ``metrics_text``)."""
    write_atomic(path, metrics_text(rows).encode())


class MetricsLog:
    """A ``fit`` callback that appends each evaluation to metrics.csv as it happens, flushed, so
    that a killed process leaves a valid file holding every evaluation it finished.

    rows: the evaluations already made (epoch 0, or a resumed run's history): the file is
    rewritten with them first, dropping any row written after the checkpoint being resumed.
    """

    def __init__(self, path: Path, rows: list[dict]):
        write_metrics(rows, path)
        self.file = open(path, "a", newline="")  # noqa: SIM115 -- closed by close(), after training
        self.writer = csv.DictWriter(self.file, fieldnames=History.COLUMNS, lineterminator="\n")

    def __call__(self, progress) -> None:
        if progress.record is not None:
            self.writer.writerow(progress.record)
            self.file.flush()  # one write per row: SIGKILL can end the file only between rows

    def close(self) -> None:
        """Close metrics.csv (every row is on disk already)."""
        self.file.close()


def read_metrics(path: Path) -> list[dict]:
    """The rows of a metrics.csv, as floats (epoch as int)."""
    with open(path, newline="") as f:
        return [{k: int(v) if k == "epoch" else float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def json_text(data: dict) -> str:
    """``data`` as indented JSON, as config.json holds it."""
    return json.dumps(data, indent=2) + "\n"


def write_json(data: dict, path: Path) -> None:
    """``data`` as indented JSON at ``path``, atomically."""
    write_atomic(path, json_text(data).encode())


def write_folder(folder: Path, files: dict[str, bytes]) -> Path:
    """Create ``folder`` holding ``files`` (name -> bytes) all at once: they are written into a
    temporary folder beside it, which is then renamed, so the folder never exists half-written.
    Raises FileExistsError if ``folder`` exists."""
    import shutil
    import uuid

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    # a plain mkdir, not tempfile.mkdtemp, whose folders are private (0700) whatever the umask says
    staging = folder.parent / f".{folder.name}.{uuid.uuid4().hex}.tmp"
    staging.mkdir()
    try:
        for name, payload in files.items():
            (staging / name).write_bytes(payload)
        if folder.exists():
            raise FileExistsError(f"{str(folder)!r} exists")
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def remove_staging(parent: Path) -> list[Path]:
    """Delete the temporary folders that ``write_folder`` left in ``parent`` when its process was
    killed mid-write (hidden, named ``.<folder>.*.tmp``); returns what was removed."""
    import shutil

    stale = [p for p in Path(parent).glob(".*.tmp") if p.is_dir()]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale


def read_json(path: Path) -> dict:
    """The JSON object in ``path``; ValueError naming the file if it is missing or not an object."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError, RecursionError) as err:
        raise ValueError(f"cannot read {str(path)!r}: {err}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{str(path)!r} must hold a JSON object")
    return data


def model_path(path: str | Path) -> Path:
    """A model file's path from itself or from the run folder that holds it."""
    path = Path(path)
    return path / MODEL_FILE if path.is_dir() else path
