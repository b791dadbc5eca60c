"""The settings schema: every section is a dataclass; its fields, their types and
their defaults are the schema, and each section checks its own value ranges (the
one place for each range rule: the loader checks only types).

:mod:`.loader` reads YAML, the environment and overrides into these classes; the ``llm`` section
is in :mod:`.llm`, the range checks every section uses in :mod:`.checks`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from ..chinese_script import DEFAULT_HANT_VARIANT, HantInput, HantVariant
from ..errors import ConfigError
from ..text import ModelLanguage, TranslationPair
from .checks import SettingError, require_not_negative, require_positive
from .llm import LLMSettings

GENERATION_KEYS = frozenset(
    {
        "num_beams",
        "max_new_tokens",
        "min_new_tokens",
        "length_penalty",
        "no_repeat_ngram_size",
        "repetition_penalty",
        "early_stopping",
    }
)


@dataclass
class ModelSettings:
    """One Hugging Face seq2seq model and how to run it."""

    model: str
    """Hub id (``facebook/bart-large-cnn``) or a local directory."""
    generation: dict[str, Any] = field(default_factory=dict)
    """Arguments for ``generate()``; see ``GENERATION_KEYS``."""
    max_input_tokens: int = 0
    """Input budget in tokens; 0 takes the model family's limit."""
    target_token: str = ""
    """Target-language tag for multi-target Marian models; empty picks the family default."""

    def __post_init__(self) -> None:
        require_not_negative(max_input_tokens=self.max_input_tokens)
        unknown = sorted(set(self.generation) - GENERATION_KEYS)
        if unknown:
            raise ConfigError(
                f"unknown generation setting {unknown[0]!r}; allowed: {', '.join(sorted(GENERATION_KEYS))}"
            )


@dataclass
class ExtractiveSettings:
    """The embedded extractive summarizer (no download needed)."""

    sentences: int = 3
    """Most sentences in a "medium" summary ("short" halves it, "long" doubles it)."""
    words: int = 100
    """Most words in a "medium" English summary (scaled like ``sentences``; a longer first sentence is cut)."""
    characters: int = 150
    """Most characters in a "medium" Chinese summary (scaled like ``sentences``; a longer first sentence is cut)."""
    position_weight: float = 0.85
    """Weight of the lead-position prior against centrality, 0..1 (chosen on half of SummEval: docs/extractive.md)."""
    short_english_position_weight: float = 0.0
    """``position_weight`` of "short" English summaries: a 50-word budget holds a news lead and little else,
    and content alone scored higher on the SummEval tuning half, as written, lowercased and shuffled. Not on a page
    whose stories were found by their words, where the lead prior scored higher."""
    order_check: bool = True
    """Use the lead prior only where the text's order looks informative (docs/extractive.md); off: always."""
    redundancy_threshold: float = 0.35
    """A sentence this similar (cosine) to one already chosen is skipped."""
    diversity: float = 1.0
    """Past the first ``sentences`` picks (a long summary), a candidate's score is cut by this times its highest
    cosine with a sentence already picked (maximal marginal relevance: the summary spreads over the text's
    topics and stories); 0 turns it off. Chosen on the SummEval and LCSTS tuning halves (docs/extractive.md)."""
    chinese_tokens: Literal["jieba", "char-bigram"] = "jieba"
    """Features for Chinese sentences: jieba words or character bigrams."""

    def __post_init__(self) -> None:
        require_not_negative(sentences=self.sentences, words=self.words, characters=self.characters,
                             diversity=self.diversity)
        for name in ("position_weight", "short_english_position_weight"):
            if not 0 <= getattr(self, name) <= 1:
                raise SettingError(name, f"must be between 0 and 1, not {getattr(self, name)!r}")


def _default_summary_models() -> dict[str, ModelSettings]:
    return {
        "en": ModelSettings(
            model="facebook/bart-large-cnn",
            generation={
                "num_beams": 4,
                "length_penalty": 2.0,
                "min_new_tokens": 56,
                "max_new_tokens": 142,
                "no_repeat_ngram_size": 3,
                "early_stopping": True,
            },
        ),
        "zh": ModelSettings(
            model="csebuetnlp/mT5_multilingual_XLSum",
            generation={"num_beams": 4, "max_new_tokens": 84, "no_repeat_ngram_size": 2},
        ),
    }


def _default_translation_models() -> dict[str, ModelSettings]:
    """quickmt's CTranslate2 models (CC-BY-4.0; docs/models.md); configs/opus-mt.yaml switches back to opus-mt."""
    generation = {"num_beams": 4, "max_new_tokens": 256, "no_repeat_ngram_size": 4}
    return {
        "en-zh": ModelSettings(model="quickmt/quickmt-en-zh", generation=dict(generation)),
        "zh-en": ModelSettings(model="quickmt/quickmt-zh-en", generation=dict(generation)),
    }


"""The translation prompt formats of the ``llm`` engine (:mod:`summarize.engines.llm.prompts`)."""
SummarizeEngine = Literal["auto", "seq2seq", "extractive", "llm"]
"""How summaries are made: see :attr:`SummarizeSettings.engine`."""
TranslateEngine = Literal["seq2seq", "llm"]
"""How translations are made: see :attr:`TranslateSettings.engine`."""
LLM_ENGINE: SummarizeEngine = "llm"
"""The chat-model engine, the one name both tasks share."""


DEFAULT_MAX_ROUNDS = 4
"""Map-reduce rounds of a long text's summary, the first included (``summarize.max_rounds``)."""


@dataclass
class SummarizeSettings:
    """How summaries are made."""

    engine: SummarizeEngine = "auto"
    """``auto``: the model when it can be loaded, else the extractive summary (with a note);
    ``llm``: the chat model of the ``llm`` section (no fallback)."""
    models: dict[ModelLanguage, ModelSettings] = field(default_factory=_default_summary_models)
    """Summarization model per source language (``zh`` summarizes ``zh-Hant`` articles too)."""
    extractive: ExtractiveSettings = field(default_factory=ExtractiveSettings)
    max_rounds: int = DEFAULT_MAX_ROUNDS
    """Most map-reduce rounds for long input, the first included; the last round's input is cut to
    what one model input holds (at least 1: with none, a long text would get no summary)."""

    def __post_init__(self) -> None:
        require_positive(max_rounds=self.max_rounds)


@dataclass
class TranslateSettings:
    """How translations are made (there is no fallback engine)."""

    engine: TranslateEngine = "seq2seq"
    """``seq2seq``: the models below; ``llm``: the chat model of the ``llm`` section."""
    models: dict[TranslationPair, ModelSettings] = field(default_factory=_default_translation_models)
    """Translation model per language pair."""
    glossary: str = ""
    """A glossary file (TSV or CSV: source term, target term, optional direction) used by every
    translation; empty for none. See docs/glossary.md."""
    hant_variant: HantVariant = DEFAULT_HANT_VARIANT
    """How text becomes Traditional Chinese (``zh-Hant`` output), by OpenCC: ``s2twp`` Taiwan
    standard with Taiwan phrases, ``s2tw`` Taiwan standard, ``s2hk`` Hong Kong standard, ``s2t``
    plain. See docs/chinese-scripts.md."""
    hant_input: HantInput = "simplified"
    """What a translation model reads from a Traditional Chinese (``zh-Hant``) text: ``simplified``
    converts it first (OpenCC ``t2s``), ``traditional`` gives it as written."""
    confidence: bool = True
    """Give each seq2seq translation the model's own confidence (``quality.confidence``; free with CTranslate2,
    one more forward pass for transformers models: 25-59% of the generation time); off: ``null``."""


@dataclass
class RuntimeSettings:
    """Where and how models run."""

    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    """``auto`` takes cuda, then mps, then cpu."""
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    """``auto``: each model family's choice (``ModelFamily.cuda_dtype``): float32 for the seq2seq
    families on every device, since transformers bf16 generate was measured at a quarter of fp32's
    speed for Marian and BART on an H200 (issue 18: a family moves to bf16/fp16 only with a
    measurement in benchmarks/); chat models (LLM engine) bfloat16 on cuda, where memory needs it."""
    cpu_threads: int = 0
    """Threads of each batch worker (transformers) or replica (ctranslate2) on CPU;
    0 splits the cores evenly between them. A positive value also sets torch's
    thread count for the whole process."""
    batch_tokens: int = 8192
    """Token budget of one generate() batch (longest input x batch size)."""
    max_batch_size: int = 32
    allow_download: bool = True
    """Fetch a missing model from the Hub when it can be reached."""
    backend: Literal["transformers", "ctranslate2"] = "transformers"
    """``ctranslate2`` (extra ``[fast]``): convert each model once into ``cache_dir`` and
    generate with CTranslate2 (CPU or CUDA); ``transformers``: ``model.generate()``."""
    quantization: Literal["none", "int8"] = "none"
    """``int8``: 8-bit weights. transformers: dynamic int8 quantization of the Linear
    layers (CPU only); ctranslate2: int8 weights on CPU, int8 with ``dtype`` on CUDA."""
    inter_threads: int = 0
    """Batches decoded at the same time on CPU, each with ``cpu_threads`` threads:
    worker threads sharing the weights (transformers) or model replicas
    (ctranslate2). 0 is automatic: 2 on a CPU with two cores or more, 1 on a GPU.
    transformers runs a call that makes a single batch (one short request) on the
    caller's thread, with all of torch's threads."""
    restrict_vocabulary: bool = True
    """Marian models (opus-mt): each decoding step scores only the target language's
    tokens, the pieces of the model's ``target.spm`` (opus-mt's output layer covers
    both languages). Faster, and the same output whenever the model would not pick a
    source-language token, which a trained one does not. No effect on other models."""
    cache_dir: str = ""
    """Folder for converted models; empty: $XDG_CACHE_HOME/summarize or ~/.cache/summarize."""
    retry_failed_load_seconds: float = 60.0
    """A model that failed to load is tried again on the first request this long after the failure
    (until then requests get the failure, or the extractive fallback, at once); a model folder or
    cache filled in meanwhile is used without a restart."""

    def store_key(self) -> tuple[Any, ...]:
        """Every field that shapes a loaded model, in order: the model store loads a model once per key,
        and a loaded engine reads its runtime on every call (batch budget included), so none may be left
        out. Only the retry interval is not part of a model."""
        return tuple(getattr(self, spec.name) for spec in fields(self) if spec.name != "retry_failed_load_seconds")

    def __post_init__(self) -> None:
        require_positive(batch_tokens=self.batch_tokens, max_batch_size=self.max_batch_size)
        require_not_negative(retry_failed_load_seconds=self.retry_failed_load_seconds)
        for name in ("inter_threads", "cpu_threads"):
            if getattr(self, name) < 0:
                raise SettingError(name, f"must be 0 (automatic) or more, not {getattr(self, name)!r}")


@dataclass
class LimitSettings:
    """Input limits enforced at the service boundary."""

    max_chars: int = 100_000
    """Longest accepted text, in characters."""
    max_items: int = 256
    """Most texts in one list request (HTTP API); a longer list gets 422."""
    max_document_bytes: int = 5_000_000
    """Largest document read (a file to summarize or translate, a batch record's field with ``--format``),
    in UTF-8 bytes: a bigger one is refused before it is parsed."""
    document_seconds: float = 30.0
    """Longest a document's reading, or its rebuilding after a translation, may take; each runs in a
    worker process, which is stopped after this long (the request gets 422). Reading is linear in a
    file's size: a 5 MB file of the worst shape the team knows takes a few seconds."""
    document_depth: int = 512
    """Deepest nesting of elements read in an HTML page (browsers stop at 512); a deeper page is refused."""

    def __post_init__(self) -> None:
        require_positive(
            max_chars=self.max_chars, max_items=self.max_items, max_document_bytes=self.max_document_bytes,
            document_depth=self.document_depth,
        )
        if not self.document_seconds > 0:
            raise SettingError("document_seconds", f"must be above 0, not {self.document_seconds!r}")


RESERVED_CHOICES = ("default", "extractive")
"""Summary choices the UI and API always offer, besides ``server.model_choices``."""
LLM_CHOICE = LLM_ENGINE
"""The summary choice offered when the ``llm`` engine is configured."""


@dataclass
class ServerSettings:
    """The web demo and HTTP API (``summarize serve``, ``python app.py``)."""

    host: str = "127.0.0.1"
    """Interface to bind; the default keeps the server on this machine (0.0.0.0 exposes it)."""
    port: int = 7860
    """TCP port (0 picks a free one)."""
    concurrency_limit: int = 2
    """Requests worked on at once, in the UI queue and (separately) in the HTTP API."""
    max_queue: int = 32
    """Requests that may wait for a worker; beyond that the answer is "busy" (HTTP 503)."""
    max_request_bytes: int = 1_000_000
    """Largest HTTP request body; a bigger one gets 413. UI file uploads use ``max_upload_bytes``."""
    max_upload_bytes: int = 5_000_000
    """Largest file uploaded through the UI (.txt articles, batch files)."""
    max_upload_request_bytes: int = 10_000_000
    """Largest upload request to the UI (all its files together); a bigger one gets 413."""
    max_stored_upload_bytes: int = 200_000_000
    """Most bytes of the demo's files kept on disk (uploads, translated documents and batch results
    together); beyond it, the oldest are deleted first."""
    upload_max_age_seconds: int = 3600
    """Uploads and results older than this are deleted (checked every tenth of it)."""
    max_batch_records: int = 1000
    """Most records in one job of the web demo's Batch tab; a bigger file is refused before any work
    (``summarize batch`` and the Python API have no such limit)."""
    allowed_hosts: list[str] = field(default_factory=list)
    """Host header values the server answers (without the port; ``*.example.com`` matches subdomains,
    ``*`` any host); others get 400. Empty: localhost names and ``host`` when it is an address other
    than 0.0.0.0 / ::. Behind a reverse proxy or on 0.0.0.0, list the names clients use."""
    max_failed_auth: int = 10
    """Wrong API keys or UI passwords one client address may send per ``failed_auth_window_seconds``;
    beyond that its requests get 429 until the window has passed. Counted per server process: with
    ``summarize serve --replicas N`` a client gets N times this."""
    failed_auth_window_seconds: int = 60
    trusted_proxies: list[str] = field(default_factory=list)
    """Addresses or networks (``10.0.0.0/8``) of reverse proxies in front of the server: only a connection
    from one of them may name the client in ``X-Forwarded-For`` (and the scheme in ``X-Forwarded-Proto``).
    Empty: the connection's own address is the client's, for the failed-key limit and the logs."""
    header_timeout_seconds: int = 10
    """A client that has not sent its request head (or next request) within this time is disconnected."""
    body_timeout_seconds: int = 60
    """A request body not all received this long after its head gets 408 and the connection is closed
    (10 MB takes ~60 s at 1.4 Mbit/s)."""
    api_key: str = ""
    """When set, ``/v1/*`` requests must carry it (``Authorization: Bearer KEY`` or ``X-API-Key: KEY``)
    or get 401, and the web demo asks for it as a login password. Prefer the environment:
    ``SUMMARIZE_SERVER__API_KEY``."""
    model_choices: dict[str, dict[ModelLanguage, ModelSettings]] = field(default_factory=dict)
    """The allow-list of summarization models users may pick in the UI and API, by name. Each entry
    replaces ``summarize.models`` for the languages it names; "default" (the configured engine and
    models) and "extractive" are always offered."""

    replica_cpus: float = 1.0
    """CPUs Ray reserves for each replica of ``summarize serve --replicas N`` (torch uses that many threads)."""
    replica_gpus: float = 0.0
    """GPUs Ray reserves for each replica of ``summarize serve --replicas N``; 0 runs on CPUs, 0.5 packs two on one."""

    def __post_init__(self) -> None:
        if self.replica_cpus <= 0:
            raise SettingError("replica_cpus", f"must be above 0, not {self.replica_cpus!r}")
        require_positive(
            concurrency_limit=self.concurrency_limit,
            max_queue=self.max_queue,
            max_request_bytes=self.max_request_bytes,
            max_upload_bytes=self.max_upload_bytes,
            max_upload_request_bytes=self.max_upload_request_bytes,
            max_stored_upload_bytes=self.max_stored_upload_bytes,
            upload_max_age_seconds=self.upload_max_age_seconds,
            max_batch_records=self.max_batch_records,
            max_failed_auth=self.max_failed_auth,
            failed_auth_window_seconds=self.failed_auth_window_seconds,
            header_timeout_seconds=self.header_timeout_seconds,
            body_timeout_seconds=self.body_timeout_seconds,
        )
        for host in self.allowed_hosts:
            if not host or "/" in host or (host != "*" and "*" in host[1:]) or (host[0] == "*" and host[:2] != "*."):
                raise SettingError(
                    "allowed_hosts", f"holds {host!r}, which is not a host name; give names such as 'example.com', "
                    "'*.example.com' or '*'"
                )
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingError(
                    "trusted_proxies", f"holds {proxy!r}, which is not an IP address or network such as '10.0.0.0/8'"
                ) from None
        require_not_negative(port=self.port, replica_gpus=self.replica_gpus)
        if self.port > 65535:
            raise SettingError("port", f"must be at most 65535, not {self.port!r}")
        for name in (*RESERVED_CHOICES, LLM_CHOICE):
            if name in self.model_choices:
                raise ConfigError(f"model_choices may not be named {name!r}: that name is always offered; rename it")


@dataclass
class RaySettings:
    """The Ray runner of batch jobs (``summarize batch --engine ray``)."""

    workers: int = 0
    """Model replicas (Ray actors), each loading the models once; 0 fills the cluster:
    its GPUs / ``gpus_per_worker`` when that is set, else its CPUs / ``cpus_per_worker``."""
    cpus_per_worker: float = 1.0
    """CPUs Ray reserves for each worker (torch uses that many threads there)."""
    gpus_per_worker: float = 0.0
    """GPUs Ray reserves for each worker; 0 runs on CPUs, 1 gives each worker a GPU, 0.5 packs two on one."""

    def __post_init__(self) -> None:
        if self.cpus_per_worker <= 0:
            raise SettingError("cpus_per_worker", f"must be above 0, not {self.cpus_per_worker!r}")
        require_not_negative(workers=self.workers, gpus_per_worker=self.gpus_per_worker)


@dataclass
class BatchSettings:
    """File-to-file batch jobs (``summarize batch``)."""

    group_size: int = 64
    """Records sent to the service together: one batched model call and one durable write."""
    text_field: str = "text"
    """Input field (JSONL key, CSV or Parquet column) holding the article; ``--text-field`` wins."""
    id_field: str = "id"
    """Input field holding the record id; ``--id-field`` wins. Records without one get ``<file>:<line>``."""
    progress_seconds: float = 10.0
    """Seconds between plain progress lines when stderr is not a terminal."""
    ray: RaySettings = field(default_factory=RaySettings)

    def __post_init__(self) -> None:
        require_positive(group_size=self.group_size)
        require_not_negative(progress_seconds=self.progress_seconds)


@dataclass
class Settings:
    """All settings of the service."""

    runtime: RuntimeSettings = field(default_factory=RuntimeSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    summarize: SummarizeSettings = field(default_factory=SummarizeSettings)
    translate: TranslateSettings = field(default_factory=TranslateSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    batch: BatchSettings = field(default_factory=BatchSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)

    def model_entries(self) -> list[tuple[str, ModelSettings]]:
        """Every model the settings use, with its role, e.g. ``("summarize.models.en", ...)``; a task whose
        engine is ``llm`` uses the ``llm`` entry (when it runs here) instead of its seq2seq models, and
        summaries by the ``extractive`` engine use no model."""
        summarize_models = {} if self.summarize.engine in ("extractive", LLM_ENGINE) else self.summarize.models
        translate_models = {} if self.translate.engine == LLM_ENGINE else self.translate.models
        return [
            *((f"summarize.models.{lang}", spec) for lang, spec in summarize_models.items()),
            *((f"translate.models.{pair}", spec) for pair, spec in translate_models.items()),
            *(
                (f"server.model_choices.{name}.{lang}", spec)
                for name, models in self.server.model_choices.items()
                for lang, spec in models.items()
            ),
            *([(LLM_ENGINE, ModelSettings(model=self.llm.model))] if self.uses_local_llm else []),
        ]

    @property
    def uses_llm(self) -> bool:
        """Whether the ``llm`` engine is configured: an endpoint is set, or an engine is ``llm``."""
        return bool(self.llm.endpoint) or LLM_ENGINE in (self.summarize.engine, self.translate.engine)

    @property
    def uses_local_llm(self) -> bool:
        """Whether a task runs the ``llm`` engine's model here (no endpoint): its weights are needed."""
        return not self.llm.endpoint and LLM_ENGINE in (self.summarize.engine, self.translate.engine)

