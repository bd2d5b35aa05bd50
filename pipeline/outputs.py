"""Writing outputs: atomically (temp file, then rename) and safely (no live formulas in CSV)."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

# xlsxwriter options of every workbook written: text stays text (never a formula, link or number
# — the cells hold what units typed), and parts are assembled in memory rather than in one temp
# file each (a third of the time of a small workbook).
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                "nan_inf_to_errors": False, "in_memory": True}

# What makes Excel, WPS or LibreOffice evaluate a CSV cell (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename, so
    `path` is always either the old file or the whole new one, never a partial write."""
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


@contextlib.contextmanager
def staged_dir(path: str | Path) -> Iterator[Path]:
    """Yield an empty folder beside `path` to write a whole output set into; on success it takes
    the place of `path`, so a run that fails midway leaves the previous set as it was (not
    half old, half new). Files of the old folder that the new set does not rewrite (another
    command's output, such as 问题清单.xlsx) are carried over."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _tidy_leftovers(path)
    stage = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    old = path.with_name(f".{path.name}.old-{os.getpid()}")
    try:
        yield stage
        if path.is_dir():
            for src in path.rglob("*"):
                dst = stage / src.relative_to(path)
                if src.is_file() and not dst.exists():
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, dst)
            os.replace(path, old)  # two renames: if killed between them the set is whole in `old`
            try:
                os.replace(stage, path)
            except BaseException:
                os.replace(old, path)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(stage, path)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


STALE_SECONDS = 3600  # a staging folder this old belongs to no running run


def _tidy_leftovers(path: Path) -> None:
    """What killed runs left beside `path`: a set moved aside (`.<name>.old-<pid>`) when `path`
    itself is gone (killed between the two renames) is put back; staging folders and moved-
    aside sets older than STALE_SECONDS are removed (younger ones may be another run's)."""
    leftovers = sorted((p for p in path.parent.glob(f".{glob.escape(path.name)}.*") if p.is_dir()),
                       key=lambda p: p.stat().st_mtime)
    old = [p for p in leftovers if p.name.startswith(f".{path.name}.old-")]
    if old and not path.exists():
        os.replace(old[-1], path)
        leftovers.remove(old[-1])
    now = time.time()
    for p in leftovers:
        if (p.name.endswith(".tmp") or p in old) and now - p.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(p, ignore_errors=True)


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (plain numbers
    such as "-3" stay as they are: a spreadsheet reads them as the number they are)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot become formulas when the CSV is opened in Excel."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = out[col] = series.astype(object)
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(neutralise, na_action="ignore")
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
