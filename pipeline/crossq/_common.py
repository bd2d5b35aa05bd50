"""Helpers shared by the cross-quarter tables: accepted rows, Chinese dates, empty frames."""

from __future__ import annotations

import pandas as pd

from ..formatting import cn_date  # noqa: F401  (re-exported for the cross-quarter modules)
from ..reconcile.ledger import accepted_returns


def empty_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns, dtype="object")


def accepted_rows(progress: pd.DataFrame, ledger: pd.DataFrame, key: str) -> pd.DataFrame:
    """Progress rows from each unit's accepted return, one per (unit_id, key)."""
    kept = progress["file"].isin(set(accepted_returns(ledger)["file"]))  # each unit's last accepted file
    rows = progress if kept.all() else progress[kept]
    twice = rows.duplicated(["unit_id", key], keep="first")
    return (rows[~twice] if twice.any() else rows).reset_index(drop=True)


def as_text(value) -> str:
    """A cell value as comparable, printable text: dates as YYYY-MM-DD, 12.0 as 12, NA as ''."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def flag(series: pd.Series) -> pd.Series:
    """A nullable boolean column as plain bool (NA → False)."""
    return series.astype("boolean").fillna(False).astype(bool)
