"""report.html: everything about one run in one self-contained page (figures embedded), so that it
opens from disk or as an e-mail attachment."""
from __future__ import annotations

import base64
import html
import json
from pathlib import Path

FIGURES = [  # (figure's name in the run folder, heading); those present are embedded, in this order
    ("curves", "Training curves"),
    ("decision_boundary", "Decision boundary"),
    ("comparison", "Test points, right and wrong"),
    ("network", "The network"),
    ("health", "Gradient health"),
    ("replay", "Replay"),
]
MEDIA = {".png": "image/png", ".gif": "image/gif", ".svg": "image/svg+xml"}


def html_page(folder: Path) -> str:
    """The report of the run in ``folder``: its config.json as a table and its figures, embedded."""
    config = json.loads((folder / "config.json").read_text())
    rows = "\n".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(json.dumps(v))}</td></tr>"
                     for k, v in _flatten(config).items())
    parts = [f"<h1>Run {html.escape(folder.name)}</h1>", "<h2>Configuration</h2>",
             f"<table>{rows}</table>"]
    for name, heading in FIGURES:
        path = next((folder / f"{name}{suffix}" for suffix in MEDIA if (folder / f"{name}{suffix}").exists()), None)
        if path is not None:
            data = base64.b64encode(path.read_bytes()).decode()
            parts.append(f"<h2>{heading}</h2><img alt=\"{heading}\" src=\"data:{MEDIA[path.suffix]};base64,{data}\">")
    style = ("body{font-family:sans-serif;max-width:1300px;margin:2em auto;color:#222}img{max-width:100%;"
             "border:1px solid #ddd}table{border-collapse:collapse}th,td{padding:2px 10px;text-align:left;"
             "border-bottom:1px solid #eee;font-size:90%}")
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>backprop run {html.escape(folder.name)}"
            f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>\n")


def _flatten(config: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in config.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def write(folder: Path) -> Path:
    """Write folder/report.html, atomically."""
    from ..persistence import write_atomic

    path = Path(folder) / "report.html"
    write_atomic(path, html_page(Path(folder)).encode())
    return path
