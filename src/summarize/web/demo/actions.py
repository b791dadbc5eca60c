"""What the demo's buttons do: :class:`Actions`, each one call into the service.

An action takes the controls' values (an uploaded file as its path) and returns what the tab shows;
a :class:`SummarizeError` it raises becomes the tab's error line (:func:`summarize.web.demo.common.in_place`).
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from ...batch import Task
from ...documents import EXTENSIONS, format_for, translated_name
from ...errors import InputError, SummarizeError
from ...redaction import hide_paths
from ...results import Result
from ...service import Service
from ...text import LANGUAGE_NAMES, MODEL_LANGUAGE, same_model_language
from ..choices import SummaryChoices
from .batch import KeepFiles, keep_nothing, run_uploaded_batch
from .common import UI_WORDS, describe_detection, describe_result, notice, quality_line
from .glossary import describe_terms, read_glossary

SAME_LANGUAGE = "same"
"""The summary-language choice "the article's own"."""
OUTPUT_LANGUAGES = [("Same as the article", SAME_LANGUAGE), ("English", "en"), ("Chinese 中文", "zh"),
                    ("Traditional Chinese 繁體中文", "zh-Hant")]
"""The output-language choices of the Summarize and Batch tabs: (label, language)."""
DIRECTIONS = {"en-zh": "English → Chinese", "en-zh-Hant": "English → Traditional Chinese",
              "zh-en": "Chinese → English"}
DOCUMENT_TYPES = list(EXTENSIONS)
CHART_MEASURES = ("precision", "recall", "F1")
"""The Evaluate tab's measures, in the order of its table's columns and of each group of bars."""


def score_chart(table: Sequence[Sequence[Any]]) -> str:
    """The Evaluate tab's chart as HTML: for each metric a group of three bars side by side (precision,
    recall, F1) on a 0-1 scale, each labelled with its value (a bar's ``data-*`` attributes hold what it shows)."""
    groups = []
    for metric, *values in table:
        bars = "".join(
            f'<div class="score-bar score-{measure.lower()}" data-metric="{html.escape(str(metric))}" '
            f'data-measure="{measure}" data-value="{value}">'
            f'<span class="score-fill" style="width: {max(0.0, min(1.0, float(value))) * 100:.1f}%"></span>'
            f'<span class="score-label">{measure} {float(value):.4f}</span></div>'
            for measure, value in zip(CHART_MEASURES, values, strict=True)
        )
        groups.append(f'<div class="score-group"><div class="score-metric">{html.escape(str(metric))}</div>{bars}</div>')
    return f'<div class="score-chart" role="img" aria-label="ROUGE precision, recall and F1, 0 to 1">{"".join(groups)}</div>'
DEFAULT_TOKENIZER = "default for the language"


def _notice_and_terms(result: Result, chosen: Service) -> str:
    """A summary's notice, then its glossary terms (a summary in the other language)."""
    shown = [notice(result, chosen.settings.summarize.engine), describe_terms(result.terms)]
    return "\n\n".join(line for line in shown if line)


def _document_upload(path: str | None) -> Path:
    if not path:
        raise InputError(f"upload a document first ({', '.join(DOCUMENT_TYPES)})")
    return Path(path)


class Actions:
    """What the UI's buttons do: each is one call into a service.

    The files they write for the user to download (translated documents, batch results) are given
    to `keep_files`: the server counts them toward ``server.max_stored_upload_bytes``.
    """

    def __init__(self, service: Service, keep_files: KeepFiles = keep_nothing) -> None:
        self.service = service
        self.choices = SummaryChoices(service)
        self.keep_files = keep_files

    def detect(self, text: str) -> str:
        """The detected language, or why it cannot be detected, in the UI's words ('' for empty input)."""
        if not text.strip():
            return ""
        try:
            return describe_detection(self.service.detect(text))
        except SummarizeError as error:
            return error.in_words(UI_WORDS)

    def summarize(
        self, text: str, output_lang: str, length: str, choice: str, glossary: str | None = None
    ) -> tuple[str, str, str]:
        """Summary, its description and its notice (with the glossary's terms of a summary in the other language)."""
        chosen = self.choices.service(choice)
        target = None if output_lang == SAME_LANGUAGE else output_lang
        result = chosen.summarize(text, target, length=length, glossary=read_glossary(glossary))
        return result.text, describe_result(result), _notice_and_terms(result, chosen)

    def bilingual(self, text: str, length: str, choice: str, glossary: str | None = None) -> tuple[str, str, str]:
        """English summary, Chinese summary, and what produced them: one summary and its translation
        (with the glossary's terms of the translated summary)."""
        chosen = self.choices.service(choice)
        summary, translated = chosen.summarize_bilingual(text, length=length, glossary=read_glossary(glossary))
        texts = {MODEL_LANGUAGE[result.target_lang]: result.text for result in (summary, translated)}
        lines = [
            notice(summary, chosen.settings.summarize.engine),
            *map(describe_result, (summary, translated)),
            describe_terms(translated.terms),
        ]
        return texts["en"], texts["zh"], "\n\n".join(line for line in lines if line)

    def translate(self, text: str, direction: str, glossary: str | None = None) -> Iterator[tuple[str, str]]:
        """The translation so far after each sentence, then a description line (and the glossary's terms)."""
        source, target = direction.split("-", 1)
        used = read_glossary(glossary) or self.service.glossary
        detection = self.service.detect(text)
        if same_model_language(detection.language, source):
            source = detection.language  # Simplified or Traditional Chinese, as detected
        elif not detection.is_mixed:
            raise InputError(
                f"the text looks {LANGUAGE_NAMES[detection.language]} but the direction is "
                f"{DIRECTIONS[direction]}; press Swap or pick the other direction"
            )
        for step in self.service.translate_stream(text, target, source_lang=source, glossary=used):
            if isinstance(step, Result):  # the service's own result: its model and its checked terms
                extra = [part for part in (quality_line(step), describe_terms(step.terms)) if part]
                line = f"{DIRECTIONS[direction]} · model `{hide_paths(step.model)}`"
                yield step.text, "\n\n".join([line, *extra])
            else:
                yield step, ""

    def summarize_document(
        self, path: str | None, output_lang: str, length: str, choice: str, glossary: str | None = None
    ) -> tuple[str, str, str]:
        """Summary of an uploaded document's main text, its description and its notice (title and date among
        the notes; the glossary's terms of a summary in the other language)."""
        source = _document_upload(path)
        chosen = self.choices.service(choice)
        target = None if output_lang == SAME_LANGUAGE else output_lang
        result = chosen.summarize_document(
            source.read_bytes(), format_for(source.name), target, length=length, name=source.name,
            glossary=read_glossary(glossary),
        )
        return result.text, describe_result(result), _notice_and_terms(result, chosen)

    def translate_document(self, path: str | None, direction: str, glossary: str | None = None) -> tuple[str, str]:
        """Translate an uploaded document into a file of the same format: its path (for download) and a
        description (with the glossary's terms, checked over the whole document)."""
        source = _document_upload(path)
        target = direction.split("-", 1)[1]  # the source language is detected: a document in the target language is refused
        translation = self.service.translate_document(
            source.read_bytes(), format_for(source.name), target, name=source.name, glossary=read_glossary(glossary)
        )
        output = source.parent / uuid.uuid4().hex / translated_name(source.name, target)
        output.parent.mkdir()
        output.write_bytes(translation.data)
        self.keep_files([str(output)])
        lines = [describe_result(translation.result), describe_terms(translation.result.terms)]
        return str(output), "\n\n".join(line for line in lines if line)

    def batch(
        self,
        path: str | None,
        task: Task,
        target_lang: str,
        choice: str,
        text_format: str = "text",
        glossary: str | None = None,
        progress: gr.Progress = gr.Progress(),
    ) -> tuple[str, str, list[list[str]]]:
        """Run a batch job on an uploaded JSONL/CSV file whose text field holds `text_format` (plain text, or
        saved pages: ``summarize batch --format``), with the glossary in every translation and cross-lingual
        summary: the results file, a count line and a preview."""
        target = None if target_lang == SAME_LANGUAGE else target_lang
        if target is None and task != "summarize":
            same, *others = (label for label, _ in OUTPUT_LANGUAGES)  # "Same as the article" first
            raise InputError(
                f"the {task} task needs an output language: choose {', '.join(others[:-1])} or {others[-1]} "
                f"(not \"{same}\")"
            )
        service = self.choices.service(choice)
        return run_uploaded_batch(
            service, path, task, target, progress, text_format, read_glossary(glossary), self.keep_files
        )

    @staticmethod
    def evaluate(
        predictions: str | None, references: Sequence[str] | None, lang: str, tokenizer: str
    ) -> tuple[list[list[Any]], str, str]:
        """ROUGE of uploaded predictions against references: a table, its chart (:func:`score_chart`) and the signature."""
        from ...evaluation import score_summary_files
        from ...evaluation.report import ROUGE_NAMES

        if not predictions:
            raise InputError("upload the predictions file (one summary per line, or JSONL with id and text)")
        if not references:
            raise InputError("upload at least one references file, aligned with the predictions")
        named = None if tokenizer == DEFAULT_TOKENIZER else tokenizer
        result = score_summary_files(predictions, references, lang, named)
        table = [
            [ROUGE_NAMES[kind], round(score.precision, 4), round(score.recall, 4), round(score.f1, 4)]
            for kind, score in result.scores.items()
        ]
        lines = [f"{len(result.documents):,} items · signature `{result.signature}`"]
        lines.extend(f"⚠️ {note}" for note in result.notes)
        return table, score_chart(table), "\n\n".join(lines)

    @staticmethod
    def swap(direction: str, text: str, translation: str) -> tuple[str, str, str, str, str]:
        """The other direction, with the translation (when there is one) moved into the input; outputs cleared."""
        other = "en-zh" if direction == "zh-en" else "zh-en"
        return other, translation or text, "", "", ""
