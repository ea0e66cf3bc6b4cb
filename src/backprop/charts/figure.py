"""A ``Chart`` as a matplotlib Figure: for png and pdf files, ``--show`` and notebooks.

Built without pyplot (nothing opens a window), laid out with fixed margins, which renders about
twice as fast as matplotlib's constrained layout. matplotlib places the ticks itself.
"""
from __future__ import annotations

import numpy as np

from . import ticks
from .chart import Chart

# margins in inches: room for the tick labels and axis labels, the panels' titles, and the title
LEFT, RIGHT, BOTTOM, PANEL_TOP, TITLE_LINE, SUBTITLE_LINE = 0.8, 0.18, 0.55, 0.38, 0.36, 0.16


def figure(chart: Chart):
    """``chart`` drawn as a ``matplotlib.figure.Figure``, one Axes a panel, left to right."""
    from matplotlib.figure import Figure

    width, height = chart.size
    n = max(len(chart.panels), 1)
    subtitle = chart.subtitle.splitlines()
    top = PANEL_TOP + (TITLE_LINE if chart.title else 0) + SUBTITLE_LINE * len(subtitle) + (0.12 if subtitle else 0)
    fig = Figure(figsize=chart.size)
    fig.subplots_adjust(left=LEFT / width, right=1 - RIGHT / width, bottom=BOTTOM / height, top=1 - top / height,
                        wspace=(LEFT + RIGHT) * n / (width - LEFT - RIGHT))
    axes = np.atleast_1d(fig.subplots(1, n))
    for ax, panel in zip(axes, chart.panels):
        for s in panel.series:
            style = {"marker": s.marker, "markersize": s.marker_size} if s.marker else {}
            ax.plot(s.x, s.y, color=s.color, label=s.label or None, **style)
        ax.set(title=panel.title, xlabel=panel.xlabel, ylabel=panel.ylabel)
        if panel.log_y and any(np.any(ticks.drawable(s.y, log=True)) for s in panel.series):
            ax.set_yscale("log")
        if panel.ylim is not None:
            ax.set_ylim(*panel.ylim)
        ax.grid(alpha=0.3)
        if panel.legend and any(s.label for s in panel.series):
            ax.legend(fontsize=8, loc="best")
        if panel.note:
            ax.text(0.5, 0.5, panel.note, ha="center", va="center", transform=ax.transAxes, color="gray")
    if chart.title:
        fig.suptitle(chart.title, y=1 - 0.1 / height, va="top")
    if subtitle:
        fig.text(0.5, 1 - (0.1 + TITLE_LINE) / height, chart.subtitle, ha="center", va="top", fontsize=9,
                 color="#444")
    return fig
