"""Term accuracy: the share of a glossary's terms found in the sources whose target terms are in the outputs."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..glossary import Glossary
from .metrics import MetricInputs, MetricScore, mean_metric_score


@dataclass(frozen=True)
class TermAccuracy:
    """Per item with at least one glossary term in its source: the share of those terms whose target
    term is in the output (by the glossary's matching rules); the corpus value is their mean."""

    glossary: Glossary
    title: str = "Term accuracy"

    def score(self, inputs: MetricInputs) -> MetricScore:
        if len(inputs.sources) != len(inputs.outputs):
            raise InputError("term accuracy needs the source texts (--src), one per output")
        source_lang = "en" if inputs.target_lang == "zh" else "zh"
        items = []
        for source, output in zip(inputs.sources, inputs.outputs, strict=True):
            checks = self.glossary.check(source, output, source_lang, inputs.target_lang)
            if checks:
                items.append(sum(check.found for check in checks) / len(checks))
        signature = f"terms:{len(self.glossary)}|items-with-terms:{len(items)}|{source_lang}-{inputs.target_lang}"
        return mean_metric_score(self.title, items, signature)
