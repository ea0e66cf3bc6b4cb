"""A chart described as data: panels side by side, each with its axes, scale and lines.

Both renderers (``charts.svg``, ``charts.figure``) draw exactly what is described here, so a
figure's content is decided once, where its ``Chart`` is built.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# matplotlib's viridis at 17 even steps: layers are coloured along it without importing matplotlib
VIRIDIS = ("#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e", "#26828e", "#21918c",
           "#1fa088", "#28ae80", "#3fbc73", "#5ec962", "#84d44b", "#addc30", "#d8e219", "#fde725")
BLUE, GREEN = "#1f77b4", "#2ca02c"  # matplotlib's tab:blue and tab:green


@dataclass
class Series:
    """One line: ``y`` (n,) over ``x`` (n,); a NaN (or infinite) y leaves a gap in the line.

    marker: "" for none, or "o" for a dot on every point (of ``marker_size`` points across)."""

    x: np.ndarray
    y: np.ndarray
    color: str = BLUE
    label: str = ""
    marker: str = ""
    marker_size: float = 4.0

    def __post_init__(self):
        self.x = np.asarray(self.x, dtype=float)
        self.y = np.asarray(self.y, dtype=float)
        if self.x.shape != self.y.shape or self.x.ndim != 1:
            raise ValueError(f"a series needs x and y of the same length (n,). Received: x of shape "
                             f"{self.x.shape}, y of shape {self.y.shape}")


@dataclass
class Panel:
    """One set of axes: a title, axis labels, a linear or log y scale, its series.

    ylim: fixed (low, high) y limits, or None to fit the data; legend: a legend of the series'
    labels; note: a grey line of text in the middle (what an empty panel says instead)."""

    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    series: list[Series] = field(default_factory=list)
    log_y: bool = False
    ylim: tuple[float, float] | None = None
    legend: bool = False
    note: str = ""


@dataclass
class Chart:
    """Panels side by side in a figure of ``size`` (width, height) inches, under an optional
    ``title`` and ``subtitle`` (smaller, grey; lines split at newlines)."""

    panels: list[Panel]
    size: tuple[float, float] = (12.0, 4.5)
    title: str = ""
    subtitle: str = ""


def viridis(i: int, n: int) -> str:
    """Colour i of n (layer i, from input to output) along viridis's 0.1-0.9 span, as hex: the
    colour matplotlib gives ``colormaps["viridis"](0.1 + 0.8 * i / max(n - 1, 1))``, to within a
    unit of 255 (linear between the 17 stored steps)."""
    where = (0.1 + 0.8 * i / max(n - 1, 1)) * (len(VIRIDIS) - 1)
    low = min(int(where), len(VIRIDIS) - 2)
    share = where - low
    a, b = (np.array([int(c[k:k + 2], 16) for k in (1, 3, 5)]) for c in VIRIDIS[low:low + 2])
    return "#" + "".join(f"{round(v):02x}" for v in a + share * (b - a))
