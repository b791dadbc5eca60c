"""Stop words of the extractive engine: words too common to tell sentences apart (or, in English, to be
a person's first name)."""

from __future__ import annotations

from ..text import ENGLISH_FUNCTION_WORDS

ENGLISH_STOP_WORDS = ENGLISH_FUNCTION_WORDS | frozenset(
    "if being do does did it's your my him them us who whom which what when where why how no so than "
    "then there here also just very can could shall should may might must say about into over after "
    "before more most up out".split()
)
"""The function words of language detection (:data:`~summarize.text.ENGLISH_FUNCTION_WORDS`) and more."""
CHINESE_STOP_WORDS = frozenset("的 了 是 在 和 与 及 也 都 就 而 这 那 有 为 对 将 被 把 从 等 之 其 中 上 下 着 我 你 他 她 它 们".split())
"""In Simplified characters: the extractive engine compares Chinese sentences converted to Simplified."""
