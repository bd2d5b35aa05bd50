"""Reading a summary table back: the figures the 通报 prints, looked up by section and key.

Apart from `summary.py` (which computes the table) so that the renderer can read the figures
without importing the stages that compute them.
"""

from __future__ import annotations

import math

import pandas as pd

NAN = math.nan


class Figures:
    """Look-ups into a summary table: `f.value("returns", "late")`, `f.units(...)`, `f.rows(...)`."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        # each figure's row positions and its first row's (value, text, unit_ids), in plain
        # Python: the 通报 looks up some fifty figures, a frame per look-up cost more than it
        self._at: dict[tuple, list[int]] = {}
        self._first: dict[tuple, tuple] = {}
        columns = ("section", "key", "group", "value", "text", "unit_ids")
        for i, (*k, value, text, units) in enumerate(zip(*(table[c].tolist() for c in columns), strict=True)):
            k = tuple(k)
            self._at.setdefault(k, []).append(i)
            self._first.setdefault(k, (value, text, units))

    def rows(self, section: str, key: str, group: str = "all") -> pd.DataFrame:
        return self.table.iloc[self._at.get((section, key, group), [])]

    def value(self, section: str, key: str, group: str = "all") -> float:
        first = self._first.get((section, key, group))
        return float(first[0]) if first else NAN

    def count(self, section: str, key: str, group: str = "all") -> int:
        v = self.value(section, key, group)
        return 0 if pd.isna(v) else int(v)

    def units(self, section: str, key: str, group: str = "all") -> list[str]:
        first = self._first.get((section, key, group))
        return split_units(first[2]) if first else []

    def text(self, section: str, key: str, group: str = "all") -> str:
        first = self._first.get((section, key, group))
        return str(first[1]) if first else ""


def split_units(joined: str) -> list[str]:
    return [u for u in str(joined).split("|") if u]
