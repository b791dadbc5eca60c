"""Documents per second: the batch engine vs a naive per-document loop, same model, same documents.

The model is a random-weight MarianMT of the real opus-mt-en-zh size (d_model 512,
6 encoder + 6 decoder layers, 8 heads, FFN 2048, 65,001-token vocabulary, ~77M
parameters), built offline: the tokenizer is the tiny test one (tests/tiny_models.py),
the model config has the real vocabulary size, and the output layer's bias rules out
the ids the tiny tokenizer cannot decode (the full 65k projection is still computed).
Every sentence's output is forced to ``--new-tokens`` tokens (min_new_tokens ==
max_new_tokens), so the cost is real while the text is noise.

- naive: ``service.translate(doc, "zh")`` for one document after another (each
  document's own sentences are still batched together, as the service does).
- batch: ``run_batch`` from a JSONL file to a JSONL file (reading, validation,
  fsync'ed writes included), ``batch.group_size`` documents per batched call.

Runs are interleaved (naive, batch, naive, batch, ...) and the medians reported,
because the CPU is shared. Usage::

    python benchmarks/batch_throughput.py --docs 12 --repeats 5 --threads 1
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

MARIAN_EN_ZH = {
    "d_model": 512,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "decoder_ffn_dim": 2048,
    "vocab_size": 65001,
    "max_position_embeddings": 512,
    "scale_embedding": True,
    "share_encoder_decoder_embeddings": True,
    "activation_function": "swish",
}


def build_model(folder: Path) -> Path:
    """A random MarianMT of the real en-zh size with the tiny tokenizer; returns its folder."""
    import torch
    from tiny_models import build_tiny_marian
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    tiny = build_tiny_marian(folder / "tokenizer", "en", "zh", (">>cmn_Hans<<", ">>cmn_Hant<<"))
    tokenizer = MarianTokenizer.from_pretrained(tiny)
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    config = MarianConfig(
        **MARIAN_EN_ZH, pad_token_id=pad, eos_token_id=eos, decoder_start_token_id=pad, forced_eos_token_id=eos
    )
    torch.manual_seed(0)
    model = MarianMTModel(config)
    with torch.no_grad():
        model.final_logits_bias[:, len(tokenizer):] = -1e4  # ids the tiny tokenizer cannot decode
        model.final_logits_bias[:, pad] = -1e4
    model.generation_config.update(bad_words_ids=None, max_length=512)
    out = folder / "marian-en-zh-size"
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def make_docs(count: int, seed: int = 0) -> list[str]:
    """English articles of 3 to 9 sentences drawn from the test corpus (different lengths, as in news)."""
    from tiny_models import ENGLISH_CORPUS

    from summarize import split_sentences

    sentences = [s for text in ENGLISH_CORPUS for s in split_sentences(text)]
    rng = random.Random(seed)
    return [" ".join(rng.choice(sentences) for _ in range(rng.randint(3, 9))) for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=12, help="documents per timed run")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved runs of each way")
    parser.add_argument("--new-tokens", type=int, default=16, help="forced output tokens per sentence")
    parser.add_argument("--beams", type=int, default=1)
    parser.add_argument("--group-size", type=int, default=64, help="batch.group_size")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (runtime.cpu_threads); 1 is steadiest on a shared CPU"
    )
    args = parser.parse_args()

    import torch

    from summarize import Service, load_settings
    from summarize.batch import Progress, run_batch

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        model_dir = build_model(folder)
        generation = {"num_beams": args.beams, "min_new_tokens": args.new_tokens, "max_new_tokens": args.new_tokens}
        settings = load_settings(
            overrides={
                "runtime.device": "cpu",
                "runtime.allow_download": False,
                "translate.models.en-zh.model": str(model_dir),
                "translate.models.en-zh.generation": generation,
                "batch.group_size": args.group_size,
                "runtime.cpu_threads": args.threads,
            },
            environ={},
        )
        service = Service(settings)
        docs = make_docs(args.docs)
        source = folder / "in.jsonl"
        source.write_text("".join(json.dumps({"id": str(i), "text": d}) + "\n" for i, d in enumerate(docs)))
        service.translate_batch(docs[:8], "zh")  # warm-up: load the model, first allocations
        segments = sum(service.translate(doc, "zh").chunks for doc in docs)  # warm-up of the naive path

        def naive() -> float:
            started = time.perf_counter()
            for doc in docs:
                service.translate(doc, "zh")
            return time.perf_counter() - started

        def batch(run: int) -> float:
            out = folder / f"out{run}.jsonl"
            started = time.perf_counter()
            silent = Progress(io.StringIO(), quiet=True)
            records = list(run_batch([source], out, "translate", "zh", service=service, progress=silent))
            elapsed = time.perf_counter() - started
            if len(records) != len(docs) or any(record["error"] for record in records):
                raise SystemExit("the batch run did not translate every document")
            return elapsed

        load_before = os.getloadavg()[0]
        naive_times, batch_times = [], []
        for run in range(args.repeats):
            naive_times.append(naive())
            batch_times.append(batch(run))
            print(f"run {run + 1}: naive {naive_times[-1]:.1f}s, batch {batch_times[-1]:.1f}s", flush=True)
        load_after = os.getloadavg()[0]

    naive_rate = args.docs / statistics.median(naive_times)
    batch_rate = args.docs / statistics.median(batch_times)
    print()
    print(f"| way | docs/s (median of {args.repeats}) | docs/s (best run) | runs (s) |")
    print("| --- | ---: | ---: | --- |")
    for name, times in (
        ("naive loop (`service.translate` per document)", naive_times),
        (f"batch engine (`run_batch`, group {args.group_size})", batch_times),
    ):
        runs = ", ".join(f"{t:.1f}" for t in times)
        print(f"| {name} | {args.docs / statistics.median(times):.2f} | {args.docs / min(times):.2f} | {runs} |")
    print()
    print(
        f"speed-up {batch_rate / naive_rate:.2f}x; {args.docs} documents ({segments} sentences), "
        f"{args.new_tokens} forced tokens per sentence, "
        f"beams {args.beams}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"load average {load_before:.1f} before / {load_after:.1f} after"
    )


if __name__ == "__main__":
    main()
