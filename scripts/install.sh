#!/usr/bin/env bash
# Set up a virtual environment in .venv with the package, every extra and the test tools.
# torch goes in first, pinned, so pip takes the CPU wheel instead of a multi-GB CUDA build;
# pyproject.toml keeps a range for users who bring their own torch.
# --if-needed: do nothing when .venv was set up from the same pyproject.toml and install.sh
# (the stamp .venv/.installed holds the sha256 of the two files, concatenated).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp="$(cat pyproject.toml scripts/install.sh | sha256sum | cut -d' ' -f1)"
if [ "${1:-}" = "--if-needed" ] && [ -x .venv/bin/summarize ] && [ "$(cat .venv/.installed 2>/dev/null)" = "$stamp" ]; then
    exit 0
fi
echo "setting up .venv (a few minutes, once) ..." >&2
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[dev,eval,neural,batch,ray,serve,web,fast,documents,llm]"
echo "$stamp" > .venv/.installed
echo "installed in .venv: run commands as .venv/bin/summarize ..., or activate it with '. .venv/bin/activate'" >&2
