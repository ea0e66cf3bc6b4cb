"""report.html: one run in one self-contained page that opens from disk or as an e-mail attachment.

Its first screen is the result: the headline numbers as text, the training curves and the one
figure of the model on its test split (decision boundary, predicted against true, or confusion
matrix); below them the gradient health, then the configuration written for people, with the
command line that trains the run again.

The page draws its charts itself (``charts.svg``, milliseconds, whatever the run's figure format),
each panel an SVG of its own at about the size the page shows it: its text then reads at its own
size, where the run folder's 1200 px curves shrunk beside the result had 8 px text (4 px on a
phone). Panels sit side by side where there is room and one a row on a phone.
"""
from __future__ import annotations

import base64
import html
import math
import re
from dataclasses import replace
from pathlib import Path

from ..charts import svg
from ..charts.chart import Chart

RESULT_FIGURES = ("decision_boundary", "predicted_vs_true", "confusion_matrix")  # the one beside the curves
FIGURES = [  # (figure's name, heading); those present are embedded, in this order
    ("curves", "Training curves"),
    ("decision_boundary", "Decision boundary and test points"),
    ("predicted_vs_true", "Test set: predicted against true"),
    ("confusion_matrix", "Confusion matrix"),
    ("health", "Gradient health"),
    ("replay", "Replay"),
]
LABELS = {  # config.json's keys as a reader says them
    "hidden": "hidden layers", "activation": "hidden activation", "output_activation": "output activation",
    "init": "weight initialisation", "dtype": "floating point", "dataset": "data set", "fit.learning_rate":
    "learning rate", "fit.batch_size": "batch size", "fit.eval_every": "evaluated every (epochs)",
    "fit.weight_decay": "weight decay", "fit.schedule": "learning-rate schedule", "fit.patience":
    "early-stopping patience", "fit.tol": "early-stopping tolerance", "fit.shuffle": "reshuffled every epoch",
    "fit.standardize": "features standardised", "train_seconds": "training time",
}
MORE = ("<p class=\"more\">More figures of this run: <code>backprop evaluate RUN_FOLDER --format png</code> "
        "draws the network view and, for 2-D data, the test points by true label; <code>backprop replay "
        "RUN_FOLDER</code> animates training (after <code>--snapshot-every K</code>).</p>")
SKIPPED = ("test_accuracy", "test_score", "metric", "error")  # said in the headline, not the configuration
# Panel sizes in inches (charts.svg.DPI pixels each): about what the page shows them at, so that the
# browser scales them by 0.8 (a phone) to 1.3 at most
PANEL_SIZE = (4.2, 3.15)  # a panel of the curves or the health
RESULT_SIZE = (4.3, 3.6)  # the model's figure: a colour bar and a legend beside its points
CONFUSION_MATRIX_MOST = 640  # pixels a confusion matrix is shown at most: digits' (760 px) then reads at 12 px
# pixels the smallest text of a confusion matrix (its counts) is shown at least: on a phone the matrix
# keeps that width and scrolls sideways in its own box (digits' counts read at 4.8 px on 320 px)
SMALLEST_TEXT = 10
STYLE = ("body{font-family:system-ui,sans-serif;max-width:1400px;margin:1em auto;padding:0 1.5em;color:#222}"
         "@media(max-width:600px){body{padding:0 .6em}}"  # a phone's width is for the charts, their text 10 px+
         # a sweep's run name or a CSV's path is one long word: broken anywhere rather than scrolled sideways
         "h1{font-size:1.4em;margin:.2em 0;overflow-wrap:anywhere}h2{font-size:1.1em;margin:1.2em 0 .3em}"
         ".headline{display:flex;flex-wrap:wrap;gap:.4em 2.2em;margin:.4em 0 .8em}"
         ".headline div{display:flex;flex-direction:column}.headline b{font-size:1.6em}"
         ".headline span{color:#555;font-size:.85em}"
         ".result{display:flex;flex-wrap:wrap;gap:0 1.5em;align-items:flex-start}"
         "#curves{flex:2 1 560px}.result figure:not(#curves){flex:1 1 340px}.result>figure{min-width:0}"
         ".panels{display:flex;flex-wrap:wrap;gap:.5em 1em}"  # side by side, or one a row on a phone
         ".panels svg{flex:1 1 300px;min-width:0;max-width:460px}.result figure:not(#curves) svg{max-width:540px}"
         "svg,img{max-width:100%;height:auto;display:block}#confusion_matrix .panels{overflow-x:auto}"
         "figure{margin:0}.caption{color:#555;font-size:.9em;margin:0 0 .4em}"
         ".more{color:#555;font-size:.9em}pre{background:#f4f4f4;padding:.6em;white-space:pre-wrap;overflow-x:auto}"
         "pre span{display:inline-block;max-width:100%;overflow-wrap:anywhere}"  # a path longer than the line breaks
         "table{border-collapse:collapse}th,td{padding:2px 12px;text-align:left;border-bottom:1px solid #eee;"
         "font-size:90%}th{font-weight:normal;color:#555}td{overflow-wrap:anywhere}")


def html_page(name: str, config: dict, charts: dict[str, Chart],
              headline: list[tuple[str, str]] | None = None, command: str | None = None) -> str:
    """The report of the run ``name``.

    config: config.json's content; charts: figure name -> ``charts.Chart``, drawn here panel by
    panel (see the module's docstring) in ``FIGURES`` order; headline: (label, value) pairs shown
    first, the first the largest (``headline``); command: the command line that trains the run again."""
    figures = {figure: _chart_figure(figure, heading, charts[figure])
               for figure, heading in FIGURES if figure in charts}
    first = [figures.pop("curves", "")] + [figures.pop(f) for f in RESULT_FIGURES if f in figures]
    numbers = "".join(f"<div><b>{html.escape(value)}</b><span>{html.escape(label)}</span></div>"
                      for label, value in headline or [])
    parts = [f"<h1>Run {html.escape(name)}</h1>", f"<section class=\"headline\">{numbers}</section>",
             f"<div class=\"result\">{''.join(first)}</div>", *figures.values(), MORE, "<h2>Configuration</h2>"]
    if command:
        # each word unbroken: a long command wraps between words, never inside "--optimizer"
        words = " ".join(f"<span>{html.escape(word)}</span>" for word in command.split(" "))
        parts.append(f"<p>Trained again by:</p><pre>{words}</pre>")
    rows = "".join(f"<tr><th>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
                   for label, value in configuration(config))
    parts.append(f"<table>{rows}</table>")
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>backprop run {html.escape(name)}"
            f"</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n")


def headline(net, data, history) -> list[tuple[str, str]]:
    """The run's result in words: the test score (accuracy; R^2 and RMSE for regression), the last
    training loss, the epochs and the training time, as (label, value) pairs."""
    from ..metrics import r2_rmse
    from ..plots import LOSS_NAMES

    predicted = net.predict(data.X_test)
    if net.task == "regression":
        r2, rmse = r2_rmse(data.y_test, predicted)
        numbers = [("test R\u00b2", f"{r2:.4f}"), ("test RMSE", f"{rmse:.4g}")]
    else:
        wrong = int((net.as_codes(predicted, len(predicted)) != data.y_test).sum())
        numbers = [("test accuracy", f"{1 - wrong / max(len(predicted), 1):.2%}"),
                   ("test points predicted wrong", f"{wrong} of {len(predicted)}")]
    if len(history):
        if net.loss.name == "mse":  # the seed's MSE, not the loss's value (half the summed squared error)
            numbers.append(("final training MSE", f"{history.mse[-1]:.4g}"))
        else:
            numbers.append((f"final training loss ({LOSS_NAMES.get(net.loss.name, net.loss.name).lower()})",
                            f"{history.loss[-1]:.4g}"))
        stopped = f" (stopped early at {history.stopped_early_at})" if history.stopped_early_at else ""
        numbers.append(("epochs", f"{history.epoch[-1]}{stopped}"))
    numbers.append(("training time", duration(history.seconds)))
    return numbers


def duration(seconds: float) -> str:
    """A training time in words: "1.58 s", or in milliseconds under a hundredth of a second, where
    "0.00 s" read as if nothing had been trained (iris's 25 epochs take 4 ms)."""
    return f"{seconds:.2f} s" if seconds >= 0.01 else f"{seconds * 1000:.2g} ms"


def configuration(config: dict) -> list[tuple[str, str]]:
    """config.json as (label, value) pairs a person reads: no JSON quotes, lists as "25, 50, 25",
    the data set in one phrase, the training time as ``duration`` says it; unset options left out."""
    rows = []
    for key, value in _flatten(config).items():
        if key in SKIPPED or value is None:
            continue
        label = LABELS.get(key, key.removeprefix("fit.").replace("_", " "))
        rows.append((label, _dataset(value) if key == "dataset" else _value(key, value)))
    return rows


def _value(key: str, value) -> str:
    if key == "train_seconds":
        return duration(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _dataset(spec) -> str:
    """A data set's spec in one phrase: 'moons: n_samples 2000, noise 0.2, ...; 30% held out for testing'."""
    if not isinstance(spec, dict):
        return str(spec)
    rest = {k: v for k, v in spec.items() if k not in ("name", "test_size", "split_seed", "n_samples")}
    words = [f"{spec['n_samples']} points"] if "n_samples" in spec else []
    words += [f"{k.replace('_', ' ')} {_value(k, v)}" for k, v in rest.items()]
    text = f"{spec.get('name')}" + (": " + ", ".join(words) if words else "")  # a bundled set has no size to give
    if "test_size" in spec:
        text += f"; {spec['test_size']:.0%} held out for testing (split seed {spec.get('split_seed')})"
    return text


def _chart_figure(name: str, heading: str, chart: Chart) -> str:
    """One chart's section: its heading, its subtitle as a caption, each panel an inline SVG at
    ``PANEL_SIZE`` (the model's figure at ``RESULT_SIZE``; a confusion matrix at its own size, which
    fits its class names, never narrower than its counts read at ``SMALLEST_TEXT`` px: a phone
    scrolls it in its box). The chart's title is the heading; the model's panel title, which repeats
    the heading and the headline's numbers, is left out."""
    result = name in RESULT_FIGURES
    size = chart.size if name == "confusion_matrix" else RESULT_SIZE if result else PANEL_SIZE
    room = most = ""
    if name == "confusion_matrix":  # as wide as its names need: on a row of its own where the curves leave too little
        shown = min(round(size[0] * svg.DPI), CONFUSION_MATRIX_MOST)
        least = min(shown, math.ceil(size[0] * svg.DPI * SMALLEST_TEXT / svg.SMALL))
        room, most = f" style=\"flex-basis:{shown}px\"", f" style=\"max-width:{shown}px;min-width:{least}px\""
    caption = "".join(f"<p class=\"caption\">{html.escape(line)}</p>" for line in chart.subtitle.splitlines())
    panels = "".join(_inline_svg(svg.render(Chart([replace(panel, title="") if result else panel], size=size)),
                                 panel.title if panel.title and not result else heading, most)
                     for panel in chart.panels)
    return f"<figure id=\"{name}\"{room}><h2>{heading}</h2>{caption}<div class=\"panels\">{panels}</div></figure>"


def _inline_svg(document: str, label: str, attributes: str = "") -> str:
    """An SVG document's text from its <svg> element on, to sit inline in the page, named ``label``
    for screen readers; ``attributes``: more of them for the element (a style)."""
    named = f"<svg role=\"img\" aria-label=\"{html.escape(label, quote=True)}\"{attributes}"
    return document[document.index("<svg"):].replace("<svg", named, 1)


def _flatten(config: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in config.items():
        if isinstance(value, dict) and key != "dataset":
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def add_replay(folder: Path, replay: Path) -> Path:
    """Put (or replace) the replay animation at the end of folder/report.html."""
    from ..persistence import write_atomic

    path = Path(folder) / "report.html"
    page = re.sub(r'<(figure|section) id="replay">.*?</\1>', "", path.read_text(), flags=re.S)
    media = "image/gif" if replay.suffix == ".gif" else "video/mp4"
    anchor = "<h2>Configuration</h2>" if "<h2>Configuration</h2>" in page else "</body>"
    page = page.replace(anchor, _replay_section(media, replay.read_bytes()) + anchor, 1)  # above the configuration
    write_atomic(path, page.encode())
    return path


def _replay_section(media: str, payload: bytes) -> str:
    """The replay's section, its frames (``media``: image/gif or video/mp4) inline as base64 in a box
    of their own. A frame is never shown so small that its 10 pt labels read under ``SMALLEST_TEXT``
    px: a phone scrolls the box sideways, where the frames shrunk to its width read at 4 px."""
    from .replay import FRAME_DPI, FRAME_SIZE

    least = math.ceil(FRAME_SIZE[0] * FRAME_DPI * SMALLEST_TEXT / (10 * FRAME_DPI / 72))
    # styled here, not by STYLE: a page written by an older version gets a replay that fits too
    source = (f'style="min-width:{least}px;max-width:100%;height:auto;display:block" '
              f'src="data:{media};base64,{base64.b64encode(payload).decode()}"')
    shown = f"<video controls {source}></video>" if media == "video/mp4" else f'<img alt="Replay" {source}>'
    return f'<figure id="replay"><h2>Replay</h2><div class="frames" style="overflow-x:auto">{shown}</div></figure>'
