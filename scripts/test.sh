#!/usr/bin/env bash
# The test suite (sets up .venv first if needed); arguments go to pytest, e.g. scripts/test.sh -x -q tests/test_cli.py
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --if-needed
exec .venv/bin/python -m pytest "$@"
