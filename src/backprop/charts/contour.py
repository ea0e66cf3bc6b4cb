"""Where a map of values crosses a level: marching squares, for the contour line ``charts.svg`` draws.

Each cell of the grid whose corners lie on both sides of the level is crossed by the line; where it
crosses an edge is interpolated linearly between the edge's two corners. A cell with its corners
alternating (a saddle) is crossed twice, paired by the value at its centre (the mean of its corners).
"""
from __future__ import annotations

import numpy as np

# a cell's edges, each as its two corners (row offset, column offset), in the order bottom, right, top, left
EDGES = (((0, 0), (0, 1)), ((0, 1), (1, 1)), ((1, 1), (1, 0)), ((1, 0), (0, 0)))


def segments(x: np.ndarray, y: np.ndarray, values: np.ndarray, level: float) -> list[tuple[tuple, tuple]]:
    """The line where ``values`` (rows, columns), sampled at x (columns,) and y (rows,), crosses
    ``level``, as segments ((x, y), (x, y)) in the values' coordinates, cell by cell from the
    bottom row. NaN corners leave their cell out."""
    above = values >= level
    corners = (above[:-1, :-1].astype(int) + above[:-1, 1:] + above[1:, :-1] + above[1:, 1:])
    finite = np.isfinite(values)
    whole = finite[:-1, :-1] & finite[:-1, 1:] & finite[1:, :-1] & finite[1:, 1:]
    out = []
    for row, column in zip(*np.nonzero((corners > 0) & (corners < 4) & whole)):
        out.extend(_cell(x, y, values, level, int(row), int(column)))
    return out


def _cell(x, y, values, level, row: int, column: int) -> list[tuple[tuple, tuple]]:
    """The segments that cross the cell whose lower-left corner is (row, column)."""
    crossings = []
    for (r0, c0), (r1, c1) in EDGES:
        a, b = values[row + r0, column + c0], values[row + r1, column + c1]
        if (a >= level) != (b >= level):
            share = (level - a) / (b - a)
            crossings.append((x[column + c0] + share * (x[column + c1] - x[column + c0]),
                              y[row + r0] + share * (y[row + r1] - y[row + r0])))
    if len(crossings) == 2:
        return [(crossings[0], crossings[1])]
    # a saddle: the corners that agree with the centre are joined through it, so the lines cut off
    # the other two (lower-left agrees: the lower-right corner is cut off by bottom-right, the upper-left by top-left)
    centre_above = values[row:row + 2, column:column + 2].mean() >= level
    if centre_above == (values[row, column] >= level):
        return [(crossings[0], crossings[1]), (crossings[2], crossings[3])]
    return [(crossings[0], crossings[3]), (crossings[1], crossings[2])]
