"""MkDocs hook: the tutorials (docs/tutorials/*.ipynb) executed and rendered as pages.

Every notebook is run from top to bottom with nbclient on the Python that runs MkDocs (so on the
installed package), in a scratch folder, and a failing cell fails the build: the notebooks'
outputs are never committed, so the site always shows what the code does today. Each one becomes
a Markdown page beside it (``01-seed.ipynb`` -> ``01-seed.md``): Markdown cells as they are, code
cells as Python blocks, text outputs as text blocks, figures as PNG images inlined as data URIs,
and HTML outputs (a Network's table, a History's curves) as HTML. The .ipynb stays in the site
for download.

BACKPROP_DOCS_EXECUTE=0 renders the notebooks without running them (a quick look at the layout).
"""
from __future__ import annotations

import base64
import logging
import os
import re
import tempfile
import time

import nbformat
from mkdocs.structure.files import File, Files

TUTORIALS = "tutorials/"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TIMEOUT_S = 300  # per cell: no tutorial cell should come near it


def on_files(files: Files, config) -> Files:
    for source in [f for f in files if f.src_uri.startswith(TUTORIALS) and f.src_uri.endswith(".ipynb")]:
        notebook = nbformat.read(source.abs_src_path, as_version=4)
        if os.environ.get("BACKPROP_DOCS_EXECUTE", "1") != "0":
            notebook = execute(notebook, source.src_uri)
        page = source.src_uri[:-len(".ipynb")] + ".md"
        files.append(File.generated(config, page, content=to_markdown(notebook, source.src_uri.rsplit("/", 1)[-1])))
    return files


def execute(notebook, name: str):
    """Run every cell on a fresh kernel in a scratch folder; raises on the first failing cell."""
    from nbclient import NotebookClient

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="backprop-tutorial-") as folder:
        # "python3" resolves to the Python running this build (jupyter_client swaps in sys.executable)
        # log_level: the kernel's own notes (a warning that its loopback TCP is unencrypted) are not ours
        NotebookClient(notebook, kernel_name="python3", timeout=TIMEOUT_S, resources={"metadata": {"path": folder}},
                       extra_arguments=["--IPKernelApp.log_level=ERROR"]).execute()
    seconds = time.perf_counter() - began
    logging.getLogger("mkdocs.hooks.notebooks").info(f"executed {name} in {seconds:.1f} s")
    return notebook


def to_markdown(notebook, filename: str) -> str:
    """The notebook as one Markdown page; ``filename`` is linked for download."""
    parts = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        elif cell.cell_type == "code" and cell.source.strip():
            parts.append(f"```python\n{cell.source}\n```")
            parts.extend(filter(None, (_output(output) for output in _merged(cell.get("outputs", [])))))
    parts.append(f"*This page is [a Jupyter notebook]({filename}), executed when the site was built.*")
    return "\n\n".join(parts) + "\n"


def _merged(outputs: list) -> list:
    """Consecutive writes to one stream as one output: a kernel sends a print in several messages."""
    merged = []
    for output in outputs:
        if (merged and output.get("output_type") == "stream" and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == output.get("name")):
            merged[-1] = {**merged[-1], "text": _joined(merged[-1]["text"]) + _joined(output["text"])}
        else:
            merged.append(output)
    return merged


def _output(output) -> str | None:
    kind = output.get("output_type")
    if kind == "stream":
        return _text_block(output.get("text", ""))
    if kind == "error":
        return _text_block("\n".join(output.get("traceback", [])))
    data = output.get("data", {})
    if "image/png" in data:
        payload = data["image/png"]
        payload = payload if isinstance(payload, str) else base64.b64encode(payload).decode()
        return f'<img alt="a figure drawn by the cell above" src="data:image/png;base64,{payload.strip()}">'
    if "text/html" in data:
        return f'<div class="notebook-output" markdown="0">\n{_joined(data["text/html"])}\n</div>'
    if "text/plain" in data:
        return _text_block(_joined(data["text/plain"]))
    return None


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def _text_block(text: str) -> str | None:
    text = ANSI.sub("", _joined(text)).rstrip()
    if not text:
        return None
    return f"```text\n{text}\n```"
