"""The files a finished run leaves in its run folder, as bytes: ``backprop train`` writes them, and
a sweep's workers send them back to the process that writes them, so that both folders hold the
same files (metrics.csv aside: train appends it as the epochs come, a worker sends it whole)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .health import COLUMNS as HEALTH_COLUMNS
from .health import HealthRecorder

if TYPE_CHECKING:
    from .datasets import Dataset
    from .network import Network
    from .training import History

HEALTH_SAMPLES = 256  # training samples that gradient health is measured on, at every evaluation
# The report's decision boundary grid: a page, not a poster. With two classes 100 points a side,
# drawn bilinear, look as 150 did (the boundary's line too); three classes or more are drawn as
# blocks, whose stairs showed at 100
REPORT_RESOLUTION = 100
REPORT_REGIONS_RESOLUTION = 300
REPORT_CELL = 0.4  # inches a confusion matrix's cell is wide at least, in the report: digits' fit a page
# inches a confusion matrix is wide at most in the report: shown at views.report.CONFUSION_MATRIX_MOST
# pixels, its 10 pt labels then read at 11 px. Longer class names are cut to fit (28-character
# names made an 11.5 in matrix whose labels read at 7.7 px)
REPORT_MATRIX_WIDTH = 8.0
SHORTEST_NAME = 6  # characters a class's name is cut to at the fewest, for the report's matrix to fit


def health_recorder(net: Network, data: Dataset) -> HealthRecorder:
    """The callback that records the gradient health a run's health.csv and health figure show."""
    return HealthRecorder(net, data.X_train[:HEALTH_SAMPLES], data.labels(data.y_train[:HEALTH_SAMPLES]))


def charts(history: History, loss: str = "mse", outputs: int = 1, samples: int = HEALTH_SAMPLES) -> dict:
    """The run's own figures as ``charts.Chart`` descriptions, name -> Chart: the training curves
    (of the loss named ``loss``, a ``losses.LOSSES`` name, of a network with ``outputs`` output
    units) and the gradient health (measured on ``samples`` training points, said in its subtitle)."""
    from . import plots
    from .views import health as health_view

    return {"curves": plots.curves_chart(history, loss, outputs),
            "health": health_view.chart(history.health, samples)}


def figures(history: History, loss: str = "mse", outputs: int = 1) -> dict:
    """The run's own figures, name -> matplotlib Figure: ``charts(history, loss, outputs)`` drawn."""
    from .charts.figure import figure

    return {name: figure(chart) for name, chart in charts(history, loss, outputs).items()}


def files(name: str, net: Network, data: Dataset, history: History, config: dict,
          figure_format: str = "svg", drawn: dict | None = None, draw: bool = True) -> dict[str, bytes]:
    """{file name: bytes} for the run ``name``: the model, config.json (``config`` with the training
    time), health.csv, and (with ``draw``) the curves and health figures in ``figure_format`` and
    report.html, which draws the same charts and the model's result on its test split
    (``plots.result_chart``) as SVG by hand, at the page's sizes. ``drawn``: ``figures(history,
    ...)`` if the caller has drawn them already (to show them too). Without ``draw`` nothing is
    drawn. With svg figures matplotlib is not imported at all."""
    kept = kept_files(net, data, history, config)
    if not draw:
        return kept
    return {**kept, **drawn_files(name, net, data, history, config, figure_format, drawn)}


def kept_files(net: Network, data: Dataset, history: History, config: dict) -> dict[str, bytes]:
    """The files of a run that are not drawn: the model, config.json (``config`` with the training
    time) and health.csv."""
    from . import persistence, runs

    config = {**config, "train_seconds": history.seconds}
    return {
        persistence.MODEL_FILE: persistence.to_bytes(net, data.spec),
        "config.json": runs.json_text(config).encode(),
        "health.csv": runs.rows_text(history.health, HEALTH_COLUMNS).encode(),
    }


def drawn_files(name: str, net: Network, data: Dataset, history: History, config: dict,
                figure_format: str = "svg", drawn: dict | None = None) -> dict[str, bytes]:
    """The drawn files of the run ``name``: the curves and health figures in ``figure_format`` and
    report.html (see ``files``)."""
    own = own_figures(history, figure_format, net.loss.name, net.sizes[-1], drawn)
    return with_report(name, net, data, history, config, own)


def with_report(name: str, net: Network, data: Dataset, history: History, config: dict, own: dict[str, bytes],
                model: dict | None = None) -> dict[str, bytes]:
    """The run's drawn files: its own figures ``own`` ({file name: bytes}) and report.html, which
    draws the run's charts and the model's (``model_chart``; built here when not given)."""
    model = model if model is not None else model_chart(net, data)
    return {**own, "report.html": report_page(name, net, data, history, config, model)}


def own_figures(history: History, figure_format: str = "svg", loss: str = "mse", outputs: int = 1,
                drawn: dict | None = None) -> dict[str, bytes]:
    """The run's own figures, drawn from its history alone (``loss`` and ``outputs`` as ``figures``
    takes them): {"curves.svg": bytes, ...}. ``drawn``: as ``files``, for png and pdf; SVG is
    written by hand (``charts.svg``) from the figures' descriptions, without importing matplotlib."""
    if figure_format == "svg":
        from .charts import svg

        return {f"{figure}.svg": svg.render(chart).encode() for figure, chart in charts(history, loss, outputs).items()}
    from . import plots

    drawn = drawn if drawn is not None else figures(history, loss, outputs)
    return {f"{figure}.{figure_format}": plots.to_bytes(fig, figure_format) for figure, fig in drawn.items()}


def model_chart(net: Network, data: Dataset) -> dict:
    """The report's figure of the trained model on its test split, {figure: ``charts.Chart``}: the
    decision boundary (at ``REPORT_RESOLUTION`` points a side, or ``REPORT_REGIONS_RESOLUTION`` for
    three classes or more), predicted against true, or the confusion matrix (``REPORT_CELL``; its
    class names cut where it would be wider than ``REPORT_MATRIX_WIDTH``)."""
    from . import plots

    many = net.task == "classification" and net.n_classes > 2
    result, chart = plots.result_chart(net, data, REPORT_REGIONS_RESOLUTION if many else REPORT_RESOLUTION,
                                       REPORT_CELL)
    if result == "confusion_matrix" and chart.size[0] > REPORT_MATRIX_WIDTH:
        codes = net.as_codes(net.predict(data.X_test), len(data.X_test))
        for longest in range(plots.LONGEST_NAME, SHORTEST_NAME - 1, -1):  # the longest names that fit
            chart = plots.confusion_matrix_chart(data.y_test, codes, data.classes, REPORT_CELL, longest)
            if chart.size[0] <= REPORT_MATRIX_WIDTH:
                break
    return {result: chart}


def report_page(name: str, net: Network, data: Dataset, history: History, config: dict, model: dict) -> bytes:
    """report.html's bytes: the headline results, the run's charts (``charts``) and the model's
    (``model``: ``model_chart``), ``config`` (with the training time) and the command line that
    trains the run again."""
    from .reproduce import command_line
    from .views import report

    config = {**config, "train_seconds": history.seconds}
    # gradient health is measured on HEALTH_SAMPLES training points, or all of a smaller set's (iris: 105)
    samples = min(HEALTH_SAMPLES, len(data.X_train))
    page = report.html_page(name, config, {**charts(history, net.loss.name, net.sizes[-1], samples), **model},
                            report.headline(net, data, history), command_line(config))
    return page.encode()
