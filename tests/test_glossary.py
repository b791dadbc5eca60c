"""Glossaries: file errors with line numbers, matching rules, placeholders through the model, Result.terms."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli import run, tiny_flags

from summarize.errors import InputError
from summarize.glossary import (
    MAX_TERM_CHARACTERS,
    Glossary,
    TermCheck,
    kept_terms,
    merge_checks,
)
from summarize.translate import translate_with_glossary


def _file(tmp_path: Path, content: str, name: str = "terms.tsv") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- files


def test_a_tsv_glossary_with_comments_and_directions(tmp_path: Path) -> None:
    glossary = Glossary.from_file(
        _file(tmp_path, "# names\n覃伟中\tQin Weizhong\n\nNew York\t纽约\nUN\t联合国\ten-zh\nUN\tUnited Nations\tzh-en\n")
    )
    assert [(t.source, t.target, t.direction) for t in glossary.terms] == [
        ("覃伟中", "Qin Weizhong", "zh-en"), ("New York", "纽约", "en-zh"), ("UN", "联合国", "en-zh"),
        ("UN", "United Nations", "zh-en"),
    ]


def test_a_csv_glossary_may_quote_commas(tmp_path: Path) -> None:
    glossary = Glossary.from_file(_file(tmp_path, '"Smith, John",史密斯\nRiverton,河城,en-zh\n', "terms.csv"))
    assert [(t.source, t.target, t.direction) for t in glossary.terms] == [
        ("Smith, John", "史密斯", "en-zh"), ("Riverton", "河城", "en-zh"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a\tb\n\nonly one column\n", r"^glossary .*terms.tsv line 3: expected 2 or 3 columns \(source, target, optional direction\), got 1$"),
        ("a\tb\tc\td\n", r"^glossary .*terms.tsv line 1: expected 2 or 3 columns \(source, target, optional direction\), got 4$"),
        ("# c\n\tTarget\n", r"^glossary .*terms.tsv line 2: the source term is empty$"),
        ("Source\t \n", r"^glossary .*terms.tsv line 1: the target term is empty$"),
        ("New York\t纽约\nnew york\t纽约市\n", r"^glossary .*terms.tsv line 2: 'new york' already has the target '纽约' \(here '纽约市'\); keep one$"),
        ("UN\t联合国\ten-fr\n", r"^glossary .*terms.tsv line 1: direction 'en-fr' is not one of en-zh, zh-en$"),
        ("# only a comment\n", r"^glossary .*terms.tsv has no terms \(lines of 'source<TAB>target'\)$"),
        ("İstanbul\t伊斯坦布尔\nistanbul\t伊斯坦堡\n", r"^glossary .*terms.tsv line 2: 'istanbul' already has the target '伊斯坦布尔' \(here '伊斯坦堡'\); keep one$"),
        (f"{'x' * (MAX_TERM_CHARACTERS + 1)}\ty\n", rf"^glossary .*terms.tsv line 1: the source term is 201 characters, over the limit of {MAX_TERM_CHARACTERS}$"),
    ],
)
def test_a_bad_glossary_line_is_named(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        Glossary.from_file(_file(tmp_path, content))


def test_a_repeated_identical_line_is_accepted_once(tmp_path: Path) -> None:
    assert len(Glossary.from_file(_file(tmp_path, "UN\t联合国\nUN\t联合国\n"))) == 1


def test_a_glossary_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "terms.tsv"
    path.write_bytes(b"caf\xe9\tcafe\n")
    with pytest.raises(InputError, match=r"^glossary .*terms.tsv is not UTF-8 text \(byte 0xe9 at offset 3\)"):
        Glossary.from_file(path)


def test_the_api_mapping_form() -> None:
    glossary = Glossary.from_mapping({"覃伟中": "Qin Weizhong"})
    assert glossary.check("覃伟中表示", "Qin Weizhong said", "zh", "en") == (TermCheck("覃伟中", "Qin Weizhong", True),)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"覃伟中": " "}, "glossary['覃伟中']: the target term is empty"),
        ({"": "x"}, "glossary['']: the source term is empty"),
        ({}, "glossary is empty; give at least one source term: target term, or leave it out"),
        (["a", "b"], "glossary must be an object of source term: target term, not list"),
        ({"mayor": 3}, "glossary['mayor']: the target term must be a string, not int"),
        ({"mayor": "市\ud800长"}, "glossary['mayor']: the target term is not valid Unicode: character 1 is a lone "
         "surrogate (\\ud800); send it encoded as UTF-8"),
        ({"ma\ud800yor": "市长"}, "glossary['ma\\ud800yor']: the source term is not valid Unicode: character 2 is a "
         "lone surrogate (\\ud800); send it encoded as UTF-8"),
        ({"mayor": "市长\n忽略上文"}, "glossary['mayor']: the target term holds a line break or control character; give one line"),
        ({"Mayor": "市长", "mayor": "镇长"}, "glossary['mayor']: 'mayor' already has the target '市长' (here '镇长'); keep one"),
        ({f"term{i}": "术语" for i in range(5001)}, "glossary has 5,001 terms, over the limit of 5,000; split it by topic"),
    ],
    ids=["empty-target", "empty-source", "no-terms", "not-an-object", "not-a-string", "surrogate-target",
         "surrogate-source", "line-break", "duplicate", "too-many"],
)
def test_a_bad_api_mapping_names_the_entry(mapping: object, message: str) -> None:
    with pytest.raises(InputError) as raised:
        Glossary.from_mapping(mapping)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_a_glossary_file_over_the_term_limit_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, "".join(f"term{i}\t术语{i}\n" for i in range(5001)))
    with pytest.raises(InputError, match=r"^glossary .*terms.tsv has 5,001 terms, over the limit of 5,000; split it by topic$"):
        Glossary.from_file(path)


# --------------------------------------------------------------------------- matching

GLOSSARY = Glossary.from_mapping(
    {"New York": "纽约", "New York Times": "纽约时报", "UN": "联合国", "York": "约克", "北京": "Beijing", "北京大学": "Peking University"}
)


@pytest.mark.parametrize(
    ("text", "lang", "found"),
    [
        ("The New York Times said", "en", ["New York Times"]),  # longest match first
        ("the new york times and NEW YORK", "en", ["New York Times", "New York"]),  # any case
        ("UNESCO and the UN-led talks, unlike UN.", "en", ["UN", "UN"]),  # whole words only
        ("Yorkshire is not York", "en", ["York"]),
        ("The UN联合国 and New York的", "en", ["UN", "New York"]),  # a Chinese character ends an English word
        ("他在北京大学读书，后来回到北京。", "zh", ["北京大学", "北京"]),  # Chinese: exact, longest first
    ],
)
def test_matching_rules(text: str, lang: str, found: list[str]) -> None:
    target = "zh" if lang == "en" else "en"
    assert [match.term.source for match in GLOSSARY.matches(text, lang, target)] == found


@pytest.mark.parametrize(
    ("terms", "text", "spans"),
    [
        # Case folding that changes a term's length: İ (one character) folds to i + a combining dot.
        ({"İstanbul": "伊斯坦布尔"}, "From Istanbul to ISTANBUL and istanbul.", ["Istanbul", "ISTANBUL", "istanbul"]),
        ({"Istanbul": "伊斯坦布尔"}, "Flights to İstanbul resumed.", ["İstanbul"]),
        # ß folds to ss: a term with ß matches its capitals' SS, and the reverse.
        ({"Straße": "街道"}, "STRASSE and Strasse and Straße, not Strassen.", ["STRASSE", "Strasse", "Straße"]),
        ({"STRASSE": "街道"}, "Die Straße.", ["Straße"]),
        # Text before and after a folded character keeps its positions.
        ({"Berlin": "柏林"}, "Groß Berlin ẞ Berlin", ["Berlin", "Berlin"]),
    ],
)
def test_any_unicode_case_folding_matches_at_the_original_positions(
    terms: dict[str, str], text: str, spans: list[str]
) -> None:
    glossary = Glossary.from_mapping(terms)
    matches = glossary.matches(text, "en", "zh")
    assert [text[match.start : match.end] for match in matches] == spans
    (check,) = glossary.check(text, "".join(terms.values()), "en", "zh")
    assert check.found


@settings(max_examples=300, deadline=None)
@given(
    terms=st.lists(st.text(alphabet="ab c-", min_size=1, max_size=6).map(str.strip).filter(bool), min_size=1, max_size=8),
    text=st.text(alphabet="abAB c-.", max_size=60),
)
def test_matching_equals_a_regex_alternation_of_the_terms(terms: list[str], text: str) -> None:
    """On ASCII text the trie finds what one regex of the terms, longest first, whole words, finds."""
    glossary = Glossary.from_mapping({term: "译" for term in terms})
    alternation = "|".join(re.escape(term) for term in sorted({t.lower() for t in terms}, key=len, reverse=True))
    pattern = re.compile(rf"(?<![^\W_])(?:{alternation})(?![^\W_])", re.IGNORECASE)
    expected = [(match.start(), match.end()) for match in pattern.finditer(text)]
    assert [(match.start, match.end) for match in glossary.matches(text, "en", "zh")] == expected


def test_terms_apply_only_in_their_direction() -> None:
    assert GLOSSARY.matches("北京 New York", "en", "zh")[0].term.source == "New York"
    assert [m.term.source for m in GLOSSARY.matches("北京 New York", "zh", "en")] == ["北京"]


def test_target_terms_are_checked_by_the_same_rules() -> None:
    assert kept_terms("Peking University said", ["peking university"]) == {"peking university"}
    assert kept_terms("Pekingese", ["Peking"]) == set()
    assert kept_terms("他说纽约时报", ["纽约", "纽约时报", "时报社"]) == {"纽约", "纽约时报"}
    # A name kept in Latin letters in Chinese output: Chinese characters around it are not part of the word.
    assert kept_terms("苹果发布了Apple Vision Pro头显。", ["Apple Vision Pro", "Vision"]) == {"Apple Vision Pro", "Vision"}
    assert kept_terms("苹果发布了Apple Vision Prox头显。", ["Apple Vision Pro"]) == set()
    iphone = Glossary.from_mapping({"iPhone": "iPhone"})
    assert iphone.check("The iPhone sold well.", "iPhone手机卖得很好。", "en", "zh") == (TermCheck("iPhone", "iPhone", True),)


# --------------------------------------------------------------------------- enforcement


@dataclass
class EchoModel:
    """A translation engine that copies its input: the data-flow double of the engine contract."""

    calls: list[list[str]] = field(default_factory=list)
    spec: object = field(default_factory=lambda: type("Spec", (), {"generation": {}})())

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(text.split()) for text in texts]

    def generate_scored(self, texts: list[str], target_lang: str, overrides: dict | None = None) -> list[tuple[str, None]]:
        self.calls.append(list(texts))
        return [(text.replace("7002", "") if "lose" in text else text, None) for text in texts]


def test_placeholders_go_to_the_model_and_terms_come_back() -> None:
    model = EchoModel()
    outputs = translate_with_glossary(model, ["The New York Times and the UN met.", "No terms here."], "en", "zh", GLOSSARY)
    assert model.calls == [["The 7001 and the 7002 met.", "No terms here."]]
    assert outputs == ["The 纽约时报 and the 联合国 met.", "No terms here."]


def test_a_placeholder_the_model_loses_sends_the_piece_again_as_written() -> None:
    model = EchoModel()
    outputs = translate_with_glossary(model, ["lose the UN and New York"], "en", "zh", GLOSSARY)
    assert model.calls == [["lose the 7001 and 7002"], ["lose the UN and New York"]]
    assert outputs == ["lose the UN and New York"]


def test_placeholders_avoid_numbers_already_in_the_text() -> None:
    model = EchoModel()
    translate_with_glossary(model, ["In 7001 the UN met."], "en", "zh", GLOSSARY)
    assert model.calls == [["In 7001 the 7002 met."]]


def test_a_chinese_term_takes_no_spaces_beside_chinese_text() -> None:
    model = EchoModel()
    zh = Glossary.from_mapping({"Harbour Bridge": "港湾大桥"})
    assert translate_with_glossary(model, ["大桥 Harbour Bridge 通车"], "en", "zh", zh) == ["大桥港湾大桥通车"]


def test_on_the_tiny_marian_the_result_reports_each_term(tiny_service) -> None:
    glossary = Glossary.from_mapping({"bridge": "大桥", "river": "河"})
    result = tiny_service.translate("The bridge crosses the river. The bridge is old.", "zh", glossary=glossary)
    checks = {check.source: check for check in result.terms}
    assert set(checks) == {"bridge", "river"}
    for check in checks.values():
        assert check.found == (check.target in result.text)


def test_cli_translate_with_a_glossary_prints_the_terms(capsys, tiny_models, tmp_path: Path) -> None:
    article = _file(tmp_path, "The mayor opened the bridge on Monday.", "a.txt")
    terms = _file(tmp_path, "mayor\t市长\nbridge\t大桥\n")
    code, out, err = run(["translate", str(article), "--to", "zh", "--glossary", str(terms), "--json",
                          *tiny_flags(tiny_models)], capsys)
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert [(t["source"], t["target"]) for t in result["terms"]] == [("mayor", "市长"), ("bridge", "大桥")]
    assert [t["found"] for t in result["terms"]] == [t["target"] in result["text"] for t in result["terms"]]


def test_cli_cross_lingual_summary_prints_the_terms_of_the_summary(capsys, tiny_models, tmp_path: Path) -> None:
    article = _file(tmp_path, "The mayor opened the bridge on Monday. The bridge crosses the river.", "a.txt")
    terms = _file(tmp_path, "mayor\t市长\nbridge\t大桥\nairport\t机场\n")
    code, out, err = run(["summarize", str(article), "--to", "zh", "--engine", "extractive", "--glossary", str(terms),
                          "--json", *tiny_flags(tiny_models)], capsys)
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert (result["engine"], [t["source"] for t in result["terms"]]) == ("extractive+seq2seq", ["mayor", "bridge"])
    assert [t["found"] for t in result["terms"]] == [t["target"] in result["text"] for t in result["terms"]]


def test_cli_names_the_bad_glossary_line(capsys, tmp_path: Path) -> None:
    article = _file(tmp_path, "The mayor opened the bridge.", "a.txt")
    terms = _file(tmp_path, "mayor\n")
    code, _, err = run(["translate", str(article), "--to", "zh", "--glossary", str(terms)], capsys)
    assert code == 1
    assert err == (
        f"summarize: error: glossary {terms} line 1: expected 2 or 3 columns (source, target, optional direction), got 1\n"
    )


# --------------------------------------------------------------------------- eval: term accuracy


def test_term_accuracy_is_the_mean_share_of_terms_kept_per_item() -> None:
    from summarize.evaluation.metrics import MetricInputs
    from summarize.evaluation.term_accuracy import TermAccuracy

    metric = TermAccuracy(Glossary.from_mapping({"mayor": "市长", "bridge": "大桥", "river": "河"}))
    inputs = MetricInputs(
        sources=["The mayor opened the bridge.", "The river rose.", "No terms at all."],
        outputs=["市长开放了桥。", "河水上涨。", "完全没有术语。"],
        references=[[""], [""], [""]],
        target_lang="zh",
    )
    score = metric.score(inputs)
    assert score.items == (0.5, 1.0)  # 1 of 2 terms kept; 1 of 1; the third item has no terms
    assert score.value == 0.75
    assert score.signature == "terms:3|items-with-terms:2|en-zh"


def test_score_py_reports_term_accuracy(tmp_path: Path, capsys) -> None:
    from test_eval_scripts import score

    hyp = _file(tmp_path, "市长开放了大桥。\n河水上涨。\n", "hyp.txt")
    ref = _file(tmp_path, "市长开放了大桥。\n河水上涨了。\n", "ref.txt")
    src = _file(tmp_path, "The mayor opened the bridge.\nThe river rose.\n", "src.txt")
    terms = _file(tmp_path, "mayor\t市长\nbridge\t大桥\nriver\t江\n")
    argv = ["--task", "translation", "--hyp", str(hyp), "--ref", str(ref), "--src", str(src), "--glossary", str(terms), "--json"]
    assert score.main(argv) == 0
    assert json.loads(capsys.readouterr().out)["terms"] == {"value": 0.5, "signature": "terms:3|items-with-terms:2|en-zh"}


def test_merged_checks_keep_a_term_only_where_every_part_kept_it() -> None:
    parts = [TermCheck("mayor", "市长", True), TermCheck("bridge", "大桥", True), TermCheck("mayor", "市长", False)]
    assert merge_checks(parts) == (TermCheck("mayor", "市长", False), TermCheck("bridge", "大桥", True))
    assert merge_checks([]) == ()


def test_a_translated_documents_terms_cover_all_its_segments(tiny_settings, tmp_path: Path) -> None:
    from dataclasses import replace

    from summarize import Service
    from summarize.store import ModelStore

    terms = _file(tmp_path, "mayor\t市长\nbridge\t大桥\nriver\t河\n")
    settings = replace(tiny_settings, translate=replace(tiny_settings.translate, glossary=str(terms)))
    service = Service(settings, store=ModelStore())
    page = b"<html><body><article><p>The mayor spoke.</p><p>The bridge crosses the river.</p></article></body></html>"
    translation = service.translate_document(page, "html", "zh", source_lang="en")
    segments = service.translate_batch(["The mayor spoke.", "The bridge crosses the river."], "zh", source_lang="en")
    assert translation.result.terms == merge_checks(term for result in segments for term in result.terms)
    assert [term.source for term in translation.result.terms] == ["mayor", "bridge", "river"]
