"""Text normalisation shared by every parser: full-width → half-width, stray spaces out."""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")


def norm(value: object) -> str:
    """NFKC-fold a cell value and drop all white space (full-width digits, 　, NBSP, ZWSP)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _norm_text(value) if len(value) <= 64 else _fold(value)
    if isinstance(value, float) and value != value:  # NaN
        return ""
    return _fold(str(value))


def _fold(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


@functools.lru_cache(maxsize=1 << 16)
def _norm_text(text: str) -> str:
    # Returns repeat the same labels, headers and status words in every file: fold each once.
    return _fold(text)


def clean(value: object) -> str:
    """NFKC-fold and trim a free-text cell, keeping inner spaces (notes, URLs)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = unicodedata.normalize("NFKC", str(value)).replace("\u3000", " ")
    return text.replace("\u200b", "").replace("\ufeff", "").strip()
