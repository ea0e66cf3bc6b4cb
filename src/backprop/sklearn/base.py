"""What both estimators share: parameters, building the network, and one training loop for fit,
partial_fit and warm_start."""
from __future__ import annotations

import numbers
import sys

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from .. import activations, training
from ..layers import Dense
from ..network import Network

Array = np.ndarray


class BackpropEstimator(BaseEstimator):
    """The parameters and the training both estimators share (see ``BackpropClassifier``).

    Subclasses set OUTPUT (activation, loss) and TASK, and implement ``_targets(y, first, classes)``,
    which checks y and returns (what the network's fit takes, the number of outputs), and may
    override ``_build`` to tell the network more (the classifier's labels).
    """

    OUTPUT: tuple[str, str]
    TASK: str

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, optimizer="adam", learning_rate=1e-2,
                 batch_size="auto", epochs=200, weight_decay=1e-4, loss=None, schedule="constant", shuffle=True,
                 tol=1e-4, n_iter_no_change=10, early_stopping=False, validation_fraction=0.1, random_state=None,
                 verbose=False, warm_start=False, engine="auto", standardize=False):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.weight_decay = weight_decay
        self.loss = loss
        self.schedule = schedule
        self.shuffle = shuffle
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.engine = engine
        self.standardize = standardize

    # ------------------------------------------------------------------ scikit-learn's API
    def fit(self, X, y):
        """Train a new network on X (n_samples, n_features), y (n_samples,) or (n_samples, n_outputs)
        (or continue the fitted one, with ``warm_start``); returns self."""
        return self._fit(X, y, incremental=False)

    def partial_fit(self, X, y, **kwargs):
        """One epoch over X, y, continuing the weights and the optimizer's state from the last call."""
        return self._fit(X, y, incremental=True, **kwargs)

    def _network_outputs(self, X) -> Array:
        """The fitted network's outputs (n_samples, n_outputs) for X (n_samples, n_features)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "network_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.network_.predict_proba(X)

    # ------------------------------------------------------------------ training
    def _fit(self, X, y, incremental: bool, classes=None):
        first = not (hasattr(self, "network_") and (incremental or self.warm_start))
        X, y = validate_data(self, X, y, reset=first, dtype=np.float64, multi_output=self.TASK == "regression",
                             y_numeric=self.TASK == "regression")
        targets, n_outputs = self._targets(y, first, classes)
        if first:
            self.network_ = self._build(X.shape[1], n_outputs)
            self._state = None
        data, validation = (X, targets), None
        if self.early_stopping and not incremental:
            data, validation = self._split(X, targets)
        config = self._config(len(data[0]), incremental, standardize=_check_standardize(self) and first)
        state = self._state if incremental else None
        if incremental and state is None:  # made here, not inside training.fit, so the next call continues it
            state = training.start(self.network_, config,
                                   training.prepare_data(self.network_, *data, config, validation))
        elif incremental:  # one more epoch, with the optimizer's state (Adam's moments) where it was left
            # this call's data may be smaller; the scaling fitted by the first call stays
            more = {"epochs": state.epoch + 1, "batch_size": config.batch_size, "standardize": False}
            state.config = config = training.FitConfig(**{**state.config.to_dict(), **more})
        history = training.fit(self.network_, *data, config, validation_data=validation,
                               callback=_print_loss if self.verbose else None, state=state, interrupt_signals=())
        self._state = state
        curve = list(history.loss[1:])  # a partial_fit's state holds every epoch since its first call
        new = curve[-1:] if incremental else curve
        # as scikit-learn's MLP: a warm-started fit or a partial_fit extends the curve, a fresh fit restarts it
        self.loss_curve_ = new if first else [*getattr(self, "loss_curve_", []), *new]
        self.n_iter_ = state.epoch if incremental else len(new)
        if validation is not None:
            self.best_validation_score_ = self.network_.score(*validation)
        return self

    def _build(self, n_in: int, n_out: int) -> Network:
        widths = [n_in, *_check_params(self), n_out]
        output, default_loss = self.OUTPUT
        layers = [Dense(a, b, self.activation) for a, b in zip(widths[:-2], widths[1:-1])]
        layers.append(Dense(widths[-2], widths[-1], output))
        seed = _seed(self.random_state)
        net = Network(layers, loss=self.loss or default_loss, seed=seed, task=self.TASK)
        if hasattr(self, "feature_names_in_"):  # fitted on a DataFrame: a saved model then reads columns by name
            net.feature_names = tuple(str(name) for name in self.feature_names_in_)
        return net

    def _config(self, n_samples: int, incremental: bool, standardize: bool = False) -> training.FitConfig:
        batch = min(200, n_samples) if self.batch_size == "auto" else min(self.batch_size, n_samples)
        watch = None if incremental else self.n_iter_no_change
        return training.FitConfig(epochs=1 if incremental else self.epochs, learning_rate=self.learning_rate,
                                  batch_size=batch, eval_every=1, optimizer=self.optimizer, shuffle=self.shuffle,
                                  weight_decay=self.weight_decay, schedule=self.schedule, patience=watch,
                                  tol=self.tol, engine=self.engine, standardize=standardize)

    def _split(self, X: Array, targets: Array):
        """(training part, validation part) for early stopping: ``validation_fraction`` held out,
        stratified for a classifier, drawn from the network's seed."""
        from sklearn.model_selection import train_test_split

        stratify = targets if self.TASK == "classification" else None
        X_train, X_val, y_train, y_val = train_test_split(X, targets, test_size=self.validation_fraction,
                                                          random_state=self.network_.seed % 2**32,
                                                          stratify=stratify)
        return (X_train, y_train), (X_val, y_val)


def _print_loss(progress) -> None:
    """scikit-learn's ``verbose`` output: the training loss after every epoch, on standard output."""
    if progress.record is not None:
        print(f"Iteration {progress.epoch}, loss = {progress.record['loss']:.8f}", file=sys.stdout)


def _seed(random_state) -> int:
    """The network's seed from scikit-learn's random_state: an int is used as it is (so the
    estimator and ``backprop train --seed`` agree); None or a RandomState draws one."""
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and random_state >= 0:
        return int(random_state)
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def _check_standardize(est: BackpropEstimator) -> bool:
    """``standardize``: fitted once, by the fit that builds the network, on its training part (a
    warm-started fit or a later partial_fit keeps it, as the weights were learnt on that scale)."""
    if not isinstance(est.standardize, (bool, np.bool_)):
        raise ValueError(f"standardize must be True or False. Received: standardize={est.standardize!r}")
    return bool(est.standardize)


def _check_params(est: BackpropEstimator) -> tuple[int, ...]:
    """The hidden widths; ValueError naming the parameter for what FitConfig does not check itself."""
    sizes = est.hidden_layer_sizes
    sizes = (sizes,) if isinstance(sizes, numbers.Integral) else tuple(sizes)
    if not all(isinstance(w, numbers.Integral) and w >= 1 for w in sizes):
        raise ValueError(f"hidden_layer_sizes must be positive integers. Received: hidden_layer_sizes={sizes!r}")
    activations.get(est.activation)
    if not (est.batch_size == "auto" or isinstance(est.batch_size, numbers.Integral) and est.batch_size >= 1):
        raise ValueError(f"batch_size must be 'auto' or an integer >= 1. Received: batch_size={est.batch_size!r}")
    if not (isinstance(est.validation_fraction, float) and 0 < est.validation_fraction < 1):
        raise ValueError(f"validation_fraction must be a float in (0, 1). "
                         f"Received: validation_fraction={est.validation_fraction!r}")
    return tuple(int(w) for w in sizes)
