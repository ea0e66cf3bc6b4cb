"""The figures, legible at first sight: what can be checked of what they show (titles, scales,
markers, colour bars, panels) and that the same figure always gives the same bytes."""
import re

import matplotlib
import numpy as np
import pytest

from backprop import Dense, Network, datasets, plots
from backprop.charts import svg
from backprop.training import History

matplotlib.use("Agg")


def history_of(losses, accuracy=None):
    """A History with the given training losses (their MSE too), one evaluation per epoch."""
    n = len(losses)
    accuracy = np.full(n, np.nan) if accuracy is None else accuracy
    return History(epoch=list(range(n)), loss=list(losses), mse=list(losses), train_accuracy=list(accuracy),
                   val_loss=[np.nan] * n, val_accuracy=list(accuracy))


@pytest.fixture(scope="module")
def moons():
    return datasets.moons(n_samples=300)


@pytest.mark.parametrize("loss,title", [("mse", "MSE on the training set"),
                                        ("cross_entropy", "Cross-entropy on the training set"),
                                        ("binary_cross_entropy", "Binary cross-entropy on the training set")])
def test_the_loss_panel_names_the_loss_that_was_trained(loss, title):
    chart = plots.curves_chart(history_of([0.7, 0.5, 0.4], [0.5, 0.7, 0.8]), loss)
    assert [panel.title for panel in chart.panels] == [title, "Test accuracy"]
    assert f">{title}</text>" in svg.render(chart)


def test_a_cross_entropy_run_draws_its_own_loss_not_the_mse(moons):
    net = Network([Dense(2, 8, "relu"), Dense(8, 2, "softmax")], loss="cross_entropy", seed=0)
    history = net.fit(moons.X_train, moons.y_train, epochs=4, eval_every=2)
    series = plots.curves_chart(history, "cross_entropy").panels[0].series[0]
    np.testing.assert_array_equal(series.y, history.loss)
    assert not np.allclose(history.loss, history.mse)  # so the test tells the two apart


def test_a_loss_that_spans_more_than_20x_is_drawn_on_a_log_scale():
    falling = plots.curves_chart(history_of(np.geomspace(10.0, 0.001, 50)))
    assert [panel.log_y for panel in falling.panels] == [True, True]  # regression: both panels are losses
    # the decades labelled as powers of ten, 10^-3 to 10^1
    labels = re.findall(r'>10<tspan baseline-shift="super" font-size="70%">([^<]+)</tspan>', svg.render(falling))
    assert sorted(set(labels)) == sorted({"\u22123", "\u22122", "\u22121", "0", "1"})
    seed_like = plots.curves_chart(history_of(np.linspace(0.26, 0.025, 50), np.linspace(0.5, 0.97, 50)))
    assert not seed_like.panels[0].log_y  # one decade: the seed's figure as it was
    assert "baseline-shift" not in svg.render(seed_like)


def test_a_run_of_zero_epochs_draws_a_visible_point():
    chart = plots.curves_chart(history_of([0.25], [0.5]))
    assert all(panel.series[0].marker == "o" for panel in chart.panels)
    assert svg.render(chart).count("<circle") == 2  # one dot a panel, where a line of one point shows nothing


def test_the_matplotlib_renderer_draws_what_the_chart_describes(moons):
    """plots.curves and health.figure (png, pdf, --show, notebooks) draw the same description."""
    from backprop.health import HealthRecorder
    from backprop.views import health

    chart = plots.curves_chart(history_of(np.geomspace(10.0, 0.001, 12)))
    fig = plots.curves(history_of(np.geomspace(10.0, 0.001, 12)))
    assert [ax.get_title() for ax in fig.axes] == [panel.title for panel in chart.panels]
    assert [ax.get_yscale() for ax in fig.axes] == ["log", "log"]
    assert all(ax.lines[0].get_marker() == "o" for ax in fig.axes)  # fewer than FEW_POINTS evaluations
    np.testing.assert_array_equal(fig.axes[1].lines[0].get_ydata(), chart.panels[1].series[0].y)
    net = Network([Dense(2, 6, "relu"), Dense(6, 2, "softmax")], loss="cross_entropy", seed=0)
    recorder = HealthRecorder(net, moons.X_train[:64], moons.y_train[:64])
    rows = net.fit(moons.X_train, moons.y_train, epochs=2, eval_every=1, callback=recorder).health
    fig = health.figure(rows, 64)
    assert [ax.get_title() for ax in fig.axes] == [panel.title for panel in health.chart(rows, 64).panels]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["layer 0", "layer 1"]
    assert "Not drawn: saturated sigmoid/tanh outputs" in " ".join(t.get_text() for t in fig.texts)


def test_the_same_figure_gives_the_same_bytes():
    history = history_of(np.geomspace(1.0, 0.01, 30), np.linspace(0.5, 0.9, 30))
    for fmt in ("svg", "pdf", "png"):
        assert plots.to_bytes(plots.curves(history), fmt) == plots.to_bytes(plots.curves(history), fmt), fmt
    text = plots.to_bytes(plots.curves(history)).decode()
    assert "MSE on the training set" in text and "<dc:date>" not in text  # text as text, no date
    again = history_of(np.geomspace(1.0, 0.01, 30), np.linspace(0.5, 0.9, 30))
    assert svg.render(plots.curves_chart(history)) == svg.render(plots.curves_chart(again))


def test_wrong_test_points_are_crossed_in_a_colour_no_class_or_region_has(moons):
    net = Network([Dense(2, 3, "tanh"), Dense(3, 2, "sigmoid")], seed=0)  # untrained: many wrong
    fig = plots.decision_boundary(net, moons.X_test, moons.y_test, resolution=40)
    ax = fig.axes[0]
    wrong = (net.predict(moons.X_test) != moons.y_test).sum()
    labels = [c.get_label() for c in ax.collections if c.get_label().startswith(("class", "wrong"))]
    assert labels == [f"class 0 ({(moons.y_test == 0).sum()})", f"class 1 ({(moons.y_test == 1).sum()})",
                      f"wrong ({wrong})"]
    crosses = ax.collections[-1]
    assert len(crosses.get_offsets()) == wrong > 0
    assert tuple(crosses.get_facecolor()[0][:3]) not in {tuple(matplotlib.colors.to_rgb(c)) for c in
                                                         plots.CLASS_COLORS}
    assert fig.axes[1].get_ylabel() == "P(class 1)"  # the colour bar


@pytest.mark.parametrize("hidden,panels", [("relu", ["Gradient norm per layer", "Dead ReLU units"]),
                                           ("sigmoid", ["Gradient norm per layer", "Saturated sigmoid/tanh outputs"])])
def test_the_health_figure_draws_no_empty_panel_and_says_what_was_measured(moons, hidden, panels):
    from backprop.health import HealthRecorder
    from backprop.views import health

    net = Network([Dense(2, 6, hidden), Dense(6, 2, "softmax")], loss="cross_entropy", seed=0)
    recorder = HealthRecorder(net, moons.X_train[:256], moons.y_train[:256])
    history = net.fit(moons.X_train, moons.y_train, epochs=2, eval_every=1, callback=recorder)
    chart = health.chart(history.health, 256)
    assert [panel.title for panel in chart.panels] == panels
    assert all(panel.series for panel in chart.panels)
    assert "first 256 training samples" in chart.subtitle and "after each evaluated epoch" in chart.subtitle
    assert ("no sigmoid or tanh layer" if hidden == "relu" else "no ReLU layer") in chart.subtitle
    text = svg.render(chart)
    assert all(f">{title}</text>" in text for title in panels) and "Not drawn: " in text


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """A classification run of the fast preset and a regression run on the plane, as train writes them."""
    from backprop.cli import main

    root = tmp_path_factory.mktemp("runs")
    assert main(["train", "--preset", "fast", "--epochs", "5", "--out", str(root), "--name", "moons", "--quiet"]) == 0
    assert main(["train", "--dataset", "plane", "--hidden", "8", "--activation", "tanh", "--epochs", "30",
                 "--batch-size", "16", "--optimizer", "adam", "--lr", "0.01", "--out", str(root), "--name", "plane",
                 "--quiet"]) == 0
    return root


def headline(page: str) -> dict:
    """The report's headline numbers, label -> value, as the page shows them."""
    import html
    import re

    block = page[page.index('<section class="headline">'):page.index("</section>")]
    return {html.unescape(label): html.unescape(value)
            for value, label in re.findall(r"<div><b>([^<]*)</b><span>([^<]*)</span></div>", block)}


def test_a_regression_report_opens_on_its_r2_and_rmse(two_runs):
    from backprop import metrics, persistence

    page = (two_runs / "plane" / "report.html").read_text()
    net = persistence.load(two_runs / "plane" / "model.safetensors")
    data = datasets.plane()
    r2, rmse = metrics.r2_rmse(data.y_test, net.predict(data.X_test))
    numbers = headline(page)
    assert list(numbers)[:2] == ["test R\u00b2", "test RMSE"]
    assert numbers["test R\u00b2"] == f"{r2:.4f}" and numbers["test RMSE"] == f"{rmse:.4g}"
    assert r2 == pytest.approx(net.score(data.X_test, data.y_test))
    assert '<figure id="predicted_vs_true">' in page
    assert page.index("test RMSE") < page.index('<figure id="curves">') < page.index("<h2>Configuration</h2>")


def test_a_classification_report_opens_on_its_accuracy_and_stays_small(two_runs):
    from backprop import persistence

    page = (two_runs / "moons" / "report.html").read_text()
    net = persistence.load(two_runs / "moons" / "model.safetensors")
    data = datasets.moons()
    numbers = headline(page)
    assert numbers["test accuracy"] == f"{net.score(data.X_test, data.y_test):.2%}"
    assert float(numbers["final training loss (cross-entropy)"]) > 0
    assert "Cross-entropy on the training set" in page  # the curves' SVG text, inline
    assert len(page.encode()) < 300_000


def test_the_report_configuration_is_written_for_people(two_runs):
    page = (two_runs / "moons" / "report.html").read_text()
    table = page[page.index("<h2>Configuration</h2>"):]
    assert "&quot;" not in table and "<td>64</td>" in table and "<td>relu</td>" in table
    assert "moons: 2000 points, noise 0.2, seed 100; 30% held out for testing (split seed 42)" in table
    seconds = re_search(r"<th>training time</th><td>([^<]*)</td>", table)
    assert re_search(r"^(\d+\.\d\d s|[\d.]+ ms)$", seconds) and seconds != "0.00 s"


def re_search(pattern, text):
    import re

    found = re.search(pattern, text)
    assert found, (pattern, text[:300])
    return found.group(1) if found.groups() else found.group(0)


@pytest.mark.parametrize("run", ["moons", "plane"])
def test_the_reports_command_line_trains_the_same_experiment_again(two_runs, run):
    import html
    import re
    import shlex

    from backprop import runs
    from backprop.cli import build_parser
    from backprop.cli.train import experiment_from_args

    page = (two_runs / run / "report.html").read_text()
    command = html.unescape(re.sub(r"<[^>]+>", "", re_search(r"<pre>(.*?)</pre>", page)))  # one span a word
    words = shlex.split(command)
    assert words[:2] == ["backprop", "train"]
    again = experiment_from_args(build_parser().parse_args(words[1:])).to_dict()
    config = runs.read_json(two_runs / run / "config.json")
    assert {k: again[k] for k in again if k != "dataset"} == {k: config[k] for k in again if k != "dataset"}
    assert again["dataset"] == config["dataset"]["name"]


def test_the_same_run_twice_writes_the_same_figure_bytes(two_runs, tmp_path):
    from backprop.cli import main

    assert main(["train", "--preset", "fast", "--epochs", "5", "--out", str(tmp_path), "--name", "moons",
                 "--quiet"]) == 0
    assert (tmp_path / "moons" / "curves.svg").read_bytes() == (two_runs / "moons" / "curves.svg").read_bytes()
    assert (tmp_path / "moons" / "health.svg").read_bytes() == (two_runs / "moons" / "health.svg").read_bytes()


@pytest.mark.parametrize("outputs", [1, 2])
def test_a_regressors_test_panel_is_the_test_mse_not_the_losss_half_sum(outputs):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (200, 2))
    Y = np.column_stack([X.sum(axis=1), X[:, 0] * X[:, 1]])[:, :outputs]
    net = Network([Dense(2, 8, "tanh"), Dense(8, outputs, "identity")], loss="mse", seed=0, task="regression")
    history = net.fit(X[:150], Y[:150], epochs=3, eval_every=1, validation_data=(X[150:], Y[150:]))
    panel = plots.curves_chart(history, "mse", outputs).panels[1]
    assert panel.title == "MSE on the test set"
    test_mse = np.mean((net.predict(X[150:]).reshape(50, -1) - Y[150:].reshape(50, -1)) ** 2)
    assert panel.series[0].y[-1] == pytest.approx(test_mse)


def test_evaluate_of_a_regression_run_says_its_r2_and_rmse_and_draws_predicted_against_true(two_runs, tmp_path,
                                                                                            capsys):
    from backprop import metrics, persistence
    from backprop.cli import main

    capsys.readouterr()
    assert main(["evaluate", str(two_runs / "plane"), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    net = persistence.load(two_runs / "plane" / "model.safetensors")
    data = datasets.plane()
    r2, rmse = metrics.r2_rmse(data.y_test, net.predict(data.X_test))
    assert out[:2] == [f"test R^2: {r2:.4f}", f"test RMSE: {rmse:.4g}"]
    svg = (tmp_path / "predicted_vs_true.svg").read_text()
    assert f"R\u00b2 {r2:.4f}, RMSE {rmse:.4g}" in svg


def test_plot_data_of_a_regression_set_has_a_colour_bar_that_gives_the_values(tmp_path, capsys):
    from backprop.cli import main

    plane = datasets.plane()
    fig = plots.data(plane.X, plane.y, task="regression")
    points, bar = fig.axes[0].collections[0], fig.axes[1]
    assert bar.get_ylabel() == "target y"
    assert points.get_clim() == pytest.approx((plane.y.min(), plane.y.max()))
    assert len(plots.data(plane.X, plane.y > 0).axes) == 1  # classes: no colour bar
    assert main(["plot-data", "--dataset", "plane", "--out", str(tmp_path / "plane.svg")]) == 0
    assert "target y" in (tmp_path / "plane.svg").read_text()


def test_a_large_network_is_drawn_as_its_strongest_units_and_weights_and_says_so():
    from backprop.views import network

    from .conftest import seed_network

    net = seed_network()  # 2-25-50-25-2: 2,550 weights
    fig = network.figure(net, resolution=8)
    ax = fig.axes[0]
    assert len(ax.images) == 12 + 12 + 12 + 2  # the strongest 12 of each wide layer's units, each with its map
    segments = ax.collections[0].get_segments()
    assert len(segments) == 24 + 40 + 40 + 24
    texts = [t.get_text() for t in ax.texts]
    assert "sigmoid (50)\n12 strongest drawn" in texts and "strongest 40 of\n1,250 weights" in texts
    units = network.drawn_units(net)
    strength = np.abs(net.layers[1].weights).sum(axis=0) + np.abs(net.layers[2].weights).sum(axis=1)
    assert set(units[2]) == set(np.argsort(-strength)[:12])  # layer 2's (50 wide) strongest units
    W = net.layers[1].weights
    j, k = network.strongest_links(W, units[1], units[2])[0]
    assert abs(W[units[1][j], units[2][k]]) == np.abs(W[np.ix_(units[1], units[2])]).max()


def test_the_network_views_input_labels_fit_their_boxes():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from backprop.views import network

    net = Network([Dense(64, 20, "relu"), Dense(20, 10, "softmax")], loss="cross_entropy", seed=0)
    net.feature_names = tuple(f"pixel_{i // 8}_{i % 8}" for i in range(64))
    fig = network.figure(net)
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text().startswith("pixel_")]
    boxes = [p.get_window_extent(renderer) for p in ax.patches]
    assert len(labels) == network.MAX_UNITS_DRAWN
    for label in labels:
        extent = label.get_window_extent(renderer)
        assert any(b.x0 <= extent.x0 and extent.x1 <= b.x1 and b.y0 <= extent.y0 and extent.y1 <= b.y1
                   for b in boxes), label.get_text()


def test_the_figures_of_a_csv_classifier_with_string_labels_count_its_wrong_points(tmp_path):
    """Predictions come back as the labels ('healthy'), the test split holds codes: the figures
    compare the two as codes (they called every point wrong when they compared labels with codes)."""
    from backprop import config

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    labels = np.where(X[:, 0] * X[:, 1] > 0, "healthy", "sick")
    (tmp_path / "t.csv").write_text("a,b,label\n" + "".join(f"{x:.3f},{y:.3f},{c}\n" for (x, y), c in zip(X, labels)))
    data = datasets.from_csv(tmp_path / "t.csv", "label")
    experiment = config.from_preset("fast", epochs=30)
    net = experiment.network_for(data)
    net.fit(data.X_train, data.labels(data.y_train), **experiment.fit.to_dict())
    wrong = round((1 - net.score(data.X_test, data.labels(data.y_test))) * len(data.y_test))
    figures = plots.model_figures(net, data, resolution=30)
    for name in ("decision_boundary", "comparison"):
        legend = [t.get_text() for t in figures[name].axes[-1 if name == "comparison" else 0].get_legend().get_texts()]
        assert legend == [f"class healthy ({(data.y_test == 0).sum()})", f"class sick ({(data.y_test == 1).sum()})",
                          f"wrong ({wrong})"], name


@pytest.mark.parametrize("loss,output,title,column", [("mse", "sigmoid", "Training MSE", "mse"),
                                                      ("cross_entropy", "softmax", "Training cross-entropy", "loss")])
def test_a_replay_frame_draws_the_loss_the_curves_draw(moons, loss, output, title, column):
    from backprop.views import replay

    net = Network([Dense(2, 4, "tanh"), Dense(4, 2, output)], loss=loss, seed=0)
    history = net.fit(moons.X_train, moons.y_train, epochs=3, eval_every=1,
                      validation_data=(moons.X_test, moons.y_test))
    ax = replay.frame(net, 3, moons, history.rows(), resolution=20).axes[1]
    assert ax.get_title() == title
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), getattr(history, column))


def test_maps_of_a_table_name_their_axes_for_its_columns(moons):
    net = Network([Dense(2, 3, "tanh"), Dense(3, 2, "sigmoid")], seed=0)
    assert plots.decision_boundary(net, moons.X_test, moons.y_test, 20).axes[0].get_xlabel() == "x\u2081"
    net.feature_names = ("age", "dose")
    ax = plots.decision_boundary(net, moons.X_test, moons.y_test, 20).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("age", "dose")
    named = plots.decision_boundary(net, moons.X_test, moons.y_test, 20, ("healthy", "sick"))
    assert named.axes[1].get_ylabel() == "P(class sick)"  # the colour bar


LONG_NAMES = ("setosa-like", "versicolor-like", "virginica long name")


def test_a_confusion_matrixs_class_names_neither_overlap_nor_leave_the_figure():
    """Names from a CSV's label column, as long as a table's: matplotlib measures the real text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    y, predicted = np.array([0, 1, 2, 0, 1, 2]), np.array([0, 1, 2, 1, 1, 2])
    fig = plots.confusion_matrix(y, predicted, LONG_NAMES)
    FigureCanvasAgg(fig).draw()
    renderer, ax = fig.canvas.get_renderer(), fig.axes[0]
    across = [t.get_window_extent(renderer) for t in ax.get_xticklabels()]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(LONG_NAMES)
    assert all(a.x1 < b.x0 for a, b in zip(across, across[1:])), [(a.x0, a.x1) for a in across]
    assert min(t.get_window_extent(renderer).x0 for t in [*ax.get_yticklabels(), ax.yaxis.label]) >= 0
    # the SVG's columns, as wide as the estimated names
    text = svg.render(plots.confusion_matrix_chart(y, predicted, LONG_NAMES))
    xs = [float(x) for x, name in re.findall(r'<text x="([\d.]+)" y="[\d.]+" font-size="13.9" '
                                             r'text-anchor="middle" fill="black">([^<]+)</text>', text)
          if name in LONG_NAMES]
    assert len(xs) == 3 and min(np.diff(xs)) > max(svg._width(name, svg.LABEL) for name in LONG_NAMES)


def test_a_confusion_matrix_cuts_a_name_too_long_for_its_column_but_not_its_row():
    name = "a class whose name runs on and on"
    panel = plots.confusion_matrix_chart(np.array([0, 1]), np.array([0, 1]), ("b", name)).panels[0]
    assert panel.x_ticks[1] == (1, name[:plots.LONGEST_NAME - 1] + "\u2026") and panel.y_ticks[1] == (0, name)


def test_a_maps_points_keep_off_its_frame_whatever_the_units_of_the_columns():
    """An income in the tens of thousands beside an age: each axis gets a margin of its own span."""
    X = np.array([[6_000.0, 24.0], [90_000.0, 62.0], [50_000.0, 40.0]])
    net = Network([Dense(2, 3, "tanh"), Dense(3, 2, "sigmoid")], seed=0)
    XX, YY, _ = plots.probability_grid(net, X, 10)
    for grid, column in ((XX[0], X[:, 0]), (YY[:, 0], X[:, 1])):
        span = column.max() - column.min()
        assert grid[0] <= column.min() - 0.1 * span and grid[-1] >= column.max() + 0.1 * span
    XX, _, _ = plots.probability_grid(net, np.array([[1.0, 0.0], [1.0, 2.0]]), 10)  # one value: still a width
    assert XX[0, -1] - XX[0, 0] == 1.0


def test_a_confusion_matrixs_counts_are_the_same_size_in_png_as_in_svg():
    fig = plots.confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]))
    assert {t.get_fontsize() for t in fig.axes[0].texts} == {round(svg.SMALL / svg.PT)}
