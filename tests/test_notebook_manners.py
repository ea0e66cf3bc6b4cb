"""Notebook manners: a Network and a History show themselves as HTML; progress bars come from tqdm.auto."""
import io
import re

import numpy as np
import pytest

from backprop import Dense, History, Network, datasets
from backprop.progress import ProgressBar
from backprop.training import Progress


def test_a_network_shows_its_layers_shapes_and_parameter_counts():
    net = Network([Dense(2, 25, "sigmoid"), Dense(25, 50, "tanh"), Dense(50, 2, "softmax")], loss="cross_entropy",
                  seed=0)
    page = net._repr_html_()
    rows = re.findall(r"<tr><td>(\d+)</td><td>Dense</td><td>\((\d+), (\d+)\)</td><td>(\w+)</td><td[^>]*>([\d,]+)</td>",
                      page)
    assert rows == [("0", "2", "25", "sigmoid", "75"), ("1", "25", "50", "tanh", "1,300"),
                    ("2", "50", "2", "softmax", "102")]
    total = sum(p.size for p in net.parameters())
    assert f">{total:,}</td></tr></tfoot>" in page and "2-25-50-2" in page and "cross_entropy" in page


def test_the_html_views_are_part_of_the_core_and_import_nothing_above_it():
    from tests.test_imports import ABOVE_THE_CORE, run_time_imports

    assert not run_time_imports("display") & (ABOVE_THE_CORE | {"network", "training"})


def test_a_network_without_layers_still_shows_itself():
    assert "no layers" in Network()._repr_html_()


def test_a_history_draws_one_point_per_evaluation_in_each_curve():
    data = datasets.moons(n_samples=200)
    net = Network([Dense(2, 8, "tanh"), Dense(8, 2, "sigmoid")], seed=0)
    history = net.fit(data.X_train, data.y_train, epochs=20, batch_size=16, eval_every=5,
                      validation_data=(data.X_test, data.y_test))
    page = history._repr_html_()
    polylines = re.findall(r"<polyline [^>]*points='([^']*)'", page)
    assert len(polylines) == 4  # the loss and the accuracy, each on the training and the test set
    assert all(len(points.split()) == len(history) == 5 for points in polylines)
    assert f"val_accuracy {history.val_accuracy[-1]:.4g}" in page


def test_a_history_without_test_data_draws_no_test_curve_and_an_empty_one_says_so():
    history = History()
    assert "no evaluations" in history._repr_html_()
    history.append({"epoch": 0, "loss": 0.5, "mse": 1.0, "train_accuracy": 0.5, "val_loss": np.nan,
                    "val_accuracy": np.nan})
    page = history._repr_html_()
    assert "> test</tspan>" not in page and page.count("> train</tspan>") == 2 and "nan" not in page


def test_a_regression_history_draws_its_loss_and_no_accuracy():
    data = datasets.plane(n_samples=200)
    net = Network([Dense(2, 8, "tanh"), Dense(8, 1, "identity")], seed=0, task="regression")
    history = net.fit(data.X_train, data.y_train, epochs=10, batch_size=16, eval_every=5,
                      validation_data=(data.X_test, data.y_test))
    page = history._repr_html_()
    assert page.count("<svg") == 1 and page.count("<polyline") == 2 and "accuracy" not in page.split("<p>")[0]


def test_the_progress_bar_is_tqdm_auto_and_closes_after_the_last_epoch():
    from tqdm.auto import tqdm as auto_tqdm

    out = io.StringIO()
    bar = ProgressBar(file=out)
    bar(Progress(1, 3, {"loss": 0.25, "val_accuracy": 0.5}))
    assert isinstance(bar.bar, auto_tqdm)
    bar(Progress(2, 3, None))
    bar(Progress(3, 3, {"loss": 0.125, "val_accuracy": float("nan")}))
    assert bar.bar is None
    text = out.getvalue()
    assert "3/3" in text and "loss=0.125" in text


@pytest.mark.parametrize("how", ["interrupted", "early stopping"])
def test_the_progress_bar_closes_when_training_ends_before_its_epochs(how):
    data = datasets.moons(n_samples=200)
    net = Network([Dense(2, 4, "tanh"), Dense(4, 2, "sigmoid")], seed=0)
    out = io.StringIO()
    bar = ProgressBar(file=out)
    if how == "interrupted":
        bar(Progress(1, 10, None, interrupted=True))
    else:
        history = net.fit(data.X_train, data.y_train, epochs=500, batch_size=16, learning_rate=1e-9, patience=2,
                          tol=0.1, eval_every=1, validation_data=(data.X_test, data.y_test), callback=bar)
        assert history.stopped_early_at is not None
    assert bar.bar is None and out.getvalue()


def test_the_progress_bar_counts_a_sweeps_runs_and_shows_the_last_score(tmp_path):
    from backprop import sweep

    out = io.StringIO()
    bar = ProgressBar(file=out)
    rows = sweep({"learning_rate": [0.01, 0.02]}, seeds=1, preset="fast", fixed={"epochs": 2}, jobs=1,
                 out=tmp_path, name="bar", draw=False, callback=bar)
    assert len(rows) == 2 and bar.bar is None  # closed after the last run
    text = out.getvalue()
    assert "2/2" in text and f"accuracy={rows[-1]['test_score']:.4g}" in text
