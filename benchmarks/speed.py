"""Speed and memory of the inference engines, on random-weight models of the real shapes.

    python benchmarks/speed.py                      # the full run (about 20-25 minutes on 2 cores)
    python benchmarks/speed.py --quick              # a smoke run of every code path (small counts)
    python benchmarks/speed.py --shapes opus-mt-en-zh --repeats 5

What it does:

* builds, once, into ``--work-dir`` (default ``~/.cache/summarize/bench``), random-weight models
  of the shapes of Helsinki-NLP/opus-mt-en-zh and opus-mt-zh-en, facebook/bart-large-cnn and
  csebuetnlp/mT5_multilingual_XLSum (mT5-base), with tokenizers trained offline on the
  evaluation data (sentencepiece / byte-level BPE) and vocabularies filled up to the real
  sizes, so that input token counts and output-layer widths are realistic;
* reads real inputs from ``--data-dir`` (FLORES-200 sentences, SummEval CNN/DM articles cut to
  700 tokens, LCSTS texts joined into ~500-token documents); nothing is copied into the repo;
* forces every output to the same length (``min_new_tokens == max_new_tokens``), so that every
  engine does the same work: output quality is noise, the cost is real;
* runs each engine in its own child process (its own peak RSS), repeats interleaved with the
  engine order rotated, and reports medians: items/s, output tokens/s, peak RSS, and the
  speed-up over the naive loop taken within each repeat;
* writes a markdown report (``--out``, default ``benchmarks/RESULTS-speed.md``).

Engines: ``naive`` (transformers generate, one input at a time, like most tutorials),
``default`` (the project's transformers engine: length-sorted token-budget batches, fp32),
``hf-int8`` (the same with torch dynamic int8), ``ct2-int8`` (the project's CTranslate2
backend, int8, default threads), ``fast`` (configs/fast-cpu.yaml: CTranslate2 int8, 2 replicas x
1 thread, target-language vocabulary for Marian), ``plain-ct2-int8`` (ctranslate2.Translator
used directly, as its documentation shows) and, where CUDA is present, the GPU engines
(transformers fp32/bf16/fp16 batched, the project's CTranslate2 fp16/int8_float16, plain
CTranslate2 fp16).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUILD_VERSION = 2
"""Bump to rebuild the cached models when the builders change."""
TARGET_PIECES = 32_000
"""opus-mt's sentencepiece models have 32k pieces per language (spm32k); ours are filled up to it."""


@dataclass(frozen=True)
class Shape:
    """One real model shape and the work the benchmark gives it."""

    name: str
    kind: str  # marian | bart | mt5
    task: str  # translate | summarize
    source: str
    target: str
    items: int
    naive_items: int
    new_tokens: int
    beams: tuple[int, ...]
    generation: dict[str, Any] = field(default_factory=dict)
    """Extra generation settings shared by every engine (the model card's)."""
    repeats: int = 0
    """Repeats for this shape; 0 takes --repeats."""
    engines: tuple[str, ...] = ()
    """CPU engines to run (empty: all of CPU_ENGINES)."""

    @property
    def unit(self) -> str:
        return "sentences" if self.task == "translate" else "documents"


SHAPES: dict[str, Shape] = {
    shape.name: shape
    for shape in (
        Shape(
            "opus-mt-en-zh", "marian", "translate", "en", "zh", items=200, naive_items=20, new_tokens=48, beams=(1, 4),
            engines=("naive", "default", "hf-int8", "fast", "plain-ct2-int8"),
        ),
        Shape(
            "opus-mt-zh-en", "marian", "translate", "zh", "en", items=200, naive_items=20, new_tokens=48, beams=(1, 4),
            repeats=2, engines=("naive", "default", "fast", "plain-ct2-int8"),
        ),
        Shape(
            "bart-large-cnn", "bart", "summarize", "en", "en", items=2, naive_items=2, new_tokens=48, beams=(4,),
            generation={"length_penalty": 2.0, "no_repeat_ngram_size": 3}, repeats=2,
        ),
        Shape(
            "mt5-base-xlsum", "mt5", "summarize", "zh", "zh", items=2, naive_items=2, new_tokens=48, beams=(4,),
            generation={"no_repeat_ngram_size": 2}, repeats=1, engines=("naive", "default", "hf-int8", "fast", "plain-ct2-int8"),
        ),
    )
}

CPU_ENGINES = ("naive", "default", "hf-int8", "ct2-int8", "fast", "plain-ct2-int8")
GPU_ENGINES = ("naive-cuda", "hf-fp32-cuda", "hf-bf16-cuda", "hf-fp16-cuda", "ct2-fp16-cuda", "ct2-int8fp16-cuda", "plain-ct2-fp16-cuda")
ABLATIONS = {"opus-mt-en-zh": ("default-1x2", "default-full-vocab", "ct2-int8-2x1", "ct2-int8-vocab")}
"""Extra engines for one shape: which part of ``default`` and of ``fast`` gives what."""


# --------------------------------------------------------------------------- data


def data_dir(given: str | None) -> Path:
    folder = Path(given or os.environ.get("SUMMARIZE_EVALDATA") or ROOT.parent / "shared" / "evaldata")
    if not (folder / "flores200-eng-zho").is_dir():
        raise SystemExit(f"evaluation data not found in {folder}; pass --data-dir or set SUMMARIZE_EVALDATA")
    return folder


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _flores(data: Path, split: str, lang: str) -> list[str]:
    code = {"en": "eng_Latn", "zh": "zho_Hans"}[lang]
    return _lines(data / "flores200-eng-zho" / "data" / "flores200_dataset" / split / f"{code}.{split}")


def _summeval_articles(data: Path) -> list[str]:
    articles: dict[str, str] = {}
    with (data / "summeval-cnndm" / "model_output_annotations" / "M22_outputs_annotations.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            articles.setdefault(record["id"], record["text"])
    return list(articles.values())


def training_corpus(data: Path, lang: str) -> list[str]:
    """Text to train the benchmark tokenizers on (FLORES dev, WMT22, SummEval or LCSTS; not FLORES devtest)."""
    wmt = data / "wmt22-general-enzh" / "txt"
    if lang == "en":
        return [
            *_flores(data, "dev", "en"),
            *_lines(wmt / "sources" / "generaltest2022.en-zh.src.en"),
            *_lines(wmt / "references" / "generaltest2022.zh-en.ref.A.en"),
            *_lines(wmt / "references" / "generaltest2022.zh-en.ref.B.en"),
            *(line for path in sorted((wmt / "system-outputs").glob("*.zh-en.hyp.*.en")) for line in _lines(path)),
            *(line for article in _summeval_articles(data) for line in article.splitlines() if line.strip()),
        ]
    return [
        *_flores(data, "dev", "zh"),
        *_lines(wmt / "sources" / "generaltest2022.zh-en.src.zh"),
        *_lines(wmt / "references" / "generaltest2022.en-zh.ref.A.zh"),
        *_lines(data / "lcsts-zh" / "data" / "LCSTS" / "test.src.txt"),
    ]


def benchmark_inputs(shape: Shape, data: Path, tokenizer: Any) -> list[str]:
    """The real texts a shape is fed: FLORES devtest sentences, 700-token articles, ~500-token documents."""
    if shape.task == "translate":
        return _flores(data, "devtest", shape.source)[: shape.items]
    if shape.kind == "bart":
        articles = _summeval_articles(data)
        # SummEval's articles are ~360 words: two in a row make one 700-token input.
        return [_cut(tokenizer, articles[2 * i] + "\n" + articles[2 * i + 1], 700) for i in range(shape.items)]
    documents, current = [], ""
    for text in _lines(data / "lcsts-zh" / "data" / "LCSTS" / "test.src.txt"):
        current += text
        if len(tokenizer(current, add_special_tokens=False)["input_ids"]) >= 500:
            documents.append(_cut(tokenizer, current, 500))
            current = ""
            if len(documents) == shape.items:
                break
    return documents


def _cut(tokenizer: Any, text: str, tokens: int) -> str:
    ids = tokenizer(text, add_special_tokens=False)["input_ids"][:tokens]
    return tokenizer.decode(ids, skip_special_tokens=True).strip()


# --------------------------------------------------------------------------- building the models


def _seeded(make: Callable[[], Any]) -> Any:
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return make()


def _train_spm(sentences: list[str], out: Path, vocab_size: int, **ids: int) -> None:
    import sentencepiece as spm

    with open(os.devnull, "w") as log:
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(sentences),
            model_prefix=str(out.with_suffix("")),
            logstream=log,
            model_type="unigram",
            vocab_size=vocab_size,
            hard_vocab_limit=False,
            character_coverage=0.9995,
            num_threads=2,
            **ids,
        )
    out.with_suffix(".model").rename(out)
    out.with_suffix(".vocab").unlink()


def _fill_spm(path: Path, pieces: int, prefix: str) -> None:
    """Add never-matching user-defined pieces until the model has `pieces` pieces (like a 32k spm)."""
    from sentencepiece import sentencepiece_model_pb2 as model_pb2

    proto = model_pb2.ModelProto()
    proto.ParseFromString(path.read_bytes())
    for index in range(pieces - len(proto.pieces)):
        piece = proto.pieces.add()
        piece.piece, piece.score, piece.type = f"<{prefix}{index}>", 0.0, model_pb2.ModelProto.SentencePiece.USER_DEFINED
    path.write_bytes(proto.SerializeToString())


def build_marian(out: Path, data: Path, source: str, target: str) -> None:
    """opus-mt-{source}-{target}: d_model 512, 6+6 layers, 8 heads, ffn 2048, vocabulary 65001."""
    import sentencepiece as spm
    from transformers import (
        GenerationConfig,
        MarianConfig,
        MarianMTModel,
        MarianTokenizer,
    )

    out.mkdir(parents=True, exist_ok=True)
    for side, lang in (("source", source), ("target", target)):
        _train_spm(training_corpus(data, lang), out / f"{side}.spm", TARGET_PIECES)
        _fill_spm(out / f"{side}.spm", TARGET_PIECES, f"unused_{side}_")
    tags = [">>cmn_Hans<<", ">>cmn_Hant<<", ">>yue_Hans<<", ">>yue_Hant<<"] if target == "zh" else []
    tokens = ["</s>", "<unk>", *tags]
    for side in ("source", "target"):
        processor = spm.SentencePieceProcessor(model_file=str(out / f"{side}.spm"))
        tokens += [
            processor.id_to_piece(i)
            for i in range(processor.get_piece_size())
            if not (processor.is_control(i) or processor.is_unknown(i))
        ]
    tokens = list(dict.fromkeys(tokens))
    tokens += [f"<unused_{i}>" for i in range(65_000 - len(tokens))] + ["<pad>"]
    vocab = {token: index for index, token in enumerate(tokens)}
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        source_spm=str(out / "source.spm"), target_spm=str(out / "target.spm"), vocab=str(out / "vocab.json"),
        source_lang=source, target_lang=target, model_max_length=512,
    )
    pad, eos = vocab["<pad>"], vocab["</s>"]
    config = MarianConfig(
        vocab_size=len(vocab), d_model=512, encoder_layers=6, decoder_layers=6, encoder_attention_heads=8,
        decoder_attention_heads=8, encoder_ffn_dim=2048, decoder_ffn_dim=2048, max_position_embeddings=512,
        activation_function="swish", scale_embedding=True, pad_token_id=pad, eos_token_id=eos,
        decoder_start_token_id=pad, forced_eos_token_id=eos, share_encoder_decoder_embeddings=True,
    )
    model = _seeded(lambda: MarianMTModel(config))
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]], bos_token_id=eos, decoder_start_token_id=pad, eos_token_id=eos,
        forced_eos_token_id=eos, pad_token_id=pad, max_length=512, num_beams=4,
    )
    _save(model, tokenizer, out)


def build_bart(out: Path, data: Path) -> None:
    """bart-large-cnn: d_model 1024, 12+12 layers, 16 heads, ffn 4096, vocabulary 50265."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import (
        BartConfig,
        BartForConditionalGeneration,
        BartTokenizer,
        GenerationConfig,
    )

    out.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        training_corpus(data, "en"), vocab_size=50_265, min_frequency=2,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"], show_progress=False,
    )
    vocab = bpe.get_vocab()
    for index in range(50_265 - len(vocab)):
        vocab[f"<unused_{index}>"] = len(vocab)
    merges = [tuple(merge) for merge in json.loads(bpe.to_str())["model"]["merges"]]
    tokenizer = BartTokenizer(vocab=vocab, merges=merges, model_max_length=1024)
    config = BartConfig(
        vocab_size=len(tokenizer), d_model=1024, encoder_layers=12, decoder_layers=12, encoder_attention_heads=16,
        decoder_attention_heads=16, encoder_ffn_dim=4096, decoder_ffn_dim=4096, max_position_embeddings=1024,
        activation_function="gelu", scale_embedding=False, bos_token_id=0, pad_token_id=1, eos_token_id=2,
        decoder_start_token_id=2, forced_bos_token_id=0, forced_eos_token_id=2,
    )
    model = _seeded(lambda: BartForConditionalGeneration(config))
    model.generation_config = GenerationConfig(
        bos_token_id=0, decoder_start_token_id=2, eos_token_id=2, forced_bos_token_id=0, forced_eos_token_id=2,
        pad_token_id=1, num_beams=4, length_penalty=2.0, min_length=56, max_length=142, no_repeat_ngram_size=3,
        early_stopping=True,
    )
    _save(model, tokenizer, out)


def build_mt5(out: Path, data: Path) -> None:
    """mT5-base (XL-Sum): d_model 768, 12+12 layers, 12 heads, gated-GELU ffn 2048, vocabulary 250112."""
    from transformers import (
        GenerationConfig,
        MT5Config,
        MT5ForConditionalGeneration,
        T5Tokenizer,
    )

    out.mkdir(parents=True, exist_ok=True)
    corpus = training_corpus(data, "zh") + training_corpus(data, "en")
    _train_spm(corpus, out / "spiece.model", TARGET_PIECES, pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
    tokenizer = T5Tokenizer.from_pretrained(str(out), extra_ids=0, model_max_length=512)
    config = MT5Config(
        vocab_size=250_112, d_model=768, d_kv=64, d_ff=2048, num_layers=12, num_decoder_layers=12, num_heads=12,
        relative_attention_num_buckets=32, feed_forward_proj="gated-gelu", pad_token_id=0, eos_token_id=1,
        decoder_start_token_id=0,
    )
    config.tie_word_embeddings = False  # as in mT5; MT5Config's constructor forces True in transformers 5
    model = _seeded(lambda: MT5ForConditionalGeneration(config))
    model.generation_config = GenerationConfig(
        decoder_start_token_id=0, eos_token_id=1, pad_token_id=0, num_beams=4, max_length=84, no_repeat_ngram_size=2,
    )
    _save(model, tokenizer, out)


def _save(model: Any, tokenizer: Any, out: Path) -> None:
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


BUILDERS: dict[str, Callable[[Path, Path], None]] = {
    "opus-mt-en-zh": lambda out, data: build_marian(out, data, "en", "zh"),
    "opus-mt-zh-en": lambda out, data: build_marian(out, data, "zh", "en"),
    "bart-large-cnn": build_bart,
    "mt5-base-xlsum": build_mt5,
}


def prepare(shape: Shape, work: Path, data: Path) -> dict[str, Any]:
    """Build (once) the model of `shape`, convert it for CTranslate2 (once), and pick its inputs."""
    from transformers import AutoTokenizer

    from summarize.config import RuntimeSettings
    from summarize.engines.ctranslate2 import convert_model

    folder = work / "models" / shape.name
    marker = folder / "BUILT"
    built_seconds = None
    if not marker.is_file() or marker.read_text() != str(BUILD_VERSION):
        started = time.perf_counter()
        print(f"[build] {shape.name} into {folder} ...", file=sys.stderr, flush=True)
        BUILDERS[shape.name](folder, data)
        marker.write_text(str(BUILD_VERSION))
        built_seconds = time.perf_counter() - started
    tokenizer = AutoTokenizer.from_pretrained(folder)
    conversions = {}
    for quantization in ("int8", "none"):
        runtime = RuntimeSettings(device="cpu", backend="ctranslate2", quantization=quantization, cache_dir=str(work / "cache"))
        started = time.perf_counter()
        converted = convert_model(folder, tokenizer, runtime, shape.name, "benchmark")
        conversions[quantization] = {"folder": str(converted), "seconds": round(time.perf_counter() - started, 1)}
    texts = benchmark_inputs(shape, data, tokenizer)
    counts = [len(ids) for ids in tokenizer(texts)["input_ids"]]
    naive_counts = [len(ids) for ids in tokenizer(naive_subset(shape, texts))["input_ids"]]
    return {
        "folder": str(folder),
        "texts": texts,
        "input_tokens": {"mean": round(statistics.mean(counts), 1), "min": min(counts), "max": max(counts)},
        "naive_input_tokens": round(statistics.mean(naive_counts), 1),
        "vocab_size": json.loads((folder / "config.json").read_text(encoding="utf-8"))["vocab_size"],
        "tokenizer_size": len(tokenizer),
        "build_seconds": built_seconds,
        "conversions": conversions,
    }


# --------------------------------------------------------------------------- engines (run in a child process)


def _generation(shape: Shape, beams: int) -> dict[str, Any]:
    return {"num_beams": beams, "min_new_tokens": shape.new_tokens, "max_new_tokens": shape.new_tokens, **shape.generation}


def _project_runner(shape: Shape, folder: str, runtime_settings: dict[str, Any], work: Path) -> Callable[[list[str], int], list[str]]:
    from summarize.config import ModelSettings, RuntimeSettings
    from summarize.engines.loader import load_seq2seq

    runtime = RuntimeSettings(allow_download=False, cache_dir=str(work / "cache"), **runtime_settings)
    if runtime.cpu_threads == 0 and runtime.device == "cpu":
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
    model = load_seq2seq(ModelSettings(model=folder), "benchmark", runtime)
    return lambda texts, beams: model.generate(texts, shape.target, _generation(shape, beams))


def _naive_runner(shape: Shape, folder: str, device: str) -> Callable[[list[str], int], list[str]]:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder).to(device).eval()
    prefix = ">>cmn_Hans<< " if shape.kind == "marian" and shape.target == "zh" else ""

    def run(texts: list[str], beams: int) -> list[str]:
        outputs = []
        for text in texts:
            encoded = tokenizer(prefix + text, return_tensors="pt", truncation=True).to(device)
            with torch.inference_mode():
                generated = model.generate(**encoded, **_generation(shape, beams))
            outputs.append(tokenizer.decode(generated[0], skip_special_tokens=True))
        return outputs

    return run


def _plain_ct2_runner(shape: Shape, folder: str, converted: str, device: str, compute_type: str) -> Callable[[list[str], int], list[str]]:
    """ctranslate2.Translator used directly, as its documentation shows (default threads, max batch 32)."""
    import ctranslate2
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    translator = ctranslate2.Translator(converted, device=device, compute_type=compute_type)
    prefix = ">>cmn_Hans<< " if shape.kind == "marian" and shape.target == "zh" else ""
    forced_eos = shape.kind in ("marian", "bart")  # their generation configs force EOS at the last position
    length = shape.new_tokens - (1 if forced_eos else 0)  # the same outputs as generate() (see the backend)
    options = {
        "max_batch_size": 32,
        "max_decoding_length": length,
        "min_decoding_length": length,
        "length_penalty": shape.generation.get("length_penalty", 1.0),
        "no_repeat_ngram_size": shape.generation.get("no_repeat_ngram_size", 0),
    }

    def run(texts: list[str], beams: int) -> list[str]:
        sources = [tokenizer.convert_ids_to_tokens(tokenizer(prefix + text, truncation=True)["input_ids"]) for text in texts]
        target_prefix = [["<s>"]] * len(texts) if shape.kind == "bart" else None
        results = translator.translate_batch(sources, target_prefix, beam_size=beams, **options)
        ids = [tokenizer.convert_tokens_to_ids(result.hypotheses[0]) for result in results]
        return tokenizer.batch_decode(ids, skip_special_tokens=True)

    return run


def make_runner(engine: str, shape: Shape, prepared: dict[str, Any], work: Path) -> Callable[[list[str], int], list[str]]:
    folder = prepared["folder"]
    int8_folder = prepared["conversions"]["int8"]["folder"]
    float_folder = prepared["conversions"]["none"]["folder"]
    fast = {"backend": "ctranslate2", "quantization": "int8", "device": "cpu", "max_batch_size": 16}
    project = {
        "default": {"device": "cpu"},
        "default-1x2": {"device": "cpu", "inter_threads": 1},
        "default-full-vocab": {"device": "cpu", "restrict_vocabulary": False},
        "hf-int8": {"device": "cpu", "quantization": "int8"},
        "ct2-int8": {"device": "cpu", "backend": "ctranslate2", "quantization": "int8"},
        "fast": {**fast, "inter_threads": 2, "cpu_threads": 1, "restrict_vocabulary": True},
        "ct2-int8-2x1": {**fast, "inter_threads": 2, "cpu_threads": 1, "restrict_vocabulary": False},
        "ct2-int8-vocab": {"device": "cpu", "backend": "ctranslate2", "quantization": "int8", "inter_threads": 1},
        "hf-fp32-cuda": {"device": "cuda", "dtype": "float32", "max_batch_size": 64},
        "hf-bf16-cuda": {"device": "cuda", "dtype": "bfloat16", "max_batch_size": 64},
        "hf-fp16-cuda": {"device": "cuda", "dtype": "float16", "max_batch_size": 64},
        "ct2-fp16-cuda": {"device": "cuda", "backend": "ctranslate2", "dtype": "float16", "max_batch_size": 64},
        "ct2-int8fp16-cuda": {
            "device": "cuda", "backend": "ctranslate2", "dtype": "float16", "quantization": "int8", "max_batch_size": 64,
        },
    }
    if engine in project:
        return _project_runner(shape, folder, project[engine], work)
    if engine == "naive":
        return _naive_runner(shape, folder, "cpu")
    if engine == "naive-cuda":
        return _naive_runner(shape, folder, "cuda")
    if engine == "plain-ct2-int8":
        return _plain_ct2_runner(shape, folder, int8_folder, "cpu", "int8")
    if engine == "plain-ct2-fp16-cuda":
        return _plain_ct2_runner(shape, folder, float_folder, "cuda", "float16")
    raise SystemExit(f"unknown engine {engine!r}")


def naive_subset(shape: Shape, texts: list[str]) -> list[str]:
    """The inputs of the naive loop: every k-th input, so that their lengths are like the whole set's."""
    return texts[: shape.items][:: max(1, shape.items // shape.naive_items)][: shape.naive_items]


def child(request: dict[str, Any]) -> dict[str, Any]:
    """Load one engine, warm it up, time each beam setting; report seconds and the process's peak RSS."""
    shape = Shape(**{**request["shape"], "beams": tuple(request["shape"]["beams"])})
    prepared, engine, work = request["prepared"], request["engine"], Path(request["work"])
    started = time.perf_counter()
    run = make_runner(engine, shape, prepared, work)
    load_seconds = time.perf_counter() - started
    texts = naive_subset(shape, prepared["texts"]) if engine.startswith("naive") else prepared["texts"][: shape.items]
    run(texts[:2], 1)  # warm-up: first-call allocations and kernel selection are not timed
    seconds, empty = {}, {}
    for beams in shape.beams:
        started = time.perf_counter()
        outputs = run(texts, beams)
        seconds[str(beams)] = time.perf_counter() - started
        empty[str(beams)] = sum(1 for text in outputs if not text)
    return {
        "engine": engine,
        "shape": shape.name,
        "items": len(texts),
        "seconds": seconds,
        "empty_outputs": empty,
        "load_seconds": load_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would include the parent's peak from before exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- the run and the report


def run_child(request: dict[str, Any], timeout: float) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    completed = subprocess.run(
        [sys.executable, __file__, "--child"], input=json.dumps(request), capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
    )
    if completed.returncode != 0:
        raise SystemExit(f"{request['engine']} on {request['shape']['name']} failed:\n{completed.stderr[-4000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["load_average_before"] = load_before
    return result


def engines_for(shape: Shape, cuda: bool, only: Iterable[str] | None) -> list[str]:
    engines = list(shape.engines or CPU_ENGINES) + list(ABLATIONS.get(shape.name, ()))
    if cuda:
        engines += list(GPU_ENGINES)
    return [engine for engine in engines if not only or engine in only]


def median_table(shape: Shape, results: list[dict[str, Any]], engines: list[str]) -> list[dict[str, Any]]:
    """Per engine: median items/s, tokens/s and speed-ups (within each repeat) for every beam setting."""
    by_repeat: dict[int, dict[str, dict[str, Any]]] = {}
    for result in results:
        by_repeat.setdefault(result["repeat"], {})[result["engine"]] = result
    rows = []
    for engine in engines:
        row: dict[str, Any] = {"engine": engine, "beams": {}}
        runs = [repeat[engine] for repeat in by_repeat.values() if engine in repeat]
        if not runs:
            continue
        row["peak_rss_mb"] = max(run["peak_rss_mb"] for run in runs)
        row["load_seconds"] = statistics.median(run["load_seconds"] for run in runs)
        row["empty_outputs"] = max(max(run["empty_outputs"].values()) for run in runs)
        for beams in shape.beams:
            key = str(beams)
            rates = [run["items"] / run["seconds"][key] for run in runs]
            entry = {"rate": statistics.median(rates), "tokens": statistics.median(rates) * shape.new_tokens, "repeats": len(rates)}
            for base_name, label in (("naive", "vs_naive"), ("plain-ct2-int8", "vs_plain")):
                ratios = [
                    (repeat[engine]["items"] / repeat[engine]["seconds"][key])
                    / (repeat[base_name]["items"] / repeat[base_name]["seconds"][key])
                    for repeat in by_repeat.values()
                    if engine in repeat and base_name in repeat
                ]
                entry[label] = statistics.median(ratios) if ratios else None
            row["beams"][key] = entry
        rows.append(row)
    return rows


DESCRIPTIONS = {
    "naive": "transformers `generate()`, one input at a time (the tutorial loop), fp32",
    "default": (
        "project default: transformers `generate()` in length-sorted token-budget batches (max 32), fp32; "
        "2 batches at a time x 1 thread each (automatic on 2 cores); target-language vocabulary (Marian); "
        "beam search without reordering the cross-attention cache"
    ),
    "default-1x2": "ablation: `default` decoding one batch at a time with both threads (`runtime.inter_threads: 1`)",
    "default-full-vocab": "ablation: `default` scoring the whole vocabulary (`runtime.restrict_vocabulary: false`)",
    "hf-int8": "project default with `runtime.quantization: int8` (torch dynamic int8 Linear layers)",
    "ct2-int8": "project, `runtime.backend: ctranslate2`, int8, automatic threads (2 replicas x 1 thread here)",
    "fast": "project fast CPU path (`configs/fast-cpu.yaml`): CTranslate2 int8, 2 replicas x 1 thread, batches of 16, target-language vocabulary (Marian)",
    "plain-ct2-int8": "plain `ctranslate2.Translator(compute_type='int8')`, `translate_batch(max_batch_size=32)`, default threads",
    "ct2-int8-2x1": "ablation: `fast` without the vocabulary restriction",
    "ct2-int8-vocab": "ablation: `fast` without the 2 x 1 thread split (1 replica, default threads)",
    "naive-cuda": "transformers, one input at a time, fp32, CUDA",
    "hf-fp32-cuda": "project default on CUDA, fp32, batches of 64",
    "hf-bf16-cuda": "project on CUDA, `runtime.dtype: bfloat16`, batches of 64",
    "hf-fp16-cuda": "project on CUDA, `runtime.dtype: float16`, batches of 64",
    "ct2-fp16-cuda": "project CTranslate2 backend on CUDA, float16",
    "ct2-int8fp16-cuda": "project CTranslate2 backend on CUDA, int8_float16",
    "plain-ct2-fp16-cuda": "plain `ctranslate2.Translator(device='cuda', compute_type='float16')`",
}


def _fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}{suffix}" if value < 100 else f"{value:.0f}{suffix}"


def report(
    meta: dict[str, Any], shapes: list[Shape], tables: dict[str, list[dict[str, Any]]], prepared: dict[str, dict[str, Any]]
) -> str:
    lines = [
        "# Speed and memory of the inference engines",
        "",
        f"Written by `{meta['command']}` on {meta['date']} ({meta['wall_minutes']:.1f} minutes wall).",
        "Random-weight models of the real shapes, real input text, forced output lengths",
        "(`min_new_tokens == max_new_tokens`): every engine does the same work; output quality is noise.",
        "Each engine ran in its own child process (its own peak RSS, which includes Python, torch and",
        "the tokenizer); repeats were interleaved with the engine order rotated; figures are medians,",
        "and speed-ups are taken within each repeat, then the median.",
        "",
        "## Machine and conditions",
        "",
        f"- CPU: {meta['cpu']}, {meta['cores']} cores visible, {meta['memory_gb']:.0f} GB RAM; GPU: {meta['gpu']}",
        f"- Versions: Python {meta['python']}, torch {meta['torch']}, transformers {meta['transformers']}, "
        f"ctranslate2 {meta['ctranslate2']}",
        f"- Load: 1-minute load average {meta['load_min']:.1f} to {meta['load_max']:.1f} (median "
        f"{meta['load_median']:.1f}) at the start of the engine runs, on {meta['cores']} cores (the benchmark's own "
        "runs count in it; anything above that is other work on the machine); compare engines within one table.",
        "",
        *targets(tables, cuda=not meta["gpu"].startswith("none")),
    ]
    for shape in shapes:
        info = prepared[shape.name]
        repeats = shape.repeats or meta["repeats"]
        lines += [
            f"## {shape.name} ({shape.task} {shape.source}->{shape.target})",
            "",
            f"- {shape.items} {shape.unit} ({info['texts_source']}); the naive loop ran "
            + (f"{shape.naive_items} of them (one in {shape.items // shape.naive_items})." if shape.naive_items < shape.items else "all of them."),
            f"- Input tokens per item (with special tokens): mean {info['input_tokens']['mean']}, "
            f"min {info['input_tokens']['min']}, max {info['input_tokens']['max']} (naive subset: mean "
            f"{info['naive_input_tokens']}); model vocabulary (output layer) {info['vocab_size']:,}, "
            f"tokenizer {info.get('tokenizer_size', info['vocab_size']):,}.",
            f"- {shape.new_tokens} output tokens per item; beams {', '.join(map(str, shape.beams))}; "
            f"shared settings {json.dumps(shape.generation) if shape.generation else 'none'}; {repeats} repeats.",
            f"- One-time CTranslate2 conversion: int8 {info['conversions']['int8']['seconds']} s, "
            f"float {info['conversions']['none']['seconds']} s (0 = already in the cache).",
            "",
        ]
        header = "| engine |"
        rule = "| --- |"
        for beams in shape.beams:
            name = "greedy" if beams == 1 else f"beam {beams}"
            header += f" {name}: {shape.unit}/s (x naive) | {name}: out tok/s | {name}: x plain CT2 |"
            rule += " --- | --- | --- |"
        lines += [header + " peak RSS | load s |", rule + " --- | --- |"]
        for row in tables[shape.name]:
            cells = f"| {row['engine']} |"
            for beams in shape.beams:
                entry = row["beams"][str(beams)]
                cells += (
                    f" {_fmt(entry['rate'], 3 if entry['rate'] < 1 else 2)} ({_fmt(entry['vs_naive'], 1, 'x')}) |"
                    f" {_fmt(entry['tokens'], 1)} | {_fmt(entry['vs_plain'], 2, 'x')} |"
                )
            lines.append(cells + f" {row['peak_rss_mb'] / 1024:.2f} GB | {row['load_seconds']:.1f} |")
        lines += ["", "Engines:", ""]
        lines += [f"- `{row['engine']}`: {DESCRIPTIONS[row['engine']]}" for row in tables[shape.name]]
        lines.append("")
    return "\n".join(lines)


def _ratio(tables: dict[str, list[dict[str, Any]]], shape: str, engine: str, beams: int, key: str) -> float | None:
    row = next((row for row in tables.get(shape, []) if row["engine"] == engine), None)
    entry = row["beams"].get(str(beams)) if row else None
    return entry[key] if entry else None


def targets(tables: dict[str, list[dict[str, Any]]], cuda: bool) -> list[str]:
    """The issue's targets against this run's medians."""
    def line(goal: str, value: float | None, needed: float) -> str:
        if value is None:
            return f"- {goal}: not measured in this run"
        verdict = "met" if value >= needed else "not met"
        return f"- {goal}: **{value:.2f}x** ({verdict}; target >= {needed}x)"

    lines = ["## Against the issue's targets", ""]
    for beams in (1, 4):
        name = "greedy" if beams == 1 else f"beam {beams}"
        lines.append(line(f"opus-mt-en-zh, default engine vs naive loop, {name}", _ratio(tables, "opus-mt-en-zh", "default", beams, "vs_naive"), 10))
    for shape in ("opus-mt-en-zh", "opus-mt-zh-en"):
        for beams in (1, 4):
            name = "greedy" if beams == 1 else f"beam {beams}"
            lines.append(line(f"{shape}, fast CPU path vs plain CTranslate2 int8, {name}", _ratio(tables, shape, "fast", beams, "vs_plain"), 1.2))
            for ablation in ABLATIONS.get(shape, ()):
                value = _ratio(tables, shape, ablation, beams, "vs_plain")
                if value is not None:
                    lines.append(f"  - `{ablation}` vs plain CTranslate2 int8, {name}: {value:.2f}x")
    for engine in ("fast", "ct2-int8"):
        lines.append(line(f"bart-large-cnn (700-token inputs, beam 4), `{engine}` vs naive loop", _ratio(tables, "bart-large-cnn", engine, 4, "vs_naive"), 3))
    if not cuda:
        lines += [
            "- GPU (bf16/fp16 transformers, CTranslate2 fp16 / int8_float16): **not measured**, no GPU on this machine;",
            "  the engines are built (`runtime.device: cuda`, `runtime.dtype`, `runtime.backend: ctranslate2`) and",
            "  this script adds them by itself where CUDA is present.",
        ]
    return lines + [""]


def machine(repeats: int, command: str) -> dict[str, Any]:
    import ctranslate2
    import torch
    import transformers

    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {
        "command": command,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory / 1024 / 1024,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none (GPU engines not run)",
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "ctranslate2": ctranslate2.__version__,
        "repeats": repeats,
    }


TEXT_SOURCES = {
    "opus-mt-en-zh": "FLORES-200 devtest, English, from the first line",
    "opus-mt-zh-en": "FLORES-200 devtest, Chinese, from the first line",
    "bart-large-cnn": "SummEval CNN/DM articles, two in a row joined and cut to their first 700 tokens",
    "mt5-base-xlsum": "LCSTS texts joined in file order into documents of 500 tokens",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shapes (default: all)")
    parser.add_argument("--engines", default="", help="comma-separated engines (default: all that apply)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data-dir", default=None, help="evaluation data (default: $SUMMARIZE_EVALDATA or ../shared/evaldata)")
    parser.add_argument("--work-dir", default=str(Path.home() / ".cache" / "summarize" / "bench"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS-speed.md"))
    parser.add_argument("--quick", action="store_true", help="tiny counts, one repeat: checks every code path")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed to one engine run")
    parser.add_argument("--report-from", default=None, help="rewrite the report from a saved run (its last-run.json)")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(sys.stdin.read()))))
        return
    if args.report_from:
        rewrite_report(Path(args.report_from), Path(args.out), data_dir(args.data_dir), Path(args.work_dir).expanduser())
        return

    import torch

    started = time.perf_counter()
    data, work = data_dir(args.data_dir), Path(args.work_dir).expanduser()
    shapes = [SHAPES[name] for name in args.shapes.split(",")]
    if args.quick:
        shapes = [
            Shape(**{**asdict(s), "items": 4 if s.task == "translate" else 1, "naive_items": 2 if s.task == "translate" else 1, "new_tokens": 6, "repeats": 1})
            for s in shapes
        ]
        args.repeats = 1
        if args.out == parser.get_default("out"):
            args.out = str(work / "RESULTS-speed-quick.md")
    only = [engine for engine in args.engines.split(",") if engine]
    cuda = torch.cuda.is_available()
    prepared = {}
    for shape in shapes:
        prepared[shape.name] = prepare(shape, work, data)
        prepared[shape.name]["texts_source"] = TEXT_SOURCES[shape.name]
    results: dict[str, list[dict[str, Any]]] = {shape.name: [] for shape in shapes}
    loads = []
    for repeat in range(max(shape.repeats or args.repeats for shape in shapes)):
        for shape in shapes:
            if repeat >= (shape.repeats or args.repeats):
                continue
            engines = engines_for(shape, cuda, only)
            order = engines[repeat % len(engines):] + engines[: repeat % len(engines)]
            for engine in order:
                request = {"shape": asdict(shape), "engine": engine, "prepared": prepared[shape.name], "work": str(work)}
                result = run_child(request, args.timeout)
                result["repeat"] = repeat
                loads.append(result["load_average_before"])
                results[shape.name].append(result)
                saved = {"shapes": [asdict(shape) for shape in shapes], "results": results, "loads": loads, "cuda": cuda}
                (work / "partial-run.json").write_text(json.dumps(saved, indent=1), encoding="utf-8")
                rates = ", ".join(f"beam {b}: {result['items'] / s:.3f}/s" for b, s in result["seconds"].items())
                print(f"[{repeat + 1}] {shape.name:15} {engine:20} {rates}  peak {result['peak_rss_mb']:.0f} MB", file=sys.stderr, flush=True)
    tables = {shape.name: median_table(shape, results[shape.name], engines_for(shape, cuda, only)) for shape in shapes}
    meta = machine(args.repeats, "python benchmarks/speed.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    meta.update(
        wall_minutes=(time.perf_counter() - started) / 60,
        load_min=min(loads), load_max=max(loads), load_median=statistics.median(loads),
    )
    text = report(meta, shapes, tables, prepared)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    summary = {key: {k: v for k, v in value.items() if k != "texts"} for key, value in prepared.items()}
    saved = {"meta": meta, "shapes": [asdict(shape) for shape in shapes], "results": results, "prepared": summary, "cuda": cuda}
    (work / "last-run.json").write_text(json.dumps(saved, indent=1), encoding="utf-8")
    print(text)


def rewrite_report(saved_path: Path, out: Path, data: Path, work: Path) -> None:
    """Rebuild the markdown report from a saved run (e.g. after a change to the report's layout)."""
    saved = json.loads(saved_path.read_text(encoding="utf-8"))
    if "shapes" in saved:
        shapes = [Shape(**{**shape, "beams": tuple(shape["beams"]), "engines": tuple(shape["engines"])}) for shape in saved["shapes"]]
    else:  # saved before shapes were recorded: the shapes of this file
        shapes = [SHAPES[name] for name in saved["results"]]
    prepared = saved.get("prepared") or {}
    for shape in shapes:
        if shape.name not in prepared:
            prepared[shape.name] = prepare(shape, work, data)
            prepared[shape.name]["texts_source"] = TEXT_SOURCES[shape.name]
    tables = {
        shape.name: median_table(shape, saved["results"][shape.name], engines_for(shape, saved.get("cuda", False), None))
        for shape in shapes
    }
    out.write_text(report(saved["meta"], shapes, tables, prepared) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
