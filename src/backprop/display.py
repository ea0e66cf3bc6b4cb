"""How a network and a history show themselves in a notebook: HTML built from strings.

Jupyter calls an object's ``_repr_html_``; ``Network`` and ``History`` delegate here. The curves
are drawn as inline SVG polylines rather than by matplotlib, so that this stays part of the core
(which never imports the figures above it) and costs nothing at import time.
"""
from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # shown objects arrive as arguments; importing them here would close a circle
    from .network import Network
    from .training import History

PANEL_WIDTH, PANEL_HEIGHT, MARGIN = 300, 150, 34  # pixels of one curve panel and its axis margin


def network_html(net: Network) -> str:
    """A table of ``net``'s layers: index, shape (n_in, n_out), activation, parameter count; then
    the loss, dtype, task and the total number of parameters."""
    rows = []
    for i, layer in enumerate(net.layers):
        count = layer.n_in * layer.n_out + layer.n_out
        rows.append(f"<tr><td>{i}</td><td>Dense</td><td>({layer.n_in}, {layer.n_out})</td>"
                    f"<td>{html.escape(layer.activation.name)}</td><td style='text-align:right'>{count:,}</td></tr>")
    total = sum(layer.n_in * layer.n_out + layer.n_out for layer in net.layers)
    sizes = "-".join(str(n) for n in net.sizes) or "no layers"
    return ("<table class='backprop-network'>"
            f"<caption>Network {html.escape(sizes)}: loss {html.escape(net.loss.name)}, {net.dtype}, "
            f"{html.escape(net.task)}</caption>"
            "<thead><tr><th>layer</th><th>kind</th><th>weights (n_in, n_out)</th><th>activation</th>"
            "<th>parameters</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody>"
            f"<tfoot><tr><td colspan='4'>total</td><td style='text-align:right'>{total:,}</td></tr></tfoot>"
            "</table>")


def history_html(history: History) -> str:
    """The history's curves as SVG panels (the loss and the accuracy, each on the training and the
    test set where it was measured; a regression has no accuracy panel), and a line with the last
    evaluation's numbers."""
    if not history.epoch:
        return "<p>History: no evaluations yet</p>"
    epochs = history.epoch
    losses = [("train", history.loss, "#1f77b4"), ("test", history.val_loss, "#d62728")]
    loss_panel = _panel("loss", epochs, [series for series in losses if any(math.isfinite(v) for v in series[1])])
    accuracy = [("test", history.val_accuracy, "#d62728"), ("train", history.train_accuracy, "#2ca02c")]
    accuracy = [series for series in accuracy if any(math.isfinite(v) for v in series[1])]
    panels = loss_panel + (_panel("accuracy", epochs, accuracy) if accuracy else "")
    last = {name: getattr(history, name)[-1] for name in history.COLUMNS}
    numbers = ", ".join(f"{name} {value:.4g}" for name, value in last.items()
                        if name != "epoch" and math.isfinite(value))
    return (f"<div class='backprop-history'><div>{panels}</div>"
            f"<p>epoch {last['epoch']}: {html.escape(numbers)}; {history.seconds:.3g} s of training</p></div>")


def _panel(title: str, x: list[int], series: list[tuple[str, list[float], str]]) -> str:
    """One SVG panel: each (name, values, colour) as a polyline over x, the axes' ranges as labels."""
    finite = [v for _, values, _ in series for v in values if math.isfinite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if high == low:
        high = low + 1.0
    x_low, x_high = x[0], max(x[-1], x[0] + 1)
    width, height = PANEL_WIDTH - MARGIN, PANEL_HEIGHT - 2 * 14

    def point(epoch: float, value: float) -> str:
        return (f"{MARGIN + width * (epoch - x_low) / (x_high - x_low):.1f},"
                f"{14 + height * (high - value) / (high - low):.1f}")

    lines, legend = [], []
    for name, values, colour in series:
        points = " ".join(point(e, v) for e, v in zip(x, values) if math.isfinite(v))
        lines.append(f"<polyline fill='none' stroke='{colour}' stroke-width='1.5' points='{points}'/>")
        legend.append(f"<tspan fill='{colour}'> {html.escape(name)}</tspan>")
    frame = (f"<rect x='{MARGIN}' y='14' width='{width}' height='{height}' fill='none' stroke='#999'/>"
             f"<text x='{MARGIN}' y='10'>{html.escape(title)}</text>"
             f"<text x='{MARGIN - 2}' y='18' text-anchor='end'>{high:.3g}</text>"
             f"<text x='{MARGIN - 2}' y='{14 + height}' text-anchor='end'>{low:.3g}</text>"
             f"<text x='{MARGIN}' y='{PANEL_HEIGHT - 2}'>epoch {x_low}</text>"
             f"<text x='{PANEL_WIDTH}' y='{PANEL_HEIGHT - 2}' text-anchor='end'>{x_high}</text>")
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{PANEL_WIDTH}' height='{PANEL_HEIGHT}' "
            f"font-size='10' font-family='sans-serif' role='img' aria-label='{html.escape(title)}'>"
            f"{frame}{''.join(lines)}"
            f"<text x='{PANEL_WIDTH}' y='10' text-anchor='end'>{''.join(legend)}</text></svg>")
