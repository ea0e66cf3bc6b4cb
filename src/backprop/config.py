"""The experiment configuration: one typed place naming every hyperparameter and its default.

The command line builds an ``Experiment`` from its options; a run folder's ``config.json`` and a
model file's metadata are written from it. The defaults are the seed's experiment.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from . import activations, initializers, losses
from .datasets import DATASETS
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
    fit: the training loop's ``FitConfig``.
    """

    hidden: tuple[int, ...] = (25, 50, 25)
    activation: str = "sigmoid"
    output_activation: str | None = None
    loss: str = "mse"
    init: str = "auto"
    seed: int = 0
    dtype: str = "float64"
    dataset: str = "moons"
    fit: FitConfig = field(default_factory=FitConfig)

    def __post_init__(self):
        self.hidden = tuple(self.hidden)
        for width in self.hidden:
            if isinstance(width, bool) or not isinstance(width, int) or width < 1:
                raise ValueError(f"hidden must hold positive integers. Received: hidden={self.hidden!r}")
        activations.get(self.activation)
        losses.get(self.loss)
        if self.output_activation is not None:
            activations.get(self.output_activation)
        initializers.resolve_name(self.init, "sigmoid")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {sorted(DTYPES)}. Received: dtype={self.dtype!r}")
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {sorted(DATASETS)}. Received: dataset={self.dataset!r}")

    @property
    def output(self) -> str:
        """The output layer's activation: as named, else the one the loss needs, else the seed's sigmoid."""
        return self.output_activation or losses.get(self.loss).output_activation or "sigmoid"

    def build_network(self, n_in: int, n_classes: int) -> Network:
        """The untrained network: n_in inputs, the hidden layers, and n_classes outputs
        (1 output for binary_cross_entropy)."""
        n_out = losses.get(self.loss).output_width or n_classes
        widths = [n_in, *self.hidden, n_out]
        layers = [Dense(a, b, self.activation, init=self.init) for a, b in zip(widths[:-2], widths[1:-1])]
        layers.append(Dense(widths[-2], widths[-1], self.output, init=self.init))
        net = Network(layers, loss=self.loss, seed=self.seed, dtype=self.dtype)
        net.check()
        return net

    def with_fit(self, **changes) -> Experiment:
        """A copy with some ``FitConfig`` fields changed."""
        return replace(self, fit=replace(self.fit, **changes))

    def to_dict(self) -> dict:
        return {**asdict(self), "hidden": list(self.hidden), "output_activation": self.output}


PRESETS: dict[str, Experiment] = {
    # The seed document's experiment: 2-25-50-25-2 sigmoid, mse, per-sample SGD, lr 0.01, 1000 epochs,
    # in the seed's fixed sample order. Measured over 5 seeds: 97.2-97.5% at the end, >= 97% from
    # epoch 200-310 on; reshuffling each epoch ends anywhere in 96.8-97.5%.
    "seed": Experiment(fit=FitConfig(shuffle=False)),
    # The seed's accuracy as fast as we found it (bench/fast_preset.py searched 40 configurations,
    # 5 seeds each): one ReLU layer of 64, softmax + cross-entropy, Adam, mini-batches of 64 and a
    # cosine decay, which steadies the last epochs (97.33% for every one of 10 seeds, ~0.05 s).
    "fast": Experiment(hidden=(64,), activation="relu", loss="cross_entropy",
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
    fit = replace(base.fit, **{k: v for k, v in options.items() if k in FIT_FIELDS})
    return replace(base, **{k: v for k, v in options.items() if k in NET_FIELDS}, fit=fit)
