"""``python -m backprop`` is ``backprop``."""
from .cli import run

raise SystemExit(run())
