"""Network: a stack of Dense layers with a loss, trained by backpropagation."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from . import encoding, losses, training, validation
from .layers import Dense
from .metrics import CHUNK_ROWS, labels_from_outputs

Array = np.ndarray
DTYPES = {"float64": np.float64, "float32": np.float32}


class Network:
    """A feed-forward network of ``Dense`` layers.

    Parameters
    ----------
    layers: the layers, input first; ``add`` appends more. Layers without weights get them from
        this network's generator, in order, so the same ``seed`` gives bit-identical weights.
    loss: a name from ``backprop.losses.LOSSES`` ("mse", "cross_entropy", "binary_cross_entropy").
    seed: seed of the network's ``numpy.random.Generator`` (initialisation and shuffling).
    dtype: "float64" (default) or "float32", for the parameters and the arithmetic.
    task: "classification" (default) or "regression"; it says what targets are, never the values:
        classification: labels, integers 0..k-1 where k is the output width (one unit: 0/1), or
        the labels in ``classes`` when that is set; regression: real values, (n,) for one output
        unit or (n, n_out), learned with loss="mse".

    Attributes a model file keeps beside the weights: ``classes`` (the original label of each
    class, or None for 0..k-1), ``feature_names`` (or None) and ``standardization`` (an
    ``encoding.Standardization`` applied to every input, fitted by ``fit(..., standardize=True)``,
    or None): prediction, scoring and training all take raw inputs and original labels.
    """

    def __init__(self, layers: Iterable[Dense] | None = None, loss: str = "mse", seed: int | None = None,
                 dtype: str = "float64", task: str = "classification"):
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {sorted(DTYPES)}. Received: dtype={dtype!r}")
        self.task = encoding.check_task(task)
        self.classes: tuple | None = None
        self.feature_names: tuple | None = None
        self.standardization: encoding.Standardization | None = None
        self.loss = losses.get(loss)
        self.seed = seed
        self.dtype = dtype
        self.rng = np.random.default_rng(seed)
        self.layers: list[Dense] = []
        self.training_config: dict | None = None  # set by fit, saved with the model
        self.dataset: dict | None = None  # the Dataset.spec it was trained on, when known
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ structure
    def add(self, layer: Dense) -> Network:
        """Append ``layer`` (its n_in must equal the previous layer's n_out); returns the network."""
        if not isinstance(layer, Dense):
            raise TypeError(f"layer must be a Dense layer. Received: layer={layer!r}")
        if self.layers and layer.n_in != self.layers[-1].n_out:
            raise ValueError(
                f"layer n_in must equal the previous layer's n_out={self.layers[-1].n_out}. "
                f"Received: {layer!r}"
            )
        if not layer.built:
            layer.initialize(self.rng, DTYPES[self.dtype])
        else:
            layer.set_params(layer.weights, layer.bias, DTYPES[self.dtype])
        self.layers.append(layer)
        return self

    @property
    def sizes(self) -> list[int]:
        """Layer widths, input first: e.g. [2, 25, 50, 25, 2]."""
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers] if self.layers else []

    def check(self) -> None:
        """Raise ValueError unless the network can be trained: layers present, hidden activations
        elementwise, and the loss fits the output layer."""
        if not self.layers:
            raise ValueError("the network has no layers: pass layers=[Dense(...), ...] or call add()")
        for i, layer in enumerate(self.layers[:-1]):
            if not layer.activation.elementwise:
                raise ValueError(f"hidden layer {i} cannot use activation={layer.activation.name!r}")
        self.loss.check_output(self.layers[-1].activation, self.layers[-1].n_out)
        if self.task == "regression" and self.loss.name != "mse":
            raise ValueError(f"task='regression' learns real values with loss='mse'. Received: loss={self.loss.name!r}")
        if self.classes is not None:
            self.classes = encoding.check_classes(self.classes, self.n_classes)

    def parameters(self) -> list[Array]:
        """Every parameter array, layer by layer (weights, then bias)."""
        return [p for layer in self.layers for p in layer.params.values()]

    def gradient_arrays(self) -> list[Array]:
        """The gradient arrays matching ``parameters()``, one for one."""
        return [g for layer in self.layers for g in layer.grads.values()]

    # ------------------------------------------------------------------ data
    def as_inputs(self, X: Array, name: str = "X") -> Array:
        """Raw X as the (n, n_in) array the first layer sees: checked (n >= 1, finite; ValueError
        names ``name``), in this network's dtype, and standardised when ``standardization`` is set."""
        X = validation.check_features(X, self.layers[0].n_in, DTYPES[self.dtype], name)
        return X if self.standardization is None else self.standardization.apply(X)

    @property
    def n_classes(self) -> int:
        """The number of classes the output layer tells apart: its width, or 2 for a single unit."""
        return max(self.layers[-1].n_out, 2)

    def as_codes(self, y: Array, n_samples: int, name: str = "y") -> Array:
        """Class labels y (n,) -> their indices 0..k-1 (n,): through ``classes`` when set."""
        if self.task != "classification":
            raise ValueError(f"{name} holds real values for task='regression': there are no class labels")
        if self.classes is not None:
            y = encoding.encode_labels(y, self.classes, name)
        return validation.check_labels(y, n_samples, self.n_classes, name)

    def as_targets(self, y: Array, n_samples: int, name: str = "y") -> Array:
        """Targets y -> the (n, n_out) array the loss compares with the outputs: for classification,
        labels (n,) one-hot, or the 0/1 column for one unit; for regression, the values themselves."""
        dtype = DTYPES[self.dtype]
        if self.task == "regression":
            return encoding.check_targets(y, n_samples, self.layers[-1].n_out, dtype, name)
        codes = self.as_codes(y, n_samples, name)
        if self.layers[-1].n_out == 1:
            return codes.astype(dtype)[:, None]
        return np.eye(self.layers[-1].n_out, dtype=dtype)[codes]

    # ------------------------------------------------------------------ forward and backward
    def forward_pass(self, X: Array) -> tuple[list[Array], Array]:
        """X: (n, n_in) -> ([X, a_1, ..., a_L], z_L): every layer's output and the last pre-activation."""
        outputs = [X]
        for layer in self.layers[:-1]:
            outputs.append(layer.forward(outputs[-1]))
        z = self.layers[-1].linear(outputs[-1])  # (n, n_out)
        outputs.append(self.layers[-1].activation.forward(z))
        return outputs, z

    def backward(self, outputs: list[Array], z: Array, Y: Array) -> None:
        """Backpropagation: fill every layer's ``grads`` with the gradient of the mean loss.

        outputs, z: from ``forward_pass``; Y: targets (n, n_out).
        """
        delta = self.loss.delta(z, outputs[-1], Y, self.layers[-1].activation)  # dL/dz_L: (n, n_out)
        for i in range(len(self.layers) - 1, -1, -1):
            grad_input = self.layers[i].backward(outputs[i], delta)  # dL/da_{i}: (n, n_in)
            if i > 0:
                delta = grad_input
                delta *= self.layers[i - 1].activation.derivative(outputs[i])

    def gradients(self, X: Array, y: Array) -> list[tuple[Array, Array]]:
        """Gradient of the mean training loss over (X, y): [(dW (n_in, n_out), db (n_out,)) per layer]."""
        self.check()
        X = self.as_inputs(X)
        Y = self.as_targets(y, len(X))
        self.backward(*self.forward_pass(X), Y)
        return [(layer.grads["weights"].copy(), layer.grads["bias"].copy()) for layer in self.layers]

    # ------------------------------------------------------------------ prediction
    def predict_proba(self, X: Array) -> Array:
        """X: (n, n_in) -> the output layer's activations (n, n_out). Records nothing."""
        self.check()
        X = self.as_inputs(X)
        chunks = []
        for start in range(0, max(len(X), 1), CHUNK_ROWS):
            a = X[start:start + CHUNK_ROWS]
            for layer in self.layers:
                a = layer.forward(a)
            chunks.append(a)
        return np.concatenate(chunks) if len(chunks) != 1 else chunks[0]

    def predict(self, X: Array) -> Array:
        """X: (n, n_in) -> for classification, labels (n,): the arg-max output (output > 0.5 for one
        unit), as ``classes`` names them when set; for regression, the values (n,) for one output
        unit, else (n, n_out)."""
        outputs = self.predict_proba(X)
        if self.task == "regression":
            return outputs[:, 0] if outputs.shape[1] == 1 else outputs
        return encoding.decode_labels(labels_from_outputs(outputs), self.classes)

    def accuracy(self, X: Array, y: Array) -> float:
        """Fraction of samples in X (n, n_in) whose predicted label equals y (n,) (classification)."""
        outputs = self.predict_proba(X)
        return float(np.mean(labels_from_outputs(outputs) == self.as_codes(y, len(outputs))))

    def score(self, X: Array, y: Array) -> float:
        """Accuracy for classification; for regression the coefficient of determination R^2 (1 is
        perfect; averaged over outputs), as scikit-learn's ``score`` methods report."""
        if self.task == "classification":
            return self.accuracy(X, y)
        outputs = self.predict_proba(X)
        Y = self.as_targets(y, len(outputs))
        residual = ((Y - outputs) ** 2).sum(axis=0)
        total = ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
        return float(np.mean(1 - residual / np.where(total == 0, 1, total)))

    def loss_value(self, X: Array, y: Array) -> float:
        """The mean loss over (X, y)."""
        self.check()
        X = self.as_inputs(X)
        outputs, z = self.forward_pass(X)
        return self.loss.value(z, outputs[-1], self.as_targets(y, len(X)))

    # ------------------------------------------------------------------ training
    def fit(self, X: Array, y: Array, epochs: int = 1000, learning_rate: float = 0.01, batch_size: int = 1,
            validation_data: tuple[Array, Array] | None = None, eval_every: int = 10,
            callback: Callable | Sequence[Callable] | None = None,
            interrupt_signals: Sequence[str] = ("SIGINT",), **options) -> training.History:
        """Train on X (n, n_in) and integer labels y (n,) by backpropagation; returns a ``History``.

        epochs, learning_rate, batch_size: as named (batch_size=1 is per-sample SGD, like the seed).
        validation_data: (X_val, y_val), scored at every evaluation.
        eval_every: evaluate after epoch 0 (the initial weights), every ``eval_every`` epochs, and the last.
        callback: one callable or a list, each called after every epoch with a ``training.Progress``
            (e.g. ``backprop.checkpoints.Checkpoint(path, every=10)``).
        interrupt_signals: signals (by name) that end training cleanly after the current epoch, keeping
            the weights trained so far; the History says where (``interrupted_at``).
        options: the rest of ``backprop.training.FitConfig`` (optimizer, shuffle, engine, ...).
        Raises ValueError for bad arguments, ``DivergenceError`` if the loss or a weight stops being finite.
        """
        config = training.FitConfig(epochs=epochs, learning_rate=learning_rate, batch_size=batch_size,
                                    eval_every=eval_every, **options)
        return training.fit(self, X, y, config, validation_data=validation_data, callback=callback,
                            interrupt_signals=interrupt_signals)

    def __repr__(self) -> str:
        inner = ",\n".join(f"    {layer!r}" for layer in self.layers)
        return f"Network([\n{inner}\n], loss={self.loss.name!r}, seed={self.seed!r})"

    def _repr_html_(self) -> str:
        """A notebook's view: a table of the layers with their shapes and parameter counts."""
        from .display import network_html

        return network_html(self)

