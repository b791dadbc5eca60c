"""Character classes shared by every module that tells Chinese from other text.

One definition each, so that the language detector, the chunker, the extractive
engine and the ROUGE tokenizers agree on what a Han character is.
"""

from __future__ import annotations

import re

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"
"""Han ideographs as a regex class body: CJK Extension A, the Unified block, the
compatibility ideographs, and Extensions B to H (the supplementary ideographic planes)."""

HAN_CHAR = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")
