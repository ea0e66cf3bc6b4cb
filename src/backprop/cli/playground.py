"""``backprop playground``: serve the live playground page and print its address."""
from __future__ import annotations

import argparse
import sys

from .common import UsageError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def add_parsers(sub) -> None:
    """The playground command's parser."""
    play = sub.add_parser("playground", help="a live playground in the browser that trains with this library")
    play.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    play.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    play.add_argument("--open", action="store_true", help="open the page in the default browser")
    play.set_defaults(handler=cmd_playground)


def cmd_playground(args: argparse.Namespace) -> int:
    """backprop playground: serve the page until Ctrl-C."""
    try:
        from ..playground import server
    except ImportError as err:
        raise UsageError(f"the playground needs its extra: pip install 'backprop[playground]' "
                         f"({err.name} is missing)") from None
    if not 0 < args.port < 65536:
        raise ValueError(f"--port must be in 1..65535. Received: {args.port}")
    if not args.host.strip():  # uvicorn would listen on every interface
        raise ValueError(f"--host must name an address, such as 127.0.0.1. Received: {args.host!r}")
    sock = server.listen(args.host, args.port)  # before the address is printed: a port in use is one line, exit 2
    shown = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown}:{args.port}/"
    print(f"backprop playground: {url}", flush=True)
    if args.host not in LOOPBACK:
        print(f"warning: listening on {args.host}, not only this machine: anyone who can reach it can train "
              "on it (limits apply)", file=sys.stderr)
    if args.open:
        import webbrowser

        webbrowser.open(url)
    server.serve(args.host, args.port, sock)
    return 0
