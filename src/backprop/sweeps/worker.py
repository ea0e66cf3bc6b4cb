"""What a sweep's worker runs: one point trained start to finish, returned as the files of its
run folder (bytes), so that the caller writes every file and workers need no shared disk."""
from __future__ import annotations

import time

from ..config import Experiment
from ..errors import DivergenceError
from .summary import METRICS


def run_point(name: str, experiment: Experiment, figure_format: str = "svg", data=None, draw: bool = True) -> dict:
    """Train ``experiment`` on ``data`` (a Dataset), or on its named data set, with one BLAS thread;
    never raises for a failed run.

    Returns {"name", "metric" ("accuracy", or "r2" for regression), "test_score", "train_seconds",
    "seconds" (wall, worker side),
    "error" (None, or the one-line reason), "blas_threads" (the most any BLAS used),
    "files": {file name: bytes}}: the same files as ``backprop train`` writes (no model for a
    failed run; without ``draw``, no figures and no report).
    """
    from threadpoolctl import threadpool_info, threadpool_limits

    began = time.perf_counter()
    with threadpool_limits(limits=1):  # J workers on J cores: one BLAS thread each, no oversubscription
        threads = max((pool["num_threads"] for pool in threadpool_info()), default=1)
        try:
            result = _train(name, experiment, figure_format, data, draw)
        except (DivergenceError, ValueError, FloatingPointError) as err:
            result = {"metric": METRICS[experiment.task], "test_score": float("nan"), "train_seconds": float("nan"),
                      "error": str(err), "files": {"config.json": _config(experiment, str(err))}}
    return {"name": name, "seconds": time.perf_counter() - began, "blas_threads": threads, **result}


def draw_summary(rows: list[dict], keys: list[str], figure_format: str = "svg") -> bytes:
    """summary.<figure_format>'s bytes for a sweep's rows (see ``summary.chart``): SVG written by
    hand, without matplotlib; png and pdf through matplotlib, best where the runs were, whose
    process has it loaded already."""
    from . import summary

    if figure_format == "svg":
        from ..charts import svg

        return svg.render(summary.chart(rows, keys)).encode()
    import matplotlib

    matplotlib.use("Agg")
    from .. import plots

    return plots.to_bytes(summary.figure(rows, keys), figure_format)


def _train(name: str, experiment: Experiment, figure_format: str, data=None, draw: bool = True) -> dict:
    if draw and figure_format != "svg":  # svg figures are written by hand, without matplotlib
        import matplotlib

        matplotlib.use("Agg")
    from .. import datasets, run_files, runs

    data = data if data is not None else datasets.DATASETS[experiment.dataset]()
    net = experiment.network_for(data)
    history = net.fit(data.X_train, data.labels(data.y_train),
                      validation_data=(data.X_test, data.labels(data.y_test)),
                      callback=run_files.health_recorder(net, data), interrupt_signals=(),
                      **experiment.fit.to_dict())
    score = net.score(data.X_test, data.labels(data.y_test))  # R^2 for a regression set
    config = {**experiment.to_dict(), "metric": METRICS[net.task], "test_score": score, "dataset": data.spec}
    files = run_files.files(name, net, data, history, config, figure_format, draw=draw)
    files["metrics.csv"] = runs.metrics_text(history.rows()).encode()
    return {"metric": METRICS[net.task], "test_score": score, "train_seconds": history.seconds, "error": None,
            "files": files}


def _config(experiment: Experiment, error: str) -> bytes:
    """A failed point's config.json: its options and the error."""
    from .. import runs

    document = {**experiment.to_dict(), "train_seconds": None, "metric": METRICS[experiment.task],
                "test_score": None, "error": error}
    return runs.json_text(document).encode()
