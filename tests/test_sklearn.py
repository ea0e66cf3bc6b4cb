"""The scikit-learn estimators: scikit-learn's own estimator checks, and the tools users combine them with."""
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, make_regression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import backprop
from backprop.sklearn import BackpropClassifier, BackpropRegressor


# The defaults, as a user meets them. Every check passes: none is marked as an expected failure.
@parametrize_with_checks([BackpropClassifier(), BackpropRegressor()])
def test_scikit_learn_estimator_checks(estimator, check, monkeypatch):
    # The array-API check (for estimators without array-API support: NumPy inputs with dispatch on
    # give the same results) runs only where SCIPY_ARRAY_API is set; set it so that it is not skipped.
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, np.array(["setosa", "versicolor", "virginica"])[y]


def test_labels_of_any_kind_binary_or_multiclass(iris):
    X, names = iris
    X = StandardScaler().fit_transform(X)
    clf = BackpropClassifier(hidden_layer_sizes=(16,), learning_rate=0.01, random_state=0).fit(X, names)
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"] and clf.score(X, names) > 0.95
    assert clf.predict_proba(X).shape == (150, 3) and np.allclose(clf.predict_proba(X).sum(axis=1), 1)
    codes = np.array([3, 10, 42])[np.searchsorted(clf.classes_, names)]  # non-contiguous integers
    again = BackpropClassifier(hidden_layer_sizes=(16,), learning_rate=0.01, random_state=0).fit(X, codes)
    assert set(again.predict(X)) <= {3, 10, 42}
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))  # the labels change nothing else
    binary = BackpropClassifier(random_state=0, learning_rate=0.01).fit(X, names == "setosa")
    assert binary.predict(X).dtype == bool and binary.score(X, names == "setosa") == 1.0


def test_fitted_attributes_and_the_training_loss_stopping_rule(iris):
    X, y = iris
    clf = BackpropClassifier(hidden_layer_sizes=(8,), learning_rate=0.05, tol=1e-3, n_iter_no_change=5,
                             random_state=0).fit(StandardScaler().fit_transform(X), y)
    assert clf.n_features_in_ == 4 and len(clf.loss_curve_) == clf.n_iter_ < 200  # stopped: no progress
    assert min(clf.loss_curve_[-5:]) > min(clf.loss_curve_) - 1e-3
    assert not hasattr(clf, "best_validation_score_")
    stopped = BackpropClassifier(hidden_layer_sizes=(8,), learning_rate=0.05, early_stopping=True,
                                 random_state=0).fit(StandardScaler().fit_transform(X), y)
    assert 0.8 <= stopped.best_validation_score_ <= 1.0


def test_a_dataframe_gives_feature_names_in(iris):
    X, y = iris
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    clf = BackpropClassifier(epochs=5, random_state=0).fit(frame, y)
    assert list(clf.feature_names_in_) == ["sl", "sw", "pl", "pw"]
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)  # fitted with names, given none: scikit-learn's own warning
    # the network keeps them, so a model file saved from it reads a table's columns by name
    assert clf.network_.feature_names == ("sl", "sw", "pl", "pw")
    assert BackpropClassifier(epochs=5, random_state=0).fit(X, y).network_.feature_names is None


def test_regressor_one_output_or_many():
    X, Y = make_regression(300, 4, n_targets=2, noise=0.1, random_state=0)
    Y = Y / Y.std(axis=0)
    many = BackpropRegressor(hidden_layer_sizes=(32,), learning_rate=0.01, random_state=0).fit(X, Y)
    assert many.predict(X).shape == (300, 2) and many.n_outputs_ == 2 and many.score(X, Y) > 0.95
    one = BackpropRegressor(hidden_layer_sizes=(32,), learning_rate=0.01, random_state=0).fit(X, Y[:, 0])
    assert one.predict(X).shape == (300,) and one.score(X, Y[:, 0]) > 0.95
    assert one.network_.task == "regression"


def test_pipeline_with_a_scaler_and_cross_validation(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), BackpropClassifier(hidden_layer_sizes=(16,), learning_rate=0.01,
                                                               random_state=0))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.9


def test_grid_search_in_two_processes(iris):
    X, y = iris
    search = GridSearchCV(make_pipeline(StandardScaler(), BackpropClassifier(epochs=50, random_state=0)),
                          {"backpropclassifier__learning_rate": [0.001, 0.03]}, cv=3, n_jobs=2)
    search.fit(X, y)
    assert search.best_params_ == {"backpropclassifier__learning_rate": 0.03} and search.best_score_ > 0.9
    serial = GridSearchCV(make_pipeline(StandardScaler(), BackpropClassifier(epochs=50, random_state=0)),
                          {"backpropclassifier__learning_rate": [0.001, 0.03]}, cv=3, n_jobs=1).fit(X, y)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"])


def test_a_fitted_estimator_pickles_and_its_network_saves(iris, tmp_path):
    X, y = iris
    clf = BackpropClassifier(hidden_layer_sizes=(8,), epochs=30, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(clf))  # scikit-learn requires it (joblib, GridSearchCV); model files never do
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    net = backprop.load(backprop.save(clf.network_, tmp_path / "iris.safetensors"))
    np.testing.assert_array_equal(net.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(net.predict(X), clf.predict(X))  # the file answers in the original labels


def test_partial_fit_continues_the_optimizer_and_warm_start_the_weights(iris):
    X, y = iris
    X = StandardScaler().fit_transform(X)
    online = BackpropClassifier(hidden_layer_sizes=(8,), random_state=0, shuffle=False, batch_size=150)
    for _ in range(3):
        online.partial_fit(X, y, classes=np.unique(y))
    full = BackpropClassifier(hidden_layer_sizes=(8,), random_state=0, shuffle=False, batch_size=150, epochs=3,
                              n_iter_no_change=100).fit(X, y)
    np.testing.assert_allclose(online.predict_proba(X), full.predict_proba(X), rtol=1e-12)  # same 3 Adam steps
    assert online.n_iter_ == 3
    online.partial_fit(X[:20], y[:20])  # a smaller chunk than the first call's batch size
    assert online.n_iter_ == 4 and len(online.loss_curve_) == 4
    with pytest.raises(ValueError, match="classes must be given on the first call"):
        BackpropClassifier().partial_fit(X, y)
    warm = BackpropClassifier(hidden_layer_sizes=(8,), random_state=0, epochs=5, warm_start=True).fit(X, y)
    before, first_curve = warm.network_.layers[0].weights.copy(), list(warm.loss_curve_)
    warm.fit(X, y)
    assert warm.n_iter_ == 5 and warm.loss_curve_[:5] == first_curve and len(warm.loss_curve_) == 10  # extended
    cold = BackpropClassifier(hidden_layer_sizes=(8,), random_state=0, epochs=5).fit(X, y)
    assert not np.array_equal(warm.network_.layers[0].weights, before)
    assert warm.score(X, y) >= cold.score(X, y)


def test_bad_parameters_name_themselves():
    X, y = np.zeros((10, 2)), np.arange(10) % 2
    for params, name in [({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"), ({"batch_size": 0}, "batch_size"),
                         ({"activation": "swish"}, "activation"), ({"learning_rate": -1}, "learning_rate"),
                         ({"validation_fraction": 1.5}, "validation_fraction"), ({"optimizer": "lbfgs"}, "optimizer")]:
        with pytest.raises(ValueError, match=name):
            BackpropClassifier(**params).fit(X, y)


def test_verbose_prints_the_loss_every_epoch_as_scikit_learn_does(iris, capsys):
    X, y = iris
    BackpropClassifier(epochs=3, n_iter_no_change=100, verbose=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == ["Iteration 1", "Iteration 2", "Iteration 3"]
    BackpropClassifier(epochs=3, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""


def test_standardize_true_carries_the_scaling_into_the_model_file(iris, tmp_path):
    # The same network as a StandardScaler pipeline, but the scaling lives in network_: a model file
    # saved from it answers raw rows, where a pipeline's network_ alone would be fed unscaled inputs.
    X, y = iris
    X = X * [1, 100, 1000, 0.01] + [0, 500, -3000, 0]  # scales and offsets far from 1 and 0
    params = dict(hidden_layer_sizes=(8,), epochs=40, random_state=0)
    inside = BackpropClassifier(standardize=True, **params).fit(X, y)
    piped = make_pipeline(StandardScaler(), BackpropClassifier(**params)).fit(X, y)
    np.testing.assert_allclose(inside.predict_proba(X), piped.predict_proba(X), rtol=1e-9, atol=1e-12)
    net = backprop.load(backprop.save(inside.network_, tmp_path / "iris.safetensors"))
    np.testing.assert_allclose(net.standardization.mean, X.mean(axis=0))
    np.testing.assert_array_equal(net.predict(X), inside.predict(X))
    assert inside.score(X, y) > 0.9 and BackpropClassifier(**params).get_params()["standardize"] is False


def test_standardize_is_fitted_once_partial_fit_and_warm_start_keep_it(iris):
    X, y = iris
    online = BackpropClassifier(hidden_layer_sizes=(8,), random_state=0, standardize=True, batch_size=10)
    online.partial_fit(X[:75], y[:75], classes=np.unique(y))
    first = online.network_.standardization
    online.partial_fit(X[75:] * 10, y[75:])  # a batch on another scale must not move the model's scaling
    assert online.network_.standardization is first
    np.testing.assert_allclose(first.mean, X[:75].mean(axis=0))
    reg = BackpropRegressor(hidden_layer_sizes=(4,), epochs=5, standardize=True, warm_start=True, random_state=0)
    Xr, yr = make_regression(n_samples=60, n_features=3, random_state=0)
    kept = reg.fit(Xr + 50, yr).network_.standardization
    assert reg.fit(Xr, yr).network_.standardization is kept
    with pytest.raises(ValueError, match="standardize must be True or False. Received: standardize='yes'"):
        BackpropRegressor(standardize="yes").fit(Xr, yr)
