"""`.ci/run` runs exactly README's test command, and a failure anywhere in it fails CI.

Under `set -e`, bash does not stop at a failing command inside an `&&` list (only at the list's last
command), so without an explicit check a ruff failure skipped the tests and CI still passed.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("Install and run the tests:", 1)[1]
    return re.search(r"```sh\n(.+?)\n```", section, re.DOTALL).group(1).strip()  # type: ignore[union-attr]


def test_ci_runs_readme_test_command_and_stops_when_it_fails() -> None:
    command = readme_test_command()
    assert command.endswith(".venv/bin/python -m pytest")
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    [line] = [line for line in lines if line.startswith(command)]
    assert line == f"{command} || exit 1"
