"""Predictions for other people's rows: read raw inputs from a CSV file, answer in a CSV table.

``read_inputs`` takes the columns the model was trained on by name when the model knows its
feature names (other columns, such as the target, are ignored; the order may differ), else by
position; ``table`` gives the original labels and every class's probability, or the predicted
values, one row per input.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np

from .datasets.files import all_numbers, parse_number
from .network import Network

Array = np.ndarray


def read_inputs(path: str | os.PathLike, net: Network) -> Array:
    """The raw inputs (n, n_in) in the CSV file at ``path``, for ``net``.

    A first row that is not all numbers is a header. With a header naming the model's feature
    names (x1..xn for a model that knows none), each is looked up by name and other columns are
    ignored; otherwise the file must hold exactly n_in columns.
    ValueError names the file, and the line and column, for a missing column, a wrong column
    count, ragged rows, an empty or non-numeric cell, or no rows at all.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no CSV file at --input={str(path)!r}")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [(line, row) for line, row in enumerate(csv.reader(f), start=1) if any(c.strip() for c in row)]
    if not rows:
        raise ValueError(f"{path}: the file is empty")
    header = None
    if not all_numbers(rows[0][1]):
        header = [cell.strip() for cell in rows[0][1]]
        rows = rows[1:]
    columns = _columns(path, header, net)
    X = np.empty((len(rows), len(columns)))
    for r, (line, row) in enumerate(rows):
        expected = f"the header has {len(header)}" if header else f"the model takes {len(columns)}"
        if len(row) != (len(header) if header else len(columns)):
            raise ValueError(f"{path} line {line}: {len(row)} cells, but {expected}")
        for c, index in enumerate(columns):
            X[r, c] = parse_number(path, line, header[index] if header else f"#{index + 1}", row[index].strip())
    if not len(X):
        raise ValueError(f"{path}: no rows to predict (only a header)")
    return X


def _columns(path: Path, header: list[str] | None, net: Network) -> list[int]:
    """The index of each input column in the file's rows: by name when the header holds every name
    the model knows (its feature names, or x1..xn, the names ``table`` writes, for a model that
    has none), else by position when the file has exactly the model's number of columns."""
    n_in = net.sizes[0]
    names = list(net.feature_names) if net.feature_names is not None else [f"x{i + 1}" for i in range(n_in)]
    if header is not None and all(name in header for name in names):
        return [header.index(name) for name in names]
    if header is not None and net.feature_names is not None:
        missing = [name for name in net.feature_names if name not in header]
        raise ValueError(f"{path}: the model was trained on columns {list(net.feature_names)}; "
                         f"missing: {', '.join(map(repr, missing))}")
    width = len(header) if header is not None else None
    if width is not None and width != n_in:
        raise ValueError(f"{path}: the model takes {n_in} input columns: name them {', '.join(names)} "
                         f"(other columns are then ignored), or give exactly {n_in}. "
                         f"Received: {width} columns ({', '.join(header)})")
    return list(range(n_in))


def table(net: Network, X: Array) -> tuple[list[str], list[list]]:
    """(header, rows) answering raw inputs X (n, n_in): the inputs, then for classification each
    class's probability (``p_<label>``) and the predicted label; for regression the predicted
    value(s) (``prediction``, or ``prediction_<j>`` for several outputs)."""
    names = list(net.feature_names) if net.feature_names else [f"x{i + 1}" for i in range(X.shape[1])]
    outputs = net.predict_proba(X)
    if net.task == "regression":
        extra = ["prediction"] if outputs.shape[1] == 1 else [f"prediction_{j}" for j in range(outputs.shape[1])]
        return names + extra, [[*x, *out] for x, out in zip(X.tolist(), outputs.tolist())]
    labels = list(net.classes) if net.classes is not None else list(range(net.n_classes))
    if outputs.shape[1] == 1:  # one unit: the probability of the second class
        outputs = np.column_stack([1 - outputs[:, 0], outputs[:, 0]])
    predicted = net.predict(X).tolist()
    header = names + [f"p_{label}" for label in labels] + ["label"]
    return header, [[*x, *p, label] for x, p, label in zip(X.tolist(), outputs.tolist(), predicted)]


def csv_text(header: list[str], rows: list[list]) -> str:
    """The table as CSV text; numbers in their shortest round-trip form (0.5, 3, 1e-07)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    return out.getvalue()


def _cell(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return value
