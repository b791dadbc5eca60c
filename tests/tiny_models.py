"""Tiny random-weight seq2seq and chat models of real architectures, built offline for tests.

Each builder trains a small tokenizer on the English/Chinese news-like corpus below,
creates a one-layer model of the real architecture with seeded random weights, and
saves both with ``save_pretrained`` (weights as ``model.safetensors``) so that the
project's loader can open the directory with ``AutoTokenizer`` and
``AutoModelForSeq2SeqLM`` (``AutoModelForCausalLM``). The model's ``config.vocab_size`` always equals the size of
the tokenizer the builder saved. The corpus text is original, written for these tests.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import sentencepiece as spm
import torch
from tokenizers import ByteLevelBPETokenizer
from transformers import (
    BartConfig,
    BartForConditionalGeneration,
    BartTokenizer,
    GenerationConfig,
    MarianConfig,
    MarianMTModel,
    MarianTokenizer,
    MT5Config,
    MT5ForConditionalGeneration,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    PreTrainedTokenizerFast,
    Qwen2Config,
    Qwen2ForCausalLM,
    T5Tokenizer,
)

ENGLISH_CORPUS: tuple[str, ...] = (
    "The city council approved a new budget on Tuesday that will increase spending on public "
    "transport, schools and hospitals. The mayor said the plan would create thousands of jobs "
    "over the next five years, while opposition members warned that higher taxes could hurt "
    "small businesses.",
    "Heavy rain continued to fall across the southern provinces for a third day, forcing more "
    "than twenty thousand people to leave their homes. Emergency workers used boats to reach "
    "villages cut off by the floods, and officials said the water level in the main river was "
    "still rising.",
    "Shares in technology companies rose sharply after the central bank announced that interest "
    "rates would remain unchanged. Analysts said investors were encouraged by strong sales "
    "figures and by signs that inflation is finally slowing down.",
    "Scientists at a national laboratory have developed a battery that can be charged in less "
    "than ten minutes. The research team believes the technology could make electric cars "
    "cheaper and help the country reach its climate goals by the end of the decade.",
    "The national football team won its opening match of the tournament by two goals to one. "
    "The captain scored the winning goal late in the second half, and fans celebrated in the "
    "streets of the capital until early morning.",
    "Health officials reported a small increase in flu cases this week and urged older people "
    "and young children to get vaccinated. Doctors said most patients recover quickly, but "
    "hospitals are preparing extra beds in case the number of cases keeps growing in winter.",
    "Leaders from more than thirty countries met in Geneva to discuss trade, energy and food "
    "security. In a joint statement, they agreed to reduce barriers for farmers and to share "
    "information about the supply of grain and fertilizer.",
    "A new museum of modern art opened its doors to the public on Saturday. The building, "
    "designed by a young local architect, has large glass walls and a garden on the roof, and "
    "visitors can see paintings, photographs and films from artists around the world.",
    "The government said it would invest more money in rural roads, clean water and internet "
    "access. Farmers in the region have long complained that poor roads make it difficult to "
    "sell their products in city markets.",
    "Police are asking for help from the public after a fire destroyed a warehouse near the "
    "port on Sunday night. No one was injured, but the company said it had lost goods worth "
    "several million dollars. An investigation into the cause of the fire is under way.",
    "Students across the country began their university entrance exams on Monday. Teachers and "
    "parents waited outside the schools, and the education ministry said this year's exams were "
    "taken by a record number of students.",
    "The airline announced that it will open new routes to Asia and Europe next spring. "
    "Passenger numbers have returned to the level seen before the pandemic, and the company "
    "plans to hire more pilots and engineers. Hello and welcome, the chief executive told "
    "reporters on Friday.",
)

CHINESE_CORPUS: tuple[str, ...] = (
    "市政府星期二通过了新的年度预算，将增加对公共交通、学校和医院的投入。市长表示，这项计划将在未来"
    "五年内创造数千个就业机会，但也有议员担心更高的税收会影响小企业的发展。",
    "南方多个省份连续三天出现强降雨，超过两万名居民被迫离开家园。救援人员乘船进入被洪水围困的村庄，"
    "有关部门表示，主要河流的水位仍在上涨。",
    "中央银行宣布维持利率不变后，科技公司股价大幅上涨。分析人士认为，强劲的销售数据以及通货膨胀逐步"
    "放缓的迹象提振了投资者的信心。",
    "国家实验室的科学家研发出一种可以在十分钟内充满电的电池。研究团队相信，这项技术有望降低电动汽车"
    "的价格，并帮助国家按时实现气候目标。",
    "卫生部门报告本周流感病例略有增加，呼吁老人和儿童及时接种疫苗。医生说大多数病人很快就能康复，但"
    "医院已经准备了更多病床，以防冬季病例继续增长。",
    "来自三十多个国家的领导人在日内瓦开会，讨论贸易、能源和粮食安全问题。他们在联合声明中同意减少对"
    "农民的限制，并共享粮食和化肥供应的信息。",
    "一座新的现代艺术博物馆星期六正式向公众开放。这座建筑由一位年轻的本地建筑师设计，拥有大面积的玻"
    "璃墙和屋顶花园，游客可以欣赏来自世界各地艺术家的绘画、摄影和电影作品。",
    "政府表示将加大对农村道路、清洁饮用水和互联网建设的投资。当地农民长期以来反映，道路条件差使他们"
    "很难把农产品卖到城市市场。",
    "星期日晚上，港口附近的一座仓库发生火灾，警方正在向社会征集线索。事故没有造成人员伤亡，但公司表"
    "示损失的货物价值数百万元。火灾原因正在调查之中。",
    "全国各地的学生星期一开始参加大学入学考试。老师和家长在学校门外等候，教育部表示今年参加考试的学"
    "生人数创下历史新高。",
    "专家指出，经济增长的关键在于提高生产效率和扩大国内消费。如果企业能够得到更多支持，就业形势也会"
    "更加稳定。他们还说，人们对未来的看法比去年更乐观，但是物价上涨的问题仍然需要关注。",
    "记者在采访中发现，很多年轻人更愿意在网上购物，也喜欢用手机支付。一位大学生说：“这样很方便，我"
    "们几乎不用带现金出门。”不过也有老人表示，自己还不太习惯这种新的生活方式。",
)

# Sentences every builder must encode and decode back unchanged.
PROBE_SENTENCES: dict[str, str] = {
    "en": "The government said it would invest more money in schools.",
    "zh": "政府表示将加大对学校和医院的投资。",
}

# Shared by the BART-family configs (Marian and BART).
_BART_FAMILY_SIZES: dict[str, int] = {
    "d_model": 32,
    "encoder_layers": 1,
    "decoder_layers": 1,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_ffn_dim": 64,
}
_GENERATION_MAX_LENGTH = 128
# Any real tokenizer trained on the corpus is far larger; the broken constructors
# that silently ignore their vocabulary give 4 or 5 tokens.
_MIN_TOKENIZER_SIZE = 200
_SENTENCEPIECE_SOFT_VOCAB_SIZE = 4000

_ModelT = TypeVar("_ModelT", bound=PreTrainedModel)


def build_tiny_marian(
    out_dir: Path,
    source_lang: str,
    target_lang: str,
    target_tokens: Sequence[str] = (),
    extra_corpus: Sequence[str] = (),
) -> Path:
    """Build a tiny MarianMT model like Helsinki-NLP/opus-mt-{source_lang}-{target_lang}.

    ``target_tokens`` (e.g. ``">>cmn_Hans<<"``) become whole vocabulary entries, as in the
    multi-target opus-mt-en-zh, so a text starting with one encodes it as a single id.
    ``extra_corpus`` sentences join both sides' tokenizer training text (e.g. to have digits).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    source_spm, target_spm = out_dir / "source.spm", out_dir / "target.spm"
    source_spm.write_bytes(_train_sentencepiece([*_corpus(source_lang), *extra_corpus]))
    target_spm.write_bytes(_train_sentencepiece([*_corpus(target_lang), *extra_corpus]))

    # Real Marian vocabularies: "</s>" = 0, "<unk>" = 1, the pieces, and "<pad>" last.
    tokens = ["</s>", "<unk>", *target_tokens]
    tokens += _user_pieces(source_spm) + _user_pieces(target_spm)
    tokens.append("<pad>")
    vocab = {token: index for index, token in enumerate(dict.fromkeys(tokens))}
    vocab_file = out_dir / "vocab.json"
    vocab_file.write_text(json.dumps(vocab, ensure_ascii=False, indent=1), encoding="utf-8")

    tokenizer = MarianTokenizer(
        source_spm=str(source_spm),
        target_spm=str(target_spm),
        vocab=str(vocab_file),
        source_lang=source_lang,
        target_lang=target_lang,
        model_max_length=512,
    )
    _check_tokenizer(tokenizer, [PROBE_SENTENCES[source_lang]])
    for tag in target_tokens:
        tagged = tokenizer(f"{tag} {PROBE_SENTENCES[source_lang]}")["input_ids"]
        if tagged[0] != vocab[tag]:
            raise RuntimeError(f"Marian tokenizer does not encode {tag!r} as one token: {tagged}")

    pad_id, eos_id = vocab["<pad>"], vocab["</s>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        max_position_embeddings=512,
        pad_token_id=pad_id,
        eos_token_id=eos_id,
        decoder_start_token_id=pad_id,
        forced_eos_token_id=eos_id,
        **_BART_FAMILY_SIZES,
    )
    model = _seeded(lambda: MarianMTModel(config))
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad_id]],
        bos_token_id=eos_id,
        decoder_start_token_id=pad_id,
        eos_token_id=eos_id,
        forced_eos_token_id=eos_id,
        pad_token_id=pad_id,
        max_length=_GENERATION_MAX_LENGTH,
    )
    return _save(model, tokenizer, out_dir)


def build_tiny_bart(out_dir: Path) -> Path:
    """Build a tiny BART summarizer like facebook/bart-large-cnn (1024 positions)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        _corpus("en") + _corpus("zh"),
        vocab_size=2000,
        min_frequency=2,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
        show_progress=False,
    )
    merges = json.loads(bpe.to_str())["model"]["merges"]
    # Passing vocab/merges *files* is silently ignored in transformers 5: pass the data.
    tokenizer = BartTokenizer(
        vocab=bpe.get_vocab(),
        merges=[tuple(merge) for merge in merges],
        model_max_length=1024,
    )
    _check_tokenizer(tokenizer, PROBE_SENTENCES.values())

    config = BartConfig(
        vocab_size=len(tokenizer),
        max_position_embeddings=1024,
        bos_token_id=tokenizer.bos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        forced_bos_token_id=tokenizer.bos_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
        **_BART_FAMILY_SIZES,
    )
    model = _seeded(lambda: BartForConditionalGeneration(config))
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        forced_bos_token_id=tokenizer.bos_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        max_length=_GENERATION_MAX_LENGTH,
    )
    return _save(model, tokenizer, out_dir)


def build_tiny_mt5(out_dir: Path, extra_corpus: Sequence[str] = ()) -> Path:
    """Build a tiny mT5 summarizer like csebuetnlp/mT5_multilingual_XLSum (English and Chinese);
    ``extra_corpus`` sentences join its tokenizer training text."""
    out_dir.mkdir(parents=True, exist_ok=True)
    spiece = _train_sentencepiece(
        [*_corpus("en"), *_corpus("zh"), *extra_corpus], pad_id=0, eos_id=1, unk_id=2, bos_id=-1
    )
    (out_dir / "spiece.model").write_bytes(spiece)
    # T5Tokenizer(vocab_file=...) is silently ignored in transformers 5; from_pretrained
    # converts spiece.model properly.
    tokenizer = T5Tokenizer.from_pretrained(str(out_dir), extra_ids=0, model_max_length=512)
    _check_tokenizer(tokenizer, PROBE_SENTENCES.values())

    config = MT5Config(
        vocab_size=len(tokenizer),
        d_model=32,
        d_kv=16,
        d_ff=64,
        num_layers=1,
        num_decoder_layers=1,
        num_heads=2,
        relative_attention_num_buckets=8,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    model = _seeded(lambda: MT5ForConditionalGeneration(config))
    # Unlike a trained mT5, the random model favours <pad> (id 0, also the decoder start),
    # which decodes to an empty string; ban it as Marian's generation config does.
    model.generation_config = GenerationConfig(
        bad_words_ids=[[tokenizer.pad_token_id]],
        decoder_start_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        max_length=_GENERATION_MAX_LENGTH,
    )
    return _save(model, tokenizer, out_dir)


CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
"""The ChatML chat template of Qwen2 chat models, without their default system prompt."""
CHAT_SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")


def build_tiny_qwen2_chat(
    out_dir: Path, *, min_new_tokens: int = 4, hidden_size: int = 64, layers: int = 2, heads: int = 4,
    kv_heads: int = 2, intermediate_size: int = 128, vocab_size: int = 1000, initializer_range: float = 0.5,
) -> Path:
    """A random-weight Qwen2 chat model: a byte-level BPE tokenizer with the ChatML special tokens and
    template (left padding), and a model whose generation config asks for at least `min_new_tokens`
    tokens (a random model often ends at once). Weights are drawn wider than Qwen2's 0.02 so that the
    greedy output depends on the prompt (at 0.02 every prompt gives the same token over and over).
    The defaults are tiny; benchmarks pass real shapes."""
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        [*ENGLISH_CORPUS, *CHINESE_CORPUS], vocab_size=vocab_size, min_frequency=1,
        special_tokens=list(CHAT_SPECIAL_TOKENS),
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe._tokenizer, eos_token="<|im_end|>", pad_token="<|endoftext|>", padding_side="left"
    )
    tokenizer.chat_template = CHATML_TEMPLATE
    _check_tokenizer(tokenizer, [ENGLISH_CORPUS[0], CHINESE_CORPUS[0]])
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        max_position_embeddings=32768,
        tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
        initializer_range=initializer_range,
    )
    model = _seeded(lambda: Qwen2ForCausalLM(config))
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        min_new_tokens=min_new_tokens,
    )
    return _save(model, tokenizer, out_dir)

def _corpus(lang: str) -> list[str]:
    corpora = {"en": ENGLISH_CORPUS, "zh": CHINESE_CORPUS}
    if lang not in corpora:
        raise ValueError(f"unsupported language {lang!r}; expected one of {sorted(corpora)}")
    return list(corpora[lang])


def _train_sentencepiece(sentences: list[str], **ids: int) -> bytes:
    """Train a unigram sentencepiece model on ``sentences`` and return its serialized bytes."""
    model = io.BytesIO()
    with open(os.devnull, "w") as log:
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(sentences),
            model_writer=model,
            logstream=log,
            model_type="unigram",
            vocab_size=_SENTENCEPIECE_SOFT_VOCAB_SIZE,
            hard_vocab_limit=False,
            character_coverage=1.0,
            num_threads=1,
            **ids,
        )
    return model.getvalue()


def _user_pieces(model_file: Path) -> list[str]:
    """The ordinary pieces of a sentencepiece model, without its control and unknown pieces."""
    processor = spm.SentencePieceProcessor(model_file=str(model_file))
    return [
        processor.id_to_piece(index)
        for index in range(processor.get_piece_size())
        if not (processor.is_control(index) or processor.is_unknown(index))
    ]


def _check_tokenizer(tokenizer: PreTrainedTokenizerBase, sentences: Iterable[str]) -> None:
    """Raise if the tokenizer lost its vocabulary or cannot round-trip ``sentences``."""
    size = len(tokenizer)
    if size < _MIN_TOKENIZER_SIZE:
        raise RuntimeError(
            f"{type(tokenizer).__name__} has only {size} tokens: its vocabulary was not loaded"
        )
    for sentence in sentences:
        ids = tokenizer(sentence)["input_ids"]
        decoded = tokenizer.decode(ids, skip_special_tokens=True)
        if decoded != sentence:
            raise RuntimeError(
                f"{type(tokenizer).__name__} round trip failed: "
                f"{sentence!r} -> {ids} -> {decoded!r}"
            )


def _seeded(make_model: Callable[[], _ModelT]) -> _ModelT:
    """Create a model with weights drawn from seed 0, leaving the global RNG state untouched."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return make_model()


def _save(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, out_dir: Path) -> Path:
    if model.config.vocab_size != len(tokenizer):
        raise RuntimeError(
            f"model vocab_size {model.config.vocab_size} != tokenizer size {len(tokenizer)}"
        )
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    if not (out_dir / "model.safetensors").is_file():
        raise RuntimeError(f"save_pretrained wrote no model.safetensors in {out_dir}")
    return out_dir


def build_quickmt_layout(
    out_dir: Path,
    source_sentences: Sequence[str],
    target_sentences: Sequence[str],
    *,
    joint: bool = False,
    layers: tuple[int, int] = (2, 1),
    d_model: int = 32,
    heads: int = 4,
    ffn: int = 64,
    vocab_size: int | None = None,
    seed: int = 0,
) -> Path:
    """A random-weight CTranslate2 Transformer in quickmt's folder layout: ``model.bin`` and its config,
    ``source_vocabulary.json`` / ``target_vocabulary.json`` (or ``shared_vocabulary.json`` with `joint`), and
    ``src.spm.model`` / ``tgt.spm.model`` (or one ``joint.spm.model``) trained on the given sentences.
    The vocabularies are the SentencePiece models' pieces, in id order (``<unk>``, ``<s>``, ``</s>`` first).
    Real sizes (quickmt's: 12 and 2 layers, d_model 768, 16 heads, FFN 4096, 32k pieces a side) build the
    benchmark's model."""
    import numpy as np
    from ctranslate2.specs import common_spec, transformer_spec

    out_dir.mkdir(parents=True, exist_ok=True)

    def train(sentences: Sequence[str], path: Path) -> list[str]:
        model = io.BytesIO()
        with open(os.devnull, "w") as log:
            spm.SentencePieceTrainer.train(
                sentence_iterator=iter(sentences), model_writer=model, logstream=log, model_type="unigram",
                vocab_size=vocab_size or _SENTENCEPIECE_SOFT_VOCAB_SIZE, hard_vocab_limit=False,
                character_coverage=1.0, num_threads=1,
            )
        path.write_bytes(model.getvalue())
        if vocab_size:  # a small corpus gives fewer pieces: fill up with never-matching ones, as a 32k model has
            from sentencepiece import sentencepiece_model_pb2 as model_pb2

            proto = model_pb2.ModelProto()
            proto.ParseFromString(path.read_bytes())
            for index in range(vocab_size - len(proto.pieces)):
                piece = proto.pieces.add()
                piece.piece, piece.score = f"<unused{path.stem[:3]}{index}>", 0.0
                piece.type = model_pb2.ModelProto.SentencePiece.USER_DEFINED
            path.write_bytes(proto.SerializeToString())
        processor = spm.SentencePieceProcessor(model_file=str(path))
        return [processor.id_to_piece(index) for index in range(processor.get_piece_size())]

    if joint:
        source_vocabulary = target_vocabulary = train([*source_sentences, *target_sentences], out_dir / "joint.spm.model")
    else:
        source_vocabulary = train(list(source_sentences), out_dir / "src.spm.model")
        target_vocabulary = train(list(target_sentences), out_dir / "tgt.spm.model")
    spec = transformer_spec.TransformerSpec.from_config(layers, heads, activation=common_spec.Activation.RELU)
    random = np.random.default_rng(seed)
    sizes_by_name = {"source": len(source_vocabulary), "target": len(target_vocabulary)}

    def shape(name: str) -> tuple[int, ...]:
        if name.endswith(("gamma", "beta")):
            return (d_model,)
        if name == "encoder/embeddings_0/weight":
            return (sizes_by_name["source"], d_model)
        if name in ("decoder/embeddings/weight", "decoder/projection/weight"):
            return (sizes_by_name["target"], d_model)
        if "/ffn/linear_0/" in name:
            return (ffn, d_model)
        if "/ffn/linear_1/" in name:
            return (d_model, ffn)
        if "self_attention/linear_0" in name:
            return (3 * d_model, d_model)
        if "/attention/linear_1" in name and "self_attention" not in name:
            return (2 * d_model, d_model)
        return (d_model, d_model)

    for name, value in spec.variables(ordered=True):
        if value is None and name.endswith(("weight", "gamma", "beta")):
            if name.endswith("gamma"):
                array = np.ones(shape(name), dtype=np.float32)
            elif name.endswith("beta"):
                array = np.zeros(shape(name), dtype=np.float32)
            else:
                array = random.normal(0.0, 0.5, shape(name)).astype(np.float32)
            _set_spec_variable(spec, name, array)
    spec.register_source_vocabulary(source_vocabulary)
    spec.register_target_vocabulary(target_vocabulary)
    spec.config.add_source_eos = True
    spec.validate()
    spec.optimize()
    spec.save(str(out_dir))
    return out_dir


def _set_spec_variable(spec: object, name: str, value: object) -> None:
    """Set the CTranslate2 spec variable at the ``a/b/c`` path `name`."""
    *path, last = name.split("/")
    node = spec
    for part in path:
        if hasattr(node, part):
            node = getattr(node, part)
        else:  # "layer_0": item 0 of the list attribute "layer"
            base, _, index = part.rpartition("_")
            node = getattr(node, base)[int(index)]
    setattr(node, last, value)
