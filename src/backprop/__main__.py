"""``python -m backprop`` is ``backprop``."""
from .cli import main

raise SystemExit(main())
