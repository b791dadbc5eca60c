"""Scoring summaries (ROUGE, English and Chinese) and translations (BLEU, chrF), and running evaluations.

Nothing heavy is imported here: sacrebleu, nltk, jieba, matplotlib and the
ROUGE-1.5.5 script load on first use and come with the ``eval`` extra
(``pip install -e .[eval]``); the neural metrics need the ``neural`` extra
(BERTScore) or unbabel-comet (COMET), and their weights.
"""

from .datasets import (
    DATASETS,
    Dataset,
    Example,
    ReferenceView,
    load_dataset,
    load_flores,
    load_lcsts,
    load_summeval,
    load_wmt22,
    resolve_data_dir,
    summeval_models,
    summeval_outputs,
    wmt22_official_scores,
    wmt22_outputs,
    wmt22_systems,
)
from .inputs import AlignedItems, load_aligned, read_jsonl, read_lines, read_texts
from .metric_registry import build_metric, metric_names, register_metric
from .metrics import ExtraMetric, MetricInputs, MetricScore
from .report import Report, SystemScores, render_chart, render_markdown, write_report
from .rouge import (
    LSUM_SPLITTERS,
    ROUGE_TYPES,
    ChineseWithEnglishTokenizerWarning,
    CorpusScore,
    LsumWithoutNewlinesWarning,
    Rouge,
    RougeResult,
    Score,
    lines_as_sentences,
    project_sentences,
)
from .rouge_perl import PerlRouge
from .runner import (
    SystemRun,
    build_report,
    run_systems,
    save_outputs,
    score_summary_files,
)
from .scoring import ROUGE_IMPLS, DatasetScorer, ScoringSettings, make_rouge
from .significance import PairedBootstrap
from .systems import System, parse_system
from .tokenizers import (
    Tokenizer,
    default_tokenizer,
    get_tokenizer,
    register_tokenizer,
    tokenizer_names,
)
from .translation import (
    ChineseTargetTokenizeWarning,
    ChineseTokenizeOnOtherTextWarning,
    TranslationResult,
    TranslationScorer,
    infer_target_lang,
    score_translation,
)

__all__ = [
    "DATASETS",
    "LSUM_SPLITTERS",
    "ROUGE_IMPLS",
    "ROUGE_TYPES",
    "AlignedItems",
    "ChineseTargetTokenizeWarning",
    "ChineseTokenizeOnOtherTextWarning",
    "ChineseWithEnglishTokenizerWarning",
    "CorpusScore",
    "Dataset",
    "DatasetScorer",
    "Example",
    "ExtraMetric",
    "LsumWithoutNewlinesWarning",
    "MetricInputs",
    "MetricScore",
    "PairedBootstrap",
    "PerlRouge",
    "ReferenceView",
    "Report",
    "Rouge",
    "RougeResult",
    "Score",
    "ScoringSettings",
    "System",
    "SystemRun",
    "SystemScores",
    "Tokenizer",
    "TranslationResult",
    "TranslationScorer",
    "build_metric",
    "build_report",
    "default_tokenizer",
    "get_tokenizer",
    "infer_target_lang",
    "lines_as_sentences",
    "load_aligned",
    "load_dataset",
    "load_flores",
    "load_lcsts",
    "load_summeval",
    "load_wmt22",
    "make_rouge",
    "metric_names",
    "parse_system",
    "project_sentences",
    "read_jsonl",
    "read_lines",
    "read_texts",
    "register_metric",
    "register_tokenizer",
    "render_chart",
    "render_markdown",
    "resolve_data_dir",
    "run_systems",
    "save_outputs",
    "score_summary_files",
    "score_translation",
    "summeval_models",
    "summeval_outputs",
    "tokenizer_names",
    "wmt22_official_scores",
    "wmt22_outputs",
    "wmt22_systems",
    "write_report",
]
