"""ROUGE tokenizers, registered by name.

- ``en``: exactly rouge-score's tokenization (lowercase, keep ``[a-z0-9]+``
  runs); with stemming, the Porter stemmer on tokens longer than 3 characters,
  as rouge-score does. Chinese characters are dropped by it.
- ``zh-char``: NFKC, lowercase; each Chinese character is one token, and each
  run of ``[a-z0-9]`` is one token (so "GPT4模型" is ``gpt4 模 型``).
- ``zh-jieba``: NFKC, lowercase, jieba words (accurate mode); words with a
  Chinese character are kept whole, other words keep their ``[a-z0-9]`` runs.

Punctuation is never a token. Stemming, when asked for, applies to Latin-script
tokens in every tokenizer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..charclasses import HAN as _HAN
from ..charclasses import HAN_CHAR as _HAN_CHAR
from ..errors import InputError

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
_VALID_TOKEN = re.compile(r"^[a-z0-9]+$")
_ZH_CHAR_TOKEN = re.compile(f"[{_HAN}]|[a-z0-9]+")
_ALNUM_RUN = re.compile(r"[a-z0-9]+")

# Share of Han characters among non-space characters above which text counts as Chinese.
CHINESE_SHARE = 0.1


@lru_cache(maxsize=None)
def _porter() -> Callable[[str], str]:
    from nltk.stem import (
        porter,  # lazy: nltk comes with the "eval" extra (via rouge-score)
    )

    return lru_cache(maxsize=200_000)(porter.PorterStemmer().stem)


def _stem_all(tokens: list[str]) -> list[str]:
    stem = _porter()
    return [stem(token) if len(token) > 3 and not _HAN_CHAR.search(token) else token for token in tokens]


def _tokenize_en(text: str, stem: bool) -> list[str]:
    tokens = _SPACES.split(_NON_ALNUM.sub(" ", text.lower()))
    if stem:
        tokens = _stem_all(tokens)
    return [token for token in tokens if _VALID_TOKEN.match(token)]


def _tokenize_zh_char(text: str, stem: bool) -> list[str]:
    tokens = _ZH_CHAR_TOKEN.findall(unicodedata.normalize("NFKC", text).lower())
    return _stem_all(tokens) if stem else tokens


@lru_cache(maxsize=None)
def _jieba_cut() -> Callable[[str], list[str]]:
    import logging

    import jieba  # lazy: loads its dictionary on first use

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter would end up in score.py's output
    return jieba.lcut


def _tokenize_zh_jieba(text: str, stem: bool) -> list[str]:
    tokens: list[str] = []
    for word in _jieba_cut()(unicodedata.normalize("NFKC", text).lower()):
        if _HAN_CHAR.search(word):
            tokens.append(word.strip())
        else:
            tokens.extend(_ALNUM_RUN.findall(word))
    return _stem_all(tokens) if stem else tokens


def _jieba_version() -> str:
    from importlib.metadata import version

    return version("jieba")


@dataclass(frozen=True)
class Tokenizer:
    """A named ROUGE tokenizer: ``tokenizer(text)`` gives the list of tokens."""

    name: str
    stem: bool
    function: Callable[[str, bool], list[str]]
    version: Callable[[], str] | None = None

    def __call__(self, text: str) -> list[str]:
        return self.function(text, self.stem)

    @property
    def signature(self) -> str:
        """The name as it appears in a signature, with the library version where it matters."""
        return f"{self.name}-{self.version()}" if self.version else self.name


_REGISTRY: dict[str, tuple[Callable[[str, bool], list[str]], Callable[[], str] | None]] = {
    "en": (_tokenize_en, None),
    "zh-char": (_tokenize_zh_char, None),
    "zh-jieba": (_tokenize_zh_jieba, _jieba_version),
}

DEFAULT_TOKENIZERS = {"en": "en", "zh": "zh-char"}
"""The tokenizer used for each language when none is named."""


def register_tokenizer(
    name: str, function: Callable[[str, bool], list[str]], version: Callable[[], str] | None = None
) -> None:
    """Register `function(text, stem) -> tokens` under `name` (replacing any earlier one)."""
    _REGISTRY[name] = (function, version)


def tokenizer_names() -> list[str]:
    """The registered tokenizer names."""
    return sorted(_REGISTRY)


def get_tokenizer(name: str, stem: bool = False) -> Tokenizer:
    """The tokenizer registered as `name`; raises :class:`InputError` for an unknown name."""
    if name not in _REGISTRY:
        raise InputError(f"unknown tokenizer {name!r}; choose one of: {', '.join(tokenizer_names())}")
    function, version = _REGISTRY[name]
    return Tokenizer(name=name, stem=stem, function=function, version=version)


def default_tokenizer(lang: str) -> str:
    """The tokenizer name for a language code (``en`` or ``zh``)."""
    if lang not in DEFAULT_TOKENIZERS:
        raise InputError(f"unsupported language {lang!r}; choose one of: {', '.join(DEFAULT_TOKENIZERS)}")
    return DEFAULT_TOKENIZERS[lang]


def chinese_share(texts: Iterable[str]) -> float:
    """The share of Han characters among the non-space characters of `texts`."""
    han = total = 0
    for text in texts:
        han += len(_HAN_CHAR.findall(text))
        total += len("".join(text.split()))
    return han / total if total else 0.0


def looks_chinese(texts: Iterable[str]) -> bool:
    """Whether `texts` hold enough Chinese that a Latin-only tokenizer would lose it."""
    return chinese_share(texts) >= CHINESE_SHARE
