"""``backprop train``: train a network into a run folder, checkpoint it, resume it."""
from __future__ import annotations

import argparse
import inspect
import sys
from contextlib import contextmanager
from pathlib import Path

from .. import config
from ..config import Experiment
from ..errors import DivergenceError
from .common import UsageError, add_figure_options, add_run_figures_option, check_table, notice_if_slow, show, writing
from .options import FLAGS, add_training_options, given_options, name_the_option

# With the training options: what --resume takes from the run.
RUN_OPTIONS = ("preset", "seed", "out", "name", "init_from", "snapshot_every", "data", "target", "task", "n_samples",
               "noise", "data_seed", "test_size", "centers")
SIGNAL_EXIT_CODES = {"SIGINT": 130, "SIGTERM": 143}  # 128 + the signal's number, as shells report them
# Said while a compiled engine takes longer than NOTICE_AFTER_S to get ready: a first run compiles
# it (4-7 s, bench/compile_time.py), a later one loads it from the disk cache (about 0.5 s)
COMPILE_NOTICE = "backprop: compiling the training engine for this configuration (once: later runs load it from disk)"
NOTICE_AFTER_S = 1.5


def add_parsers(sub) -> None:
    """The train command's parser (every training option, --resume)."""
    train = sub.add_parser("train", help="train a network (default: the seed's experiment)")
    add_training_options(train)
    train.add_argument("--seed", type=int, help="the network's seed (initial weights, sample order)")
    train.add_argument("--data", metavar="FILE.csv", help="train on a CSV table (a header row, numeric features)")
    train.add_argument("--target", help="with --data: the column that holds the labels (or values)")
    add_data_options(train)
    train.add_argument("--task", choices=["classification", "regression"],
                       help="what the target holds: class labels (default) or real values; a named set knows its own")
    train.add_argument("--out", help="folder that holds the run folders (default runs)")
    train.add_argument("--name", help="run folder name (default: the current time)")
    train.add_argument("--checkpoint-every", type=int, metavar="N",
                       help="write RUN/checkpoint.safetensors every N epochs (always on Ctrl-C or SIGTERM)")
    train.add_argument("--snapshot-every", type=int, metavar="K",
                       help="keep the weights every K epochs in RUN/snapshots, for backprop replay")
    train.add_argument("--init-from", metavar="RUN",
                       help="start from RUN's initial weights and sample order (a comparison that changes one thing)")
    train.add_argument("--resume", metavar="RUN",
                       help="continue an interrupted run in its folder, with its own configuration")
    add_figure_options(train)
    add_run_figures_option(train)
    train.add_argument("--quiet", action="store_true", help="no progress output")
    train.set_defaults(handler=cmd_train)


# A named data set's own arguments, as flags: the playground's command line names the set it made
DATA_OPTIONS = {"n_samples": ("--n-samples", int), "noise": ("--noise", float), "data_seed": ("--data-seed", int),
                "test_size": ("--test-size", float), "centers": ("--centers", int)}
DATA_HELP = {"n_samples": "points to make (default 2000)", "noise": "the points' noise (default: the set's own, "
             "moons 0.2)", "data_seed": "seed of the points (default 100)", "test_size": "share of the points "
             "held out for testing, also of a --data table (default 0.3)", "centers": "blobs: classes (default 3)"}


# the makers' parameter names -> flags, for messages ("noise must be ..." -> "--noise: noise must be ...")
DATA_FLAGS = {"seed" if dest == "data_seed" else dest: flag for dest, (flag, _) in DATA_OPTIONS.items()}


def add_data_options(parser: argparse.ArgumentParser) -> None:
    """--n-samples, --noise, --data-seed, --test-size, --centers: the arguments of a named data set
    (its defaults when not given); --test-size also splits a --data table."""
    for dest, (flag, kind) in DATA_OPTIONS.items():
        parser.add_argument(flag, dest=dest, type=kind, help=DATA_HELP[dest])


def data_arguments(args: argparse.Namespace) -> dict:
    """The data set arguments given on the command line, by the maker's parameter names."""
    given = {dest: getattr(args, dest, None) for dest in DATA_OPTIONS}
    names = {"data_seed": "seed"}
    return {names.get(dest, dest): value for dest, value in given.items() if value is not None}


def experiment_from_args(args: argparse.Namespace) -> Experiment:
    """The preset, with every option the user gave laid over it."""
    if getattr(args, "seed", None) is not None and args.seed < 0:
        raise ValueError(f"--seed must be a non-negative integer. Received: {args.seed}")
    extra = {name: getattr(args, name) for name in ("seed", "task") if getattr(args, name, None) is not None}
    given = given_options(args)
    if getattr(args, "data", None) is not None:
        # a table's columns come on any scale (a price, an age): standardised unless --no-standardize; the
        # built-in sets keep their exact experiments, unscaled. The model file keeps the scaling.
        given.setdefault("standardize", True)
    return config.from_preset(args.preset or "seed", **given, **extra)


class ProgressReporter:
    """Turns ``fit``'s progress callbacks into a tqdm bar (terminal), plain lines, or nothing."""

    def __init__(self, epochs: int, mode: str, done: int = 0):
        self.mode, self.bar = mode, None
        if mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=epochs, initial=done, unit="epoch", file=sys.stderr, dynamic_ncols=True)

    def __call__(self, progress) -> None:
        record = progress.record
        if self.bar is not None:
            self.bar.update(1)
            if record:
                self.bar.set_postfix(loss=f"{record['loss']:.4f}", **_test_score(record, short=True))
        elif self.mode == "lines" and record:
            (name, value), = _test_score(record).items()
            print(f"epoch {record['epoch']:>5}/{progress.epochs}  loss {record['loss']:.5f}  "
                  f"mse {record['mse']:.5f}  {name} {value}", file=sys.stderr, flush=True)

    def close(self) -> None:
        """End the progress bar, if one was drawn."""
        if self.bar is not None:
            self.bar.close()


def _test_score(record: dict, short: bool = False) -> dict[str, str]:
    """The test set's figure for a progress line: its accuracy, or for regression (no accuracy,
    NaN) its loss, which training lowers: {label: text}."""
    import math

    if math.isnan(record["val_accuracy"]):
        return {"test_loss" if short else "test loss": f"{record['val_loss']:.5f}"}
    return {"test_acc" if short else "test accuracy": f"{record['val_accuracy']:.2%}"}


def _check_every(every: int | None) -> int | None:
    if every is not None and every < 1:
        raise ValueError(f"--checkpoint-every must be a positive integer. Received: {every}")
    return every


def cmd_train(args: argparse.Namespace) -> int:
    """backprop train: train an experiment into a new run folder (or resume one)."""
    from .. import runs

    if args.show and not args.figures:
        raise UsageError("--show needs the figures: drop --no-figures")
    if args.resume:
        return cmd_resume(args)
    try:
        experiment = experiment_from_args(args)
    except ValueError as err:
        raise name_the_option(err, {"task": "--task"}) from None
    every = _check_every(args.checkpoint_every)
    if args.snapshot_every is not None and args.snapshot_every < 1:
        raise ValueError(f"--snapshot-every must be a positive integer. Received: {args.snapshot_every}")
    data = load_data(args, experiment)
    _check_loss_fits(experiment, data, args)
    hint = None if args.standardize is False else standardize_hint(data.X_train, experiment.fit.standardize)
    if hint:
        print(hint, file=sys.stderr)
    net = experiment.network_for(data)
    if args.init_from:
        if not Path(args.init_from).is_dir():
            raise ValueError(f"--init-from {args.init_from!r}: no run folder there")
        start_from(net, Path(args.init_from))
    with drawing(args) as drawer:
        try:  # the library's messages name fields (batch_size=64, name='..'): the user typed options
            session = training_session(net, data, experiment.fit, args.quiet)  # every check passed: now the folder
            with writing("--out", args.out or "runs"):
                folder = runs.new_run_folder(args.out or "runs", args.name)
        except ValueError as err:
            raise name_the_option(err, {"name": "--name"}) from None
        runs.write_json({**experiment.to_dict(), "dataset": data.spec, "checkpoint_every": every,
                         "snapshot_every": args.snapshot_every, "init_from": args.init_from}, folder / "config.json")
        return train_in_folder(folder, session, data, every, args, drawer)


@contextmanager
def drawing(args: argparse.Namespace):
    """A ``drawer.Drawer`` for the run's matplotlib figures (png, pdf), ended when the block ends.
    None for svg figures (written by hand here in milliseconds: a process would cost more than
    it saves), without figures, with --show (which draws here to open them), or where no process
    can be forked."""
    from .. import drawer

    if not args.figures or args.show or args.format == "svg" or not drawer.available():
        yield None
        return
    process = drawer.Drawer(args.format)
    try:
        yield process
    finally:
        process.close()


def training_session(net, data, config, quiet: bool, state=None):
    """The ``Session`` that trains ``net`` on ``data``'s training set (its test set for validation),
    its engine prepared first (see ``prepare_engine``); from ``state`` when resuming."""
    from ..session import Session

    engine = prepare_engine(net, config, quiet)
    return Session(net, data.X_train, data.labels(data.y_train), config, (data.X_test, data.labels(data.y_test)),
                   state=state, engine=engine)


def load_data(args: argparse.Namespace, experiment: Experiment):
    """--data FILE --target COLUMN, or the experiment's named data set."""
    from .. import datasets

    given = data_arguments(args)
    if not 0 <= given.get("seed", 0) < 2**32:  # scikit-learn's own message names no option
        raise ValueError(f"--data-seed must be an integer in [0, 2**32 - 1]. Received: {given['seed']}")
    if args.data is None:
        if args.target is not None:
            raise UsageError("--target goes with --data FILE.csv")
        maker = datasets.DATASETS[experiment.dataset]
        unknown = [name for name in given if name not in inspect.signature(maker).parameters]
        if unknown:
            flag = DATA_OPTIONS.get(unknown[0], DATA_OPTIONS["data_seed"])[0]
            raise UsageError(f"{flag} does not apply to --dataset {experiment.dataset}")
        try:
            return maker(**given)
        except ValueError as err:
            raise name_the_option(err, DATA_FLAGS) from None
    if args.target is None:
        raise UsageError("--data needs --target COLUMN (the column of labels)")
    if args.dataset is not None:
        raise UsageError("give --data or --dataset, not both")
    if set(given) - {"test_size"}:
        raise UsageError("of the data set options, --data takes only --test-size")
    check_table(args.data)
    try:
        return datasets.from_csv(args.data, args.target, task=experiment.task, **given)
    except ValueError as err:
        raise name_the_option(err, DATA_FLAGS) from None


def _check_loss_fits(experiment: Experiment, data, args: argparse.Namespace) -> None:
    """UsageError saying which option to change when binary cross-entropy (one sigmoid output) meets
    more than 2 classes: the library's "y must hold labels 0..1" names none."""
    if experiment.loss != "binary_cross_entropy" or data.task != "classification" or data.n_outputs <= 2:
        return
    named = f"--data {args.data}" if args.data is not None else f"--dataset {experiment.dataset}"
    fix = "--loss cross_entropy" + (" or --centers 2" if experiment.dataset == "blobs" and args.data is None else "")
    raise UsageError(f"--loss binary_cross_entropy needs 2 classes; {named} has {data.n_outputs}: use {fix}")


def standardize_hint(X, standardize: bool) -> str | None:
    """One line suggesting --standardize when the training features' scales or offsets are far
    apart (a spread of 10x, or a mean beyond 3 standard deviations), else None."""
    import numpy as np

    if standardize or len(X) < 2:
        return None
    std, mean = X.std(axis=0), np.abs(X.mean(axis=0))
    spread = std.max() / max(std.min(), 1e-300)
    if spread < 10 and np.all(mean <= 3 * np.maximum(std, 1e-300)):
        return None
    return (f"note: the features' scales differ (standard deviations {std.min():.3g} to {std.max():.3g}, "
            f"means up to {mean.max():.3g}): --standardize usually trains much better on such data")


def start_from(net, run: Path) -> None:
    """Give ``net`` the initial weights and the generator (so the sample order) of the run in ``run``."""
    from .. import runs

    config = runs.read_json(run / "config.json")
    fields = {k: config[k] for k in ("hidden", "activation", "output_activation", "loss", "init", "seed", "dtype")
              if k in config}
    other = Experiment(**fields).build_network(net.sizes[0], net.layers[-1].n_out)
    if other.sizes != net.sizes:
        raise ValueError(f"--init-from needs the same layer sizes: {run} has {other.sizes}, this run {net.sizes}")
    for mine, theirs in zip(net.layers, other.layers):
        mine.set_params(theirs.weights, theirs.bias, mine.weights.dtype)
    net.seed, net.rng = other.seed, other.rng


def cmd_resume(args: argparse.Namespace) -> int:
    """backprop train --resume FOLDER: continue a run from its checkpoint."""
    from .. import checkpoints, datasets, runs

    given = [*given_options(args), *(k for k in RUN_OPTIONS if getattr(args, k) is not None)]
    if given:
        raise UsageError(f"--resume continues a run with its own configuration; "
                         f"drop {FLAGS.get(given[0], '--' + given[0])}")
    folder = Path(args.resume)
    if not folder.is_dir():  # a mistyped name: not "holds no checkpoint", as if the folder were there
        raise UsageError(f"--resume {str(folder)!r}: no run folder there")
    if (folder / runs.MODEL_FILE).exists():
        raise UsageError(f"run {str(folder)!r} is complete (it has {runs.MODEL_FILE}): "
                         "nothing to resume")
    if not (folder / checkpoints.FILE).is_file():
        raise UsageError(f"{str(folder)!r} holds no {checkpoints.FILE}: nothing to resume")
    config = runs.read_json(folder / "config.json")
    net, state = checkpoints.load(folder / checkpoints.FILE)
    data = datasets.from_spec(net.dataset)
    every = _check_every(args.checkpoint_every or config.get("checkpoint_every"))
    with drawing(args) as drawer:
        session = training_session(net, data, state.config, args.quiet, state)
        return train_in_folder(folder, session, data, every, args, drawer)


def prepare_engine(net, config, quiet: bool):
    """The ``engines.Engine`` that ``fit`` will run, compiled (or loaded from the disk cache) now,
    before training, saying so on stderr if that takes a while (unless ``quiet``): a first run
    waits seconds for it."""
    from .. import engines

    with notice_if_slow(None if quiet else COMPILE_NOTICE, NOTICE_AFTER_S):
        return engines.select(config.engine, net, config)


def train_in_folder(folder: Path, session, data, every: int | None, args: argparse.Namespace, drawer=None) -> int:
    """Run ``session`` to its last epoch in ``folder``: metrics appended as they come, a checkpoint
    every ``every`` epochs and on SIGINT/SIGTERM; at the end the model, the curves and the config
    (drawn by ``drawer``, a ``drawer.Drawer``, when given)."""
    from .. import checkpoints, run_files, runs

    net, state, config = session.net, session.state, session.config
    metrics = runs.MetricsLog(folder / "metrics.csv", state.history.rows())
    checkpoint = checkpoints.Checkpoint(folder / checkpoints.FILE, every, dataset=data.spec)
    health = run_files.health_recorder(net, data)
    callbacks = [health, metrics, checkpoint]
    snapshot_every = runs.read_json(folder / "config.json").get("snapshot_every")
    if snapshot_every:
        from ..snapshots import FOLDER, Snapshots

        callbacks.append(Snapshots(folder / FOLDER, snapshot_every, net if state.epoch == 0 else None, data.spec))
    mode = "none" if args.quiet else ("bar" if sys.stderr.isatty() else "lines")
    reporter = ProgressReporter(config.epochs, mode, state.epoch)
    session.callbacks += [*callbacks, reporter]
    try:
        history = session.run(interrupt_signals=tuple(SIGNAL_EXIT_CODES))
    except DivergenceError as err:
        kept = (f"the last good checkpoint (epoch {checkpoint.last_epoch}) is kept in {folder}" if checkpoint.last_epoch
                else f"no model was saved ({folder} holds the metrics so far)")
        raise DivergenceError(f"{err}; {kept}", err.epoch) from None
    finally:
        reporter.close()
        metrics.close()
    if history.interrupted_by:
        print(f"backprop: {history.interrupted_by} after epoch {history.interrupted_at} of {config.epochs}: "
              f"checkpoint and metrics written. Resume with: backprop train --resume {folder}", file=sys.stderr)
        return SIGNAL_EXIT_CODES[history.interrupted_by]
    return _finish(folder, net, data, history, args, drawer)


def score_name(net) -> str:
    """How ``net.score`` is reported: accuracy, or R^2 for regression."""
    return "test R^2" if net.task == "regression" else "test accuracy"


def _finish(folder: Path, net, data, history, args: argparse.Namespace, drawer=None) -> int:
    """Write the trained run's files: the model first (a signal while the figures are drawn leaves
    it whole), then the figures and report, drawn here or by ``drawer`` while this process scores."""
    from .. import persistence, run_files, runs
    from .models import two_d_note

    config = runs.read_json(folder / "config.json")
    if drawer is not None:
        drawer.draw(history, net.loss.name, net.sizes[-1])
    # matplotlib's figures drawn once: written (png, pdf) and shown with --show; svg is written by hand
    through_matplotlib = drawer is None and args.figures and (args.show or args.format != "svg")
    drawn = run_files.figures(history, net.loss.name, net.sizes[-1]) if through_matplotlib else None
    for name, payload in run_files.kept_files(net, data, history, config).items():
        persistence.write_atomic(folder / name, payload)
    score = net.score(data.X_test, data.labels(data.y_test))
    note = two_d_note(net, data)
    if args.figures:
        files = (drawer.files(folder.name, net, data, history, config) if drawer is not None else
                 run_files.drawn_files(folder.name, net, data, history, config, args.format, drawn))
        for name, payload in files.items():
            persistence.write_atomic(folder / name, payload)
    if args.show:
        show(drawn)
    print(f"{score_name(net)}: {score:.4f}")
    print(f"training time: {history.seconds:.2f} s")
    print(f"run folder:    {folder}")
    if note:
        print(note, file=sys.stderr)
    return 0
