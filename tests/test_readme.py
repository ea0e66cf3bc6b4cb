"""The README: its first screen holds the two set-up commands, which stay the ones CI runs, and every
Python block in it runs as written."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
INSTALL = 'pip install -q -e ".[fast,test,dask,ray,onnx,playground,docs]"'


def readme_commands(text: str = README) -> list[str]:
    """The command lines of the README's first two bash blocks that set up a virtual environment."""
    return [line for block in re.findall(r"```bash\n(.*?)```", text, re.S)[0:2] for line in block.splitlines()
            if line.startswith("python3 -m venv")]


def python_blocks(text: str = README) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_readme_has_the_two_commands_on_its_first_screen():
    first_screen = "\n".join(README.splitlines()[:60])
    train, tests = readme_commands(first_screen)
    assert train.endswith("backprop train") and '".[fast]"' in train
    assert INSTALL in tests and tests.endswith('python -m pytest -m "slow or not slow" -q -p no:cacheprovider')
    # ... with what the tests need from the system, and a picture
    assert "chromium" in first_screen and "ffmpeg" in first_screen and "apt-get install" in first_screen
    assert re.search(r"!\[[^]]+\]\(docs/\w+\.png\)", first_screen)


def test_ci_runs_the_readme_test_command():
    _, tests = readme_commands()
    after_activate = tests.split(". .venv/bin/activate && ", 1)[1]
    assert after_activate in (ROOT / ".ci" / "run").read_text()


def test_the_readme_is_a_front_page_not_a_lab_notebook():
    assert len(README.encode()) < 15_000
    assert "../" not in README  # self-contained: no path outside the repository
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)", README):
        assert (ROOT / target).exists(), target


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_every_python_block_of_the_readme_runs_as_written(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the blocks write model files into the working folder
    exec(compile(python_blocks()[index], f"README.md python block {index}", "exec"), {"__name__": "__readme__"})
