"""The README's two set-up commands stay the ones CI and users run."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands():
    text = (ROOT / "README.md").read_text()
    return [line for line in re.findall(r"```bash\n(.*?)```", text, re.S)[0:2] for line in line.splitlines()
            if line.startswith("python3 -m venv")]


def test_readme_has_the_two_commands():
    train, tests = readme_commands()
    assert train.endswith("backprop train") and '".[fast]"' in train
    assert "pytest" in tests and '"slow or not slow"' in tests


def test_ci_runs_the_readme_test_command():
    _, tests = readme_commands()
    after_activate = tests.split(". .venv/bin/activate && ", 1)[1]
    assert after_activate in (ROOT / ".ci" / "run").read_text()
