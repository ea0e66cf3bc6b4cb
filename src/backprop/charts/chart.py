"""A chart described as data: panels side by side, each with its axes, scale, lines, points and
an image under them (a map of values, with its contour line and colour bar).

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
# matplotlib's default colour cycle (C0, C1, ...): one colour a run where several are compared
TAB10 = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
# matplotlib's RdBu and Blues at 17 even steps (for ``colormap``)
RDBU = ("#67001f", "#960f27", "#bb2a34", "#d25849", "#e58368", "#f5ac8b", "#fbceb7", "#fbe6da", "#f6f7f7",
        "#deebf2", "#c0dceb", "#98c8e0", "#68abd0", "#3e8cbf", "#2870b1", "#15508d", "#053061")
BLUES = ("#f7fbff", "#eaf3fb", "#deebf7", "#d2e3f3", "#c6dbef", "#b2d2e8", "#9dcae1", "#84bcdb", "#6aaed6",
         "#56a0ce", "#4191c6", "#3181bd", "#2070b4", "#1460a8", "#08509b", "#084082", "#08306b")
MARKERS = ("o", "^", "v", "s", "D", "P", "p", "h", "X")  # matplotlib's names of the shapes ``Points`` draws
CHAR = 0.6  # an average character's width, in ems: what text widths are estimated by, without a font


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
class Points:
    """A marker at each point (x[i], y[i]), x and y (n,): a scatter.

    marker: one of ``MARKERS`` (circle, triangles up and down, square, diamond, plus, pentagon,
    hexagon, cross), ``size`` points across, filled with ``color`` (at ``alpha``) and edged in
    ``edge`` (``edge_width`` points; "" for no edge)."""

    x: np.ndarray
    y: np.ndarray
    color: str = BLUE
    marker: str = "o"
    size: float = 4.7
    edge: str = ""
    edge_width: float = 0.5
    alpha: float = 1.0
    label: str = ""

    def __post_init__(self):
        self.x = np.asarray(self.x, dtype=float).ravel()
        self.y = np.asarray(self.y, dtype=float).ravel()
        if self.x.shape != self.y.shape:
            raise ValueError(f"points need x and y of the same length (n,). Received: x of shape {self.x.shape}, "
                             f"y of shape {self.y.shape}")
        if self.marker not in MARKERS:
            raise ValueError(f"marker must be one of {list(MARKERS)}. Received: marker={self.marker!r}")


@dataclass
class Image:
    """A map of ``values`` (rows, columns) over the panel, row 0 at the bottom, spanning ``extent``
    (x low, x high, y low, y high), each value coloured along ``colors`` ((m, 3) RGB in 0..1, see
    ``colormap``) from ``vmin`` to ``vmax``: value v takes colour floor((v - vmin) / (vmax - vmin) * m),
    clipped to 0..m-1. smooth: drawn bilinear (a sampled smooth function), else as blocks (cells).

    contour: a level whose line through ``values`` is drawn (in ``contour_color``), or None; colorbar: the
    label of a colour bar beside the panel ("" for none), ticked at ``colorbar_ticks`` (or round
    steps); texts: (x, y, text, colour) written centred on the map (a count in each cell)."""

    values: np.ndarray
    extent: tuple[float, float, float, float]
    colors: np.ndarray
    vmin: float = 0.0
    vmax: float = 1.0
    smooth: bool = True
    contour: float | None = None
    colorbar: str = ""
    colorbar_ticks: tuple = ()
    texts: list = field(default_factory=list)
    contour_color: str = "black"

    def __post_init__(self):
        self.values = np.asarray(self.values, dtype=float)
        self.colors = np.asarray(self.colors, dtype=float)
        if self.values.ndim != 2 or min(self.values.shape) < 1:
            raise ValueError(f"an image needs values of shape (rows, columns). Received: shape {self.values.shape}")

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """The x (columns,) and y (rows,) of the values, spread evenly over ``extent``, ends included."""
        rows, columns = self.values.shape
        x0, x1, y0, y1 = self.extent
        return np.linspace(x0, x1, columns), np.linspace(y0, y1, rows)

    def color_indices(self) -> np.ndarray:
        """Each value's row in ``colors`` (rows, columns); NaN takes the first."""
        m = len(self.colors)
        with np.errstate(invalid="ignore"):
            share = (self.values - self.vmin) / ((self.vmax - self.vmin) or 1.0)
            return np.clip(np.nan_to_num(np.floor(share * m), nan=0.0), 0, m - 1).astype(int)


@dataclass
class Panel:
    """One set of axes: a title, axis labels, a linear or log y scale, its series.

    ylim, xlim: fixed (low, high) limits, or None to fit the data (x on whole numbers where
    ``integer_x``: epochs); legend: a legend of the series' and points' labels; note: a grey line
    of text in the middle (what an empty panel says instead); points: scatters over the lines;
    image: a map under them; grid: light grid lines at the ticks; x_ticks, y_ticks: ticks of
    their own, [(value, label)], instead of round steps (a confusion matrix's classes)."""

    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    series: list[Series] = field(default_factory=list)
    log_y: bool = False
    ylim: tuple[float, float] | None = None
    legend: bool = False
    note: str = ""
    points: list[Points] = field(default_factory=list)
    image: Image | None = None
    xlim: tuple[float, float] | None = None
    integer_x: bool = True
    grid: bool = True
    x_ticks: list | None = None
    y_ticks: list | None = None


@dataclass
class Chart:
    """Panels side by side in a figure of ``size`` (width, height) inches, under an optional
    ``title`` and ``subtitle`` (smaller, grey; lines split at newlines).

    rows: how many panels each row holds, top to bottom, each row sharing the width equally (the
    curves of several runs above their decision boundaries: (2, 3)); None: one row of all."""

    panels: list[Panel]
    size: tuple[float, float] = (12.0, 4.5)
    title: str = ""
    subtitle: str = ""
    rows: tuple[int, ...] | None = None

    def __post_init__(self):
        if self.rows is not None and (sum(self.rows) != len(self.panels) or min(self.rows, default=0) < 1):
            raise ValueError(f"rows must count every panel, one or more a row: {len(self.panels)} panels. "
                             f"Received: rows={self.rows!r}")

    def layout(self) -> list[tuple[int, int, int]]:
        """(row, place in the row, panels in the row) of each panel, in order."""
        counts = self.rows or (len(self.panels),)
        return [(r, i, count) for r, count in enumerate(counts) for i in range(count)]


def text_width(text: str, points: float = 10.0) -> float:
    """Estimated width in inches of ``text`` at ``points`` (a 10 pt tick label: 1/12 in a character):
    what a chart leaves room for, beside its axes or between its ticks."""
    return len(text) * CHAR * points / 72


def viridis(i: int, n: int) -> str:
    """Colour i of n (layer i, from input to output) along viridis's 0.1-0.9 span, as hex: the
    colour matplotlib gives ``colormaps["viridis"](0.1 + 0.8 * i / max(n - 1, 1))``, to within a
    unit of 255 (linear between the 17 stored steps)."""
    where = (0.1 + 0.8 * i / max(n - 1, 1)) * (len(VIRIDIS) - 1)
    low = min(int(where), len(VIRIDIS) - 2)
    share = where - low
    a, b = (np.array([int(c[k:k + 2], 16) for k in (1, 3, 5)]) for c in VIRIDIS[low:low + 2])
    return "#" + "".join(f"{round(v):02x}" for v in a + share * (b - a))


def colormap(stops, strength: float = 1.0, n: int = 256) -> np.ndarray:
    """``n`` colours (n, 3), RGB in 0..1, evenly along the hex colours ``stops`` (linear between
    them), blended with white so that ``strength`` of each is kept (a pale background: 0.4)."""
    rgb = np.array([[int(c[k:k + 2], 16) / 255 for k in (1, 3, 5)] for c in stops])
    where = np.linspace(0, len(stops) - 1, n)
    low = np.minimum(where.astype(int), len(stops) - 2) if len(stops) > 1 else np.zeros(n, int)
    share = (where - low)[:, None]
    colors = rgb[low] + share * (rgb[np.minimum(low + 1, len(stops) - 1)] - rgb[low])
    return 1 - strength * (1 - colors)
