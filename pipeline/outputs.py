"""Writing outputs: atomically (temp file, then rename) and safely (no live formulas in CSV)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot become formulas when the CSV is opened in Excel."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise, na_action="ignore")
    return out


def write_table(frame: pd.DataFrame, folder: Path, name: str) -> list[Path]:
    """`name.parquet` and `name.csv` (UTF-8 with BOM, for Excel users) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    with atomic_path(parquet) as tmp:
        frame.to_parquet(tmp, index=False)
    with atomic_path(csv) as tmp:
        csv_safe(frame).to_csv(tmp, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d")
    return [parquet, csv]
