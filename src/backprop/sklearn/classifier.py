"""``BackpropClassifier``: scikit-learn's classifier API over a softmax + cross-entropy network."""
from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from .base import BackpropEstimator

Array = np.ndarray


class BackpropClassifier(ClassifierMixin, BackpropEstimator):
    """A multi-layer perceptron classifier trained by backprop's engines.

    Parameters (as ``sklearn.neural_network.MLPClassifier`` names them where they mean the same)
    ----------
    hidden_layer_sizes: widths of the hidden layers, default (100,).
    activation: of the hidden layers: "relu" (default), "tanh", "sigmoid", "identity".
    optimizer: "adam" (default), "sgd", "momentum", "nesterov", "rmsprop".
    learning_rate: the step size, default 1e-2 (MLPClassifier's ``learning_rate_init`` is 1e-3; bench/tabular.py
        measured 1e-2 as accurate on every bundled set and 3-4x faster to converge).
    batch_size: samples per update, "auto" = min(200, n_samples).
    epochs: the most passes over the data (MLPClassifier's ``max_iter``), default 200.
    weight_decay: L2 penalty on the weights (MLPClassifier's ``alpha``), default 1e-4.
    loss: None (cross-entropy on a softmax output) or "mse" (the seed's squared error on it).
    schedule: the learning-rate schedule, "constant" (default), "cosine", ...
    shuffle: reshuffle the samples every epoch.
    tol, n_iter_no_change: stop when the watched loss has not fallen by more than ``tol`` for
        ``n_iter_no_change`` epochs, and keep the weights of its lowest value. The watched loss is
        the training loss, or with ``early_stopping`` the loss on a held-out ``validation_fraction``
        (stratified). MLPClassifier watches the validation accuracy there; a loss is smoother.
    random_state: int (the network's seed: initial weights, sample order, validation split), a
        RandomState or None.
    verbose: print the loss after every epoch.   warm_start: ``fit`` continues the fitted weights.
    engine: "auto", "numpy" or "numba" (see ``backprop.engines``).
    standardize: False (default, scikit-learn's convention: scale in a Pipeline) or True: the fit
        that builds the network standardises every feature (mean and scale fitted on the training
        part) and keeps that scaling in ``network_``, so a model file saved from it answers raw rows.

    Attributes
    ----------
    classes_: (n_classes,) the labels, sorted.   n_features_in_, feature_names_in_ (given a DataFrame).
    network_: the trained ``backprop.Network`` (its ``classes`` are ``classes_``).
    loss_curve_: the training loss after each epoch, extended by a warm-started fit or partial_fit
        (as scikit-learn's MLPClassifier).   n_iter_: epochs trained by the last fit, or by all
        partial_fit calls so far.
    best_validation_score_: with early_stopping, the validation accuracy of the kept weights.
    """

    OUTPUT = ("softmax", "cross_entropy")
    TASK = "classification"

    def partial_fit(self, X, y, classes=None):
        """One epoch over X (n_samples, n_features), labels y (n_samples,). ``classes`` (every label
        that will ever be seen) is required on the first call, as scikit-learn's partial_fit asks."""
        if not hasattr(self, "network_") and classes is None:
            raise ValueError("classes must be given on the first call to partial_fit. Received: classes=None")
        return self._fit(X, y, incremental=True, classes=classes)

    def _targets(self, y: Array, first: bool, classes) -> tuple[Array, int]:
        check_classification_targets(y)
        if first:
            self.classes_ = np.unique(y if classes is None else np.asarray(classes))
            if len(self.classes_) < 2:
                raise ValueError(f"y must hold at least 2 classes to tell apart. Received: one class, "
                                 f"{self.classes_[0]!r}")
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"y holds labels the classifier was not fitted with: {unknown[:5].tolist()}. "
                             f"Known: {self.classes_[:10].tolist()}")
        return y, len(self.classes_)

    def _build(self, n_in: int, n_out: int):
        net = super()._build(n_in, n_out)
        net.classes = tuple(self.classes_.tolist())  # it takes y as it is, and a saved model answers in these
        return net

    def predict_proba(self, X) -> Array:
        """X (n_samples, n_features) -> the probability of each class (n_samples, n_classes)."""
        return self._network_outputs(X)

    def predict_log_proba(self, X) -> Array:
        """The logarithm of ``predict_proba``."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X) -> Array:
        """X (n_samples, n_features) -> the most probable label of each sample (n_samples,)."""
        proba = self.predict_proba(X)  # first: it says NotFittedError before classes_ is missed
        return self.classes_[np.argmax(proba, axis=1)]
