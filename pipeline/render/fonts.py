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


def has_glyphs(text: str) -> bool:
    """True when the bundled font can draw every character of `text`."""
    from matplotlib import ft2font

    font = ft2font.FT2Font(str(FONT_FILE))
    cmap = font.get_charmap()
    return all(ord(c) in cmap for c in text if not c.isspace())
