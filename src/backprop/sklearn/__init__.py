"""scikit-learn estimators around a backprop ``Network``: drop-in for MLPClassifier / MLPRegressor.

    from backprop.sklearn import BackpropClassifier, BackpropRegressor
    make_pipeline(StandardScaler(), BackpropClassifier(hidden_layer_sizes=(64,))).fit(X, y)

- base.py: what both share (parameters, training, partial_fit, warm_start, early stopping)
- classifier.py: ``BackpropClassifier`` (any labels scikit-learn accepts, binary or multiclass)
- regressor.py: ``BackpropRegressor`` (one output or many)

The fitted ``network_`` is an ordinary ``backprop.Network``: ``backprop.save(est.network_, path)``
writes a model file that knows its classes (and ``backprop predict`` reads it). A Pipeline's scaler
is not part of ``network_``: to save a model that answers raw rows, fit with ``standardize=True``,
which keeps the scaling inside the network.
"""
from .classifier import BackpropClassifier
from .regressor import BackpropRegressor

__all__ = ["BackpropClassifier", "BackpropRegressor"]
