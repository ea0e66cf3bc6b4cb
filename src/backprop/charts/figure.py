"""A ``Chart`` as a matplotlib Figure: for png and pdf files, ``--show`` and notebooks.

Built without pyplot (nothing opens a window), laid out with fixed margins, which renders about
twice as fast as matplotlib's constrained layout. matplotlib places the ticks itself.
"""
from __future__ import annotations

import math

import numpy as np

from . import ticks
from .chart import Chart, Image, Panel, text_width

# margins in inches: room for the tick labels and axis labels, the panels' titles, and the title
LEFT, RIGHT, BOTTOM, PANEL_TOP, TITLE_LINE, SUBTITLE_LINE = 0.8, 0.18, 0.55, 0.38, 0.36, 0.16
Y_LABEL_ROOM = 0.45  # inches left of the y tick labels: the tick, its pad, the turned y label and a margin


def figure(chart: Chart):
    """``chart`` drawn as a ``matplotlib.figure.Figure``, one Axes a panel, left to right."""
    from matplotlib.figure import Figure

    width, height = chart.size
    counts = chart.rows or (max(len(chart.panels), 1),)
    columns = math.lcm(*counts)  # a grid fine enough for every row's share: rows of 2 and 3 take 6
    subtitle = chart.subtitle.splitlines()
    top = PANEL_TOP + (TITLE_LINE if chart.title else 0) + SUBTITLE_LINE * len(subtitle) + (0.12 if subtitle else 0)
    left = _left(chart)
    fig = Figure(figsize=chart.size)
    # wspace is a share of a grid column's width: (left + RIGHT) inches between neighbours
    fig.subplots_adjust(left=left / width, right=1 - RIGHT / width, bottom=BOTTOM / height, top=1 - top / height,
                        wspace=(left + RIGHT) * columns / (width - left - RIGHT),
                        hspace=(BOTTOM + PANEL_TOP) * len(counts) / (height - top - BOTTOM))
    grid = fig.add_gridspec(len(counts), columns)
    share = {count: columns // count for count in counts}
    axes = [fig.add_subplot(grid[row, place * share[count]:(place + 1) * share[count]])
            for row, place, count in chart.layout()] if chart.panels else [fig.add_subplot(grid[0, :])]
    for ax, panel in zip(axes, chart.panels):
        _panel(fig, ax, panel)
    if chart.title:
        fig.suptitle(chart.title, y=1 - 0.1 / height, va="top")
    if subtitle:
        fig.text(0.5, 1 - (0.1 + TITLE_LINE) / height, chart.subtitle, ha="center", va="top", fontsize=9,
                 color="#444")
    return fig


def _left(chart: Chart) -> float:
    """The margin left of each panel, in inches: ``LEFT``, or more where a panel's own y tick labels
    (a confusion matrix's class names) are wider than numbers, so that they and the y label show."""
    widest = max((text_width(str(label)) for panel in chart.panels for _, label in panel.y_ticks or ()), default=0.0)
    return max(LEFT, widest + Y_LABEL_ROOM)


def _panel(fig, ax, panel: Panel) -> None:
    """Draw ``panel`` on the Axes ``ax`` of ``fig``: its image, lines and points, then its axes."""
    if panel.image is not None:
        _image(fig, ax, panel.image)
    for s in panel.series:
        style = {"marker": s.marker, "markersize": s.marker_size} if s.marker else {}
        ax.plot(s.x, s.y, color=s.color, label=s.label or None, **style)
    for p in panel.points:  # matplotlib's scatter sizes are areas, in points squared
        ax.scatter(p.x, p.y, s=p.size ** 2, c=p.color, marker=p.marker, alpha=p.alpha if p.alpha < 1 else None,
                   edgecolors=p.edge or "none", linewidths=p.edge_width if p.edge else 0, label=p.label or None,
                   zorder=3)
    ax.set(title=panel.title, xlabel=panel.xlabel, ylabel=panel.ylabel)
    if panel.log_y and any(np.any(ticks.drawable(s.y, log=True)) for s in panel.series):
        ax.set_yscale("log")
        if panel.y_ticks is None:
            _log_ticks(ax)
    if panel.xlim is not None:
        ax.set_xlim(*panel.xlim)
    if panel.ylim is not None:
        ax.set_ylim(*panel.ylim)
    for ticked, given in ((ax.set_xticks, panel.x_ticks), (ax.set_yticks, panel.y_ticks)):
        if given is not None:
            ticked([v for v, _ in given], [label for _, label in given])
    if panel.grid:
        ax.grid(alpha=0.3)
    if panel.legend and any(s.label for s in [*panel.series, *panel.points]):
        ax.legend(fontsize=8, loc="best", framealpha=0.8)
    if panel.note:
        ax.text(0.5, 0.5, panel.note, ha="center", va="center", transform=ax.transAxes, color="gray")


def _log_ticks(ax) -> None:
    """A log y axis ticked and labelled as the SVG renderer does it (``ticks.log``): within a decade
    or two, 0.2 and 0.5 rather than matplotlib's 2x10^-1, which took more than the left margin."""
    from matplotlib.ticker import NullFormatter

    low, high = ax.get_ylim()
    major, minor = ticks.log(low, high)
    ax.set_yticks([v for v, _ in major], [_math(text, sup) for _, (text, sup) in major])
    ax.set_yticks(minor, minor=True)
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(low, high)


def _math(text: str, sup: str) -> str:
    """A tick label of ``ticks`` (its text and its superscript) in matplotlib's mathtext."""
    if not sup:
        return text
    return "$" + text.replace("\u00d7", r"\times ") + "^{" + sup.replace("\u2212", "-") + "}$"


def _image(fig, ax, image: Image) -> None:
    """The map as ``imshow`` draws it (row 0 at the bottom), its contour line, texts and colour bar."""
    from matplotlib.colors import ListedColormap

    # the colours picked here, as the SVG renderer picks them: the same colour for the same value
    shown = ax.imshow(image.color_indices(), extent=image.extent, origin="lower", aspect="auto",
                      interpolation="bilinear" if image.smooth else "nearest", cmap=ListedColormap(image.colors),
                      vmin=-0.5, vmax=len(image.colors) - 0.5)
    if image.contour is not None:
        x, y = image.grid()
        ax.contour(x, y, image.values, levels=[image.contour], colors=image.contour_color, linewidths=1.5)
    for x, y, text, color in image.texts:
        ax.text(x, y, text, ha="center", va="center", fontsize=9, color=color)  # svg.SMALL: 9 pt in both
    if image.colorbar:
        bar = fig.colorbar(shown, ax=ax, label=image.colorbar)
        m, span = len(image.colors), (image.vmax - image.vmin) or 1.0
        found = image.colorbar_ticks if len(image.colorbar_ticks) else \
            [v for v, _ in ticks.linear(image.vmin, image.vmax, most=8)]
        # the bar is drawn in colour indices: a value's tick goes where its share of the span lies
        bar.set_ticks([(v - image.vmin) / span * m - 0.5 for v in found], labels=[f"{v:g}" for v in found])
