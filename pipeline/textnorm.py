"""Text normalisation shared by every parser: full-width → half-width, stray spaces out."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")


def norm(value: object) -> str:
    """NFKC-fold a cell value and drop all white space (full-width digits, 　, NBSP, ZWSP)."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))


def clean(value: object) -> str:
    """NFKC-fold and trim a free-text cell, keeping inner spaces (notes, URLs)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = unicodedata.normalize("NFKC", str(value)).replace("\u3000", " ")
    return text.replace("\u200b", "").replace("\ufeff", "").strip()
