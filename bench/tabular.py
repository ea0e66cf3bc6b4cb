"""BackpropClassifier against scikit-learn's MLPClassifier on the library's fixed splits (issue 6).

For every data set: a Pipeline(StandardScaler, estimator) with the same hidden layers (100,), each
estimator with its defaults (or the BackpropClassifier parameters given with --params), fitted on
the training part with seeds 0..S-1 and scored on the test part. The two contenders alternate
within each seed, so a slow minute of a shared machine falls on both. Reported: mean test
accuracy [min-max] and median fit seconds [min-max], and for digits the fit-time ratio seed by seed.

    python bench/tabular.py [--seeds 5] [--sets digits iris ...] [--params '{"learning_rate": 0.003}']
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from backprop import datasets
from backprop.sklearn import BackpropClassifier

SETS = ["digits", "iris", "wine", "breast_cancer", "circles", "spirals"]


def fit_and_score(estimator, data) -> tuple[float, float]:
    """(test accuracy, fit seconds) of StandardScaler + ``estimator`` on ``data``'s split."""
    pipe = make_pipeline(StandardScaler(), estimator)
    began = time.perf_counter()
    pipe.fit(data.X_train, data.y_train)
    seconds = time.perf_counter() - began
    return pipe.score(data.X_test, data.y_test), seconds


def spread(values: list[float], fmt: str) -> str:
    return f"{format(statistics.mean(values), fmt)} [{format(min(values), fmt)}-{format(max(values), fmt)}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--sets", nargs="+", default=SETS, choices=SETS)
    parser.add_argument("--params", default="{}", help="BackpropClassifier parameters, as JSON")
    args = parser.parse_args()
    params = json.loads(args.params)
    warnings.simplefilter("ignore", ConvergenceWarning)  # MLPClassifier's 200 epochs often end unconverged
    print(f"python {platform.python_version()}, numpy {np.__version__}, scikit-learn {sklearn.__version__}; "
          f"BackpropClassifier({params}); {args.seeds} seeds; accuracy mean [min-max], seconds median [min-max]")
    print(f"{'data set':<14} {'MLPClassifier accuracy':<26} {'Backprop accuracy':<26} "
          f"{'MLP fit s':<20} {'Backprop fit s':<20} {'Backprop/MLP time'}")
    for name in args.sets:
        data = datasets.DATASETS[name]()
        mlp, ours = {"acc": [], "s": []}, {"acc": [], "s": []}
        for seed in range(args.seeds):
            for record, estimator in ((mlp, MLPClassifier(random_state=seed)),
                                      (ours, BackpropClassifier(random_state=seed, **params))):
                accuracy, seconds = fit_and_score(estimator, data)
                record["acc"].append(accuracy)
                record["s"].append(seconds)
        ratios = [b / a for a, b in zip(mlp["s"], ours["s"])]
        print(f"{name:<14} {spread(mlp['acc'], '.4f'):<26} {spread(ours['acc'], '.4f'):<26} "
              f"{statistics.median(mlp['s']):.2f} [{min(mlp['s']):.2f}-{max(mlp['s']):.2f}]{'':<6} "
              f"{statistics.median(ours['s']):.2f} [{min(ours['s']):.2f}-{max(ours['s']):.2f}]{'':<6} "
              f"{statistics.median(ratios):.2f} [{min(ratios):.2f}-{max(ratios):.2f}]", flush=True)


if __name__ == "__main__":
    main()
