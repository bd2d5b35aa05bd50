"""Read a quarter's folder of returns into the four ingest tables (the `Intake`)."""

from __future__ import annotations

import errno
import hashlib
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import names as N
from ..dates import Quarter
from ..issues import Issue, issues_frame
from ..reference import Reference
from ..safety import defuse_process, preload_defusedxml, verify_xml_defences
from .cache import ReturnCache
from .isolation import MB, Failure, Limits, map_isolated
from .receipts import match_log, read_receipt_log
from .returns import ParsedReturn, _frame, read_return, row_tuple
from .workbook import RESAVE, UnreadableWorkbook, check_size


@dataclass
class Intake:
    """What ingest hands on: columns as in schemas.TABLE_COLUMNS. `files` lists every file
    seen and what it says; the progress rows are those of every readable file (reconcile
    decides which file of a unit counts)."""

    files: pd.DataFrame
    task_progress: pd.DataFrame
    domain_progress: pd.DataFrame
    issues: pd.DataFrame


def list_inputs(folder: str | Path) -> list[Path]:
    """Every candidate return in the folder, sorted: all non-hidden entries except the receipt
    log, the 目录/ folder and Office lock files (~$…), which are not returns."""
    folder = Path(folder)
    out = []
    for p in sorted(folder.iterdir(), key=lambda p: p.name):
        if p.name.startswith((".", "~$")) or p.name in (N.RECEIPT_LOG, N.CATALOGUE_DIR):
            continue
        out.append(p)
    return out


def _reject(name: str, quarter: Quarter, code: str, message: str, sha256: str = "") -> ParsedReturn:
    p = ParsedReturn(file=name, sha256=sha256, reason=message)
    p.issues.append(Issue(code=code, message=message, file=name, quarter=str(quarter)))
    return p


def _precheck(path: Path, name: str, quarter: Quarter) -> ParsedReturn | None:
    """A rejection decided from `stat` alone, before anything reads the file: folders, pipes and
    devices (reading one could block or never end), empty and oversized files."""
    try:
        st = path.stat()
    except OSError as exc:
        why = {errno.ENOENT: "文件不存在，可能是失效的快捷方式或链接", errno.EACCES: "没有读取权限",
               errno.ELOOP: "链接循环指向自身"}.get(exc.errno, exc.strerror or str(exc))
        return _reject(name, quarter, "file-unreadable", f"文件无法打开（{why}），请重新报送")
    if stat.S_ISDIR(st.st_mode):
        return _reject(name + "/", quarter, "file-unreadable",
                       "季度目录下的子文件夹不会读取，请将报表文件直接放在季度目录下")
    if not stat.S_ISREG(st.st_mode):
        return _reject(name, quarter, "file-unsafe", "不是普通文件（可能是管道、设备或失效的链接），已拒收，请报送Excel文件")
    try:
        check_size(st.st_size)
    except UnreadableWorkbook as exc:
        return _reject(name, quarter, exc.code, str(exc), _sha256(path) if st.st_size == 0 else "")
    return None


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _failed(name: str, path: Path, quarter: Quarter, failure: Failure, limits: Limits) -> ParsedReturn:
    """The rejection of a file whose worker died, ran out of memory or time (file-unsafe), or
    hit a reader bug (file-unreadable)."""
    if failure.kind == "memory":
        code, message = "file-unsafe", (
            f"读取本文件所需内存超过上限（{limits.memory // MB}MB），出于安全原因拒收；文件可能含有远超报表范围的"
            f"单元格（如XFD1048576）或被篡改的结构，请删除多余的行和列，{RESAVE}")
    elif failure.kind == "timeout":
        spent = (f"计算时间超过{limits.seconds:g}秒" if failure.detail.startswith("cpu")
                 else f"超过{limits.wall:g}秒仍未完成")
        code, message = "file-unsafe", f"读取本文件{spent}，出于安全原因拒收；请删除无关内容，{RESAVE}"
    elif failure.kind == "crashed":
        code, message = "file-unsafe", (
            f"读取本文件时解析程序异常终止（{failure.detail}），文件结构异常，出于安全原因拒收；{RESAVE}")
    elif "PanicException" in failure.detail:  # the native reader gave up on a malformed file
        code, message = "file-unreadable", f"文件已损坏，无法解析（{failure.detail[:80]}），{RESAVE}"
    else:
        code, message = "file-unreadable", f"文件读取出错（{failure.detail}），请联系政务公开办"
    return _reject(name, quarter, code, message, _sha256(path))


# --- the worker side: reference data is handed over once per worker, not with every file ----
_WORKER_REFERENCE: Reference | None = None


def _init_worker(reference: Reference) -> None:
    global _WORKER_REFERENCE
    _WORKER_REFERENCE = reference
    defuse_process()


def _warm(reference: Reference) -> None:
    """Compute once, before forking, what every worker would otherwise compute for itself
    (~40 ms each): the reference's derived tables and the defusedxml modules."""
    _ = (reference.assignments, reference.lead_units, reference.unit_ids, reference.task_ids,
         reference.tasks_of, reference.domain_ids, reference.domains_led, reference.domain_by_name)
    reference.resolve_unit("-")
    reference.group("-")
    preload_defusedxml()


def _read_in_worker(path: str, name: str, quarter: Quarter) -> ParsedReturn:
    return read_return(path, _WORKER_REFERENCE, quarter, name=name)


def read_returns(folder: str | Path, reference: Reference, quarter: Quarter,
                 on_file: Callable[[str], None] | None = None, *, workers: int | None = None,
                 cache_dir: str | Path | None = None, limits: Limits | None = None) -> Intake:
    """Read every file of `inputs/<QUARTER>/`; one bad file never stops the others.

    Each file is parsed in a worker process capped by `limits` (memory, seconds), `workers` at
    a time (default one per CPU): a file that crashes, exhausts or hangs its worker is rejected
    (file-unsafe) and the others go on. `workers=0` parses in this process instead: for
    debugging only, as one hostile file can then abort the whole run. With `cache_dir`, parsed
    returns are kept there by content and unchanged files are not parsed again.
    `on_file(name)` is called after each file (for a progress bar).
    """
    verify_xml_defences()
    folder = Path(folder)
    limits = limits or Limits()
    paths = list_inputs(folder)
    names = [p.relative_to(folder).as_posix() for p in paths]
    cache = ReturnCache(cache_dir, reference, quarter) if cache_dir is not None else None
    parsed: list[ParsedReturn | None] = [None] * len(paths)
    todo: list[tuple[int, str]] = []  # (index, cache key or "")

    def done(i: int, result: ParsedReturn) -> None:
        parsed[i] = result
        if on_file:
            on_file(paths[i].name)

    for i, (path, name) in enumerate(zip(paths, names, strict=True)):
        early = _precheck(path, name, quarter)
        if early is not None:
            done(i, early)
            continue
        key = ""
        if cache is not None:
            digest = _sha256(path)
            key = cache.key(digest, name) if digest else ""
            hit = cache.get(key, name) if key else None
            if hit is not None and hit.sha256 == digest:
                done(i, hit)
                continue
        todo.append((i, key))

    if workers == 0:
        results = ((j, read_return(paths[i], reference, quarter, name=names[i])) for j, (i, _) in enumerate(todo))
    else:
        _warm(reference)
        results = map_isolated(_read_in_worker, [(str(paths[i]), names[i], quarter) for i, _ in todo],
                               workers=workers, limits=limits,
                               initializer=_init_worker, initargs=(reference,))
    for j, result in results:
        i, key = todo[j]
        if isinstance(result, Failure):
            done(i, _failed(names[i], paths[i], quarter, result, limits))
            continue
        if cache is not None and key and result.sha256 and cache.key(result.sha256, names[i]) == key:
            cache.put(key, result)  # only when the bytes parsed are the bytes hashed
        done(i, result)
    return _assemble([p for p in parsed if p is not None], folder, reference, quarter)


def _assemble(parsed: list[ParsedReturn], folder: Path, reference: Reference, quarter: Quarter) -> Intake:
    log, log_issues = read_receipt_log(folder, quarter)
    received, unmatched = match_log(log, [p.file for p in parsed])
    log_issues += [Issue(code="receipt-log-bad", severity="warning", file=N.RECEIPT_LOG, quarter=str(quarter),
                         message=f"收文登记中的文件“{name}”在本季度目录中找不到，请核对文件名")
                   for name in unmatched]
    q = str(quarter)
    files = [row_tuple("files", {
        "quarter": q, "file": p.file, "sha256": p.sha256, "unit_id": p.unit_id,
        "filled_on": p.filled_on, "filled_sheet": p.filled_at[0], "filled_cell": p.filled_at[1],
        "received_on": received.get(p.file), "state": "rejected" if p.rejected else "accepted",
        "reason": p.reason}) for p in parsed]
    readable = [p for p in parsed if not p.rejected]
    return Intake(  # one frame per table (not per file): pandas construction dominates otherwise
        files=_frame("files", files),
        task_progress=_frame("task_progress", [r for p in readable for r in p.task_rows]),
        domain_progress=_frame("domain_progress", [r for p in readable for r in p.domain_rows]),
        issues=issues_frame(log_issues + [i for p in parsed for i in p.issues]),
    )
