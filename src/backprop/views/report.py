"""report.html: everything about one run in one self-contained page (figures embedded), so that it
opens from disk or as an e-mail attachment."""
from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

FIGURES = [  # (figure's name in the run folder, heading); those present are embedded, in this order
    ("curves", "Training curves"),
    ("decision_boundary", "Decision boundary"),
    ("comparison", "Test points, right and wrong"),
    ("confusion_matrix", "Confusion matrix"),
    ("network", "The network"),
    ("health", "Gradient health"),
    ("replay", "Replay"),
]


def html_page(name: str, config: dict, images: dict[str, tuple[str, bytes]]) -> str:
    """The report of the run ``name``: its configuration (config.json's content) as a table, then
    each image given (figure name -> (media type, e.g. "image/png", and the file's bytes)) in
    ``FIGURES`` order, embedded."""
    rows = "\n".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(json.dumps(v))}</td></tr>"
                     for k, v in _flatten(config).items())
    parts = [f"<h1>Run {html.escape(name)}</h1>", "<h2>Configuration</h2>", f"<table>{rows}</table>"]
    parts += [_section(figure, heading, images[figure][1], images[figure][0])
              for figure, heading in FIGURES if figure in images]
    style = ("body{font-family:sans-serif;max-width:1300px;margin:2em auto;padding:0 1.5em;color:#222}"
             "img{max-width:100%;border:1px solid #ddd}table{border-collapse:collapse}"
             "th,td{padding:2px 10px;text-align:left;border-bottom:1px solid #eee;font-size:90%}")
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>backprop run {html.escape(name)}"
            f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>\n")


def _section(name: str, heading: str, payload: bytes, media: str) -> str:
    data = base64.b64encode(payload).decode()
    return (f"<section id=\"{name}\"><h2>{heading}</h2>"
            f"<img alt=\"{heading}\" src=\"data:{media};base64,{data}\"></section>")


def _flatten(config: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in config.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def add_replay(folder: Path, replay: Path) -> Path:
    """Put (or replace) the replay animation at the end of folder/report.html."""
    from ..persistence import write_atomic

    path = Path(folder) / "report.html"
    page = re.sub(r'<section id="replay">.*?</section>', "", path.read_text(), flags=re.S)
    media = "image/gif" if replay.suffix == ".gif" else "video/mp4"
    if media == "video/mp4":
        data = base64.b64encode(replay.read_bytes()).decode()
        section = (f'<section id="replay"><h2>Replay</h2><video controls src="data:video/mp4;base64,{data}">'
                   "</video></section>")
    else:
        section = _section("replay", "Replay", replay.read_bytes(), media)
    write_atomic(path, page.replace("</body>", section + "</body>").encode())
    return path
