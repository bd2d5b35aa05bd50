"""How the project writes dates, places and shares for people to read (one way each)."""

from __future__ import annotations

import pandas as pd


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def cn_date(value) -> str:
    """2020-10-09 → 2020年10月9日 (GB/T 9704: Arabic numerals); '' for a missing date."""
    if _missing(value) or value == "":
        return ""
    ts = pd.Timestamp(value)
    return f"{ts.year}年{ts.month}月{ts.day}日"


def iso_date(value) -> str:
    """2020-10-09; '' for a missing date."""
    if _missing(value) or value == "":
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def location(file=None, sheet=None, cell=None) -> str:
    """file!sheet!cell, leaving out the parts that are missing."""
    return "!".join(str(p) for p in (file, sheet, cell) if isinstance(p, str) and p)


def locations(frame: pd.DataFrame) -> pd.Series:
    """The `location` of every row of a frame with file, sheet and cell columns."""
    return pd.Series([location(f, s, c) for f, s, c in zip(frame["file"], frame["sheet"], frame["cell"],
                                                           strict=True)],
                     index=frame.index, dtype="object")


def pct(part: float, whole: float) -> str:
    """part of whole as 12.5%; — when there is no whole."""
    return f"{100 * part / whole:.1f}%" if whole else "—"
