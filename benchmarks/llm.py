"""The llm engine's throughput: local batched vs one-at-a-time generation, and endpoint concurrency.

local: a random-weight chat model of the Qwen2.5-0.5B-Instruct shape (hidden 896, 24 layers,
14 query / 2 key-value heads, FFN 4864, 151,936-token vocabulary with tied embeddings, ~494M
parameters), built offline: the tokenizer and ChatML template are the tiny test ones
(tests/tiny_models.py), the model config has the real shape. Every answer is forced to
``--new-tokens`` tokens (min_new_tokens == max_new_tokens), so the cost is real and the text is
noise. The prompts are the translation prompts of the test corpus's paragraphs (English and
Chinese news written for the tests). Compared: ``LocalChatModel.complete`` with all prompts at
once (length-sorted, left-padded batches) against one ``complete`` call per prompt. The dtype is
the runtime default (float32 on CPU, bfloat16 on CUDA).

endpoint: ``EndpointChatModel.complete`` against the scripted chat-completions server of the tests
(tests/chat_server.py, 127.0.0.1) that holds every request ``--server-delay`` seconds, like a
model server generating an answer; requests/s at each ``--concurrency`` (llm.max_concurrency).

Runs are interleaved and medians reported, because the machine is shared. Usage::

    python benchmarks/llm.py local --prompts 16 --new-tokens 32 --repeats 3 --device cpu   # ~10 min on 2 idle cores
    python benchmarks/llm.py endpoint --requests 64 --server-delay 0.1 --concurrency 1 4 16 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

QWEN25_05B = {
    "hidden_size": 896,
    "intermediate_size": 4864,
    "num_hidden_layers": 24,
    "num_attention_heads": 14,
    "num_key_value_heads": 2,
    "vocab_size": 151936,
    "max_position_embeddings": 32768,
    "tie_word_embeddings": True,
    "rope_theta": 1000000.0,
}


def build_model(folder: Path, new_tokens: int) -> Path:
    """The tiny chat tokenizer with a random model of the Qwen2.5-0.5B shape, answers forced to `new_tokens`."""
    import torch
    from tiny_models import build_tiny_qwen2_chat
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    build_tiny_qwen2_chat(folder)
    tiny = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config = Qwen2Config(**QWEN25_05B, eos_token_id=tiny["eos_token_id"], pad_token_id=tiny["pad_token_id"])
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(
        eos_token_id=tiny["eos_token_id"], pad_token_id=tiny["pad_token_id"],
        min_new_tokens=new_tokens, max_new_tokens=new_tokens,
    )
    model.save_pretrained(folder)
    return folder


def prompts(count: int) -> list[list[dict[str, str]]]:
    from tiny_models import CHINESE_CORPUS, ENGLISH_CORPUS

    from summarize.engines.llm.prompts import translation_prompt

    pairs = [(text, "en", "zh") for text in ENGLISH_CORPUS] + [(text, "zh", "en") for text in CHINESE_CORPUS]
    return [translation_prompt(text, source, target) for text, source, target in (pairs * count)[:count]]


def run_local(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from summarize.config import load_settings
    from summarize.engines.llm.local import load_local_chat_model

    with tempfile.TemporaryDirectory() as temp:
        started = time.perf_counter()
        folder = build_model(Path(temp) / "qwen2.5-0.5b-shape", args.new_tokens)
        _say(f"built and saved the model in {time.perf_counter() - started:.0f} s")
        overrides = {
            "llm.model": str(folder), "llm.generation.max_new_tokens": args.new_tokens,
            "runtime.device": args.device, "runtime.batch_tokens": args.batch_tokens,
            "runtime.max_batch_size": args.max_batch_size,
        }
        settings = load_settings(overrides=overrides, environ={})
        model = load_local_chat_model(settings.llm, settings.runtime)
        conversations = prompts(args.prompts)
        started = time.perf_counter()
        model.complete(conversations[:1], args.new_tokens)  # warm-up
        _say(f"loaded; warm-up (one prompt) took {time.perf_counter() - started:.0f} s")
        times: dict[str, list[float]] = {"one at a time": [], "batched": []}
        for _ in range(args.repeats):
            started = time.perf_counter()
            alone = [model.complete([conversation], args.new_tokens)[0] for conversation in conversations]
            times["one at a time"].append(time.perf_counter() - started)
            started = time.perf_counter()
            batched = model.complete(conversations, args.new_tokens)
            times["batched"].append(time.perf_counter() - started)
            _say(f"run: one at a time {times['one at a time'][-1]:.1f} s, batched {times['batched'][-1]:.1f} s")
        same = sum(a.text == b.text for a, b in zip(alone, batched))
        prompt_tokens = model.count_tokens([model.render(c) for c in conversations])
        return {
            "part": "local",
            "device": str(model.model.device),
            "dtype": str(model.model.dtype),
            "parameters": sum(p.numel() for p in model.model.parameters()),
            "prompts": len(conversations),
            "prompt_tokens_mean": round(statistics.mean(prompt_tokens), 1),
            "new_tokens": args.new_tokens,
            "torch_threads": torch.get_num_threads(),
            "identical_outputs": f"{same}/{len(conversations)}",
            "runs": {name: [round(t, 3) for t in values] for name, values in times.items()},
            "median_seconds": {name: round(statistics.median(values), 3) for name, values in times.items()},
            "tokens_per_second": {
                name: round(len(conversations) * args.new_tokens / statistics.median(values), 3)
                for name, values in times.items()
            },
            "speedup": round(statistics.median(times["one at a time"]) / statistics.median(times["batched"]), 2),
        }


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_endpoint(args: argparse.Namespace) -> dict[str, Any]:
    from chat_server import ChatServer, echo_article

    from summarize.config import load_settings
    from summarize.engines.llm.endpoint import EndpointChatModel

    def slow_echo(body: dict[str, Any]) -> Any:
        reply = echo_article(body)
        reply.delay_s = args.server_delay
        return reply

    conversations = prompts(args.requests)
    rates: dict[int, list[float]] = {level: [] for level in args.concurrency}
    with ChatServer(slow_echo) as server:
        for _ in range(args.repeats):
            for level in args.concurrency:
                overrides = {"llm.endpoint": server.url, "llm.model": "test-model", "llm.max_concurrency": level}
                backend = EndpointChatModel(load_settings(overrides=overrides, environ={}).llm)
                started = time.perf_counter()
                backend.complete(conversations, 64)
                rates[level].append(len(conversations) / (time.perf_counter() - started))
                backend.close()
        max_in_flight = server.max_in_flight
    return {
        "part": "endpoint",
        "requests": len(conversations),
        "server_delay_s": args.server_delay,
        "max_in_flight_seen": max_in_flight,
        "runs_requests_per_second": {level: [round(r, 1) for r in values] for level, values in rates.items()},
        "median_requests_per_second": {level: round(statistics.median(values), 1) for level, values in rates.items()},
        "ideal_requests_per_second": {level: round(level / args.server_delay, 1) for level in args.concurrency},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parts = parser.add_subparsers(dest="part", required=True)
    local = parts.add_parser("local", help="batched vs one-at-a-time generation, Qwen2.5-0.5B shape")
    local.add_argument("--prompts", type=int, default=16)
    local.add_argument("--new-tokens", type=int, default=32)
    local.add_argument("--repeats", type=int, default=3)
    local.add_argument("--device", default="auto")
    local.add_argument("--batch-tokens", type=int, default=32768)
    local.add_argument("--max-batch-size", type=int, default=32)
    endpoint = parts.add_parser("endpoint", help="requests/s against the test server at several concurrencies")
    endpoint.add_argument("--requests", type=int, default=64)
    endpoint.add_argument("--server-delay", type=float, default=0.1)
    endpoint.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    endpoint.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    result = run_local(args) if args.part == "local" else run_endpoint(args)
    result["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(), "load_average": os.getloadavg()}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
