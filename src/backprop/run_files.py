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
# The report's decision boundary grid: a page, not a poster. 100 points a side, drawn bilinear, look
# as 150 did (the boundary's line too)
REPORT_RESOLUTION = 100
BROWSER_MEDIA = {"svg": "image/svg+xml", "png": "image/png"}  # figure formats a report can embed as drawn


def health_recorder(net: Network, data: Dataset) -> HealthRecorder:
    """The callback that records the gradient health a run's health.csv and health figure show."""
    return HealthRecorder(net, data.X_train[:HEALTH_SAMPLES], data.labels(data.y_train[:HEALTH_SAMPLES]))


def charts(history: History, loss: str = "mse", outputs: int = 1) -> dict:
    """The run's own figures as ``charts.Chart`` descriptions, name -> Chart: the training curves
    (of the loss named ``loss``, a ``losses.LOSSES`` name, of a network with ``outputs`` output
    units) and the gradient health."""
    from . import plots
    from .views import health as health_view

    return {"curves": plots.curves_chart(history, loss, outputs),
            "health": health_view.chart(history.health, HEALTH_SAMPLES)}


def figures(history: History, loss: str = "mse", outputs: int = 1) -> dict:
    """The run's own figures, name -> matplotlib Figure: ``charts(history, loss, outputs)`` drawn."""
    from .charts.figure import figure

    return {name: figure(chart) for name, chart in charts(history, loss, outputs).items()}


def files(name: str, net: Network, data: Dataset, history: History, config: dict,
          figure_format: str = "svg", drawn: dict | None = None, draw: bool = True) -> dict[str, bytes]:
    """{file name: bytes} for the run ``name``: the model, config.json (``config`` with the training
    time), health.csv, and (with ``draw``) the curves and health figures in ``figure_format`` and
    report.html, which embeds those files as written and draws one figure more, small: the model's
    result on its test split (``plots.result_chart``, SVG by hand). ``drawn``: ``figures(history,
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
    own, images = own_figures(history, figure_format, net.loss.name, net.sizes[-1], drawn)
    return with_report(name, net, data, history, config, own, images)


def with_report(name: str, net: Network, data: Dataset, history: History, config: dict, own: dict[str, bytes],
                images: dict[str, tuple[str, bytes]], model: dict[str, tuple[str, bytes]] | None = None
                ) -> dict[str, bytes]:
    """The run's drawn files: its own figures ``own`` ({file name: bytes}) and report.html, which
    shows ``images`` (the same figures as the page embeds them, as ``own_figures`` gives both) and
    the model's figure ``model`` (``model_images``; drawn here when not given)."""
    model = model if model is not None else model_images(net, data)
    return {**own, "report.html": report_page(name, net, data, history, config, {**images, **model})}


def own_figures(history: History, figure_format: str = "svg", loss: str = "mse", outputs: int = 1,
                drawn: dict | None = None) -> tuple[dict[str, bytes], dict[str, tuple[str, bytes]]]:
    """The run's own figures, drawn from its history alone (``loss`` and ``outputs`` as ``figures``
    takes them): ({"curves.svg": bytes, ...}, and the same figures as the report embeds them:
    {figure: (media type, bytes)}). ``drawn``: as ``files``, for png and pdf; SVG is written by
    hand (``charts.svg``) from the figures' descriptions, without importing matplotlib."""
    if figure_format == "svg":
        from .charts import svg

        own = {figure: svg.render(chart).encode() for figure, chart in charts(history, loss, outputs).items()}
        return {f"{figure}.svg": payload for figure, payload in own.items()}, \
            {figure: (BROWSER_MEDIA["svg"], payload) for figure, payload in own.items()}
    from . import plots

    drawn = drawn if drawn is not None else figures(history, loss, outputs)
    own = {figure: plots.to_bytes(fig, figure_format) for figure, fig in drawn.items()}
    if figure_format in BROWSER_MEDIA:  # a browser shows these as they are: no second drawing for the report
        images = {figure: (BROWSER_MEDIA[figure_format], payload) for figure, payload in own.items()}
    else:  # PDF, which a page cannot show: the same charts as SVG, written by hand
        from .charts import svg

        images = {figure: (BROWSER_MEDIA["svg"], svg.render(chart).encode())
                  for figure, chart in charts(history, loss, outputs).items()}
    return {f"{figure}.{figure_format}": payload for figure, payload in own.items()}, images


def model_images(net: Network, data: Dataset) -> dict[str, tuple[str, bytes]]:
    """The report's figure of the trained model on its test split, {figure: (media type, bytes)}:
    SVG written by hand (``charts.svg``), whatever the run's figure format, without matplotlib."""
    from . import plots
    from .charts import svg

    result, chart = plots.result_chart(net, data, REPORT_RESOLUTION)
    return {result: (BROWSER_MEDIA["svg"], svg.render(chart).encode())}


def report_page(name: str, net: Network, data: Dataset, history: History, config: dict,
                images: dict[str, tuple[str, bytes]]) -> bytes:
    """report.html's bytes: the headline results, the ``images`` embedded, ``config`` (with the
    training time) and the command line that trains the run again."""
    from .reproduce import command_line
    from .views import report

    config = {**config, "train_seconds": history.seconds}
    return report.html_page(name, config, images, report.headline(net, data, history), command_line(config)).encode()
