"""Receiving returns: into inputs/<Q>/ (never over another file) with the 收文登记.csv entry."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from .. import manifest as M
from .. import names as N
from ..dates import Quarter
from ..errors import ZwgkError, writing
from ..ingest.receipts import decode_csv, match_log, read_receipt_log
from ..outputs import atomic_path
from ..reference import Reference
from ..textnorm import norm
from ..workspace import Workspace


@dataclass
class Received:
    source: Path
    name: str           # its name in inputs/<Q>/
    date: dt.date
    copied: bool        # False: the same bytes were already there
    renamed: bool = False
    logged: bool = True  # its 收文日期 was written now (False: the log had it already)


def quarter_for(date: dt.date, reference: Reference) -> Quarter:
    """The quarter a return received on `date` most likely belongs to: the one whose due date
    is nearest (a late return still counts for the quarter just due)."""
    due_day = reference.settings.reporting.due_day
    around = Quarter(date.year, (date.month - 1) // 3 + 1)
    candidates = [around.previous(), around, Quarter(around.year + around.q // 4, around.q % 4 + 1)]
    return min(candidates, key=lambda q: abs((q.due_date(due_day) - date).days))


def _free_name(folder: Path, name: str, date: dt.date) -> str:
    """`name`, or beside it `stem（YYYYMMDD收）.ext`, `stem（YYYYMMDD收2）.ext`…; the later file
    sorts after the first, which is what decides between two returns of one date."""
    p = Path(name)
    candidate, n = name, 1
    while (folder / candidate).exists():
        mark = f"{date:%Y%m%d}收" + (str(n) if n > 1 else "")
        candidate = f"{p.stem}（{mark}）{p.suffix}"
        n += 1
    return candidate


def receive_files(workspace: Workspace, files: list[Path], quarter: Quarter, date: dt.date
                  ) -> list[Received]:
    """Copy each file into inputs/<Q>/ (never over another file; the same bytes already there are
    not copied twice) and log its 收文日期 in 收文登记.csv."""
    folder = workspace.quarter_inputs(quarter)
    with writing(folder):
        return _receive(folder, files, date)


def _receive(folder: Path, files: list[Path], date: dt.date) -> list[Received]:
    folder.mkdir(parents=True, exist_ok=True)
    done: list[Received] = []
    present = {M.sha256(p): p.name for p in folder.iterdir()
               if p.is_file() and p.name != N.RECEIPT_LOG}
    logged = set(logged_names(folder))
    for src in files:
        src = Path(src)
        digest = M.sha256(src)
        if digest in present:  # already there (sent twice, or put in by hand): log it if unlogged
            name = present[digest]
            done.append(Received(src, name, date, copied=False, logged=name not in logged))
            logged.add(name)
            continue
        name = _free_name(folder, src.name, date)
        shutil.copyfile(src, folder / name)  # mode from the umask, like any new file
        present[digest] = name
        logged.add(name)
        done.append(Received(src, name, date, copied=True, renamed=name != src.name))
    log_receipts(folder, [(r.name, r.date) for r in done if r.logged])
    return done


def logged_names(folder: Path) -> list[str]:
    """The file names 收文登记.csv lists, matched to the files of the folder as reconcile does."""

    log, _ = read_receipt_log(folder, Quarter(2000, 1))  # the quarter only labels issues
    files = [p.name for p in Path(folder).iterdir() if p.is_file()]
    return list(match_log(log, files)[0])


def log_receipts(folder: Path, rows: list[tuple[str, dt.date]]) -> Path:
    """Append (文件, 收文日期) rows to 收文登记.csv (created with its header; written back as
    UTF-8 with BOM, which Excel opens, whatever encoding a hand-kept log had)."""

    path = Path(folder) / N.RECEIPT_LOG
    header, body = [N.RECEIPT_FILE, N.RECEIPT_DATE], []
    if path.is_file():
        text = decode_csv(path.read_bytes())
        if text is None:
            raise ZwgkError(f"收文登记“{path}”无法解码：请另存为“CSV UTF-8”格式后重新收文")
        existing = list(csv.reader(io.StringIO(text)))
        if existing:
            header, body = existing[0], existing[1:]
            keys = [norm(h) for h in header]
            if N.RECEIPT_FILE not in keys or N.RECEIPT_DATE not in keys:
                raise ZwgkError(f"收文登记“{path}”缺少“{N.RECEIPT_FILE}”或“{N.RECEIPT_DATE}”列："
                                "请在第1行补上这两列的表头后重新收文")
    if not rows:
        return path
    fi, di = (norm_index := [norm(h) for h in header]).index(N.RECEIPT_FILE), norm_index.index(N.RECEIPT_DATE)
    for name, date in rows:
        row = [""] * len(header)
        row[fi], row[di] = name, date.isoformat()
        body.append(row)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header] + body)
    with atomic_path(path) as tmp:
        tmp.write_text(buf.getvalue(), encoding="utf-8-sig")
    return path
