"""Stop words of the extractive engine: words too common to tell sentences apart (or, in English, to be
a person's first name)."""

from __future__ import annotations

ENGLISH_STOP_WORDS = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being has have had "
    "do does did it its it's this that these those he she they we you i his her their our your my him them us "
    "who whom which what when where why how not no so than then there here also just very can could will would "
    "shall should may might must said says say about into over after before more most up out".split()
)
CHINESE_STOP_WORDS = frozenset("的 了 是 在 和 与 及 也 都 就 而 这 那 有 为 对 将 被 把 从 等 之 其 中 上 下 着 我 你 他 她 它 们".split())
"""In Simplified characters: the extractive engine compares Chinese sentences converted to Simplified."""
