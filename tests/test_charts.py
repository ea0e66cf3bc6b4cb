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

from backprop.charts import Chart, Image, Panel, Points, Series, colormap, contour, svg, ticks
from backprop.charts.chart import MARKERS

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
own = run_files.own_figures(history, "svg", net.loss.name, net.sizes[-1])
assert sorted(own) == ["curves.svg", "health.svg"] and b"Gradient norm per layer" in own["health.svg"]
files = run_files.files("r", net, data, history, {}, "svg")  # the report and its result figure too
assert b'<figure id="decision_boundary">' in files["report.html"]
print("matplotlib" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_a_contour_crosses_each_cell_where_the_level_lies_and_joins_a_saddle_through_its_centre():
    x, y = np.linspace(0, 4, 5), np.linspace(0, 2, 3)
    values = np.tile(x, (3, 1))  # value = x: the level 2.5 is the vertical line x = 2.5
    found = contour.segments(x, y, values, 2.5)
    assert len(found) == 2 and all(a[0] == b[0] == 2.5 for a, b in found)  # one segment a row of cells
    assert sorted(p[1] for segment in found for p in segment) == [0, 1, 1, 2]
    saddle = np.array([[1.0, 0.0], [0.0, 1.0]])  # lower-left and upper-right above 0.5, centre 0.5: above
    pairs = contour.segments(np.array([0.0, 1.0]), np.array([0.0, 1.0]), saddle, 0.5)
    # joined through the centre: the lines cut off the lower-right and upper-left corners
    assert sorted(tuple(sorted(s)) for s in pairs) == [((0.0, 0.5), (0.5, 1.0)), ((0.5, 0.0), (1.0, 0.5))]
    assert contour.segments(x, y, np.where(values > 2, np.nan, values), 2.5) == []  # NaN corners: no line


def test_an_images_png_holds_its_colours_row_0_at_the_bottom():
    import base64
    import io

    from PIL import Image as Picture

    values = np.array([[0.0, 0.2, 0.4], [0.6, 0.8, 1.0]])
    colors = colormap(["#000000", "#ffffff"], n=5)
    image = Image(values, (0, 3, 0, 2), colors, 0.0, 1.0, smooth=False)
    text = svg.render(Chart([Panel(image=image, xlim=(0, 3), ylim=(0, 2), integer_x=False)], size=(4, 3)))
    data = re.search(r'xlink:href="data:image/png;base64,([^"]+)"', text).group(1)
    pixels = np.asarray(Picture.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
    expected = np.round(colors[[[3, 4, 4], [0, 1, 2]]] * 255)  # floor(v * 5) clipped to 4; the top row first
    np.testing.assert_array_equal(pixels, expected)
    assert 'image-rendering:pixelated' in text  # cells drawn as blocks, not blurred


def test_points_place_one_marker_each_and_the_legend_shows_their_shape():
    x = np.array([0.0, 1.0, np.nan, 3.0])
    chart = Chart([Panel("t", "", "", points=[Points(x, x, "#c0392b", "^", edge="black", label="class 0"),
                                              Points([1.0], [2.0], "#ffd400", "X", size=10, label="wrong")],
                         integer_x=False, legend=True)], size=(5, 4))
    text = svg.render(chart)
    root = ET.fromstring(text.encode())
    uses = [u.get("{http://www.w3.org/1999/xlink}href") for u in root.iter(f"{SVG}use")]
    assert len(uses) == 4 and len(set(uses[:3])) == 1 and uses[3] != uses[0]  # NaN left out; one marker each
    shapes = [p for p in root.iter(f"{SVG}polygon")]
    assert len(shapes) == 4 and [len(p.get("points").split()) for p in shapes] == [3, 12, 3, 12]  # defs, legend
    assert text == svg.render(chart)
    with pytest.raises(ValueError, match="marker must be one of"):
        Points([0], [0], marker="*")


def test_a_colour_bar_is_ticked_at_its_values_and_labelled():
    image = Image(np.array([[0.0, 1.0]]), (0, 1, 0, 1), colormap(["#ff0000", "#0000ff"]), 0, 1,
                  colorbar="P(class 1)", colorbar_ticks=(0.0, 0.5, 1.0))
    root = ET.fromstring(svg.render(Chart([Panel(image=image, integer_x=False)], size=(5, 4))).encode())
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert {"0", "0.5", "1", "P(class 1)"} <= set(texts)


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


@pytest.mark.parametrize("marker", [m for m in MARKERS if m != "o"])
def test_each_marker_has_matplotlibs_shape_and_size(marker):
    """A class's points look the same in the report's SVG and in evaluate's PNG: the same corners,
    not a regular polygon inscribed in the circle (a square of 0.66 the area, a diamond of half)."""
    from matplotlib.markers import MarkerStyle

    style = MarkerStyle(marker)
    theirs = style.get_path().transformed(style.get_transform()).vertices * [2, -2]  # in radii, y down
    mine = np.array(svg.MARKER_SHAPES[marker], dtype=float)
    assert {tuple(p) for p in np.round(mine, 3) + 0} == {tuple(p) for p in np.round(theirs, 3) + 0}


def test_rows_lay_panels_out_in_rows_that_share_the_width_in_both_renderers():
    """The curves of several runs above their maps: rows of 2 and 3 panels, each row's panels as wide
    as the row's share, the rows one above the other; a count that misses a panel is refused."""
    from backprop.charts.figure import figure

    panels = [Panel(f"p{i}", "epoch", "y", [Series([0, 1], [i, i + 1])]) for i in range(5)]
    chart = Chart(panels, size=(12, 8), rows=(2, 3))
    clips = [(float(r.get("x")), float(r.get("y")), float(r.get("width")))
             for r in ET.fromstring(svg.render(chart).encode()).iter(f"{SVG}rect") if r.get("fill") == "none"]
    boxes = [(ax.get_position().x0, ax.get_position().y0, ax.get_position().width) for ax in figure(chart).axes]
    for frames, down in ((clips, 1), (boxes, -1)):  # SVG's y grows downwards, matplotlib's upwards
        (_, top_a, wide_a), (_, top_b, wide_b), *bottom = frames
        assert top_a == top_b and all(down * (y - top_a) > 0 for _, y, _ in bottom), frames
        assert wide_a == pytest.approx(wide_b) and all(wide_a > 1.4 * w for _, _, w in bottom), frames
        assert sorted(x for x, _, _ in bottom) == [x for x, _, _ in bottom]
    ids = re.findall(r'<clipPath id="([^"]+)"', svg.render(chart))
    assert len(ids) == len(set(ids)) == 5  # a panel below another clips to its own box, not the one above
    with pytest.raises(ValueError, match=r"rows must count every panel.*Received: rows=\(2, 2\)"):
        Chart(panels, rows=(2, 2))


def test_matplotlib_labels_a_short_log_axis_as_the_svg_does():
    """Within a decade: 0.05, 0.1, 0.2 in both, not matplotlib's own 5x10^-2 (wider than the margin)."""
    from backprop.charts.figure import figure

    chart = one_panel(np.arange(30), np.geomspace(0.27, 0.026, 30), log_y=True)
    drawn = [t.get_text() for t in figure(chart).axes[0].get_yticklabels()]
    assert drawn == tick_labels(svg.render(chart)) == ["0.05", "0.1", "0.2"]
