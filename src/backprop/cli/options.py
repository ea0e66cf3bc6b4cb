"""The training options, defined once: ``train`` takes one value each, ``sweep`` one or more."""
from __future__ import annotations

import argparse
import re

from .. import activations, engines, initializers, losses, optimizers, schedules
from ..config import PRESETS
from ..datasets import DATASETS
from .common import choices


def int_list(text: str) -> tuple[int, ...]:
    """"25,50,25" -> (25, 50, 25): hidden-layer widths; "" -> (): no hidden layer."""
    if text.strip() == "":
        return ()
    try:
        # every part must be a number: a typo such as "25,,50" is refused, not read as 25,50
        widths = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers like 25,50,25. Received: {text!r}") from None
    if any(w < 1 for w in widths):
        raise argparse.ArgumentTypeError(f"widths must be positive. Received: {text!r}")
    return widths


def boolean(text: str) -> bool:
    """"true"/"false" (or yes/no, 1/0) -> bool."""
    lowered = text.lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false. Received: {text!r}")


def _default(field: str) -> str:
    """ " (default X)" from the seed preset, with the fast preset's value where it differs."""
    def value(preset: str):
        experiment = PRESETS[preset]
        found = getattr(experiment.fit if hasattr(experiment.fit, field) else experiment, field)
        return ",".join(map(str, found)) if isinstance(found, tuple) else found

    seed, fast = value("seed"), value("fast")
    return f" (default {seed}" + (f"; --preset fast: {fast})" if fast != seed else ")")


def _training_options() -> list[tuple[str, dict]]:
    d = _default
    return [
        ("--hidden", {"type": int_list, "help": f"hidden widths{d('hidden')}"}),
        ("--activation", {"choices": choices(activations.ACTIVATIONS), "help": f"hidden activation{d('activation')}"}),
        ("--output-activation", {"choices": choices(activations.ACTIVATIONS),
                                 "help": "output activation (default: the loss's own: sigmoid for mse and "
                                         "binary_cross_entropy, softmax for cross_entropy)"}),
        ("--loss", {"choices": choices(losses.LOSSES), "help": f"loss{d('loss')}"}),
        ("--init", {"choices": ["auto", *choices(initializers.INITIALIZERS)],
                    "help": "weight initialiser (default auto: Glorot, He for ReLU)"}),
        ("--epochs", {"type": int, "help": f"passes over the training set{d('epochs')}"}),
        ("--lr", {"type": float, "dest": "learning_rate", "help": f"learning rate{d('learning_rate')}"}),
        ("--batch-size", {"type": int, "help": f"samples per weight update{d('batch_size')}"}),
        ("--optimizer", {"choices": choices(optimizers.OPTIMIZERS), "help": f"optimizer{d('optimizer')}"}),
        ("--weight-decay", {"type": float, "help": f"L2 penalty on the weights{d('weight_decay')}"}),
        ("--schedule", {"choices": choices(schedules.SCHEDULES), "help": f"learning-rate schedule{d('schedule')}"}),
        ("--patience", {"type": int, "help": "early stopping patience in epochs (default: none, train every epoch)"}),
        ("--engine", {"choices": list(engines.ENGINES), "help": "training engine (default auto: Numba where "
                                                                 "installed, else NumPy)"}),
        ("--dtype", {"choices": ["float64", "float32"], "help": f"floating point of the training{d('dtype')}"}),
        ("--eval-every", {"type": int, "help": f"score the test set every N epochs{d('eval_every')}"}),
        ("--dataset", {"choices": choices(DATASETS), "help": f"a built-in data set{d('dataset')}"}),
    ]


# dest -> flag, for messages: every training option's field name and how a user types it
FLAGS = {kw.get("dest", flag[2:].replace("-", "_")): flag for flag, kw in _training_options()}
BOOLEANS = {"shuffle": "reshuffle the samples every epoch (the seed preset keeps the seed's fixed order)",
            "standardize": "standardise every feature (mean and scale fitted on the training part; kept in the model); "
                           "default: on for --data tables, off for the built-in sets"}
FLAGS.update({name: f"--{name}" for name in BOOLEANS}, seed="--seed")


def add_training_options(parser: argparse.ArgumentParser, many: bool = False) -> None:
    """Every hyperparameter as an option (None when not given); ``many``: each takes one or more values."""
    parser.add_argument("--preset", choices=sorted(PRESETS), help="starting configuration (default seed)")
    for flag, kwargs in _training_options():
        parser.add_argument(flag, nargs="+" if many else None, **kwargs)
    for name, text in BOOLEANS.items():
        if many:
            parser.add_argument(f"--{name}", type=boolean, nargs="+", metavar="true|false", help=text)
        else:
            parser.add_argument(f"--{name}", action=argparse.BooleanOptionalAction, default=None, help=text)


def given_options(args: argparse.Namespace) -> dict:
    """The training options the user gave, by field name (seed aside)."""
    return {name: getattr(args, name) for name in FLAGS if name != "seed" and getattr(args, name, None) is not None}


def name_the_option(err: ValueError, flags: dict[str, str] | None = None) -> ValueError:
    """``err`` with the option the user typed in front, where the library's message names a field
    ("learning_rate must be ... Received: learning_rate=-1" -> "--lr: learning_rate must be ..."):
    the field named first in the message, among FLAGS and ``flags``. Unchanged where the message
    names an option already or no field."""
    text = str(err)
    if text.startswith("--"):
        return err
    known = {**FLAGS, **(flags or {})}
    found = [(m.start(), known[m.group(1)]) for m in re.finditer(r"\b(\w+)=", text) if m.group(1) in known]
    if not found:
        return err
    return type(err)(f"{min(found)[1]}: {text}")
