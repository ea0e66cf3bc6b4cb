"""Other people's tables: ``from_csv(path, target="column", task=...)``.

A header row names the columns; every column but the target holds numbers; the target holds
labels, any strings or numbers (their sorted distinct values become classes 0..k-1, kept in
``Dataset.classes``), or, with task="regression", real values. Whatever is wrong is reported
with the file, the line and the column.
"""
from __future__ import annotations

import csv
import math
import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from .split import Dataset, split
from .synthetic import MAX_SAMPLES


def from_csv(path: str | os.PathLike, target: str, task: str = "classification", test_size: float = 0.3,
             split_seed: int = 42) -> Dataset:
    """The table at ``path`` with its ``target`` column as labels (task="classification") or
    real values (task="regression"), split 70/30 like every set.

    Raises ValueError naming the file (and the line and column) for a missing file or target column,
    an empty file, ragged rows, an empty or non-numeric feature cell, a non-finite number, fewer than
    2 rows or 2 classes, or more than MAX_SAMPLES rows.
    """
    from ..encoding import check_task

    check_task(task)
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no CSV file at path={str(path)!r}")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if not header or all(not cell.strip() for cell in header):
            raise ValueError(f"{path}: the file is empty (it needs a header row naming the columns)")
        header = [cell.strip() for cell in header]
        if target not in header:
            raise ValueError(f"{path}: no column {target!r} in the header (columns: {', '.join(header)})")
        features, labels = _read_rows(path, rows, header, header.index(target))
    if len(labels) < 2:
        raise ValueError(f"{path}: needs at least 2 data rows. Received: {len(labels)}")
    names = tuple(name for i, name in enumerate(header) if i != header.index(target))
    spec = {"path": str(path.resolve()), "target": target}
    if task == "regression":
        values = [parse_number(path, line, target, cell) for line, cell in labels]
        data = split("csv", np.array(features, dtype=float), np.array(values), test_size, split_seed,
                     feature_names=names, task=task, **spec)
        return replace(data, spec={**data.spec, "task": task})  # from_spec makes it again as regression
    labels = [cell for _, cell in labels]
    classes, y = np.unique(np.array(labels, dtype=object if not all_numbers(labels) else float), return_inverse=True)
    if len(classes) < 2:
        raise ValueError(f"{path}: the target column {target!r} holds a single label ({classes[0]!r}): "
                         "nothing to tell apart")
    shown = tuple(_plain(c) for c in classes)
    return split("csv", np.array(features, dtype=float), y.astype(np.intp), test_size, split_seed,
                 classes=shown, feature_names=names, **spec)


def _read_rows(path: Path, rows, header: list[str], target_index: int) -> tuple[list, list]:
    features, labels = [], []
    for line, row in enumerate(rows, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue  # a blank line
        if len(row) != len(header):
            raise ValueError(f"{path} line {line}: {len(row)} cells, but the header has {len(header)}")
        values = []
        for column, cell in zip(header, row):
            cell = cell.strip()
            if column == header[target_index]:
                if not cell:
                    raise ValueError(f"{path} line {line}, column {column!r}: the label is empty")
                labels.append((line, cell))
                continue
            values.append(parse_number(path, line, column, cell))
        features.append(values)
        if len(features) > MAX_SAMPLES:
            raise ValueError(f"{path}: more than {MAX_SAMPLES:,} rows")
    return features, labels


def parse_number(path: Path, line: int, column: str, cell: str) -> float:
    """The finite number in ``cell``; ValueError naming the file, line and column otherwise."""
    if not cell:
        raise ValueError(f"{path} line {line}, column {column!r}: the cell is empty")
    try:
        value = float(cell)
    except ValueError:
        raise ValueError(f"{path} line {line}, column {column!r}: {cell!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{path} line {line}, column {column!r}: {cell!r} is not a finite number")
    return value


def all_numbers(cells: list[str]) -> bool:
    """True when every cell reads as a number (a CSV row of values, not a header or labels)."""
    try:
        [float(cell) for cell in cells]
    except ValueError:
        return False
    return True


def _plain(value):
    """A class label as JSON can hold it: 3.0 -> 3, strings as they are."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, str) else float(value)
