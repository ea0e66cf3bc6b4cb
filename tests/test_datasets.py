"""The data sets: the seed's moons exactly as scikit-learn makes and splits them, the others, CSV files."""
import math
import re

import numpy as np
import pytest

import backprop
from backprop import datasets


@pytest.mark.parametrize("n,noise,seed,test_size,split_seed", [(2000, 0.2, 100, 0.3, 42), (501, 0.05, 7, 0.25, 3)])
def test_moons_are_scikit_learns_bit_for_bit(n, noise, seed, test_size, split_seed):
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split

    X, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    expected = train_test_split(X, y, test_size=test_size, random_state=split_seed)
    data = datasets.moons(n, noise, seed, test_size, split_seed)
    for ours, theirs in zip((data.X_train, data.X_test, data.y_train, data.y_test), expected):
        assert ours.dtype == theirs.dtype and ours.tobytes() == theirs.tobytes()


def test_seed_split_sizes_and_spec():
    data = datasets.moons()
    assert data.X_train.shape == (1400, 2) and data.X_test.shape == (600, 2)
    assert set(np.unique(data.y)) == {0, 1}
    again = datasets.from_spec(data.spec)
    assert again.X_test.tobytes() == data.X_test.tobytes()


def test_circles_and_bad_specs():
    assert datasets.circles().X_train.shape == (1400, 2)
    with pytest.raises(ValueError, match="dataset must name one of"):
        datasets.from_spec({"name": "torus"})
    with pytest.raises(ValueError, match="test_size must be a float in"):
        datasets.moons(test_size=1.5)


@pytest.mark.parametrize("name", sorted(datasets.DATASETS))
def test_every_data_set_splits_70_30_and_is_made_again_from_its_spec(name):
    data = datasets.DATASETS[name]()
    n = len(data.X_train) + len(data.X_test)
    assert len(data.X_test) == math.ceil(0.3 * n) and data.X_train.shape[1] == data.X_test.shape[1]
    assert len(np.unique(data.y)) >= 2 and np.all(np.isfinite(data.X)) and np.all(np.isfinite(data.y))
    assert data.task == "regression" or data.y.min() == 0
    again = datasets.from_spec(data.spec)
    np.testing.assert_array_equal(again.X_train, data.X_train)
    np.testing.assert_array_equal(again.y_test, data.y_test)


def test_xor_and_spirals_are_what_they_say():
    xor = datasets.xor(noise=0.0)
    assert np.array_equal(xor.y, (xor.X[:, 0] * xor.X[:, 1] > 0).astype(int))
    spirals = datasets.spirals(noise=0.0)
    radius = np.hypot(spirals.X[:, 0], spirals.X[:, 1])
    assert radius.max() <= 1.0 + 1e-12 and set(np.unique(spirals.y)) == {0, 1}


def test_bundled_sets_keep_their_names():
    iris = datasets.iris()
    assert iris.classes == ("setosa", "versicolor", "virginica") and iris.feature_names[0] == "sepal length (cm)"
    assert datasets.digits().X_train.shape[1] == 64


def write(tmp_path, text):
    path = tmp_path / "table.csv"
    path.write_text(text)
    return path


def test_from_csv_reads_labels_of_any_kind(tmp_path):
    rows = "".join(f"{i},{i % 3 * 0.5},{['cat', 'dog', 'eel'][i % 3]}\n" for i in range(30))
    data = datasets.from_csv(write(tmp_path, "a,b,kind\n" + rows), target="kind")
    assert data.classes == ("cat", "dog", "eel") and data.feature_names == ("a", "b")
    assert len(data.X_train) == 21 and len(data.X_test) == 9
    X, y = data.X, data.y
    np.testing.assert_array_equal(y, (X[:, 0] % 3).astype(int))  # cat=0, dog=1, eel=2 follow the rows
    numeric = datasets.from_csv(write(tmp_path, "x,label\n" + "".join(f"{i},{7 if i % 2 else 3}\n"
                                                                      for i in range(10))), target="label")
    assert numeric.classes == (3, 7)
    np.testing.assert_array_equal(datasets.from_spec(numeric.spec).X_train, numeric.X_train)


@pytest.mark.parametrize("text,message", [
    ("", r"the file is empty"),
    ("a,b\n1,2\n", r"no column 'label' in the header \(columns: a, b\)"),
    ("a,label\n1,x\n2\n", r"line 3: 1 cells, but the header has 2"),
    ("a,label\n1,x\n,y\n", r"line 3, column 'a': the cell is empty"),
    ("a,label\n1,x\nabc,y\n", r"line 3, column 'a': 'abc' is not a number"),
    ("a,label\n1,x\nnan,y\n", r"line 3, column 'a': 'nan' is not a finite number"),
    ("a,label\n1,x\n2,\n", r"line 3, column 'label': the label is empty"),
    ("a,label\n1,x\n", r"needs at least 2 data rows. Received: 1"),
    ("a,label\n1,x\n2,x\n", r"holds a single label \('x'\)"),
])
def test_from_csv_names_the_file_line_and_column(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=re.escape(str(path)) + ".*" + message if text else message):
        datasets.from_csv(path, target="label")


def test_train_on_a_csv_file_from_the_command_line(tmp_path, capsys):
    from backprop.cli import main

    rows = "".join(f"{i / 10},{(i % 2) * 2 - 1 + i / 100},{'yes' if i % 2 else 'no'}\n" for i in range(60))
    path = write(tmp_path, "x1,x2,answer\n" + rows)
    assert main(["train", "--data", str(path), "--target", "answer", "--preset", "fast", "--batch-size", "8",
                 "--out", str(tmp_path),
                 "--name", "c", "--quiet"]) == 0
    assert "test accuracy: 1.0000" in capsys.readouterr().out
    assert main(["train", "--data", str(path), "--out", str(tmp_path)]) == 2
    assert "--data needs --target COLUMN" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["plane", "gaussians"])
def test_regression_sets_hold_real_targets_split_70_30(name):
    data = datasets.DATASETS[name](n_samples=1000, noise=0.0)
    assert data.task == "regression" and data.n_outputs == 1 and data.y.dtype.kind == "f"
    assert len(data.X_train) == 700 and np.abs(data.X).max() <= 1
    if name == "plane":
        np.testing.assert_allclose(data.y, data.X.sum(axis=1) / 2)
    noisy = datasets.DATASETS[name](n_samples=1000, noise=0.1)
    assert 0.05 < np.std(noisy.y - data.y) < 0.15  # same points, the noise on top
    np.testing.assert_array_equal(datasets.from_spec(noisy.spec).y_test, noisy.y_test)


def test_from_csv_reads_real_targets_for_regression(tmp_path):
    rows = "".join(f"{i},{i % 4},{i * 0.5 - 1.25}\n" for i in range(20))
    data = datasets.from_csv(write(tmp_path, "a,b,price\n" + rows), target="price", task="regression")
    assert data.task == "regression" and data.classes is None and data.y.dtype.kind == "f"
    np.testing.assert_allclose(data.y, data.X[:, 0] * 0.5 - 1.25)
    assert datasets.from_spec(data.spec).task == "regression"
    with pytest.raises(ValueError, match=r"line 3, column 'price': 'cheap' is not a number"):
        datasets.from_csv(write(tmp_path, "a,price\n1,2\n2,cheap\n"), target="price", task="regression")
    with pytest.raises(ValueError, match="task must be one of"):
        datasets.from_csv(write(tmp_path, "a,price\n1,2\n2,3\n"), target="price", task="values")


def test_a_regression_set_trains_from_the_command_line_and_evaluates_predicted_against_true(tmp_path, capsys):
    from backprop.cli import main

    assert main(["train", "--dataset", "plane", "--hidden", "16", "--activation", "tanh", "--epochs", "20",
                 "--batch-size", "16", "--optimizer", "adam", "--out", str(tmp_path), "--name", "p", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert float(out.split("test R^2: ")[1].split()[0]) > 0.95
    net = backprop.load(tmp_path / "p" / "model.safetensors")
    assert net.task == "regression" and net.layers[-1].activation.name == "identity"
    assert main(["evaluate", str(tmp_path / "p"), "--format", "png"]) == 0
    assert (tmp_path / "p" / "predicted_vs_true.png").exists() and "test R^2" in capsys.readouterr().out
    assert main(["train", "--dataset", "plane", "--loss", "cross_entropy", "--out", str(tmp_path)]) == 2
    assert "task='regression' learns real values with loss='mse'" in capsys.readouterr().err


def test_standardized_csv_model_predicts_raw_rows_by_column_name(tmp_path, capsys):
    from backprop.cli import main

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2)) * [1000, 0.01] + [5e5, 3]
    label = np.where((X[:, 0] - 5e5) / 1000 + (X[:, 1] - 3) / 0.01 > 0, "high", "low")
    rows = "".join(f"{a},{b},{c}\n" for (a, b), c in zip(X, label))
    path = write(tmp_path, "size,weight,grade\n" + rows)
    assert main(["train", "--data", str(path), "--target", "grade", "--standardize", "--preset", "fast",
                 "--batch-size", "16", "--out", str(tmp_path), "--name", "s", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert float(out.split("test accuracy: ")[1].split()[0]) >= 0.95 and "note" not in err
    # A table is standardised by default: no flag, the same scaling; --no-standardize opts out, knowingly
    # (no hint); a built-in set keeps its unscaled experiment, and the hint says what scaling would do.
    assert main(["train", "--data", str(path), "--target", "grade", "--epochs", "1", "--out", str(tmp_path),
                 "--quiet", "--name", "default", "--no-figures"]) == 0
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(backprop.load(tmp_path / "default").standardization.scale,
                                  backprop.load(tmp_path / "s").standardization.scale)
    assert main(["train", "--data", str(path), "--target", "grade", "--epochs", "1", "--out", str(tmp_path),
                 "--quiet", "--name", "raw", "--no-standardize", "--no-figures"]) == 0
    assert capsys.readouterr().err == "" and backprop.load(tmp_path / "raw").standardization is None
    assert main(["train", "--dataset", "wine", "--epochs", "1", "--out", str(tmp_path), "--quiet", "--name", "wine",
                 "--no-figures"]) == 0
    assert "note: the features' scales differ" in capsys.readouterr().err
    assert backprop.load(tmp_path / "wine").standardization is None
    net = backprop.load(tmp_path / "s")  # a run folder loads as its model
    assert net.feature_names == ("size", "weight") and net.classes == ("high", "low")
    np.testing.assert_allclose(net.standardization.mean, datasets.from_csv(path, "grade").X_train.mean(axis=0))
    # Columns in another order, an extra one: taken by name.
    query = tmp_path / "query.csv"
    query.write_text("note,weight,size\nx,3.02,500500\ny,2.98,499500\n")
    out_file = tmp_path / "predictions.csv"
    assert main(["predict", str(tmp_path / "s"), "--input", str(query), "--output", str(out_file)]) == 0
    lines = out_file.read_text().splitlines()
    assert lines[0] == "size,weight,p_high,p_low,label"
    assert [line.split(",")[-1] for line in lines[1:]] == ["high", "low"]
    query.write_text("size,height\n1,2\n")
    assert main(["predict", str(tmp_path / "s"), "--input", str(query)]) == 2
    assert "trained on columns ['size', 'weight']; missing: 'weight'" in capsys.readouterr().err


def test_the_default_spirals_noise_leaves_room_for_95_percent():
    """The ceiling quoted in spirals' docstring: the nearest true arm's label, on the test split."""
    t = np.linspace(0, 1, 4000)
    angles = [1.75 * 2 * np.pi * t + np.pi * arm for arm in (0, 1)]
    arms = [np.column_stack([t * np.sin(angle), t * np.cos(angle)]) for angle in angles]
    ceiling = {}
    for noise in (0.03, 0.1):
        data = datasets.spirals(noise=noise)
        nearest = [np.min(((data.X_test[:, None] - arm[None]) ** 2).sum(-1), axis=1) for arm in arms]
        ceiling[noise] = np.mean((nearest[1] < nearest[0]) == data.y_test)
    assert ceiling[0.03] >= 0.98 and ceiling[0.1] <= 0.81
