#!/usr/bin/env bash
# Set up a virtual environment in .venv with the package, every extra and the test tools.
# torch goes in first, pinned, so pip takes the CPU wheel instead of a multi-GB CUDA build;
# pyproject.toml keeps a range for users who bring their own torch.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet "torch==2.13.0"
python -m pip install --quiet -e ".[dev,eval,neural,batch,ray,web,fast]"
echo "installed: activate with '. .venv/bin/activate'"
