"""Charts: a figure described once as data, drawn by either of two renderers.

- chart.py: the description (``Chart`` of ``Panel``s of ``Series``, ``Points`` and an ``Image``), with no
  drawing in it
- ticks.py: where an axis's ticks go and how they are labelled (linear, and log decades)
- svg.py: a ``Chart`` as SVG text, written by hand: no matplotlib, so a run's curves and health
  figures cost milliseconds rather than matplotlib's import and first figure
- figure.py: the same ``Chart`` as a matplotlib Figure, for png and pdf, ``--show`` and notebooks

What a figure shows (titles, series, log scale, markers, notes) lives in the function that builds
its ``Chart`` (``plots.curves_chart``, ``views.health.chart``); the renderers only draw.
"""
from .chart import Chart, Image, Panel, Points, Series, colormap

__all__ = ["Chart", "Image", "Panel", "Points", "Series", "colormap"]
