"""The bundled CJK font for charts, registered with matplotlib under its own family name."""

from __future__ import annotations

from functools import cache
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1] / "assets"
FONT_FILE = ASSETS / "fonts" / "ZwgkSansSC-Regular.otf"
FAMILY = "ZWGK Sans SC"  # Noto Sans CJK SC subset to GB2312 (OFL, see fonts/OFL.txt)


@cache
def register() -> str:
    """Add the bundled font to matplotlib's font manager (once); return its family name."""
    from matplotlib import font_manager

    if not FONT_FILE.exists():
        raise FileNotFoundError(f"缺少图表字体文件：{FONT_FILE}")
    font_manager.fontManager.addfont(str(FONT_FILE))
    return FAMILY


def rc() -> dict:
    """rcParams that make a figure use the bundled font for every piece of text."""
    return {
        "font.family": [register()],
        "axes.unicode_minus": False,
        "svg.fonttype": "none",
        "pdf.fonttype": 42,
    }


@cache
def _charmap() -> frozenset[int]:
    from matplotlib import ft2font

    return frozenset(ft2font.FT2Font(str(FONT_FILE)).get_charmap())


def missing_glyphs(text: str) -> set[str]:
    """The characters of `text` (spaces aside) that the bundled font cannot draw."""
    cmap = _charmap()
    return {c for c in text if not c.isspace() and ord(c) not in cmap}


def has_glyphs(text: str) -> bool:
    """True when the bundled font can draw every character of `text`."""
    return not missing_glyphs(text)
