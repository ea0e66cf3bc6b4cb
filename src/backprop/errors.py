"""The library's own error types, each a subclass of the built-in error it refines.

- ``ModelFileError`` (a ValueError): a model or checkpoint file that cannot be read.
- ``DivergenceError`` (a FloatingPointError): training produced a non-finite loss or weight.

The command line maps them to exit codes: 2 for a bad file (as for any bad input), 3 for divergence.
"""
from __future__ import annotations


class ModelFileError(ValueError):
    """A model file could not be read: missing, not safetensors, truncated, newer, or inconsistent."""


class DivergenceError(FloatingPointError):
    """Training stopped because the loss or a weight stopped being finite.

    epoch: the epoch after which it was found (1-based).
    """

    def __init__(self, message: str, epoch: int):
        super().__init__(message)
        self.epoch = epoch
