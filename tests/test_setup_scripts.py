"""The README's two commands: what they are, that CI runs them, and when they set .venv up."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ["bash scripts/demo.sh", "bash scripts/test.sh"]


def test_readme_starts_with_the_two_commands_and_ci_runs_them() -> None:
    first_block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands == COMMANDS
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert [line for line in ci_lines if line in COMMANDS] == COMMANDS


@pytest.fixture()
def checkout(tmp_path: Path) -> Path:
    """A copy of the files the set-up decision reads, with a fake python3 that records being called."""
    for name in ("pyproject.toml", "scripts/install.sh"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "bin").mkdir()
    fake = tmp_path / "bin" / "python3"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/python3-calls\nexit 3\n')
    fake.chmod(0o755)
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "summarize").write_text("")
    (tmp_path / ".venv" / "bin" / "summarize").chmod(0o755)
    return tmp_path


def install_if_needed(checkout: Path) -> int:
    env = {**os.environ, "PATH": f"{checkout / 'bin'}:{os.environ['PATH']}"}
    command = ["bash", str(checkout / "scripts" / "install.sh"), "--if-needed"]
    return subprocess.run(command, env=env, capture_output=True, check=False).returncode


def test_an_up_to_date_venv_is_left_alone(checkout: Path) -> None:
    stamp = hashlib.sha256((checkout / "pyproject.toml").read_bytes() + (checkout / "scripts/install.sh").read_bytes())
    (checkout / ".venv" / ".installed").write_text(stamp.hexdigest() + "\n")
    assert install_if_needed(checkout) == 0
    assert not (checkout / "python3-calls").exists()


@pytest.mark.parametrize("stamp", [None, "0" * 64])
def test_a_missing_or_stale_venv_is_set_up(checkout: Path, stamp: str | None) -> None:
    if stamp is not None:
        (checkout / ".venv" / ".installed").write_text(stamp + "\n")
    assert install_if_needed(checkout) == 3  # the fake python3's status: set-up was attempted
    assert (checkout / "python3-calls").read_text() == "-m venv .venv\n"
