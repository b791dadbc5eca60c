"""Read a pasted news page: which lines are the story and which are page furniture.

Furniture is everything a reader skips: headlines and kickers, datelines,
timestamps and counters, bylines, "EP07:"-style programme labels, photo
captions, "Related:" and share/subscribe lines, copyright notes, in English and
Chinese. The extractive engine never picks it; headlines still tell it what the
story is about, and a headline after story text starts a new story (a digest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..charclasses import HAN
from ..text import LETTER_RUN, ends_sentence, join_sentences, split_sentences

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b|\b(?:{_MONTHS}) \d{{1,2}}(?:, \d{{4}})?\b"
    r"|\d{4}年\d{1,2}月\d{1,2}日"
)
"""A date as page furniture writes it (2024-05-02, 9 November 2024, March 14, 2024年5月2日)."""
_SECTION_SEPARATOR = re.compile(r"\s[|｜]\s|[｜]")
_LABEL = re.compile(r"^(?:[A-Za-z]{1,8}\s?\d{1,4}|第[\d一二三四五六七八九十百千]+[期集回话讲篇])\s*[:：|｜]")
_PATTERNS = [
    # bylines and sources
    re.compile(r"^(?:written|reported|reporting|edited|editing|words|story|photos?)\s+by\b", re.IGNORECASE),
    re.compile(r"^(?:本报)?(?:记者|通讯员|作者|编辑|责任编辑|责编|撰文|文|摄影|校对|实习生|来源|出处)\s*[:：/|｜]"),
    re.compile(f"^[（(【\\[]?(?:本报|新华社)?记者\\s*(?:[{HAN}·]{{2,4}}\\s*){{1,3}}(?:报道|摄)?[）)】\\]]?$"),
    # photo captions
    re.compile(r"^[(（]?(?:photo|photos|image|images|picture|pictures|pictured|caption|credit|photograph|video|watch|"
               r"file photo|illustration)\s*(?:[:：|｜–—]|by\b)", re.IGNORECASE),
    re.compile(r"^[(（]?(?:图|图片|图为|图注|配图|视频|摄)\s*[:：/|｜]|^图为|^[(（]图|摄[)）]$"),
    # related links, sharing, subscribing
    re.compile(
        r"^(?:related|read more|see also|more|also read|recommended|trending|most read|advertisement)\s*(?:[:：|｜»>]|$)",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:share (?:this|on|via|to)|subscribe\b|sign up\b|follow us\b|click here\b|download (?:our|the) app\b)",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:相关阅读|相关新闻|相关报道|延伸阅读|推荐阅读|更多阅读|阅读原文|热门推荐|分享到|分享至|点击|扫码|扫描二维码|长按|"
               r"关注我们|欢迎关注|订阅|原标题|广告)"),
    # copyright notes
    re.compile(
        r"©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved|版权所有|未经授权|未经许可|禁止转载|不得转载|转载请", re.IGNORECASE
    ),
]
# "By Maria Lopez and Tom Reid, Political Correspondent": only names and connectors after "By"
# ("By 2030 the city..." and "By Monday night..." are sentences).
_BYLINE = re.compile(
    r"^by\s+(?:(?:[A-Z][\w.'’-]*|and|&|in|for|staff|reporter|correspondent|editor|writer)[\s,;|·–—-]*){1,10}\.?$"
)
_COUNTER_WORDS = frozenset(
    "views view reads read comments comment likes like shares share min mins minutes hours hour ago updated published "
    "am pm gmt utc est edt bst cst pst posted on at "
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september "
    "october november december mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday "
    "次 阅读 浏览 评论 点赞 分享 转发 收藏 年 月 日 时 分 秒 发布 更新 发布时间 更新时间 来源 万".split()
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•·▪◦–—]|\(?\d{1,3}[.)）、]|[（(]\d{1,3}[)）]|[a-z][.)]|[一二三四五六七八九十]+、)\s*\S")
"""A line that is an item of a list: a bullet, or a number or letter with a stop or bracket."""
MIN_LIST_ITEMS = 3
LIST_SHARE = 0.6
"""A text is a list when at least this share of its lines (and :data:`MIN_LIST_ITEMS`) are list items."""
_HEADLINE_WORDS = 20
_HEADLINE_CHARACTERS = 40


@dataclass(frozen=True)
class Page:
    """A page read into story sentences.

    ``sentences`` are the story's sentences in order; ``paragraphs[i]`` and
    ``sections[i]`` number the paragraph (line) and section sentence i is in; a
    section starts at each headline that follows story text. ``headlines[s]`` is
    the text of section s's headlines ("" when it has none). ``is_list``: the
    story is a list of items (bullets or numbers), whose order says nothing of
    their importance.
    """

    sentences: list[str]
    paragraphs: list[int]
    sections: list[int]
    headlines: list[str]
    is_list: bool = False


def _letters(line: str) -> list[str]:
    return LETTER_RUN.findall(line.lower())


def is_counter_line(line: str) -> bool:
    """Dates, times, view counts and the like: no word that is not a date, time or counter word."""
    return all(word in _COUNTER_WORDS for word in _letters(line))


def is_furniture(text: str) -> bool:
    """True for a line or sentence that names, dates, credits or links the story instead of telling it."""
    text = text.strip()
    return (
        is_counter_line(text)
        or bool(_LABEL.match(text))
        or bool(_BYLINE.match(text[:1].lower() + text[1:]))
        or bool(_SECTION_SEPARATOR.search(text))
        or any(pattern.search(text) for pattern in _PATTERNS)
    )


def is_headline_like(line: str) -> bool:
    """A short line with no sentence-final punctuation: a headline, kicker, dateline or label."""
    line = line.strip()
    if ends_sentence(line) or len(split_sentences(line)) > 1:
        return False
    runs = _letters(line)
    latin_words = [run for run in runs if run.isascii()]
    other_characters = sum(len(run) for run in runs if not run.isascii())
    return len(latin_words) <= _HEADLINE_WORDS and other_characters <= _HEADLINE_CHARACTERS


def _headline_text(line: str) -> str:
    """The headline part of a furniture line: the last part of "Desk | Headline", labels dropped."""
    line = _LABEL.sub("", line.strip())
    return _SECTION_SEPARATOR.split(line)[-1].strip()


def read_page(text: str) -> Page:
    """Split normalized `text` into its story sentences, leaving page furniture out.

    When every line is furniture (a bare headline, say), every sentence is kept,
    so that a non-empty text always has something to summarize.
    """
    sentences: list[str] = []
    paragraphs: list[int] = []
    sections: list[int] = []
    headlines: list[list[str]] = [[]]
    for paragraph, line in enumerate(line for line in text.split("\n") if line.strip()):
        if is_headline_like(line) or is_furniture(line):
            if is_headline_like(line) and not is_counter_line(line) and not any(p.search(line) for p in _PATTERNS):
                if sentences and sections[-1] == len(headlines) - 1:
                    headlines.append([])  # a headline after story text: the next story of a digest
                headlines[-1].append(_headline_text(line))
            continue
        for sentence in split_sentences(line):
            if not is_furniture(sentence):
                sentences.append(sentence)
                paragraphs.append(paragraph)
                sections.append(len(headlines) - 1)
    if not sentences:
        everything = split_sentences(text)
        return Page(everything, [0] * len(everything), [0] * len(everything), [""])
    return Page(sentences, paragraphs, sections, [" ".join(parts) for parts in headlines], is_list(text))


def is_list(text: str) -> bool:
    """Whether `text` is a list: at least :data:`LIST_SHARE` of its lines, and :data:`MIN_LIST_ITEMS`, are items."""
    lines = [line for line in text.split("\n") if line.strip()]
    items = sum(1 for line in lines if _LIST_ITEM.match(line))
    return items >= MIN_LIST_ITEMS and items >= LIST_SHARE * len(lines)


def story_text(text: str) -> str:
    """The story of a pasted page as text, read once before an engine that writes its own summary (a model
    would otherwise summarize the view counters, bylines and "EP07:" labels too): its sentences, paragraphs
    kept, page furniture left out."""
    page = read_page(text)
    paragraphs: dict[int, list[str]] = {}
    for sentence, paragraph in zip(page.sentences, page.paragraphs, strict=True):
        paragraphs.setdefault(paragraph, []).append(sentence)
    return "\n\n".join(join_sentences(sentences) for sentences in paragraphs.values())


def page_notes(text: str) -> tuple[str, ...]:
    """What a pasted page says about its story besides the story, as a document's notes name it:
    ``document title: ...`` (the longest headline before the story, kickers, bylines and datelines left
    out) and ``document date: ...`` (the first date of a furniture line)."""
    titles: list[str] = []
    date = None
    story_started = False
    for line in (line for line in text.split("\n") if line.strip()):
        furniture = is_furniture(line)
        headline = is_headline_like(line)
        found = _DATE.search(line) if furniture or headline else None
        if found and date is None:
            date = found.group()
        if not (furniture or headline):
            story_started = True
        elif not story_started and headline and not furniture and not found and not line.strip().isupper():
            titles.append(_headline_text(line))
    notes = [f"document title: {max(titles, key=len)}"] if titles else []
    return tuple(notes + ([f"document date: {date}"] if date else []))
