"""eval/extractive_variants.py: variant builders, same-length lead, budget and story coverage on team-written texts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from summarize.config import ExtractiveSettings
from summarize.text import length_units, split_sentences

ROOT = Path(__file__).resolve().parents[1]


def _load():
    spec = importlib.util.spec_from_file_location("eval_extractive_variants", ROOT / "eval" / "extractive_variants.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


variants = _load()
Item = variants.Item

# Team-written stories (never text from the shared evaluation data).
HARBOUR = "The harbour reopened on Monday. Ferries will run every hour. Fishermen welcomed the news."
LIBRARY = "The city library extended its hours. It now closes at ten. Students asked for the change."
BRIDGE = "Engineers inspected the old bridge. They found two cracked beams. Repairs start next week."
PARK = "市政府今天宣布扩建城东公园。新公园将增加两个运动场。工程预计明年春天完成。"
BAKERY = "一家本地面包店推出了低糖系列产品。店主说顾客反应很好。下个月还会推出新口味。"
RAIN = "气象台发布暴雨预警。部分学校已宣布停课一天。市民出行请注意安全。"

ENGLISH = [Item("a", HARBOUR, "Harbour reopens."), Item("b", LIBRARY, "Library open later."), Item("c", BRIDGE, "Bridge repairs.")]
CHINESE = [Item("1", PARK, "公园扩建"), Item("2", BAKERY, "面包店推出低糖产品"), Item("3", RAIN, "暴雨预警")]


def test_lowercased():
    assert variants.lowercased(ENGLISH[:1])[0].text == HARBOUR.lower()


@pytest.mark.parametrize("items", [ENGLISH, CHINESE])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shuffled_keeps_every_sentence_once(items, seed):
    for item, mixed in zip(items, variants.shuffled(items, seed)):
        assert sorted(split_sentences(mixed.text)) == sorted(split_sentences(item.text))
        assert "\n" not in mixed.text
        assert mixed.reference == item.reference
    assert variants.shuffled(items, seed) == variants.shuffled(items, seed)


def test_shuffle_depends_on_the_seed():
    texts = {variants.shuffled([Item("x", HARBOUR + " " + LIBRARY + " " + BRIDGE, "")], seed)[0].text for seed in (1, 2, 3)}
    assert len(texts) > 1


def test_one_paragraph_drops_line_breaks():
    item = Item("p", "The harbour reopened on Monday.\n\nFerries will run every hour.\nFishermen welcomed the news.", "")
    assert variants.one_paragraph([item])[0].text == HARBOUR
    chinese = Item("q", "市政府今天宣布扩建城东公园。\n新公园将增加两个运动场。", "")
    assert variants.one_paragraph([chinese])[0].text == "市政府今天宣布扩建城东公园。新公园将增加两个运动场。"


def test_paragraphs_keep_the_sentences_in_order_in_paragraphs_of_one_to_four():
    nine = Item("long", " ".join([HARBOUR, LIBRARY, BRIDGE]), "ref")
    (laid_out,) = variants.paragraphs([nine])
    # Seeded by the id: the same layout every run.
    assert laid_out.text == (
        "The harbour reopened on Monday. Ferries will run every hour.\n\nFishermen welcomed the news.\n\n"
        "The city library extended its hours.\n\nIt now closes at ten. Students asked for the change.\n\n"
        "Engineers inspected the old bridge. They found two cracked beams. Repairs start next week."
    )
    assert laid_out.reference == "ref"
    chinese = variants.paragraphs([Item("z", PARK + BAKERY, "")])[0].text
    assert chinese == f"{PARK}\n\n{BAKERY}"


def test_joined_paragraphs_locate_each_story():
    (first, *_) = variants.build_variants(ENGLISH, "en")["joined-3-paragraphs"]
    assert first.text == (
        f"{HARBOUR}\n\n{LIBRARY}\n\nEngineers inspected the old bridge. They found two cracked beams.\n\n"
        "Repairs start next week."
    )
    assert first.spans == ((0, 89), (91, 180), (182, 273))  # the bridge story spans its two paragraphs


def test_joined_three_in_order_with_rotation():
    items = variants.joined(ENGLISH, "en", "blank-line")
    assert items[0].text == f"{HARBOUR}\n\n{LIBRARY}\n\n{BRIDGE}"
    assert items[2].text == f"{BRIDGE}\n\n{HARBOUR}\n\n{LIBRARY}"
    assert items[0].reference == "Harbour reopens.\nLibrary open later.\nBridge repairs."
    assert items[0].stories == (HARBOUR, LIBRARY, BRIDGE)
    assert [len(story) for story in items[0].stories] == [89, 89, 90]
    assert items[0].spans == ((0, 89), (91, 180), (182, 272))


def test_join_orders_add_seeded_orders_of_the_same_articles():
    six = [Item(name, f"Story {name}.", name) for name in "abcdef"]
    orders = variants.join_orders(six, 3)
    assert [[item.id for item in order] for order in orders] == [
        ["a", "b", "c", "d", "e", "f"], ["f#1", "b#1", "c#1", "a#1", "d#1", "e#1"],
        ["a#2", "b#2", "e#2", "c#2", "f#2", "d#2"],
    ]
    assert orders[1][0].text == "Story f." and orders[1][0].reference == "f"
    joined = variants.build_variants(six, "en", orders=3)
    assert [len(joined[name]) for name in joined] == [6] * 8 + [18] * 4
    one_order = variants.build_variants(six, "en")
    assert joined["joined-3-one-paragraph"][:6] == one_order["joined-3-one-paragraph"]
    assert joined["joined-3"][6].text == "Story f.\n\nStory b.\n\nStory c."  # the second order's rotation
    assert joined["joined-3-headlines"][17].stories == ("Story d.", "Story a.", "Story b.")


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_join_orders_must_be_one_or_more(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        variants.parse_args(["--join-orders", value])
    assert f"argument --join-orders: must be a whole number of 1 or more, not '{value}'" in capsys.readouterr().err


def test_joined_with_headlines_and_one_paragraph():
    headed = variants.joined(ENGLISH, "en", "headlines")[0].text
    assert headed.split("\n\n")[1] == f"The city library extended its hours\n{LIBRARY}"
    assert variants.joined(ENGLISH, "en", "one-paragraph")[0].text == f"{HARBOUR} {LIBRARY} {BRIDGE}"
    assert variants.joined(CHINESE, "zh", "one-paragraph")[1].text == BAKERY + RAIN + PARK
    assert variants.joined(CHINESE, "zh", "headlines")[0].text.startswith(f"市政府今天宣布扩建城东公\n{PARK}\n\n一家本地面包店推出了低糖\n")


def test_headline():
    assert variants.headline("Police said on Monday that the two men, both aged 30, were arrested.", "en") == (
        "Police said on Monday that the two men"
    )
    assert variants.headline("The harbour reopened. Ferries run.", "en") == "The harbour reopened"
    assert variants.headline(RAIN, "zh") == "气象台发布暴雨预警"
    assert variants.headline(BAKERY, "zh") == "一家本地面包店推出了低糖"  # 12 characters


def test_variants_by_language():
    assert list(variants.build_variants(ENGLISH, "en")) == [
        "written", "lowercased", "shuffled-1", "shuffled-2", "shuffled-3", "one-paragraph", "lowercase-one-paragraph",
        "paragraphs", "joined-3", "joined-3-headlines", "joined-3-one-paragraph", "joined-3-paragraphs",
    ]
    assert "lowercased" not in variants.build_variants(CHINESE, "zh")


def test_headlines_read_as_stories():
    assert variants.headed_stories(variants.joined(ENGLISH, "en", "headlines")) == 3
    assert variants.headed_stories(variants.joined(ENGLISH, "en", "blank-line")) == 0


def test_same_length_lead_cuts_at_a_word_boundary():
    output = "Fishermen welcomed the news. Students asked for it."  # 8 words
    lead = variants.same_length_lead(HARBOUR, output, "en")
    assert lead == "The harbour reopened on Monday. Ferries will run"
    assert length_units(lead, "en") == length_units(output, "en") == 8


def test_same_length_lead_counts_chinese_characters():
    assert variants.same_length_lead(PARK, "工程预计明年春天完成。", "zh") == "市政府今天宣布扩建城东"


def test_budget_and_its_stats():
    settings = ExtractiveSettings(words=100, characters=150)
    assert [variants.budget(settings, "en", length) for length in ("short", "medium", "long")] == [50, 100, 200]
    assert variants.budget(settings, "zh", "short") == 75
    stats = variants.budget_stats(["one two three", "one two three four five", "one"], "en", 4)
    assert stats == {"budget": 4, "kept": pytest.approx(2 / 3), "max_ratio": 1.25, "median_ratio": 0.75}


def test_coverage_counts_the_stories_that_contribute():
    item = variants.joined(ENGLISH, "en", "blank-line")[0]
    two = "The harbour reopened on Monday. Engineers inspected the old bridge. They found two cracked beams."
    three = "Ferries will run every hour. It now closes at ten. Repairs start next week."
    assert variants.covered_stories(two, item) == 2
    assert variants.covered_stories(three, item) == 3
    assert variants.coverage([two, three], [item, item]) == {"all": 0.5, "mean": 2.5}


def test_coverage_of_cut_and_seam_sentences():
    item = variants.joined(CHINESE, "zh", "blank-line")[0]
    assert variants.covered_stories("市政府今天宣布扩建…部分学校已宣布停课一天。", item) == 2  # a cut first sentence
    seamless = variants.joined([Item("x", "公园扩建工程开工", ""), *CHINESE[1:]], "zh", "one-paragraph")[0]
    # no stop after the first story: its words and the next story's first sentence read as one, mostly the second
    assert variants.covered_stories("公园扩建工程开工一家本地面包店推出了低糖系列产品。", seamless) == 1
    headed = variants.joined(ENGLISH, "en", "headlines")[0]
    assert variants.covered_stories("The harbour reopened on Monday. Repairs start next week.", headed) == 2


def test_paired_interval():
    result = variants.paired_interval([0.5, 0.6, 0.7], [0.4, 0.5, 0.6], 200)
    assert result["mean"] == pytest.approx(0.1)
    assert result["ci95"] == pytest.approx([0.1, 0.1])
    assert "ci95" not in variants.paired_interval([1.0], [0.0], 0)


def test_goal_against_the_better_baseline():
    def row(engine, lead, centrality, interval):
        return {"systems": {"engine": {"rouge1": engine}, "lead": {"rouge1": lead}, "centrality": {"rouge1": centrality}},
                "engine_minus_lead": {"rouge1": {"mean": engine - lead, "ci95": interval}},
                "engine_minus_centrality": {"rouge1": {"mean": engine - centrality, "ci95": interval}}}

    assert variants.goal_met(row(0.40, 0.40, 0.39, [-0.01, 0.01]))
    assert not variants.goal_met(row(0.40, 0.41, 0.39, [-0.02, 0.01]))
    assert not variants.clearly_below(row(0.40, 0.41, 0.39, [-0.02, 0.01]))
    assert variants.clearly_below(row(0.40, 0.39, 0.45, [-0.08, -0.02]))
