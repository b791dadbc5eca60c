#!/usr/bin/env bash
# The main job, offline: summarize the bundled English and Chinese examples (sets up .venv first if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --if-needed
for article in examples/article_en.txt examples/article_zh.txt; do
    echo "== .venv/bin/summarize summarize $article --config configs/offline.yaml"
    HF_HUB_OFFLINE=1 .venv/bin/summarize summarize "$article" --config configs/offline.yaml
done
