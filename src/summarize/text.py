"""Text handling for English and Chinese: normalization, language detection,
sentence and paragraph splitting.

Everything here is pure string work (no models), shared by every engine, the
batch jobs and the evaluation code, so that all of them cut text the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, get_args

from .charclasses import HAN as _HAN
from .charclasses import HAN_CHAR as _HAN_CHAR
from .chinese_script import SCRIPT_SAMPLE_CHARACTERS, count_scripts
from .errors import InputError

ModelLanguage = Literal["en", "zh"]
"""The languages models are configured for (``summarize.models.zh``, ``translate.models.en-zh``)."""
Language = Literal[ModelLanguage, "zh-Hant"]
"""A supported language code: the one definition; every list of languages derives from it.
``zh`` is Chinese in Simplified characters, ``zh-Hant`` Chinese in Traditional characters."""
SUPPORTED_LANGUAGES: tuple[Language, ...] = get_args(Language)
LANGUAGE_CHOICES = ", ".join(map(repr, SUPPORTED_LANGUAGES[:-1])) + f" or {SUPPORTED_LANGUAGES[-1]!r}"
"""The supported codes as messages list them: ``'en', 'zh' or 'zh-Hant'``."""
MODEL_LANGUAGE: dict[Language, ModelLanguage] = {"en": "en", "zh": "zh", "zh-Hant": "zh"}
"""The models each language uses: Traditional Chinese goes through the Chinese ones (see docs/chinese-scripts.md)."""
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "zh": "Chinese", "zh-Hant": "Traditional Chinese"}
"""How people call each supported language."""
OTHER_LANGUAGE: dict[Language, Language] = {"en": "zh", "zh": "en", "zh-Hant": "en"}
"""The translation target of each supported language."""
TranslationPair = Literal["en-zh", "zh-en"]
"""A translation direction between the model languages (``translate.models.en-zh``, a glossary's direction)."""
TRANSLATION_PAIRS: tuple[TranslationPair, ...] = get_args(TranslationPair)


def same_model_language(first: Language, second: Language) -> bool:
    """Whether the two languages use the same models (``zh`` and ``zh-Hant`` do)."""
    return MODEL_LANGUAGE[first] == MODEL_LANGUAGE[second]


_KANA_CHAR = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
LETTER_RUN = re.compile(r"[^\W\d_]+")
"""A run of letters of any script (digits and underscores excluded)."""

# A minority script at or above this share of the text makes it "mixed".
MIXED_MINORITY_SHARE = 0.2

ENGLISH_FUNCTION_WORDS = frozenset(
    "the a an of to in on at for and or but is are was were be been has have had "
    "it its this that these those he she they we you i his her their our with "
    "from by as not will would said says".split()
)
"""English words that tell an English text from another Latin-script one (the extractive engine's
stop words hold them and more)."""

# Function words of other Latin-script languages (French, Spanish, Portuguese,
# Italian, German, Dutch) that are neither English words nor particles of names
# met in English news ("Le Pen", "van der Berg", "El Niño", "da Silva").
_OTHER_FUNCTION_WORDS = frozenset(
    "un à les des et est je tu il elle nous vous ils elles suis sont une au aux pour pas que qui dans sur avec "
    "ce cette mais où très c'est là après entre "
    "los las y es una por para con se su al lo como más pero muy también "
    "os em um uma não com mais são "
    "che della delle gli sono per non questo "
    "und ist ich nicht ein eine zu mit sich auf für im dem von wir sie auch "
    "het een ik niet zijn".split()
) - ENGLISH_FUNCTION_WORDS

CONVERT_TO_UTF8 = "convert it to UTF-8"
"""How to fix a file that is not UTF-8 (the default advice of :func:`not_utf8_message`'s callers)."""


def not_utf8_message(subject: str, byte: int, where: str = "", fix: str = "") -> str:
    """The one wording of input that does not decode: ``<subject> is not UTF-8 text (byte 0x.. <where>); <fix>``."""
    message = f"{subject} is not UTF-8 text (byte 0x{byte:02x}{f' {where}' if where else ''})"
    return f"{message}; {fix}" if fix else message


def decode_utf8(data: bytes, name: str, fix: str = CONVERT_TO_UTF8) -> str:
    """`data` as text (a UTF-8 byte-order mark dropped), or :class:`InputError` naming `name`, the first
    bad byte and its offset, and how to `fix` it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(not_utf8_message(name, data[error.start], f"at offset {error.start}", fix)) from None


# --------------------------------------------------------------------------- normalization

_FULLWIDTH_ALNUM = {
    code: code - 0xFEE0
    for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}
_EMOJI = "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
"""Characters that start or continue emoji sequences (pictographs, skin tones, symbols with VS16)."""
_ZERO_WIDTH = re.compile(f"[\u200b\u200c\u2060\ufeff\u00ad]|\u200d(?!(?<=[{_EMOJI}\ufe0f]\u200d)[{_EMOJI}])")
"""Zero-width characters, except a joiner (ZWJ) between two emoji: 👨‍👩‍👧 stays one sequence."""
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""Bidirectional embeddings, overrides and isolates: they can make text display in another order than it reads."""
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HORIZONTAL_SPACE = re.compile("[^\\S\n]+")
_SPACE_BETWEEN_HAN = re.compile(f"(?<=[{_HAN}\u3000-\u303f\uff00-\uffef]) (?=[{_HAN}\u3000-\u303f\uff00-\uffef])")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Return `text` in canonical form without changing what it says.

    NFC composition; full-width letters and digits become ASCII while Chinese
    full-width punctuation (，。！？“”) is kept; zero-width and control
    characters go (a joiner between two emoji stays), and so do bidirectional
    overrides and isolates (U+202A-202E, U+2066-2069); runs of spaces (including the ideographic space) become one
    space, spaces between Chinese characters are removed; line ends become
    ``\\n`` and at most one blank line separates paragraphs.
    """
    text = unicodedata.normalize("NFC", text).translate(_FULLWIDTH_ALNUM)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _ZERO_WIDTH.sub("", text)
    text = BIDI_CONTROLS.sub("", text)
    text = _CONTROL.sub("", text)
    text = _HORIZONTAL_SPACE.sub(" ", text)
    text = _SPACE_BETWEEN_HAN.sub("", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def first_lone_surrogate(text: str) -> int | None:
    """Where `text` holds a lone UTF-16 surrogate (which cannot be encoded as UTF-8), or None."""
    match = _LONE_SURROGATE.search(text)
    return match.start() if match else None


def lone_surrogate_problem(text: str) -> str | None:
    """The one wording of a string that cannot be encoded as UTF-8 (``is not valid Unicode: character 12
    is a lone surrogate (\\ud800)``), or None for a string that can."""
    index = first_lone_surrogate(text)
    if index is None:
        return None
    return f"is not valid Unicode: character {index:,} is a lone surrogate (\\u{ord(text[index]):04x})"


# --------------------------------------------------------------------------- language detection


@dataclass(frozen=True)
class Detection:
    """What :func:`detect_language` found.

    ``language`` is where the text is routed (its majority language);
    ``is_mixed`` says the minority language holds at least
    ``MIXED_MINORITY_SHARE`` of it; ``zh_share`` is the Chinese share, counting
    each Chinese character and each Latin-script word as one unit.
    """

    language: Language
    is_mixed: bool
    zh_share: float
    traditional_share: float = 0.0
    """Of the Chinese characters written differently in the two scripts, the Traditional share
    (``language`` is ``zh-Hant`` above one half; 0 when there are none or the text is English)."""
    scripts_mixed: bool = False
    """Simplified and Traditional characters each hold at least ``MIXED_SCRIPT_SHARE`` of them."""

    @property
    def label(self) -> str:
        """``"en"``, ``"zh"``, ``"zh-Hant"`` or ``"mixed"``, for display."""
        return "mixed" if self.is_mixed else self.language


def _script_name(char: str) -> str:
    return unicodedata.name(char, "UNKNOWN").split(" ")[0].capitalize()


def _looks_english(text: str) -> bool:
    """False for Latin-script text whose function words are another language's."""
    words = [word.lower() for word in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", _HAN_CHAR.sub(" ", text))]
    english = sum(word in ENGLISH_FUNCTION_WORDS for word in words)
    other = sum(word in _OTHER_FUNCTION_WORDS for word in words)
    if other >= 3 and other > 2 * english:
        return False
    return len(words) < 20 or english >= 0.03 * len(words)


_SUPPORTED = f"supported languages are {' and '.join(get_args(ModelLanguage))}"
"""How detection errors end (``zh`` covers both Chinese scripts)."""


def detect_language(text: str) -> Detection:
    """Detect whether `text` is English or Chinese (or a mix of both), and Chinese text's script:
    ``zh-Hant`` where Traditional characters outnumber Simplified ones (see :mod:`.chinese_script`).

    Raises :class:`InputError` for text in another script (Japanese, Russian,
    Arabic...), for Latin-script text that is clearly not English, and for
    text with no words at all.
    """
    han = len(_HAN_CHAR.findall(text))
    kana = len(_KANA_CHAR.findall(text))
    latin_words = _LATIN_WORD.findall(text)
    other_runs = LETTER_RUN.findall(_LATIN_WORD.sub(" ", _HAN_CHAR.sub(" ", text)))
    other = sum(len(run) if _KANA_CHAR.match(run) else 1 for run in other_runs)
    if kana and kana >= 0.15 * (han + kana):
        raise InputError(f"unsupported language: the text looks like Japanese; {_SUPPORTED}")
    if han + len(latin_words) == 0 and other == 0:
        raise InputError("cannot detect the language: the text has no English or Chinese words")
    if other > han + len(latin_words):
        script = _script_name(other_runs[0][0])
        raise InputError(f"unsupported language: the text is written in {script} script; {_SUPPORTED}")
    zh_share = han / (han + len(latin_words))
    language: Language = "zh" if zh_share >= 0.5 else "en"
    if language == "en" and not _looks_english(text):
        raise InputError(
            f"unsupported language: the text is in Latin script but does not look like English; {_SUPPORTED}"
        )
    is_mixed = min(zh_share, 1.0 - zh_share) >= MIXED_MINORITY_SHARE
    if language == "en":
        return Detection(language=language, is_mixed=is_mixed, zh_share=round(zh_share, 4))
    scripts = count_scripts(text[:SCRIPT_SAMPLE_CHARACTERS])
    return Detection(
        language="zh-Hant" if scripts.is_traditional else "zh",
        is_mixed=is_mixed,
        zh_share=round(zh_share, 4),
        traditional_share=round(scripts.traditional_share, 4),
        scripts_mixed=scripts.is_mixed,
    )


# --------------------------------------------------------------------------- sentences

_CHINESE_TERMINATORS = "。！？；…"
_CLOSERS = "”’\"'」』）)】》〉"
_OPENERS = "“‘\"'「『（(【《〈"
_SENTENCE_END = re.compile(f"[.!?{_CHINESE_TERMINATORS}]+[{re.escape(_CLOSERS)}]*")
_SENTENCE_END_AT_END = re.compile(_SENTENCE_END.pattern + "$")

# Abbreviations that never end a sentence (a name or a number always follows).
_TITLE_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st gen sen rep gov lt col sgt capt cmdr adm rev hon mt ft no nos vs fig figs "
    "approx dept univ jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Abbreviations that may end a sentence: split after them only when a typical
# sentence opener follows ("... in the U.S. The next day" vs "U.S. officials").
_CLOSING_ABBREVIATIONS = frozenset("inc ltd co corp etc jr sr bros plc llc".split())
_DOTTED_ABBREVIATION = re.compile(r"(?:[A-Za-z]\.){2,}$")
_SENTENCE_OPENERS = frozenset(
    "the a an he she it they we i you his her its their our this that these those there "
    "but and so yet in on at for if when while after before as however meanwhile then "
    "what who why how one some many most".split()
)
_OPENING = re.compile(f"[A-Z0-9\"'“‘(\\[「『《{_HAN}]")
_LOWERCASE_OPENING = re.compile(r"[a-z]")
# Before a lowercase word, these never end a sentence either ("e.g. the", "et al. found", "approx. five").
_LOWERCASE_GUARDS = _TITLE_ABBREVIATIONS | _CLOSING_ABBREVIATIONS | frozenset(
    "e.g i.e eg ie al cf viz ca esp incl est min max mins hrs yr yrs pp p".split()
)


_LONGEST_ABBREVIATION = 32
_SPACES = re.compile(r"\s*")
_FIRST_WORD = re.compile(r"[\"'“‘(\[]*([A-Za-z]+)")


def _word_before(line: str, end: int) -> str:
    """The whitespace-delimited token ending at `end` (the dot included), at most a few dozen characters."""
    start = end
    while start > max(0, end - _LONGEST_ABBREVIATION) and not line[start - 1].isspace():
        start -= 1
    return line[start:end].lstrip("\"'“‘([「『")


def _is_english_boundary(line: str, match: re.Match[str]) -> bool:
    end = match.end()
    if end == len(line):
        return True
    if not line[end].isspace():
        # "OK!他说" ends a sentence; "3.5" or "U.S.-led" do not.
        return match.group().rstrip(_CLOSERS)[-1] in "!?" and bool(_HAN_CHAR.match(line[end]))
    following = _SPACES.match(line, end).end()  # positions, not slices: linear in the line
    if not _OPENING.match(line, following):
        return _is_lowercase_boundary(line, match, following)
    if match.group() != ".":
        return True  # "!", "?", "...", or a quotation closed after the stop
    token = _word_before(line, match.start() + 1)[:-1]
    lowered = token.lower()
    if lowered in _TITLE_ABBREVIATIONS:
        return False
    if len(token) == 1 and token.isupper():
        return False  # an initial: "J. K. Rowling", "George W. Bush"
    if lowered in _CLOSING_ABBREVIATIONS or _DOTTED_ABBREVIATION.search(token + "."):
        first_word = _FIRST_WORD.match(line, following)
        return bool(first_word) and first_word.group(1).lower() in _SENTENCE_OPENERS
    return True


def _is_lowercase_boundary(line: str, match: re.Match[str], following: int) -> bool:
    """Whether a stop before a lowercase word ends a sentence (text without capitals: transcripts, chat,
    lowercased scrapes): a single ``.``, ``!`` or ``?`` does, except after an abbreviation, an initial or a
    dotted abbreviation ("e.g. the", "p.m. on"); an ellipsis ("I was... well") or a quotation closed after
    the stop ("“Why?” he asked") does not."""
    if not _LOWERCASE_OPENING.match(line, following) or match.group() not in (".", "!", "?"):
        return False
    if match.group() != ".":
        return True
    token = _word_before(line, match.start() + 1)[:-1].lower()
    return len(token) > 1 and token not in _LOWERCASE_GUARDS and not _DOTTED_ABBREVIATION.search(token + ".")


OPENING_QUOTES = "“「『"
_CLOSING_QUOTES = "”」』"
_QUOTE_DEPTH = {**dict.fromkeys(OPENING_QUOTES, 1), **dict.fromkeys(_CLOSING_QUOTES, -1)}


def closing_quotes(text: str) -> str:
    """What closes the quotations `text` leaves open, innermost first (a straight ``"`` for an odd one out):
    ``text + closing_quotes(text)`` has balanced quotes when nothing in `text` closes what it did not open."""
    open_quotes: list[str] = []
    for char in text:
        if char in OPENING_QUOTES:
            open_quotes.append(_CLOSING_QUOTES[OPENING_QUOTES.index(char)])
        elif char in _CLOSING_QUOTES and open_quotes:
            open_quotes.pop()
    straight = '"' if text.count('"') % 2 else ""
    return straight + "".join(reversed(open_quotes))


def quote_depth(text: str) -> int:
    """How many “「『 quotations `text` leaves open (negative: more closed than opened)."""
    return sum(_QUOTE_DEPTH.get(char, 0) for char in text)


def has_balanced_quotes(text: str) -> bool:
    """True when every “「『 in `text` is closed, in order, nothing is closed that was not opened, and its
    straight double quotes pair up (an odd number: a quotation cut by the sentence splitter)."""
    if text.count('"') % 2:
        return False
    depth = 0
    for char in text:
        depth += _QUOTE_DEPTH.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _split_line(line: str) -> list[str]:
    cuts: list[int] = []
    inside_quotation: list[int] = []  # sentence ends while a quotation is open: cut only if it never closes
    depth = 0
    scanned = 0
    for match in _SENTENCE_END.finditer(line):
        chinese = any(char in _CHINESE_TERMINATORS for char in match.group())
        if not (chinese or _is_english_boundary(line, match)):
            continue
        depth = max(0, depth + quote_depth(line[scanned:match.end()]))
        scanned = match.end()
        if depth:
            inside_quotation.append(match.end())
        else:
            cuts.append(match.end())
            inside_quotation.clear()
    cuts += inside_quotation
    pieces = [line[start:end].strip() for start, end in zip([0, *cuts], [*cuts, len(line)], strict=True)]
    return [piece for piece in pieces if piece]


def ends_sentence(text: str) -> bool:
    """True when `text` ends with sentence-final punctuation (closing quotes and brackets may follow it)."""
    return bool(_SENTENCE_END_AT_END.search(text))


def split_sentences(text: str) -> list[str]:
    """Split English, Chinese or mixed text into sentences, in order.

    English: ``.``, ``!``, ``?`` followed by a space and a capital, digit or
    quote, or a lowercase word (text without capitals); abbreviations ("Dr.",
    "U.S.", "e.g."), initials and decimals do not end a sentence. Chinese: ``。！？；…`` always end one. Closing quotes and
    brackets (”」』) stay on the sentence they close, and a quotation in
    “”「」『』 is not cut inside (its sentences stay with the one that holds
    them) unless it never closes on its line. Line breaks always end a
    sentence. Joining the result loses nothing but whitespace.
    """
    return [sentence for line in text.split("\n") for sentence in _split_line(line)]


def split_paragraphs(text: str) -> list[str]:
    """Split text into paragraphs: its non-empty lines, stripped, in order."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def paragraph_separator(text: str) -> str:
    """The separator to rebuild `text`'s paragraph layout: a blank line or a newline."""
    return "\n\n" if re.search(r"\n[^\S\n]*\n", text) else "\n"


def is_wide(char: str) -> bool:
    """A Han character or another full-width character (written without spaces around it)."""
    return bool(_HAN_CHAR.match(char)) or unicodedata.east_asian_width(char) in "WF"


_LINE_BREAK = re.compile(r"[^\S\n]*\n\s*")


def join_wrapped_lines(text: str) -> str:
    """`text` with each line break between two wide (Chinese) characters removed, with the whitespace
    around it: a wrapped line of Chinese is no word break (CSS renders it so); other whitespace stays."""

    def joined(match: re.Match[str]) -> str:
        start, end = match.span()
        return "" if 0 < start and end < len(text) and is_wide(text[start - 1]) and is_wide(text[end]) else match.group()

    return _LINE_BREAK.sub(joined, text)


def collapse_whitespace(text: str) -> str:
    """`text` on one line, stripped: each run of whitespace one space, and none where a line break
    falls between two wide characters (:func:`join_wrapped_lines`)."""
    return " ".join(join_wrapped_lines(text).split())


_SEAM_CONTEXT = 64
"""Characters of the text joined so far that decide a seam: its end, closing marks and ellipses included."""


def _needs_space(before: str, after: str) -> bool:
    """One space between two sentences unless a wide (Chinese) end meets a Chinese sentence: one that
    opens with a wide character or whose first word holds a Han character (2026年..., iPhone销量...).
    Quotes, brackets and an ellipsis at the seam do not count (“……。”他说, 表示……工程 and 计划。2026年
    have no space, 'said.” Then' and 决定了。 The have one; … is narrow by its Unicode width)."""
    last = before.rstrip(_CLOSERS).rstrip("…")[-1:] or before[-1]
    opening = after.lstrip(_OPENERS) or after
    first_word = opening.split(maxsplit=1)[0] if opening.strip() else opening
    return not (is_wide(last) and (is_wide(opening[0]) or bool(_HAN_CHAR.search(first_word))))


def join_sentences(sentences: list[str]) -> str:
    """Join sentences as written: no space between Chinese sentences, one space otherwise (none added
    where the seam has whitespace already, as the pieces of a cut sentence keep theirs). Each seam looks
    at the last :data:`_SEAM_CONTEXT` characters joined, so time is linear in the text however many
    sentences (subtitle cues) it joins."""
    parts: list[str] = []
    tail = ""
    for sentence in sentences:
        if not sentence:
            continue
        if tail and not (tail[-1].isspace() or sentence[0].isspace()) and _needs_space(tail, sentence):
            parts.append(" ")
            tail += " "
        parts.append(sentence)
        tail = (tail + sentence[-_SEAM_CONTEXT:])[-_SEAM_CONTEXT:]
    return "".join(parts)


def length_unit(lang: str) -> re.Pattern[str]:
    """What a text's length is counted in: words (en) or non-space characters (zh)."""
    return re.compile(r"\S+") if lang == "en" else re.compile(r"\S")


def length_units(text: str, lang: str) -> int:
    """A text's length as readers count it: words (en) or non-space characters (zh)."""
    return len(length_unit(lang).findall(text))
