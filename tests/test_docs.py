"""The documentation site: every module and public name in the API reference, the tutorials executed
(a failing cell fails the build), and the built pages opened in Chromium with every image loaded.

The site is built once per test session with ``mkdocs build --strict`` (the notebooks executed on
the installed package), unless BACKPROP_SITE names a site that .ci/run has just built that way.
"""
import importlib
import importlib.util
import inspect
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import backprop

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TUTORIALS = sorted((DOCS / "tutorials").glob("*.ipynb"))


def modules() -> list[str]:
    """Every module of the package (its entry point aside), found on disk: a new one is picked up."""
    found = pkgutil.walk_packages(backprop.__path__, "backprop.")
    return sorted(m.name for m in found if m.name != "backprop.__main__")


def subpackages() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(backprop.__path__, "backprop.") if m.ispkg]


def public_names(package: str) -> list[str]:
    """A subpackage's public names: its ``__all__``, or else what it defines itself (not what it imports)."""
    module = importlib.import_module(package)
    if hasattr(module, "__all__"):
        return list(module.__all__)
    names = []
    for name, value in vars(module).items():
        home = getattr(value, "__name__", "") if inspect.ismodule(value) else getattr(value, "__module__", package)
        if not name.startswith("_") and name != "TYPE_CHECKING" and str(home).startswith(package):
            names.append(name)
    return names


def expected_names() -> list[str]:
    return [f"backprop.{name}" for name in backprop.__all__] + [
        f"{package}.{name}" for package in subpackages() for name in public_names(package)]


def reference_entries() -> set[str]:
    """The identifiers of every ``::: name`` line on the reference pages."""
    pages = (DOCS / "reference").glob("*.md")
    return {name for page in pages for name in re.findall(r"^::: ([\w.]+)", page.read_text(), re.M)}


def test_every_module_has_its_entry_in_the_api_reference():
    missing = sorted(set(modules()) - reference_entries())
    assert not missing, f"add a '::: NAME' line for each to a page of docs/reference/: {missing}"


def test_the_public_names_are_found():
    names = expected_names()
    assert "backprop.Network" in names and "backprop.sklearn.BackpropClassifier" in names
    assert "backprop.datasets.moons" in names and "backprop.cli.main" in names
    assert not any(name.endswith((".annotations", ".dataclass")) for name in names)


def test_every_tutorial_is_in_the_site_and_committed_without_outputs():
    nav = (ROOT / "mkdocs.yml").read_text()
    assert len(TUTORIALS) == 6
    for path in TUTORIALS:
        assert f"tutorials/{path.stem}.md" in nav, path.name
        notebook = json.loads(path.read_text())
        code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
        assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in code), path.name
        exercises = [cell for cell in notebook["cells"] if cell["cell_type"] == "markdown"
                     and "Exercise" in "".join(cell["source"])]
        checks = [cell for cell in code if "assert" in "".join(cell["source"])]
        assert exercises and len(checks) >= len(exercises), f"{path.name}: each exercise needs a checking cell"


def hook():
    spec = importlib.util.spec_from_file_location("notebooks_hook", DOCS / "hooks" / "notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_contributing_layout_names_every_module():
    """A newcomer finds each file of src/backprop in the layout (playground/, views/, reproduce.py and
    snapshots.py were missing from it)."""
    text = (DOCS / "contributing.md").read_text()
    layout = text[text.index("## Layout"):text.index("Imports point down")]
    package = ROOT / "src" / "backprop"
    names = {p.stem for p in package.glob("*.py")} | {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    missing = sorted(n for n in names - {"__init__", "__main__"} if not re.search(rf"\b{n}\b", layout))
    assert not missing, f"docs/contributing.md's layout does not name {missing}"


def test_the_docs_extra_installs_what_the_tutorials_import():
    """`pip install -e ".[docs]"` then `mkdocs build` executes every tutorial: a module a notebook imports
    must come with the package or its docs extra (tutorial 6's onnxruntime did not)."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [re.match(r"[\w.-]+", r).group(0).lower() for r in
             project["dependencies"] + project["optional-dependencies"]["docs"]]
    installed = {"backprop", "sklearn", *(n.replace("-", "_") for n in names)}  # scikit-learn imports as sklearn
    imported = set()
    for path in TUTORIALS:
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
            imported |= set(re.findall(r"^\s*(?:from|import)\s+(\w+)", source, re.M))
            if re.search(r"\bProgressBar\b|tqdm\.auto|tqdm\.notebook", source):
                # tqdm.auto draws its notebook widget with ipywidgets; without it, a warning and a text bar
                imported.add("ipywidgets")
    missing = sorted(m for m in imported - set(sys.stdlib_module_names) if m not in installed)
    assert not missing, f"tutorials import {missing}, which neither the package nor its docs extra installs"


def test_a_failing_cell_fails_the_notebook_and_outputs_are_rendered():
    import nbformat
    from nbclient.exceptions import CellExecutionError
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    notebooks = hook()
    good = new_notebook(cells=[new_markdown_cell("# Title"), new_code_cell("print('hello')"),
                               new_code_cell("from backprop import Dense, Network\nNetwork([Dense(2, 3)])")])
    page = notebooks.to_markdown(notebooks.execute(good, "good"), "good.ipynb")
    assert "# Title" in page and "```text\nhello\n```" in page
    assert "<table class='backprop-network'>" in page  # the network's _repr_html_
    assert "[a Jupyter notebook](good.ipynb)" in page
    bad = new_notebook(cells=[new_code_cell("assert 1 + 1 == 3, 'the answer changed'")])
    with pytest.raises(CellExecutionError, match="the answer changed"):
        notebooks.execute(bad, "bad")
    assert nbformat.validate(good) is None


# ---------------------------------------------------------------------------------------------- the built site

@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    prebuilt = os.environ.get("BACKPROP_SITE")
    if prebuilt:
        return Path(prebuilt)
    folder = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "BACKPROP_DOCS_EXECUTE": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(folder)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    return folder


def inventory(site: Path) -> set[str]:
    """The names in the site's objects.inv (Sphinx's format, which mkdocstrings writes)."""
    data = (site / "objects.inv").read_bytes()
    body = zlib.decompress(data.split(b"\n", 4)[4]).decode()
    return {line.split(" ", 1)[0] for line in body.splitlines()}


@pytest.mark.slow
def test_the_api_reference_lists_every_public_name(site):
    listed = inventory(site)
    missing = []
    for name in expected_names():
        package, _, attribute = name.rpartition(".")
        value = getattr(importlib.import_module(package), attribute)
        canonical = f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
        if name not in listed and canonical not in listed:
            missing.append(name)
    assert not missing
    assert set(modules()) <= listed


@pytest.mark.slow
def test_the_site_opens_in_chromium_with_every_image_loaded(site, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed here (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    pages = ["index.html"] + [f"tutorials/{path.stem}/index.html" for path in TUTORIALS]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        outside = []  # the site opens offline and tells no third party who reads it (Google Fonts did)
        page.on("request", lambda request: outside.append(request.url)
                if not request.url.startswith(("file:", "data:", "blob:")) else None)
        for name in pages:
            page.goto((site / name).as_uri())
            page.wait_for_load_state("load")
            images = page.eval_on_selector_all("article img", "els => els.map(e => [e.currentSrc.slice(0, 80), "
                                               "e.complete && e.naturalWidth > 0])")
            assert images, f"{name} shows no image"
            assert all(loaded for _, loaded in images), (name, [src for src, ok in images if not ok])
            if name == "index.html":
                page.screenshot(path=str(tmp_path / "index.png"))
        browser.close()
    assert not outside, outside
    assert (tmp_path / "index.png").stat().st_size > 10_000


@pytest.mark.slow
def test_the_guides_code_fits_a_1280_px_window(site):
    """Contributing's layout block was clipped at 1280 px (the theme's content column holds about 80
    monospace characters between the two sidebars), as were most guides' command blocks: every
    code block of the home page, the guides and contributing must show whole, unscrolled. (The
    tutorials' cells and outputs and the performance tables are not held to it.)"""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed here (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    pages = ["index.html", "contributing/index.html"] + [f"guide/{p.stem}/index.html"
                                                         for p in sorted((DOCS / "guide").glob("*.md"))]
    clipped, seen = [], 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name in pages:
            page.goto((site / name).as_uri())
            page.wait_for_load_state("load")
            blocks = page.eval_on_selector_all("article pre code", "els => els.map(e => [e.innerText.split('\\n')[0], "
                                               "e.scrollWidth, e.clientWidth])")
            seen += len(blocks)
            clipped += [(name, first, wide, shown) for first, wide, shown in blocks if wide > shown]
        browser.close()
    assert seen >= 15, seen  # the pages were found and hold their code
    assert not clipped, f"code wider than the column (page, first line, px needed, px shown): {clipped}"
