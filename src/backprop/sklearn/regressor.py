"""``BackpropRegressor``: scikit-learn's regressor API over an identity-output, mse network."""
from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin

from .base import BackpropEstimator

Array = np.ndarray


class BackpropRegressor(RegressorMixin, BackpropEstimator):
    """A multi-layer perceptron regressor trained by backprop's engines: one output or many.

    Parameters and attributes as ``BackpropClassifier``'s (loss is always "mse", the output layer
    identity), without ``classes_``; best_validation_score_ is the validation R^2.
    n_outputs_: the number of target columns.
    """

    OUTPUT = ("identity", "mse")
    TASK = "regression"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # y may have many columns; (n, 1) is not a mistake
        return tags

    def _targets(self, y: Array, first: bool, classes=None) -> tuple[Array, int]:
        y = np.asarray(y, dtype=np.float64)
        self._one_column = y.ndim == 1
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if not first and n_outputs != self.n_outputs_:
            raise ValueError(f"y must have the {self.n_outputs_} output(s) the regressor was fitted with. "
                             f"Received: y with shape {y.shape}")
        self.n_outputs_ = n_outputs
        return y, n_outputs

    def predict(self, X) -> Array:
        """X (n_samples, n_features) -> predictions (n_samples,) for one target, else (n_samples, n_outputs)."""
        outputs = self._network_outputs(X)
        return outputs[:, 0] if outputs.shape[1] == 1 else outputs
