#!/usr/bin/env bash
# The GPU measurements of issue 18 in one run of under 8 minutes on one GPU (the `device` tool's H200).
#
#   bash benchmarks/gpu.sh --prepare   # here, once: .gpu/ (git-ignored) gets the CTranslate2 wheel for the
#                                      # device's Python 3.12 and the few evaluation files speed.py reads
#   bash benchmarks/gpu.sh             # on the device, run with carry [".gpu"]; results land in $OUT
#                                      # (or benchmarks/ when $OUT is unset)
#
# What it runs (each step with its own time limit, so one slow step cannot eat the others):
# - benchmarks/speed.py on the opus-mt-en-zh (Marian) and bart-large-cnn shapes with the GPU engines:
#   transformers fp32/bf16/fp16 batched, the project's CTranslate2 fp16 and int8_float16 backend, and
#   plain CTranslate2 fp16 (the bar the project's GPU path must reach);
# - benchmarks/llm.py local on the Qwen2.5-0.5B shape: batched against one-at-a-time generation, bf16;
# - a torch profile of one bf16 and one fp32 Marian generate step (kernels, casts, attention path),
#   to find why transformers bf16 ran at a quarter of fp32 in the measurements quoted in issue 18.
# Not yet run: no device was lent to the session that wrote it (see benchmarks/RESULTS-speed.md).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--prepare" ]; then
    data="${SUMMARIZE_EVALDATA:-../shared/evaldata}"
    exclude="$(git rev-parse --git-path info/exclude)"
    mkdir -p "$(dirname "$exclude")"
    grep -qx '/.gpu/' "$exclude" 2>/dev/null || echo '/.gpu/' >> "$exclude"
    mkdir -p .gpu/wheels .gpu/evaldata
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
        -d .gpu/wheels "ctranslate2==4.8.5"
    # Only the files speed.py reads; they travel in the ignored .gpu/ folder and are never committed.
    for path in flores200-eng-zho summeval-cnndm/model_output_annotations/M22_outputs_annotations.jsonl \
                lcsts-zh/data/LCSTS/test.src.txt; do
        mkdir -p ".gpu/evaldata/$(dirname "$path")"
        cp -r "$data/$path" ".gpu/evaldata/$path"
    done
    du -sh .gpu
    exit 0
fi

out="${OUT:-benchmarks}"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpu/wheels/*.whl
export PYTHONPATH="$PWD/src:/tmp/site"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/gpu.txt"
python3 -c "import ctranslate2; print('ctranslate2', ctranslate2.__version__, 'cuda devices:', ctranslate2.get_cuda_device_count())" \
    2>&1 | tee -a "$out/gpu.txt" || true

timeout 300 python3 benchmarks/speed.py --shapes opus-mt-en-zh,bart-large-cnn --repeats 2 --timeout 120 \
    --engines naive-cuda,hf-fp32-cuda,hf-bf16-cuda,hf-fp16-cuda,ct2-fp16-cuda,ct2-int8fp16-cuda,plain-ct2-fp16-cuda \
    --data-dir .gpu/evaldata --work-dir /tmp/bench --out "$out/RESULTS-speed-gpu.md" 2>&1 | tee "$out/speed.log" || true

timeout 100 python3 benchmarks/llm.py local --device cuda --prompts 64 --new-tokens 64 --repeats 2 \
    2>&1 | tee "$out/llm.log" || true

timeout 60 python3 - <<'PY' 2>&1 | tee "$out/profile.txt" || true
# One Marian generate step in fp32 and bf16 under the torch profiler: the top CUDA kernels and casts.
import pathlib, torch
from torch.profiler import ProfilerActivity, profile
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
folder = next(pathlib.Path("/tmp/bench").glob("**/opus-mt-en-zh*"), None)
if folder is None:
    raise SystemExit("no opus-mt-en-zh model was built by speed.py")
tokenizer = AutoTokenizer.from_pretrained(folder)
batch = tokenizer([">>cmn_Hans<< The bridge reopened on Monday after eight months of repairs."] * 32,
                  return_tensors="pt", padding=True).to("cuda")
for dtype in (torch.float32, torch.bfloat16):
    model = AutoModelForSeq2SeqLM.from_pretrained(folder, dtype=dtype).to("cuda").eval()
    with torch.inference_mode():
        model.generate(**batch, min_new_tokens=8, max_new_tokens=8)  # warm-up
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as run:
            model.generate(**batch, min_new_tokens=8, max_new_tokens=8)
    print(f"== {dtype}")
    print(run.key_averages().table(sort_by="cuda_time_total", row_limit=15))
PY
