"""The experiment configuration: one typed place naming every hyperparameter and its default.

The command line builds an ``Experiment`` from its options; a run folder's ``config.json`` and a
model file's metadata are written from it. The defaults are the seed's experiment.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from . import activations, encoding, initializers, losses
from .datasets import DATASETS, REGRESSION_SETS
from .layers import Dense
from .network import DTYPES, Network
from .training import FitConfig


@dataclass
class Experiment:
    """A network, the data set it learns, and how it is trained.

    hidden: widths of the hidden layers.   activation: of the hidden layers.
    output_activation: of the output layer; None picks the loss's natural one (mse: sigmoid,
    cross_entropy: softmax, binary_cross_entropy: sigmoid).   init: initialiser name or "auto".
    seed: the network's generator seed.   dataset: a name from ``backprop.datasets.DATASETS``.
    task: "classification" or "regression" (``Network``'s task; regression needs loss "mse" and
    its output activation defaults to identity).   fit: the training loop's ``FitConfig``.
    """

    hidden: tuple[int, ...] = (25, 50, 25)
    activation: str = "sigmoid"
    output_activation: str | None = None
    loss: str = "mse"
    init: str = "auto"
    seed: int = 0
    dtype: str = "float64"
    dataset: str = "moons"
    task: str = "classification"
    fit: FitConfig = field(default_factory=FitConfig)

    def __post_init__(self):
        self.hidden = tuple(self.hidden)
        for width in self.hidden:
            if isinstance(width, bool) or not isinstance(width, int) or width < 1:
                raise ValueError(f"hidden must hold positive integers. Received: hidden={self.hidden!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be an integer >= 0. Received: seed={self.seed!r}")
        activations.get(self.activation)
        losses.get(self.loss)
        if self.output_activation is not None:
            activations.get(self.output_activation)
        initializers.resolve_name(self.init, "sigmoid")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {sorted(DTYPES)}. Received: dtype={self.dtype!r}")
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {sorted(DATASETS)}. Received: dataset={self.dataset!r}")
        encoding.check_task(self.task)
        if self.task == "regression" and self.loss != "mse":
            raise ValueError(f"task='regression' learns real values with loss='mse' (--loss mse). "
                             f"Received: loss={self.loss!r}")

    @property
    def output(self) -> str:
        """The output layer's activation: as named, else the one the loss needs, else identity for
        regression and the seed's sigmoid for classification."""
        natural = losses.get(self.loss).output_activation
        return self.output_activation or natural or ("identity" if self.task == "regression" else "sigmoid")

    def build_network(self, n_in: int, n_outputs: int) -> Network:
        """The untrained network: n_in inputs, the hidden layers, and n_outputs outputs (one per
        class; 1 for binary_cross_entropy; one per target value for regression)."""
        n_out = losses.get(self.loss).output_width or n_outputs
        widths = [n_in, *self.hidden, n_out]
        layers = [Dense(a, b, self.activation, init=self.init) for a, b in zip(widths[:-2], widths[1:-1])]
        layers.append(Dense(widths[-2], widths[-1], self.output, init=self.init))
        net = Network(layers, loss=self.loss, seed=self.seed, dtype=self.dtype, task=self.task)
        net.check()
        return net

    def network_for(self, data) -> Network:
        """The untrained network for ``data`` (a ``datasets.Dataset``): its inputs, one output per
        class (or target), and its class labels and feature names, which the model file keeps.
        Its fit, score and predict then speak the data set's original labels (``data.labels(y)``)."""
        if data.task != self.task:
            raise ValueError(f"task must match the data set's, {data.task!r} (it holds "
                             f"{'real values' if data.task == 'regression' else 'class labels'}). Received: "
                             f"task={self.task!r}")
        net = self.build_network(data.X_train.shape[1], data.n_outputs)
        net.classes, net.feature_names = data.classes, data.feature_names
        net.check()
        return net

    def with_fit(self, **changes) -> Experiment:
        """A copy with some ``FitConfig`` fields changed."""
        return replace(self, fit=replace(self.fit, **changes))

    def to_dict(self) -> dict:
        """The experiment as JSON-ready values (config.json's options): tuples as lists."""
        return {**asdict(self), "hidden": list(self.hidden), "output_activation": self.output}


PRESETS: dict[str, Experiment] = {
    # The seed document's experiment: 2-25-50-25-2 sigmoid, mse, per-sample SGD, lr 0.01, 1000 epochs,
    # in the seed's fixed sample order. Measured over 5 seeds: 97.2-97.5% at the end, >= 97% from
    # epoch 200-310 on; reshuffling each epoch ends anywhere in 96.8-97.5%.
    "seed": Experiment(fit=FitConfig(shuffle=False)),
    # The seed's accuracy as fast as we found it (bench/fast_preset.py searched 40 configurations,
    # 5 seeds each): one ReLU layer of 64, softmax + cross-entropy, Adam, mini-batches of 64 and a
    # cosine decay, which steadies the last epochs (97.33% for every one of 10 seeds, ~0.05 s).
    # In float32, as JAX, PyTorch and Keras train by default: the same accuracy for each of 10 seeds
    # (97.33-97.67%), circles 99.5% and spirals 99.0% as in float64, and a fit ~25% sooner.
    "fast": Experiment(hidden=(64,), activation="relu", loss="cross_entropy", dtype="float32",
                       fit=FitConfig(epochs=25, learning_rate=0.02, batch_size=64, optimizer="adam",
                                     schedule="cosine", eval_every=1)),
}


FIT_FIELDS = tuple(f.name for f in fields(FitConfig))
NET_FIELDS = tuple(f.name for f in fields(Experiment) if f.name != "fit")


def from_preset(preset: str = "seed", **options) -> Experiment:
    """The preset named ``preset`` with ``options`` laid over it, each by its field name: the network's
    (hidden, activation, loss, seed, ...) and the training's (epochs, learning_rate, batch_size, ...).

    Raises ValueError for an unknown preset or option, or a value the field refuses.
    """
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}. Received: preset={preset!r}")
    unknown = sorted(set(options) - set(FIT_FIELDS) - set(NET_FIELDS))
    if unknown:
        raise ValueError(f"options must be among {sorted(NET_FIELDS + FIT_FIELDS)}. Received: {unknown[0]!r}")
    base = PRESETS[preset]
    if "task" not in options and options.get("dataset") in REGRESSION_SETS:
        options["task"] = "regression"  # a regression set's task goes without saying
    if options.get("task") == "regression" and "loss" not in options and base.loss != "mse":
        # a preset names the loss for classification (fast: cross-entropy); regression learns with mse,
        # and the output activation the preset leaves to the loss becomes regression's identity
        options["loss"] = "mse"
    fit = replace(base.fit, **{k: v for k, v in options.items() if k in FIT_FIELDS})
    try:
        experiment = replace(base, **{k: v for k, v in options.items() if k in NET_FIELDS}, fit=fit)
        experiment.build_network(2, 1 if experiment.task == "regression" else 2)  # the loss fits the output?
        return experiment
    except ValueError as err:
        from_preset = {k: v for k, v in asdict(base).items() if k in NET_FIELDS and k not in options
                       and v != getattr(PRESETS["seed"], k) and f"{k}={v!r}" in str(err)}
        if not from_preset:
            raise
        said = ", ".join(f"{k}={v!r}" for k, v in from_preset.items())
        raise ValueError(f"{err} (preset {preset!r} sets {said}: give it explicitly to change it)") from None
