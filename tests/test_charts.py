"""The hand-written SVG renderer: its axes cover the data, log axes read as powers of ten, gaps
stay gaps, text is escaped, the same chart gives the same bytes; and a run's SVG figures are
drawn without matplotlib."""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop.charts import Chart, Panel, Series, svg, ticks

SVG = "{http://www.w3.org/2000/svg}"


def one_panel(x, y, **panel) -> Chart:
    return Chart([Panel("t", "epoch", "y", [Series(x, y)], **panel)], size=(6, 4))


def tick_labels(text: str) -> list[str]:
    """The y tick labels of a one-panel chart: the texts right-aligned left of the axes."""
    root = ET.fromstring(text.encode())
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]


@pytest.mark.parametrize("low,high", [(0.0, 1.0), (-3.2, 17.9), (0.24, 0.26), (1e-4, 3e-4), (0, 4.5e6), (-1, -0.5)])
def test_linear_ticks_are_round_and_their_axis_covers_the_data(low, high):
    lo, hi = ticks.data_range(np.array([low, high]))
    assert lo < low and high < hi  # the margin: no point on the frame
    found = ticks.linear(lo, hi)
    values = [v for v, _ in found]
    assert 2 <= len(values) <= 8 and all(lo <= v <= hi for v in values)
    steps = np.diff(values)
    assert np.allclose(steps, steps[0])  # one step, a round one: 1, 2, 2.5 or 5 times a power of ten
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert any(np.isclose(mantissa, m) for m in ticks.STEPS)
    assert len({label for _, (label, _) in found}) == len(found)  # labels as distinct as the ticks


def test_an_epoch_axis_ticks_only_whole_epochs():
    assert [label for _, (label, _) in ticks.linear(*ticks.data_range([0, 3], integer=True), integer=True)] == [
        "0", "1", "2", "3"]


def test_a_log_axis_is_labelled_in_powers_of_ten_and_covers_the_data():
    y = np.geomspace(2.0, 3e-4, 40)
    text = svg.render(one_panel(np.arange(40), y, log_y=True))
    assert tick_labels(text) == ["10\u22123", "10\u22122", "10\u22121", "10" + "0"]
    assert text.count('baseline-shift="super"') == 4  # each exponent raised
    low, high = ticks.data_range(y, log=True)
    assert low < y.min() and y.max() < high
    major, minor = ticks.log(low, high)
    assert [v for v, _ in major] == [1e-3, 1e-2, 1e-1, 1.0] and 2e-3 in minor


def test_a_short_log_axis_labels_plain_numbers_and_a_long_one_skips_decades():
    major, _ = ticks.log(*ticks.data_range([0.5, 0.8], log=True))
    assert [label for _, label in major] == [("0.5", ""), ("0.6", ""), ("0.7", ""), ("0.8", "")]
    major, minor = ticks.log(*ticks.data_range([1e-30, 10], log=True))
    assert len(major) <= 8 and major[0][1] == ("10", "\u221230") and not minor


def test_a_nan_breaks_the_line():
    y = np.array([1.0, 2.0, 3.0, np.nan, 2.0, 1.0, np.inf, 4.0])
    root = ET.fromstring(svg.render(one_panel(np.arange(8), y)).encode())
    lines = [p.get("points").split() for p in root.iter(f"{SVG}polyline")]
    assert [len(points) for points in lines] == [3, 2]  # the lone 4.0 after inf is a point, no line


def test_titles_and_labels_are_escaped():
    chart = Chart([Panel("a<b&c on the training set", "epoch", 'a<b&c "quoted"', [Series([0, 1], [1, 2])])],
                  title="x & y", subtitle="line <1>\nline 2")
    root = ET.fromstring(svg.render(chart).encode())  # well-formed XML
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert {"a<b&c on the training set", 'a<b&c "quoted"', "x & y", "line <1>", "line 2"} <= set(texts)


def test_the_same_chart_gives_the_same_bytes_and_two_charts_keep_their_ids_apart():
    x = np.arange(30)
    first = svg.render(one_panel(x, np.geomspace(1, 0.01, 30), log_y=True))
    assert first == svg.render(one_panel(x.copy(), np.geomspace(1, 0.01, 30), log_y=True))
    other = svg.render(one_panel(x, np.linspace(1, 0.01, 30)))
    assert set(re.findall(r'id="([^"]+)"', first)).isdisjoint(re.findall(r'id="([^"]+)"', other))


def test_a_legend_sits_where_it_hides_the_fewest_points():
    # lines along the top: the legend goes to the lower left, the first free place in matplotlib's order
    chart = Chart([Panel("t", "", "", [Series(np.arange(20), np.full(20, 5.6), label="layer 0"),
                                       Series(np.arange(20), np.full(20, 5.4), label="layer 1")],
                         ylim=(0, 6), legend=True)], size=(6, 4))
    root = ET.fromstring(svg.render(chart).encode())
    frame, legend = [r for r in root.iter(f"{SVG}rect") if r.get("fill") in ("none", "white") and r.get("x")][-2:]
    assert float(legend.get("y")) > float(frame.get("y")) + float(frame.get("height")) / 2
    assert float(legend.get("x")) < float(frame.get("x")) + float(frame.get("width")) / 2


def test_a_runs_svg_figures_are_drawn_without_matplotlib():
    code = """
import sys
from backprop import datasets, run_files
from backprop.config import from_preset
data = datasets.moons(n_samples=200)
experiment = from_preset("fast", epochs=3)
net = experiment.network_for(data)
history = net.fit(data.X_train, data.labels(data.y_train), callback=run_files.health_recorder(net, data),
                  **experiment.fit.to_dict())
own, images = run_files.own_figures(history, "svg", net.loss.name, net.sizes[-1])
assert sorted(own) == ["curves.svg", "health.svg"] and b"Gradient norm per layer" in own["health.svg"]
print("matplotlib" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


finite_or_not = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=150, deadline=None)
@given(y=st.lists(finite_or_not, min_size=0, max_size=30), log_y=st.booleans(),
       scale=st.sampled_from([1e-300, 1e-30, 1e-6, 1.0, 1e6, 1e30, 1e300]))
def test_any_values_give_a_well_formed_svg_whose_ticks_lie_on_the_axes(y, log_y, scale):
    """NaN, infinities, one point, equal points, zeros on a log axis, values near the float limits."""
    with np.errstate(over="ignore", invalid="ignore"):  # the test's own scaling; the renderer must not warn
        y = np.array(y, dtype=float) * scale
    text = svg.render(one_panel(np.arange(len(y)), y, log_y=log_y))
    root = ET.fromstring(text.encode())
    numbers = [float(v) for e in root.iter() for k, v in e.attrib.items() if k in ("x", "y", "x1", "y1", "cx", "cy")]
    numbers += [float(c) for p in root.iter(f"{SVG}polyline") for xy in p.get("points").split() for c in xy.split(",")]
    assert all(np.isfinite(numbers))
    frame = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "none"][0]
    top, bottom = float(frame.get("y")), float(frame.get("y")) + float(frame.get("height"))
    marks = [float(t.get("y")) - 0.35 * svg.LABEL for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert marks and all(top - 0.01 <= m <= bottom + 0.01 for m in marks)
