"""backprop: backpropagation in NumPy, from the textbook to a tuned engine.

    from backprop import Network, Dense, datasets, save, load
    data = datasets.moons()
    net = Network([Dense(2, 25, "sigmoid"), Dense(25, 2, "sigmoid")], loss="mse", seed=0)
    history = net.fit(data.X_train, data.y_train, epochs=100, validation_data=(data.X_test, data.y_test))
"""
from . import activations, datasets, initializers, losses, optimizers, schedules
from .errors import DivergenceError, ModelFileError
from .layers import Dense
from .network import Network
from .persistence import load, save
from .training import FitConfig, History, Progress

__version__ = "0.1.0"


__all__ = [
    "Dense", "Network", "FitConfig", "History", "Progress", "ModelFileError", "DivergenceError", "save", "load",
    "activations", "datasets", "initializers", "losses", "optimizers", "schedules", "sweep", "__version__",
]


def __getattr__(name: str):
    """``backprop.sweep`` loads the sweeps package (and joblib) only when it is first used."""
    if name == "sweep":
        from .sweeps import sweep

        return sweep
    raise AttributeError(f"module 'backprop' has no attribute {name!r}")
