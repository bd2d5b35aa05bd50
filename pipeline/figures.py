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
        self._by = {k: g for k, g in table.groupby(["section", "key", "group"], sort=False)}

    def rows(self, section: str, key: str, group: str = "all") -> pd.DataFrame:
        return self._by.get((section, key, group), self.table.iloc[0:0])

    def value(self, section: str, key: str, group: str = "all") -> float:
        rows = self.rows(section, key, group)
        return float(rows["value"].iloc[0]) if len(rows) else NAN

    def count(self, section: str, key: str, group: str = "all") -> int:
        v = self.value(section, key, group)
        return 0 if pd.isna(v) else int(v)

    def units(self, section: str, key: str, group: str = "all") -> list[str]:
        rows = self.rows(section, key, group)
        return split_units(rows["unit_ids"].iloc[0]) if len(rows) else []

    def text(self, section: str, key: str, group: str = "all") -> str:
        rows = self.rows(section, key, group)
        return str(rows["text"].iloc[0]) if len(rows) else ""


def split_units(joined: str) -> list[str]:
    return [u for u in str(joined).split("|") if u]
