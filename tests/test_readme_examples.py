"""The README's console examples run as written and print what the README shows.

Each ``console`` block of README.md is a list of commands (``$ ...``, continued on lines ending in ``\\``)
with the output printed under them. A command that calls the local server (``curl``) is left to
tests/test_docs_web_examples.py's kind of test; every other one runs here, from the project's root with the
project's ``.venv/bin`` first on PATH and no network (HF_HUB_OFFLINE=1), and its output is compared line
by line (a JSON line as JSON, without its ``seconds``). Output that depends on this machine having models
cached is skipped where it does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVALDATA = ROOT.parent / "shared" / "evaldata"


@dataclass(frozen=True)
class Command:
    line: int
    command: str
    output: tuple[str, ...]


def console_commands(path: Path) -> list[Command]:
    """Every command of the ``console`` blocks of `path`, with the output shown under it."""
    commands: list[Command] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    inside = False
    current: list[str] | None = None
    start = 0
    output: list[str] = []
    setup: list[str] = []
    """The block's variable assignments so far (``D=...``): the commands after them run with them."""

    def add(lines_of_command: list[str]) -> None:
        text = " ".join(lines_of_command)
        if re.match(r"^[A-Z_]+=\S+$", text):
            setup.append(text)
        elif not text.startswith("#"):
            commands.append(Command(start, "; ".join([*setup, text]), tuple(output)))

    for number, line in enumerate(lines, start=1):
        if line.startswith("```"):
            if inside and current is not None:
                add(current)
            inside, current, output, setup = line == "```console", None, [], []
            continue
        if not inside:
            continue
        if line.startswith("$ "):
            if current is not None:
                add(current)
            current, output, start = [line[2:].rstrip("\\").strip()], [], number
        elif current is not None and current[-1:] and lines[number - 2].endswith("\\"):
            current.append(line.strip().rstrip("\\").strip())
        elif line.strip():
            output.append(line)
    return commands


COMMANDS = [command for command in console_commands(ROOT / "README.md") if not command.command.startswith("curl ")]


def test_the_readme_examples_are_found() -> None:
    shown = [command.command.split()[0:2] for command in COMMANDS]
    assert ["summarize", "summarize"] in shown and ["python", "eval/score.py"] in shown and len(COMMANDS) >= 6


def _comparable(line: str) -> object:
    if line.startswith("{"):
        data = json.loads(line)
        data.pop("seconds", None)
        return data
    return line.rstrip()


@pytest.mark.parametrize("command", COMMANDS, ids=[f"README.md:{command.line}" for command in COMMANDS])
def test_a_readme_command_prints_what_the_readme_shows(command: Command) -> None:
    if "SUMMARIZE_EVALDATA" in command.command and not EVALDATA.is_dir():
        pytest.skip("the evaluation data is not beside the project")
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
                   "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(["bash", "-c", command.command], cwd=ROOT, capture_output=True, text=True, env=environment,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    printed = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    if any(re.search(r"\s{2,}cached\s", line) for line in printed):  # a `models list` status column
        pytest.skip("this machine has some of the models cached: the README shows them missing")
    assert [_comparable(line) for line in printed] == [_comparable(line) for line in command.output]
