"""The command line that trains a run again, read from its config.json: what a report prints under
the result, so that a reader can rerun (or vary) what they see. Each option is spelt as
``backprop train`` spells it (tests/test_figures.py parses the line back through the real parser)."""
from __future__ import annotations

import shlex

from .config import FIT_FIELDS, NET_FIELDS, PRESETS, Experiment
from .datasets import REGRESSION_SETS

SPELLINGS = {"learning_rate": "--lr"}  # where a flag is not the field's name with dashes
NO_FLAG = ("tol", "dataset", "task")  # tol has no flag; the data set and task are said first
RUN_FIELDS = ("snapshot_every", "checkpoint_every", "init_from")  # config.json's, beside the experiment's


def command_line(config: dict) -> str:
    """``backprop train ...`` with every option where ``config`` (a run's config.json: the
    experiment's fields, ``fit`` and the data set's spec) differs from the seed preset, and the
    seed. Options the command line has no flag for (a built-in set's size, ``tol``) are left out."""
    seed = PRESETS["seed"]
    words = ["backprop", "train", *_data_words(config.get("dataset"), config.get("task"))]
    fit = config.get("fit") or {}
    values = {**{k: config.get(k) for k in NET_FIELDS}, **{k: fit.get(k) for k in FIT_FIELDS}}
    defaults = {**{k: getattr(seed, k) for k in NET_FIELDS}, **{k: getattr(seed.fit, k) for k in FIT_FIELDS}}
    if values.get("output_activation") == _natural_output(config):
        values.pop("output_activation")  # what the loss and task pick anyway
    for name, value in values.items():
        if name in NO_FLAG or value is None or (name != "seed" and _same(value, defaults.get(name))):
            continue
        flag = SPELLINGS.get(name, "--" + name.replace("_", "-"))
        if isinstance(value, bool):
            words.append(flag if value else f"--no-{flag[2:]}")
        else:
            words += [flag, ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)]
    for name in RUN_FIELDS:
        if config.get(name) is not None:
            words += ["--" + name.replace("_", "-"), str(config[name])]
    return shlex.join(words)


def _data_words(spec: dict | None, task: str | None) -> list[str]:
    if not isinstance(spec, dict):
        return []
    if spec.get("name") == "csv":
        words = ["--data", str(spec.get("path")), "--target", str(spec.get("target"))]
        return words + (["--task", "regression"] if task == "regression" else [])
    name = spec.get("name")
    if name is None or name == PRESETS["seed"].dataset:
        return []
    return ["--dataset", str(name)] + (["--task", str(task)] if task == "regression" and name not in REGRESSION_SETS
                                       else [])


def _natural_output(config: dict) -> str | None:
    """The output activation the experiment would pick without --output-activation."""
    try:
        return Experiment(loss=config.get("loss", "mse"), task=config.get("task", "classification")).output
    except (TypeError, ValueError):
        return None


def _same(value, default) -> bool:
    if isinstance(value, (list, tuple)) and isinstance(default, (list, tuple)):
        return list(value) == list(default)
    return value == default
