"""The extractive engine on variants of the evaluation articles: lowercased, shuffled, joined, one paragraph.

Run from the repository root::

    python eval/extractive_variants.py --bootstrap 1000 --lcsts-limit 1000

Reads SummEval (100 CNN/DM articles, reference 0 = the original highlights) and the first
``--lcsts-limit`` LCSTS pairs from ``--data-dir``, splits each into a tuning and a held-out half by the
SHA-256 of the ids (``tuning_ids`` of ``eval/extractive_report.py``) and reports one half
(``--split``, default ``heldout``: tune on ``tuning``, report ``heldout``). Every article gets these
variants, built here deterministically:

- ``written``: as is (normalized, as the service normalizes it);
- ``lowercased`` (SummEval only: Chinese has no case);
- ``shuffled-1`` .. ``shuffled-3``: all sentences in a random order (seed and article id), one paragraph;
- ``one-paragraph``: all sentences in one paragraph (SummEval and LCSTS texts have no line breaks,
  so this equals ``written`` but for spacing);
- ``lowercase-one-paragraph`` (SummEval only: speech-recognizer-like text);
- ``paragraphs``: the sentences in paragraphs of 1 to 4 sentences (seeded by the article id), a blank
  line between, as web news is laid out (a story finder that splits at paragraph breaks shows here);
- ``joined-3``: the article and the next two of the same half (a fixed rotation), a blank line between;
  with ``--join-orders N`` (default 1) also the same rotation over N - 1 seeded shufflings of the half, so
  that every joined variant has N inputs per article (coverage is then measured on more triples);
- ``joined-3-headlines``: the same, each article after a headline line made here from the article
  itself: its first 8 words (English) or 12 characters (Chinese) with no final punctuation;
- ``joined-3-one-paragraph``: the three run together in one paragraph;
- ``joined-3-paragraphs``: the three as ``paragraphs`` lays them out, a blank line between every paragraph,
  so that the break between two stories looks like any other.

Single-article variants are scored against the article's reference, joined ones against the three
references joined. Systems, each at the lengths short, medium and long: ``engine`` (the extractive
engine with the settings of ``configs/offline.yaml``), ``centrality`` (the same with
``position_weight=0`` and ``order_check=false``) and ``lead`` (the start of the input as long as the
engine's output: words in English, cut at a word boundary, characters in Chinese). Per variant and
length: mean ROUGE-1/2/L F1 (English stemmed, Chinese by character), paired bootstrap 95% intervals of
engine - lead and engine - centrality, the share of engine outputs within the length's budget and the
output/budget ratios, and, for joined inputs, story coverage. ``report.md`` and ``results.json``
(scores only, no text) go to ``--out``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from types import ModuleType

import numpy as np

import summarize
from summarize.config import ExtractiveSettings
from summarize.config.loader import load_settings
from summarize.engines.base import LENGTH_SCALE
from summarize.engines.extractive import ExtractiveSummarizer
from summarize.engines.page import read_page
from summarize.evaluation import Dataset, Rouge, load_dataset, resolve_data_dir
from summarize.evaluation.baselines import lead_prefix
from summarize.text import join_sentences, length_units, normalize_text, split_sentences

CONFIG = "configs/offline.yaml"
LENGTHS = ("short", "medium", "long")
SYSTEMS = ("engine", "lead", "centrality")
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")
SHUFFLE_SEEDS = (1, 2, 3)
JOINED = 3
MAX_PARAGRAPH_SENTENCES = 4
HEADLINE_WORDS = 8
HEADLINE_CHARACTERS = 12
BOOTSTRAP_SEED = 12345
COVERAGE_GOAL = 0.9
ENGINE_FILES = ("engines/extractive.py", "engines/order.py", "engines/page.py", "engines/stories.py", "text.py")
"""Source files whose hashes the report records, to tell one engine version from another."""
_FINAL_PUNCTUATION = ".!?;:,。！？；：，…、\"'”’」』)）】》-—"
_CUT_ENDING = "…\"'”’」』 "
"""What the engine may add to a sentence it cuts to the budget (a cut mark, the quotes it closes)."""


@dataclass(frozen=True)
class Item:
    """One input: its id, normalized text and reference; for joined inputs the stories it holds
    (normalized article texts) and where each one is in the text."""

    id: str
    text: str
    reference: str
    stories: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()


# --------------------------------------------------------------------------- data


def _report_module() -> ModuleType:
    """eval/extractive_report.py, whose split helpers (``tuning_ids``, ``subset``) this script shares."""
    path = Path(__file__).resolve().with_name("extractive_report.py")
    spec = importlib.util.spec_from_file_location("eval_extractive_report", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def split_dataset(dataset: Dataset, split: str) -> Dataset:
    """The tuning half (the lowest SHA-256 ids) or the held-out half (the rest), in dataset order."""
    report = _report_module()
    tuning = report.tuning_ids(dataset, len(dataset.examples) // 2)
    ids = tuning if split == "tuning" else {example.id for example in dataset.examples} - tuning
    return report.subset(dataset, ids, f"{dataset.name}-{split}")


def items_of(dataset: Dataset) -> list[Item]:
    """One item per example: its normalized source and its first reference."""
    return [Item(example.id, normalize_text(example.source), example.references[0]) for example in dataset.examples]


# --------------------------------------------------------------------------- variants


def lowercased(items: Sequence[Item]) -> list[Item]:
    """Every text lowercased."""
    return [replace(item, text=item.text.lower()) for item in items]


def shuffled(items: Sequence[Item], seed: int) -> list[Item]:
    """Every text's sentences in a random order (seeded by `seed` and the item id), in one paragraph."""
    result = []
    for item in items:
        sentences = split_sentences(item.text)
        random.Random(f"{seed}/{item.id}").shuffle(sentences)
        result.append(replace(item, text=join_sentences(sentences)))
    return result


def one_paragraph(items: Sequence[Item]) -> list[Item]:
    """Every text's sentences in one paragraph: no line breaks."""
    return [replace(item, text=join_sentences(split_sentences(item.text))) for item in items]


def paragraphs(items: Sequence[Item]) -> list[Item]:
    """Every text's sentences in paragraphs of 1 to :data:`MAX_PARAGRAPH_SENTENCES` sentences (seeded by the
    item id), a blank line between."""
    result = []
    for item in items:
        sentences = split_sentences(item.text)
        sizes = random.Random(f"paragraphs/{item.id}")
        laid_out, start = [], 0
        while start < len(sentences):
            end = start + sizes.randint(1, MAX_PARAGRAPH_SENTENCES)
            laid_out.append(join_sentences(sentences[start:end]))
            start = end
        result.append(replace(item, text="\n\n".join(laid_out)))
    return result


def headline(text: str, lang: str) -> str:
    """A neutral headline made from the article itself: the start of its first sentence, 8 words (en) or
    12 characters (zh), with no final punctuation (so the engine's page reader sees a headline line)."""
    first = split_sentences(text)[0] if text.strip() else ""
    start = " ".join(first.split()[:HEADLINE_WORDS]) if lang == "en" else first[:HEADLINE_CHARACTERS]
    return start.rstrip(_FINAL_PUNCTUATION + " ")


def locate(text: str, stories: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """Where each story is in `text`, searched in order ((-1, -1) for one not found)."""
    spans, cursor = [], 0
    for story in stories:
        start = text.find(story, cursor)
        spans.append((start, start + len(story)) if start >= 0 else (-1, -1))
        cursor = max(cursor, start + len(story)) if start >= 0 else cursor
    return tuple(spans)


def joined(items: Sequence[Item], lang: str, style: str) -> list[Item]:
    """Each item followed by the next two (a rotation): `style` ``blank-line`` (a blank line between),
    ``headlines`` (each story after its :func:`headline` line) or ``one-paragraph`` (no break at all)."""
    result = []
    for index, item in enumerate(items):
        group = [items[(index + offset) % len(items)] for offset in range(JOINED)]
        stories = tuple(member.text for member in group)
        if style == "one-paragraph":
            text = join_sentences(list(stories))
        elif style == "headlines":
            text = "\n\n".join(f"{headline(story, lang)}\n{story}" for story in stories)
        else:
            text = "\n\n".join(stories)
        text = normalize_text(text)
        reference = "\n".join(member.reference for member in group)
        result.append(Item(item.id, text, reference, stories, locate(text, stories)))
    return result


def join_orders(items: Sequence[Item], count: int) -> list[list[Item]]:
    """`items` as they are, then `count` - 1 seeded shufflings of them (ids marked ``#1``, ``#2`` ...): the
    orders whose rotations make the joined variants."""
    orders = [list(items)]
    for order in range(1, count):
        shuffled_items = [replace(item, id=f"{item.id}#{order}") for item in items]
        random.Random(f"join-order/{order}").shuffle(shuffled_items)
        orders.append(shuffled_items)
    return orders


def build_variants(items: Sequence[Item], lang: str, orders: int = 1) -> dict[str, list[Item]]:
    """Every variant of `items`, by name (lowercased ones for English only); the joined ones from `orders`
    orders of the items (:func:`join_orders`)."""
    variants: dict[str, list[Item]] = {"written": list(items)}
    if lang == "en":
        variants["lowercased"] = lowercased(items)
    for seed in SHUFFLE_SEEDS:
        variants[f"shuffled-{seed}"] = shuffled(items, seed)
    variants["one-paragraph"] = one_paragraph(items)
    if lang == "en":
        variants["lowercase-one-paragraph"] = one_paragraph(lowercased(items))
    variants["paragraphs"] = paragraphs(items)
    ordered = join_orders(items, orders)
    for name, style in (("joined-3", "blank-line"), ("joined-3-headlines", "headlines"),
                        ("joined-3-one-paragraph", "one-paragraph")):
        variants[name] = [group for order in ordered for group in joined(order, lang, style)]
    variants["joined-3-paragraphs"] = [group for order in ordered for group in joined(paragraphs(order), lang, "blank-line")]
    return variants


def headed_stories(items: Sequence[Item]) -> int:
    """How many inputs the engine's page reader reads as one section per story (headline detection)."""
    return sum(len(set(read_page(item.text).sections)) == len(item.stories) for item in items)


# --------------------------------------------------------------------------- systems


def engine_settings(config: str = CONFIG) -> tuple[ExtractiveSettings, ExtractiveSettings]:
    """The engine's settings from `config`, and plain centrality's (no lead prior, no order check)."""
    settings = load_settings(config).summarize.extractive
    return settings, replace(settings, position_weight=0.0, order_check=False)


def budget(settings: ExtractiveSettings, lang: str, length: str) -> int:
    """The word (en) or character (zh) budget of a summary of `length`, as the engine computes it."""
    return max(1, round((settings.words if lang == "en" else settings.characters) * LENGTH_SCALE[length]))


def same_length_lead(text: str, output: str, lang: str) -> str:
    """The start of `text` as long as `output`: as many words (en, cut at a word boundary) or characters (zh)."""
    return lead_prefix(text, length_units(output, lang), lang)


Outputs = dict[tuple[str, str, str], list[str]]
"""Outputs by (variant, system, length), one per item."""


def run_systems(variants: dict[str, list[Item]], lang: str, settings: Sequence[ExtractiveSettings]) -> Outputs:
    """Every system's outputs on every variant at every length; each engine run once per input."""
    engine, centrality = (ExtractiveSummarizer(value) for value in settings)
    outputs: Outputs = {}
    for name, items in variants.items():
        texts = [item.text for item in items]
        for length in LENGTHS:
            ours = [summary.text for summary in engine.summarize_documents(texts, lang, length)]  # type: ignore[arg-type]
            outputs[name, "engine", length] = ours
            outputs[name, "centrality", length] = [
                summary.text for summary in centrality.summarize_documents(texts, lang, length)  # type: ignore[arg-type]
            ]
            outputs[name, "lead", length] = [same_length_lead(text, out, lang) for text, out in zip(texts, ours)]
    return outputs


# --------------------------------------------------------------------------- measures


def rouge_scorer(lang: str) -> Rouge:
    """The project's ROUGE: stemmed English words, or Chinese characters (as extractive_report.py scores)."""
    return Rouge("en" if lang == "en" else "zh-char", stem=lang == "en", rouge_types=ROUGE_TYPES, lsum_splitter="summarize")


def item_scores(scorer: Rouge, outputs: Sequence[str], references: Sequence[str]) -> dict[str, list[float]]:
    """Each output's ROUGE F1 per type."""
    result = scorer.corpus_score(list(outputs), list(references))
    return {rouge_type: result.item_f1(rouge_type) for rouge_type in ROUGE_TYPES}


def paired_interval(ours: Sequence[float], theirs: Sequence[float], samples: int, seed: int = BOOTSTRAP_SEED) -> dict:
    """The mean difference ours - theirs and its 95% paired bootstrap interval (resampled items)."""
    differences = np.asarray(ours, dtype=float) - np.asarray(theirs, dtype=float)
    result = {"mean": float(differences.mean()) if len(differences) else 0.0}
    if samples and len(differences):
        draws = np.random.default_rng(seed).integers(0, len(differences), size=(samples, len(differences)))
        low, high = np.percentile(differences[draws].mean(axis=1), [2.5, 97.5])
        result["ci95"] = [float(low), float(high)]
    return result


def budget_stats(outputs: Sequence[str], lang: str, limit: int) -> dict:
    """The share of outputs within `limit` words/characters, and the max and median output/limit ratio."""
    ratios = [length_units(output, lang) / limit for output in outputs]
    return {
        "budget": limit,
        "kept": sum(ratio <= 1 for ratio in ratios) / len(ratios),
        "max_ratio": max(ratios),
        "median_ratio": statistics.median(ratios),
    }


def piece_stories(piece: str, item: Item) -> set[int]:
    """The stories a summary sentence comes from: those whose text contains it (or, for a sentence the engine
    cut to its budget, its start: the cut mark and closed quotes dropped); else, for a sentence across the
    seam of two stories run together, the story holding most of it; else (two picked sentences that the
    splitter reads as one, after a story's unterminated last sentence) those with a sentence inside it."""
    for candidate in (piece, piece.rstrip(_CUT_ENDING)):
        found = {index for index, story in enumerate(item.stories) if candidate and candidate in story}
        if found:
            return found
    start = item.text.find(piece)
    if start >= 0:
        end = start + len(piece)
        overlaps = [min(end, high) - max(start, low) for low, high in item.spans]
        return {overlaps.index(max(overlaps))} if max(overlaps, default=0) > 0 else set()
    return {index for index, story in enumerate(item.stories) if any(s in piece for s in split_sentences(story))}


def covered_stories(summary: str, item: Item) -> int:
    """How many of the item's stories contribute at least one sentence of `summary`."""
    covered: set[int] = set()
    for piece in split_sentences(summary):
        covered |= piece_stories(piece, item)
    return len(covered)


def coverage(outputs: Sequence[str], items: Sequence[Item]) -> dict:
    """The share of inputs whose summary covers every story, and the mean number of stories covered."""
    counts = [covered_stories(output, item) for output, item in zip(outputs, items)]
    return {"all": sum(count == len(item.stories) for count, item in zip(counts, items)) / len(items),
            "mean": sum(counts) / len(counts)}


def measure_row(items: Sequence[Item], outputs: Outputs, variant: str, length: str, lang: str,
                settings: ExtractiveSettings, samples: int) -> dict:
    """Scores, intervals, budget and coverage of the three systems on one variant at one length."""
    scorer, references = rouge_scorer(lang), [item.reference for item in items]
    per_item = {system: item_scores(scorer, outputs[variant, system, length], references) for system in SYSTEMS}
    row: dict = {"variant": variant, "length": length, "items": len(items), "systems": {}}
    for system in SYSTEMS:
        entry = {rouge_type: float(np.mean(per_item[system][rouge_type])) for rouge_type in ROUGE_TYPES}
        entry["length"] = budget_stats(outputs[variant, system, length], lang, budget(settings, lang, length))
        if items[0].stories:
            entry["coverage"] = coverage(outputs[variant, system, length], items)
        row["systems"][system] = entry
    for baseline in ("lead", "centrality"):
        row[f"engine_minus_{baseline}"] = {
            rouge_type: paired_interval(per_item["engine"][rouge_type], per_item[baseline][rouge_type], samples)
            for rouge_type in ROUGE_TYPES
        }
    return row


# --------------------------------------------------------------------------- report


def goal_met(row: dict) -> bool:
    """Whether the engine's ROUGE-1 is at least the better baseline's (point estimates)."""
    scores = row["systems"]
    return scores["engine"]["rouge1"] >= max(scores["lead"]["rouge1"], scores["centrality"]["rouge1"])


def clearly_below(row: dict) -> bool:
    """Whether the engine's ROUGE-1 is below the better baseline's with its whole 95% interval."""
    scores = row["systems"]
    better = "lead" if scores["lead"]["rouge1"] >= scores["centrality"]["rouge1"] else "centrality"
    interval = row[f"engine_minus_{better}"]["rouge1"].get("ci95")
    return bool(interval) and interval[1] < 0


def _interval(difference: dict) -> str:
    low_high = difference.get("ci95")
    text = f"{difference['mean']:+.4f}"
    return text + (f" [{low_high[0]:+.4f}, {low_high[1]:+.4f}]" if low_high else "")


def _coverage(entry: dict) -> str:
    found = entry.get("coverage")
    return f"{100 * found['all']:.0f}% ({found['mean']:.2f})" if found else "-"


def _before_rouge1(before: dict | None, dataset: str, variant: str, length: str) -> float | None:
    rows = (before or {}).get("datasets", {}).get(dataset, {}).get("rows", [])
    return next((row["systems"]["engine"]["rouge1"] for row in rows
                 if row["variant"] == variant and row["length"] == length), None)


def render_table(name: str, block: dict, before: dict | None = None) -> list[str]:
    """The markdown table of one dataset: ROUGE-1 F1, intervals, budget kept, coverage, goal."""
    delta = " engine vs before |" if before else ""
    lines = [
        f"### {name} ({block['items']} inputs, {block['split']} half; joined variants "
        f"{block.get('joined_inputs', block['items'])} inputs)", "",
        "| variant | length | engine R1 | lead R1 | centrality R1 | engine - lead [95%] | engine - centrality [95%] "
        "| budget kept (max, median ratio) | coverage engine / lead / centrality | >= best baseline |" + delta,
        "|---|---|---:|---:|---:|---|---|---|---|---|" + ("---:|" if before else ""),
    ]
    for row in block["rows"]:
        systems, size = row["systems"], row["systems"]["engine"]["length"]
        cells = [
            row["variant"], row["length"], *(f"{systems[system]['rouge1']:.4f}" for system in SYSTEMS),
            _interval(row["engine_minus_lead"]["rouge1"]), _interval(row["engine_minus_centrality"]["rouge1"]),
            f"{100 * size['kept']:.0f}% ({size['max_ratio']:.2f}, {size['median_ratio']:.2f})",
            " / ".join(_coverage(systems[system]) for system in SYSTEMS) if "coverage" in systems["engine"] else "-",
            "yes" if goal_met(row) else "**no**",
        ]
        if before:
            old = _before_rouge1(before, name, row["variant"], row["length"])
            cells.append("-" if old is None else f"{systems['engine']['rouge1'] - old:+.4f}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_other_types(name: str, block: dict) -> list[str]:
    """ROUGE-2 and ROUGE-L F1 of the three systems, one row per variant and length."""
    lines = [f"ROUGE-2 / ROUGE-L F1 ({name}):", "",
             "| variant | length | engine R2 / RL | lead R2 / RL | centrality R2 / RL |", "|---|---|---|---|---|"]
    for row in block["rows"]:
        cells = [f"{row['systems'][s]['rouge2']:.4f} / {row['systems'][s]['rougeL']:.4f}" for s in SYSTEMS]
        lines.append(f"| {row['variant']} | {row['length']} | " + " | ".join(cells) + " |")
    return lines


def summary_checks(results: dict) -> list[str]:
    """The issue's goals, checked: rows below the better baseline, budget and coverage shortfalls."""
    lines = []
    for name, block in results["datasets"].items():
        rows = block["rows"]
        below = [f"{row['variant']}/{row['length']}" for row in rows if not goal_met(row)]
        budget_rows = [f"{row['variant']}/{row['length']} {100 * row['systems']['engine']['length']['kept']:.0f}%"
                       for row in rows if row["systems"]["engine"]["length"]["kept"] < 1]
        cover = [f"{row['variant']} {100 * row['systems']['engine']['coverage']['all']:.0f}%"
                 for row in rows if row["length"] == "long" and "coverage" in row["systems"]["engine"]
                 and row["systems"]["engine"]["coverage"]["all"] < COVERAGE_GOAL]
        clear = [f"{row['variant']}/{row['length']}" for row in rows if clearly_below(row)]
        lines += [
            f"- {name}: engine ROUGE-1 below the better baseline on {len(below)} of {len(rows)} rows"
            + (f": {', '.join(below)}" if below else ""),
            f"- {name}: of those, below it with the whole 95% interval on {len(clear)}"
            + (f": {', '.join(clear)}" if clear else ""),
            f"- {name}: budget kept in 100% of inputs on {len(rows) - len(budget_rows)} of {len(rows)} rows"
            + (f"; not on {', '.join(budget_rows)}" if budget_rows else ""),
            f"- {name}: joined inputs (long) with every story covered >= {COVERAGE_GOAL:.0%}: "
            + ("yes" if not cover else f"no ({', '.join(cover)})"),
        ]
    return lines


def render_markdown(results: dict, before: dict | None = None) -> str:
    """The whole report."""
    lines = [
        "# Extractive engine on article variants", "",
        f"Command: `{results['command']}`  ", f"Date: {results['date']}; split: {results['split']}; "
        f"run time {results['seconds']:.0f} s  ",
        f"Engine settings ({CONFIG}): `{json.dumps(results['engine_settings'])}`; centrality: the same with "
        "`position_weight=0`, `order_check=false`  ",
        f"Engine source: {results['source']}", "",
        "ROUGE-1 F1 (English: stemmed words; Chinese: characters) against the original highlights (SummEval) or the",
        "LCSTS summary; joined inputs against the three references joined. `lead` is the start of the input as long",
        "as the engine's output. Intervals: paired bootstrap 95% over inputs "
        f"({results['bootstrap']} resamples, seed {BOOTSTRAP_SEED}). Budget: words (en) / characters (zh) of the "
        "length (`round(words or characters x scale)`), share of engine outputs within it, and the max and median "
        "output/budget ratio. Coverage (joined inputs): share of inputs whose summary has a sentence from every "
        "story (mean number of stories covered in brackets); the goal reads the long summaries.", "",
        "Goals:", "", *summary_checks(results), "",
    ]
    for name, block in results["datasets"].items():
        lines += render_table(name, block, before) + [""] + render_other_types(name, block) + [""]
        lines += [f"Notes ({name}):", "", *(f"- {note}" for note in block["notes"]), ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- running


def _git(*args: str) -> bytes | None:
    """A read-only git command's output in this script's checkout, or None."""
    try:
        return subprocess.run(["git", *args], capture_output=True, cwd=Path(__file__).resolve().parent, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def source_fingerprint() -> str:
    """Where the summarize package was loaded from, this checkout's commit, and the SHA-256 (12 hex digits)
    of the engine's source files as loaded, each marked as committed or not (equal to HEAD's version)."""
    package = Path(summarize.__file__).resolve().parent
    commit = (_git("rev-parse", "--short", "HEAD") or b"unknown").decode().strip()
    parts = []
    for name in ENGINE_FILES:
        if (package / name).exists():
            digest = hashlib.sha256((package / name).read_bytes()).hexdigest()[:12]
            committed = _git("show", f"HEAD:src/summarize/{name}")
            state = "?" if committed is None else "committed" if hashlib.sha256(committed).hexdigest()[:12] == digest else "uncommitted"
            parts.append(f"{name} {digest} ({state})")
    return f"summarize from {package}; HEAD {commit}; " + ", ".join(parts)


def evaluate(dataset: Dataset, lang: str, split: str, settings: Sequence[ExtractiveSettings], samples: int,
             progress: Callable[[str], None], orders: int = 1) -> dict:
    """Every row of one dataset's half, and notes on its variants (joined ones from `orders` orders)."""
    items = items_of(split_dataset(dataset, split))
    variants = build_variants(items, lang, orders)
    outputs = run_systems(variants, lang, settings)
    rows = []
    for variant, members in variants.items():
        progress(f"{dataset.name} {split}: scoring {variant}")
        rows += [measure_row(members, outputs, variant, length, lang, settings[0], samples) for length in LENGTHS]
    same = sum(a.text == b.text for a, b in zip(variants["written"], variants["one-paragraph"]))
    notes = [
        f"one-paragraph input identical to written on {same} of {len(items)} inputs (the sources have no line breaks)",
        "median sentences per input (project splitter): " + ", ".join(
            f"{name} {statistics.median(len(split_sentences(item.text)) for item in members):g}"
            for name, members in variants.items()),
        f"joined-3-headlines read as {JOINED} headed stories by the engine's page reader on "
        f"{headed_stories(variants['joined-3-headlines'])} of {len(variants['joined-3-headlines'])} inputs",
        *(f"engine output identical to the same-length lead on {identical(outputs, v)} of {len(items)} {v} inputs"
          " (long)" for v in ("written", "shuffled-1")),
    ]
    return {"items": len(items), "joined_inputs": len(variants["joined-3"]), "split": split, "lang": lang,
            "rows": rows, "notes": notes}


def identical(outputs: Outputs, variant: str) -> int:
    """How many long engine outputs of `variant` are exactly the same-length lead (words compared)."""
    pairs = zip(outputs[variant, "engine", "long"], outputs[variant, "lead", "long"])
    return sum(re.sub(r"\s+", " ", a).strip() == re.sub(r"\s+", " ", b).strip() for a, b in pairs)


def _one_or_more(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {value!r}")
    return int(value)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The extractive engine on lowercased, shuffled and joined articles.")
    parser.add_argument("--data-dir", help="evaluation data folder (default: $SUMMARIZE_EVALDATA or ../shared/evaldata)")
    parser.add_argument("--bootstrap", type=int, default=1000, help="paired bootstrap resamples for the 95%% intervals")
    parser.add_argument("--lcsts-limit", type=int, default=1000, help="LCSTS pairs read (from the start), then halved")
    parser.add_argument("--split", choices=("heldout", "tuning", "both"), default="heldout",
                        help="which half to report: tune on 'tuning', report 'heldout' (default)")
    parser.add_argument("--out", help="report folder (default eval/results/extractive-variants/<date>)")
    parser.add_argument("--before", help="an earlier results.json: adds the engine's ROUGE-1 change per row")
    parser.add_argument("--join-orders", type=_one_or_more, default=1,
                        help="orders of each half the joined variants rotate over (the first as read, the others "
                        "seeded shufflings): N inputs per article in every joined variant (default %(default)s)")
    parser.add_argument("--config", default=CONFIG, help="the engine's config (default %(default)s)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    data_dir = resolve_data_dir(args.data_dir, report=lambda line: print(line, file=sys.stderr))
    settings = engine_settings(args.config)
    corpora = [(load_dataset("summeval", data_dir), "en"), (load_dataset("lcsts", data_dir, args.lcsts_limit), "zh")]
    splits = ("tuning", "heldout") if args.split == "both" else (args.split,)
    results: dict = {
        "command": "python eval/extractive_variants.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": date.today().isoformat(), "split": args.split, "bootstrap": args.bootstrap,
        "engine_settings": asdict(settings[0]), "centrality_settings": asdict(settings[1]),
        "source": source_fingerprint(), "datasets": {},
    }
    for dataset, lang in corpora:
        for split in splits:
            name = f"{dataset.name} {split}"
            results["datasets"][name] = evaluate(dataset, lang, split, settings, args.bootstrap,
                                                 lambda line: print(line, file=sys.stderr), args.join_orders)
    results["seconds"] = time.perf_counter() - started
    before = json.loads(Path(args.before).read_text(encoding="utf-8")) if args.before else None
    markdown = render_markdown(results, before)
    folder = Path(args.out or f"eval/results/extractive-variants/{results['date']}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (folder / "report.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
