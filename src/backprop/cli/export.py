"""``backprop export``: a trained model in another runtime's format."""
from __future__ import annotations

import argparse

from .common import UsageError, check_file_folder, writing


def add_parsers(sub) -> None:
    """The export command's parser."""
    export = sub.add_parser("export", help="write a model in another format (ONNX)")
    export.add_argument("path", help="a model file or a run folder")
    export.add_argument("--onnx", metavar="FILE.onnx", help="write an ONNX graph (needs backprop[onnx])")
    export.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    """backprop export: a model file to ONNX."""
    from .. import persistence, runs

    if not args.onnx:
        raise UsageError("name a format, e.g. --onnx model.onnx")
    check_file_folder("--onnx", args.onnx)
    net = persistence.load(runs.model_path(args.path))
    from ..export.onnx import save_onnx

    try:
        with writing("--onnx", args.onnx):
            path = save_onnx(net, args.onnx)
    except ImportError as err:  # the onnx extra is not installed
        raise UsageError(str(err)) from None
    print(f"wrote {path}")
    return 0
