"""A ``Chart`` as SVG text, written by hand: deterministic bytes, text as text, no matplotlib.

The layout follows matplotlib's look at 100 pixels an inch (its default sizes: 10 pt labels,
12 pt titles, 1.5 pt lines, a light grid), so a figure reads the same in either format. Text
widths are estimated (0.6 em a character), which is what places the y labels left of the ticks.
"""
from __future__ import annotations

import base64
import hashlib
import math
import struct
import zlib
from dataclasses import dataclass
from html import escape

import numpy as np

from . import contour, ticks
from .chart import CHAR, Chart, Image, Panel, Points, Series

DPI = 100  # pixels an inch: a 12 x 4.5 in chart is 1200 x 450
PT = DPI / 72  # pixels a point
FONT = "DejaVu Sans, Bitstream Vera Sans, Arial, Helvetica, sans-serif"  # matplotlib's first choice first
LABEL, TITLE, SMALL, LEGEND = 10 * PT, 12 * PT, 9 * PT, 8 * PT  # font sizes in pixels
GRID = 'stroke="#b0b0b0" stroke-opacity="0.3" stroke-width="1.1"'
XLINK = ' xmlns:xlink="http://www.w3.org/1999/xlink"'  # images, markers: xlink:href, which every reader knows
COLORBAR_ROOM = 1.0 * DPI  # taken from a panel's width for its colour bar, ticks and label
LEGEND_PLACES = ("upper right", "upper left", "lower left", "lower right", "center right", "center left",
                 "lower center", "upper center", "center")  # matplotlib's "best" order


def render(chart: Chart) -> str:
    """``chart`` as an SVG document (text): the same chart always gives the same text."""
    width, height = (round(side * DPI) for side in chart.size)
    top = 12 + (TITLE * 1.6 if chart.title else 0)
    body = []
    if chart.title:
        body.append(_text(width / 2, 12 + TITLE, chart.title, TITLE, anchor="middle"))
    for line in chart.subtitle.splitlines():
        top += SMALL * 1.25
        body.append(_text(width / 2, top, line, SMALL, anchor="middle", fill="#444"))
    top += TITLE * 2.2 if chart.subtitle else TITLE * 1.6  # room for the panels' titles
    # each row: its panels' titles above, their axes, their x ticks and labels below
    rows = len(chart.rows or (1,))
    stride = (height - top + TITLE * 1.6) / rows
    for panel, (row, place, count) in zip(chart.panels, chart.layout()):
        slot = width / count
        bottom = height - 4.2 * LABEL - (rows - 1 - row) * stride  # the last row's exactly as one row's
        body.append(_panel(panel, place * slot, slot, top + row * stride, bottom, f"r{row}" if row else ""))
    content = "\n".join(body)
    # ids unique to the content: a page that inlines two charts (report.html) keeps their clips apart
    key = "c" + hashlib.sha1(content.encode()).hexdigest()[:10]
    return ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg"{XLINK if "xlink:" in content else ""} '
            f'width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="{LABEL:.1f}">\n'
            f'<rect width="{width}" height="{height}" fill="white"/>\n'
            f'{content.replace("CLIP", key)}\n</svg>\n')


def _polygon(corners: int) -> tuple:
    """A regular polygon's corners on the unit circle, the first on top."""
    angles = np.radians(-90.0 + 360.0 * np.arange(corners) / corners)
    return tuple(zip(np.cos(angles), np.sin(angles)))


_ARM = 1 / 3  # half the width of a plus's arm, of its radius
_PLUS = ((-_ARM, -1), (_ARM, -1), (_ARM, -_ARM), (1, -_ARM), (1, _ARM), (_ARM, _ARM), (_ARM, 1), (-_ARM, 1),
         (-_ARM, _ARM), (-1, _ARM), (-1, -_ARM), (-_ARM, -_ARM))
# each marker's corners around its centre, y down (SVG's), in radii (half the marker's size): the
# paths matplotlib draws for the same names, so a scatter reads the same in SVG and PNG. Its
# triangles and square fill the whole size-by-size box and its diamond is that square turned (its
# tips sqrt(2) radii out): a regular polygon on the circle would be half to two thirds their area.
MARKER_SHAPES = {
    "^": ((0, -1), (1, 1), (-1, 1)), "v": ((0, 1), (-1, -1), (1, -1)), "s": ((-1, -1), (1, -1), (1, 1), (-1, 1)),
    "D": tuple((math.sqrt(2) * u, math.sqrt(2) * v) for u, v in ((0, -1), (1, 0), (0, 1), (-1, 0))),
    "p": _polygon(5), "h": _polygon(6), "P": _PLUS,
    "X": ((-0.5, -1), (0, -0.5), (0.5, -1), (1, -0.5), (0.5, 0), (1, 0.5), (0.5, 1), (0, 0.5), (-0.5, 1),
          (-1, 0.5), (-0.5, 0), (-1, -0.5)),
}


@dataclass
class _Axes:
    """One panel's axes: its box in pixels, from (x0, top) to (x1, bottom), and the data ranges
    it shows, y on a log scale or not."""

    x0: float
    top: float
    x1: float
    bottom: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    log: bool

    def x(self, value: float) -> float:
        low, high = self.x_range
        return self.x0 + (self.x1 - self.x0) * (value - low) / (high - low)

    def y(self, value: float) -> float:
        low, high = self.y_range
        if self.log:
            # differences of logarithms: a quotient of values 600 decades apart would overflow
            share = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))
            return self.bottom - (self.bottom - self.top) * share
        return self.bottom - (self.bottom - self.top) * (value - low) / (high - low)


def _panel(panel: Panel, left: float, slot: float, top: float, bottom: float, row: str = "") -> str:
    """One panel's axes, grid, ticks, image, lines, points, title, labels and legend, in the slot
    from ``left`` (``slot`` pixels wide), its axes from ``top`` to ``bottom``; ``row`` tells its
    clip's id from those of the panels above (the first row's ids are as they were before rows)."""
    xs, ys = _extent(panel)
    log = panel.log_y and bool(np.any(ticks.drawable(ys, log=True)))
    y_range = panel.ylim if panel.ylim is not None else ticks.data_range(ys, log=log)
    if panel.y_ticks is not None:
        y_major, y_minor = [(v, (str(label), "")) for v, label in panel.y_ticks], []
    elif log:
        y_major, y_minor = ticks.log(*y_range, most=_most(bottom - top, 2))
    else:
        y_major, y_minor = ticks.linear(*y_range, most=_most(bottom - top, 2)), []
    # the y tick labels' width decides where the axes start (an exponent is set smaller)
    label_width = max((_width(text + sup, LABEL) - (0.3 * len(sup) * LABEL * CHAR) for _, (text, sup) in y_major),
                      default=0)
    bar = panel.image is not None and panel.image.colorbar
    right = left + slot - 0.35 * DPI - (COLORBAR_ROOM if bar else 0)
    x_range = panel.xlim if panel.xlim is not None else ticks.data_range(xs, integer=panel.integer_x)
    axes = _Axes(left + label_width + 2.6 * LABEL + 6, top, right, bottom, x_range, y_range, log)
    x_major = ([(v, (str(label), "")) for v, label in panel.x_ticks] if panel.x_ticks is not None else
               ticks.linear(*axes.x_range, most=_most(axes.x1 - axes.x0, 3), integer=panel.integer_x))
    clip = f"CLIP{int(left)}{row}"
    out = [f'<clipPath id="{clip}"><rect x="{axes.x0:.2f}" y="{top:.2f}" width="{axes.x1 - axes.x0:.2f}" '
           f'height="{bottom - top:.2f}"/></clipPath>',
           *_ticks(axes, x_major, y_major, y_minor, panel.grid), f'<g clip-path="url(#{clip})">']
    if panel.image is not None:
        out.append(_image(panel.image, axes))
    out += [_series(series, axes) for series in panel.series]
    out += [_points(points, axes, f"{clip}p{i}") for i, points in enumerate(panel.points)]
    out += ["</g>", f'<rect x="{axes.x0:.2f}" y="{top:.2f}" width="{axes.x1 - axes.x0:.2f}" '
            f'height="{bottom - top:.2f}" fill="none" stroke="black" stroke-width="1.1"/>',
            *_labels(panel, axes, label_width)]
    if bar:
        out.append(_colorbar(panel.image, axes))
    if panel.legend and any(s.label for s in [*panel.series, *panel.points]):
        out.append(_legend(panel, axes))
    return "\n".join(out)


def _extent(panel: Panel) -> tuple[np.ndarray, np.ndarray]:
    """Every x and every y that the panel's axes must show: its lines', its points' and its image's corners."""
    xs = [s.x for s in panel.series] + [p.x for p in panel.points]
    ys = [s.y for s in panel.series] + [p.y for p in panel.points]
    if panel.image is not None:
        xs.append(np.array(panel.image.extent[:2]))
        ys.append(np.array(panel.image.extent[2:]))
    return (np.concatenate(xs) if xs else np.array([])), (np.concatenate(ys) if ys else np.array([]))


def _ticks(axes: _Axes, x_major: list, y_major: list, y_minor: list, grid: bool = True) -> list[str]:
    """The grid lines (with ``grid``), tick marks and tick labels of ``axes``."""
    out = []
    for v, (text, sup) in x_major:
        x = axes.x(v)
        if grid:
            out.append(f'<line x1="{x:.2f}" y1="{axes.top:.2f}" x2="{x:.2f}" y2="{axes.bottom:.2f}" {GRID}/>')
        out.append(f'<line x1="{x:.2f}" y1="{axes.bottom:.2f}" x2="{x:.2f}" y2="{axes.bottom + 4.9:.2f}" '
                   f'stroke="black"/>')
        out.append(_text(x, axes.bottom + 6 + LABEL, text, LABEL, anchor="middle", sup=sup))
    for v, (text, sup) in y_major:
        y = axes.y(v)
        if grid:
            out.append(f'<line x1="{axes.x0:.2f}" y1="{y:.2f}" x2="{axes.x1:.2f}" y2="{y:.2f}" {GRID}/>')
        out.append(f'<line x1="{axes.x0 - 4.9:.2f}" y1="{y:.2f}" x2="{axes.x0:.2f}" y2="{y:.2f}" stroke="black"/>')
        out.append(_text(axes.x0 - 8, y + 0.35 * LABEL, text, LABEL, anchor="end", sup=sup))
    for v in y_minor:
        y = axes.y(v)
        out.append(f'<line x1="{axes.x0 - 2.8:.2f}" y1="{y:.2f}" x2="{axes.x0:.2f}" y2="{y:.2f}" stroke="black" '
                   f'stroke-width="0.8"/>')
    return out


def _labels(panel: Panel, axes: _Axes, label_width: float) -> list[str]:
    """The panel's title, axis labels (y's turned, left of its tick labels) and note."""
    middle, y_mid = (axes.x0 + axes.x1) / 2, (axes.top + axes.bottom) / 2
    y_label_x = axes.x0 - label_width - 1.4 * LABEL
    out = [_text(middle, axes.top - 0.5 * TITLE, panel.title, TITLE, anchor="middle"),
           _text(middle, axes.bottom + 2.9 * LABEL, panel.xlabel, LABEL, anchor="middle"),
           _text(y_label_x, y_mid, panel.ylabel, LABEL, anchor="middle", rotate=(y_label_x, y_mid))]
    if panel.note:
        out.append(_text(middle, y_mid, panel.note, LABEL, anchor="middle", fill="gray"))
    return out


def _most(length: float, labels: float) -> int:
    """How many ticks an axis ``length`` pixels long may have: as matplotlib's default locator,
    one per ``labels`` tick labels' heights (2 on a y axis, 3 on an x axis), 3 to 10."""
    return max(3, min(10, int(length / (labels * LABEL)) + 1))


def _runs(series: Series, axes: _Axes) -> list[list[tuple[float, float]]]:
    """The series in pixels, split into runs of drawable points: a NaN (or infinity, or on a log
    axis a value <= 0: see ``ticks.drawable``) ends a run, so the line has a gap there."""
    runs, run = [], []
    shown = ticks.drawable(series.x) & ticks.drawable(series.y, axes.log)
    for x, y, show in zip(series.x, series.y, shown):
        if show:
            run.append((axes.x(x), axes.y(y)))
        elif run:
            runs.append(run)
            run = []
    return runs + [run] if run else runs


def _series(series: Series, axes: _Axes) -> str:
    """A series as polylines (one a run between gaps) and, with a marker, a dot on each point."""
    out = []
    runs = _runs(series, axes)
    for run in runs:
        if len(run) > 1:
            points = " ".join(f"{x:.2f},{y:.2f}" for x, y in run)
            out.append(f'<polyline points="{points}" fill="none" stroke="{series.color}" stroke-width="{1.5 * PT:.2f}" '
                       f'stroke-linejoin="round" stroke-linecap="square"/>')
    if series.marker:
        radius = series.marker_size * PT / 2
        out.extend(f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{radius:.2f}" fill="{series.color}"/>'
                   for run in runs for x, y in run)
    return "\n".join(out)


def _legend(panel: Panel, axes: _Axes) -> str:
    """A legend of the labelled lines and points in the corner (or edge) of ``axes`` where it covers
    the fewest points of the lines and scatters, as matplotlib's loc="best" places it."""
    shown = [s for s in [*panel.series, *panel.points] if s.label]
    row = LEGEND * 1.45
    width = 2.6 * LEGEND + max(_width(s.label, LEGEND) for s in shown) + LEGEND
    height = row * len(shown) + 0.6 * LEGEND
    points = [p for s in panel.series for run in _runs(s, axes) for p in _along(run)]
    points += [p for scatter in panel.points for p in _pixels(scatter, axes)]
    x0, top, x1, bottom = axes.x0, axes.top, axes.x1, axes.bottom
    pad = 0.6 * LEGEND

    def corner(place: str) -> tuple[float, float]:
        x = {"left": x0 + pad, "right": x1 - pad - width}.get(place.split()[-1], (x0 + x1 - width) / 2)
        y = {"upper": top + pad, "lower": bottom - pad - height}.get(place.split()[0], (top + bottom - height) / 2)
        return x, y

    def covered(place: str) -> int:
        x, y = corner(place)
        return sum(x <= px <= x + width and y <= py <= y + height for px, py in points)

    x, y = corner(min(LEGEND_PLACES, key=covered))  # the first of the least covered, in matplotlib's order
    out = [f'<rect x="{x:.2f}" y="{y:.2f}" width="{width:.2f}" height="{height:.2f}" rx="3" fill="white" '
           f'fill-opacity="0.8" stroke="#cccccc"/>']
    for i, s in enumerate(shown):
        middle = y + 0.3 * LEGEND + row * (i + 0.5)
        if isinstance(s, Points):  # its marker, at most a row high
            scale = min(1.0, row / max(s.size * PT, 1e-9))
            out.append(_marker(s, x + 1.35 * LEGEND, middle, scale))
        else:
            out.append(f'<line x1="{x + 0.5 * LEGEND:.2f}" y1="{middle:.2f}" x2="{x + 2.2 * LEGEND:.2f}" '
                       f'y2="{middle:.2f}" stroke="{s.color}" stroke-width="{1.5 * PT:.2f}"/>')
        out.append(_text(x + 2.6 * LEGEND, middle + 0.35 * LEGEND, s.label, LEGEND))
    return "\n".join(out)


def _pixels(points: Points, axes: _Axes) -> list[tuple[float, float]]:
    """The drawable points (finite, within ``ticks.LIMIT``) in pixels."""
    shown = ticks.drawable(points.x) & ticks.drawable(points.y, axes.log)
    return [(axes.x(x), axes.y(y)) for x, y in zip(points.x[shown], points.y[shown])]


def _points(points: Points, axes: _Axes, key: str) -> str:
    """A scatter: its marker defined once (id ``key``) and placed at each point."""
    placed = "".join(f'<use xlink:href="#{key}" x="{x:.2f}" y="{y:.2f}"/>' for x, y in _pixels(points, axes))
    return f'<defs>{_marker(points, 0.0, 0.0, 1.0, key)}</defs>{placed}'


def _marker(points: Points, x: float, y: float, scale: float, key: str = "") -> str:
    """The marker of ``points`` centred at (x, y), ``scale`` times its size, with the id ``key`` if given."""
    radius = points.size * PT / 2 * scale
    style = f'fill="{points.color}"' + (f' fill-opacity="{points.alpha:g}"' if points.alpha < 1 else "")
    if points.edge:
        style += f' stroke="{points.edge}" stroke-width="{points.edge_width * PT * scale:.2f}"'
    ident = f'id="{key}" ' if key else ""
    if points.marker == "o":
        return f'<circle {ident}cx="{x:.2f}" cy="{y:.2f}" r="{radius:.2f}" {style}/>'
    corners = " ".join(f"{x + radius * u:.2f},{y + radius * v:.2f}" for u, v in MARKER_SHAPES[points.marker])
    return f'<polygon {ident}points="{corners}" {style}/>'


def _image(image: Image, axes: _Axes) -> str:
    """The map as a PNG stretched over its extent (smooth, or as blocks), and its contour line."""
    x0, x1, y0, y1 = image.extent
    left, right, top, bottom = axes.x(x0), axes.x(x1), axes.y(y1), axes.y(y0)
    rows = np.round(image.colors[image.color_indices()] * 255).astype(np.uint8)[::-1]  # row 0 at the top
    blocks = "" if image.smooth else ' style="image-rendering:pixelated" image-rendering="optimizeSpeed"'
    out = [f'<image x="{min(left, right):.2f}" y="{min(top, bottom):.2f}" width="{abs(right - left):.2f}" '
           f'height="{abs(bottom - top):.2f}" preserveAspectRatio="none"{blocks} '
           f'xlink:href="data:image/png;base64,{_png(rows)}"/>']
    if image.contour is not None:
        path = "".join(f"M{axes.x(a[0]):.2f} {axes.y(a[1]):.2f}L{axes.x(b[0]):.2f} {axes.y(b[1]):.2f}"
                       for a, b in contour.segments(*image.grid(), image.values, image.contour))
        if path:
            out.append(f'<path d="{path}" fill="none" stroke="{image.contour_color}" stroke-width="{1.5 * PT:.2f}" '
                       f'stroke-linecap="round"/>')
    out += [_text(axes.x(x), axes.y(y) + 0.35 * SMALL, str(text), SMALL, anchor="middle", fill=color)
            for x, y, text, color in image.texts]
    return "\n".join(out)


def _colorbar(image: Image, axes: _Axes) -> str:
    """A colour bar right of ``axes``: the image's colours from vmin (bottom) to vmax, ticked, labelled."""
    left = axes.x1 + 0.25 * DPI
    width = 0.18 * DPI
    height = axes.bottom - axes.top
    strip = np.round(image.colors[::-1, None, :] * 255).astype(np.uint8)  # vmax at the top
    out = [f'<image x="{left:.2f}" y="{axes.top:.2f}" width="{width:.2f}" height="{height:.2f}" '
           f'preserveAspectRatio="none" xlink:href="data:image/png;base64,{_png(strip)}"/>',
           f'<rect x="{left:.2f}" y="{axes.top:.2f}" width="{width:.2f}" height="{height:.2f}" fill="none" '
           f'stroke="black" stroke-width="0.8"/>']
    span = (image.vmax - image.vmin) or 1.0
    found = ([(v, (f"{v:g}", "")) for v in image.colorbar_ticks] if len(image.colorbar_ticks) else
             ticks.linear(image.vmin, image.vmax, most=_most(height, 2)))
    widest = 0.0
    for v, (text, _) in found:
        y = axes.bottom - height * (v - image.vmin) / span
        out.append(f'<line x1="{left + width:.2f}" y1="{y:.2f}" x2="{left + width + 3.5:.2f}" y2="{y:.2f}" '
                   f'stroke="black" stroke-width="0.8"/>')
        out.append(_text(left + width + 6, y + 0.35 * LABEL, text, LABEL))
        widest = max(widest, _width(text, LABEL))
    x = left + width + 10 + widest + 0.9 * LABEL
    middle = (axes.top + axes.bottom) / 2
    out.append(_text(x, middle, image.colorbar, LABEL, anchor="middle", rotate=(x, middle)))
    return "\n".join(out)


def _png(pixels: np.ndarray) -> str:
    """RGB ``pixels`` (rows, columns, 3) uint8 as a PNG, in base64: 8-bit truecolour, each row
    unfiltered, deflated by zlib. Written here rather than through Pillow, whose import (with its
    image plugins, logging and subprocess) was two thirds of a run's result figure in a fresh
    process (~25 ms of ~40); the bytes are the same for the same pixels."""
    rows, columns, _ = pixels.shape
    raw = np.concatenate([np.zeros((rows, 1), np.uint8), pixels.reshape(rows, -1)], axis=1)  # filter 0 a row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", columns, rows, 8, 2, 0, 0, 0)  # 8 bits, RGB, deflate, no filter, no interlace
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw.tobytes(), 9)) + \
        chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


def _along(run: list[tuple[float, float]], spacing: float = 4.0) -> list[tuple[float, float]]:
    """The points of a line through ``run``, about ``spacing`` pixels apart: what a legend covers."""
    out = run[:1]
    for (xa, ya), (xb, yb) in zip(run, run[1:]):
        steps = max(1, int(math.hypot(xb - xa, yb - ya) / spacing))
        out.extend((xa + (xb - xa) * k / steps, ya + (yb - ya) * k / steps) for k in range(1, steps + 1))
    return out


def _width(text: str, size: float) -> float:
    """Estimated pixel width of ``text`` at font size ``size`` (pixels)."""
    return len(text) * CHAR * size


def _text(x: float, y: float, text: str, size: float, anchor: str = "start", fill: str = "black",
          sup: str = "", rotate: tuple | None = None) -> str:
    """A <text> at (x, y) (its baseline), escaped; ``sup``: an exponent raised after it."""
    if not text:
        return ""
    turn = f' transform="rotate(-90 {rotate[0]:.2f} {rotate[1]:.2f})"' if rotate else ""
    raised = f'<tspan baseline-shift="super" font-size="70%">{escape(sup)}</tspan>' if sup else ""
    return (f'<text x="{x:.2f}" y="{y:.2f}" font-size="{size:.1f}" text-anchor="{anchor}" fill="{fill}"{turn}>'
            f'{escape(text)}{raised}</text>')
