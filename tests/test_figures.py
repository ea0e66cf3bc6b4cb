"""The figures, legible at first sight: what can be checked of what they show (titles, scales,
markers, colour bars, panels) and that the same figure always gives the same bytes."""
import matplotlib
import numpy as np
import pytest

from backprop import Dense, Network, datasets, plots
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
    fig = plots.curves(history_of([0.7, 0.5, 0.4], [0.5, 0.7, 0.8]), loss)
    assert fig.axes[0].get_title() == title
    assert fig.axes[1].get_title() == "Test accuracy"


def test_a_cross_entropy_run_draws_its_own_loss_not_the_mse(moons):
    net = Network([Dense(2, 8, "relu"), Dense(8, 2, "softmax")], loss="cross_entropy", seed=0)
    history = net.fit(moons.X_train, moons.y_train, epochs=4, eval_every=2)
    line = plots.curves(history, "cross_entropy").axes[0].lines[0]
    np.testing.assert_array_equal(line.get_ydata(), history.loss)
    assert not np.allclose(history.loss, history.mse)  # so the test tells the two apart


def test_a_loss_that_spans_decades_is_drawn_on_a_log_scale():
    falling = plots.curves(history_of(np.geomspace(10.0, 0.001, 50)))
    assert [ax.get_yscale() for ax in falling.axes] == ["log", "log"]  # regression: both panels are losses
    seed_like = plots.curves(history_of(np.linspace(0.26, 0.025, 50), np.linspace(0.5, 0.97, 50)))
    assert seed_like.axes[0].get_yscale() == "linear"  # one decade: the seed's figure as it was


def test_a_run_of_zero_epochs_draws_a_visible_point():
    fig = plots.curves(history_of([0.25], [0.5]))
    assert all(ax.lines[0].get_marker() == "o" for ax in fig.axes)


def test_the_same_figure_gives_the_same_bytes():
    history = history_of(np.geomspace(1.0, 0.01, 30), np.linspace(0.5, 0.9, 30))
    for fmt in ("svg", "pdf", "png"):
        assert plots.to_bytes(plots.curves(history), fmt) == plots.to_bytes(plots.curves(history), fmt), fmt
    svg = plots.to_bytes(plots.curves(history)).decode()
    assert "MSE on the training set" in svg and "<dc:date>" not in svg  # text as text, no date


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
