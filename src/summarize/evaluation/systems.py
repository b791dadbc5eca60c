"""The systems ``eval/run.py`` can run over a dataset, and their command-line specs.

A spec is ``[label=]kind[:argument]``:

- ``lead-N``: the first N sentences of each source (e.g. ``lead-3``);
- ``lead-match:LABEL``: the start of each source, as long as system LABEL's
  output for it (words in English, characters in Chinese);
- ``config:PATH[,KEY=VALUE...]``: the service built from a YAML config, with
  optional dotted setting overrides (summaries for summarization sets,
  translations for translation sets), e.g.
  ``config:configs/offline.yaml,summarize.extractive.position_weight=0.8``;
- ``published:ID``: outputs published with the data (SummEval ``M22``,
  WMT22 ``Online-B``, ...).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..errors import InputError
from .baselines import lead_prefix, lead_sentences, length_units
from .datasets import Dataset, summeval_outputs, wmt22_outputs

BATCH_SIZE = 16
_LEAD = re.compile(r"lead-([1-9][0-9]*)$")
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*$")

Progress = Callable[[int], None]
"""Called with the number of items just finished."""


class System(Protocol):
    """Something that produces one output per dataset example."""

    label: str
    description: str

    def outputs(self, dataset: Dataset, data_dir: Path | None, progress: Progress) -> list[str]:
        """One output text per example of `dataset`, in order."""
        ...


@dataclass
class LeadSystem:
    """The first `count` sentences of each source."""

    label: str
    count: int

    @property
    def description(self) -> str:
        return f"Lead-{self.count}: the first {self.count} sentences (project splitter)"

    def outputs(self, dataset: Dataset, data_dir: Path | None, progress: Progress) -> list[str]:
        result = []
        for example in dataset.examples:
            result.append(lead_sentences(example.source, self.count))
            progress(1)
        return result


@dataclass
class LeadMatchedSystem:
    """The start of each source, as long as another system's output for it."""

    label: str
    matched: str
    lengths: list[int] | None = None
    """Target lengths per example, set by the runner once the matched system has run."""

    @property
    def description(self) -> str:
        return f"lead prefix of the same length as {self.matched}'s output (words in English, characters in Chinese)"

    def match(self, outputs: Sequence[str], lang: str) -> None:
        """Take the lengths to match from the matched system's `outputs`."""
        self.lengths = [length_units(text, lang) for text in outputs]

    def outputs(self, dataset: Dataset, data_dir: Path | None, progress: Progress) -> list[str]:
        if self.lengths is None:
            raise InputError(f"system {self.label!r} needs system {self.matched!r} to run first")
        result = []
        for example, units in zip(dataset.examples, self.lengths, strict=True):
            result.append(lead_prefix(example.source, units, dataset.source_lang))
            progress(1)
        return result


@dataclass
class ServiceSystem:
    """The project's service, built from a config file."""

    label: str
    config: Path
    length: str = "medium"
    overrides: dict[str, str] = field(default_factory=dict)
    """Dotted setting overrides, as the config loader takes them."""

    @property
    def description(self) -> str:
        settings = "".join(f", {key}={value}" for key, value in self.overrides.items())
        return f"summarize.Service with {self.config} (length={self.length}{settings})"

    def outputs(self, dataset: Dataset, data_dir: Path | None, progress: Progress) -> list[str]:
        from ..service import Service

        service = Service.from_config(self.config, **self.overrides)
        texts = [example.source for example in dataset.examples]
        result: list[str] = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = texts[start : start + BATCH_SIZE]
            if dataset.task == "summarization":
                results = service.summarize_batch(
                    batch, dataset.target_lang, source_lang=dataset.source_lang, length=self.length  # type: ignore[arg-type]
                )
            else:
                results = service.translate_batch(batch, dataset.target_lang, source_lang=dataset.source_lang)  # type: ignore[arg-type]
            result.extend(item.text for item in results)
            progress(len(batch))
        return result


@dataclass
class PublishedSystem:
    """Outputs published with the dataset (SummEval systems, WMT22 participants)."""

    label: str
    system_id: str

    @property
    def description(self) -> str:
        return f"published outputs of {self.system_id}"

    def outputs(self, dataset: Dataset, data_dir: Path | None, progress: Progress) -> list[str]:
        if dataset.name == "summeval":
            table = summeval_outputs(self.system_id, data_dir)
            missing = [example.id for example in dataset.examples if example.id not in table]
            if missing:
                raise InputError(f"SummEval system {self.system_id} has no summary for {len(missing)} articles")
            result = [table[example.id] for example in dataset.examples]
        elif dataset.name.startswith("wmt22-"):
            lines = wmt22_outputs(dataset.name.removeprefix("wmt22-"), self.system_id, data_dir)
            result = lines[: len(dataset.examples)]
        else:
            raise InputError(f"dataset {dataset.name!r} has no published system outputs")
        progress(len(result))
        return result


def _default_label(kind: str, argument: str) -> str:
    if kind == "config":
        return Path(argument).stem
    if kind == "lead-match":
        return f"lead-match-{argument}"
    return argument or kind


def parse_system(spec: str, *, length: str = "medium") -> System:
    """Build a system from its command-line spec (see the module docstring)."""
    label, _, body = spec.partition("=") if "=" in spec.split(":", 1)[0] else ("", "", spec)
    kind, _, argument = body.partition(":")
    lead = _LEAD.match(kind)
    if lead and not argument:
        system: System = LeadSystem(label or kind, int(lead.group(1)))
    elif kind == "lead-match" and argument:
        system = LeadMatchedSystem(label or _default_label(kind, argument), argument)
    elif kind == "config" and argument:
        path, *settings = argument.split(",")
        overrides = dict(setting.split("=", 1) for setting in settings if "=" in setting)
        if len(overrides) != len(settings):
            raise InputError(f"settings in system spec {spec!r} must be KEY=VALUE, separated by commas")
        system = ServiceSystem(label or _default_label(kind, path), Path(path), length, overrides)
    elif kind == "published" and argument:
        system = PublishedSystem(label or argument, argument)
    else:
        raise InputError(
            f"unknown system spec {spec!r}; use lead-N, lead-match:LABEL, config:PATH or published:ID, "
            "optionally prefixed by LABEL="
        )
    if not _LABEL.match(system.label):
        raise InputError(f"system label {system.label!r} must be letters, digits, '.', '_', '+' or '-'")
    return system


def check_labels(systems: Sequence[System]) -> None:
    """Raise :class:`InputError` for duplicate labels or a lead-match of a system not in the run."""
    labels: list[str] = []
    for system in systems:
        if system.label in labels:
            raise InputError(f"two systems are labelled {system.label!r}; give one a label with LABEL=spec")
        labels.append(system.label)
    for system in systems:
        if isinstance(system, LeadMatchedSystem) and system.matched not in labels:
            raise InputError(f"{system.label!r} matches system {system.matched!r}, which is not in this run")
