"""The data a command works on with a trained model (evaluate, gradcheck, trace): the data set the
model file names, or one given on the command line (``--data FILE --target COLUMN`` or
``--dataset NAME``), which a model saved from the scikit-learn estimators needs: it names none."""
from __future__ import annotations

import argparse
from dataclasses import replace

from ..datasets import DATASETS, REGRESSION_SETS
from ..errors import ModelFileError
from .common import UsageError, check_table, choices


def add_data_options(parser: argparse.ArgumentParser) -> None:
    """--data/--target and --dataset: the data, when the model does not name its own (or to use other data)."""
    parser.add_argument("--data", metavar="FILE.csv",
                        help="a CSV table to use instead of the model's own data set (needed when the model "
                             "names none, as one saved from the scikit-learn estimators); its 30%% test split is "
                             "the test set")
    parser.add_argument("--target", help="with --data: the column that holds the labels (or values)")
    parser.add_argument("--dataset", choices=choices(DATASETS), help="a built-in data set instead of the model's own")


def load_with_data(path: str, args: argparse.Namespace | None = None):
    """(network, its data, the model file) from a model file or a run folder, the data from the
    command line's --data/--dataset when given, else the data set the model names."""
    from .. import datasets, persistence, runs

    model_file = runs.model_path(path)
    net = persistence.load(model_file)
    given = _given_data(net, args)
    if given is not None:
        return net, given, model_file
    if not net.dataset:
        raise ModelFileError(f"{str(model_file)!r} does not say which data set it was trained on: "
                             "give it with --data FILE.csv --target COLUMN or --dataset NAME")
    return net, datasets.from_spec(net.dataset), model_file


def _given_data(net, args: argparse.Namespace | None):
    """The data set --data/--target or --dataset name, checked against the network, or None."""
    from .. import datasets

    table, target, name = (getattr(args, key, None) for key in ("data", "target", "dataset"))
    if target is not None and table is None:
        raise UsageError("--target goes with --data FILE.csv")
    if table is None and name is None:
        return None
    if table is not None and name is not None:
        raise UsageError("give --data or --dataset, not both")
    if table is not None:
        if target is None:
            raise UsageError("--data needs --target COLUMN (the column of labels or values)")
        check_table(table)
        data = _columns_of(net, datasets.from_csv(table, target, task=net.task), f"--data {table}")
        what = f"--data {table}"
    else:
        task = "regression" if name in REGRESSION_SETS else "classification"
        if task != net.task:
            raise ValueError(f"--dataset {name} holds {task} targets, but the model is a {net.task} model")
        data, what = datasets.DATASETS[name](), f"--dataset {name}"
    if data.X_train.shape[1] != net.sizes[0]:
        raise ValueError(f"{what} has {data.X_train.shape[1]} feature columns, but the model takes {net.sizes[0]}")
    return _labels_of(net, data, what)


def _labels_of(net, data, what: str):
    """``data`` with class labels the network knows. A model fitted on the codes 0..k-1 (an
    estimator given load_iris's y) meets a set that names them ("setosa", ...): the data set's
    codes, which number its sorted labels as scikit-learn's ``classes_`` do, are taken as they are."""
    if net.task != "classification" or data.classes is None:
        return data
    known = net.classes
    if known is not None and set(data.classes) <= set(known):
        return data
    if (known is None or known == tuple(range(len(known)))) and len(data.classes) <= net.n_classes:
        return replace(data, classes=None)
    raise ValueError(f"{what}: its labels {list(data.classes)[:10]} are not the model's {list(known)[:10]}")


def _columns_of(net, data, what: str):
    """``data`` with its feature columns in the order the network was trained on, picked by name
    when the network knows its feature names (other columns dropped); as it is otherwise."""
    if net.feature_names is None or data.feature_names is None or tuple(data.feature_names) == net.feature_names:
        return data
    missing = [name for name in net.feature_names if name not in data.feature_names]
    if missing:
        raise ValueError(f"{what}: the model was trained on columns {list(net.feature_names)}; "
                         f"missing: {', '.join(map(repr, missing))}")
    order = [data.feature_names.index(name) for name in net.feature_names]
    return replace(data, X_train=data.X_train[:, order], X_test=data.X_test[:, order],
                   feature_names=tuple(net.feature_names))
