"""The teaching views: the numbers behind each picture, and the report in a real browser."""
import base64
import math
import re
import shutil

import numpy as np
import pytest

from backprop import Dense, Network, datasets, snapshots
from backprop.cli import main
from backprop.health import HealthRecorder, measure
from backprop.views import compare, network

from .conftest import seed_network


@pytest.fixture(scope="module")
def data():
    return datasets.moons(n_samples=300)


def test_health_on_a_network_built_to_saturate(data):
    net = Network([Dense(2, 8, "sigmoid"), Dense(8, 6, "relu"), Dense(6, 4, "tanh"), Dense(4, 2, "sigmoid")], seed=0)
    net.layers[0].params["weights"] *= 200.0  # |z| in the hundreds: every sigmoid output at 0 or 1
    net.layers[1].params["bias"][:] = -1e3  # every ReLU below zero for every sample: all dead
    rows = measure(net, data.X_train, data.y_train, epoch=3)
    assert [r["layer"] for r in rows] == [0, 1, 2, 3] and all(r["epoch"] == 3 for r in rows)
    assert rows[0]["saturated"] > 0.95 and math.isnan(rows[0]["dead"])
    assert rows[1]["dead"] == 1.0 and math.isnan(rows[1]["saturated"])
    assert rows[1]["grad_norm"] == 0.0  # a dead layer passes no gradient: nothing below it learns
    assert rows[0]["grad_norm"] == 0.0
    healthy = measure(seed_network(), data.X_train, data.y_train)
    assert all(r["saturated"] < 0.05 and r["grad_norm"] > 0 for r in healthy)


def test_the_recorder_measures_epoch_0_and_every_evaluation(data):
    net = seed_network()
    recorder = HealthRecorder(net, data.X_train[:50], data.y_train[:50])
    history = net.fit(data.X_train, data.y_train, epochs=6, eval_every=3, callback=recorder)
    assert [r["epoch"] for r in history.health] == [e for e in (0, 3, 6) for _ in range(4)]


def test_the_health_figure_of_a_history_without_health_says_so_and_does_not_warn(data):
    import warnings

    from backprop.views import health as health_view

    history = seed_network().fit(data.X_train, data.y_train, epochs=1)  # no HealthRecorder: no rows
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns for a legend with nothing in it
        fig = health_view.figure(history.health)
    assert all([t.get_text() for t in ax.texts] == ["no gradient health recorded"] for ax in fig.axes)


def test_the_network_view_draws_every_unit_and_weight(data):
    net = Network([Dense(2, 5, "tanh"), Dense(5, 3, "relu"), Dense(3, 2, "softmax")], loss="cross_entropy", seed=0)
    fig = network.figure(net, data.X)
    ax = fig.axes[0]
    assert len(ax.images) == 5 + 3 + 2  # one map per unit
    assert len(ax.collections[0].get_segments()) == 2 * 5 + 5 * 3 + 3 * 2  # one edge per weight
    maps = network._unit_maps(net, data.X, 32)
    # the plane the maps cover: the points and 15% of each axis's span either side, as the decision
    # boundary's (a fixed 0.5 left a column of thousandths in a speck of each map)
    low, high = data.X.min(axis=0), data.X.max(axis=0)
    low, high = low - 0.15 * (high - low), high + 0.15 * (high - low)
    outputs, _ = net.forward_pass(net.as_inputs(np.column_stack([m.ravel() for m in np.meshgrid(
        np.linspace(low[0], high[0], 32), np.linspace(low[1], high[1], 32))])))
    np.testing.assert_allclose(maps[2][1], outputs[2][:, 1].reshape(32, 32))
    np.testing.assert_allclose(ax.images[5].get_array(), maps[2][0])  # unit 0 of layer 1 shows its map


def test_replay_has_one_frame_per_snapshot_and_init_from_shares_the_start(tmp_path, capsys):
    from PIL import Image

    assert main(["train", "--epochs", "12", "--snapshot-every", "5", "--out", str(tmp_path), "--name", "a",
                 "--quiet"]) == 0
    frames = snapshots.read(tmp_path / "a" / snapshots.FOLDER)
    assert [epoch for epoch, _ in frames] == [0, 5, 10, 12]
    assert main(["replay", str(tmp_path / "a")]) == 0
    with Image.open(tmp_path / "a" / "replay.gif") as gif:
        assert gif.n_frames == len(frames) == 4
    assert main(["train", "--epochs", "3", "--activation", "tanh", "--init-from", str(tmp_path / "a"),
                 "--snapshot-every", "3", "--out", str(tmp_path), "--name", "b", "--quiet"]) == 0
    (_, start_a), (_, start_b) = frames[0], snapshots.read(tmp_path / "b" / snapshots.FOLDER)[0]
    for p, q in zip(start_a.parameters(), start_b.parameters()):
        np.testing.assert_array_equal(p, q)
    assert start_b.layers[0].activation.name == "tanh"
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "c.png")]) == 0
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    capsys.readouterr()
    assert main(["replay", str(tmp_path / "b" / "snapshots")]) == 2  # not a run folder: no snapshots in it
    assert "holds no weight snapshots" in capsys.readouterr().err


def test_compare_draws_every_run(data):
    runs = []
    for name, activation in (("sigmoid", "sigmoid"), ("relu", "relu")):
        net = Network([Dense(2, 6, activation), Dense(6, 2, "sigmoid")], seed=0)
        history = net.fit(data.X_train, data.y_train, epochs=4, eval_every=2, validation_data=(data.X_test,
                                                                                               data.y_test))
        runs.append((name, net, history.rows()))
    fig = compare.figure(runs, data)
    assert len(fig.axes) == 2 + 2  # the curves, then a map a run (no colour bars)
    assert [line.get_label() for line in fig.axes[0].lines] == ["sigmoid", "relu"]
    # one description of a decision boundary: the report's chart, each run's line in its curves' colour
    chart = compare.chart(runs, data)
    assert chart.rows == (2, 2)
    colors = [series.color for series in chart.panels[0].series]
    assert [panel.image.contour_color for panel in chart.panels[2:]] == colors and len(set(colors)) == 2
    assert [panel.legend for panel in chart.panels[2:]] == [True, False]


@pytest.fixture(scope="module")
def report_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    assert main(["train", "--epochs", "10", "--snapshot-every", "5", "--out", str(root), "--name", "r", "--quiet"]) == 0
    assert main(["replay", str(root / "r")]) == 0
    return root / "r"


def test_every_run_folder_gets_a_self_contained_report(report_run):
    page = (report_run / "report.html").read_text()
    assert re.findall(r'<figure id="([^"]+)">', page) == ["curves", "decision_boundary", "health", "replay"]
    sources = re.findall(r'<img alt="([^"]+)" [^>]*src="data:([^;]+);base64,([^"]+)"', page)
    assert [alt for alt, _, _ in sources] == ["Replay"]
    assert all(base64.b64decode(data) for _, _, data in sources)
    # each panel an SVG of its own: the curves' two, the decision boundary, the health's two
    assert page.count("<svg") == 5
    assert "src=\"http" not in page and "<script" not in page  # nothing to fetch, nothing to run


@pytest.mark.parametrize("figure_format", ["svg", "png", "pdf"])
def test_the_report_draws_its_charts_panel_by_panel_at_the_pages_size_in_every_format(figure_format):
    from backprop import config, datasets, run_files
    from backprop.views import report

    data = datasets.moons()
    experiment = config.from_preset("fast", epochs=2)
    net = experiment.network_for(data)
    history = net.fit(data.X_train, data.labels(data.y_train), callback=run_files.health_recorder(net, data),
                      **experiment.fit.to_dict())
    files = run_files.files("r", net, data, history, {"preset": "fast"}, figure_format)
    page = files["report.html"].decode()
    assert "<img" not in page and "base64" not in page.replace("data:image/png;base64", "")  # no figure file inside
    sizes = re.findall(r'<svg role="img" aria-label="([^"]+)" [^>]*width="(\d+)" height="(\d+)"', page)
    panel, result = ([str(round(side * 100)) for side in size] for size in (report.PANEL_SIZE, report.RESULT_SIZE))
    assert sizes == [("Cross-entropy on the training set", *panel), ("Training accuracy", *panel),
                     ("Decision boundary and test points", *result), ("Gradient norm per layer", *panel),
                     ("Dead ReLU units", *panel)]
    # the chart's title is the section's heading, its subtitle a caption; the model's panel title
    # (heading and headline again) is left out
    assert '<figure id="health"><h2>Gradient health</h2><p class="caption">Measured on the first 256' in page
    assert "Decision boundary and test points:" not in page
    if figure_format == "svg":  # the run folder's files are the full-size charts, unchanged
        assert files["curves.svg"].startswith(b'<?xml') and b'width="1200" height="450"' in files["curves.svg"]
    assert len(history.health) and files["health.csv"].count(b"\n") == len(history.health) + 1


# Each panel's text as the page shows it, in pixels: the SVG's own font size (its tick labels) times
# the scale the page draws the SVG at
TEXT_SIZES = ("Array.from(document.querySelectorAll('figure .panels > svg')).map(e => [e.closest('figure').id,"
              " parseFloat(e.getAttribute('font-size')) * e.getBoundingClientRect().width / e.viewBox.baseVal.width])")


def test_the_report_renders_in_chromium_with_every_figure_shown(report_run, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed here (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto((report_run / "report.html").as_uri(), wait_until="load")
        images = page.evaluate("Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])")
        drawn = page.evaluate("Array.from(document.querySelectorAll('figure .panels > svg, figure .frames > img'))"
                              ".map(e => [e.closest('figure').id, e.getBoundingClientRect().width,"
                              " e.getBoundingClientRect().top])")
        wide_text = page.evaluate(TEXT_SIZES)
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        # the decision boundary's map, a PNG inside its SVG: Chromium decodes it (100 x 100, the report's grid)
        maps = page.evaluate("Promise.all(Array.from(document.querySelectorAll('#decision_boundary image'))"
                             ".map(async e => { const i = new Image(); i.src = e.href.baseVal; await i.decode();"
                             " return [i.naturalWidth, i.naturalHeight, e.getBoundingClientRect().width]; }))")
        page.set_viewport_size({"width": 390, "height": 900})  # a phone
        phone_text = page.evaluate(TEXT_SIZES)
        phone_widths = page.evaluate("Array.from(document.querySelectorAll('figure .panels > svg'))"
                                     ".map(e => e.getBoundingClientRect().width)")
        sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        page.set_viewport_size({"width": 320, "height": 900})  # the command line wraps, none of it hidden
        command_hidden = page.evaluate("(p => p.scrollWidth - p.clientWidth)(document.querySelector('pre'))")
        browser.close()
    assert command_hidden == 0
    assert len(images) == 1 and all(complete and width > 100 for _, complete, width in images), images
    assert [m[:2] for m in maps] == [[100, 100], [1, 256]] and maps[0][2] > 200, maps  # the map, its colour bar
    assert [figure for figure, _, _ in drawn] == ["curves", "curves", "decision_boundary", "health", "health", "replay"]
    assert all(width > 300 for _, width, _ in drawn), drawn
    first_screen = {figure for figure, _, top in drawn if top < 900}
    assert {"curves", "decision_boundary"} <= first_screen, drawn  # the result, before any scrolling
    # every panel's labels read at 11 px or more, on a laptop and on a phone (one panel a row there,
    # as wide as the page)
    assert len(wide_text) == len(phone_text) == 5 and all(size >= 11 for _, size in wide_text + phone_text), \
        (wide_text, phone_text)
    assert all(width > 320 for width in phone_widths) and sideways == 0, (phone_widths, sideways)
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_replay_as_mp4_where_ffmpeg_exists(report_run, capsys):
    if shutil.which("ffmpeg") is None:
        assert main(["replay", str(report_run), "--format", "mp4"]) == 2
        assert "needs ffmpeg" in capsys.readouterr().err
        pytest.skip("ffmpeg is not installed here (.ci/run installs it); the refusal was checked instead")
    assert main(["replay", str(report_run), "--format", "mp4"]) == 0
    video = (report_run / "replay.mp4").read_bytes()
    assert video[4:8] == b"ftyp" and len(video) > 1000  # an MP4 container
    assert 'src="data:video/mp4;base64,' in (report_run / "report.html").read_text()


def test_a_replay_reads_on_a_phone_and_never_pushes_the_page_sideways(report_run, tmp_path):
    """Shrunk to a 390 px phone the replay's 1040 px frames read at 4 px, and an mp4 (a <video>, which
    had no max-width) pushed the page 660 px sideways: the frames now keep a width their labels read
    at 10 px, in a box that scrolls, GIF and MP4 alike."""
    from backprop.views import replay, report

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed here (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    formats = ["gif"] + (["mp4"] if shutil.which("ffmpeg") else [])  # ffmpeg: .ci/run installs it
    frame = replay.FRAME_SIZE[0] * replay.FRAME_DPI  # pixels a frame is wide
    shown = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        for kind in formats:
            folder = tmp_path / kind
            shutil.copytree(report_run, folder)
            assert main(["replay", str(folder), "--format", kind]) == 0
            tab.goto((folder / "report.html").as_uri(), wait_until="load")
            for width in (1280, 390):
                tab.set_viewport_size({"width": width, "height": 900})
                shown[kind, width] = tab.evaluate(
                    "[document.querySelector('#replay img, #replay video').getBoundingClientRect().width,"
                    " (b => b.scrollWidth - b.clientWidth)(document.querySelector('#replay .frames')),"
                    " document.documentElement.scrollWidth - window.innerWidth]")
        browser.close()
    for kind in formats:
        assert shown[kind, 1280] == [frame, 0, 0], shown  # a laptop: the frames at their own size
        media, scrolled, sideways = shown[kind, 390]
        labels = media / frame * 10 * replay.FRAME_DPI / 72  # a frame's 10 pt labels, in the page's pixels
        assert labels >= report.SMALLEST_TEXT and scrolled > 0 and sideways == 0, shown


def test_init_from_shares_the_sample_order_too(tmp_path, capsys):
    """Two runs that differ in their activation only draw the same shuffles from the same generator."""
    from backprop.cli.train import start_from
    from backprop.config import from_preset

    assert main(["train", "--epochs", "1", "--shuffle", "--seed", "11", "--out", str(tmp_path), "--name", "a",
                 "--quiet"]) == 0
    capsys.readouterr()
    source = from_preset("seed", seed=11).build_network(2, 2)
    relu = from_preset("seed", seed=3, activation="relu").build_network(2, 2)
    start_from(relu, tmp_path / "a")
    assert relu.seed == 11
    np.testing.assert_array_equal(relu.rng.permutation(1400), source.rng.permutation(1400))
    for p, q in zip(relu.parameters(), source.parameters()):
        np.testing.assert_array_equal(p, q)


def test_a_bundled_data_set_is_named_without_an_empty_list_of_settings():
    from backprop.views.report import _dataset

    assert _dataset({"name": "digits", "test_size": 0.3, "split_seed": 42}) == \
        "digits; 30% held out for testing (split seed 42)"
    assert _dataset({"name": "moons", "n_samples": 2000, "noise": 0.2}).startswith("moons: 2000 points, noise 0.2")


def test_the_reports_health_says_how_many_points_it_was_measured_on():
    """iris has 105 training points: its report said its gradient health was measured on "the first 256"."""
    from backprop import config, datasets, run_files

    for data, measured in ((datasets.iris(), 105), (datasets.moons(), run_files.HEALTH_SAMPLES)):
        experiment = config.from_preset("fast", epochs=1)
        net = experiment.network_for(data)
        history = net.fit(data.X_train, data.labels(data.y_train), callback=run_files.health_recorder(net, data),
                          **experiment.fit.to_dict())
        page = run_files.report_page("r", net, data, history, {}, run_files.model_chart(net, data)).decode()
        assert f"Measured on the first {measured} training samples" in page, measured


def test_a_training_time_under_a_hundredth_of_a_second_is_not_said_to_be_nothing():
    from backprop.views.report import configuration, duration

    assert [duration(s) for s in (1.5812, 0.01, 0.0043, 0.000693)] == ["1.58 s", "0.01 s", "4.3 ms", "0.69 ms"]
    assert ("training time", "4.3 ms") in configuration({"train_seconds": 0.0043})


def test_the_reports_model_figure_is_drawn_for_the_page():
    """Three classes' regions are drawn as blocks: 300 a side, where the report's 100 showed stairs;
    digits' confusion matrix, with cells of the report's own width, reads at 11 px or more where the
    page shows it (``CONFUSION_MATRIX_MOST`` pixels wide at most)."""
    from backprop import config, datasets, run_files
    from backprop.charts import svg
    from backprop.views import report

    for name in ("blobs", "digits"):
        data = datasets.DATASETS[name]()
        net = config.from_preset("fast").network_for(data)
        (figure, chart), = run_files.model_chart(net, data).items()
        if name == "blobs":
            assert figure == "decision_boundary" and chart.panels[0].image.values.shape == (300, 300)
        else:
            assert figure == "confusion_matrix"
            assert report.CONFUSION_MATRIX_MOST / (chart.size[0] * svg.DPI) * svg.LABEL >= 11, chart.size


def test_a_csv_run_with_long_names_reads_on_a_laptop_and_fits_a_phone(tmp_path):
    """A CSV's 28-character class names made the report's confusion matrix 11.5 in wide, its labels
    7.7 px where the page shows it; a sweep's run name and a CSV's path, each one long word, pushed
    the page sideways on a 320 px phone. The matrix's names are cut to fit (the caption gives them in
    full); long words break."""
    import dataclasses

    from backprop import config, datasets, run_files
    from backprop.charts import svg
    from backprop.reproduce import command_line

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed here (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    names = ("first_time_trial_customer_x", "long_term_premium_subscriber", "occasional_weekend_visitor_group")
    data = dataclasses.replace(datasets.iris(), classes=names)
    experiment = config.from_preset("fast", epochs=2)
    net = experiment.network_for(data)
    history = net.fit(data.X_train, data.labels(data.y_train), **experiment.fit.to_dict())
    path = "/home/someone/projects/customer-analysis/exports/customers_by_segment_2026.csv"
    spec = {"name": "csv", "path": path, "target": "class_name", "test_size": 0.3, "split_seed": 42}
    settings = {**experiment.to_dict(), "dataset": spec, "task": "classification"}
    assert path in command_line(settings)
    page = run_files.report_page("learning_rate=0.01_seed=0_hidden=64_activation=relu", net, data, history,
                                 settings, run_files.model_chart(net, data)).decode()
    assert "classes, top to bottom: " + "; ".join(names) in page
    (tmp_path / "report.html").write_text(page)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto((tmp_path / "report.html").as_uri(), wait_until="load")
        wide_text = tab.evaluate(TEXT_SIZES)
        tab.set_viewport_size({"width": 320, "height": 900})
        sideways = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        command_hidden = tab.evaluate("(p => p.scrollWidth - p.clientWidth)(document.querySelector('pre'))")
        phone_text = tab.evaluate(TEXT_SIZES)
        # the matrix keeps a width its counts read at, and scrolls in its own box
        scrolled = tab.evaluate("(p => p.scrollWidth - p.clientWidth)(document.querySelector('#confusion_matrix"
                                " .panels'))")
        browser.close()
    matrix = [size for figure, size in wide_text if figure == "confusion_matrix"]
    assert len(matrix) == 1 and matrix[0] >= 11, wide_text
    assert sideways == 0 and command_hidden == 0, (sideways, command_hidden)
    counts = [size * svg.SMALL / svg.LABEL for figure, size in phone_text if figure == "confusion_matrix"]
    assert len(counts) == 1 and counts[0] >= 10 and scrolled > 0, (phone_text, scrolled)
