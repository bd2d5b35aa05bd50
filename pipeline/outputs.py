"""Writing outputs: atomically (temp file, then rename) and safely (no live formulas in CSV)."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
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
CSV_ROWS = 20_000  # rows of a data table made safe and written to its CSV at a time


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
        if tmp.exists():  # mkstemp makes 0600: the file gets the mode the user's umask gives
            tmp.chmod(FILE_MODE & ~umask())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_new(path: str | Path, data: bytes) -> None:
    """Write `data` as a new file at `path` (O_EXCL: FileExistsError when anything is there, a
    link planted there included, which is never written through). The file gets the mode
    open() gives under the user's umask; a failed write leaves no partial file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def replace_with(path: str | Path, data: bytes, link_from: str | Path | None = None) -> None:
    """`path` becomes a file holding `data` in one rename (never a partial file), through a
    temporary name of this process made afresh (whatever a killed writer left there, or a link
    planted there, goes first and is never written through). With `link_from` (a file holding
    `data`), `path` becomes a hard link to it where the file system allows, else a copy."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    try:
        linked = False
        if link_from is not None:
            with contextlib.suppress(OSError):  # no hard links here: a copy
                os.link(link_from, tmp)
                linked = True
        if not linked:
            write_new(tmp, data)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def umask() -> int:
    """The process's umask (read without changing it where Linux tells it; else set and put
    back, which is safe here: no other thread creates files at that moment)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE, DIR_MODE = 0o666, 0o777  # before the umask: what open() and mkdir() would give


def make_dir(path: str | Path) -> Path:
    """mkdtemp-made folders are 0700: give `path` the mode a plain mkdir would have."""
    path = Path(path)
    path.chmod(DIR_MODE & ~umask())
    return path


@contextlib.contextmanager
def staged_dir(path: str | Path, keep: Iterable[str] = ()) -> Iterator[Path]:
    """Yield an empty folder beside `path` to write a whole output set into; on success it takes
    the place of `path`, so a run that fails midway leaves the previous set as it was (not
    half old, half new).

    Only the entries of the old folder named in `keep` (top-level names, e.g. templates/, which
    no input describes) are carried over where the new set does not rewrite them: anything
    else of the old set is gone, so no output outlives the inputs it described."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tidy_leftovers(path)
    stage = make_dir(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                                      dir=path.parent))
    old = path.with_name(f".{path.name}.old-{os.getpid()}")
    keep = set(keep)
    try:
        yield stage
        if path.is_dir():
            for src in path.iterdir():
                dst = stage / src.name
                if src.name in keep and not dst.exists():
                    if src.is_dir():
                        shutil.copytree(src, dst, symlinks=True)
                    else:
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


STALE_SECONDS = 3600  # a staging folder this old (without a pid in its name) belongs to no run
_OWNER = re.compile(r"\.(?:old-)?(\d+)(?:\.|$)")


def _owner_alive(name: str, prefix: str) -> bool | None:
    """Whether the run that made leftover `name` still lives (None: no pid in the name)."""
    m = _OWNER.match(name[len(prefix):])
    if not m:
        return None
    pid = int(m.group(1))
    if pid == os.getpid():
        return False  # our own leftover from an earlier call: nobody else's
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def tidy_leftovers(path: str | Path) -> None:
    """What killed runs left beside `path`: a set moved aside (`.<name>.old-<pid>`) when `path`
    itself is gone (killed between the two renames) is put back; staging folders and moved-
    aside sets of runs that no longer live are removed (a pid in the name says whose; a
    leftover without one goes once older than STALE_SECONDS)."""
    path = Path(path)
    if not path.parent.is_dir():
        return
    prefix = f".{path.name}"
    leftovers = sorted((p for p in path.parent.glob(f"{glob.escape(prefix)}.*") if p.is_dir()),
                       key=lambda p: p.stat().st_mtime)
    old = [p for p in leftovers if p.name.startswith(f"{prefix}.old-")]
    if old and not path.exists():
        os.replace(old[-1], path)
        leftovers.remove(old[-1])
    now = time.time()
    for p in leftovers:
        if not (p.name.endswith(".tmp") or p in old):
            continue
        alive = _owner_alive(p.name, prefix)
        if alive is False or (alive is None and now - p.stat().st_mtime > STALE_SECONDS):
            shutil.rmtree(p, ignore_errors=True)


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (plain numbers
    such as "-3" stay as they are: a spreadsheet reads them as the number they are)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with no text cell that could become a formula when the CSV is opened in Excel:
    a copy where a cell had to change (`frame` itself is never modified)."""
    out = frame
    for col in frame.columns:
        series, changed = frame[col], False
        if isinstance(series.dtype, pd.CategoricalDtype):
            series, changed = series.astype(object), True
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            # a look at the first characters first: most columns have no such cell to change
            if any(isinstance(v, str) and v.startswith(_FORMULA_START) for v in series.tolist()):
                series, changed = series.map(neutralise, na_action="ignore"), True
        if changed:
            if out is frame:
                out = frame.copy(deep=False)
            out[col] = series
    return out


def write_table(frame: pd.DataFrame, folder: Path, name: str) -> list[Path]:
    """`name.parquet` and `name.csv` (UTF-8 with BOM, for Excel users) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    with atomic_path(parquet) as tmp:
        frame.to_parquet(tmp, index=False)
    with atomic_path(csv) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as f:
        # in slices: csv_safe copies what it is given (a whole province's rows: ~90 MB)
        for start in range(0, max(len(frame), 1), CSV_ROWS):
            csv_safe(frame.iloc[start:start + CSV_ROWS]).to_csv(f, index=False, header=start == 0,
                                                                  date_format="%Y-%m-%d")
    return [parquet, csv]
